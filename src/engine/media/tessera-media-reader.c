/* tessera-media-reader.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-media"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <webp/demux.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "image/tessera-image-private.h"
#include "tessera-media-private.h"

/* Frames of an animation or a video, one at a time, as TesseraImage. The
 * file is mapped, never read whole: FFmpeg reads it through an AVIOContext
 * over the mapping, and libwebp's animation decoder over the bytes. GIF
 * and APNG go through FFmpeg too; its decoders compose each frame onto the
 * ones before (disposal, blending), so every frame comes out whole. The
 * loop counts, which FFmpeg's demuxers keep to themselves, are read from
 * the files' own blocks. */

#define AVIO_BUFFER_SIZE 32768

struct _TesseraMediaReader
{
  GObject            parent_instance;

  char              *name;
  GBytes            *bytes;
  const guint8      *data;
  gsize              size;
  gsize              position;

  TesseraMediaKind   kind;
  const char        *container;
  const char        *codec;
  guint              width;
  guint              height;
  guint              n_frames;
  guint              plays;
  double             frame_rate;
  gboolean           has_alpha;
  AVRational         time_base;
  guint              next_index;
  gboolean           finished;

  AVIOContext       *avio;
  AVFormatContext   *format;
  AVCodecContext    *decoder;
  int                video_stream;
  AVPacket          *packet;
  AVFrame           *frame;
  struct SwsContext *sws;
  GPtrArray         *pending;       /* packets of copied streams */
  gboolean           draining;

  WebPAnimDecoder   *webp;
  int                webp_previous_ms;
};

G_DEFINE_FINAL_TYPE (TesseraMediaReader, tessera_media_reader, G_TYPE_OBJECT)

static void
tessera_media_reader_finalize (GObject *object)
{
  TesseraMediaReader *self = TESSERA_MEDIA_READER (object);

  sws_freeContext (self->sws);
  av_frame_free (&self->frame);
  av_packet_free (&self->packet);
  avcodec_free_context (&self->decoder);
  avformat_close_input (&self->format);
  if (self->avio != NULL)
    av_freep (&self->avio->buffer);
  avio_context_free (&self->avio);
  g_clear_pointer (&self->webp, WebPAnimDecoderDelete);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_free (self->name);

  G_OBJECT_CLASS (tessera_media_reader_parent_class)->finalize (object);
}

static void
tessera_media_reader_class_init (TesseraMediaReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_media_reader_finalize;
}

static void
tessera_media_reader_init (TesseraMediaReader *self)
{
  self->video_stream = -1;
  self->plays = 1;
}

static void
packet_free (gpointer packet)
{
  av_packet_free ((AVPacket **) &packet);
}

/* The file's own blocks */

static gboolean
is_webp (const guint8 *data,
         gsize         size)
{
  return size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0;
}

static gboolean
is_png (const guint8 *data,
        gsize         size)
{
  return size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static gboolean
is_gif (const guint8 *data,
        gsize         size)
{
  return size >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0);
}

/* Chunks are not aligned: read their numbers byte by byte. */
static guint32
read_be32 (const guint8 *data)
{
  return (guint32) data[0] << 24 | (guint32) data[1] << 16 | (guint32) data[2] << 8 | data[3];
}

/* An APNG's acTL chunk, which comes before its first IDAT. */
static gboolean
find_png_animation (const guint8 *data,
                    gsize         size,
                    guint        *n_frames,
                    guint        *plays)
{
  gsize at = 8;

  while (at + 12 <= size)
    {
      guint32 length = read_be32 (data + at);
      const guint8 *type = data + at + 4;

      if (memcmp (type, "IDAT", 4) == 0)
        return FALSE;
      if (memcmp (type, "acTL", 4) == 0 && length >= 8 && at + 16 <= size)
        {
          *n_frames = read_be32 (data + at + 8);
          *plays = read_be32 (data + at + 12);
          return TRUE;
        }
      if (length > size - at - 12)
        return FALSE;
      at += 12 + (gsize) length;
    }
  return FALSE;
}

/* Skips a GIF's data sub-blocks from @at; FALSE when they run past the end. */
static gboolean
skip_gif_blocks (const guint8 *data,
                 gsize         size,
                 gsize        *at)
{
  while (*at < size)
    {
      guint8 length = data[(*at)++];

      if (length == 0)
        return TRUE;
      *at += length;
    }
  return FALSE;
}

