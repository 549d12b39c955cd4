/* tessera-resample.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-resample"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-parallel-private.h"
#include "tessera-resample-private.h"

/* Classic resampling, separable: a horizontal pass into a temporary image,
 * then a vertical pass. The filters, their support and the sample positions
 * follow Pillow's Image.resize, so results agree with it: sample centres at
 * (i + 0.5) · in/out, kernels widened by the scale when shrinking, weights
 * cut at the image edge and renormalised, values clamped after each pass. */

/* Weights of one axis: output sample i reads `taps` input samples from
 * first[i]. Every read stays inside the image; weights that fall outside
 * the true footprint are zero. */
typedef struct
{
  guint  taps;
  guint *first;
  float *weights;
} Axis;

static void
axis_free (Axis *axis)
{
  g_free (axis->first);
  g_free (axis->weights);
  g_free (axis);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Axis, axis_free)

static double
sinc (double x)
{
  if (x == 0.0)
    return 1.0;
  x *= G_PI;
  return sin (x) / x;
}

static double
filter_support (TesseraFilter filter)
{
  switch (filter)
    {
    case TESSERA_FILTER_BILINEAR:
      return 1.0;
    case TESSERA_FILTER_BICUBIC:
      return 2.0;
    case TESSERA_FILTER_LANCZOS:
      return 3.0;
    case TESSERA_FILTER_NEAREST:
    default:
      return 0.5;
    }
}

static double
filter_weight (TesseraFilter filter,
               double        x)
{
  const double a = -0.5;  /* Catmull-Rom */

  x = fabs (x);
  switch (filter)
    {
    case TESSERA_FILTER_BILINEAR:
      return x < 1.0 ? 1.0 - x : 0.0;
    case TESSERA_FILTER_BICUBIC:
      if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
      if (x < 2.0)
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
      return 0.0;
    case TESSERA_FILTER_LANCZOS:
      return x < 3.0 ? sinc (x) * sinc (x / 3.0) : 0.0;
    case TESSERA_FILTER_NEAREST:
    default:
      return x <= 0.5 ? 1.0 : 0.0;
    }
}

static Axis *
axis_new (guint         in_size,
          guint         out_size,
          TesseraFilter filter)
{
  g_autofree double *footprint = NULL;
  double scale = (double) in_size / out_size;
  double filter_scale = MAX (scale, 1.0);
  double support = filter_support (filter) * filter_scale;
  guint max_taps = (guint) ceil (support) * 2 + 1;
  Axis *axis = g_new0 (Axis, 1);

  axis->taps = MIN (max_taps, in_size);
  axis->first = g_new (guint, out_size);
  axis->weights = g_new0 (float, (gsize) out_size * axis->taps);
  footprint = g_new (double, max_taps);

  for (guint i = 0; i < out_size; i++)
    {
      double center = (i + 0.5) * scale;
      int lo = MAX ((int) (center - support + 0.5), 0);
      int hi = MIN ((int) (center + support + 0.5), (int) in_size);
      guint first = MIN ((guint) lo, in_size - axis->taps);
      float *weights = axis->weights + (gsize) i * axis->taps;
      double sum = 0.0;

      for (int k = lo; k < hi; k++)
        {
          footprint[k - lo] = filter_weight (filter, (k - center + 0.5) / filter_scale);
          sum += footprint[k - lo];
        }

      for (int k = lo; k < hi; k++)
        weights[k - first] = sum != 0.0 ? footprint[k - lo] / sum : 0.0;

      axis->first[i] = first;
    }

  return axis;
}

/* Nearest neighbour takes the source pixel under each output pixel's centre,
 * stepping in double precision exactly as Pillow does, so that the two agree
 * pixel for pixel at any scale. */
static guint *
nearest_table (guint in_size,
               guint out_size)
{
  guint *table = g_new (guint, out_size);
  double step = (double) in_size / out_size;
  double position = step * 0.5;

  for (guint i = 0; i < out_size; i++)
    {
      table[i] = MIN ((guint) position, in_size - 1);
      position += step;
    }

  return table;
}

typedef struct
{
  guint         n_planes;
  const float  *src[4];
  float        *tmp[4];
  float        *dst[4];
  guint         in_width;
  guint         in_height;
  guint         out_width;
  guint         out_height;
  Axis         *horizontal;
  Axis         *vertical;
  guint        *x_table;
  guint        *y_table;
} Resample;

static inline float
clamp01 (float v)
{
  return v < 0.f ? 0.f : (v > 1.f ? 1.f : v);
}

