#!/usr/bin/env python3
# Checks the Flatpak manifest without Flathub, which CI cannot reach: it
# parses, every download is pinned by a checksum, Tessera's build options
# exist in meson_options.txt with valid values, the sandbox reaches the GPU
# and no more of the file system than the portals give, and the default
# models land in the folder the model library searches.
#
#   check-flatpak-manifest.py MANIFEST MESON_OPTIONS APP_ID
# Prints TAP.

import json
import re
import sys

manifest_path, options_path, app_id = sys.argv[1:4]
results = []


def check(ok, what):
    results.append((bool(ok), what))


def meson_options(path):
    """Each option's type and allowed values, from meson_options.txt."""
    text = open(path, encoding='utf-8').read()
    options = {}
    for match in re.finditer(r"option\(\s*'([^']+)'\s*,\s*type\s*:\s*'([^']+)'(.*?)\)\s*$",
                             text, re.S | re.M):
        name, kind, rest = match.groups()
        choices = re.search(r"choices\s*:\s*\[([^\]]*)\]", rest)
        options[name] = (kind, re.findall(r"'([^']*)'", choices.group(1)) if choices else None)
    return options


def valid_value(kind, choices, value):
    if kind == 'feature':
        return value in ('enabled', 'disabled', 'auto')
    if kind == 'boolean':
        return value in ('true', 'false')
    if kind == 'integer':
        return re.fullmatch(r'-?[0-9]+', value) is not None
    if kind == 'combo':
        return value in choices
    return kind in ('string', 'array')


BUILTIN_OPTIONS = {'buildtype', 'prefix', 'libdir', 'optimization', 'debug', 'b_lto', 'b_ndebug',
                   'werror', 'warning_level', 'default_library', 'b_sanitize'}

try:
    manifest = json.load(open(manifest_path, encoding='utf-8'))
    check(True, 'the manifest parses as JSON')
except (OSError, ValueError) as error:
    print('1..1\nnot ok 1 - the manifest parses: %s' % error)
    sys.exit(1)

check(manifest.get('id') == app_id, 'the id is %s' % app_id)
check(manifest.get('runtime') == 'org.gnome.Platform' and manifest.get('sdk') == 'org.gnome.Sdk',
      'it builds on the GNOME runtime and SDK')
check(re.fullmatch(r'[0-9]{2,}', str(manifest.get('runtime-version', ''))),
      'the runtime is a stable GNOME release, not master')
check(manifest.get('command') == 'tessera', 'it starts tessera')

finish_args = manifest.get('finish-args', [])
broad = [arg for arg in finish_args if arg.startswith('--filesystem')]
check(not broad, 'no file system access beyond the portals (found: %s)' % (broad or 'none'))
check('--device=dri' in finish_args, '--device=dri reaches the GPU')
check('--device=all' not in finish_args, 'not every device')
check('--socket=wayland' in finish_args, 'Wayland')
check(not any(arg.startswith('--talk-name=org.freedesktop.Flatpak') for arg in finish_args),
      'no escape from the sandbox through the Flatpak portal')

modules = {module['name']: module for module in manifest.get('modules', [])}
for name, module in modules.items():
    for source in module.get('sources', []):
        kind = source.get('type')
        label = '%s: %s' % (name, source.get('url') or source.get('path'))
        if kind in ('archive', 'file'):
            check(source.get('url', '').startswith('https://'), label + ' downloads over https')
            check(re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')), label + ' has a sha256')
        elif kind == 'git':
            check(re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')), label + ' is pinned to a commit')
        elif kind == 'dir':
            check(name == 'tessera' and source.get('path') == '..', label + ' is only Tessera itself')
        else:
            check(False, label + ': source type %s is not checked' % kind)

tessera = modules.get('tessera')
check(tessera is not None, 'there is a tessera module')
if tessera is not None:
    check(tessera.get('buildsystem') == 'meson', 'tessera builds with meson')
    options = meson_options(options_path)
    config = {}
    for opt in tessera.get('config-opts', []):
        match = re.fullmatch(r'-D([A-Za-z0-9_]+)=(.*)', opt)
        check(match, '%s is a -Dname=value option' % opt)
        if match:
            config[match.group(1)] = match.group(2)
    for name, value in config.items():
        if name in BUILTIN_OPTIONS:
            continue
        check(name in options, '-D%s is an option of meson_options.txt' % name)
        if name in options:
            check(valid_value(*options[name], value), '-D%s=%s is a valid value' % (name, value))
    check(config.get('cuda') == 'enabled', 'tessera is built with CUDA')
    check(not config.get('fuzzing', 'false') == 'true', 'without the fuzz targets')
    names = list(modules)
    for needed in ('openblas', 'cuda'):
        check(needed in names and names.index(needed) < names.index('tessera'),
              '%s is built before tessera' % needed)

cuda = modules.get('cuda', {})
cuda_urls = [source.get('url', '') for source in cuda.get('sources', [])]
for part in ('cuda_cudart', 'libcublas', 'cuda_nvcc'):
    check(any(url.startswith('https://developer.download.nvidia.com/compute/cuda/redist/%s/' % part)
              for url in cuda_urls), 'the CUDA module takes %s from NVIDIA\'s redistributables' % part)
check(len({re.sub(r'.*-(\d+\.\d+)\.[\d.]+-archive.*', r'\1', url) for url in cuda_urls
           if 'cuda_' in url}) == 1, 'the CUDA parts come from one release')

models = modules.get('models', {})
model_files = [source.get('dest-filename', '') for source in models.get('sources', [])]
for wanted in ('realesrgan-x4plus.pth', 'realesrgan-x4plus-anime.pth', 'realesr-animevideov3.pth',
               'realesr-general-x4v3.pth'):
    check(wanted in model_files, 'the default model %s is installed' % wanted)
check(all(url.startswith('https://github.com/xinntao/Real-ESRGAN/releases/download/')
          for url in (source.get('url', '') for source in models.get('sources', []))),
      'the models come from their official releases')
check(any('/app/share/tessera/models' in command for command in models.get('build-commands', [])),
      'into the folder the model library searches ($XDG_DATA_DIRS/tessera/models)')

print('1..%d' % len(results))
for number, (ok, what) in enumerate(results, 1):
    print('%s %d - %s' % ('ok' if ok else 'not ok', number, what))
sys.exit(0 if all(ok for ok, _ in results) else 1)
