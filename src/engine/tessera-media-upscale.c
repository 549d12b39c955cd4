/* tessera-media-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "core/tessera-progress-private.h"
#include "media/tessera-media-private.h"
#include "tessera-engine-private.h"
#include "tessera-media-pipeline-private.h"
#include "tessera-redraw.h"

/* An animation or a video upscaled or redrawn frame by frame as a
 * pipeline: a thread decodes, the calling thread upscales and redraws, a
 * thread encodes, with a few frames between them, so that memory stays
 * bounded whatever the length and the network (the GPU, or the CPU's
 * cores) waits for neither file. The first frame is decoded and processed
 * before the threads start: its size opens the writer. The first error
 * stops all three and names the frame; the writer then removes its
 * temporary file.
 *
 * A redraw gives every frame the same seed, as dgenerate does, so that
 * still parts of the picture stay still; its networks load once. */

#define FRAMES_IN_FLIGHT 3

/* A queue that blocks a producer once it holds FRAMES_IN_FLIGHT frames.
 * Closed, it wakes and turns away everyone: the pipeline is stopping. */
typedef struct
{
  GMutex  lock;
  GCond   changed;
  GQueue  frames;
  gboolean closed;
} FrameQueue;

static void
frame_queue_init (FrameQueue *queue)
{
  g_mutex_init (&queue->lock);
  g_cond_init (&queue->changed);
  g_queue_init (&queue->frames);
}

static void
frame_queue_clear (FrameQueue *queue)
{
  g_queue_clear_full (&queue->frames, (GDestroyNotify) tessera_media_frame_free);
  g_cond_clear (&queue->changed);
  g_mutex_clear (&queue->lock);
}

static void
frame_queue_close (FrameQueue *queue)
{
  g_mutex_lock (&queue->lock);
  queue->closed = TRUE;
  g_cond_broadcast (&queue->changed);
  g_mutex_unlock (&queue->lock);
}

/* Takes @frame; FALSE when the queue is closed. */
static gboolean
frame_queue_push (FrameQueue        *queue,
                  TesseraMediaFrame *frame)
{
  gboolean pushed;

  g_mutex_lock (&queue->lock);
  while (!queue->closed && queue->frames.length >= FRAMES_IN_FLIGHT)
    g_cond_wait (&queue->changed, &queue->lock);
  pushed = !queue->closed;
  if (pushed)
    {
      g_queue_push_tail (&queue->frames, frame);
      g_cond_broadcast (&queue->changed);
    }
  g_mutex_unlock (&queue->lock);

  if (!pushed)
    tessera_media_frame_free (frame);
  return pushed;
}

/* The next frame; %NULL once the queue is closed. */
static TesseraMediaFrame *
frame_queue_pop (FrameQueue *queue)
{
  TesseraMediaFrame *frame = NULL;

  g_mutex_lock (&queue->lock);
  while (!queue->closed && queue->frames.length == 0)
    g_cond_wait (&queue->changed, &queue->lock);
  if (!queue->closed)
    {
      frame = g_queue_pop_head (&queue->frames);
      g_cond_broadcast (&queue->changed);
    }
  g_mutex_unlock (&queue->lock);
  return frame;
}

typedef struct
{
  TesseraEngine             *engine;
  TesseraMediaReader        *reader;
  TesseraMediaWriter        *writer;
  TesseraUpscaleOptions     *options;         /* %NULL: no upscale */
  TesseraCheckpoint         *checkpoint;      /* %NULL: no redraw */
  TesseraRedrawOptions      *redraw_options;  /* with the seed of every frame */
  const TesseraMediaOptions *media_options;
  TesseraProgress           *progress;
  GCancellable              *cancellable;   /* cancelled by the caller's, or by a failure */
  char                      *name;
  FrameQueue                 decoded;
  FrameQueue                 upscaled;
  GMutex                     error_lock;
  GError                    *error;
  guint                      n_frames;      /* to process; 0 when unknown */
  guint                      n_written;
  gint64                     start_time;
  /* Where the time goes, in µs, each counter kept by one thread: the
   * benchmark's share of the time outside the network is 1 − process_us
   * over the whole run's. */
  gint64                     decode_us;     /* reading, decoding, converting to planes */
  gint64                     process_us;    /* upscaling and redrawing: the networks */
  gint64                     starved_us;    /* the networks waiting for a decoded frame or the encoder */
  gint64                     encode_us;     /* converting, encoding, writing */
} Pipeline;

