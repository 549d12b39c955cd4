/* tessera-sd-unet.c
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

/* The UNet's hyper-parameters. A single file tells them through its
 * shapes, except the attention heads, which no shape shows: there the
 * family's rule applies, as in latent-diffusion's configs (SD 1.x's
 * v1-inference.yaml: num_heads 8; SD 2.x's v2-inference.yaml:
 * num_head_channels 64). A diffusers folder tells them in unet/config.json,
 * which the shapes must then agree with. */

#define SD1_NUM_HEADS 8
#define SD2_HEAD_CHANNELS 64

static gboolean
unsupported (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
unsupported (GError     **error,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, message);
  return FALSE;
}

/* A transformer (latent-diffusion's SpatialTransformer and diffusers'
 * Transformer2DModel share their inner names) of @channels channels at
 * @prefix: its depth. Every transformer of a UNet projects the same way
 * and attends to the same context width: the first one read sets them,
 * unless @source (config.json) did. */
static gboolean
read_transformer (TesseraStateDict   *unet,
                  const char         *prefix,
                  guint               channels,
                  TesseraUNetConfig  *config,
                  const char         *source,
                  guint              *depth,
                  GError            **error)
{
  g_autofree char *blocks = g_strconcat (prefix, ".transformer_blocks.", NULL);
  const TesseraTensor *proj_in, *to_k;
  gboolean linear;

  proj_in = tessera_sd_require (unet, 0, error, "%s.proj_in.weight", prefix);
  if (proj_in == NULL)
    return FALSE;

  linear = proj_in->n_dims == 2;
  if (config->context_dim == 0)
    config->use_linear_projection = linear;
  if (!tessera_sd_expect_shape (proj_in, (const gint64[]) { channels, channels, 1, 1 },
                                config->use_linear_projection ? 2 : 4, source, error))
    return FALSE;

  *depth = tessera_sd_count (unet, blocks, ".attn1.to_q.weight");
  if (*depth == 0)
    return tessera_sd_require (unet, 0, error, "%s0.attn1.to_q.weight", blocks) != NULL;

  to_k = tessera_sd_require (unet, 2, error, "%s0.attn2.to_k.weight", blocks);
  if (to_k == NULL)
    return FALSE;
  if (config->context_dim == 0)
    config->context_dim = to_k->shape[1];

  return tessera_sd_expect_shape (to_k, (const gint64[]) { channels, config->context_dim }, 2, source, error);
}

static gboolean
set_heads (TesseraUNetConfig  *config,
           TesseraSdVersion    version,
           guint               channels,
           guint              *heads,
           GError            **error)
{
  if (version == TESSERA_SD_VERSION_1)
    {
      *heads = SD1_NUM_HEADS;
      if (channels % SD1_NUM_HEADS != 0)
        return unsupported (error,
                            _("a transformer has %u channels, which SD 1.x’s %u attention heads do not divide"),
                            channels, SD1_NUM_HEADS);
      return TRUE;
    }

  *heads = channels / SD2_HEAD_CHANNELS;
  if (channels % SD2_HEAD_CHANNELS != 0 || *heads == 0)
    return unsupported (error,
                        _("a transformer has %u channels, which SD 2.x’s %u-wide attention heads do not divide"),
                        channels, SD2_HEAD_CHANNELS);
  return TRUE;
}

/**
 * tessera_unet_config_from_ldm:
 * @unet: the UNet's tensors, latent-diffusion's names without
 *   `model.diffusion_model.`
 * @version: the family, for the head count
 *
 * Reads the UNet's hyper-parameters from its shapes: input_blocks.0 is
 * conv_in; then each level's res blocks (with a transformer at .1 where
 * the level has attention) and a downsampler (.0.op) between levels; the
 * middle block; as many output blocks as levels × (res blocks + 1).
 */
