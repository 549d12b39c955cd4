/* tessera-comparison-results.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-comparison-results"

#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tessera-comparison-geometry.h"
#include "tessera-comparison-results.h"
#include "tessera-texture.h"
#include "tessera-viewport.h"

/* Upscalers compared on a region of an image. Each runs in turn on the
 * engine (which keeps its networks loaded between runs) over the region
 * and the context the tiler would give it, and its part of the result
 * fills a picture of a grid. The pictures zoom and pan together, each
 * labelled with the upscaler, what it is and the time it took; “Use
 * This” under one emits ::apply. A region that is the whole image
 * compares whole results, which ::apply can take as they are.
 *
 * Redraws compare the same way: each cell redraws the region (its first
 * stage upscaling it) with its own options and checkpoint. */

#define GAP 6.0

typedef struct _TesseraComparisonCell TesseraComparisonCell;

typedef struct
{
  TesseraComparisonCell *widget;
  TesseraUpscaleOptions *options;
  TesseraRedrawOptions  *redraw;      /* a redraw's, or NULL */
  TesseraCheckpoint     *checkpoint;  /* the redraw's */
  char                  *title_text;
  char                  *description;
  TesseraImage          *result;    /* the context upscaled */
  TesseraRect            cut;       /* the region's pixels in it */
  GdkTexture            *texture;   /* those pixels */
} Cell;

struct _TesseraComparisonResults
{
  GtkWidget        parent_instance;

  GtkWidget       *toolbar;
  GtkLabel        *status;
  GtkProgressBar  *progress;
  GtkWidget       *cancel;
  Cell             cells[TESSERA_COMPARISON_MAX_RESULTS];
  guint            n_cells;
  guint            columns;
  guint            rows;

  TesseraViewport  viewport;    /* shared by every picture */
  double           drag_x;
  double           drag_y;

  TesseraEngine   *engine;
  TesseraImage    *input;
  TesseraImage    *context;     /* the pixels upscaled */
  TesseraRect      region;
  TesseraRect      inner;       /* the region in the context */
  GCancellable    *cancellable;
  guint            running;     /* the cell under way */
  gint64           started;
};

G_DEFINE_FINAL_TYPE (TesseraComparisonResults, tessera_comparison_results, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  APPLY,
  BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_next (TesseraComparisonResults *self);

/* A picture of the grid, drawn through the shared viewport. */

#define TESSERA_TYPE_COMPARISON_PANE (tessera_comparison_pane_get_type ())

G_DECLARE_FINAL_TYPE (TesseraComparisonPane, tessera_comparison_pane, TESSERA, COMPARISON_PANE, GtkWidget)

struct _TesseraComparisonPane
{
  GtkWidget                 parent_instance;
  TesseraComparisonResults *results;
  Cell                     *cell;
  double                    pointer_x;
  double                    pointer_y;
};

G_DEFINE_FINAL_TYPE (TesseraComparisonPane, tessera_comparison_pane, GTK_TYPE_WIDGET)

/* The picture with its labels, its spinner and its “Use This”. */

#define TESSERA_TYPE_COMPARISON_CELL (tessera_comparison_cell_get_type ())

G_DECLARE_FINAL_TYPE (TesseraComparisonCell, tessera_comparison_cell, TESSERA, COMPARISON_CELL, AdwBin)

struct _TesseraComparisonCell
{
  AdwBin                 parent_instance;

  TesseraComparisonPane *pane;
  GtkLabel              *title;
  GtkLabel              *subtitle;
  GtkWidget             *spinner;
  GtkWidget             *apply;
};

static void
tessera_comparison_pane_snapshot (GtkWidget   *widget,
                                  GtkSnapshot *snapshot)
{
  TesseraComparisonPane *self = TESSERA_COMPARISON_PANE (widget);
  TesseraViewport *vp = &self->results->viewport;
  graphene_rect_t bounds;

  if (self->cell->texture == NULL)
    return;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                         gtk_widget_get_height (widget)));
  graphene_rect_init (&bounds, -vp->x * vp->zoom, -vp->y * vp->zoom, vp->image_width * vp->zoom,
                      vp->image_height * vp->zoom);
  tessera_texture_append (snapshot, self->cell->texture, &bounds);
  gtk_snapshot_pop (snapshot);
}

