/* tessera-cpu-conv.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Convolution as SGEMM: output rows are taken a band at a time, unrolled
 * (im2col) into a matrix small enough to stay in cache, and multiplied by
 * the weights. Several inputs are read as their channel concatenation, so
 * dense blocks never copy a concat. Bias, activation, scale and residual
 * are applied to each band while it is still in cache.
 *
 * A batch unrolls the band of every sample side by side, so that one
 * SGEMM packs the weights for all of them: on small images (a UNet's deep
 * levels) packing the weights costs as much as multiplying. Where the
 * whole batch's columns are few, they are unrolled once, and the threads
 * share the output channels instead of bands, so that each weight is
 * packed once in all. */

#define BAND_FLOATS (1u << 19)   /* 2 MiB of unrolled input per band */

float
tessera_cpu_activate (TesseraActivation activation,
                      float             value,
                      float             slope)
{
  switch (activation)
    {
    case TESSERA_ACTIVATION_RELU:
      return value > 0.f ? value : 0.f;
    case TESSERA_ACTIVATION_LEAKY:
    case TESSERA_ACTIVATION_PRELU:
      return value >= 0.f ? value : value * slope;
    case TESSERA_ACTIVATION_SIGMOID:
      return 1.f / (1.f + expf (-value));
    case TESSERA_ACTIVATION_GELU:
      return 0.5f * value * (1.f + erff (value * (float) G_SQRT2 / 2.f));
    case TESSERA_ACTIVATION_SILU:
      return value / (1.f + expf (-value));
    case TESSERA_ACTIVATION_QUICK_GELU:
      return value / (1.f + expf (-1.702f * value));
    case TESSERA_ACTIVATION_MISH:
      /* PyTorch's softplus is x itself past 20. */
      return value * tanhf (value > 20.f ? value : log1pf (expf (value)));
    case TESSERA_ACTIVATION_NONE:
    default:
      return value;
    }
}

/* The common activations as one line slope (1 none, 0 ReLU), simple
 * enough to vectorise. */
TESSERA_VECTORIZE static void
epilogue_linear (float *restrict       row,
                 const float *restrict residual,
                 float                 bias,
                 float                 slope,
                 float                 scale,
                 gsize                 begin,
                 gsize                 end)
{
  /* max (v, 0) + slope · min (v, 0): no branch, so it vectorises. */
  if (residual != NULL)
    for (gsize i = begin; i < end; i++)
      {
        float v = row[i] + bias;
        float positive = v > 0.f ? v : 0.f, negative = v < 0.f ? v : 0.f;

        row[i] = (positive + slope * negative) * scale + residual[i];
      }
  else
    for (gsize i = begin; i < end; i++)
      {
        float v = row[i] + bias;
        float positive = v > 0.f ? v : 0.f, negative = v < 0.f ? v : 0.f;

        row[i] = (positive + slope * negative) * scale;
      }
}

/* Bias, activation, scale and residual on @n values of channel @c. */
void
tessera_cpu_epilogue_row (const TesseraNode *node,
                          guint              c,
                          float             *row,
                          const float       *residual,
                          gsize              n)
{
  float bias = node->bias != NULL ? node->bias[c] : 0.f;
  float slope = node->activation == TESSERA_ACTIVATION_PRELU ? node->slopes[c] : node->slope;

  switch (node->activation)
    {
    case TESSERA_ACTIVATION_NONE:
      epilogue_linear (row, residual, bias, 1.f, node->scale_a, 0, n);
      break;
    case TESSERA_ACTIVATION_RELU:
      epilogue_linear (row, residual, bias, 0.f, node->scale_a, 0, n);
      break;
    case TESSERA_ACTIVATION_LEAKY:
    case TESSERA_ACTIVATION_PRELU:
      epilogue_linear (row, residual, bias, slope, node->scale_a, 0, n);
      break;
    case TESSERA_ACTIVATION_SIGMOID:
    default:
      for (gsize i = 0; i < n; i++)
        {
          float v = tessera_cpu_activate (node->activation, row[i] + bias, slope) * node->scale_a;

          row[i] = residual != NULL ? v + residual[i] : v;
        }
      break;
    }
}

