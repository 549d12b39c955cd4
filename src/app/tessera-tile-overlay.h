/* tessera-tile-overlay.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera.h"

G_BEGIN_DECLS

/* What the tile overlay draws for each tile, in the view's image pixels
 * (the plan's pixels times @scale): the core the tile gives to the
 * result, the region it runs on clipped to the image (the difference is
 * the overlap band it blends across), and its number from 1.
 *
 * A redraw's jobs are drawn the same way: the core is the job's mask,
 * the region its crop (the padding around it), and @blurred what its
 * blurred mask reaches; seams-fix jobs are a layer of their own. An
 * upscale's tiles have no blur: their @blurred is their core. */

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} TesseraOverlayRect;

typedef enum
{
  TESSERA_OVERLAY_TILES,
  TESSERA_OVERLAY_SEAMS,
} TesseraOverlayLayer;

typedef struct
{
  TesseraOverlayRect  core;
  TesseraOverlayRect  region;
  TesseraOverlayRect  blurred;
  TesseraOverlayLayer layer;
  guint               number;
} TesseraOverlayTile;

GArray *tessera_tile_overlay_build   (TesseraTilePlan   *plan,
                                      double             scale);
GArray *tessera_redraw_overlay_build (TesseraRedrawPlan *plan,
                                      double             scale);

G_END_DECLS
