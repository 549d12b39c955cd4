/* tessera-cpu-attention.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-cpu-private.h"
#include "tessera-error.h"
#include "tessera-parallel-private.h"

/* Window attention (TesseraAttention), a window per work item: its pixels
 * are gathered into a token matrix, projected, attended head by head and
 * projected back with SGEMMs small enough to stay in cache, then
 * scattered back into place. Nothing the size of the image is made
 * besides the output. */

typedef struct
{
  const TesseraCpuOp     *op;
  const TesseraAttention *at;
  guint                   windows_x;
  guint                   tokens;
  gint                    out_of_memory;  /* atomic */
} Attention;

/* Which side of the roll's seams position @p of a rolled axis lies on:
 * Swin's three slices, [0, size − window), [size − window, size − shift)
 * and [size − shift, size). */
static guint
seam_side (guint p,
           guint size,
           guint window,
           guint shift)
{
  if (shift == 0 || p + window < size)
    return 0;
  return p + shift < size ? 1 : 2;
}

/* Where each token of window @w lies in the input's plane, and its side
 * of the seams for the mask. */
static void
window_tokens (const Attention *a,
               guint            w,
               gsize           *offsets,
               guint           *sides)
{
  const TesseraAttention *at = a->at;
  guint height = a->op->shapes[0].height, width = a->op->shapes[0].width;
  guint y0 = w / a->windows_x * at->window_h, x0 = w % a->windows_x * at->window_w;

  for (guint ty = 0, t = 0; ty < at->window_h; ty++)
    for (guint tx = 0; tx < at->window_w; tx++, t++)
      {
        guint y = y0 + ty, x = x0 + tx;

        offsets[t] = (gsize) ((y + at->shift_y) % height) * width + (x + at->shift_x) % width;
        sides[t] = seam_side (y, height, at->window_h, at->shift_y) * 3 + seam_side (x, width, at->window_w, at->shift_x);
      }
}

static void
add_bias_rows (float       *rows,
               guint        n,
               guint        columns,
               const float *bias)
{
  if (bias == NULL)
    return;
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < columns; j++)
      rows[(gsize) i * columns + j] += bias[j];
}

/* Row @i of head @h's scores: relative position bias, mask, softmax. */
static void
softmax_row (const TesseraAttention *at,
             guint                   h,
             guint                   i,
             guint                   n,
             const guint            *sides,
             float                  *row)
{
  const guint32 *index = at->bias_index != NULL ? at->bias_index + (gsize) i * n : NULL;
  float peak = -INFINITY, sum = 0.f, inverse;

  for (guint j = 0; j < n; j++)
    {
      float v = row[j];

      if (at->bias_table != NULL)
        v += at->bias_table[(gsize) index[j] * at->heads + h];
      if (at->shift_mask && sides[i] != sides[j])
        v += -100.f;
      row[j] = v;
      peak = MAX (peak, v);
    }

  for (guint j = 0; j < n; j++)
    {
      row[j] = expf (row[j] - peak);
      sum += row[j];
    }

  inverse = 1.f / sum;
  for (guint j = 0; j < n; j++)
    row[j] *= inverse;
}

static void
attend_windows (guint    begin,
                guint    end,
                gpointer user_data)
{
  Attention *a = user_data;
  const TesseraCpuOp *op = a->op;
  const TesseraAttention *at = a->at;
  guint n = a->tokens, c = at->channels, d = c / at->heads, in_channels = op->shapes[0].channels;
  gsize plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  g_autofree gsize *offsets = g_new (gsize, n);
  g_autofree guint *sides = g_new (guint, n);
  float *x = tessera_cpu_scratch (0, (gsize) n * MAX (in_channels, c));
  float *qkv = at->qkv_weight != NULL ? tessera_cpu_scratch (1, (gsize) n * 3 * c) : x;
  float *scores = tessera_cpu_scratch (2, (gsize) n * n);
  float *heads = tessera_cpu_scratch (3, (gsize) n * c);

  if (x == NULL || qkv == NULL || scores == NULL || heads == NULL)
    {
      g_atomic_int_set (&a->out_of_memory, TRUE);
      return;
    }

  for (guint w = begin; w < end; w++)
    {
      float *y;

      window_tokens (a, w, offsets, sides);
      for (guint k = 0; k < in_channels; k++)
        {
          const float *src = op->inputs[0] + k * plane;

          for (guint t = 0; t < n; t++)
            x[(gsize) t * in_channels + k] = src[offsets[t]];
        }

      if (at->qkv_weight != NULL)
        {
          tessera_sgemm (FALSE, TRUE, n, 3 * c, c, 1.f, x, c, at->qkv_weight, c, 0.f, qkv, 3 * c);
          add_bias_rows (qkv, n, 3 * c, at->qkv_bias);
        }

      for (guint h = 0; h < at->heads; h++)
        {
          const float *q = qkv + h * d, *k = qkv + c + h * d, *v = qkv + 2 * c + h * d;

          tessera_sgemm (FALSE, TRUE, n, n, d, at->scale, q, 3 * c, k, 3 * c, 0.f, scores, n);
          for (guint i = 0; i < n; i++)
            softmax_row (at, h, i, n, sides, scores + (gsize) i * n);
          tessera_sgemm (FALSE, FALSE, n, d, n, 1.f, scores, n, v, 3 * c, 0.f, heads + h * d, c);
        }

      y = heads;
      if (at->proj_weight != NULL)
        {
          /* The tokens are no longer needed. */
          y = x;
          tessera_sgemm (FALSE, TRUE, n, c, c, 1.f, heads, c, at->proj_weight, c, 0.f, y, c);
          add_bias_rows (y, n, c, at->proj_bias);
        }

      for (guint k = 0; k < c; k++)
        {
          float *dst = op->output + k * plane;
          const float *residual = op->residual != NULL ? op->residual + k * plane : NULL;

          for (guint t = 0; t < n; t++)
            {
              float value = y[(gsize) t * c + k] * op->node->scale_a;

              dst[offsets[t]] = residual != NULL ? value + residual[offsets[t]] : value;
            }
        }
    }
}

gboolean
tessera_cpu_window_attention (const TesseraCpuOp  *op,
                              GError             **error)
{
  const TesseraAttention *at = op->node->attention;
  Attention a = { op, at };
  guint n_windows;

  a.windows_x = op->shapes[0].width / at->window_w;
  a.tokens = at->window_h * at->window_w;
  n_windows = op->shapes[0].height / at->window_h * a.windows_x;

  tessera_parallel_for (n_windows, attend_windows, &a);
  if (a.out_of_memory)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for an attention's working buffer"));
      return FALSE;
    }
  return TRUE;
}
