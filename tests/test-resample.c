/* test-resample.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "tessera-test-utils.h"

/* The classic upscalers against Pillow's Image.resize, the reference the
 * images in data/resample were made with (see make-references.py). */

typedef struct
{
  char   *input;
  char   *upscaler;
  char   *reference;
  double  scale;
  guint   width;
  guint   height;
  guint   out_width;
  guint   out_height;
} Case;

static TesseraImage *
upscale (TesseraImage *input,
         const char   *upscaler,
         double        scale,
         guint         width,
         guint         height)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  TesseraImage *output;

  tessera_upscale_options_set_upscaler (options, upscaler);
  if (scale > 0)
    tessera_upscale_options_set_scale (options, scale);
  tessera_upscale_options_set_width (options, width);
  tessera_upscale_options_set_height (options, height);

  output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return output;
}

static void
test_against_pillow (gconstpointer data)
{
  const Case *test = data;
  g_autofree char *input_path = g_build_filename ("resample", test->input, NULL);
  g_autofree char *reference_path = g_build_filename ("resample", test->reference, NULL);
  g_autoptr(TesseraImage) input = test_load_image (input_path);
  g_autoptr(TesseraImage) reference = test_load_image (reference_path);
  g_autoptr(TesseraImage) output = NULL;
  gboolean alpha = tessera_image_get_has_alpha (input);
  gboolean premultiplied = g_str_has_suffix (test->reference, "-premultiplied.png");
  guint tolerance = g_str_equal (test->upscaler, "nearest") ? 0 : 1;
  gsize n = (gsize) test->out_width * test->out_height;
  guint worst = 0, n_exact = 0, n_over = 0, n_compared = 0;

  output = upscale (input, test->upscaler, test->scale, test->width, test->height);
  g_assert_cmpuint (tessera_image_get_width (output), ==, test->out_width);
  g_assert_cmpuint (tessera_image_get_height (output), ==, test->out_height);
  g_assert_cmpint (tessera_image_get_has_alpha (output), ==, alpha);

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    {
      const float *ours = tessera_image_get_plane (output, c);
      const float *theirs = tessera_image_get_plane (reference, c);
      /* Pillow rounds colour × alpha to 8 bits before it filters; that alone
       * moves its result by up to a level (checked against a float model of
       * its pipeline), so premultiplied colour is allowed one level more. */
      guint allowed = tolerance + (premultiplied && c < 3 ? 1 : 0);

      for (gsize i = 0; i < n; i++)
        {
          int a = test_u8 (ours[i]);
          int b = test_u8 (theirs[i]);
          guint difference;

          /* Such a reference holds colour × alpha, as Pillow computes it. */
          if (premultiplied && c < 3)
            a = test_u8 (ours[i] * tessera_image_get_plane (output, 3)[i]);

          difference = ABS (a - b);
          worst = MAX (worst, difference);
          n_exact += difference == 0;
          n_over += difference > allowed;
          n_compared++;
        }
    }

  g_test_message ("%s: %.2f%% of the samples equal, the others within %u",
                  test->reference, 100.0 * n_exact / n_compared, worst);
  g_assert_cmpuint (n_over, ==, 0);
}
/* A filter's weights sum to one: a flat image stays flat at any scale. */
static void
test_flat_stays_flat (void)
{
  const char *upscalers[] = { "nearest", "bilinear", "bicubic", "lanczos" };
  const double scales[] = { 0.3, 1.7, 4.0, 7.3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) flat = tessera_image_new (9, 5, TRUE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 4; c++)
    for (guint i = 0; i < 9 * 5; i++)
      tessera_image_get_plane (flat, c)[i] = 0.25f * (c + 1);

  for (guint u = 0; u < G_N_ELEMENTS (upscalers); u++)
    for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
      {
        g_autoptr(TesseraImage) output = upscale (flat, upscalers[u], scales[s], 0, 0);
        gsize n = (gsize) tessera_image_get_width (output) * tessera_image_get_height (output);

        for (guint c = 0; c < 4; c++)
          for (gsize i = 0; i < n; i++)
            g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (output, c)[i], 0.25f * (c + 1), 1e-5);
      }
}

/* 16-bit input keeps all 16 bits: nearest neighbour copies the samples. */
static void
test_16bit_nearest (void)
{
  g_autoptr(TesseraImage) input = test_load_image ("images/gray16.png");
  g_autoptr(TesseraImage) output = upscale (input, "nearest", 3, 0, 0);
  const float *in = tessera_image_get_plane (input, 0);
  const float *out = tessera_image_get_plane (output, 0);

  g_assert_cmpuint (tessera_image_get_bit_depth (output), ==, 16);
  g_assert_true (tessera_image_get_grayscale (output));
  for (guint y = 0; y < 21; y++)
    for (guint x = 0; x < 39; x++)
      g_assert_cmpfloat (out[y * 39 + x], ==, in[(y / 3) * 13 + x / 3]);
}

/* Scale 1 leaves the pixels as they were. */
static void
test_identity (void)
{
  g_autoptr(TesseraImage) input = test_load_image ("resample/photo-37x29.png");
  g_autoptr(TesseraImage) output = upscale (input, "lanczos", 1.0, 0, 0);
  gsize size = 37 * 29 * sizeof (float);

  for (guint c = 0; c < 3; c++)
    g_assert_cmpmem (tessera_image_get_plane (output, c), size, tessera_image_get_plane (input, c), size);
}

static void
case_free (gpointer data)
{
  Case *test = data;

  g_free (test->input);
  g_free (test->upscaler);
  g_free (test->reference);
  g_free (test);
}

static GPtrArray *
read_cases (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "resample", "references.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func (case_free);
  JsonArray *array;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      Case *test = g_new0 (Case, 1);

      test->input = g_strdup (json_object_get_string_member (object, "input"));
      test->upscaler = g_strdup (json_object_get_string_member (object, "upscaler"));
      test->reference = g_strdup (json_object_get_string_member (object, "reference"));
      test->scale = json_object_get_double_member_with_default (object, "scale", 0.0);
      test->width = json_object_get_int_member_with_default (object, "width", 0);
      test->height = json_object_get_int_member_with_default (object, "height", 0);
      test->out_width = json_object_get_int_member (object, "out_width");
      test->out_height = json_object_get_int_member (object, "out_height");
      g_ptr_array_add (cases, test);
    }

  return cases;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) cases = NULL;

  g_test_init (&argc, &argv, NULL);

  cases = read_cases ();
  for (guint i = 0; i < cases->len; i++)
    {
      Case *test = g_ptr_array_index (cases, i);
      g_autofree char *path = g_strdup_printf ("/tessera/resample/pillow/%s", test->reference);

      g_test_add_data_func (path, test, test_against_pillow);
    }
  g_test_add_func ("/tessera/resample/flat", test_flat_stays_flat);
  g_test_add_func ("/tessera/resample/16bit-nearest", test_16bit_nearest);
  g_test_add_func ("/tessera/resample/identity", test_identity);

  return g_test_run ();
}
