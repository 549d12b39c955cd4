/* test-latent-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "image/tessera-color-fix-private.h"
#include "image/tessera-resample-private.h"
#include "tessera-latent-upscale-private.h"
#include "tessera-redraw-private.h"
#include "tessera-test-utils.h"

/* The latent upscale's modes and the colour fixes against PyTorch
 * (data/make-latent-upscale-refs.py, data/make-color-fix-refs.py), then
 * both in whole redraws on the tiny random-weight checkpoint. */

static float *
load_npy (const char *folder,
          const char *name,
          guint      *shape)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", folder, file, NULL);
  guint n_dims;
  float *data = test_load_npy (path, &n_dims, shape);

  g_assert_cmpuint (n_dims, ==, 3);
  return data;
}

static double
max_difference (const float *ours,
                const float *reference,
                gsize        n)
{
  double worst = 0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (ours[i] - reference[i]));
  return worst;
}

static void
test_modes (void)
{
  static const struct {
    const char                 *name;
    TesseraRedrawLatentUpscale  mode;
    gboolean                    antialias;
  } modes[] = {
    { "nearest", TESSERA_REDRAW_LATENT_UPSCALE_NEAREST, FALSE },
    { "nearest-exact", TESSERA_REDRAW_LATENT_UPSCALE_NEAREST_EXACT, FALSE },
    { "bilinear", TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR, FALSE },
    { "bilinear-antialiased", TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR, TRUE },
    { "bicubic", TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC, FALSE },
    { "bicubic-antialiased", TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC, TRUE },
    { "area", TESSERA_REDRAW_LATENT_UPSCALE_AREA, FALSE },
    { "bislerp", TESSERA_REDRAW_LATENT_UPSCALE_BISLERP, FALSE },
    /* PyTorch allows antialiasing for bilinear and bicubic only */
    { "area", TESSERA_REDRAW_LATENT_UPSCALE_AREA, TRUE },
  };
  static const guint sizes[][2] = { { 14, 10 }, { 9, 13 }, { 4, 3 }, { 7, 5 } };
  guint shape[3];
  g_autofree float *input = load_npy ("latent-upscale", "input", shape);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        guint width = sizes[s][0], height = sizes[s][1];
        g_autofree char *name = g_strdup_printf ("%s-%ux%u", modes[m].name, width, height);
        guint reference_shape[3];
        g_autofree float *reference = load_npy ("latent-upscale", name, reference_shape);
        g_autofree float *ours = NULL;
        double worst;

        g_assert_cmpuint (reference_shape[0], ==, shape[0]);
        g_assert_cmpuint (reference_shape[1], ==, height);
        g_assert_cmpuint (reference_shape[2], ==, width);
        ours = tessera_latent_upscale (input, shape[0], shape[2], shape[1], width, height,
                                       modes[m].mode, modes[m].antialias);
        worst = max_difference (ours, reference, (gsize) shape[0] * width * height);
        g_test_message ("%s%s: max |ours - PyTorch| = %.3g", name,
                        modes[m].antialias ? " (antialias asked)" : "", worst);
        g_assert_cmpfloat (worst, <=, 1e-5);
      }
}

static void
check_color_fix (const char  *method,
                 void       (*fix) (float *, const float *, guint, guint))
{
  static const char *sizes[] = { "24x20", "40x13" };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autofree char *image_name = g_strconcat (sizes[s], ".image", NULL);
      g_autofree char *reference_name = g_strconcat (sizes[s], ".reference", NULL);
      g_autofree char *expected_name = g_strconcat (sizes[s], ".", method, NULL);
      guint shape[3], reference_shape[3], expected_shape[3];
      g_autofree float *image = load_npy ("color-fix", image_name, shape);
      g_autofree float *reference = load_npy ("color-fix", reference_name, reference_shape);
      g_autofree float *expected = load_npy ("color-fix", expected_name, expected_shape);
      double worst;

      g_assert_cmpuint (shape[0], ==, 3);
      g_assert_cmpmem (shape, sizeof shape, reference_shape, sizeof reference_shape);
      g_assert_cmpmem (shape, sizeof shape, expected_shape, sizeof expected_shape);
      fix (image, reference, shape[2], shape[1]);
      worst = max_difference (image, expected, (gsize) 3 * shape[1] * shape[2]);
      g_test_message ("%s %s: max |ours - PyTorch| = %.3g", method, sizes[s], worst);
      g_assert_cmpfloat (worst, <=, 1e-5);
    }
}

