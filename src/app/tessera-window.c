/* tessera-window.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "tessera-window-private.h"

/* The main window: an image comes in (Open, drop, paste, the command
 * line), the upscale panel on the right says how to upscale it, and the
 * result is compared with it in the before/after view and saved.
 * An animation or a video shows its chosen frame as the image, which
 * the frame scrubber under the view decodes; Upscale then upscales the
 * whole file into the cache, and Save copies it out or converts it.
 * Decoding, upscaling and encoding run on the engine's worker threads;
 * the window only starts them and shows what they report.
 *
 * The window is made of panels, each a template widget of its own that
 * ui/tessera-window.ui places: the before/after view, the comparison's
 * results and the batch view are pages of the stack; the upscale panel
 * is the column on the right, with the comparison panel at its top.
 * This file holds the window's state and what the panels report; its
 * actions are in tessera-window-actions.c, drag and drop and the
 * clipboard in tessera-window-dnd.c, opening, saving and importing in
 * tessera-window-files.c.
 *
 * How to add a panel (a Redraw panel, say):
 *  1. Write it as TesseraRedrawPanel in src/app/tessera-redraw-panel.c/.h,
 *     its widgets in ui/tessera-redraw-panel.ui: a <template> loaded with
 *     gtk_widget_class_set_template_from_resource(), its widgets bound
 *     with gtk_widget_class_bind_template_child(), its handlers named
 *     tessera_redraw_panel_<what>_cb and bound with
 *     gtk_widget_class_bind_template_callback(). No widgets made in C.
 *  2. It is handed what it works on by its own functions (a _setup()
 *     for the engine and the settings) and tells what happens through
 *     its properties and signals, never reaching into the window; its
 *     buttons may activate the window's win. actions.
 *  3. Add the .c to src/app/meson.build, the .ui to tessera.gresource.xml,
 *     both to po/POTFILES.in.
 *  4. Place it in ui/tessera-window.ui with an id: a page of the stack,
 *     or a <child> of the upscale panel to sit at the top of the column.
 *     Connect its signals there, handled by tessera_window_<what>_cb
 *     here, and bind properties to the window's with bind-source.
 *  5. Here: a field in tessera-window-private.h, g_type_ensure() and
 *     gtk_widget_class_bind_template_child() in class_init, bind the
 *     handlers, and call its _setup() in init. Actions that the window
 *     owns go in tessera-window-actions.c. */

