#!/usr/bin/python3
# References for the tiled redraw's plan and masks (test-redraw-tiles.c),
# computed as the Ultimate SD Upscale extension (scripts/ultimate-upscale.py)
# and A1111's img2img "inpaint only masked" (modules/processing.py,
# masking.py, images.py) compute them, with Pillow and OpenCV.
# Needs Debian's python3-pil, python3-numpy and python3-opencv. Writes into
# usdu-refs/, for each case NAME:
#   NAME.json  the options and the jobs in run order: pass, shape, row,
#              column, mask blur, denoise, blurred extent, crop, processing size
#   NAME.bin   for each job: the full-size blurred mask (width × height
#              bytes), the mask at the processing size, the latent mask
#              (processing size / 8, 0 or 1 bytes)
# Run from anywhere: tests/data/make-usdu-refs.py
import json
import math
import os

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'usdu-refs')

CASES = [
    # name, width, height, tile w, tile h, padding, blur, order, seams, sf width, sf blur, sf padding
    ('linear', 72, 56, 32, 24, 8, 4, 'linear', 'none', 64, 4, 16),
    ('chess', 72, 56, 32, 24, 16, 2, 'chess', 'none', 64, 4, 16),
    ('band', 96, 80, 48, 40, 32, 8, 'linear', 'band', 16, 4, 8),
    ('half-tile', 96, 80, 48, 40, 12, 3, 'linear', 'half-tile', 64, 4, 16),
    ('intersections', 96, 80, 48, 40, 0, 8, 'linear', 'half-tile-intersections', 64, 2, 8),
    ('odd', 70, 45, 40, 32, 5, 5, 'linear', 'half-tile-intersections', 64, 3, 4),
]


def blur(mask, sigma):
    # processing.py: x then y, each on the 8-bit mask
    if sigma > 0:
        k = 2 * int(2.5 * sigma + 0.5) + 1
        mask = cv2.GaussianBlur(mask, (k, 1), sigma)
        mask = cv2.GaussianBlur(mask, (1, k), sigma)
    return mask


def expand_crop_region(crop_region, processing_width, processing_height, image_width, image_height):
    # masking.py, verbatim in substance
    x1, y1, x2, y2 = crop_region
    ratio_crop_region = (x2 - x1) / (y2 - y1)
    ratio_processing = processing_width / processing_height
    if ratio_crop_region > ratio_processing:
        desired_height = (x2 - x1) / ratio_processing
        desired_height_diff = int(desired_height - (y2 - y1))
        y1 -= desired_height_diff // 2
        y2 += desired_height_diff - desired_height_diff // 2
        if y2 >= image_height:
            diff = y2 - image_height
            y2 -= diff
            y1 -= diff
        if y1 < 0:
            y2 -= y1
            y1 -= y1
        if y2 >= image_height:
            y2 = image_height
    else:
        desired_width = (y2 - y1) * ratio_processing
        desired_width_diff = int(desired_width - (x2 - x1))
        x1 -= desired_width_diff // 2
        x2 += desired_width_diff - desired_width_diff // 2
        if x2 >= image_width:
            diff = x2 - image_width
            x2 -= diff
            x1 -= diff
        if x1 < 0:
            x2 -= x1
            x1 -= x1
        if x2 >= image_width:
            x2 = image_width
    return x1, y1, x2, y2


