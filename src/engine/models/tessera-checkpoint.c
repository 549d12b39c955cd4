/* tessera-checkpoint.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-checkpoint"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "diffusion/tessera-sd-private.h"
#include "formats/tessera-formats-private.h"
#include "tessera-checkpoint-private.h"

/**
 * TesseraCheckpoint:
 *
 * A Stable Diffusion 1.x or 2.x model: an A1111 or ComfyUI single file
 * (`.safetensors`, or a `.ckpt` read by the restricted unpickler) or a
 * diffusers folder (model_index.json, unet/, vae/, text_encoder/,
 * scheduler/). It tells the family, what the UNet predicts, and each
 * network's size and hyper-parameters; the weights stay in the files,
 * mapped.
 *
 * Of a single file that also holds EMA weights (`model_ema.*`), the
 * `model.diffusion_model.*` copy is used, as A1111 does; files
 * published "pruned" or "ema-only" already hold the EMA weights there.
 *
 * What the UNet predicts is written in few files. In this order: a
 * `v_pred` key (ComfyUI's mark), safetensors metadata
 * `modelspec.prediction_type`, a latent-diffusion config beside the file
 * with its name and `.yaml` (`parameterization: "v"`, as A1111 looks for
 * it), a diffusers folder's scheduler/scheduler_config.json
 * (`prediction_type`). Without any, A1111 runs the UNet once to tell SD
 * 2.x 768-v from 512; Tessera instead takes A1111's earlier guess, from
 * the file's name (`-v` as a word, or `v2-1_768`, for SD 2.x only), and
 * otherwise ε.
 */
struct _TesseraCheckpoint
{
  GObject                  parent_instance;

  GFile                   *file;
  char                    *name;
  const char              *format;
  GBytes                  *contents;     /* a single file's, for its hash */
  char                    *short_hash;
  TesseraPrediction        prediction;
  char                    *prediction_source;
  gboolean                 has_ema;
  TesseraStateDict        *parts[TESSERA_CHECKPOINT_N_PARTS];
  TesseraCheckpointConfig  config;

  /* the checkpoint's own VAE, which an A1111 "SD VAE" file replaces */
  TesseraStateDict        *own_vae;
  TesseraVaeConfig         own_vae_config;
  GFile                   *vae_file;
};

G_DEFINE_FINAL_TYPE (TesseraCheckpoint, tessera_checkpoint, G_TYPE_OBJECT)

/* Configs are small; a larger one is something else. */
#define MAX_CONFIG_SIZE (4 * 1024 * 1024)
#define MAX_CONFIG_DEPTH 32

static void
tessera_checkpoint_finalize (GObject *object)
{
  TesseraCheckpoint *self = (TesseraCheckpoint *) object;

  g_clear_object (&self->file);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_clear_pointer (&self->short_hash, g_free);
  g_clear_pointer (&self->prediction_source, g_free);
  for (guint i = 0; i < TESSERA_CHECKPOINT_N_PARTS; i++)
    g_clear_pointer (&self->parts[i], tessera_state_dict_unref);
  g_clear_pointer (&self->own_vae, tessera_state_dict_unref);
  g_clear_object (&self->vae_file);

  G_OBJECT_CLASS (tessera_checkpoint_parent_class)->finalize (object);
}

static void
tessera_checkpoint_class_init (TesseraCheckpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_checkpoint_finalize;
}

static void
tessera_checkpoint_init (TesseraCheckpoint *self)
{
  /* SD 1.x and 2.x's: LDM's "linear" from 0.00085 to 0.012 over 1000
   * steps, which diffusers calls scaled_linear */
  self->config.noise.beta_schedule = TESSERA_BETA_SCALED_LINEAR;
  self->config.noise.beta_start = 0.00085;
  self->config.noise.beta_end = 0.012;
  self->config.noise.n_timesteps = 1000;
}

/* A state dict from a .safetensors or PyTorch file; @format says which.
 * Errors name the file. */
static TesseraStateDict *
load_weights (GFile         *file,
              GBytes       **contents_out,
              const char   **format,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *basename = tessera_file_dup_display_name (file);
  g_autoptr(GBytes) contents = tessera_file_map (file, cancellable, error);
  g_autoptr(GError) local_error = NULL;
  const TesseraFormatEntry *entry;
  TesseraStateDict *state_dict;

  if (contents == NULL)
    return NULL;

  if (g_bytes_get_size (contents) == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: the file is empty"), basename);
      return NULL;
    }

  entry = tessera_format_sniff (contents);
  if (entry == NULL || (entry->format != TESSERA_MODEL_FORMAT_SAFETENSORS && entry->format != TESSERA_MODEL_FORMAT_PTH))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("%s: not a checkpoint Tessera reads (.safetensors, .ckpt)"), basename);
      return NULL;
    }

  state_dict = entry->load (contents, NULL, basename, &local_error);
  if (state_dict == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", basename);
      return NULL;
    }

  if (format != NULL)
    *format = entry->id;
  if (contents_out != NULL)
    *contents_out = g_steal_pointer (&contents);
  return state_dict;
}

/* A JSON object from a small file; %NULL without an error when the file
 * does not exist and @optional. */
