#!/usr/bin/python3
# make-geninfo-refs.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# References for tests/test-geninfo.c: A1111 `parameters` texts and what
# A1111's own parser makes of them, and a PNG with such a text chunk.
#
# The parser is parse_generation_parameters() of modules/infotext_utils.py
# in github.com/AUTOMATIC1111/stable-diffusion-webui, read at commit
# 036500223de0a3caaa86360a8ad3ed301e4367b0 (issue 21 names
# 1c24a6bab53c39214e1816db2c30b1f42f3eb9da, which was not at hand to
# compare). The module
# imports gradio and the web UI's settings, so its regexes are copied here
# as they are, and the steps of the function that do not depend on the
# user's settings are followed one by one:
#
# - the text is stripped and split at "\n"; the last line holds the
#   parameters when re_param finds at least three pairs in it, otherwise
#   it is one more prompt line;
# - every other line is stripped; from the first one that starts with
#   "Negative prompt:" (the label cut off) on, lines join the negative
#   prompt, before it the prompt, joined by "\n";
# - each re_param pair of the last line: a value in double quotes is
#   unquoted with json.loads() when it parses (kept as written when it
#   does not); a value of the form WxH (re_imagesize) becomes "KEY-1" and
#   "KEY-2"; an empty value raises IndexError, which the function catches
#   and skips; a later pair with the same key replaces the value but keeps
#   the key's place (a dict).
#
# The steps left out fill defaults for the web UI's fields (Clip skip 1,
# Hires fields, RNG, Schedule type "Automatic"...), move prompt styles out
# of the prompt and rename old options: they describe the web UI's state,
# not the text.
#
# Run with Debian 12's Python 3.11 and python3-pil:
#
#   /usr/bin/python3 make-geninfo-refs.py
#
# It writes geninfo/a1111.json (texts and fields) and
# images/a1111-parameters.png, an 8×8 image whose `parameters` chunk PIL's
# PngInfo writes, as A1111's images.save_image() does, and
# images/a1111-exif.jpg and images/a1111-exif.webp, whose EXIF UserComment
# holds the same text as piexif.helper.UserComment.dump(text,
# encoding="unicode") writes it: "UNICODE\0" and UTF-16 big endian (piexif
# is not in Debian; the few bytes of its EXIF block are built here).

import json
import os
import re
import struct

from PIL import Image, PngImagePlugin

HERE = os.path.dirname(os.path.abspath(__file__))

# From modules/infotext_utils.py, as they are.
re_param_code = r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)'
re_param = re.compile(re_param_code)
re_imagesize = re.compile(r"^(\d+)x(\d+)$")


def unquote(text):
    if len(text) == 0 or text[0] != '"' or text[-1] != '"':
        return text
    try:
        return json.loads(text)
    except Exception:
        return text


def parse(x):
    res = {}
    prompt = ''
    negative_prompt = ''
    done_with_prompt = False

    *lines, lastline = x.strip().split('\n')
    if len(re_param.findall(lastline)) < 3:
        lines.append(lastline)
        lastline = ''

    for line in lines:
        line = line.strip()
        if line.startswith('Negative prompt:'):
            done_with_prompt = True
            line = line[16:].strip()
        if done_with_prompt:
            negative_prompt += ('' if negative_prompt == '' else '\n') + line
        else:
            prompt += ('' if prompt == '' else '\n') + line

    res['Prompt'] = prompt
    res['Negative prompt'] = negative_prompt

    for k, v in re_param.findall(lastline):
        try:
            if v[0] == '"' and v[-1] == '"':
                v = unquote(v)
            m = re_imagesize.match(v)
            if m is not None:
                res[f'{k}-1'] = m.group(1)
                res[f'{k}-2'] = m.group(2)
            else:
                res[k] = v
        except Exception:
            pass

    return res


def quote(text):
    # A1111's processing.create_infotext() quotes values this way.
    if ',' not in str(text) and '\n' not in str(text) and ':' not in str(text):
        return text
    return json.dumps(text, ensure_ascii=False)


