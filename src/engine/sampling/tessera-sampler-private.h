/* tessera-sampler-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-rng-private.h"
#include "tessera-schedule-private.h"

G_BEGIN_DECLS

/**
 * TesseraSamplerKind:
 * @TESSERA_SAMPLER_EULER: k-diffusion's `sample_euler` (A1111's "Euler")
 * @TESSERA_SAMPLER_EULER_A: `sample_euler_ancestral`, η = 1 ("Euler a")
 * @TESSERA_SAMPLER_HEUN: `sample_heun` ("Heun"), two model calls a step
 * @TESSERA_SAMPLER_DPMPP_2M: `sample_dpmpp_2m` ("DPM++ 2M")
 * @TESSERA_SAMPLER_DPMPP_2S_A: `sample_dpmpp_2s_ancestral`, η = 1
 *   ("DPM++ 2S a"), two model calls a step
 * @TESSERA_SAMPLER_DDIM: DDIM with η = 0 as A1111 runs it
 *   (`modules/sd_samplers_timesteps_impl.py`), on the model's timesteps
 *
 * The samplers. The ancestral ones draw one noise a step from the stream
 * given to tessera_sampler_run().
 */
typedef enum
{
  TESSERA_SAMPLER_EULER,
  TESSERA_SAMPLER_EULER_A,
  TESSERA_SAMPLER_HEUN,
  TESSERA_SAMPLER_DPMPP_2M,
  TESSERA_SAMPLER_DPMPP_2S_A,
  TESSERA_SAMPLER_DDIM,
} TesseraSamplerKind;

/**
 * TesseraDenoiseFunc:
 * @x: the noisy latent, as k-diffusion sees it (x₀ + σ·noise)
 * @sigma: its noise level
 * @denoised: (out caller-allocates): the model's estimate of x₀, as many
 *   values as @x
 * @data: the caller's data
 * @error: return location for a #GError
 *
 * The model as a denoiser, D(x; σ): with a #TesseraSchedule's scalings,
 * c_skip·x + c_out·F(c_in·x, sigma_to_t (σ)) for the network F.
 *
 * Classifier-free guidance belongs here, as A1111's CFGDenoiser does it:
 * run the network on the conditioned and the unconditioned prompt in one
 * batch (x and σ twice), then
 * denoised = uncond + cfg_scale × (cond − uncond). Being affine in F's
 * output, this equals guiding F's outputs themselves (A1111 guides ε for
 * DDIM).
 *
 * Returns: %FALSE with @error set to stop the run (an error, or the
 *   caller cancelling)
 */
typedef gboolean (*TesseraDenoiseFunc) (const float  *x,
                                        float         sigma,
                                        float        *denoised,
                                        gpointer      data,
                                        GError      **error);

/**
 * TesseraSamplerStepFunc:
 * @step: the step just done, from 0
 * @n_steps: the steps of the run
 * @x: the latent after it
 * @denoised: the model's estimate of the final latent at that step, what
 *   a live preview shows
 * @data: the caller's data
 *
 * Progress of a run, called after each step on the running thread.
 */
typedef void (*TesseraSamplerStepFunc) (guint        step,
                                        guint        n_steps,
                                        const float *x,
                                        const float *denoised,
                                        gpointer     data);

/* The levels one run goes through and where it starts, as A1111 computes
 * them (modules/sd_samplers_kdiffusion.py, sd_samplers_timesteps.py and
 * sd_samplers_common.py). */
typedef struct
{
  TesseraSamplerKind sampler;
  guint              n_steps;
  /* n_steps + 1 noise levels, falling; for k-diffusion's samplers the
   * last is 0, for DDIM the σ of timesteps[] */
  float             *sigmas;
  /* DDIM only: the model's timesteps the run goes through, falling, and
   * ᾱ at each; NULL for the others */
  guint             *timesteps;
  float             *alphas_cumprod;
  /* the start: init_latent × init_scale + noise × noise_scale */
  float              init_scale;
  float              noise_scale;
} TesseraSamplingPlan;

TesseraSamplingPlan *tessera_sampling_plan_new_txt2img (const TesseraSchedule  *schedule,
                                                        TesseraSamplerKind      sampler,
                                                        TesseraSigmaSpacing     spacing,
                                                        guint                   steps,
                                                        GError                **error);
TesseraSamplingPlan *tessera_sampling_plan_new_img2img (const TesseraSchedule  *schedule,
                                                        TesseraSamplerKind      sampler,
                                                        TesseraSigmaSpacing     spacing,
                                                        guint                   steps,
                                                        double                  denoise,
                                                        gboolean                exact_steps,
                                                        GError                **error);
void                 tessera_sampling_plan_free        (TesseraSamplingPlan    *plan);
void                 tessera_sampling_plan_start       (const TesseraSamplingPlan *plan,
                                                        const float            *init_latent,
                                                        const float            *noise,
                                                        float                  *x,
                                                        gsize                   n);

gboolean             tessera_sampler_run               (const TesseraSamplingPlan *plan,
                                                        float                  *x,
                                                        gsize                   n,
                                                        TesseraDenoiseFunc      denoise,
                                                        gpointer                denoise_data,
                                                        TesseraRng             *rng,
                                                        TesseraSamplerStepFunc  step_func,
                                                        gpointer                step_data,
                                                        GCancellable           *cancellable,
                                                        GError                **error);
gboolean             tessera_sampler_run_batch         (const TesseraSamplingPlan *plan,
                                                        float                  *x,
                                                        gsize                   n,
                                                        guint                   batch,
                                                        TesseraDenoiseFunc      denoise,
                                                        gpointer                denoise_data,
                                                        TesseraRng * const     *rngs,
                                                        TesseraSamplerStepFunc  step_func,
                                                        gpointer                step_data,
                                                        GCancellable           *cancellable,
                                                        GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraSamplingPlan, tessera_sampling_plan_free)

G_END_DECLS
