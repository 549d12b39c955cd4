/* test-checkpoints.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "formats/tessera-formats-private.h"
#include "formats/tessera-pickle-private.h"
#include "models/tessera-checkpoint-private.h"
#include "tessera-test-utils.h"

/* Stable Diffusion checkpoints: the small models of data/sd (made by
 * data/make-sd-models.py, which records in models.json what a reader must
 * find), key sets of the other families, broken files and folders. */

static JsonObject *
load_record (JsonParser **parser)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd", "models.json", NULL);
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  json_parser_load_from_file (*parser, path, &error);
  g_assert_no_error (error);
  return json_object_get_object_member (json_node_get_object (json_parser_get_root (*parser)), "models");
}

static char *
sd_path (const char *relative)
{
  return g_test_build_filename (G_TEST_DIST, "data", "sd", relative, NULL);
}

static TesseraCheckpoint *
load_checkpoint (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraCheckpoint *checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (checkpoint);
  return checkpoint;
}

/* The error of a file that must not load, whose message names it. */
static GError *
load_error (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *basename = g_path_get_basename (path);
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  GError *error = NULL;

  checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
  g_assert_null (checkpoint);
  g_assert_nonnull (error);
  g_assert_true (error->domain == TESSERA_ERROR);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, basename));
  return error;
}

