/* tessera-cuda-ops.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* Each op: its parameters, filled for its kernel in kernels/ from the
 * node, its buffers and its weights on the device, and the kernel queued
 * on the backend's stream. The attentions are in tessera-cuda-attention.c. */

G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_NONE == TESSERA_KERNEL_ACTIVATION_NONE);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_RELU == TESSERA_KERNEL_ACTIVATION_RELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_LEAKY == TESSERA_KERNEL_ACTIVATION_LEAKY);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_PRELU == TESSERA_KERNEL_ACTIVATION_PRELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_SIGMOID == TESSERA_KERNEL_ACTIVATION_SIGMOID);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_GELU == TESSERA_KERNEL_ACTIVATION_GELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_SILU == TESSERA_KERNEL_ACTIVATION_SILU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_QUICK_GELU == TESSERA_KERNEL_ACTIVATION_QUICK_GELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_MISH == TESSERA_KERNEL_ACTIVATION_MISH);
G_STATIC_ASSERT ((int) TESSERA_PAD_ZERO == TESSERA_KERNEL_PAD_ZERO);
G_STATIC_ASSERT ((int) TESSERA_PAD_REFLECT == TESSERA_KERNEL_PAD_REFLECT);
G_STATIC_ASSERT ((int) TESSERA_PAD_REPLICATE == TESSERA_KERNEL_PAD_REPLICATE);
G_STATIC_ASSERT ((int) TESSERA_PAD_SYMMETRIC == TESSERA_KERNEL_PAD_SYMMETRIC);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_NEAREST == TESSERA_KERNEL_RESIZE_NEAREST);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BILINEAR == TESSERA_KERNEL_RESIZE_BILINEAR);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BICUBIC == TESSERA_KERNEL_RESIZE_BICUBIC);
G_STATIC_ASSERT (TESSERA_NODE_MAX_INPUTS == TESSERA_KERNEL_MAX_INPUTS);

/* An im2col matrix is made a band of output rows at a time, at most this
 * large: big enough for GEMMs that fill the GPU, small beside its memory. */
#define COLUMN_BYTES ((gsize) 128 << 20)

/* Bias, activation, scale and residual of a convolution, with its bias
 * and slopes on the device. */
static gboolean
epilogue_init (TesseraCudaBackend     *self,
               const TesseraCudaOp    *op,
               TesseraKernelEpilogue  *epilogue,
               GError                **error)
{
  const TesseraNode *node = op->node;

  *epilogue = (TesseraKernelEpilogue) {
    .residual = op->residual != NULL ? op->residual->data : NULL,
    .activation = node->activation,
    .slope = node->slope,
    .scale = node->scale_a,
  };

  if (node->bias != NULL &&
      (epilogue->bias = tessera_cuda_backend_get_floats (self, node->bias, node->out_channels, error)) == NULL)
    return FALSE;
  if (node->activation == TESSERA_ACTIVATION_PRELU &&
      (epilogue->slopes = tessera_cuda_backend_get_floats (self, node->slopes, node->out_channels, error)) == NULL)
    return FALSE;
  return TRUE;
}

static gboolean
epilogue_is_identity (const TesseraKernelEpilogue *epilogue)
{
  return epilogue->bias == NULL && epilogue->activation == TESSERA_KERNEL_ACTIVATION_NONE &&
         epilogue->scale == 1.f && epilogue->residual == NULL;
}

/* A stride-1 convolution in fp16 on the tensor cores, read straight from
 * its inputs, with the epilogue fused. */
static gboolean
conv2d_mma (TesseraCudaBackend   *self,
            const TesseraCudaOp  *op,
            GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelConvMma params = {
    .n_inputs = node->n_inputs,
    .in_channels = node->in_channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .output = op->output->data,
    .out_channels = node->out_channels,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .padding = node->padding,
  };
  TesseraKernelEpilogue epilogue;

  for (guint i = 0; i < node->n_inputs; i++)
    {
      params.inputs[i] = op->inputs[i]->data;
      params.channels[i] = op->shapes[i].channels;
    }

  params.weight = tessera_cuda_backend_get_mma_weights (self, node, error);
  return params.weight != NULL && epilogue_init (self, op, &epilogue, error) &&
         CUDA_CHECK (tessera_cuda_conv_mma (&params, &epilogue, self->stream), error);
}

