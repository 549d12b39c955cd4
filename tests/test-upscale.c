/* test-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <unistd.h>

#include <math.h>
#include <string.h>

#include "models/tessera-network-private.h"
#include "tessera-runner-private.h"
#include "tessera-test-utils.h"

/* Whole-image model upscales: tiling, passes, alpha, bit depth, denoise,
 * a second upscaler, and inputs that must fail cleanly. Real models come
 * from build-aux/fetch-models.sh; the small ones from data/models. */

#define W2X "waifu2x@1.6.5/"
#define ANIMEVIDEO W2X "real-esrgan/models/realesr-animevideov3-x4.param"
#define X4PLUS_ANIME W2X "real-esrgan/models/realesrgan-x4plus-anime.param"
#define CUGAN W2X "real-cugan/models-se/"
#define CUNET W2X "waifu2x/models-cunet/"

static char *
small_model (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
}

/* A real model's path, or NULL (and the test skipped) without them. */
static char *
real_model (const char *relative)
{
  char *path = test_real_model_path (relative);

  if (path == NULL)
    g_test_skip ("needs the fetched models (build-aux/fetch-models.sh)");
  return path;
}

/* A crop of the sample photo. */
static TesseraImage *
sample_crop (guint x,
             guint y,
             guint width,
             guint height,
             gboolean with_alpha)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "chelsea.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraImage) sample = tessera_image_new_from_file (file, NULL, NULL);
  TesseraImage *crop = tessera_image_new (width, height, with_alpha, NULL);
  guint sw = tessera_image_get_width (sample);

  for (guint c = 0; c < 3; c++)
    for (guint r = 0; r < height; r++)
      memcpy (tessera_image_get_plane (crop, c) + (gsize) r * width,
              tessera_image_get_plane (sample, c) + (gsize) (y + r) * sw + x, width * sizeof (float));

  /* A soft diagonal of transparency. */
  if (with_alpha)
    for (guint r = 0; r < height; r++)
      for (guint c = 0; c < width; c++)
        tessera_image_get_plane (crop, 3)[(gsize) r * width + c] = (float) (r + c) / (width + height);

  return crop;
}

static TesseraImage *
run_tiled (TesseraNetwork *network,
           TesseraImage   *input,
           guint           tile,
           guint           overlap)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  TesseraRunOptions options = { tile, overlap, tessera_network_get_pre_pad (network), FALSE, G_MAXSIZE };
  TesseraImage *output = tessera_runner_upscale (network, backend, input, &options, NULL, &error);

  g_assert_no_error (error);
  return output;
}

static TesseraImage *
run_tta (TesseraNetwork *network,
         TesseraImage   *input,
         guint           tile,
         guint           overlap)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  TesseraRunOptions options = { tile, overlap, tessera_network_get_pre_pad (network), FALSE, G_MAXSIZE };
  TesseraImage *output;

  options.tta = TRUE;
  output = tessera_runner_upscale (network, backend, input, &options, NULL, &error);
  g_assert_no_error (error);
  return output;
}

static gsize
n_values (TesseraImage *image)
{
  return (gsize) tessera_image_get_width (image) * tessera_image_get_height (image) *
         (tessera_image_get_has_alpha (image) ? 4 : 3);
}

static double
max_relative_difference (TesseraImage *a,
                         TesseraImage *b)
{
  const float *x = tessera_image_get_plane (a, 0), *y = tessera_image_get_plane (b, 0);
  double diff = 0, peak = 0;

  g_assert_cmpuint (n_values (a), ==, n_values (b));
  for (gsize i = 0; i < n_values (a); i++)
    {
      diff = MAX (diff, fabs ((double) x[i] - y[i]));
      peak = MAX (peak, fabs ((double) y[i]));
    }
  return diff / peak;
}

/* Of the values clamped to [0, 1], as they are saved. */
static double
psnr (TesseraImage *a,
      TesseraImage *b)
{
  const float *x = tessera_image_get_plane (a, 0), *y = tessera_image_get_plane (b, 0);
  double sum = 0;

  for (gsize i = 0; i < n_values (a); i++)
    {
      double d = CLAMP (x[i], 0.f, 1.f) - CLAMP (y[i], 0.f, 1.f);

      sum += d * d;
    }
  return sum == 0 ? INFINITY : 10 * log10 (n_values (a) / sum);
}

/* With context as wide as the receptive field, tiles add up to the
 * untiled result exactly, and without it they do not. */
