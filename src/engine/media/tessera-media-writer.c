/* tessera-media-writer.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-media"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "image/tessera-image-private.h"
#include "tessera-media-private.h"

/* Frames written back as the container the output's name asks for: WebP
 * through libwebp's animation encoder, everything else through FFmpeg,
 * with the source's audio and subtitle packets copied untouched, its
 * timing, colour tags and rotation kept. A GIF gets one palette made from
 * all its frames (tessera-media-palette.c), which therefore wait in a
 * spool until the last has come; or, asked for, one palette per frame
 * from FFmpeg's palettegen and paletteuse, so that nothing waits.
 *
 * The output is a hidden temporary file beside the target, renamed over it
 * by tessera_media_writer_finish(); freed unfinished, the writer removes it. */

struct _TesseraMediaWriter
{
  char              *name;
  char              *path;
  char              *tmp_path;
  gboolean           finished;
  guint              width;
  guint              height;
  gboolean           has_alpha;
  guint              plays;
  AVRational         time_base;      /* the source's, the frames' */
  gint64             start_pts;
  gboolean           started;

  AVFormatContext   *source;
  AVFormatContext   *format;
  AVCodecContext    *encoder;
  AVStream          *video;
  int               *stream_map;     /* source stream → output stream, or -1 */
  AVFrame           *frame;
  AVFrame           *filtered;
  AVPacket          *packet;
  struct SwsContext *sws;
  GHashTable        *durations;      /* pts → duration, for encoders that drop them */
  AVFilterGraph     *graph;
  AVFilterContext   *buffer_source;
  AVFilterContext   *buffer_sink;
  TesseraMediaPalette *palette;      /* a GIF's one palette */
  gboolean           gif_decoy;      /* the next packet is the decoy's */
  GBytes            *gif_header;     /* the decoy's, for the first frame */

  WebPAnimEncoder   *webp;
  WebPConfig         webp_config;
  int                webp_end_ms;
};

static gboolean
set_no_memory (TesseraMediaWriter  *self,
               GError             **error)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("%s: not enough memory"), self->name);
  return FALSE;
}

/* Reserves the temporary file's name; FFmpeg and libwebp write it. */
static gboolean
create_temporary (TesseraMediaWriter  *self,
                  GError             **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *base = g_path_get_basename (self->path);
  int fd;

  self->tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (self->tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *dir_name = g_filename_display_name (dir);

      g_clear_pointer (&self->tmp_path, g_free);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("%s: cannot write in the folder %s: %s"), self->name, dir_name, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gint64
to_ms (TesseraMediaWriter *self,
       gint64              pts)
{
  return av_rescale_q (pts, self->time_base, (AVRational) { 1, 1000 });
}

/* WebP */

static gboolean
open_webp (TesseraMediaWriter         *self,
           const TesseraMediaOptions  *options,
           GError                    **error)
{
  WebPAnimEncoderOptions encoder_options;

  if (!WebPAnimEncoderOptionsInit (&encoder_options) || !WebPConfigInit (&self->webp_config))
    return set_no_memory (self, error);

  encoder_options.anim_params.loop_count = (int) MIN (self->plays, 65535);
  self->webp_config.lossless = options->quality >= 100;
  /* Lossless, quality is effort; exact keeps the colour under clear pixels. */
  self->webp_config.quality = options->quality >= 100 ? 75.f : options->quality;
  self->webp_config.exact = options->quality >= 100;

  self->webp = WebPAnimEncoderNew ((int) self->width, (int) self->height, &encoder_options);
  if (self->webp == NULL)
    return set_no_memory (self, error);
  return TRUE;
}

static gboolean
write_webp (TesseraMediaWriter  *self,
            TesseraMediaFrame   *frame,
            GError             **error)
{
  g_autofree guint8 *rgba = g_try_malloc ((gsize) self->width * self->height * 4);
  WebPPicture picture;
  gboolean ok;
  gint64 start = to_ms (self, frame->pts - self->start_pts);

  if (rgba == NULL || !WebPPictureInit (&picture))
    return set_no_memory (self, error);

  tessera_media_image_to_rgba (frame->image, rgba, (gsize) self->width * 4, 4, FALSE);
  picture.width = (int) self->width;
  picture.height = (int) self->height;
  picture.use_argb = 1;
  ok = WebPPictureImportRGBA (&picture, rgba, (int) self->width * 4) &&
       WebPAnimEncoderAdd (self->webp, &picture, (int) start, &self->webp_config);
  WebPPictureFree (&picture);
  if (!ok)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("%s: cannot encode frame %u: %s"),
                   self->name, frame->index + 1, WebPAnimEncoderGetError (self->webp));
      return FALSE;
    }

  self->webp_end_ms = (int) (start + MAX (to_ms (self, frame->duration), 1));
  return TRUE;
}

