/* tessera-cli-redraw.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "tessera.h"
#include "tessera-cli-private.h"

typedef struct
{
  TesseraCliRun  run;
  char          *last_text;
} Redraw;

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  Redraw *self = user_data;

  if (self->run.quiet)
    return;
  if (self->run.on_terminal)
    {
      printf ("\r\033[K%3d%% %s: %s", (int) (fraction * 100), self->run.input_name, text);
      fflush (stdout);
    }
  else if (g_strcmp0 (text, self->last_text) != 0)
    {
      printf ("%3d%% %s: %s\n", (int) (fraction * 100), self->run.input_name, text);
      /* a pipe or a log follows the redraw as it goes, not a buffer later */
      fflush (stdout);
      g_free (self->last_text);
      self->last_text = g_strdup (text);
    }
}

static void
forget_last_text (TesseraCliRun *run)
{
  Redraw *self = (Redraw *) run;

  g_clear_pointer (&self->last_text, g_free);
}

static void
print_result (TesseraCliRun    *run,
              TesseraBatchItem *item)
{
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  if (tessera_batch_item_get_status (item) == TESSERA_BATCH_ITEM_SKIPPED)
    {
      printf (_("%s: exists, skipped"), run->output_name);
      printf ("\n");
      return;
    }

  /* The parameters as written, seed included. */
  output = tessera_image_new_from_file (tessera_batch_item_get_output (item), NULL, &error);
  printf ("%s → %s\n", run->input_name, run->output_name);
  if (output != NULL && tessera_image_get_text (output, "parameters") != NULL)
    printf ("%s\n", tessera_image_get_text (output, "parameters"));
}

/* The first stage's upscaler needs the model folders to be found. */
static TesseraEngine *
make_engine (void)
{
  g_autoptr(TesseraModelLibrary) library = tessera_model_library_new ();
  TesseraEngine *engine = tessera_engine_new ();

  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  return engine;
}

/* The tiled redraw's settings: numbers below 0 and NULL names were not
 * given. @numbers: tile width, tile height, padding, mask blur, overlap,
 * the seams fix's width, mask blur and padding, then the batch size. */
