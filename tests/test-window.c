/* test-window.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <tiffio.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "tessera-batch-view.h"
#include "tessera-before-after-view.h"
#include "tessera-comparison-panel.h"
#include "tessera-comparison-results.h"
#include "tessera-comparison-geometry.h"
#include "tessera-frame-scrubber.h"
#include "tessera-preferences.h"
#include "tessera-redraw-panel.h"
#include "tessera-test-utils.h"
#include "tessera-tile-overlay.h"
#include "tessera-upscale-panel.h"
#include "tessera-window.h"

/* The window driven as a person would, through its actions, on a real
 * display (the test command runs this suite under Xvfb). Warnings are
 * fatal. Without a display every test is skipped and says so. */

static gboolean have_display;

/* Whether there is a display; if not, the test is skipped, saying so. */
static gboolean
display_or_skip (void)
{
  if (!have_display)
    g_test_skip ("no display (the test command runs this suite under xvfb-run)");
  return have_display;
}

/* Whether the model at @path (%NULL without TESSERA_TEST_MODELS) was
 * fetched; if not, the test is skipped, saying so. */
static gboolean
model_or_skip (const char *path)
{
  if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip ("needs the fetched models (build-aux/fetch-models.sh, TESSERA_TEST_MODELS)");
  return FALSE;
}

static gboolean
timed_out (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @done (@data) holds, for at most @seconds. */
static gboolean
wait_for (gboolean (*done) (TesseraWindow *),
          TesseraWindow *window,
          guint          seconds)
{
  gboolean expired = FALSE;
  guint timeout = g_timeout_add_seconds (seconds, timed_out, &expired);

  while (!done (window) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (timeout);
  return done (window);
}

/* The window's panels, as the tests drive them. */
static TesseraBeforeAfterView *
before_after_view (TesseraWindow *window)
{
  return TESSERA_BEFORE_AFTER_VIEW (tessera_window_get_before_after_view (window));
}

static GObject *
upscale_panel (TesseraWindow *window)
{
  return G_OBJECT (tessera_window_get_upscale_panel (window));
}

static GObject *
comparison_panel (TesseraWindow *window)
{
  return G_OBJECT (tessera_window_get_comparison_panel (window));
}

static gboolean
has_before (TesseraWindow *window)
{
  return tessera_before_after_view_get_before (before_after_view (window)) != NULL;
}

static gboolean
has_after (TesseraWindow *window)
{
  return tessera_before_after_view_get_after (before_after_view (window)) != NULL;
}

static gboolean
is_idle (TesseraWindow *window)
{
  return !tessera_window_get_busy (window);
}

static gboolean has_saved (TesseraWindow *window);
static void     wait_ms   (guint          ms);

static TesseraWindow *
window_with_sample (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "chelsea.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  TesseraWindow *window = g_object_new (TESSERA_TYPE_WINDOW, NULL);

  gtk_window_present (GTK_WINDOW (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));
  return window;
}

static void
test_upscale (void)
{
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  GdkTexture *before;

  if (!display_or_skip ())
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  before = tessera_before_after_view_get_before (view);
  g_assert_false (has_after (window));

  g_object_set (upscale_panel (window), "upscaler", "bicubic", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (wait_for (has_after, window, 60));
  g_assert_true (wait_for (is_idle, window, 10));

  /* A classic filter at the model's own scale means ×4. */
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_after (view)), ==,
                   4 * gdk_texture_get_width (before));
  g_assert_cmpint (gdk_texture_get_height (tessera_before_after_view_get_after (view)), ==,
                   4 * gdk_texture_get_height (before));
  g_assert_true (tessera_before_after_view_get_before (view) == before);

  /* The header's mode buttons reach the view. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-mode", "s", "side-by-side"));
  g_assert_cmpint (tessera_before_after_view_get_mode (view), ==, TESSERA_BEFORE_AFTER_SIDE_BY_SIDE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-mode", "s", "blink"));
  g_assert_cmpint (tessera_before_after_view_get_mode (view), ==, TESSERA_BEFORE_AFTER_BLINK);

  /* Saved as TIFF, at the input's 8 bits, then at the 16 the Save
   * dialog's choice asks for. */
  for (guint depth = 8; depth <= 16; depth += 8)
    {
      g_autofree char *dir = test_make_tmpdir ();
      g_autofree char *path = g_build_filename (dir, "result.tif", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      guint32 width;
      guint16 bits;
      TIFF *tiff;

      g_object_set_data (G_OBJECT (window), "tessera-save-depth", GUINT_TO_POINTER (depth == 16 ? 16 : 0));
      g_object_set_data_full (G_OBJECT (window), "test-saved", g_strdup (path), g_free);
      tessera_window_save (window, file);
      g_assert_true (wait_for (has_saved, window, 20));
      g_assert_true (wait_for (is_idle, window, 10));
      wait_ms (100);
      tiff = TIFFOpen (path, "r");
      g_assert_nonnull (tiff);
      TIFFGetField (tiff, TIFFTAG_IMAGEWIDTH, &width);
      TIFFGetField (tiff, TIFFTAG_BITSPERSAMPLE, &bits);
      g_assert_cmpuint (width, ==, 4 * gdk_texture_get_width (before));
      g_assert_cmpuint (bits, ==, depth);
      TIFFClose (tiff);
      test_remove_tmpdir (g_steal_pointer (&dir));
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* To a width: the height keeps the proportions, as the engine rounds it. */
static void
test_target_size (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  TesseraWindow *window;
  GdkTexture *before, *after;
  guint width, height;

  if (!display_or_skip ())
    return;

  settings = g_settings_new ("io.github.tessera.Tessera");
  g_settings_set_uint (settings, "scale", 5);
  g_settings_set_uint (settings, "target-size", 500);
  window = window_with_sample ();
  before = tessera_before_after_view_get_before (before_after_view (window));
  g_object_set (upscale_panel (window), "upscaler", "lanczos", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (wait_for (has_after, window, 60));

  tessera_upscale_options_set_width (options, 500);
  g_assert_true (tessera_upscale_options_compute_size (options, gdk_texture_get_width (before),
                                                       gdk_texture_get_height (before), &width, &height, NULL));
  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_cmpint (gdk_texture_get_width (after), ==, 500);
  g_assert_cmpint (gdk_texture_get_height (after), ==, height);

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "scale");
  g_settings_reset (settings, "target-size");
}

/* "1× (restore only)", last in the scale row: the result keeps the
 * image's size. */
static void
test_restore_scale (void)
{
  g_autoptr(GSettings) settings = NULL;
  TesseraWindow *window;
  GdkTexture *before, *after;

  if (!display_or_skip ())
    return;

  settings = g_settings_new ("io.github.tessera.Tessera");
  g_settings_set_uint (settings, "scale", 7);
  window = window_with_sample ();
  before = tessera_before_after_view_get_before (before_after_view (window));
  g_object_set (upscale_panel (window), "upscaler", "lanczos", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (wait_for (has_after, window, 60));

  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_cmpint (gdk_texture_get_width (after), ==, gdk_texture_get_width (before));
  g_assert_cmpint (gdk_texture_get_height (after), ==, gdk_texture_get_height (before));

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "scale");
}

/* A model run on the CPU, cancelled: it stops, nothing replaces the before
 * image, and the window can upscale again. */
static void
test_cancel (void)
{
  g_autofree char *model = test_real_model_path ("waifu2x@1.6.5/real-esrgan/models/realesrgan-x4plus-anime.param");
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  GdkTexture *before;
  gint64 cancelled;

  if (!display_or_skip () || !model_or_skip (model))
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  before = tessera_before_after_view_get_before (view);

  g_object_set (upscale_panel (window), "upscaler", "realesrgan-x4plus-anime", NULL);
  {
    g_autofree char *chosen = NULL;

    g_object_get (upscale_panel (window), "upscaler", &chosen, NULL);
    g_assert_cmpstr (chosen, ==, "realesrgan-x4plus-anime");
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (tessera_window_get_busy (window));

  /* Let it start, then Escape's action. */
  {
    gboolean expired = FALSE;

    g_timeout_add (300, timed_out, &expired);
    while (!expired)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_true (tessera_window_get_busy (window));
  cancelled = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_true (wait_for (is_idle, window, 30));
  g_test_message ("cancelled in %.0f ms", (g_get_monotonic_time () - cancelled) / 1000.0);

  g_assert_false (has_after (window));
  g_assert_cmpuint (tessera_before_after_view_get_n_filled_tiles (view), ==, 0);
  g_assert_true (tessera_before_after_view_get_before (view) == before);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_plan (TesseraWindow *window)
{
  return tessera_before_after_view_get_tile_plan (before_after_view (window)) != NULL;
}

/* The overlay shows the engine's plan for the chosen model and tile size,
 * and follows the tile size as it changes, before anything runs. */
static void
test_tile_overlay (void)
{
  g_autofree char *model = test_real_model_path ("waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param");
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  TesseraTilePlan *plan;
  GdkTexture *before;

  if (!display_or_skip () || !model_or_skip (model))
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  before = tessera_before_after_view_get_before (view);
  g_object_set (upscale_panel (window), "upscaler", "realesr-animevideov3-x4", "tile-size", 128, "show-tiles", TRUE,
                NULL);
  g_assert_true (wait_for (has_plan, window, 30));

  for (guint tile = 128; tile >= 64; tile /= 2)
    {
      g_autoptr(TesseraTilePlan) expected = NULL;

      g_object_set (upscale_panel (window), "tile-size", tile, NULL);
      /* Until the new plan comes, the old one may still show. */
      while (!has_plan (window) ||
             tessera_tile_plan_get_tile_size (tessera_before_after_view_get_tile_plan (view)) != tile)
        g_main_context_iteration (NULL, TRUE);
      plan = tessera_before_after_view_get_tile_plan (view);
      expected = tessera_tile_plan_new (gdk_texture_get_width (before), gdk_texture_get_height (before), tile, 32, 10);
      g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), ==, tessera_tile_plan_get_n_tiles (expected));
      g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), >, 1);
    }

  g_object_set (upscale_panel (window), "show-tiles", FALSE, NULL);
  g_assert_false (has_plan (window));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_filled_tiles (TesseraWindow *window)
{
  return tessera_before_after_view_get_n_filled_tiles (before_after_view (window)) >= 2;
}

/* A model's tiles fill in the after side as they finish, with the run's
 * own plan in the overlay; the result then replaces them. */
static void
test_tiles_fill_in (void)
{
  g_autofree char *model = test_real_model_path ("waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param");
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  TesseraTilePlan *plan;
  GdkTexture *before;

  if (!display_or_skip () || !model_or_skip (model))
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  before = tessera_before_after_view_get_before (view);
  g_object_set (upscale_panel (window), "upscaler", "realesr-animevideov3-x4", "tile-size", 48, "show-tiles", TRUE,
                NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));

  g_assert_true (wait_for (has_filled_tiles, window, 60));
  g_assert_true (tessera_window_get_busy (window));
  g_assert_false (has_after (window));
  plan = tessera_before_after_view_get_tile_plan (view);
  g_assert_nonnull (plan);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 48);
  g_assert_cmpuint (tessera_tile_plan_get_width (plan), ==, gdk_texture_get_width (before));

  g_assert_true (wait_for (is_idle, window, 120));
  g_assert_true (has_after (window));
  g_assert_cmpuint (tessera_before_after_view_get_n_filled_tiles (view), ==, 0);
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_after (view)), ==,
                   4 * gdk_texture_get_width (before));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
wait_ms (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

/* The darkest and lightest grey along the middle row of the view as
 * drawn. */
static void
view_row_range (GtkWidget *view,
                guint     *low,
                guint     *high)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (view);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height * 4);
  const guint8 *row;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (view)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_texture_download (texture, pixels, (gsize) width * 4);

  *low = 255;
  *high = 0;
  row = pixels + (gsize) (height / 2) * width * 4;
  for (int x = width / 4; x < 3 * width / 4; x++)
    {
      guint green = row[4 * x + 1];   /* the same in every channel */

      *low = MIN (*low, green);
      *high = MAX (*high, green);
    }
}