static gboolean
finish_webp (TesseraMediaWriter  *self,
             GError             **error)
{
  WebPData data;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  WebPDataInit (&data);
  if (!WebPAnimEncoderAdd (self->webp, NULL, self->webp_end_ms, NULL) ||
      !WebPAnimEncoderAssemble (self->webp, &data))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("%s: cannot encode: %s"),
                   self->name, WebPAnimEncoderGetError (self->webp));
      return FALSE;
    }

  ok = g_file_set_contents_full (self->tmp_path, (const char *) data.bytes, data.size,
                                 G_FILE_SET_CONTENTS_NONE, 0666, &local_error);
  WebPDataClear (&data);
  if (!ok)
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", self->name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* FFmpeg */

/* The container for the output's name: PNG is animated PNG here. */
static const AVOutputFormat *
guess_container (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".apng"))
    return av_guess_format ("apng", NULL, NULL);
  return av_guess_format (NULL, path, NULL);
}

/* The codec asked for; else the source's, where the container takes it and
 * this build encodes it (FFV1 stays lossless, GIF stays GIF); else the
 * container's own. */
static const AVCodec *
choose_encoder (TesseraMediaWriter         *self,
                const AVOutputFormat       *container,
                TesseraMediaReader         *source,
                const TesseraMediaOptions  *options,
                GError                    **error)
{
  AVFormatContext *source_format = tessera_media_reader_get_format (source);
  const AVCodec *encoder = NULL;

  if (options->codec != NULL)
    {
      encoder = avcodec_find_encoder_by_name (options->codec);
      if (encoder == NULL || encoder->type != AVMEDIA_TYPE_VIDEO)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("%s: this system's FFmpeg has no video encoder named “%s”"), self->name, options->codec);
          return NULL;
        }
      if (avformat_query_codec (container, encoder->id, FF_COMPLIANCE_NORMAL) == 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("%s: %s cannot hold %s video"), self->name, container->name, options->codec);
          return NULL;
        }
      return encoder;
    }

  if (source_format != NULL)
    {
      AVStream *stream = source_format->streams[tessera_media_reader_get_video_stream (source)];
      enum AVCodecID id = stream->codecpar->codec_id;
      int takes = avformat_query_codec (container, id, FF_COMPLIANCE_NORMAL);

      if (takes == 1 || (takes < 0 && id == container->video_codec))
        encoder = avcodec_find_encoder (id);
    }
  if (encoder == NULL)
    encoder = avcodec_find_encoder (container->video_codec);
  if (encoder == NULL)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("%s: this system's FFmpeg has no encoder for %s video"), self->name, container->name);
  return encoder;
}

static enum AVPixelFormat
choose_pixel_format (const AVCodec      *encoder,
                     TesseraMediaReader *source,
                     gboolean            has_alpha)
{
  enum AVPixelFormat wanted = has_alpha ? AV_PIX_FMT_RGBA
                            : tessera_media_reader_get_format (source) != NULL ? tessera_media_reader_get_pixel_format (source)
                            : AV_PIX_FMT_RGB24;

  if (encoder->id == AV_CODEC_ID_GIF)
    return AV_PIX_FMT_PAL8;
  if (encoder->pix_fmts == NULL)
    return wanted;
  return avcodec_find_best_pix_fmt_of_list (encoder->pix_fmts, wanted, has_alpha, NULL);
}

