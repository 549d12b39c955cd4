/* tessera-sampler.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sampler"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sampler-private.h"

/* More would be a mistake (A1111's "exact steps" at a tiny strength). */
#define MAX_STEPS 10000

static gboolean
check_steps (const TesseraSchedule  *schedule,
             TesseraSamplerKind      sampler,
             guint                   steps,
             GError                **error)
{
  guint n_timesteps = tessera_schedule_get_n_timesteps (schedule);

  if (steps < 1 || steps > MAX_STEPS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("the number of sampling steps must be between 1 and %u, not %u"),
                   MAX_STEPS, steps);
      return FALSE;
    }
  if (sampler == TESSERA_SAMPLER_DDIM && steps > n_timesteps)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("DDIM runs at most %u steps, one for each timestep of the model, not %u"),
                   n_timesteps, steps);
      return FALSE;
    }
  return TRUE;
}

/* A1111's DDIM timesteps for @steps steps, rising: every
 * (n_timesteps / steps)-th timestep from 0, each shifted up by one and
 * kept below n_timesteps ("1, 51, 101 … 951" for 20 steps). Where steps
 * does not divide n_timesteps there are more than @steps of them (31 for
 * 30 steps). */
static guint *
ddim_timesteps (const TesseraSchedule *schedule,
                guint                  steps,
                guint                 *n)
{
  guint n_timesteps = tessera_schedule_get_n_timesteps (schedule);
  guint stride = n_timesteps / steps;
  guint *timesteps;

  *n = (n_timesteps + stride - 1) / stride;
  timesteps = g_new (guint, *n);
  for (guint i = 0; i < *n; i++)
    timesteps[i] = MIN (i * stride + 1, n_timesteps - 1);
  return timesteps;
}

/* A DDIM plan through timesteps[first], timesteps[first − 1] … timesteps[0]
 * of the rising @timesteps. */
static TesseraSamplingPlan *
ddim_plan_new (const TesseraSchedule *schedule,
               const guint           *timesteps,
               guint                  first)
{
  TesseraSamplingPlan *plan = g_new0 (TesseraSamplingPlan, 1);
  const float *alphas_cumprod = tessera_schedule_get_alphas_cumprod (schedule);

  plan->sampler = TESSERA_SAMPLER_DDIM;
  plan->n_steps = first;
  plan->sigmas = g_new (float, first + 1);
  plan->timesteps = g_new (guint, first + 1);
  plan->alphas_cumprod = g_new (float, first + 1);
  for (guint k = 0; k <= first; k++)
    {
      guint t = timesteps[first - k];

      plan->timesteps[k] = t;
      plan->sigmas[k] = tessera_schedule_get_sigma (schedule, t);
      plan->alphas_cumprod[k] = alphas_cumprod[t];
    }
  return plan;
}

static TesseraSamplingPlan *
k_plan_new (TesseraSamplerKind  sampler,
            const float        *sigmas,
            guint               n_steps)
{
  TesseraSamplingPlan *plan = g_new0 (TesseraSamplingPlan, 1);

  plan->sampler = sampler;
  plan->n_steps = n_steps;
  plan->sigmas = g_memdup2 (sigmas, (n_steps + 1) * sizeof (float));
  return plan;
}

/**
 * tessera_sampling_plan_new_txt2img:
 * @schedule: the model's schedule
 * @sampler: the sampler
 * @spacing: how to space the noise levels; DDIM has its own
 * @steps: the steps
 * @error: return location for a #GError
 *
 * A run from pure noise, as A1111's txt2img: the k-diffusion samplers
 * start at noise × the largest σ; DDIM starts at the noise itself.
 *
 * Returns: (transfer full): the plan, or %NULL for an impossible number
 *   of steps
 */
TesseraSamplingPlan *
tessera_sampling_plan_new_txt2img (const TesseraSchedule  *schedule,
                                   TesseraSamplerKind      sampler,
                                   TesseraSigmaSpacing     spacing,
                                   guint                   steps,
                                   GError                **error)
{
  TesseraSamplingPlan *plan;

  if (!check_steps (schedule, sampler, steps, error))
    return NULL;

  if (sampler == TESSERA_SAMPLER_DDIM)
    {
      guint n;
      g_autofree guint *timesteps = ddim_timesteps (schedule, steps, &n);

      plan = ddim_plan_new (schedule, timesteps, n - 1);
      plan->noise_scale = 1;
    }
  else
    {
      g_autofree float *sigmas = tessera_schedule_get_sigmas (schedule, spacing, steps);

      plan = k_plan_new (sampler, sigmas, steps);
      plan->noise_scale = sigmas[0];
    }
  plan->init_scale = 0;
  return plan;
}

