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
};

G_DEFINE_FINAL_TYPE (TesseraPreferences, tessera_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
on_device_selected (TesseraPreferences *self)
{
  guint selected = adw_combo_row_get_selected (self->device_row);

  if (self->settings != NULL && selected < g_strv_length (self->devices))
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

/* The devices to offer: automatic, then each the engine lists, described
 * (or why it cannot be used), with the value the option takes. */
static void
fill_devices (TesseraPreferences *self,
              TesseraEngine      *engine)
{
  g_auto(GStrv) listed = tessera_engine_list_devices (engine);
  g_autoptr(GStrvBuilder) values = g_strv_builder_new ();
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  gtk_string_list_append (titles, _("Automatic: a GPU when there is one"));
  g_strv_builder_add (values, "auto");
  for (guint i = 0; listed != NULL && listed[i] != NULL; i++)
    {
      g_autofree char *description = NULL;
      g_autofree char *title = NULL;
      g_autoptr(GError) error = NULL;

      if (tessera_engine_check_device (engine, listed[i], &description, &error))
        title = g_strdup_printf ("%s: %s", listed[i], description);
      else
        title = g_strdup_printf ("%s: %s", listed[i], error->message);
      gtk_string_list_append (titles, title);
      g_strv_builder_add (values, listed[i]);
    }

  self->devices = g_strv_builder_end (values);
  adw_combo_row_set_model (self->device_row, G_LIST_MODEL (titles));
}

GtkWidget *
tessera_preferences_new (GtkWindow     *parent,
                         TesseraEngine *engine,
                         GSettings     *settings)
{
  TesseraPreferences *self = g_object_new (TESSERA_TYPE_PREFERENCES, "transient-for", parent, "modal", TRUE, NULL);

  fill_devices (self, engine);
  if (settings == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->device_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->precision_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->gpu_memory_spin), FALSE);
      return GTK_WIDGET (self);
    }

  self->settings = g_object_ref (settings);
  {
    g_autofree char *device = g_settings_get_string (settings, "device");
    g_autofree char *precision = g_settings_get_string (settings, "precision");

    for (guint i = 0; self->devices[i] != NULL; i++)
      if (g_str_equal (self->devices[i], device))
        adw_combo_row_set_selected (self->device_row, i);
    adw_combo_row_set_selected (self->precision_row, g_str_equal (precision, "fp32") ? 1 : 0);
  }
  g_signal_connect_swapped (self->device_row, "notify::selected", G_CALLBACK (on_device_selected), self);
  g_signal_connect_swapped (self->precision_row, "notify::selected", G_CALLBACK (on_precision_selected), self);
  g_settings_bind (settings, "gpu-memory", gtk_spin_button_get_adjustment (self->gpu_memory_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);
  return GTK_WIDGET (self);
}
