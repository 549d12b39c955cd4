/* tessera-waifu2x.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-waifu2x"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* waifu2x's two small models, with nunif's names net.0 … net.12:
 * vgg_7, seven 3×3 convolutions (1:1), and upconv_7, six convolutions and
 * a 4×4 stride-2 transposed convolution (×2). */
static TesseraDetect
tessera_waifu2x_detect (TesseraStateDict  *state_dict,
                        TesseraArchInfo   *info,
                        GError           **error)
{
  const TesseraTensor *first, *last;

  if (arch_count (state_dict, "net.%u.weight", 0) != 1 || !arch_has (state_dict, "net.12.weight") ||
      !arch_has (state_dict, "net.2.weight") || arch_has (state_dict, "net.14.weight"))
    return TESSERA_DETECT_NO;

  for (guint i = 0; i <= 12; i += 2)
    if (arch_tensor (state_dict, 4, "net.%u.weight", i) == NULL)
      return TESSERA_DETECT_NO;

  first = arch_tensor (state_dict, 4, "net.0.weight");
  last = arch_tensor (state_dict, 4, "net.12.weight");
  info->supported = TRUE;
  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];

  if (last->shape[2] == 4)
    {
      info->arch = TESSERA_ARCH_WAIFU2X_UPCONV7;
      info->out_channels = last->shape[1];
      info->scale = 2;
    }
  else if (last->shape[2] == 3)
    {
      info->arch = TESSERA_ARCH_WAIFU2X_VGG7;
      info->out_channels = last->shape[0];
      info->scale = 1;
    }
  else
    return arch_broken (error, TESSERA_ARCH_WAIFU2X_VGG7, _("its last layer has an unknown kernel size"));

  return TESSERA_DETECT_YES;
}

/* waifu2x's vgg_7 (seven unpadded 3×3 convolutions, 1:1, after a nearest
 * ×2 enlargement for the scale2.0x files) and upconv_7 (six convolutions
 * and a 4×4 transposed one that doubles the size). Each eats a 7-pixel
 * border, which is padded by repeating the edge, as waifu2x-ncnn-vulkan
 * does. */
static guint
tessera_waifu2x_build (TesseraBuilder        *b,
                       const TesseraArchInfo *info,
                       guint                  height,
                       guint                  width)
{
  gboolean upconv = info->arch == TESSERA_ARCH_WAIFU2X_UPCONV7;
  const char *input_scale = tessera_state_dict_get_metadata (b->state_dict, "input_scale");
  guint n_convs = upconv ? 6 : 7;
  guint x = 0;

  if (!upconv && input_scale != NULL && g_ascii_strtod (input_scale, NULL) == 2.0)
    {
      x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_NEAREST, 2.0);
      height *= 2;
      width *= 2;
    }

  x = tessera_graph_pad (b->graph, x, TESSERA_PAD_REPLICATE, 7, 7 + height % 2, 7, 7 + width % 2);
  for (guint i = 0; i < n_convs && b->error == NULL; i++)
    {
      x = builder_conv (b, &x, 1, 1, 0, "net.%u", 2 * i);
      if (b->error == NULL && (upconv || i + 1 < n_convs))
        builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.1f);
    }

  if (upconv)
    x = builder_deconv (b, x, 2, 3, "net.12");
  return tessera_graph_crop (b->graph, x, 0, (height % 2) * (upconv ? 2 : 1), 0, (width % 2) * (upconv ? 2 : 1));
}

static gboolean
waifu2x_recipe (TesseraStateDict       *state_dict,
                const TesseraArchInfo  *info,
                TesseraArchRecipe      *recipe)
{
  recipe->build = tessera_waifu2x_build;
  return TRUE;
}

const TesseraArchEntry tessera_waifu2x_vgg7_arch = {
  .arch = TESSERA_ARCH_WAIFU2X_VGG7,
  .id = "waifu2x-vgg7",
  .title = "waifu2x vgg_7",
  .detect = tessera_waifu2x_detect,
  .recipe = waifu2x_recipe,
};

const TesseraArchEntry tessera_waifu2x_upconv7_arch = {
  .arch = TESSERA_ARCH_WAIFU2X_UPCONV7,
  .id = "waifu2x-upconv7",
  .title = "waifu2x upconv_7",
  .recipe = waifu2x_recipe,
  .noise_levels = TESSERA_NOISE_LEVELS_WAIFU2X_FILES,
};
