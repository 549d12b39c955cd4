/* tessera-redraw-panel.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_REDRAW_PANEL (tessera_redraw_panel_get_type ())

G_DECLARE_FINAL_TYPE (TesseraRedrawPanel, tessera_redraw_panel, TESSERA, REDRAW_PANEL, AdwBin)

void                   tessera_redraw_panel_setup               (TesseraRedrawPanel    *self,
                                                                 TesseraModelLibrary   *library,
                                                                 GSettings             *settings);
gboolean               tessera_redraw_panel_get_enabled         (TesseraRedrawPanel    *self);
void                   tessera_redraw_panel_set_enabled         (TesseraRedrawPanel    *self,
                                                                 gboolean               enabled);
TesseraRedrawOptions  *tessera_redraw_panel_get_options         (TesseraRedrawPanel    *self);
TesseraCheckpoint     *tessera_redraw_panel_get_checkpoint      (TesseraRedrawPanel    *self);
void                   tessera_redraw_panel_set_checkpoint      (TesseraRedrawPanel    *self,
                                                                 TesseraCheckpoint     *checkpoint);
void                   tessera_redraw_panel_set_last_seed       (TesseraRedrawPanel    *self,
                                                                 gint64                 seed);
TesseraGenerationInfo *tessera_redraw_panel_get_generation_info (TesseraRedrawPanel    *self);
void                   tessera_redraw_panel_set_generation_info (TesseraRedrawPanel    *self,
                                                                 TesseraGenerationInfo *info);

G_END_DECLS