G_DEFINE_FINAL_TYPE (TesseraWindow, tessera_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_COMPARE_MODE,
  PROP_COMPARING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
_tessera_window_toast (TesseraWindow *self,
                       const char    *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* Errors short enough for a toast go in one; longer ones, in a dialog
 * under @heading, so that they can be read in full. */
#define TOAST_MAX_CHARS 90

void
_tessera_window_show_error (TesseraWindow *self,
                            const char    *heading,
                            const char    *message)
{
  AdwMessageDialog *dialog;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  if (g_utf8_strlen (message, -1) <= TOAST_MAX_CHARS && strchr (message, '\n') == NULL)
    {
      _tessera_window_toast (self, message);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
tessera_window_region_changed_cb (TesseraWindow *self)
{
  TesseraRect region;

  tessera_before_after_view_get_region (self->before_after_view, &region);
  tessera_comparison_panel_set_region (self->comparison_panel, &region);
}

/* @image, from @file or pasted, replaces the input and its result; an
 * animation or a video then goes on with _tessera_window_show_media(). */
void
_tessera_window_show_input (TesseraWindow *self,
                            TesseraImage  *image,
                            GFile         *file)
{
  g_autofree char *title = NULL;
  g_autoptr(TesseraGenerationInfo) info = image != NULL ? tessera_generation_info_new_for_image (image) : NULL;

  if (self->running != NULL)
    g_cancellable_cancel (self->running);
  g_clear_object (&self->running);
  tessera_before_after_view_clear_tiles (self->before_after_view);
  tessera_frame_scrubber_clear (self->frame_scrubber);
  self->media_kind = TESSERA_MEDIA_KIND_STILL;
  _tessera_window_set_media_result (self, NULL, NULL, 0);

  tessera_comparison_results_clear (self->comparison_results);
  self->showing_results = FALSE;
  tessera_before_after_view_set_labels (self->before_after_view, NULL, NULL);
  g_set_object (&self->input, image);
  g_set_object (&self->file, file);
  g_clear_object (&self->output);
  tessera_before_after_view_set_after_image (self->before_after_view, NULL);
  tessera_before_after_view_set_before_image (self->before_after_view, image);
  gtk_stack_set_visible_child_name (self->stack, "image");
  gtk_widget_grab_focus (GTK_WIDGET (self->before_after_view));
  tessera_window_region_changed_cb (self);

  title = file != NULL ? g_file_get_basename (file) : g_strdup (_("Pasted Image"));
  gtk_window_set_title (GTK_WINDOW (self), title);
  tessera_upscale_panel_set_image (self->upscale_panel, image);
  tessera_redraw_panel_set_generation_info (self->redraw_panel, info);
  _tessera_window_update_actions (self);
}

/* @output, made by @upscaler, becomes the result to compare and save;
 * it keeps the input's metadata only when the settings say so. */
void
_tessera_window_show_output (TesseraWindow *self,
                             TesseraImage  *output,
                             const char    *upscaler)
{
  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "keep-metadata"))
    tessera_image_strip_metadata (output);
  g_set_object (&self->output, output);
  g_free (self->output_upscaler);
  self->output_upscaler = g_strdup (upscaler);
  self->output_scale = (double) tessera_image_get_width (output) / tessera_image_get_width (self->input);
  tessera_before_after_view_set_after_image (self->before_after_view, output);
}

/* The file @reader reads is an animation or a video, shown by its
 * @first_frame (as _tessera_window_show_input() shows it) and the frame
 * scrubber, which decodes the frames chosen. */
void
_tessera_window_show_media (TesseraWindow      *self,
                            TesseraMediaReader *reader,
                            TesseraImage       *first_frame,
                            gint64              timestamp_us,
                            gint64              duration_us)
{
  self->media_kind = tessera_media_reader_get_kind (reader);
  tessera_frame_scrubber_set_media (self->frame_scrubber, self->file, reader, first_frame, timestamp_us, duration_us);
  _tessera_window_update_actions (self);
}

/* @result, the whole file upscaled by @upscaler to frames @width wide,
 * replaces the one before, which is deleted; its chosen frame comes to
 * the after side once decoded. */
void
_tessera_window_set_media_result (TesseraWindow *self,
                                  GFile         *result,
                                  const char    *upscaler,
                                  guint          width)
{
  if (self->media_result != NULL)
    _tessera_window_delete_media_result (self->media_result);
  g_set_object (&self->media_result, result);
  if (result != NULL)
    {
      g_free (self->output_upscaler);
      self->output_upscaler = g_strdup (upscaler);
      self->output_scale = (double) width / tessera_image_get_width (self->input);
    }
  tessera_frame_scrubber_set_result (self->frame_scrubber, result);
  _tessera_window_update_actions (self);
}

/* The frame chosen is the input, and the result's same frame the output,
 * for the view, the tile overlay and the region's comparison alike. */
static void
tessera_window_frame_decoded_cb (TesseraWindow *self)
{
  TesseraImage *image = tessera_frame_scrubber_get_image (self->frame_scrubber);
  TesseraImage *result = tessera_frame_scrubber_get_result (self->frame_scrubber);

  g_set_object (&self->input, image);
  g_set_object (&self->output, result);
  if (!self->showing_results)
    {
      tessera_before_after_view_set_before_image (self->before_after_view, image);
      if (self->running == NULL)
        tessera_before_after_view_set_after_image (self->before_after_view, self->output);
    }
  _tessera_window_update_actions (self);
}

static void
tessera_window_frame_failed_cb (TesseraWindow *self,
                                const char    *message)
{
  _tessera_window_show_error (self, _("Could Not Read the Frame"), message);
}

/* The view shows the input and the output again, after two results. */
void
_tessera_window_show_own_images (TesseraWindow *self)
{
  if (!self->showing_results)
    return;
  self->showing_results = FALSE;
  tessera_before_after_view_set_labels (self->before_after_view, NULL, NULL);
  tessera_before_after_view_set_before_image (self->before_after_view, self->input);
  tessera_before_after_view_set_after_image (self->before_after_view, self->output);
}

/* Comparing shows the region on the image and the comparison panel (the
 * template binds them to :comparing); it ends on the image. */
void
_tessera_window_set_comparing (TesseraWindow *self,
                               gboolean       comparing)
{
  comparing = !!comparing;
  if (self->comparing == comparing)
    return;
  self->comparing = comparing;

  if (comparing)
    {
      TesseraRedrawOptions *redraw = tessera_redraw_panel_get_options (self->redraw_panel);

      tessera_comparison_panel_ensure_chosen (self->comparison_panel);
      tessera_comparison_panel_set_redraw_current (self->comparison_panel, tessera_redraw_options_get_denoise (redraw),
                                                   tessera_redraw_options_get_seed (redraw),
                                                   tessera_redraw_panel_get_checkpoint (self->redraw_panel));
    }
  else
    {
      tessera_comparison_results_cancel (self->comparison_results);
      _tessera_window_show_own_images (self);
      if (self->input != NULL)
        gtk_stack_set_visible_child_name (self->stack, "image");
    }
  _tessera_window_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPARING]);
}

