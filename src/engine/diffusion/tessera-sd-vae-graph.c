/* tessera-sd-vae-graph.c
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

/* The VAE (diffusers' AutoencoderKL, latent-diffusion's
 * AutoencoderKL): res blocks without a time embedding, a single-head
 * attention over all pixels in the middle, every group norm with ε 1e-6. */

#define VAE_EPSILON 1e-6f

struct _TesseraVae
{
  TesseraStateDict *state_dict;
  TesseraWeights   *weights;
  TesseraVaeConfig  config;
  TesseraGraph     *encoder;
  TesseraGraph     *decoder;
};

/* latent-diffusion's names for diffusers' ones: the decoder's levels are
 * numbered from the top in diffusers, from the bottom there; the mid
 * block's parts are named. */
char *
tessera_vae_ldm_name (const TesseraVaeConfig *config,
                      const char             *name)
{
  static const struct { const char *diffusers; const char *ldm; } parts[] = {
    { "mid_block.attentions.0.group_norm.", "mid.attn_1.norm." },
    { "mid_block.attentions.0.to_q.", "mid.attn_1.q." },
    { "mid_block.attentions.0.to_k.", "mid.attn_1.k." },
    { "mid_block.attentions.0.to_v.", "mid.attn_1.v." },
    { "mid_block.attentions.0.to_out.0.", "mid.attn_1.proj_out." },
    { "mid_block.resnets.0.", "mid.block_1." },
    { "mid_block.resnets.1.", "mid.block_2." },
    { "conv_norm_out.", "norm_out." },
  };
  const char *half = g_str_has_prefix (name, "encoder.") ? "encoder." : "decoder.";
  const char *rest = name + strlen (half);
  g_autofree char *renamed = NULL;
  guint level, block;
  int end = 0;

  if (!g_str_has_prefix (name, "encoder.") && !g_str_has_prefix (name, "decoder."))
    return g_strdup (name);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (g_str_has_prefix (rest, parts[i].diffusers))
      return g_strconcat (half, parts[i].ldm, rest + strlen (parts[i].diffusers), NULL);

  if (sscanf (rest, "down_blocks.%u.resnets.%u.%n", &level, &block, &end) == 2 && end > 0)
    renamed = g_strdup_printf ("down.%u.block.%u.%s", level, block, rest + end);
  else if (sscanf (rest, "down_blocks.%u.downsamplers.0.%n", &level, &end) == 1 && end > 0)
    renamed = g_strdup_printf ("down.%u.downsample.%s", level, rest + end);
  else if (sscanf (rest, "up_blocks.%u.resnets.%u.%n", &level, &block, &end) == 2 && end > 0)
    renamed = g_strdup_printf ("up.%u.block.%u.%s", config->n_levels - 1 - level, block, rest + end);
  else if (sscanf (rest, "up_blocks.%u.upsamplers.0.%n", &level, &end) == 1 && end > 0)
    renamed = g_strdup_printf ("up.%u.upsample.%s", config->n_levels - 1 - level, rest + end);
  else
    return g_strdup (name);

  if (strstr (renamed, ".conv_shortcut.") != NULL)
    {
      g_auto(GStrv) pieces = g_strsplit (renamed, ".conv_shortcut.", 2);

      g_free (renamed);
      renamed = g_strjoin (".nin_shortcut.", pieces[0], pieces[1], NULL);
    }
  return g_strconcat (half, renamed, NULL);
}

static char *
rename_vae (gconstpointer config,
            const char   *name)
{
  return tessera_vae_ldm_name (config, name);
}