gboolean
tessera_unet_config_from_ldm (TesseraStateDict   *unet,
                              TesseraSdVersion    version,
                              TesseraUNetConfig  *config,
                              GError            **error)
{
  const TesseraTensor *conv_in, *conv_out, *time_embed;
  guint level = 0, in_level = 0, level_channels = 0, n_out;

  memset (config, 0, sizeof *config);
  config->keys = TESSERA_SD_KEYS_LDM;
  config->norm_num_groups = 32;

  if ((conv_in = tessera_sd_require (unet, 4, error, "input_blocks.0.0.weight")) == NULL ||
      (conv_out = tessera_sd_require (unet, 4, error, "out.2.weight")) == NULL ||
      (time_embed = tessera_sd_require (unet, 2, error, "time_embed.0.weight")) == NULL)
    return FALSE;

  config->model_channels = conv_in->shape[0];
  config->in_channels = conv_in->shape[1];
  config->out_channels = conv_out->shape[0];
  config->time_embed_dim = time_embed->shape[0];
  if (config->model_channels == 0)
    return unsupported (error, _("the UNet has no channels"));
  if (!tessera_sd_expect_shape (conv_out, (const gint64[]) { -1, config->model_channels, 3, 3 }, 4,
                                "input_blocks.0.0.weight", error) ||
      !tessera_sd_expect_shape (time_embed, (const gint64[]) { -1, config->model_channels }, 2,
                                "input_blocks.0.0.weight", error))
    return FALSE;

  for (guint block = 1;; block++)
    {
      const TesseraTensor *res;
      g_autofree char *transformer = NULL;
      guint depth = 0;

      if (tessera_sd_find (unet, 4, "input_blocks.%u.0.op.weight", block) != NULL)
        {
          if (in_level == 0 || (level > 0 && in_level != config->num_res_blocks))
            return unsupported (error, _("the UNet’s levels have different numbers of res blocks"));
          config->num_res_blocks = in_level;
          if (++level >= TESSERA_SD_MAX_LEVELS)
            return unsupported (error, _("the UNet has more than %u levels"), TESSERA_SD_MAX_LEVELS);
          in_level = 0;
          continue;
        }

      res = tessera_sd_find (unet, 4, "input_blocks.%u.0.out_layers.3.weight", block);
      if (res == NULL)
        break;

      if (in_level == 0)
        {
          level_channels = res->shape[0];
          if (level_channels % config->model_channels != 0)
            return unsupported (error, _("level %u has %u channels, not a multiple of the UNet’s %u"),
                                level, level_channels, config->model_channels);
          config->channel_mult[level] = level_channels / config->model_channels;
        }
      else if (!tessera_sd_expect_shape (res, (const gint64[]) { level_channels, level_channels, 3, 3 }, 4,
                                         _("the level’s first res block"), error))
        return FALSE;

      transformer = g_strdup_printf ("input_blocks.%u.1", block);
      if (tessera_sd_find (unet, 0, "%s.proj_in.weight", transformer) != NULL &&
          !read_transformer (unet, transformer, level_channels, config, _("the UNet’s first transformer"), &depth,
                             error))
        return FALSE;
      if (in_level == 0)
        config->transformer_depth[level] = depth;
      else if (depth != config->transformer_depth[level])
        return unsupported (error, _("the res blocks of level %u have different transformers"), level);

      in_level++;
    }

  if (in_level == 0 || (level > 0 && in_level != config->num_res_blocks))
    return unsupported (error, _("the UNet’s levels have different numbers of res blocks"));
  config->num_res_blocks = in_level;
  config->n_levels = level + 1;

  if (tessera_sd_require (unet, 4, error, "middle_block.0.out_layers.3.weight") == NULL ||
      tessera_sd_require (unet, 4, error, "middle_block.2.out_layers.3.weight") == NULL)
    return FALSE;
  if (tessera_sd_find (unet, 0, "middle_block.1.proj_in.weight") != NULL &&
      !read_transformer (unet, "middle_block.1", level_channels, config, _("the UNet’s first transformer"),
                         &config->mid_transformer_depth, error))
    return FALSE;

  /* Each level's res blocks and one more, on the way up. */
  n_out = config->n_levels * (config->num_res_blocks + 1);
  if (tessera_sd_require (unet, 4, error, "output_blocks.%u.0.out_layers.3.weight", n_out - 1) == NULL)
    return FALSE;
  if (tessera_sd_find (unet, 0, "output_blocks.%u.0.out_layers.3.weight", n_out) != NULL)
    return unsupported (error, _("the UNet has more output blocks than its input blocks make (%u)"), n_out);

  for (guint l = 0; l < config->n_levels; l++)
    if (config->transformer_depth[l] > 0 &&
        !set_heads (config, version, config->model_channels * config->channel_mult[l], &config->num_heads[l], error))
      return FALSE;
  if (config->mid_transformer_depth > 0 &&
      !set_heads (config, version, level_channels, &config->mid_num_heads, error))
    return FALSE;

  return TRUE;
}

