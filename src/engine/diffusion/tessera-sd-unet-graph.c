/* tessera-sd-unet-graph.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sd"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sd-builder-private.h"
#include "tessera-sd-nets-private.h"

/* The denoising UNet of SD 1.x and 2.x (diffusers' UNet2DConditionModel,
 * latent-diffusion's UNetModel) for one latent, or a batch of up to
 * TESSERA_UNET_MAX_BATCH (guidance's cond and uncond of each region
 * redrawn at once): res blocks that add
 * the time embedding, spatial transformers that attend to the text, skip
 * connections from each step down to the step up at its size. */

#define RESNET_EPSILON 1e-5f
#define TRANSFORMER_EPSILON 1e-6f
#define LAYER_NORM_EPSILON 1e-5f

struct _TesseraUNet
{
  TesseraStateDict  *state_dict;
  TesseraWeights    *weights;
  TesseraUNetConfig  config;
  TesseraGraph      *graph;
  guint              n_context_tokens;
  /* read by the graph, one per sample of the largest batch */
  float             *time_features;    /* [model_channels] */
  float             *context;          /* [context_dim][n_context_tokens] */
};

typedef struct
{
  SdBuilder                b;
  const TesseraUNetConfig *config;
  guint                    emb;        /* SiLU of the time embedding */
  guint                    context;
} UNetBuilder;

/* latent-diffusion's name for diffusers' @name: its blocks are numbered
 * in one list down (input_blocks) and one up (output_blocks), each block
 * a res block, maybe a transformer, maybe a resampler. */
char *
tessera_unet_ldm_name (const TesseraUNetConfig *config,
                       const char              *name)
{
  static const struct { const char *diffusers; const char *ldm; } fixed[] = {
    { "time_embedding.linear_1.", "time_embed.0." },
    { "time_embedding.linear_2.", "time_embed.2." },
    { "conv_in.", "input_blocks.0.0." },
    { "conv_norm_out.", "out.0." },
    { "conv_out.", "out.2." },
    { "mid_block.resnets.0.", "middle_block.0." },
    { "mid_block.attentions.0.", "middle_block.1." },
    { "mid_block.resnets.1.", "middle_block.2." },
  };
  static const struct { const char *diffusers; const char *ldm; } resnet_parts[] = {
    { "norm1.", "in_layers.0." },
    { "conv1.", "in_layers.2." },
    { "time_emb_proj.", "emb_layers.1." },
    { "norm2.", "out_layers.0." },
    { "conv2.", "out_layers.3." },
    { "conv_shortcut.", "skip_connection." },
  };
  guint per_level = config->num_res_blocks + 1;
  g_autofree char *prefix = NULL;
  const char *rest = NULL;
  gboolean resnet = FALSE;
  guint level, j;
  int end = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fixed) && prefix == NULL; i++)
    if (g_str_has_prefix (name, fixed[i].diffusers))
      {
        prefix = g_strdup (fixed[i].ldm);
        rest = name + strlen (fixed[i].diffusers);
        resnet = strstr (fixed[i].diffusers, ".resnets.") != NULL;
      }

  if (prefix != NULL)
    ;
  else if (sscanf (name, "down_blocks.%u.resnets.%u.%n", &level, &j, &end) == 2 && end > 0)
    prefix = g_strdup_printf ("input_blocks.%u.0.", per_level * level + j + 1), resnet = TRUE;
  else if (sscanf (name, "down_blocks.%u.attentions.%u.%n", &level, &j, &end) == 2 && end > 0)
    prefix = g_strdup_printf ("input_blocks.%u.1.", per_level * level + j + 1);
  else if (sscanf (name, "down_blocks.%u.downsamplers.0.conv.%n", &level, &end) == 1 && end > 0)
    prefix = g_strdup_printf ("input_blocks.%u.0.op.", per_level * (level + 1));
  else if (sscanf (name, "up_blocks.%u.resnets.%u.%n", &level, &j, &end) == 2 && end > 0)
    prefix = g_strdup_printf ("output_blocks.%u.0.", per_level * level + j), resnet = TRUE;
  else if (sscanf (name, "up_blocks.%u.attentions.%u.%n", &level, &j, &end) == 2 && end > 0)
    prefix = g_strdup_printf ("output_blocks.%u.1.", per_level * level + j);
  else if (sscanf (name, "up_blocks.%u.upsamplers.0.%n", &level, &end) == 1 && end > 0 && level < config->n_levels)
    {
      /* after the transformer, where the level has one */
      gboolean attention = config->transformer_depth[config->n_levels - 1 - level] > 0;

      prefix = g_strdup_printf ("output_blocks.%u.%u.", per_level * level + per_level - 1, attention ? 2 : 1);
    }
  else
    return g_strdup (name);

  if (rest == NULL)
    rest = name + end;
  if (resnet)
    for (guint i = 0; i < G_N_ELEMENTS (resnet_parts); i++)
      if (g_str_has_prefix (rest, resnet_parts[i].diffusers))
        return g_strconcat (prefix, resnet_parts[i].ldm, rest + strlen (resnet_parts[i].diffusers), NULL);
  return g_strconcat (prefix, rest, NULL);
}

