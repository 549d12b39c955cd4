/* tessera-hat.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-hat"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* HAT (spandrel's HAT, Hybrid Attention Transformer): SwinIR's shape with
 * residual hybrid attention groups (RHAG: layers.N) of hybrid attention
 * blocks (HAB: Swin window attention plus a convolutional channel
 * attention branch scaled by conv_scale, then an MLP), one overlapping
 * cross-attention block (OCAB: each window's queries attend to a larger
 * window around it) and a convolution with the group's input added.
 *
 * The hyper-parameters are read from the weights as spandrel's loader
 * reads them: the window from relative_position_index_SA, the overlap
 * from relative_position_index_OCA, the compress and squeeze ratios from
 * the first block's channel attention. conv_scale (0.01) and img_range
 * (1) are not in the state dict: spandrel assumes them.
 *
 * Unlike SwinIR, the mean is taken off before the image is reflected to
 * a multiple of the window (the same for a reflection); the shift masks
 * are made for the padded size, as spandrel does. */

#define MAX_LAYERS 64

/* The training size spandrel assumes without absolute position
 * embeddings; blocks shift only when it is larger than the window. */
#define HAT_IMG_SIZE 64

#define CAB_PREFIX "layers.0.residual_group.blocks.0.conv_block.cab"

typedef struct
{
  guint    in_channels;
  guint    embed_dim;
  guint    n_layers;
  guint    depths[MAX_LAYERS];
  guint    heads[MAX_LAYERS];
  guint    window;
  guint    overlap_window;         /* int (window · (1 + overlap_ratio)) */
  double   overlap_ratio;
  double   compress_ratio;
  double   squeeze_factor;
  guint    mlp_hidden;
  guint    num_feat;
  guint    upscale;
  guint    img_size;
  double   img_range;
  double   conv_scale;
  gboolean identity;               /* resi_connection "identity": no conv_after_body */
  gboolean patch_norm;
  gboolean qkv_bias;
  gboolean ape;
} HatParams;

/* spandrel's _get_overlap_ratio(): the first "nice" ratio that gives the
 * overlapping window, else the plain quotient and a little more. */
static double
overlap_ratio (guint window,
               guint overlap_window)
{
  static const double nice[] = { 0, 1, 0.5, 0.25, 0.75, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9 };

  for (guint i = 0; i < G_N_ELEMENTS (nice); i++)
    if ((guint) (window + window * nice[i]) == overlap_window)
      return nice[i];
  return (double) (overlap_window - window) / window + 0.01;
}

/* spandrel's _inv_int_div(): a b with @a // b == @c, preferring whole
 * numbers; 0 when there is none. */
static double
inverse_int_div (guint a,
                 guint c)
{
  double b = (double) a / c;
  const double tries[] = { ceil (b), floor (b), b, b - 0.01, b + 0.01 };

  if (b == floor (b))
    return b;
  for (guint i = 0; i < G_N_ELEMENTS (tries); i++)
    if (tries[i] > 0 && floor (a / tries[i]) == c)
      return tries[i];
  return 0;
}