/* An image wider than a texture may be shows reduced, and sharp where
 * zoomed in: its alternating black and white columns average to grey in
 * the reduced texture, and are black and white again at full zoom. */
static void
test_large_image (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;
  TesseraWindow *window;
  GtkWidget *view;
  guint low, high;

  if (!display_or_skip ())
    return;

  image = tessera_image_new (9000, 64, FALSE, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < 64; y++)
      for (guint x = 0; x < 9000; x++)
        tessera_image_get_plane (image, c)[y * 9000 + x] = x % 2;
  dir = test_make_tmpdir ();
  path = g_build_filename (dir, "columns.png", NULL);
  file = g_file_new_for_path (path);
  g_assert_true (tessera_image_save (image, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));

  window = g_object_new (TESSERA_TYPE_WINDOW, "default-width", 1000, "default-height", 600, NULL);
  gtk_window_present (GTK_WINDOW (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 30));
  view = tessera_window_get_before_after_view (window);
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_before (TESSERA_BEFORE_AFTER_VIEW (view))), ==,
                   4500);
  while (gtk_widget_get_width (view) == 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (gtk_widget_activate_action (view, "view.zoom-original", NULL));
  for (guint i = 0; i < 7; i++)
    g_assert_true (gtk_widget_activate_action (view, "view.zoom-in", NULL));
  g_assert_cmpfloat (tessera_before_after_view_get_zoom (TESSERA_BEFORE_AFTER_VIEW (view)), >, 4.0);
  wait_ms (100);
  view_row_range (view, &low, &high);
  g_test_message ("zoomed in: %u to %u", low, high);
  g_assert_cmpuint (high - low, >, 150);

  /* Fitted, the reduced texture is what shows: even grey. */
  g_assert_true (gtk_widget_activate_action (view, "view.zoom-fit", NULL));
  wait_ms (100);
  view_row_range (view, &low, &high);
  g_test_message ("fitted: %u to %u", low, high);
  g_assert_cmpuint (high - low, <, 40);

  gtk_window_destroy (GTK_WINDOW (window));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static GdkTexture *
make_texture (int width,
              int height)
{
  g_autofree guint8 *pixels = g_malloc0 ((gsize) width * height * 4);
  g_autoptr(GBytes) bytes = NULL;

  for (int i = 0; i < width * height; i++)
    pixels[4 * i] = pixels[4 * i + 3] = 255;
  bytes = g_bytes_new (pixels, (gsize) width * height * 4);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, width * 4);
}

static int before_width_wanted;

static gboolean
has_wanted_before (TesseraWindow *window)
{
  GdkTexture *before = tessera_before_after_view_get_before (before_after_view (window));

  return before != NULL && gdk_texture_get_width (before) == before_width_wanted;
}

static gboolean
drop_on (TesseraWindow *window,
         const GValue  *value)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_signal_emit_by_name (controller, "drop", value, 10.0, 10.0, &accepted);
          return accepted;
        }
    }
  g_assert_not_reached ();
}

/* Pixels pasted, a file dropped and pixels dropped each become the image. */
static void
test_paste_and_drop (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "chelsea.png", NULL);
  g_autoptr(GdkTexture) pasted = NULL;
  g_autoptr(GdkTexture) dropped = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GValue value = G_VALUE_INIT;
  TesseraWindow *window;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));

  pasted = make_texture (37, 21);
  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (window)), pasted);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.paste", NULL));
  before_width_wanted = 37;
  g_assert_true (wait_for (has_wanted_before, window, 10));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), !=, NULL);

  g_value_init (&value, G_TYPE_FILE);
  g_value_set_object (&value, file);
  g_assert_true (drop_on (window, &value));
  g_value_unset (&value);
  before_width_wanted = 180;
  g_assert_true (wait_for (has_wanted_before, window, 10));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "chelsea.png");

  dropped = make_texture (12, 9);
  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_value_set_object (&value, dropped);
  g_assert_true (drop_on (window, &value));
  g_value_unset (&value);
  before_width_wanted = 12;
  g_assert_true (wait_for (has_wanted_before, window, 10));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Choices outlive the window (GSettings, memory backend in tests). */
