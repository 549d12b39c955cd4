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
gboolean tessera_cli_check_output_flags (char       **inputs,
                                         const char  *output,
                                         const char  *output_dir,
                                         gboolean     overwrite,
                                         gboolean     skip_existing);
gboolean tessera_cli_apply_media_flags  (TesseraMediaOptions *options,
                                         const char          *frames_text,
                                         int                  crf,
                                         const char          *codec,
                                         const char          *gif_palette);
gboolean tessera_cli_set_outputs        (TesseraBatch         *batch,
                                         const char           *name_pattern,
                                         const char           *output_dir,
                                         gboolean              overwrite,
                                         gboolean              skip_existing,
                                         TesseraBatchExisting  replace);
gboolean tessera_cli_add_inputs         (TesseraBatch  *batch,
                                         char         **inputs,
                                         gboolean       recursive,
                                         const char    *output);

/* One command's walk through the items of its batch, one at a time,
 * printing as it goes. Commands embed it first in their own state. */
typedef struct _TesseraCliRun TesseraCliRun;

struct _TesseraCliRun
{
  TesseraBatch        *batch;
  GCancellable        *cancellable;
  GMainLoop           *loop;
  guint                current;
  guint                n_failed;
  gboolean             quiet;
  gboolean             on_terminal;  /* progress redrawn in place, on one line */
  gboolean             interrupted;
  char                *input_name;   /* the current item's, as shown */
  char                *output_name;

  /* What each command does its own way; item_starting may be NULL. */
  void               (*item_starting) (TesseraCliRun    *run);
  TesseraProgressFunc  progress;
  void               (*print_result)  (TesseraCliRun    *run,
                                       TesseraBatchItem *item);
};

char    *tessera_cli_dup_display_path (GFile         *file);
gboolean tessera_cli_on_interrupt     (gpointer       run);
int      tessera_cli_run_items        (TesseraCliRun *run);

G_END_DECLS
