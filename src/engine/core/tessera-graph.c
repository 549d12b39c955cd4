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

#include "tessera-error.h"
#include "tessera-graph-private.h"

struct _TesseraGraph
{
  GArray    *nodes;       /* TesseraNode */
  GPtrArray *floats;      /* weights the graph owns */
  TesseraStripes stripes; /* rows 0: no stripes */
  guint      batch;       /* samples per run, 1 or more */
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
  self->batch = 1;
  return self;
}

void
tessera_graph_free (TesseraGraph *self)
{
  g_array_unref (self->nodes);
  g_ptr_array_unref (self->floats);
  g_free (self);
}

/* Runs of @self then take @batch samples at once, every tensor (the
 * input, the CONSTANT nodes' values, the output) holding @batch tensors
 * of its shape one after the other. */
void
tessera_graph_set_batch (TesseraGraph *self,
                         guint         batch)
{
  g_return_if_fail (batch > 0);
  self->batch = batch;
}

guint
tessera_graph_get_batch (TesseraGraph *self)
{
  return self->batch;
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

/* Takes g_malloc'ed memory that nodes will point into. */
gconstpointer
tessera_graph_keep (TesseraGraph *self,
                    gpointer      data)
{
  g_ptr_array_add (self->floats, data);
  return data;
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
    case TESSERA_OP_WINDOW_ATTENTION:
    case TESSERA_OP_CHANNEL_ATTENTION:
    case TESSERA_OP_CONSTANT:
      return node->out_channels;
    case TESSERA_OP_GEGLU:
      return first / 2;
    case TESSERA_OP_CONCAT:
      for (guint k = 0; k < node->n_inputs; k++)
        sum += node_at (self, node->inputs[k])->channels;
      return sum;
    case TESSERA_OP_PIXEL_SHUFFLE:
      return first / MAX (1, node->factor * node->factor);
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_GRID_TO_CHANNELS:
      return first * node->factor * node->factor;
    case TESSERA_OP_CHANNELS_TO_GRID:
      return first / MAX (1, node->factor * node->factor);
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_MUL:
    case TESSERA_OP_RESIZE:
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
    case TESSERA_OP_LAYER_NORM:
    case TESSERA_OP_MAX_POOL:
    case TESSERA_OP_GRID_TO_WINDOWS:
    case TESSERA_OP_WINDOWS_TO_GRID:
    case TESSERA_OP_GROUP_NORM:
    case TESSERA_OP_TOKEN_ATTENTION:
    case TESSERA_OP_DYSAMPLE:
    case TESSERA_OP_CATEGORY_GATHER:
    case TESSERA_OP_CATEGORY_SCATTER:
    case TESSERA_N_OPS:
      break;
    }

  return first;
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

/* Resizes @input to the height and width of node @like's output, as
 * F.interpolate (size=…) does. */
guint
tessera_graph_resize_to (TesseraGraph      *self,
                         guint              input,
                         TesseraResizeMode  mode,
                         guint              like)
{
  TesseraNode node = unary_init (TESSERA_OP_RESIZE, input);

  node.inputs[1] = like;
  node.n_inputs = 2;
  node.resize_mode = mode;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_max_pool (TesseraGraph *self,
                        guint         input,
                        guint         kernel,
                        guint         stride)
{
  TesseraNode node = unary_init (TESSERA_OP_MAX_POOL, input);

  node.kernel = kernel;
  node.stride = stride;
  return tessera_graph_add (self, &node);
}

/* DySample's sampling (spandrel's __arch_helpers/dysample.py, after its
 * offsets are made): output pixel (y·factor + i, x·factor + j) of group g
 * is @input's channels of that group sampled bilinearly, clamped to the
 * border, at (x + dx, y + dy), dx and dy being @offsets' channels
 * (g · factor² + i · factor + j) and (groups + g) · factor² + … at (y, x). */
guint
tessera_graph_dysample (TesseraGraph *self,
                        guint         input,
                        guint         offsets,
                        guint         factor,
                        guint         groups)
{
  TesseraNode node = node_init (TESSERA_OP_DYSAMPLE);

  node.inputs[0] = input;
  node.inputs[1] = offsets;
  node.n_inputs = 2;
  node.factor = factor;
  node.groups = groups;
  return tessera_graph_add (self, &node);
}

/* ATD's category grouping (TESSERA_OP_CATEGORY_GATHER or _SCATTER) of
 * @input by the categories @scores give its pixels, in groups of
 * @group_size. */
guint
tessera_graph_category (TesseraGraph *self,
                        TesseraOp     op,
                        guint         input,
                        guint         scores,
                        guint         group_size)
{
  TesseraNode node = node_init (op);

  node.inputs[0] = input;
  node.inputs[1] = scores;
  node.n_inputs = 2;
  node.factor = group_size;
  return tessera_graph_add (self, &node);
}

/* One of the grid permutations (TESSERA_OP_GRID_TO_WINDOWS …); @parts
 * only for GRID_TO_CHANNELS. */
guint
tessera_graph_grid (TesseraGraph *self,
                    TesseraOp     op,
                    guint         input,
                    guint         factor,
                    guint         parts)
{
  TesseraNode node = unary_init (op, input);

  node.factor = factor;
  node.groups = MAX (parts, 1);
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

guint
tessera_graph_layer_norm (TesseraGraph *self,
                          guint         input,
                          const float  *weight,
                          const float  *bias,
                          float         epsilon)
{
  TesseraNode node = unary_init (TESSERA_OP_LAYER_NORM, input);

  node.weight = weight;
  node.bias = bias;
  node.epsilon = epsilon;
  return tessera_graph_add (self, &node);
}

/* nn.GroupNorm with @groups groups, then @activation (SiLU in Stable
 * Diffusion's blocks). @weight and @bias are nullable. */
guint
tessera_graph_group_norm (TesseraGraph      *self,
                          guint              input,
                          guint              groups,
                          const float       *weight,
                          const float       *bias,
                          float              epsilon,
                          TesseraActivation  activation)
{
  TesseraNode node = unary_init (TESSERA_OP_GROUP_NORM, input);

  node.groups = groups;
  node.weight = weight;
  node.bias = bias;
  node.epsilon = epsilon;
  node.activation = activation;
  return tessera_graph_add (self, &node);
}

/* Multi-head attention of @q's tokens over @k's and @v's, @heads heads
 * splitting the channels; @scale 0 stands for 1/√head_dim. */
guint
tessera_graph_token_attention (TesseraGraph *self,
                               guint         q,
                               guint         k,
                               guint         v,
                               guint         heads,
                               float         scale,
                               gboolean      causal)
{
  TesseraNode node = node_init (TESSERA_OP_TOKEN_ATTENTION);
  guint head_dim = heads > 0 ? node_at (self, q)->channels / heads : 0;

  node.inputs[0] = q;
  node.inputs[1] = k;
  node.inputs[2] = v;
  node.n_inputs = 3;
  node.heads = heads;
  node.softmax_scale = scale > 0.f ? scale : 1.f / sqrtf ((float) MAX (head_dim, 1));
  node.causal = causal;
  return tessera_graph_add (self, &node);
}

guint
tessera_graph_geglu (TesseraGraph *self,
                     guint         input)
{
  return tessera_graph_unary (self, TESSERA_OP_GEGLU, input);
}

/* A node whose output is @values, of @shape: the graph reads them at each
 * run, so the caller may change them between runs, and keeps them. */
guint
tessera_graph_constant (TesseraGraph       *self,
                        const TesseraShape *shape,
                        const float        *values)
{
  TesseraNode node = node_init (TESSERA_OP_CONSTANT);

  node.shape = *shape;
  node.out_channels = shape->channels;
  node.weight = values;
  return tessera_graph_add (self, &node);
}

/* The graph keeps a copy of @attention; its arrays stay the caller's. */
guint
tessera_graph_window_attention (TesseraGraph           *self,
                                guint                   input,
                                const TesseraAttention *attention)
{
  TesseraNode node = unary_init (TESSERA_OP_WINDOW_ATTENTION, input);

  node.attention = tessera_graph_keep (self, g_memdup2 (attention, sizeof *attention));
  node.in_channels = attention->qkv_weight != NULL ? attention->channels : 3 * attention->channels;
  node.out_channels = attention->channels;
  return tessera_graph_add (self, &node);
}

/* The graph keeps a copy of @attention; its arrays stay the caller's. */
guint
tessera_graph_channel_attention (TesseraGraph                  *self,
                                 guint                          input,
                                 const TesseraChannelAttention *attention)
{
  TesseraNode node = unary_init (TESSERA_OP_CHANNEL_ATTENTION, input);

  node.channel_attention = tessera_graph_keep (self, g_memdup2 (attention, sizeof *attention));
  node.in_channels = 3 * attention->channels;
  node.out_channels = attention->channels;
  return tessera_graph_add (self, &node);
}

void
tessera_graph_set_groups (TesseraGraph *self,
                          guint         node,
                          guint         groups)
{
  node_at (self, node)->groups = groups;
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

/* A key/value window, when set, holds the query window. Permuted keys
 * come from 2 × 2 pixels of projected windows. */
static gboolean
attention_kv_window_fits (const TesseraAttention *at)
{
  if (at->permuted)
    return at->kv_window_h == 0 && at->kv_window_w == 0 && at->window_h % 2 == 0 && at->window_w % 2 == 0 &&
           at->channels % 4 == 0 && at->qkv_weight != NULL;
  if (at->kv_window_h == 0 && at->kv_window_w == 0)
    return TRUE;
  return at->kv_window_h >= at->window_h && at->kv_window_w >= at->window_w && !at->shift_mask;
}

static gboolean
shape_error (GError            **error,
             const TesseraNode  *node,
             guint               index,
             const char         *why)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
               _("layer %u: %s"), index, why);
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
          if (n->groups > 1 && (n->in_channels % n->groups != 0 || n->out_channels % n->groups != 0 ||
                                n->n_inputs != 1))
            return shape_error (error, n, i, "channels not split evenly into groups");
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
          /* b may be one value per channel, as a time embedding. */
          if (a->channels != b->channels || (!same_size (a, b) && (b->height != 1 || b->width != 1)))
            return shape_error (error, n, i, "adding tensors of different shapes");
          break;
        case TESSERA_OP_MUL:
          if ((a->channels != b->channels && b->channels != 1) || !same_size (a, b))
            return shape_error (error, n, i, "multiplying tensors of different shapes");
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
          out->height = b != NULL ? b->height : (guint) floor (a->height * n->resize_factor + 0.5);
          out->width = b != NULL ? b->width : (guint) floor (a->width * n->resize_factor + 0.5);
          if (out->height == 0 || out->width == 0)
            return shape_error (error, n, i, "resized to nothing");
          break;
        case TESSERA_OP_GLOBAL_AVG_POOL:
          out->height = out->width = 1;
          break;
        case TESSERA_OP_DYSAMPLE:
          if (n->factor == 0 || n->groups == 0 || a->channels % n->groups != 0 || !same_size (a, b) ||
              b->channels != 2 * n->groups * n->factor * n->factor)
            return shape_error (error, n, i, "offsets that do not fit the input");
          out->height = a->height * n->factor;
          out->width = a->width * n->factor;
          break;
        case TESSERA_OP_CATEGORY_GATHER:
        case TESSERA_OP_CATEGORY_SCATTER:
          {
            guint64 pixels = (guint64) b->height * b->width;
            guint64 group = MIN (pixels, (guint64) n->factor);
            guint64 length = group > 0 ? (pixels + group - 1) / group * group : 0;

            if (group == 0 || b->channels == 0 || length > G_MAXUINT)
              return shape_error (error, n, i, "no categories or no group size");
            if (n->op == TESSERA_OP_CATEGORY_GATHER)
              {
                if (!same_size (a, b))
                  return shape_error (error, n, i, "scores that do not fit the input");
                out->height = 1;
                out->width = (guint) length;
              }
            else
              {
                if (a->height != 1 || a->width != length)
                  return shape_error (error, n, i, "a row that does not fit the scores");
                out->height = b->height;
                out->width = b->width;
              }
          }
          break;
        case TESSERA_OP_MAX_POOL:
          if (n->kernel == 0 || n->stride == 0 || a->height < n->kernel || a->width < n->kernel)
            return shape_error (error, n, i, "smaller than the pooling window");
          out->height = (a->height - n->kernel) / n->stride + 1;
          out->width = (a->width - n->kernel) / n->stride + 1;
          break;
        case TESSERA_OP_GRID_TO_WINDOWS:
        case TESSERA_OP_WINDOWS_TO_GRID:
          if (n->factor == 0 || a->height % n->factor != 0 || a->width % n->factor != 0)
            return shape_error (error, n, i, "size not a multiple of the grid");
          break;
        case TESSERA_OP_GRID_TO_CHANNELS:
          if (n->factor == 0 || a->height % n->factor != 0 || a->width % n->factor != 0)
            return shape_error (error, n, i, "size not a multiple of the grid");
          if (a->channels % n->groups != 0)
            return shape_error (error, n, i, "channels not split evenly into parts");
          out->channels = a->channels * n->factor * n->factor;
          out->height = a->height / n->factor;
          out->width = a->width / n->factor;
          break;
        case TESSERA_OP_CHANNELS_TO_GRID:
          if (n->factor == 0 || a->channels % (n->factor * n->factor) != 0)
            return shape_error (error, n, i, "channels not a multiple of the factor's square");
          out->channels = a->channels / (n->factor * n->factor);
          out->height = a->height * n->factor;
          out->width = a->width * n->factor;
          break;
        case TESSERA_OP_LINEAR:
          if (a->channels != n->in_channels || a->height != 1 || a->width != 1)
            return shape_error (error, n, i, "a linear layer's input of the wrong shape");
          out->channels = n->out_channels;
          break;
        case TESSERA_OP_WINDOW_ATTENTION:
          if (a->channels != n->in_channels)
            return shape_error (error, n, i, "channel count");
          if (a->height % n->attention->window_h != 0 || a->width % n->attention->window_w != 0)
            return shape_error (error, n, i, "size not a multiple of the attention window");
          if (!attention_kv_window_fits (n->attention))
            return shape_error (error, n, i, "a key/value window that does not fit the query window");
          out->channels = n->out_channels;
          break;
        case TESSERA_OP_CHANNEL_ATTENTION:
          if (a->channels != n->in_channels)
            return shape_error (error, n, i, "channel count");
          if (n->channel_attention->window_h != 0 &&
              (a->height % n->channel_attention->window_h != 0 || a->width % n->channel_attention->window_w != 0))
            return shape_error (error, n, i, "size not a multiple of the attention window");
          out->channels = n->out_channels;
          break;
        case TESSERA_OP_GROUP_NORM:
          if (n->groups == 0 || a->channels % n->groups != 0)
            return shape_error (error, n, i, "channels not split evenly into groups");
          break;
        case TESSERA_OP_TOKEN_ATTENTION:
          {
            const TesseraShape *v = &shapes[n->inputs[2]];

            if (n->heads == 0 || a->channels % n->heads != 0)
              return shape_error (error, n, i, "channels not split evenly into heads");
            if (b->channels != a->channels || v->channels != a->channels)
              return shape_error (error, n, i, "queries, keys and values of different widths");
            if ((gsize) b->height * b->width != (gsize) v->height * v->width)
              return shape_error (error, n, i, "as many keys as values");
          }
          break;
        case TESSERA_OP_GEGLU:
          if (a->channels % 2 != 0)
            return shape_error (error, n, i, "an odd number of channels to halve");
          out->channels = a->channels / 2;
          break;
        case TESSERA_OP_CONSTANT:
          *out = n->shape;
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
          if (n->pad_mode == TESSERA_PAD_SYMMETRIC &&
              ((guint) MAX (n->top, n->bottom) > a->height || (guint) MAX (n->left, n->right) > a->width))
            return shape_error (error, n, i, "too small to mirror");
          out->height = a->height + n->top + n->bottom;
          out->width = a->width + n->left + n->right;
          break;
        case TESSERA_OP_ACTIVATION:
        case TESSERA_OP_CLAMP:
        case TESSERA_OP_AFFINE:
        case TESSERA_OP_LAYER_NORM:
        case TESSERA_OP_INPUT:
        case TESSERA_N_OPS:
          break;
        }

      if (n->residual >= 0 && (shapes[n->residual].channels != out->channels || !same_size (&shapes[n->residual], out)))
        return shape_error (error, n, i, "a residual of the wrong shape");
    }

  return TRUE;
}

