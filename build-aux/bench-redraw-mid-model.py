#!/usr/bin/python3
# bench-redraw-mid-model.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The mid-size model docs/benchmarks.md's "SD upscale's tiles as one batch"
# times on the CPU; not a test.
#
#   bench-redraw-mid-model.py FILE
#     writes FILE, an A1111 single-file checkpoint (fp16, 70 MB) with seeded
#     random weights: a UNet of SD 1.x's layout at a quarter of its widths
#     (64, 128, 256; 18 M parameters), a VAE of SD's four levels (8 pixels
#     a latent pixel) at 32–64 channels, a 4-layer CLIP text model 256 wide.
#
# Needs diffusers v0.19.3 and huggingface_hub v0.16.4 on PYTHONPATH, as
# build-aux/bench-redraw-model.py does.

import collections
import importlib.util
import os
import sys

import torch

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOP, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


models = load('make_sd_models', 'tests/data/make-sd-models.py')
UNET = dict(sample_size=32, in_channels=4, out_channels=4, block_out_channels=(64, 128, 256), layers_per_block=2,
            down_block_types=('CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'),
            up_block_types=('UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'),
            cross_attention_dim=256, attention_head_dim=8)
VAE = dict(sample_size=256, in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(32, 64, 64, 64),
           layers_per_block=1, down_block_types=('DownEncoderBlock2D',) * 4, up_block_types=('UpDecoderBlock2D',) * 4)
CLIP = dict(models.clip_config('quick_gelu', 4), hidden_size=256, intermediate_size=1024, num_attention_heads=4,
            projection_dim=256)


if len(sys.argv) != 2:
    sys.exit(f'usage: {sys.argv[0]} FILE')
torch.set_grad_enabled(False)
unet = models.make_unet(UNET, 1)
vae = models.make_vae(VAE, 2)
clip = models.make_clip(CLIP, 3)
single = collections.OrderedDict()
single.update(models.prefixed('model.diffusion_model.', models.unet_to_ldm(unet.state_dict(), models.config_dict(unet))))
single.update(models.prefixed('first_stage_model.', models.vae_to_ldm(vae.state_dict(), models.config_dict(vae))))
single.update(models.prefixed('cond_stage_model.transformer.', clip.state_dict()))
models.write_safetensors(sys.argv[1], models.cast(single, torch.float16), {'format': 'pt'})
