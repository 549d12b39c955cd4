/* tessera-formats.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-formats"

#include "config.h"

#include "tessera-formats-private.h"

/* Every model file format, each registered by its file. Sniffing tries
 * them in this order: a safetensors header length can begin like a
 * pickle (0x80 0x02), so safetensors goes first. */
extern const TesseraFormatEntry tessera_safetensors_format, tessera_pth_format,
  tessera_ncnn_format, tessera_waifu2x_json_format;

static const TesseraFormatEntry *const formats[] = {
  &tessera_safetensors_format,
  &tessera_pth_format,
  &tessera_ncnn_format,
  &tessera_waifu2x_json_format,
};

/* The format of a file from its first bytes, or NULL. */
const TesseraFormatEntry *
tessera_format_sniff (GBytes *contents)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (contents, &size);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i]->sniff (data, size))
      return formats[i];

  return NULL;
}

const TesseraFormatEntry *
tessera_format_lookup (TesseraModelFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i]->format == format)
      return formats[i];

  return NULL;
}

const char *
tessera_model_format_to_string (TesseraModelFormat format)
{
  const TesseraFormatEntry *entry = tessera_format_lookup (format);

  g_return_val_if_fail (entry != NULL, NULL);

  return entry->id;
}

/* What model files are called, every format's names in one
 * %NULL-terminated list. */
const char * const *
tessera_format_list_extensions (void)
{
  static const char **extensions;
  static gsize listed;

  if (g_once_init_enter (&listed))
    {
      GPtrArray *all = g_ptr_array_new ();

      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        for (guint k = 0; formats[i]->extensions[k] != NULL; k++)
          g_ptr_array_add (all, (gpointer) formats[i]->extensions[k]);
      g_ptr_array_add (all, NULL);
      extensions = (const char **) g_ptr_array_free (all, FALSE);
      g_once_init_leave (&listed, 1);
    }

  return extensions;
}
