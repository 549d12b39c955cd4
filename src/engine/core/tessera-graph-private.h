/* tessera-graph-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A network as a list of nodes in execution order, each reading earlier
 * nodes' outputs. Tensors are float32, channels × height × width. Node 0 is
 * the input. The ops are what the supported architectures need.
 *
 * A graph runs on a batch of samples (1 unless set): each tensor then
 * holds that many of its shape one after the other, node 0's input and
 * the CONSTANT nodes' values included, and the shapes below are a
 * sample's. Samples never mix: a batch computes what as many runs of one
 * sample would, and exists so that a backend can share each weight's pass
 * between them. */

typedef enum
{
  TESSERA_OP_INPUT,
  TESSERA_OP_CONV2D,          /* reads its inputs as one channel concatenation; `groups` */
  TESSERA_OP_DECONV2D,        /* transposed convolution */
  TESSERA_OP_ACTIVATION,
  TESSERA_OP_ADD,             /* scale_a · a + scale_b · b, b of a's shape or channels × 1 × 1 */
  TESSERA_OP_MUL_CHANNELS,    /* a[c] × b[c], b being channels × 1 × 1 */
  TESSERA_OP_MUL,             /* a × b, of the same shape, or b of one channel for all of a's */
  TESSERA_OP_CONCAT,
  TESSERA_OP_PIXEL_SHUFFLE,
  TESSERA_OP_PIXEL_UNSHUFFLE,
  TESSERA_OP_RESIZE,           /* by resize_factor, or with a second input to its height × width */
  TESSERA_OP_GLOBAL_AVG_POOL,
  TESSERA_OP_LINEAR,          /* channels × 1 × 1 to channels × 1 × 1 */
  TESSERA_OP_CROP,
  TESSERA_OP_PAD,
  TESSERA_OP_CLAMP,
  TESSERA_OP_AFFINE,          /* scale_a · a + scale_b */
  TESSERA_OP_LAYER_NORM,      /* each pixel's channels to mean 0, variance 1, then · weight + bias */
  TESSERA_OP_WINDOW_ATTENTION, /* multi-head self-attention in windows: `attention` */
  TESSERA_OP_CHANNEL_ATTENTION, /* attention across channels: `channel_attention` */
  TESSERA_OP_MAX_POOL,        /* `kernel` × `kernel` maxima every `stride`, no padding, rounded down */
  /* OmniSR's grid attention, with f = `factor` and a side of n = f·m:
   * GRID_TO_WINDOWS gathers the pixels m apart into f × f windows,
   * out[a·f + i][b·f + j] = in[i·m + a][j·m + b] on each axis's m, and
   * WINDOWS_TO_GRID undoes it. GRID_TO_CHANNELS puts each of the f²
   * pixels (i, j) of f × f cells in channels, out[((p·f + i)·f + j)·C + c]
   * [y][x] = in[p·C + c][y·f + i][x·f + j] for `groups` parts p of C
   * channels each (q, k, v), and CHANNELS_TO_GRID (one part) undoes it. */
  TESSERA_OP_GRID_TO_WINDOWS,
  TESSERA_OP_WINDOWS_TO_GRID,
  TESSERA_OP_GRID_TO_CHANNELS,
  TESSERA_OP_CHANNELS_TO_GRID,
  /* Stable Diffusion's ops. GROUP_NORM normalises each of `groups` groups
   * of channels over their channels × height × width (nn.GroupNorm), then
   * · weight + bias and the activation. TOKEN_ATTENTION reads q, k and v
   * (inputs 0, 1, 2) of `heads` × head_dim channels each, whose pixels are
   * tokens, and gives softmax (scale · q kᵀ) v head by head, in q's shape;
   * k and v may have another number of tokens than q (cross-attention),
   * and with `causal` query i sees keys 0…i only (CLIP's text encoder).
   * GEGLU takes 2C channels to C: the first C times the exact GELU of the
   * second C. CONSTANT is the caller's tensor `weight`, of `shape` (one
   * per sample of a batch), read at every run: a text encoder's output, a
   * time embedding. */
  TESSERA_OP_GROUP_NORM,
  TESSERA_OP_TOKEN_ATTENTION,
  TESSERA_OP_GEGLU,
  TESSERA_OP_CONSTANT,
  TESSERA_OP_DYSAMPLE,        /* DySample's bilinear sampling at learnt offsets: `factor`, `groups` */
  /* ATD's category grouping. Input 1's channels score each pixel's
   * categories; the pixels, row by row, sorted stably by their category
   * (the first highest score), make a sequence of n = height · width.
   * CATEGORY_GATHER gives input 0's pixels in that order as a 1 × L row,
   * L the sequence padded to whole groups of g = min (n, `factor`) with
   * its own last pixels mirrored (the last pixel first); CATEGORY_SCATTER
   * takes such a row (its first n) back to the pixels' places. */
  TESSERA_OP_CATEGORY_GATHER,
  TESSERA_OP_CATEGORY_SCATTER,
  TESSERA_N_OPS
} TesseraOp;

