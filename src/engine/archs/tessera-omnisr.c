/* tessera-omnisr.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-omnisr"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* OmniSR (spandrel's OmniSR): an input convolution, residual groups of
 * omni self-attention (OSAG: OSA blocks, a 1×1 convolution, the group's
 * input added, then enhanced spatial attention), an output convolution
 * with the input convolution's output added, and a pixel-shuffle
 * convolution up. The image is zero-padded right and bottom to whole
 * windows and the output cropped back.
 *
 * An OSA block is an MBConv with squeeze-excitation, then window
 * attention in blocks, channel attention in blocks, window attention on a
 * grid (pixels H / window apart) and channel attention on a grid (pixels
 * window apart), each behind a LayerNorm and most followed by a gated
 * feed-forward. The grid versions run the plain ops on a permuted image:
 * GRID_TO_WINDOWS makes the grid's windows contiguous, and
 * GRID_TO_CHANNELS puts each grid cell's pixels in channels of their own,
 * so that one channel attention over the whole (smaller) image does every
 * cell's heads at once. */

/* The layers of an OSA block, by their index in its nn.Sequential. */
enum
{
  LAYER_MBCONV = 0,
  LAYER_BLOCK_ATTENTION = 2,
  LAYER_FFN_1 = 4,
  LAYER_CHANNEL_ATTENTION = 5,
  LAYER_FFN_2 = 6,
  LAYER_GRID_ATTENTION = 8,
  LAYER_FFN_3 = 10,
  LAYER_GRID_CHANNEL_ATTENTION = 11,
  LAYER_FFN_4 = 12,
};

/* Window attention's heads: dim_head is a quarter of the features. */
#define ATTENTION_HEADS 4

#define MAX_WINDOW 64

typedef struct
{
  guint    num_feat;
  guint    in_channels;
  guint    out_channels;
  guint    scale;
  guint    res_num;
  guint    block_num;
  guint    window;
  gboolean pe;
  gboolean bias;
} OmniParams;

/* NULL on success, else why the keys do not make an OmniSR; as spandrel's
 * loader reads the hyper-parameters. */
static const char *
read_params (TesseraStateDict *state_dict,
             OmniParams       *p)
{
  const TesseraTensor *input, *up, *table;

  memset (p, 0, sizeof *p);

  input = arch_tensor (state_dict, 4, "input.weight");
  up = arch_tensor (state_dict, 4, "up.0.weight");
  if (input == NULL || up == NULL)
    return _("input or up.0 is not a convolution");
  p->num_feat = input->shape[0];
  p->in_channels = input->shape[1];
  p->bias = arch_has (state_dict, "input.bias");
  if (!arch_scale_and_channels (up->shape[0], p->in_channels, &p->scale, &p->out_channels))
    return _("the upsampler's size gives no scale");
  if (p->num_feat == 0 || p->num_feat % ATTENTION_HEADS != 0)
    return _("the features do not split into four attention heads");

  p->res_num = arch_sequence_length (state_dict, "residual_layer");
  p->block_num = arch_sequence_length (state_dict, "residual_layer.0.residual_layer");
  if (p->res_num == 0 || p->block_num < 2)
    return _("it has no residual groups of OSA blocks");
  p->block_num--;

  /* spandrel: window 8 without position bias, else from the table's
   * (2 · window − 1)² rows. */
  table = arch_tensor (state_dict, 2, "residual_layer.0.residual_layer.0.layer.2.fn.rel_pos_bias.weight");
  p->pe = table != NULL;
  p->window = p->pe ? (guint) ((sqrt ((double) table->shape[0]) + 1.0) / 2.0) : 8;
  if (p->window == 0 || p->window > MAX_WINDOW)
    return _("the position bias table is not a window's");
  return NULL;
}

/* OmniSR: recognised by its first OSA block, its input convolution and
 * its upsampler, which gives the scale. */
