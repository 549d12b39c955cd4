/* tessera-latent-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-latent-upscale"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-latent-upscale-private.h"

/* The "Latent Upscale" extension for A1111 (feynlee/latent-upscale)
 * enlarges the encoded image with torch.nn.functional.interpolate, the
 * corners not aligned; ComfyUI adds bislerp. Each mode here computes what
 * PyTorch 1.13's CPU kernels compute, in single precision, down to where
 * they take their samples from, so that the results agree to rounding.
 * The latents are small (a 4K image's is 4 × 270 × 480), so plain loops
 * are fast enough. */

/* PyTorch's scale between sizes given, not a scale factor: in / out in
 * single precision. */
static float
axis_scale (guint in,
            guint out)
{
  return (float) in / (float) out;
}

static guint
nearest_index (guint i,
               guint in,
               guint out)
{
  if (out == in)
    return i;
  if (out == 2 * in)
    return i >> 1;
  return MIN ((guint) floorf (i * axis_scale (in, out)), in - 1);
}

/* "nearest-exact" samples at pixel centres, as Pillow and OpenCV do */
static guint
nearest_exact_index (guint i,
                     guint in,
                     guint out)
{
  return MIN ((guint) floorf ((float) ((i + 0.5) * axis_scale (in, out))), in - 1);
}

static float *
upscale_nearest (const float *latent,
                 guint        channels,
                 guint        width,
                 guint        height,
                 guint        new_width,
                 guint        new_height,
                 gboolean     exact)
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);
  g_autofree guint *columns = g_new (guint, new_width);

  for (guint x = 0; x < new_width; x++)
    columns[x] = exact ? nearest_exact_index (x, width, new_width) : nearest_index (x, width, new_width);
  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < new_height; y++)
      {
        guint sy = exact ? nearest_exact_index (y, height, new_height) : nearest_index (y, height, new_height);
        const float *row = latent + ((gsize) c * height + sy) * width;
        float *target = out + ((gsize) c * new_height + y) * new_width;

        for (guint x = 0; x < new_width; x++)
          target[x] = row[columns[x]];
      }
  return out;
}

/* Where output sample @i falls in the input, pixel centres matched and
 * nothing left of the first sample; the arithmetic is PyTorch's. */
static float
linear_source (guint i,
               float scale)
{
  float source = (float) (scale * (i + 0.5) - 0.5);

  return MAX (source, 0.0f);
}

/* The two samples of a linear interpolation and the second one's weight */
typedef struct
{
  guint first;
  guint second;
  float weight;
} LinearTap;

static LinearTap *
linear_taps (guint in,
             guint out)
{
  LinearTap *taps = g_new (LinearTap, out);
  float scale = axis_scale (in, out);

  for (guint i = 0; i < out; i++)
    {
      float source = linear_source (i, scale);
      guint first = (guint) source;

      taps[i].first = first;
      taps[i].second = first + (first < in - 1 ? 1 : 0);
      taps[i].weight = source - first;
    }
  return taps;
}

static float *
upscale_bilinear (const float *latent,
                  guint        channels,
                  guint        width,
                  guint        height,
                  guint        new_width,
                  guint        new_height)
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);
  g_autofree LinearTap *columns = linear_taps (width, new_width);
  g_autofree LinearTap *rows = linear_taps (height, new_height);

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < new_height; y++)
      {
        const float *plane = latent + (gsize) c * height * width;
        const float *row0 = plane + (gsize) rows[y].first * width;
        const float *row1 = plane + (gsize) rows[y].second * width;
        float wy1 = rows[y].weight;
        float wy0 = (float) (1.0 - wy1);
        float *target = out + ((gsize) c * new_height + y) * new_width;

        for (guint x = 0; x < new_width; x++)
          {
            const LinearTap *tap = &columns[x];
            float wx1 = tap->weight;
            float wx0 = (float) (1.0 - wx1);
            float top = row0[tap->first] * wx0 + row0[tap->second] * wx1;
            float bottom = row1[tap->first] * wx0 + row1[tap->second] * wx1;

            target[x] = top * wy0 + bottom * wy1;
          }
      }
  return out;
}

/* Keys' cubic convolution with OpenCV's a = −0.75, which PyTorch's
 * bicubic takes without antialiasing. */
#define CUBIC_A (-0.75f)

static float
cubic_near (float x)
{
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}

