/* tessera-comparison-geometry.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera.h"

G_BEGIN_DECLS

/* The arithmetic of comparing upscalers on a region of an image: where
 * the region starts, how it is kept inside the image while dragged, the
 * context upscaled around it, and the grid the results share. No
 * widgets, so that the tests can check it. */

#define TESSERA_COMPARISON_REGION_SIDE 256
#define TESSERA_COMPARISON_MIN_SIDE    16
#define TESSERA_COMPARISON_MAX_RESULTS 4

/* Which part of the region a drag holds: its inside moves it, an edge or
 * a corner resizes it. */
typedef enum
{
  TESSERA_REGION_NONE   = 0,
  TESSERA_REGION_LEFT   = 1 << 0,
  TESSERA_REGION_RIGHT  = 1 << 1,
  TESSERA_REGION_TOP    = 1 << 2,
  TESSERA_REGION_BOTTOM = 1 << 3,
  TESSERA_REGION_INSIDE = 1 << 4,
} TesseraRegionGrip;

TesseraRect       tessera_comparison_default_region (guint              image_width,
                                                     guint              image_height);
TesseraRect       tessera_comparison_clamp_region   (const TesseraRect *region,
                                                     guint              image_width,
                                                     guint              image_height);
TesseraRegionGrip tessera_comparison_find_grip      (const TesseraRect *region,
                                                     double             x,
                                                     double             y,
                                                     double             reach);
TesseraRect       tessera_comparison_drag_region    (const TesseraRect *start,
                                                     TesseraRegionGrip  grip,
                                                     double             dx,
                                                     double             dy,
                                                     guint              image_width,
                                                     guint              image_height);
void              tessera_comparison_get_context    (const TesseraRect *region,
                                                     guint              margin,
                                                     guint              image_width,
                                                     guint              image_height,
                                                     TesseraRect       *context,
                                                     TesseraRect       *inner);
TesseraRect       tessera_comparison_scale_rect     (const TesseraRect *rect,
                                                     double             scale_x,
                                                     double             scale_y);
void              tessera_comparison_layout         (guint              n_results,
                                                     double             width,
                                                     double             height,
                                                     double             aspect,
                                                     guint             *columns,
                                                     guint             *rows);

G_END_DECLS
