/* tessera-before-after-view.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-before-after-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tessera-comparison-geometry.h"
#include "tessera-before-after-view.h"
#include "tessera-texture.h"
#include "tessera-tile-overlay-draw.h"
#include "tessera-viewport.h"

/* Before and after, drawn in the after image's pixels: the before image
 * is stretched to the after's size, with nearest-neighbour sampling once
 * its pixels are large enough to see, so that they line up. Split mode
 * shows the before left of a draggable divider; side by side, two panes
 * zoom and pan together; blink shows the before while Space is held.
 * Without an after image, the before fills every mode.
 *
 * While an upscale runs, the after side is the before image with each
 * finished tile drawn over it, and the running tile outlined; the tile
 * overlay (tessera-tile-overlay-draw.c), when shown, marks tiles waiting,
 * running and done. A tiled
 * redraw's jobs show the same way, from its plan: the engine hands out
 * no job's pixels, only the model's latent after each step, so the
 * running job shows its latent's preview and finished jobs keep their
 * last one until the result replaces them all.
 *
 * For comparing upscalers, a region of the before image can be shown:
 * the rest is dimmed, and the region is moved by its inside and resized
 * by its edges and corners. The two pictures can carry labels, for two
 * results compared with each other. */

#define DIVIDER_GRAB 12.0       /* pixels either side of the divider that grab it */
#define PANE_GAP 6.0
#define REGION_GRAB 8.0         /* pixels either side of the region's edges that grab them */
/* Larger images are shown through a reduced texture: GL drivers refuse
 * textures past 8192 or 16384 pixels, and a full one would take gigabytes. */
#define MAX_TEXTURE_SIDE 8192

/* The full image behind a reduced texture, and a crop of it at full
 * resolution for what is in view when zoomed in past the texture. */
typedef struct
{
  TesseraImage    *image;   /* NULL when the texture is the whole image */
  GdkTexture      *crop;
  graphene_rect_t  area;    /* the crop's, in image pixels */
} Sharp;

struct _TesseraBeforeAfterView
{
  GtkWidget               parent_instance;

  GdkTexture             *before;
  GdkTexture             *after;
  Sharp                   before_sharp;
  Sharp                   after_sharp;
  TesseraBeforeAfterMode  mode;
  double                  split;
  gboolean                blinking;

  TesseraTilePlan        *tile_plan;        /* drawn over the images when set */
  TesseraRedrawPlan      *redraw_plan;      /* or this one, a redraw's */
  GArray                 *tile_states;      /* a TesseraOverlayState per plan tile or redraw job */

  GArray                 *filled;           /* FilledTiles of the upscale filling in */
  gboolean                filling;
  guint                   fill_width;       /* the size the upscale will have */
  guint                   fill_height;
  graphene_rect_t         running;          /* in before pixels; empty when none */

  TesseraViewport         viewport;
  double                  pointer_x;        /* in the pane under the pointer */
  double                  pointer_y;
  gboolean                dragging_divider;
  double                  drag_x;           /* the drag's last offset */
  double                  drag_y;
  double                  pinch_zoom;       /* the zoom when the pinch began */

  gboolean                region_shown;
  TesseraRect             region;           /* in before pixels */
  TesseraRect             region_start;     /* when the drag began */
  TesseraRegionGrip       region_grip;      /* what the drag holds */

  char                   *labels[2];        /* before's and after's; NULL: none */
};

typedef struct
{
  graphene_rect_t  area;   /* in before pixels */
  GdkTexture      *texture;
  int              job;    /* the redraw job it previews; -1 for an upscale's tile */
} FilledTile;

static void
clear_filled_tile (gpointer data)
{
  g_clear_object (&((FilledTile *) data)->texture);
}

G_DEFINE_FINAL_TYPE (TesseraBeforeAfterView, tessera_before_after_view, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (TesseraBeforeAfterMode, tessera_before_after_mode,
                    G_DEFINE_ENUM_VALUE (TESSERA_BEFORE_AFTER_SPLIT, "split"),
                    G_DEFINE_ENUM_VALUE (TESSERA_BEFORE_AFTER_SIDE_BY_SIDE, "side-by-side"),
                    G_DEFINE_ENUM_VALUE (TESSERA_BEFORE_AFTER_BLINK, "blink"))

enum {
  PROP_0,
  PROP_BEFORE,
  PROP_AFTER,
  PROP_MODE,
  PROP_SPLIT,
  PROP_ZOOM,
  PROP_REGION_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REGION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
sharp_clear (Sharp *sharp)
{
  g_clear_object (&sharp->image);
  g_clear_object (&sharp->crop);
}

/* A picture's size: its image's, when its texture is reduced. */
static void
picture_size (GdkTexture  *texture,
              const Sharp *sharp,
              double      *width,
              double      *height)
{
  if (sharp->image != NULL)
    {
      *width = tessera_image_get_width (sharp->image);
      *height = tessera_image_get_height (sharp->image);
    }
  else
    {
      *width = texture != NULL ? gdk_texture_get_width (texture) : 0;
      *height = texture != NULL ? gdk_texture_get_height (texture) : 0;
    }
}

/* The pixels the view is measured in: the result's, the size an upscale
 * filling in will have, or the before image's. */
static void
frame_size (TesseraBeforeAfterView *self,
            double                 *width,
            double                 *height)
{
  if (self->after != NULL)
    picture_size (self->after, &self->after_sharp, width, height);
  else if (self->filling)
    {
      *width = self->fill_width;
      *height = self->fill_height;
    }
  else
    picture_size (self->before, &self->before_sharp, width, height);
}

/* Whether there is an after side to compare: a result, or one filling in. */
static gboolean
has_after (TesseraBeforeAfterView *self)
{
  return self->before != NULL && (self->after != NULL || self->filling);
}

static guint
n_panes (TesseraBeforeAfterView *self)
{
  return self->mode == TESSERA_BEFORE_AFTER_SIDE_BY_SIDE && has_after (self) ? 2 : 1;
}

static double
pane_width (TesseraBeforeAfterView *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));

  return n_panes (self) == 2 ? MAX (0.0, (width - PANE_GAP) / 2.0) : width;
}

