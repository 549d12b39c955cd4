/* tessera-cli-upscalers.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cli"

#include "config.h"

#include <string.h>

#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "tessera.h"
#include "tessera-cli-private.h"

static const char *
kind_nick (TesseraUpscalerKind kind)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (TESSERA_TYPE_UPSCALER_KIND);
  GEnumValue *value = g_enum_get_value (enum_class, kind);

  return value ? value->value_nick : "unknown";
}

static void
print_json (GListModel *upscalers)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_upscaler_info_get_name (info));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, tessera_upscaler_info_get_title (info));
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, kind_nick (tessera_upscaler_info_get_kind (info)));
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, tessera_upscaler_info_get_description (info));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  tessera_cli_print_json (builder);
}

int
tessera_cli_upscalers (int    argc,
                       char **argv)
{
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraModelLibrary) library = NULL;
  gboolean json = FALSE;
  GListModel *upscalers;
  int width = 0;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "upscalers", NULL,
                                  _("Lists the upscalers that can be picked with --upscaler: the classic "
                                    "filters and the runnable models of the library (see tessera-cli models)."), entries))
    return EXIT_USAGE;

  if (argc > 1)
    {
      tessera_cli_error (_("upscalers takes no arguments"));
      return EXIT_USAGE;
    }

  engine = tessera_engine_new ();
  library = tessera_model_library_new ();
  tessera_model_library_scan (library, NULL);
  tessera_engine_set_model_library (engine, library);
  upscalers = tessera_engine_get_upscalers (engine);

  if (json)
    {
      print_json (upscalers);
      return EXIT_OK;
    }

  /* Names in one column, as wide as the longest. */
  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      width = MAX (width, (int) strlen (tessera_upscaler_info_get_name (info)));
    }

  for (guint i = 0; i < g_list_model_get_n_items (upscalers); i++)
    {
      g_autoptr(TesseraUpscalerInfo) info = g_list_model_get_item (upscalers, i);

      printf ("%-*s  %-7s  %s — %s\n", width,
              tessera_upscaler_info_get_name (info),
              kind_nick (tessera_upscaler_info_get_kind (info)),
              tessera_upscaler_info_get_title (info),
              tessera_upscaler_info_get_description (info));
    }

  return EXIT_OK;
}

/* tessera-cli devices: where models can run. */
int
tessera_cli_devices (int    argc,
                     char **argv)
{
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(GError) cuda_error = NULL;
  g_auto(GStrv) devices = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  if (!tessera_cli_parse_options (&argc, &argv, "devices", NULL,
                                  _("Lists the devices models can run on, for --device: the CPU and "
                                    "each CUDA GPU, and why a GPU cannot be used when none is listed."), entries))
    return EXIT_USAGE;
  if (argc > 1)
    {
      tessera_cli_error (_("devices takes no arguments"));
      return EXIT_USAGE;
    }

  engine = tessera_engine_new ();
  devices = tessera_engine_list_devices (engine);
  json_builder_begin_array (builder);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_autofree char *description = NULL;

      if (!tessera_engine_check_device (engine, devices[i], &description, NULL))
        continue;
      if (!json)
        printf ("%-8s %s\n", devices[i], description);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, devices[i]);
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, description);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* Why there is no GPU, when there is none. */
  if (g_strv_length (devices) == 1 && !tessera_engine_check_device (engine, "cuda", NULL, &cuda_error) && !json)
    printf (_("no CUDA device: %s\n"), cuda_error->message);

  if (json)
    tessera_cli_print_json (builder);
  return EXIT_OK;
}
