#!/usr/bin/python3
# make-sampling-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Reference values for the sampling floor (src/engine/sampling), made by
# the code whose numbers Tessera reproduces:
#
#   - PyTorch's CPU torch.randn with a torch.Generator().manual_seed(seed),
#     single and consecutive draws (A1111's "CPU" noise, ComfyUI's);
#   - A1111's modules/rng_philox.py Generator (its "NV" noise, the default),
#     single and consecutive draws;
#   - k-diffusion's CompVisDenoiser and CompVisVDenoiser (external.py) on
#     ᾱ made as LDM makes it (make_beta_schedule in float64, stored as
#     float32): their σ, sigma_to_t, t_to_sigma, get_sigmas, scalings, and
#     sampling.py's get_sigmas_karras and get_sigmas_exponential with the
#     model's own σ range, as A1111 calls them;
#   - k-diffusion's sample_euler, sample_euler_ancestral, sample_heun,
#     sample_dpmpp_2m and sample_dpmpp_2s_ancestral, and A1111's ddim
#     (modules/sd_samplers_timesteps_impl.py) with its v-prediction wrapper
#     (CompVisTimestepsVDenoiser in modules/sd_samplers_timesteps.py), on a
#     toy model whose ε (or v) is A·x + B·sin(t / 100) elementwise on a
#     1 × 4 × 8 × 8 latent: txt2img for 10 steps with each σ spacing, and
#     img2img at strengths 0.35 and 0.75 for 20 steps. Each case has its own
#     CPU generator, as A1111's ImageRNG: its first draw is the initial
#     noise, the ancestral samplers draw the rest from it (A1111's
#     TorchHijack stands in for k_diffusion.sampling.torch). What A1111 does
#     around the samplers is written out below from its sources: the DDIM
#     timesteps (CompVisSampler.get_timesteps), the img2img steps
#     (sd_samplers_common.setup_img2img_steps) and starts
#     (KDiffusionSampler.sample_img2img, CompVisSampler.sample_img2img).
#
# Run with Debian 12's python3-torch 1.13.1+dfsg-4 (its torch.__version__
# says 1.13.0a0; CPU capability AVX2) and python3-numpy 1.24.2:
#   /usr/bin/python3 make-sampling-refs.py KDIFFUSION_DIR A1111_DIR
# KDIFFUSION_DIR holds k-diffusion's k_diffusion/ folder at commit
# 4601bf085320592473f681a62808ed873d17fad5 (its sampling.py and
# external.py equal those of v0.0.16, ab527a9a, which A1111 pins):
#   git -C k-diffusion archive 4601bf0 k_diffusion | tar -x -C KDIFFUSION_DIR
# A1111_DIR/modules holds these files of
# github.com/AUTOMATIC1111/stable-diffusion-webui, of which the script runs
# the functions named above and nothing else:
#   rng_philox.py                 ef1698fd6dbd6387341a1eeeded068ff1476ee50
#   sd_samplers_timesteps_impl.py 2035cbbd5d6e7678450c701fce1a5de7d8bd7084
#   sd_samplers_timesteps.py      1c77b18ac8971769dfc96fd79cb4e34b9a12555e
# (the rules written out below are from sd_samplers_timesteps.py as above,
# sd_samplers_common.py 044494d914f40cbbdfa32f518855cd65eebb44c9,
# sd_samplers_kdiffusion.py 01a40c62556b8cf3beb418e382760dd21811d3b2 and
# rng.py 0d5dc9a6e7f6362e423a06bf0e75dd5854025394).
#
# It writes sampling/references.json, sampling/samplers.npy (one row of
# 256 float32 per sampler case, in the order of references.json) and
# sampling/alphas-CONFIG.npy (ᾱ, float32).

import ast
import hashlib
import importlib.util
import json
import os
import sys
import types

import numpy as np
import torch

A = 0.4
B = 0.3
SHAPE = [1, 4, 8, 8]

