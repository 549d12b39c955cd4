#!/usr/bin/env bash
# The redraw on a GPU (docs/benchmarks.md, "To be measured"): with an SD
# 1.5-shaped checkpoint of random weights, through tessera-cli redraw on
# --device cuda,
#
#   1. a 512 × 512 img2img, strength 0.35, 20 steps, whose fastest UNet
#      call is the single call's time (the first builds the graph);
#   2. a 1024 → 2048 Ultimate SD upscale (Lanczos first stage, 512-pixel
#      tiles, strength 0.35, 20 steps),
#
# each printed as its wall time beside the sum of its parts (its UNet
# calls × its own fastest call, at its own latent size: 576² crops for the
# tiles; VAE encode and decode; first stage), with the peak device
# memory. What the parts leave out is the overhead to look for. The parts come from the engine's debug summary
# (G_MESSAGES_DEBUG=tessera-redraw,tessera-redraw-networks).
#
# Usage: build-aux/bench-redraw-gpu.sh [--tiny] [--device=DEVICE]
#
#   --tiny    the tiny test model (tests/data/sd/sd1.safetensors) on the
#             CPU at small sizes: the script's plumbing, in seconds
#
# Once, under ${XDG_CACHE_HOME:-~/.cache}/tessera/bench-redraw/, it exports
# diffusers v0.19.3 and huggingface_hub v0.16.4 from their git mirrors
# ($TESSERA_MIRRORS, default /work/.mirror) and writes the checkpoint
# (bench-redraw-model.py, about 2 GB). Needs Debian's python3-torch there.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tessera/bench-redraw"
mirrors=${TESSERA_MIRRORS:-/work/.mirror}
tiny=false
device=cuda
for arg in "$@"; do
  case $arg in
    --tiny) tiny=true ;;
    --device=*) device=${arg#--device=} ;;
    *) echo "usage: $0 [--tiny] [--device=DEVICE]" >&2; exit 2 ;;
  esac
done

if $tiny; then
  checkpoint="$top/tests/data/sd/sd1.safetensors"
  [ "$device" = cuda ] && device=cpu
  # the tiny VAE is × 2, so its latents are 4 times an SD VAE's: small sizes
  size=32 usdu_in=32 usdu_out=64 tile=32 padding=8 steps=4
else
  checkpoint="$cache/sd15-random.safetensors"
  size=512 usdu_in=1024 usdu_out=2048 tile=512 padding=32 steps=20
fi

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" src/cli/tessera-cli >/dev/null
cli="$build/src/cli/tessera-cli"

if ! $tiny && [ ! -f "$checkpoint" ]; then
  export_tag () { # MIRROR TAG DIRECTORY
    if [ ! -d "$3/src" ]; then
      mkdir -p "$3.part"
      git -C "$mirrors/$1/repo" archive "$2" src | tar -x -C "$3.part"
      mv "$3.part" "$3"
    fi
  }
  mkdir -p "$cache"
  export_tag huggingface+diffusers v0.19.3 "$cache/diffusers"
  export_tag huggingface+huggingface_hub v0.16.4 "$cache/hub"
  PYTHONPATH="$cache/diffusers/src:$cache/hub/src" \
    /usr/bin/python3 "$top/build-aux/bench-redraw-model.py" "$checkpoint"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# random pixels as a binary PPM: the cost does not depend on what they show
noise () { # WIDTH HEIGHT FILE
  { printf 'P6\n%u %u\n255\n' "$1" "$2"; head -c $(($1 * $2 * 3)) /dev/urandom; } >"$3"
}
noise "$size" "$size" "$work/img2img.ppm"
noise "$usdu_in" "$usdu_in" "$work/usdu.ppm"

# RUN NAME ARGS…: the CLI's wall time beside the engine's summary (GLib
# writes debug messages to stdout)
run () {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  G_MESSAGES_DEBUG=tessera-redraw,tessera-redraw-networks \
    "$cli" redraw "$@" --checkpoint "$checkpoint" --device "$device" --seed 1 \
      --steps "$steps" --denoise 0.35 --prompt "a house by a lake" --overwrite -q >"$work/$name.log" 2>&1
  end=$(date +%s.%N)
  summary=$(grep -o 'Redraw: .*' "$work/$name.log" | tail -n 1)
  memory=$(grep -o 'Device memory: [0-9.]* MiB' "$work/$name.log" | tail -n 1 | grep -o '[0-9.]*' || echo '?')
  awk -v name="$name" -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" -v memory="$memory" '
    {
      for (i = 1; i <= NF; i++)
        {
          if ($i == "all,") total = $(i - 3)
          if ($i == "stage") first = $(i + 1)
          if ($i == "UNet") { calls = $(i - 1); unet = $(i + 2) }
          if ($i == "(fastest") fastest = $(i + 1) / 1000
          if ($i == "encode") encode = $(i + 1)
          if ($i == "decode") decode = $(i + 1)
        }
      parts = calls * fastest + encode + decode + first
      printf "%s: wall %.2f s (CLI), %.2f s (engine); parts %.2f s = %d UNet calls × %.1f ms + VAE encode %.2f s + decode %.2f s + first stage %.2f s; UNet calls took %.2f s in all; peak device memory %s MiB\n",
             name, wall, total, parts, calls, fastest * 1000, encode, decode, first, unet, memory
    }' <<<"$summary"
}

echo "device: $device; checkpoint: $checkpoint"
if [ "$device" = cuda ] && command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
fi

run img2img "$work/img2img.ppm" -o "$work/img2img.png" --tiles none
echo "one UNet call ($size × $size, batch 1): $(grep -o 'fastest [0-9.]*' "$work/img2img.log" | tail -n 1 | cut -d ' ' -f 2) ms"
run usdu "$work/usdu.ppm" -o "$work/usdu.png" --tiles usdu --width "$usdu_out" --height "$usdu_out" \
  --tile-width "$tile" --tile-height "$tile" --padding "$padding"
