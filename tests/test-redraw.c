/* test-redraw.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "prompts/tessera-prompt-private.h"
#include "tessera-redraw-private.h"
#include "tessera-test-utils.h"

/* Stand-ins for the networks: the VAE averages 8 × 8 blocks into the
 * first three latent channels and spreads them back; the UNet predicts no
 * noise. They count their calls and can cancel during one. */
typedef struct
{
  guint         unet_calls;
  guint         loads;
  guint         frees;
  guint         cancel_at_call;
  GCancellable *cancellable;
} StandIn;

static StandIn stand_in;

static gpointer
stand_in_load (TesseraCheckpoint     *checkpoint,
               TesseraRedrawOptions  *options,
               GCancellable          *cancellable,
               GError               **error)
{
  stand_in.loads++;
  return &stand_in;
}

static gboolean
stand_in_encode_text (gpointer       networks,
                      GArray        *chunks,
                      guint          clip_skip,
                      float        **context,
                      guint         *n_tokens,
                      GCancellable  *cancellable,
                      GError       **error)
{
  *n_tokens = chunks->len * TESSERA_PROMPT_CHUNK_LENGTH;
  *context = g_new0 (float, *n_tokens);
  return TRUE;
}

static gboolean
stand_in_unet (gpointer       networks,
               const float   *x,
               guint          width,
               guint          height,
               float          timestep,
               const float   *context,
               guint          n_tokens,
               float         *output,
               GCancellable  *cancellable,
               GError       **error)
{
  StandIn *self = networks;

  self->unet_calls++;
  if (self->unet_calls == self->cancel_at_call)
    g_cancellable_cancel (self->cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  memset (output, 0, sizeof (float) * TESSERA_REDRAW_LATENT_CHANNELS * width * height);
  return TRUE;
}

static gboolean
stand_in_vae_encode (gpointer       networks,
                     const float   *rgb,
                     guint          width,
                     guint          height,
                     float         *latent,
                     GCancellable  *cancellable,
                     GError       **error)
{
  guint lw = width / 8, lh = height / 8;

  memset (latent, 0, sizeof (float) * 4 * lw * lh);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < height; y++)
      for (guint x = 0; x < width; x++)
        latent[(c * lh + y / 8) * lw + x / 8] += rgb[(c * height + y) * width + x] / 64.0f;
  return TRUE;
}

static gboolean
stand_in_vae_decode (gpointer       networks,
                     const float   *latent,
                     guint          width,
                     guint          height,
                     float         *rgb,
                     GCancellable  *cancellable,
                     GError       **error)
{
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < height * 8; y++)
      for (guint x = 0; x < width * 8; x++)
        rgb[(c * height * 8 + y) * width * 8 + x] = latent[(c * height + y / 8) * width + x / 8];
  return TRUE;
}

static void
stand_in_geometry (gpointer  networks,
                   guint    *channels,
                   guint    *factor,
                   guint    *multiple)
{
  *channels = 4;
  *factor = 8;
  *multiple = 8;
}

static void
stand_in_free (gpointer networks)
{
  stand_in.frees++;
}

static const TesseraRedrawNetworks stand_in_networks = {
  .load = stand_in_load,
  .encode_text = stand_in_encode_text,
  .unet = stand_in_unet,
  .vae_encode = stand_in_vae_encode,
  .vae_decode = stand_in_vae_decode,
  .geometry = stand_in_geometry,
  .free = stand_in_free,
};

static char *
sd_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "sd", name, NULL);
}

static TesseraCheckpoint *
load_checkpoint (const char *name)
{
  g_autofree char *path = sd_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraCheckpoint *checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  return checkpoint;
}

/* 8 × 8 blocks of one colour each, cut to width × height */
/* The whole image at once, as the runtime's references were made. */
static TesseraRedrawOptions *
whole_image_options (void)
{
  TesseraRedrawOptions *options = tessera_redraw_options_new ();

  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_NONE);
  return options;
}

static TesseraImage *
make_blocks (guint width,
             guint height)
{
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new (width, height, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        for (guint x = 0; x < width; x++)
          plane[y * width + x] = ((x / 8 * 3 + y / 8 * 5 + c * 7) % 11) / 10.0f;
    }
  return image;
}

static TesseraImage *
run (TesseraImage          *input,
     TesseraRedrawOptions  *options,
     GCancellable          *cancellable,
     GPtrArray             *texts,
     GError               **error)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  TesseraProgress progress = { 0 };

  memset (&stand_in, 0, sizeof stand_in);
  stand_in.cancellable = cancellable;
  return tessera_redraw_run (engine, input, checkpoint, options, &stand_in_networks,
                             cancellable, &progress, error);
}

