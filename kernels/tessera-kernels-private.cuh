/* tessera-kernels-private.cuh
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-kernels.h"

/* What the kernel files share. They are built with --fmad=false so that
 * a · b + c rounds twice, as the CPU reference's scalar code does: sampling
 * positions and weights then come out bit for bit the same. */

#define TESSERA_BLOCK 256

/* Grids are strided loops: a launch never needs more blocks than keep the
 * GPU busy, and sizes beyond the grid's limits still work. */
#define TESSERA_MAX_BLOCKS_X 4096u
#define TESSERA_MAX_BLOCKS_Y 65535u

static inline dim3
tessera_grid (size_t   n,
              unsigned rows)
{
  size_t x = (n + TESSERA_BLOCK - 1) / TESSERA_BLOCK;

  x = x < 1 ? 1 : (x > TESSERA_MAX_BLOCKS_X ? TESSERA_MAX_BLOCKS_X : x);
  rows = rows < 1 ? 1 : (rows > TESSERA_MAX_BLOCKS_Y ? TESSERA_MAX_BLOCKS_Y : rows);
  return dim3 ((unsigned) x, rows);
}

/* Indices are size_t, but a tile's plane has far fewer than 2³² pixels:
 * kernels divide pixel indices in 32 bits, many times faster than in 64. */
#define TESSERA_FOR_X(i, n) \
  for (size_t i = blockIdx.x * (size_t) blockDim.x + threadIdx.x; i < (n); i += (size_t) gridDim.x * blockDim.x)

#define TESSERA_FOR_Y(j, n) \
  for (unsigned j = blockIdx.y; j < (n); j += gridDim.y)

/* The sum of every thread's @value in a block of TESSERA_BLOCK threads,
 * in the order of a tree (the same run to run), for every thread; each
 * must call it. @partial is the block's shared scratch, free again on
 * return. */
static __device__ __forceinline__ double
tessera_block_sum (double  value,
                   double *partial)
{
  partial[threadIdx.x] = value;
  __syncthreads ();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2)
    {
      if (threadIdx.x < half)
        partial[threadIdx.x] += partial[threadIdx.x + half];
      __syncthreads ();
    }
  value = partial[0];
  __syncthreads ();
  return value;
}

/* As tessera_cpu_activate(). */
static __device__ __forceinline__ float
tessera_activate (int   activation,
                  float value,
                  float slope)
{
  switch (activation)
    {
    case TESSERA_KERNEL_ACTIVATION_RELU:
      return value > 0.f ? value : 0.f;
    case TESSERA_KERNEL_ACTIVATION_LEAKY:
    case TESSERA_KERNEL_ACTIVATION_PRELU:
      return value >= 0.f ? value : value * slope;
    case TESSERA_KERNEL_ACTIVATION_SIGMOID:
      return 1.f / (1.f + expf (-value));
    case TESSERA_KERNEL_ACTIVATION_GELU:
      return 0.5f * value * (1.f + erff (value * 1.41421356f / 2.f));
    case TESSERA_KERNEL_ACTIVATION_SILU:
      return value / (1.f + expf (-value));
    case TESSERA_KERNEL_ACTIVATION_QUICK_GELU:
      return value / (1.f + expf (-1.702f * value));
    case TESSERA_KERNEL_ACTIVATION_MISH:
      return value * tanhf (value > 20.f ? value : log1pf (expf (value)));
    case TESSERA_KERNEL_ACTIVATION_NONE:
    default:
      return value;
    }
}

/* As tessera_cpu_epilogue_row(): bias, activation, scale, then residual. */
static __device__ __forceinline__ float
tessera_epilogue (const TesseraKernelEpilogue &e,
                  unsigned                     c,
                  size_t                       index,
                  float                        sum)
{
  float slope = e.activation == TESSERA_KERNEL_ACTIVATION_PRELU ? e.slopes[c] : e.slope;
  float v = tessera_activate (e.activation, sum + (e.bias != NULL ? e.bias[c] : 0.f), slope) * e.scale;

  return e.residual != NULL ? v + e.residual[index] : v;
}