static void
assert_uints (JsonObject  *object,
              const char  *key,
              const guint *values,
              guint        n)
{
  JsonArray *array = json_object_get_array_member (object, key);

  g_assert_cmpuint (json_array_get_length (array), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (json_array_get_int_element (array, i), ==, values[i]);
}

static guint
member_uint (JsonObject *object,
             const char *key)
{
  return json_object_get_int_member (object, key);
}

static void
assert_unet (const TesseraUNetConfig *unet,
             JsonObject              *expected,
             gboolean                 single_file)
{
  JsonArray *levels = json_object_get_array_member (expected, "attention_levels");
  guint n_levels = json_array_get_length (json_object_get_array_member (expected, "channel_mult"));

  g_assert_cmpint (unet->keys, ==, single_file ? TESSERA_SD_KEYS_LDM : TESSERA_SD_KEYS_DIFFUSERS);
  g_assert_cmpuint (unet->in_channels, ==, member_uint (expected, "in_channels"));
  g_assert_cmpuint (unet->out_channels, ==, member_uint (expected, "out_channels"));
  g_assert_cmpuint (unet->model_channels, ==, member_uint (expected, "model_channels"));
  g_assert_cmpuint (unet->n_levels, ==, n_levels);
  assert_uints (expected, "channel_mult", unet->channel_mult, unet->n_levels);
  g_assert_cmpuint (unet->num_res_blocks, ==, member_uint (expected, "num_res_blocks"));
  assert_uints (expected, "transformer_depth", unet->transformer_depth, unet->n_levels);
  for (guint i = 0; i < json_array_get_length (levels); i++)
    g_assert_cmpuint (unet->transformer_depth[json_array_get_int_element (levels, i)], >, 0);
  /* No single file tells its heads: the family's rule gives them. */
  assert_uints (expected, single_file ? "single_file_num_heads" : "num_heads", unet->num_heads, unet->n_levels);
  g_assert_cmpuint (unet->mid_num_heads, ==,
                    member_uint (expected, single_file ? "single_file_mid_num_heads" : "mid_num_heads"));
  g_assert_cmpuint (unet->mid_transformer_depth, ==, 1);
  g_assert_cmpuint (unet->context_dim, ==, member_uint (expected, "context_dim"));
  g_assert_cmpint (unet->use_linear_projection, ==, json_object_get_boolean_member (expected, "use_linear_projection"));
  g_assert_cmpuint (unet->time_embed_dim, ==, 4 * unet->model_channels);
  if (!single_file)
    {
      g_assert_cmpint (unet->upcast_attention, ==, json_object_get_boolean_member (expected, "upcast_attention"));
      g_assert_cmpuint (unet->sample_size, ==, member_uint (expected, "sample_size"));
    }
}

static void
assert_vae (const TesseraVaeConfig *vae,
            JsonObject             *expected,
            TesseraSdKeys           keys)
{
  g_assert_cmpint (vae->keys, ==, keys);
  g_assert_cmpuint (vae->in_channels, ==, member_uint (expected, "in_channels"));
  g_assert_cmpuint (vae->out_channels, ==, member_uint (expected, "out_channels"));
  g_assert_cmpuint (vae->channels, ==, member_uint (expected, "channels"));
  assert_uints (expected, "channel_mult", vae->channel_mult, vae->n_levels);
  g_assert_cmpuint (vae->num_res_blocks, ==, member_uint (expected, "num_res_blocks"));
  g_assert_cmpuint (vae->latent_channels, ==, member_uint (expected, "latent_channels"));
  g_assert_cmpfloat (vae->scaling_factor, ==, json_object_get_double_member (expected, "scaling_factor"));
}

static void
assert_text_encoder (const TesseraClipConfig *clip,
                     JsonObject              *expected,
                     gboolean                 single_file)
{
  g_assert_cmpuint (clip->width, ==, member_uint (expected, "width"));
  g_assert_cmpuint (clip->n_layers, ==, member_uint (expected, single_file ? "single_file_layers" : "layers"));
  /* diffusers' SD 2.x folders have the unused last layer removed */
  g_assert_cmpuint (clip->n_layers_used, ==, member_uint (expected, "layers_used"));
  g_assert_cmpuint (clip->n_heads, ==, member_uint (expected, "heads"));
  g_assert_cmpuint (clip->intermediate_size, ==, member_uint (expected, "intermediate_size"));
  g_assert_cmpuint (clip->vocab_size, ==, member_uint (expected, "vocab_size"));
  g_assert_cmpuint (clip->context_length, ==, member_uint (expected, "context_length"));
  g_assert_cmpstr (clip->quick_gelu ? "quick_gelu" : "gelu", ==,
                   json_object_get_string_member (expected, "activation"));
  g_assert_cmpuint (clip->pad_token_id, ==, member_uint (expected, "pad_token_id"));
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;

  g_file_get_contents (path, &contents, &size, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, size);
}

/* Every file and folder of data/sd against what the generator recorded. */
static void
test_recognised (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *models = load_record (&parser);
  g_autoptr(GList) names = json_object_get_members (models);
  guint n_checked = 0;

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *model = json_object_get_object_member (models, l->data);
      JsonObject *files = json_object_get_object_member (model, "files");
      g_autoptr(GList) file_names = json_object_get_members (files);

      for (GList *f = file_names; f != NULL; f = f->next)
        {
          JsonObject *record = json_object_get_object_member (files, f->data);
          JsonObject *params = json_object_get_object_member (record, "params");
          const char *kind = json_object_get_string_member (record, "kind");
          gboolean single_file = g_str_equal (kind, "single");
          g_autofree char *path = sd_path (f->data);
          g_autoptr(TesseraCheckpoint) checkpoint = NULL;
          const TesseraCheckpointConfig *config;
          const char *part_names[] = { "unet", "vae", "text_encoder" };

          if (g_str_equal (kind, "vae"))
            continue;

          g_test_message ("%s", (const char *) f->data);
          checkpoint = load_checkpoint (path);
          config = tessera_checkpoint_get_config (checkpoint);

          g_assert_cmpstr (tessera_checkpoint_family_to_string (tessera_checkpoint_get_family (checkpoint)), ==,
                           json_object_get_string_member (record, "family"));
          g_assert_cmpstr (tessera_prediction_to_string (tessera_checkpoint_get_prediction (checkpoint)), ==,
                           json_object_get_string_member (record, "prediction"));
          g_assert_cmpstr (tessera_checkpoint_get_format (checkpoint), ==,
                           single_file ? (g_str_has_suffix (path, ".ckpt") ? "pth" : "safetensors") : "diffusers");
          g_assert_cmpint (tessera_checkpoint_get_has_ema (checkpoint), ==,
                           json_object_has_member (record, "ema"));

          for (guint p = 0; p < G_N_ELEMENTS (part_names); p++)
            {
              gboolean has = json_object_has_member (params, part_names[p]);

              g_assert_cmpint (tessera_checkpoint_has_part (checkpoint, p), ==, has);
              g_assert_cmpuint (tessera_checkpoint_get_n_params (checkpoint, p), ==,
                                has ? member_uint (params, part_names[p]) : 0);
              if (has)
                g_assert_cmpstr (tessera_checkpoint_get_dtype (checkpoint, p), ==,
                                 json_object_get_string_member (record, "dtype"));
              else
                g_assert_null (tessera_checkpoint_get_dtype (checkpoint, p));
            }

          assert_unet (&config->unet, json_object_get_object_member (model, "unet"), single_file);
          if (tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_VAE))
            assert_vae (&config->vae, json_object_get_object_member (model, "vae"),
                        single_file ? TESSERA_SD_KEYS_LDM : TESSERA_SD_KEYS_DIFFUSERS);
          if (tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_TEXT_ENCODER))
            assert_text_encoder (&config->text_encoder, json_object_get_object_member (model, "text_encoder"),
                                 single_file);

          /* A1111's short hash: 10 digits of the file's SHA-256, as Python
           * and GLib compute it. */
          if (single_file)
            {
              g_autofree char *sha256 = file_sha256 (path);

              g_assert_cmpstr (sha256, ==, json_object_get_string_member (record, "sha256"));
              g_assert_cmpint (strlen (tessera_checkpoint_get_short_hash (checkpoint)), ==, 10);
              g_assert_true (g_str_has_prefix (sha256, tessera_checkpoint_get_short_hash (checkpoint)));
            }
          else
            g_assert_null (tessera_checkpoint_get_short_hash (checkpoint));

          n_checked++;
        }
    }

  g_assert_cmpuint (n_checked, ==, 6);
}