static JsonParser *
read_config (GFile         *file,
             gboolean       optional,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  gsize size;

  if (!g_file_load_contents (file, cancellable, &data, &size, NULL, &local_error))
    {
      if (optional && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return NULL;
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }

  if (size > MAX_CONFIG_SIZE || !tessera_json_nesting_fits (data, size, MAX_CONFIG_DEPTH) ||
      !json_parser_load_from_data (parser, data, size, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: not a JSON object%s%s"), name,
                   local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }

  return g_steal_pointer (&parser);
}

static JsonObject *
config_object (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

static gboolean
is_folder (GFile        *file,
           GCancellable *cancellable)
{
  return g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, cancellable) == G_FILE_TYPE_DIRECTORY;
}

static gboolean
has_folder (GFile        *folder,
            const char   *name,
            GCancellable *cancellable)
{
  g_autoptr(GFile) child = g_file_get_child (folder, name);

  return is_folder (child, cancellable);
}

/* A diffusers component: @folder/@part/config.json and its weights, as
 * save_pretrained writes them (safetensors first, then PyTorch's .bin,
 * then the fp16 variants). */
static gboolean
load_component (GFile              *folder,
                const char         *part,
                JsonParser        **config,
                TesseraStateDict  **state_dict,
                GCancellable       *cancellable,
                GError            **error)
{
  static const char * const weights[] = {
    "diffusion_pytorch_model.safetensors", "model.safetensors",
    "diffusion_pytorch_model.bin", "pytorch_model.bin",
    "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors",
    "diffusion_pytorch_model.fp16.bin", "pytorch_model.fp16.bin",
  };
  g_autoptr(GFile) component = g_file_get_child (folder, part);
  g_autoptr(GFile) config_file = g_file_get_child (component, "config.json");
  g_autofree char *folder_name = tessera_file_dup_display_name (folder);

  *config = read_config (config_file, FALSE, cancellable, error);
  if (*config == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    {
      g_autoptr(GFile) file = g_file_get_child (component, weights[i]);

      if (g_file_query_exists (file, cancellable))
        {
          *state_dict = load_weights (file, NULL, NULL, cancellable, error);
          return *state_dict != NULL;
        }
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
               _("%s/%s: no weights (diffusion_pytorch_model.safetensors or .bin, model.safetensors, "
                 "pytorch_model.bin)"), folder_name, part);
  return FALSE;
}

static void
prefix_part_error (GError     **error,
                   GFile       *file,
                   const char  *part)
{
  g_autofree char *name = tessera_file_dup_display_name (file);

  g_prefix_error (error, "%s: %s: ", name, part);
}

/* Hugging Face's CLIPTextModel names begin with text_model. */
static TesseraStateDict *
strip_text_model (TesseraStateDict *state_dict)
{
  if (tessera_state_dict_lookup (state_dict, "text_model.embeddings.token_embedding.weight") != NULL)
    return tessera_state_dict_extract (state_dict, "text_model.", NULL);
  return tessera_state_dict_ref (state_dict);
}

/* tokenizer/special_tokens_map.json's pad token, where it is one of the
 * two Stable Diffusion pads with. */
static void
read_pad_token (TesseraCheckpoint *self,
                GCancellable      *cancellable)
{
  g_autoptr(GFile) file = g_file_resolve_relative_path (self->file, "tokenizer/special_tokens_map.json");
  g_autoptr(JsonParser) parser = read_config (file, TRUE, cancellable, NULL);
  JsonNode *pad;
  const char *token = NULL;

  if (parser == NULL || (pad = json_object_get_member (config_object (parser), "pad_token")) == NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE (pad))
    token = json_node_get_string (pad);
  else if (JSON_NODE_HOLDS_OBJECT (pad))
    token = tessera_sd_config_string (json_node_get_object (pad), "content", NULL);

  if (g_strcmp0 (token, "<|endoftext|>") == 0)
    self->config.text_encoder.pad_token_id = 49407;
  else if (g_strcmp0 (token, "!") == 0)
    self->config.text_encoder.pad_token_id = 0;
}

/* The training noise of a diffusers scheduler config. Only the βs the
 * config describes count: trained_betas lists would need the whole list. */
static gboolean
read_noise_schedule (TesseraCheckpoint  *self,
                     JsonObject         *config,
                     GFile              *file,
                     GError            **error)
{
  TesseraNoiseConfig *noise = &self->config.noise;
  const char *schedule = tessera_sd_config_string (config, "beta_schedule", "linear");
  g_autoptr(GError) local_error = NULL;

  if (g_str_equal (schedule, "scaled_linear"))
    noise->beta_schedule = TESSERA_BETA_SCALED_LINEAR;
  else if (g_str_equal (schedule, "linear"))
    noise->beta_schedule = TESSERA_BETA_LINEAR;
  else
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: the noise schedule “%s” is not supported; Tessera knows linear and scaled_linear"),
                   name, schedule);
      return FALSE;
    }
  if (tessera_sd_config_is_set (config, "trained_betas"))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: trained_betas are not supported"), name);
      return FALSE;
    }
  /* diffusers' own defaults for a key the config leaves out */
  if (!tessera_sd_config_double (config, "beta_start", 0.0001, &noise->beta_start, &local_error) ||
      !tessera_sd_config_double (config, "beta_end", 0.02, &noise->beta_end, &local_error) ||
      !tessera_sd_config_uint (config, "num_train_timesteps", 1000, &noise->n_timesteps, &local_error))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, "%s: %s", name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_scheduler (TesseraCheckpoint  *self,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GFile) file = g_file_resolve_relative_path (self->file, "scheduler/scheduler_config.json");
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = read_config (file, TRUE, cancellable, &local_error);
  const char *type;

  if (parser == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      self->prediction = TESSERA_PREDICTION_EPSILON;
      self->prediction_source = g_strdup (_("the default: the folder has no scheduler/scheduler_config.json"));
      return TRUE;
    }

  if (!read_noise_schedule (self, config_object (parser), file, error))
    return FALSE;

  type = tessera_sd_config_string (config_object (parser), "prediction_type", "epsilon");
  if (g_str_equal (type, "epsilon"))
    self->prediction = TESSERA_PREDICTION_EPSILON;
  else if (g_str_equal (type, "v_prediction"))
    self->prediction = TESSERA_PREDICTION_V;
  else
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: the UNet predicts “%s”; Tessera runs ε- and v-prediction models"), name, type);
      return FALSE;
    }

  self->prediction_source = g_strdup ("scheduler/scheduler_config.json");
  return TRUE;
}