static void
test_tiles_exact (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autofree char *animevideo = real_model (ANIMEVIDEO);
  g_autoptr(TesseraNetwork) network = test_load_network (tiny);
  g_autoptr(TesseraImage) input = sample_crop (30, 20, 64, 48, FALSE);
  g_autoptr(TesseraImage) whole = run_tiled (network, input, 0, 0);
  g_autoptr(TesseraImage) tiled = run_tiled (network, input, 16, 8);
  g_autoptr(TesseraImage) cut = run_tiled (network, input, 16, 0);

  /* Three 3×3 convolutions see 3 pixels; the ramp leaves 4 of context. */
  g_assert_cmpfloat (max_relative_difference (tiled, whole), <, 1e-6);
  g_assert_cmpfloat (max_relative_difference (cut, whole), >, 1e-3);

  if (animevideo != NULL)
    {
      g_autoptr(TesseraNetwork) real = test_load_network (animevideo);
      g_autoptr(TesseraImage) image = sample_crop (0, 0, 160, 120, FALSE);
      g_autoptr(TesseraImage) real_whole = run_tiled (real, image, 0, 0);
      g_autoptr(TesseraImage) real_tiled = run_tiled (real, image, 80, 40);

      /* 18 convolutions: a receptive field of 18 pixels, 20 of context. */
      g_assert_cmpfloat (max_relative_difference (real_tiled, real_whole), <, 1e-4);
    }
}

/* A network that sees far (RRDBNet): with the default overlap, no seam. */
static void
test_tiles_seamless (void)
{
  g_autofree char *path = real_model (X4PLUS_ANIME);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) whole = NULL;
  g_autoptr(TesseraImage) tiled = NULL;
  double db;

  if (path == NULL)
    return;

  network = test_load_network (path);
  input = sample_crop (20, 20, 128, 64, FALSE);
  whole = run_tiled (network, input, 0, 0);
  tiled = run_tiled (network, input, 64, TESSERA_DEFAULT_TILE_OVERLAP);
  db = psnr (tiled, whole);
  g_test_message ("realesrgan-x4plus-anime, two tiles of 64: %.2f dB against untiled", db);
  g_assert_cmpfloat (db, >=, 50.0);
}

/* @image mirrored and transposed as asked, the mirrors first, or
 * with @undo the same steps backwards. */
static TesseraImage *
transform (TesseraImage *image,
           gboolean      mirror_x,
           gboolean      mirror_y,
           gboolean      transpose,
           gboolean      undo)
{
  guint w = tessera_image_get_width (image), h = tessera_image_get_height (image);
  TesseraImage *out = tessera_image_new (transpose ? h : w, transpose ? w : h, FALSE, NULL);
  guint out_w = tessera_image_get_width (out);

  for (guint c = 0; c < 3; c++)
    {
      const float *src = tessera_image_get_plane (image, c);
      float *dst = tessera_image_get_plane (out, c);

      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          {
            /* Where the pixel goes, each step in turn. */
            guint px = x, py = y, pw = w, ph = h;

            if (undo && transpose)
              {
                guint t = px;

                px = py, py = t, pw = h, ph = w;
              }
            if (mirror_x)
              px = pw - 1 - px;
            if (mirror_y)
              py = ph - 1 - py;
            if (!undo && transpose)
              {
                guint t = px;

                px = py, py = t;
              }
            dst[(gsize) py * out_w + px] = src[(gsize) y * w + x];
          }
    }
  return out;
}

/* Under TTA a tile also holds a transformed copy of its input and a
 * second output, so the same budget gives smaller tiles. */
static void
test_tta_tile_size (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraNetwork) network = test_load_network (tiny);
  gsize budget = tessera_network_peak_bytes (network, 256, 256);
  guint plain = tessera_runner_auto_tile_size (network, 1024, 1024, 32, 10, FALSE, budget);
  guint tta = tessera_runner_auto_tile_size (network, 1024, 1024, 32, 10, TRUE, budget);

  g_test_message ("tiles within the peak of a 256-pixel region: %u plain, %u with TTA", plain, tta);
  g_assert_cmpuint (tta, <, plain);
  g_assert_cmpuint (tessera_runner_auto_tile_size (network, 64, 64, 32, 10, TRUE, G_MAXSIZE), ==, 64);
}

/* TTA is the mean of the model's outputs for the 8 flips and rotations,
 * each turned back, in realesrgan-ncnn-vulkan's order and arithmetic;
 * tiled with enough context, it is the same as untiled. */