/* The view moved or zoomed from @old_zoom. */
static void
viewport_changed (TesseraBeforeAfterView *self,
                  double                  old_zoom)
{
  if (old_zoom != self->viewport.zoom)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

typedef enum
{
  FRAME_SAME,
  FRAME_RESIZED,  /* the same picture at another resolution */
  FRAME_NEW,
} FrameChange;

static void
update_viewport (TesseraBeforeAfterView *self,
                 FrameChange             change)
{
  double zoom = self->viewport.zoom;
  double width, height;

  frame_size (self, &width, &height);

  tessera_viewport_set_pane (&self->viewport, pane_width (self), gtk_widget_get_height (GTK_WIDGET (self)));
  if (change == FRAME_NEW)
    tessera_viewport_set_image (&self->viewport, width, height);
  else if (change == FRAME_RESIZED)
    tessera_viewport_resize_image (&self->viewport, width, height);
  viewport_changed (self, zoom);
}

/* Over a reduced texture zoomed past its resolution, the part in view at
 * full resolution, cut again only when the view leaves the last crop. */
static void
draw_sharp (GtkSnapshot            *snapshot,
            TesseraBeforeAfterView *self,
            Sharp                  *sharp,
            double                  pane_x)
{
  TesseraViewport *vp = &self->viewport;
  double width = tessera_image_get_width (sharp->image), height = tessera_image_get_height (sharp->image);
  double per_view = width / vp->image_width;   /* image pixels per view pixel */
  graphene_rect_t image = GRAPHENE_RECT_INIT (0, 0, width, height), visible;

  graphene_rect_init (&visible, vp->x * per_view, vp->y * per_view, vp->pane_width / vp->zoom * per_view,
                      vp->pane_height / vp->zoom * per_view);
  if (!graphene_rect_intersection (&visible, &image, &visible))
    return;

  if (sharp->crop == NULL || !graphene_rect_contains_rect (&sharp->area, &visible))
    {
      graphene_rect_t area;

      /* A quarter more on each side, so that small pans reuse it. */
      graphene_rect_inset_r (&visible, -visible.size.width / 4, -visible.size.height / 4, &area);
      graphene_rect_intersection (&area, &image, &area);
      graphene_rect_round_extents (&area, &area);
      g_clear_object (&sharp->crop);
      sharp->crop = tessera_texture_new_for_region (sharp->image, area.origin.x, area.origin.y,
                                                    area.size.width, area.size.height);
      sharp->area = area;
    }

  tessera_texture_append (snapshot, sharp->crop,
                  &GRAPHENE_RECT_INIT (pane_x + (sharp->area.origin.x / per_view - vp->x) * vp->zoom,
                                       (sharp->area.origin.y / per_view - vp->y) * vp->zoom,
                                       sharp->area.size.width / per_view * vp->zoom,
                                       sharp->area.size.height / per_view * vp->zoom));
}

/* A picture over the whole frame. */
static void
draw_texture (GtkSnapshot            *snapshot,
              GdkTexture             *texture,
              Sharp                  *sharp,
              TesseraBeforeAfterView *self,
              double                  pane_x)
{
  TesseraViewport *vp = &self->viewport;
  graphene_rect_t bounds;

  graphene_rect_init (&bounds, pane_x - vp->x * vp->zoom, -vp->y * vp->zoom,
                      vp->image_width * vp->zoom, vp->image_height * vp->zoom);
  tessera_texture_append (snapshot, texture, &bounds);
  if (sharp->image != NULL && bounds.size.width / gdk_texture_get_width (texture) > 1.0)
    draw_sharp (snapshot, self, sharp, pane_x);
}

static void
draw_clipped (GtkSnapshot            *snapshot,
              GdkTexture             *texture,
              Sharp                  *sharp,
              TesseraBeforeAfterView *self,
              double                  pane_x,
              double                  clip_x,
              double                  clip_width)
{
  if (clip_width <= 0)
    return;
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (clip_x, 0, clip_width,
                                                         gtk_widget_get_height (GTK_WIDGET (self))));
  draw_texture (snapshot, texture, sharp, self, pane_x);
  gtk_snapshot_pop (snapshot);
}

/* A rectangle of before pixels in the pane's coordinates. */
static graphene_rect_t
before_to_pane (TesseraBeforeAfterView *self,
                const graphene_rect_t  *area,
                double                  pane_x)
{
  TesseraViewport *vp = &self->viewport;
  double before_width, before_height, scale;

  picture_size (self->before, &self->before_sharp, &before_width, &before_height);
  scale = vp->image_width / before_width * vp->zoom;

  return GRAPHENE_RECT_INIT (pane_x + (area->origin.x * scale - vp->x * vp->zoom),
                             area->origin.y * scale - vp->y * vp->zoom,
                             area->size.width * scale, area->size.height * scale);
}

