/* tessera-batch-view.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_BATCH_VIEW (tessera_batch_view_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatchView, tessera_batch_view, TESSERA, BATCH_VIEW, AdwBin)

void          tessera_batch_view_setup             (TesseraBatchView *self,
                                                    TesseraEngine    *engine,
                                                    GSettings        *settings);
TesseraBatch *tessera_batch_view_get_batch         (TesseraBatchView *self);
void          tessera_batch_view_add_files         (TesseraBatchView *self,
                                                    GFile           **files,
                                                    guint             n_files);
void          tessera_batch_view_set_output_folder (TesseraBatchView *self,
                                                    GFile            *folder);
gboolean      tessera_batch_view_start             (TesseraBatchView      *self,
                                                    TesseraUpscaleOptions *options,
                                                    const char            *upscaler_label,
                                                    TesseraCheckpoint     *checkpoint,
                                                    TesseraRedrawOptions  *redraw_options,
                                                    GError               **error);
TesseraBatchRedraw tessera_batch_view_get_redraw   (TesseraBatchView      *self);
void          tessera_batch_view_set_redraw        (TesseraBatchView      *self,
                                                    TesseraBatchRedraw     redraw);

G_END_DECLS
