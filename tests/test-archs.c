/* test-archs.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "formats/tessera-formats-private.h"
#include "models/tessera-model-private.h"
#include "models/tessera-network-private.h"
#include "tessera-runner-private.h"
#include "tessera-test-utils.h"

/* Architectures against spandrel's own outputs (data/refs): every
 * case of a synthetic model, whole image, on the CPU in fp32, within 1e-4
 * of the reference's largest value. */

#define SPAN_MODEL "models/synthetic/span_x4.pth"

/* @network on @input whole, on the CPU; the error against the reference. */
static double
run_case (TesseraNetwork *network,
          const TestRefCase  *c,
          const float    *input)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *output = g_new (float, c->n_output);

  g_assert_cmpuint ((gsize) 3 * c->width * c->height * 16, ==, c->n_output);
  tessera_network_run (network, backend, input != NULL ? input : c->input, c->width, c->height, output, NULL,
                       &error);
  g_assert_no_error (error);
  return test_max_relative_error (output, c->reference, c->n_output);
}

static void
assert_span_model (TesseraModel *model)
{
  g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SPAN);
  g_assert_true (tessera_model_get_supported (model));
  g_assert_cmpuint (tessera_model_get_scale (model), ==, 4);
  g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_num_feat (model), ==, 16);
  g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, 6);
}

/* Every case against spandrel, from each container: the zip .pth in the
 * refs and the legacy .pth and .safetensors made from it by
 * data/make-containers.py, which hold the same state dict. */
static void
test_span_containers (void)
{
  test_assert_ref_containers (SPAN_MODEL, 2, 1, assert_span_model);
}

typedef gboolean (*TensorEdit) (const TesseraTensor *tensor,
                                float               *floats);

/* @model's state dict, each float32 tensor through @edit, @extra added
 * and @drop left out, as a safetensors file in @dir. */
