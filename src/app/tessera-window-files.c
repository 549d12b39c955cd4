/* tessera-window-files.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tessera-window-private.h"

/* The window's files: images opened, results saved where the settings
 * say and named as they say, and model files checked and copied into
 * the user's model folder. An animation or a video opens by its first
 * frame; its upscaled whole waits in the cache until Save copies it out,
 * or converts it to the container the user picks. */

/* Opening. */

typedef struct
{
  TesseraWindow      *window;
  GFile              *file;
  TesseraMediaReader *reader;      /* an animation's or a video's */
  TesseraImage       *first_frame;
  gint64              timestamp_us;
  gint64              duration_us;
} Load;

static void
load_free (Load *load)
{
  g_object_unref (load->window);
  g_object_unref (load->file);
  g_clear_object (&load->reader);
  g_clear_object (&load->first_frame);
  g_free (load);
}

static void
tessera_window_image_loaded_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  Load *load = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = tessera_image_new_from_file_finish (result, &error);

  if (image == NULL)
    _tessera_window_show_error (load->window, _("Could Not Open the Image"), error->message);
  else
    _tessera_window_show_input (load->window, image, load->file);
  load_free (load);
}

/* In a worker thread: whether the file has frames, and if so, its first. */
static void
probe_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  if (tessera_media_probe (load->file) == TESSERA_MEDIA_KIND_STILL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  load->reader = tessera_media_reader_new (load->file, &error);
  if (load->reader != NULL)
    load->first_frame = tessera_media_reader_read_frame (load->reader, &load->timestamp_us, &load->duration_us,
                                                         &error);
  if (load->first_frame == NULL && error == NULL)
    {
      g_autofree char *name = g_file_get_basename (load->file);

      g_set_error (&error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT, _("%s: no frames in it"), name);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
tessera_window_probed_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _tessera_window_show_error (load->window, _("Could Not Open the File"), error->message);
      load_free (load);
      return;
    }
  if (load->first_frame == NULL)
    {
      tessera_image_new_from_file_async (load->file, NULL, tessera_window_image_loaded_cb, load);
      return;
    }

  _tessera_window_show_input (load->window, load->first_frame, load->file);
  _tessera_window_show_media (load->window, load->reader, load->first_frame, load->timestamp_us, load->duration_us);
  load_free (load);
}

void
tessera_window_open (TesseraWindow *self,
                     GFile         *file)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load = g_new0 (Load, 1);
  load->window = g_object_ref (self);
  load->file = g_object_ref (file);
  task = g_task_new (NULL, NULL, tessera_window_probed_cb, NULL);
  g_task_set_source_tag (task, tessera_window_open);
  /* freed by the callback, or by the image's loading after it */
  g_task_set_task_data (task, load, NULL);
  g_task_run_in_thread (task, probe_thread);
}

/* The containers of animations and videos that Save writes. */
typedef struct
{
  const char *name;        /* for the Save dialog's filter */
  const char *extension;
  const char *mime_type;
} MediaType;

static const MediaType media_types[] = {
  { N_("GIF Animation"), "gif", "image/gif" },
  { N_("Animated WebP"), "webp", "image/webp" },
  { N_("Animated PNG"), "png", "image/apng" },
  { N_("MP4 Video"), "mp4", "video/mp4" },
  { N_("Matroska Video"), "mkv", "video/x-matroska" },
  { N_("WebM Video"), "webm", "video/webm" },
};

/* The formats a still result is saved in; PNG and TIFF in 8 or 16 bits. */
static const MediaType still_types[] = {
  { N_("PNG Image"), "png", "image/png" },
  { N_("TIFF Image"), "tif", "image/tiff" },
  { N_("JPEG Image"), "jpg", "image/jpeg" },
  { N_("WebP Image"), "webp", "image/webp" },
};

static GtkFileFilter *
image_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Images, Animations and Videos"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_pixbuf_formats (filter);
  for (guint i = 0; i < G_N_ELEMENTS (media_types); i++)
    gtk_file_filter_add_mime_type (filter, media_types[i].mime_type);
  gtk_file_filter_add_mime_type (filter, "video/quicktime");
  return filter;
}

static void
tessera_window_open_response_cb (GtkNativeDialog *dialog,
                                 int              response,
                                 TesseraWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tessera_window_open (self, file);
    }
  g_object_unref (dialog);
}

void
_tessera_window_choose_image (TesseraWindow *self)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Open an Image"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL);
  g_autoptr(GtkFileFilter) filter = image_filter ();

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_window_open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Saving. */

