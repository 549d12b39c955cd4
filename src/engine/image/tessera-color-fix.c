/* tessera-color-fix.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-color-fix"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-color-fix-private.h"

/* StableSR's colour fixes (IceClear/StableSR scripts/wavelet_color_fix.py,
 * which sd-webui-stablesr and the ComfyUI ports share): a redraw drifts in
 * colour, so its colours are taken back from the image it started from.
 * Both work on planar RGB in [0, 1] and clamp the result there, as the
 * reference does before it makes a picture of it. */

#define WAVELET_LEVELS 5
#define ADAIN_EPS      1e-5

/* One level of the à trous wavelet: the 3 × 3 binomial kernel with its
 * taps @radius pixels apart, the edges replicated. */
static void
wavelet_blur (const float *plane,
              float       *blurred,
              guint        width,
              guint        height,
              guint        radius)
{
  static const float kernel[3] = { 0.25f, 0.5f, 0.25f };

  for (guint y = 0; y < height; y++)
    {
      const float *rows[3];

      for (int i = 0; i < 3; i++)
        {
          gint64 sy = CLAMP ((gint64) y + (i - 1) * (gint64) radius, 0, (gint64) height - 1);

          rows[i] = plane + (gsize) sy * width;
        }
      for (guint x = 0; x < width; x++)
        {
          guint columns[3];
          float sum = 0;

          for (int j = 0; j < 3; j++)
            columns[j] = CLAMP ((gint64) x + (j - 1) * (gint64) radius, 0, (gint64) width - 1);
          for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
              sum += kernel[i] * kernel[j] * rows[i][columns[j]];
          blurred[(gsize) y * width + x] = sum;
        }
    }
}

/* Splits @plane into what five blurs remove (@high, when given) and what
 * they leave (@plane itself, in the end). */
static void
wavelet_decompose (float *plane,
                   float *high,
                   float *scratch,
                   guint  width,
                   guint  height)
{
  gsize n = (gsize) width * height;

  if (high != NULL)
    memset (high, 0, n * sizeof (float));
  for (guint level = 0; level < WAVELET_LEVELS; level++)
    {
      wavelet_blur (plane, scratch, width, height, 1u << level);
      if (high != NULL)
        for (gsize i = 0; i < n; i++)
          high[i] += plane[i] - scratch[i];
      memcpy (plane, scratch, n * sizeof (float));
    }
}

/**
 * tessera_color_fix_wavelet:
 * @rgb: 3 planes of @width × @height, the redrawn image; fixed in place
 * @reference: 3 planes of the same size, the image the redraw started from
 * @width: the images' width
 * @height: the images' height
 *
 * StableSR's wavelet colour fix: the high frequencies of @rgb over the low
 * frequencies of @reference, after five levels of dilated blur.
 */
void
tessera_color_fix_wavelet (float       *rgb,
                           const float *reference,
                           guint        width,
                           guint        height)
{
  gsize n = (gsize) width * height;
  g_autofree float *high = g_new (float, n);
  g_autofree float *low = g_new (float, n);
  g_autofree float *scratch = g_new (float, n);

  for (guint c = 0; c < 3; c++)
    {
      float *plane = rgb + c * n;

      wavelet_decompose (plane, high, scratch, width, height);
      memcpy (low, reference + c * n, n * sizeof (float));
      wavelet_decompose (low, NULL, scratch, width, height);
      for (gsize i = 0; i < n; i++)
        plane[i] = CLAMP (high[i] + low[i], 0.0f, 1.0f);
    }
}

/* The plane's mean and its standard deviation with Bessel's correction,
 * as torch.var's default, and the reference's small ε against a flat
 * plane. */
static void
mean_std (const float *plane,
          gsize        n,
          double      *mean,
          double      *std)
{
  double sum = 0, squares = 0;

  for (gsize i = 0; i < n; i++)
    sum += plane[i];
  *mean = sum / n;
  for (gsize i = 0; i < n; i++)
    squares += (plane[i] - *mean) * (plane[i] - *mean);
  *std = sqrt ((n > 1 ? squares / (n - 1) : 0) + ADAIN_EPS);
}

/**
 * tessera_color_fix_adain:
 * @rgb: 3 planes of @width × @height, the redrawn image; fixed in place
 * @reference: 3 planes of the same size, the image the redraw started from
 * @width: the images' width
 * @height: the images' height
 *
 * StableSR's AdaIN colour fix: each channel of @rgb moved and stretched to
 * the mean and the standard deviation of @reference's.
 */
void
tessera_color_fix_adain (float       *rgb,
                         const float *reference,
                         guint        width,
                         guint        height)
{
  gsize n = (gsize) width * height;

  for (guint c = 0; c < 3; c++)
    {
      float *plane = rgb + c * n;
      double mean, std, reference_mean, reference_std;

      mean_std (plane, n, &mean, &std);
      mean_std (reference + c * n, n, &reference_mean, &reference_std);
      for (gsize i = 0; i < n; i++)
        plane[i] = CLAMP ((plane[i] - mean) / std * reference_std + reference_mean, 0.0, 1.0);
    }
}