/* The result, or the before image with the tiles finished so far. */
static void
draw_after (GtkSnapshot            *snapshot,
            TesseraBeforeAfterView *self,
            double                  pane_x)
{
  if (self->after != NULL)
    {
      draw_texture (snapshot, self->after, &self->after_sharp, self, pane_x);
      return;
    }

  draw_texture (snapshot, self->before, &self->before_sharp, self, pane_x);
  for (guint i = 0; i < self->filled->len; i++)
    {
      FilledTile *tile = &g_array_index (self->filled, FilledTile, i);
      graphene_rect_t bounds = before_to_pane (self, &tile->area, pane_x);

      gtk_snapshot_append_texture (snapshot, tile->texture, &bounds);
    }

  if (self->running.size.width > 0)
    {
      graphene_rect_t bounds = before_to_pane (self, &self->running, pane_x);

      tessera_tile_overlay_draw_running (snapshot, &bounds);
    }
}

static void
draw_after_clipped (GtkSnapshot            *snapshot,
                    TesseraBeforeAfterView *self,
                    double                  pane_x,
                    double                  clip_x,
                    double                  clip_width)
{
  if (clip_width <= 0)
    return;
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (clip_x, 0, clip_width,
                                                         gtk_widget_get_height (GTK_WIDGET (self))));
  draw_after (snapshot, self, pane_x);
  gtk_snapshot_pop (snapshot);
}

static void
draw_divider (GtkSnapshot *snapshot,
              double       x,
              double       height)
{
  GdkRGBA shadow = { 0, 0, 0, 0.35 }, line = { 1, 1, 1, 0.9 };
  GskRoundedRect handle;

  gtk_snapshot_append_color (snapshot, &shadow, &GRAPHENE_RECT_INIT (x - 2, 0, 4, height));
  gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x - 1, 0, 2, height));
  gsk_rounded_rect_init_from_rect (&handle, &GRAPHENE_RECT_INIT (x - 6, height / 2 - 16, 12, 32), 6);
  gtk_snapshot_push_rounded_clip (snapshot, &handle);
  gtk_snapshot_append_color (snapshot, &line, &handle.bounds);
  gtk_snapshot_pop (snapshot);
}

/* The view's pixels per before pixel. */
static double
before_scale (TesseraBeforeAfterView *self)
{
  double width, height;

  picture_size (self->before, &self->before_sharp, &width, &height);
  return width > 0 ? self->viewport.image_width / width * self->viewport.zoom : 1.0;
}

/* The rest of the pane dimmed, the region outlined with a handle at each
 * corner. */
static void
draw_region (TesseraBeforeAfterView *self,
             GtkSnapshot            *snapshot,
             double                  pane_x,
             double                  pane_width)
{
  GdkRGBA dim = { 0, 0, 0, 0.45 }, line = { 1, 1, 1, 0.95 }, shadow = { 0, 0, 0, 0.5 };
  TesseraViewport *vp = &self->viewport;
  double scale = before_scale (self), zoom = vp->zoom;
  graphene_rect_t pane = GRAPHENE_RECT_INIT (pane_x, 0, pane_width, gtk_widget_get_height (GTK_WIDGET (self)));
  graphene_rect_t box = GRAPHENE_RECT_INIT (pane_x + self->region.x * scale - vp->x * zoom,
                                            self->region.y * scale - vp->y * zoom,
                                            self->region.width * scale, self->region.height * scale);
  graphene_rect_t outer;
  GskRoundedRect border;
  float widths[4] = { 2, 2, 2, 2 };
  GdkRGBA colors[4] = { line, line, line, line };

  gtk_snapshot_push_clip (snapshot, &pane);
  tessera_tile_overlay_draw_band (snapshot, &dim, &box, &pane);

  graphene_rect_inset_r (&box, -1, -1, &outer);
  gsk_rounded_rect_init_from_rect (&border, &outer, 0);
  gtk_snapshot_append_border (snapshot, &border, (float[4]) { 1, 1, 1, 1 },
                              (GdkRGBA[4]) { shadow, shadow, shadow, shadow });
  gsk_rounded_rect_init_from_rect (&border, &box, 0);
  gtk_snapshot_append_border (snapshot, &border, widths, colors);

  for (guint corner = 0; corner < 4; corner++)
    {
      double x = box.origin.x + (corner & 1 ? box.size.width : 0);
      double y = box.origin.y + (corner & 2 ? box.size.height : 0);

      gtk_snapshot_append_color (snapshot, &shadow, &GRAPHENE_RECT_INIT (x - 6, y - 6, 12, 12));
      gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x - 5, y - 5, 10, 10));
    }
  gtk_snapshot_pop (snapshot);
}

/* A picture's label in a dark pill at its top corner. */
static void
draw_label (TesseraBeforeAfterView *self,
            GtkSnapshot            *snapshot,
            const char             *text,
            double                  x,
            gboolean                right_aligned)
{
  GdkRGBA back = { 0, 0, 0, 0.6 }, fore = { 1, 1, 1, 1 };
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GskRoundedRect pill;
  int width, height;
  double left;

  pango_layout_get_pixel_size (layout, &width, &height);
  left = right_aligned ? x - width - 20 : x + 8;
  gsk_rounded_rect_init_from_rect (&pill, &GRAPHENE_RECT_INIT (left, 8, width + 12, height + 6), (height + 6) / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &pill);
  gtk_snapshot_append_color (snapshot, &back, &pill.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (left + 6, 11));
  gtk_snapshot_append_layout (snapshot, layout, &fore);
  gtk_snapshot_restore (snapshot);
}