TEXTS = [
    # The docstring's own example.
    "girl with an artist's beret, determined, blue eyes, desert scene, computer monitors, heavy makeup, "
    "by Alphonse Mucha and Charlie Bowater, ((eyeshadow)), (coquettish), detailed, intricate\n"
    "Negative prompt: ugly, fat, obese, chubby, (((deformed))), [blurry], bad anatomy, disfigured, "
    "poorly drawn face, mutation, mutated, (extra_limb), (ugly), (poorly drawn hands), messy drawing\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, Model hash: 45dee52b",
    # A1111 1.10: schedule apart, version, quoted Lora hashes.
    "masterpiece, best quality, (a cat:1.2) sitting on a [red:blue:0.5] chair, <lora:catstyle:0.8>\n"
    "Negative prompt: lowres, bad anatomy, (worst quality:1.4)\n"
    "Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, "
    "Size: 768x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2, "
    "Lora hashes: " + quote("catstyle: 9f86d081884c") + ", Version: v1.10.1",
    # Older files: the schedule in the sampler's name, Hires fix fields.
    "a castle on a hill at dusk, highly detailed\n"
    "Negative prompt: blurry\n"
    "Steps: 25, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x768, "
    "Model hash: e6e99610c4, Model: realisticVision_v51, Denoising strength: 0.45, "
    "Hires upscale: 2, Hires steps: 15, Hires upscaler: 4x-UltraSharp, Version: v1.6.0",
    # BREAK and a multi-line prompt and negative prompt.
    "a portrait of a woman, red hair\nBREAK\nforest background, (bokeh:1.1)\n"
    "Negative prompt: (deformed iris, deformed pupils:1.3),\ncartoon, 3d\n"
    "Steps: 20, Sampler: Euler, CFG scale: 5, Seed: 42, Size: 640x640, Model: sd_xl_base_1.0, "
    "Model hash: 31e35c80fc",
    # No negative prompt at all.
    "simple prompt, no negative\n"
    "Steps: 10, Sampler: DDIM, CFG scale: 9, Seed: 7, Size: 256x256",
    # Two Lora hashes in one quoted value, Civitai's extra fields, a quote
    # with an escaped quote and a newline in it.
    "photo of a dog wearing a hat\n"
    "Negative prompt: cat\n"
    "Steps: 28, Sampler: DPM++ SDE, Schedule type: Karras, CFG scale: 4, Seed: 987654321, "
    "Size: 832x1216, Clip skip: 2, Created Date: 2024-05-01T10:20:30.1234567Z, "
    "Civitai resources: " + quote('[{"type":"checkpoint","modelVersionId":128713}]') + ", "
    "Lora hashes: \"a: 123, b: 456\", Note: " + quote('he said "hi"\nand left') + ", Civitai metadata: {}",
    # Only a prompt: the last line has too few pairs to be parameters.
    "just a prompt: with a colon, and commas",
    # The negative prompt's label with nothing after it, ADetailer and
    # ControlNet quoted blocks, an empty value, a repeated key.
    "knight in armour, dramatic lighting\n"
    "Negative prompt:\n"
    "Steps: 40, Sampler: Euler a, CFG scale: 7.5, Seed: -1, Size: 512x512, "
    "ADetailer model: face_yolov8n.pt, ADetailer prompt: " + quote("a face, detailed") + ", "
    "ControlNet 0: \"Module: canny, Model: control_v11p_sd15_canny [d14c016b], Weight: 1\", "
    "Empty: , Seed: 99, TI hashes: \"easynegative: c74b4e810b03\"",
    # Non-ASCII text, a key with a hyphen and slash, a broken quoted value
    # json.loads refuses.
    "東京の夜景, ネオン, (雨:1.2)\n"
    "Negative prompt: низкое качество\n"
    "Steps: 20, Sampler: UniPC, CFG scale: 3, Seed: 5, Size: 1024x1024, "
    "Hires resize: 2048x2048, Pre-/post: ok, Bad quote: \"a\\q\"",
    # Spaces and blank lines around everything, CRLF-free but with a tab.
    "\n\n  spaced prompt  \n\tNegative prompt:   spaced negative  \n"
    "  Steps: 12,Sampler: LMS,  CFG scale: 11  ,Seed: 0, Size: 64x64  \n\n",
    # A prompt line that itself starts with the negative label's look-alike.
    "Negative prompts are fun\nNegative prompt: none\n"
    "Steps: 5, Sampler: Heun, CFG scale: 1, Seed: 18446744073709551615, Size: 8x8, "
    "Model: my model, with commas?, Model hash: abc",
    # Tessera's own parameters, as tessera_redraw_format_parameters writes them.
    "a tiny test, (detail:1.3)\n"
    "Negative prompt: noise\n"
    "Steps: 4, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 1, "
    "Size: 32x32, Model: sd1, Denoising strength: 0.5, Clip skip: 1",
]