static void
test_options (void)
{
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraRedrawOptions) copy = NULL;
  g_autoptr(GError) error = NULL;
  TesseraRedrawSampler sampler;

  g_assert_cmpfloat (tessera_redraw_options_get_denoise (options), ==, 0.35);
  g_assert_cmpuint (tessera_redraw_options_get_steps (options), ==, 20);
  g_assert_cmpfloat (tessera_redraw_options_get_cfg (options), ==, 7.0);
  g_assert_cmpint (tessera_redraw_options_get_sampler (options), ==, TESSERA_REDRAW_SAMPLER_EULER_A);
  g_assert_cmpint (tessera_redraw_options_get_scheduler (options), ==, TESSERA_REDRAW_SCHEDULER_NORMAL);
  g_assert_cmpint (tessera_redraw_options_get_seed (options), ==, -1);
  g_assert_cmpint (tessera_redraw_options_get_rng (options), ==, TESSERA_REDRAW_RNG_NV);
  g_assert_cmpuint (tessera_redraw_options_get_clip_skip (options), ==, 1);
  g_assert_false (tessera_redraw_options_get_exact_steps (options));
  g_assert_null (tessera_redraw_options_get_vae_file (options));
  g_assert_cmpint (tessera_redraw_options_get_tiles (options), ==, TESSERA_REDRAW_TILES_USDU);
  g_assert_cmpuint (tessera_redraw_options_get_tile_width (options), ==, 512);
  g_assert_cmpuint (tessera_redraw_options_get_padding (options), ==, 32);
  g_assert_cmpuint (tessera_redraw_options_get_mask_blur (options), ==, 8);
  g_assert_cmpfloat (tessera_redraw_options_get_seams_fix_denoise (options), ==, 0.35);
  g_assert_cmpuint (tessera_redraw_options_get_seams_fix_width (options), ==, 64);
  g_assert_cmpuint (tessera_redraw_options_get_seams_fix_mask_blur (options), ==, 4);
  g_assert_cmpuint (tessera_redraw_options_get_seams_fix_padding (options), ==, 16);
  g_assert_cmpuint (tessera_redraw_options_get_overlap (options), ==, 64);
  g_assert_cmpstr (tessera_redraw_options_get_prompt (options), ==, "");
  g_assert_true (tessera_redraw_options_validate (options, &error));
  g_assert_no_error (error);

  g_assert_true (tessera_redraw_sampler_from_name ("dpmpp_2m", &sampler));
  g_assert_cmpint (sampler, ==, TESSERA_REDRAW_SAMPLER_DPMPP_2M);
  g_assert_true (tessera_redraw_sampler_from_name ("Euler a", &sampler));
  g_assert_cmpstr (tessera_redraw_sampler_to_name (sampler), ==, "euler_a");
  g_assert_false (tessera_redraw_sampler_from_name ("lms", &sampler));

  tessera_redraw_options_set_prompt (options, "a cat");
  tessera_redraw_options_set_seed (options, 42);
  copy = tessera_redraw_options_copy (options);
  g_assert_cmpstr (tessera_redraw_options_get_prompt (copy), ==, "a cat");
  g_assert_cmpint (tessera_redraw_options_get_seed (copy), ==, 42);

  tessera_redraw_options_set_latent_upscale (options, TESSERA_REDRAW_LATENT_UPSCALE_BISLERP);
  g_assert_false (tessera_redraw_options_validate (options, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_NONE);
  g_assert_true (tessera_redraw_options_validate (options, &error));
  tessera_redraw_options_set_latent_upscale (options, TESSERA_REDRAW_LATENT_UPSCALE_NONE);

  tessera_redraw_options_set_upscaler (options, "lanczos");
  g_assert_false (tessera_redraw_options_validate (options, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  tessera_redraw_options_set_width (options, 64);
  g_assert_false (tessera_redraw_options_validate (options, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  tessera_redraw_options_set_height (options, 64);
  g_assert_true (tessera_redraw_options_validate (options, &error));
  tessera_redraw_options_set_scale (options, 2);
  g_assert_false (tessera_redraw_options_validate (options, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
}

/* 37 × 29 goes through the VAE as 40 × 32, its last row and column
 * repeated, and comes back cropped. */
static void
test_pad_crop (void)
{
  g_autoptr(TesseraImage) image = make_blocks (37, 29);
  g_autoptr(TesseraImage) back = NULL;
  g_autofree float *rgb = NULL;
  guint width, height;

  tessera_image_set_text (image, "Comment", "kept");
  rgb = tessera_redraw_pad_rgb (image, 8, &width, &height);
  g_assert_cmpuint (width, ==, 40);
  g_assert_cmpuint (height, ==, 32);
  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < 32; y++)
        for (guint x = 0; x < 40; x++)
          g_assert_cmpfloat (rgb[(c * 32 + y) * 40 + x], ==, plane[MIN (y, 28) * 37 + MIN (x, 36)] * 2 - 1);
    }

  back = tessera_redraw_crop_rgb (rgb, width, height, image);
  g_assert_cmpuint (tessera_image_get_width (back), ==, 37);
  g_assert_cmpuint (tessera_image_get_height (back), ==, 29);
  g_assert_cmpstr (tessera_image_get_text (back, "Comment"), ==, "kept");
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < 37 * 29; i++)
      g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (back, c)[i],
                                      tessera_image_get_plane (image, c)[i], 1e-6);
}

/* Strength 0 runs no step: the image only goes through the VAE. */
static void
test_denoise_zero (void)
{
  g_autoptr(TesseraImage) input = make_blocks (37, 29);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  tessera_redraw_options_set_denoise (options, 0);
  output = run (input, options, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stand_in.unet_calls, ==, 0);
  g_assert_cmpuint (tessera_image_get_width (output), ==, 37);
  g_assert_cmpuint (tessera_image_get_height (output), ==, 29);
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < 37 * 29; i++)
      g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (output, c)[i],
                                      tessera_image_get_plane (input, c)[i], 1e-5);
}