/* One head over all H·W pixels. */
static guint
attention (SdBuilder  *b,
           guint       x,
           guint       groups,
           const char *prefix)
{
  guint channels = sd_channels (b, x);
  g_autofree char *name = NULL;
  guint h, q, k, v;

  name = g_strconcat (prefix, ".group_norm", NULL);
  h = sd_group_norm (b, x, groups, VAE_EPSILON, TESSERA_ACTIVATION_NONE, name);
  g_free (name), name = g_strconcat (prefix, ".to_q", NULL);
  q = sd_linear (b, h, channels, name);
  g_free (name), name = g_strconcat (prefix, ".to_k", NULL);
  k = sd_linear (b, h, channels, name);
  g_free (name), name = g_strconcat (prefix, ".to_v", NULL);
  v = sd_linear (b, h, channels, name);
  if (b->error != NULL)
    return x;
  h = tessera_graph_token_attention (b->graph, q, k, v, 1, 1.0f / sqrtf ((float) channels), FALSE);
  g_free (name), name = g_strconcat (prefix, ".to_out.0", NULL);
  h = sd_linear (b, h, channels, name);
  if (b->error != NULL)
    return x;
  return tessera_graph_add_nodes (b->graph, x, 1.0f, h, 1.0f);
}

static guint
mid_block (SdBuilder  *b,
           guint       x,
           guint       groups,
           const char *half)
{
  guint channels = sd_channels (b, x);
  g_autofree char *name = NULL;

  name = g_strconcat (half, ".mid_block.resnets.0", NULL);
  x = sd_res_block (b, x, channels, groups, VAE_EPSILON, G_MAXUINT, name);
  g_free (name), name = g_strconcat (half, ".mid_block.attentions.0", NULL);
  x = attention (b, x, groups, name);
  g_free (name), name = g_strconcat (half, ".mid_block.resnets.1", NULL);
  return sd_res_block (b, x, channels, groups, VAE_EPSILON, G_MAXUINT, name);
}

static void
build_encoder (SdBuilder              *b,
               const TesseraVaeConfig *config)
{
  guint groups = config->norm_num_groups;
  guint latent = config->latent_channels;
  const float *weight, *bias;
  guint x;

  x = sd_conv (b, 0, config->channels * config->channel_mult[0], 3, 1, 1, "encoder.conv_in");
  for (guint level = 0; level < config->n_levels; level++)
    {
      guint channels = config->channels * config->channel_mult[level];

      for (guint i = 0; i < config->num_res_blocks; i++)
        {
          g_autofree char *name = g_strdup_printf ("encoder.down_blocks.%u.resnets.%u", level, i);

          x = sd_res_block (b, x, channels, groups, VAE_EPSILON, G_MAXUINT, name);
        }
      if (level + 1 < config->n_levels)
        {
          g_autofree char *name = g_strdup_printf ("encoder.down_blocks.%u.downsamplers.0.conv", level);

          /* zeros on the right and the bottom only, then no padding */
          x = tessera_graph_pad (b->graph, x, TESSERA_PAD_ZERO, 0, 1, 0, 1);
          x = sd_conv (b, x, channels, 3, 2, 0, name);
        }
    }
  x = mid_block (b, x, groups, "encoder");
  x = sd_group_norm (b, x, groups, VAE_EPSILON, TESSERA_ACTIVATION_SILU, "encoder.conv_norm_out");
  x = sd_conv (b, x, 2 * latent, 3, 1, 1, "encoder.conv_out");

  /* quant_conv's first half of outputs is the mean; the rest (the log
   * variance) is not needed. */
  weight = sd_tensor (b, 4 * (guint64) latent * latent, FALSE, "quant_conv.weight");
  bias = sd_tensor (b, 2 * (guint64) latent, FALSE, "quant_conv.bias");
  if (b->error != NULL)
    return;
  x = tessera_graph_conv (b->graph, &x, 1, latent, 2 * latent, 1, 1, 0, weight, bias);
  tessera_graph_affine (b->graph, x, config->scaling_factor, 0.0f);
}

