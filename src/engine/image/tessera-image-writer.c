/* tessera-image-writer.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image-writer"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <tiffio.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "tessera-image-private.h"
#include "tessera-image-writer-private.h"

/* Past this many bytes of samples a classic TIFF's 32-bit offsets may not
 * reach the end, compressed or not: the file is a BigTIFF. */
#define CLASSIC_TIFF_MAX (G_GUINT64_CONSTANT (4000) << 20)

/* Strips of about this many bytes: deflate works on larger runs than a
 * row, and a reader finds its rows in a short strip table. */
#define STRIP_BYTES (1u << 20)

struct _TesseraImageWriter
{
  TesseraImageFormat   format;
  TesseraOutputFile   *output;
  char                *name;
  GCancellable        *cancellable;
  guint                width;
  guint                height;
  guint                channels;
  guint                depth;
  guint                y;           /* rows received */
  gsize                row_bytes;
  guint8              *row;

  TesseraPngRowWriter *png;
  TesseraImage        *trailing;    /* text for after a PNG's pixels */

  GOutputStream       *raw;         /* tessera_image_writer_open_raw()'s file */
  float               *raw_row;

  TIFF                *tiff;
  char                 tiff_message[256];
  guint                tile;        /* TIFF tile side, 0 for strips */
  guint8              *tile_rows;   /* a tile's height of rows */
  guint8              *tile_buffer;
};

static tmsize_t
tiff_read (thandle_t handle,
           void     *data,
           tmsize_t  size)
{
  return read (GPOINTER_TO_INT (handle), data, size);
}

static tmsize_t
tiff_write (thandle_t handle,
            void     *data,
            tmsize_t  size)
{
  tmsize_t done = 0;

  while (done < size)
    {
      ssize_t n = write (GPOINTER_TO_INT (handle), (const char *) data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return done > 0 ? done : -1;
      done += n;
    }
  return done;
}

static toff_t
tiff_seek (thandle_t handle,
           toff_t    offset,
           int       whence)
{
  return lseek (GPOINTER_TO_INT (handle), (off_t) offset, whence);
}

static int
tiff_close (thandle_t handle)
{
  /* The output file owns the descriptor. */
  return 0;
}

static toff_t
tiff_size (thandle_t handle)
{
  struct stat st;

  return fstat (GPOINTER_TO_INT (handle), &st) == 0 ? (toff_t) st.st_size : 0;
}

static int
tiff_map (thandle_t  handle,
          void     **base,
          toff_t    *size)
{
  return 0;
}

static void
tiff_unmap (thandle_t  handle,
            void      *base,
            toff_t     size)
{
}

/* libtiff's errors, kept for the GError; its warnings only in the debug log. */
static int
on_tiff_error (TIFF       *tiff,
               void       *user_data,
               const char *module,
               const char *format,
               va_list     args)
{
  TesseraImageWriter *self = user_data;

  g_vsnprintf (self->tiff_message, sizeof self->tiff_message, format, args);
  return 1;
}

static int
on_tiff_warning (TIFF       *tiff,
                 void       *user_data,
                 const char *module,
                 const char *format,
                 va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_debug ("libtiff: %s: %s", module, message);
  return 1;
}

static void
set_tiff_error (TesseraImageWriter  *self,
                GError             **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("%s: cannot write the TIFF file (%s)"), self->name,
               self->tiff_message[0] != '\0' ? self->tiff_message : g_strerror (errno));
}

