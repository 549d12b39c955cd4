/* tessera-media-palette.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-media"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
#if HAVE_LIBIMAGEQUANT
# include <libimagequant.h>
#endif

#include "core/tessera-error.h"
#include "tessera-media-private.h"

/* One palette for all the frames of a GIF. The palette needs every
 * frame's colours before the first frame can be written, and the frames
 * do not fit in memory (a minute of upscaled video is gigabytes), so they
 * go to a hidden spool file beside the output, as RGBA compressed with
 * zlib's fastest level, while their colours are counted: by
 * libimagequant's histogram where Tessera is built with it, else by
 * FFmpeg's palettegen. Then each frame is read back and dithered to the
 * palette, by libimagequant or by FFmpeg's paletteuse. Freed, the palette
 * removes its spool, whether it got that far or not.
 *
 * GIF has one transparent index and nothing half clear: a pixel is clear
 * below half alpha, as paletteuse decides, and all clear pixels become one
 * colour, so that they take one entry of the palette. */

typedef struct
{
  gint64 pts;
  gint64 duration;
} SpooledFrame;

struct _TesseraMediaPalette
{
  char            *name;
  char            *spool_path;
  guint            width;
  guint            height;
  AVRational       time_base;
  GOutputStream   *spool;
  GArray          *frames;       /* of SpooledFrame, in order */
  guint8          *rgba;         /* one frame's pixels */
  AVFrame         *frame;
  guint            n_remapped;

  /* FFmpeg's: palettegen while frames come, then paletteuse */
  AVFilterGraph   *graph;
  AVFilterContext *source;
  AVFilterContext *palette_source;
  AVFilterContext *sink;

#if HAVE_LIBIMAGEQUANT
  liq_attr        *attr;
  liq_histogram   *histogram;
  liq_result      *result;
  liq_palette      palette;      /* as quantized, before remapping polishes it */
#endif
};

static gboolean
set_no_memory (TesseraMediaPalette  *self,
               GError              **error)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, _("%s: not enough memory"), self->name);
  return FALSE;
}

static gboolean
set_spool_error (TesseraMediaPalette  *self,
                 GError              **error,
                 GError               *cause)
{
  g_set_error (error, cause->domain, cause->code, _("%s: cannot write: %s"), self->name, cause->message);
  g_error_free (cause);
  return FALSE;
}

static gboolean
uses_libimagequant (TesseraMediaPalette *self)
{
#if HAVE_LIBIMAGEQUANT
  return self->attr != NULL;
#else
  return FALSE;
#endif
}

/* A graph from @description, whose labels name the sources: [in], frames
 * of RGBA, and with @with_palette, [palette], palettegen's 16 × 16 ones;
 * its [out] gives frames of @sink_format. */
static int
open_graph (TesseraMediaPalette *self,
            const char          *description,
            gboolean             with_palette,
            enum AVPixelFormat   sink_format)
{
  const enum AVPixelFormat formats[] = { sink_format, AV_PIX_FMT_NONE };
  g_autofree char *arguments = NULL;
  AVFilterInOut *outputs = avfilter_inout_alloc ();
  AVFilterInOut *palette = with_palette ? avfilter_inout_alloc () : NULL;
  AVFilterInOut *inputs = avfilter_inout_alloc ();
  int ret = AVERROR (ENOMEM);

  avfilter_graph_free (&self->graph);
  self->graph = avfilter_graph_alloc ();
  if (self->graph == NULL || outputs == NULL || inputs == NULL || (with_palette && palette == NULL))
    goto out;