static gboolean
open_palette_filter (TesseraMediaWriter  *self,
                     GError             **error)
{
  static const enum AVPixelFormat pal8[] = { AV_PIX_FMT_PAL8, AV_PIX_FMT_NONE };
  g_autofree char *arguments = NULL;
  AVFilterInOut *outputs = avfilter_inout_alloc ();
  AVFilterInOut *inputs = avfilter_inout_alloc ();
  int ret;

  self->graph = avfilter_graph_alloc ();
  if (self->graph == NULL || outputs == NULL || inputs == NULL)
    {
      avfilter_inout_free (&outputs);
      avfilter_inout_free (&inputs);
      return set_no_memory (self, error);
    }

  arguments = g_strdup_printf ("video_size=%ux%u:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
                               self->width, self->height, AV_PIX_FMT_RGBA,
                               self->time_base.num, self->time_base.den);
  ret = avfilter_graph_create_filter (&self->buffer_source, avfilter_get_by_name ("buffer"), "in",
                                      arguments, NULL, self->graph);
  if (ret >= 0)
    ret = avfilter_graph_create_filter (&self->buffer_sink, avfilter_get_by_name ("buffersink"), "out",
                                        NULL, NULL, self->graph);
  if (ret >= 0)
    ret = av_opt_set_int_list (self->buffer_sink, "pix_fmts", pal8, AV_PIX_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
  if (ret >= 0)
    {
      outputs->name = av_strdup ("in");
      outputs->filter_ctx = self->buffer_source;
      inputs->name = av_strdup ("out");
      inputs->filter_ctx = self->buffer_sink;
      ret = avfilter_graph_parse_ptr (self->graph,
                                      "split[a][b];[a]palettegen=stats_mode=single[p];"
                                      "[b][p]paletteuse=new=1:dither=sierra2_4a",
                                      &inputs, &outputs, NULL);
    }
  if (ret >= 0)
    ret = avfilter_graph_config (self->graph, NULL);
  avfilter_inout_free (&outputs);
  avfilter_inout_free (&inputs);

  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot make GIF palettes"), self->name);
      return FALSE;
    }
  return TRUE;
}

static void
copy_rotation (AVStream *from,
               AVStream *to)
{
#if LIBAVFORMAT_VERSION_MAJOR < 61
  size_t size;
  const guint8 *matrix = av_stream_get_side_data (from, AV_PKT_DATA_DISPLAYMATRIX, &size);
  guint8 *copy;

  if (matrix == NULL)
    return;
  copy = av_stream_new_side_data (to, AV_PKT_DATA_DISPLAYMATRIX, size);
  if (copy != NULL)
    memcpy (copy, matrix, size);
#else
  const AVPacketSideData *matrix = av_packet_side_data_get (from->codecpar->coded_side_data,
                                                            from->codecpar->nb_coded_side_data,
                                                            AV_PKT_DATA_DISPLAYMATRIX);
  AVPacketSideData *copy;

  if (matrix == NULL)
    return;
  copy = av_packet_side_data_new (&to->codecpar->coded_side_data, &to->codecpar->nb_coded_side_data,
                                  AV_PKT_DATA_DISPLAYMATRIX, matrix->size, 0);
  if (copy != NULL)
    memcpy (copy->data, matrix->data, matrix->size);
#endif
}