/* A1111's plan: t_enc = int(min(denoise, 0.999) × steps) steps and one
 * more, two UNet calls each (the prompt and the negative prompt). Below
 * 1 / steps, t_enc is 0 and one step still runs, at the schedule's last σ. */
static void
test_steps (void)
{
  static const struct {
    double denoise;
    guint steps;
    gboolean exact;
    guint unet_calls;
  } cases[] = {
    { 0.5, 4, FALSE, 2 * 3 },
    { 1.0, 4, FALSE, 2 * 4 },
    { 0.01, 20, FALSE, 2 * 1 },
    { 0.35, 20, FALSE, 2 * 8 },
    { 0.35, 5, TRUE, 2 * 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TesseraImage) input = make_blocks (32, 24);
      g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
      g_autoptr(TesseraImage) output = NULL;
      g_autoptr(GError) error = NULL;

      tessera_redraw_options_set_denoise (options, cases[i].denoise);
      tessera_redraw_options_set_steps (options, cases[i].steps);
      tessera_redraw_options_set_exact_steps (options, cases[i].exact);
      tessera_redraw_options_set_sampler (options, TESSERA_REDRAW_SAMPLER_EULER);
      tessera_redraw_options_set_seed (options, 1);
      output = run (input, options, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (output);
      g_assert_cmpuint (stand_in.unet_calls, ==, cases[i].unet_calls);
    }
}

/* The generation parameters as A1111 writes them. */
static void
test_parameters (void)
{
  g_autoptr(TesseraImage) input = make_blocks (37, 29);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;

  tessera_image_set_text (input, "Comment", "kept");
  tessera_redraw_options_set_prompt (options, "a (cat:1.2)");
  tessera_redraw_options_set_negative_prompt (options, "blurry");
  tessera_redraw_options_set_seed (options, 1234);
  tessera_redraw_options_set_denoise (options, 0.5);
  tessera_redraw_options_set_steps (options, 4);
  output = run (input, options, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tessera_image_get_text (output, "Comment"), ==, "kept");
  expected = g_strdup_printf ("a (cat:1.2)\nNegative prompt: blurry\n"
                              "Steps: 4, Sampler: Euler a, CFG scale: 7.0, Seed: 1234, Size: 37x29, "
                              "Model hash: %s, Model: %s, Denoising strength: 0.5, RNG: NV",
                              tessera_checkpoint_get_short_hash (checkpoint),
                              tessera_checkpoint_get_name (checkpoint));
  g_assert_cmpstr (tessera_image_get_text (output, "parameters"), ==, expected);

  tessera_redraw_options_set_negative_prompt (options, "");
  tessera_redraw_options_set_scheduler (options, TESSERA_REDRAW_SCHEDULER_KARRAS);
  tessera_redraw_options_set_clip_skip (options, 2);
  tessera_redraw_options_set_rng (options, TESSERA_REDRAW_RNG_CPU);
  tessera_redraw_options_set_cfg (options, 4.5);
  text = tessera_redraw_format_parameters (options, checkpoint, 7, 64, 48);
  g_assert_true (g_str_has_prefix (text, "a (cat:1.2)\nSteps: 4, Sampler: Euler a, Schedule type: Karras, CFG scale: 4.5, Seed: 7, Size: 64x48, "));
  g_assert_true (g_str_has_suffix (text, "Denoising strength: 0.5, Clip skip: 2, RNG: CPU"));
}

/* Cancelled before the first step, or during a UNet call: an error, no
 * image. */
static void
test_cancel (void)
{
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) later = g_cancellable_new ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  output = run (input, options, cancellable, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (output);
  g_assert_cmpuint (stand_in.unet_calls, ==, 0);
  g_clear_error (&error);

  memset (&stand_in, 0, sizeof stand_in);
  {
    g_autoptr(TesseraEngine) engine = tessera_engine_new ();
    g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
    TesseraProgress progress = { 0 };

    stand_in.cancellable = later;
    stand_in.cancel_at_call = 3;
    output = tessera_redraw_run (engine, input, checkpoint, options, &stand_in_networks,
                                 later, &progress, &error);
  }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (output);
  g_assert_cmpuint (stand_in.unet_calls, ==, 3);
}

static void
test_errors (void)
{
  g_autoptr(TesseraImage) small = make_blocks (12, 40);
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = sd_path ("no-such.safetensors");
  g_autofree char *not_vae = sd_path ("README.md");
  g_autoptr(GFile) missing_file = g_file_new_for_path (missing);
  g_autoptr(GFile) not_vae_file = g_file_new_for_path (not_vae);
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;

  /* too small */
  output = run (small, options, NULL, NULL, &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "12 × 40"));
  g_assert_null (output);
  g_clear_error (&error);

  /* a prompt that cannot be read */
  tessera_redraw_options_set_prompt (options, "a \xff cat");
  output = run (input, options, NULL, NULL, &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "byte 3"));
  g_clear_error (&error);
  tessera_redraw_options_set_prompt (options, "");

  /* a VAE file that is not one */
  tessera_redraw_options_set_vae_file (options, not_vae_file);
  output = run (input, options, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_null (output);
  g_assert_cmpuint (stand_in.unet_calls, ==, 0);
  g_clear_error (&error);

  /* no checkpoint */
  checkpoint = tessera_checkpoint_new_from_file (missing_file, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (checkpoint);
}

/* A whole redraw through the real networks of a small checkpoint: the
 * input's size, pixels in [0, 1], the same seed giving the same image and
 * another seed another one, and what was done in the parameters. */
static void
test_real_networks (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  g_autoptr(TesseraImage) input = make_blocks (37, 29);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) first = NULL;
  g_autoptr(TesseraImage) again = NULL;
  g_autoptr(TesseraImage) other = NULL;
  g_autoptr(GError) error = NULL;
  gsize n = (gsize) 3 * 37 * 29;
  double change = 0.0;

  g_object_set (options, "prompt", "a (red:1.2) house", "negative-prompt", "blurry", "steps", 4,
                "denoise", 0.5, "seed", (gint64) 7, "rng", TESSERA_REDRAW_RNG_CPU, NULL);
  first = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_image_get_width (first), ==, 37);
  g_assert_cmpuint (tessera_image_get_height (first), ==, 29);
  for (gsize i = 0; i < n; i++)
    {
      float v = tessera_image_get_plane (first, 0)[i];

      g_assert_true (v >= 0.f && v <= 1.f);
    }
  g_assert_nonnull (strstr (tessera_image_get_text (first, "parameters"), "Seed: 7"));

  again = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (tessera_image_get_plane (first, 0), n * sizeof (float),
                   tessera_image_get_plane (again, 0), n * sizeof (float));

  g_object_set (options, "seed", (gint64) 8, NULL);
  other = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < n; i++)
    change = MAX (change, fabs (tessera_image_get_plane (first, 0)[i] - tessera_image_get_plane (other, 0)[i]));
  g_assert_cmpfloat (change, >, 1e-3);
}