  arguments = g_strdup_printf ("video_size=%ux%u:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
                               self->width, self->height, AV_PIX_FMT_RGBA,
                               self->time_base.num, self->time_base.den);
  ret = avfilter_graph_create_filter (&self->source, avfilter_get_by_name ("buffer"), "in",
                                      arguments, NULL, self->graph);
  if (ret >= 0 && with_palette)
    {
      g_free (arguments);
      arguments = g_strdup_printf ("video_size=16x16:pix_fmt=%d:time_base=%d/%d:pixel_aspect=1/1",
                                   AV_PIX_FMT_RGB32, self->time_base.num, self->time_base.den);
      ret = avfilter_graph_create_filter (&self->palette_source, avfilter_get_by_name ("buffer"), "palette",
                                          arguments, NULL, self->graph);
    }
  if (ret >= 0)
    ret = avfilter_graph_create_filter (&self->sink, avfilter_get_by_name ("buffersink"), "out",
                                        NULL, NULL, self->graph);
  if (ret >= 0)
    ret = av_opt_set_int_list (self->sink, "pix_fmts", formats, AV_PIX_FMT_NONE, AV_OPT_SEARCH_CHILDREN);
  if (ret >= 0)
    {
      outputs->name = av_strdup ("in");
      outputs->filter_ctx = self->source;
      if (palette != NULL)
        {
          palette->name = av_strdup ("palette");
          palette->filter_ctx = self->palette_source;
          outputs->next = g_steal_pointer (&palette);
        }
      inputs->name = av_strdup ("out");
      inputs->filter_ctx = self->sink;
      ret = avfilter_graph_parse_ptr (self->graph, description, &inputs, &outputs, NULL);
    }
  if (ret >= 0)
    ret = avfilter_graph_config (self->graph, NULL);

out:
  avfilter_inout_free (&outputs);
  avfilter_inout_free (&palette);
  avfilter_inout_free (&inputs);
  return ret;
}

/* Reserves the spool's name beside @path and opens it for writing. */
static gboolean
open_spool (TesseraMediaPalette  *self,
            const char           *path,
            GError              **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GOutputStream) file_stream = NULL;
  g_autoptr(GZlibCompressor) compressor = NULL;
  int fd;

  self->spool_path = g_strdup_printf ("%s/.%s.frames.XXXXXX", dir, base);
  fd = g_mkstemp_full (self->spool_path, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *dir_name = g_filename_display_name (dir);

      g_clear_pointer (&self->spool_path, g_free);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("%s: cannot write in the folder %s: %s"), self->name, dir_name, g_strerror (saved_errno));
      return FALSE;
    }

  file_stream = g_unix_output_stream_new (fd, TRUE);
  compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 1);
  self->spool = g_converter_output_stream_new (file_stream, G_CONVERTER (compressor));
  return TRUE;
}

/* The colour counter: libimagequant's histogram, unless the build has
 * none or TESSERA_GIF_QUANTIZER=ffmpeg asks for FFmpeg's filters, which
 * the tests do to check both. */
static gboolean
open_counter (TesseraMediaPalette  *self,
              GError              **error)
{
  int ret;

#if HAVE_LIBIMAGEQUANT
  if (g_strcmp0 (g_getenv ("TESSERA_GIF_QUANTIZER"), "ffmpeg") != 0)
    {
      self->attr = liq_attr_create ();
      if (self->attr != NULL)
        self->histogram = liq_histogram_create (self->attr);
      if (self->histogram == NULL)
        return set_no_memory (self, error);
      return TRUE;
    }
#endif

  ret = open_graph (self, "[in]palettegen=stats_mode=full[out]", FALSE, AV_PIX_FMT_RGB32);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot make GIF palettes"),
                                  self->name);
      return FALSE;
    }
  return TRUE;
}

/**
 * tessera_media_palette_new:
 * @path: the GIF's path; the spool goes beside it
 * @name: the GIF's name for messages
 * @width: the frames' width
 * @height: their height
 * @time_base: the clock of the frames' times
 *
 * Returns: (transfer full): a palette with no colours yet, or %NULL with
 *   @error set
 */
