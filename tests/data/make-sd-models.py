#!/usr/bin/python3
# make-sd-models.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Small Stable Diffusion checkpoints with random weights, in the shapes of
# SD 1.x and SD 2.x, for test-checkpoints.c and, later, for the UNet, VAE
# and text encoder references. Each model is written the ways people get
# them: a diffusers folder (model_index.json, unet/, vae/, text_encoder/,
# tokenizer/, scheduler/, weights as .bin zip pickles, as save_pretrained
# writes them without the safetensors package) and an A1111/ComfyUI single
# file (.safetensors or a PyTorch Lightning .ckpt), plus an A1111 "SD VAE"
# file. sd/models.json records, per model, the diffusers configs, the
# hyper-parameters a reader must find (under Tessera's names, worked out
# here from the configs), and per file its SHA-256, its dtype and each
# part's parameter count as PyTorch counts it.
#
# The models (widths 32-64, so everything fits in a few MB; the CLIP
# vocabulary stays 49408 because the tokenizer needs it):
#
#   sd1     UNet2DConditionModel like SD 1.x: conv projections in the
#           transformers, `attention_head_dim` 8 read as 8 heads (as
#           v1-inference.yaml's num_heads: 8), attention at level 0 but not
#           at the last level, two res blocks; CLIP text model with
#           quick_gelu, padded with EOS (49407).
#           Written as sd1/ (fp16) and sd1.safetensors (bf16, HF CLIP names
#           under cond_stage_model.transformer.text_model.).
#   sd2     UNet like SD 2.x: linear projections, `attention_head_dim` a
#           per-level list of head counts that make 64-wide heads (as
#           v2-inference.yaml's num_head_channels: 64), one res block,
#           channel multipliers (1, 2); CLIP text model with gelu, padded
#           with "!" (id 0). The text encoder has the same weights as sd1's
#           (its file is shared); its single-file form is OpenCLIP's, with
#           the extra last layer SD 2.x skips (penultimate layer) and
#           text_projection and logit_scale.
#           Written as sd2.ckpt (fp16, no VAE, a Lightning training state
#           around the state dict) and sd2-v/ (the same weights, a
#           v_prediction scheduler and sample_size 96, as SD 2.x 768-v).
#   micro   8-channel UNet and VAE (GroupNorm of 8 groups, so not a
#           faithful SD, but read the same way), no text encoder: the fuzz
#           seeds, the EMA copies (model_ema.*, LitEma's names), and the VAE
#           of the wrong shape for the others.
#
# plus sd1.vae.pt (the sd1 VAE in fp32, A1111's .vae.pt: a dict with
# state_dict inside, no first_stage_model. prefix) and
# evil-os-system.ckpt (a training state that calls os.system); and for the
# state-dict fuzzer's seeds, in ../fuzz/corpus/fuzz-checkpoint, "nano"
# single files of a few KB: a one-level 8-channel UNet and VAE and a
# text encoder of 16 tokens, 8 wide, as SD 1.x (.safetensors, and a .ckpt
# with a training state) and with OpenCLIP's names (.ckpt;
# its UNet is too narrow for SD 2.x's 64-wide heads, so it is refused
# after its text encoder is read).
#
# The single-file key names follow diffusers v0.19.3's
# scripts/convert_diffusers_to_original_stable_diffusion.py for the UNet,
# the VAE and SD 1.x's text encoder, generalised to any number of levels
# and res blocks, and the reverse of convert_open_clip_checkpoint()
# (src/diffusers/pipelines/stable_diffusion/convert_from_ckpt.py) for SD
# 2.x's OpenCLIP text encoder. The CLIP text model is written here
# (transformers is not packaged): Hugging Face's key names and forward pass.
#
# Run from this directory, with Debian 12's python3-torch (1.13.1+dfsg-4,
# which calls itself 1.13.0a0),
# python3-numpy (1.24.2), python3-filelock, python3-packaging,
# python3-importlib-metadata, python3-tqdm, and diffusers and
# huggingface_hub from their git tags:
#   git -C huggingface+diffusers archive v0.19.3 src | tar -x -C /tmp/diffusers
#     (commit de9c72d58c3eb4bcd50901d0c23c7c46f0cec29b)
#   git -C huggingface+huggingface_hub archive v0.16.4 src | tar -x -C /tmp/hub
#     (commit 11cf5cc775405b93d17ef367e9199777af2c306b)
#   PYTHONPATH=/tmp/diffusers/src:/tmp/hub/src /usr/bin/python3 make-sd-models.py
# The files come out the same each run (seeded; torch.save dates its zip
# members 1980). With --check, it then reads the single files back through
# diffusers' own converter the other way (convert_from_ckpt.py:
# convert_ldm_unet_checkpoint, convert_ldm_vae_checkpoint and
# convert_open_clip_checkpoint's key mapping) and checks that every tensor
# comes back to the diffusers model's, under its name.

import collections
import copy
import hashlib
import json
import os
import re
import shutil
import struct
import sys
import types

import numpy as np
import torch
from torch import nn

import diffusers
from diffusers import AutoencoderKL, DDIMScheduler, PNDMScheduler, UNet2DConditionModel

OUT = 'sd'


# ---------------------------------------------------------------------------
# CLIP's text model with Hugging Face's names

class CLIPAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x, mask):
        b, n, w = x.shape
        h = self.heads

        def split(t):
            return t.reshape(b, n, h, w // h).transpose(1, 2)

        q, k, v = split(self.q_proj(x)), split(self.k_proj(x)), split(self.v_proj(x))
        scores = q @ k.transpose(-1, -2) / (w // h) ** 0.5 + mask
        out = scores.softmax(-1) @ v
        return self.out_proj(out.transpose(1, 2).reshape(b, n, w))


class CLIPMLP(nn.Module):
    def __init__(self, width, inner, act):
        super().__init__()
        self.fc1 = nn.Linear(width, inner)
        self.fc2 = nn.Linear(inner, width)
        self.act = act

    def forward(self, x):
        x = self.fc1(x)
        x = x * torch.sigmoid(1.702 * x) if self.act == 'quick_gelu' else nn.functional.gelu(x)
        return self.fc2(x)


class CLIPEncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        w, eps = cfg['hidden_size'], cfg['layer_norm_eps']
        self.self_attn = CLIPAttention(w, cfg['num_attention_heads'])
        self.layer_norm1 = nn.LayerNorm(w, eps=eps)
        self.mlp = CLIPMLP(w, cfg['intermediate_size'], cfg['hidden_act'])
        self.layer_norm2 = nn.LayerNorm(w, eps=eps)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class CLIPTextModel(nn.Module):
    """transformers' CLIPTextModel (4.30): the same parameter names, the
    position_ids buffer it saved, and the forward pass (causal mask,
    pre-norm layers, final layer norm)."""

    def __init__(self, cfg):
        super().__init__()
        w = cfg['hidden_size']
        self.text_model = nn.Module()
        self.text_model.embeddings = nn.Module()
        self.text_model.embeddings.token_embedding = nn.Embedding(cfg['vocab_size'], w)
        self.text_model.embeddings.position_embedding = nn.Embedding(cfg['max_position_embeddings'], w)
        self.text_model.embeddings.register_buffer(
            'position_ids', torch.arange(cfg['max_position_embeddings']).expand((1, -1)))
        self.text_model.encoder = nn.Module()
        self.text_model.encoder.layers = nn.ModuleList(
            [CLIPEncoderLayer(cfg) for _ in range(cfg['num_hidden_layers'])])
        self.text_model.final_layer_norm = nn.LayerNorm(w, eps=cfg['layer_norm_eps'])

    def forward(self, input_ids):
        """Returns the last hidden state (after the final layer norm) and
        every layer's output before it."""
        tm = self.text_model
        n = input_ids.shape[1]
        x = tm.embeddings.token_embedding(input_ids) + tm.embeddings.position_embedding(tm.embeddings.position_ids[:, :n])
        mask = torch.full((n, n), float('-inf')).triu(1)
        hidden = [x]
        for layer in tm.encoder.layers:
            x = layer(x, mask)
            hidden.append(x)
        return tm.final_layer_norm(x), hidden


def clip_config(act, layers):
    """CLIPTextConfig's config.json for the tiny text encoder."""
    return {
        '_name_or_path': 'tessera/tiny-clip-text',
        'architectures': ['CLIPTextModel'],
        'attention_dropout': 0.0,
        'bos_token_id': 0,
        'dropout': 0.0,
        'eos_token_id': 2,
        'hidden_act': act,
        'hidden_size': 32,
        'initializer_factor': 1.0,
        'initializer_range': 0.02,
        'intermediate_size': 128,
        'layer_norm_eps': 1e-05,
        'max_position_embeddings': 77,
        'model_type': 'clip_text_model',
        'num_attention_heads': 1,
        'num_hidden_layers': layers,
        'pad_token_id': 1,
        'projection_dim': 32,
        'torch_dtype': 'float32',
        'transformers_version': '4.30.2',
        'vocab_size': 49408,
    }


# ---------------------------------------------------------------------------
# The models

SD1_UNET = dict(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(32, 32), layers_per_block=2,
                down_block_types=('CrossAttnDownBlock2D', 'DownBlock2D'),
                up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D'),
                cross_attention_dim=32, attention_head_dim=8)
SD2_UNET = dict(sample_size=64, in_channels=4, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
                down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D'),
                up_block_types=('CrossAttnUpBlock2D', 'UpBlock2D'),
                cross_attention_dim=32, attention_head_dim=(1, 1), use_linear_projection=True,
                upcast_attention=True)
TINY_VAE = dict(sample_size=64, in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(32, 32),
                layers_per_block=1, down_block_types=('DownEncoderBlock2D',) * 2,
                up_block_types=('UpDecoderBlock2D',) * 2)
MICRO_UNET = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16), layers_per_block=1,
                  norm_num_groups=8, down_block_types=('CrossAttnDownBlock2D', 'DownBlock2D'),
                  up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D'), cross_attention_dim=8, attention_head_dim=8)
NANO_UNET = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8,), layers_per_block=1,
                 norm_num_groups=8, down_block_types=('CrossAttnDownBlock2D',), up_block_types=('CrossAttnUpBlock2D',),
                 cross_attention_dim=8, attention_head_dim=8)
NANO_VAE = dict(sample_size=8, in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,),
                layers_per_block=1, norm_num_groups=8, down_block_types=('DownEncoderBlock2D',),
                up_block_types=('UpDecoderBlock2D',))
MICRO_VAE = dict(sample_size=8, in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16),
                 layers_per_block=1, norm_num_groups=8, down_block_types=('DownEncoderBlock2D',) * 2,
                 up_block_types=('UpDecoderBlock2D',) * 2)

SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule='scaled_linear', num_train_timesteps=1000,
                 set_alpha_to_one=False, steps_offset=1)


def randomise(model, seed):
    """Random weights: PyTorch's initialisation, and noise on the vectors
    (biases, norm scales) that it starts at 0 or 1, so that a swapped
    weight and bias would show in the later references."""
    torch.manual_seed(seed)
    for module in model.modules():
        if hasattr(module, 'reset_parameters'):
            module.reset_parameters()
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
    return model


def make_unet(config, seed):
    torch.manual_seed(seed)
    return randomise(UNet2DConditionModel(**config), seed)


def make_vae(config, seed):
    torch.manual_seed(seed)
    return randomise(AutoencoderKL(**config), seed)


