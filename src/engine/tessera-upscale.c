/* tessera-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-engine-private.h"
#include "tessera-version.h"

/* An upscale in memory: the upscaler, a model's passes or a chain's, the
 * resampling to the exact size and the second upscaler blended in. */

typedef struct
{
  TesseraProgress *progress;
  const char      *text;
} ResampleProgress;

static void
on_resample_progress (double   fraction,
                      gpointer user_data)
{
  ResampleProgress *resample = user_data;

  tessera_progress_report (resample->progress, fraction, resample->text);
}

char *
tessera_describe_upscale (const char *upscaler,
                          guint       in_width,
                          guint       in_height,
                          guint       out_width,
                          guint       out_height)
{
  char scale_x[G_ASCII_DTOSTR_BUF_SIZE];
  char scale_y[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean uniform;

  g_ascii_formatd (scale_x, sizeof scale_x, "%.4g", (double) out_width / in_width);
  g_ascii_formatd (scale_y, sizeof scale_y, "%.4g", (double) out_height / in_height);
  uniform = g_str_equal (scale_x, scale_y);

  return g_strdup_printf ("upscaler: %s, scale: %s%s%s, size: %ux%u -> %ux%u, tessera: %s",
                          upscaler, scale_x, uniform ? "" : "x", uniform ? "" : scale_y,
                          in_width, in_height, out_width, out_height, TESSERA_VERSION_STRING);
}

/* What a tile may use: a quarter of the output's floats, which keeps a
 * large upscale near 1.25 times its output, but at least 192 MiB, where
 * networks still run tiles efficiently, and at most a quarter of the
 * memory. */
static gsize
memory_budget (guint    out_width,
               guint    out_height,
               gboolean has_alpha)
{
  gsize physical = (gsize) sysconf (_SC_PHYS_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  gsize output = (gsize) out_width * out_height * (has_alpha ? 4 : 3) * sizeof (float);
  gsize floor_bytes = 192u << 20;

  return MAX (floor_bytes, MIN (output / 4, physical / 4));
}

typedef struct
{
  TesseraTileFunc  func;
  gpointer         user_data;
  TesseraTileEvent event;
} TileUpdate;

static gboolean
deliver_tile_event (gpointer data)
{
  TileUpdate *update = data;

  update->func (&update->event, update->user_data);
  return G_SOURCE_REMOVE;
}

static void
tile_update_free (gpointer data)
{
  TileUpdate *update = data;

  g_clear_object (&update->event.plan);
  g_clear_object (&update->event.pixels);
  g_free (update);
}

static void
post_tile_event (TesseraProgress        *progress,
                 const TesseraTileEvent *event)
{
  TileUpdate *update;

  if (progress->event_func == NULL)
    return;

  update = g_new0 (TileUpdate, 1);
  update->func = (TesseraTileFunc) progress->event_func;
  update->user_data = progress->user_data;
  update->event = *event;
  g_object_ref (update->event.plan);
  if (update->event.pixels != NULL)
    g_object_ref (update->event.pixels);
  tessera_progress_post (progress, deliver_tile_event, update, tile_update_free);
}

static void
report_tile (TesseraTileProgress *tiles,
             TesseraTilePlan     *plan,
             guint                index,
             TesseraTileState     state,
             TesseraImage        *pixels)
{
  TesseraRect core, region;
  TesseraTileEvent event;

  tessera_tile_plan_get_tile (plan, index, &core, &region);
  event = (TesseraTileEvent) {
    plan, index, state, tiles->pass,
    core.x / tiles->pass_scale, core.y / tiles->pass_scale,
    core.width / tiles->pass_scale, core.height / tiles->pass_scale,
    pixels,
  };
  post_tile_event (tiles->progress, &event);
}

char *
tessera_time_left (double seconds)
{
  if (seconds < 1.0)
    return g_strdup (_("less than a second left"));
  if (seconds < 90.0)
    return g_strdup_printf (_("about %.0f s left"), seconds);
  return g_strdup_printf (_("about %.0f min left"), seconds / 60.0);
}

void
tessera_tile_progress_on_start (TesseraTilePlan *plan,
                                guint            index,
                                gpointer         user_data)
{
  report_tile (user_data, plan, index, TESSERA_TILE_RUNNING, NULL);
}

void
tessera_tile_progress_on_done (TesseraTilePlan *plan,
                               guint            index,
                               TesseraImage    *pixels,
                               guint            done,
                               guint            total,
                               gpointer         user_data)
{
  TesseraTileProgress *tiles = user_data;
  double fraction = (tiles->pass + (double) done / total) / tiles->n_passes;
  double elapsed = (g_get_monotonic_time () - tiles->start) / (double) G_USEC_PER_SEC;
  double left = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  g_autofree char *left_text = tessera_time_left (left);
  g_autofree char *text = NULL;

  report_tile (tiles, plan, index, TESSERA_TILE_DONE, pixels);

  /* TRANSLATORS: the last %s is how long is left, such as “about 5 s left” */
  if (tiles->n_passes > 1)
    text = g_strdup_printf (_("Pass %u of %u, tile %u of %u, %s"), tiles->pass + 1, tiles->n_passes, done, total,
                            left_text);
  else
    text = g_strdup_printf (_("Tile %u of %u, %s"), done, total, left_text);
  tessera_progress_report (tiles->progress, fraction, text);
}

static void
on_retry (guint    tile,
          gpointer user_data)
{
  TesseraTileProgress *tiles = user_data;
  g_autofree char *text = g_strdup_printf (_("Out of GPU memory: starting again with %u-pixel tiles"), tile);

  tessera_progress_report (tiles->progress, tiles->pass / (double) tiles->n_passes, text);
}

static void TESSERA_VECTORIZE
clamp_rows (guint    begin,
            guint    end,
            gpointer user_data)
{
  TesseraImage *image = user_data;
  gsize width = tessera_image_get_width (image);
  float *values = tessera_image_get_plane (image, 0);

  for (gsize i = begin * width; i < end * width; i++)
    values[i] = CLAMP (values[i], 0.f, 1.f);
}

/* On every thread: a large output is hundreds of megabytes of floats. */
static void
clamp_planes (TesseraImage *image)
{
  guint n_planes = tessera_image_get_has_alpha (image) ? 4 : 3;

  tessera_parallel_for (tessera_image_get_height (image) * n_planes, clamp_rows, image);
}

static TesseraImage *
resample_to (TesseraImage     *image,
             guint             width,
             guint             height,
             TesseraFilter     filter,
             GCancellable     *cancellable,
             TesseraProgress  *progress,
             GError          **error)
{
  g_autoptr(TesseraImage) output = NULL;
  ResampleProgress resample_progress = { progress, _("Resampling") };

  output = tessera_image_new (width, height, tessera_image_get_has_alpha (image), error);
  if (output == NULL)
    return NULL;

  tessera_progress_report (progress, 0.0, resample_progress.text);
  if (!tessera_resample (image, output, filter, cancellable, on_resample_progress, &resample_progress, error))
    return NULL;
  return g_steal_pointer (&output);
}

/* What a tile may use on a GPU: most of its free memory; the rest is
 * cuBLAS's workspace and the weights. Other backends keep @cpu_budget. */
static gsize
device_memory_budget (TesseraBackend *backend,
                      gsize           cpu_budget)
{
  guint64 free_bytes, total_bytes;

  if (!tessera_backend_get_memory (backend, &free_bytes, &total_bytes))
    return cpu_budget;
  return (gsize) (free_bytes / 10 * 7);
}


/* How the runner tiles @network's passes towards a @width × @height output. */
void
tessera_upscale_init_run_options (TesseraRunOptions      *run,
                                  TesseraNetwork         *network,
                                  TesseraBackend         *backend,
                                  TesseraUpscaleOptions  *options,
                                  guint                   width,
                                  guint                   height,
                                  gboolean                has_alpha)
{
  run->tile_size = tessera_upscale_options_get_tile_size (options);
  run->overlap = tessera_upscale_options_get_tile_overlap (options);
  run->pre_pad = tessera_upscale_options_get_pre_pad (options) == TESSERA_PRE_PAD_AUTO
               ? tessera_network_get_pre_pad (network)
               : (guint) tessera_upscale_options_get_pre_pad (options);
  run->alpha_by_model = tessera_upscale_options_get_alpha_mode (options) == TESSERA_ALPHA_MODE_MODEL;
  run->tta = tessera_upscale_options_get_tta (options);
  run->memory_budget = device_memory_budget (backend, memory_budget (width, height, has_alpha));
}

/* How many times a model (or a chain) of @scale runs to reach a @width ×
 * @height result from a @in_width × @in_height image: until it is as
 * large or larger, four times at most. */
guint
tessera_upscale_count_rounds (guint scale,
                              guint in_width,
                              guint in_height,
                              guint width,
                              guint height)
{
  double needed = MAX ((double) width / in_width, (double) height / in_height);
  guint64 reached;
  guint rounds = 1;

  for (reached = scale; scale > 1 && reached < needed * (1.0 - 1e-9) && rounds < 4; reached *= scale)
    rounds++;
  return rounds;
}

/* Runs the models, one after another, as many times as it takes to
 * reach the size, then resamples to it exactly: -s 2 with a ×4 model is
 * the model and a Lanczos reduction, -s 8 the model twice. A chain runs
 * whole each time, as one model of its scales' product; denoise belongs
 * to its first model. */
static TesseraImage *
model_upscale (TesseraEngine          *self,
               TesseraImage           *input,
               TesseraModel          **models,
               guint                   n_models,
               TesseraUpscaleOptions  *options,
               guint                   width,
               guint                   height,
               GCancellable           *cancellable,
               TesseraProgress        *progress,
               GError                **error)
{
  g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_network_unref);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraImage) current = g_object_ref (input);
  TesseraTileProgress tiles = { progress, 0, 1, 1.0, g_get_monotonic_time () };
  g_autofree char *note = NULL;
  guint scale = 1, evictions;

  for (guint i = 0; i < n_models; i++)
    {
      double denoise = i == 0 ? tessera_upscale_options_get_denoise (options) : -1.0;
      TesseraNetwork *network = tessera_engine_get_network (self, models[i], denoise, error);

      if (network == NULL)
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return NULL;
        }
      g_ptr_array_add (networks, network);
      scale *= tessera_network_get_scale (network);
    }
  backend = tessera_engine_take_backend (self, options, &evictions, &note, error);
  if (backend == NULL)
    return NULL;
  if (note != NULL && progress != NULL)
    tessera_progress_report (progress, 0.0, note);

  tiles.n_passes = tessera_upscale_count_rounds (scale, tessera_image_get_width (input),
                                                 tessera_image_get_height (input), width, height) * n_models;

  for (tiles.pass = 0; tiles.pass < tiles.n_passes; tiles.pass++)
    {
      guint i = tiles.pass % n_models;
      TesseraNetwork *network = g_ptr_array_index (networks, i);
      TesseraRunOptions run = { 0 };
      TesseraImage *next;

      tessera_upscale_init_run_options (&run, network, backend, options, width, height,
                                        tessera_image_get_has_alpha (input));
      run.tile_pixels = progress != NULL && progress->event_func != NULL;
      run.on_tile_start = tessera_tile_progress_on_start;
      run.on_tile_done = tessera_tile_progress_on_done;
      run.on_retry = on_retry;
      run.user_data = &tiles;

      next = tessera_runner_upscale (network, backend, current, &run, cancellable, error);
      if (next == NULL)
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return NULL;
        }
      g_object_unref (current);
      current = next;
      /* The network's output strays a little outside [0, 1]; the next
       * pass, the resampler and the file all want it inside. */
      clamp_planes (current);
      tiles.pass_scale *= tessera_network_get_scale (network);
    }
  tessera_engine_give_back_backend (self, options, g_steal_pointer (&backend), evictions);

  if (tessera_image_get_width (current) != width || tessera_image_get_height (current) != height)
    return resample_to (current, width, height, TESSERA_FILTER_LANCZOS, cancellable, progress, error);
  return g_steal_pointer (&current);
}

