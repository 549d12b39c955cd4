/* tessera-upscale-options.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include "tessera-image.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_UPSCALE_OPTIONS (tessera_upscale_options_get_type ())

G_DECLARE_FINAL_TYPE (TesseraUpscaleOptions, tessera_upscale_options, TESSERA, UPSCALE_OPTIONS, GObject)

TesseraUpscaleOptions *tessera_upscale_options_new          (void);
TesseraUpscaleOptions *tessera_upscale_options_copy         (TesseraUpscaleOptions  *self);
const char            *tessera_upscale_options_get_upscaler (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_upscaler (TesseraUpscaleOptions  *self,
                                                             const char             *upscaler);
double                 tessera_upscale_options_get_scale    (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_scale    (TesseraUpscaleOptions  *self,
                                                             double                  scale);
guint                  tessera_upscale_options_get_width    (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_width    (TesseraUpscaleOptions  *self,
                                                             guint                   width);
guint                  tessera_upscale_options_get_height   (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_height   (TesseraUpscaleOptions  *self,
                                                             guint                   height);
TesseraImageFormat     tessera_upscale_options_get_format   (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_format   (TesseraUpscaleOptions  *self,
                                                             TesseraImageFormat      format);
int                    tessera_upscale_options_get_quality  (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_quality  (TesseraUpscaleOptions  *self,
                                                             int                     quality);
gboolean               tessera_upscale_options_compute_size (TesseraUpscaleOptions  *self,
                                                             guint                   in_width,
                                                             guint                   in_height,
                                                             guint                  *out_width,
                                                             guint                  *out_height,
                                                             GError                **error);

G_END_DECLS
