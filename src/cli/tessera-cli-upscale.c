/* tessera-cli-upscale.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cli"

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>

#include "tessera.h"
#include "tessera-cli-private.h"

#define PROGRESS_BAR_WIDTH 30
#define PROGRESS_LABEL_MAX 40

typedef struct
{
  TesseraCliRun          run;
  TesseraEngine         *engine;
  TesseraUpscaleOptions *options;
  GTimer                *timer;
} Upscale;

static guint
get_n_items (Upscale *self)
{
  return g_list_model_get_n_items (tessera_batch_get_items (self->run.batch));
}

static void
draw_progress (Upscale    *self,
               double      fraction,
               const char *text)
{
  g_autofree char *label = NULL;
  char bar[PROGRESS_BAR_WIDTH + 1];
  guint filled = (guint) CLAMP (fraction * PROGRESS_BAR_WIDTH, 0, PROGRESS_BAR_WIDTH);
  glong length;

  if (self->run.quiet || !self->run.on_terminal)
    return;

  if (get_n_items (self) > 1)
    label = g_strdup_printf ("(%u/%u) %s", self->run.current + 1, get_n_items (self), self->run.input_name);
  else
    label = g_strdup (self->run.input_name);

  /* A line that wraps cannot be redrawn with \r: keep the end of long names. */
  length = g_utf8_strlen (label, -1);
  if (length > PROGRESS_LABEL_MAX)
    {
      char *tail = g_utf8_offset_to_pointer (label, length - PROGRESS_LABEL_MAX + 1);
      char *shortened = g_strconcat ("…", tail, NULL);

      g_free (label);
      label = shortened;
    }

  memset (bar, '#', filled);
  memset (bar + filled, '.', PROGRESS_BAR_WIDTH - filled);
  bar[PROGRESS_BAR_WIDTH] = '\0';

  printf ("\r\033[K%s [%s] %3d%% %s", label, bar, (int) (fraction * 100), text);
  fflush (stdout);
}

static void
on_progress (double      fraction,
             const char *text,
             gpointer    user_data)
{
  draw_progress (user_data, fraction, text);
}

static void
start_timer (TesseraCliRun *run)
{
  Upscale *self = (Upscale *) run;

  g_timer_start (self->timer);
}

static void
print_success (TesseraCliRun    *run,
               TesseraBatchItem *item)
{
  Upscale *self = (Upscale *) run;
  guint input_width, input_height, output_width, output_height;

  if (tessera_batch_item_get_status (item) == TESSERA_BATCH_ITEM_SKIPPED)
    {
      printf (_("%s: exists, skipped"), run->output_name);
      printf ("\n");
      return;
    }

  tessera_batch_item_get_input_size (item, &input_width, &input_height);
  tessera_batch_item_get_output_size (item, &output_width, &output_height);
  printf (_("%s → %s (%u×%u → %u×%u, %.2f s)\n"), run->input_name, run->output_name,
          input_width, input_height, output_width, output_height, g_timer_elapsed (self->timer, NULL));
}

/* Accepts "4", "2.5", "4x" and "x4"; always with a dot, whatever the locale. */
static gboolean
parse_scale (const char *text,
             double     *scale)
{
  const char *start = text;
  char *end = NULL;
  double value;

  if (*start == 'x' || *start == 'X')
    start++;

  value = g_ascii_strtod (start, &end);
  if (end == start)
    return FALSE;
  if (*end == 'x' || *end == 'X')
    end++;
  if (*end != '\0' || !isfinite (value) || value <= 0.0 || value > 64.0)
    return FALSE;

  *scale = value;
  return TRUE;
}

