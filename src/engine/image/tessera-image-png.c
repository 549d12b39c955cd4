/* tessera-image-png.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image-png"

#include "config.h"

#include <setjmp.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <png.h>

#include "core/tessera-error.h"
#include "tessera-image-private.h"
#include "tessera-image-reader-private.h"
#include "tessera-image-writer-private.h"

/* libpng reports errors by longjmp(). Everything the error path needs lives
 * in this heap struct, reached through a pointer that never changes after
 * setjmp(), so no local variable is left indeterminate. */
typedef struct
{
  GInputStream  *input;
  GOutputStream *output;
  GCancellable  *cancellable;
  GError        *error;          /* an error of our own, preferred over message */
  char           message[200];   /* libpng's last error message */
  TesseraImage  *image;
  guint8        *buffer;
  png_bytep     *rows;
  png_text      *texts;
  guint          n_texts;
  GPtrArray     *strings;        /* converted text that must outlive the write */

  /* Chunk headers seen while reading, to refuse a chunk longer than the
   * rest of the file before libpng allocates it. */
  goffset        size;           /* of the whole file, -1 if unknown */
  goffset        offset;         /* bytes read so far */
  goffset        chunk_start;    /* where the next chunk header begins */
  guint8         header[8];
  guint          header_fill;
} PngState;

static PngState *
png_state_new (void)
{
  PngState *state = g_new0 (PngState, 1);

  state->strings = g_ptr_array_new_with_free_func (g_free);
  return state;
}

static void
png_state_free (PngState *state)
{
  g_clear_error (&state->error);
  g_clear_object (&state->image);
  g_free (state->buffer);
  g_free (state->rows);
  g_free (state->texts);
  g_ptr_array_unref (state->strings);
  g_free (state);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PngState, png_state_free)

G_GNUC_NORETURN static void
on_png_error (png_structp     png,
              png_const_charp message)
{
  PngState *state = png_get_error_ptr (png);

  g_strlcpy (state->message, message, sizeof state->message);
  png_longjmp (png, 1);
}

static void
on_png_warning (png_structp     png,
                png_const_charp message)
{
  g_debug ("libpng: %s", message);
}

/* Fails the libpng call in progress with @error as the reason. */
G_GNUC_NORETURN static void
png_fail (png_structp  png,
          PngState    *state,
          GError      *error)
{
  if (state->error == NULL)
    state->error = error;
  else
    g_error_free (error);
  png_error (png, "aborted");
}

static void
propagate_png_error (PngState    *state,
                     const char  *name,
                     GError     **error)
{
  if (state->error != NULL)
    {
      if (g_error_matches (state->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&state->error));
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&state->error), "%s: ", name);
    }
  else
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: damaged PNG file (%s)"), name, state->message);
    }
}

/* libpng allocates a chunk at the length its header claims, and Debian's
 * libpng only warns when that is absurd (found by fuzzing: a 1.6 kB file
 * with a 1.5 GB text chunk). So the chunk headers are read here too, as the
 * bytes go by, and one that claims more than the file holds stops the read. */
static void
watch_chunks (png_structp   png,
              PngState     *state,
              const guint8 *data,
              gsize         length)
{
  goffset start = state->offset;

  state->offset += length;
  if (state->size < 0)
    return;

  while (state->chunk_start + state->header_fill < state->offset)
    {
      goffset from = state->chunk_start + state->header_fill;
      gsize n = MIN (sizeof state->header - state->header_fill, (gsize) (state->offset - from));
      guint32 chunk_length;

      memcpy (state->header + state->header_fill, data + (from - start), n);
      state->header_fill += n;
      if (state->header_fill < sizeof state->header)
        return;

      memcpy (&chunk_length, state->header, sizeof chunk_length);
      chunk_length = GUINT32_FROM_BE (chunk_length);
      if (state->chunk_start + 12 + (goffset) chunk_length > state->size)
        png_fail (png, state, g_error_new (TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                                           _("the file ends too early (truncated PNG)")));

      state->chunk_start += 12 + (goffset) chunk_length;
      state->header_fill = 0;
    }
}

