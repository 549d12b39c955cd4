/* tessera-cpu-winograd.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* 3×3 convolutions by Winograd's F(2×2, 3×3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2015): each 2×2 block of
 * output is computed from a 4×4 block of input in a transformed space
 * where the convolution is an element-wise product, so the 36
 * multiply-adds per block and channel pair become 16. The products for
 * one of the 16 positions ξ, over every channel pair and block, are one
 * SGEMM: M[ξ] = U[ξ] · V[ξ], U the weights (out × in) and V the input
 * blocks (in × blocks), both transformed.
 *
 *   U = G g Gᵀ    G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
 *   V = Bᵀ d B    Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
 *   Y = Aᵀ M A    Aᵀ = [1 1 1 0; 0 1 −1 −1]
 *
 * The transforms only add and halve, so fp32 stays within a few ulps of
 * the direct convolution. */

/* Blocks per band: V and M of a band stay near the second-level cache. */
#define BAND_BLOCKS 384

gboolean
tessera_winograd_applies (const TesseraNode *node)
{
  return node->op == TESSERA_OP_CONV2D && node->groups <= 1 && node->kernel == 3 && node->stride == 1 &&
         node->padding <= 2 && node->in_channels >= 16 && node->out_channels >= 16;
}

typedef struct
{
  const TesseraNode *node;
  float             *u;
} WeightTransform;

