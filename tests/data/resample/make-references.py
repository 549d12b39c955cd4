#!/usr/bin/python3
# Makes the Pillow reference images test-resample.c compares against.
# Pillow (Debian 12's python3-pil 9.4) is the reference for the classic
# upscalers: Tessera must agree with Image.resize within ±1 on 8-bit output,
# and exactly for nearest neighbour. Inputs are small crops of the sample
# photo, so the references stay small.
# Run from this directory: ./make-references.py
import json
import math

import PIL
from PIL import Image

FILTERS = {
    'nearest': Image.NEAREST,
    'bilinear': Image.BILINEAR,
    'bicubic': Image.BICUBIC,
    'lanczos': Image.LANCZOS,
}

photo = Image.open('../../../data/samples/chelsea.png').convert('RGB')
photo.info = {}  # no colour profile: it would follow the crops into the gray one

inputs = {
    'photo-37x29': photo.crop((60, 30, 97, 59)),
    'gray-24x20': photo.crop((100, 50, 124, 70)).convert('L'),
}

# Alpha: opaque in the middle, fading out to fully transparent at one corner.
rgba = photo.crop((20, 70, 40, 86)).convert('RGBA')
alpha = Image.new('L', rgba.size)
alpha.putdata([max(0, min(255, 40 * (x + y) - 80)) for y in range(16) for x in range(20)])
rgba.putalpha(alpha)
inputs['rgba-20x16'] = rgba

# Integer and non-integer scales, a shrink, and an exact target size.
SIZES = {
    'photo-37x29': [2, 3, 4, 1.5, 2.7, 0.6, (100, 61)],
    'gray-24x20': [2, 4, 2.7, 0.6],
    'rgba-20x16': [2, 4, 2.7, 0.6],
}


def scaled(size, factor):
    # Tessera rounds half away from zero; Python's round() would not.
    return max(1, math.floor(size * factor + 0.5))


cases = []
for name, image in inputs.items():
    image.save('%s.png' % name)
    for spec in SIZES[name]:
        if isinstance(spec, tuple):
            width, height = spec
            case = {'width': width, 'height': height}
        else:
            width, height = scaled(image.width, spec), scaled(image.height, spec)
            case = {'scale': spec}
        for filter_name, filter_id in FILTERS.items():
            reference = '%s-%s-%dx%d.png' % (name, filter_name, width, height)
            if image.mode == 'RGBA' and filter_id != Image.NEAREST:
                # Image.resize filters RGBA premultiplied and then divides by
                # alpha in 8 bits, which alone is off by more than a level
                # where alpha is low. Keep the premultiplied result instead:
                # colour channels hold colour × alpha.
                result = image.convert('RGBa').resize((width, height), filter_id)
                result = Image.frombytes('RGBA', result.size, result.tobytes())
                reference = reference.replace('.png', '-premultiplied.png')
            else:
                result = image.resize((width, height), filter_id)
            result.save(reference)
            cases.append(dict(case, input='%s.png' % name, upscaler=filter_name,
                              out_width=width, out_height=height, reference=reference))

with open('references.json', 'w') as f:
    json.dump({'pillow': PIL.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