static TesseraDetect
tessera_omnisr_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const char *why;
  OmniParams p;

  if (!arch_has (state_dict, "residual_layer.0.residual_layer.0.layer.0.fn.0.weight") ||
      !arch_has (state_dict, "input.weight") || !arch_has (state_dict, "up.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_OMNISR;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->num_blocks = p.res_num;
  info->in_channels = p.in_channels;
  info->out_channels = p.out_channels;
  info->num_feat = p.num_feat;
  info->scale = p.scale;
  info->tile_multiple = p.window;
  info->supported = TRUE;
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_omnisr_describe (TesseraStateDict      *state_dict,
                         const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  OmniParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "num_in_ch", g_variant_new_uint32 (p.in_channels));
  g_variant_builder_add (&builder, "{sv}", "num_out_ch", g_variant_new_uint32 (p.out_channels));
  g_variant_builder_add (&builder, "{sv}", "num_feat", g_variant_new_uint32 (p.num_feat));
  g_variant_builder_add (&builder, "{sv}", "block_num", g_variant_new_uint32 (p.block_num));
  g_variant_builder_add (&builder, "{sv}", "pe", g_variant_new_boolean (p.pe));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "res_num", g_variant_new_uint32 (p.res_num));
  g_variant_builder_add (&builder, "{sv}", "up_scale", g_variant_new_uint32 (p.scale));
  g_variant_builder_add (&builder, "{sv}", "bias", g_variant_new_boolean (p.bias));
  return g_variant_builder_end (&builder);
}

/* LayerNorm2d PREFIX.norm: over each pixel's channels, eps 1e-6. */
static guint
layer_norm_2d (TesseraBuilder *b,
               guint           x,
               const char     *prefix)
{
  guint64 c = tessera_graph_get_channels (b->graph, x);
  const float *weight = builder_tensor (b, &c, 1, "%s.norm.weight", prefix);
  const float *bias = builder_tensor (b, &c, 1, "%s.norm.bias", prefix);

  if (b->error != NULL)
    return 0;
  return tessera_graph_layer_norm (b->graph, x, weight, bias, 1e-6f);
}

/* A fully connected layer PREFIX.NAME.weight [out][in] without bias on a
 * channels × 1 × 1 tensor, then @activation. */
static guint
gate_linear (TesseraBuilder    *b,
             guint              x,
             const char        *prefix,
             const char        *name,
             TesseraActivation  activation)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor;
  const float *weight;

  weight = builder_tensor (b, (guint64[]) { 0, in }, 2, "%s%s.weight", prefix, name);
  if (weight == NULL)
    return 0;
  tensor = arch_tensor (b->state_dict, 2, "%s%s.weight", prefix, name);
  x = tessera_graph_linear (b->graph, x, tensor->shape[0], in, weight, NULL);
  tessera_graph_set_activation (b->graph, x, activation, 0.f, NULL);
  return x;
}

/* MBConv: 1×1, GELU, depthwise 3×3, GELU, squeeze-excitation, 1×1, and
 * the input added. */
static guint
mbconv (TesseraBuilder *b,
        guint           x,
        const char     *prefix)
{
  guint t, gate;

  t = builder_conv (b, &x, 1, 1, 0, "%s.fn.0", prefix);
  builder_activate (b, t, TESSERA_ACTIVATION_GELU, 0.f);
  t = builder_conv (b, &t, 1, 1, 1, "%s.fn.2", prefix);
  builder_activate (b, t, TESSERA_ACTIVATION_GELU, 0.f);
  if (b->error != NULL)
    return 0;

  gate = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, t);
  gate = gate_linear (b, gate, prefix, ".fn.4.gate.1", TESSERA_ACTIVATION_SILU);
  gate = gate_linear (b, gate, prefix, ".fn.4.gate.3", TESSERA_ACTIVATION_SIGMOID);
  if (b->error != NULL)
    return 0;
  t = tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, t, gate);

  t = builder_conv (b, &t, 1, 1, 0, "%s.fn.5", prefix);
  if (b->error == NULL)
    tessera_graph_set_residual (b->graph, t, 1.f, x);
  return t;
}

/* Gated_Conv_FeedForward behind LayerNorm2d, the input added: project_in
 * to 2 × hidden, a depthwise 3×3, GELU of the first half times the second,
 * project_out. Each half is its own pair of convolutions, with its rows of
 * the weights, since the graph has no channel slices. */
