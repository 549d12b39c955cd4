#!/usr/bin/python3
# make-redraw-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Whole img2img redraws of sd/sd1.safetensors for test-redraw.c, run the
# way AUTOMATIC1111's img2img runs them, from independent code:
#
#   networks   diffusers' UNet2DConditionModel and AutoencoderKL and
#              make-sd-models.py's CLIPTextModel, remade from the
#              generator's seeds and rounded to the file's bf16 (the code
#              of make-sd-net-refs.py, imported, with its NaN-free
#              attention), run in float32 on the CPU.
#   prompts    openai/CLIP's tokenizer (an identity for ftfy.fix_text,
#              exact for plain words), one 77-token chunk each: BOS, the
#              ids, EOS, EOS as padding (SD 1.x); no emphasis, so A1111's
#              "Original" emphasis leaves the text encoder's output as it is.
#   sampler    k-diffusion's DiscreteEpsDDPMDenoiser (CompVisDenoiser's
#              parent, no quantisation: fractional timesteps) over the
#              scaled-linear schedule 0.00085 → 0.012, 1000 steps, whose
#              alphas_cumprod is computed in float64 and kept in float32 as
#              latent-diffusion does; inside a CFG wrapper (prompt and
#              negative prompt run apart, uncond + cfg × (cond − uncond));
#              sample_euler or sample_euler_ancestral over A1111's
#              img2img plan: get_sigmas(steps), t_enc = int(min(denoise,
#              0.999) × steps), sigmas[steps − t_enc − 1:], start at
#              latent + noise × σ₀.
#   noise      one torch.Generator().manual_seed(seed) on the CPU, as
#              A1111's ImageRNG with RNG "CPU": the start noise is its
#              first draw, then every torch.randn_like of the sampler
#              (A1111's TorchHijack) is the next draw from the same
#              generator — sample_euler draws one per step too, unused
#              with s_churn 0.
#   image      RGB × 2 − 1, grown to the networks' multiple (4 here: the
#              VAE halves once, the UNet once more) by repeating the last
#              row and column, as Tessera does; the VAE posterior's mean ×
#              scaling_factor (A1111 samples the posterior instead; see
#              test-redraw.c); the decoded image (x + 1) / 2, clamped to
#              [0, 1] and cropped back.
#
# It writes redraw-refs/: the input images (C × H × W in [0, 1], float32
# .npy, each value a 16-bit PNG's), the outputs (C × H × W, float32, before any 8-bit rounding) and
# cases.json (prompt, negative prompt, their token ids, sampler, steps,
# denoise, cfg, seed, size, file names).
#
# Run from this directory, with Debian 12's python3-torch (1.13.1+dfsg-4,
# which calls itself 1.13.0a0), python3-numpy (1.24.2), python3-regex, and
# from their git repositories:
#   git -C huggingface+diffusers archive v0.19.3 src | tar -x -C /tmp/diffusers
#     (commit de9c72d58c3eb4bcd50901d0c23c7c46f0cec29b)
#   git -C huggingface+huggingface_hub archive v0.16.4 src | tar -x -C /tmp/hub
#     (commit 11cf5cc775405b93d17ef367e9199777af2c306b)
#   git -C crowsonkb+k-diffusion archive 4601bf08 k_diffusion | tar -x -C /tmp/kd
#     (commit 4601bf085320592473f681a62808ed873d17fad5; its sampling.py
#     and external.py equal those of ab527a9a, the commit A1111 pins)
#   git -C openai+CLIP archive d05afc43 clip | tar -x -C /tmp/clip
#     (commit d05afc436d78f1c48dc0dbf8e5980a9d471f35f6)
#   PYTHONPATH=/tmp/diffusers/src:/tmp/hub/src /usr/bin/python3 make-redraw-refs.py /tmp/kd /tmp/clip
# Only k-diffusion's sampling.py, external.py and utils.py are loaded; what
# they import for other samplers (scipy, torchdiffeq, torchsde, tqdm,
# safetensors), Debian lacks, and stand-ins take their place.

import importlib.util
import json
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'redraw-refs')

spec = importlib.util.spec_from_file_location('make_sd_net_refs', os.path.join(HERE, 'make-sd-net-refs.py'))
nets = importlib.util.module_from_spec(spec)
spec.loader.exec_module(nets)
models = nets.models

CASES = [
    # (name, sampler, steps, denoise, width, height)
    ('euler-4-0.5-32x32', 'euler', 4, 0.5, 32, 32),
    ('euler-6-0.75-37x29', 'euler', 6, 0.75, 37, 29),
    ('euler_a-4-0.5-32x32', 'euler_a', 4, 0.5, 32, 32),
    ('euler_a-6-0.75-37x29', 'euler_a', 6, 0.75, 37, 29),
]
PROMPT = 'a red house by the sea'
NEGATIVE = 'blurry, dark'
CFG = 7.0
SEED = 7
MULTIPLE = 4


def stub(name, **attributes):
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    sys.modules.setdefault(name, module)


def load_k_diffusion(root):
    """k_diffusion's sampling and external modules, without its
    __init__, which imports the training code."""
    stub('scipy', integrate=None)
    stub('torchdiffeq', odeint=None)
    stub('torchsde', BrownianTree=None)
    stub('tqdm')
    stub('tqdm.auto', trange=lambda n, disable=None: range(n), tqdm=None)
    stub('safetensors')
    package = types.ModuleType('k_diffusion')
    package.__path__ = [os.path.join(root, 'k_diffusion')]
    sys.modules['k_diffusion'] = package
    loaded = {}
    for name in ('utils', 'sampling', 'external'):
        s = importlib.util.spec_from_file_location('k_diffusion.' + name,
                                                   os.path.join(root, 'k_diffusion', name + '.py'))
        module = importlib.util.module_from_spec(s)
        sys.modules['k_diffusion.' + name] = module
        setattr(package, name, module)
        s.loader.exec_module(module)
        loaded[name] = module
    return loaded['sampling'], loaded['external']


