/* fuzz-png-load.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "image/tessera-image-private.h"

/* Bytes through our libpng reader alone, with the size known as for a
 * file: an image or a clean error; nothing allocated that the header and
 * the size did not justify. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = tessera_image_load_png (stream, size, "fuzz.png", NULL, &error);
  g_assert ((image == NULL) != (error == NULL));
  return 0;
}
