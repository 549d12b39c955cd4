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

/* GroupNorm: each group's mean, then its biased variance around it, over
 * the group's channels × height × width, in double (a group of a large
 * latent holds a million values, too many for a float sum), a channel per
 * work item; then each channel normalised with its group's statistics,
 * the affine and the activation. */

typedef struct
{
  const TesseraCpuOp *op;
  double             *sums;     /* per channel */
  const double       *means;    /* per group; NULL while summing values */
  const float        *mean;     /* per group, for normalising */
  const float        *scale;
} GroupNorm;

static void
group_norm_sums (guint    begin,
                 guint    end,
                 gpointer user_data)
{
  GroupNorm *norm = user_data;
  const TesseraCpuOp *op = norm->op;
  gsize plane = (gsize) op->output_shape->height * op->output_shape->width;
  guint per_group = op->output_shape->channels / op->node->groups;

  for (guint c = begin; c < end; c++)
    {
      const float *x = op->inputs[0] + c * plane;
      double sum = 0.0;

      if (norm->means == NULL)
        for (gsize i = 0; i < plane; i++)
          sum += x[i];
      else
        for (gsize i = 0; i < plane; i++)
          {
            double d = x[i] - norm->means[c / per_group];

            sum += d * d;
          }
      norm->sums[c] = sum;
    }
}

static void
group_norm_channels (guint    begin,
                     guint    end,
                     gpointer user_data)
{
  GroupNorm *norm = user_data;
  const TesseraCpuOp *op = norm->op;
  const TesseraNode *node = op->node;
  gsize plane = (gsize) op->output_shape->height * op->output_shape->width;
  guint per_group = op->output_shape->channels / node->groups;

  for (guint c = begin; c < end; c++)
    {
      const float *x = op->inputs[0] + c * plane;
      float *out = op->output + c * plane;
      float mean = norm->mean[c / per_group], scale = norm->scale[c / per_group];
      float w = node->weight != NULL ? node->weight[c] : 1.f;
      float b = node->bias != NULL ? node->bias[c] : 0.f;
      float slope = node->activation == TESSERA_ACTIVATION_PRELU ? node->slopes[c] : node->slope;

      for (gsize i = 0; i < plane; i++)
        out[i] = tessera_cpu_activate (node->activation, (x[i] - mean) * scale * w + b, slope);
    }
}

/* Sums each group's channels' sums of @norm->sums, over @n values each. */
static void
group_totals (const GroupNorm *norm,
              guint            groups,
              guint            per_group,
              double           n,
              double          *totals)
{
  for (guint g = 0; g < groups; g++)
    {
      double sum = 0.0;

      for (guint c = g * per_group; c < (g + 1) * per_group; c++)
        sum += norm->sums[c];
      totals[g] = sum / n;
    }
}

void
tessera_cpu_group_norm (const TesseraCpuOp *op)
{
  guint channels = op->output_shape->channels, groups = op->node->groups, per_group = channels / groups;
  double n = (double) per_group * op->output_shape->height * op->output_shape->width;
  g_autofree double *sums = g_new (double, channels);
  g_autofree double *means = g_new (double, groups);
  g_autofree double *variances = g_new (double, groups);
  g_autofree float *mean = g_new (float, groups);
  g_autofree float *scale = g_new (float, groups);
  GroupNorm norm = { op, sums, NULL, mean, scale };

  tessera_parallel_for (channels, group_norm_sums, &norm);
  group_totals (&norm, groups, per_group, n, means);
  norm.means = means;
  tessera_parallel_for (channels, group_norm_sums, &norm);
  group_totals (&norm, groups, per_group, n, variances);

  for (guint g = 0; g < groups; g++)
    {
      mean[g] = (float) means[g];
      scale[g] = (float) (1.0 / sqrt (variances[g] + op->node->epsilon));
    }
  tessera_parallel_for (channels, group_norm_channels, &norm);
}
