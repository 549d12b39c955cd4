/* tessera-cli.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "tessera.h"
#include "tessera-cli-private.h"

static const struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "upscale", tessera_cli_upscale, N_("Upscale images") },
  { "redraw", tessera_cli_redraw, N_("Redraw an image with Stable Diffusion") },
  { "upscalers", tessera_cli_upscalers, N_("List the upscalers that can be picked") },
  { "models", tessera_cli_models, N_("List the models in the model folders") },
  { "inspect", tessera_cli_inspect, N_("Tell what a model file is") },
  { "convert", tessera_cli_convert, N_("Write a model as safetensors") },
  { "devices", tessera_cli_devices, N_("List the devices models can run on") },
  { "bench", tessera_cli_bench, N_("Time model upscales beside the hardware's ceiling and the peer") },
};

/* Errors are one line on stderr, so that scripts can show them as they are. */
/* An input file, or the images of an input folder. */
gboolean
tessera_cli_add_input (TesseraBatch  *batch,
                       const char    *input,
                       gboolean       recursive,
                       const char    *output,
                       GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (input);

  if (output != NULL)
    {
      g_autoptr(GFile) output_file = g_file_new_for_commandline_arg (output);

      tessera_batch_add_file_with_output (batch, file, output_file);
      return TRUE;
    }

  if (!g_file_test (input, G_FILE_TEST_IS_DIR))
    {
      tessera_batch_add_file (batch, file);
      return TRUE;
    }

  return tessera_batch_add_folder (batch, file, recursive, error);
}

/* An option's value by the nick of its engine enum: "sd-upscale" for
 * TESSERA_REDRAW_TILES_SD_UPSCALE. */
gboolean
tessera_cli_enum_from_nick (GType       enum_type,
                            const char *nick,
                            int        *value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *found = g_enum_get_value_by_nick (klass, nick);

  if (found == NULL)
    return FALSE;
  *value = found->value;
  return TRUE;
}

/* Names of the containers animations and videos are written as; their
 * format is the input's, not an image format. */
