/* tessera-upscale-file.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-engine-private.h"
#include "tessera-stream-private.h"

/* An upscale too large for memory, from file to file band by band: a
 * classic filter, or a model's passes or a chain's, as in memory. */

/* Whether an upscale of a @in_width × @in_height image to @out_width ×
 * @out_height runs band by band between files: when its input and output
 * as floats would take more than half the memory, or the output is
 * larger than an image in memory may be. */
static gboolean
needs_stream (guint    in_width,
              guint    in_height,
              gboolean has_alpha,
              guint    out_width,
              guint    out_height)
{
  gsize physical = (gsize) sysconf (_SC_PHYS_PAGES) * (gsize) sysconf (_SC_PAGESIZE);
  guint64 planes = has_alpha ? 4 : 3;
  guint64 bytes = ((guint64) in_width * in_height + (guint64) out_width * out_height) * planes * sizeof (float);

  return out_width > TESSERA_IMAGE_MAX_SIDE || out_height > TESSERA_IMAGE_MAX_SIDE ||
         (guint64) out_width * out_height > TESSERA_IMAGE_MAX_PIXELS || bytes > physical / 2;
}

typedef struct
{
  TesseraProgress *progress;
  gint64           start;
} RowsProgress;

static void
on_rows_done (guint    done,
              guint    total,
              gpointer user_data)
{
  RowsProgress *rows = user_data;
  double fraction = (double) done / total;
  double elapsed = (g_get_monotonic_time () - rows->start) / (double) G_USEC_PER_SEC;
  g_autofree char *left = tessera_time_left (fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0);
  /* TRANSLATORS: %s is how long is left, such as “about 5 s left” */
  g_autofree char *text = g_strdup_printf (_("Resampling in bands, %s"), left);

  tessera_progress_report (rows->progress, fraction, text);
}

/* Where pass @pass's result waits for the next: a hidden file beside the
 * output, which has the room the output needs. */
static GFile *
pass_file (GFile *output,
           guint  pass)
{
  g_autoptr(GFile) parent = g_file_get_parent (output);
  g_autofree char *base = g_file_get_basename (output);
  g_autofree char *name = g_strdup_printf (".%s.pass-%u.tessera-tmp", base, pass + 1);

  return g_file_get_child (parent, name);
}

/* The passes model_upscale() runs in memory, from @input to @writer: a
 * model or a chain, as many times as it takes to reach the size, then
 * Lanczos to the exact size. Between passes the floats wait in a hidden
 * file, clamped as in memory and not rounded, so that the result is the
 * in-memory one; each such file is listed in @scratch, for the caller to
 * remove whatever happens, and removed as soon as the next pass has read
 * it. */