static TesseraImage *
upscale_with (TesseraEngine          *self,
              TesseraUpscaler        *upscaler,
              TesseraImage           *input,
              TesseraUpscaleOptions  *options,
              guint                   width,
              guint                   height,
              GCancellable           *cancellable,
              TesseraProgress        *progress,
              GError                **error)
{
  if (upscaler->classic)
    return resample_to (input, width, height, upscaler->filter, cancellable, progress, error);
  if (upscaler->chain != NULL)
    return model_upscale (self, input, (TesseraModel **) upscaler->chain->pdata, upscaler->chain->len, options,
                          width, height, cancellable, progress, error);
  return model_upscale (self, input, &upscaler->model, 1, options, width, height, cancellable, progress, error);
}

/* Stable Diffusion web UI's "Upscaler 2": a second result mixed in. */
static void
blend_images (TesseraImage *image,
              TesseraImage *other,
              double        visibility)
{
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image) *
            (tessera_image_get_has_alpha (image) ? 4 : 3);
  float *a = tessera_image_get_plane (image, 0);
  const float *b = tessera_image_get_plane (other, 0);
  float v = (float) visibility;

  for (gsize i = 0; i < n; i++)
    a[i] = (1.f - v) * a[i] + v * b[i];
}

/* The upscaler @options name first; a denoise level asks for a model. */
gboolean
tessera_upscale_resolve (TesseraEngine          *self,
                         TesseraUpscaleOptions  *options,
                         TesseraUpscaler        *upscaler,
                         GError                **error)
{
  const char *name = tessera_upscale_options_get_upscaler (options);

  if (!tessera_engine_resolve_upscaler (self, name, upscaler, error))
    return FALSE;
  if (tessera_upscale_options_get_denoise (options) >= 0.0 && upscaler->classic)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("denoise is not available for the classic filter “%s”"), name);
      return FALSE;
    }
  return TRUE;
}