static gboolean
is_media_name (const char *name)
{
  static const char * const extensions[] = { ".mp4", ".m4v", ".mkv", ".webm", ".mov", ".gif", ".apng" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  return FALSE;
}

/* Whether -o @output names an animation or a video written from @input,
 * which is then one too. */
gboolean
tessera_cli_is_media_output (const char *output,
                             const char *input)
{
  g_autoptr(GFile) file = NULL;

  if (!is_media_name (output))
    return FALSE;
  file = g_file_new_for_commandline_arg (input);
  return tessera_media_probe (file) != TESSERA_MEDIA_KIND_STILL;
}

/* --frames A-B, counted from 1; either end may be left out. */
gboolean
tessera_cli_parse_frames (const char          *text,
                          TesseraMediaOptions *options)
{
  g_auto(GStrv) ends = g_strsplit (text, "-", 2);
  guint64 first = 0, last = 0;

  if (g_strv_length (ends) != 2)
    return FALSE;
  if (ends[0][0] != '\0' && !g_ascii_string_to_unsigned (ends[0], 10, 1, G_MAXUINT, &first, NULL))
    return FALSE;
  if (ends[1][0] != '\0' && !g_ascii_string_to_unsigned (ends[1], 10, 1, G_MAXUINT, &last, NULL))
    return FALSE;
  if (last != 0 && last < first)
    return FALSE;
  options->first_frame = (guint) first;
  options->last_frame = (guint) last;
  return TRUE;
}

/* --gif-palette global|per-frame, printing what is wrong. */
gboolean
tessera_cli_parse_gif_palette (const char          *text,
                               TesseraMediaOptions *options)
{
  int palette;

  if (!tessera_cli_enum_from_nick (TESSERA_TYPE_MEDIA_GIF_PALETTE, text, &palette))
    {
      tessera_cli_error (_("unknown GIF palette “%s”: use global or per-frame"), text);
      return FALSE;
    }
  options->gif_palette = palette;
  return TRUE;
}

/* The checks of -o, --output-dir, --overwrite and --skip-existing that
 * every command writing files makes, printing what is wrong. */
gboolean
tessera_cli_check_output_flags (char       **inputs,
                                const char  *output,
                                const char  *output_dir,
                                gboolean     overwrite,
                                gboolean     skip_existing)
{
  if (output != NULL && output_dir != NULL)
    {
      tessera_cli_error (_("--output and --output-dir cannot be used together"));
      return FALSE;
    }
  if (output != NULL && g_strv_length (inputs) > 1)
    {
      tessera_cli_error (_("--output takes one input; use --output-dir for several"));
      return FALSE;
    }
  if (output != NULL && g_file_test (inputs[0], G_FILE_TEST_IS_DIR))
    {
      tessera_cli_error (_("%s: is a folder; --output takes one file, --output-dir a folder's images"), inputs[0]);
      return FALSE;
    }
  if (overwrite && skip_existing)
    {
      tessera_cli_error (_("--overwrite and --skip-existing cannot be used together"));
      return FALSE;
    }
  return TRUE;
}

/* --frames, --crf, --codec and --gif-palette, printing what is wrong. */
gboolean
tessera_cli_apply_media_flags (TesseraMediaOptions *options,
                               const char          *frames_text,
                               int                  crf,
                               const char          *codec,
                               const char          *gif_palette)
{
  if (frames_text != NULL && !tessera_cli_parse_frames (frames_text, options))
    {
      tessera_cli_error (_("invalid --frames “%s”: give A-B, frames counted from 1"), frames_text);
      return FALSE;
    }
  if (crf < -1 || crf > 63)
    {
      tessera_cli_error (_("invalid --crf %d: give a number from 0 to 63"), crf);
      return FALSE;
    }
  options->crf = crf;
  options->codec = g_strdup (codec);
  return gif_palette == NULL || tessera_cli_parse_gif_palette (gif_palette, options);
}

/* Where and under which names @batch writes, and what it does about
 * files that exist: @replace with --overwrite. An unusable
 * --name-pattern is printed. */
gboolean
tessera_cli_set_outputs (TesseraBatch         *batch,
                         const char           *name_pattern,
                         const char           *output_dir,
                         gboolean              overwrite,
                         gboolean              skip_existing,
                         TesseraBatchExisting  replace)
{
  g_autoptr(GError) error = NULL;

  tessera_batch_set_name_pattern (batch, name_pattern);
  tessera_batch_set_existing (batch, overwrite ? replace
                                     : skip_existing ? TESSERA_BATCH_EXISTING_SKIP
                                                     : TESSERA_BATCH_EXISTING_FAIL);
  if (output_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_commandline_arg (output_dir);

      tessera_batch_set_output_folder (batch, dir);
    }
  if (!tessera_batch_check_name_pattern (batch, &error))
    {
      tessera_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* Every input of the command line, printing the first that cannot be
 * added. */
gboolean
tessera_cli_add_inputs (TesseraBatch  *batch,
                        char         **inputs,
                        gboolean       recursive,
                        const char    *output)
{
  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (tessera_cli_add_input (batch, inputs[i], recursive, output, &error))
        continue;
      if (!recursive && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        tessera_cli_error (_("%s (-r looks below it)"), error->message);
      else
        tessera_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* A path as it would be typed: relative below the current folder, else whole. */
char *
tessera_cli_dup_display_path (GFile *file)
{
  g_autoptr(GFile) here = g_file_new_for_path (".");
  g_autofree char *relative = g_file_get_relative_path (here, file);

  if (relative == NULL)
    return g_file_get_parse_name (file);
  return g_filename_display_name (relative);
}

static void start_next_item (TesseraCliRun *run);

static void
print_failure (TesseraCliRun *run,
               const GError  *error)
{
  if (run->interrupted && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    tessera_cli_error (_("interrupted: %s was not written"), run->output_name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    tessera_cli_error (_("%s; use --overwrite to replace it"), error->message);
  else
    tessera_cli_error ("%s", error->message);
}

static void
on_item_run (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TesseraCliRun *run = user_data;
  g_autoptr(TesseraBatchItem) item = g_list_model_get_item (tessera_batch_get_items (run->batch), run->current);
  g_autoptr(GError) error = NULL;

  if (run->on_terminal && !run->quiet)
    {
      printf ("\r\033[K");
      fflush (stdout);
    }
  if (!tessera_batch_run_item_finish (run->batch, result, &error))
    {
      print_failure (run, error);
      run->n_failed++;
    }
  else if (!run->quiet)
    run->print_result (run, item);

  run->current++;
  if (run->interrupted)
    g_main_loop_quit (run->loop);
  else
    start_next_item (run);
}

static void
start_next_item (TesseraCliRun *run)
{
  g_autoptr(TesseraBatchItem) item = NULL;
  GFile *output;

  if (run->current >= g_list_model_get_n_items (tessera_batch_get_items (run->batch)))
    {
      g_main_loop_quit (run->loop);
      return;
    }

  item = g_list_model_get_item (tessera_batch_get_items (run->batch), run->current);
  g_free (run->input_name);
  run->input_name = tessera_cli_dup_display_path (tessera_batch_item_get_file (item));
  if (run->item_starting != NULL)
    run->item_starting (run);
  tessera_batch_run_item_async (run->batch, item, run->cancellable, run->progress, run, on_item_run, run);

  /* Chosen at once; a cancelled item forgets it. */
  output = tessera_batch_item_get_output (item);
  g_clear_pointer (&run->output_name, g_free);
  if (output != NULL)
    run->output_name = tessera_cli_dup_display_path (output);
}

static void
start_first_item (gpointer user_data)
{
  start_next_item (user_data);
}

/* A signal's handler: cancels the item that runs and stops the walk. */
gboolean
tessera_cli_on_interrupt (gpointer user_data)
{
  TesseraCliRun *run = user_data;

  run->interrupted = TRUE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Runs @run's batch item by item; one failing does not stop the others.
 * Returns the command's exit status. */
int
tessera_cli_run_items (TesseraCliRun *run)
{
  run->loop = g_main_loop_new (NULL, FALSE);

  /* From the loop, so that a first item failing at once can still quit it. */
  g_idle_add_once (start_first_item, run);
  g_main_loop_run (run->loop);

  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_pointer (&run->input_name, g_free);
  g_clear_pointer (&run->output_name, g_free);

  if (run->interrupted)
    return EXIT_INTERRUPTED;
  return run->n_failed > 0 ? EXIT_FAILED : EXIT_OK;
}

void
tessera_cli_error (const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_strdelimit (message, "\n\r", ' ');
  fprintf (stderr, "tessera-cli: %s\n", message);
}

/* What a builder holds, as indented JSON on stdout. */
/* Parses a command's options: @command's name, @parameters and @summary
 * show in its --help. An error is printed; the command then exits with
 * EXIT_USAGE. */
gboolean
tessera_cli_parse_options (int                 *argc,
                           char              ***argv,
                           const char          *command,
                           const char          *parameters,
                           const char          *summary,
                           const GOptionEntry  *entries)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strconcat ("tessera-cli ", command, NULL);

  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;
  tessera_cli_error ("%s", error->message);
  return FALSE;
}

void
tessera_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n  tessera-cli %s\n\n%s\n\n%s\n",
           _("Usage:"), _("COMMAND [OPTION…]"),
           _("Upscale images with neural networks and classic filters."),
           _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n  -h, --help   %s\n  --version    %s\n\n%s\n",
           _("Options:"), _("Show this help"), _("Show the version"),
           _("Run “tessera-cli COMMAND --help” for the options of a command."));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("tessera-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("tessera-cli %s\n", TESSERA_VERSION_STRING);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  tessera_cli_error (_("unknown command “%s” (see tessera-cli --help)"), argv[1]);
  return EXIT_USAGE;
}
