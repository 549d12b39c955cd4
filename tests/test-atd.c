/* test-atd.c
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

/* ATD against spandrel's own outputs (data/make-atd-refs.py: random
 * weights through spandrel's ATD class, loaded back through its
 * ModelLoader, with torch.sort made stable): classical ×2 (two groups, a
 * shifted layer, a dictionary refinement, 3 groups of 256 categories'
 * pixels, the last padded), ATD-light ×3 (48 channels, one-step
 * upsampler, category size 128, 5 groups) and a ×1 restoration model
 * without RGB mean or patch norm, 4 × 4 windows and a reduced width
 * larger than its 4 tokens (also as .safetensors), and ×4 nearest+conv
 * whose 192 pixels make one group. Whole image, on the
 * CPU in fp32, within 1e-4 of the reference's largest value; the inputs
 * are mirrored to whole windows inside. */

static const struct {
  const char *file;
  const char *name;
  guint       scale;
  guint       embed_dim;
  guint       n_layers;
  guint       window;
  guint       category_size;
  guint       num_tokens;
  const char *upsampler;
  gboolean    norm;
} variants[] = {
  { "atd-x2.pth", "atd-x2", 2, 16, 2, 8, 256, 16, "pixelshuffle", TRUE },
  { "atd-light-x3.pth", "atd-light-x3", 3, 48, 1, 8, 128, 8, "pixelshuffledirect", TRUE },
  { "atd-x1.pth", "atd-x1", 1, 32, 1, 4, 256, 4, "", FALSE },
  { "atd-x1.safetensors", "atd-x1", 1, 32, 1, 4, 256, 4, "", FALSE },
  { "atd-nearest-x4.pth", "atd-nearest-x4", 4, 16, 1, 4, 256, 4, "nearest+conv", TRUE },
};

static char *
atd_path (const char *file)
{
  return g_test_build_filename (G_TEST_DIST, "data", "atd", file, NULL);
}

static void
test_atd_variants (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *path = atd_path (variants[v].file);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) depths = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const char *text;
      guint32 value;
      gboolean flag;
      double relative;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_ATD);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].embed_dim);

      params = tessera_model_get_hyperparameters (model);
      g_assert_nonnull (params);
      g_assert_true (g_variant_lookup (params, "window_size", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].window);
      g_assert_true (g_variant_lookup (params, "category_size", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].category_size);
      g_assert_true (g_variant_lookup (params, "num_tokens", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].num_tokens);
      g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].upsampler);
      g_assert_true (g_variant_lookup (params, "norm", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].norm);
      depths = g_variant_lookup_value (params, "depths", G_VARIANT_TYPE ("au"));
      g_assert_cmpuint (g_variant_n_children (depths), ==, variants[v].n_layers);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      relative = test_run_data_case (network, "atd", variants[v].name, 3, variants[v].scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* A layer without one of the tensors the graph is built from (the
 * dictionary attention's key, a refinement's InstanceNorm, the category
 * attention's logit scale, the window's bias table, a group's
 * dictionary) is an error that names it. Without relative_position_index_SA
 * the file is no architecture (spandrel's detector needs it); with an absolute
 * position embedding, which only fits spandrel's 64 × 64, it is an ATD
 * that does not run, and says so. */
static void
test_atd_broken (void)
{
  static const char *dropped[] = {
    "layers.0.residual_group.layers.0.attn_atd.wk.weight",
    "layers.0.residual_group.layers.0.norm3.weight",
    "layers.1.residual_group.layers.0.attn_aca.logit_scale",
    "layers.0.residual_group.layers.1.attn_win.relative_position_bias_table",
    "layers.1.residual_group.td",
  };
  g_autofree char *source = atd_path ("atd-x2.pth");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraModel) model = test_load_model (source);

  for (guint i = 0; i < G_N_ELEMENTS (dropped); i++)
    {
      g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = dropped[i] });
      g_autoptr(TesseraModel) broken = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_ATD);
      network = tessera_network_new (broken, &error);
      g_assert_null (network);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, dropped[i]));
      g_test_message ("%s", error->message);
    }

  {
    g_autofree char *path = test_write_edited_model (model, dir,
                                                     &(TestModelEdit) { .drop = "relative_position_index_SA" });
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(TesseraModel) other = NULL;
    g_autoptr(GError) error = NULL;

    other = tessera_model_new_from_file (file, NULL, &error);
    g_assert_null (other);
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  }

  {
    g_autofree char *path = test_write_edited_model (model, dir,
                                                     &(TestModelEdit) { .add = "absolute_pos_embed", .add_dims = 3, .add_shape = { 1, 4, 32 } });
    g_autoptr(TesseraModel) ape = test_load_model (path);
    g_autoptr(TesseraNetwork) network = NULL;
    g_autoptr(GError) error = NULL;
    gboolean flag;

    g_assert_cmpint (tessera_model_get_arch (ape), ==, TESSERA_ARCH_ATD);
    g_assert_false (tessera_model_get_supported (ape));
    g_assert_nonnull (strstr (tessera_model_get_not_run_reason (ape), "absolute position embedding"));
    g_assert_true (g_variant_lookup (tessera_model_get_hyperparameters (ape), "ape", "b", &flag));
    g_assert_true (flag);
    network = tessera_network_new (ape, &error);
    g_assert_null (network);
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "ATD"));
    g_assert_nonnull (strstr (error->message, "absolute position embedding"));

    /* `tessera-cli inspect --json` says why too. */
    {
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *object;

      parser = test_inspect_json (path, &object);
      if (parser != NULL)
        {
          g_assert_false (json_object_get_boolean_member (object, "supported"));
          g_assert_nonnull (strstr (json_object_get_string_member (object, "not_run_reason"),
                                    "absolute position embedding"));
        }
    }
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Smaller than spandrel's minimum of 8: padded to 8 × 8 as spandrel's
 * call pads it (reflected), run, and cropped; the same as running the
 * padded image and cropping by hand. */
