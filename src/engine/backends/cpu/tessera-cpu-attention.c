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

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Window attention (TesseraAttention), a window per work item: its pixels
 * are gathered into a token matrix, projected, attended head by head and
 * projected back with SGEMMs small enough to stay in cache, then
 * scattered back into place. Nothing the size of the image is made
 * besides the output. A larger key/value window has its own token matrix
 * for k and v, the pixels outside the image zero after the projection;
 * permuted keys and values are gathered from the compressed projection. */

typedef struct
{
  const TesseraCpuOp     *op;
  const TesseraAttention *at;
  guint                   windows_x;
  guint                   tokens;
  guint                   kv_h;           /* the key/value window */
  guint                   kv_w;
  guint                   kv_tokens;
  gboolean                overlap;        /* kv window larger than the query's */
  gboolean                permuted;       /* SRFormer's: a key per 2 × 2 query pixels */
  gint                    out_of_memory;  /* atomic */
} Attention;

/* Where the key/value tokens' pixels outside the image point. */
#define OUTSIDE G_MAXSIZE

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

/* The permuted keys' sides of the seams, on the half-size grid with half
 * windows and half the shift rounded up, as SRFormer's mask has them. */
static void
permuted_sides (const Attention *a,
                guint            w,
                guint           *sides)
{
  const TesseraAttention *at = a->at;
  guint height = a->op->shapes[0].height / 2, width = a->op->shapes[0].width / 2;
  guint kh = at->window_h / 2, kw = at->window_w / 2;
  guint y0 = w / a->windows_x * kh, x0 = w % a->windows_x * kw;

  for (guint ty = 0, t = 0; ty < kh; ty++)
    for (guint tx = 0; tx < kw; tx++, t++)
      sides[t] = seam_side (y0 + ty, height, kh, (at->shift_y + 1) / 2) * 3 +
                 seam_side (x0 + tx, width, kw, (at->shift_x + 1) / 2);
}

/* Where each token of window @w's key/value window lies in the input's
 * plane (in the rolled image, as the query tokens), or OUTSIDE. */
static void
kv_window_tokens (const Attention *a,
                  guint            w,
                  gsize           *offsets)
{
  const TesseraAttention *at = a->at;
  gint64 height = a->op->shapes[0].height, width = a->op->shapes[0].width;
  gint64 y0 = (gint64) (w / a->windows_x * at->window_h) - (a->kv_h - at->window_h) / 2;
  gint64 x0 = (gint64) (w % a->windows_x * at->window_w) - (a->kv_w - at->window_w) / 2;

  for (guint ty = 0, t = 0; ty < a->kv_h; ty++)
    for (guint tx = 0; tx < a->kv_w; tx++, t++)
      {
        gint64 y = y0 + ty, x = x0 + tx;

        if (y < 0 || y >= height || x < 0 || x >= width)
          offsets[t] = OUTSIDE;
        else
          offsets[t] = (gsize) ((y + at->shift_y) % height) * width + (x + at->shift_x) % width;
      }
}

/* The input's pixels at @offsets as @n rows of @x; zeros for those
 * OUTSIDE. */
