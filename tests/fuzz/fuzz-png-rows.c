/* fuzz-png-rows.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "image/tessera-image-reader-private.h"

/* Bytes through the row-by-row PNG reader that streamed upscales use:
 * every row or a clean error, with one row's memory whatever the header
 * claims. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *row = NULL;
  TesseraPngRowReader *reader;
  float *planes[4];
  guint width, height;

  reader = tessera_png_row_reader_new (stream, size, "fuzz.png", NULL, &error);
  if (reader == NULL)
    return 0;   /* an error, or an interlaced file left to the whole-file reader */

  width = tessera_png_row_reader_get_width (reader);
  height = tessera_png_row_reader_get_height (reader);
  row = g_new (float, (gsize) 4 * width);
  for (guint c = 0; c < 4; c++)
    planes[c] = row + (gsize) c * width;
  for (guint y = 0; y < height; y++)
    if (!tessera_png_row_reader_read (reader, planes, 0, &error))
      {
        g_assert (error != NULL);
        break;
      }
  tessera_png_row_reader_free (reader);
  return 0;
}