static void
on_png_read (png_structp png,
             png_bytep   data,
             size_t      length)
{
  PngState *state = png_get_io_ptr (png);
  GError *error = NULL;
  gsize n_read = 0;

  if (!g_input_stream_read_all (state->input, data, length, &n_read, state->cancellable, &error))
    png_fail (png, state, error);

  if (n_read < length)
    png_fail (png, state, g_error_new (TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                                       _("the file ends too early (truncated PNG)")));

  watch_chunks (png, state, data, length);
}

static char *
text_to_utf8 (const char *text,
              gboolean    latin1)
{
  if (latin1)
    return g_convert (text, -1, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);

  if (g_utf8_validate (text, -1, NULL))
    return g_strdup (text);

  return g_utf8_make_valid (text, -1);
}

static void
read_metadata (png_structp   png,
               png_infop     info,
               TesseraImage *image)
{
  png_textp texts = NULL;
  int n_texts;
  png_charp icc_name;
  png_bytep icc_data;
  png_uint_32 icc_length;
  int compression;
  double gamma;
  int intent;

  n_texts = png_get_text (png, info, &texts, NULL);
  for (int i = 0; i < n_texts; i++)
    {
      gboolean international = texts[i].compression >= PNG_ITXT_COMPRESSION_NONE;
      g_autofree char *keyword = text_to_utf8 (texts[i].key, TRUE);
      g_autofree char *text = text_to_utf8 (texts[i].text ? texts[i].text : "", !international);
      TesseraTextKind kind;

      switch (texts[i].compression)
        {
        case PNG_TEXT_COMPRESSION_zTXt:
          kind = TESSERA_TEXT_COMPRESSED;
          break;
        case PNG_ITXT_COMPRESSION_NONE:
          kind = TESSERA_TEXT_INTERNATIONAL;
          break;
        case PNG_ITXT_COMPRESSION_zTXt:
          kind = TESSERA_TEXT_INTERNATIONAL_COMPRESSED;
          break;
        case PNG_TEXT_COMPRESSION_NONE:
        default:
          kind = TESSERA_TEXT_PLAIN;
          break;
        }

      tessera_image_add_text (image, keyword, text, kind,
                              international ? texts[i].lang : NULL,
                              international ? texts[i].lang_key : NULL);
    }

  if (png_get_iCCP (png, info, &icc_name, &compression, &icc_data, &icc_length) == PNG_INFO_iCCP)
    {
      g_autoptr(GBytes) profile = g_bytes_new (icc_data, icc_length);

      tessera_image_set_icc_profile (image, profile);
      tessera_image_set_icc_profile_name (image, icc_name);
    }

  if (png_get_valid (png, info, PNG_INFO_gAMA) && png_get_gAMA (png, info, &gamma))
    tessera_image_set_gamma (image, gamma);

  if (png_get_sRGB (png, info, &intent) == PNG_INFO_sRGB)
    tessera_image_set_srgb_intent (image, intent);
}

/* One decoded row, 1–4 channels of 8 or 16 bits, into the float planes
 * at @offset (gray goes to all three colour planes). */
static void
store_row_planes (float * const *planes,
                  gsize          offset,
                  guint          width,
                  const guint8  *row,
                  guint          channels,
                  guint          depth)
{
  gboolean alpha = channels == 2 || channels == 4;
  float *r = planes[0] + offset;
  float *g = planes[1] + offset;
  float *b = planes[2] + offset;
  float *a = alpha ? planes[3] + offset : NULL;

  for (guint x = 0; x < width; x++)
    {
      float v[4] = { 0.f };

      for (guint c = 0; c < channels; c++)
        {
          if (depth == 16)
            v[c] = ((const guint16 *) (const void *) row)[(gsize) x * channels + c] / 65535.f;
          else
            v[c] = tessera_u8_to_float[row[(gsize) x * channels + c]];
        }

      if (channels <= 2)
        {
          r[x] = g[x] = b[x] = v[0];
          if (alpha)
            a[x] = v[1];
        }
      else
        {
          r[x] = v[0];
          g[x] = v[1];
          b[x] = v[2];
          if (alpha)
            a[x] = v[3];
        }
    }
}