/* The SD networks behind a table that counts the UNet's calls, with or
 * without unet_batch(). */
static guint single_calls, batch_calls;

static gboolean
counting_unet (gpointer       networks,
               const float   *x,
               guint          width,
               guint          height,
               float          timestep,
               const float   *context,
               guint          n_tokens,
               float         *output,
               GCancellable  *cancellable,
               GError       **error)
{
  single_calls++;
  return tessera_redraw_sd_networks.unet (networks, x, width, height, timestep, context, n_tokens, output,
                                          cancellable, error);
}

static gboolean
counting_unet_batch (gpointer              networks,
                     const float          *x,
                     guint                 batch,
                     guint                 width,
                     guint                 height,
                     float                 timestep,
                     const float * const  *contexts,
                     guint                 n_tokens,
                     float                *output,
                     GCancellable         *cancellable,
                     GError              **error)
{
  batch_calls++;
  g_assert_cmpuint (batch, ==, 2);
  return tessera_redraw_sd_networks.unet_batch (networks, x, batch, width, height, timestep, contexts, n_tokens,
                                                output, cancellable, error);
}

static gboolean
no_batches (gpointer networks)
{
  return FALSE;
}

typedef enum
{
  NO_UNET_BATCH,
  UNET_BATCH,
  UNET_BATCH_NOT_WORTH_IT,     /* as on a device that would run the samples apart */
} Batching;

static TesseraImage *
run_counting (TesseraImage         *input,
              TesseraRedrawOptions *options,
              Batching              batching)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  TesseraRedrawNetworks networks = tessera_redraw_sd_networks;
  TesseraProgress progress = { 0 };
  g_autoptr(GError) error = NULL;
  TesseraImage *output;

  networks.unet = counting_unet;
  networks.unet_batch = batching != NO_UNET_BATCH ? counting_unet_batch : NULL;
  if (batching == UNET_BATCH_NOT_WORTH_IT)
    networks.batches = no_batches;
  single_calls = batch_calls = 0;
  output = tessera_redraw_run (engine, input, checkpoint, options, &networks, NULL, &progress, &error);
  g_assert_no_error (error);
  g_assert_nonnull (output);
  return output;
}

/* Guidance runs cond and uncond as one batch of two when the prompts
 * have as many 75-token chunks, and as two calls otherwise, as A1111's
 * CFGDenoiser does (without "pad_cond_uncond"), or when the device would
 * gain nothing; the batch redraws what the two calls do. */
