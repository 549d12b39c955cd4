/* tessera-sd-clip.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sd"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sd-private.h"

/* The CLIP text encoder's hyper-parameters. SD 1.x's is OpenAI's CLIP
 * ViT-L/14 (quick_gelu), kept under Hugging Face's names; SD 2.x's is
 * OpenCLIP's ViT-H/14 (gelu), kept under OpenCLIP's, of which it runs all
 * but the last layer. Neither file shows the head count: both models use
 * 64-wide heads (openai/CLIP: transformer_heads = width // 64; OpenCLIP:
 * heads = width // head_width, 64), so width / 64, and 1 for the narrow
 * test models. Padding: SD 1.x pads with the end token (49407), SD 2.x
 * with "!" (0). */

#define HEAD_WIDTH 64
#define SD1_PAD_TOKEN 49407
#define SD2_PAD_TOKEN 0

typedef struct
{
  const char *token_embedding;
  const char *position_embedding;
  const char *layers;              /* then the layer's number */
  const char *attention;           /* its q (or fused q, k, v) weight */
  const char *mlp;                 /* its first MLP weight */
  const char *final_norm;
  guint       attention_rows;      /* rows of the attention weight, in widths */
} Naming;

static const Naming hf_naming = {
  "embeddings.token_embedding.weight",
  "embeddings.position_embedding.weight",
  "encoder.layers.",
  ".self_attn.q_proj.weight",
  ".mlp.fc1.weight",
  "final_layer_norm.weight",
  1,
};

static const Naming openclip_naming = {
  "token_embedding.weight",
  "positional_embedding",
  "transformer.resblocks.",
  ".attn.in_proj_weight",
  ".mlp.c_fc.weight",
  "ln_final.weight",
  3,
};

static guint
count_layers (TesseraStateDict *clip,
              const Naming     *naming)
{
  return tessera_sd_count (clip, naming->layers, naming->attention);
}

