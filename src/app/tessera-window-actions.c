/* tessera-window-actions.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-comparison-geometry.h"
#include "tessera-preferences.h"
#include "tessera-window-private.h"

/* The window's actions, installed from one place with their shortcuts:
 * the buttons of the header bar and of the panels, the menu and the
 * keyboard all go through them. Upscaling, comparing and batches start
 * here; files and the clipboard have their own files. */

/* Upscaling. */

typedef struct
{
  TesseraWindow *window;
  GCancellable  *cancellable;
  char          *upscaler;
  TesseraImage  *previous;    /* the result shown before, back if this fails */
  TesseraRedrawPlan *plan;    /* a tiled redraw's jobs; NULL for a whole one */
  GFile         *media_output; /* where an animation or a video is upscaled to */
  gint64         media_seed;  /* the seed of every frame of a redrawn one; -1 */
  gint64         started;     /* when a redraw's first step ended, in µs */
  double         first_done;  /* how much of the redraw was done then */
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->window);
  g_object_unref (job->cancellable);
  g_free (job->upscaler);
  g_clear_object (&job->previous);
  g_clear_object (&job->plan);
  g_clear_object (&job->media_output);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* Reports of a job cancelled or replaced are dropped. */
static gboolean
job_is_current (Job *job)
{
  return job->window->running == job->cancellable && !g_cancellable_is_cancelled (job->cancellable);
}

/* A run that ended without a result: its error, unless it was cancelled,
 * and the result shown before back in the after side. */
static void
job_failed (Job          *job,
            const char   *what,
            const char   *title,
            const GError *error)
{
  if (error != NULL)
    g_debug ("The %s ended: %s", what, error->message);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _tessera_window_show_error (job->window, title, error->message);
  tessera_before_after_view_set_after_image (job->window->before_after_view, job->previous);
}

static void
tessera_window_progress_cb (double      fraction,
                            const char *text,
                            gpointer    user_data)
{
  Job *job = user_data;

  if (job_is_current (job))
    tessera_upscale_panel_set_progress (job->window->upscale_panel, fraction, text);
}

/* Finished tiles fill in the after side; with the overlay on, it shows
 * the plan of the pass running and each tile's state. */
static void
tessera_window_tile_cb (const TesseraTileEvent *event,
                        gpointer                user_data)
{
  Job *job = user_data;
  TesseraWindow *self = job->window;

  if (!job_is_current (job))
    return;
  if (tessera_upscale_panel_get_show_tiles (self->upscale_panel) &&
      tessera_before_after_view_get_tile_plan (self->before_after_view) != event->plan)
    tessera_before_after_view_set_tile_plan (self->before_after_view, event->plan);
  tessera_before_after_view_show_tile (self->before_after_view, event);
}

static void
tessera_window_upscaled_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  TesseraWindow *self = job->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_engine_upscale_finish (TESSERA_ENGINE (source), result, &error);

  /* A newer job replaced this one; its own end is what counts. */
  if (self->running != job->cancellable)
    return;
  g_clear_object (&self->running);

  if (output == NULL || g_cancellable_is_cancelled (job->cancellable))
    job_failed (job, "upscale", _("Could Not Upscale"), error);
  else
    _tessera_window_show_output (self, output, job->upscaler);
  tessera_before_after_view_clear_tiles (self->before_after_view);
  _tessera_window_update_actions (self);
}

static Job *
start_job (TesseraWindow *self,
           const char    *upscaler)
{
  Job *job = g_new0 (Job, 1);

  job->window = g_object_ref (self);
  job->cancellable = g_cancellable_new ();
  job->upscaler = g_strdup (upscaler);
  job->media_seed = -1;
  g_set_object (&job->previous, self->output);
  self->running = g_object_ref (job->cancellable);
  _tessera_window_update_actions (self);
  return job;
}

/* Animations and videos: the whole file is upscaled, or redrawn frame by
 * frame, into the cache, and the chosen frame of the result shows once it
 * is there. */

