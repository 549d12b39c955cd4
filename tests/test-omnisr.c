/* test-omnisr.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "models/tessera-model-private.h"
#include "models/tessera-network-private.h"
#include "tessera-runner-private.h"
#include "tessera-test-utils.h"

/* OmniSR against spandrel's own outputs (data/refs): every case of
 * the synthetic model from each container, and the real
 * 4x_WTP_descreenton when the fetched models are there, whole image, on
 * the CPU in fp32, within 1e-4 of the reference's largest value. */

#define OMNISR_MODEL "models/synthetic/omnisr_x4.pth"
#define REAL_MODEL "waifu2x@1.6.5/models/4x_WTP_descreenton.pth"
#define REAL_MANIFEST_PATH "npm:waifu2x@1.6.5/package/models/4x_WTP_descreenton.pth"

/* Every case from each container: the zip .pth in the refs and the
 * legacy .pth and .safetensors made from it by data/make-containers.py. */
static void
assert_omnisr_model (TesseraModel *model)
{
  g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_OMNISR);
  g_assert_true (tessera_model_get_supported (model));
  g_assert_cmpuint (tessera_model_get_scale (model), ==, 4);
  g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_num_feat (model), ==, 32);
  g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, 2);
}

static void
test_omnisr_containers (void)
{
  test_assert_ref_containers (OMNISR_MODEL, 3, 8, assert_omnisr_model);
}

/* 4x_WTP_descreenton (64 features, 5 groups) from the fetched models. */
static void
test_omnisr_real (void)
{
  g_autofree char *path = test_real_model_path (REAL_MODEL);
  g_autoptr(GPtrArray) cases = test_load_ref_cases (REAL_MANIFEST_PATH);
  g_autoptr(TesseraNetwork) network = NULL;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs " REAL_MODEL " under TESSERA_TEST_MODELS (build-aux/fetch-models.sh)");
      return;
    }
  g_assert_cmpuint (cases->len, ==, 4);

  network = test_load_network (path);
  g_assert_cmpfloat (test_run_ref_cases (network, cases, 4, "4x_WTP_descreenton.pth"), <, 1e-4);
}

/* Images smaller than spandrel's 16 × 16 minimum are padded up to it, and
 * odd sizes to whole windows: both run, at the right size. */
static void
test_omnisr_small (void)
{
  g_autofree char *zip = test_refs_path (OMNISR_MODEL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  static const guint sizes[][2] = { { 1, 1 }, { 9, 5 }, { 17, 23 } };

  network = test_load_network (zip);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint w = sizes[s][0], h = sizes[s][1];
      g_autofree float *input = g_new (float, (gsize) 3 * w * h);
      g_autofree float *output = g_new (float, (gsize) 3 * w * h * 16);
      g_autoptr(GError) error = NULL;

      for (gsize i = 0; i < (gsize) 3 * w * h; i++)
        input[i] = (float) g_rand_double (rand);
      tessera_network_run (network, backend, input, w, h, output, NULL, &error);
      g_assert_no_error (error);
      for (gsize i = 0; i < (gsize) 3 * w * h * 16; i++)
        g_assert_true (isfinite (output[i]));
    }
}

/* A missing tensor is named in the error. */
static void
test_omnisr_broken (void)
{
  static const char *dropped = "residual_layer.1.residual_layer.0.layer.11.fn.qkv_dwconv.weight";
  g_autofree char *zip = test_refs_path (OMNISR_MODEL);
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = NULL;
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) broken = NULL;
  g_autoptr(GError) error = NULL;

  model = test_load_model (zip);
  path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = dropped });
  broken = test_load_model (path);
  g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_OMNISR);
  g_assert_null (tessera_network_new (broken, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, dropped));
  g_test_message ("%s", error->message);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Tiles' sides and overlaps are whole windows; tiled output is close to
 * the whole image's, not equal, since the grid attentions and ESA see
 * the whole tile. */
