/* tessera-comparison-view.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_COMPARISON_VIEW (tessera_comparison_view_get_type ())

G_DECLARE_FINAL_TYPE (TesseraComparisonView, tessera_comparison_view, TESSERA, COMPARISON_VIEW, GtkWidget)

GtkWidget    *tessera_comparison_view_new              (void);
void          tessera_comparison_view_clear            (TesseraComparisonView *self);
void          tessera_comparison_view_add              (TesseraComparisonView *self,
                                                        TesseraUpscaleOptions *options,
                                                        const char            *title,
                                                        const char            *subtitle);
void          tessera_comparison_view_start            (TesseraComparisonView *self,
                                                        TesseraEngine         *engine,
                                                        TesseraImage          *input,
                                                        const TesseraRect     *region);
void          tessera_comparison_view_cancel           (TesseraComparisonView *self);
gboolean      tessera_comparison_view_get_busy         (TesseraComparisonView *self);
guint         tessera_comparison_view_get_n_upscalers  (TesseraComparisonView *self);
const char   *tessera_comparison_view_get_upscaler     (TesseraComparisonView *self,
                                                        guint                  index);
const char   *tessera_comparison_view_get_title        (TesseraComparisonView *self,
                                                        guint                  index);
GdkTexture   *tessera_comparison_view_get_result       (TesseraComparisonView *self,
                                                        guint                  index);
TesseraImage *tessera_comparison_view_get_whole_result (TesseraComparisonView *self,
                                                        guint                  index);
void          tessera_comparison_view_get_columns      (TesseraComparisonView *self,
                                                        guint                 *columns,
                                                        guint                 *rows);
double        tessera_comparison_view_get_zoom         (TesseraComparisonView *self);
void          tessera_comparison_view_apply            (TesseraComparisonView *self,
                                                        guint                  index);

G_END_DECLS
