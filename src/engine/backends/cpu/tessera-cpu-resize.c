/* tessera-cpu-resize.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include "tessera-cpu-private.h"
#include "tessera-parallel-private.h"

/* Resizing inside a network, with the sampling the model files were made
 * with: nearest as PyTorch's F.interpolate (source = ⌊destination /
 * factor⌋), bilinear with half-pixel centres as PyTorch's align_corners
 * False, and bicubic as ncnn's Interp and PyTorch's bicubic (a = −0.75,
 * half-pixel centres, samples beyond the edge repeat the edge). */

#define BICUBIC_A -0.75f

typedef struct
{
  int   first;      /* leftmost source index, before clamping */
  float weights[4];
} Taps;

static void
cubic_weights (float  t,
               float *w)
{
  float a = BICUBIC_A;
  float x0 = t + 1.f, x1 = t, x2 = 1.f - t;

  w[0] = ((a * x0 - 5.f * a) * x0 + 8.f * a) * x0 - 4.f * a;
  w[1] = ((a + 2.f) * x1 - (a + 3.f)) * x1 * x1 + 1.f;
  w[2] = ((a + 2.f) * x2 - (a + 3.f)) * x2 * x2 + 1.f;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

/* The source taps of each destination index along one axis. */
static Taps *
make_taps (TesseraResizeMode mode,
           guint             in_size,
           guint             out_size)
{
  Taps *taps = g_new0 (Taps, out_size);
  double ratio = (double) in_size / out_size;

  for (guint i = 0; i < out_size; i++)
    {
      double centre = (i + 0.5) * ratio - 0.5;

      switch (mode)
        {
        case TESSERA_RESIZE_NEAREST:
          taps[i].first = MIN ((guint) floor (i * ratio), in_size - 1);
          taps[i].weights[0] = 1.f;
          break;
        case TESSERA_RESIZE_BILINEAR:
          {
            double x = MAX (centre, 0.0);

            taps[i].first = (int) floor (x);
            taps[i].weights[1] = (float) (x - taps[i].first);
            taps[i].weights[0] = 1.f - taps[i].weights[1];
          }
          break;
        case TESSERA_RESIZE_BICUBIC:
        default:
          taps[i].first = (int) floor (centre) - 1;
          cubic_weights ((float) (centre - floor (centre)), taps[i].weights);
          break;
        }
    }

  return taps;
}

static guint
n_taps (TesseraResizeMode mode)
{
  return mode == TESSERA_RESIZE_NEAREST ? 1 : mode == TESSERA_RESIZE_BILINEAR ? 2 : 4;
}

typedef struct
{
  const TesseraCpuOp *op;
  const Taps         *x_taps;
  const Taps         *y_taps;
} Resize;

static void
resize_channels (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  const Resize *r = user_data;
  const TesseraShape *in = &r->op->shapes[0];
  const TesseraShape *out = r->op->output_shape;
  guint taps = n_taps (r->op->node->resize_mode);
  gsize in_plane = (gsize) in->height * in->width;
  gsize out_plane = (gsize) out->height * out->width;
  g_autofree float *rows = g_new (float, (gsize) 4 * out->width);

  for (guint c = begin; c < end; c++)
    {
      const float *src = r->op->inputs[0] + c * in_plane;
      float *dst = r->op->output + c * out_plane;

      for (guint y = 0; y < out->height; y++)
        {
          const Taps *ty = &r->y_taps[y];
          float *row = dst + (gsize) y * out->width;

          /* Horizontal pass into up to four rows, then the vertical sum. */
          for (guint k = 0; k < taps; k++)
            {
              const float *line = src + (gsize) CLAMP (ty->first + (int) k, 0, (int) in->height - 1) * in->width;
              float *h = rows + (gsize) k * out->width;

              for (guint x = 0; x < out->width; x++)
                {
                  const Taps *tx = &r->x_taps[x];
                  float sum = 0.f;

                  for (guint j = 0; j < taps; j++)
                    sum += tx->weights[j] * line[CLAMP (tx->first + (int) j, 0, (int) in->width - 1)];
                  h[x] = sum;
                }
            }

          for (guint x = 0; x < out->width; x++)
            {
              float sum = 0.f;

              for (guint k = 0; k < taps; k++)
                sum += ty->weights[k] * rows[(gsize) k * out->width + x];
              row[x] = sum;
            }
        }
    }
}

void
tessera_cpu_resize (const TesseraCpuOp *op)
{
  const TesseraShape *in = &op->shapes[0];
  const TesseraShape *out = op->output_shape;
  g_autofree Taps *x_taps = make_taps (op->node->resize_mode, in->width, out->width);
  g_autofree Taps *y_taps = make_taps (op->node->resize_mode, in->height, out->height);
  Resize r = { op, x_taps, y_taps };

  tessera_parallel_for (out->channels, resize_channels, &r);
}