/* Multiply-adds for an input of @input (0 when it does not fit): those of
 * the convolutions, linear layers and attentions; norms and elementwise
 * ops count none. */
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
        macs += (guint64) shapes[i].height * shapes[i].width * n->out_channels * n->in_channels * n->kernel * n->kernel /
                MAX (n->groups, 1);
      else if (n->op == TESSERA_OP_DECONV2D)
        macs += (guint64) a->height * a->width * n->out_channels * n->in_channels * n->kernel * n->kernel;
      else if (n->op == TESSERA_OP_LINEAR)
        macs += (guint64) n->out_channels * n->in_channels;
      else if (n->op == TESSERA_OP_WINDOW_ATTENTION)
        {
          const TesseraAttention *at = n->attention;
          guint64 c = at->channels;
          guint64 tokens = (guint64) MAX (at->kv_window_h, at->window_h) * MAX (at->kv_window_w, at->window_w);
          guint64 kv_projection = at->qkv_weight != NULL ? 2 * c * c * tokens / (at->window_h * at->window_w) : 0;

          if (at->permuted)
            {
              tokens /= 4;
              kv_projection = c * c / 2;
            }

          /* Projections (k and v for each overlapping kv window's
           * pixels), then q·kᵀ and the weights times v. */
          macs += (guint64) a->height * a->width *
                  ((at->qkv_weight != NULL ? c * c : 0) + kv_projection + (at->proj_weight != NULL ? c * c : 0) +
                   2 * tokens * c);
        }
      else if (n->op == TESSERA_OP_CHANNEL_ATTENTION)
        /* q·kᵀ and the weights times v: head_dim per channel and pixel. */
        macs += (guint64) a->height * a->width * 2 * n->out_channels * (n->out_channels / n->channel_attention->heads);
      else if (n->op == TESSERA_OP_TOKEN_ATTENTION)
        /* q·kᵀ and the weights times v, every key for every query (the
         * causal mask's half included). */
        macs += (guint64) a->height * a->width * shapes[n->inputs[1]].height * shapes[n->inputs[1]].width * 2 *
                a->channels;
    }

  return macs;
}

