/* tessera-viewport.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include "tessera-viewport.h"

#define ZOOM_STEP 1.25
#define SCROLL_STEP 40.0   /* pane pixels a scroll wheel's click pans */

void
tessera_viewport_init (TesseraViewport *self)
{
  *self = (TesseraViewport) { .zoom = 1.0, .fit = TRUE };
}

static gboolean
has_size (const TesseraViewport *self)
{
  return self->image_width > 0 && self->image_height > 0 && self->pane_width > 0 && self->pane_height > 0;
}

/* Centres each axis the image does not fill and keeps the other inside
 * the image. */
static void
clamp (TesseraViewport *self)
{
  double visible_width = self->pane_width / self->zoom, visible_height = self->pane_height / self->zoom;

  if (visible_width >= self->image_width)
    self->x = (self->image_width - visible_width) / 2.0;
  else
    self->x = CLAMP (self->x, 0.0, self->image_width - visible_width);

  if (visible_height >= self->image_height)
    self->y = (self->image_height - visible_height) / 2.0;
  else
    self->y = CLAMP (self->y, 0.0, self->image_height - visible_height);
}

/* The whole image in the pane, but never enlarged past 1:1: a small
 * image stays sharp until the user zooms in. */
double
tessera_viewport_get_fit_zoom (const TesseraViewport *self)
{
  if (!has_size (self))
    return 1.0;
  return MIN (1.0, MIN (self->pane_width / self->image_width, self->pane_height / self->image_height));
}

/* Zooming out stops where the whole image fits. */
double
tessera_viewport_get_min_zoom (const TesseraViewport *self)
{
  return tessera_viewport_get_fit_zoom (self);
}

void
tessera_viewport_zoom_to_fit (TesseraViewport *self)
{
  self->fit = TRUE;
  self->zoom = tessera_viewport_get_fit_zoom (self);
  clamp (self);
}

void
tessera_viewport_set_image (TesseraViewport *self,
                            double           width,
                            double           height)
{
  self->image_width = width;
  self->image_height = height;
  tessera_viewport_zoom_to_fit (self);
}

/* The same picture at another resolution, as when the result replaces
 * its source: a fitted view fits the new size, a zoomed one keeps showing
 * the same part of the picture. */
void
tessera_viewport_resize_image (TesseraViewport *self,
                               double           width,
                               double           height)
{
  double ratio;

  if (self->fit || !has_size (self) || width <= 0)
    {
      tessera_viewport_set_image (self, width, height);
      return;
    }

  ratio = width / self->image_width;
  self->image_width = width;
  self->image_height = height;
  self->x *= ratio;
  self->y *= ratio;
  self->zoom = CLAMP (self->zoom / ratio, tessera_viewport_get_min_zoom (self), TESSERA_VIEWPORT_MAX_ZOOM);
  clamp (self);
}

void
tessera_viewport_set_pane (TesseraViewport *self,
                           double           width,
                           double           height)
{
  self->pane_width = width;
  self->pane_height = height;
  if (self->fit)
    self->zoom = tessera_viewport_get_fit_zoom (self);
  else
    self->zoom = MAX (self->zoom, tessera_viewport_get_min_zoom (self));
  clamp (self);
}

void
tessera_viewport_set_zoom (TesseraViewport *self,
                           double           zoom,
                           double           anchor_x,
                           double           anchor_y)
{
  double image_x, image_y;

  if (!has_size (self))
    return;

  tessera_viewport_to_image (self, anchor_x, anchor_y, &image_x, &image_y);
  self->zoom = CLAMP (zoom, tessera_viewport_get_min_zoom (self), TESSERA_VIEWPORT_MAX_ZOOM);
  self->fit = FALSE;
  self->x = image_x - anchor_x / self->zoom;
  self->y = image_y - anchor_y / self->zoom;
  clamp (self);
}

/* The image follows the pointer: moving it right by @dx pane pixels
 * shows what lies further left. */
void
tessera_viewport_pan (TesseraViewport *self,
                      double           dx,
                      double           dy)
{
  self->x -= dx / self->zoom;
  self->y -= dy / self->zoom;
  clamp (self);
}

/**
 * tessera_viewport_zoom_command:
 * @command: "zoom-in", "zoom-out", "zoom-original" or "zoom-fit"
 *
 * The views' keyboard zoom: a step in or out, or to 1:1, about the pane's
 * centre; or to fit.
 */
void
tessera_viewport_zoom_command (TesseraViewport *self,
                               const char      *command)
{
  double centre_x = self->pane_width / 2, centre_y = self->pane_height / 2;

  if (g_str_equal (command, "zoom-in"))
    tessera_viewport_set_zoom (self, self->zoom * ZOOM_STEP, centre_x, centre_y);
  else if (g_str_equal (command, "zoom-out"))
    tessera_viewport_set_zoom (self, self->zoom / ZOOM_STEP, centre_x, centre_y);
  else if (g_str_equal (command, "zoom-original"))
    tessera_viewport_set_zoom (self, 1.0, centre_x, centre_y);
  else
    tessera_viewport_zoom_to_fit (self);
}

/**
 * tessera_viewport_scroll:
 * @dx: the scroll's deltas
 * @zoom: whether the scroll zooms (Ctrl held) rather than pans
 * @anchor_x: the pointer in the pane, kept in place when zooming
 *
 * Zooms a step per click of the wheel about the pointer, or pans.
 */
void
tessera_viewport_scroll (TesseraViewport *self,
                         double           dx,
                         double           dy,
                         gboolean         zoom,
                         double           anchor_x,
                         double           anchor_y)
{
  if (zoom)
    tessera_viewport_set_zoom (self, self->zoom * pow (ZOOM_STEP, -dy), anchor_x, anchor_y);
  else
    tessera_viewport_pan (self, -dx * SCROLL_STEP, -dy * SCROLL_STEP);
}

void
tessera_viewport_to_image (const TesseraViewport *self,
                           double                 pane_x,
                           double                 pane_y,
                           double                *image_x,
                           double                *image_y)
{
  *image_x = self->x + pane_x / self->zoom;
  *image_y = self->y + pane_y / self->zoom;
}

void
tessera_viewport_to_pane (const TesseraViewport *self,
                          double                 image_x,
                          double                 image_y,
                          double                *pane_x,
                          double                *pane_y)
{
  *pane_x = (image_x - self->x) * self->zoom;
  *pane_y = (image_y - self->y) * self->zoom;
}

/* The split divider stays on the pane, as a fraction of its width. */
double
tessera_split_from_x (double x,
                      double width)
{
  if (width <= 0)
    return 0.5;
  return CLAMP (x / width, 0.0, 1.0);
}