static void
test_wavelet (void)
{
  check_color_fix ("wavelet", tessera_color_fix_wavelet);
}

static void
test_adain (void)
{
  check_color_fix ("adain", tessera_color_fix_adain);
}

static char *
sd_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "sd", name, NULL);
}

/* 8 × 8 blocks of one colour each, darker than the tiny checkpoint's
 * redraws, so that a colour fix has something to do, and far enough from
 * black that clamping leaves AdaIN's means alone. */
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
          plane[y * width + x] = 0.2f + ((x / 8 * 3 + y / 8 * 5 + c * 7) % 11) / 50.0f;
    }
  return image;
}

static void
channel_means (TesseraImage *image,
               double       *means)
{
  gsize n = (gsize) tessera_image_get_width (image) * tessera_image_get_height (image);

  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      means[c] = 0;
      for (gsize i = 0; i < n; i++)
        means[c] += plane[i];
      means[c] /= n;
    }
}

static TesseraImage *
redraw (TesseraImage               *input,
        TesseraRedrawLatentUpscale  latent_upscale,
        TesseraRedrawColorFix       color_fix)
{
  g_autofree char *path = sd_path ("sd1.safetensors");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(GError) error = NULL;
  TesseraImage *output;

  checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_NONE);
  tessera_redraw_options_set_steps (options, 4);
  tessera_redraw_options_set_seed (options, 3);
  tessera_redraw_options_set_denoise (options, TESSERA_REDRAW_DEFAULT_LATENT_DENOISE);
  tessera_redraw_options_set_color_fix (options, color_fix);
  if (latent_upscale != TESSERA_REDRAW_LATENT_UPSCALE_NONE)
    {
      tessera_redraw_options_set_latent_upscale (options, latent_upscale);
      tessera_redraw_options_set_scale (options, 2);
    }
  output = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return output;
}

/* At strength 0 a latent upscale is the VAE's decoding of the input's
 * latent, enlarged: the input is encoded at its own size, not resampled
 * first. 40 × 24 × 1.3 is 52 × 31, rounded down to whole latent pixels;
 * the latent grows at its edges (its last row repeated) to what the UNet
 * takes and the output is cropped back. */