static void
test_tta (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraNetwork) network = test_load_network (tiny);
  g_autoptr(TesseraImage) input = sample_crop (30, 20, 40, 24, FALSE);
  g_autoptr(TesseraImage) tta = run_tta (network, input, 0, 0);
  g_autoptr(TesseraImage) tiled = run_tta (network, input, 16, 8);
  g_autoptr(TesseraImage) plain = run_tiled (network, input, 0, 0);
  g_autoptr(TesseraImage) mean = tessera_image_new (80, 48, FALSE, NULL);
  /* realesrgan_preproc_tta.comp's 8 outputs: mirror x, mirror y, transpose. */
  static const gboolean steps[8][3] = {
    { FALSE, FALSE, FALSE }, { TRUE, FALSE, FALSE }, { TRUE, TRUE, FALSE }, { FALSE, TRUE, FALSE },
    { FALSE, FALSE, TRUE }, { FALSE, TRUE, TRUE }, { TRUE, TRUE, TRUE }, { TRUE, FALSE, TRUE },
  };
  float *sum = tessera_image_get_plane (mean, 0);
  const float *x = tessera_image_get_plane (tta, 0);
  gsize n = n_values (mean);

  for (guint t = 0; t < 8; t++)
    {
      g_autoptr(TesseraImage) turned = transform (input, steps[t][0], steps[t][1], steps[t][2], FALSE);
      g_autoptr(TesseraImage) output = run_tiled (network, turned, 0, 0);
      g_autoptr(TesseraImage) back = transform (output, steps[t][0], steps[t][1], steps[t][2], TRUE);
      const float *v = tessera_image_get_plane (back, 0);

      g_assert_cmpuint (tessera_image_get_width (back), ==, 80);
      for (gsize i = 0; i < n; i++)
        sum[i] = t == 0 ? v[i] : sum[i] + v[i];
    }
  for (gsize i = 0; i < n; i++)
    sum[i] *= 0.125f;

  g_assert_cmpuint (tessera_image_get_width (tta), ==, 80);
  g_assert_cmpuint (tessera_image_get_height (tta), ==, 48);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (x[i], sum[i], 1e-6);
  g_assert_cmpfloat (max_relative_difference (tta, mean), <, 1e-6);
  g_assert_cmpfloat (max_relative_difference (tiled, tta), <, 1e-6);
  /* The random model is far from symmetric: TTA changes its output. */
  g_assert_cmpfloat (max_relative_difference (plain, tta), >, 1e-3);
}

static TesseraImage *
upscale (TesseraImage          *input,
         TesseraUpscaleOptions *options,
         GError               **error)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();

  return tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, error);
}

static TesseraImage *
upscale_with (TesseraImage *input,
              const char   *upscaler,
              double        scale)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  TesseraImage *output;

  tessera_upscale_options_set_upscaler (options, upscaler);
  tessera_upscale_options_set_scale (options, scale);
  output = upscale (input, options, &error);
  g_assert_no_error (error);
  return output;
}

static void
assert_same (TesseraImage *a,
             TesseraImage *b)
{
  g_assert_cmpuint (tessera_image_get_width (a), ==, tessera_image_get_width (b));
  g_assert_cmpuint (tessera_image_get_height (a), ==, tessera_image_get_height (b));
  g_assert_cmpfloat (max_relative_difference (a, b), <, 1e-6);
}

/* -s 4 with a ×2 model runs it twice; -s 1.5 runs it once and reduces. */
static void
test_scales (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = sample_crop (10, 10, 40, 30, FALSE);
  g_autoptr(TesseraImage) once = upscale_with (input, tiny, 2.0);
  g_autoptr(TesseraImage) twice = upscale_with (once, tiny, 2.0);
  g_autoptr(TesseraImage) four = upscale_with (input, tiny, 4.0);
  g_autoptr(TesseraImage) reduced = upscale_with (input, tiny, 1.5);
  g_autoptr(TesseraImage) lanczos = upscale_with (once, "lanczos", 0.75);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) wide = NULL;

  assert_same (four, twice);
  assert_same (reduced, lanczos);
  g_assert_cmpuint (tessera_image_get_width (reduced), ==, 60);

  tessera_upscale_options_set_upscaler (options, tiny);
  tessera_upscale_options_set_width (options, 100);
  wide = upscale (input, options, NULL);
  g_assert_cmpuint (tessera_image_get_width (wide), ==, 100);
  g_assert_cmpuint (tessera_image_get_height (wide), ==, 75);
}

