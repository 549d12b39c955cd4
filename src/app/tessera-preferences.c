/* tessera-preferences.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-preferences.h"

/* Where models run: the device (automatic, the CPU, or each CUDA device
 * the engine lists), a GPU's precision and its memory limit; the tile
 * defaults; how results are saved; and the models: the folders searched
 * and each model found, with its details, and the user's own removable.
 * All of it is stored in the settings the window reads. Without settings
 * the rows still show, insensitive. */

struct _TesseraPreferences
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *device_row;
  AdwComboRow          *precision_row;
  GtkSpinButton        *gpu_memory_spin;
  GtkSpinButton        *tile_spin;
  GtkSpinButton        *overlap_spin;
  AdwComboRow          *format_row;
  GtkSpinButton        *quality_spin;
  AdwEntryRow          *pattern_row;
  GtkSwitch            *metadata_switch;
  AdwPreferencesGroup  *folders_group;
  AdwPreferencesGroup  *models_group;
  GPtrArray            *folder_rows;
  GPtrArray            *model_rows;

  TesseraModelLibrary  *library;

  GSettings            *settings;
  GStrv                 devices;     /* the device row's values, by position */
  gboolean              filling;     /* the device row is being refilled */
  GCancellable         *listing;     /* the devices being looked for */
};

G_DEFINE_FINAL_TYPE (TesseraPreferences, tessera_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
on_device_selected (TesseraPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->device_row);

  if (!self->filling && self->settings != NULL && selected < g_strv_length (self->devices))
    g_settings_set_string (self->settings, "device", self->devices[selected]);
}

static const char *precisions[] = { "auto", "fp16", "fp32" };
static const char *formats[] = { "png", "jpeg", "webp", "tiff" };

static void
on_precision_selected (TesseraPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->precision_row);

  if (self->settings != NULL && selected < G_N_ELEMENTS (precisions))
    g_settings_set_string (self->settings, "precision", precisions[selected]);
}

static void
on_format_selected (TesseraPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->format_row);

  if (self->settings != NULL && selected < G_N_ELEMENTS (formats))
    g_settings_set_string (self->settings, "output-format", formats[selected]);
}

static guint
index_of (const char  *value,
          const char **values,
          guint        n_values)
{
  for (guint i = 0; i < n_values; i++)
    if (g_str_equal (value, values[i]))
      return i;
  return 0;
}

/* Model folders: Tessera's own first, which stays; then the settings'. */

static void
clear_rows (AdwPreferencesGroup *group,
            GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
on_remove_folder_clicked (GtkButton          *button,
                          TesseraPreferences *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "tessera-path");
  g_auto(GStrv) folders = g_settings_get_strv (self->settings, "model-folders");
  g_autoptr(GStrvBuilder) kept = g_strv_builder_new ();
  g_auto(GStrv) now = NULL;

  for (guint i = 0; folders[i] != NULL; i++)
    if (!g_str_equal (folders[i], path))
      g_strv_builder_add (kept, folders[i]);
  now = g_strv_builder_end (kept);
  g_settings_set_strv (self->settings, "model-folders", (const char * const *) now);
}

static GtkWidget *
folder_row (GFile      *folder,
            const char *subtitle)
{
  g_autofree char *path = g_file_get_path (folder);
  g_autofree char *name = g_file_get_basename (folder);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : path);
  gtk_widget_set_tooltip_text (row, path);
  return row;
}

static void
show_folders (TesseraPreferences *self)
{
  g_auto(GStrv) folders = self->settings != NULL ? g_settings_get_strv (self->settings, "model-folders") : NULL;
  GtkWidget *row;

  clear_rows (self->folders_group, self->folder_rows);
  if (self->library != NULL)
    {
      g_autofree char *path = g_file_get_path (tessera_model_library_get_user_folder (self->library));
      g_autofree char *subtitle = g_strdup_printf (_("%s: Tessera's own, where imported models go"), path);

      row = folder_row (tessera_model_library_get_user_folder (self->library), subtitle);
      adw_preferences_group_add (self->folders_group, row);
      g_ptr_array_add (self->folder_rows, row);
    }

  for (guint i = 0; folders != NULL && folders[i] != NULL; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (folders[i]);
      GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

      row = folder_row (folder, NULL);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Stop Searching This Folder"));
      g_object_set_data_full (G_OBJECT (remove), "tessera-path", g_strdup (folders[i]), g_free);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_folder_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      adw_preferences_group_add (self->folders_group, row);
      g_ptr_array_add (self->folder_rows, row);
    }
}