static void
test_guidance_batch (void)
{
  g_autoptr(TesseraImage) input = make_blocks (32, 24);
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) batched = NULL;
  g_autoptr(TesseraImage) apart = NULL;
  g_autoptr(GString) long_prompt = g_string_new (NULL);
  gsize n = (gsize) 32 * 24;
  double worst = 0.0, peak = 0.0;

  /* 3 steps of Euler */
  g_object_set (options, "prompt", "a (red:1.2) house", "negative-prompt", "blurry", "steps", 4,
                "denoise", 0.5, "seed", (gint64) 7, "sampler", TESSERA_REDRAW_SAMPLER_EULER, NULL);
  batched = run_counting (input, options, UNET_BATCH);
  g_assert_cmpuint (batch_calls, ==, 3);
  g_assert_cmpuint (single_calls, ==, 0);
  apart = run_counting (input, options, NO_UNET_BATCH);
  g_assert_cmpuint (batch_calls, ==, 0);
  g_assert_cmpuint (single_calls, ==, 2 * 3);
  g_clear_object (&apart);
  apart = run_counting (input, options, UNET_BATCH_NOT_WORTH_IT);
  g_assert_cmpuint (batch_calls, ==, 0);
  g_assert_cmpuint (single_calls, ==, 2 * 3);
  for (guint c = 0; c < 3; c++)
    for (gsize i = 0; i < n; i++)
      {
        float a = tessera_image_get_plane (apart, c)[i], b = tessera_image_get_plane (batched, c)[i];

        worst = MAX (worst, fabsf (a - b));
        peak = MAX (peak, fabsf (a));
      }
  g_test_message ("batch of two against two calls: relative difference %.3g", worst / peak);
  g_assert_cmpfloat (worst / peak, <=, 1e-5);

  /* two chunks against one */
  for (guint i = 0; i < 80; i++)
    g_string_append (long_prompt, "house ");
  g_object_set (options, "prompt", long_prompt->str, NULL);
  g_clear_object (&batched);
  batched = run_counting (input, options, UNET_BATCH);
  g_assert_cmpuint (batch_calls, ==, 0);
  g_assert_cmpuint (single_calls, ==, 2 * 3);
}

/* data/redraw-refs: whole redraws by diffusers' networks and
 * k-diffusion's samplers, run the A1111 way (make-redraw-refs.py). */
static JsonParser *
load_redraw_refs (JsonArray **cases)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "redraw-refs", "cases.json", NULL);
  JsonParser *parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  *cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");
  return parser;
}

/* C × H × W floats of a reference .npy */
static float *
load_redraw_npy (const char *name,
                 guint       width,
                 guint       height)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "redraw-refs", file, NULL);
  guint n_dims, shape[4];
  float *data = test_load_npy (path, &n_dims, shape);

  g_assert_cmpuint (n_dims, ==, 3);
  g_assert_cmpuint (shape[0], ==, 3);
  g_assert_cmpuint (shape[1], ==, height);
  g_assert_cmpuint (shape[2], ==, width);
  return data;
}

static TesseraImage *
load_redraw_input (JsonObject *test)
{
  guint width = json_object_get_int_member (test, "width");
  guint height = json_object_get_int_member (test, "height");
  g_autofree float *pixels = load_redraw_npy (json_object_get_string_member (test, "input"), width, height);
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new (width, height, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    memcpy (tessera_image_get_plane (image, c), pixels + (gsize) c * width * height,
            sizeof (float) * width * height);
  return image;
}

/* max |ours − reference| / max |reference| over the three planes */
static double
redraw_error (TesseraImage *ours,
              const float  *reference)
{
  guint width = tessera_image_get_width (ours);
  guint height = tessera_image_get_height (ours);
  gsize plane = (gsize) width * height;
  g_autofree float *pixels = g_new (float, 3 * plane);

  for (guint c = 0; c < 3; c++)
    memcpy (pixels + c * plane, tessera_image_get_plane (ours, c), sizeof (float) * plane);
  return test_max_relative_error (pixels, reference, 3 * plane);
}

/* Both prompts get the token ids that CLIP's own tokenizer gave. */
static void
check_redraw_ids (JsonObject *test,
                  const char *text_member,
                  const char *ids_member)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = tessera_clip_tokenizer_new_default (&error);
  g_autoptr(GArray) chunks = NULL;
  JsonArray *ids = json_object_get_array_member (test, ids_member);
  const TesseraPromptChunk *chunk;
  guint count;

  g_assert_no_error (error);
  chunks = tessera_prompt_tokenize (tokenizer, json_object_get_string_member (test, text_member), 49407,
                                    TESSERA_PROMPT_COMMA_BACKTRACK, &count, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chunks->len, ==, 1);
  chunk = &g_array_index (chunks, TesseraPromptChunk, 0);
  g_assert_cmpuint (json_array_get_length (ids), ==, TESSERA_PROMPT_CHUNK_LENGTH);
  for (guint i = 0; i < TESSERA_PROMPT_CHUNK_LENGTH; i++)
    g_assert_cmpuint (chunk->ids[i], ==, json_array_get_int_element (ids, i));
}

static TesseraRedrawOptions *
redraw_ref_options (JsonObject *test)
{
  TesseraRedrawOptions *options = whole_image_options ();
  TesseraRedrawSampler sampler;

  g_assert_true (tessera_redraw_sampler_from_name (json_object_get_string_member (test, "sampler"), &sampler));
  g_assert_cmpstr (json_object_get_string_member (test, "rng"), ==, "cpu");
  g_object_set (options,
                "prompt", json_object_get_string_member (test, "prompt"),
                "negative-prompt", json_object_get_string_member (test, "negative_prompt"),
                "steps", (guint) json_object_get_int_member (test, "steps"),
                "denoise", json_object_get_double_member (test, "denoise"),
                "cfg", json_object_get_double_member (test, "cfg"),
                "seed", (gint64) json_object_get_int_member (test, "seed"),
                "rng", TESSERA_REDRAW_RNG_CPU,
                NULL);
  tessera_redraw_options_set_sampler (options, sampler);
  return options;
}