/* Counts a GIF's images and reads its NETSCAPE2.0 loop count: N repeats
 * after the first showing, 0 for ever. Without the block a GIF shows once. */
static void
scan_gif (const guint8 *data,
          gsize         size,
          guint        *n_frames,
          guint        *plays)
{
  gsize at = 13;

  *n_frames = 0;
  *plays = 1;
  if (size < 13)
    return;
  if (data[10] & 0x80)
    at += 3 * ((gsize) 2 << (data[10] & 7));

  while (at < size)
    {
      guint8 block = data[at++];

      if (block == 0x21 && at < size)
        {
          guint8 label = data[at++];

          if (label == 0xff && at + 16 <= size && data[at] == 11 &&
              memcmp (data + at + 1, "NETSCAPE2.0", 11) == 0 && data[at + 12] == 3 && data[at + 13] == 1)
            {
              guint repeats = data[at + 14] | (data[at + 15] << 8);

              *plays = repeats == 0 ? 0 : repeats + 1;
            }
          if (!skip_gif_blocks (data, size, &at))
            return;
        }
      else if (block == 0x2c && at + 9 < size)
        {
          guint8 flags = data[at + 8];

          at += 9;
          if (flags & 0x80)
            at += 3 * ((gsize) 2 << (flags & 7));
          at++;  /* the LZW code size */
          if (at > size || !skip_gif_blocks (data, size, &at))
            return;
          (*n_frames)++;
        }
      else
        return;
    }
}

/* FFmpeg */

static int
read_bytes (void    *opaque,
            uint8_t *buffer,
            int      size)
{
  TesseraMediaReader *self = opaque;
  gsize n = MIN ((gsize) size, self->size - self->position);

  if (n == 0)
    return AVERROR_EOF;
  memcpy (buffer, self->data + self->position, n);
  self->position += n;
  return (int) n;
}

static int64_t
seek_bytes (void    *opaque,
            int64_t  offset,
            int      whence)
{
  TesseraMediaReader *self = opaque;
  int64_t position;

  switch (whence & ~AVSEEK_FORCE)
    {
    case AVSEEK_SIZE:
      return (int64_t) self->size;
    case SEEK_SET:
      position = offset;
      break;
    case SEEK_CUR:
      position = (int64_t) self->position + offset;
      break;
    case SEEK_END:
      position = (int64_t) self->size + offset;
      break;
    default:
      return AVERROR (EINVAL);
    }

  if (position < 0 || position > (int64_t) self->size)
    return AVERROR (EINVAL);
  self->position = (gsize) position;
  return position;
}

/* Demuxers of single images, which the image loaders read better. */
static gboolean
is_still_image_demuxer (const AVInputFormat *format)
{
  return g_str_has_suffix (format->name, "_pipe") || g_str_equal (format->name, "image2");
}

static gboolean
open_ffmpeg (TesseraMediaReader  *self,
             GError             **error)
{
  const AVCodec *codec;
  AVStream *stream;
  AVCodecParameters *parameters;
  const AVPixFmtDescriptor *pixel_format;
  guint8 *buffer;
  int ret;

  buffer = av_malloc (AVIO_BUFFER_SIZE);
  self->avio = avio_alloc_context (buffer, AVIO_BUFFER_SIZE, 0, self, read_bytes, NULL, seek_bytes);
  self->format = avformat_alloc_context ();
  if (self->avio == NULL || self->format == NULL)
    {
      av_free (buffer);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("%s: not enough memory"), self->name);
      return FALSE;
    }
  self->format->pb = self->avio;
  self->format->flags |= AVFMT_FLAG_CUSTOM_IO;

  ret = avformat_open_input (&self->format, NULL, NULL, NULL);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNKNOWN_FORMAT, ret,
                                  _("%s: not an animation or a video Tessera reads"), self->name);
      return FALSE;
    }

  ret = avformat_find_stream_info (self->format, NULL);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_CORRUPT, ret, _("%s: damaged"), self->name);
      return FALSE;
    }

  ret = av_find_best_stream (self->format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (ret < 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("%s: holds no pictures"), self->name);
      return FALSE;
    }
  self->video_stream = ret;
  stream = self->format->streams[ret];
  parameters = stream->codecpar;

  if (!tessera_image_check_size (parameters->width, parameters->height, self->name, error))
    return FALSE;

  self->decoder = avcodec_alloc_context3 (codec);
  if (self->decoder == NULL || avcodec_parameters_to_context (self->decoder, parameters) < 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("%s: not enough memory"), self->name);
      return FALSE;
    }
  self->decoder->pkt_timebase = stream->time_base;
  ret = avcodec_open2 (self->decoder, codec, NULL);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot decode its %s pictures"), self->name, codec->name);
      return FALSE;
    }

  self->container = self->format->iformat->name;
  self->codec = codec->name;
  self->width = parameters->width;
  self->height = parameters->height;
  self->time_base = stream->time_base;
  self->frame_rate = av_q2d (av_guess_frame_rate (self->format, stream, NULL));
  if (self->n_frames == 0 && stream->nb_frames > 0 && stream->nb_frames <= G_MAXUINT)
    self->n_frames = (guint) stream->nb_frames;
  pixel_format = av_pix_fmt_desc_get (parameters->format);
  self->has_alpha = pixel_format != NULL && (pixel_format->flags & AV_PIX_FMT_FLAG_ALPHA);

  if (self->kind == TESSERA_MEDIA_KIND_VIDEO && is_still_image_demuxer (self->format->iformat))
    self->kind = TESSERA_MEDIA_KIND_STILL;

  self->packet = av_packet_alloc ();
  self->frame = av_frame_alloc ();
  return TRUE;
}