/* NULL on success, else why the keys do not make a HAT. */
static const char *
read_params (TesseraStateDict *state_dict,
             HatParams        *p)
{
  const TesseraTensor *first, *last, *sa, *oca, *cab, *squeeze, *fc1, *ape;
  const char *why;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  last = arch_tensor (state_dict, 4, "conv_last.weight");
  if (first == NULL || last == NULL)
    return _("conv_first or conv_last is not a convolution");
  p->in_channels = first->shape[1];
  p->embed_dim = first->shape[0];
  p->num_feat = last->shape[1];
  p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
  if (p->upscale == 0 || p->embed_dim == 0)
    return _("the upsampler's size gives no scale");

  sa = arch_tensor (state_dict, 2, "relative_position_index_SA");
  p->window = sa != NULL ? arch_square_root (sa->shape[0]) : 0;
  if (p->window == 0 || p->window > 64 || sa->shape[1] != sa->shape[0])
    return _("relative_position_index_SA is not a square window's");
  oca = arch_tensor (state_dict, 2, "relative_position_index_OCA");
  p->overlap_window = oca != NULL ? arch_square_root (oca->shape[1]) : 0;
  if (p->overlap_window < p->window || p->overlap_window > 2 * p->window || oca->shape[0] != sa->shape[0])
    return _("relative_position_index_OCA does not fit the window");
  p->overlap_ratio = overlap_ratio (p->window, p->overlap_window);

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual hybrid attention groups, or too many");
  if ((why = arch_group_depths (state_dict, "overlap_attn", p->n_layers, p->embed_dim, p->depths, p->heads)) != NULL)
    return why;

  cab = arch_tensor (state_dict, 4, CAB_PREFIX ".0.weight");
  squeeze = arch_tensor (state_dict, 4, CAB_PREFIX ".3.attention.1.weight");
  fc1 = arch_tensor (state_dict, 2, "layers.0.residual_group.blocks.0.mlp.fc1.weight");
  if (cab == NULL || squeeze == NULL || cab->shape[0] == 0 || squeeze->shape[0] == 0)
    return _("the first block has no channel attention");
  if (fc1 == NULL)
    return _("the first block has no MLP");
  p->compress_ratio = inverse_int_div (p->embed_dim, cab->shape[0]);
  p->squeeze_factor = inverse_int_div (p->embed_dim, squeeze->shape[0]);
  p->mlp_hidden = fc1->shape[0];

  p->identity = !arch_has (state_dict, "conv_after_body.weight");
  p->patch_norm = arch_has (state_dict, "patch_embed.norm.weight");
  p->qkv_bias = arch_has (state_dict, "layers.0.residual_group.blocks.0.attn.qkv.bias");
  /* With absolute position embeddings, their count is the training
   * size's square (patch size 1, as spandrel assumes). */
  ape = arch_tensor (state_dict, 3, "absolute_pos_embed");
  p->ape = arch_has (state_dict, "absolute_pos_embed");
  p->img_size = ape != NULL ? arch_square_root (ape->shape[1]) : HAT_IMG_SIZE;
  p->img_range = 1.0;
  p->conv_scale = 0.01;
  return NULL;
}

/* HAT: SwinIR's keys plus channel attention (conv_block) and overlapping
 * cross-attention (overlap_attn); the relative_position_index_SA buffer
 * is its alone. */
static TesseraDetect
tessera_hat_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const char *why;
  HatParams p;

  if (!arch_has (state_dict, "relative_position_index_SA") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.conv_block.cab.0.weight") ||
      !arch_has (state_dict, "conv_first.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_HAT;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->in_channels = p.in_channels;
  info->num_feat = p.embed_dim;
  info->num_blocks = p.n_layers;
  info->out_channels = arch_tensor (state_dict, 4, "conv_last.weight")->shape[0];
  info->scale = p.upscale;
  info->tile_multiple = p.window;
  /* Absolute position embeddings hold the training size; a window as
   * large as that size would not shift, and shrink, in spandrel. */
  info->supported = TRUE;
  if (p.ape)
    arch_not_run (info, _("it uses an absolute position embedding, which Tessera does not run yet"));
  else if (p.window >= HAT_IMG_SIZE)
    arch_not_run (info, _("its attention window is as large as the image size it was trained on, "
                          "which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_hat_describe (TesseraStateDict      *state_dict,
                      const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  HatParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_channels));
  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depths", arch_uint_array (p.depths, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "overlap_ratio", g_variant_new_double (p.overlap_ratio));
  g_variant_builder_add (&builder, "{sv}", "compress_ratio", g_variant_new_double (p.compress_ratio));
  g_variant_builder_add (&builder, "{sv}", "squeeze_factor", g_variant_new_double (p.squeeze_factor));
  g_variant_builder_add (&builder, "{sv}", "conv_scale", g_variant_new_double (p.conv_scale));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.mlp_hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "img_size", g_variant_new_uint32 (p.img_size));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (p.img_range));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string ("pixelshuffle"));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.identity ? "identity" : "1conv"));
  g_variant_builder_add (&builder, "{sv}", "num_feat", g_variant_new_uint32 (p.num_feat));
  g_variant_builder_add (&builder, "{sv}", "patch_norm", g_variant_new_boolean (p.patch_norm));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "ape", g_variant_new_boolean (p.ape));
  return g_variant_builder_end (&builder);
}