/* Grouped convolutions have too little work per output for a GEMM: a
 * direct kernel, in fp32 in both precisions. */
static gboolean
grouped_conv2d (TesseraCudaBackend   *self,
                const TesseraCudaOp  *op,
                GError              **error)
{
  const TesseraNode *node = op->node;
  gsize n_weights = (gsize) node->out_channels * (node->in_channels / node->groups) * node->kernel * node->kernel;
  TesseraKernelEpilogue epilogue;
  TesseraKernelGroupedConv params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .in_channels = node->in_channels,
    .out_channels = node->out_channels,
    .groups = node->groups,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .stride = node->stride,
    .padding = node->padding,
  };

  params.weight = tessera_cuda_backend_get_floats (self, node->weight, n_weights, error);
  return params.weight != NULL && epilogue_init (self, op, &epilogue, error) &&
         CUDA_CHECK (tessera_cuda_grouped_conv (&params, &epilogue, self->stream), error);
}

/* Convolution as GEMM: output rows are unrolled a band at a time into an
 * im2col matrix (in fp16 for the tensor cores), and the weights (out ×
 * in·k²) multiply it straight into the output's rows. Several inputs are
 * read as their channel concatenation. */
static gboolean
conv2d (TesseraCudaBackend   *self,
        const TesseraCudaOp  *op,
        GError              **error)
{
  const TesseraNode *node = op->node;
  gboolean half = self->precision == TESSERA_PRECISION_FP16;
  guint ow = op->output_shape->width, oh = op->output_shape->height;
  gsize plane = (gsize) oh * ow;
  gsize k = (gsize) node->in_channels * node->kernel * node->kernel;
  gsize element = half ? 2 : sizeof (float);
  TesseraKernelEpilogue epilogue;
  const void *weight;

  if (node->groups > 1)
    return grouped_conv2d (self, op, error);
  /* The tensor-core kernel indexes a plane with ints. */
  if (half && tessera_cuda_conv_mma_supports (node->out_channels, node->kernel, node->stride) &&
      (gsize) op->shapes[0].height * op->shapes[0].width <= G_MAXINT)
    return conv2d_mma (self, op, error);
  if (!tessera_cuda_check_gemm_size (MAX (plane, k), error))
    return FALSE;

  weight = tessera_cuda_backend_get_weights (self, self->weights, node->weight, node->out_channels * k, half,
                                             error);
  if (weight == NULL || !epilogue_init (self, op, &epilogue, error))
    return FALSE;

  if (!half && node->kernel == 1 && node->stride == 1 && node->padding == 0 && node->n_inputs == 1)
    {
      /* A 1×1 convolution's input already is the matrix. */
      if (!tessera_cuda_backend_gemm (self, FALSE, FALSE, plane, node->out_channels, k,
                                      op->inputs[0]->data, plane, weight, k, op->output->data, plane, error))
        return FALSE;
    }
  else
    {
      guint rows = MAX (1, MIN (oh, COLUMN_BYTES / (k * ow * element)));
      TesseraKernelIm2col im2col = {
        .n_inputs = node->n_inputs,
        .in_height = op->shapes[0].height,
        .in_width = op->shapes[0].width,
        .out_width = ow,
        .kernel = node->kernel,
        .stride = node->stride,
        .padding = node->padding,
        .half = half,
      };

      im2col.columns = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_COLUMNS, k * rows * ow * element,
                                                     error);
      if (im2col.columns == NULL)
        return FALSE;
      for (guint i = 0; i < node->n_inputs; i++)
        {
          im2col.inputs[i] = op->inputs[i]->data;
          im2col.channels[i] = op->shapes[i].channels;
        }

      for (guint r0 = 0; r0 < oh; r0 += rows)
        {
          gsize n;

          im2col.first_row = r0;
          im2col.n_rows = MIN (rows, oh - r0);
          n = (gsize) im2col.n_rows * ow;
          if (!CUDA_CHECK (tessera_cuda_im2col (&im2col, self->stream), error) ||
              !tessera_cuda_backend_gemm (self, half, FALSE, n, node->out_channels, k, im2col.columns, n,
                                          weight, k, op->output->data + (gsize) r0 * ow, plane, error))
            return FALSE;
        }
    }

  if (epilogue_is_identity (&epilogue))
    return TRUE;
  return CUDA_CHECK (tessera_cuda_epilogue (op->output->data, node->out_channels, plane, &epilogue,
                                            self->stream), error);
}