static gboolean
load_folder (TesseraCheckpoint  *self,
             GCancellable       *cancellable,
             GError            **error)
{
  g_autoptr(GFile) index_file = g_file_get_child (self->file, "model_index.json");
  g_autoptr(JsonParser) index = NULL;
  g_autoptr(JsonParser) unet_json = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = tessera_file_dup_display_name (self->file);
  const char *class_name;

  self->format = "diffusers";
  index = read_config (index_file, TRUE, cancellable, &local_error);
  if (index == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                     _("%s: not a diffusers folder (it has no model_index.json)"), name);
      return FALSE;
    }

  class_name = tessera_sd_config_string (config_object (index), "_class_name", "");
  if (!tessera_sd_check_pipeline_class (class_name, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return FALSE;
    }

  if (!has_folder (self->file, "unet", cancellable))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the folder has no unet/ (a diffusers pipeline keeps its UNet there)"), name);
      return FALSE;
    }

  if (!load_component (self->file, "unet", &unet_json, &self->parts[TESSERA_CHECKPOINT_PART_UNET], cancellable, error))
    return FALSE;
  if (!tessera_unet_config_from_diffusers (config_object (unet_json), self->parts[TESSERA_CHECKPOINT_PART_UNET],
                                           &self->config.unet, error))
    {
      prefix_part_error (error, self->file, "unet");
      return FALSE;
    }

  if (has_folder (self->file, "vae", cancellable))
    {
      g_autoptr(JsonParser) vae_json = NULL;

      if (!load_component (self->file, "vae", &vae_json, &self->parts[TESSERA_CHECKPOINT_PART_VAE], cancellable, error))
        return FALSE;
      if (!tessera_vae_config_from_diffusers (config_object (vae_json), self->parts[TESSERA_CHECKPOINT_PART_VAE],
                                              &self->config.vae, error))
        {
          prefix_part_error (error, self->file, "vae");
          return FALSE;
        }
    }

  if (has_folder (self->file, "text_encoder", cancellable))
    {
      g_autoptr(JsonParser) clip_json = NULL;
      g_autoptr(TesseraStateDict) weights = NULL;

      if (!load_component (self->file, "text_encoder", &clip_json, &weights, cancellable, error))
        return FALSE;
      self->parts[TESSERA_CHECKPOINT_PART_TEXT_ENCODER] = strip_text_model (weights);
      if (!tessera_clip_config_from_diffusers (config_object (clip_json),
                                               self->parts[TESSERA_CHECKPOINT_PART_TEXT_ENCODER],
                                               &self->config.text_encoder, error))
        {
          prefix_part_error (error, self->file, "text_encoder");
          return FALSE;
        }
      read_pad_token (self, cancellable);
    }

  /* SD 2.x: OpenCLIP's gelu, or without a text encoder the UNet's linear
   * projections. */
  if (self->parts[TESSERA_CHECKPOINT_PART_TEXT_ENCODER] != NULL)
    self->config.version = self->config.text_encoder.quick_gelu ? TESSERA_SD_VERSION_1 : TESSERA_SD_VERSION_2;
  else
    self->config.version = self->config.unet.use_linear_projection ? TESSERA_SD_VERSION_2 : TESSERA_SD_VERSION_1;

  return read_scheduler (self, cancellable, error);
}

/* A scalar of a latent-diffusion config, whose keys of interest each
 * appear once, under model.params: reading them needs no YAML parser.
 * Returns: (nullable): the value, its quotes and comment removed, in
 * @lines' own memory */
static const char *
yaml_scalar (char       **lines,
             const char  *key)
{
  gsize key_length = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *value;
      gsize length;

      if (strncmp (line, key, key_length) != 0 || line[key_length] != ':')
        continue;
      if (strchr (line, '#') != NULL)
        *strchr (line, '#') = '\0';
      value = g_strstrip (line + key_length + 1);
      length = strlen (value);
      if (length >= 2 && (value[0] == '"' || value[0] == '\'') && value[length - 1] == value[0])
        {
          value[length - 1] = '\0';
          value++;
        }
      return value;
    }
  return NULL;
}