/* Keeps the first error and stops everything. */
static void
pipeline_fail (Pipeline *pipeline,
               GError   *error)
{
  g_mutex_lock (&pipeline->error_lock);
  if (pipeline->error == NULL)
    pipeline->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&pipeline->error_lock);

  g_cancellable_cancel (pipeline->cancellable);
  frame_queue_close (&pipeline->decoded);
  frame_queue_close (&pipeline->upscaled);
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Pipeline *pipeline = user_data;

  g_cancellable_cancel (pipeline->cancellable);
  frame_queue_close (&pipeline->decoded);
  frame_queue_close (&pipeline->upscaled);
}

static gboolean
is_after_last (Pipeline          *pipeline,
               TesseraMediaFrame *frame)
{
  guint last = pipeline->media_options->last_frame;

  return frame->image != NULL && last > 0 && frame->index + 1 > last;
}

/* The next frame to process, past those before the first asked for; past
 * the last, the end. */
static TesseraMediaFrame *
read_frame (Pipeline  *pipeline,
            GError   **error)
{
  for (;;)
    {
      TesseraMediaFrame *frame;

      if (g_cancellable_set_error_if_cancelled (pipeline->cancellable, error))
        return NULL;

      frame = tessera_media_reader_next (pipeline->reader, error);
      if (frame == NULL)
        return NULL;
      if (frame->image != NULL && frame->index + 1 < pipeline->media_options->first_frame)
        {
          tessera_media_frame_free (frame);
          continue;
        }
      if (is_after_last (pipeline, frame))
        g_clear_object (&frame->image);
      return frame;
    }
}

static gpointer
decode_thread (gpointer data)
{
  Pipeline *pipeline = data;

  for (;;)
    {
      GError *error = NULL;
      gint64 start = g_get_monotonic_time ();
      TesseraMediaFrame *frame = read_frame (pipeline, &error);
      gboolean end;

      pipeline->decode_us += g_get_monotonic_time () - start;
      if (frame == NULL)
        {
          if (error != NULL)
            pipeline_fail (pipeline, error);
          return NULL;
        }
      end = frame->image == NULL;
      if (!frame_queue_push (&pipeline->decoded, frame) || end)
        return NULL;
    }
}

static void
report_frame (Pipeline *pipeline)
{
  g_autofree char *text = NULL;
  guint done = ++pipeline->n_written;

  if (pipeline->n_frames > 0)
    {
      double elapsed = (g_get_monotonic_time () - pipeline->start_time) / (double) G_USEC_PER_SEC;
      guint frames_left = pipeline->n_frames - MIN (done, pipeline->n_frames);
      g_autofree char *left = tessera_time_left (elapsed * frames_left / done);

      /* TRANSLATORS: the last %s is how long is left, such as “about 5 s left” */
      text = g_strdup_printf (_("Frame %u of %u, %s"), done, pipeline->n_frames, left);
      tessera_progress_report (pipeline->progress, MIN ((double) done / pipeline->n_frames, 1.0), text);
    }
  else
    {
      text = g_strdup_printf (_("Frame %u"), done);
      tessera_progress_report (pipeline->progress, 0.0, text);
    }
}

static gpointer
encode_thread (gpointer data)
{
  Pipeline *pipeline = data;

  for (;;)
    {
      GError *error = NULL;
      g_autoptr(TesseraMediaFrame) frame = frame_queue_pop (&pipeline->upscaled);
      gboolean end;
      gint64 start;

      if (frame == NULL)
        return NULL;
      end = frame->image == NULL;
      start = g_get_monotonic_time ();
      if (!tessera_media_writer_write (pipeline->writer, frame, &error) ||
          (end && !tessera_media_writer_finish (pipeline->writer, &error)))
        {
          pipeline_fail (pipeline, error);
          return NULL;
        }
      pipeline->encode_us += g_get_monotonic_time () - start;
      if (end)
        return NULL;
      report_frame (pipeline);
    }
}

