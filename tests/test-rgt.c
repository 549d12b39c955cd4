/* test-rgt.c
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

/* RGT against spandrel's own outputs (data/make-rgt-refs.py: random
 * weights through spandrel's RGT class, loaded back through its
 * ModelLoader): ×2 with two residual groups ("1conv", qkv biases, group
 * 1's block 0 shifted), and an RGT-S-like ×1 of one group of four blocks
 * ("3conv", no qkv bias, c_ratio 0.25, block 2 shifted), the latter also
 * as .safetensors. Whole image, on the CPU in fp32, within 1e-4 of the
 * reference's largest value. */

static const struct {
  const char *file;
  const char *name;
  guint       scale;
  guint       embed_dim;
  guint       n_layers;
  guint       heads;
  double      mlp_ratio;
  double      c_ratio;
  const char *resi_connection;
  gboolean    qkv_bias;
} variants[] = {
  { "rgt-x2.pth", "rgt-x2", 2, 32, 2, 4, 2.0, 0.5, "1conv", TRUE },
  { "rgt-s-x1.pth", "rgt-s-x1", 1, 32, 1, 4, 1.5, 0.25, "3conv", FALSE },
  { "rgt-s-x1.safetensors", "rgt-s-x1", 1, 32, 1, 4, 1.5, 0.25, "3conv", FALSE },
};

static char *
rgt_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "rgt", file, NULL);
}

static void
test_rgt_variants (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *path = rgt_path (variants[v].file);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) depth = NULL;
      g_autoptr(GVariant) heads = NULL;
      g_autoptr(GVariant) split = NULL;
      g_autoptr(GError) error = NULL;
      const guint32 *items;
      GVariant *params;
      const char *text;
      guint32 value;
      gboolean flag;
      double number, relative;
      gsize n;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_RGT);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].embed_dim);
      g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, variants[v].n_layers);

      params = tessera_model_get_hyperparameters (model);
      g_assert_nonnull (params);
      g_assert_true (g_variant_lookup (params, "embed_dim", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].embed_dim);
      g_assert_true (g_variant_lookup (params, "upscale", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].scale);
      g_assert_true (g_variant_lookup (params, "mlp_ratio", "d", &number));
      g_assert_cmpfloat (number, ==, variants[v].mlp_ratio);
      g_assert_true (g_variant_lookup (params, "c_ratio", "d", &number));
      g_assert_cmpfloat (number, ==, variants[v].c_ratio);
      g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].resi_connection);
      g_assert_true (g_variant_lookup (params, "qkv_bias", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].qkv_bias);
      depth = g_variant_lookup_value (params, "depth", G_VARIANT_TYPE ("au"));
      g_assert_cmpuint (g_variant_n_children (depth), ==, variants[v].n_layers);
      heads = g_variant_lookup_value (params, "num_heads", G_VARIANT_TYPE ("au"));
      items = g_variant_get_fixed_array (heads, &n, sizeof (guint32));
      g_assert_cmpuint (n, ==, variants[v].n_layers);
      g_assert_cmpuint (items[0], ==, variants[v].heads);
      split = g_variant_lookup_value (params, "split_size", G_VARIANT_TYPE ("au"));
      items = g_variant_get_fixed_array (split, &n, sizeof (guint32));
      g_assert_cmpuint (n, ==, 2);
      g_assert_cmpuint (items[0], ==, 2);
      g_assert_cmpuint (items[1], ==, 4);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      relative = test_run_data_case (network, "rgt", variants[v].name, 3, variants[v].scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* A block without one of the tensors the graph is built from (the
 * recursive reduction, its cpe, a layer scale, the window branch's position-bias
 * network, the gate's convolution) is an error that names it; without
 * the window's index spandrel cannot size the windows either, and the
 * file is recognised as a broken RGT when it is read. */
static void
test_rgt_broken (void)
{
  static const char *dropped[] = {
    "layers.0.blocks.1.attn.reduction1.weight",
    "layers.0.blocks.1.attn.cpe.weight",
    "layers.1.blocks.0.gamma",
    "layers.1.blocks.0.attn.attns.1.pos.pos2.2.weight",
    "layers.0.blocks.1.mlp.sg.conv.weight",
  };
  g_autofree char *source = rgt_path ("rgt-x2.pth");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraModel) model = test_load_model (source);

  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    {
      g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = dropped[i] });
      g_autoptr(TesseraModel) broken = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_RGT);
      network = tessera_network_new (broken, &error);
      g_assert_null (network);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, dropped[i]));
      g_test_message ("%s", error->message);
    }

  {
    g_autofree char *path = test_write_edited_model (model, dir,
                                                     &(TestModelEdit) { .drop = "layers.0.blocks.0.attn.attns.0.relative_position_index" });
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(TesseraModel) broken = NULL;
    g_autoptr(GError) error = NULL;

    broken = tessera_model_new_from_file (file, NULL, &error);
    g_assert_null (broken);
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "RGT"));
    g_test_message ("%s", error->message);
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Smaller than spandrel's minimum of 16: padded to 16 × 16 as spandrel's
 * call pads it (reflected), run, and cropped; the same as running the
 * padded image and cropping by hand. */
