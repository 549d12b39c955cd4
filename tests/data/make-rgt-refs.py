#!/usr/bin/python3
# make-rgt-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for RGT, the Recursive Generalization Transformer (RGT and
# RGT-S differ only in their number of residual groups): random-weight
# models built by spandrel's own RGT class at small configurations, saved
# as .pth (weights rounded to fp16 and stored so), loaded back through
# spandrel's ModelLoader (which must detect the architecture and the
# hyper-parameters from the file alone), and run in fp32 on the CPU on a
# small random input, as spandrel's ImageModelDescriptor calls it, without
# the final clamp.
#
# The cases: ×2 with two residual groups (group 0's blocks 0 and 1, an
# unshifted window block and a recursive-generalization block; group 1's
# block 0, shifted as odd groups shift their block 0), the "1conv"
# residual connection and qkv biases; and ×1 (no upsampler: spandrel's
# restoration purpose), one group of four blocks (block 2 shifted), "3conv",
# no qkv bias, mlp_ratio 1.5, c_ratio 0.25 (q and k of 2 channels a head
# against v's 8), also written as .safetensors. The inputs are at least 32 high and wide so that the
# recursive reduction (÷16) leaves more than one representative token,
# and their sides are not multiples of the windows (the window attention
# pads q, k and v).
#
# Run with Debian's python3-torch (1.13) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b and einops v0.8.2:
#   /usr/bin/python3 make-rgt-refs.py SPANDREL_LIBS EINOPS
# It writes rgt/<name>.pth, <name>.input.npy and <name>.output.npy
# (float32, 1 × C × H × W, not clamped), and for the wide case
# rgt-wide-x1.crops.npy (4 × C × 16 × 16) and .mean.npy (C), the same
# bytes on every run.

import json
import os
import struct
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# name, keyword arguments, input W × H, expected scale, also .safetensors
MODELS = [
    ('rgt-x2', dict(in_chans=3, embed_dim=32, depth=[2, 1], num_heads=[4, 2], mlp_ratio=2.0, qkv_bias=True,
                    upscale=2, resi_connection='1conv', split_size=[2, 4], c_ratio=0.5), (50, 37), 2, False),
    ('rgt-s-x1', dict(in_chans=3, embed_dim=32, depth=[4], num_heads=[4], mlp_ratio=1.5, qkv_bias=False,
                      upscale=1, resi_connection='3conv', split_size=[2, 4], c_ratio=0.25), (35, 33), 1, True),
]

# An image at least 1024 wide, where RG-SA reduces three times instead of
# two (spandrel's eval-mode rule: max (int (log4 (H // 16)), int (log4
# (W // 16))), at least 2): a tiny ×1 model, an input of 8-bit values from
# integers alone (wide_input, which the test computes the same way), and
# only a few 16 × 16 crops of the output and its per-channel mean kept.
WIDE = ('rgt-wide-x1', dict(in_chans=3, embed_dim=32, depth=[2], num_heads=[2], mlp_ratio=2.0, qkv_bias=True,
                            upscale=1, resi_connection='1conv', split_size=[2, 4], c_ratio=0.5), (1030, 68))
# top-left corners (y, x) of the crops; the test lists the same
WIDE_CROPS = [(0, 0), (0, 1014), (52, 0), (26, 507)]


def wide_input(w, h):
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing='ij')
    v = ((x * x + 3 * y * y) // 7 + 37 * c + ((x ^ y) & 31)) % 256
    return torch.from_numpy((v.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255)))

# The buffers spandrel makes from the hyper-parameters, left as they are.
BUFFERS = ('rpe_biases', 'relative_position_index', 'attn_mask_0', 'attn_mask_1')


def randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or name.endswith(BUFFERS):
                continue
            if name.endswith('gamma'):
                # HAI's layer scale, 1e-4 when trained from scratch
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.3)
            elif name.endswith('bias') or tensor.dim() == 1:
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1 + (name.endswith('weight')))
            else:
                fan_in = tensor[0].numel()
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in ** 0.5)
            tensor.copy_(tensor.half().float())


