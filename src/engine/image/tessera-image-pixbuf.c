/* tessera-image-pixbuf.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image-pixbuf"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "core/tessera-error.h"
#include "tessera-image-private.h"

typedef struct
{
  const char *name;
  GError     *error;
} SizeCheck;

static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  SizeCheck       *check)
{
  /* A size of 0×0 makes every loader stop before it allocates the pixels. */
  if (check->error == NULL && !tessera_image_check_size (width, height, check->name, &check->error))
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

static void
set_pixbuf_error (GError      **error,
                  const char   *name,
                  const GError *pixbuf_error)
{
  if (pixbuf_error->domain == GDK_PIXBUF_ERROR)
    {
      switch (pixbuf_error->code)
        {
        case GDK_PIXBUF_ERROR_UNKNOWN_TYPE:
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                       _("%s: not an image, or in a format this system cannot read"), name);
          return;
        case GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY:
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                       _("%s: not enough memory to read the image"), name);
          return;
        default:
          break;
        }
    }

  if (pixbuf_error->domain == G_IO_ERROR)
    g_set_error (error, pixbuf_error->domain, pixbuf_error->code, "%s: %s", name, pixbuf_error->message);
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                 _("%s: damaged image (%s)"), name, pixbuf_error->message);
}

/* Some loaders (TIFF) add an alpha channel to every image: an opaque one
 * carries nothing, and would only make the output larger. */
static gboolean
is_opaque (GdkPixbuf *pixbuf)
{
  guint width = gdk_pixbuf_get_width (pixbuf);
  guint height = gdk_pixbuf_get_height (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      if (pixels[y * stride + x * 4 + 3] != 255)
        return FALSE;

  return TRUE;
}

static TesseraImage *
image_from_pixbuf (GdkPixbuf  *pixbuf,
                   GError    **error)
{
  g_autoptr(TesseraImage) image = NULL;
  guint width = gdk_pixbuf_get_width (pixbuf);
  guint height = gdk_pixbuf_get_height (pixbuf);
  guint channels = gdk_pixbuf_get_n_channels (pixbuf);
  gsize stride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf) && !is_opaque (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  const char *icc_base64;
  float *planes[4];

  image = tessera_image_new (width, height, alpha, error);
  if (image == NULL)
    return NULL;

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    planes[c] = tessera_image_get_plane (image, c);

  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = pixels + y * stride;

      for (guint x = 0; x < width; x++)
        for (guint c = 0; c < (alpha ? 4u : 3u); c++)
          planes[c][(gsize) y * width + x] = tessera_u8_to_float[row[x * channels + c]];
    }

  icc_base64 = gdk_pixbuf_get_option (pixbuf, "icc-profile");
  if (icc_base64 != NULL)
    {
      gsize size = 0;
      guchar *data = g_base64_decode (icc_base64, &size);
      g_autoptr(GBytes) bytes = g_bytes_new_take (data, size);

      if (size > 0)
        tessera_image_set_icc_profile (image, bytes);
    }

  return g_steal_pointer (&image);
}

/**
 * tessera_image_new_from_pixbuf:
 *
 * The pixels of @pixbuf as an image, as files read through GdkPixbuf
 * come: 8 bits, alpha only where some pixel is not opaque, the ICC
 * profile kept.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL when it is too
 *   large
 */
TesseraImage *
tessera_image_new_from_pixbuf (GdkPixbuf  *pixbuf,
                               GError    **error)
{
  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);

  return image_from_pixbuf (pixbuf, error);
}

/* JPEG's EXIF comes before the image data, in the first segments;
 * WebP's EXIF chunk comes after it, so a WebP file is kept whole (WebP
 * images are at most 16383 pixels a side). */
#define JPEG_METADATA_BYTES (1 << 20)

static void
keep_metadata_bytes (GByteArray   *head,
                     const guint8 *data,
                     gsize         size)
{
  gboolean webp = head->len >= 12 && memcmp (head->data + 8, "WEBP", 4) == 0;

  if (webp || head->len < 12)
    g_byte_array_append (head, data, size);
  else if (head->len < JPEG_METADATA_BYTES)
    g_byte_array_append (head, data, MIN (size, JPEG_METADATA_BYTES - head->len));
}

