/* fuzz-media.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "media/tessera-media-private.h"

/* Any bytes, as if read from a file, through the media reader: sniffing,
 * the GIF and PNG block scans, FFmpeg's demuxers and decoders, libwebp's
 * animation decoder, and every frame's conversion. Frames or a clean
 * error, never a crash or a leak. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(TesseraMediaReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  reader = tessera_media_reader_new_from_bytes (bytes, "fuzz", &error);
  g_assert ((reader == NULL) != (error == NULL));
  if (reader == NULL)
    return 0;

  /* A few frames are enough to reach every decoder's paths. */
  for (guint i = 0; i < 16; i++)
    {
      g_autoptr(TesseraImage) frame = tessera_media_reader_read_frame (reader, NULL, NULL, &error);

      if (frame == NULL)
        break;
    }
  return 0;
}