/**
 * tessera_preferences_add_model_folder:
 * @folder: a folder of models
 *
 * Adds @folder to the settings' model folders, as the Add Folder button
 * does; the window's library then searches it.
 */
void
tessera_preferences_add_model_folder (TesseraPreferences *self,
                                      GFile              *folder)
{
  g_autofree char *path = g_file_get_path (folder);
  g_auto(GStrv) folders = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) now = NULL;

  g_return_if_fail (TESSERA_IS_PREFERENCES (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (self->settings == NULL || path == NULL)
    return;
  folders = g_settings_get_strv (self->settings, "model-folders");
  if (g_strv_contains ((const char * const *) folders, path))
    return;
  g_strv_builder_addv (builder, (const char **) folders);
  g_strv_builder_add (builder, path);
  now = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "model-folders", (const char * const *) now);
}

static void
on_folder_chosen (GtkNativeDialog    *dialog,
                  int                 response,
                  TesseraPreferences *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      tessera_preferences_add_model_folder (self, folder);
    }
  g_object_unref (dialog);
}

static void
on_add_folder_clicked (TesseraPreferences *self)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Add a Model Folder"), GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Add"), NULL);

  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Models: each with what it is, or why it cannot be used; its details
 * when expanded; the user's own can be removed. */

static void
add_detail (GtkWidget  *expander,
            const char *title,
            const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
}

static void
on_remove_answered (AdwMessageDialog   *dialog,
                    const char         *response,
                    TesseraPreferences *self)
{
  TesseraModel *model = g_object_get_data (G_OBJECT (dialog), "tessera-model");
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "remove") && !tessera_model_library_remove (self->library, model, &error))
    {
      AdwMessageDialog *failed = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                             _("Could Not Remove the Model"),
                                                                             error->message));

      adw_message_dialog_add_response (failed, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (failed));
    }
}

static void
on_remove_model_clicked (GtkButton          *button,
                         TesseraPreferences *self)
{
  TesseraModel *model = g_object_get_data (G_OBJECT (button), "tessera-model");
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), tessera_model_get_name (model));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its file is deleted from Tessera's model folder.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  g_object_set_data_full (G_OBJECT (dialog), "tessera-model", g_object_ref (model), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_answered), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
model_row (TesseraPreferences *self,
           TesseraModel       *model)
{
  GtkWidget *row = adw_expander_row_new ();
  const GError *error = tessera_model_get_error (model);
  g_autofree char *path = g_file_get_path (tessera_model_get_file (model));
  g_autofree char *summary = NULL;
  g_autofree char *params = NULL;
  g_autofree char *size = NULL;
  g_autofree char *scale = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), tessera_model_get_name (model));
  if (error != NULL)
    summary = g_strdup (error->message);
  else if (!tessera_model_get_supported (model))
    /* Translators: the architecture, then why: "it uses an absolute position embedding…" */
    summary = g_strdup_printf (_("%s, not supported yet: %s"), tessera_arch_get_title (tessera_model_get_arch (model)),
                               tessera_model_get_not_run_reason (model));
  else
    /* Translators: a model's architecture, scale and size. */
    summary = g_strdup_printf (_("%s, ×%u, %.1f M parameters"), tessera_arch_get_title (tessera_model_get_arch (model)),
                               tessera_model_get_scale (model), tessera_model_get_n_params (model) / 1e6);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), summary);
  if (error != NULL)
    gtk_widget_add_css_class (row, "error");

  add_detail (row, _("File"), path);
  if (error == NULL)
    {
      params = g_strdup_printf ("%" G_GUINT64_FORMAT, tessera_model_get_n_params (model));
      size = g_format_size (tessera_model_get_file_size (model));
      scale = g_strdup_printf ("×%u", tessera_model_get_scale (model));
      add_detail (row, _("Format"), tessera_model_format_to_string (tessera_model_get_format (model)));
      add_detail (row, _("Architecture"), tessera_arch_get_title (tessera_model_get_arch (model)));
      add_detail (row, _("Scale"), scale);
      add_detail (row, _("Parameters"), params);
      add_detail (row, _("Weights"), tessera_model_get_dtype (model));
      add_detail (row, _("Size"), size);
    }

  if (self->library != NULL && tessera_model_library_is_user_model (self->library, model))
    {
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, _("Remove the Model"));
      g_object_set_data_full (G_OBJECT (remove), "tessera-model", g_object_ref (model), g_object_unref);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_model_clicked), self);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), remove);
    }
  return row;
}