static void
tessera_window_media_upscaled_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  TesseraWindow *self = job->window;
  g_autoptr(GError) error = NULL;
  guint width = 0;
  gboolean redrawn = job->media_seed >= 0;
  gboolean written = redrawn ? tessera_engine_redraw_media_finish (TESSERA_ENGINE (source), result, &width, NULL, &error)
                             : tessera_engine_upscale_media_finish (TESSERA_ENGINE (source), result, &width, NULL, &error);

  /* Cancelled or replaced, the file goes even if it was finished. */
  if (self->running != job->cancellable || g_cancellable_is_cancelled (job->cancellable))
    {
      if (written)
        _tessera_window_delete_media_result (job->media_output);
      if (self->running != job->cancellable)
        return;
    }
  g_clear_object (&self->running);

  if (!written || g_cancellable_is_cancelled (job->cancellable))
    job_failed (job, redrawn ? "redraw" : "upscale", redrawn ? _("Could Not Redraw") : _("Could Not Upscale"), error);
  else
    {
      if (redrawn)
        tessera_redraw_panel_set_last_seed (self->redraw_panel, job->media_seed);
      _tessera_window_set_media_result (self, job->media_output, job->upscaler, width);
    }
  _tessera_window_update_actions (self);
}

static void
start_media_upscale (TesseraWindow         *self,
                     TesseraUpscaleOptions *options)
{
  g_autoptr(GFile) output = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  output = _tessera_window_new_media_result (self, &error);
  if (output == NULL)
    {
      _tessera_window_show_error (self, _("Could Not Upscale"), error->message);
      return;
    }

  job = start_job (self, tessera_upscale_options_get_upscaler (options));
  job->media_output = g_steal_pointer (&output);
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  tessera_engine_upscale_media_async (self->engine, self->file, job->media_output, options, NULL, job->cancellable,
                                      tessera_window_progress_cb, job, tessera_window_media_upscaled_cb, job);
}

/* The options for a redraw with @checkpoint, or %NULL, the user told
 * why, when there is no checkpoint or the options do not work. */
static TesseraRedrawOptions *
redraw_options_or_say_why (TesseraWindow     *self,
                           TesseraCheckpoint *checkpoint)
{
  g_autoptr(GError) error = NULL;
  TesseraRedrawOptions *options;

  if (checkpoint == NULL)
    {
      _tessera_window_toast (self, _("Choose a Stable Diffusion checkpoint to redraw with"));
      return NULL;
    }
  options = _tessera_window_get_redraw_options (self, NULL, &error);
  if (options == NULL)
    _tessera_window_show_error (self, _("Could Not Redraw"), error->message);
  return options;
}

/* With Redraw on, every frame goes through the first stage and is
 * redrawn, all with one seed so that still parts stay still; a random one
 * is drawn here, so that the Redraw panel can offer it again. */
static void
start_media_redraw (TesseraWindow *self)
{
  TesseraCheckpoint *checkpoint = tessera_redraw_panel_get_checkpoint (self->redraw_panel);
  g_autoptr(TesseraRedrawOptions) options = redraw_options_or_say_why (self, checkpoint);
  g_autoptr(GFile) output = NULL;
  g_autoptr(GError) error = NULL;
  Job *job;

  if (options == NULL)
    return;
  /* A1111 draws its random seeds from [0, 2³² − 2), as the engine does */
  if (tessera_redraw_options_get_seed (options) < 0)
    tessera_redraw_options_set_seed (options, (gint64) g_random_double_range (0, 4294967294.0));
  output = _tessera_window_new_media_result (self, &error);
  if (output == NULL)
    {
      _tessera_window_show_error (self, _("Could Not Redraw"), error->message);
      return;
    }

  job = start_job (self, tessera_redraw_options_get_upscaler (options));
  job->media_output = g_steal_pointer (&output);
  job->media_seed = tessera_redraw_options_get_seed (options);
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  tessera_engine_redraw_media_async (self->engine, self->file, job->media_output, checkpoint, options, NULL,
                                     job->cancellable, tessera_window_progress_cb, job,
                                     tessera_window_media_upscaled_cb, job);
}

/* Redrawing. */

static char *
format_time_left (gint64 seconds)
{
  if (seconds < 60)
    return g_strdup_printf (ngettext ("%u second left", "%u seconds left", (guint) seconds), (guint) seconds);
  return g_strdup_printf (ngettext ("%u minute left", "%u minutes left", (guint) ((seconds + 30) / 60)),
                          (guint) ((seconds + 30) / 60));
}

/* How far a redraw is after @step: its jobs count alike, each its own
 * steps (a seams fix's denoising strength may give it fewer). */
static double
redraw_fraction (const TesseraRedrawStep *step)
{
  return (step->job + (double) (step->step + 1) / MAX (step->n_steps, 1)) / MAX (step->n_jobs, 1);
}

