/* tessera-cpu-channel-attention.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Channel attention (TesseraChannelAttention), a window and head per work
 * item. Rows of q, k and v are a channel's pixels in the window: for the
 * whole input they are the planes themselves, read in place; smaller
 * windows are gathered first. Rather than normalising copies of q and k,
 * q·kᵀ is divided by the two norms afterwards, which is the same sum. */

typedef struct
{
  const TesseraCpuOp            *op;
  const TesseraChannelAttention *at;
  guint                          window_h;
  guint                          window_w;
  guint                          windows_x;
  guint                          n_windows;
  gint                           out_of_memory;  /* atomic */
} ChannelAttention;

/* The offset of row @ty of window @w in a plane. */
static gsize
window_row (const ChannelAttention *a,
            guint                   w,
            guint                   ty)
{
  guint y0 = w / a->windows_x * a->window_h, x0 = w % a->windows_x * a->window_w;

  return (gsize) (y0 + ty) * a->op->shapes[0].width + x0;
}

/* @n_rows planes from @planes, window @w of each, into rows of @rows. */
static void
gather_window (const ChannelAttention *a,
               guint                   w,
               const float            *planes,
               float                  *rows,
               guint                   n_rows)
{
  gsize plane = (gsize) a->op->shapes[0].height * a->op->shapes[0].width;
  gsize n = (gsize) a->window_h * a->window_w;

  for (guint r = 0; r < n_rows; r++)
    for (guint ty = 0; ty < a->window_h; ty++)
      memcpy (rows + r * n + (gsize) ty * a->window_w, planes + r * plane + window_row (a, w, ty),
              a->window_w * sizeof (float));
}

static void
scatter_window (const ChannelAttention *a,
                guint                   w,
                const float            *rows,
                float                  *planes,
                guint                   n_rows)
{
  gsize plane = (gsize) a->op->shapes[0].height * a->op->shapes[0].width;
  gsize n = (gsize) a->window_h * a->window_w;

  for (guint r = 0; r < n_rows; r++)
    for (guint ty = 0; ty < a->window_h; ty++)
      memcpy (planes + r * plane + window_row (a, w, ty), rows + r * n + (gsize) ty * a->window_w,
              a->window_w * sizeof (float));
}

static float
row_norm (const float *row,
          gsize        n)
{
  double sum = 0.0;

  for (gsize i = 0; i < n; i++)
    sum += (double) row[i] * row[i];
  return MAX ((float) sqrt (sum), 1e-12f);
}

static void
attend (guint    begin,
        guint    end,
        gpointer user_data)
{
  ChannelAttention *a = user_data;
  const TesseraCpuOp *op = a->op;
  const TesseraChannelAttention *at = a->at;
  guint c = at->channels, heads = at->heads, d = c / heads;
  gsize plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  gsize n = (gsize) a->window_h * a->window_w;
  gboolean whole = n == plane;
  float *scores = tessera_cpu_scratch (0, (gsize) d * d);
  float *norms = tessera_cpu_scratch (1, 2 * (gsize) d);
  float *qkv = whole ? NULL : tessera_cpu_scratch (2, 3 * d * n);
  float *out = whole ? NULL : tessera_cpu_scratch (3, d * n);

  if (scores == NULL || norms == NULL || (!whole && (qkv == NULL || out == NULL)))
    {
      g_atomic_int_set (&a->out_of_memory, TRUE);
      return;
    }

  for (guint item = begin; item < end; item++)
    {
      guint w = item / heads, h = item % heads;
      const float *q, *k, *v;
      float *y;
      gsize ld;

      if (whole)
        {
          q = op->inputs[0] + (gsize) h * d * plane;
          k = q + c * plane;
          v = k + c * plane;
          y = op->output + (gsize) h * d * plane;
          ld = plane;
        }
      else
        {
          for (guint part = 0; part < 3; part++)
            gather_window (a, w, op->inputs[0] + ((gsize) part * c + h * d) * plane, qkv + part * d * n, d);
          q = qkv;
          k = qkv + d * n;
          v = qkv + 2 * d * n;
          y = out;
          ld = n;
        }

      for (guint i = 0; i < d; i++)
        {
          norms[i] = row_norm (q + i * ld, n);
          norms[d + i] = row_norm (k + i * ld, n);
        }

      tessera_sgemm (FALSE, TRUE, d, d, n, 1.f, q, ld, k, ld, 0.f, scores, d);
      for (guint i = 0; i < d; i++)
        {
          float *row = scores + (gsize) i * d;
          float peak = -INFINITY, sum = 0.f;

          for (guint j = 0; j < d; j++)
            {
              row[j] = row[j] / (norms[i] * norms[d + j]) * at->temperature[h];
              peak = MAX (peak, row[j]);
            }
          for (guint j = 0; j < d; j++)
            {
              row[j] = expf (row[j] - peak);
              sum += row[j];
            }
          for (guint j = 0; j < d; j++)
            row[j] /= sum;
        }
      tessera_sgemm (FALSE, FALSE, d, n, d, 1.f, scores, d, v, ld, 0.f, y, ld);

      if (!whole)
        scatter_window (a, w, out, op->output + (gsize) h * d * plane, d);
    }
}

gboolean
tessera_cpu_channel_attention (const TesseraCpuOp  *op,
                               GError             **error)
{
  const TesseraChannelAttention *at = op->node->channel_attention;
  ChannelAttention a = { op, at };

  a.window_h = at->window_h != 0 ? at->window_h : op->shapes[0].height;
  a.window_w = at->window_w != 0 ? at->window_w : op->shapes[0].width;
  a.windows_x = op->shapes[0].width / a.window_w;
  a.n_windows = op->shapes[0].height / a.window_h * a.windows_x;

  tessera_parallel_for (a.n_windows * at->heads, attend, &a);
  if (a.out_of_memory)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for an attention's working buffer"));
      return FALSE;
    }
  return TRUE;
}
