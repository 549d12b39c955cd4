#!/usr/bin/python3
# make-color-fix-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference outputs for StableSR's two colour fixes, reimplemented in
# PyTorch operation for operation from IceClear/StableSR
# scripts/wavelet_color_fix.py (commit
# 4b2ac150d288976f7c27cabe58eee16b447f8ce8; sd-webui-stablesr's
# srmodule/colorfix.py is the same code):
#
#   - wavelet_color_fix: wavelet_reconstruction (content = the redrawn
#     image, style = the reference): wavelet_decomposition by 5 levels of
#     wavelet_blur, a 3 × 3 kernel [1/16 1/8 1/16; 1/8 1/4 1/8; 1/16 1/8
#     1/16] applied per channel (groups=3) with dilation 2^i after
#     replicate padding of 2^i; the content's accumulated high frequencies
#     plus the style's last low frequency;
#   - adain_color_fix: adaptive_instance_normalization with calc_mean_std
#     (torch.var, unbiased, + eps 1e-5, then sqrt);
#
# each then clamped to [0, 1] as the reference does before making a PIL
# image of the tensor (result_tensor.squeeze(0).clamp_(0.0, 1.0)).
#
# Run with Debian 12's python3-torch 1.13.1 and python3-numpy 1.24.2:
#   /usr/bin/python3 make-color-fix-refs.py
# It writes color-fix/SIZE.{image,reference,wavelet,adain}.npy, float32,
# 3 × H × W. The sizes are smaller than the widest blur (taps 16 pixels
# apart) one way and larger the other, so that the replicated edges
# matter.

import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'color-fix')


def wavelet_blur(image, radius):
    kernel = torch.tensor([[0.0625, 0.125, 0.0625],
                           [0.125, 0.25, 0.125],
                           [0.0625, 0.125, 0.0625]], dtype=image.dtype)
    kernel = kernel[None, None].repeat(3, 1, 1, 1)
    image = F.pad(image, (radius, radius, radius, radius), mode='replicate')
    return F.conv2d(image, kernel, groups=3, dilation=radius)


def wavelet_decomposition(image, levels=5):
    high_freq = torch.zeros_like(image)
    for i in range(levels):
        radius = 2 ** i
        low_freq = wavelet_blur(image, radius)
        high_freq += image - low_freq
        image = low_freq
    return high_freq, low_freq


def wavelet_fix(content, style):
    content_high, _ = wavelet_decomposition(content)
    _, style_low = wavelet_decomposition(style)
    return (content_high + style_low).clamp(0.0, 1.0)


def calc_mean_std(feat, eps=1e-5):
    b, c = feat.shape[:2]
    var = feat.reshape(b, c, -1).var(dim=2) + eps
    std = var.sqrt().reshape(b, c, 1, 1)
    mean = feat.reshape(b, c, -1).mean(dim=2).reshape(b, c, 1, 1)
    return mean, std


def adain_fix(content, style):
    style_mean, style_std = calc_mean_std(style)
    content_mean, content_std = calc_mean_std(content)
    normalized = (content - content_mean) / content_std
    return (normalized * style_std + style_mean).clamp(0.0, 1.0)


def save(name, tensor):
    np.save(os.path.join(OUT, name + '.npy'), tensor[0].numpy().astype(np.float32))


def main():
    os.makedirs(OUT, exist_ok=True)
    generator = torch.Generator().manual_seed(21)
    for width, height in ((24, 20), (40, 13)):
        size = f'{width}x{height}'
        # a redraw: detail over a colour cast; the reference: smooth
        # gradients of other colours with a little detail of its own
        y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing='ij')
        detail = torch.rand((1, 3, height, width), generator=generator)
        image = (0.5 * detail + 0.4 * torch.stack([x, y, 1 - x])[None]).clamp(0, 1)
        reference = (0.8 * torch.stack([y, 0.5 + 0.3 * x, x * y])[None]
                     + 0.2 * torch.rand((1, 3, height, width), generator=generator)).clamp(0, 1)
        save(size + '.image', image)
        save(size + '.reference', reference)
        save(size + '.wavelet', wavelet_fix(image, reference))
        save(size + '.adain', adain_fix(image, reference))


if __name__ == '__main__':
    main()
