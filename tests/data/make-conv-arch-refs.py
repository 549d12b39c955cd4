#!/usr/bin/python3
# make-conv-arch-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for the convolutional restoration and upscaling
# architectures (RCAN, DnCNN, DRUNet, FBCNN, PLKSR, RealPLKSR): random-weight models built by spandrel's
# own architecture classes at small configurations, saved as .pth, loaded
# back through spandrel's ModelLoader (which must detect the architecture
# and the hyper-parameters from the file alone), and run on a small random
# input, fp32 on the CPU, the way spandrel's ImageModelDescriptor calls
# it (padded to its size requirements, its call function adding the noise
# map of FDnCNN and DRUNet, cropped) but without the final clamp.
#
# Run with Debian's python3-torch (1.13) and the
# sources of spandrel at commit b0c3eb2d044112a5302200757e84f839b971393b
# and einops v0.8.2:
#   /usr/bin/python3 make-conv-arch-refs.py SPANDREL_LIBS EINOPS
# It writes <arch>/<name>.pth, <name>.input.npy and <name>.output.npy
# (float32, 1 × C × H × W, not clamped), and for the models with a
# noise-level input <name>.sigma30.output.npy at σ = 30 (spandrel's call
# uses 15), and for FBCNN <name>.qf40.output.npy with the quality factor
# 40 given (qf_input 1 − 40/100), the same bytes on every run.
#
# FBCNN's quality-factor branches are Linear layers of a hard-coded width
# 512, which would make the smallest file tens of megabytes: here each 512
# of them is the deepest stage's channels (which the first one reads)
# while the model is made and loaded. Tessera reads those widths
# from the file.

import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# folder, name, spandrel architecture id, class, keyword arguments,
# input channels, input W × H, expected scale
MODELS = [
    ('rcan', 'rcan-x2', 'RCAN', 'RCAN',
     dict(scale=2, n_resgroups=2, n_resblocks=2, n_feats=16, reduction=4), 3, (13, 11), 2),
    ('rcan', 'rcan-x3-nonorm', 'RCAN', 'RCAN',
     dict(scale=3, n_resgroups=1, n_resblocks=2, n_feats=8, reduction=2, norm=False), 3, (9, 10), 3),
    ('rcan', 'rcan-x1-unshuffle', 'RCAN', 'RCAN',
     dict(scale=1, n_resgroups=1, n_resblocks=1, n_feats=16, reduction=4, unshuffle_mod=True), 3, (15, 13), 1),
    ('dncnn', 'dncnn-r', 'DnCNN', 'DnCNN',
     dict(in_nc=3, out_nc=3, nc=16, nb=8, act_mode='R'), 3, (17, 13), 1),
    ('dncnn', 'dncnn-br-gray', 'DnCNN', 'DnCNN',
     dict(in_nc=1, out_nc=1, nc=8, nb=5, act_mode='BR'), 1, (14, 16), 1),
    ('dncnn', 'fdncnn', 'DnCNN', 'DnCNN',
     dict(in_nc=4, out_nc=3, nc=8, nb=8, act_mode='R', mode='FDnCNN'), 3, (12, 9), 1),
    ('drunet', 'drunet-color', 'DRUNet', 'DRUNet',
     dict(in_nc=4, out_nc=3, nc=[8, 8, 16, 16], nb=2), 3, (21, 19), 1),
    ('drunet', 'drunet-gray', 'DRUNet', 'DRUNet',
     dict(in_nc=2, out_nc=1, nc=[4, 8, 8, 12], nb=2), 1, (16, 24), 1),
    ('fbcnn', 'fbcnn-color', 'FBCNN', 'FBCNN',
     dict(in_nc=3, out_nc=3, nc=[4, 8, 8, 16], nb=2), 3, (21, 19), 1),
    ('fbcnn', 'fbcnn-gray', 'FBCNN', 'FBCNN',
     dict(in_nc=1, out_nc=1, nc=[4, 4, 8, 8], nb=2), 1, (16, 12), 1),
    ('plksr', 'plksr-ccm-x2', 'PLKSR', 'PLKSR',
     dict(dim=16, n_blocks=2, upscaling_factor=2, ccm_type='CCM', kernel_size=17, split_ratio=0.25), 3, (19, 15), 2),
    ('plksr', 'plksr-iccm-noea-x3', 'PLKSR', 'PLKSR',
     dict(dim=12, n_blocks=2, upscaling_factor=3, ccm_type='ICCM', kernel_size=9, split_ratio=0.5,
          use_ea=False), 3, (11, 13), 3),
    ('plksr', 'plksr-dccm-x1', 'PLKSR', 'PLKSR',
     dict(dim=8, n_blocks=1, upscaling_factor=1, ccm_type='DCCM', kernel_size=13, split_ratio=0.25), 3, (16, 16), 1),
    ('plksr', 'realplksr-x4', 'PLKSR', 'RealPLKSR',
     dict(dim=16, n_blocks=2, upscaling_factor=4, kernel_size=17, split_ratio=0.25), 3, (13, 11), 4),
    ('plksr', 'realplksr-layernorm-x2', 'PLKSR', 'RealPLKSR',
     dict(dim=8, n_blocks=2, upscaling_factor=2, kernel_size=11, split_ratio=0.375, layer_norm=True), 3, (14, 9), 2),
    ('plksr', 'realplksr-dysample-x2', 'PLKSR', 'RealPLKSR',
     dict(dim=8, n_blocks=1, upscaling_factor=2, kernel_size=7, split_ratio=0.25, dysample=True), 3, (12, 10), 2),
    ('plksr', 'realplksr-dysample-x3', 'PLKSR', 'RealPLKSR',
     dict(dim=8, n_blocks=1, upscaling_factor=3, kernel_size=9, split_ratio=0.5, dysample=True), 3, (11, 9), 3),
]