/* --format if given, else the output's extension, else PNG; the two must agree. */
static gboolean
choose_format (const char         *format_name,
               const char         *input,
               const char         *output,
               TesseraImageFormat *format)
{
  TesseraImageFormat named;
  gboolean has_named = output != NULL && tessera_image_format_from_filename (output, &named);

  if (format_name == NULL)
    {
      if (output != NULL && !has_named && tessera_cli_is_media_output (output, input))
        {
          *format = TESSERA_IMAGE_FORMAT_PNG;
          return TRUE;
        }
      if (output != NULL && !has_named)
        {
          tessera_cli_error (_("%s: cannot tell the format from the name; add .png, .jpg, .webp "
                               "or .tif, or use --format"), output);
          return FALSE;
        }
      *format = has_named ? named : TESSERA_IMAGE_FORMAT_PNG;
      return TRUE;
    }

  if (!tessera_image_format_from_name (format_name, format))
    {
      tessera_cli_error (_("unknown format “%s”: use png, jpeg, webp or tiff"), format_name);
      return FALSE;
    }

  if (has_named && named != *format)
    {
      tessera_cli_error (_("%s: the name says %s but --format says %s"),
                         output, tessera_image_format_get_extension (named), format_name);
      return FALSE;
    }

  return TRUE;
}

static char *
list_upscaler_names (TesseraEngine *engine)
{
  GListModel *upscalers = tessera_engine_get_upscalers (engine);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, tessera_upscaler_info_get_name (info));
    }

  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* --tile: a size or "auto" (0). */
static gboolean
parse_tile (const char *text,
            guint      *tile)
{
  guint64 value;

  if (g_str_equal (text, "auto"))
    {
      *tile = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 16, TESSERA_IMAGE_MAX_SIDE, &value, NULL))
    return FALSE;
  *tile = (guint) value;
  return TRUE;
}

/* A device name the engine knows; a GPU it cannot use is a warning: the
 * CPU runs the models. */
static gboolean
check_device (TesseraEngine *engine,
              const char    *device)
{
  g_autoptr(GError) error = NULL;

  if (tessera_engine_check_device (engine, device, NULL, &error))
    return TRUE;
  if (g_error_matches (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT))
    {
      tessera_cli_error ("%s", error->message);
      return FALSE;
    }
  g_printerr (_("tessera-cli: %s: %s; models run on the CPU\n"), device, error->message);
  return TRUE;
}

/* --pre-pad: pixels or "auto" (the model family's own). */
static gboolean
parse_pre_pad (const char *text,
               int        *pre_pad)
{
  guint64 value;

  if (g_str_equal (text, "auto"))
    {
      *pre_pad = TESSERA_PRE_PAD_AUTO;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, 512, &value, NULL))
    return FALSE;
  *pre_pad = (int) value;
  return TRUE;
}

static gboolean
parse_fraction (const char *text,
                double     *value)
{
  char *end = NULL;

  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value) && *value >= 0.0 && *value <= 1.0;
}

/* A model named by -u: a file, or a model of the library, which is
 * scanned only when the name is not a classic filter or a file. */
