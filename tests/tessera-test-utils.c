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

/* A file of ../shared/refs (TESSERA_REFS), or NULL when it is absent. */
char *
test_refs_path (const char *relative)
{
  const char *root = g_getenv ("TESSERA_REFS");
  char *path;

  if (root == NULL)
    return NULL;
  path = g_build_filename (root, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    g_clear_pointer (&path, g_free);
  return path;
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

/* The manifest's cases of @model, inputs and outputs loaded; NULL when
 * the refs are not beside the checkout. */
GPtrArray *
test_load_ref_cases (const char *model)
{
  g_autofree char *manifest = test_refs_path ("MANIFEST.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (test_ref_case_free);
  JsonArray *cases;

  if (manifest == NULL)
    return NULL;

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

