/* tessera-redraw-session.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What a run redraws its regions with: the networks loaded, the prompts
 * encoded, classifier-free guidance around the UNet, the sampler, and the
 * VAE on each side. The whole image, a tile or a batch of tiles, and the
 * latent upscale all go through it. */

#define G_LOG_DOMAIN "tessera-redraw"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "models/tessera-checkpoint-private.h"
#include "sampling/tessera-sampler-private.h"
#include "tessera-enums.h"
#include "tessera-latent-upscale-private.h"
#include "tessera-redraw-plan.h"
#include "tessera-redraw-private.h"

typedef struct
{
  const TesseraRedrawNetworks *networks;
  gpointer                     nets;
  TesseraEngine               *engine;
  TesseraCheckpoint           *checkpoint;
  TesseraRedrawOptions        *options;
  const TesseraSchedule       *schedule;
  guint                        channels;
  guint                        width;
  guint                        height;
  /* the latents sampled at once, one after the other, each width ×
   * height: tiles of one size */
  guint                        batch;
  float                        cfg;
  float                       *cond;
  guint                        cond_tokens;
  float                       *uncond;
  guint                        uncond_tokens;
  float                       *scaled;       /* twice: the batch for cond, then for uncond */
  float                       *out_cond;     /* then out_uncond, each the batch's */
  float                       *out_uncond;
  const float                 *init_latent;
  const float                 *latent_mask;
  guint                        job;
  guint                        n_jobs;
  GCancellable                *cancellable;
  TesseraProgress             *progress;
  /* where the time went, in µs, for the debug summary */
  guint                        unet_calls;
  gint64                       unet_time;
  gint64                       unet_fastest;
  gint64                       encode_time;
  gint64                       decode_time;
} Guidance;

/* A1111's inpainting (CFGDenoiser, after each call, and once more on the
 * samples): where the latent mask is 0 the latent stays the encoded
 * image's. */
static void
keep_unmasked (Guidance *guidance,
               float    *latent)
{
  gsize plane = (gsize) guidance->width * guidance->height;

  for (guint c = 0; c < guidance->channels; c++)
    for (gsize i = 0; i < plane; i++)
      {
        float m = guidance->latent_mask[i];
        gsize j = c * plane + i;

        latent[j] = guidance->init_latent[j] * (1 - m) + m * latent[j];
      }
}

/* One UNet call, its time counted: on @batch latents of @x, each with
 * its context of @contexts, the outputs one after the other. */
static gboolean
timed_unet (Guidance            *guidance,
            float                t,
            const float         *x,
            guint                batch,
            const float * const *contexts,
            guint                n_tokens,
            float               *output,
            GError             **error)
{
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  if (batch > 1 &&
      !guidance->networks->unet_batch (guidance->nets, x, batch, guidance->width, guidance->height, t,
                                       contexts, n_tokens, output, guidance->cancellable, error))
    return FALSE;
  if (batch == 1 &&
      !guidance->networks->unet (guidance->nets, x, guidance->width, guidance->height, t,
                                 contexts[0], n_tokens, output, guidance->cancellable, error))
    return FALSE;
  elapsed = g_get_monotonic_time () - start;
  guidance->unet_calls++;
  guidance->unet_time += elapsed;
  if (guidance->unet_fastest == 0 || elapsed < guidance->unet_fastest)
    guidance->unet_fastest = elapsed;
  return TRUE;
}

/* A1111's CFGDenoiser with k-diffusion's CompVis wrappers: the network on
 * each prompt, mixed as uncond + cfg × (cond − uncond). Prompts with as
 * many chunks run as one batch, every latent's cond then every latent's
 * uncond, where the device computes batches; otherwise each latent and
 * prompt alone, unpadded, as A1111 does unless "pad_cond_uncond" is
 * set. */
