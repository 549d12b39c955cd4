#!/usr/bin/python3
# make-dat-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference vectors for the DAT variants that refs/ has no case
# of: the classical upsampler (pixelshuffle) with the "3conv" residual
# connection and two residual groups (the odd group shifts other blocks
# than the even one), and DAT-light's width (embed_dim 60, so the
# position-bias network's width is 1; no qkv bias; pixelshuffledirect ×3;
# 4 × 16 windows). Random weights, rounded to fp16 and stored so;
# the forward pass runs in fp32 on the CPU.
#
# The forward pass below is a plain PyTorch reading of DAT as spandrel
# runs it (github.com/chaiNNer-org/spandrel, architectures/DAT):
# (x − mean) · img_range, conv_first, LayerNorm, residual groups whose
# even blocks attend in windows (q, k and v zero-padded after the linear
# layer to whole windows of the larger split; the channels in two halves
# with split[0] × split[1] and split[1] × split[0] windows; a half-window
# shift and its mask in blocks 2, 6… of even groups and 0, 4… of odd ones;
# the relative position bias from the DynamicPosBias network) and whose
# odd blocks attend across channels, each beside a depthwise convolution
# of v with BatchNorm, the two weighed by the channel and spatial
# interaction maps; the spatial-gate feed-forward; norm, conv_after_body
# + conv_first's output, upsampler, / img_range + mean. Written for these
# vectors, not taken from spandrel.
#
# Run with Debian's python3-torch (1.13):
#   /usr/bin/python3 make-dat-refs.py
# and, to check this forward pass against spandrel's own outputs,
#   /usr/bin/python3 make-dat-refs.py --check refs
# It writes dat/<name>.pth, dat/<name>.input.npy and dat/<name>.output.npy
# (float32, 1 × C × H × W, not clamped).

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

RGB_MEAN = (0.4488, 0.4371, 0.4040)