static gboolean
stream_models (TesseraEngine          *self,
               TesseraModel          **models,
               guint                   n_models,
               TesseraUpscaleOptions  *options,
               TesseraImageReader     *input,
               TesseraImageWriter     *writer,
               GFile                  *output,
               guint                   width,
               guint                   height,
               GPtrArray              *scratch,
               GCancellable           *cancellable,
               TesseraProgress        *progress,
               GError                **error)
{
  g_autoptr(GPtrArray) networks = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_network_unref);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraImageReader) between = NULL;
  g_autofree char *note = NULL;
  TesseraImageReader *reader = input;
  TesseraTileProgress tiles = { progress, 0, 1, 1.0, g_get_monotonic_time () };
  RowsProgress rows = { progress, g_get_monotonic_time () };
  gboolean has_alpha = tessera_image_get_has_alpha (tessera_image_reader_get_info (input));
  guint pass_width = tessera_image_reader_get_width (input);
  guint pass_height = tessera_image_reader_get_height (input);
  guint scale = 1, evictions = 0;
  gboolean written = FALSE;

  for (guint i = 0; i < n_models; i++)
    {
      double denoise = i == 0 ? tessera_upscale_options_get_denoise (options) : -1.0;
      TesseraNetwork *network = tessera_engine_get_network (self, models[i], denoise, error);

      if (network == NULL)
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return FALSE;
        }
      g_ptr_array_add (networks, network);
      scale *= tessera_network_get_scale (network);
    }
  backend = tessera_engine_take_backend (self, options, &evictions, &note, error);
  if (backend == NULL)
    return FALSE;
  if (note != NULL)
    tessera_progress_report (progress, 0.0, note);

  tiles.n_passes = tessera_upscale_count_rounds (scale, pass_width, pass_height, width, height) * n_models;
  tessera_progress_report (progress, 0.0, _("Upscaling"));
  for (tiles.pass = 0; tiles.pass < tiles.n_passes; tiles.pass++)
    {
      guint i = tiles.pass % n_models;
      TesseraNetwork *network = g_ptr_array_index (networks, i);
      guint s = tessera_network_get_scale (network);
      g_autoptr(TesseraImageWriter) pass_writer = NULL;
      GFile *file = NULL;
      TesseraRunOptions run = { 0 };
      gboolean last;

      pass_width *= s;
      pass_height *= s;
      /* The last pass writes the output itself when it lands on the size. */
      last = tiles.pass + 1 == tiles.n_passes && pass_width == width && pass_height == height;
      if (!last)
        {
          file = pass_file (output, tiles.pass);
          g_ptr_array_add (scratch, file);
          pass_writer = tessera_image_writer_open_raw (file, pass_width, pass_height, has_alpha, cancellable, error);
          if (pass_writer == NULL)
            return FALSE;
        }

      tessera_upscale_init_run_options (&run, network, backend, options, width, height, has_alpha);
      run.on_tile_start = tessera_tile_progress_on_start;
      run.on_tile_done = tessera_tile_progress_on_done;
      run.user_data = &tiles;
      if (!tessera_runner_upscale_stream (network, backend, reader, last ? writer : pass_writer, &run, cancellable,
                                          error) ||
          (!last && !tessera_image_writer_finish (pass_writer, error)))
        {
          if (n_models > 1)
            g_prefix_error (error, _("model %u of %u (%s): "), i + 1, n_models, tessera_model_get_name (models[i]));
          return FALSE;
        }
      if (last)
        {
          written = TRUE;
          break;
        }

      /* The pass before this one is read: its file goes. */
      g_clear_pointer (&between, tessera_image_reader_free);
      if (tiles.pass > 0)
        g_file_delete (g_ptr_array_index (scratch, scratch->len - 2), NULL, NULL);
      between = tessera_image_reader_open_raw (file, pass_width, pass_height, has_alpha, cancellable, error);
      if (between == NULL)
        return FALSE;
      reader = between;
      tiles.pass_scale *= s;
    }
  tessera_engine_give_back_backend (self, options, g_steal_pointer (&backend), evictions);

  if (written)
    return TRUE;
  tessera_progress_report (progress, 0.0, _("Resampling"));
  return tessera_stream_resample (reader, writer, width, height, TESSERA_FILTER_LANCZOS, cancellable, on_rows_done,
                                  &rows, error);
}

static void
remove_files (GPtrArray *files)
{
  for (guint i = 0; i < files->len; i++)
    g_file_delete (g_ptr_array_index (files, i), NULL, NULL);
  g_ptr_array_unref (files);
}

/* The upscale from file to file, band by band; see
 * tessera_engine_upscale_file(). */