static void
test_settings (void)
{
  TesseraWindow *window;
  g_autofree char *upscaler = NULL;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  g_object_set (upscale_panel (window), "upscaler", "bicubic", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compare-mode", "s", "side-by-side"));
  gtk_window_destroy (GTK_WINDOW (window));

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  g_object_get (upscale_panel (window), "upscaler", &upscaler, NULL);
  g_assert_cmpstr (upscaler, ==, "bicubic");
  g_assert_cmpint (tessera_before_after_view_get_mode (before_after_view (window)),
                   ==, TESSERA_BEFORE_AFTER_SIDE_BY_SIDE);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
comparison_is_idle (TesseraWindow *window)
{
  GtkWidget *results = tessera_window_get_comparison_results (window);

  return !tessera_comparison_results_get_busy (TESSERA_COMPARISON_RESULTS (results));
}

/* @texture's pixels as 8-bit RGBA. */
static guchar *
download (GdkTexture *texture)
{
  guchar *pixels = g_malloc ((gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4);

  gdk_texture_download (texture, pixels, gdk_texture_get_width (texture) * 4);
  return pixels;
}

/* Whether @part is the rectangle of @whole at (@x, @y), within one step of
 * 8 bits: the same filter on the region with its context as on the whole. */
static gboolean
texture_is_part (GdkTexture *part,
                 GdkTexture *whole,
                 int         x,
                 int         y)
{
  g_autofree guchar *a = download (part);
  g_autofree guchar *b = download (whole);
  int width = gdk_texture_get_width (part), stride = gdk_texture_get_width (whole) * 4;

  for (int row = 0; row < gdk_texture_get_height (part); row++)
    for (int i = 0; i < width * 4; i++)
      if (abs (a[row * width * 4 + i] - b[(y + row) * stride + x * 4 + i]) > 1)
        return FALSE;
  return TRUE;
}

/* Two classic filters compared on a region by the edge of the image:
 * each picture is the region ×4, the two differ, and each is what the
 * filter makes of the same pixels in the whole image. “Use This” then
 * upscales the whole image with it. */
static void
test_compare_region (void)
{
  const char *compared[] = { "bicubic", "nearest", NULL };
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  TesseraComparisonResults *comparison;
  TesseraRect region = { 0, 40, 100, 64 };
  g_auto(GStrv) chosen = NULL;
  GdkTexture *bicubic, *nearest;
  guint columns, rows;

  if (!display_or_skip ())
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  comparison = TESSERA_COMPARISON_RESULTS (tessera_window_get_comparison_results (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);

  g_assert_false (tessera_before_after_view_get_region_shown (view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.comparing", NULL));
  g_assert_true (tessera_before_after_view_get_region_shown (view));

  g_object_set (comparison_panel (window), "compared-upscalers", compared, NULL);
  g_object_get (comparison_panel (window), "compared-upscalers", &chosen, NULL);
  g_assert_cmpstrv (chosen, compared);
  tessera_before_after_view_set_region (view, &region);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-comparison", NULL));
  g_assert_true (tessera_comparison_results_get_busy (comparison));
  g_assert_true (wait_for (comparison_is_idle, window, 60));

  g_assert_cmpuint (tessera_comparison_results_get_n_upscalers (comparison), ==, 2);
  g_assert_cmpstr (tessera_comparison_results_get_upscaler (comparison, 0), ==, "bicubic");
  bicubic = tessera_comparison_results_get_result (comparison, 0);
  nearest = tessera_comparison_results_get_result (comparison, 1);
  g_assert_nonnull (bicubic);
  g_assert_nonnull (nearest);
  g_assert_cmpint (gdk_texture_get_width (bicubic), ==, 4 * region.width);
  g_assert_cmpint (gdk_texture_get_height (bicubic), ==, 4 * region.height);
  g_assert_false (texture_is_part (bicubic, nearest, 0, 0));

  /* Laid out side by side in the window, both pictures shown. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  tessera_comparison_results_get_columns (comparison, &columns, &rows);
  g_assert_cmpuint (columns * rows, >=, 2);

  g_object_ref (bicubic);
  tessera_comparison_results_apply (comparison, 0);
  g_assert_false (tessera_before_after_view_get_region_shown (view));
  g_assert_true (wait_for (has_after, window, 60));
  g_assert_true (wait_for (is_idle, window, 10));
  g_assert_true (texture_is_part (bicubic, tessera_before_after_view_get_after (view), 4 * region.x, 4 * region.y));
  g_object_unref (bicubic);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
batch_is_done (TesseraWindow *window)
{
  TesseraBatch *batch = tessera_batch_view_get_batch (TESSERA_BATCH_VIEW (tessera_window_get_batch_view (window)));

  return tessera_batch_get_state (batch) == TESSERA_BATCH_IDLE && tessera_batch_get_n_waiting (batch) == 0;
}

/* Three images, one of them broken, upscaled as a batch from the
 * window: two results written at ×4, and the broken one's error, naming
 * it, kept on its item. */
static void
test_batch (void)
{
  const char *names[] = { "rgb8.png", "truncated.png", "rgba8.png" };
  g_autofree char *out = test_make_tmpdir ();
  g_autoptr(GFile) out_folder = g_file_new_for_path (out);
  GFile *files[G_N_ELEMENTS (names)];
  TesseraWindow *window;
  TesseraBatchView *view;
  TesseraBatch *batch;
  GListModel *items;

  if (!display_or_skip ())
    {
      test_remove_tmpdir (g_steal_pointer (&out));
      return;
    }

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  view = TESSERA_BATCH_VIEW (tessera_window_get_batch_view (window));
  batch = tessera_batch_view_get_batch (view);
  g_object_set (upscale_panel (window), "upscaler", "bicubic", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.batch", NULL));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *relative = g_build_filename ("images", names[i], NULL);

      files[i] = test_data_file (relative);
    }
  tessera_batch_view_add_files (view, files, G_N_ELEMENTS (files));
  tessera_batch_view_set_output_folder (view, out_folder);
  items = tessera_batch_get_items (batch);
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 3);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-batch", NULL));
  g_assert_true (wait_for (batch_is_done, window, 120));
  g_assert_cmpuint (tessera_batch_get_n_done (batch), ==, 2);
  g_assert_cmpuint (tessera_batch_get_n_failed (batch), ==, 1);
  g_assert_cmpuint (test_count_files (out), ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(TesseraBatchItem) item = g_list_model_get_item (items, i);

      if (i == 1)
        {
          g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_FAILED);
          g_assert_nonnull (strstr (tessera_batch_item_get_error (item), "truncated.png"));
        }
      else
        {
          g_autoptr(TesseraImage) input = tessera_image_new_from_file (files[i], NULL, NULL);
          g_autoptr(TesseraImage) output = tessera_image_new_from_file (tessera_batch_item_get_output (item), NULL,
                                                                        NULL);

          g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
          g_assert_nonnull (output);
          g_assert_cmpuint (tessera_image_get_width (output), ==, 4 * tessera_image_get_width (input));
        }
      g_object_unref (files[i]);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  test_remove_tmpdir (g_steal_pointer (&out));
}

static gboolean
is_not_importing (TesseraWindow *window)
{
  return !tessera_window_get_importing (window);
}

static gboolean
offers (TesseraWindow *window,
        const char    *upscaler)
{
  g_autofree char *chosen = NULL;

  g_object_set (upscale_panel (window), "upscaler", upscaler, NULL);
  g_object_get (upscale_panel (window), "upscaler", &chosen, NULL);
  return g_strcmp0 (chosen, upscaler) == 0;
}

static gboolean
offers_dni_models (TesseraWindow *window)
{
  return offers (window, "tiny-general-wdn-x2") && offers (window, "tiny-general-x2");
}

/* A second model after the upscaler and TTA are kept in the settings and
 * come back as a chain, “A+B”, and the tta option; the chain's scale is
 * the product of its models'. */
static void
test_chain_settings (void)
{
  g_autoptr(GFile) folder = test_data_file ("models/dni");
  g_autofree char *path = g_file_get_path (folder);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autoptr(TesseraUpscaleOptions) options = NULL;
  g_autoptr(TesseraUpscaleOptions) alone = NULL;
  g_autofree char *then = NULL;
  const char *folders[] = { path, NULL };
  const char *none[] = { NULL };
  TesseraWindow *window;

  if (!display_or_skip ())
    return;

  g_settings_set_strv (settings, "model-folders", folders);
  g_settings_set_uint (settings, "scale", 0);
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  g_assert_true (wait_for (offers_dni_models, window, 10));
  g_object_set (upscale_panel (window), "then-upscaler", "tiny-general-wdn-x2", "tta", TRUE, NULL);
  g_assert_true (g_settings_get_boolean (settings, "tta"));
  gtk_window_destroy (GTK_WINDOW (window));

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  g_assert_true (wait_for (offers_dni_models, window, 10));
  g_object_get (upscale_panel (window), "then-upscaler", &then, NULL);
  g_assert_cmpstr (then, ==, "tiny-general-wdn-x2");
  options = tessera_upscale_panel_get_options (TESSERA_UPSCALE_PANEL (upscale_panel (window)), NULL);
  g_assert_cmpstr (tessera_upscale_options_get_upscaler (options), ==, "tiny-general-x2+tiny-general-wdn-x2");
  g_assert_true (tessera_upscale_options_get_tta (options));
  g_assert_cmpfloat (tessera_upscale_options_get_scale (options), ==, 4.0);
  /* Compared upscalers run alone. */
  alone = tessera_upscale_panel_get_options (TESSERA_UPSCALE_PANEL (upscale_panel (window)), "bicubic");
  g_assert_cmpstr (tessera_upscale_options_get_upscaler (alone), ==, "bicubic");

  g_object_set (upscale_panel (window), "then-upscaler", NULL, "tta", FALSE, NULL);
  g_free (then);
  then = g_settings_get_string (settings, "then-upscaler");
  g_assert_cmpstr (then, ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_set_strv (settings, "model-folders", none);
}

/* A valid model is checked, copied into the user's folder and offered;
 * a broken one is refused, saying why, and nothing of it is copied. */
static void
test_import_model (void)
{
  g_autoptr(GFile) valid = test_data_file ("models/tiny-compact.safetensors");
  g_autoptr(GFile) broken = test_data_file ("models/broken-compact.safetensors");
  TesseraWindow *window;
  GFile *user_folder;
  g_autoptr(GFile) copied = NULL;
  g_autoptr(GFile) refused = NULL;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  user_folder = tessera_model_library_get_user_folder (tessera_window_get_model_library (window));
  copied = g_file_get_child (user_folder, "tiny-compact.safetensors");
  refused = g_file_get_child (user_folder, "broken-compact.safetensors");
  g_assert_false (offers (window, "tiny-compact"));

  tessera_window_import_model (window, valid);
  g_assert_true (wait_for (is_not_importing, window, 30));
  g_assert_null (tessera_window_get_last_error (window));
  g_assert_true (g_file_query_exists (copied, NULL));
  g_assert_true (offers (window, "tiny-compact"));

  tessera_window_import_model (window, broken);
  g_assert_true (wait_for (is_not_importing, window, 30));
  g_assert_nonnull (tessera_window_get_last_error (window));
  g_assert_nonnull (strstr (tessera_window_get_last_error (window), "broken-compact.safetensors"));
  g_assert_false (g_file_query_exists (refused, NULL));
  g_assert_false (offers (window, "broken-compact"));

  /* Gone again for the other tests. */
  g_assert_true (g_file_delete (copied, NULL, NULL));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
offers_dni_model (TesseraWindow *window)
{
  return offers (window, "tiny-general-x2");
}

/* Two whole results go side by side in the view, labelled; the one
 * picked becomes the result as it is, without running again. */
static void
test_compare_whole_image (void)
{
  const char *compared[] = { "bicubic", "nearest", "lanczos", NULL };
  TesseraWindow *window;
  TesseraBeforeAfterView *view;
  TesseraComparisonResults *comparison;
  g_autoptr(GdkTexture) input = NULL;

  if (!display_or_skip ())
    return;

  window = window_with_sample ();
  view = before_after_view (window);
  comparison = TESSERA_COMPARISON_RESULTS (tessera_window_get_comparison_results (window));
  input = g_object_ref (tessera_before_after_view_get_before (view));
  g_object_set (window, "comparing", TRUE, NULL);
  g_object_set (comparison_panel (window), "compared-upscalers", compared, "whole-image", TRUE, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-comparison", NULL));
  g_assert_true (wait_for (comparison_is_idle, window, 60));

  /* The first two only, each the whole image ×4, shown before and after. */
  g_assert_cmpuint (tessera_comparison_results_get_n_upscalers (comparison), ==, 2);
  g_assert_nonnull (tessera_comparison_results_get_whole_result (comparison, 1));
  g_assert_true (tessera_before_after_view_get_before (view) != input);
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_before (view)), ==,
                   4 * gdk_texture_get_width (input));
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_after (view)), ==,
                   4 * gdk_texture_get_width (input));

  tessera_comparison_results_apply (comparison, 1);
  g_assert_false (tessera_window_get_busy (window));
  g_assert_true (tessera_before_after_view_get_before (view) != NULL);
  g_assert_cmpint (gdk_texture_get_width (tessera_before_after_view_get_before (view)), ==, gdk_texture_get_width (input));
  g_assert_true (texture_is_part (tessera_before_after_view_get_after (view),
                                  tessera_comparison_results_get_result (comparison, 1), 0, 0));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWindow *
find_preferences (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (TESSERA_IS_PREFERENCES (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

/* Preferences open from the window's action, list the CPU among the
 * devices, and close. */
static void
test_preferences (void)
{
  TesseraWindow *window;
  GtkWindow *preferences;
  gboolean expired = FALSE;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  preferences = find_preferences ();
  g_assert_nonnull (preferences);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (window));

  g_timeout_add (200, timed_out, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  gtk_window_close (preferences);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (find_preferences ());

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A folder added in the preferences is searched: its models join the
 * upscalers; removed, they go. */
static void
test_model_folder (void)
{
  g_autoptr(GFile) folder = test_data_file ("models/dni");
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  const char *none[] = { NULL };
  TesseraWindow *window;
  GtkWindow *preferences;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (offers_dni_model (window));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.preferences", NULL));
  preferences = find_preferences ();
  tessera_preferences_add_model_folder (TESSERA_PREFERENCES (preferences), folder);
  g_assert_true (wait_for (offers_dni_model, window, 10));

  g_settings_set_strv (settings, "model-folders", none);
  g_assert_false (offers_dni_model (window));

  gtk_window_destroy (preferences);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* GtkApplication finds the shortcuts window by this path; it must build
 * without warnings. */
static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GObject *overlay;

  if (!display_or_skip ())
    return;

  builder = gtk_builder_new_from_resource ("/io/github/tessera/Tessera/gtk/help-overlay.ui");
  overlay = gtk_builder_get_object (builder, "help_overlay");
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

/* The Redraw section. */

static GObject *
redraw_panel (TesseraWindow *window)
{
  return G_OBJECT (tessera_window_get_redraw_panel (window));
}

static GObject *
redraw_child (TesseraWindow *window,
              const char    *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (redraw_panel (window)), TESSERA_TYPE_REDRAW_PANEL, name);
}

/* A 16 × 16 PNG with A1111's parameters as the web UI writes them, in
 * @dir. */
static GFile *
write_a1111_png (const char *dir)
{
  static const char parameters[] =
    "a watercolour of a lighthouse, (masterpiece:1.2), <lora:paper:0.6>\n"
    "soft morning light\n"
    "Negative prompt: blurry, lowres, (worst quality:1.4)\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, "
    "Size: 512x768, Model hash: 34564f72be, Model: sd1, Denoising strength: 0.4, Clip skip: 2, "
    "Hires upscaler: \"4x-UltraSharp, tiled\", Version: v1.10.1";
  g_autofree char *path = g_build_filename (dir, "a1111-parameters.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = tessera_image_new (16, 16, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint i = 0; i < 16 * 16; i++)
        plane[i] = ((i % 16 / 4 * 3 + i / 64 * 5 + c * 7) % 11) / 10.0f;
    }
  tessera_image_set_text (image, "parameters", parameters);
  g_assert_true (tessera_image_save (image, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

/* A model folder with the tiny SD 1.x model's single file, and its
 * diffusers folder first, a decoy of the same name and another hash. */
static char *
make_checkpoint_folder (gboolean with_decoy)
{
  char *dir = test_make_tmpdir ();
  const char *names[] = { "sd1.safetensors", "sd1" };

  for (guint i = 0; i < (with_decoy ? 2 : 1); i++)
    {
      g_autofree char *target = g_test_build_filename (G_TEST_DIST, "data", "sd", names[i], NULL);
      g_autofree char *link = g_build_filename (dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (link);
      g_autoptr(GError) error = NULL;

      g_file_make_symbolic_link (file, target, NULL, &error);
      g_assert_no_error (error);
    }
  return dir;
}

static void
reset_redraw_settings (GSettings *settings)
{
  static const char *keys[] = { "redraw", "redraw-checkpoint", "redraw-tiles", "redraw-steps", "redraw-prompt",
                                "redraw-negative-prompt", "redraw-sampler", "redraw-scheduler", "redraw-cfg",
                                "redraw-clip-skip", "redraw-denoise", "redraw-tile-width", "redraw-tile-height",
                                "redraw-seams-fix", "redraw-batch-size", "model-folders", "upscaler", "scale" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
}

/* The batch size's row only in SD upscale, the only mode that batches
 * tiles; its value reaches the options and is kept. */
static void
test_redraw_batch_size (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  TesseraWindow *window;
  TesseraRedrawOptions *options;
  GObject *row;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  options = tessera_redraw_panel_get_options (TESSERA_REDRAW_PANEL (redraw_panel (window)));
  row = redraw_child (window, "batch_size_row");
  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_USDU);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (row)));
  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_SD_UPSCALE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (row)));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (redraw_child (window, "batch_size_spin")), 3);
  g_assert_cmpuint (tessera_redraw_options_get_batch_size (options), ==, 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "redraw-batch-size"), ==, 3);
  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
}

/* The section's switch opens its rows and shows the advanced ones; off,
 * Upscale only upscales. */
static void
test_redraw_switch (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  TesseraWindow *window;
  GObject *redraw_row, *advanced_row;
  gboolean enabled;

  if (!display_or_skip ())
    return;

  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  redraw_row = redraw_child (window, "redraw_row");
  advanced_row = redraw_child (window, "advanced_row");
  g_assert_false (adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (redraw_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (advanced_row)));

  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (redraw_row), TRUE);
  g_object_get (redraw_panel (window), "enabled", &enabled, NULL);
  g_assert_true (enabled);
  g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (redraw_row)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (advanced_row)));
  g_assert_true (g_settings_get_boolean (settings, "redraw"));

  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (redraw_row), FALSE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (advanced_row)));
  g_assert_false (g_settings_get_boolean (settings, "redraw"));
  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
}

static gboolean
shows_generation_info (TesseraWindow *window)
{
  return gtk_widget_get_visible (GTK_WIDGET (redraw_child (window, "info_group")));
}

static gboolean
chose_single_file (TesseraWindow *window)
{
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autofree char *name = NULL;

  g_object_get (redraw_panel (window), "checkpoint", &checkpoint, NULL);
  if (checkpoint == NULL)
    return FALSE;
  name = g_file_get_basename (tessera_checkpoint_get_file (checkpoint));
  return g_str_equal (name, "sd1.safetensors");
}

/* An image with A1111's parameters shows them; "Use These Settings" takes
 * the prompts, sampler, schedule, steps, CFG and clip skip, and the
 * checkpoint whose short hash is the "Model hash", not the first of the
 * same name. */
static void
test_redraw_generation_info (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = make_checkpoint_folder (TRUE);
  const char *folders[] = { models, NULL };
  g_autoptr(GFile) file = write_a1111_png (dir);
  TesseraRedrawOptions *options;
  TesseraWindow *window;

  if (!display_or_skip ())
    return;

  g_settings_set_strv (settings, "model-folders", folders);
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_false (shows_generation_info (window));
  g_assert_false (chose_single_file (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (shows_generation_info, window, 20));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (redraw_child (window, "info_prompt_row"))), ==,
                   "a watercolour of a lighthouse, (masterpiece:1.2), <lora:paper:0.6>\nsoft morning light");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (redraw_child (window, "info_model_row"))), ==,
                   "sd1 (34564f72be)");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (redraw_child (window, "info_size_row"))), ==,
                   "512 × 768");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (redraw_child (window, "info_other_row"))),
                            "Hires upscaler: 4x-UltraSharp, tiled"));

  g_signal_emit_by_name (redraw_child (window, "use_info_button"), "clicked");
  options = tessera_redraw_panel_get_options (TESSERA_REDRAW_PANEL (redraw_panel (window)));
  g_assert_cmpstr (tessera_redraw_options_get_prompt (options), ==,
                   "a watercolour of a lighthouse, (masterpiece:1.2), <lora:paper:0.6>\nsoft morning light");
  g_assert_cmpstr (tessera_redraw_options_get_negative_prompt (options), ==, "blurry, lowres, (worst quality:1.4)");
  g_assert_cmpint (tessera_redraw_options_get_sampler (options), ==, TESSERA_REDRAW_SAMPLER_DPMPP_2M);
  g_assert_cmpint (tessera_redraw_options_get_scheduler (options), ==, TESSERA_REDRAW_SCHEDULER_KARRAS);
  g_assert_cmpuint (tessera_redraw_options_get_steps (options), ==, 28);
  g_assert_cmpfloat (tessera_redraw_options_get_cfg (options), ==, 6.5);
  g_assert_cmpuint (tessera_redraw_options_get_clip_skip (options), ==, 2);
  g_assert_true (wait_for (chose_single_file, window, 20));

  g_signal_emit_by_name (redraw_child (window, "clear_info_button"), "clicked");
  g_assert_false (shows_generation_info (window));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&models));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static gboolean
