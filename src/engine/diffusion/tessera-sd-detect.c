/* tessera-sd-detect.c
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

/* Which family a single file belongs to, from its keys alone, as A1111
 * (modules/sd_models_config.py) and stable-diffusion.cpp tell them: the
 * networks sit under model.diffusion_model. (UNet), first_stage_model.
 * (VAE) and cond_stage_model. (text encoder), and the text encoder's
 * naming tells SD 1.x (OpenAI's CLIP under Hugging Face's names) from SD
 * 2.x (OpenCLIP). The other families are told by what only they have. */

#define UNET_PREFIX "model.diffusion_model."
#define VAE_PREFIX "first_stage_model."

/* A prefix of some tensor's name, and who has it; the first match wins,
 * so the more particular come first. */
static const struct {
  const char *prefix;
  const char *family;
  gboolean    add_on;     /* not a checkpoint but something applied to one */
} others[] = {
  { UNET_PREFIX "input_blocks.1.0.time_stack.", "Stable Video Diffusion" },
  { "embedder.model.", "Stable Diffusion 2.x unCLIP" },
  { "noise_augmentor.", "Stable Diffusion 2.x unCLIP" },
  { "conditioner.embedders.1.", "SDXL" },
  { "conditioner.embedders.0.", "SDXL refiner" },
  { UNET_PREFIX "label_emb.", "SDXL" },
  { "depth_model.", "Stable Diffusion 2.x depth" },
  { "cond_stage_model.roberta.", "AltDiffusion" },
  { UNET_PREFIX "joint_blocks.", "Stable Diffusion 3" },
  { "joint_blocks.", "Stable Diffusion 3" },
  { "text_encoders.", "Stable Diffusion 3" },
  { UNET_PREFIX "double_blocks.", "Flux" },
  { "double_blocks.", "Flux" },
  { UNET_PREFIX "double_layers.", "AuraFlow" },
  { "double_layers.", "AuraFlow" },
  { UNET_PREFIX "clip_txt_mapper.", "Stable Cascade" },
  { "clip_txt_mapper.", "Stable Cascade" },
  { "effnet_mapper.", "Stable Cascade" },
  { UNET_PREFIX "y_embedder.", "PixArt" },
  { "y_embedder.", "PixArt" },
  { "mlp_t5.", "Hunyuan-DiT" },
  { "control_model.", "ControlNet", TRUE },
  { "lora_unet_", "LoRA", TRUE },
  { "lora_te_", "LoRA", TRUE },
  { "lora_te1_", "LoRA", TRUE },
  { "string_to_param.", "textual inversion", TRUE },
};

static const char *
other_family (TesseraStateDict *state_dict,
              gboolean         *add_on)
{
  guint n = tessera_state_dict_get_n_tensors (state_dict);

  for (guint k = 0; k < G_N_ELEMENTS (others); k++)
    for (guint i = 0; i < n; i++)
      if (g_str_has_prefix (tessera_state_dict_get_nth (state_dict, i)->name, others[k].prefix))
        {
          *add_on = others[k].add_on;
          return others[k].family;
        }

  /* LoRAs under diffusers' or PEFT's names */
  for (guint i = 0; i < n; i++)
    {
      const char *name = tessera_state_dict_get_nth (state_dict, i)->name;

      if (strstr (name, ".lora_down.") != NULL || strstr (name, ".lora_A.") != NULL)
        {
          *add_on = TRUE;
          return "LoRA";
        }
    }

  return NULL;
}

/**
 * tessera_sd_other_family:
 *
 * Returns: (nullable): the family or kind of file (SDXL, Flux, LoRA…) that
 *   @state_dict's keys show it is, when that is not Stable Diffusion 1.x
 *   or 2.x
 */
const char *
tessera_sd_other_family (TesseraStateDict *state_dict)
{
  gboolean add_on;

  return other_family (state_dict, &add_on);
}

/* The keys of a VAE, under latent-diffusion's names, bare or as part of
 * a checkpoint (@prefix). */
