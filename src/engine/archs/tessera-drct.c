/* tessera-drct.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-drct"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* DRCT (spandrel's DRCT, Dense-residual-connected Transformer): SwinIR's
 * shape with residual dense groups (RDG: layers.N) of five Swin blocks,
 * swin1 to swin5, each reading the concatenation of the group's input and
 * the earlier blocks' outputs, each of those adjusted to gc channels by a
 * 1 × 1 convolution and a LeakyReLU (adjust1 to adjust4); adjust5 takes
 * the last block back to the embedding, scaled by 0.2 and added to the
 * group's input. Blocks 2 and 4 shift by half a window. DRCT-L is the
 * same network with more groups and channels.
 *
 * The hyper-parameters are read from the weights as spandrel's loader
 * reads them: the window from the bias table, the training size from
 * swin2's attn_mask (the window without one: then nothing shifts), gc
 * from adjust1. Each block's heads are its bias table's (spandrel makes
 * them num_heads − (channels mod num_heads)). img_range (1) is not in the
 * state dict: spandrel assumes it.
 *
 * The network does not pad: spandrel asks for sides that are multiples
 * of 16, which it pads to by reflection. */

#define MAX_LAYERS 64

#define N_BLOCKS 5

/* spandrel's size requirement. */
#define DRCT_MULTIPLE 16

typedef struct
{
  guint    in_channels;
  guint    embed_dim;
  guint    n_layers;
  guint    heads[MAX_LAYERS];
  guint    window;
  guint    img_size;
  guint    gc;
  guint    mlp_hidden;
  guint    upscale;
  double   img_range;
  gboolean identity;              /* resi_connection "identity": no conv_after_body */
  gboolean patch_norm;
  gboolean qkv_bias;
  gboolean ape;
} DrctParams;

static guint
least_common_multiple (guint a,
                       guint b)
{
  guint x = a, y = b;

  while (y != 0)
    {
      guint r = x % y;

      x = y;
      y = r;
    }
  return a / x * b;
}

/* NULL on success, else why the keys do not make a DRCT. */
static const char *
read_params (TesseraStateDict *state_dict,
             DrctParams       *p)
{
  const TesseraTensor *first, *table, *mask, *fc1, *adjust;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL || first->shape[0] == 0 || first->shape[1] == 0)
    return _("conv_first is not a convolution");
  p->in_channels = first->shape[1];
  p->embed_dim = first->shape[0];

  /* Without conv_last spandrel's forward pass skips the body: the
   * output is the input. */
  p->upscale = arch_has (state_dict, "conv_last.weight") ? arch_pixelshuffle_scale (state_dict, "upsample") : 1;
  if (p->upscale == 0)
    return _("the upsampler's size gives no scale");

  table = arch_tensor (state_dict, 2, "layers.0.swin1.attn.relative_position_bias_table");
  p->window = table != NULL ? ((guint) sqrt ((double) table->shape[0]) + 1) / 2 : 0;
  if (p->window == 0 || p->window > 64 || table->shape[0] != (guint64) (2 * p->window - 1) * (2 * p->window - 1))
    return _("relative_position_bias_table is not a square window's");

  mask = arch_tensor (state_dict, 3, "layers.0.swin2.attn_mask");
  p->img_size = mask != NULL ? (guint) sqrt ((double) mask->shape[0]) * p->window : p->window;

  fc1 = arch_tensor (state_dict, 2, "layers.0.swin1.mlp.fc1.weight");
  if (fc1 == NULL)
    return _("the first block has no MLP");
  p->mlp_hidden = fc1->shape[0];

  adjust = arch_tensor (state_dict, 4, "layers.0.adjust1.weight");
  if (adjust == NULL || adjust->shape[0] == 0)
    return _("adjust1 is not a convolution");
  p->gc = adjust->shape[0];

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual dense groups, or too many");
  for (guint i = 0; i < p->n_layers; i++)
    {
      const TesseraTensor *heads = arch_tensor (state_dict, 2, "layers.%u.swin1.attn.relative_position_bias_table", i);

      p->heads[i] = heads != NULL ? heads->shape[1] : 0;
      if (p->heads[i] == 0 || p->embed_dim % p->heads[i] != 0)
        return _("a layer's blocks or attention heads do not fit");
    }

  p->identity = !arch_has (state_dict, "conv_after_body.weight");
  p->patch_norm = arch_has (state_dict, "patch_embed.norm.weight");
  p->qkv_bias = arch_has (state_dict, "layers.0.swin1.attn.qkv.bias");
  p->ape = arch_has (state_dict, "absolute_pos_embed");
  p->img_range = 1.0;
  return NULL;
}

