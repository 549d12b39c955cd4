/* test-scunet.c
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

/* SCUNet against spandrel's own outputs (data/scunet, made by
 * data/make-scunet-refs.py with narrow heads), whole image, on the CPU in
 * fp32, within 1e-4 of the reference's largest value. */

static char *
scunet_path (const char *base)
{
  return g_test_build_filename (G_TEST_DIST, "data", "scunet", base, NULL);
}

/* Colour (dim 4, two blocks in the outer stages: plain and shifted
 * windows) from the .pth and the .safetensors, on 24 × 20 (padded to
 * spandrel's minimum of 40, replicated past the reflection, then
 * reflected to 64) and 70 × 45 (reflected to 128 × 64); gray (dim 8, no
 * blocks in the third stages and the body) on 41 × 64. */
static void
test_scunet_variants (void)
{
  static const struct {
    const char *file;
    const char *cases[2];
    guint       channels;
    guint       dim;
    guint       config[7];
  } variants[] = {
    { "scunet-color.pth", { "scunet-color.24x20", "scunet-color.70x45" }, 3, 4, { 2, 1, 1, 1, 1, 1, 2 } },
    { "scunet-color.safetensors", { "scunet-color.24x20", NULL }, 3, 4, { 2, 1, 1, 1, 1, 1, 2 } },
    { "scunet-gray.pth", { "scunet-gray.41x64", NULL }, 1, 8, { 1, 2, 0, 0, 0, 2, 1 } },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *path = scunet_path (variants[v].file);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) config = NULL;
      g_autoptr(GError) error = NULL;
      const guint32 *items;
      GVariant *params;
      guint32 value;
      gsize n;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SCUNET);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, 1);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, variants[v].channels);
      g_assert_cmpuint (tessera_model_get_out_channels (model), ==, variants[v].channels);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].dim);
      g_assert_false (tessera_model_can_denoise (model, NULL));
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "in_nc", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].channels);
      g_assert_true (g_variant_lookup (params, "dim", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].dim);
      config = g_variant_lookup_value (params, "config", G_VARIANT_TYPE ("au"));
      items = g_variant_get_fixed_array (config, &n, sizeof (guint32));
      g_assert_cmpuint (n, ==, 7);
      for (guint i = 0; i < 7; i++)
        g_assert_cmpuint (items[i], ==, variants[v].config[i]);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      for (guint c = 0; c < G_N_ELEMENTS (variants[v].cases) && variants[v].cases[c] != NULL; c++)
        g_assert_cmpfloat (test_run_data_case (network, "scunet", variants[v].cases[c], variants[v].channels, 1),
                           <, 1e-4);
    }
}

/* Tiles of whole windows of the deepest stage (64 pixels), which keeps
 * every stage's windows and strides where the whole image has them; with
 * 32 pixels of context each side the tiles give the whole image's output
 * (spandrel discourages tiling SCUNet: with trained weights the U-Net
 * reaches further, and tiles differ slightly there). */
static void
test_scunet_tiles (void)
{
  g_autofree char *path = scunet_path ("scunet-color.pth");
  g_autoptr(TesseraNetwork) network = test_load_network (path);
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 128, 64, 0, FALSE, G_MAXSIZE };

  plan = tessera_runner_plan (network, 256, 256, &options);
  g_assert_cmpuint (tessera_tile_plan_get_multiple (plan), ==, 64);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 64);
  g_assert_cmpfloat (test_tiled_against_whole (network, 256, 256, &options, 64, 5, NULL), <, 1e-4);
}

/* `tessera-cli inspect` names SCUNet, ×1, with spandrel's parameters. */
static void
test_scunet_inspect (void)
{
  g_autofree char *path = scunet_path ("scunet-gray.pth");
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *config;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "scunet");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "in_channels"), ==, 1);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_cmpint (json_object_get_int_member (params, "in_nc"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (params, "dim"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (params, "input_resolution"), ==, 256);
  config = json_object_get_array_member (params, "config");
  g_assert_cmpuint (json_array_get_length (config), ==, 7);
  g_assert_cmpint (json_array_get_int_element (config, 1), ==, 2);
}

/* A missing tensor the graph is built from is an error that names it. */
static void
test_scunet_broken (void)
{
  static const char *dropped[] = {
    "m_down1.1.trans_block.msa.relative_position_params",
    "m_up2.1.conv_block.2.weight",
    "m_up3.0.weight",
    "m_up1.2.trans_block.ln2.bias",
  };
  g_autofree char *source = scunet_path ("scunet-color.pth");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraModel) model = test_load_model (source);

  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    {
      g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = dropped[i] });
      g_autoptr(TesseraModel) broken = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_SCUNET);
      network = tessera_network_new (broken, &error);
      g_assert_null (network);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, dropped[i]));
      g_test_message ("%s", error->message);
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/scunet/variants", test_scunet_variants);
  g_test_add_func ("/archs/scunet/tiles", test_scunet_tiles);
  g_test_add_func ("/archs/scunet/inspect", test_scunet_inspect);
  g_test_add_func ("/archs/scunet/broken", test_scunet_broken);

  return g_test_run ();
}