static gboolean
is_copied_stream (TesseraMediaReader *self,
                  int                 index)
{
  AVStream *stream = self->format->streams[index];

  return index != self->video_stream &&
         (stream->codecpar->codec_type == AVMEDIA_TYPE_AUDIO ||
          stream->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE);
}

static TesseraImage *
convert_frame (TesseraMediaReader  *self,
               AVFrame             *frame,
               GError             **error)
{
  const AVPixFmtDescriptor *source = av_pix_fmt_desc_get (frame->format);
  gboolean sixteen_bits = source != NULL && source->comp[0].depth > 8;
  enum AVPixelFormat target = sixteen_bits ? AV_PIX_FMT_RGBA64 : AV_PIX_FMT_RGBA;
  g_autoptr(TesseraImage) image = NULL;
  g_autofree guint8 *rgba = NULL;
  gsize stride;
  guint8 *planes[4];
  int strides[4];
  int ret;

  if (frame->width != (int) self->width || frame->height != (int) self->height)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: frame %u is %d×%d, not %u×%u: frames of changing size are not supported"),
                   self->name, self->next_index + 1, frame->width, frame->height, self->width, self->height);
      return NULL;
    }

  image = tessera_image_new (self->width, self->height, self->has_alpha, error);
  if (image == NULL)
    return NULL;

  self->sws = sws_getCachedContext (self->sws, frame->width, frame->height, frame->format,
                                    frame->width, frame->height, target,
                                    SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_BITEXACT,
                                    NULL, NULL, NULL);
  if (self->sws == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: cannot convert frames in %s"), self->name, av_get_pix_fmt_name (frame->format));
      return NULL;
    }

  /* YUV as the file says it is coded; RGB is always full range. */
  if (source != NULL && !(source->flags & AV_PIX_FMT_FLAG_RGB))
    {
      const int *coefficients = sws_getCoefficients (frame->colorspace);
      int full_range = frame->color_range == AVCOL_RANGE_JPEG;

      sws_setColorspaceDetails (self->sws, coefficients, full_range,
                                sws_getCoefficients (SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    }

  stride = (gsize) self->width * (sixteen_bits ? 8 : 4);
  rgba = g_try_malloc ((gsize) self->height * stride);
  if (rgba == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("%s: not enough memory"), self->name);
      return NULL;
    }
  av_image_fill_arrays (planes, strides, rgba, target, self->width, self->height, 1);
  ret = sws_scale (self->sws, (const guint8 * const *) frame->data, frame->linesize, 0, frame->height,
                   planes, strides);
  if (ret <= 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: cannot convert frame %u"), self->name, self->next_index + 1);
      return NULL;
    }

  tessera_media_image_from_rgba (image, rgba, stride, 4, sixteen_bits);
  return g_steal_pointer (&image);
}

static gint64
frame_duration (AVFrame *frame)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
  return frame->duration;
#else
  return frame->pkt_duration;
#endif
}