/* The node after which node i is no longer read, when node @last is the
 * output. */
void
tessera_graph_find_last_uses (TesseraGraph *self,
                guint         last,
                guint        *last_use)
{
  for (guint i = 0; i <= last; i++)
    last_use[i] = i;

  for (guint i = 1; i <= last; i++)
    {
      const TesseraNode *n = node_at (self, i);

      for (guint k = 0; k < n->n_inputs; k++)
        last_use[n->inputs[k]] = MAX (last_use[n->inputs[k]], i);
      if (n->residual >= 0)
        last_use[n->residual] = MAX (last_use[n->residual], i);
    }

  last_use[last] = last + 1;
}

/* The most floats alive at once while nodes 0…@last run. */
static gsize
peak_of_nodes (TesseraGraph       *self,
               const TesseraShape *shapes,
               guint               last)
{
  g_autofree guint *last_use = g_new (guint, last + 1);
  gsize live = 0, peak = 0;

  tessera_graph_find_last_uses (self, last, last_use);
  for (guint i = 0; i <= last; i++)
    {
      live += tessera_shape_size (&shapes[i]);
      peak = MAX (peak, live);
      for (guint j = 0; j <= i; j++)
        if (last_use[j] == i)
          live -= tessera_shape_size (&shapes[j]);
    }

  return peak;
}

