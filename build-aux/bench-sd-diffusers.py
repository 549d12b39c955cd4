#!/usr/bin/python3
# bench-sd-diffusers.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# diffusers' half of build-aux/bench-sd-cpu.sh, which runs it; not a test.
#
#   bench-sd-diffusers.py make FOLDER
#     writes FOLDER (once): a diffusers folder with only model_index.json
#     and unet/, an UNet2DConditionModel in SD 1.5's shapes (its
#     unet/config.json from runwayml/stable-diffusion-v1-5) with seeded
#     random weights, fp32, as save_pretrained writes it without the
#     safetensors package (unet/diffusion_pytorch_model.bin, 3.4 GB).
#
#   bench-sd-diffusers.py run FOLDER DATA THREADS RUNS
#     times the UNet's forward pass on a batch of two 4 × 32 × 32 latents
#     (cond and uncond, as classifier-free guidance runs them) with 77-token
#     contexts, on THREADS threads, RUNS times after one warm-up call, and
#     prints "diffusers SECONDS…". It writes the inputs and the outputs in
#     Tessera's layout into DATA for bench-sd-unet to read and compare:
#     latent-N.npy (4 × 32 × 32), context-N.npy (768 × 1 × 77), output-N.npy,
#     and timestep.txt.
#
# Debian's torch 1.13 has no scaled_dot_product_attention, so diffusers
# picks its default AttnProcessor, whose scores are a baddbmm over an
# uninitialised tensor with beta=0; Debian's build lets NaN through from
# it. Here that input is a zero scalar broadcast instead: the same kernel
# and the same work, and a correct result.
#
# Needs Debian 12's python3-torch (1.13.1+dfsg-4), python3-numpy,
# python3-filelock, python3-packaging, python3-importlib-metadata,
# python3-tqdm, and on PYTHONPATH diffusers v0.19.3 (commit de9c72d) and
# huggingface_hub v0.16.4 (commit 11cf5cc) from their git tags; the shell
# script sets that up.

import json
import os
import sys
import time

import numpy as np
import torch

import diffusers
from diffusers import UNet2DConditionModel
from diffusers.models.attention_processor import Attention

# runwayml/stable-diffusion-v1-5's unet/config.json, less the defaults
SD15_UNET = dict(
    sample_size=64,
    in_channels=4,
    out_channels=4,
    down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'),
    up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'),
    block_out_channels=(320, 640, 1280, 1280),
    layers_per_block=2,
    attention_head_dim=8,
    cross_attention_dim=768,
    norm_num_groups=32,
    norm_eps=1e-5,
    act_fn='silu',
    center_input_sample=False,
    downsample_padding=1,
    flip_sin_to_cos=True,
    freq_shift=0,
    mid_block_scale_factor=1,
)

LATENT = (4, 32, 32)
TOKENS = 77
TIMESTEP = 537.0


def make(folder):
    if os.path.exists(os.path.join(folder, 'model_index.json')):
        return
    torch.manual_seed(0)
    unet = UNet2DConditionModel(**SD15_UNET)
    unet.save_pretrained(os.path.join(folder, 'unet'), safe_serialization=False)
    # Written last: its presence says the folder is complete.
    with open(os.path.join(folder, 'model_index.json'), 'w') as f:
        json.dump({'_class_name': 'StableDiffusionPipeline',
                   '_diffusers_version': diffusers.__version__,
                   'unet': ['diffusers', 'UNet2DConditionModel']}, f, indent=2)


def attention_scores(self, query, key, attention_mask=None):
    """diffusers' own, with a zero baddbmm input (see the header)."""
    dtype = query.dtype
    if self.upcast_attention:
        query, key = query.float(), key.float()
    if attention_mask is None:
        baddbmm_input, beta = torch.zeros((), dtype=query.dtype, device=query.device), 0
    else:
        baddbmm_input, beta = attention_mask, 1
    scores = torch.baddbmm(baddbmm_input, query, key.transpose(-1, -2), beta=beta, alpha=self.scale)
    if self.upcast_softmax:
        scores = scores.float()
    return scores.softmax(dim=-1).to(dtype)


def save(path, array):
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))


def run(folder, data, threads, runs):
    torch.set_num_threads(threads)
    Attention.get_attention_scores = attention_scores
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, 'unet'), low_cpu_mem_usage=False).eval()
    processors = sorted({type(p).__name__ for p in unet.attn_processors.values()})

    generator = torch.Generator().manual_seed(1)
    latents = torch.randn((2, *LATENT), generator=generator)
    contexts = torch.randn((2, TOKENS, SD15_UNET['cross_attention_dim']), generator=generator)
    timesteps = torch.tensor([TIMESTEP, TIMESTEP])

    times = []
    with torch.no_grad():
        output = unet(latents, timesteps, encoder_hidden_states=contexts).sample
        for _ in range(runs):
            start = time.perf_counter()
            unet(latents, timesteps, encoder_hidden_states=contexts)
            times.append(time.perf_counter() - start)

    if not torch.isfinite(output).all():
        sys.exit('diffusers gave a non-finite output')
    os.makedirs(data, exist_ok=True)
    for i in range(2):
        save(os.path.join(data, f'latent-{i}.npy'), latents[i].numpy())
        save(os.path.join(data, f'context-{i}.npy'), contexts[i].T.reshape(-1, 1, TOKENS).numpy())
        save(os.path.join(data, f'output-{i}.npy'), output[i].numpy())
    with open(os.path.join(data, 'timestep.txt'), 'w') as f:
        f.write(f'{TIMESTEP}\n')

    print(f'torch {torch.__version__}, diffusers {diffusers.__version__}, '
          f'{torch.get_num_threads()} threads, attention: {", ".join(processors)}')
    print('diffusers', ' '.join(f'{t:.3f}' for t in times))


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'make':
        make(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == 'run':
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f'usage: {sys.argv[0]} make FOLDER | run FOLDER DATA THREADS RUNS')
