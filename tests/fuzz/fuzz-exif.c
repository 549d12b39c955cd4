/* fuzz-exif.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "image/tessera-image-private.h"

/* Bytes as the start of a JPEG or a WebP file, and as an EXIF block,
 * through the UserComment reader: a comment in valid UTF-8 or none, and
 * never a read past the bytes. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *file_comment = tessera_image_read_user_comment (data, size);
  g_autofree char *exif_comment = tessera_image_exif_user_comment (data, size);

  g_assert (file_comment == NULL || g_utf8_validate (file_comment, -1, NULL));
  g_assert (exif_comment == NULL || g_utf8_validate (exif_comment, -1, NULL));
  return 0;
}
