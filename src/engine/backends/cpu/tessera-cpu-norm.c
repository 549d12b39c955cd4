/* tessera-cpu-norm.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* LayerNorm over each pixel's channels, as a transformer normalises its
 * tokens: the mean and the biased variance of the channels, two passes.
 * A pixel's channels lie a plane apart, so a row of pixels goes at once,
 * its sums side by side, and the loops run along the row. */

typedef struct
{
  const TesseraCpuOp *op;
  gint                out_of_memory;  /* atomic */
} Norm;

TESSERA_VECTORIZE static void
norm_row (const TesseraNode *node,
          const float       *in,
          float             *out,
          guint              channels,
          gsize              plane,
          guint              n,
          float             *mean,
          float             *scale)
{
  float inverse = 1.f / channels;

  for (guint x = 0; x < n; x++)
    mean[x] = 0.f;
  for (guint c = 0; c < channels; c++)
    {
      const float *row = in + c * plane;

      for (guint x = 0; x < n; x++)
        mean[x] += row[x];
    }
  for (guint x = 0; x < n; x++)
    {
      mean[x] *= inverse;
      scale[x] = 0.f;
    }

  for (guint c = 0; c < channels; c++)
    {
      const float *row = in + c * plane;

      for (guint x = 0; x < n; x++)
        {
          float d = row[x] - mean[x];

          scale[x] += d * d;
        }
    }
  for (guint x = 0; x < n; x++)
    scale[x] = 1.f / sqrtf (scale[x] * inverse + node->epsilon);

  for (guint c = 0; c < channels; c++)
    {
      const float *row = in + c * plane;
      float *dst = out + c * plane;
      float w = node->weight != NULL ? node->weight[c] : 1.f;
      float b = node->bias != NULL ? node->bias[c] : 0.f;

      for (guint x = 0; x < n; x++)
        dst[x] = (row[x] - mean[x]) * scale[x] * w + b;
    }
}

static void
norm_rows (guint    begin,
           guint    end,
           gpointer user_data)
{
  Norm *norm = user_data;
  const TesseraCpuOp *op = norm->op;
  guint width = op->output_shape->width, channels = op->output_shape->channels;
  gsize plane = (gsize) op->output_shape->height * width;
  float *sums = tessera_cpu_scratch (0, 2 * (gsize) width);

  if (sums == NULL)
    {
      g_atomic_int_set (&norm->out_of_memory, TRUE);
      return;
    }

  for (guint y = begin; y < end; y++)
    {
      gsize offset = (gsize) y * width;

      norm_row (op->node, op->inputs[0] + offset, op->output + offset, channels, plane, width, sums,
                sums + width);
    }
}

gboolean
tessera_cpu_layer_norm (const TesseraCpuOp  *op,
                        GError             **error)
{
  Norm norm = { op, FALSE };

  tessera_parallel_for (op->output_shape->height, norm_rows, &norm);
  if (norm.out_of_memory)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for a normalisation's working buffer"));
      return FALSE;
    }
  return TRUE;
}
