/* tessera-cli-models.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cli"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tessera.h"
#include "tessera-cli-private.h"

/* inspect, models and convert: what model files are, and safetensors out.
 * inspect also tells what a Stable Diffusion checkpoint is. */

static void
add_uint (JsonBuilder *builder,
          const char  *name,
          guint64      value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* The keys `tessera-cli inspect --json` promises, and no others. */
static void
build_model_json (JsonBuilder  *builder,
                  const char   *file,
                  TesseraModel *model,
                  const GError *error)
{
  json_builder_begin_object (builder);
  add_string (builder, "file", file);

  if (error != NULL)
    {
      add_string (builder, "error", error->message);
      json_builder_end_object (builder);
      return;
    }

  add_string (builder, "format", tessera_model_format_to_string (tessera_model_get_format (model)));
  add_string (builder, "arch", tessera_arch_to_string (tessera_model_get_arch (model)));
  json_builder_set_member_name (builder, "supported");
  json_builder_add_boolean_value (builder, tessera_model_get_supported (model));
  if (!tessera_model_get_supported (model))
    add_string (builder, "not_run_reason", tessera_model_get_not_run_reason (model));
  add_uint (builder, "scale", tessera_model_get_scale (model));
  add_uint (builder, "in_channels", tessera_model_get_in_channels (model));
  add_uint (builder, "out_channels", tessera_model_get_out_channels (model));
  if (tessera_model_get_num_feat (model) > 0)
    add_uint (builder, "num_feat", tessera_model_get_num_feat (model));
  if (tessera_model_get_num_blocks (model) > 0)
    add_uint (builder, "num_blocks", tessera_model_get_num_blocks (model));
  add_uint (builder, "params", tessera_model_get_n_params (model));
  add_string (builder, "dtype", tessera_model_get_dtype (model));
  add_string (builder, "name", tessera_model_get_name (model));
  /* Only for the architectures that have more to tell (SwinIR). */
  if (tessera_model_get_hyperparameters (model) != NULL)
    {
      json_builder_set_member_name (builder, "hyperparameters");
      json_builder_add_value (builder, json_gvariant_serialize (tessera_model_get_hyperparameters (model)));
    }
  json_builder_end_object (builder);
}

static char *
describe_params (guint64 n)
{
  if (n >= 100000)
    return g_strdup_printf (_("%.2f million"), n / 1e6);
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

/* One line each, under the reference implementation's names. */
static void
print_hyperparameters (GVariant *params)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (params == NULL)
    return;

  printf ("  %s\n", _("Hyper-parameters:"));
  g_variant_iter_init (&iter, params);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      g_autofree char *text = g_variant_is_of_type (value, G_VARIANT_TYPE_STRING)
                            ? g_variant_dup_string (value, NULL) : g_variant_print (value, FALSE);

      printf ("    %-16s %s\n", key, text);
    }
}

static void
print_model (TesseraModel *model,
             const char   *file)
{
  g_autofree char *size = g_format_size (tessera_model_get_file_size (model));
  g_autofree char *params = describe_params (tessera_model_get_n_params (model));
  TesseraArch arch = tessera_model_get_arch (model);

  printf ("%s\n", tessera_model_get_name (model));
  printf ("  %-14s %s\n", _("File:"), file);
  printf ("  %-14s %s\n", _("Format:"), tessera_model_format_to_string (tessera_model_get_format (model)));
  printf ("  %-14s %s (%s)%s\n", _("Architecture:"), tessera_arch_get_title (arch), tessera_arch_to_string (arch),
          tessera_model_get_supported (model) ? "" : _(", not supported yet"));
  if (!tessera_model_get_supported (model))
    printf ("  %-14s %s\n", _("Not run:"), tessera_model_get_not_run_reason (model));
  printf ("  %-14s ×%u\n", _("Scale:"), tessera_model_get_scale (model));
  printf ("  %-14s %u → %u\n", _("Channels:"), tessera_model_get_in_channels (model),
          tessera_model_get_out_channels (model));
  if (tessera_model_get_num_feat (model) > 0)
    printf ("  %-14s %u\n", _("Features:"), tessera_model_get_num_feat (model));
  if (tessera_model_get_num_blocks (model) > 0)
    printf ("  %-14s %u\n", _("Blocks:"), tessera_model_get_num_blocks (model));
  printf ("  %-14s %s\n", _("Parameters:"), params);
  printf ("  %-14s %s\n", _("Precision:"), tessera_model_get_dtype (model));
  printf ("  %-14s %s\n", _("Size:"), size);
  print_hyperparameters (tessera_model_get_hyperparameters (model));
}