/* Whether node @n reads only nearby rows, so a stripe of its output needs
 * a stripe of its inputs; and how it scales rows and spreads a wrong row
 * near a stripe's edge. */
static gboolean
is_row_local (const TesseraNode *n,
              guint             *factor,
              guint             *spread)
{
  *factor = 1;
  *spread = 0;

  switch (n->op)
    {
    case TESSERA_OP_CONV2D:
      *spread = n->padding;
      return n->stride == 1 && 2 * n->padding + 1 == n->kernel;
    case TESSERA_OP_RESIZE:
      *factor = (guint) n->resize_factor;
      *spread = n->resize_mode == TESSERA_RESIZE_NEAREST ? 0 : 2;
      return n->n_inputs == 1 && n->resize_factor >= 1.0 && *factor == n->resize_factor;
    case TESSERA_OP_PIXEL_SHUFFLE:
      *factor = n->factor;
      return TRUE;
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL:
    case TESSERA_OP_CONCAT:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
    case TESSERA_OP_LAYER_NORM:
    case TESSERA_OP_GEGLU:
      return TRUE;
    case TESSERA_OP_GROUP_NORM:
    case TESSERA_OP_TOKEN_ATTENTION:
    case TESSERA_OP_CONSTANT:
    case TESSERA_OP_DYSAMPLE:
    case TESSERA_OP_CATEGORY_GATHER:
    case TESSERA_OP_CATEGORY_SCATTER:
    case TESSERA_OP_WINDOW_ATTENTION:
    case TESSERA_OP_CHANNEL_ATTENTION:
    case TESSERA_OP_MAX_POOL:
    case TESSERA_OP_GRID_TO_WINDOWS:
    case TESSERA_OP_WINDOWS_TO_GRID:
    case TESSERA_OP_GRID_TO_CHANNELS:
    case TESSERA_OP_CHANNELS_TO_GRID:
    case TESSERA_OP_INPUT:
    case TESSERA_OP_DECONV2D:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_LINEAR:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
    case TESSERA_N_OPS:
      break;
    }

  return FALSE;
}

