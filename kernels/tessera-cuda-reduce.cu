/* tessera-cuda-reduce.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Global average pooling and the small fully connected layers that
 * squeeze-and-excitation blocks put after it. */

/* A block per channel. The sum is in double, as the CPU's: a plane has
 * millions of values. */
static __global__ void
average_kernel (const float *input,
                float       *output,
                unsigned     channels,
                size_t       plane)
{
  __shared__ double partial[TESSERA_BLOCK];

  TESSERA_FOR_Y (c, channels)
    {
      const float *src = input + (size_t) c * plane;
      double sum = 0.0;

      for (size_t i = threadIdx.x; i < plane; i += blockDim.x)
        sum += src[i];
      sum = tessera_block_sum (sum, partial);
      if (threadIdx.x == 0)
        output[c] = (float) (sum / plane);
    }
}

extern "C" cudaError_t
tessera_cuda_global_avg_pool (const float *input,
                              float       *output,
                              unsigned     channels,
                              size_t       plane,
                              cudaStream_t stream)
{
  dim3 grid (1, channels < TESSERA_MAX_BLOCKS_Y ? channels : TESSERA_MAX_BLOCKS_Y);

  average_kernel<<<grid, TESSERA_BLOCK, 0, stream>>> (input, output, channels, plane);
  return cudaGetLastError ();
}

/* A thread per output, summing in the CPU's order. */
static __global__ void
linear_kernel (TesseraKernelLinear p)
{
  TESSERA_FOR_X (o, p.out_channels)
    {
      const float *w = p.weight + o * p.in_channels;
      float sum = p.bias != NULL ? p.bias[o] : 0.f;

      for (unsigned i = 0; i < p.in_channels; i++)
        sum += w[i] * p.input[i];
      p.output[o] = tessera_activate (p.activation, sum, p.slope);
    }
}

extern "C" cudaError_t
tessera_cuda_linear (const TesseraKernelLinear *params,
                     cudaStream_t               stream)
{
  linear_kernel<<<tessera_grid (params->out_channels, 1), TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