void
tessera_cpu_epilogue (const TesseraNode *node,
                      float             *output,
                      const float       *residual,
                      gsize              plane,
                      gsize              begin,
                      gsize              end)
{
  for (guint c = 0; c < node->out_channels; c++)
    tessera_cpu_epilogue_row (node, c, output + c * plane + begin,
                              residual != NULL ? residual + c * plane + begin : NULL, end - begin);
}

typedef struct
{
  const TesseraCpuOp *op;
  guint               in_height;
  guint               in_width;
  guint               out_height;
  guint               out_width;
  guint               rows_per_band;
  guint               n_bands;
  guint               batch;
  gsize               k;              /* in_channels × kernel² */
  float              *col;            /* the whole batch's, for few columns */
  float              *product;
  gint                out_of_memory;  /* atomic */
} Conv;

/* Unrolls output rows [r0, r1) of @sample: row (channel, ky, kx) of the
 * matrix, @ld floats apart, holds for each output pixel the input value
 * that weight multiplies. */
static void
im2col (const Conv *conv,
        guint       sample,
        guint       r0,
        guint       r1,
        float      *col,
        gsize       ld)
{
  const TesseraNode *node = conv->op->node;
  guint k = node->kernel, stride = node->stride, pad = node->padding;
  guint ow = conv->out_width, iw = conv->in_width, ih = conv->in_height;
  gsize row = 0;

  for (guint input = 0; input < node->n_inputs; input++)
    for (guint c = 0; c < conv->op->shapes[input].channels; c++)
      {
        const float *plane = conv->op->inputs[input] + sample * tessera_shape_size (&conv->op->shapes[input]) +
                             (gsize) c * ih * iw;

        for (guint ky = 0; ky < k; ky++)
          for (guint kx = 0; kx < k; kx++, row++)
            {
              float *dst = col + row * ld;

              for (guint y = r0; y < r1; y++, dst += ow)
                {
                  gint64 iy = (gint64) y * stride - pad + ky;
                  const float *src;
                  gint64 last;
                  guint x0, x1;

                  if (iy < 0 || iy >= ih)
                    {
                      memset (dst, 0, ow * sizeof (float));
                      continue;
                    }
                  src = plane + (gsize) iy * iw;

                  /* Output columns whose input column lies inside the image. */
                  x0 = MIN (kx < pad ? (pad - kx + stride - 1) / stride : 0, ow);
                  last = (gint64) iw - 1 + pad - kx;
                  x1 = last < 0 ? 0 : (guint) MIN ((gint64) ow, last / stride + 1);
                  x1 = MAX (x1, x0);

                  memset (dst, 0, x0 * sizeof (float));
                  if (stride == 1)
                    memcpy (dst + x0, src + x0 + kx - pad, (x1 - x0) * sizeof (float));
                  else
                    for (guint x = x0; x < x1; x++)
                      dst[x] = src[x * stride + kx - pad];
                  memset (dst + x1, 0, (ow - x1) * sizeof (float));
                }
            }
      }
}

/* The batch's bands side by side in one SGEMM, through a scratch
 * product that is then put in each sample's place. */
static void
conv_batch_bands (guint    begin,
                  guint    end,
                  gpointer user_data)
{
  Conv *conv = user_data;
  const TesseraNode *node = conv->op->node;
  gsize plane = (gsize) conv->out_height * conv->out_width;
  gsize out_size = plane * node->out_channels;
  gsize band_n = (gsize) conv->rows_per_band * conv->out_width;
  float *col = tessera_cpu_scratch (0, conv->k * conv->batch * band_n);
  float *product = tessera_cpu_scratch (1, (gsize) node->out_channels * conv->batch * band_n);

  if (col == NULL || product == NULL)
    {
      g_atomic_int_set (&conv->out_of_memory, TRUE);
      return;
    }

  for (guint band = begin; band < end; band++)
    {
      guint r0 = band * conv->rows_per_band;
      guint r1 = MIN (r0 + conv->rows_per_band, conv->out_height);
      gsize n = (gsize) (r1 - r0) * conv->out_width;
      gsize ld = n * conv->batch;

      for (guint s = 0; s < conv->batch; s++)
        im2col (conv, s, r0, r1, col + s * n, ld);

      tessera_sgemm (FALSE, FALSE, node->out_channels, ld, conv->k,
                     1.f, node->weight, conv->k, col, ld,
                     0.f, product, ld);

      for (guint s = 0; s < conv->batch; s++)
        {
          float *output = conv->op->output + s * out_size;
          gsize begin_pixel = (gsize) r0 * conv->out_width;

          for (guint c = 0; c < node->out_channels; c++)
            memcpy (output + c * plane + begin_pixel, product + c * ld + s * n, n * sizeof (float));
          tessera_cpu_epilogue (node, output, conv->op->residual != NULL ? conv->op->residual + s * out_size : NULL,
                                plane, begin_pixel, begin_pixel + n);
        }
    }
}