TesseraImage *
tessera_image_load_pixbuf (GInputStream  *stream,
                           const char    *name,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buffer = g_malloc (1 << 16);
  g_autoptr(GByteArray) head = g_byte_array_new ();
  g_autofree char *comment = NULL;
  SizeCheck check = { name, NULL };
  GdkPixbuf *pixbuf;
  gboolean ok = TRUE;
  TesseraImage *image;

  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);

  while (ok)
    {
      gssize n_read = g_input_stream_read (stream, buffer, 1 << 16, cancellable, &local_error);

      if (n_read <= 0)
        {
          ok = n_read == 0;
          break;
        }

      keep_metadata_bytes (head, buffer, n_read);
      ok = gdk_pixbuf_loader_write (loader, buffer, n_read, &local_error) && check.error == NULL;
    }

  /* Always close: a loader finalized open warns. The first error wins. */
  if (!gdk_pixbuf_loader_close (loader, local_error ? NULL : &local_error))
    ok = FALSE;

  if (check.error != NULL)
    {
      g_propagate_error (error, check.error);
      return NULL;
    }

  if (!ok)
    {
      if (local_error == NULL)
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: damaged image"), name);
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_pixbuf_error (error, name, local_error);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the file holds no image data"), name);
      return NULL;
    }

  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (oriented == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory to rotate the image"), name);
      return NULL;
    }

  image = image_from_pixbuf (oriented, error);
  if (image == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  /* PNG's registered keyword for free text, so that a PNG written from
   * the image keeps it. */
  comment = tessera_image_read_user_comment (head->data, head->len);
  if (comment != NULL)
    tessera_image_set_text (image, "Comment", comment);

  return image;
}

typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
} SaveTarget;

static gboolean
write_to_stream (const char  *data,
                 gsize        size,
                 GError     **error,
                 gpointer     user_data)
{
  SaveTarget *target = user_data;

  return g_output_stream_write_all (target->stream, data, size, NULL, target->cancellable, error);
}

gboolean
tessera_image_save_pixbuf (TesseraImage        *self,
                           GOutputStream       *stream,
                           TesseraImageFormat   format,
                           int                  quality,
                           const char          *name,
                           GCancellable        *cancellable,
                           GError             **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *quality_text = NULL;
  g_autofree char *icc_base64 = NULL;
  const char *keys[3] = { NULL };
  char *values[3] = { NULL };
  guint width = tessera_image_get_width (self);
  guint height = tessera_image_get_height (self);
  gboolean has_alpha = tessera_image_get_has_alpha (self);
  gboolean keep_alpha = has_alpha && format != TESSERA_IMAGE_FORMAT_JPEG;
  guint channels = keep_alpha ? 4 : 3;
  const char *type = format == TESSERA_IMAGE_FORMAT_JPEG ? "jpeg" : "webp";
  guint max_side = format == TESSERA_IMAGE_FORMAT_JPEG ? 65500 : 16383;
  const float *planes[4] = { NULL };
  GBytes *profile;
  SaveTarget target = { stream, cancellable };
  guint8 *pixels;
  gsize stride;
  guint n_options = 0;

  if (width > max_side || height > max_side)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                   _("%s: %s images can be at most %u pixels per side, this one is %u×%u"),
                   name, format == TESSERA_IMAGE_FORMAT_JPEG ? "JPEG" : "WebP",
                   max_side, width, height);
      return FALSE;
    }

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, keep_alpha, 8, width, height);
  if (pixbuf == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory to encode the image"), name);
      return FALSE;
    }

  for (guint c = 0; c < (has_alpha ? 4u : 3u); c++)
    planes[c] = tessera_image_get_plane (self, c);

  pixels = gdk_pixbuf_get_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (guint y = 0; y < height; y++)
    {
      guint8 *row = pixels + y * stride;

      for (guint x = 0; x < width; x++)
        {
          gsize i = (gsize) y * width + x;

          for (guint c = 0; c < 3; c++)
            {
              float v = planes[c][i];

              /* JPEG has no alpha: put the image on white. */
              if (has_alpha && !keep_alpha)
                {
                  float a = CLAMP (planes[3][i], 0.f, 1.f);
                  v = v * a + (1.f - a);
                }
              row[x * channels + c] = tessera_float_to_u8 (v);
            }
          if (keep_alpha)
            row[x * channels + 3] = tessera_float_to_u8 (planes[3][i]);
        }
    }

  quality_text = g_strdup_printf ("%d", CLAMP (quality, 1, 100));
  keys[n_options] = "quality";
  values[n_options++] = quality_text;

  profile = tessera_image_get_icc_profile (self);
  if (profile != NULL)
    {
      icc_base64 = g_base64_encode (g_bytes_get_data (profile, NULL), g_bytes_get_size (profile));
      keys[n_options] = "icc-profile";
      values[n_options++] = icc_base64;
    }

  if (!gdk_pixbuf_save_to_callbackv (pixbuf, write_to_stream, &target, type,
                                     (char **) keys, values, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return FALSE;
    }

  return TRUE;
}
