/* tessera-comparison-results.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_COMPARISON_RESULTS (tessera_comparison_results_get_type ())

G_DECLARE_FINAL_TYPE (TesseraComparisonResults, tessera_comparison_results, TESSERA, COMPARISON_RESULTS, GtkWidget)

GtkWidget    *tessera_comparison_results_new              (void);
void          tessera_comparison_results_clear            (TesseraComparisonResults *self);
void          tessera_comparison_results_add              (TesseraComparisonResults *self,
                                                           TesseraUpscaleOptions    *options,
                                                           const char               *title,
                                                           const char               *subtitle);
void          tessera_comparison_results_add_redraw       (TesseraComparisonResults *self,
                                                           TesseraUpscaleOptions    *options,
                                                           TesseraRedrawOptions     *redraw,
                                                           TesseraCheckpoint        *checkpoint,
                                                           const char               *title,
                                                           const char               *subtitle);
TesseraRedrawOptions *tessera_comparison_results_get_redraw (TesseraComparisonResults *self,
                                                             guint                     index);
TesseraCheckpoint *tessera_comparison_results_get_checkpoint (TesseraComparisonResults *self,
                                                              guint                     index);
void          tessera_comparison_results_start            (TesseraComparisonResults *self,
                                                           TesseraEngine            *engine,
                                                           TesseraImage             *input,
                                                           const TesseraRect        *region);
void          tessera_comparison_results_cancel           (TesseraComparisonResults *self);
gboolean      tessera_comparison_results_get_busy         (TesseraComparisonResults *self);
guint         tessera_comparison_results_get_n_upscalers  (TesseraComparisonResults *self);
const char   *tessera_comparison_results_get_upscaler     (TesseraComparisonResults *self,
                                                           guint                     index);
const char   *tessera_comparison_results_get_title        (TesseraComparisonResults *self,
                                                           guint                     index);
GdkTexture   *tessera_comparison_results_get_result       (TesseraComparisonResults *self,
                                                           guint                     index);
TesseraImage *tessera_comparison_results_get_whole_result (TesseraComparisonResults *self,
                                                           guint                     index);
void          tessera_comparison_results_get_columns      (TesseraComparisonResults *self,
                                                           guint                    *columns,
                                                           guint                    *rows);
double        tessera_comparison_results_get_zoom         (TesseraComparisonResults *self);
void          tessera_comparison_results_apply            (TesseraComparisonResults *self,
                                                           guint                     index);

G_END_DECLS
