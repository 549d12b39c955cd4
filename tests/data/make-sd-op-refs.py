#!/usr/bin/python3
# make-sd-op-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference outputs for the graph ops a Stable Diffusion UNet, VAE and
# CLIP text encoder need, computed by PyTorch the way the reference
# implementations compute them:
#
#   - torch.nn.GroupNorm (then torch.nn.SiLU, as the UNet's and the VAE's
#     ResBlocks run SiLU(GroupNorm(x)));
#   - multi-head scaled dot-product attention as diffusers v0.19.3
#     computes it (src/diffusers/models/attention_processor.py, commit
#     de9c72d58c3eb4bcd50901d0c23c7c46f0cec29b: head_to_batch_dim,
#     get_attention_scores' baddbmm and softmax, bmm, batch_to_head_dim),
#     with openai/CLIP's causal mask (clip/model.py build_attention_mask,
#     commit d05afc436d78f1c48dc0dbf8e5980a9d471f35f6: −inf above the
#     diagonal, added to the scores). PyTorch 1.13 has no
#     F.scaled_dot_product_attention; diffusers' baddbmm with beta=0 over
#     torch.empty can let NaN through on Debian's torch, so the scores
#     start from zeros with beta=1;
#   - diffusers v0.19.3's GEGLU after its projection
#     (src/diffusers/models/attention.py: hidden_states, gate =
#     proj(x).chunk(2, dim=-1); hidden_states * F.gelu(gate));
#   - CLIP's QuickGELU (clip/model.py: x * torch.sigmoid(1.702 * x));
#   - a per-channel addition by broadcasting, as a ResBlock adds its time
#     embedding (h + emb[:, :, None, None]).
#
# Tokens are channels-first here as in Tessera's graph: a sequence of T
# tokens of width D is stored D × 1 × T, and an image's tokens are its
# H × W pixels; the script moves them to PyTorch's (batch, tokens,
# width) and back.
#
# Run with Debian 12's python3-torch 1.13.1+dfsg-4 (its torch.__version__
# says 1.13.0a0) and python3-numpy 1.24.2:
#   /usr/bin/python3 make-sd-op-refs.py
# It writes sd-ops/cases.json, which names each case's op, parameters and
# tensors, and sd-ops/CASE.TENSOR.npy (float32, C × H × W).

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sd-ops')


def save(case, name, tensor):
    """Stores @tensor (C × H × W) as CASE.NAME.npy and names it in @case."""
    array = tensor.detach().to(torch.float32).contiguous().numpy()
    assert array.ndim == 3
    path = '%s.%s.npy' % (case['name'], name)
    np.save(os.path.join(OUT, path), array)
    case['tensors'][name] = path


def randn(generator, *shape, scale=1.0, offset=0.0):
    return torch.randn(*shape, generator=generator) * scale + offset


def group_norm_case(generator, name, channels, height, width, groups, eps, silu):
    x = randn(generator, 1, channels, height, width, scale=2.0, offset=1.0)
    norm = torch.nn.GroupNorm(groups, channels, eps=eps)
    with torch.no_grad():
        norm.weight.copy_(randn(generator, channels, scale=0.5, offset=1.0))
        norm.bias.copy_(randn(generator, channels, scale=0.5))
        y = norm(x)
        if silu:
            y = torch.nn.SiLU()(y)
    case = dict(name=name, op='group_norm', groups=groups, eps=eps,
                activation='silu' if silu else 'none', tensors={})
    save(case, 'input', x[0])
    save(case, 'weight', norm.weight.detach().reshape(channels, 1, 1))
    save(case, 'bias', norm.bias.detach().reshape(channels, 1, 1))
    save(case, 'output', y[0])
    return case