has_saved (TesseraWindow *window)
{
  const char *path = g_object_get_data (G_OBJECT (window), "test-saved");

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* With Redraw on, Upscale runs the tiny SD 1.x model on the CPU (whole
 * image, 2 steps) after a bicubic ×2: the result is 32 × 32, and saving
 * it keeps the engine's generation parameters. */
static void
test_redraw_run (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = make_checkpoint_folder (FALSE);
  g_autofree char *saved_path = g_build_filename (dir, "redrawn.png", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  const char *folders[] = { models, NULL };
  g_autoptr(GFile) file = write_a1111_png (dir);
  g_autoptr(TesseraImage) back = NULL;
  g_autoptr(GError) error = NULL;
  TesseraWindow *window;
  GdkTexture *after;
  const char *parameters;

  if (!display_or_skip ())
    return;

  g_settings_set_strv (settings, "model-folders", folders);
  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);
  g_settings_set_boolean (settings, "redraw", TRUE);
  g_settings_set_string (settings, "redraw-tiles", "none");
  g_settings_set_uint (settings, "redraw-steps", 2);
  g_settings_set_string (settings, "redraw-prompt", "a lighthouse");
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (chose_single_file (window));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (redraw_child (window, "reuse_seed_button"))));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (tessera_window_get_busy (window));
  g_assert_true (wait_for (is_idle, window, 60));
  g_assert_null (tessera_window_get_last_error (window));
  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_nonnull (after);
  g_assert_cmpint (gdk_texture_get_width (after), ==, 32);
  g_assert_cmpint (gdk_texture_get_height (after), ==, 32);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (redraw_child (window, "reuse_seed_button"))));

  g_object_set_data_full (G_OBJECT (window), "test-saved", g_strdup (saved_path), g_free);
  tessera_window_save (window, saved);
  g_assert_true (wait_for (has_saved, window, 20));
  g_assert_true (wait_for (is_idle, window, 1));
  back = tessera_image_new_from_file (saved, NULL, &error);
  g_assert_no_error (error);
  parameters = tessera_image_get_text (back, "parameters");
  g_assert_nonnull (parameters);
  g_assert_true (g_str_has_prefix (parameters, "a lighthouse\n"));
  g_assert_nonnull (strstr (parameters, "Steps: 2, "));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&models));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A @width × @height PNG of smooth colours, in @dir. */
