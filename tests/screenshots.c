/* screenshots.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "tessera-batch-view.h"
#include "tessera-before-after-view.h"
#include "tessera-comparison-results.h"
#include "tessera-window.h"

/* Renders the window's main states into PNG files for the README:
 * build-aux/screenshots.sh runs it under Xvfb.
 *
 * Usage: screenshots OUTPUT_DIR IMAGE [UPSCALER [BATCH_FOLDER]]
 *
 * The batch is IMAGE and a few of BATCH_FOLDER's images, one of them
 * broken, written to a temporary folder.
 *
 * The settings it changes are the build tree's (GSETTINGS_BACKEND=memory
 * keeps them from the user's). */

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
wait_until (gboolean (*done) (TesseraWindow *),
            TesseraWindow *window,
            guint          seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (window) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
  return done (window);
}

static TesseraBeforeAfterView *
before_after_view (TesseraWindow *window)
{
  return TESSERA_BEFORE_AFTER_VIEW (tessera_window_get_before_after_view (window));
}

static gboolean
has_before (TesseraWindow *window)
{
  return tessera_before_after_view_get_before (before_after_view (window)) != NULL;
}

static gboolean
has_plan (TesseraWindow *window)
{
  return tessera_before_after_view_get_tile_plan (before_after_view (window)) != NULL;
}

/* A few of a model's tiles filled in, or a classic filter done. */
static gboolean
has_filled_tiles (TesseraWindow *window)
{
  return tessera_before_after_view_get_n_filled_tiles (before_after_view (window)) >= 3 ||
         !tessera_window_get_busy (window);
}

static gboolean
is_idle (TesseraWindow *window)
{
  return !tessera_window_get_busy (window);
}

static gboolean
comparison_is_idle (TesseraWindow *window)
{
  GtkWidget *results = tessera_window_get_comparison_results (window);

  return !tessera_comparison_results_get_busy (TESSERA_COMPARISON_RESULTS (results));
}

static gboolean
batch_is_done (TesseraWindow *window)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (TESSERA_BATCH_VIEW (tessera_window_get_batch_view (window)));

  return tessera_batch_get_state (batch) == TESSERA_BATCH_IDLE;
}

static void
save (GtkWidget  *window,
      const char *dir,
      const char *name,
      guint       settle_ms)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  int width, height;

  /* Drawn and laid out at its size first. */
  wait_ms (settle_ms);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s\n", path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) file = NULL;
  TesseraWindow *window;

  if (argc < 3)
    {
      g_printerr ("usage: %s OUTPUT_DIR IMAGE [UPSCALER]\n", argv[0]);
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_printerr ("no display\n");
      return 1;
    }
  adw_init ();

  window = g_object_new (TESSERA_TYPE_WINDOW, "default-width", 1100, "default-height", 700, NULL);
  gtk_window_present (GTK_WINDOW (window));
  save (GTK_WIDGET (window), argv[1], "empty.png", 500);

  file = g_file_new_for_commandline_arg (argv[2]);
  tessera_window_open (window, file);
  if (!wait_until (has_before, window, 30))
    g_error ("%s did not load", argv[2]);
  save (GTK_WIDGET (window), argv[1], "loaded.png", 500);

  g_object_set (tessera_window_get_upscale_panel (window), "upscaler", argc > 3 ? argv[3] : "lanczos", "tile-size", 48,
                "show-tiles", TRUE, NULL);
  if (wait_until (has_plan, window, 30))
    save (GTK_WIDGET (window), argv[1], "tiles.png", 500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL);
  wait_until (has_filled_tiles, window, 120);
  save (GTK_WIDGET (window), argv[1], "running.png", 100);
  if (!wait_until (is_idle, window, 600))
    g_error ("the upscale did not end");
  g_object_set (tessera_window_get_upscale_panel (window), "show-tiles", FALSE, NULL);
  tessera_before_after_view_set_split (before_after_view (window), 0.45);
  save (GTK_WIDGET (window), argv[1], "split.png", 500);

  /* Three upscalers on the cat's face. */
  {
    const char *compared[] = { argc > 3 ? argv[3] : "lanczos", "bicubic", "nearest", NULL };
    TesseraRect face = { 62, 8, 64, 64 };

    g_object_set (window, "comparing", TRUE, NULL);
    g_object_set (tessera_window_get_comparison_panel (window), "compared-upscalers", compared, NULL);
    tessera_before_after_view_set_region (before_after_view (window), &face);
    save (GTK_WIDGET (window), argv[1], "compare-region.png", 500);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.run-comparison", NULL);
    if (!wait_until (comparison_is_idle, window, 600))
      g_error ("the comparison did not end");
    save (GTK_WIDGET (window), argv[1], "comparison.png", 500);
    g_object_set (window, "comparing", FALSE, NULL);
  }

  if (argc > 4)
    {
      const char *names[] = { "rgb8.png", "truncated.png", "rgba8.png" };
      TesseraBatchView *batch = TESSERA_BATCH_VIEW (tessera_window_get_batch_view (window));
      g_autofree char *out = g_dir_make_tmp ("tessera-screenshots-XXXXXX", NULL);
      g_autoptr(GFile) out_folder = g_file_new_for_path (out);
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      g_ptr_array_add (files, g_object_ref (file));
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        g_ptr_array_add (files, g_file_new_build_filename (argv[4], names[i], NULL));
      gtk_widget_activate_action (GTK_WIDGET (window), "win.batch", NULL);
      tessera_batch_view_add_files (batch, (GFile **) files->pdata, files->len);
      tessera_batch_view_set_output_folder (batch, out_folder);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.start-batch", NULL);
      if (!wait_until (batch_is_done, window, 600))
        g_error ("the batch did not end");
      save (GTK_WIDGET (window), argv[1], "batch.png", 800);
      for (guint i = 0; i < files->len; i++)
        {
          g_autoptr(TesseraBatchItem) item = g_list_model_get_item (tessera_batch_get_items (tessera_batch_view_get_batch (batch)), i);

          if (tessera_batch_item_get_output (item) != NULL)
            g_file_delete (tessera_batch_item_get_output (item), NULL, NULL);
        }
      g_rmdir (out);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
