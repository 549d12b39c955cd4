/* test-media.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "tessera.h"
#include "tessera-test-utils.h"

/* Animations and videos through the whole pipeline. The clips are made
 * here with FFmpeg's libraries and libwebp from synthetic frames, so that
 * what the files hold is known without Tessera's reader; the outputs are
 * read back with FFmpeg and libwebp directly for their frame count,
 * timing, loop count and copied audio, and with Tessera's reader for
 * pixels, which must equal single-image upscales of the decoded input
 * frames where the codec is lossless. */

#define WIDTH    48
#define HEIGHT   32
#define N_FRAMES 10

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* A clip's shape: its frames' size and number. */
typedef struct
{
  guint    width;
  guint    height;
  guint    n_frames;
  gboolean still;          /* every frame the first */
  guint    clear_columns;  /* the first columns fully transparent */
} Shape;

static const Shape default_shape = { WIDTH, HEIGHT, N_FRAMES, FALSE };

/* A video's colour tags and the rotation its player applies. */
typedef struct
{
  enum AVColorRange                 range;
  enum AVColorSpace                 matrix;
  enum AVColorPrimaries             primaries;
  enum AVColorTransferCharacteristic transfer;
  double                            rotation;   /* degrees clockwise, as av_display_rotation_set() */
} ClipTags;

/* Frame @index: gradients that move, and an alpha ramp. */
static guint8 *
synthetic_rgba_sized (guint index,
                      guint width,
                      guint height)
{
  guint8 *rgba = g_malloc (width * height * 4);

  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        guint8 *p = rgba + (y * width + x) * 4;

        p[0] = (guint8) (x * 5 + index * 23);
        p[1] = (guint8) (y * 7 + index * 11);
        p[2] = (guint8) ((x ^ y) * 9 + index * 3);
        p[3] = (guint8) (255 - ((x + y + index) % 4) * 40);
      }
  return rgba;
}

static guint8 *
synthetic_rgba (guint index)
{
  return synthetic_rgba_sized (index, WIDTH, HEIGHT);
}

/* Bytes of audio packet @index, for checking the copy bit for bit. */
static void
fill_audio (guint8 *data,
            gsize   size,
            guint   index)
{
  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + index * 7);
}

#define AUDIO_PACKET_BYTES 400   /* 100 stereo s16 samples at 8000 Hz: 12.5 ms */

/* A stream's display matrix, through the API of the FFmpeg at hand. */
static void
set_display_matrix (AVStream     *stream,
                    const gint32 *matrix)
{
#if LIBAVFORMAT_VERSION_MAJOR < 61
  guint8 *data = av_stream_new_side_data (stream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof (gint32));
#else
  AVPacketSideData *side = av_packet_side_data_new (&stream->codecpar->coded_side_data,
                                                    &stream->codecpar->nb_coded_side_data,
                                                    AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof (gint32), 0);
  guint8 *data = side != NULL ? side->data : NULL;
#endif

  g_assert_nonnull (data);
  memcpy (data, matrix, 9 * sizeof (gint32));
}

static const gint32 *
get_display_matrix (AVStream *stream)
{
#if LIBAVFORMAT_VERSION_MAJOR < 61
  size_t size;
  const guint8 *data = av_stream_get_side_data (stream, AV_PKT_DATA_DISPLAYMATRIX, &size);

  return size >= 9 * sizeof (gint32) ? (const gint32 *) data : NULL;
#else
  const AVPacketSideData *side = av_packet_side_data_get (stream->codecpar->coded_side_data,
                                                          stream->codecpar->nb_coded_side_data,
                                                          AV_PKT_DATA_DISPLAYMATRIX);

  return side != NULL && side->size >= 9 * sizeof (gint32) ? (const gint32 *) side->data : NULL;
#endif
}

/* A clip of @shape through libavformat: frames every @frame_ms, and with
 * @audio, a PCM stream of packets made by fill_audio(). */
static void
make_clip_shaped (const char          *path,
                  const char          *container,
                  const char          *codec_name,
                  enum AVPixelFormat   pixel_format,
                  const Shape         *shape,
                  const ClipTags      *tags,
                  guint                frame_ms,
                  gboolean             audio,
                  const char          *loop_option,
                  int                  loop)
{
  const AVCodec *codec = avcodec_find_encoder_by_name (codec_name);
  AVFormatContext *format = NULL;
  AVCodecContext *encoder;
  AVStream *video, *sound = NULL;
  AVFrame *frame = av_frame_alloc ();
  AVPacket *packet = av_packet_alloc ();
  struct SwsContext *sws;
  AVDictionary *options = NULL;
  guint audio_sent = 0;

  g_assert_nonnull (codec);
  g_assert_cmpint (avformat_alloc_output_context2 (&format, NULL, container, path), >=, 0);
  encoder = avcodec_alloc_context3 (codec);
  encoder->width = (int) shape->width;
  encoder->height = (int) shape->height;
  encoder->pix_fmt = pixel_format;
  encoder->time_base = (AVRational) { 1, 1000 };
  encoder->framerate = (AVRational) { 1000, frame_ms };
  if (format->oformat->flags & AVFMT_GLOBALHEADER)
    encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (tags != NULL)
    {
      encoder->color_range = tags->range;
      encoder->colorspace = tags->matrix;
      encoder->color_primaries = tags->primaries;
      encoder->color_trc = tags->transfer;
    }
  g_assert_cmpint (avcodec_open2 (encoder, codec, NULL), >=, 0);
  video = avformat_new_stream (format, NULL);
  avcodec_parameters_from_context (video->codecpar, encoder);
  video->time_base = encoder->time_base;
  if (tags != NULL && tags->rotation != 0)
    {
      gint32 matrix[9];

      av_display_rotation_set (matrix, tags->rotation);
      set_display_matrix (video, matrix);
    }

  if (audio)
    {
      sound = avformat_new_stream (format, NULL);
      sound->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
      sound->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
      sound->codecpar->sample_rate = 8000;
      av_channel_layout_default (&sound->codecpar->ch_layout, 2);
      sound->codecpar->bits_per_coded_sample = 16;
      sound->codecpar->block_align = 4;
      sound->time_base = (AVRational) { 1, 8000 };
    }

  g_assert_cmpint (avio_open (&format->pb, path, AVIO_FLAG_WRITE), >=, 0);
  if (loop_option != NULL)
    av_dict_set_int (&options, loop_option, loop, 0);
  g_assert_cmpint (avformat_write_header (format, &options), >=, 0);
  av_dict_free (&options);

  sws = sws_getContext (shape->width, shape->height, AV_PIX_FMT_RGBA, shape->width, shape->height, pixel_format,
                        SWS_BICUBIC | SWS_BITEXACT, NULL, NULL, NULL);
  for (guint i = 0; i <= shape->n_frames; i++)
    {
      if (i < shape->n_frames)
        {
          g_autofree guint8 *rgba = synthetic_rgba_sized (shape->still ? 0 : i, shape->width, shape->height);
          const guint8 *planes[1] = { rgba };

          for (guint y = 0; y < shape->height; y++)
            for (guint x = 0; x < shape->clear_columns; x++)
              rgba[(y * shape->width + x) * 4 + 3] = 0;
          int strides[1] = { (int) shape->width * 4 };

          frame->format = pixel_format;
          frame->width = (int) shape->width;
          frame->height = (int) shape->height;
          g_assert_cmpint (av_frame_get_buffer (frame, 0), >=, 0);
          sws_scale (sws, planes, strides, 0, (int) shape->height, frame->data, frame->linesize);
          if (tags != NULL)
            {
              frame->color_range = tags->range;
              frame->colorspace = tags->matrix;
              frame->color_primaries = tags->primaries;
              frame->color_trc = tags->transfer;
            }
          frame->pts = i * frame_ms;
          frame->pkt_duration = frame_ms;
          g_assert_cmpint (avcodec_send_frame (encoder, frame), >=, 0);
          av_frame_unref (frame);
        }
      else
        avcodec_send_frame (encoder, NULL);

      while (avcodec_receive_packet (encoder, packet) == 0)
        {
          if (packet->duration == 0)
            packet->duration = frame_ms;
          av_packet_rescale_ts (packet, encoder->time_base, video->time_base);
          packet->stream_index = video->index;
          g_assert_cmpint (av_interleaved_write_frame (format, packet), >=, 0);
        }

      /* Audio up to the end of this frame. */
      while (sound != NULL && audio_sent * 100 * 1000 < (i + 1) * frame_ms * 8000u && audio_sent < 64)
        {
          g_assert_cmpint (av_new_packet (packet, AUDIO_PACKET_BYTES), >=, 0);
          fill_audio (packet->data, AUDIO_PACKET_BYTES, audio_sent);
          packet->pts = packet->dts = audio_sent * 100;
          packet->duration = 100;
          packet->stream_index = sound->index;
          av_packet_rescale_ts (packet, (AVRational) { 1, 8000 }, sound->time_base);
          g_assert_cmpint (av_interleaved_write_frame (format, packet), >=, 0);
          audio_sent++;
        }
    }

  g_assert_cmpint (av_write_trailer (format), >=, 0);
  avio_closep (&format->pb);
  sws_freeContext (sws);
  av_packet_free (&packet);
  av_frame_free (&frame);
  avcodec_free_context (&encoder);
  avformat_free_context (format);
}

