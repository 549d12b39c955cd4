/* tessera-redraw-networks.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-networks"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "backends/tessera-backend-private.h"
#include "core/tessera-error.h"
#include "diffusion/tessera-sd-nets-private.h"
#include "models/tessera-checkpoint-private.h"
#include "prompts/tessera-prompt-private.h"
#include "tessera-redraw-private.h"

/* Where the redraw meets the Stable Diffusion networks: the checkpoint's
 * text encoder, UNet and VAE as graphs, run on the CPU reference backend,
 * or on a CUDA device when one is named ("cuda", "cuda:N"); "auto" stays
 * on the CPU until the GPU suite has run these networks.
 * Each network is built when first needed and kept for the next call, the
 * text encoder again when the clip skip changes. A UNet's graph is built
 * for one context length; a prompt and a negative prompt of different
 * lengths (more 77-token chunks in one) each get their own, as A1111 runs
 * them apart rather than padding one. Prompts of one length run as one
 * batch of two on a backend that computes batches (the CPU). */

/* Pixels the VAE sees at once: larger images go through it in tiles. */
#define VAE_TILE         512
#define VAE_TILE_OVERLAP 64

typedef struct
{
  TesseraCheckpoint  *checkpoint;
  TesseraBackend     *backend;
  TesseraTextEncoder *encoder;
  guint               encoder_clip_skip;
  TesseraUNet        *unets[2];
  guint               unet_tokens[2];
  TesseraVae         *vae;
  /* where an fp16 VAE decode that overflowed is done again */
  TesseraBackend     *fp32_backend;
  char               *device;
  int                 device_index;
  TesseraPrecision    precision;
} SdNetworks;

static void
sd_free (gpointer data)
{
  SdNetworks *self = data;

  /* for build-aux/bench-redraw-gpu.sh; 0 where the backend keeps no count */
  if (self->backend != NULL)
    g_debug ("Device memory: %.1f MiB at the peak",
             tessera_backend_get_peak_memory (self->backend) / 1048576.0);
  g_clear_pointer (&self->encoder, tessera_text_encoder_free);
  g_clear_pointer (&self->unets[0], tessera_unet_free);
  g_clear_pointer (&self->unets[1], tessera_unet_free);
  g_clear_pointer (&self->vae, tessera_vae_free);
  g_clear_pointer (&self->backend, tessera_backend_free);
  g_clear_pointer (&self->fp32_backend, tessera_backend_free);
  g_clear_pointer (&self->device, g_free);
  g_clear_object (&self->checkpoint);
  g_free (self);
}

static gpointer
sd_load (TesseraCheckpoint     *checkpoint,
         TesseraRedrawOptions  *options,
         GCancellable          *cancellable,
         GError               **error)
{
  SdNetworks *self = g_new0 (SdNetworks, 1);
  const char *device = tessera_redraw_options_get_device (options);
  guint64 index = 0;

  self->checkpoint = g_object_ref (checkpoint);
  self->precision = tessera_redraw_options_get_precision (options);
  if (g_str_equal (device, "cuda") ||
      (g_str_has_prefix (device, "cuda:") && g_ascii_string_to_unsigned (device + 5, 10, 0, G_MAXINT, &index, NULL)))
    self->device = g_strdup ("cuda");
  else
    self->device = g_strdup ("cpu");
  self->device_index = (int) index;
  self->backend = tessera_backend_new (self->device, self->device_index, self->precision, error);
  if (self->backend == NULL)
    {
      sd_free (self);
      return NULL;
    }
  return self;
}

static gboolean
run_graph (TesseraGraph        *graph,
           const float         *input,
           const TesseraShape  *shape,
           float               *output,
           gpointer             user_data,
           GError             **error)
{
  return tessera_graph_run (graph, user_data, input, shape, output, NULL, error);
}

