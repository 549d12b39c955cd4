/* tessera-comparison-panel.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_COMPARISON_PANEL (tessera_comparison_panel_get_type ())

G_DECLARE_FINAL_TYPE (TesseraComparisonPanel, tessera_comparison_panel, TESSERA, COMPARISON_PANEL, AdwBin)

void       tessera_comparison_panel_setup           (TesseraComparisonPanel *self,
                                                     GListModel             *upscalers,
                                                     GSettings              *settings);
void       tessera_comparison_panel_ensure_chosen   (TesseraComparisonPanel *self);
GPtrArray *tessera_comparison_panel_get_chosen      (TesseraComparisonPanel *self);
gboolean   tessera_comparison_panel_get_whole_image (TesseraComparisonPanel *self);
void       tessera_comparison_panel_set_region      (TesseraComparisonPanel *self,
                                                     const TesseraRect      *region);

G_END_DECLS