static void
store_row (TesseraImage *image,
           const guint8 *row,
           guint         y,
           guint         channels,
           guint         depth)
{
  guint width = tessera_image_get_width (image);
  gboolean alpha = channels == 2 || channels == 4;
  float *planes[4] = { NULL };

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    planes[c] = tessera_image_get_plane (image, c);
  store_row_planes (planes, (gsize) y * width, width, row, channels, depth);
}

/* Deflate never compresses better than 1032 to 1: a file smaller than its
 * image data over 1032 is truncated, whatever its header says. */
#define DEFLATE_MAX_RATIO 1032

#define METADATA_CHUNK_MAX (32u << 20)

TesseraImage *
tessera_image_load_png (GInputStream  *stream,
                        goffset        size,
                        const char    *name,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(PngState) state = png_state_new ();
  png_structp png;
  png_infop info;
  png_uint_32 width, height;
  int depth, color_type, interlace, channels;
  gsize row_bytes;

  state->input = stream;
  state->cancellable = cancellable;
  state->size = size;
  state->chunk_start = 8;

  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, state, on_png_error, on_png_warning);
  info = png ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory to read the PNG file"), name);
      return NULL;
    }

  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_read_struct (&png, &info, NULL);
      propagate_png_error (state, name, error);
      return NULL;
    }

  png_set_read_fn (png, state, on_png_read);
  /* Our own limits below say more than libpng's "exceeds user limit". */
  png_set_user_limits (png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  /* Compressed text and profiles decompress up to this size, no further:
   * a few kilobytes must not become gigabytes. Real metadata is far
   * smaller, ComfyUI's workflows included. */
  png_set_chunk_malloc_max (png, METADATA_CHUNK_MAX);
  png_set_option (png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);

  png_read_info (png, info);
  png_get_IHDR (png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);

  if (!tessera_image_check_size (width, height, name, &state->error))
    {
      /* Already names the file: hand it over as is. */
      png_destroy_read_struct (&png, &info, NULL);
      g_propagate_error (error, g_steal_pointer (&state->error));
      return NULL;
    }

  if (size >= 0 && (guint64) height * (png_get_rowbytes (png, info) + 1) / DEFLATE_MAX_RATIO > (guint64) size)
    {
      png_destroy_read_struct (&png, &info, NULL);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the file is too small to hold a %u×%u image (truncated?)"),
                   name, (guint) width, (guint) height);
      return NULL;
    }

  png_set_expand (png);             /* palette → RGB, gray < 8 bits → 8, tRNS → alpha */
  if (depth == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (png);
  if (interlace != PNG_INTERLACE_NONE)
    png_set_interlace_handling (png);
  png_read_update_info (png, info);

  channels = png_get_channels (png, info);
  depth = png_get_bit_depth (png, info);
  row_bytes = png_get_rowbytes (png, info);

  state->image = tessera_image_new (width, height, channels == 2 || channels == 4, &state->error);
  if (state->image == NULL)
    png_error (png, "no memory");

  tessera_image_set_bit_depth (state->image, depth == 16 ? 16 : 8);
  tessera_image_set_grayscale (state->image, channels <= 2);

  if (interlace != PNG_INTERLACE_NONE)
    {
      /* Adam7 passes revisit every row: the whole image must be in memory. */
      state->buffer = g_try_malloc_n (height, row_bytes);
      state->rows = g_try_new (png_bytep, height);
      if (state->buffer == NULL || state->rows == NULL)
        png_fail (png, state, g_error_new (TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                                           _("not enough memory to decode the interlaced image")));
      for (png_uint_32 y = 0; y < height; y++)
        state->rows[y] = state->buffer + (gsize) y * row_bytes;
      png_read_image (png, state->rows);
      for (png_uint_32 y = 0; y < height; y++)
        store_row (state->image, state->rows[y], y, channels, depth);
    }
  else
    {
      state->buffer = g_malloc (row_bytes);
      for (png_uint_32 y = 0; y < height; y++)
        {
          GError *cancel_error = NULL;

          if (y % 64 == 0 && g_cancellable_set_error_if_cancelled (cancellable, &cancel_error))
            png_fail (png, state, cancel_error);
          png_read_row (png, state->buffer, NULL);
          store_row (state->image, state->buffer, y, channels, depth);
        }
    }

  /* Text chunks may also follow the image data. */
  png_read_end (png, info);
  read_metadata (png, info, state->image);

  png_destroy_read_struct (&png, &info, NULL);

  return g_steal_pointer (&state->image);
}