static char *
write_edited (TesseraModel  *model,
              const char    *dir,
              TensorEdit     edit,
              const char    *extra,
              const char    *drop,
              guint         *n_edited)
{
  TesseraStateDict *source = tessera_model_get_state_dict (model);
  g_autoptr(TesseraStateDict) copy = tessera_state_dict_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  char *path = g_build_filename (dir, "edited.safetensors", NULL);

  *n_edited = 0;
  for (guint i = 0; i < tessera_state_dict_get_n_tensors (source); i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (source, i);
      gsize size = tessera_tensor_get_size (tensor);
      guint8 *data;

      if (g_strcmp0 (tensor->name, drop) == 0)
        continue;
      data = g_memdup2 (tensor->data, size);

      /* Batch norms' counters are integers, copied as they are. */
      g_assert_true (edit == NULL || tensor->dtype == TESSERA_DTYPE_F32);
      if (edit != NULL && edit (tensor, (float *) data))
        (*n_edited)++;
      tessera_state_dict_insert (copy, tensor->name, tensor->dtype, tensor->n_dims, tensor->shape,
                                 tessera_state_dict_take_buffer (copy, data, size), &error);
      g_assert_no_error (error);
    }

  if (extra != NULL)
    {
      float *zero = g_new0 (float, 1);

      tessera_state_dict_insert (copy, extra, TESSERA_DTYPE_F32, 1, (guint64[]) { 1 },
                                 tessera_state_dict_take_buffer (copy, zero, sizeof (float)), &error);
      g_assert_no_error (error);
    }

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  tessera_safetensors_write (copy, G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  return path;
}

static gboolean
scramble_eval_conv (const TesseraTensor *tensor,
                    float               *floats)
{
  if (strstr (tensor->name, ".eval_conv.") == NULL)
    return FALSE;
  for (guint64 i = 0; i < tensor->n_elements; i++)
    floats[i] = (float) ((i * 7919) % 13) - 6.f;
  return TRUE;
}

/* spandrel re-fuses every Conv3XC from sk and conv.0–2 on each forward
 * pass and never reads the stored eval_conv: neither does Tessera. */
static void
test_span_eval_conv_ignored (void)
{
  g_autoptr(GPtrArray) cases = test_load_ref_cases (SPAN_MODEL);
  g_autofree char *zip = test_refs_path (SPAN_MODEL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) edited = NULL;
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  guint n_edited;

  dir = test_make_tmpdir ();
  model = test_load_model (zip);
  path = write_edited (model, dir, scramble_eval_conv, NULL, NULL, &n_edited);
  g_assert_cmpuint (n_edited, ==, 2 * (2 + 3 * 6));
  edited = test_load_model (path);
  assert_span_model (edited);
  network = tessera_network_new (edited, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < cases->len; i++)
    {
      const TestRefCase *c = g_ptr_array_index (cases, i);
      double relative = run_case (network, c, NULL);

      g_test_message ("%s, eval_conv scrambled: max relative error %.3g", c->name, relative);
      g_assert_cmpfloat (relative, <, 1e-4);
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* With a no_norm key the input is taken as it comes: fed (x − mean) · 255,
 * the network gives what the normalising one gives for x. */
static void
test_span_no_norm (void)
{
  static const float mean[3] = { 0.4488f, 0.4371f, 0.4040f };
  g_autoptr(GPtrArray) cases = test_load_ref_cases (SPAN_MODEL);
  g_autofree char *zip = test_refs_path (SPAN_MODEL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) raw = NULL;
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  guint n_edited;

  dir = test_make_tmpdir ();
  model = test_load_model (zip);
  path = write_edited (model, dir, NULL, "no_norm", NULL, &n_edited);
  raw = test_load_model (path);
  assert_span_model (raw);
  network = tessera_network_new (raw, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < cases->len; i++)
    {
      const TestRefCase *c = g_ptr_array_index (cases, i);
      gsize plane = (gsize) c->width * c->height;
      g_autofree float *normalized = g_new (float, 3 * plane);
      double relative;

      for (guint ch = 0; ch < 3; ch++)
        for (gsize j = 0; j < plane; j++)
          normalized[ch * plane + j] = (c->input[ch * plane + j] - mean[ch]) * 255.f;
      relative = run_case (network, c, normalized);
      g_test_message ("%s, no_norm on a normalised input: max relative error %.3g", c->name, relative);
      g_assert_cmpfloat (relative, <, 1e-4);
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A block without one of its convolutions is an error that names it. */
static void
test_span_broken (void)
{
  g_autofree char *zip = test_refs_path (SPAN_MODEL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) broken = NULL;
  g_autoptr(GError) error = NULL;
  guint n_edited;

  dir = test_make_tmpdir ();
  model = test_load_model (zip);
  path = write_edited (model, dir, NULL, NULL, "block_3.c2_r.conv.1.weight", &n_edited);
  broken = test_load_model (path);
  g_assert_cmpint (tessera_model_get_arch (broken), ==, TESSERA_ARCH_SPAN);
  g_assert_null (tessera_network_new (broken, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "block_3.c2_r.conv.1.weight"));
  g_test_message ("%s", error->message);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* `tessera-cli inspect` calls it supported, with spandrel's hyper-parameters. */
static void
test_span_inspect (void)
{
  g_autofree char *zip = test_refs_path (SPAN_MODEL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  if ((parser = test_inspect_json (zip, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "span");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (object, "in_channels"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "out_channels"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "num_feat"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (object, "num_blocks"), ==, 6);
}

#define SWINIR_MODEL "models/synthetic/swinir_psd_x2.pth"
#define SWINIR_FP16_MODEL "models/synthetic/swinir_psd_x2.fp16.pth"

/* spandrel's SwinIR (lightweight, pixelshuffledirect ×2, window 8) from
 * each container, and the fp16 copy against its own reference: inputs of
 * whole windows and the odd 37×29, which the network reflects to 40×32
 * and whose shift masks are made for that size. */
static void
test_swinir_containers (void)
{
  g_autoptr(GPtrArray) cases = test_load_ref_cases (SWINIR_MODEL);
  g_autoptr(GPtrArray) fp16_cases = NULL;
  const char *files[] = { SWINIR_MODEL, "models/synthetic/swinir_psd_x2.legacy.pth",
                          "models/synthetic/swinir_psd_x2.safetensors", "models/synthetic/swinir_psd_x2.fp16.safetensors" };

  g_assert_cmpuint (cases->len, ==, 3);
  fp16_cases = test_load_ref_cases (SWINIR_FP16_MODEL);
  g_assert_cmpuint (fp16_cases->len, ==, 1);

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = test_refs_path (files[f]);
      g_autofree char *base = g_path_get_basename (files[f]);
      g_autoptr(TesseraModel) model = NULL;
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      gboolean fp16 = f == G_N_ELEMENTS (files) - 1;

      g_assert_nonnull (path);
      model = test_load_model (path);
      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SWINIR);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, 2);
      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tessera_network_get_pre_pad (network), ==, 0);
      g_assert_cmpuint (tessera_network_get_tile_multiple (network), ==, 8);
      g_assert_cmpfloat (test_run_ref_cases (network, fp16 ? fp16_cases : cases, 2, base), <, 1e-4);
    }
}

/* The variants data/refs has no case of, against the PyTorch forward
 * pass of data/make-swinir-refs.py (checked there against spandrel's
 * outputs): classical ×2 (pixelshuffle), real-world ×4 (nearest+conv,
 * 3conv, window 7 so img_range 255), and gray denoising ×1 (no
 * upsampler); every input size needs reflecting to whole windows. */
static void
test_swinir_variants (void)
{
  static const struct {
    const char *name;
    guint       scale;
    guint       channels;
    const char *upsampler;
    const char *resi_connection;
    double      img_range;
  } variants[] = {
    { "swinir-classical-x2", 2, 3, "pixelshuffle", "1conv", 1.0 },
    { "swinir-real-x4", 4, 3, "nearest+conv", "3conv", 255.0 },
    { "swinir-gray-x1", 1, 1, "", "1conv", 1.0 },
  };
  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "swinir", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const char *text;
      double range, relative;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SWINIR);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, variants[v].channels);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].upsampler);
      g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].resi_connection);
      g_assert_true (g_variant_lookup (params, "img_range", "d", &range));
      g_assert_cmpfloat (range, ==, variants[v].img_range);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      relative = test_run_data_case (network, "swinir", variants[v].name, variants[v].channels, variants[v].scale);
      g_assert_cmpfloat (relative, <, 1e-4);
    }
}

