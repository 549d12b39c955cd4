/* tessera-cuda-norm.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* LayerNorm over each pixel's channels, as tessera-cpu-norm.c: a thread
 * per pixel, which walks its channels a plane apart, so that a warp reads
 * neighbouring pixels together. Mean, then the biased variance around it,
 * in the CPU's order. */

static __global__ void
layer_norm_kernel (TesseraKernelLayerNorm p)
{
  float inverse = 1.f / p.channels;

  TESSERA_FOR_X (i, p.plane)
    {
      const float *in = p.input + i;
      float mean = 0.f, variance = 0.f, scale;

      for (unsigned c = 0; c < p.channels; c++)
        mean += in[c * p.plane];
      mean *= inverse;

      for (unsigned c = 0; c < p.channels; c++)
        {
          float d = in[c * p.plane] - mean;

          variance += d * d;
        }
      scale = 1.f / sqrtf (variance * inverse + p.epsilon);

      for (unsigned c = 0; c < p.channels; c++)
        {
          float w = p.weight != NULL ? p.weight[c] : 1.f;
          float b = p.bias != NULL ? p.bias[c] : 0.f;

          p.output[c * p.plane + i] = (in[c * p.plane] - mean) * scale * w + b;
        }
    }
}

extern "C" cudaError_t
tessera_cuda_layer_norm (const TesseraKernelLayerNorm *params,
                         cudaStream_t                  stream)
{
  layer_norm_kernel<<<tessera_grid (params->plane, 1), TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