/**
 * tessera_sampling_plan_new_img2img:
 * @schedule: the model's schedule
 * @sampler: the sampler
 * @spacing: how to space the noise levels; DDIM has its own
 * @steps: the steps asked for
 * @denoise: the denoising strength, in (0, 1]
 * @exact_steps: A1111's "img2img: do exactly the amount of steps the
 *   slider specifies" (`img2img_fix_steps`)
 * @error: return location for a #GError
 *
 * A run from a latent noised to @denoise, as A1111's img2img: of a
 * schedule of S steps it runs the last t_enc + 1, t_enc =
 * int(min(@denoise, 0.999) × S), from init_latent + noise × σ of the first
 * of them. S is @steps; with @exact_steps, S = int(@steps /
 * min(@denoise, 0.999)) and t_enc = @steps − 1, so that @steps steps run.
 *
 * DDIM noises the latent to ᾱ of timestep t_enc of its list
 * (√ᾱ·latent + √(1 − ᾱ)·noise) and then runs from timestep t_enc − 1 down
 * to the first: t_enc − 1 model calls, none for t_enc = 0, as A1111 does.
 *
 * Returns: (transfer full): the plan, or %NULL for an impossible strength
 *   or number of steps
 */
TesseraSamplingPlan *
tessera_sampling_plan_new_img2img (const TesseraSchedule  *schedule,
                                   TesseraSamplerKind      sampler,
                                   TesseraSigmaSpacing     spacing,
                                   guint                   steps,
                                   double                  denoise,
                                   gboolean                exact_steps,
                                   GError                **error)
{
  TesseraSamplingPlan *plan;
  guint total, t_enc;

  if (!(denoise > 0 && denoise <= 1))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("the denoising strength must be more than 0 and at most 1, not %g"), denoise);
      return NULL;
    }
  if (!check_steps (schedule, sampler, steps, error))
    return NULL;

  if (exact_steps)
    {
      double total_steps = steps / MIN (denoise, 0.999);

      total = (guint) MIN (total_steps, G_MAXUINT);
      t_enc = steps - 1;
    }
  else
    {
      total = steps;
      t_enc = (guint) (MIN (denoise, 0.999) * steps);
    }
  if (!check_steps (schedule, sampler, total, error))
    return NULL;

  if (sampler == TESSERA_SAMPLER_DDIM)
    {
      const float *alphas_cumprod = tessera_schedule_get_alphas_cumprod (schedule);
      guint n;
      g_autofree guint *timesteps = ddim_timesteps (schedule, total, &n);
      float alpha = alphas_cumprod[timesteps[t_enc]];

      plan = ddim_plan_new (schedule, timesteps, t_enc > 0 ? t_enc - 1 : 0);
      plan->init_scale = sqrtf (alpha);
      plan->noise_scale = sqrtf (1.0f - alpha);
    }
  else
    {
      g_autofree float *sigmas = tessera_schedule_get_sigmas (schedule, spacing, total);

      plan = k_plan_new (sampler, sigmas + total - t_enc - 1, t_enc + 1);
      plan->init_scale = 1;
      plan->noise_scale = plan->sigmas[0];
    }
  return plan;
}

void
tessera_sampling_plan_free (TesseraSamplingPlan *plan)
{
  if (plan == NULL)
    return;
  g_free (plan->sigmas);
  g_free (plan->timesteps);
  g_free (plan->alphas_cumprod);
  g_free (plan);
}

/**
 * tessera_sampling_plan_start:
 * @plan: a plan
 * @init_latent: (nullable): the latent to redraw, or %NULL for txt2img
 * @noise: the initial noise, the first draw of the image's stream
 * @x: (out caller-allocates): where the run starts
 * @n: the latent's size
 */
void
tessera_sampling_plan_start (const TesseraSamplingPlan *plan,
                             const float               *init_latent,
                             const float               *noise,
                             float                     *x,
                             gsize                      n)
{
  g_return_if_fail (init_latent != NULL || plan->init_scale == 0);

  for (gsize i = 0; i < n; i++)
    {
      float noised = noise[i] * plan->noise_scale;

      x[i] = init_latent != NULL ? init_latent[i] * plan->init_scale + noised : noised;
    }
}