static gboolean
guided_denoise (const float  *x,
                float         sigma,
                float        *denoised,
                gpointer      data,
                GError      **error)
{
  Guidance *guidance = data;
  gsize image = (gsize) guidance->channels * guidance->width * guidance->height;
  gsize n = image * guidance->batch;
  float c_skip, c_out, c_in;
  float t = tessera_schedule_sigma_to_t (guidance->schedule, sigma);

  if (g_cancellable_set_error_if_cancelled (guidance->cancellable, error))
    return FALSE;

  tessera_schedule_get_scalings (guidance->schedule, sigma, &c_skip, &c_out, &c_in);
  for (gsize i = 0; i < n; i++)
    guidance->scaled[i] = x[i] * c_in;

  if (guidance->networks->unet_batch != NULL && guidance->cond_tokens == guidance->uncond_tokens &&
      (guidance->networks->batches == NULL || guidance->networks->batches (guidance->nets)))
    {
      g_autofree const float **contexts = g_new (const float *, 2 * guidance->batch);

      for (guint b = 0; b < guidance->batch; b++)
        {
          contexts[b] = guidance->cond;
          contexts[guidance->batch + b] = guidance->uncond;
        }
      memcpy (guidance->scaled + n, guidance->scaled, n * sizeof (float));
      if (!timed_unet (guidance, t, guidance->scaled, 2 * guidance->batch, contexts, guidance->cond_tokens,
                       guidance->out_cond, error))
        return FALSE;
    }
  else
    for (guint b = 0; b < guidance->batch; b++)
      if (!timed_unet (guidance, t, guidance->scaled + b * image, 1, (const float * const *) &guidance->cond,
                       guidance->cond_tokens, guidance->out_cond + b * image, error) ||
          !timed_unet (guidance, t, guidance->scaled + b * image, 1, (const float * const *) &guidance->uncond,
                       guidance->uncond_tokens, guidance->out_uncond + b * image, error))
        return FALSE;

  for (gsize i = 0; i < n; i++)
    {
      float uncond = x[i] * c_skip + guidance->out_uncond[i] * c_out;
      float cond = x[i] * c_skip + guidance->out_cond[i] * c_out;

      denoised[i] = uncond + (cond - uncond) * guidance->cfg;
    }
  if (guidance->latent_mask != NULL)
    keep_unmasked (guidance, denoised);
  return TRUE;
}

typedef struct
{
  TesseraRedrawStepFunc func;
  gpointer              user_data;
  TesseraRedrawStep     step;
  float                *latent;
} StepUpdate;

static void
step_update_free (gpointer data)
{
  StepUpdate *update = data;

  g_free (update->latent);
  g_free (update);
}

static gboolean
deliver_step (gpointer data)
{
  StepUpdate *update = data;

  update->func (&update->step, update->user_data);
  return G_SOURCE_REMOVE;
}

static void
on_sampler_step (guint        step,
                 guint        n_steps,
                 const float *x,
                 const float *denoised,
                 gpointer     data)
{
  Guidance *guidance = data;
  TesseraProgress *progress = guidance->progress;
  g_autofree char *text = NULL;

  if (guidance->n_jobs == 0)
    {
      /* TRANSLATORS: a redraw's progress, e.g. "Step 3 of 7" */
      text = g_strdup_printf (_("Step %u of %u"), step + 1, n_steps);
      tessera_progress_report (progress, 0.15 + 0.75 * (step + 1) / n_steps, text);
    }
  else
    {
      /* TRANSLATORS: a tiled redraw's progress, e.g. "Tile 3 of 12, step 5 of 7" */
      text = g_strdup_printf (_("Tile %u of %u, step %u of %u"),
                              guidance->job + 1, guidance->n_jobs, step + 1, n_steps);
      tessera_progress_report (progress,
                               0.15 + 0.75 * (guidance->job + guidance->batch * (step + 1.0) / n_steps)
                                      / guidance->n_jobs,
                               text);
    }

  /* each tile of a batch its own step, as if it ran alone */
  for (guint b = 0; progress->event_func != NULL && b < guidance->batch; b++)
    {
      gsize n = (gsize) guidance->channels * guidance->width * guidance->height;
      StepUpdate *update = g_new0 (StepUpdate, 1);

      update->func = (TesseraRedrawStepFunc) progress->event_func;
      update->user_data = progress->user_data;
      update->latent = g_memdup2 (denoised + b * n, n * sizeof (float));
      update->step = (TesseraRedrawStep) { step, n_steps, guidance->width, guidance->height, update->latent,
                                           guidance->job + b, MAX (guidance->n_jobs, 1) };
      tessera_progress_post (progress, deliver_step, update, step_update_free);
    }
}

static void
guidance_clear (Guidance *guidance)
{
  g_free (guidance->cond);
  g_free (guidance->uncond);
  g_free (guidance->scaled);
  g_free (guidance->out_cond);
  if (guidance->nets != NULL)
    tessera_engine_return_redraw_networks (guidance->engine, guidance->networks, guidance->nets,
                                           guidance->checkpoint, guidance->options);
}