static float
cubic_far (float x)
{
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/* The four samples around output sample @i, clamped to the input, and
 * their weights. */
typedef struct
{
  guint index[4];
  float weight[4];
} CubicTap;

static CubicTap *
cubic_taps (guint in,
            guint out)
{
  CubicTap *taps = g_new (CubicTap, out);
  float scale = axis_scale (in, out);

  for (guint i = 0; i < out; i++)
    {
      float source = (float) (scale * (i + 0.5) - 0.5);
      float floor_source = floorf (source);
      float t = source - floor_source;
      float opposite = (float) (1.0 - t);

      taps[i].weight[0] = cubic_far ((float) (t + 1.0));
      taps[i].weight[1] = cubic_near (t);
      taps[i].weight[2] = cubic_near (opposite);
      taps[i].weight[3] = cubic_far ((float) (opposite + 1.0));
      for (int j = 0; j < 4; j++)
        taps[i].index[j] = CLAMP ((gint64) floor_source - 1 + j, 0, (gint64) in - 1);
    }
  return taps;
}

static float *
upscale_bicubic (const float *latent,
                 guint        channels,
                 guint        width,
                 guint        height,
                 guint        new_width,
                 guint        new_height)
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);
  g_autofree CubicTap *columns = cubic_taps (width, new_width);
  g_autofree CubicTap *rows = cubic_taps (height, new_height);

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < new_height; y++)
      for (guint x = 0; x < new_width; x++)
        {
          const float *plane = latent + (gsize) c * height * width;
          float value = 0;

          for (int j = 0; j < 4; j++)
            {
              const float *row = plane + (gsize) rows[y].index[j] * width;
              float across = 0;

              for (int k = 0; k < 4; k++)
                across += row[columns[x].index[k]] * columns[x].weight[k];
              value += across * rows[y].weight[j];
            }
          out[((gsize) c * new_height + y) * new_width + x] = value;
        }
  return out;
}

/* Antialiased resampling, as PyTorch took it from Pillow: the filter
 * widened by the scale when shrinking, cut at the edges and renormalised.
 * Bicubic takes Pillow's a = −0.5 here. */
static float
triangle_filter (float x)
{
  x = fabsf (x);
  return x < 1.0f ? 1.0f - x : 0.0f;
}

static float
pillow_cubic_filter (float x)
{
  const double a = -0.5;

  x = fabsf (x);
  if (x < 1.0f)
    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0f)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0f;
}

/* Output sample i reads first[i] … first[i] + count[i] − 1, weighted by
 * weights[i × taps …]. */
typedef struct
{
  guint  taps;
  guint *first;
  guint *count;
  float *weights;
} FilterAxis;

static void
filter_axis_clear (FilterAxis *axis)
{
  g_free (axis->first);
  g_free (axis->count);
  g_free (axis->weights);
}

static void
filter_axis_init (FilterAxis  *axis,
                  guint        in,
                  guint        out,
                  guint        size,
                  float      (*filter) (float))
{
  float scale = axis_scale (in, out);
  float support = scale >= 1.0f ? size * 0.5f * scale : size * 0.5f;
  float inverse = scale >= 1.0f ? 1.0f / scale : 1.0f;

  axis->taps = (guint) ceilf (support) * 2 + 1;
  axis->first = g_new (guint, out);
  axis->count = g_new (guint, out);
  axis->weights = g_new0 (float, (gsize) out * axis->taps);
  for (guint i = 0; i < out; i++)
    {
      float center = (float) (scale * (i + 0.5));
      float *weights = axis->weights + (gsize) i * axis->taps;
      gint64 first = MAX ((gint64) (center - support + 0.5), 0);
      gint64 last = MIN ((gint64) (center + support + 0.5), (gint64) in);
      float total = 0;

      axis->first[i] = first;
      axis->count[i] = MIN (last - first, (gint64) axis->taps);
      for (guint j = 0; j < axis->count[i]; j++)
        {
          weights[j] = filter ((float) ((j + first - center + 0.5) * inverse));
          total += weights[j];
        }
      if (total != 0.0f)
        for (guint j = 0; j < axis->count[i]; j++)
          weights[j] /= total;
    }
}

