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
#include "tessera-enums.h"
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
TesseraImage *
tessera_redraw_resample_exact (TesseraImage         *image,
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
  return tessera_redraw_resample_exact (image, input, width, height, cancellable, on_resample_progress, &stage,
                                        error);
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
  TesseraRedrawSession *session = NULL;
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

  session = tessera_redraw_session_new (engine, networks, checkpoint, options, cond_chunks, uncond_chunks,
                                        cancellable, progress, error);
  if (session == NULL)
    return NULL;

  if (tessera_redraw_options_get_latent_upscale (options) != TESSERA_REDRAW_LATENT_UPSCALE_NONE)
    {
      TesseraImage *target = NULL;

      output = tessera_redraw_session_latent_upscale (session, input, seed, &target, error);
      g_clear_object (&staged);
      staged = target;
      if (output == NULL)
        goto failed;
      fix_colors (output, staged, options);
    }
  else if (tessera_redraw_options_get_tiles (options) == TESSERA_REDRAW_TILES_NONE)
    {
      guint factor, multiple, pw, ph;
      g_autofree float *rgb = NULL;

      tessera_redraw_session_get_geometry (session, &factor, &multiple);
      rgb = tessera_redraw_pad_rgb (staged, multiple, &pw, &ph);
      if (!tessera_redraw_session_redraw (session, rgb, pw, ph, NULL,
                                          tessera_redraw_options_get_denoise (options), seed, 0, 0, error))
        goto failed;
      output = tessera_redraw_crop_rgb (rgb, pw, ph, staged);
      fix_colors (output, staged, options);
    }
  else
    {
      /* the tiles fix their colours one by one; the first stage's
       * image, if it is not the input, serves nothing after them */
      output = tessera_redraw_tiles_run (session, staged, staged != input, seed, error);
      if (output == NULL)
        goto failed;
    }
  tessera_redraw_session_log_times (session, g_get_monotonic_time () - started, first_stage_time);
  tessera_redraw_session_free (session);

  parameters = tessera_redraw_format_parameters (options, checkpoint, seed,
                                                 tessera_image_get_width (output),
                                                 tessera_image_get_height (output));
  tessera_image_set_text (output, "parameters", parameters);
  tessera_progress_report (progress, 1.0, _("Done"));
  return g_steal_pointer (&output);

failed:
  tessera_redraw_session_free (session);
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