/* Each part's tensors under the names its config says, without prefix. */
static void
test_part_names (void)
{
  static const struct {
    const char            *file;
    TesseraCheckpointPart  part;
    const char            *name;
  } cases[] = {
    { "sd1.safetensors", TESSERA_CHECKPOINT_PART_UNET, "input_blocks.0.0.weight" },
    { "sd1.safetensors", TESSERA_CHECKPOINT_PART_VAE, "encoder.down.0.block.0.conv1.weight" },
    { "sd1.safetensors", TESSERA_CHECKPOINT_PART_TEXT_ENCODER, "embeddings.token_embedding.weight" },
    { "sd2.ckpt", TESSERA_CHECKPOINT_PART_TEXT_ENCODER, "transformer.resblocks.2.attn.in_proj_weight" },
    { "sd1", TESSERA_CHECKPOINT_PART_UNET, "conv_in.weight" },
    { "sd1", TESSERA_CHECKPOINT_PART_VAE, "encoder.down_blocks.0.resnets.0.conv1.weight" },
    { "sd2-v", TESSERA_CHECKPOINT_PART_TEXT_ENCODER, "encoder.layers.1.mlp.fc2.weight" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = sd_path (cases[i].file);
      g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint (path);
      TesseraStateDict *part = tessera_checkpoint_get_state_dict (checkpoint, cases[i].part);

      g_assert_nonnull (tessera_state_dict_lookup (part, cases[i].name));
      for (guint t = 0; t < tessera_state_dict_get_n_tensors (part); t++)
        {
          const char *name = tessera_state_dict_get_nth (part, t)->name;

          g_assert_false (g_str_has_prefix (name, "model.") || g_str_has_prefix (name, "first_stage_model.") ||
                          g_str_has_prefix (name, "cond_stage_model.") || g_str_has_prefix (name, "text_model."));
        }
    }
}

/* Of a file with EMA copies, the model.diffusion_model.* weights are used
 * (the generator made the EMA copy half of them). */
static void
test_ema (void)
{
  g_autofree char *path = sd_path ("micro/micro-sd1-ema.ckpt");
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint (path);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, NULL);
  g_autoptr(TesseraStateDict) whole = tessera_pth_load (bytes, NULL);
  TesseraStateDict *unet = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_UNET);
  const TesseraTensor *used = tessera_state_dict_lookup (unet, "input_blocks.0.0.weight");
  const TesseraTensor *model = tessera_state_dict_lookup (whole, "model.diffusion_model.input_blocks.0.0.weight");
  const TesseraTensor *ema = tessera_state_dict_lookup (whole, "model_ema.diffusion_modelinput_blocks00weight");
  g_autofree float *used_values = g_new (float, used->n_elements);
  g_autofree float *ema_values = g_new (float, ema->n_elements);

  g_assert_true (tessera_checkpoint_get_has_ema (checkpoint));
  g_assert_cmpmem (used->data, tessera_tensor_get_size (used), model->data, tessera_tensor_get_size (model));
  tessera_tensor_to_floats (used, used_values);
  tessera_tensor_to_floats (ema, ema_values);
  for (guint64 i = 0; i < used->n_elements; i++)
    g_assert_cmpfloat (ema_values[i], ==, 0.5f * used_values[i]);

  /* Nothing of the EMA copy counts in the UNet's parameters. */
  for (guint t = 0; t < tessera_state_dict_get_n_tensors (unet); t++)
    g_assert_false (g_str_has_prefix (tessera_state_dict_get_nth (unet, t)->name, "model_ema"));
}

static void
set_vae (TesseraCheckpoint  *checkpoint,
         const char         *relative,
         GError            **error)
{
  g_autofree char *path = sd_path (relative);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  tessera_checkpoint_set_vae_file (checkpoint, file, NULL, error);
}

/* A1111's SD VAE files: with or without first_stage_model., a diffusers
 * vae/ folder; the same network as the checkpoint's own, or latents of
 * the UNet's channels where it has none. */
