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

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-resample-private.h"

/* Classic resampling, separable: a horizontal pass, then a vertical one.
 * The filters, their support and the sample positions follow Pillow's
 * Image.resize, so results agree with it: sample centres at (i + 0.5)·in/out,
 * kernels widened by the scale when shrinking, weights cut at the image edge
 * and renormalised, values clamped after each pass.
 *
 * The output is made in bands of rows: each band filters horizontally just
 * the source rows it needs, into a buffer that stays in cache, then filters
 * those vertically into the output. No full-size intermediate image exists. */

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
      break;
    }

  return 0.5;
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
      break;
    }

  return x <= 0.5 ? 1.0 : 0.0;
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

/* Output rows of one band are chosen so that its buffer of horizontally
 * filtered source rows stays near this size. */
#define BAND_BUFFER_BYTES (4u << 20)
#define BLOCK 256

typedef struct
{
  guint         n_planes;
  const float  *src[4];
  float        *dst[4];
  guint         in_width;
  guint         in_height;
  guint         out_width;
  guint         out_height;
  Axis         *horizontal;   /* NULL when the width does not change */
  Axis         *vertical;     /* NULL when the height does not change */
  guint        *x_table;      /* nearest neighbour */
  guint        *y_table;
  guint         band_rows;
  guint         n_bands;
  guint         max_band_source_rows;
  gint          out_of_memory;  /* atomic */
} Resample;

static inline float
clamp01 (float v)
{
  v = v < 0.f ? 0.f : v;
  return v > 1.f ? 1.f : v;
}

TESSERA_VECTORIZE static void
filter_row_horizontally (const float *in,
                         const Axis  *axis,
                         float       *out,
                         guint        width)
{
  guint taps = axis->taps;

  for (guint x = 0; x < width; x++)
    {
      const float *w = axis->weights + (gsize) x * taps;
      const float *p = in + axis->first[x];
      float sum = 0.f;

      for (guint k = 0; k < taps; k++)
        sum += w[k] * p[k];
      out[x] = clamp01 (sum);
    }
}

/* out = Σ w[k] · in[k · stride], a block at a time so that the sums stay in
 * the first-level cache and the loops vectorise. */
TESSERA_VECTORIZE static void
filter_rows_vertically (const float *in,
                        gsize        stride,
                        const float *w,
                        guint        taps,
                        float       *out,
                        guint        width)
{
  float sum[BLOCK];

  for (guint x0 = 0; x0 < width; x0 += BLOCK)
    {
      guint n = MIN (BLOCK, width - x0);

      for (guint i = 0; i < n; i++)
        sum[i] = w[0] * in[x0 + i];
      for (guint k = 1; k < taps; k++)
        {
          const float *row = in + k * stride + x0;
          float wk = w[k];

          for (guint i = 0; i < n; i++)
            sum[i] += wk * row[i];
        }
      for (guint i = 0; i < n; i++)
        out[x0 + i] = clamp01 (sum[i]);
    }
}

/* The source rows [first, end) one band of output rows reads. */
static void
band_source_rows (const Resample *r,
                  guint           band,
                  guint          *first,
                  guint          *end)
{
  guint y0 = band * r->band_rows;
  guint y1 = MIN (y0 + r->band_rows, r->out_height);

  if (r->vertical == NULL)
    {
      *first = y0;
      *end = y1;
      return;
    }

  *first = r->vertical->first[y0];
  *end = r->vertical->first[y1 - 1] + r->vertical->taps;
}

