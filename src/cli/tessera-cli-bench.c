/* tessera-cli-bench.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cli"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "tessera.h"
#include "tessera-cli-private.h"

/* tessera-cli bench: how fast each model runs on this CPU, printed beside
 * the ceiling measured in the same run (the CPU's SGEMM rate on
 * convolution-shaped matrices) and, with --peer, beside the reference
 * program (realesrgan-ncnn-vulkan and its kin, through whatever Vulkan
 * driver the environment gives it: build-aux/bench-cpu.sh sets up Mesa's
 * lavapipe) on the same input and model. */

typedef struct
{
  char    *model;
  char    *name;
  guint    scale;
  gboolean tta;
  guint64  macs;
  double   load_seconds;
  double   seconds;          /* best upscale, the model loaded */
  double   save_seconds;
  double   peer_seconds;     /* < 0: not run */
  double   peer_psnr;
  char    *peer_note;
} Result;

static void
result_free (Result *result)
{
  g_free (result->model);
  g_free (result->name);
  g_free (result->peer_note);
  g_free (result);
}

/* A photograph of @size × @size: the sample enlarged by Lanczos and cut. */
static TesseraImage *
make_input (TesseraEngine  *engine,
            guint           size,
            GError        **error)
{
  g_autofree char *path = g_build_filename (TESSERA_SAMPLES_DIR, "chelsea.png", NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraImage) sample = NULL;
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraImage) large = NULL;
  TesseraImage *crop;
  guint width;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_free (path);
      path = g_build_filename (TESSERA_SOURCE_SAMPLES_DIR, "chelsea.png", NULL);
    }
  file = g_file_new_for_path (path);
  sample = tessera_image_new_from_file (file, NULL, error);
  if (sample == NULL)
    return NULL;

  tessera_upscale_options_set_height (options, size);
  large = tessera_engine_upscale (engine, sample, options, NULL, NULL, NULL, error);
  if (large == NULL)
    return NULL;

  width = tessera_image_get_width (large);
  crop = tessera_image_new (size, size, FALSE, error);
  if (crop == NULL)
    return NULL;
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < size; y++)
      memcpy (tessera_image_get_plane (crop, c) + (gsize) y * size,
              tessera_image_get_plane (large, c) + (gsize) y * width + (width - MIN (width, size)) / 2,
              MIN (width, size) * sizeof (float));
  return crop;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static TesseraImage *
upscale (TesseraEngine  *engine,
         TesseraImage   *input,
         const char     *model,
         guint                   scale,
         TesseraUpscaleOptions  *base,
         GError                **error)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_copy (base);

  tessera_upscale_options_set_upscaler (options, model);
  tessera_upscale_options_set_scale (options, scale);
  return tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, error);
}

/* PSNR of two 8-bit files' RGB, over every pixel. */
static double
psnr_of_files (const char  *a_path,
               const char  *b_path,
               GError     **error)
{
  g_autoptr(GFile) a_file = g_file_new_for_path (a_path);
  g_autoptr(GFile) b_file = g_file_new_for_path (b_path);
  g_autoptr(TesseraImage) a = tessera_image_new_from_file (a_file, NULL, error);
  g_autoptr(TesseraImage) b = NULL;
  double sum = 0.0;
  gsize n;

  if (a == NULL)
    return NAN;
  b = tessera_image_new_from_file (b_file, NULL, error);
  if (b == NULL)
    return NAN;
  if (tessera_image_get_width (a) != tessera_image_get_width (b) ||
      tessera_image_get_height (a) != tessera_image_get_height (b))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT, _("the outputs differ in size"));
      return NAN;
    }

  n = (gsize) tessera_image_get_width (a) * tessera_image_get_height (a) * 3;
  for (gsize i = 0; i < n; i++)
    {
      double d = round (255.0 * CLAMP (tessera_image_get_plane (a, 0)[i], 0.f, 1.f)) -
                 round (255.0 * CLAMP (tessera_image_get_plane (b, 0)[i], 0.f, 1.f));

      sum += d * d;
    }
  return sum == 0.0 ? INFINITY : 10.0 * log10 (255.0 * 255.0 * n / sum);
}