static TesseraImage *
upscale_run (TesseraEngine          *self,
             TesseraImage           *input,
             TesseraUpscaleOptions  *options,
             GCancellable           *cancellable,
             TesseraProgress        *progress,
             GError                **error)
{
  g_autoptr(TesseraImage) output = NULL;
  g_autofree char *description = NULL;
  g_autofree char *label = NULL;
  g_auto(TesseraUpscaler) upscaler = { 0 };
  const char *name = tessera_upscale_options_get_upscaler (options);
  const char *name_2 = tessera_upscale_options_get_upscaler_2 (options);
  double visibility = tessera_upscale_options_get_upscaler_2_visibility (options);
  guint width, height;

  tessera_parallel_set_thread_limit (tessera_upscale_options_get_threads (options));

  if (!tessera_upscale_resolve (self, options, &upscaler, error))
    return NULL;

  if (!tessera_upscale_options_compute_size (options,
                                             tessera_image_get_width (input),
                                             tessera_image_get_height (input),
                                             &width, &height, error))
    return NULL;

  output = upscale_with (self, &upscaler, input, options, width, height, cancellable, progress, error);
  if (output == NULL)
    return NULL;

  if (name_2 != NULL && visibility > 0.0)
    {
      g_auto(TesseraUpscaler) upscaler_2 = { 0 };
      g_autoptr(TesseraImage) second = NULL;
      g_autoptr(TesseraUpscaleOptions) plain = tessera_upscale_options_copy (options);

      /* Denoise belongs to the first upscaler. */
      tessera_upscale_options_set_denoise (plain, -1.0);
      if (!tessera_engine_resolve_upscaler (self, name_2, &upscaler_2, error))
        return NULL;
      second = upscale_with (self, &upscaler_2, input, plain, width, height, cancellable, progress, error);
      if (second == NULL)
        return NULL;
      blend_images (output, second, visibility);
    }

  tessera_image_set_bit_depth (output, tessera_image_get_bit_depth (input));
  tessera_image_set_grayscale (output, tessera_image_get_grayscale (input));
  tessera_image_copy_metadata (output, input);
  label = tessera_upscaler_label (&upscaler, name);
  description = tessera_describe_upscale (label, tessera_image_get_width (input), tessera_image_get_height (input),
                                  tessera_image_get_width (output), tessera_image_get_height (output));
  tessera_image_set_text (output, "tessera", description);

  tessera_progress_report (progress, 1.0, _("Done"));

  return g_steal_pointer (&output);
}

