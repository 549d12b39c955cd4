/* tessera-image-reader.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image-reader"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "tessera-image-private.h"
#include "tessera-image-reader-private.h"

struct _TesseraImageReader
{
  GInputStream        *stream;
  TesseraPngRowReader *png;
  TesseraImage        *whole;  /* a file read whole, else NULL */
  gboolean             raw;    /* tessera_image_reader_open_raw()'s floats */
  char                *name;
  TesseraImage        *info;
  guint                width;
  guint                height;
  guint                y;
};

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* The file, buffered, with its size (-1 when unknown) and whether it is a PNG. */
static GInputStream *
open_stream (GFile         *file,
             const char    *name,
             goffset       *size,
             gboolean      *is_png,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *head;
  gsize n_head;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  *size = info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE)
          ? g_file_info_get_size (info) : -1;

  buffered = g_buffered_input_stream_new_sized (G_INPUT_STREAM (stream), 1 << 16);
  if (g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (buffered), sizeof png_signature,
                                    cancellable, &local_error) < 0)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return NULL;
    }
  head = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (buffered), &n_head);
  *is_png = n_head >= sizeof png_signature && memcmp (head, png_signature, sizeof png_signature) == 0;
  return g_steal_pointer (&buffered);
}

/**
 * tessera_image_reader_open:
 *
 * Opens @file for reading rows. Errors name the file; one too large to
 * decode whole says so.
 */
TesseraImageReader *
tessera_image_reader_open (GFile         *file,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(TesseraImageReader) self = g_new0 (TesseraImageReader, 1);
  g_autofree char *name = tessera_file_dup_display_name (file);
  g_autoptr(GError) local_error = NULL;
  goffset size;
  gboolean is_png;

  self->stream = open_stream (file, name, &size, &is_png, cancellable, error);
  if (self->stream == NULL)
    return NULL;

  if (is_png)
    {
      self->png = tessera_png_row_reader_new (self->stream, size, name, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (self->png != NULL)
        {
          self->info = g_object_ref (tessera_png_row_reader_get_info (self->png));
          /* The reader knows its size; the info image is 1×1. */
          return g_steal_pointer (&self);
        }
      /* Interlaced: from the start again, whole. */
      g_clear_object (&self->stream);
      self->stream = open_stream (file, name, &size, &is_png, cancellable, error);
      if (self->stream == NULL)
        return NULL;
    }

  self->whole = tessera_image_load_stream (self->stream, name, cancellable, &local_error);
  if (self->whole == NULL)
    {
      if (g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY))
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                     _("%s: too large to decode in memory (%s); only non-interlaced PNG inputs are read "
                       "row by row"), name, local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  self->width = tessera_image_get_width (self->whole);
  self->height = tessera_image_get_height (self->whole);
  self->info = g_object_ref (self->whole);
  return g_steal_pointer (&self);
}

/**
 * tessera_image_reader_open_raw:
 *
 * Opens a file tessera_image_writer_open_raw() wrote, a @width × @height
 * image with alpha or not, for reading rows. The info image has no
 * metadata.
 */
TesseraImageReader *
tessera_image_reader_open_raw (GFile         *file,
                               guint          width,
                               guint          height,
                               gboolean       has_alpha,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(TesseraImageReader) self = g_new0 (TesseraImageReader, 1);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }
  self->stream = g_buffered_input_stream_new_sized (G_INPUT_STREAM (stream), 1 << 20);
  self->raw = TRUE;
  self->name = tessera_file_dup_display_name (file);
  self->width = width;
  self->height = height;
  self->info = tessera_image_new (1, 1, has_alpha, error);
  if (self->info == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

guint
tessera_image_reader_get_width (TesseraImageReader *self)
{
  return self->png == NULL ? self->width : tessera_png_row_reader_get_width (self->png);
}

guint
tessera_image_reader_get_height (TesseraImageReader *self)
{
  return self->png == NULL ? self->height : tessera_png_row_reader_get_height (self->png);
}

/* An image with the file's alpha, bit depth, grayscale and metadata;
 * its pixels are not the file's. */
TesseraImage *
tessera_image_reader_get_info (TesseraImageReader *self)
{
  return self->info;
}

/* Reads the next @n_rows rows into @planes (3, or 4 with alpha), one row
 * @stride floats after the other. */
gboolean
tessera_image_reader_read_rows (TesseraImageReader  *self,
                                float * const       *planes,
                                gsize                stride,
                                guint                n_rows,
                                GError             **error)
{
  guint n_planes = tessera_image_get_has_alpha (self->info) ? 4 : 3;

  for (guint i = 0; i < n_rows; i++, self->y++)
    {
      if (self->png != NULL)
        {
          if (!tessera_png_row_reader_read (self->png, planes, i * stride, error))
            return FALSE;
          continue;
        }
      if (self->raw)
        {
          for (guint c = 0; c < n_planes; c++)
            {
              gsize bytes = self->width * sizeof (float), got = 0;

              if (!g_input_stream_read_all (self->stream, planes[c] + i * stride, bytes, &got, NULL, error))
                {
                  g_prefix_error (error, "%s: ", self->name);
                  return FALSE;
                }
              if (got != bytes)
                {
                  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                               _("%s: the file ends before its last row"), self->name);
                  return FALSE;
                }
            }
          continue;
        }
      for (guint c = 0; c < n_planes; c++)
        memcpy (planes[c] + i * stride, tessera_image_get_plane (self->whole, c) + (gsize) self->y * self->width,
                self->width * sizeof (float));
    }
  return TRUE;
}

/* An image with the text chunks a PNG read row by row has after its
 * pixels, once every row is read; %NULL before, and for a file read
 * whole, whose info has all its text. */
TesseraImage *
tessera_image_reader_get_trailing (TesseraImageReader *self)
{
  return self->png != NULL ? tessera_png_row_reader_get_trailing (self->png) : NULL;
}

void
tessera_image_reader_free (TesseraImageReader *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->png, tessera_png_row_reader_free);
  g_clear_object (&self->whole);
  g_clear_object (&self->info);
  g_clear_object (&self->stream);
  g_free (self->name);
  g_free (self);
}

/* The size of the image in @file from its header: a PNG's own, else
 * GdkPixbuf's (which does not tell alpha: it is taken as there). */
gboolean
tessera_image_read_size (GFile    *file,
                         guint    *width,
                         guint    *height,
                         gboolean *has_alpha)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *name = tessera_file_dup_display_name (file);
  TesseraPngRowReader *png;
  goffset size;
  gboolean is_png;
  int w, h;

  stream = open_stream (file, name, &size, &is_png, NULL, NULL);
  if (stream == NULL)
    return FALSE;
  if (is_png)
    {
      png = tessera_png_row_reader_new (stream, size, name, NULL, NULL);
      if (png != NULL)
        {
          *width = tessera_png_row_reader_get_width (png);
          *height = tessera_png_row_reader_get_height (png);
          *has_alpha = tessera_image_get_has_alpha (tessera_png_row_reader_get_info (png));
          tessera_png_row_reader_free (png);
          return TRUE;
        }
    }
  if (g_file_peek_path (file) == NULL || gdk_pixbuf_get_file_info (g_file_peek_path (file), &w, &h) == NULL)
    return FALSE;
  *width = w;
  *height = h;
  *has_alpha = TRUE;
  return TRUE;
}