void
_tessera_window_show_batch (TesseraWindow *self)
{
  _tessera_window_set_comparing (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "batch");
}

/* What the panels report. */

/* The overlay shows the plan the upscale panel works out for its
 * choices, or with Redraw on, the engine's plan of the redraw's jobs on
 * the first stage's size; while a run goes, its own plans replace them. */
void
_tessera_window_update_overlay (TesseraWindow *self)
{
  g_autoptr(TesseraRedrawOptions) options = NULL;
  g_autoptr(TesseraRedrawPlan) plan = NULL;

  if (!tessera_redraw_panel_get_enabled (self->redraw_panel))
    {
      tessera_before_after_view_set_redraw_plan (self->before_after_view, NULL);
      tessera_before_after_view_set_tile_plan (self->before_after_view,
                                               tessera_upscale_panel_get_tile_plan (self->upscale_panel));
      return;
    }
  if (self->running != NULL)
    return;

  if (self->input != NULL && tessera_upscale_panel_get_show_tiles (self->upscale_panel))
    options = _tessera_window_get_redraw_options (self, NULL, NULL);
  if (options != NULL)
    plan = _tessera_window_plan_redraw (self, options);
  tessera_before_after_view_set_tile_plan (self->before_after_view, NULL);
  tessera_before_after_view_set_redraw_plan (self->before_after_view, plan);
}

static void
tessera_window_tile_plan_changed_cb (TesseraWindow *self)
{
  _tessera_window_update_overlay (self);
}

/* Whole results, once both are there, go side by side in the view. */
static void
tessera_window_comparison_busy_cb (TesseraWindow *self)
{
  TesseraImage *first, *second;

  if (tessera_comparison_results_get_busy (self->comparison_results) ||
      tessera_comparison_results_get_n_upscalers (self->comparison_results) < 2)
    return;
  first = tessera_comparison_results_get_whole_result (self->comparison_results, 0);
  second = tessera_comparison_results_get_whole_result (self->comparison_results, 1);
  if (first == NULL || second == NULL)
    return;

  self->showing_results = TRUE;
  tessera_before_after_view_set_before_image (self->before_after_view, first);
  tessera_before_after_view_set_after_image (self->before_after_view, second);
  tessera_before_after_view_set_labels (self->before_after_view,
                                        tessera_comparison_results_get_title (self->comparison_results, 0),
                                        tessera_comparison_results_get_title (self->comparison_results, 1));
  gtk_stack_set_visible_child_name (self->stack, "image");
}