/* The reference program for a model's family, or NULL: the families the
 * ncnn-vulkan tools run. */
static const char *
peer_program (TesseraModel *model)
{
  static const struct {
    TesseraArch  arch;
    const char  *program;
  } peers[] = {
    { TESSERA_ARCH_ESRGAN, "realesrgan-ncnn-vulkan" },
    { TESSERA_ARCH_COMPACT, "realesrgan-ncnn-vulkan" },
    { TESSERA_ARCH_REALCUGAN, "realcugan-ncnn-vulkan" },
    { TESSERA_ARCH_WAIFU2X_CUNET, "waifu2x-ncnn-vulkan" },
    { TESSERA_ARCH_WAIFU2X_UPCONV7, "waifu2x-ncnn-vulkan" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    if (peers[i].arch == tessera_model_get_arch (model))
      return peers[i].program;
  return NULL;
}

/* Runs the peer on @input_path with the model's own files; only the
 * realesrgan family is driven here, the one the benchmark compares. Its
 * one tile covers the whole input, as Tessera's auto tile does, so that
 * the PSNR measures the arithmetic and not the peer's tile seams. */
static void
run_peer (Result       *result,
          TesseraModel *model,
          const char   *peer_dir,
          const char   *input_path,
          guint         input_side,
          const char   *tessera_output,
          const char   *tmpdir)
{
  const char *program = peer_program (model);
  g_autofree char *binary = NULL;
  g_autofree char *model_dir = NULL;
  g_autofree char *output = g_build_filename (tmpdir, "peer.png", NULL);
  g_autofree char *scale = g_strdup_printf ("%u", result->scale);
  g_autofree char *tile = g_strdup_printf ("%u", MAX (32, input_side));
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  result->peer_seconds = -1.0;
  if (program == NULL || !g_str_equal (program, "realesrgan-ncnn-vulkan") ||
      tessera_model_get_format (model) != TESSERA_MODEL_FORMAT_NCNN)
    {
      result->peer_note = g_strdup (_("no peer for this model"));
      return;
    }

  binary = g_build_filename (peer_dir, program, NULL);
  model_dir = g_path_get_dirname (result->model);
  start = g_get_monotonic_time ();
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              binary, "-i", input_path, "-o", output, "-m", model_dir, "-n", result->name,
                              "-s", scale, "-t", tile, "-f", "png", NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error))
    {
      result->peer_note = g_strdup (error->message);
      return;
    }
  if (!g_subprocess_get_successful (process))
    {
      result->peer_note = g_strdup_printf (_("%s failed: %s"), program, err != NULL ? g_strstrip (err) : "");
      return;
    }

  result->peer_seconds = seconds_since (start);
  result->peer_psnr = psnr_of_files (tessera_output, output, &error);
  if (error != NULL)
    result->peer_note = g_strdup (error->message);
}