/* The source's audio and subtitles, where the container takes them. */
static gboolean
add_copied_streams (TesseraMediaWriter  *self,
                    GError             **error)
{
  if (self->source == NULL)
    return TRUE;

  self->stream_map = g_new (int, self->source->nb_streams);
  for (guint i = 0; i < self->source->nb_streams; i++)
    {
      AVStream *in = self->source->streams[i];
      enum AVMediaType type = in->codecpar->codec_type;
      AVStream *out;

      self->stream_map[i] = -1;
      if (type != AVMEDIA_TYPE_AUDIO && type != AVMEDIA_TYPE_SUBTITLE)
        continue;
      if (avformat_query_codec (self->format->oformat, in->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0 ||
          (type == AVMEDIA_TYPE_AUDIO && self->format->oformat->audio_codec == AV_CODEC_ID_NONE) ||
          (type == AVMEDIA_TYPE_SUBTITLE && self->format->oformat->subtitle_codec == AV_CODEC_ID_NONE))
        {
          g_message ("%s: leaves out stream %u (%s), which %s cannot hold", self->name, i,
                     avcodec_get_name (in->codecpar->codec_id), self->format->oformat->name);
          continue;
        }

      out = avformat_new_stream (self->format, NULL);
      if (out == NULL || avcodec_parameters_copy (out->codecpar, in->codecpar) < 0)
        return set_no_memory (self, error);
      out->codecpar->codec_tag = 0;
      out->time_base = in->time_base;
      out->disposition = in->disposition;
      av_dict_copy (&out->metadata, in->metadata, 0);
      self->stream_map[i] = out->index;
    }
  return TRUE;
}

static gboolean
open_ffmpeg (TesseraMediaWriter         *self,
             const AVOutputFormat       *container,
             TesseraMediaReader         *source,
             const TesseraMediaOptions  *options,
             GError                    **error)
{
  AVStream *source_video = NULL;
  const AVCodec *codec;
  const AVPixFmtDescriptor *pixel_format;
  AVDictionary *muxer_options = NULL;
  int ret;

  self->source = tessera_media_reader_get_format (source);
  if (self->source != NULL)
    source_video = self->source->streams[tessera_media_reader_get_video_stream (source)];

  codec = choose_encoder (self, container, source, options, error);
  if (codec == NULL)
    return FALSE;

  ret = avformat_alloc_output_context2 (&self->format, container, NULL, NULL);
  self->encoder = avcodec_alloc_context3 (codec);
  self->frame = av_frame_alloc ();
  self->filtered = av_frame_alloc ();
  self->packet = av_packet_alloc ();
  if (ret < 0 || self->encoder == NULL || self->frame == NULL || self->filtered == NULL || self->packet == NULL)
    return set_no_memory (self, error);

  self->encoder->width = (int) self->width;
  self->encoder->height = (int) self->height;
  self->encoder->pix_fmt = choose_pixel_format (codec, source, self->has_alpha);
  self->encoder->time_base = self->time_base;
  self->encoder->sample_aspect_ratio = (AVRational) { 1, 1 };
  if (source_video != NULL)
    self->encoder->framerate = av_guess_frame_rate (self->source, source_video, NULL);
  pixel_format = av_pix_fmt_desc_get (self->encoder->pix_fmt);
  if (source_video != NULL && !(pixel_format->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)))
    {
      self->encoder->color_range = source_video->codecpar->color_range;
      self->encoder->colorspace = source_video->codecpar->color_space;
      self->encoder->color_primaries = source_video->codecpar->color_primaries;
      self->encoder->color_trc = source_video->codecpar->color_trc;
    }
  if (container->flags & AVFMT_GLOBALHEADER)
    self->encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (options->crf >= 0)
    {
      ret = av_opt_set_int (self->encoder->priv_data, "crf", options->crf, 0);
      if (ret < 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("%s: the %s encoder takes no CRF"), self->name, codec->name);
          return FALSE;
        }
    }

  ret = avcodec_open2 (self->encoder, codec, NULL);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot start the %s encoder"), self->name, codec->name);
      return FALSE;
    }

  self->video = avformat_new_stream (self->format, NULL);
  if (self->video == NULL || avcodec_parameters_from_context (self->video->codecpar, self->encoder) < 0)
    return set_no_memory (self, error);
  self->video->time_base = self->encoder->time_base;
  if (source_video != NULL)
    {
      self->video->avg_frame_rate = source_video->avg_frame_rate;
      self->video->r_frame_rate = source_video->r_frame_rate;
      self->video->disposition = source_video->disposition;
      av_dict_copy (&self->video->metadata, source_video->metadata, 0);
      copy_rotation (source_video, self->video);
      av_dict_copy (&self->format->metadata, self->source->metadata, 0);
    }

  if (!add_copied_streams (self, error))
    return FALSE;

  if (codec->id == AV_CODEC_ID_GIF)
    {
      switch (options->gif_palette)
        {
        case TESSERA_MEDIA_GIF_PALETTE_GLOBAL:
          self->palette = tessera_media_palette_new (self->path, self->name, self->width, self->height,
                                                     self->time_base, error);
          if (self->palette == NULL)
            return FALSE;
          break;
        case TESSERA_MEDIA_GIF_PALETTE_PER_FRAME:
          if (!open_palette_filter (self, error))
            return FALSE;
          break;
        }
    }

  ret = avio_open (&self->format->pb, self->tmp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot write"), self->name);
      return FALSE;
    }

  /* GIF repeats N times after the first showing; APNG counts showings. */
  if (g_str_equal (container->name, "gif"))
    av_dict_set_int (&muxer_options, "loop", self->plays == 0 ? 0 : self->plays == 1 ? -1 : (int) self->plays - 1, 0);
  else if (g_str_equal (container->name, "apng"))
    av_dict_set_int (&muxer_options, "plays", self->plays, 0);
  ret = avformat_write_header (self->format, &muxer_options);
  av_dict_free (&muxer_options);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot write"), self->name);
      return FALSE;
    }

  return TRUE;
}