static void
tessera_window_open_folder_cb (AdwToast *toast,
                               GFile    *folder)
{
  g_autofree char *uri = g_file_get_uri (folder);

  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
}

static void
show_saved (TesseraWindow *self,
            GFile         *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = g_strdup_printf (_("Saved as “%s”"), name);
  AdwToast *saved = adw_toast_new (text);

  adw_toast_set_button_label (saved, _("Open Folder"));
  g_signal_connect_data (saved, "button-clicked", G_CALLBACK (tessera_window_open_folder_cb),
                         g_file_get_parent (file), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, saved);
}

static void
tessera_window_saved_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint depth = GPOINTER_TO_UINT (g_object_steal_data (G_OBJECT (self), "tessera-restore-depth"));

  if (depth != 0)
    tessera_image_set_bit_depth (TESSERA_IMAGE (source), depth);
  if (!tessera_image_save_finish (TESSERA_IMAGE (source), result, &error))
    _tessera_window_show_error (self, _("Could Not Save"), error->message);
  else
    show_saved (self, g_object_get_data (G_OBJECT (self), "tessera-saving"));
}

/* Animations and videos. */

/* @name's extension, in lower case, or "" */
static char *
dup_extension (const char *name)
{
  const char *dot = strrchr (name, '.');

  return g_ascii_strdown (dot != NULL ? dot + 1 : "", -1);
}

/* @name with @extension instead of its own. */
static char *
replace_extension (const char *name,
                   const char *extension)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);

  return g_strconcat (stem, ".", extension, NULL);
}

static char *
dup_file_extension (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  return dup_extension (name);
}

/**
 * _tessera_window_new_media_result:
 *
 * Where a whole animation or video is upscaled to before it is saved: a
 * new name in the user's cache, with the input's extension, so that the
 * result is in the same container.
 *
 * Returns: (transfer full) (nullable): the file, not yet there
 */
GFile *
_tessera_window_new_media_result (TesseraWindow  *self,
                                  GError        **error)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "tessera", "results", NULL);
  g_autofree char *extension = dup_file_extension (self->file);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strconcat (uuid, ".", extension, NULL);
  g_autofree char *path = g_build_filename (folder, name, NULL);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", folder,
                   g_strerror (saved_errno));
      return NULL;
    }
  return g_file_new_for_path (path);
}

/* The cache keeps no result that no window shows. */
void
_tessera_window_delete_media_result (GFile *result)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_delete (result, NULL, &error) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_warning ("Could not delete the upscaled file: %s", error->message);
}

static void
tessera_window_media_copied_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_copy_finish (G_FILE (source), result, &error))
    _tessera_window_show_error (self, _("Could Not Save"), error->message);
  else
    show_saved (self, g_object_get_data (G_OBJECT (self), "tessera-saving"));
}

typedef struct
{
  TesseraWindow *window;
  GCancellable  *cancellable;
  GFile         *file;
} Convert;

static void
convert_free (Convert *convert)
{
  g_object_unref (convert->window);
  g_object_unref (convert->cancellable);
  g_object_unref (convert->file);
  g_free (convert);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Convert, convert_free)

static gboolean
convert_is_current (Convert *convert)
{
  return convert->window->running == convert->cancellable && !g_cancellable_is_cancelled (convert->cancellable);
}

static void
tessera_window_convert_progress_cb (double      fraction,
                                    const char *text,
                                    gpointer    user_data)
{
  Convert *convert = user_data;

  if (convert_is_current (convert))
    tessera_upscale_panel_set_progress (convert->window->upscale_panel, fraction, text);
}

static void
tessera_window_converted_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(Convert) convert = user_data;
  TesseraWindow *self = convert->window;
  g_autoptr(GError) error = NULL;

  if (self->running == convert->cancellable)
    g_clear_object (&self->running);
  if (!tessera_engine_upscale_media_finish (TESSERA_ENGINE (source), result, NULL, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tessera_window_show_error (self, _("Could Not Save"), error->message);
    }
  else
    show_saved (self, convert->file);
  _tessera_window_update_actions (self);
}

/* The result in its own container is copied; in another, or with
 * @media_options, its frames are written again as they are (×1,
 * nearest), in the background like an upscale, which Cancel stops. */