static gboolean
sample (TesseraCheckpoint     *checkpoint,
        TesseraRedrawOptions  *options,
        Guidance              *guidance,
        float                 *latent,
        double                 denoise,
        guint32                seed,
        GError               **error)
{
  static const TesseraSamplerKind samplers[] = {
    [TESSERA_REDRAW_SAMPLER_EULER] = TESSERA_SAMPLER_EULER,
    [TESSERA_REDRAW_SAMPLER_EULER_A] = TESSERA_SAMPLER_EULER_A,
    [TESSERA_REDRAW_SAMPLER_HEUN] = TESSERA_SAMPLER_HEUN,
    [TESSERA_REDRAW_SAMPLER_DPMPP_2M] = TESSERA_SAMPLER_DPMPP_2M,
    [TESSERA_REDRAW_SAMPLER_DPMPP_2S_A] = TESSERA_SAMPLER_DPMPP_2S_A,
    [TESSERA_REDRAW_SAMPLER_DDIM] = TESSERA_SAMPLER_DDIM,
  };
  static const TesseraSigmaSpacing spacings[] = {
    [TESSERA_REDRAW_SCHEDULER_NORMAL] = TESSERA_SIGMAS_NORMAL,
    [TESSERA_REDRAW_SCHEDULER_KARRAS] = TESSERA_SIGMAS_KARRAS,
    [TESSERA_REDRAW_SCHEDULER_EXPONENTIAL] = TESSERA_SIGMAS_EXPONENTIAL,
  };
  gsize image = (gsize) guidance->channels * guidance->width * guidance->height;
  gsize n = image * guidance->batch;
  const TesseraNoiseConfig *training;
  g_autoptr(TesseraSchedule) schedule = NULL;
  g_autoptr(TesseraSamplingPlan) plan = NULL;
  g_autoptr(GPtrArray) rngs = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_rng_free);
  g_autofree float *noise = NULL;
  gboolean ok;

  training = &tessera_checkpoint_get_config (checkpoint)->noise;
  schedule = tessera_schedule_new (tessera_checkpoint_get_prediction (checkpoint),
                                   training->beta_schedule, training->beta_start, training->beta_end,
                                   training->n_timesteps, error);
  if (schedule == NULL)
    return FALSE;
  plan = tessera_sampling_plan_new_img2img (schedule,
                                            samplers[tessera_redraw_options_get_sampler (options)],
                                            spacings[tessera_redraw_options_get_scheduler (options)],
                                            tessera_redraw_options_get_steps (options),
                                            denoise,
                                            tessera_redraw_options_get_exact_steps (options),
                                            error);
  if (plan == NULL)
    return FALSE;

  /* one stream per image, of the seed after the one before: the start
   * noise first, then the ancestral samplers' noise, as A1111's ImageRNG */
  noise = g_new (float, n);
  for (guint b = 0; b < guidance->batch; b++)
    {
      TesseraRng *rng = tessera_rng_new (tessera_redraw_options_get_rng (options) == TESSERA_REDRAW_RNG_CPU
                                         ? TESSERA_RNG_CPU : TESSERA_RNG_NV, seed + b);

      g_ptr_array_add (rngs, rng);
      tessera_rng_randn (rng, noise + b * image, image);
    }
  tessera_sampling_plan_start (plan, latent, noise, latent, n);

  guidance->schedule = schedule;
  ok = tessera_sampler_run_batch (plan, latent, n, guidance->batch, guided_denoise, guidance,
                                  (TesseraRng * const *) rngs->pdata, on_sampler_step, guidance,
                                  guidance->cancellable, error);
  guidance->schedule = NULL;
  if (!ok)
    return FALSE;
  if (guidance->latent_mask != NULL)
    keep_unmasked (guidance, latent);
  return TRUE;
}

struct _TesseraRedrawSession
{
  Guidance              guidance;
  TesseraCheckpoint    *checkpoint;
  TesseraRedrawOptions *options;
  guint                 factor;
  guint                 multiple;
};

/* What a tiled redraw needs of its networks: their geometry */
void
tessera_redraw_session_get_geometry (TesseraRedrawSession *self,
                                     guint                *factor,
                                     guint                *multiple)
{
  *factor = self->factor;
  *multiple = self->multiple;
}

TesseraRedrawOptions *
tessera_redraw_session_get_options (TesseraRedrawSession *self)
{
  return self->options;
}

