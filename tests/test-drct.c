/* test-drct.c
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

/* DRCT and DRCT-L against spandrel's own outputs for random weights
 * (data/make-swin-arch-refs.py): whole image, on the CPU in fp32, within
 * 1e-4 of the reference's largest value. */

typedef struct
{
  const char *file;
  const char *name;            /* of the input and output .npy */
  guint       scale;
  guint       embed_dim;
  guint       n_layers;
  guint       gc;
  guint       img_size;
  const char *resi_connection;
  gboolean    qkv_bias;
  gboolean    patch_norm;
} Variant;

static const Variant variants[] = {
  /* One group whose blocks have 3, 1, 2, 3 and 1 heads; blocks 2 and 4
   * shift (trained at 8 with windows of 4); 17 × 20 reflected to 32 × 32
   * as spandrel pads it. */
  { "drct-x3.pth", "drct-x3", 3, 12, 1, 5, 8, "1conv", TRUE, TRUE },
  /* DRCT-L's ten groups, trained at the window's size: no shifts. */
  { "drct-l-x2.safetensors", "drct-l-x2", 2, 4, 10, 2, 4, "identity", FALSE, FALSE },
};

static char *
data_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "drct", file, NULL);
}

/* What spandrel's loader reads off the weights, and the outputs. */
static void
test_drct_variants (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      const Variant *variant = &variants[v];
      g_autofree char *path = data_path (variant->file);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) depths = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const char *text;
      guint32 value;
      gboolean flag;
      double relative;

      g_test_message ("%s", variant->file);
      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_DRCT);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variant->scale);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variant->embed_dim);
      g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, variant->n_layers);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "embed_dim", "u", &value));
      g_assert_cmpuint (value, ==, variant->embed_dim);
      g_assert_true (g_variant_lookup (params, "window_size", "u", &value));
      g_assert_cmpuint (value, ==, 4);
      g_assert_true (g_variant_lookup (params, "gc", "u", &value));
      g_assert_cmpuint (value, ==, variant->gc);
      g_assert_true (g_variant_lookup (params, "img_size", "u", &value));
      g_assert_cmpuint (value, ==, variant->img_size);
      g_assert_true (g_variant_lookup (params, "upscale", "u", &value));
      g_assert_cmpuint (value, ==, variant->scale);
      g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
      g_assert_cmpstr (text, ==, "pixelshuffle");
      g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
      g_assert_cmpstr (text, ==, variant->resi_connection);
      g_assert_true (g_variant_lookup (params, "qkv_bias", "b", &flag));
      g_assert_cmpint (flag, ==, variant->qkv_bias);
      g_assert_true (g_variant_lookup (params, "patch_norm", "b", &flag));
      g_assert_cmpint (flag, ==, variant->patch_norm);
      depths = g_variant_lookup_value (params, "depths", G_VARIANT_TYPE ("au"));
      g_assert_cmpuint (g_variant_n_children (depths), ==, variant->n_layers);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      relative = test_run_data_case (network, "drct", variant->name, 3, variant->scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* Tiles' sides and overlaps are multiples of 16 (spandrel's requirement,
 * whole windows); with an overlap wider than the network's reach (one
 * group, windows of 4) a tiled run is the whole image's. */
static void
test_drct_tiles (void)
{
  g_autofree char *path = data_path ("drct-x3.pth");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 64, 40, 0, FALSE, G_MAXSIZE };

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 71, 53, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan) % 16, ==, 0);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan) % 16, ==, 0);
  g_assert_cmpfloat (test_tiled_against_whole (network, 71, 53, &options, 16, 5, NULL), <, 1e-4);
}

/* `tessera-cli inspect` calls DRCT-L supported, with what spandrel's
 * loader reads off the weights under its names. */
static void
test_drct_inspect (void)
{
  g_autofree char *path = data_path ("drct-l-x2.safetensors");
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "drct");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "in_chans"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (params, "window_size"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (params, "img_size"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (params, "gc"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "upscale"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 1.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "img_range"), ==, 1.0);
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffle");
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "identity");
  g_assert_false (json_object_get_boolean_member (params, "qkv_bias"));
  g_assert_false (json_object_get_boolean_member (params, "patch_norm"));
  g_assert_false (json_object_get_boolean_member (params, "ape"));
  array = json_object_get_array_member (params, "depths");
  g_assert_cmpuint (json_array_get_length (array), ==, 10);
  g_assert_cmpint (json_array_get_int_element (array, 9), ==, 6);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpuint (json_array_get_length (array), ==, 10);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 1);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 2);
}

/* A dense group's block without its q k v weights, its MLP the wrong
 * shape, its bias table or an adjustment missing is an error that names
 * it. */
static void
test_drct_broken (void)
{
  static const struct
  {
    const char *drop;
    const char *reshape;
    const char *named;
  } edits[] = {
    { "layers.0.swin3.attn.qkv.weight", NULL, "layers.0.swin3.attn.qkv.weight" },
    { NULL, "layers.0.swin2.mlp.fc1.weight", "layers.0.swin2.mlp.fc1.weight" },
    { "layers.0.swin4.attn.relative_position_bias_table", NULL, "layers.0.swin4.attn.relative_position_bias_table" },
    { "layers.0.adjust3.weight", NULL, "layers.0.adjust3.weight" },
  };
  g_autofree char *source = data_path ("drct-x3.pth");
  g_autoptr(TesseraModel) model = NULL;

  model = test_load_model (source);
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    test_assert_edit_fails (model, &(TestModelEdit) { .drop = edits[i].drop, .transpose = edits[i].reshape },
                            edits[i].named);
}

/* Without conv_last, spandrel's sign of no upsampler, DRCT's forward pass
 * returns its input: recognised, not run, and the reason said. */
static void
test_drct_no_upsampler (void)
{
  g_autofree char *source = data_path ("drct-x3.pth");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraModel) model = test_load_model (source);
  g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = "conv_last.weight" });
  g_autoptr(TesseraModel) plain = test_load_model (path);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (tessera_model_get_arch (plain), ==, TESSERA_ARCH_DRCT);
  g_assert_false (tessera_model_get_supported (plain));
  g_assert_nonnull (strstr (tessera_model_get_not_run_reason (plain), "no upsampler"));
  network = tessera_network_new (plain, &error);
  g_assert_null (network);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "DRCT model recognised but not run: it has no upsampler"));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/drct/variants", test_drct_variants);
  g_test_add_func ("/drct/tiles", test_drct_tiles);
  g_test_add_func ("/drct/inspect", test_drct_inspect);
  g_test_add_func ("/drct/broken", test_drct_broken);
  g_test_add_func ("/drct/no-upsampler", test_drct_no_upsampler);

  return g_test_run ();
}
