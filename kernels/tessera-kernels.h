/* tessera-kernels.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stddef.h>

#include <cuda_runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The CUDA backend's kernels, one file per op family, each reached through
 * a launcher that queues it on @stream and returns the launch's status.
 * Tensors are float32 planes, channel after channel, in device memory.
 *
 * This header is plain C and knows nothing of the engine: the enums below
 * have the values of the graph's (tessera-graph-private.h), which the
 * backend checks at compile time. */

#define TESSERA_KERNEL_MAX_INPUTS 8

typedef enum
{
  TESSERA_KERNEL_ACTIVATION_NONE,
  TESSERA_KERNEL_ACTIVATION_RELU,
  TESSERA_KERNEL_ACTIVATION_LEAKY,
  TESSERA_KERNEL_ACTIVATION_PRELU,
  TESSERA_KERNEL_ACTIVATION_SIGMOID,
  TESSERA_KERNEL_ACTIVATION_GELU,
  TESSERA_KERNEL_ACTIVATION_SILU,
  TESSERA_KERNEL_ACTIVATION_QUICK_GELU,
  TESSERA_KERNEL_ACTIVATION_MISH,
} TesseraKernelActivation;

typedef enum
{
  TESSERA_KERNEL_PAD_ZERO,
  TESSERA_KERNEL_PAD_REFLECT,
  TESSERA_KERNEL_PAD_REPLICATE,
  TESSERA_KERNEL_PAD_SYMMETRIC,
} TesseraKernelPadMode;

typedef enum
{
  TESSERA_KERNEL_RESIZE_NEAREST,
  TESSERA_KERNEL_RESIZE_BILINEAR,
  TESSERA_KERNEL_RESIZE_BICUBIC,
} TesseraKernelResizeMode;

/* What follows a convolution's sum, per output channel c:
 * out = scale · act (sum + bias[c]) + residual. */
typedef struct
{
  const float *bias;          /* nullable */
  const float *slopes;        /* PReLU's, one per channel */
  const float *residual;      /* nullable; the output's shape */
  int          activation;    /* TesseraKernelActivation */
  float        slope;
  float        scale;
} TesseraKernelEpilogue;

/* Convolutions (tessera-cuda-conv.cu). */

/* Output rows [first_row, first_row + n_rows) unrolled: row (channel, ky, kx)
 * of @columns holds, for each of those output pixels, the input sample that
 * weight multiplies. The inputs are read as their channel concatenation. */
typedef struct
{
  const float *inputs[TESSERA_KERNEL_MAX_INPUTS];
  unsigned     channels[TESSERA_KERNEL_MAX_INPUTS];
  unsigned     n_inputs;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_width;
  unsigned     kernel;
  unsigned     stride;
  unsigned     padding;
  unsigned     first_row;
  unsigned     n_rows;
  void        *columns;       /* float, or __half when half is set */
  int          half;
} TesseraKernelIm2col;

/* A transposed convolution's products, output channels [first_channel,
 * first_channel + n_channels): row ((c − first_channel)·k + ky)·k + kx of
 * @columns is input pixel by input pixel. Each output value gathers the
 * products that land on it, then gets the epilogue. */
typedef struct
{
  const float *columns;
  float       *output;        /* the whole output */
  unsigned     first_channel;
  unsigned     n_channels;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_height;
  unsigned     out_width;
  unsigned     kernel;
  unsigned     stride;
  unsigned     padding;
} TesseraKernelCol2im;

cudaError_t tessera_cuda_im2col   (const TesseraKernelIm2col   *params,
                                   cudaStream_t                 stream);
cudaError_t tessera_cuda_epilogue (float                       *output,
                                   unsigned                     channels,
                                   size_t                       plane,
                                   const TesseraKernelEpilogue *epilogue,
                                   cudaStream_t                 stream);
cudaError_t tessera_cuda_col2im   (const TesseraKernelCol2im   *params,
                                   const TesseraKernelEpilogue *epilogue,
                                   cudaStream_t                 stream);
/* A grouped (depthwise most often) convolution, direct, fp32, with the
 * epilogue; weight [out][in / groups][k][k]. */
typedef struct
{
  const float *input;
  const float *weight;
  float       *output;
  unsigned     in_channels;
  unsigned     out_channels;
  unsigned     groups;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_height;
  unsigned     out_width;
  unsigned     kernel;
  unsigned     stride;
  unsigned     padding;
} TesseraKernelGroupedConv;

cudaError_t tessera_cuda_grouped_conv (const TesseraKernelGroupedConv *params,
                                       const TesseraKernelEpilogue    *epilogue,
                                       cudaStream_t                    stream);
