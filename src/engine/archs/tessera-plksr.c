/* tessera-plksr.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-plksr"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* PLKSR and RealPLKSR (partial large kernel CNNs), as spandrel runs them:
 * a 3×3 convolution, blocks of a channel mixer, a large-kernel
 * convolution over the first channels only, element-wise attention and a
 * 1×1 refinement (RealPLKSR adds a layer or group norm), a 3×3
 * convolution to scale² × 3 channels plus the input repeated as many
 * times, and a pixel shuffle or RealPLKSR's DySample. Only the plain large
 * kernel ("PLK") is built: the sparse and rectangular ones of PLKSR's
 * ablations are recognised but not run. */

typedef struct
{
  gboolean    real;            /* RealPLKSR */
  guint       dim;
  guint       n_blocks;
  guint       scale;
  guint       kernel_size;
  guint       pdim;            /* the channels of the large kernel */
  gboolean    use_ea;
  gboolean    layer_norm;      /* RealPLKSR: layer norm first, else group norm last */
  gboolean    dysample;
  const char *ccm_type;        /* PLKSR: CCM, ICCM or DCCM */
  const char *lk_type;         /* PLKSR: PLK, SparsePLK or RectSparsePLK */
  const char *mixer;           /* the channel mixer's key, misspelt in PLKSR */
} PlksrParams;

static const char *
read_params (TesseraStateDict *state_dict,
             PlksrParams      *p)
{
  const TesseraTensor *first, *last, *lk, *mix0, *mix2;
  guint total = arch_sequence_length (state_dict, "feats");

  memset (p, 0, sizeof *p);
  first = arch_tensor (state_dict, 4, "feats.0.weight");
  last = total > 0 ? arch_tensor (state_dict, 4, "feats.%u.weight", total - 1) : NULL;
  if (first == NULL || last == NULL || total < 3)
    return _("the first or the last layer is not a convolution");
  p->dim = first->shape[0];
  p->scale = arch_square_root (last->shape[0] / 3);
  if (p->scale == 0 || last->shape[0] % 3 != 0)
    return _("the last convolution's size gives no scale");
  p->use_ea = arch_has (state_dict, "feats.1.attn.f.0.weight");

  p->real = arch_has (state_dict, "feats.1.channel_mixer.0.weight");
  p->mixer = p->real ? "channel_mixer" : "channe_mixer";
  p->n_blocks = total - (p->real ? 3 : 2);
  mix0 = arch_tensor (state_dict, 4, "feats.1.%s.0.weight", p->mixer);
  mix2 = arch_tensor (state_dict, 4, "feats.1.%s.2.weight", p->mixer);
  if (mix0 == NULL || mix2 == NULL)
    return _("the channel mixer is not two convolutions");

  if (p->real)
    {
      p->layer_norm = arch_has (state_dict, "feats.1.layer_norm.bias");
      p->dysample = arch_has (state_dict, "to_img.init_pos");
      p->lk_type = "PLK";
    }
  else
    {
      if (mix0->shape[2] == 3 && mix2->shape[2] == 1)
        p->ccm_type = "CCM";
      else if (mix0->shape[2] == 3 && mix2->shape[2] == 3)
        p->ccm_type = "DCCM";
      else if (mix0->shape[2] == 1 && mix2->shape[2] == 3)
        p->ccm_type = "ICCM";
      else
        return _("the channel mixer's kernels are of no known kind");

      if (arch_has (state_dict, "feats.1.lk.conv.weight"))
        p->lk_type = "PLK";
      else if (arch_has (state_dict, "feats.1.lk.convs.0.weight"))
        p->lk_type = "SparsePLK";
      else
        p->lk_type = "RectSparsePLK";
    }

  lk = arch_tensor (state_dict, 4, "feats.1.lk.%s.weight",
                    g_str_equal (p->lk_type, "PLK") ? "conv" : g_str_equal (p->lk_type, "SparsePLK") ? "convs.0"
                                                                                                       : "mn_conv");
  if (lk == NULL || lk->shape[0] == 0 || lk->shape[0] > p->dim)
    return _("the large kernel is not a convolution of the first channels");
  p->pdim = lk->shape[0];
  p->kernel_size = lk->shape[2];
  return NULL;
}