/* Samples @latent, @batch latents of the guidance's size (the unmasked
 * part kept as @latent has it), at @denoise, and decodes each into its
 * @rgbs. */
static gboolean
sample_and_decode (TesseraRedrawSession  *self,
                   float                 *latent,
                   guint                  batch,
                   float * const         *rgbs,
                   const float           *latent_mask,
                   double                 denoise,
                   guint32                seed,
                   guint                  n_jobs,
                   GError               **error)
{
  Guidance *guidance = &self->guidance;
  const TesseraRedrawNetworks *networks = guidance->networks;
  gsize image = (gsize) guidance->channels * guidance->width * guidance->height;
  gsize n = image * batch;
  g_autofree float *init_latent = NULL;
  gboolean ok = TRUE;
  gint64 start;

  g_return_val_if_fail (latent_mask == NULL || batch == 1, FALSE);

  /* Strength 0 keeps the latent as it is. A1111 would still run one step
   * there (t_enc = 0: the last σ of the schedule), as it does for any
   * strength below 1 / steps. */
  if (denoise > 0)
    {
      if (latent_mask != NULL)
        init_latent = g_memdup2 (latent, n * sizeof (float));
      guidance->batch = batch;
      guidance->init_latent = init_latent;
      guidance->latent_mask = latent_mask;
      guidance->scaled = g_new (float, 2 * n);
      guidance->out_cond = g_new (float, 2 * n);
      guidance->out_uncond = guidance->out_cond + n;
      ok = sample (self->checkpoint, self->options, guidance, latent, denoise, seed, error);
      g_clear_pointer (&guidance->scaled, g_free);
      g_clear_pointer (&guidance->out_cond, g_free);
      guidance->out_uncond = NULL;
      guidance->init_latent = NULL;
      guidance->latent_mask = NULL;
      if (!ok)
        return FALSE;
    }

  if (n_jobs == 0)
    tessera_progress_report (guidance->progress, 0.9, _("Decoding"));
  for (guint b = 0; b < batch; b++)
    {
      start = g_get_monotonic_time ();
      ok = networks->vae_decode (guidance->nets, latent + b * image, guidance->width, guidance->height, rgbs[b],
                                 guidance->cancellable, error);
      guidance->decode_time += g_get_monotonic_time () - start;
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* The regions encoded one after the other into one batch of latents,
 * then sampled and decoded. */
static gboolean
redraw_regions (TesseraRedrawSession  *self,
                float * const         *rgbs,
                guint                  batch,
                guint                  width,
                guint                  height,
                const float           *latent_mask,
                double                 denoise,
                guint32                seed,
                guint                  job,
                guint                  n_jobs,
                GError               **error)
{
  Guidance *guidance = &self->guidance;
  const TesseraRedrawNetworks *networks = guidance->networks;
  g_autofree float *latent = NULL;
  gsize image;

  guidance->width = width / self->factor;
  guidance->height = height / self->factor;
  guidance->job = job;
  guidance->n_jobs = n_jobs;
  image = (gsize) guidance->channels * guidance->width * guidance->height;
  latent = g_new (float, image * batch);

  if (n_jobs == 0)
    tessera_progress_report (guidance->progress, 0.12, _("Encoding"));
  for (guint b = 0; b < batch; b++)
    {
      gint64 start = g_get_monotonic_time ();

      if (!networks->vae_encode (guidance->nets, rgbs[b], width, height, latent + b * image,
                                 guidance->cancellable, error))
        return FALSE;
      guidance->encode_time += g_get_monotonic_time () - start;
    }

  return sample_and_decode (self, latent, batch, rgbs, latent_mask, denoise, seed, n_jobs, error);
}

/*
 * tessera_redraw_session_redraw:
 * @rgb: 3 × @height × @width, in [−1, 1], sides multiples of the networks'
 *   multiple; replaced by the redrawn image
 * @latent_mask: (nullable): @width × @height over the factor, 1 where the
 *   latent is redrawn, 0 where the encoded image is kept
 * @job: the job of a tiled redraw, for the progress
 * @n_jobs: the jobs, or 0 for a redraw of the whole image
 *
 * One img2img pass over a region: encoded, noised to @denoise, sampled
 * with the prompts encoded once for all the regions, decoded.
 */
gboolean
tessera_redraw_session_redraw (TesseraRedrawSession  *self,
                               float                 *rgb,
                               guint                  width,
                               guint                  height,
                               const float           *latent_mask,
                               double                 denoise,
                               guint32                seed,
                               guint                  job,
                               guint                  n_jobs,
                               GError               **error)
{
  return redraw_regions (self, &rgb, 1, width, height, latent_mask, denoise, seed, job, n_jobs, error);
}

/*
 * tessera_redraw_session_redraw_batch:
 * @rgbs: (array length=batch): regions of one size, as
 *   tessera_redraw_session_redraw() takes one; each replaced by its
 *   redrawn image
 * @seed: the first region's seed; each region has the one after the
 *   region before's
 * @job: the first region's job, the others the jobs after it
 *
 * tessera_redraw_session_redraw() on several regions at once, without a
 * latent mask: their latents sampled together, each UNet call on all of
 * them where the device computes batches. Each region's noise comes from
 * its own seed, so it is redrawn as it would be alone.
 */
gboolean
tessera_redraw_session_redraw_batch (TesseraRedrawSession  *self,
                                     float * const         *rgbs,
                                     guint                  batch,
                                     guint                  width,
                                     guint                  height,
                                     double                 denoise,
                                     guint32                seed,
                                     guint                  job,
                                     guint                  n_jobs,
                                     GError               **error)
{
  g_return_val_if_fail (batch > 0, FALSE);

  return redraw_regions (self, rgbs, batch, width, height, NULL, denoise, seed, job, n_jobs, error);
}

/**
 * tessera_redraw_session_new:
 *
 * Loads the networks (or takes the engine's held ones) and encodes the
 * prompts' chunks: what every region of a run shares.
 *
 * Returns: (nullable): the session, or %NULL with @error set
 */
TesseraRedrawSession *
tessera_redraw_session_new (TesseraEngine               *engine,
                            const TesseraRedrawNetworks *networks,
                            TesseraCheckpoint           *checkpoint,
                            TesseraRedrawOptions        *options,
                            GArray                      *cond_chunks,
                            GArray                      *uncond_chunks,
                            GCancellable                *cancellable,
                            TesseraProgress             *progress,
                            GError                     **error)
{
  TesseraRedrawSession *self = g_new0 (TesseraRedrawSession, 1);
  Guidance *guidance = &self->guidance;

  self->checkpoint = checkpoint;
  self->options = options;
  guidance->networks = networks;
  guidance->engine = engine;
  guidance->checkpoint = checkpoint;
  guidance->options = options;
  guidance->cfg = tessera_redraw_options_get_cfg (options);
  guidance->cancellable = cancellable;
  guidance->progress = progress;

  tessera_progress_report (progress, 0.1, _("Loading the networks"));
  guidance->nets = tessera_engine_acquire_redraw_networks (engine, networks, checkpoint, options,
                                                          cancellable, error);
  if (guidance->nets == NULL)
    {
      tessera_redraw_session_free (self);
      return NULL;
    }
  networks->geometry (guidance->nets, &guidance->channels, &self->factor, &self->multiple);

  if (!networks->encode_text (guidance->nets, cond_chunks, tessera_redraw_options_get_clip_skip (options),
                              &guidance->cond, &guidance->cond_tokens, cancellable, error) ||
      !networks->encode_text (guidance->nets, uncond_chunks, tessera_redraw_options_get_clip_skip (options),
                              &guidance->uncond, &guidance->uncond_tokens, cancellable, error))
    {
      tessera_redraw_session_free (self);
      return NULL;
    }
  return self;
}

/* The networks go back to the engine, which may keep them. */
void
tessera_redraw_session_free (TesseraRedrawSession *self)
{
  if (self == NULL)
    return;
  guidance_clear (&self->guidance);
  g_free (self);
}

/* Where a run's time went, @total and @first_stage in µs. */
void
tessera_redraw_session_log_times (TesseraRedrawSession *self,
                                  gint64                total,
                                  gint64                first_stage)
{
  Guidance *guidance = &self->guidance;

  /* what build-aux/bench-redraw-gpu.sh reads */
  g_debug ("Redraw: %.3f s in all, first stage %.3f s, %u UNet calls %.3f s (fastest %.1f ms), "
           "VAE encode %.3f s, decode %.3f s",
           total / 1e6, first_stage / 1e6, guidance->unet_calls,
           guidance->unet_time / 1e6, guidance->unet_fastest / 1e3,
           guidance->encode_time / 1e6, guidance->decode_time / 1e6);
}

/* @latent grown to @padded_width × @padded_height by repeating its last
 * row and column, as tessera_redraw_pad_rgb() grows an image. */
static float *
pad_latent (const float *latent,
            guint        channels,
            guint        width,
            guint        height,
            guint        padded_width,
            guint        padded_height)
{
  float *padded = g_new (float, (gsize) channels * padded_width * padded_height);

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < padded_height; y++)
      {
        const float *row = latent + ((gsize) c * height + MIN (y, height - 1)) * width;
        float *out = padded + ((gsize) c * padded_height + y) * padded_width;

        for (guint x = 0; x < padded_width; x++)
          out[x] = row[MIN (x, width - 1)];
      }
  return padded;
}

/* The latent upscale in place of the first stage: the input's latent
 * enlarged to the size asked for over the VAE's factor, rounded down (the
 * "Latent Upscale" extension asks PyTorch for height // 8 × width // 8),
 * then padded as the UNet needs. Returns the image the redraw's output
 * stands for: the input resampled with Lanczos to the new size, which
 * gives the output its size and alpha and the colour fix its colours. */
static TesseraImage *
upscale_latent (TesseraImage          *input,
                TesseraRedrawOptions  *options,
                guint                  factor,
                guint                  multiple,
                Guidance              *guidance,
                float                **latent,
                GCancellable          *cancellable,
                GError               **error)
{
  guint width, height, latent_width, latent_height, step;
  g_autofree float *enlarged = NULL;

  /* without a scale or a size, the latent is only resampled to the
   * input's own size */
  tessera_redraw_options_get_output_size (options, tessera_image_get_width (input),
                                          tessera_image_get_height (input), &width, &height);
  latent_width = MAX (1, width / factor);
  latent_height = MAX (1, height / factor);
  enlarged = tessera_latent_upscale (*latent, guidance->channels, guidance->width, guidance->height,
                                     latent_width, latent_height,
                                     tessera_redraw_options_get_latent_upscale (options),
                                     tessera_redraw_options_get_latent_antialias (options));

  step = multiple / factor;
  guidance->width = (latent_width + step - 1) / step * step;
  guidance->height = (latent_height + step - 1) / step * step;
  g_free (*latent);
  *latent = pad_latent (enlarged, guidance->channels, latent_width, latent_height,
                        guidance->width, guidance->height);
  return tessera_redraw_resample_exact (input, input, latent_width * factor, latent_height * factor,
                                        cancellable, NULL, NULL, error);
}

/* The whole image through a latent upscale: encoded at its own size,
 * the latent enlarged, redrawn and decoded at the new size. @target
 * receives the image the output stands for. */
TesseraImage *
tessera_redraw_session_latent_upscale (TesseraRedrawSession  *session,
                                       TesseraImage          *input,
                                       guint32                seed,
                                       TesseraImage         **target,
                                       GError               **error)
{
  Guidance *guidance = &session->guidance;
  const TesseraRedrawNetworks *networks = guidance->networks;
  TesseraRedrawOptions *options = session->options;
  g_autofree float *rgb = NULL;
  g_autofree float *latent = NULL;
  gint64 start;
  guint pw, ph;

  rgb = tessera_redraw_pad_rgb (input, session->multiple, &pw, &ph);
  guidance->width = pw / session->factor;
  guidance->height = ph / session->factor;
  guidance->job = 0;
  guidance->n_jobs = 0;
  latent = g_new (float, (gsize) guidance->channels * guidance->width * guidance->height);

  tessera_progress_report (guidance->progress, 0.12, _("Encoding"));
  start = g_get_monotonic_time ();
  if (!networks->vae_encode (guidance->nets, rgb, pw, ph, latent, guidance->cancellable, error))
    return NULL;
  guidance->encode_time += g_get_monotonic_time () - start;
  *target = upscale_latent (input, options, session->factor, session->multiple, guidance, &latent,
                            guidance->cancellable, error);
  if (*target == NULL)
    return NULL;

  pw = guidance->width * session->factor;
  ph = guidance->height * session->factor;
  g_free (rgb);
  rgb = g_new (float, (gsize) 3 * pw * ph);
  if (!sample_and_decode (session, latent, 1, &rgb, NULL, tessera_redraw_options_get_denoise (options),
                          seed, 0, error))
    return NULL;
  return tessera_redraw_crop_rgb (rgb, pw, ph, *target);
}