static void
show_models (TesseraPreferences *self)
{
  GListModel *models = tessera_model_library_get_models (self->library);

  clear_rows (self->models_group, self->model_rows);
  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);
      GtkWidget *row = model_row (self, model);

      adw_preferences_group_add (self->models_group, row);
      g_ptr_array_add (self->model_rows, row);
    }
  if (self->model_rows->len == 0)
    adw_preferences_group_set_description (self->models_group,
                                           _("None yet: import one, or add a folder that has some"));
  else
    adw_preferences_group_set_description (self->models_group, NULL);
}

static void
on_import_clicked (TesseraPreferences *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.import-model", NULL);
}

static void
tessera_preferences_dispose (GObject *object)
{
  TesseraPreferences *self = TESSERA_PREFERENCES (object);

  if (self->listing != NULL)
    g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (tessera_model_library_get_models (self->library), self);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->devices, g_strfreev);
  g_clear_pointer (&self->folder_rows, g_ptr_array_unref);
  g_clear_pointer (&self->model_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_PREFERENCES);

  G_OBJECT_CLASS (tessera_preferences_parent_class)->dispose (object);
}

static void
tessera_preferences_class_init (TesseraPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tessera_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera/Tessera/tessera-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, device_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, precision_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, gpu_memory_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, tile_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, overlap_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, format_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, quality_spin);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, pattern_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, metadata_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, folders_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraPreferences, models_group);
  gtk_widget_class_bind_template_callback (widget_class, on_add_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_import_clicked);
}

static void
tessera_preferences_init (TesseraPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->folder_rows = g_ptr_array_new ();
  self->model_rows = g_ptr_array_new ();
}

/* The device row's choices: @values as the option takes them, @titles as
 * shown; the settings' device stays selected. */
static void
show_devices (TesseraPreferences *self,
              GStrv               values,
              GStrv               titles)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new ((const char * const *) titles);
  g_autofree char *current = self->settings != NULL ? g_settings_get_string (self->settings, "device")
                                                     : g_strdup ("auto");

  self->filling = TRUE;
  g_strfreev (self->devices);
  self->devices = values;
  adw_combo_row_set_model (self->device_row, G_LIST_MODEL (list));
  for (guint i = 0; values[i] != NULL; i++)
    if (g_str_equal (values[i], current))
      adw_combo_row_set_selected (self->device_row, i);
  self->filling = FALSE;
}

/* Automatic, then each device the engine lists, described or with why it
 * cannot be used: values and titles, end to end in one vector. */
static void
device_lists_free (GStrv *lists)
{
  g_strfreev (lists[0]);
  g_strfreev (lists[1]);
  g_free (lists);
}

static void
list_devices (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TesseraEngine *engine = source;
  g_auto(GStrv) listed = tessera_engine_list_devices (engine);
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) titles = g_strv_builder_new ();
  GStrv *result = g_new0 (GStrv, 2);

  g_strv_builder_add (values, "auto");
  g_strv_builder_add (titles, _("Automatic: a GPU when there is one"));
  for (guint i = 0; listed != NULL && listed[i] != NULL; i++)
    {
      g_autofree char *description = NULL;
      g_autofree char *title = NULL;
      g_autoptr(GError) error = NULL;

      if (tessera_engine_check_device (engine, listed[i], &description, &error))
        title = g_strdup_printf ("%s: %s", listed[i], description);
      else
        title = g_strdup_printf ("%s: %s", listed[i], error->message);
      g_strv_builder_add (titles, title);
      g_strv_builder_add (values, listed[i]);
    }

  result[0] = g_strv_builder_end (values);
  result[1] = g_strv_builder_end (titles);
  g_task_return_pointer (task, result, (GDestroyNotify) device_lists_free);
}