static gboolean
apply_tile_flags (TesseraRedrawOptions *options,
                  const char           *tile_order,
                  const char           *tile_blend,
                  const char           *seams_fix,
                  double                seams_fix_denoise,
                  const int            *numbers)
{
  static const char *names[] = {
    "tile-width", "tile-height", "padding", "mask-blur", "overlap",
    "seams-fix-width", "seams-fix-mask-blur", "seams-fix-padding", "batch-size",
  };
  const struct {
    const char *flag;
    const char *value;
    GType       type;
    const char *property;
  } choices[] = {
    { "--tile-order", tile_order, TESSERA_TYPE_REDRAW_TILE_ORDER, "tile-order" },
    { "--tile-blend", tile_blend, TESSERA_TYPE_REDRAW_TILE_BLEND, "tile-blend" },
    { "--seams-fix", seams_fix, TESSERA_TYPE_REDRAW_SEAMS_FIX, "seams-fix" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpecUInt *spec = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (options),
                                                                               names[i]));

      if (numbers[i] < 0)
        continue;
      if ((guint) numbers[i] < spec->minimum || (guint) numbers[i] > spec->maximum)
        {
          tessera_cli_error (_("--%s must be between %u and %u"), names[i], spec->minimum, spec->maximum);
          return FALSE;
        }
      g_object_set (options, names[i], (guint) numbers[i], NULL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    {
      int value;

      if (choices[i].value == NULL)
        continue;
      if (!tessera_cli_enum_from_nick (choices[i].type, choices[i].value, &value))
        {
          tessera_cli_error (_("unknown value “%s” for %s (see tessera-cli redraw --help)"),
                             choices[i].value, choices[i].flag);
          return FALSE;
        }
      g_object_set (options, choices[i].property, value, NULL);
    }
  if (seams_fix_denoise > 1)
    {
      tessera_cli_error (_("--seams-fix-denoise must be between 0 and 1"));
      return FALSE;
    }
  if (seams_fix_denoise >= 0)
    tessera_redraw_options_set_seams_fix_denoise (options, seams_fix_denoise);
  return TRUE;
}

int
tessera_cli_redraw (int    argc,
                    char **argv)
{
  g_autofree char *output_path = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *name_pattern = NULL;
  g_autofree char *checkpoint_path = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *negative_prompt = NULL;
  g_autofree char *sampler_name = NULL;
  g_autofree char *scheduler_name = NULL;
  g_autofree char *rng_name = NULL;
  g_autofree char *vae_path = NULL;
  g_autofree char *tiles = NULL;
  g_autofree char *tile_order = NULL;
  g_autofree char *tile_blend = NULL;
  g_autofree char *seams_fix = NULL;
  int tile_width = -1, tile_height = -1, padding = -1, mask_blur = -1, overlap = -1;
  int seams_fix_width = -1, seams_fix_mask_blur = -1, seams_fix_padding = -1;
  int batch_size = -1;
  double seams_fix_denoise = -1;
  g_autofree char *device = NULL;
  g_autofree char *precision_name = NULL;
  g_autofree char *upscaler = NULL;
  g_autofree char *latent_upscale = NULL;
  g_autofree char *color_fix = NULL;
  g_autofree char *codec = NULL;
  g_autofree char *gif_palette = NULL;
  g_autofree char *frames_text = NULL;
  int crf = -1;
  g_autoptr(TesseraMediaOptions) media_options = tessera_media_options_new ();
  g_auto(GStrv) inputs = NULL;
  /* NAN until given: the default depends on --latent-upscale */
  double denoise = NAN;
  double cfg = TESSERA_REDRAW_DEFAULT_CFG;
  double scale = 0;
  int steps = TESSERA_REDRAW_DEFAULT_STEPS;
  int clip_skip = 1;
  int width = 0, height = 0;
  gint64 seed = TESSERA_REDRAW_RANDOM_SEED;
  gboolean exact_steps = FALSE;
  gboolean latent_antialias = FALSE;
  gboolean overwrite = FALSE;
  gboolean skip_existing = FALSE;
  gboolean recursive = FALSE;
  gboolean quiet = FALSE;
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(TesseraUpscaleOptions) output_options = NULL;
  g_autoptr(TesseraBatch) batch = NULL;
  g_autoptr(GFile) checkpoint_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  TesseraRedrawSampler sampler;
  TesseraRedrawScheduler scheduler;
  TesseraRedrawRng rng;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  Redraw self = { 0 };
  guint signal_id;
  int status;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
      N_("Write the result to FILE (one input only)"), N_("FILE") },
    { "output-dir", 'd', 0, G_OPTION_ARG_FILENAME, &output_dir,
      N_("Write the results into DIR, created if missing"), N_("DIR") },
    { "name-pattern", 0, 0, G_OPTION_ARG_STRING, &name_pattern,
      N_("Output names from {name}, {upscaler}, {scale} and {ext} (default: {name}-{upscaler}-{scale}.{ext})"),
      N_("PATTERN") },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Redraw the images in the subfolders of a folder given as input too"), NULL },
    { "skip-existing", 0, 0, G_OPTION_ARG_NONE, &skip_existing,
      N_("Leave inputs whose output exists alone, and say so"), NULL },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &checkpoint_path,
      N_("The Stable Diffusion 1.x or 2.x checkpoint: a file or a diffusers folder"), N_("PATH") },
    { "prompt", 0, 0, G_OPTION_ARG_STRING, &prompt,
      N_("What the picture shows, in AUTOMATIC1111's prompt syntax"), N_("TEXT") },
    { "negative-prompt", 0, 0, G_OPTION_ARG_STRING, &negative_prompt,
      N_("What the picture should not show"), N_("TEXT") },
    { "denoise", 0, 0, G_OPTION_ARG_DOUBLE, &denoise,
      N_("How much to change, from 0 to 1 (default: 0.35, or 0.55 with --latent-upscale)"), N_("S") },
    { "steps", 0, 0, G_OPTION_ARG_INT, &steps,
      N_("Sampling steps (default: 20)"), N_("N") },
    { "cfg", 0, 0, G_OPTION_ARG_DOUBLE, &cfg,
      N_("How closely to follow the prompt (default: 7)"), N_("C") },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler_name,
      N_("euler, euler_a, heun, dpmpp_2m, dpmpp_2s_a or ddim (default: euler_a)"), N_("NAME") },
    { "scheduler", 0, 0, G_OPTION_ARG_STRING, &scheduler_name,
      N_("normal, karras or exponential (default: normal)"), N_("NAME") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      N_("The noise's seed; -1 picks one (default: -1)"), N_("N") },
    { "rng", 0, 0, G_OPTION_ARG_STRING, &rng_name,
      N_("The noise source: cpu or nv (default: nv)"), N_("SOURCE") },
    { "clip-skip", 0, 0, G_OPTION_ARG_INT, &clip_skip,
      N_("Stop the text encoder this many layers from its end (default: 1)"), N_("N") },
    { "vae", 0, 0, G_OPTION_ARG_FILENAME, &vae_path,
      N_("Use the VAE in FILE instead of the checkpoint's"), N_("FILE") },
    { "tiles", 0, 0, G_OPTION_ARG_STRING, &tiles,
      N_("How to split the image: usdu, sd-upscale or none (default: usdu)"), N_("MODE") },
    { "tile-width", 0, 0, G_OPTION_ARG_INT, &tile_width,
      N_("The tiles' width (default: 512)"), N_("W") },
    { "tile-height", 0, 0, G_OPTION_ARG_INT, &tile_height,
      N_("The tiles' height (default: 512)"), N_("H") },
    { "padding", 0, 0, G_OPTION_ARG_INT, &padding,
      N_("Ultimate SD Upscale: the context around each tile, in pixels (default: 32)"), N_("PIXELS") },
    { "mask-blur", 0, 0, G_OPTION_ARG_INT, &mask_blur,
      N_("Ultimate SD Upscale: the blur of each tile's mask (default: 8)"), N_("PIXELS") },
    { "tile-order", 0, 0, G_OPTION_ARG_STRING, &tile_order,
      N_("Ultimate SD Upscale: linear or chess (default: linear)"), N_("ORDER") },
    { "tile-blend", 0, 0, G_OPTION_ARG_STRING, &tile_blend,
      N_("Ultimate SD Upscale: a1111 keeps the padding by a latent mask, comfyui redraws the whole crop "
         "(default: a1111)"), N_("BLEND") },
    { "seams-fix", 0, 0, G_OPTION_ARG_STRING, &seams_fix,
      N_("Ultimate SD Upscale: none, band, half-tile or half-tile-intersections (default: none)"), N_("MODE") },
    { "seams-fix-denoise", 0, 0, G_OPTION_ARG_DOUBLE, &seams_fix_denoise,
      N_("The seams fix's denoising strength (default: 0.35)"), N_("S") },
    { "seams-fix-width", 0, 0, G_OPTION_ARG_INT, &seams_fix_width,
      N_("The seams fix's band width (default: 64)"), N_("PIXELS") },
    { "seams-fix-mask-blur", 0, 0, G_OPTION_ARG_INT, &seams_fix_mask_blur,
      N_("The seams fix's mask blur (default: 4)"), N_("PIXELS") },
    { "seams-fix-padding", 0, 0, G_OPTION_ARG_INT, &seams_fix_padding,
      N_("The seams fix's padding (default: 16)"), N_("PIXELS") },
    { "overlap", 0, 0, G_OPTION_ARG_INT, &overlap,
      N_("SD upscale: how much the tiles overlap (default: 64)"), N_("PIXELS") },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size,
      N_("SD upscale: tiles redrawn at once, faster on a GPU with the memory (default: 1)"), N_("N") },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device,
      N_("Where to run: auto, cpu or a GPU (default: auto)"), N_("DEVICE") },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision_name,
      N_("fp16 or fp32 on a GPU (default: fp16)"), N_("PRECISION") },
    { "upscaler", 'u', 0, G_OPTION_ARG_STRING, &upscaler,
      N_("Upscale first with this upscaler"), N_("NAME") },
    { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &scale,
      N_("The first stage's scale"), N_("SCALE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width,
      N_("The first stage's width"), N_("W") },
    { "height", 0, 0, G_OPTION_ARG_INT, &height,
      N_("The first stage's height"), N_("H") },
    { "latent-upscale", 0, 0, G_OPTION_ARG_STRING, &latent_upscale,
      N_("Enlarge the encoded image to the first stage's scale or size instead of the image: nearest, "
         "nearest-exact, bilinear, bicubic, area or bislerp (the whole image at once)"), N_("METHOD") },
    { "latent-antialias", 0, 0, G_OPTION_ARG_NONE, &latent_antialias,
      N_("Antialias a bilinear or bicubic latent upscale"), NULL },
    { "color-fix", 0, 0, G_OPTION_ARG_STRING, &color_fix,
      N_("Take the colours back from the first stage: none, wavelet or adain (default: none)"), N_("METHOD") },
    { "codec", 0, 0, G_OPTION_ARG_STRING, &codec,
      N_("Video encoder, by its FFmpeg name such as libx264, libx265, libvpx-vp9, libaom-av1 or ffv1 (default: the input's codec)"),
      N_("NAME") },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf,
      N_("Video quality as the encoder's constant rate factor; lower is better (default: the encoder's)"), N_("N") },
    { "gif-palette", 0, 0, G_OPTION_ARG_STRING, &gif_palette,
      N_("A GIF's palette: global, one for all frames and dithered, or per-frame (default: global)"),
      N_("global|per-frame") },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames_text,
      N_("Redraw only frames A to B of an animation or a video, counted from 1"), N_("A-B") },
    { "exact-steps", 0, 0, G_OPTION_ARG_NONE, &exact_steps,
      N_("Run exactly --steps steps, whatever the strength"), NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      N_("Replace the output file if it exists"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "redraw", _("INPUT…"),
                                  _("Redraws images, and the images in folders given as inputs, with "
                                    "Stable Diffusion after an optional upscale: tile by tile as the "
                                    "Ultimate SD Upscale extension or A1111's SD upscale script do it, "
                                    "or whole; animations and videos frame by frame with one seed, "
                                    "written back as the same kind of file. Results are written "
                                    "next to each input as "
                                    "NAME-CHECKPOINT-xSCALE.png unless -o, --output-dir or "
                                    "--name-pattern says otherwise; they keep the input's metadata "
                                    "and get the generation parameters. The checkpoint loads once "
                                    "for all inputs; an input is never replaced, and one failing "
                                    "does not stop the others."), entries))
    return EXIT_USAGE;

  if (inputs == NULL || inputs[0] == NULL)
    {
      tessera_cli_error (_("no input files (see tessera-cli redraw --help)"));
      return EXIT_USAGE;
    }
  if (checkpoint_path == NULL)
    {
      tessera_cli_error (_("--checkpoint is needed (see tessera-cli redraw --help)"));
      return EXIT_USAGE;
    }
  if (!tessera_cli_check_output_flags (inputs, output_path, output_dir, overwrite, skip_existing))
    return EXIT_USAGE;
  if (isnan (denoise))
    denoise = latent_upscale != NULL ? TESSERA_REDRAW_DEFAULT_LATENT_DENOISE : TESSERA_REDRAW_DEFAULT_DENOISE;
  if (steps < 1 || clip_skip < 1 || width < 0 || height < 0 || denoise < 0 || denoise > 1 || cfg < 0 ||
      seed < -1 || seed > G_MAXUINT32)
    {
      tessera_cli_error (_("--steps and --clip-skip must be at least 1, --denoise between 0 and 1, "
                           "--seed between -1 and 4294967295"));
      return EXIT_USAGE;
    }
  if (sampler_name != NULL && !tessera_redraw_sampler_from_name (sampler_name, &sampler))
    {
      tessera_cli_error (_("unknown sampler “%s”"), sampler_name);
      return EXIT_USAGE;
    }
  if (scheduler_name != NULL && !tessera_redraw_scheduler_from_name (scheduler_name, &scheduler))
    {
      tessera_cli_error (_("unknown scheduler “%s”"), scheduler_name);
      return EXIT_USAGE;
    }
  if (rng_name != NULL && !tessera_redraw_rng_from_name (rng_name, &rng))
    {
      tessera_cli_error (_("unknown noise source “%s”: use cpu or nv"), rng_name);
      return EXIT_USAGE;
    }
  if (precision_name != NULL && g_strcmp0 (precision_name, "fp16") != 0 && g_strcmp0 (precision_name, "fp32") != 0)
    {
      tessera_cli_error (_("unknown precision “%s”: use fp16 or fp32"), precision_name);
      return EXIT_USAGE;
    }

  tessera_redraw_options_set_prompt (options, prompt != NULL ? prompt : "");
  tessera_redraw_options_set_negative_prompt (options, negative_prompt != NULL ? negative_prompt : "");
  tessera_redraw_options_set_denoise (options, denoise);
  tessera_redraw_options_set_steps (options, steps);
  tessera_redraw_options_set_cfg (options, cfg);
  if (sampler_name != NULL)
    tessera_redraw_options_set_sampler (options, sampler);
  if (scheduler_name != NULL)
    tessera_redraw_options_set_scheduler (options, scheduler);
  if (rng_name != NULL)
    tessera_redraw_options_set_rng (options, rng);
  tessera_redraw_options_set_seed (options, seed);
  tessera_redraw_options_set_clip_skip (options, clip_skip);
  tessera_redraw_options_set_exact_steps (options, exact_steps);
  if (vae_path != NULL)
    {
      g_autoptr(GFile) vae = g_file_new_for_commandline_arg (vae_path);

      tessera_redraw_options_set_vae_file (options, vae);
    }
  if (!apply_tile_flags (options, tile_order, tile_blend, seams_fix, seams_fix_denoise,
                         (int[]) { tile_width, tile_height, padding, mask_blur, overlap,
                                   seams_fix_width, seams_fix_mask_blur, seams_fix_padding, batch_size }))
    return EXIT_USAGE;
  if (tiles != NULL)
    {
      int mode;

      if (!tessera_cli_enum_from_nick (TESSERA_TYPE_REDRAW_TILES, tiles, &mode))
        {
          tessera_cli_error (_("unknown tile mode “%s”: use usdu, sd-upscale or none"), tiles);
          return 2;
        }
      tessera_redraw_options_set_tiles (options, mode);
    }
  if (latent_upscale != NULL)
    {
      int mode;

      if (!tessera_cli_enum_from_nick (TESSERA_TYPE_REDRAW_LATENT_UPSCALE, latent_upscale, &mode) ||
          mode == TESSERA_REDRAW_LATENT_UPSCALE_NONE)
        {
          tessera_cli_error (_("unknown latent upscale “%s”: use nearest, nearest-exact, bilinear, bicubic, "
                               "area or bislerp"), latent_upscale);
          return EXIT_USAGE;
        }
      if (scale <= 0 && width == 0)
        {
          tessera_cli_error (_("--latent-upscale needs --scale, or --width and --height"));
          return EXIT_USAGE;
        }
      tessera_redraw_options_set_latent_upscale (options, mode);
      /* a latent upscale redraws the whole image */
      if (tiles == NULL)
        tessera_redraw_options_set_tiles (options, TESSERA_REDRAW_TILES_NONE);
    }
  tessera_redraw_options_set_latent_antialias (options, latent_antialias);
  if (color_fix != NULL)
    {
      int mode;

      if (!tessera_cli_enum_from_nick (TESSERA_TYPE_REDRAW_COLOR_FIX, color_fix, &mode))
        {
          tessera_cli_error (_("unknown colour fix “%s”: use none, wavelet or adain"), color_fix);
          return EXIT_USAGE;
        }
      tessera_redraw_options_set_color_fix (options, mode);
    }
  if (device != NULL)
    tessera_redraw_options_set_device (options, device);
  if (precision_name != NULL)
    tessera_redraw_options_set_precision (options, g_str_equal (precision_name, "fp32")
                                                   ? TESSERA_PRECISION_FP32 : TESSERA_PRECISION_FP16);
  tessera_redraw_options_set_upscaler (options, upscaler);
  tessera_redraw_options_set_scale (options, scale);
  tessera_redraw_options_set_width (options, width);
  tessera_redraw_options_set_height (options, height);
  if (!tessera_redraw_options_validate (options, &error))
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_USAGE;
    }

  if (!tessera_cli_apply_media_flags (media_options, frames_text, crf, codec, gif_palette))
    return EXIT_USAGE;

  /* An animation or a video is written as the container its name says. */
  if (output_path != NULL && !tessera_cli_is_media_output (output_path, inputs[0]) &&
      (!tessera_image_format_from_filename (output_path, &format) || !tessera_image_format_is_writable (format)))
    {
      tessera_cli_error (_("%s: cannot tell which image format to write from its name"), output_path);
      return EXIT_USAGE;
    }

  checkpoint_file = g_file_new_for_commandline_arg (checkpoint_path);
  checkpoint = tessera_checkpoint_new_from_file (checkpoint_file, NULL, &error);
  if (checkpoint == NULL)
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }

  /* Outputs are named, checked and written as upscales' are: the
   * checkpoint stands for the upscaler, the first stage's size for the
   * scale. */
  output_options = tessera_upscale_options_new ();
  tessera_upscale_options_set_scale (output_options, scale > 0 ? scale : 1.0);
  tessera_upscale_options_set_width (output_options, width);
  tessera_upscale_options_set_height (output_options, height);
  tessera_upscale_options_set_format (output_options, format);

  engine = make_engine ();
  batch = tessera_batch_new (engine);
  tessera_batch_set_options (batch, output_options);
  tessera_batch_set_redraw (batch, TESSERA_BATCH_REDRAW_ONLY, checkpoint, options);
  tessera_batch_set_media_options (batch, media_options);
  tessera_batch_set_upscaler_label (batch, tessera_checkpoint_get_name (checkpoint));
  if (!tessera_cli_set_outputs (batch, name_pattern, output_dir, overwrite, skip_existing,
                                TESSERA_BATCH_EXISTING_REPLACE))
    return EXIT_USAGE;
  if (!tessera_cli_add_inputs (batch, inputs, recursive, output_path))
    return EXIT_FAILED;

  cancellable = g_cancellable_new ();
  self.run.batch = batch;
  self.run.cancellable = cancellable;
  self.run.quiet = quiet;
  self.run.on_terminal = isatty (STDOUT_FILENO);
  self.run.item_starting = forget_last_text;
  self.run.progress = on_progress;
  self.run.print_result = print_result;
  signal_id = g_unix_signal_add (SIGINT, tessera_cli_on_interrupt, &self.run);

  /* The networks load with the first input and serve every other. */
  tessera_engine_hold_redraw_networks (engine);
  status = tessera_cli_run_items (&self.run);
  tessera_engine_release_redraw_networks (engine);
  g_source_remove (signal_id);

  g_free (self.last_text);

  return status;
}
