/* test-viewport.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-tile-overlay.h"
#include "tessera-viewport.h"

/* The before/after view's geometry: fitting, zooming about the pointer,
 * panning to the edges and no further, and the mapping both ways; and the
 * tile overlay's drawing plan against the tile plan. */

static void
assert_inside (const TesseraViewport *vp)
{
  double visible_width = vp->pane_width / vp->zoom, visible_height = vp->pane_height / vp->zoom;

  if (visible_width < vp->image_width)
    {
      g_assert_cmpfloat (vp->x, >=, 0.0);
      g_assert_cmpfloat (vp->x + visible_width, <=, vp->image_width + 1e-9);
    }
  else
    g_assert_cmpfloat_with_epsilon (vp->x, (vp->image_width - visible_width) / 2.0, 1e-9);

  if (visible_height < vp->image_height)
    {
      g_assert_cmpfloat (vp->y, >=, 0.0);
      g_assert_cmpfloat (vp->y + visible_height, <=, vp->image_height + 1e-9);
    }
  else
    g_assert_cmpfloat_with_epsilon (vp->y, (vp->image_height - visible_height) / 2.0, 1e-9);
}

static void
test_fit (void)
{
  TesseraViewport vp;
  double x, y;

  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 800, 600);
  tessera_viewport_set_image (&vp, 4000, 1000);

  /* Width limits: 800 / 4000; the image is centred vertically. */
  g_assert_cmpfloat_with_epsilon (vp.zoom, 0.2, 1e-12);
  tessera_viewport_to_pane (&vp, 0, 0, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (y, (600 - 200) / 2.0, 1e-9);
  assert_inside (&vp);

  /* The zoom follows the pane until the user zooms. */
  tessera_viewport_set_pane (&vp, 400, 600);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 0.1, 1e-12);
  tessera_viewport_set_zoom (&vp, 0.5, 200, 300);
  tessera_viewport_set_pane (&vp, 800, 600);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 0.5, 1e-12);
  assert_inside (&vp);

  /* A small image is not blown up to fit, and cannot be zoomed out
   * below 1:1. */
  tessera_viewport_set_image (&vp, 100, 50);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (tessera_viewport_get_min_zoom (&vp), 1.0, 1e-12);
  tessera_viewport_set_zoom (&vp, 0.25, 10, 10);
  g_assert_cmpfloat_with_epsilon (vp.zoom, 1.0, 1e-12);
  assert_inside (&vp);
}

/* Zooming keeps the image point under the pointer in place, wherever the
 * pointer is, as long as the edges allow it. */
static void
test_zoom_anchor (void)
{
  static const double anchors[][2] = { { 400, 300 }, { 123, 456 }, { 790, 20 }, { 0, 0 } };
  TesseraViewport vp;

  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 800, 600);
  tessera_viewport_set_image (&vp, 4096, 4096);

  for (guint i = 0; i < G_N_ELEMENTS (anchors); i++)
    {
      double before_x, before_y, after_x, after_y;

      tessera_viewport_zoom_to_fit (&vp);
      /* Deep enough that no edge is reached. */
      tessera_viewport_set_zoom (&vp, 2.0, 400, 300);
      tessera_viewport_to_image (&vp, anchors[i][0], anchors[i][1], &before_x, &before_y);
      tessera_viewport_set_zoom (&vp, 3.0, anchors[i][0], anchors[i][1]);
      tessera_viewport_to_image (&vp, anchors[i][0], anchors[i][1], &after_x, &after_y);
      g_assert_cmpfloat_with_epsilon (after_x, before_x, 1e-9);
      g_assert_cmpfloat_with_epsilon (after_y, before_y, 1e-9);
      g_assert_false (vp.fit);
      assert_inside (&vp);
    }

  tessera_viewport_set_zoom (&vp, 1e6, 10, 10);
  g_assert_cmpfloat (vp.zoom, ==, TESSERA_VIEWPORT_MAX_ZOOM);
  tessera_viewport_set_zoom (&vp, 1e-6, 10, 10);
  g_assert_cmpfloat_with_epsilon (vp.zoom, tessera_viewport_get_fit_zoom (&vp), 1e-12);
  assert_inside (&vp);
}

