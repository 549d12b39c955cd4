/* test-comparison.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-comparison-geometry.h"

/* The comparison's geometry: the default region, dragging it about and
 * by its edges, the context upscaled around it and where its pixels lie
 * in the result, and the grid of results. */

static void
assert_rect (TesseraRect rect,
             int         x,
             int         y,
             int         width,
             int         height)
{
  g_assert_cmpint (rect.x, ==, x);
  g_assert_cmpint (rect.y, ==, y);
  g_assert_cmpint (rect.width, ==, width);
  g_assert_cmpint (rect.height, ==, height);
}

static void
test_default_region (void)
{
  assert_rect (tessera_comparison_default_region (1000, 600), 372, 172, 256, 256);
  /* Smaller than the square: as large as the short side allows. */
  assert_rect (tessera_comparison_default_region (300, 100), 100, 0, 100, 100);
  assert_rect (tessera_comparison_default_region (1, 1), 0, 0, 1, 1);
}

static void
test_clamp (void)
{
  TesseraRect inside = { 10, 20, 30, 40 }, past = { 150, 100, 60, 50 }, larger = { -5, 3, 500, 80 };

  assert_rect (tessera_comparison_clamp_region (&inside, 180, 120), 10, 20, 30, 40);
  assert_rect (tessera_comparison_clamp_region (&past, 180, 120), 120, 70, 60, 50);
  assert_rect (tessera_comparison_clamp_region (&larger, 180, 120), 0, 3, 180, 80);
}

static void
test_grip (void)
{
  TesseraRect region = { 100, 100, 200, 100 };

  g_assert_cmpint (tessera_comparison_find_grip (&region, 200, 150, 8), ==, TESSERA_REGION_INSIDE);
  g_assert_cmpint (tessera_comparison_find_grip (&region, 50, 150, 8), ==, TESSERA_REGION_NONE);
  g_assert_cmpint (tessera_comparison_find_grip (&region, 96, 150, 8), ==, TESSERA_REGION_LEFT);
  g_assert_cmpint (tessera_comparison_find_grip (&region, 305, 150, 8), ==, TESSERA_REGION_RIGHT);
  g_assert_cmpint (tessera_comparison_find_grip (&region, 200, 199, 8), ==, TESSERA_REGION_BOTTOM);
  g_assert_cmpint (tessera_comparison_find_grip (&region, 302, 98, 8), ==,
                   TESSERA_REGION_RIGHT | TESSERA_REGION_TOP);
  /* Near an edge's line but past the region's end is outside. */
  g_assert_cmpint (tessera_comparison_find_grip (&region, 100, 300, 8), ==, TESSERA_REGION_NONE);
}

static void
test_drag (void)
{
  TesseraRect region = { 100, 100, 200, 100 };

  /* Moved, and stopped at the image's edges with its size kept. */
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_INSIDE, 30.4, -20.6, 800, 600),
               130, 79, 200, 100);
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_INSIDE, -500, 900, 800, 600),
               0, 500, 200, 100);

  /* An edge moves alone, never past the image nor the other edge. */
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_LEFT, -40, 0, 800, 600), 60, 100, 240, 100);
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_LEFT, -400, 0, 800, 600), 0, 100, 300, 100);
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_LEFT, 400, 0, 800, 600),
               300 - TESSERA_COMPARISON_MIN_SIDE, 100, TESSERA_COMPARISON_MIN_SIDE, 100);
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_RIGHT | TESSERA_REGION_BOTTOM, 1000, 1000,
                                               800, 600),
               100, 100, 700, 500);
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_TOP, 0, 500, 800, 600),
               100, 200 - TESSERA_COMPARISON_MIN_SIDE, 200, TESSERA_COMPARISON_MIN_SIDE);
  /* Held nowhere, nothing moves. */
  assert_rect (tessera_comparison_drag_region (&region, TESSERA_REGION_NONE, 50, 50, 800, 600), 100, 100, 200, 100);
}

static void
test_context (void)
{
  TesseraRect region = { 100, 10, 200, 100 }, context, inner, scaled;

  /* The margin all round, cut where the image ends. */
  tessera_comparison_get_context (&region, 32, 320, 600, &context, &inner);
  assert_rect (context, 68, 0, 252, 142);
  assert_rect (inner, 32, 10, 200, 100);

  /* The region's pixels in the context upscaled ×4. */
  scaled = tessera_comparison_scale_rect (&inner, 4, 4);
  assert_rect (scaled, 128, 40, 800, 400);

  /* Rounded edges: neighbours still meet after a fractional scale. */
  {
    TesseraRect left = { 0, 0, 3, 3 }, right = { 3, 0, 4, 3 };
    TesseraRect a = tessera_comparison_scale_rect (&left, 1.5, 1.5), b = tessera_comparison_scale_rect (&right, 1.5, 1.5);

    g_assert_cmpint (a.x + a.width, ==, b.x);
    g_assert_cmpint (b.x + b.width, ==, 11);
  }

  /* No margin: the region alone. */
  tessera_comparison_get_context (&region, 0, 320, 600, &context, &inner);
  assert_rect (context, 100, 10, 200, 100);
  assert_rect (inner, 0, 0, 200, 100);
}

static void
test_layout (void)
{
  guint columns, rows;

  /* Square pictures: two side by side in a wide area, stacked in a tall one. */
  tessera_comparison_layout (2, 1200, 600, 1.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 2);
  g_assert_cmpuint (rows, ==, 1);
  tessera_comparison_layout (2, 600, 1200, 1.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 1);
  g_assert_cmpuint (rows, ==, 2);

  /* Four squares in a roughly square area: two by two. */
  tessera_comparison_layout (4, 1000, 800, 1.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 2);
  g_assert_cmpuint (rows, ==, 2);

  /* Four wide strips stack; four tall ones stand in a row. */
  tessera_comparison_layout (4, 1000, 800, 8.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 1);
  g_assert_cmpuint (rows, ==, 4);
  tessera_comparison_layout (4, 1000, 800, 0.125, &columns, &rows);
  g_assert_cmpuint (columns, ==, 4);
  g_assert_cmpuint (rows, ==, 1);

  /* Three squares in a square area: a 2×2 grid shows each at 400 pixels,
   * three in a row at 333. */
  tessera_comparison_layout (3, 800, 800, 1.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 2);
  g_assert_cmpuint (rows, ==, 2);
  tessera_comparison_layout (3, 1500, 500, 1.0, &columns, &rows);
  g_assert_cmpuint (columns, ==, 3);
  g_assert_cmpuint (rows, ==, 1);

  /* Nothing to lay out, or nowhere: one row. */
  tessera_comparison_layout (3, 0, 500, 1.0, &columns, &rows);
  g_assert_cmpuint (columns * rows, >=, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/comparison/default-region", test_default_region);
  g_test_add_func ("/comparison/clamp", test_clamp);
  g_test_add_func ("/comparison/grip", test_grip);
  g_test_add_func ("/comparison/drag", test_drag);
  g_test_add_func ("/comparison/context", test_context);
  g_test_add_func ("/comparison/layout", test_layout);

  return g_test_run ();
}
