/* tessera-cuda-elementwise.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Activations, scaled addition (of the same shape or per channel),
 * multiplication (elementwise or per channel), clamping, affine maps and
 * GEGLU, as tessera-cpu-elementwise.c computes them. */

static __global__ void
elementwise_kernel (TesseraKernelElementwise p)
{
  TESSERA_FOR_Y (c, p.channels)
    {
      const float *a = p.a + (size_t) c * p.plane;
      float *out = p.output + (size_t) c * p.plane;

      TESSERA_FOR_X (i, p.plane)
        {
          float v = a[i];

          switch (p.op)
            {
            case TESSERA_KERNEL_ACTIVATE:
              v = tessera_activate (p.activation, v,
                                    p.activation == TESSERA_KERNEL_ACTIVATION_PRELU ? p.slopes[c] : p.slope);
              break;
            case TESSERA_KERNEL_ADD:
              v = p.scale_a * v + p.scale_b * p.b[p.b_per_channel ? c : (size_t) c * p.plane + i];
              break;
            case TESSERA_KERNEL_MUL:
              v = v * p.b[(p.b_one_channel ? 0 : (size_t) c * p.plane) + i];
              break;
            case TESSERA_KERNEL_MUL_CHANNELS:
              v = v * p.b[c];
              break;
            case TESSERA_KERNEL_CLAMP:
              v = v < p.min ? p.min : (v > p.max ? p.max : v);
              break;
            case TESSERA_KERNEL_GEGLU:
              v = v * tessera_activate (TESSERA_KERNEL_ACTIVATION_GELU, a[(size_t) p.channels * p.plane + i], 0.f);
              break;
            case TESSERA_KERNEL_AFFINE:
            default:
              v = p.scale_a * v + p.scale_b;
              break;
            }
          out[i] = v;
        }
    }
}

extern "C" cudaError_t
tessera_cuda_elementwise (const TesseraKernelElementwise *params,
                          cudaStream_t                    stream)
{
  elementwise_kernel<<<tessera_grid (params->plane, params->channels), TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