static gboolean
process_frame (Pipeline           *pipeline,
               TesseraMediaFrame  *frame,
               GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(TesseraImage) upscaled = NULL;
  TesseraImage *processed;
  gint64 start = g_get_monotonic_time ();

  if (pipeline->options != NULL)
    upscaled = tessera_engine_upscale (pipeline->engine, frame->image, pipeline->options,
                                       pipeline->cancellable, NULL, NULL, &local_error);
  else
    upscaled = g_object_ref (frame->image);

  if (upscaled != NULL && pipeline->checkpoint != NULL)
    processed = tessera_engine_redraw (pipeline->engine, upscaled, pipeline->checkpoint, pipeline->redraw_options,
                                       pipeline->cancellable, NULL, NULL, &local_error);
  else
    processed = g_steal_pointer (&upscaled);
  pipeline->process_us += g_get_monotonic_time () - start;

  if (processed == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("%s: frame %u: "),
                                    pipeline->name, frame->index + 1);
      return FALSE;
    }
  g_object_unref (frame->image);
  frame->image = processed;
  return TRUE;
}

/* For build-aux/bench-media.sh, which reads the line from the debug log:
 * keep its form. */
static void
log_times (Pipeline *pipeline)
{
  double total = (g_get_monotonic_time () - pipeline->start_time) / (double) G_USEC_PER_SEC;
  double process = pipeline->process_us / (double) G_USEC_PER_SEC;

  g_debug ("media pipeline: %u frames in %.3f s, %.3f frames/s; networks %.3f s, "
           "decoding %.3f s, encoding %.3f s, networks waiting %.3f s; outside the networks %.1f %%",
           pipeline->n_written, total, total > 0 ? pipeline->n_written / total : 0.0, process,
           pipeline->decode_us / (double) G_USEC_PER_SEC, pipeline->encode_us / (double) G_USEC_PER_SEC,
           pipeline->starved_us / (double) G_USEC_PER_SEC, total > 0 ? 100.0 * (1.0 - process / total) : 0.0);
}

static guint
count_frames (TesseraMediaReader        *reader,
              const TesseraMediaOptions *options)
{
  guint n = tessera_media_reader_get_n_frames (reader);
  guint first = MAX (options->first_frame, 1);
  guint last = options->last_frame;

  if (n > 0 && (last == 0 || last > n))
    last = n;
  return last >= first ? last - first + 1 : 0;
}

static gboolean
run_pipeline (Pipeline  *pipeline,
              GFile     *output,
              guint     *width,
              guint     *height,
              GError   **error)
{
  g_autoptr(TesseraMediaFrame) first = NULL;
  GThread *decoder;
  GThread *encoder;
  gint64 start = g_get_monotonic_time ();

  first = read_frame (pipeline, error);
  pipeline->decode_us += g_get_monotonic_time () - start;
  if (first == NULL)
    return FALSE;
  if (first->image == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("%s: no frames to upscale"), pipeline->name);
      return FALSE;
    }
  if (!process_frame (pipeline, first, error))
    return FALSE;

  *width = tessera_image_get_width (first->image);
  *height = tessera_image_get_height (first->image);
  pipeline->writer = tessera_media_writer_new (output, pipeline->reader, pipeline->media_options, *width, *height,
                                               tessera_image_get_has_alpha (first->image), error);
  if (pipeline->writer == NULL)
    return FALSE;

  frame_queue_push (&pipeline->upscaled, g_steal_pointer (&first));
  decoder = g_thread_new ("tessera-decode", decode_thread, pipeline);
  encoder = g_thread_new ("tessera-encode", encode_thread, pipeline);

  for (;;)
    {
      GError *local_error = NULL;
      TesseraMediaFrame *frame;
      gboolean end, pushed;

      start = g_get_monotonic_time ();
      frame = frame_queue_pop (&pipeline->decoded);
      pipeline->starved_us += g_get_monotonic_time () - start;
      if (frame == NULL)
        break;
      end = frame->image == NULL;
      if (!end && !process_frame (pipeline, frame, &local_error))
        {
          tessera_media_frame_free (frame);
          pipeline_fail (pipeline, local_error);
          break;
        }
      start = g_get_monotonic_time ();
      pushed = frame_queue_push (&pipeline->upscaled, frame);
      pipeline->starved_us += g_get_monotonic_time () - start;
      if (!pushed || end)
        break;
    }

  g_thread_join (decoder);
  g_thread_join (encoder);
  log_times (pipeline);

  if (pipeline->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pipeline->error));
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (pipeline->cancellable, error);
}