static guint
gated_ffn (TesseraBuilder *b,
           guint           x,
           const char     *prefix)
{
  guint c = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 4, "%s.fn.project_in.weight", prefix);
  const float *in_weight, *in_bias, *dw_weight, *dw_bias;
  guint hidden, n, halves[2], t;

  if (b->error != NULL)
    return 0;
  if (tensor == NULL || tensor->shape[0] == 0 || tensor->shape[0] % 2 != 0)
    {
      builder_fail (b, _("%s.fn.project_in.weight does not split into two halves"), prefix);
      return 0;
    }
  hidden = tensor->shape[0] / 2;
  in_weight = builder_tensor (b, (guint64[]) { 2 * hidden, c, 1, 1 }, 4, "%s.fn.project_in.weight", prefix);
  in_bias = builder_optional_tensor (b, (guint64[]) { 2 * hidden }, 1, "%s.fn.project_in.bias", prefix);
  dw_weight = builder_tensor (b, (guint64[]) { 2 * hidden, 1, 3, 3 }, 4, "%s.fn.dwconv.weight", prefix);
  dw_bias = builder_optional_tensor (b, (guint64[]) { 2 * hidden }, 1, "%s.fn.dwconv.bias", prefix);
  n = layer_norm_2d (b, x, prefix);
  if (b->error != NULL)
    return 0;

  for (guint k = 0; k < 2; k++)
    {
      t = tessera_graph_conv (b->graph, &n, 1, hidden, c, 1, 1, 0, in_weight + (gsize) k * hidden * c,
                              in_bias != NULL ? in_bias + k * hidden : NULL);
      t = tessera_graph_conv (b->graph, &t, 1, hidden, hidden, 3, 1, 1, dw_weight + (gsize) k * hidden * 9,
                              dw_bias != NULL ? dw_bias + k * hidden : NULL);
      tessera_graph_set_groups (b->graph, t, hidden);
      halves[k] = t;
    }
  tessera_graph_set_activation (b->graph, halves[0], TESSERA_ACTIVATION_GELU, 0.f, NULL);
  t = tessera_graph_binary (b->graph, TESSERA_OP_MUL, halves[0], halves[1]);

  t = builder_conv (b, &t, 1, 1, 0, "%s.fn.project_out", prefix);
  if (b->error == NULL)
    tessera_graph_set_residual (b->graph, t, 1.f, x);
  return t;
}

/* OmniSR's relative position index, which it computes rather than
 * stores: tokens (i, j) of a window × window window, row by row, look up
 * row (Δi + window − 1) · (2 · window − 1) + Δj + window − 1. */
static const guint32 *
position_index (TesseraBuilder *b,
                guint           window)
{
  guint n = window * window;
  guint32 *index = g_new (guint32, (gsize) n * n);

  for (guint p = 0; p < n; p++)
    for (guint q = 0; q < n; q++)
      {
        guint dy = p / window + window - 1 - q / window;
        guint dx = p % window + window - 1 - q % window;

        index[(gsize) p * n + q] = dy * (2 * window - 1) + dx;
      }

  return tessera_graph_keep (b->graph, index);
}

/* Attention behind nn.LayerNorm, the input added: in window × window
 * blocks, or (@grid) in windows of pixels H / window apart. Four heads,
 * no biases, the position bias table when the model has one. */
static guint
attention (TesseraBuilder   *b,
           const OmniParams *p,
           guint             x,
           const char       *prefix,
           gboolean          grid)
{
  guint c = tessera_graph_get_channels (b->graph, x), w = p->window;
  guint n_table = (2 * w - 1) * (2 * w - 1);
  TesseraAttention at = {
    .channels = c,
    .heads = ATTENTION_HEADS,
    .window_h = w,
    .window_w = w,
    .scale = 1.f / sqrtf ((float) (c / ATTENTION_HEADS)),
    .n_table = n_table,
  };
  guint t, n;

  at.qkv_weight = builder_tensor (b, (guint64[]) { 3 * c, c }, 2, "%s.fn.to_qkv.weight", prefix);
  at.proj_weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.fn.to_out.0.weight", prefix);
  if (p->pe)
    at.bias_table = builder_tensor (b, (guint64[]) { n_table, ATTENTION_HEADS }, 2, "%s.fn.rel_pos_bias.weight",
                                    prefix);
  if (b->error != NULL)
    return 0;
  if (p->pe)
    at.bias_index = position_index (b, w);

  t = grid ? tessera_graph_grid (b->graph, TESSERA_OP_GRID_TO_WINDOWS, x, w, 1) : x;
  n = builder_layer_norm (b, t, prefix, ".norm");
  if (b->error != NULL)
    return 0;
  n = tessera_graph_window_attention (b->graph, n, &at);
  tessera_graph_set_residual (b->graph, n, 1.f, t);
  return grid ? tessera_graph_grid (b->graph, TESSERA_OP_WINDOWS_TO_GRID, n, w, 1) : n;
}

