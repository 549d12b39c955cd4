/* tessera-batch.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-batch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "image/tessera-image-reader-private.h"
#include "tessera-batch-private.h"
#include "tessera-media-pipeline-private.h"
#include "tessera-stream-private.h"
#include "tessera-redraw.h"
#include "tessera-enums.h"

/* Images upscaled with the same options, each saved under a name made
 * from its own: the app's batch queue and tessera-cli's files and folders
 * both, so that they name, skip, protect and report alike.
 *
 * An item runs alone with tessera_batch_run_item_async(), for a caller
 * with its own loop such as tessera-cli; or the batch runs its waiting
 * items one after another with tessera_batch_start(), for the app. An
 * item's output is chosen and checked in the caller's thread; its load,
 * upscale and save run on the engine's threads, each step coming back to
 * the caller's main context, so that a cancellation seen there stops the
 * run before the next step. One item failing marks itself failed and the
 * others go on.
 *
 * Pausing or cancelling cancels the item in progress; it goes back to
 * waiting once its run has unwound, so that two runs never overlap and
 * the save has removed its temporary file. Resuming before then picks it
 * up again as soon as it is back. */

/* How an item's progress divides between its steps; an upscale that a
 * redraw follows takes the first part of the work. */
#define LOADED          0.05
#define UPSCALED        0.95
#define BEFORE_REDRAW   0.25

struct _TesseraBatch
{
  GObject                parent_instance;

  TesseraEngine         *engine;
  GListStore            *items;
  GQueue                 waiting;         /* of TesseraBatchItem, in the order they run */
  GHashTable            *waiting_files;   /* GFile → its waiting item */
  guint                  counts[TESSERA_BATCH_ITEM_FAILED + 1];

  TesseraUpscaleOptions *options;
  TesseraBatchRedraw     redraw;
  TesseraCheckpoint     *checkpoint;
  TesseraRedrawOptions  *redraw_options;
  char                  *upscaler_label;
  GFile                 *output_folder;
  char                  *name_pattern;
  TesseraBatchExisting   existing;
  gboolean               keep_metadata;
  TesseraMediaOptions   *media_options;

  TesseraBatchState      state;
  GCancellable          *cancellable;     /* the queue's run in flight, until its callback: after a pause too */
};

