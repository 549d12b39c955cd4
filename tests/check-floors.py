#!/usr/bin/env python3
# Checks that the tree keeps its floors (docs/ARCHITECTURE.md): a file of
# the engine includes headers of its own floor or of the floors below it
# only, so that no two folders include each other; architectures and
# formats include no backend; the app and the CLI include the engine
# through tessera.h alone. Then it plants one wrong include of each kind
# in a copy of the tree and checks that each is caught.
#
#   check-floors.py SOURCE_ROOT
# Prints TAP.

import os
import re
import shutil
import sys
import tempfile

# Each engine floor and the floors it may include. The files directly in
# src/engine are the top floor and may include every floor.
FLOORS = {
    'core': set(),
    'image': {'core'},
    'media': {'core', 'image'},
    'formats': {'core'},
    'backends': {'core'},
    'archs': {'core'},
    'diffusion': {'core'},
    'prompts': {'core'},
    'sampling': {'core'},
    'models': {'core', 'formats', 'archs', 'backends', 'diffusion', 'prompts', 'sampling'},
    '': {'core', 'image', 'media', 'formats', 'backends', 'archs', 'diffusion', 'prompts', 'sampling', 'models'},
}
# Generated into the build folder, or the CUDA kernels' own headers.
OUTSIDE = {'config.h', 'tessera-version.h', 'tessera-enums.h',
           'tessera-kernels.h', 'tessera-grid-index.h', 'tessera-resize-taps.h',
           'tessera-conv-mma-tile.h', 'tessera-prompts-resources.h'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(folder):
    for dirpath, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(('.c', '.h', '.cc', '.cu', '.cuh')):
                yield os.path.join(dirpath, name)


def floor_of(engine, path):
    """The floor a path under src/engine lies on: its first folder."""
    relative = os.path.relpath(path, engine)
    parts = relative.split(os.sep)
    return parts[0] if len(parts) > 1 else ''


def engine_problems(root):
    engine = os.path.join(root, 'src', 'engine')
    headers = {}
    for path in sources(engine):
        if path.endswith('.h'):
            headers.setdefault(os.path.basename(path), []).append(path)
    problems = []
    for path in sources(engine):
        own = floor_of(engine, path)
        for name in INCLUDE.findall(open(path, encoding='utf-8').read()):
            if os.path.basename(name) in OUTSIDE:
                continue
            # As the compiler looks: beside the file, then from src/engine.
            target = os.path.normpath(os.path.join(os.path.dirname(path), name))
            if not os.path.exists(target):
                target = os.path.normpath(os.path.join(engine, name))
            if not os.path.exists(target):
                problems.append('%s: includes %s, which is not in src/engine' %
                                (os.path.relpath(path, root), name))
                continue
            floor = floor_of(engine, target)
            if floor != own and floor not in FLOORS[own]:
                problems.append('%s (floor %s) includes %s (floor %s)' %
                                (os.path.relpath(path, root), own or 'top', name, floor or 'top'))
    return problems


def client_problems(root, client):
    """The app and the CLI: their own headers and tessera.h, nothing else of the engine."""
    folder = os.path.join(root, 'src', client)
    own = {os.path.basename(p) for p in sources(folder)}
    engine = {os.path.basename(p) for p in sources(os.path.join(root, 'src', 'engine'))}
    problems = []
    for path in sources(folder):
        for name in INCLUDE.findall(open(path, encoding='utf-8').read()):
            base = os.path.basename(name)
            if name == 'tessera.h' or name in OUTSIDE or (name in own and name not in engine):
                continue
            problems.append('%s includes %s; the %s includes the engine through tessera.h only' %
                            (os.path.relpath(path, root), name, client))
    return problems


def all_problems(root):
    return (engine_problems(root) + client_problems(root, 'app') +
            client_problems(root, 'cli'))


def planted(root, relative, include):
    """The problems of a copy of src/ with one more include in @relative."""
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(os.path.join(root, 'src'), os.path.join(scratch, 'src'))
        path = os.path.join(scratch, 'src', relative)
        with open(path, 'a', encoding='utf-8') as stream:
            stream.write('\n#include "%s"\n' % include)
        return all_problems(scratch)


def main():
    root = sys.argv[1]
    results = []
    problems = all_problems(root)
    for problem in problems:
        print('# ' + problem)
    results.append((not problems, 'every include keeps to its floor'))

    plants = [
        ('engine/core/tessera-memory.c', 'tessera-engine.h', 'a lower floor including a higher one'),
        ('engine/image/tessera-resample.c', 'formats/tessera-formats-private.h', 'two folders of one level'),
        ('engine/archs/tessera-esrgan.c', 'backends/tessera-backend-private.h', 'an architecture including a backend'),
        ('engine/formats/tessera-pth.c', 'backends/cpu/tessera-cpu-private.h', 'a format including a backend'),
        ('engine/diffusion/tessera-sd-unet.c', 'formats/tessera-formats-private.h', 'diffusion including a format'),
        ('app/tessera-window.c', 'models/tessera-model-private.h', 'the app including a private header'),
        ('cli/tessera-cli.c', 'image/tessera-image.h', 'the CLI including an engine header directly'),
    ]
    for relative, include, what in plants:
        results.append((len(planted(root, relative, include)) == len(problems) + 1, 'catches ' + what))

    print('1..%d' % len(results))
    for number, (ok, what) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, what))
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
