/* tessera-cuda-conv.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <cuda_fp16.h>

#include "tessera-kernels-private.cuh"

/* The parts of a convolution around cuBLAS's GEMM: unrolling the input
 * (im2col), in fp32 or straight to fp16 for the tensor cores; the epilogue;
 * and a transposed convolution's gather of its products (col2im). */

static __device__ __forceinline__ void
store (float  *columns,
       size_t  i,
       float   v)
{
  columns[i] = v;
}

static __device__ __forceinline__ void
store (__half *columns,
       size_t  i,
       float   v)
{
  columns[i] = __float2half_rn (v);
}

/* A block row is one row of the matrix, (channel, ky, kx); threads take
 * its pixels, so reads and writes run along image rows. */
template <typename T>
static __global__ void
im2col_kernel (TesseraKernelIm2col p)
{
  unsigned kk = p.kernel * p.kernel;
  unsigned n_rows = 0;
  size_t n_pixels = (size_t) p.n_rows * p.out_width;
  T *columns = (T *) p.columns;

  for (unsigned k = 0; k < p.n_inputs; k++)
    n_rows += p.channels[k] * kk;

  TESSERA_FOR_Y (row, n_rows)
    {
      unsigned channel = row / kk, ky = row % kk / p.kernel, kx = row % p.kernel;
      unsigned input = 0;
      const float *plane;

      while (channel >= p.channels[input])
        channel -= p.channels[input++];
      plane = p.inputs[input] + (size_t) channel * p.in_height * p.in_width;

      TESSERA_FOR_X (i, n_pixels)
        {
          unsigned y = p.first_row + (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;
          int iy = (int) (y * p.stride + ky) - (int) p.padding;
          int ix = (int) (x * p.stride + kx) - (int) p.padding;
          float v = 0.f;

          if (iy >= 0 && iy < (int) p.in_height && ix >= 0 && ix < (int) p.in_width)
            v = plane[(size_t) iy * p.in_width + ix];
          store (columns, (size_t) row * n_pixels + i, v);
        }
    }
}

extern "C" cudaError_t
tessera_cuda_im2col (const TesseraKernelIm2col *params,
                     cudaStream_t               stream)
{
  unsigned n_rows = 0;

  for (unsigned k = 0; k < params->n_inputs; k++)
    n_rows += params->channels[k] * params->kernel * params->kernel;

  dim3 grid = tessera_grid ((size_t) params->n_rows * params->out_width, n_rows);

  if (params->half)
    im2col_kernel<__half><<<grid, TESSERA_BLOCK, 0, stream>>> (*params);
  else
    im2col_kernel<float><<<grid, TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}

static __global__ void
epilogue_kernel (float                 *output,
                 unsigned               channels,
                 size_t                 plane,
                 TesseraKernelEpilogue  e)
{
  TESSERA_FOR_Y (c, channels)
    TESSERA_FOR_X (i, plane)
      {
        size_t index = (size_t) c * plane + i;

        output[index] = tessera_epilogue (e, c, index, output[index]);
      }
}

extern "C" cudaError_t
tessera_cuda_epilogue (float                       *output,
                       unsigned                     channels,
                       size_t                       plane,
                       const TesseraKernelEpilogue *epilogue,
                       cudaStream_t                 stream)
{
  epilogue_kernel<<<tessera_grid (plane, channels), TESSERA_BLOCK, 0, stream>>> (output, channels, plane,
                                                                                  *epilogue);
  return cudaGetLastError ();
}

/* Output pixel (oy, ox) receives kernel tap (ky, kx) of input pixel
 * (iy, ix) when oy = iy·stride + ky − padding: a gather, so no two threads
 * write one value and no atomics are needed. */
static __global__ void
col2im_kernel (TesseraKernelCol2im   p,
               TesseraKernelEpilogue e)
{
  size_t out_plane = (size_t) p.out_height * p.out_width;
  size_t in_plane = (size_t) p.in_height * p.in_width;
  int k = (int) p.kernel, s = (int) p.stride;

  TESSERA_FOR_Y (c, p.n_channels)
    TESSERA_FOR_X (i, out_plane)
      {
        int oy = (int) ((unsigned) i / p.out_width), ox = (int) ((unsigned) i % p.out_width);
        const float *rows = p.columns + (size_t) c * k * k * in_plane;
        float sum = 0.f;

        for (int ky = 0; ky < k; ky++)
          {
            int ty = oy + (int) p.padding - ky;

            if (ty < 0 || ty % s != 0 || ty / s >= (int) p.in_height)
              continue;
            for (int kx = 0; kx < k; kx++)
              {
                int tx = ox + (int) p.padding - kx;

                if (tx < 0 || tx % s != 0 || tx / s >= (int) p.in_width)
                  continue;
                sum += rows[(size_t) (ky * k + kx) * in_plane + (size_t) (ty / s) * p.in_width + tx / s];
              }
          }

        size_t index = (size_t) (p.first_channel + c) * out_plane + i;

        p.output[index] = tessera_epilogue (e, p.first_channel + c, index, sum);
      }
}

extern "C" cudaError_t
tessera_cuda_col2im (const TesseraKernelCol2im   *params,
                     const TesseraKernelEpilogue *epilogue,
                     cudaStream_t                 stream)
{
  dim3 grid = tessera_grid ((size_t) params->out_height * params->out_width, params->n_channels);

  col2im_kernel<<<grid, TESSERA_BLOCK, 0, stream>>> (*params, *epilogue);
  return cudaGetLastError ();
}

static __global__ void
to_half_kernel (__half      *half,
                const float *floats,
                size_t       n)
{
  TESSERA_FOR_X (i, n)
    half[i] = __float2half_rn (floats[i]);
}

extern "C" cudaError_t
tessera_cuda_to_half (void        *half,
                      const float *floats,
                      size_t       n,
                      cudaStream_t stream)
{
  to_half_kernel<<<tessera_grid (n, 1), TESSERA_BLOCK, 0, stream>>> ((__half *) half, floats, n);
  return cudaGetLastError ();
}

/* A thread per output value, summing its group's inputs tap by tap in the
 * CPU's order (input channel, then ky, then kx). */
static __global__ void
grouped_conv_kernel (TesseraKernelGroupedConv p,
                     TesseraKernelEpilogue    e)
{
  size_t out_plane = (size_t) p.out_height * p.out_width, in_plane = (size_t) p.in_height * p.in_width;
  unsigned in_per_group = p.in_channels / p.groups, out_per_group = p.out_channels / p.groups;
  int k = (int) p.kernel;

  TESSERA_FOR_Y (o, p.out_channels)
    TESSERA_FOR_X (i, out_plane)
      {
        int oy = (int) ((unsigned) i / p.out_width), ox = (int) ((unsigned) i % p.out_width);
        int y0 = oy * (int) p.stride - (int) p.padding, x0 = ox * (int) p.stride - (int) p.padding;
        const float *input = p.input + (size_t) (o / out_per_group) * in_per_group * in_plane;
        const float *weight = p.weight + (size_t) o * in_per_group * k * k;
        float sum = 0.f;

        for (unsigned ci = 0; ci < in_per_group; ci++, input += in_plane, weight += k * k)
          for (int ky = 0; ky < k; ky++)
            {
              int iy = y0 + ky;

              if (iy < 0 || iy >= (int) p.in_height)
                continue;
              for (int kx = 0; kx < k; kx++)
                {
                  int ix = x0 + kx;

                  if (ix >= 0 && ix < (int) p.in_width)
                    sum += weight[ky * k + kx] * input[(size_t) iy * p.in_width + ix];
                }
            }

        p.output[(size_t) o * out_plane + i] = tessera_epilogue (e, o, (size_t) o * out_plane + i, sum);
      }
}

extern "C" cudaError_t
tessera_cuda_grouped_conv (const TesseraKernelGroupedConv *params,
                           const TesseraKernelEpilogue    *epilogue,
                           cudaStream_t                    stream)
{
  size_t plane = (size_t) params->out_height * params->out_width;

  grouped_conv_kernel<<<tessera_grid (plane, params->out_channels), TESSERA_BLOCK, 0, stream>>> (*params,
                                                                                                   *epilogue);
  return cudaGetLastError ();
}
