/* tessera-cuda-conv-mma.cu
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "tessera-conv-mma-tile.h"
#include "tessera-kernels-private.cuh"

/* Stride-1 convolutions on the tensor cores, read straight from the input
 * planes (an implicit GEMM): no im2col matrix goes through device memory,
 * and the epilogue is applied as the sums leave the tensor cores. The
 * block's work is in tessera-conv-mma-tile.h; this file launches it. */

struct Epilogue
{
  TesseraKernelEpilogue e;

  __device__ float
  operator() (unsigned channel,
              size_t   index,
              float    sum) const
  {
    return tessera_epilogue (e, channel, index, sum);
  }
};

template <int BLOCK_OUT>
static __global__ void __launch_bounds__ (CONV_MMA_WARPS * 32, 2)
conv_mma_kernel (TesseraKernelConvMma  p,
                 TesseraKernelEpilogue e)
{
  typedef ConvMmaTile<BLOCK_OUT> Tile;
  extern __shared__ __align__ (128) unsigned char shared[];
  Tile tile (p, shared, blockIdx.x, blockIdx.y, blockIdx.z);
  const unsigned warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const unsigned n_chunks = (p.in_channels + CONV_MMA_CHUNK - 1) / CONV_MMA_CHUNK;
  typename Tile::Sums sums;
  typename Tile::Pixels pixels;

  tile.clear (sums);
  tile.locate (threadIdx.x, blockDim.x, pixels);
  if (threadIdx.x < CONV_MMA_CHUNK)
    tile.find_plane (threadIdx.x, 0, 0);
  __syncthreads ();
  tile.fetch (threadIdx.x, blockDim.x, pixels, 0, 0);
  if (threadIdx.x < CONV_MMA_CHUNK)
    tile.find_plane (threadIdx.x, CONV_MMA_CHUNK, 1);
  conv_mma_wait ();
  __syncthreads ();
  tile.convert (threadIdx.x, blockDim.x);
  __syncthreads ();

  /* Chunk i is multiplied from buffers i mod 2 while chunk i + 1 travels
   * into the others, and the planes of chunk i + 2 are found. */
  for (unsigned i = 0; i < n_chunks; i++)
    {
      bool more = i + 1 < n_chunks;

      if (more)
        tile.fetch (threadIdx.x, blockDim.x, pixels, (i + 1) * CONV_MMA_CHUNK, (i + 1) % 2);
      tile.multiply (warp, sums, i % 2);
      conv_mma_wait ();
      /* Every warp is done with the halo, and the copies have arrived. */
      __syncthreads ();
      if (more)
        {
          if (threadIdx.x < CONV_MMA_CHUNK)
            tile.find_plane (threadIdx.x, (i + 2) * CONV_MMA_CHUNK, i % 2);
          tile.convert (threadIdx.x, blockDim.x);
          __syncthreads ();
        }
    }

  /* The staging lies over the halo, which nothing reads any more. */
#pragma unroll
  for (int r = 0; r < Tile::ROWS_PER_WARP; r++)
#pragma unroll
    for (int n = 0; n < Tile::FRAGMENTS_OUT; n++)
      {
        tile.stage (warp, sums, r, n);
        __syncwarp ();
        tile.write (warp, lane, r, n, Epilogue { e });
        __syncwarp ();
      }
}

template <int BLOCK_OUT>
static cudaError_t
launch (const TesseraKernelConvMma  *params,
        const TesseraKernelEpilogue *epilogue,
        cudaStream_t                 stream)
{
  typedef ConvMmaTile<BLOCK_OUT> Tile;
  size_t bytes = Tile::shared_bytes (params->kernel);
  dim3 grid ((params->out_width + CONV_MMA_TILE_W - 1) / CONV_MMA_TILE_W,
             (params->out_height + Tile::HEIGHT - 1) / Tile::HEIGHT,
             conv_mma_out_padded (params->out_channels) / BLOCK_OUT);
  cudaError_t status;

  if (grid.y > TESSERA_MAX_BLOCKS_Y)
    return cudaErrorInvalidValue;

  status = cudaFuncSetAttribute (conv_mma_kernel<BLOCK_OUT>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                 (int) bytes);
  if (status != cudaSuccess)
    return status;

  conv_mma_kernel<BLOCK_OUT><<<grid, CONV_MMA_WARPS * 32, bytes, stream>>> (*params, *epilogue);
  return cudaGetLastError ();
}

