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