static void
test_denoise_zero (void)
{
  g_autofree char *path = sd_path ("sd1.safetensors");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraImage) input = make_blocks (40, 24);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  const TesseraRedrawNetworks *networks = &tessera_redraw_sd_networks;
  g_autofree float *rgb = NULL;
  g_autofree float *latent = NULL;
  g_autofree float *enlarged = NULL;
  g_autofree float *padded = NULL;
  g_autofree float *decoded = NULL;
  gpointer nets;
  guint channels, factor, multiple, pw, ph, lw, lh, padded_lw, padded_lh;
  double worst = 0;

  checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_NONE);
  tessera_redraw_options_set_latent_upscale (options, TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC);
  tessera_redraw_options_set_scale (options, 1.3);
  tessera_redraw_options_set_denoise (options, 0);
  output = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  nets = networks->load (checkpoint, options, NULL, &error);
  g_assert_no_error (error);
  networks->geometry (nets, &channels, &factor, &multiple);
  lw = 52 / factor;
  lh = 31 / factor;
  padded_lw = (lw + multiple / factor - 1) / (multiple / factor) * (multiple / factor);
  padded_lh = (lh + multiple / factor - 1) / (multiple / factor) * (multiple / factor);
  /* the case grows the latent */
  g_assert_cmpuint (padded_lw * padded_lh, >, lw * lh);
  g_assert_cmpuint (tessera_image_get_width (output), ==, lw * factor);
  g_assert_cmpuint (tessera_image_get_height (output), ==, lh * factor);

  rgb = tessera_redraw_pad_rgb (input, multiple, &pw, &ph);
  latent = g_new (float, channels * (pw / factor) * (ph / factor));
  networks->vae_encode (nets, rgb, pw, ph, latent, NULL, &error);
  g_assert_no_error (error);
  enlarged = tessera_latent_upscale (latent, channels, pw / factor, ph / factor, lw, lh,
                                     TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC, FALSE);
  padded = g_new (float, channels * padded_lw * padded_lh);
  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < padded_lh; y++)
      for (guint x = 0; x < padded_lw; x++)
        padded[(c * padded_lh + y) * padded_lw + x] = enlarged[(c * lh + MIN (y, lh - 1)) * lw + MIN (x, lw - 1)];
  decoded = g_new (float, 3 * padded_lw * padded_lh * factor * factor);
  networks->vae_decode (nets, padded, padded_lw, padded_lh, decoded, NULL, &error);
  g_assert_no_error (error);
  networks->free (nets);

  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < lh * factor; y++)
      for (guint x = 0; x < lw * factor; x++)
        {
          float ours = tessera_image_get_plane (output, c)[y * lw * factor + x];
          float value = decoded[(c * padded_lh * factor + y) * padded_lw * factor + x];

          worst = MAX (worst, fabs (ours - CLAMP ((value + 1) / 2, 0, 1)));
        }
  g_test_message ("factor %u, multiple %u: max |pipeline - decode (upscale (encode))| = %.3g",
                  factor, multiple, worst);
  g_assert_cmpfloat (worst, <=, 1e-5);
}

/* AdaIN gives the redraw the first stage's per-channel means again: the
 * input itself, or for a latent upscale the input resampled with Lanczos
 * to the output's size. Only clamping to [0, 1] moves them at all. */
static void
test_redraw_adain (void)
{
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  g_autoptr(TesseraImage) resampled = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    TesseraRedrawLatentUpscale  latent_upscale;
    TesseraImage               *first_stage;
  } cases[] = {
    { TESSERA_REDRAW_LATENT_UPSCALE_NONE, input },
    { TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR, NULL },
  };

  resampled = tessera_image_new (64, 64, FALSE, &error);
  g_assert_no_error (error);
  tessera_resample (input, resampled, TESSERA_FILTER_LANCZOS, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  cases[1].first_stage = resampled;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TesseraImage) plain = redraw (input, cases[i].latent_upscale, TESSERA_REDRAW_COLOR_FIX_NONE);
      g_autoptr(TesseraImage) fixed = redraw (input, cases[i].latent_upscale, TESSERA_REDRAW_COLOR_FIX_ADAIN);
      double expected[3], before[3], after[3];

      g_assert_cmpuint (tessera_image_get_width (fixed), ==, tessera_image_get_width (cases[i].first_stage));
      channel_means (cases[i].first_stage, expected);
      channel_means (plain, before);
      channel_means (fixed, after);
      for (guint c = 0; c < 3; c++)
        {
          g_test_message ("channel %u: first stage %.4f, redrawn %.4f, after AdaIN %.4f",
                          c, expected[c], before[c], after[c]);
          g_assert_cmpfloat (fabs (after[c] - expected[c]), <=, 1.0 / 255);
        }
      /* the redraw alone drifts, or the test shows nothing */
      g_assert_cmpfloat (fabs (before[0] - expected[0]) + fabs (before[1] - expected[1]) +
                         fabs (before[2] - expected[2]), >, 3.0 / 255);
      g_assert_nonnull (strstr (tessera_image_get_text (fixed, "parameters"), ", Color fix: AdaIN"));
    }
}