/* Items are (plane, band) pairs. */
static void
filter_bands (guint    begin,
              guint    end,
              gpointer user_data)
{
  Resample *r = user_data;
  g_autofree float *buffer = NULL;

  /* Small, but not when an aspect change squeezes many rows into one. */
  if (r->horizontal != NULL && r->vertical != NULL)
    {
      buffer = g_try_malloc_n ((gsize) r->max_band_source_rows * r->out_width, sizeof (float));
      if (buffer == NULL)
        {
          g_atomic_int_set (&r->out_of_memory, TRUE);
          return;
        }
    }

  for (guint item = begin; item < end; item++)
    {
      guint plane = item / r->n_bands;
      guint band = item % r->n_bands;
      guint y0 = band * r->band_rows;
      guint y1 = MIN (y0 + r->band_rows, r->out_height);
      const float *src = r->src[plane];
      float *dst = r->dst[plane];
      const float *rows;    /* source rows, from row `base` on */
      guint base;
      guint first, last;

      band_source_rows (r, band, &first, &last);

      if (r->vertical == NULL)
        {
          /* Only the width changes: filter straight into the output. */
          for (guint y = first; y < last; y++)
            filter_row_horizontally (src + (gsize) y * r->in_width, r->horizontal,
                                     dst + (gsize) y * r->out_width, r->out_width);
          continue;
        }

      if (r->horizontal != NULL)
        {
          for (guint y = first; y < last; y++)
            filter_row_horizontally (src + (gsize) y * r->in_width, r->horizontal,
                                     buffer + (gsize) (y - first) * r->out_width, r->out_width);
          rows = buffer;
          base = first;
        }
      else
        {
          rows = src;
          base = 0;
        }

      for (guint y = y0; y < y1; y++)
        filter_rows_vertically (rows + (gsize) (r->vertical->first[y] - base) * r->out_width,
                                r->out_width,
                                r->vertical->weights + (gsize) y * r->vertical->taps,
                                r->vertical->taps,
                                dst + (gsize) y * r->out_width, r->out_width);
    }
}

/* Items are (plane, band) pairs, as above. */
static void
nearest_bands (guint    begin,
               guint    end,
               gpointer user_data)
{
  Resample *r = user_data;

  for (guint item = begin; item < end; item++)
    {
      guint plane = item / r->n_bands;
      guint y0 = (item % r->n_bands) * r->band_rows;
      guint y1 = MIN (y0 + r->band_rows, r->out_height);

      for (guint y = y0; y < y1; y++)
        {
          const float *in = r->src[plane] + (gsize) r->y_table[y] * r->in_width;
          float *out = r->dst[plane] + (gsize) y * r->out_width;

          for (guint x = 0; x < r->out_width; x++)
            out[x] = in[r->x_table[x]];
        }
    }
}

/* Bands as tall as the cache budget allows, but enough of them to keep
 * every thread busy and progress moving. */
static void
plan_bands (Resample *r)
{
  double source_per_output = (double) r->in_height / r->out_height;
  double taps = r->vertical != NULL ? r->vertical->taps : 1;
  guint min_bands = tessera_parallel_get_n_threads () * 8;
  double rows;

  rows = ((double) BAND_BUFFER_BYTES / (r->out_width * sizeof (float)) - taps) / source_per_output;
  rows = MIN (rows, (double) r->out_height * r->n_planes / min_bands);
  r->band_rows = (guint) CLAMP (rows, 8.0, 1024.0);
  r->band_rows = MIN (r->band_rows, r->out_height);
  r->n_bands = (r->out_height + r->band_rows - 1) / r->band_rows;

  r->max_band_source_rows = 0;
  for (guint band = 0; band < r->n_bands; band++)
    {
      guint first, end;

      band_source_rows (r, band, &first, &end);
      r->max_band_source_rows = MAX (r->max_band_source_rows, end - first);
    }
}

typedef struct
{
  TesseraRangeFunc func;
  gpointer         user_data;
  guint            offset;
} Group;

static void
group_range (guint    begin,
             guint    end,
             gpointer user_data)
{
  Group *group = user_data;

  group->func (group->offset + begin, group->offset + end, group->user_data);
}

/* Runs @func over @n items in groups, so that progress is reported and a
 * cancellation noticed between groups. */
