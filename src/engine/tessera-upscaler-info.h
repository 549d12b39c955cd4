/* tessera-upscaler-info.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TesseraUpscalerKind:
 * @TESSERA_UPSCALER_KIND_CLASSIC: a resampling filter
 * @TESSERA_UPSCALER_KIND_MODEL: a neural network read from a model file
 */
typedef enum
{
  TESSERA_UPSCALER_KIND_CLASSIC,
  TESSERA_UPSCALER_KIND_MODEL,
} TesseraUpscalerKind;

#define TESSERA_TYPE_UPSCALER_INFO (tessera_upscaler_info_get_type ())

G_DECLARE_FINAL_TYPE (TesseraUpscalerInfo, tessera_upscaler_info, TESSERA, UPSCALER_INFO, GObject)

TesseraUpscalerInfo *tessera_upscaler_info_new             (const char          *name,
                                                            const char          *title,
                                                            const char          *description,
                                                            TesseraUpscalerKind  kind);
const char          *tessera_upscaler_info_get_name        (TesseraUpscalerInfo *self);
const char          *tessera_upscaler_info_get_title       (TesseraUpscalerInfo *self);
const char          *tessera_upscaler_info_get_description (TesseraUpscalerInfo *self);
TesseraUpscalerKind  tessera_upscaler_info_get_kind        (TesseraUpscalerInfo *self);

G_END_DECLS
