/* tessera-swinir.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-swinir"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* SwinIR (spandrel's SwinIR): a convolution, residual Swin transformer
 * blocks (RSTB: layers.N, each blocks of window attention and an MLP, then
 * a convolution and the layer's input added), a LayerNorm, a convolution
 * with the first convolution's output added, and an upsampler. Its
 * hyper-parameters are read from the weights as spandrel's loader reads
 * them: the window from relative_position_index, the training size from
 * the shifted blocks' attn_mask (64 without one), each layer's depth and
 * heads from its keys, img_range 255 only for the window-7 (JPEG) models.
 *
 * The image is reflected right and bottom to a multiple of the window
 * before the mean is taken off, and the output is cropped back. The shift
 * masks are made for that size, as spandrel does for any size but the
 * training one, where the stored masks are the same. */

#define MAX_LAYERS 64

typedef struct
{
  guint     embed_dim;
  guint     n_layers;
  guint     depths[MAX_LAYERS];
  guint     heads[MAX_LAYERS];
  guint     window;
  guint     img_size;
  guint     mlp_hidden;
  guint     unshuffle;
  guint     upscale;              /* before the unshuffle's reduction */
  float     img_range;
  ArchUpsampler upsampler;
  gboolean  three_conv;           /* resi_connection "3conv" */
  gboolean  patch_norm;
} SwinParams;

static const char *
first_conv_prefix (TesseraStateDict *state_dict)
{
  return arch_has (state_dict, "conv_first.weight") ? "conv_first" : "conv_first.1";
}

/* NULL on success, else why the keys do not make a SwinIR. */
static const char *
read_params (TesseraStateDict *state_dict,
             SwinParams       *p)
{
  const TesseraTensor *first, *index, *mask, *fc1, *last, *direct;
  const char *why;
  guint out_channels;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "%s.weight", first_conv_prefix (state_dict));
  if (first == NULL)
    return _("conv_first is not a convolution");
  p->embed_dim = first->shape[0];
  p->unshuffle = 1;
  if (!arch_has (state_dict, "conv_first.weight"))
    p->unshuffle = MAX (1, (guint) floor (sqrt ((double) (first->shape[1] / 3)) + 0.5));

  if (arch_has (state_dict, "conv_before_upsample.0.weight"))
    p->upsampler = arch_has (state_dict, "conv_up1.weight") ? ARCH_UPSAMPLER_NEAREST_CONV : ARCH_UPSAMPLER_PIXELSHUFFLE;
  else if (arch_has (state_dict, "upsample.0.weight"))
    p->upsampler = ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT;
  else
    p->upsampler = ARCH_UPSAMPLER_NONE;

  last = arch_tensor (state_dict, 4, "conv_last.weight");
  out_channels = last != NULL ? last->shape[0] : first->shape[1];

  switch (p->upsampler)
    {
    case ARCH_UPSAMPLER_NEAREST_CONV:
      p->upscale = 1u << MIN (arch_count (state_dict, "conv_up%u.weight", 1), 4);
      break;
    case ARCH_UPSAMPLER_PIXELSHUFFLE:
      p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
      break;
    case ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT:
      direct = arch_tensor (state_dict, 1, "upsample.0.bias");
      p->upscale = direct != NULL && out_channels > 0 ? arch_square_root (direct->shape[0] / out_channels) : 0;
      break;
    case ARCH_UPSAMPLER_NONE:
      p->upscale = 1;
      break;
    }
  if (p->upscale == 0 || p->upscale < p->unshuffle)
    return _("the upsampler's size gives no scale");

  index = arch_tensor (state_dict, 2, "layers.0.residual_group.blocks.0.attn.relative_position_index");
  p->window = index != NULL ? arch_square_root (index->shape[0]) : 0;
  if (p->window == 0 || p->window > 64 || index->shape[1] != index->shape[0])
    return _("relative_position_index is not a square window's");

  mask = arch_tensor (state_dict, 3, "layers.0.residual_group.blocks.1.attn_mask");
  p->img_size = mask != NULL ? arch_square_root (mask->shape[0]) * p->window : 64;

  fc1 = arch_tensor (state_dict, 1, "layers.0.residual_group.blocks.0.mlp.fc1.bias");
  if (fc1 == NULL || p->embed_dim == 0)
    return _("the first block has no MLP");
  p->mlp_hidden = fc1->shape[0];

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual Swin transformer blocks, or too many");
  if ((why = arch_group_depths (state_dict, "blocks.0.attn", p->n_layers, p->embed_dim, p->depths, p->heads)) != NULL)
    return why;

  p->three_conv = !arch_has (state_dict, "conv_after_body.weight");
  p->img_range = p->window == 7 ? 255.f : 1.f;
  p->patch_norm = arch_has (state_dict, "patch_embed.norm.weight");
  return NULL;
}

/* SwinIR: recognised by its Swin layers; the upsampler decides the scale
 * (nearest+conv: conv_upN, ×2 each; pixelshuffle: upsample.*;
 * pixelshuffledirect: one convolution to scale² × out channels). */
