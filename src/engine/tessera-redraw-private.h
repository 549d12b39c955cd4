/* tessera-redraw-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-progress-private.h"
#include "image/tessera-resample-private.h"
#include "tessera-redraw.h"

G_BEGIN_DECLS

/* the latent channels the preview knows */
#define TESSERA_REDRAW_LATENT_CHANNELS 4
#define TESSERA_REDRAW_MIN_SIZE        16

/* The three networks of a checkpoint, as the redraw pipeline calls them.
 * Everything Stable Diffusion computes goes through here, so that the
 * pipeline can be tested with stand-ins and the networks replaced in one
 * place.
 *
 *   encode_text  a prompt's 77-token chunks → the context, width × 1 ×
 *                (77 × n_chunks), after clip skip and A1111's emphasis
 *   unet         one call, batch 1: the latent (already × c_in), the
 *                fractional timestep, a context → the raw output (ε or v)
 *   unet_batch   optional: one call on @batch latents one after the
 *                other, each with its own context, all of @n_tokens, →
 *                their outputs one after the other
 *   batches      optional: whether unet_batch() on the loaded networks
 *                is worth more than as many unet() calls (whether the
 *                device computes batches); NULL: yes
 *   vae_encode   RGB in [−1, 1], 3 × H × W → the posterior mean × the
 *                scaling factor, 4 × H/8 × W/8
 *   vae_decode   the reverse, to RGB in about [−1, 1]
 *   geometry     the latent's channels, the VAE's pixels per latent pixel
 *                each way (8 for Stable Diffusion), and what an image's
 *                sides must be multiples of for the VAE and the UNet
 */
typedef struct
{
  gpointer (*load)        (TesseraCheckpoint     *checkpoint,
                           TesseraRedrawOptions  *options,
                           GCancellable          *cancellable,
                           GError               **error);
  gboolean (*encode_text) (gpointer               networks,
                           GArray                *chunks,
                           guint                  clip_skip,
                           float                **context,
                           guint                 *n_tokens,
                           GCancellable          *cancellable,
                           GError               **error);
  gboolean (*unet)        (gpointer               networks,
                           const float           *x,
                           guint                  width,
                           guint                  height,
                           float                  timestep,
                           const float           *context,
                           guint                  n_tokens,
                           float                 *output,
                           GCancellable          *cancellable,
                           GError               **error);
  gboolean (*unet_batch)  (gpointer               networks,
                           const float           *x,
                           guint                  batch,
                           guint                  width,
                           guint                  height,
                           float                  timestep,
                           const float * const   *contexts,
                           guint                  n_tokens,
                           float                 *output,
                           GCancellable          *cancellable,
                           GError               **error);
  gboolean (*batches)     (gpointer               networks);
  gboolean (*vae_encode)  (gpointer               networks,
                           const float           *rgb,
                           guint                  width,
                           guint                  height,
                           float                 *latent,
                           GCancellable          *cancellable,
                           GError               **error);
  gboolean (*vae_decode)  (gpointer               networks,
                           const float           *latent,
                           guint                  width,
                           guint                  height,
                           float                 *rgb,
                           GCancellable          *cancellable,
                           GError               **error);
  void     (*geometry)    (gpointer               networks,
                           guint                 *channels,
                           guint                 *factor,
                           guint                 *multiple);
  void     (*free)        (gpointer               networks);
} TesseraRedrawNetworks;

extern const TesseraRedrawNetworks tessera_redraw_sd_networks;

/* tessera-redraw-session.c: the networks loaded and the prompts encoded,
 * for the regions of a run */
typedef struct _TesseraRedrawSession TesseraRedrawSession;

TesseraRedrawSession *tessera_redraw_session_new          (TesseraEngine               *engine,
                                                           const TesseraRedrawNetworks *networks,
                                                           TesseraCheckpoint           *checkpoint,
                                                           TesseraRedrawOptions        *options,
                                                           GArray                      *cond_chunks,
                                                           GArray                      *uncond_chunks,
                                                           GCancellable                *cancellable,
                                                           TesseraProgress             *progress,
                                                           GError                     **error);