static char *
rename_unet (gconstpointer config,
             const char   *name)
{
  return tessera_unet_ldm_name (config, name);
}

static guint
res_block (UNetBuilder *u,
           guint        x,
           guint        out_channels,
           const char  *prefix)
{
  return sd_res_block (&u->b, x, out_channels, u->config->norm_num_groups, RESNET_EPSILON, u->emb, prefix);
}

/* attn1 (self) or attn2 (to the text): q from @x, k and v from
 * @source. */
static guint
attention (UNetBuilder *u,
           guint        x,
           guint        source,
           guint        heads,
           const char  *prefix)
{
  SdBuilder *b = &u->b;
  guint channels = sd_channels (b, x);
  g_autofree char *name = NULL;
  guint q, k, v, h;

  name = g_strconcat (prefix, ".to_q", NULL);
  q = sd_linear (b, x, channels, name);
  g_free (name), name = g_strconcat (prefix, ".to_k", NULL);
  k = sd_linear (b, source, channels, name);
  g_free (name), name = g_strconcat (prefix, ".to_v", NULL);
  v = sd_linear (b, source, channels, name);
  if (b->error != NULL)
    return x;
  h = tessera_graph_token_attention (b->graph, q, k, v, heads, 1.0f / sqrtf ((float) (channels / heads)), FALSE);
  g_free (name), name = g_strconcat (prefix, ".to_out.0", NULL);
  return sd_linear (b, h, channels, name);
}

static guint
transformer_block (UNetBuilder *u,
                   guint        h,
                   guint        heads,
                   const char  *prefix)
{
  SdBuilder *b = &u->b;
  guint channels = sd_channels (b, h);
  g_autofree char *name = NULL;
  guint n, a;

  name = g_strconcat (prefix, ".norm1", NULL);
  n = sd_layer_norm (b, h, LAYER_NORM_EPSILON, name);
  g_free (name), name = g_strconcat (prefix, ".attn1", NULL);
  a = attention (u, n, n, heads, name);
  if (b->error != NULL)
    return h;
  h = tessera_graph_add_nodes (b->graph, h, 1.0f, a, 1.0f);

  g_free (name), name = g_strconcat (prefix, ".norm2", NULL);
  n = sd_layer_norm (b, h, LAYER_NORM_EPSILON, name);
  g_free (name), name = g_strconcat (prefix, ".attn2", NULL);
  a = attention (u, n, u->context, heads, name);
  if (b->error != NULL)
    return h;
  h = tessera_graph_add_nodes (b->graph, h, 1.0f, a, 1.0f);

  /* GEGLU over 4 × channels, as diffusers' FeedForward */
  g_free (name), name = g_strconcat (prefix, ".norm3", NULL);
  n = sd_layer_norm (b, h, LAYER_NORM_EPSILON, name);
  g_free (name), name = g_strconcat (prefix, ".ff.net.0.proj", NULL);
  n = sd_linear (b, n, 8 * channels, name);
  if (b->error != NULL)
    return h;
  n = tessera_graph_geglu (b->graph, n);
  g_free (name), name = g_strconcat (prefix, ".ff.net.2", NULL);
  a = sd_linear (b, n, channels, name);
  if (b->error != NULL)
    return h;
  return tessera_graph_add_nodes (b->graph, h, 1.0f, a, 1.0f);
}

/* Transformer2DModel: GroupNorm, proj_in (a 1×1 convolution or a linear
 * layer on each pixel: the same here), the blocks, proj_out, residual. */