CONFIGS = {
    'sd1': ('scaled_linear', 0.00085, 0.012, 1000),
    'ddpm': ('linear', 0.0001, 0.02, 1000),
}


def load_k_diffusion(folder):
    """k_diffusion's sampling, external and utils, without the package's
    __init__ (which imports training code) or the solvers' packages."""
    for name, attrs in [('scipy', ['integrate']), ('scipy.integrate', []), ('torchdiffeq', ['odeint']),
                        ('torchsde', []), ('safetensors', [])]:
        if name not in sys.modules:
            module = types.ModuleType(name)
            for attr in attrs:
                setattr(module, attr, None)
            sys.modules[name] = module
    package = types.ModuleType('k_diffusion')
    package.__path__ = [os.path.join(folder, 'k_diffusion')]
    sys.modules['k_diffusion'] = package
    import k_diffusion.external
    import k_diffusion.sampling
    return k_diffusion


def functions_of(path, names, namespace):
    """The top-level functions and classes @names of the file at @path,
    defined in @namespace."""
    tree = ast.parse(open(path, encoding='utf-8').read())
    nodes = [node for node in tree.body if getattr(node, 'name', None) in names]
    assert len(nodes) == len(names), path
    exec(compile(ast.Module(body=nodes, type_ignores=[]), path, 'exec'), namespace)
    return [namespace[name] for name in names]


def ldm_alphas_cumprod(beta_schedule, beta_start, beta_end, n):
    """ᾱ in float64 as LDM's make_beta_schedule and register_schedule make
    it (LDM calls scaled_linear "linear")."""
    if beta_schedule == 'scaled_linear':
        betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=torch.float64) ** 2
    else:
        betas = torch.linspace(beta_start, beta_end, n, dtype=torch.float64)
    return np.cumprod(1. - betas.numpy(), axis=0)


class LongIndexed:
    """A float32 buffer that takes the int32 indices A1111 gives it: torch
    1.13 indexes with int64 tensors only, the torch 2 A1111 runs on with
    both."""

    def __init__(self, values):
        self.tensor = torch.tensor(values, dtype=torch.float32)

    def __getitem__(self, key):
        return self.tensor[tuple(k.long() if isinstance(k, torch.Tensor) else k for k in key)]


class ToyModel:
    """The model object k-diffusion and A1111 wrap, with an elementwise
    "network" and LDM's buffers."""

    def __init__(self, alphas_cumprod):
        self.alphas_cumprod = torch.tensor(alphas_cumprod, dtype=torch.float32)
        self.sqrt_alphas_cumprod = LongIndexed(np.sqrt(alphas_cumprod))
        self.sqrt_one_minus_alphas_cumprod = LongIndexed(np.sqrt(1. - alphas_cumprod))

    def apply_model(self, x, t, cond=None):
        return A * x + B * torch.sin(t / 100)[:, None, None, None]


class TorchHijack:
    """A1111's sd_samplers_common.TorchHijack: the samplers' randn_like
    draws the image's next noise from its generator."""

    def __init__(self, generator):
        self.generator = generator

    def __getattr__(self, item):
        if item == 'randn_like':
            return lambda x: torch.randn(x.shape, generator=self.generator)
        return getattr(torch, item)


class OnePrompt:
    """A1111's CFGDenoiserTimesteps for a single prompt, where guidance does
    nothing: ddim finds ᾱ at model.inner_model.inner_model."""

    def __init__(self, inner_model):
        self.inner_model = inner_model

    def __call__(self, x, t):
        return self.inner_model(x, t)


def digest(values):
    return hashlib.sha256(np.ascontiguousarray(values, dtype='<f4').tobytes()).hexdigest()


def draw_record(values):
    """Small draws whole, large ones as a digest of their float32 bytes."""
    values = np.asarray(values, dtype=np.float32).ravel()
    if values.size <= 100:
        return {'n': int(values.size), 'values': [float(v) for v in values]}
    return {'n': int(values.size), 'sha256': digest(values), 'head': [float(v) for v in values[:8]]}