static gboolean
upscale_file_run (TesseraEngine          *self,
                  GFile                  *input,
                  GFile                  *output,
                  TesseraUpscaleOptions  *options,
                  gboolean                keep_metadata,
                  GCancellable           *cancellable,
                  TesseraProgress        *progress,
                  GError                **error)
{
  g_autoptr(TesseraImageReader) reader = NULL;
  g_autoptr(TesseraImageWriter) writer = NULL;
  g_autoptr(TesseraImage) info = NULL;
  g_autoptr(GPtrArray) scratch = NULL;
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;
  g_autofree char *output_name = tessera_file_dup_display_name (output);
  g_auto(TesseraUpscaler) upscaler = { 0 };
  const char *name = tessera_upscale_options_get_upscaler (options);
  TesseraImage *input_info;
  TesseraImageWriterOptions writer_options = { 8, tessera_upscale_options_get_compression (options),
                                               tessera_upscale_options_get_tiff_tile_size (options) };
  TesseraImageFormat format = tessera_upscale_options_get_format (options);
  RowsProgress rows = { progress, g_get_monotonic_time () };
  guint in_width, in_height, width, height;
  gboolean ok;

  tessera_parallel_set_thread_limit (tessera_upscale_options_get_threads (options));

  if (!tessera_upscale_resolve (self, options, &upscaler, error))
    return FALSE;
  if (tessera_upscale_options_get_upscaler_2 (options) != NULL &&
      tessera_upscale_options_get_upscaler_2_visibility (options) > 0.0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: a second upscaler cannot be blended into an image too large for memory"), output_name);
      return FALSE;
    }

  reader = tessera_image_reader_open (input, cancellable, error);
  if (reader == NULL)
    return FALSE;
  in_width = tessera_image_reader_get_width (reader);
  in_height = tessera_image_reader_get_height (reader);
  input_info = tessera_image_reader_get_info (reader);
  if (!tessera_upscale_options_compute_streamed_size (options, in_width, in_height, &width, &height, error))
    return FALSE;

  info = tessera_image_new (1, 1, tessera_image_get_has_alpha (input_info), error);
  if (info == NULL)
    return FALSE;
  tessera_image_set_grayscale (info, tessera_image_get_grayscale (input_info));
  tessera_image_copy_metadata (info, input_info);
  label = tessera_upscaler_label (&upscaler, name);
  description = tessera_describe_upscale (label, in_width, in_height, width, height);
  tessera_image_set_text (info, "tessera", description);
  /* As the batch strips an image in memory: the description goes too. */
  if (!keep_metadata)
    tessera_image_strip_metadata (info);
  writer_options.depth = tessera_upscale_options_get_bit_depth (options) != 0
                         ? tessera_upscale_options_get_bit_depth (options)
                         : tessera_image_get_bit_depth (input_info) == 16 ? 16 : 8;

  writer = tessera_image_writer_open (output, format, width, height, info, &writer_options, cancellable, error);
  if (writer == NULL)
    return FALSE;

  if (upscaler.classic)
    {
      tessera_progress_report (progress, 0.0, _("Resampling"));
      ok = tessera_stream_resample (reader, writer, width, height, upscaler.filter, cancellable, on_rows_done, &rows,
                                    error);
    }
  else
    {
      scratch = g_ptr_array_new_with_free_func (g_object_unref);
      if (upscaler.chain != NULL)
        ok = stream_models (self, (TesseraModel **) upscaler.chain->pdata, upscaler.chain->len, options, reader,
                            writer, output, width, height, scratch, cancellable, progress, error);
      else
        ok = stream_models (self, &upscaler.model, 1, options, reader, writer, output, width, height, scratch,
                            cancellable, progress, error);
      g_clear_pointer (&scratch, remove_files);
    }
  /* Text a PNG has after its pixels, such as a tool's note added later,
   * goes after the output's, where PNG allows it too. */
  if (ok && keep_metadata)
    tessera_image_writer_set_trailing (writer, tessera_image_reader_get_trailing (reader));
  if (!ok || !tessera_image_writer_finish (writer, error))
    return FALSE;

  tessera_progress_report (progress, 1.0, _("Done"));
  return TRUE;
}

/**
 * tessera_engine_upscale_needs_stream:
 * @self: a #TesseraEngine
 * @file: the input image
 * @options: what to do
 *
 * Whether the upscale of @file with @options is too large for memory, so
 * that it must go from file to file with tessera_engine_upscale_file();
 * or whether @options ask for that. Reads only the file's header (a PNG's)
 * or, for other formats, what GdkPixbuf tells of its size.
 *
 * Returns: %TRUE when the upscale should stream; %FALSE also when the
 *   size cannot be known, and the ordinary upscale reports why
 */
gboolean
tessera_engine_upscale_needs_stream (TesseraEngine         *self,
                                     GFile                 *file,
                                     TesseraUpscaleOptions *options)
{
  guint width, height, out_width, out_height;
  gboolean has_alpha;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), FALSE);

  if (tessera_upscale_options_get_stream (options))
    return TRUE;
  if (!tessera_image_read_size (file, &width, &height, &has_alpha))
    return FALSE;
  if (!tessera_upscale_options_compute_streamed_size (options, width, height, &out_width, &out_height, NULL))
    return FALSE;
  return needs_stream (width, height, has_alpha, out_width, out_height);
}

