/* test-cli.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tessera-test-utils.h"

/* tessera-cli as scripts use it: exit statuses, one-line errors, files. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliRun;

static void
cli_run_free (CliRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliRun, cli_run_free)

static GSubprocess *
spawn_cli (const char * const *args,
           GSubprocessFlags    flags)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("TESSERA_CLI");
  GSubprocess *process;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, flags, &error);
  g_assert_no_error (error);
  return process;
}

static CliRun *
run_cliv (const char * const *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  process = spawn_cli (args, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  return run;
}

#define run_cli(...) run_cliv ((const char *[]) { __VA_ARGS__, NULL })

static CliRun *
run_cli_launched (GSubprocessLauncher *launcher,
                  const char * const  *args)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  CliRun *run = g_new0 (CliRun, 1);

  g_ptr_array_add (argv, (gpointer) g_getenv ("TESSERA_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_exit_status (process);
  return run;
}

/* Runs the CLI with the model library being @models alone. */
static CliRun *
run_cli_with_models (const char         *models,
                     const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "TESSERA_MODEL_PATH", models, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", models, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", models, TRUE);
  return run_cli_launched (launcher, args);
}

#define run_cli_models(models, ...) run_cli_with_models (models, (const char *[]) { __VA_ARGS__, NULL })

/* Runs the CLI in @folder, for paths relative to it. */
static CliRun *
run_cli_in_folder (const char         *folder,
                   const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_set_cwd (launcher, folder);
  return run_cli_launched (launcher, args);
}

#define run_cli_in(folder, ...) run_cli_in_folder (folder, (const char *[]) { __VA_ARGS__, NULL })

static char *
data_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "data", relative, NULL);
}

static char *
sample_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "chelsea.png", NULL);
}