/* Whole redraws against diffusers' networks and k-diffusion's Euler and
 * Euler a over A1111's img2img plan, 32 × 32 and 37 × 29 (padded). */
static void
test_reference (void)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  JsonArray *cases;

  parser = load_redraw_refs (&cases);
  g_assert_cmpuint (json_array_get_length (cases), ==, 4);
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      g_autoptr(TesseraImage) input = load_redraw_input (test);
      g_autoptr(TesseraRedrawOptions) options = redraw_ref_options (test);
      g_autoptr(TesseraImage) output = NULL;
      g_autofree float *reference = NULL;
      g_autoptr(GError) error = NULL;
      double relative;

      check_redraw_ids (test, "prompt", "prompt_ids");
      check_redraw_ids (test, "negative_prompt", "negative_prompt_ids");
      output = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      reference = load_redraw_npy (json_object_get_string_member (test, "output"),
                                   tessera_image_get_width (output), tessera_image_get_height (output));
      relative = redraw_error (output, reference);
      g_test_message ("%s: max |ours - reference| / max |reference| = %.3g",
                      json_object_get_string_member (test, "name"), relative);
      g_assert_cmpfloat (relative, <=, 1e-4);
    }
}

/* The same through the command, from a 16-bit PNG: the input's values
 * are 16-bit ones, so only the output's rounding (half a level of its
 * depth) adds to the pipeline's error. The redraw does not keep the
 * input's depth as the upscale does: it writes 8 bits. */
static void
test_reference_cli (void)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *output_path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *checkpoint = sd_path ("sd1.safetensors");
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(GFile) output_file = g_file_new_for_path (output_path);
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autofree float *reference = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *negative = NULL;
  g_autofree char *sampler = NULL;
  g_autofree char *steps = NULL;
  g_autofree char *denoise = NULL;
  g_autofree char *cfg = NULL;
  g_autofree char *seed = NULL;
  JsonArray *cases;
  JsonObject *test;
  double worst = 0.0;
  guint width, height, levels;
  int status;

  parser = load_redraw_refs (&cases);
  /* the padded ancestral case */
  test = json_array_get_object_element (cases, 3);
  g_assert_cmpstr (json_object_get_string_member (test, "name"), ==, "euler_a-6-0.75-37x29");
  input = load_redraw_input (test);
  tessera_image_set_bit_depth (input, 16);
  tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  prompt = g_strconcat ("--prompt=", json_object_get_string_member (test, "prompt"), NULL);
  negative = g_strconcat ("--negative-prompt=", json_object_get_string_member (test, "negative_prompt"), NULL);
  sampler = g_strconcat ("--sampler=", json_object_get_string_member (test, "sampler"), NULL);
  steps = g_strdup_printf ("--steps=%" G_GINT64_FORMAT, json_object_get_int_member (test, "steps"));
  denoise = g_strdup_printf ("--denoise=%g", json_object_get_double_member (test, "denoise"));
  cfg = g_strdup_printf ("--cfg=%g", json_object_get_double_member (test, "cfg"));
  seed = g_strdup_printf ("--seed=%" G_GINT64_FORMAT, json_object_get_int_member (test, "seed"));
  {
    const char *argv[] = { g_getenv ("TESSERA_CLI"), "redraw", input_path, "-o", output_path,
                           "--checkpoint", checkpoint, prompt, negative, sampler, steps, denoise, cfg, seed,
                           "--rng=cpu", "--tiles=none", "-q", NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_true (WIFEXITED (status));
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  }

  output = tessera_image_new_from_file (output_file, NULL, &error);
  g_assert_no_error (error);
  levels = (1u << tessera_image_get_bit_depth (output)) - 1;
  width = tessera_image_get_width (output);
  height = tessera_image_get_height (output);
  reference = load_redraw_npy (json_object_get_string_member (test, "output"), width, height);
  for (guint c = 0; c < 3; c++)
    for (gsize i = 0; i < (gsize) width * height; i++)
      worst = MAX (worst, fabs (tessera_image_get_plane (output, c)[i] - reference[c * width * height + i]));
  g_test_message ("tessera-cli redraw, %u-bit PNG: max |ours - reference| = %.3g (%.3f levels of 1/%u)",
                  tessera_image_get_bit_depth (output), worst, worst * levels, levels);
  /* rounding to the nearest level, and the pipeline's own error */
  g_assert_cmpfloat (worst, <=, 0.5 / levels + 1e-5);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_preview (void)
{
  float latent[4 * 2] = { 1, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(TesseraImage) image = tessera_redraw_latent_preview (latent, 2, 1);

  g_assert_cmpuint (tessera_image_get_width (image), ==, 2);
  g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (image, 0)[0], (0.298f + 1) / 2, 1e-6);
  g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (image, 2)[0], (0.208f + 1) / 2, 1e-6);
  g_assert_cmpfloat (tessera_image_get_plane (image, 1)[1], ==, 0.5f);
}