/* Recomputing a halo this wide around every stripe is not worth it. */
#define MAX_STRIPE_HALO 8

/* The longest row-local tail that reads one entry, the node before it,
 * and sees few rows around it; FALSE when there is none. */
static gboolean
find_tail (TesseraGraph *self,
           TesseraStripes *stripes)
{
  guint n = self->nodes->len;
  g_autofree guint *factor = g_new0 (guint, n);
  g_autofree double *spread = g_new0 (double, n);   /* wrong rows, in entry rows */
  guint best = 0;

  /* Try each start, shortest tail first; keep the longest that works. */
  for (guint first = n - 1; first >= 2; first--)
    {
      gboolean ok = TRUE;
      double halo = 0.0;

      factor[first - 1] = 1;
      spread[first - 1] = 0.0;
      for (guint i = first; i < n && ok; i++)
        {
          const TesseraNode *node = node_at (self, i);
          guint f, s;

          ok = is_row_local (node, &f, &s);
          factor[i] = 0;
          spread[i] = 0.0;
          for (guint k = 0; ok && k < node->n_inputs + (node->residual >= 0); k++)
            {
              guint input = k < node->n_inputs ? node->inputs[k] : (guint) node->residual;

              ok = input >= first - 1;
              if (!ok)
                break;
              if (factor[i] != 0 && factor[i] != factor[input] * f)
                ok = FALSE;
              factor[i] = factor[input] * f;
              spread[i] = MAX (spread[i], spread[input]);
            }
          spread[i] += (double) s / MAX (factor[i], 1);
          halo = MAX (halo, spread[i]);
        }

      if (ok && halo + 1 <= MAX_STRIPE_HALO)
        {
          best = first;
          stripes->first = first;
          stripes->factor = factor[n - 1];
          stripes->halo = (guint) ceil (halo) + 1;
        }
    }

  return best > 0;
}

