/* tessera-cuda-token-attention.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>

#include "tessera-kernels-private.cuh"

/* Multi-head attention over tokens in one fused kernel, flash-attention
 * style, in fp32: a block takes QUERIES queries of one head and walks the
 * keys KEYS at a time. Each step's scores live in registers and shared
 * memory only; a running maximum and sum per query (the online softmax)
 * rescale what the output has gathered so far, so the scores are never
 * all in memory, whatever the number of tokens.
 *
 * The 256 threads are 16 × 16: thread (ty, tx) holds the scores of
 * queries ty + 16 r and keys tx + 16 j, and the output of queries
 * ty + 16 r and dimensions tx + 16 e; the 16 threads of a query row are
 * half a warp, which shares the row's maximum and sum by shuffles. A block
 * gives DIMS_PER_BLOCK of the head's dimensions: a head wider than that
 * (the VAE's single head of 512) takes several blocks, which each work
 * out the scores again.
 *
 * The scores are summed over the head's dimensions a slab of SLAB at a
 * time, q's and k's slabs in shared memory (each a row of a plane, read
 * along the tokens); the weights times v go through shared memory too,
 * v a slab of its dimensions at a time. */

#define QUERIES 64
#define KEYS 64
#define SLAB 16
#define DIMS_PER_BLOCK 128
#define THREADS 256

#define ROWS (QUERIES / 16)             /* per thread */
#define COLUMNS (KEYS / 16)
#define DIMS (DIMS_PER_BLOCK / SLAB)    /* per thread, one per slab of v */

/* The maximum or the sum of the 16 lanes of a half warp. */
static __device__ __forceinline__ float
half_warp_max (float v)
{
  for (int offset = 8; offset > 0; offset /= 2)
    v = fmaxf (v, __shfl_xor_sync (0xffffffffu, v, offset));
  return v;
}

static __device__ __forceinline__ float
half_warp_sum (float v)
{
  for (int offset = 8; offset > 0; offset /= 2)
    v += __shfl_xor_sync (0xffffffffu, v, offset);
  return v;
}

