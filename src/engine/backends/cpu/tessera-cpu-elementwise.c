/* tessera-cpu-elementwise.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Activations, scaled addition (of the same shape, or one value per
 * channel), multiplication (elementwise or per channel), clamping, affine
 * maps and GEGLU: one value in, one out, an output channel per work
 * item. */

static void
elementwise_channels (guint    begin,
                      guint    end,
                      gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  const TesseraNode *node = op->node;
  gsize plane = (gsize) op->output_shape->height * op->output_shape->width;

  for (guint c = begin; c < end; c++)
    {
      const float *a = op->inputs[0] + c * plane;
      float *out = op->output + c * plane;

      switch (node->op)
        {
        case TESSERA_OP_ACTIVATION:
          {
            float slope = node->activation == TESSERA_ACTIVATION_PRELU ? node->slopes[c] : node->slope;

            for (gsize i = 0; i < plane; i++)
              out[i] = tessera_cpu_activate (node->activation, a[i], slope);
          }
          break;
        case TESSERA_OP_ADD:
          if ((gsize) op->shapes[1].height * op->shapes[1].width == plane)
            {
              const float *b = op->inputs[1] + c * plane;

              for (gsize i = 0; i < plane; i++)
                out[i] = node->scale_a * a[i] + node->scale_b * b[i];
            }
          else
            {
              float b = node->scale_b * op->inputs[1][c];

              for (gsize i = 0; i < plane; i++)
                out[i] = node->scale_a * a[i] + b;
            }
          break;
        case TESSERA_OP_MUL:
          {
            /* b of one channel multiplies every channel of a. */
            const float *b = op->inputs[1] + (op->shapes[1].channels == 1 ? 0 : c * plane);

            for (gsize i = 0; i < plane; i++)
              out[i] = a[i] * b[i];
          }
          break;
        case TESSERA_OP_MUL_CHANNELS:
          {
            float factor = op->inputs[1][c];

            for (gsize i = 0; i < plane; i++)
              out[i] = a[i] * factor;
          }
          break;
        case TESSERA_OP_CLAMP:
          for (gsize i = 0; i < plane; i++)
            out[i] = a[i] < node->min ? node->min : (a[i] > node->max ? node->max : a[i]);
          break;
        case TESSERA_OP_AFFINE:
          for (gsize i = 0; i < plane; i++)
            out[i] = node->scale_a * a[i] + node->scale_b;
          break;
        case TESSERA_OP_GEGLU:
          {
            /* diffusers' GEGLU: hidden, gate = x.chunk (2); hidden · gelu (gate). */
            const float *gate = op->inputs[0] + (gsize) (op->output_shape->channels + c) * plane;

            for (gsize i = 0; i < plane; i++)
              out[i] = a[i] * tessera_cpu_activate (TESSERA_ACTIVATION_GELU, gate[i], 0.f);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

void
tessera_cpu_elementwise (const TesseraCpuOp *op)
{
  tessera_parallel_for (op->output_shape->channels, elementwise_channels, (gpointer) op);
}
