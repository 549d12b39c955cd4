/* tessera-sd-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "core/tessera-state-dict-private.h"

G_BEGIN_DECLS

/* Stable Diffusion 1.x and 2.x checkpoints, recognised from their keys and
 * shapes or their diffusers configs: which networks a file holds, under
 * which names, and each network's hyper-parameters, for the graph
 * builders. */

#define TESSERA_SD_MAX_LEVELS 8

typedef enum
{
  TESSERA_SD_VERSION_1 = 1,
  TESSERA_SD_VERSION_2,
} TesseraSdVersion;

/* The names a UNet's or a VAE's tensors go by: A1111's and ComfyUI's
 * single files keep the original implementation's (CompVis
 * latent-diffusion: input_blocks.1.0.in_layers.2.weight…), diffusers
 * folders have their own (down_blocks.0.resnets.0.conv1.weight…). */
typedef enum
{
  TESSERA_SD_KEYS_LDM,
  TESSERA_SD_KEYS_DIFFUSERS,
} TesseraSdKeys;

/* The text encoder's names: Hugging Face's CLIPTextModel (SD 1.x's files
 * and every diffusers folder; embeddings.token_embedding.weight,
 * encoder.layers.0.self_attn.q_proj.weight…, with `text_model.` taken
 * off) or OpenCLIP's (SD 2.x's files; token_embedding.weight,
 * transformer.resblocks.0.attn.in_proj_weight…). */
typedef enum
{
  TESSERA_CLIP_KEYS_HF,
  TESSERA_CLIP_KEYS_OPENCLIP,
} TesseraClipKeys;

/* The denoising UNet, under latent-diffusion's names for its settings.
 * Level L works at model_channels × channel_mult[L] channels; a level has
 * transformers (with num_heads[L] heads each) where transformer_depth[L]
 * is not 0. */
typedef struct
{
  TesseraSdKeys keys;
  guint         in_channels;
  guint         out_channels;
  guint         model_channels;
  guint         n_levels;
  guint         channel_mult[TESSERA_SD_MAX_LEVELS];
  guint         num_res_blocks;
  guint         transformer_depth[TESSERA_SD_MAX_LEVELS];
  guint         num_heads[TESSERA_SD_MAX_LEVELS];
  guint         mid_transformer_depth;
  guint         mid_num_heads;
  guint         context_dim;
  gboolean      use_linear_projection;
  gboolean      upcast_attention;
  guint         norm_num_groups;
  guint         time_embed_dim;
  guint         sample_size;      /* the latent size it was trained at; 0: unknown */
} TesseraUNetConfig;

/* The VAE (AutoencoderKL). Its encoder has num_res_blocks res blocks per
 * level, its decoder one more. */
typedef struct
{
  TesseraSdKeys keys;
  guint         in_channels;
  guint         out_channels;
  guint         channels;
  guint         n_levels;
  guint         channel_mult[TESSERA_SD_MAX_LEVELS];
  guint         num_res_blocks;
  guint         latent_channels;
  guint         norm_num_groups;
  double        scaling_factor;
} TesseraVaeConfig;

/* The CLIP text encoder. SD 2.x runs all but the last of OpenCLIP's
 * layers (n_layers_used); diffusers' SD 2.x folders have that layer
 * removed already. */
typedef struct
{
  TesseraClipKeys keys;
  guint           width;
  guint           n_layers;
  guint           n_layers_used;
  guint           n_heads;
  guint           intermediate_size;
  guint           vocab_size;
  guint           context_length;
  gboolean        quick_gelu;
  guint           pad_token_id;
  double          layer_norm_eps;
} TesseraClipConfig;

/* Where a single file keeps its networks. */
typedef struct
{
  TesseraSdVersion  version;
  const char       *unet_prefix;
  const char       *vae_prefix;    /* NULL without a VAE */
  const char       *clip_prefix;   /* NULL without a text encoder */
  TesseraClipKeys   clip_keys;
  gboolean          has_ema;       /* model_ema.*, which is not used */
  gboolean          has_v_pred_key;
} TesseraSdLayout;

/* A single file read: its layout, each network's tensors without the
 * file's prefix (vae and clip %NULL when the file has none) and
 * hyper-parameters. */
typedef struct
{
  TesseraSdLayout    layout;
  TesseraStateDict  *unet;
  TesseraStateDict  *vae;
  TesseraStateDict  *clip;
  TesseraUNetConfig  unet_config;
  TesseraVaeConfig   vae_config;
  TesseraClipConfig  clip_config;
} TesseraSdSingleFile;