static void
tessera_window_comparison_back_cb (TesseraWindow *self)
{
  gtk_stack_set_visible_child_name (self->stack, "image");
}

/* A redraw's setting picked goes to the Redraw panel: the strength,
 * seed or checkpoint that differs between the results. */
static void
apply_redraw_setting (TesseraWindow *self,
                      guint          index)
{
  TesseraRedrawOptions *picked = tessera_comparison_results_get_redraw (self->comparison_results, index);
  TesseraRedrawOptions *options = tessera_redraw_panel_get_options (self->redraw_panel);

  switch (tessera_comparison_panel_get_kind (self->comparison_panel))
    {
    case TESSERA_COMPARISON_UPSCALERS:
      break;
    case TESSERA_COMPARISON_DENOISE:
      tessera_redraw_options_set_denoise (options, tessera_redraw_options_get_denoise (picked));
      break;
    case TESSERA_COMPARISON_SEEDS:
      tessera_redraw_options_set_seed (options, tessera_redraw_options_get_seed (picked));
      break;
    case TESSERA_COMPARISON_CHECKPOINTS:
      tessera_redraw_panel_set_checkpoint (self->redraw_panel,
                                           tessera_comparison_results_get_checkpoint (self->comparison_results,
                                                                                      index));
      break;
    }
  _tessera_window_set_comparing (self, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "image");
}

/* The upscaler picked: a whole result is the output as it is; for a
 * region, or a frame of an animation or a video, the whole image or file
 * is upscaled with it. */
static void
tessera_window_comparison_apply_cb (TesseraWindow *self,
                                    const char    *upscaler,
                                    guint          index)
{
  TesseraImage *whole = tessera_comparison_results_get_whole_result (self->comparison_results, index);
  g_autoptr(TesseraImage) output = whole != NULL && self->media_kind == TESSERA_MEDIA_KIND_STILL
                                   ? g_object_ref (whole) : NULL;

  if (tessera_comparison_results_get_redraw (self->comparison_results, index) != NULL)
    {
      apply_redraw_setting (self, index);
      return;
    }
  _tessera_window_set_comparing (self, FALSE);
  tessera_upscale_panel_set_upscaler (self->upscale_panel, upscaler);
  gtk_stack_set_visible_child_name (self->stack, "image");
  if (output == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.upscale", NULL);
      return;
    }

  _tessera_window_show_output (self, output, upscaler);
  _tessera_window_update_actions (self);
}

/* Settings and models. */

/* The model folders of the settings join the library's own; those
 * removed from them leave it. */
static void
tessera_window_model_folders_changed_cb (TesseraWindow *self)
{
  g_auto(GStrv) folders = self->settings != NULL ? g_settings_get_strv (self->settings, "model-folders") : NULL;

  for (guint i = 0; self->model_folders != NULL && self->model_folders[i] != NULL; i++)
    if (folders == NULL || !g_strv_contains ((const char * const *) folders, self->model_folders[i]))
      {
        g_autoptr(GFile) folder = g_file_new_for_path (self->model_folders[i]);

        if (!g_file_equal (folder, tessera_model_library_get_user_folder (self->library)))
          tessera_model_library_remove_folder (self->library, folder);
      }
  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (folders[i]);

      tessera_model_library_add_folder (self->library, folder);
    }
  g_strfreev (self->model_folders);
  self->model_folders = g_steal_pointer (&folders);
}

/* The choices and the window's size outlive the window, when the schema
 * is installed (a build tree's app finds it through GSETTINGS_SCHEMA_DIR,
 * as build-aux/dev.sh run sets it). */
