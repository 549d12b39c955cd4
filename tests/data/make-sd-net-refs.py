#!/usr/bin/python3
# make-sd-net-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference outputs of the small Stable Diffusion models in sd/ (made by
# make-sd-models.py) for test-sd-nets.c: the CLIP text encoder, one UNet
# call and the VAE's two halves, run by diffusers on the CPU in float32.
#
# Each model file is run with the weights it stores: the folders' fp16,
# sd1.safetensors' bf16, sd1.vae.pt's fp32. They are made again here the
# way make-sd-models.py makes them (seeded) and rounded to the file's
# type, which --check proves equal to what the files hold; sd2.ckpt holds
# the sd2-v folder's fp16 UNet and text encoder, so it shares their
# references.
#
#   text encoder  make-sd-models.py's CLIPTextModel (transformers' forward
#                 pass; transformers is not packaged), token ids of
#                 cases.json, clip skip 1 and 2 (A1111: hidden_states[-n],
#                 then final_layer_norm), quick_gelu (sd1) and gelu (sd2);
#                 and one two-chunk prompt with A1111's emphasis
#                 ("Original": z · multipliers, then · old mean / new mean,
#                 per chunk), chunks side by side.
#   UNet          UNet2DConditionModel, a 4 × 16 × 16 latent, timestep
#                 537.25 (k-diffusion passes fractional ones), a 77- and a
#                 154-token context; sd1 (ε) and sd2-v (v).
#   VAE           AutoencoderKL: the posterior's mean of a 3 × 32 × 32
#                 image times scaling_factor, and the decoding of a
#                 4 × 16 × 16 latent divided by it.
#
# Attention runs through a plain q kᵀ product rather than diffusers'
# baddbmm on an uninitialised tensor with beta=0, which lets NaN through
# on Debian's torch 1.13.
#
# Everything is written in Tessera's layout: images and latents C × H × W,
# token sequences width × 1 × tokens; float32 .npy, with sd-refs/cases.json
# listing the cases, their inputs and token ids.
#
# Run from this directory, with Debian 12's python3-torch (1.13.1+dfsg-4,
# which calls itself 1.13.0a0), python3-numpy (1.24.2), and diffusers and
# huggingface_hub from their git tags, as make-sd-models.py:
#   git -C huggingface+diffusers archive v0.19.3 src | tar -x -C /tmp/diffusers
#     (commit de9c72d58c3eb4bcd50901d0c23c7c46f0cec29b)
#   git -C huggingface+huggingface_hub archive v0.16.4 src | tar -x -C /tmp/hub
#     (commit 11cf5cc775405b93d17ef367e9199777af2c306b)
#   PYTHONPATH=/tmp/diffusers/src:/tmp/hub/src /usr/bin/python3 make-sd-net-refs.py [--check]
# With --check it first compares the remade weights with the files'.

import importlib.util
import json
import os
import sys

import numpy as np
import torch

import diffusers
from diffusers.models.attention_processor import Attention

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'sd-refs')

spec = importlib.util.spec_from_file_location('make_sd_models', os.path.join(HERE, 'make-sd-models.py'))
models = importlib.util.module_from_spec(spec)
spec.loader.exec_module(models)


def attention_scores(self, query, key, attention_mask=None):
    dtype = query.dtype
    if self.upcast_attention:
        query, key = query.float(), key.float()
    scores = self.scale * torch.bmm(query, key.transpose(-1, -2))
    if attention_mask is not None:
        scores = scores + attention_mask
    if self.upcast_softmax:
        scores = scores.float()
    return scores.softmax(dim=-1).to(dtype)


Attention.get_attention_scores = attention_scores


def rounded(model, dtype):
    """@model with its weights rounded to @dtype, run in float32."""
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(dtype).float())
    return model.eval()


def save(name, array):
    np.save(os.path.join(OUT, name + '.npy'), np.ascontiguousarray(array, dtype=np.float32))
    return name


def tokens_layout(z):
    """tokens × width → width × 1 × tokens."""
    return z.detach().numpy().T[:, None, :]


# Token ids: "a photo of a cat, detailed" and a second chunk; the padding
# is each family's (EOS for sd1, 0 for sd2).
PROMPT = [320, 1125, 539, 320, 2368, 267, 12609]
SECOND = [1901, 267, 4472, 3575]


def chunk(ids, pad):
    return [49406] + ids + [49407] + [pad] * (75 - len(ids))


def multipliers(ids, weights):
    out = [1.0] * 77
    for position, weight in weights.items():
        out[position] = weight
    return out


def encode(clip, ids, skip):
    last, hidden = clip(torch.tensor([ids]))
    z = last if skip == 1 else clip.text_model.final_layer_norm(hidden[-skip])
    return z[0]


def emphasis(z, mult):
    """A1111's "Original" emphasis on one chunk's z (tokens × width)."""
    mult = torch.tensor(mult, dtype=torch.float32)
    original_mean = z.mean()
    z = z * mult[:, None]
    return z * (original_mean / z.mean())


