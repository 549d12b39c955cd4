#!/bin/bash
# Times a SwinIR-M and a DAT ×4 of random weights in PyTorch (spandrel's
# own modules, fp32 and bf16) and in Tessera (fp16 and fp32), from the same
# .pth, on the same CUDA GPU, whole image: the figures of docs/benchmarks.md.
# Usage:
#   PYTHONPATH=SPANDREL/libs/spandrel:EINOPS build-aux/bench-transformers.sh [TESSERA_CLI] [SIZE]
# spandrel's package __init__ files may be emptied so that only the
# architecture modules are imported (no torchvision or safetensors needed).
set -u
cli=${1:-_build/src/cli/tessera-cli}
size=${2:-512}
here=$(dirname "$0")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for arch in swinir-m dat; do
  echo "=== $arch, ${size}×${size}"
  python3 "$here/bench-transformers.py" "$arch" "$work/$arch.pth" --size "$size" --repeat 5 2>/dev/null
  for precision in fp16 fp32; do
    seconds=$("$cli" bench --device cuda --precision $precision --size "$size" -r 3 -m "$work/$arch.pth" --json |
              python3 -c 'import json, sys; print(json.load(sys.stdin)["models"][0]["seconds"])')
    echo "{\"arch\": \"$arch\", \"tessera\": \"$precision\", \"size\": $size, \"best_s\": $seconds}"
  done
done