static void
find_settings (TesseraWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    g_debug ("No settings schema %s: choices are not remembered", APP_ID);
  else
    self->settings = g_settings_new_full (schema, NULL, NULL);
}

static void
bind_settings (TesseraWindow *self)
{
  if (self->settings == NULL)
    return;

  g_settings_bind (self->settings, "compare-mode", self, "compare-mode", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::model-folders",
                           G_CALLBACK (tessera_window_model_folders_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/* Closing with a batch under way. */

/* The batch finished with the window closed: it says so, and goes. */
static void
tessera_window_batch_state_cb (TesseraWindow *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);
  GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = g_notification_new (_("Batch Finished"));
  g_autofree char *body = g_strdup_printf (_("%u done, %u failed, %u skipped"), tessera_batch_get_n_done (batch),
                                           tessera_batch_get_n_failed (batch), tessera_batch_get_n_skipped (batch));

  if (tessera_batch_get_state (batch) != TESSERA_BATCH_IDLE)
    return;
  if (application != NULL)
    {
      g_notification_set_body (notification, body);
      g_application_send_notification (application, "batch-finished", notification);
      g_application_release (application);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
tessera_window_close_answered_cb (AdwMessageDialog *dialog,
                                  const char       *response,
                                  TesseraWindow    *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);

  if (g_str_equal (response, "stop"))
    {
      tessera_batch_cancel (batch);
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "background"))
    {
      GApplication *application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      /* The application lives on while the batch does. */
      self->closing = TRUE;
      if (application != NULL)
        g_application_hold (application);
      g_signal_connect_object (batch, "notify::state", G_CALLBACK (tessera_window_batch_state_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      tessera_window_batch_state_cb (self);
    }
}

/* A batch under way is not dropped without asking. */
static gboolean
ask_about_batch (TesseraWindow *self)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (self->batch_view);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (self->closing || tessera_batch_get_state (batch) == TESSERA_BATCH_IDLE)
    return FALSE;

  body = g_strdup_printf (ngettext ("%u image is still waiting. Tessera can go on with the window closed and "
                                    "say when it is done.",
                                    "%u images are still waiting. Tessera can go on with the window closed and "
                                    "say when it is done.",
                                    tessera_batch_get_n_waiting (batch)),
                          tessera_batch_get_n_waiting (batch));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Stop the Batch?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "stop", _("_Stop and Close"),
                                    "background", _("_Keep Running"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "background");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (tessera_window_close_answered_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
tessera_window_close_request (GtkWindow *window)
{
  TesseraWindow *self = TESSERA_WINDOW (window);
  int width, height;

  if (ask_about_batch (self))
    return TRUE;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
    }

  return GTK_WINDOW_CLASS (tessera_window_parent_class)->close_request (window);
}

/* The widget. */

static void
tessera_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COMPARE_MODE:
      g_value_set_enum (value, self->compare_mode);
      break;
    case PROP_COMPARING:
      g_value_set_boolean (value, self->comparing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_COMPARE_MODE:
      if (self->compare_mode != (TesseraBeforeAfterMode) g_value_get_enum (value))
        {
          self->compare_mode = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_COMPARING:
      _tessera_window_set_comparing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_window_dispose (GObject *object)
{
  TesseraWindow *self = TESSERA_WINDOW (object);

  if (self->running != NULL)
    g_cancellable_cancel (self->running);
  g_clear_object (&self->running);
  g_clear_object (&self->engine);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  if (self->media_result != NULL)
    _tessera_window_delete_media_result (self->media_result);
  g_clear_object (&self->media_result);
  g_clear_pointer (&self->output_upscaler, g_free);
  g_clear_pointer (&self->model_folders, g_strfreev);
  g_clear_pointer (&self->last_error, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_WINDOW);

  G_OBJECT_CLASS (tessera_window_parent_class)->dispose (object);
}

static void
tessera_window_class_init (TesseraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_window_dispose;
  object_class->get_property = tessera_window_get_property;
  object_class->set_property = tessera_window_set_property;
  GTK_WINDOW_CLASS (klass)->close_request = tessera_window_close_request;

  /* How the before/after view shows the two images. */
  properties[PROP_COMPARE_MODE] =
    g_param_spec_enum ("compare-mode", NULL, NULL, TESSERA_TYPE_BEFORE_AFTER_MODE, TESSERA_BEFORE_AFTER_SPLIT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether upscalers are being compared on a region. */
  properties[PROP_COMPARING] =
    g_param_spec_boolean ("comparing", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TESSERA_TYPE_BEFORE_AFTER_VIEW);
  g_type_ensure (TESSERA_TYPE_FRAME_SCRUBBER);
  g_type_ensure (TESSERA_TYPE_COMPARISON_RESULTS);
  g_type_ensure (TESSERA_TYPE_BATCH_VIEW);
  g_type_ensure (TESSERA_TYPE_UPSCALE_PANEL);
  g_type_ensure (TESSERA_TYPE_COMPARISON_PANEL);
  g_type_ensure (TESSERA_TYPE_REDRAW_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, drop_hint);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, before_after_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, frame_scrubber);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, comparison_results);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, batch_view);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, upscale_panel);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, comparison_panel);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, redraw_panel);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_region_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_frame_decoded_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_frame_failed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_tile_plan_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_comparison_busy_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_comparison_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, tessera_window_comparison_apply_cb);

  _tessera_window_class_actions_init (klass);
}

