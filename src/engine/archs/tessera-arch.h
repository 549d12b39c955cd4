/* tessera-arch.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * TesseraArch:
 * @TESSERA_ARCH_UNKNOWN: not recognised
 * @TESSERA_ARCH_ESRGAN: ESRGAN / Real-ESRGAN RRDBNet
 * @TESSERA_ARCH_COMPACT: Real-ESRGAN's SRVGGNetCompact
 * @TESSERA_ARCH_REALCUGAN: Real-CUGAN
 * @TESSERA_ARCH_WAIFU2X_VGG7: waifu2x vgg_7
 * @TESSERA_ARCH_WAIFU2X_UPCONV7: waifu2x upconv_7
 * @TESSERA_ARCH_WAIFU2X_CUNET: waifu2x CUNet
 * @TESSERA_ARCH_SWINIR: SwinIR
 * @TESSERA_ARCH_DAT: DAT
 * @TESSERA_ARCH_HAT: HAT
 * @TESSERA_ARCH_OMNISR: OmniSR
 * @TESSERA_ARCH_SPAN: SPAN
 * @TESSERA_ARCH_RCAN: RCAN
 * @TESSERA_ARCH_DNCNN: DnCNN and FDnCNN
 * @TESSERA_ARCH_DRUNET: DRUNet
 */
typedef enum
{
  TESSERA_ARCH_UNKNOWN,
  TESSERA_ARCH_ESRGAN,
  TESSERA_ARCH_COMPACT,
  TESSERA_ARCH_REALCUGAN,
  TESSERA_ARCH_WAIFU2X_VGG7,
  TESSERA_ARCH_WAIFU2X_UPCONV7,
  TESSERA_ARCH_WAIFU2X_CUNET,
  TESSERA_ARCH_SWINIR,
  TESSERA_ARCH_DAT,
  TESSERA_ARCH_HAT,
  TESSERA_ARCH_OMNISR,
  TESSERA_ARCH_SPAN,
  TESSERA_ARCH_RCAN,
  TESSERA_ARCH_DNCNN,
  TESSERA_ARCH_DRUNET,
} TesseraArch;

const char *tessera_arch_to_string (TesseraArch arch);
const char *tessera_arch_get_title (TesseraArch arch);

G_END_DECLS
