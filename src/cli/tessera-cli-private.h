/* tessera-cli-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "tessera.h"

G_BEGIN_DECLS

/* Exit statuses, as scripts expect them. */
enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_INTERRUPTED = 130,
};

int  tessera_cli_upscale   (int          argc,
                            char       **argv);
int  tessera_cli_redraw    (int          argc,
                            char       **argv);
int  tessera_cli_inspect   (int          argc,
                            char       **argv);
int  tessera_cli_models    (int          argc,
                            char       **argv);
int  tessera_cli_convert   (int          argc,
                            char       **argv);
int  tessera_cli_upscalers (int          argc,
                            char       **argv);
int  tessera_cli_devices   (int          argc,
                            char       **argv);
int  tessera_cli_bench     (int          argc,
                            char       **argv);
gboolean tessera_cli_parse_options (int                 *argc,
                                    char              ***argv,
                                    const char          *command,
                                    const char          *parameters,
                                    const char          *summary,
                                    const GOptionEntry  *entries);
void tessera_cli_print_json (JsonBuilder *builder);
void tessera_cli_error     (const char  *format,
                            ...) G_GNUC_PRINTF (1, 2);
gboolean tessera_cli_add_input (TesseraBatch  *batch,
                                const char    *input,
                                gboolean       recursive,
                                const char    *output,
                                GError       **error);
gboolean tessera_cli_enum_from_nick (GType       enum_type,
                                     const char *nick,
                                     int        *value);
gboolean tessera_cli_is_media_output (const char          *output,
                                      const char          *input);
gboolean tessera_cli_parse_frames    (const char          *text,
                                      TesseraMediaOptions *options);
gboolean tessera_cli_parse_gif_palette (const char        *text,
                                        TesseraMediaOptions *options);

G_END_DECLS
