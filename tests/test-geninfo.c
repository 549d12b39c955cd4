/* test-geninfo.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "image/tessera-image-private.h"
#include "tessera-test-utils.h"

/* Generation info against A1111's own parser (data/make-geninfo-refs.py
 * runs parse_generation_parameters()'s steps with its regexes): the same
 * prompt, negative prompt and fields, field for field, in the same order.
 * ComfyUI graphs are hand-written in the shapes ComfyUI saves. */

static JsonArray *
load_a1111_refs (JsonParser **parser)
{
  g_autoptr(GFile) file = test_data_file ("geninfo/a1111.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);

  *parser = json_parser_new ();
  json_parser_load_from_file (*parser, path, &error);
  g_assert_no_error (error);

  return json_object_get_array_member (json_node_get_object (json_parser_get_root (*parser)), "texts");
}

static const char *
nullable_string (JsonObject *object,
                 const char *member)
{
  return json_object_get_null_member (object, member) ? NULL : json_object_get_string_member (object, member);
}

/* A1111 turns a value of the form WxH into KEY-1 and KEY-2; Tessera keeps
 * it whole. Its fields, split as A1111 splits them, into "key=value"
 * lines. */
static char *
fields_as_a1111 (TesseraGenerationInfo *info)
{
  g_autoptr(GRegex) size = g_regex_new ("^(\\d+)x(\\d+)$", 0, 0, NULL);
  g_auto(GStrv) keys = tessera_generation_info_dup_keys (info);
  GString *out = g_string_new (NULL);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char *value = tessera_generation_info_get_value (info, keys[i]);
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (size, value, 0, &match))
        {
          g_autofree char *w = g_match_info_fetch (match, 1);
          g_autofree char *h = g_match_info_fetch (match, 2);

          g_string_append_printf (out, "%s-1=%s\n%s-2=%s\n", keys[i], w, keys[i], h);
        }
      else
        g_string_append_printf (out, "%s=%s\n", keys[i], value);
    }

  return g_string_free (out, FALSE);
}

static char *
fields_from_ref (JsonArray *fields)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonArray *pair = json_array_get_array_element (fields, i);

      g_string_append_printf (out, "%s=%s\n", json_array_get_string_element (pair, 0),
                              json_array_get_string_element (pair, 1));
    }

  return g_string_free (out, FALSE);
}

static void
assert_matches_ref (TesseraGenerationInfo *info,
                    JsonObject            *ref)
{
  JsonObject *typed = json_object_get_object_member (ref, "typed");
  g_autofree char *fields = fields_as_a1111 (info);
  g_autofree char *expected_fields = fields_from_ref (json_object_get_array_member (ref, "fields"));

  g_assert_cmpint (tessera_generation_info_get_source (info), ==, TESSERA_GENERATION_SOURCE_A1111);
  g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==, json_object_get_string_member (ref, "prompt"));
  g_assert_cmpstr (tessera_generation_info_get_negative_prompt (info), ==,
                   json_object_get_string_member (ref, "negative_prompt"));
  g_assert_cmpstr (fields, ==, expected_fields);

  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, json_object_get_int_member (typed, "steps"));
  g_assert_cmpstr (tessera_generation_info_get_sampler (info), ==, nullable_string (typed, "sampler"));
  g_assert_cmpstr (tessera_generation_info_get_schedule (info), ==, nullable_string (typed, "schedule"));
  g_assert_cmpfloat (tessera_generation_info_get_cfg (info), ==, json_object_get_double_member (typed, "cfg"));
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, json_object_get_int_member (typed, "seed"));
  g_assert_cmpuint (tessera_generation_info_get_width (info), ==, json_object_get_int_member (typed, "width"));
  g_assert_cmpuint (tessera_generation_info_get_height (info), ==, json_object_get_int_member (typed, "height"));
  g_assert_cmpstr (tessera_generation_info_get_model (info), ==, nullable_string (typed, "model"));
  g_assert_cmpstr (tessera_generation_info_get_model_hash (info), ==, nullable_string (typed, "model_hash"));
  g_assert_cmpuint (tessera_generation_info_get_clip_skip (info), ==, json_object_get_int_member (typed, "clip_skip"));
}

