/* tessera-tile-overlay.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-tile-overlay.h"

static TesseraOverlayRect
scaled (const TesseraRect *rect,
        double             scale,
        guint              width,
        guint              height)
{
  int x0 = MAX (rect->x, 0), y0 = MAX (rect->y, 0);
  int x1 = MIN (rect->x + rect->width, (int) width), y1 = MIN (rect->y + rect->height, (int) height);

  return (TesseraOverlayRect) { x0 * scale, y0 * scale, MAX (x1 - x0, 0) * scale, MAX (y1 - y0, 0) * scale };
}

/**
 * tessera_tile_overlay_build:
 *
 * Returns: (transfer full): a #TesseraOverlayTile per tile, in the plan's
 *   order
 */
GArray *
tessera_tile_overlay_build (TesseraTilePlan *plan,
                            double           scale)
{
  guint n = tessera_tile_plan_get_n_tiles (plan);
  guint width = tessera_tile_plan_get_width (plan), height = tessera_tile_plan_get_height (plan);
  GArray *tiles = g_array_sized_new (FALSE, FALSE, sizeof (TesseraOverlayTile), n);

  for (guint i = 0; i < n; i++)
    {
      TesseraRect core, region;
      TesseraOverlayTile tile;

      tessera_tile_plan_get_tile (plan, i, &core, &region);
      tile.core = scaled (&core, scale, width, height);
      tile.region = scaled (&region, scale, width, height);
      tile.blurred = tile.core;
      tile.layer = TESSERA_OVERLAY_TILES;
      tile.number = i + 1;
      g_array_append_val (tiles, tile);
    }

  return tiles;
}

/**
 * tessera_redraw_overlay_build:
 * @plan: the plan of a tiled redraw, in the redraw's output pixels
 * @scale: the view's image pixels per output pixel
 *
 * Returns: (transfer full): a #TesseraOverlayTile per job, in the order
 *   the redraw runs them
 */
GArray *
tessera_redraw_overlay_build (TesseraRedrawPlan *plan,
                              double             scale)
{
  guint n = tessera_redraw_plan_get_n_jobs (plan);
  guint width = tessera_redraw_plan_get_width (plan), height = tessera_redraw_plan_get_height (plan);
  GArray *tiles = g_array_sized_new (FALSE, FALSE, sizeof (TesseraOverlayTile), n);

  for (guint i = 0; i < n; i++)
    {
      const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, i);
      TesseraOverlayTile tile;

      tile.core = scaled (&job->mask, scale, width, height);
      tile.region = scaled (&job->crop, scale, width, height);
      tile.blurred = scaled (&job->blurred, scale, width, height);
      switch (job->pass)
        {
        case TESSERA_REDRAW_PASS_TILES:
          tile.layer = TESSERA_OVERLAY_TILES;
          break;
        case TESSERA_REDRAW_PASS_SEAMS:
          tile.layer = TESSERA_OVERLAY_SEAMS;
          break;
        }
      tile.number = i + 1;
      g_array_append_val (tiles, tile);
    }

  return tiles;
}
