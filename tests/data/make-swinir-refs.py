#!/usr/bin/python3
# make-swinir-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference vectors for the SwinIR variants that refs/ has no
# case of: the classical upsampler (pixelshuffle), the real-world one
# (nearest+conv) with the "3conv" residual connection and window 7 (so
# img_range 255, as spandrel's loader decides), and the denoising one (no
# upsampler) on a gray image. Random weights, rounded to fp16 and stored
# so; the forward pass runs in fp32 on the CPU.
#
# The forward pass below is a plain PyTorch reading of SwinIR as spandrel
# runs it (github.com/chaiNNer-org/spandrel, architectures/SwinIR): reflect
# right/bottom to whole windows, (x − mean) · img_range, conv_first,
# patch norm, residual Swin transformer blocks (window attention with
# relative position bias and, in odd blocks, a half-window cyclic shift
# with its mask made for the padded size; MLP with GELU), norm,
# conv_after_body + conv_first's output, upsampler, / img_range + mean,
# crop. Written for these vectors, not taken from spandrel.
#
# Run with Debian's python3-torch (1.13):
#   /usr/bin/python3 make-swinir-refs.py
# and, to check this forward pass against spandrel's own outputs,
#   /usr/bin/python3 make-swinir-refs.py --check refs
# It writes swinir/<name>.pth, swinir/<name>.input.npy and
# swinir/<name>.output.npy (float32, 1 × C × H × W, not clamped).

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

RGB_MEAN = (0.4488, 0.4371, 0.4040)

MODELS = [
    # name, in channels, embed_dim, depths, heads, window, img_size,
    # mlp_ratio, upsampler, scale, resi_connection, input W × H
    dict(name='swinir-classical-x2', channels=3, dim=16, depths=[2, 2], heads=[2, 4], window=4, img_size=8,
         mlp_ratio=2.0, upsampler='pixelshuffle', scale=2, resi='1conv', size=(22, 17)),
    dict(name='swinir-real-x4', channels=3, dim=12, depths=[2], heads=[3], window=7, img_size=14,
         mlp_ratio=2.0, upsampler='nearest+conv', scale=4, resi='3conv', size=(20, 18)),
    dict(name='swinir-gray-x1', channels=1, dim=8, depths=[2], heads=[2], window=8, img_size=16,
         mlp_ratio=1.5, upsampler='', scale=1, resi='1conv', size=(23, 19)),
]

NUM_FEAT = 64


def fp16_exact(t):
    return t.half().float()


class Weights:
    """A state dict filled with random, fp16-exact tensors."""

    def __init__(self, seed):
        self.generator = torch.Generator().manual_seed(seed)
        self.sd = {}

    def randn(self, *shape, std=1.0, mean=0.0):
        return fp16_exact(torch.randn(*shape, generator=self.generator) * std + mean)

    def conv(self, name, out_ch, in_ch, k):
        fan_in = in_ch * k * k
        self.sd[name + '.weight'] = self.randn(out_ch, in_ch, k, k, std=1.0 / math.sqrt(fan_in))
        self.sd[name + '.bias'] = self.randn(out_ch, std=0.1)

    def linear(self, name, out_f, in_f):
        self.sd[name + '.weight'] = self.randn(out_f, in_f, std=1.0 / math.sqrt(in_f))
        self.sd[name + '.bias'] = self.randn(out_f, std=0.1)

    def norm(self, name, dim):
        self.sd[name + '.weight'] = self.randn(dim, std=0.2, mean=1.0)
        self.sd[name + '.bias'] = self.randn(dim, std=0.2)


def position_index(ws):
    """Swin's relative_position_index: (dy + ws − 1) · (2 ws − 1) + dx + ws − 1."""
    ys, xs = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    dy = ys[:, None] - ys[None, :] + ws - 1
    dx = xs[:, None] - xs[None, :] + ws - 1
    return (dy * (2 * ws - 1) + dx).long()


def to_windows(x, ws):
    """(B, H, W, C) → (B · windows, ws · ws, C), windows row by row."""
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, ws * ws, c)


def from_windows(windows, ws, h, w):
    c = windows.shape[-1]
    x = windows.view(-1, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, h, w, c)


def shift_mask(h, w, ws, shift):
    """−100 between tokens of a window that come from different regions of
    the rolled image: three slices per axis, numbered."""
    labels = torch.zeros(1, h, w, 1)
    bounds_h = [(0, h - ws), (h - ws, h - shift), (h - shift, h)]
    bounds_w = [(0, w - ws), (w - ws, w - shift), (w - shift, w)]
    n = 0
    for y0, y1 in bounds_h:
        for x0, x1 in bounds_w:
            labels[:, y0:y1, x0:x1, :] = n
            n += 1
    windows = to_windows(labels, ws).squeeze(-1)
    diff = windows[:, None, :] - windows[:, :, None]
    return torch.where(diff != 0, torch.tensor(-100.0), torch.tensor(0.0))