static void
tessera_before_after_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  TesseraBeforeAfterView *self = TESSERA_BEFORE_AFTER_VIEW (widget);
  double width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (self->before == NULL && self->after == NULL)
    return;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->after != NULL && self->before == NULL)
    draw_texture (snapshot, self->after, &self->after_sharp, self, 0);
  else if (!has_after (self))
    draw_texture (snapshot, self->before, &self->before_sharp, self, 0);
  else
    switch (self->mode)
      {
      case TESSERA_BEFORE_AFTER_SIDE_BY_SIDE:
        {
          double pane = pane_width (self);

          draw_clipped (snapshot, self->before, &self->before_sharp, self, 0, 0, pane);
          draw_after_clipped (snapshot, self, pane + PANE_GAP, pane + PANE_GAP, pane);
        }
        break;

      case TESSERA_BEFORE_AFTER_BLINK:
        if (self->blinking)
          draw_texture (snapshot, self->before, &self->before_sharp, self, 0);
        else
          draw_after (snapshot, self, 0);
        break;

      case TESSERA_BEFORE_AFTER_SPLIT:
        draw_clipped (snapshot, self->before, &self->before_sharp, self, 0, 0, self->split * width);
        draw_after_clipped (snapshot, self, 0, self->split * width, width - self->split * width);
        draw_divider (snapshot, round (self->split * width), height);
        break;
      }

  if (self->tile_plan != NULL || self->redraw_plan != NULL)
    {
      g_autoptr(GArray) tiles = tessera_before_after_view_build_overlay (self);

      tessera_tile_overlay_draw (snapshot, widget, &self->viewport, 0, tiles, self->tile_states);
      if (n_panes (self) == 2)
        tessera_tile_overlay_draw (snapshot, widget, &self->viewport, pane_width (self) + PANE_GAP, tiles,
                                   self->tile_states);
    }

  if (self->region_shown && self->before != NULL)
    {
      draw_region (self, snapshot, 0, pane_width (self));
      if (n_panes (self) == 2)
        draw_region (self, snapshot, pane_width (self) + PANE_GAP, pane_width (self));
    }

  if (has_after (self) && self->labels[0] != NULL && self->labels[1] != NULL)
    {
      /* Blinking shows one picture at a time, and its label. */
      if (self->mode != TESSERA_BEFORE_AFTER_BLINK || self->blinking)
        draw_label (self, snapshot, self->labels[0], 0, FALSE);
      if (self->mode != TESSERA_BEFORE_AFTER_BLINK || !self->blinking)
        draw_label (self, snapshot, self->labels[1], width, TRUE);
    }

  gtk_snapshot_pop (snapshot);
}

static void
tessera_before_after_view_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  update_viewport (TESSERA_BEFORE_AFTER_VIEW (widget), FRAME_SAME);
}

/* Widget coordinates into the pane under them. */
static void
to_pane (TesseraBeforeAfterView *self,
         double                  x,
         double                  y)
{
  double pane = pane_width (self);

  self->pointer_x = n_panes (self) == 2 && x > pane ? x - pane - PANE_GAP : x;
  self->pointer_y = y;
}

static gboolean
near_divider (TesseraBeforeAfterView *self,
              double                  x)
{
  return self->mode == TESSERA_BEFORE_AFTER_SPLIT && has_after (self) &&
         fabs (x - self->split * gtk_widget_get_width (GTK_WIDGET (self))) <= DIVIDER_GRAB;
}

static void
zoom_at (TesseraBeforeAfterView *self,
         double                  zoom,
         double                  anchor_x,
         double                  anchor_y)
{
  double old = self->viewport.zoom;

  tessera_viewport_set_zoom (&self->viewport, zoom, anchor_x, anchor_y);
  viewport_changed (self, old);
}

/* What of the region a press at the pointer takes hold of. */
static TesseraRegionGrip
region_grip_at_pointer (TesseraBeforeAfterView *self)
{
  double scale = before_scale (self);

  if (!self->region_shown || self->before == NULL)
    return TESSERA_REGION_NONE;
  return tessera_comparison_find_grip (&self->region, (self->pointer_x + self->viewport.x * self->viewport.zoom) / scale,
                                       (self->pointer_y + self->viewport.y * self->viewport.zoom) / scale,
                                       REGION_GRAB / scale);
}

static const char *
grip_cursor (TesseraRegionGrip grip)
{
  switch ((int) grip)
    {
    case TESSERA_REGION_INSIDE:
      return "move";
    case TESSERA_REGION_LEFT:
    case TESSERA_REGION_RIGHT:
      return "ew-resize";
    case TESSERA_REGION_TOP:
    case TESSERA_REGION_BOTTOM:
      return "ns-resize";
    case TESSERA_REGION_LEFT | TESSERA_REGION_TOP:
    case TESSERA_REGION_RIGHT | TESSERA_REGION_BOTTOM:
      return "nwse-resize";
    case TESSERA_REGION_RIGHT | TESSERA_REGION_TOP:
    case TESSERA_REGION_LEFT | TESSERA_REGION_BOTTOM:
      return "nesw-resize";
    default:
      return NULL;
    }
}

static void
tessera_before_after_view_motion_cb (GtkEventControllerMotion *controller,
                                     double                    x,
                                     double                    y,
                                     TesseraBeforeAfterView   *self)
{
  const char *cursor;

  to_pane (self, x, y);
  cursor = grip_cursor (region_grip_at_pointer (self));
  if (cursor == NULL && near_divider (self, x))
    cursor = "col-resize";
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursor);
}