/* The command refuses what it cannot do and never leaves a file behind. */
static void
test_cli (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *output_path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *checkpoint = sd_path ("sd1.safetensors");
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  g_autoptr(GError) error = NULL;
  const char *cli = g_getenv ("TESSERA_CLI");
  struct {
    const char *extra;
    int status;
    const char *message;
  } cases[] = {
    { "--sampler=lms", 2, "unknown sampler “lms”" },
    { "--tiles=grid", 2, "unknown tile mode “grid”" },
    { "--batch-size=0", 2, "--batch-size must be between 1 and 16" },
    { "--vae=missing.vae.pt", 1, "missing.vae.pt" },
  };

  tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { cli, "redraw", input_path, "-o", output_path, "--checkpoint", checkpoint,
                             cases[i].extra, NULL };
      g_autofree char *err = NULL;
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_false (g_file_test (output_path, G_FILE_TEST_EXISTS));
    }

  {
    const char *argv[] = { cli, "redraw", input_path, "-o", output_path, "--checkpoint", checkpoint, "--steps=2",
                           "--seed=5", "--tiles=none", "-q", NULL };
    g_autoptr(TesseraImage) output = NULL;
    g_autoptr(GFile) output_file = g_file_new_for_path (output_path);
    int status;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    output = tessera_image_new_from_file (output_file, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (tessera_image_get_width (output), ==, 32);
    g_assert_nonnull (strstr (tessera_image_get_text (output, "parameters"), "Seed: 5"));
  }

  {
    const char *argv[] = { cli, "redraw", input_path, "-o", input_path, "--checkpoint", checkpoint, "--overwrite", NULL };
    g_autofree char *err = NULL;
    int status;

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    g_assert_nonnull (strstr (err, "would replace the image itself"));
  }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Held, the networks load once for several redraws with one checkpoint,
 * and are freed at the release; not held, each redraw loads its own. */
static void
test_keep_networks (void)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
  g_autoptr(TesseraCheckpoint) other = load_checkpoint ("sd1.safetensors");
  g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  TesseraProgress progress = { 0 };
  g_autoptr(GError) error = NULL;

  tessera_redraw_options_set_steps (options, 2);
  memset (&stand_in, 0, sizeof stand_in);
  tessera_engine_hold_redraw_networks (engine);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(TesseraImage) output = tessera_redraw_run (engine, input, checkpoint, options, &stand_in_networks,
                                                           NULL, &progress, &error);

      g_assert_no_error (error);
      g_assert_nonnull (output);
    }
  g_assert_cmpuint (stand_in.loads, ==, 1);
  g_assert_cmpuint (stand_in.frees, ==, 0);

  /* Another checkpoint (or device) needs its own, which replace them. */
  {
    g_autoptr(TesseraImage) output = tessera_redraw_run (engine, input, other, options, &stand_in_networks,
                                                         NULL, &progress, &error);

    g_assert_no_error (error);
  }
  g_assert_cmpuint (stand_in.loads, ==, 2);
  g_assert_cmpuint (stand_in.frees, ==, 1);
  tessera_engine_release_redraw_networks (engine);
  g_assert_cmpuint (stand_in.frees, ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TesseraImage) output = tessera_redraw_run (engine, input, checkpoint, options, &stand_in_networks,
                                                           NULL, &progress, &error);

      g_assert_no_error (error);
    }
  g_assert_cmpuint (stand_in.loads, ==, 4);
  g_assert_cmpuint (stand_in.frees, ==, 4);
}

static int
run_cli (const char * const *argv,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
assert_redrawn (const char *path,
                guint       width,
                guint       height)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) output = tessera_image_new_from_file (file, NULL, &error);
  g_autoptr(TesseraGenerationInfo) info = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (tessera_image_get_width (output), ==, width);
  g_assert_cmpuint (tessera_image_get_height (output), ==, height);

  /* The parameters, as A1111 reads them back. */
  info = tessera_generation_info_new_for_image (output);
  g_assert_nonnull (info);
  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 2);
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, 5);
  g_assert_cmpstr (tessera_generation_info_get_model (info), ==, "sd1");
  g_assert_cmpuint (tessera_generation_info_get_width (info), ==, width);
}

/* A folder of three images, named as upscale batches name outputs; an
 * existing output fails or is skipped, one per file. */