typedef struct
{
  const TesseraSamplingPlan *plan;
  float                     *x;
  gsize                      n;
  TesseraDenoiseFunc         denoise;
  gpointer                   denoise_data;
  /* one stream an image, each image n / n_rngs values */
  TesseraRng * const        *rngs;
  guint                      n_rngs;
  TesseraSamplerStepFunc     step_func;
  gpointer                   step_data;
  GCancellable              *cancellable;
  /* scratch, n values each */
  float                     *denoised;
  float                     *other;
  float                     *x_2;
  float                     *denoised_2;
} Run;

static gboolean
start_step (Run     *run,
            GError **error)
{
  return !g_cancellable_set_error_if_cancelled (run->cancellable, error);
}

static void
end_step (Run         *run,
          guint        step,
          const float *denoised)
{
  if (run->step_func != NULL)
    run->step_func (step, run->plan->n_steps, run->x, denoised, run->step_data);
}

/* k-diffusion's get_ancestral_step with η = 1: the step goes down to
 * sigma_down, and noise of sigma_up brings it back to @sigma_to. */
static void
ancestral_step (float  sigma_from,
                float  sigma_to,
                float *sigma_down,
                float *sigma_up)
{
  double from = sigma_from, to = sigma_to;
  double up = MIN (to, sqrt (to * to * (from * from - to * to) / (from * from)));

  *sigma_up = up;
  *sigma_down = sqrt (to * to - up * up);
}

static void
add_noise (Run   *run,
           float  sigma_up)
{
  gsize image = run->n / run->n_rngs;

  /* each image's noise from its own stream, so that an image comes out
   * the same whatever else is in its batch */
  for (guint b = 0; b < run->n_rngs; b++)
    tessera_rng_randn (run->rngs[b], run->other + b * image, image);
  for (gsize j = 0; j < run->n; j++)
    run->x[j] = run->x[j] + run->other[j] * sigma_up;
}

/* x += (x − denoised) / sigma × dt: an Euler step of the ODE. */
static void
euler_update (float       *x,
              const float *denoised,
              float        sigma,
              float        dt,
              gsize        n)
{
  for (gsize j = 0; j < n; j++)
    {
      float d = (x[j] - denoised[j]) / sigma;

      x[j] = x[j] + d * dt;
    }
}

static gboolean
run_euler (Run     *run,
           GError **error)
{
  const float *sigmas = run->plan->sigmas;

  for (guint i = 0; i < run->plan->n_steps; i++)
    {
      if (!start_step (run, error) ||
          !run->denoise (run->x, sigmas[i], run->denoised, run->denoise_data, error))
        return FALSE;
      euler_update (run->x, run->denoised, sigmas[i], sigmas[i + 1] - sigmas[i], run->n);
      end_step (run, i, run->denoised);
    }
  return TRUE;
}

static gboolean
run_euler_ancestral (Run     *run,
                     GError **error)
{
  const float *sigmas = run->plan->sigmas;

  for (guint i = 0; i < run->plan->n_steps; i++)
    {
      float sigma_down, sigma_up;

      if (!start_step (run, error) ||
          !run->denoise (run->x, sigmas[i], run->denoised, run->denoise_data, error))
        return FALSE;
      ancestral_step (sigmas[i], sigmas[i + 1], &sigma_down, &sigma_up);
      euler_update (run->x, run->denoised, sigmas[i], sigma_down - sigmas[i], run->n);
      if (sigmas[i + 1] > 0)
        add_noise (run, sigma_up);
      end_step (run, i, run->denoised);
    }
  return TRUE;
}

static gboolean
run_heun (Run     *run,
          GError **error)
{
  const float *sigmas = run->plan->sigmas;
  float *d = run->other;

  for (guint i = 0; i < run->plan->n_steps; i++)
    {
      float sigma = sigmas[i], sigma_next = sigmas[i + 1];
      float dt = sigma_next - sigma;

      if (!start_step (run, error) ||
          !run->denoise (run->x, sigma, run->denoised, run->denoise_data, error))
        return FALSE;

      if (sigma_next == 0)
        {
          euler_update (run->x, run->denoised, sigma, dt, run->n);
        }
      else
        {
          /* an Euler step, and the slope at its end averaged in */
          for (gsize j = 0; j < run->n; j++)
            {
              d[j] = (run->x[j] - run->denoised[j]) / sigma;
              run->x_2[j] = run->x[j] + d[j] * dt;
            }
          if (!run->denoise (run->x_2, sigma_next, run->denoised_2, run->denoise_data, error))
            return FALSE;
          for (gsize j = 0; j < run->n; j++)
            {
              float d_2 = (run->x_2[j] - run->denoised_2[j]) / sigma_next;

              run->x[j] = run->x[j] + (d[j] + d_2) / 2 * dt;
            }
        }
      end_step (run, i, run->denoised);
    }
  return TRUE;
}