/* The GIF header at the start of the decoy's packet: signature, screen
 * descriptor and global colour table. */
static gboolean
keep_gif_header (TesseraMediaWriter  *self,
                 GError             **error)
{
  const guint8 *data = self->packet->data;
  gsize size = self->packet->size;
  gsize header_size = 13;

  if (size >= header_size && (data[10] & 0x80))
    header_size += 3u << ((data[10] & 7) + 1);
  if (size < header_size || memcmp (data, "GIF8", 4) != 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, AVERROR_INVALIDDATA,
                                  _("%s: cannot encode frame %u"), self->name, 1);
      return FALSE;
    }
  self->gif_header = g_bytes_new (data, header_size);
  return TRUE;
}

static gboolean
prepend_gif_header (TesseraMediaWriter  *self,
                    GError             **error)
{
  g_autoptr(GBytes) header = g_steal_pointer (&self->gif_header);
  AVPacket *joined = av_packet_alloc ();
  gsize header_size = g_bytes_get_size (header);

  if (joined == NULL || av_new_packet (joined, (int) header_size + self->packet->size) < 0 ||
      av_packet_copy_props (joined, self->packet) < 0)
    {
      av_packet_free (&joined);
      return set_no_memory (self, error);
    }
  memcpy (joined->data, g_bytes_get_data (header, NULL), header_size);
  memcpy (joined->data + header_size, self->packet->data, self->packet->size);
  av_packet_unref (self->packet);
  av_packet_move_ref (self->packet, joined);
  av_packet_free (&joined);
  return TRUE;
}

static gboolean
write_encoded (TesseraMediaWriter  *self,
               guint                index,
               GError             **error)
{
  int ret;

  for (;;)
    {
      ret = avcodec_receive_packet (self->encoder, self->packet);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                      _("%s: cannot encode frame %u"), self->name, index + 1);
          return FALSE;
        }

      if (self->gif_decoy)
        {
          self->gif_decoy = FALSE;
          g_hash_table_remove (self->durations, &self->packet->pts);
          if (!keep_gif_header (self, error))
            return FALSE;
          av_packet_unref (self->packet);
          continue;
        }
      if (self->gif_header != NULL && !prepend_gif_header (self, error))
        return FALSE;

      if (self->packet->duration == 0)
        self->packet->duration = GPOINTER_TO_SIZE (g_hash_table_lookup (self->durations, &self->packet->pts));
      g_hash_table_remove (self->durations, &self->packet->pts);
      av_packet_rescale_ts (self->packet, self->encoder->time_base, self->video->time_base);
      self->packet->stream_index = self->video->index;
      ret = av_interleaved_write_frame (self->format, self->packet);
      if (ret < 0)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                      _("%s: cannot write frame %u"), self->name, index + 1);
          return FALSE;
        }
    }
}

static gboolean
encode (TesseraMediaWriter  *self,
        AVFrame             *frame,
        guint                index,
        GError             **error)
{
  int ret;

  if (frame != NULL)
    {
      gint64 *pts = g_new (gint64, 1);

      *pts = frame->pts;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
      g_hash_table_insert (self->durations, pts, GSIZE_TO_POINTER ((gsize) frame->duration));
#else
      g_hash_table_insert (self->durations, pts, GSIZE_TO_POINTER ((gsize) frame->pkt_duration));
#endif
    }

  ret = avcodec_send_frame (self->encoder, frame);
  if (ret < 0 && ret != AVERROR_EOF)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot encode frame %u"), self->name, index + 1);
      return FALSE;
    }
  return write_encoded (self, index, error);
}