static TesseraMediaFrame *
next_ffmpeg (TesseraMediaReader  *self,
             GError             **error)
{
  g_autoptr(TesseraMediaFrame) frame = g_new0 (TesseraMediaFrame, 1);
  int ret;

  for (;;)
    {
      ret = avcodec_receive_frame (self->decoder, self->frame);
      if (ret == 0)
        {
          frame->image = convert_frame (self, self->frame, error);
          frame->pts = self->frame->best_effort_timestamp;
          frame->duration = frame_duration (self->frame);
          av_frame_unref (self->frame);
          if (frame->image == NULL)
            return NULL;
          break;
        }
      if (ret == AVERROR_EOF || (ret == AVERROR (EAGAIN) && self->draining))
        {
          self->finished = TRUE;
          break;
        }
      if (ret != AVERROR (EAGAIN))
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_CORRUPT, ret, _("%s: frame %u is damaged"),
                                      self->name, self->next_index + 1);
          return NULL;
        }

      ret = av_read_frame (self->format, self->packet);
      if (ret == AVERROR_EOF)
        {
          avcodec_send_packet (self->decoder, NULL);
          self->draining = TRUE;
          continue;
        }
      if (ret < 0)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_CORRUPT, ret, _("%s: damaged after frame %u"),
                                      self->name, self->next_index);
          return NULL;
        }

      if (self->packet->stream_index == self->video_stream)
        {
          ret = avcodec_send_packet (self->decoder, self->packet);
          av_packet_unref (self->packet);
          if (ret < 0 && ret != AVERROR (EAGAIN) && ret != AVERROR_INVALIDDATA)
            {
              tessera_media_set_av_error (error, TESSERA_ERROR_CORRUPT, ret, _("%s: frame %u is damaged"),
                                          self->name, self->next_index + 1);
              return NULL;
            }
        }
      else if (is_copied_stream (self, self->packet->stream_index))
        g_ptr_array_add (self->pending, av_packet_clone (self->packet));
      av_packet_unref (self->packet);
    }

  frame->packets = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func (packet_free);
  return g_steal_pointer (&frame);
}

/* WebP */

static gboolean
open_webp (TesseraMediaReader  *self,
           GError             **error)
{
  WebPData data = { self->data, self->size };
  WebPAnimDecoderOptions options;
  WebPBitstreamFeatures features;
  WebPAnimInfo info;

  if (WebPGetFeatures (self->data, self->size, &features) != VP8_STATUS_OK ||
      !WebPAnimDecoderOptionsInit (&options))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: damaged WebP"), self->name);
      return FALSE;
    }
  options.color_mode = MODE_RGBA;
  options.use_threads = 0;

  /* the decoder allocates the canvas the header names: check it first */
  if (!tessera_image_check_size (features.width, features.height, self->name, error))
    return FALSE;
  self->webp = WebPAnimDecoderNew (&data, &options);
  if (self->webp == NULL || !WebPAnimDecoderGetInfo (self->webp, &info))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: damaged WebP"), self->name);
      return FALSE;
    }
  if (!tessera_image_check_size (info.canvas_width, info.canvas_height, self->name, error))
    return FALSE;

  self->kind = features.has_animation ? TESSERA_MEDIA_KIND_ANIMATION : TESSERA_MEDIA_KIND_STILL;
  self->container = "webp";
  self->codec = "webp";
  self->width = info.canvas_width;
  self->height = info.canvas_height;
  self->n_frames = info.frame_count;
  self->plays = info.loop_count;
  self->has_alpha = features.has_alpha;
  self->time_base = (AVRational) { 1, 1000 };
  return TRUE;
}

static TesseraMediaFrame *
next_webp (TesseraMediaReader  *self,
           GError             **error)
{
  g_autoptr(TesseraMediaFrame) frame = g_new0 (TesseraMediaFrame, 1);
  guint8 *rgba;
  int end_ms;

  frame->packets = g_ptr_array_new_with_free_func (packet_free);
  if (!WebPAnimDecoderHasMoreFrames (self->webp))
    {
      self->finished = TRUE;
      return g_steal_pointer (&frame);
    }

  if (!WebPAnimDecoderGetNext (self->webp, &rgba, &end_ms))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("%s: frame %u is damaged"),
                   self->name, self->next_index + 1);
      return NULL;
    }

  frame->image = tessera_image_new (self->width, self->height, self->has_alpha, error);
  if (frame->image == NULL)
    return NULL;
  tessera_media_image_from_rgba (frame->image, rgba, (gsize) self->width * 4, 4, FALSE);
  frame->pts = self->webp_previous_ms;
  frame->duration = end_ms - self->webp_previous_ms;
  self->webp_previous_ms = end_ms;
  return g_steal_pointer (&frame);
}

