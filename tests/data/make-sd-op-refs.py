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
#     embedding (h + emb[:, :, None, None]);
#
# and four whole blocks made of them, with random weights, to show that
# the graph expresses them: diffusers v0.19.3's ResnetBlock2D
# (src/diffusers/models/resnet.py: GroupNorm, SiLU, 3×3 conv, plus the
# time embedding through SiLU and a linear layer, GroupNorm, SiLU, 3×3
# conv, plus the 1×1 shortcut), its Transformer2DModel with one
# BasicTransformerBlock (transformer_2d.py, attention.py: GroupNorm eps
# 1e-6, proj_in 1×1, LayerNorm, self-attention with to_q/to_k/to_v and
# to_out, LayerNorm, cross-attention to a 77-token context, LayerNorm,
# GEGLU feed-forward, proj_out 1×1, plus the input), the VAE's attention
# block (unet_2d_blocks.py UNetMidBlock2D's Attention, one head for SD's
# VAE: GroupNorm eps 1e-6, q, k, v projections with bias, proj_out, plus
# the input; written with LDM's AttnBlock names, q, k, v and proj_out),
# and openai/CLIP's ResidualAttentionBlock (clip/model.py:
# ln_1, nn.MultiheadAttention with the causal mask, ln_2, c_fc,
# QuickGELU, c_proj) on 77 tokens. Each block's parameters are stored
# one after the other in CASE.params.npy (1 × 1 × N), in the order
# cases.json lists them with their sizes; PyTorch's layouts are the
# graph's ([out][in][kh][kw] for convolutions, [out][in] for linear
# layers, whose 1×1 convolutions they become).
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


class Params:
    """A block's parameters, in the order they are made."""

    def __init__(self, generator):
        self.generator = generator
        self.names = []
        self.tensors = []

    def take(self, name, module):
        """Fills @module's weight (and bias) with random values and records them."""
        with torch.no_grad():
            for part in ('weight', 'bias'):
                tensor = getattr(module, part, None)
                if tensor is None:
                    continue
                if isinstance(module, (torch.nn.GroupNorm, torch.nn.LayerNorm)) and part == 'weight':
                    tensor.copy_(randn(self.generator, *tensor.shape, scale=0.2, offset=1.0))
                else:
                    fan_in = tensor[0].numel() if part == 'weight' else 1
                    tensor.copy_(randn(self.generator, *tensor.shape, scale=fan_in ** -0.5 if part == 'weight' else 0.1))
                self.names.append(['%s.%s' % (name, part), tensor.numel()])
                self.tensors.append(tensor.detach().reshape(-1).clone())
        return module

    def take_tensor(self, name, tensor):
        self.names.append([name, tensor.numel()])
        self.tensors.append(tensor.detach().reshape(-1).clone())

    def save(self, case):
        save(case, 'params', torch.cat(self.tensors).reshape(1, 1, -1))
        case['params'] = self.names


def block_case(name, **fields):
    return dict(name=name, op='block', block=name, tensors={}, **fields)


def resnet_block_case(generator, channels, out_channels, temb_channels, groups, size):
    p = Params(generator)
    norm1 = p.take('norm1', torch.nn.GroupNorm(groups, channels, eps=1e-5))
    conv1 = p.take('conv1', torch.nn.Conv2d(channels, out_channels, 3, padding=1))
    time_emb_proj = p.take('time_emb_proj', torch.nn.Linear(temb_channels, out_channels))
    norm2 = p.take('norm2', torch.nn.GroupNorm(groups, out_channels, eps=1e-5))
    conv2 = p.take('conv2', torch.nn.Conv2d(out_channels, out_channels, 3, padding=1))
    conv_shortcut = p.take('conv_shortcut', torch.nn.Conv2d(channels, out_channels, 1))
    x = randn(generator, 1, channels, *size)
    temb = randn(generator, 1, temb_channels)
    with torch.no_grad():
        h = conv1(F.silu(norm1(x)))
        h = h + time_emb_proj(F.silu(temb))[:, :, None, None]
        h = conv2(F.silu(norm2(h)))
        out = conv_shortcut(x) + h
    case = block_case('resnet-block', groups=groups, channels=channels, out_channels=out_channels)
    save(case, 'input', x[0])
    save(case, 'temb', temb.reshape(temb_channels, 1, 1))
    save(case, 'output', out[0])
    p.save(case)
    return case


class Attention(torch.nn.Module):
    """diffusers' Attention with AttnProcessor: to_q, to_k, to_v, to_out."""

    def __init__(self, p, name, query_dim, context_dim, heads, dim_head):
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.to_q = p.take(name + '.to_q', torch.nn.Linear(query_dim, inner, bias=False))
        self.to_k = p.take(name + '.to_k', torch.nn.Linear(context_dim, inner, bias=False))
        self.to_v = p.take(name + '.to_v', torch.nn.Linear(context_dim, inner, bias=False))
        self.to_out = p.take(name + '.to_out.0', torch.nn.Linear(inner, query_dim))

    def forward(self, x, context=None):
        context = x if context is None else context
        h = attention(self.to_q(x), self.to_k(context), self.to_v(context), self.heads, self.scale, False)
        return self.to_out(h)