static void
test_vae_file (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *models = load_record (&parser);
  JsonObject *sd1 = json_object_get_object_member (models, "sd1");
  JsonObject *vae_record = json_object_get_object_member (json_object_get_object_member (sd1, "files"), "sd1.vae.pt");
  g_autofree char *sd2_path = sd_path ("sd2.ckpt");
  g_autofree char *sd1_path = sd_path ("sd1.safetensors");
  g_autoptr(TesseraCheckpoint) sd2 = load_checkpoint (sd2_path);
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint (sd1_path);
  g_autoptr(GError) error = NULL;
  TesseraStateDict *own;

  g_assert_false (tessera_checkpoint_has_part (sd2, TESSERA_CHECKPOINT_PART_VAE));
  set_vae (sd2, "sd1.vae.pt", &error);
  g_assert_no_error (error);
  g_assert_true (tessera_checkpoint_has_part (sd2, TESSERA_CHECKPOINT_PART_VAE));
  g_assert_cmpuint (tessera_checkpoint_get_n_params (sd2, TESSERA_CHECKPOINT_PART_VAE), ==,
                    member_uint (json_object_get_object_member (vae_record, "params"), "vae"));
  g_assert_cmpstr (tessera_checkpoint_get_dtype (sd2, TESSERA_CHECKPOINT_PART_VAE), ==, "f32");
  assert_vae (&tessera_checkpoint_get_config (sd2)->vae, json_object_get_object_member (sd1, "vae"),
              TESSERA_SD_KEYS_LDM);
  g_assert_nonnull (tessera_checkpoint_get_vae_file (sd2));

  set_vae (sd2, "sd1/vae", &error);
  g_assert_no_error (error);
  assert_vae (&tessera_checkpoint_get_config (sd2)->vae, json_object_get_object_member (sd1, "vae"),
              TESSERA_SD_KEYS_DIFFUSERS);

  g_assert_true (tessera_checkpoint_set_vae_file (sd2, NULL, NULL, &error));
  g_assert_false (tessera_checkpoint_has_part (sd2, TESSERA_CHECKPOINT_PART_VAE));
  g_assert_null (tessera_checkpoint_get_vae_file (sd2));

  /* The same network as sd1's own, with the first_stage_model. prefix */
  own = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_VAE);
  set_vae (checkpoint, "sd1.vae.pt", &error);
  g_assert_no_error (error);
  g_assert_true (tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_VAE) != own);
  g_assert_cmpstr (tessera_checkpoint_get_dtype (checkpoint, TESSERA_CHECKPOINT_PART_VAE), ==, "f32");

  /* Another shape: refused naming the file, the checkpoint unchanged */
  set_vae (checkpoint, "micro/micro.vae.safetensors", &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "micro.vae.safetensors: "));
  g_assert_nonnull (strstr (error->message, "sd1"));
  g_clear_error (&error);
  g_assert_cmpstr (tessera_checkpoint_get_dtype (checkpoint, TESSERA_CHECKPOINT_PART_VAE), ==, "f32");

  /* Not a VAE at all */
  set_vae (checkpoint, "sd2.ckpt", &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, "sd2.ckpt: "));
}

/* A state dict with these names, each a one-element tensor, written as
 * safetensors. */