static gboolean
process_media (TesseraEngine              *self,
               GFile                      *input,
               GFile                      *output,
               TesseraUpscaleOptions      *options,
               TesseraCheckpoint          *checkpoint,
               TesseraRedrawOptions       *redraw_options,
               const TesseraMediaOptions  *media_options,
               GCancellable               *cancellable,
               TesseraProgress            *progress,
               guint                      *width,
               guint                      *height,
               GError                    **error)
{
  Pipeline pipeline = { 0 };
  gulong cancelled_id = 0;
  gboolean ok;

  pipeline.name = tessera_file_dup_display_name (input);
  if (g_file_equal (input, output))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("%s: the output would replace the input itself"), pipeline.name);
      g_free (pipeline.name);
      return FALSE;
    }

  pipeline.reader = tessera_media_reader_new (input, error);
  if (pipeline.reader == NULL)
    {
      g_free (pipeline.name);
      return FALSE;
    }

  pipeline.engine = self;
  pipeline.options = options;
  pipeline.media_options = media_options;
  if (checkpoint != NULL)
    {
      pipeline.checkpoint = checkpoint;
      pipeline.redraw_options = tessera_redraw_options_copy (redraw_options);
      /* A1111 draws its random seeds from [0, 2³² − 2) */
      if (tessera_redraw_options_get_seed (redraw_options) < 0)
        tessera_redraw_options_set_seed (pipeline.redraw_options,
                                         (gint64) g_random_double_range (0, 4294967294.0));
      tessera_engine_hold_redraw_networks (self);
    }
  pipeline.progress = progress;
  pipeline.cancellable = g_cancellable_new ();
  pipeline.n_frames = count_frames (pipeline.reader, media_options);
  pipeline.start_time = g_get_monotonic_time ();
  frame_queue_init (&pipeline.decoded);
  frame_queue_init (&pipeline.upscaled);
  g_mutex_init (&pipeline.error_lock);
  if (cancellable != NULL)
    cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), &pipeline, NULL);

  ok = run_pipeline (&pipeline, output, width, height, error);

  if (checkpoint != NULL)
    tessera_engine_release_redraw_networks (self);
  g_clear_object (&pipeline.redraw_options);
  g_cancellable_disconnect (cancellable, cancelled_id);
  g_clear_pointer (&pipeline.writer, tessera_media_writer_free);
  frame_queue_clear (&pipeline.decoded);
  frame_queue_clear (&pipeline.upscaled);
  g_mutex_clear (&pipeline.error_lock);
  g_clear_error (&pipeline.error);
  g_object_unref (pipeline.cancellable);
  g_object_unref (pipeline.reader);
  g_free (pipeline.name);
  return ok;
}

/* process_media() in the calling thread, for tessera_engine_upscale_media()
 * and tessera_engine_redraw_media(). */
static gboolean
process_media_here (TesseraEngine              *self,
                    GFile                      *input,
                    GFile                      *output,
                    TesseraUpscaleOptions      *options,
                    TesseraCheckpoint          *checkpoint,
                    TesseraRedrawOptions       *redraw_options,
                    const TesseraMediaOptions  *media_options,
                    GCancellable               *cancellable,
                    TesseraProgressFunc         progress,
                    gpointer                    progress_data,
                    guint                      *width,
                    guint                      *height,
                    GError                    **error)
{
  g_autoptr(TesseraMediaOptions) defaults = NULL;
  TesseraProgress reporter;
  guint local_width, local_height;
  gboolean ok;

  if (media_options == NULL)
    media_options = defaults = tessera_media_options_new ();

  tessera_progress_init (&reporter, progress, progress_data);
  ok = process_media (self, input, output, options, checkpoint, redraw_options, media_options, cancellable,
                      &reporter, width != NULL ? width : &local_width, height != NULL ? height : &local_height,
                      error);
  tessera_progress_clear (&reporter);
  return ok;
}

/**
 * tessera_engine_upscale_media:
 * @self: a #TesseraEngine
 * @input: an animation (GIF, APNG, animated WebP) or a video
 * @output: where to write the result; its name's extension says the
 *   container
 * @options: how each frame is upscaled
 * @media_options: (nullable): how the result is encoded, and which frames
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called as frames are written, with
 *   “Frame 12 of 300” and the time left
 * @progress_data: data for @progress
 * @width: (out) (optional): the frames' width in the output
 * @height: (out) (optional): their height
 * @error: return location for a #GError
 *
 * Upscales every frame of @input, or the frames @media_options names, in
 * the calling thread, and writes them to @output with @input's timing,
 * loop count, colour tags and rotation, its audio and subtitles copied as
 * they are. The output is written under a temporary name and renamed at
 * the end; on error or cancellation nothing is left.
 *
 * Returns: %TRUE on success
 */