/**
 * tessera_engine_upscale:
 * @self: a #TesseraEngine
 * @input: the image to upscale
 * @options: what to do
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as work proceeds
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Upscales @input in the calling thread; see tessera_engine_upscale_async().
 *
 * Returns: (transfer full): the upscaled image, with the metadata of
 *   @input and a `tessera` text naming the upscaler and scale
 */
TesseraImage *
tessera_engine_upscale (TesseraEngine          *self,
                        TesseraImage           *input,
                        TesseraUpscaleOptions  *options,
                        GCancellable           *cancellable,
                        TesseraProgressFunc     progress,
                        gpointer                progress_data,
                        GError                **error)
{
  TesseraProgress reporter;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_IMAGE (input), NULL);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), NULL);

  TesseraImage *output;

  tessera_progress_init (&reporter, progress, progress_data);
  output = upscale_run (self, input, options, cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return output;
}

typedef struct
{
  TesseraImage          *input;
  TesseraUpscaleOptions *options;
  TesseraProgress        progress;
} UpscaleJob;

static void
upscale_job_free (gpointer data)
{
  UpscaleJob *job = data;

  g_clear_object (&job->input);
  g_clear_object (&job->options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
upscale_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  UpscaleJob *job = task_data;
  GError *error = NULL;
  TesseraImage *output;

  output = upscale_run (source_object, job->input, job->options, cancellable, &job->progress, &error);
  if (output == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, output, g_object_unref);
}

/**
 * tessera_engine_upscale_async:
 * @self: a #TesseraEngine
 * @input: the image to upscale; it must not change until the upscale finishes
 * @options: what to do; copied, so later changes do not affect this upscale
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as work proceeds, never after @callback
 * @tiles: (nullable) (scope notified): called there as a model's tiles
 *   start and finish, in order with @progress
 * @progress_data: data for @progress and @tiles, valid until @callback runs
 * @callback: called when the upscale is done
 * @user_data: data for @callback
 *
 * Upscales @input in a worker thread.
 */
void
tessera_engine_upscale_async (TesseraEngine          *self,
                              TesseraImage           *input,
                              TesseraUpscaleOptions  *options,
                              GCancellable           *cancellable,
                              TesseraProgressFunc     progress,
                              TesseraTileFunc         tiles,
                              gpointer                progress_data,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  UpscaleJob *job;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (TESSERA_IS_IMAGE (input));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  job = g_new0 (UpscaleJob, 1);
  job->input = g_object_ref (input);
  job->options = tessera_upscale_options_copy (options);
  tessera_progress_init_deferred (&job->progress, progress, progress_data);
  job->progress.event_func = (GCallback) tiles;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_upscale_async);
  g_task_set_task_data (task, job, upscale_job_free);
  g_task_run_in_thread (task, upscale_thread);
}

