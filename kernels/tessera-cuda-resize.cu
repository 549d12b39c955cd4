/* tessera-cuda-resize.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"
#include "tessera-resize-taps.h"

/* Resizing with the CPU backend's sampling (tessera-resize-taps.h) and
 * its order of sums. A thread makes one output pixel's taps and samples
 * every channel with them. */

static __device__ __forceinline__ int
clamp_index (int i,
             int size)
{
  return i < 0 ? 0 : (i > size - 1 ? size - 1 : i);
}

static __global__ void
resize_kernel (TesseraKernelResize p)
{
  size_t out_plane = (size_t) p.out_height * p.out_width;
  size_t in_plane = (size_t) p.in_height * p.in_width;
  unsigned n_taps = tessera_taps_count (p.mode);

  TESSERA_FOR_X (i, out_plane)
    {
      unsigned y = (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;
      TesseraTaps ty = tessera_resize_taps (p.mode, y, p.in_height, p.out_height);
      TesseraTaps tx = tessera_resize_taps (p.mode, x, p.in_width, p.out_width);
      int rows[4], columns[4];

      for (unsigned k = 0; k < n_taps; k++)
        {
          rows[k] = clamp_index (ty.first + (int) k, (int) p.in_height);
          columns[k] = clamp_index (tx.first + (int) k, (int) p.in_width);
        }

      for (unsigned c = 0; c < p.channels; c++)
        {
          const float *src = p.input + (size_t) c * in_plane;
          float sum = 0.f;

          /* The CPU's order: each tap row summed across, then down. */
          for (unsigned k = 0; k < n_taps; k++)
            {
              const float *line = src + (size_t) rows[k] * p.in_width;
              float h = 0.f;

              for (unsigned j = 0; j < n_taps; j++)
                h += tx.weights[j] * line[columns[j]];
              sum += ty.weights[k] * h;
            }
          p.output[(size_t) c * out_plane + i] = sum;
        }
    }
}

extern "C" cudaError_t
tessera_cuda_resize (const TesseraKernelResize *params,
                     cudaStream_t               stream)
{
  resize_kernel<<<tessera_grid ((size_t) params->out_height * params->out_width, 1), TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