/* Public */

static TesseraMediaKind
sniff_kind (const guint8 *data,
            gsize         size,
            guint        *n_frames,
            guint        *plays)
{
  *n_frames = 0;
  *plays = 1;
  if (is_png (data, size))
    return find_png_animation (data, size, n_frames, plays) ? TESSERA_MEDIA_KIND_ANIMATION : TESSERA_MEDIA_KIND_STILL;
  if (is_gif (data, size))
    {
      scan_gif (data, size, n_frames, plays);
      return *n_frames > 1 ? TESSERA_MEDIA_KIND_ANIMATION : TESSERA_MEDIA_KIND_STILL;
    }
  if (is_webp (data, size))
    {
      WebPBitstreamFeatures features;

      if (WebPGetFeatures (data, size, &features) == VP8_STATUS_OK && features.has_animation)
        return TESSERA_MEDIA_KIND_ANIMATION;
      return TESSERA_MEDIA_KIND_STILL;
    }
  return TESSERA_MEDIA_KIND_VIDEO;
}

/**
 * tessera_media_reader_new_from_bytes:
 * @bytes: a whole file's bytes
 * @name: the file's name, for messages
 * @error: return location for a #GError
 *
 * Opens an animation or a video held in memory; a still image opens too,
 * as one frame.
 *
 * Returns: (transfer full): the reader, or %NULL with @error set
 */
TesseraMediaReader *
tessera_media_reader_new_from_bytes (GBytes      *bytes,
                                     const char  *name,
                                     GError     **error)
{
  g_autoptr(TesseraMediaReader) self = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  tessera_media_init ();
  self = g_object_new (TESSERA_TYPE_MEDIA_READER, NULL);
  self->name = g_strdup (name);
  self->bytes = g_bytes_ref (bytes);
  self->data = g_bytes_get_data (bytes, &self->size);
  self->pending = g_ptr_array_new_with_free_func (packet_free);
  if (self->data == NULL)
    self->data = (const guint8 *) "";

  self->kind = sniff_kind (self->data, self->size, &self->n_frames, &self->plays);
  if (is_webp (self->data, self->size))
    {
      if (!open_webp (self, error))
        return NULL;
    }
  else if (!open_ffmpeg (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tessera_media_reader_new:
 * @file: an animation or a video
 * @error: return location for a #GError
 *
 * Opens @file, which is mapped rather than read.
 *
 * Returns: (transfer full): the reader, or %NULL with @error set
 */
TesseraMediaReader *
tessera_media_reader_new (GFile   *file,
                          GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  bytes = tessera_file_map (file, NULL, error);
  if (bytes == NULL)
    return NULL;
  name = tessera_file_dup_display_name (file);
  return tessera_media_reader_new_from_bytes (bytes, name, error);
}

/**
 * tessera_media_probe:
 * @file: a file
 *
 * Tells animations and videos from still images by their first bytes and,
 * for what is no known image format, by FFmpeg's probing. A file that
 * cannot be read is said to be still, for the image loaders to report.
 *
 * Returns: what @file holds
 */
TesseraMediaKind
tessera_media_probe (GFile *file)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(TesseraMediaReader) reader = NULL;
  const guint8 *data;
  gsize size;
  guint n_frames, plays;
  TesseraMediaKind kind;

  g_return_val_if_fail (G_IS_FILE (file), TESSERA_MEDIA_KIND_STILL);

  bytes = tessera_file_map (file, NULL, NULL);
  if (bytes == NULL)
    return TESSERA_MEDIA_KIND_STILL;
  data = g_bytes_get_data (bytes, &size);
  if (data == NULL)
    return TESSERA_MEDIA_KIND_STILL;

  kind = sniff_kind (data, size, &n_frames, &plays);
  if (kind != TESSERA_MEDIA_KIND_VIDEO)
    return kind;

  /* JPEG, TIFF, BMP…: FFmpeg's image demuxers say what they are. */
  reader = tessera_media_reader_new_from_bytes (bytes, "probe", NULL);
  return reader != NULL ? reader->kind : TESSERA_MEDIA_KIND_STILL;
}

TesseraMediaKind
tessera_media_reader_get_kind (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), TESSERA_MEDIA_KIND_STILL);
  return self->kind;
}

/**
 * tessera_media_reader_get_container:
 *
 * Returns: FFmpeg's name of the container, such as `gif`, `apng` or
 *   `matroska,webm`, or `webp`
 */
