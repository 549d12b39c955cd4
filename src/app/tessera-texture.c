/* tessera-texture.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "tessera-texture.h"

static guint8
to_byte (float v)
{
  return (guint8) lrintf (255.f * CLAMP (v, 0.f, 1.f));
}

/**
 * tessera_texture_new_for_image:
 *
 * The image as 8-bit RGB(A) for the screen, alpha straight as the
 * engine keeps it.
 *
 * Returns: (transfer full): a texture of the image's size
 */
GdkTexture *
tessera_texture_new_for_image (TesseraImage *image)
{
  guint width = tessera_image_get_width (image), height = tessera_image_get_height (image);
  guint n = tessera_image_get_has_alpha (image) ? 4 : 3;
  gsize stride = (gsize) width * n, plane = (gsize) width * height;
  guint8 *pixels = g_malloc ((gsize) height * stride);
  g_autoptr(GBytes) bytes = NULL;

  for (guint c = 0; c < n; c++)
    {
      const float *values = tessera_image_get_plane (image, c);
      guint8 *out = pixels + c;

      for (gsize i = 0; i < plane; i++, out += n)
        *out = to_byte (values[i]);
    }

  bytes = g_bytes_new_take (pixels, (gsize) height * stride);
  return gdk_memory_texture_new (width, height, n == 4 ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8, bytes, stride);
}
