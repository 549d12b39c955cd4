/* test-batch.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera.h"
#include "tessera-test-utils.h"

/* The batch on real images, with bicubic ×2 so that it is quick: a
 * broken file failing alone, output names, existing outputs and the
 * image itself, folders with subfolders, pause, cancel (in the save too),
 * metadata, bad name patterns, and items run one at a time. */

#define TIMEOUT_SECONDS 120

static TesseraBatch *
new_batch (const char *output_folder)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  TesseraBatch *batch = tessera_batch_new (engine);

  tessera_upscale_options_set_upscaler (options, "bicubic");
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_batch_set_options (batch, options);
  if (output_folder != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (output_folder);

      tessera_batch_set_output_folder (batch, folder);
    }
  return batch;
}

static void
add_data_file (TesseraBatch *batch,
               const char   *name)
{
  g_autofree char *relative = g_build_filename ("images", name, NULL);
  g_autoptr(GFile) file = test_data_file (relative);

  tessera_batch_add_file (batch, file);
}

static void
copy_data_file (const char *name,
                const char *path)
{
  g_autofree char *relative = g_build_filename ("images", name, NULL);
  g_autoptr(GFile) source = test_data_file (relative);
  g_autoptr(GFile) destination = g_file_new_for_path (path);
  g_autoptr(GFile) parent = g_file_get_parent (destination);
  g_autoptr(GError) error = NULL;

  if (!g_file_make_directory_with_parents (parent, NULL, &error))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_file_copy (source, destination, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static TesseraBatchItem *
get_item (TesseraBatch *batch,
          guint         position)
{
  g_autoptr(TesseraBatchItem) item = g_list_model_get_item (tessera_batch_get_items (batch), position);

  g_assert_nonnull (item);
  /* The list holds it. */
  return item;
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Spins the default main context until *@flag is set. */
static void
wait_for (const gboolean *flag)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
}

static void
on_finished (TesseraBatch *batch,
             gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
run_to_end (TesseraBatch *batch)
{
  g_autoptr(GError) error = NULL;
  gboolean finished = FALSE;
  gulong handler = g_signal_connect (batch, "finished", G_CALLBACK (on_finished), &finished);

  g_assert_true (tessera_batch_start (batch, &error));
  g_assert_no_error (error);
  wait_for (&finished);
  g_signal_handler_disconnect (batch, handler);
  g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_IDLE);
}

static void
on_status (TesseraBatchItem *item,
           GParamSpec       *pspec,
           gpointer          user_data)
{
  if (tessera_batch_item_get_status (item) == TESSERA_BATCH_ITEM_WAITING)
    *(gboolean *) user_data = TRUE;
}

/* A paused or cancelled item waits again once its run has unwound. */
static void
wait_until_waiting (TesseraBatchItem *item)
{
  gboolean waiting = tessera_batch_item_get_status (item) == TESSERA_BATCH_ITEM_WAITING;
  gulong handler = g_signal_connect (item, "notify::status", G_CALLBACK (on_status), &waiting);

  wait_for (&waiting);
  g_signal_handler_disconnect (item, handler);
}

static void
assert_upscaled (GFile      *output,
                 const char *input_name)
{
  g_autofree char *relative = g_build_filename ("images", input_name, NULL);
  g_autoptr(TesseraImage) input = test_load_image (relative);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = tessera_image_new_from_file (output, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_image_get_width (image), ==, 2 * tessera_image_get_width (input));
  g_assert_cmpuint (tessera_image_get_height (image), ==, 2 * tessera_image_get_height (input));
}

static void
assert_counts (TesseraBatch *batch,
               guint         n_done,
               guint         n_failed,
               guint         n_skipped,
               guint         n_waiting)
{
  g_assert_cmpuint (tessera_batch_get_n_done (batch), ==, n_done);
  g_assert_cmpuint (tessera_batch_get_n_failed (batch), ==, n_failed);
  g_assert_cmpuint (tessera_batch_get_n_skipped (batch), ==, n_skipped);
  g_assert_cmpuint (tessera_batch_get_n_waiting (batch), ==, n_waiting);
}

static void
test_broken_file (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autofree char *expected = g_build_filename (dir, "rgb8-bicubic-x2.png", NULL);
  TesseraBatchItem *item;

  add_data_file (batch, "rgb8.png");
  add_data_file (batch, "truncated.png");
  add_data_file (batch, "rgba8.png");
  /* Already waiting: not queued twice. */
  add_data_file (batch, "rgb8.png");
  g_assert_cmpuint (g_list_model_get_n_items (tessera_batch_get_items (batch)), ==, 3);
  assert_counts (batch, 0, 0, 0, 3);

  run_to_end (batch);
  assert_counts (batch, 2, 1, 0, 0);
  g_assert_cmpuint (test_count_files (dir), ==, 2);

  item = get_item (batch, 0);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
  g_assert_cmpstr (tessera_batch_item_get_name (item), ==, "rgb8.png");
  g_assert_cmpfloat (tessera_batch_item_get_progress (item), ==, 1.0);
  g_assert_null (tessera_batch_item_get_error (item));
  g_assert_cmpstr (g_file_peek_path (tessera_batch_item_get_output (item)), ==, expected);
  assert_upscaled (tessera_batch_item_get_output (item), "rgb8.png");

  item = get_item (batch, 1);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_FAILED);
  g_assert_nonnull (strstr (tessera_batch_item_get_error (item), "truncated.png"));
  g_assert_null (tessera_batch_item_get_output (item));

  item = get_item (batch, 2);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
  assert_upscaled (tessera_batch_item_get_output (item), "rgba8.png");

  /* Done now, so queued again. */
  add_data_file (batch, "rgb8.png");
  assert_counts (batch, 2, 1, 0, 1);
  tessera_batch_remove_finished (batch);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_batch_get_items (batch)), ==, 1);
  assert_counts (batch, 0, 0, 0, 1);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_name_pattern (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autofree char *expected = g_build_filename (dir, "Soft_rgb8@x2.png", NULL);

  add_data_file (batch, "rgb8.png");
  tessera_batch_set_name_pattern (batch, "{upscaler}_{name}@{scale}.{ext}");
  tessera_batch_set_upscaler_label (batch, "Soft");
  run_to_end (batch);

  assert_counts (batch, 1, 0, 0, 0);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (test_count_files (dir), ==, 1);
  assert_upscaled (tessera_batch_item_get_output (get_item (batch, 0)), "rgb8.png");

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* The largest difference between a saved 8-bit result and @image. */
static double
max_saved_difference (GFile        *saved,
                      TesseraImage *image)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) read = tessera_image_new_from_file (saved, NULL, &error);
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image) * 3;
  const float *a, *b;
  double diff = 0.0;

  g_assert_no_error (error);
  g_assert_cmpuint (tessera_image_get_width (read), ==, tessera_image_get_width (image));
  g_assert_cmpuint (tessera_image_get_height (read), ==, tessera_image_get_height (image));
  a = tessera_image_get_plane (read, 0);
  b = tessera_image_get_plane (image, 0);
  for (gsize i = 0; i < n; i++)
    diff = MAX (diff, fabs (a[i] - CLAMP (b[i], 0.f, 1.f)));
  return diff;
}

