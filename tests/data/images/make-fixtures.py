#!/usr/bin/python3
# Makes the image fixtures for test-image.c. PNGs are written with pypng
# (python3-png), chunk by chunk, so that the tests of our libpng reader do
# not depend on our own writer; other formats with Pillow (python3-pil).
# Pixel values follow formulas that test-image.c computes again:
#   8-bit:  (x*37 + y*59 + c*101 + 13) % 256
#   16-bit: (x*4099 + y*7919 + c*12345 + 77) % 65536
#   1/2/4-bit gray: (x + 2*y) % 2**depth
#   palette: index (x + 3*y) % 16 -> (i*17, 255 - i*13, i*29 + 5), tRNS 255 - i*17
# Run from this directory: ./make-fixtures.py
import io
import struct
import zlib

import png
from PIL import Image, ImageCms

W, H = 13, 7


def s8(x, y, c):
    return (x * 37 + y * 59 + c * 101 + 13) % 256


def s16(x, y, c):
    return (x * 4099 + y * 7919 + c * 12345 + 77) % 65536


def rows(width, height, channels, sample):
    return [[sample(x, y, c) for x in range(width) for c in range(channels)]
            for y in range(height)]


def encode(width, height, pixel_rows, **kwargs):
    kwargs.setdefault('greyscale', False)
    out = io.BytesIO()
    png.Writer(width, height, **kwargs).write(out, pixel_rows)
    return out.getvalue()


def chunks_of(data):
    return list(png.Reader(bytes=data).chunks())


def save_chunks(name, chunks):
    with open(name, 'wb') as f:
        png.write_chunks(f, chunks)


def save(name, data):
    with open(name, 'wb') as f:
        f.write(data)


def insert_before(chunks, kind, new):
    i = next(i for i, (t, _) in enumerate(chunks) if t == kind)
    return chunks[:i] + new + chunks[i:]


# Every colour type and bit depth libpng reads.
for depth in (1, 2, 4):
    save('gray%d.png' % depth,
         encode(W, H, rows(W, H, 1, lambda x, y, c: (x + 2 * y) % 2 ** depth),
                greyscale=True, bitdepth=depth))
save('gray8.png', encode(W, H, rows(W, H, 1, s8), greyscale=True, bitdepth=8))
save('gray16.png', encode(W, H, rows(W, H, 1, s16), greyscale=True, bitdepth=16))
save('gray8-trns.png', encode(W, H, rows(W, H, 1, s8), greyscale=True, bitdepth=8,
                              transparent=s8(2, 3, 0)))
save('graya8.png', encode(W, H, rows(W, H, 2, s8), greyscale=True, alpha=True, bitdepth=8))
save('graya16.png', encode(W, H, rows(W, H, 2, s16), greyscale=True, alpha=True, bitdepth=16))
save('rgb8.png', encode(W, H, rows(W, H, 3, s8), bitdepth=8))
save('rgb16.png', encode(W, H, rows(W, H, 3, s16), bitdepth=16))
save('rgba8.png', encode(W, H, rows(W, H, 4, s8), alpha=True, bitdepth=8))
save('rgba16.png', encode(W, H, rows(W, H, 4, s16), alpha=True, bitdepth=16))

palette = [((i * 17) % 256, (255 - i * 13) % 256, (i * 29 + 5) % 256) for i in range(16)]
index_rows = rows(W, H, 1, lambda x, y, c: (x + 3 * y) % 16)
save('palette4.png', encode(W, H, index_rows, palette=palette, bitdepth=4))
save('palette4-trns.png',
     encode(W, H, index_rows, palette=[p + (255 - i * 17,) for i, p in enumerate(palette)],
            bitdepth=4))

# Adam7 needs 8 rows or more to use all seven passes.
save('rgba8-interlaced.png', encode(W, 11, rows(W, 11, 4, s8), alpha=True, bitdepth=8,
                                    interlace=True))
