/* tessera-redraw.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "image/tessera-color-fix-private.h"
#include "image/tessera-resample-private.h"
#include "models/tessera-checkpoint-private.h"
#include "prompts/tessera-prompt-private.h"
#include "sampling/tessera-sampler-private.h"
#include "tessera-enums.h"
#include "tessera-latent-upscale-private.h"
#include "tessera-redraw-plan.h"
#include "tessera-redraw-private.h"

/* A1111's "Approximate" live preview for SD 1.x (sd_vae_approx.py,
 * cheap_approximation): each latent channel's share of R, G and B. */
static const float preview_factors[TESSERA_REDRAW_LATENT_CHANNELS][3] = {
  {  0.298f,  0.207f,  0.208f },
  {  0.187f,  0.286f,  0.173f },
  { -0.158f,  0.189f,  0.264f },
  { -0.184f, -0.271f, -0.473f },
};

/**
 * tessera_redraw_latent_preview:
 * @latent: 4 × @height × @width floats, a latent as a redraw step gives it
 * @width: the latent's width
 * @height: the latent's height
 *
 * A rough picture of a latent without the VAE, one pixel per latent
 * pixel, as A1111's "Approximate" live preview makes it.
 *
 * Returns: (transfer full): an RGB image of @width × @height
 */
TesseraImage *
tessera_redraw_latent_preview (const float *latent,
                               guint        width,
                               guint        height)
{
  g_autoptr(TesseraImage) image = NULL;
  gsize n = (gsize) width * height;

  g_return_val_if_fail (latent != NULL, NULL);

  image = tessera_image_new (width, height, FALSE, NULL);
  if (image == NULL)
    return NULL;
  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (gsize i = 0; i < n; i++)
        {
          float value = 0;

          for (guint l = 0; l < TESSERA_REDRAW_LATENT_CHANNELS; l++)
            value += latent[l * n + i] * preview_factors[l][c];
          plane[i] = CLAMP ((value + 1.0f) / 2.0f, 0.0f, 1.0f);
        }
    }
  return g_steal_pointer (&image);
}

/* The image's RGB in [−1, 1], as the VAE takes it, grown to a multiple of
 * 8 each way by repeating the last row and column. */
float *
tessera_redraw_pad_rgb (TesseraImage *image,
                        guint         multiple,
                        guint        *padded_width,
                        guint        *padded_height)
{
  guint width = tessera_image_get_width (image);
  guint height = tessera_image_get_height (image);
  guint pw = (width + multiple - 1) / multiple * multiple;
  guint ph = (height + multiple - 1) / multiple * multiple;
  float *rgb = g_new (float, (gsize) 3 * pw * ph);

  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);
      float *out = rgb + (gsize) c * pw * ph;

      for (guint y = 0; y < ph; y++)
        {
          const float *row = plane + (gsize) MIN (y, height - 1) * width;

          for (guint x = 0; x < pw; x++)
            out[(gsize) y * pw + x] = row[MIN (x, width - 1)] * 2.0f - 1.0f;
        }
    }
  *padded_width = pw;
  *padded_height = ph;
  return rgb;
}

/* The decoded RGB back in [0, 1], cropped to @source's size, with its
 * alpha and metadata. */
TesseraImage *
tessera_redraw_crop_rgb (const float  *rgb,
                         guint         padded_width,
                         guint         padded_height,
                         TesseraImage *source)
{
  guint width = tessera_image_get_width (source);
  guint height = tessera_image_get_height (source);
  gboolean has_alpha = tessera_image_get_has_alpha (source);
  g_autoptr(TesseraImage) image = tessera_image_new (width, height, has_alpha, NULL);

  g_return_val_if_fail (width <= padded_width && height <= padded_height, NULL);

  if (image == NULL)
    return NULL;
  for (guint c = 0; c < 3; c++)
    {
      const float *in = rgb + (gsize) c * padded_width * padded_height;
      float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        for (guint x = 0; x < width; x++)
          plane[(gsize) y * width + x] = CLAMP ((in[(gsize) y * padded_width + x] + 1.0f) / 2.0f, 0.0f, 1.0f);
    }
  if (has_alpha)
    memcpy (tessera_image_get_plane (image, 3), tessera_image_get_plane (source, 3),
            sizeof (float) * width * height);
  tessera_image_set_bit_depth (image, tessera_image_get_bit_depth (source));
  tessera_image_copy_metadata (image, source);
  return g_steal_pointer (&image);
}

