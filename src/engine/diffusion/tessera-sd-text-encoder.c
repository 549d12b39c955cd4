/* tessera-sd-text-encoder.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sd"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sd-builder-private.h"
#include "tessera-sd-nets-private.h"

/* CLIP's text transformer (Hugging Face's CLIPTextModel, or OpenCLIP's
 * with q, k and v fused in one in_proj): pre-norm layers of causal
 * self-attention and an MLP, then the final layer norm. The embedding
 * lookup is done here on the host, and is the graph's input. */

struct _TesseraTextEncoder
{
  TesseraStateDict  *state_dict;
  TesseraWeights    *weights;
  TesseraGraph      *graph;
  TesseraClipConfig  config;
  const float       *token_embedding;     /* [vocab_size][width] */
  const float       *position_embedding;  /* [context_length][width] */
};

/* One layer's tensors under either naming. */
static guint
build_layer (SdBuilder               *b,
             const TesseraClipConfig *config,
             guint                    layer,
             guint                    x)
{
  guint width = config->width;
  float epsilon = config->layer_norm_eps;
  TesseraActivation activation = config->quick_gelu ? TESSERA_ACTIVATION_QUICK_GELU : TESSERA_ACTIVATION_GELU;
  float scale = 1.0f / sqrtf ((float) (width / config->n_heads));
  g_autofree char *p = NULL;
  g_autofree char *name = NULL;
  guint h, q, k, v;

  if (config->keys == TESSERA_CLIP_KEYS_HF)
    {
      p = g_strdup_printf ("encoder.layers.%u.", layer);
      name = g_strconcat (p, "layer_norm1", NULL);
      h = sd_layer_norm (b, x, epsilon, name);
      g_free (name), name = g_strconcat (p, "self_attn.q_proj", NULL);
      q = sd_linear (b, h, width, name);
      g_free (name), name = g_strconcat (p, "self_attn.k_proj", NULL);
      k = sd_linear (b, h, width, name);
      g_free (name), name = g_strconcat (p, "self_attn.v_proj", NULL);
      v = sd_linear (b, h, width, name);
    }
  else
    {
      /* in_proj holds q, k and v one after the other. */
      const float *weight, *bias;

      p = g_strdup_printf ("transformer.resblocks.%u.", layer);
      name = g_strconcat (p, "ln_1", NULL);
      h = sd_layer_norm (b, x, epsilon, name);
      weight = sd_tensor (b, 3 * (guint64) width * width, FALSE, "%sattn.in_proj_weight", p);
      bias = sd_tensor (b, 3 * (guint64) width, FALSE, "%sattn.in_proj_bias", p);
      if (b->error != NULL)
        return x;
      q = tessera_graph_conv (b->graph, &h, 1, width, width, 1, 1, 0, weight, bias);
      k = tessera_graph_conv (b->graph, &h, 1, width, width, 1, 1, 0, weight + width * width, bias + width);
      v = tessera_graph_conv (b->graph, &h, 1, width, width, 1, 1, 0, weight + 2 * width * width,
                              bias + 2 * width);
    }
  if (b->error != NULL)
    return x;

  h = tessera_graph_token_attention (b->graph, q, k, v, config->n_heads, scale, TRUE);
  g_free (name), name = g_strconcat (p, config->keys == TESSERA_CLIP_KEYS_HF ? "self_attn.out_proj" : "attn.out_proj",
                                     NULL);
  h = sd_linear (b, h, width, name);
  if (b->error != NULL)
    return x;
  x = tessera_graph_add_nodes (b->graph, x, 1.0f, h, 1.0f);

  g_free (name), name = g_strconcat (p, config->keys == TESSERA_CLIP_KEYS_HF ? "layer_norm2" : "ln_2", NULL);
  h = sd_layer_norm (b, x, epsilon, name);
  g_free (name), name = g_strconcat (p, config->keys == TESSERA_CLIP_KEYS_HF ? "mlp.fc1" : "mlp.c_fc", NULL);
  h = sd_linear (b, h, config->intermediate_size, name);
  if (b->error != NULL)
    return x;
  h = tessera_graph_activate (b->graph, h, activation, 0.0f);
  g_free (name), name = g_strconcat (p, config->keys == TESSERA_CLIP_KEYS_HF ? "mlp.fc2" : "mlp.c_proj", NULL);
  h = sd_linear (b, h, width, name);
  if (b->error != NULL)
    return x;
  return tessera_graph_add_nodes (b->graph, x, 1.0f, h, 1.0f);
}

void
tessera_text_encoder_free (TesseraTextEncoder *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->graph, tessera_graph_free);
  g_clear_pointer (&self->weights, tessera_weights_free);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_free (self);
}

