/* tessera-cuda-grid.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"
#include "tessera-grid-index.h"

/* OmniSR's grid permutations, as tessera-cpu-grid.c: a thread per output
 * value, its source from tessera-grid-index.h. */

static __global__ void
grid_kernel (TesseraKernelGrid p)
{
  size_t out_plane = (size_t) p.out_height * p.out_width;

  TESSERA_FOR_Y (c, p.out_channels)
    TESSERA_FOR_X (i, out_plane)
      {
        unsigned y = (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;

        p.output[(size_t) c * out_plane + i] =
          p.input[tessera_grid_source (p.op, p.factor, c, y, x, p.in_channels, p.in_height, p.in_width,
                                       p.out_channels, p.parts)];
      }
}

extern "C" cudaError_t
tessera_cuda_grid (const TesseraKernelGrid *params,
                   cudaStream_t             stream)
{
  grid_kernel<<<tessera_grid ((size_t) params->out_height * params->out_width, params->out_channels),
                TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
