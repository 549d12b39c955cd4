/* tessera-cuda-attention.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include "tessera-cuda-backend-private.h"

/* The attentions, in fp32: for windows and across channels, gathers and
 * softmaxes in kernels/, the products as batched cuBLAS GEMMs; over
 * tokens, one fused kernel. */

/* Window attention takes this much device memory at most, most of it the
 * scores, for a chunk of windows at a time. It lies in the im2col
 * scratch: ops run in order, so no convolution uses that meanwhile. */
#define ATTENTION_BYTES ((gsize) 128 << 20)

/* Where a chunk of windows' q, k and v lie: row-major, each window's
 * rows after the previous window's. */
typedef struct
{
  const float *q;
  const float *k;
  const float *v;
  int          q_ld;
  int          kv_ld;
  long long    q_stride;
  long long    kv_stride;
} ChunkQkv;

/* The q k v projection of a chunk of windows' @tokens (and the larger
 * key/value windows' @kv_tokens when they differ), into @qkv; without
 * W_qkv the tokens hold q, k and v as they are. k and v outside the image
 * are zero after the bias, as HAT's unfolding of the projected image. */
static gboolean
project_qkv (TesseraCudaBackend          *self,
             const TesseraAttention      *at,
             const TesseraKernelWindows  *windows,
             const float                 *qkv_weight,
             const float                 *qkv_bias,
             const float                 *tokens,
             const float                 *kv_tokens,
             float                       *qkv,
             ChunkQkv                    *out,
             GError                     **error)
{
  guint c = at->channels, n = windows->window_h * windows->window_w, m = windows->kv_h * windows->kv_w;
  guint rows = windows->n_windows * n, kv_rows = windows->n_windows * m;
  float *kv = qkv + (gsize) rows * c;

  if (tokens == kv_tokens)
    {
      if (qkv_weight != NULL &&
          (!tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, rows, 3 * c, c, 1.f, tokens, c, 0,
                                             qkv_weight, c, 0, qkv, 3 * c, 0, 1, error) ||
           (qkv_bias != NULL &&
            !CUDA_CHECK (tessera_cuda_add_rows (qkv, rows, 3 * c, qkv_bias, self->stream), error))))
        return FALSE;
      tokens = qkv_weight != NULL ? qkv : tokens;
      *out = (ChunkQkv) { tokens, tokens + c, tokens + 2 * c, 3 * c, 3 * c, (long long) n * 3 * c,
                          (long long) n * 3 * c };
      return TRUE;
    }

  if (qkv_weight == NULL)
    {
      *out = (ChunkQkv) { tokens, kv_tokens + c, kv_tokens + 2 * c, 3 * c, 3 * c, (long long) n * 3 * c,
                          (long long) m * 3 * c };
      return TRUE;
    }

  if (!tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, rows, c, c, 1.f, tokens, c, 0,
                                        qkv_weight, c, 0, qkv, c, 0, 1, error) ||
      (qkv_bias != NULL && !CUDA_CHECK (tessera_cuda_add_rows (qkv, rows, c, qkv_bias, self->stream), error)) ||
      !tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, kv_rows, 2 * c, c, 1.f, kv_tokens, c, 0,
                                        qkv_weight + (gsize) c * c, c, 0, kv, 2 * c, 0, 1, error) ||
      (qkv_bias != NULL &&
       !CUDA_CHECK (tessera_cuda_add_rows (kv, kv_rows, 2 * c, qkv_bias + c, self->stream), error)) ||
      !CUDA_CHECK (tessera_cuda_windows_clear_outside (windows, kv, 2 * c, self->stream), error))
    return FALSE;
  *out = (ChunkQkv) { qkv, kv, kv + c, c, 2 * c, (long long) n * c, (long long) m * 2 * c };
  return TRUE;
}

/* The permuted attention's q (rows of c) and k and v (a quarter as many
 * rows of 2c, k then v) of a chunk of windows' @tokens, into @qkv: q,
 * then the compressed projection, then k and v. */
