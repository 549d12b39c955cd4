/* tessera-stream.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-stream"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-stream-private.h"

/* About this many bytes of output floats per band of a classic filter:
 * enough rows for every thread, few enough to stay far below memory. */
#define RESAMPLE_BAND_BYTES (64u << 20)

void
tessera_row_window_init (TesseraRowWindow   *self,
                         TesseraImageReader *reader,
                         gboolean            premultiply)
{
  TesseraImage *info = tessera_image_reader_get_info (reader);

  *self = (TesseraRowWindow) { 0 };
  self->reader = reader;
  self->width = tessera_image_reader_get_width (reader);
  self->height = tessera_image_reader_get_height (reader);
  self->n_planes = tessera_image_get_has_alpha (info) ? 4 : 3;
  self->premultiply = premultiply && self->n_planes == 4;
}

void
tessera_row_window_clear (TesseraRowWindow *self)
{
  for (guint c = 0; c < G_N_ELEMENTS (self->planes); c++)
    g_clear_pointer (&self->planes[c], g_free);
  self->capacity = self->first = self->end = 0;
}

/* Reads rows into positions [@at, @at + @n) of the planes. */
static gboolean
read_rows (TesseraRowWindow  *self,
           guint              at,
           guint              n,
           GError           **error)
{
  float *planes[4] = { NULL };

  for (guint c = 0; c < self->n_planes; c++)
    planes[c] = self->planes[c] + (gsize) at * self->width;
  if (!tessera_image_reader_read_rows (self->reader, planes, self->width, n, error))
    return FALSE;

  /* As tessera_resample() premultiplies a whole image. */
  if (self->premultiply)
    for (guint c = 0; c < 3; c++)
      for (gsize i = 0; i < (gsize) n * self->width; i++)
        planes[c][i] = planes[c][i] * planes[3][i];
  return TRUE;
}

/**
 * tessera_row_window_hold:
 *
 * Makes the window hold input rows [@first, @end) (@end clipped to the
 * image), reading what is missing. @first never goes back up the image.
 */
gboolean
tessera_row_window_hold (TesseraRowWindow  *self,
                         guint              first,
                         guint              end,
                         GError           **error)
{
  guint kept;

  end = MIN (end, self->height);
  g_return_val_if_fail (first >= self->first && first <= end, FALSE);

  /* Rows above the band go; the rest move to the top. */
  kept = self->end > first ? self->end - first : 0;
  if (kept > 0 && first > self->first)
    for (guint c = 0; c < self->n_planes; c++)
      memmove (self->planes[c], self->planes[c] + (gsize) (first - self->first) * self->width,
               (gsize) kept * self->width * sizeof (float));

  if (end - first > self->capacity)
    {
      guint capacity = MAX (end - first, self->capacity * 5 / 4);

      for (guint c = 0; c < self->n_planes; c++)
        {
          float *grown = g_try_realloc_n (self->planes[c], (gsize) capacity * self->width, sizeof (float));

          if (grown == NULL)
            {
              g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for %u rows of %u pixels"), capacity, self->width);
              return FALSE;
            }
          self->planes[c] = grown;
        }
      self->capacity = capacity;
    }

  /* Rows between the last band and this one are read and let go. */
  while (self->end < first)
    {
      if (!read_rows (self, 0, 1, error))
        return FALSE;
      self->end++;
    }

  if (end > MAX (self->end, first) &&
      !read_rows (self, MAX (self->end, first) - first, end - MAX (self->end, first), error))
    return FALSE;

  self->first = first;
  self->end = MAX (self->end, end);
  return TRUE;
}

/**
 * tessera_stream_resample:
 *
 * A classic filter from @reader to @writer, band by band: every output
 * row as tessera_resample() computes it.
 */
gboolean
tessera_stream_resample (TesseraImageReader   *reader,
                         TesseraImageWriter   *writer,
                         guint                 out_width,
                         guint                 out_height,
                         TesseraFilter         filter,
                         GCancellable         *cancellable,
                         TesseraRowsDoneFunc   rows_done,
                         gpointer              user_data,
                         GError              **error)
{
  guint in_width = tessera_image_reader_get_width (reader);
  guint in_height = tessera_image_reader_get_height (reader);
  gboolean has_alpha = tessera_image_get_has_alpha (tessera_image_reader_get_info (reader));
  guint n_planes = has_alpha ? 4 : 3;
  /* Colour is filtered premultiplied when the size changes, as in tessera_resample(). */
  gboolean premultiplied = has_alpha && filter != TESSERA_FILTER_NEAREST &&
                           (in_width != out_width || in_height != out_height);
  g_autoptr(TesseraResampleRows) rows = tessera_resample_rows_new (in_width, in_height, out_width, out_height, filter);
  g_autofree float *band = NULL;
  TesseraRowWindow window;
  float *planes[4] = { NULL };
  guint band_rows;
  gboolean ok = TRUE;

  band_rows = CLAMP (RESAMPLE_BAND_BYTES / ((gsize) out_width * n_planes * sizeof (float)), 8, 1024);
  /* Tests ask for many small bands of a small image. */
  if (g_getenv ("TESSERA_STREAM_BAND_ROWS") != NULL)
    band_rows = CLAMP (g_ascii_strtoull (g_getenv ("TESSERA_STREAM_BAND_ROWS"), NULL, 10), 1, 1024);
  band_rows = MIN (band_rows, out_height);
  band = g_try_malloc_n ((gsize) band_rows * out_width * n_planes, sizeof (float));
  if (band == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for %u rows of %u pixels"), band_rows, out_width);
      return FALSE;
    }
  for (guint c = 0; c < n_planes; c++)
    planes[c] = band + (gsize) c * band_rows * out_width;

  tessera_row_window_init (&window, reader, premultiplied);
  for (guint y0 = 0; ok && y0 < out_height; y0 += band_rows)
    {
      guint y1 = MIN (y0 + band_rows, out_height);
      guint first, end;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }

      tessera_resample_rows_get_source (rows, y0, y1, &first, &end);
      ok = tessera_row_window_hold (&window, first, end, error);
      for (guint c = 0; ok && c < n_planes; c++)
        ok = tessera_resample_rows_run (rows, window.planes[c], window.first, planes[c], y0, y1, error);
      if (!ok)
        break;

      if (premultiplied)
        for (guint c = 0; c < 3; c++)
          for (gsize i = 0; i < (gsize) (y1 - y0) * out_width; i++)
            {
              float a = planes[3][i], v = a > 0.f ? planes[c][i] / a : 0.f;

              /* As tessera_resample()'s unpremultiply(), clamp included. */
              v = v < 0.f ? 0.f : v;
              planes[c][i] = a > 0.f ? (v > 1.f ? 1.f : v) : 0.f;
            }

      ok = tessera_image_writer_write_rows (writer, (const float * const *) planes, out_width, y1 - y0, error);
      if (ok && rows_done != NULL)
        rows_done (y1, out_height, user_data);
    }

  tessera_row_window_clear (&window);
  return ok;
}