/* tessera-sd-detect.c */
gboolean     tessera_sd_detect_layout        (TesseraStateDict   *state_dict,
                                              TesseraSdLayout    *layout,
                                              GError            **error);
gboolean     tessera_sd_read_single_file     (TesseraStateDict   *state_dict,
                                              TesseraSdSingleFile *file,
                                              GError            **error);
void         tessera_sd_single_file_clear    (TesseraSdSingleFile *file);
const char  *tessera_sd_other_family         (TesseraStateDict   *state_dict);
gboolean     tessera_sd_check_pipeline_class (const char         *class_name,
                                              GError            **error);
gboolean     tessera_sd_is_vae               (TesseraStateDict   *state_dict,
                                              const char        **prefix);
extern const char * const tessera_sd_vae_file_except[];

/* tessera-sd-unet.c */
gboolean     tessera_unet_config_from_ldm       (TesseraStateDict   *unet,
                                                 TesseraSdVersion    version,
                                                 TesseraUNetConfig  *config,
                                                 GError            **error);
gboolean     tessera_unet_config_from_diffusers (JsonObject         *json,
                                                 TesseraStateDict   *unet,
                                                 TesseraUNetConfig  *config,
                                                 GError            **error);

/* tessera-sd-vae.c */
gboolean     tessera_vae_config_from_ldm        (TesseraStateDict   *vae,
                                                 TesseraVaeConfig   *config,
                                                 GError            **error);
gboolean     tessera_vae_config_from_diffusers  (JsonObject         *json,
                                                 TesseraStateDict   *vae,
                                                 TesseraVaeConfig   *config,
                                                 GError            **error);
char        *tessera_vae_config_difference      (const TesseraVaeConfig *a,
                                                 const TesseraVaeConfig *b);

/* tessera-sd-clip.c */
gboolean     tessera_clip_config_from_hf        (TesseraStateDict   *clip,
                                                 TesseraClipConfig  *config,
                                                 GError            **error);
gboolean     tessera_clip_config_from_openclip  (TesseraStateDict   *clip,
                                                 TesseraClipConfig  *config,
                                                 GError            **error);
gboolean     tessera_clip_config_from_diffusers (JsonObject         *json,
                                                 TesseraStateDict   *clip,
                                                 TesseraClipConfig  *config,
                                                 GError            **error);

/* tessera-sd-util.c: for the readers above. Each error names the tensor
 * or the setting. */
const TesseraTensor *tessera_sd_find      (TesseraStateDict   *state_dict,
                                           guint               n_dims,
                                           const char         *format,
                                           ...) G_GNUC_PRINTF (3, 4);
const TesseraTensor *tessera_sd_require   (TesseraStateDict   *state_dict,
                                           guint               n_dims,
                                           GError            **error,
                                           const char         *format,
                                           ...) G_GNUC_PRINTF (4, 5);
gboolean     tessera_sd_expect_shape      (const TesseraTensor *tensor,
                                           const gint64        *dims,
                                           guint                n_dims,
                                           const char          *source,
                                           GError             **error);
guint        tessera_sd_count             (TesseraStateDict   *state_dict,
                                           const char         *before,
                                           const char         *after);

gboolean     tessera_sd_config_is_set     (JsonObject         *json,
                                           const char         *key);
gboolean     tessera_sd_config_invalid    (GError            **error,
                                           const char         *key);
gboolean     tessera_sd_config_uint       (JsonObject         *json,
                                           const char         *key,
                                           guint               fallback,
                                           guint              *value,
                                           GError            **error);
gboolean     tessera_sd_config_bool       (JsonObject         *json,
                                           const char         *key,
                                           gboolean            fallback,
                                           gboolean           *value,
                                           GError            **error);
gboolean     tessera_sd_config_double     (JsonObject         *json,
                                           const char         *key,
                                           double              fallback,
                                           double             *value,
                                           GError            **error);
const char  *tessera_sd_config_string     (JsonObject         *json,
                                           const char         *key,
                                           const char         *fallback);
gboolean     tessera_sd_config_uint_list  (JsonObject         *json,
                                           const char         *key,
                                           guint               fallback,
                                           guint               n_values,
                                           guint              *values,
                                           GError            **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraSdSingleFile, tessera_sd_single_file_clear)

G_END_DECLS