static void
tessera_before_after_view_drag_begin_cb (GtkGestureDrag         *gesture,
                                         double                  x,
                                         double                  y,
                                         TesseraBeforeAfterView *self)
{
  to_pane (self, x, y);
  self->region_grip = region_grip_at_pointer (self);
  self->region_start = self->region;
  self->dragging_divider = self->region_grip == TESSERA_REGION_NONE && near_divider (self, x);
  self->drag_x = 0;
  self->drag_y = 0;
  if (!self->dragging_divider && self->region_grip == TESSERA_REGION_NONE)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
tessera_before_after_view_drag_update_cb (GtkGestureDrag         *gesture,
                                          double                  offset_x,
                                          double                  offset_y,
                                          TesseraBeforeAfterView *self)
{
  if (self->region_grip != TESSERA_REGION_NONE)
    {
      double scale = before_scale (self), width, height;
      TesseraRect region;

      picture_size (self->before, &self->before_sharp, &width, &height);
      region = tessera_comparison_drag_region (&self->region_start, self->region_grip, offset_x / scale,
                                               offset_y / scale, width, height);
      tessera_before_after_view_set_region (self, &region);
    }
  else if (self->dragging_divider)
    {
      double start_x, start_y;

      gtk_gesture_drag_get_start_point (gesture, &start_x, &start_y);
      tessera_before_after_view_set_split (self, tessera_split_from_x (start_x + offset_x,
                                                                  gtk_widget_get_width (GTK_WIDGET (self))));
    }
  else
    {
      tessera_viewport_pan (&self->viewport, offset_x - self->drag_x, offset_y - self->drag_y);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  self->drag_x = offset_x;
  self->drag_y = offset_y;
}

static void
tessera_before_after_view_drag_end_cb (GtkGestureDrag         *gesture,
                                       double                  offset_x,
                                       double                  offset_y,
                                       TesseraBeforeAfterView *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->dragging_divider ? "col-resize"
                                                      : grip_cursor (self->region_grip));
  self->dragging_divider = FALSE;
  self->region_grip = TESSERA_REGION_NONE;
}

/* Ctrl+scroll zooms about the pointer; plain scrolling pans. */
static gboolean
tessera_before_after_view_scroll_cb (GtkEventControllerScroll *controller,
                                     double                    dx,
                                     double                    dy,
                                     TesseraBeforeAfterView   *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  double zoom = self->viewport.zoom;

  if (self->before == NULL && self->after == NULL)
    return FALSE;

  tessera_viewport_scroll (&self->viewport, dx, dy, (state & GDK_CONTROL_MASK) != 0, self->pointer_x,
                           self->pointer_y);
  viewport_changed (self, zoom);
  return TRUE;
}

static void
tessera_before_after_view_pinch_begin_cb (GtkGesture             *gesture,
                                          GdkEventSequence       *sequence,
                                          TesseraBeforeAfterView *self)
{
  self->pinch_zoom = self->viewport.zoom;
}

static void
tessera_before_after_view_pinch_cb (GtkGestureZoom         *gesture,
                                    double                  scale,
                                    TesseraBeforeAfterView *self)
{
  double x, y;

  if (gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &x, &y))
    to_pane (self, x, y);
  zoom_at (self, self->pinch_zoom * scale, self->pointer_x, self->pointer_y);
}