G_DEFINE_FINAL_TYPE (TesseraBatch, tessera_batch, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_N_DONE,
  PROP_N_FAILED,
  PROP_N_SKIPPED,
  PROP_N_WAITING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The count each status changes, if any. */
static const guint count_properties[] = {
  [TESSERA_BATCH_ITEM_WAITING] = PROP_N_WAITING,
  [TESSERA_BATCH_ITEM_RUNNING] = PROP_0,
  [TESSERA_BATCH_ITEM_DONE]    = PROP_N_DONE,
  [TESSERA_BATCH_ITEM_SKIPPED] = PROP_N_SKIPPED,
  [TESSERA_BATCH_ITEM_FAILED]  = PROP_N_FAILED,
};

static void
set_state (TesseraBatch      *self,
           TesseraBatchState  state)
{
  if (self->state == state)
    return;

  /* A running or paused batch keeps its redraws' networks loaded. */
  if (self->state == TESSERA_BATCH_IDLE)
    tessera_engine_hold_redraw_networks (self->engine);
  else if (state == TESSERA_BATCH_IDLE)
    tessera_engine_release_redraw_networks (self->engine);

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
notify_count (TesseraBatch           *self,
              TesseraBatchItemStatus  status)
{
  if (count_properties[status] != PROP_0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[count_properties[status]]);
}

/* Items change status only here, so that the counts and the waiting
 * queue follow. */
static void
set_item_status (TesseraBatch           *self,
                 TesseraBatchItem       *item,
                 TesseraBatchItemStatus  status)
{
  TesseraBatchItemStatus old_status = item->status;

  if (old_status == status)
    return;

  if (old_status == TESSERA_BATCH_ITEM_WAITING)
    {
      g_queue_remove (&self->waiting, item);
      g_hash_table_remove (self->waiting_files, item->file);
      g_object_unref (item);
    }
  else if (status == TESSERA_BATCH_ITEM_WAITING)
    {
      /* Back from a pause: it runs first again. */
      g_queue_push_head (&self->waiting, g_object_ref (item));
      g_hash_table_insert (self->waiting_files, item->file, item);
    }

  item->status = status;
  self->counts[old_status]--;
  self->counts[status]++;

  tessera_batch_item_notify_status (item);
  notify_count (self, old_status);
  notify_count (self, status);
}

static void
fail_item (TesseraBatch     *self,
           TesseraBatchItem *item,
           const GError     *error)
{
  tessera_batch_item_set_output (item, NULL);
  tessera_batch_item_set_error (item, error->message);
  set_item_status (self, item, TESSERA_BATCH_ITEM_FAILED);
}

static const char *
get_name_pattern (TesseraBatch *self)
{
  return self->name_pattern != NULL ? self->name_pattern : TESSERA_DEFAULT_NAME_PATTERN;
}

static const char *
get_upscaler_label (TesseraBatch *self)
{
  return self->upscaler_label != NULL ? self->upscaler_label : tessera_upscale_options_get_upscaler (self->options);
}

/* The output asked for; else in the output folder, below the subfolders
 * the image was found in; else beside the image. */
static GFile *
dup_output (TesseraBatch      *self,
            TesseraBatchItem  *item,
            GError           **error)
{
  g_autofree char *name = NULL;
  g_autofree char *subfolder = NULL;
  g_autoptr(GFile) folder = NULL;

  if (item->fixed_output != NULL)
    return g_object_ref (item->fixed_output);

  name = tessera_upscale_options_expand_name (self->options, get_name_pattern (self), item->relative,
                                              get_upscaler_label (self), error);
  if (name == NULL)
    {
      g_prefix_error (error, "%s: ", item->name);
      return NULL;
    }

  /* An animation or a video is written back as the same kind of file. */
  if (item->kind != TESSERA_MEDIA_KIND_STILL)
    {
      const char *format_ext = tessera_image_format_get_extension (tessera_upscale_options_get_format (self->options));
      g_autofree char *basename = g_path_get_basename (item->relative);
      const char *input_ext = strrchr (basename, '.');
      g_autofree char *suffix = g_strconcat (".", format_ext, NULL);

      /* A video known by its first bytes alone: Matroska holds any codec. */
      if (input_ext == NULL && item->kind == TESSERA_MEDIA_KIND_VIDEO)
        input_ext = ".mkv";
      if (input_ext != NULL && g_str_has_suffix (name, suffix))
        {
          g_autofree char *stem = g_strndup (name, strlen (name) - strlen (suffix));

          g_free (name);
          name = g_strconcat (stem, input_ext, NULL);
        }
    }

  subfolder = g_path_get_dirname (item->relative);
  if (self->output_folder == NULL)
    folder = g_file_get_parent (item->file);
  else if (g_str_equal (subfolder, "."))
    folder = g_object_ref (self->output_folder);
  else
    folder = g_file_resolve_relative_path (self->output_folder, subfolder);

  return g_file_get_child (folder, name);
}

/* Where @item is to be written, its folder made; or *@skip set, for an
 * output that exists and is to be left alone. A folder is never replaced,
 * and the item's own image only when that is asked for. */
static GFile *
prepare_output (TesseraBatch      *self,
                TesseraBatchItem  *item,
                gboolean          *skip,
                GError           **error)
{
  g_autoptr(GFile) output = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *output_name = NULL;

  *skip = FALSE;
  output = dup_output (self, item, error);
  if (output == NULL)
    return NULL;

  output_name = tessera_file_dup_display_name (output);
  info = g_file_query_info (output, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("%s: cannot write %s: a folder has that name"), item->name, output_name);
      return NULL;
    }

  if (info != NULL && self->existing == TESSERA_BATCH_EXISTING_SKIP)
    {
      *skip = TRUE;
      return g_steal_pointer (&output);
    }

  if (info != NULL && self->existing != TESSERA_BATCH_EXISTING_REPLACE_EVEN_INPUT)
    {
      if (tessera_image_is_same_file (output, item->file))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                       _("%s: the output would replace the image itself; choose another name pattern or output folder"),
                       item->name);
          return NULL;
        }
      if (self->existing == TESSERA_BATCH_EXISTING_FAIL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s: %s already exists"), item->name, output_name);
          return NULL;
        }
    }

  /* An output folder holds a folder's subfolders again. */
  folder = g_file_get_parent (output);
  if (!g_file_make_directory_with_parents (folder, NULL, &local_error) &&
      !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("%s: cannot create its output folder: "), item->name);
      return NULL;
    }

  return g_steal_pointer (&output);
}