static void
test_pan (void)
{
  TesseraViewport vp;

  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 800, 600);
  tessera_viewport_set_image (&vp, 1000, 1000);
  tessera_viewport_set_zoom (&vp, 2.0, 0, 0);
  g_assert_cmpfloat_with_epsilon (vp.x, 0.0, 1e-9);

  /* Dragging left shows what lies to the right. */
  tessera_viewport_pan (&vp, -100, -50);
  g_assert_cmpfloat_with_epsilon (vp.x, 50.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.y, 25.0, 1e-9);

  /* No further than the edges. */
  tessera_viewport_pan (&vp, -1e6, -1e6);
  g_assert_cmpfloat_with_epsilon (vp.x, 1000 - 400.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.y, 1000 - 300.0, 1e-9);
  tessera_viewport_pan (&vp, 1e6, 1e6);
  g_assert_cmpfloat_with_epsilon (vp.x, 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.y, 0.0, 1e-9);

  /* Fitting, nothing pans. */
  tessera_viewport_zoom_to_fit (&vp);
  tessera_viewport_pan (&vp, 300, 300);
  assert_inside (&vp);
}

static void
test_mapping (void)
{
  TesseraViewport vp;
  GRand *rand = g_rand_new_with_seed (5);

  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 640, 480);
  tessera_viewport_set_image (&vp, 3000, 2000);
  tessera_viewport_set_zoom (&vp, 1.7, 100, 200);
  tessera_viewport_pan (&vp, -33, 12);

  for (guint i = 0; i < 100; i++)
    {
      double px = g_rand_double_range (rand, 0, 640), py = g_rand_double_range (rand, 0, 480);
      double ix, iy, qx, qy;

      tessera_viewport_to_image (&vp, px, py, &ix, &iy);
      tessera_viewport_to_pane (&vp, ix, iy, &qx, &qy);
      g_assert_cmpfloat_with_epsilon (qx, px, 1e-9);
      g_assert_cmpfloat_with_epsilon (qy, py, 1e-9);
    }
  g_rand_free (rand);

  /* An image with no size, or a pane with none, maps without dividing by
   * zero and cannot be zoomed. */
  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 0, 0);
  tessera_viewport_set_zoom (&vp, 4, 0, 0);
  g_assert_cmpfloat (vp.zoom, ==, 1.0);
}

/* The result replacing its source (four times its size) keeps a zoomed
 * view on the same part of the picture, at the same size on screen; a
 * fitted view fits the result. */
static void
test_resize (void)
{
  TesseraViewport vp;
  double before_x, before_y, after_x, after_y, zoom;

  tessera_viewport_init (&vp);
  tessera_viewport_set_pane (&vp, 800, 600);
  tessera_viewport_set_image (&vp, 1000, 700);
  tessera_viewport_set_zoom (&vp, 3.0, 200, 100);
  zoom = vp.zoom;
  tessera_viewport_to_image (&vp, 400, 300, &before_x, &before_y);

  tessera_viewport_resize_image (&vp, 4000, 2800);
  tessera_viewport_to_image (&vp, 400, 300, &after_x, &after_y);
  g_assert_cmpfloat_with_epsilon (after_x, 4 * before_x, 1e-9);
  g_assert_cmpfloat_with_epsilon (after_y, 4 * before_y, 1e-9);
  g_assert_cmpfloat_with_epsilon (vp.zoom, zoom / 4, 1e-12);
  g_assert_false (vp.fit);
  assert_inside (&vp);

  tessera_viewport_zoom_to_fit (&vp);
  tessera_viewport_resize_image (&vp, 1000, 700);
  g_assert_true (vp.fit);
  g_assert_cmpfloat (vp.zoom, ==, tessera_viewport_get_fit_zoom (&vp));
}