static gboolean
run_in_groups (guint                n,
               TesseraRangeFunc     func,
               gpointer             user_data,
               GCancellable        *cancellable,
               TesseraFractionFunc  progress,
               gpointer             progress_data,
               GError             **error)
{
  guint n_groups = CLAMP (n / (tessera_parallel_get_n_threads () * 2), 1, 100);

  for (guint i = 0; i < n_groups; i++)
    {
      guint begin = (guint64) n * i / n_groups;
      guint end = (guint64) n * (i + 1) / n_groups;
      Group group = { func, user_data, begin };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      tessera_parallel_for (end - begin, group_range, &group);

      if (progress != NULL)
        progress ((double) end / n, progress_data);
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
  float *planes = tessera_alloc_large (3 * n * sizeof (float));

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

/* Resamples r->n_planes planes from r->src to r->dst, as set up by the caller. */
static gboolean
resample_planes (Resample             *r,
                 TesseraFilter         filter,
                 GCancellable         *cancellable,
                 TesseraFractionFunc   progress,
                 gpointer              progress_data,
                 GError              **error)
{
  g_autoptr(Axis) horizontal = NULL;
  g_autoptr(Axis) vertical = NULL;
  g_autofree guint *x_table = NULL;
  g_autofree guint *y_table = NULL;
  gboolean ok;

  if (filter == TESSERA_FILTER_NEAREST)
    {
      r->x_table = x_table = nearest_table (r->in_width, r->out_width);
      r->y_table = y_table = nearest_table (r->in_height, r->out_height);
      plan_bands (r);
      return run_in_groups (r->n_planes * r->n_bands, nearest_bands, r,
                            cancellable, progress, progress_data, error);
    }

  if (r->in_width == r->out_width && r->in_height == r->out_height)
    {
      for (guint c = 0; c < r->n_planes; c++)
        memcpy (r->dst[c], r->src[c], (gsize) r->in_width * r->in_height * sizeof (float));
      return TRUE;
    }

  /* A pass that keeps its axis's size is skipped, as in Pillow. */
  if (r->out_width != r->in_width)
    r->horizontal = horizontal = axis_new (r->in_width, r->out_width, filter);
  if (r->out_height != r->in_height)
    r->vertical = vertical = axis_new (r->in_height, r->out_height, filter);

  plan_bands (r);
  ok = run_in_groups (r->n_planes * r->n_bands, filter_bands, r,
                      cancellable, progress, progress_data, error);

  if (ok && r->out_of_memory)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory to resample a %u×%u image to %u×%u"),
                   r->in_width, r->in_height, r->out_width, r->out_height);
      return FALSE;
    }

  return ok;
}

/**
 * tessera_resample:
 * @source: the image to resample
 * @dest: the result, already of the wanted size, with alpha if @source has it
 * @filter: the filter
 * @cancellable: (nullable): checked between groups of rows
 * @progress: (nullable): called in this thread with the fraction done
 * @progress_data: passed to @progress
 * @error: return location for a #GError
 *
 * Resamples every plane of @source into @dest, on all cores; colour is
 * filtered premultiplied by alpha.
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
  gboolean has_alpha = tessera_image_get_has_alpha (source);
  float *premultiplied = NULL;
  gsize premultiplied_size = 0;
  Resample r = { 0 };
  gboolean ok;

  g_return_val_if_fail (TESSERA_IS_IMAGE (source), FALSE);
  g_return_val_if_fail (TESSERA_IS_IMAGE (dest), FALSE);
  g_return_val_if_fail (tessera_image_get_has_alpha (dest) == has_alpha, FALSE);

  r.n_planes = has_alpha ? 4 : 3;
  r.in_width = tessera_image_get_width (source);
  r.in_height = tessera_image_get_height (source);
  r.out_width = tessera_image_get_width (dest);
  r.out_height = tessera_image_get_height (dest);

  for (guint c = 0; c < r.n_planes; c++)
    {
      r.src[c] = tessera_image_get_plane (source, c);
      r.dst[c] = tessera_image_get_plane (dest, c);
    }

  if (has_alpha && filter != TESSERA_FILTER_NEAREST &&
      (r.in_width != r.out_width || r.in_height != r.out_height))
    {
      premultiplied_size = 3 * (gsize) r.in_width * r.in_height * sizeof (float);
      premultiplied = premultiply (source);
      if (premultiplied == NULL)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                       _("not enough memory to resample a %u×%u image"), r.in_width, r.in_height);
          return FALSE;
        }
      for (guint c = 0; c < 3; c++)
        r.src[c] = premultiplied + c * (gsize) r.in_width * r.in_height;
    }

  ok = resample_planes (&r, filter, cancellable, progress, progress_data, error);
  tessera_free_large (premultiplied, premultiplied_size);

  if (ok && premultiplied != NULL)
    unpremultiply (dest);

  return ok;
}

/**
 * tessera_resample_plane:
 *
 * Resamples plane @source_plane of @source into plane @dest_plane of @dest,
 * by itself: what an alpha channel needs when the colour is upscaled
 * otherwise.
 */
