/* tessera-mosr.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-mosr"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* MoSR (MambaOut super-resolution), as spandrel runs it: a 3×3
 * convolution, gated CNN blocks (MambaOut's: a layer norm, a 3×3
 * convolution to twice the hidden width split into a gate, an identity
 * part and a part through a depthwise convolution, Mish (gate) × the
 * rest, a 3×3 convolution back, Mish, plus the block's input − 0.5), a
 * tail of three convolutions, plus a convolutional shortcut from the
 * input − 0.5, and one of three upsamplers: a convolution and a pixel
 * shuffle ("ps"), the mean of eight such convolutions ("gps", geo
 * ensemble) or DySample ("dys"). */

typedef enum
{
  MOSR_PS,
  MOSR_GPS,
  MOSR_DYS,
} MosrUpsampler;

typedef struct
{
  guint         in_ch;
  guint         out_ch;
  guint         scale;
  guint         n_block;
  guint         dim;
  guint         hidden;
  guint         conv_channels;
  guint         kernel_size;
  MosrUpsampler upsampler;
} MosrParams;

/* The keys spandrel's detection asks for. */
static const char *const detect_keys[] = {
  "gblocks.0.weight", "gblocks.0.bias", "gblocks.1.norm.weight", "gblocks.1.norm.bias",
  "gblocks.1.fc1.weight", "gblocks.1.fc1.bias", "gblocks.1.conv.weight", "gblocks.1.conv.bias",
  "gblocks.1.fc2.weight", "gblocks.1.fc2.bias",
};

/* As spandrel's load(): the blocks from the length of gblocks, the widths
 * from gblocks.0, fc1 and conv, the upsampler from its keys. */
static const char *
read_params (TesseraStateDict *state_dict,
             MosrParams       *p)
{
  const TesseraTensor *first, *fc1, *conv, *last;
  guint length = arch_sequence_length (state_dict, "gblocks");

  memset (p, 0, sizeof *p);
  first = arch_tensor (state_dict, 4, "gblocks.0.weight");
  fc1 = arch_tensor (state_dict, 4, "gblocks.1.fc1.weight");
  conv = arch_tensor (state_dict, 4, "gblocks.1.conv.weight");
  if (first == NULL || fc1 == NULL || conv == NULL)
    return _("the first convolutions are not 4-dimensional");
  if (length < 7)
    return _("there are no gated blocks before the last convolutions");
  p->n_block = length - 6;
  p->in_ch = first->shape[1];
  p->dim = first->shape[0];
  p->hidden = fc1->shape[0] / 2;
  p->conv_channels = conv->shape[0];
  p->kernel_size = conv->shape[2];
  if (fc1->shape[0] % 2 != 0 || p->conv_channels == 0 || p->conv_channels > p->hidden ||
      p->kernel_size % 2 == 0)
    return _("the gated block's convolutions do not split its hidden channels");

  if (arch_has (state_dict, "upsampler.init_pos"))
    {
      p->upsampler = MOSR_DYS;
      last = arch_tensor (state_dict, 4, "upsampler.end_conv.weight");
      if (last == NULL || (last = arch_tensor (state_dict, 4, "upsampler.offset.weight")) == NULL)
        return _("DySample has no end_conv or offset convolution");
      p->out_ch = arch_tensor (state_dict, 4, "upsampler.end_conv.weight")->shape[0];
      p->scale = last->shape[0] % 8 == 0 ? arch_square_root (last->shape[0] / 8) : 0;
    }
  else if (arch_has (state_dict, "upsampler.in_to_k.weight"))
    {
      p->upsampler = MOSR_GPS;
      p->out_ch = p->in_ch;
      last = arch_tensor (state_dict, 4, "upsampler.in_to_k.weight");
      p->scale = last != NULL && last->shape[0] % (8 * p->out_ch) == 0
                 ? arch_square_root (last->shape[0] / 8 / p->out_ch) : 0;
    }
  else
    {
      p->upsampler = MOSR_PS;
      p->out_ch = p->in_ch;
      last = arch_tensor (state_dict, 4, "upsampler.0.weight");
      p->scale = last != NULL && last->shape[0] % p->out_ch == 0
                 ? arch_square_root (last->shape[0] / p->out_ch) : 0;
    }
  if (p->scale == 0 || p->out_ch == 0)
    return _("the upsampler's size gives no scale");
  return NULL;
}

