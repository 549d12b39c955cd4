/* tessera-comparison-panel.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

/* What a comparison compares: upscalers, or with Redraw on, one of the
 * redraw's settings. */
typedef enum
{
  TESSERA_COMPARISON_UPSCALERS,
  TESSERA_COMPARISON_DENOISE,
  TESSERA_COMPARISON_SEEDS,
  TESSERA_COMPARISON_CHECKPOINTS,
} TesseraComparisonKind;

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

void                  tessera_comparison_panel_setup_redraw       (TesseraComparisonPanel *self,
                                                                   GListModel             *checkpoints);
TesseraComparisonKind tessera_comparison_panel_get_kind           (TesseraComparisonPanel *self);
void                  tessera_comparison_panel_set_kind           (TesseraComparisonPanel *self,
                                                                   TesseraComparisonKind   kind);
void                  tessera_comparison_panel_set_redraw_current (TesseraComparisonPanel *self,
                                                                   double                  denoise,
                                                                   gint64                  seed,
                                                                   TesseraCheckpoint      *checkpoint);
guint                 tessera_comparison_panel_get_n_values       (TesseraComparisonPanel *self);
void                  tessera_comparison_panel_set_n_values       (TesseraComparisonPanel *self,
                                                                   guint                   n);
double                tessera_comparison_panel_get_value          (TesseraComparisonPanel *self,
                                                                   guint                   index);
void                  tessera_comparison_panel_set_value          (TesseraComparisonPanel *self,
                                                                   guint                   index,
                                                                   double                  value);
TesseraCheckpoint    *tessera_comparison_panel_get_checkpoint     (TesseraComparisonPanel *self,
                                                                   guint                   index);

G_END_DECLS