static void
tessera_window_init (TesseraWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->engine = tessera_engine_new ();
  self->library = tessera_model_library_new ();
  find_settings (self);
  tessera_window_model_folders_changed_cb (self);
  tessera_model_library_watch (self->library);
  tessera_engine_set_model_library (self->engine, self->library);

  tessera_upscale_panel_setup (self->upscale_panel, self->engine, self->library, self->settings);
  tessera_comparison_panel_setup (self->comparison_panel, tessera_engine_get_upscalers (self->engine),
                                  self->settings);
  tessera_redraw_panel_setup (self->redraw_panel, self->library, self->settings);
  tessera_comparison_panel_setup_redraw (self->comparison_panel, tessera_model_library_get_checkpoints (self->library));
  g_signal_connect_object (self->redraw_panel, "notify::enabled", G_CALLBACK (_tessera_window_update_overlay),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tessera_redraw_panel_get_options (self->redraw_panel), "notify",
                           G_CALLBACK (_tessera_window_update_overlay), self, G_CONNECT_SWAPPED);
  tessera_batch_view_setup (self->batch_view, self->engine, self->settings);
  bind_settings (self);
  _tessera_window_dnd_init (self);
  _tessera_window_update_actions (self);
}

TesseraWindow *
tessera_window_new (TesseraApplication *application)
{
  return g_object_new (TESSERA_TYPE_WINDOW, "application", application, NULL);
}

GtkWidget *
tessera_window_get_before_after_view (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->before_after_view);
}

GtkWidget *
tessera_window_get_frame_scrubber (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->frame_scrubber);
}

GtkWidget *
tessera_window_get_upscale_panel (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->upscale_panel);
}

GtkWidget *
tessera_window_get_redraw_panel (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->redraw_panel);
}

GtkWidget *
tessera_window_get_comparison_panel (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->comparison_panel);
}

GtkWidget *
tessera_window_get_comparison_results (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->comparison_results);
}

GtkWidget *
tessera_window_get_batch_view (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->batch_view);
}

/* Whether an upscale is running. */
gboolean
tessera_window_get_busy (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), FALSE);

  return self->running != NULL;
}

/* Whether models are being imported. */
gboolean
tessera_window_get_importing (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), FALSE);

  return self->importing > 0;
}

/* The last error shown, in a toast or a dialog. */
const char *
tessera_window_get_last_error (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->last_error;
}

TesseraModelLibrary *
tessera_window_get_model_library (TesseraWindow *self)
{
  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  return self->library;
}
