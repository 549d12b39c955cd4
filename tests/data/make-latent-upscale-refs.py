#!/usr/bin/python3
# make-latent-upscale-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference outputs for the latent upscale's modes:
#
#   - torch.nn.functional.interpolate with a size, as the "Latent Upscale"
#     extension for A1111 calls it (feynlee/latent-upscale
#     latent_upscale_overrides/init.py, commit
#     b9f75f44de15170a38b195692cff28246846da7d:
#     size=(height // 8, width // 8), mode=..., antialias=...,
#     align_corners left at its default): nearest, nearest-exact,
#     bilinear and bicubic, each with and without antialias for the last
#     two, and area;
#   - ComfyUI's bislerp (comfyanonymous/ComfyUI comfy/utils.py, commit
#     00728eb20fce05955f89ef1ccf5f6167416e94cf), reimplemented below
#     operation for operation: the neighbours and ratios from a bilinear
#     interpolation of the indices, then a slerp of the latent's vectors
#     along the width, then along the height.
#
# Run with Debian 12's python3-torch 1.13.1 and python3-numpy 1.24.2:
#   /usr/bin/python3 make-latent-upscale-refs.py
# It writes latent-upscale/input.npy (4 × 5 × 7, float32) and
# latent-upscale/MODE-WxH.npy for each mode and size (4 × H × W). The
# input has two equal columns and a row that is another one negated, so
# that bislerp's two special cases come up.

import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'latent-upscale')

SIZES = ((14, 10), (9, 13), (4, 3), (7, 5))
MODES = (('nearest', 'nearest', False),
         ('nearest-exact', 'nearest-exact', False),
         ('bilinear', 'bilinear', False),
         ('bilinear-antialiased', 'bilinear', True),
         ('bicubic', 'bicubic', False),
         ('bicubic-antialiased', 'bicubic', True),
         ('area', 'area', False))


def slerp(b1, b2, r):
    c = b1.shape[-1]
    b1_norms = torch.norm(b1, dim=-1, keepdim=True)
    b2_norms = torch.norm(b2, dim=-1, keepdim=True)
    b1_normalized = b1 / b1_norms
    b2_normalized = b2 / b2_norms
    b1_normalized[b1_norms.expand(-1, c) == 0.0] = 0.0
    b2_normalized[b2_norms.expand(-1, c) == 0.0] = 0.0
    dot = (b1_normalized * b2_normalized).sum(1)
    omega = torch.acos(dot)
    so = torch.sin(omega)
    res = ((torch.sin((1.0 - r.squeeze(1)) * omega) / so).unsqueeze(1) * b1_normalized
           + (torch.sin(r.squeeze(1) * omega) / so).unsqueeze(1) * b2_normalized)
    res *= (b1_norms * (1.0 - r) + b2_norms * r).expand(-1, c)
    res[dot > 1 - 1e-5] = b1[dot > 1 - 1e-5]
    res[dot < 1e-5 - 1] = (b1 * (1.0 - r) + b2 * r)[dot < 1e-5 - 1]
    return res


def bilinear_data(length_old, length_new):
    coords_1 = torch.arange(length_old, dtype=torch.float32).reshape((1, 1, 1, -1))
    coords_1 = F.interpolate(coords_1, size=(1, length_new), mode='bilinear')
    ratios = coords_1 - coords_1.floor()
    coords_1 = coords_1.to(torch.int64)
    coords_2 = torch.arange(length_old, dtype=torch.float32).reshape((1, 1, 1, -1)) + 1
    coords_2[:, :, :, -1] -= 1
    coords_2 = F.interpolate(coords_2, size=(1, length_new), mode='bilinear')
    coords_2 = coords_2.to(torch.int64)
    return ratios, coords_1, coords_2


def bislerp(samples, width, height):
    n, c, h, w = samples.shape
    ratios, coords_1, coords_2 = bilinear_data(w, width)
    coords_1 = coords_1.expand((n, c, h, -1))
    coords_2 = coords_2.expand((n, c, h, -1))
    ratios = ratios.expand((n, 1, h, -1))
    pass_1 = samples.gather(-1, coords_1).movedim(1, -1).reshape((-1, c))
    pass_2 = samples.gather(-1, coords_2).movedim(1, -1).reshape((-1, c))
    ratios = ratios.movedim(1, -1).reshape((-1, 1))
    result = slerp(pass_1, pass_2, ratios).reshape(n, h, width, c).movedim(-1, 1)

    ratios, coords_1, coords_2 = bilinear_data(h, height)
    coords_1 = coords_1.reshape((1, 1, -1, 1)).expand((n, c, -1, width))
    coords_2 = coords_2.reshape((1, 1, -1, 1)).expand((n, c, -1, width))
    ratios = ratios.reshape((1, 1, -1, 1)).expand((n, 1, -1, width))
    pass_1 = result.gather(-2, coords_1).movedim(1, -1).reshape((-1, c))
    pass_2 = result.gather(-2, coords_2).movedim(1, -1).reshape((-1, c))
    ratios = ratios.movedim(1, -1).reshape((-1, 1))
    return slerp(pass_1, pass_2, ratios).reshape(n, height, width, c).movedim(-1, 1)


def save(name, tensor):
    np.save(os.path.join(OUT, name + '.npy'), tensor[0].numpy().astype(np.float32))


def main():
    os.makedirs(OUT, exist_ok=True)
    latent = torch.randn((1, 4, 5, 7), generator=torch.Generator().manual_seed(21))
    latent[:, :, :, 3] = latent[:, :, :, 2]
    latent[:, :, 4, :] = -latent[:, :, 3, :]
    save('input', latent)
    for width, height in SIZES:
        for name, mode, antialias in MODES:
            save(f'{name}-{width}x{height}', F.interpolate(latent, size=(height, width), mode=mode,
                                                          antialias=antialias))
        save(f'bislerp-{width}x{height}', bislerp(latent, width, height))


if __name__ == '__main__':
    main()