/* Items are (plane, source row) pairs. */
static void
horizontal_rows (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  Resample *r = user_data;
  const Axis *axis = r->horizontal;
  guint taps = axis->taps;

  for (guint item = begin; item < end; item++)
    {
      guint plane = item / r->in_height;
      guint y = item % r->in_height;
      const float *in = r->src[plane] + (gsize) y * r->in_width;
      float *out = r->tmp[plane] + (gsize) y * r->out_width;

      for (guint x = 0; x < r->out_width; x++)
        {
          const float *w = axis->weights + (gsize) x * taps;
          const float *p = in + axis->first[x];
          float sum = 0.f;

          for (guint k = 0; k < taps; k++)
            sum += w[k] * p[k];
          out[x] = clamp01 (sum);
        }
    }
}

/* Items are (plane, output row) pairs; the inner loops run along rows so
 * that they vectorise. */
static void
vertical_rows (guint    begin,
               guint    end,
               gpointer user_data)
{
  Resample *r = user_data;
  const Axis *axis = r->vertical;
  guint taps = axis->taps;
  guint width = r->out_width;

  for (guint item = begin; item < end; item++)
    {
      guint plane = item / r->out_height;
      guint y = item % r->out_height;
      const float *w = axis->weights + (gsize) y * taps;
      const float *in = r->tmp[plane] + (gsize) axis->first[y] * width;
      float *restrict out = r->dst[plane] + (gsize) y * width;

      for (guint x = 0; x < width; x++)
        out[x] = w[0] * in[x];
      for (guint k = 1; k < taps; k++)
        {
          const float *restrict row = in + (gsize) k * width;
          float wk = w[k];

          for (guint x = 0; x < width; x++)
            out[x] += wk * row[x];
        }
      for (guint x = 0; x < width; x++)
        out[x] = clamp01 (out[x]);
    }
}

static void
nearest_rows (guint    begin,
              guint    end,
              gpointer user_data)
{
  Resample *r = user_data;

  for (guint item = begin; item < end; item++)
    {
      guint plane = item / r->out_height;
      guint y = item % r->out_height;
      const float *in = r->src[plane] + (gsize) r->y_table[y] * r->in_width;
      float *out = r->dst[plane] + (gsize) y * r->out_width;

      for (guint x = 0; x < r->out_width; x++)
        out[x] = in[r->x_table[x]];
    }
}

typedef struct
{
  GCancellable        *cancellable;
  TesseraFractionFunc  progress;
  gpointer             progress_data;
  double               done;
  double               total;
} Work;

typedef struct
{
  TesseraRangeFunc func;
  gpointer         user_data;
  guint            offset;
} Band;

static void
band_range (guint    begin,
            guint    end,
            gpointer user_data)
{
  Band *band = user_data;

  band->func (band->offset + begin, band->offset + end, band->user_data);
}

/* Runs @func over @n items in bands, so that progress is reported and a
 * cancellation noticed between bands. @cost is the work of one item. */
static gboolean
run_in_bands (Work              *work,
              guint              n,
              double             cost,
              TesseraRangeFunc   func,
              gpointer           user_data,
              GError           **error)
{
  guint n_bands = CLAMP (n / (tessera_parallel_get_n_threads () * 16), 1, 100);

  for (guint i = 0; i < n_bands; i++)
    {
      guint begin = (guint64) n * i / n_bands;
      guint end = (guint64) n * (i + 1) / n_bands;
      Band band = { func, user_data, begin };

      if (g_cancellable_set_error_if_cancelled (work->cancellable, error))
        return FALSE;

      tessera_parallel_for (end - begin, band_range, &band);

      work->done += (end - begin) * cost;
      if (work->progress != NULL)
        work->progress (work->done / work->total, work->progress_data);
    }

  return TRUE;
}

/* Colour is filtered premultiplied by alpha, as Pillow does, so that the
 * colour of transparent pixels does not bleed into their neighbours. */
static float *
premultiply (TesseraImage *image)
{
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image);
  const float *alpha = tessera_image_get_plane (image, 3);
  float *planes = g_try_malloc_n (3 * n, sizeof (float));

  if (planes == NULL)
    return NULL;

  for (guint c = 0; c < 3; c++)
    {
      const float *in = tessera_image_get_plane (image, c);

      for (gsize i = 0; i < n; i++)
        planes[c * n + i] = in[i] * alpha[i];
    }

  return planes;
}

static void
unpremultiply (TesseraImage *image)
{
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image);
  const float *alpha = tessera_image_get_plane (image, 3);

  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (gsize i = 0; i < n; i++)
        plane[i] = alpha[i] > 0.f ? clamp01 (plane[i] / alpha[i]) : 0.f;
    }
}