/* One item's run, from its load to its save. */
typedef struct
{
  TesseraBatchItem      *item;
  GFile                 *output;
  TesseraUpscaleOptions *options;   /* those at its start: later ones wait for the next item */
  TesseraBatchRedraw     redraw;
  TesseraCheckpoint     *checkpoint;
  TesseraRedrawOptions  *redraw_options;
  TesseraMediaOptions   *media_options;
  gboolean               keep_metadata;
  TesseraProgressFunc    progress;
  gpointer               progress_data;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  g_object_unref (run->item);
  g_object_unref (run->output);
  g_object_unref (run->options);
  g_clear_object (&run->checkpoint);
  g_clear_object (&run->redraw_options);
  tessera_media_options_free (run->media_options);
  g_free (run);
}

static void
report (Run        *run,
        double      fraction,
        const char *text)
{
  tessera_batch_item_set_progress (run->item, fraction);
  tessera_batch_item_set_progress_text (run->item, text);
  if (run->progress != NULL)
    run->progress (fraction, text, run->progress_data);
}

/* The end of @task's run: paused or cancelled, its item waits again. */
static void
finish_run (GTask        *task,
            const GError *error)
{
  TesseraBatch *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  if (error == NULL)
    {
      tessera_batch_item_set_progress (run->item, 1.0);
      set_item_status (self, run->item, TESSERA_BATCH_ITEM_DONE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      tessera_batch_item_set_output (run->item, NULL);
      tessera_batch_item_set_progress (run->item, 0.0);
      set_item_status (self, run->item, TESSERA_BATCH_ITEM_WAITING);
    }
  else
    fail_item (self, run->item, error);

  g_task_return_error (task, g_error_copy (error));
}

/* The engine knows pixels, not files: its errors get the item's name. */
static void
finish_run_with_engine_error (GTask   *task,
                              GError **error)
{
  Run *run = g_task_get_task_data (task);

  g_prefix_error (error, "%s: ", run->item->name);
  finish_run (task, *error);
}

static void
on_save_progress (double      fraction,
                  const char *text,
                  gpointer    user_data)
{
  report (user_data, UPSCALED + fraction * (1.0 - UPSCALED), text);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  tessera_image_save_finish (TESSERA_IMAGE (object), result, &error);
  finish_run (task, error);
}

static void
save_output (GTask        *task,
             TesseraImage *output)
{
  Run *run = g_task_get_task_data (task);

  run->item->output_width = tessera_image_get_width (output);
  run->item->output_height = tessera_image_get_height (output);
  if (!run->keep_metadata)
    tessera_image_strip_metadata (output);
  if (tessera_upscale_options_get_bit_depth (run->options) != 0)
    tessera_image_set_bit_depth (output, tessera_upscale_options_get_bit_depth (run->options));

  report (run, UPSCALED, _("Saving"));
  tessera_image_save_async (output, run->output,
                            tessera_upscale_options_get_format (run->options),
                            tessera_upscale_options_get_quality (run->options),
                            g_task_get_cancellable (task), on_save_progress, run,
                            on_saved, g_object_ref (task));
}

static void
on_redraw_progress (double      fraction,
                    const char *text,
                    gpointer    user_data)
{
  Run *run = user_data;
  double start = run->redraw == TESSERA_BATCH_REDRAW_AFTER_UPSCALE ? BEFORE_REDRAW : LOADED;

  report (run, start + fraction * (UPSCALED - start), text);
}

static void
on_redrawn (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  output = tessera_engine_redraw_finish (TESSERA_ENGINE (object), result, &error);
  if (output == NULL)
    {
      finish_run_with_engine_error (task, &error);
      return;
    }

  save_output (task, output);
}

static void
redraw (GTask        *task,
        TesseraImage *input)
{
  TesseraBatch *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  tessera_engine_redraw_async (self->engine, input, run->checkpoint, run->redraw_options,
                               g_task_get_cancellable (task), on_redraw_progress, NULL, run,
                               on_redrawn, g_object_ref (task));
}

static void
on_upscale_progress (double      fraction,
                     const char *text,
                     gpointer    user_data)
{
  Run *run = user_data;
  double end = run->redraw == TESSERA_BATCH_REDRAW_AFTER_UPSCALE ? BEFORE_REDRAW : UPSCALED;

  report (run, LOADED + fraction * (end - LOADED), text);
}

static void
on_upscaled (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  output = tessera_engine_upscale_finish (TESSERA_ENGINE (object), result, &error);
  if (output == NULL)
    {
      finish_run_with_engine_error (task, &error);
      return;
    }

  if (run->redraw == TESSERA_BATCH_REDRAW_AFTER_UPSCALE)
    redraw (task, output);
  else
    save_output (task, output);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TesseraBatch *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(GError) error = NULL;

  input = tessera_image_new_from_file_finish (result, &error);
  if (input == NULL)
    {
      finish_run (task, error);
      return;
    }

  run->item->input_width = tessera_image_get_width (input);
  run->item->input_height = tessera_image_get_height (input);
  /* The upscale's and the redraw's own reports name their steps. */
  tessera_batch_item_set_progress (run->item, LOADED);
  if (run->redraw == TESSERA_BATCH_REDRAW_ONLY)
    {
      redraw (task, input);
      return;
    }
  tessera_engine_upscale_async (self->engine, input, run->options, g_task_get_cancellable (task),
                                on_upscale_progress, NULL, run,
                                on_upscaled, g_object_ref (task));
}

static void
on_streamed (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint width, height;
  gboolean has_alpha;

  /* Its errors name the files already. */
  if (tessera_engine_upscale_file_finish (TESSERA_ENGINE (object), result, &error) &&
      tessera_image_read_size (run->item->file, &width, &height, &has_alpha))
    {
      run->item->input_width = width;
      run->item->input_height = height;
      tessera_upscale_options_compute_streamed_size (run->options, width, height, &run->item->output_width,
                                                     &run->item->output_height, NULL);
    }
  finish_run (task, error);
}

static void
on_media_upscaled (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  tessera_engine_upscale_media_finish (TESSERA_ENGINE (object), result,
                                       &run->item->output_width, &run->item->output_height, &error);
  finish_run (task, error);
}

static void
on_media_progress (double      fraction,
                   const char *text,
                   gpointer    user_data)
{
  report (user_data, fraction, text);
}

/* Frame by frame, read and written by the engine's pipeline, which
 * upscales and redraws each frame as an image's run would. */
static void
run_media (GTask *task)
{
  TesseraBatch *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(TesseraMediaReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = tessera_media_reader_new (run->item->file, &error);
  if (reader == NULL)
    {
      finish_run (task, error);
      g_object_unref (task);
      return;
    }
  run->item->input_width = tessera_media_reader_get_width (reader);
  run->item->input_height = tessera_media_reader_get_height (reader);

  tessera_engine_process_media_async (self->engine, run->item->file, run->output,
                                      run->redraw == TESSERA_BATCH_REDRAW_ONLY ? NULL : run->options,
                                      run->checkpoint, run->redraw_options, run->media_options,
                                      g_task_get_cancellable (task), on_media_progress, run,
                                      on_media_upscaled, task);
}

/**
 * tessera_batch_run_item_async:
 * @item: a waiting item of the batch
 * @cancellable: (nullable): a #GCancellable; cancelled, the item waits again
 * @progress: (nullable) (scope notified): called in the thread-default
 *   main context as the item is loaded, upscaled and saved, with its
 *   progress from 0 to 1; never after @callback
 * @progress_data: data for @progress
 * @callback: called once the item is done, skipped, failed or waiting
 *   again
 * @user_data: data for @callback
 *
 * Runs one item with the batch's options, for a caller with its own loop;
 * the item's status and progress follow. Its output is chosen and checked
 * at once, so the item may be settled (skipped or failed) on return.
 * Not to be mixed with tessera_batch_start().
 */
void
tessera_batch_run_item_async (TesseraBatch        *self,
                              TesseraBatchItem    *item,
                              GCancellable        *cancellable,
                              TesseraProgressFunc  progress,
                              gpointer             progress_data,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) output = NULL;
  g_autoptr(GError) error = NULL;
  gboolean skip;
  Run *run;

  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (TESSERA_IS_BATCH_ITEM (item));
  g_return_if_fail (item->status == TESSERA_BATCH_ITEM_WAITING);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_batch_run_item_async);
  /* The result says what became of the item, cancelled late or not. */
  g_task_set_check_cancellable (task, FALSE);

  item->kind = tessera_media_probe (item->file);
  output = prepare_output (self, item, &skip, &error);
  if (output == NULL)
    {
      fail_item (self, item, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (skip)
    {
      tessera_batch_item_set_output (item, output);
      set_item_status (self, item, TESSERA_BATCH_ITEM_SKIPPED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  run = g_new0 (Run, 1);
  run->item = g_object_ref (item);
  run->output = g_object_ref (output);
  run->options = g_object_ref (self->options);
  run->redraw = self->redraw;
  if (self->redraw != TESSERA_BATCH_REDRAW_NONE)
    {
      run->checkpoint = g_object_ref (self->checkpoint);
      run->redraw_options = g_object_ref (self->redraw_options);
    }
  run->keep_metadata = self->keep_metadata;
  run->media_options = self->media_options != NULL ? tessera_media_options_copy (self->media_options)
                                                   : tessera_media_options_new ();
  run->progress = progress;
  run->progress_data = progress_data;
  g_task_set_task_data (task, run, run_free);

  tessera_batch_item_set_error (item, NULL);
  tessera_batch_item_set_output (item, output);
  item->input_width = item->input_height = item->output_width = item->output_height = 0;
  set_item_status (self, item, TESSERA_BATCH_ITEM_RUNNING);
  report (run, 0.0, _("Loading"));

  if (item->kind != TESSERA_MEDIA_KIND_STILL)
    {
      run_media (g_steal_pointer (&task));
      return;
    }

  /* Too large for memory: straight from file to file, band by band. */
  if (run->redraw == TESSERA_BATCH_REDRAW_NONE &&
      tessera_engine_upscale_needs_stream (self->engine, item->file, run->options))
    {
      tessera_engine_upscale_file_async_full (self->engine, item->file, output, run->options, run->keep_metadata,
                                              cancellable, on_upscale_progress, run, on_streamed,
                                              g_steal_pointer (&task));
      return;
    }

  tessera_image_new_from_file_async (item->file, cancellable, on_loaded, g_steal_pointer (&task));
}

/**
 * tessera_batch_run_item_finish:
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the item is done or skipped; %FALSE with @error set
 *   when it failed, or is waiting again after a cancellation
 *   (%G_IO_ERROR_CANCELLED)
 */
gboolean
tessera_batch_run_item_finish (TesseraBatch  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void start_next (TesseraBatch *self);

static void
on_queue_item_run (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TesseraBatch) self = user_data;

  tessera_batch_run_item_finish (self, result, NULL);
  g_clear_object (&self->cancellable);
  start_next (self);
}

/* Runs the first waiting item, unless one runs already; a skipped or
 * failed one settles through its callback as well, so a long run of them
 * is a loop through the main context, not a recursion. */
static void
start_next (TesseraBatch *self)
{
  TesseraBatchItem *item;

  if (self->state != TESSERA_BATCH_RUNNING || self->cancellable != NULL)
    return;

  item = g_queue_peek_head (&self->waiting);
  if (item == NULL)
    {
      set_state (self, TESSERA_BATCH_IDLE);
      g_signal_emit (self, signals[FINISHED], 0);
      return;
    }

  self->cancellable = g_cancellable_new ();
  tessera_batch_run_item_async (self, item, self->cancellable, NULL, NULL, on_queue_item_run, g_object_ref (self));
}

static void
tessera_batch_dispose (GObject *object)
{
  TesseraBatch *self = TESSERA_BATCH (object);

  g_queue_clear_full (&self->waiting, g_object_unref);
  g_clear_pointer (&self->waiting_files, g_hash_table_unref);
  g_clear_object (&self->items);
  g_clear_object (&self->engine);
  g_clear_object (&self->options);
  g_clear_object (&self->checkpoint);
  g_clear_object (&self->redraw_options);
  g_clear_object (&self->output_folder);

  G_OBJECT_CLASS (tessera_batch_parent_class)->dispose (object);
}

static void
tessera_batch_finalize (GObject *object)
{
  TesseraBatch *self = TESSERA_BATCH (object);

  g_free (self->upscaler_label);
  g_free (self->name_pattern);
  tessera_media_options_free (self->media_options);

  G_OBJECT_CLASS (tessera_batch_parent_class)->finalize (object);
}

static void
tessera_batch_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TesseraBatch *self = TESSERA_BATCH (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_N_DONE:
      g_value_set_uint (value, self->counts[TESSERA_BATCH_ITEM_DONE]);
      break;
    case PROP_N_FAILED:
      g_value_set_uint (value, self->counts[TESSERA_BATCH_ITEM_FAILED]);
      break;
    case PROP_N_SKIPPED:
      g_value_set_uint (value, self->counts[TESSERA_BATCH_ITEM_SKIPPED]);
      break;
    case PROP_N_WAITING:
      g_value_set_uint (value, self->counts[TESSERA_BATCH_ITEM_WAITING]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_batch_class_init (TesseraBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tessera_batch_dispose;
  object_class->finalize = tessera_batch_finalize;
  object_class->get_property = tessera_batch_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TESSERA_TYPE_BATCH_STATE, TESSERA_BATCH_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_DONE] =
    g_param_spec_uint ("n-done", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_FAILED] =
    g_param_spec_uint ("n-failed", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_SKIPPED] =
    g_param_spec_uint ("n-skipped", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_WAITING] =
    g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraBatch::finished:
   *
   * The queue has run out of waiting items; not emitted on pause or cancel.
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tessera_batch_init (TesseraBatch *self)
{
  self->items = g_list_store_new (TESSERA_TYPE_BATCH_ITEM);
  g_queue_init (&self->waiting);
  self->waiting_files = g_hash_table_new (g_file_hash, (GEqualFunc) g_file_equal);
  self->options = tessera_upscale_options_new ();
  self->existing = TESSERA_BATCH_EXISTING_FAIL;
  self->keep_metadata = TRUE;
}

/**
 * tessera_batch_new:
 * @engine: the engine that upscales
 *
 * A batch keeps itself alive while an item runs: cancel it before letting
 * it go.
 *
 * Returns: (transfer full): an empty batch, idle
 */
TesseraBatch *
tessera_batch_new (TesseraEngine *engine)
{
  TesseraBatch *self;

  g_return_val_if_fail (TESSERA_IS_ENGINE (engine), NULL);

  self = g_object_new (TESSERA_TYPE_BATCH, NULL);
  self->engine = g_object_ref (engine);
  return self;
}

/**
 * tessera_batch_get_items:
 *
 * Returns: (transfer none): the #TesseraBatchItem of each image, in the
 *   order added
 */
GListModel *
tessera_batch_get_items (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), NULL);

  return G_LIST_MODEL (self->items);
}

/* Adding an image that is already waiting would upscale it twice. */
static void
add_item (TesseraBatch *self,
          GFile        *file,
          const char   *relative,
          GFile        *fixed_output)
{
  TesseraBatchItem *item;

  if (g_hash_table_contains (self->waiting_files, file))
    return;

  item = tessera_batch_item_new (file, relative, fixed_output);
  g_queue_push_tail (&self->waiting, item);
  g_hash_table_insert (self->waiting_files, item->file, item);
  self->counts[TESSERA_BATCH_ITEM_WAITING]++;
  g_list_store_append (self->items, item);
  notify_count (self, TESSERA_BATCH_ITEM_WAITING);
}

/**
 * tessera_batch_add_file:
 * @file: an image
 *
 * Queues @file, unless it is waiting already. While the batch runs, it
 * joins the queue. Its output goes beside it, or into the output folder.
 */
void
tessera_batch_add_file (TesseraBatch *self,
                        GFile        *file)
{
  g_autofree char *basename = NULL;

  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (G_IS_FILE (file));

  basename = g_file_get_basename (file);
  add_item (self, file, basename, NULL);
}

/**
 * tessera_batch_add_file_with_output:
 * @file: an image
 * @output: where its result goes, whatever the output folder and name
 *   pattern
 *
 * As tessera_batch_add_file(), for a result named by the user.
 */
void
tessera_batch_add_file_with_output (TesseraBatch *self,
                                    GFile        *file,
                                    GFile        *output)
{
  g_autofree char *basename = NULL;

  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (G_IS_FILE (output));

  basename = g_file_get_basename (file);
  add_item (self, file, basename, output);
}

/**
 * tessera_batch_add_folder:
 * @folder: a folder
 * @recursive: whether to look in its subfolders too
 * @error: return location for a #GError
 *
 * Queues the images, animations and videos in @folder (see
 * tessera_media_list_folder()), in name order and leaving hidden files
 * out. With an output folder, their outputs go into the same subfolders
 * there.
 *
 * Returns: %TRUE when it had images to add
 */
gboolean
tessera_batch_add_folder (TesseraBatch  *self,
                          GFile         *folder,
                          gboolean       recursive,
                          GError       **error)
{
  g_autoptr(GPtrArray) images = NULL;

  g_return_val_if_fail (TESSERA_IS_BATCH (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (folder), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  images = tessera_media_list_folder (folder, recursive, error);
  if (images == NULL)
    return FALSE;

  if (images->len == 0)
    {
      g_autofree char *name = tessera_file_dup_display_name (folder);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   recursive ? _("%s: no images in it or below it") : _("%s: no images in it"), name);
      return FALSE;
    }

  for (guint i = 0; i < images->len; i++)
    {
      const char *relative = g_ptr_array_index (images, i);
      g_autoptr(GFile) file = g_file_resolve_relative_path (folder, relative);

      add_item (self, file, relative, NULL);
    }
  return TRUE;
}

static gboolean
is_finished (TesseraBatchItem *item)
{
  return item->status == TESSERA_BATCH_ITEM_DONE ||
         item->status == TESSERA_BATCH_ITEM_SKIPPED ||
         item->status == TESSERA_BATCH_ITEM_FAILED;
}

/**
 * tessera_batch_remove_finished:
 *
 * Drops the items that are done, skipped or failed.
 */
void
tessera_batch_remove_finished (TesseraBatch *self)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items;

  g_return_if_fail (TESSERA_IS_BATCH (self));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraBatchItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (is_finished (item))
        self->counts[item->status]--;
      else
        g_ptr_array_add (kept, g_steal_pointer (&item));
    }

  if (kept->len == n_items)
    return;

  /* One change for the list's views, however many go. */
  g_list_store_splice (self->items, 0, n_items, kept->pdata, kept->len);
  notify_count (self, TESSERA_BATCH_ITEM_DONE);
  notify_count (self, TESSERA_BATCH_ITEM_SKIPPED);
  notify_count (self, TESSERA_BATCH_ITEM_FAILED);
}

/**
 * tessera_batch_set_options:
 * @options: how to upscale, and the output's format and quality
 *
 * Copies @options; the item in progress keeps the earlier ones.
 */
void
tessera_batch_set_options (TesseraBatch          *self,
                           TesseraUpscaleOptions *options)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (options));

  g_clear_object (&self->options);
  self->options = tessera_upscale_options_copy (options);
}

/**
 * tessera_batch_set_redraw:
 * @redraw: whether items are redrawn, after their upscale or instead
 * @checkpoint: (nullable): the Stable Diffusion checkpoint; needed unless
 *   @redraw is %TESSERA_BATCH_REDRAW_NONE
 * @options: (nullable): how to redraw; copied, and needed unless @redraw
 *   is %TESSERA_BATCH_REDRAW_NONE
 *
 * Redraws the items with Stable Diffusion, as tessera_engine_redraw_async()
 * does, each written with its generation parameters. While the batch
 * runs, the checkpoint's networks stay loaded from one item to the next.
 * The item in progress keeps the earlier settings.
 */
void
tessera_batch_set_redraw (TesseraBatch         *self,
                          TesseraBatchRedraw    redraw,
                          TesseraCheckpoint    *checkpoint,
                          TesseraRedrawOptions *options)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (redraw == TESSERA_BATCH_REDRAW_NONE || TESSERA_IS_CHECKPOINT (checkpoint));
  g_return_if_fail (redraw == TESSERA_BATCH_REDRAW_NONE || TESSERA_IS_REDRAW_OPTIONS (options));

  self->redraw = redraw;
  g_clear_object (&self->checkpoint);
  g_clear_object (&self->redraw_options);
  if (redraw == TESSERA_BATCH_REDRAW_NONE)
    return;

  self->checkpoint = g_object_ref (checkpoint);
  self->redraw_options = tessera_redraw_options_copy (options);
}

