/* tessera-grid-index.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>

/* Where an output value of a grid permutation (OmniSR's grid attention,
 * TESSERA_OP_GRID_TO_WINDOWS … CHANNELS_TO_GRID in tessera-graph-private.h)
 * comes from: written once for the CPU backend (tessera-cpu-grid.c) and
 * the CUDA kernel (tessera-cuda-grid.cu). */

#ifdef __CUDACC__
# define TESSERA_GRID_FUNC static __host__ __device__ __forceinline__
#else
# define TESSERA_GRID_FUNC static inline
#endif

/* The ops, as TesseraKernelGridOp and TesseraOp's order number them. */
#define TESSERA_GRID_TO_WINDOWS 0
#define TESSERA_WINDOWS_TO_GRID 1
#define TESSERA_GRID_TO_CHANNELS 2
#define TESSERA_CHANNELS_TO_GRID 3

/* Along one axis of @size = f · m: the source of index @i when pixels m
 * apart are gathered into runs of f (@gather), or scattered back. */
TESSERA_GRID_FUNC unsigned
tessera_grid_axis (int      gather,
                   unsigned i,
                   unsigned f,
                   unsigned size)
{
  unsigned m = size / f;

  /* Gathering: out[a·f + k] = in[k·m + a]; scattering: the inverse. */
  return gather ? (i % f) * m + i / f : (i % m) * f + i / m;
}

/* The offset in the input of output value (@c, @y, @x); the input has
 * @in_channels × @in_height × @in_width, the output @out_channels. */
TESSERA_GRID_FUNC size_t
tessera_grid_source (int      op,
                     unsigned f,
                     unsigned c,
                     unsigned y,
                     unsigned x,
                     unsigned in_channels,
                     unsigned in_height,
                     unsigned in_width,
                     unsigned out_channels,
                     unsigned parts)
{
  size_t plane = (size_t) in_height * in_width;

  switch (op)
    {
    case TESSERA_GRID_TO_WINDOWS:
    case TESSERA_WINDOWS_TO_GRID:
      {
        int gather = op == TESSERA_GRID_TO_WINDOWS;

        return c * plane + (size_t) tessera_grid_axis (gather, y, f, in_height) * in_width +
               tessera_grid_axis (gather, x, f, in_width);
      }
    case TESSERA_GRID_TO_CHANNELS:
      {
        /* c = ((p·f + i)·f + j)·C + k, from part p's channel k. */
        unsigned part_channels = in_channels / parts;
        unsigned k = c % part_channels, cell = c / part_channels;
        unsigned j = cell % f, i = cell / f % f, p = cell / (f * f);

        return ((size_t) p * part_channels + k) * plane + ((size_t) y * f + i) * in_width + (size_t) x * f + j;
      }
    case TESSERA_CHANNELS_TO_GRID:
    default:
      {
        /* out[k][y·f + i][x·f + j] = in[(i·f + j)·C + k][y][x] */
        unsigned i = y % f, j = x % f;

        return ((size_t) (i * f + j) * out_channels + c) * plane + (size_t) (y / f) * in_width + x / f;
      }
    }
}