static const TesseraCheckpointPart parts[] = {
  TESSERA_CHECKPOINT_PART_UNET,
  TESSERA_CHECKPOINT_PART_VAE,
  TESSERA_CHECKPOINT_PART_TEXT_ENCODER,
};

/* inspect --json for a checkpoint: `kind` says it is one; `params`,
 * `dtype` and `hyperparameters` have one member per part it holds. */
static void
build_checkpoint_json (JsonBuilder       *builder,
                       const char        *file,
                       TesseraCheckpoint *checkpoint)
{
  TesseraCheckpointFamily family = tessera_checkpoint_get_family (checkpoint);
  GFile *vae_file = tessera_checkpoint_get_vae_file (checkpoint);

  json_builder_begin_object (builder);
  add_string (builder, "file", file);
  add_string (builder, "kind", "checkpoint");
  add_string (builder, "format", tessera_checkpoint_get_format (checkpoint));
  add_string (builder, "family", tessera_checkpoint_family_to_string (family));
  add_string (builder, "prediction", tessera_prediction_to_string (tessera_checkpoint_get_prediction (checkpoint)));
  add_string (builder, "prediction_source", tessera_checkpoint_get_prediction_source (checkpoint));
  json_builder_set_member_name (builder, "hash");
  if (tessera_checkpoint_get_short_hash (checkpoint) != NULL)
    json_builder_add_string_value (builder, tessera_checkpoint_get_short_hash (checkpoint));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "ema");
  json_builder_add_boolean_value (builder, tessera_checkpoint_get_has_ema (checkpoint));
  if (vae_file != NULL)
    {
      g_autofree char *path = g_file_get_parse_name (vae_file);

      add_string (builder, "vae_file", path);
    }
  add_string (builder, "name", tessera_checkpoint_get_name (checkpoint));

  json_builder_set_member_name (builder, "params");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tessera_checkpoint_has_part (checkpoint, parts[i]))
      add_uint (builder, tessera_checkpoint_part_to_string (parts[i]),
                tessera_checkpoint_get_n_params (checkpoint, parts[i]));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "dtype");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tessera_checkpoint_has_part (checkpoint, parts[i]))
      add_string (builder, tessera_checkpoint_part_to_string (parts[i]),
                  tessera_checkpoint_get_dtype (checkpoint, parts[i]));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "hyperparameters");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tessera_checkpoint_has_part (checkpoint, parts[i]))
      {
        g_autoptr(GVariant) params = g_variant_ref_sink (tessera_checkpoint_get_hyperparameters (checkpoint, parts[i]));

        json_builder_set_member_name (builder, tessera_checkpoint_part_to_string (parts[i]));
        json_builder_add_value (builder, json_gvariant_serialize (params));
      }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

static const char *
part_title (TesseraCheckpointPart part)
{
  switch (part)
    {
    case TESSERA_CHECKPOINT_PART_UNET:
      return _("UNet");
    case TESSERA_CHECKPOINT_PART_VAE:
      return _("VAE");
    case TESSERA_CHECKPOINT_PART_TEXT_ENCODER:
    default:
      return _("Text encoder");
    }
}