static __global__ void __launch_bounds__ (THREADS)
token_attention_kernel (TesseraKernelTokenAttention p)
{
  __shared__ float q_slab[SLAB][QUERIES];
  __shared__ float k_slab[SLAB][KEYS];
  __shared__ float weights[QUERIES][KEYS + 1];
  __shared__ float v_slab[SLAB][KEYS + 1];
  unsigned tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  size_t first_query = (size_t) blockIdx.x * QUERIES;
  unsigned first_dim = blockIdx.z * DIMS_PER_BLOCK;
  size_t head = (size_t) blockIdx.y * p.head_dim;
  const float *q = p.q + head * p.queries;
  const float *k = p.k + head * p.keys;
  const float *v = p.v + head * p.keys;
  float peak[ROWS], sum[ROWS], out[ROWS][DIMS];
  size_t end = p.keys;

  /* A causal block's last query sees no key beyond itself. */
  if (p.causal && first_query + QUERIES < end)
    end = first_query + QUERIES;

#pragma unroll
  for (unsigned r = 0; r < ROWS; r++)
    {
      peak[r] = -INFINITY;
      sum[r] = 0.f;
#pragma unroll
      for (unsigned e = 0; e < DIMS; e++)
        out[r][e] = 0.f;
    }

  for (size_t first_key = 0; first_key < end; first_key += KEYS)
    {
      float s[ROWS][COLUMNS];

#pragma unroll
      for (unsigned r = 0; r < ROWS; r++)
#pragma unroll
        for (unsigned j = 0; j < COLUMNS; j++)
          s[r][j] = 0.f;

      /* q · k, a slab of dimensions at a time; zeros past the ends. */
      for (unsigned d0 = 0; d0 < p.head_dim; d0 += SLAB)
        {
          for (unsigned e = threadIdx.x; e < SLAB * QUERIES; e += THREADS)
            {
              unsigned d = e / QUERIES, i = e % QUERIES;

              q_slab[d][i] = d0 + d < p.head_dim && first_query + i < p.queries
                               ? q[(size_t) (d0 + d) * p.queries + first_query + i] : 0.f;
            }
          for (unsigned e = threadIdx.x; e < SLAB * KEYS; e += THREADS)
            {
              unsigned d = e / KEYS, j = e % KEYS;

              k_slab[d][j] = d0 + d < p.head_dim && first_key + j < p.keys
                               ? k[(size_t) (d0 + d) * p.keys + first_key + j] : 0.f;
            }
          __syncthreads ();

#pragma unroll
          for (unsigned d = 0; d < SLAB; d++)
            {
              float a[ROWS], b[COLUMNS];

#pragma unroll
              for (unsigned r = 0; r < ROWS; r++)
                a[r] = q_slab[d][ty + 16 * r];
#pragma unroll
              for (unsigned j = 0; j < COLUMNS; j++)
                b[j] = k_slab[d][tx + 16 * j];
#pragma unroll
              for (unsigned r = 0; r < ROWS; r++)
#pragma unroll
                for (unsigned j = 0; j < COLUMNS; j++)
                  s[r][j] += a[r] * b[j];
            }
          __syncthreads ();
        }

      /* The online softmax: the new running maximum, the weights under
       * it, and what was gathered so far scaled down to it. */
#pragma unroll
      for (unsigned r = 0; r < ROWS; r++)
        {
          size_t query = first_query + ty + 16 * r;
          float step_peak = -INFINITY, step_sum = 0.f, new_peak, base, correction;

#pragma unroll
          for (unsigned j = 0; j < COLUMNS; j++)
            {
              size_t key = first_key + tx + 16 * j;

              s[r][j] = key < p.keys && !(p.causal && key > query) ? s[r][j] * p.scale : -INFINITY;
              step_peak = fmaxf (step_peak, s[r][j]);
            }
          new_peak = fmaxf (peak[r], half_warp_max (step_peak));
          /* Until a row has seen a key, its weights are all 0. */
          base = new_peak == -INFINITY ? 0.f : new_peak;
          correction = expf (peak[r] - base);

#pragma unroll
          for (unsigned j = 0; j < COLUMNS; j++)
            {
              s[r][j] = expf (s[r][j] - base);
              step_sum += s[r][j];
              weights[ty + 16 * r][tx + 16 * j] = s[r][j];
            }
          sum[r] = sum[r] * correction + half_warp_sum (step_sum);
          peak[r] = new_peak;
#pragma unroll
          for (unsigned e = 0; e < DIMS; e++)
            out[r][e] *= correction;
        }

      /* The weights times v, a slab of v's dimensions at a time: thread
       * tx gathers dimension tx of each. */
#pragma unroll
      for (unsigned e = 0; e < DIMS; e++)
        {
          unsigned d0 = first_dim + e * SLAB;

          /* The same for the whole block; slab 0 always runs. */
          if (d0 >= p.head_dim)
            continue;

          for (unsigned x = threadIdx.x; x < SLAB * KEYS; x += THREADS)
            {
              unsigned d = x / KEYS, j = x % KEYS;

              v_slab[d][j] = d0 + d < p.head_dim && first_key + j < p.keys
                               ? v[(size_t) (d0 + d) * p.keys + first_key + j] : 0.f;
            }
          /* The first time, also the weights' writes above. */
          __syncthreads ();

          for (unsigned j = 0; j < KEYS; j++)
            {
              float value = v_slab[tx][j];

#pragma unroll
              for (unsigned r = 0; r < ROWS; r++)
                out[r][e] += weights[ty + 16 * r][j] * value;
            }
          __syncthreads ();
        }
    }

#pragma unroll
  for (unsigned r = 0; r < ROWS; r++)
    {
      size_t query = first_query + ty + 16 * r;
      float inverse = 1.f / sum[r];

      if (query >= p.queries)
        continue;
#pragma unroll
      for (unsigned e = 0; e < DIMS; e++)
        {
          unsigned d = first_dim + e * SLAB + tx;

          if (d < p.head_dim)
            p.output[(head + d) * p.queries + query] = out[r][e] * inverse;
        }
    }
}

extern "C" cudaError_t
tessera_cuda_token_attention (const TesseraKernelTokenAttention *params,
                              cudaStream_t                       stream)
{
  dim3 grid ((unsigned) ((params->queries + QUERIES - 1) / QUERIES), params->heads,
             (params->head_dim + DIMS_PER_BLOCK - 1) / DIMS_PER_BLOCK);

  if (params->heads > TESSERA_MAX_BLOCKS_Y || grid.z > TESSERA_MAX_BLOCKS_Y)
    return cudaErrorInvalidConfiguration;
  token_attention_kernel<<<grid, THREADS, 0, stream>>> (*params);
  return cudaGetLastError ();
}