def make_model(cfg, seed):
    w = Weights(seed)
    c, dim, ws = cfg['channels'], cfg['dim'], cfg['window']
    hidden = int(dim * cfg['mlp_ratio'])
    w.conv('conv_first', dim, c, 3)
    w.norm('patch_embed.norm', dim)
    for i, (depth, heads) in enumerate(zip(cfg['depths'], cfg['heads'])):
        for j in range(depth):
            p = f'layers.{i}.residual_group.blocks.{j}'
            w.norm(p + '.norm1', dim)
            w.sd[p + '.attn.relative_position_bias_table'] = w.randn((2 * ws - 1) ** 2, heads, std=0.5)
            w.sd[p + '.attn.relative_position_index'] = position_index(ws)
            w.linear(p + '.attn.qkv', 3 * dim, dim)
            w.linear(p + '.attn.proj', dim, dim)
            w.norm(p + '.norm2', dim)
            w.linear(p + '.mlp.fc1', hidden, dim)
            w.linear(p + '.mlp.fc2', dim, hidden)
            if j % 2 == 1 and cfg['img_size'] > ws:
                w.sd[p + '.attn_mask'] = shift_mask(cfg['img_size'], cfg['img_size'], ws, ws // 2)
        if cfg['resi'] == '1conv':
            w.conv(f'layers.{i}.conv', dim, dim, 3)
        else:
            w.conv(f'layers.{i}.conv.0', dim // 4, dim, 3)
            w.conv(f'layers.{i}.conv.2', dim // 4, dim // 4, 1)
            w.conv(f'layers.{i}.conv.4', dim, dim // 4, 3)
    w.norm('norm', dim)
    if cfg['resi'] == '1conv':
        w.conv('conv_after_body', dim, dim, 3)
    else:
        w.conv('conv_after_body.0', dim // 4, dim, 3)
        w.conv('conv_after_body.2', dim // 4, dim // 4, 1)
        w.conv('conv_after_body.4', dim, dim // 4, 3)

    up, scale = cfg['upsampler'], cfg['scale']
    if up == 'pixelshuffle':
        w.conv('conv_before_upsample.0', NUM_FEAT, dim, 3)
        for k in range(int(math.log2(scale))):
            w.conv(f'upsample.{2 * k}', 4 * NUM_FEAT, NUM_FEAT, 3)
        w.conv('conv_last', c, NUM_FEAT, 3)
    elif up == 'nearest+conv':
        w.conv('conv_before_upsample.0', NUM_FEAT, dim, 3)
        for k in range(1, int(math.log2(scale)) + 1):
            w.conv(f'conv_up{k}', NUM_FEAT, NUM_FEAT, 3)
        w.conv('conv_hr', NUM_FEAT, NUM_FEAT, 3)
        w.conv('conv_last', c, NUM_FEAT, 3)
    else:
        w.conv('conv_last', c, dim, 3)
    return w.sd


def conv(sd, name, x, padding=1):
    return F.conv2d(x, sd[name + '.weight'], sd[name + '.bias'], padding=padding)


def layer_norm(sd, name, x):
    return F.layer_norm(x, (x.shape[-1],), sd[name + '.weight'], sd[name + '.bias'], 1e-5)


def residual_conv(sd, name, x, three):
    if not three:
        return conv(sd, name, x)
    x = F.leaky_relu(conv(sd, name + '.0', x), 0.2)
    x = F.leaky_relu(conv(sd, name + '.2', x, padding=0), 0.2)
    return conv(sd, name + '.4', x)


def swin_block(sd, p, t, h, w, ws, heads, shift):
    b, length, dim = t.shape
    d = dim // heads
    shortcut = t
    x = layer_norm(sd, p + '.norm1', t).view(b, h, w, dim)
    if shift:
        x = torch.roll(x, shifts=(-shift, -shift), dims=(1, 2))
    tokens = to_windows(x, ws)
    n_windows, n, _ = tokens.shape

    qkv = F.linear(tokens, sd[p + '.attn.qkv.weight'], sd[p + '.attn.qkv.bias'])
    qkv = qkv.reshape(n_windows, n, 3, heads, d).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0] * d ** -0.5, qkv[1], qkv[2]
    scores = q @ k.transpose(-2, -1)
    table = sd[p + '.attn.relative_position_bias_table']
    index = sd[p + '.attn.relative_position_index']
    scores = scores + table[index.view(-1)].view(n, n, heads).permute(2, 0, 1).unsqueeze(0)
    if shift:
        scores = scores + shift_mask(h, w, ws, shift).unsqueeze(1)
    attended = (scores.softmax(-1) @ v).transpose(1, 2).reshape(n_windows, n, dim)
    attended = F.linear(attended, sd[p + '.attn.proj.weight'], sd[p + '.attn.proj.bias'])

    x = from_windows(attended, ws, h, w)
    if shift:
        x = torch.roll(x, shifts=(shift, shift), dims=(1, 2))
    t = shortcut + x.reshape(b, length, dim)
    y = F.linear(layer_norm(sd, p + '.norm2', t), sd[p + '.mlp.fc1.weight'], sd[p + '.mlp.fc1.bias'])
    y = F.linear(F.gelu(y), sd[p + '.mlp.fc2.weight'], sd[p + '.mlp.fc2.bias'])
    return t + y


def forward(sd, cfg, x):
    ws, scale, three = cfg['window'], cfg['scale'], cfg['resi'] == '3conv'
    img_range = 255.0 if ws == 7 else 1.0
    height, width = x.shape[2:]
    x = F.pad(x, (0, (ws - width % ws) % ws, 0, (ws - height % ws) % ws), mode='reflect')
    if cfg['channels'] == 3:
        mean = torch.tensor(RGB_MEAN).view(1, 3, 1, 1)
    else:
        mean = torch.zeros(1, 1, 1, 1)
    x = (x - mean) * img_range

    first = conv(sd, 'conv_first', x)
    b, dim, h, w = first.shape

    def to_tokens(image):
        return image.flatten(2).transpose(1, 2)

    def to_image(tokens):
        return tokens.transpose(1, 2).reshape(b, dim, h, w)

    t = layer_norm(sd, 'patch_embed.norm', to_tokens(first))
    for i, (depth, heads) in enumerate(zip(cfg['depths'], cfg['heads'])):
        layer_input = t
        for j in range(depth):
            shift = ws // 2 if j % 2 == 1 and cfg['img_size'] > ws else 0
            t = swin_block(sd, f'layers.{i}.residual_group.blocks.{j}', t, h, w, ws, heads, shift)
        t = to_tokens(residual_conv(sd, f'layers.{i}.conv', to_image(t), three)) + layer_input
    t = layer_norm(sd, 'norm', t)
    y = residual_conv(sd, 'conv_after_body', to_image(t), three) + first

    up = cfg['upsampler']
    if up == 'pixelshuffle':
        y = F.leaky_relu(conv(sd, 'conv_before_upsample.0', y), 0.01)
        for k in range(int(math.log2(scale))):
            y = F.pixel_shuffle(conv(sd, f'upsample.{2 * k}', y), 2)
        y = conv(sd, 'conv_last', y)
    elif up == 'nearest+conv':
        y = F.leaky_relu(conv(sd, 'conv_before_upsample.0', y), 0.01)
        for k in range(1, int(math.log2(scale)) + 1):
            y = F.leaky_relu(conv(sd, f'conv_up{k}', F.interpolate(y, scale_factor=2, mode='nearest')), 0.2)
        y = conv(sd, 'conv_last', F.leaky_relu(conv(sd, 'conv_hr', y), 0.2))
    elif up == 'pixelshuffledirect':
        y = F.pixel_shuffle(conv(sd, 'upsample.0', y), scale)
    else:
        y = x + conv(sd, 'conv_last', y)

    y = y / img_range + mean
    return y[:, :, :height * scale, :width * scale]


def check(refs):
    """This forward pass against spandrel's outputs for swinir_psd_x2."""
    cfg = dict(channels=3, dim=36, depths=[2, 2], heads=[6, 6], window=8, img_size=16, mlp_ratio=2.0,
               upsampler='pixelshuffledirect', scale=2, resi='1conv')
    sd = {k: v.float() if v.is_floating_point() else v
          for k, v in torch.load(os.path.join(refs, 'models/synthetic/swinir_psd_x2.pth')).items()}
    for image in ['photo_32', 'anime_48x40', 'rose_37x29']:
        x = torch.from_numpy(np.load(os.path.join(refs, 'inputs', image + '.npy')))
        reference = np.load(os.path.join(refs, 'outputs', f'synth__swinir_psd_x2__{image}.npy'))
        with torch.no_grad():
            y = forward(sd, cfg, x).numpy()
        print(f'{image}: max relative error {np.abs(y - reference).max() / np.abs(reference).max():.3g}')


def main():
    if len(sys.argv) > 2 and sys.argv[1] == '--check':
        check(sys.argv[2])
        return

    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, 'swinir')
    os.makedirs(folder, exist_ok=True)
    torch.set_num_threads(1)

    for index, cfg in enumerate(MODELS):
        sd = make_model(cfg, 20260601 + index)
        width, height = cfg['size']
        generator = torch.Generator().manual_seed(7 + index)
        x = torch.rand(1, cfg['channels'], height, width, generator=generator)
        with torch.no_grad():
            y = forward(sd, cfg, x)
        assert y.shape == (1, cfg['channels'], height * cfg['scale'], width * cfg['scale'])

        stored = {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
        torch.save(stored, os.path.join(folder, cfg['name'] + '.pth'))
        np.save(os.path.join(folder, cfg['name'] + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(folder, cfg['name'] + '.output.npy'), y.numpy().astype(np.float32))
        print(f"{cfg['name']}: {sum(v.numel() for v in sd.values() if v.is_floating_point())} parameters, "
              f"output {tuple(y.shape)}, range {y.min().item():.3f} … {y.max().item():.3f}")


if __name__ == '__main__':
    main()