static void
make_clip (const char          *path,
           const char          *container,
           const char          *codec_name,
           enum AVPixelFormat   pixel_format,
           guint                frame_ms,
           gboolean             audio,
           const char          *loop_option,
           int                  loop)
{
  make_clip_shaped (path, container, codec_name, pixel_format, &default_shape, NULL, frame_ms, audio,
                    loop_option, loop);
}

static void
make_webp (const char *path,
           guint       frame_ms,
           int         loop_count)
{
  WebPAnimEncoderOptions options;
  WebPConfig config;
  WebPAnimEncoder *encoder;
  WebPData data;

  g_assert_true (WebPAnimEncoderOptionsInit (&options));
  options.anim_params.loop_count = loop_count;
  g_assert_true (WebPConfigInit (&config));
  config.lossless = 1;
  config.exact = 1;
  encoder = WebPAnimEncoderNew (WIDTH, HEIGHT, &options);
  for (guint i = 0; i < N_FRAMES; i++)
    {
      g_autofree guint8 *rgba = synthetic_rgba (i);
      WebPPicture picture;

      WebPPictureInit (&picture);
      picture.width = WIDTH;
      picture.height = HEIGHT;
      picture.use_argb = 1;
      g_assert_true (WebPPictureImportRGBA (&picture, rgba, WIDTH * 4));
      g_assert_true (WebPAnimEncoderAdd (encoder, &picture, i * frame_ms, &config));
      WebPPictureFree (&picture);
    }
  g_assert_true (WebPAnimEncoderAdd (encoder, NULL, N_FRAMES * frame_ms, NULL));
  g_assert_true (WebPAnimEncoderAssemble (encoder, &data));
  g_assert_true (g_file_set_contents (path, (const char *) data.bytes, data.size, NULL));
  WebPDataClear (&data);
  WebPAnimEncoderDelete (encoder);
}

/* What a file holds, read with FFmpeg itself. */
typedef struct
{
  guint     n_frames;
  gint64    pts_ms[64];
  int       width;
  int       height;
  GPtrArray *audio;    /* of GBytes */
  gint64    audio_pts_ms[64];
} Probe;

static void
probe_clear (Probe *probe)
{
  g_clear_pointer (&probe->audio, g_ptr_array_unref);
}

static void
probe_ffmpeg (const char *path,
              Probe      *probe)
{
  AVFormatContext *format = NULL;
  AVPacket *packet = av_packet_alloc ();
  int video;

  memset (probe, 0, sizeof *probe);
  probe->audio = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_assert_cmpint (avformat_open_input (&format, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (format, NULL), >=, 0);
  video = av_find_best_stream (format, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  g_assert_cmpint (video, >=, 0);
  probe->width = format->streams[video]->codecpar->width;
  probe->height = format->streams[video]->codecpar->height;

  while (av_read_frame (format, packet) >= 0)
    {
      AVStream *stream = format->streams[packet->stream_index];

      if (packet->stream_index == video)
        {
          g_assert_cmpuint (probe->n_frames, <, G_N_ELEMENTS (probe->pts_ms));
          probe->pts_ms[probe->n_frames++] = av_rescale_q (packet->pts, stream->time_base, (AVRational) { 1, 1000 });
        }
      else if (stream->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
        {
          if (probe->audio->len < G_N_ELEMENTS (probe->audio_pts_ms))
            probe->audio_pts_ms[probe->audio->len] = av_rescale_q (packet->pts, stream->time_base,
                                                                   (AVRational) { 1, 1000 });
          g_ptr_array_add (probe->audio, g_bytes_new (packet->data, packet->size));
        }
      av_packet_unref (packet);
    }

  av_packet_free (&packet);
  avformat_close_input (&format);
}

static TesseraUpscaleOptions *
options_for (const char *upscaler,
             double      scale)
{
  TesseraUpscaleOptions *options = tessera_upscale_options_new ();

  tessera_upscale_options_set_upscaler (options, upscaler);
  tessera_upscale_options_set_scale (options, scale);
  return options;
}

static void
upscale_file (const char                *input,
              const char                *output,
              TesseraUpscaleOptions     *options,
              const TesseraMediaOptions *media_options)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_engine_upscale_media (engine, in, out, options, media_options, NULL, NULL, NULL,
                                               NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_same_rgba8 (TesseraImage *a,
                   TesseraImage *b,
                   gboolean      alpha)
{
  guint n = tessera_image_get_width (a) * tessera_image_get_height (a);

  g_assert_cmpuint (tessera_image_get_width (a), ==, tessera_image_get_width (b));
  g_assert_cmpuint (tessera_image_get_height (a), ==, tessera_image_get_height (b));
  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    {
      const float *pa = tessera_image_get_plane (a, c);
      const float *pb = tessera_image_get_plane (b, c);

      for (guint i = 0; i < n; i++)
        {
          int va = (int) (CLAMP (pa[i], 0.f, 1.f) * 255.f + 0.5f);
          int vb = (int) (CLAMP (pb[i], 0.f, 1.f) * 255.f + 0.5f);

          if (va != vb)
            g_error ("plane %u pixel %u: %d, expected %d", c, i, va, vb);
        }
    }
}

/* Each output frame equals the single-image upscale of the input's frame. */
static void
check_pixels (const char            *input,
              const char            *output,
              TesseraUpscaleOptions *options,
              guint                  first,
              gboolean               alpha)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GFile) in_file = g_file_new_for_path (input);
  g_autoptr(GFile) out_file = g_file_new_for_path (output);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) in = tessera_media_reader_new (in_file, &error);
  g_autoptr(TesseraMediaReader) out = tessera_media_reader_new (out_file, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (tessera_media_reader_get_has_alpha (out), ==, alpha);
  for (guint i = 1; i < first; i++)
    {
      g_autoptr(TesseraImage) skipped = tessera_media_reader_read_frame (in, NULL, NULL, &error);

      g_assert_nonnull (skipped);
    }

  for (;;)
    {
      g_autoptr(TesseraImage) got = tessera_media_reader_read_frame (out, NULL, NULL, &error);
      g_autoptr(TesseraImage) source = NULL;
      g_autoptr(TesseraImage) expected = NULL;

      g_assert_no_error (error);
      if (got == NULL)
        break;
      source = tessera_media_reader_read_frame (in, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (source);
      expected = tessera_engine_upscale (engine, source, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_rgba8 (got, expected, alpha);
      n++;
    }
  g_assert_cmpuint (n, >, 0);
}

static void
assert_no_leftovers (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_false (name[0] == '.');
}

static void
test_ffv1_audio (void)
{
  g_autofree char *input = tmp_path ("clip.mkv");
  g_autofree char *output = tmp_path ("clip-x2.mkv");
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);
  Probe before, after;

  make_clip (input, "matroska", "ffv1", AV_PIX_FMT_BGR0, 40, TRUE, NULL, 0);
  upscale_file (input, output, options, NULL);

  probe_ffmpeg (input, &before);
  probe_ffmpeg (output, &after);
  g_assert_cmpuint (after.n_frames, ==, N_FRAMES);
  g_assert_cmpint (after.width, ==, WIDTH * 2);
  g_assert_cmpint (after.height, ==, HEIGHT * 2);
  for (guint i = 0; i < N_FRAMES; i++)
    g_assert_cmpint (after.pts_ms[i], ==, before.pts_ms[i]);

  /* Every audio packet, bit for bit, in order. */
  g_assert_cmpuint (before.audio->len, >, 10);
  g_assert_cmpuint (after.audio->len, ==, before.audio->len);
  for (guint i = 0; i < before.audio->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (before.audio, i), g_ptr_array_index (after.audio, i)));

  check_pixels (input, output, options, 1, FALSE);
  probe_clear (&before);
  probe_clear (&after);
  assert_no_leftovers ();
}

static void
test_h264 (void)
{
  g_autofree char *input = tmp_path ("clip.mp4");
  g_autofree char *output = tmp_path ("clip-x2.mp4");
  g_autoptr(TesseraUpscaleOptions) options = options_for ("bilinear", 2);
  g_autoptr(TesseraMediaOptions) media_options = tessera_media_options_new ();
  Probe before, after;

  if (avcodec_find_encoder_by_name ("libx264") == NULL)
    {
      g_test_skip ("this FFmpeg has no libx264");
      return;
    }

  make_clip (input, "mp4", "libx264", AV_PIX_FMT_YUV420P, 40, FALSE, NULL, 0);
  media_options->crf = 30;
  upscale_file (input, output, options, media_options);

  probe_ffmpeg (input, &before);
  probe_ffmpeg (output, &after);
  g_assert_cmpuint (after.n_frames, ==, before.n_frames);
  g_assert_cmpuint (after.n_frames, ==, N_FRAMES);
  g_assert_cmpint (after.width, ==, WIDTH * 2);
  g_assert_cmpint (after.height, ==, HEIGHT * 2);
  /* Packets come in decoding order: compare the sorted times. */
  for (guint i = 0; i < N_FRAMES; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < N_FRAMES; j++)
        found |= after.pts_ms[j] == before.pts_ms[i];
      g_assert_true (found);
    }
  probe_clear (&before);
  probe_clear (&after);
}

/* Reads every frame of @path. */
static GPtrArray *
read_frames (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) reader = tessera_media_reader_new (file, &error);
  GPtrArray *frames = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  for (;;)
    {
      TesseraImage *image = tessera_media_reader_read_frame (reader, NULL, NULL, &error);

      g_assert_no_error (error);
      if (image == NULL)
        break;
      g_ptr_array_add (frames, image);
    }
  return frames;
}