def make_clip(config, seed):
    torch.manual_seed(seed)
    return randomise(CLIPTextModel(config), seed)


def n_params(state):
    """What PyTorch counts as parameters: the floating tensors (not the
    position_ids buffer)."""
    return sum(t.numel() for t in state.values() if t.is_floating_point())


# ---------------------------------------------------------------------------
# diffusers names → A1111 (LDM) names

def unet_to_ldm(state, config):
    """convert_diffusers_to_original_stable_diffusion.py's UNet mapping, for
    any number of levels and res blocks rather than SD's 4 and 2."""
    n_levels = len(config['block_out_channels'])
    layers = config['layers_per_block']
    attention = ['CrossAttn' in t for t in config['down_block_types']]
    prefixes = [('time_embedding.linear_1.', 'time_embed.0.'), ('time_embedding.linear_2.', 'time_embed.2.'),
                ('conv_in.', 'input_blocks.0.0.'), ('conv_norm_out.', 'out.0.'), ('conv_out.', 'out.2.'),
                ('mid_block.attentions.0.', 'middle_block.1.'), ('mid_block.resnets.0.', 'middle_block.0.'),
                ('mid_block.resnets.1.', 'middle_block.2.')]
    for i in range(n_levels):
        for j in range(layers):
            prefixes.append((f'down_blocks.{i}.resnets.{j}.', f'input_blocks.{(layers + 1) * i + j + 1}.0.'))
            prefixes.append((f'down_blocks.{i}.attentions.{j}.', f'input_blocks.{(layers + 1) * i + j + 1}.1.'))
        if i < n_levels - 1:
            prefixes.append((f'down_blocks.{i}.downsamplers.0.conv.', f'input_blocks.{(layers + 1) * (i + 1)}.0.op.'))
        # up block i is level n_levels - 1 - i
        up_attention = attention[n_levels - 1 - i]
        for j in range(layers + 1):
            prefixes.append((f'up_blocks.{i}.resnets.{j}.', f'output_blocks.{(layers + 1) * i + j}.0.'))
            prefixes.append((f'up_blocks.{i}.attentions.{j}.', f'output_blocks.{(layers + 1) * i + j}.1.'))
        if i < n_levels - 1:
            prefixes.append((f'up_blocks.{i}.upsamplers.0.',
                             f'output_blocks.{(layers + 1) * i + layers}.{2 if up_attention else 1}.'))
    resnet_parts = [('norm1', 'in_layers.0'), ('conv1', 'in_layers.2'), ('norm2', 'out_layers.0'),
                    ('conv2', 'out_layers.3'), ('time_emb_proj', 'emb_layers.1'), ('conv_shortcut', 'skip_connection')]
    out = collections.OrderedDict()
    for key, value in state.items():
        new = key
        for hf, sd in prefixes:
            if key.startswith(hf):
                rest = key[len(hf):]
                if '.resnets.' in hf:
                    for hf_part, sd_part in resnet_parts:
                        if rest.startswith(hf_part + '.'):
                            rest = sd_part + rest[len(hf_part):]
                new = sd + rest
                break
        else:
            raise KeyError(key)
        out[new] = value
    return out


def vae_to_ldm(state, config):
    """The same script's VAE mapping: levels numbered upwards in both
    halves (diffusers numbers the decoder's from the bottom), the mid
    attention's linear layers as 1×1 convolutions."""
    n_levels = len(config['block_out_channels'])
    prefixes = [('encoder.mid_block.attentions.0.', 'encoder.mid.attn_1.'),
                ('decoder.mid_block.attentions.0.', 'decoder.mid.attn_1.')]
    for half in ('encoder', 'decoder'):
        for k in range(2):
            prefixes.append((f'{half}.mid_block.resnets.{k}.', f'{half}.mid.block_{k + 1}.'))
        prefixes.append((f'{half}.conv_norm_out.', f'{half}.norm_out.'))
    for i in range(n_levels):
        for j in range(config['layers_per_block']):
            prefixes.append((f'encoder.down_blocks.{i}.resnets.{j}.', f'encoder.down.{i}.block.{j}.'))
        for j in range(config['layers_per_block'] + 1):
            prefixes.append((f'decoder.up_blocks.{i}.resnets.{j}.', f'decoder.up.{n_levels - 1 - i}.block.{j}.'))
        prefixes.append((f'encoder.down_blocks.{i}.downsamplers.0.', f'encoder.down.{i}.downsample.'))
        prefixes.append((f'decoder.up_blocks.{i}.upsamplers.0.', f'decoder.up.{n_levels - 1 - i}.upsample.'))
    attention_parts = [('group_norm.', 'norm.'), ('to_q.', 'q.'), ('to_k.', 'k.'), ('to_v.', 'v.'),
                       ('to_out.0.', 'proj_out.')]
    out = collections.OrderedDict()
    for key, value in state.items():
        new = key
        for hf, sd in prefixes:
            if key.startswith(hf):
                rest = key[len(hf):]
                if 'attentions' in hf:
                    for hf_part, sd_part in attention_parts:
                        if rest.startswith(hf_part):
                            rest = sd_part + rest[len(hf_part):]
                    if rest.endswith('.weight') and not rest.startswith('norm.'):
                        value = value.reshape(*value.shape, 1, 1)
                if rest.startswith('conv_shortcut.'):
                    rest = 'nin_shortcut.' + rest[len('conv_shortcut.'):]
                new = sd + rest
                break
        out[new] = value
    return out