gboolean
tessera_sd_is_vae (TesseraStateDict  *state_dict,
                   const char       **prefix)
{
  static const char * const prefixes[] = { VAE_PREFIX, "" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (tessera_sd_find (state_dict, 4, "%sencoder.conv_in.weight", prefixes[i]) != NULL &&
        tessera_sd_find (state_dict, 4, "%sdecoder.conv_in.weight", prefixes[i]) != NULL)
      {
        *prefix = prefixes[i];
        return TRUE;
      }

  return FALSE;
}

/* What A1111's VAE files carry besides the VAE: the training loss's
 * networks and LitEma's bookkeeping (modules/sd_vae.py drops them too). */
const char * const tessera_sd_vae_file_except[] = { "loss.", "model_ema.", NULL };

/* Linear projections in the UNet's transformers: SD 2.x's. */
static gboolean
has_linear_projections (TesseraStateDict *state_dict)
{
  guint n = tessera_state_dict_get_n_tensors (state_dict);

  for (guint i = 0; i < n; i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (state_dict, i);

      if (g_str_has_prefix (tensor->name, UNET_PREFIX) && g_str_has_suffix (tensor->name, ".proj_in.weight"))
        return tensor->n_dims == 2;
    }

  return FALSE;
}

static gboolean
has_ema (TesseraStateDict *state_dict)
{
  guint n = tessera_state_dict_get_n_tensors (state_dict);

  for (guint i = 0; i < n; i++)
    {
      const char *name = tessera_state_dict_get_nth (state_dict, i)->name;

      /* Pruned files keep LitEma's counters and no weights. */
      if (g_str_has_prefix (name, "model_ema.") && !g_str_equal (name, "model_ema.decay") &&
          !g_str_equal (name, "model_ema.num_updates"))
        return TRUE;
    }

  return FALSE;
}

/**
 * tessera_sd_detect_layout:
 * @state_dict: a whole single file (A1111's or ComfyUI's checkpoint)
 *
 * Tells which family the file belongs to and where its networks are.
 * Files of other families are refused, naming the family; a VAE alone
 * gives %TESSERA_ERROR_INVALID_ARGUMENT, a file that is no checkpoint at
 * all %TESSERA_ERROR_UNKNOWN_FORMAT.
 */
gboolean
tessera_sd_detect_layout (TesseraStateDict  *state_dict,
                          TesseraSdLayout   *layout,
                          GError           **error)
{
  static const struct {
    const char      *probe;
    const char      *prefix;
    TesseraClipKeys  keys;
  } text_encoders[] = {
    { "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight",
      "cond_stage_model.transformer.text_model.", TESSERA_CLIP_KEYS_HF },
    /* transformers before 4.9 had no text_model level */
    { "cond_stage_model.transformer.embeddings.token_embedding.weight",
      "cond_stage_model.transformer.", TESSERA_CLIP_KEYS_HF },
    { "cond_stage_model.model.token_embedding.weight", "cond_stage_model.model.", TESSERA_CLIP_KEYS_OPENCLIP },
  };
  const char *family, *vae_prefix;
  gboolean add_on = FALSE;

  memset (layout, 0, sizeof *layout);

  family = other_family (state_dict, &add_on);
  if (family != NULL && add_on)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("a %s file, not a checkpoint: Tessera runs Stable Diffusion 1.x and 2.x checkpoints"), family);
      return FALSE;
    }
  if (family != NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("a checkpoint of the %s family: Tessera runs Stable Diffusion 1.x and 2.x checkpoints only"),
                   family);
      return FALSE;
    }

  if (tessera_state_dict_lookup (state_dict, UNET_PREFIX "input_blocks.0.0.weight") == NULL)
    {
      if (tessera_sd_is_vae (state_dict, &vae_prefix))
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                     _("a VAE, not a checkpoint: give it as a checkpoint’s VAE"));
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                     _("not a Stable Diffusion checkpoint: it has no UNet (model.diffusion_model.*)"));
      return FALSE;
    }

  layout->unet_prefix = UNET_PREFIX;
  if (tessera_state_dict_lookup (state_dict, VAE_PREFIX "encoder.conv_in.weight") != NULL)
    layout->vae_prefix = VAE_PREFIX;

  for (guint i = 0; i < G_N_ELEMENTS (text_encoders) && layout->clip_prefix == NULL; i++)
    if (tessera_state_dict_lookup (state_dict, text_encoders[i].probe) != NULL)
      {
        layout->clip_prefix = text_encoders[i].prefix;
        layout->clip_keys = text_encoders[i].keys;
      }

  /* Without a text encoder, SD 2.x's UNet still shows: its transformers
   * project linearly. */
  if (layout->clip_prefix != NULL)
    layout->version = layout->clip_keys == TESSERA_CLIP_KEYS_OPENCLIP ? TESSERA_SD_VERSION_2 : TESSERA_SD_VERSION_1;
  else
    layout->version = has_linear_projections (state_dict) ? TESSERA_SD_VERSION_2 : TESSERA_SD_VERSION_1;

  layout->has_ema = has_ema (state_dict);
  /* ComfyUI's mark of a v-prediction model */
  layout->has_v_pred_key = tessera_state_dict_lookup (state_dict, "v_pred") != NULL;
  return TRUE;
}

