/* tessera-tile-plan.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-tile-plan"

#include "config.h"

#include "tessera-tile-plan.h"

/**
 * TesseraTilePlan:
 *
 * How an image is cut into tiles so that a network runs in bounded memory,
 * and how the tiles' outputs are put back together. The engine runs this
 * plan and the application's overlay draws it.
 *
 * The image is split into a grid of cores of nearly equal size (at most a
 * pixel apart, so a network sees few distinct tile sizes). Each tile's
 * region, what the network runs on, is its core grown by the overlap
 * into its neighbours, and at the image's edges by the whole border (the
 * reflection the engine pads the image with), exactly as an untiled run
 * would see it. Where two regions overlap, their outputs are blended with
 * weights that rise smoothly from 0 to 1 across a band as wide as the
 * overlap, centred on the cores' boundary; the weights of the tiles
 * covering a pixel always add up to 1, and every pixel with weight has at
 * least half the overlap of context on each side.
 *
 * Attention models see the image in windows: an aligned plan keeps the
 * cores' edges, the overlap, the border and the tile size multiples of
 * the window, so that every region but those at the right and bottom
 * edges is whole windows, cut where the untiled run cuts.
 */
struct _TesseraTilePlan
{
  GObject  parent_instance;

  guint    width;
  guint    height;
  guint    tile_size;
  guint    overlap;
  guint    border;
  guint    multiple;
  guint    n_columns;
  guint    n_rows;
};

G_DEFINE_FINAL_TYPE (TesseraTilePlan, tessera_tile_plan, G_TYPE_OBJECT)

static void
tessera_tile_plan_class_init (TesseraTilePlanClass *klass)
{
}

static void
tessera_tile_plan_init (TesseraTilePlan *self)
{
}

/**
 * tessera_tile_plan_new:
 * @width: the image's width
 * @height: the image's height
 * @tile_size: the largest core side; 0 for one tile
 * @overlap: how far a region reaches into its neighbours; at most half a
 *   core, less when the cores are small
 * @border: the reflected border around the image
 *
 * Returns: (transfer full): a plan covering @width × @height
 */
TesseraTilePlan *
tessera_tile_plan_new (guint width,
                       guint height,
                       guint tile_size,
                       guint overlap,
                       guint border)
{
  return tessera_tile_plan_new_aligned (width, height, tile_size, overlap, border, 1);
}

static guint
round_up (guint value,
          guint multiple)
{
  return (value + multiple - 1) / multiple * multiple;
}

/* Cores along a side of @size: as many as @tile_size needs. */
static guint
count_cores (guint size,
             guint tile_size,
             guint multiple)
{
  guint units = MAX (1, round_up (tile_size, multiple) / multiple);

  /* Aligned, in whole multiples, the last one maybe partial. */
  return (round_up (size, multiple) / multiple + units - 1) / units;
}

/* Where core @i of @n along a side of @size starts: evenly spread, in
 * whole multiples for an aligned plan, the last core ending at @size. */
static guint
core_start (TesseraTilePlan *self,
            guint            i,
            guint            n,
            guint            size)
{
  guint m = self->multiple;

  if (i >= n)
    return size;
  return (guint) ((guint64) round_up (size, m) / m * i / n * m);
}

/* Blending bands must not meet inside a core. */
static guint
fit_overlap (TesseraTilePlan *self,
             guint            overlap,
             guint            n,
             guint            size)
{
  guint smallest = size;

  if (n < 2)
    return overlap;
  for (guint i = 0; i < n; i++)
    smallest = MIN (smallest, core_start (self, i + 1, n, size) - core_start (self, i, n, size));
  return MIN (overlap, smallest / 2 / self->multiple * self->multiple);
}

/**
 * tessera_tile_plan_new_aligned:
 * @width: the image's width
 * @height: the image's height
 * @tile_size: the largest core side; 0 for one tile
 * @overlap: how far a region reaches into its neighbours; at most half a
 *   core, less when the cores are small
 * @border: the reflected border around the image
 * @multiple: what the cores' edges, the tile size, the overlap and the
 *   border are made multiples of (rounding the tile size down, unless it
 *   covers the image, the overlap and the border up); 1 for none
 *
 * Returns: (transfer full): a plan covering @width × @height
 */