/* Transposed convolution: for a block of output channels, the input times
 * their weights gives each input pixel's contribution to each tap
 * (in fp32: these layers are few and small), and col2im gathers them into
 * place with the epilogue. */
static gboolean
deconv2d (TesseraCudaBackend   *self,
          const TesseraCudaOp  *op,
          GError              **error)
{
  const TesseraNode *node = op->node;
  guint kk = node->kernel * node->kernel;
  gsize in_plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  guint block = MAX (1, MIN (node->out_channels, COLUMN_BYTES / (kk * in_plane * sizeof (float))));
  TesseraKernelCol2im col2im = {
    .output = op->output->data,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .stride = node->stride,
    .padding = node->padding,
  };
  TesseraKernelEpilogue epilogue;
  const float *weight;
  float *columns;

  if (!tessera_cuda_check_gemm_size (MAX (in_plane, (gsize) node->out_channels * kk), error))
    return FALSE;

  weight = tessera_cuda_backend_get_floats (self, node->weight, (gsize) node->in_channels * node->out_channels * kk,
                                            error);
  if (weight == NULL || !epilogue_init (self, op, &epilogue, error))
    return FALSE;
  columns = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_COLUMNS,
                                          (gsize) block * kk * in_plane * sizeof (float), error);
  if (columns == NULL)
    return FALSE;
  col2im.columns = columns;

  /* Weights [in][out][k][k]: a block of outputs is a column block. */
  for (guint o0 = 0; o0 < node->out_channels; o0 += block)
    {
      col2im.first_channel = o0;
      col2im.n_channels = MIN (block, node->out_channels - o0);
      if (!tessera_cuda_backend_gemm (self, FALSE, TRUE, in_plane, col2im.n_channels * kk, node->in_channels,
                                      op->inputs[0]->data, in_plane, weight + (gsize) o0 * kk, node->out_channels * kk,
                                      columns, in_plane, error) ||
          !CUDA_CHECK (tessera_cuda_col2im (&col2im, &epilogue, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
elementwise (TesseraCudaBackend   *self,
             const TesseraCudaOp  *op,
             GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelElementwise params = {
    .a = op->inputs[0]->data,
    .b = node->n_inputs > 1 ? op->inputs[1]->data : NULL,
    .b_one_channel = node->n_inputs > 1 && op->shapes[1].channels == 1,
    .b_per_channel = node->n_inputs > 1 && (gsize) op->shapes[1].height * op->shapes[1].width !=
                                            (gsize) op->output_shape->height * op->output_shape->width,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .plane = (gsize) op->output_shape->height * op->output_shape->width,
    .activation = node->activation,
    .slope = node->slope,
    .scale_a = node->scale_a,
    .scale_b = node->scale_b,
    .min = node->min,
    .max = node->max,
  };

  switch (node->op)
    {
    case TESSERA_OP_ACTIVATION:
      params.op = TESSERA_KERNEL_ACTIVATE;
      if (node->activation == TESSERA_ACTIVATION_PRELU &&
          (params.slopes = tessera_cuda_backend_get_floats (self, node->slopes, params.channels, error)) == NULL)
        return FALSE;
      break;
    case TESSERA_OP_ADD:
      params.op = TESSERA_KERNEL_ADD;
      break;
    case TESSERA_OP_MUL_CHANNELS:
      params.op = TESSERA_KERNEL_MUL_CHANNELS;
      break;
    case TESSERA_OP_MUL:
      params.op = TESSERA_KERNEL_MUL;
      break;
    case TESSERA_OP_CLAMP:
      params.op = TESSERA_KERNEL_CLAMP;
      break;
    case TESSERA_OP_GEGLU:
      params.op = TESSERA_KERNEL_GEGLU;
      break;
    case TESSERA_OP_AFFINE:
    default:
      params.op = TESSERA_KERNEL_AFFINE;
      break;
    }

  return CUDA_CHECK (tessera_cuda_elementwise (&params, self->stream), error);
}

static gboolean
layout (TesseraCudaBackend   *self,
        const TesseraCudaOp  *op,
        GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLayout params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .factor = node->factor,
    .pad_mode = node->pad_mode,
    .top = node->top,
    .left = node->left,
  };

  switch (node->op)
    {
    case TESSERA_OP_CONCAT:
      {
        const float *inputs[TESSERA_NODE_MAX_INPUTS];
        size_t sizes[TESSERA_NODE_MAX_INPUTS];

        for (guint k = 0; k < node->n_inputs; k++)
          {
            inputs[k] = op->inputs[k]->data;
            sizes[k] = (size_t) op->shapes[k].channels * op->shapes[k].height * op->shapes[k].width;
          }
        return CUDA_CHECK (tessera_cuda_concat (op->output->data, inputs, sizes, node->n_inputs,
                                                self->stream), error);
      }
    case TESSERA_OP_PIXEL_SHUFFLE:
      params.op = TESSERA_KERNEL_PIXEL_SHUFFLE;
      break;
    case TESSERA_OP_PIXEL_UNSHUFFLE:
      params.op = TESSERA_KERNEL_PIXEL_UNSHUFFLE;
      break;
    case TESSERA_OP_CROP:
      params.op = TESSERA_KERNEL_CROP;
      break;
    case TESSERA_OP_PAD:
    default:
      params.op = TESSERA_KERNEL_PAD;
      break;
    }

  return CUDA_CHECK (tessera_cuda_layout (&params, self->stream), error);
}

static gboolean
resize (TesseraCudaBackend   *self,
        const TesseraCudaOp  *op,
        GError              **error)
{
  TesseraKernelResize params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .mode = op->node->resize_mode,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
  };

  return CUDA_CHECK (tessera_cuda_resize (&params, self->stream), error);
}

static gboolean
max_pool (TesseraCudaBackend   *self,
          const TesseraCudaOp  *op,
          GError              **error)
{
  TesseraKernelMaxPool params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = op->node->kernel,
    .stride = op->node->stride,
  };

  return CUDA_CHECK (tessera_cuda_max_pool (&params, self->stream), error);
}

static gboolean
grid (TesseraCudaBackend   *self,
      const TesseraCudaOp  *op,
      GError              **error)
{
  TesseraKernelGrid params = {
    .op = op->node->op - TESSERA_OP_GRID_TO_WINDOWS,
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .factor = op->node->factor,
    .parts = MAX (op->node->groups, 1),
    .in_channels = op->shapes[0].channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_channels = op->output_shape->channels,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
  };

  return CUDA_CHECK (tessera_cuda_grid (&params, self->stream), error);
}

static gboolean
reduce (TesseraCudaBackend   *self,
        const TesseraCudaOp  *op,
        GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLinear params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .in_channels = node->in_channels,
    .out_channels = node->out_channels,
    .activation = node->activation,
    .slope = node->slope,
  };

  if (node->op == TESSERA_OP_GLOBAL_AVG_POOL)
    return CUDA_CHECK (tessera_cuda_global_avg_pool (op->inputs[0]->data, op->output->data,
                                                     op->output_shape->channels,
                                                     (gsize) op->shapes[0].height * op->shapes[0].width,
                                                     self->stream), error);

  params.weight = tessera_cuda_backend_get_floats (self, node->weight,
                                                   (gsize) node->out_channels * node->in_channels, error);
  if (params.weight == NULL)
    return FALSE;
  if (node->bias != NULL &&
      (params.bias = tessera_cuda_backend_get_floats (self, node->bias, node->out_channels, error)) == NULL)
    return FALSE;
  return CUDA_CHECK (tessera_cuda_linear (&params, self->stream), error);
}

