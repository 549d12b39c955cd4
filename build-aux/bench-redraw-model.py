#!/usr/bin/python3
# bench-redraw-model.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The model build-aux/bench-redraw-gpu.sh times, which runs it; not a test.
#
#   bench-redraw-model.py FILE
#     writes FILE (once): an A1111 single-file checkpoint (.safetensors,
#     fp16) in SD 1.5's shapes with seeded random weights: the UNet of
#     bench-sd-diffusers.py (runwayml/stable-diffusion-v1-5's config), SD
#     1.5's VAE and CLIP ViT-L/14's text model (12 layers, 768 wide,
#     quick_gelu), under the key names sd1.safetensors in tests/data/sd
#     has, converted by tests/data/make-sd-models.py's own converters.
#     Random weights draw nothing worth seeing, but every call costs what
#     a real SD 1.5 call costs. About 2 GB; building it takes about 10 GB
#     of memory.
#
# Needs what bench-sd-diffusers.py needs (Debian 12's python3-torch and
# diffusers v0.19.3 and huggingface_hub v0.16.4 on PYTHONPATH).

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
bench = load('bench_sd_diffusers', 'build-aux/bench-sd-diffusers.py')

# runwayml/stable-diffusion-v1-5's vae/config.json, less the defaults
SD15_VAE = dict(sample_size=512, in_channels=3, out_channels=3, latent_channels=4,
                block_out_channels=(128, 256, 512, 512), layers_per_block=2,
                down_block_types=('DownEncoderBlock2D',) * 4, up_block_types=('UpDecoderBlock2D',) * 4)
# openai/clip-vit-large-patch14's text model, in make-sd-models.py's form
SD15_CLIP = dict(models.clip_config('quick_gelu', 12), hidden_size=768, intermediate_size=3072,
                 num_attention_heads=12, projection_dim=768)


def make(path):
    if os.path.exists(path):
        return
    torch.set_grad_enabled(False)
    unet = models.make_unet(bench.SD15_UNET, 1)
    vae = models.make_vae(SD15_VAE, 2)
    clip = models.make_clip(SD15_CLIP, 3)
    single = collections.OrderedDict()
    single.update(models.prefixed('model.diffusion_model.',
                                  models.unet_to_ldm(unet.state_dict(), models.config_dict(unet))))
    single.update(models.prefixed('first_stage_model.',
                                  models.vae_to_ldm(vae.state_dict(), models.config_dict(vae))))
    single.update(models.prefixed('cond_stage_model.transformer.', clip.state_dict()))
    # renamed into place last: its presence says the file is complete
    models.write_safetensors(path + '.part', models.cast(single, torch.float16), {'format': 'pt'})
    os.rename(path + '.part', path)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(f'usage: {sys.argv[0]} FILE')
    make(sys.argv[1])