static void
tessera_comparison_pane_class_init (TesseraComparisonPaneClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = tessera_comparison_pane_snapshot;
}

static void
queue_draw_panes (TesseraComparisonResults *self)
{
  for (guint i = 0; i < self->n_cells; i++)
    gtk_widget_queue_draw (GTK_WIDGET (self->cells[i].widget->pane));
}

static void
tessera_comparison_pane_drag_begin_cb (GtkGestureDrag        *gesture,
                                       double                 x,
                                       double                 y,
                                       TesseraComparisonPane *pane)
{
  pane->results->drag_x = 0;
  pane->results->drag_y = 0;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (pane), "grabbing");
}

static void
tessera_comparison_pane_drag_update_cb (GtkGestureDrag        *gesture,
                                        double                 offset_x,
                                        double                 offset_y,
                                        TesseraComparisonPane *pane)
{
  TesseraComparisonResults *self = pane->results;

  tessera_viewport_pan (&self->viewport, offset_x - self->drag_x, offset_y - self->drag_y);
  self->drag_x = offset_x;
  self->drag_y = offset_y;
  queue_draw_panes (self);
}

static void
tessera_comparison_pane_drag_end_cb (GtkGestureDrag        *gesture,
                                     double                 offset_x,
                                     double                 offset_y,
                                     TesseraComparisonPane *pane)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (pane), NULL);
}

/* Ctrl+scroll zooms every picture about the pointer; plain scrolling pans. */
static gboolean
tessera_comparison_pane_scroll_cb (GtkEventControllerScroll *controller,
                                   double                    dx,
                                   double                    dy,
                                   TesseraComparisonPane    *pane)
{
  TesseraComparisonResults *self = pane->results;
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  tessera_viewport_scroll (&self->viewport, dx, dy, (state & GDK_CONTROL_MASK) != 0, pane->pointer_x,
                           pane->pointer_y);
  queue_draw_panes (self);
  return TRUE;
}

static void
tessera_comparison_pane_motion_cb (GtkEventControllerMotion *controller,
                                   double                    x,
                                   double                    y,
                                   TesseraComparisonPane    *pane)
{
  pane->pointer_x = x;
  pane->pointer_y = y;
}

static void
tessera_comparison_pane_init (TesseraComparisonPane *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (tessera_comparison_pane_drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (tessera_comparison_pane_drag_update_cb), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (tessera_comparison_pane_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (scroll, "scroll", G_CALLBACK (tessera_comparison_pane_scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (motion, "motion", G_CALLBACK (tessera_comparison_pane_motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

G_DEFINE_FINAL_TYPE (TesseraComparisonCell, tessera_comparison_cell, ADW_TYPE_BIN)

static void
tessera_comparison_cell_apply_clicked_cb (TesseraComparisonCell *cell)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (gtk_widget_get_parent (GTK_WIDGET (cell)));

  for (guint i = 0; i < self->n_cells; i++)
    if (self->cells[i].widget == cell)
      tessera_comparison_results_apply (self, i);
}

static void
tessera_comparison_cell_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), TESSERA_TYPE_COMPARISON_CELL);

  G_OBJECT_CLASS (tessera_comparison_cell_parent_class)->dispose (object);
}

static void
tessera_comparison_cell_class_init (TesseraComparisonCellClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = tessera_comparison_cell_dispose;

  g_type_ensure (TESSERA_TYPE_COMPARISON_PANE);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-comparison-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonCell, pane);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonCell, title);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonCell, subtitle);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonCell, spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonCell, apply);
  gtk_widget_class_bind_template_callback (widget_class, tessera_comparison_cell_apply_clicked_cb);
}

