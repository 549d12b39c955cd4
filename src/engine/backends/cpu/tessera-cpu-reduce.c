/* tessera-cpu-reduce.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Global average pooling and the small fully connected layers that
 * squeeze-and-excitation blocks put after it. */

static void
average_channels (guint    begin,
                  guint    end,
                  gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  gsize plane = (gsize) op->shapes[0].height * op->shapes[0].width;

  for (guint c = begin; c < end; c++)
    {
      const float *src = op->inputs[0] + c * plane;
      double sum = 0.0;

      /* In double: a plane has millions of values. */
      for (gsize i = 0; i < plane; i++)
        sum += src[i];
      op->output[c] = (float) (sum / plane);
    }
}

void
tessera_cpu_reduce (const TesseraCpuOp *op)
{
  const TesseraNode *node = op->node;

  if (node->op == TESSERA_OP_GLOBAL_AVG_POOL)
    {
      tessera_parallel_for (op->output_shape->channels, average_channels, (gpointer) op);
      return;
    }

  for (guint o = 0; o < node->out_channels; o++)
    {
      const float *w = node->weight + (gsize) o * node->in_channels;
      float sum = node->bias != NULL ? node->bias[o] : 0.f;

      for (guint i = 0; i < node->in_channels; i++)
        sum += w[i] * op->inputs[0][i];
      op->output[o] = tessera_cpu_activate (node->activation, sum, node->slope);
    }
}
