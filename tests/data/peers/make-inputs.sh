#!/usr/bin/env bash
# Makes the peer test inputs in inputs/: small crops of freely licensed
# images that Debian 12 ships (see SOURCES.md for authors and licences).
# The packages are downloaded with apt-get download and unpacked in a
# temporary folder; nothing is installed. Run from anywhere:
#   tests/data/peers/make-inputs.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Pinned: the crops' boxes are only right for these versions.
(cd "$work" && apt-get download -q python3-skimage=0.19.3-8 renpy-thequestion=8.0.3+dfsg-1 >&2)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done

mkdir -p "$here/inputs"
/usr/bin/python3 - "$work/root" "$here/inputs" <<'EOF'
import sys
from PIL import Image

root, out = sys.argv[1:]
skimage = root + "/usr/lib/python3/dist-packages/skimage/data/"
question = root + "/usr/share/games/renpy/the_question/game/images/"

# name: (file, box (left, top, right, bottom) in the original's pixels)
crops = {
    "chelsea-eye": (skimage + "chelsea.png", (125, 70, 189, 134)),
    "sylvie-eye": (question + "sylvie green normal.png", (178, 68, 242, 132)),
    "astronaut-helmet": (skimage + "astronaut.png", (340, 340, 411, 394)),
    "lecturehall-podium": (question + "bg lecturehall.jpg", (990, 380, 1054, 444)),
}

for name, (path, box) in crops.items():
    im = Image.open(path)
    im.load()
    if im.mode == "RGBA":
        # Crops of the sprite lie inside the drawing: all opaque.
        assert im.getchannel("A").crop(box).getextrema() == (255, 255), name
    # A plain crop, no resampling, written as 8-bit RGB without metadata
    # (the ICC profiles some sources carry are plain sRGB).
    crop = im.convert("RGB").crop(box)
    Image.frombytes("RGB", crop.size, crop.tobytes()).save(f"{out}/{name}.png", optimize=True)
    print(f"{name}.png: {box[2] - box[0]}x{box[3] - box[1]} from {path[len(root):]} box {box}")
EOF