/**
 * tessera_batch_set_media_options:
 * @self: a #TesseraBatch
 * @options: (nullable): how animations and videos are written back, and
 *   which of their frames; copied. %NULL for the defaults
 *
 * Items that are animations or videos are upscaled frame by frame and
 * written back as the same kind of file, their name keeping its
 * extension; these options say how.
 */
void
tessera_batch_set_media_options (TesseraBatch              *self,
                                 const TesseraMediaOptions *options)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  tessera_media_options_free (self->media_options);
  self->media_options = options != NULL ? tessera_media_options_copy (options) : NULL;
}

/**
 * tessera_batch_set_upscaler_label:
 * @label: (nullable): the upscaler as output names show it, such as a
 *   model's name; %NULL for the options' upscaler
 */
void
tessera_batch_set_upscaler_label (TesseraBatch *self,
                                  const char   *label)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  g_free (self->upscaler_label);
  self->upscaler_label = g_strdup (label);
}

/**
 * tessera_batch_set_output_folder:
 * @folder: (nullable): where outputs go, created as needed; %NULL for
 *   beside each image
 */
void
tessera_batch_set_output_folder (TesseraBatch *self,
                                 GFile        *folder)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));
  g_return_if_fail (folder == NULL || G_IS_FILE (folder));

  g_set_object (&self->output_folder, folder);
}