def head_to_batch_dim(tensor, heads):
    batch, tokens, width = tensor.shape
    tensor = tensor.reshape(batch, tokens, heads, width // heads).permute(0, 2, 1, 3)
    return tensor.reshape(batch * heads, tokens, width // heads)


def batch_to_head_dim(tensor, heads):
    batch, tokens, width = tensor.shape
    tensor = tensor.reshape(batch // heads, heads, tokens, width).permute(0, 2, 1, 3)
    return tensor.reshape(batch // heads, tokens, width * heads)


def attention(q, k, v, heads, scale, causal):
    """q (1, Tq, D), k and v (1, Tk, D): diffusers' AttnProcessor core."""
    query = head_to_batch_dim(q, heads)
    key = head_to_batch_dim(k, heads)
    value = head_to_batch_dim(v, heads)
    scores = torch.zeros(query.shape[0], query.shape[1], key.shape[1])
    if causal:
        mask = torch.empty(query.shape[1], key.shape[1])
        mask.fill_(float('-inf'))
        mask.triu_(1)
        scores = scores + mask
    scores = torch.baddbmm(scores, query, key.transpose(-1, -2), beta=1, alpha=scale)
    probs = scores.softmax(dim=-1)
    return batch_to_head_dim(torch.bmm(probs, value), heads)


def tokens_of(planar):
    """C × H × W to (1, H·W, C)."""
    channels = planar.shape[0]
    return planar.reshape(channels, -1).t().unsqueeze(0)


def planar_of(tokens, height, width):
    return tokens[0].t().reshape(-1, height, width)


def attention_case(generator, name, heads, head_dim, q_size, kv_size, causal, scale=None):
    width = heads * head_dim
    q = randn(generator, width, *q_size)
    k = randn(generator, width, *kv_size)
    v = randn(generator, width, *kv_size)
    used_scale = scale if scale is not None else head_dim ** -0.5
    out = attention(tokens_of(q), tokens_of(k), tokens_of(v), heads, used_scale, causal)
    case = dict(name=name, op='attention', heads=heads, causal=causal, scale=scale if scale is not None else 0.0,
                tensors={})
    save(case, 'q', q)
    save(case, 'k', k)
    save(case, 'v', v)
    save(case, 'output', planar_of(out, *q_size))
    return case


def geglu_case(generator, name, channels, height, width):
    x = randn(generator, 2 * channels, height, width, scale=1.5)
    hidden_states, gate = tokens_of(x).chunk(2, dim=-1)
    out = hidden_states * F.gelu(gate)
    case = dict(name=name, op='geglu', tensors={})
    save(case, 'input', x)
    save(case, 'output', planar_of(out, height, width))
    return case


def quick_gelu_case(generator, name, channels, height, width):
    x = randn(generator, channels, height, width, scale=4.0)
    case = dict(name=name, op='quick_gelu', tensors={})
    save(case, 'input', x)
    save(case, 'output', x * torch.sigmoid(1.702 * x))
    return case


def add_channels_case(generator, name, channels, height, width):
    h = randn(generator, 1, channels, height, width)
    emb = randn(generator, 1, channels)
    case = dict(name=name, op='add_channels', tensors={})
    save(case, 'input', h[0])
    save(case, 'channels', emb.reshape(channels, 1, 1))
    save(case, 'output', (h + emb[:, :, None, None])[0])
    return case


def main():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(20260)
    os.makedirs(OUT, exist_ok=True)

    cases = [
        group_norm_case(generator, 'group-norm-2', 6, 5, 7, 2, 1e-5, False),
        group_norm_case(generator, 'group-norm-1-silu', 8, 3, 9, 1, 1e-5, True),
        group_norm_case(generator, 'group-norm-32-silu', 64, 4, 6, 32, 1e-6, True),
        attention_case(generator, 'attention-self-1', 1, 16, (5, 7), (5, 7), False),
        attention_case(generator, 'attention-cross-2', 2, 8, (3, 5), (1, 77), False),
        attention_case(generator, 'attention-causal-8', 8, 8, (1, 77), (1, 77), True),
        # SD 1.x's first level: 8 heads of 40 over the 77 context tokens.
        attention_case(generator, 'attention-cross-8x40', 8, 40, (4, 4), (1, 77), False),
        attention_case(generator, 'attention-scale', 2, 3, (2, 3), (4, 5), False, scale=0.5),
        geglu_case(generator, 'geglu-6', 6, 5, 7),
        geglu_case(generator, 'geglu-20', 20, 1, 77),
        quick_gelu_case(generator, 'quick-gelu', 7, 5, 9),
        add_channels_case(generator, 'add-channels', 5, 6, 7),
    ]

    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(dict(torch=torch.__version__, numpy=np.__version__, cases=cases), f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