static TesseraImage *
load (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  return image;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_file_load_bytes (file, NULL, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

static char *
copy_into (const char *source,
           const char *dir,
           const char *name)
{
  g_autoptr(GBytes) bytes = read_bytes (source);
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_one_line (const char *text)
{
  g_assert_true (g_str_has_suffix (text, "\n"));
  g_assert_true (strchr (text, '\n') == text + strlen (text) - 1);
}

static void
test_version_and_help (void)
{
  g_autoptr(CliRun) version = run_cli ("--version");
  g_autoptr(CliRun) help = run_cli ("--help");
  g_autoptr(CliRun) upscale_help = run_cli ("upscale", "--help");
  g_autoptr(CliRun) no_input = run_cli ("upscale");
  g_autoptr(CliRun) unknown = run_cli ("enlarge", "x.png");

  g_assert_cmpint (version->status, ==, 0);
  g_assert_cmpstr (version->out, ==, "tessera-cli " TESSERA_VERSION_STRING "\n");

  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "  upscale "));
  g_assert_nonnull (strstr (help->out, "  upscalers "));

  g_assert_cmpint (upscale_help->status, ==, 0);
  g_assert_nonnull (strstr (upscale_help->out, "--output-dir"));
  g_assert_nonnull (strstr (upscale_help->out, "--overwrite"));

  g_assert_cmpint (no_input->status, ==, 2);
  assert_one_line (no_input->err);

  g_assert_cmpint (unknown->status, ==, 2);
  assert_one_line (unknown->err);
  g_assert_nonnull (strstr (unknown->err, "enlarge"));
}

/* The classic filters, then the library's models. */
static void
test_upscalers (void)
{
  g_autofree char *models = g_test_build_filename (G_TEST_DIST, "data", "models", "dni", NULL);
  g_autoptr(CliRun) text = run_cli_models (models, "upscalers");
  g_autoptr(CliRun) json = run_cli_models (models, "upscalers", "--json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *array;

  g_assert_cmpint (text->status, ==, 0);
  lines = g_strsplit (g_strchomp (text->out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);

  g_assert_cmpint (json->status, ==, 0);
  json_parser_load_from_data (parser, json->out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      g_autofree char *prefix = g_strconcat (json_object_get_string_member (object, "name"), " ", NULL);

      g_assert_true (g_str_has_prefix (lines[i], prefix));
      g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, i < 4 ? "classic" : "model");
    }
  g_assert_nonnull (strstr (text->out, "tiny-general-wdn-x2"));
}

/* The CPU always, first; a GPU when CUDA has one. */
static void
test_devices (void)
{
  g_autoptr(CliRun) text = run_cli ("devices");
  g_autoptr(CliRun) json = run_cli ("devices", "--json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  g_assert_cmpint (text->status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "cpu "));
  g_assert_cmpint (json->status, ==, 0);
  json_parser_load_from_data (parser, json->out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "device"), ==, "cpu");
}

/* A model by file or by library name: its own scale unless told, tiles,
 * denoise where the model has it, clear errors where not. */
static void
test_upscale_model (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *models = g_test_build_filename (G_TEST_DIST, "data", "models", "dni", NULL);
  g_autofree char *tiny = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.safetensors", NULL);
  g_autofree char *sample = sample_path ();
  g_autofree char *input = copy_into (sample, dir, "cat.png");
  g_autofree char *tiled = g_build_filename (dir, "tiled.png", NULL);
  g_autofree char *whole = g_build_filename (dir, "whole.png", NULL);
  g_autofree char *named = g_build_filename (dir, "cat-tiny-compact-x2.png", NULL);
  g_autofree char *blended = g_build_filename (dir, "blended.png", NULL);
  g_autoptr(CliRun) by_file = run_cli ("upscale", input, "-u", tiny);
  g_autoptr(CliRun) by_tile = run_cli ("upscale", input, "-u", tiny, "--tile", "32", "--tile-overlap", "8",
                                       "--threads", "1", "--pre-pad", "auto", "-o", tiled);
  /* Compact's own pre-pad is Real-ESRGAN's 10. */
  g_autoptr(CliRun) by_whole = run_cli ("upscale", input, "-u", tiny, "--tile", "auto", "--pre-pad", "10",
                                        "-o", whole);
  g_autoptr(CliRun) by_name = run_cli_models (models, "upscale", input, "-u", "tiny-general-x2",
                                              "--denoise", "0.5", "--alpha", "model", "-o", blended);
  g_autoptr(CliRun) no_denoise = run_cli ("upscale", input, "-u", tiny, "--denoise", "0.5", "-o", tiled,
                                          "--overwrite");
  g_autoptr(TesseraImage) a = NULL;
  g_autoptr(TesseraImage) b = NULL;

  g_assert_cmpint (by_file->status, ==, 0);
  g_assert_true (g_file_test (named, G_FILE_TEST_EXISTS));
  a = load (named);
  g_assert_cmpuint (tessera_image_get_width (a), ==, 2 * 180);
  g_clear_object (&a);

  g_assert_cmpint (by_tile->status, ==, 0);
  g_assert_cmpint (by_whole->status, ==, 0);
  a = load (tiled);
  b = load (whole);
  /* Three 3×3 convolutions need 3 pixels of context; tiles get 4. */
  g_assert_cmpmem (tessera_image_get_plane (a, 0), 3 * 360 * 240 * sizeof (float),
                   tessera_image_get_plane (b, 0), 3 * 360 * 240 * sizeof (float));

  g_test_message ("%s", by_name->err);
  g_assert_cmpint (by_name->status, ==, 0);
  g_assert_true (g_file_test (blended, G_FILE_TEST_EXISTS));

  g_assert_cmpint (no_denoise->status, ==, 1);
  assert_one_line (no_denoise->err);
  g_assert_nonnull (strstr (no_denoise->err, "not available"));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* -u A+B: a chain named after its models, scaled by their product;
 * --tta changes the result; a chain's bad model is named. */
static void
test_chain_and_tta (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *compact = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.safetensors", NULL);
  g_autofree char *vgg7 = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-vgg7.json", NULL);
  g_autofree char *chain = g_strconcat (vgg7, "+", compact, NULL);
  g_autofree char *bad_chain = g_strconcat (vgg7, "+", "no-such-model", NULL);
  g_autofree char *sample = sample_path ();
  g_autofree char *input = copy_into (sample, dir, "cat.png");
  g_autofree char *named = g_build_filename (dir, "cat-tiny-vgg7+tiny-compact-x2.png", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.png", NULL);
  g_autofree char *tta = g_build_filename (dir, "tta.png", NULL);
  g_autoptr(CliRun) chained = run_cli ("upscale", input, "-u", chain);
  g_autoptr(CliRun) bad = run_cli ("upscale", input, "-u", bad_chain, "-o", plain);
  g_autoptr(CliRun) without = run_cli ("upscale", input, "-u", compact, "-o", plain);
  g_autoptr(CliRun) with = run_cli ("upscale", input, "-u", compact, "--tta", "-o", tta);
  g_autoptr(TesseraImage) a = NULL;
  g_autoptr(TesseraImage) b = NULL;

  g_test_message ("%s", chained->err);
  g_assert_cmpint (chained->status, ==, 0);
  a = load (named);
  g_assert_cmpuint (tessera_image_get_width (a), ==, 2 * 180);
  g_clear_object (&a);

  g_assert_cmpint (bad->status, !=, 0);
  assert_one_line (bad->err);
  g_assert_nonnull (strstr (bad->err, "no-such-model"));

  g_assert_cmpint (without->status, ==, 0);
  g_assert_cmpint (with->status, ==, 0);
  a = load (plain);
  b = load (tta);
  g_assert_cmpuint (tessera_image_get_width (b), ==, 2 * 180);
  g_assert_true (memcmp (tessera_image_get_plane (a, 0), tessera_image_get_plane (b, 0),
                         3 * 360 * 240 * sizeof (float)) != 0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_scale_4 (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = sample_path ();
  g_autofree char *output = g_build_filename (dir, "y.png", NULL);
  g_autoptr(CliRun) run = run_cli ("upscale", input, "-s", "4", "-o", output);
  g_autoptr(TesseraImage) in = load (input);
  g_autoptr(TesseraImage) out = NULL;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");
  /* Not a terminal: no progress bar, just what was written. */
  g_assert_null (strchr (run->out, '\r'));
  g_assert_null (strchr (run->out, '\033'));
  assert_one_line (run->out);
  g_assert_nonnull (strstr (run->out, "y.png"));

  out = load (output);
  g_assert_cmpuint (tessera_image_get_width (out), ==, 4 * tessera_image_get_width (in));
  g_assert_cmpuint (tessera_image_get_height (out), ==, 4 * tessera_image_get_height (in));
  g_assert_cmpuint (test_count_files (dir), ==, 1);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_nearest_exact (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = sample_path ();
  g_autofree char *output = g_build_filename (dir, "nearest.png", NULL);
  g_autoptr(CliRun) run = run_cli ("upscale", "-q", "-u", "nearest", "-s", "3", input, "-o", output);
  g_autoptr(TesseraImage) in = load (input);
  g_autoptr(TesseraImage) out = NULL;
  guint width;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, "");
  out = load (output);
  width = tessera_image_get_width (out);
  g_assert_cmpuint (width, ==, 3 * tessera_image_get_width (in));
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < tessera_image_get_height (out); y++)
      for (guint x = 0; x < width; x++)
        g_assert_cmpfloat (tessera_image_get_plane (out, c)[y * width + x], ==,
                           tessera_image_get_plane (in, c)[(y / 3) * (width / 3) + x / 3]);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static GBytes *
chunk_data (GPtrArray  *chunks,
            const char *type,
            const char *keyword)
{
  TestChunk *chunk = test_find_chunk (chunks, type, keyword);

  g_assert_nonnull (chunk);
  return chunk->data;
}

static void
test_16bit_alpha_parameters (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = data_path ("images/sd-rgba16.png");
  g_autofree char *output = g_build_filename (dir, "sd-x4.png", NULL);
  g_autoptr(CliRun) run = run_cli ("upscale", input, "-s", "4", "-o", output);
  g_autoptr(GPtrArray) in_chunks = test_read_png_chunks (input);
  g_autoptr(GPtrArray) out_chunks = NULL;
  g_autofree char *note = NULL;
  const guint8 *ihdr;
  const char *data;
  gsize size;

  g_assert_cmpint (run->status, ==, 0);
  out_chunks = test_read_png_chunks (output);

  ihdr = g_bytes_get_data (chunk_data (out_chunks, "IHDR", NULL), NULL);
  g_assert_cmpmem (ihdr, 8, "\x00\x00\x00\x34\x00\x00\x00\x1c", 8);   /* 52 × 28 */
  g_assert_cmpuint (ihdr[8], ==, 16);
  g_assert_cmpuint (ihdr[9], ==, 6);

  /* Stable Diffusion's parameters, byte for byte. */
  g_assert_true (g_bytes_equal (chunk_data (out_chunks, "tEXt", "parameters"),
                                chunk_data (in_chunks, "tEXt", "parameters")));

  /* keyword, NUL, text */
  data = g_bytes_get_data (chunk_data (out_chunks, "tEXt", "tessera"), &size);
  note = g_strndup (data + sizeof "tessera", size - sizeof "tessera");
  g_assert_nonnull (strstr (note, "upscaler: lanczos"));
  g_assert_nonnull (strstr (note, "scale: 4,"));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_default_names (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *rgb_source = data_path ("images/rgb8.png");
  g_autofree char *gray_source = data_path ("images/gray8.png");
  g_autofree char *photo = copy_into (rgb_source, dir, "photo.png");
  g_autofree char *gray = copy_into (gray_source, dir, "gray.png");
  g_autofree char *out_dir = g_build_filename (dir, "out", "nested", NULL);
  g_autofree char *next_to_input = g_build_filename (dir, "photo-bicubic-x2.png", NULL);
  g_autofree char *in_out_dir = g_build_filename (out_dir, "gray-lanczos-w26.jpg", NULL);
  g_autoptr(CliRun) beside = run_cli ("upscale", "-u", "bicubic", "-s", "2x", photo);
  g_autoptr(CliRun) into = run_cli ("upscale", "--width", "26", "-f", "jpeg", photo, gray, "-d", out_dir);
  g_autoptr(TesseraImage) gray_out = NULL;

  g_assert_cmpint (beside->status, ==, 0);
  g_assert_true (g_file_test (next_to_input, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (into->status, ==, 0);
  g_assert_cmpuint (test_count_files (out_dir), ==, 2);
  gray_out = load (in_out_dir);
  g_assert_cmpuint (tessera_image_get_width (gray_out), ==, 26);
  g_assert_cmpuint (tessera_image_get_height (gray_out), ==, 14);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_formats (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = data_path ("resample/rgba-20x16.png");
  g_autofree char *jpeg = g_build_filename (dir, "out.jpg", NULL);
  g_autofree char *webp = g_build_filename (dir, "out.webp", NULL);
  g_autoptr(CliRun) jpeg_run = run_cli ("upscale", input, "-s", "2", "-o", jpeg, "--quality", "80");
  g_autoptr(GBytes) jpeg_bytes = read_bytes (jpeg);

  g_assert_cmpint (jpeg_run->status, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (jpeg_bytes, NULL), 3, "\xff\xd8\xff", 3);

  if (tessera_image_format_is_writable (TESSERA_IMAGE_FORMAT_WEBP))
    {
      g_autoptr(CliRun) webp_run = run_cli ("upscale", input, "-s", "2", "-o", webp);
      g_autoptr(GBytes) webp_bytes = read_bytes (webp);
      g_autoptr(TesseraImage) image = load (webp);

      g_assert_cmpint (webp_run->status, ==, 0);
      g_assert_cmpmem ((const char *) g_bytes_get_data (webp_bytes, NULL) + 8, 4, "WEBP", 4);
      g_assert_true (tessera_image_get_has_alpha (image));
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Every bad input: a non-zero exit, one line naming the file, nothing written. */
typedef enum {
  BAD_MISSING,
  BAD_FOLDER,
  BAD_EMPTY,
  BAD_TRUNCATED,
  BAD_LYING_IHDR,
  BAD_TEXT_FILE,
  BAD_UNWRITABLE_FOLDER,
  BAD_OUTPUT_IS_INPUT,
  BAD_OUTPUT_EXISTS,
} BadInput;

static void
test_bad_input (gconstpointer data)
{
  BadInput bad = GPOINTER_TO_INT (data);
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = NULL;
  g_autofree char *output = g_build_filename (dir, "out.png", NULL);
  g_autofree char *named = NULL;
  g_autofree char *unwritable = NULL;
  g_autofree char *blamed = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(CliRun) run = NULL;
  guint n_files;

  switch (bad)
    {
    case BAD_MISSING:
      input = g_build_filename (dir, "nowhere.png", NULL);
      break;
    case BAD_FOLDER:
      input = g_build_filename (dir, "album", NULL);
      g_assert_cmpint (g_mkdir (input, 0755), ==, 0);
      break;
    case BAD_EMPTY:
      input = data_path ("images/empty.png");
      break;
    case BAD_TRUNCATED:
      input = data_path ("images/truncated.png");
      break;
    case BAD_LYING_IHDR:
      input = data_path ("images/lying-ihdr.png");
      break;
    case BAD_TEXT_FILE:
      input = data_path ("images/not-a-png.png");
      break;
    case BAD_UNWRITABLE_FOLDER:
      input = data_path ("images/rgb8.png");
      /* Root writes in any folder whatever its mode; not in /sys. */
      if (geteuid () == 0)
        unwritable = g_strdup ("/sys/kernel");
      else
        {
          unwritable = g_build_filename (dir, "locked", NULL);
          g_assert_cmpint (g_mkdir (unwritable, 0555), ==, 0);
        }
      g_free (output);
      output = g_build_filename (unwritable, "out.png", NULL);
      break;
    case BAD_OUTPUT_IS_INPUT:
      named = data_path ("images/rgb8.png");
      input = copy_into (named, dir, "in.png");
      g_free (output);
      output = g_strdup (input);
      break;
    case BAD_OUTPUT_EXISTS:
      named = data_path ("images/rgb8.png");
      input = copy_into (named, dir, "in.png");
      g_free (named);
      named = data_path ("images/gray8.png");
      g_free (copy_into (named, dir, "out.png"));
      break;
    default:
      g_assert_not_reached ();
    }

  if (g_file_test (output, G_FILE_TEST_IS_REGULAR))
    before = read_bytes (output);
  n_files = test_count_files (dir);

  run = run_cli ("upscale", input, "-o", output);

  g_test_message ("stderr: %s", run->err);
  /* A folder is an input, but not with -o: a usage error. */
  g_assert_cmpint (run->status, ==, bad == BAD_FOLDER ? 2 : 1);
  g_assert_cmpstr (run->out, ==, "");
  assert_one_line (run->err);
  g_assert_true (g_str_has_prefix (run->err, "tessera-cli: "));
  /* The error names the file at fault: the output for the last three. */
  blamed = g_path_get_basename (bad >= BAD_UNWRITABLE_FOLDER ? output : input);
  g_assert_nonnull (strstr (run->err, blamed));

  /* Nothing new, nothing changed, not even a temporary file. */
  g_assert_cmpuint (test_count_files (dir), ==, n_files);
  if (before != NULL)
    {
      g_autoptr(GBytes) after = read_bytes (output);

      g_assert_true (g_bytes_equal (before, after));
    }
  else
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  if (unwritable != NULL && geteuid () != 0)
    g_chmod (unwritable, 0755);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_usage_errors (void)
{
  const char *input = "photo.png";
  g_autoptr(CliRun) bad_scale = run_cli ("upscale", input, "-s", "zero");
  g_autoptr(CliRun) negative_scale = run_cli ("upscale", input, "-s", "-2");
  g_autoptr(CliRun) unknown_upscaler = run_cli ("upscale", input, "-u", "waifu3x");
  g_autoptr(CliRun) two_outputs = run_cli ("upscale", input, input, "-o", "x.png");
  g_autoptr(CliRun) scale_and_width = run_cli ("upscale", input, "-s", "2", "--width", "100");
  g_autoptr(CliRun) unknown_format = run_cli ("upscale", input, "-o", "x.gif");
  g_autoptr(CliRun) quality = run_cli ("upscale", input, "--quality", "101");
  g_autoptr(CliRun) tile = run_cli ("upscale", input, "--tile", "big");
  g_autoptr(CliRun) denoise = run_cli ("upscale", input, "--denoise", "2");
  g_autoptr(CliRun) alpha = run_cli ("upscale", input, "--alpha", "magic");
  g_autoptr(CliRun) overlap = run_cli ("upscale", input, "--tile-overlap", "-1");
  g_autoptr(CliRun) pre_pad = run_cli ("upscale", input, "--pre-pad", "-1");
  g_autoptr(CliRun) device = run_cli ("upscale", input, "--device", "gpu");
  g_autoptr(CliRun) precision = run_cli ("upscale", input, "--precision", "fp8");
  CliRun *runs[] = { bad_scale, negative_scale, unknown_upscaler, two_outputs, scale_and_width,
                     unknown_format, quality, tile, denoise, alpha, overlap, pre_pad, device, precision };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_test_message ("stderr: %s", runs[i]->err);
      g_assert_cmpint (runs[i]->status, ==, 2);
      assert_one_line (runs[i]->err);
    }
  g_assert_nonnull (strstr (unknown_upscaler->err, "lanczos"));
}

/* With --overwrite, the output may replace the input itself. */
static void
test_overwrite_input (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *source = data_path ("images/rgb8.png");
  g_autofree char *input = copy_into (source, dir, "in.png");
  g_autoptr(CliRun) run = run_cli ("upscale", input, "-o", input, "-s", "2", "--overwrite");
  g_autoptr(TesseraImage) image = NULL;

  g_assert_cmpint (run->status, ==, 0);
  image = load (input);
  g_assert_cmpuint (tessera_image_get_width (image), ==, 26);
  g_assert_cmpuint (test_count_files (dir), ==, 1);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A failing input does not stop the others, and the exit status tells. */
static void
test_one_failure_among_many (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *good = data_path ("images/rgb8.png");
  g_autofree char *bad = data_path ("images/truncated.png");
  g_autofree char *also_good = data_path ("images/gray8.png");
  g_autoptr(CliRun) run = run_cli ("upscale", "-q", good, bad, also_good, "-d", dir);

  g_assert_cmpint (run->status, ==, 1);
  assert_one_line (run->err);
  g_assert_nonnull (strstr (run->err, "truncated.png"));
  g_assert_cmpuint (test_count_files (dir), ==, 2);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A folder, recursively, into an output folder that repeats its
 * subfolders, named by a pattern; a broken file fails alone; a second run
 * skips what exists. Hidden files and other files are not images. */
static void
test_folder (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = g_build_filename (dir, "in", NULL);
  g_autofree char *sub = g_build_filename (input, "sub", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *rgb = data_path ("images/rgb8.png");
  g_autofree char *gray = data_path ("images/gray8.png");
  g_autofree char *truncated = data_path ("images/truncated.png");
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *hidden = NULL, *notes = NULL;
  g_autofree char *out_a = g_build_filename (out, "a_bicubic_x2.png", NULL);
  g_autofree char *out_b = g_build_filename (out, "sub", "b_bicubic_x2.png", NULL);
  g_autoptr(CliRun) flat = NULL;
  g_autoptr(CliRun) first = NULL;
  g_autoptr(CliRun) again = NULL;
  g_autoptr(CliRun) bad_pattern = NULL;
  g_autoptr(CliRun) empty = NULL;
  g_autoptr(TesseraImage) image = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  a = copy_into (rgb, input, "a.png");
  b = copy_into (gray, sub, "b.PNG");
  c = copy_into (truncated, sub, "c.png");
  hidden = copy_into (rgb, input, ".hidden.png");
  notes = copy_into (rgb, input, "notes.txt");

  /* Without -r, the top folder only. */
  flat = run_cli ("upscale", "-q", "-u", "bicubic", "-s", "2", input, "-d", out, "--name-pattern",
                  "{name}_{upscaler}_{scale}.{ext}");
  g_assert_cmpint (flat->status, ==, 0);
  g_assert_cmpuint (test_count_files (out), ==, 1);
  g_assert_true (g_file_test (out_a, G_FILE_TEST_IS_REGULAR));

  first = run_cli ("upscale", "-u", "bicubic", "-s", "2", "-r", input, "-d", out, "--skip-existing",
                   "--name-pattern", "{name}_{upscaler}_{scale}.{ext}");
  g_assert_cmpint (first->status, ==, 1);
  assert_one_line (first->err);
  g_assert_nonnull (strstr (first->err, "c.png"));
  g_assert_nonnull (strstr (first->out, "skipped"));
  image = load (out_b);
  g_assert_cmpuint (tessera_image_get_width (image), ==, 2 * 13);
  g_assert_cmpuint (test_count_files (out), ==, 2);   /* a's output and sub/ */

  again = run_cli ("upscale", "-q", "-u", "bicubic", "-s", "2", "-r", a, sub, "-d", out, "--skip-existing",
                   "--name-pattern", "{name}_{upscaler}_{scale}.{ext}");
  g_assert_cmpint (again->status, ==, 1);   /* c.png still fails; nothing else is redone */
  g_assert_nonnull (strstr (again->err, "c.png"));

  bad_pattern = run_cli ("upscale", "-q", input, "-d", out, "--name-pattern", "{name}-{model}.{ext}");
  g_assert_cmpint (bad_pattern->status, ==, 2);
  g_assert_nonnull (strstr (bad_pattern->err, "{model}"));

  {
    g_autofree char *nothing = g_build_filename (dir, "nothing", NULL);

    g_assert_cmpint (g_mkdir (nothing, 0755), ==, 0);
    empty = run_cli ("upscale", "-q", nothing, "-r");
    g_assert_cmpint (empty->status, ==, 1);
    g_assert_nonnull (strstr (empty->err, "no images"));
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Paths print relative to the current folder: the images at the top of
 * an input folder go straight into the output folder, not into "out/./". */
static void
test_folder_paths (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = g_build_filename (dir, "in", NULL);
  g_autofree char *sub = g_build_filename (input, "sub", NULL);
  g_autofree char *rgb = data_path ("images/rgb8.png");
  g_autofree char *a = NULL, *b = NULL;
  g_autoptr(CliRun) run = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  a = copy_into (rgb, input, "a.png");
  b = copy_into (rgb, sub, "b.png");

  run = run_cli_in (dir, "upscale", "in", "-r", "-d", "out", "-u", "bilinear", "-s", "2");
  g_assert_cmpint (run->status, ==, 0);
  lines = g_strsplit (run->out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], "in/a.png → out/a-bilinear-x2.png (13×7 → 26×14, "));
  g_assert_true (g_str_has_prefix (lines[1], "in/sub/b.png → out/sub/b-bilinear-x2.png (13×7 → 26×14, "));
  g_assert_cmpstr (lines[2], ==, "");

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* The naming pattern's fields, and the patterns it refuses. */
static void
test_name_pattern (void)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = NULL, *sized = NULL, *fractional = NULL, *none = NULL;

  tessera_upscale_options_set_scale (options, 4.0);
  plain = tessera_upscale_options_expand_name (options, TESSERA_DEFAULT_NAME_PATTERN, "/photos/cat.photo.jpg",
                                               "realesrgan-x4plus", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "cat.photo-realesrgan-x4plus-x4.png");

  tessera_upscale_options_set_scale (options, 2.5);
  tessera_upscale_options_set_format (options, TESSERA_IMAGE_FORMAT_WEBP);
  fractional = tessera_upscale_options_expand_name (options, "{upscaler}/{name}", "a.png", "x", &error);
  g_assert_null (fractional);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  fractional = tessera_upscale_options_expand_name (options, "{name}{scale}.{ext}", ".bashrc", "x", &error);
  g_assert_cmpstr (fractional, ==, ".bashrcx2.5.webp");

  tessera_upscale_options_set_width (options, 3840);
  sized = tessera_upscale_options_expand_name (options, "{scale}_{name}", "b", "u", &error);
  g_assert_cmpstr (sized, ==, "w3840_b");

  none = tessera_upscale_options_expand_name (options, "{name", "b", "u", &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  none = tessera_upscale_options_expand_name (options, "{nothing}", "", "u", &error);
  g_assert_null (none);
  g_assert_nonnull (strstr (error->message, "{nothing}"));
}

/* Ctrl-C in the middle: exit 130, and no file, whole or partial, remains. */
static void
test_interrupt (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input = g_build_filename (dir, "big.png", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autoptr(TesseraImage) big = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (input);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  big = tessera_image_new (1600, 1600, FALSE, &error);
  g_assert_no_error (error);
  tessera_image_save (big, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* The output folder appears once the CLI handles signals; 9600 × 9600
   * Lanczos and its PNG take seconds, so the signal comes well before. */
  process = spawn_cli ((const char *[]) { "upscale", "-q", input, "-s", "6", "-d", out_dir, NULL },
                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  for (guint i = 0; i < 1000 && !g_file_test (out_dir, G_FILE_TEST_IS_DIR); i++)
    g_usleep (G_USEC_PER_SEC / 100);
  g_usleep (G_USEC_PER_SEC / 4);
  g_subprocess_send_signal (process, SIGINT);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_cmpuint (test_count_files (out_dir), ==, 0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static char *
model_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
}

/* inspect --json gives exactly the documented keys. */
static void
test_inspect (void)
{
  g_autofree char *param = model_path ("tiny-compact.param");
  g_autofree char *evil = model_path ("evil-os-system.pth");
  g_autoptr(CliRun) text = run_cli ("inspect", param);
  g_autoptr(CliRun) json = run_cli ("inspect", "--json", param);
  g_autoptr(CliRun) failed = run_cli ("inspect", "--json", evil);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  const char *keys[] = { "file", "format", "arch", "supported", "scale", "in_channels", "out_channels",
                         "num_feat", "num_blocks", "params", "dtype", "name" };
  JsonObject *object;
  guint i = 0;

  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "Real-ESRGAN Compact"));

  g_assert_cmpint (json->status, ==, 0);
  json_parser_load_from_data (parser, json->out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (keys));
  for (GList *l = members; l != NULL; l = l->next, i++)
    g_assert_cmpstr (l->data, ==, keys[i]);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "ncnn");
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "compact");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "params"), ==, 712);
  g_assert_cmpstr (json_object_get_string_member (object, "dtype"), ==, "f16");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "tiny-compact");

  /* A failure: non-zero, one line on stderr, {file, error} on stdout. */
  g_assert_cmpint (failed->status, ==, 1);
  assert_one_line (failed->err);
  json_parser_load_from_data (parser, failed->out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (object, "file"), ==, evil);
  g_assert_nonnull (strstr (json_object_get_string_member (object, "error"), "os.system"));
}

static void
test_models (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *source = model_path ("tiny-compact.safetensors");
  g_autofree char *copy = copy_into (source, dir, "mine.safetensors");
  g_autofree char *broken = g_build_filename (dir, "broken.pth", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonArray *array;

  g_file_set_contents (broken, "PK", -1, &error);
  g_assert_no_error (error);

  /* Only this folder: no user's models leak into the test. */
  g_subprocess_launcher_setenv (launcher, "TESSERA_MODEL_PATH", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", dir, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("TESSERA_CLI"), "models", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_true (json_object_has_member (json_array_get_object_element (array, 0), "error"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "file"), ==, copy);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "arch"), ==, "compact");

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_convert (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *param = model_path ("tiny-compact.param");
  g_autofree char *output = g_build_filename (dir, "tiny.safetensors", NULL);
  g_autofree char *wrong = g_build_filename (dir, "tiny.pth", NULL);
  g_autoptr(CliRun) run = run_cli ("convert", param, output);
  g_autoptr(CliRun) again = run_cli ("convert", param, output);
  g_autoptr(CliRun) bad_name = run_cli ("convert", param, wrong);
  g_autoptr(CliRun) inspect = run_cli ("inspect", "--json", output);

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpint (again->status, ==, 1);
  assert_one_line (again->err);
  g_assert_cmpint (bad_name->status, ==, 2);
  g_assert_cmpuint (test_count_files (dir), ==, 1);

  g_assert_cmpint (inspect->status, ==, 0);
  g_assert_nonnull (strstr (inspect->out, "\"format\" : \"safetensors\""));
  g_assert_nonnull (strstr (inspect->out, "\"arch\" : \"compact\""));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    BadInput    bad;
  } bad_inputs[] = {
    { "missing", BAD_MISSING },
    { "folder", BAD_FOLDER },
    { "empty", BAD_EMPTY },
    { "truncated", BAD_TRUNCATED },
    { "lying-ihdr", BAD_LYING_IHDR },
    { "text-file", BAD_TEXT_FILE },
    { "unwritable-folder", BAD_UNWRITABLE_FOLDER },
    { "output-is-input", BAD_OUTPUT_IS_INPUT },
    { "output-exists", BAD_OUTPUT_EXISTS },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/cli/help", test_version_and_help);
  g_test_add_func ("/tessera/cli/upscalers", test_upscalers);
  g_test_add_func ("/tessera/cli/devices", test_devices);
  g_test_add_func ("/tessera/cli/upscale/scale-4", test_scale_4);
  g_test_add_func ("/tessera/cli/upscale/model", test_upscale_model);
  g_test_add_func ("/tessera/cli/upscale/chain-and-tta", test_chain_and_tta);
  g_test_add_func ("/tessera/cli/upscale/nearest-exact", test_nearest_exact);
  g_test_add_func ("/tessera/cli/upscale/16bit-alpha-parameters", test_16bit_alpha_parameters);
  g_test_add_func ("/tessera/cli/upscale/default-names", test_default_names);
  g_test_add_func ("/tessera/cli/upscale/formats", test_formats);
  g_test_add_func ("/tessera/cli/upscale/overwrite-input", test_overwrite_input);
  g_test_add_func ("/tessera/cli/upscale/one-failure-among-many", test_one_failure_among_many);
  g_test_add_func ("/tessera/cli/upscale/folder", test_folder);
  g_test_add_func ("/tessera/cli/upscale/folder-paths", test_folder_paths);
  g_test_add_func ("/tessera/cli/upscale/name-pattern", test_name_pattern);
  g_test_add_func ("/tessera/cli/upscale/interrupt", test_interrupt);
  g_test_add_func ("/tessera/cli/errors/usage", test_usage_errors);
  g_test_add_func ("/tessera/cli/models/inspect", test_inspect);
  g_test_add_func ("/tessera/cli/models/list", test_models);
  g_test_add_func ("/tessera/cli/models/convert", test_convert);
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/cli/errors/%s", bad_inputs[i].name);

      g_test_add_data_func (path, GINT_TO_POINTER (bad_inputs[i].bad), test_bad_input);
    }

  return g_test_run ();
}
