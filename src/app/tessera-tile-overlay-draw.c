/* tessera-tile-overlay-draw.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-tile-overlay-draw.h"

/* The tile overlay of the before/after view, drawn from the tiles
 * tessera-tile-overlay.c builds out of the engine's plan: the overlap
 * bands, the cores outlined and numbered, a redraw's blur bands and its
 * seams-fix layer, and each tile's place in the run under way. */

static graphene_rect_t
to_pane_rect (const TesseraViewport    *viewport,
              const TesseraOverlayRect *rect,
              double                    pane_x)
{
  return GRAPHENE_RECT_INIT (pane_x + (rect->x - viewport->x) * viewport->zoom,
                             (rect->y - viewport->y) * viewport->zoom,
                             rect->width * viewport->zoom, rect->height * viewport->zoom);
}

/**
 * tessera_tile_overlay_draw_band:
 * @core: inside @region
 *
 * Fills @region less @core: above, below, left, right.
 */
void
tessera_tile_overlay_draw_band (GtkSnapshot           *snapshot,
                                const GdkRGBA         *color,
                                const graphene_rect_t *core,
                                const graphene_rect_t *region)
{
  float core_right = core->origin.x + core->size.width, core_bottom = core->origin.y + core->size.height;
  float region_right = region->origin.x + region->size.width;
  float region_bottom = region->origin.y + region->size.height;

  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (region->origin.x, region->origin.y,
                                                                   region->size.width,
                                                                   core->origin.y - region->origin.y));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (region->origin.x, core_bottom,
                                                                   region->size.width, region_bottom - core_bottom));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (region->origin.x, core->origin.y,
                                                                   core->origin.x - region->origin.x,
                                                                   core->size.height));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (core_right, core->origin.y,
                                                                   region_right - core_right, core->size.height));
}

/**
 * tessera_tile_overlay_draw_running:
 * @bounds: the running tile, in the pane's coordinates
 *
 * Shades and outlines the tile under way in the after side, overlay or
 * not.
 */
void
tessera_tile_overlay_draw_running (GtkSnapshot           *snapshot,
                                   const graphene_rect_t *bounds)
{
  GdkRGBA accent = { 0.21, 0.52, 0.89, 1.0 }, shade = { 0.21, 0.52, 0.89, 0.18 };
  GskRoundedRect outline;

  gtk_snapshot_append_color (snapshot, &shade, bounds);
  gsk_rounded_rect_init_from_rect (&outline, bounds, 0);
  gtk_snapshot_append_border (snapshot, &outline, (float[]) { 2, 2, 2, 2 },
                              (GdkRGBA[]) { accent, accent, accent, accent });
}

/* A rectangle's outline in dashes, for the seams-fix layer. */
static void
draw_dashes (GtkSnapshot           *snapshot,
             const GdkRGBA         *color,
             const graphene_rect_t *rect)
{
  const float dash = 6, width = 1.5;
  float x0 = rect->origin.x, y0 = rect->origin.y;
  float x1 = x0 + rect->size.width, y1 = y0 + rect->size.height;

  for (float x = x0; x < x1; x += 2 * dash)
    {
      float length = MIN (dash, x1 - x);

      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y0, length, width));
      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y1 - width, length, width));
    }
  for (float y = y0; y < y1; y += 2 * dash)
    {
      float length = MIN (dash, y1 - y);

      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x0, y, width, length));
      gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x1 - width, y, width, length));
    }
}

/**
 * tessera_tile_overlay_draw:
 * @widget: the view, for its font
 * @viewport: where the image lies in the pane
 * @pane_x: the pane's left edge in @widget
 * @tiles: #TesseraOverlayTiles in the view's image pixels
 * @states: a #TesseraOverlayState (a guint8) per tile; tiles past its end
 *   wait
 *
 * Before a run, each tile's overlap band shaded, its core outlined and
 * numbered. A redraw's job also shades its mask's blur band, more
 * strongly than its padding; its seams-fix jobs, drawn after the tiles in
 * another colour, are outlined in dashes. During a run, only the running
 * tile shows its bands, and done tiles lose their numbers so that their
 * pixels show.
 */
void
tessera_tile_overlay_draw (GtkSnapshot           *snapshot,
                           GtkWidget             *widget,
                           const TesseraViewport *viewport,
                           double                 pane_x,
                           GArray                *tiles,
                           GArray                *states)
{
  const GdkRGBA tile_band = { 0.21, 0.52, 0.89, 0.22 }, tile_blur = { 0.21, 0.52, 0.89, 0.4 };
  const GdkRGBA tile_edge = { 0.21, 0.52, 0.89, 0.9 };
  const GdkRGBA seam_band = { 0.9, 0.38, 0.0, 0.18 }, seam_blur = { 0.9, 0.38, 0.0, 0.35 };
  const GdkRGBA seam_edge = { 0.9, 0.38, 0.0, 0.95 };
  GdkRGBA text = { 1, 1, 1, 0.95 };
  gboolean running = FALSE;

  for (guint i = 0; i < states->len; i++)
    running |= g_array_index (states, guint8, i) != TESSERA_OVERLAY_WAITING;

  for (guint i = 0; i < tiles->len; i++)
    {
      TesseraOverlayTile *tile = &g_array_index (tiles, TesseraOverlayTile, i);
      gboolean seams = tile->layer == TESSERA_OVERLAY_SEAMS;
      const GdkRGBA *band = seams ? &seam_band : &tile_band, *blur = seams ? &seam_blur : &tile_blur;
      const GdkRGBA edge = seams ? seam_edge : tile_edge;
      graphene_rect_t core = to_pane_rect (viewport, &tile->core, pane_x);
      graphene_rect_t region = to_pane_rect (viewport, &tile->region, pane_x);
      graphene_rect_t blurred = to_pane_rect (viewport, &tile->blurred, pane_x);
      guint8 state = i < states->len ? g_array_index (states, guint8, i) : TESSERA_OVERLAY_WAITING;
      GskRoundedRect outline;

      /* Seams-fix jobs overlap the tiles everywhere: before a run, their
       * bands would hide the grid, so only their outlines show. */
      if ((!running && !seams) || state == TESSERA_OVERLAY_RUNNING)
        {
          tessera_tile_overlay_draw_band (snapshot, band, &blurred, &region);
          tessera_tile_overlay_draw_band (snapshot, blur, &core, &blurred);
        }
      if (state == TESSERA_OVERLAY_RUNNING)
        gtk_snapshot_append_color (snapshot, band, &core);

      if (seams)
        draw_dashes (snapshot, &edge, &core);
      else
        {
          gsk_rounded_rect_init_from_rect (&outline, &core, 0);
          gtk_snapshot_append_border (snapshot, &outline, (float[]) { 1, 1, 1, 1 },
                                      (GdkRGBA[]) { edge, edge, edge, edge });
        }

      if (state != TESSERA_OVERLAY_DONE && core.size.width >= 28 && core.size.height >= 20)
        {
          g_autofree char *number = g_strdup_printf ("%u", tile->number);
          g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, number);
          int width, height;

          pango_layout_get_pixel_size (layout, &width, &height);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (core.origin.x + (core.size.width - width) / 2,
                                                                  core.origin.y + (core.size.height - height) / 2));
          gtk_snapshot_append_color (snapshot, &edge, &GRAPHENE_RECT_INIT (-4, -1, width + 8, height + 2));
          gtk_snapshot_append_layout (snapshot, layout, &text);
          gtk_snapshot_restore (snapshot);
        }
    }
}