/* “A+B” runs A, then B on its output, as by hand; -s past the product
 * runs the chain again, then Lanczos. An error names the model of the
 * chain it is about. */
static void
test_chain (void)
{
  g_autofree char *compact = small_model ("tiny-compact.safetensors");
  g_autofree char *vgg7 = small_model ("tiny-vgg7.json");
  g_autofree char *chain = g_strconcat (vgg7, "+", compact, NULL);
  g_autofree char *missing = g_strconcat (compact, "+", "no-such-model.pth", NULL);
  g_autofree char *classic = g_strconcat (vgg7, "+", "lanczos", NULL);
  g_autoptr(TesseraImage) input = sample_crop (10, 10, 40, 30, FALSE);
  g_autoptr(TesseraImage) restored = upscale_with (input, vgg7, 1.0);
  g_autoptr(TesseraImage) by_hand = upscale_with (restored, compact, 2.0);
  g_autoptr(TesseraImage) chained = upscale_with (input, chain, 2.0);
  g_autoptr(TesseraImage) restored_2 = upscale_with (by_hand, vgg7, 1.0);
  g_autoptr(TesseraImage) twice = upscale_with (restored_2, compact, 2.0);
  g_autoptr(TesseraImage) reduced = upscale_with (twice, "lanczos", 0.75);
  g_autoptr(TesseraImage) three = upscale_with (input, chain, 3.0);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) none = NULL;

  assert_same (chained, by_hand);
  g_assert_cmpuint (tessera_image_get_width (chained), ==, 80);
  assert_same (three, reduced);
  g_assert_cmpuint (tessera_image_get_width (three), ==, 120);
  g_assert_nonnull (strstr (tessera_image_get_text (chained, "tessera"), "tiny-vgg7+tiny-compact"));

  tessera_upscale_options_set_upscaler (options, missing);
  none = upscale (input, options, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "model 2 of 2"));
  g_assert_nonnull (strstr (error->message, "no-such-model.pth"));
  g_clear_error (&error);

  tessera_upscale_options_set_upscaler (options, classic);
  none = upscale (input, options, &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "model 2 of 2"));
}

/* Alpha by bicubic is the bicubic filter's; through the model it is the
 * model's gray output. Colour does not depend on the choice. */
static void
test_alpha (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = sample_crop (10, 10, 40, 30, TRUE);
  g_autoptr(TesseraImage) bicubic = upscale_with (input, tiny, 2.0);
  g_autoptr(TesseraImage) filter = upscale_with (input, "bicubic", 2.0);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) model = NULL;
  g_autoptr(TesseraImage) gray = tessera_image_new (40, 30, FALSE, NULL);
  g_autoptr(TesseraImage) gray_out = NULL;
  g_autoptr(TesseraNetwork) network = test_load_network (tiny);
  gsize n = 80 * 60;

  g_assert_true (tessera_image_get_has_alpha (bicubic));
  g_assert_cmpmem (tessera_image_get_plane (bicubic, 3), n * sizeof (float),
                   tessera_image_get_plane (filter, 3), n * sizeof (float));

  tessera_upscale_options_set_upscaler (options, tiny);
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_upscale_options_set_alpha_mode (options, TESSERA_ALPHA_MODE_MODEL);
  model = upscale (input, options, NULL);
  g_assert_cmpmem (tessera_image_get_plane (model, 0), 3 * n * sizeof (float),
                   tessera_image_get_plane (bicubic, 0), 3 * n * sizeof (float));

  /* The same alpha as a gray image through the model, channels averaged
   * before the result is clamped. */
  for (guint c = 0; c < 3; c++)
    memcpy (tessera_image_get_plane (gray, c), tessera_image_get_plane (input, 3), 40 * 30 * sizeof (float));
  gray_out = run_tiled (network, gray, 0, 0);
  for (gsize i = 0; i < n; i++)
    {
      float mean = (tessera_image_get_plane (gray_out, 0)[i] + tessera_image_get_plane (gray_out, 1)[i] +
                    tessera_image_get_plane (gray_out, 2)[i]) / 3.f;

      g_assert_cmpfloat (fabsf (tessera_image_get_plane (model, 3)[i] - CLAMP (mean, 0.f, 1.f)), <, 1e-5);
    }
}

