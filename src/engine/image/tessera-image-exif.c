/* tessera-image-exif.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image-exif"

#include "config.h"

#include <string.h>

#include "tessera-image-private.h"

/* EXIF's UserComment, the one piece of EXIF Tessera reads: A1111 writes
 * its generation parameters there in JPEG and WebP files, which have no
 * text chunks (GdkPixbuf reads no EXIF text). Every offset comes from
 * the file, so each is checked against the bytes there are. */

#define EXIF_TAG_EXIF_IFD      0x8769
#define EXIF_TAG_USER_COMMENT  0x9286
#define EXIF_HEADER            "Exif\0\0"
#define EXIF_HEADER_SIZE       6
#define USER_COMMENT_CODE_SIZE 8

typedef struct
{
  const guint8 *data;
  gsize         size;
  gboolean      big_endian;
} Tiff;

static gboolean
read_u16 (const Tiff *tiff,
          gsize       offset,
          guint      *value)
{
  const guint8 *p;

  if (offset > tiff->size || tiff->size - offset < 2)
    return FALSE;

  p = tiff->data + offset;
  *value = tiff->big_endian ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]);
  return TRUE;
}

static gboolean
read_u32 (const Tiff *tiff,
          gsize       offset,
          guint32    *value)
{
  const guint8 *p;

  if (offset > tiff->size || tiff->size - offset < 4)
    return FALSE;

  p = tiff->data + offset;
  if (tiff->big_endian)
    *value = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
  else
    *value = (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
  return TRUE;
}

/* The entry for @tag in the IFD at @ifd_offset: its type, count and the
 * offset of its value (which sits in the entry when it fits in 4 bytes). */
static gboolean
find_entry (const Tiff *tiff,
            guint32     ifd_offset,
            guint       tag,
            guint      *type,
            guint32    *count,
            gsize      *value_offset)
{
  guint n_entries;

  if (!read_u16 (tiff, ifd_offset, &n_entries))
    return FALSE;

  for (guint i = 0; i < n_entries; i++)
    {
      gsize entry = (gsize) ifd_offset + 2 + (gsize) i * 12;
      guint entry_tag;
      guint32 offset;

      if (!read_u16 (tiff, entry, &entry_tag) || !read_u16 (tiff, entry + 2, type)
          || !read_u32 (tiff, entry + 4, count) || !read_u32 (tiff, entry + 8, &offset))
        return FALSE;

      if (entry_tag != tag)
        continue;

      /* Only byte-sized types matter here: UserComment is UNDEFINED. */
      *value_offset = *count <= 4 ? entry + 8 : offset;
      return TRUE;
    }

  return FALSE;
}

static char *
utf16_to_utf8 (const guint8 *data,
               gsize         size,
               gboolean      big_endian)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (gsize i = 0; i + 1 < size; i += 2)
    {
      gunichar c = big_endian ? (data[i] << 8 | data[i + 1]) : (data[i + 1] << 8 | data[i]);

      if (c >= 0xd800 && c <= 0xdbff && i + 3 < size)
        {
          gunichar low = big_endian ? (data[i + 2] << 8 | data[i + 3]) : (data[i + 3] << 8 | data[i + 2]);

          if (low >= 0xdc00 && low <= 0xdfff)
            {
              c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
              i += 2;
            }
        }
      if (c >= 0xd800 && c <= 0xdfff)
        c = 0xfffd;
      if (c == 0)
        break;
      g_string_append_unichar (out, c);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* piexif writes UTF-16 big endian whatever the TIFF's byte order; other
 * writers follow the TIFF's. A byte-order mark decides first, then which
 * bytes are mostly zero (the high bytes of ASCII). */
static gboolean
utf16_is_big_endian (const guint8 **data,
                     gsize         *size,
                     gboolean       tiff_big_endian)
{
  gsize zeros_first = 0, zeros_second = 0;

  if (*size >= 2 && (*data)[0] == 0xfe && (*data)[1] == 0xff)
    {
      *data += 2;
      *size -= 2;
      return TRUE;
    }
  if (*size >= 2 && (*data)[0] == 0xff && (*data)[1] == 0xfe)
    {
      *data += 2;
      *size -= 2;
      return FALSE;
    }

  for (gsize i = 0; i + 1 < *size; i += 2)
    {
      zeros_first += (*data)[i] == 0;
      zeros_second += (*data)[i + 1] == 0;
    }

  if (zeros_first != zeros_second)
    return zeros_first > zeros_second;

  return tiff_big_endian;
}

static char *
decode_user_comment (const guint8 *data,
                     gsize         size,
                     gboolean      tiff_big_endian)
{
  g_autofree char *text = NULL;

  if (size >= USER_COMMENT_CODE_SIZE && memcmp (data, "UNICODE\0", USER_COMMENT_CODE_SIZE) == 0)
    {
      const guint8 *utf16 = data + USER_COMMENT_CODE_SIZE;
      gsize utf16_size = size - USER_COMMENT_CODE_SIZE;
      gboolean big_endian = utf16_is_big_endian (&utf16, &utf16_size, tiff_big_endian);

      text = utf16_to_utf8 (utf16, utf16_size, big_endian);
    }
  else
    {
      /* ASCII, undefined (eight zeros), or no code at all: A1111 then
       * reads the bytes as UTF-8 too. */
      if (size >= USER_COMMENT_CODE_SIZE
          && (memcmp (data, "ASCII\0\0\0", USER_COMMENT_CODE_SIZE) == 0
              || memcmp (data, "\0\0\0\0\0\0\0\0", USER_COMMENT_CODE_SIZE) == 0))
        {
          data += USER_COMMENT_CODE_SIZE;
          size -= USER_COMMENT_CODE_SIZE;
        }
      text = g_utf8_make_valid ((const char *) data, strnlen ((const char *) data, size));
    }

  /* Cameras fill the field with spaces. */
  if (*g_strstrip (text) == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

/**
 * tessera_image_exif_user_comment:
 * @data: an EXIF block: a TIFF header and its IFDs, after "Exif\0\0" or not
 * @size: the size of @data
 *
 * Returns: (transfer full) (nullable): the UserComment in UTF-8, or %NULL
 *   when there is none (or only spaces)
 */
char *
tessera_image_exif_user_comment (const guint8 *data,
                                 gsize         size)
{
  Tiff tiff;
  guint magic, type;
  guint32 ifd0, exif_ifd, count;
  gsize value_offset;

  if (size >= EXIF_HEADER_SIZE && memcmp (data, EXIF_HEADER, EXIF_HEADER_SIZE) == 0)
    {
      data += EXIF_HEADER_SIZE;
      size -= EXIF_HEADER_SIZE;
    }

  if (size < 8 || !(memcmp (data, "MM", 2) == 0 || memcmp (data, "II", 2) == 0))
    return NULL;

  tiff = (Tiff) { data, size, data[0] == 'M' };
  if (!read_u16 (&tiff, 2, &magic) || magic != 42 || !read_u32 (&tiff, 4, &ifd0))
    return NULL;

  if (!find_entry (&tiff, ifd0, EXIF_TAG_EXIF_IFD, &type, &count, &value_offset)
      || !read_u32 (&tiff, value_offset, &exif_ifd))
    return NULL;

  if (!find_entry (&tiff, exif_ifd, EXIF_TAG_USER_COMMENT, &type, &count, &value_offset)
      || value_offset > size || size - value_offset < count)
    return NULL;

  return decode_user_comment (data + value_offset, count, tiff.big_endian);
}

static char *
jpeg_user_comment (const guint8 *data,
                   gsize         size)
{
  gsize pos = 2;

  while (pos + 4 <= size)
    {
      guint marker, length;

      if (data[pos] != 0xff)
        return NULL;
      marker = data[pos + 1];
      if (marker == 0xff)
        {
          pos++;
          continue;
        }

      /* Markers without a length; the image data starts at SOS. */
      if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8))
        {
          pos += 2;
          continue;
        }
      if (marker == 0xda || marker == 0xd9)
        return NULL;

      length = data[pos + 2] << 8 | data[pos + 3];
      if (length < 2 || size - pos - 2 < length)
        return NULL;

      if (marker == 0xe1 && length - 2 >= EXIF_HEADER_SIZE
          && memcmp (data + pos + 4, EXIF_HEADER, EXIF_HEADER_SIZE) == 0)
        return tessera_image_exif_user_comment (data + pos + 4, length - 2);

      pos += 2 + length;
    }

  return NULL;
}

static char *
webp_user_comment (const guint8 *data,
                   gsize         size)
{
  gsize pos = 12;

  while (pos + 8 <= size)
    {
      guint32 chunk_size = (guint32) data[pos + 7] << 24 | (guint32) data[pos + 6] << 16
                           | (guint32) data[pos + 5] << 8 | data[pos + 4];

      if (size - pos - 8 < chunk_size)
        return NULL;

      if (memcmp (data + pos, "EXIF", 4) == 0)
        return tessera_image_exif_user_comment (data + pos + 8, chunk_size);

      pos += 8 + (gsize) chunk_size + (chunk_size & 1);
    }

  return NULL;
}

/**
 * tessera_image_read_user_comment:
 * @data: the start of a JPEG file, or a whole WebP file
 * @size: the size of @data
 *
 * Returns: (transfer full) (nullable): the file's EXIF UserComment in
 *   UTF-8, or %NULL when it has none or is in another format
 */
char *
tessera_image_read_user_comment (const guint8 *data,
                                 gsize         size)
{
  if (size >= 2 && data[0] == 0xff && data[1] == 0xd8)
    return jpeg_user_comment (data, size);

  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return webp_user_comment (data, size);

  return NULL;
}
