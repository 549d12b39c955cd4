/* tessera-cuda-attention.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <stdint.h>

#include "tessera-kernels-private.cuh"

/* Window attention around cuBLAS's GEMMs, as tessera-cpu-attention.c:
 * pixels to tokens and back (with the cyclic shift), the larger key/value
 * windows' tokens, the permuted ones', bias rows, and the scores' bias,
 * mask and softmax, all in fp32. */

/* The pixel, as an offset into a plane, of token @t of window @w. */
static __device__ __forceinline__ size_t
token_offset (const TesseraKernelWindows &k,
              unsigned                    w,
              unsigned                    t)
{
  unsigned windows_x = k.width / k.window_w;
  unsigned y = w / windows_x * k.window_h + t / k.window_w;
  unsigned x = w % windows_x * k.window_w + t % k.window_w;

  return (size_t) ((y + k.shift_y) % k.height) * k.width + (x + k.shift_x) % k.width;
}

/* The pixel of token @t of window @w's key/value window, or SIZE_MAX
 * outside the image. */
static __device__ __forceinline__ size_t
kv_token_offset (const TesseraKernelWindows &k,
                 unsigned                    w,
                 unsigned                    t)
{
  unsigned windows_x = k.width / k.window_w;
  long long y = (long long) (w / windows_x * k.window_h) - (k.kv_h - k.window_h) / 2 + t / k.kv_w;
  long long x = (long long) (w % windows_x * k.window_w) - (k.kv_w - k.window_w) / 2 + t % k.kv_w;

  if (y < 0 || y >= k.height || x < 0 || x >= k.width)
    return SIZE_MAX;
  return (size_t) ((y + k.shift_y) % k.height) * k.width + (x + k.shift_x) % k.width;
}

/* As seam_side() of the CPU: [0, size − window), [size − window, size −
 * shift), [size − shift, size). */
static __device__ __forceinline__ unsigned
seam_side (unsigned p,
           unsigned size,
           unsigned window,
           unsigned shift)
{
  if (shift == 0 || p + window < size)
    return 0;
  return p + shift < size ? 1 : 2;
}

static __device__ __forceinline__ unsigned
token_side (const TesseraKernelWindows &k,
            unsigned                    w,
            unsigned                    t)
{
  unsigned windows_x = k.width / k.window_w;
  unsigned y = w / windows_x * k.window_h + t / k.window_w;
  unsigned x = w % windows_x * k.window_w + t % k.window_w;

  return seam_side (y, k.height, k.window_h, k.shift_y) * 3 + seam_side (x, k.width, k.window_w, k.shift_x);
}

/* Permuted key @t's side, on the half-size grid with half windows and
 * half the shift rounded up, as SRFormer's mask has it. */
static __device__ __forceinline__ unsigned
permuted_side (const TesseraKernelWindows &k,
               unsigned                    w,
               unsigned                    t)
{
  unsigned windows_x = k.width / k.window_w;
  unsigned y = w / windows_x * k.kv_h + t / k.kv_w;
  unsigned x = w % windows_x * k.kv_w + t % k.kv_w;

  return seam_side (y, k.height / 2, k.kv_h, (k.shift_y + 1) / 2) * 3 +
         seam_side (x, k.width / 2, k.kv_w, (k.shift_x + 1) / 2);
}

/* Token-fastest, so that a warp reads a window's row of pixels. */
static __global__ void
gather_kernel (TesseraKernelWindows k,
               const float         *input,
               unsigned             channels,
               float               *tokens)
{
  unsigned n = k.window_h * k.window_w;
  size_t plane = (size_t) k.height * k.width, total = (size_t) k.n_windows * n;

  TESSERA_FOR_Y (c, channels)
    {
      TESSERA_FOR_X (i, total)
        {
          unsigned w = (unsigned) (i / n), t = (unsigned) (i % n);

          tokens[i * channels + c] = input[c * plane + token_offset (k, k.first_window + w, t)];
        }
    }
}