/**
 * tessera_engine_upscale_file:
 * @self: a #TesseraEngine
 * @input: the image to upscale
 * @output: where the result goes, in the options' format (PNG or TIFF),
 *   bit depth (the input's by default) and TIFF tiling
 * @options: what to do
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as work proceeds
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Upscales an image too large for memory, in the calling thread: the
 * input is read in bands of rows (a PNG row by row; other formats are
 * decoded whole, when they fit), the tiles of a model run a row of tiles
 * at a time and a classic filter a band of rows at a time, and each
 * finished row goes straight to the output file, through a temporary file
 * renamed at the end. A model that runs more than once (or a chain)
 * leaves each pass's result, as floats, in a hidden file beside @output
 * until the next pass has read it; a result not at the exact size is then
 * resampled band by band. The result is the one tessera_engine_upscale()
 * and tessera_image_save() give, pixel for pixel. No second upscaler.
 *
 * Returns: %TRUE when @output was written; on error or cancellation
 *   nothing is left behind
 */
gboolean
tessera_engine_upscale_file (TesseraEngine          *self,
                             GFile                  *input,
                             GFile                  *output,
                             TesseraUpscaleOptions  *options,
                             GCancellable           *cancellable,
                             TesseraProgressFunc     progress,
                             gpointer                progress_data,
                             GError                **error)
{
  TesseraProgress reporter;
  gboolean ok;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (input), FALSE);
  g_return_val_if_fail (G_IS_FILE (output), FALSE);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), FALSE);

  tessera_progress_init (&reporter, progress, progress_data);
  ok = upscale_file_run (self, input, output, options, TRUE, cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return ok;
}

typedef struct
{
  GFile                 *input;
  GFile                 *output;
  TesseraUpscaleOptions *options;
  gboolean               keep_metadata;
  TesseraProgress        progress;
} UpscaleFileJob;

static void
upscale_file_job_free (gpointer data)
{
  UpscaleFileJob *job = data;

  g_clear_object (&job->input);
  g_clear_object (&job->output);
  g_clear_object (&job->options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
upscale_file_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  UpscaleFileJob *job = task_data;
  GError *error = NULL;

  if (upscale_file_run (source_object, job->input, job->output, job->options, job->keep_metadata, cancellable,
                        &job->progress, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* tessera_engine_upscale_file_async(), with the input's text and colour
 * profile left out of the output unless @keep_metadata, as the batch's
 * setting says. */
void
tessera_engine_upscale_file_async_full (TesseraEngine          *self,
                                        GFile                  *input,
                                        GFile                  *output,
                                        TesseraUpscaleOptions  *options,
                                        gboolean                keep_metadata,
                                        GCancellable           *cancellable,
                                        TesseraProgressFunc     progress,
                                        gpointer                progress_data,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  UpscaleFileJob *job;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (G_IS_FILE (input));
  g_return_if_fail (G_IS_FILE (output));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  job = g_new0 (UpscaleFileJob, 1);
  job->input = g_object_ref (input);
  job->output = g_object_ref (output);
  job->options = tessera_upscale_options_copy (options);
  job->keep_metadata = keep_metadata;
  tessera_progress_init_deferred (&job->progress, progress, progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_upscale_file_async);
  g_task_set_task_data (task, job, upscale_file_job_free);
  g_task_run_in_thread (task, upscale_file_thread);
}

/**
 * tessera_engine_upscale_file_async:
 * @options: copied, so later changes do not affect this upscale
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as work proceeds, never after @callback
 *
 * tessera_engine_upscale_file() in a worker thread.
 */
void
tessera_engine_upscale_file_async (TesseraEngine          *self,
                                   GFile                  *input,
                                   GFile                  *output,
                                   TesseraUpscaleOptions  *options,
                                   GCancellable           *cancellable,
                                   TesseraProgressFunc     progress,
                                   gpointer                progress_data,
                                   GAsyncReadyCallback     callback,
                                   gpointer                user_data)
{
  tessera_engine_upscale_file_async_full (self, input, output, options, TRUE, cancellable, progress, progress_data,
                                          callback, user_data);
}

gboolean
tessera_engine_upscale_file_finish (TesseraEngine  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