static gboolean
open_tiff (TesseraImageWriter               *self,
           TesseraImage                     *metadata,
           const TesseraImageWriterOptions  *options,
           GError                          **error)
{
  int fd = tessera_output_file_get_fd (self->output);
  guint64 bytes = (guint64) self->row_bytes * self->height;
  gboolean alpha = self->channels == 2 || self->channels == 4;
  GBytes *profile = tessera_image_get_icc_profile (metadata);
  const char *description = tessera_image_get_text (metadata, "tessera");
  TIFFOpenOptions *open_options = TIFFOpenOptionsAlloc ();

  TIFFOpenOptionsSetErrorHandlerExtR (open_options, on_tiff_error, self);
  TIFFOpenOptionsSetWarningHandlerExtR (open_options, on_tiff_warning, self);
  self->tiff = TIFFClientOpenExt (self->name, bytes > CLASSIC_TIFF_MAX ? "w8" : "w", GINT_TO_POINTER (fd),
                                  tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size, tiff_map, tiff_unmap,
                                  open_options);
  TIFFOpenOptionsFree (open_options);
  if (self->tiff == NULL)
    {
      set_tiff_error (self, error);
      return FALSE;
    }

  TIFFSetField (self->tiff, TIFFTAG_IMAGEWIDTH, (guint32) self->width);
  TIFFSetField (self->tiff, TIFFTAG_IMAGELENGTH, (guint32) self->height);
  TIFFSetField (self->tiff, TIFFTAG_BITSPERSAMPLE, (guint16) self->depth);
  TIFFSetField (self->tiff, TIFFTAG_SAMPLESPERPIXEL, (guint16) self->channels);
  TIFFSetField (self->tiff, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_UINT);
  TIFFSetField (self->tiff, TIFFTAG_PHOTOMETRIC, self->channels <= 2 ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_RGB);
  TIFFSetField (self->tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField (self->tiff, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  TIFFSetField (self->tiff, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  /* Differences from the left neighbour deflate far better than samples. */
  TIFFSetField (self->tiff, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
  if (options->compression >= 0)
    TIFFSetField (self->tiff, TIFFTAG_ZIPQUALITY, MAX (1, MIN (options->compression, 9)));
  if (alpha)
    {
      guint16 extra = EXTRASAMPLE_UNASSALPHA;

      TIFFSetField (self->tiff, TIFFTAG_EXTRASAMPLES, 1, &extra);
    }
  TIFFSetField (self->tiff, TIFFTAG_SOFTWARE, "Tessera " PACKAGE_VERSION);
  if (description != NULL)
    TIFFSetField (self->tiff, TIFFTAG_IMAGEDESCRIPTION, description);
  if (profile != NULL)
    TIFFSetField (self->tiff, TIFFTAG_ICCPROFILE, (guint32) g_bytes_get_size (profile),
                  g_bytes_get_data (profile, NULL));

  if (self->tile > 0)
    {
      TIFFSetField (self->tiff, TIFFTAG_TILEWIDTH, (guint32) self->tile);
      TIFFSetField (self->tiff, TIFFTAG_TILELENGTH, (guint32) self->tile);
      self->tile_rows = g_try_malloc0_n ((gsize) self->tile, self->row_bytes);
      self->tile_buffer = g_try_malloc0 (TIFFTileSize (self->tiff));
      if (self->tile_rows == NULL || self->tile_buffer == NULL)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                       _("%s: not enough memory for a row of %u-pixel TIFF tiles"), self->name, self->tile);
          return FALSE;
        }
    }
  else
    {
      guint32 rows = CLAMP (STRIP_BYTES / self->row_bytes, 1, self->height);

      TIFFSetField (self->tiff, TIFFTAG_ROWSPERSTRIP, rows);
    }
  return TRUE;
}

/* Writes the tiles of the rows held: a tile's height, or the last rows. */
static gboolean
write_tile_row (TesseraImageWriter  *self,
                guint                top,
                guint                n_rows,
                GError             **error)
{
  gsize pixel = self->row_bytes / self->width;
  gsize tile_row = (gsize) self->tile * pixel;

  for (guint x = 0; x < self->width; x += self->tile)
    {
      gsize n = (gsize) MIN (self->tile, self->width - x) * pixel;

      /* The parts of edge tiles outside the image stay zero. */
      memset (self->tile_buffer, 0, tile_row * self->tile);
      for (guint y = 0; y < n_rows; y++)
        memcpy (self->tile_buffer + y * tile_row, self->tile_rows + y * self->row_bytes + x * pixel, n);
      if (TIFFWriteTile (self->tiff, self->tile_buffer, x, top, 0, 0) < 0)
        {
          set_tiff_error (self, error);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * tessera_image_writer_open:
 * @metadata: an image whose text, ICC profile and colour tags go into
 *   the file, and whose alpha and grayscale the file takes (its pixels
 *   are not read)
 *
 * Opens a temporary file beside @file and writes the header of a
 * @width × @height image: grayscale and alpha as @metadata has them.
 */
TesseraImageWriter *
tessera_image_writer_open (GFile                            *file,
                           TesseraImageFormat                format,
                           guint                             width,
                           guint                             height,
                           TesseraImage                     *metadata,
                           const TesseraImageWriterOptions  *options,
                           GCancellable                     *cancellable,
                           GError                          **error)
{
  g_autoptr(TesseraImageWriter) self = g_new0 (TesseraImageWriter, 1);
  gboolean gray = tessera_image_get_grayscale (metadata);
  gboolean alpha = tessera_image_get_has_alpha (metadata);

  g_return_val_if_fail (options->depth == 8 || options->depth == 16, NULL);

  self->format = format;
  self->name = tessera_file_dup_display_name (file);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->width = width;
  self->height = height;
  self->depth = options->depth;
  self->channels = (gray ? 1 : 3) + (alpha ? 1 : 0);
  self->row_bytes = (gsize) width * self->channels * (self->depth / 8);
  self->tile = format == TESSERA_IMAGE_FORMAT_TIFF ? options->tiff_tile : 0;

  switch (format)
    {
    case TESSERA_IMAGE_FORMAT_PNG:
    case TESSERA_IMAGE_FORMAT_TIFF:
      break;
    case TESSERA_IMAGE_FORMAT_JPEG:
    case TESSERA_IMAGE_FORMAT_WEBP:
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: images too large for memory are written as PNG or TIFF only"), self->name);
      return NULL;
    }

  self->row = g_try_malloc (self->row_bytes);
  if (self->row == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory for a row of %u pixels"), self->name, width);
      return NULL;
    }

  self->output = tessera_output_file_open (file, error);
  if (self->output == NULL)
    return NULL;

  if (format == TESSERA_IMAGE_FORMAT_PNG)
    {
      self->png = tessera_png_row_writer_new (tessera_output_file_get_stream (self->output), self->name, metadata,
                                              width, height, self->depth, self->channels, options->compression,
                                              cancellable, error);
      if (self->png == NULL)
        return NULL;
    }
  else if (!open_tiff (self, metadata, options, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tessera_image_writer_open_raw:
 *
 * Opens @file, replacing it, for the rows of a @width × @height image
 * with alpha or not as plain floats, each row plane after plane: an
 * upscale's pass between passes, read back by
 * tessera_image_reader_open_raw() with nothing rounded. Values are
 * clamped to [0, 1], as between passes in memory. There is no temporary
 * file: the caller removes @file.
 */
TesseraImageWriter *
tessera_image_writer_open_raw (GFile         *file,
                               guint          width,
                               guint          height,
                               gboolean       has_alpha,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(TesseraImageWriter) self = g_new0 (TesseraImageWriter, 1);
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  self->name = tessera_file_dup_display_name (file);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->width = width;
  self->height = height;
  self->channels = has_alpha ? 4 : 3;
  self->raw_row = g_try_malloc_n (width, sizeof (float));
  if (self->raw_row == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory for a row of %u pixels"), self->name, width);
      return NULL;
    }
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, &local_error);
  if (stream == NULL)
    {
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }
  self->raw = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (stream), 1 << 20);
  return g_steal_pointer (&self);
}

static gboolean
write_raw_rows (TesseraImageWriter  *self,
                const float * const *planes,
                gsize                stride,
                guint                n_rows,
                GError             **error)
{
  for (guint i = 0; i < n_rows; i++, self->y++)
    for (guint c = 0; c < self->channels; c++)
      {
        const float *row = planes[c] + i * stride;

        for (guint x = 0; x < self->width; x++)
          self->raw_row[x] = CLAMP (row[x], 0.f, 1.f);
        if (!g_output_stream_write_all (self->raw, self->raw_row, self->width * sizeof (float), NULL,
                                        self->cancellable, error))
          {
            g_prefix_error (error, "%s: ", self->name);
            return FALSE;
          }
      }
  return TRUE;
}

/**
 * tessera_image_writer_write_rows:
 * @planes: the first row's planes (R, G, B, and alpha in plane 3; gray
 *   images read plane 0); values are clamped to [0, 1]
 * @stride: floats from one row to the next
 *
 * Writes the next @n_rows rows.
 */
gboolean
tessera_image_writer_write_rows (TesseraImageWriter  *self,
                                 const float * const *planes,
                                 gsize                stride,
                                 guint                n_rows,
                                 GError             **error)
{
  g_return_val_if_fail (self->y + n_rows <= self->height, FALSE);

  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    return FALSE;
  if (self->raw != NULL)
    return write_raw_rows (self, planes, stride, n_rows, error);

  for (guint i = 0; i < n_rows; i++, self->y++)
    {
      guint8 *row = self->row;

      if (self->tile > 0)
        row = self->tile_rows + (self->y % self->tile) * self->row_bytes;
      tessera_image_pack_row (planes, i * stride, self->width, self->channels, self->depth, row);

      if (self->png != NULL)
        {
          if (!tessera_png_row_writer_write (self->png, row, error))
            return FALSE;
        }
      else if (self->tile > 0)
        {
          guint held = self->y % self->tile + 1;

          if ((held == self->tile || self->y + 1 == self->height) &&
              !write_tile_row (self, self->y + 1 - held, held, error))
            return FALSE;
        }
      else if (TIFFWriteScanline (self->tiff, row, self->y, 0) < 0)
        {
          set_tiff_error (self, error);
          return FALSE;
        }
    }
  return TRUE;
}

/* Text chunks for after the pixels of a PNG, as a PNG read row by row
 * finds them after its own: only the PNG writer keeps them. */
void
tessera_image_writer_set_trailing (TesseraImageWriter *self,
                                   TesseraImage       *texts)
{
  g_set_object (&self->trailing, texts);
}

/* Ends the file and renames it over the target. */
gboolean
tessera_image_writer_finish (TesseraImageWriter  *self,
                             GError             **error)
{
  g_return_val_if_fail (self->y == self->height, FALSE);

  if (self->raw != NULL)
    {
      if (g_output_stream_close (self->raw, self->cancellable, error))
        return TRUE;
      g_prefix_error (error, "%s: ", self->name);
      return FALSE;
    }
  if (self->png != NULL && !tessera_png_row_writer_end (self->png, self->trailing, error))
    return FALSE;
  if (self->tiff != NULL)
    {
      gboolean ok = TIFFWriteDirectory (self->tiff) != 0;

      TIFFClose (g_steal_pointer (&self->tiff));
      if (!ok)
        {
          set_tiff_error (self, error);
          return FALSE;
        }
    }
  return tessera_output_file_commit (self->output, self->cancellable, error);
}

void
tessera_image_writer_free (TesseraImageWriter *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->png, tessera_png_row_writer_free);
  g_clear_pointer (&self->tiff, TIFFClose);
  /* Unless committed, the temporary file goes with it. */
  g_clear_pointer (&self->output, tessera_output_file_free);
  g_clear_object (&self->raw);
  g_clear_object (&self->trailing);
  g_clear_object (&self->cancellable);
  g_free (self->raw_row);
  g_free (self->row);
  g_free (self->tile_rows);
  g_free (self->tile_buffer);
  g_free (self->name);
  g_free (self);
}