static gboolean
tessera_before_after_view_key_pressed_cb (GtkEventControllerKey  *controller,
                                          guint                   keyval,
                                          guint                   keycode,
                                          GdkModifierType         state,
                                          TesseraBeforeAfterView *self)
{
  if (keyval != GDK_KEY_space || self->mode != TESSERA_BEFORE_AFTER_BLINK)
    return FALSE;
  self->blinking = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
tessera_before_after_view_key_released_cb (GtkEventControllerKey  *controller,
                                           guint                   keyval,
                                           guint                   keycode,
                                           GdkModifierType         state,
                                           TesseraBeforeAfterView *self)
{
  if (keyval != GDK_KEY_space || !self->blinking)
    return;
  self->blinking = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Keyboard zoom about the pane's centre. */
static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TesseraBeforeAfterView *self = TESSERA_BEFORE_AFTER_VIEW (widget);
  double old = self->viewport.zoom;

  tessera_viewport_zoom_command (&self->viewport, strchr (action_name, '.') + 1);
  viewport_changed (self, old);
}

static void
tessera_before_after_view_dispose (GObject *object)
{
  TesseraBeforeAfterView *self = TESSERA_BEFORE_AFTER_VIEW (object);

  g_clear_object (&self->before);
  g_clear_object (&self->after);
  sharp_clear (&self->before_sharp);
  sharp_clear (&self->after_sharp);
  g_clear_object (&self->tile_plan);
  g_clear_object (&self->redraw_plan);
  g_clear_pointer (&self->tile_states, g_array_unref);
  g_clear_pointer (&self->filled, g_array_unref);
  g_clear_pointer (&self->labels[0], g_free);
  g_clear_pointer (&self->labels[1], g_free);

  G_OBJECT_CLASS (tessera_before_after_view_parent_class)->dispose (object);
}

static void
tessera_before_after_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TesseraBeforeAfterView *self = TESSERA_BEFORE_AFTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_BEFORE:
      g_value_set_object (value, self->before);
      break;
    case PROP_AFTER:
      g_value_set_object (value, self->after);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_SPLIT:
      g_value_set_double (value, self->split);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->viewport.zoom);
      break;
    case PROP_REGION_SHOWN:
      g_value_set_boolean (value, self->region_shown);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_before_after_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TesseraBeforeAfterView *self = TESSERA_BEFORE_AFTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE:
      tessera_before_after_view_set_mode (self, g_value_get_enum (value));
      break;
    case PROP_SPLIT:
      tessera_before_after_view_set_split (self, g_value_get_double (value));
      break;
    case PROP_REGION_SHOWN:
      tessera_before_after_view_set_region_shown (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_before_after_view_class_init (TesseraBeforeAfterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_before_after_view_dispose;
  object_class->get_property = tessera_before_after_view_get_property;
  object_class->set_property = tessera_before_after_view_set_property;

  widget_class->snapshot = tessera_before_after_view_snapshot;
  widget_class->size_allocate = tessera_before_after_view_size_allocate;

  properties[PROP_BEFORE] =
    g_param_spec_object ("before", NULL, NULL, GDK_TYPE_TEXTURE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_AFTER] =
    g_param_spec_object ("after", NULL, NULL, GDK_TYPE_TEXTURE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL, TESSERA_TYPE_BEFORE_AFTER_MODE, TESSERA_BEFORE_AFTER_SPLIT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SPLIT] =
    g_param_spec_double ("split", NULL, NULL, 0.0, 1.0, 0.5,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0.0, G_MAXDOUBLE, 1.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_REGION_SHOWN] =
    g_param_spec_boolean ("region-shown", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The region was moved or resized, by the user or not. */
  signals[REGION_CHANGED] =
    g_signal_new ("region-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-original", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "view.zoom-fit", NULL, zoom_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "view.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "view.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "view.zoom-original", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "view.zoom-fit", NULL);

  gtk_widget_class_set_css_name (widget_class, "tessera-before-after-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
tessera_before_after_view_init (TesseraBeforeAfterView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  self->split = 0.5;
  self->tile_states = g_array_new (FALSE, TRUE, sizeof (guint8));
  self->filled = g_array_new (FALSE, FALSE, sizeof (FilledTile));
  g_array_set_clear_func (self->filled, clear_filled_tile);
  tessera_viewport_init (&self->viewport);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Before and after"), -1);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (tessera_before_after_view_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (tessera_before_after_view_drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (tessera_before_after_view_drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (tessera_before_after_view_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (tessera_before_after_view_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (tessera_before_after_view_pinch_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (tessera_before_after_view_pinch_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (tessera_before_after_view_key_pressed_cb), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (tessera_before_after_view_key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
tessera_before_after_view_new (void)
{
  return g_object_new (TESSERA_TYPE_BEFORE_AFTER_VIEW, NULL);
}

/* A picture of a new size starts a new view, fitted; one of the same
 * size (the after image filling in) keeps the zoom and position. */
static gboolean
replace_picture (GdkTexture **slot,
                 Sharp       *sharp,
                 GdkTexture  *texture,
                 Sharp       *new_sharp)
{
  double old_width, old_height, width, height;

  picture_size (*slot, sharp, &old_width, &old_height);
  picture_size (texture, new_sharp, &width, &height);
  g_set_object (slot, texture);
  sharp_clear (sharp);
  *sharp = *new_sharp;
  return *slot == NULL || old_width != width || old_height != height;
}

/* The texture for @image, reduced when it is larger than a texture may
 * be; @sharp then keeps the image, for crops when zoomed in. */
static GdkTexture *
picture_texture (TesseraImage *image,
                 Sharp        *sharp)
{
  guint side = MAX (tessera_image_get_width (image), tessera_image_get_height (image));
  guint factor = (side + MAX_TEXTURE_SIDE - 1) / MAX_TEXTURE_SIDE;

  *sharp = (Sharp) { 0 };
  if (factor <= 1)
    return tessera_texture_new_for_image (image);
  sharp->image = g_object_ref (image);
  return tessera_texture_new_reduced (image, factor);
}

static void
set_before (TesseraBeforeAfterView *self,
            GdkTexture             *before,
            Sharp                  *sharp)
{
  gboolean resized = replace_picture (&self->before, &self->before_sharp, before, sharp);

  update_viewport (self, resized && self->after == NULL ? FRAME_NEW : FRAME_SAME);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BEFORE]);
  /* A region of another image's size would not fit this one. */
  if (resized && self->before != NULL)
    {
      double width, height;
      TesseraRect region;

      picture_size (self->before, &self->before_sharp, &width, &height);
      region = tessera_comparison_default_region (width, height);
      tessera_before_after_view_set_region (self, &region);
    }
}

static void
set_after (TesseraBeforeAfterView *self,
           GdkTexture             *after,
           Sharp                  *sharp)
{
  gboolean had_after = self->after != NULL;
  gboolean resized = replace_picture (&self->after, &self->after_sharp, after, sharp);

  /* The frame changes when the after image comes, goes or changes size. */
  update_viewport (self, resized || !had_after ? FRAME_RESIZED : FRAME_SAME);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AFTER]);
}

/**
 * tessera_before_after_view_set_before_image:
 * @image: (nullable): the image before
 *
 * Shows @image as the before image; one larger than a texture may be is
 * shown reduced, and sharp where zoomed in.
 */
void
tessera_before_after_view_set_before_image (TesseraBeforeAfterView *self,
                                            TesseraImage           *image)
{
  g_autoptr(GdkTexture) texture = NULL;
  Sharp sharp = { 0 };

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (image == NULL || TESSERA_IS_IMAGE (image));

  if (image == NULL && self->before == NULL)
    return;
  if (image != NULL)
    texture = picture_texture (image, &sharp);
  set_before (self, texture, &sharp);
}

GdkTexture *
tessera_before_after_view_get_before (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), NULL);

  return self->before;
}

/**
 * tessera_before_after_view_set_after_image:
 * @image: (nullable): the result
 *
 * Shows @image as the after image, as
 * tessera_before_after_view_set_before_image() does.
 */
