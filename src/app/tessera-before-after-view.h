/* tessera-before-after-view.h
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
  TESSERA_BEFORE_AFTER_SPLIT,
  TESSERA_BEFORE_AFTER_SIDE_BY_SIDE,
  TESSERA_BEFORE_AFTER_BLINK,
} TesseraBeforeAfterMode;

#define TESSERA_TYPE_BEFORE_AFTER_MODE (tessera_before_after_mode_get_type ())
GType tessera_before_after_mode_get_type (void) G_GNUC_CONST;

#define TESSERA_TYPE_BEFORE_AFTER_VIEW (tessera_before_after_view_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBeforeAfterView, tessera_before_after_view, TESSERA, BEFORE_AFTER_VIEW, GtkWidget)

GtkWidget             *tessera_before_after_view_new                (void);
void                   tessera_before_after_view_set_before_image   (TesseraBeforeAfterView *self,
                                                                     TesseraImage           *image);
GdkTexture            *tessera_before_after_view_get_before         (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_after_image    (TesseraBeforeAfterView *self,
                                                                     TesseraImage           *image);
GdkTexture            *tessera_before_after_view_get_after          (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_mode           (TesseraBeforeAfterView *self,
                                                                     TesseraBeforeAfterMode  mode);
TesseraBeforeAfterMode tessera_before_after_view_get_mode           (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_split          (TesseraBeforeAfterView *self,
                                                                     double                  split);
double                 tessera_before_after_view_get_split          (TesseraBeforeAfterView *self);
double                 tessera_before_after_view_get_zoom           (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_zoom_to_fit        (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_tile_plan      (TesseraBeforeAfterView *self,
                                                                     TesseraTilePlan        *plan);
TesseraTilePlan       *tessera_before_after_view_get_tile_plan      (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_redraw_plan    (TesseraBeforeAfterView *self,
                                                                     TesseraRedrawPlan      *plan);
TesseraRedrawPlan     *tessera_before_after_view_get_redraw_plan    (TesseraBeforeAfterView *self);
GArray                *tessera_before_after_view_build_overlay      (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_show_redraw_step   (TesseraBeforeAfterView *self,
                                                                     TesseraRedrawPlan      *plan,
                                                                     guint                   index,
                                                                     TesseraImage           *preview);
void                   tessera_before_after_view_begin_filling      (TesseraBeforeAfterView *self,
                                                                     guint                   width,
                                                                     guint                   height);
void                   tessera_before_after_view_show_tile          (TesseraBeforeAfterView *self,
                                                                     const TesseraTileEvent *event);
void                   tessera_before_after_view_clear_tiles        (TesseraBeforeAfterView *self);
guint                  tessera_before_after_view_get_n_filled_tiles (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_region_shown   (TesseraBeforeAfterView *self,
                                                                     gboolean                shown);
gboolean               tessera_before_after_view_get_region_shown   (TesseraBeforeAfterView *self);
void                   tessera_before_after_view_set_region         (TesseraBeforeAfterView *self,
                                                                     const TesseraRect      *region);
void                   tessera_before_after_view_get_region         (TesseraBeforeAfterView *self,
                                                                     TesseraRect            *region);
void                   tessera_before_after_view_set_labels         (TesseraBeforeAfterView *self,
                                                                     const char             *before,
                                                                     const char             *after);

G_END_DECLS
