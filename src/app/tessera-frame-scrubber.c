/* tessera-frame-scrubber.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-frame-scrubber"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "tessera-frame-scrubber.h"

/* The frames of an animation or a video, under the before/after view: a
 * scale over them with the frame's number and time, and Play. The frame
 * chosen is decoded by the engine's reader in a worker thread, and once
 * the file is upscaled, the result's frame too, so that the window shows
 * the two ("decoded"). Readers only go forward: a later frame is read on
 * from where the reader stopped, an earlier one from the start. While a
 * frame decodes, moving the scale only changes which frame comes next. */

/* A file's frames, read by one worker thread at a time. */
typedef struct
{
  GMutex              lock;
  GFile              *file;
  TesseraMediaReader *reader;      /* NULL until a frame is asked for again */
  guint               next_index;  /* of the frame the reader gives next */
  guint               n_read;      /* the frames there are, once the end was seen */
} FrameSource;

static void
frame_source_clear (gpointer data)
{
  FrameSource *source = data;

  g_mutex_clear (&source->lock);
  g_object_unref (source->file);
  g_clear_object (&source->reader);
}

/* @reader, when given, has read @next_index frames of @file. */
static FrameSource *
frame_source_new (GFile              *file,
                  TesseraMediaReader *reader,
                  guint               next_index)
{
  FrameSource *source = g_atomic_rc_box_new0 (FrameSource);

  g_mutex_init (&source->lock);
  source->file = g_object_ref (file);
  source->reader = reader != NULL ? g_object_ref (reader) : NULL;
  source->next_index = reader != NULL ? next_index : 0;
  return source;
}

static FrameSource *
frame_source_ref (FrameSource *source)
{
  return g_atomic_rc_box_acquire (source);
}

static void
frame_source_unref (FrameSource *source)
{
  g_atomic_rc_box_release_full (source, frame_source_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FrameSource, frame_source_unref)

static guint
frame_source_get_n_read (FrameSource *source)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&source->lock);

  return source->n_read;
}

/* Frame @index (from 0), or the last one when the file holds fewer than
 * its container said; @index becomes the frame read. */
static TesseraImage *
frame_source_read (FrameSource  *source,
                   guint        *index,
                   gint64       *timestamp_us,
                   gint64       *duration_us,
                   GError      **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&source->lock);
  g_autoptr(TesseraImage) image = NULL;

  if (source->n_read > 0)
    *index = MIN (*index, source->n_read - 1);
  if (source->reader == NULL || *index < source->next_index)
    {
      g_clear_object (&source->reader);
      source->reader = tessera_media_reader_new (source->file, error);
      if (source->reader == NULL)
        return NULL;
      source->next_index = 0;
    }

  while (source->next_index <= *index)
    {
      g_autoptr(GError) local_error = NULL;
      TesseraImage *next = tessera_media_reader_read_frame (source->reader, timestamp_us, duration_us,
                                                            &local_error);

      if (next == NULL)
        {
          g_clear_object (&source->reader);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          source->n_read = source->next_index;
          break;
        }
      g_clear_object (&image);
      image = next;
      source->next_index++;
    }

  if (image == NULL)
    {
      g_autofree char *name = g_file_get_basename (source->file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT, _("%s: no frames in it"), name);
      return NULL;
    }
  *index = source->next_index - 1;
  return g_steal_pointer (&image);
}

/* One frame asked of the worker: the file's and the result's. */
typedef struct
{
  FrameSource  *source;
  FrameSource  *result;          /* NULL before an upscale */
  guint         index;           /* asked for, then read */
  gint64        started;         /* in µs, for Play */
  TesseraImage *image;
  TesseraImage *result_image;
  gint64        timestamp_us;
  gint64        duration_us;
  guint         n_read;          /* the frames there are, when the end was seen */
} Decode;

static void
decode_free (Decode *decode)
{
  frame_source_unref (decode->source);
  g_clear_pointer (&decode->result, frame_source_unref);
  g_clear_object (&decode->image);
  g_clear_object (&decode->result_image);
  g_free (decode);
}

static void
decode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Decode *decode = task_data;
  GError *error = NULL;

  decode->image = frame_source_read (decode->source, &decode->index, &decode->timestamp_us, &decode->duration_us,
                                     &error);
  if (decode->image != NULL && decode->result != NULL)
    {
      guint index = decode->index;

      decode->result_image = frame_source_read (decode->result, &index, NULL, NULL, &error);
    }
  decode->n_read = frame_source_get_n_read (decode->source);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

struct _TesseraFrameScrubber
{
  AdwBin           parent_instance;

  GtkAdjustment   *adjustment;
  GtkLabel        *position_label;
  GtkToggleButton *play_button;