static TesseraDetect
tessera_mosr_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  MosrParams p;
  const char *why;

  for (guint i = 0; i < G_N_ELEMENTS (detect_keys); i++)
    if (!arch_has (state_dict, "%s", detect_keys[i]))
      return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_MOSR;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->scale = p.scale;
  info->in_channels = p.in_ch;
  info->out_channels = p.out_ch;
  info->num_feat = p.dim;
  info->num_blocks = p.n_block;
  info->supported = TRUE;
  if (p.in_ch != p.out_ch)
    arch_not_run (info, _("its DySample upsampler has different numbers of input and output channels, "
                          "which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_mosr_describe (TesseraStateDict      *state_dict,
                       const TesseraArchInfo *info)
{
  static const char *const upsamplers[] = { [MOSR_PS] = "ps", [MOSR_GPS] = "gps", [MOSR_DYS] = "dys" };
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  MosrParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "in_ch", g_variant_new_uint32 (p.in_ch));
  g_variant_builder_add (&builder, "{sv}", "out_ch", g_variant_new_uint32 (p.out_ch));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.scale));
  g_variant_builder_add (&builder, "{sv}", "n_block", g_variant_new_uint32 (p.n_block));
  g_variant_builder_add (&builder, "{sv}", "dim", g_variant_new_uint32 (p.dim));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string (upsamplers[p.upsampler]));
  g_variant_builder_add (&builder, "{sv}", "drop_path", g_variant_new_double (0.0));
  g_variant_builder_add (&builder, "{sv}", "kernel_size", g_variant_new_uint32 (p.kernel_size));
  g_variant_builder_add (&builder, "{sv}", "expansion_ratio", g_variant_new_double ((double) p.hidden / p.dim));
  g_variant_builder_add (&builder, "{sv}", "conv_ratio", g_variant_new_double ((double) p.conv_channels / p.dim));
  return g_variant_builder_end (&builder);
}

/* GatedCNNBlock gblocks.@index: LayerNorm (eps 1e-6), fc1 split into g,
 * i and c, c through the depthwise conv, Mish (fc2 (Mish (g) × [i, c])),
 * plus @x − 0.5. */
static guint
gated_block (TesseraBuilder   *b,
             const MosrParams *p,
             guint             x,
             guint             index)
{
  g_autofree char *fc1 = g_strdup_printf ("gblocks.%u.fc1", index);
  guint64 dim = p->dim;
  const float *weight, *bias;
  guint y, gate, parts[2], n_parts = 0, identity = p->hidden - p->conv_channels;

  weight = builder_tensor (b, &dim, 1, "gblocks.%u.norm.weight", index);
  bias = builder_tensor (b, &dim, 1, "gblocks.%u.norm.bias", index);
  builder_tensor (b, (guint64[]) { 2 * p->hidden, p->dim, 3, 3 }, 4, "%s.weight", fc1);
  if (b->error != NULL)
    return 0;
  y = tessera_graph_layer_norm (b->graph, x, weight, bias, 1e-6f);

  gate = builder_activate (b, builder_conv_rows (b, y, fc1, 0, p->hidden), TESSERA_ACTIVATION_MISH, 0.f);
  if (identity > 0)
    parts[n_parts++] = builder_conv_rows (b, y, fc1, p->hidden, identity);
  parts[n_parts] = builder_conv_rows (b, y, fc1, p->hidden + identity, p->conv_channels);
  builder_tensor (b, (guint64[]) { p->conv_channels, 1, p->kernel_size, p->kernel_size }, 4,
                  "gblocks.%u.conv.weight", index);
  parts[n_parts] = builder_conv (b, &parts[n_parts], 1, 1, p->kernel_size / 2, "gblocks.%u.conv", index);
  n_parts++;
  if (b->error != NULL)
    return 0;

  y = n_parts > 1 ? tessera_graph_concat (b->graph, parts, n_parts) : parts[0];
  y = tessera_graph_binary (b->graph, TESSERA_OP_MUL, gate, y);
  builder_tensor (b, (guint64[]) { p->dim, p->hidden, 3, 3 }, 4, "gblocks.%u.fc2.weight", index);
  y = builder_activate (b, builder_conv (b, &y, 1, 1, 1, "gblocks.%u.fc2", index), TESSERA_ACTIVATION_MISH, 0.f);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, x);
  return tessera_graph_affine (b->graph, y, 1.f, -0.5f);
}

/* GPS: upsampler.in_to_k gives eight sets of scale² × out_ch channels
 * whose mean is pixel-shuffled; the mean of eight convolutions is one
 * convolution with the mean of their weights. */
