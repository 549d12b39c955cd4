#!/usr/bin/python3
# make-mosr-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for MoSR: random-weight models built by spandrel's own MoSR
# class, one per upsampler it detects (pixel shuffle, the geo-ensemble
# pixel shuffle "gps", DySample), at small sizes, saved as .pth (the first
# also as .safetensors), loaded back through spandrel's ModelLoader (which
# must detect the architecture and every hyper-parameter from the file
# alone) and run on a small random input, fp32 on the CPU, the way
# spandrel's ImageModelDescriptor calls it (MoSR has no size
# requirements) but without the final clamp.
#
# Run with Debian's python3-torch (1.13) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b and einops v0.8.2:
#   /usr/bin/python3 make-mosr-refs.py SPANDREL_LIBS EINOPS
# It writes mosr/<name>.pth, <name>.input.npy and <name>.output.npy
# (float32, 1 × C × H × W, not clamped), the same bytes on every run.
#
# Debian 12 has no safetensors package: spandrel's loader gets a small
# reader of the format instead, the one make-containers.py writes.

import importlib.util
import json
import os
import struct
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# name, keyword arguments, input W × H, expected scale, also as .safetensors
MODELS = [
    # Pixel shuffle; hidden 24 of which the depthwise convolution takes 16.
    ('mosr-ps-x2', dict(dim=16, n_block=2, upscale=2, upsampler='ps', kernel_size=7,
                        expansion_ratio=1.5, conv_ratio=1.0), (19, 15), 2, True),
    # The geo ensemble's eight pixel shuffles, a third of the channels
    # through the depthwise convolution.
    ('mosr-gps-x3', dict(dim=12, n_block=1, upscale=3, upsampler='gps', kernel_size=5,
                         expansion_ratio=2.0, conv_ratio=0.5), (11, 13), 3, False),
    # DySample in four groups; hidden = conv channels, so the identity
    # part is empty.
    ('mosr-dys-x4', dict(dim=16, n_block=2, upscale=4, upsampler='dys', kernel_size=3,
                         expansion_ratio=1.0, conv_ratio=1.0), (13, 10), 4, False),
]

DTYPES = {'F32': (torch.float32, 'f'), 'F16': (torch.float16, 'e'), 'I64': (torch.int64, 'q')}


def load_safetensors(path, device='cpu'):
    with open(path, 'rb') as f:
        (length,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    state_dict = {}
    for key, entry in header.items():
        if key == '__metadata__':
            continue
        dtype, fmt = DTYPES[entry['dtype']]
        start, end = entry['data_offsets']
        n = (end - start) // struct.calcsize(fmt)
        values = struct.unpack('<%d%s' % (n, fmt), data[start:end])
        state_dict[key] = torch.tensor(values, dtype=dtype).reshape(entry['shape'])
    return state_dict


def randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or name.endswith('init_pos'):
                continue
            fan_in = tensor[0].numel() if tensor.dim() > 1 else 1
            tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in ** 0.5)


def main():
    spandrel_libs, einops_root = sys.argv[1:3]
    sys.path[:0] = [spandrel_libs, einops_root]
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = load_safetensors
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    functional = types.ModuleType('torchvision.transforms.functional')
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    sys.modules['torchvision'] = types.ModuleType('torchvision')
    sys.modules['torchvision.transforms'] = types.ModuleType('torchvision.transforms')
    sys.modules['torchvision.transforms.functional'] = functional
    import spandrel
    from spandrel.architectures.MoSR import MoSR

    spec = importlib.util.spec_from_file_location('containers', os.path.join(HERE, 'make-containers.py'))
    containers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(containers)

    torch.set_num_threads(2)
    folder = os.path.join(HERE, 'mosr')
    os.makedirs(folder, exist_ok=True)
    for seed, (name, kwargs, (w, h), scale, safetensors) in enumerate(MODELS):
        torch.manual_seed(seed)
        model = MoSR(**kwargs)
        randomize(model, seed)
        model.eval()
        path = os.path.join(folder, name + '.pth')
        torch.save(model.state_dict(), path)
        paths = [path]
        if safetensors:
            paths.append(os.path.join(folder, name + '.safetensors'))
            containers.write_safetensors(model.state_dict(), paths[-1])

        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(100 + seed))
        outputs = []
        for p in paths:
            loaded = spandrel.ModelLoader().load_from_file(p)
            assert loaded.architecture.id == 'MoSR', loaded.architecture.id
            assert loaded.scale == scale, (name, loaded.scale)
            for key, value in kwargs.items():
                assert loaded.model.hyperparameters[key] == value, (name, key, loaded.model.hyperparameters[key])
            loaded.model.eval()
            with torch.no_grad():
                outputs.append(loaded._call_fn(loaded.model, x.clone()))
        y = outputs[0]
        assert all(torch.equal(y, other) for other in outputs[1:])
        assert y.shape == (1, 3, h * scale, w * scale), y.shape
        np.save(os.path.join(folder, name + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(folder, name + '.output.npy'), y.numpy().astype(np.float32))
        print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))


if __name__ == '__main__':
    main()
