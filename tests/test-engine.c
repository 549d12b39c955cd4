/* test-engine.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-test-utils.h"

static TesseraImage *
make_image (guint    width,
            guint    height,
            gboolean alpha)
{
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new (width, height, alpha, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (gsize i = 0; i < (gsize) width * height; i++)
        plane[i] = (float) ((i * 7 + c * 3) % 256) / 255.f;
    }
  return image;
}

/* "auto" runs on the CPU when there is no GPU, and a build with CUDA says
 * why there is none (in a Flatpak, the missing driver extension). */
static void
test_check_device (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *automatic = NULL;

  g_assert_true (tessera_engine_check_device (engine, "cpu", &cpu, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (cpu, "threads"));
  g_assert_null (strstr (cpu, "no GPU"));

  g_assert_false (tessera_engine_check_device (engine, "gpu7x", NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (tessera_engine_check_device (engine, "auto", &automatic, &error));
  g_assert_no_error (error);
  if (strstr (automatic, "compute capability") == NULL)
    {
      g_assert_true (g_str_has_prefix (automatic, cpu));
      g_assert_true ((strstr (automatic, "(no GPU: ") != NULL) == HAVE_CUDA);
    }
}

static void
test_upscalers (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  GListModel *upscalers = tessera_engine_get_upscalers (engine);
  const char *names[] = { "nearest", "bilinear", "bicubic", "lanczos" };

  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, G_N_ELEMENTS (names));
  g_assert_true (g_list_model_get_item_type (upscalers) == TESSERA_TYPE_UPSCALER_INFO);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      g_assert_cmpstr (tessera_upscaler_info_get_name (info), ==, names[i]);
      g_assert_cmpint (tessera_upscaler_info_get_kind (info), ==, TESSERA_UPSCALER_KIND_CLASSIC);
      g_assert_nonnull (tessera_upscaler_info_get_title (info));
      g_assert_true (tessera_engine_find_upscaler (engine, names[i]) == info);
    }
  g_assert_null (tessera_engine_find_upscaler (engine, "realesrgan-x4plus"));

  g_assert_finalize_object (g_steal_pointer (&engine));
}

typedef struct
{
  GThread      *main_thread;
  GArray       *fractions;
  gboolean      finished;
  gboolean      progress_after_finish;
  TesseraImage *output;
  GError       *error;
  GCancellable *cancel_on_progress;
} AsyncRun;

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  AsyncRun *run = user_data;

  g_assert_true (g_thread_self () == run->main_thread);
  g_assert_nonnull (text);
  if (run->finished)
    run->progress_after_finish = TRUE;
  g_array_append_val (run->fractions, fraction);
  if (run->cancel_on_progress != NULL)
    g_cancellable_cancel (run->cancel_on_progress);
}

static void
on_upscaled (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncRun *run = user_data;

  g_assert_true (g_thread_self () == run->main_thread);
  run->output = tessera_engine_upscale_finish (TESSERA_ENGINE (object), result, &run->error);
  run->finished = TRUE;
}