def rng_references(rng_philox):
    cpu = []
    for seed in [0, 1, 42, 123456789, 4294967295]:
        for n in [1, 7, 15, 16, 17, 100]:
            g = torch.Generator().manual_seed(seed)
            cpu.append({'seed': seed, 'draws': [draw_record(torch.randn(n, generator=g).numpy())]})
    for seed in [0, 123456789]:
        g = torch.Generator().manual_seed(seed)
        cpu.append({'seed': seed, 'draws': [draw_record(torch.randn(4, 64, 64, generator=g).numpy())]})
    # an image's first noise, then two ancestral steps' noise
    g = torch.Generator().manual_seed(3407)
    cpu.append({'seed': 3407, 'draws': [draw_record(torch.randn(4, 64, 64, generator=g).numpy()) for _ in range(3)]})
    # the scalar path keeps a spare value across draws, even a vector one
    g = torch.Generator().manual_seed(5)
    cpu.append({'seed': 5, 'draws': [draw_record(torch.randn(n, generator=g).numpy()) for n in [7, 100, 1, 3]]})

    nv = []
    for seed in [0, 1, 42, 4294967295, 2 ** 32 + 5]:
        for n in [1, 7, 16, 100]:
            nv.append({'seed': seed, 'draws': [draw_record(rng_philox.Generator(seed).randn([n]))]})
    for seed in [0, 123456789]:
        nv.append({'seed': seed, 'draws': [draw_record(rng_philox.Generator(seed).randn([4, 64, 64]))]})
    g = rng_philox.Generator(3407)
    nv.append({'seed': 3407, 'draws': [draw_record(g.randn([4, 64, 64])) for _ in range(3)]})
    g = rng_philox.Generator(5)
    nv.append({'seed': 5, 'draws': [draw_record(g.randn([n])) for n in [7, 100, 1, 3]]})
    return {'cpu': cpu, 'nv': nv}


def model_sigma_range(denoiser):
    """What A1111 gives get_sigmas_karras and get_sigmas_exponential."""
    return denoiser.sigmas[0].item(), denoiser.sigmas[-1].item()


def get_sigmas(k_diffusion, denoiser, spacing, n):
    sampling = k_diffusion.sampling
    sigma_min, sigma_max = model_sigma_range(denoiser)
    if spacing == 'normal':
        return denoiser.get_sigmas(n)
    if spacing == 'karras':
        return sampling.get_sigmas_karras(n=n, sigma_min=sigma_min, sigma_max=sigma_max)
    return sampling.get_sigmas_exponential(n=n, sigma_min=sigma_min, sigma_max=sigma_max)


def schedule_references(k_diffusion, folder):
    external = k_diffusion.external
    result = {}
    for name, (beta_schedule, beta_start, beta_end, n) in CONFIGS.items():
        alphas = ldm_alphas_cumprod(beta_schedule, beta_start, beta_end, n)
        np.save(os.path.join(folder, 'alphas-%s.npy' % name), alphas.astype(np.float32))
        model = ToyModel(alphas)
        eps = external.CompVisDenoiser(model)
        v = external.CompVisVDenoiser(model)

        probes = [0.01, eps.sigmas[0].item(), 0.05, 0.1, 0.5, 1.0, 2.5, 7.3, eps.sigmas[-1].item(), 20.0]
        probes += [eps.sigmas[t].item() for t in [1, 2, 500, 998]]
        times = [0.0, 0.5, 1.25, 17.0, 500.7, 998.9, 999.0]
        sigmas = torch.tensor(probes, dtype=torch.float32)
        c_out, c_in = eps.get_scalings(sigmas)
        v_skip, v_out, v_in = v.get_scalings(sigmas)
        result[name] = {
            'beta_schedule': beta_schedule, 'beta_start': beta_start, 'beta_end': beta_end, 'n_timesteps': n,
            'sigmas_of_model': [float(s) for s in eps.sigmas[[0, 1, 2, 499, 998, 999]]],
            'sigma_to_t': {'sigma': probes, 't': [float(t) for t in eps.sigma_to_t(sigmas)]},
            't_to_sigma': {'t': times,
                           'sigma': [float(s) for s in eps.t_to_sigma(torch.tensor(times, dtype=torch.float32))]},
            'scalings': {'sigma': probes,
                         'eps': {'c_out': c_out.tolist(), 'c_in': c_in.tolist()},
                         'v': {'c_skip': v_skip.tolist(), 'c_out': v_out.tolist(), 'c_in': v_in.tolist()}},
            'get_sigmas': [{'spacing': spacing, 'n': steps,
                            'sigmas': [float(s) for s in get_sigmas(k_diffusion, eps, spacing, steps)]}
                           for spacing in ['normal', 'karras', 'exponential'] for steps in [1, 10, 20, 37]],
        }
    return result


