/* tessera-cuda-layout.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Ops that only move values, as tessera-cpu-layout.c: pixel (un)shuffle in
 * PyTorch's order, cropping, padding; a thread per output value. */

/* An index into [0, size) for i outside it, as PyTorch pads. */
static __device__ __forceinline__ long long
pad_index (int       mode,
           long long i,
           long long size)
{
  if (mode == TESSERA_KERNEL_PAD_REPLICATE)
    return i < 0 ? 0 : (i > size - 1 ? size - 1 : i);
  if (mode == TESSERA_KERNEL_PAD_SYMMETRIC)
    return i < 0 ? -i - 1 : (i >= size ? 2 * size - 1 - i : i);

  /* Reflection without repeating the edge; shapes forbid reaching past
   * the far side. */
  if (i < 0)
    return -i;
  if (i >= size)
    return 2 * (size - 1) - i;
  return i;
}

static __global__ void
layout_kernel (TesseraKernelLayout p)
{
  size_t in_plane = (size_t) p.in_height * p.in_width;
  size_t out_plane = (size_t) p.out_height * p.out_width;
  unsigned r = p.factor;

  TESSERA_FOR_Y (c, p.channels)
    TESSERA_FOR_X (i, out_plane)
      {
        unsigned y = (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;
        float v = 0.f;

        switch (p.op)
          {
          case TESSERA_KERNEL_PIXEL_SHUFFLE:
            /* out[c][y·r + i][x·r + j] = in[c·r² + i·r + j][y][x] */
            v = p.input[((size_t) c * r * r + (y % r) * r + x % r) * in_plane + (size_t) (y / r) * p.in_width + x / r];
            break;

          case TESSERA_KERNEL_PIXEL_UNSHUFFLE:
            v = p.input[(size_t) (c / (r * r)) * in_plane +
                        ((size_t) y * r + (c / r) % r) * p.in_width + (size_t) x * r + c % r];
            break;

          case TESSERA_KERNEL_CROP:
            v = p.input[(size_t) c * in_plane + ((size_t) y + p.top) * p.in_width + x + p.left];
            break;

          case TESSERA_KERNEL_PAD:
          default:
            {
              long long sy = (long long) y - p.top, sx = (long long) x - p.left;

              if (p.pad_mode == TESSERA_KERNEL_PAD_ZERO &&
                  (sy < 0 || sy >= p.in_height || sx < 0 || sx >= p.in_width))
                break;
              sy = pad_index (p.pad_mode, sy, p.in_height);
              sx = pad_index (p.pad_mode, sx, p.in_width);
              v = p.input[(size_t) c * in_plane + (size_t) sy * p.in_width + sx];
            }
            break;
          }
        p.output[(size_t) c * out_plane + i] = v;
      }
}

extern "C" cudaError_t
tessera_cuda_layout (const TesseraKernelLayout *params,
                     cudaStream_t               stream)
{
  dim3 grid = tessera_grid ((size_t) params->out_height * params->out_width, params->channels);

  layout_kernel<<<grid, TESSERA_BLOCK, 0, stream>>> (*params);
  return cudaGetLastError ();
}

/* Planes are stored channel after channel, so a channel concatenation is
 * its inputs one after the other. */
extern "C" cudaError_t
tessera_cuda_concat (float              *output,
                     const float *const *inputs,
                     const size_t       *sizes,
                     unsigned            n,
                     cudaStream_t        stream)
{
  for (unsigned k = 0; k < n; k++)
    {
      cudaError_t status = cudaMemcpyAsync (output, inputs[k], sizes[k] * sizeof (float),
                                            cudaMemcpyDeviceToDevice, stream);

      if (status != cudaSuccess)
        return status;
      output += sizes[k];
    }

  return cudaSuccess;
}