/* PyTorch filters along the width first, then the height. */
static float *
upscale_antialiased (const float  *latent,
                     guint         channels,
                     guint         width,
                     guint         height,
                     guint         new_width,
                     guint         new_height,
                     guint         size,
                     float       (*filter) (float))
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);
  g_autofree float *across = g_new (float, (gsize) channels * new_width * height);
  FilterAxis columns, rows;

  filter_axis_init (&columns, width, new_width, size, filter);
  filter_axis_init (&rows, height, new_height, size, filter);
  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < height; y++)
      {
        const float *row = latent + ((gsize) c * height + y) * width;

        for (guint x = 0; x < new_width; x++)
          {
            const float *weights = columns.weights + (gsize) x * columns.taps;
            float value = 0;

            for (guint j = 0; j < columns.count[x]; j++)
              value += row[columns.first[x] + j] * weights[j];
            across[((gsize) c * height + y) * new_width + x] = value;
          }
      }
  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < new_height; y++)
      {
        const float *weights = rows.weights + (gsize) y * rows.taps;

        for (guint x = 0; x < new_width; x++)
          {
            float value = 0;

            for (guint j = 0; j < rows.count[y]; j++)
              value += across[((gsize) c * height + rows.first[y] + j) * new_width + x] * weights[j];
            out[((gsize) c * new_height + y) * new_width + x] = value;
          }
      }
  filter_axis_clear (&columns);
  filter_axis_clear (&rows);
  return out;
}

/* "area" is adaptive average pooling: each output pixel the mean of the
 * input pixels its cell touches. */
static float *
upscale_area (const float *latent,
              guint        channels,
              guint        width,
              guint        height,
              guint        new_width,
              guint        new_height)
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < new_height; y++)
      for (guint x = 0; x < new_width; x++)
        {
          guint y0 = (gsize) y * height / new_height;
          guint y1 = ((gsize) (y + 1) * height + new_height - 1) / new_height;
          guint x0 = (gsize) x * width / new_width;
          guint x1 = ((gsize) (x + 1) * width + new_width - 1) / new_width;
          float sum = 0;

          for (guint sy = y0; sy < y1; sy++)
            for (guint sx = x0; sx < x1; sx++)
              sum += latent[((gsize) c * height + sy) * width + sx];
          out[((gsize) c * new_height + y) * new_width + x] = sum / (float) (y1 - y0) / (float) (x1 - x0);
        }
  return out;
}

/* ComfyUI's slerp of two latent vectors (comfy/utils.py, bislerp): the
 * direction interpolated on the sphere, the length linearly; nearly equal
 * directions keep the first vector, nearly opposite ones are mixed
 * linearly. */
static void
slerp (const float *a,
       const float *b,
       guint        channels,
       float        ratio,
       float       *out)
{
  float norm_a = 0, norm_b = 0, dot = 0;
  float omega, sin_omega, weight_a, weight_b, length;

  for (guint c = 0; c < channels; c++)
    {
      norm_a += a[c] * a[c];
      norm_b += b[c] * b[c];
    }
  norm_a = sqrtf (norm_a);
  norm_b = sqrtf (norm_b);
  for (guint c = 0; c < channels; c++)
    dot += (norm_a == 0 ? 0 : a[c] / norm_a) * (norm_b == 0 ? 0 : b[c] / norm_b);

  if (dot > 1 - 1e-5f)
    {
      memcpy (out, a, channels * sizeof (float));
      return;
    }
  if (dot < 1e-5f - 1)
    {
      for (guint c = 0; c < channels; c++)
        out[c] = a[c] * (1.0f - ratio) + b[c] * ratio;
      return;
    }
  omega = acosf (dot);
  sin_omega = sinf (omega);
  weight_a = sinf ((1.0f - ratio) * omega) / sin_omega;
  weight_b = sinf (ratio * omega) / sin_omega;
  length = norm_a * (1.0f - ratio) + norm_b * ratio;
  for (guint c = 0; c < channels; c++)
    out[c] = (weight_a * (norm_a == 0 ? 0 : a[c] / norm_a) + weight_b * (norm_b == 0 ? 0 : b[c] / norm_b)) * length;
}

/* ComfyUI finds the two neighbours and the ratio by running PyTorch's
 * bilinear interpolation over the indices themselves, so they carry its
 * rounding: the index is the integer part of that interpolation. */