/* Python's str() of a float, which A1111's parameters use: 7.0, 0.35. */
static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buffer, sizeof buffer, "%.15g", value);
  if (strpbrk (buffer, ".e") == NULL)
    return g_strconcat (buffer, ".0", NULL);
  return g_strdup (buffer);
}

/* A1111 names its Hires. fix latent upscalers "Latent" (bilinear),
 * "Latent (antialiased)", "Latent (bicubic antialiased)", "Latent
 * (nearest-exact)"…; the modes it lacks are named the same way. */
static void
append_latent_upscale (GString              *text,
                       TesseraRedrawOptions *options)
{
  TesseraRedrawLatentUpscale mode = tessera_redraw_options_get_latent_upscale (options);
  gboolean antialias = tessera_redraw_options_get_latent_antialias (options) &&
                       (mode == TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR ||
                        mode == TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC);
  g_autoptr(GEnumClass) modes = NULL;

  if (mode == TESSERA_REDRAW_LATENT_UPSCALE_NONE)
    return;
  if (mode == TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR)
    {
      g_string_append (text, antialias ? ", Hires upscaler: Latent (antialiased)" : ", Hires upscaler: Latent");
      return;
    }
  modes = g_type_class_ref (TESSERA_TYPE_REDRAW_LATENT_UPSCALE);
  g_string_append_printf (text, ", Hires upscaler: Latent (%s%s)",
                          g_enum_get_value (modes, mode)->value_nick,
                          antialias ? " antialiased" : "");
}

/* A1111's generation parameters, which PNG-info readers (A1111's own,
 * Civitai…) show and read back: the prompt, the negative prompt, then
 * the settings on one line. */
char *
tessera_redraw_format_parameters (TesseraRedrawOptions *options,
                                  TesseraCheckpoint    *checkpoint,
                                  guint32               seed,
                                  guint                 width,
                                  guint                 height)
{
  GString *text = g_string_new (tessera_redraw_options_get_prompt (options));
  const char *negative = tessera_redraw_options_get_negative_prompt (options);
  TesseraRedrawScheduler scheduler = tessera_redraw_options_get_scheduler (options);
  g_autofree char *cfg = format_number (tessera_redraw_options_get_cfg (options));
  g_autofree char *denoise = format_number (tessera_redraw_options_get_denoise (options));
  const char *upscaler = tessera_redraw_options_get_upscaler (options);

  g_string_append_c (text, '\n');
  if (negative != NULL && *negative != '\0')
    g_string_append_printf (text, "Negative prompt: %s\n", negative);
  g_string_append_printf (text, "Steps: %u, Sampler: %s, ",
                          tessera_redraw_options_get_steps (options),
                          tessera_redraw_sampler_get_label (tessera_redraw_options_get_sampler (options)));
  if (scheduler == TESSERA_REDRAW_SCHEDULER_KARRAS)
    g_string_append (text, "Schedule type: Karras, ");
  else if (scheduler == TESSERA_REDRAW_SCHEDULER_EXPONENTIAL)
    g_string_append (text, "Schedule type: Exponential, ");
  g_string_append_printf (text, "CFG scale: %s, Seed: %u, Size: %ux%u, Model hash: %s, Model: %s, ",
                          cfg, seed, width, height,
                          tessera_checkpoint_get_short_hash (checkpoint),
                          tessera_checkpoint_get_name (checkpoint));
  /* the scripts' own fields, which they add before img2img adds the
   * strength */
  switch (tessera_redraw_options_get_tiles (options))
    {
    case TESSERA_REDRAW_TILES_NONE:
      break;
    case TESSERA_REDRAW_TILES_USDU:
      g_string_append_printf (text, "Ultimate SD upscale upscaler: %s, Ultimate SD upscale tile_width: %u, "
                              "Ultimate SD upscale tile_height: %u, Ultimate SD upscale mask_blur: %u, "
                              "Ultimate SD upscale padding: %u, ",
                              upscaler != NULL && *upscaler != '\0' ? upscaler : "None",
                              tessera_redraw_options_get_tile_width (options),
                              tessera_redraw_options_get_tile_height (options),
                              tessera_redraw_options_get_mask_blur (options),
                              tessera_redraw_options_get_padding (options));
      break;
    case TESSERA_REDRAW_TILES_SD_UPSCALE:
      g_string_append_printf (text, "SD upscale overlap: %u, SD upscale upscaler: %s, ",
                              tessera_redraw_options_get_overlap (options),
                              upscaler != NULL && *upscaler != '\0' ? upscaler : "None");
      break;
    }
  g_string_append_printf (text, "Denoising strength: %s", denoise);
  if (tessera_redraw_options_get_clip_skip (options) > 1)
    g_string_append_printf (text, ", Clip skip: %u", tessera_redraw_options_get_clip_skip (options));
  g_string_append_printf (text, ", RNG: %s",
                          tessera_redraw_options_get_rng (options) == TESSERA_REDRAW_RNG_CPU ? "CPU" : "NV");
  if (tessera_redraw_options_get_exact_steps (options))
    g_string_append (text, ", Exact steps: True");
  append_latent_upscale (text, options);
  switch (tessera_redraw_options_get_color_fix (options))
    {
    case TESSERA_REDRAW_COLOR_FIX_NONE:
      break;
    case TESSERA_REDRAW_COLOR_FIX_WAVELET:
      g_string_append (text, ", Color fix: Wavelet");
      break;
    case TESSERA_REDRAW_COLOR_FIX_ADAIN:
      g_string_append (text, ", Color fix: AdaIN");
      break;
    }
  return g_string_free (text, FALSE);
}

