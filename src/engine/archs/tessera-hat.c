/* tessera-hat.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-hat"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* HAT: SwinIR's layers plus channel attention and overlapping cross
 * attention; the relative_position_index_SA buffer is its alone. */
TesseraDetect
tessera_hat_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const TesseraTensor *first, *last;

  if (!arch_has (state_dict, "relative_position_index_SA") ||
      !arch_has (state_dict, "layers.0.residual_group.blocks.0.conv_block.cab.0.weight") ||
      !arch_has (state_dict, "conv_first.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_HAT;
  info->num_blocks = arch_count (state_dict, "layers.%u.residual_group.blocks.0.norm1.weight", 0);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  last = arch_tensor (state_dict, 4, "conv_last.weight");
  if (first == NULL || last == NULL)
    return arch_broken (error, info->arch, _("conv_first or conv_last is not a convolution"));

  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  info->out_channels = last->shape[0];
  info->scale = arch_pixelshuffle_scale (state_dict, "upsample");
  if (info->scale == 0)
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  return TESSERA_DETECT_YES;
}