def write_safetensors(state_dict, path):
    dtypes = {torch.float16: 'F16', torch.float32: 'F32', torch.int64: 'I64'}
    header, blobs, offset = {}, [], 0
    for key, tensor in state_dict.items():
        data = tensor.contiguous().numpy().tobytes()
        header[key] = {'dtype': dtypes[tensor.dtype], 'shape': list(tensor.shape),
                       'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(text)))
        out.write(text)
        for data in blobs:
            out.write(data)


def main():
    spandrel_libs, einops_root = sys.argv[1:3]
    sys.path[:0] = [spandrel_libs, einops_root]
    # Debian 12 has no safetensors package; spandrel imports it at load
    # time but reads a .pth without it.
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = None
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    # Nor torchvision, which only LaMa and a face model import.
    functional = types.ModuleType('torchvision.transforms.functional')
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    sys.modules['torchvision'] = types.ModuleType('torchvision')
    sys.modules['torchvision.transforms'] = types.ModuleType('torchvision.transforms')
    sys.modules['torchvision.transforms.functional'] = functional
    import spandrel
    from spandrel.architectures.RGT import RGT
    from spandrel.__helpers.size_req import pad_tensor

    torch.set_num_threads(2)
    folder = os.path.join(HERE, 'rgt')
    os.makedirs(folder, exist_ok=True)

    def save_and_load(seed, name, kwargs, scale, safetensors):
        torch.manual_seed(seed)
        model = RGT(**kwargs)
        randomize(model, 20261206 + seed)
        model.eval()
        path = os.path.join(folder, name + '.pth')
        stored = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
        torch.save(stored, path)
        if safetensors:
            write_safetensors(stored, os.path.join(folder, name + '.safetensors'))

        loaded = spandrel.ModelLoader().load_from_file(path)
        assert loaded.architecture.id == 'RGT', loaded.architecture.id
        assert loaded.scale == scale, (name, loaded.scale)
        for key, value in kwargs.items():
            found = loaded.model.hyperparameters[key]
            assert (list(found) if isinstance(found, tuple) else found) == value, (name, key, found)
        loaded.model.eval()
        return path, loaded

    def run(loaded, x, scale):
        h, w = x.shape[2:]
        with torch.no_grad():
            _, padded = pad_tensor(x.clone(), loaded.size_requirements)
            y = loaded._call_fn(loaded.model, padded)[..., :h * scale, :w * scale]
        assert y.shape == (1, 3, h * scale, w * scale), y.shape
        return y

    for seed, (name, kwargs, (w, h), scale, safetensors) in enumerate(MODELS):
        path, loaded = save_and_load(seed, name, kwargs, scale, safetensors)
        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(100 + seed))
        y = run(loaded, x, scale)
        np.save(os.path.join(folder, name + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(folder, name + '.output.npy'), y.numpy().astype(np.float32))
        print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))

    name, kwargs, (w, h) = WIDE
    path, loaded = save_and_load(len(MODELS), name, kwargs, 1, False)
    x = wide_input(w, h)
    y = run(loaded, x, 1)
    crops = np.stack([y[0, :, top:top + 16, left:left + 16].numpy() for top, left in WIDE_CROPS])
    np.save(os.path.join(folder, name + '.crops.npy'), crops.astype(np.float32))
    np.save(os.path.join(folder, name + '.mean.npy'), y[0].mean(dim=(1, 2)).numpy().astype(np.float32))
    # The crops must tell three reductions from two: with two, they differ.
    rgt_arch = sys.modules[type(loaded.model).__module__]
    real_math = rgt_arch.math
    rgt_arch.math = types.SimpleNamespace(log=lambda v, base: min(real_math.log(v, base), 2.0))
    twice = run(loaded, x, 1)
    rgt_arch.math = real_math
    apart = max(float((twice[0, :, top:top + 16, left:left + 16] - y[0, :, top:top + 16, left:left + 16]).abs().max())
                for top, left in WIDE_CROPS) / float(y.abs().max())
    assert apart > 1e-2, apart
    print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()),
          'two reductions instead of three move the crops by', apart)

if __name__ == '__main__':
    main()
