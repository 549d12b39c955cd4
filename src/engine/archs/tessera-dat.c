/* tessera-dat.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-dat"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* DAT: recognised by before_RG and its spatial-gate feed-forward. With a
 * conv_last the upsampler is a pixel-shuffle module, without one a single
 * convolution to scale² × in channels. */
TesseraDetect
tessera_dat_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const TesseraTensor *first, *last, *direct;

  if (!arch_has (state_dict, "conv_first.weight") || !arch_has (state_dict, "before_RG.1.weight") ||
      !arch_has (state_dict, "layers.0.blocks.0.ffn.sg.norm.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_DAT;
  info->num_blocks = arch_count (state_dict, "layers.%u.blocks.0.norm1.weight", 0);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    return arch_broken (error, info->arch, _("conv_first is not a convolution"));
  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];

  if ((last = arch_tensor (state_dict, 4, "conv_last.weight")) != NULL)
    {
      info->out_channels = last->shape[0];
      info->scale = arch_pixelshuffle_scale (state_dict, "upsample");
    }
  else if ((direct = arch_tensor (state_dict, 4, "upsample.0.weight")) != NULL)
    {
      if (!arch_scale_and_channels (direct->shape[0], info->in_channels, &info->scale, &info->out_channels))
        return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));
    }

  if (info->scale == 0)
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  return TESSERA_DETECT_YES;
}