def clip_to_openclip(state, extra_layer_seed):
    """The reverse of convert_open_clip_checkpoint(): q, k and v fused into
    in_proj, OpenCLIP's names, and what OpenCLIP has that the Hugging Face
    model lost: one more layer at the end (SD 2.x uses the penultimate
    layer's output, so the conversion drops the last), text_projection
    and logit_scale."""
    out = collections.OrderedDict()
    out['token_embedding.weight'] = state['text_model.embeddings.token_embedding.weight']
    out['positional_embedding'] = state['text_model.embeddings.position_embedding.weight']
    width = out['positional_embedding'].shape[1]
    n_layers = 1 + max(int(k.split('.')[3]) for k in state if k.startswith('text_model.encoder.layers.'))
    generator = torch.Generator().manual_seed(extra_layer_seed)
    for i in range(n_layers + 1):
        def get(name, shape):
            key = f'text_model.encoder.layers.{i}.{name}'
            if i < n_layers:
                return state[key]
            return 0.1 * torch.randn(shape, generator=generator) + (1.0 if 'layer_norm' in name and
                                                                    name.endswith('weight') else 0.0)
        block = f'transformer.resblocks.{i}.'
        out[block + 'ln_1.weight'] = get('layer_norm1.weight', (width,))
        out[block + 'ln_1.bias'] = get('layer_norm1.bias', (width,))
        out[block + 'attn.in_proj_weight'] = torch.cat([get(f'self_attn.{c}_proj.weight', (width, width))
                                                        for c in 'qkv'])
        out[block + 'attn.in_proj_bias'] = torch.cat([get(f'self_attn.{c}_proj.bias', (width,)) for c in 'qkv'])
        out[block + 'attn.out_proj.weight'] = get('self_attn.out_proj.weight', (width, width))
        out[block + 'attn.out_proj.bias'] = get('self_attn.out_proj.bias', (width,))
        out[block + 'ln_2.weight'] = get('layer_norm2.weight', (width,))
        out[block + 'ln_2.bias'] = get('layer_norm2.bias', (width,))
        out[block + 'mlp.c_fc.weight'] = get('mlp.fc1.weight', (4 * width, width))
        out[block + 'mlp.c_fc.bias'] = get('mlp.fc1.bias', (4 * width,))
        out[block + 'mlp.c_proj.weight'] = get('mlp.fc2.weight', (width, 4 * width))
        out[block + 'mlp.c_proj.bias'] = get('mlp.fc2.bias', (width,))
    out['ln_final.weight'] = state['text_model.final_layer_norm.weight']
    out['ln_final.bias'] = state['text_model.final_layer_norm.bias']
    out['text_projection'] = 0.1 * torch.randn((width, width), generator=generator)
    out['logit_scale'] = torch.tensor(4.6052)
    return out


def prefixed(prefix, state):
    return collections.OrderedDict((prefix + k, v) for k, v in state.items())


def lit_ema(unet_state):
    """LitEma's copy: model_ema. and the DiffusionWrapper's parameter names
    without their dots, with its decay and update count. Its weights are
    half the model's, so that a reader shows which copy it took."""
    out = collections.OrderedDict()
    for key, value in unet_state.items():
        out['model_ema.diffusion_model' + key.replace('.', '')] = 0.5 * value
    out['model_ema.decay'] = torch.tensor(0.9999)
    out['model_ema.num_updates'] = torch.tensor(1234, dtype=torch.int32)
    return out


def ddpm_buffers():
    """The schedule LatentDiffusion registers as buffers: scaled linear,
    computed in float64, stored as float32."""
    betas = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
    alphas_cumprod = np.cumprod(1.0 - betas)
    alphas_cumprod_prev = np.append(1.0, alphas_cumprod[:-1])
    buffers = collections.OrderedDict()
    buffers['betas'] = betas
    buffers['alphas_cumprod'] = alphas_cumprod
    buffers['alphas_cumprod_prev'] = alphas_cumprod_prev
    buffers['sqrt_alphas_cumprod'] = np.sqrt(alphas_cumprod)
    buffers['sqrt_one_minus_alphas_cumprod'] = np.sqrt(1.0 - alphas_cumprod)
    return collections.OrderedDict((k, torch.tensor(v, dtype=torch.float32)) for k, v in buffers.items())


def cast(state, dtype):
    return collections.OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in state.items())


# ---------------------------------------------------------------------------
# Containers

SAFETENSORS_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64',
                      torch.int32: 'I32'}


