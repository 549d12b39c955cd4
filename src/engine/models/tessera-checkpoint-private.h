/* tessera-checkpoint-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-state-dict-private.h"
#include "diffusion/tessera-sd-private.h"
#include "sampling/tessera-schedule-private.h"
#include "tessera-checkpoint.h"

G_BEGIN_DECLS

/* What the graph builders need of a checkpoint: each network's
 * hyper-parameters, and its tensors (tessera_checkpoint_get_state_dict)
 * under the names the config's `keys` says, without the file's prefix:
 *
 *   UNet          latent-diffusion's (input_blocks.0.0.weight…) from a
 *                 single file, diffusers' (conv_in.weight…) from a folder
 *   VAE           likewise (encoder.down.0.block.0…, or
 *                 encoder.down_blocks.0.resnets.0…)
 *   text encoder  Hugging Face's without text_model.
 *                 (embeddings.token_embedding.weight…) or OpenCLIP's
 *                 (token_embedding.weight, transformer.resblocks.0…)
 *
 * `vae` and `text_encoder` hold something only when the checkpoint has
 * that part. `noise` is the training noise schedule the samplers need:
 * from a folder's scheduler config or a latent-diffusion yaml beside a
 * single file, else the one SD 1.x and 2.x were trained on. */
typedef struct
{
  TesseraBetaSchedule beta_schedule;
  double              beta_start;
  double              beta_end;
  guint               n_timesteps;
} TesseraNoiseConfig;

typedef struct
{
  TesseraSdVersion   version;
  TesseraUNetConfig  unet;
  TesseraVaeConfig   vae;
  TesseraClipConfig  text_encoder;
  TesseraNoiseConfig noise;
} TesseraCheckpointConfig;

const TesseraCheckpointConfig *tessera_checkpoint_get_config     (TesseraCheckpoint     *self);
TesseraStateDict              *tessera_checkpoint_get_state_dict (TesseraCheckpoint     *self,
                                                                  TesseraCheckpointPart  part);

G_END_DECLS