static void
run_async (TesseraEngine         *engine,
           TesseraImage          *input,
           TesseraUpscaleOptions *options,
           GCancellable          *cancellable,
           AsyncRun              *run)
{
  run->main_thread = g_thread_self ();
  run->fractions = g_array_new (FALSE, FALSE, sizeof (double));

  tessera_engine_upscale_async (engine, input, options, cancellable, on_progress, NULL, run, on_upscaled, run);
  while (!run->finished)
    g_main_context_iteration (NULL, TRUE);

  /* Anything still queued must not reach the caller after the callback. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_async_progress (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (300, 200, FALSE);
  g_autoptr(GArray) fractions = NULL;
  AsyncRun run = { 0 };

  tessera_upscale_options_set_upscaler (options, "bicubic");
  tessera_upscale_options_set_scale (options, 3.0);
  run_async (engine, input, options, NULL, &run);
  fractions = run.fractions;

  g_assert_no_error (run.error);
  g_assert_nonnull (run.output);
  g_assert_cmpuint (tessera_image_get_width (run.output), ==, 900);
  g_assert_cmpuint (tessera_image_get_height (run.output), ==, 600);
  g_assert_false (run.progress_after_finish);

  g_assert_cmpuint (fractions->len, >=, 3);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >=, g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);

  g_assert_finalize_object (g_steal_pointer (&run.output));
}

static void
test_async_matches_blocking (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (64, 48, TRUE);
  g_autoptr(TesseraImage) blocking = NULL;
  g_autoptr(GArray) fractions = NULL;
  g_autoptr(GError) error = NULL;
  AsyncRun run = { 0 };
  gsize size;

  tessera_upscale_options_set_scale (options, 2.5);
  blocking = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  run_async (engine, input, options, NULL, &run);
  fractions = run.fractions;
  g_assert_no_error (run.error);

  size = (gsize) tessera_image_get_width (blocking) * tessera_image_get_height (blocking) * sizeof (float);
  for (guint c = 0; c < 4; c++)
    g_assert_cmpmem (tessera_image_get_plane (blocking, c), size, tessera_image_get_plane (run.output, c), size);
  g_clear_object (&run.output);
}

static void
test_cancel_before (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (32, 32, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) fractions = NULL;
  AsyncRun run = { 0 };

  g_cancellable_cancel (cancellable);
  run_async (engine, input, options, cancellable, &run);
  fractions = run.fractions;

  g_assert_null (run.output);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
}

/* Cancelled at the first progress report, the worker stops between bands
 * long before it would have finished. */
static void
test_cancel_while_running (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (512, 512, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) fractions = NULL;
  AsyncRun run = { 0 };

  tessera_upscale_options_set_scale (options, 8.0);
  run.cancel_on_progress = cancellable;
  run_async (engine, input, options, cancellable, &run);
  fractions = run.fractions;

  g_assert_null (run.output);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), <, 1.0);
  g_clear_error (&run.error);
}

static void
test_unknown_upscaler (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (8, 8, FALSE);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  tessera_upscale_options_set_upscaler (options, "waifu3x");
  output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "waifu3x"));
}

/* The size is checked before anything is allocated. */
static void
test_result_too_large (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (2048, 1024, FALSE);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  tessera_upscale_options_set_scale (options, 40.0);
  output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
}

static void
test_target_size (void)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  guint width, height;

  tessera_upscale_options_set_scale (options, 1.5);
  g_assert_true (tessera_upscale_options_compute_size (options, 37, 29, &width, &height, &error));
  g_assert_cmpuint (width, ==, 56);   /* 55.5 rounds up */
  g_assert_cmpuint (height, ==, 44);  /* 43.5 rounds up */

  tessera_upscale_options_set_width (options, 1000);
  g_assert_true (tessera_upscale_options_compute_size (options, 400, 300, &width, &height, &error));
  g_assert_cmpuint (width, ==, 1000);
  g_assert_cmpuint (height, ==, 750);

  tessera_upscale_options_set_width (options, 0);
  tessera_upscale_options_set_height (options, 100);
  g_assert_true (tessera_upscale_options_compute_size (options, 400, 300, &width, &height, &error));
  g_assert_cmpuint (width, ==, 133);
  g_assert_cmpuint (height, ==, 100);

  tessera_upscale_options_set_width (options, 64);
  g_assert_true (tessera_upscale_options_compute_size (options, 400, 300, &width, &height, &error));
  g_assert_cmpuint (width, ==, 64);
  g_assert_cmpuint (height, ==, 100);
  g_assert_no_error (error);
}

static void
test_metadata_carried (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = test_load_image ("images/sd-rgba16.png");
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  const char *note;

  tessera_upscale_options_set_upscaler (options, "bicubic");
  tessera_upscale_options_set_scale (options, 2.0);
  output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (tessera_image_get_bit_depth (output), ==, 16);
  g_assert_true (tessera_image_get_has_alpha (output));
  g_assert_cmpstr (tessera_image_get_text (output, "parameters"), ==,
                   tessera_image_get_text (input, "parameters"));
  g_assert_true (g_bytes_equal (tessera_image_get_icc_profile (output),
                                tessera_image_get_icc_profile (input)));
  note = tessera_image_get_text (output, "tessera");
  g_assert_nonnull (note);
  g_assert_nonnull (strstr (note, "upscaler: bicubic"));
  g_assert_nonnull (strstr (note, "scale: 2,"));
  g_assert_nonnull (strstr (note, "13x7 -> 26x14"));
}