static gboolean
project_permuted (TesseraCudaBackend          *self,
                  const TesseraAttention      *at,
                  const TesseraKernelWindows  *windows,
                  const float                 *qkv_weight,
                  const float                 *qkv_bias,
                  const float                 *tokens,
                  float                       *qkv,
                  ChunkQkv                    *out,
                  GError                     **error)
{
  guint c = at->channels, n = windows->window_h * windows->window_w, m = windows->kv_h * windows->kv_w;
  guint rows = windows->n_windows * n;
  float *compressed = qkv + (gsize) rows * c, *kv = compressed + (gsize) rows * c / 2;

  if (!tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, rows, c, c, 1.f, tokens, c, 0,
                                        qkv_weight, c, 0, qkv, c, 0, 1, error) ||
      (qkv_bias != NULL && !CUDA_CHECK (tessera_cuda_add_rows (qkv, rows, c, qkv_bias, self->stream), error)) ||
      !tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, rows, c / 2, c, 1.f, tokens, c, 0,
                                        qkv_weight + (gsize) c * c, c, 0, compressed, c / 2, 0, 1, error) ||
      (qkv_bias != NULL &&
       !CUDA_CHECK (tessera_cuda_add_rows (compressed, rows, c / 2, qkv_bias + c, self->stream), error)) ||
      !CUDA_CHECK (tessera_cuda_windows_permute_kv (windows, compressed, c, kv, self->stream), error))
    return FALSE;
  *out = (ChunkQkv) { qkv, kv, kv + c, c, 2 * c, (long long) n * c, (long long) m * 2 * c };
  return TRUE;
}

/* TesseraAttention, a chunk of windows at a time: pixels to tokens (and
 * the key/value windows' pixels, when larger), the q k v projection, each
 * head's scores as one batched GEMM over the windows, their bias, mask
 * and softmax, the weights times v, the output projection, and tokens
 * back to pixels, all in fp32. */
