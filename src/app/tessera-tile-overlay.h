/* tessera-tile-overlay.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera.h"

G_BEGIN_DECLS

/* What the tile overlay draws for each tile, in the view's image pixels
 * (the plan's input pixels times @scale): the core the tile gives to the
 * result, the region it runs on clipped to the image (the difference is
 * the overlap band it blends across), and its number from 1. */

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} TesseraOverlayRect;

typedef struct
{
  TesseraOverlayRect core;
  TesseraOverlayRect region;
  guint              number;
} TesseraOverlayTile;

GArray *tessera_tile_overlay_build (TesseraTilePlan *plan,
                                    double           scale);

G_END_DECLS