static Result *
bench_model (TesseraEngine  *engine,
             const char     *path,
             TesseraImage   *input,
             const char     *input_path,
             guint           repeat,
             TesseraUpscaleOptions *base,
             const char     *peer_dir,
             const char     *tmpdir,
             GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraImage) tiny = tessera_image_new (16, 16, FALSE, NULL);
  g_autoptr(TesseraImage) warm = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GFile) output_file = NULL;
  g_autofree char *output_path = g_build_filename (tmpdir, "tessera.png", NULL);
  Result *result = g_new0 (Result, 1);
  gint64 start;

  result->model = g_strdup (path);
  model = tessera_model_new_from_file (file, NULL, error);
  if (model == NULL)
    goto failed;
  result->name = g_strdup (tessera_model_get_name (model));
  result->scale = tessera_model_get_scale (model);
  result->macs = tessera_model_count_macs (model, tessera_image_get_width (input),
                                           tessera_image_get_height (input), error);
  if (result->macs == 0)
    goto failed;

  /* Loading: reading, converting and checking the weights, on a small image. */
  start = g_get_monotonic_time ();
  warm = upscale (engine, tiny, path, result->scale, base, error);
  if (warm == NULL)
    goto failed;
  result->load_seconds = seconds_since (start);

  result->seconds = INFINITY;
  for (guint i = 0; i < repeat; i++)
    {
      g_clear_object (&output);
      start = g_get_monotonic_time ();
      output = upscale (engine, input, path, result->scale, base, error);
      if (output == NULL)
        goto failed;
      result->seconds = MIN (result->seconds, seconds_since (start));
    }

  /* The output is saved only for the comparison with the peer, which
   * saves its own. */
  result->peer_seconds = -1.0;
  if (peer_dir != NULL)
    {
      start = g_get_monotonic_time ();
      output_file = g_file_new_for_path (output_path);
      if (!tessera_image_save (output, output_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, error))
        goto failed;
      result->save_seconds = seconds_since (start);
      run_peer (result, model, peer_dir, input_path,
                MAX (tessera_image_get_width (input), tessera_image_get_height (input)), output_path, tmpdir);
    }
  return result;

failed:
  result_free (result);
  return NULL;
}

/* The same model with TTA, in the same run as @plain, so that the cost
 * reads as a ratio of times on the same machine. */
static Result *
bench_tta (TesseraEngine          *engine,
           const char             *path,
           TesseraImage           *input,
           const char             *input_path,
           guint                   repeat,
           TesseraUpscaleOptions  *base,
           const char             *tmpdir,
           const Result           *plain,
           GError                **error)
{
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_copy (base);
  Result *result;

  tessera_upscale_options_set_tta (options, TRUE);
  result = bench_model (engine, path, input, input_path, repeat, options, NULL, tmpdir, error);
  if (result == NULL)
    return NULL;

  result->tta = TRUE;
  g_free (result->name);
  result->name = g_strdup_printf (_("%s + TTA"), plain->name);
  /* The network runs 8 times. */
  result->macs *= 8;
  result->peer_note = g_strdup_printf (_("TTA: %.1f× the time without"), result->seconds / plain->seconds);
  return result;
}

static void
print_table (GPtrArray    *results,
             TesseraImage *input,
             double        gemm_rate)
{
  printf ("\n%-28s %9s %8s %9s %7s %9s %9s %8s %8s\n", _("model"), _("seconds"), _("out MP/s"), _("GFLOP/s"),
          _("of GEMM"), _("peer s"), _("peer GF/s"), _("speed-up"), _("PSNR dB"));
  for (guint i = 0; i < results->len; i++)
    {
      Result *r = g_ptr_array_index (results, i);
      double flop = 2.0 * r->macs;
      double total = r->load_seconds + r->seconds + r->save_seconds;
      double megapixels = (double) tessera_image_get_width (input) * tessera_image_get_height (input) *
                          r->scale * r->scale / 1e6;

      printf ("%-28s %9.3f %8.3f %9.1f", r->name, r->seconds, megapixels / r->seconds, flop / r->seconds / 1e9);
      if (gemm_rate > 0.0)
        printf (" %6.0f%%", 100.0 * flop / r->seconds / 1e9 / gemm_rate);
      else
        printf (" %7s", "-");
      if (r->peer_seconds >= 0.0)
        printf (" %9.2f %9.1f %7.1f× %8.2f\n", r->peer_seconds, flop / r->peer_seconds / 1e9,
                r->peer_seconds / total, r->peer_psnr);
      else
        printf ("   %s\n", r->peer_note != NULL ? r->peer_note : "");
    }
  printf ("\n%s\n", _("seconds: one upscale, the model loaded (best of --repeat); out MP/s: output "
                      "megapixels per second; GFLOP/s: 2 × the model's "
                      "multiply-adds per second (Winograd convolutions do fewer multiplications, so this can "
                      "pass the GEMM ceiling); speed-up: the peer's wall time over Tessera's load + upscale + "
                      "save; PSNR: Tessera's 8-bit output against the peer's."));
}