static TesseraStateDict *
part (SdNetworks            *self,
      TesseraCheckpointPart  which)
{
  return tessera_checkpoint_get_state_dict (self->checkpoint, which);
}

static gboolean
sd_encode_text (gpointer       data,
                GArray        *chunks,
                guint          clip_skip,
                float        **context,
                guint         *n_tokens,
                GCancellable  *cancellable,
                GError       **error)
{
  SdNetworks *self = data;
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (self->checkpoint);
  g_auto(TesseraTextContext) result = { 0 };
  g_autofree float *embeddings = NULL;
  g_autofree float *z = NULL;
  TesseraShape shape;

  /* A1111 applies clip skip to SD 1.x's CLIP only. */
  if (tessera_checkpoint_get_family (self->checkpoint) != TESSERA_CHECKPOINT_FAMILY_SD1)
    clip_skip = 1;
  if (self->encoder != NULL && self->encoder_clip_skip != clip_skip)
    g_clear_pointer (&self->encoder, tessera_text_encoder_free);
  if (self->encoder == NULL)
    {
      self->encoder = tessera_text_encoder_new (part (self, TESSERA_CHECKPOINT_PART_TEXT_ENCODER),
                                                &config->text_encoder, clip_skip, error);
      if (self->encoder == NULL)
        return FALSE;
      self->encoder_clip_skip = clip_skip;
    }

  shape = tessera_text_encoder_get_input_shape (self->encoder);
  embeddings = g_new (float, tessera_shape_size (&shape));
  z = g_new (float, tessera_shape_size (&shape));
  for (guint k = 0; k < chunks->len; k++)
    {
      const TesseraPromptChunk *chunk = &g_array_index (chunks, TesseraPromptChunk, k);

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !tessera_text_encoder_embed (self->encoder, chunk->ids, embeddings, error) ||
          !tessera_graph_run (tessera_text_encoder_get_graph (self->encoder), self->backend, embeddings,
                              &shape, z, cancellable, error))
        return FALSE;
      tessera_sd_apply_emphasis (z, shape.channels, shape.width, chunk->multipliers);
      tessera_text_context_append (&result, shape.channels, z, shape.width);
    }

  *n_tokens = result.n_tokens;
  *context = g_steal_pointer (&result.values);
  return TRUE;
}

static gboolean
sd_unet_batch (gpointer              data,
               const float          *x,
               guint                 batch,
               guint                 width,
               guint                 height,
               float                 timestep,
               const float * const  *contexts,
               guint                 n_tokens,
               float                *output,
               GCancellable         *cancellable,
               GError              **error)
{
  SdNetworks *self = data;
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (self->checkpoint);
  TesseraShape shape = { config->unet.in_channels, height, width };

  guint slot = self->unets[0] == NULL || self->unet_tokens[0] == n_tokens ? 0 : 1;
  TesseraUNet *unet;

  if (self->unets[slot] != NULL && self->unet_tokens[slot] != n_tokens)
    g_clear_pointer (&self->unets[slot], tessera_unet_free);
  if (self->unets[slot] == NULL)
    {
      self->unets[slot] = tessera_unet_new (part (self, TESSERA_CHECKPOINT_PART_UNET), &config->unet, n_tokens,
                                            error);
      if (self->unets[slot] == NULL)
        return FALSE;
      self->unet_tokens[slot] = n_tokens;
    }
  unet = self->unets[slot];

  tessera_unet_set_batch (unet, batch);
  tessera_unet_set_timestep (unet, timestep);
  for (guint s = 0; s < batch; s++)
    {
      TesseraTextContext text = { config->text_encoder.width, n_tokens, (float *) contexts[s] };

      if (!tessera_unet_set_context (unet, s, &text, error))
        return FALSE;
    }
  return tessera_graph_run (tessera_unet_get_graph (unet), self->backend, x, &shape, output, cancellable, error);
}

