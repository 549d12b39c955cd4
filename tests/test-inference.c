/* test-inference.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "models/tessera-network-private.h"
#include "tessera-test-utils.h"

/* Whole networks against reference outputs: ../shared/refs holds spandrel's
 * fp32 outputs (PyTorch, the model's own forward pass) for inputs and
 * models of several architectures. */

/* A manifest model path: npm:PACKAGE/package/PATH is a fetched model,
 * anything else is inside refs. NULL when not here. */
static char *
manifest_model_path (const char *path)
{
  if (g_str_has_prefix (path, "npm:"))
    {
      g_auto(GStrv) parts = g_strsplit (path + 4, "/package/", 2);
      g_autofree char *relative = NULL;
      char *full;

      if (parts[1] == NULL)
        return NULL;
      relative = g_build_filename (parts[0], parts[1], NULL);
      full = test_real_model_path (relative);
      if (full != NULL && !g_file_test (full, G_FILE_TEST_EXISTS))
        g_clear_pointer (&full, g_free);
      return full;
    }

  return test_refs_path (path);
}

static double
max_relative_error (const float *ours,
                    const float *reference,
                    gsize        n)
{
  double diff = 0.0, peak = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      diff = MAX (diff, fabs ((double) ours[i] - reference[i]));
      peak = MAX (peak, fabs ((double) reference[i]));
    }

  return diff / MAX (peak, 1e-30);
}

static gboolean
arch_runs (const char *spandrel_arch)
{
  return g_str_equal (spandrel_arch, "ESRGAN") || g_str_equal (spandrel_arch, "Compact") ||
         g_str_equal (spandrel_arch, "RealCUGAN") || g_str_equal (spandrel_arch, "SwinIR");
}

/* Every case of the architectures Tessera runs, with --pre-pad 0: the raw
 * network output, within 1e-4 of the largest value. */
static void
test_refs_vectors (void)
{
  g_autofree char *manifest = test_refs_path ("MANIFEST.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;
  guint n_checked = 0;

  if (manifest == NULL || g_getenv ("TESSERA_TEST_MODELS") == NULL)
    {
      g_test_skip ("needs ../shared/refs and the fetched models (build-aux/fetch-models.sh)");
      return;
    }

  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *item = json_array_get_object_element (cases, i);
      JsonObject *output = json_object_get_object_member (item, "output");
      JsonObject *input = json_object_get_object_member (item, "input");
      JsonArray *files = json_object_get_array_member (item, "model_files");
      const char *name = json_object_get_string_member (item, "case");
      g_autofree char *model_path = NULL;
      g_autofree char *input_path = NULL;
      g_autofree char *output_path = NULL;
      g_autofree float *x = NULL;
      g_autofree float *reference = NULL;
      g_autofree float *y = NULL;
      g_autoptr(TesseraModel) model = NULL;
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
      guint in_shape[8], out_shape[8], in_dims, out_dims;
      gsize n;
      double error_max;

      if (!arch_runs (json_object_get_string_member (item, "spandrel_arch")))
        continue;

      model_path = manifest_model_path (json_object_get_string_member (json_array_get_object_element (files, 0),
                                                                       "path"));
      input_path = test_refs_path (json_object_get_string_member (input, "npy"));
      output_path = test_refs_path (json_object_get_string_member (output, "npy"));
      if (model_path == NULL || input_path == NULL || output_path == NULL)
        continue;

      x = test_load_npy (input_path, &in_dims, in_shape);
      reference = test_load_npy (output_path, &out_dims, out_shape);
      g_assert_cmpuint (in_dims, ==, 4);
      g_assert_cmpuint (out_dims, ==, 4);

      model = test_load_model (model_path);
      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tessera_network_get_scale (network) * in_shape[2], ==, out_shape[2]);

      n = (gsize) out_shape[1] * out_shape[2] * out_shape[3];
      y = g_new (float, n);
      tessera_network_run (network, backend, x, in_shape[3], in_shape[2], y, NULL, &error);
      g_assert_no_error (error);

      error_max = max_relative_error (y, reference, n);
      g_test_message ("%s: relative error %.3g", name, error_max);
      g_assert_cmpfloat (error_max, <, 1e-4);
      n_checked++;
    }

  /* 2x-AniScale, YandereNeo, x4plus, animevideov3, RRDB unshuffle, Real-CUGAN ×2 ×3. */
  g_assert_cmpuint (n_checked, >=, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inference/refs-vectors", test_refs_vectors);

  return g_test_run ();
}