MODELS = [
    # two groups of 3 and 1 blocks: shifted are group 0's block 2 and
    # group 1's block 0; 22 × 17 pads to 24 × 20 inside the attention
    dict(name='dat-classical-x2', dim=32, depth=[3, 1], heads=[4, 2], split=[2, 4], expansion=2.0,
         img_size=16, upsampler='pixelshuffle', scale=2, resi='3conv', qkv_bias=True, size=(22, 17)),
    # DAT-light's width (its 8 × 32 windows would make large index
    # buffers): 20 × 18 pads to 32 × 32, and block 2 shifts
    dict(name='dat-light-x3', dim=60, depth=[4], heads=[6], split=[4, 16], expansion=2.0,
         img_size=16, upsampler='pixelshuffledirect', scale=3, resi='3conv', qkv_bias=False, size=(20, 18)),
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

    def conv(self, name, out_ch, in_ch, k, groups=1):
        fan_in = in_ch // groups * k * k
        self.sd[name + '.weight'] = self.randn(out_ch, in_ch // groups, k, k, std=1.0 / math.sqrt(fan_in))
        self.sd[name + '.bias'] = self.randn(out_ch, std=0.1)

    def linear(self, name, out_f, in_f, bias=True):
        self.sd[name + '.weight'] = self.randn(out_f, in_f, std=1.0 / math.sqrt(in_f))
        if bias:
            self.sd[name + '.bias'] = self.randn(out_f, std=0.1)

    def norm(self, name, dim):
        self.sd[name + '.weight'] = self.randn(dim, std=0.2, mean=1.0)
        self.sd[name + '.bias'] = self.randn(dim, std=0.2)

    def batch_norm(self, name, dim):
        self.norm(name, dim)
        self.sd[name + '.running_mean'] = self.randn(dim, std=0.2)
        self.sd[name + '.running_var'] = fp16_exact(torch.exp(self.randn(dim, std=0.3)))
        self.sd[name + '.num_batches_tracked'] = torch.tensor(0)


def relative_offsets(wh, ww):
    """Every (dy, dx) between two tokens of a wh × ww window, dy outer."""
    dy, dx = torch.meshgrid(torch.arange(1 - wh, wh), torch.arange(1 - ww, ww), indexing='ij')
    return torch.stack([dy.flatten(), dx.flatten()], 1).float()


def relative_index(wh, ww):
    """Row of relative_offsets for each pair of tokens (row by row)."""
    ys, xs = torch.meshgrid(torch.arange(wh), torch.arange(ww), indexing='ij')
    ys, xs = ys.flatten(), xs.flatten()
    dy = ys[:, None] - ys[None, :] + wh - 1
    dx = xs[:, None] - xs[None, :] + ww - 1
    return (dy * (2 * ww - 1) + dx).long()


def region_labels(size, window, shift):
    """Swin's three regions of a rolled axis: [0, size − window),
    [size − window, size − shift), [size − shift, size)."""
    labels = torch.zeros(size)
    labels[size - window:size - shift] = 1
    labels[size - shift:] = 2
    return labels


def shift_mask(h, w, wh, ww):
    """−100 between the tokens of a window from different regions."""
    labels = region_labels(h, wh, wh // 2)[:, None] * 3 + region_labels(w, ww, ww // 2)[None, :]
    windows = labels.view(h // wh, wh, w // ww, ww).permute(0, 2, 1, 3).reshape(-1, wh * ww)
    diff = windows[:, None, :] - windows[:, :, None]
    return torch.where(diff != 0, torch.tensor(-100.0), torch.tensor(0.0))


def is_shifted(group, block):
    if group % 2 == 0:
        return block > 0 and (block - 2) % 4 == 0
    return block % 4 == 0


def make_model(cfg, seed):
    w = Weights(seed)
    dim, split = cfg['dim'], cfg['split']
    hidden = int(dim * cfg['expansion'])
    w.conv('conv_first', dim, 3, 3)
    w.norm('before_RG.1', dim)
    for i, (depth, heads) in enumerate(zip(cfg['depth'], cfg['heads'])):
        for j in range(depth):
            p = f'layers.{i}.blocks.{j}'
            w.norm(p + '.norm1', dim)
            w.linear(p + '.attn.qkv', 3 * dim, dim, cfg['qkv_bias'])
            w.linear(p + '.attn.proj', dim, dim)
            if j % 2 == 1:
                w.sd[p + '.attn.temperature'] = fp16_exact(torch.exp(w.randn(heads, 1, 1, std=0.5)))
            else:
                pos_dim = dim // 2 // 4 // 4
                for k in range(2):
                    wh, ww = split[k], split[1 - k]
                    b = f'{p}.attn.attns.{k}'
                    w.sd[b + '.rpe_biases'] = relative_offsets(wh, ww)
                    w.sd[b + '.relative_position_index'] = relative_index(wh, ww)
                    w.linear(b + '.pos.pos_proj', pos_dim, 2)
                    for n in (1, 2, 3):
                        w.norm(f'{b}.pos.pos{n}.0', pos_dim)
                        w.linear(f'{b}.pos.pos{n}.2', heads // 2 if n == 3 else pos_dim, pos_dim)
                if is_shifted(i, j):
                    size = cfg['img_size']
                    w.sd[p + '.attn.attn_mask_0'] = shift_mask(size, size, split[0], split[1])
                    w.sd[p + '.attn.attn_mask_1'] = shift_mask(size, size, split[1], split[0])
            w.conv(p + '.attn.dwconv.0', dim, dim, 3, groups=dim)
            w.batch_norm(p + '.attn.dwconv.1', dim)
            w.conv(p + '.attn.channel_interaction.1', dim // 8, dim, 1)
            w.batch_norm(p + '.attn.channel_interaction.2', dim // 8)
            w.conv(p + '.attn.channel_interaction.4', dim, dim // 8, 1)
            w.conv(p + '.attn.spatial_interaction.0', dim // 16, dim, 1)
            w.batch_norm(p + '.attn.spatial_interaction.1', dim // 16)
            w.conv(p + '.attn.spatial_interaction.3', 1, dim // 16, 1)
            w.norm(p + '.norm2', dim)
            w.linear(p + '.ffn.fc1', hidden, dim)
            w.norm(p + '.ffn.sg.norm', hidden // 2)
            w.conv(p + '.ffn.sg.conv', hidden // 2, hidden // 2, 3, groups=hidden // 2)
            w.linear(p + '.ffn.fc2', dim, hidden // 2)
        residual_convs(w, f'layers.{i}.conv', dim, cfg['resi'])
    w.norm('norm', dim)
    residual_convs(w, 'conv_after_body', dim, cfg['resi'])

    scale = cfg['scale']
    if cfg['upsampler'] == 'pixelshuffle':
        w.conv('conv_before_upsample.0', NUM_FEAT, dim, 3)
        if scale == 3:
            w.conv('upsample.0', 9 * NUM_FEAT, NUM_FEAT, 3)
        for k in range(int(math.log2(scale)) if scale != 3 else 0):
            w.conv(f'upsample.{2 * k}', 4 * NUM_FEAT, NUM_FEAT, 3)
        w.conv('conv_last', 3, NUM_FEAT, 3)
    else:
        w.conv('upsample.0', scale * scale * 3, dim, 3)
    return w.sd


def residual_convs(w, name, dim, resi):
    if resi == '1conv':
        w.conv(name, dim, dim, 3)
    else:
        w.conv(name + '.0', dim // 4, dim, 3)
        w.conv(name + '.2', dim // 4, dim // 4, 1)
        w.conv(name + '.4', dim, dim // 4, 3)


def conv(sd, name, x, padding=1, groups=1):
    return F.conv2d(x, sd[name + '.weight'], sd.get(name + '.bias'), padding=padding, groups=groups)


def batch_norm(sd, name, x):
    return F.batch_norm(x, sd[name + '.running_mean'], sd[name + '.running_var'], sd[name + '.weight'],
                        sd[name + '.bias'], False, 0.0, 1e-5)


def layer_norm(sd, name, x):
    """Over the channels of an image (B, C, H, W)."""
    y = F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), sd[name + '.weight'], sd[name + '.bias'], 1e-5)
    return y.permute(0, 3, 1, 2)


def linear(sd, name, x):
    """Per pixel of an image (B, C, H, W)."""
    y = torch.einsum('oc,bchw->bohw', sd[name + '.weight'], x)
    if name + '.bias' in sd:
        y = y + sd[name + '.bias'].view(1, -1, 1, 1)
    return y


def residual_conv(sd, name, x, three):
    if not three:
        return conv(sd, name, x)
    x = F.leaky_relu(conv(sd, name + '.0', x), 0.2)
    x = F.leaky_relu(conv(sd, name + '.2', x, padding=0), 0.2)
    return conv(sd, name + '.4', x)


def position_bias(sd, b):
    t = F.linear(sd[b + '.rpe_biases'], sd[b + '.pos.pos_proj.weight'], sd[b + '.pos.pos_proj.bias'])
    for n in (1, 2, 3):
        t = F.layer_norm(t, (t.shape[-1],), sd[f'{b}.pos.pos{n}.0.weight'], sd[f'{b}.pos.pos{n}.0.bias'], 1e-5)
        t = F.linear(F.relu(t), sd[f'{b}.pos.pos{n}.2.weight'], sd[f'{b}.pos.pos{n}.2.bias'])
    return t                                        # (n_table, heads)


def window_attention(sd, b, qkv, heads, wh, ww, shift):
    """qkv (3, C, H, W) of one image → (C, H, W), in wh × ww windows."""
    _, c, h, w = qkv.shape
    d = c // heads
    if shift:
        qkv = torch.roll(qkv, shifts=(-(wh // 2), -(ww // 2)), dims=(2, 3))
    # (3, heads, d, H/wh, wh, W/ww, ww) → (3, windows, heads, N, d)
    t = qkv.reshape(3, heads, d, h // wh, wh, w // ww, ww).permute(0, 3, 5, 1, 4, 6, 2)
    t = t.reshape(3, -1, heads, wh * ww, d)
    q, k, v = t[0] * d ** -0.5, t[1], t[2]
    n = wh * ww
    scores = q @ k.transpose(-2, -1)
    table = position_bias(sd, b)
    scores = scores + table[relative_index(wh, ww).view(-1)].view(n, n, heads).permute(2, 0, 1)[None]
    if shift:
        scores = scores + shift_mask(h, w, wh, ww)[:, None]
    out = scores.softmax(-1) @ v                    # (windows, heads, N, d)
    out = out.view(h // wh, w // ww, heads, wh, ww, d).permute(2, 5, 0, 3, 1, 4).reshape(c, h, w)
    if shift:
        out = torch.roll(out, shifts=(wh // 2, ww // 2), dims=(1, 2))
    return out


def interaction(sd, p, x, channel):
    if channel:
        x = x.mean((2, 3), keepdim=True)
        x = F.gelu(batch_norm(sd, p + '.channel_interaction.2', conv(sd, p + '.channel_interaction.1', x, 0)))
        return torch.sigmoid(conv(sd, p + '.channel_interaction.4', x, 0))
    x = F.gelu(batch_norm(sd, p + '.spatial_interaction.1', conv(sd, p + '.spatial_interaction.0', x, 0)))
    return torch.sigmoid(conv(sd, p + '.spatial_interaction.3', x, 0))


def dat_attention(sd, p, x, heads, split, spatial, shift):
    b, c, h, w = x.shape
    qkv = linear(sd, p + '.qkv', x).view(b, 3, c, h, w)
    v = qkv[:, 2]
    if spatial:
        m = max(split)
        padded = F.pad(qkv.view(b, 3 * c, h, w), (0, (m - w % m) % m, 0, (m - h % m) % m))
        padded = padded.view(b, 3, c, padded.shape[2], padded.shape[3])
        halves = []
        for k in range(2):
            part = padded[0, :, k * c // 2:(k + 1) * c // 2]
            out = window_attention(sd, f'{p}.attns.{k}', part, heads // 2, split[k], split[1 - k], shift)
            halves.append(out[:, :h, :w])
        attended = torch.cat(halves, 0)[None]
    else:
        d = c // heads
        q, k, vv = (F.normalize(qkv[0, i].reshape(heads, d, h * w), dim=-1) if i < 2 else
                    qkv[0, i].reshape(heads, d, h * w) for i in range(3))
        scores = (q @ k.transpose(-2, -1)) * sd[p + '.temperature']
        attended = (scores.softmax(-1) @ vv).reshape(1, c, h, w)

    conv_x = F.gelu(batch_norm(sd, p + '.dwconv.1', conv(sd, p + '.dwconv.0', v, groups=c)))
    if spatial:
        y = attended * interaction(sd, p, conv_x, True) + conv_x * interaction(sd, p, attended, False)
    else:
        y = attended * interaction(sd, p, conv_x, False) + conv_x * interaction(sd, p, attended, True)
    return linear(sd, p + '.proj', y)


def feed_forward(sd, p, x):
    y = F.gelu(linear(sd, p + '.fc1', x))
    half = y.shape[1] // 2
    x1, x2 = y[:, :half], y[:, half:]
    x2 = conv(sd, p + '.sg.conv', layer_norm(sd, p + '.sg.norm', x2), groups=half)
    return linear(sd, p + '.fc2', x1 * x2)


def forward(sd, cfg, x):
    scale, three, split = cfg['scale'], cfg['resi'] == '3conv', cfg['split']
    mean = torch.tensor(RGB_MEAN).view(1, 3, 1, 1)
    x = x - mean

    first = conv(sd, 'conv_first', x)
    t = layer_norm(sd, 'before_RG.1', first)
    for i, (depth, heads) in enumerate(zip(cfg['depth'], cfg['heads'])):
        group_input = t
        for j in range(depth):
            p = f'layers.{i}.blocks.{j}'
            t = t + dat_attention(sd, p + '.attn', layer_norm(sd, p + '.norm1', t), heads, split, j % 2 == 0,
                                  j % 2 == 0 and is_shifted(i, j))
            t = t + feed_forward(sd, p + '.ffn', layer_norm(sd, p + '.norm2', t))
        t = residual_conv(sd, f'layers.{i}.conv', t, three) + group_input
    t = layer_norm(sd, 'norm', t)
    y = residual_conv(sd, 'conv_after_body', t, three) + first

    if cfg['upsampler'] == 'pixelshuffle':
        y = F.leaky_relu(conv(sd, 'conv_before_upsample.0', y), 0.01)
        k = 0
        while f'upsample.{k}.weight' in sd:
            up = conv(sd, f'upsample.{k}', y)
            y = F.pixel_shuffle(up, round(math.sqrt(up.shape[1] // y.shape[1])))
            k += 2
        y = conv(sd, 'conv_last', y)
    else:
        y = F.pixel_shuffle(conv(sd, 'upsample.0', y), scale)
    return y + mean


def check(refs):
    """This forward pass against spandrel's outputs for dat_light_x4."""
    cfg = dict(dim=64, depth=[4], heads=[4], split=[4, 8], upsampler='pixelshuffledirect', scale=4,
               resi='1conv')
    sd = {k: v.float() if v.is_floating_point() else v
          for k, v in torch.load(os.path.join(refs, 'models/synthetic/dat_light_x4.pth')).items()}
    for image in ['photo_32', 'anime_48x40', 'rose_37x29']:
        x = torch.from_numpy(np.load(os.path.join(refs, 'inputs', image + '.npy')))
        reference = np.load(os.path.join(refs, 'outputs', f'synth__dat_light_x4__{image}.npy'))
        with torch.no_grad():
            y = forward(sd, cfg, x).numpy()
        print(f'{image}: max relative error {np.abs(y - reference).max() / np.abs(reference).max():.3g}')


def main():
    if len(sys.argv) > 2 and sys.argv[1] == '--check':
        check(sys.argv[2])
        return

    here = os.path.dirname(os.path.abspath(__file__))
    folder = os.path.join(here, 'dat')
    os.makedirs(folder, exist_ok=True)
    torch.set_num_threads(1)

    for index, cfg in enumerate(MODELS):
        sd = make_model(cfg, 20260701 + index)
        width, height = cfg['size']
        generator = torch.Generator().manual_seed(17 + index)
        x = torch.rand(1, 3, height, width, generator=generator)
        with torch.no_grad():
            y = forward(sd, cfg, x)
        assert y.shape == (1, 3, height * cfg['scale'], width * cfg['scale'])

        stored = {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
        torch.save(stored, os.path.join(folder, cfg['name'] + '.pth'))
        np.save(os.path.join(folder, cfg['name'] + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(folder, cfg['name'] + '.output.npy'), y.numpy().astype(np.float32))
        print(f"{cfg['name']}: {sum(v.numel() for v in sd.values() if v.is_floating_point())} parameters, "
              f"output {tuple(y.shape)}, range {y.min().item():.3f} … {y.max().item():.3f}")


if __name__ == '__main__':
    main()
