/* test-mosr.c
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

/* MoSR against spandrel's own outputs (data/mosr, made by
 * data/make-mosr-refs.py): one random-weight model per upsampler spandrel
 * detects, whole image, on the CPU in fp32, within 1e-4 of the
 * reference's largest value. */

static const struct {
  const char *name;
  guint       scale;
  guint       dim;
  guint       n_block;
  guint       kernel_size;
  double      expansion_ratio;
  double      conv_ratio;
  const char *upsampler;
} variants[] = {
  { "mosr-ps-x2", 2, 16, 2, 7, 1.5, 1.0, "ps" },
  { "mosr-gps-x3", 3, 12, 1, 5, 2.0, 0.5, "gps" },
  { "mosr-dys-x4", 4, 16, 2, 3, 1.0, 1.0, "dys" },
};

static char *
mosr_path (const char *name,
           const char *extension)
{
  g_autofree char *base = g_strconcat (name, extension, NULL);

  return g_test_build_filename (G_TEST_DIST, "data", "mosr", base, NULL);
}

/* Each variant: what spandrel's loader reads off the weights, and the
 * output; the pixel-shuffle one from its .safetensors too. */
static void
test_mosr_variants (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    for (guint container = 0; container < (v == 0 ? 2 : 1); container++)
      {
        g_autofree char *path = mosr_path (variants[v].name, container == 0 ? ".pth" : ".safetensors");
        g_autoptr(TesseraModel) model = test_load_model (path);
        g_autoptr(TesseraNetwork) network = NULL;
        g_autoptr(GError) error = NULL;
        GVariant *params;
        const char *text;
        guint32 value;
        double number;

        g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_MOSR);
        g_assert_true (tessera_model_get_supported (model));
        g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
        g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
        g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
        g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].dim);
        g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, variants[v].n_block);
        params = tessera_model_get_hyperparameters (model);
        g_assert_true (g_variant_lookup (params, "upscale", "u", &value));
        g_assert_cmpuint (value, ==, variants[v].scale);
        g_assert_true (g_variant_lookup (params, "n_block", "u", &value));
        g_assert_cmpuint (value, ==, variants[v].n_block);
        g_assert_true (g_variant_lookup (params, "kernel_size", "u", &value));
        g_assert_cmpuint (value, ==, variants[v].kernel_size);
        g_assert_true (g_variant_lookup (params, "expansion_ratio", "d", &number));
        g_assert_cmpfloat (number, ==, variants[v].expansion_ratio);
        g_assert_true (g_variant_lookup (params, "conv_ratio", "d", &number));
        g_assert_cmpfloat (number, ==, variants[v].conv_ratio);
        g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
        g_assert_cmpstr (text, ==, variants[v].upsampler);

        network = tessera_network_new (model, &error);
        g_assert_no_error (error);
        g_assert_cmpfloat (test_run_data_case (network, "mosr", variants[v].name, 3, variants[v].scale), <, 1e-4);
      }
}

/* MoSR looks only at nearby pixels (its DySample aside, whose learnt
 * offsets may reach further): with half the overlap past the receptive
 * field (14 pixels for the first variant, 8 for the second), tiles give
 * the whole image's output. */
static void
test_mosr_tiles (void)
{
  TesseraRunOptions options = { 64, 32, 0, FALSE, G_MAXSIZE };

  for (guint v = 0; v < 2; v++)
    {
      g_autofree char *path = mosr_path (variants[v].name, ".pth");
      g_autoptr(TesseraNetwork) network = test_load_network (path);
      g_autoptr(TesseraTilePlan) plan = tessera_runner_plan (network, 120, 120, &options);

      g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 30);
      g_assert_cmpfloat (test_tiled_against_whole (network, 120, 120, &options, 1, 7 + v, NULL), <, 1e-5);
    }
}

/* `tessera-cli inspect` names MoSR and lists its parameters under
 * spandrel's names. */
static void
test_mosr_inspect (void)
{
  g_autofree char *path = mosr_path ("mosr-gps-x3", ".pth");
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "mosr");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 3);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_cmpint (json_object_get_int_member (params, "in_ch"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "out_ch"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "dim"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (params, "n_block"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (params, "upscale"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "gps");
  g_assert_cmpfloat (json_object_get_double_member (params, "expansion_ratio"), ==, 2.0);
  g_assert_cmpfloat (json_object_get_double_member (params, "conv_ratio"), ==, 0.5);
}

/* A missing tensor the graph is built from is an error that names it;
 * without the upsampler's DySample offsets the file is broken as soon as
 * it is read, since they give the scale. */
static void
test_mosr_broken (void)
{
  static const struct {
    const char *name;
    const char *drop;
  } cases[] = {
    { "mosr-ps-x2", "gblocks.2.conv.weight" },
    { "mosr-ps-x2", "shortcut.conv11.weight" },
    { "mosr-gps-x3", "gblocks.2.weight" },
    { "mosr-dys-x4", "upsampler.scope.weight" },
  };
  g_autofree char *dir = test_make_tmpdir ();

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *source = mosr_path (cases[c].name, ".pth");
      g_autoptr(TesseraModel) model = test_load_model (source);
      g_autofree char *path = test_write_edited_model (model, dir, &(TestModelEdit) { .drop = cases[c].drop });
      g_autoptr(TesseraModel) broken = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_MOSR);
      network = tessera_network_new (broken, &error);
      g_assert_null (network);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, cases[c].drop));
      g_test_message ("%s", error->message);
    }

  {
    g_autofree char *source = mosr_path ("mosr-dys-x4", ".pth");
    g_autoptr(TesseraModel) model = test_load_model (source);
    g_autofree char *path = test_write_edited_model (model, dir,
                                                     &(TestModelEdit) { .drop = "upsampler.offset.weight" });
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(TesseraModel) broken = NULL;
    g_autoptr(GError) error = NULL;

    broken = tessera_model_new_from_file (file, NULL, &error);
    g_assert_null (broken);
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, "MoSR"));
    g_test_message ("%s", error->message);
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/mosr/variants", test_mosr_variants);
  g_test_add_func ("/archs/mosr/tiles", test_mosr_tiles);
  g_test_add_func ("/archs/mosr/inspect", test_mosr_inspect);
  g_test_add_func ("/archs/mosr/broken", test_mosr_broken);

  return g_test_run ();
}