static void
test_split (void)
{
  g_assert_cmpfloat (tessera_split_from_x (200, 800), ==, 0.25);
  g_assert_cmpfloat (tessera_split_from_x (-50, 800), ==, 0.0);
  g_assert_cmpfloat (tessera_split_from_x (900, 800), ==, 1.0);
  g_assert_cmpfloat (tessera_split_from_x (10, 0), ==, 0.5);
}

/* The overlay's cores cover the image once, each region holds its core
 * and stays on the image, numbers run from 1, and the scale applies. */
static void
test_overlay (void)
{
  static const guint plans[][5] = {
    { 300, 200, 64, 8, 10 },
    { 301, 199, 100, 32, 0 },
    { 50, 40, 64, 8, 10 },      /* one tile */
    { 1000, 30, 128, 16, 4 },
  };

  for (guint p = 0; p < G_N_ELEMENTS (plans); p++)
    for (double scale = 1.0; scale <= 4.0; scale *= 4.0)
      {
        g_autoptr(TesseraTilePlan) plan = tessera_tile_plan_new (plans[p][0], plans[p][1], plans[p][2], plans[p][3],
                                                                 plans[p][4]);
        g_autoptr(GArray) tiles = tessera_tile_overlay_build (plan, scale);
        double area = 0.0;

        g_assert_cmpuint (tiles->len, ==, tessera_tile_plan_get_n_tiles (plan));
        for (guint i = 0; i < tiles->len; i++)
          {
            TesseraOverlayTile *tile = &g_array_index (tiles, TesseraOverlayTile, i);
            TesseraRect core, region;

            tessera_tile_plan_get_tile (plan, i, &core, &region);
            g_assert_cmpuint (tile->number, ==, i + 1);
            g_assert_cmpfloat (tile->core.x, ==, core.x * scale);
            g_assert_cmpfloat (tile->core.width, ==, core.width * scale);
            g_assert_cmpfloat (tile->region.x, <=, tile->core.x);
            g_assert_cmpfloat (tile->region.y, <=, tile->core.y);
            g_assert_cmpfloat (tile->region.x + tile->region.width, >=, tile->core.x + tile->core.width);
            g_assert_cmpfloat (tile->region.y + tile->region.height, >=, tile->core.y + tile->core.height);
            g_assert_cmpfloat (tile->region.x, >=, 0.0);
            g_assert_cmpfloat (tile->region.x + tile->region.width, <=, plans[p][0] * scale);
            g_assert_cmpfloat (tile->region.y + tile->region.height, <=, plans[p][1] * scale);
            area += tile->core.width * tile->core.height;

            for (guint j = 0; j < i; j++)
              {
                TesseraOverlayTile *other = &g_array_index (tiles, TesseraOverlayTile, j);
                gboolean apart = other->core.x + other->core.width <= tile->core.x ||
                                 tile->core.x + tile->core.width <= other->core.x ||
                                 other->core.y + other->core.height <= tile->core.y ||
                                 tile->core.y + tile->core.height <= other->core.y;

                g_assert_true (apart);
              }
          }
        g_assert_cmpfloat (area, ==, plans[p][0] * scale * plans[p][1] * scale);
      }
}

static void
assert_rect_inside (const TesseraOverlayRect *inner,
                    const TesseraOverlayRect *outer)
{
  g_assert_cmpfloat (inner->x, >=, outer->x);
  g_assert_cmpfloat (inner->y, >=, outer->y);
  g_assert_cmpfloat (inner->x + inner->width, <=, outer->x + outer->width);
  g_assert_cmpfloat (inner->y + inner->height, <=, outer->y + outer->height);
}

/* A redraw's overlay has a tile per job in run order: the USDU grid's
 * ceil(w/tw) × ceil(h/th) tiles, then the seams-fix jobs as a layer of
 * their own; each job's mask, clipped to the image and scaled, lies in
 * its blur band, which lies in its crop, which stays on the image. */