const char *
tessera_media_reader_get_container (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), NULL);
  return self->container;
}

/**
 * tessera_media_reader_get_codec:
 *
 * Returns: the pictures' codec, by its FFmpeg decoder's name, or `webp`
 */
const char *
tessera_media_reader_get_codec (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), NULL);
  return self->codec;
}

guint
tessera_media_reader_get_width (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 0);
  return self->width;
}

guint
tessera_media_reader_get_height (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 0);
  return self->height;
}

/**
 * tessera_media_reader_get_n_frames:
 *
 * Returns: how many frames the file says it holds, or 0 when it does not
 *   say (Matroska, WebM)
 */
guint
tessera_media_reader_get_n_frames (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 0);
  return self->n_frames;
}

/**
 * tessera_media_reader_get_frame_rate:
 *
 * Returns: a video's frames per second, or 0 for an animation, whose
 *   frames each have their own duration
 */
double
tessera_media_reader_get_frame_rate (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 0);
  return self->kind == TESSERA_MEDIA_KIND_VIDEO ? self->frame_rate : 0.0;
}

/**
 * tessera_media_reader_get_duration:
 *
 * Returns: how long the file plays, in microseconds, as its container
 *   says, or 0 when it does not say (an animated WebP); with the frame
 *   rate, it gives the frame count that Matroska and WebM leave out
 */
gint64
tessera_media_reader_get_duration (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 0);
  return self->format != NULL && self->format->duration > 0 ? self->format->duration : 0;
}

/**
 * tessera_media_reader_get_plays:
 *
 * Returns: how many times an animation is shown; 0 for ever
 */
guint
tessera_media_reader_get_plays (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), 1);
  return self->plays;
}

gboolean
tessera_media_reader_get_has_alpha (TesseraMediaReader *self)
{
  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), FALSE);
  return self->has_alpha;
}

const char *
tessera_media_reader_get_name (TesseraMediaReader *self)
{
  return self->name;
}

AVRational
tessera_media_reader_get_time_base (TesseraMediaReader *self)
{
  return self->time_base;
}

AVFormatContext *
tessera_media_reader_get_format (TesseraMediaReader *self)
{
  return self->format;
}

int
tessera_media_reader_get_video_stream (TesseraMediaReader *self)
{
  return self->video_stream;
}

enum AVPixelFormat
tessera_media_reader_get_pixel_format (TesseraMediaReader *self)
{
  return self->decoder != NULL ? self->decoder->pix_fmt : AV_PIX_FMT_RGBA;
}

/* The next frame; once the frames are over, one without an image, and
 * then %NULL without an error. */
TesseraMediaFrame *
tessera_media_reader_next (TesseraMediaReader  *self,
                           GError             **error)
{
  TesseraMediaFrame *frame;

  if (self->finished)
    return NULL;

  frame = self->webp != NULL ? next_webp (self, error) : next_ffmpeg (self, error);
  if (frame != NULL && frame->image != NULL)
    frame->index = self->next_index++;
  return frame;
}

/**
 * tessera_media_reader_read_frame:
 * @self: a #TesseraMediaReader
 * @timestamp_us: (out) (optional): when the frame shows, in microseconds
 * @duration_us: (out) (optional): how long it shows, or 0 when unknown
 * @error: return location for a #GError
 *
 * Decodes the next frame. Frames come whole: an animation's later frames
 * are composed onto the ones before them as the file says.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL at the end
 *   (@error unset) or on error
 */
TesseraImage *
tessera_media_reader_read_frame (TesseraMediaReader  *self,
                                 gint64              *timestamp_us,
                                 gint64              *duration_us,
                                 GError             **error)
{
  g_autoptr(TesseraMediaFrame) frame = NULL;
  AVRational microseconds = { 1, 1000000 };

  g_return_val_if_fail (TESSERA_IS_MEDIA_READER (self), NULL);

  frame = tessera_media_reader_next (self, error);
  if (frame == NULL || frame->image == NULL)
    return NULL;

  if (timestamp_us != NULL)
    *timestamp_us = frame->pts == AV_NOPTS_VALUE ? 0 : av_rescale_q (frame->pts, self->time_base, microseconds);
  if (duration_us != NULL)
    *duration_us = av_rescale_q (frame->duration, self->time_base, microseconds);
  return g_steal_pointer (&frame->image);
}