static GFile *
write_png (const char *dir,
           guint       width,
           guint       height)
{
  g_autofree char *path = g_build_filename (dir, "input.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = tessera_image_new (width, height, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint i = 0; i < width * height; i++)
        plane[i] = ((i % width) * (c + 1) + (i / width) * (3 - c)) % 64 / 63.0f;
    }
  g_assert_true (tessera_image_save (image, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

/* How many tiles of the grid (not seams-fix jobs) the overlay shows. */
static guint
n_overlay_tiles (TesseraWindow *window)
{
  g_autoptr(GArray) tiles = tessera_before_after_view_build_overlay (before_after_view (window));
  guint n = 0;

  for (guint i = 0; i < tiles->len; i++)
    n += g_array_index (tiles, TesseraOverlayTile, i).layer == TESSERA_OVERLAY_TILES;
  return n;
}

static gboolean
has_redraw_plan (TesseraWindow *window)
{
  return tessera_before_after_view_get_redraw_plan (before_after_view (window)) != NULL;
}

/* With Redraw on, the overlay shows the USDU grid on the first stage's
 * size: a 96 × 80 image at scale 2 is 192 × 160, ceil(192/64) ×
 * ceil(160/64) = 9 tiles of 64 pixels, 2 × 2 of 96, drawn in the input's
 * pixels (a 64-pixel tile is about 32 of them); a seams fix adds its own layer;
 * Redraw off, the upscale's plan comes back. */
static void
test_redraw_overlay (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GFile) file = write_png (dir, 96, 80);
  TesseraRedrawOptions *options;
  TesseraWindow *window;
  g_autoptr(GArray) tiles = NULL;

  if (!display_or_skip ())
    return;

  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);  /* ×2 */
  g_settings_set_boolean (settings, "redraw", TRUE);
  g_settings_set_string (settings, "redraw-tiles", "usdu");
  g_settings_set_uint (settings, "redraw-tile-width", 64);
  g_settings_set_uint (settings, "redraw-tile-height", 64);
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));
  g_assert_false (has_redraw_plan (window));

  g_object_set (upscale_panel (window), "show-tiles", TRUE, NULL);
  g_assert_true (wait_for (has_redraw_plan, window, 20));
  g_assert_cmpuint (n_overlay_tiles (window), ==, 9);
  tiles = tessera_before_after_view_build_overlay (before_after_view (window));
  /* A1111 draws the tile's mask one pixel past its end */
  g_assert_cmpfloat_with_epsilon (g_array_index (tiles, TesseraOverlayTile, 0).core.width, 32.0, 0.6);
  g_assert_cmpfloat_with_epsilon (g_array_index (tiles, TesseraOverlayTile, 0).core.height, 32.0, 0.6);

  options = tessera_redraw_panel_get_options (TESSERA_REDRAW_PANEL (redraw_panel (window)));
  tessera_redraw_options_set_tile_width (options, 96);
  tessera_redraw_options_set_tile_height (options, 96);
  g_assert_cmpuint (n_overlay_tiles (window), ==, 4);
  g_clear_pointer (&tiles, g_array_unref);
  tiles = tessera_before_after_view_build_overlay (before_after_view (window));
  g_assert_cmpuint (tiles->len, ==, 4);
  tessera_redraw_options_set_seams_fix (options, TESSERA_REDRAW_SEAMS_FIX_HALF_TILE);
  g_clear_pointer (&tiles, g_array_unref);
  tiles = tessera_before_after_view_build_overlay (before_after_view (window));
  g_assert_cmpuint (n_overlay_tiles (window), ==, 4);
  g_assert_cmpuint (tiles->len, >, 4);

  tessera_redraw_panel_set_enabled (TESSERA_REDRAW_PANEL (redraw_panel (window)), FALSE);
  g_assert_false (has_redraw_plan (window));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