static TesseraDetect
tessera_plksr_detect (TesseraStateDict  *state_dict,
                      TesseraArchInfo   *info,
                      GError           **error)
{
  PlksrParams p;
  const char *why;

  if (!arch_has (state_dict, "feats.0.weight") || !arch_has (state_dict, "feats.1.refine.weight") ||
      (!arch_has (state_dict, "feats.1.lk.conv.weight") && !arch_has (state_dict, "feats.1.lk.convs.0.weight") &&
       !arch_has (state_dict, "feats.1.lk.mn_conv.weight")) ||
      (!arch_has (state_dict, "feats.1.channe_mixer.0.weight") &&
       !arch_has (state_dict, "feats.1.channel_mixer.0.weight")))
    return TESSERA_DETECT_NO;

  info->arch = arch_has (state_dict, "feats.1.channel_mixer.0.weight") ? TESSERA_ARCH_REALPLKSR : TESSERA_ARCH_PLKSR;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->scale = p.scale;
  info->in_channels = 3;
  info->out_channels = 3;
  info->num_feat = p.dim;
  info->num_blocks = p.n_blocks;
  /* The plain large kernel, odd so that padding keeps the size. */
  info->supported = TRUE;
  if (!g_str_equal (p.lk_type, "PLK"))
    arch_not_run (info, _("it uses a sparse or rectangular large kernel, which Tessera does not run yet"));
  else if (p.kernel_size % 2 == 0)
    arch_not_run (info, _("its large kernel has an even size, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_plksr_describe (TesseraStateDict      *state_dict,
                        const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  PlksrParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "dim", g_variant_new_uint32 (p.dim));
  g_variant_builder_add (&builder, "{sv}", "n_blocks", g_variant_new_uint32 (p.n_blocks));
  g_variant_builder_add (&builder, "{sv}", "upscaling_factor", g_variant_new_uint32 (p.scale));
  if (!p.real)
    g_variant_builder_add (&builder, "{sv}", "ccm_type", g_variant_new_string (p.ccm_type));
  g_variant_builder_add (&builder, "{sv}", "kernel_size", g_variant_new_uint32 (p.kernel_size));
  g_variant_builder_add (&builder, "{sv}", "split_ratio", g_variant_new_double ((double) p.pdim / p.dim));
  if (!p.real)
    {
      g_variant_builder_add (&builder, "{sv}", "lk_type", g_variant_new_string (p.lk_type));
      g_variant_builder_add (&builder, "{sv}", "with_idt", g_variant_new_boolean (FALSE));
    }
  g_variant_builder_add (&builder, "{sv}", "use_ea", g_variant_new_boolean (p.use_ea));
  if (p.real)
    {
      g_variant_builder_add (&builder, "{sv}", "norm_groups", g_variant_new_uint32 (4));
      g_variant_builder_add (&builder, "{sv}", "dysample", g_variant_new_boolean (p.dysample));
      g_variant_builder_add (&builder, "{sv}", "layer_norm", g_variant_new_boolean (p.layer_norm));
    }
  return g_variant_builder_end (&builder);
}

/* A square convolution PREFIX over @inputs, padded to keep the size. */
static guint
same_conv (TesseraBuilder *b,
           const guint    *inputs,
           guint           n_inputs,
           const char     *prefix)
{
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 4, "%s.weight", prefix);

  return builder_conv (b, inputs, n_inputs, 1, tensor != NULL ? tensor->shape[2] / 2 : 0, "%s", prefix);
}

/* PLKBlock feats.@index: the mixer (its second convolution split at the
 * large kernel's channels, which then go through it alone), attention,
 * refinement, RealPLKSR's norm, plus the block's input. */
