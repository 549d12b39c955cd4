/* tessera-viewport.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where an image lies in a pane of a view that zooms and pans: its zoom (pane
 * pixels per image pixel) and the image point at the pane's top-left
 * corner. Plain arithmetic, no widgets, so that the tests can check it.
 *
 * An image smaller than the pane is centred; a larger one can be panned
 * to its edges and no further. Zooming keeps the image point under the
 * pointer where it is. Until the user zooms, the zoom follows the pane's
 * size so that the whole image fits. */

#define TESSERA_VIEWPORT_MAX_ZOOM 64.0

typedef struct
{
  double   image_width;
  double   image_height;
  double   pane_width;
  double   pane_height;
  double   zoom;
  double   x;           /* image point at the pane's top-left corner */
  double   y;
  gboolean fit;         /* the zoom follows the pane's size */
} TesseraViewport;

void   tessera_viewport_init          (TesseraViewport *self);
void   tessera_viewport_set_image     (TesseraViewport *self,
                                       double           width,
                                       double           height);
void   tessera_viewport_resize_image (TesseraViewport *self,
                                       double           width,
                                       double           height);
void   tessera_viewport_set_pane      (TesseraViewport *self,
                                       double           width,
                                       double           height);
double tessera_viewport_get_fit_zoom  (const TesseraViewport *self);
double tessera_viewport_get_min_zoom  (const TesseraViewport *self);
void   tessera_viewport_zoom_to_fit   (TesseraViewport *self);
void   tessera_viewport_set_zoom      (TesseraViewport *self,
                                       double           zoom,
                                       double           anchor_x,
                                       double           anchor_y);
void   tessera_viewport_pan           (TesseraViewport *self,
                                       double           dx,
                                       double           dy);
void   tessera_viewport_zoom_command  (TesseraViewport *self,
                                       const char      *command);
void   tessera_viewport_scroll        (TesseraViewport *self,
                                       double           dx,
                                       double           dy,
                                       gboolean         zoom,
                                       double           anchor_x,
                                       double           anchor_y);
void   tessera_viewport_to_image      (const TesseraViewport *self,
                                       double           pane_x,
                                       double           pane_y,
                                       double          *image_x,
                                       double          *image_y);
void   tessera_viewport_to_pane       (const TesseraViewport *self,
                                       double           image_x,
                                       double           image_y,
                                       double          *pane_x,
                                       double          *pane_y);

double tessera_split_from_x           (double           x,
                                       double           width);

G_END_DECLS