/* DPM-Solver++ works in t = −log σ: a first-order step from σ to
 * sigma_next is x·sigma_next/σ + (1 − sigma_next/σ)·denoised. */
static void
dpm_solver_update (float       *x,
                   const float *x_from,
                   const float *denoised,
                   double       sigma,
                   double       sigma_next,
                   gsize        n)
{
  float ratio = sigma_next / sigma;
  float weight = sigma_next > 0 ? -expm1 (-(log (sigma) - log (sigma_next))) : 1;

  for (gsize j = 0; j < n; j++)
    x[j] = ratio * x_from[j] + weight * denoised[j];
}

static gboolean
run_dpmpp_2m (Run     *run,
              GError **error)
{
  const float *sigmas = run->plan->sigmas;
  float *old_denoised = run->other;

  for (guint i = 0; i < run->plan->n_steps; i++)
    {
      double sigma = sigmas[i], sigma_next = sigmas[i + 1];

      if (!start_step (run, error) ||
          !run->denoise (run->x, sigmas[i], run->denoised, run->denoise_data, error))
        return FALSE;

      if (i == 0 || sigma_next == 0)
        {
          dpm_solver_update (run->x, run->x, run->denoised, sigma, sigma_next, run->n);
        }
      else
        {
          /* the last two estimates extrapolated linearly in t */
          double h = log (sigma) - log (sigma_next);
          double h_last = log (sigmas[i - 1]) - log (sigma);
          float old_weight = 1 / (2 * (h_last / h));
          float new_weight = 1 + old_weight;

          for (gsize j = 0; j < run->n; j++)
            run->denoised_2[j] = new_weight * run->denoised[j] - old_weight * old_denoised[j];
          dpm_solver_update (run->x, run->x, run->denoised_2, sigma, sigma_next, run->n);
        }
      memcpy (old_denoised, run->denoised, run->n * sizeof (float));
      end_step (run, i, run->denoised);
    }
  return TRUE;
}

static gboolean
run_dpmpp_2s_ancestral (Run     *run,
                        GError **error)
{
  const float *sigmas = run->plan->sigmas;

  for (guint i = 0; i < run->plan->n_steps; i++)
    {
      float sigma_down, sigma_up;

      if (!start_step (run, error) ||
          !run->denoise (run->x, sigmas[i], run->denoised, run->denoise_data, error))
        return FALSE;
      ancestral_step (sigmas[i], sigmas[i + 1], &sigma_down, &sigma_up);

      if (sigma_down == 0)
        {
          euler_update (run->x, run->denoised, sigmas[i], sigma_down - sigmas[i], run->n);
        }
      else
        {
          /* a half step (in log σ) to the midpoint, then the whole step
           * with the midpoint's estimate */
          float sigma_mid = sqrt ((double) sigmas[i] * sigma_down);

          dpm_solver_update (run->x_2, run->x, run->denoised, sigmas[i], sigma_mid, run->n);
          if (!run->denoise (run->x_2, sigma_mid, run->denoised_2, run->denoise_data, error))
            return FALSE;
          dpm_solver_update (run->x, run->x, run->denoised_2, sigmas[i], sigma_down, run->n);
        }
      if (sigmas[i + 1] > 0)
        add_noise (run, sigma_up);
      end_step (run, i, run->denoised);
    }
  return TRUE;
}

/* A1111's DDIM with η = 0, in its variance-preserving x: the denoiser is
 * given x / √ᾱ_t at σ_t, and its ε recovered from the estimate. */
static gboolean
run_ddim (Run     *run,
          GError **error)
{
  const TesseraSamplingPlan *plan = run->plan;
  float *x_in = run->x_2;
  float *eps = run->other;
  float *pred_x0 = run->denoised_2;

  for (guint i = 0; i < plan->n_steps; i++)
    {
      float sigma = plan->sigmas[i];
      float alpha = plan->alphas_cumprod[i], alpha_prev = plan->alphas_cumprod[i + 1];
      float sqrt_alpha = sqrtf (alpha);
      float sqrt_one_minus_alpha = sqrtf (1.0f - alpha);

      if (!start_step (run, error))
        return FALSE;
      for (gsize j = 0; j < run->n; j++)
        x_in[j] = run->x[j] / sqrt_alpha;
      if (!run->denoise (x_in, sigma, run->denoised, run->denoise_data, error))
        return FALSE;

      for (gsize j = 0; j < run->n; j++)
        {
          eps[j] = (x_in[j] - run->denoised[j]) / sigma;
          pred_x0[j] = (run->x[j] - sqrt_one_minus_alpha * eps[j]) / sqrt_alpha;
          run->x[j] = sqrtf (alpha_prev) * pred_x0[j] + sqrtf (1.0f - alpha_prev) * eps[j];
        }
      end_step (run, i, pred_x0);
    }
  return TRUE;
}