/* @n floats into @half, an array of __half. */
cudaError_t tessera_cuda_to_half  (void                        *half,
                                   const float                 *floats,
                                   size_t                       n,
                                   cudaStream_t                 stream);

/* Stride-1 convolutions on the tensor cores, read straight from the input
 * planes, in fp16 with fp32 sums and the epilogue fused
 * (tessera-cuda-conv-mma.cu). */

#define TESSERA_KERNEL_CONV_MMA_MAX_KERNEL 5

typedef struct
{
  const float *inputs[TESSERA_KERNEL_MAX_INPUTS];   /* read as their channel concatenation */
  unsigned     channels[TESSERA_KERNEL_MAX_INPUTS];
  unsigned     n_inputs;
  unsigned     in_channels;     /* the channels' sum */
  unsigned     in_height;
  unsigned     in_width;
  float       *output;
  unsigned     out_channels;
  unsigned     out_height;
  unsigned     out_width;
  unsigned     kernel;
  unsigned     padding;
  const void  *weight;          /* as tessera_cuda_conv_mma_weights() leaves them */
} TesseraKernelConvMma;

int         tessera_cuda_conv_mma_supports    (unsigned                     out_channels,
                                               unsigned                     kernel,
                                               unsigned                     stride);
/* The bytes of a convolution's weights in the form the kernel reads. */
size_t      tessera_cuda_conv_mma_weight_size (unsigned                     in_channels,
                                               unsigned                     out_channels,
                                               unsigned                     kernel);
/* [out][in][ky][kx] floats on the device into that form. */
cudaError_t tessera_cuda_conv_mma_weights     (void                        *output,
                                               const float                 *weights,
                                               unsigned                     in_channels,
                                               unsigned                     out_channels,
                                               unsigned                     kernel,
                                               cudaStream_t                 stream);
cudaError_t tessera_cuda_conv_mma             (const TesseraKernelConvMma  *params,
                                               const TesseraKernelEpilogue *epilogue,
                                               cudaStream_t                 stream);

/* One value in, one out (tessera-cuda-elementwise.cu). */

typedef enum
{
  TESSERA_KERNEL_ACTIVATE,
  TESSERA_KERNEL_ADD,           /* scale_a · a + scale_b · b, or b's one value per channel */
  TESSERA_KERNEL_MUL_CHANNELS,  /* a · b[c] */
  TESSERA_KERNEL_MUL,           /* a · b, of the same shape, or b's one channel for all */
  TESSERA_KERNEL_CLAMP,
  TESSERA_KERNEL_AFFINE,        /* scale_a · a + scale_b */
  TESSERA_KERNEL_GEGLU,         /* a[c] · gelu (a[channels + c]) */
} TesseraKernelElementwiseOp;

typedef struct
{
  int          op;              /* TesseraKernelElementwiseOp */
  const float *a;
  const float *b;
  int          b_one_channel;   /* MUL */
  int          b_per_channel;   /* ADD: b is channels × 1 × 1 */
  float       *output;
  unsigned     channels;        /* of the output */
  size_t       plane;
  int          activation;
  float        slope;
  const float *slopes;          /* PReLU's, one per channel */
  float        scale_a;
  float        scale_b;
  float        min;
  float        max;
} TesseraKernelElementwise;

cudaError_t tessera_cuda_elementwise (const TesseraKernelElementwise *params,
                                      cudaStream_t                    stream);

/* Ops that only move values (tessera-cuda-layout.cu). */

typedef enum
{
  TESSERA_KERNEL_PIXEL_SHUFFLE,
  TESSERA_KERNEL_PIXEL_UNSHUFFLE,
  TESSERA_KERNEL_CROP,          /* top and left taken off */
  TESSERA_KERNEL_PAD,           /* top and left added */
} TesseraKernelLayoutOp;

typedef struct
{
  int          op;              /* TesseraKernelLayoutOp */
  const float *input;
  float       *output;
  unsigned     channels;        /* of the output */
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_height;
  unsigned     out_width;
  unsigned     factor;
  int          pad_mode;        /* TesseraKernelPadMode */
  int          top;
  int          left;
} TesseraKernelLayout;

cudaError_t tessera_cuda_layout (const TesseraKernelLayout *params,
                                 cudaStream_t               stream);
/* @n tensors of @sizes floats, one after the other: a channel concatenation. */
cudaError_t tessera_cuda_concat (float                     *output,
                                 const float *const        *inputs,
                                 const size_t              *sizes,
                                 unsigned                   n,
                                 cudaStream_t               stream);

/* Resizing as the CPU backend samples (tessera-cuda-resize.cu). */

typedef struct
{
  const float *input;
  float       *output;
  int          mode;            /* TesseraKernelResizeMode */
  unsigned     channels;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_height;
  unsigned     out_width;
} TesseraKernelResize;

