#!/usr/bin/python3
# make-scunet-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for SCUNet: random-weight models built by spandrel's own
# SCUNet class at small sizes, saved as .pth (the first also as
# .safetensors), loaded back through spandrel's ModelLoader (which must
# detect the architecture and every hyper-parameter from the file alone)
# and run on small random inputs, fp32 on the CPU, the way spandrel's
# ImageModelDescriptor calls it (padded to its minimum of 40 by
# pad_tensor, reflected to a multiple of 64 by the model's forward,
# cropped) but without the final clamp.
#
# SCUNet's attention heads are 32 channels wide, hard-coded, which makes
# the narrowest model (64 features, 512 at the deepest stage) megabytes:
# here the head width is HEAD_DIM while the models are made and loaded,
# as a property of the class that ignores the constructor's 32. Tessera
# reads the heads from the relative position tables' shapes.
#
# Run with Debian's python3-torch (1.13) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b and einops v0.8.2:
#   /usr/bin/python3 make-scunet-refs.py SPANDREL_LIBS EINOPS
# It writes scunet/<name>.pth, <name>.<W>x<H>.input.npy and
# <name>.<W>x<H>.output.npy (float32, 1 × C × H × W, not clamped), the
# same bytes on every run.

import importlib.util
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# name, head width, keyword arguments, inputs W × H, also as .safetensors
MODELS = [
    # Colour: two blocks (a plain and a shifted window) in the outer
    # stages, one in the others; 1, 2, 4 and 8 heads of 2.
    ('scunet-color', 2, dict(in_nc=3, dim=4, config=[2, 1, 1, 1, 1, 1, 2]),
     [(24, 20), (70, 45)], True),
    # Gray, no blocks in the third stages and the body, heads of 4.
    ('scunet-gray', 4, dict(in_nc=1, dim=8, config=[1, 2, 0, 0, 0, 2, 1]),
     [(41, 64)], False),
]


def randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith('relative_position_params'):
                tensor.copy_(torch.randn(tensor.shape, generator=generator))
                continue
            # Residual branches at half the usual gain, which keeps
            # the outputs of a few units.
            fan_in = tensor[0].numel() if tensor.dim() > 1 else 1
            tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.5 / fan_in ** 0.5)
            if name.endswith(('ln1.weight', 'ln2.weight')):
                tensor.add_(1.0)


def main():
    spandrel_libs, einops_root = sys.argv[1:3]
    sys.path[:0] = [spandrel_libs, einops_root]
    spec = importlib.util.spec_from_file_location('mosr', os.path.join(HERE, 'make-mosr-refs.py'))
    mosr = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mosr)
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = mosr.load_safetensors
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    functional = types.ModuleType('torchvision.transforms.functional')
    functional.InterpolationMode = functional.rotate = functional.normalize = None
    sys.modules['torchvision'] = types.ModuleType('torchvision')
    sys.modules['torchvision.transforms'] = types.ModuleType('torchvision.transforms')
    sys.modules['torchvision.transforms.functional'] = functional
    import spandrel
    from spandrel.architectures.SCUNet import SCUNet
    from spandrel.__helpers.size_req import pad_tensor

    spec = importlib.util.spec_from_file_location('containers', os.path.join(HERE, 'make-containers.py'))
    containers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(containers)

    torch.set_num_threads(2)
    folder = os.path.join(HERE, 'scunet')
    os.makedirs(folder, exist_ok=True)
    for seed, (name, head_dim, kwargs, sizes, safetensors) in enumerate(MODELS):
        SCUNet.head_dim = property(lambda self, width=head_dim: width, lambda self, value: None)
        torch.manual_seed(seed)
        model = SCUNet(**kwargs)
        randomize(model, seed)
        model.eval()
        path = os.path.join(folder, name + '.pth')
        torch.save(model.state_dict(), path)
        paths = [path]
        if safetensors:
            paths.append(os.path.join(folder, name + '.safetensors'))
            containers.write_safetensors(model.state_dict(), paths[-1])

        for case, (w, h) in enumerate(sizes):
            x = torch.rand(1, kwargs['in_nc'], h, w, generator=torch.Generator().manual_seed(100 + 10 * seed + case))
            outputs = []
            for p in paths:
                loaded = spandrel.ModelLoader().load_from_file(p)
                assert loaded.architecture.id == 'SCUNet', loaded.architecture.id
                assert loaded.scale == 1, (name, loaded.scale)
                for key, value in kwargs.items():
                    assert loaded.model.hyperparameters[key] == value, (name, key, loaded.model.hyperparameters[key])
                loaded.model.eval()
                with torch.no_grad():
                    _, padded = pad_tensor(x.clone(), loaded.size_requirements)
                    outputs.append(loaded._call_fn(loaded.model, padded)[..., :h, :w])
            y = outputs[0]
            assert all(torch.equal(y, other) for other in outputs[1:])
            assert y.shape == x.shape, y.shape
            base = os.path.join(folder, '%s.%dx%d' % (name, w, h))
            np.save(base + '.input.npy', x.numpy().astype(np.float32))
            np.save(base + '.output.npy', y.numpy().astype(np.float32))
            print(name, w, h, os.path.getsize(path), 'bytes, output range', float(y.min()), float(y.max()))
        del SCUNet.head_dim


if __name__ == '__main__':
    main()