static gboolean
yaml_number (char        **lines,
             const char   *key,
             double        minimum,
             double        maximum,
             double       *number,
             const char   *yaml_name,
             GError      **error)
{
  const char *value = yaml_scalar (lines, key);
  char *end;
  double parsed;

  if (value == NULL)
    return TRUE;
  parsed = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !(parsed >= minimum && parsed <= maximum))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: %s is “%s”, not a number between %g and %g"), yaml_name, key, value,
                   minimum, maximum);
      return FALSE;
    }
  *number = parsed;
  return TRUE;
}

/* A latent-diffusion config beside @file (its name with .yaml): its
 * `parameterization` ("eps" when it has none) and its noise schedule. */
static gboolean
read_yaml_beside (TesseraCheckpoint  *self,
                  gboolean           *found,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autofree char *basename = g_file_get_basename (self->file);
  g_autofree char *yaml_name = NULL;
  g_autoptr(GFile) parent = g_file_get_parent (self->file);
  g_autoptr(GFile) yaml = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  const char *dot = strrchr (basename, '.');
  const char *parameterization;
  const char *schedule;
  TesseraNoiseConfig *noise = &self->config.noise;
  double timesteps = noise->n_timesteps;
  gsize size;

  *found = FALSE;
  if (parent == NULL)
    return TRUE;

  yaml_name = g_strdup_printf ("%.*s.yaml", dot ? (int) (dot - basename) : (int) strlen (basename), basename);
  yaml = g_file_get_child (parent, yaml_name);
  if (!g_file_load_contents (yaml, cancellable, &data, &size, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      tessera_file_set_io_error (error, yaml, local_error);
      return FALSE;
    }

  lines = g_strsplit (size <= MAX_CONFIG_SIZE ? data : "", "\n", -1);
  parameterization = yaml_scalar (lines, "parameterization");
  if (parameterization == NULL || g_str_equal (parameterization, "eps"))
    self->prediction = TESSERA_PREDICTION_EPSILON;
  else if (g_str_equal (parameterization, "v"))
    self->prediction = TESSERA_PREDICTION_V;
  else
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: parameterization “%s”; Tessera runs ε- and v-prediction models"), yaml_name,
                   parameterization);
      return FALSE;
    }

  /* latent-diffusion's "linear" spaces the βs' square roots evenly */
  schedule = yaml_scalar (lines, "beta_schedule");
  if (schedule != NULL && !g_str_equal (schedule, "linear"))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: the noise schedule “%s” is not supported; Tessera knows linear"), yaml_name,
                   schedule);
      return FALSE;
    }
  if (!yaml_number (lines, "linear_start", 1e-8, 0.5, &noise->beta_start, yaml_name, error) ||
      !yaml_number (lines, "linear_end", 1e-8, 0.5, &noise->beta_end, yaml_name, error) ||
      !yaml_number (lines, "timesteps", 2, 100000, &timesteps, yaml_name, error))
    return FALSE;
  noise->n_timesteps = (guint) timesteps;

  *found = TRUE;
  self->prediction_source = g_strdup_printf (_("%s beside it"), yaml_name);
  return TRUE;
}

/* See the class's documentation for the order. */
static gboolean
decide_prediction (TesseraCheckpoint  *self,
                   TesseraSdLayout    *layout,
                   TesseraStateDict   *state_dict,
                   GCancellable       *cancellable,
                   GError            **error)
{
  const char *modelspec = tessera_state_dict_get_metadata (state_dict, "modelspec.prediction_type");
  g_autofree char *basename = g_file_get_basename (self->file);
  gboolean found;

  if (layout->has_v_pred_key)
    {
      self->prediction = TESSERA_PREDICTION_V;
      self->prediction_source = g_strdup (_("the file’s v_pred key"));
      return TRUE;
    }

  if (modelspec != NULL && (g_str_equal (modelspec, "v") || g_str_equal (modelspec, "epsilon")))
    {
      self->prediction = g_str_equal (modelspec, "v") ? TESSERA_PREDICTION_V : TESSERA_PREDICTION_EPSILON;
      self->prediction_source = g_strdup (_("the file’s modelspec.prediction_type"));
      return TRUE;
    }

  if (!read_yaml_beside (self, &found, cancellable, error))
    return FALSE;
  if (found)
    return TRUE;

  if (layout->version == TESSERA_SD_VERSION_2 &&
      (g_regex_match_simple ("-v\\b", basename, 0, 0) || strstr (basename, "v2-1_768") != NULL))
    {
      self->prediction = TESSERA_PREDICTION_V;
      self->prediction_source = g_strdup (_("guessed from the file’s name, as A1111 once did"));
      return TRUE;
    }

  self->prediction = TESSERA_PREDICTION_EPSILON;
  self->prediction_source = g_strdup (_("the default: nothing in or beside the file says v-prediction"));
  return TRUE;
}