static void
test_rgt_small (void)
{
  g_autofree char *path = rgt_path ("rgt-x2.pth");
  g_autoptr(TesseraNetwork) network = test_load_network (path);

  g_assert_cmpfloat (test_small_against_padded (network, 13, 10, 16, 2), <, 1e-5);
}

/* Tiles of whole windows of the larger split (4). RG-SA lets each pixel
 * see the representative tokens of its whole tile, not of the whole
 * image: close, not equal (with these random weights, 0.14 of the
 * output's range at worst, 0.018 on average). */
static void
test_rgt_tiles (void)
{
  g_autofree char *path = rgt_path ("rgt-x2.pth");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };
  double relative, mean;

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 101, 77, &options);
  g_assert_cmpuint (tessera_tile_plan_get_multiple (plan), ==, 4);
  relative = test_tiled_against_whole (network, 101, 77, &options, 4, 3, &mean);
  g_assert_cmpfloat (relative, <, 0.25);
  g_assert_cmpfloat (mean, <, 0.03);
}

/* An image 1030 wide, where RG-SA reduces three times (spandrel's rule:
 * one more each time a side reaches 16 · 4^n, 1024 for three), run whole:
 * four 16 × 16 crops and the per-channel mean against spandrel's
 * (make-rgt-refs.py, whose check says the crops move by 15 % of the
 * output's range with two reductions). The input is 8-bit values from
 * integers alone, as the generator's wide_input makes them. */
static void
test_rgt_wide (void)
{
  static const guint crops[][2] = { { 0, 0 }, { 0, 1014 }, { 52, 0 }, { 26, 507 } };
  const guint w = 1030, h = 68;
  g_autofree char *path = rgt_path ("rgt-wide-x1.pth");
  g_autofree char *crops_path = rgt_path ("rgt-wide-x1.crops.npy");
  g_autofree char *mean_path = rgt_path ("rgt-wide-x1.mean.npy");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *input = g_new (float, 3 * w * h);
  g_autofree float *output = g_new (float, 3 * w * h);
  g_autofree float *reference = NULL;
  g_autofree float *reference_mean = NULL;
  float ours[G_N_ELEMENTS (crops) * 3 * 16 * 16];
  guint shape[8], n_dims;
  double peak = 0.0, diff = 0.0;

  reference = test_load_npy (crops_path, &n_dims, shape);
  g_assert_cmpuint (n_dims, ==, 4);
  g_assert_cmpuint (shape[0], ==, G_N_ELEMENTS (crops));
  reference_mean = test_load_npy (mean_path, &n_dims, shape);
  g_assert_cmpuint (shape[0], ==, 3);

  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          guint v = ((x * x + 3 * y * y) / 7 + 37 * c + ((x ^ y) & 31)) % 256;

          input[(c * h + y) * w + x] = (float) v / 255.f;
        }

  network = test_load_network (path);
  tessera_network_run (network, backend, input, w, h, output, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (crops); i++)
    for (guint c = 0; c < 3; c++)
      for (guint y = 0; y < 16; y++)
        for (guint x = 0; x < 16; x++)
          ours[((i * 3 + c) * 16 + y) * 16 + x] = output[(c * h + crops[i][0] + y) * w + crops[i][1] + x];
  g_assert_cmpfloat (test_max_relative_error (ours, reference, G_N_ELEMENTS (ours)), <, 1e-4);

  for (gsize i = 0; i < G_N_ELEMENTS (ours); i++)
    peak = MAX (peak, fabs (reference[i]));
  for (guint c = 0; c < 3; c++)
    {
      double sum = 0.0;

      for (gsize i = 0; i < (gsize) w * h; i++)
        sum += output[c * w * h + i];
      diff = MAX (diff, fabs (sum / (w * h) - reference_mean[c]));
    }
  g_assert_cmpfloat (diff / peak, <, 1e-4);
}

/* `tessera-cli inspect` calls it supported, with spandrel's hyper-parameters. */
static void
test_rgt_inspect (void)
{
  g_autofree char *path = rgt_path ("rgt-x2.pth");
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  parser = test_inspect_json (path, &object);
  if (parser == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "rgt");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 32);
  g_assert_cmpfloat (json_object_get_double_member (params, "c_ratio"), ==, 0.5);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 2.0);
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "1conv");
  array = json_object_get_array_member (params, "depth");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 2);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 1);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 4);
  g_assert_cmpint (json_array_get_int_element (array, 1), ==, 2);

  text = test_run_inspect (path, FALSE);
  g_assert_nonnull (strstr (text, "RGT"));
  g_assert_nonnull (strstr (text, "split_size"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/rgt/variants", test_rgt_variants);
  g_test_add_func ("/archs/rgt/broken", test_rgt_broken);
  g_test_add_func ("/archs/rgt/small", test_rgt_small);
  g_test_add_func ("/archs/rgt/tiles", test_rgt_tiles);
  g_test_add_func ("/archs/rgt/wide", test_rgt_wide);
  g_test_add_func ("/archs/rgt/inspect", test_rgt_inspect);

  return g_test_run ();
}
