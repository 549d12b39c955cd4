/* tessera-compare-view.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tessera.h"

G_BEGIN_DECLS

typedef enum
{
  TESSERA_COMPARE_SPLIT,
  TESSERA_COMPARE_SIDE_BY_SIDE,
  TESSERA_COMPARE_BLINK,
} TesseraCompareMode;

#define TESSERA_TYPE_COMPARE_MODE (tessera_compare_mode_get_type ())
GType tessera_compare_mode_get_type (void) G_GNUC_CONST;

#define TESSERA_TYPE_COMPARE_VIEW (tessera_compare_view_get_type ())

G_DECLARE_FINAL_TYPE (TesseraCompareView, tessera_compare_view, TESSERA, COMPARE_VIEW, GtkWidget)

GtkWidget          *tessera_compare_view_new          (void);
void                tessera_compare_view_set_before_image (TesseraCompareView *self,
                                                           TesseraImage       *image);
GdkTexture         *tessera_compare_view_get_before   (TesseraCompareView *self);
void                tessera_compare_view_set_after_image (TesseraCompareView *self,
                                                          TesseraImage       *image);
GdkTexture         *tessera_compare_view_get_after    (TesseraCompareView *self);
void                tessera_compare_view_set_mode     (TesseraCompareView *self,
                                                       TesseraCompareMode  mode);
TesseraCompareMode  tessera_compare_view_get_mode     (TesseraCompareView *self);
void                tessera_compare_view_set_split    (TesseraCompareView *self,
                                                       double              split);
double              tessera_compare_view_get_split    (TesseraCompareView *self);
double              tessera_compare_view_get_zoom     (TesseraCompareView *self);
void                tessera_compare_view_zoom_to_fit  (TesseraCompareView *self);
void                tessera_compare_view_set_tile_plan (TesseraCompareView *self,
                                                        TesseraTilePlan    *plan);
TesseraTilePlan    *tessera_compare_view_get_tile_plan (TesseraCompareView *self);
void                tessera_compare_view_begin_filling (TesseraCompareView     *self,
                                                        guint                   width,
                                                        guint                   height);
void                tessera_compare_view_show_tile     (TesseraCompareView     *self,
                                                        const TesseraTileEvent *event);
void                tessera_compare_view_clear_tiles   (TesseraCompareView     *self);
guint               tessera_compare_view_get_n_filled_tiles (TesseraCompareView *self);
void                tessera_compare_view_set_region_shown (TesseraCompareView *self,
                                                           gboolean            shown);
gboolean            tessera_compare_view_get_region_shown (TesseraCompareView *self);
void                tessera_compare_view_set_region    (TesseraCompareView     *self,
                                                        const TesseraRect      *region);
void                tessera_compare_view_get_region    (TesseraCompareView     *self,
                                                        TesseraRect            *region);
void                tessera_compare_view_set_labels    (TesseraCompareView     *self,
                                                        const char             *before,
                                                        const char             *after);

G_END_DECLS