  FrameSource     *source;         /* NULL when no animation is shown */
  FrameSource     *result;
  guint            n_frames;
  double           frame_rate;     /* a video's; 0 for an animation */
  guint            frame;          /* chosen, from 0 */
  guint            shown;          /* the frame of image */
  TesseraImage    *image;
  TesseraImage    *result_image;
  gint64           timestamp_us;
  gint64           duration_us;
  GCancellable    *decoding;       /* the decode under way */
  gboolean         stale;          /* what it decodes is no longer what is wanted */
  gboolean         playing;
  guint            play_timeout;
};

G_DEFINE_FINAL_TYPE (TesseraFrameScrubber, tessera_frame_scrubber, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_N_FRAMES,
  PROP_FRAME,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DECODED,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_decode (TesseraFrameScrubber *self);

/* 1:02.50 */
static char *
format_time (gint64 microseconds)
{
  gint64 centiseconds = MAX (microseconds, 0) / 10000;

  return g_strdup_printf ("%u:%02u.%02u", (guint) (centiseconds / 6000), (guint) (centiseconds / 100 % 60),
                          (guint) (centiseconds % 100));
}

/* The frame's time is the decoded frame's own, or for a video before it
 * decodes, the frame rate's guess. */
static void
update_label (TesseraFrameScrubber *self)
{
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;

  if (self->shown == self->frame && self->image != NULL)
    time = format_time (self->timestamp_us);
  else if (self->frame_rate > 0)
    time = format_time ((gint64) (self->frame * G_USEC_PER_SEC / self->frame_rate));

  if (time != NULL)
    /* TRANSLATORS: the frame chosen of an animation or a video, then its time, such as 0:01.25 */
    text = g_strdup_printf (_("Frame %u of %u · %s"), self->frame + 1, self->n_frames, time);
  else
    text = g_strdup_printf (_("Frame %u of %u"), self->frame + 1, self->n_frames);
  gtk_label_set_label (self->position_label, text);
}

static void
set_n_frames (TesseraFrameScrubber *self,
              guint                 n_frames)
{
  n_frames = MAX (n_frames, 1);
  if (self->n_frames == n_frames)
    return;
  self->n_frames = n_frames;
  gtk_adjustment_set_upper (self->adjustment, n_frames);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FRAMES]);
}

static void
stop_play_timeout (TesseraFrameScrubber *self)
{
  g_clear_handle_id (&self->play_timeout, g_source_remove);
}

static gboolean
tessera_frame_scrubber_play_next_cb (gpointer user_data)
{
  TesseraFrameScrubber *self = user_data;

  self->play_timeout = 0;
  tessera_frame_scrubber_set_frame (self, (self->frame + 1) % self->n_frames);
  return G_SOURCE_REMOVE;
}

/* The next frame comes when this one has shown for its duration, counted
 * from when its decoding began. */
static void
schedule_next_frame (TesseraFrameScrubber *self,
                     gint64                started)
{
  gint64 duration = self->duration_us;
  gint64 wait;

  if (duration <= 0)
    duration = self->frame_rate > 0 ? (gint64) (G_USEC_PER_SEC / self->frame_rate) : 100000;
  wait = MAX (duration - (g_get_monotonic_time () - started), 0);
  stop_play_timeout (self);
  self->play_timeout = g_timeout_add ((guint) (wait / 1000), tessera_frame_scrubber_play_next_cb, self);
}

static void
tessera_frame_scrubber_decoded_cb (GObject      *object,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(TesseraFrameScrubber) self = user_data;
  Decode *decode = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* A decode of files since replaced is dropped. */
  if (g_task_get_cancellable (G_TASK (result)) != self->decoding)
    return;
  g_clear_object (&self->decoding);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->stale = FALSE;
      tessera_frame_scrubber_set_playing (self, FALSE);
      g_signal_emit (self, signals[FAILED], 0, error->message);
      return;
    }

  if (decode->n_read > 0)
    set_n_frames (self, decode->n_read);
  g_set_object (&self->image, decode->image);
  g_set_object (&self->result_image, decode->result_image);
  self->shown = decode->index;
  self->timestamp_us = decode->timestamp_us;
  self->duration_us = decode->duration_us;
  if (self->frame >= self->n_frames)
    tessera_frame_scrubber_set_frame (self, self->shown);
  update_label (self);
  g_signal_emit (self, signals[DECODED], 0);

  if (self->stale || self->shown != self->frame)
    start_decode (self);
  else if (self->playing && self->n_frames > 1)
    schedule_next_frame (self, decode->started);
}