typedef struct
{
  TesseraProgress *progress;
} FirstStageProgress;

static void
on_first_stage_progress (double      fraction,
                         const char *text,
                         gpointer    user_data)
{
  FirstStageProgress *stage = user_data;

  /* the first stage takes the first tenth of the bar */
  tessera_progress_report (stage->progress, fraction * 0.1, text);
}

static void
on_resample_progress (double   fraction,
                      gpointer user_data)
{
  on_first_stage_progress (fraction, _("Resampling"), user_data);
}

/* @image resampled with Lanczos to @width × @height, with @input's
 * metadata. */
static TesseraImage *
resample_exact (TesseraImage         *image,
                TesseraImage         *input,
                guint                 width,
                guint                 height,
                GCancellable         *cancellable,
                TesseraFractionFunc   progress,
                gpointer              progress_data,
                GError              **error)
{
  g_autoptr(TesseraImage) exact = NULL;

  if (tessera_image_get_width (image) == width && tessera_image_get_height (image) == height)
    return g_object_ref (image);

  exact = tessera_image_new (width, height, tessera_image_get_has_alpha (image), error);
  if (exact == NULL)
    return NULL;
  if (!tessera_resample (image, exact, TESSERA_FILTER_LANCZOS, cancellable,
                         progress, progress_data, error))
    return NULL;
  tessera_image_copy_metadata (exact, input);
  return g_steal_pointer (&exact);
}

/* The optional first stage: the upscale asked for, then Lanczos to the
 * exact size. */
static TesseraImage *
run_first_stage (TesseraEngine         *engine,
                 TesseraImage          *input,
                 TesseraRedrawOptions  *options,
                 GCancellable          *cancellable,
                 TesseraProgress       *progress,
                 GError               **error)
{
  const char *upscaler = tessera_redraw_options_get_upscaler (options);
  FirstStageProgress stage = { progress };
  g_autoptr(TesseraImage) image = g_object_ref (input);
  guint width, height;

  /* at the input's size, no upscaler either: the extension's scale
   * factor 1 runs none */
  tessera_redraw_options_get_output_size (options, tessera_image_get_width (input),
                                          tessera_image_get_height (input), &width, &height);
  if (width == tessera_image_get_width (input) && height == tessera_image_get_height (input))
    return g_steal_pointer (&image);

  if (upscaler != NULL && *upscaler != '\0')
    {
      g_autoptr(TesseraUpscaleOptions) upscale = tessera_upscale_options_new ();

      tessera_upscale_options_set_upscaler (upscale, upscaler);
      tessera_upscale_options_set_width (upscale, width);
      tessera_upscale_options_set_height (upscale, height);
      tessera_upscale_options_set_device (upscale, tessera_redraw_options_get_device (options));
      tessera_upscale_options_set_precision (upscale, tessera_redraw_options_get_precision (options));
      g_clear_object (&image);
      image = tessera_engine_upscale (engine, input, upscale, cancellable,
                                      on_first_stage_progress, &stage, error);
      if (image == NULL)
        return NULL;
    }
  return resample_exact (image, input, width, height, cancellable, on_resample_progress, &stage, error);
}

static TesseraClipTokenizer *
load_tokenizer (TesseraCheckpoint  *checkpoint,
                GError            **error)
{
  GFile *file = tessera_checkpoint_get_file (checkpoint);

  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    return tessera_clip_tokenizer_new_for_folder (file, error);
  return tessera_clip_tokenizer_new_default (error);
}

