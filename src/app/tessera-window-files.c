/* tessera-window-files.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "tessera-window-private.h"

/* The window's files: images opened, results saved where the settings
 * say and named as they say, and model files checked and copied into
 * the user's model folder. */

/* Opening. */

typedef struct
{
  TesseraWindow *window;
  GFile         *file;
} Load;

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

  g_object_unref (load->window);
  g_object_unref (load->file);
  g_free (load);
}

void
tessera_window_open (TesseraWindow *self,
                     GFile         *file)
{
  Load *load;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  load = g_new (Load, 1);
  load->window = g_object_ref (self);
  load->file = g_object_ref (file);
  tessera_image_new_from_file_async (file, NULL, tessera_window_image_loaded_cb, load);
}

static GtkFileFilter *
image_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_filter_add_mime_type (filter, "image/jpeg");
  gtk_file_filter_add_mime_type (filter, "image/webp");
  gtk_file_filter_add_pixbuf_formats (filter);
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
tessera_window_saved_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GFile *file = g_object_get_data (G_OBJECT (self), "tessera-saving");
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  AdwToast *saved;

  if (!tessera_image_save_finish (TESSERA_IMAGE (source), result, &error))
    {
      _tessera_window_show_error (self, _("Could Not Save"), error->message);
      return;
    }

  name = g_file_get_basename (file);
  text = g_strdup_printf (_("Saved as “%s”"), name);
  saved = adw_toast_new (text);
  adw_toast_set_button_label (saved, _("Open Folder"));
  g_signal_connect_data (saved, "button-clicked", G_CALLBACK (tessera_window_open_folder_cb),
                         g_file_get_parent (file), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, saved);
}

/**
 * tessera_window_save:
 * @file: where to save the result, in the format its name says
 *
 * Saves the result as the Save dialog does, with its text (a redraw's
 * generation parameters among it) unless the settings strip it.
 */
void
tessera_window_save (TesseraWindow *self,
                     GFile         *file)
{
  g_autofree char *path = NULL;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;

  g_return_if_fail (TESSERA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->output == NULL)
    return;
  path = g_file_get_basename (file);
  if (!tessera_image_format_from_filename (path, &format) || !tessera_image_format_is_writable (format))
    {
      _tessera_window_toast (self, _("Save as .png, .jpg or .webp"));
      return;
    }

  g_object_set_data_full (G_OBJECT (self), "tessera-saving", g_object_ref (file), g_object_unref);
  tessera_image_save_async (self->output, file, format,
                            self->settings != NULL ? (int) g_settings_get_double (self->settings, "output-quality") : 92,
                            NULL, NULL, NULL, tessera_window_saved_cb, g_object_ref (self));
}

static void
tessera_window_save_response_cb (GtkNativeDialog *dialog,
                                 int              response,
                                 TesseraWindow   *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_object_unref (dialog);
  if (file != NULL)
    tessera_window_save (self, file);
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
  if (fabs (self->output_scale * 100 - round (self->output_scale * 100)) > 1e-6)
    {
      tessera_upscale_options_set_width (options, tessera_image_get_width (self->output));
      tessera_upscale_options_set_height (options, tessera_image_get_height (self->output));
    }
  else
    tessera_upscale_options_set_scale (options, self->output_scale);

  name = pattern != NULL && pattern[0] != '\0'
         ? tessera_upscale_options_expand_name (options, pattern, base, self->output_upscaler, NULL) : NULL;
  return name != NULL ? name : tessera_upscale_options_expand_name (options, TESSERA_DEFAULT_NAME_PATTERN, base,
                                                                    self->output_upscaler, NULL);
}

void
_tessera_window_save_result (TesseraWindow *self)
{
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  if (self->output == NULL)
    return;

  dialog = gtk_file_chooser_native_new (_("Save the Result"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), NULL);
  name = suggested_name (self);
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
