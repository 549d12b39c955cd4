/* tessera-conv-mma-tile.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>
#include <string.h>

#include "tessera-kernels.h"

/* One block of the tensor-core convolution (tessera-cuda-conv-mma.cu),
 * written once for nvcc and for tests/test-conv-mma.cc, which runs it on
 * the CPU: there the WMMA calls become plain loops that also check the
 * alignment WMMA demands, so the tile's indexing is tested on every build.
 *
 * A block makes a tile of TILE_W columns × HEIGHT rows × BLOCK_OUT output
 * channels. It walks the input channels CHUNK at a time: the chunk's input
 * under the tile plus the kernel's reach (the halo) is copied to shared
 * memory, then converted to fp16, pixel by pixel with its CHUNK channels
 * side by side; the chunk's weights are copied as they are. Tap (ky, kx)
 * of sixteen output pixels of a row is then the sixteen halo pixels from
 * (row + ky, x + kx) on: a 16 × CHUNK matrix already in place, copied
 * nowhere. Each warp owns rows of the tile and all its output channels,
 * so every fragment it loads serves several products.
 *
 * The copies are asynchronous (cp.async, from Ampere on): the next
 * chunk's input and weights are on their way while the tensor cores work
 * on this one, into a second weight buffer and a raw fp32 copy of the
 * halo that is converted once they have arrived. */

#define CONV_MMA_CHUNK 16
#define CONV_MMA_TILE_W 32
#define CONV_MMA_WARPS 8
/* 16 × 16 fp32 accumulators per warp, whatever the block's width in
 * output channels: narrower blocks give each warp more rows. */
#define CONV_MMA_ACCUMULATORS 8

#ifdef __CUDACC__

#include <cuda_fp16.h>
#include <mma.h>

#define CONV_MMA_HD __host__ __device__ __forceinline__
#define CONV_MMA_DEVICE __device__ __forceinline__
#define CONV_MMA_UNROLL _Pragma ("unroll")

typedef __half ConvMmaHalf;
typedef nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, __half, nvcuda::wmma::row_major> ConvMmaA;
typedef nvcuda::wmma::fragment<nvcuda::wmma::matrix_b, 16, 16, 16, __half, nvcuda::wmma::row_major> ConvMmaB;
typedef nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, 16, float> ConvMmaSum;

static __device__ __forceinline__ ConvMmaHalf conv_mma_half (float v) { return __float2half_rn (v); }
static __device__ __forceinline__ void conv_mma_zero (ConvMmaSum &s) { nvcuda::wmma::fill_fragment (s, 0.f); }
static __device__ __forceinline__ void
conv_mma_load_a (ConvMmaA &a, const ConvMmaHalf *p, unsigned ldm) { nvcuda::wmma::load_matrix_sync (a, p, ldm); }
static __device__ __forceinline__ void
conv_mma_load_b (ConvMmaB &b, const ConvMmaHalf *p, unsigned ldm) { nvcuda::wmma::load_matrix_sync (b, p, ldm); }
static __device__ __forceinline__ void
conv_mma (ConvMmaSum &s, const ConvMmaA &a, const ConvMmaB &b) { nvcuda::wmma::mma_sync (s, a, b, s); }
/* Eight halves, 16-byte aligned at both ends. */
static __device__ __forceinline__ void
conv_mma_copy8 (ConvMmaHalf *to, const ConvMmaHalf *from) { *(uint4 *) to = *(const uint4 *) from; }

#if __CUDA_ARCH__ >= 800
/* One float, or zero when @from is NULL, on its way to shared memory. */
static __device__ __forceinline__ void
conv_mma_copy_async (float *to, const float *from, const float *any)
{
  asm volatile ("cp.async.ca.shared.global [%0], [%1], 4, %2;\n"
                :: "r" ((unsigned) __cvta_generic_to_shared (to)), "l" (from != NULL ? from : any),
                   "r" (from != NULL ? 4 : 0));
}
/* Eight halves, 16-byte aligned at both ends, on their way. */
static __device__ __forceinline__ void
conv_mma_copy8_async (ConvMmaHalf *to, const ConvMmaHalf *from)
{
  asm volatile ("cp.async.cg.shared.global [%0], [%1], 16;\n"
                :: "r" ((unsigned) __cvta_generic_to_shared (to)), "l" (from));
}
static __device__ __forceinline__ void conv_mma_commit (void) { asm volatile ("cp.async.commit_group;\n"); }
/* This thread's copies have arrived; a barrier makes them everyone's. */
static __device__ __forceinline__ void conv_mma_wait (void) { asm volatile ("cp.async.wait_all;\n" ::: "memory"); }
#else
static __device__ __forceinline__ void
conv_mma_copy_async (float *to, const float *from, const float *) { *to = from != NULL ? *from : 0.f; }
static __device__ __forceinline__ void
conv_mma_copy8_async (ConvMmaHalf *to, const ConvMmaHalf *from) { conv_mma_copy8 (to, from); }
static __device__ __forceinline__ void conv_mma_commit (void) { }
static __device__ __forceinline__ void conv_mma_wait (void) { }
#endif
/* Element (pixel i, channel j) to p[i + j·ldm]. */
static __device__ __forceinline__ void
conv_mma_store (float *p, const ConvMmaSum &s, unsigned ldm)
{
  nvcuda::wmma::store_matrix_sync (p, s, ldm, nvcuda::wmma::mem_col_major);
}