/* Frames through the palette filter; @frame %NULL drains it. */
static gboolean
filter_and_encode (TesseraMediaWriter  *self,
                   AVFrame             *frame,
                   guint                index,
                   GError             **error)
{
  int ret = av_buffersrc_add_frame_flags (self->buffer_source, frame, AV_BUFFERSRC_FLAG_KEEP_REF);

  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot make the palette of frame %u"), self->name, index + 1);
      return FALSE;
    }

  for (;;)
    {
      gboolean ok;

      ret = av_buffersink_get_frame (self->buffer_sink, self->filtered);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                      _("%s: cannot make the palette of frame %u"), self->name, index + 1);
          return FALSE;
        }
      self->filtered->pict_type = AV_PICTURE_TYPE_NONE;
      ok = encode (self, self->filtered, index, error);
      av_frame_unref (self->filtered);
      if (!ok)
        return FALSE;
    }
}

static gboolean
convert_frame (TesseraMediaWriter  *self,
               TesseraMediaFrame   *frame,
               GError             **error)
{
  enum AVPixelFormat target = self->graph != NULL ? AV_PIX_FMT_RGBA : self->encoder->pix_fmt;
  const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get (target);
  gboolean sixteen_bits = descriptor->comp[0].depth > 8;
  enum AVPixelFormat rgba = sixteen_bits ? AV_PIX_FMT_RGBA64 : AV_PIX_FMT_RGBA;
  g_autofree guint8 *data = NULL;
  gsize stride = (gsize) self->width * (sixteen_bits ? 8 : 4);
  const guint8 *planes[4] = { NULL };
  int strides[4] = { 0 };
  int ret;

  data = g_try_malloc (stride * self->height);
  if (data == NULL)
    return set_no_memory (self, error);
  tessera_media_image_to_rgba (frame->image, data, stride, 4, sixteen_bits);

  av_frame_unref (self->frame);
  self->frame->format = target;
  self->frame->width = (int) self->width;
  self->frame->height = (int) self->height;
  ret = av_frame_get_buffer (self->frame, 0);
  if (ret < 0)
    return set_no_memory (self, error);

  self->sws = sws_getCachedContext (self->sws, self->width, self->height, rgba,
                                    self->width, self->height, target,
                                    SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_BITEXACT,
                                    NULL, NULL, NULL);
  if (self->sws == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: cannot convert frames to %s"), self->name, av_get_pix_fmt_name (target));
      return FALSE;
    }
  if (!(descriptor->flags & AV_PIX_FMT_FLAG_RGB))
    sws_setColorspaceDetails (self->sws, sws_getCoefficients (SWS_CS_DEFAULT), 1,
                              sws_getCoefficients (self->encoder->colorspace),
                              self->encoder->color_range == AVCOL_RANGE_JPEG, 0, 1 << 16, 1 << 16);

  planes[0] = data;
  strides[0] = (int) stride;
  sws_scale (self->sws, planes, strides, 0, (int) self->height, self->frame->data, self->frame->linesize);

  self->frame->pts = frame->pts - self->start_pts;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
  self->frame->duration = frame->duration;
#else
  self->frame->pkt_duration = frame->duration;
#endif
  self->frame->sample_aspect_ratio = (AVRational) { 1, 1 };
  if (target != AV_PIX_FMT_RGBA && !(descriptor->flags & AV_PIX_FMT_FLAG_RGB))
    {
      self->frame->color_range = self->encoder->color_range;
      self->frame->colorspace = self->encoder->colorspace;
      self->frame->color_primaries = self->encoder->color_primaries;
      self->frame->color_trc = self->encoder->color_trc;
    }
  return TRUE;
}

/* A copied packet, moved to the output's stream and clock; packets that
 * end before the first frame written are left out. One that overlaps it
 * stays, a little before it: Opus's first, which the muxer of the input
 * put before the first frame so that its decoder's delay is skipped. */