typedef struct
{
  GPtrArray *texts;
  guint      most_filled;
} RedrawWatch;

static void
progress_text_cb (GtkProgressBar *bar,
                  GParamSpec     *pspec,
                  RedrawWatch    *watch)
{
  TesseraWindow *window = TESSERA_WINDOW (gtk_widget_get_root (GTK_WIDGET (bar)));
  const char *text = gtk_progress_bar_get_text (bar);

  if (text != NULL)
    g_ptr_array_add (watch->texts, g_strdup (text));
  watch->most_filled = MAX (watch->most_filled,
                            tessera_before_after_view_get_n_filled_tiles (before_after_view (window)));
}

static gboolean
saw_text (RedrawWatch *watch,
          const char  *prefix)
{
  for (guint i = 0; i < watch->texts->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (watch->texts, i), prefix))
      return TRUE;
  return FALSE;
}

/* A USDU redraw of a 24 × 20 image at ×2 in 32-pixel tiles runs the tiny
 * SD 1.x model on the CPU (small: its VAE only halves the sides): 2 × 2
 * tiles, each reported ("Tile 1 of 4 · step 1 of 1"), their previews
 * filling in the after side, then the 48 × 40 result replacing them. */
static void
test_redraw_tiles_run (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = make_checkpoint_folder (FALSE);
  const char *folders[] = { models, NULL };
  g_autoptr(GFile) file = write_png (dir, 24, 20);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  RedrawWatch watch = { texts, 0 };
  TesseraWindow *window;
  GObject *progress_bar;
  GdkTexture *after;

  if (!display_or_skip ())
    return;

  g_settings_set_strv (settings, "model-folders", folders);
  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);  /* ×2 */
  g_settings_set_boolean (settings, "redraw", TRUE);
  g_settings_set_string (settings, "redraw-tiles", "usdu");
  g_settings_set_uint (settings, "redraw-tile-width", 32);
  g_settings_set_uint (settings, "redraw-tile-height", 32);
  g_settings_set_uint (settings, "redraw-steps", 1);
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (chose_single_file (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));
  g_object_set (upscale_panel (window), "show-tiles", TRUE, NULL);

  progress_bar = gtk_widget_get_template_child (GTK_WIDGET (upscale_panel (window)), TESSERA_TYPE_UPSCALE_PANEL,
                                                "progress_bar");
  g_signal_connect (progress_bar, "notify::text", G_CALLBACK (progress_text_cb), &watch);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (wait_for (is_idle, window, 120));
  g_signal_handlers_disconnect_by_func (progress_bar, progress_text_cb, &watch);
  g_assert_null (tessera_window_get_last_error (window));

  g_assert_true (saw_text (&watch, "Tile 1 of 4 · step 1 of 1"));
  g_assert_true (saw_text (&watch, "Tile 4 of 4 · step 1 of 1"));
  g_assert_false (saw_text (&watch, "Tile 5 of"));
  g_assert_cmpuint (watch.most_filled, >=, 3);
  g_assert_cmpuint (tessera_before_after_view_get_n_filled_tiles (before_after_view (window)), ==, 0);
  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_nonnull (after);
  g_assert_cmpint (gdk_texture_get_width (after), ==, 48);
  g_assert_cmpint (gdk_texture_get_height (after), ==, 40);
  /* the preview of the plan comes back after the run */
  g_assert_true (has_redraw_plan (window));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&models));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Two denoising strengths compared on a region of a 24 × 20 image, each
 * a whole-region redraw after a bicubic ×2 on the tiny model: two
 * results of the region's size doubled, which differ; "Use This" on the
 * second sets the Redraw panel's slider to its strength. */
static void
test_redraw_compare (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = make_checkpoint_folder (FALSE);
  const char *folders[] = { models, NULL };
  g_autoptr(GFile) file = write_png (dir, 24, 20);
  TesseraRect region = { 4, 2, 16, 16 };
  TesseraComparisonPanel *panel;
  TesseraComparisonResults *comparison;
  TesseraWindow *window;
  GdkTexture *first, *second;

  if (!display_or_skip ())
    return;

  g_settings_set_strv (settings, "model-folders", folders);
  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);  /* ×2 */
  g_settings_set_boolean (settings, "redraw", TRUE);
  g_settings_set_string (settings, "redraw-tiles", "none");
  g_settings_set_uint (settings, "redraw-steps", 2);
  g_settings_set_double (settings, "redraw-denoise", 0.5);
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (chose_single_file (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));
  panel = TESSERA_COMPARISON_PANEL (comparison_panel (window));
  comparison = TESSERA_COMPARISON_RESULTS (tessera_window_get_comparison_results (window));

  tessera_comparison_panel_set_kind (panel, TESSERA_COMPARISON_DENOISE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.comparing", NULL));
  /* the current strength first */
  g_assert_cmpfloat (tessera_comparison_panel_get_value (panel, 0), ==, 0.5);
  tessera_comparison_panel_set_n_values (panel, 2);
  tessera_comparison_panel_set_value (panel, 0, 0.3);
  tessera_comparison_panel_set_value (panel, 1, 0.9);
  tessera_before_after_view_set_region (before_after_view (window), &region);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-comparison", NULL));
  g_assert_true (tessera_comparison_results_get_busy (comparison));
  g_assert_true (wait_for (comparison_is_idle, window, 60));
  g_assert_null (tessera_window_get_last_error (window));

  g_assert_cmpuint (tessera_comparison_results_get_n_upscalers (comparison), ==, 2);
  g_assert_cmpstr (tessera_comparison_results_get_title (comparison, 1), ==, "Strength 0.90");
  first = tessera_comparison_results_get_result (comparison, 0);
  second = tessera_comparison_results_get_result (comparison, 1);
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_cmpint (gdk_texture_get_width (first), ==, 2 * region.width);
  g_assert_cmpint (gdk_texture_get_height (first), ==, 2 * region.height);
  g_assert_false (texture_is_part (first, second, 0, 0));

  tessera_comparison_results_apply (comparison, 1);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (redraw_child (window, "denoise_scale"))), 0.9,
                                  1e-9);
  g_assert_false (tessera_before_after_view_get_region_shown (before_after_view (window)));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&models));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Animations and videos. */

#define ANIMATION_WIDTH  48
#define ANIMATION_HEIGHT 32

/* Frame @index of the test's animations: opaque gradients that move. */
static void
animation_pixel (guint   index,
                 guint   x,
                 guint   y,
                 guint8 *rgba)
{
  rgba[0] = (guint8) (x * 5 + index * 23);
  rgba[1] = (guint8) (y * 7 + index * 11);
  rgba[2] = (guint8) ((x ^ y) * 9 + index * 31);
  rgba[3] = 255;
}

/* A lossless animated WebP of @n_frames, 40 ms each, made with libwebp
 * itself, so that its frames are known without Tessera's reader. */