/* Both prompts as the text encoder's chunks, parsed before any work so
 * that a typo costs nothing. */
static gboolean
tokenize_prompts (TesseraCheckpoint     *checkpoint,
                  TesseraRedrawOptions  *options,
                  GArray               **cond,
                  GArray               **uncond,
                  GError               **error)
{
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
  g_autoptr(TesseraClipTokenizer) tokenizer = NULL;
  guint32 pad_id = config->text_encoder.pad_token_id;
  g_autoptr(GError) local_error = NULL;
  guint count;

  tokenizer = load_tokenizer (checkpoint, error);
  if (tokenizer == NULL)
    return FALSE;

  *cond = tessera_prompt_tokenize (tokenizer, tessera_redraw_options_get_prompt (options),
                                   pad_id, TESSERA_PROMPT_COMMA_BACKTRACK, &count, &local_error);
  if (*cond == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The prompt cannot be read: %s"), local_error->message);
      return FALSE;
    }
  *uncond = tessera_prompt_tokenize (tokenizer, tessera_redraw_options_get_negative_prompt (options),
                                     pad_id, TESSERA_PROMPT_COMMA_BACKTRACK, &count, &local_error);
  if (*uncond == NULL)
    {
      g_clear_pointer (cond, g_array_unref);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The negative prompt cannot be read: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_checkpoint (TesseraCheckpoint     *checkpoint,
                  TesseraRedrawOptions  *options,
                  GCancellable          *cancellable,
                  GError               **error)
{
  GFile *vae_file = tessera_redraw_options_get_vae_file (options);
  GFile *current = tessera_checkpoint_get_vae_file (checkpoint);

  if (vae_file != NULL && (current == NULL || !g_file_equal (vae_file, current)) &&
      !tessera_checkpoint_set_vae_file (checkpoint, vae_file, cancellable, error))
    return FALSE;

  if (!tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_VAE))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("“%s” has no VAE; give one with a VAE file"),
                   tessera_checkpoint_get_name (checkpoint));
      return FALSE;
    }
  if (!tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_TEXT_ENCODER))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("“%s” has no text encoder"), tessera_checkpoint_get_name (checkpoint));
      return FALSE;
    }
  return TRUE;
}

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

static void
session_clear (TesseraRedrawSession *self)
{
  guidance_clear (&self->guidance);
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
  return resample_exact (input, input, latent_width * factor, latent_height * factor,
                         cancellable, NULL, NULL, error);
}

/* StableSR's colour fix of the redrawn image against the one the redraw
 * started from, both of the same size. */
static void
fix_colors (TesseraImage         *output,
            TesseraImage         *reference,
            TesseraRedrawOptions *options)
{
  float *rgb = tessera_image_get_plane (output, 0);
  const float *reference_rgb = tessera_image_get_plane (reference, 0);
  guint width = tessera_image_get_width (output);
  guint height = tessera_image_get_height (output);

  switch (tessera_redraw_options_get_color_fix (options))
    {
    case TESSERA_REDRAW_COLOR_FIX_NONE:
      break;
    case TESSERA_REDRAW_COLOR_FIX_WAVELET:
      tessera_color_fix_wavelet (rgb, reference_rgb, width, height);
      break;
    case TESSERA_REDRAW_COLOR_FIX_ADAIN:
      tessera_color_fix_adain (rgb, reference_rgb, width, height);
      break;
    }
}

/* The whole image through a latent upscale: encoded at its own size,
 * the latent enlarged, redrawn and decoded at the new size. @target
 * receives the image the output stands for. */
