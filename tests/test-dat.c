/* test-dat.c
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

/* DAT against spandrel's own outputs (data/refs): the synthetic
 * dat_light_x4 (embed 64, one group of 4 blocks, 4 heads, split 4 × 8,
 * expansion 2, pixelshuffledirect ×4), every case from every container,
 * whole image, on the CPU in fp32, within 1e-4 of the reference's largest
 * value. */

#define DAT_MODEL "models/synthetic/dat_light_x4.pth"

static void
assert_dat_model (TesseraModel *model)
{
  g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_DAT);
  g_assert_true (tessera_model_get_supported (model));
  g_assert_cmpuint (tessera_model_get_scale (model), ==, 4);
  g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_num_feat (model), ==, 64);
  g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, 1);
}

/* Every case from the zip .pth in the refs and the legacy .pth and
 * .safetensors made from it by data/make-containers.py: 32 × 32 and
 * 48 × 40, whole windows of the larger split (8), and 37 × 29, whose q, k
 * and v each spatial attention zero-pads to 40 × 32; the shifted block
 * (the third) makes its masks for that size. */
static void
test_dat_containers (void)
{
  test_assert_ref_containers (DAT_MODEL, 3, 8, assert_dat_model);
}

/* The variants data/refs has no case of, against the PyTorch forward
 * pass of data/make-dat-refs.py (checked there against spandrel's
 * outputs): classical ×2 (pixelshuffle, 3conv, two residual groups whose
 * shifted blocks differ) and DAT-light's width ×3 (embed 60, no qkv bias,
 * 4 × 16 windows); both inputs need padding inside the attention. */
static void
test_dat_variants (void)
{
  static const struct {
    const char *name;
    guint       scale;
    guint       embed_dim;
    guint       n_layers;
    const char *upsampler;
    gboolean    qkv_bias;
  } variants[] = {
    { "dat-classical-x2", 2, 32, 2, "pixelshuffle", TRUE },
    { "dat-light-x3", 3, 60, 1, "pixelshuffledirect", FALSE },
  };
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "dat", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) depth = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const char *text;
      guint32 value;
      gboolean flag;
      double relative;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_DAT);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "embed_dim", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].embed_dim);
      g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].upsampler);
      g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
      g_assert_cmpstr (text, ==, "3conv");
      g_assert_true (g_variant_lookup (params, "qkv_bias", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].qkv_bias);
      depth = g_variant_lookup_value (params, "depth", G_VARIANT_TYPE ("au"));
      g_assert_cmpuint (g_variant_n_children (depth), ==, variants[v].n_layers);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      relative = test_run_data_case (network, "dat", variants[v].name, 3, variants[v].scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* Smaller than spandrel's minimum of 16: padded to 16 × 16 as spandrel's
 * call pads it (reflected), run, and cropped; the same as running the
 * padded image and cropping by hand. */
static void
test_dat_small (void)
{
  g_autofree char *path = test_refs_path (DAT_MODEL);
  g_autoptr(TesseraNetwork) network = test_load_network (path);

  g_assert_cmpfloat (test_small_against_padded (network, 13, 10, 16, 4), <, 1e-5);
}

/* A block without one of the tensors the graph is built from (the
 * position bias network, a BatchNorm, the channel attention's
 * temperature) is an error that names it. */
static void
test_dat_broken (void)
{
  static const char *dropped[] = {
    "layers.0.blocks.2.attn.attns.1.pos.pos2.2.weight",
    "layers.0.blocks.0.attn.dwconv.1.running_var",
    "layers.0.blocks.3.attn.temperature",
    "layers.0.blocks.1.ffn.sg.conv.weight",
  };
  g_autofree char *zip = test_refs_path (DAT_MODEL);
  g_autofree char *dir = NULL;
  g_autoptr(TesseraModel) model = NULL;

  dir = test_make_tmpdir ();
  model = test_load_model (zip);
  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    {
      g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = dropped[i] });
      g_autoptr(TesseraModel) broken = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_DAT);
      network = tessera_network_new (broken, &error);
      g_assert_null (network);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, dropped[i]));
      g_test_message ("%s", error->message);
    }

  /* Without the channel block's temperature spandrel cannot count the
   * heads either: the file is recognised as broken when it is read. */
  {
    g_autofree char *path = test_write_edited_model (model, dir,
                                                     &(TestModelEdit) { .drop = "layers.0.blocks.1.attn.temperature" });
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(TesseraModel) broken = NULL;
    g_autoptr(GError) error = NULL;

    broken = tessera_model_new_from_file (file, NULL, &error);
    g_assert_null (broken);
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "DAT"));
    g_test_message ("%s", error->message);
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Tiles of whole windows of the larger split: core edges, overlap and
 * tile size are multiples of 8, and a tiled run is close to the whole
 * image's. */