def write_safetensors(path, state, metadata=None):
    """The safetensors layout: a little-endian u64 header length, the JSON
    header (padded with spaces to 8 bytes), the tensors' bytes in order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, tensor in state.items():
        tensor = tensor.contiguous()
        raw = tensor.view(torch.int16).numpy().tobytes() if tensor.dtype == torch.bfloat16 else tensor.numpy().tobytes()
        header[name] = {'dtype': SAFETENSORS_DTYPES[tensor.dtype], 'shape': list(tensor.shape),
                        'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


# What PyTorch Lightning put around the state dict in the original SD
# checkpoints: numbers, its version, a ModelCheckpoint callback keyed by its
# class, numpy scalars (pickled through numpy.core.multiarray.scalar,
# numpy.dtype and _codecs.encode), a set, optimiser state. Stand-in modules
# make pickle write the same GLOBALs without Lightning installed.
lightning = types.ModuleType('pytorch_lightning')
lightning_callbacks = types.ModuleType('pytorch_lightning.callbacks')
lightning_model_checkpoint = types.ModuleType('pytorch_lightning.callbacks.model_checkpoint')


class ModelCheckpoint:
    pass


ModelCheckpoint.__module__ = 'pytorch_lightning.callbacks.model_checkpoint'
ModelCheckpoint.__qualname__ = 'ModelCheckpoint'
lightning_model_checkpoint.ModelCheckpoint = ModelCheckpoint
lightning_callbacks.model_checkpoint = lightning_model_checkpoint
lightning.callbacks = lightning_callbacks
sys.modules.update({'pytorch_lightning': lightning, 'pytorch_lightning.callbacks': lightning_callbacks,
                    'pytorch_lightning.callbacks.model_checkpoint': lightning_model_checkpoint})


def training_state(state_dict, extra=None):
    callback = {'monitor': None, 'best_model_score': np.float64(0.1234), 'best_model_path': '',
                'current_score': None, 'dirpath': '/logs/2022-08-01T00-00-00_txt2img/checkpoints',
                'save_top_k': np.int64(-1), 'kwargs': {'every_n_train_steps'}}
    if extra:
        callback.update(extra)
    return {
        'epoch': 6,
        'global_step': 470000,
        'pytorch-lightning_version': '1.4.2',
        'state_dict': state_dict,
        'callbacks': {ModelCheckpoint: callback},
        'optimizer_states': [{'state': {}, 'param_groups': [{'lr': 1e-4, 'betas': (0.9, 0.999), 'eps': 1e-8,
                                                             'weight_decay': 0.0, 'params': [0, 1]}]}],
        'lr_schedulers': [{'base_lrs': [1e-4], 'last_epoch': 470000, '_step_count': 470001}],
    }


class Evil:
    """A pickled call of os.system (posix.system): a reader that ran it
    would leave the marker file behind."""

    def __reduce__(self):
        return (os.system, ('touch /tmp/tessera-checkpoint-pwned',))


# ---------------------------------------------------------------------------
# Diffusers folders

def write_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write('\n')


def model_index(scheduler_class):
    return {
        '_class_name': 'StableDiffusionPipeline',
        '_diffusers_version': diffusers.__version__,
        'feature_extractor': [None, None],
        'requires_safety_checker': False,
        'safety_checker': [None, None],
        'scheduler': ['diffusers', scheduler_class],
        'text_encoder': ['transformers', 'CLIPTextModel'],
        'tokenizer': ['transformers', 'CLIPTokenizer'],
        'unet': ['diffusers', 'UNet2DConditionModel'],
        'vae': ['diffusers', 'AutoencoderKL'],
    }


def write_tokenizer(folder, pad_token):
    """The tokenizer's settings; vocab.json and merges.txt (1.4 MB, CLIP's
    BPE, which Tessera carries itself) are left out."""
    os.makedirs(folder, exist_ok=True)
    special = {'bos_token': '<|startoftext|>', 'eos_token': '<|endoftext|>', 'pad_token': pad_token,
               'unk_token': '<|endoftext|>'}
    write_json(os.path.join(folder, 'special_tokens_map.json'), special)
    write_json(os.path.join(folder, 'tokenizer_config.json'),
               dict(special, add_prefix_space=False, clean_up_tokenization_spaces=True, do_lower_case=True,
                    errors='replace', model_max_length=77, tokenizer_class='CLIPTokenizer'))


def write_folder(folder, scheduler, unet, vae, clip, clip_cfg, pad_token, dtype, shared_from=None):
    """A diffusers folder in @dtype. With @shared_from, the VAE's and the
    text encoder's weights are that folder's, by relative symbolic links
    (as the Hugging Face cache links its snapshots to blobs); their
    configs are this folder's own."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    write_json(os.path.join(folder, 'model_index.json'), model_index(type(scheduler).__name__))
    scheduler.save_pretrained(os.path.join(folder, 'scheduler'))
    copy.deepcopy(unet).to(dtype).save_pretrained(os.path.join(folder, 'unet'), safe_serialization=False)
    copy.deepcopy(vae).to(dtype).save_pretrained(os.path.join(folder, 'vae'), safe_serialization=False)
    os.makedirs(os.path.join(folder, 'text_encoder'))
    write_json(os.path.join(folder, 'text_encoder', 'config.json'), dict(clip_cfg, torch_dtype=str(dtype)[6:]))
    torch.save(cast(clip.state_dict(), dtype), os.path.join(folder, 'text_encoder', 'pytorch_model.bin'))
    write_tokenizer(os.path.join(folder, 'tokenizer'), pad_token)
    if shared_from:
        for part, weights in (('vae', 'diffusion_pytorch_model.bin'), ('text_encoder', 'pytorch_model.bin')):
            target = os.path.join(folder, part, weights)
            os.remove(target)
            os.symlink(os.path.join('..', '..', shared_from, part, weights), target)


# ---------------------------------------------------------------------------
# What a reader must find, under Tessera's names

