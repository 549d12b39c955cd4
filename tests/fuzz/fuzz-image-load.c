/* fuzz-image-load.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "image/tessera-image-private.h"

/* Any bytes, as if read from a file, through the whole path: sniffing,
 * libpng or GdkPixbuf. An image or a clean error, never a crash or a leak.
 * GdkPixbuf's own loaders allocate what forged headers ask for (the BMP
 * loader reallocs gigabytes before it reports a size), so this target
 * runs with a high allocation cap; fuzz-png-load keeps a strict one. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (data, size, NULL);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = tessera_image_load_stream (stream, "fuzz.png", NULL, &error);
  g_assert ((image == NULL) != (error == NULL));
  return 0;
}