static void
test_omnisr_tiles (void)
{
  g_autofree char *path = test_refs_path (OMNISR_MODEL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };
  double mean;

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 101, 77, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 40);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 16);
  g_assert_cmpfloat (test_tiled_against_whole (network, 101, 77, &options, 8, 5, &mean), <, 0.1);
  g_assert_cmpfloat (mean, <, 1e-2);
}

/* What `tessera-cli inspect --json` says: spandrel's hyper-parameters. */
static void
test_omnisr_inspect (void)
{
  g_autofree char *path = test_refs_path (OMNISR_MODEL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;

  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "omnisr");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 4);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "num_in_ch"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "num_out_ch"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "num_feat"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (params, "block_num"), ==, 1);
  g_assert_true (json_object_get_boolean_member (params, "pe"));
  g_assert_cmpint (json_object_get_int_member (params, "window_size"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (params, "res_num"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "up_scale"), ==, 4);
  g_assert_true (json_object_get_boolean_member (params, "bias"));
}

/* An image that is not whole windows (33 × 27), through the real model
 * with an automatic tile plan: it fits in one tile, so the plan keeps it
 * whole and the run pads it to windows as spandrel does, instead of two
 * tiles that each see half the image. The reference is spandrel's own
 * (tests/data/make-omnisr-refs.py). */
static void
test_omnisr_auto_tile (void)
{
  g_autofree char *path = test_real_model_path (REAL_MODEL);
  g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", "omnisr",
                                                       "descreenton-33x27.input.npy", NULL);
  g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", "omnisr",
                                                        "descreenton-33x27.output.npy", NULL);
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree float *x = NULL;
  g_autofree float *reference = NULL;
  TesseraRunOptions options = { 0, 32, 0, FALSE, G_MAXSIZE };
  guint in_shape[4], out_shape[4], in_dims, out_dims;
  gsize n;
  double sum = 0.0, db;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("TESSERA_TEST_MODELS is not set: run build-aux/fetch-models.sh");
      return;
    }

  x = test_load_npy (input_path, &in_dims, in_shape);
  reference = test_load_npy (output_path, &out_dims, out_shape);
  g_assert_cmpuint (in_shape[3], ==, 33);
  g_assert_cmpuint (in_shape[2], ==, 27);

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 33, 27, &options);
  g_assert_cmpuint (tessera_tile_plan_get_n_tiles (plan), ==, 1);

  input = tessera_image_new (33, 27, FALSE, &error);
  g_assert_no_error (error);
  memcpy (tessera_image_get_plane (input, 0), x, sizeof (float) * 3 * 33 * 27);
  output = tessera_runner_upscale (network, backend, input, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_image_get_width (output), ==, out_shape[3]);
  g_assert_cmpuint (tessera_image_get_height (output), ==, out_shape[2]);

  n = (gsize) 3 * out_shape[2] * out_shape[3];
  for (gsize i = 0; i < n; i++)
    {
      double d = CLAMP (tessera_image_get_plane (output, 0)[i], 0.f, 1.f) - CLAMP (reference[i], 0.f, 1.f);

      sum += d * d;
    }
  db = sum == 0.0 ? INFINITY : 10.0 * log10 (n / sum);
  g_test_message ("33×27 with automatic tiles against spandrel: %.1f dB", db);
  g_assert_cmpfloat (db, >=, 60.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/omnisr/containers", test_omnisr_containers);
  g_test_add_func ("/omnisr/real", test_omnisr_real);
  g_test_add_func ("/omnisr/small", test_omnisr_small);
  g_test_add_func ("/omnisr/broken", test_omnisr_broken);
  g_test_add_func ("/omnisr/tiles", test_omnisr_tiles);
  g_test_add_func ("/omnisr/inspect", test_omnisr_inspect);
  g_test_add_func ("/omnisr/auto-tile", test_omnisr_auto_tile);

  return g_test_run ();
}