typedef enum
{
  TESSERA_ACTIVATION_NONE,
  TESSERA_ACTIVATION_RELU,
  TESSERA_ACTIVATION_LEAKY,   /* slope in `slope` */
  TESSERA_ACTIVATION_PRELU,   /* one slope per channel in `slopes` */
  TESSERA_ACTIVATION_SIGMOID,
  TESSERA_ACTIVATION_GELU,    /* exact, with erf, as PyTorch's nn.GELU () */
  TESSERA_ACTIVATION_SILU,    /* x · sigmoid (x), as PyTorch's nn.SiLU () */
  TESSERA_ACTIVATION_QUICK_GELU, /* x · sigmoid (1.702 x), as CLIP's QuickGELU */
  TESSERA_ACTIVATION_MISH,    /* x · tanh (softplus (x)), as PyTorch's nn.Mish () */
} TesseraActivation;

typedef enum
{
  TESSERA_PAD_ZERO,
  TESSERA_PAD_REFLECT,        /* mirror without repeating the edge, as PyTorch's "reflect" */
  TESSERA_PAD_REPLICATE,
  TESSERA_PAD_SYMMETRIC,      /* mirror repeating the edge, as torch.cat ([x, x.flip ()]) */
} TesseraPadMode;

typedef enum
{
  TESSERA_RESIZE_NEAREST,
  TESSERA_RESIZE_BILINEAR,    /* half-pixel centres */
  TESSERA_RESIZE_BICUBIC,     /* half-pixel centres, a = -0.75 as ncnn's Interp */
} TesseraResizeMode;

#define TESSERA_NODE_MAX_INPUTS 8

/* Multi-head self-attention inside windows, as Swin transformers do it
 * (SwinIR; HAT and DAT use the same parts). The input, rolled by −shift
 * on both axes, is cut into window_h × window_w windows; each window's
 * pixels are tokens: q k v = W_qkv · x + b, per head softmax (scale ·
 * q·kᵀ + bias + mask) · v, heads side by side, then W_proj · + b; the
 * result is rolled back by +shift. The mask, when asked for, is Swin's
 * −100 between tokens from different sides of the roll's seams, made for
 * the input's size. Without W_qkv the input already holds q, k and v
 * (3 × channels); without W_proj the heads' output is the node's.
 *
 * With a key/value window larger than the query window (HAT's
 * overlapping cross-attention), each query window attends to the
 * kv_window_h × kv_window_w window centred on it, (kv − window) / 2
 * (rounded down) further out on the top and left, as nn.Unfold's padding
 * places it. Its pixels outside the image have k = v = 0 after the
 * projection: they still take part in the softmax, with the relative
 * bias alone as their score. No shift mask there.
 *
 * SRFormer's permuted self-attention (`permuted`) has a quarter as many
 * keys and values as queries: W_qkv is [channels + channels / 2]
 * [channels], q and then a compressed kv of channels / 2 per pixel, and
 * each 2 × 2 pixels of a (rolled) window make one key/value token whose k
 * is the four pixels' first quarters of kv side by side (top left, top
 * right, bottom left, bottom right) and whose v is their second quarters.
 * The bias index is [N][N / 4]; the shift mask places the keys on a half-
 * size grid with half windows and a shift of ⌈shift / 2⌉, as SRFormer's
 * mask does. Windows' sides are even. */
typedef struct
{
  guint          channels;          /* of the tokens: heads × head_dim */
  guint          heads;
  guint          window_h;          /* the input's sides must be multiples */
  guint          window_w;
  guint          kv_window_h;       /* keys' and values' window; 0: the query window */
  guint          kv_window_w;
  guint          shift_y;           /* less than the window */
  guint          shift_x;
  gboolean       shift_mask;
  gboolean       permuted;          /* SRFormer's permuted keys and values */
  float          scale;             /* head_dim^-0.5 */
  const float   *qkv_weight;        /* [3 · channels][channels]: q, k, v, each head after head; nullable */
  const float   *qkv_bias;          /* [3 · channels] (permuted: 1.5 ·), nullable */
  const float   *proj_weight;       /* [channels][channels], nullable */
  const float   *proj_bias;         /* [channels], nullable */
  const float   *bias_table;        /* [n_table][heads], nullable */
  const guint32 *bias_index;        /* [Nq][Nk] rows of bias_table, N = window_h × window_w, the kv window's */
  guint          n_table;
} TesseraAttention;