/* Tiles of whole windows: the plan the runner makes for a window-8 model
 * puts every core edge, the overlap and the tile size on multiples of 8,
 * so each region but the last of a row or column is whole windows, and
 * a tiled run is close to the whole image's. */
static void
test_swinir_tiles (void)
{
  g_autofree char *path = test_refs_path (SWINIR_MODEL);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  g_autoptr(TesseraTilePlan) plain = tessera_tile_plan_new (101, 77, 45, 13, 0);
  TesseraRunOptions options = { 45, 13, 0, FALSE, G_MAXSIZE };

  network = test_load_network (path);
  plan = tessera_runner_plan (network, 101, 77, &options);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plan), ==, 40);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plan), ==, 16);
  g_assert_cmpuint (tessera_tile_plan_get_n_columns (plan), ==, 3);
  g_assert_cmpuint (tessera_tile_plan_get_n_rows (plan), ==, 2);

  /* A plain plan is as before. */
  g_assert_cmpuint (tessera_tile_plan_get_multiple (plain), ==, 1);
  g_assert_cmpuint (tessera_tile_plan_get_tile_size (plain), ==, 45);
  g_assert_cmpuint (tessera_tile_plan_get_overlap (plain), ==, 13);

  /* Attention sees less around a tile's edges: close, not equal. */
  g_assert_cmpfloat (test_tiled_against_whole (network, 101, 77, &options, 8, 5, NULL), <, 1e-2);
}

/* What spandrel's loader reads off the weights. */
static void
test_swinir_hyperparameters (void)
{
  g_autofree char *path = test_refs_path (SWINIR_MODEL);
  g_autoptr(TesseraModel) model = NULL;
  GVariant *params;
  g_autoptr(GVariant) depths = NULL;
  g_autoptr(GVariant) heads = NULL;
  guint32 value;
  double ratio;
  const char *text;
  gsize n;
  const guint32 *items;

  model = test_load_model (path);
  g_assert_cmpuint (tessera_model_get_num_feat (model), ==, 36);
  g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, 2);
  params = tessera_model_get_hyperparameters (model);
  g_assert_nonnull (params);
  g_assert_true (g_variant_lookup (params, "embed_dim", "u", &value));
  g_assert_cmpuint (value, ==, 36);
  g_assert_true (g_variant_lookup (params, "window_size", "u", &value));
  g_assert_cmpuint (value, ==, 8);
  g_assert_true (g_variant_lookup (params, "img_size", "u", &value));
  g_assert_cmpuint (value, ==, 16);
  g_assert_true (g_variant_lookup (params, "mlp_ratio", "d", &ratio));
  g_assert_cmpfloat (ratio, ==, 2.0);
  g_assert_true (g_variant_lookup (params, "img_range", "d", &ratio));
  g_assert_cmpfloat (ratio, ==, 1.0);
  g_assert_true (g_variant_lookup (params, "upsampler", "&s", &text));
  g_assert_cmpstr (text, ==, "pixelshuffledirect");
  g_assert_true (g_variant_lookup (params, "resi_connection", "&s", &text));
  g_assert_cmpstr (text, ==, "1conv");
  depths = g_variant_lookup_value (params, "depths", G_VARIANT_TYPE ("au"));
  heads = g_variant_lookup_value (params, "num_heads", G_VARIANT_TYPE ("au"));
  items = g_variant_get_fixed_array (depths, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (items[0], ==, 2);
  g_assert_cmpuint (items[1], ==, 2);
  items = g_variant_get_fixed_array (heads, &n, sizeof (guint32));
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (items[0], ==, 6);
  g_assert_cmpuint (items[1], ==, 6);
}

