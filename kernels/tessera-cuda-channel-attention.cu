/* tessera-cuda-channel-attention.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Channel attention around cuBLAS's batched GEMMs, as
 * tessera-cpu-channel-attention.c computes it: windows gathered into rows,
 * the rows' norms, the scores divided by them and softmaxed. */

static __global__ void
gather_kernel (TesseraKernelChannelWindows w,
               const float                *input,
               float                      *rows)
{
  size_t plane = (size_t) w.height * w.width;
  unsigned n = w.window_h * w.window_w, windows_x = w.width / w.window_w;
  unsigned per_part = w.n_windows * w.channels;

  /* One row of the output per y: (part, window, channel). */
  TESSERA_FOR_Y (r, 3 * per_part)
    {
      unsigned part = r / per_part, window = w.first_window + r % per_part / w.channels, c = r % w.channels;
      unsigned y0 = window / windows_x * w.window_h, x0 = window % windows_x * w.window_w;
      const float *src = input + ((size_t) part * w.channels + c) * plane;

      TESSERA_FOR_X (t, n)
        {
          unsigned ty = (unsigned) t / w.window_w, tx = (unsigned) t % w.window_w;

          rows[(size_t) r * n + t] = src[(size_t) (y0 + ty) * w.width + x0 + tx];
        }
    }
}

static __global__ void
scatter_kernel (TesseraKernelChannelWindows w,
                const float                *rows,
                float                      *output)
{
  size_t plane = (size_t) w.height * w.width;
  unsigned n = w.window_h * w.window_w, windows_x = w.width / w.window_w;

  TESSERA_FOR_Y (r, w.n_windows * w.channels)
    {
      unsigned window = w.first_window + r / w.channels, c = r % w.channels;
      unsigned y0 = window / windows_x * w.window_h, x0 = window % windows_x * w.window_w;
      float *dst = output + (size_t) c * plane;

      TESSERA_FOR_X (t, n)
        {
          unsigned ty = (unsigned) t / w.window_w, tx = (unsigned) t % w.window_w;

          dst[(size_t) (y0 + ty) * w.width + x0 + tx] = rows[(size_t) r * n + t];
        }
    }
}

/* A block per row: each thread sums a stride of squares in double, as the
 * CPU does, then the block adds them up. */
static __global__ void
row_norms_kernel (const float *rows,
                  size_t       n_rows,
                  size_t       length,
                  float       *norms)
{
  __shared__ double partial[TESSERA_BLOCK];

  for (size_t r = blockIdx.x; r < n_rows; r += gridDim.x)
    {
      const float *row = rows + r * length;
      double sum = 0.0;

      for (size_t i = threadIdx.x; i < length; i += blockDim.x)
        sum += (double) row[i] * row[i];
      sum = tessera_block_sum (sum, partial);
      if (threadIdx.x == 0)
        norms[r] = fmaxf ((float) sqrt (sum), 1e-12f);
    }
}

/* A thread per row of a score matrix. */
static __global__ void
softmax_kernel (float       *scores,
                unsigned     n_matrices,
                unsigned     d,
                unsigned     heads,
                const float *q_norms,
                const float *k_norms,
                const float *temperature)
{
  TESSERA_FOR_X (r, (size_t) n_matrices * d)
    {
      unsigned b = (unsigned) (r / d), i = (unsigned) (r % d);
      float *row = scores + r * d;
      float t = temperature[b % heads], peak = -INFINITY, sum = 0.f;

      for (unsigned j = 0; j < d; j++)
        {
          row[j] = row[j] / (q_norms[(size_t) b * d + i] * k_norms[(size_t) b * d + j]) * t;
          peak = fmaxf (peak, row[j]);
        }
      for (unsigned j = 0; j < d; j++)
        {
          row[j] = expf (row[j] - peak);
          sum += row[j];
        }
      for (unsigned j = 0; j < d; j++)
        row[j] /= sum;
    }
}

extern "C" cudaError_t
tessera_cuda_channel_windows_gather (const TesseraKernelChannelWindows *windows,
                                     const float                       *input,
                                     float                             *rows,
                                     cudaStream_t                       stream)
{
  size_t n = (size_t) windows->window_h * windows->window_w;
  unsigned n_rows = 3 * windows->channels * windows->n_windows;

  gather_kernel<<<tessera_grid (n, n_rows), TESSERA_BLOCK, 0, stream>>> (*windows, input, rows);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_channel_windows_scatter (const TesseraKernelChannelWindows *windows,
                                      const float                       *rows,
                                      float                             *output,
                                      cudaStream_t                       stream)
{
  size_t n = (size_t) windows->window_h * windows->window_w;
  unsigned n_rows = windows->channels * windows->n_windows;

  scatter_kernel<<<tessera_grid (n, n_rows), TESSERA_BLOCK, 0, stream>>> (*windows, rows, output);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_row_norms (const float  *rows,
                        size_t        n_rows,
                        size_t        length,
                        float        *norms,
                        cudaStream_t  stream)
{
  unsigned blocks = (unsigned) (n_rows < TESSERA_MAX_BLOCKS_X ? n_rows : TESSERA_MAX_BLOCKS_X);

  row_norms_kernel<<<blocks > 0 ? blocks : 1, TESSERA_BLOCK, 0, stream>>> (rows, n_rows, length, norms);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_channel_softmax (float        *scores,
                              unsigned      n_matrices,
                              unsigned      head_dim,
                              unsigned      heads,
                              const float  *q_norms,
                              const float  *k_norms,
                              const float  *temperature,
                              cudaStream_t  stream)
{
  softmax_kernel<<<tessera_grid ((size_t) n_matrices * head_dim, 1), TESSERA_BLOCK, 0, stream>>> (
      scores, n_matrices, head_dim, heads, q_norms, k_norms, temperature);
  return cudaGetLastError ();
}