/**
 * tessera_graph_plan_stripes:
 *
 * Decides whether the graph's tail runs in stripes for an input of
 * @input: when its tensors would need much more memory than the rest.
 */
void
tessera_graph_plan_stripes (TesseraGraph       *self,
                            const TesseraShape *input)
{
  guint n = self->nodes->len;
  g_autofree TesseraShape *shapes = g_new (TesseraShape, n);
  TesseraStripes stripes = { 0 };
  gsize head, tail, entry, per_row;
  guint height;

  self->stripes.rows = 0;
  if (!tessera_graph_infer_shapes (self, input, shapes, NULL) || !find_tail (self, &stripes))
    return;

  height = shapes[stripes.first - 1].height;
  head = peak_of_nodes (self, shapes, stripes.first - 1);
  tail = peak_of_nodes (self, shapes, n - 1);
  entry = tessera_shape_size (&shapes[stripes.first - 1]);
  if (tail < 2 * head || height < 8 * stripes.halo)
    return;

  /* Stripes whose tail needs no more than the head did. */
  per_row = tail / height;
  stripes.rows = head > entry ? (head - entry) / per_row : 0;
  stripes.rows = stripes.rows > 2 * stripes.halo ? stripes.rows - 2 * stripes.halo : 0;
  stripes.rows = MAX (stripes.rows, 4 * stripes.halo);
  if (stripes.rows >= height)
    return;

  self->stripes = stripes;
}