static void
test_redraw_overlay (void)
{
  static const struct {
    guint width, height, tile;
    TesseraRedrawTiles tiles;
    TesseraRedrawSeamsFix seams;
  } plans[] = {
    { 192, 160, 64, TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_NONE },
    { 200, 130, 64, TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_HALF_TILE },
    { 200, 130, 96, TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_BAND },
    { 300, 100, 128, TESSERA_REDRAW_TILES_SD_UPSCALE, TESSERA_REDRAW_SEAMS_FIX_NONE },
  };

  for (guint p = 0; p < G_N_ELEMENTS (plans); p++)
    for (double scale = 0.5; scale <= 2.0; scale *= 4.0)
      {
        g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
        g_autoptr(TesseraRedrawPlan) plan = NULL;
        g_autoptr(GArray) tiles = NULL;
        TesseraOverlayRect image = { 0, 0, plans[p].width * scale, plans[p].height * scale };
        guint n_tiles = 0;

        tessera_redraw_options_set_tiles (options, plans[p].tiles);
        tessera_redraw_options_set_tile_width (options, plans[p].tile);
        tessera_redraw_options_set_tile_height (options, plans[p].tile);
        tessera_redraw_options_set_seams_fix (options, plans[p].seams);
        plan = tessera_redraw_plan_new (plans[p].width, plans[p].height, options);
        tiles = tessera_redraw_overlay_build (plan, scale);

        g_assert_cmpuint (tiles->len, ==, tessera_redraw_plan_get_n_jobs (plan));
        for (guint i = 0; i < tiles->len; i++)
          {
            TesseraOverlayTile *tile = &g_array_index (tiles, TesseraOverlayTile, i);
            const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, i);
            int x0 = MAX (job->mask.x, 0), y0 = MAX (job->mask.y, 0);
            int x1 = MIN (job->mask.x + job->mask.width, (int) plans[p].width);

            g_assert_cmpuint (tile->number, ==, i + 1);
            g_assert_cmpint (tile->layer, ==, job->pass == TESSERA_REDRAW_PASS_TILES ? TESSERA_OVERLAY_TILES
                                                                                     : TESSERA_OVERLAY_SEAMS);
            g_assert_cmpfloat (tile->core.x, ==, x0 * scale);
            g_assert_cmpfloat (tile->core.y, ==, y0 * scale);
            g_assert_cmpfloat (tile->core.width, ==, (x1 - x0) * scale);
            assert_rect_inside (&tile->core, &tile->blurred);
            assert_rect_inside (&tile->blurred, &tile->region);
            assert_rect_inside (&tile->region, &image);
            if (tile->layer == TESSERA_OVERLAY_TILES)
              {
                /* the tiles come before the seams */
                g_assert_cmpuint (n_tiles, ==, i);
                n_tiles++;
              }
          }
        if (plans[p].tiles == TESSERA_REDRAW_TILES_USDU)
          g_assert_cmpuint (n_tiles, ==, ((plans[p].width + plans[p].tile - 1) / plans[p].tile) *
                                         ((plans[p].height + plans[p].tile - 1) / plans[p].tile));
        if (plans[p].seams != TESSERA_REDRAW_SEAMS_FIX_NONE)
          g_assert_cmpuint (tiles->len, >, n_tiles);
        else
          g_assert_cmpuint (tiles->len, ==, n_tiles);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/viewport/fit", test_fit);
  g_test_add_func ("/viewport/zoom-anchor", test_zoom_anchor);
  g_test_add_func ("/viewport/pan", test_pan);
  g_test_add_func ("/viewport/mapping", test_mapping);
  g_test_add_func ("/viewport/split", test_split);
  g_test_add_func ("/viewport/resize", test_resize);
  g_test_add_func ("/overlay/plan", test_overlay);
  g_test_add_func ("/overlay/redraw-plan", test_redraw_overlay);

  return g_test_run ();
}
