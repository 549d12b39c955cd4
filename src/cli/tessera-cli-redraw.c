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
  GMainLoop    *loop;
  GCancellable *cancellable;
  TesseraImage *output;
  GError       *error;
  gboolean      interrupted;
  gboolean      on_terminal;
  gboolean      quiet;
  char         *last_text;
} Redraw;

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  Redraw *self = user_data;

  if (self->quiet)
    return;
  if (self->on_terminal)
    {
      printf ("\r\033[K%3d%% %s", (int) (fraction * 100), text);
      fflush (stdout);
    }
  else if (g_strcmp0 (text, self->last_text) != 0)
    {
      printf ("%3d%% %s\n", (int) (fraction * 100), text);
      g_free (self->last_text);
      self->last_text = g_strdup (text);
    }
}

static void
on_redraw_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Redraw *self = user_data;

  self->output = tessera_engine_redraw_finish (TESSERA_ENGINE (source), result, &self->error);
  g_main_loop_quit (self->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Redraw *self = user_data;

  self->interrupted = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_CONTINUE;
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

int
tessera_cli_redraw (int    argc,
                    char **argv)
{
  g_autofree char *output_path = NULL;
  g_autofree char *checkpoint_path = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *negative_prompt = NULL;
  g_autofree char *sampler_name = NULL;
  g_autofree char *scheduler_name = NULL;
  g_autofree char *rng_name = NULL;
  g_autofree char *vae_path = NULL;
  g_autofree char *tiles = NULL;
  g_autofree char *device = NULL;
  g_autofree char *precision_name = NULL;
  g_autofree char *upscaler = NULL;
  g_autofree char *latent_upscale = NULL;
  g_autofree char *color_fix = NULL;
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
  gboolean quiet = FALSE;
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(GFile) input_file = NULL;
  g_autoptr(GFile) output_file = NULL;
  g_autoptr(GFile) checkpoint_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  TesseraRedrawSampler sampler;
  TesseraRedrawScheduler scheduler;
  TesseraRedrawRng rng;
  TesseraImageFormat format;
  Redraw self = { 0 };
  guint signal_id;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output_path,
      N_("Write the result to FILE"), N_("FILE") },
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
    { "exact-steps", 0, 0, G_OPTION_ARG_NONE, &exact_steps,
      N_("Run exactly --steps steps, whatever the strength"), NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      N_("Replace the output file if it exists"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "redraw", _("INPUT"),
                                  _("Redraws an image with Stable Diffusion (img2img over the whole "
                                    "image, as AUTOMATIC1111 does it), after an optional upscale. "
                                    "The result keeps the input's metadata and gets the generation "
                                    "parameters; the input is never replaced."), entries))
    return EXIT_USAGE;

  if (inputs == NULL || inputs[0] == NULL || inputs[1] != NULL)
    {
      tessera_cli_error (_("give one input file (see tessera-cli redraw --help)"));
      return EXIT_USAGE;
    }
  if (output_path == NULL || checkpoint_path == NULL)
    {
      tessera_cli_error (_("--output and --checkpoint are needed (see tessera-cli redraw --help)"));
      return EXIT_USAGE;
    }
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

  input_file = g_file_new_for_commandline_arg (inputs[0]);
  output_file = g_file_new_for_commandline_arg (output_path);
  if (!tessera_image_format_from_filename (output_path, &format) || !tessera_image_format_is_writable (format))
    {
      tessera_cli_error (_("%s: cannot tell which image format to write from its name"), output_path);
      return EXIT_USAGE;
    }
  if (g_file_equal (input_file, output_file) || tessera_image_is_same_file (input_file, output_file))
    {
      tessera_cli_error (_("%s: the output would replace the input"), output_path);
      return EXIT_FAILED;
    }
  if (!overwrite && g_file_query_exists (output_file, NULL))
    {
      tessera_cli_error (_("%s exists; use --overwrite to replace it"), output_path);
      return EXIT_FAILED;
    }

  checkpoint_file = g_file_new_for_commandline_arg (checkpoint_path);
  checkpoint = tessera_checkpoint_new_from_file (checkpoint_file, NULL, &error);
  if (checkpoint == NULL)
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }
  input = tessera_image_new_from_file (input_file, NULL, &error);
  if (input == NULL)
    {
      tessera_cli_error ("%s: %s", inputs[0], error->message);
      return EXIT_FAILED;
    }

  engine = make_engine ();
  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  self.loop = loop;
  self.cancellable = cancellable;
  self.quiet = quiet;
  self.on_terminal = isatty (STDOUT_FILENO);
  signal_id = g_unix_signal_add (SIGINT, on_interrupt, &self);
  tessera_engine_redraw_async (engine, input, checkpoint, options, cancellable,
                               on_progress, NULL, &self, on_redraw_done, &self);
  g_main_loop_run (loop);
  g_source_remove (signal_id);
  if (self.on_terminal && !quiet)
    printf ("\n");
  g_free (self.last_text);

  if (self.output == NULL)
    {
      if (self.interrupted)
        {
          tessera_cli_error (_("interrupted: %s was not written"), output_path);
          g_clear_error (&self.error);
          return EXIT_INTERRUPTED;
        }
      tessera_cli_error ("%s", self.error->message);
      g_clear_error (&self.error);
      return EXIT_FAILED;
    }

  if (!tessera_image_save (self.output, output_file, format, 92, NULL, NULL, NULL, &error))
    {
      g_object_unref (self.output);
      tessera_cli_error ("%s: %s", output_path, error->message);
      return EXIT_FAILED;
    }
  if (!quiet)
    printf ("%s\n%s\n", output_path, tessera_image_get_text (self.output, "parameters"));
  g_object_unref (self.output);
  return EXIT_OK;
}
