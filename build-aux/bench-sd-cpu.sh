#!/usr/bin/env bash
# The Stable Diffusion UNet on the CPU, Tessera beside diffusers, in one
# run (docs/benchmarks.md): one guidance step's UNet work at a 32 × 32
# latent (a 256 × 256 image) with SD 1.5's shapes and random weights, on
# the same number of threads. diffusers runs cond and uncond as a batch of
# two in one call; Tessera is timed on the same batch of two in one call,
# as two calls of one latent each, and as one such call alone. The
# outputs are compared.
#
# Usage: build-aux/bench-sd-cpu.sh [THREADS [RUNS]]   (default: every core, 3)
#
# Once, under ${XDG_CACHE_HOME:-~/.cache}/tessera/bench-sd/, it exports
# diffusers v0.19.3 and huggingface_hub v0.16.4 from their git mirrors
# ($TESSERA_MIRRORS, default /work/.mirror) and writes the 3.4 GB model
# folder (bench-sd-diffusers.py make). Needs Debian's python3-torch and
# the packages bench-sd-diffusers.py lists; memory for two copies of the
# model (about 8 GB).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
threads=${1:-$(nproc)}
runs=${2:-3}
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tessera/bench-sd"
mirrors=${TESSERA_MIRRORS:-/work/.mirror}
folder="$cache/sd15-unet"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" tests/bench/bench-sd-unet >/dev/null

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
export PYTHONPATH="$cache/diffusers/src:$cache/hub/src"
# Both sides on $threads threads: torch through set_num_threads (and OpenMP),
# Tessera through its pool's limit; OpenBLAS runs single-threaded inside
# Tessera's pool either way.
export OMP_NUM_THREADS=$threads
/usr/bin/python3 "$top/build-aux/bench-sd-diffusers.py" make "$folder"

echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores;" \
     "load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
results=$( {
  /usr/bin/python3 "$top/build-aux/bench-sd-diffusers.py" run "$folder" "$data" "$threads" "$runs"
  "$build/tests/bench/bench-sd-unet" "$runs" "$threads" "$folder" "$data"
} )
grep -E '^torch ' <<<"$results"

# "NAME t1 t2 …" → "best median"
stats () {
  grep -E "^$1 " <<<"$results" | cut -d ' ' -f 2- | tr ' ' '\n' | sort -g |
    awk '{ t[NR] = $1 } END { printf "%.2f %.2f\n", t[1], t[int(NR / 2) + 1] }'
}
read -r diffusers_best diffusers_median < <(stats diffusers)
read -r pair_best pair_median < <(stats tessera-pair)
read -r one_best one_median < <(stats tessera-one)
read -r batch_best batch_median < <(stats tessera-batch)

ratio () { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "UNet, SD 1.5 shapes, 4 × 32 × 32 latent, 77 tokens, fp32, $threads threads, best and median of $runs (s);"
echo "r: Tessera's time over diffusers' (below 1: Tessera faster)"
printf '  %-40s %7s %7s %7s %8s\n' "" best median "r best" "r median"
printf '  %-40s %7.2f %7.2f\n' "diffusers, cond + uncond (one batch of 2)" "$diffusers_best" "$diffusers_median"
printf '  %-40s %7.2f %7.2f %7s %8s\n' "Tessera, cond + uncond (two calls)" "$pair_best" "$pair_median" \
       "$(ratio "$pair_best" "$diffusers_best")" "$(ratio "$pair_median" "$diffusers_median")"
printf '  %-40s %7.2f %7.2f %7s %8s\n' "Tessera, cond + uncond (one batch of 2)" "$batch_best" "$batch_median" \
       "$(ratio "$batch_best" "$diffusers_best")" "$(ratio "$batch_median" "$diffusers_median")"
printf '  %-40s %7.2f %7.2f\n' "Tessera, one call" "$one_best" "$one_median"
echo "Tessera: loading the folder $(grep '^tessera-load ' <<<"$results" | cut -d ' ' -f 2) s," \
     "building the graph $(grep '^tessera-build ' <<<"$results" | cut -d ' ' -f 2) s;" \
     "$(grep '^tessera-threads ' <<<"$results" | cut -d ' ' -f 2) threads"
echo "output against diffusers', max |Δ| / max |diffusers|:" \
     "cond $(grep '^relative-error-0 ' <<<"$results" | cut -d ' ' -f 2)," \
     "uncond $(grep '^relative-error-1 ' <<<"$results" | cut -d ' ' -f 2);" \
     "batch of 2: cond $(grep '^relative-error-batch-0 ' <<<"$results" | cut -d ' ' -f 2)," \
     "uncond $(grep '^relative-error-batch-1 ' <<<"$results" | cut -d ' ' -f 2) (must be ≤ 1e-3)"
# The timing is worth nothing if the two computed different things.
grep -E '^relative-error-' <<<"$results" | awk '$2 > 1e-3 { bad = 1 } END { exit bad }' ||
  { echo "the outputs differ by more than 1e-3" >&2; exit 1; }