void
tessera_before_after_view_set_after_image (TesseraBeforeAfterView *self,
                                           TesseraImage           *image)
{
  g_autoptr(GdkTexture) texture = NULL;
  Sharp sharp = { 0 };

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (image == NULL || TESSERA_IS_IMAGE (image));

  if (image == NULL && self->after == NULL)
    return;
  if (image != NULL)
    texture = picture_texture (image, &sharp);
  set_after (self, texture, &sharp);
}

/* The texture shown, reduced for an image larger than a texture may be. */
GdkTexture *
tessera_before_after_view_get_after (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), NULL);

  return self->after;
}

void
tessera_before_after_view_set_mode (TesseraBeforeAfterView *self,
                                    TesseraBeforeAfterMode  mode)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  self->blinking = FALSE;
  update_viewport (self, FRAME_SAME);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

TesseraBeforeAfterMode
tessera_before_after_view_get_mode (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), TESSERA_BEFORE_AFTER_SPLIT);

  return self->mode;
}

void
tessera_before_after_view_set_split (TesseraBeforeAfterView *self,
                                     double                  split)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  split = CLAMP (split, 0.0, 1.0);
  if (self->split == split)
    return;
  self->split = split;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPLIT]);
}

double
tessera_before_after_view_get_split (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), 0.5);

  return self->split;
}

double
tessera_before_after_view_get_zoom (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), 1.0);

  return self->viewport.zoom;
}

void
tessera_before_after_view_zoom_to_fit (TesseraBeforeAfterView *self)
{
  double old;

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  old = self->viewport.zoom;
  tessera_viewport_zoom_to_fit (&self->viewport);
  viewport_changed (self, old);
}

/* A new plan's tiles all wait. */
static void
reset_tile_states (TesseraBeforeAfterView *self,
                   guint                   n_tiles)
{
  g_array_set_size (self->tile_states, 0);
  g_array_set_size (self->tile_states, n_tiles);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tessera_before_after_view_set_tile_plan:
 * @plan: (nullable): tiles in the before image's pixels, or %NULL for none
 */
void
tessera_before_after_view_set_tile_plan (TesseraBeforeAfterView *self,
                                         TesseraTilePlan        *plan)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  if (!g_set_object (&self->tile_plan, plan))
    return;
  g_clear_object (&self->redraw_plan);
  reset_tile_states (self, plan != NULL ? tessera_tile_plan_get_n_tiles (plan) : 0);
}

TesseraTilePlan *
tessera_before_after_view_get_tile_plan (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), NULL);

  return self->tile_plan;
}

/**
 * tessera_before_after_view_set_redraw_plan:
 * @plan: (nullable): a tiled redraw's jobs, in the redraw's output
 *   pixels, or %NULL for none
 *
 * Shows a redraw's grid in the overlay instead of an upscale's tiles.
 */
void
tessera_before_after_view_set_redraw_plan (TesseraBeforeAfterView *self,
                                           TesseraRedrawPlan      *plan)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  if (!g_set_object (&self->redraw_plan, plan))
    return;
  g_clear_object (&self->tile_plan);
  reset_tile_states (self, plan != NULL ? tessera_redraw_plan_get_n_jobs (plan) : 0);
}

TesseraRedrawPlan *
tessera_before_after_view_get_redraw_plan (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), NULL);

  return self->redraw_plan;
}

/**
 * tessera_before_after_view_build_overlay:
 *
 * What the tile overlay draws, in the view's image pixels: the plan's
 * pixels scaled to the picture shown (a redraw's output pixels onto its
 * input, before the result comes).
 *
 * Returns: (transfer full): #TesseraOverlayTiles, empty without a plan
 */
GArray *
tessera_before_after_view_build_overlay (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), NULL);

  if (self->redraw_plan != NULL)
    return tessera_redraw_overlay_build (self->redraw_plan,
                                         self->viewport.image_width / tessera_redraw_plan_get_width (self->redraw_plan));
  if (self->tile_plan != NULL)
    return tessera_tile_overlay_build (self->tile_plan,
                                       self->viewport.image_width / tessera_tile_plan_get_width (self->tile_plan));
  return g_array_new (FALSE, FALSE, sizeof (TesseraOverlayTile));
}

/**
 * tessera_before_after_view_show_redraw_step:
 * @index: the running job's place in @plan
 * @plan: the redraw's plan, in its output pixels
 * @preview: (nullable): the picture of the job's latent after the step
 *
 * Draws @preview over the job's crop in the after side, replacing the
 * job's last, and outlines the job; the jobs before it count as done.
 * Only latents come out of a redraw until its end, so finished jobs keep
 * their last previews until the result is set. The view must be filling
 * in at @plan's size (tessera_before_after_view_begin_filling()).
 */
