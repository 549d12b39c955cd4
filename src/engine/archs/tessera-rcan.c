/* tessera-rcan.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-rcan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* RCAN (Residual Channel Attention Network), as spandrel runs it: a head
 * convolution (after a pixel unshuffle in the "unshuffle_mod" variant for
 * ×1 and ×2), residual groups of residual channel-attention blocks, a
 * pixel-shuffle upsampler (tail.0) and a last convolution (tail.1). With
 * sub_mean and add_mean in the file, the image is taken to 0–255 and the
 * DIV2K mean is subtracted and added back by those 1×1 convolutions. */

typedef struct
{
  guint    n_resgroups;
  guint    n_resblocks;
  guint    n_feats;
  guint    n_colors;
  guint    kernel_size;
  guint    reduction;
  guint    scale;
  guint    downscale_factor;   /* of the unshuffling head; 1 without */
  gboolean norm;
} RcanParams;

/* The hyper-parameters as spandrel's RCANArch.load() reads them; NULL, or
 * why the file is broken. */
static const char *
read_params (TesseraStateDict *state_dict,
             RcanParams       *p)
{
  const TesseraTensor *head, *tail, *du;
  guint head_index, upscale = 1;

  p->n_resgroups = arch_sequence_length (state_dict, "body");
  p->n_resblocks = arch_sequence_length (state_dict, "body.0.body");
  if (p->n_resgroups < 2 || p->n_resblocks < 2)
    return _("it has no residual groups");
  p->n_resgroups--;
  p->n_resblocks--;

  head_index = arch_sequence_length (state_dict, "head") > 1 ? 1 : 0;
  head = arch_tensor (state_dict, 4, "head.%u.weight", head_index);
  tail = arch_tensor (state_dict, 4, "tail.1.weight");
  du = arch_tensor (state_dict, 4, "body.0.body.0.body.3.conv_du.0.weight");
  if (head == NULL || tail == NULL || du == NULL || du->shape[0] == 0)
    return _("the head, the tail or the channel attention is not a convolution");

  p->n_colors = tail->shape[0];
  p->n_feats = head->shape[0];
  p->kernel_size = head->shape[3];
  p->reduction = p->n_feats / du->shape[0];
  p->norm = arch_has (state_dict, "sub_mean.weight");
  if (p->n_colors == 0 || p->kernel_size % 2 == 0)
    return _("the head's kernel has no centre");

  /* get_pixelshuffle_params (tail.0): each convolution's factor. */
  for (guint i = 0; i < 10 && arch_has (state_dict, "tail.0.%u.weight", i); i += 2)
    {
      const TesseraTensor *up = arch_tensor (state_dict, 4, "tail.0.%u.weight", i);
      guint root;

      if (up == NULL || up->shape[1] == 0 || (root = arch_square_root (up->shape[0] / up->shape[1])) == 0)
        return _("the upsampler's size gives no scale");
      upscale *= root;
    }

  p->downscale_factor = 1;
  p->scale = upscale;
  if (head_index == 1)
    {
      p->downscale_factor = arch_square_root (head->shape[1] / p->n_colors);
      if (p->downscale_factor == 0 || p->downscale_factor > 4 || head->shape[1] % p->n_colors != 0)
        return _("the unshuffling head's channels give no factor");
      p->scale = 4 / p->downscale_factor;
    }
  if (p->scale == 0 || p->scale * p->downscale_factor != upscale)
    return _("the upsampler's size gives no scale");

  return NULL;
}

