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
  char  *input_name;    /* as given on the command line */
  char  *output_name;
  GFile *input;
  GFile *output;
} Job;

typedef struct
{
  TesseraEngine         *engine;
  TesseraUpscaleOptions *options;
  GCancellable          *cancellable;
  GMainLoop             *loop;
  GPtrArray             *jobs;
  guint                  current;
  guint                  n_failed;
  gboolean               overwrite;
  gboolean               skip_existing;
  guint                  n_skipped;
  gboolean               quiet;
  gboolean               progress_bar;
  gboolean               interrupted;
  TesseraImage          *input;
  TesseraImage          *output;
  GTimer                *timer;
} Upscale;

static void start_next_job (Upscale *self);

static void job_free (gpointer data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->input_name);
  g_free (job->output_name);
  g_clear_object (&job->input);
  g_clear_object (&job->output);
  g_free (job);
}

static Job *
current_job (Upscale *self)
{
  return g_ptr_array_index (self->jobs, self->current);
}

static void
clear_progress (Upscale *self)
{
  if (self->progress_bar)
    {
      printf ("\r\033[K");
      fflush (stdout);
    }
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

  if (!self->progress_bar)
    return;

  if (self->jobs->len > 1)
    label = g_strdup_printf ("(%u/%u) %s", self->current + 1, self->jobs->len,
                             current_job (self)->input_name);
  else
    label = g_strdup (current_job (self)->input_name);

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
finish_job (Upscale *self,
            GError  *error)
{
  clear_progress (self);

  if (error != NULL)
    {
      if (self->interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tessera_cli_error (_("interrupted: %s was not written"), current_job (self)->output_name);
      else
        tessera_cli_error ("%s", error->message);
      self->n_failed++;
    }
  else if (!self->quiet)
    {
      printf (_("%s → %s (%u×%u → %u×%u, %.2f s)\n"),
              current_job (self)->input_name, current_job (self)->output_name,
              tessera_image_get_width (self->input), tessera_image_get_height (self->input),
              tessera_image_get_width (self->output), tessera_image_get_height (self->output),
              g_timer_elapsed (self->timer, NULL));
    }

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  self->current++;

  if (self->interrupted)
    g_main_loop_quit (self->loop);
  else
    start_next_job (self);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Upscale *self = user_data;
  g_autoptr(GError) error = NULL;

  tessera_image_save_finish (TESSERA_IMAGE (object), result, &error);
  finish_job (self, error);
}

static void
on_upscaled (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Upscale *self = user_data;
  g_autoptr(GError) error = NULL;

  self->output = tessera_engine_upscale_finish (TESSERA_ENGINE (object), result, &error);
  if (self->output == NULL)
    {
      finish_job (self, error);
      return;
    }

  tessera_image_save_async (self->output, current_job (self)->output,
                            tessera_upscale_options_get_format (self->options),
                            tessera_upscale_options_get_quality (self->options),
                            self->cancellable, on_progress, self, on_saved, self);
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Upscale *self = user_data;
  g_autoptr(GError) error = NULL;

  self->input = tessera_image_new_from_file_finish (result, &error);
  if (self->input == NULL)
    {
      finish_job (self, error);
      return;
    }

  tessera_engine_upscale_async (self->engine, self->input, self->options, self->cancellable,
                                on_progress, NULL, self, on_upscaled, self);
}

/* The user's files are never replaced unless they asked for it. */
static gboolean
check_output (Upscale  *self,
              Job      *job,
              GError  **error)
{
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info (job->output,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info == NULL)
    return TRUE;

  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("%s: is a folder (use --output-dir to write into a folder)"),
                   job->output_name);
      return FALSE;
    }

  if (self->overwrite)
    return TRUE;

  if (self->skip_existing)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s: exists, skipped"), job->output_name);
      return FALSE;
    }

  if (tessera_image_is_same_file (job->output, job->input))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 _("%s: the output is the input file; use --overwrite to replace it"),
                 job->output_name);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                 _("%s: already exists; use --overwrite to replace it"), job->output_name);
  return FALSE;
}