static TesseraImage *
run_latent_upscale (TesseraRedrawSession  *session,
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

/* The pipeline, with the networks given, so that tests can put stand-ins
 * in their place. */
TesseraImage *
tessera_redraw_run (TesseraEngine                *engine,
                    TesseraImage                 *input,
                    TesseraCheckpoint            *checkpoint,
                    TesseraRedrawOptions         *options,
                    const TesseraRedrawNetworks  *networks,
                    GCancellable                 *cancellable,
                    TesseraProgress              *progress,
                    GError                      **error)
{
  g_autoptr(GArray) cond_chunks = NULL;
  g_autoptr(GArray) uncond_chunks = NULL;
  g_autoptr(TesseraImage) staged = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autofree char *parameters = NULL;
  TesseraRedrawSession session = { { networks, NULL, engine, checkpoint, options }, checkpoint, options };
  Guidance *guidance = &session.guidance;
  gint64 seed_option = tessera_redraw_options_get_seed (options);
  gint64 started, first_stage_time;
  guint32 seed;

  if (!tessera_redraw_options_validate (options, error) ||
      !check_checkpoint (checkpoint, options, cancellable, error) ||
      !tokenize_prompts (checkpoint, options, &cond_chunks, &uncond_chunks, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* A1111 draws its random seeds from [0, 2³² − 2) */
  seed = seed_option >= 0 ? (guint32) seed_option : (guint32) g_random_double_range (0, 4294967294.0);

  started = g_get_monotonic_time ();
  if (tessera_redraw_options_get_latent_upscale (options) == TESSERA_REDRAW_LATENT_UPSCALE_NONE)
    staged = run_first_stage (engine, input, options, cancellable, progress, error);
  else
    staged = g_object_ref (input);
  if (staged == NULL)
    return NULL;
  if (tessera_image_get_width (staged) < TESSERA_REDRAW_MIN_SIZE ||
      tessera_image_get_height (staged) < TESSERA_REDRAW_MIN_SIZE)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The image is too small to redraw: %u × %u pixels, at least %u × %u needed"),
                   tessera_image_get_width (staged), tessera_image_get_height (staged),
                   TESSERA_REDRAW_MIN_SIZE, TESSERA_REDRAW_MIN_SIZE);
      return NULL;
    }

  first_stage_time = g_get_monotonic_time () - started;

  tessera_progress_report (progress, 0.1, _("Loading the networks"));
  guidance->nets = tessera_engine_acquire_redraw_networks (engine, networks, checkpoint, options,
                                                          cancellable, error);
  if (guidance->nets == NULL)
    return NULL;

  networks->geometry (guidance->nets, &guidance->channels, &session.factor, &session.multiple);
  guidance->cfg = tessera_redraw_options_get_cfg (options);
  guidance->cancellable = cancellable;
  guidance->progress = progress;

  if (!networks->encode_text (guidance->nets, cond_chunks, tessera_redraw_options_get_clip_skip (options),
                              &guidance->cond, &guidance->cond_tokens, cancellable, error) ||
      !networks->encode_text (guidance->nets, uncond_chunks, tessera_redraw_options_get_clip_skip (options),
                              &guidance->uncond, &guidance->uncond_tokens, cancellable, error))
    goto failed;

  if (tessera_redraw_options_get_latent_upscale (options) != TESSERA_REDRAW_LATENT_UPSCALE_NONE)
    {
      TesseraImage *target = NULL;

      output = run_latent_upscale (&session, input, seed, &target, error);
      g_clear_object (&staged);
      staged = target;
      if (output == NULL)
        goto failed;
      fix_colors (output, staged, options);
    }
  else if (tessera_redraw_options_get_tiles (options) == TESSERA_REDRAW_TILES_NONE)
    {
      guint pw, ph;
      g_autofree float *rgb = tessera_redraw_pad_rgb (staged, session.multiple, &pw, &ph);

      if (!tessera_redraw_session_redraw (&session, rgb, pw, ph, NULL,
                                          tessera_redraw_options_get_denoise (options), seed, 0, 0, error))
        goto failed;
      output = tessera_redraw_crop_rgb (rgb, pw, ph, staged);
      fix_colors (output, staged, options);
    }
  else
    {
      /* the tiles fix their colours one by one; the first stage's
       * image, if it is not the input, serves nothing after them */
      output = tessera_redraw_tiles_run (&session, staged, staged != input, seed, error);
      if (output == NULL)
        goto failed;
    }
  /* what build-aux/bench-redraw-gpu.sh reads */
  g_debug ("Redraw: %.3f s in all, first stage %.3f s, %u UNet calls %.3f s (fastest %.1f ms), "
           "VAE encode %.3f s, decode %.3f s",
           (g_get_monotonic_time () - started) / 1e6, first_stage_time / 1e6, guidance->unet_calls,
           guidance->unet_time / 1e6, guidance->unet_fastest / 1e3,
           guidance->encode_time / 1e6, guidance->decode_time / 1e6);
  session_clear (&session);

  parameters = tessera_redraw_format_parameters (options, checkpoint, seed,
                                                 tessera_image_get_width (output),
                                                 tessera_image_get_height (output));
  tessera_image_set_text (output, "parameters", parameters);
  tessera_progress_report (progress, 1.0, _("Done"));
  return g_steal_pointer (&output);

failed:
  session_clear (&session);
  return NULL;
}

/**
 * tessera_engine_redraw:
 * @self: a #TesseraEngine
 * @input: the image
 * @checkpoint: the Stable Diffusion checkpoint
 * @options: what to do
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as work proceeds
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Redraws @input in the calling thread; see tessera_engine_redraw_async().
 *
 * Returns: (transfer full): the redrawn image, with the metadata of @input
 *   and A1111's `parameters` text, which names the seed used
 */
TesseraImage *
tessera_engine_redraw (TesseraEngine         *self,
                       TesseraImage          *input,
                       TesseraCheckpoint     *checkpoint,
                       TesseraRedrawOptions  *options,
                       GCancellable          *cancellable,
                       TesseraProgressFunc    progress,
                       gpointer               progress_data,
                       GError               **error)
{
  TesseraProgress reporter;
  TesseraImage *output;

  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (TESSERA_IS_IMAGE (input), NULL);
  g_return_val_if_fail (TESSERA_IS_CHECKPOINT (checkpoint), NULL);
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (options), NULL);

  tessera_progress_init (&reporter, progress, progress_data);
  output = tessera_redraw_run (self, input, checkpoint, options, &tessera_redraw_sd_networks,
                               cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return output;
}

typedef struct
{
  TesseraImage         *input;
  TesseraCheckpoint    *checkpoint;
  TesseraRedrawOptions *options;
  TesseraProgress       progress;
} RedrawJob;

static void
redraw_job_free (gpointer data)
{
  RedrawJob *job = data;

  g_clear_object (&job->input);
  g_clear_object (&job->checkpoint);
  g_clear_object (&job->options);
  tessera_progress_clear (&job->progress);
  g_free (job);
}

static void
redraw_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RedrawJob *job = task_data;
  GError *error = NULL;
  TesseraImage *output;

  output = tessera_redraw_run (source_object, job->input, job->checkpoint, job->options,
                               &tessera_redraw_sd_networks, cancellable, &job->progress, &error);
  if (output == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, output, g_object_unref);
}