static GFile *
write_animation (const char *dir,
                 const char *name,
                 guint       n_frames)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *rgba = g_malloc (ANIMATION_WIDTH * ANIMATION_HEIGHT * 4);
  WebPAnimEncoderOptions options;
  WebPConfig config;
  WebPAnimEncoder *encoder;
  WebPData data;

  g_assert_true (WebPAnimEncoderOptionsInit (&options));
  g_assert_true (WebPConfigInit (&config));
  config.lossless = 1;
  config.exact = 1;
  encoder = WebPAnimEncoderNew (ANIMATION_WIDTH, ANIMATION_HEIGHT, &options);
  for (guint i = 0; i < n_frames; i++)
    {
      WebPPicture picture;

      for (guint y = 0; y < ANIMATION_HEIGHT; y++)
        for (guint x = 0; x < ANIMATION_WIDTH; x++)
          animation_pixel (i, x, y, rgba + (y * ANIMATION_WIDTH + x) * 4);
      g_assert_true (WebPPictureInit (&picture));
      picture.width = ANIMATION_WIDTH;
      picture.height = ANIMATION_HEIGHT;
      picture.use_argb = 1;
      g_assert_true (WebPPictureImportRGBA (&picture, rgba, ANIMATION_WIDTH * 4));
      g_assert_true (WebPAnimEncoderAdd (encoder, &picture, i * 40, &config));
      WebPPictureFree (&picture);
    }
  g_assert_true (WebPAnimEncoderAdd (encoder, NULL, n_frames * 40, NULL));
  g_assert_true (WebPAnimEncoderAssemble (encoder, &data));
  g_assert_true (g_file_set_contents (path, (const char *) data.bytes, data.size, NULL));
  WebPDataClear (&data);
  WebPAnimEncoderDelete (encoder);
  return g_file_new_for_path (path);
}

static TesseraFrameScrubber *
frame_scrubber (TesseraWindow *window)
{
  return TESSERA_FRAME_SCRUBBER (tessera_window_get_frame_scrubber (window));
}

static guint wanted_frame;

static gboolean
shows_wanted_frame (TesseraWindow *window)
{
  TesseraFrameScrubber *scrubber = frame_scrubber (window);

  return tessera_frame_scrubber_get_shown (scrubber) == wanted_frame &&
         tessera_frame_scrubber_get_image (scrubber) != NULL;
}

static gboolean
played_on (TesseraWindow *window)
{
  return tessera_frame_scrubber_get_shown (frame_scrubber (window)) > wanted_frame + 1;
}

static gboolean
shows_result_frame (TesseraWindow *window)
{
  return shows_wanted_frame (window) && tessera_frame_scrubber_get_result (frame_scrubber (window)) != NULL &&
         has_after (window);
}

/* Whether the before side shows frame @index as write_animation() made
 * it (GDK's bytes are BGRA, premultiplied by an opaque alpha). */
static gboolean
before_is_frame (TesseraWindow *window,
                 guint          index)
{
  GdkTexture *before = tessera_before_after_view_get_before (before_after_view (window));
  g_autofree guchar *pixels = download (before);

  g_assert_cmpint (gdk_texture_get_width (before), ==, ANIMATION_WIDTH);
  for (guint y = 0; y < ANIMATION_HEIGHT; y++)
    for (guint x = 0; x < ANIMATION_WIDTH; x++)
      {
        const guchar *p = pixels + (y * ANIMATION_WIDTH + x) * 4;
        guint8 rgba[4];

        animation_pixel (index, x, y, rgba);
        if (abs (p[2] - rgba[0]) > 1 || abs (p[1] - rgba[1]) > 1 || abs (p[0] - rgba[2]) > 1)
          return FALSE;
      }
  return TRUE;
}

/* The frames of @path, read back with the engine's reader, all @width ×
 * @height. */
static guint
count_frames (const char *path,
              guint       width,
              guint       height)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) reader = tessera_media_reader_new (file, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (tessera_media_reader_get_width (reader), ==, width);
  g_assert_cmpuint (tessera_media_reader_get_height (reader), ==, height);
  for (;;)
    {
      g_autoptr(TesseraImage) frame = tessera_media_reader_read_frame (reader, NULL, NULL, &error);

      g_assert_no_error (error);
      if (frame == NULL)
        return n;
      g_assert_cmpuint (tessera_image_get_width (frame), ==, width);
      g_assert_cmpuint (tessera_image_get_height (frame), ==, height);
      n++;
    }
}

/* The files left in the cache's folder of upscaled animations. */
static guint
n_cached_results (void)
{
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "tessera", "results", NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A 10-frame animation opens on its first frame with the scrubber under
 * the view; moving it, or playing, decodes that frame into the before
 * side. Upscale
 * (bicubic ×2) makes the whole file, whose chosen frame shows after;
 * Save writes it as WebP and, converted, as GIF, each with 10 frames of
 * 96 × 64; nothing stays in the cache once the window goes. */
static void
test_animation (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *webp_path = g_build_filename (dir, "saved.webp", NULL);
  g_autofree char *gif_path = g_build_filename (dir, "saved.gif", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) webp = g_file_new_for_path (webp_path);
  g_autoptr(GFile) gif = g_file_new_for_path (gif_path);
  TesseraWindow *window;
  TesseraFrameScrubber *scrubber;
  GdkTexture *after;

  if (!display_or_skip ())
    return;

  file = write_animation (dir, "clip.webp", 10);
  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);  /* ×2 */
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  scrubber = frame_scrubber (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (scrubber)));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (scrubber)));
  g_assert_cmpuint (tessera_frame_scrubber_get_n_frames (scrubber), ==, 10);
  g_assert_true (before_is_frame (window, 0));
  /* nothing to save before the upscale */
  tessera_window_save (window, webp);
  wait_ms (100);
  g_assert_false (g_file_query_exists (webp, NULL));

  wanted_frame = 6;
  tessera_frame_scrubber_set_frame (scrubber, 6);
  g_assert_true (wait_for (shows_wanted_frame, window, 20));
  g_assert_true (before_is_frame (window, 6));
  wanted_frame = 3;
  tessera_frame_scrubber_set_frame (scrubber, 3);
  g_assert_true (wait_for (shows_wanted_frame, window, 20));
  g_assert_true (before_is_frame (window, 3));

  /* Play goes on to the next frames at their pace (40 ms), then stops. */
  tessera_frame_scrubber_set_playing (scrubber, TRUE);
  g_assert_true (wait_for (played_on, window, 20));
  tessera_frame_scrubber_set_playing (scrubber, FALSE);
  wanted_frame = tessera_frame_scrubber_get_frame (scrubber);
  g_assert_true (wait_for (shows_wanted_frame, window, 20));
  g_assert_true (before_is_frame (window, wanted_frame));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (tessera_window_get_busy (window));
  g_assert_true (wait_for (is_idle, window, 60));
  g_assert_null (tessera_window_get_last_error (window));
  g_assert_true (wait_for (shows_result_frame, window, 20));
  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_cmpint (gdk_texture_get_width (after), ==, 2 * ANIMATION_WIDTH);
  g_assert_cmpint (gdk_texture_get_height (after), ==, 2 * ANIMATION_HEIGHT);
  g_assert_cmpuint (n_cached_results (), ==, 1);

  /* The same container is copied. */
  g_object_set_data_full (G_OBJECT (window), "test-saved", g_strdup (webp_path), g_free);
  tessera_window_save (window, webp);
  g_assert_true (wait_for (has_saved, window, 20));
  g_assert_cmpuint (count_frames (webp_path, 2 * ANIMATION_WIDTH, 2 * ANIMATION_HEIGHT), ==, 10);

  /* Another is converted, in the background. */
  g_object_set_data_full (G_OBJECT (window), "test-saved", g_strdup (gif_path), g_free);
  tessera_window_save (window, gif);
  g_assert_true (wait_for (has_saved, window, 30));
  g_assert_true (wait_for (is_idle, window, 10));
  g_assert_null (tessera_window_get_last_error (window));
  g_assert_cmpuint (count_frames (gif_path, 2 * ANIMATION_WIDTH, 2 * ANIMATION_HEIGHT), ==, 10);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpuint (n_cached_results (), ==, 0);
  g_settings_reset (settings, "upscaler");
  g_settings_reset (settings, "scale");
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
count_progress_cb (GtkProgressBar *bar,
                   GParamSpec     *pspec,
                   guint          *n_reports)
{
  const char *text = gtk_progress_bar_get_text (bar);

  if (text != NULL && g_str_has_prefix (text, "Frame "))
    (*n_reports)++;
}

static guint n_frame_reports;

static gboolean
reported_a_frame (TesseraWindow *window)
{
  return n_frame_reports > 0 || !tessera_window_get_busy (window);
}

/* Cancelled after its first frames, the upscale of an animation leaves
 * no file in the cache and no result to save. */