struct _TesseraPngRowReader
{
  PngState     *state;
  png_structp   png;
  png_infop     info;
  png_infop     end_info;
  char         *name;
  TesseraImage *info_image;  /* 1×1: alpha, depth, grayscale, metadata */
  TesseraImage *trailing;    /* 1×1: the text after the pixels, once read */
  guint         width;
  guint         height;
  guint         channels;
  guint         depth;
  guint         y;
};

void
tessera_png_row_reader_free (TesseraPngRowReader *self)
{
  if (self == NULL)
    return;
  if (self->png != NULL)
    png_destroy_read_struct (&self->png, &self->info, &self->end_info);
  g_clear_pointer (&self->state, png_state_free);
  g_clear_object (&self->info_image);
  g_clear_object (&self->trailing);
  g_free (self->name);
  g_free (self);
}

/* Reads the header and the metadata before the pixels; text after them
 * is read with the last row, see tessera_png_row_reader_get_trailing(). */
TesseraPngRowReader *
tessera_png_row_reader_new (GInputStream  *stream,
                            goffset        size,
                            const char    *name,
                            GCancellable  *cancellable,
                            GError       **error)
{
  /* No automatic cleanup: setjmp() below would clobber it. */
  TesseraPngRowReader *self = g_new0 (TesseraPngRowReader, 1);
  png_uint_32 width, height;
  int depth, color_type, interlace;

  self->state = png_state_new ();
  self->state->input = stream;
  self->state->cancellable = cancellable;
  self->state->size = size;
  self->state->chunk_start = 8;
  self->name = g_strdup (name);

  self->png = png_create_read_struct (PNG_LIBPNG_VER_STRING, self->state, on_png_error, on_png_warning);
  self->info = self->png ? png_create_info_struct (self->png) : NULL;
  self->end_info = self->info ? png_create_info_struct (self->png) : NULL;
  if (self->end_info == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory to read the PNG file"), name);
      tessera_png_row_reader_free (self);
      return NULL;
    }

  if (setjmp (png_jmpbuf (self->png)))
    {
      propagate_png_error (self->state, name, error);
      tessera_png_row_reader_free (self);
      return NULL;
    }

  png_set_read_fn (self->png, self->state, on_png_read);
  png_set_user_limits (self->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_chunk_malloc_max (self->png, METADATA_CHUNK_MAX);
  png_set_option (self->png, PNG_SKIP_sRGB_CHECK_PROFILE, PNG_OPTION_ON);

  png_read_info (self->png, self->info);
  png_get_IHDR (self->png, self->info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);

  if (interlace != PNG_INTERLACE_NONE)
    {
      tessera_png_row_reader_free (self);
      return NULL;
    }
  if (!tessera_image_check_size (width, height, name, error))
    {
      tessera_png_row_reader_free (self);
      return NULL;
    }
  if (size >= 0 && (guint64) height * (png_get_rowbytes (self->png, self->info) + 1) / DEFLATE_MAX_RATIO > (guint64) size)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the file is too small to hold a %u×%u image (truncated?)"),
                   name, (guint) width, (guint) height);
      tessera_png_row_reader_free (self);
      return NULL;
    }

  png_set_expand (self->png);
  if (depth == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (self->png);
  png_read_update_info (self->png, self->info);

  self->width = width;
  self->height = height;
  self->channels = png_get_channels (self->png, self->info);
  self->depth = png_get_bit_depth (self->png, self->info);
  self->state->buffer = g_malloc (png_get_rowbytes (self->png, self->info));

  self->info_image = tessera_image_new (1, 1, self->channels == 2 || self->channels == 4, error);
  if (self->info_image == NULL)
    {
      tessera_png_row_reader_free (self);
      return NULL;
    }
  tessera_image_set_bit_depth (self->info_image, self->depth == 16 ? 16 : 8);
  tessera_image_set_grayscale (self->info_image, self->channels <= 2);
  read_metadata (self->png, self->info, self->info_image);

  return self;
}

