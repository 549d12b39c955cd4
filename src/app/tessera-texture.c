/* tessera-texture.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-texture.h"

static guint8
to_byte (float v)
{
  return (guint8) lrintf (255.f * CLAMP (v, 0.f, 1.f));
}

/**
 * tessera_texture_new_for_region:
 *
 * A rectangle of the image as 8-bit RGB(A) for the screen, alpha
 * straight as the engine keeps it. The rectangle must lie in the image.
 *
 * Returns: (transfer full): a texture of the rectangle's size
 */
GdkTexture *
tessera_texture_new_for_region (TesseraImage *image,
                                guint         x,
                                guint         y,
                                guint         width,
                                guint         height)
{
  guint image_width = tessera_image_get_width (image);
  guint n = tessera_image_get_has_alpha (image) ? 4 : 3;
  gsize stride = (gsize) width * n;
  guint8 *pixels = g_malloc ((gsize) height * stride);
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (x + width <= image_width && y + height <= tessera_image_get_height (image), NULL);

  for (guint c = 0; c < n; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint row = 0; row < height; row++)
        {
          const float *in = plane + (gsize) (y + row) * image_width + x;
          guint8 *out = pixels + row * stride + c;

          for (guint i = 0; i < width; i++, out += n)
            *out = to_byte (in[i]);
        }
    }

  bytes = g_bytes_new_take (pixels, (gsize) height * stride);
  return gdk_memory_texture_new (width, height, n == 4 ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8, bytes, stride);
}

GdkTexture *
tessera_texture_new_for_image (TesseraImage *image)
{
  return tessera_texture_new_for_region (image, 0, 0, tessera_image_get_width (image),
                                         tessera_image_get_height (image));
}

/**
 * tessera_texture_new_reduced:
 * @factor: how many image pixels on a side make a texture pixel
 *
 * The image averaged over @factor × @factor boxes, for a view of an image
 * larger than a texture may be.
 *
 * Returns: (transfer full): a texture ceil(size / @factor) in size
 */
GdkTexture *
tessera_texture_new_reduced (TesseraImage *image,
                             guint         factor)
{
  guint image_width = tessera_image_get_width (image), image_height = tessera_image_get_height (image);
  guint width = (image_width + factor - 1) / factor, height = (image_height + factor - 1) / factor;
  guint n = tessera_image_get_has_alpha (image) ? 4 : 3;
  gsize stride = (gsize) width * n;
  guint8 *pixels = g_malloc ((gsize) height * stride);
  g_autofree float *sums = g_new (float, width);
  g_autoptr(GBytes) bytes = NULL;

  for (guint c = 0; c < n; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint row = 0; row < height; row++)
        {
          guint y0 = row * factor, y1 = MIN (y0 + factor, image_height);
          guint8 *out = pixels + row * stride + c;

          memset (sums, 0, width * sizeof (float));
          for (guint y = y0; y < y1; y++)
            {
              const float *in = plane + (gsize) y * image_width;

              for (guint x = 0; x < image_width; x++)
                sums[x / factor] += in[x];
            }
          for (guint i = 0; i < width; i++, out += n)
            {
              guint box = (MIN ((i + 1) * factor, image_width) - i * factor) * (y1 - y0);

              *out = to_byte (sums[i] / box);
            }
        }
    }

  bytes = g_bytes_new_take (pixels, (gsize) height * stride);
  return gdk_memory_texture_new (width, height, n == 4 ? GDK_MEMORY_R8G8B8A8 : GDK_MEMORY_R8G8B8, bytes, stride);
}

/* Screen pixels per texture pixel from which pixels show as squares. */
#define NEAREST_FROM 2.0

/**
 * tessera_texture_append:
 * @bounds: where @texture is drawn
 *
 * Draws @texture, with nearest-neighbour sampling once its pixels are
 * large enough to see (GTK 4.10 and later; earlier ones smooth them).
 */
void
tessera_texture_append (GtkSnapshot           *snapshot,
                        GdkTexture            *texture,
                        const graphene_rect_t *bounds)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  double screen_per_texel = bounds->size.width / gdk_texture_get_width (texture);

  gtk_snapshot_append_scaled_texture (snapshot, texture,
                                      screen_per_texel >= NEAREST_FROM ? GSK_SCALING_FILTER_NEAREST
                                                                       : GSK_SCALING_FILTER_LINEAR,
                                      bounds);
#else
  gtk_snapshot_append_texture (snapshot, texture, bounds);
#endif
}