void                  tessera_redraw_session_free         (TesseraRedrawSession  *self);
void                  tessera_redraw_session_log_times    (TesseraRedrawSession  *self,
                                                           gint64                 total,
                                                           gint64                 first_stage);
TesseraImage         *tessera_redraw_session_latent_upscale (TesseraRedrawSession  *self,
                                                             TesseraImage          *input,
                                                             guint32                seed,
                                                             TesseraImage         **target,
                                                             GError               **error);

void                  tessera_redraw_session_get_geometry (TesseraRedrawSession  *self,
                                                           guint                 *factor,
                                                           guint                 *multiple);
TesseraRedrawOptions *tessera_redraw_session_get_options  (TesseraRedrawSession  *self);
gboolean              tessera_redraw_session_redraw       (TesseraRedrawSession  *self,
                                                           float                 *rgb,
                                                           guint                  width,
                                                           guint                  height,
                                                           const float           *latent_mask,
                                                           double                 denoise,
                                                           guint32                seed,
                                                           guint                  job,
                                                           guint                  n_jobs,
                                                           GError               **error);
gboolean              tessera_redraw_session_redraw_batch (TesseraRedrawSession  *self,
                                                           float * const         *rgbs,
                                                           guint                  batch,
                                                           guint                  width,
                                                           guint                  height,
                                                           double                 denoise,
                                                           guint32                seed,
                                                           guint                  job,
                                                           guint                  n_jobs,
                                                           GError               **error);

/* tessera-redraw-tiles.c */

TesseraImage *tessera_redraw_tiles_run       (TesseraRedrawSession        *session,
                                              TesseraImage                *image,
                                              gboolean                     in_place,
                                              guint32                      seed,
                                              GError                     **error);

TesseraImage *tessera_redraw_run             (TesseraEngine               *engine,
                                              TesseraImage                *input,
                                              TesseraCheckpoint           *checkpoint,
                                              TesseraRedrawOptions        *options,
                                              const TesseraRedrawNetworks *networks,
                                              GCancellable                *cancellable,
                                              TesseraProgress             *progress,
                                              GError                     **error);

float        *tessera_redraw_pad_rgb         (TesseraImage                *image,
                                              guint                        multiple,
                                              guint                       *padded_width,
                                              guint                       *padded_height);
TesseraImage *tessera_redraw_crop_rgb        (const float                 *rgb,
                                              guint                        padded_width,
                                              guint                        padded_height,
                                              TesseraImage                *source);
TesseraImage *tessera_redraw_resample_exact  (TesseraImage                *image,
                                              TesseraImage                *input,
                                              guint                        width,
                                              guint                        height,
                                              GCancellable                *cancellable,
                                              TesseraFractionFunc          progress,
                                              gpointer                     progress_data,
                                              GError                     **error);
char         *tessera_redraw_format_parameters (TesseraRedrawOptions      *options,
                                                TesseraCheckpoint         *checkpoint,
                                                guint32                    seed,
                                                guint                      width,
                                                guint                      height);

gpointer      tessera_engine_acquire_redraw_networks (TesseraEngine                *self,
                                                      const TesseraRedrawNetworks  *vtable,
                                                      TesseraCheckpoint            *checkpoint,
                                                      TesseraRedrawOptions         *options,
                                                      GCancellable                 *cancellable,
                                                      GError                      **error);
void          tessera_engine_return_redraw_networks  (TesseraEngine                *self,
                                                      const TesseraRedrawNetworks  *vtable,
                                                      gpointer                      nets,
                                                      TesseraCheckpoint            *checkpoint,
                                                      TesseraRedrawOptions         *options);

G_END_DECLS