static void
test_dat_tiles (void)
{
  g_autofree char *path = test_refs_path (DAT_MODEL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 101, 77, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 40);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 16);
  /* The channel attention sees the whole tile, not the whole image:
   * close, not equal. */
  g_assert_cmpfloat (test_tiled_against_whole (network, 101, 77, &options, 8, 3, NULL), <, 1e-2);
}

/* What spandrel's loader reads off the weights. */
static void
test_dat_hyperparameters (void)
{
  g_autofree char *path = test_refs_path (DAT_MODEL);
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(GVariant) depth = NULL;
  g_autoptr(GVariant) heads = NULL;
  g_autoptr(GVariant) split = NULL;
  GVariant *params;
  guint32 value;
  double number;
  gboolean flag;
  const char *text;
  const guint32 *items;
  gsize n;

  model = test_load_model (path);
  params = tessera_model_get_hyperparameters (model);
  g_assert_nonnull (params);
  g_assert_true (g_variant_lookup (params, "embed_dim", "u", &value));
  g_assert_cmpuint (value, ==, 64);
  g_assert_true (g_variant_lookup (params, "img_size", "u", &value));
  g_assert_cmpuint (value, ==, 16);
  g_assert_true (g_variant_lookup (params, "upscale", "u", &value));
  g_assert_cmpuint (value, ==, 4);
  g_assert_true (g_variant_lookup (params, "in_chans", "u", &value));
  g_assert_cmpuint (value, ==, 3);
  g_assert_true (g_variant_lookup (params, "expansion_factor", "d", &number));
  g_assert_cmpfloat (number, ==, 2.0);
  g_assert_true (g_variant_lookup (params, "img_range", "d", &number));
  g_assert_cmpfloat (number, ==, 1.0);
  g_assert_true (g_variant_lookup (params, "qkv_bias", "b", &flag));
  g_assert_true (flag);
  g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
  g_assert_cmpstr (text, ==, "pixelshuffledirect");
  g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
  g_assert_cmpstr (text, ==, "1conv");

  depth = g_variant_lookup_value (params, "depth", G_VARIANT_TYPE ("au"));
  items = g_variant_get_fixed_array (depth, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (items[0], ==, 4);
  heads = g_variant_lookup_value (params, "num_heads", G_VARIANT_TYPE ("au"));
  items = g_variant_get_fixed_array (heads, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (items[0], ==, 4);
  split = g_variant_lookup_value (params, "split_size", G_VARIANT_TYPE ("au"));
  items = g_variant_get_fixed_array (split, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (items[0], ==, 4);
  g_assert_cmpuint (items[1], ==, 8);
}

/* `tessera-cli inspect` calls it supported, with spandrel's hyper-parameters. */
static void
test_dat_inspect (void)
{
  g_autofree char *path = test_refs_path (DAT_MODEL);
  g_autofree char *out = test_run_inspect (path, TRUE);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  if (out == NULL)
    return;
  parser = json_parser_new ();
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "dat");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (object, "in_channels"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "out_channels"), ==, 3);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (params, "img_size"), ==, 16);
  g_assert_cmpfloat (json_object_get_double_member (params, "expansion_factor"), ==, 2.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "img_range"), ==, 1.0);
  g_assert_true (json_object_get_boolean_member (params, "qkv_bias"));
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffledirect");
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "1conv");
  array = json_object_get_array_member (params, "split_size");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 4);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 8);
  array = json_object_get_array_member (params, "depth");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 4);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 4);

  text = test_run_inspect (path, FALSE);
  g_assert_nonnull (strstr (text, "split_size"));
  g_assert_nonnull (strstr (text, "pixelshuffledirect"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/dat/containers", test_dat_containers);
  g_test_add_func ("/archs/dat/variants", test_dat_variants);
  g_test_add_func ("/archs/dat/small", test_dat_small);
  g_test_add_func ("/archs/dat/broken", test_dat_broken);
  g_test_add_func ("/archs/dat/tiles", test_dat_tiles);
  g_test_add_func ("/archs/dat/hyperparameters", test_dat_hyperparameters);
  g_test_add_func ("/archs/dat/inspect", test_dat_inspect);

  return g_test_run ();
}
