#!/usr/bin/python3
# Seeds for fuzz-media: tiny animations of three 8×6 frames made by PIL,
# independently of Tessera and of the FFmpeg it reads them with.
from PIL import Image

frames = [Image.new('RGBA', (8, 6), (40 * i, 255 - 60 * i, 90, 255 - 50 * i)) for i in range(3)]
for i, frame in enumerate(frames):
    frame.putpixel((i, i), (255, 255, 255, 255))
frames[0].save('anim.gif', save_all=True, append_images=frames[1:], duration=[40, 60, 80], loop=2)
frames[0].save('anim.png', save_all=True, append_images=frames[1:], duration=[40, 60, 80], loop=3)
frames[0].save('anim.webp', save_all=True, append_images=frames[1:], duration=[40, 60, 80], loop=0, lossless=True)