/* The first of @names this FFmpeg encodes with, or NULL. */
static const AVCodec *
find_encoder (const char * const *names)
{
  for (; *names != NULL; names++)
    {
      const AVCodec *codec = avcodec_find_encoder_by_name (*names);

      if (codec != NULL)
        return codec;
    }
  return NULL;
}

/* Audio frame @index of a stereo 440 Hz tone, in @frame's format. */
static void
fill_tone (AVFrame *frame,
           guint    index)
{
  for (int i = 0; i < frame->nb_samples; i++)
    for (int c = 0; c < 2; c++)
      {
        double t = (double) (index * frame->nb_samples + i) / frame->sample_rate;
        float value = (float) (0.3 * sin (2 * G_PI * (440.0 + 110.0 * c) * t));

        switch (frame->format)
          {
          case AV_SAMPLE_FMT_S16:
            ((gint16 *) frame->data[0])[i * 2 + c] = (gint16) (value * 32767);
            break;
          case AV_SAMPLE_FMT_FLT:
            ((float *) frame->data[0])[i * 2 + c] = value;
            break;
          case AV_SAMPLE_FMT_FLTP:
            ((float *) frame->data[c])[i] = value;
            break;
          default:
            g_error ("no tone in sample format %s", av_get_sample_fmt_name (frame->format));
          }
      }
}

static void
write_packets (AVFormatContext *format,
               AVCodecContext  *encoder,
               AVStream        *stream,
               AVPacket        *packet)
{
  while (avcodec_receive_packet (encoder, packet) == 0)
    {
      av_packet_rescale_ts (packet, encoder->time_base, stream->time_base);
      packet->stream_index = stream->index;
      g_assert_cmpint (av_interleaved_write_frame (format, packet), >=, 0);
    }
}

/* A WebM clip of @n_frames synthetic frames, every @frame_ms, in @video,
 * with a tone as long in @audio. */
static void
make_webm (const char    *path,
           const AVCodec *video,
           const AVCodec *audio,
           guint          n_frames,
           guint          frame_ms)
{
  AVFormatContext *format = NULL;
  AVCodecContext *video_encoder = avcodec_alloc_context3 (video);
  AVCodecContext *audio_encoder = avcodec_alloc_context3 (audio);
  AVStream *video_stream, *audio_stream;
  AVFrame *frame = av_frame_alloc ();
  AVPacket *packet = av_packet_alloc ();
  struct SwsContext *sws;
  guint audio_sent = 0;

  g_assert_cmpint (avformat_alloc_output_context2 (&format, NULL, "webm", path), >=, 0);

  video_encoder->width = WIDTH;
  video_encoder->height = HEIGHT;
  video_encoder->pix_fmt = AV_PIX_FMT_YUV420P;
  video_encoder->time_base = (AVRational) { 1, 1000 };
  video_encoder->framerate = (AVRational) { 1000, frame_ms };
  video_encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  g_assert_cmpint (avcodec_open2 (video_encoder, video, NULL), >=, 0);
  video_stream = avformat_new_stream (format, NULL);
  avcodec_parameters_from_context (video_stream->codecpar, video_encoder);
  video_stream->time_base = video_encoder->time_base;

  audio_encoder->sample_rate = 48000;
  audio_encoder->sample_fmt = audio->sample_fmts[0];
  av_channel_layout_default (&audio_encoder->ch_layout, 2);
  audio_encoder->bit_rate = 64000;
  audio_encoder->time_base = (AVRational) { 1, 48000 };
  audio_encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  g_assert_cmpint (avcodec_open2 (audio_encoder, audio, NULL), >=, 0);
  audio_stream = avformat_new_stream (format, NULL);
  avcodec_parameters_from_context (audio_stream->codecpar, audio_encoder);
  audio_stream->time_base = audio_encoder->time_base;

  g_assert_cmpint (avio_open (&format->pb, path, AVIO_FLAG_WRITE), >=, 0);
  g_assert_cmpint (avformat_write_header (format, NULL), >=, 0);

  sws = sws_getContext (WIDTH, HEIGHT, AV_PIX_FMT_RGBA, WIDTH, HEIGHT, AV_PIX_FMT_YUV420P,
                        SWS_BICUBIC | SWS_BITEXACT, NULL, NULL, NULL);
  for (guint i = 0; i <= n_frames; i++)
    {
      if (i < n_frames)
        {
          g_autofree guint8 *rgba = synthetic_rgba (i);
          const guint8 *planes[1] = { rgba };
          int strides[1] = { WIDTH * 4 };

          frame->format = AV_PIX_FMT_YUV420P;
          frame->width = WIDTH;
          frame->height = HEIGHT;
          g_assert_cmpint (av_frame_get_buffer (frame, 0), >=, 0);
          sws_scale (sws, planes, strides, 0, HEIGHT, frame->data, frame->linesize);
          frame->pts = i * frame_ms;
          g_assert_cmpint (avcodec_send_frame (video_encoder, frame), >=, 0);
          av_frame_unref (frame);
        }
      else
        avcodec_send_frame (video_encoder, NULL);
      write_packets (format, video_encoder, video_stream, packet);

      /* The tone up to the end of this frame, then to the end. */
      while ((i < n_frames && (gint64) audio_sent * audio_encoder->frame_size * 1000 < (gint64) (i + 1) * frame_ms * 48000) ||
             (i == n_frames && audio_sent != G_MAXUINT))
        {
          if (i == n_frames)
            {
              avcodec_send_frame (audio_encoder, NULL);
              write_packets (format, audio_encoder, audio_stream, packet);
              audio_sent = G_MAXUINT;
              break;
            }
          frame->format = audio_encoder->sample_fmt;
          frame->nb_samples = audio_encoder->frame_size;
          frame->sample_rate = 48000;
          av_channel_layout_copy (&frame->ch_layout, &audio_encoder->ch_layout);
          g_assert_cmpint (av_frame_get_buffer (frame, 0), >=, 0);
          fill_tone (frame, audio_sent);
          frame->pts = (gint64) audio_sent * audio_encoder->frame_size;
          g_assert_cmpint (avcodec_send_frame (audio_encoder, frame), >=, 0);
          av_frame_unref (frame);
          write_packets (format, audio_encoder, audio_stream, packet);
          audio_sent++;
        }
    }

  g_assert_cmpint (av_write_trailer (format), >=, 0);
  avio_closep (&format->pb);
  sws_freeContext (sws);
  av_packet_free (&packet);
  av_frame_free (&frame);
  avcodec_free_context (&video_encoder);
  avcodec_free_context (&audio_encoder);
  avformat_free_context (format);
}