/* With @source NULL the shapes set the sizes; otherwise they must match. */
static gboolean
read_shapes (TesseraStateDict   *clip,
             const Naming       *naming,
             TesseraClipConfig  *config,
             const char         *source,
             GError            **error)
{
  const TesseraTensor *tokens, *positions, *final_norm, *mlp;
  const char *from = source ? source : naming->token_embedding;

  if ((tokens = tessera_sd_require (clip, 2, error, "%s", naming->token_embedding)) == NULL ||
      (positions = tessera_sd_require (clip, 2, error, "%s", naming->position_embedding)) == NULL ||
      (final_norm = tessera_sd_require (clip, 1, error, "%s", naming->final_norm)) == NULL ||
      (mlp = tessera_sd_require (clip, 2, error, "%s0%s", naming->layers, naming->mlp)) == NULL)
    return FALSE;

  if (source == NULL)
    {
      config->vocab_size = tokens->shape[0];
      config->width = tokens->shape[1];
      config->context_length = positions->shape[0];
      config->intermediate_size = mlp->shape[0];
      config->n_layers = count_layers (clip, naming);
      config->n_heads = MAX (1, config->width / HEAD_WIDTH);
      if (config->width == 0 || config->width % config->n_heads != 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("the text encoder is %u wide, which %u-wide attention heads do not divide"),
                       config->width, HEAD_WIDTH);
          return FALSE;
        }
    }
  else if (count_layers (clip, naming) != config->n_layers)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("the text encoder has %u layers where %s says %u"),
                   count_layers (clip, naming), source, config->n_layers);
      return FALSE;
    }

  if (config->n_layers == 0)
    return tessera_sd_require (clip, 2, error, "%s0%s", naming->layers, naming->attention) != NULL;

  if (!tessera_sd_expect_shape (tokens, (const gint64[]) { config->vocab_size, config->width }, 2, from, error) ||
      !tessera_sd_expect_shape (positions, (const gint64[]) { config->context_length, config->width }, 2, from,
                                error) ||
      !tessera_sd_expect_shape (final_norm, (const gint64[]) { config->width }, 1, from, error))
    return FALSE;

  for (guint i = 0; i < config->n_layers; i++)
    {
      const TesseraTensor *attention = tessera_sd_require (clip, 2, error, "%s%u%s", naming->layers, i,
                                                                  naming->attention);

      if (attention == NULL ||
          !tessera_sd_expect_shape (attention,
                                    (const gint64[]) { naming->attention_rows * config->width, config->width }, 2,
                                    from, error) ||
          (mlp = tessera_sd_require (clip, 2, error, "%s%u%s", naming->layers, i, naming->mlp)) == NULL ||
          !tessera_sd_expect_shape (mlp, (const gint64[]) { config->intermediate_size, config->width }, 2, from, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * tessera_clip_config_from_hf:
 * @clip: Hugging Face CLIPTextModel's tensors without `text_model.`: SD
 *   1.x's text encoder
 */
gboolean
tessera_clip_config_from_hf (TesseraStateDict   *clip,
                             TesseraClipConfig  *config,
                             GError            **error)
{
  memset (config, 0, sizeof *config);
  config->keys = TESSERA_CLIP_KEYS_HF;
  config->quick_gelu = TRUE;
  config->pad_token_id = SD1_PAD_TOKEN;
  config->layer_norm_eps = 1e-5;

  if (!read_shapes (clip, &hf_naming, config, NULL, error))
    return FALSE;

  config->n_layers_used = config->n_layers;
  return TRUE;
}

/**
 * tessera_clip_config_from_openclip:
 * @clip: OpenCLIP's text tower without `cond_stage_model.model.`: SD
 *   2.x's text encoder, of which the last layer goes unused
 *   (FrozenOpenCLIPEmbedder's layer "penultimate")
 */
gboolean
tessera_clip_config_from_openclip (TesseraStateDict   *clip,
                                   TesseraClipConfig  *config,
                                   GError            **error)
{
  memset (config, 0, sizeof *config);
  config->keys = TESSERA_CLIP_KEYS_OPENCLIP;
  config->quick_gelu = FALSE;
  config->pad_token_id = SD2_PAD_TOKEN;
  config->layer_norm_eps = 1e-5;

  if (!read_shapes (clip, &openclip_naming, config, NULL, error))
    return FALSE;

  if (config->n_layers < 2)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("the text encoder has one layer; SD 2.x uses the one before its last"));
      return FALSE;
    }

  config->n_layers_used = config->n_layers - 1;
  return TRUE;
}

/**
 * tessera_clip_config_from_diffusers:
 * @json: text_encoder/config.json, CLIPTextConfig's
 * @clip: the weights without `text_model.`, to check against it
 *
 * The padding token is the family's: the caller knows better when the
 * folder has its tokenizer's settings.
 */
gboolean
tessera_clip_config_from_diffusers (JsonObject         *json,
                                    TesseraStateDict   *clip,
                                    TesseraClipConfig  *config,
                                    GError            **error)
{
  const char *activation = tessera_sd_config_string (json, "hidden_act", "quick_gelu");
  const char *model_type = tessera_sd_config_string (json, "model_type", "clip_text_model");
  JsonNode *architectures = json_object_get_member (json, "architectures");

  memset (config, 0, sizeof *config);
  config->keys = TESSERA_CLIP_KEYS_HF;

  if (!g_str_equal (model_type, "clip_text_model"))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("the text encoder is a “%s”, not CLIP’s text model"), model_type);
      return FALSE;
    }

  /* SDXL's second text encoder has a projection Stable Diffusion 1.x and
   * 2.x do not use. */
  if (architectures != NULL && JSON_NODE_HOLDS_ARRAY (architectures))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (architectures)); i++)
      {
        JsonNode *node = json_array_get_element (json_node_get_array (architectures), i);
        const char *name = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;

        if (name != NULL && !g_str_equal (name, "CLIPTextModel"))
          {
            g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                         _("the text encoder is a “%s”, not the CLIPTextModel of Stable Diffusion 1.x and 2.x"),
                         name);
            return FALSE;
          }
      }

  if (g_str_equal (activation, "quick_gelu"))
    config->quick_gelu = TRUE;
  else if (!g_str_equal (activation, "gelu"))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("the text encoder’s activation is “%s”, not quick_gelu or gelu"), activation);
      return FALSE;
    }
  config->pad_token_id = config->quick_gelu ? SD1_PAD_TOKEN : SD2_PAD_TOKEN;

  if (!tessera_sd_config_uint (json, "hidden_size", 512, &config->width, error) ||
      !tessera_sd_config_uint (json, "intermediate_size", 2048, &config->intermediate_size, error) ||
      !tessera_sd_config_uint (json, "num_hidden_layers", 12, &config->n_layers, error) ||
      !tessera_sd_config_uint (json, "num_attention_heads", 8, &config->n_heads, error) ||
      !tessera_sd_config_uint (json, "vocab_size", 49408, &config->vocab_size, error) ||
      !tessera_sd_config_uint (json, "max_position_embeddings", 77, &config->context_length, error) ||
      !tessera_sd_config_double (json, "layer_norm_eps", 1e-5, &config->layer_norm_eps, error))
    return FALSE;

  if (config->n_heads == 0 || config->width % config->n_heads != 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("the text encoder’s %u heads do not divide its width, %u"), config->n_heads, config->width);
      return FALSE;
    }

  config->n_layers_used = config->n_layers;
  return read_shapes (clip, &hf_naming, config, "config.json", error);
}