/**
 * tessera_batch_set_name_pattern:
 * @pattern: (nullable): the outputs' names, as
 *   tessera_upscale_options_expand_name() takes them; %NULL for
 *   %TESSERA_DEFAULT_NAME_PATTERN
 */
void
tessera_batch_set_name_pattern (TesseraBatch *self,
                                const char   *pattern)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  g_free (self->name_pattern);
  self->name_pattern = g_strdup (pattern);
}

/**
 * tessera_batch_set_existing:
 * @existing: what an item whose output exists does; by default it fails
 */
void
tessera_batch_set_existing (TesseraBatch         *self,
                            TesseraBatchExisting  existing)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  self->existing = existing;
}

/**
 * tessera_batch_set_keep_metadata:
 * @keep: whether the outputs carry their images' text chunks and ICC
 *   profile (the default)
 */
void
tessera_batch_set_keep_metadata (TesseraBatch *self,
                                 gboolean      keep)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  self->keep_metadata = !!keep;
}

/**
 * tessera_batch_check_name_pattern:
 * @error: return location for a #GError
 *
 * Whether the name pattern makes names: said once, rather than by every
 * item failing.
 *
 * Returns: %FALSE with @error set (%TESSERA_ERROR_INVALID_ARGUMENT) when
 *   it cannot
 */