static void
tessera_comparison_cell_init (TesseraComparisonCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* The view. */

static void
set_status (TesseraComparisonResults *self,
            const char               *text)
{
  gtk_label_set_label (self->status, text);
}

static gboolean
is_busy (TesseraComparisonResults *self)
{
  return self->cancellable != NULL;
}

static void
update_busy (TesseraComparisonResults *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress), is_busy (self));
  gtk_widget_set_visible (self->cancel, is_busy (self));
  for (guint i = 0; i < self->n_cells; i++)
    gtk_widget_set_sensitive (self->cells[i].widget->apply, self->cells[i].texture != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The pictures share the size of the largest result, each stretched to
 * it; until one comes, the region's. */
static void
update_frame (TesseraComparisonResults *self)
{
  double width = self->region.width, height = self->region.height;

  for (guint i = 0; i < self->n_cells; i++)
    if (self->cells[i].texture != NULL)
      {
        width = MAX (width, self->cells[i].cut.width);
        height = MAX (height, self->cells[i].cut.height);
      }
  if (width != self->viewport.image_width || height != self->viewport.image_height)
    tessera_viewport_resize_image (&self->viewport, width, height);
  queue_draw_panes (self);
}

static void
clear_cell (Cell *cell)
{
  g_clear_object (&cell->options);
  g_clear_object (&cell->redraw);
  g_clear_object (&cell->checkpoint);
  g_clear_pointer (&cell->title_text, g_free);
  g_clear_pointer (&cell->description, g_free);
  g_clear_object (&cell->result);
  g_clear_object (&cell->texture);
  if (cell->widget != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&cell->widget)));
}

/* The upscale's time, as people read it. */
static char *
format_seconds (double seconds)
{
  if (seconds < 10)
    return g_strdup_printf (_("%.2f s"), seconds);
  return g_strdup_printf (_("%.0f s"), seconds);
}

/* A run, and the comparison it belongs to: one cleared or started again
 * since has another cancellable. */
typedef struct
{
  TesseraComparisonResults *results;
  GCancellable             *cancellable;
} Run;