void
tessera_before_after_view_show_redraw_step (TesseraBeforeAfterView *self,
                                            TesseraRedrawPlan      *plan,
                                            guint                   index,
                                            TesseraImage           *preview)
{
  const TesseraRedrawJob *job;
  double before_width, before_height, scale;
  graphene_rect_t area;
  FilledTile *last;

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (TESSERA_IS_REDRAW_PLAN (plan));

  if (!self->filling || index >= tessera_redraw_plan_get_n_jobs (plan))
    return;

  job = tessera_redraw_plan_get_job (plan, index);
  picture_size (self->before, &self->before_sharp, &before_width, &before_height);
  scale = before_width / tessera_redraw_plan_get_width (plan);
  graphene_rect_init (&area, job->crop.x * scale, job->crop.y * scale, job->crop.width * scale,
                      job->crop.height * scale);
  self->running = area;

  if (plan == self->redraw_plan)
    for (guint i = 0; i < self->tile_states->len; i++)
      g_array_index (self->tile_states, guint8, i) = i < index ? TESSERA_OVERLAY_DONE
                                                     : i == index ? TESSERA_OVERLAY_RUNNING
                                                     : TESSERA_OVERLAY_WAITING;

  if (preview != NULL)
    {
      last = self->filled->len > 0 ? &g_array_index (self->filled, FilledTile, self->filled->len - 1) : NULL;
      if (last != NULL && last->job == (int) index)
        {
          g_object_unref (last->texture);
          last->texture = tessera_texture_new_for_image (preview);
        }
      else
        {
          FilledTile tile = { area, tessera_texture_new_for_image (preview), (int) index };

          g_array_append_val (self->filled, tile);
        }
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tessera_before_after_view_show_tile:
 * @event: a tile of the upscale under way
 *
 * Outlines a running tile and draws a finished one's pixels over the
 * before image; the tile's state shows in the overlay when @event's plan
 * is the one shown. The after image must be unset while tiles fill in.
 */
void
tessera_before_after_view_show_tile (TesseraBeforeAfterView *self,
                                     const TesseraTileEvent *event)
{
  graphene_rect_t area;

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (event != NULL);

  if (!self->filling)
    return;

  graphene_rect_init (&area, event->x, event->y, event->width, event->height);

  if (event->plan == self->tile_plan && event->index < self->tile_states->len)
    g_array_index (self->tile_states, guint8, event->index) = event->state == TESSERA_TILE_RUNNING
                                                              ? TESSERA_OVERLAY_RUNNING : TESSERA_OVERLAY_DONE;

  if (event->state == TESSERA_TILE_RUNNING)
    self->running = area;
  else
    {
      graphene_rect_init (&self->running, 0, 0, 0, 0);
      if (event->pixels != NULL)
        {
          FilledTile tile = { area, tessera_texture_new_for_image (event->pixels), -1 };

          g_array_append_val (self->filled, tile);
        }
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tessera_before_after_view_begin_filling:
 * @width: the width the upscale will have
 * @height: its height
 *
 * Makes the after side the before image, measured in the upscale's
 * pixels, for tessera_before_after_view_show_tile() to fill in. The after
 * image must be unset.
 */
void
tessera_before_after_view_begin_filling (TesseraBeforeAfterView *self,
                                         guint                   width,
                                         guint                   height)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (self->after == NULL);

  if (self->before == NULL || width == 0 || height == 0)
    return;
  tessera_before_after_view_clear_tiles (self);
  self->filling = TRUE;
  self->fill_width = width;
  self->fill_height = height;
  update_viewport (self, FRAME_RESIZED);
}

/* Ends the filling in; set the result first, so that the view stays put. */
void
tessera_before_after_view_clear_tiles (TesseraBeforeAfterView *self)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  g_array_set_size (self->filled, 0);
  if (self->tile_states->len > 0)
    memset (self->tile_states->data, 0, self->tile_states->len);
  graphene_rect_init (&self->running, 0, 0, 0, 0);
  if (self->filling)
    {
      self->filling = FALSE;
      update_viewport (self, FRAME_RESIZED);
    }
}

/* How many finished tiles are drawn, for the tests. */
guint
tessera_before_after_view_get_n_filled_tiles (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), 0);

  return self->filled->len;
}

/**
 * tessera_before_after_view_set_region_shown:
 * @shown: whether the region shows, and can be dragged
 *
 * Shows the region of the before image to compare upscalers on.
 */
void
tessera_before_after_view_set_region_shown (TesseraBeforeAfterView *self,
                                            gboolean                shown)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  shown = !!shown;
  if (self->region_shown == shown)
    return;
  self->region_shown = shown;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION_SHOWN]);
}

gboolean
tessera_before_after_view_get_region_shown (TesseraBeforeAfterView *self)
{
  g_return_val_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self), FALSE);

  return self->region_shown;
}

/**
 * tessera_before_after_view_set_region:
 * @region: in the before image's pixels
 *
 * Moves the region, kept inside the before image; a new before image of
 * another size puts it back in the middle. Emits #TesseraBeforeAfterView::region-changed.
 */
void
tessera_before_after_view_set_region (TesseraBeforeAfterView *self,
                                      const TesseraRect      *region)
{
  double width, height;
  TesseraRect inside;

  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));
  g_return_if_fail (region != NULL);

  picture_size (self->before, &self->before_sharp, &width, &height);
  inside = self->before != NULL ? tessera_comparison_clamp_region (region, width, height) : *region;
  if (memcmp (&self->region, &inside, sizeof inside) == 0)
    return;
  self->region = inside;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[REGION_CHANGED], 0);
}

void
tessera_before_after_view_get_region (TesseraBeforeAfterView *self,
                                      TesseraRect            *region)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  *region = self->region;
}

/**
 * tessera_before_after_view_set_labels:
 * @before: (nullable): what the before picture is
 * @after: (nullable): what the after picture is
 *
 * Labels the pictures, for two results compared with each other; both
 * %NULL, or either, for none.
 */
void
tessera_before_after_view_set_labels (TesseraBeforeAfterView *self,
                                      const char             *before,
                                      const char             *after)
{
  g_return_if_fail (TESSERA_IS_BEFORE_AFTER_VIEW (self));

  g_free (self->labels[0]);
  g_free (self->labels[1]);
  self->labels[0] = g_strdup (before);
  self->labels[1] = g_strdup (after);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
