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

/* Whole networks against reference outputs: data/refs holds spandrel's
 * fp32 outputs (PyTorch, the model's own forward pass) for inputs and
 * models of several architectures. */

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
  g_autofree char *dir = NULL;
  JsonArray *cases;
  guint n_checked = 0;

  if (g_getenv ("TESSERA_TEST_MODELS") == NULL)
    {
      g_test_skip ("needs the fetched models (build-aux/fetch-models.sh)");
      return;
    }

  dir = test_make_tmpdir ();

  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *item = json_array_get_object_element (cases, i);
      JsonObject *output = json_object_get_object_member (item, "output");
      JsonObject *input = json_object_get_object_member (item, "input");
      JsonObject *model_file = json_array_get_object_element (json_object_get_array_member (item, "model_files"), 0);
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

      /* The refs left some models out, to keep their size down. */
      if (!arch_runs (json_object_get_string_member (item, "spandrel_arch")) ||
          g_str_equal (json_object_get_string_member (model_file, "location"), "extra"))
        continue;

      model_path = test_manifest_model_path (json_object_get_string_member (model_file, "path"), dir);
      input_path = test_refs_path (json_object_get_string_member (input, "npy"));
      output_path = test_refs_path (json_object_get_string_member (output, "npy"));
      g_assert_nonnull (model_path);

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
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inference/refs-vectors", test_refs_vectors);

  return g_test_run ();
}