static void
build_decoder (SdBuilder              *b,
               const TesseraVaeConfig *config)
{
  guint groups = config->norm_num_groups;
  guint top = config->n_levels - 1;
  guint x;

  x = tessera_graph_affine (b->graph, 0, 1.0 / config->scaling_factor, 0.0f);
  x = sd_linear (b, x, config->latent_channels, "post_quant_conv");
  x = sd_conv (b, x, config->channels * config->channel_mult[top], 3, 1, 1, "decoder.conv_in");
  x = mid_block (b, x, groups, "decoder");
  /* diffusers numbers the decoder's blocks from the smallest size up */
  for (guint i = 0; i < config->n_levels; i++)
    {
      guint channels = config->channels * config->channel_mult[top - i];

      for (guint j = 0; j < config->num_res_blocks + 1; j++)
        {
          g_autofree char *name = g_strdup_printf ("decoder.up_blocks.%u.resnets.%u", i, j);

          x = sd_res_block (b, x, channels, groups, VAE_EPSILON, G_MAXUINT, name);
        }
      if (i < top && b->error == NULL)
        {
          g_autofree char *name = g_strdup_printf ("decoder.up_blocks.%u.upsamplers.0.conv", i);

          x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_NEAREST, 2.0);
          x = sd_conv (b, x, channels, 3, 1, 1, name);
        }
    }
  x = sd_group_norm (b, x, groups, VAE_EPSILON, TESSERA_ACTIVATION_SILU, "decoder.conv_norm_out");
  sd_conv (b, x, config->out_channels, 3, 1, 1, "decoder.conv_out");
}

void
tessera_vae_free (TesseraVae *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->encoder, tessera_graph_free);
  g_clear_pointer (&self->decoder, tessera_graph_free);
  g_clear_pointer (&self->weights, tessera_weights_free);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_free (self);
}

TesseraVae *
tessera_vae_new (TesseraStateDict        *state_dict,
                 const TesseraVaeConfig  *config,
                 GError                 **error)
{
  g_autoptr(TesseraVae) self = g_new0 (TesseraVae, 1);
  SdBuilder b = { 0 };

  self->config = *config;
  self->state_dict = tessera_state_dict_ref (state_dict);
  self->weights = tessera_weights_new (state_dict);
  if (self->weights == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("Not enough memory for the VAE’s weights"));
      return NULL;
    }
  self->encoder = tessera_graph_new (config->in_channels);
  self->decoder = tessera_graph_new (config->latent_channels);

  b.state_dict = state_dict;
  b.weights = self->weights;
  b.config = &self->config;
  b.rename = config->keys == TESSERA_SD_KEYS_LDM ? rename_vae : NULL;
  b.graph = self->encoder;
  build_encoder (&b, config);
  b.graph = self->decoder;
  build_decoder (&b, config);

  if (b.error != NULL)
    {
      g_propagate_error (error, b.error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

TesseraGraph *
tessera_vae_get_encoder (TesseraVae *self)
{
  return self->encoder;
}

TesseraGraph *
tessera_vae_get_decoder (TesseraVae *self)
{
  return self->decoder;
}

/* How many pixels a latent pixel stands for, on each side. */
guint
tessera_vae_get_factor (TesseraVae *self)
{
  return 1u << (self->config.n_levels - 1);
}

/* Where tiles of @tile start along a side of @n, each sharing at least
 * @overlap with the one before; the last ends at the edge. */
static GArray *
tile_starts (guint n,
             guint tile,
             guint overlap)
{
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint));
  guint start = 0;

  if (n <= tile)
    {
      g_array_append_val (starts, start);
      return starts;
    }
  for (;; start += tile - overlap)
    {
      if (start + tile >= n)
        {
          start = n - tile;
          g_array_append_val (starts, start);
          return starts;
        }
      g_array_append_val (starts, start);
    }
}

/* A tile's weight at @i of its @size output pixels: rising linearly over
 * the @ramp pixels it shares with a neighbour, 1 elsewhere. */