/* Settings of diffusers' UNet2DConditionModel that SD 1.x and 2.x leave
 * at their defaults and that would change the network. */
static gboolean
check_plain_unet (JsonObject  *json,
                  GError     **error)
{
  static const char * const unset[] = {
    "class_embed_type", "addition_embed_type", "time_cond_proj_dim", "encoder_hid_dim",
    "num_class_embeds", "time_embedding_dim", "timestep_post_act", "cross_attention_norm",
  };
  static const struct {
    const char *key;
    const char *value;
  } strings[] = {
    { "time_embedding_type", "positional" },
    { "mid_block_type", "UNetMidBlock2DCrossAttn" },
    { "resnet_time_scale_shift", "default" },
    { "act_fn", "silu" },
  };
  static const struct {
    const char *key;
    gboolean    value;
  } flags[] = {
    { "dual_cross_attention", FALSE },
    { "center_input_sample", FALSE },
    { "flip_sin_to_cos", TRUE },
    { "resnet_skip_time_act", FALSE },
  };
  static const struct {
    const char *key;
    double      value;
  } numbers[] = {
    { "freq_shift", 0 },
    { "conv_in_kernel", 3 },
    { "conv_out_kernel", 3 },
    { "downsample_padding", 1 },
    { "mid_block_scale_factor", 1 },
    { "resnet_out_scale_factor", 1 },
    { "norm_eps", 1e-5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    if (tessera_sd_config_is_set (json, unset[i]))
      return unsupported (error, _("“%s” is set, which no Stable Diffusion 1.x or 2.x UNet does"), unset[i]);

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (!g_str_equal (tessera_sd_config_string (json, strings[i].key, strings[i].value), strings[i].value))
      return unsupported (error, _("“%s” is not “%s”, as in Stable Diffusion 1.x and 2.x"),
                          strings[i].key, strings[i].value);

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    {
      gboolean value;

      if (!tessera_sd_config_bool (json, flags[i].key, flags[i].value, &value, error))
        return FALSE;
      if (value != flags[i].value)
        return unsupported (error, _("“%s” is not %s, as in Stable Diffusion 1.x and 2.x"),
                            flags[i].key, flags[i].value ? "true" : "false");
    }

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      double value;

      if (!tessera_sd_config_double (json, numbers[i].key, numbers[i].value, &value, error))
        return FALSE;
      if (value != numbers[i].value)
        return unsupported (error, _("“%s” is not %g, as in Stable Diffusion 1.x and 2.x"),
                            numbers[i].key, numbers[i].value);
    }

  /* A list where every level says false is the plain network too. */
  if (tessera_sd_config_is_set (json, "only_cross_attention"))
    {
      JsonNode *node = json_object_get_member (json, "only_cross_attention");
      gboolean any = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                     json_node_get_boolean (node);

      if (JSON_NODE_HOLDS_ARRAY (node))
        for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
          any |= json_node_get_boolean (json_array_get_element (json_node_get_array (node), i));
      if (any)
        return unsupported (error, _("“%s” is set, which no Stable Diffusion 1.x or 2.x UNet does"),
                            "only_cross_attention");
    }

  return TRUE;
}

/* down_block_types: which levels have attention; up_block_types must
 * mirror them. */
static gboolean
read_block_types (JsonObject  *json,
                  guint        n_levels,
                  gboolean    *attention,
                  GError     **error)
{
  JsonArray *down, *up;

  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (json, "down_block_types")) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json, "up_block_types")))
    return tessera_sd_config_invalid (error, "down_block_types");

  down = json_object_get_array_member (json, "down_block_types");
  up = json_object_get_array_member (json, "up_block_types");
  if (json_array_get_length (down) != n_levels || json_array_get_length (up) != n_levels)
    return unsupported (error, _("“%s” and “%s” do not name one block for each level"),
                        "down_block_types", "up_block_types");

  for (guint l = 0; l < n_levels; l++)
    {
      JsonNode *down_node = json_array_get_element (down, l);
      JsonNode *up_node = json_array_get_element (up, n_levels - 1 - l);
      const char *down_type = JSON_NODE_HOLDS_VALUE (down_node) ? json_node_get_string (down_node) : NULL;
      const char *up_type = JSON_NODE_HOLDS_VALUE (up_node) ? json_node_get_string (up_node) : NULL;

      attention[l] = g_strcmp0 (down_type, "CrossAttnDownBlock2D") == 0;
      if (!attention[l] && g_strcmp0 (down_type, "DownBlock2D") != 0)
        return unsupported (error, _("the UNet has a block of type “%s”, which Stable Diffusion 1.x and 2.x "
                                     "do not have"), down_type ? down_type : "?");
      if (g_strcmp0 (up_type, attention[l] ? "CrossAttnUpBlock2D" : "UpBlock2D") != 0)
        return unsupported (error,
                            _("the UNet’s up block of level %u (“%s”) does not mirror its down block (“%s”)"),
                            l, up_type ? up_type : "?", down_type);
    }

  return TRUE;
}