def narrow_linear(width):
    """nn.Linear with FBCNN's width 512 made @width."""

    class NarrowLinear(torch.nn.Linear):
        def __init__(self, in_features, out_features, *args, **kwargs):
            narrow = lambda n: width if n == 512 else n  # noqa: E731
            super().__init__(narrow(in_features), narrow(out_features), *args, **kwargs)

    return NarrowLinear


def randomize(model, seed):
    """Random weights, and random batch-norm statistics so that folding
    them into the convolutions is tested."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if name.endswith('running_var'):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            elif name.startswith(('sub_mean', 'add_mean')):
                continue
            else:
                fan_in = tensor[0].numel() if tensor.dim() > 1 else 1
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in ** 0.5)


def main():
    spandrel_libs, einops_root = sys.argv[1:3]
    sys.path[:0] = [spandrel_libs, einops_root]
    # Debian 12 has no safetensors package; spandrel imports it at load
    # time but reads a .pth without it.
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = None
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    # Nor torchvision, which only LaMa and a face model import (for
    # functions these models never call).
    functional = types.ModuleType('torchvision.transforms.functional')
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    sys.modules['torchvision'] = types.ModuleType('torchvision')
    sys.modules['torchvision.transforms'] = types.ModuleType('torchvision.transforms')
    sys.modules['torchvision.transforms.functional'] = functional
    import spandrel
    import spandrel.architectures.DnCNN as dncnn
    import spandrel.architectures.DRUNet as drunet
    import spandrel.architectures.FBCNN as fbcnn
    import spandrel.architectures.PLKSR as plksr
    import spandrel.architectures.RCAN as rcan
    from spandrel.__helpers.size_req import pad_tensor

    modules = {'RCAN': rcan, 'DnCNN': dncnn, 'DRUNet': drunet, 'FBCNN': fbcnn, 'PLKSR': plksr}
    torch.set_num_threads(2)

    linear = torch.nn.Linear
    for seed, (folder, name, arch, cls, kwargs, channels, (w, h), scale) in enumerate(MODELS):
        torch.nn.Linear = narrow_linear(kwargs['nc'][3]) if arch == 'FBCNN' else linear
        torch.manual_seed(seed)
        model = getattr(modules[arch], cls)(**kwargs)
        randomize(model, seed)
        model.eval()
        os.makedirs(os.path.join(HERE, folder), exist_ok=True)
        path = os.path.join(HERE, folder, name + '.pth')
        torch.save(model.state_dict(), path)

        loaded = spandrel.ModelLoader().load_from_file(path)
        assert loaded.architecture.id == arch, loaded.architecture.id
        assert loaded.scale == scale, (name, loaded.scale)
        for key, value in kwargs.items():
            assert loaded.model.hyperparameters[key] == value, (name, key, loaded.model.hyperparameters[key])
        loaded.model.eval()

        x = torch.rand(1, channels, h, w, generator=torch.Generator().manual_seed(100 + seed))
        with torch.no_grad():
            _, padded = pad_tensor(x.clone(), loaded.size_requirements)
            y = loaded._call_fn(loaded.model, padded)[..., :h * scale, :w * scale]
        assert y.shape == (1, channels, h * scale, w * scale), y.shape
        np.save(os.path.join(HERE, folder, name + '.input.npy'), x.numpy().astype(np.float32))
        np.save(os.path.join(HERE, folder, name + '.output.npy'), y.numpy().astype(np.float32))
        if arch == 'DRUNet' or kwargs.get('mode') == 'FDnCNN':
            # Another noise level, as Tessera's denoise setting 0.6 asks
            # (σ = 0.6 × 50 on 0–255), in the map spandrel's call makes.
            with torch.no_grad():
                _, padded = pad_tensor(x.clone(), loaded.size_requirements)
                level = torch.full((1, 1) + padded.shape[2:], 30 / 255)
                y = loaded.model(torch.cat([padded, level], dim=1))[..., :h, :w]
            np.save(os.path.join(HERE, folder, name + '.sigma30.output.npy'), y.numpy().astype(np.float32))
        if arch == 'FBCNN':
            with torch.no_grad():
                y = loaded.model(x.clone(), torch.tensor([[1 - 40 / 100]]))[0]
            np.save(os.path.join(HERE, folder, name + '.qf40.output.npy'), y.numpy().astype(np.float32))
        torch.nn.Linear = linear
        print(name, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))


if __name__ == '__main__':
    main()