static guint
spatial_transformer (UNetBuilder *u,
                     guint        x,
                     guint        depth,
                     guint        heads,
                     const char  *prefix)
{
  SdBuilder *b = &u->b;
  guint channels = sd_channels (b, x);
  g_autofree char *name = NULL;
  guint h;

  if (heads == 0 || channels % heads != 0)
    {
      if (b->error == NULL)
        g_set_error (&b->error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                     _("%s: %u channels cannot be split into %u attention heads"), prefix, channels, heads);
      return x;
    }

  name = g_strconcat (prefix, ".norm", NULL);
  h = sd_group_norm (b, x, u->config->norm_num_groups, TRANSFORMER_EPSILON, TESSERA_ACTIVATION_NONE, name);
  g_free (name), name = g_strconcat (prefix, ".proj_in", NULL);
  h = sd_linear (b, h, channels, name);
  for (guint d = 0; d < depth; d++)
    {
      g_free (name), name = g_strdup_printf ("%s.transformer_blocks.%u", prefix, d);
      h = transformer_block (u, h, heads, name);
    }
  g_free (name), name = g_strconcat (prefix, ".proj_out", NULL);
  h = sd_linear (b, h, channels, name);
  if (b->error != NULL)
    return x;
  return tessera_graph_add_nodes (b->graph, h, 1.0f, x, 1.0f);
}

static void
build_unet (UNetBuilder *u,
            TesseraUNet *self)
{
  const TesseraUNetConfig *config = u->config;
  SdBuilder *b = &u->b;
  guint skips[1 + TESSERA_SD_MAX_LEVELS * 8];
  guint n_skips = 0;
  guint x, emb;

  if (config->num_res_blocks + 1 > 8)
    {
      g_set_error (&b->error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("A UNet of %u res blocks per level is not supported"), config->num_res_blocks);
      return;
    }

  emb = tessera_graph_constant (b->graph, &(TesseraShape) { config->model_channels, 1, 1 }, self->time_features);
  emb = sd_linear (b, emb, config->time_embed_dim, "time_embedding.linear_1");
  if (b->error != NULL)
    return;
  emb = tessera_graph_activate (b->graph, emb, TESSERA_ACTIVATION_SILU, 0.0f);
  emb = sd_linear (b, emb, config->time_embed_dim, "time_embedding.linear_2");
  if (b->error != NULL)
    return;
  /* every res block takes it through SiLU first */
  u->emb = tessera_graph_activate (b->graph, emb, TESSERA_ACTIVATION_SILU, 0.0f);
  u->context = tessera_graph_constant (b->graph,
                                       &(TesseraShape) { config->context_dim, 1, self->n_context_tokens },
                                       self->context);

  x = sd_conv (b, 0, config->model_channels * config->channel_mult[0], 3, 1, 1, "conv_in");
  skips[n_skips++] = x;
  for (guint level = 0; level < config->n_levels; level++)
    {
      guint channels = config->model_channels * config->channel_mult[level];

      for (guint j = 0; j < config->num_res_blocks; j++)
        {
          g_autofree char *name = g_strdup_printf ("down_blocks.%u.resnets.%u", level, j);

          x = res_block (u, x, channels, name);
          if (config->transformer_depth[level] > 0)
            {
              g_free (name), name = g_strdup_printf ("down_blocks.%u.attentions.%u", level, j);
              x = spatial_transformer (u, x, config->transformer_depth[level], config->num_heads[level], name);
            }
          skips[n_skips++] = x;
        }
      if (level + 1 < config->n_levels)
        {
          g_autofree char *name = g_strdup_printf ("down_blocks.%u.downsamplers.0.conv", level);

          x = sd_conv (b, x, channels, 3, 2, 1, name);
          skips[n_skips++] = x;
        }
    }

  {
    guint channels = sd_channels (b, x);

    x = res_block (u, x, channels, "mid_block.resnets.0");
    x = spatial_transformer (u, x, MAX (config->mid_transformer_depth, 1), config->mid_num_heads,
                             "mid_block.attentions.0");
    x = res_block (u, x, channels, "mid_block.resnets.1");
  }

  for (guint i = 0; i < config->n_levels; i++)
    {
      guint level = config->n_levels - 1 - i;
      guint channels = config->model_channels * config->channel_mult[level];

      for (guint j = 0; j < config->num_res_blocks + 1; j++)
        {
          g_autofree char *name = g_strdup_printf ("up_blocks.%u.resnets.%u", i, j);
          guint pair[2] = { x, skips[--n_skips] };

          if (b->error != NULL)
            return;
          x = tessera_graph_concat (b->graph, pair, 2);
          x = res_block (u, x, channels, name);
          if (config->transformer_depth[level] > 0)
            {
              g_free (name), name = g_strdup_printf ("up_blocks.%u.attentions.%u", i, j);
              x = spatial_transformer (u, x, config->transformer_depth[level], config->num_heads[level], name);
            }
        }
      if (level > 0 && b->error == NULL)
        {
          g_autofree char *name = g_strdup_printf ("up_blocks.%u.upsamplers.0.conv", i);

          x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_NEAREST, 2.0);
          x = sd_conv (b, x, channels, 3, 1, 1, name);
        }
    }

  x = sd_group_norm (b, x, config->norm_num_groups, RESNET_EPSILON, TESSERA_ACTIVATION_SILU, "conv_norm_out");
  sd_conv (b, x, config->out_channels, 3, 1, 1, "conv_out");
}