/* Attention across channels, "transposed" attention (Restormer; DAT's
 * channel blocks, OmniSR's channel attention). The input holds q, k and
 * v, 3 × channels. In each window_h × window_w window (the whole input
 * when both are 0) and each head of channels / heads channels: q's and
 * k's rows (one per channel, over the window's pixels) are divided by
 * their L2 norm (at least 1e-12, as F.normalize), A = softmax over rows
 * of temperature[head] · q kᵀ (head_dim × head_dim), and the output is
 * A v, the heads' channels side by side. */
typedef struct
{
  guint          channels;          /* of the output: heads × head_dim */
  guint          heads;
  guint          window_h;          /* the input's sides must be multiples */
  guint          window_w;
  const float   *temperature;       /* [heads] */
} TesseraChannelAttention;

typedef struct
{
  guint channels;
  guint height;
  guint width;
} TesseraShape;

typedef struct
{
  TesseraOp          op;
  guint              inputs[TESSERA_NODE_MAX_INPUTS];
  guint              n_inputs;
  guint              channels;          /* of the output; tessera_graph_add() sets it */

  /* Convolutions: out = scale · act (W ∗ inputs + bias) + residual. */
  guint              in_channels;
  guint              out_channels;
  guint              groups;            /* CONV2D: 0 or 1 dense; else weight [out][in / groups][k][k];
                                         * GRID_TO_CHANNELS: the parts; GROUP_NORM: the groups */
  guint              kernel;
  guint              stride;
  guint              padding;           /* zeros; deconvolution: PyTorch's padding */
  const float       *weight;            /* conv [out][in][k][k], deconv [in][out][k][k]; CONSTANT's values */
  const float       *bias;              /* nullable */
  gint               residual;          /* node index, or -1 */

  TesseraActivation  activation;
  float              slope;
  const float       *slopes;            /* PReLU, one per channel */

  float              scale_a;           /* ADD, AFFINE; conv's output scale */
  float              scale_b;
  float              min;               /* CLAMP */
  float              max;
  guint              factor;            /* (un)shuffle */
  TesseraResizeMode  resize_mode;
  double             resize_factor;
  TesseraPadMode     pad_mode;
  int                top;               /* PAD adds, CROP removes, per side */
  int                bottom;
  int                left;
  int                right;
  float              epsilon;           /* LAYER_NORM, GROUP_NORM */
  guint              heads;             /* TOKEN_ATTENTION */
  float              softmax_scale;     /* TOKEN_ATTENTION, on q kᵀ */
  gboolean           causal;            /* TOKEN_ATTENTION */
  TesseraShape       shape;             /* CONSTANT */
  const TesseraAttention *attention;    /* WINDOW_ATTENTION, owned by the graph */
  const TesseraChannelAttention *channel_attention; /* CHANNEL_ATTENTION, owned by the graph */
} TesseraNode;

/* A graph's last nodes can run in horizontal stripes when they only look
 * at nearby rows and read a single earlier node, the entry: RRDBNet's
 * upsampling tail, whose tensors at four times the resolution would
 * otherwise be most of a run's memory. Each stripe runs those nodes on the
 * entry's rows plus a halo, and keeps the rows the halo leaves exact. */
typedef struct
{
  guint first;        /* the first striped node; the entry is first − 1 */
  guint halo;         /* entry rows of context each side */
  guint factor;       /* output rows per entry row */
  guint rows;         /* entry rows per stripe */
} TesseraStripes;

typedef struct _TesseraGraph TesseraGraph;

TesseraGraph      *tessera_graph_new           (guint               in_channels);
void               tessera_graph_free          (TesseraGraph       *self);
void               tessera_graph_set_batch     (TesseraGraph       *self,
                                                guint               batch);
guint              tessera_graph_get_batch     (TesseraGraph       *self);
guint              tessera_graph_get_n_nodes   (TesseraGraph       *self);
const TesseraNode *tessera_graph_get_node      (TesseraGraph       *self,
                                                guint               index);
guint              tessera_graph_get_output    (TesseraGraph       *self);
guint              tessera_graph_get_channels  (TesseraGraph       *self,
                                                guint               node);
const float       *tessera_graph_keep_floats   (TesseraGraph       *self,
                                                float              *floats);
gconstpointer      tessera_graph_keep          (TesseraGraph       *self,
                                                gpointer            data);
guint              tessera_graph_add           (TesseraGraph       *self,
                                                const TesseraNode  *node);
guint64            tessera_graph_count_macs    (TesseraGraph       *self,
                                                const TesseraShape *input);
