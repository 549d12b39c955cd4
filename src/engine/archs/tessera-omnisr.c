/* tessera-omnisr.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-omnisr"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* OmniSR: an input convolution, residual layers of omni self-attention,
 * and a pixel-shuffle convolution up.0 to scale² × out channels. */
TesseraDetect
tessera_omnisr_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const TesseraTensor *input, *up;

  if (!arch_has (state_dict, "residual_layer.0.residual_layer.0.layer.0.fn.0.weight") ||
      !arch_has (state_dict, "input.weight") || !arch_has (state_dict, "up.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_OMNISR;
  info->num_blocks = arch_count (state_dict, "residual_layer.%u.residual_layer.0.layer.0.fn.0.weight", 0);

  input = arch_tensor (state_dict, 4, "input.weight");
  up = arch_tensor (state_dict, 4, "up.0.weight");
  if (input == NULL || up == NULL)
    return arch_broken (error, info->arch, _("input or up.0 is not a convolution"));

  info->in_channels = input->shape[1];
  info->num_feat = input->shape[0];
  if (!arch_scale_and_channels (up->shape[0], info->in_channels, &info->scale, &info->out_channels))
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  return TESSERA_DETECT_YES;
}