/* How far apart two frames' colours are, in levels on average. */
static double
mean_difference (TesseraImage *a,
                 TesseraImage *b)
{
  guint n = tessera_image_get_width (a) * tessera_image_get_height (a);
  double sum = 0.0;

  g_assert_cmpuint (tessera_image_get_width (a), ==, tessera_image_get_width (b));
  g_assert_cmpuint (tessera_image_get_height (a), ==, tessera_image_get_height (b));
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < n; i++)
      sum += fabs (tessera_image_get_plane (a, c)[i] - tessera_image_get_plane (b, c)[i]);
  return 255.0 * sum / (3.0 * n);
}

/* A WebM clip, VP9 (or VP8) with Opus (or Vorbis) sound, upscaled to
 * WebM: every frame at its time, twice the size, the sound's packets
 * bit for bit, and each frame near the single-image upscale of the
 * input's decoded frame. */
static void
test_webm (void)
{
  static const char * const video_names[] = { "libvpx-vp9", "libvpx", NULL };
  static const char * const audio_names[] = { "libopus", "libvorbis", NULL };
  const AVCodec *video = find_encoder (video_names);
  const AVCodec *audio = find_encoder (audio_names);
  g_autofree char *input = tmp_path ("clip.webm");
  g_autofree char *output = tmp_path ("clip-x2.webm");
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("bilinear", 2);
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) upscaled = NULL;
  g_autoptr(GError) error = NULL;
  double first_generation = 0.0, second_generation = 0.0;
  Probe before, after;

  if (video == NULL || audio == NULL)
    {
      g_test_skip (video == NULL ? "this FFmpeg has no VP9 or VP8 encoder" : "this FFmpeg has no Opus or Vorbis encoder");
      return;
    }
  g_test_message ("%s video, %s sound", video->name, audio->name);

  make_webm (input, video, audio, N_FRAMES, 40);
  upscale_file (input, output, options, NULL);

  probe_ffmpeg (input, &before);
  probe_ffmpeg (output, &after);
  g_assert_cmpuint (before.n_frames, ==, N_FRAMES);
  g_assert_cmpuint (after.n_frames, ==, N_FRAMES);
  g_assert_cmpint (after.width, ==, WIDTH * 2);
  g_assert_cmpint (after.height, ==, HEIGHT * 2);
  /* Opus starts before the first frame, by its encoder's delay (6.5 ms),
   * which the muxers shift the file's times by: the times are compared
   * from the first frame's, the sound's included, in sync to that delay
   * and the millisecond the probe rounds to. FFmpeg 5.1's Matroska muxer
   * and demuxer move the video by the delay on a remux, `ffmpeg -c copy`
   * as much as Tessera: well under what anyone sees (BT.1359 puts it at
   * 45 ms of sound ahead of the picture). */
  for (guint i = 0; i < N_FRAMES; i++)
    g_assert_cmpint (after.pts_ms[i] - after.pts_ms[0], ==, before.pts_ms[i] - before.pts_ms[0]);
  g_assert_cmpuint (before.audio->len, >=, 10);
  g_assert_cmpuint (after.audio->len, ==, before.audio->len);
  for (guint i = 0; i < before.audio->len; i++)
    {
      gint64 before_ms = before.audio_pts_ms[i] - before.pts_ms[0];
      gint64 after_ms = after.audio_pts_ms[i] - after.pts_ms[0];

      g_assert_true (g_bytes_equal (g_ptr_array_index (before.audio, i), g_ptr_array_index (after.audio, i)));
      g_assert_cmpint (ABS (after_ms - before_ms), <=, 8);
    }

  /* The encoder is lossy: the bound is what it lost of the synthetic
   * frames in making the input, measured here, twice over (the output
   * is a second generation, of frames four times as large and smoother,
   * so it loses no more than the first), plus a level of rounding. The
   * first generation loses 14 levels at the encoders' defaults (VP9, 5.1):
   * 3.6 of them to 4:2:0 chroma, which halves the blue pattern that
   * changes every pixel, the rest to wrapping gradients that compress
   * badly; over 20, the input is not what the test thinks. */
  sources = read_frames (input);
  upscaled = read_frames (output);
  g_assert_cmpuint (sources->len, ==, N_FRAMES);
  g_assert_cmpuint (upscaled->len, ==, N_FRAMES);
  for (guint i = 0; i < N_FRAMES; i++)
    {
      g_autofree guint8 *rgba = synthetic_rgba (i);
      g_autoptr(TesseraImage) synthetic = tessera_image_new (WIDTH, HEIGHT, FALSE, &error);
      g_autoptr(TesseraImage) expected = NULL;

      g_assert_no_error (error);
      for (guint c = 0; c < 3; c++)
        for (guint j = 0; j < WIDTH * HEIGHT; j++)
          tessera_image_get_plane (synthetic, c)[j] = rgba[j * 4 + c] / 255.f;
      first_generation = MAX (first_generation, mean_difference (g_ptr_array_index (sources, i), synthetic));

      expected = tessera_engine_upscale (engine, g_ptr_array_index (sources, i), options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      second_generation = MAX (second_generation, mean_difference (g_ptr_array_index (upscaled, i), expected));
    }
  g_test_message ("levels lost on average: %.2f making the input, %.2f upscaling it", first_generation,
                  second_generation);
  g_assert_cmpfloat (first_generation, <, 20.0);
  g_assert_cmpfloat (second_generation, <, 2.0 * first_generation + 1.0);

  probe_clear (&before);
  probe_clear (&after);
  assert_no_leftovers ();
}

/* An animation of @shape, its frames every @frame_ms. */
static void
check_animation_shape (const char  *output,
                       guint        plays,
                       guint        frame_ms,
                       const Shape *shape)
{
  g_autoptr(GFile) file = g_file_new_for_path (output);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) reader = tessera_media_reader_new (file, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (tessera_media_reader_get_kind (reader), ==, TESSERA_MEDIA_KIND_ANIMATION);
  g_assert_cmpuint (tessera_media_reader_get_width (reader), ==, shape->width);
  g_assert_cmpuint (tessera_media_reader_get_height (reader), ==, shape->height);
  g_assert_cmpuint (tessera_media_reader_get_plays (reader), ==, plays);
  for (;;)
    {
      gint64 timestamp, duration;
      g_autoptr(TesseraImage) image = tessera_media_reader_read_frame (reader, &timestamp, &duration, &error);

      g_assert_no_error (error);
      if (image == NULL)
        break;
      g_assert_cmpint (timestamp / 1000, ==, n * frame_ms);
      n++;
    }
  g_assert_cmpuint (n, ==, shape->n_frames);
}

static void
check_animation (const char *input,
                 const char *output,
                 guint       plays,
                 guint       frame_ms,
                 gboolean    alpha)
{
  const Shape doubled = { WIDTH * 2, HEIGHT * 2, N_FRAMES, FALSE };

  check_animation_shape (output, plays, frame_ms, &doubled);
  (void) input;
  (void) alpha;
}