/* The position indices every block shares, read once. */
typedef struct
{
  const HatParams *p;
  const guint32   *sa_index;
  const guint32   *oca_index;
} Hat;

/* The channel attention block (CAB) on @x: a 3×3 convolution to fewer
 * channels, GELU, a 3×3 back, then RCAN's channel attention (average,
 * 1×1 down, ReLU, 1×1 up, sigmoid) multiplying it. */
static guint
channel_attention_block (TesseraBuilder *b,
                         const char     *prefix,
                         guint           x)
{
  guint y, s;

  y = builder_conv (b, &x, 1, 1, 1, "%s.conv_block.cab.0", prefix);
  builder_activate (b, y, TESSERA_ACTIVATION_GELU, 0.f);
  y = builder_conv (b, &y, 1, 1, 1, "%s.conv_block.cab.2", prefix);
  if (b->error != NULL)
    return 0;
  s = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, y);
  s = builder_conv (b, &s, 1, 1, 0, "%s.conv_block.cab.3.attention.1", prefix);
  builder_activate (b, s, TESSERA_ACTIVATION_RELU, 0.f);
  s = builder_conv (b, &s, 1, 1, 0, "%s.conv_block.cab.3.attention.3", prefix);
  builder_activate (b, s, TESSERA_ACTIVATION_SIGMOID, 0.f);
  if (b->error != NULL)
    return 0;
  return tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, y, s);
}

/* Hybrid attention block j of layer i: x + attention (norm1 (x)) +
 * conv_scale · CAB (norm1 (x)), then the MLP. */
static guint
hybrid_block (TesseraBuilder *b,
              const Hat      *hat,
              guint           x,
              guint           i,
              guint           j)
{
  g_autofree char *prefix = g_strdup_printf ("layers.%u.residual_group.blocks.%u", i, j);
  g_autofree char *attn = g_strconcat (prefix, ".attn", NULL);
  const HatParams *p = hat->p;
  guint c = p->embed_dim, w = p->window;
  TesseraAttention at = {
    .channels = c,
    .heads = p->heads[i],
    .window_h = w,
    .window_w = w,
    .scale = 1.f / sqrtf ((float) (c / p->heads[i])),
    .bias_index = hat->sa_index,
    .n_table = (2 * w - 1) * (2 * w - 1),
  };
  guint n, a, cab;

  /* Odd blocks shift by half a window (HAT_IMG_SIZE is larger). */
  if (j % 2 == 1)
    {
      at.shift_y = at.shift_x = w / 2;
      at.shift_mask = TRUE;
    }
  if (!builder_attention_weights (b, attn, &at))
    return 0;

  n = builder_layer_norm (b, x, prefix, ".norm1");
  a = tessera_graph_window_attention (b->graph, n, &at);
  tessera_graph_set_residual (b->graph, a, 1.f, x);
  cab = channel_attention_block (b, prefix, n);
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, a, 1.f, cab, (float) p->conv_scale);
  return builder_mlp (b, x, prefix);
}

/* Layer i's overlapping cross-attention block: x + attention (norm1 (x))
 * with key/value windows overlap_window wide around each window, then
 * the MLP. */
