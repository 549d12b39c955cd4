#!/usr/bin/python3
# make-swin-arch-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for the Swin-like architectures SRFormer and DRCT:
# random-weight models built by spandrel's own architecture classes at
# small configurations, saved as .pth or .safetensors (or both), loaded
# back through spandrel's ModelLoader (which must detect the architecture
# and the hyper-parameters from the file alone), and run on a small random
# input whose sides are not whole windows, fp32 on the CPU, the way
# spandrel's ImageModelDescriptor calls it (padded to its size
# requirements, cropped) but without the final clamp. Debian 12 has no
# safetensors package: the .safetensors are written and read here.
#
# The upsamplers' width, num_feat, is a hard-coded 64, which would make
# the smallest file over half a megabyte: here it is 16 (nn.Conv2d's
# widths of 64 made a quarter) while the models are made and loaded.
# Tessera reads those widths from the file.
#
# The configurations cover each variant's distinguishing structure:
# SRFormer's pixelshuffle (classical), pixelshuffledirect (SRFormer-light)
# and nearest+conv upsamplers, an odd shift (window 6: its permuted
# windows' mask slices round the other way), "3conv", no qkv bias, no
# patch norm; DRCT's residual dense groups (each Swin block reading the
# concatenation of the group's input and the earlier blocks' 1 × 1
# adjusted outputs, with as many heads as divide its channels: embed 12
# and gc 5 give 3, 1, 2, 3 and 1) with shifts, and DRCT-L's depth (ten
# groups) trained at its window's size (so nothing shifts), "identity",
# no qkv bias, no patch norm. Windows of 4 keep each block's index buffer
# small.
#
# Run with Debian's python3-torch (1.13) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b (SRFormer is in its
# libs/spandrel_extra_arches) and einops v0.8.2:
#   /usr/bin/python3 make-swin-arch-refs.py SPANDREL_LIBS EINOPS
# where SPANDREL_LIBS is spandrel's libs/ folder (spandrel/ and
# spandrel_extra_arches/ in it). It writes <arch>/<name>.pth or
# .safetensors, <name>.input.npy and <name>.output.npy (float32,
# 1 × C × H × W, not clamped), the same bytes on every run.

import json
import os
import struct
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# folder, name, spandrel architecture id, keyword arguments, input W × H,
# expected scale, containers (spandrel loads the last)
MODELS = [
    ('srformer', 'srformer-x2', 'SRFormer',
     dict(img_size=24, embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=6, mlp_ratio=2.0,
          upscale=2, upsampler='pixelshuffle', resi_connection='1conv'), (17, 20), 2, ('pth', 'safetensors')),
    ('srformer', 'srformer-light-x3', 'SRFormer',
     dict(img_size=16, embed_dim=12, depths=[2], num_heads=[3], window_size=8, mlp_ratio=2.0,
          upscale=3, upsampler='pixelshuffledirect', resi_connection='1conv'), (19, 13), 3, ('pth',)),
    ('srformer', 'srformer-real-x4', 'SRFormer',
     dict(img_size=16, embed_dim=8, depths=[3], num_heads=[2], window_size=4, mlp_ratio=1.5,
          upscale=4, upsampler='nearest+conv', resi_connection='3conv', qkv_bias=False, patch_norm=False),
     (11, 9), 4, ('pth',)),
    ('drct', 'drct-x3', 'DRCT',
     dict(img_size=8, embed_dim=12, depths=[6], num_heads=[3], window_size=4, mlp_ratio=2.0, upscale=3,
          upsampler='pixelshuffle', resi_connection='1conv', gc=5), (17, 20), 3, ('pth',)),
    ('drct', 'drct-l-x2', 'DRCT',
     dict(img_size=4, embed_dim=4, depths=[6] * 10, num_heads=[1, 2] * 5, window_size=4, mlp_ratio=1.0,
          upscale=2, upsampler='pixelshuffle', resi_connection='identity', gc=2, qkv_bias=False,
          patch_norm=False), (21, 18), 2, ('safetensors',)),
]

DTYPES = {
    torch.float32: ('F32', 'f'),
    torch.int64: ('I64', 'q'),
}


def tensor_bytes(tensor):
    name, fmt = DTYPES[tensor.dtype]
    values = tensor.contiguous().reshape(-1).tolist()
    return name, struct.pack('<%d%s' % (len(values), fmt), *values)