static void
print_checkpoint (TesseraCheckpoint *checkpoint,
                  const char        *file)
{
  TesseraCheckpointFamily family = tessera_checkpoint_get_family (checkpoint);
  const char *hash = tessera_checkpoint_get_short_hash (checkpoint);
  GFile *vae_file = tessera_checkpoint_get_vae_file (checkpoint);
  g_autoptr(GString) params = g_string_new (NULL);
  g_autoptr(GPtrArray) dtypes = g_ptr_array_new ();
  g_autofree char *precision = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tessera_checkpoint_has_part (checkpoint, parts[i]))
      {
        g_autofree char *count = describe_params (tessera_checkpoint_get_n_params (checkpoint, parts[i]));
        const char *dtype = tessera_checkpoint_get_dtype (checkpoint, parts[i]);

        g_string_append_printf (params, "%s%s %s", params->len ? ", " : "", part_title (parts[i]), count);
        if (!g_ptr_array_find_with_equal_func (dtypes, dtype, g_str_equal, NULL))
          g_ptr_array_add (dtypes, (gpointer) dtype);
      }
  g_ptr_array_add (dtypes, NULL);
  precision = g_strjoinv (", ", (char **) dtypes->pdata);

  printf ("%s\n", tessera_checkpoint_get_name (checkpoint));
  printf ("  %-14s %s\n", _("File:"), file);
  printf ("  %-14s %s\n", _("Format:"), tessera_checkpoint_get_format (checkpoint));
  printf ("  %-14s %s (%s)\n", _("Family:"), tessera_checkpoint_family_get_title (family),
          tessera_checkpoint_family_to_string (family));
  printf ("  %-14s %s (%s)\n", _("Prediction:"),
          tessera_prediction_to_string (tessera_checkpoint_get_prediction (checkpoint)),
          tessera_checkpoint_get_prediction_source (checkpoint));
  printf ("  %-14s %s\n", _("Parameters:"), params->str);
  printf ("  %-14s %s\n", _("Precision:"), precision);
  printf ("  %-14s %s\n", _("Model hash:"), hash ? hash : _("none (A1111 hashes single files only)"));
  if (tessera_checkpoint_get_has_ema (checkpoint))
    printf ("  %-14s %s\n", _("EMA:"), _("the file also holds EMA weights (model_ema.*), which are not used: "
                                          "model.diffusion_model.* is, as in A1111"));
  if (vae_file != NULL)
    {
      g_autofree char *path = g_file_get_parse_name (vae_file);

      printf ("  %-14s %s\n", _("VAE:"), path);
    }
  else if (!tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_VAE))
    printf ("  %-14s %s\n", _("VAE:"), _("none: it needs one from a VAE file (--vae)"));
  if (!tessera_checkpoint_has_part (checkpoint, TESSERA_CHECKPOINT_PART_TEXT_ENCODER))
    printf ("  %-14s %s\n", _("Text encoder:"), _("none"));

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (tessera_checkpoint_has_part (checkpoint, parts[i]))
      {
        g_autoptr(GVariant) hyperparameters =
          g_variant_ref_sink (tessera_checkpoint_get_hyperparameters (checkpoint, parts[i]));
        g_autofree char *title = g_strdup_printf ("%s:", part_title (parts[i]));
        GVariantIter iter;
        const char *key;
        GVariant *value;

        printf ("  %s\n", title);
        g_variant_iter_init (&iter, hyperparameters);
        while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
          {
            g_autofree char *text = NULL;

            if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
              text = g_variant_dup_string (value, NULL);
            else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
              text = g_strdup_printf ("%g", g_variant_get_double (value));
            else
              text = g_variant_print (value, FALSE);
            printf ("    %-22s %s\n", key, text);
          }
      }
}

/* A folder is a diffusers checkpoint; a file is an upscaler first, and a
 * checkpoint where no upscaler architecture has its keys. The upscaler's
 * error stands unless the file is at least a Stable Diffusion file. */
static TesseraCheckpoint *
open_checkpoint (GFile         *file,
                 const char    *vae,
                 GError       **model_error,
                 GError       **error)
{
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean folder = g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY;

  if (!folder && !g_error_matches (*model_error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED))
    return NULL;

  checkpoint = tessera_checkpoint_new_from_file (file, NULL, &local_error);
  if (checkpoint == NULL)
    {
      if (folder || !g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT))
        {
          g_clear_error (model_error);
          g_propagate_error (error, g_steal_pointer (&local_error));
        }
      return NULL;
    }

  g_clear_error (model_error);
  if (vae != NULL)
    {
      g_autoptr(GFile) vae_file = g_file_new_for_commandline_arg (vae);

      if (!tessera_checkpoint_set_vae_file (checkpoint, vae_file, NULL, error))
        return NULL;
    }

  return g_steal_pointer (&checkpoint);
}

int
tessera_cli_inspect (int    argc,
                     char **argv)
{
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(GStrv) files = NULL;
  g_autofree char *vae = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { "vae", 0, 0, G_OPTION_ARG_FILENAME, &vae, N_("A checkpoint’s VAE from this file (A1111’s SD VAE)"),
      N_("FILE") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "inspect", _("FILE"),
                                  _("Tells what a model file is: format, architecture, scale and size. "
                                    "For ncnn, FILE is the .param, with its .bin beside it. "
                                    "For a Stable Diffusion checkpoint (a .safetensors or .ckpt file, or a "
                                    "diffusers folder): family, prediction, each network's size and "
                                    "hyper-parameters, and A1111's model hash."), entries))
    return EXIT_USAGE;

  if (files == NULL || g_strv_length (files) != 1)
    {
      tessera_cli_error (_("inspect takes one model file (see tessera-cli inspect --help)"));
      return EXIT_USAGE;
    }

  file = g_file_new_for_commandline_arg (files[0]);
  if (g_file_query_file_type (file, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    model = tessera_model_new_from_file (file, NULL, &error);
  if (model == NULL)
    {
      g_autoptr(GError) checkpoint_error = NULL;

      checkpoint = open_checkpoint (file, vae, &error, &checkpoint_error);
      if (checkpoint_error != NULL)
        g_propagate_error (&error, g_steal_pointer (&checkpoint_error));
    }
  else if (vae != NULL)
    {
      tessera_cli_error (_("%s: --vae is for Stable Diffusion checkpoints"), files[0]);
      return EXIT_USAGE;
    }

  if (json && checkpoint != NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_checkpoint_json (builder, files[0], checkpoint);
      tessera_cli_print_json (builder);
    }
  else if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      build_model_json (builder, files[0], model, error);
      tessera_cli_print_json (builder);
    }
  else if (checkpoint != NULL)
    print_checkpoint (checkpoint, files[0]);
  else if (model != NULL)
    print_model (model, files[0]);

  if (model == NULL && checkpoint == NULL)
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }

  return EXIT_OK;
}

