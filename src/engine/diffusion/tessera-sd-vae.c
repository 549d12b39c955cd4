/* tessera-sd-vae.c
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

/* The VAE's hyper-parameters, from latent-diffusion's names and shapes (a
 * single file, or A1111's separate VAE file) or from diffusers'
 * vae/config.json. The two namings differ in their words and in the
 * decoder's order: latent-diffusion numbers its levels from the top in
 * both halves (decoder.up.0 is the last to run), diffusers the decoder's
 * from the bottom. */

/* latent-diffusion's and Stable Diffusion's configs: scale_factor. */
#define SD_SCALING_FACTOR 0.18215

/* A res block's second convolution: encoder or decoder level, the level's
 * number, blocks, the block's number, the rest. */
typedef struct
{
  const char *encoder_levels;
  const char *decoder_levels;
  const char *blocks;
  gboolean    decoder_from_top;
} Naming;

static const Naming ldm_naming = { "encoder.down.", "decoder.up.", ".block.", TRUE };
static const Naming diffusers_naming = { "encoder.down_blocks.", "decoder.up_blocks.", ".resnets.", FALSE };

static gboolean
unsupported (GError     **error,
             const char  *message)
{
  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, message);
  return FALSE;
}

static const TesseraTensor *
find_block (TesseraStateDict *vae,
            const char       *levels,
            const Naming     *naming,
            guint             level,
            guint             block)
{
  return tessera_sd_find (vae, 4, "%s%u%s%u.conv2.weight", levels, level, naming->blocks, block);
}

static guint
count_blocks (TesseraStateDict *vae,
              const char       *levels,
              const Naming     *naming,
              guint             level)
{
  guint n = 0;

  while (n < 100 && find_block (vae, levels, naming, level, n) != NULL)
    n++;

  return n;
}

/* What both namings share: the convolutions in and out, the latent
 * projections, each level's res blocks. With @source NULL the shapes set
 * the hyper-parameters; otherwise they must match them. */