static guint
plk_block (TesseraBuilder    *b,
           const PlksrParams *p,
           guint              x,
           guint              index)
{
  g_autofree char *prefix = g_strdup_printf ("feats.%u", index);
  g_autofree char *mix0 = g_strdup_printf ("%s.%s.0", prefix, p->mixer);
  g_autofree char *mix2 = g_strdup_printf ("%s.%s.2", prefix, p->mixer);
  g_autofree char *lk = g_strdup_printf ("%s.lk.conv", prefix);
  guint skip = x, parts[2], n_parts = 1, y;

  if (p->layer_norm)
    {
      guint64 c = p->dim;
      const float *weight = builder_tensor (b, &c, 1, "%s.layer_norm.weight", prefix);
      const float *bias = builder_tensor (b, &c, 1, "%s.layer_norm.bias", prefix);

      if (b->error != NULL)
        return 0;
      x = tessera_graph_layer_norm (b->graph, x, weight, bias, 1e-6f);
    }

  y = builder_activate (b, same_conv (b, &x, 1, mix0),
                        p->real ? TESSERA_ACTIVATION_MISH : TESSERA_ACTIVATION_GELU, 0.f);
  parts[0] = builder_conv_rows (b, y, mix2, 0, p->pdim);
  if (p->pdim < p->dim)
    parts[n_parts++] = builder_conv_rows (b, y, mix2, p->pdim, p->dim - p->pdim);
  builder_tensor (b, (guint64[]) { p->pdim, p->pdim, p->kernel_size, p->kernel_size }, 4, "%s.weight", lk);
  parts[0] = same_conv (b, &parts[0], 1, lk);
  if (b->error != NULL)
    return 0;

  y = n_parts > 1 ? tessera_graph_concat (b->graph, parts, n_parts) : parts[0];
  if (p->use_ea)
    {
      guint attention;

      builder_tensor (b, (guint64[]) { p->dim, p->dim, 3, 3 }, 4, "%s.attn.f.0.weight", prefix);
      attention = builder_activate (b, builder_conv (b, parts, n_parts, 1, 1, "%s.attn.f.0", prefix),
                                    TESSERA_ACTIVATION_SIGMOID, 0.f);
      if (b->error != NULL)
        return 0;
      y = tessera_graph_binary (b->graph, TESSERA_OP_MUL, y, attention);
    }
  builder_tensor (b, (guint64[]) { p->dim, p->dim, 1, 1 }, 4, "%s.refine.weight", prefix);
  y = builder_conv (b, &y, 1, 1, 0, "%s.refine", prefix);
  if (p->real && !p->layer_norm)
    {
      guint64 c = p->dim;
      const float *weight = builder_tensor (b, &c, 1, "%s.norm.weight", prefix);
      const float *bias = builder_tensor (b, &c, 1, "%s.norm.bias", prefix);

      if (b->error != NULL)
        return 0;
      /* norm_groups, which no file holds; nn.GroupNorm's eps. */
      y = tessera_graph_group_norm (b->graph, y, 4, weight, bias, 1e-5f, TESSERA_ACTIVATION_NONE);
    }
  if (b->error != NULL)
    return 0;
  return tessera_graph_add_nodes (b->graph, y, 1.f, skip, 1.f);
}

/* forward: feats (+ the input repeated scale² times per channel, as
 * torch.repeat_interleave, by a 1×1 convolution of ones), pixel shuffle
 * or DySample. */
static guint
tessera_plksr_build (TesseraBuilder        *b,
                     const TesseraArchInfo *info,
                     guint                  height,
                     guint                  width)
{
  PlksrParams p;
  const char *why;
  guint x = 0, repeat, s2;
  float *ones;

  if ((why = read_params (b->state_dict, &p)) != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  builder_tensor (b, (guint64[]) { p.dim, 3, 3, 3 }, 4, "feats.0.weight");
  x = builder_conv (b, &x, 1, 1, 1, "feats.0");
  for (guint i = 1; i <= p.n_blocks && b->error == NULL; i++)
    x = plk_block (b, &p, x, i);
  s2 = p.scale * p.scale;
  builder_tensor (b, (guint64[]) { 3 * s2, p.dim, 3, 3 }, 4, "feats.%u.weight", p.n_blocks + (p.real ? 2 : 1));
  x = builder_conv (b, &x, 1, 1, 1, "feats.%u", p.n_blocks + (p.real ? 2 : 1));
  if (b->error != NULL)
    return 0;

  ones = g_new0 (float, 3 * s2 * 3);
  for (guint c = 0; c < 3; c++)
    for (guint j = 0; j < s2; j++)
      ones[(c * s2 + j) * 3 + c] = 1.f;
  repeat = tessera_graph_conv (b->graph, (guint[]) { 0 }, 1, 3 * s2, 3, 1, 1, 0,
                               tessera_graph_keep_floats (b->graph, ones), NULL);
  x = tessera_graph_add_nodes (b->graph, x, 1.f, repeat, 1.f);
  if (p.dysample)
    return builder_dysample (b, x, "to_img", p.scale);
  return p.scale > 1 ? tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, p.scale) : x;
}

static gboolean
plksr_recipe (TesseraStateDict       *state_dict,
              const TesseraArchInfo  *info,
              TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_plksr_build;
  return TRUE;
}

const TesseraArchEntry tessera_plksr_arch = {
  .arch = TESSERA_ARCH_PLKSR,
  .id = "plksr",
  .title = "PLKSR",
  .detect = tessera_plksr_detect,
  .recipe = plksr_recipe,
  .describe = tessera_plksr_describe,
};

/* Found by PLKSR's detector. */
const TesseraArchEntry tessera_realplksr_arch = {
  .arch = TESSERA_ARCH_REALPLKSR,
  .id = "realplksr",
  .title = "RealPLKSR",
  .recipe = plksr_recipe,
  .describe = tessera_plksr_describe,
};