def resize_image_2(im, width, height):
    # images.resize_image(2, …) with Lanczos, as A1111 resizes "L" images
    ratio = width / height
    src_ratio = im.width / im.height
    src_w = width if ratio < src_ratio else im.width * height // im.height
    src_h = height if ratio >= src_ratio else im.height * width // im.width
    resized = im.resize((src_w, src_h), resample=Image.LANCZOS)
    res = Image.new("L", (width, height))
    res.paste(resized, box=(width // 2 - src_w // 2, height // 2 - src_h // 2))
    if ratio < src_ratio:
        fill_height = height // 2 - src_h // 2
        if fill_height > 0:
            res.paste(resized.resize((width, fill_height), resample=Image.LANCZOS, box=(0, 0, width, 0)), box=(0, 0))
            res.paste(resized.resize((width, fill_height), resample=Image.LANCZOS, box=(0, resized.height, width, resized.height)), box=(0, fill_height + src_h))
    elif ratio > src_ratio:
        fill_width = width // 2 - src_w // 2
        if fill_width > 0:
            res.paste(resized.resize((fill_width, height), resample=Image.LANCZOS, box=(0, 0, 0, height)), box=(0, 0))
            res.paste(resized.resize((fill_width, height), resample=Image.LANCZOS, box=(resized.width, 0, resized.width, height)), box=(fill_width + src_w, 0))
    return res


def job(jobs, data, kind, shape, row, col, mask, pw, ph, mask_blur, padding, denoise):
    # processing.py StableDiffusionProcessingImg2Img.init() for inpaint_full_res
    blurred = blur(np.array(mask), mask_blur)
    m = Image.fromarray(blurred)
    box = m.getbbox()
    if box is None:
        return
    x1, y1, x2, y2 = box
    if padding:
        crop = (max(x1 - padding, 0), max(y1 - padding, 0), min(x2 + padding, m.width), min(y2 + padding, m.height))
    else:
        crop = box
    crop = expand_crop_region(crop, pw, ph, m.width, m.height)
    processed = resize_image_2(m.crop(crop), pw, ph)
    latent = processed.convert('RGB').resize((pw // 8, ph // 8))
    latent = np.around(np.array(latent, dtype=np.float32)[:, :, 0] / 255).astype(np.uint8)
    jobs.append({'pass': kind, 'shape': shape, 'row': row, 'column': col, 'mask_blur': mask_blur,
                 'denoise': denoise, 'blurred': [x1, y1, x2 - x1, y2 - y1],
                 'crop': [crop[0], crop[1], crop[2] - crop[0], crop[3] - crop[1]],
                 'process': [pw, ph]})
    data.extend([blurred.tobytes(), np.array(processed).tobytes(), latent.tobytes()])


def make(name, width, height, tw, th, padding, mask_blur, order, seams, sf_width, sf_blur, sf_padding):
    jobs, data = [], []
    rows, cols = math.ceil(height / th), math.ceil(width / tw)
    denoise, sf_denoise = 0.4, 0.35

    # USDURedraw: linear_process / chess_process
    pw, ph = math.ceil((tw + padding) / 64) * 64, math.ceil((th + padding) / 64) * 64
    if order == 'linear':
        order_list = [(y, x) for y in range(rows) for x in range(cols)]
    else:
        order_list = [(y, x) for y in range(rows) for x in range(cols) if (x + y) % 2 == 0]
        order_list += [(y, x) for y in range(rows) for x in range(cols) if (x + y) % 2 == 1]
    for yi, xi in order_list:
        mask = Image.new("L", (width, height), "black")
        ImageDraw.Draw(mask).rectangle((xi * tw, yi * th, xi * tw + tw, yi * th + th), fill="white")
        job(jobs, data, 'tiles', 'rectangle', yi, xi, mask, pw, ph, mask_blur, padding, denoise)

    gradient = Image.linear_gradient("L")
    if seams == 'band':
        # band_pass_process(p, image, cols, rows) called with (rows, cols)
        mirror_gradient = Image.new("L", (256, 256), "black")
        mirror_gradient.paste(gradient.resize((256, 128), resample=Image.BICUBIC), (0, 0))
        mirror_gradient.paste(gradient.rotate(180).resize((256, 128), resample=Image.BICUBIC), (0, 128))
        row_gradient = mirror_gradient.resize((width, sf_width), resample=Image.BICUBIC)
        col_gradient = mirror_gradient.rotate(90).resize((sf_width, height), resample=Image.BICUBIC)
        for xi in range(1, cols):
            mask = Image.new("L", (width, height), "black")
            mask.paste(col_gradient, (xi * tw - sf_width // 2, 0))
            job(jobs, data, 'seams', 'column-band', 0, xi, mask, sf_width + sf_padding * 2, height, 0, sf_padding, sf_denoise)
        for yi in range(1, rows):
            mask = Image.new("L", (width, height), "black")
            mask.paste(row_gradient, (0, yi * th - sf_width // 2))
            job(jobs, data, 'seams', 'row-band', yi, 0, mask, width, sf_width + sf_padding * 2, 0, sf_padding, sf_denoise)
    elif seams in ('half-tile', 'half-tile-intersections'):
        row_gradient = Image.new("L", (tw, th), "black")
        row_gradient.paste(gradient.resize((tw, th // 2), resample=Image.BICUBIC), (0, 0))
        row_gradient.paste(gradient.rotate(180).resize((tw, th // 2), resample=Image.BICUBIC), (0, th // 2))
        col_gradient = Image.new("L", (tw, th), "black")
        col_gradient.paste(gradient.rotate(90).resize((tw // 2, th), resample=Image.BICUBIC), (0, 0))
        col_gradient.paste(gradient.rotate(270).resize((tw // 2, th), resample=Image.BICUBIC), (tw // 2, 0))
        for yi in range(rows - 1):
            for xi in range(cols):
                mask = Image.new("L", (width, height), "black")
                mask.paste(row_gradient, (xi * tw, yi * th + th // 2))
                job(jobs, data, 'seams', 'row-gradient', yi, xi, mask, tw, th, sf_blur, sf_padding, sf_denoise)
        for yi in range(rows):
            for xi in range(cols - 1):
                mask = Image.new("L", (width, height), "black")
                mask.paste(col_gradient, (xi * tw + tw // 2, yi * th))
                job(jobs, data, 'seams', 'column-gradient', yi, xi, mask, tw, th, sf_blur, sf_padding, sf_denoise)
        if seams == 'half-tile-intersections':
            radial = ImageOps.invert(Image.radial_gradient("L").resize((tw, th), resample=Image.BICUBIC))
            for yi in range(rows - 1):
                for xi in range(cols - 1):
                    mask = Image.new("L", (width, height), "black")
                    mask.paste(radial, (xi * tw + tw // 2, yi * th + th // 2))
                    job(jobs, data, 'seams', 'radial', yi, xi, mask, tw, th, sf_blur, 0, sf_denoise)

    options = {'width': width, 'height': height, 'tile_width': tw, 'tile_height': th,
               'padding': padding, 'mask_blur': mask_blur, 'tile_order': order,
               'seams_fix': seams, 'seams_fix_width': sf_width, 'seams_fix_mask_blur': sf_blur,
               'seams_fix_padding': sf_padding, 'denoise': denoise, 'seams_fix_denoise': sf_denoise,
               'rows': rows, 'columns': cols}
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump({'options': options, 'jobs': jobs}, f, indent=1)
        f.write('\n')
    with open(os.path.join(OUT, name + '.bin'), 'wb') as f:
        f.write(b''.join(data))


def make_sd_upscale(name, width, height, tw, th, overlap):
    # images.split_grid()
    non_overlap_width, non_overlap_height = tw - overlap, th - overlap
    cols = math.ceil((width - overlap) / non_overlap_width)
    rows = math.ceil((height - overlap) / non_overlap_height)
    dx = (width - tw) / (cols - 1) if cols > 1 else 0
    dy = (height - th) / (rows - 1) if rows > 1 else 0
    jobs = []
    for row in range(rows):
        y = int(row * dy)
        if y + th >= height:
            y = height - th
        for col in range(cols):
            x = int(col * dx)
            if x + tw >= width:
                x = width - tw
            jobs.append({'pass': 'tiles', 'shape': 'none', 'row': row, 'column': col,
                         'crop': [x, y, tw, th], 'process': [tw, th]})
    # images.combine_grid() of tiles painted 0, 1, 2… ×20 to show the blend
    rng = np.random.default_rng(7)
    tiles = [rng.integers(0, 256, (th, tw, 3), dtype=np.uint8) for _ in jobs]
    mask_w = Image.fromarray((np.arange(overlap, dtype=np.float32).reshape((1, overlap)).repeat(th, axis=0) * 255 / overlap).astype(np.uint8), 'L')
    mask_h = Image.fromarray((np.arange(overlap, dtype=np.float32).reshape((overlap, 1)).repeat(width, axis=1) * 255 / overlap).astype(np.uint8), 'L')
    combined = Image.new("RGB", (width, height))
    i = 0
    for row in range(rows):
        y = jobs[i]['crop'][1]
        combined_row = Image.new("RGB", (width, th))
        for col in range(cols):
            x = jobs[i]['crop'][0]
            tile = Image.fromarray(tiles[i])
            i += 1
            if x == 0:
                combined_row.paste(tile, (0, 0))
                continue
            combined_row.paste(tile.crop((0, 0, overlap, th)), (x, 0), mask=mask_w)
            combined_row.paste(tile.crop((overlap, 0, tw, th)), (x + overlap, 0))
        if y == 0:
            combined.paste(combined_row, (0, 0))
            continue
        combined.paste(combined_row.crop((0, 0, width, overlap)), (0, y), mask=mask_h)
        combined.paste(combined_row.crop((0, overlap, width, th)), (0, y + overlap))
    options = {'width': width, 'height': height, 'tile_width': tw, 'tile_height': th,
               'overlap': overlap, 'rows': rows, 'columns': cols}
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump({'options': options, 'jobs': jobs}, f, indent=1)
        f.write('\n')
    with open(os.path.join(OUT, name + '.bin'), 'wb') as f:
        f.write(b''.join(t.tobytes() for t in tiles) + np.array(combined).tobytes())


os.makedirs(OUT, exist_ok=True)
for case in CASES:
    make(*case)
make_sd_upscale('sd-upscale', 100, 70, 48, 40, 16)
