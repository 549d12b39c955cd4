/* tessera-formats-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "core/tessera-state-dict-private.h"
#include "tessera-model-format.h"

G_BEGIN_DECLS

/* One model file format, as its file in formats/ registers it in the table
 * of tessera-formats.c. @sniff tells the format from a file's first bytes;
 * @load reads the whole file, and the @companion file beside it when the
 * format has one (ncnn's weights: the file's name with @companion in
 * place of its extension). Only waifu2x's JSON reads anything from the
 * name (@basename). */
typedef struct
{
  TesseraModelFormat  format;
  const char         *id;
  const char * const *extensions;
  const char         *companion;
  gboolean          (*sniff) (const guint8  *data,
                              gsize          size);
  TesseraStateDict *(*load)  (GBytes        *contents,
                              GBytes        *companion,
                              const char    *basename,
                              GError       **error);
} TesseraFormatEntry;

const TesseraFormatEntry *tessera_format_sniff           (GBytes             *contents);
const TesseraFormatEntry *tessera_format_lookup          (TesseraModelFormat  format);
const char * const       *tessera_format_list_extensions (void);

/* Every loader reads a whole file's bytes (usually mapped) into a state
 * dict that points into them. Their errors give the cause; the caller puts
 * the file's name in front. */

TesseraStateDict *tessera_safetensors_load   (GBytes            *contents,
                                              GError           **error);
gboolean          tessera_safetensors_write  (TesseraStateDict  *state_dict,
                                              GOutputStream     *stream,
                                              GCancellable      *cancellable,
                                              GError           **error);
TesseraStateDict *tessera_pth_load           (GBytes            *contents,
                                              GError           **error);
TesseraStateDict *tessera_ncnn_load          (GBytes            *param,
                                              GBytes            *bin,
                                              GError           **error);
TesseraStateDict *tessera_waifu2x_json_load  (GBytes            *contents,
                                              GError           **error);

gboolean          tessera_corrupt            (GError           **error,
                                              const char        *format,
                                              ...) G_GNUC_PRINTF (2, 3);
gboolean          tessera_json_nesting_fits  (const char        *data,
                                              gsize              size,
                                              guint              max_depth);

G_END_DECLS