save('gray16-interlaced.png', encode(W, 11, rows(W, 11, 1, s16), greyscale=True, bitdepth=16,
                                     interlace=True))

# Metadata as Stable Diffusion front ends and colour-managed editors write it.
PARAMETERS = ('a cat on a windowsill, café light, highly detailed\n'
              'Negative prompt: blurry, lowres\n'
              'Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, '
              'Size: 512x512, Model: sd_xl_base_1.0')
icc = ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes()


def itxt(keyword, lang, translated, text, compressed):
    body = text.encode('utf-8')
    if compressed:
        body = zlib.compress(body)
    return (b'iTXt', keyword.encode('latin-1') + b'\0' + bytes([int(compressed), 0]) +
            lang.encode('ascii') + b'\0' + translated.encode('utf-8') + b'\0' + body)


chunks = chunks_of(encode(W, H, rows(W, H, 4, s16), alpha=True, bitdepth=16))
chunks = insert_before(chunks, b'IDAT', [
    (b'gAMA', struct.pack('>I', 45455)),
    (b'iCCP', b'sRGB built-in\0\0' + zlib.compress(icc)),
    (b'tEXt', b'parameters\0' + PARAMETERS.encode('latin-1')),
    (b'zTXt', b'Comment\0\0' + zlib.compress(('compressed comment ' * 20).encode('latin-1'))),
    itxt('Title', 'ru', 'Заголовок', 'Кошка на подоконнике', False),
])
chunks = insert_before(chunks, b'IEND', [
    itxt('Description', 'ko', '설명', '창가에 앉은 고양이', True),
    (b'tEXt', b'Software\0make-fixtures.py'),
])
save_chunks('sd-rgba16.png', chunks)
save('sd-icc.bin', icc)

chunks = chunks_of(encode(W, H, rows(W, H, 3, s8), bitdepth=8))
chunks = insert_before(chunks, b'IDAT', [(b'sRGB', b'\x01'), (b'gAMA', struct.pack('>I', 45455))])
save_chunks('rgb8-srgb.png', chunks)

# Damaged files: each must give a clear error.
good = open('rgb8.png', 'rb').read()
save('truncated.png', good[:len(good) // 2])
save('bad-crc.png', good[:29] + bytes([good[29] ^ 0xff]) + good[30:])


def with_ihdr(data, width, height):
    chunks = chunks_of(data)
    ihdr = chunks[0][1]
    chunks[0] = (b'IHDR', struct.pack('>II', width, height) + ihdr[8:])
    return chunks


small = encode(8, 8, rows(8, 8, 3, s8), bitdepth=8)
save_chunks('lying-ihdr.png', with_ihdr(small, 64, 64))
save_chunks('huge-ihdr.png', with_ihdr(small, 70000, 16))
save_chunks('gigapixel-ihdr.png', with_ihdr(small, 40000, 40000))
save_chunks('too-small-for-ihdr.png', with_ihdr(small, 30000, 20000))
save('not-a-png.png', b'This is a text file, not a picture.\n')
save('empty.png', b'')

# Formats GdkPixbuf reads.
rgb = Image.frombytes('RGB', (W, H), bytes(v for r in rows(W, H, 3, s8) for v in r))
rgb.save('rgb.bmp')
rgb.save('rgb.tiff', compression=None)
alpha_rows = rows(W, H, 4, lambda x, y, c: s8(x, y, c) | (1 if c == 3 else 0))
Image.frombytes('RGBA', (W, H), bytes(v for r in alpha_rows for v in r)).save(
    'rgba.webp', lossless=True)

# Landscape 16x8, red left, blue right, stored with EXIF "rotate 90° clockwise".
halves = Image.new('RGB', (16, 8), (220, 20, 20))
halves.paste((20, 20, 220), (8, 0, 16, 8))
exif = Image.Exif()
exif[0x0112] = 6
halves.save('exif-orientation-6.jpg', quality=95, exif=exif.tobytes())
halves.save('icc.jpg', quality=95, icc_profile=icc)
