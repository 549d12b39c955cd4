/* tessera-media.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "image/tessera-image.h"

G_BEGIN_DECLS

/**
 * TesseraMediaKind:
 * @TESSERA_MEDIA_KIND_STILL: one image, for tessera_image_new_from_file()
 * @TESSERA_MEDIA_KIND_ANIMATION: an animated GIF, PNG (APNG) or WebP
 * @TESSERA_MEDIA_KIND_VIDEO: a video file that FFmpeg reads
 *
 * What a file holds, as far as frames go.
 */
typedef enum
{
  TESSERA_MEDIA_KIND_STILL,
  TESSERA_MEDIA_KIND_ANIMATION,
  TESSERA_MEDIA_KIND_VIDEO,
} TesseraMediaKind;

/**
 * TesseraMediaGifPalette:
 * @TESSERA_MEDIA_GIF_PALETTE_GLOBAL: one palette for the whole file, made
 *   from the colours of every frame, each frame dithered to it
 * @TESSERA_MEDIA_GIF_PALETTE_PER_FRAME: a palette of its own for each
 *   frame, so that no frame waits for the others
 *
 * How a GIF's palette is made.
 */
typedef enum
{
  TESSERA_MEDIA_GIF_PALETTE_GLOBAL,
  TESSERA_MEDIA_GIF_PALETTE_PER_FRAME,
} TesseraMediaGifPalette;

/**
 * TesseraMediaOptions:
 * @codec: (nullable): the video encoder's FFmpeg name, such as `libx264`
 *   or `ffv1`; %NULL for the input's own codec where the output's
 *   container takes it, else the container's usual one
 * @crf: the video encoder's constant rate factor; -1 for its default
 * @quality: WebP quality from 1 to 100; 100 is lossless
 * @first_frame: the first frame to process, counted from 1; 0 for the first
 * @last_frame: the last frame to process, counted from 1; 0 for the last
 * @gif_palette: how a GIF's palette is made
 *
 * How an animation or a video is written back.
 */
typedef struct
{
  char                   *codec;
  int                     crf;
  int                     quality;
  guint                   first_frame;
  guint                   last_frame;
  TesseraMediaGifPalette  gif_palette;
} TesseraMediaOptions;

#define TESSERA_TYPE_MEDIA_OPTIONS (tessera_media_options_get_type ())

GType                tessera_media_options_get_type (void) G_GNUC_CONST;
TesseraMediaOptions *tessera_media_options_new      (void);
TesseraMediaOptions *tessera_media_options_copy     (const TesseraMediaOptions *self);
void                 tessera_media_options_free     (TesseraMediaOptions       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraMediaOptions, tessera_media_options_free)

#define TESSERA_TYPE_MEDIA_READER (tessera_media_reader_get_type ())

G_DECLARE_FINAL_TYPE (TesseraMediaReader, tessera_media_reader, TESSERA, MEDIA_READER, GObject)

TesseraMediaKind    tessera_media_probe                    (GFile               *file);
gboolean            tessera_media_is_video_name            (const char          *name);
GPtrArray          *tessera_media_list_folder              (GFile               *folder,
                                                            gboolean             recursive,
                                                            GError             **error);
TesseraMediaReader *tessera_media_reader_new               (GFile               *file,
                                                            GError             **error);
TesseraMediaReader *tessera_media_reader_new_from_bytes    (GBytes              *bytes,
                                                            const char          *name,
                                                            GError             **error);
TesseraMediaKind    tessera_media_reader_get_kind          (TesseraMediaReader  *self);
const char         *tessera_media_reader_get_container     (TesseraMediaReader  *self);
const char         *tessera_media_reader_get_codec         (TesseraMediaReader  *self);
guint               tessera_media_reader_get_width         (TesseraMediaReader  *self);
guint               tessera_media_reader_get_height        (TesseraMediaReader  *self);
guint               tessera_media_reader_get_n_frames      (TesseraMediaReader  *self);
double              tessera_media_reader_get_frame_rate    (TesseraMediaReader  *self);
gint64              tessera_media_reader_get_duration      (TesseraMediaReader  *self);
guint               tessera_media_reader_get_plays         (TesseraMediaReader  *self);
gboolean            tessera_media_reader_get_has_alpha     (TesseraMediaReader  *self);
TesseraImage       *tessera_media_reader_read_frame        (TesseraMediaReader  *self,
                                                            gint64              *timestamp_us,
                                                            gint64              *duration_us,
                                                            GError             **error);

G_END_DECLS
