/* tessera-schedule-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-prediction.h"

G_BEGIN_DECLS

/**
 * TesseraBetaSchedule:
 * @TESSERA_BETA_SCALED_LINEAR: βs whose square roots are evenly spaced (SD 1.x
 *   and 2.x; what their LDM configs call "linear")
 * @TESSERA_BETA_LINEAR: evenly spaced βs (DDPM)
 *
 * How the βs of a model's training noise grow, from a diffusers config's
 * `beta_schedule`.
 */
typedef enum
{
  TESSERA_BETA_SCALED_LINEAR,
  TESSERA_BETA_LINEAR,
} TesseraBetaSchedule;

/**
 * TesseraSigmaSpacing:
 * @TESSERA_SIGMAS_NORMAL: the model's own noise levels at evenly spaced
 *   timesteps (k-diffusion's `get_sigmas`, A1111's "Automatic"/"Uniform")
 * @TESSERA_SIGMAS_KARRAS: Karras et al. (2022), ρ = 7
 * @TESSERA_SIGMAS_EXPONENTIAL: evenly spaced in log σ
 *
 * How a run spaces its noise levels between the model's largest and
 * smallest.
 */
typedef enum
{
  TESSERA_SIGMAS_NORMAL,
  TESSERA_SIGMAS_KARRAS,
  TESSERA_SIGMAS_EXPONENTIAL,
} TesseraSigmaSpacing;

/* A discrete-time diffusion model's noise, as k-diffusion's CompVisDenoiser
 * and CompVisVDenoiser (external.py) see it: its ᾱ (alphas_cumprod) at each
 * training timestep t, the noise level σ_t = √((1 − ᾱ_t) / ᾱ_t) there, the
 * map between σ and fractional timesteps, and the scalings that turn the
 * model into a denoiser D(x; σ) = c_skip·x + c_out·F(c_in·x, t(σ)). */
typedef struct _TesseraSchedule TesseraSchedule;

TesseraSchedule  *tessera_schedule_new             (TesseraPrediction         prediction,
                                                    TesseraBetaSchedule       beta_schedule,
                                                    double                    beta_start,
                                                    double                    beta_end,
                                                    guint                     n_timesteps,
                                                    GError                  **error);
TesseraSchedule  *tessera_schedule_new_from_alphas (TesseraPrediction         prediction,
                                                    const float              *alphas_cumprod,
                                                    guint                     n_timesteps,
                                                    GError                  **error);
void              tessera_schedule_free            (TesseraSchedule          *schedule);

TesseraPrediction tessera_schedule_get_prediction  (const TesseraSchedule    *schedule);
guint             tessera_schedule_get_n_timesteps (const TesseraSchedule    *schedule);
const float      *tessera_schedule_get_alphas_cumprod (const TesseraSchedule *schedule);
float             tessera_schedule_get_sigma       (const TesseraSchedule    *schedule,
                                                    guint                     t);
float             tessera_schedule_get_sigma_min   (const TesseraSchedule    *schedule);
float             tessera_schedule_get_sigma_max   (const TesseraSchedule    *schedule);

float             tessera_schedule_sigma_to_t      (const TesseraSchedule    *schedule,
                                                    float                     sigma);
float             tessera_schedule_t_to_sigma      (const TesseraSchedule    *schedule,
                                                    float                     t);
float            *tessera_schedule_get_sigmas      (const TesseraSchedule    *schedule,
                                                    TesseraSigmaSpacing       spacing,
                                                    guint                     n);
void              tessera_schedule_get_scalings    (const TesseraSchedule    *schedule,
                                                    float                     sigma,
                                                    float                    *c_skip,
                                                    float                    *c_out,
                                                    float                    *c_in);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraSchedule, tessera_schedule_free)

G_END_DECLS
