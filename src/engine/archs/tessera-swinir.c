/* tessera-swinir.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-swinir"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* SwinIR: recognised by its Swin layers; the upsampler decides the scale
 * (nearest+conv: conv_upN, ×2 each; pixelshuffle: upsample.*;
 * pixelshuffledirect: one convolution to scale² × out channels). */
TesseraDetect
tessera_swinir_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const TesseraTensor *first, *last, *direct;
  guint unshuffle = 1;

  if (!arch_has (state_dict, "layers.0.residual_group.blocks.0.norm1.weight") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.mlp.fc1.bias") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.attn.relative_position_index") ||
      (!arch_has (state_dict, "conv_first.weight") && !arch_has (state_dict, "conv_first.1.weight")))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SWINIR;
  info->num_blocks = arch_count (state_dict, "layers.%u.residual_group.blocks.0.norm1.weight", 0);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    {
      first = arch_tensor (state_dict, 4, "conv_first.1.weight");
      if (first == NULL)
        return arch_broken (error, info->arch, _("conv_first is not a convolution"));
      unshuffle = (guint) floor (sqrt (first->shape[1] / 3.0) + 0.5);
    }

  info->num_feat = first->shape[0];
  info->in_channels = first->shape[1] / (unshuffle * unshuffle);
  last = arch_tensor (state_dict, 4, "conv_last.weight");
  info->out_channels = last != NULL ? last->shape[0] : info->in_channels;

  if (arch_has (state_dict, "conv_before_upsample.0.weight"))
    {
      if (arch_has (state_dict, "conv_up1.weight"))
        info->scale = 1u << MIN (arch_count (state_dict, "conv_up%u.weight", 1), 4);
      else
        info->scale = arch_pixelshuffle_scale (state_dict, "upsample");
    }
  else if ((direct = arch_tensor (state_dict, 1, "upsample.0.bias")) != NULL)
    {
      guint out;

      if (!arch_scale_and_channels (direct->shape[0], info->out_channels, &info->scale, &out))
        return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));
    }
  else
    info->scale = 1;

  if (info->scale == 0 || info->scale < unshuffle)
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));
  info->scale /= unshuffle;

  return TESSERA_DETECT_YES;
}
