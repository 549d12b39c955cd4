/* tessera-srformer.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-srformer"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* SRFormer (spandrel's SRFormer, in its extra architectures): SwinIR's
 * shape, its blocks attending with permuted self-attention (PSA: keys and
 * values from a projection to half the channels, each 2 × 2 pixels of a
 * window one token, so a quarter as many keys as queries) and a
 * convolutional feed-forward (fc1, GELU, plus a GELU'd depthwise 5 × 5
 * convolution of itself, fc2). SRFormer-light is the same network with
 * the pixelshuffledirect upsampler and fewer channels.
 *
 * The hyper-parameters are read from the weights as spandrel's loader
 * reads them: the window from the relative position bias table (twice
 * the permuted window), the training size from the shifted blocks'
 * attn_mask (blocks shift only when it is larger than the window), the
 * upsampler from its keys. img_range (1) is not in the state dict:
 * spandrel assumes it.
 *
 * The image is reflected right and bottom to a multiple of the window
 * before the mean is taken off, and the output is cropped back; the
 * shift masks are made for that size. */

#define MAX_LAYERS 64

#define BLOCK0 "layers.0.residual_group.blocks.0"

typedef struct
{
  guint     in_channels;
  guint     embed_dim;
  guint     n_layers;
  guint     depths[MAX_LAYERS];
  guint     heads[MAX_LAYERS];
  guint     window;
  guint     img_size;
  gboolean  shifted;              /* the training size is larger than the window */
  guint     mlp_hidden;
  guint     upscale;
  float     img_range;
  ArchUpsampler upsampler;
  gboolean  three_conv;           /* resi_connection "3conv" */
  gboolean  patch_norm;
  gboolean  qkv_bias;
  gboolean  ape;
} SrformerParams;

static guint
round_up (guint size,
          guint multiple)
{
  return (size + multiple - 1) / multiple * multiple;
}

/* spandrel's guess of the training size: the first nice number that,
 * rounded up to whole windows, gives the patches' resolution. */
static guint
training_size (guint resolution,
               guint window)
{
  static const guint nice[] = { 512, 256, 128, 96, 64, 48, 32, 24, 16 };

  for (guint i = 0; i < G_N_ELEMENTS (nice); i++)
    if (round_up (nice[i], window) == resolution)
      return nice[i];
  return resolution;
}