static void
test_apng (void)
{
  g_autofree char *input = tmp_path ("anim.png");
  g_autofree char *output = tmp_path ("anim-x2.png");
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);

  make_clip (input, "apng", "apng", AV_PIX_FMT_RGBA, 50, FALSE, "plays", 3);
  upscale_file (input, output, options, NULL);
  check_animation (input, output, 3, 50, TRUE);
  check_pixels (input, output, options, 1, TRUE);
}

static void
test_gif (void)
{
  g_autofree char *input = tmp_path ("anim.gif");
  g_autofree char *output = tmp_path ("anim-x2.gif");
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);

  /* FFmpeg's GIF muxer writes loop=2 as two repeats: three showings. */
  make_clip (input, "gif", "gif", AV_PIX_FMT_RGB8, 60, FALSE, "loop", 2);
  upscale_file (input, output, options, NULL);
  check_animation (input, output, 3, 60, TRUE);
}

static void
test_webp (void)
{
  g_autofree char *input = tmp_path ("anim.webp");
  g_autofree char *output = tmp_path ("anim-x2.webp");
  g_autoptr(TesseraUpscaleOptions) options = options_for ("lanczos", 2);

  make_webp (input, 70, 4);
  upscale_file (input, output, options, NULL);
  check_animation (input, output, 4, 70, TRUE);
  check_pixels (input, output, options, 1, TRUE);
}

/* A GIF's blocks, walked as the GIF89a specification lays them out. */
typedef struct
{
  gboolean global_table;
  guint    n_images;
  guint    n_local_tables;
  guint    delays_cs[64];        /* each image's, from its graphic control extension */
  gboolean transparent[64];      /* whether that extension names a transparent index */
} GifBlocks;

static gsize
skip_sub_blocks (const guint8 *data,
                 gsize         size,
                 gsize         at)
{
  while (at < size && data[at] != 0)
    at += data[at] + 1;
  g_assert_cmpuint (at, <, size);
  return at + 1;
}

static void
parse_gif (const char *path,
           GifBlocks  *blocks)
{
  g_autofree guint8 *data = NULL;
  gsize size, at = 13;
  guint delay = 0;
  gboolean transparent = FALSE;

  memset (blocks, 0, sizeof *blocks);
  g_assert_true (g_file_get_contents (path, (char **) &data, &size, NULL));
  g_assert_cmpuint (size, >, 13);
  g_assert_cmpmem (data, 6, "GIF89a", 6);
  blocks->global_table = (data[10] & 0x80) != 0;
  if (blocks->global_table)
    at += 3u << ((data[10] & 7) + 1);

  for (;;)
    {
      g_assert_cmpuint (at, <, size);
      switch (data[at++])
        {
        case 0x3b:  /* trailer */
          return;
        case 0x21:  /* extension */
          g_assert_cmpuint (at + 6, <, size);
          if (data[at] == 0xf9)
            {
              transparent = data[at + 2] & 1;
              delay = data[at + 3] | data[at + 4] << 8;
            }
          at = skip_sub_blocks (data, size, at + 1);
          break;
        case 0x2c:  /* image */
          g_assert_cmpuint (at + 9, <, size);
          g_assert_cmpuint (blocks->n_images, <, G_N_ELEMENTS (blocks->delays_cs));
          blocks->delays_cs[blocks->n_images] = delay;
          blocks->transparent[blocks->n_images] = transparent;
          blocks->n_images++;
          if (data[at + 8] & 0x80)
            {
              blocks->n_local_tables++;
              at += 3u << ((data[at + 8] & 7) + 1);
            }
          at = skip_sub_blocks (data, size, at + 9 + 1);
          break;
        default:
          g_error ("%s: unknown GIF block 0x%02x at %" G_GSIZE_FORMAT, path, data[at - 1], at - 1);
        }
    }
}

static guint
count_hidden_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    n += name[0] == '.';
  return n;
}

typedef struct
{
  GCancellable *cancel_at_frame_2;
  guint         n_reports;
  guint         most_hidden;
} SpoolWatch;

/* Called as frames are spooled: the output's temporary file and the
 * spool lie beside the output. */
static void
watch_spool_cb (double      fraction,
                const char *text,
                gpointer    user_data)
{
  SpoolWatch *watch = user_data;

  watch->most_hidden = MAX (watch->most_hidden, count_hidden_files ());
  if (++watch->n_reports == 2 && watch->cancel_at_frame_2 != NULL)
    g_cancellable_cancel (watch->cancel_at_frame_2);
}

/* A GIF with one palette for all its frames, by libimagequant or (with
 * @quantizer "ffmpeg") by FFmpeg's filters: one global colour table and
 * no local ones; every frame, its timing and its clear pixels kept; the
 * colours near the upscaled frames'; the spool gone once it is written,
 * and when the run is cancelled half way. A palette per frame, asked for,
 * gives the frames tables of their own. */
static void
check_gif_palette (const char *quantizer)
{
  g_autofree char *input = tmp_path ("palette.png");
  g_autofree char *output = tmp_path ("palette-x2.gif");
  g_autofree char *per_frame_output = tmp_path ("palette-per-frame-x2.gif");
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);
  g_autoptr(TesseraMediaOptions) media_options = tessera_media_options_new ();
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) written = NULL;
  g_autoptr(GError) error = NULL;
  const Shape shape = { WIDTH, HEIGHT, 6, FALSE, 5 };
  SpoolWatch watch = { NULL, 0, 0 };
  GifBlocks blocks;

  g_setenv ("TESSERA_GIF_QUANTIZER", quantizer, TRUE);
  make_clip_shaped (input, "apng", "apng", AV_PIX_FMT_RGBA, &shape, NULL, 60, FALSE, "plays", 0);
  g_assert_cmpint (media_options->gif_palette, ==, TESSERA_MEDIA_GIF_PALETTE_GLOBAL);
  g_assert_true (tessera_engine_upscale_media (engine, in, out, options, NULL, NULL, watch_spool_cb, &watch,
                                               NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (watch.n_reports, ==, shape.n_frames);
  g_assert_cmpuint (watch.most_hidden, ==, 2);
  assert_no_leftovers ();

  parse_gif (output, &blocks);
  g_assert_true (blocks.global_table);
  g_assert_cmpuint (blocks.n_images, ==, shape.n_frames);
  g_assert_cmpuint (blocks.n_local_tables, ==, 0);
  for (guint i = 0; i < blocks.n_images; i++)
    {
      g_assert_cmpuint (blocks.delays_cs[i], ==, 6);
      g_assert_true (blocks.transparent[i]);
    }

  /* Clear where the input is, opaque elsewhere, and each colour near the
   * upscaled frame's. A palette of 256 colours spread evenly over the RGB
   * cube is 6.3 colours a side, 40 levels apart: a colour is 10 levels
   * from its entry on average, and dithering adds noise while keeping the
   * average of an area. Measured with PIL's quantize on these frames
   * (dithered): the 216 web-safe colours miss by 15.6 levels, the first
   * frame's own palette by 14 to 22 on the later frames, a median cut of
   * all the frames by 12.5, a palette per frame by 6; libimagequant's
   * global palette misses by 9 to 9.6, FFmpeg's by 10.4 to 11.5. Under 12
   * takes a palette made from every frame. Each frame's average colour
   * stays within 2 levels (1.3 at most, measured). */
  sources = read_frames (input);
  written = read_frames (output);
  g_assert_cmpuint (written->len, ==, shape.n_frames);
  for (guint i = 0; i < written->len; i++)
    {
      g_autoptr(TesseraImage) expected = tessera_engine_upscale (engine, g_ptr_array_index (sources, i), options,
                                                                 NULL, NULL, NULL, &error);
      TesseraImage *got = g_ptr_array_index (written, i);
      guint width = tessera_image_get_width (got);
      guint n = width * tessera_image_get_height (got), n_opaque = 0;
      double error_sum = 0.0, bias[3] = { 0.0 };

      g_assert_no_error (error);
      g_assert_cmpuint (width, ==, WIDTH * 2);
      g_assert_true (tessera_image_get_has_alpha (got));
      for (guint j = 0; j < n; j++)
        {
          gboolean clear = j % width < 2 * shape.clear_columns;

          g_assert_cmpfloat (tessera_image_get_plane (got, 3)[j], ==, clear ? 0.f : 1.f);
          if (clear)
            continue;
          n_opaque++;
          for (guint c = 0; c < 3; c++)
            {
              double difference = 255.0 * (tessera_image_get_plane (got, c)[j] -
                                            tessera_image_get_plane (expected, c)[j]);

              error_sum += fabs (difference);
              bias[c] += difference;
            }
        }
      g_test_message ("%s, frame %u: %.2f levels apart on average, bias %.2f %.2f %.2f", quantizer, i + 1,
                      error_sum / (3.0 * n_opaque), bias[0] / n_opaque, bias[1] / n_opaque, bias[2] / n_opaque);
      g_assert_cmpfloat (error_sum / (3.0 * n_opaque), <, 12.0);
      for (guint c = 0; c < 3; c++)
        g_assert_cmpfloat (fabs (bias[c] / n_opaque), <, 2.0);
    }

  /* Cancelled while frames are spooled, nothing is left. */
  watch = (SpoolWatch) { cancellable, 0, 0 };
  g_assert_true (g_file_delete (out, NULL, NULL));
  g_assert_false (tessera_engine_upscale_media (engine, in, out, options, NULL, cancellable, watch_spool_cb, &watch,
                                                NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (watch.most_hidden, ==, 2);
  g_assert_false (g_file_query_exists (out, NULL));
  assert_no_leftovers ();

  media_options->gif_palette = TESSERA_MEDIA_GIF_PALETTE_PER_FRAME;
  upscale_file (input, per_frame_output, options, media_options);
  parse_gif (per_frame_output, &blocks);
  g_assert_cmpuint (blocks.n_images, ==, shape.n_frames);
  g_assert_cmpuint (blocks.n_local_tables, >=, shape.n_frames - 1);
  g_unsetenv ("TESSERA_GIF_QUANTIZER");
}

static void
test_gif_palette_libimagequant (void)
{
#if HAVE_LIBIMAGEQUANT
  check_gif_palette ("libimagequant");
#else
  g_test_skip ("Tessera is built without libimagequant");
#endif
}

static void
test_gif_palette_ffmpeg (void)
{
  check_gif_palette ("ffmpeg");
}

/* The tiny Compact model on every frame, and only frames 3 to 6. */
static void
test_model_frames (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "models", "tiny-compact.safetensors", NULL);
  g_autofree char *input = tmp_path ("model.webp");
  g_autofree char *output = tmp_path ("model-x.webp");
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(TesseraMediaOptions) media_options = tessera_media_options_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraMediaReader) reader = NULL;
  g_autoptr(GError) error = NULL;

  tessera_upscale_options_set_upscaler (options, model);
  media_options->first_frame = 3;
  media_options->last_frame = 6;
  make_webp (input, 40, 0);
  upscale_file (input, output, options, media_options);

  file = g_file_new_for_path (output);
  reader = tessera_media_reader_new (file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_media_reader_get_n_frames (reader), ==, 4);
  check_pixels (input, output, options, 3, TRUE);
}

static void
assert_fails_naming (const char *input,
                     const char *output)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (input);

  g_assert_false (tessera_engine_upscale_media (engine, in, out, options, NULL, NULL, NULL, NULL,
                                                NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, base));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  assert_no_leftovers ();
}