TesseraTilePlan *
tessera_tile_plan_new_aligned (guint width,
                               guint height,
                               guint tile_size,
                               guint overlap,
                               guint border,
                               guint multiple)
{
  TesseraTilePlan *self;
  guint m = MAX (multiple, 1);

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  self = g_object_new (TESSERA_TYPE_TILE_PLAN, NULL);
  self->width = width;
  self->height = height;
  self->multiple = m;
  /* A tile that covers the image stays one tile, rounded up to whole
   * windows: the network pads it as it pads an untiled run. */
  if (tile_size == 0 || tile_size >= MAX (width, height))
    self->tile_size = round_up (MAX (width, height), m);
  else
    self->tile_size = MAX (m, tile_size / m * m);
  self->border = round_up (border, m);
  self->n_columns = count_cores (width, self->tile_size, m);
  self->n_rows = count_cores (height, self->tile_size, m);
  overlap = round_up (overlap, m);
  overlap = fit_overlap (self, overlap, self->n_columns, width);
  self->overlap = fit_overlap (self, overlap, self->n_rows, height);
  return self;
}

guint
tessera_tile_plan_get_width (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->width;
}

guint
tessera_tile_plan_get_height (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->height;
}

guint
tessera_tile_plan_get_tile_size (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->tile_size;
}

guint
tessera_tile_plan_get_overlap (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->overlap;
}

guint
tessera_tile_plan_get_multiple (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 1);

  return self->multiple;
}

guint
tessera_tile_plan_get_n_columns (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->n_columns;
}

guint
tessera_tile_plan_get_n_rows (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->n_rows;
}

guint
tessera_tile_plan_get_n_tiles (TesseraTilePlan *self)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0);

  return self->n_columns * self->n_rows;
}

static void
axis_span (TesseraTilePlan *self,
           guint            i,
           guint            n,
           guint            size,
           int             *core_begin,
           int             *core_end,
           int             *region_begin,
           int             *region_end)
{
  *core_begin = (int) core_start (self, i, n, size);
  *core_end = (int) core_start (self, i + 1, n, size);
  *region_begin = i == 0 ? -(int) self->border : *core_begin - (int) self->overlap;
  *region_end = i + 1 == n ? (int) (size + self->border) : *core_end + (int) self->overlap;
}

/**
 * tessera_tile_plan_get_tile:
 * @index: the tile, row by row from the top left
 * @core: (out) (optional): the pixels this tile is responsible for
 * @region: (out) (optional): the pixels the network sees for it
 */
void
tessera_tile_plan_get_tile (TesseraTilePlan *self,
                            guint            index,
                            TesseraRect     *core,
                            TesseraRect     *region)
{
  int cx0, cx1, cy0, cy1, rx0, rx1, ry0, ry1;

  g_return_if_fail (TESSERA_IS_TILE_PLAN (self));
  g_return_if_fail (index < self->n_columns * self->n_rows);

  axis_span (self, index % self->n_columns, self->n_columns, self->width, &cx0, &cx1, &rx0, &rx1);
  axis_span (self, index / self->n_columns, self->n_rows, self->height, &cy0, &cy1, &ry0, &ry1);

  if (core != NULL)
    *core = (TesseraRect) { cx0, cy0, cx1 - cx0, cy1 - cy0 };
  if (region != NULL)
    *region = (TesseraRect) { rx0, ry0, rx1 - rx0, ry1 - ry0 };
}

/* 0 before the band, 1 after it, smoothstep in between: f(t) + f(1 − t) = 1,
 * so the two sides of a band always add up to 1. */
static double
ramp (double position,
      double band_start,
      double band_width)
{
  double t;

  if (band_width <= 0.0)
    return position >= band_start ? 1.0 : 0.0;
  t = CLAMP ((position - band_start) / band_width, 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

static double
axis_weight (TesseraTilePlan *self,
             guint            i,
             guint            n,
             guint            size,
             double           position)
{
  double overlap = self->overlap, weight = 1.0;

  if (i > 0)
    weight *= ramp (position, core_start (self, i, n, size) - overlap / 2, overlap);
  if (i + 1 < n)
    weight *= 1.0 - ramp (position, core_start (self, i + 1, n, size) - overlap / 2, overlap);
  return weight;
}

/**
 * tessera_tile_plan_get_weight:
 * @index: the tile
 * @x: a pixel centre, in input pixels (x + 0.5 for pixel x)
 * @y: likewise
 *
 * Returns: how much tile @index's output counts at (@x, @y)
 */
float
tessera_tile_plan_get_weight (TesseraTilePlan *self,
                              guint            index,
                              double           x,
                              double           y)
{
  g_return_val_if_fail (TESSERA_IS_TILE_PLAN (self), 0.f);
  g_return_val_if_fail (index < self->n_columns * self->n_rows, 0.f);

  return (float) (axis_weight (self, index % self->n_columns, self->n_columns, self->width, x) *
                  axis_weight (self, index / self->n_columns, self->n_rows, self->height, y));
}