TesseraImage *
tessera_png_row_reader_get_info (TesseraPngRowReader *self)
{
  return self->info_image;
}

guint
tessera_png_row_reader_get_width (TesseraPngRowReader *self)
{
  return self->width;
}

guint
tessera_png_row_reader_get_height (TesseraPngRowReader *self)
{
  return self->height;
}

/* The next row, into @planes at @offset. */
gboolean
tessera_png_row_reader_read (TesseraPngRowReader  *self,
                             float * const        *planes,
                             gsize                 offset,
                             GError              **error)
{
  if (setjmp (png_jmpbuf (self->png)))
    {
      propagate_png_error (self->state, self->name, error);
      return FALSE;
    }

  png_read_row (self->png, self->state->buffer, NULL);
  store_row_planes (planes, offset, self->width, self->state->buffer, self->channels, self->depth);
  if (++self->y == self->height)
    {
      png_read_end (self->png, self->end_info);
      self->trailing = tessera_image_new (1, 1, FALSE, NULL);
      read_metadata (self->png, self->end_info, self->trailing);
    }
  return TRUE;
}

/* An image with the text chunks that came after the pixels, once the last
 * row is read; %NULL before. */
TesseraImage *
tessera_png_row_reader_get_trailing (TesseraPngRowReader *self)
{
  return self->trailing;
}

static void
on_png_write (png_structp png,
              png_bytep   data,
              size_t      length)
{
  PngState *state = png_get_io_ptr (png);
  GError *error = NULL;

  if (!g_output_stream_write_all (state->output, data, length, NULL, state->cancellable, &error))
    png_fail (png, state, error);
}

static void
on_png_flush (png_structp png)
{
}

/* libpng wants tEXt and zTXt in Latin-1; only iTXt holds UTF-8. */
static char *
text_from_utf8 (PngState   *state,
                const char *text,
                gboolean    latin1)
{
  char *converted;

  if (!latin1)
    converted = g_strdup (text);
  else
    converted = g_convert (text, -1, "ISO-8859-1", "UTF-8", NULL, NULL, NULL);

  if (converted != NULL)
    g_ptr_array_add (state->strings, converted);
  return converted;
}

static void set_texts (png_structp   png,
                       png_infop     info,
                       PngState     *state,
                       TesseraImage *image);

static void
write_metadata (png_structp   png,
                png_infop     info,
                PngState     *state,
                TesseraImage *image)
{
  GBytes *profile = tessera_image_get_icc_profile (image);

  if (profile != NULL)
    {
      const char *profile_name = tessera_image_get_icc_profile_name (image);
      gsize size;
      const guint8 *data = g_bytes_get_data (profile, &size);

      png_set_iCCP (png, info, profile_name ? profile_name : "ICC profile",
                    PNG_COMPRESSION_TYPE_BASE, data, size);
    }

  if (tessera_image_get_srgb_intent (image) >= 0)
    png_set_sRGB (png, info, tessera_image_get_srgb_intent (image));

  if (tessera_image_get_gamma (image) > 0)
    png_set_gAMA (png, info, tessera_image_get_gamma (image));

  set_texts (png, info, state, image);
}