/* DRCT: the dense groups' swin1…swin5 and adjust1…adjust5. */
static TesseraDetect
tessera_drct_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  const char *why;
  DrctParams p;

  if (!arch_has (state_dict, "conv_first.weight") ||
      !arch_has (state_dict, "layers.0.swin1.attn.relative_position_index") ||
      !arch_has (state_dict, "layers.0.adjust1.weight") ||
      !arch_has (state_dict, "layers.0.swin5.norm1.weight") ||
      !arch_has (state_dict, "layers.0.adjust5.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_DRCT;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->in_channels = p.in_channels;
  info->out_channels = p.in_channels;
  info->num_feat = p.embed_dim;
  info->num_blocks = p.n_layers;
  info->scale = p.upscale;
  /* Whole windows, and sides spandrel would not pad. */
  info->tile_multiple = least_common_multiple (p.window, DRCT_MULTIPLE);
  /* Absolute position embeddings hold the training size; without an
   * upsampler spandrel runs no network. */
  info->supported = TRUE;
  if (p.ape)
    arch_not_run (info, _("it uses an absolute position embedding, which Tessera does not run yet"));
  else if (p.upscale <= 1)
    arch_not_run (info, _("it has no upsampler, and without one DRCT's reference implementation "
                          "returns the image unchanged"));
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_drct_describe (TesseraStateDict      *state_dict,
                       const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autofree guint *depths = NULL;
  DrctParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  /* spandrel's depths: 6 for each group, whatever the file (the groups
   * have five blocks). */
  depths = g_new (guint, p.n_layers);
  for (guint i = 0; i < p.n_layers; i++)
    depths[i] = 6;

  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_channels));
  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depths", arch_uint_array (depths, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.mlp_hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "gc", g_variant_new_uint32 (p.gc));
  g_variant_builder_add (&builder, "{sv}", "img_size", g_variant_new_uint32 (p.img_size));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (p.img_range));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string (p.upscale > 1 ? "pixelshuffle" : ""));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.identity ? "identity" : "1conv"));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "patch_norm", g_variant_new_boolean (p.patch_norm));
  g_variant_builder_add (&builder, "{sv}", "ape", g_variant_new_boolean (p.ape));
  return g_variant_builder_end (&builder);
}

/* Swin block k (1…5) of layer i on @x: x + attention (norm1 (x)), then
 * + mlp (norm2 (x)). Its heads are its own bias table's. */
static guint
swin_block (TesseraBuilder   *b,
            const DrctParams *p,
            const guint32    *index,
            guint             x,
            guint             i,
            guint             k)
{
  g_autofree char *prefix = g_strdup_printf ("layers.%u.swin%u", i, k);
  g_autofree char *attn = g_strconcat (prefix, ".attn", NULL);
  const TesseraTensor *table = arch_tensor (b->state_dict, 2, "%s.relative_position_bias_table", attn);
  guint c = tessera_graph_get_channels (b->graph, x), w = p->window, heads;
  TesseraAttention at = {
    .channels = c,
    .window_h = w,
    .window_w = w,
    .bias_index = index,
    .n_table = (2 * w - 1) * (2 * w - 1),
  };
  guint n;

  heads = table != NULL ? table->shape[1] : 0;
  if (heads == 0 || c % heads != 0)
    {
      builder_fail (b, _("%s.relative_position_bias_table does not split %u channels into heads"), attn, c);
      return 0;
    }
  at.heads = heads;
  at.scale = 1.f / sqrtf ((float) (c / heads));
  if (k % 2 == 0 && p->img_size > w)
    {
      at.shift_y = at.shift_x = w / 2;
      at.shift_mask = TRUE;
    }
  if (!builder_attention_weights (b, attn, &at))
    return 0;

  n = builder_window_attention (b, x, prefix, &at);
  return builder_mlp (b, n, prefix);
}

/* Residual dense group i: each block on the concatenation so far, its
 * output adjusted; the last adjustment · 0.2 + the group's input. */
static guint
dense_group (TesseraBuilder   *b,
             const DrctParams *p,
             const guint32    *index,
             guint             x,
             guint             i)
{
  guint dense[N_BLOCKS], t = x;

  dense[0] = x;
  for (guint k = 1; k <= N_BLOCKS && b->error == NULL; k++)
    {
      t = k == 1 ? x : tessera_graph_concat (b->graph, dense, k);
      t = swin_block (b, p, index, t, i, k);
      t = builder_conv (b, &t, 1, 1, 0, "layers.%u.adjust%u", i, k);
      if (b->error != NULL)
        return 0;
      if (k < N_BLOCKS)
        {
          builder_activate (b, t, TESSERA_ACTIVATION_LEAKY, 0.2f);
          dense[k] = t;
        }
    }
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, t, 0.2f, x);
  return t;
}

static guint
tessera_drct_build (TesseraBuilder        *b,
                    const TesseraArchInfo *info,
                    guint                  height,
                    guint                  width)
{
  DrctParams p;
  const char *why = read_params (b->state_dict, &p);
  const guint32 *index;
  guint w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* Every block's index is the same window's. */
  w = p.window;
  index = builder_position_index (b, "layers.0.swin1.attn.relative_position_index", w * w, w * w,
                                  (2 * w - 1) * (2 * w - 1));
  if (index == NULL)
    return 0;

  x = builder_normalize (b, 0, (float) p.img_range, FALSE);
  t = builder_shallow_features (b, x, "conv_first", p.patch_norm, &first);
  for (guint i = 0; i < p.n_layers && b->error == NULL; i++)
    t = dense_group (b, &p, index, t, i);
  t = builder_layer_norm (b, t, "norm", "");
  if (b->error != NULL)
    return 0;
  if (p.identity)
    t = tessera_graph_add_nodes (b->graph, t, 1.f, first, 1.f);
  else
    t = builder_residual_conv (b, t, "conv_after_body", first);
  if (b->error != NULL)
    return 0;

  t = builder_pixelshuffle_upsample (b, t);
  if (b->error != NULL)
    return 0;
  return builder_normalize (b, t, (float) (1.0 / p.img_range), TRUE);
}

static gboolean
drct_recipe (TesseraStateDict       *state_dict,
             const TesseraArchInfo  *info,
             TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* Multiples of 16, as spandrel asks, and of the window (which 16 is
   * for every DRCT spandrel can run). */
  recipe->build = tessera_drct_build;
  recipe->multiple_of = info->tile_multiple;
  return TRUE;
}

const TesseraArchEntry tessera_drct_arch = {
  .arch = TESSERA_ARCH_DRCT,
  .id = "drct",
  .title = "DRCT",
  .detect = tessera_drct_detect,
  .recipe = drct_recipe,
  .describe = tessera_drct_describe,
};