static TesseraModel *
find_model (TesseraEngine  *engine,
            const char     *name,
            GError        **error)
{
  g_autoptr(TesseraModelLibrary) library = NULL;
  TesseraModel *model;

  if (g_file_test (name, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (name);

      return tessera_model_new_from_file (file, NULL, error);
    }

  library = tessera_model_library_new ();
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  model = tessera_model_library_find (library, name);
  if (model != NULL && tessera_model_get_error (model) != NULL)
    {
      g_propagate_error (error, g_error_copy (tessera_model_get_error (model)));
      g_clear_object (&model);
    }
  return model;
}

/* Checks an upscaler name; for a model, also that it runs. */
static gboolean
check_upscaler (TesseraEngine  *engine,
                const char     *name,
                TesseraModel  **model)
{
  g_autoptr(GError) error = NULL;

  *model = NULL;
  if (tessera_engine_find_upscaler (engine, name) != NULL &&
      tessera_upscaler_info_get_kind (tessera_engine_find_upscaler (engine, name)) == TESSERA_UPSCALER_KIND_CLASSIC)
    return TRUE;

  *model = find_model (engine, name, &error);
  if (*model == NULL)
    {
      if (error != NULL)
        tessera_cli_error ("%s", error->message);
      else
        {
          g_autofree char *names = list_upscaler_names (engine);

          tessera_cli_error (_("unknown upscaler “%s”: give a model file, or one of: %s"), name, names);
        }
      return FALSE;
    }

  if (!tessera_model_get_supported (*model))
    {
      /* Translators: the file, the architecture, then why: "it uses an absolute position embedding…" */
      tessera_cli_error (_("%s: %s model recognised but not run: %s"), name,
                         tessera_arch_get_title (tessera_model_get_arch (*model)),
                         tessera_model_get_not_run_reason (*model));
      g_clear_object (model);
      return FALSE;
    }

  return TRUE;
}

/* Checks an upscaler name, or each model of a chain “A+B” (A, then B on
 * its output). @scale: the models' scales' product, 0 for a classic
 * filter; @label: their names, joined by “+”. */
static gboolean
check_chain (TesseraEngine  *engine,
             const char     *name,
             guint          *scale,
             char          **label)
{
  g_autoptr(TesseraModel) model = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) names = NULL;

  if (strchr (name, '+') == NULL || g_file_test (name, G_FILE_TEST_IS_REGULAR) ||
      tessera_engine_find_upscaler (engine, name) != NULL)
    {
      if (!check_upscaler (engine, name, &model))
        return FALSE;
      *scale = model != NULL ? tessera_model_get_scale (model) : 0;
      *label = g_strdup (model != NULL ? tessera_model_get_name (model) : name);
      return TRUE;
    }

  parts = g_strsplit (name, "+", -1);
  names = g_string_new (NULL);
  *scale = 1;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(TesseraModel) part = NULL;

      if (!check_upscaler (engine, parts[i], &part))
        return FALSE;
      if (part == NULL)
        {
          tessera_cli_error (_("“%s” in “%s” is a classic filter; only models can be chained"), parts[i], name);
          return FALSE;
        }
      *scale *= tessera_model_get_scale (part);
      g_string_append_printf (names, "%s%s", i > 0 ? "+" : "", tessera_model_get_name (part));
    }
  *label = g_string_free (g_steal_pointer (&names), FALSE);
  return TRUE;
}