/* `tessera-cli inspect` calls it supported, with its hyper-parameters. */
static void
test_swinir_inspect (void)
{
  g_autofree char *path = test_refs_path (SWINIR_MODEL);
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  JsonObject *object, *params;
  JsonArray *depths;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "swinir");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_nonnull (params);
  g_assert_cmpint (json_object_get_int_member (params, "embed_dim"), ==, 36);
  g_assert_cmpint (json_object_get_int_member (params, "window_size"), ==, 8);
  g_assert_cmpfloat (json_object_get_double_member (params, "mlp_ratio"), ==, 2.0);
  g_assert_cmpstr (json_object_get_string_member (params, "upsampler"), ==, "pixelshuffledirect");
  depths = json_object_get_array_member (params, "depths");
  g_assert_cmpuint (json_array_get_length (depths), ==, 2);
  g_assert_cmpint (json_array_get_int_element (depths, 1), ==, 2);

  text = test_run_inspect (path, FALSE);
  g_assert_nonnull (strstr (text, "SwinIR (swinir)\n"));
  g_assert_nonnull (strstr (text, "window_size"));
  g_assert_nonnull (strstr (text, "pixelshuffledirect"));
}

/* spandrel's RCAN at three configurations (data/make-conv-arch-refs.py):
 * ×2 with the mean shift, ×3 without it, and the unshuffling ×1, whose
 * odd input spandrel reflects to a multiple of 4. */
static void
test_rcan_variants (void)
{
  static const struct {
    const char *name;
    guint       scale;
    guint       n_feats;
    guint       n_resgroups;
    guint       n_resblocks;
    guint       reduction;
    gboolean    norm;
    gboolean    unshuffle;
  } variants[] = {
    { "rcan-x2", 2, 16, 2, 2, 4, TRUE, FALSE },
    { "rcan-x3-nonorm", 3, 8, 1, 2, 2, FALSE, FALSE },
    { "rcan-x1-unshuffle", 1, 16, 1, 1, 4, TRUE, TRUE },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "rcan", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      guint32 value;
      gboolean flag;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_RCAN);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].n_feats);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "n_resgroups", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].n_resgroups);
      g_assert_true (g_variant_lookup (params, "n_resblocks", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].n_resblocks);
      g_assert_true (g_variant_lookup (params, "reduction", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].reduction);
      g_assert_true (g_variant_lookup (params, "norm", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].norm);
      g_assert_true (g_variant_lookup (params, "unshuffle_mod", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].unshuffle);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (test_run_data_case (network, "rcan", variants[v].name, 3, variants[v].scale), <, 1e-4);
    }
}

/* `tessera-cli inspect` lists RCAN's hyper-parameters under spandrel's names. */
static void
test_rcan_inspect (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "rcan", "rcan-x2.pth", NULL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "rcan");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_cmpint (json_object_get_int_member (params, "n_feats"), ==, 16);
  g_assert_cmpint (json_object_get_int_member (params, "n_resgroups"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "kernel_size"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (params, "rgb_range"), ==, 255);
  g_assert_true (json_object_get_boolean_member (params, "norm"));
}

/* @network at the denoise setting @level against the reference
 * FOLDER/NAME.SUFFIX.output.npy of data/make-conv-arch-refs.py. */