static char *
describe_redraw_step (const TesseraRedrawStep *step,
                      const char              *left)
{
  guint done = step->step + 1;

  if (step->n_jobs <= 1 && left == NULL)
    return g_strdup_printf (_("Step %u of %u"), done, step->n_steps);
  if (step->n_jobs <= 1)
    /* TRANSLATORS: a step of a redraw, then the time left */
    return g_strdup_printf (_("Step %u of %u · %s"), done, step->n_steps, left);
  if (left == NULL)
    /* TRANSLATORS: the tile of a tiled redraw, then its step */
    return g_strdup_printf (_("Tile %u of %u · step %u of %u"), step->job + 1, step->n_jobs, done, step->n_steps);
  /* TRANSLATORS: the tile of a tiled redraw, its step, then the time left */
  return g_strdup_printf (_("Tile %u of %u · step %u of %u · %s"), step->job + 1, step->n_jobs, done,
                          step->n_steps, left);
}

/* Each step shows the model's guess at the result in the after side (a
 * tiled redraw's, in the running tile), and how far the run is, with the
 * time left from the steps done so far. */
static void
tessera_window_redraw_step_cb (const TesseraRedrawStep *step,
                               gpointer                 user_data)
{
  Job *job = user_data;
  TesseraWindow *self = job->window;
  g_autoptr(TesseraImage) preview = NULL;
  g_autofree char *text = NULL;
  g_autofree char *left = NULL;
  gint64 now = g_get_monotonic_time ();
  double fraction = redraw_fraction (step);

  if (!job_is_current (job))
    return;

  preview = tessera_redraw_latent_preview (step->latent, step->width, step->height);
  if (job->plan != NULL)
    tessera_before_after_view_show_redraw_step (self->before_after_view, job->plan, step->job, preview);
  else
    tessera_before_after_view_set_after_image (self->before_after_view, preview);

  if (job->started == 0 || fraction <= job->first_done)
    {
      /* the steps are timed from the end of the first: the one before
       * includes loading the networks */
      job->started = now;
      job->first_done = fraction;
    }
  else
    {
      double per_fraction = (double) (now - job->started) / (fraction - job->first_done);

      left = format_time_left ((gint64) (per_fraction * (1.0 - fraction) / G_USEC_PER_SEC));
    }
  text = describe_redraw_step (step, left);
  tessera_upscale_panel_set_progress (self->upscale_panel, 0.1 + 0.9 * fraction, text);
}

static void
tessera_window_redrawn_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  TesseraWindow *self = job->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_engine_redraw_finish (TESSERA_ENGINE (source), result, &error);
  g_autoptr(TesseraGenerationInfo) info = NULL;

  if (self->running != job->cancellable)
    return;
  g_clear_object (&self->running);

  if (output == NULL || g_cancellable_is_cancelled (job->cancellable))
    job_failed (job, "redraw", _("Could Not Redraw"), error);
  else
    {
      /* the engine names the seed it drew in the result's parameters */
      info = tessera_generation_info_new_for_image (output);
      if (info != NULL)
        tessera_redraw_panel_set_last_seed (self->redraw_panel, tessera_generation_info_get_seed (info));
      _tessera_window_show_output (self, output, job->upscaler);
    }
  tessera_before_after_view_clear_tiles (self->before_after_view);
  _tessera_window_update_actions (self);
  _tessera_window_update_overlay (self);
}

/**
 * _tessera_window_get_redraw_options:
 * @upscaler: (nullable): the first stage's upscaler, or %NULL for the
 *   upscale panel's
 *
 * The Redraw panel's options for the input, with the upscale panel's
 * upscaler, size and device as the first stage.
 *
 * Returns: (transfer full) (nullable): a copy of them, or %NULL when
 *   they do not work for the input
 */
TesseraRedrawOptions *
_tessera_window_get_redraw_options (TesseraWindow  *self,
                                    const char     *upscaler,
                                    GError        **error)
{
  g_autoptr(TesseraUpscaleOptions) upscale = tessera_upscale_panel_get_options (self->upscale_panel, upscaler);
  g_autoptr(TesseraRedrawOptions) options = NULL;
  guint width, height;

  if (upscale == NULL)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT, _("Choose an upscaler"));
      return NULL;
    }
  if (!tessera_upscale_options_compute_size (upscale, tessera_image_get_width (self->input),
                                             tessera_image_get_height (self->input), &width, &height, error))
    return NULL;

  options = tessera_redraw_options_copy (tessera_redraw_panel_get_options (self->redraw_panel));
  tessera_redraw_options_set_upscaler (options, tessera_upscale_options_get_upscaler (upscale));
  tessera_redraw_options_set_width (options, width);
  tessera_redraw_options_set_height (options, height);
  tessera_redraw_options_set_device (options, tessera_upscale_options_get_device (upscale));
  tessera_redraw_options_set_precision (options, tessera_upscale_options_get_precision (upscale));
  if (!tessera_redraw_options_validate (options, error))
    return NULL;
  return g_steal_pointer (&options);
}