int
tessera_cli_models (int    argc,
                    char **argv)
{
  g_autoptr(TesseraModelLibrary) library = NULL;
  gboolean json = FALSE;
  GListModel *models;
  guint n;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "models", NULL,
                                  _("Lists the models in the model folders: $XDG_DATA_HOME/tessera/models, "
                                    "each $XDG_DATA_DIRS/tessera/models and the folders of TESSERA_MODEL_PATH."), entries))
    return EXIT_USAGE;

  if (argc > 1)
    {
      tessera_cli_error (_("models takes no arguments"));
      return EXIT_USAGE;
    }

  library = tessera_model_library_new ();
  tessera_model_library_scan (library, NULL);
  models = tessera_model_library_get_models (library);
  n = g_list_model_get_n_items (models);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);
          g_autofree char *path = g_file_get_path (tessera_model_get_file (model));

          build_model_json (builder, path, model, tessera_model_get_error (model));
        }
      json_builder_end_array (builder);
      tessera_cli_print_json (builder);
      return EXIT_OK;
    }

  if (n == 0)
    {
      GPtrArray *folders = tessera_model_library_get_folders (library);

      printf ("%s\n", _("No models found. Tessera looks in:"));
      for (guint i = 0; i < folders->len; i++)
        {
          g_autofree char *path = g_file_get_parse_name (g_ptr_array_index (folders, i));

          printf ("  %s\n", path);
        }
      return EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TesseraModel) model = g_list_model_get_item (models, i);
      g_autofree char *path = g_file_get_parse_name (tessera_model_get_file (model));
      const GError *model_error = tessera_model_get_error (model);
      g_autofree char *not_run = NULL;

      if (model_error != NULL)
        {
          printf ("%-32s %s\n", tessera_model_get_name (model), model_error->message);
          continue;
        }
      if (!tessera_model_get_supported (model))
        /* Translators: why a model does not run: "it uses an absolute position embedding…" */
        not_run = g_strdup_printf (_("  (not supported yet: %s)"), tessera_model_get_not_run_reason (model));
      printf ("%-32s %-16s ×%u  %-12s %s%s\n", tessera_model_get_name (model),
              tessera_arch_to_string (tessera_model_get_arch (model)), tessera_model_get_scale (model),
              tessera_model_format_to_string (tessera_model_get_format (model)), path,
              not_run != NULL ? not_run : "");
    }

  return EXIT_OK;
}

int
tessera_cli_convert (int    argc,
                     char **argv)
{
  g_autoptr(TesseraModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(GFile) output = NULL;
  g_auto(GStrv) files = NULL;
  gboolean overwrite = FALSE;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Replace OUT if it exists"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Print nothing but errors"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "convert", _("IN OUT.safetensors"),
                                  _("Writes any model Tessera reads as safetensors, with metadata naming its "
                                    "architecture, scale and source file."), entries))
    return EXIT_USAGE;

  if (files == NULL || g_strv_length (files) != 2)
    {
      tessera_cli_error (_("convert takes a model file and an output file (see tessera-cli convert --help)"));
      return EXIT_USAGE;
    }

  if (!g_str_has_suffix (files[1], ".safetensors"))
    {
      tessera_cli_error (_("%s: the output must be a .safetensors file"), files[1]);
      return EXIT_USAGE;
    }

  input = g_file_new_for_commandline_arg (files[0]);
  output = g_file_new_for_commandline_arg (files[1]);
  if (!overwrite && g_file_query_exists (output, NULL))
    {
      tessera_cli_error (_("%s: already exists; use --overwrite to replace it"), files[1]);
      return EXIT_FAILED;
    }

  model = tessera_model_new_from_file (input, NULL, &error);
  if (model == NULL || !tessera_model_save_safetensors (model, output, NULL, &error))
    {
      tessera_cli_error ("%s", error->message);
      return EXIT_FAILED;
    }

  if (!quiet)
    printf (_("%s → %s (%s, ×%u)\n"), files[0], files[1],
            tessera_arch_get_title (tessera_model_get_arch (model)), tessera_model_get_scale (model));
  return EXIT_OK;
}