static char *
write_key_set (const char         *dir,
               const char         *name,
               const char * const *keys)
{
  static const float zero = 0.0f;
  g_autoptr(TesseraStateDict) state_dict = tessera_state_dict_new ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 1 };

  for (guint i = 0; keys[i] != NULL; i++)
    {
      tessera_state_dict_insert (state_dict, keys[i], TESSERA_DTYPE_F32, 1, shape, (const guint8 *) &zero, &error);
      g_assert_no_error (error);
    }

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  tessera_safetensors_write (state_dict, G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

#define UNET_IN "model.diffusion_model.input_blocks.0.0.weight"

/* The other families by their keys, refused naming them. */
static void
test_other_families (void)
{
  static const struct {
    const char *family;
    const char *keys[5];
  } cases[] = {
    { "SDXL", { UNET_IN, "model.diffusion_model.label_emb.0.0.weight",
                "conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight",
                "conditioner.embedders.1.model.ln_final.weight" } },
    { "SDXL refiner", { UNET_IN, "model.diffusion_model.label_emb.0.0.weight",
                        "conditioner.embedders.0.model.ln_final.weight" } },
    { "Stable Diffusion 3", { "model.diffusion_model.joint_blocks.0.context_block.attn.qkv.weight",
                              "text_encoders.clip_l.transformer.text_model.final_layer_norm.weight" } },
    { "Flux", { "double_blocks.0.img_attn.qkv.weight", "single_blocks.0.linear1.weight" } },
    { "Flux", { "model.diffusion_model.double_blocks.0.img_attn.qkv.weight" } },
    { "Stable Cascade", { "clip_txt_mapper.weight", "down_blocks.0.0.channelwise.0.weight" } },
    { "Stable Video Diffusion", { UNET_IN, "model.diffusion_model.input_blocks.1.0.time_stack.in_layers.0.weight" } },
    { "unCLIP", { UNET_IN, "embedder.model.ln_final.weight" } },
    { "LoRA", { "lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight" } },
    { "LoRA", { "unet.down_blocks.0.attentions.0.proj_in.lora_A.weight" } },
  };
  g_autofree char *dir = test_make_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("other-%u.safetensors", i);
      g_autofree char *path = write_key_set (dir, name, cases[i].keys);
      g_autoptr(GError) error = load_error (path);

      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, cases[i].family));
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* diffusers pipelines of other families, by model_index.json. */
static void
test_other_pipelines (void)
{
  static const struct {
    const char *class_name;
    const char *family;
  } cases[] = {
    { "StableDiffusionXLPipeline", "SDXL" },
    { "StableDiffusion3Pipeline", "Stable Diffusion 3" },
    { "FluxPipeline", "Flux" },
    { "StableCascadeDecoderPipeline", "Stable Cascade" },
    { "KandinskyV22Pipeline", "Kandinsky" },
    { "DanceDiffusionPipeline", "DanceDiffusionPipeline" },
  };
  g_autofree char *dir = test_make_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *folder = g_build_filename (dir, cases[i].class_name, NULL);
      g_autofree char *index = g_build_filename (folder, "model_index.json", NULL);
      g_autofree char *json = g_strdup_printf ("{\"_class_name\": \"%s\"}", cases[i].class_name);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
      g_file_set_contents (index, json, -1, &error);
      g_assert_no_error (error);
      error = load_error (folder);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_assert_nonnull (strstr (error->message, cases[i].family));
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static char *
copy_truncated (const char *dir,
                const char *relative,
                const char *name,
                gsize       keep)
{
  g_autofree char *source = sd_path (relative);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  gsize size;

  g_file_get_contents (source, &contents, &size, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, contents, MIN (keep, size), &error);
  g_assert_no_error (error);
  return path;
}

static void
link_into (const char *dir,
           const char *name,
           const char *relative)
{
  g_autofree char *target = sd_path (relative);
  g_autofree char *link = g_build_filename (dir, name, NULL);

  g_assert_cmpint (symlink (target, link), ==, 0);
}

/* Broken files and folders: clear errors that name them. */
static void
test_broken (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "no-unet", NULL);
  g_autofree char *wrong = g_build_filename (dir, "wrong-config", NULL);
  g_autofree char *wrong_unet = g_build_filename (wrong, "unet", NULL);
  g_autofree char *path = NULL;
  g_autofree char *vae = sd_path ("sd1.vae.pt");
  g_autofree char *upscaler = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.pth", NULL);
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;

  /* truncated: the safetensors header promises more than the file has,
   * the zip has lost its directory */
  path = copy_truncated (dir, "sd1.safetensors", "short.safetensors", 1000000);
  error = load_error (path);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_clear_error (&error);
  g_clear_pointer (&path, g_free);
  path = copy_truncated (dir, "sd2.ckpt", "short.ckpt", 1000000);
  error = load_error (path);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_clear_error (&error);

  /* a diffusers folder without its UNet */
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  link_into (folder, "model_index.json", "sd1/model_index.json");
  link_into (folder, "vae", "sd1/vae");
  link_into (folder, "text_encoder", "sd1/text_encoder");
  link_into (folder, "scheduler", "sd1/scheduler");
  error = load_error (folder);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "unet/"));
  g_clear_error (&error);

  /* a UNet config the weights do not fit */
  g_assert_cmpint (g_mkdir (wrong, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (wrong_unet, 0700), ==, 0);
  link_into (wrong, "model_index.json", "sd1/model_index.json");
  link_into (wrong_unet, "diffusion_pytorch_model.bin", "sd1/unet/diffusion_pytorch_model.bin");
  config = g_build_filename (wrong_unet, "config.json", NULL);
  g_file_set_contents (config, "{\"block_out_channels\": [64, 64], \"layers_per_block\": 2, "
                               "\"down_block_types\": [\"CrossAttnDownBlock2D\", \"DownBlock2D\"], "
                               "\"up_block_types\": [\"UpBlock2D\", \"CrossAttnUpBlock2D\"], "
                               "\"cross_attention_dim\": 32}", -1, &error);
  g_assert_no_error (error);
  error = load_error (wrong);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "conv_in.weight"));
  g_clear_error (&error);

  /* SD's keys, not its shapes */
  g_clear_pointer (&path, g_free);
  path = write_key_set (dir, "shapeless.safetensors", (const char *[]) { UNET_IN, NULL });
  error = load_error (path);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "the UNet: "));
  g_clear_error (&error);

  /* a VAE alone, an upscaler */
  error = load_error (vae);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  error = load_error (upscaler);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* The fuzz seeds stay what they are meant to be: the SD 1.x ones read
 * through, the OpenCLIP one as far as its UNet, too narrow for SD 2.x. */