static gboolean
load_single (TesseraCheckpoint  *self,
             GCancellable       *cancellable,
             GError            **error)
{
  g_autoptr(TesseraStateDict) state_dict = NULL;
  g_auto(TesseraSdSingleFile) single = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autofree char *basename = tessera_file_dup_display_name (self->file);

  state_dict = load_weights (self->file, &self->contents, &self->format, cancellable, error);
  if (state_dict == NULL)
    return FALSE;

  if (!tessera_sd_read_single_file (state_dict, &single, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", basename);
      return FALSE;
    }

  self->config.version = single.layout.version;
  self->config.unet = single.unet_config;
  self->config.vae = single.vae_config;
  self->config.text_encoder = single.clip_config;
  self->has_ema = single.layout.has_ema;
  self->parts[TESSERA_CHECKPOINT_PART_UNET] = g_steal_pointer (&single.unet);
  self->parts[TESSERA_CHECKPOINT_PART_VAE] = g_steal_pointer (&single.vae);
  self->parts[TESSERA_CHECKPOINT_PART_TEXT_ENCODER] = g_steal_pointer (&single.clip);

  return decide_prediction (self, &single.layout, state_dict, cancellable, error);
}

/* The networks must fit together: the VAE's latents are the UNet's, the
 * text encoder's states its context. */
static gboolean
check_parts_fit (TesseraCheckpoint  *self,
                 GError            **error)
{
  const TesseraCheckpointConfig *config = &self->config;
  g_autofree char *name = tessera_file_dup_display_name (self->file);

  if (self->parts[TESSERA_CHECKPOINT_PART_VAE] != NULL && config->vae.latent_channels != config->unet.out_channels)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the VAE’s latents have %u channels where the UNet’s have %u"), name,
                   config->vae.latent_channels, config->unet.out_channels);
      return FALSE;
    }

  if (self->parts[TESSERA_CHECKPOINT_PART_TEXT_ENCODER] != NULL &&
      config->text_encoder.width != config->unet.context_dim)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the text encoder is %u wide where the UNet attends to %u"), name,
                   config->text_encoder.width, config->unet.context_dim);
      return FALSE;
    }

  return TRUE;
}

static char *
display_name (GFile *file)
{
  g_autofree char *basename = tessera_file_dup_display_name (file);
  const char * const *extensions = tessera_format_list_extensions ();

  for (guint i = 0; extensions[i] != NULL; i++)
    if (g_str_has_suffix (basename, extensions[i]) && strlen (basename) > strlen (extensions[i]))
      return g_strndup (basename, strlen (basename) - strlen (extensions[i]));

  return g_steal_pointer (&basename);
}

/**
 * tessera_checkpoint_new_from_file:
 * @file: a `.safetensors` or `.ckpt` single file, or a diffusers folder
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads a Stable Diffusion checkpoint and recognises its family from its
 * keys and shapes (or its configs). Nothing in the file is executed.
 * Files of other families are refused naming them; a file that is no
 * checkpoint at all gives %TESSERA_ERROR_UNKNOWN_FORMAT.
 *
 * Returns: (transfer full): the checkpoint, or %NULL with an error that
 *   names the file and the cause
 */
TesseraCheckpoint *
tessera_checkpoint_new_from_file (GFile         *file,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(TesseraCheckpoint) self = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (TESSERA_TYPE_CHECKPOINT, NULL);
  self->file = g_object_ref (file);
  self->name = display_name (file);

  if (is_folder (file, cancellable) ? !load_folder (self, cancellable, error) : !load_single (self, cancellable, error))
    return NULL;

  if (!check_parts_fit (self, error))
    return NULL;

  if (self->parts[TESSERA_CHECKPOINT_PART_VAE] != NULL)
    {
      self->own_vae = tessera_state_dict_ref (self->parts[TESSERA_CHECKPOINT_PART_VAE]);
      self->own_vae_config = self->config.vae;
    }

  return g_steal_pointer (&self);
}

/* An A1111 VAE file (its keys with or without first_stage_model.), or a
 * diffusers vae/ folder. */
static TesseraStateDict *
load_vae (GFile             *file,
          TesseraVaeConfig  *config,
          GCancellable      *cancellable,
          GError           **error)
{
  g_autofree char *name = tessera_file_dup_display_name (file);
  g_autoptr(TesseraStateDict) state_dict = NULL;
  g_autoptr(TesseraStateDict) vae = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *prefix;

  if (is_folder (file, cancellable))
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *basename = g_file_get_basename (file);
      g_autoptr(JsonParser) json = NULL;

      if (parent == NULL || !load_component (parent, basename, &json, &vae, cancellable, error))
        return NULL;
      if (!tessera_vae_config_from_diffusers (config_object (json), vae, config, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
          return NULL;
        }
      return g_steal_pointer (&vae);
    }

  state_dict = load_weights (file, NULL, NULL, cancellable, error);
  if (state_dict == NULL)
    return NULL;

  if (!tessera_sd_is_vae (state_dict, &prefix))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("%s: not a VAE (it has no encoder.conv_in and decoder.conv_in)"), name);
      return NULL;
    }

  vae = tessera_state_dict_extract (state_dict, prefix, prefix[0] == '\0' ? tessera_sd_vae_file_except : NULL);
  if (!tessera_vae_config_from_ldm (vae, config, &local_error))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return NULL;
    }

  return g_steal_pointer (&vae);
}

/**
 * tessera_checkpoint_set_vae_file:
 * @file: (nullable): A1111's "SD VAE": a `.vae.pt`, `.vae.safetensors` or
 *   any VAE file or diffusers vae/ folder; %NULL for the checkpoint's own
 *
 * Uses another VAE than the checkpoint's own, as A1111's SD VAE setting
 * does, or the only one where the checkpoint has none. It must be the
 * same network as the checkpoint's own VAE, or where there is none, make
 * latents of the UNet's channels.
 *
 * Returns: %TRUE, or %FALSE with an error naming @file, the checkpoint
 *   unchanged
 */