static gboolean
layer_norm (TesseraCudaBackend   *self,
            const TesseraCudaOp  *op,
            GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLayerNorm params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .plane = (gsize) op->output_shape->height * op->output_shape->width,
    .epsilon = node->epsilon,
  };

  if (node->weight != NULL &&
      (params.weight = tessera_cuda_backend_get_floats (self, node->weight, params.channels, error)) == NULL)
    return FALSE;
  if (node->bias != NULL &&
      (params.bias = tessera_cuda_backend_get_floats (self, node->bias, params.channels, error)) == NULL)
    return FALSE;
  return CUDA_CHECK (tessera_cuda_layer_norm (&params, self->stream), error);
}

/* Its statistics in double, in the im2col scratch: ops run in order, so
 * no convolution uses that meanwhile. */
static gboolean
group_norm (TesseraCudaBackend   *self,
            const TesseraCudaOp  *op,
            GError              **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelGroupNorm params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .groups = node->groups,
    .plane = (gsize) op->output_shape->height * op->output_shape->width,
    .epsilon = node->epsilon,
    .activation = node->activation,
    .slope = node->slope,
  };

  if ((node->weight != NULL &&
       (params.weight = tessera_cuda_backend_get_floats (self, node->weight, params.channels, error)) == NULL) ||
      (node->bias != NULL &&
       (params.bias = tessera_cuda_backend_get_floats (self, node->bias, params.channels, error)) == NULL) ||
      (node->activation == TESSERA_ACTIVATION_PRELU &&
       (params.slopes = tessera_cuda_backend_get_floats (self, node->slopes, params.channels, error)) == NULL))
    return FALSE;
  params.sums = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_COLUMNS,
                                              2 * (gsize) params.channels * sizeof (double), error);
  return params.sums != NULL && CUDA_CHECK (tessera_cuda_group_norm (&params, self->stream), error);
}