static double
run_level_case (TesseraNetwork *network,
                const char     *folder,
                const char     *name,
                double          level,
                const char     *suffix)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *input_base = g_strdup_printf ("%s.input.npy", name);
  g_autofree char *output_base = g_strdup_printf ("%s.%s.output.npy", name, suffix);
  g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", folder, input_base, NULL);
  g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", folder, output_base, NULL);
  g_autofree float *x = NULL;
  g_autofree float *reference = NULL;
  g_autofree float *y = NULL;
  guint in_shape[8], out_shape[8], in_dims, out_dims;
  gsize n;

  x = test_load_npy (input_path, &in_dims, in_shape);
  reference = test_load_npy (output_path, &out_dims, out_shape);
  n = (gsize) out_shape[1] * out_shape[2] * out_shape[3];
  y = g_new (float, n);
  tessera_network_set_noise_level (network, level);
  tessera_network_run (network, backend, x, in_shape[3], in_shape[2], y, NULL, &error);
  g_assert_no_error (error);
  return test_max_relative_error (y, reference, n);
}

/* spandrel's DnCNN ("R", colour), DnCNN with batch norm ("BR", gray) and
 * FDnCNN (a noise map as its fourth input channel), ×1. */
static void
test_dncnn_variants (void)
{
  static const struct {
    const char *name;
    guint       channels;
    guint       nc;
    guint       nb;
    const char *act_mode;
    const char *mode;
  } variants[] = {
    { "dncnn-r", 3, 16, 8, "R", "DnCNN" },
    { "dncnn-br-gray", 1, 8, 5, "BR", "DnCNN" },
    { "fdncnn", 3, 8, 8, "R", "FDnCNN" },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "dncnn", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      gboolean flexible = g_str_equal (variants[v].mode, "FDnCNN");
      GVariant *params;
      const char *text;
      guint32 value;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_DNCNN);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, 1);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, variants[v].channels);
      g_assert_cmpuint (tessera_model_get_out_channels (model), ==, variants[v].channels);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "nc", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].nc);
      g_assert_true (g_variant_lookup (params, "nb", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].nb);
      g_assert_true (g_variant_lookup (params, "act_mode", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].act_mode);
      g_assert_true (g_variant_lookup (params, "mode", "&s", &text));
      g_assert_cmpstr (text, ==, variants[v].mode);
      /* Only FDnCNN takes the denoise setting. */
      g_assert_cmpint (tessera_model_can_denoise (model, NULL), ==, flexible);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (test_run_data_case (network, "dncnn", variants[v].name, variants[v].channels, 1), <, 1e-4);
      if (flexible)
        g_assert_cmpfloat (run_level_case (network, "dncnn", variants[v].name, 0.6, "sigma30"), <, 1e-4);
    }
}

/* spandrel's DRUNet (strided convolutions down, transposed up), colour
 * and gray, on sizes it pads to a multiple of 8, at spandrel's noise level
 * and at the denoise setting 0.6. */
static void
test_drunet_variants (void)
{
  static const struct {
    const char *name;
    guint       channels;
    guint       nc[4];
  } variants[] = {
    { "drunet-color", 3, { 8, 8, 16, 16 } },
    { "drunet-gray", 1, { 4, 8, 8, 12 } },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "drunet", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) nc = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const guint32 *items;
      const char *text;
      guint32 value;
      gsize n;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_DRUNET);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, 1);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, variants[v].channels);
      g_assert_true (tessera_model_can_denoise (model, NULL));
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "in_nc", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].channels + 1);
      g_assert_true (g_variant_lookup (params, "nb", "u", &value));
      g_assert_cmpuint (value, ==, 2);
      g_assert_true (g_variant_lookup (params, "upsample_mode", "&s", &text));
      g_assert_cmpstr (text, ==, "convtranspose");
      nc = g_variant_lookup_value (params, "nc", G_VARIANT_TYPE ("au"));
      items = g_variant_get_fixed_array (nc, &n, sizeof (guint32));
      g_assert_cmpuint (n, ==, 4);
      for (guint i = 0; i < 4; i++)
        g_assert_cmpuint (items[i], ==, variants[v].nc[i]);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (test_run_data_case (network, "drunet", variants[v].name, variants[v].channels, 1), <, 1e-4);
      g_assert_cmpfloat (run_level_case (network, "drunet", variants[v].name, 0.6, "sigma30"), <, 1e-4);
    }
}

/* spandrel's FBCNN (its quality-factor widths narrowed, see
 * data/make-conv-arch-refs.py), colour and gray, on sizes it replicates to
 * a multiple of 8: predicting the quality factor itself, as spandrel's
 * call does, and given QF 40 as the denoise setting 0.6 = 1 − 40/100. */
