/* tessera-redraw-options.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "backends/tessera-precision.h"

G_BEGIN_DECLS

/**
 * TesseraRedrawSampler:
 * @TESSERA_REDRAW_SAMPLER_EULER: A1111's "Euler"
 * @TESSERA_REDRAW_SAMPLER_EULER_A: "Euler a", A1111's default
 * @TESSERA_REDRAW_SAMPLER_HEUN: "Heun", two model calls a step
 * @TESSERA_REDRAW_SAMPLER_DPMPP_2M: "DPM++ 2M"
 * @TESSERA_REDRAW_SAMPLER_DPMPP_2S_A: "DPM++ 2S a", two model calls a step
 * @TESSERA_REDRAW_SAMPLER_DDIM: "DDIM", η = 0
 *
 * The samplers a redraw can use.
 */
typedef enum
{
  TESSERA_REDRAW_SAMPLER_EULER,
  TESSERA_REDRAW_SAMPLER_EULER_A,
  TESSERA_REDRAW_SAMPLER_HEUN,
  TESSERA_REDRAW_SAMPLER_DPMPP_2M,
  TESSERA_REDRAW_SAMPLER_DPMPP_2S_A,
  TESSERA_REDRAW_SAMPLER_DDIM,
} TesseraRedrawSampler;

/**
 * TesseraRedrawScheduler:
 * @TESSERA_REDRAW_SCHEDULER_NORMAL: the model's own noise levels at evenly
 *   spaced timesteps (A1111's "Automatic")
 * @TESSERA_REDRAW_SCHEDULER_KARRAS: Karras et al., ρ = 7
 * @TESSERA_REDRAW_SCHEDULER_EXPONENTIAL: evenly spaced in log σ
 *
 * How a redraw spaces its noise levels.
 */
typedef enum
{
  TESSERA_REDRAW_SCHEDULER_NORMAL,
  TESSERA_REDRAW_SCHEDULER_KARRAS,
  TESSERA_REDRAW_SCHEDULER_EXPONENTIAL,
} TesseraRedrawScheduler;

/**
 * TesseraRedrawRng:
 * @TESSERA_REDRAW_RNG_CPU: PyTorch's CPU generator (A1111's "CPU", ComfyUI)
 * @TESSERA_REDRAW_RNG_NV: A1111's "NV", its default: the numbers an NVIDIA
 *   GPU draws, on any machine
 *
 * Where a redraw's noise comes from.
 */
typedef enum
{
  TESSERA_REDRAW_RNG_CPU,
  TESSERA_REDRAW_RNG_NV,
} TesseraRedrawRng;

/* After an upscale a light touch keeps the picture: A1111's img2img
 * default of 0.75 repaints it. */
#define TESSERA_REDRAW_DEFAULT_DENOISE 0.35
#define TESSERA_REDRAW_DEFAULT_STEPS   20
#define TESSERA_REDRAW_DEFAULT_CFG     7.0
#define TESSERA_REDRAW_RANDOM_SEED     (-1)

#define TESSERA_TYPE_REDRAW_OPTIONS (tessera_redraw_options_get_type ())

G_DECLARE_FINAL_TYPE (TesseraRedrawOptions, tessera_redraw_options, TESSERA, REDRAW_OPTIONS, GObject)

TesseraRedrawOptions  *tessera_redraw_options_new                (void);
TesseraRedrawOptions  *tessera_redraw_options_copy               (TesseraRedrawOptions   *self);
gboolean               tessera_redraw_options_validate           (TesseraRedrawOptions   *self,
                                                                  GError                **error);

const char            *tessera_redraw_options_get_prompt         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_prompt         (TesseraRedrawOptions   *self,
                                                                  const char             *prompt);
const char            *tessera_redraw_options_get_negative_prompt (TesseraRedrawOptions  *self);
void                   tessera_redraw_options_set_negative_prompt (TesseraRedrawOptions  *self,
                                                                   const char            *negative_prompt);
double                 tessera_redraw_options_get_denoise        (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_denoise        (TesseraRedrawOptions   *self,
                                                                  double                  denoise);
guint                  tessera_redraw_options_get_steps          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_steps          (TesseraRedrawOptions   *self,
                                                                  guint                   steps);
double                 tessera_redraw_options_get_cfg            (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_cfg            (TesseraRedrawOptions   *self,
                                                                  double                  cfg);
TesseraRedrawSampler   tessera_redraw_options_get_sampler        (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_sampler        (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawSampler    sampler);
TesseraRedrawScheduler tessera_redraw_options_get_scheduler      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_scheduler      (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawScheduler  scheduler);
gint64                 tessera_redraw_options_get_seed           (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_seed           (TesseraRedrawOptions   *self,
                                                                  gint64                  seed);
TesseraRedrawRng       tessera_redraw_options_get_rng            (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_rng            (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawRng        rng);
guint                  tessera_redraw_options_get_clip_skip      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_clip_skip      (TesseraRedrawOptions   *self,
                                                                  guint                   clip_skip);
gboolean               tessera_redraw_options_get_exact_steps    (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_exact_steps    (TesseraRedrawOptions   *self,
                                                                  gboolean                exact_steps);
GFile                 *tessera_redraw_options_get_vae_file       (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_vae_file       (TesseraRedrawOptions   *self,
                                                                  GFile                  *vae_file);
const char            *tessera_redraw_options_get_tiles          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_tiles          (TesseraRedrawOptions   *self,
                                                                  const char             *tiles);
const char            *tessera_redraw_options_get_device         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_device         (TesseraRedrawOptions   *self,
                                                                  const char             *device);
TesseraPrecision       tessera_redraw_options_get_precision      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_precision      (TesseraRedrawOptions   *self,
                                                                  TesseraPrecision        precision);
const char            *tessera_redraw_options_get_upscaler       (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_upscaler       (TesseraRedrawOptions   *self,
                                                                  const char             *upscaler);
double                 tessera_redraw_options_get_scale          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_scale          (TesseraRedrawOptions   *self,
                                                                  double                  scale);
guint                  tessera_redraw_options_get_width          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_width          (TesseraRedrawOptions   *self,
                                                                  guint                   width);
guint                  tessera_redraw_options_get_height         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_height         (TesseraRedrawOptions   *self,
                                                                  guint                   height);

gboolean               tessera_redraw_sampler_from_name          (const char             *name,
                                                                  TesseraRedrawSampler   *sampler);
const char            *tessera_redraw_sampler_to_name            (TesseraRedrawSampler    sampler);
const char            *tessera_redraw_sampler_get_label          (TesseraRedrawSampler    sampler);
gboolean               tessera_redraw_scheduler_from_name        (const char             *name,
                                                                  TesseraRedrawScheduler *scheduler);
const char            *tessera_redraw_scheduler_to_name          (TesseraRedrawScheduler  scheduler);
gboolean               tessera_redraw_rng_from_name              (const char             *name,
                                                                  TesseraRedrawRng       *rng);
const char            *tessera_redraw_rng_to_name                (TesseraRedrawRng        rng);

G_END_DECLS