static void
test_bit_depth (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = test_load_image ("images/rgba16.png");
  g_autoptr(TesseraImage) output = upscale_with (input, tiny, 2.0);

  g_assert_cmpuint (tessera_image_get_bit_depth (output), ==, 16);
  g_assert_true (tessera_image_get_has_alpha (output));
}

static TesseraImage *
denoised (TesseraImage *input,
          const char   *model,
          double        level,
          GError      **error)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();

  tessera_upscale_options_set_upscaler (options, model);
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_upscale_options_set_denoise (options, level);
  return upscale (input, options, error);
}

/* One number, mapped per family: Real-CUGAN's and waifu2x's noise levels,
 * a Compact's blend with its twin; none for ESRGAN. */
static void
test_denoise (void)
{
  g_autofree char *general = small_model ("dni/tiny-general-x2.safetensors");
  g_autofree char *weak = small_model ("dni/tiny-general-wdn-x2.safetensors");
  g_autofree char *half = small_model ("dni/tiny-blend-half.safetensors");
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = sample_crop (40, 40, 36, 36, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) none = NULL;
  g_autofree char *cugan = NULL;
  g_autofree char *cunet = NULL;

  {
    g_autoptr(TesseraImage) a = denoised (input, general, 1.0, NULL);
    g_autoptr(TesseraImage) b = denoised (input, general, 0.0, NULL);
    g_autoptr(TesseraImage) mid = denoised (input, weak, 0.5, NULL);
    g_autoptr(TesseraImage) plain_a = upscale_with (input, general, 2.0);
    g_autoptr(TesseraImage) plain_b = upscale_with (input, weak, 2.0);
    g_autoptr(TesseraImage) plain_mid = upscale_with (input, half, 2.0);

    assert_same (a, plain_a);
    assert_same (b, plain_b);
    assert_same (mid, plain_mid);
    g_assert_cmpfloat (max_relative_difference (plain_a, plain_b), >, 1e-2);
  }

  none = denoised (input, tiny, 0.5, &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "not available"));
  g_clear_error (&error);

  cugan = real_model (CUGAN "up2x-conservative.param");
  cunet = real_model (CUNET "scale2.0x_model.param");
  if (cugan == NULL || cunet == NULL)
    return;

  {
    g_autofree char *level0 = real_model (CUGAN "up2x-no-denoise.param");
    g_autofree char *level3 = real_model (CUGAN "up2x-denoise3x.param");
    g_autofree char *noise1 = real_model (CUNET "noise1_scale2.0x_model.param");
    g_autoptr(TesseraImage) zero = denoised (input, cugan, 0.0, NULL);
    g_autoptr(TesseraImage) full = denoised (input, cugan, 1.0, NULL);
    g_autoptr(TesseraImage) w2x = denoised (input, cunet, 0.4, NULL);
    g_autoptr(TesseraImage) plain0 = upscale_with (input, level0, 2.0);
    g_autoptr(TesseraImage) plain3 = upscale_with (input, level3, 2.0);
    g_autoptr(TesseraImage) plain_noise1 = upscale_with (input, noise1, 2.0);

    assert_same (zero, plain0);
    assert_same (full, plain3);
    assert_same (w2x, plain_noise1);
    g_assert_cmpfloat (max_relative_difference (plain0, plain3), >, 1e-3);
  }
}

static void
assert_levels (const char   *path,
               const double *expected,
               guint         n_expected)
{
  g_autoptr(TesseraModel) model = test_load_model (path);
  guint n = 99;
  g_autofree double *levels = tessera_model_get_denoise_levels (model, &n);

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (levels[i], expected[i], 1e-12);
  if (n == 0)
    g_assert_null (levels);
}

/* The settings a slider snaps to: each noise level beside the model, at
 * the setting that picks it; none for a Compact's continuous blend. */