static void
test_fbcnn_variants (void)
{
  static const struct {
    const char *name;
    guint       channels;
    guint       nc[4];
  } variants[] = {
    { "fbcnn-color", 3, { 4, 8, 8, 16 } },
    { "fbcnn-gray", 1, { 4, 4, 8, 8 } },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "fbcnn", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GVariant) nc = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      const guint32 *items;
      guint32 value;
      gsize n;

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_FBCNN);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, 1);
      g_assert_cmpuint (tessera_model_get_in_channels (model), ==, variants[v].channels);
      g_assert_true (tessera_model_can_denoise (model, NULL));
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "nb", "u", &value));
      g_assert_cmpuint (value, ==, 2);
      nc = g_variant_lookup_value (params, "nc", G_VARIANT_TYPE ("au"));
      items = g_variant_get_fixed_array (nc, &n, sizeof (guint32));
      g_assert_cmpuint (n, ==, 4);
      for (guint i = 0; i < 4; i++)
        g_assert_cmpuint (items[i], ==, variants[v].nc[i]);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (test_run_data_case (network, "fbcnn", variants[v].name, variants[v].channels, 1), <, 1e-4);
      g_assert_cmpfloat (run_level_case (network, "fbcnn", variants[v].name, 0.6, "qf40"), <, 1e-4);
    }
}

/* `tessera-cli inspect` lists DRUNet's and FBCNN's hyper-parameters under
 * spandrel's names. */
static void
test_restoration_inspect (void)
{
  const char *files[][2] = { { "drunet", "drunet-color.pth" }, { "fbcnn", "fbcnn-color.pth" } };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", files[f][0], files[f][1], NULL);
      g_autoptr(JsonParser) parser = NULL;
      JsonObject *object, *params;

      if ((parser = test_inspect_json (path, &object)) == NULL)
        return;
      g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, files[f][0]);
      g_assert_true (json_object_get_boolean_member (object, "supported"));
      g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 1);
      params = json_object_get_object_member (object, "hyperparameters");
      g_assert_cmpint (json_object_get_int_member (params, "nb"), ==, 2);
      g_assert_cmpint (json_array_get_length (json_object_get_array_member (params, "nc")), ==, 4);
      g_assert_cmpstr (json_object_get_string_member (params, "downsample_mode"), ==, "strideconv");
      g_assert_cmpstr (json_object_get_string_member (params, "upsample_mode"), ==, "convtranspose");
    }
}

/* spandrel's PLKSR (the three channel mixers, with and without
 * element-wise attention, ×1 to ×3, kernels 9 to 17) and RealPLKSR (group
 * norm ×4, layer norm ×2 with three eighths of the channels in the large
 * kernel, DySample ×2 in four groups and ×3 in three). */
static void
test_plksr_variants (void)
{
  static const struct {
    const char *name;
    TesseraArch arch;
    guint       scale;
    guint       dim;
    guint       kernel_size;
    double      split_ratio;
    gboolean    use_ea;
  } variants[] = {
    { "plksr-ccm-x2", TESSERA_ARCH_PLKSR, 2, 16, 17, 0.25, TRUE },
    { "plksr-iccm-noea-x3", TESSERA_ARCH_PLKSR, 3, 12, 9, 0.5, FALSE },
    { "plksr-dccm-x1", TESSERA_ARCH_PLKSR, 1, 8, 13, 0.25, TRUE },
    { "realplksr-x4", TESSERA_ARCH_REALPLKSR, 4, 16, 17, 0.25, TRUE },
    { "realplksr-layernorm-x2", TESSERA_ARCH_REALPLKSR, 2, 8, 11, 0.375, TRUE },
    { "realplksr-dysample-x2", TESSERA_ARCH_REALPLKSR, 2, 8, 7, 0.25, TRUE },
    { "realplksr-dysample-x3", TESSERA_ARCH_REALPLKSR, 3, 8, 9, 0.5, TRUE },
  };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[v].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "plksr", base, NULL);
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(GError) error = NULL;
      GVariant *params;
      guint32 value;
      double ratio;
      gboolean flag;

      g_assert_cmpint (tessera_model_get_arch (model), ==, variants[v].arch);
      g_assert_true (tessera_model_get_supported (model));
      g_assert_cmpuint (tessera_model_get_scale (model), ==, variants[v].scale);
      g_assert_cmpuint (tessera_model_get_num_feat (model), ==, variants[v].dim);
      params = tessera_model_get_hyperparameters (model);
      g_assert_true (g_variant_lookup (params, "kernel_size", "u", &value));
      g_assert_cmpuint (value, ==, variants[v].kernel_size);
      g_assert_true (g_variant_lookup (params, "split_ratio", "d", &ratio));
      g_assert_cmpfloat (ratio, ==, variants[v].split_ratio);
      g_assert_true (g_variant_lookup (params, "use_ea", "b", &flag));
      g_assert_cmpint (flag, ==, variants[v].use_ea);

      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (test_run_data_case (network, "plksr", variants[v].name, 3, variants[v].scale), <, 1e-4);
    }
}

