/* tessera-span.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-span"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* SPAN: re-parameterisable Conv3XC blocks (sk, conv.*, eval_conv) and a
 * pixel-shuffle convolution upsampler.0 to scale² × out channels. */
TesseraDetect
tessera_span_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  const TesseraTensor *first, *up;

  if (!arch_has (state_dict, "conv_1.sk.weight") || !arch_has (state_dict, "block_1.c1_r.sk.weight") ||
      !arch_has (state_dict, "upsampler.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SPAN;
  info->num_blocks = arch_count (state_dict, "block_%u.c1_r.sk.weight", 1);

  first = arch_tensor (state_dict, 4, "conv_1.sk.weight");
  up = arch_tensor (state_dict, 4, "upsampler.0.weight");
  if (first == NULL || up == NULL)
    return arch_broken (error, info->arch, _("conv_1 or the upsampler is not a convolution"));

  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  if (!arch_scale_and_channels (up->shape[0], info->in_channels, &info->scale, &info->out_channels))
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  return TESSERA_DETECT_YES;
}