/* @image's text chunks, to be written with the next chunks libpng writes. */
static void
set_texts (png_structp   png,
           png_infop     info,
           PngState     *state,
           TesseraImage *image)
{
  GPtrArray *texts = tessera_image_get_texts (image);

  /* libpng has copied the texts of an earlier call. */
  g_free (state->texts);
  state->n_texts = 0;
  state->texts = g_new0 (png_text, texts->len + 1);
  for (guint i = 0; i < texts->len; i++)
    {
      TesseraImageText *entry = g_ptr_array_index (texts, i);
      png_text *out = &state->texts[state->n_texts];
      gboolean international = entry->kind >= TESSERA_TEXT_INTERNATIONAL;
      char *keyword = text_from_utf8 (state, entry->keyword, TRUE);
      char *text = text_from_utf8 (state, entry->text, !international);

      /* A chunk that cannot be encoded is written as iTXt, or not at all. */
      if (keyword == NULL)
        continue;
      if (text == NULL)
        {
          international = TRUE;
          text = text_from_utf8 (state, entry->text, FALSE);
        }

      switch (entry->kind)
        {
        case TESSERA_TEXT_COMPRESSED:
          out->compression = international ? PNG_ITXT_COMPRESSION_zTXt : PNG_TEXT_COMPRESSION_zTXt;
          break;
        case TESSERA_TEXT_INTERNATIONAL:
          out->compression = PNG_ITXT_COMPRESSION_NONE;
          break;
        case TESSERA_TEXT_INTERNATIONAL_COMPRESSED:
          out->compression = PNG_ITXT_COMPRESSION_zTXt;
          break;
        case TESSERA_TEXT_PLAIN:
        default:
          out->compression = international ? PNG_ITXT_COMPRESSION_NONE : PNG_TEXT_COMPRESSION_NONE;
          break;
        }

      out->key = keyword;
      out->text = text;
      out->text_length = strlen (text);
      out->lang = international ? entry->language : NULL;
      out->lang_key = international ? entry->translated_keyword : NULL;
      state->n_texts++;
    }

  if (state->n_texts > 0)
    png_set_text (png, info, state->texts, state->n_texts);
}

/* Row @offset of @planes, interleaved into @channels samples of @depth
 * bits: gray is plane 0, alpha plane 3. */
void
tessera_image_pack_row (const float * const *planes,
                        gsize                offset,
                        guint                width,
                        guint                channels,
                        guint                depth,
                        guint8              *row)
{
  const float *sources[4] = { planes[0], planes[1], planes[2], planes[3] };

  if (channels <= 2)
    sources[1] = planes[3];

  if (depth == 16)
    {
      guint16 *out = (guint16 *) (void *) row;

      for (guint x = 0; x < width; x++)
        for (guint c = 0; c < channels; c++)
          out[(gsize) x * channels + c] = tessera_float_to_u16 (sources[c][offset + x]);
    }
  else
    {
      for (guint x = 0; x < width; x++)
        for (guint c = 0; c < channels; c++)
          row[(gsize) x * channels + c] = tessera_float_to_u8 (sources[c][offset + x]);
    }
}

struct _TesseraPngRowWriter
{
  PngState    *state;
  png_structp  png;
  png_infop    info;
  char        *name;
};

