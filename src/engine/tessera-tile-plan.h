/* tessera-tile-plan.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TesseraRect:
 * @x: left edge
 * @y: top edge
 * @width: width
 * @height: height
 *
 * A rectangle of input pixels. A tile's region may start left of or above
 * the image: the border the network sees there is the image reflected.
 */
typedef struct
{
  int x;
  int y;
  int width;
  int height;
} TesseraRect;

#define TESSERA_TYPE_TILE_PLAN (tessera_tile_plan_get_type ())

G_DECLARE_FINAL_TYPE (TesseraTilePlan, tessera_tile_plan, TESSERA, TILE_PLAN, GObject)

TesseraTilePlan *tessera_tile_plan_new           (guint             width,
                                                  guint             height,
                                                  guint             tile_size,
                                                  guint             overlap,
                                                  guint             border);
TesseraTilePlan *tessera_tile_plan_new_aligned   (guint             width,
                                                  guint             height,
                                                  guint             tile_size,
                                                  guint             overlap,
                                                  guint             border,
                                                  guint             multiple);
guint            tessera_tile_plan_get_width     (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_height    (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_tile_size (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_overlap   (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_multiple  (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_n_columns (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_n_rows    (TesseraTilePlan  *self);
guint            tessera_tile_plan_get_n_tiles   (TesseraTilePlan  *self);
void             tessera_tile_plan_get_tile      (TesseraTilePlan  *self,
                                                  guint             index,
                                                  TesseraRect      *core,
                                                  TesseraRect      *region);
float            tessera_tile_plan_get_weight    (TesseraTilePlan  *self,
                                                  guint             index,
                                                  double            x,
                                                  double            y);

G_END_DECLS