static gboolean
read_shapes (TesseraStateDict  *vae,
             const Naming      *naming,
             TesseraVaeConfig  *config,
             const char        *source,
             GError           **error)
{
  const TesseraTensor *conv_in, *conv_out, *quant, *post_quant, *decoder_in, *decoder_out, *block;
  const char *from = source ? source : "encoder.conv_in.weight";
  guint last_channels;

  if ((conv_in = tessera_sd_require (vae, 4, error, "encoder.conv_in.weight")) == NULL ||
      (conv_out = tessera_sd_require (vae, 4, error, "encoder.conv_out.weight")) == NULL ||
      (quant = tessera_sd_require (vae, 4, error, "quant_conv.weight")) == NULL ||
      (post_quant = tessera_sd_require (vae, 4, error, "post_quant_conv.weight")) == NULL ||
      (decoder_in = tessera_sd_require (vae, 4, error, "decoder.conv_in.weight")) == NULL ||
      (decoder_out = tessera_sd_require (vae, 4, error, "decoder.conv_out.weight")) == NULL)
    return FALSE;

  if (source == NULL)
    {
      config->channels = conv_in->shape[0];
      config->in_channels = conv_in->shape[1];
      config->out_channels = decoder_out->shape[0];
      config->latent_channels = decoder_in->shape[1];
      while (config->n_levels < TESSERA_SD_MAX_LEVELS &&
             find_block (vae, naming->encoder_levels, naming, config->n_levels, 0) != NULL)
        config->n_levels++;
      config->num_res_blocks = count_blocks (vae, naming->encoder_levels, naming, 0);
      if (config->n_levels == 0)
        return tessera_sd_require (vae, 4, error, "%s0%s0.conv2.weight", naming->encoder_levels,
                                   naming->blocks) != NULL;
      if (config->channels == 0)
        return unsupported (error, _("the VAE has no channels"));
      if (find_block (vae, naming->encoder_levels, naming, config->n_levels, 0) != NULL)
        return unsupported (error, _("the VAE has too many levels"));
    }

  if (!tessera_sd_expect_shape (conv_in, (const gint64[]) { config->channels, config->in_channels, 3, 3 }, 4,
                                from, error))
    return FALSE;

  for (guint l = 0; l < config->n_levels; l++)
    {
      guint up_level = naming->decoder_from_top ? l : config->n_levels - 1 - l;

      if ((block = tessera_sd_require (vae, 4, error, "%s%u%s0.conv2.weight", naming->encoder_levels, l,
                                       naming->blocks)) == NULL)
        return FALSE;
      if (source == NULL)
        {
          if (block->shape[0] % config->channels != 0)
            return unsupported (error, _("a level of the VAE has channels that are not a multiple of its first"));
          config->channel_mult[l] = block->shape[0] / config->channels;
        }
      if (!tessera_sd_expect_shape (block, (const gint64[]) { config->channels * config->channel_mult[l], -1, 3, 3 }, 4,
                                    from, error))
        return FALSE;
      if (count_blocks (vae, naming->encoder_levels, naming, l) != config->num_res_blocks ||
          count_blocks (vae, naming->decoder_levels, naming, up_level) != config->num_res_blocks + 1)
        return unsupported (error, _("the VAE’s levels have different numbers of res blocks"));
    }

  last_channels = config->channels * config->channel_mult[config->n_levels - 1];
  return tessera_sd_expect_shape (conv_out, (const gint64[]) { 2 * config->latent_channels, last_channels, 3, 3 }, 4,
                                  from, error) &&
         tessera_sd_expect_shape (quant,
                                  (const gint64[]) { 2 * config->latent_channels, 2 * config->latent_channels, 1, 1 },
                                  4, from, error) &&
         tessera_sd_expect_shape (post_quant,
                                  (const gint64[]) { config->latent_channels, config->latent_channels, 1, 1 }, 4,
                                  from, error) &&
         tessera_sd_expect_shape (decoder_in, (const gint64[]) { last_channels, config->latent_channels, 3, 3 }, 4,
                                  from, error) &&
         tessera_sd_expect_shape (decoder_out, (const gint64[]) { config->out_channels, config->channels, 3, 3 }, 4,
                                  from, error);
}

/**
 * tessera_vae_config_from_ldm:
 * @vae: the VAE's tensors under latent-diffusion's names, without
 *   `first_stage_model.`
 */
gboolean
tessera_vae_config_from_ldm (TesseraStateDict  *vae,
                             TesseraVaeConfig  *config,
                             GError           **error)
{
  memset (config, 0, sizeof *config);
  config->keys = TESSERA_SD_KEYS_LDM;
  config->norm_num_groups = 32;
  config->scaling_factor = SD_SCALING_FACTOR;

  if (!read_shapes (vae, &ldm_naming, config, NULL, error))
    return FALSE;

  /* latent-diffusion's attn_resolutions: attention inside the levels,
   * which Stable Diffusion's VAE does without. */
  for (guint l = 0; l < config->n_levels; l++)
    if (tessera_sd_find (vae, 0, "encoder.down.%u.attn.0.q.weight", l) != NULL)
      return unsupported (error, _("the VAE has attention inside its levels, which Stable Diffusion’s does not"));

  return TRUE;
}

/**
 * tessera_vae_config_from_diffusers:
 * @json: vae/config.json
 * @vae: the weights, to check against it
 */
