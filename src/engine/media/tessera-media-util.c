/* tessera-media-util.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-media"

#include "config.h"

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "core/tessera-error.h"
#include "image/tessera-image-private.h"
#include "tessera-media-private.h"

G_DEFINE_BOXED_TYPE (TesseraMediaOptions, tessera_media_options,
                     tessera_media_options_copy, tessera_media_options_free)

/**
 * tessera_media_options_new:
 *
 * Returns: (transfer full): options that keep the input's codec and the
 *   encoders' defaults, and process every frame
 */
TesseraMediaOptions *
tessera_media_options_new (void)
{
  TesseraMediaOptions *self = g_new0 (TesseraMediaOptions, 1);

  self->crf = -1;
  self->quality = 100;
  return self;
}

TesseraMediaOptions *
tessera_media_options_copy (const TesseraMediaOptions *self)
{
  TesseraMediaOptions *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->codec = g_strdup (self->codec);
  return copy;
}

void
tessera_media_options_free (TesseraMediaOptions *self)
{
  if (self == NULL)
    return;
  g_free (self->codec);
  g_free (self);
}

void
tessera_media_frame_free (TesseraMediaFrame *frame)
{
  if (frame == NULL)
    return;
  g_clear_object (&frame->image);
  g_clear_pointer (&frame->packets, g_ptr_array_unref);
  g_free (frame);
}

void
tessera_media_image_from_rgba (TesseraImage *image,
                               const guint8 *data,
                               gsize         stride,
                               guint         channels,
                               gboolean      sixteen_bits)
{
  guint width = tessera_image_get_width (image);
  guint height = tessera_image_get_height (image);
  guint planes = tessera_image_get_has_alpha (image) ? 4 : 3;

  tessera_image_init_tables ();
  for (guint c = 0; c < planes; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        {
          float *out = plane + (gsize) y * width;

          if (sixteen_bits)
            {
              const guint16 *row = (const guint16 *) (data + y * stride);

              for (guint x = 0; x < width; x++)
                out[x] = row[x * channels + c] / 65535.f;
            }
          else
            {
              const guint8 *row = data + y * stride;

              for (guint x = 0; x < width; x++)
                out[x] = tessera_u8_to_float[row[x * channels + c]];
            }
        }
    }
}

/* Opaque where @image has no alpha and @channels asks for it. */
void
tessera_media_image_to_rgba (TesseraImage *image,
                             guint8       *data,
                             gsize         stride,
                             guint         channels,
                             gboolean      sixteen_bits)
{
  guint width = tessera_image_get_width (image);
  guint height = tessera_image_get_height (image);
  gboolean has_alpha = tessera_image_get_has_alpha (image);

  for (guint c = 0; c < channels; c++)
    {
      const float *plane = c < 3 || has_alpha ? tessera_image_get_plane (image, c) : NULL;

      for (guint y = 0; y < height; y++)
        {
          const float *in = plane != NULL ? plane + (gsize) y * width : NULL;

          if (sixteen_bits)
            {
              guint16 *row = (guint16 *) (data + y * stride);

              for (guint x = 0; x < width; x++)
                row[x * channels + c] = in != NULL ? tessera_float_to_u16 (in[x]) : 65535;
            }
          else
            {
              guint8 *row = data + y * stride;

              for (guint x = 0; x < width; x++)
                row[x * channels + c] = in != NULL ? tessera_float_to_u8 (in[x]) : 255;
            }
        }
    }
}

/* FFmpeg's own words for @av_error end the message. */
void
tessera_media_set_av_error (GError     **error,
                            int          code,
                            int          av_error,
                            const char  *format,
                            ...)
{
  char reason[AV_ERROR_MAX_STRING_SIZE] = "";
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  av_strerror (av_error, reason, sizeof reason);
  g_set_error (error, TESSERA_ERROR, code, "%s: %s", message, reason);
}

/* FFmpeg speaks on stderr by default; its words go to the debug log, and
 * what matters reaches the caller as a GError. */
static void
log_to_glib (void       *object,
             int         level,
             const char *format,
             va_list     args)
{
  char line[1024];
  int print_prefix = 1;

  if (level > av_log_get_level ())
    return;
  av_log_format_line (object, level, format, args, line, sizeof line, &print_prefix);
  g_debug ("%s", g_strchomp (line));
}

void
tessera_media_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* FFmpeg's demuxers allocate what a file's headers ask for (an
       * APNG chunk's length, say): no buffer needs more than the largest
       * frame the engine takes, in 16-bit RGBA, and some room. */
      guint64 cap = TESSERA_IMAGE_MAX_PIXELS * 8 + 64 * 1024 * 1024;

      av_max_alloc ((size_t) MIN (cap, (guint64) G_MAXINT));
      av_log_set_callback (log_to_glib);
      g_once_init_leave (&initialized, 1);
    }
}