static void
test_fuzz_seeds (void)
{
  static const char *readable[] = { "nano-sd1.safetensors", "nano-sd1.ckpt" };
  g_autofree char *sd2 = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-checkpoint", "nano-sd2.ckpt",
                                                NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (readable); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-checkpoint", readable[i],
                                                     NULL);
      g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint (path);

      g_assert_cmpint (tessera_checkpoint_get_family (checkpoint), ==, TESSERA_CHECKPOINT_FAMILY_SD1);
      g_assert_true (tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_VAE));
      g_assert_cmpuint (tessera_checkpoint_get_config (checkpoint)->text_encoder.vocab_size, ==, 16);
    }

  error = load_error (sd2);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "the UNet: "));
}

/* A training state that calls os.system is refused before anything runs. */
static void
test_evil (void)
{
  g_autofree char *path = sd_path ("evil-os-system.ckpt");
  const char *marker = "/tmp/tessera-checkpoint-pwned";
  g_autoptr(GError) error = NULL;

  g_unlink (marker);
  error = load_error (path);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (error->message, "posix.system"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

/* The globals of training states stand for inert objects: they can be
 * called once and given a state, never called again or run. */
static void
test_unpickler (void)
{
#define P(bytes) (const guint8 *) (bytes), sizeof (bytes) - 1
  static const struct {
    const guint8 *data;
    gsize         size;
    int           code;     /* 0: loads */
    PickleKind    kind;
  } cases[] = {
    /* numpy.dtype ("f8") with its state set, as numpy scalars pickle */
    { P ("\x80\x02" "cnumpy\ndtype\n" "X\x02\x00\x00\x00" "f8" "\x85" "R" "N" "b" "."), 0, PICKLE_OBJECT },
    /* _codecs.encode ("…", "latin1"): protocol 2's bytes */
    { P ("\x80\x02" "c_codecs\nencode\n" "X\x01\x00\x00\x00" "a" "X\x06\x00\x00\x00" "latin1" "\x86" "R" "."), 0,
      PICKLE_OBJECT },
    /* {ModelCheckpoint: {}}: a class as a dict key */
    { P ("\x80\x02" "}" "cpytorch_lightning.callbacks.model_checkpoint\nModelCheckpoint\n" "}" "s" "."), 0,
      PICKLE_DICT },
    { P ("\x80\x02" "c__builtin__\nset\n" "]" "\x85" "R" "."), 0, PICKLE_OBJECT },
    /* what a call made is not called in turn */
    { P ("\x80\x02" "cnumpy\ndtype\n" ")" "R" ")" "R" "."), TESSERA_ERROR_FORBIDDEN },
    /* Python 3's name for set is not among A1111's globals either */
    { P ("\x80\x02" "cbuiltins\nset\n" "]" "\x85" "R" "."), TESSERA_ERROR_FORBIDDEN },
    { P ("\x80\x02" "cposix\nsystem\n" "X\x02\x00\x00\x00" "id" "\x85" "R" "."), TESSERA_ERROR_FORBIDDEN },
  };
#undef P

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Unpickler) unpickler = unpickler_new ();
      g_autoptr(GError) error = NULL;
      PickleValue *value;
      gsize consumed;

      value = unpickler_load (unpickler, cases[i].data, cases[i].size, &consumed, &error);
      if (cases[i].code == 0)
        {
          g_assert_no_error (error);
          g_assert_cmpint (value->kind, ==, cases[i].kind);
          g_assert_cmpuint (consumed, ==, cases[i].size);
        }
      else
        {
          g_assert_null (value);
          g_assert_error (error, TESSERA_ERROR, cases[i].code);
        }
    }
}

/* @relative under another name in @dir, by a symbolic link. */
static TesseraCheckpoint *
load_as (const char *dir,
         const char *relative,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  link_into (dir, name, relative);
  return load_checkpoint (path);
}

