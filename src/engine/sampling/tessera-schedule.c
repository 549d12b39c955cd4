/* tessera-schedule.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-schedule"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-schedule-private.h"

struct _TesseraSchedule
{
  TesseraPrediction prediction;
  guint             n_timesteps;
  float            *alphas_cumprod;
  float            *sigmas;       /* rising with t */
  double           *log_sigmas;
};

/* The i-th of n evenly spaced values from start to end, as torch.linspace
 * computes them: from the nearer end, so both ends come out exact. */
static double
linspace_at (double start,
             double end,
             guint  n,
             guint  i)
{
  double step;

  if (n == 1)
    return start;
  step = (end - start) / (n - 1);
  if (i < n / 2)
    return start + step * i;
  return end - step * (n - 1 - i);
}

static TesseraSchedule *
schedule_new (TesseraPrediction prediction,
              float            *alphas_cumprod,
              guint             n_timesteps)
{
  TesseraSchedule *schedule = g_new0 (TesseraSchedule, 1);

  schedule->prediction = prediction;
  schedule->n_timesteps = n_timesteps;
  schedule->alphas_cumprod = alphas_cumprod;
  schedule->sigmas = g_new (float, n_timesteps);
  schedule->log_sigmas = g_new (double, n_timesteps);
  for (guint t = 0; t < n_timesteps; t++)
    {
      float alpha = alphas_cumprod[t];

      /* float32 steps, as k-diffusion computes them from the stored ᾱ */
      schedule->sigmas[t] = sqrtf ((1.0f - alpha) / alpha);
      schedule->log_sigmas[t] = log (schedule->sigmas[t]);
    }
  return schedule;
}

static gboolean
check_n_timesteps (guint    n_timesteps,
                   GError **error)
{
  if (n_timesteps < 2)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("a noise schedule needs at least 2 timesteps, not %u"), n_timesteps);
      return FALSE;
    }
  return TRUE;
}

/**
 * tessera_schedule_new:
 * @prediction: what the model predicts
 * @beta_schedule: how its βs grow
 * @beta_start: the first β (SD: 0.00085)
 * @beta_end: the last β (SD: 0.012)
 * @n_timesteps: the training timesteps (SD: 1000)
 * @error: return location for a #GError
 *
 * The schedule of a model configured as diffusers' scheduler configs and
 * LDM's yaml files describe it. ᾱ is computed as LDM computes it, in
 * float64, then stored as float32, as the checkpoints hold it.
 *
 * Returns: (transfer full): the schedule, or %NULL for impossible βs
 */
TesseraSchedule *
tessera_schedule_new (TesseraPrediction     prediction,
                      TesseraBetaSchedule   beta_schedule,
                      double                beta_start,
                      double                beta_end,
                      guint                 n_timesteps,
                      GError              **error)
{
  float *alphas_cumprod;
  double product = 1.0;

  if (!check_n_timesteps (n_timesteps, error))
    return NULL;
  if (!(beta_start > 0 && beta_start < 1 && beta_end > 0 && beta_end < 1))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("the noise schedule’s beta_start and beta_end must lie between 0 and 1, not %g and %g"),
                   beta_start, beta_end);
      return NULL;
    }

  alphas_cumprod = g_new (float, n_timesteps);
  for (guint t = 0; t < n_timesteps; t++)
    {
      double beta;

      if (beta_schedule == TESSERA_BETA_SCALED_LINEAR)
        {
          double root = linspace_at (sqrt (beta_start), sqrt (beta_end), n_timesteps, t);

          beta = root * root;
        }
      else
        {
          beta = linspace_at (beta_start, beta_end, n_timesteps, t);
        }
      product *= 1.0 - beta;
      alphas_cumprod[t] = (float) product;
    }
  return schedule_new (prediction, alphas_cumprod, n_timesteps);
}

/**
 * tessera_schedule_new_from_alphas:
 * @prediction: what the model predicts
 * @alphas_cumprod: (array length=n_timesteps): ᾱ at each timestep, as a
 *   checkpoint's `alphas_cumprod` holds it
 * @n_timesteps: the training timesteps
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the schedule, or %NULL unless each ᾱ lies in
 *   (0, 1) and is smaller than the one before
 */
TesseraSchedule *
tessera_schedule_new_from_alphas (TesseraPrediction   prediction,
                                  const float        *alphas_cumprod,
                                  guint               n_timesteps,
                                  GError            **error)
{
  if (!check_n_timesteps (n_timesteps, error))
    return NULL;
  for (guint t = 0; t < n_timesteps; t++)
    {
      float alpha = alphas_cumprod[t];

      if (!(alpha > 0 && alpha < 1) || (t > 0 && !(alpha < alphas_cumprod[t - 1])))
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("alphas_cumprod must lie between 0 and 1 and fall from each timestep to the next, but at timestep %u it is %g"),
                       t, alpha);
          return NULL;
        }
    }
  return schedule_new (prediction, g_memdup2 (alphas_cumprod, n_timesteps * sizeof (float)), n_timesteps);
}

void
tessera_schedule_free (TesseraSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_free (schedule->alphas_cumprod);
  g_free (schedule->sigmas);
  g_free (schedule->log_sigmas);
  g_free (schedule);
}

TesseraPrediction
tessera_schedule_get_prediction (const TesseraSchedule *schedule)
{
  return schedule->prediction;
}