TesseraMediaPalette *
tessera_media_palette_new (const char  *path,
                           const char  *name,
                           guint        width,
                           guint        height,
                           AVRational   time_base,
                           GError     **error)
{
  g_autoptr(TesseraMediaPalette) self = g_new0 (TesseraMediaPalette, 1);

  self->name = g_strdup (name);
  self->width = width;
  self->height = height;
  self->time_base = time_base;
  self->frames = g_array_new (FALSE, FALSE, sizeof (SpooledFrame));
  self->rgba = g_try_malloc ((gsize) width * height * 4);
  self->frame = av_frame_alloc ();
  if (self->rgba == NULL || self->frame == NULL)
    {
      set_no_memory (self, error);
      return NULL;
    }

  if (!open_spool (self, path, error) || !open_counter (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
make_alpha_one_bit (guint8 *rgba,
                    gsize   n_pixels)
{
  for (gsize i = 0; i < n_pixels; i++, rgba += 4)
    {
      if (rgba[3] < 128)
        memset (rgba, 0, 4);
      else
        rgba[3] = 255;
    }
}

/* self->frame, as RGBA at @pts, from self->rgba. */
static gboolean
fill_rgba_frame (TesseraMediaPalette  *self,
                 gint64                pts,
                 GError              **error)
{
  av_frame_unref (self->frame);
  self->frame->format = AV_PIX_FMT_RGBA;
  self->frame->width = (int) self->width;
  self->frame->height = (int) self->height;
  if (av_frame_get_buffer (self->frame, 0) < 0)
    return set_no_memory (self, error);
  for (guint y = 0; y < self->height; y++)
    memcpy (self->frame->data[0] + (gsize) y * self->frame->linesize[0],
            self->rgba + (gsize) y * self->width * 4, (gsize) self->width * 4);
  self->frame->pts = pts;
  self->frame->sample_aspect_ratio = (AVRational) { 1, 1 };
  return TRUE;
}

static gboolean
count_colours (TesseraMediaPalette  *self,
               gint64                pts,
               guint                 index,
               GError              **error)
{
  int ret;

#if HAVE_LIBIMAGEQUANT
  if (uses_libimagequant (self))
    {
      liq_image *image = liq_image_create_rgba (self->attr, self->rgba, (int) self->width, (int) self->height, 0);
      liq_error status = image != NULL ? liq_histogram_add_image (self->histogram, self->attr, image) : LIQ_OUT_OF_MEMORY;

      if (image != NULL)
        liq_image_destroy (image);
      if (status != LIQ_OK)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("%s: cannot make the palette of frame %u"), self->name, index + 1);
          return FALSE;
        }
      return TRUE;
    }
#endif

  if (!fill_rgba_frame (self, pts, error))
    return FALSE;
  /* pushed through at once, so that palettegen counts the frame and lets
   * it go rather than queue it */
  ret = av_buffersrc_add_frame_flags (self->source, self->frame, AV_BUFFERSRC_FLAG_PUSH);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot make the palette of frame %u"), self->name, index + 1);
      return FALSE;
    }
  return TRUE;
}

/**
 * tessera_media_palette_add:
 * @image: frame @index, the size the palette was made for
 * @pts: its time, in the palette's clock
 * @duration: how long it shows
 *
 * Counts the colours of @image and keeps it in the spool.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
tessera_media_palette_add (TesseraMediaPalette  *self,
                           TesseraImage         *image,
                           gint64                pts,
                           gint64                duration,
                           guint                 index,
                           GError              **error)
{
  gsize size = (gsize) self->width * self->height * 4;
  SpooledFrame spooled = { pts, duration };
  GError *local_error = NULL;

  g_return_val_if_fail (self->spool != NULL, FALSE);

  tessera_media_image_to_rgba (image, self->rgba, (gsize) self->width * 4, 4, FALSE);
  make_alpha_one_bit (self->rgba, (gsize) self->width * self->height);
  if (!g_output_stream_write_all (self->spool, self->rgba, size, NULL, NULL, &local_error))
    return set_spool_error (self, error, local_error);
  g_array_append_val (self->frames, spooled);
  return count_colours (self, pts, index, error);
}

static void
set_frame_timing (AVFrame      *frame,
                  SpooledFrame *spooled)
{
  frame->pts = spooled->pts;
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
  frame->duration = spooled->duration;
#else
  frame->pkt_duration = spooled->duration;
#endif
}

#if HAVE_LIBIMAGEQUANT

static gboolean
quantize_with_libimagequant (TesseraMediaPalette  *self,
                             GError              **error)
{
  if (liq_histogram_quantize (self->histogram, self->attr, &self->result) != LIQ_OK ||
      liq_set_dithering_level (self->result, 1.0f) != LIQ_OK)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("%s: cannot make GIF palettes"), self->name);
      return FALSE;
    }
  self->palette = *liq_get_palette (self->result);
  return TRUE;
}

static guint
nearest_entry (const liq_palette *palette,
               liq_color          colour)
{
  guint best = 0;
  int best_distance = G_MAXINT;

  for (guint i = 0; i < palette->count; i++)
    {
      const liq_color *entry = &palette->entries[i];
      int dr = entry->r - colour.r, dg = entry->g - colour.g, db = entry->b - colour.b, da = entry->a - colour.a;
      int distance = dr * dr + dg * dg + db * db + da * da;

      if (distance < best_distance)
        {
          best = i;
          best_distance = distance;
        }
    }
  return best;
}

/* self->rgba dithered to the palette, as self->frame. libimagequant
 * polishes its palette on each image it remaps, a little differently
 * each time: the frame's own entries go to the nearest of the palette
 * made from all the frames, the one the file holds. */