static void
save_media (TesseraWindow             *self,
            GFile                     *file,
            const TesseraMediaOptions *media_options)
{
  g_autofree char *extension = dup_file_extension (file);
  g_autofree char *result_extension = dup_file_extension (self->media_result);
  g_autoptr(TesseraUpscaleOptions) options = NULL;
  Convert *convert;

  g_object_set_data_full (G_OBJECT (self), "tessera-saving", g_object_ref (file), g_object_unref);
  if (g_str_equal (extension, result_extension) && media_options == NULL)
    {
      g_file_copy_async (self->media_result, file, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT, NULL, NULL, NULL,
                         tessera_window_media_copied_cb, g_object_ref (self));
      return;
    }

  options = tessera_upscale_options_new ();
  tessera_upscale_options_set_upscaler (options, "nearest");
  tessera_upscale_options_set_scale (options, 1.0);
  convert = g_new0 (Convert, 1);
  convert->window = g_object_ref (self);
  convert->cancellable = g_cancellable_new ();
  convert->file = g_object_ref (file);
  self->running = g_object_ref (convert->cancellable);
  _tessera_window_update_actions (self);
  tessera_engine_upscale_media_async (self->engine, self->media_result, file, options, media_options,
                                      convert->cancellable,
                                      tessera_window_convert_progress_cb, convert, tessera_window_converted_cb,
                                      convert);
}

/**
 * tessera_window_save:
 * @file: where to save the result, in the format its name says
 *
 * Saves the result as the Save dialog does, with its text (a redraw's
 * generation parameters among it) unless the settings strip it. An
 * animation's or a video's is saved whole, in the container its name
 * says.
 */
void
tessera_window_save (TesseraWindow *self,
                     GFile         *file)
{
  g_autofree char *path = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  guint depth;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  /* The depth the Save dialog chose, for this save only. */
  depth = GPOINTER_TO_UINT (g_object_steal_data (G_OBJECT (self), "tessera-save-depth"));

  if (self->media_kind != TESSERA_MEDIA_KIND_STILL)
    {
      if (self->media_result != NULL && self->running == NULL)
        save_media (self, file, NULL);
      return;
    }
  if (self->output == NULL)
    return;
  path = g_file_get_basename (file);
  if (!tessera_image_format_from_filename (path, &format) || !tessera_image_format_is_writable (format))
    {
      _tessera_window_toast (self, _("Save as .png, .jpg, .webp or .tif"));
      return;
    }

  if (depth != 0 && depth != tessera_image_get_bit_depth (self->output))
    {
      g_object_set_data (G_OBJECT (self), "tessera-restore-depth",
                         GUINT_TO_POINTER (tessera_image_get_bit_depth (self->output)));
      tessera_image_set_bit_depth (self->output, depth);
    }

  g_object_set_data_full (G_OBJECT (self), "tessera-saving", g_object_ref (file), g_object_unref);
  tessera_image_save_async (self->output, file, format,
                            self->settings != NULL ? (int) g_settings_get_double (self->settings, "output-quality") : 92,
                            NULL, NULL, NULL, tessera_window_saved_cb, g_object_ref (self));
}

/* A container picked in the filter gives the name its extension. */
static GFile *
chosen_file (GtkFileChooser *chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const MediaType *type = filter != NULL ? g_object_get_data (G_OBJECT (filter), "tessera-media-type") : NULL;
  g_autofree char *name = NULL;
  g_autofree char *renamed = NULL;
  g_autoptr(GFile) parent = NULL;

  if (file == NULL || type == NULL)
    return g_steal_pointer (&file);
  name = g_file_get_basename (file);
  renamed = replace_extension (name, type->extension);
  parent = g_file_get_parent (file);
  return parent != NULL ? g_file_get_child (parent, renamed) : g_steal_pointer (&file);
}

/* The Save dialog's choice of an animation's or a video's quality: the
 * encoders' defaults (a WebP lossless), or a lower rate factor, or a
 * higher one and a lossy WebP; %NULL for the defaults. */
static TesseraMediaOptions *
chosen_media_options (GtkFileChooser *chooser)
{
  const char *quality = gtk_file_chooser_get_choice (chooser, "quality");
  TesseraMediaOptions *options;

  if (quality == NULL || g_str_equal (quality, "default"))
    return NULL;
  options = tessera_media_options_new ();
  if (g_str_equal (quality, "high"))
    options->crf = 18;
  else
    {
      options->crf = 28;
      options->quality = 80;
    }
  return options;
}

static void
save_chosen (TesseraWindow             *self,
             GFile                     *file,
             const TesseraMediaOptions *media_options)
{
  if (self->media_kind != TESSERA_MEDIA_KIND_STILL && self->media_result != NULL && self->running == NULL)
    save_media (self, file, media_options);
  else
    tessera_window_save (self, file);
}