static void
run_free (Run *run)
{
  g_object_unref (run->results);
  g_object_unref (run->cancellable);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static void cell_finished (Run          *run,
                           TesseraImage *output,
                           GError       *error);

static void
tessera_comparison_results_upscaled_cb (GObject      *source,
                                        GAsyncResult *result,
                                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_engine_upscale_finish (TESSERA_ENGINE (source), result, &error);

  cell_finished (user_data, output, error);
}

static void
tessera_comparison_results_redrawn_cb (GObject      *source,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_engine_redraw_finish (TESSERA_ENGINE (source), result, &error);

  cell_finished (user_data, output, error);
}

static void
cell_finished (Run          *run_data,
               TesseraImage *output_data,
               GError       *error)
{
  g_autoptr(Run) run = run_data;
  TesseraComparisonResults *self = run->results;
  g_autoptr(TesseraImage) output = output_data != NULL ? g_object_ref (output_data) : NULL;
  double seconds = (g_get_monotonic_time () - self->started) / (double) G_USEC_PER_SEC;
  Cell *cell;
  g_autofree char *time = NULL;
  g_autofree char *subtitle = NULL;

  if (run->cancellable != self->cancellable)
    return;

  cell = &self->cells[self->running];
  gtk_widget_set_visible (cell->widget->spinner, FALSE);
  if (output == NULL)
    {
      subtitle = g_strdup_printf (_("%s · failed: %s"), cell->description, error->message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (cell->widget->subtitle), error->message);
    }
  else
    {
      double scale_x = (double) tessera_image_get_width (output) / tessera_image_get_width (self->context);
      double scale_y = (double) tessera_image_get_height (output) / tessera_image_get_height (self->context);

      cell->result = g_steal_pointer (&output);
      cell->cut = tessera_comparison_scale_rect (&self->inner, scale_x, scale_y);
      cell->texture = tessera_texture_new_for_region (cell->result, cell->cut.x, cell->cut.y, cell->cut.width,
                                                      cell->cut.height);
      time = format_seconds (seconds);
      subtitle = g_strdup_printf (_("%s · %u × %u · %s"), cell->description, cell->cut.width, cell->cut.height,
                                  time);
      update_frame (self);
    }
  gtk_label_set_label (cell->widget->subtitle, subtitle);

  self->running++;
  start_next (self);
}

static void
tessera_comparison_results_progress_cb (double      fraction,
                                        const char *text,
                                        gpointer    user_data)
{
  TesseraComparisonResults *self = user_data;

  if (!is_busy (self))
    return;
  gtk_progress_bar_set_fraction (self->progress,
                                 (self->running + CLAMP (fraction, 0.0, 1.0)) / self->n_cells);
}

static void
start_next (TesseraComparisonResults *self)
{
  g_autoptr(TesseraUpscaleOptions) options = NULL;
  g_autofree char *text = NULL;
  Cell *cell;
  guint width, height;
  Run *run;

  if (self->running >= self->n_cells)
    {
      g_clear_object (&self->cancellable);
      set_status (self, _("Pick the upscaler that suits the image"));
      update_busy (self);
      return;
    }

  cell = &self->cells[self->running];
  text = g_strdup_printf (_("Running %s (%u of %u)"), cell->title_text, self->running + 1, self->n_cells);
  set_status (self, text);
  gtk_widget_set_visible (cell->widget->spinner, TRUE);
  gtk_label_set_label (cell->widget->subtitle, cell->description);

  /* A size to reach is the whole image's; the context gets its scale. */
  options = tessera_upscale_options_copy (cell->options);
  if (tessera_upscale_options_compute_size (options, tessera_image_get_width (self->input),
                                            tessera_image_get_height (self->input), &width, &height, NULL) &&
      (tessera_upscale_options_get_width (options) != 0 || tessera_upscale_options_get_height (options) != 0))
    {
      tessera_upscale_options_set_width (options, 0);
      tessera_upscale_options_set_height (options, 0);
      tessera_upscale_options_set_scale (options, (double) width / tessera_image_get_width (self->input));
    }

  run = g_new (Run, 1);
  run->results = g_object_ref (self);
  run->cancellable = g_object_ref (self->cancellable);
  self->started = g_get_monotonic_time ();
  if (cell->redraw != NULL)
    {
      g_autoptr(TesseraRedrawOptions) redraw = tessera_redraw_options_copy (cell->redraw);

      /* the region is redrawn at the whole image's scale */
      tessera_redraw_options_set_width (redraw, 0);
      tessera_redraw_options_set_height (redraw, 0);
      tessera_redraw_options_set_scale (redraw, tessera_upscale_options_get_scale (options));
      tessera_engine_redraw_async (self->engine, self->context, cell->checkpoint, redraw, self->cancellable,
                                   tessera_comparison_results_progress_cb, NULL, self,
                                   tessera_comparison_results_redrawn_cb, run);
      return;
    }
  tessera_engine_upscale_async (self->engine, self->context, options, self->cancellable,
                                tessera_comparison_results_progress_cb, NULL, self,
                                tessera_comparison_results_upscaled_cb, run);
}

/* A copy of @rect of @image. */
static TesseraImage *
copy_rect (TesseraImage      *image,
           const TesseraRect *rect)
{
  gboolean alpha = tessera_image_get_has_alpha (image);
  TesseraImage *copy = tessera_image_new (rect->width, rect->height, alpha, NULL);
  guint width = tessera_image_get_width (image);

  if (copy == NULL)
    return NULL;
  for (guint p = 0; p < (alpha ? 4u : 3u); p++)
    {
      const float *from = tessera_image_get_plane (image, p);
      float *to = tessera_image_get_plane (copy, p);

      for (int y = 0; y < rect->height; y++)
        memcpy (to + (gsize) y * rect->width, from + (gsize) (rect->y + y) * width + rect->x,
                rect->width * sizeof (float));
    }
  tessera_image_set_bit_depth (copy, tessera_image_get_bit_depth (image));
  tessera_image_set_grayscale (copy, tessera_image_get_grayscale (image));
  return copy;
}

static void
make_cell (TesseraComparisonResults *self,
           Cell                     *cell)
{
  cell->widget = g_object_new (TESSERA_TYPE_COMPARISON_CELL, NULL);
  cell->widget->pane->results = self;
  cell->widget->pane->cell = cell;
  gtk_label_set_label (cell->widget->title, cell->title_text);
  gtk_label_set_label (cell->widget->subtitle, cell->description);
  gtk_widget_set_parent (GTK_WIDGET (cell->widget), GTK_WIDGET (self));
}

static void
tessera_comparison_results_measure (GtkWidget      *widget,
                                 GtkOrientation  orientation,
                                 int             for_size,
                                 int            *minimum,
                                 int            *natural,
                                 int            *minimum_baseline,
                                 int            *natural_baseline)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (widget);

  gtk_widget_measure (self->toolbar, orientation, -1, minimum, natural, NULL, NULL);
  /* The pictures take what is left, and need little. */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum += 120;
      *natural += 480;
    }
}

