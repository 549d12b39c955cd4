/* tessera-cpu-dysample.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* DySample's sampling (tessera_graph_dysample()): F.grid_sample, bilinear,
 * align_corners=False, padding_mode="border", at the grid DySample makes
 * from its offsets. The normalised coordinate is computed as DySample
 * computes it, then taken back to pixels as grid_sample does, so that the
 * rounding is theirs. A work item is an output row. */

static float
sample_coordinate (guint position,
                   float offset,
                   guint size)
{
  float normalised = 2.f * ((float) position + 0.5f + offset) / (float) size - 1.f;
  float pixel = ((normalised + 1.f) * (float) size - 1.f) / 2.f;

  return CLAMP (pixel, 0.f, (float) size - 1.f);
}

static void
dysample_rows (guint    begin,
               guint    end,
               gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  const TesseraNode *node = op->node;
  const TesseraShape *in = &op->shapes[0];
  const TesseraShape *out = op->output_shape;
  guint s = node->factor, groups = node->groups, per_group = in->channels / groups;
  gsize in_plane = (gsize) in->height * in->width, out_plane = (gsize) out->height * out->width;

  for (guint row = begin; row < end; row++)
    {
      guint y = row / s, i = row % s;

      for (guint col = 0; col < out->width; col++)
        {
          guint x = col / s, j = col % s;
          gsize at = (gsize) y * in->width + x;

          for (guint g = 0; g < groups; g++)
            {
              guint k = g * s * s + i * s + j;
              float dx = op->inputs[1][k * in_plane + at];
              float dy = op->inputs[1][((gsize) groups * s * s + k) * in_plane + at];
              float px = sample_coordinate (x, dx, in->width), py = sample_coordinate (y, dy, in->height);
              guint x0 = (guint) floorf (px), y0 = (guint) floorf (py);
              guint x1 = MIN (x0 + 1, in->width - 1), y1 = MIN (y0 + 1, in->height - 1);
              float wx = px - (float) x0, wy = py - (float) y0;

              for (guint c = g * per_group; c < (g + 1) * per_group; c++)
                {
                  const float *src = op->inputs[0] + c * in_plane;
                  float top = src[(gsize) y0 * in->width + x0] * (1.f - wx) + src[(gsize) y0 * in->width + x1] * wx;
                  float bottom = src[(gsize) y1 * in->width + x0] * (1.f - wx) + src[(gsize) y1 * in->width + x1] * wx;

                  op->output[c * out_plane + (gsize) row * out->width + col] = top * (1.f - wy) + bottom * wy;
                }
            }
        }
    }
}

void
tessera_cpu_dysample (const TesseraCpuOp *op)
{
  tessera_parallel_for (op->output_shape->height, dysample_rows, (gpointer) op);
}