static void
test_a1111_parameters (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *refs = load_a1111_refs (&parser);

  g_assert_cmpuint (json_array_get_length (refs), >=, 12);

  for (guint i = 0; i < json_array_get_length (refs); i++)
    {
      JsonObject *ref = json_array_get_object_element (refs, i);
      const char *parameters = json_object_get_string_member (ref, "parameters");
      g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_from_parameters (parameters);

      g_test_message ("text %u", i);
      assert_matches_ref (info, ref);
    }
}

/* Values A1111 quotes keep their commas and colons; a repeated key keeps
 * its first place and its last value. */
static void
test_a1111_values (void)
{
  g_autoptr(TesseraGenerationInfo) info = NULL;
  g_auto(GStrv) keys = NULL;

  info = tessera_generation_info_new_from_parameters ("p\nSteps: 1, Lora hashes: \"a: 123, b: 456\", "
                                                      "Seed: 5, Steps: 2, Note: \"tab\\t\\u00e9\\ud83d\\ude00\"");
  keys = tessera_generation_info_dup_keys (info);
  g_assert_cmpuint (g_strv_length (keys), ==, 4);
  g_assert_cmpstr (keys[0], ==, "Steps");
  g_assert_cmpstr (keys[1], ==, "Lora hashes");
  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 2);
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Lora hashes"), ==, "a: 123, b: 456");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Note"), ==, "tab\t\xc3\xa9\xf0\x9f\x98\x80");
  g_assert_null (tessera_generation_info_get_value (info, "Sampler"));
  g_assert_null (tessera_generation_info_get_schedule (info));
  g_assert_cmpuint (tessera_generation_info_get_clip_skip (info), ==, 1);

  g_clear_object (&info);
  info = tessera_generation_info_new_from_parameters ("");
  g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==, "");
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, -1);
}

static JsonObject *
ref_for_text (JsonArray *refs,
              guint      index)
{
  return json_array_get_object_element (refs, index);
}

static void
test_image_parameters (void)
{
  static const struct { const char *file; guint text; } cases[] = {
    { "images/a1111-parameters.png", 1 },
    { "images/a1111-exif.jpg", 8 },
    { "images/a1111-exif.webp", 8 },
  };
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *refs = load_a1111_refs (&parser);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TesseraImage) image = test_load_image (cases[i].file);
      g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_for_image (image);

      g_test_message ("%s", cases[i].file);
      g_assert_nonnull (info);
      assert_matches_ref (info, ref_for_text (refs, cases[i].text));
    }

  /* An image without any: no info. */
  {
    g_autoptr(TesseraImage) image = test_load_image ("images/rgb8.png");

    g_assert_null (tessera_generation_info_new_for_image (image));
  }
}

/* A comment that is not A1111's parameters is no generation info. */
static void
test_image_plain_comment (void)
{
  g_autoptr(TesseraImage) image = tessera_image_new (4, 4, FALSE, NULL);

  tessera_image_set_text (image, "Comment", "Holiday, 2019: the beach");
  g_assert_null (tessera_generation_info_new_for_image (image));

  tessera_image_set_text (image, "Comment", "cat\nSteps: 3, Sampler: Euler, Seed: 4");
  {
    g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_for_image (image);

    g_assert_nonnull (info);
    g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 3);
  }
}

/* An EXIF block as other writers make it: little-endian TIFF, the text
 * in UTF-16 LE or ASCII. */
static GBytes *
make_exif (gboolean      big_endian,
           const guint8 *comment,
           gsize         comment_size)
{
  GByteArray *out = g_byte_array_new ();
  guint8 word[4];

#define PUT16(v) G_STMT_START { guint _v = (v); \
    word[0] = big_endian ? _v >> 8 : _v & 0xff; word[1] = big_endian ? _v & 0xff : _v >> 8; \
    g_byte_array_append (out, word, 2); } G_STMT_END
#define PUT32(v) G_STMT_START { guint32 _v = (v); \
    for (int _i = 0; _i < 4; _i++) word[_i] = big_endian ? _v >> (24 - 8 * _i) : _v >> (8 * _i); \
    g_byte_array_append (out, word, 4); } G_STMT_END

  g_byte_array_append (out, (const guint8 *) (big_endian ? "MM" : "II"), 2);
  PUT16 (42);
  PUT32 (8);
  PUT16 (1); PUT16 (0x8769); PUT16 (4); PUT32 (1); PUT32 (26); PUT32 (0);
  PUT16 (1); PUT16 (0x9286); PUT16 (7); PUT32 (comment_size); PUT32 (44); PUT32 (0);
  g_byte_array_append (out, comment, comment_size);

