/* tessera-resize-taps.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <math.h>

/* Where a resized pixel samples its source, along one axis: written once
 * for the CPU backend (tessera-cpu-resize.c) and the CUDA kernel
 * (tessera-cuda-resize.cu), so that both pick the same source pixels and
 * weights in the same precision. Nearest as PyTorch's F.interpolate
 * (source = ⌊destination / factor⌋), bilinear with half-pixel centres as
 * PyTorch's align_corners False, bicubic as ncnn's Interp and PyTorch's
 * bicubic (a = −0.75, half-pixel centres). Samples beyond the edge repeat
 * the edge: the caller clamps first + k. */

#ifdef __CUDACC__
# define TESSERA_TAPS_FUNC static __host__ __device__ __forceinline__
#else
# define TESSERA_TAPS_FUNC static inline
#endif

/* The modes, as TesseraKernelResizeMode and TesseraResizeMode number them. */
#define TESSERA_TAPS_NEAREST 0
#define TESSERA_TAPS_BILINEAR 1
#define TESSERA_TAPS_BICUBIC 2

#define TESSERA_BICUBIC_A -0.75f

typedef struct
{
  int   first;      /* leftmost source index, before clamping */
  float weights[4];
} TesseraTaps;

TESSERA_TAPS_FUNC unsigned
tessera_taps_count (int mode)
{
  return mode == TESSERA_TAPS_NEAREST ? 1 : mode == TESSERA_TAPS_BILINEAR ? 2 : 4;
}

TESSERA_TAPS_FUNC void
tessera_cubic_weights (float  t,
                       float *w)
{
  float a = TESSERA_BICUBIC_A;
  float x0 = t + 1.f, x1 = t, x2 = 1.f - t;

  w[0] = ((a * x0 - 5.f * a) * x0 + 8.f * a) * x0 - 4.f * a;
  w[1] = ((a + 2.f) * x1 - (a + 3.f)) * x1 * x1 + 1.f;
  w[2] = ((a + 2.f) * x2 - (a + 3.f)) * x2 * x2 + 1.f;
  w[3] = 1.f - w[0] - w[1] - w[2];
}

/* The taps of destination index @i of @out_size, from @in_size. */
TESSERA_TAPS_FUNC TesseraTaps
tessera_resize_taps (int      mode,
                     unsigned i,
                     unsigned in_size,
                     unsigned out_size)
{
  TesseraTaps taps = { 0, { 0.f, 0.f, 0.f, 0.f } };
  double ratio = (double) in_size / out_size;
  double centre = (i + 0.5) * ratio - 0.5;

  switch (mode)
    {
    case TESSERA_TAPS_NEAREST:
      {
        unsigned first = (unsigned) floor (i * ratio);

        taps.first = (int) (first < in_size - 1 ? first : in_size - 1);
        taps.weights[0] = 1.f;
      }
      break;
    case TESSERA_TAPS_BILINEAR:
      {
        double x = centre > 0.0 ? centre : 0.0;

        taps.first = (int) floor (x);
        taps.weights[1] = (float) (x - taps.first);
        taps.weights[0] = 1.f - taps.weights[1];
      }
      break;
    case TESSERA_TAPS_BICUBIC:
    default:
      taps.first = (int) floor (centre) - 1;
      tessera_cubic_weights ((float) (centre - floor (centre)), taps.weights);
      break;
    }

  return taps;
}