/* A running upscale works from a copy of the options. */
static void
test_options_copied (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = make_image (16, 16, FALSE);
  g_autoptr(GArray) fractions = NULL;
  AsyncRun run = { 0 };

  tessera_upscale_options_set_scale (options, 2.0);
  run.main_thread = g_thread_self ();
  run.fractions = g_array_new (FALSE, FALSE, sizeof (double));
  fractions = run.fractions;
  tessera_engine_upscale_async (engine, input, options, NULL, on_progress, NULL, &run, on_upscaled, &run);
  tessera_upscale_options_set_scale (options, 5.0);
  while (!run.finished)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (run.error);
  g_assert_cmpuint (tessera_image_get_width (run.output), ==, 32);
  g_clear_object (&run.output);
}

/* The plan shown before a run is the one the run uses: an explicit tile
 * size as given, the automatic one covering a small image whole, and
 * nothing for a classic filter. */
static void
test_plan_tiles (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.safetensors", NULL);
  g_autoptr(TesseraTilePlan) plan = NULL;
  g_autoptr(TesseraTilePlan) expected = NULL;
  g_autoptr(GError) error = NULL;
  TesseraRect core, region, expected_core, expected_region;

  tessera_upscale_options_set_upscaler (options, "lanczos");
  g_assert_null (tessera_engine_plan_tiles (engine, 300, 200, FALSE, options, &error));
  g_assert_no_error (error);

  tessera_upscale_options_set_upscaler (options, "no-such-upscaler");
  g_assert_null (tessera_engine_plan_tiles (engine, 300, 200, FALSE, options, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  tessera_upscale_options_set_upscaler (options, model);
  tessera_upscale_options_set_device (options, "cpu");
  plan = tessera_engine_plan_tiles (engine, 300, 200, FALSE, options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), ==, 1);
  g_clear_object (&plan);

  tessera_upscale_options_set_tile_size (options, 64);
  tessera_upscale_options_set_tile_overlap (options, 8);
  plan = tessera_engine_plan_tiles (engine, 300, 200, FALSE, options, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 64);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 8);
  /* Compact's automatic pre-pad is 10 pixels. */
  expected = tessera_tile_plan_new (300, 200, 64, 8, 10);
  g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), ==, tessera_tile_plan_get_n_tiles (expected));
  for (guint i = 0; i < tessera_tile_plan_get_n_tiles (plan); i++)
    {
      tessera_tile_plan_get_tile (plan, i, &core, &region);
      tessera_tile_plan_get_tile (expected, i, &expected_core, &expected_region);
      g_assert_cmpmem (&core, sizeof core, &expected_core, sizeof expected_core);
      g_assert_cmpmem (&region, sizeof region, &expected_region, sizeof expected_region);
    }
}

typedef struct
{
  AsyncRun  run;
  GPtrArray *events;   /* TesseraTileEvent copies, pixels and plan held */
} TileRun;

static void
tile_event_free (gpointer data)
{
  TesseraTileEvent *event = data;

  g_clear_object (&event->plan);
  g_clear_object (&event->pixels);
  g_free (event);
}

static void
on_tile (const TesseraTileEvent *event,
         gpointer                user_data)
{
  TileRun *tiles = user_data;
  TesseraTileEvent *copy = g_memdup2 (event, sizeof *event);

  g_assert_true (g_thread_self () == tiles->run.main_thread);
  g_assert_false (tiles->run.finished);
  g_object_ref (copy->plan);
  if (copy->pixels != NULL)
    g_object_ref (copy->pixels);
  g_ptr_array_add (tiles->events, copy);
}

static void
run_with_tiles (TesseraEngine         *engine,
                TesseraImage          *input,
                TesseraUpscaleOptions *options,
                TileRun               *tiles)
{
  tiles->run = (AsyncRun) { 0 };
  tiles->run.main_thread = g_thread_self ();
  tiles->run.fractions = g_array_new (FALSE, FALSE, sizeof (double));
  tiles->events = g_ptr_array_new_with_free_func (tile_event_free);
  tessera_engine_upscale_async (engine, input, options, NULL, on_progress, on_tile, tiles, on_upscaled, tiles);
  while (!tiles->run.finished)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_no_error (tiles->run.error);
  g_clear_pointer (&tiles->run.fractions, g_array_unref);
}

/* Every tile of a pass reports running, then done with its pixels; the
 * tiles' rectangles cover the input once per pass; without overlap a
 * tile's pixels are the result's pixels under it. */
