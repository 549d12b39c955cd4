/* tessera-cpu-layout.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <string.h>

#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Ops that only move values: concatenation, pixel (un)shuffle in
 * PyTorch's order, cropping and padding, and the caller's constants. A
 * work item is an output channel. */

/* An index into [0, size) for i outside it, as PyTorch pads. */
static gint64
pad_index (TesseraPadMode mode,
           gint64         i,
           gint64         size)
{
  if (mode == TESSERA_PAD_REPLICATE)
    return CLAMP (i, 0, size - 1);
  if (mode == TESSERA_PAD_SYMMETRIC)
    return i < 0 ? -i - 1 : i >= size ? 2 * size - 1 - i : i;

  /* Reflection without repeating the edge; shapes forbid reaching past
   * the far side. */
  if (i < 0)
    return -i;
  if (i >= size)
    return 2 * (size - 1) - i;
  return i;
}

static void
layout_channels (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  const TesseraCpuOp *op = user_data;
  const TesseraNode *node = op->node;
  const TesseraShape *in = &op->shapes[0];
  const TesseraShape *out = op->output_shape;
  gsize in_plane = (gsize) in->height * in->width;
  gsize out_plane = (gsize) out->height * out->width;
  guint r = node->factor;

  for (guint c = begin; c < end; c++)
    {
      float *dst = op->output + c * out_plane;

      switch (node->op)
        {
        case TESSERA_OP_CONCAT:
          {
            guint channel = c, k = 0;

            while (channel >= op->shapes[k].channels)
              channel -= op->shapes[k++].channels;
            memcpy (dst, op->inputs[k] + channel * in_plane, out_plane * sizeof (float));
          }
          break;

        case TESSERA_OP_PIXEL_SHUFFLE:
          /* out[c][y·r + i][x·r + j] = in[c·r² + i·r + j][y][x] */
          for (guint i = 0; i < r; i++)
            for (guint j = 0; j < r; j++)
              {
                const float *src = op->inputs[0] + ((gsize) c * r * r + i * r + j) * in_plane;

                for (guint y = 0; y < in->height; y++)
                  for (guint x = 0; x < in->width; x++)
                    dst[((gsize) y * r + i) * out->width + x * r + j] = src[(gsize) y * in->width + x];
              }
          break;

        case TESSERA_OP_PIXEL_UNSHUFFLE:
          {
            guint source = c / (r * r), i = (c / r) % r, j = c % r;
            const float *src = op->inputs[0] + (gsize) source * in_plane;

            for (guint y = 0; y < out->height; y++)
              for (guint x = 0; x < out->width; x++)
                dst[(gsize) y * out->width + x] = src[((gsize) y * r + i) * in->width + x * r + j];
          }
          break;

        case TESSERA_OP_CROP:
          {
            const float *src = op->inputs[0] + c * in_plane;

            for (guint y = 0; y < out->height; y++)
              memcpy (dst + (gsize) y * out->width, src + ((gsize) y + node->top) * in->width + node->left,
                      out->width * sizeof (float));
          }
          break;

        case TESSERA_OP_PAD:
          {
            const float *src = op->inputs[0] + c * in_plane;

            for (guint y = 0; y < out->height; y++)
              {
                gint64 sy = (gint64) y - node->top;
                float *row = dst + (gsize) y * out->width;

                if (node->pad_mode == TESSERA_PAD_ZERO && (sy < 0 || sy >= in->height))
                  {
                    memset (row, 0, out->width * sizeof (float));
                    continue;
                  }
                sy = pad_index (node->pad_mode, sy, in->height);
                for (guint x = 0; x < out->width; x++)
                  {
                    gint64 sx = (gint64) x - node->left;

                    if (node->pad_mode == TESSERA_PAD_ZERO && (sx < 0 || sx >= in->width))
                      row[x] = 0.f;
                    else
                      row[x] = src[sy * in->width + pad_index (node->pad_mode, sx, in->width)];
                  }
              }
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

void
tessera_cpu_layout (const TesseraCpuOp *op)
{
  if (op->node->op == TESSERA_OP_CONSTANT)
    {
      memcpy (op->output, op->node->weight, tessera_shape_size (op->output_shape) * sizeof (float));
      return;
    }

  tessera_parallel_for (op->output_shape->channels, layout_channels, (gpointer) op);
}