static void
tessera_window_replace_answered_cb (AdwMessageDialog *dialog,
                                    const char       *response,
                                    TesseraWindow    *self)
{
  if (g_str_equal (response, "replace"))
    save_chosen (self, g_object_get_data (G_OBJECT (dialog), "tessera-file"),
                 g_object_get_data (G_OBJECT (dialog), "tessera-media-options"));
}

static void
tessera_window_save_response_cb (GtkNativeDialog *dialog,
                                 int              response,
                                 TesseraWindow   *self)
{
  g_autoptr(GFile) picked = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraMediaOptions) media_options = NULL;
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *ask;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      const char *depth = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "depth");

      picked = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      file = chosen_file (GTK_FILE_CHOOSER (dialog));
      media_options = chosen_media_options (GTK_FILE_CHOOSER (dialog));
      g_object_set_data (G_OBJECT (self), "tessera-save-depth",
                         GUINT_TO_POINTER (depth != NULL ? (guint) g_ascii_strtoull (depth, NULL, 10) : 0));
    }
  g_object_unref (dialog);
  if (file == NULL)
    return;
  /* The dialog asked about the name it was given, not the one the
   * filter's extension made of it. */
  if (g_file_equal (file, picked) || !g_file_query_exists (file, NULL))
    {
      save_chosen (self, file, media_options);
      return;
    }

  name = g_file_get_basename (file);
  body = g_strdup_printf (_("“%s” already exists. Saving replaces it."), name);
  ask = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Replace the File?"), body));
  adw_message_dialog_add_responses (ask, "cancel", _("_Cancel"), "replace", _("_Replace"), NULL);
  adw_message_dialog_set_response_appearance (ask, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ask, "cancel");
  g_object_set_data_full (G_OBJECT (ask), "tessera-file", g_steal_pointer (&file), g_object_unref);
  g_object_set_data_full (G_OBJECT (ask), "tessera-media-options", g_steal_pointer (&media_options),
                          (GDestroyNotify) tessera_media_options_free);
  g_signal_connect_object (ask, "response", G_CALLBACK (tessera_window_replace_answered_cb), self, 0);
  gtk_window_present (GTK_WINDOW (ask));
}

/* The result named with the settings' pattern and format, as the CLI
 * and the batch name theirs (NAME-UPSCALER-x4.png by default); a result
 * made to a size that is no round scale has the size for its scale. */
static char *
suggested_name (TesseraWindow *self)
{
  g_autofree char *base = self->file != NULL ? g_file_get_basename (self->file) : g_strdup (_("pasted"));
  g_autofree char *pattern = self->settings != NULL ? g_settings_get_string (self->settings, "name-pattern") : NULL;
  g_autofree char *format_name = self->settings != NULL ? g_settings_get_string (self->settings, "output-format")
                                                        : NULL;
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  char *name;

  if (format_name != NULL)
    tessera_image_format_from_name (format_name, &format);
  tessera_upscale_options_set_format (options, format);
  if (self->output != NULL && fabs (self->output_scale * 100 - round (self->output_scale * 100)) > 1e-6)
    {
      tessera_upscale_options_set_width (options, tessera_image_get_width (self->output));
      tessera_upscale_options_set_height (options, tessera_image_get_height (self->output));
    }
  else
    tessera_upscale_options_set_scale (options, self->output_scale);

  name = pattern != NULL && pattern[0] != '\0'
         ? tessera_upscale_options_expand_name (options, pattern, base, self->output_upscaler, NULL) : NULL;
  if (name == NULL)
    name = tessera_upscale_options_expand_name (options, TESSERA_DEFAULT_NAME_PATTERN, base, self->output_upscaler,
                                                NULL);
  if (self->media_result != NULL)
    {
      /* an animation or a video keeps its container */
      g_autofree char *still_name = name;
      g_autofree char *extension = dup_extension (base);

      name = replace_extension (still_name, extension);
    }
  return name;
}

/* The input's own container first, then the others Save converts to,
 * and how good the video or WebP is. */
static void
add_media_filters (GtkFileChooser *chooser,
                   GFile          *input)
{
  g_autofree char *extension = dup_file_extension (input);
  g_autoptr(GtkFileFilter) same = gtk_file_filter_new ();

  gtk_file_filter_set_name (same, _("Same Type as the Input"));
  gtk_file_filter_add_suffix (same, extension);
  gtk_file_chooser_add_filter (chooser, same);
  for (guint i = 0; i < G_N_ELEMENTS (media_types); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(media_types[i].name));
      gtk_file_filter_add_suffix (filter, media_types[i].extension);
      g_object_set_data (G_OBJECT (filter), "tessera-media-type", (gpointer) &media_types[i]);
      gtk_file_chooser_add_filter (chooser, filter);
    }
  gtk_file_chooser_set_filter (chooser, same);

  gtk_file_chooser_add_choice (chooser, "quality", _("Quality"),
                               (const char *[]) { "default", "high", "small", NULL },
                               (const char *[]) { _("Default"), _("Higher"), _("Smaller File"), NULL });
  gtk_file_chooser_set_choice (chooser, "quality", "default");
}