def write_safetensors(state_dict, path):
    """As make-containers.py writes them."""
    header, blobs, offset = {}, [], 0
    for key, tensor in state_dict.items():
        dtype, data = tensor_bytes(tensor)
        header[key] = {'dtype': dtype, 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as out:
        out.write(struct.pack('<Q', len(text)))
        out.write(text)
        for data in blobs:
            out.write(data)


def read_safetensors(path, device=None):
    """safetensors.torch.load_file for the files above (Debian 12 has no
    safetensors package)."""
    types_ = {'F32': torch.float32, 'I64': torch.int64}
    with open(path, 'rb') as f:
        length = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for key, entry in header.items():
        if key == '__metadata__':
            continue
        begin, end = entry['data_offsets']
        array = np.frombuffer(data[begin:end], dtype='<f4' if entry['dtype'] == 'F32' else '<i8')
        out[key] = torch.from_numpy(array.copy()).to(types_[entry['dtype']]).reshape(entry['shape'])
    return out


def narrow_conv():
    """nn.Conv2d with the upsamplers' hard-coded num_feat 64 (and the
    ×2 and ×3 shuffles' 4 × and 9 × 64 channels) a quarter as wide."""
    narrow = {64: 16, 256: 64, 576: 144}

    class NarrowConv2d(torch.nn.Conv2d):
        def __init__(self, in_channels, out_channels, *args, **kwargs):
            super().__init__(narrow.get(in_channels, in_channels), narrow.get(out_channels, out_channels),
                             *args, **kwargs)

    return NarrowConv2d


def randomize(model, seed):
    """Random weights; the shift masks and index buffers stay as made."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point() or name.endswith('attn_mask'):
                continue
            fan_in = tensor[0].numel() if tensor.dim() > 1 else 1
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name.endswith('norm.weight'):
                tensor.copy_(1 + 0.2 * torch.randn(tensor.shape, generator=generator))
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in ** 0.5)


def main():
    spandrel_libs, einops_root = sys.argv[1:3]
    sys.path[:0] = [os.path.join(spandrel_libs, 'spandrel'), os.path.join(spandrel_libs, 'spandrel_extra_arches'),
                    einops_root]
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = read_safetensors
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    functional = types.ModuleType('torchvision.transforms.functional')
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    sys.modules['torchvision'] = types.ModuleType('torchvision')
    sys.modules['torchvision.transforms'] = types.ModuleType('torchvision.transforms')
    sys.modules['torchvision.transforms.functional'] = functional
    import spandrel
    import spandrel_extra_arches
    from spandrel.__helpers.size_req import pad_tensor

    spandrel_extra_arches.install()
    torch.set_num_threads(2)

    conv = torch.nn.Conv2d
    torch.nn.Conv2d = narrow_conv()
    for seed, (folder, name, arch, kwargs, (w, h), scale, containers) in enumerate(MODELS):
        torch.manual_seed(seed)
        module = {'SRFormer': 'spandrel_extra_arches.architectures.SRFormer',
                  'DRCT': 'spandrel.architectures.DRCT'}[arch]
        cls = getattr(__import__(module, fromlist=[arch]), arch)
        model = cls(**kwargs)
        randomize(model, seed)
        model.eval()
        os.makedirs(os.path.join(HERE, folder), exist_ok=True)
        state_dict = model.state_dict()
        for container in containers:
            path = os.path.join(HERE, folder, name + '.' + container)
            if container == 'pth':
                torch.save(state_dict, path)
            else:
                write_safetensors(state_dict, path)

        loaded = spandrel.ModelLoader().load_from_file(path)
        assert loaded.architecture.id == arch, loaded.architecture.id
        assert loaded.scale == scale, (name, loaded.scale)
        for key, value in kwargs.items():
            got = loaded.model.hyperparameters[key]
            assert list(got) == value if isinstance(value, list) else got == value, (name, key, got)
        loaded.model.eval()

        x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(100 + seed))
        with torch.no_grad():
            _, padded = pad_tensor(x.clone(), loaded.size_requirements)
            y = loaded._call_fn(loaded.model, padded)[..., :h * scale, :w * scale]
        assert y.shape == (1, 3, h * scale, w * scale), y.shape
        np.save(os.path.join(HERE, folder, name + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(HERE, folder, name + '.output.npy'), y.numpy().astype(np.float32))
        print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))
    torch.nn.Conv2d = conv


if __name__ == '__main__':
    main()