/**
 * tessera_resample:
 * @source: the image to resample
 * @dest: the result, already of the wanted size, with alpha if @source has it
 * @filter: the filter
 * @cancellable: (nullable): checked between bands of rows
 * @progress: (nullable): called in this thread with the fraction done
 * @progress_data: passed to @progress
 * @error: return location for a #GError
 *
 * Resamples every plane of @source into @dest, on all cores.
 *
 * Returns: %TRUE on success, %FALSE if cancelled or out of memory
 */
gboolean
tessera_resample (TesseraImage         *source,
                  TesseraImage         *dest,
                  TesseraFilter         filter,
                  GCancellable         *cancellable,
                  TesseraFractionFunc   progress,
                  gpointer              progress_data,
                  GError              **error)
{
  g_autofree float *premultiplied = NULL;
  g_autofree float *tmp = NULL;
  g_autoptr(Axis) horizontal = NULL;
  g_autoptr(Axis) vertical = NULL;
  g_autofree guint *x_table = NULL;
  g_autofree guint *y_table = NULL;
  gboolean has_alpha = tessera_image_get_has_alpha (source);
  Resample r = { 0 };
  Work work = { cancellable, progress, progress_data };
  gsize in_pixels;

  g_return_val_if_fail (TESSERA_IS_IMAGE (source), FALSE);
  g_return_val_if_fail (TESSERA_IS_IMAGE (dest), FALSE);
  g_return_val_if_fail (tessera_image_get_has_alpha (dest) == has_alpha, FALSE);

  r.n_planes = has_alpha ? 4 : 3;
  r.in_width = tessera_image_get_width (source);
  r.in_height = tessera_image_get_height (source);
  r.out_width = tessera_image_get_width (dest);
  r.out_height = tessera_image_get_height (dest);
  in_pixels = (gsize) r.in_width * r.in_height;

  for (guint c = 0; c < r.n_planes; c++)
    {
      r.src[c] = tessera_image_get_plane (source, c);
      r.dst[c] = tessera_image_get_plane (dest, c);
    }

  if (filter == TESSERA_FILTER_NEAREST)
    {
      r.x_table = x_table = nearest_table (r.in_width, r.out_width);
      r.y_table = y_table = nearest_table (r.in_height, r.out_height);
      work.total = (double) r.n_planes * r.out_height;
      return run_in_bands (&work, r.n_planes * r.out_height, 1.0, nearest_rows, &r, error);
    }

  if (has_alpha)
    {
      premultiplied = premultiply (source);
      if (premultiplied == NULL)
        goto no_memory;
      for (guint c = 0; c < 3; c++)
        r.src[c] = premultiplied + c * in_pixels;
    }

  /* A pass that keeps its axis's size is skipped, as in Pillow. */
  if (r.out_width != r.in_width)
    {
      tmp = g_try_malloc_n ((gsize) r.n_planes * r.in_height * r.out_width, sizeof (float));
      if (tmp == NULL)
        goto no_memory;
      for (guint c = 0; c < r.n_planes; c++)
        r.tmp[c] = tmp + (gsize) c * r.in_height * r.out_width;
      r.horizontal = horizontal = axis_new (r.in_width, r.out_width, filter);
    }
  else
    {
      for (guint c = 0; c < r.n_planes; c++)
        r.tmp[c] = (float *) r.src[c];
    }

  if (r.out_height != r.in_height)
    r.vertical = vertical = axis_new (r.in_height, r.out_height, filter);

  /* Work is counted in multiply-adds, so progress moves evenly. */
  work.total = 1.0;
  if (horizontal != NULL)
    work.total += (double) r.n_planes * r.in_height * r.out_width * horizontal->taps;
  if (vertical != NULL)
    work.total += (double) r.n_planes * r.out_height * r.out_width * vertical->taps;

  if (horizontal != NULL &&
      !run_in_bands (&work, r.n_planes * r.in_height, (double) r.out_width * horizontal->taps,
                     horizontal_rows, &r, error))
    return FALSE;

  if (vertical != NULL)
    {
      if (!run_in_bands (&work, r.n_planes * r.out_height, (double) r.out_width * vertical->taps,
                         vertical_rows, &r, error))
        return FALSE;
    }
  else
    {
      for (guint c = 0; c < r.n_planes; c++)
        memcpy (r.dst[c], r.tmp[c], (gsize) r.out_width * r.out_height * sizeof (float));
    }

  if (has_alpha)
    unpremultiply (dest);

  return TRUE;

no_memory:
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
               _("not enough memory to resample a %u×%u image to %u×%u"),
               r.in_width, r.in_height, r.out_width, r.out_height);
  return FALSE;
}