static void
gather_tokens (const TesseraCpuOp *op,
               const gsize        *offsets,
               guint               n,
               float              *x)
{
  gsize plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  guint channels = op->shapes[0].channels;

  for (guint k = 0; k < channels; k++)
    {
      const float *src = op->inputs[0] + k * plane;

      for (guint t = 0; t < n; t++)
        x[(gsize) t * channels + k] = offsets[t] != OUTSIDE ? src[offsets[t]] : 0.f;
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

/* Row @i of head @h's scores over @n keys: relative position bias, mask
 * (from the query's and keys' sides of the seams), softmax. */
static void
softmax_row (const TesseraAttention *at,
             guint                   h,
             guint                   i,
             guint                   n,
             const guint            *sides,
             const guint            *kv_sides,
             float                  *row)
{
  const guint32 *index = at->bias_index != NULL ? at->bias_index + (gsize) i * n : NULL;
  float peak = -INFINITY, sum = 0.f, inverse;

  for (guint j = 0; j < n; j++)
    {
      float v = row[j];

      if (at->bias_table != NULL)
        v += at->bias_table[(gsize) index[j] * at->heads + h];
      if (at->shift_mask && sides[i] != kv_sides[j])
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

/* Q, K and V of a window, head after head in each row. */
typedef struct
{
  const float *q;
  const float *k;
  const float *v;
  guint        q_stride;
  guint        kv_stride;
} WindowQkv;

/* The query window's q and the larger key/value window's k and v, from
 * the tokens @x and @kv_x (both of the input's channels): projected when
 * the attention has W_qkv, else the input's channels as they are, in @q
 * and @kv. k and v of the pixels outside the image are zero. */
static WindowQkv
project_overlap (const Attention *a,
                 const float     *x,
                 const float     *kv_x,
                 const gsize     *kv_offsets,
                 float           *q,
                 float           *kv)
{
  const TesseraAttention *at = a->at;
  guint n = a->tokens, m = a->kv_tokens, c = at->channels;

  if (at->qkv_weight == NULL)
    return (WindowQkv) { x, kv_x + c, kv_x + 2 * c, 3 * c, 3 * c };

  tessera_sgemm (FALSE, TRUE, n, c, c, 1.f, x, c, at->qkv_weight, c, 0.f, q, c);
  add_bias_rows (q, n, c, at->qkv_bias);
  tessera_sgemm (FALSE, TRUE, m, 2 * c, c, 1.f, kv_x, c, at->qkv_weight + (gsize) c * c, c, 0.f, kv, 2 * c);
  add_bias_rows (kv, m, 2 * c, at->qkv_bias != NULL ? at->qkv_bias + c : NULL);
  for (guint t = 0; t < m; t++)
    if (kv_offsets[t] == OUTSIDE)
      memset (kv + (gsize) t * 2 * c, 0, 2 * c * sizeof (float));
  return (WindowQkv) { q, kv, kv + c, c, 2 * c };
}

/* The permuted attention's q (@n rows of c) and k and v (@n / 4 rows of
 * 2c, k's c then v's c) from the window's tokens @x, in @q and @kv, the
 * compressed projection in @compressed on the way. */
static WindowQkv
project_permuted (const Attention *a,
                  const float     *x,
                  float           *q,
                  float           *compressed,
                  float           *kv)
{
  const TesseraAttention *at = a->at;
  guint n = a->tokens, c = at->channels, quarter = c / 4, kw = at->window_w / 2;

  tessera_sgemm (FALSE, TRUE, n, c, c, 1.f, x, c, at->qkv_weight, c, 0.f, q, c);
  add_bias_rows (q, n, c, at->qkv_bias);
  tessera_sgemm (FALSE, TRUE, n, c / 2, c, 1.f, x, c, at->qkv_weight + (gsize) c * c, c, 0.f, compressed, c / 2);
  add_bias_rows (compressed, n, c / 2, at->qkv_bias != NULL ? at->qkv_bias + c : NULL);

  for (guint t = 0; t < n; t++)
    {
      guint ty = t / at->window_w, tx = t % at->window_w;
      guint key = ty / 2 * kw + tx / 2, corner = ty % 2 * 2 + tx % 2;
      float *row = kv + (gsize) key * 2 * c + corner * quarter;
      const float *src = compressed + (gsize) t * (c / 2);

      memcpy (row, src, quarter * sizeof (float));
      memcpy (row + c, src + quarter, quarter * sizeof (float));
    }
  return (WindowQkv) { q, kv, kv + c, c, 2 * c };
}

static void
attend_windows (guint    begin,
                guint    end,
                gpointer user_data)
{
  Attention *a = user_data;
  const TesseraCpuOp *op = a->op;
  const TesseraAttention *at = a->at;
  guint n = a->tokens, m = a->kv_tokens, c = at->channels, d = c / at->heads, in_channels = op->shapes[0].channels;
  gsize plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  g_autofree gsize *offsets = g_new (gsize, n);
  g_autofree gsize *kv_offsets = a->overlap ? g_new (gsize, m) : NULL;
  g_autofree guint *sides = g_new (guint, n);
  g_autofree guint *kv_sides = a->permuted ? g_new (guint, m) : NULL;
  float *x = tessera_cpu_scratch (0, (gsize) n * MAX (in_channels, c));
  gsize qkv_size = a->overlap || a->permuted ? (gsize) n * c + (gsize) m * 2 * c : (gsize) n * 3 * c;
  float *qkv = at->qkv_weight != NULL ? tessera_cpu_scratch (1, qkv_size) : x;
  float *scores = tessera_cpu_scratch (2, (gsize) n * m);
  float *heads = tessera_cpu_scratch (3, (gsize) n * c + (a->overlap ? (gsize) m * in_channels : 0) +
                                      (a->permuted ? (gsize) n * c / 2 : 0));
  float *kv_x = heads != NULL ? heads + (gsize) n * c : NULL;

  if (x == NULL || qkv == NULL || scores == NULL || heads == NULL)
    {
      g_atomic_int_set (&a->out_of_memory, TRUE);
      return;
    }

  for (guint w = begin; w < end; w++)
    {
      WindowQkv t = { qkv, qkv + c, qkv + 2 * c, 3 * c, 3 * c };
      float *y;

      window_tokens (a, w, offsets, sides);
      gather_tokens (op, offsets, n, x);

      if (a->overlap)
        {
          kv_window_tokens (a, w, kv_offsets);
          gather_tokens (op, kv_offsets, m, kv_x);
          t = project_overlap (a, x, kv_x, kv_offsets, qkv, qkv + (gsize) n * c);
        }
      else if (a->permuted)
        {
          /* heads' room after its n × c is free until the heads are
           * written. */
          permuted_sides (a, w, kv_sides);
          t = project_permuted (a, x, qkv, heads + (gsize) n * c, qkv + (gsize) n * c);
        }
      else if (at->qkv_weight != NULL)
        {
          tessera_sgemm (FALSE, TRUE, n, 3 * c, c, 1.f, x, c, at->qkv_weight, c, 0.f, qkv, 3 * c);
          add_bias_rows (qkv, n, 3 * c, at->qkv_bias);
        }

      for (guint h = 0; h < at->heads; h++)
        {
          tessera_sgemm (FALSE, TRUE, n, m, d, at->scale, t.q + h * d, t.q_stride, t.k + h * d, t.kv_stride, 0.f,
                         scores, m);
          for (guint i = 0; i < n; i++)
            softmax_row (at, h, i, m, sides, a->permuted ? kv_sides : sides, scores + (gsize) i * m);
          tessera_sgemm (FALSE, FALSE, n, d, m, 1.f, scores, m, t.v + h * d, t.kv_stride, 0.f, heads + h * d, c);
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

          for (guint i = 0; i < n; i++)
            {
              float value = y[(gsize) i * c + k] * op->node->scale_a;

              dst[offsets[i]] = residual != NULL ? value + residual[offsets[i]] : value;
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
  a.kv_h = at->kv_window_h != 0 ? at->kv_window_h : at->window_h;
  a.kv_w = at->kv_window_w != 0 ? at->kv_window_w : at->window_w;
  a.kv_tokens = a.kv_h * a.kv_w;
  a.overlap = a.kv_h != at->window_h || a.kv_w != at->window_w;
  a.permuted = at->permuted;
  if (a.permuted)
    a.kv_tokens = a.tokens / 4;
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