static void
start_next_job (Upscale *self)
{
  g_autoptr(GError) error = NULL;
  Job *job;

  if (self->current >= self->jobs->len)
    {
      g_main_loop_quit (self->loop);
      return;
    }

  job = current_job (self);
  if (!check_output (self, job, &error))
    {
      if (self->skip_existing && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          if (!self->quiet)
            printf ("%s\n", error->message);
          self->n_skipped++;
          self->current++;
          start_next_job (self);
          return;
        }
      finish_job (self, error);
      return;
    }

  /* An output folder holds a folder's subfolders again. */
  {
    g_autoptr(GFile) parent = g_file_get_parent (job->output);

    if (parent != NULL && !g_file_make_directory_with_parents (parent, NULL, &error) &&
        !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
      {
        g_prefix_error (&error, _("%s: cannot create its folder: "), job->output_name);
        finish_job (self, error);
        return;
      }
    g_clear_error (&error);
  }

  g_timer_start (self->timer);
  draw_progress (self, 0.0, _("Loading"));
  tessera_image_new_from_file_async (job->input, self->cancellable, on_loaded, self);
}

static void
start_first_job (gpointer user_data)
{
  start_next_job (user_data);
}

static gboolean
on_interrupt (gpointer user_data)
{
  Upscale *self = user_data;

  self->interrupted = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_CONTINUE;
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

/* A job per input file, and per image of an input folder. An output
 * folder holds a folder input's images under the same subfolders. */
static gboolean
add_jobs (Upscale     *self,
          const char  *input,
          gboolean     recursive,
          const char  *output,
          const char  *output_dir,
          const char  *pattern,
          const char  *upscaler_label,
          GError     **error)
{
  g_autoptr(GPtrArray) images = NULL;
  gboolean folder = g_file_test (input, G_FILE_TEST_IS_DIR);

  if (!folder)
    {
      images = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (images, g_strdup (""));
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (input);

      if ((images = tessera_image_list_folder (file, recursive, error)) == NULL)
        return FALSE;
    }

  if (images->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, recursive ? _("%s: no images in it or below it")
                                                                      : _("%s: no images in it (-r looks below it)"),
                   input);
      return FALSE;
    }

  for (guint i = 0; i < images->len; i++)
    {
      const char *relative = g_ptr_array_index (images, i);
      g_autoptr(Job) job = g_new0 (Job, 1);
      g_autofree char *name = NULL;
      g_autofree char *dir = NULL;

      job->input_name = folder ? g_build_filename (input, relative, NULL) : g_strdup (input);
      job->input = g_file_new_for_commandline_arg (job->input_name);

      if (output != NULL)
        job->output_name = g_strdup (output);
      else
        {
          name = tessera_upscale_options_expand_name (self->options, pattern, job->input_name, upscaler_label, error);
          if (name == NULL)
            return FALSE;
          if (output_dir == NULL)
            dir = g_path_get_dirname (job->input_name);
          else if (folder)
            {
              g_autofree char *sub = g_path_get_dirname (relative);

              dir = g_build_filename (output_dir, sub, NULL);
            }
          else
            dir = g_strdup (output_dir);
          job->output_name = g_str_equal (dir, ".") ? g_steal_pointer (&name) : g_build_filename (dir, name, NULL);
        }
      job->output = g_file_new_for_commandline_arg (job->output_name);
      g_ptr_array_add (self->jobs, g_steal_pointer (&job));
    }
  return TRUE;
}

/* --format if given, else the output's extension, else PNG; the two must agree. */
static gboolean
choose_format (const char         *format_name,
               const char         *output,
               TesseraImageFormat *format)
{
  TesseraImageFormat named;
  gboolean has_named = output != NULL && tessera_image_format_from_filename (output, &named);

  if (format_name == NULL)
    {
      if (output != NULL && !has_named)
        {
          tessera_cli_error (_("%s: cannot tell the format from the name; add .png, .jpg or "
                               ".webp, or use --format"), output);
          return FALSE;
        }
      *format = has_named ? named : TESSERA_IMAGE_FORMAT_PNG;
      return TRUE;
    }

  if (!tessera_image_format_from_name (format_name, format))
    {
      tessera_cli_error (_("unknown format “%s”: use png, jpeg or webp"), format_name);
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
      tessera_cli_error (_("%s: %s models are recognised but not run by this version of Tessera"),
                         name, tessera_arch_get_title (tessera_model_get_arch (*model)));
      g_clear_object (model);
      return FALSE;
    }

  return TRUE;
}

int
tessera_cli_upscale (int    argc,
                     char **argv)
{
  g_autoptr(GError) error = NULL;
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
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraModel) model_2 = NULL;
  g_autofree char *upscaler_label = NULL;
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
  int quality = 92;
  g_autofree char *name_pattern = NULL;
  gboolean recursive = FALSE;
  gboolean overwrite = FALSE;
  gboolean skip_existing = FALSE;
  gboolean quiet = FALSE;
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
      N_("Output format: png, jpeg or webp (default: from the output name, else png)"),
      N_("FORMAT") },
    { "quality", 0, 0, G_OPTION_ARG_INT, &quality,
      N_("JPEG and WebP quality, 1–100 (default: 92)"), N_("Q") },
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
                                  _("Upscales images, and the images in folders given as inputs. "
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

  if (output != NULL && output_dir != NULL)
    {
      tessera_cli_error (_("--output and --output-dir cannot be used together"));
      return EXIT_USAGE;
    }

  if (output != NULL && g_strv_length (inputs) > 1)
    {
      tessera_cli_error (_("--output takes one input; use --output-dir for several"));
      return EXIT_USAGE;
    }

  if (output != NULL && g_file_test (inputs[0], G_FILE_TEST_IS_DIR))
    {
      tessera_cli_error (_("%s: is a folder; --output takes one file, --output-dir a folder's images"), inputs[0]);
      return EXIT_USAGE;
    }

  if (overwrite && skip_existing)
    {
      tessera_cli_error (_("--overwrite and --skip-existing cannot be used together"));
      return EXIT_USAGE;
    }

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

  if (quality < 1 || quality > 100)
    {
      tessera_cli_error (_("invalid quality %d: give a number from 1 to 100"), quality);
      return EXIT_USAGE;
    }

  if (!choose_format (format_name, output, &format))
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
  if ((upscaler != NULL && !check_upscaler (self.engine, upscaler, &model)) ||
      (upscaler_2 != NULL && !check_upscaler (self.engine, upscaler_2, &model_2)))
    {
      g_clear_object (&self.engine);
      return EXIT_USAGE;
    }

  /* A model alone upscales by its own factor. */
  if (model != NULL && scale_text == NULL && width == 0 && height == 0)
    scale = tessera_model_get_scale (model);
  upscaler_label = g_strdup (model != NULL ? tessera_model_get_name (model) : upscaler ? upscaler : "lanczos");

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

  /* Ctrl-C cancels: the temporary output is removed, nothing half-written
   * stays. Installed before anything is created, so that nothing escapes. */
  self.cancellable = g_cancellable_new ();
  signal_ids[0] = g_unix_signal_add (SIGINT, on_interrupt, &self);
  signal_ids[1] = g_unix_signal_add (SIGTERM, on_interrupt, &self);
  signal_ids[2] = g_unix_signal_add (SIGHUP, on_interrupt, &self);

  if (output_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_commandline_arg (output_dir);

      if (!g_file_make_directory_with_parents (dir, NULL, &error) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          tessera_cli_error (_("%s: cannot create the folder: %s"), output_dir, error->message);
          status = EXIT_FAILED;
          goto out;
        }
      g_clear_error (&error);
    }

  self.jobs = g_ptr_array_new_with_free_func (job_free);
  for (guint i = 0; inputs[i] != NULL; i++)
    if (!add_jobs (&self, inputs[i], recursive, output, output_dir,
                   name_pattern != NULL ? name_pattern : TESSERA_DEFAULT_NAME_PATTERN, upscaler_label, &error))
      {
        tessera_cli_error ("%s", error->message);
        status = error->domain == TESSERA_ERROR ? EXIT_USAGE : EXIT_FAILED;
        goto out;
      }

  self.overwrite = overwrite;
  self.skip_existing = skip_existing;
  self.quiet = quiet;
  self.progress_bar = !quiet && isatty (STDOUT_FILENO);
  self.loop = g_main_loop_new (NULL, FALSE);
  self.timer = g_timer_new ();

  /* From the loop, so that a first job failing at once can still quit it. */
  g_idle_add_once (start_first_job, &self);
  g_main_loop_run (self.loop);

  if (self.interrupted)
    status = EXIT_INTERRUPTED;
  else
    status = self.n_failed > 0 ? EXIT_FAILED : EXIT_OK;

out:
  for (guint i = 0; i < G_N_ELEMENTS (signal_ids); i++)
    g_source_remove (signal_ids[i]);

  g_clear_pointer (&self.timer, g_timer_destroy);
  g_clear_pointer (&self.loop, g_main_loop_unref);
  g_clear_pointer (&self.jobs, g_ptr_array_unref);
  g_clear_object (&self.cancellable);
  g_clear_object (&self.options);
  g_clear_object (&self.engine);

  return status;
}