gboolean
tessera_resample_plane (TesseraImage  *source,
                        guint          source_plane,
                        TesseraImage  *dest,
                        guint          dest_plane,
                        TesseraFilter  filter,
                        GCancellable  *cancellable,
                        GError       **error)
{
  Resample r = { 0 };

  r.n_planes = 1;
  r.in_width = tessera_image_get_width (source);
  r.in_height = tessera_image_get_height (source);
  r.out_width = tessera_image_get_width (dest);
  r.out_height = tessera_image_get_height (dest);
  r.src[0] = tessera_image_get_plane (source, source_plane);
  r.dst[0] = tessera_image_get_plane (dest, dest_plane);

  return resample_planes (&r, filter, cancellable, NULL, NULL, error);
}

/* Resampling a band of rows at a time, for images larger than memory:
 * each output row is computed exactly as tessera_resample_plane()
 * computes it, from the source rows tessera_resample_rows_get_source()
 * names. */
struct _TesseraResampleRows
{
  TesseraFilter  filter;
  guint          in_width;
  guint          in_height;
  guint          out_width;
  guint          out_height;
  Axis          *horizontal;   /* NULL when the width does not change */
  Axis          *vertical;     /* NULL when the height does not change */
  guint         *x_table;      /* nearest neighbour */
  guint         *y_table;
  float         *buffer;       /* source rows filtered horizontally */
  gsize          buffer_rows;
};

TesseraResampleRows *
tessera_resample_rows_new (guint         in_width,
                           guint         in_height,
                           guint         out_width,
                           guint         out_height,
                           TesseraFilter filter)
{
  TesseraResampleRows *self = g_new0 (TesseraResampleRows, 1);

  self->filter = filter;
  self->in_width = in_width;
  self->in_height = in_height;
  self->out_width = out_width;
  self->out_height = out_height;
  if (filter == TESSERA_FILTER_NEAREST)
    {
      self->x_table = nearest_table (in_width, out_width);
      self->y_table = nearest_table (in_height, out_height);
    }
  else
    {
      if (out_width != in_width)
        self->horizontal = axis_new (in_width, out_width, filter);
      if (out_height != in_height)
        self->vertical = axis_new (in_height, out_height, filter);
    }
  return self;
}

void
tessera_resample_rows_free (TesseraResampleRows *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->horizontal, axis_free);
  g_clear_pointer (&self->vertical, axis_free);
  g_free (self->x_table);
  g_free (self->y_table);
  g_free (self->buffer);
  g_free (self);
}