static void
test_async_tiles (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.safetensors", NULL);
  g_autoptr(TesseraModel) model = test_load_model (path);
  guint s = tessera_model_get_scale (model);
  g_autoptr(TesseraImage) input = make_image (100, 70, FALSE);
  TileRun tiles = { { 0 } };
  double covered[2] = { 0, 0 };
  guint n_done = 0;

  tessera_upscale_options_set_upscaler (options, path);
  tessera_upscale_options_set_device (options, "cpu");
  tessera_upscale_options_set_tile_size (options, 32);
  tessera_upscale_options_set_tile_overlap (options, 0);
  tessera_upscale_options_set_scale (options, s);
  run_with_tiles (engine, input, options, &tiles);

  for (guint i = 0; i < tiles.events->len; i++)
    {
      TesseraTileEvent *event = g_ptr_array_index (tiles.events, i);
      guint out_x = (guint) (event->x * s), out_y = (guint) (event->y * s);
      guint width, height, out_width = tessera_image_get_width (tiles.run.output);

      g_assert_cmpuint (event->pass, ==, 0);
      if (event->state == TESSERA_TILE_RUNNING)
        {
          TesseraTileEvent *next = g_ptr_array_index (tiles.events, i + 1);

          g_assert_null (event->pixels);
          g_assert_cmpint (next->state, ==, TESSERA_TILE_DONE);
          g_assert_cmpuint (next->index, ==, event->index);
          continue;
        }

      g_assert_cmpuint (event->index, ==, n_done++);
      covered[0] += event->width * event->height;
      width = tessera_image_get_width (event->pixels);
      height = tessera_image_get_height (event->pixels);
      g_assert_cmpuint (width, ==, event->width * s);
      g_assert_cmpuint (height, ==, event->height * s);
      for (guint c = 0; c < 3; c++)
        for (guint y = 0; y < height; y++)
          g_assert_cmpmem (tessera_image_get_plane (event->pixels, c) + (gsize) y * width, width * sizeof (float),
                           tessera_image_get_plane (tiles.run.output, c) + (gsize) (out_y + y) * out_width + out_x,
                           width * sizeof (float));
    }
  g_assert_cmpuint (n_done, ==, tessera_tile_plan_get_n_tiles (((TesseraTileEvent *) tiles.events->pdata[0])->plan));
  g_assert_cmpuint (n_done, >, 4);
  g_assert_cmpfloat (covered[0], ==, 100 * 70);
  g_clear_pointer (&tiles.events, g_ptr_array_unref);
  g_clear_object (&tiles.run.output);

  /* Twice the model's scale takes two passes; the second's tiles are
   * smaller in the input's pixels and carry more pixels each. */
  tessera_upscale_options_set_scale (options, s * s);
  covered[0] = 0;
  run_with_tiles (engine, input, options, &tiles);
  for (guint i = 0; i < tiles.events->len; i++)
    {
      TesseraTileEvent *event = g_ptr_array_index (tiles.events, i);

      g_assert_cmpuint (event->pass, <, 2);
      if (event->state == TESSERA_TILE_DONE)
        {
          covered[event->pass] += event->width * event->height;
          g_assert_cmpfloat (fabs (tessera_image_get_width (event->pixels) - event->width * s * (event->pass ? s : 1)),
                             <, 1e-6);
        }
    }
  g_assert_cmpfloat (fabs (covered[0] - 100 * 70), <, 1e-6);
  g_assert_cmpfloat (fabs (covered[1] - 100 * 70), <, 1e-6);
  g_clear_pointer (&tiles.events, g_ptr_array_unref);
  g_clear_object (&tiles.run.output);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/engine/upscalers", test_upscalers);
  g_test_add_func ("/tessera/engine/check-device", test_check_device);
  g_test_add_func ("/tessera/engine/async/progress", test_async_progress);
  g_test_add_func ("/tessera/engine/async/same-as-blocking", test_async_matches_blocking);
  g_test_add_func ("/tessera/engine/async/options-copied", test_options_copied);
  g_test_add_func ("/tessera/engine/async/tiles", test_async_tiles);
  g_test_add_func ("/tessera/engine/cancel/before", test_cancel_before);
  g_test_add_func ("/tessera/engine/cancel/while-running", test_cancel_while_running);
  g_test_add_func ("/tessera/engine/errors/unknown-upscaler", test_unknown_upscaler);
  g_test_add_func ("/tessera/engine/errors/too-large", test_result_too_large);
  g_test_add_func ("/tessera/engine/target-size", test_target_size);
  g_test_add_func ("/tessera/engine/metadata", test_metadata_carried);
  g_test_add_func ("/tessera/engine/plan-tiles", test_plan_tiles);

  return g_test_run ();
}