gboolean           tessera_graph_infer_shapes  (TesseraGraph       *self,
                                                const TesseraShape *input,
                                                TesseraShape       *shapes,
                                                GError            **error);
gsize              tessera_graph_peak_floats   (TesseraGraph       *self,
                                                const TesseraShape *input);
void               tessera_graph_plan_stripes  (TesseraGraph       *self,
                                                const TesseraShape *input);
const TesseraStripes *tessera_graph_get_stripes (TesseraGraph      *self);
TesseraGraph      *tessera_graph_new_stripe    (TesseraGraph       *self,
                                                guint               entry_channels,
                                                guint               entry_height,
                                                guint               a,
                                                guint               b,
                                                guint               keep_a,
                                                guint               keep_b);
void               tessera_graph_find_last_uses (TesseraGraph      *self,
                                                guint               last,
                                                guint              *last_use);

static inline gsize
tessera_shape_size (const TesseraShape *shape)
{
  return (gsize) shape->channels * shape->height * shape->width;
}

/* Builders for the common nodes; each returns the new node's index. */
guint tessera_graph_conv      (TesseraGraph *self, const guint *inputs, guint n_inputs,
                               guint out_channels, guint in_channels, guint kernel, guint stride,
                               guint padding, const float *weight, const float *bias);
guint tessera_graph_deconv    (TesseraGraph *self, guint input, guint out_channels, guint in_channels,
                               guint kernel, guint stride, guint padding,
                               const float *weight, const float *bias);
guint tessera_graph_activate  (TesseraGraph *self, guint input, TesseraActivation activation,
                               float slope);
guint tessera_graph_add_nodes (TesseraGraph *self, guint a, float scale_a, guint b, float scale_b);
guint tessera_graph_unary     (TesseraGraph *self, TesseraOp op, guint input);
guint tessera_graph_binary    (TesseraGraph *self, TesseraOp op, guint a, guint b);
guint tessera_graph_concat    (TesseraGraph *self, const guint *inputs, guint n_inputs);
guint tessera_graph_shuffle   (TesseraGraph *self, TesseraOp op, guint input, guint factor);
guint tessera_graph_resize    (TesseraGraph *self, guint input, TesseraResizeMode mode, double factor);
guint tessera_graph_resize_to (TesseraGraph *self, guint input, TesseraResizeMode mode, guint like);
guint tessera_graph_max_pool  (TesseraGraph *self, guint input, guint kernel, guint stride);
guint tessera_graph_dysample  (TesseraGraph *self, guint input, guint offsets, guint factor, guint groups);
guint tessera_graph_grid      (TesseraGraph *self, TesseraOp op, guint input, guint factor, guint parts);
guint tessera_graph_category  (TesseraGraph *self, TesseraOp op, guint input, guint scores, guint group_size);
guint tessera_graph_crop      (TesseraGraph *self, guint input, int top, int bottom, int left, int right);
guint tessera_graph_pad       (TesseraGraph *self, guint input, TesseraPadMode mode,
                               int top, int bottom, int left, int right);
guint tessera_graph_clamp     (TesseraGraph *self, guint input, float min, float max);
guint tessera_graph_affine    (TesseraGraph *self, guint input, float scale, float offset);
guint tessera_graph_linear    (TesseraGraph *self, guint input, guint out_channels, guint in_channels,
                               const float *weight, const float *bias);
guint tessera_graph_layer_norm (TesseraGraph *self, guint input, const float *weight, const float *bias,
                                float epsilon);
guint tessera_graph_group_norm (TesseraGraph *self, guint input, guint groups, const float *weight,
                                const float *bias, float epsilon, TesseraActivation activation);
guint tessera_graph_token_attention (TesseraGraph *self, guint q, guint k, guint v, guint heads, float scale,
                                     gboolean causal);
guint tessera_graph_geglu     (TesseraGraph *self, guint input);
guint tessera_graph_constant  (TesseraGraph *self, const TesseraShape *shape, const float *values);
guint tessera_graph_window_attention (TesseraGraph *self, guint input, const TesseraAttention *attention);
guint tessera_graph_channel_attention (TesseraGraph *self, guint input,
                                       const TesseraChannelAttention *attention);

/* Convolution details set after the fact: fused activation and residual. */
void  tessera_graph_set_activation (TesseraGraph *self, guint node, TesseraActivation activation,
                                    float slope, const float *slopes);
void  tessera_graph_set_residual   (TesseraGraph *self, guint node, float scale, guint residual);
void  tessera_graph_set_groups     (TesseraGraph *self, guint node, guint groups);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraGraph, tessera_graph_free)

G_END_DECLS