/* The source rows [@first, @end) that output rows [@y0, @y1) read. */
void
tessera_resample_rows_get_source (TesseraResampleRows *self,
                                  guint                y0,
                                  guint                y1,
                                  guint               *first,
                                  guint               *end)
{
  if (self->y_table != NULL)
    {
      *first = self->y_table[y0];
      *end = self->y_table[y1 - 1] + 1;
    }
  else if (self->vertical != NULL)
    {
      *first = self->vertical->first[y0];
      *end = self->vertical->first[y1 - 1] + self->vertical->taps;
    }
  else
    {
      *first = y0;
      *end = y1;
    }
}

typedef struct
{
  TesseraResampleRows *self;
  const float         *src;        /* source row `base` */
  guint                base;
  guint                first;      /* the first source row filtered */
  float               *dst;        /* output row y0 */
  guint                y0;
} RowsJob;

static void
filter_source_rows (guint    begin,
                    guint    end,
                    gpointer user_data)
{
  RowsJob *job = user_data;
  TesseraResampleRows *self = job->self;

  for (guint i = begin; i < end; i++)
    filter_row_horizontally (job->src + (gsize) (job->first + i - job->base) * self->in_width, self->horizontal,
                             self->buffer + (gsize) i * self->out_width, self->out_width);
}

static void
filter_output_rows (guint    begin,
                    guint    end,
                    gpointer user_data)
{
  RowsJob *job = user_data;
  TesseraResampleRows *self = job->self;

  for (guint i = begin; i < end; i++)
    {
      guint y = job->y0 + i;
      float *out = job->dst + (gsize) i * self->out_width;

      if (self->y_table != NULL)
        {
          const float *in = job->src + (gsize) (self->y_table[y] - job->base) * self->in_width;

          for (guint x = 0; x < self->out_width; x++)
            out[x] = in[self->x_table[x]];
        }
      else if (self->vertical == NULL && self->horizontal == NULL)
        memcpy (out, job->src + (gsize) (y - job->base) * self->in_width, self->out_width * sizeof (float));
      else if (self->vertical == NULL)
        filter_row_horizontally (job->src + (gsize) (y - job->base) * self->in_width, self->horizontal, out,
                                 self->out_width);
      else if (self->horizontal != NULL)
        filter_rows_vertically (self->buffer + (gsize) (self->vertical->first[y] - job->first) * self->out_width,
                                self->out_width, self->vertical->weights + (gsize) y * self->vertical->taps,
                                self->vertical->taps, out, self->out_width);
      else
        filter_rows_vertically (job->src + (gsize) (self->vertical->first[y] - job->base) * self->in_width,
                                self->out_width, self->vertical->weights + (gsize) y * self->vertical->taps,
                                self->vertical->taps, out, self->out_width);
    }
}

/**
 * tessera_resample_rows_run:
 * @src: source row @base of one plane, rows following at the source's
 *   width; it must hold the rows tessera_resample_rows_get_source() names
 * @dst: where output row @y0 goes, rows following at the output's width
 *
 * Computes output rows [@y0, @y1) of one plane, on every thread.
 */
gboolean
tessera_resample_rows_run (TesseraResampleRows  *self,
                           const float          *src,
                           guint                 base,
                           float                *dst,
                           guint                 y0,
                           guint                 y1,
                           GError              **error)
{
  RowsJob job = { self, src, base, 0, dst, y0 };
  guint end;

  tessera_resample_rows_get_source (self, y0, y1, &job.first, &end);
  if (self->horizontal != NULL && self->vertical != NULL)
    {
      gsize rows = end - job.first;

      if (rows > self->buffer_rows)
        {
          g_free (self->buffer);
          self->buffer = g_try_malloc_n (rows * self->out_width, sizeof (float));
          self->buffer_rows = self->buffer != NULL ? rows : 0;
          if (self->buffer == NULL)
            {
              g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory to resample a %u×%u image to %u×%u"),
                           self->in_width, self->in_height, self->out_width, self->out_height);
              return FALSE;
            }
        }
      tessera_parallel_for (rows, filter_source_rows, &job);
    }
  tessera_parallel_for (y1 - y0, filter_output_rows, &job);
  return TRUE;
}