/* The task holds the window weakly: a window closed while the thread
 * looks is disposed at once (cancelling the look), not when the thread
 * ends, after its parent may be gone. */
static void
on_devices_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(TesseraPreferences) self = g_weak_ref_get (weak);
  GStrv *lists = g_task_propagate_pointer (G_TASK (result), NULL);

  g_weak_ref_clear (weak);
  g_free (weak);
  if (lists == NULL)
    return;
  if (self != NULL)
    {
      g_clear_object (&self->listing);
      /* show_devices() takes the values */
      show_devices (self, g_steal_pointer (&lists[0]), lists[1]);
    }
  device_lists_free (lists);
}

/* Looking for GPUs makes a CUDA context, which takes a moment: the row
 * offers the current choice until the list comes from a thread. */
static void
fill_devices (TesseraPreferences *self,
              TesseraEngine      *engine)
{
  g_autofree char *current = self->settings != NULL ? g_settings_get_string (self->settings, "device")
                                                     : g_strdup ("auto");
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) titles = g_strv_builder_new ();
  g_auto(GStrv) shown = NULL;
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak;

  g_strv_builder_add (values, "auto");
  g_strv_builder_add (titles, _("Automatic: a GPU when there is one"));
  if (!g_str_equal (current, "auto"))
    {
      g_autofree char *title = g_strdup_printf (_("%s: looking for it…"), current);

      g_strv_builder_add (values, current);
      g_strv_builder_add (titles, title);
    }
  shown = g_strv_builder_end (titles);
  show_devices (self, g_strv_builder_end (values), shown);

  self->listing = g_cancellable_new ();
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (engine, self->listing, on_devices_listed, weak);
  g_task_run_in_thread (task, list_devices);
}

/**
 * tessera_preferences_new:
 * @parent: the window, whose win.import-model imports models
 * @library: (nullable): the models to list
 * @settings: (nullable): what the rows show and change
 */
GtkWidget *
tessera_preferences_new (GtkWindow           *parent,
                         TesseraEngine       *engine,
                         TesseraModelLibrary *library,
                         GSettings           *settings)
{
  TesseraPreferences *self = g_object_new (TESSERA_TYPE_PREFERENCES, "transient-for", parent, "modal", TRUE, NULL);

  g_set_object (&self->settings, settings);
  g_set_object (&self->library, library);
  fill_devices (self, engine);
  show_folders (self);
  if (library != NULL)
    {
      g_signal_connect_swapped (tessera_model_library_get_models (library), "items-changed",
                                G_CALLBACK (show_models), self);
      show_models (self);
    }
  if (settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->device_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->precision_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->gpu_memory_spin), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->folders_group), FALSE);
      return GTK_WIDGET (self);
    }

  {
    g_autofree char *precision = g_settings_get_string (settings, "precision");
    g_autofree char *format = g_settings_get_string (settings, "output-format");

    adw_combo_row_set_selected (self->precision_row, index_of (precision, precisions, G_N_ELEMENTS (precisions)));
    adw_combo_row_set_selected (self->format_row, index_of (format, formats, G_N_ELEMENTS (formats)));
  }
  g_signal_connect_swapped (self->device_row, "notify::selected", G_CALLBACK (on_device_selected), self);
  g_signal_connect_swapped (self->precision_row, "notify::selected", G_CALLBACK (on_precision_selected), self);
  g_signal_connect_swapped (self->format_row, "notify::selected", G_CALLBACK (on_format_selected), self);
  g_signal_connect_object (settings, "changed::model-folders", G_CALLBACK (show_folders), self, G_CONNECT_SWAPPED);
  g_settings_bind (settings, "gpu-memory", gtk_spin_button_get_adjustment (self->gpu_memory_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "tile-size", gtk_spin_button_get_adjustment (self->tile_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "tile-overlap", gtk_spin_button_get_adjustment (self->overlap_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "output-quality", gtk_spin_button_get_adjustment (self->quality_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "name-pattern", self->pattern_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "keep-metadata", self->metadata_switch, "active", G_SETTINGS_BIND_DEFAULT);
  return GTK_WIDGET (self);
}