/* sd2.ckpt's state dict with @extra, as a safetensors file. */
static char *
write_sd2_with (const char *dir,
                const char *name,
                const char *key,
                const char *metadata)
{
  static const float one = 1.0f;
  g_autofree char *source = sd_path ("sd2.ckpt");
  g_autoptr(GFile) source_file = g_file_new_for_path (source);
  g_autoptr(GBytes) bytes = g_file_load_bytes (source_file, NULL, NULL, NULL);
  g_autoptr(TesseraStateDict) state_dict = tessera_pth_load (bytes, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 shape[] = { 1 };

  if (key != NULL)
    tessera_state_dict_insert (state_dict, key, TESSERA_DTYPE_F32, 1, shape, (const guint8 *) &one, &error);
  if (metadata != NULL)
    tessera_state_dict_set_metadata (state_dict, "modelspec.prediction_type", metadata);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  tessera_safetensors_write (state_dict, G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
assert_prediction (TesseraCheckpoint       *checkpoint,
                   TesseraCheckpointFamily  family,
                   TesseraPrediction        prediction,
                   const char              *source)
{
  g_test_message ("%s: %s", tessera_checkpoint_get_name (checkpoint),
                  tessera_checkpoint_get_prediction_source (checkpoint));
  g_assert_cmpint (tessera_checkpoint_get_family (checkpoint), ==, family);
  g_assert_cmpint (tessera_checkpoint_get_prediction (checkpoint), ==, prediction);
  g_assert_nonnull (strstr (tessera_checkpoint_get_prediction_source (checkpoint), source));
}

/* What tells v-prediction, in order: the v_pred key, modelspec metadata,
 * a .yaml beside the file, the scheduler's config, A1111's old guess from
 * the name (SD 2.x only); otherwise ε. */
static void
test_prediction (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *with_key = write_sd2_with (dir, "with-key.safetensors", "v_pred", NULL);
  g_autofree char *with_metadata = write_sd2_with (dir, "with-metadata.safetensors", NULL, "v");
  g_autofree char *yaml = g_build_filename (dir, "beside.yaml", NULL);
  g_autofree char *eps_yaml = g_build_filename (dir, "eps-beside.yaml", NULL);
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;

  checkpoint = load_checkpoint (with_key);
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "v_pred");
  g_clear_object (&checkpoint);

  checkpoint = load_checkpoint (with_metadata);
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "modelspec");
  g_clear_object (&checkpoint);

  g_file_set_contents (yaml, "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n  params:\n"
                             "    parameterization: \"v\"  # 768-v\n    linear_start: 0.00085\n", -1, &error);
  g_assert_no_error (error);
  checkpoint = load_as (dir, "sd2.ckpt", "beside.ckpt");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "beside.yaml");
  g_clear_object (&checkpoint);

  /* A config without the key is latent-diffusion's default, eps, whatever
   * the name says. */
  g_file_set_contents (eps_yaml, "model:\n  params:\n    linear_start: 0.00085\n", -1, &error);
  g_assert_no_error (error);
  checkpoint = load_as (dir, "sd2.ckpt", "eps-beside.ckpt");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2, TESSERA_PREDICTION_EPSILON, "eps-beside.yaml");
  g_clear_object (&checkpoint);

  checkpoint = load_as (dir, "sd2.ckpt", "sd21-768-v.ckpt");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "name");
  g_clear_object (&checkpoint);

  checkpoint = load_as (dir, "sd2.ckpt", "v2-1_768-ema-pruned.ckpt");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "name");
  g_clear_object (&checkpoint);

  checkpoint = load_as (dir, "sd2.ckpt", "sd2-vae-baked.ckpt");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2, TESSERA_PREDICTION_EPSILON, "default");
  g_clear_object (&checkpoint);

  /* The name rule was A1111's for SD 2.x only. */
  checkpoint = load_as (dir, "sd1.safetensors", "sd1-v.safetensors");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD1, TESSERA_PREDICTION_EPSILON, "default");
  g_clear_object (&checkpoint);

  checkpoint = load_as (dir, "sd2-v", "folder-v");
  assert_prediction (checkpoint, TESSERA_CHECKPOINT_FAMILY_SD2_V, TESSERA_PREDICTION_V, "scheduler_config.json");

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
assert_noise (TesseraCheckpoint   *checkpoint,
              TesseraBetaSchedule  schedule,
              double               start,
              double               end,
              guint                n_timesteps)
{
  const TesseraNoiseConfig *noise = &tessera_checkpoint_get_config (checkpoint)->noise;

  g_assert_cmpint (noise->beta_schedule, ==, schedule);
  g_assert_cmpfloat (noise->beta_start, ==, start);
  g_assert_cmpfloat (noise->beta_end, ==, end);
  g_assert_cmpuint (noise->n_timesteps, ==, n_timesteps);
}

/* The training noise comes from the scheduler's config or the yaml beside
 * a single file; what Tessera cannot reproduce is refused by name. */
