/* tessera-cpu-grid.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"
#include "tessera-grid-index.h"

/* The grid permutations of OmniSR's grid attention, which only move
 * values (tessera-grid-index.h says where from, for the CUDA kernel too).
 * A work item is an output channel. */

/* The ops in TesseraOp's order, from GRID_TO_WINDOWS on. */
G_STATIC_ASSERT (TESSERA_GRID_TO_WINDOWS == 0);
G_STATIC_ASSERT (TESSERA_OP_WINDOWS_TO_GRID - TESSERA_OP_GRID_TO_WINDOWS == TESSERA_WINDOWS_TO_GRID);
G_STATIC_ASSERT (TESSERA_OP_GRID_TO_CHANNELS - TESSERA_OP_GRID_TO_WINDOWS == TESSERA_GRID_TO_CHANNELS);
G_STATIC_ASSERT (TESSERA_OP_CHANNELS_TO_GRID - TESSERA_OP_GRID_TO_WINDOWS == TESSERA_CHANNELS_TO_GRID);

static void
grid_channels (guint    begin,
               guint    end,
               gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  const TesseraNode *node = op->node;
  const TesseraShape *in = &op->shapes[0];
  const TesseraShape *out = op->output_shape;
  int kind = node->op - TESSERA_OP_GRID_TO_WINDOWS;
  gsize out_plane = (gsize) out->height * out->width;

  for (guint c = begin; c < end; c++)
    {
      float *dst = op->output + c * out_plane;

      for (guint y = 0; y < out->height; y++)
        for (guint x = 0; x < out->width; x++)
          dst[(gsize) y * out->width + x] =
            op->inputs[0][tessera_grid_source (kind, node->factor, c, y, x, in->channels, in->height, in->width,
                                               out->channels, MAX (node->groups, 1))];
    }
}

void
tessera_cpu_grid (const TesseraCpuOp *op)
{
  tessera_parallel_for (op->output_shape->channels, grid_channels, (gpointer) op);
}