def ddim_timesteps(steps):
    """A1111's CompVisSampler.get_timesteps."""
    return torch.clip(torch.asarray(list(range(0, 1000, 1000 // steps))) + 1, 0, 999)


def img2img_steps(steps, denoise, exact_steps):
    """A1111's sd_samplers_common.setup_img2img_steps."""
    if exact_steps:
        return int(steps / min(denoise, 0.999)), steps - 1
    return steps, int(min(denoise, 0.999) * steps)


def init_latent():
    """The latent img2img redraws: 0.8 sin(0.1 i), float64 rounded to float32."""
    return torch.tensor(0.8 * np.sin(0.1 * np.arange(256)), dtype=torch.float32).reshape(SHAPE)


K_SAMPLERS = {
    'euler': 'sample_euler',
    'euler_a': 'sample_euler_ancestral',
    'heun': 'sample_heun',
    'dpmpp_2m': 'sample_dpmpp_2m',
    'dpmpp_2s_a': 'sample_dpmpp_2s_ancestral',
}


def run_case(k_diffusion, a1111, case):
    ddim, eps_wrapper, v_wrapper = a1111
    model = ToyModel(ldm_alphas_cumprod(*CONFIGS['sd1']))
    generator = torch.Generator().manual_seed(case['seed'])
    noise = torch.randn(SHAPE, generator=generator)
    k_diffusion.sampling.torch = TorchHijack(generator)

    if case['sampler'] == 'ddim':
        denoiser = OnePrompt((v_wrapper if case['prediction'] == 'v' else eps_wrapper)(model))
        if case['mode'] == 'txt2img':
            timesteps = ddim_timesteps(case['steps'])
            x = noise
        else:
            steps, t_enc = img2img_steps(case['steps'], case['denoise'], case['exact_steps'])
            all_timesteps = ddim_timesteps(steps)
            timesteps = all_timesteps[:t_enc]
            alpha = model.alphas_cumprod[all_timesteps[t_enc]]
            x = init_latent() * torch.sqrt(alpha) + noise * torch.sqrt(1 - alpha)
            case['timesteps'] = [int(t) for t in timesteps]
        return ddim(denoiser, x, timesteps, disable=True)

    external = k_diffusion.external
    denoiser = (external.CompVisVDenoiser if case['prediction'] == 'v' else external.CompVisDenoiser)(model)
    sample = getattr(k_diffusion.sampling, K_SAMPLERS[case['sampler']])
    if case['mode'] == 'txt2img':
        sigmas = get_sigmas(k_diffusion, denoiser, case['spacing'], case['steps'])
        x = noise * sigmas[0]
    else:
        steps, t_enc = img2img_steps(case['steps'], case['denoise'], case['exact_steps'])
        sigmas = get_sigmas(k_diffusion, denoiser, case['spacing'], steps)[steps - t_enc - 1:]
        x = init_latent() + noise * sigmas[0]
        case['sigmas'] = [float(s) for s in sigmas]
    return sample(denoiser, x, sigmas, extra_args={'cond': None}, disable=True)


def sampler_cases():
    cases = []
    for prediction in ['eps', 'v']:
        for sampler in K_SAMPLERS:
            for spacing in ['normal', 'karras', 'exponential']:
                cases.append({'mode': 'txt2img', 'sampler': sampler, 'spacing': spacing, 'prediction': prediction,
                              'steps': 10})
        cases.append({'mode': 'txt2img', 'sampler': 'ddim', 'spacing': 'normal', 'prediction': prediction,
                      'steps': 10})
    for sampler in list(K_SAMPLERS) + ['ddim']:
        for denoise in [0.35, 0.75]:
            cases.append({'mode': 'img2img', 'sampler': sampler, 'spacing': 'normal', 'prediction': 'eps',
                          'steps': 20, 'denoise': denoise, 'exact_steps': False})
    cases += [
        {'mode': 'img2img', 'sampler': 'euler_a', 'spacing': 'karras', 'prediction': 'v', 'steps': 20,
         'denoise': 0.35, 'exact_steps': False},
        {'mode': 'img2img', 'sampler': 'ddim', 'spacing': 'normal', 'prediction': 'v', 'steps': 20,
         'denoise': 0.75, 'exact_steps': False},
        {'mode': 'img2img', 'sampler': 'euler_a', 'spacing': 'normal', 'prediction': 'eps', 'steps': 20,
         'denoise': 0.35, 'exact_steps': True},
        {'mode': 'img2img', 'sampler': 'dpmpp_2m', 'spacing': 'karras', 'prediction': 'eps', 'steps': 20,
         'denoise': 0.75, 'exact_steps': True},
        {'mode': 'img2img', 'sampler': 'ddim', 'spacing': 'normal', 'prediction': 'eps', 'steps': 20,
         'denoise': 0.35, 'exact_steps': True},
    ]
    for number, case in enumerate(cases):
        case['seed'] = 1000 + number
    return cases


def main():
    k_diffusion = load_k_diffusion(sys.argv[1])
    modules = os.path.join(sys.argv[2], 'modules')
    spec = importlib.util.spec_from_file_location('rng_philox', os.path.join(modules, 'rng_philox.py'))
    rng_philox = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rng_philox)
    import tqdm
    (ddim,) = functions_of(os.path.join(modules, 'sd_samplers_timesteps_impl.py'), ['ddim'],
                           {'torch': torch, 'tqdm': tqdm, 'np': np, 'k_diffusion': k_diffusion})
    eps_wrapper, v_wrapper = functions_of(os.path.join(modules, 'sd_samplers_timesteps.py'),
                                          ['CompVisTimestepsDenoiser', 'CompVisTimestepsVDenoiser'],
                                          {'torch': torch})

    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sampling')
    os.makedirs(folder, exist_ok=True)
    references = {
        'versions': {'torch': torch.__version__, 'numpy': np.__version__,
                     'torch_cpu_capability': torch.__config__.show().split('CPU capability usage: ')[1].split()[0],
                     'k_diffusion': '4601bf085320592473f681a62808ed873d17fad5',
                     'a1111_rng_philox': 'ef1698fd6dbd6387341a1eeeded068ff1476ee50',
                     'a1111_sd_samplers_timesteps_impl': '2035cbbd5d6e7678450c701fce1a5de7d8bd7084',
                     'a1111_sd_samplers_timesteps': '1c77b18ac8971769dfc96fd79cb4e34b9a12555e'},
        'rng': rng_references(rng_philox),
        'schedules': schedule_references(k_diffusion, folder),
        'toy': {'a': A, 'b': B, 'shape': SHAPE, 'config': 'sd1'},
    }
    cases = sampler_cases()
    outputs = [run_case(k_diffusion, (ddim, eps_wrapper, v_wrapper), case).numpy().ravel() for case in cases]
    references['samplers'] = cases
    np.save(os.path.join(folder, 'samplers.npy'), np.stack(outputs).astype(np.float32))
    with open(os.path.join(folder, 'references.json'), 'w', encoding='utf-8') as stream:
        json.dump(references, stream, indent=1)
        stream.write('\n')


if __name__ == '__main__':
    main()