static void
test_animation_cancel (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *saved_path = g_build_filename (dir, "saved.webp", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(GFile) file = NULL;
  TesseraWindow *window;
  GObject *progress_bar;

  if (!display_or_skip ())
    return;

  file = write_animation (dir, "long.webp", 60);
  g_settings_set_string (settings, "upscaler", "lanczos");
  g_settings_set_uint (settings, "scale", 4);  /* ×8 */
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));

  progress_bar = gtk_widget_get_template_child (GTK_WIDGET (upscale_panel (window)), TESSERA_TYPE_UPSCALE_PANEL,
                                                "progress_bar");
  n_frame_reports = 0;
  g_signal_connect (progress_bar, "notify::text", G_CALLBACK (count_progress_cb), &n_frame_reports);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (wait_for (reported_a_frame, window, 30));
  g_test_message ("cancelled after %u frame reports", n_frame_reports);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL));
  g_assert_true (wait_for (is_idle, window, 30));
  g_signal_handlers_disconnect_by_func (progress_bar, count_progress_cb, &n_frame_reports);

  g_assert_null (tessera_window_get_last_error (window));
  g_assert_false (has_after (window));
  g_assert_cmpuint (n_cached_results (), ==, 0);
  tessera_window_save (window, saved);
  wait_ms (100);
  g_assert_false (g_file_query_exists (saved, NULL));

  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "upscaler");
  g_settings_reset (settings, "scale");
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Whether the after side shows @frame of @path, read with the engine's
 * reader (GDK's bytes are BGRA, premultiplied by an opaque alpha). */
static gboolean
after_is_frame_of (TesseraWindow *window,
                   const char    *path,
                   guint          index)
{
  GdkTexture *after = tessera_before_after_view_get_after (before_after_view (window));
  g_autofree guchar *pixels = download (after);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) reader = tessera_media_reader_new (file, &error);
  g_autoptr(TesseraImage) frame = NULL;
  guint width, n;

  g_assert_no_error (error);
  for (guint i = 0; i <= index; i++)
    {
      g_clear_object (&frame);
      frame = tessera_media_reader_read_frame (reader, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (frame);
    }
  width = tessera_image_get_width (frame);
  n = width * tessera_image_get_height (frame);
  g_assert_cmpint (gdk_texture_get_width (after), ==, width);
  for (guint i = 0; i < n; i++)
    for (guint c = 0; c < 3; c++)
      {
        int expected = (int) (CLAMP (tessera_image_get_plane (frame, c)[i], 0.f, 1.f) * 255.f + 0.5f);

        if (abs (pixels[i * 4 + 2 - c] - expected) > 1)
          return FALSE;
      }
  return TRUE;
}

/* With Redraw on, Upscale on a 3-frame animation redraws every frame
 * after a bicubic ×2 (the tiny SD 1.x model, whole frames, one step),
 * reporting frames; the chosen frame of the result shows after, the seed
 * drawn for all is offered again, and Save writes the same container
 * with every frame at 96 × 64. */
static void
test_animation_redraw (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.tessera.Tessera");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = make_checkpoint_folder (FALSE);
  g_autofree char *saved_path = g_build_filename (dir, "redrawn.webp", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(GFile) file = NULL;
  const char *folders[] = { models, NULL };
  TesseraWindow *window;
  TesseraFrameScrubber *scrubber;
  GObject *progress_bar;
  GdkTexture *after;

  if (!display_or_skip ())
    return;

  file = write_animation (dir, "clip.webp", 3);
  g_settings_set_strv (settings, "model-folders", folders);
  g_settings_set_string (settings, "upscaler", "bicubic");
  g_settings_set_uint (settings, "scale", 1);  /* ×2 */
  g_settings_set_boolean (settings, "redraw", TRUE);
  g_settings_set_string (settings, "redraw-tiles", "none");
  g_settings_set_uint (settings, "redraw-steps", 1);
  g_settings_set_string (settings, "redraw-prompt", "a lighthouse");
  window = g_object_new (TESSERA_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (chose_single_file (window));
  tessera_window_open (window, file);
  g_assert_true (wait_for (has_before, window, 20));
  scrubber = frame_scrubber (window);
  g_assert_cmpuint (tessera_frame_scrubber_get_n_frames (scrubber), ==, 3);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (redraw_child (window, "reuse_seed_button"))));

  progress_bar = gtk_widget_get_template_child (GTK_WIDGET (upscale_panel (window)), TESSERA_TYPE_UPSCALE_PANEL,
                                                "progress_bar");
  n_frame_reports = 0;
  g_signal_connect (progress_bar, "notify::text", G_CALLBACK (count_progress_cb), &n_frame_reports);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.upscale", NULL));
  g_assert_true (tessera_window_get_busy (window));
  g_assert_true (wait_for (is_idle, window, 120));
  g_signal_handlers_disconnect_by_func (progress_bar, count_progress_cb, &n_frame_reports);
  g_assert_null (tessera_window_get_last_error (window));
  g_assert_cmpuint (n_frame_reports, >, 0);
  wanted_frame = 0;
  g_assert_true (wait_for (shows_result_frame, window, 20));
  after = tessera_before_after_view_get_after (before_after_view (window));
  g_assert_cmpint (gdk_texture_get_width (after), ==, 2 * ANIMATION_WIDTH);
  g_assert_cmpint (gdk_texture_get_height (after), ==, 2 * ANIMATION_HEIGHT);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (redraw_child (window, "reuse_seed_button"))));

  g_object_set_data_full (G_OBJECT (window), "test-saved", g_strdup (saved_path), g_free);
  tessera_window_save (window, saved);
  g_assert_true (wait_for (has_saved, window, 20));
  g_assert_true (wait_for (is_idle, window, 10));
  g_assert_cmpuint (count_frames (saved_path, 2 * ANIMATION_WIDTH, 2 * ANIMATION_HEIGHT), ==, 3);

  /* The after side is the result's chosen frame, beside the input's (the
   * tiny model's random weights draw much the same picture whatever the
   * input: the frames of the result are not told apart). */
  g_assert_true (after_is_frame_of (window, saved_path, 0));
  wanted_frame = 2;
  tessera_frame_scrubber_set_frame (scrubber, 2);
  g_assert_true (wait_for (shows_result_frame, window, 20));
  g_assert_true (after_is_frame_of (window, saved_path, 2));
  g_assert_true (before_is_frame (window, 2));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_cmpuint (n_cached_results (), ==, 0);
  reset_redraw_settings (settings);
  test_remove_tmpdir (g_steal_pointer (&models));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *models = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *cache_home = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* The user's model folder, imported into, is the test's own. */
  data_home = test_make_tmpdir ();
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  /* So is the cache, where upscaled animations wait to be saved. */
  cache_home = test_make_tmpdir ();
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);

  /* The library finds the fetched models through TESSERA_MODEL_PATH. */
  models = test_real_model_path ("waifu2x@1.6.5/real-esrgan/models");
  if (models != NULL)
    g_setenv ("TESSERA_MODEL_PATH", models, TRUE);

  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_add_func ("/ui/upscale", test_upscale);
  g_test_add_func ("/ui/cancel", test_cancel);
  g_test_add_func ("/ui/target-size", test_target_size);
  g_test_add_func ("/ui/restore-scale", test_restore_scale);
  g_test_add_func ("/ui/settings", test_settings);
  g_test_add_func ("/ui/chain-settings", test_chain_settings);
  g_test_add_func ("/ui/help-overlay", test_help_overlay);
  g_test_add_func ("/ui/tile-overlay", test_tile_overlay);
  g_test_add_func ("/ui/tiles-fill-in", test_tiles_fill_in);
  g_test_add_func ("/ui/large-image", test_large_image);
  g_test_add_func ("/ui/paste-and-drop", test_paste_and_drop);
  g_test_add_func ("/ui/preferences", test_preferences);
  g_test_add_func ("/ui/compare-region", test_compare_region);
  g_test_add_func ("/ui/compare-whole-image", test_compare_whole_image);
  g_test_add_func ("/ui/batch", test_batch);
  g_test_add_func ("/ui/import-model", test_import_model);
  g_test_add_func ("/ui/model-folder", test_model_folder);
  g_test_add_func ("/ui/redraw-switch", test_redraw_switch);
  g_test_add_func ("/ui/redraw-batch-size", test_redraw_batch_size);
  g_test_add_func ("/ui/redraw-generation-info", test_redraw_generation_info);
  g_test_add_func ("/ui/redraw-run", test_redraw_run);
  g_test_add_func ("/ui/redraw-overlay", test_redraw_overlay);
  g_test_add_func ("/ui/redraw-tiles-run", test_redraw_tiles_run);
  g_test_add_func ("/ui/redraw-compare", test_redraw_compare);
  g_test_add_func ("/ui/animation", test_animation);
  g_test_add_func ("/ui/animation-cancel", test_animation_cancel);
  g_test_add_func ("/ui/animation-redraw", test_animation_redraw);

  status = g_test_run ();
  test_remove_tmpdir (g_steal_pointer (&data_home));
  test_remove_tmpdir (g_steal_pointer (&cache_home));
  return status;
}