/* The caller's values, uploaded at every run: they may have changed. */
static gboolean
constant (TesseraCudaBackend   *self,
          const TesseraCudaOp  *op,
          GError              **error)
{
  return tessera_cuda_backend_upload (&self->parent, op->output, op->node->weight,
                                      tessera_shape_size (op->output_shape), error);
}

gboolean
tessera_cuda_backend_compute_op (TesseraCudaBackend   *self,
                                 const TesseraCudaOp  *op,
                                 GError              **error)
{
  const TesseraNode *node = op->node;

  switch (node->op)
    {
    case TESSERA_OP_CONV2D:
      return conv2d (self, op, error);
    case TESSERA_OP_DECONV2D:
      return deconv2d (self, op, error);
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_MUL:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
    case TESSERA_OP_GEGLU:
      return elementwise (self, op, error);
    case TESSERA_OP_CONCAT:
    case TESSERA_OP_PIXEL_SHUFFLE:
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
      return layout (self, op, error);
    case TESSERA_OP_RESIZE:
      return resize (self, op, error);
    case TESSERA_OP_MAX_POOL:
      return max_pool (self, op, error);
    case TESSERA_OP_GRID_TO_WINDOWS:
    case TESSERA_OP_WINDOWS_TO_GRID:
    case TESSERA_OP_GRID_TO_CHANNELS:
    case TESSERA_OP_CHANNELS_TO_GRID:
      return grid (self, op, error);
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_LINEAR:
      return reduce (self, op, error);
    case TESSERA_OP_LAYER_NORM:
      return layer_norm (self, op, error);
    case TESSERA_OP_GROUP_NORM:
      return group_norm (self, op, error);
    case TESSERA_OP_TOKEN_ATTENTION:
      return tessera_cuda_backend_token_attention (self, op, error);
    case TESSERA_OP_CONSTANT:
      return constant (self, op, error);
    case TESSERA_OP_WINDOW_ATTENTION:
      return tessera_cuda_backend_window_attention (self, op, error);
    case TESSERA_OP_CHANNEL_ATTENTION:
      return tessera_cuda_backend_channel_attention (self, op, error);
    case TESSERA_OP_DYSAMPLE:   /* on the CPU: see cuda_supports () */
    case TESSERA_OP_CATEGORY_GATHER:
    case TESSERA_OP_CATEGORY_SCATTER:
    case TESSERA_OP_INPUT:
    case TESSERA_N_OPS:
      break;
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, "op %d", node->op);
  return FALSE;
}