/* The weights as config.json describes them: what the graph builders will
 * rely on. */
static gboolean
check_diffusers_shapes (TesseraStateDict   *unet,
                        TesseraUNetConfig  *config,
                        GError            **error)
{
  const char *source = "config.json";
  const TesseraTensor *tensor;
  guint channels = 0, depth;

  if ((tensor = tessera_sd_require (unet, 4, error, "conv_in.weight")) == NULL ||
      !tessera_sd_expect_shape (tensor, (const gint64[]) { config->model_channels, config->in_channels, 3, 3 }, 4,
                                source, error) ||
      (tensor = tessera_sd_require (unet, 4, error, "conv_out.weight")) == NULL ||
      !tessera_sd_expect_shape (tensor, (const gint64[]) { config->out_channels, config->model_channels, 3, 3 }, 4,
                                source, error) ||
      (tensor = tessera_sd_require (unet, 2, error, "time_embedding.linear_1.weight")) == NULL ||
      !tessera_sd_expect_shape (tensor, (const gint64[]) { -1, config->model_channels }, 2, source, error))
    return FALSE;
  config->time_embed_dim = tensor->shape[0];

  for (guint l = 0; l < config->n_levels; l++)
    {
      g_autofree char *resnets = g_strdup_printf ("down_blocks.%u.resnets.", l);
      g_autofree char *attentions = g_strdup_printf ("down_blocks.%u.attentions.", l);
      g_autofree char *up_resnets = g_strdup_printf ("up_blocks.%u.resnets.", l);

      channels = config->model_channels * config->channel_mult[l];
      if (tessera_sd_count (unet, resnets, ".conv2.weight") != config->num_res_blocks ||
          tessera_sd_count (unet, up_resnets, ".conv2.weight") != config->num_res_blocks + 1 ||
          tessera_sd_count (unet, attentions, ".proj_in.weight") !=
          (config->transformer_depth[l] > 0 ? config->num_res_blocks : 0))
        return unsupported (error, _("the UNet’s level %u does not have the blocks config.json gives it"), l);

      if ((tensor = tessera_sd_require (unet, 4, error, "%s0.conv2.weight", resnets)) == NULL ||
          !tessera_sd_expect_shape (tensor, (const gint64[]) { channels, channels, 3, 3 }, 4, source, error))
        return FALSE;

      if (config->transformer_depth[l] > 0)
        {
          g_autofree char *transformer = g_strdup_printf ("%s0", attentions);

          if (!read_transformer (unet, transformer, channels, config, source, &depth, error))
            return FALSE;
          if (depth != config->transformer_depth[l])
            return unsupported (error, _("the UNet’s level %u has transformers %u blocks deep, where config.json "
                                         "says %u"), l, depth, config->transformer_depth[l]);
        }
    }

  if (!read_transformer (unet, "mid_block.attentions.0", channels, config, source, &depth, error))
    return FALSE;
  if (depth != config->mid_transformer_depth)
    return unsupported (error, _("the UNet’s middle transformer is %u blocks deep, where config.json says %u"),
                        depth, config->mid_transformer_depth);

  return TRUE;
}

