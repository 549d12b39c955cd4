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

/* GroupNorm, as tessera-cpu-norm.c: each channel's sum in double, a block
 * per channel; then each channel's sum of squared deviations from its
 * group's mean; then every value normalised, each block working out its
 * channel's group statistics once. */

static __device__ __forceinline__ double
group_total (const double *sums,
             unsigned      group,
             unsigned      per_group)
{
  double sum = 0.0;

  for (unsigned c = group * per_group; c < (group + 1) * per_group; c++)
    sum += sums[c];
  return sum;
}

/* sums[c] = Σ x, or with @deviations sums[channels + c] = Σ (x − mean)². */
static __global__ void
group_norm_sums_kernel (TesseraKernelGroupNorm p,
                        int                    deviations)
{
  __shared__ double partial[TESSERA_BLOCK];
  unsigned per_group = p.channels / p.groups;
  double n = (double) per_group * p.plane;

  for (unsigned c = blockIdx.x; c < p.channels; c += gridDim.x)
    {
      const float *x = p.input + (size_t) c * p.plane;
      double mean = deviations ? group_total (p.sums, c / per_group, per_group) / n : 0.0;
      double sum = 0.0;

      for (size_t i = threadIdx.x; i < p.plane; i += blockDim.x)
        {
          double d = x[i] - mean;

          sum += deviations ? d * d : d;
        }
      sum = tessera_block_sum (sum, partial);
      if (threadIdx.x == 0)
        p.sums[(deviations ? p.channels : 0) + c] = sum;
    }
}

static __global__ void
group_norm_kernel (TesseraKernelGroupNorm p)
{
  __shared__ float stats[2];
  unsigned per_group = p.channels / p.groups;
  double n = (double) per_group * p.plane;

  TESSERA_FOR_Y (c, p.channels)
    {
      const float *in = p.input + (size_t) c * p.plane;
      float *out = p.output + (size_t) c * p.plane;
      float w = p.weight != NULL ? p.weight[c] : 1.f;
      float b = p.bias != NULL ? p.bias[c] : 0.f;
      float slope = p.activation == TESSERA_KERNEL_ACTIVATION_PRELU ? p.slopes[c] : p.slope;
      float mean, scale;

      if (threadIdx.x == 0)
        {
          unsigned g = c / per_group;

          stats[0] = (float) (group_total (p.sums, g, per_group) / n);
          stats[1] = (float) (1.0 / sqrt (group_total (p.sums + p.channels, g, per_group) / n + p.epsilon));
        }
      __syncthreads ();
      mean = stats[0];
      scale = stats[1];

      TESSERA_FOR_X (i, p.plane)
        out[i] = tessera_activate (p.activation, (in[i] - mean) * scale * w + b, slope);

      /* Every thread has read the statistics before the next channel's. */
      __syncthreads ();
    }
}

extern "C" cudaError_t
tessera_cuda_group_norm (const TesseraKernelGroupNorm *params,
                         cudaStream_t                  stream)
{
  unsigned blocks = params->channels < TESSERA_MAX_BLOCKS_X ? params->channels : TESSERA_MAX_BLOCKS_X;
  cudaError_t status;

  group_norm_sums_kernel<<<blocks, TESSERA_BLOCK, 0, stream>>> (*params, 0);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  group_norm_sums_kernel<<<blocks, TESSERA_BLOCK, 0, stream>>> (*params, 1);
  if ((status = cudaGetLastError ()) != cudaSuccess)
    return status;
  group_norm_kernel<<<tessera_grid (params->plane, params->channels), TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}
