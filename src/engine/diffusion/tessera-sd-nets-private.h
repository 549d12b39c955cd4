/* tessera-sd-nets-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-graph-private.h"
#include "core/tessera-weights-private.h"
#include "tessera-sd-private.h"

G_BEGIN_DECLS

/* Stable Diffusion's three networks as graphs, built from a checkpoint
 * part's state dict (either naming) and its hyper-parameters. Each keeps
 * its weights as float32 while it lives; the graphs point into them. The
 * caller runs the graphs on a backend. Layouts: a latent or an image is
 * C × H × W, a token sequence of width D is D × 1 × T. */

/* The CLIP text encoder. Its graph takes one chunk's embeddings (width ×
 * 1 × context_length, from tessera_text_encoder_embed) and gives the
 * hidden states after the final layer norm.
 *
 * @clip_skip as A1111's "Clip skip": n takes the output of the n-th layer
 * from the end of those the family uses, then the final layer norm; 1 is
 * the normal output. SD 2.x's OpenCLIP files already stop one layer early
 * (n_layers_used); A1111 ignores clip skip for them, so its callers pass
 * 1 there. */
typedef struct _TesseraTextEncoder TesseraTextEncoder;

TesseraTextEncoder *tessera_text_encoder_new       (TesseraStateDict         *state_dict,
                                                    const TesseraClipConfig  *config,
                                                    guint                     clip_skip,
                                                    GError                  **error);
void                tessera_text_encoder_free      (TesseraTextEncoder       *self);
TesseraGraph       *tessera_text_encoder_get_graph (TesseraTextEncoder       *self);
TesseraShape        tessera_text_encoder_get_input_shape (TesseraTextEncoder *self);
gboolean            tessera_text_encoder_embed     (TesseraTextEncoder       *self,
                                                    const guint32            *ids,
                                                    float                    *embeddings,
                                                    GError                  **error);

/* A prompt's encoding: its chunks' outputs side by side along the tokens,
 * width × 1 × n_tokens (77 · chunks), what the UNet attends to. */
typedef struct
{
  guint  width;
  guint  n_tokens;
  float *values;
} TesseraTextContext;

void     tessera_text_context_clear     (TesseraTextContext *context);
void     tessera_text_context_append    (TesseraTextContext *context,
                                         guint               width,
                                         const float        *chunk,
                                         guint               n_tokens);
void     tessera_sd_apply_emphasis      (float              *z,
                                         guint               width,
                                         guint               n_tokens,
                                         const float        *multipliers);
void     tessera_text_contexts_pad      (TesseraTextContext       *cond,
                                         TesseraTextContext       *uncond,
                                         const TesseraTextContext *empty);

/* The denoising UNet, for a batch of up to two latents (one unless
 * tessera_unet_set_batch says otherwise). Its graph takes the latents
 * (in_channels × H × W each, H and W multiples of 2^(levels − 1)) and
 * reads the timestep's features and each sample's text context from the
 * buffers below, which the caller fills before each run
 * (tessera_unet_set_timestep, tessera_unet_set_context); the context's
 * length is fixed when the graph is built. */
typedef struct _TesseraUNet TesseraUNet;

/* cond and uncond of each of up to 16 regions redrawn at once (the
 * redraw options' batch size) */
#define TESSERA_UNET_MAX_BATCH 32

TesseraUNet   *tessera_unet_new          (TesseraStateDict         *state_dict,
                                          const TesseraUNetConfig  *config,
                                          guint                     n_context_tokens,
                                          GError                  **error);
void           tessera_unet_free         (TesseraUNet              *self);
TesseraGraph  *tessera_unet_get_graph    (TesseraUNet              *self);
void           tessera_unet_set_batch    (TesseraUNet              *self,
                                          guint                     batch);
void           tessera_unet_set_timestep (TesseraUNet              *self,
                                          double                    timestep);
gboolean       tessera_unet_set_context  (TesseraUNet              *self,
                                          guint                     sample,
                                          const TesseraTextContext *context,
                                          GError                  **error);
void           tessera_sd_timestep_features (double                 timestep,
                                             guint                  channels,
                                             float                 *features);
char          *tessera_unet_ldm_name     (const TesseraUNetConfig  *config,
                                          const char               *name);

/* The VAE: the encoder gives the posterior's mean times the scaling
 * factor (what the UNet works on), the decoder takes such a latent back
 * to pixels in [-1, 1] (not clamped). */
typedef struct _TesseraVae TesseraVae;

TesseraVae    *tessera_vae_new                (TesseraStateDict        *state_dict,
                                               const TesseraVaeConfig  *config,
                                               GError                 **error);
void           tessera_vae_free               (TesseraVae              *self);
TesseraGraph  *tessera_vae_get_encoder        (TesseraVae              *self);
TesseraGraph  *tessera_vae_get_decoder        (TesseraVae              *self);
guint          tessera_vae_get_factor         (TesseraVae              *self);
char          *tessera_vae_ldm_name           (const TesseraVaeConfig  *config,
                                               const char              *name);

/* Runs @graph on @input of @shape into @output, as a backend does. */
typedef gboolean (*TesseraSdRunFunc) (TesseraGraph        *graph,
                                      const float         *input,
                                      const TesseraShape  *shape,
                                      float               *output,
                                      gpointer             user_data,
                                      GError             **error);

/* Encodes (@decode FALSE) or decodes in overlapping tiles of at most
 * @tile × @tile input pixels (latent pixels when decoding), @overlap of
 * them shared between neighbours and blended linearly, so that memory is
 * bounded by the tile. The group norms see a tile, not the whole image,
 * so the result differs slightly from an untiled run. @output holds the
 * whole result. */
gboolean       tessera_vae_run_tiled          (TesseraVae              *self,
                                               gboolean                 decode,
                                               const float             *input,
                                               const TesseraShape      *shape,
                                               guint                    tile,
                                               guint                    overlap,
                                               TesseraSdRunFunc         run,
                                               gpointer                 user_data,
                                               float                   *output,
                                               GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraTextEncoder, tessera_text_encoder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraUNet, tessera_unet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraVae, tessera_vae_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraTextContext, tessera_text_context_clear)

G_END_DECLS
