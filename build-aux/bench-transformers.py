#!/usr/bin/env python3
# The PyTorch side of the transformer benchmark (docs/benchmarks.md, issue
# 9): builds a random-weight network of a real model's size with spandrel's
# own architecture code, saves its state dict where Tessera reads it, and
# times it on the CUDA GPU, whole image, in fp32 and in bf16 (the half
# precision spandrel allows these architectures; it refuses fp16 for them)
# under autocast, since casting the module to bf16 fails where spandrel
# makes a float32 shift mask for the input's size. Eager mode, as chaiNNer
# and ComfyUI run it. Prints one JSON line per precision. Then time the same file with
#   tessera-cli bench --device cuda --size SIZE -m FILE [--precision fp32]
#
# Usage: build-aux/bench-transformers.py ARCH OUT.pth [--size 512] [--repeat 5]
#   ARCH: swinir-m (SwinIR-M ×4, classical) or dat (DAT ×4, as 4x-Nomos8kDAT)
# Needs torch with CUDA, and spandrel's and einops' sources on PYTHONPATH
# (spandrel's package __init__ files may be emptied so that only the
# architecture modules are imported).
import argparse
import json
import sys
import time

CONFIGS = {
    # SwinIR-M, classical ×4 (001_classicalSR_DF2K_s64w8_SwinIR-M_x4).
    'swinir-m': dict(upscale=4, in_chans=3, img_size=64, window_size=8, img_range=1.0,
                     depths=[6] * 6, embed_dim=180, num_heads=[6] * 6, mlp_ratio=2.0,
                     upsampler='pixelshuffle', resi_connection='1conv'),
    # DAT ×4, the size of 4x-Nomos8kDAT.
    'dat': dict(upscale=4, in_chans=3, img_size=64, img_range=1.0, split_size=[8, 32],
                depth=[6] * 6, embed_dim=180, num_heads=[6] * 6, expansion_factor=4.0,
                resi_connection='1conv', upsampler='pixelshuffle', qkv_bias=True),
}


def build(arch):
    if arch == 'swinir-m':
        from spandrel.architectures.SwinIR.__arch.SwinIR import SwinIR
        return SwinIR(**CONFIGS[arch])
    from spandrel.architectures.DAT.__arch.DAT import DAT
    return DAT(**CONFIGS[arch])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('arch', choices=sorted(CONFIGS))
    parser.add_argument('output')
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()

    import torch

    torch.manual_seed(9)
    model = build(args.arch).eval()
    torch.save(model.state_dict(), args.output)
    params = sum(p.numel() for p in model.parameters())
    if not torch.cuda.is_available():
        print(json.dumps({'arch': args.arch, 'saved': args.output, 'params': params, 'cuda': False}))
        return

    x = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(1))
    net = model.cuda()
    xin = x.cuda()
    for name in ('fp32', 'bf16'):
        times = []
        torch.cuda.reset_peak_memory_stats()
        with torch.inference_mode(), torch.autocast('cuda', dtype=torch.bfloat16, enabled=name == 'bf16'):
            for i in range(args.repeat + 1):
                torch.cuda.synchronize()
                start = time.perf_counter()
                y = net(xin)
                torch.cuda.synchronize()
                if i > 0:   # the first run warms up
                    times.append(time.perf_counter() - start)
        print(json.dumps({'arch': args.arch, 'precision': name, 'size': args.size, 'params': params,
                          'best_s': round(min(times), 4), 'median_s': round(sorted(times)[len(times) // 2], 4),
                          'peak_mib': round(torch.cuda.max_memory_allocated() / 2 ** 20),
                          'out_shape': list(y.shape), 'torch': torch.__version__,
                          'tf32_matmul': torch.backends.cuda.matmul.allow_tf32,
                          'device': torch.cuda.get_device_name()}), flush=True)
        del y
        torch.cuda.empty_cache()


if __name__ == '__main__':
    sys.exit(main())