/* `tessera-cli inspect` names RealPLKSR and lists its parameters under
 * spandrel's names. */
static void
test_plksr_inspect (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "plksr", "realplksr-layernorm-x2.pth", NULL);
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params;

  if ((parser = test_inspect_json (path, &object)) == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (object, "arch"), ==, "realplksr");
  g_assert_true (json_object_get_boolean_member (object, "supported"));
  g_assert_cmpint (json_object_get_int_member (object, "scale"), ==, 2);
  params = json_object_get_object_member (object, "hyperparameters");
  g_assert_cmpint (json_object_get_int_member (params, "dim"), ==, 8);
  g_assert_cmpint (json_object_get_int_member (params, "n_blocks"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (params, "upscaling_factor"), ==, 2);
  g_assert_true (json_object_get_boolean_member (params, "layer_norm"));
  g_assert_false (json_object_get_boolean_member (params, "dysample"));
}

/* A tensor left out of a file of each new architecture: the error names
 * it, and nothing runs without it. */
static void
test_restoration_broken (void)
{
  const char *cases[][3] = {
    { "rcan", "rcan-x2.pth", "body.1.body.0.body.3.conv_du.2.weight" },
    { "dncnn", "dncnn-br-gray.pth", "model.9.running_var" },
    { "drunet", "drunet-color.pth", "m_up2.1.res.2.weight" },
    { "fbcnn", "fbcnn-color.pth", "to_beta_2.0.weight" },
    { "plksr", "realplksr-x4.pth", "feats.2.lk.conv.weight" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", cases[c][0], cases[c][1], NULL);
      g_autofree char *dir = test_make_tmpdir ();
      g_autofree char *edited = NULL;
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraModel) broken = NULL;
      g_autoptr(GError) error = NULL;
      guint n_edited;

      edited = write_edited (model, dir, NULL, NULL, cases[c][2], &n_edited);
      broken = test_load_model (edited);
      g_assert_cmpint (tessera_model_get_arch (broken), ==, tessera_model_get_arch (model));
      g_assert_null (tessera_network_new (broken, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, cases[c][2]));
      g_test_message ("%s", error->message);
      test_remove_tmpdir (g_steal_pointer (&dir));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/archs/span/containers", test_span_containers);
  g_test_add_func ("/archs/span/eval-conv-ignored", test_span_eval_conv_ignored);
  g_test_add_func ("/archs/span/no-norm", test_span_no_norm);
  g_test_add_func ("/archs/span/broken", test_span_broken);
  g_test_add_func ("/archs/span/inspect", test_span_inspect);
  g_test_add_func ("/archs/swinir/containers", test_swinir_containers);
  g_test_add_func ("/archs/swinir/variants", test_swinir_variants);
  g_test_add_func ("/archs/swinir/tiles", test_swinir_tiles);
  g_test_add_func ("/archs/swinir/hyperparameters", test_swinir_hyperparameters);
  g_test_add_func ("/archs/swinir/inspect", test_swinir_inspect);
  g_test_add_func ("/archs/rcan/variants", test_rcan_variants);
  g_test_add_func ("/archs/rcan/inspect", test_rcan_inspect);
  g_test_add_func ("/archs/dncnn/variants", test_dncnn_variants);
  g_test_add_func ("/archs/drunet/variants", test_drunet_variants);
  g_test_add_func ("/archs/fbcnn/variants", test_fbcnn_variants);
  g_test_add_func ("/archs/restoration/inspect", test_restoration_inspect);
  g_test_add_func ("/archs/plksr/variants", test_plksr_variants);
  g_test_add_func ("/archs/plksr/inspect", test_plksr_inspect);
  g_test_add_func ("/archs/restoration/broken", test_restoration_broken);

  return g_test_run ();
}