guint
tessera_schedule_get_n_timesteps (const TesseraSchedule *schedule)
{
  return schedule->n_timesteps;
}

/* Returns: (array) (transfer none): ᾱ at each of the timesteps */
const float *
tessera_schedule_get_alphas_cumprod (const TesseraSchedule *schedule)
{
  return schedule->alphas_cumprod;
}

/* The noise level at timestep @t. */
float
tessera_schedule_get_sigma (const TesseraSchedule *schedule,
                            guint                  t)
{
  g_return_val_if_fail (t < schedule->n_timesteps, 0);

  return schedule->sigmas[t];
}

float
tessera_schedule_get_sigma_min (const TesseraSchedule *schedule)
{
  return schedule->sigmas[0];
}

float
tessera_schedule_get_sigma_max (const TesseraSchedule *schedule)
{
  return schedule->sigmas[schedule->n_timesteps - 1];
}

/**
 * tessera_schedule_sigma_to_t:
 * @schedule: a schedule
 * @sigma: a noise level, more than 0
 *
 * The fractional timestep the model is given at @sigma: interpolated
 * linearly in log σ between the two timesteps around it, and held at the
 * ends beyond them. A σ of the schedule itself gives its timestep exactly.
 */
float
tessera_schedule_sigma_to_t (const TesseraSchedule *schedule,
                             float                  sigma)
{
  double log_sigma = log (sigma);
  guint low = 0, high = schedule->n_timesteps - 1;
  double w;

  /* the last timestep whose log σ is at most log_sigma, or 0; but at
   * most the one before the last, so that there is one above it */
  while (high - low > 1)
    {
      guint middle = low + (high - low) / 2;

      if (schedule->log_sigmas[middle] <= log_sigma)
        low = middle;
      else
        high = middle;
    }
  w = (schedule->log_sigmas[low] - log_sigma) / (schedule->log_sigmas[low] - schedule->log_sigmas[low + 1]);
  w = CLAMP (w, 0.0, 1.0);
  return (float) ((1 - w) * low + w * (low + 1));
}

/* The noise level at a fractional timestep, interpolated in log σ. */
float
tessera_schedule_t_to_sigma (const TesseraSchedule *schedule,
                             float                  t)
{
  guint low = (guint) floorf (t);
  guint high = (guint) ceilf (t);
  double w = t - low;

  g_return_val_if_fail (t >= 0 && high < schedule->n_timesteps, 0);

  return (float) exp ((1 - w) * schedule->log_sigmas[low] + w * schedule->log_sigmas[high]);
}

/**
 * tessera_schedule_get_sigmas:
 * @schedule: a schedule
 * @spacing: how to space them
 * @n: how many noise levels, at least 1
 *
 * The @n noise levels of an @n-step run, from the model's largest σ down,
 * and a final 0, as k-diffusion's `get_sigmas`, `get_sigmas_karras` and
 * `get_sigmas_exponential` make them from the model's own σ range.
 *
 * Returns: (array length=n+1) (transfer full): @n + 1 noise levels
 */
float *
tessera_schedule_get_sigmas (const TesseraSchedule *schedule,
                             TesseraSigmaSpacing    spacing,
                             guint                  n)
{
  double sigma_min = tessera_schedule_get_sigma_min (schedule);
  double sigma_max = tessera_schedule_get_sigma_max (schedule);
  float *sigmas = g_new (float, n + 1);

  for (guint i = 0; i < n; i++)
    {
      switch (spacing)
        {
        case TESSERA_SIGMAS_NORMAL:
          sigmas[i] = tessera_schedule_t_to_sigma (schedule, linspace_at (schedule->n_timesteps - 1, 0, n, i));
          break;

        case TESSERA_SIGMAS_KARRAS:
          {
            double rho = 7.0;
            double max_root = pow (sigma_max, 1 / rho);
            double min_root = pow (sigma_min, 1 / rho);
            double ramp = linspace_at (0, 1, n, i);

            sigmas[i] = pow (max_root + ramp * (min_root - max_root), rho);
          }
          break;

        case TESSERA_SIGMAS_EXPONENTIAL:
          sigmas[i] = exp (linspace_at (log (sigma_max), log (sigma_min), n, i));
          break;

        default:
          g_assert_not_reached ();
        }
    }
  sigmas[n] = 0;
  return sigmas;
}

/**
 * tessera_schedule_get_scalings:
 * @schedule: a schedule
 * @sigma: a noise level
 * @c_skip: (out): the weight of the input in the denoised latent
 * @c_out: (out): the weight of the model's output in it
 * @c_in: (out): the factor the model's input is scaled by
 *
 * With them, the model F becomes the denoiser
 * D(x; σ) = c_skip·x + c_out·F(c_in·x, sigma_to_t (σ)).
 */
void
tessera_schedule_get_scalings (const TesseraSchedule *schedule,
                               float                  sigma,
                               float                 *c_skip,
                               float                 *c_out,
                               float                 *c_in)
{
  double s = sigma;
  double norm = sqrt (s * s + 1);

  *c_in = 1 / norm;
  if (schedule->prediction == TESSERA_PREDICTION_V)
    {
      *c_skip = 1 / (s * s + 1);
      *c_out = -s / norm;
    }
  else
    {
      *c_skip = 1;
      *c_out = -s;
    }
}