static __global__ void
gather_kv_kernel (TesseraKernelWindows k,
                  const float         *input,
                  unsigned             channels,
                  float               *tokens)
{
  unsigned n = k.kv_h * k.kv_w;
  size_t plane = (size_t) k.height * k.width, total = (size_t) k.n_windows * n;

  TESSERA_FOR_Y (c, channels)
    {
      TESSERA_FOR_X (i, total)
        {
          size_t at = kv_token_offset (k, k.first_window + (unsigned) (i / n), (unsigned) (i % n));

          tokens[i * channels + c] = at != SIZE_MAX ? input[c * plane + at] : 0.f;
        }
    }
}

/* A thread per element of the compressed rows. */
static __global__ void
permute_kv_kernel (TesseraKernelWindows k,
                   const float         *compressed,
                   unsigned             channels,
                   float               *kv)
{
  unsigned n = k.window_h * k.window_w, m = k.kv_h * k.kv_w, half = channels / 2, quarter = channels / 4;
  size_t total = (size_t) k.n_windows * n * half;

  TESSERA_FOR_X (e, total)
    {
      size_t row = e / half;
      unsigned o = (unsigned) (e % half), w = (unsigned) (row / n), t = (unsigned) (row % n);
      unsigned ty = t / k.window_w, tx = t % k.window_w;
      unsigned key = ty / 2 * k.kv_w + tx / 2, corner = ty % 2 * 2 + tx % 2;

      kv[((size_t) w * m + key) * 2 * channels + o / quarter * channels + corner * quarter + o % quarter] =
        compressed[e];
    }
}

/* A thread per element, so that a warp clears a row. */
static __global__ void
clear_outside_kernel (TesseraKernelWindows k,
                      float               *tokens,
                      unsigned             columns)
{
  unsigned n = k.kv_h * k.kv_w;
  size_t total = (size_t) k.n_windows * n * columns;

  TESSERA_FOR_X (e, total)
    {
      size_t i = e / columns;

      if (kv_token_offset (k, k.first_window + (unsigned) (i / n), (unsigned) (i % n)) == SIZE_MAX)
        tokens[e] = 0.f;
    }
}

static __global__ void
scatter_kernel (TesseraKernelWindows k,
                const float         *tokens,
                unsigned             channels,
                const float         *bias,
                float                scale,
                const float         *residual,
                float               *output)
{
  unsigned n = k.window_h * k.window_w;
  size_t plane = (size_t) k.height * k.width, total = (size_t) k.n_windows * n;

  TESSERA_FOR_Y (c, channels)
    {
      TESSERA_FOR_X (i, total)
        {
          unsigned w = (unsigned) (i / n), t = (unsigned) (i % n);
          size_t at = c * plane + token_offset (k, k.first_window + w, t);
          float v = tokens[i * channels + c];

          if (bias != NULL)
            v += bias[c];
          v *= scale;
          output[at] = residual != NULL ? v + residual[at] : v;
        }
    }
}

static __global__ void
add_rows_kernel (float       *matrix,
                 size_t       rows,
                 unsigned     columns,
                 const float *bias)
{
  TESSERA_FOR_X (i, rows * columns)
    matrix[i] += bias[i % columns];
}

static __device__ __forceinline__ float
warp_max (float v)
{
  for (int offset = 16; offset > 0; offset /= 2)
    v = fmaxf (v, __shfl_xor_sync (0xffffffffu, v, offset));
  return v;
}

static __device__ __forceinline__ float
warp_sum (float v)
{
  for (int offset = 16; offset > 0; offset /= 2)
    v += __shfl_xor_sync (0xffffffffu, v, offset);
  return v;
}

/* A warp per row of scores. */
static __global__ void
softmax_kernel (TesseraKernelWindows k,
                TesseraKernelSoftmax p)
{
  unsigned n = k.window_h * k.window_w, m = k.kv_h * k.kv_w, lane = threadIdx.x % 32;
  size_t per_head = (size_t) k.n_windows * n, rows = p.heads * per_head;
  size_t warps = (size_t) gridDim.x * (blockDim.x / 32);

  for (size_t r = blockIdx.x * (size_t) (blockDim.x / 32) + threadIdx.x / 32; r < rows; r += warps)
    {
      unsigned h = (unsigned) (r / per_head), w = (unsigned) (r % per_head / n), i = (unsigned) (r % n);
      unsigned window = k.first_window + w, side_i = p.mask ? token_side (k, window, i) : 0;
      float *row = p.scores + r * m;
      float peak = -INFINITY, sum = 0.f, inverse;

      for (unsigned j = lane; j < m; j += 32)
        {
          float v = row[j];

          if (p.bias_table != NULL)
            v += p.bias_table[(size_t) p.bias_index[(size_t) i * m + j] * p.heads + h];
          if (p.mask && (k.permuted ? permuted_side (k, window, j) : token_side (k, window, j)) != side_i)
            v += -100.f;
          row[j] = v;
          peak = fmaxf (peak, v);
        }
      peak = warp_max (peak);

      for (unsigned j = lane; j < m; j += 32)
        {
          float e = expf (row[j] - peak);

          row[j] = e;
          sum += e;
        }
      inverse = 1.f / warp_sum (sum);

      for (unsigned j = lane; j < m; j += 32)
        row[j] *= inverse;
    }
}