#else /* the CPU's stand-ins */

#include <assert.h>
#include <stdint.h>

#define CONV_MMA_HD inline
#define CONV_MMA_DEVICE inline
#define CONV_MMA_UNROLL

typedef _Float16 ConvMmaHalf;
typedef struct { ConvMmaHalf v[16][16]; } ConvMmaA;
typedef struct { ConvMmaHalf v[16][16]; } ConvMmaB;
typedef struct { float v[16][16]; } ConvMmaSum;

/* WMMA's rules: 256-bit aligned pointers, ldm a multiple of 16 bytes. */
static inline void
conv_mma_check (const void *p,
                unsigned    ldm,
                size_t      element)
{
  assert ((uintptr_t) p % 32 == 0);
  assert (ldm * element % 16 == 0);
}

static inline ConvMmaHalf conv_mma_half (float v) { return (ConvMmaHalf) v; }

static inline void
conv_mma_copy8 (ConvMmaHalf *to, const ConvMmaHalf *from)
{
  assert ((uintptr_t) to % 16 == 0 && (uintptr_t) from % 16 == 0);
  memcpy (to, from, 8 * sizeof *to);
}
static inline void conv_mma_zero (ConvMmaSum &s) { memset (&s, 0, sizeof s); }
static inline void
conv_mma_copy_async (float *to, const float *from, const float *) { *to = from != NULL ? *from : 0.f; }
static inline void conv_mma_copy8_async (ConvMmaHalf *to, const ConvMmaHalf *from) { conv_mma_copy8 (to, from); }
static inline void conv_mma_commit (void) { }
static inline void conv_mma_wait (void) { }

static inline void
conv_mma_load_a (ConvMmaA &a, const ConvMmaHalf *p, unsigned ldm)
{
  conv_mma_check (p, ldm, sizeof *p);
  for (int i = 0; i < 16; i++)
    for (int k = 0; k < 16; k++)
      a.v[i][k] = p[i * ldm + k];
}

static inline void
conv_mma_load_b (ConvMmaB &b, const ConvMmaHalf *p, unsigned ldm)
{
  conv_mma_check (p, ldm, sizeof *p);
  for (int k = 0; k < 16; k++)
    for (int j = 0; j < 16; j++)
      b.v[k][j] = p[k * ldm + j];
}

static inline void
conv_mma (ConvMmaSum &s, const ConvMmaA &a, const ConvMmaB &b)
{
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++)
      {
        float sum = 0.f;

        for (int k = 0; k < 16; k++)
          sum += (float) a.v[i][k] * (float) b.v[k][j];
        s.v[i][j] += sum;
      }
}

static inline void
conv_mma_store (float *p, const ConvMmaSum &s, unsigned ldm)
{
  conv_mma_check (p, ldm, sizeof *p);
  for (int i = 0; i < 16; i++)
    for (int j = 0; j < 16; j++)
      p[i + j * ldm] = s.v[i][j];
}

#endif

static CONV_MMA_HD unsigned
conv_mma_round_up (unsigned n,
                   unsigned multiple)
{
  return (n + multiple - 1) / multiple * multiple;
}

/* Output channels per block. */
static CONV_MMA_HD unsigned
conv_mma_block_out (unsigned out_channels)
{
  return out_channels <= 16 ? 16 : (out_channels <= 32 ? 32 : 64);
}

/* The weights' channel counts, padded with zeros to whole chunks and
 * blocks. */
static CONV_MMA_HD unsigned
conv_mma_in_padded (unsigned in_channels)
{
  return conv_mma_round_up (in_channels, CONV_MMA_CHUNK);
}

