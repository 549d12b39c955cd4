/* test-srformer.c
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

/* SRFormer and SRFormer-light against spandrel's own outputs for random
 * weights (data/make-swin-arch-refs.py): whole image, on the CPU in fp32,
 * within 1e-4 of the reference's largest value. */

typedef struct
{
  const char *file;
  const char *name;            /* of the input and output .npy */
  guint       scale;
  guint       embed_dim;
  guint       n_layers;
  guint       window;
  guint       img_size;
  const char *upsampler;
  const char *resi_connection;
  gboolean    qkv_bias;
  gboolean    patch_norm;
} Variant;

static const Variant variants[] = {
  /* Classical: window 6, so the odd blocks shift by 3 and the permuted
   * windows' mask by 2; 17 × 20 reflected to 18 × 24. */
  { "srformer-x2.safetensors", "srformer-x2", 2, 16, 2, 6, 24, "pixelshuffle", "1conv", TRUE, TRUE },
  { "srformer-x2.pth", "srformer-x2", 2, 16, 2, 6, 24, "pixelshuffle", "1conv", TRUE, TRUE },
  /* SRFormer-light's upsampler; 19 × 13 padded to 19 × 16 (spandrel's
   * minimum), then reflected to 24 × 16. */
  { "srformer-light-x3.pth", "srformer-light-x3", 3, 12, 1, 8, 16, "pixelshuffledirect", "1conv", TRUE, TRUE },
  /* Real-world: nearest+conv, 3conv, no qkv bias, no patch norm. */
  { "srformer-real-x4.pth", "srformer-real-x4", 4, 8, 1, 4, 16, "nearest+conv", "3conv", FALSE, FALSE },
};

static char *
data_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "srformer", file, NULL);
}

/* What spandrel's loader reads off the weights, and the outputs. */
static void
test_srformer_variants (void)
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
      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SRFORMER);
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
      g_assert_cmpuint (value, ==, variant->window);
      g_assert_true (g_variant_lookup (params, "img_size", "u", &value));
      g_assert_cmpuint (value, ==, variant->img_size);
      g_assert_true (g_variant_lookup (params, "upscale", "u", &value));
      g_assert_cmpuint (value, ==, variant->scale);
      g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
      g_assert_cmpstr (text, ==, variant->upsampler);
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
      relative = test_run_data_case (network, "srformer", variant->name, 3, variant->scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* Tiles' sides and overlaps are whole windows, so each region but the
 * last of a row or column is whole windows, and a tiled run is close to
 * the whole image's (the attention sees the tile, not the image). */
static void
test_srformer_tiles (void)
{
  g_autofree char *path = data_path ("srformer-x2.pth");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 60, 36, 0, FALSE, G_MAXSIZE };
  double mean;

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 71, 53, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan) % 6, ==, 0);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan) % 6, ==, 0);
  g_assert_cmpfloat (test_tiled_against_whole (network, 71, 53, &options, 6, 5, &mean), <, 5e-2);
  g_assert_cmpfloat (mean, <, 1e-3);
}

/* `tessera-cli inspect` calls SRFormer-light supported, with what
 * spandrel's loader reads off the weights under its names. */
static void
test_srformer_inspect (void)
{
  g_autofree char *path = data_path ("srformer-light-x3.pth");
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "srformer");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 3);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "in_chans"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (params, "window_size"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (params, "img_size"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (params, "upscale"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 2.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "img_range"), ==, 1.0);
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffledirect");
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "1conv");
  g_assert_true (json_object_get_boolean_member (params, "qkv_bias"));
  g_assert_true (json_object_get_boolean_member (params, "patch_norm"));
  g_assert_false (json_object_get_boolean_member (params, "ape"));
  array = json_object_get_array_member (params, "depths");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 2);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 3);
}

/* A permuted attention without its compressed key/value weights, with
 * them the wrong shape, or without its index is an error that names
 * them; so is a bias table of no window's size. */
static void
test_srformer_broken (void)
{
  static const struct
  {
    const char *drop;
    const char *reshape;
    const char *named;
  } edits[] = {
    { "layers.1.residual_group.blocks.0.attn.kv.weight", NULL, "layers.1.residual_group.blocks.0.attn.kv.weight" },
    { NULL, "layers.0.residual_group.blocks.1.attn.kv.weight", "layers.0.residual_group.blocks.1.attn.kv.weight" },
    { "layers.1.residual_group.blocks.1.attn.aligned_relative_position_index", NULL,
      "layers.1.residual_group.blocks.1.attn.aligned_relative_position_index" },
    { NULL, "layers.0.residual_group.blocks.0.attn.relative_position_bias_table", "relative_position_bias_table" },
  };
  g_autofree char *source = data_path ("srformer-x2.pth");
  g_autoptr(TesseraModel) model = NULL;

  model = test_load_model (source);
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    test_assert_edit_fails (model, &(TestModelEdit) { .drop = edits[i].drop, .transpose = edits[i].reshape },
                            edits[i].named);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/srformer/variants", test_srformer_variants);
  g_test_add_func ("/srformer/tiles", test_srformer_tiles);
  g_test_add_func ("/srformer/inspect", test_srformer_inspect);
  g_test_add_func ("/srformer/broken", test_srformer_broken);

  return g_test_run ();
}
