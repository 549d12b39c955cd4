/* test-media.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include "tessera.h"

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

/* Frame @index: gradients that move, and an alpha ramp. */
static guint8 *
synthetic_rgba (guint index)
{
  guint8 *rgba = g_malloc (WIDTH * HEIGHT * 4);

  for (guint y = 0; y < HEIGHT; y++)
    for (guint x = 0; x < WIDTH; x++)
      {
        guint8 *p = rgba + (y * WIDTH + x) * 4;

        p[0] = (guint8) (x * 5 + index * 23);
        p[1] = (guint8) (y * 7 + index * 11);
        p[2] = (guint8) ((x ^ y) * 9 + index * 3);
        p[3] = (guint8) (255 - ((x + y + index) % 4) * 40);
      }
  return rgba;
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

/* A clip through libavformat: frames every @frame_ms, and with @audio, a
 * PCM stream of packets made by fill_audio(). */
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
  encoder->width = WIDTH;
  encoder->height = HEIGHT;
  encoder->pix_fmt = pixel_format;
  encoder->time_base = (AVRational) { 1, 1000 };
  encoder->framerate = (AVRational) { 1000, frame_ms };
  if (format->oformat->flags & AVFMT_GLOBALHEADER)
    encoder->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  g_assert_cmpint (avcodec_open2 (encoder, codec, NULL), >=, 0);
  video = avformat_new_stream (format, NULL);
  avcodec_parameters_from_context (video->codecpar, encoder);
  video->time_base = encoder->time_base;

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

  sws = sws_getContext (WIDTH, HEIGHT, AV_PIX_FMT_RGBA, WIDTH, HEIGHT, pixel_format,
                        SWS_BICUBIC | SWS_BITEXACT, NULL, NULL, NULL);
  for (guint i = 0; i <= N_FRAMES; i++)
    {
      if (i < N_FRAMES)
        {
          g_autofree guint8 *rgba = synthetic_rgba (i);
          const guint8 *planes[1] = { rgba };
          int strides[1] = { WIDTH * 4 };

          frame->format = pixel_format;
          frame->width = WIDTH;
          frame->height = HEIGHT;
          g_assert_cmpint (av_frame_get_buffer (frame, 0), >=, 0);
          sws_scale (sws, planes, strides, 0, HEIGHT, frame->data, frame->linesize);
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
        g_ptr_array_add (probe->audio, g_bytes_new (packet->data, packet->size));
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

static void
check_animation (const char *input,
                 const char *output,
                 guint       plays,
                 guint       frame_ms,
                 gboolean    alpha)
{
  g_autoptr(GFile) file = g_file_new_for_path (output);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraMediaReader) reader = tessera_media_reader_new (file, &error);
  guint n = 0;

  g_assert_no_error (error);
  g_assert_cmpint (tessera_media_reader_get_kind (reader), ==, TESSERA_MEDIA_KIND_ANIMATION);
  g_assert_cmpuint (tessera_media_reader_get_width (reader), ==, WIDTH * 2);
  g_assert_cmpuint (tessera_media_reader_get_height (reader), ==, HEIGHT * 2);
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
  g_assert_cmpuint (n, ==, N_FRAMES);
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
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);

      g_unlink (path);
    }
  g_rmdir (tmp_dir);
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
  g_test_add_func ("/media/apng", test_apng);
  g_test_add_func ("/media/gif", test_gif);
  g_test_add_func ("/media/webp", test_webp);
  g_test_add_func ("/media/model-frames", test_model_frames);
  g_test_add_func ("/media/corrupt", test_corrupt);
  g_test_add_func ("/media/cli", test_cli);

  status = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return status;
}