/* The toolbar on top; the pictures below in the grid that shows each
 * largest, all the same size so that one viewport serves them all. */
static void
tessera_comparison_results_size_allocate (GtkWidget *widget,
                                       int        width,
                                       int        height,
                                       int        baseline)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (widget);
  int bar_height, area_height;
  double cell_width, cell_height;

  gtk_widget_measure (self->toolbar, GTK_ORIENTATION_VERTICAL, width, NULL, &bar_height, NULL, NULL);
  gtk_widget_allocate (self->toolbar, width, bar_height, -1, NULL);
  area_height = MAX (0, height - bar_height);

  tessera_comparison_layout (self->n_cells, width - GAP, area_height - GAP,
                             self->region.height > 0 ? (double) self->region.width / self->region.height : 1.0,
                             &self->columns, &self->rows);
  cell_width = MAX (1.0, floor ((width - GAP) / self->columns - GAP));
  cell_height = MAX (1.0, floor ((area_height - GAP) / self->rows - GAP));

  for (guint i = 0; i < self->n_cells; i++)
    {
      GskTransform *at = gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (
                                                    GAP + (i % self->columns) * (cell_width + GAP),
                                                    bar_height + GAP + (i / self->columns) * (cell_height + GAP)));
      int minimum;

      /* GTK wants every child measured before it is allocated. */
      gtk_widget_measure (GTK_WIDGET (self->cells[i].widget), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      gtk_widget_allocate (GTK_WIDGET (self->cells[i].widget), MAX (minimum, (int) cell_width), (int) cell_height, -1, at);
    }

  tessera_viewport_set_pane (&self->viewport, cell_width, cell_height);
}

static void
tessera_comparison_results_dispose (GObject *object)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (object);

  tessera_comparison_results_clear (self);
  g_clear_pointer (&self->toolbar, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_COMPARISON_RESULTS);

  G_OBJECT_CLASS (tessera_comparison_results_parent_class)->dispose (object);
}

static void
tessera_comparison_results_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, is_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  TesseraComparisonResults *self = TESSERA_COMPARISON_RESULTS (widget);

  tessera_viewport_zoom_command (&self->viewport, strchr (action_name, '.') + 1);
  queue_draw_panes (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  tessera_comparison_results_cancel (TESSERA_COMPARISON_RESULTS (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  g_signal_emit (widget, signals[BACK], 0);
}

static void
tessera_comparison_results_class_init (TesseraComparisonResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_comparison_results_dispose;
  object_class->get_property = tessera_comparison_results_get_property;
  widget_class->measure = tessera_comparison_results_measure;
  widget_class->size_allocate = tessera_comparison_results_size_allocate;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraComparisonResults::apply:
   * @upscaler: the upscaler's name
   * @index: its picture
   *
   * The user picked @upscaler for the whole image.
   */
  signals[APPLY] =
    g_signal_new ("apply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
  signals[BACK] =
    g_signal_new ("back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "comparison.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "comparison.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "comparison.zoom-original", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "comparison.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "comparison.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "comparison.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "comparison.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "comparison.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "comparison.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "comparison.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "comparison.zoom-original", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "comparison.cancel", NULL);
  gtk_widget_class_set_css_name (widget_class, "comparison");

  g_type_ensure (TESSERA_TYPE_COMPARISON_CELL);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-comparison-results.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonResults, toolbar);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonResults, status);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonResults, progress);
  gtk_widget_class_bind_template_child (widget_class, TesseraComparisonResults, cancel);
}