def unet_expected(config, heads_rule):
    boc = list(config['block_out_channels'])
    attention = ['CrossAttn' in t for t in config['down_block_types']]
    heads = config['attention_head_dim']
    heads = list(heads) if isinstance(heads, (list, tuple)) else [heads] * len(boc)
    single_file_heads = [c // 64 if heads_rule == 'head_dim_64' else 8 for c in boc]
    return {
        'in_channels': config['in_channels'],
        'out_channels': config['out_channels'],
        'model_channels': boc[0],
        'channel_mult': [c // boc[0] for c in boc],
        'num_res_blocks': config['layers_per_block'],
        'attention_levels': [i for i, a in enumerate(attention) if a],
        'num_heads': [h if a else 0 for h, a in zip(heads, attention)],
        'mid_num_heads': heads[-1],
        # A single file has no head count: the family's rule gives it.
        'single_file_num_heads': [h if a else 0 for h, a in zip(single_file_heads, attention)],
        'single_file_mid_num_heads': single_file_heads[-1],
        'transformer_depth': [1 if a else 0 for a in attention],
        'context_dim': config['cross_attention_dim'],
        'use_linear_projection': bool(config.get('use_linear_projection', False)),
        'upcast_attention': bool(config.get('upcast_attention', False)),
        'sample_size': config['sample_size'],
    }


def vae_expected(config):
    boc = list(config['block_out_channels'])
    return {
        'in_channels': config['in_channels'],
        'out_channels': config['out_channels'],
        'channels': boc[0],
        'channel_mult': [c // boc[0] for c in boc],
        'num_res_blocks': config['layers_per_block'],
        'latent_channels': config['latent_channels'],
        'scaling_factor': config['scaling_factor'],
    }


def clip_expected(cfg, single_file_layers, layers_used, pad_token_id):
    return {
        'width': cfg['hidden_size'],
        'layers': cfg['num_hidden_layers'],
        'single_file_layers': single_file_layers,
        'layers_used': layers_used,
        'heads': cfg['num_attention_heads'],
        'intermediate_size': cfg['intermediate_size'],
        'vocab_size': cfg['vocab_size'],
        'context_length': cfg['max_position_embeddings'],
        'activation': cfg['hidden_act'],
        'pad_token_id': pad_token_id,
    }


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def file_record(path, parts, dtype, family, prediction, **extra):
    record = {'sha256': sha256(path) if os.path.isfile(path) else None,
              'params': {part: n_params(state) for part, state in parts.items()},
              'dtype': dtype, 'family': family, 'prediction': prediction}
    record.update(extra)
    return record


def config_dict(model):
    """The config as config.json has it (without diffusers' run-time
    note of which values were defaults, a set in no fixed order)."""
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(model.config).items()
            if k != '_use_default_values'}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_grad_enabled(False)
    record = {'generator': 'make-sd-models.py', 'torch': torch.__version__, 'diffusers': diffusers.__version__,
              'numpy': np.__version__, 'models': {}}

    clip_l_cfg = clip_config('quick_gelu', 2)
    clip_h_cfg = clip_config('gelu', 2)
    clip = make_clip(clip_l_cfg, 3)          # one set of weights for both families
    clip_state = clip.state_dict()

    # sd1 -------------------------------------------------------------
    unet1 = make_unet(SD1_UNET, 1)
    vae = make_vae(TINY_VAE, 2)
    unet1_config, vae_config = config_dict(unet1), config_dict(vae)
    scheduler1 = PNDMScheduler(**SCHEDULER, skip_prk_steps=True, prediction_type='epsilon')

    write_folder(os.path.join(OUT, 'sd1'), scheduler1, unet1, vae, clip, clip_l_cfg, '<|endoftext|>', torch.float16)
    unet1_ldm = unet_to_ldm(unet1.state_dict(), unet1_config)
    vae_ldm = vae_to_ldm(vae.state_dict(), vae_config)
    single = collections.OrderedDict()
    single.update(prefixed('model.diffusion_model.', unet1_ldm))
    single.update(prefixed('first_stage_model.', vae_ldm))
    single.update(prefixed('cond_stage_model.transformer.', clip_state))
    write_safetensors(os.path.join(OUT, 'sd1.safetensors'), cast(single, torch.bfloat16), {'format': 'pt'})
    # A1111's SD VAE: a dict with state_dict, the LDM names without prefix.
    torch.save({'state_dict': vae_ldm}, os.path.join(OUT, 'sd1.vae.pt'))

    record['models']['sd1'] = {
        'diffusers': {'unet': unet1_config, 'vae': vae_config, 'text_encoder': clip_l_cfg,
                      'scheduler': config_dict(scheduler1)},
        'unet': unet_expected(unet1_config, 'num_heads_8'),
        'vae': vae_expected(vae_config),
        'text_encoder': clip_expected(clip_l_cfg, 2, 2, 49407),
        'files': {
            'sd1': file_record(os.path.join(OUT, 'sd1'),
                               {'unet': unet1.state_dict(), 'vae': vae.state_dict(), 'text_encoder': clip_state},
                               'f16', 'sd1', 'epsilon', kind='diffusers'),
            'sd1.safetensors': file_record(os.path.join(OUT, 'sd1.safetensors'),
                                           {'unet': unet1_ldm, 'vae': vae_ldm, 'text_encoder': clip_state},
                                           'bf16', 'sd1', 'epsilon', kind='single'),
            'sd1.vae.pt': file_record(os.path.join(OUT, 'sd1.vae.pt'), {'vae': vae_ldm}, 'f32', None, None,
                                      kind='vae'),
        },
    }

    # sd2 and sd2-v ----------------------------------------------------
    unet2 = make_unet(SD2_UNET, 4)
    unet2_config = config_dict(unet2)
    scheduler_v = DDIMScheduler(**SCHEDULER, clip_sample=False, prediction_type='v_prediction')
    sd2v = os.path.join(OUT, 'sd2-v')
    write_folder(sd2v, scheduler_v, unet2, vae, clip, clip_h_cfg, '!', torch.float16, shared_from='sd1')
    # SD 2.x 768-v: 96 × 96 latents
    write_json(os.path.join(sd2v, 'unet', 'config.json'),
               dict(json.load(open(os.path.join(sd2v, 'unet', 'config.json'))), sample_size=96))
    write_json(os.path.join(sd2v, 'vae', 'config.json'),
               dict(json.load(open(os.path.join(sd2v, 'vae', 'config.json'))), sample_size=768))

    unet2_ldm = unet_to_ldm(unet2.state_dict(), unet2_config)
    openclip = clip_to_openclip(clip_state, 5)
    single = collections.OrderedDict()
    single.update(prefixed('model.diffusion_model.', unet2_ldm))
    single.update(prefixed('cond_stage_model.model.', openclip))
    single.update(ddpm_buffers())
    torch.save(training_state(cast(single, torch.float16)), os.path.join(OUT, 'sd2.ckpt'))

    unet2_v_config = dict(unet2_config, sample_size=96)
    record['models']['sd2'] = {
        'diffusers': {'unet': unet2_v_config, 'vae': dict(vae_config, sample_size=768), 'text_encoder': clip_h_cfg,
                      'scheduler': config_dict(scheduler_v)},
        'unet': unet_expected(unet2_v_config, 'head_dim_64'),
        'vae': vae_expected(vae_config),
        'text_encoder': clip_expected(clip_h_cfg, 3, 2, 0),
        'files': {
            'sd2-v': file_record(sd2v, {'unet': unet2.state_dict(), 'vae': vae.state_dict(),
                                        'text_encoder': clip_state}, 'f16', 'sd2-v', 'v', kind='diffusers'),
            'sd2.ckpt': file_record(os.path.join(OUT, 'sd2.ckpt'), {'unet': unet2_ldm, 'text_encoder': openclip},
                                    'f16', 'sd2', 'epsilon', kind='single'),
        },
    }

    # micro -------------------------------------------------------------
    micro = os.path.join(OUT, 'micro')
    os.makedirs(micro, exist_ok=True)
    unet_m = make_unet(MICRO_UNET, 6)
    vae_m = make_vae(MICRO_VAE, 7)
    unet_m_config, vae_m_config = config_dict(unet_m), config_dict(vae_m)
    unet_m_ldm = unet_to_ldm(unet_m.state_dict(), unet_m_config)
    vae_m_ldm = vae_to_ldm(vae_m.state_dict(), vae_m_config)
    single = collections.OrderedDict()
    single.update(prefixed('model.diffusion_model.', unet_m_ldm))
    single.update(prefixed('first_stage_model.', vae_m_ldm))
    write_safetensors(os.path.join(micro, 'micro-sd1.safetensors'), single)
    with_ema = collections.OrderedDict(single)
    with_ema.update(lit_ema(unet_m_ldm))
    with_ema.update(ddpm_buffers())
    torch.save(training_state(with_ema), os.path.join(micro, 'micro-sd1-ema.ckpt'))
    write_safetensors(os.path.join(micro, 'micro.vae.safetensors'), prefixed('first_stage_model.', vae_m_ldm))

    record['models']['micro'] = {
        'diffusers': {'unet': unet_m_config, 'vae': vae_m_config},
        'unet': unet_expected(unet_m_config, 'num_heads_8'),
        'vae': vae_expected(vae_m_config),
        'files': {
            'micro/micro-sd1.safetensors': file_record(os.path.join(micro, 'micro-sd1.safetensors'),
                                                       {'unet': unet_m_ldm, 'vae': vae_m_ldm}, 'f32', 'sd1',
                                                       'epsilon', kind='single'),
            'micro/micro-sd1-ema.ckpt': file_record(os.path.join(micro, 'micro-sd1-ema.ckpt'),
                                                    {'unet': unet_m_ldm, 'vae': vae_m_ldm}, 'f32', 'sd1',
                                                    'epsilon', kind='single', ema=True),
            'micro/micro.vae.safetensors': file_record(os.path.join(micro, 'micro.vae.safetensors'),
                                                       {'vae': vae_m_ldm}, 'f32', None, None, kind='vae'),
        },
    }

    # A checkpoint whose training state runs a command.
    evil = collections.OrderedDict(list(prefixed('model.diffusion_model.', unet_m_ldm).items())[:4])
    torch.save(training_state(evil, {'on_load': Evil()}), os.path.join(OUT, 'evil-os-system.ckpt'))

    write_json(os.path.join(OUT, 'models.json'), record)
    write_nano_seeds()


def write_nano_seeds():
    """The fuzz seeds: every path of a single file's reading, in a few KB."""
    seeds = os.path.join('..', 'fuzz', 'corpus', 'fuzz-checkpoint')
    os.makedirs(seeds, exist_ok=True)
    clip_cfg = dict(clip_config('quick_gelu', 2), hidden_size=8, intermediate_size=32, vocab_size=16,
                    max_position_embeddings=8)
    unet = make_unet(NANO_UNET, 8)
    unet_ldm = unet_to_ldm(unet.state_dict(), config_dict(unet))
    vae_ldm = vae_to_ldm(make_vae(NANO_VAE, 9).state_dict(), NANO_VAE)
    clip_state = make_clip(clip_cfg, 10).state_dict()
    single = collections.OrderedDict()
    single.update(prefixed('model.diffusion_model.', unet_ldm))
    single.update(prefixed('first_stage_model.', vae_ldm))
    single.update(prefixed('cond_stage_model.transformer.', clip_state))
    write_safetensors(os.path.join(seeds, 'nano-sd1.safetensors'), cast(single, torch.float16))
    torch.save(training_state(cast(single, torch.float16)), os.path.join(seeds, 'nano-sd1.ckpt'))
    openclip = collections.OrderedDict(prefixed('model.diffusion_model.', unet_ldm))
    openclip.update(prefixed('cond_stage_model.model.', clip_to_openclip(clip_state, 11)))
    torch.save(training_state(cast(openclip, torch.float16)), os.path.join(seeds, 'nano-sd2.ckpt'))


def check():
    """The single files back through diffusers' converter the other way.
    convert_from_ckpt.py imports transformers, which is not packaged, for
    what these functions do not use: they are taken out of its source and
    run alone."""
    import ast
    import logging

    path = os.path.join(os.path.dirname(diffusers.__file__), 'pipelines', 'stable_diffusion', 'convert_from_ckpt.py')
    tree = ast.parse(open(path).read())
    wanted = {'shave_segments', 'renew_resnet_paths', 'renew_vae_resnet_paths', 'renew_attention_paths',
              'renew_vae_attention_paths', 'assign_to_checkpoint', 'conv_attn_to_linear',
              'convert_ldm_unet_checkpoint', 'convert_ldm_vae_checkpoint', 'textenc_conversion_lst',
              'textenc_conversion_map', 'textenc_transformer_conversion_lst', 'protected', 'textenc_pattern'}
    tree.body = [node for node in tree.body
                 if (isinstance(node, ast.FunctionDef) and node.name in wanted) or
                 (isinstance(node, ast.Assign) and node.targets[0].id in wanted)]
    reverse = types.SimpleNamespace()
    namespace = {'re': re, 'torch': torch, 'logger': logging.getLogger('convert_from_ckpt')}
    exec(compile(tree, path, 'exec'), namespace)
    reverse.__dict__.update(namespace)

    def same(converted, original, what):
        assert set(converted) == set(original), (what, set(converted) ^ set(original))
        for key, value in original.items():
            assert torch.equal(converted[key].float(), value.float()), (what, key)
        print('%s: %d tensors come back' % (what, len(original)))

    def load_safetensors(path):
        with open(path, 'rb') as f:
            n = struct.unpack('<Q', f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        dtypes = {v: k for k, v in SAFETENSORS_DTYPES.items()}
        out = {}
        for name, info in header.items():
            if name == '__metadata__':
                continue
            begin, end = info['data_offsets']
            raw = bytearray(data[begin:end])
            if info['dtype'] == 'BF16':
                tensor = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
            else:
                tensor = torch.frombuffer(raw, dtype=dtypes[info['dtype']])
            out[name] = tensor.reshape(info['shape'])
        return out

    def original(model, dtype):
        return cast(model.state_dict(), dtype)

    models = json.load(open(os.path.join(OUT, 'models.json')))['models']

    # The folders load in diffusers, with the weights they were made from.
    for folder, unet_config, seed in (('sd1', SD1_UNET, 1), ('sd2-v', SD2_UNET, 4)):
        loaded = UNet2DConditionModel.from_pretrained(os.path.join(OUT, folder, 'unet'))
        same(loaded.state_dict(), original(make_unet(unet_config, seed), torch.float16), folder + '/unet')
        loaded = AutoencoderKL.from_pretrained(os.path.join(OUT, folder, 'vae'))
        same(loaded.state_dict(), original(make_vae(TINY_VAE, 2), torch.float16), folder + '/vae')

    sd1 = load_safetensors(os.path.join(OUT, 'sd1.safetensors'))
    unet = reverse.convert_ldm_unet_checkpoint(dict(sd1), models['sd1']['diffusers']['unet'])
    same(unet, original(make_unet(SD1_UNET, 1), torch.bfloat16), 'sd1.safetensors unet')
    vae = reverse.convert_ldm_vae_checkpoint(dict(sd1), models['sd1']['diffusers']['vae'])
    same(vae, original(make_vae(TINY_VAE, 2), torch.bfloat16), 'sd1.safetensors vae')
    clip = make_clip(clip_config('quick_gelu', 2), 3).state_dict()
    prefix = 'cond_stage_model.transformer.'
    same({k[len(prefix):]: v for k, v in sd1.items() if k.startswith(prefix)}, cast(clip, torch.bfloat16),
         'sd1.safetensors text encoder')

    sd2 = torch.load(os.path.join(OUT, 'sd2.ckpt'))['state_dict']
    unet = reverse.convert_ldm_unet_checkpoint(dict(sd2), models['sd2']['diffusers']['unet'])
    same(unet, original(make_unet(SD2_UNET, 4), torch.float16), 'sd2.ckpt unet')
    # convert_open_clip_checkpoint's mapping, without building the model:
    # the last layer dropped, q, k, v split from in_proj.
    prefix, n_layers = 'cond_stage_model.model.', models['sd2']['text_encoder']['layers']
    width = sd2[prefix + 'text_projection'].shape[0]
    hf = {}
    for key, value in sd2.items():
        if not key.startswith(prefix) or key.startswith(prefix + 'transformer.resblocks.%d.' % n_layers):
            continue
        name = key[len(prefix):]
        if name in reverse.textenc_conversion_map and name != 'text_projection':
            hf[reverse.textenc_conversion_map[name]] = value
        elif name.startswith('transformer.'):
            name = reverse.textenc_pattern.sub(lambda m: reverse.protected[re.escape(m.group(0))],
                                               name[len('transformer.'):])
            if name.endswith('.in_proj_weight') or name.endswith('.in_proj_bias'):
                base, kind = name.rsplit('.in_proj_', 1)
                for i, c in enumerate('qkv'):
                    hf['%s.%s_proj.%s' % (base, c, kind)] = value[i * width:(i + 1) * width]
            else:
                hf[name] = value
    clip = {k: v.to(torch.float16) for k, v in clip.items() if k != 'text_model.embeddings.position_ids'}
    same(hf, clip, 'sd2.ckpt text encoder')

    micro = torch.load(os.path.join(OUT, 'micro', 'micro-sd1-ema.ckpt'))['state_dict']
    unet = reverse.convert_ldm_unet_checkpoint(dict(micro), models['micro']['diffusers']['unet'])
    same(unet, original(make_unet(MICRO_UNET, 6), torch.float32), 'micro-sd1-ema.ckpt unet')
    unet = reverse.convert_ldm_unet_checkpoint(dict(micro), models['micro']['diffusers']['unet'], extract_ema=True)
    same(unet, {k: 0.5 * v for k, v in make_unet(MICRO_UNET, 6).state_dict().items()},
         'micro-sd1-ema.ckpt unet, EMA copy')
    vae = reverse.convert_ldm_vae_checkpoint(dict(micro), models['micro']['diffusers']['vae'])
    same(vae, make_vae(MICRO_VAE, 7).state_dict(), 'micro-sd1-ema.ckpt vae')
    vae = reverse.convert_ldm_vae_checkpoint(torch.load(os.path.join(OUT, 'sd1.vae.pt'))['state_dict'],
                                             models['sd1']['diffusers']['vae'])
    same(vae, make_vae(TINY_VAE, 2).state_dict(), 'sd1.vae.pt')


if __name__ == '__main__':
    main()
    if '--check' in sys.argv:
        check()