static void
start_decode (TesseraFrameScrubber *self)
{
  g_autoptr(GTask) task = NULL;
  Decode *decode;

  if (self->source == NULL)
    return;
  if (self->decoding != NULL)
    {
      self->stale = TRUE;
      return;
    }

  self->stale = FALSE;
  self->decoding = g_cancellable_new ();
  decode = g_new0 (Decode, 1);
  decode->source = frame_source_ref (self->source);
  decode->result = self->result != NULL ? frame_source_ref (self->result) : NULL;
  decode->index = self->frame;
  decode->started = g_get_monotonic_time ();

  task = g_task_new (NULL, self->decoding, tessera_frame_scrubber_decoded_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_decode);
  g_task_set_task_data (task, decode, (GDestroyNotify) decode_free);
  g_task_run_in_thread (task, decode_thread);
}

static void
tessera_frame_scrubber_value_changed_cb (TesseraFrameScrubber *self)
{
  double value = round (gtk_adjustment_get_value (self->adjustment));

  tessera_frame_scrubber_set_frame (self, (guint) MAX (value, 1.0) - 1);
}

static void
tessera_frame_scrubber_play_toggled_cb (TesseraFrameScrubber *self)
{
  tessera_frame_scrubber_set_playing (self, gtk_toggle_button_get_active (self->play_button));
}

static void
tessera_frame_scrubber_dispose (GObject *object)
{
  TesseraFrameScrubber *self = TESSERA_FRAME_SCRUBBER (object);

  /* a decode under way finds itself dropped */
  g_clear_object (&self->decoding);
  stop_play_timeout (self);
  g_clear_pointer (&self->source, frame_source_unref);
  g_clear_pointer (&self->result, frame_source_unref);
  g_clear_object (&self->image);
  g_clear_object (&self->result_image);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_FRAME_SCRUBBER);

  G_OBJECT_CLASS (tessera_frame_scrubber_parent_class)->dispose (object);
}

