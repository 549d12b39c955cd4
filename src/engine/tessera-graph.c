/* tessera-graph.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-graph"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "backends/tessera-backend-private.h"
#include "tessera-error.h"
#include "tessera-graph-private.h"

struct _TesseraGraph
{
  GArray    *nodes;       /* TesseraNode */
  GPtrArray *floats;      /* weights the graph owns */
};

TesseraGraph *
tessera_graph_new (guint in_channels)
{
  TesseraGraph *self = g_new0 (TesseraGraph, 1);
  TesseraNode input = { .op = TESSERA_OP_INPUT, .out_channels = in_channels, .residual = -1 };

  self->nodes = g_array_new (FALSE, TRUE, sizeof (TesseraNode));
  self->floats = g_ptr_array_new_with_free_func (g_free);
  input.channels = in_channels;
  g_array_append_val (self->nodes, input);
  return self;
}

void
tessera_graph_free (TesseraGraph *self)
{
  g_array_unref (self->nodes);
  g_ptr_array_unref (self->floats);
  g_free (self);
}

guint
tessera_graph_get_n_nodes (TesseraGraph *self)
{
  return self->nodes->len;
}

const TesseraNode *
tessera_graph_get_node (TesseraGraph *self,
                        guint         index)
{
  return &g_array_index (self->nodes, TesseraNode, index);
}

/* The last node is the output. */
guint
tessera_graph_get_output (TesseraGraph *self)
{
  return self->nodes->len - 1;
}

/* Takes a g_malloc'ed weight array that nodes will point into. */
const float *
tessera_graph_keep_floats (TesseraGraph *self,
                           float        *floats)
{
  g_ptr_array_add (self->floats, floats);
  return floats;
}

static TesseraNode *
node_at (TesseraGraph *self,
         guint         index)
{
  return &g_array_index (self->nodes, TesseraNode, index);
}

guint
tessera_graph_get_channels (TesseraGraph *self,
                            guint         node)
{
  return node_at (self, node)->channels;
}

/* The channels a node's output has, from its inputs'. */
static guint
output_channels (TesseraGraph      *self,
                 const TesseraNode *node)
{
  guint first = node->n_inputs > 0 ? node_at (self, node->inputs[0])->channels : 0;
  guint sum = 0;

  switch (node->op)
    {
    case TESSERA_OP_INPUT:
    case TESSERA_OP_CONV2D:
    case TESSERA_OP_DECONV2D:
    case TESSERA_OP_LINEAR:
      return node->out_channels;
    case TESSERA_OP_CONCAT:
      for (guint k = 0; k < node->n_inputs; k++)
        sum += node_at (self, node->inputs[k])->channels;
      return sum;
    case TESSERA_OP_PIXEL_SHUFFLE:
      return first / MAX (1, node->factor * node->factor);
    case TESSERA_OP_PIXEL_UNSHUFFLE:
      return first * node->factor * node->factor;
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_RESIZE:
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
    case TESSERA_N_OPS:
    default:
      return first;
    }
}

guint
tessera_graph_add (TesseraGraph      *self,
                   const TesseraNode *node)
{
  g_array_append_vals (self->nodes, node, 1);
  node_at (self, self->nodes->len - 1)->channels = output_channels (self, node);
  return self->nodes->len - 1;
}

static TesseraNode
node_init (TesseraOp op)
{
  return (TesseraNode) { .op = op, .residual = -1, .scale_a = 1.f, .scale_b = 1.f, .stride = 1 };
}