#undef PUT16
#undef PUT32

  return g_byte_array_free_to_bytes (out);
}

static void
test_exif_user_comment (void)
{
  static const guint8 utf16_le[] = "UNICODE\0" "c\0a\0t\0\n\0S\0t\0e\0p\0s\0:\0 \0" "1\0";
  static const guint8 utf16_bom[] = "UNICODE\0" "\xfe\xff\0x\0y";
  static const guint8 ascii[] = "ASCII\0\0\0" "hello";
  static const guint8 spaces[] = "\0\0\0\0\0\0\0\0" "        ";
  const struct { gboolean big_endian; const guint8 *comment; gsize size; const char *text; } cases[] = {
    { FALSE, utf16_le, sizeof utf16_le - 1, "cat\nSteps: 1" },
    { TRUE, utf16_le, sizeof utf16_le - 1, "cat\nSteps: 1" },
    { FALSE, utf16_bom, sizeof utf16_bom - 1, "xy" },
    { FALSE, ascii, sizeof ascii - 1, "hello" },
    { TRUE, spaces, sizeof spaces - 1, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) exif = make_exif (cases[i].big_endian, cases[i].comment, cases[i].size);
      gsize size;
      const guint8 *data = g_bytes_get_data (exif, &size);
      g_autofree char *text = tessera_image_exif_user_comment (data, size);

      g_assert_cmpstr (text, ==, cases[i].text);

      /* Every shorter block is damaged: no comment, no read past it. */
      for (gsize cut = 0; cut < size; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, cut);
          g_autofree char *partial = tessera_image_exif_user_comment (copy, cut);

          if (partial != NULL)
            g_assert_true (g_utf8_validate (partial, -1, NULL));
        }
    }
}

/* The EXIF of a JPEG, cut anywhere: the loader's parser neither reads
 * past the bytes nor finds what is not there. */
static void
test_exif_truncated_files (void)
{
  static const char * const files[] = { "images/a1111-exif.jpg", "images/a1111-exif.webp" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GFile) file = test_data_file (files[i]);
      g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, NULL);
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      g_autofree char *whole = tessera_image_read_user_comment (data, size);

      g_assert_nonnull (whole);
      g_assert_true (g_str_has_prefix (whole, "東京の夜景"));
      for (gsize cut = 0; cut < size; cut++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, cut);
          g_autofree char *partial = tessera_image_read_user_comment (copy, cut);

          g_assert_true (partial == NULL || g_utf8_validate (partial, -1, NULL));
        }
    }
}

static char *
load_text (const char *relative)
{
  g_autoptr(GFile) file = test_data_file (relative);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_load_contents (file, NULL, &text, NULL, NULL, &error);
  g_assert_no_error (error);

  return text;
}

static void
test_comfyui_default (void)
{
  g_autofree char *json = load_text ("geninfo/comfyui-default.json");
  g_autoptr(TesseraImage) image = tessera_image_new (4, 4, FALSE, NULL);
  g_autoptr(TesseraGenerationInfo) info = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *joined = NULL;

  /* As ComfyUI saves it: a `prompt` chunk (and a `workflow` one, unread). */
  tessera_image_set_text (image, "prompt", json);
  tessera_image_set_text (image, "workflow", "{\"nodes\": []}");
  info = tessera_generation_info_new_for_image (image);

  g_assert_nonnull (info);
  g_assert_cmpint (tessera_generation_info_get_source (info), ==, TESSERA_GENERATION_SOURCE_COMFYUI);
  g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==,
                   "beautiful scenery nature glass bottle landscape, , purple galaxy bottle,");
  g_assert_cmpstr (tessera_generation_info_get_negative_prompt (info), ==, "text, watermark");
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, G_GINT64_CONSTANT (156680208700286));
  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 20);
  g_assert_cmpfloat (tessera_generation_info_get_cfg (info), ==, 8.0);
  g_assert_cmpstr (tessera_generation_info_get_sampler (info), ==, "euler");
  g_assert_cmpstr (tessera_generation_info_get_schedule (info), ==, "normal");
  g_assert_cmpstr (tessera_generation_info_get_model (info), ==, "v1-5-pruned-emaonly.safetensors");
  g_assert_null (tessera_generation_info_get_model_hash (info));
  g_assert_cmpuint (tessera_generation_info_get_width (info), ==, 512);
  g_assert_cmpuint (tessera_generation_info_get_height (info), ==, 512);
  g_assert_cmpuint (tessera_generation_info_get_clip_skip (info), ==, 1);

  keys = tessera_generation_info_dup_keys (info);
  joined = g_strjoinv (",", keys);
  g_assert_cmpstr (joined, ==, "Steps,Sampler,Schedule type,CFG scale,Seed,Size,Model");
}

