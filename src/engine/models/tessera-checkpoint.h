/* tessera-checkpoint.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "sampling/tessera-prediction.h"

G_BEGIN_DECLS

/**
 * TesseraCheckpointFamily:
 * @TESSERA_CHECKPOINT_FAMILY_SD1: Stable Diffusion 1.x: CLIP ViT-L/14 text
 *   encoder, 512 × 512
 * @TESSERA_CHECKPOINT_FAMILY_SD2: Stable Diffusion 2.x 512: OpenCLIP
 *   ViT-H/14 text encoder, ε-prediction
 * @TESSERA_CHECKPOINT_FAMILY_SD2_V: Stable Diffusion 2.x 768-v: the same
 *   networks, v-prediction
 *
 * The families of Stable Diffusion that Tessera reads. Files of the others
 * (SDXL, Stable Diffusion 3, Flux, Stable Cascade…) are refused with an
 * error that names them.
 */
typedef enum
{
  TESSERA_CHECKPOINT_FAMILY_SD1,
  TESSERA_CHECKPOINT_FAMILY_SD2,
  TESSERA_CHECKPOINT_FAMILY_SD2_V,
} TesseraCheckpointFamily;

/**
 * TesseraCheckpointPart:
 * @TESSERA_CHECKPOINT_PART_UNET: the denoising UNet
 * @TESSERA_CHECKPOINT_PART_VAE: the VAE (AutoencoderKL), between pixels
 *   and latents
 * @TESSERA_CHECKPOINT_PART_TEXT_ENCODER: the CLIP text encoder
 *
 * The networks a checkpoint holds.
 */
typedef enum
{
  TESSERA_CHECKPOINT_PART_UNET,
  TESSERA_CHECKPOINT_PART_VAE,
  TESSERA_CHECKPOINT_PART_TEXT_ENCODER,
} TesseraCheckpointPart;

#define TESSERA_CHECKPOINT_N_PARTS 3

#define TESSERA_TYPE_CHECKPOINT (tessera_checkpoint_get_type ())

G_DECLARE_FINAL_TYPE (TesseraCheckpoint, tessera_checkpoint, TESSERA, CHECKPOINT, GObject)

TesseraCheckpoint      *tessera_checkpoint_new_from_file          (GFile                 *file,
                                                                   GCancellable          *cancellable,
                                                                   GError               **error);
gboolean                tessera_checkpoint_set_vae_file           (TesseraCheckpoint     *self,
                                                                   GFile                 *file,
                                                                   GCancellable          *cancellable,
                                                                   GError               **error);
GFile                  *tessera_checkpoint_get_file               (TesseraCheckpoint     *self);
GFile                  *tessera_checkpoint_get_vae_file           (TesseraCheckpoint     *self);
const char             *tessera_checkpoint_get_name               (TesseraCheckpoint     *self);
const char             *tessera_checkpoint_get_format             (TesseraCheckpoint     *self);
TesseraCheckpointFamily tessera_checkpoint_get_family             (TesseraCheckpoint     *self);
TesseraPrediction       tessera_checkpoint_get_prediction         (TesseraCheckpoint     *self);
const char             *tessera_checkpoint_get_prediction_source  (TesseraCheckpoint     *self);
gboolean                tessera_checkpoint_has_part               (TesseraCheckpoint     *self,
                                                                   TesseraCheckpointPart  part);
guint64                 tessera_checkpoint_get_n_params           (TesseraCheckpoint     *self,
                                                                   TesseraCheckpointPart  part);
const char             *tessera_checkpoint_get_dtype              (TesseraCheckpoint     *self,
                                                                   TesseraCheckpointPart  part);
gboolean                tessera_checkpoint_get_has_ema            (TesseraCheckpoint     *self);
const char             *tessera_checkpoint_get_short_hash         (TesseraCheckpoint     *self);
GVariant               *tessera_checkpoint_get_hyperparameters    (TesseraCheckpoint     *self,
                                                                   TesseraCheckpointPart  part);

const char             *tessera_checkpoint_family_to_string       (TesseraCheckpointFamily family);
const char             *tessera_checkpoint_family_get_title       (TesseraCheckpointFamily family);
const char             *tessera_prediction_to_string              (TesseraPrediction      prediction);
const char             *tessera_checkpoint_part_to_string         (TesseraCheckpointPart  part);

G_END_DECLS