/* Channel_Attention (in window × window blocks) or Channel_Attention_grid
 * (@grid: over the pixels window apart) behind LayerNorm2d, the input
 * added: q, k, v by a 1×1 and a depthwise 3×3, attention across each
 * head's channels, project_out. On the grid, each of the window² cells'
 * pixels become channels of their own, heads after heads, so one
 * attention over the whole smaller image does them all. */
static guint
channel_attention (TesseraBuilder   *b,
                   const OmniParams *p,
                   guint             x,
                   const char       *prefix,
                   gboolean          grid)
{
  guint c = tessera_graph_get_channels (b->graph, x), f = p->window, heads;
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 3, "%s.fn.temperature", prefix);
  TesseraChannelAttention at = { .channels = c, .window_h = f, .window_w = f };
  guint t;

  if (b->error != NULL)
    return 0;
  heads = tensor != NULL ? tensor->shape[0] : 0;
  if (heads == 0 || c % heads != 0)
    {
      builder_fail (b, _("%s.fn.temperature does not split the features into heads"), prefix);
      return 0;
    }
  at.heads = heads;
  at.temperature = builder_tensor (b, (guint64[]) { heads, 1, 1 }, 3, "%s.fn.temperature", prefix);

  t = layer_norm_2d (b, x, prefix);
  t = builder_conv (b, &t, 1, 1, 0, "%s.fn.qkv", prefix);
  t = builder_conv (b, &t, 1, 1, 1, "%s.fn.qkv_dwconv", prefix);
  if (b->error != NULL)
    return 0;
  if (tessera_graph_get_channels (b->graph, t) != 3 * c)
    {
      builder_fail (b, _("%s.fn.qkv does not make q, k and v"), prefix);
      return 0;
    }

  if (grid)
    {
      float *temperature = g_new (float, (gsize) heads * f * f);

      /* Cell by cell, the heads' temperatures again. */
      for (guint cell = 0; cell < f * f; cell++)
        memcpy (temperature + (gsize) cell * heads, at.temperature, heads * sizeof (float));
      at.temperature = tessera_graph_keep_floats (b->graph, temperature);
      at.channels = c * f * f;
      at.heads = heads * f * f;
      at.window_h = at.window_w = 0;
      t = tessera_graph_grid (b->graph, TESSERA_OP_GRID_TO_CHANNELS, t, f, 3);
    }
  t = tessera_graph_channel_attention (b->graph, t, &at);
  if (grid)
    t = tessera_graph_grid (b->graph, TESSERA_OP_CHANNELS_TO_GRID, t, f, 1);

  t = builder_conv (b, &t, 1, 1, 0, "%s.fn.project_out", prefix);
  if (b->error == NULL)
    tessera_graph_set_residual (b->graph, t, 1.f, x);
  return t;
}

/* OSA_Block @k of group @g, its layers in order. */
static guint
osa_block (TesseraBuilder   *b,
           const OmniParams *p,
           guint             x,
           guint             g,
           guint             k)
{
  static const guint layers[] = {
    LAYER_MBCONV, LAYER_BLOCK_ATTENTION, LAYER_FFN_1, LAYER_CHANNEL_ATTENTION, LAYER_FFN_2,
    LAYER_GRID_ATTENTION, LAYER_FFN_3, LAYER_GRID_CHANNEL_ATTENTION, LAYER_FFN_4,
  };

  for (guint i = 0; i < G_N_ELEMENTS (layers) && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("residual_layer.%u.residual_layer.%u.layer.%u", g, k, layers[i]);

      switch (layers[i])
        {
        case LAYER_MBCONV:
          x = mbconv (b, x, prefix);
          break;
        case LAYER_BLOCK_ATTENTION:
        case LAYER_GRID_ATTENTION:
          x = attention (b, p, x, prefix, layers[i] == LAYER_GRID_ATTENTION);
          break;
        case LAYER_CHANNEL_ATTENTION:
        case LAYER_GRID_CHANNEL_ATTENTION:
          x = channel_attention (b, p, x, prefix, layers[i] == LAYER_GRID_CHANNEL_ATTENTION);
          break;
        default:
          x = gated_ffn (b, x, prefix);
          break;
        }
    }

  return x;
}