static float
blend_weight (guint    i,
              guint    size,
              guint    ramp,
              gboolean first,
              gboolean last)
{
  float weight = 1.0f;

  if (ramp == 0)
    return weight;
  if (!first)
    weight = MIN (weight, (i + 0.5f) / ramp);
  if (!last)
    weight = MIN (weight, (size - i - 0.5f) / ramp);
  return weight;
}

gboolean
tessera_vae_run_tiled (TesseraVae          *self,
                       gboolean             decode,
                       const float         *input,
                       const TesseraShape  *shape,
                       guint                tile,
                       guint                overlap,
                       TesseraSdRunFunc     run,
                       gpointer             user_data,
                       float               *output,
                       GError             **error)
{
  TesseraGraph *graph = decode ? self->decoder : self->encoder;
  guint factor = tessera_vae_get_factor (self);
  guint out_h = decode ? shape->height * factor : shape->height / factor;
  guint out_w = decode ? shape->width * factor : shape->width / factor;
  guint out_c = decode ? self->config.out_channels : self->config.latent_channels;
  gsize out_plane = (gsize) out_h * out_w;
  g_autofree float *weights = NULL;
  g_autofree float *tile_in = NULL;
  g_autofree float *tile_out = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GArray) cols = NULL;

  /* Encoding, a tile's corners must fall on latent pixels. */
  if (!decode)
    {
      tile = MAX (tile / factor, 1) * factor;
      overlap = overlap / factor * factor;
      if (shape->height % factor != 0 || shape->width % factor != 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("The VAE encodes images whose sides are multiples of %u, not %u × %u"),
                       factor, shape->width, shape->height);
          return FALSE;
        }
    }
  overlap = MIN (overlap, tile / 2);

  rows = tile_starts (shape->height, tile, overlap);
  cols = tile_starts (shape->width, tile, overlap);
  weights = g_new0 (float, out_plane);
  memset (output, 0, out_plane * out_c * sizeof (float));
  tile_in = g_new (float, (gsize) shape->channels * MIN (tile, shape->height) * MIN (tile, shape->width));
  tile_out = g_new (float, (gsize) out_c * MIN (tile, shape->height) * MIN (tile, shape->width) * factor * factor);

  for (guint r = 0; r < rows->len; r++)
    for (guint c = 0; c < cols->len; c++)
      {
        guint y0 = g_array_index (rows, guint, r), x0 = g_array_index (cols, guint, c);
        TesseraShape in = { shape->channels, MIN (tile, shape->height), MIN (tile, shape->width) };
        guint th = decode ? in.height * factor : in.height / factor;
        guint tw = decode ? in.width * factor : in.width / factor;
        guint oy = decode ? y0 * factor : y0 / factor, ox = decode ? x0 * factor : x0 / factor;
        guint ramp = decode ? overlap * factor : overlap / factor;

        for (guint ch = 0; ch < in.channels; ch++)
          for (guint y = 0; y < in.height; y++)
            memcpy (tile_in + ((gsize) ch * in.height + y) * in.width,
                    input + ((gsize) ch * shape->height + y0 + y) * shape->width + x0,
                    in.width * sizeof (float));

        if (!run (graph, tile_in, &in, tile_out, user_data, error))
          return FALSE;

        for (guint y = 0; y < th; y++)
          {
            float wy = blend_weight (y, th, ramp, r == 0, r + 1 == rows->len);

            for (guint x = 0; x < tw; x++)
              {
                float w = wy * blend_weight (x, tw, ramp, c == 0, c + 1 == cols->len);
                gsize at = (gsize) (oy + y) * out_w + ox + x;

                weights[at] += w;
                for (guint ch = 0; ch < out_c; ch++)
                  output[ch * out_plane + at] += w * tile_out[((gsize) ch * th + y) * tw + x];
              }
          }
      }

  for (gsize at = 0; at < out_plane; at++)
    for (guint ch = 0; ch < out_c; ch++)
      output[ch * out_plane + at] /= weights[at];
  return TRUE;
}