gboolean
tessera_checkpoint_set_vae_file (TesseraCheckpoint  *self,
                                 GFile              *file,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  g_autoptr(TesseraStateDict) vae = NULL;
  g_autofree char *difference = NULL;
  TesseraVaeConfig config;

  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), FALSE);
  g_return_val_if_fail (file == NULL || G_IS_FILE (file), FALSE);

  if (file == NULL)
    {
      g_clear_pointer (&self->parts[TESSERA_CHECKPOINT_PART_VAE], tessera_state_dict_unref);
      if (self->own_vae != NULL)
        self->parts[TESSERA_CHECKPOINT_PART_VAE] = tessera_state_dict_ref (self->own_vae);
      self->config.vae = self->own_vae_config;
      g_clear_object (&self->vae_file);
      return TRUE;
    }

  vae = load_vae (file, &config, cancellable, error);
  if (vae == NULL)
    return FALSE;

  if (self->own_vae != NULL)
    difference = tessera_vae_config_difference (&config, &self->own_vae_config);
  else if (config.latent_channels != self->config.unet.out_channels)
    difference = g_strdup_printf (_("its latents have %u channels where the UNet’s have %u"),
                                  config.latent_channels, self->config.unet.out_channels);

  if (difference != NULL)
    {
      g_autofree char *name = tessera_file_dup_display_name (file);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("%s: this VAE does not fit %s: %s"), name, self->name, difference);
      return FALSE;
    }

  g_clear_pointer (&self->parts[TESSERA_CHECKPOINT_PART_VAE], tessera_state_dict_unref);
  self->parts[TESSERA_CHECKPOINT_PART_VAE] = g_steal_pointer (&vae);
  self->config.vae = config;
  g_set_object (&self->vae_file, file);
  return TRUE;
}

GFile *
tessera_checkpoint_get_file (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return self->file;
}

/**
 * tessera_checkpoint_get_vae_file:
 *
 * Returns: (nullable) (transfer none): the VAE file in use instead of the
 *   checkpoint's own, if one was set
 */
GFile *
tessera_checkpoint_get_vae_file (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return self->vae_file;
}

/**
 * tessera_checkpoint_get_name:
 *
 * Returns: the file's name without its extension, or the folder's name
 */
const char *
tessera_checkpoint_get_name (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return self->name;
}

/**
 * tessera_checkpoint_get_format:
 *
 * Returns: `safetensors`, `pth` (a `.ckpt`) or `diffusers` (a folder)
 */
const char *
tessera_checkpoint_get_format (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return self->format;
}

TesseraCheckpointFamily
tessera_checkpoint_get_family (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), TESSERA_CHECKPOINT_FAMILY_SD1);

  if (self->config.version == TESSERA_SD_VERSION_1)
    return TESSERA_CHECKPOINT_FAMILY_SD1;
  return self->prediction == TESSERA_PREDICTION_V ? TESSERA_CHECKPOINT_FAMILY_SD2_V : TESSERA_CHECKPOINT_FAMILY_SD2;
}

/**
 * tessera_checkpoint_get_prediction:
 *
 * Returns: what the UNet predicts; SD 1.x fine-tunes with a `v_pred` key
 *   or config predict v too, and stay %TESSERA_CHECKPOINT_FAMILY_SD1
 */
TesseraPrediction
tessera_checkpoint_get_prediction (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), TESSERA_PREDICTION_EPSILON);

  return self->prediction;
}

/**
 * tessera_checkpoint_get_prediction_source:
 *
 * Returns: what told the prediction type, for a person: a key or config
 *   of the file, or the default
 */
const char *
tessera_checkpoint_get_prediction_source (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return self->prediction_source;
}

gboolean
tessera_checkpoint_has_part (TesseraCheckpoint     *self,
                             TesseraCheckpointPart  part)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), FALSE);
  g_return_val_if_fail (part < TESSERA_CHECKPOINT_N_PARTS, FALSE);

  return self->parts[part] != NULL;
}

/**
 * tessera_checkpoint_get_n_params:
 *
 * Returns: the part's parameters, as PyTorch counts them (the floating
 *   tensors: not CLIP's position_ids), or 0 without the part
 */
guint64
tessera_checkpoint_get_n_params (TesseraCheckpoint     *self,
                                 TesseraCheckpointPart  part)
{
  TesseraStateDict *state_dict;
  guint64 n = 0;

  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), 0);
  g_return_val_if_fail (part < TESSERA_CHECKPOINT_N_PARTS, 0);

  if ((state_dict = self->parts[part]) == NULL)
    return 0;

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (state_dict); i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (state_dict, i);

      if (tessera_dtype_is_float (tensor->dtype))
        n += tensor->n_elements;
    }

  return n;
}

/**
 * tessera_checkpoint_get_dtype:
 *
 * Returns: (nullable): the precision most of the part's weights are stored
 *   in: `f32`, `f16`, `bf16` or `f64`; %NULL without the part
 */