static gboolean
remap_with_libimagequant (TesseraMediaPalette  *self,
                          guint                 index,
                          GError              **error)
{
  g_autofree unsigned char **rows = g_new (unsigned char *, self->height);
  liq_image *image;
  const liq_palette *frame_palette;
  guint8 map[256] = { 0 };
  guint32 *entries;
  liq_error status;

  av_frame_unref (self->frame);
  self->frame->format = AV_PIX_FMT_PAL8;
  self->frame->width = (int) self->width;
  self->frame->height = (int) self->height;
  if (av_frame_get_buffer (self->frame, 0) < 0)
    return set_no_memory (self, error);
  for (guint y = 0; y < self->height; y++)
    rows[y] = self->frame->data[0] + (gsize) y * self->frame->linesize[0];

  image = liq_image_create_rgba (self->attr, self->rgba, (int) self->width, (int) self->height, 0);
  status = image != NULL ? liq_write_remapped_image_rows (self->result, image, rows) : LIQ_OUT_OF_MEMORY;
  if (image != NULL)
    liq_image_destroy (image);
  if (status != LIQ_OK)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: cannot make the palette of frame %u"), self->name, index + 1);
      return FALSE;
    }

  frame_palette = liq_get_palette (self->result);
  for (guint i = 0; i < frame_palette->count; i++)
    map[i] = (guint8) nearest_entry (&self->palette, frame_palette->entries[i]);
  for (guint y = 0; y < self->height; y++)
    for (guint x = 0; x < self->width; x++)
      rows[y][x] = map[rows[y][x]];

  /* FFmpeg's GIF encoder takes the clearest entry, if under half, for
   * the transparent index; the entries left over are opaque */
  entries = (guint32 *) self->frame->data[1];
  for (guint i = 0; i < 256; i++)
    {
      liq_color colour = i < self->palette.count ? self->palette.entries[i] : (liq_color) { 0, 0, 0, 255 };
      guint32 alpha = colour.a < 128 ? 0 : 255;

      entries[i] = alpha << 24 | (guint32) colour.r << 16 | (guint32) colour.g << 8 | colour.b;
    }
  return TRUE;
}

#endif

/* palettegen's palette, from every frame counted, into paletteuse. */
static gboolean
quantize_with_ffmpeg (TesseraMediaPalette  *self,
                      GError              **error)
{
  AVFrame *palette = av_frame_alloc ();
  int ret = palette != NULL ? av_buffersrc_add_frame_flags (self->source, NULL, 0) : AVERROR (ENOMEM);

  if (ret >= 0)
    ret = av_buffersink_get_frame (self->sink, palette);
  if (ret >= 0)
    ret = open_graph (self, "[in][palette]paletteuse=dither=sierra2_4a[out]", TRUE, AV_PIX_FMT_PAL8);
  if (ret >= 0)
    {
      palette->pts = 0;
      ret = av_buffersrc_add_frame_flags (self->palette_source, palette, 0);
    }
  if (ret >= 0)
    ret = av_buffersrc_add_frame_flags (self->palette_source, NULL, 0);
  av_frame_free (&palette);

  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot make GIF palettes"),
                                  self->name);
      return FALSE;
    }
  return TRUE;
}

/* Frames out of paletteuse, in the order they went in, each to @func. */
static gboolean
drain_paletteuse (TesseraMediaPalette      *self,
                  TesseraMediaPaletteFunc   func,
                  gpointer                  user_data,
                  GError                  **error)
{
  for (;;)
    {
      int ret = av_buffersink_get_frame (self->sink, self->frame);
      gboolean ok;

      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0 || self->n_remapped >= self->frames->len)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret < 0 ? ret : AVERROR_BUG,
                                      _("%s: cannot make the palette of frame %u"), self->name,
                                      self->n_remapped + 1);
          return FALSE;
        }
      set_frame_timing (self->frame, &g_array_index (self->frames, SpooledFrame, self->n_remapped));
      ok = func (self->frame, self->n_remapped, user_data, error);
      av_frame_unref (self->frame);
      self->n_remapped++;
      if (!ok)
        return FALSE;
    }
}

