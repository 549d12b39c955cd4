#!/usr/bin/env bash
# Lanczos ×4 of a 2048×2048 photo: Tessera's engine beside Pillow's
# Image.resize (Debian's python3-pil), same pixels, same machine, same run.
# Both are timed on images already in memory; figures are output megapixels
# per second. Usage: build-aux/bench-classic.sh [RUNS]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-5}
build="$top/_build"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
command -v /usr/bin/python3 >/dev/null && /usr/bin/python3 -c 'import PIL' 2>/dev/null \
    || { echo "bench-classic: needs Debian's python3-pil (apt install python3-pil)" >&2; exit 1; }

# The input: the sample photo brought to 2048×2048 once, saved as 8-bit PNG.
"$build/src/cli/tessera-cli" upscale -q -u bicubic --width 2048 --height 2048 \
    "$top/data/samples/chelsea.png" -o "$work/input.png"

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo "pillow:  $(/usr/bin/python3 -c 'import PIL; print(PIL.__version__)'), one thread"
echo
printf '%-26s %s\n' "tessera ($(nproc) threads)" \
    "$("$build/tests/bench/bench-classic" "$work/input.png" lanczos 4 "$runs")"
printf '%-26s %s\n' "tessera (1 thread)" \
    "$(TESSERA_NUM_THREADS=1 "$build/tests/bench/bench-classic" "$work/input.png" lanczos 4 "$runs")"
printf '%-26s ' "pillow Image.resize"
/usr/bin/python3 - "$work/input.png" "$runs" <<'PY'
import sys, time
from PIL import Image
image = Image.open(sys.argv[1]).convert('RGB')
image.load()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    out = image.resize((image.width * 4, image.height * 4), Image.LANCZOS)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
mp = out.width * out.height / 1e6
best, median = times[0], times[len(times) // 2]
print('%dx%d -> %dx%d best %.1f ms (%.1f MP/s) median %.1f ms (%.1f MP/s)'
      % (image.width, image.height, out.width, out.height, best, mp / best * 1000, median, mp / median * 1000))
PY