static void
test_denoise_levels (void)
{
  g_autofree char *general = small_model ("dni/tiny-general-x2.safetensors");
  g_autofree char *cugan = NULL;
  g_autofree char *cunet = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *copy = NULL;

  assert_levels (general, NULL, 0);

  cugan = real_model (CUGAN "up2x-conservative.param");
  cunet = real_model (CUNET "scale2.0x_model.param");
  if (cugan == NULL || cunet == NULL)
    return;
  assert_levels (cugan, (double[]) { 0, 1 / 3.0, 2 / 3.0, 1 }, 4);
  assert_levels (cunet, (double[]) { 0, 0.25, 0.5, 0.75, 1 }, 5);

  /* Only the levels present count, and a setting between picks the
   * nearest present. */
  tmp = test_make_tmpdir ();
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 2; j++)
      {
        const char *names[] = { "up2x-conservative", "up2x-denoise2x" }, *extensions[] = { ".param", ".bin" };
        g_autofree char *name = g_strconcat (names[i], extensions[j], NULL);
        g_autofree char *relative = g_strconcat (CUGAN, name, NULL);
        g_autofree char *source = test_real_model_path (relative);
        g_autofree char *link = g_build_filename (tmp, name, NULL);

        g_assert_cmpint (symlink (source, link), ==, 0);
      }
  copy = g_build_filename (tmp, "up2x-conservative.param", NULL);
  assert_levels (copy, (double[]) { 2 / 3.0 }, 1);
  {
    g_autoptr(TesseraImage) input = sample_crop (40, 40, 24, 24, FALSE);
    g_autofree char *level2 = g_build_filename (tmp, "up2x-denoise2x.param", NULL);
    g_autoptr(TesseraImage) weak = denoised (input, copy, 0.0, NULL);
    g_autoptr(TesseraImage) plain = upscale_with (input, level2, 2.0);

    assert_same (weak, plain);
  }
  test_remove_tmpdir (g_steal_pointer (&tmp));
}

/* Stable Diffusion web UI's Extras: (1 − v) · first + v · second. */
static void
test_upscaler_2 (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = sample_crop (0, 0, 30, 20, FALSE);
  g_autoptr(TesseraImage) first = upscale_with (input, tiny, 2.0);
  g_autoptr(TesseraImage) second = upscale_with (input, "nearest", 2.0);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) mixed = NULL;

  tessera_upscale_options_set_upscaler (options, tiny);
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_upscale_options_set_upscaler_2 (options, "nearest");
  tessera_upscale_options_set_upscaler_2_visibility (options, 0.25);
  mixed = upscale (input, options, NULL);

  for (gsize i = 0; i < n_values (mixed); i++)
    g_assert_cmpfloat (fabsf (tessera_image_get_plane (mixed, 0)[i] -
                              (0.75f * tessera_image_get_plane (first, 0)[i] +
                               0.25f * tessera_image_get_plane (second, 0)[i])), <, 1e-6);
}

/* Tiny images run (padded as the reference pads them); impossible ones
 * and broken models are errors. */
static void
test_bad_input (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autofree char *broken = small_model ("broken-compact.safetensors");
  g_autofree char *cugan = test_real_model_path (CUGAN "up2x-no-denoise.param");
  g_autoptr(TesseraImage) pixel = sample_crop (5, 5, 1, 1, FALSE);
  g_autoptr(TesseraImage) wide = tessera_image_new (20000, 1, FALSE, NULL);
  g_autoptr(TesseraImage) out = upscale_with (pixel, tiny, 2.0);
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  TesseraImage *none;

  g_assert_cmpuint (tessera_image_get_width (out), ==, 2);

  if (cugan != NULL && g_file_test (cugan, G_FILE_TEST_EXISTS))
    {
      g_autoptr(TesseraImage) small = sample_crop (5, 5, 3, 2, FALSE);
      g_autoptr(TesseraImage) small_out = upscale_with (small, cugan, 2.0);

      g_assert_cmpuint (tessera_image_get_width (small_out), ==, 6);
      g_assert_cmpuint (tessera_image_get_height (small_out), ==, 4);
    }

  tessera_upscale_options_set_upscaler (options, tiny);
  tessera_upscale_options_set_scale (options, 4.0);
  none = upscale (wide, options, &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);

  tessera_upscale_options_set_upscaler (options, broken);
  none = upscale (pixel, options, &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "broken-compact.safetensors"));
  g_assert_nonnull (strstr (error->message, "body.2.weight"));
  g_clear_error (&error);

  tessera_upscale_options_set_upscaler (options, "no-such-upscaler");
  none = upscale (pixel, options, &error);
  g_assert_null (none);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
}

typedef struct
{
  guint         n_reports;
  gboolean      saw_tile;
  GCancellable *cancel_after_first;
} Progress;

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  Progress *progress = user_data;

  progress->n_reports++;
  if (g_str_has_prefix (text, "Tile "))
    {
      progress->saw_tile = TRUE;
      if (progress->cancel_after_first != NULL)
        g_cancellable_cancel (progress->cancel_after_first);
    }
}