extern "C" cudaError_t
tessera_cuda_windows_gather (const TesseraKernelWindows *windows,
                             const float                *input,
                             unsigned                    channels,
                             float                      *tokens,
                             cudaStream_t                stream)
{
  size_t total = (size_t) windows->n_windows * windows->window_h * windows->window_w;

  gather_kernel<<<tessera_grid (total, channels), TESSERA_BLOCK, 0, stream>>> (*windows, input, channels, tokens);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_windows_gather_kv (const TesseraKernelWindows *windows,
                                const float                *input,
                                unsigned                    channels,
                                float                      *tokens,
                                cudaStream_t                stream)
{
  size_t total = (size_t) windows->n_windows * windows->kv_h * windows->kv_w;

  gather_kv_kernel<<<tessera_grid (total, channels), TESSERA_BLOCK, 0, stream>>> (*windows, input, channels, tokens);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_windows_clear_outside (const TesseraKernelWindows *windows,
                                    float                      *tokens,
                                    unsigned                    columns,
                                    cudaStream_t                stream)
{
  size_t total = (size_t) windows->n_windows * windows->kv_h * windows->kv_w * columns;

  clear_outside_kernel<<<tessera_grid (total, 1), TESSERA_BLOCK, 0, stream>>> (*windows, tokens, columns);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_windows_permute_kv (const TesseraKernelWindows *windows,
                                 const float                *compressed,
                                 unsigned                    channels,
                                 float                      *kv,
                                 cudaStream_t                stream)
{
  size_t total = (size_t) windows->n_windows * windows->window_h * windows->window_w * (channels / 2);

  permute_kv_kernel<<<tessera_grid (total, 1), TESSERA_BLOCK, 0, stream>>> (*windows, compressed, channels, kv);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_windows_scatter (const TesseraKernelWindows *windows,
                              const float                *tokens,
                              unsigned                    channels,
                              const float                *bias,
                              float                       scale,
                              const float                *residual,
                              float                      *output,
                              cudaStream_t                stream)
{
  size_t total = (size_t) windows->n_windows * windows->window_h * windows->window_w;

  scatter_kernel<<<tessera_grid (total, channels), TESSERA_BLOCK, 0, stream>>> (*windows, tokens, channels, bias,
                                                                                 scale, residual, output);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_add_rows (float       *matrix,
                       size_t       rows,
                       unsigned     columns,
                       const float *bias,
                       cudaStream_t stream)
{
  add_rows_kernel<<<tessera_grid (rows * columns, 1), TESSERA_BLOCK, 0, stream>>> (matrix, rows, columns, bias);
  return cudaGetLastError ();
}

extern "C" cudaError_t
tessera_cuda_attention_softmax (const TesseraKernelWindows *windows,
                                const TesseraKernelSoftmax *params,
                                cudaStream_t                stream)
{
  size_t rows = (size_t) params->heads * windows->n_windows * windows->window_h * windows->window_w;
  size_t blocks = (rows + TESSERA_BLOCK / 32 - 1) / (TESSERA_BLOCK / 32);

  blocks = blocks < 1 ? 1 : (blocks > TESSERA_MAX_BLOCKS_X ? TESSERA_MAX_BLOCKS_X : blocks);
  softmax_kernel<<<(unsigned) blocks, TESSERA_BLOCK, 0, stream>>> (*windows, *params);
  return cudaGetLastError ();
}
