/* tessera-window.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera-application.h"
#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_WINDOW (tessera_window_get_type ())

G_DECLARE_FINAL_TYPE (TesseraWindow, tessera_window, TESSERA, WINDOW, AdwApplicationWindow)

TesseraWindow       *tessera_window_new                    (TesseraApplication *application);
void                 tessera_window_open                   (TesseraWindow      *self,
                                                            GFile              *file);
void                 tessera_window_import_model           (TesseraWindow      *self,
                                                            GFile              *file);
void                 tessera_window_save                   (TesseraWindow      *self,
                                                            GFile              *file);

/* For the UI tests. */
GtkWidget           *tessera_window_get_before_after_view  (TesseraWindow      *self);
GtkWidget           *tessera_window_get_frame_scrubber     (TesseraWindow      *self);
GtkWidget           *tessera_window_get_upscale_panel      (TesseraWindow      *self);
GtkWidget           *tessera_window_get_redraw_panel       (TesseraWindow      *self);
GtkWidget           *tessera_window_get_comparison_panel   (TesseraWindow      *self);
GtkWidget           *tessera_window_get_comparison_results (TesseraWindow      *self);
GtkWidget           *tessera_window_get_batch_view         (TesseraWindow      *self);
gboolean             tessera_window_get_busy               (TesseraWindow      *self);
gboolean             tessera_window_get_importing          (TesseraWindow      *self);
const char          *tessera_window_get_last_error         (TesseraWindow      *self);
TesseraModelLibrary *tessera_window_get_model_library      (TesseraWindow      *self);

G_END_DECLS