static guint
geo_ensemble (TesseraBuilder   *b,
              const MosrParams *p,
              guint             x)
{
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 4, "upsampler.in_to_k.weight");
  guint64 channels = (guint64) p->scale * p->scale * p->out_ch, kernel, row;
  const float *weight, *bias;
  float *mean_weight, *mean_bias;

  weight = builder_tensor (b, (guint64[]) { 8 * channels, p->dim, 0, 0 }, 4, "upsampler.in_to_k.weight");
  bias = builder_optional_tensor (b, (guint64[]) { 8 * channels }, 1, "upsampler.in_to_k.bias");
  if (b->error != NULL)
    return 0;
  kernel = tensor->shape[2];
  if (tensor->shape[3] != kernel || kernel % 2 == 0)
    {
      builder_fail (b, _("%s is not a square convolution kernel"), "upsampler.in_to_k.weight");
      return 0;
    }

  row = p->dim * kernel * kernel;
  mean_weight = g_new0 (float, channels * row);
  mean_bias = bias != NULL ? g_new0 (float, channels) : NULL;
  for (guint k = 0; k < 8; k++)
    for (guint64 c = 0; c < channels; c++)
      {
        for (guint64 i = 0; i < row; i++)
          mean_weight[c * row + i] += weight[(k * channels + c) * row + i] / 8.f;
        if (mean_bias != NULL)
          mean_bias[c] += bias[k * channels + c] / 8.f;
      }

  x = tessera_graph_conv (b->graph, &x, 1, channels, p->dim, kernel, 1, kernel / 2,
                          tessera_graph_keep_floats (b->graph, mean_weight),
                          mean_bias != NULL ? tessera_graph_keep_floats (b->graph, mean_bias) : NULL);
  return p->scale > 1 ? tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, p->scale) : x;
}

/* forward: gblocks (x) + shortcut (x) − 0.5, then the upsampler. */
static guint
tessera_mosr_build (TesseraBuilder        *b,
                    const TesseraArchInfo *info,
                    guint                  height,
                    guint                  width)
{
  MosrParams p;
  const char *why;
  guint input = 0, x, shortcut, tail;

  if ((why = read_params (b->state_dict, &p)) != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* The shortcut's ConvBlock: two 3×3 convolutions with Mish plus a 1×1. */
  builder_tensor (b, (guint64[]) { p.dim, p.in_ch, 3, 3 }, 4, "shortcut.block.0.weight");
  shortcut = builder_activate (b, builder_conv (b, &input, 1, 1, 1, "shortcut.block.0"), TESSERA_ACTIVATION_MISH, 0.f);
  shortcut = builder_activate (b, builder_conv (b, &shortcut, 1, 1, 1, "shortcut.block.2"),
                               TESSERA_ACTIVATION_MISH, 0.f);
  builder_tensor (b, (guint64[]) { p.dim, p.in_ch, 1, 1 }, 4, "shortcut.conv11.weight");
  x = builder_conv (b, &input, 1, 1, 0, "shortcut.conv11");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, x, 1.f, shortcut);
  shortcut = tessera_graph_affine (b->graph, x, 1.f, -0.5f);

  builder_tensor (b, (guint64[]) { p.dim, p.in_ch, 3, 3 }, 4, "gblocks.0.weight");
  x = builder_conv (b, &input, 1, 1, 1, "gblocks.0");
  for (guint i = 1; i <= p.n_block && b->error == NULL; i++)
    x = gated_block (b, &p, x, i);
  tail = p.n_block + 1;
  builder_tensor (b, (guint64[]) { 2 * p.dim, p.dim, 3, 3 }, 4, "gblocks.%u.weight", tail);
  x = builder_activate (b, builder_conv (b, &x, 1, 1, 1, "gblocks.%u", tail), TESSERA_ACTIVATION_MISH, 0.f);
  builder_tensor (b, (guint64[]) { p.dim, 2 * p.dim, 3, 3 }, 4, "gblocks.%u.weight", tail + 2);
  x = builder_activate (b, builder_conv (b, &x, 1, 1, 1, "gblocks.%u", tail + 2), TESSERA_ACTIVATION_MISH, 0.f);
  builder_tensor (b, (guint64[]) { p.dim, p.dim, 1, 1 }, 4, "gblocks.%u.weight", tail + 4);
  x = builder_conv (b, &x, 1, 1, 0, "gblocks.%u", tail + 4);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, x, 1.f, shortcut);

  switch (p.upsampler)
    {
    case MOSR_PS:
      builder_tensor (b, (guint64[]) { p.out_ch * p.scale * p.scale, p.dim, 3, 3 }, 4, "upsampler.0.weight");
      x = builder_conv (b, &x, 1, 1, 1, "upsampler.0");
      if (b->error == NULL && p.scale > 1)
        x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, p.scale);
      break;
    case MOSR_GPS:
      x = geo_ensemble (b, &p, x);
      break;
    case MOSR_DYS:
      builder_tensor (b, (guint64[]) { p.out_ch, p.dim, 1, 1 }, 4, "upsampler.end_conv.weight");
      x = builder_dysample (b, x, "upsampler", p.scale);
      break;
    }
  return x;
}

static gboolean
mosr_recipe (TesseraStateDict       *state_dict,
             const TesseraArchInfo  *info,
             TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_mosr_build;
  return TRUE;
}

const TesseraArchEntry tessera_mosr_arch = {
  .arch = TESSERA_ARCH_MOSR,
  .id = "mosr",
  .title = "MoSR",
  .detect = tessera_mosr_detect,
  .recipe = mosr_recipe,
  .describe = tessera_mosr_describe,
};