void
tessera_png_row_writer_free (TesseraPngRowWriter *self)
{
  if (self == NULL)
    return;
  if (self->png != NULL)
    png_destroy_write_struct (&self->png, &self->info);
  g_clear_pointer (&self->state, png_state_free);
  g_free (self->name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraPngRowWriter, tessera_png_row_writer_free)

/* Writes the header and the metadata of @metadata: its text chunks, ICC
 * profile, gAMA and sRGB. */
TesseraPngRowWriter *
tessera_png_row_writer_new (GOutputStream  *stream,
                            const char     *name,
                            TesseraImage   *metadata,
                            guint           width,
                            guint           height,
                            guint           depth,
                            guint           channels,
                            int             compression,
                            GCancellable   *cancellable,
                            GError        **error)
{
  /* No automatic cleanup: setjmp() below would clobber it. */
  TesseraPngRowWriter *self = g_new0 (TesseraPngRowWriter, 1);
  gboolean gray = channels <= 2, alpha = channels == 2 || channels == 4;

  self->state = png_state_new ();
  self->state->output = stream;
  self->state->cancellable = cancellable;
  self->name = g_strdup (name);

  self->png = png_create_write_struct (PNG_LIBPNG_VER_STRING, self->state, on_png_error, on_png_warning);
  self->info = self->png ? png_create_info_struct (self->png) : NULL;
  if (self->info == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("%s: not enough memory to write the PNG file"), name);
      tessera_png_row_writer_free (self);
      return NULL;
    }

  if (setjmp (png_jmpbuf (self->png)))
    {
      propagate_png_error (self->state, name, error);
      tessera_png_row_writer_free (self);
      return NULL;
    }

  png_set_write_fn (self->png, self->state, on_png_write, on_png_flush);
  png_set_benign_errors (self->png, 1);
  if (compression >= 0)
    png_set_compression_level (self->png, MIN (compression, 9));
  png_set_IHDR (self->png, self->info, width, height, depth,
                (gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB) | (alpha ? PNG_COLOR_MASK_ALPHA : 0),
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  write_metadata (self->png, self->info, self->state, metadata);
  png_write_info (self->png, self->info);

  if (depth == 16 && G_BYTE_ORDER == G_LITTLE_ENDIAN)
    png_set_swap (self->png);

  return self;
}

gboolean
tessera_png_row_writer_write (TesseraPngRowWriter  *self,
                              const guint8         *row,
                              GError              **error)
{
  if (setjmp (png_jmpbuf (self->png)))
    {
      propagate_png_error (self->state, self->name, error);
      return FALSE;
    }

  png_write_row (self->png, row);
  return TRUE;
}

/* Ends the file, with the text chunks of @trailing (nullable) after the
 * pixels. */
gboolean
tessera_png_row_writer_end (TesseraPngRowWriter  *self,
                            TesseraImage         *trailing,
                            GError              **error)
{
  if (setjmp (png_jmpbuf (self->png)))
    {
      propagate_png_error (self->state, self->name, error);
      return FALSE;
    }

  if (trailing != NULL)
    set_texts (self->png, self->info, self->state, trailing);
  png_write_end (self->png, self->info);
  return TRUE;
}

gboolean
tessera_image_save_png (TesseraImage  *self,
                        GOutputStream *stream,
                        const char    *name,
                        GCancellable  *cancellable,
                        TesseraProgress *progress,
                        GError       **error)
{
  g_autoptr(TesseraPngRowWriter) writer = NULL;
  g_autofree guint8 *row = NULL;
  const char *saving = _("Saving");
  guint width = tessera_image_get_width (self);
  guint height = tessera_image_get_height (self);
  guint depth = tessera_image_get_bit_depth (self);
  gboolean alpha = tessera_image_get_has_alpha (self);
  gboolean gray = tessera_image_get_grayscale (self);
  guint channels = (gray ? 1 : 3) + (alpha ? 1 : 0);
  const float *planes[4] = { NULL };

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    planes[c] = tessera_image_get_plane (self, c);

  writer = tessera_png_row_writer_new (stream, name, self, width, height, depth, channels, -1, cancellable, error);
  if (writer == NULL)
    return FALSE;

  row = g_malloc ((gsize) width * channels * (depth / 8));
  for (guint y = 0; y < height; y++)
    {
      if (y % 64 == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          tessera_progress_report (progress, (double) y / height, saving);
        }

      tessera_image_pack_row (planes, (gsize) y * width, width, channels, depth, row);
      if (!tessera_png_row_writer_write (writer, row, error))
        return FALSE;
    }

  if (!tessera_png_row_writer_end (writer, NULL, error))
    return FALSE;
  tessera_progress_report (progress, 1.0, saving);

  return TRUE;
}
