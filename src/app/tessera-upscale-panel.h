/* tessera-upscale-panel.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_UPSCALE_PANEL (tessera_upscale_panel_get_type ())

G_DECLARE_FINAL_TYPE (TesseraUpscalePanel, tessera_upscale_panel, TESSERA, UPSCALE_PANEL, AdwBin)

void                   tessera_upscale_panel_setup             (TesseraUpscalePanel *self,
                                                                TesseraEngine       *engine,
                                                                TesseraModelLibrary *library,
                                                                GSettings           *settings);
const char            *tessera_upscale_panel_get_upscaler      (TesseraUpscalePanel *self);
void                   tessera_upscale_panel_set_upscaler      (TesseraUpscalePanel *self,
                                                                const char          *upscaler);
TesseraUpscaleOptions *tessera_upscale_panel_get_options       (TesseraUpscalePanel *self,
                                                                const char          *upscaler);
char                  *tessera_upscale_panel_describe_upscaler (TesseraUpscalePanel *self,
                                                                TesseraUpscalerInfo *info);
gboolean               tessera_upscale_panel_get_show_tiles    (TesseraUpscalePanel *self);
void                   tessera_upscale_panel_set_image         (TesseraUpscalePanel *self,
                                                                TesseraImage        *image);
TesseraTilePlan       *tessera_upscale_panel_get_tile_plan     (TesseraUpscalePanel *self);
void                   tessera_upscale_panel_set_busy          (TesseraUpscalePanel *self,
                                                                gboolean             busy);
void                   tessera_upscale_panel_set_progress      (TesseraUpscalePanel *self,
                                                                double               fraction,
                                                                const char          *text);
void                   tessera_upscale_panel_set_progress_text (TesseraUpscalePanel *self,
                                                                const char          *text);

G_END_DECLS