gboolean
tessera_vae_config_from_diffusers (JsonObject        *json,
                                   TesseraStateDict  *vae,
                                   TesseraVaeConfig  *config,
                                   GError           **error)
{
  guint channels[TESSERA_SD_MAX_LEVELS];
  JsonNode *node = json_object_get_member (json, "block_out_channels");
  gboolean flag;

  memset (config, 0, sizeof *config);
  config->keys = TESSERA_SD_KEYS_DIFFUSERS;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return tessera_sd_config_invalid (error, "block_out_channels");
  config->n_levels = json_array_get_length (json_node_get_array (node));
  if (config->n_levels == 0 || config->n_levels > TESSERA_SD_MAX_LEVELS)
    return unsupported (error, _("the VAE has too many levels"));

  if (!tessera_sd_config_uint_list (json, "block_out_channels", 0, config->n_levels, channels, error) ||
      !tessera_sd_config_uint (json, "layers_per_block", 1, &config->num_res_blocks, error) ||
      !tessera_sd_config_uint (json, "in_channels", 3, &config->in_channels, error) ||
      !tessera_sd_config_uint (json, "out_channels", 3, &config->out_channels, error) ||
      !tessera_sd_config_uint (json, "latent_channels", 4, &config->latent_channels, error) ||
      !tessera_sd_config_uint (json, "norm_num_groups", 32, &config->norm_num_groups, error) ||
      !tessera_sd_config_double (json, "scaling_factor", SD_SCALING_FACTOR, &config->scaling_factor, error))
    return FALSE;

  /* What later VAEs (SD 3's, Flux's) changed. */
  if (tessera_sd_config_is_set (json, "shift_factor"))
    return unsupported (error, _("the VAE has a “shift_factor”, which Stable Diffusion 1.x and 2.x VAEs do not"));
  if (!g_str_equal (tessera_sd_config_string (json, "act_fn", "silu"), "silu"))
    return unsupported (error, _("the VAE’s “act_fn” is not “silu”, as in Stable Diffusion 1.x and 2.x"));
  for (guint i = 0; i < 3; i++)
    {
      const char *key = (const char *[]) { "mid_block_add_attention", "use_quant_conv", "use_post_quant_conv" }[i];

      if (!tessera_sd_config_bool (json, key, TRUE, &flag, error))
        return FALSE;
      if (!flag)
        return unsupported (error, _("the VAE leaves out a layer that Stable Diffusion’s has"));
    }

  config->channels = channels[0];
  for (guint l = 0; l < config->n_levels; l++)
    {
      if (channels[0] == 0 || channels[l] % channels[0] != 0)
        return unsupported (error, _("a level of the VAE has channels that are not a multiple of its first"));
      config->channel_mult[l] = channels[l] / channels[0];
    }

  return read_shapes (vae, &diffusers_naming, config, "config.json", error);
}

static char *
describe_levels (const TesseraVaeConfig *config)
{
  GString *text = g_string_new (NULL);

  for (guint l = 0; l < config->n_levels; l++)
    g_string_append_printf (text, "%s%u", l > 0 ? ", " : "", config->channels * config->channel_mult[l]);

  return g_string_free (text, FALSE);
}

/**
 * tessera_vae_config_difference:
 *
 * Returns: (nullable): %NULL when @a and @b are the same network (under
 *   whichever names), or how @a differs from @b, for a person
 */
char *
tessera_vae_config_difference (const TesseraVaeConfig *a,
                               const TesseraVaeConfig *b)
{
  g_autofree char *levels_a = describe_levels (a);
  g_autofree char *levels_b = describe_levels (b);

  if (a->latent_channels != b->latent_channels)
    return g_strdup_printf (_("its latents have %u channels, not %u"), a->latent_channels, b->latent_channels);
  if (!g_str_equal (levels_a, levels_b))
    return g_strdup_printf (_("its levels have %s channels, not %s"), levels_a, levels_b);
  if (a->num_res_blocks != b->num_res_blocks)
    return g_strdup_printf (_("its levels have %u res blocks, not %u"), a->num_res_blocks, b->num_res_blocks);
  if (a->in_channels != b->in_channels || a->out_channels != b->out_channels)
    return g_strdup_printf (_("it makes images of %u channels, not %u"), a->out_channels, b->out_channels);
  if (a->norm_num_groups != b->norm_num_groups)
    return g_strdup_printf (_("it normalises in %u groups, not %u"), a->norm_num_groups, b->norm_num_groups);

  return NULL;
}
