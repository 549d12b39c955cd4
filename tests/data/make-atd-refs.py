#!/usr/bin/python3
# make-atd-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for ATD, the Adaptive Token Dictionary transformer (ATD and
# ATD-light are hyper-parameters: light is spandrel's name for 48 channels
# with the one-step upsampler, and its category size 128 instead of 256):
# random-weight models built by spandrel's own ATD class at small
# configurations, saved as .pth (weights rounded to fp16 and stored so),
# loaded back through spandrel's ModelLoader (which must detect the
# architecture and the hyper-parameters from the file alone), and run in
# fp32 on the CPU on a small random input, as spandrel's
# ImageModelDescriptor calls it, without the final clamp.
#
# AC-MSA sorts the pixels by their category with torch.sort (…,
# stable=False), whose order among equal categories is the sorting
# algorithm's: which pixels share a group at a category's boundary then
# depends on it. Tessera sorts stably; here torch.sort is made stable
# too, so that the references do not depend on PyTorch's algorithm.
#
# The cases: ×2 classical (pixelshuffle, 1conv, qkv biases, two groups of
# 2 and 1 layers: a shifted layer, a token refinement, 21 × 19 padded to
# 24 × 24, 576 pixels in three categories' groups of 256 with the last
# padded); light ×3 (48 channels, pixelshuffledirect, 3conv, no qkv bias,
# category size 128, 5 groups); ×1 restoration (no upsampler, no RGB mean,
# no patch norm, 4 × 4 windows, a reduced width larger than the number of
# tokens), which is also written as .safetensors; ×4 real-world
# (nearest+conv, 13 × 11 padded to 16 × 12: one group of all 192
# pixels). spandrel's detector needs a first group of two layers or more
# (a refinement's sigma).
#
# Run with Debian's python3-torch (1.13) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b and einops v0.8.2:
#   /usr/bin/python3 make-atd-refs.py SPANDREL_LIBS EINOPS
# It writes atd/<name>.pth, <name>.input.npy and <name>.output.npy
# (float32, 1 × C × H × W, not clamped), the same bytes on every run.

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
    ('atd-x2', dict(in_chans=3, embed_dim=16, depths=[2, 1], num_heads=[4, 2], window_size=8, category_size=256,
                    num_tokens=16, reducted_dim=4, convffn_kernel_size=5, mlp_ratio=2.0, qkv_bias=True,
                    upscale=2, upsampler='pixelshuffle', resi_connection='1conv'), (19, 21), 2, False),
    ('atd-light-x3', dict(in_chans=3, embed_dim=48, depths=[3], num_heads=[4], window_size=8, category_size=128,
                          num_tokens=8, reducted_dim=6, convffn_kernel_size=3, mlp_ratio=1.5, qkv_bias=False,
                          upscale=3, upsampler='pixelshuffledirect', resi_connection='3conv'), (20, 17), 3, False),
    ('atd-x1', dict(in_chans=3, embed_dim=32, depths=[2], num_heads=[2], window_size=4, category_size=256,
                    num_tokens=4, reducted_dim=8, convffn_kernel_size=3, mlp_ratio=2.0, qkv_bias=True,
                    upscale=1, upsampler='', resi_connection='1conv', norm=False, patch_norm=False),
     (18, 20), 1, True),
    ('atd-nearest-x4', dict(in_chans=3, embed_dim=16, depths=[2], num_heads=[2], window_size=4, category_size=256,
                            num_tokens=4, reducted_dim=4, convffn_kernel_size=3, mlp_ratio=1.0, qkv_bias=True,
                            upscale=4, upsampler='nearest+conv', resi_connection='3conv'), (13, 11), 4, False),
]

BUFFERS = ('relative_position_index_SA', 'no_norm')


def randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or name.endswith(BUFFERS):
                continue
            if name.endswith('.td'):
                tensor.copy_(torch.randn(tensor.shape, generator=generator))
            elif name.endswith(('.scale', 'logit_scale', 'sigma')):
                # ATD_CA's scale is clamped to [0, 1], AC-MSA's logit scale
                # to log 100: some of each side
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.6 + 0.5 +
                             (name.endswith('logit_scale')) * 2.0)
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
    from spandrel.architectures.ATD import ATD
    from spandrel.__helpers.size_req import pad_tensor

    sort = torch.sort
    torch.sort = lambda *args, **kwargs: sort(*args, **dict(kwargs, stable=True))

    torch.set_num_threads(2)
    folder = os.path.join(HERE, 'atd')
    os.makedirs(folder, exist_ok=True)
    for seed, (name, kwargs, (w, h), scale, safetensors) in enumerate(MODELS):
        torch.manual_seed(seed)
        model = ATD(**kwargs)
        randomize(model, 20261207 + seed)
        model.eval()
        path = os.path.join(folder, name + '.pth')
        stored = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
        torch.save(stored, path)
        if safetensors:
            write_safetensors(stored, os.path.join(folder, name + '.safetensors'))

        loaded = spandrel.ModelLoader().load_from_file(path)
        assert loaded.architecture.id == 'ATD', loaded.architecture.id
        assert loaded.scale == scale, (name, loaded.scale)
        for key, value in kwargs.items():
            found = loaded.model.hyperparameters[key]
            if isinstance(found, tuple):
                found = list(found)
            assert found == value, (name, key, found)
        loaded.model.eval()

        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(100 + seed))
        with torch.no_grad():
            _, padded = pad_tensor(x.clone(), loaded.size_requirements)
            y = loaded._call_fn(loaded.model, padded)[..., :h * scale, :w * scale]
        assert y.shape == (1, 3, h * scale, w * scale), y.shape
        np.save(os.path.join(folder, name + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(folder, name + '.output.npy'), y.numpy().astype(np.float32))
        print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))


if __name__ == '__main__':
    main()
