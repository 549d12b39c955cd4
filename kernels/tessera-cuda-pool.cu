/* tessera-cuda-pool.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Max pooling without padding, as tessera-cpu-pool.c: a thread per output
 * value, scanning its window in the same order. */

static __global__ void
max_pool_kernel (TesseraKernelMaxPool p)
{
  size_t in_plane = (size_t) p.in_height * p.in_width;
  size_t out_plane = (size_t) p.out_height * p.out_width;

  TESSERA_FOR_Y (c, p.channels)
    TESSERA_FOR_X (i, out_plane)
      {
        unsigned y = (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;
        const float *window = p.input + c * in_plane + (size_t) y * p.stride * p.in_width + (size_t) x * p.stride;
        float best = window[0];

        /* NaN wins, as in PyTorch. */
        for (unsigned ky = 0; ky < p.kernel; ky++)
          for (unsigned kx = 0; kx < p.kernel; kx++)
            {
              float v = window[(size_t) ky * p.in_width + kx];

              if (v > best || isnan (v))
                best = v;
            }
        p.output[(size_t) c * out_plane + i] = best;
      }
}

extern "C" cudaError_t
tessera_cuda_max_pool (const TesseraKernelMaxPool *params,
                       cudaStream_t                stream)
{
  max_pool_kernel<<<tessera_grid ((size_t) params->out_height * params->out_width, params->channels),
                    TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
