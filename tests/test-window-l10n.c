/* test-window-l10n.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "tessera-test-utils.h"
#include "tessera-window.h"

/* The window started in the locale of TESSERA_TEST_LOCALE (ru_RU.UTF-8,
 * ko_KR.UTF-8), with the build tree's catalogues: its labels are the
 * translations, and no label it shows is an English message the
 * catalogue translates. LOCPATH points at the locales the build made
 * (tests/meson.build), so no system locale needs generating. */

static const char *test_locale;
static gboolean have_display;

/* Every text the widget tree under @widget shows: labels, button
 * labels, row titles and subtitles, window titles, tooltips. */
static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  const char *properties[] = { "label", "title", "subtitle", "tooltip-text", "placeholder-text" };

  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (widget), properties[i]);
      g_autofree char *text = NULL;

      if (pspec == NULL || pspec->value_type != G_TYPE_STRING)
        continue;
      g_object_get (widget, properties[i], &text, NULL);
      if (text != NULL && text[0] != '\0')
        g_ptr_array_add (texts, g_steal_pointer (&text));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

/* Whether @text is a message the catalogue has a translation for, shown
 * untranslated; GTK's own strings come from its own catalogue. */
static gboolean
is_untranslated (const char *text)
{
  return g_strcmp0 (g_dgettext (GETTEXT_PACKAGE, text), text) != 0;
}

static gboolean
contains_text (GPtrArray  *texts,
               const char *wanted)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), wanted))
      return TRUE;
  return FALSE;
}

static void
test_window_translated (void)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  TesseraWindow *window;
  guint n_translated = 0;

  if (!have_display)
    {
      g_test_skip ("no display (the test command runs this suite under xvfb-run)");
      return;
    }

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  collect_texts (GTK_WIDGET (window), texts);
  g_assert_cmpuint (texts->len, >, 20);

  /* A few labels a user sees first, in the catalogue's words. */
  g_assert_true (contains_text (texts, _("Drop an Image Here")));
  g_assert_true (contains_text (texts, _("_Upscaler")));
  g_assert_true (contains_text (texts, _("_Denoise")));
  g_assert_true (contains_text (texts, _("Tiles")));

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (is_untranslated (text))
        g_error ("“%s” is shown in English in %s", text, test_locale);
      /* Translated text is not plain ASCII in these languages. */
      for (const char *p = text; *p != '\0'; p++)
        if ((guchar) *p >= 0x80)
          {
            n_translated++;
            break;
          }
    }
  /* Most labels are words; the rest are numbers, names and shortcuts. */
  g_assert_cmpuint (n_translated, >=, texts->len / 2);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The catalogue itself: loaded, and saying the messages the window and
 * the engine use in this language. */
static void
test_catalogue_loaded (void)
{
  g_assert_cmpstr (setlocale (LC_MESSAGES, NULL), ==, test_locale);
  g_assert_cmpstr (_("Drop an Image Here"), !=, "Drop an Image Here");
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "no CUDA device found"), !=, "no CUDA device found");
  g_assert_true (g_utf8_validate (_("Drop an Image Here"), -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  test_locale = g_getenv ("TESSERA_TEST_LOCALE");
  g_assert_nonnull (test_locale);

  g_setenv ("LC_ALL", test_locale, TRUE);
  g_setenv ("LANGUAGE", "", TRUE);
  if (setlocale (LC_ALL, "") == NULL)
    {
      g_printerr ("%s is not available: the locales package has the definitions the build "
                  "compiles them from (build-aux/dev.sh installs it)\n", test_locale);
      return 1;
    }
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("TESSERA_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_add_func ("/ui/l10n/catalogue", test_catalogue_loaded);
  g_test_add_func ("/ui/l10n/window", test_window_translated);
  return g_test_run ();
}