static guint
overlap_block (TesseraBuilder *b,
               const Hat      *hat,
               guint           x,
               guint           i)
{
  g_autofree char *prefix = g_strdup_printf ("layers.%u.residual_group.overlap_attn", i);
  const HatParams *p = hat->p;
  guint c = p->embed_dim, w = p->window, ow = p->overlap_window;
  TesseraAttention at = {
    .channels = c,
    .heads = p->heads[i],
    .window_h = w,
    .window_w = w,
    .kv_window_h = ow,
    .kv_window_w = ow,
    .scale = 1.f / sqrtf ((float) (c / p->heads[i])),
    .bias_index = hat->oca_index,
    .n_table = (w + ow - 1) * (w + ow - 1),
  };
  guint n;

  if (!builder_attention_weights (b, prefix, &at))
    return 0;
  n = builder_layer_norm (b, x, prefix, ".norm1");
  n = tessera_graph_window_attention (b->graph, n, &at);
  tessera_graph_set_residual (b->graph, n, 1.f, x);
  return builder_mlp (b, n, prefix);
}

/* PREFIX's convolution with @residual added, or with "identity" (no
 * weights there) the sum alone. */
static guint
residual (TesseraBuilder *b,
          guint           x,
          const char     *prefix,
          guint           input)
{
  if (b->error != NULL)
    return 0;
  if (arch_has (b->state_dict, "%s.weight", prefix) || arch_has (b->state_dict, "%s.0.weight", prefix))
    return builder_residual_conv (b, x, prefix, input);
  return tessera_graph_add_nodes (b->graph, x, 1.f, input, 1.f);
}

/* Residual hybrid attention group i. */
static guint
hybrid_group (TesseraBuilder *b,
              const Hat      *hat,
              guint           x,
              guint           i)
{
  g_autofree char *conv = g_strdup_printf ("layers.%u.conv", i);
  guint t = x;

  for (guint j = 0; j < hat->p->depths[i] && b->error == NULL; j++)
    t = hybrid_block (b, hat, t, i, j);
  if (b->error == NULL)
    t = overlap_block (b, hat, t, i);
  return residual (b, t, conv, x);
}

static guint
tessera_hat_build (TesseraBuilder        *b,
                   const TesseraArchInfo *info,
                   guint                  height,
                   guint                  width)
{
  HatParams p;
  const char *why = read_params (b->state_dict, &p);
  Hat hat = { &p };
  guint w, ow, pad_h, pad_w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  w = p.window;
  ow = p.overlap_window;
  hat.sa_index = builder_position_index (b, "relative_position_index_SA", w * w, w * w, (2 * w - 1) * (2 * w - 1));
  hat.oca_index = builder_position_index (b, "relative_position_index_OCA", w * w, ow * ow,
                                          (w + ow - 1) * (w + ow - 1));
  if (b->error != NULL)
    return 0;

  /* The mean off, then reflected right and bottom to whole windows. */
  x = builder_normalize (b, 0, (float) p.img_range, FALSE);
  x = builder_pad_to_window (b, x, TESSERA_PAD_REFLECT, w, height, width, &pad_h, &pad_w);

  t = builder_shallow_features (b, x, "conv_first", p.patch_norm, &first);
  for (guint i = 0; i < p.n_layers && b->error == NULL; i++)
    t = hybrid_group (b, &hat, t, i);
  t = builder_layer_norm (b, t, "norm", "");
  t = residual (b, t, "conv_after_body", first);
  if (b->error != NULL)
    return 0;

  t = builder_pixelshuffle_upsample (b, t);
  if (b->error != NULL)
    return 0;
  t = builder_normalize (b, t, (float) (1.0 / p.img_range), TRUE);
  return builder_crop_padding (b, t, pad_h, pad_w, info->scale);
}

static gboolean
hat_recipe (TesseraStateDict       *state_dict,
            const TesseraArchInfo  *info,
            TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 16 × 16; the graph reflects to whole
   * windows itself. */
  recipe->build = tessera_hat_build;
  recipe->minimum = 16;
  return TRUE;
}

const TesseraArchEntry tessera_hat_arch = {
  .arch = TESSERA_ARCH_HAT,
  .id = "hat",
  .title = "HAT",
  .detect = tessera_hat_detect,
  .recipe = hat_recipe,
  .describe = tessera_hat_describe,
};
