/* tessera-comparison-geometry.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "tessera-comparison-geometry.h"

/* A centred square of TESSERA_COMPARISON_REGION_SIDE pixels, smaller in
 * a smaller image. */
TesseraRect
tessera_comparison_default_region (guint image_width,
                                   guint image_height)
{
  int side = MIN (TESSERA_COMPARISON_REGION_SIDE, MIN (image_width, image_height));

  return (TesseraRect) { ((int) image_width - side) / 2, ((int) image_height - side) / 2, side, side };
}

/* @region moved inside the image, and cut to it where larger. */
TesseraRect
tessera_comparison_clamp_region (const TesseraRect *region,
                                 guint              image_width,
                                 guint              image_height)
{
  int width = CLAMP (region->width, 1, MAX ((int) image_width, 1));
  int height = CLAMP (region->height, 1, MAX ((int) image_height, 1));

  return (TesseraRect) { CLAMP (region->x, 0, (int) image_width - width), CLAMP (region->y, 0, (int) image_height - height),
                         width, height };
}

/* What a press at (@x, @y), in image pixels, takes hold of: the edges and
 * corners within @reach of it, else the inside. */
TesseraRegionGrip
tessera_comparison_find_grip (const TesseraRect *region,
                              double             x,
                              double             y,
                              double             reach)
{
  double right = region->x + region->width, bottom = region->y + region->height;
  TesseraRegionGrip grip = TESSERA_REGION_NONE;

  if (x < region->x - reach || x > right + reach || y < region->y - reach || y > bottom + reach)
    return TESSERA_REGION_NONE;

  if (fabs (x - region->x) <= reach)
    grip |= TESSERA_REGION_LEFT;
  else if (fabs (x - right) <= reach)
    grip |= TESSERA_REGION_RIGHT;
  if (fabs (y - region->y) <= reach)
    grip |= TESSERA_REGION_TOP;
  else if (fabs (y - bottom) <= reach)
    grip |= TESSERA_REGION_BOTTOM;

  if (grip == TESSERA_REGION_NONE && x > region->x && x < right && y > region->y && y < bottom)
    grip = TESSERA_REGION_INSIDE;
  return grip;
}

/* One axis of a drag: [*start, *end) moved or resized by @delta, inside
 * [0, @limit) and no smaller than the least side. */
static void
drag_axis (int     *start,
           int     *end,
           gboolean low,
           gboolean high,
           double   delta,
           int      limit)
{
  int least = MIN (TESSERA_COMPARISON_MIN_SIDE, limit);
  int shift = (int) lround (delta);

  if (low && high)
    {
      shift = CLAMP (shift, -*start, limit - *end);
      *start += shift;
      *end += shift;
    }
  else if (low)
    *start = CLAMP (*start + shift, 0, *end - least);
  else if (high)
    *end = CLAMP (*end + shift, *start + least, limit);
}

/* The region @start becomes when @grip is dragged by (@dx, @dy) image
 * pixels: it never leaves the image nor shrinks past
 * TESSERA_COMPARISON_MIN_SIDE. */
TesseraRect
tessera_comparison_drag_region (const TesseraRect *start,
                                TesseraRegionGrip  grip,
                                double             dx,
                                double             dy,
                                guint              image_width,
                                guint              image_height)
{
  int left = start->x, top = start->y, right = start->x + start->width, bottom = start->y + start->height;
  gboolean inside = (grip & TESSERA_REGION_INSIDE) != 0;

  drag_axis (&left, &right, inside || (grip & TESSERA_REGION_LEFT), inside || (grip & TESSERA_REGION_RIGHT), dx,
             image_width);
  drag_axis (&top, &bottom, inside || (grip & TESSERA_REGION_TOP), inside || (grip & TESSERA_REGION_BOTTOM), dy,
             image_height);
  return (TesseraRect) { left, top, right - left, bottom - top };
}

/* The pixels upscaled for @region: the region and @margin around it, as
 * far as the image goes, so that the network sees there what it sees in
 * a tile of the whole image (the tiler's overlap is that margin); and
 * where the region lies in them. At the image's edge the engine reflects
 * the image, as it does for the whole. */
void
tessera_comparison_get_context (const TesseraRect *region,
                                guint              margin,
                                guint              image_width,
                                guint              image_height,
                                TesseraRect       *context,
                                TesseraRect       *inner)
{
  int left = MAX (0, region->x - (int) margin);
  int top = MAX (0, region->y - (int) margin);
  int right = MIN ((int) image_width, region->x + region->width + (int) margin);
  int bottom = MIN ((int) image_height, region->y + region->height + (int) margin);

  *context = (TesseraRect) { left, top, right - left, bottom - top };
  *inner = (TesseraRect) { region->x - left, region->y - top, region->width, region->height };
}

/* @rect in an image scaled by @scale_x × @scale_y, its edges rounded, so
 * that neighbouring rectangles still meet. */
TesseraRect
tessera_comparison_scale_rect (const TesseraRect *rect,
                               double             scale_x,
                               double             scale_y)
{
  int left = (int) lround (rect->x * scale_x), top = (int) lround (rect->y * scale_y);
  int right = (int) lround ((rect->x + rect->width) * scale_x);
  int bottom = (int) lround ((rect->y + rect->height) * scale_y);

  return (TesseraRect) { left, top, right - left, bottom - top };
}

/* The grid @n_results pictures of width / height @aspect share in a
 * @width × @height area: the columns and rows that show each largest,
 * and of those the one with fewest empty cells. */
void
tessera_comparison_layout (guint   n_results,
                           double  width,
                           double  height,
                           double  aspect,
                           guint  *columns,
                           guint  *rows)
{
  double best = -1.0;
  guint best_empty = G_MAXUINT;

  *columns = MAX (n_results, 1);
  *rows = 1;
  if (n_results == 0 || width <= 0 || height <= 0 || aspect <= 0)
    return;

  for (guint c = 1; c <= n_results; c++)
    {
      guint r = (n_results + c - 1) / c;
      double picture_width = MIN (width / c, height / r * aspect);
      guint empty = c * r - n_results;

      /* A pixel's difference is no difference. */
      if (picture_width > best + 0.5 || (fabs (picture_width - best) <= 0.5 && empty < best_empty))
        {
          best = picture_width;
          best_empty = empty;
          *columns = c;
          *rows = r;
        }
    }
}