static gboolean
write_copied (TesseraMediaWriter  *self,
              AVPacket            *packet,
              GError             **error)
{
  AVStream *in;
  AVStream *out;
  gint64 offset;
  int ret;

  if (self->stream_map == NULL || packet->stream_index >= (int) self->source->nb_streams ||
      self->stream_map[packet->stream_index] < 0)
    return TRUE;

  in = self->source->streams[packet->stream_index];
  out = self->format->streams[self->stream_map[packet->stream_index]];
  offset = av_rescale_q (self->start_pts, self->time_base, in->time_base);
  if (packet->pts != AV_NOPTS_VALUE)
    {
      if (packet->pts + MAX (packet->duration, 1) <= offset)
        return TRUE;
      packet->pts -= offset;
    }
  if (packet->dts != AV_NOPTS_VALUE)
    packet->dts -= offset;

  av_packet_rescale_ts (packet, in->time_base, out->time_base);
  packet->stream_index = out->index;
  packet->pos = -1;
  ret = av_interleaved_write_frame (self->format, packet);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot copy stream %d"), self->name, in->index);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_ffmpeg (TesseraMediaWriter  *self,
              TesseraMediaFrame   *frame,
              GError             **error)
{
  if (self->palette != NULL)
    return tessera_media_palette_add (self->palette, frame->image, frame->pts - self->start_pts, frame->duration,
                                      frame->index, error);
  if (!convert_frame (self, frame, error))
    return FALSE;
  if (self->graph != NULL)
    return filter_and_encode (self, self->frame, frame->index, error);
  return encode (self, self->frame, frame->index, error);
}

/* FFmpeg's GIF encoder (5.1 and 6.0 at least) gives the first frame it
 * encodes a local colour table, a copy of the global one, and later frames
 * none where their palette is the same. A decoy takes that first encoding:
 * the first frame with every index changed, so that the real one, which
 * follows, has no pixel in common with it and is written whole. The
 * decoy's packet is dropped but for its header, which goes before the
 * real first frame's. */
static gboolean
encode_gif_decoy (TesseraMediaWriter  *self,
                  AVFrame             *frame,
                  GError             **error)
{
  AVFrame *decoy = av_frame_alloc ();
  gboolean ok;

  if (decoy == NULL)
    return set_no_memory (self, error);
  decoy->format = frame->format;
  decoy->width = frame->width;
  decoy->height = frame->height;
  if (av_frame_get_buffer (decoy, 0) < 0 || av_frame_copy (decoy, frame) < 0 ||
      av_frame_copy_props (decoy, frame) < 0)
    {
      av_frame_free (&decoy);
      return set_no_memory (self, error);
    }
  for (int y = 0; y < decoy->height; y++)
    for (int x = 0; x < decoy->width; x++)
      decoy->data[0][(gsize) y * decoy->linesize[0] + x] ^= 1;

  self->gif_decoy = TRUE;
  ok = encode (self, decoy, 0, error);
  av_frame_free (&decoy);
  return ok;
}

static gboolean
encode_remapped (AVFrame   *frame,
                 guint      index,
                 gpointer   user_data,
                 GError   **error)
{
  TesseraMediaWriter *self = user_data;

  frame->pict_type = AV_PICTURE_TYPE_NONE;
  frame->sample_aspect_ratio = (AVRational) { 1, 1 };
  if (index == 0 && !encode_gif_decoy (self, frame, error))
    return FALSE;
  return encode (self, frame, index, error);
}

static gboolean
finish_ffmpeg (TesseraMediaWriter  *self,
               GError             **error)
{
  int ret;

  if (self->palette != NULL)
    {
      if (!tessera_media_palette_remap (self->palette, encode_remapped, self, error))
        return FALSE;
      g_clear_pointer (&self->palette, tessera_media_palette_free);
    }
  if (self->graph != NULL && !filter_and_encode (self, NULL, G_MAXUINT - 1, error))
    return FALSE;
  if (!encode (self, NULL, G_MAXUINT - 1, error))
    return FALSE;

  ret = av_write_trailer (self->format);
  if (ret >= 0)
    ret = avio_closep (&self->format->pb);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot write"), self->name);
      return FALSE;
    }
  return TRUE;
}

/* Public */

/**
 * tessera_media_writer_new:
 * @file: the output; its name's extension says the container
 * @source: the reader the frames come from, for their clock, the streams
 *   to copy and the codec and colours to keep
 * @options: codec, rate factor, quality
 * @width: the frames' width
 * @height: the frames' height
 * @has_alpha: whether to keep the frames' alpha
 *
 * Returns: (transfer full): the writer, or %NULL with @error set
 */