gboolean
tessera_batch_check_name_pattern (TesseraBatch  *self,
                                  GError       **error)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (TESSERA_IS_BATCH (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  name = tessera_upscale_options_expand_name (self->options, get_name_pattern (self), "image.png",
                                              get_upscaler_label (self), error);
  return name != NULL;
}

/**
 * tessera_batch_start:
 * @error: return location for a #GError
 *
 * Runs the waiting items one after another; a paused batch resumes.
 *
 * Returns: %FALSE, with nothing run, when the name pattern cannot make
 *   names
 */
gboolean
tessera_batch_start (TesseraBatch  *self,
                     GError       **error)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tessera_batch_check_name_pattern (self, error))
    return FALSE;

  set_state (self, TESSERA_BATCH_RUNNING);
  start_next (self);
  return TRUE;
}

/**
 * tessera_batch_pause:
 *
 * Stops after cancelling the item in progress, which goes back to
 * waiting with nothing of it written.
 */
void
tessera_batch_pause (TesseraBatch *self)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  if (self->state != TESSERA_BATCH_RUNNING)
    return;

  set_state (self, TESSERA_BATCH_PAUSED);
  g_cancellable_cancel (self->cancellable);
}

void
tessera_batch_resume (TesseraBatch *self)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  if (self->state != TESSERA_BATCH_PAUSED)
    return;

  set_state (self, TESSERA_BATCH_RUNNING);
  start_next (self);
}

/**
 * tessera_batch_cancel:
 *
 * As tessera_batch_pause(), but the batch is idle: tessera_batch_start()
 * runs the waiting items again.
 */
void
tessera_batch_cancel (TesseraBatch *self)
{
  g_return_if_fail (TESSERA_IS_BATCH (self));

  if (self->state == TESSERA_BATCH_IDLE)
    return;

  set_state (self, TESSERA_BATCH_IDLE);
  g_cancellable_cancel (self->cancellable);
}

TesseraBatchState
tessera_batch_get_state (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), TESSERA_BATCH_IDLE);

  return self->state;
}

guint
tessera_batch_get_n_done (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), 0);

  return self->counts[TESSERA_BATCH_ITEM_DONE];
}

guint
tessera_batch_get_n_failed (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), 0);

  return self->counts[TESSERA_BATCH_ITEM_FAILED];
}

guint
tessera_batch_get_n_skipped (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), 0);

  return self->counts[TESSERA_BATCH_ITEM_SKIPPED];
}

guint
tessera_batch_get_n_waiting (TesseraBatch *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH (self), 0);

  return self->counts[TESSERA_BATCH_ITEM_WAITING];
}