static void
tessera_comparison_results_init (TesseraComparisonResults *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  tessera_viewport_init (&self->viewport);
  update_busy (self);
}

GtkWidget *
tessera_comparison_results_new (void)
{
  return g_object_new (TESSERA_TYPE_COMPARISON_RESULTS, NULL);
}

/**
 * tessera_comparison_results_clear:
 *
 * Cancels the runs and removes every upscaler.
 */
void
tessera_comparison_results_clear (TesseraComparisonResults *self)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));

  tessera_comparison_results_cancel (self);
  for (guint i = 0; i < self->n_cells; i++)
    clear_cell (&self->cells[i]);
  self->n_cells = 0;
  g_clear_object (&self->engine);
  g_clear_object (&self->input);
  g_clear_object (&self->context);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * tessera_comparison_results_add:
 * @options: how to upscale, the upscaler included; copied
 * @title: the upscaler as the picture is labelled
 * @subtitle: what it is, such as its architecture
 *
 * Adds an upscaler to compare, up to TESSERA_COMPARISON_MAX_RESULTS.
 */
void
tessera_comparison_results_add (TesseraComparisonResults *self,
                                TesseraUpscaleOptions    *options,
                                const char               *title,
                                const char               *subtitle)
{
  Cell *cell;

  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));
  g_return_if_fail (!is_busy (self));
  g_return_if_fail (self->n_cells < TESSERA_COMPARISON_MAX_RESULTS);

  cell = &self->cells[self->n_cells++];
  cell->options = tessera_upscale_options_copy (options);
  cell->title_text = g_strdup (title);
  cell->description = g_strdup (subtitle);
  make_cell (self, cell);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * tessera_comparison_results_add_redraw:
 * @options: how to upscale the region before its redraw; copied
 * @redraw: how to redraw it; copied
 * @checkpoint: what to redraw it with
 * @title: the setting compared, as the picture is labelled
 * @subtitle: what else it is
 *
 * Adds a redraw to compare, up to TESSERA_COMPARISON_MAX_RESULTS.
 */
void
tessera_comparison_results_add_redraw (TesseraComparisonResults *self,
                                       TesseraUpscaleOptions    *options,
                                       TesseraRedrawOptions     *redraw,
                                       TesseraCheckpoint        *checkpoint,
                                       const char               *title,
                                       const char               *subtitle)
{
  Cell *cell;

  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (redraw));
  g_return_if_fail (TESSERA_IS_CHECKPOINT (checkpoint));

  tessera_comparison_results_add (self, options, title, subtitle);
  cell = &self->cells[self->n_cells - 1];
  cell->redraw = tessera_redraw_options_copy (redraw);
  cell->checkpoint = g_object_ref (checkpoint);
}

/**
 * tessera_comparison_results_get_redraw:
 *
 * Returns: (transfer none) (nullable): the redraw options of result
 *   @index, or %NULL for an upscale
 */
TesseraRedrawOptions *
tessera_comparison_results_get_redraw (TesseraComparisonResults *self,
                                       guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return self->cells[index].redraw;
}

/**
 * tessera_comparison_results_get_checkpoint:
 *
 * Returns: (transfer none) (nullable): the checkpoint of redraw @index
 */
TesseraCheckpoint *
tessera_comparison_results_get_checkpoint (TesseraComparisonResults *self,
                                           guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return self->cells[index].checkpoint;
}

/**
 * tessera_comparison_results_start:
 * @region: the part of @input to compare, in its pixels
 *
 * Runs the upscalers added, one after the other, on @region and the
 * context its tiles would have in the whole image (the options' tile
 * overlap).
 */