TesseraMediaWriter *
tessera_media_writer_new (GFile                      *file,
                          TesseraMediaReader         *source,
                          const TesseraMediaOptions  *options,
                          guint                       width,
                          guint                       height,
                          gboolean                    has_alpha,
                          GError                    **error)
{
  g_autoptr(TesseraMediaWriter) self = g_new0 (TesseraMediaWriter, 1);
  g_autofree char *lower = NULL;
  const AVOutputFormat *container = NULL;

  self->name = tessera_file_dup_display_name (file);
  self->width = width;
  self->height = height;
  self->has_alpha = has_alpha;
  self->plays = tessera_media_reader_get_plays (source);
  self->time_base = tessera_media_reader_get_time_base (source);
  self->durations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  if (g_file_peek_path (file) == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: Tessera can only write to local files"), self->name);
      return NULL;
    }
  self->path = g_strdup (g_file_peek_path (file));
  lower = g_ascii_strdown (self->path, -1);

  if (!g_str_has_suffix (lower, ".webp"))
    {
      container = guess_container (self->path);
      if (container == NULL || (container->flags & AVFMT_NOFILE) || container->video_codec == AV_CODEC_ID_NONE)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("%s: cannot tell the container from the name; end it in .mp4, .mkv, .webm, .gif, .png or .webp"),
                       self->name);
          return NULL;
        }
    }

  if (!create_temporary (self, error))
    return NULL;

  if (container == NULL ? !open_webp (self, options, error) : !open_ffmpeg (self, container, source, options, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Writes @frame's packets and, unless it is the reader's last, its image,
 * whose pixels it takes. The first image's time is the output's start. */
gboolean
tessera_media_writer_write (TesseraMediaWriter  *self,
                            TesseraMediaFrame   *frame,
                            GError             **error)
{
  if (frame->image != NULL && !self->started)
    {
      self->start_pts = frame->pts == AV_NOPTS_VALUE ? 0 : frame->pts;
      self->started = TRUE;
    }

  if (self->format != NULL && self->started && frame->packets != NULL)
    for (guint i = 0; i < frame->packets->len; i++)
      if (!write_copied (self, g_ptr_array_index (frame->packets, i), error))
        return FALSE;

  if (frame->image == NULL)
    return TRUE;

  if (frame->image != NULL &&
      (tessera_image_get_width (frame->image) != self->width || tessera_image_get_height (frame->image) != self->height))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("%s: frame %u is not %u×%u like the others"), self->name, frame->index + 1,
                   self->width, self->height);
      return FALSE;
    }

  return self->webp != NULL ? write_webp (self, frame, error) : write_ffmpeg (self, frame, error);
}

/* Ends the file and renames it over the output. */
gboolean
tessera_media_writer_finish (TesseraMediaWriter  *self,
                             GError             **error)
{
  if (self->webp != NULL ? !finish_webp (self, error) : !finish_ffmpeg (self, error))
    return FALSE;

  if (g_rename (self->tmp_path, self->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("%s: cannot write: %s"), self->name, g_strerror (saved_errno));
      return FALSE;
    }
  self->finished = TRUE;
  return TRUE;
}

void
tessera_media_writer_free (TesseraMediaWriter *self)
{
  if (self == NULL)
    return;

  if (self->format != NULL)
    {
      if (self->format->pb != NULL)
        avio_closep (&self->format->pb);
      avformat_free_context (self->format);
    }
  avcodec_free_context (&self->encoder);
  avfilter_graph_free (&self->graph);
  g_clear_pointer (&self->palette, tessera_media_palette_free);
  g_clear_pointer (&self->gif_header, g_bytes_unref);
  av_frame_free (&self->frame);
  av_frame_free (&self->filtered);
  av_packet_free (&self->packet);
  sws_freeContext (self->sws);
  g_clear_pointer (&self->webp, WebPAnimEncoderDelete);
  g_clear_pointer (&self->durations, g_hash_table_unref);
  g_free (self->stream_map);

  if (!self->finished && self->tmp_path != NULL)
    g_unlink (self->tmp_path);
  g_free (self->tmp_path);
  g_free (self->path);
  g_free (self->name);
  g_free (self);
}
