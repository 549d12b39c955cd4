/* tessera-cpu-pool.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Max pooling as F.max_pool2d without padding: the shapes have already
 * dropped the windows that would reach past the edge. A work item is a
 * channel. */

static void
pool_channels (guint    begin,
               guint    end,
               gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  const TesseraNode *node = op->node;
  const TesseraShape *in = &op->shapes[0];
  const TesseraShape *out = op->output_shape;
  gsize in_plane = (gsize) in->height * in->width;
  gsize out_plane = (gsize) out->height * out->width;

  for (guint c = begin; c < end; c++)
    {
      const float *src = op->inputs[0] + c * in_plane;
      float *dst = op->output + c * out_plane;

      for (guint y = 0; y < out->height; y++)
        for (guint x = 0; x < out->width; x++)
          {
            const float *window = src + (gsize) y * node->stride * in->width + (gsize) x * node->stride;
            float best = window[0];

            /* NaN wins, as in PyTorch. */
            for (guint i = 0; i < node->kernel; i++)
              for (guint j = 0; j < node->kernel; j++)
                {
                  float v = window[(gsize) i * in->width + j];

                  if (v > best || isnan (v))
                    best = v;
                }
            dst[(gsize) y * out->width + x] = best;
          }
    }
}

void
tessera_cpu_max_pool (const TesseraCpuOp *op)
{
  tessera_parallel_for (op->output_shape->channels, pool_channels, (gpointer) op);
}