static gboolean
sd_unet (gpointer       data,
         const float   *x,
         guint          width,
         guint          height,
         float          timestep,
         const float   *context,
         guint          n_tokens,
         float         *output,
         GCancellable  *cancellable,
         GError       **error)
{
  return sd_unet_batch (data, x, 1, width, height, timestep, &context, n_tokens, output, cancellable, error);
}

/* The CUDA backend would run a batch's samples one after the other. */
static gboolean
sd_batches (gpointer data)
{
  SdNetworks *self = data;

  return tessera_backend_computes_batches (self->backend);
}

static TesseraVae *
ensure_vae (SdNetworks  *self,
            GError     **error)
{
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (self->checkpoint);

  if (self->vae == NULL)
    self->vae = tessera_vae_new (part (self, TESSERA_CHECKPOINT_PART_VAE), &config->vae, error);
  return self->vae;
}

static gboolean
sd_vae_encode (gpointer       data,
               const float   *rgb,
               guint          width,
               guint          height,
               float         *latent,
               GCancellable  *cancellable,
               GError       **error)
{
  SdNetworks *self = data;
  TesseraShape shape = { 3, height, width };

  return ensure_vae (self, error) != NULL &&
         !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         tessera_vae_run_tiled (self->vae, FALSE, rgb, &shape, VAE_TILE, VAE_TILE_OVERLAP, run_graph,
                                self->backend, latent, error);
}

static gboolean
all_finite (const float *values,
            gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (!isfinite (values[i]))
      return FALSE;
  return TRUE;
}

static gboolean
sd_vae_decode (gpointer       data,
               const float   *latent,
               guint          width,
               guint          height,
               float         *rgb,
               GCancellable  *cancellable,
               GError       **error)
{
  SdNetworks *self = data;
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (self->checkpoint);
  TesseraShape shape = { config->vae.latent_channels, height, width };
  guint factor;

  if (ensure_vae (self, error) == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  factor = tessera_vae_get_factor (self->vae);
  if (!tessera_vae_run_tiled (self->vae, TRUE, latent, &shape, VAE_TILE / factor, VAE_TILE_OVERLAP / factor,
                              run_graph, self->backend, rgb, error))
    return FALSE;

  /* SD VAEs overflow fp16 on some images, as A1111 knows ("A tensor
   * with NaNs was produced in VAE"); it then decodes again in fp32, and
   * so does Tessera. The CPU computes in fp32 whatever it is asked. */
  if (self->precision != TESSERA_PRECISION_FP16 || g_str_equal (self->device, "cpu") ||
      all_finite (rgb, (gsize) 3 * height * factor * width * factor))
    return TRUE;

  g_message (_("The VAE gave NaN or infinity in fp16; decoding again in fp32"));
  if (self->fp32_backend == NULL)
    self->fp32_backend = tessera_backend_new (self->device, self->device_index, TESSERA_PRECISION_FP32, error);
  return self->fp32_backend != NULL &&
         tessera_vae_run_tiled (self->vae, TRUE, latent, &shape, VAE_TILE / factor, VAE_TILE_OVERLAP / factor,
                                run_graph, self->fp32_backend, rgb, error);
}

static void
sd_geometry (gpointer  data,
             guint    *channels,
             guint    *factor,
             guint    *multiple)
{
  SdNetworks *self = data;
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (self->checkpoint);

  /* The UNet halves the latent at every level but the last. */
  *channels = config->vae.latent_channels;
  *factor = 1u << (config->vae.n_levels - 1);
  *multiple = *factor << (config->unet.n_levels - 1);
}

const TesseraRedrawNetworks tessera_redraw_sd_networks = {
  .load = sd_load,
  .encode_text = sd_encode_text,
  .unet = sd_unet,
  .unet_batch = sd_unet_batch,
  .batches = sd_batches,
  .vae_encode = sd_vae_encode,
  .vae_decode = sd_vae_decode,
  .geometry = sd_geometry,
  .free = sd_free,
};