static void
unroll_samples (guint    begin,
                guint    end,
                gpointer user_data)
{
  Conv *conv = user_data;
  gsize n = (gsize) conv->out_height * conv->out_width;

  for (guint s = begin; s < end; s++)
    im2col (conv, s, 0, conv->out_height, conv->col + s * n, n * conv->batch);
}

/* Output channels [@begin, @end) of the whole batch from the unrolled
 * columns, each thread a share. */
static void
conv_batch_channels (guint    begin,
                     guint    end,
                     gpointer user_data)
{
  Conv *conv = user_data;
  const TesseraNode *node = conv->op->node;
  gsize plane = (gsize) conv->out_height * conv->out_width;
  gsize out_size = plane * node->out_channels;
  gsize ld = plane * conv->batch;
  guint per_share = (node->out_channels + tessera_parallel_get_n_threads () - 1) / tessera_parallel_get_n_threads ();
  guint c0 = MIN (begin * per_share, node->out_channels), c1 = MIN (end * per_share, node->out_channels);

  if (c0 == c1)
    return;
  tessera_sgemm (FALSE, FALSE, c1 - c0, ld, conv->k,
                 1.f, node->weight + c0 * conv->k, conv->k, conv->col, ld,
                 0.f, conv->product + c0 * ld, ld);

  for (guint s = 0; s < conv->batch; s++)
    for (guint c = c0; c < c1; c++)
      {
        float *row = conv->op->output + s * out_size + c * plane;

        memcpy (row, conv->product + c * ld + s * plane, plane * sizeof (float));
        tessera_cpu_epilogue_row (node, c, row,
                                  conv->op->residual != NULL ? conv->op->residual + s * out_size + c * plane : NULL,
                                  plane);
      }
}

static void
conv_bands (guint    begin,
            guint    end,
            gpointer user_data)
{
  Conv *conv = user_data;
  const TesseraNode *node = conv->op->node;
  gsize plane = (gsize) conv->out_height * conv->out_width;
  gboolean direct = node->kernel == 1 && node->stride == 1 && node->padding == 0 && node->n_inputs == 1;
  float *col = NULL;

  if (!direct)
    {
      col = tessera_cpu_scratch (0, conv->k * conv->rows_per_band * conv->out_width);
      if (col == NULL)
        {
          g_atomic_int_set (&conv->out_of_memory, TRUE);
          return;
        }
    }

  for (guint band = begin; band < end; band++)
    {
      guint r0 = band * conv->rows_per_band;
      guint r1 = MIN (r0 + conv->rows_per_band, conv->out_height);
      gsize n = (gsize) (r1 - r0) * conv->out_width;
      const float *b;
      gsize ldb;

      if (direct)
        {
          /* A 1×1 convolution's input already is the matrix. */
          b = conv->op->inputs[0] + (gsize) r0 * conv->out_width;
          ldb = plane;
        }
      else
        {
          im2col (conv, 0, r0, r1, col, n);
          b = col;
          ldb = n;
        }

      tessera_sgemm (FALSE, FALSE, node->out_channels, n, conv->k,
                     1.f, node->weight, conv->k, b, ldb,
                     0.f, conv->op->output + (gsize) r0 * conv->out_width, plane);

      tessera_cpu_epilogue (node, conv->op->output, conv->op->residual, plane,
                            (gsize) r0 * conv->out_width, (gsize) r1 * conv->out_width);
    }
}