static CONV_MMA_HD unsigned
conv_mma_out_padded (unsigned out_channels)
{
  return conv_mma_round_up (out_channels, conv_mma_block_out (out_channels));
}

/* Element @i of the weights as the kernel reads them,
 * [ky·k + kx][in_padded][out_padded], from [out][in][ky][kx] floats. */
static CONV_MMA_HD float
conv_mma_weight (const float *weights,
                 size_t       i,
                 unsigned     in_channels,
                 unsigned     out_channels,
                 unsigned     taps)
{
  unsigned in_stride = conv_mma_in_padded (in_channels), out_stride = conv_mma_out_padded (out_channels);
  unsigned o = i % out_stride, c = i / out_stride % in_stride, tap = i / ((size_t) out_stride * in_stride);

  if (o >= out_channels || c >= in_channels)
    return 0.f;
  return weights[((size_t) o * in_channels + c) * taps + tap];
}

template <int BLOCK_OUT>
struct ConvMmaTile
{
  static constexpr int FRAGMENTS_OUT = BLOCK_OUT / 16;
  /* At most two rows a warp, so that the halo's two copies stay small
   * enough for two blocks an SM. */
  static constexpr int ROWS_PER_WARP = FRAGMENTS_OUT >= 2 ? CONV_MMA_ACCUMULATORS / (2 * FRAGMENTS_OUT) : 2;
  static constexpr int HEIGHT = CONV_MMA_WARPS * ROWS_PER_WARP;
  /* Padded so that a fragment's rows fall in different banks. */
  static constexpr int WEIGHT_STRIDE = BLOCK_OUT + 8;

  struct Sums
  {
    ConvMmaSum s[ROWS_PER_WARP][2][FRAGMENTS_OUT];
  };

  /* The halo pixels each thread copies, of a block of CONV_MMA_WARPS
   * warps, whatever the kernel's size. */
  static constexpr int PIXELS_PER_THREAD =
    ((HEIGHT + TESSERA_KERNEL_CONV_MMA_MAX_KERNEL - 1) * (CONV_MMA_TILE_W + TESSERA_KERNEL_CONV_MMA_MAX_KERNEL - 1) +
     CONV_MMA_WARPS * 32 - 1) / (CONV_MMA_WARPS * 32);

  /* A thread's halo pixels, found once a block: where each lies in an
   * input plane, or −1 where the halo is padding. */
  struct Pixels
  {
    int offset[PIXELS_PER_THREAD];
  };

  const TesseraKernelConvMma &p;
  const float **planes;    /* two of [CHUNK]: each channel's plane, NULL past the last */
  float *raw;              /* [CHUNK][halo pixel]: the next chunk's halo as it arrives */
  ConvMmaHalf *halo;       /* [halo pixel][CHUNK] */
  ConvMmaHalf *weights;    /* two of [tap][CHUNK][WEIGHT_STRIDE]: this chunk's and the next */
  float *staging;          /* per warp, TILE_W × 16 floats, over the rest */
  unsigned halo_width;
  unsigned halo_pixels;
  int x0, y0;
  unsigned o0;

  static CONV_MMA_HD size_t
  halo_count (unsigned kernel)
  {
    return (size_t) (HEIGHT + kernel - 1) * (CONV_MMA_TILE_W + kernel - 1);
  }

  static CONV_MMA_HD size_t
  weight_halves (unsigned kernel)
  {
    return (size_t) kernel * kernel * CONV_MMA_CHUNK * WEIGHT_STRIDE;
  }

  static CONV_MMA_HD size_t
  shared_bytes (unsigned kernel)
  {
    size_t bytes = halo_count (kernel) * CONV_MMA_CHUNK * (sizeof (float) + sizeof (ConvMmaHalf)) +
                   2 * weight_halves (kernel) * sizeof (ConvMmaHalf) + 2 * CONV_MMA_CHUNK * sizeof (const float *);
    size_t staging = (size_t) CONV_MMA_WARPS * CONV_MMA_TILE_W * 16 * sizeof (float);

    return bytes > staging ? bytes : staging;
  }