static TesseraDetect
tessera_rcan_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  RcanParams p;
  const char *why;

  if ((!arch_has (state_dict, "head.0.weight") && !arch_has (state_dict, "head.1.weight")) ||
      !arch_has (state_dict, "tail.1.weight") || !arch_has (state_dict, "body.0.body.0.body.0.weight") ||
      !arch_has (state_dict, "body.0.body.0.body.3.conv_du.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_RCAN;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->scale = p.scale;
  info->in_channels = p.n_colors;
  info->out_channels = p.n_colors;
  info->num_feat = p.n_feats;
  info->num_blocks = p.n_resgroups;
  /* MeanShift is made for three channels. */
  info->supported = TRUE;
  if (p.norm && p.n_colors != 3)
    arch_not_run (info, _("it subtracts a three-channel mean from an image with another number of channels, "
                          "which Tessera does not run"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_rcan_describe (TesseraStateDict      *state_dict,
                       const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  RcanParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "scale", g_variant_new_uint32 (p.scale));
  g_variant_builder_add (&builder, "{sv}", "n_resgroups", g_variant_new_uint32 (p.n_resgroups));
  g_variant_builder_add (&builder, "{sv}", "n_resblocks", g_variant_new_uint32 (p.n_resblocks));
  g_variant_builder_add (&builder, "{sv}", "n_feats", g_variant_new_uint32 (p.n_feats));
  g_variant_builder_add (&builder, "{sv}", "n_colors", g_variant_new_uint32 (p.n_colors));
  g_variant_builder_add (&builder, "{sv}", "rgb_range", g_variant_new_uint32 (255));
  g_variant_builder_add (&builder, "{sv}", "norm", g_variant_new_boolean (p.norm));
  g_variant_builder_add (&builder, "{sv}", "kernel_size", g_variant_new_uint32 (p.kernel_size));
  g_variant_builder_add (&builder, "{sv}", "reduction", g_variant_new_uint32 (p.reduction));
  g_variant_builder_add (&builder, "{sv}", "res_scale", g_variant_new_double (1.0));
  g_variant_builder_add (&builder, "{sv}", "act_mode", g_variant_new_string ("relu"));
  g_variant_builder_add (&builder, "{sv}", "unshuffle_mod", g_variant_new_boolean (p.downscale_factor > 1));
  return g_variant_builder_end (&builder);
}

/* default_conv: a square kernel padded to keep the size. */
static guint
same_conv (TesseraBuilder   *b,
           const RcanParams *p,
           guint             x,
           const char       *prefix)
{
  builder_tensor (b, (guint64[]) { 0, 0, p->kernel_size, p->kernel_size }, 4, "%s.weight", prefix);
  return builder_conv (b, &x, 1, 1, p->kernel_size / 2, "%s", prefix);
}

/* RCAB PREFIX: conv, ReLU, conv, channel attention (global average, 1×1
 * down with ReLU, 1×1 up with sigmoid, times the features), plus @x. */
static guint
rcab (TesseraBuilder   *b,
      const RcanParams *p,
      guint             x,
      const char       *prefix)
{
  g_autofree char *conv0 = g_strdup_printf ("%s.body.0", prefix);
  g_autofree char *conv2 = g_strdup_printf ("%s.body.2", prefix);
  guint y, s;

  y = builder_activate (b, same_conv (b, p, x, conv0), TESSERA_ACTIVATION_RELU, 0.f);
  y = same_conv (b, p, y, conv2);
  if (b->error != NULL)
    return 0;
  s = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, y);
  s = builder_activate (b, builder_conv (b, &s, 1, 1, 0, "%s.body.3.conv_du.0", prefix),
                        TESSERA_ACTIVATION_RELU, 0.f);
  s = builder_activate (b, builder_conv (b, &s, 1, 1, 0, "%s.body.3.conv_du.2", prefix),
                        TESSERA_ACTIVATION_SIGMOID, 0.f);
  if (b->error != NULL)
    return 0;
  y = tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, y, s);
  return tessera_graph_add_nodes (b->graph, y, 1.f, x, 1.f);
}

/* The mean shift PREFIX (a stored 1×1 convolution) over @x, or @x when
 * the file has none. */
static guint
mean_shift (TesseraBuilder *b,
            guint           x,
            const char     *prefix)
{
  if (!arch_has (b->state_dict, "%s.weight", prefix))
    return x;
  builder_tensor (b, (guint64[]) { 3, 3, 1, 1 }, 4, "%s.weight", prefix);
  return builder_conv (b, &x, 1, 1, 0, "%s", prefix);
}

/* RCAN.forward: × rgb_range, sub_mean, head, body (groups of blocks and a
 * convolution, each with its residual, then a convolution and the head's
 * output added), tail, add_mean, ÷ rgb_range. The input arrives padded to
 * a multiple of the unshuffle factor by reflection, as check_img_size()
 * pads it, and the network crops the output. */
static guint
tessera_rcan_build (TesseraBuilder        *b,
                    const TesseraArchInfo *info,
                    guint                  height,
                    guint                  width)
{
  RcanParams p;
  const char *why;
  float range;
  guint x = 0, head, group;

  if ((why = read_params (b->state_dict, &p)) != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }
  range = p.norm ? 255.f : 1.f;

  if (p.norm)
    x = mean_shift (b, tessera_graph_affine (b->graph, x, range, 0.f), "sub_mean");
  if (p.downscale_factor > 1)
    x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_UNSHUFFLE, x, p.downscale_factor);
  head = x = same_conv (b, &p, x, p.downscale_factor > 1 ? "head.1" : "head.0");

  for (guint g = 0; g < p.n_resgroups && b->error == NULL; g++)
    {
      g_autofree char *last = g_strdup_printf ("body.%u.body.%u", g, p.n_resblocks);

      group = x;
      for (guint r = 0; r < p.n_resblocks && b->error == NULL; r++)
        {
          g_autofree char *prefix = g_strdup_printf ("body.%u.body.%u", g, r);

          x = rcab (b, &p, x, prefix);
        }
      x = same_conv (b, &p, x, last);
      if (b->error == NULL)
        x = tessera_graph_add_nodes (b->graph, x, 1.f, group, 1.f);
    }
  {
    g_autofree char *last = g_strdup_printf ("body.%u", p.n_resgroups);

    x = same_conv (b, &p, x, last);
  }
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, x, 1.f, head, 1.f);

  /* Upsampler: 3×3 convolutions, each before its pixel shuffle. */
  for (guint i = 0; arch_has (b->state_dict, "tail.0.%u.weight", i) && b->error == NULL; i += 2)
    {
      guint channels = tessera_graph_get_channels (b->graph, x);

      builder_tensor (b, (guint64[]) { 0, channels, 3, 3 }, 4, "tail.0.%u.weight", i);
      x = builder_conv (b, &x, 1, 1, 1, "tail.0.%u", i);
      if (b->error == NULL)
        x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x,
                                   arch_square_root (tessera_graph_get_channels (b->graph, x) / channels));
    }
  x = same_conv (b, &p, x, "tail.1");
  if (b->error != NULL)
    return 0;

  if (p.norm)
    x = tessera_graph_affine (b->graph, mean_shift (b, x, "add_mean"), 1.f / range, 0.f);
  return x;
}

static gboolean
rcan_recipe (TesseraStateDict       *state_dict,
             const TesseraArchInfo  *info,
             TesseraArchRecipe      *recipe)
{
  RcanParams p;

  if (!info->supported || read_params (state_dict, &p) != NULL)
    return FALSE;
  recipe->build = tessera_rcan_build;
  recipe->multiple_of = p.downscale_factor;
  return TRUE;
}

const TesseraArchEntry tessera_rcan_arch = {
  .arch = TESSERA_ARCH_RCAN,
  .id = "rcan",
  .title = "RCAN",
  .detect = tessera_rcan_detect,
  .recipe = rcan_recipe,
  .describe = tessera_rcan_describe,
};