/**
 * tessera_sampler_run:
 * @plan: the run's plan
 * @x: (inout) (array length=n): the start (tessera_sampling_plan_start()),
 *   then the result, the latent to decode
 * @n: the latent's size
 * @denoise: the model as a denoiser
 * @denoise_data: its data
 * @rng: (nullable): the image's stream, for the ancestral samplers
 * @step_func: (nullable): progress
 * @step_data: its data
 * @cancellable: (nullable): checked before each step
 * @error: return location for a #GError
 *
 * Runs the sampler of @plan, as k-diffusion's `sample_*` functions or
 * A1111's DDIM do, on float32 values.
 *
 * Returns: %TRUE, or %FALSE with @error set when the denoiser failed or
 *   @cancellable was cancelled; @x is then the latent of the last step
 */
gboolean
tessera_sampler_run (const TesseraSamplingPlan  *plan,
                     float                      *x,
                     gsize                       n,
                     TesseraDenoiseFunc          denoise,
                     gpointer                    denoise_data,
                     TesseraRng                 *rng,
                     TesseraSamplerStepFunc      step_func,
                     gpointer                    step_data,
                     GCancellable               *cancellable,
                     GError                    **error)
{
  TesseraRng *rngs[1] = { rng };

  return tessera_sampler_run_batch (plan, x, n, 1, denoise, denoise_data, rng != NULL ? rngs : NULL,
                                    step_func, step_data, cancellable, error);
}

/**
 * tessera_sampler_run_batch:
 * @plan: the run's plan
 * @x: (inout) (array length=n): @batch latents one after the other
 * @n: the values of all of them
 * @batch: the latents
 * @rngs: (nullable) (array length=batch): each latent's stream, for the
 *   ancestral samplers
 *
 * tessera_sampler_run() on several latents at once, as A1111 samples a
 * batch: every step but the denoiser's is elementwise, and each latent
 * draws its noise from its own stream (A1111's ImageRNG), so that each
 * comes out as it would alone.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
tessera_sampler_run_batch (const TesseraSamplingPlan  *plan,
                           float                      *x,
                           gsize                       n,
                           guint                       batch,
                           TesseraDenoiseFunc          denoise,
                           gpointer                    denoise_data,
                           TesseraRng * const         *rngs,
                           TesseraSamplerStepFunc      step_func,
                           gpointer                    step_data,
                           GCancellable               *cancellable,
                           GError                    **error)
{
  g_autofree float *scratch = NULL;
  Run run = {
    .plan = plan,
    .x = x,
    .n = n,
    .denoise = denoise,
    .denoise_data = denoise_data,
    .rngs = rngs,
    .n_rngs = batch,
    .step_func = step_func,
    .step_data = step_data,
    .cancellable = cancellable,
  };

  g_return_val_if_fail (batch > 0 && n % batch == 0, FALSE);
  g_return_val_if_fail (rngs != NULL || (plan->sampler != TESSERA_SAMPLER_EULER_A &&
                                         plan->sampler != TESSERA_SAMPLER_DPMPP_2S_A), FALSE);

  scratch = g_new (float, 4 * n);
  run.denoised = scratch;
  run.other = scratch + n;
  run.x_2 = scratch + 2 * n;
  run.denoised_2 = scratch + 3 * n;

  switch (plan->sampler)
    {
    case TESSERA_SAMPLER_EULER:
      return run_euler (&run, error);
    case TESSERA_SAMPLER_EULER_A:
      return run_euler_ancestral (&run, error);
    case TESSERA_SAMPLER_HEUN:
      return run_heun (&run, error);
    case TESSERA_SAMPLER_DPMPP_2M:
      return run_dpmpp_2m (&run, error);
    case TESSERA_SAMPLER_DPMPP_2S_A:
      return run_dpmpp_2s_ancestral (&run, error);
    case TESSERA_SAMPLER_DDIM:
      return run_ddim (&run, error);
    default:
      g_assert_not_reached ();
    }
}
