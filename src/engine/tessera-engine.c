/* tessera-engine.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-engine.h"
#include "tessera-error.h"
#include "tessera-progress-private.h"
#include "tessera-resample-private.h"
#include "tessera-version.h"

/**
 * TesseraEngine:
 *
 * Runs upscales. The application and tessera-cli both go through
 * tessera_engine_upscale_async(), which does the work in a thread and
 * reports progress in the caller's main context.
 */
struct _TesseraEngine
{
  GObject     parent_instance;

  GListStore *upscalers;
};

G_DEFINE_FINAL_TYPE (TesseraEngine, tessera_engine, G_TYPE_OBJECT)

static const struct {
  const char    *name;
  const char    *title;
  const char    *description;
  TesseraFilter  filter;
} classic_upscalers[] = {
  { "nearest", N_("Nearest Neighbour"),
    N_("Repeats each pixel: hard edges, for pixel art"), TESSERA_FILTER_NEAREST },
  { "bilinear", N_("Bilinear"),
    N_("Straight-line blend of the four nearest pixels: soft"), TESSERA_FILTER_BILINEAR },
  { "bicubic", N_("Bicubic"),
    N_("Catmull-Rom cubic: sharper than bilinear"), TESSERA_FILTER_BICUBIC },
  { "lanczos", N_("Lanczos"),
    N_("Three-lobed windowed sinc: the sharpest classic filter"), TESSERA_FILTER_LANCZOS },
};

static void
tessera_engine_dispose (GObject *object)
{
  TesseraEngine *self = (TesseraEngine *) object;

  g_clear_object (&self->upscalers);

  G_OBJECT_CLASS (tessera_engine_parent_class)->dispose (object);
}

static void
tessera_engine_class_init (TesseraEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_engine_dispose;
}

static void
tessera_engine_init (TesseraEngine *self)
{
  self->upscalers = g_list_store_new (TESSERA_TYPE_UPSCALER_INFO);

  for (guint i = 0; i < G_N_ELEMENTS (classic_upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = NULL;

      info = tessera_upscaler_info_new (classic_upscalers[i].name,
                                        g_dgettext (GETTEXT_PACKAGE, classic_upscalers[i].title),
                                        g_dgettext (GETTEXT_PACKAGE, classic_upscalers[i].description),
                                        TESSERA_UPSCALER_KIND_CLASSIC);
      g_list_store_append (self->upscalers, info);
    }
}

TesseraEngine *
tessera_engine_new (void)
{
  return g_object_new (TESSERA_TYPE_ENGINE, NULL);
}

/**
 * tessera_engine_get_upscalers:
 *
 * Returns: (transfer none): a list of #TesseraUpscalerInfo, classic filters first
 */
GListModel *
tessera_engine_get_upscalers (TesseraEngine *self)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);

  return G_LIST_MODEL (self->upscalers);
}

/**
 * tessera_engine_find_upscaler:
 * @name: an upscaler name, such as `lanczos`
 *
 * Returns: (transfer none) (nullable): the upscaler called @name
 */
TesseraUpscalerInfo *
tessera_engine_find_upscaler (TesseraEngine *self,
                              const char    *name)
{
  guint n;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->upscalers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (G_LIST_MODEL (self->upscalers), i);

      if (g_str_equal (tessera_upscaler_info_get_name (info), name))
        return info;
    }

  return NULL;
}

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

static TesseraFilter
find_filter (const char *name,
             gboolean   *found)
{
  for (guint i = 0; i < G_N_ELEMENTS (classic_upscalers); i++)
    if (g_str_equal (classic_upscalers[i].name, name))
      {
        *found = TRUE;
        return classic_upscalers[i].filter;
      }

  *found = FALSE;
  return TESSERA_FILTER_NEAREST;
}

static char *
describe_upscale (const char   *upscaler,
                  TesseraImage *input,
                  TesseraImage *output)
{
  guint in_width = tessera_image_get_width (input);
  guint in_height = tessera_image_get_height (input);
  guint out_width = tessera_image_get_width (output);
  guint out_height = tessera_image_get_height (output);
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
  const char *upscaler = tessera_upscale_options_get_upscaler (options);
  ResampleProgress resample_progress = { progress, _("Resampling") };
  TesseraFilter filter;
  guint width, height;
  gboolean found;

  filter = find_filter (upscaler, &found);
  if (!found)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("unknown upscaler “%s”"), upscaler);
      return NULL;
    }

  if (!tessera_upscale_options_compute_size (options,
                                             tessera_image_get_width (input),
                                             tessera_image_get_height (input),
                                             &width, &height, error))
    return NULL;

  output = tessera_image_new (width, height, tessera_image_get_has_alpha (input), error);
  if (output == NULL)
    return NULL;

  tessera_progress_report (progress, 0.0, resample_progress.text);
  if (!tessera_resample (input, output, filter, cancellable,
                         on_resample_progress, &resample_progress, error))
    return NULL;

  tessera_image_set_bit_depth (output, tessera_image_get_bit_depth (input));
  tessera_image_set_grayscale (output, tessera_image_get_grayscale (input));
  tessera_image_copy_metadata (output, input);
  description = describe_upscale (upscaler, input, output);
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

  tessera_progress_init (&reporter, progress, progress_data);
  return upscale_run (self, input, options, cancellable, &reporter, error);
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
 * @progress_data: data for @progress, valid until @callback runs
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