static void
test_noise_schedule (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "ddpm", NULL);
  g_autofree char *scheduler = g_build_filename (folder, "scheduler", NULL);
  g_autofree char *config = g_build_filename (scheduler, "scheduler_config.json", NULL);
  g_autofree char *yaml = g_build_filename (dir, "beside.yaml", NULL);
  g_autofree char *beside = g_build_filename (dir, "beside.safetensors", NULL);
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;

  checkpoint = load_as (dir, "sd1", "sd1-folder");
  assert_noise (checkpoint, TESSERA_BETA_SCALED_LINEAR, 0.00085, 0.012, 1000);
  g_clear_object (&checkpoint);
  checkpoint = load_as (dir, "sd1.safetensors", "plain.safetensors");
  assert_noise (checkpoint, TESSERA_BETA_SCALED_LINEAR, 0.00085, 0.012, 1000);
  g_clear_object (&checkpoint);

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (scheduler, 0700), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      static const char *parts[] = { "model_index.json", "unet", "vae", "text_encoder" };
      g_autofree char *target = g_build_filename ("sd1", parts[i], NULL);

      link_into (folder, parts[i], target);
    }
  g_file_set_contents (config, "{\"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02, "
                               "\"num_train_timesteps\": 500, \"trained_betas\": null}", -1, &error);
  g_assert_no_error (error);
  checkpoint = load_checkpoint (folder);
  assert_noise (checkpoint, TESSERA_BETA_LINEAR, 0.0001, 0.02, 500);
  g_clear_object (&checkpoint);

  g_file_set_contents (config, "{\"beta_schedule\": \"squaredcos_cap_v2\"}", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GFile) file = g_file_new_for_path (folder);

    checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
    g_assert_null (checkpoint);
  }
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "scheduler_config.json"));
  g_assert_nonnull (strstr (error->message, "squaredcos_cap_v2"));
  g_clear_error (&error);

  g_file_set_contents (yaml, "model:\n  params:\n    linear_start: 0.001\n    linear_end: 0.015 # ends\n"
                             "    timesteps: 800\n", -1, &error);
  g_assert_no_error (error);
  checkpoint = load_as (dir, "sd1.safetensors", "beside.safetensors");
  assert_noise (checkpoint, TESSERA_BETA_SCALED_LINEAR, 0.001, 0.015, 800);
  g_clear_object (&checkpoint);

  g_file_set_contents (yaml, "model:\n  params:\n    linear_end: lots\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GFile) file = g_file_new_for_path (beside);

    checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
    g_assert_null (checkpoint);
  }
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "beside.yaml"));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static char *
run_inspect (gboolean     json,
             const char  *path,
             int         *status,
             char       **err)
{
  const char *cli = g_getenv ("TESSERA_CLI");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              cli, "inspect", json ? "--json" : path, json ? path : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  return out;
}

/* tessera-cli inspect, in text and JSON. */
static void
test_inspect (void)
{
  g_autofree char *path = sd_path ("sd2.ckpt");
  g_autofree char *dir = NULL;
  g_autofree char *sdxl = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *sha256 = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object, *params, *hyperparameters;
  int status;

  if (g_getenv ("TESSERA_CLI") == NULL)
    {
      g_test_skip ("needs TESSERA_CLI");
      return;
    }

  text = run_inspect (FALSE, path, &status, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (text, "Stable Diffusion 2.x (sd2)"));
  g_assert_nonnull (strstr (text, "open-clip"));
  g_clear_pointer (&err, g_free);

  parser = test_inspect_json (path, &object);
  sha256 = file_sha256 (path);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "checkpoint");
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "pth");
  g_assert_cmpstr (json_object_get_string_member (object, "family"), ==, "sd2");
  g_assert_cmpstr (json_object_get_string_member (object, "prediction"), ==, "epsilon");
  g_assert_true (g_str_has_prefix (sha256, json_object_get_string_member (object, "hash")));
  params = json_object_get_object_member (object, "params");
  g_assert_cmpuint (json_object_get_int_member (params, "unet"), ==, 985444);
  g_assert_false (json_object_has_member (params, "vae"));
  hyperparameters = json_object_get_object_member (json_object_get_object_member (object, "hyperparameters"),
                                                   "text_encoder");
  g_assert_cmpint (json_object_get_int_member (hyperparameters, "layers_used"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (hyperparameters, "activation"), ==, "gelu");

  /* a refused family: one line naming it */
  dir = test_make_tmpdir ();
  sdxl = write_key_set (dir, "xl.safetensors",
                       (const char *[]) { UNET_IN, "conditioner.embedders.1.model.ln_final.weight", NULL });
  out = run_inspect (TRUE, sdxl, &status, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "xl.safetensors: a checkpoint of the SDXL family"));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tessera/checkpoints/recognised", test_recognised);
  g_test_add_func ("/tessera/checkpoints/part-names", test_part_names);
  g_test_add_func ("/tessera/checkpoints/ema", test_ema);
  g_test_add_func ("/tessera/checkpoints/vae-file", test_vae_file);
  g_test_add_func ("/tessera/checkpoints/other-families", test_other_families);
  g_test_add_func ("/tessera/checkpoints/other-pipelines", test_other_pipelines);
  g_test_add_func ("/tessera/checkpoints/broken", test_broken);
  g_test_add_func ("/tessera/checkpoints/fuzz-seeds", test_fuzz_seeds);
  g_test_add_func ("/tessera/checkpoints/evil", test_evil);
  g_test_add_func ("/tessera/checkpoints/unpickler", test_unpickler);
  g_test_add_func ("/tessera/checkpoints/prediction", test_prediction);
  g_test_add_func ("/tessera/checkpoints/noise-schedule", test_noise_schedule);
  g_test_add_func ("/tessera/checkpoints/inspect", test_inspect);

  return g_test_run ();
}