/* The graph that runs one stripe: entry rows [@a, @b) cropped out, the
 * tail, and the halo's rows cropped off the output. */
TesseraGraph *
tessera_graph_new_stripe (TesseraGraph *self,
              guint         entry_channels,
              guint         entry_height,
              guint         a,
              guint         b,
              guint         keep_a,
              guint         keep_b)
{
  const TesseraStripes *stripes = &self->stripes;
  TesseraGraph *graph = tessera_graph_new (entry_channels);
  g_autofree guint *map = g_new0 (guint, self->nodes->len);

  map[stripes->first - 1] = tessera_graph_crop (graph, 0, a, entry_height - b, 0, 0);
  for (guint i = stripes->first; i < self->nodes->len; i++)
    {
      TesseraNode node = *node_at (self, i);

      for (guint k = 0; k < node.n_inputs; k++)
        node.inputs[k] = map[node.inputs[k]];
      if (node.residual >= 0)
        node.residual = map[node.residual];
      map[i] = tessera_graph_add (graph, &node);
    }

  tessera_graph_crop (graph, map[self->nodes->len - 1], (keep_a - a) * stripes->factor,
                      (b - keep_b) * stripes->factor, 0, 0);
  return graph;
}

/* The most floats alive at once while running on @input, the output and
 * input included; what a tile size is chosen by. */
gsize
tessera_graph_peak_floats (TesseraGraph       *self,
                           const TesseraShape *input)
{
  g_autofree TesseraShape *shapes = g_new (TesseraShape, self->nodes->len);
  const TesseraStripes *stripes = &self->stripes;
  g_autoptr(TesseraGraph) stripe = NULL;
  g_autofree TesseraShape *stripe_shapes = NULL;
  const TesseraShape *entry;
  guint rows;

  if (!tessera_graph_infer_shapes (self, input, shapes, NULL))
    return 0;
  if (stripes->rows == 0)
    return peak_of_nodes (self, shapes, self->nodes->len - 1);

  /* The head, then the entry with one stripe's tail and the output. */
  entry = &shapes[stripes->first - 1];
  rows = MIN (stripes->rows + 2 * stripes->halo, entry->height);
  stripe = tessera_graph_new_stripe (self, entry->channels, entry->height, 0, rows, 0, rows);
  stripe_shapes = g_new (TesseraShape, tessera_graph_get_n_nodes (stripe));
  if (!tessera_graph_infer_shapes (stripe, entry, stripe_shapes, NULL))
    return 0;

  return MAX (peak_of_nodes (self, shapes, stripes->first - 1),
              tessera_shape_size (entry) + peak_of_nodes (stripe, stripe_shapes, tessera_graph_get_output (stripe)) +
              tessera_shape_size (&shapes[self->nodes->len - 1]));
}

const TesseraStripes *
tessera_graph_get_stripes (TesseraGraph *self)
{
  return &self->stripes;
}
