/* tessera-tile-overlay-draw.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tessera-tile-overlay.h"
#include "tessera-viewport.h"

G_BEGIN_DECLS

/* Where a tile of the plan shown is in the run under way; a plan's tiles
 * start waiting (zero). */
typedef enum
{
  TESSERA_OVERLAY_WAITING,
  TESSERA_OVERLAY_RUNNING,
  TESSERA_OVERLAY_DONE,
} TesseraOverlayState;

void tessera_tile_overlay_draw         (GtkSnapshot           *snapshot,
                                        GtkWidget             *widget,
                                        const TesseraViewport *viewport,
                                        double                 pane_x,
                                        GArray                *tiles,
                                        GArray                *states);
void tessera_tile_overlay_draw_running (GtkSnapshot           *snapshot,
                                        const graphene_rect_t *bounds);
void tessera_tile_overlay_draw_band    (GtkSnapshot           *snapshot,
                                        const GdkRGBA         *color,
                                        const graphene_rect_t *core,
                                        const graphene_rect_t *region);

G_END_DECLS
