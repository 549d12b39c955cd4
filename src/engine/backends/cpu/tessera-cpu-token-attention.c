/* tessera-cpu-token-attention.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* Multi-head attention over tokens (TESSERA_OP_TOKEN_ATTENTION): a work
 * item is one head and a block of query rows, whose scores against every
 * key are one SGEMM, softmaxed row by row and multiplied by v into the
 * output. Only a block of rows of the scores exists at a time, per
 * thread: a 64 × 64 latent's 4096 tokens would need 64 MB per head for
 * the whole matrix.
 *
 * The tensors are planar, so head h of q is the head_dim × tokens matrix
 * of channels [h · head_dim, (h + 1) · head_dim), read in place. */

/* Scores held per thread at most, in floats (1 MB), and query rows per
 * block at most, so that even a short context makes many work items. */
#define BLOCK_SCORES (256 * 1024)
#define BLOCK_ROWS   256

typedef struct
{
  const TesseraCpuOp *op;
  guint               head_dim;
  gsize               queries;
  gsize               keys;
  guint               rows;           /* query rows per block */
  guint               blocks;         /* per head */
  gint                out_of_memory;  /* atomic */
} TokenAttention;

/* e^x for each of @n values, in place, as a loop GCC vectorises: libm's
 * expf is a call per score, and the exponentials cost as much as the two
 * matrix products around them when heads are narrow. Cephes' expf:
 * x = n ln 2 + r with |r| ≤ ln 2 / 2, e^r by a degree-6 polynomial, 2^n
 * by the exponent bits; within 1 ulp of expf. Inputs are ≤ 0 (scores
 * less their row's peak); below −87 it gives e^−87, nothing beside the
 * peak's 1. */
static void
exp_in_place (float *values,
              gsize  n)
{
  /* adding 1.5 · 2²³ rounds to an integer in the low mantissa bits */
  const float shifter = 12582912.f;

  for (gsize j = 0; j < n; j++)
    {
      /* Below 0 a float's bits, unsigned, grow with its magnitude: an
       * integer MIN clamps to −87 (a float compare would keep GCC from
       * vectorising, as it may trap). */
      union { float f; guint32 u; } in = { values[j] };
      float x, t, k, r, p;
      union { float f; gint32 i; } scale;

      in.u = MIN (in.u, 0xC2AE0000u);
      x = in.f;
      t = x * 1.44269504088896341f + shifter;
      k = t - shifter;
      r = x - k * 0.693359375f + k * 2.12194440e-4f;
      p = 1.9875691500e-4f;
      scale.f = t;

      p = p * r + 1.3981999507e-3f;
      p = p * r + 8.3334519073e-3f;
      p = p * r + 4.1665795894e-2f;
      p = p * r + 1.6666665459e-1f;
      p = p * r + 5.0000001201e-1f;
      p = p * r * r + r + 1.f;
      scale.i = (scale.i - 0x4B400000 + 127) << 23;
      values[j] = p * scale.f;
    }
}

/* Softmax of the first @visible of @n scores in place; the others count
 * as −∞ (the causal mask). */
static void
softmax_row (float *row,
             gsize  n,
             gsize  visible)
{
  gsize end = MIN (n, visible);
  float peak = -INFINITY, sum = 0.f, inverse;

  for (gsize j = 0; j < end; j++)
    peak = MAX (peak, row[j]);
  for (gsize j = 0; j < end; j++)
    row[j] -= peak;
  exp_in_place (row, end);
  for (gsize j = 0; j < end; j++)
    sum += row[j];

  inverse = 1.f / sum;
  for (gsize j = 0; j < end; j++)
    row[j] *= inverse;
  for (gsize j = end; j < n; j++)
    row[j] = 0.f;
}

static void
attend_blocks (guint    begin,
               guint    end,
               gpointer user_data)
{
  TokenAttention *a = user_data;
  const TesseraCpuOp *op = a->op;
  const TesseraNode *node = op->node;
  guint d = a->head_dim;
  float *scores = tessera_cpu_scratch (0, (gsize) a->rows * a->keys);

  if (scores == NULL)
    {
      g_atomic_int_set (&a->out_of_memory, TRUE);
      return;
    }

  for (guint item = begin; item < end; item++)
    {
      guint h = item / a->blocks;
      gsize first = (gsize) (item % a->blocks) * a->rows;
      guint rows = (guint) MIN (a->rows, a->queries - first);
      const float *q = op->inputs[0] + (gsize) h * d * a->queries + first;
      const float *k = op->inputs[1] + (gsize) h * d * a->keys;
      const float *v = op->inputs[2] + (gsize) h * d * a->keys;
      float *out = op->output + (gsize) h * d * a->queries + first;

      /* scores = scale · qᵀ k, rows × keys; then out = v · scoresᵀ, the
       * head's d × rows block of the output planes. */
      tessera_sgemm (TRUE, FALSE, rows, a->keys, d, node->softmax_scale, q, a->queries, k, a->keys, 0.f, scores,
                     a->keys);
      for (guint i = 0; i < rows; i++)
        softmax_row (scores + (gsize) i * a->keys, a->keys, node->causal ? first + i + 1 : a->keys);
      tessera_sgemm (FALSE, TRUE, d, rows, a->keys, 1.f, v, a->keys, scores, a->keys, 0.f, out, a->queries);
    }
}

gboolean
tessera_cpu_token_attention (const TesseraCpuOp  *op,
                             GError             **error)
{
  TokenAttention a = { op };
  guint heads = op->node->heads;

  a.head_dim = op->shapes[0].channels / heads;
  a.queries = (gsize) op->shapes[0].height * op->shapes[0].width;
  a.keys = (gsize) op->shapes[1].height * op->shapes[1].width;
  a.rows = (guint) MIN (CLAMP (BLOCK_SCORES / a.keys, 1, BLOCK_ROWS), a.queries);
  a.blocks = (guint) ((a.queries + a.rows - 1) / a.rows);

  tessera_parallel_for (heads * a.blocks, attend_blocks, &a);
  if (a.out_of_memory)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for an attention's working buffer"));
      return FALSE;
    }
  return TRUE;
}