TesseraTextEncoder *
tessera_text_encoder_new (TesseraStateDict         *state_dict,
                          const TesseraClipConfig  *config,
                          guint                     clip_skip,
                          GError                  **error)
{
  g_autoptr(TesseraTextEncoder) self = g_new0 (TesseraTextEncoder, 1);
  gboolean hf = config->keys == TESSERA_CLIP_KEYS_HF;
  guint width = config->width;
  guint n_layers;
  SdBuilder b = { 0 };
  guint x;

  g_return_val_if_fail (config->n_heads > 0 && width % config->n_heads == 0, NULL);

  if (clip_skip == 0 || clip_skip > config->n_layers_used)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("Clip skip %u is not possible with a text encoder of %u layers"),
                   clip_skip, config->n_layers_used);
      return NULL;
    }
  n_layers = config->n_layers_used - (clip_skip - 1);

  self->config = *config;
  self->state_dict = tessera_state_dict_ref (state_dict);
  self->weights = tessera_weights_new (state_dict);
  if (self->weights == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("Not enough memory for the text encoder’s weights"));
      return NULL;
    }
  self->graph = tessera_graph_new (width);

  b.state_dict = state_dict;
  b.weights = self->weights;
  b.graph = self->graph;

  self->token_embedding = sd_tensor (&b, (guint64) config->vocab_size * width, FALSE,
                                     hf ? "embeddings.token_embedding.weight" : "token_embedding.weight");
  self->position_embedding = sd_tensor (&b, (guint64) config->context_length * width, FALSE,
                                        hf ? "embeddings.position_embedding.weight" : "positional_embedding");
  x = 0;
  for (guint i = 0; i < n_layers; i++)
    x = build_layer (&b, config, i, x);
  x = sd_layer_norm (&b, x, config->layer_norm_eps, hf ? "final_layer_norm" : "ln_final");

  if (b.error != NULL)
    {
      g_propagate_error (error, b.error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

TesseraGraph *
tessera_text_encoder_get_graph (TesseraTextEncoder *self)
{
  return self->graph;
}

TesseraShape
tessera_text_encoder_get_input_shape (TesseraTextEncoder *self)
{
  return (TesseraShape) { self->config.width, 1, self->config.context_length };
}

/* One chunk's token and position embeddings, width × 1 × context_length:
 * the graph's input. */
gboolean
tessera_text_encoder_embed (TesseraTextEncoder  *self,
                            const guint32       *ids,
                            float               *embeddings,
                            GError             **error)
{
  guint width = self->config.width;
  guint n = self->config.context_length;

  for (guint t = 0; t < n; t++)
    {
      const float *token, *position;

      if (ids[t] >= self->config.vocab_size)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("The token %u at position %u is outside the text encoder’s vocabulary of %u"),
                       ids[t], t, self->config.vocab_size);
          return FALSE;
        }
      token = self->token_embedding + (gsize) ids[t] * width;
      position = self->position_embedding + (gsize) t * width;
      for (guint c = 0; c < width; c++)
        embeddings[(gsize) c * n + t] = token[c] + position[c];
    }
  return TRUE;
}

/* A1111's emphasis ("Original") on one chunk's output: each token's
 * features times its multiplier, then the whole scaled so that its mean
 * is what it was. */
void
tessera_sd_apply_emphasis (float       *z,
                           guint        width,
                           guint        n_tokens,
                           const float *multipliers)
{
  gsize n = (gsize) width * n_tokens;
  double before = 0.0, after = 0.0;
  float factor;

  for (gsize i = 0; i < n; i++)
    before += z[i];
  for (guint c = 0; c < width; c++)
    for (guint t = 0; t < n_tokens; t++)
      {
        float *value = &z[(gsize) c * n_tokens + t];

        *value *= multipliers[t];
        after += *value;
      }
  if (after == 0.0)
    return;
  factor = (float) (before / after);
  for (gsize i = 0; i < n; i++)
    z[i] *= factor;
}

void
tessera_text_context_clear (TesseraTextContext *context)
{
  g_clear_pointer (&context->values, g_free);
  context->n_tokens = 0;
}

/* Puts @chunk (width × 1 × @n_tokens) after the tokens @context has. */
void
tessera_text_context_append (TesseraTextContext *context,
                             guint               width,
                             const float        *chunk,
                             guint               n_tokens)
{
  guint old = context->n_tokens;
  guint total = old + n_tokens;
  float *values = g_new (float, (gsize) width * total);

  g_return_if_fail (old == 0 || context->width == width);

  for (guint c = 0; c < width; c++)
    {
      if (old > 0)
        memcpy (values + (gsize) c * total, context->values + (gsize) c * old, old * sizeof (float));
      memcpy (values + (gsize) c * total + old, chunk + (gsize) c * n_tokens, n_tokens * sizeof (float));
    }
  g_free (context->values);
  context->values = values;
  context->width = width;
  context->n_tokens = total;
}

/* A1111's "pad prompt/negative prompt to be same length": the shorter
 * of the two gets the empty prompt's encoding (one chunk) repeated until
 * both have as many chunks. */
void
tessera_text_contexts_pad (TesseraTextContext       *cond,
                           TesseraTextContext       *uncond,
                           const TesseraTextContext *empty)
{
  TesseraTextContext *shorter = cond->n_tokens < uncond->n_tokens ? cond : uncond;
  guint longer = MAX (cond->n_tokens, uncond->n_tokens);

  g_return_if_fail (empty->n_tokens > 0);

  while (shorter->n_tokens + empty->n_tokens <= longer)
    tessera_text_context_append (shorter, empty->width, empty->values, empty->n_tokens);
}