gboolean
tessera_cpu_conv2d (const TesseraCpuOp  *op,
                    guint                batch,
                    GError             **error)
{
  const TesseraNode *node = op->node;
  Conv conv = { op };
  guint n_threads = tessera_parallel_get_n_threads ();

  conv.batch = batch;
  conv.in_height = op->shapes[0].height;
  conv.in_width = op->shapes[0].width;
  conv.out_height = op->output_shape->height;
  conv.out_width = op->output_shape->width;
  conv.k = (gsize) node->in_channels * node->kernel * node->kernel;

  /* Bands that fit the cache, and enough of them for every thread. */
  conv.rows_per_band = MAX (1, BAND_FLOATS / (conv.k * conv.out_width * batch));
  conv.rows_per_band = MIN (conv.rows_per_band, MAX (1, conv.out_height / (2 * n_threads)));
  conv.n_bands = (conv.out_height + conv.rows_per_band - 1) / conv.rows_per_band;

  if (batch > 1 && (gsize) conv.out_height * conv.out_width * batch <= TESSERA_CPU_FEW_COLUMNS)
    {
      gsize n = (gsize) conv.out_height * conv.out_width * batch;

      /* this thread's, which the others only read */
      conv.col = tessera_cpu_scratch (2, conv.k * n);
      conv.product = tessera_cpu_scratch (3, (gsize) node->out_channels * n);
      if (conv.col != NULL && conv.product != NULL)
        {
          tessera_parallel_for (batch, unroll_samples, &conv);
          tessera_parallel_for (n_threads, conv_batch_channels, &conv);
        }
      else
        conv.out_of_memory = TRUE;
    }
  else
    tessera_parallel_for (conv.n_bands, batch > 1 ? conv_batch_bands : conv_bands, &conv);

  if (conv.out_of_memory)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a convolution's working buffer"));
      return FALSE;
    }

  return TRUE;
}

/* Transposed convolution: each thread takes a share of the output
 * channels, multiplies the input by their weights (a column per input
 * pixel) and scatters the products into place (col2im). */
typedef struct
{
  const TesseraCpuOp *op;
  guint               in_height;
  guint               in_width;
  guint               out_height;
  guint               out_width;
  guint               rows_per_band;
  gint                out_of_memory;
} Deconv;

static void
deconv_channels (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  Deconv *d = user_data;
  const TesseraNode *node = d->op->node;
  guint k = node->kernel, s = node->stride, p = node->padding;
  guint kk = k * k, n_out = end - begin;
  gsize in_plane = (gsize) d->in_height * d->in_width;
  gsize out_plane = (gsize) d->out_height * d->out_width;
  float *col = tessera_cpu_scratch (0, (gsize) n_out * kk * d->rows_per_band * d->in_width);

  if (col == NULL)
    {
      g_atomic_int_set (&d->out_of_memory, TRUE);
      return;
    }

  memset (d->op->output + begin * out_plane, 0, n_out * out_plane * sizeof (float));

  for (guint r0 = 0; r0 < d->in_height; r0 += d->rows_per_band)
    {
      guint r1 = MIN (r0 + d->rows_per_band, d->in_height);
      gsize n = (gsize) (r1 - r0) * d->in_width;

      /* Weights [in][out][k][k]: this thread's outputs are a column block. */
      tessera_sgemm (TRUE, FALSE, n_out * kk, n, node->in_channels,
                     1.f, node->weight + (gsize) begin * kk, node->out_channels * kk,
                     d->op->inputs[0] + (gsize) r0 * d->in_width, in_plane,
                     0.f, col, n);

      for (guint c = 0; c < n_out; c++)
        for (guint ky = 0; ky < k; ky++)
          for (guint kx = 0; kx < k; kx++)
            {
              const float *src = col + ((gsize) c * kk + ky * k + kx) * n;
              float *dst = d->op->output + (begin + c) * out_plane;

              for (guint y = r0; y < r1; y++, src += d->in_width)
                {
                  gint64 oy = (gint64) y * s + ky - p;

                  if (oy < 0 || oy >= d->out_height)
                    continue;
                  for (guint x = 0; x < d->in_width; x++)
                    {
                      gint64 ox = (gint64) x * s + kx - p;

                      if (ox >= 0 && ox < d->out_width)
                        dst[oy * d->out_width + ox] += src[x];
                    }
                }
            }
    }
}