cudaError_t tessera_cuda_resize (const TesseraKernelResize *params,
                                 cudaStream_t               stream);

/* Max pooling without padding (tessera-cuda-pool.cu). */
typedef struct
{
  const float *input;
  float       *output;
  unsigned     channels;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_height;
  unsigned     out_width;
  unsigned     kernel;
  unsigned     stride;
} TesseraKernelMaxPool;

cudaError_t tessera_cuda_max_pool (const TesseraKernelMaxPool *params,
                                   cudaStream_t                stream);

/* OmniSR's grid permutations (tessera-cuda-grid.cu; tessera-grid-index.h
 * numbers the ops). */
typedef struct
{
  int          op;              /* TESSERA_GRID_TO_WINDOWS … */
  const float *input;
  float       *output;
  unsigned     factor;
  unsigned     parts;           /* GRID_TO_CHANNELS' */
  unsigned     in_channels;
  unsigned     in_height;
  unsigned     in_width;
  unsigned     out_channels;
  unsigned     out_height;
  unsigned     out_width;
} TesseraKernelGrid;

cudaError_t tessera_cuda_grid (const TesseraKernelGrid *params,
                               cudaStream_t             stream);

/* Global average pooling and fully connected layers (tessera-cuda-reduce.cu). */

typedef struct
{
  const float *input;           /* in_channels × 1 × 1 */
  const float *weight;          /* [out][in] */
  const float *bias;            /* nullable */
  float       *output;
  unsigned     in_channels;
  unsigned     out_channels;
  int          activation;
  float        slope;
} TesseraKernelLinear;

cudaError_t tessera_cuda_global_avg_pool (const float               *input,
                                          float                     *output,
                                          unsigned                   channels,
                                          size_t                     plane,
                                          cudaStream_t               stream);
cudaError_t tessera_cuda_linear          (const TesseraKernelLinear *params,
                                          cudaStream_t               stream);

/* LayerNorm over each pixel's channels (tessera-cuda-norm.cu). */

typedef struct
{
  const float *input;
  float       *output;
  const float *weight;          /* nullable */
  const float *bias;            /* nullable */
  unsigned     channels;
  size_t       plane;
  float        epsilon;
} TesseraKernelLayerNorm;

cudaError_t tessera_cuda_layer_norm (const TesseraKernelLayerNorm *params,
                                     cudaStream_t                  stream);

/* GroupNorm over each group's channels × plane, then · weight + bias and
 * the activation. @sums is room for 2 · channels doubles on the device. */
typedef struct
{
  const float *input;
  float       *output;
  const float *weight;          /* nullable */
  const float *bias;            /* nullable */
  const float *slopes;          /* PReLU's, one per channel */
  double      *sums;
  unsigned     channels;
  unsigned     groups;
  size_t       plane;
  float        epsilon;
  int          activation;
  float        slope;
} TesseraKernelGroupNorm;

cudaError_t tessera_cuda_group_norm (const TesseraKernelGroupNorm *params,
                                     cudaStream_t                  stream);

/* Multi-head attention over tokens, fused (tessera-cuda-token-attention.cu):
 * q, k and v are planar, heads × head_dim channels of @queries, @keys and
 * @keys tokens; the output has q's shape. Query i of head h gets
 * softmax_j (scale · q_i · k_j) v_j, over keys j ≤ i only when @causal. */
typedef struct
{
  const float *q;
  const float *k;
  const float *v;
  float       *output;
  unsigned     heads;
  unsigned     head_dim;
  size_t       queries;
  size_t       keys;
  float        scale;
  int          causal;
} TesseraKernelTokenAttention;

cudaError_t tessera_cuda_token_attention (const TesseraKernelTokenAttention *params,
                                          cudaStream_t                       stream);

/* Window attention's parts around the GEMMs (tessera-cuda-attention.cu).
 * Windows [first_window, first_window + n_windows) of a planar image
 * rolled by −shift, row by row of windows, have their pixels as tokens:
 * token t of window w is row w · window_h · window_w + t of a token-major
 * matrix. Each window's key/value window, kv_h × kv_w (the window's own
 * size when not larger), is centred on it, (kv − window) / 2 further out
 * at the top and left; its tokens are rows w · kv_h · kv_w + t. Permuted
 * windows (SRFormer's) have a key/value token per 2 × 2 pixels: kv_h and
 * kv_w are half the window's, the tokens on a half-size grid. */

typedef struct
{
  unsigned     height;
  unsigned     width;
  unsigned     window_h;
  unsigned     window_w;
  unsigned     kv_h;
  unsigned     kv_w;
  unsigned     shift_y;
  unsigned     shift_x;
  unsigned     first_window;
  unsigned     n_windows;
  int          permuted;
} TesseraKernelWindows;

