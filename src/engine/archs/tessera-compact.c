/* tessera-compact.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-compact"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* Real-ESRGAN's SRVGGNetCompact: body.0 a convolution, then PReLU and
 * convolution in turns; the last convolution's bias has scale² × out
 * channels, pixel-shuffled and added to the nearest-upsampled input. */
TesseraDetect
tessera_compact_detect (TesseraStateDict  *state_dict,
                        TesseraArchInfo   *info,
                        GError           **error)
{
  const TesseraTensor *first, *last_bias;
  guint n;

  if (!arch_has (state_dict, "body.0.weight") || !arch_has (state_dict, "body.1.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_COMPACT;
  info->supported = TRUE;

  n = arch_count (state_dict, "body.%u.weight", 0);
  first = arch_tensor (state_dict, 4, "body.0.weight");
  last_bias = arch_tensor (state_dict, 1, "body.%u.bias", n - 1);
  if (first == NULL || arch_tensor (state_dict, 1, "body.1.weight") == NULL)
    return arch_broken (error, info->arch, _("body.0 is not a convolution followed by a PReLU"));
  if (n < 3 || n % 2 == 0 || last_bias == NULL)
    return arch_broken (error, info->arch, _("the body does not end with a convolution"));

  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  info->num_blocks = (n - 3) / 2;   /* convolutions between the first and the last */

  if (!arch_scale_and_channels (last_bias->shape[0], info->in_channels, &info->scale, &info->out_channels))
    return arch_broken (error, info->arch, _("the last convolution's size gives no scale"));

  return TESSERA_DETECT_YES;
}