/* KSamplerAdvanced, a seed node, a string node, ControlNet between the
 * prompt and the sampler, a LoRA before the checkpoint, clip skip, and a
 * second sampler the first one's latent goes to. */
static void
test_comfyui_two_pass (void)
{
  g_autofree char *json = load_text ("geninfo/comfyui-two-pass.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_from_comfyui (json, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==,
                   "a red fox in the snow,\nwinter morning, (soft light:1.2)");
  g_assert_cmpstr (tessera_generation_info_get_negative_prompt (info), ==, "blurry, \"low quality\"");
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, 8675309);
  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 30);
  g_assert_cmpfloat (tessera_generation_info_get_cfg (info), ==, 6.5);
  g_assert_cmpstr (tessera_generation_info_get_sampler (info), ==, "dpmpp_2m");
  g_assert_cmpstr (tessera_generation_info_get_schedule (info), ==, "karras");
  g_assert_cmpstr (tessera_generation_info_get_model (info), ==, "sd_xl_base_1.0.safetensors");
  g_assert_cmpuint (tessera_generation_info_get_width (info), ==, 1024);
  g_assert_cmpuint (tessera_generation_info_get_height (info), ==, 768);
  g_assert_cmpuint (tessera_generation_info_get_clip_skip (info), ==, 2);
  g_assert_null (tessera_generation_info_get_value (info, "Denoising strength"));
}

static void
test_comfyui_errors (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "{\"3\": {\"class_type\": \"KSampler\", \"inputs\": {", "not valid JSON" },
    { "[1, 2, 3]", "not a graph" },
    { "{\"4\": {\"class_type\": \"CheckpointLoaderSimple\", \"inputs\": {\"ckpt_name\": \"a\"}}}", "no KSampler" },
    { "{\"3\": {\"class_type\": \"KSampler\"}}", "no KSampler" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_from_comfyui (cases[i].json, &error);

      g_assert_null (info);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "ComfyUI"));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }

  /* Links that loop or lead nowhere end, with what the graph has. */
  {
    const char *json = "{\"1\": {\"class_type\": \"KSampler\", \"inputs\": {\"seed\": [\"2\", 0], "
                       "\"positive\": [\"2\", 0], \"negative\": [\"9\", 0], \"steps\": 3, \"model\": [1, 0]}},"
                       " \"2\": {\"class_type\": \"Loop\", \"inputs\": {\"seed\": [\"2\", 0], "
                       "\"conditioning\": [\"2\", 0], \"positive\": [\"1\", 0]}}}";
    g_autoptr(GError) error = NULL;
    g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_from_comfyui (json, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==, "");
    g_assert_cmpint (tessera_generation_info_get_seed (info), ==, -1);
    g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 3);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/geninfo/a1111/parameters", test_a1111_parameters);
  g_test_add_func ("/geninfo/a1111/values", test_a1111_values);
  g_test_add_func ("/geninfo/image/parameters", test_image_parameters);
  g_test_add_func ("/geninfo/image/plain-comment", test_image_plain_comment);
  g_test_add_func ("/geninfo/exif/user-comment", test_exif_user_comment);
  g_test_add_func ("/geninfo/exif/truncated-files", test_exif_truncated_files);
  g_test_add_func ("/geninfo/comfyui/default", test_comfyui_default);
  g_test_add_func ("/geninfo/comfyui/two-pass", test_comfyui_two_pass);
  g_test_add_func ("/geninfo/comfyui/errors", test_comfyui_errors);

  return g_test_run ();
}