/* The batch runs a chain of models with TTA as the engine does, and the
 * TTA is not lost on the way. */
static void
test_chain_tta (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autoptr(GFile) compact = test_data_file ("models/tiny-compact.safetensors");
  g_autoptr(GFile) vgg7 = test_data_file ("models/tiny-vgg7.json");
  g_autofree char *compact_path = g_file_get_path (compact);
  g_autofree char *vgg7_path = g_file_get_path (vgg7);
  g_autofree char *chain = g_strconcat (vgg7_path, "+", compact_path, NULL);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraUpscaleOptions) plain = NULL;
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraImage) input = test_load_image ("images/rgb8.png");
  g_autoptr(TesseraImage) expected = NULL;
  g_autoptr(TesseraImage) without = NULL;
  g_autoptr(GError) error = NULL;
  GFile *output;

  tessera_upscale_options_set_upscaler (options, chain);
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_upscale_options_set_tta (options, TRUE);
  tessera_batch_set_options (batch, options);
  tessera_batch_set_upscaler_label (batch, "tiny-vgg7+tiny-compact");
  add_data_file (batch, "rgb8.png");
  run_to_end (batch);
  assert_counts (batch, 1, 0, 0, 0);
  output = tessera_batch_item_get_output (get_item (batch, 0));

  expected = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  plain = tessera_upscale_options_copy (options);
  tessera_upscale_options_set_tta (plain, FALSE);
  without = tessera_engine_upscale (engine, input, plain, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Within the 8-bit file's rounding of the engine's result, and off the
   * result without TTA by more. */
  g_assert_cmpfloat (max_saved_difference (output, expected), <=, 0.5 / 255 + 1e-6);
  g_assert_cmpfloat (max_saved_difference (output, without), >, 1.0 / 255);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_skip_existing (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autofree char *output = g_build_filename (dir, "rgb8-bicubic-x2.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  TesseraBatchItem *item;

  g_file_set_contents (output, "not replaced", -1, &error);
  g_assert_no_error (error);

  tessera_batch_set_existing (batch, TESSERA_BATCH_EXISTING_SKIP);
  add_data_file (batch, "rgb8.png");
  add_data_file (batch, "rgba8.png");
  run_to_end (batch);

  assert_counts (batch, 1, 0, 1, 0);
  item = get_item (batch, 0);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_SKIPPED);
  g_assert_cmpstr (g_file_peek_path (tessera_batch_item_get_output (item)), ==, output);
  g_file_get_contents (output, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "not replaced");

  /* Without skipping, replaced. */
  tessera_batch_set_existing (batch, TESSERA_BATCH_EXISTING_REPLACE);
  tessera_batch_remove_finished (batch);
  add_data_file (batch, "rgb8.png");
  run_to_end (batch);

  assert_counts (batch, 1, 0, 0, 0);
  assert_upscaled (tessera_batch_item_get_output (get_item (batch, 0)), "rgb8.png");
  g_assert_cmpuint (test_count_files (dir), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_input_kept (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (NULL);
  g_autofree char *input = g_build_filename (dir, "rgb8.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (input);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length, after_length;
  TesseraBatchItem *item;

  copy_data_file ("rgb8.png", input);
  g_assert_true (g_file_get_contents (input, &before, &before_length, NULL));

  /* Beside the input, with its own name. */
  tessera_batch_set_name_pattern (batch, "{name}.{ext}");
  tessera_batch_add_file (batch, file);
  run_to_end (batch);

  assert_counts (batch, 0, 1, 0, 0);
  item = get_item (batch, 0);
  g_assert_nonnull (strstr (tessera_batch_item_get_error (item), "rgb8.png"));
  g_assert_true (g_file_get_contents (input, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);
  g_assert_cmpuint (test_count_files (dir), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Failures after the load: each names the file, and the queue goes on. */
static void
test_failures (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *blocker = g_build_filename (dir, "blocker", NULL);
  g_autofree char *out = g_build_filename (blocker, "out", NULL);
  g_autoptr(TesseraBatch) batch = new_batch (out);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  const char *message;

  /* The output folder cannot be made: a file is in the way. */
  g_file_set_contents (blocker, "a file", -1, &error);
  g_assert_no_error (error);
  add_data_file (batch, "rgb8.png");
  add_data_file (batch, "rgba8.png");
  run_to_end (batch);
  assert_counts (batch, 0, 2, 0, 0);
  message = tessera_batch_item_get_error (get_item (batch, 1));
  g_assert_true (g_str_has_prefix (message, "rgba8.png: "));

  /* The engine fails. */
  tessera_upscale_options_set_upscaler (options, "no-such-upscaler");
  tessera_batch_set_options (batch, options);
  tessera_batch_set_upscaler_label (batch, "none");
  tessera_batch_set_output_folder (batch, NULL);
  tessera_batch_set_name_pattern (batch, "{name}-unused.{ext}");
  tessera_batch_remove_finished (batch);
  add_data_file (batch, "rgb8.png");
  run_to_end (batch);
  assert_counts (batch, 0, 1, 0, 0);
  message = tessera_batch_item_get_error (get_item (batch, 0));
  g_assert_true (g_str_has_prefix (message, "rgb8.png: "));
  g_assert_nonnull (strstr (message, "no-such-upscaler"));

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_folder (void)
{
  static const char *names[] = { "a.png", "sub/b.png", "sub/deeper/c.png" };
  static const char *outputs[] = { "a-bicubic-x2.png", "sub/b-bicubic-x2.png", "sub/deeper/c-bicubic-x2.png" };
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in = g_build_filename (dir, "in", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *c = g_build_filename (in, "sub", "deeper", "c.png", NULL);
  g_autofree char *b = g_build_filename (in, "sub", "b.png", NULL);
  g_autofree char *a = g_build_filename (in, "a.png", NULL);
  g_autofree char *hidden = g_build_filename (in, ".hidden.png", NULL);
  g_autofree char *notes = g_build_filename (in, "notes.txt", NULL);
  g_autofree char *empty_path = g_build_filename (dir, "empty", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (in);
  g_autoptr(GFile) empty = g_file_new_for_path (empty_path);
  g_autoptr(GFile) missing = g_file_get_child (folder, "missing");
  g_autoptr(TesseraBatch) batch = new_batch (out);
  g_autoptr(GError) error = NULL;

  /* Created out of name order. */
  copy_data_file ("rgb8.png", c);
  copy_data_file ("rgba8.png", b);
  copy_data_file ("gray8.png", a);
  copy_data_file ("rgb8.png", hidden);
  g_file_set_contents (notes, "not an image", -1, &error);
  g_assert_no_error (error);

  /* Without recursion, the top only. */
  g_assert_true (tessera_batch_add_folder (batch, folder, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_batch_get_items (batch)), ==, 1);

  g_assert_true (tessera_batch_add_folder (batch, folder, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_batch_get_items (batch)), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (tessera_batch_item_get_name (get_item (batch, i)), ==, names[i]);

  run_to_end (batch);
  assert_counts (batch, 3, 0, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = g_build_filename (out, outputs[i], NULL);

      g_assert_cmpstr (g_file_peek_path (tessera_batch_item_get_output (get_item (batch, i))), ==, path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  g_assert_cmpuint (test_count_files (out), ==, 2);

  /* A folder without images, or none at all, says so. */
  g_assert_cmpint (g_mkdir (empty_path, 0700), ==, 0);
  g_assert_false (tessera_batch_add_folder (batch, empty, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);
  g_assert_false (tessera_batch_add_folder (batch, missing, TRUE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_counts (batch, 3, 0, 0, 0);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
pause_on_first_done (TesseraBatch *batch,
                     GParamSpec   *pspec,
                     gpointer      user_data)
{
  if (tessera_batch_get_n_done (batch) == 1)
    {
      tessera_batch_pause (batch);
      *(gboolean *) user_data = TRUE;
    }
}

static void
test_pause (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autoptr(GError) error = NULL;
  gboolean finished = FALSE;
  gboolean paused = FALSE;
  gulong handler;

  g_signal_connect (batch, "finished", G_CALLBACK (on_finished), &finished);
  add_data_file (batch, "rgb8.png");
  add_data_file (batch, "rgba8.png");
  add_data_file (batch, "gray8.png");

  /* While the first image loads: it waits again, nothing is written. */
  g_assert_true (tessera_batch_start (batch, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tessera_batch_item_get_status (get_item (batch, 0)), ==, TESSERA_BATCH_ITEM_RUNNING);
  tessera_batch_pause (batch);
  g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_PAUSED);
  wait_until_waiting (get_item (batch, 0));
  assert_counts (batch, 0, 0, 0, 3);
  g_assert_cmpfloat (tessera_batch_item_get_progress (get_item (batch, 0)), ==, 0.0);
  g_assert_cmpuint (test_count_files (dir), ==, 0);

  /* Between two images. */
  handler = g_signal_connect (batch, "notify::n-done", G_CALLBACK (pause_on_first_done), &paused);
  tessera_batch_resume (batch);
  wait_for (&paused);
  g_signal_handler_disconnect (batch, handler);
  g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_PAUSED);
  assert_counts (batch, 1, 0, 0, 2);
  g_assert_cmpint (tessera_batch_item_get_status (get_item (batch, 1)), ==, TESSERA_BATCH_ITEM_WAITING);

  /* Added while paused: it joins the queue. */
  add_data_file (batch, "palette4.png");
  tessera_batch_resume (batch);
  wait_for (&finished);
  assert_counts (batch, 4, 0, 0, 0);
  g_assert_cmpuint (test_count_files (dir), ==, 4);
  assert_upscaled (tessera_batch_item_get_output (get_item (batch, 3)), "palette4.png");

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
cancel_while_upscaling (TesseraBatchItem *item,
                        GParamSpec       *pspec,
                        gpointer          user_data)
{
  double progress = tessera_batch_item_get_progress (item);

  /* Reported before the upscale ends, so before the save begins. */
  if (progress > 0.05 && progress < 0.95)
    tessera_batch_cancel (user_data);
}

static void
test_cancel (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *large_path = g_build_filename (dir, "large.png", NULL);
  g_autoptr(GFile) large = g_file_new_for_path (large_path);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(TesseraBatch) batch = new_batch (out);
  g_autoptr(GError) error = NULL;
  gboolean finished = FALSE;
  TesseraBatchItem *item;

  /* Large enough for the upscale to report progress on its way. */
  image = tessera_image_new (1024, 1024, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_image_save (image, large, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_signal_connect (batch, "finished", G_CALLBACK (on_finished), &finished);
  tessera_batch_add_file (batch, large);
  add_data_file (batch, "rgb8.png");
  item = get_item (batch, 0);
  g_signal_connect (item, "notify::progress", G_CALLBACK (cancel_while_upscaling), batch);

  /* Idle at once; the image waits again once its upscale has stopped,
   * with nothing written. */
  g_assert_true (tessera_batch_start (batch, &error));
  g_assert_no_error (error);
  wait_until_waiting (item);
  g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_IDLE);
  assert_counts (batch, 0, 0, 0, 2);
  g_assert_cmpfloat (tessera_batch_item_get_progress (item), ==, 0.0);
  g_assert_cmpuint (test_count_files (out), ==, 0);
  g_assert_cmpint (tessera_batch_item_get_status (get_item (batch, 1)), ==, TESSERA_BATCH_ITEM_WAITING);
  g_assert_false (finished);

  /* Started again, it runs both. */
  g_signal_handlers_disconnect_by_func (item, cancel_while_upscaling, batch);
  run_to_end (batch);
  assert_counts (batch, 2, 0, 0, 0);
  g_assert_cmpuint (test_count_files (out), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static guint
count_text_chunks (GPtrArray *chunks)
{
  guint n = 0;

  for (guint i = 0; i < chunks->len; i++)
    {
      TestChunk *chunk = g_ptr_array_index (chunks, i);

      if (g_str_equal (chunk->type, "tEXt") || g_str_equal (chunk->type, "zTXt") ||
          g_str_equal (chunk->type, "iTXt"))
        n++;
    }
  return n;
}

static void
test_metadata (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);
  g_autoptr(GPtrArray) stripped = NULL;
  g_autoptr(GPtrArray) kept = NULL;

  tessera_batch_set_keep_metadata (batch, FALSE);
  tessera_batch_set_name_pattern (batch, "stripped.{ext}");
  add_data_file (batch, "sd-rgba16.png");
  run_to_end (batch);
  assert_counts (batch, 1, 0, 0, 0);
  stripped = test_read_png_chunks (g_file_peek_path (tessera_batch_item_get_output (get_item (batch, 0))));
  g_assert_cmpuint (count_text_chunks (stripped), ==, 0);
  g_assert_null (test_find_chunk (stripped, "iCCP", NULL));

  tessera_batch_set_keep_metadata (batch, TRUE);
  tessera_batch_set_name_pattern (batch, "kept.{ext}");
  tessera_batch_remove_finished (batch);
  add_data_file (batch, "sd-rgba16.png");
  run_to_end (batch);
  assert_counts (batch, 1, 0, 0, 0);
  kept = test_read_png_chunks (g_file_peek_path (tessera_batch_item_get_output (get_item (batch, 0))));
  g_assert_nonnull (test_find_chunk (kept, "tEXt", "parameters"));
  g_assert_nonnull (test_find_chunk (kept, "iCCP", NULL));

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_invalid_pattern (void)
{
  static const char *patterns[] = { "{name}-{model}.{ext}", "{name.png", "sub/{name}.{ext}" };
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraBatch) batch = new_batch (dir);

  add_data_file (batch, "rgb8.png");
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autoptr(GError) error = NULL;

      tessera_batch_set_name_pattern (batch, patterns[i]);
      g_assert_false (tessera_batch_start (batch, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
      g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_IDLE);
      assert_counts (batch, 0, 0, 0, 1);
    }
  g_assert_cmpuint (test_count_files (dir), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* What each choice for an existing output does, to another file and to
 * the image itself; nothing is left half-written or temporary. */
static void
test_existing (void)
{
  static const struct
  {
    TesseraBatchExisting   existing;
    TesseraBatchItemStatus other;
    TesseraBatchItemStatus itself;
  } cases[] = {
    { TESSERA_BATCH_EXISTING_FAIL, TESSERA_BATCH_ITEM_FAILED, TESSERA_BATCH_ITEM_FAILED },
    { TESSERA_BATCH_EXISTING_SKIP, TESSERA_BATCH_ITEM_SKIPPED, TESSERA_BATCH_ITEM_SKIPPED },
    { TESSERA_BATCH_EXISTING_REPLACE, TESSERA_BATCH_ITEM_DONE, TESSERA_BATCH_ITEM_FAILED },
    { TESSERA_BATCH_EXISTING_REPLACE_EVEN_INPUT, TESSERA_BATCH_ITEM_DONE, TESSERA_BATCH_ITEM_DONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = test_make_tmpdir ();
      g_autofree char *input = g_build_filename (dir, "in.png", NULL);
      g_autofree char *other = g_build_filename (dir, "in-bicubic-x2.png", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (input);
      g_autoptr(TesseraBatch) batch = new_batch (NULL);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      gsize before_length, after_length;
      g_autoptr(GError) error = NULL;
      TesseraBatchItem *item;

      copy_data_file ("rgb8.png", input);
      g_assert_true (g_file_get_contents (input, &before, &before_length, NULL));
      g_file_set_contents (other, "old", -1, &error);
      g_assert_no_error (error);
      tessera_batch_set_existing (batch, cases[i].existing);

      /* Another file. */
      tessera_batch_add_file (batch, file);
      run_to_end (batch);
      item = get_item (batch, 0);
      g_assert_cmpint (tessera_batch_item_get_status (item), ==, cases[i].other);
      if (cases[i].other == TESSERA_BATCH_ITEM_DONE)
        assert_upscaled (tessera_batch_item_get_output (item), "rgb8.png");
      else
        {
          g_autofree char *contents = NULL;

          g_assert_true (g_file_get_contents (other, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, "old");
        }
      if (cases[i].other == TESSERA_BATCH_ITEM_FAILED)
        g_assert_cmpstr (tessera_batch_item_get_error (item), ==, "in.png: in-bicubic-x2.png already exists");

      /* The image itself, named as the output. */
      tessera_batch_add_file_with_output (batch, file, file);
      run_to_end (batch);
      item = get_item (batch, 1);
      g_assert_cmpint (tessera_batch_item_get_status (item), ==, cases[i].itself);
      g_assert_true (g_file_get_contents (input, &after, &after_length, NULL));
      if (cases[i].itself == TESSERA_BATCH_ITEM_DONE)
        assert_upscaled (file, "rgb8.png");
      else
        g_assert_cmpmem (before, before_length, after, after_length);
      if (cases[i].itself == TESSERA_BATCH_ITEM_FAILED)
        g_assert_true (g_str_has_prefix (tessera_batch_item_get_error (item), "in.png: "));

      g_assert_cmpuint (test_count_files (dir), ==, 2);
      g_assert_finalize_object (g_steal_pointer (&batch));
      test_remove_tmpdir (g_steal_pointer (&dir));
    }
}

/* The image under another name is the image itself. */
static void
test_same_file (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = g_build_filename (dir, "in.png", NULL);
  g_autofree char *link = g_build_filename (dir, "link.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (input);
  g_autoptr(GFile) link_file = g_file_new_for_path (link);
  g_autoptr(TesseraBatch) batch = new_batch (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length, after_length;
  TesseraBatchItem *item;

  copy_data_file ("rgb8.png", input);
  g_assert_true (g_file_get_contents (input, &before, &before_length, NULL));
  g_assert_cmpint (symlink ("in.png", link), ==, 0);

  tessera_batch_set_existing (batch, TESSERA_BATCH_EXISTING_REPLACE);
  tessera_batch_add_file_with_output (batch, file, link_file);
  run_to_end (batch);

  item = get_item (batch, 0);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_FAILED);
  g_assert_true (g_str_has_prefix (tessera_batch_item_get_error (item), "in.png: "));
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (input, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

typedef struct
{
  gboolean   done;
  gboolean   succeeded;
  GError    *error;
  GPtrArray *steps;
  double     fraction;
} ItemRun;

static void
on_item_progress (double      fraction,
                  const char *text,
                  gpointer    user_data)
{
  ItemRun *run = user_data;

  g_assert_false (run->done);
  g_assert_cmpfloat (fraction, >=, run->fraction);
  run->fraction = fraction;
  if (run->steps->len == 0 || !g_str_equal (g_ptr_array_index (run->steps, run->steps->len - 1), text))
    g_ptr_array_add (run->steps, g_strdup (text));
}

static void
on_item_run (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ItemRun *run = user_data;

  run->succeeded = tessera_batch_run_item_finish (TESSERA_BATCH (object), result, &run->error);
  run->done = TRUE;
}

/* One item at a time, as tessera-cli runs them: outputs beside the
 * images, found in a folder and its subfolder; progress from 0 to 1 with
 * each step's name; sizes; a broken image failing alone, named. */
static void
test_run_item (void)
{
  static const char *names[] = { "a.png", "sub/b.png", "sub/c.png" };
  static const char *outputs[] = { "a-bicubic-x2.png", "sub/b-bicubic-x2.png", "sub/c-bicubic-x2.png" };
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *a = g_build_filename (dir, "a.png", NULL);
  g_autofree char *b = g_build_filename (dir, "sub", "b.png", NULL);
  g_autofree char *c = g_build_filename (dir, "sub", "c.png", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(TesseraBatch) batch = new_batch (NULL);
  g_autoptr(GError) error = NULL;

  copy_data_file ("rgb8.png", a);
  copy_data_file ("gray8.png", b);
  copy_data_file ("truncated.png", c);
  g_assert_true (tessera_batch_add_folder (batch, folder, TRUE, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *expected = g_build_filename (dir, outputs[i], NULL);
      TesseraBatchItem *item = get_item (batch, i);
      ItemRun run = { .steps = g_ptr_array_new_with_free_func (g_free) };
      guint width, height;

      g_assert_cmpstr (tessera_batch_item_get_name (item), ==, names[i]);
      tessera_batch_run_item_async (batch, item, NULL, on_item_progress, &run, on_item_run, &run);
      /* Its output is chosen at once. */
      g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_RUNNING);
      g_assert_cmpstr (g_file_peek_path (tessera_batch_item_get_output (item)), ==, expected);
      wait_for (&run.done);

      if (i < 2)
        {
          g_assert_no_error (run.error);
          g_assert_true (run.succeeded);
          g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
          g_assert_cmpfloat (run.fraction, ==, 1.0);
          g_assert_cmpstr (g_ptr_array_index (run.steps, 0), ==, "Loading");
          g_assert_cmpstr (g_ptr_array_index (run.steps, run.steps->len - 1), ==, "Saving");
          assert_upscaled (tessera_batch_item_get_output (item), i == 0 ? "rgb8.png" : "gray8.png");
          tessera_batch_item_get_input_size (item, &width, &height);
          g_assert_cmpuint (width, ==, 13);
          g_assert_cmpuint (height, ==, 7);
          tessera_batch_item_get_output_size (item, &width, &height);
          g_assert_cmpuint (width, ==, 26);
          g_assert_cmpuint (height, ==, 14);
        }
      else
        {
          g_assert_false (run.succeeded);
          g_assert_nonnull (run.error);
          g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_FAILED);
          g_assert_cmpstr (tessera_batch_item_get_error (item), ==, run.error->message);
          g_assert_nonnull (strstr (run.error->message, "c.png"));
          g_assert_null (tessera_batch_item_get_output (item));
          g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
        }

      g_clear_error (&run.error);
      g_ptr_array_unref (run.steps);
    }
  assert_counts (batch, 2, 1, 0, 0);
  g_assert_cmpuint (test_count_files (dir), ==, 3);

  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
cancel_while_saving (TesseraBatchItem *item,
                     GParamSpec       *pspec,
                     gpointer          user_data)
{
  double progress = tessera_batch_item_get_progress (item);

  /* Past the upscale, before the save ends. */
  if (progress > 0.95 && progress < 1.0)
    tessera_batch_cancel (user_data);
}

/* Cancelled while it writes, the output it would replace stays as it was
 * and no temporary file remains. */
static void
test_cancel_save (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *large_path = g_build_filename (dir, "large.png", NULL);
  g_autofree char *output = g_build_filename (dir, "large-bicubic-x2.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GFile) large = g_file_new_for_path (large_path);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(TesseraBatch) batch = new_batch (NULL);
  g_autoptr(GError) error = NULL;
  TesseraBatchItem *item;
  guint32 noise = 1;

  /* Noise, so that its output takes a while to compress. */
  image = tessera_image_new (1024, 1024, FALSE, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (guint p = 0; p < 1024 * 1024; p++)
      {
        noise = noise * 1664525 + 1013904223;
        tessera_image_get_plane (image, c)[p] = (noise >> 8) / (float) (1 << 24);
      }
  g_assert_true (tessera_image_save (image, large, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_file_set_contents (output, "old", -1, &error);
  g_assert_no_error (error);

  tessera_batch_set_existing (batch, TESSERA_BATCH_EXISTING_REPLACE);
  tessera_batch_add_file (batch, large);
  item = get_item (batch, 0);
  g_signal_connect (item, "notify::progress", G_CALLBACK (cancel_while_saving), batch);
  g_assert_true (tessera_batch_start (batch, &error));
  g_assert_no_error (error);
  wait_until_waiting (item);

  g_assert_cmpint (tessera_batch_get_state (batch), ==, TESSERA_BATCH_IDLE);
  assert_counts (batch, 0, 0, 0, 1);
  g_assert_null (tessera_batch_item_get_output (item));
  g_assert_true (g_file_get_contents (output, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_cmpuint (test_count_files (dir), ==, 2);

  g_signal_handlers_disconnect_by_func (item, cancel_while_saving, batch);
  /* The run's last callback, which holds the batch. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (g_steal_pointer (&batch));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/batch/broken-file", test_broken_file);
  g_test_add_func ("/tessera/batch/name-pattern", test_name_pattern);
  g_test_add_func ("/tessera/batch/chain-tta", test_chain_tta);
  g_test_add_func ("/tessera/batch/skip-existing", test_skip_existing);
  g_test_add_func ("/tessera/batch/input-kept", test_input_kept);
  g_test_add_func ("/tessera/batch/failures", test_failures);
  g_test_add_func ("/tessera/batch/folder", test_folder);
  g_test_add_func ("/tessera/batch/pause", test_pause);
  g_test_add_func ("/tessera/batch/cancel", test_cancel);
  g_test_add_func ("/tessera/batch/metadata", test_metadata);
  g_test_add_func ("/tessera/batch/invalid-pattern", test_invalid_pattern);
  g_test_add_func ("/tessera/batch/existing", test_existing);
  g_test_add_func ("/tessera/batch/same-file", test_same_file);
  g_test_add_func ("/tessera/batch/run-item", test_run_item);
  g_test_add_func ("/tessera/batch/cancel-save", test_cancel_save);

  return g_test_run ();
}