int
tessera_cli_upscale (int    argc,
                     char **argv)
{
  g_auto(GStrv) inputs = NULL;
  g_autofree char *output = NULL;
  g_autofree char *output_dir = NULL;
  g_autofree char *upscaler = NULL;
  g_autofree char *scale_text = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *tile_text = NULL;
  g_autofree char *denoise_text = NULL;
  g_autofree char *alpha_text = NULL;
  g_autofree char *upscaler_2 = NULL;
  g_autofree char *visibility_text = NULL;
  g_autoptr(TesseraModel) model_2 = NULL;
  g_autofree char *upscaler_label = NULL;
  guint model_scale = 0;
  int tile_overlap = TESSERA_DEFAULT_TILE_OVERLAP;
  g_autofree char *pre_pad_text = NULL;
  g_autofree char *device = NULL;
  g_autofree char *precision_text = NULL;
  int pre_pad = TESSERA_PRE_PAD_AUTO;
  int threads = 0;
  int gpu_memory = 0;
  guint tile = 0;
  double denoise = -1.0;
  double visibility = 0.5;
  int width = 0;
  int height = 0;
  int quality = 0;
  g_autofree char *codec = NULL;
  g_autofree char *gif_palette = NULL;
  g_autofree char *frames_text = NULL;
  g_autoptr(TesseraMediaOptions) media_options = tessera_media_options_new ();
  int crf = -1;
  g_autofree char *name_pattern = NULL;
  gboolean recursive = FALSE;
  gboolean overwrite = FALSE;
  gboolean skip_existing = FALSE;
  gboolean quiet = FALSE;
  gboolean tta = FALSE;
  gboolean stream = FALSE;
  int depth = 0;
  int compression = -1;
  int tiff_tiles = 0;
  TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG;
  Upscale self = { 0 };
  guint signal_ids[3];
  double scale = 4.0;
  int status;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the result to FILE (one input only)"), N_("FILE") },
    { "output-dir", 'd', 0, G_OPTION_ARG_FILENAME, &output_dir,
      N_("Write the results into DIR, created if missing"), N_("DIR") },
    { "upscaler", 'u', 0, G_OPTION_ARG_STRING, &upscaler,
      N_("The upscaler to use (default: lanczos; see tessera-cli upscalers)"), N_("NAME") },
    { "scale", 's', 0, G_OPTION_ARG_STRING, &scale_text,
      N_("Scale factor, such as 4 or 2.5 (default: 4)"), N_("SCALE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &width,
      N_("Target width; alone, the height follows the aspect ratio"), N_("W") },
    { "height", 0, 0, G_OPTION_ARG_INT, &height,
      N_("Target height; alone, the width follows the aspect ratio"), N_("H") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format_name,
      N_("Output format: png, jpeg, webp or tiff (default: from the output name, else png)"),
      N_("FORMAT") },
    { "quality", 0, 0, G_OPTION_ARG_INT, &quality,
      N_("JPEG and WebP quality, 1–100 (default: 92; 100, lossless, for animated WebP)"), N_("Q") },
    { "depth", 0, 0, G_OPTION_ARG_INT, &depth,
      N_("Bits per channel of PNG and TIFF output, 8 or 16 (default: the input's)"), N_("BITS") },
    { "compression", 0, 0, G_OPTION_ARG_INT, &compression,
      N_("zlib level of PNG and TIFF output written in bands (--stream), 0 (fastest) to 9 (smallest; default: 6)"), N_("N") },
    { "tiff-tiles", 0, 0, G_OPTION_ARG_INT, &tiff_tiles,
      N_("Write TIFF output in N×N tiles, N a multiple of 16, instead of strips of rows"), N_("N") },
    { "stream", 0, 0, G_OPTION_ARG_NONE, &stream,
      N_("Upscale from file to file in bands of rows, holding only a band in memory, as images too large "
         "for memory always are (PNG or TIFF output; one model at its own scale, or a classic filter)"), NULL },
    { "codec", 0, 0, G_OPTION_ARG_STRING, &codec,
      N_("Video encoder, by its FFmpeg name such as libx264, libx265, libvpx-vp9, libaom-av1 or ffv1 (default: the input's codec)"),
      N_("NAME") },
    { "crf", 0, 0, G_OPTION_ARG_INT, &crf,
      N_("Video quality as the encoder's constant rate factor; lower is better (default: the encoder's)"), N_("N") },
    { "gif-palette", 0, 0, G_OPTION_ARG_STRING, &gif_palette,
      N_("A GIF's palette: global, one for all frames and dithered, or per-frame (default: global)"),
      N_("global|per-frame") },
    { "frames", 0, 0, G_OPTION_ARG_STRING, &frames_text,
      N_("Upscale only frames A to B of an animation or a video, counted from 1"), N_("A-B") },
    { "tile", 't', 0, G_OPTION_ARG_STRING, &tile_text,
      N_("Model upscales run in tiles of at most N×N input pixels, or auto: as large as memory allows (default)"),
      N_("N|auto") },
    { "tile-overlap", 0, 0, G_OPTION_ARG_INT, &tile_overlap,
      N_("How far tiles reach into their neighbours; their outputs blend across that band (default: 32)"), N_("N") },
    { "pre-pad", 0, 0, G_OPTION_ARG_STRING, &pre_pad_text,
      N_("Pixels of reflection around the image before a model, so its edges are not darkened, or auto: what the model's own tool does (default; 10 for Real-ESRGAN, 0 for Real-CUGAN and waifu2x)"),
      N_("N|auto") },
    { "denoise", 0, 0, G_OPTION_ARG_STRING, &denoise_text,
      N_("Noise reduction from 0 to 1, for models that have noise levels or a denoising twin"), N_("X") },
    { "alpha", 0, 0, G_OPTION_ARG_STRING, &alpha_text,
      N_("Upscale alpha through the model or by bicubic interpolation (default: bicubic)"), N_("model|bicubic") },
    { "tta", 'x', 0, G_OPTION_ARG_NONE, &tta,
      N_("Test-time augmentation: average the model's results for 8 flips and rotations (8 times slower)"), NULL },
    { "upscaler-2", 0, 0, G_OPTION_ARG_STRING, &upscaler_2,
      N_("A second upscaler whose result is blended in"), N_("NAME") },
    { "upscaler-2-visibility", 0, 0, G_OPTION_ARG_STRING, &visibility_text,
      N_("How much the second upscaler shows, from 0 to 1 (default: 0.5)"), N_("V") },
    { "threads", 'j', 0, G_OPTION_ARG_INT, &threads,
      N_("Threads to use (default: every core)"), N_("N") },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device,
      N_("Where models run: auto (a CUDA GPU when there is one, else the CPU; default), cpu, cuda or cuda:N"),
      N_("DEVICE") },
    { "precision", 0, 0, G_OPTION_ARG_STRING, &precision_text,
      N_("GPU arithmetic: fp16 (tensor cores; default) or fp32"), N_("fp16|fp32") },
    { "gpu-memory", 0, 0, G_OPTION_ARG_INT, &gpu_memory,
      N_("The most GPU memory to take, in MiB; tiles shrink to fit (default: most of what is free)"), N_("MIB") },
    { "recursive", 'r', 0, G_OPTION_ARG_NONE, &recursive,
      N_("Upscale the images in the subfolders of a folder given as input too"), NULL },
    { "name-pattern", 0, 0, G_OPTION_ARG_STRING, &name_pattern,
      N_("Output names from {name}, {upscaler}, {scale} and {ext} (default: {name}-{upscaler}-{scale}.{ext})"),
      N_("PATTERN") },
    { "skip-existing", 0, 0, G_OPTION_ARG_NONE, &skip_existing,
      N_("Leave inputs whose output exists alone, and say so"), NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite,
      N_("Replace existing files, the input included"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "upscale", _("INPUT…"),
                                  _("Upscales images, and the images in folders given as inputs; animations "
                                    "(GIF, APNG, WebP) and videos frame by frame, written back as the same "
                                    "kind of file with their timing and sound. "
                                    "Results are written next to each input as "
                                    "NAME-UPSCALER-xSCALE.png unless -o, --output-dir or "
                                    "--name-pattern says otherwise; existing files are never "
                                    "replaced without --overwrite. One input failing does not "
                                    "stop the others."), entries))
    return EXIT_USAGE;

  if (inputs == NULL || inputs[0] == NULL)
    {
      tessera_cli_error (_("no input files (see tessera-cli upscale --help)"));
      return EXIT_USAGE;
    }

  if (!tessera_cli_check_output_flags (inputs, output, output_dir, overwrite, skip_existing))
    return EXIT_USAGE;

  if (scale_text != NULL && (width != 0 || height != 0))
    {
      tessera_cli_error (_("--scale cannot be used with --width or --height"));
      return EXIT_USAGE;
    }

  if (scale_text != NULL && !parse_scale (scale_text, &scale))
    {
      tessera_cli_error (_("invalid scale “%s”: give a number greater than 0 and at most 64"),
                         scale_text);
      return EXIT_USAGE;
    }

  if (width < 0 || height < 0 || width > TESSERA_IMAGE_MAX_SIDE || height > TESSERA_IMAGE_MAX_SIDE)
    {
      tessera_cli_error (_("--width and --height must be between 1 and %u"), TESSERA_IMAGE_MAX_SIDE);
      return EXIT_USAGE;
    }

  media_options->quality = quality != 0 ? quality : 100;
  if (quality == 0)
    quality = 92;
  if (quality < 1 || quality > 100)
    {
      tessera_cli_error (_("invalid quality %d: give a number from 1 to 100"), quality);
      return EXIT_USAGE;
    }

  if (!choose_format (format_name, inputs[0], output, &format))
    return EXIT_USAGE;
  if (depth != 0 && depth != 8 && depth != 16)
    {
      tessera_cli_error (_("invalid --depth %d: give 8 or 16"), depth);
      return EXIT_USAGE;
    }
  if (compression < -1 || compression > 9)
    {
      tessera_cli_error (_("invalid --compression %d: give a number from 0 to 9"), compression);
      return EXIT_USAGE;
    }
  if (tiff_tiles < 0 || tiff_tiles > 4096 || tiff_tiles % 16 != 0)
    {
      tessera_cli_error (_("invalid --tiff-tiles %d: give a multiple of 16 up to 4096"), tiff_tiles);
      return EXIT_USAGE;
    }

  if (!tessera_cli_apply_media_flags (media_options, frames_text, crf, codec, gif_palette))
    return EXIT_USAGE;

  if (tile_text != NULL && !parse_tile (tile_text, &tile))
    {
      tessera_cli_error (_("invalid tile size “%s”: give auto or a number from 16 to %u"),
                         tile_text, TESSERA_IMAGE_MAX_SIDE);
      return EXIT_USAGE;
    }

  if (tile_overlap < 0 || tile_overlap > 512)
    {
      tessera_cli_error (_("--tile-overlap must be between 0 and 512"));
      return EXIT_USAGE;
    }

  if (pre_pad_text != NULL && !parse_pre_pad (pre_pad_text, &pre_pad))
    {
      tessera_cli_error (_("invalid --pre-pad “%s”: give auto or a number from 0 to 512"), pre_pad_text);
      return EXIT_USAGE;
    }

  if (denoise_text != NULL && !parse_fraction (denoise_text, &denoise))
    {
      tessera_cli_error (_("invalid denoise “%s”: give a number from 0 to 1"), denoise_text);
      return EXIT_USAGE;
    }

  if (visibility_text != NULL && !parse_fraction (visibility_text, &visibility))
    {
      tessera_cli_error (_("invalid visibility “%s”: give a number from 0 to 1"), visibility_text);
      return EXIT_USAGE;
    }

  if (alpha_text != NULL && !g_str_equal (alpha_text, "model") && !g_str_equal (alpha_text, "bicubic"))
    {
      tessera_cli_error (_("invalid --alpha “%s”: give model or bicubic"), alpha_text);
      return EXIT_USAGE;
    }

  if (precision_text != NULL && !g_str_equal (precision_text, "fp16") && !g_str_equal (precision_text, "fp32"))
    {
      tessera_cli_error (_("invalid --precision “%s”: give fp16 or fp32"), precision_text);
      return EXIT_USAGE;
    }

  if (gpu_memory < 0)
    {
      tessera_cli_error (_("invalid --gpu-memory %d: give MiB, or 0 for automatic"), gpu_memory);
      return EXIT_USAGE;
    }

  if (threads < 0 || threads > 4096)
    {
      tessera_cli_error (_("invalid thread count %d"), threads);
      return EXIT_USAGE;
    }

  if (!tessera_image_format_is_writable (format))
    {
      tessera_cli_error (_("this system cannot write %s images: its GdkPixbuf loader is not installed"),
                         tessera_image_format_get_extension (format));
      return EXIT_FAILED;
    }

  self.engine = tessera_engine_new ();
  if (device != NULL && !check_device (self.engine, device))
    {
      g_clear_object (&self.engine);
      return EXIT_USAGE;
    }
  if ((upscaler != NULL && !check_chain (self.engine, upscaler, &model_scale, &upscaler_label)) ||
      (upscaler_2 != NULL && !check_upscaler (self.engine, upscaler_2, &model_2)))
    {
      g_clear_object (&self.engine);
      return EXIT_USAGE;
    }

  /* A model alone upscales by its own factor. */
  if (model_scale != 0 && scale_text == NULL && width == 0 && height == 0)
    scale = model_scale;
  if (upscaler_label == NULL)
    upscaler_label = g_strdup ("lanczos");

  self.options = tessera_upscale_options_new ();
  if (upscaler != NULL)
    tessera_upscale_options_set_upscaler (self.options, upscaler);
  tessera_upscale_options_set_scale (self.options, scale);
  tessera_upscale_options_set_width (self.options, width);
  tessera_upscale_options_set_height (self.options, height);
  tessera_upscale_options_set_format (self.options, format);
  tessera_upscale_options_set_quality (self.options, quality);
  tessera_upscale_options_set_tile_size (self.options, tile);
  tessera_upscale_options_set_tile_overlap (self.options, tile_overlap);
  tessera_upscale_options_set_pre_pad (self.options, pre_pad);
  tessera_upscale_options_set_denoise (self.options, denoise);
  tessera_upscale_options_set_threads (self.options, threads);
  if (device != NULL)
    tessera_upscale_options_set_device (self.options, device);
  if (precision_text != NULL && g_str_equal (precision_text, "fp32"))
    tessera_upscale_options_set_precision (self.options, TESSERA_PRECISION_FP32);
  tessera_upscale_options_set_gpu_memory (self.options, gpu_memory);
  tessera_upscale_options_set_upscaler_2 (self.options, upscaler_2);
  tessera_upscale_options_set_upscaler_2_visibility (self.options, visibility);
  if (alpha_text != NULL && g_str_equal (alpha_text, "model"))
    tessera_upscale_options_set_alpha_mode (self.options, TESSERA_ALPHA_MODE_MODEL);
  tessera_upscale_options_set_tta (self.options, tta);
  tessera_upscale_options_set_stream (self.options, stream);
  tessera_upscale_options_set_bit_depth (self.options, depth);
  tessera_upscale_options_set_compression (self.options, compression);
  tessera_upscale_options_set_tiff_tile_size (self.options, tiff_tiles);

  /* Ctrl-C cancels: the temporary output is removed, nothing half-written
   * stays. Installed before anything is created, so that nothing escapes. */
  self.run.cancellable = g_cancellable_new ();
  signal_ids[0] = g_unix_signal_add (SIGINT, tessera_cli_on_interrupt, &self.run);
  signal_ids[1] = g_unix_signal_add (SIGTERM, tessera_cli_on_interrupt, &self.run);
  signal_ids[2] = g_unix_signal_add (SIGHUP, tessera_cli_on_interrupt, &self.run);

  self.run.batch = tessera_batch_new (self.engine);
  tessera_batch_set_options (self.run.batch, self.options);
  tessera_batch_set_upscaler_label (self.run.batch, upscaler_label);
  tessera_batch_set_media_options (self.run.batch, media_options);
  if (!tessera_cli_set_outputs (self.run.batch, name_pattern, output_dir, overwrite, skip_existing,
                                TESSERA_BATCH_EXISTING_REPLACE_EVEN_INPUT))
    status = EXIT_USAGE;
  else if (!tessera_cli_add_inputs (self.run.batch, inputs, recursive, output))
    status = EXIT_FAILED;
  else
    {
      self.run.quiet = quiet;
      self.run.on_terminal = isatty (STDOUT_FILENO);
      self.run.item_starting = start_timer;
      self.run.progress = on_progress;
      self.run.print_result = print_success;
      self.timer = g_timer_new ();
      status = tessera_cli_run_items (&self.run);
    }

  for (guint i = 0; i < G_N_ELEMENTS (signal_ids); i++)
    g_source_remove (signal_ids[i]);

  g_clear_pointer (&self.timer, g_timer_destroy);
  g_clear_object (&self.run.batch);
  g_clear_object (&self.run.cancellable);
  g_clear_object (&self.options);
  g_clear_object (&self.engine);

  return status;
}
