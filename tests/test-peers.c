/* test-peers.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "image/tessera-image-private.h"
#include "tessera-test-utils.h"

/* Fidelity against the reference programs: every run listed in
 * data/peers/MANIFEST.json (realesrgan-, realcugan- and waifu2x-ncnn-vulkan
 * on lavapipe, made by build-aux/make-peer-outputs.sh) is repeated with
 * the engine's defaults on the same input and model file, and the two
 * 8-bit pictures must agree to the PSNR: 45 dB for Real-ESRGAN's
 * models, 40 dB for Real-CUGAN's and waifu2x's, whose ncnn graphs run in
 * half precision. build-aux/compare-peers.sh runs the peers themselves. */

typedef struct
{
  char  *model;   /* relative to the fetched models */
  char  *image;   /* relative to data/peers */
  char  *output;
  guint  scale;
  double target;
} PeerRun;

static void
peer_run_free (gpointer data)
{
  PeerRun *run = data;

  g_free (run->model);
  g_free (run->image);
  g_free (run->output);
  g_free (run);
}

static TesseraImage *
load_image (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  return image;
}

/* Over the RGB values as a PNG would store them. */
static double
psnr_8bit (TesseraImage *a,
           TesseraImage *b)
{
  gsize n = (gsize) tessera_image_get_width (a) * tessera_image_get_height (a);
  double sum = 0;

  g_assert_cmpuint (tessera_image_get_width (a), ==, tessera_image_get_width (b));
  g_assert_cmpuint (tessera_image_get_height (a), ==, tessera_image_get_height (b));
  for (guint c = 0; c < 3; c++)
    {
      const float *x = tessera_image_get_plane (a, c), *y = tessera_image_get_plane (b, c);

      for (gsize i = 0; i < n; i++)
        {
          int d = (int) tessera_float_to_u8 (x[i]) - (int) tessera_float_to_u8 (y[i]);

          sum += d * d;
        }
    }
  return sum == 0 ? INFINITY : 10 * log10 (255.0 * 255.0 * 3 * n / sum);
}

static void
test_peer_run (gconstpointer data)
{
  const PeerRun *run = data;
  g_autofree char *model = test_real_model_path (run->model);
  g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", "peers", run->image, NULL);
  g_autofree char *peer_path = g_test_build_filename (G_TEST_DIST, "data", "peers", run->output, NULL);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) peer = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  double db;

  if (model == NULL)
    {
      g_test_skip ("needs the fetched models (build-aux/fetch-models.sh)");
      return;
    }

  input = load_image (input_path);
  peer = load_image (peer_path);
  tessera_upscale_options_set_upscaler (options, model);
  tessera_upscale_options_set_scale (options, run->scale);
  output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  db = psnr_8bit (output, peer);
  g_test_message ("%s on %s: %.2f dB (target %.0f)", run->model, run->image, db, run->target);
  g_assert_cmpfloat (db, >=, run->target);
}

/* One test per MANIFEST entry, named peer/model/image. */
static void
add_peer_runs (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "peers", "MANIFEST.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *entries;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  entries = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "entries");
  g_assert_nonnull (entries);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *peer = json_object_get_string_member (entry, "peer");
      PeerRun *run = g_new0 (PeerRun, 1);
      g_autofree char *image = NULL;
      g_autofree char *name = NULL;

      run->model = g_strdup (json_object_get_string_member (entry, "model"));
      run->image = g_strdup (json_object_get_string_member (entry, "image"));
      run->output = g_strdup (json_object_get_string_member (entry, "output"));
      run->scale = (guint) json_object_get_int_member (entry, "scale");
      run->target = g_str_has_prefix (peer, "realesrgan-") ? 45 : 40;

      image = g_path_get_basename (run->image);
      *strrchr (image, '.') = '\0';
      name = g_strdup_printf ("/peers/%s/%s/%s", peer,
                              json_object_get_string_member (entry, "model_label"), image);
      g_test_add_data_func_full (name, run, test_peer_run, peer_run_free);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  add_peer_runs ();
  return g_test_run ();
}