gboolean
tessera_engine_upscale_media (TesseraEngine              *self,
                              GFile                      *input,
                              GFile                      *output,
                              TesseraUpscaleOptions      *options,
                              const TesseraMediaOptions  *media_options,
                              GCancellable               *cancellable,
                              TesseraProgressFunc         progress,
                              gpointer                    progress_data,
                              guint                      *width,
                              guint                      *height,
                              GError                    **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (input), FALSE);
  g_return_val_if_fail (G_IS_FILE (output), FALSE);
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options), FALSE);

  return process_media_here (self, input, output, options, NULL, NULL, media_options, cancellable, progress,
                             progress_data, width, height, error);
}

typedef struct
{
  GFile                 *input;
  GFile                 *output;
  TesseraUpscaleOptions *options;
  TesseraCheckpoint     *checkpoint;
  TesseraRedrawOptions  *redraw_options;
  TesseraMediaOptions   *media_options;
  TesseraProgress        progress;
  guint                  width;
  guint                  height;
} MediaJob;

static void
media_job_free (gpointer data)
{
  MediaJob *job = data;

  g_object_unref (job->input);
  g_object_unref (job->output);
  g_clear_object (&job->options);
  g_clear_object (&job->checkpoint);
  g_clear_object (&job->redraw_options);
  tessera_media_options_free (job->media_options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
media_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  MediaJob *job = task_data;
  GError *error = NULL;

  if (process_media (source_object, job->input, job->output, job->options, job->checkpoint, job->redraw_options,
                     job->media_options, cancellable, &job->progress, &job->width, &job->height, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * tessera_engine_upscale_media_async:
 * @self: a #TesseraEngine
 * @input: an animation or a video
 * @output: where to write the result
 * @options: how each frame is upscaled; copied
 * @media_options: (nullable): how the result is encoded; copied
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as frames are written, never after @callback
 * @progress_data: data for @progress
 * @callback: called when the file is written, or not
 * @user_data: data for @callback
 *
 * Upscales an animation or a video in worker threads; see
 * tessera_engine_upscale_media().
 */
void
tessera_engine_upscale_media_async (TesseraEngine              *self,
                                    GFile                      *input,
                                    GFile                      *output,
                                    TesseraUpscaleOptions      *options,
                                    const TesseraMediaOptions  *media_options,
                                    GCancellable               *cancellable,
                                    TesseraProgressFunc         progress,
                                    gpointer                    progress_data,
                                    GAsyncReadyCallback         callback,
                                    gpointer                    user_data)
{
  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (G_IS_FILE (input));
  g_return_if_fail (G_IS_FILE (output));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  tessera_engine_process_media_async (self, input, output, options, NULL, NULL, media_options, cancellable,
                                      progress, progress_data, callback, user_data);
}

/* Upscales with @options, then redraws with @checkpoint, each where given:
 * the batch's Upscale and Redraw on an animation or a video. Finish with
 * tessera_engine_upscale_media_finish(). */
void
tessera_engine_process_media_async (TesseraEngine              *self,
                                    GFile                      *input,
                                    GFile                      *output,
                                    TesseraUpscaleOptions      *options,
                                    TesseraCheckpoint          *checkpoint,
                                    TesseraRedrawOptions       *redraw_options,
                                    const TesseraMediaOptions  *media_options,
                                    GCancellable               *cancellable,
                                    TesseraProgressFunc         progress,
                                    gpointer                    progress_data,
                                    GAsyncReadyCallback         callback,
                                    gpointer                    user_data)
{
  g_autoptr(GTask) task = NULL;
  MediaJob *job;

  job = g_new0 (MediaJob, 1);
  job->input = g_object_ref (input);
  job->output = g_object_ref (output);
  if (options != NULL)
    job->options = tessera_upscale_options_copy (options);
  if (checkpoint != NULL)
    {
      job->checkpoint = g_object_ref (checkpoint);
      job->redraw_options = tessera_redraw_options_copy (redraw_options);
    }
  job->media_options = media_options != NULL ? tessera_media_options_copy (media_options) : tessera_media_options_new ();
  tessera_progress_init_deferred (&job->progress, progress, progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_process_media_async);
  g_task_set_task_data (task, job, media_job_free);
  g_task_run_in_thread (task, media_thread);
}

/**
 * tessera_engine_upscale_media_finish:
 * @self: a #TesseraEngine
 * @result: the result
 * @width: (out) (optional): the frames' width in the output
 * @height: (out) (optional): their height
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the output is written; %FALSE on error or
 *   cancellation (%G_IO_ERROR_CANCELLED), with nothing written
 */
gboolean
tessera_engine_upscale_media_finish (TesseraEngine  *self,
                                     GAsyncResult   *result,
                                     guint          *width,
                                     guint          *height,
                                     GError        **error)
{
  MediaJob *job;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (width != NULL)
    *width = job->width;
  if (height != NULL)
    *height = job->height;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tessera_engine_redraw_media:
 * @self: a #TesseraEngine
 * @input: an animation (GIF, APNG, animated WebP) or a video
 * @output: where to write the result; its name's extension says the
 *   container
 * @checkpoint: the Stable Diffusion checkpoint
 * @options: how each frame is redrawn, its first stage's upscale
 *   included; a random seed is drawn once for all frames
 * @media_options: (nullable): how the result is encoded, and which frames
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called as frames are written
 * @progress_data: data for @progress
 * @width: (out) (optional): the frames' width in the output
 * @height: (out) (optional): their height
 * @error: return location for a #GError
 *
 * Redraws every frame of @input, or the frames @media_options names, in
 * the calling thread, each as tessera_engine_redraw() would redraw it as
 * an image, all with the same seed; the networks load once. The output is
 * written as tessera_engine_upscale_media() writes it.
 *
 * Returns: %TRUE on success
 */
gboolean
tessera_engine_redraw_media (TesseraEngine              *self,
                             GFile                      *input,
                             GFile                      *output,
                             TesseraCheckpoint          *checkpoint,
                             TesseraRedrawOptions       *options,
                             const TesseraMediaOptions  *media_options,
                             GCancellable               *cancellable,
                             TesseraProgressFunc         progress,
                             gpointer                    progress_data,
                             guint                      *width,
                             guint                      *height,
                             GError                    **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (input), FALSE);
  g_return_val_if_fail (G_IS_FILE (output), FALSE);
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (checkpoint), FALSE);
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (options), FALSE);

  return process_media_here (self, input, output, NULL, checkpoint, options, media_options, cancellable, progress,
                             progress_data, width, height, error);
}

/**
 * tessera_engine_redraw_media_async:
 * @self: a #TesseraEngine
 * @input: an animation or a video
 * @output: where to write the result
 * @checkpoint: the Stable Diffusion checkpoint
 * @options: how each frame is redrawn; copied
 * @media_options: (nullable): how the result is encoded; copied
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as frames are written, never after @callback
 * @progress_data: data for @progress
 * @callback: called when the file is written, or not
 * @user_data: data for @callback
 *
 * Redraws an animation or a video in worker threads; see
 * tessera_engine_redraw_media().
 */
void
tessera_engine_redraw_media_async (TesseraEngine              *self,
                                   GFile                      *input,
                                   GFile                      *output,
                                   TesseraCheckpoint          *checkpoint,
                                   TesseraRedrawOptions       *options,
                                   const TesseraMediaOptions  *media_options,
                                   GCancellable               *cancellable,
                                   TesseraProgressFunc         progress,
                                   gpointer                    progress_data,
                                   GAsyncReadyCallback         callback,
                                   gpointer                    user_data)
{
  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (G_IS_FILE (input));
  g_return_if_fail (G_IS_FILE (output));
  g_return_if_fail (TESSERA_IS_CHECKPOINT (checkpoint));
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (options));

  tessera_engine_process_media_async (self, input, output, NULL, checkpoint, options, media_options, cancellable,
                                      progress, progress_data, callback, user_data);
}

/**
 * tessera_engine_redraw_media_finish:
 * @self: a #TesseraEngine
 * @result: the result
 * @width: (out) (optional): the frames' width in the output
 * @height: (out) (optional): their height
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the output is written; %FALSE on error or
 *   cancellation (%G_IO_ERROR_CANCELLED), with nothing written
 */
gboolean
tessera_engine_redraw_media_finish (TesseraEngine  *self,
                                    GAsyncResult   *result,
                                    guint          *width,
                                    guint          *height,
                                    GError        **error)
{
  return tessera_engine_upscale_media_finish (self, result, width, height, error);
}