static void
test_corrupt (void)
{
  g_autofree char *clip = tmp_path ("whole.mkv");
  g_autofree char *truncated = tmp_path ("truncated.mkv");
  g_autofree char *garbage = tmp_path ("garbage.mp4");
  g_autofree char *gif = tmp_path ("truncated.gif");
  g_autofree char *output = tmp_path ("out.mkv");
  g_autofree char *gif_output = tmp_path ("out.gif");
  g_autofree char *contents = NULL;
  gsize length;
  guint8 noise[4096];

  make_clip (clip, "matroska", "ffv1", AV_PIX_FMT_BGR0, 40, FALSE, NULL, 0);
  g_assert_true (g_file_get_contents (clip, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, 300, NULL));
  assert_fails_naming (truncated, output);

  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_test_rand_int ();
  g_assert_true (g_file_set_contents (garbage, (const char *) noise, sizeof noise, NULL));
  assert_fails_naming (garbage, output);

  g_assert_true (g_file_set_contents (gif, "GIF89a\x30\x00\x20\x00\xf7\x00\x00", 13, NULL));
  assert_fails_naming (gif, gif_output);

  /* The input is never the output. */
  {
    g_autoptr(TesseraEngine) engine = tessera_engine_new ();
    g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);
    g_autoptr(GFile) file = g_file_new_for_path (clip);
    g_autoptr(GError) error = NULL;
    g_autofree char *after = NULL;
    gsize after_length;

    g_assert_false (tessera_engine_upscale_media (engine, file, file, options, NULL, NULL, NULL, NULL,
                                                  NULL, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
    g_assert_true (g_file_get_contents (clip, &after, &after_length, NULL));
    g_assert_cmpmem (after, after_length, contents, length);
  }
}

/* tessera-cli upscale through the batch: the output keeps the container,
 * --frames picks frames. */
static void
test_cli (void)
{
  g_autofree char *input = tmp_path ("cli.gif");
  g_autofree char *output = tmp_path ("cli-nearest-x2.gif");
  g_autofree char *standard_error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraMediaReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("TESSERA_CLI"), "upscale", input, "-u", "nearest", "-s", "2",
                         "--frames", "2-4", "-q", NULL };
  const char *per_frame_argv[] = { argv[0], "upscale", input, "-u", "nearest", "-s", "2",
                                   "--frames", "2-4", "--gif-palette", "per-frame", "--overwrite", "-q", NULL };
  GifBlocks blocks;
  int status;

  if (argv[0] == NULL)
    {
      g_test_skip ("TESSERA_CLI is not set");
      return;
    }

  make_clip (input, "gif", "gif", AV_PIX_FMT_RGB8, 60, FALSE, "loop", 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &standard_error, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (standard_error, ==, "");
  g_assert_cmpint (status, ==, 0);

  file = g_file_new_for_path (output);
  reader = tessera_media_reader_new (file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_media_reader_get_n_frames (reader), ==, 3);
  g_assert_cmpuint (tessera_media_reader_get_width (reader), ==, WIDTH * 2);
  g_assert_cmpuint (tessera_media_reader_get_plays (reader), ==, 0);
  parse_gif (output, &blocks);
  g_assert_cmpuint (blocks.n_local_tables, ==, 0);

  /* --gif-palette per-frame gives every frame its own table */
  g_clear_pointer (&standard_error, g_free);
  g_assert_true (g_spawn_sync (NULL, (char **) per_frame_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &standard_error, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (standard_error, ==, "");
  g_assert_cmpint (status, ==, 0);
  parse_gif (output, &blocks);
  g_assert_cmpuint (blocks.n_images, ==, 3);
  g_assert_cmpuint (blocks.n_local_tables, >=, 2);

  g_clear_pointer (&standard_error, g_free);
  per_frame_argv[10] = "bogus";
  g_assert_true (g_spawn_sync (NULL, (char **) per_frame_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &standard_error, &status, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (standard_error, "“bogus”"));
  g_assert_true (g_spawn_check_wait_status (status, NULL) == FALSE);
}

/* A folder's images, animations and videos: by name, and a video without
 * an extension by its first bytes; tessera-cli upscales them all from the
 * folder, each written back as the same kind of file. */
static void
test_folder (void)
{
  g_autofree char *folder_path = tmp_path ("folder");
  g_autofree char *out_path = tmp_path ("folder-out");
  g_autofree char *gif = g_build_filename (folder_path, "anim.gif", NULL);
  g_autofree char *mkv = g_build_filename (folder_path, "clip.mkv", NULL);
  g_autofree char *bare = g_build_filename (folder_path, "recording", NULL);
  g_autofree char *hidden = g_build_filename (folder_path, ".hidden.mkv", NULL);
  g_autofree char *notes = g_build_filename (folder_path, "notes.txt", NULL);
  g_autofree char *noise = g_build_filename (folder_path, "noise.bin", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (folder_path);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *standard_error = NULL;
  const char *expected[] = { "anim.gif", "clip.mkv", "recording" };
  const char *outputs[] = { "anim-nearest-x2.gif", "clip-nearest-x2.mkv", "recording-nearest-x2.mkv" };
  const char *argv[] = { g_getenv ("TESSERA_CLI"), "upscale", folder_path, "-u", "nearest", "-s", "2",
                         "-d", out_path, "-q", NULL };
  guint8 bytes[3000];
  int status;

  g_assert_cmpint (g_mkdir (folder_path, 0700), ==, 0);
  make_clip (gif, "gif", "gif", AV_PIX_FMT_RGB8, 60, FALSE, "loop", 0);
  make_clip (mkv, "matroska", "ffv1", AV_PIX_FMT_BGR0, 40, FALSE, NULL, 0);
  make_clip (bare, "matroska", "ffv1", AV_PIX_FMT_BGR0, 40, FALSE, NULL, 0);
  make_clip (hidden, "matroska", "ffv1", AV_PIX_FMT_BGR0, 40, FALSE, NULL, 0);
  g_assert_true (g_file_set_contents (notes, "not a video", -1, NULL));
  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_test_rand_int ();
  g_assert_true (g_file_set_contents (noise, (const char *) bytes, sizeof bytes, NULL));

  found = tessera_media_list_folder (folder, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < found->len; i++)
    g_assert_cmpstr (g_ptr_array_index (found, i), ==, expected[i]);

  /* The images' own listing is as it was. */
  images = tessera_image_list_folder (folder, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (images, 0), ==, "anim.gif");

  if (argv[0] == NULL)
    {
      g_test_skip ("TESSERA_CLI is not set");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &standard_error, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (standard_error, ==, "");
  g_assert_cmpint (status, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = g_build_filename (out_path, outputs[i], NULL);
      Probe probe;

      probe_ffmpeg (path, &probe);
      g_assert_cmpuint (probe.n_frames, ==, N_FRAMES);
      g_assert_cmpint (probe.width, ==, WIDTH * 2);
      g_assert_cmpint (probe.height, ==, HEIGHT * 2);
      probe_clear (&probe);
    }
  g_assert_cmpuint (test_count_files (out_path), ==, G_N_ELEMENTS (outputs));
}

static TesseraCheckpoint *
load_checkpoint (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd", "sd1.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraCheckpoint *checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  return checkpoint;
}

/* Small and quick: the whole frame at once, two steps. */
static TesseraRedrawOptions *
redraw_options (gint64 seed)
{
  TesseraRedrawOptions *options = tessera_redraw_options_new ();

  g_object_set (options, "tiles", TESSERA_REDRAW_TILES_NONE, "steps", 2, "denoise", 0.6,
                "prompt", "a red house", "seed", seed, "rng", TESSERA_REDRAW_RNG_CPU, NULL);
  return options;
}

/* An APNG redrawn frame by frame: each frame is the single-image redraw of
 * the decoded input frame with the same seed; with a random seed, frames
 * that are alike stay alike, for they all get the one seed. */
static void
test_redraw (void)
{
  g_autofree char *input = tmp_path ("redraw.png");
  g_autofree char *output = tmp_path ("redraw-out.png");
  g_autofree char *still_input = tmp_path ("still.png");
  g_autofree char *still_output = tmp_path ("still-out.png");
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  g_autoptr(TesseraRedrawOptions) options = redraw_options (5);
  g_autoptr(TesseraRedrawOptions) random_options = redraw_options (TESSERA_REDRAW_RANDOM_SEED);
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  g_autoptr(GFile) still_in = g_file_new_for_path (still_input);
  g_autoptr(GFile) still_out = g_file_new_for_path (still_output);
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) redrawn = NULL;
  g_autoptr(GError) error = NULL;
  const Shape shape = { 16, 16, 3, FALSE };
  const Shape still = { 16, 16, 2, TRUE };
  guint width, height;

  make_clip_shaped (input, "apng", "apng", AV_PIX_FMT_RGB24, &shape, NULL, 50, FALSE, "plays", 0);
  g_assert_true (tessera_engine_redraw_media (engine, in, out, checkpoint, options, NULL, NULL, NULL, NULL,
                                              &width, &height, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (width, ==, 16);
  g_assert_cmpuint (height, ==, 16);
  check_animation_shape (output, 0, 50, &shape);

  sources = read_frames (input);
  redrawn = read_frames (output);
  g_assert_cmpuint (sources->len, ==, 3);
  g_assert_cmpuint (redrawn->len, ==, 3);
  for (guint i = 0; i < redrawn->len; i++)
    {
      g_autoptr(TesseraImage) expected = tessera_engine_redraw (engine, g_ptr_array_index (sources, i), checkpoint,
                                                                options, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      assert_same_rgba8 (g_ptr_array_index (redrawn, i), expected, FALSE);
    }

  make_clip_shaped (still_input, "apng", "apng", AV_PIX_FMT_RGB24, &still, NULL, 50, FALSE, "plays", 0);
  g_assert_true (tessera_engine_redraw_media (engine, still_in, still_out, checkpoint, random_options, NULL,
                                              NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&redrawn, g_ptr_array_unref);
  redrawn = read_frames (still_output);
  g_assert_cmpuint (redrawn->len, ==, 2);
  assert_same_rgba8 (g_ptr_array_index (redrawn, 0), g_ptr_array_index (redrawn, 1), FALSE);
  assert_no_leftovers ();
}

static void
on_finished (TesseraBatch *batch,
             gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The batch's Upscale and Redraw on an animation: each frame upscaled, then
 * redrawn as the image would be. */
static void
test_batch_upscale_redraw (void)
{
  g_autofree char *input = tmp_path ("batch.png");
  g_autofree char *output = NULL;
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraBatch) batch = tessera_batch_new (engine);
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  g_autoptr(TesseraRedrawOptions) options = redraw_options (11);
  g_autoptr(TesseraUpscaleOptions) upscale = options_for ("nearest", 2);
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(TesseraBatchItem) item = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) redrawn = NULL;
  g_autoptr(GError) error = NULL;
  const Shape shape = { 8, 8, 2, FALSE };
  gboolean finished = FALSE;

  make_clip_shaped (input, "apng", "apng", AV_PIX_FMT_RGB24, &shape, NULL, 50, FALSE, "plays", 0);
  tessera_batch_set_options (batch, upscale);
  tessera_batch_set_redraw (batch, TESSERA_BATCH_REDRAW_AFTER_UPSCALE, checkpoint, options);
  tessera_batch_add_file (batch, in);
  g_signal_connect (batch, "finished", G_CALLBACK (on_finished), &finished);
  g_assert_true (tessera_batch_start (batch, &error));
  g_assert_no_error (error);
  while (!finished)
    g_main_context_iteration (NULL, TRUE);

  item = g_list_model_get_item (tessera_batch_get_items (batch), 0);
  g_assert_cmpstr (tessera_batch_item_get_error (item), ==, NULL);
  g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
  output = g_file_get_path (tessera_batch_item_get_output (item));
  g_assert_true (g_str_has_suffix (output, ".png"));

  sources = read_frames (input);
  redrawn = read_frames (output);
  g_assert_cmpuint (redrawn->len, ==, 2);
  for (guint i = 0; i < redrawn->len; i++)
    {
      g_autoptr(TesseraImage) upscaled = tessera_engine_upscale (engine, g_ptr_array_index (sources, i), upscale,
                                                                 NULL, NULL, NULL, &error);
      g_autoptr(TesseraImage) expected = NULL;

      g_assert_no_error (error);
      expected = tessera_engine_redraw (engine, upscaled, checkpoint, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_same_rgba8 (g_ptr_array_index (redrawn, i), expected, FALSE);
    }
}

/* tessera-cli redraw on a GIF: the batch's redraw items take animations,
 * written back as GIF, and --frames picks frames. */
static void
test_redraw_cli (void)
{
  g_autofree char *input = tmp_path ("redraw-cli.gif");
  g_autofree char *output = tmp_path ("redraw-cli-out.gif");
  g_autofree char *checkpoint = g_test_build_filename (G_TEST_DIST, "data", "sd", "sd1.safetensors", NULL);
  g_autofree char *standard_error = NULL;
  g_autoptr(GError) error = NULL;
  const Shape shape = { 16, 16, 3, FALSE };
  const char *argv[] = { g_getenv ("TESSERA_CLI"), "redraw", input, "--checkpoint", checkpoint,
                         "--tiles", "none", "--steps", "1", "--seed", "3", "--frames", "2-3",
                         "-o", output, "-q", NULL };
  Probe probe;
  int status;

  if (argv[0] == NULL)
    {
      g_test_skip ("TESSERA_CLI is not set");
      return;
    }

  make_clip_shaped (input, "gif", "gif", AV_PIX_FMT_RGB8, &shape, NULL, 60, FALSE, "loop", 0);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &standard_error, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (standard_error, ==, "");
  g_assert_cmpint (status, ==, 0);

  probe_ffmpeg (output, &probe);
  g_assert_cmpuint (probe.n_frames, ==, 2);
  g_assert_cmpint (probe.width, ==, 16);
  g_assert_cmpint (probe.height, ==, 16);
  probe_clear (&probe);
}

/* The colour tags and the rotation of a file's video, read with FFmpeg. */
static void
probe_tags (const char *path,
            ClipTags   *tags)
{
  AVFormatContext *format = NULL;
  AVStream *stream;
  const gint32 *matrix;
  int video;

  g_assert_cmpint (avformat_open_input (&format, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (format, NULL), >=, 0);
  video = av_find_best_stream (format, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
  g_assert_cmpint (video, >=, 0);
  stream = format->streams[video];
  tags->range = stream->codecpar->color_range;
  tags->matrix = stream->codecpar->color_space;
  tags->primaries = stream->codecpar->color_primaries;
  tags->transfer = stream->codecpar->color_trc;
  matrix = get_display_matrix (stream);
  /* av_display_rotation_get() counts the other way round */
  tags->rotation = matrix != NULL ? -av_display_rotation_get (matrix) : 0.0;
  avformat_close_input (&format);
}

static void
check_tags_kept (const char     *container,
                 const char     *codec,
                 const char     *extension,
                 const ClipTags *tags)
{
  g_autofree char *name = g_strdup_printf ("tagged-%s.%s", codec, extension);
  g_autofree char *out_name = g_strdup_printf ("tagged-%s-x2.%s", codec, extension);
  g_autofree char *input = tmp_path (name);
  g_autofree char *output = tmp_path (out_name);
  g_autoptr(TesseraUpscaleOptions) options = options_for ("nearest", 2);
  const Shape shape = { WIDTH, HEIGHT, 4, FALSE };
  ClipTags before, after;

  make_clip_shaped (input, container, codec, AV_PIX_FMT_YUV420P, &shape, tags, 40, FALSE, NULL, 0);
  probe_tags (input, &before);
  g_test_message ("%s %s: range %d, matrix %d, primaries %d, transfer %d, rotation %g", container, codec,
                  before.range, before.matrix, before.primaries, before.transfer, before.rotation);
  /* The input says what it was made to say, or the test proves nothing. */
  g_assert_cmpint (before.range, ==, tags->range);
  g_assert_cmpint (before.matrix, ==, tags->matrix);
  g_assert_cmpint (before.primaries, ==, tags->primaries);
  g_assert_cmpint (before.transfer, ==, tags->transfer);
  g_assert_cmpfloat_with_epsilon (before.rotation, tags->rotation, 0.01);

  upscale_file (input, output, options, NULL);
  probe_tags (output, &after);
  g_assert_cmpint (after.range, ==, before.range);
  g_assert_cmpint (after.matrix, ==, before.matrix);
  g_assert_cmpint (after.primaries, ==, before.primaries);
  g_assert_cmpint (after.transfer, ==, before.transfer);
  g_assert_cmpfloat_with_epsilon (after.rotation, before.rotation, 0.01);

  /* Lossless, the colours come back as they went in, less the rounding
   * and the chroma filter of YUV 4:2:0 (3 to 4 levels on average on these
   * sharp frames); a range read or written wrong stretches them (7 and
   * more). */
  if (g_str_equal (codec, "ffv1"))
    {
      g_autoptr(GPtrArray) sources = read_frames (input);
      g_autoptr(GPtrArray) upscaled = read_frames (output);
      g_autoptr(TesseraEngine) engine = tessera_engine_new ();

      g_assert_cmpuint (upscaled->len, ==, sources->len);
      for (guint i = 0; i < upscaled->len; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraImage) expected = tessera_engine_upscale (engine, g_ptr_array_index (sources, i),
                                                                     options, NULL, NULL, NULL, &error);
          TesseraImage *got = g_ptr_array_index (upscaled, i);
          guint n = tessera_image_get_width (got) * tessera_image_get_height (got);
          double sum = 0.0;

          g_assert_no_error (error);
          for (guint c = 0; c < 3; c++)
            for (guint j = 0; j < n; j++)
              sum += fabs (tessera_image_get_plane (got, c)[j] - tessera_image_get_plane (expected, c)[j]);
          g_test_message ("frame %u: %.2f levels apart on average", i + 1, sum * 255 / (3.0 * n));
          g_assert_cmpfloat (sum * 255 / (3.0 * n), <, 5.0);
        }
    }
}

/* Colour range, matrix, primaries, transfer and rotation survive: limited
 * range H.264 (or MPEG-4 part 2) in MP4 turned a quarter, full range turned
 * the other way, and full and limited range FFV1 in Matroska, unturned:
 * Debian 12's FFmpeg 5.1 writes no rotation into Matroska. */
static void
test_tags (void)
{
  const ClipTags limited = { AVCOL_RANGE_MPEG, AVCOL_SPC_BT709, AVCOL_PRI_BT709, AVCOL_TRC_BT709, 90.0 };
  const ClipTags full = { AVCOL_RANGE_JPEG, AVCOL_SPC_BT709, AVCOL_PRI_BT709, AVCOL_TRC_BT709, -90.0 };
  const ClipTags limited_unturned = { AVCOL_RANGE_MPEG, AVCOL_SPC_BT709, AVCOL_PRI_BT709, AVCOL_TRC_BT709, 0.0 };
  const ClipTags full_unturned = { AVCOL_RANGE_JPEG, AVCOL_SPC_BT709, AVCOL_PRI_BT709, AVCOL_TRC_BT709, 0.0 };

  if (avcodec_find_encoder_by_name ("libx264") != NULL)
    check_tags_kept ("mp4", "libx264", "mp4", &limited);
  else
    g_test_message ("this FFmpeg has no libx264: MPEG-4 part 2 only");
  check_tags_kept ("mp4", "mpeg4", "mp4", &full);
  check_tags_kept ("matroska", "ffv1", "mkv", &full_unturned);
  check_tags_kept ("matroska", "ffv1", "mkv", &limited_unturned);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
remove_tmp_dir (void)
{
  remove_tree (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("tessera-media-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  av_log_set_level (AV_LOG_ERROR);

  g_test_add_func ("/media/ffv1-audio", test_ffv1_audio);
  g_test_add_func ("/media/h264", test_h264);
  g_test_add_func ("/media/webm", test_webm);
  g_test_add_func ("/media/apng", test_apng);
  g_test_add_func ("/media/gif", test_gif);
  g_test_add_func ("/media/webp", test_webp);
  g_test_add_func ("/media/gif-palette/libimagequant", test_gif_palette_libimagequant);
  g_test_add_func ("/media/gif-palette/ffmpeg", test_gif_palette_ffmpeg);
  g_test_add_func ("/media/model-frames", test_model_frames);
  g_test_add_func ("/media/corrupt", test_corrupt);
  g_test_add_func ("/media/cli", test_cli);
  g_test_add_func ("/media/folder", test_folder);
  g_test_add_func ("/media/tags", test_tags);
  g_test_add_func ("/media/redraw", test_redraw);
  g_test_add_func ("/media/redraw-cli", test_redraw_cli);
  g_test_add_func ("/media/batch-upscale-redraw", test_batch_upscale_redraw);

  status = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return status;
}