static void
test_atd_small (void)
{
  g_autofree char *path = atd_path ("atd-x2.pth");
  g_autoptr(TesseraNetwork) network = test_load_network (path);

  g_assert_cmpfloat (test_small_against_padded (network, 7, 5, 8, 2), <, 1e-5);
}

/* Tiles of whole windows (8). The dictionary's refinement and the
 * categories' groups see the whole tile, not the whole image: not equal,
 * and with these random weights far from it (0.41 of the output's range
 * at worst, 0.061 on average): a check that tiles run and fit. */
static void
test_atd_tiles (void)
{
  g_autofree char *path = atd_path ("atd-light-x3.pth");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };
  double relative, mean;

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 83, 61, &options);
  g_assert_cmpuint (tessera_tile_plan_get_multiple (plan), ==, 8);
  relative = test_tiled_against_whole (network, 83, 61, &options, 8, 3, &mean);
  g_assert_cmpfloat (relative, <, 0.6);
  g_assert_cmpfloat (mean, <, 0.1);
}

/* `tessera-cli inspect` calls it supported, with spandrel's hyper-parameters. */
static void
test_atd_inspect (void)
{
  g_autofree char *path = atd_path ("atd-light-x3.pth");
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;
  JsonArray *array;

  parser = test_inspect_json (path, &object);
  if (parser == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "atd");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 3);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 48);
  g_assert_cmpint (json_object_get_int_member (params, "category_size"), ==, 128);
  g_assert_cmpint (json_object_get_int_member (params, "reducted_dim"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (params, "convffn_kernel_size"), ==, 3);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 1.5);
  g_assert_false (json_object_get_boolean_member (params, "qkv_bias"));
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffledirect");
  g_assert_cmpstr (json_object_get_string_member (params, "resi_connection"), ==, "3conv");
  array = json_object_get_array_member (params, "depths");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 3);
  array = json_object_get_array_member (params, "num_heads");
  g_assert_cmpint (json_array_get_int_element (array, 0), ==, 4);

  text = test_run_inspect (path, FALSE);
  g_assert_nonnull (strstr (text, "ATD"));
  g_assert_nonnull (strstr (text, "category_size"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/atd/variants", test_atd_variants);
  g_test_add_func ("/archs/atd/broken", test_atd_broken);
  g_test_add_func ("/archs/atd/small", test_atd_small);
  g_test_add_func ("/archs/atd/tiles", test_atd_tiles);
  g_test_add_func ("/archs/atd/inspect", test_atd_inspect);

  return g_test_run ();
}