static size_t
shared_bytes (unsigned out_channels,
              unsigned kernel)
{
  switch (conv_mma_block_out (out_channels))
    {
    case 16:
      return ConvMmaTile<16>::shared_bytes (kernel);
    case 32:
      return ConvMmaTile<32>::shared_bytes (kernel);
    default:
      return ConvMmaTile<64>::shared_bytes (kernel);
    }
}

/* Whether the current device runs the kernel on such a convolution: its
 * blocks must fit the shared memory a block may have (64 KiB on Turing,
 * 99 KiB on consumer Ampere and Ada, 227 KiB on Hopper). */
extern "C" int
tessera_cuda_conv_mma_supports (unsigned out_channels,
                                unsigned kernel,
                                unsigned stride)
{
  int device, limit;

  if (stride != 1 || kernel < 1 || kernel > TESSERA_KERNEL_CONV_MMA_MAX_KERNEL)
    return 0;
  if (cudaGetDevice (&device) != cudaSuccess ||
      cudaDeviceGetAttribute (&limit, cudaDevAttrMaxSharedMemoryPerBlockOptin, device) != cudaSuccess)
    {
      cudaGetLastError ();
      return 0;
    }
  return shared_bytes (out_channels, kernel) <= (size_t) limit;
}

extern "C" cudaError_t
tessera_cuda_conv_mma (const TesseraKernelConvMma  *params,
                       const TesseraKernelEpilogue *epilogue,
                       cudaStream_t                 stream)
{
  /* The caller asked tessera_cuda_conv_mma_supports() already; a block
   * too large for the device's shared memory fails in launch(). */
  if (params->kernel < 1 || params->kernel > TESSERA_KERNEL_CONV_MMA_MAX_KERNEL || params->out_height == 0 ||
      params->out_width == 0)
    return cudaErrorInvalidValue;

  switch (conv_mma_block_out (params->out_channels))
    {
    case 16:
      return launch<16> (params, epilogue, stream);
    case 32:
      return launch<32> (params, epilogue, stream);
    default:
      return launch<64> (params, epilogue, stream);
    }
}

static __global__ void
conv_mma_weights_kernel (__half      *output,
                         const float *weights,
                         unsigned     in_channels,
                         unsigned     out_channels,
                         unsigned     taps,
                         size_t       n)
{
  TESSERA_FOR_X (i, n)
    output[i] = __float2half_rn (conv_mma_weight (weights, i, in_channels, out_channels, taps));
}

extern "C" size_t
tessera_cuda_conv_mma_weight_size (unsigned in_channels,
                                   unsigned out_channels,
                                   unsigned kernel)
{
  return (size_t) kernel * kernel * conv_mma_in_padded (in_channels) * conv_mma_out_padded (out_channels) *
         sizeof (__half);
}

extern "C" cudaError_t
tessera_cuda_conv_mma_weights (void        *output,
                               const float *weights,
                               unsigned     in_channels,
                               unsigned     out_channels,
                               unsigned     kernel,
                               cudaStream_t stream)
{
  size_t n = tessera_cuda_conv_mma_weight_size (in_channels, out_channels, kernel) / sizeof (__half);

  conv_mma_weights_kernel<<<tessera_grid (n, 1), TESSERA_BLOCK, 0, stream>>> ((__half *) output, weights,
                                                                               in_channels, out_channels,
                                                                               kernel * kernel, n);
  return cudaGetLastError ();
}