static GInputStream *
open_spool_for_reading (TesseraMediaPalette  *self,
                        GError              **error)
{
  g_autoptr(GInputStream) file_stream = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  int fd = g_open (self->spool_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("%s: cannot write: %s"), self->name, g_strerror (saved_errno));
      return NULL;
    }
  file_stream = g_unix_input_stream_new (fd, TRUE);
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
  return g_converter_input_stream_new (file_stream, G_CONVERTER (decompressor));
}

static gboolean
remap_frame (TesseraMediaPalette      *self,
             guint                     index,
             TesseraMediaPaletteFunc   func,
             gpointer                  user_data,
             GError                  **error)
{
  SpooledFrame *spooled = &g_array_index (self->frames, SpooledFrame, index);
  int ret;

#if HAVE_LIBIMAGEQUANT
  if (uses_libimagequant (self))
    {
      gboolean ok;

      if (!remap_with_libimagequant (self, index, error))
        return FALSE;
      set_frame_timing (self->frame, spooled);
      ok = func (self->frame, index, user_data, error);
      av_frame_unref (self->frame);
      return ok;
    }
#endif

  if (!fill_rgba_frame (self, spooled->pts, error))
    return FALSE;
  ret = av_buffersrc_add_frame_flags (self->source, self->frame, 0);
  if (ret < 0)
    {
      tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret,
                                  _("%s: cannot make the palette of frame %u"), self->name, index + 1);
      return FALSE;
    }
  return drain_paletteuse (self, func, user_data, error);
}

/**
 * tessera_media_palette_remap:
 * @func: called with each frame, in order, as PAL8 with the palette
 *   and the frame's time and duration
 * @user_data: data for @func
 *
 * Makes the palette from the colours of every frame added, then reads
 * the frames back from the spool and dithers them to it.
 *
 * Returns: %TRUE, or %FALSE with @error set, by @func or here
 */
gboolean
tessera_media_palette_remap (TesseraMediaPalette      *self,
                             TesseraMediaPaletteFunc   func,
                             gpointer                  user_data,
                             GError                  **error)
{
  g_autoptr(GInputStream) spool = NULL;
  gsize size = (gsize) self->width * self->height * 4;
  GError *local_error = NULL;
  gboolean quantized;

  g_return_val_if_fail (self->spool != NULL, FALSE);

  if (!g_output_stream_close (self->spool, NULL, &local_error))
    return set_spool_error (self, error, local_error);
  g_clear_object (&self->spool);

#if HAVE_LIBIMAGEQUANT
  if (uses_libimagequant (self))
    quantized = quantize_with_libimagequant (self, error);
  else
#endif
    quantized = quantize_with_ffmpeg (self, error);
  if (!quantized)
    return FALSE;

  spool = open_spool_for_reading (self, error);
  if (spool == NULL)
    return FALSE;

  for (guint i = 0; i < self->frames->len; i++)
    {
      gsize n_read = 0;

      if (!g_input_stream_read_all (spool, self->rgba, size, &n_read, NULL, &local_error) || n_read < size)
        {
          if (local_error == NULL)
            g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, g_strerror (EIO));
          return set_spool_error (self, error, local_error);
        }
      if (!remap_frame (self, i, func, user_data, error))
        return FALSE;
    }

  if (!uses_libimagequant (self))
    {
      int ret = av_buffersrc_add_frame_flags (self->source, NULL, 0);

      if (ret < 0)
        {
          tessera_media_set_av_error (error, TESSERA_ERROR_UNSUPPORTED, ret, _("%s: cannot make GIF palettes"),
                                      self->name);
          return FALSE;
        }
      if (!drain_paletteuse (self, func, user_data, error))
        return FALSE;
    }
  return TRUE;
}

void
tessera_media_palette_free (TesseraMediaPalette *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->spool);
  if (self->spool_path != NULL)
    g_unlink (self->spool_path);
  g_free (self->spool_path);
  avfilter_graph_free (&self->graph);
#if HAVE_LIBIMAGEQUANT
  g_clear_pointer (&self->result, liq_result_destroy);
  g_clear_pointer (&self->histogram, liq_histogram_destroy);
  g_clear_pointer (&self->attr, liq_attr_destroy);
#endif
  av_frame_free (&self->frame);
  g_array_unref (self->frames);
  g_free (self->rgba);
  g_free (self->name);
  g_free (self);
}
