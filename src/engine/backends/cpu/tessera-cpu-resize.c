/* tessera-cpu-resize.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"
#include "tessera-resize-taps.h"

/* Resizing inside a network, with the sampling the model files were made
 * with (tessera-resize-taps.h, shared with the CUDA kernel). */

G_STATIC_ASSERT ((int) TESSERA_RESIZE_NEAREST == TESSERA_TAPS_NEAREST);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BILINEAR == TESSERA_TAPS_BILINEAR);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BICUBIC == TESSERA_TAPS_BICUBIC);

/* The source taps of each destination index along one axis. */
static TesseraTaps *
make_taps (TesseraResizeMode mode,
           guint             in_size,
           guint             out_size)
{
  TesseraTaps *taps = g_new (TesseraTaps, out_size);

  for (guint i = 0; i < out_size; i++)
    taps[i] = tessera_resize_taps (mode, i, in_size, out_size);
  return taps;
}

typedef struct
{
  const TesseraCpuOp *op;
  const TesseraTaps  *x_taps;
  const TesseraTaps  *y_taps;
} Resize;

static void
resize_channels (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  const Resize *r = user_data;
  const TesseraShape *in = &r->op->shapes[0];
  const TesseraShape *out = r->op->output_shape;
  guint taps = tessera_taps_count (r->op->node->resize_mode);
  gsize in_plane = (gsize) in->height * in->width;
  gsize out_plane = (gsize) out->height * out->width;
  g_autofree float *rows = g_new (float, (gsize) 4 * out->width);

  for (guint c = begin; c < end; c++)
    {
      const float *src = r->op->inputs[0] + c * in_plane;
      float *dst = r->op->output + c * out_plane;

      for (guint y = 0; y < out->height; y++)
        {
          const TesseraTaps *ty = &r->y_taps[y];
          float *row = dst + (gsize) y * out->width;

          /* Horizontal pass into up to four rows, then the vertical sum. */
          for (guint k = 0; k < taps; k++)
            {
              const float *line = src + (gsize) CLAMP (ty->first + (int) k, 0, (int) in->height - 1) * in->width;
              float *h = rows + (gsize) k * out->width;

              for (guint x = 0; x < out->width; x++)
                {
                  const TesseraTaps *tx = &r->x_taps[x];
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
  g_autofree TesseraTaps *x_taps = make_taps (op->node->resize_mode, in->width, out->width);
  g_autofree TesseraTaps *y_taps = make_taps (op->node->resize_mode, in->height, out->height);
  Resize r = { op, x_taps, y_taps };

  tessera_parallel_for (out->channels, resize_channels, &r);
}
