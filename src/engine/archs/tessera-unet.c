/* tessera-unet.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-unet"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* The two-U-Net model of waifu2x's CUNet and of Real-CUGAN, which grew out
 * of it: unet1.*, unet2.*, and for Real-CUGAN ×4 a final convolution that
 * is pixel-shuffled. The scale is in unet1's last layer: a transposed
 * convolution with a 4×4 kernel doubles, 5×5 triples, a plain 3×3
 * convolution keeps the size (waifu2x's denoise-only CUNet).
 *
 * The two cannot be told apart by keys and shapes: CUNet ×2 and Real-CUGAN
 * ×2 have the same. The metadata decides, as the ncnn loader and nunif's
 * checkpoints record it; otherwise a ×2 model is taken for Real-CUGAN. */
TesseraDetect
tessera_unet_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  const char *arch = tessera_state_dict_get_metadata (state_dict, "arch");
  const char *name = tessera_state_dict_get_metadata (state_dict, "name");
  const TesseraTensor *first, *bottom1, *bottom2, *final;

  if (!arch_has (state_dict, "unet1.conv1.conv.0.weight") || !arch_has (state_dict, "unet2.conv1.conv.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_REALCUGAN;
  info->supported = TRUE;
  info->num_feat = 64;

  first = arch_tensor (state_dict, 4, "unet1.conv1.conv.0.weight");
  bottom1 = arch_tensor (state_dict, 4, "unet1.conv_bottom.weight");
  bottom2 = arch_tensor (state_dict, 4, "unet2.conv_bottom.weight");
  final = arch_tensor (state_dict, 4, "conv_final.weight");
  if (first == NULL || bottom1 == NULL || bottom2 == NULL)
    return arch_broken (error, info->arch, _("a U-Net's first or last convolution is missing"));

  info->in_channels = first->shape[1];

  if (final != NULL)
    {
      info->out_channels = final->shape[0] / 4;
      info->scale = 4;
      /* UpCunet2x_fast has these shapes with a 4×-unshuffled input. */
      if (info->out_channels * 4 == info->in_channels)
        {
          info->in_channels /= 4;
          info->scale = 2;
          info->supported = FALSE;
        }
      return TESSERA_DETECT_YES;
    }

  info->out_channels = bottom2->shape[0];
  switch (bottom1->shape[2])
    {
    case 3:
      info->scale = 1;
      info->arch = TESSERA_ARCH_WAIFU2X_CUNET;
      break;
    case 4:
      info->scale = 2;
      break;
    case 5:
      info->scale = 3;
      break;
    default:
      return arch_broken (error, info->arch, _("unet1's last layer has an unknown kernel size"));
    }

  if (g_strcmp0 (arch, "waifu2x-cunet") == 0 || (name != NULL && g_str_has_prefix (name, "waifu2x.")))
    info->arch = TESSERA_ARCH_WAIFU2X_CUNET;

  return TESSERA_DETECT_YES;
}