  CONV_MMA_DEVICE
  ConvMmaTile (const TesseraKernelConvMma &params,
               unsigned char              *shared,
               unsigned                    block_x,
               unsigned                    block_y,
               unsigned                    block_z)
    : p (params)
  {
    /* Each part's size is a multiple of 32 bytes: CHUNK halves or floats
     * a pixel, and WEIGHT_STRIDE a multiple of 8. */
    raw = (float *) shared;
    halo = (ConvMmaHalf *) (raw + halo_count (p.kernel) * CONV_MMA_CHUNK);
    weights = halo + halo_count (p.kernel) * CONV_MMA_CHUNK;
    planes = (const float **) (weights + 2 * weight_halves (p.kernel));
    staging = (float *) shared;
    halo_width = CONV_MMA_TILE_W + p.kernel - 1;
    halo_pixels = (unsigned) halo_count (p.kernel);
    x0 = block_x * CONV_MMA_TILE_W;
    y0 = block_y * HEIGHT;
    o0 = block_z * BLOCK_OUT;
  }

  CONV_MMA_DEVICE void
  clear (Sums &sums)
  {
CONV_MMA_UNROLL
    for (int r = 0; r < ROWS_PER_WARP; r++)
CONV_MMA_UNROLL
      for (int m = 0; m < 2; m++)
CONV_MMA_UNROLL
        for (int n = 0; n < FRAGMENTS_OUT; n++)
          conv_mma_zero (sums.s[r][m][n]);
  }

  /* By threads 0 to CHUNK − 1: the plane of channel @c0 + @thread into
   * plane table @buffer. */
  CONV_MMA_DEVICE void
  find_plane (unsigned thread,
              unsigned c0,
              unsigned buffer)
  {
    unsigned channel = c0 + thread, input = 0;
    const float *plane = NULL;

    if (channel < p.in_channels)
      {
        while (channel >= p.channels[input])
          channel -= p.channels[input++];
        plane = p.inputs[input] + (size_t) channel * p.in_height * p.in_width;
      }
    planes[buffer * CONV_MMA_CHUNK + thread] = plane;
  }

  /* By every thread, once: where its halo pixels lie. */
  CONV_MMA_DEVICE void
  locate (unsigned  thread,
          unsigned  n_threads,
          Pixels   &pixels) const
  {
CONV_MMA_UNROLL
    for (int q = 0; q < PIXELS_PER_THREAD; q++)
      {
        unsigned pixel = thread + q * n_threads;
        int iy = y0 + (int) (pixel / halo_width) - (int) p.padding;
        int ix = x0 + (int) (pixel % halo_width) - (int) p.padding;
        bool inside = pixel < halo_pixels && iy >= 0 && iy < (int) p.in_height && ix >= 0 && ix < (int) p.in_width;

        pixels.offset[q] = inside ? iy * (int) p.in_width + ix : -1;
      }
  }

  /* By every thread: its share of the copies of chunk @c0's halo into
   * raw, from plane table @buffer, and of its weights into weight buffer
   * @buffer, started. This runs once per value copied, against a few
   * products per value, so it does no more than add. */
  CONV_MMA_DEVICE void
  fetch (unsigned      thread,
         unsigned      n_threads,
         const Pixels &pixels,
         unsigned      c0,
         unsigned      buffer)
  {
    const unsigned taps = p.kernel * p.kernel;
    const unsigned in_stride = conv_mma_in_padded (p.in_channels);
    const unsigned out_stride = conv_mma_out_padded (p.out_channels);
    ConvMmaHalf *weight_buffer = weights + buffer * weight_halves (p.kernel);
    const float *const *table = planes + buffer * CONV_MMA_CHUNK;

    /* Neighbouring threads take neighbouring pixels of a channel, so that
     * the reads run along input rows. */
CONV_MMA_UNROLL
    for (unsigned j = 0; j < CONV_MMA_CHUNK; j++)
      {
        const float *plane = table[j];
        float *to = raw + j * halo_pixels + thread;

CONV_MMA_UNROLL
        for (int q = 0; q < PIXELS_PER_THREAD; q++)
          if (thread + q * n_threads < halo_pixels)
            conv_mma_copy_async (to + q * n_threads,
                                 plane != NULL && pixels.offset[q] >= 0 ? plane + pixels.offset[q] : NULL,
                                 p.inputs[0]);
      }

    /* Each row of the chunk's weights for this block is BLOCK_OUT halves
     * in a row, copied 8 at a time. */
    for (unsigned t = thread; t < taps * CONV_MMA_CHUNK * (BLOCK_OUT / 8); t += n_threads)
      {
        unsigned row = t / (BLOCK_OUT / 8), column = t % (BLOCK_OUT / 8) * 8;
        unsigned tap = row / CONV_MMA_CHUNK, channel = row % CONV_MMA_CHUNK;
        const ConvMmaHalf *source = (const ConvMmaHalf *) p.weight +
                                    ((size_t) tap * in_stride + c0 + channel) * out_stride + o0 + column;

        conv_mma_copy8_async (weight_buffer + (size_t) row * WEIGHT_STRIDE + column, source);
      }
    conv_mma_commit ();
  }