void
tessera_comparison_results_start (TesseraComparisonResults *self,
                                  TesseraEngine            *engine,
                                  TesseraImage             *input,
                                  const TesseraRect        *region)
{
  TesseraRect context;

  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));
  g_return_if_fail (TESSERA_IS_ENGINE (engine));
  g_return_if_fail (TESSERA_IS_IMAGE (input));
  g_return_if_fail (region != NULL && region->width > 0 && region->height > 0);
  g_return_if_fail (self->n_cells > 0);

  tessera_comparison_results_cancel (self);
  g_set_object (&self->engine, engine);
  g_set_object (&self->input, input);
  self->region = *region;
  /* A redraw's own tiles take their context from the region alone. */
  tessera_comparison_get_context (region, self->cells[0].redraw != NULL ? 0
                                          : tessera_upscale_options_get_tile_overlap (self->cells[0].options),
                                  tessera_image_get_width (input), tessera_image_get_height (input), &context,
                                  &self->inner);
  g_clear_object (&self->context);
  self->context = copy_rect (input, &context);

  for (guint i = 0; i < self->n_cells; i++)
    {
      g_clear_object (&self->cells[i].result);
      g_clear_object (&self->cells[i].texture);
      gtk_label_set_label (self->cells[i].widget->subtitle, self->cells[i].description);
    }
  tessera_viewport_set_image (&self->viewport, region->width, region->height);
  queue_draw_panes (self);

  if (self->context == NULL)
    {
      set_status (self, _("The region is too large to copy"));
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->running = 0;
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  update_busy (self);
  start_next (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * tessera_comparison_results_cancel:
 *
 * Stops the runs; the results so far stay.
 */
void
tessera_comparison_results_cancel (TesseraComparisonResults *self)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));

  if (!is_busy (self))
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  for (guint i = 0; i < self->n_cells; i++)
    gtk_widget_set_visible (self->cells[i].widget->spinner, FALSE);
  set_status (self, _("Cancelled"));
  update_busy (self);
}

gboolean
tessera_comparison_results_get_busy (TesseraComparisonResults *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), FALSE);

  return is_busy (self);
}

guint
tessera_comparison_results_get_n_upscalers (TesseraComparisonResults *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), 0);

  return self->n_cells;
}

const char *
tessera_comparison_results_get_upscaler (TesseraComparisonResults *self,
                                         guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return tessera_upscale_options_get_upscaler (self->cells[index].options);
}

const char *
tessera_comparison_results_get_title (TesseraComparisonResults *self,
                                      guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return self->cells[index].title_text;
}

/**
 * tessera_comparison_results_get_result:
 *
 * Returns: (transfer none) (nullable): the region as upscaler @index
 *   made it, or %NULL before it is done or when it failed
 */
GdkTexture *
tessera_comparison_results_get_result (TesseraComparisonResults *self,
                                       guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return self->cells[index].texture;
}

/**
 * tessera_comparison_results_get_whole_result:
 *
 * Returns: (transfer none) (nullable): upscaler @index's result when the
 *   region was the whole image, the result a whole upscale would give;
 *   else %NULL
 */
TesseraImage *
tessera_comparison_results_get_whole_result (TesseraComparisonResults *self,
                                             guint                     index)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  if (self->input == NULL || self->region.width != (int) tessera_image_get_width (self->input) ||
      self->region.height != (int) tessera_image_get_height (self->input))
    return NULL;
  return self->cells[index].result;
}

void
tessera_comparison_results_get_columns (TesseraComparisonResults *self,
                                        guint                    *columns,
                                        guint                    *rows)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));

  *columns = self->columns;
  *rows = self->rows;
}

/* The zoom every picture shares. */
double
tessera_comparison_results_get_zoom (TesseraComparisonResults *self)
{
  g_return_val_if_fail (TESSERA_IS_COMPARISON_RESULTS (self), 1.0);

  return self->viewport.zoom;
}

/**
 * tessera_comparison_results_apply:
 *
 * Emits ::apply for upscaler @index, as its “Use This” button does.
 */
void
tessera_comparison_results_apply (TesseraComparisonResults *self,
                                  guint                     index)
{
  g_return_if_fail (TESSERA_IS_COMPARISON_RESULTS (self));
  g_return_if_fail (index < self->n_cells);

  g_signal_emit (self, signals[APPLY], 0, tessera_upscale_options_get_upscaler (self->cells[index].options), index);
}