static TesseraDetect
tessera_swinir_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const TesseraTensor *first, *last;
  const char *why;
  SwinParams p;

  if (!arch_has (state_dict, "layers.0.residual_group.blocks.0.norm1.weight") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.mlp.fc1.bias") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.attn.relative_position_index") ||
      (!arch_has (state_dict, "conv_first.weight") && !arch_has (state_dict, "conv_first.1.weight")))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SWINIR;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  first = arch_tensor (state_dict, 4, "%s.weight", first_conv_prefix (state_dict));
  last = arch_tensor (state_dict, 4, "conv_last.weight");
  info->num_feat = p.embed_dim;
  info->num_blocks = p.n_layers;
  info->in_channels = first->shape[1] / (p.unshuffle * p.unshuffle);
  info->out_channels = last != NULL ? last->shape[0] : info->in_channels;
  info->scale = p.upscale / p.unshuffle;
  info->tile_multiple = p.window * p.unshuffle;
  /* Absolute position embeddings hold the training size: spandrel never
   * builds them. */
  info->supported = TRUE;
  if (arch_has (state_dict, "absolute_pos_embed"))
    arch_not_run (info, _("it uses an absolute position embedding, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_swinir_describe (TesseraStateDict      *state_dict,
                         const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  SwinParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depths", arch_uint_array (p.depths, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.mlp_hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "img_size", g_variant_new_uint32 (p.img_size));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (p.img_range));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string (arch_upsampler_name (p.upsampler)));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.three_conv ? "3conv" : "1conv"));
  g_variant_builder_add (&builder, "{sv}", "patch_norm", g_variant_new_boolean (p.patch_norm));
  g_variant_builder_add (&builder, "{sv}", "start_unshuffle", g_variant_new_uint32 (p.unshuffle));
  return g_variant_builder_end (&builder);
}

/* Block j of layer i: x + attention (norm1 (x)), then + mlp (norm2 (x)). */
static guint
swin_block (TesseraBuilder *b,
            gconstpointer   params,
            guint           x,
            guint           i,
            guint           j,
            guint           height,
            guint           width)
{
  const SwinParams *p = params;
  g_autofree char *prefix = g_strdup_printf ("layers.%u.residual_group.blocks.%u", i, j);
  g_autofree char *attn = g_strconcat (prefix, ".attn", NULL);
  g_autofree char *index_name = g_strconcat (attn, ".relative_position_index", NULL);
  guint c = p->embed_dim, heads = p->heads[i], w = p->window;
  TesseraAttention at = {
    .channels = c,
    .heads = heads,
    .window_h = w,
    .window_w = w,
    .scale = 1.f / sqrtf ((float) (c / heads)),
    .n_table = (2 * w - 1) * (2 * w - 1),
  };
  guint n;

  /* Odd blocks shift by half a window, unless the training size was no
   * larger than the window. */
  if (j % 2 == 1 && p->img_size > w)
    {
      at.shift_y = at.shift_x = w / 2;
      at.shift_mask = TRUE;
    }

  if (!builder_attention_weights (b, attn, &at))
    return 0;
  at.bias_index = builder_position_index (b, index_name, w * w, w * w, at.n_table);
  if (at.bias_index == NULL)
    return 0;

  n = builder_window_attention (b, x, prefix, &at);
  return builder_mlp (b, n, prefix);
}

static guint
tessera_swinir_build (TesseraBuilder        *b,
                      const TesseraArchInfo *info,
                      guint                  height,
                      guint                  width)
{
  SwinParams p;
  const char *why = read_params (b->state_dict, &p);
  guint pad_h, pad_w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* Reflected right and bottom to whole windows. */
  x = builder_pad_to_window (b, 0, TESSERA_PAD_REFLECT, p.window, height, width, &pad_h, &pad_w);
  x = builder_normalize (b, x, p.img_range, FALSE);
  if (p.unshuffle > 1)
    x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_UNSHUFFLE, x, p.unshuffle);

  t = builder_shallow_features (b, x, first_conv_prefix (b->state_dict), p.patch_norm, &first);
  t = builder_residual_groups (b, t, first, p.n_layers, p.depths, swin_block, &p, height, width);
  t = builder_upsample (b, p.upsampler, p.upscale, t, x);
  if (b->error != NULL)
    return 0;

  t = builder_normalize (b, t, 1.f / p.img_range, TRUE);
  return builder_crop_padding (b, t, pad_h, pad_w, info->scale);
}

static gboolean
swinir_recipe (TesseraStateDict       *state_dict,
               const TesseraArchInfo  *info,
               TesseraArchRecipe      *recipe)
{
  const TesseraTensor *first;

  if (!info->supported)
    return FALSE;
  /* The graph reflects to whole windows itself; spandrel asks a
   * multiple of the unshuffle's square. */
  recipe->build = tessera_swinir_build;
  recipe->minimum = 16;
  first = arch_tensor (state_dict, 4, "conv_first.1.weight");
  if (first != NULL && info->in_channels > 0)
    recipe->multiple_of = MAX (1, first->shape[1] / info->in_channels);
  return TRUE;
}

const TesseraArchEntry tessera_swinir_arch = {
  .arch = TESSERA_ARCH_SWINIR,
  .id = "swinir",
  .title = "SwinIR",
  .detect = tessera_swinir_detect,
  .recipe = swinir_recipe,
  .describe = tessera_swinir_describe,
};