static void
deconv_epilogue (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  Deconv *d = user_data;
  gsize plane = (gsize) d->out_height * d->out_width;

  tessera_cpu_epilogue (d->op->node, d->op->output, d->op->residual, plane,
                        (gsize) begin * d->out_width, (gsize) end * d->out_width);
}

gboolean
tessera_cpu_deconv2d (const TesseraCpuOp  *op,
                      GError             **error)
{
  const TesseraNode *node = op->node;
  Deconv d = { op };

  d.in_height = op->shapes[0].height;
  d.in_width = op->shapes[0].width;
  d.out_height = op->output_shape->height;
  d.out_width = op->output_shape->width;
  d.rows_per_band = MAX (1, BAND_FLOATS / ((gsize) node->kernel * node->kernel * d.in_width *
                                            MAX (1, node->out_channels / tessera_parallel_get_n_threads ())));

  tessera_parallel_for (node->out_channels, deconv_channels, &d);
  if (d.out_of_memory)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a transposed convolution's working buffer"));
      return FALSE;
    }

  tessera_parallel_for (d.out_height, deconv_epilogue, &d);
  return TRUE;
}

/* Grouped convolution, depthwise most often: too little work per output
 * for SGEMM to pay, so direct loops, an output channel per task, each
 * weight tap swept along whole rows so that the inner loop vectorises. */
typedef struct
{
  const TesseraCpuOp *op;
  guint               in_height;
  guint               in_width;
  guint               out_height;
  guint               out_width;
} GroupedConv;

static void
grouped_conv_channels (guint    begin,
                       guint    end,
                       gpointer user_data)
{
  const GroupedConv *conv = user_data;
  const TesseraNode *node = conv->op->node;
  guint k = node->kernel, stride = node->stride, pad = node->padding;
  guint ih = conv->in_height, iw = conv->in_width, oh = conv->out_height, ow = conv->out_width;
  guint in_per_group = node->in_channels / node->groups;
  guint out_per_group = node->out_channels / node->groups;
  gsize plane = (gsize) oh * ow;

  for (guint o = begin; o < end; o++)
    {
      float *out = conv->op->output + o * plane;
      guint first_input = (o / out_per_group) * in_per_group;

      memset (out, 0, plane * sizeof (float));
      for (guint ci = 0; ci < in_per_group; ci++)
        {
          const float *in = conv->op->inputs[0] + (gsize) (first_input + ci) * ih * iw;
          const float *w = node->weight + ((gsize) o * in_per_group + ci) * k * k;

          for (guint ky = 0; ky < k; ky++)
            for (guint kx = 0; kx < k; kx++)
              {
                float tap = w[ky * k + kx];
                gint64 last = (gint64) iw - 1 + pad - kx;
                guint x0 = MIN (kx < pad ? (pad - kx + stride - 1) / stride : 0, ow);
                guint x1 = last < 0 ? 0 : (guint) MIN ((gint64) ow, last / stride + 1);

                for (guint y = 0; y < oh; y++)
                  {
                    gint64 iy = (gint64) y * stride - pad + ky;
                    const float *src;
                    float *dst = out + (gsize) y * ow;

                    if (iy < 0 || iy >= ih)
                      continue;
                    src = in + (gsize) iy * iw + kx - pad;
                    if (stride == 1)
                      for (guint x = x0; x < x1; x++)
                        dst[x] += tap * src[x];
                    else
                      for (guint x = x0; x < x1; x++)
                        dst[x] += tap * src[(gsize) x * stride];
                  }
              }
        }

      tessera_cpu_epilogue_row (node, o, out, conv->op->residual != NULL ? conv->op->residual + o * plane : NULL,
                                plane);
    }
}

void
tessera_cpu_grouped_conv2d (const TesseraCpuOp *op)
{
  GroupedConv conv = {
    op,
    op->shapes[0].height,
    op->shapes[0].width,
    op->output_shape->height,
    op->output_shape->width,
  };

  tessera_parallel_for (op->node->out_channels, grouped_conv_channels, &conv);
}