/**
 * _tessera_window_plan_redraw:
 *
 * The engine's plan of a tiled redraw of the input with @options, made
 * by _tessera_window_get_redraw_options().
 *
 * Returns: (transfer full) (nullable): the plan, or %NULL when the image
 *   is redrawn whole
 */
TesseraRedrawPlan *
_tessera_window_plan_redraw (TesseraWindow        *self,
                             TesseraRedrawOptions *options)
{
  g_autoptr(TesseraRedrawPlan) plan = NULL;
  guint width, height;

  tessera_redraw_options_get_output_size (options, tessera_image_get_width (self->input),
                                          tessera_image_get_height (self->input), &width, &height);
  plan = tessera_redraw_plan_new (width, height, options);
  if (plan == NULL || tessera_redraw_plan_get_n_jobs (plan) == 0)
    return NULL;
  return g_steal_pointer (&plan);
}

/* The upscale panel's upscaler and size are the redraw's first stage. */
static void
start_redraw (TesseraWindow *self)
{
  TesseraCheckpoint *checkpoint = tessera_redraw_panel_get_checkpoint (self->redraw_panel);
  g_autoptr(TesseraRedrawOptions) options = redraw_options_or_say_why (self, checkpoint);
  Job *job;

  if (options == NULL)
    return;

  job = start_job (self, tessera_redraw_options_get_upscaler (options));
  job->plan = _tessera_window_plan_redraw (self, options);
  if (job->plan != NULL)
    {
      /* The after side fills in job by job over the before image. */
      tessera_before_after_view_set_after_image (self->before_after_view, NULL);
      tessera_before_after_view_begin_filling (self->before_after_view, tessera_redraw_plan_get_width (job->plan),
                                               tessera_redraw_plan_get_height (job->plan));
      if (tessera_upscale_panel_get_show_tiles (self->upscale_panel))
        tessera_before_after_view_set_redraw_plan (self->before_after_view, job->plan);
    }
  tessera_engine_redraw_async (self->engine, self->input, checkpoint, options, job->cancellable,
                               tessera_window_progress_cb, tessera_window_redraw_step_cb, job,
                               tessera_window_redrawn_cb, job);
}

static void
tessera_window_actions_upscale_cb (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr(TesseraUpscaleOptions) options = NULL;
  guint width, height;
  Job *job;

  if (self->input == NULL || self->running != NULL)
    return;
  if (self->media_kind != TESSERA_MEDIA_KIND_STILL)
    {
      if (tessera_redraw_panel_get_enabled (self->redraw_panel))
        start_media_redraw (self);
      else if ((options = tessera_upscale_panel_get_options (self->upscale_panel, NULL)) != NULL)
        start_media_upscale (self, options);
      return;
    }
  if (tessera_redraw_panel_get_enabled (self->redraw_panel))
    {
      start_redraw (self);
      return;
    }
  options = tessera_upscale_panel_get_options (self->upscale_panel, NULL);
  if (options == NULL)
    return;

  job = start_job (self, tessera_upscale_options_get_upscaler (options));
  /* The after side fills in tile by tile from the before image. */
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  if (tessera_upscale_options_compute_size (options, tessera_image_get_width (self->input),
                                            tessera_image_get_height (self->input), &width, &height, NULL))
    tessera_before_after_view_begin_filling (self->before_after_view, width, height);

  tessera_engine_upscale_async (self->engine, self->input, options, job->cancellable, tessera_window_progress_cb,
                                tessera_window_tile_cb, job, tessera_window_upscaled_cb, job);
}

static void
tessera_window_actions_cancel_cb (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (self->running != NULL)
    {
      g_cancellable_cancel (self->running);
      tessera_upscale_panel_set_progress_text (self->upscale_panel, _("Cancelling"));
    }
}

/* Comparing upscalers. */

/* Each value of the comparison panel's rows as a redraw of the region:
 * the Redraw panel's options and checkpoint with one setting changed. */
