/* tessera-cuda-resize.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-kernels-private.cuh"

/* Resizing with the CPU backend's sampling (tessera-cpu-resize.c), step for
 * step and in the same precision, so that both pick the same source pixels
 * and weights: nearest as PyTorch's F.interpolate (source = ⌊destination /
 * factor⌋), bilinear with half-pixel centres, bicubic with a = −0.75 and
 * half-pixel centres; samples beyond the edge repeat the edge. A thread
 * makes one output pixel's taps and samples every channel with them. */

#define BICUBIC_A -0.75f

typedef struct
{
  int   first;      /* leftmost source index, before clamping */
  float weights[4];
} Taps;

static __device__ void
cubic_weights (float  t,
               float *w)
{
  float a = BICUBIC_A;
  float x0 = t + 1.f, x1 = t, x2 = 1.f - t;

  w[0] = ((a * x0 - 5.f * a) * x0 + 8.f * a) * x0 - 4.f * a;
  w[1] = ((a + 2.f) * x1 - (a + 3.f)) * x1 * x1 + 1.f;
  w[2] = ((a + 2.f) * x2 - (a + 3.f)) * x2 * x2 + 1.f;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

/* make_taps() of the CPU backend for one destination index. */
static __device__ Taps
make_taps (int      mode,
           unsigned i,
           unsigned in_size,
           unsigned out_size)
{
  Taps taps = { 0, { 0.f, 0.f, 0.f, 0.f } };
  double ratio = (double) in_size / out_size;
  double centre = (i + 0.5) * ratio - 0.5;

  switch (mode)
    {
    case TESSERA_KERNEL_RESIZE_NEAREST:
      {
        unsigned first = (unsigned) floor (i * ratio);

        taps.first = (int) (first < in_size - 1 ? first : in_size - 1);
        taps.weights[0] = 1.f;
      }
      break;
    case TESSERA_KERNEL_RESIZE_BILINEAR:
      {
        double x = centre > 0.0 ? centre : 0.0;

        taps.first = (int) floor (x);
        taps.weights[1] = (float) (x - taps.first);
        taps.weights[0] = 1.f - taps.weights[1];
      }
      break;
    case TESSERA_KERNEL_RESIZE_BICUBIC:
    default:
      taps.first = (int) floor (centre) - 1;
      cubic_weights ((float) (centre - floor (centre)), taps.weights);
      break;
    }

  return taps;
}

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
  unsigned n_taps = p.mode == TESSERA_KERNEL_RESIZE_NEAREST ? 1 : p.mode == TESSERA_KERNEL_RESIZE_BILINEAR ? 2 : 4;

  TESSERA_FOR_X (i, out_plane)
    {
      unsigned y = (unsigned) i / p.out_width, x = (unsigned) i % p.out_width;
      Taps ty = make_taps (p.mode, y, p.in_height, p.out_height);
      Taps tx = make_taps (p.mode, x, p.in_width, p.out_width);
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