static void
test_cli_folder (void)
{
  static const char * const names[] = { "a.png", "b.jpg", "c.png" };
  static const char * const outputs[] = { "a-sd1-x1.png", "b-sd1-x1.png", "c-sd1-x1.png" };
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *checkpoint = sd_path ("sd1.safetensors");
  const char *cli = g_getenv ("TESSERA_CLI");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(TesseraImage) input = make_blocks (32 + 8 * i, 32);
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      TesseraImageFormat format;

      g_assert_true (tessera_image_format_from_filename (path, &format));
      tessera_image_save (input, file, format, 95, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  {
    const char * const argv[] = { cli, "redraw", dir, "--checkpoint", checkpoint, "--steps=2", "--seed=5",
                                  "--tiles=none", "-q", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (argv, &out, &err), ==, 0);
    g_assert_cmpstr (err, ==, "");
    for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
      {
        g_autofree char *path = g_build_filename (dir, outputs[i], NULL);

        assert_redrawn (path, 32 + 8 * i, 32);
      }
    g_assert_cmpuint (test_count_files (dir), ==, 6);
  }

  /* Again: every output exists. */
  {
    const char * const argv[] = { cli, "redraw", dir, "--checkpoint", checkpoint, "--tiles=none", "-q", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (argv, NULL, &err), ==, 1);
    for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
      g_assert_nonnull (strstr (err, outputs[i]));
    g_assert_nonnull (strstr (err, "--overwrite"));
  }
  {
    const char * const argv[] = { cli, "redraw", dir, "--checkpoint", checkpoint, "--tiles=none",
                                  "--skip-existing", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (run_cli (argv, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, "skipped"));
  }

  /* Into a folder, under a pattern of one's own. */
  {
    g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
    g_autofree char *a = g_build_filename (dir, "a.png", NULL);
    g_autofree char *c = g_build_filename (dir, "c.png", NULL);
    g_autofree char *a_out = g_build_filename (out_dir, "a-redrawn.png", NULL);
    g_autofree char *c_out = g_build_filename (out_dir, "c-redrawn.png", NULL);
    const char * const argv[] = { cli, "redraw", a, c, "-d", out_dir, "--name-pattern={name}-redrawn.{ext}",
                                  "--checkpoint", checkpoint, "--steps=2", "--seed=5", "--tiles=none", "-q", NULL };

    g_assert_cmpint (run_cli (argv, NULL, NULL), ==, 0);
    assert_redrawn (a_out, 32, 32);
    assert_redrawn (c_out, 48, 32);
  }

  /* -o takes one input. */
  {
    g_autofree char *a = g_build_filename (dir, "a.png", NULL);
    const char * const argv[] = { cli, "redraw", a, a, "-o", "x.png", "--checkpoint", checkpoint, NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (run_cli (argv, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--output-dir"));
  }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
on_batch_finished (TesseraBatch *batch,
                   gpointer      user_data)
{
  g_main_loop_quit (user_data);
}

/* The batch queue redraws its items, upscaled first or not. */
static void
test_batch (void)
{
  static const struct { TesseraBatchRedraw redraw; guint width; const char *output; } cases[] = {
    { TESSERA_BATCH_REDRAW_ONLY, 32, "in-sd1-x2.png" },
    { TESSERA_BATCH_REDRAW_AFTER_UPSCALE, 64, "in-sd1-x2.png" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = test_make_tmpdir ();
      g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
      g_autofree char *output_path = g_build_filename (dir, cases[i].output, NULL);
      g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
      g_autoptr(TesseraImage) input = make_blocks (32, 32);
      g_autoptr(TesseraEngine) engine = tessera_engine_new ();
      g_autoptr(TesseraBatch) batch = tessera_batch_new (engine);
      g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ("sd1.safetensors");
      g_autoptr(TesseraRedrawOptions) options = whole_image_options ();
      g_autoptr(TesseraUpscaleOptions) upscale = tessera_upscale_options_new ();
      g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
      g_autoptr(GError) error = NULL;

      tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      tessera_redraw_options_set_steps (options, 2);
      tessera_redraw_options_set_seed (options, 5);
      tessera_upscale_options_set_scale (upscale, 2);
      tessera_batch_set_options (batch, upscale);
      tessera_batch_set_upscaler_label (batch, "sd1");
      tessera_batch_set_redraw (batch, cases[i].redraw, checkpoint, options);
      tessera_batch_add_file (batch, input_file);
      g_signal_connect (batch, "finished", G_CALLBACK (on_batch_finished), loop);
      g_assert_true (tessera_batch_start (batch, &error));
      g_main_loop_run (loop);

      g_assert_cmpuint (tessera_batch_get_n_done (batch), ==, 1);
      assert_redrawn (output_path, cases[i].width, cases[i].width);
      test_remove_tmpdir (g_steal_pointer (&dir));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/redraw/options", test_options);
  g_test_add_func ("/redraw/pad-crop", test_pad_crop);
  g_test_add_func ("/redraw/denoise-zero", test_denoise_zero);
  g_test_add_func ("/redraw/steps", test_steps);
  g_test_add_func ("/redraw/parameters", test_parameters);
  g_test_add_func ("/redraw/cancel", test_cancel);
  g_test_add_func ("/redraw/errors", test_errors);
  g_test_add_func ("/redraw/real-networks", test_real_networks);
  g_test_add_func ("/redraw/guidance-batch", test_guidance_batch);
  g_test_add_func ("/redraw/reference", test_reference);
  g_test_add_func ("/redraw/reference-cli", test_reference_cli);
  g_test_add_func ("/redraw/preview", test_preview);
  g_test_add_func ("/redraw/cli", test_cli);
  g_test_add_func ("/redraw/keep-networks", test_keep_networks);
  g_test_add_func ("/redraw/cli-folder", test_cli_folder);
  g_test_add_func ("/redraw/batch", test_batch);

  return g_test_run ();
}