def text_encoder_cases(cases):
    for family, act, pad in (('sd1', 'quick_gelu', 49407), ('sd2', 'gelu', 0)):
        for dtype_name, dtype in (('f16', torch.float16), ('bf16', torch.bfloat16)):
            if family == 'sd2' and dtype_name == 'bf16':
                continue
            clip = rounded(models.make_clip(models.clip_config(act, 2), 3), dtype)
            ids = chunk(PROMPT, pad)
            for skip in (1, 2):
                name = 'clip-%s-%s-skip%d' % (family, dtype_name, skip)
                cases.append({'kind': 'text-encoder', 'name': name, 'family': family, 'weights': dtype_name,
                              'clip_skip': skip, 'ids': [ids],
                              'output': save(name, tokens_layout(encode(clip, ids, skip)))})
            if dtype_name == 'f16':
                # Two chunks, with emphasis: (photo:1.3) [cat] … (tree:1.21)
                ids = [chunk(PROMPT, pad), chunk(SECOND, pad)]
                mults = [multipliers(ids[0], {2: 1.3, 5: 1 / 1.1}), multipliers(ids[1], {3: 1.21})]
                z = torch.cat([emphasis(encode(clip, i, 1), m) for i, m in zip(ids, mults)])
                name = 'clip-%s-f16-emphasis' % family
                cases.append({'kind': 'text-encoder', 'name': name, 'family': family, 'weights': 'f16',
                              'clip_skip': 1, 'ids': ids, 'multipliers': mults,
                              'output': save(name, tokens_layout(z))})


def unet_cases(cases):
    generator = torch.Generator().manual_seed(11)
    latent = torch.randn((1, 4, 16, 16), generator=generator)
    contexts = {n: torch.randn((1, n, 32), generator=generator) for n in (77, 154)}
    timestep = 537.25
    save('unet-latent', latent[0].numpy())
    for n, context in contexts.items():
        save('unet-context-%d' % n, tokens_layout(context[0]))

    runs = (('sd1', models.SD1_UNET, 1, 'f16', torch.float16, (77, 154)),
            ('sd1', models.SD1_UNET, 1, 'bf16', torch.bfloat16, (77,)),
            ('sd2', models.SD2_UNET, 4, 'f16', torch.float16, (77, 154)))
    for family, config, seed, dtype_name, dtype, lengths in runs:
        unet = rounded(models.make_unet(config, seed), dtype)
        for n in lengths:
            out = unet(latent, torch.tensor([timestep]), encoder_hidden_states=contexts[n]).sample
            name = 'unet-%s-%s-ctx%d' % (family, dtype_name, n)
            cases.append({'kind': 'unet', 'name': name, 'family': family, 'weights': dtype_name,
                          'timestep': timestep, 'latent': 'unet-latent', 'context': 'unet-context-%d' % n,
                          'output': save(name, out[0].detach().numpy())})


def vae_cases(cases):
    generator = torch.Generator().manual_seed(12)
    # A smooth image in [-1, 1] with some detail, as the VAE sees pixels.
    y, x = torch.meshgrid(torch.linspace(-1, 1, 32), torch.linspace(-1, 1, 32), indexing='ij')
    image = torch.stack([torch.sin(3 * x + 1), torch.cos(2 * y - x), x * y]) * 0.8
    image = (image + 0.2 * torch.randn((3, 32, 32), generator=generator)).clamp(-1, 1)[None]
    latent = torch.randn((1, 4, 16, 16), generator=generator)
    save('vae-image', image[0].numpy())
    save('vae-latent', latent[0].numpy())
    for dtype_name, dtype in (('f16', torch.float16), ('f32', torch.float32)):
        vae = rounded(models.make_vae(models.TINY_VAE, 2), dtype)
        factor = vae.config.scaling_factor
        mean = vae.encode(image).latent_dist.mean * factor
        decoded = vae.decode(latent / factor).sample
        name = 'vae-sd1-%s' % dtype_name
        cases.append({'kind': 'vae-encode', 'name': name + '-encode', 'weights': dtype_name, 'input': 'vae-image',
                      'output': save(name + '-encode', mean[0].detach().numpy())})
        cases.append({'kind': 'vae-decode', 'name': name + '-decode', 'weights': dtype_name, 'input': 'vae-latent',
                      'output': save(name + '-decode', decoded[0].detach().numpy())})


def check():
    """The remade weights are the files' own."""
    sd = os.path.join(HERE, 'sd')
    pairs = ((models.make_unet(models.SD1_UNET, 1), os.path.join(sd, 'sd1', 'unet', 'diffusion_pytorch_model.bin')),
             (models.make_unet(models.SD2_UNET, 4), os.path.join(sd, 'sd2-v', 'unet', 'diffusion_pytorch_model.bin')),
             (models.make_vae(models.TINY_VAE, 2), os.path.join(sd, 'sd1', 'vae', 'diffusion_pytorch_model.bin')),
             (models.make_clip(models.clip_config('quick_gelu', 2), 3),
              os.path.join(sd, 'sd1', 'text_encoder', 'pytorch_model.bin')))
    for model, path in pairs:
        stored = torch.load(path)
        for key, value in model.state_dict().items():
            assert torch.equal(stored[key], value.to(stored[key].dtype)), (path, key)
        print('%s: the same weights' % os.path.relpath(path, HERE))
    vae = torch.load(os.path.join(sd, 'sd1.vae.pt'))['state_dict']
    remade = models.vae_to_ldm(models.make_vae(models.TINY_VAE, 2).state_dict(), models.config_dict(
        models.make_vae(models.TINY_VAE, 2)))
    for key, value in remade.items():
        assert torch.equal(vae[key], value), key
    print('sd1.vae.pt: the same weights')


def main():
    torch.set_grad_enabled(False)
    if '--check' in sys.argv:
        check()
    os.makedirs(OUT, exist_ok=True)
    cases = []
    text_encoder_cases(cases)
    unet_cases(cases)
    vae_cases(cases)
    record = {'generator': 'make-sd-net-refs.py', 'torch': torch.__version__, 'diffusers': diffusers.__version__,
              'numpy': np.__version__, 'cases': cases}
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(record, f, indent=1)
        f.write('\n')
    print('%d cases' % len(cases))


if __name__ == '__main__':
    main()