/* ESA: a mask from a strided, max-pooled and resized-back branch plus a
 * 1×1 branch, sigmoid, times the input. */
static guint
esa (TesseraBuilder *b,
     guint           x,
     const char     *prefix)
{
  guint c1, c3, cf, mask;

  c1 = builder_conv (b, &x, 1, 1, 0, "%s.conv1", prefix);
  c3 = builder_conv (b, &c1, 1, 2, 0, "%s.conv2", prefix);
  if (b->error != NULL)
    return 0;
  c3 = tessera_graph_max_pool (b->graph, c3, 7, 3);
  c3 = builder_conv (b, &c3, 1, 1, 1, "%s.conv3", prefix);
  if (b->error != NULL)
    return 0;
  c3 = tessera_graph_resize_to (b->graph, c3, TESSERA_RESIZE_BILINEAR, x);

  cf = builder_conv (b, &c1, 1, 1, 0, "%s.conv_f", prefix);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, cf, 1.f, c3);
  mask = builder_conv (b, &cf, 1, 1, 0, "%s.conv4", prefix);
  builder_activate (b, mask, TESSERA_ACTIVATION_SIGMOID, 0.f);
  if (b->error != NULL)
    return 0;
  return tessera_graph_binary (b->graph, TESSERA_OP_MUL, x, mask);
}

/* OSAG @g: its blocks, a 1×1 convolution, its input added, ESA. */
static guint
osag (TesseraBuilder   *b,
      const OmniParams *p,
      guint             x,
      guint             g)
{
  g_autofree char *esa_prefix = g_strdup_printf ("residual_layer.%u.esa", g);
  guint t = x;

  for (guint k = 0; k < p->block_num && b->error == NULL; k++)
    t = osa_block (b, p, t, g, k);
  t = builder_conv (b, &t, 1, 1, 0, "residual_layer.%u.residual_layer.%u", g, p->block_num);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, t, 1.f, x);
  return esa (b, t, esa_prefix);
}

static guint
tessera_omnisr_build (TesseraBuilder        *b,
                      const TesseraArchInfo *info,
                      guint                  height,
                      guint                  width)
{
  OmniParams p;
  const char *why = read_params (b->state_dict, &p);
  guint pad_h, pad_w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* Zeros right and bottom to whole windows. */
  x = builder_pad_to_window (b, 0, TESSERA_PAD_ZERO, p.window, height, width, &pad_h, &pad_w);

  first = builder_conv (b, &x, 1, 1, 1, "input");
  t = first;
  for (guint g = 0; g < p.res_num && b->error == NULL; g++)
    t = osag (b, &p, t, g);
  t = builder_residual_conv (b, t, "output", first);
  t = builder_conv (b, &t, 1, 1, 1, "up.0");
  if (b->error != NULL)
    return 0;
  t = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, t, p.scale);
  return builder_crop_padding (b, t, pad_h, pad_w, p.scale);
}

static gboolean
omnisr_recipe (TesseraStateDict       *state_dict,
               const TesseraArchInfo  *info,
               TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 16 × 16 (for ESA's strided convolution and
   * 7 × 7 pooling); the graph zero-pads to whole windows itself. */
  recipe->build = tessera_omnisr_build;
  recipe->minimum = 16;
  return TRUE;
}

const TesseraArchEntry tessera_omnisr_arch = {
  .arch = TESSERA_ARCH_OMNISR,
  .id = "omnisr",
  .title = "OmniSR",
  .detect = tessera_omnisr_detect,
  .recipe = omnisr_recipe,
  .describe = tessera_omnisr_describe,
};