/**
 * tessera_engine_redraw_async:
 * @self: a #TesseraEngine
 * @input: the image; it must not change until the redraw finishes
 * @checkpoint: the Stable Diffusion checkpoint; its VAE is replaced when
 *   @options names a VAE file
 * @options: what to do; copied
 * @cancellable: (nullable): a #GCancellable, checked between steps and
 *   between the networks' layers
 * @progress: (nullable) (scope notified): called in the thread-default main
 *   context of the caller as work proceeds ("Step 3 of 7"), never after
 *   @callback
 * @steps: (nullable) (scope notified): called there after each step with
 *   the latent, for a live preview
 * @progress_data: data for @progress and @steps, valid until @callback runs
 * @callback: called when the redraw is done
 * @user_data: data for @callback
 *
 * Redraws @input with Stable Diffusion in a worker thread, as
 * AUTOMATIC1111's img2img does over the whole image: optionally upscaled
 * first, encoded by the VAE, noised to the denoising strength and sampled
 * back with the prompt and the negative prompt, then decoded.
 */
void
tessera_engine_redraw_async (TesseraEngine         *self,
                             TesseraImage          *input,
                             TesseraCheckpoint     *checkpoint,
                             TesseraRedrawOptions  *options,
                             GCancellable          *cancellable,
                             TesseraProgressFunc    progress,
                             TesseraRedrawStepFunc  steps,
                             gpointer               progress_data,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  RedrawJob *job;

  g_return_if_fail (TESSERA_IS_ENGINE (self));
  g_return_if_fail (TESSERA_IS_IMAGE (input));
  g_return_if_fail (TESSERA_IS_CHECKPOINT (checkpoint));
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (options));

  job = g_new0 (RedrawJob, 1);
  job->input = g_object_ref (input);
  job->checkpoint = g_object_ref (checkpoint);
  job->options = tessera_redraw_options_copy (options);
  tessera_progress_init_deferred (&job->progress, progress, progress_data);
  job->progress.event_func = (GCallback) steps;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_engine_redraw_async);
  g_task_set_task_data (task, job, redraw_job_free);
  g_task_run_in_thread (task, redraw_thread);
}

/**
 * tessera_engine_redraw_finish:
 *
 * Returns: (transfer full): the redrawn image, or %NULL on error or
 *   cancellation (%G_IO_ERROR_CANCELLED)
 */
TesseraImage *
tessera_engine_redraw_finish (TesseraEngine  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (TESSERA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