def to_int(text, low, high, default):
    try:
        value = int(text, 10)
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


def schedule(res):
    # A1111 1.9 split "DPM++ 2M Karras" into a sampler and a schedule
    # (sd_samplers.get_sampler_and_scheduler); the schedules older labels
    # ended with were these two.
    if 'Schedule type' in res:
        return res['Schedule type']
    for suffix in ('Karras', 'Exponential'):
        if res.get('Sampler', '').endswith(' ' + suffix):
            return suffix
    return None


def expected(text):
    res = parse(text)
    fields = [[k, v] for k, v in res.items() if k not in ('Prompt', 'Negative prompt')]
    # The typed values Tessera's getters give: A1111's missing-value
    # defaults where it has them (clip skip 1, seed -1), 0 or null
    # otherwise.
    typed = {
        'steps': to_int(res.get('Steps'), 0, 2**32 - 1, 0),
        'sampler': res.get('Sampler'),
        'schedule': schedule(res),
        'cfg': float(res['CFG scale']) if 'CFG scale' in res else 0.0,
        'seed': to_int(res.get('Seed'), -2**63, 2**63 - 1, -1),
        'width': to_int(res.get('Size-1'), 0, 2**32 - 1, 0),
        'height': to_int(res.get('Size-2'), 0, 2**32 - 1, 0),
        'model': res.get('Model'),
        'model_hash': res.get('Model hash'),
        'clip_skip': to_int(res.get('Clip skip'), 1, 2**32 - 1, 1),
    }
    return {
        'parameters': text,
        'prompt': res['Prompt'],
        'negative_prompt': res['Negative prompt'],
        'fields': fields,
        'typed': typed,
    }


def user_comment_exif(text):
    """An EXIF block (TIFF, big endian) with IFD0 pointing at an Exif IFD
    that holds one UserComment, as piexif.dump() lays it out."""
    comment = b'UNICODE\0' + text.encode('utf_16_be')
    ifd0_offset = 8
    exif_ifd_offset = ifd0_offset + 2 + 12 + 4
    data_offset = exif_ifd_offset + 2 + 12 + 4
    out = b'MM\0\x2a' + struct.pack('>I', ifd0_offset)
    out += struct.pack('>H', 1) + struct.pack('>HHII', 0x8769, 4, 1, exif_ifd_offset) + struct.pack('>I', 0)
    out += struct.pack('>H', 1) + struct.pack('>HHII', 0x9286, 7, len(comment), data_offset) + struct.pack('>I', 0)
    out += comment
    return b'Exif\0\0' + out


def main():
    refs = [expected(text) for text in TEXTS]
    with open(os.path.join(HERE, 'geninfo', 'a1111.json'), 'w', encoding='utf-8') as f:
        json.dump({'texts': refs}, f, ensure_ascii=False, indent=1)
        f.write('\n')

    image = Image.new('RGB', (8, 8))
    for y in range(8):
        for x in range(8):
            image.putpixel((x, y), (x * 32, y * 32, 128))

    info = PngImagePlugin.PngInfo()
    info.add_text('parameters', TEXTS[1])
    image.save(os.path.join(HERE, 'images', 'a1111-parameters.png'), pnginfo=info)

    exif = user_comment_exif(TEXTS[8])
    image.save(os.path.join(HERE, 'images', 'a1111-exif.jpg'), quality=90, exif=exif)
    image.save(os.path.join(HERE, 'images', 'a1111-exif.webp'), lossless=True, exif=exif)


if __name__ == '__main__':
    main()