static char *
run_cli (const char  *input_path,
         const char  *output_path,
         const char **extra,
         int          expected_status)
{
  g_autofree char *checkpoint = sd_path ("sd1.safetensors");
  const char *argv[20] = { g_getenv ("TESSERA_CLI"), "redraw", input_path, "-o", output_path,
                           "--checkpoint", checkpoint, "-q" };
  guint n = 8;
  g_autoptr(GError) error = NULL;
  char *err = NULL;
  int status;

  for (guint i = 0; extra[i] != NULL; i++)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (argv) - 1);
      argv[n++] = extra[i];
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  if (WEXITSTATUS (status) != expected_status)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (WEXITSTATUS (status), ==, expected_status);
  return err;
}

/* tessera-cli redraw --latent-upscale: the whole image only, twice as
 * large, at the latent upscale's own default strength. */
static void
test_cli (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *output_path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(GFile) output_file = g_file_new_for_path (output_path);
  g_autoptr(TesseraImage) input = make_blocks (32, 32);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *extra[5];
    const char *message;
  } refused[] = {
    { { "--latent-upscale=lanczos", "-s", "2", NULL }, "unknown latent upscale “lanczos”" },
    { { "--color-fix=histogram", NULL }, "unknown colour fix “histogram”" },
    { { "--latent-upscale=bicubic", NULL }, "--latent-upscale needs --scale, or --width and --height" },
    { { "--latent-upscale=area", "--tiles=usdu", "-s", "2" }, "cannot be combined with tiles" },
  };

  tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *err = run_cli (input_path, output_path, refused[i].extra, 2);

      g_assert_nonnull (strstr (err, refused[i].message));
      g_assert_false (g_file_test (output_path, G_FILE_TEST_EXISTS));
    }

  {
    const char *extra[] = { "--tiles", "none", "--latent-upscale", "bilinear", "-s", "2", "--steps=2",
                            "--seed=5", "--color-fix=wavelet", NULL };
    g_autofree char *err = run_cli (input_path, output_path, extra, 0);
    const char *parameters;

    output = tessera_image_new_from_file (output_file, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (tessera_image_get_width (output), ==, 64);
    g_assert_cmpuint (tessera_image_get_height (output), ==, 64);
    parameters = tessera_image_get_text (output, "parameters");
    g_test_message ("%s", parameters);
    g_assert_nonnull (strstr (parameters, "Size: 64x64"));
    g_assert_nonnull (strstr (parameters, "Denoising strength: 0.55"));
    g_assert_nonnull (strstr (parameters, ", Hires upscaler: Latent,"));
    g_assert_nonnull (strstr (parameters, ", Color fix: Wavelet"));
  }

  /* without --tiles, a latent upscale redraws the whole image; an
   * explicit strength wins */
  {
    const char *extra[] = { "--latent-upscale=bicubic", "--latent-antialias", "--width=48", "--height=40",
                            "--steps=2", "--denoise=0.3", "--overwrite", NULL };
    g_autofree char *err = run_cli (input_path, output_path, extra, 0);
    const char *parameters;

    g_clear_object (&output);
    output = tessera_image_new_from_file (output_file, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (tessera_image_get_width (output), ==, 48);
    g_assert_cmpuint (tessera_image_get_height (output), ==, 40);
    parameters = tessera_image_get_text (output, "parameters");
    g_assert_nonnull (strstr (parameters, "Denoising strength: 0.3"));
    g_assert_nonnull (strstr (parameters, ", Hires upscaler: Latent (bicubic antialiased)"));
    g_assert_null (strstr (parameters, "Color fix"));
  }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/latent-upscale/modes", test_modes);
  g_test_add_func ("/color-fix/wavelet", test_wavelet);
  g_test_add_func ("/color-fix/adain", test_adain);
  g_test_add_func ("/color-fix/redraw-adain", test_redraw_adain);
  g_test_add_func ("/latent-upscale/denoise-zero", test_denoise_zero);
  g_test_add_func ("/latent-upscale/cli", test_cli);

  return g_test_run ();
}