gboolean
tessera_cuda_backend_window_attention (TesseraCudaBackend   *self,
                                       const TesseraCudaOp  *op,
                                       GError              **error)
{
  const TesseraAttention *at = op->node->attention;
  guint c = at->channels, d = c / at->heads, n = at->window_h * at->window_w;
  guint kv_h = at->permuted ? at->window_h / 2 : (at->kv_window_h != 0 ? at->kv_window_h : at->window_h);
  guint kv_w = at->permuted ? at->window_w / 2 : (at->kv_window_w != 0 ? at->kv_window_w : at->window_w);
  guint mk = kv_h * kv_w;
  gboolean overlap = !at->permuted && (kv_h != at->window_h || kv_w != at->window_w);
  guint in_channels = op->shapes[0].channels;
  guint n_windows = op->shapes[0].height / at->window_h * (op->shapes[0].width / at->window_w);
  /* Permuted: q, the compressed projection (n × c / 2), k and v. */
  gsize qkv_floats = at->qkv_weight == NULL ? 0 :
                     (overlap || at->permuted ? (gsize) n * c + (gsize) mk * 2 * c : (gsize) n * 3 * c) +
                     (at->permuted ? (gsize) n * c / 2 : 0);
  /* Permuted: q and the compressed kv's weights, 1.5 c rows. */
  guint qkv_rows = at->permuted ? 3 * c / 2 : 3 * c;
  gsize per_window = (gsize) n * in_channels + (overlap ? (gsize) mk * in_channels : 0) + qkv_floats +
                     (gsize) at->heads * n * mk + (gsize) n * c;
  guint chunk = MAX (1, MIN (n_windows, ATTENTION_BYTES / (per_window * sizeof (float))));
  const float *qkv_weight = NULL, *qkv_bias = NULL, *proj_weight = NULL, *proj_bias = NULL;
  const float *table = NULL, *index = NULL;
  float *tokens, *kv_tokens, *qkv, *scores, *heads;
  TesseraKernelWindows windows = {
    .height = op->shapes[0].height,
    .width = op->shapes[0].width,
    .window_h = at->window_h,
    .window_w = at->window_w,
    .kv_h = kv_h,
    .kv_w = kv_w,
    .shift_y = at->shift_y,
    .shift_x = at->shift_x,
    .permuted = at->permuted,
  };
  TesseraKernelSoftmax softmax = { .heads = at->heads, .mask = at->shift_mask };

  if (!tessera_cuda_check_gemm_size ((gsize) chunk * mk * MAX (in_channels, at->heads * mk), error))
    return FALSE;
  if ((at->qkv_weight != NULL &&
       (qkv_weight = tessera_cuda_backend_get_floats (self, at->qkv_weight, (gsize) qkv_rows * c, error)) == NULL) ||
      (at->qkv_bias != NULL &&
       (qkv_bias = tessera_cuda_backend_get_floats (self, at->qkv_bias, qkv_rows, error)) == NULL) ||
      (at->proj_weight != NULL &&
       (proj_weight = tessera_cuda_backend_get_floats (self, at->proj_weight, (gsize) c * c, error)) == NULL) ||
      (at->proj_bias != NULL &&
       (proj_bias = tessera_cuda_backend_get_floats (self, at->proj_bias, c, error)) == NULL) ||
      (at->bias_table != NULL &&
       ((table = tessera_cuda_backend_get_floats (self, at->bias_table, (gsize) at->n_table * at->heads,
                                                  error)) == NULL ||
        /* 32-bit indices, copied as floats are: bit for bit. */
        (index = tessera_cuda_backend_get_floats (self, (const float *) at->bias_index, (gsize) n * mk,
                                                  error)) == NULL)))
    return FALSE;
  softmax.bias_table = table;
  softmax.bias_index = (const unsigned *) index;

  tokens = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_COLUMNS, chunk * per_window * sizeof (float),
                                         error);
  if (tokens == NULL)
    return FALSE;
  kv_tokens = overlap ? tokens + (gsize) chunk * n * in_channels : tokens;
  qkv = kv_tokens + (overlap ? (gsize) chunk * mk * in_channels : (gsize) chunk * n * in_channels);
  scores = qkv + chunk * qkv_floats;
  heads = scores + (gsize) chunk * at->heads * n * mk;

  for (guint w0 = 0; w0 < n_windows; w0 += chunk)
    {
      guint nw = MIN (chunk, n_windows - w0);
      const float *y = heads;
      ChunkQkv t;

      windows.first_window = w0;
      windows.n_windows = nw;
      softmax.scores = scores;
      if (!CUDA_CHECK (tessera_cuda_windows_gather (&windows, op->inputs[0]->data, in_channels, tokens,
                                                    self->stream), error) ||
          (overlap && !CUDA_CHECK (tessera_cuda_windows_gather_kv (&windows, op->inputs[0]->data, in_channels,
                                                                   kv_tokens, self->stream), error)) ||
          (at->permuted ? !project_permuted (self, at, &windows, qkv_weight, qkv_bias, tokens, qkv, &t, error) :
                          !project_qkv (self, at, &windows, qkv_weight, qkv_bias, tokens, kv_tokens, qkv, &t, error)))
        return FALSE;

      for (guint h = 0; h < at->heads; h++)
        if (!tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, n, mk, d, at->scale,
                                              t.q + h * d, t.q_ld, t.q_stride,
                                              t.k + h * d, t.kv_ld, t.kv_stride,
                                              scores + (gsize) h * nw * n * mk, mk, (long long) n * mk, nw, error))
          return FALSE;

      if (!CUDA_CHECK (tessera_cuda_attention_softmax (&windows, &softmax, self->stream), error))
        return FALSE;

      for (guint h = 0; h < at->heads; h++)
        if (!tessera_cuda_backend_sgemm_rows (self, FALSE, FALSE, n, d, mk, 1.f,
                                              scores + (gsize) h * nw * n * mk, mk, (long long) n * mk,
                                              t.v + h * d, t.kv_ld, t.kv_stride,
                                              heads + h * d, c, (long long) n * c, nw, error))
          return FALSE;

      /* The tokens are no longer needed. */
      if (proj_weight != NULL)
        {
          if (!tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, nw * n, c, c, 1.f, heads, c, 0,
                                                proj_weight, c, 0, tokens, c, 0, 1, error))
            return FALSE;
          y = tokens;
        }

      if (!CUDA_CHECK (tessera_cuda_windows_scatter (&windows, y, c, proj_weight != NULL ? proj_bias : NULL,
                                                     op->node->scale_a,
                                                     op->residual != NULL ? op->residual->data : NULL,
                                                     op->output->data, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

/* TesseraChannelAttention, in fp32: the whole input's rows are its
 * planes, read in place; smaller windows are gathered a chunk at a time.
 * Every (window, head) is one matrix of a batched GEMM. */
gboolean
tessera_cuda_backend_channel_attention (TesseraCudaBackend   *self,
                                        const TesseraCudaOp  *op,
                                        GError              **error)
{
  const TesseraChannelAttention *at = op->node->channel_attention;
  guint c = at->channels, heads = at->heads, d = c / heads;
  guint height = op->shapes[0].height, width = op->shapes[0].width;
  guint window_h = at->window_h != 0 ? at->window_h : height, window_w = at->window_w != 0 ? at->window_w : width;
  gsize n = (gsize) window_h * window_w, plane = (gsize) height * width;
  guint n_windows = (guint) (plane / n);
  gboolean whole = n_windows == 1;
  /* Gathered q k v and the output's rows (none for the whole input),
   * scores, norms. */
  gsize per_window = (whole ? 0 : 4 * c * n) + (gsize) heads * d * d + 2 * c;
  guint chunk = MAX (1, MIN (n_windows, ATTENTION_BYTES / (per_window * sizeof (float))));
  const float *temperature;
  float *work;
  TesseraKernelChannelWindows windows = {
    .channels = c,
    .height = height,
    .width = width,
    .window_h = window_h,
    .window_w = window_w,
  };

  if (!tessera_cuda_check_gemm_size (n, error))
    return FALSE;
  temperature = tessera_cuda_backend_get_floats (self, at->temperature, heads, error);
  work = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_COLUMNS, chunk * per_window * sizeof (float),
                                       error);
  if (temperature == NULL || work == NULL)
    return FALSE;

  for (guint w0 = 0; w0 < n_windows; w0 += chunk)
    {
      guint nw = MIN (chunk, n_windows - w0), batch = nw * heads;
      float *rows = work, *y = whole ? op->output->data : work + 3 * (gsize) nw * c * n;
      float *scores = whole ? work : y + (gsize) nw * c * n;
      float *norms = scores + (gsize) batch * d * d;
      const float *q, *k, *v;

      windows.first_window = w0;
      windows.n_windows = nw;
      if (whole)
        q = op->inputs[0]->data;
      else if (!CUDA_CHECK (tessera_cuda_channel_windows_gather (&windows, op->inputs[0]->data, rows, self->stream),
                            error))
        return FALSE;
      else
        q = rows;
      k = q + (gsize) nw * c * n;
      v = k + (gsize) nw * c * n;

      if (!CUDA_CHECK (tessera_cuda_row_norms (q, (gsize) nw * c, n, norms, self->stream), error) ||
          !CUDA_CHECK (tessera_cuda_row_norms (k, (gsize) nw * c, n, norms + (gsize) nw * c, self->stream), error) ||
          !tessera_cuda_backend_sgemm_rows (self, FALSE, TRUE, d, d, n, 1.f, q, n, (long long) d * n,
                                            k, n, (long long) d * n, scores, d, (long long) d * d, batch, error) ||
          !CUDA_CHECK (tessera_cuda_channel_softmax (scores, batch, d, heads, norms, norms + (gsize) nw * c,
                                                     temperature, self->stream), error) ||
          !tessera_cuda_backend_sgemm_rows (self, FALSE, FALSE, d, n, d, 1.f, scores, d, (long long) d * d,
                                            v, n, (long long) d * n, y, n, (long long) d * n, batch, error))
        return FALSE;

      if (!whole &&
          !CUDA_CHECK (tessera_cuda_channel_windows_scatter (&windows, y, op->output->data, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

/* Attention over tokens, in fp32 in both precisions: one fused kernel,
 * which reads q, k and v in place and never holds all the scores. */
gboolean
tessera_cuda_backend_token_attention (TesseraCudaBackend   *self,
                                      const TesseraCudaOp  *op,
                                      GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelTokenAttention params = {
    .q = op->inputs[0]->data,
    .k = op->inputs[1]->data,
    .v = op->inputs[2]->data,
    .output = op->output->data,
    .heads = node->heads,
    .head_dim = op->shapes[0].channels / node->heads,
    .queries = (gsize) op->shapes[0].height * op->shapes[0].width,
    .keys = (gsize) op->shapes[1].height * op->shapes[1].width,
    .scale = node->softmax_scale,
    .causal = node->causal,
  };

  return CUDA_CHECK (tessera_cuda_token_attention (&params, self->stream), error);
}