  /* By every thread, once the copies have arrived and every warp is done
   * with the halo: its pixels of raw into the halo, as fp16, eight
   * channels at once. */
  CONV_MMA_DEVICE void
  convert (unsigned thread,
           unsigned n_threads)
  {
    for (unsigned pixel = thread; pixel < halo_pixels; pixel += n_threads)
CONV_MMA_UNROLL
      for (unsigned group = 0; group < CONV_MMA_CHUNK / 8; group++)
        {
          alignas (16) ConvMmaHalf values[8];

CONV_MMA_UNROLL
          for (int j = 0; j < 8; j++)
            values[j] = conv_mma_half (raw[(group * 8 + j) * halo_pixels + pixel]);
          conv_mma_copy8 (halo + (size_t) pixel * CONV_MMA_CHUNK + group * 8, values);
        }
  }

  /* By each warp: tap (@ky, @kx) of the chunk for its rows, with @mine
   * that tap's weights. */
  CONV_MMA_DEVICE void
  multiply_tap (unsigned           warp,
                Sums              &sums,
                const ConvMmaHalf *mine,
                unsigned           ky,
                unsigned           kx)
  {
    ConvMmaB b[FRAGMENTS_OUT];

CONV_MMA_UNROLL
    for (int n = 0; n < FRAGMENTS_OUT; n++)
      conv_mma_load_b (b[n], mine + n * 16, WEIGHT_STRIDE);

CONV_MMA_UNROLL
    for (int r = 0; r < ROWS_PER_WARP; r++)
      {
        unsigned row = warp * ROWS_PER_WARP + r;

CONV_MMA_UNROLL
        for (int m = 0; m < 2; m++)
          {
            ConvMmaA a;

            conv_mma_load_a (a, halo + ((size_t) (row + ky) * halo_width + m * 16 + kx) * CONV_MMA_CHUNK,
                             CONV_MMA_CHUNK);
CONV_MMA_UNROLL
            for (int n = 0; n < FRAGMENTS_OUT; n++)
              conv_mma (sums.s[r][m][n], a, b[n]);
          }
      }
  }

  /* By each warp: the chunk's products for its rows, with the weights in
   * buffer @buffer. (Unrolling the taps of a 3×3 kernel measured slower
   * on an H100.) */
  CONV_MMA_DEVICE void
  multiply (unsigned  warp,
            Sums     &sums,
            unsigned  buffer)
  {
    const ConvMmaHalf *mine = weights + buffer * weight_halves (p.kernel);

    for (unsigned tap = 0; tap < p.kernel * p.kernel; tap++)
      multiply_tap (warp, sums, mine + (size_t) tap * CONV_MMA_CHUNK * WEIGHT_STRIDE, tap / p.kernel,
                    tap % p.kernel);
  }

  /* By each warp, once every warp is done with the halo: the sixteen
   * output channels of fragment @n of row @r into the warp's staging, so
   * that lane x holds pixel x. */
  CONV_MMA_DEVICE void
  stage (unsigned    warp,
         const Sums &sums,
         int         r,
         int         n)
  {
    float *mine = staging + warp * CONV_MMA_TILE_W * 16;

    conv_mma_store (mine, sums.s[r][0][n], CONV_MMA_TILE_W);
    conv_mma_store (mine + 16, sums.s[r][1][n], CONV_MMA_TILE_W);
  }

  /* By each lane after stage(): its pixel's sixteen values, through
   * @finish (channel, index, sum), written along the output's rows. */
  template <typename Finish>
  CONV_MMA_DEVICE void
  write (unsigned      warp,
         unsigned      lane,
         int           r,
         int           n,
         const Finish &finish)
  {
    const float *mine = staging + warp * CONV_MMA_TILE_W * 16;
    unsigned x = x0 + lane, y = y0 + warp * ROWS_PER_WARP + r;
    size_t out_plane = (size_t) p.out_height * p.out_width;

    if (y >= p.out_height || x >= p.out_width)
      return;
    for (int j = 0; j < 16; j++)
      {
        unsigned channel = o0 + n * 16 + j;
        size_t index = channel * out_plane + (size_t) y * p.out_width + x;

        if (channel < p.out_channels)
          p.output[index] = finish (channel, index, mine[lane + j * CONV_MMA_TILE_W]);
      }
  }
};