def load_tokenizer(root):
    stub('ftfy', fix_text=lambda text: text)
    sys.path.insert(0, os.path.join(root, 'clip'))
    import simple_tokenizer
    return simple_tokenizer.SimpleTokenizer()


def chunk(tokenizer, text):
    ids = tokenizer.encode(text)
    assert len(ids) <= 75
    return [49406] + ids + [49407] * (76 - len(ids))


def make_image(width, height):
    """A gradient under 8 × 8 blocks, different in each channel."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.empty((3, height, width))
    for c in range(3):
        blocks = ((x // 8 * 3 + y // 8 * 5 + c * 7) % 11) / 10.0
        gradient = (x / (width - 1) * (1 - c / 2) + y / (height - 1) * c / 2)
        image[c] = 0.6 * blocks + 0.4 * gradient
    # in steps of 1 / 65535, computed as Tessera reads a 16-bit PNG, so
    # that the CLI's test gets the same pixels from one
    levels = np.round(image * 65535).astype(np.float32)
    return levels / np.float32(65535)


def pad(rgb):
    _, h, w = rgb.shape
    ph, pw = -(-h // MULTIPLE) * MULTIPLE, -(-w // MULTIPLE) * MULTIPLE
    return torch.nn.functional.pad(rgb[None], (0, pw - w, 0, ph - h), mode='replicate')


class CFGDenoiser(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.inner_model = model

    def forward(self, x, sigma, cond, uncond, cfg):
        denoised_cond = self.inner_model(x, sigma, cond=cond)
        denoised_uncond = self.inner_model(x, sigma, cond=uncond)
        return denoised_uncond + (denoised_cond - denoised_uncond) * cfg


class UNetEps(torch.nn.Module):
    """diffusers' UNet with latent-diffusion's apply_model signature."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, cond):
        return self.unet(x, t, encoder_hidden_states=cond).sample


def alphas_cumprod():
    betas = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
    return torch.tensor(np.cumprod(1.0 - betas), dtype=torch.float32)


def main():
    torch.set_grad_enabled(False)
    sampling, external = load_k_diffusion(sys.argv[1])
    tokenizer = load_tokenizer(sys.argv[2])
    os.makedirs(OUT, exist_ok=True)

    clip = nets.rounded(models.make_clip(models.clip_config('quick_gelu', 2), 3), torch.bfloat16)
    unet = nets.rounded(models.make_unet(models.SD1_UNET, 1), torch.bfloat16)
    vae = nets.rounded(models.make_vae(models.TINY_VAE, 2), torch.bfloat16)
    factor = vae.config.scaling_factor

    cond_ids, uncond_ids = chunk(tokenizer, PROMPT), chunk(tokenizer, NEGATIVE)
    cond = nets.encode(clip, cond_ids, 1)[None]
    uncond = nets.encode(clip, uncond_ids, 1)[None]
    model = CFGDenoiser(external.DiscreteEpsDDPMDenoiser(UNetEps(unet), alphas_cumprod(), quantize=False))
    samplers = {'euler': sampling.sample_euler, 'euler_a': sampling.sample_euler_ancestral}

    cases = []
    for name, sampler, steps, denoise, width, height in CASES:
        image_name = 'image-%dx%d' % (width, height)
        image = make_image(width, height)
        np.save(os.path.join(OUT, image_name + '.npy'), image)

        rgb = pad(torch.from_numpy(image) * 2 - 1)
        latent = vae.encode(rgb).latent_dist.mean * factor

        sigmas = model.inner_model.get_sigmas(steps)
        t_enc = int(min(denoise, 0.999) * steps)
        sigmas = sigmas[steps - t_enc - 1:]

        generator = torch.Generator().manual_seed(SEED)
        noise = torch.randn(latent.shape, generator=generator)
        draw = lambda *args, **kwargs: torch.randn(latent.shape, generator=generator)
        x = latent + noise * sigmas[0]
        hijacked = sampling.torch.randn_like
        sampling.torch.randn_like = draw
        try:
            x = samplers[sampler](model, x, sigmas, extra_args={'cond': cond, 'uncond': uncond, 'cfg': CFG},
                                  **({'noise_sampler': draw} if sampler == 'euler_a' else {}))
        finally:
            sampling.torch.randn_like = hijacked

        decoded = vae.decode(x / factor).sample[0]
        output = ((decoded + 1) / 2).clamp(0, 1)[:, :height, :width]
        np.save(os.path.join(OUT, name + '.npy'), np.ascontiguousarray(output.numpy(), dtype=np.float32))
        cases.append({'name': name, 'prompt': PROMPT, 'negative_prompt': NEGATIVE, 'prompt_ids': cond_ids,
                      'negative_prompt_ids': uncond_ids, 'sampler': sampler, 'steps': steps, 'denoise': denoise,
                      'cfg': CFG, 'seed': SEED, 'rng': 'cpu', 'width': width, 'height': height,
                      'input': image_name, 'output': name})
        print('%s: σ %s, output in [%.4f, %.4f]' % (name, [round(float(s), 5) for s in sigmas],
                                                   float(output.min()), float(output.max())))

    record = {'generator': 'make-redraw-refs.py', 'torch': torch.__version__,
              'diffusers': sys.modules['diffusers'].__version__, 'numpy': np.__version__,
              'k-diffusion': '4601bf085320592473f681a62808ed873d17fad5',
              'clip': 'd05afc436d78f1c48dc0dbf8e5980a9d471f35f6', 'cases': cases}
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(record, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
