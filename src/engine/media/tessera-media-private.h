/* tessera-media-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libavformat/avformat.h>

#include "tessera-media.h"

G_BEGIN_DECLS

/* A decoded frame on its way through the pipeline, with the packets of
 * the streams copied as they are (audio, subtitles) that the container
 * holds before it, so that the writer interleaves them as they came. The
 * reader's last frame has no image and carries the packets left. */
typedef struct
{
  TesseraImage *image;
  guint         index;      /* from 0 */
  gint64        pts;        /* in the reader's time base */
  gint64        duration;
  GPtrArray    *packets;    /* of AVPacket, owned */
} TesseraMediaFrame;

void               tessera_media_init                (void);
void               tessera_media_frame_free          (TesseraMediaFrame    *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraMediaFrame, tessera_media_frame_free)

TesseraMediaFrame *tessera_media_reader_next         (TesseraMediaReader   *self,
                                                      GError              **error);
AVRational         tessera_media_reader_get_time_base (TesseraMediaReader  *self);
const char        *tessera_media_reader_get_name     (TesseraMediaReader   *self);
/* %NULL for an animated WebP, which FFmpeg does not read. */
AVFormatContext   *tessera_media_reader_get_format   (TesseraMediaReader   *self);
int                tessera_media_reader_get_video_stream (TesseraMediaReader *self);
enum AVPixelFormat tessera_media_reader_get_pixel_format (TesseraMediaReader *self);

typedef struct _TesseraMediaWriter TesseraMediaWriter;

TesseraMediaWriter *tessera_media_writer_new         (GFile                     *file,
                                                      TesseraMediaReader        *source,
                                                      const TesseraMediaOptions *options,
                                                      guint                      width,
                                                      guint                      height,
                                                      gboolean                   has_alpha,
                                                      GError                   **error);
gboolean            tessera_media_writer_write       (TesseraMediaWriter        *self,
                                                      TesseraMediaFrame         *frame,
                                                      GError                   **error);
gboolean            tessera_media_writer_finish      (TesseraMediaWriter        *self,
                                                      GError                   **error);
void                tessera_media_writer_free        (TesseraMediaWriter        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraMediaWriter, tessera_media_writer_free)

/* A GIF's one palette: frames spooled while their colours are counted,
 * then dithered to it (tessera-media-palette.c). */
typedef struct _TesseraMediaPalette TesseraMediaPalette;

typedef gboolean (*TesseraMediaPaletteFunc) (AVFrame   *frame,
                                             guint      index,
                                             gpointer   user_data,
                                             GError   **error);

TesseraMediaPalette *tessera_media_palette_new   (const char               *path,
                                                  const char               *name,
                                                  guint                     width,
                                                  guint                     height,
                                                  AVRational                time_base,
                                                  GError                  **error);
gboolean             tessera_media_palette_add   (TesseraMediaPalette      *self,
                                                  TesseraImage             *image,
                                                  gint64                    pts,
                                                  gint64                    duration,
                                                  guint                     index,
                                                  GError                  **error);
gboolean             tessera_media_palette_remap (TesseraMediaPalette      *self,
                                                  TesseraMediaPaletteFunc   func,
                                                  gpointer                  user_data,
                                                  GError                  **error);
void                 tessera_media_palette_free  (TesseraMediaPalette      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraMediaPalette, tessera_media_palette_free)

/* Between the engine's float planes and 8- or 16-bit RGB(A) rows. */
void               tessera_media_image_from_rgba     (TesseraImage         *image,
                                                      const guint8         *data,
                                                      gsize                 stride,
                                                      guint                 channels,
                                                      gboolean              sixteen_bits);
void               tessera_media_image_to_rgba       (TesseraImage         *image,
                                                      guint8               *data,
                                                      gsize                 stride,
                                                      guint                 channels,
                                                      gboolean              sixteen_bits);
void               tessera_media_set_av_error        (GError              **error,
                                                      int                   code,
                                                      int                   av_error,
                                                      const char           *format,
                                                      ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