static LinearTap *
bislerp_taps (guint in,
              guint out)
{
  LinearTap *taps = linear_taps (in, out);

  for (guint i = 0; i < out; i++)
    {
      float w1 = taps[i].weight;
      float w0 = (float) (1.0 - w1);
      float position = (float) taps[i].first * w0 + (float) taps[i].second * w1;
      /* the second index is interpolated from 1, 2, … in − 1, in − 1 */
      float next = (float) MIN (taps[i].first + 1, in - 1) * w0 + (float) MIN (taps[i].second + 1, in - 1) * w1;

      taps[i].first = (guint) position;
      taps[i].second = (guint) next;
      taps[i].weight = position - floorf (position);
    }
  return taps;
}

static float *
upscale_bislerp (const float *latent,
                 guint        channels,
                 guint        width,
                 guint        height,
                 guint        new_width,
                 guint        new_height)
{
  float *out = g_new (float, (gsize) channels * new_width * new_height);
  g_autofree float *across = g_new (float, (gsize) channels * new_width * height);
  g_autofree LinearTap *columns = bislerp_taps (width, new_width);
  g_autofree LinearTap *rows = bislerp_taps (height, new_height);
  g_autofree float *a = g_new (float, channels);
  g_autofree float *b = g_new (float, channels);
  g_autofree float *mixed = g_new (float, channels);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < new_width; x++)
      {
        for (guint c = 0; c < channels; c++)
          {
            const float *row = latent + ((gsize) c * height + y) * width;

            a[c] = row[columns[x].first];
            b[c] = row[columns[x].second];
          }
        slerp (a, b, channels, columns[x].weight, mixed);
        for (guint c = 0; c < channels; c++)
          across[((gsize) c * height + y) * new_width + x] = mixed[c];
      }
  for (guint y = 0; y < new_height; y++)
    for (guint x = 0; x < new_width; x++)
      {
        for (guint c = 0; c < channels; c++)
          {
            a[c] = across[((gsize) c * height + rows[y].first) * new_width + x];
            b[c] = across[((gsize) c * height + rows[y].second) * new_width + x];
          }
        slerp (a, b, channels, rows[y].weight, mixed);
        for (guint c = 0; c < channels; c++)
          out[((gsize) c * new_height + y) * new_width + x] = mixed[c];
      }
  return out;
}

/*
 * tessera_latent_upscale:
 * @latent: @channels × @height × @width floats
 * @mode: how to resample; not %TESSERA_REDRAW_LATENT_UPSCALE_NONE
 * @antialias: filter as Pillow does, for bilinear and bicubic only, as
 *   PyTorch allows; the other modes ignore it
 *
 * Resizes a latent as the "Latent Upscale" extension and ComfyUI do.
 *
 * Returns: (transfer full): @channels × @new_height × @new_width floats
 */
float *
tessera_latent_upscale (const float                *latent,
                        guint                       channels,
                        guint                       width,
                        guint                       height,
                        guint                       new_width,
                        guint                       new_height,
                        TesseraRedrawLatentUpscale  mode,
                        gboolean                    antialias)
{
  g_return_val_if_fail (latent != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && new_width > 0 && new_height > 0, NULL);

  switch (mode)
    {
    case TESSERA_REDRAW_LATENT_UPSCALE_NONE:
      g_return_val_if_reached (NULL);
    case TESSERA_REDRAW_LATENT_UPSCALE_NEAREST:
      return upscale_nearest (latent, channels, width, height, new_width, new_height, FALSE);
    case TESSERA_REDRAW_LATENT_UPSCALE_NEAREST_EXACT:
      return upscale_nearest (latent, channels, width, height, new_width, new_height, TRUE);
    case TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR:
      if (antialias)
        return upscale_antialiased (latent, channels, width, height, new_width, new_height, 2, triangle_filter);
      return upscale_bilinear (latent, channels, width, height, new_width, new_height);
    case TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC:
      if (antialias)
        return upscale_antialiased (latent, channels, width, height, new_width, new_height, 4, pillow_cubic_filter);
      return upscale_bicubic (latent, channels, width, height, new_width, new_height);
    case TESSERA_REDRAW_LATENT_UPSCALE_AREA:
      return upscale_area (latent, channels, width, height, new_width, new_height);
    case TESSERA_REDRAW_LATENT_UPSCALE_BISLERP:
      return upscale_bislerp (latent, channels, width, height, new_width, new_height);
    }
  g_return_val_if_reached (NULL);
}