static void
print_json (GPtrArray  *results,
            const char *cpu,
            guint       size,
            double      gemm_rate)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cpu");
  json_builder_add_string_value (builder, cpu);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, size);
  json_builder_set_member_name (builder, "gemm_gflops");
  json_builder_add_double_value (builder, gemm_rate);
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; i < results->len; i++)
    {
      Result *r = g_ptr_array_index (results, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, r->model);
      json_builder_set_member_name (builder, "tta");
      json_builder_add_boolean_value (builder, r->tta);
      json_builder_set_member_name (builder, "macs");
      json_builder_add_int_value (builder, r->macs);
      json_builder_set_member_name (builder, "load_seconds");
      json_builder_add_double_value (builder, r->load_seconds);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_double_value (builder, r->seconds);
      json_builder_set_member_name (builder, "save_seconds");
      json_builder_add_double_value (builder, r->save_seconds);
      json_builder_set_member_name (builder, "gflops");
      json_builder_add_double_value (builder, 2.0 * r->macs / r->seconds / 1e9);
      if (r->peer_seconds >= 0.0)
        {
          json_builder_set_member_name (builder, "peer_seconds");
          json_builder_add_double_value (builder, r->peer_seconds);
          json_builder_set_member_name (builder, "peer_psnr");
          json_builder_add_double_value (builder, isfinite (r->peer_psnr) ? r->peer_psnr : 999.0);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  tessera_cli_print_json (builder);
}

int
tessera_cli_bench (int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify) result_free);
  g_autoptr(GFile) input_file = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *input_path = NULL;
  g_autofree char *peer_dir = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *cpu = NULL;
  int size = 256, repeat = 1, threads = 0, gpu_memory = 0;
  g_autofree char *device = NULL;
  g_autofree char *precision = NULL;
  g_autoptr(TesseraUpscaleOptions) base = tessera_upscale_options_new ();
  g_autofree char *device_description = NULL;
  gboolean json = FALSE, tta = FALSE;
  double gemm_rate;
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME_ARRAY, &models, N_("A model file to time (repeatable)"), N_("FILE") },
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input_path,
      N_("The image to upscale (default: a photograph of --size × --size)"), N_("FILE") },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, N_("Side of the default input (default: 256)"), N_("N") },
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, N_("Upscales per model; the best counts (default: 1)"), N_("N") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads, N_("Threads (default: every core)"), N_("N") },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, N_("Where the models run (default: cpu)"), N_("DEVICE") },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision, N_("GPU arithmetic: fp16 (default) or fp32"),
      N_("fp16|fp32") },
    { "gpu-memory", 0, 0, G_OPTION_ARG_INT, &gpu_memory, N_("The most GPU memory to take, in MiB"), N_("MIB") },
    { "peer", 0, 0, G_OPTION_ARG_FILENAME, &peer_dir,
      N_("Folder of realesrgan-ncnn-vulkan, to time it on the same input"), N_("DIR") },
    { "tta", 0, 0, G_OPTION_ARG_NONE, &tta,
      N_("Time each model again with test-time augmentation (8 flips and rotations)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "bench", NULL,
                                  _("Times model upscales on the CPU beside the CPU's SGEMM rate and, "
                                    "with --peer, beside the reference program."), entries))
    return EXIT_USAGE;

  if (models == NULL || argc > 1 || size < 16 || size > 16384 || repeat < 1 || threads < 0 || gpu_memory < 0)
    {
      tessera_cli_error (_("give at least one model with -m, and sensible --size, --repeat and --threads"));
      return EXIT_USAGE;
    }

  if (precision != NULL && !g_str_equal (precision, "fp16") && !g_str_equal (precision, "fp32"))
    {
      tessera_cli_error (_("invalid --precision “%s”: give fp16 or fp32"), precision);
      return EXIT_USAGE;
    }

  engine = tessera_engine_new ();
  tessera_upscale_options_set_threads (base, threads);
  tessera_upscale_options_set_gpu_memory (base, gpu_memory);
  tessera_upscale_options_set_device (base, device != NULL ? device : "cpu");
  if (precision != NULL && g_str_equal (precision, "fp32"))
    tessera_upscale_options_set_precision (base, TESSERA_PRECISION_FP32);
  /* A benchmark that quietly fell back to the CPU would mislead. */
  if (!tessera_engine_check_device (engine, tessera_upscale_options_get_device (base), &device_description, &error))
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }

  tmpdir = g_dir_make_tmp ("tessera-bench-XXXXXX", &error);
  if (tmpdir == NULL)
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }

  if (input_path == NULL)
    {
      g_autoptr(TesseraImage) made = make_input (engine, size, &error);

      input_path = g_build_filename (tmpdir, "input.png", NULL);
      input_file = g_file_new_for_path (input_path);
      if (made == NULL ||
          !tessera_image_save (made, input_file, TESSERA_IMAGE_FORMAT_PNG, 92, NULL, NULL, NULL, &error))
        {
          tessera_cli_error ("%s", error->message);
          return EXIT_FAILED;
        }
      g_clear_object (&input_file);
    }
  /* Tessera reads the file the peer reads, not the floats it was made of. */
  input_file = g_file_new_for_commandline_arg (input_path);
  input = tessera_image_new_from_file (input_file, NULL, &error);
  if (input == NULL)
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }
  size = tessera_image_get_width (input);

  cpu = g_steal_pointer (&device_description);
  /* The CPU's ceiling; a GPU's is measured beside it by build-aux/bench-gpu.sh. */
  gemm_rate = 0.0;
  if (g_str_equal (tessera_upscale_options_get_device (base), "cpu"))
    {
      gemm_rate = tessera_engine_measure_gemm_rate (engine, threads, 2.0, &error);
      if (gemm_rate <= 0.0)
        {
          tessera_cli_error ("%s", error->message);
          return EXIT_FAILED;
        }
    }
  if (!json)
    {
      printf (_("Device: %s\n"), cpu);
      if (gemm_rate > 0.0)
        printf (_("SGEMM ceiling (64×1024×576, every thread): %.1f GFLOP/s\n"), gemm_rate);
      printf (_("Input: %u×%u\n"), tessera_image_get_width (input), tessera_image_get_height (input));
    }
  fflush (stdout);

  for (guint i = 0; models[i] != NULL; i++)
    {
      Result *result = bench_model (engine, models[i], input, input_path, repeat, base, peer_dir, tmpdir,
                                    &error);

      if (result == NULL)
        {
          tessera_cli_error ("%s", error->message);
          return EXIT_FAILED;
        }
      g_ptr_array_add (results, result);
      if (!json)
        fprintf (stderr, _("%s: %.2f s\n"), result->name, result->seconds);
      if (tta)
        {
          result = bench_tta (engine, models[i], input, input_path, repeat, base, tmpdir, result, &error);
          if (result == NULL)
            {
              tessera_cli_error ("%s", error->message);
              return EXIT_FAILED;
            }
          g_ptr_array_add (results, result);
          if (!json)
            fprintf (stderr, _("%s: %.2f s\n"), result->name, result->seconds);
        }
    }

  if (json)
    print_json (results, cpu, size, gemm_rate);
  else
    print_table (results, input, gemm_rate);

  {
    g_autofree char *a = g_build_filename (tmpdir, "tessera.png", NULL);
    g_autofree char *b = g_build_filename (tmpdir, "peer.png", NULL);
    g_autofree char *c = g_build_filename (tmpdir, "input.png", NULL);

    g_unlink (a);
    g_unlink (b);
    g_unlink (c);
    g_rmdir (tmpdir);
  }
  return EXIT_OK;
}