static void
tessera_frame_scrubber_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TesseraFrameScrubber *self = TESSERA_FRAME_SCRUBBER (object);

  switch (prop_id)
    {
    case PROP_N_FRAMES:
      g_value_set_uint (value, self->n_frames);
      break;
    case PROP_FRAME:
      g_value_set_uint (value, self->frame);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_frame_scrubber_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TesseraFrameScrubber *self = TESSERA_FRAME_SCRUBBER (object);

  switch (prop_id)
    {
    case PROP_FRAME:
      tessera_frame_scrubber_set_frame (self, g_value_get_uint (value));
      break;
    case PROP_PLAYING:
      tessera_frame_scrubber_set_playing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_frame_scrubber_class_init (TesseraFrameScrubberClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_frame_scrubber_dispose;
  object_class->get_property = tessera_frame_scrubber_get_property;
  object_class->set_property = tessera_frame_scrubber_set_property;

  /* How many frames the file holds, as its container says until the end
   * is read. */
  properties[PROP_N_FRAMES] =
    g_param_spec_uint ("n-frames", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The frame chosen, from 0. */
  properties[PROP_FRAME] =
    g_param_spec_uint ("frame", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether the frames follow each other at their own pace. */
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraFrameScrubber::decoded:
   *
   * The chosen frame is decoded: tessera_frame_scrubber_get_image() and
   * tessera_frame_scrubber_get_result() have it.
   */
  signals[DECODED] = g_signal_new ("decoded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
  /**
   * TesseraFrameScrubber::failed:
   * @message: what went wrong, naming the file
   *
   * A frame could not be decoded.
   */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-frame-scrubber.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraFrameScrubber, adjustment);
  gtk_widget_class_bind_template_child (widget_class, TesseraFrameScrubber, position_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraFrameScrubber, play_button);
  gtk_widget_class_bind_template_callback (widget_class, tessera_frame_scrubber_value_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_frame_scrubber_play_toggled_cb);
}

static void
tessera_frame_scrubber_init (TesseraFrameScrubber *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tessera_frame_scrubber_set_media:
 * @file: an animation or a video
 * @reader: a reader of @file that has read its first frame
 * @first_frame: that frame
 * @first_timestamp_us: when it shows
 * @first_duration_us: how long it shows, or 0 when unknown
 *
 * Shows the frames of @file, the first one chosen; the reader goes on
 * from there in the worker threads.
 */
void
tessera_frame_scrubber_set_media (TesseraFrameScrubber *self,
                                  GFile                *file,
                                  TesseraMediaReader   *reader,
                                  TesseraImage         *first_frame,
                                  gint64                first_timestamp_us,
                                  gint64                first_duration_us)
{
  guint n_frames;

  g_return_if_fail (TESSERA_IS_FRAME_SCRUBBER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (TESSERA_IS_MEDIA_READER (reader));
  g_return_if_fail (TESSERA_IS_IMAGE (first_frame));

  tessera_frame_scrubber_clear (self);
  self->source = frame_source_new (file, reader, 1);
  self->frame_rate = tessera_media_reader_get_frame_rate (reader);
  n_frames = tessera_media_reader_get_n_frames (reader);
  /* Matroska and WebM keep no count: their length at their rate says it. */
  if (n_frames == 0 && self->frame_rate > 0)
    n_frames = (guint) round (tessera_media_reader_get_duration (reader) * self->frame_rate / G_USEC_PER_SEC);
  set_n_frames (self, n_frames);
  self->image = g_object_ref (first_frame);
  self->shown = 0;
  self->timestamp_us = first_timestamp_us;
  self->duration_us = first_duration_us;
  update_label (self);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
}

/**
 * tessera_frame_scrubber_clear:
 *
 * Forgets the file, stops playing and hides, for a still image.
 */
void
tessera_frame_scrubber_clear (TesseraFrameScrubber *self)
{
  g_return_if_fail (TESSERA_IS_FRAME_SCRUBBER (self));

  if (self->decoding != NULL)
    g_cancellable_cancel (self->decoding);
  g_clear_object (&self->decoding);
  self->stale = FALSE;
  tessera_frame_scrubber_set_playing (self, FALSE);
  g_clear_pointer (&self->source, frame_source_unref);
  g_clear_pointer (&self->result, frame_source_unref);
  g_clear_object (&self->image);
  g_clear_object (&self->result_image);
  self->frame_rate = 0;
  self->timestamp_us = self->duration_us = 0;
  tessera_frame_scrubber_set_frame (self, 0);
  set_n_frames (self, 1);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/**
 * tessera_frame_scrubber_set_result:
 * @result: (nullable): the file upscaled, frame for frame
 *
 * Decodes the chosen frame of @result along with the file's from now on.
 */
void
tessera_frame_scrubber_set_result (TesseraFrameScrubber *self,
                                   GFile                *result)
{
  g_return_if_fail (TESSERA_IS_FRAME_SCRUBBER (self));
  g_return_if_fail (result == NULL || G_IS_FILE (result));

  g_clear_pointer (&self->result, frame_source_unref);
  g_clear_object (&self->result_image);
  if (result == NULL || self->source == NULL)
    return;
  self->result = frame_source_new (result, NULL, 0);
  start_decode (self);
}

guint
tessera_frame_scrubber_get_n_frames (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), 0);

  return self->source != NULL ? self->n_frames : 0;
}

guint
tessera_frame_scrubber_get_frame (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), 0);

  return self->frame;
}

/**
 * tessera_frame_scrubber_set_frame:
 * @frame: from 0
 *
 * Chooses @frame; it decodes in a worker thread, and "decoded" says
 * when it is there.
 */
void
tessera_frame_scrubber_set_frame (TesseraFrameScrubber *self,
                                  guint                 frame)
{
  g_return_if_fail (TESSERA_IS_FRAME_SCRUBBER (self));

  frame = MIN (frame, MAX (self->n_frames, 1) - 1);
  if (self->frame != frame)
    {
      self->frame = frame;
      update_label (self);
      start_decode (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);
    }
  /* the scale's own move comes back here with nothing to do */
  if (round (gtk_adjustment_get_value (self->adjustment)) != frame + 1)
    gtk_adjustment_set_value (self->adjustment, frame + 1);
}

/**
 * tessera_frame_scrubber_get_shown:
 *
 * Returns: the frame that tessera_frame_scrubber_get_image() is of
 */
guint
tessera_frame_scrubber_get_shown (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), 0);

  return self->shown;
}

/**
 * tessera_frame_scrubber_get_image:
 *
 * Returns: (transfer none) (nullable): the last frame decoded
 */
TesseraImage *
tessera_frame_scrubber_get_image (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), NULL);

  return self->image;
}

/**
 * tessera_frame_scrubber_get_result:
 *
 * Returns: (transfer none) (nullable): the same frame of the result,
 *   once there is one
 */
TesseraImage *
tessera_frame_scrubber_get_result (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), NULL);

  return self->result_image;
}

gboolean
tessera_frame_scrubber_get_playing (TesseraFrameScrubber *self)
{
  g_return_val_if_fail (TESSERA_IS_FRAME_SCRUBBER (self), FALSE);

  return self->playing;
}

void
tessera_frame_scrubber_set_playing (TesseraFrameScrubber *self,
                                    gboolean              playing)
{
  g_return_if_fail (TESSERA_IS_FRAME_SCRUBBER (self));

  playing = !!playing && self->source != NULL;
  if (self->playing == playing)
    return;
  self->playing = playing;

  gtk_toggle_button_set_active (self->play_button, playing);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
  stop_play_timeout (self);
  if (playing && self->decoding == NULL && self->n_frames > 1)
    schedule_next_frame (self, g_get_monotonic_time ());
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}
