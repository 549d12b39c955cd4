/* tessera-application.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-application"

#include "config.h"

#include <glib/gi18n.h>

#include "tessera-application.h"
#include "tessera-window.h"

struct _TesseraApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TesseraApplication, tessera_application, ADW_TYPE_APPLICATION)

static void
tessera_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (tessera_window_new (TESSERA_APPLICATION (app)));

  gtk_window_present (window);
}

static void
tessera_application_open (GApplication  *app,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  /* One window per image. */
  for (int i = 0; i < n_files; i++)
    {
      TesseraWindow *window = tessera_window_new (TESSERA_APPLICATION (app));

      tessera_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *parent = gtk_application_get_active_window (app);
#if ADW_CHECK_VERSION (1, 4, 0)
  /* Name, summary, licence and release from the metainfo. */
  GtkWidget *about = adw_about_window_new_from_appdata ("/io/github/tessera/Tessera/metainfo.xml", PACKAGE_VERSION);

  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), (const char *[]) { _("The Tessera authors"), NULL });
  gtk_window_present (GTK_WINDOW (about));
#else
  const char *developers[] = { _("The Tessera authors"), NULL };

  adw_show_about_window (parent,
                         "application-name", _("Tessera"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Upscale images with neural networks and classic filters"),
                         NULL);
#endif
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
tessera_application_class_init (TesseraApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = tessera_application_activate;
  app_class->open = tessera_application_open;
}

static void
tessera_application_init (TesseraApplication *self)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
}

TesseraApplication *
tessera_application_new (void)
{
  return g_object_new (TESSERA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/tessera/Tessera",
                       NULL);
}