void
tessera_unet_free (TesseraUNet *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->graph, tessera_graph_free);
  g_clear_pointer (&self->weights, tessera_weights_free);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_free (self->time_features);
  g_free (self->context);
  g_free (self);
}

TesseraUNet *
tessera_unet_new (TesseraStateDict         *state_dict,
                  const TesseraUNetConfig  *config,
                  guint                     n_context_tokens,
                  GError                  **error)
{
  g_autoptr(TesseraUNet) self = g_new0 (TesseraUNet, 1);
  UNetBuilder u = { { 0 } };

  g_return_val_if_fail (n_context_tokens > 0, NULL);

  self->config = *config;
  self->n_context_tokens = n_context_tokens;
  self->time_features = g_new0 (float, (gsize) TESSERA_UNET_MAX_BATCH * config->model_channels);
  self->context = g_new0 (float, (gsize) TESSERA_UNET_MAX_BATCH * config->context_dim * n_context_tokens);
  self->state_dict = tessera_state_dict_ref (state_dict);
  self->weights = tessera_weights_new (state_dict);
  if (self->weights == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("Not enough memory for the UNet’s weights"));
      return NULL;
    }
  self->graph = tessera_graph_new (config->in_channels);

  u.config = &self->config;
  u.b.state_dict = state_dict;
  u.b.weights = self->weights;
  u.b.graph = self->graph;
  u.b.config = &self->config;
  u.b.rename = config->keys == TESSERA_SD_KEYS_LDM ? rename_unet : NULL;
  build_unet (&u, self);

  if (u.b.error != NULL)
    {
      g_propagate_error (error, u.b.error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

TesseraGraph *
tessera_unet_get_graph (TesseraUNet *self)
{
  return self->graph;
}

/* The sinusoidal features of a timestep (fractional ones too, as
 * k-diffusion passes them): cosines then sines of t · 10000^(−i / half),
 * in float32 as PyTorch computes them (flip_sin_to_cos, no shift). */
void
tessera_sd_timestep_features (double  timestep,
                              guint   channels,
                              float  *features)
{
  guint half = channels / 2;
  float t = (float) timestep;

  for (guint i = 0; i < half; i++)
    {
      float exponent = (float) -log (10000.0) * (float) i / (float) half;
      float angle = t * expf (exponent);

      features[i] = (float) cos ((double) angle);
      features[half + i] = (float) sin ((double) angle);
    }
  if (channels % 2 != 0)
    features[channels - 1] = 0.0f;
}

/* How many latents the next runs take, at most TESSERA_UNET_MAX_BATCH:
 * the graph's input and output hold that many one after the other. */
void
tessera_unet_set_batch (TesseraUNet *self,
                        guint        batch)
{
  g_return_if_fail (batch > 0 && batch <= TESSERA_UNET_MAX_BATCH);
  tessera_graph_set_batch (self->graph, batch);
}

/* Every sample's: guidance's share one. */
void
tessera_unet_set_timestep (TesseraUNet *self,
                           double       timestep)
{
  guint channels = self->config.model_channels;

  tessera_sd_timestep_features (timestep, channels, self->time_features);
  for (guint s = 1; s < TESSERA_UNET_MAX_BATCH; s++)
    memcpy (self->time_features + s * channels, self->time_features, channels * sizeof (float));
}

gboolean
tessera_unet_set_context (TesseraUNet              *self,
                          guint                     sample,
                          const TesseraTextContext *context,
                          GError                  **error)
{
  gsize size = (gsize) self->config.context_dim * self->n_context_tokens;

  g_return_val_if_fail (sample < TESSERA_UNET_MAX_BATCH, FALSE);

  if (context->width != self->config.context_dim || context->n_tokens != self->n_context_tokens)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The text encoding is %u wide and %u tokens long where the UNet takes %u × %u"),
                   context->width, context->n_tokens, self->config.context_dim, self->n_context_tokens);
      return FALSE;
    }
  memcpy (self->context + sample * size, context->values, size * sizeof (float));
  return TRUE;
}
