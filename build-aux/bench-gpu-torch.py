#!/usr/bin/env python3
# The PyTorch fp16 reference of build-aux/bench-gpu.sh: times one model,
# written by `tessera-cli convert` as safetensors (ESRGAN/RRDBNet or
# Real-ESRGAN Compact, ×4), on a SIZE×SIZE input on the CUDA GPU, in fp16,
# channels-last, with cuDNN's autotuner. Prints one JSON line.
# Usage: build-aux/bench-gpu-torch.py MODEL.safetensors [--size 1024] [--repeat 10] [--dry-run]
# --dry-run only reads the file and prints the architecture it derives
# (numpy, no torch). Needs numpy; the networks are defined below.
import argparse
import json
import os
import statistics
import struct
import sys


def load_safetensors(path):
    import numpy as np
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop('__metadata__', {})
    dtypes, tensors = {'F32': np.dtype('<f4'), 'F16': np.dtype('<f2')}, {}
    for name, t in header.items():
        if t['dtype'] not in dtypes:
            raise ValueError(f'{name}: unsupported dtype {t["dtype"]}')
        dtype, (begin, end) = dtypes[t['dtype']], t['data_offsets']
        a = np.frombuffer(data, dtype, (end - begin) // dtype.itemsize, 8 + n + begin)
        tensors[name] = a.astype(np.float32).reshape(t['shape'])  # a copy: aligned, writable
    return meta, tensors


def describe(meta, tensors):
    """The architecture, from the metadata and the tensors' shapes."""
    arch, scale = meta.get('arch'), int(meta.get('scale', 0))
    if scale != 4:
        raise ValueError(f'only ×4 models are supported, not ×{scale}')
    if arch == 'esrgan':
        nf, cin = tensors['conv_first.weight'].shape[:2]
        if cin != 3 or tensors['conv_last.weight'].shape[0] != 3:
            raise ValueError(f'only 3-channel ESRGAN is supported (conv_first takes {cin})')
        gc = tensors['body.0.rdb1.conv1.weight'].shape[0]
        blocks = 1 + max(int(k.split('.')[1]) for k in tensors if k.startswith('body.'))
        return {'arch': arch, 'scale': scale, 'nf': int(nf), 'gc': int(gc), 'blocks': blocks}
    if arch == 'compact':
        layers = 1 + max(int(k.split('.')[1]) for k in tensors if k.startswith('body.'))
        kinds = [tensors[f'body.{i}.weight'].ndim for i in range(layers)]
        if kinds != [4 if i % 2 == 0 else 1 for i in range(layers)]:
            raise ValueError('the body is not conv, PReLU, …, conv')
        (nf, cin), out = tensors['body.0.weight'].shape[:2], tensors[f'body.{layers - 1}.weight'].shape[0]
        if cin != 3 or out != 3 * scale * scale:
            raise ValueError(f'only 3-channel Compact is supported ({cin} in, {out} out)')
        return {'arch': arch, 'scale': scale, 'nf': int(nf), 'convs': (layers + 1) // 2}
    raise ValueError(f'unsupported architecture {arch!r}')


def build(desc):
    import torch
    from torch import nn
    from torch.nn import functional as F

    def conv(cin, cout):
        return nn.Conv2d(cin, cout, 3, 1, 1)

    def lrelu(x):
        return F.leaky_relu(x, 0.2)

    class RDB(nn.Module):
        def __init__(self, nf, gc):
            super().__init__()
            for i in range(5):
                setattr(self, f'conv{i + 1}', conv(nf + i * gc, gc if i < 4 else nf))

        def forward(self, x):
            feats = [x]
            for c in (self.conv1, self.conv2, self.conv3, self.conv4):
                feats.append(lrelu(c(torch.cat(feats, 1))))
            return self.conv5(torch.cat(feats, 1)) * 0.2 + x

    class RRDB(nn.Module):
        def __init__(self, nf, gc):
            super().__init__()
            self.rdb1, self.rdb2, self.rdb3 = RDB(nf, gc), RDB(nf, gc), RDB(nf, gc)

        def forward(self, x):
            return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x

    class RRDBNet(nn.Module):
        def __init__(self, nf, gc, blocks):
            super().__init__()
            self.conv_first = conv(3, nf)
            self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(blocks)])
            self.conv_body, self.conv_up1, self.conv_up2 = conv(nf, nf), conv(nf, nf), conv(nf, nf)
            self.conv_hr, self.conv_last = conv(nf, nf), conv(nf, 3)

        def forward(self, x):
            feat = self.conv_first(x)
            feat = feat + self.conv_body(self.body(feat))
            feat = lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode='nearest')))
            feat = lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode='nearest')))
            return self.conv_last(lrelu(self.conv_hr(feat)))

    class Compact(nn.Module):
        def __init__(self, nf, convs, scale):
            super().__init__()
            pairs = [(conv(3 if i == 0 else nf, nf), nn.PReLU(nf)) for i in range(convs - 1)]
            self.body = nn.Sequential(*[m for pair in pairs for m in pair], conv(nf, 3 * scale * scale))
            self.up, self.scale = nn.PixelShuffle(scale), scale

        def forward(self, x):
            return self.up(self.body(x)) + F.interpolate(x, scale_factor=self.scale, mode='nearest')

    if desc['arch'] == 'esrgan':
        return RRDBNet(desc['nf'], desc['gc'], desc['blocks'])
    return Compact(desc['nf'], desc['convs'], desc['scale'])


def main():
    parser = argparse.ArgumentParser(description='PyTorch fp16 reference timing of a ×4 model.')
    parser.add_argument('model')
    parser.add_argument('--size', type=int, default=1024)
    parser.add_argument('--repeat', type=int, default=10)
    parser.add_argument('--dry-run', action='store_true', help='print the derived architecture only')
    args = parser.parse_args()
    name = os.path.splitext(os.path.basename(args.model))[0]

    def fail(message, status):
        if status:
            print(f'bench-gpu-torch.py: {args.model}: {message}', file=sys.stderr)
        print(json.dumps({'model': name, 'error': message}))
        sys.exit(status)

    try:
        meta, tensors = load_safetensors(args.model)
        desc = describe(meta, tensors)
    except ImportError as e:
        fail(f'numpy is not installed: {e}', 0)
    except (OSError, ValueError, KeyError) as e:
        fail(f'cannot read the model: {e}', 1)
    if args.dry_run:
        print(json.dumps({'model': name, **desc, 'params': sum(int(t.size) for t in tensors.values())}))
        return
    try:
        import torch
    except ImportError as e:
        fail(f'PyTorch is not installed: {e}', 0)
    if not torch.cuda.is_available():
        fail('PyTorch finds no CUDA device', 0)

    model = build(desc)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    model = model.half().cuda().eval().to(memory_format=torch.channels_last)
    x = torch.rand(1, 3, args.size, args.size).half().cuda().to(memory_format=torch.channels_last)
    torch.backends.cudnn.benchmark = True
    times = []
    with torch.inference_mode():
        for i in range(3 + args.repeat):
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            model(x)
            end.record()
            torch.cuda.synchronize()
            if i >= 3:  # after three warm-ups (cuDNN's autotuning among them)
                times.append(start.elapsed_time(end) / 1000.0)
    print(json.dumps({'model': name, 'arch': desc['arch'], 'seconds': statistics.median(times),
                      'min_seconds': min(times), 'size': args.size,
                      'device': torch.cuda.get_device_name(), 'torch': torch.__version__,
                      'cudnn': torch.backends.cudnn.version()}))


if __name__ == '__main__':
    main()
