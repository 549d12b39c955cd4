/* test-hat.c
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

/* HAT against spandrel's own outputs (data/refs): the synthetic
 * hat_small_x4 (embed 36, depths [2, 2], heads [6, 6], window 8, overlap
 * 0.5, compress 6, squeeze 3, mlp 2, num_feat 32, pixelshuffle ×4), every
 * case, whole image, on the CPU in fp32, within 1e-4 of the reference's
 * largest value. */

#define HAT_MODEL "models/synthetic/hat_small_x4.pth"

static void
assert_hat_model (TesseraModel *model)
{
  g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_HAT);
  g_assert_true (tessera_model_get_supported (model));
  g_assert_cmpuint (tessera_model_get_scale (model), ==, 4);
  g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_num_feat (model), ==, 36);
  g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, 2);
}

/* Every case from each container: the zip .pth in the refs and the
 * legacy .pth and .safetensors made from it by data/make-containers.py.
 * The cases are whole windows (32 × 32, 48 × 40) and the odd 37 × 29,
 * which the network reflects to 40 × 32, its shift masks and the
 * overlapping windows' zero border made for that size. */
static void
test_hat_containers (void)
{
  test_assert_ref_containers (HAT_MODEL, 3, 8, assert_hat_model);
}

/* Tiles' sides and overlaps are whole windows, so each region but the
 * last of a row or column is whole windows, and a tiled run is close to
 * the whole image's. */
static void
test_hat_tiles (void)
{
  g_autofree char *path = test_refs_path (HAT_MODEL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 101, 77, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 40);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 16);
  g_assert_cmpfloat (test_tiled_against_whole (network, 101, 77, &options, 8, 7, NULL), <, 1e-2);
}

/* `tessera-cli inspect` calls it supported, with what spandrel's loader
 * reads off the weights, and the two values it assumes. */
static void
test_hat_inspect (void)
{
  g_autofree char *path = test_refs_path (HAT_MODEL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "hat");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 4);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "in_chans"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 36);
  g_assert_cmpint (json_object_get_int_member (params, "window_size"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (params, "num_feat"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (params, "upscale"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (params, "img_size"), ==, 64);
  g_assert_cmpfloat (json_object_get_double_member (params, "overlap_ratio"), ==, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (params, "compress_ratio"), ==, 6.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "squeeze_factor"), ==, 3.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 2.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "img_range"), ==, 1.0);
  g_assert_cmpfloat (fabs (json_object_get_double_member (params, "conv_scale") - 0.01), <, 1e-7);
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffle");
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "1conv");
  g_assert_true (json_object_get_boolean_member (params, "patch_norm"));
  g_assert_true (json_object_get_boolean_member (params, "qkv_bias"));
  g_assert_false (json_object_get_boolean_member (params, "ape"));
  array = json_object_get_array_member (params, "depths");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 2);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 6);
}

/* An overlapping cross-attention block without its q k v weights, or
 * with its projection the wrong shape, is an error that names it. */
static void
test_hat_broken (void)
{
  static const struct
  {
    const char *drop;
    const char *reshape;
    const char *named;
  } edits[] = {
    { "layers.1.residual_group.overlap_attn.qkv.weight", NULL, "layers.1.residual_group.overlap_attn.qkv.weight" },
    { NULL, "layers.0.residual_group.overlap_attn.qkv.weight", "layers.0.residual_group.overlap_attn.qkv.weight" },
    { "relative_position_index_OCA", NULL, "relative_position_index_OCA" },
  };
  g_autofree char *zip = test_refs_path (HAT_MODEL);
  g_autoptr(TesseraModel) model = NULL;

  model = test_load_model (zip);
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    test_assert_edit_fails (model, &(TestModelEdit) { .drop = edits[i].drop, .transpose = edits[i].reshape },
                            edits[i].named);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hat/containers", test_hat_containers);
  g_test_add_func ("/hat/tiles", test_hat_tiles);
  g_test_add_func ("/hat/inspect", test_hat_inspect);
  g_test_add_func ("/hat/broken", test_hat_broken);

  return g_test_run ();
}