/**
 * tessera_unet_config_from_diffusers:
 * @json: unet/config.json
 * @unet: the weights, to check against it
 *
 * Reads diffusers' UNet2DConditionModel settings. Its heads come from
 * `num_attention_heads` when set and otherwise from `attention_head_dim`,
 * which despite its name counts heads (diffusers keeps the misnomer for
 * its old configs).
 */
gboolean
tessera_unet_config_from_diffusers (JsonObject         *json,
                                    TesseraStateDict   *unet,
                                    TesseraUNetConfig  *config,
                                    GError            **error)
{
  guint channels[TESSERA_SD_MAX_LEVELS], res_blocks[TESSERA_SD_MAX_LEVELS];
  guint heads[TESSERA_SD_MAX_LEVELS], depth[TESSERA_SD_MAX_LEVELS];
  gboolean attention[TESSERA_SD_MAX_LEVELS];
  JsonNode *node = json_object_get_member (json, "block_out_channels");
  const char *heads_key;
  guint n_levels;

  memset (config, 0, sizeof *config);
  config->keys = TESSERA_SD_KEYS_DIFFUSERS;

  if (!check_plain_unet (json, error))
    return FALSE;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return tessera_sd_config_invalid (error, "block_out_channels");
  n_levels = json_array_get_length (json_node_get_array (node));
  if (n_levels == 0 || n_levels > TESSERA_SD_MAX_LEVELS)
    return unsupported (error, _("the UNet has %u levels"), n_levels);

  heads_key = tessera_sd_config_is_set (json, "num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
  if (!tessera_sd_config_uint_list (json, "block_out_channels", 0, n_levels, channels, error) ||
      !tessera_sd_config_uint_list (json, "layers_per_block", 2, n_levels, res_blocks, error) ||
      !tessera_sd_config_uint_list (json, heads_key, 8, n_levels, heads, error) ||
      !tessera_sd_config_uint_list (json, "transformer_layers_per_block", 1, n_levels, depth, error) ||
      !read_block_types (json, n_levels, attention, error) ||
      !tessera_sd_config_uint (json, "in_channels", 4, &config->in_channels, error) ||
      !tessera_sd_config_uint (json, "out_channels", 4, &config->out_channels, error) ||
      !tessera_sd_config_uint (json, "cross_attention_dim", 1280, &config->context_dim, error) ||
      !tessera_sd_config_uint (json, "norm_num_groups", 32, &config->norm_num_groups, error) ||
      !tessera_sd_config_bool (json, "use_linear_projection", FALSE, &config->use_linear_projection, error) ||
      !tessera_sd_config_bool (json, "upcast_attention", FALSE, &config->upcast_attention, error))
    return FALSE;

  /* Only said, never used by the network: a list where an int is
   * expected is no reason to refuse the model. */
  if (!tessera_sd_config_uint (json, "sample_size", 0, &config->sample_size, NULL))
    config->sample_size = 0;

  config->n_levels = n_levels;
  config->model_channels = channels[0];
  config->num_res_blocks = res_blocks[0];
  for (guint l = 0; l < n_levels; l++)
    {
      if (channels[0] == 0 || channels[l] % channels[0] != 0)
        return unsupported (error, _("level %u has %u channels, not a multiple of the UNet’s %u"),
                            l, channels[l], channels[0]);
      if (res_blocks[l] != res_blocks[0])
        return unsupported (error, _("the UNet’s levels have different numbers of res blocks"));
      config->channel_mult[l] = channels[l] / channels[0];
      if (!attention[l])
        continue;
      if (heads[l] == 0 || depth[l] == 0 || channels[l] % heads[l] != 0)
        return unsupported (error, _("level %u’s %u attention heads do not divide its %u channels"),
                            l, heads[l], channels[l]);
      config->num_heads[l] = heads[l];
      config->transformer_depth[l] = depth[l];
    }

  /* The middle block takes the last level's. */
  config->mid_num_heads = heads[n_levels - 1];
  config->mid_transformer_depth = depth[n_levels - 1];
  if (config->mid_num_heads == 0 || config->mid_transformer_depth == 0 ||
      channels[n_levels - 1] % config->mid_num_heads != 0)
    return unsupported (error, _("level %u’s %u attention heads do not divide its %u channels"),
                        n_levels - 1, config->mid_num_heads, channels[n_levels - 1]);

  return check_diffusers_shapes (unet, config, error);
}