/**
 * tessera_sd_read_single_file:
 * @state_dict: a whole single file
 * @file: (out caller-allocates): where to put what it holds; cleared
 *   with tessera_sd_single_file_clear(), whatever this returns
 *
 * Recognises the file (tessera_sd_detect_layout()) and reads each of its
 * networks. Errors say which network they are about.
 */
gboolean
tessera_sd_read_single_file (TesseraStateDict     *state_dict,
                             TesseraSdSingleFile  *file,
                             GError              **error)
{
  TesseraSdLayout *layout = &file->layout;

  memset (file, 0, sizeof *file);
  if (!tessera_sd_detect_layout (state_dict, layout, error))
    return FALSE;

  if (layout->clip_prefix != NULL)
    {
      file->clip = tessera_state_dict_extract (state_dict, layout->clip_prefix, NULL);
      if (layout->clip_keys == TESSERA_CLIP_KEYS_OPENCLIP
          ? !tessera_clip_config_from_openclip (file->clip, &file->clip_config, error)
          : !tessera_clip_config_from_hf (file->clip, &file->clip_config, error))
        {
          g_prefix_error (error, _("the text encoder: "));
          return FALSE;
        }
    }

  file->unet = tessera_state_dict_extract (state_dict, layout->unet_prefix, NULL);
  if (!tessera_unet_config_from_ldm (file->unet, layout->version, &file->unet_config, error))
    {
      g_prefix_error (error, _("the UNet: "));
      return FALSE;
    }

  if (layout->vae_prefix != NULL)
    {
      file->vae = tessera_state_dict_extract (state_dict, layout->vae_prefix, NULL);
      if (!tessera_vae_config_from_ldm (file->vae, &file->vae_config, error))
        {
          g_prefix_error (error, _("the VAE: "));
          return FALSE;
        }
    }

  return TRUE;
}

void
tessera_sd_single_file_clear (TesseraSdSingleFile *file)
{
  g_clear_pointer (&file->unet, tessera_state_dict_unref);
  g_clear_pointer (&file->vae, tessera_state_dict_unref);
  g_clear_pointer (&file->clip, tessera_state_dict_unref);
}

/* diffusers pipelines by what their class name has, and what they are. */
static const struct {
  const char *part;
  const char *family;
} other_pipelines[] = {
  { "XL", "SDXL" },
  { "StableDiffusion3", "Stable Diffusion 3" },
  { "Flux", "Flux" },
  { "StableCascade", "Stable Cascade" },
  { "Wuerstchen", "Würstchen" },
  { "PixArt", "PixArt" },
  { "Kandinsky", "Kandinsky" },
  { "StableVideoDiffusion", "Stable Video Diffusion" },
  { "UnCLIP", "Stable Diffusion 2.x unCLIP" },
  { "Depth2Img", "Stable Diffusion 2.x depth" },
  { "Upscale", "Stable Diffusion x4 upscaler" },
  { "LatentConsistency", "Latent Consistency" },
  { "AltDiffusion", "AltDiffusion" },
  { "AuraFlow", "AuraFlow" },
  { "HunyuanDiT", "Hunyuan-DiT" },
  { "ControlNet", "ControlNet" },
};

/**
 * tessera_sd_check_pipeline_class:
 * @class_name: model_index.json's `_class_name`
 *
 * Refuses the diffusers pipelines of other families, naming them.
 */
gboolean
tessera_sd_check_pipeline_class (const char  *class_name,
                                 GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (other_pipelines); i++)
    if (strstr (class_name, other_pipelines[i].part) != NULL)
      {
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                     _("a pipeline of the %s family (%s): Tessera runs Stable Diffusion 1.x and 2.x only"),
                     other_pipelines[i].family, class_name);
        return FALSE;
      }

  if (!g_str_has_prefix (class_name, "StableDiffusion"))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("a %s, not a Stable Diffusion 1.x or 2.x pipeline"), class_name);
      return FALSE;
    }

  return TRUE;
}
