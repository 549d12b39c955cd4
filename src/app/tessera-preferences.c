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
 * the engine lists), a GPU's precision and its memory limit, stored in
 * the settings the window reads when it starts an upscale. Without
 * settings the rows still show, insensitive. */

struct _TesseraPreferences
{
  AdwPreferencesWindow  parent_instance;

  AdwComboRow          *device_row;
  AdwComboRow          *precision_row;
  GtkSpinButton        *gpu_memory_spin;

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

static void
on_precision_selected (TesseraPreferences *self)
{
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "precision",
                           adw_combo_row_get_selected (self->precision_row) == 1 ? "fp32" : "fp16");
}

static void
tessera_preferences_dispose (GObject *object)
{
  TesseraPreferences *self = TESSERA_PREFERENCES (object);

  if (self->listing != NULL)
    g_cancellable_cancel (self->listing);
  g_clear_object (&self->listing);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->devices, g_strfreev);
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
}

static void
tessera_preferences_init (TesseraPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
  g_task_return_pointer (task, result, NULL);
}

static void
on_devices_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TesseraPreferences) self = user_data;
  g_autofree GStrv *lists = g_task_propagate_pointer (G_TASK (result), NULL);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_strfreev (lists[0]);
      g_strfreev (lists[1]);
      return;
    }
  g_clear_object (&self->listing);
  show_devices (self, lists[0], lists[1]);
  g_strfreev (lists[1]);
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
  task = g_task_new (engine, self->listing, on_devices_listed, g_object_ref (self));
  g_task_run_in_thread (task, list_devices);
}

GtkWidget *
tessera_preferences_new (GtkWindow     *parent,
                         TesseraEngine *engine,
                         GSettings     *settings)
{
  TesseraPreferences *self = g_object_new (TESSERA_TYPE_PREFERENCES, "transient-for", parent, "modal", TRUE, NULL);

  g_set_object (&self->settings, settings);
  fill_devices (self, engine);
  if (settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->device_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->precision_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->gpu_memory_spin), FALSE);
      return GTK_WIDGET (self);
    }

  {
    g_autofree char *precision = g_settings_get_string (settings, "precision");

    adw_combo_row_set_selected (self->precision_row, g_str_equal (precision, "fp32") ? 1 : 0);
  }
  g_signal_connect_swapped (self->device_row, "notify::selected", G_CALLBACK (on_device_selected), self);
  g_signal_connect_swapped (self->precision_row, "notify::selected", G_CALLBACK (on_precision_selected), self);
  g_settings_bind (settings, "gpu-memory", gtk_spin_button_get_adjustment (self->gpu_memory_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  return GTK_WIDGET (self);
}