def transformer_case(generator, channels, heads, context_dim, size):
    p = Params(generator)
    dim_head = channels // heads
    norm = p.take('norm', torch.nn.GroupNorm(32, channels, eps=1e-6))
    proj_in = p.take('proj_in', torch.nn.Conv2d(channels, channels, 1))
    norm1 = p.take('norm1', torch.nn.LayerNorm(channels))
    attn1 = Attention(p, 'attn1', channels, channels, heads, dim_head)
    norm2 = p.take('norm2', torch.nn.LayerNorm(channels))
    attn2 = Attention(p, 'attn2', channels, context_dim, heads, dim_head)
    norm3 = p.take('norm3', torch.nn.LayerNorm(channels))
    ff_proj = p.take('ff.net.0.proj', torch.nn.Linear(channels, 8 * channels))
    ff_out = p.take('ff.net.2', torch.nn.Linear(4 * channels, channels))
    proj_out = p.take('proj_out', torch.nn.Conv2d(channels, channels, 1))
    x = randn(generator, 1, channels, *size)
    context = randn(generator, 1, 77, context_dim)
    with torch.no_grad():
        h = proj_in(norm(x))
        h = h[0].reshape(channels, -1).t().unsqueeze(0)
        h = attn1(norm1(h)) + h
        h = attn2(norm2(h), context) + h
        hidden_states, gate = ff_proj(norm3(h)).chunk(2, dim=-1)
        h = ff_out(hidden_states * F.gelu(gate)) + h
        h = h[0].t().reshape(1, channels, *size)
        out = proj_out(h) + x
    case = block_case('transformer', heads=heads, channels=channels, context_dim=context_dim)
    save(case, 'input', x[0])
    save(case, 'context', context[0].t().reshape(context_dim, 1, 77))
    save(case, 'output', out[0])
    p.save(case)
    return case


def vae_attention_case(generator, channels, size):
    p = Params(generator)
    norm = p.take('norm', torch.nn.GroupNorm(32, channels, eps=1e-6))
    q = p.take('q', torch.nn.Conv2d(channels, channels, 1))
    k = p.take('k', torch.nn.Conv2d(channels, channels, 1))
    v = p.take('v', torch.nn.Conv2d(channels, channels, 1))
    proj_out = p.take('proj_out', torch.nn.Conv2d(channels, channels, 1))
    x = randn(generator, 1, channels, *size)
    with torch.no_grad():
        h = norm(x)
        h = attention(tokens_of(q(h)[0]), tokens_of(k(h)[0]), tokens_of(v(h)[0]), 1, channels ** -0.5, False)
        out = proj_out(planar_of(h, *size).unsqueeze(0)) + x
    case = block_case('vae-attention', channels=channels)
    save(case, 'input', x[0])
    save(case, 'output', out[0])
    p.save(case)
    return case


def clip_layer_case(generator, width, heads):
    p = Params(generator)
    ln_1 = p.take('ln_1', torch.nn.LayerNorm(width))
    attn = torch.nn.MultiheadAttention(width, heads)
    with torch.no_grad():
        attn.in_proj_weight.copy_(randn(generator, 3 * width, width, scale=width ** -0.5))
        attn.in_proj_bias.copy_(randn(generator, 3 * width, scale=0.1))
    p.take_tensor('attn.in_proj_weight', attn.in_proj_weight)
    p.take_tensor('attn.in_proj_bias', attn.in_proj_bias)
    p.take('attn.out_proj', attn.out_proj)
    ln_2 = p.take('ln_2', torch.nn.LayerNorm(width))
    c_fc = p.take('mlp.c_fc', torch.nn.Linear(width, 4 * width))
    c_proj = p.take('mlp.c_proj', torch.nn.Linear(4 * width, width))
    mask = torch.empty(77, 77)
    mask.fill_(float('-inf'))
    mask.triu_(1)
    x = randn(generator, 77, 1, width)
    with torch.no_grad():
        y = ln_1(x)
        h = x + attn(y, y, y, need_weights=False, attn_mask=mask)[0]
        y = c_fc(ln_2(h))
        out = h + c_proj(y * torch.sigmoid(1.702 * y))
    case = block_case('clip-layer', heads=heads, width=width)
    save(case, 'input', x[:, 0, :].t().reshape(width, 1, 77))
    save(case, 'output', out[:, 0, :].t().reshape(width, 1, 77))
    p.save(case)
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
        resnet_block_case(generator, 16, 24, 40, 8, (6, 7)),
        transformer_case(generator, 32, 4, 24, (5, 6)),
        vae_attention_case(generator, 32, (7, 9)),
        clip_layer_case(generator, 48, 4),
    ]

    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(dict(torch=torch.__version__, numpy=np.__version__, cases=cases), f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