/* NULL on success, else why the keys do not make an SRFormer. */
static const char *
read_params (TesseraStateDict *state_dict,
             SrformerParams   *p)
{
  const TesseraTensor *first, *table, *mask, *fc1, *direct;
  const char *why;
  guint resolution;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL || first->shape[0] == 0 || first->shape[1] == 0)
    return _("conv_first is not a convolution");
  p->in_channels = first->shape[1];
  p->embed_dim = first->shape[0];
  if (p->embed_dim % 4 != 0)
    return _("the embedding's channels are not a multiple of 4");

  if (arch_has (state_dict, "conv_hr.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_NEAREST_CONV;
      p->upscale = 4;
    }
  else if (arch_has (state_dict, "conv_before_upsample.0.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_PIXELSHUFFLE;
      p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
    }
  else if (arch_has (state_dict, "upsample.0.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT;
      direct = arch_tensor (state_dict, 4, "upsample.0.weight");
      p->upscale = direct != NULL ? arch_square_root (direct->shape[0] / p->in_channels) : 0;
    }
  else
    {
      p->upsampler = ARCH_UPSAMPLER_NONE;
      p->upscale = 1;
    }
  if (p->upscale == 0)
    return _("the upsampler's size gives no scale");

  table = arch_tensor (state_dict, 2, BLOCK0 ".attn.relative_position_bias_table");
  p->window = table != NULL ? arch_square_root (table->shape[0]) + 1 : 0;
  if (p->window < 2 || p->window > 64)
    return _("relative_position_bias_table is not a square window's");

  /* The shifted blocks' masks have a row per window of the training
   * size; without them spandrel takes the window for it. */
  mask = arch_tensor (state_dict, 3, "layers.0.residual_group.blocks.1.attn_mask");
  resolution = mask != NULL ? (guint) sqrt ((double) mask->shape[0] * p->window * p->window) : p->window;
  p->img_size = training_size (resolution, p->window);
  p->shifted = round_up (p->img_size, p->window) > p->window;

  fc1 = arch_tensor (state_dict, 2, BLOCK0 ".mlp.fc1.weight");
  if (fc1 == NULL)
    return _("the first block has no MLP");
  p->mlp_hidden = fc1->shape[0];

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no permuted self-attention groups, or too many");
  if ((why = arch_group_depths (state_dict, "blocks.0.attn", p->n_layers, p->embed_dim, p->depths, p->heads)) != NULL)
    return why;

  p->three_conv = !arch_has (state_dict, "conv_after_body.weight");
  p->patch_norm = arch_has (state_dict, "patch_embed.norm.weight");
  p->qkv_bias = arch_has (state_dict, BLOCK0 ".attn.q.bias");
  p->ape = arch_has (state_dict, "absolute_pos_embed");
  p->img_range = 1.f;
  return NULL;
}

/* SRFormer: SwinIR's layout with the permuted attention's
 * aligned_relative_position_index. */
static TesseraDetect
tessera_srformer_detect (TesseraStateDict  *state_dict,
                         TesseraArchInfo   *info,
                         GError           **error)
{
  const char *why;
  SrformerParams p;

  if (!arch_has (state_dict, BLOCK0 ".norm1.weight") ||
      !arch_has (state_dict, BLOCK0 ".attn.aligned_relative_position_index") ||
      !arch_has (state_dict, BLOCK0 ".mlp.fc1.bias") ||
      !arch_has (state_dict, "conv_first.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SRFORMER;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->in_channels = p.in_channels;
  info->out_channels = p.in_channels;
  info->num_feat = p.embed_dim;
  info->num_blocks = p.n_layers;
  info->scale = p.upscale;
  info->tile_multiple = p.window;
  /* Absolute position embeddings hold the training size: spandrel's
   * forward pass adds them at that size only. */
  info->supported = TRUE;
  if (p.ape)
    arch_not_run (info, _("it uses an absolute position embedding, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_srformer_describe (TesseraStateDict      *state_dict,
                           const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  SrformerParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_channels));
  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depths", arch_uint_array (p.depths, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.mlp_hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "img_size", g_variant_new_uint32 (p.img_size));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (p.img_range));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string (arch_upsampler_name (p.upsampler)));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.three_conv ? "3conv" : "1conv"));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "patch_norm", g_variant_new_boolean (p.patch_norm));
  g_variant_builder_add (&builder, "{sv}", "ape", g_variant_new_boolean (p.ape));
  return g_variant_builder_end (&builder);
}

/* PREFIX.q and PREFIX.kv (the latter to half the channels) as one
 * weight [1.5 c][c] and bias, kept by the graph. */
static gboolean
permuted_weights (TesseraBuilder   *b,
                  const char       *prefix,
                  gboolean          with_bias,
                  TesseraAttention *at)
{
  guint c = at->channels;
  const float *q, *kv, *q_bias = NULL, *kv_bias = NULL;
  float *weight, *bias;

  q = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.q.weight", prefix);
  kv = builder_tensor (b, (guint64[]) { c / 2, c }, 2, "%s.kv.weight", prefix);
  if (with_bias)
    {
      q_bias = builder_tensor (b, (guint64[]) { c }, 1, "%s.q.bias", prefix);
      kv_bias = builder_tensor (b, (guint64[]) { c / 2 }, 1, "%s.kv.bias", prefix);
    }
  if (b->error != NULL)
    return FALSE;

  weight = g_new (float, (gsize) c * c * 3 / 2);
  memcpy (weight, q, (gsize) c * c * sizeof (float));
  memcpy (weight + (gsize) c * c, kv, (gsize) c * c / 2 * sizeof (float));
  at->qkv_weight = tessera_graph_keep_floats (b->graph, weight);
  if (with_bias)
    {
      bias = g_new (float, c * 3 / 2);
      memcpy (bias, q_bias, c * sizeof (float));
      memcpy (bias + c, kv_bias, c / 2 * sizeof (float));
      at->qkv_bias = tessera_graph_keep_floats (b->graph, bias);
    }

  at->proj_weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.proj.weight", prefix);
  at->proj_bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.proj.bias", prefix);
  at->bias_table = builder_tensor (b, (guint64[]) { at->n_table, at->heads }, 2,
                                   "%s.relative_position_bias_table", prefix);
  return b->error == NULL;
}

/* The convolutional feed-forward of PREFIX.mlp on norm2 (@x), @x added:
 * fc1, GELU, plus GELU (depthwise 5 × 5 of it), fc2. */
static guint
conv_ffn (TesseraBuilder *b,
          guint           x,
          const char     *prefix)
{
  guint y = builder_layer_norm (b, x, prefix, ".norm2"), d;

  y = builder_linear (b, y, prefix, ".mlp.fc1");
  if (b->error != NULL)
    return 0;
  builder_activate (b, y, TESSERA_ACTIVATION_GELU, 0.f);
  d = builder_conv (b, &y, 1, 1, 2, "%s.mlp.dwconv.depthwise_conv.0", prefix);
  if (b->error != NULL)
    return 0;
  builder_activate (b, d, TESSERA_ACTIVATION_GELU, 0.f);
  tessera_graph_set_residual (b->graph, d, 1.f, y);
  y = builder_linear (b, d, prefix, ".mlp.fc2");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, x);
  return y;
}

/* Block j of layer i: x + PSA (norm1 (x)), then + the feed-forward. */
static guint
psa_block (TesseraBuilder *b,
           gconstpointer   params,
           guint           x,
           guint           i,
           guint           j,
           guint           height,
           guint           width)
{
  const SrformerParams *p = params;
  g_autofree char *prefix = g_strdup_printf ("layers.%u.residual_group.blocks.%u", i, j);
  g_autofree char *attn = g_strconcat (prefix, ".attn", NULL);
  g_autofree char *index_name = g_strconcat (attn, ".aligned_relative_position_index", NULL);
  guint c = p->embed_dim, heads = p->heads[i], w = p->window;
  TesseraAttention at = {
    .channels = c,
    .heads = heads,
    .window_h = w,
    .window_w = w,
    .permuted = TRUE,
    .scale = 1.f / sqrtf ((float) (c / heads)),
    .n_table = (w - 1) * (w - 1),
  };
  guint n;

  if (j % 2 == 1 && p->shifted)
    {
      at.shift_y = at.shift_x = w / 2;
      at.shift_mask = TRUE;
    }

  if (!permuted_weights (b, attn, p->qkv_bias, &at))
    return 0;
  at.bias_index = builder_position_index (b, index_name, w * w, w * w / 4, at.n_table);
  if (at.bias_index == NULL)
    return 0;

  n = builder_window_attention (b, x, prefix, &at);
  return conv_ffn (b, n, prefix);
}

static guint
tessera_srformer_build (TesseraBuilder        *b,
                        const TesseraArchInfo *info,
                        guint                  height,
                        guint                  width)
{
  SrformerParams p;
  const char *why = read_params (b->state_dict, &p);
  guint pad_h, pad_w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* Reflected right and bottom to whole windows, then the mean off. */
  x = builder_pad_to_window (b, 0, TESSERA_PAD_REFLECT, p.window, height, width, &pad_h, &pad_w);
  x = builder_normalize (b, x, p.img_range, FALSE);

  t = builder_shallow_features (b, x, "conv_first", p.patch_norm, &first);
  t = builder_residual_groups (b, t, first, p.n_layers, p.depths, psa_block, &p, height, width);
  t = builder_upsample (b, p.upsampler, p.upscale, t, x);
  if (b->error != NULL)
    return 0;

  t = builder_normalize (b, t, 1.f / p.img_range, TRUE);
  return builder_crop_padding (b, t, pad_h, pad_w, info->scale);
}

static gboolean
srformer_recipe (TesseraStateDict       *state_dict,
                 const TesseraArchInfo  *info,
                 TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 16 × 16; the graph reflects to whole
   * windows itself. */
  recipe->build = tessera_srformer_build;
  recipe->minimum = 16;
  return TRUE;
}

const TesseraArchEntry tessera_srformer_arch = {
  .arch = TESSERA_ARCH_SRFORMER,
  .id = "srformer",
  .title = "SRFormer",
  .detect = tessera_srformer_detect,
  .recipe = srformer_recipe,
  .describe = tessera_srformer_describe,
};