static gboolean
add_redraw_comparisons (TesseraWindow *self)
{
  TesseraComparisonKind kind = tessera_comparison_panel_get_kind (self->comparison_panel);
  g_autoptr(TesseraUpscaleOptions) upscale = tessera_upscale_panel_get_options (self->upscale_panel, NULL);
  g_autoptr(TesseraRedrawOptions) options = NULL;
  g_autoptr(GError) error = NULL;

  options = _tessera_window_get_redraw_options (self, NULL, &error);
  if (options == NULL)
    {
      _tessera_window_show_error (self, _("Could Not Redraw"), error->message);
      return FALSE;
    }

  for (guint i = 0; i < tessera_comparison_panel_get_n_values (self->comparison_panel); i++)
    {
      g_autoptr(TesseraRedrawOptions) redraw = tessera_redraw_options_copy (options);
      TesseraCheckpoint *checkpoint = tessera_redraw_panel_get_checkpoint (self->redraw_panel);
      double value = tessera_comparison_panel_get_value (self->comparison_panel, i);
      g_autofree char *title = NULL;

      switch (kind)
        {
        case TESSERA_COMPARISON_UPSCALERS:
          g_return_val_if_reached (FALSE);
        case TESSERA_COMPARISON_DENOISE:
          tessera_redraw_options_set_denoise (redraw, value);
          /* TRANSLATORS: a denoising strength compared */
          title = g_strdup_printf (_("Strength %.2f"), value);
          break;
        case TESSERA_COMPARISON_SEEDS:
          tessera_redraw_options_set_seed (redraw, (gint64) value);
          /* TRANSLATORS: a seed compared */
          title = g_strdup_printf (_("Seed %u"), (guint) value);
          break;
        case TESSERA_COMPARISON_CHECKPOINTS:
          checkpoint = tessera_comparison_panel_get_checkpoint (self->comparison_panel, i);
          title = checkpoint != NULL ? g_file_get_basename (tessera_checkpoint_get_file (checkpoint)) : NULL;
          break;
        }
      if (checkpoint == NULL)
        {
          _tessera_window_toast (self, _("Choose a Stable Diffusion checkpoint to redraw with"));
          return FALSE;
        }
      tessera_comparison_results_add_redraw (self->comparison_results, upscale, redraw, checkpoint, title,
                                             tessera_redraw_options_get_upscaler (redraw));
    }
  return TRUE;
}

static void
tessera_window_actions_run_comparison_cb (GtkWidget  *widget,
                                          const char *action_name,
                                          GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr(GPtrArray) chosen = NULL;
  TesseraRect region;

  if (self->input == NULL || self->running != NULL)
    return;

  if (tessera_comparison_panel_get_kind (self->comparison_panel) != TESSERA_COMPARISON_UPSCALERS)
    {
      _tessera_window_show_own_images (self);
      tessera_comparison_results_clear (self->comparison_results);
      if (!add_redraw_comparisons (self))
        {
          tessera_comparison_results_clear (self->comparison_results);
          return;
        }
      tessera_before_after_view_get_region (self->before_after_view, &region);
      tessera_comparison_results_start (self->comparison_results, self->engine, self->input, &region);
      gtk_stack_set_visible_child_name (self->stack, "comparison");
      return;
    }

  chosen = tessera_comparison_panel_get_chosen (self->comparison_panel);
  if (chosen->len < 2)
    {
      _tessera_window_toast (self, _("Pick two different upscalers or more"));
      return;
    }

  _tessera_window_show_own_images (self);
  tessera_comparison_results_clear (self->comparison_results);
  for (guint i = 0; i < chosen->len; i++)
    {
      TesseraUpscalerInfo *info = g_ptr_array_index (chosen, i);
      g_autoptr(TesseraUpscaleOptions) options =
        tessera_upscale_panel_get_options (self->upscale_panel, tessera_upscaler_info_get_name (info));
      g_autofree char *description = tessera_upscale_panel_describe_upscaler (self->upscale_panel, info);

      tessera_comparison_results_add (self->comparison_results, options, tessera_upscaler_info_get_title (info),
                                      description);
    }

  if (tessera_comparison_panel_get_whole_image (self->comparison_panel))
    region = (TesseraRect) { 0, 0, tessera_image_get_width (self->input), tessera_image_get_height (self->input) };
  else
    tessera_before_after_view_get_region (self->before_after_view, &region);
  tessera_comparison_results_start (self->comparison_results, self->engine, self->input, &region);
  gtk_stack_set_visible_child_name (self->stack, "comparison");
}