const char *
tessera_checkpoint_get_dtype (TesseraCheckpoint     *self,
                              TesseraCheckpointPart  part)
{
  static const char *names[] = {
    [TESSERA_DTYPE_F32] = "f32",
    [TESSERA_DTYPE_F16] = "f16",
    [TESSERA_DTYPE_BF16] = "bf16",
    [TESSERA_DTYPE_F64] = "f64",
  };
  guint64 per_dtype[G_N_ELEMENTS (names)] = { 0 };
  TesseraStateDict *state_dict;
  guint most = TESSERA_DTYPE_F32;

  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);
  g_return_val_if_fail (part < TESSERA_CHECKPOINT_N_PARTS, NULL);

  if ((state_dict = self->parts[part]) == NULL)
    return NULL;

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (state_dict); i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (state_dict, i);

      if (tensor->dtype < G_N_ELEMENTS (names) && names[tensor->dtype] != NULL)
        per_dtype[tensor->dtype] += tensor->n_elements;
    }

  for (guint d = 0; d < G_N_ELEMENTS (names); d++)
    if (per_dtype[d] > per_dtype[most])
      most = d;

  return names[most];
}

/**
 * tessera_checkpoint_get_has_ema:
 *
 * Returns: whether a single file also holds EMA weights (`model_ema.*`),
 *   which are not used
 */
gboolean
tessera_checkpoint_get_has_ema (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), FALSE);

  return self->has_ema;
}

/**
 * tessera_checkpoint_get_short_hash:
 *
 * A1111's "Model hash": the first 10 hexadecimal digits of the whole
 * file's SHA-256. The first call reads the whole file.
 *
 * Returns: (nullable): the hash, or %NULL for a diffusers folder, which
 *   A1111 does not hash
 */
const char *
tessera_checkpoint_get_short_hash (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  if (self->short_hash == NULL && self->contents != NULL)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      gsize size;
      const guint8 *data = g_bytes_get_data (self->contents, &size);

      /* g_checksum_update() takes a gssize */
      for (gsize done = 0; done < size;)
        {
          gsize chunk = MIN (size - done, (gsize) 1 << 30);

          g_checksum_update (checksum, data + done, chunk);
          done += chunk;
        }
      self->short_hash = g_strndup (g_checksum_get_string (checksum), 10);
    }

  return self->short_hash;
}

static GVariant *
uint_array (const guint *values,
            guint        n)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("au"));
  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "u", values[i]);
  return g_variant_builder_end (&builder);
}

static const char *
keys_to_string (TesseraSdKeys keys)
{
  return keys == TESSERA_SD_KEYS_LDM ? "ldm" : "diffusers";
}

static GVariant *
describe_unet (const TesseraUNetConfig *unet)
{
  GVariantBuilder builder;
  guint resolutions[TESSERA_SD_MAX_LEVELS];
  guint n_resolutions = 0;

  /* latent-diffusion's attention_resolutions: the downsampling factors of
   * the levels with transformers */
  for (guint l = 0; l < unet->n_levels; l++)
    if (unet->transformer_depth[l] > 0)
      resolutions[n_resolutions++] = 1u << l;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "keys", g_variant_new_string (keys_to_string (unet->keys)));
  g_variant_builder_add (&builder, "{sv}", "in_channels", g_variant_new_uint32 (unet->in_channels));
  g_variant_builder_add (&builder, "{sv}", "out_channels", g_variant_new_uint32 (unet->out_channels));
  g_variant_builder_add (&builder, "{sv}", "model_channels", g_variant_new_uint32 (unet->model_channels));
  g_variant_builder_add (&builder, "{sv}", "channel_mult", uint_array (unet->channel_mult, unet->n_levels));
  g_variant_builder_add (&builder, "{sv}", "num_res_blocks", g_variant_new_uint32 (unet->num_res_blocks));
  g_variant_builder_add (&builder, "{sv}", "attention_resolutions", uint_array (resolutions, n_resolutions));
  g_variant_builder_add (&builder, "{sv}", "transformer_depth", uint_array (unet->transformer_depth, unet->n_levels));
  g_variant_builder_add (&builder, "{sv}", "num_heads", uint_array (unet->num_heads, unet->n_levels));
  g_variant_builder_add (&builder, "{sv}", "mid_num_heads", g_variant_new_uint32 (unet->mid_num_heads));
  g_variant_builder_add (&builder, "{sv}", "context_dim", g_variant_new_uint32 (unet->context_dim));
  g_variant_builder_add (&builder, "{sv}", "use_linear_projection",
                         g_variant_new_boolean (unet->use_linear_projection));
  g_variant_builder_add (&builder, "{sv}", "upcast_attention", g_variant_new_boolean (unet->upcast_attention));
  g_variant_builder_add (&builder, "{sv}", "norm_num_groups", g_variant_new_uint32 (unet->norm_num_groups));
  if (unet->sample_size > 0)
    g_variant_builder_add (&builder, "{sv}", "sample_size", g_variant_new_uint32 (unet->sample_size));
  return g_variant_builder_end (&builder);
}

static GVariant *
describe_vae (const TesseraVaeConfig *vae)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "keys", g_variant_new_string (keys_to_string (vae->keys)));
  g_variant_builder_add (&builder, "{sv}", "in_channels", g_variant_new_uint32 (vae->in_channels));
  g_variant_builder_add (&builder, "{sv}", "out_channels", g_variant_new_uint32 (vae->out_channels));
  g_variant_builder_add (&builder, "{sv}", "channels", g_variant_new_uint32 (vae->channels));
  g_variant_builder_add (&builder, "{sv}", "channel_mult", uint_array (vae->channel_mult, vae->n_levels));
  g_variant_builder_add (&builder, "{sv}", "num_res_blocks", g_variant_new_uint32 (vae->num_res_blocks));
  g_variant_builder_add (&builder, "{sv}", "latent_channels", g_variant_new_uint32 (vae->latent_channels));
  g_variant_builder_add (&builder, "{sv}", "norm_num_groups", g_variant_new_uint32 (vae->norm_num_groups));
  g_variant_builder_add (&builder, "{sv}", "scaling_factor", g_variant_new_double (vae->scaling_factor));
  return g_variant_builder_end (&builder);
}