/* @tokens[token][c] = @input[c][the token's pixel], for @channels channels. */
cudaError_t tessera_cuda_windows_gather  (const TesseraKernelWindows *windows,
                                          const float                *input,
                                          unsigned                    channels,
                                          float                      *tokens,
                                          cudaStream_t                stream);
/* The same for the key/value windows' tokens, zero outside the image. */
cudaError_t tessera_cuda_windows_gather_kv (const TesseraKernelWindows *windows,
                                            const float                *input,
                                            unsigned                    channels,
                                            float                      *tokens,
                                            cudaStream_t                stream);
/* Zero the rows of the key/value tokens outside the image, @columns each. */
cudaError_t tessera_cuda_windows_clear_outside (const TesseraKernelWindows *windows,
                                                float                      *tokens,
                                                unsigned                    columns,
                                                cudaStream_t                stream);
/* @output[c][the token's pixel] = scale · (@tokens[token][c] + bias[c]) + residual. */
cudaError_t tessera_cuda_windows_scatter (const TesseraKernelWindows *windows,
                                          const float                *tokens,
                                          unsigned                    channels,
                                          const float                *bias,
                                          float                       scale,
                                          const float                *residual,
                                          float                      *output,
                                          cudaStream_t                stream);
/* Permuted windows' keys and values from the compressed projection
 * @compressed (a row of @channels / 2 per query token): each 2 × 2 pixels'
 * first quarters of @channels side by side make k, their second quarters
 * v, in rows of 2 · @channels (k then v) of @kv. */
cudaError_t tessera_cuda_windows_permute_kv (const TesseraKernelWindows *windows,
                                             const float                *compressed,
                                             unsigned                    channels,
                                             float                      *kv,
                                             cudaStream_t                stream);
/* @rows × @columns matrix, row-major, plus @bias[column]. */
cudaError_t tessera_cuda_add_rows        (float                      *matrix,
                                          size_t                      rows,
                                          unsigned                    columns,
                                          const float                *bias,
                                          cudaStream_t                stream);

/* The scores of every head and window, [head][window][i][j] with
 * window_h · window_w queries i and kv_h · kv_w keys j: plus
 * bias_table[bias_index[i][j]][head], plus −100 where Swin's shift mask
 * separates i and j (permuted keys: on the half-size grid with ⌈shift /
 * 2⌉), then softmax along each row. */
typedef struct
{
  float          *scores;
  unsigned        heads;
  const float    *bias_table;   /* nullable */
  const unsigned *bias_index;
  int             mask;
} TesseraKernelSoftmax;

cudaError_t tessera_cuda_attention_softmax (const TesseraKernelWindows *windows,
                                            const TesseraKernelSoftmax *params,
                                            cudaStream_t                stream);

/* Channel attention's parts around the GEMMs
 * (tessera-cuda-channel-attention.cu). Windows [first_window,
 * first_window + n_windows), row by row, of the input's q, k and v planes
 * are gathered into rows of window_h · window_w pixels:
 * [part][window][channel][pixel]; scattering puts [window][channel][pixel]
 * rows back into planes. */
typedef struct
{
  unsigned     channels;        /* per part */
  unsigned     height;
  unsigned     width;
  unsigned     window_h;
  unsigned     window_w;
  unsigned     first_window;
  unsigned     n_windows;
} TesseraKernelChannelWindows;

cudaError_t tessera_cuda_channel_windows_gather  (const TesseraKernelChannelWindows *windows,
                                                  const float                       *input,
                                                  float                             *rows,
                                                  cudaStream_t                       stream);
cudaError_t tessera_cuda_channel_windows_scatter (const TesseraKernelChannelWindows *windows,
                                                  const float                       *rows,
                                                  float                             *output,
                                                  cudaStream_t                       stream);
/* max (‖row‖₂, 1e-12) of @n_rows rows of @length floats. */
cudaError_t tessera_cuda_row_norms               (const float                       *rows,
                                                  size_t                             n_rows,
                                                  size_t                             length,
                                                  float                             *norms,
                                                  cudaStream_t                       stream);
/* @n_matrices head_dim × head_dim score matrices, matrix b of head
 * b % heads: S[i][j] / (q_norms[b·head_dim + i] · k_norms[b·head_dim + j])
 * · temperature[head], then softmax along each row. */
cudaError_t tessera_cuda_channel_softmax         (float                             *scores,
                                                  unsigned                           n_matrices,
                                                  unsigned                           head_dim,
                                                  unsigned                           heads,
                                                  const float                       *q_norms,
                                                  const float                       *k_norms,
                                                  const float                       *temperature,
                                                  cudaStream_t                       stream);

#ifdef __cplusplus
}
#endif