guint
tessera_graph_conv (TesseraGraph *self,
                    const guint  *inputs,
                    guint         n_inputs,
                    guint         out_channels,
                    guint         in_channels,
                    guint         kernel,
                    guint         stride,
                    guint         padding,
                    const float  *weight,
                    const float  *bias)
{
  TesseraNode node = node_init (TESSERA_OP_CONV2D);

  g_assert (n_inputs >= 1 && n_inputs <= TESSERA_NODE_MAX_INPUTS);
  memcpy (node.inputs, inputs, n_inputs * sizeof (guint));
  node.n_inputs = n_inputs;
  node.out_channels = out_channels;
  node.in_channels = in_channels;
  node.kernel = kernel;
  node.stride = stride;
  node.padding = padding;
  node.weight = weight;
  node.bias = bias;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_deconv (TesseraGraph *self,
                      guint         input,
                      guint         out_channels,
                      guint         in_channels,
                      guint         kernel,
                      guint         stride,
                      guint         padding,
                      const float  *weight,
                      const float  *bias)
{
  guint node = tessera_graph_conv (self, &input, 1, out_channels, in_channels, kernel, stride, padding,
                                   weight, bias);

  node_at (self, node)->op = TESSERA_OP_DECONV2D;
  return node;
}

guint
tessera_graph_activate (TesseraGraph      *self,
                        guint              input,
                        TesseraActivation  activation,
                        float              slope)
{
  TesseraNode node = node_init (TESSERA_OP_ACTIVATION);

  node.inputs[0] = input;
  node.n_inputs = 1;
  node.activation = activation;
  node.slope = slope;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_add_nodes (TesseraGraph *self,
                         guint         a,
                         float         scale_a,
                         guint         b,
                         float         scale_b)
{
  TesseraNode node = node_init (TESSERA_OP_ADD);

  node.inputs[0] = a;
  node.inputs[1] = b;
  node.n_inputs = 2;
  node.scale_a = scale_a;
  node.scale_b = scale_b;
  return tessera_graph_add (self, &node);
}

static TesseraNode
unary_init (TesseraOp op,
            guint     input)
{
  TesseraNode node = node_init (op);

  node.inputs[0] = input;
  node.n_inputs = 1;
  return node;
}

guint
tessera_graph_unary (TesseraGraph *self,
                     TesseraOp     op,
                     guint         input)
{
  TesseraNode node = unary_init (op, input);

  return tessera_graph_add (self, &node);
}

guint
tessera_graph_binary (TesseraGraph *self,
                      TesseraOp     op,
                      guint         a,
                      guint         b)
{
  TesseraNode node = node_init (op);

  node.inputs[0] = a;
  node.inputs[1] = b;
  node.n_inputs = 2;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_concat (TesseraGraph *self,
                      const guint  *inputs,
                      guint         n_inputs)
{
  TesseraNode node = node_init (TESSERA_OP_CONCAT);

  g_assert (n_inputs >= 1 && n_inputs <= TESSERA_NODE_MAX_INPUTS);
  memcpy (node.inputs, inputs, n_inputs * sizeof (guint));
  node.n_inputs = n_inputs;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_shuffle (TesseraGraph *self,
                       TesseraOp     op,
                       guint         input,
                       guint         factor)
{
  TesseraNode node = unary_init (op, input);

  node.factor = factor;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_resize (TesseraGraph      *self,
                      guint              input,
                      TesseraResizeMode  mode,
                      double             factor)
{
  TesseraNode node = unary_init (TESSERA_OP_RESIZE, input);

  node.resize_mode = mode;
  node.resize_factor = factor;
  return tessera_graph_add (self, &node);
}

static guint
add_margins (TesseraGraph   *self,
             TesseraOp       op,
             guint           input,
             TesseraPadMode  mode,
             int             top,
             int             bottom,
             int             left,
             int             right)
{
  TesseraNode node = unary_init (op, input);

  node.pad_mode = mode;
  node.top = top;
  node.bottom = bottom;
  node.left = left;
  node.right = right;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_crop (TesseraGraph *self,
                    guint         input,
                    int           top,
                    int           bottom,
                    int           left,
                    int           right)
{
  return add_margins (self, TESSERA_OP_CROP, input, TESSERA_PAD_ZERO, top, bottom, left, right);
}

guint
tessera_graph_pad (TesseraGraph   *self,
                   guint           input,
                   TesseraPadMode  mode,
                   int             top,
                   int             bottom,
                   int             left,
                   int             right)
{
  return add_margins (self, TESSERA_OP_PAD, input, mode, top, bottom, left, right);
}

guint
tessera_graph_clamp (TesseraGraph *self,
                     guint         input,
                     float         min,
                     float         max)
{
  TesseraNode node = unary_init (TESSERA_OP_CLAMP, input);

  node.min = min;
  node.max = max;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_affine (TesseraGraph *self,
                      guint         input,
                      float         scale,
                      float         offset)
{
  TesseraNode node = unary_init (TESSERA_OP_AFFINE, input);

  node.scale_a = scale;
  node.scale_b = offset;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_linear (TesseraGraph *self,
                      guint         input,
                      guint         out_channels,
                      guint         in_channels,
                      const float  *weight,
                      const float  *bias)
{
  TesseraNode node = unary_init (TESSERA_OP_LINEAR, input);

  node.out_channels = out_channels;
  node.in_channels = in_channels;
  node.weight = weight;
  node.bias = bias;
  return tessera_graph_add (self, &node);
}

void
tessera_graph_set_activation (TesseraGraph      *self,
                              guint              node,
                              TesseraActivation  activation,
                              float              slope,
                              const float       *slopes)
{
  TesseraNode *n = node_at (self, node);

  n->activation = activation;
  n->slope = slope;
  n->slopes = slopes;
}

void
tessera_graph_set_residual (TesseraGraph *self,
                            guint         node,
                            float         scale,
                            guint         residual)
{
  TesseraNode *n = node_at (self, node);

  n->scale_a = scale;
  n->residual = residual;
}

static gboolean
shape_error (GError            **error,
             const TesseraNode  *node,
             guint               index,
             const char         *why)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
               _("the image is too small for this model (layer %u: %s)"), index, why);
  return FALSE;
}

static gboolean
same_size (const TesseraShape *a,
           const TesseraShape *b)
{
  return a->height == b->height && a->width == b->width;
}

/* Every node's output shape for an input of @input; fails when the input
 * is too small for a layer, or shapes do not agree. */
gboolean
tessera_graph_infer_shapes (TesseraGraph        *self,
                            const TesseraShape  *input,
                            TesseraShape        *shapes,
                            GError             **error)
{
  shapes[0] = *input;
  if (input->channels != node_at (self, 0)->out_channels)
    return shape_error (error, node_at (self, 0), 0, "channels");

  for (guint i = 1; i < self->nodes->len; i++)
    {
      const TesseraNode *n = node_at (self, i);
      const TesseraShape *a = &shapes[n->inputs[0]];
      const TesseraShape *b = n->n_inputs > 1 ? &shapes[n->inputs[1]] : NULL;
      TesseraShape *out = &shapes[i];
      guint channels = 0;
      gint64 h, w;

      *out = *a;
      switch (n->op)
        {
        case TESSERA_OP_CONV2D:
          for (guint k = 0; k < n->n_inputs; k++)
            {
              if (!same_size (&shapes[n->inputs[k]], a))
                return shape_error (error, n, i, "inputs of different sizes");
              channels += shapes[n->inputs[k]].channels;
            }
          if (channels != n->in_channels)
            return shape_error (error, n, i, "channel count");
          h = ((gint64) a->height + 2 * n->padding - n->kernel) / n->stride + 1;
          w = ((gint64) a->width + 2 * n->padding - n->kernel) / n->stride + 1;
          if ((gint64) a->height + 2 * n->padding < n->kernel || (gint64) a->width + 2 * n->padding < n->kernel)
            return shape_error (error, n, i, "smaller than the kernel");
          out->channels = n->out_channels;
          out->height = h;
          out->width = w;
          break;
        case TESSERA_OP_DECONV2D:
          if (a->channels != n->in_channels)
            return shape_error (error, n, i, "channel count");
          h = ((gint64) a->height - 1) * n->stride + n->kernel - 2 * (gint64) n->padding;
          w = ((gint64) a->width - 1) * n->stride + n->kernel - 2 * (gint64) n->padding;
          if (h < 1 || w < 1)
            return shape_error (error, n, i, "smaller than the kernel");
          out->channels = n->out_channels;
          out->height = h;
          out->width = w;
          break;
        case TESSERA_OP_ADD:
          if (a->channels != b->channels || !same_size (a, b))
            return shape_error (error, n, i, "adding tensors of different shapes");
          break;
        case TESSERA_OP_MUL_CHANNELS:
          if (a->channels != b->channels || b->height != 1 || b->width != 1)
            return shape_error (error, n, i, "per-channel factors of the wrong shape");
          break;
        case TESSERA_OP_CONCAT:
          out->channels = 0;
          for (guint k = 0; k < n->n_inputs; k++)
            {
              if (!same_size (&shapes[n->inputs[k]], a))
                return shape_error (error, n, i, "inputs of different sizes");
              out->channels += shapes[n->inputs[k]].channels;
            }
          break;
        case TESSERA_OP_PIXEL_SHUFFLE:
          if (a->channels % (n->factor * n->factor) != 0)
            return shape_error (error, n, i, "channels not a multiple of the factor's square");
          out->channels = a->channels / (n->factor * n->factor);
          out->height = a->height * n->factor;
          out->width = a->width * n->factor;
          break;
        case TESSERA_OP_PIXEL_UNSHUFFLE:
          if (a->height % n->factor != 0 || a->width % n->factor != 0)
            return shape_error (error, n, i, "size not a multiple of the factor");
          out->channels = a->channels * n->factor * n->factor;
          out->height = a->height / n->factor;
          out->width = a->width / n->factor;
          break;
        case TESSERA_OP_RESIZE:
          out->height = (guint) floor (a->height * n->resize_factor + 0.5);
          out->width = (guint) floor (a->width * n->resize_factor + 0.5);
          if (out->height == 0 || out->width == 0)
            return shape_error (error, n, i, "resized to nothing");
          break;
        case TESSERA_OP_GLOBAL_AVG_POOL:
          out->height = out->width = 1;
          break;
        case TESSERA_OP_LINEAR:
          if (a->channels != n->in_channels || a->height != 1 || a->width != 1)
            return shape_error (error, n, i, "a linear layer's input of the wrong shape");
          out->channels = n->out_channels;
          break;
        case TESSERA_OP_CROP:
          h = (gint64) a->height - n->top - n->bottom;
          w = (gint64) a->width - n->left - n->right;
          if (h < 1 || w < 1)
            return shape_error (error, n, i, "cropped to nothing");
          out->height = h;
          out->width = w;
          break;
        case TESSERA_OP_PAD:
          /* Reflection cannot reach further than the image is wide. */
          if (n->pad_mode == TESSERA_PAD_REFLECT &&
              ((guint) MAX (n->top, n->bottom) >= a->height || (guint) MAX (n->left, n->right) >= a->width))
            return shape_error (error, n, i, "too small to reflect");
          out->height = a->height + n->top + n->bottom;
          out->width = a->width + n->left + n->right;
          break;
        case TESSERA_OP_ACTIVATION:
        case TESSERA_OP_CLAMP:
        case TESSERA_OP_AFFINE:
        case TESSERA_OP_INPUT:
        case TESSERA_N_OPS:
        default:
          break;
        }

      if (n->residual >= 0 && (shapes[n->residual].channels != out->channels || !same_size (&shapes[n->residual], out)))
        return shape_error (error, n, i, "a residual of the wrong shape");
    }

  return TRUE;
}

/* Multiply-adds for an input of @input (0 when it does not fit). */
guint64
tessera_graph_count_macs (TesseraGraph       *self,
                          const TesseraShape *input)
{
  g_autofree TesseraShape *shapes = g_new (TesseraShape, self->nodes->len);
  guint64 macs = 0;

  if (!tessera_graph_infer_shapes (self, input, shapes, NULL))
    return 0;

  for (guint i = 1; i < self->nodes->len; i++)
    {
      const TesseraNode *n = node_at (self, i);
      const TesseraShape *a = &shapes[n->inputs[0]];

      if (n->op == TESSERA_OP_CONV2D)
        macs += (guint64) shapes[i].height * shapes[i].width * n->out_channels * n->in_channels * n->kernel * n->kernel;
      else if (n->op == TESSERA_OP_DECONV2D)
        macs += (guint64) a->height * a->width * n->out_channels * n->in_channels * n->kernel * n->kernel;
      else if (n->op == TESSERA_OP_LINEAR)
        macs += (guint64) n->out_channels * n->in_channels;
    }

  return macs;
}

static gsize
shape_size (const TesseraShape *shape)
{
  return (gsize) shape->channels * shape->height * shape->width;
}

/* The node after which node i is no longer read. */
static void
find_last_uses (TesseraGraph *self,
                guint        *last_use)
{
  for (guint i = 0; i < self->nodes->len; i++)
    last_use[i] = i;

  for (guint i = 1; i < self->nodes->len; i++)
    {
      const TesseraNode *n = node_at (self, i);

      for (guint k = 0; k < n->n_inputs; k++)
        last_use[n->inputs[k]] = MAX (last_use[n->inputs[k]], i);
      if (n->residual >= 0)
        last_use[n->residual] = MAX (last_use[n->residual], i);
    }

  last_use[self->nodes->len - 1] = self->nodes->len;
}

/* The most floats alive at once while running on @input, the output and
 * input included; what a tile size is chosen by. */
gsize
tessera_graph_peak_floats (TesseraGraph       *self,
                           const TesseraShape *input)
{
  g_autofree TesseraShape *shapes = g_new (TesseraShape, self->nodes->len);
  g_autofree guint *last_use = g_new (guint, self->nodes->len);
  gsize live = 0, peak = 0;

  if (!tessera_graph_infer_shapes (self, input, shapes, NULL))
    return 0;

  find_last_uses (self, last_use);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      live += shape_size (&shapes[i]);
      peak = MAX (peak, live);
      for (guint j = 0; j <= i; j++)
        if (last_use[j] == i)
          live -= shape_size (&shapes[j]);
    }

  return peak;
}

void
tessera_backend_free (TesseraBackend *self)
{
  if (self != NULL)
    self->vtable->free (self);
}

/**
 * tessera_graph_run:
 * @output: room for the output node's shape, as tessera_graph_infer_shapes() says
 *
 * Runs @graph on @backend: each node's buffer is made when the node runs
 * and freed after the last node that reads it. A cancellation is noticed
 * between nodes.
 */
gboolean
tessera_graph_run (TesseraGraph        *self,
                   TesseraBackend      *backend,
                   const float         *input,
                   const TesseraShape  *input_shape,
                   float               *output,
                   GCancellable        *cancellable,
                   GError             **error)
{
  const TesseraBackendVTable *vt = backend->vtable;
  guint n = self->nodes->len;
  g_autofree TesseraShape *shapes = g_new (TesseraShape, n);
  g_autofree guint *last_use = g_new (guint, n);
  g_autofree TesseraBuffer **buffers = g_new0 (TesseraBuffer *, n);
  gboolean ok = FALSE;

  if (!tessera_graph_infer_shapes (self, input_shape, shapes, error))
    return FALSE;
  find_last_uses (self, last_use);

  buffers[0] = vt->buffer_new (backend, shape_size (&shapes[0]), error);
  if (buffers[0] == NULL || !vt->upload (backend, buffers[0], input, shape_size (&shapes[0]), error))
    goto out;

  for (guint i = 1; i < n; i++)
    {
      const TesseraNode *node = node_at (self, i);
      TesseraBuffer *inputs[TESSERA_NODE_MAX_INPUTS];
      TesseraShape input_shapes[TESSERA_NODE_MAX_INPUTS];

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      for (guint k = 0; k < node->n_inputs; k++)
        {
          inputs[k] = buffers[node->inputs[k]];
          input_shapes[k] = shapes[node->inputs[k]];
        }

      buffers[i] = vt->buffer_new (backend, shape_size (&shapes[i]), error);
      if (buffers[i] == NULL ||
          !vt->compute (backend, node, inputs, input_shapes,
                        node->residual >= 0 ? buffers[node->residual] : NULL,
                        buffers[i], &shapes[i], error))
        goto out;

      for (guint j = 0; j < i; j++)
        if (last_use[j] == i && buffers[j] != NULL)
          {
            vt->buffer_free (backend, buffers[j]);
            buffers[j] = NULL;
          }
    }

  ok = vt->download (backend, buffers[n - 1], output, shape_size (&shapes[n - 1]), error);

out:
  for (guint i = 0; i < n; i++)
    if (buffers[i] != NULL)
      vt->buffer_free (backend, buffers[i]);
  return ok;
}