static GVariant *
describe_text_encoder (const TesseraClipConfig *clip)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "keys",
                         g_variant_new_string (clip->keys == TESSERA_CLIP_KEYS_HF ? "hf-clip" : "open-clip"));
  g_variant_builder_add (&builder, "{sv}", "width", g_variant_new_uint32 (clip->width));
  g_variant_builder_add (&builder, "{sv}", "layers", g_variant_new_uint32 (clip->n_layers));
  g_variant_builder_add (&builder, "{sv}", "layers_used", g_variant_new_uint32 (clip->n_layers_used));
  g_variant_builder_add (&builder, "{sv}", "heads", g_variant_new_uint32 (clip->n_heads));
  g_variant_builder_add (&builder, "{sv}", "intermediate_size", g_variant_new_uint32 (clip->intermediate_size));
  g_variant_builder_add (&builder, "{sv}", "vocab_size", g_variant_new_uint32 (clip->vocab_size));
  g_variant_builder_add (&builder, "{sv}", "context_length", g_variant_new_uint32 (clip->context_length));
  g_variant_builder_add (&builder, "{sv}", "activation",
                         g_variant_new_string (clip->quick_gelu ? "quick_gelu" : "gelu"));
  g_variant_builder_add (&builder, "{sv}", "pad_token_id", g_variant_new_uint32 (clip->pad_token_id));
  return g_variant_builder_end (&builder);
}

/**
 * tessera_checkpoint_get_hyperparameters:
 *
 * The part's hyper-parameters under latent-diffusion's names (the UNet's
 * `model_channels`, `channel_mult`, `attention_resolutions`,
 * `num_res_blocks`, `num_heads` per level…, the VAE's `channels`,
 * `latent_channels`, `scaling_factor`…, the text encoder's `width`,
 * `layers`, `heads`, `activation`…), with `keys` saying which names the
 * part's tensors go by.
 *
 * Returns: (transfer full) (nullable): a floating `a{sv}`, or %NULL
 *   without the part
 */
GVariant *
tessera_checkpoint_get_hyperparameters (TesseraCheckpoint     *self,
                                        TesseraCheckpointPart  part)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);
  g_return_val_if_fail (part < TESSERA_CHECKPOINT_N_PARTS, NULL);

  if (self->parts[part] == NULL)
    return NULL;

  switch (part)
    {
    case TESSERA_CHECKPOINT_PART_UNET:
      return describe_unet (&self->config.unet);
    case TESSERA_CHECKPOINT_PART_VAE:
      return describe_vae (&self->config.vae);
    case TESSERA_CHECKPOINT_PART_TEXT_ENCODER:
    default:
      return describe_text_encoder (&self->config.text_encoder);
    }
}

const TesseraCheckpointConfig *
tessera_checkpoint_get_config (TesseraCheckpoint *self)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);

  return &self->config;
}

/**
 * tessera_checkpoint_get_state_dict:
 *
 * Returns: (nullable) (transfer none): the part's tensors, without the
 *   file's prefix, or %NULL without the part
 */
TesseraStateDict *
tessera_checkpoint_get_state_dict (TesseraCheckpoint     *self,
                                   TesseraCheckpointPart  part)
{
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (self), NULL);
  g_return_val_if_fail (part < TESSERA_CHECKPOINT_N_PARTS, NULL);

  return self->parts[part];
}

/**
 * tessera_checkpoint_family_to_string:
 *
 * Returns: `sd1`, `sd2` or `sd2-v`
 */
const char *
tessera_checkpoint_family_to_string (TesseraCheckpointFamily family)
{
  switch (family)
    {
    case TESSERA_CHECKPOINT_FAMILY_SD1:
      return "sd1";
    case TESSERA_CHECKPOINT_FAMILY_SD2:
      return "sd2";
    case TESSERA_CHECKPOINT_FAMILY_SD2_V:
      return "sd2-v";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
tessera_checkpoint_family_get_title (TesseraCheckpointFamily family)
{
  switch (family)
    {
    case TESSERA_CHECKPOINT_FAMILY_SD1:
      return _("Stable Diffusion 1.x");
    case TESSERA_CHECKPOINT_FAMILY_SD2:
      return _("Stable Diffusion 2.x");
    case TESSERA_CHECKPOINT_FAMILY_SD2_V:
      return _("Stable Diffusion 2.x, v-prediction");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * tessera_prediction_to_string:
 *
 * Returns: `epsilon` or `v`
 */
const char *
tessera_prediction_to_string (TesseraPrediction prediction)
{
  return prediction == TESSERA_PREDICTION_V ? "v" : "epsilon";
}

/**
 * tessera_checkpoint_part_to_string:
 *
 * Returns: `unet`, `vae` or `text_encoder`, as diffusers names the folders
 */
const char *
tessera_checkpoint_part_to_string (TesseraCheckpointPart part)
{
  static const char *names[] = { "unet", "vae", "text_encoder" };

  g_return_val_if_fail (part < G_N_ELEMENTS (names), NULL);

  return names[part];
}