static void
tessera_window_actions_reset_region_cb (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraRect region;

  if (self->input == NULL)
    return;
  region = tessera_comparison_default_region (tessera_image_get_width (self->input),
                                              tessera_image_get_height (self->input));
  tessera_before_after_view_set_region (self->before_after_view, &region);
}

/* Batches. */

static void
tessera_window_actions_show_image_cb (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, self->input != NULL ? "image" : "empty");
}

/* The batch runs with the upscale panel's upscaler and choices, and when
 * it redraws, the Redraw panel's checkpoint and options, each image
 * redrawn at the size it comes in (the batch's images differ in size). */
static void
tessera_window_actions_start_batch_cb (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_panel_get_options (self->upscale_panel, NULL);
  g_autoptr(TesseraRedrawOptions) redraw = NULL;
  g_autoptr(GError) error = NULL;

  if (options == NULL)
    return;
  redraw = tessera_redraw_options_copy (tessera_redraw_panel_get_options (self->redraw_panel));
  tessera_redraw_options_set_device (redraw, tessera_upscale_options_get_device (options));
  tessera_redraw_options_set_precision (redraw, tessera_upscale_options_get_precision (options));
  if (!tessera_batch_view_start (self->batch_view, options, tessera_upscale_options_get_upscaler (options),
                                 tessera_redraw_panel_get_checkpoint (self->redraw_panel), redraw, &error))
    _tessera_window_show_error (self, _("Could Not Start the Batch"), error->message);
}

/* Files, the clipboard and the rest. */

/* The actions that call one function of the window. */
static const struct
{
  const char *name;
  void      (*activate) (TesseraWindow *self);
} window_calls[] = {
  { "win.open", _tessera_window_choose_image },
  { "win.paste", _tessera_window_paste },
  { "win.copy", _tessera_window_copy },
  { "win.save", _tessera_window_save_result },
  { "win.batch", _tessera_window_show_batch },
  { "win.import-model", _tessera_window_choose_models },
};

static void
tessera_window_actions_call_cb (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  for (guint i = 0; i < G_N_ELEMENTS (window_calls); i++)
    if (g_str_equal (action_name, window_calls[i].name))
      window_calls[i].activate (TESSERA_WINDOW (widget));
}

static void
tessera_window_actions_preferences_cb (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *parameter)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (tessera_preferences_new (GTK_WINDOW (self), self->engine, self->library,
                                                           self->settings)));
}

/* Which actions can run, and what the upscale panel shows of a run. */
void
_tessera_window_update_actions (TesseraWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = self->running != NULL;

  gtk_widget_action_set_enabled (widget, "win.upscale", self->input != NULL && !running && !self->comparing);
  gtk_widget_action_set_enabled (widget, "win.run-comparison", self->input != NULL && !running);
  gtk_widget_action_set_enabled (widget, "win.cancel", running);
  gtk_widget_action_set_enabled (widget, "win.save",
                                 (self->media_kind != TESSERA_MEDIA_KIND_STILL ? self->media_result != NULL
                                                                               : self->output != NULL) && !running);
  gtk_widget_action_set_enabled (widget, "win.copy", self->output != NULL);
  tessera_upscale_panel_set_busy (self->upscale_panel, running);
}

void
_tessera_window_class_actions_init (TesseraWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  for (guint i = 0; i < G_N_ELEMENTS (window_calls); i++)
    gtk_widget_class_install_action (widget_class, window_calls[i].name, NULL, tessera_window_actions_call_cb);
  gtk_widget_class_install_action (widget_class, "win.upscale", NULL, tessera_window_actions_upscale_cb);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, tessera_window_actions_cancel_cb);
  gtk_widget_class_install_action (widget_class, "win.preferences", NULL, tessera_window_actions_preferences_cb);
  gtk_widget_class_install_property_action (widget_class, "win.compare-mode", "compare-mode");
  gtk_widget_class_install_property_action (widget_class, "win.comparing", "comparing");
  gtk_widget_class_install_action (widget_class, "win.run-comparison", NULL, tessera_window_actions_run_comparison_cb);
  gtk_widget_class_install_action (widget_class, "win.reset-region", NULL, tessera_window_actions_reset_region_cb);
  gtk_widget_class_install_action (widget_class, "win.start-batch", NULL, tessera_window_actions_start_batch_cb);
  gtk_widget_class_install_action (widget_class, "win.show-image", NULL, tessera_window_actions_show_image_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "win.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.upscale", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.preferences", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "win.comparing", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_b, GDK_CONTROL_MASK, "win.batch", NULL);
}