/**
 * tessera_engine_upscale_finish:
 *
 * Returns: (transfer full): the upscaled image, or %NULL on error or
 *   cancellation (%G_IO_ERROR_CANCELLED)
 */
TesseraImage *
tessera_engine_upscale_finish (TesseraEngine  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tessera_engine_plan_tiles:
 * @width: the input's width
 * @height: the input's height
 * @has_alpha: whether the input has alpha
 *
 * The tiles the first pass of an upscale with @options would run, with
 * the automatic tile size worked out as the upscale would: for showing
 * the plan before anything runs. Loads the model; call it off the main
 * thread.
 *
 * Returns: (transfer full) (nullable): the plan, in input pixels; %NULL
 *   with @error set when the upscaler cannot be used, and %NULL without
 *   an error for a classic filter, which runs in one piece
 */
TesseraTilePlan *
tessera_engine_plan_tiles (TesseraEngine          *self,
                           guint                   width,
                           guint                   height,
                           gboolean                has_alpha,
                           TesseraUpscaleOptions  *options,
                           GError                **error)
{
  g_auto(TesseraUpscaler) upscaler = { 0 };
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraBackend) backend = NULL;
  g_autofree char *note = NULL;
  TesseraRunOptions run = { 0 };
  guint out_width, out_height, evictions;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  if (!tessera_engine_resolve_upscaler (self, tessera_upscale_options_get_upscaler (options), &upscaler, error))
    return NULL;
  if (upscaler.classic)
    return NULL;
  if (!tessera_upscale_options_compute_size (options, width, height, &out_width, &out_height, error))
    return NULL;

  network = tessera_engine_get_network (self, upscaler.model, tessera_upscale_options_get_denoise (options), error);
  if (network == NULL)
    return NULL;
  backend = tessera_engine_take_backend (self, options, &evictions, &note, error);
  if (backend == NULL)
    return NULL;

  tessera_upscale_init_run_options (&run, network, backend, options, out_width, out_height, has_alpha);
  tessera_engine_give_back_backend (self, options, g_steal_pointer (&backend), evictions);
  return tessera_runner_plan (network, width, height, &run);
}