static void
transform_weights (guint    begin,
                   guint    end,
                   gpointer user_data)
{
  const WeightTransform *t = user_data;
  gsize matrix = (gsize) t->node->out_channels * t->node->in_channels;

  for (gsize pair = begin; pair < end; pair++)
    {
      const float *g = t->node->weight + pair * 9;
      float *u = t->u + pair;
      float gg[4][3];

      /* G g: rows of the kernel combined. */
      for (guint j = 0; j < 3; j++)
        {
          gg[0][j] = g[j];
          gg[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
          gg[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
          gg[3][j] = g[6 + j];
        }
      /* (G g) Gᵀ */
      for (guint i = 0; i < 4; i++)
        {
          u[(i * 4 + 0) * matrix] = gg[i][0];
          u[(i * 4 + 1) * matrix] = 0.5f * (gg[i][0] + gg[i][1] + gg[i][2]);
          u[(i * 4 + 2) * matrix] = 0.5f * (gg[i][0] - gg[i][1] + gg[i][2]);
          u[(i * 4 + 3) * matrix] = gg[i][2];
        }
    }
}

/**
 * tessera_winograd_transform_weights:
 * @u: tessera_winograd_weights_size() bytes
 *
 * Fills @u with U, [16][out][in], from the [out][in][3][3] weights.
 */
void
tessera_winograd_transform_weights (const TesseraNode *node,
                                    float             *u)
{
  WeightTransform t = { node, u };

  tessera_parallel_for (node->out_channels * node->in_channels, transform_weights, &t);
}

gsize
tessera_winograd_weights_size (const TesseraNode *node)
{
  return (gsize) 16 * node->out_channels * node->in_channels * sizeof (float);
}

typedef struct
{
  const TesseraCpuOp *op;
  const float        *u;
  guint               in_height;
  guint               in_width;
  guint               out_height;
  guint               out_width;
  guint               blocks_x;       /* 2×2 output blocks per row */
  guint               blocks_y;
  guint               rows_per_band;  /* of blocks */
  gint                out_of_memory;  /* atomic */
} Winograd;

/* The loops below are their own functions because GCC vectorises them
 * only when the pointers are restrict parameters; they are inlined into
 * the AVX2 and baseline copies of their callers. */

G_ALWAYS_INLINE static inline void
split_even_odd (const float *restrict row,
                float *restrict       even,
                float *restrict       odd,
                guint                 n)
{
  for (guint j = 0; j < n; j++)
    {
      even[j] = row[2 * j];
      odd[j] = row[2 * j + 1];
    }
}

/* Bᵀ d down four rows. */
G_ALWAYS_INLINE static inline void
transform_rows (const float *restrict d0,
                const float *restrict d1,
                const float *restrict d2,
                const float *restrict d3,
                float *restrict       t0,
                float *restrict       t1,
                float *restrict       t2,
                float *restrict       t3,
                guint                 n)
{
  for (guint j = 0; j < n; j++)
    {
      t0[j] = d0[j] - d2[j];
      t1[j] = d1[j] + d2[j];
      t2[j] = d2[j] - d1[j];
      t3[j] = d1[j] - d3[j];
    }
}

/* · B along a row: block bx reads columns 2bx…2bx+3, which are even[bx],
 * odd[bx], even[bx + 1] and odd[bx + 1]. */
G_ALWAYS_INLINE static inline void
transform_columns (const float *restrict even,
                   const float *restrict odd,
                   float *restrict       v0,
                   float *restrict       v1,
                   float *restrict       v2,
                   float *restrict       v3,
                   guint                 n)
{
  for (guint bx = 0; bx < n; bx++)
    {
      v0[bx] = even[bx] - even[bx + 1];
      v1[bx] = odd[bx] + even[bx + 1];
      v2[bx] = even[bx + 1] - odd[bx];
      v3[bx] = odd[bx] - odd[bx + 1];
    }
}

/* Aᵀ m A for a row of blocks; m[ξ · stride + bx]. */
G_ALWAYS_INLINE static inline void
transform_blocks_out (const float *restrict m,
                      gsize                 stride,
                      float *restrict       y00,
                      float *restrict       y01,
                      float *restrict       y10,
                      float *restrict       y11,
                      guint                 n)
{
  for (guint bx = 0; bx < n; bx++)
    {
      const float *q = m + bx;
      float a00 = q[0] + q[4 * stride] + q[8 * stride];
      float a01 = q[stride] + q[5 * stride] + q[9 * stride];
      float a02 = q[2 * stride] + q[6 * stride] + q[10 * stride];
      float a03 = q[3 * stride] + q[7 * stride] + q[11 * stride];
      float a10 = q[4 * stride] - q[8 * stride] - q[12 * stride];
      float a11 = q[5 * stride] - q[9 * stride] - q[13 * stride];
      float a12 = q[6 * stride] - q[10 * stride] - q[14 * stride];
      float a13 = q[7 * stride] - q[11 * stride] - q[15 * stride];

      y00[bx] = a00 + a01 + a02;
      y01[bx] = a01 - a02 - a03;
      y10[bx] = a10 + a11 + a12;
      y11[bx] = a11 - a12 - a13;
    }
}

G_ALWAYS_INLINE static inline void
interleave (const float *restrict a,
            const float *restrict b,
            float *restrict       row,
            guint                 width)
{
  for (guint x = 0; x < width / 2; x++)
    {
      row[2 * x] = a[x];
      row[2 * x + 1] = b[x];
    }
  if (width % 2)
    row[width - 1] = a[width / 2];
}

/* V for block rows [by0, by1). The input rows the band reads are copied
 * once each, zero-padded and split into even and odd columns; then both
 * passes of the transform, vertical (Bᵀ d) and horizontal (· B), run
 * over contiguous arrays. */
TESSERA_VECTORIZE static void
transform_input (const Winograd *w,
                 guint           by0,
                 guint           by1,
                 float          *v,
                 gsize           n_blocks,
                 float          *scratch)
{
  const TesseraNode *node = w->op->node;
  guint pad = node->padding;
  guint half = w->blocks_x + 1;          /* even (or odd) columns the blocks read */
  guint n_rows = 2 * (by1 - by0) + 2;
  gsize stride = (gsize) node->in_channels * n_blocks;
  float *row = scratch;                  /* one padded input row */
  float *even = row + 2 * half;          /* [n_rows][half] */
  float *odd = even + (gsize) n_rows * half;
  float *t = odd + (gsize) n_rows * half;  /* [8][half]: Bᵀ d, even then odd columns */
  guint channel = 0;

  for (guint input = 0; input < node->n_inputs; input++)
    for (guint c = 0; c < w->op->shapes[input].channels; c++, channel++)
      {
        const float *plane = w->op->inputs[input] + (gsize) c * w->in_height * w->in_width;

        for (guint r = 0; r < n_rows; r++)
          {
            gint64 y = (gint64) 2 * by0 + r - pad;

            if (y < 0 || y >= w->in_height)
              {
                memset (even + (gsize) r * half, 0, half * sizeof (float));
                memset (odd + (gsize) r * half, 0, half * sizeof (float));
                continue;
              }
            memset (row, 0, pad * sizeof (float));
            memcpy (row + pad, plane + (gsize) y * w->in_width, w->in_width * sizeof (float));
            memset (row + pad + w->in_width, 0, (2 * half - pad - w->in_width) * sizeof (float));
            split_even_odd (row, even + (gsize) r * half, odd + (gsize) r * half, half);
          }

        for (guint by = by0; by < by1; by++)
          {
            float *out = v + (gsize) channel * n_blocks + (gsize) (by - by0) * w->blocks_x;
            const float *e = even + (gsize) 2 * (by - by0) * half;
            const float *o = odd + (gsize) 2 * (by - by0) * half;

            transform_rows (e, e + half, e + 2 * half, e + 3 * half,
                            t, t + half, t + 2 * half, t + 3 * half, half);
            transform_rows (o, o + half, o + 2 * half, o + 3 * half,
                            t + 4 * half, t + 5 * half, t + 6 * half, t + 7 * half, half);
            for (guint i = 0; i < 4; i++)
              transform_columns (t + i * half, t + (4 + i) * half,
                                 out + (4 * i + 0) * stride, out + (4 * i + 1) * stride,
                                 out + (4 * i + 2) * stride, out + (4 * i + 3) * stride, w->blocks_x);
          }
      }
}

/* Y = Aᵀ M A for block rows [by0, by1), written into the output with the
 * node's bias, activation and residual while the rows are in cache. */
TESSERA_VECTORIZE static void
transform_output (const Winograd *w,
                  guint           by0,
                  guint           by1,
                  const float    *m,
                  gsize           n_blocks,
                  float          *scratch)
{
  const TesseraNode *node = w->op->node;
  gsize plane = (gsize) w->out_height * w->out_width;
  gsize matrix = (gsize) node->out_channels * n_blocks;
  guint bw = w->blocks_x, width = w->out_width;
  const float *residual = w->op->residual;
  float *y00 = scratch, *y01 = y00 + bw, *y10 = y01 + bw, *y11 = y10 + bw;

  for (guint o = 0; o < node->out_channels; o++)
    for (guint by = by0; by < by1; by++)
      {
        gsize offset = o * plane + (gsize) 2 * by * width;
        float *row0 = w->op->output + offset;

        transform_blocks_out (m + (gsize) o * n_blocks + (gsize) (by - by0) * bw, matrix, y00, y01, y10, y11, bw);
        interleave (y00, y01, row0, width);
        tessera_cpu_epilogue_row (node, o, row0, residual ? residual + offset : NULL, width);
        if (2 * by + 1 < w->out_height)
          {
            interleave (y10, y11, row0 + width, width);
            tessera_cpu_epilogue_row (node, o, row0 + width, residual ? residual + offset + width : NULL, width);
          }
      }
}

static void
winograd_bands (guint    begin,
                guint    end,
                gpointer user_data)
{
  Winograd *w = user_data;
  const TesseraNode *node = w->op->node;
  gsize most_blocks = (gsize) w->rows_per_band * w->blocks_x;
  gsize half = w->blocks_x + 1;
  float *v = tessera_cpu_scratch (0, 16 * most_blocks * node->in_channels);
  float *m = tessera_cpu_scratch (1, 16 * most_blocks * node->out_channels);
  float *scratch = tessera_cpu_scratch (2, (2 + 2 * (2 * (gsize) w->rows_per_band + 2) + 8) * half);

  if (v == NULL || m == NULL || scratch == NULL)
    {
      g_atomic_int_set (&w->out_of_memory, TRUE);
      return;
    }

  for (guint band = begin; band < end; band++)
    {
      guint by0 = band * w->rows_per_band;
      guint by1 = MIN (by0 + w->rows_per_band, w->blocks_y);
      gsize n_blocks = (gsize) (by1 - by0) * w->blocks_x;

      transform_input (w, by0, by1, v, n_blocks, scratch);
      for (guint xi = 0; xi < 16; xi++)
        tessera_sgemm (FALSE, FALSE, node->out_channels, n_blocks, node->in_channels,
                       1.f, w->u + (gsize) xi * node->out_channels * node->in_channels, node->in_channels,
                       v + (gsize) xi * node->in_channels * n_blocks, n_blocks,
                       0.f, m + (gsize) xi * node->out_channels * n_blocks, n_blocks);
      transform_output (w, by0, by1, m, n_blocks, scratch);
    }
}

gboolean
tessera_cpu_conv2d_winograd (const TesseraCpuOp  *op,
                             const float         *transformed,
                             GError             **error)
{
  Winograd w = { op, transformed };
  guint n_threads = tessera_parallel_get_n_threads (), n_bands;

  w.in_height = op->shapes[0].height;
  w.in_width = op->shapes[0].width;
  w.out_height = op->output_shape->height;
  w.out_width = op->output_shape->width;
  w.blocks_x = (w.out_width + 1) / 2;
  w.blocks_y = (w.out_height + 1) / 2;

  /* Bands of about BAND_BLOCKS blocks, and enough of them for every thread. */
  w.rows_per_band = MAX (1, BAND_BLOCKS / w.blocks_x);
  w.rows_per_band = MIN (w.rows_per_band, MAX (1, w.blocks_y / (2 * n_threads)));
  n_bands = (w.blocks_y + w.rows_per_band - 1) / w.rows_per_band;

  tessera_parallel_for (n_bands, winograd_bands, &w);

  if (w.out_of_memory)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a convolution's working buffer"));
      return FALSE;
    }

  return TRUE;
}