/* Each tile reports; a cancel stops between tiles. */
static void
test_progress_and_cancel (void)
{
  g_autofree char *tiny = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraImage) input = sample_crop (0, 0, 64, 64, FALSE);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  tessera_upscale_options_set_upscaler (options, tiny);
  tessera_upscale_options_set_scale (options, 2.0);
  tessera_upscale_options_set_tile_size (options, 16);
  tessera_upscale_options_set_tile_overlap (options, 4);
  output = tessera_engine_upscale (engine, input, options, NULL, on_progress, &progress, &error);
  g_assert_no_error (error);
  g_assert_true (progress.saw_tile);
  g_assert_cmpuint (progress.n_reports, >=, 16);
  g_clear_object (&output);

  progress = (Progress) { 0, FALSE, cancellable };
  output = tessera_engine_upscale (engine, input, options, cancellable, on_progress, &progress, &error);
  g_assert_null (output);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Networks that take the setting as an input (DRUNet's noise map,
 * FBCNN's quality factor): the engine's denoise reaches the network, so
 * its result is the network's at that level, and another level differs. */
static void
test_denoise_input (void)
{
  const char *files[][2] = { { "drunet", "drunet-color.pth" }, { "fbcnn", "fbcnn-color.pth" } };
  g_autoptr(TesseraImage) input = sample_crop (40, 40, 36, 28, FALSE);
  gsize n = 36 * 28;

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", files[f][0], files[f][1], NULL);
      g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
      g_autoptr(TesseraModel) model = test_load_model (path);
      g_autoptr(TesseraNetwork) network = NULL;
      g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
      g_autoptr(TesseraImage) strong = NULL;
      g_autoptr(TesseraImage) weak = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree float *planes = g_new (float, 3 * n);
      g_autofree float *direct = g_new (float, 3 * n);
      double diff = 0, change = 0;

      tessera_upscale_options_set_upscaler (options, path);
      tessera_upscale_options_set_scale (options, 1.0);
      tessera_upscale_options_set_denoise (options, 0.6);
      strong = upscale (input, options, &error);
      g_assert_no_error (error);
      tessera_upscale_options_set_denoise (options, 0.1);
      weak = upscale (input, options, &error);
      g_assert_no_error (error);

      for (guint c = 0; c < 3; c++)
        memcpy (planes + c * n, tessera_image_get_plane (input, c), n * sizeof (float));
      network = tessera_network_new (model, &error);
      g_assert_no_error (error);
      tessera_network_set_noise_level (network, 0.6);
      tessera_network_run (network, backend, planes, 36, 28, direct, NULL, &error);
      g_assert_no_error (error);

      for (guint c = 0; c < 3; c++)
        for (gsize i = 0; i < n; i++)
          {
            float expected = CLAMP (direct[c * n + i], 0.f, 1.f);

            diff = MAX (diff, fabs (tessera_image_get_plane (strong, c)[i] - expected));
            change = MAX (change, fabs (tessera_image_get_plane (strong, c)[i] - tessera_image_get_plane (weak, c)[i]));
          }
      g_test_message ("%s: engine against the network %.3g, levels 0.6 and 0.1 apart by %.3g", files[f][1], diff,
                      change);
      g_assert_cmpfloat (diff, <, 1e-5);
      g_assert_cmpfloat (change, >, 1e-2);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upscale/tiles/exact", test_tiles_exact);
  g_test_add_func ("/upscale/tiles/seamless", test_tiles_seamless);
  g_test_add_func ("/upscale/tta", test_tta);
  g_test_add_func ("/upscale/tta-tile-size", test_tta_tile_size);
  g_test_add_func ("/upscale/scales", test_scales);
  g_test_add_func ("/upscale/chain", test_chain);
  g_test_add_func ("/upscale/alpha", test_alpha);
  g_test_add_func ("/upscale/bit-depth", test_bit_depth);
  g_test_add_func ("/upscale/denoise", test_denoise);
  g_test_add_func ("/upscale/denoise-levels", test_denoise_levels);
  g_test_add_func ("/upscale/denoise-input", test_denoise_input);
  g_test_add_func ("/upscale/upscaler-2", test_upscaler_2);
  g_test_add_func ("/upscale/bad-input", test_bad_input);
  g_test_add_func ("/upscale/progress-and-cancel", test_progress_and_cancel);

  return g_test_run ();
}