/* PNG, TIFF, JPEG and WebP, the suggested name's first, and the bits
 * per channel of PNG and TIFF (16 keeps a 16-bit input's). */
static void
add_still_filters (GtkFileChooser *chooser,
                   const char     *name)
{
  g_autofree char *extension = dup_extension (name);

  for (guint i = 0; i < G_N_ELEMENTS (still_types); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      TesseraImageFormat format;

      if (tessera_image_format_from_name (still_types[i].extension, &format) &&
          !tessera_image_format_is_writable (format))
        continue;
      gtk_file_filter_set_name (filter, _(still_types[i].name));
      gtk_file_filter_add_suffix (filter, still_types[i].extension);
      if (g_str_equal (still_types[i].extension, "tif"))
        gtk_file_filter_add_suffix (filter, "tiff");
      if (g_str_equal (still_types[i].extension, "jpg"))
        gtk_file_filter_add_suffix (filter, "jpeg");
      g_object_set_data (G_OBJECT (filter), "tessera-media-type", (gpointer) &still_types[i]);
      gtk_file_chooser_add_filter (chooser, filter);
      if (g_str_equal (extension, still_types[i].extension) ||
          (g_str_equal (extension, "tiff") && g_str_equal (still_types[i].extension, "tif")) ||
          (g_str_equal (extension, "jpeg") && g_str_equal (still_types[i].extension, "jpg")))
        gtk_file_chooser_set_filter (chooser, filter);
    }

  gtk_file_chooser_add_choice (chooser, "depth", _("Bits per Channel (PNG and TIFF)"),
                               (const char *[]) { "0", "8", "16", NULL },
                               (const char *[]) { _("As the Input"), _("8-bit"), _("16-bit"), NULL });
  gtk_file_chooser_set_choice (chooser, "depth", "0");
}

void
_tessera_window_save_result (TesseraWindow *self)
{
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  if (self->output == NULL && self->media_result == NULL)
    return;

  dialog = gtk_file_chooser_native_new (_("Save the Result"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), NULL);
  if (self->media_result != NULL)
    add_media_filters (GTK_FILE_CHOOSER (dialog), self->file);
  name = suggested_name (self);
  if (self->media_result == NULL)
    add_still_filters (GTK_FILE_CHOOSER (dialog), name);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (self->file != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);

      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_window_save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Importing models. */

static void
tessera_window_model_imported_cb (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraModel) model = tessera_model_library_import_finish (TESSERA_MODEL_LIBRARY (source), result, &error);
  g_autofree char *text = NULL;

  self->importing--;
  if (model == NULL)
    {
      _tessera_window_show_error (self, _("Could Not Import the Model"), error->message);
      return;
    }
  /* Translators: a model imported, its architecture, scale and size. */
  text = g_strdup_printf (_("Imported %s: %s, ×%u, %.1f M parameters"), tessera_model_get_name (model),
                          tessera_arch_get_title (tessera_model_get_arch (model)), tessera_model_get_scale (model),
                          tessera_model_get_n_params (model) / 1e6);
  _tessera_window_toast (self, text);
}

/**
 * tessera_window_import_model:
 * @file: a model file
 *
 * Checks @file with the engine and copies it into the user's model
 * folder, saying what it is or why it cannot be used.
 */
void
tessera_window_import_model (TesseraWindow *self,
                             GFile         *file)
{
  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  self->importing++;
  tessera_model_library_import_async (self->library, file, NULL, tessera_window_model_imported_cb,
                                      g_object_ref (self));
}

static void
tessera_window_import_response_cb (GtkNativeDialog *dialog,
                                   int              response,
                                   TesseraWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          tessera_window_import_model (self, file);
        }
    }
  g_object_unref (dialog);
}

void
_tessera_window_choose_models (TesseraWindow *self)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Import Models"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), NULL);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char * const *extensions = tessera_model_library_get_file_extensions ();

  gtk_file_filter_set_name (filter, _("Models"));
  for (guint i = 0; extensions[i] != NULL; i++)
    gtk_file_filter_add_suffix (filter, extensions[i] + 1);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_window_import_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
