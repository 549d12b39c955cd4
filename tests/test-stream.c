/* test-stream.c: upscales larger than memory, band by band from file to
 * file (tessera_engine_upscale_file()), against the in-memory upscale
 * and save, byte for byte; PNG and TIFF outputs; broken inputs.
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <tiffio.h>

#include "tessera.h"
#include "tessera-test-utils.h"

/* A @width × @height image of noise over gradients, so that every filter
 * and tile has something to do, with an ICC profile and a text chunk. */
static TesseraImage *
make_image (guint    width,
            guint    height,
            gboolean has_alpha,
            guint    depth)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (24);
  g_autofree char *profile_path = g_test_build_filename (G_TEST_DIST, "data", "images", "sd-icc.bin", NULL);
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (profile_path, FALSE, NULL);
  g_autoptr(GBytes) profile = g_mapped_file_get_bytes (mapped);
  TesseraImage *image = tessera_image_new (width, height, has_alpha, NULL);

  for (guint c = 0; c < (has_alpha ? 4u : 3u); c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        for (guint x = 0; x < width; x++)
          plane[(gsize) y * width + x] = CLAMP (0.5f * (x + c * y) / (width + height) +
                                                  (float) g_rand_double_range (rand, 0.0, 0.5), 0.f, 1.f);
    }
  tessera_image_set_bit_depth (image, depth);
  tessera_image_set_icc_profile (image, profile);
  tessera_image_set_text (image, "Comment", "kept through the stream");
  return image;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  g_file_get_contents (path, &data, &size, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

/* Writes @input to @dir, upscales it in memory and saves the result, then
 * band by band; the two files must be the same, byte for byte. */
static void
assert_same_as_in_memory (const char            *dir,
                          TesseraImage          *input,
                          TesseraUpscaleOptions *options,
                          const char            *extension)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *input_path = g_build_filename (dir, "input.png", NULL);
  g_autofree char *memory_name = g_strdup_printf ("memory.%s", extension);
  g_autofree char *stream_name = g_strdup_printf ("stream.%s", extension);
  g_autofree char *memory_path = g_build_filename (dir, memory_name, NULL);
  g_autofree char *stream_path = g_build_filename (dir, stream_name, NULL);
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(GFile) memory_file = g_file_new_for_path (memory_path);
  g_autoptr(GFile) stream_file = g_file_new_for_path (stream_path);
  g_autoptr(TesseraImage) loaded = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GBytes) memory_bytes = NULL;
  g_autoptr(GBytes) stream_bytes = NULL;
  TesseraImageFormat format;

  g_assert_true (tessera_image_format_from_name (extension, &format));
  tessera_upscale_options_set_format (options, format);
  g_assert_true (tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* The in-memory path starts from the file too, as the batch does. */
  loaded = tessera_image_new_from_file (input_file, NULL, &error);
  g_assert_no_error (error);
  output = tessera_engine_upscale (engine, loaded, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_image_save (output, memory_file, format, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (tessera_engine_upscale_file (engine, input_file, stream_file, options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* The input's ICC profile and text made it through. */
  if (format == TESSERA_IMAGE_FORMAT_PNG)
    {
      g_autoptr(TesseraImage) streamed = tessera_image_new_from_file (stream_file, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (tessera_image_get_icc_profile (streamed));
      g_assert_true (g_bytes_equal (tessera_image_get_icc_profile (streamed), tessera_image_get_icc_profile (input)));
      g_assert_cmpstr (tessera_image_get_text (streamed, "Comment"), ==, "kept through the stream");
    }

  memory_bytes = read_bytes (memory_path);
  stream_bytes = read_bytes (stream_path);
  g_assert_cmpuint (g_bytes_get_size (stream_bytes), >, 0);
  g_assert_true (g_bytes_equal (memory_bytes, stream_bytes));
  /* Only the three files: no temporary one left. */
  g_assert_cmpuint (test_count_files (dir), ==, 3);
  g_unlink (memory_path);
  g_unlink (stream_path);
}

static TesseraUpscaleOptions *
options_for (const char *upscaler,
             double      scale)
{
  TesseraUpscaleOptions *options = tessera_upscale_options_new ();

  tessera_upscale_options_set_upscaler (options, upscaler);
  tessera_upscale_options_set_scale (options, scale);
  tessera_upscale_options_set_stream (options, TRUE);
  return options;
}

static void
test_classic (void)
{
  const char *filters[] = { "lanczos", "bicubic", "bilinear", "nearest" };
  const double scales[] = { 4.0, 2.3, 0.7 };
  g_autofree char *dir = test_make_tmpdir ();

  /* Bands of a few rows, so that every band boundary is crossed. */
  g_setenv ("TESSERA_STREAM_BAND_ROWS", "7", TRUE);
  for (guint alpha = 0; alpha < 2; alpha++)
    for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
      for (guint s = 0; s < G_N_ELEMENTS (scales); s++)
        {
          g_autoptr(TesseraImage) input = make_image (29, 23, alpha, alpha ? 16 : 8);
          g_autoptr(TesseraUpscaleOptions) options = options_for (filters[f], scales[s]);

          assert_same_as_in_memory (dir, input, options, "png");
          assert_same_as_in_memory (dir, input, options, "tif");
        }
  g_unsetenv ("TESSERA_STREAM_BAND_ROWS");
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_model (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "span_x4.safetensors", NULL);
  g_autofree char *dir = test_make_tmpdir ();

  for (guint alpha = 0; alpha < 2; alpha++)
    for (guint variant = 0; variant < 3; variant++)
      {
        g_autoptr(TesseraImage) input = make_image (37, 29, alpha, 8);
        g_autoptr(TesseraUpscaleOptions) options = options_for (model, 4.0);

        /* Rows of small tiles, overlapping, with a reflected border. */
        tessera_upscale_options_set_tile_size (options, 16);
        tessera_upscale_options_set_tile_overlap (options, 4);
        tessera_upscale_options_set_pre_pad (options, 6);
        if (variant == 1)
          tessera_upscale_options_set_alpha_mode (options, TESSERA_ALPHA_MODE_MODEL);
        if (variant == 2)
          tessera_upscale_options_set_tta (options, TRUE);

        assert_same_as_in_memory (dir, input, options, "png");
        assert_same_as_in_memory (dir, input, options, "tif");
      }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A model run more than once, a chain, and a model's result resampled to
 * the size asked: each pass through a hidden file, the same bytes as in
 * memory, and no file left behind. */
static void
test_passes (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "span_x4.safetensors", NULL);
  g_autofree char *chain = g_strdup_printf ("%s+%s", model, model);
  g_autofree char *dir = test_make_tmpdir ();
  struct { const char *upscaler; double scale; } cases[] = {
    { chain, 16.0 },  /* a chain, each model once */
    { chain, 8.0 },   /* a chain, then Lanczos down to the size */
    { model, 2.0 },   /* the model, then Lanczos down */
    { model, 8.0 },   /* the model twice, then Lanczos down */
  };

  for (guint alpha = 0; alpha < 2; alpha++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(TesseraImage) input = make_image (11, 9, alpha, 8);
        g_autoptr(TesseraUpscaleOptions) options = options_for (cases[i].upscaler, cases[i].scale);

        tessera_upscale_options_set_tile_size (options, 16);
        tessera_upscale_options_set_tile_overlap (options, 4);
        assert_same_as_in_memory (dir, input, options, "png");
      }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
cancel_on_second_pass (double      fraction,
                       const char *text,
                       gpointer    user_data)
{
  if (g_str_has_prefix (text, "Pass 2 of"))
    g_cancellable_cancel (user_data);
}

/* Cancelled in a chain's second pass: the output and the first pass's
 * file are gone. */
static void
test_cancel_chain (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "span_x4.safetensors", NULL);
  g_autofree char *chain = g_strdup_printf ("%s+%s", model, model);
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(GFile) out_file = g_file_new_for_path (out_path);
  g_autoptr(TesseraImage) image = make_image (11, 9, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for (chain, 16.0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  tessera_upscale_options_set_tile_size (options, 16);
  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_false (tessera_engine_upscale_file (engine, in_file, out_file, options, cancellable,
                                               cancel_on_second_pass, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (test_count_files (dir), ==, 1);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* PNG's CRC-32, bit by bit: the test's own, not libpng's or zlib's. */
static guint32
png_crc (const guint8 *data,
         gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (guint k = 0; k < 8; k++)
        crc = crc & 1 ? 0xedb88320 ^ (crc >> 1) : crc >> 1;
    }
  return crc ^ 0xffffffff;
}

/* @path's PNG with a tEXt chunk of @keyword and @text put just before
 * IEND, after the pixels. */
static void
add_trailing_text (const char *path,
                   const char *keyword,
                   const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GByteArray) chunk = g_byte_array_new ();
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint32 size = strlen (keyword) + 1 + strlen (text), crc;
  guint8 be[4];
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpmem (contents + length - 12 + 4, 4, "IEND", 4);

  g_byte_array_append (chunk, (const guint8 *) "tEXt", 4);
  g_byte_array_append (chunk, (const guint8 *) keyword, strlen (keyword) + 1);
  g_byte_array_append (chunk, (const guint8 *) text, strlen (text));
  crc = png_crc (chunk->data, chunk->len);

  g_byte_array_append (file, (const guint8 *) contents, length - 12);
  be[0] = size >> 24, be[1] = size >> 16, be[2] = size >> 8, be[3] = size;
  g_byte_array_append (file, be, 4);
  g_byte_array_append (file, chunk->data, chunk->len);
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (file, be, 4);
  g_byte_array_append (file, (const guint8 *) contents + length - 12, 12);
  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, &error));
}

/* Text after an input PNG's pixels is kept, after the output's pixels,
 * whatever the upscaler; the text before them stays before. */
static void
test_trailing_text (void)
{
  g_autofree char *model = g_test_build_filename (G_TEST_DIST, "data", "span_x4.safetensors", NULL);
  g_autofree char *chain = g_strdup_printf ("%s+%s", model, model);
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(GFile) out_file = g_file_new_for_path (out_path);
  g_autoptr(TesseraImage) image = make_image (11, 9, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GError) error = NULL;
  struct { const char *upscaler; double scale; } cases[] = {
    { "lanczos", 2.0 }, { "bicubic", 0.7 }, { model, 4.0 }, { chain, 8.0 },
  };

  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  add_trailing_text (in_path, "Late", "added after the pixels");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TesseraUpscaleOptions) options = options_for (cases[i].upscaler, cases[i].scale);
      g_autoptr(GPtrArray) chunks = NULL;
      g_autoptr(TesseraImage) output = NULL;
      gint first_idat = -1, last_idat = -1, late = -1, comment = -1;

      tessera_upscale_options_set_tile_size (options, 16);
      g_assert_true (tessera_engine_upscale_file (engine, in_file, out_file, options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);

      chunks = test_read_png_chunks (out_path);
      for (guint c = 0; c < chunks->len; c++)
        {
          TestChunk *chunk = g_ptr_array_index (chunks, c);

          if (g_str_equal (chunk->type, "IDAT"))
            {
              first_idat = first_idat < 0 ? (gint) c : first_idat;
              last_idat = c;
            }
          if (chunk == test_find_chunk (chunks, "tEXt", "Late"))
            late = c;
          if (chunk == test_find_chunk (chunks, "tEXt", "Comment"))
            comment = c;
        }
      g_assert_cmpint (first_idat, >=, 0);
      g_assert_cmpint (comment, >=, 0);
      g_assert_cmpint (comment, <, first_idat);
      g_assert_cmpint (late, >, last_idat);

      output = tessera_image_new_from_file (out_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (tessera_image_get_text (output, "Late"), ==, "added after the pixels");
      g_assert_cmpstr (tessera_image_get_text (output, "Comment"), ==, "kept through the stream");
    }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* Inputs that are not read row by row (another format, an interlaced
 * PNG) are decoded whole, then banded as the rest. */
static void
test_whole_input (void)
{
  const char *names[] = { "rgb.tiff", "rgba8-interlaced.png", "gray16.png" };
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();

  g_setenv ("TESSERA_STREAM_BAND_ROWS", "5", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "images", names[i], NULL);
      g_autofree char *memory_path = g_build_filename (dir, "memory.png", NULL);
      g_autofree char *stream_path = g_build_filename (dir, "stream.png", NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFile) memory_file = g_file_new_for_path (memory_path);
      g_autoptr(GFile) stream_file = g_file_new_for_path (stream_path);
      g_autoptr(TesseraUpscaleOptions) options = options_for ("lanczos", 3.0);
      g_autoptr(TesseraImage) input = NULL;
      g_autoptr(TesseraImage) output = NULL;
      g_autoptr(GBytes) memory_bytes = NULL;
      g_autoptr(GBytes) stream_bytes = NULL;
      g_autoptr(GError) error = NULL;

      input = tessera_image_new_from_file (file, NULL, &error);
      g_assert_no_error (error);
      output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (tessera_image_save (output, memory_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
      g_assert_true (tessera_engine_upscale_file (engine, file, stream_file, options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);

      memory_bytes = read_bytes (memory_path);
      stream_bytes = read_bytes (stream_path);
      g_assert_true (g_bytes_equal (memory_bytes, stream_bytes));
    }
  g_unsetenv ("TESSERA_STREAM_BAND_ROWS");
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* The TIFF as libtiff reads it: tags, ICC profile, and pixels equal to
 * the PNG of the same image (as GdkPixbuf reads both). */
static void
test_tiff (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *png_path = g_build_filename (dir, "out.png", NULL);
  g_autofree char *tiff_path = g_build_filename (dir, "out.tif", NULL);
  g_autofree char *tiled_path = g_build_filename (dir, "tiled.tif", NULL);
  g_autoptr(GFile) png_file = g_file_new_for_path (png_path);
  g_autoptr(GFile) tiff_file = g_file_new_for_path (tiff_path);
  g_autoptr(GFile) tiled_file = g_file_new_for_path (tiled_path);
  g_autoptr(TesseraImage) image = make_image (70, 45, TRUE, 16);
  g_autoptr(TesseraImage) input = make_image (20, 15, FALSE, 8);
  g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("lanczos", 3.5);
  g_autoptr(GError) error = NULL;
  const char *paths[] = { png_path, tiled_path };
  g_autoptr(GdkPixbuf) reference = NULL;
  TIFF *tiff;
  guint32 width, height, count, tile_width;
  guint16 depth, samples, compression;
  void *profile;

  g_assert_true (tessera_image_save (image, png_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_true (tessera_image_save (image, tiff_file, TESSERA_IMAGE_FORMAT_TIFF, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  tiff = TIFFOpen (tiff_path, "r");
  g_assert_nonnull (tiff);
  TIFFGetField (tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField (tiff, TIFFTAG_IMAGELENGTH, &height);
  TIFFGetField (tiff, TIFFTAG_BITSPERSAMPLE, &depth);
  TIFFGetField (tiff, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetField (tiff, TIFFTAG_COMPRESSION, &compression);
  g_assert_cmpuint (width, ==, 70);
  g_assert_cmpuint (height, ==, 45);
  g_assert_cmpuint (depth, ==, 16);
  g_assert_cmpuint (samples, ==, 4);
  g_assert_cmpuint (compression, ==, COMPRESSION_ADOBE_DEFLATE);
  g_assert_true (TIFFGetField (tiff, TIFFTAG_ICCPROFILE, &count, &profile));
  g_assert_cmpmem (profile, count, g_bytes_get_data (tessera_image_get_icc_profile (image), NULL),
                   g_bytes_get_size (tessera_image_get_icc_profile (image)));
  TIFFClose (tiff);

  /* A streamed, tiled TIFF holds the streamed PNG's pixels. */
  g_assert_true (tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  tessera_upscale_options_set_format (options, TESSERA_IMAGE_FORMAT_PNG);
  g_assert_true (tessera_engine_upscale_file (engine, input_file, png_file, options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  tessera_upscale_options_set_format (options, TESSERA_IMAGE_FORMAT_TIFF);
  tessera_upscale_options_set_tiff_tile_size (options, 32);
  g_assert_true (tessera_engine_upscale_file (engine, input_file, tiled_file, options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  tiff = TIFFOpen (tiled_path, "r");
  g_assert_nonnull (tiff);
  g_assert_true (TIFFIsTiled (tiff));
  TIFFGetField (tiff, TIFFTAG_TILEWIDTH, &tile_width);
  g_assert_cmpuint (tile_width, ==, 32);
  TIFFClose (tiff);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (paths[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 70);
      g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 53);
      if (reference == NULL)
        {
          reference = g_object_ref (pixbuf);
          continue;
        }
      /* GdkPixbuf reads every TIFF with alpha. */
      for (int y = 0; y < 53; y++)
        for (int x = 0; x < 70; x++)
          for (int c = 0; c < 3; c++)
            g_assert_cmpuint (gdk_pixbuf_get_pixels (pixbuf)[y * gdk_pixbuf_get_rowstride (pixbuf) +
                                                             x * gdk_pixbuf_get_n_channels (pixbuf) + c], ==,
                              gdk_pixbuf_get_pixels (reference)[y * gdk_pixbuf_get_rowstride (reference) +
                                                                x * gdk_pixbuf_get_n_channels (reference) + c]);
    }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A truncated or damaged input fails naming the file and the cause, and
 * leaves no output, not even a temporary one. */
static void
test_broken_input (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *good_path = g_build_filename (dir, "good.png", NULL);
  g_autofree char *broken_path = g_build_filename (dir, "broken.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.tif", NULL);
  g_autoptr(GFile) good_file = g_file_new_for_path (good_path);
  g_autoptr(GFile) broken_file = g_file_new_for_path (broken_path);
  g_autoptr(GFile) out_file = g_file_new_for_path (out_path);
  g_autoptr(TesseraImage) image = make_image (300, 200, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("lanczos", 2.0);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;
  char *data;

  tessera_upscale_options_set_format (options, TESSERA_IMAGE_FORMAT_TIFF);
  g_setenv ("TESSERA_STREAM_BAND_ROWS", "16", TRUE);
  g_assert_true (tessera_image_save (image, good_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  bytes = read_bytes (good_path);
  size = g_bytes_get_size (bytes);

  for (guint damage = 0; damage < 2; damage++)
    {
      data = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
      if (damage == 1)
        data[size * 2 / 3] ^= 0x55;  /* inside the image data: a bad CRC */
      g_assert_true (g_file_set_contents (broken_path, data, damage == 0 ? (gssize) (size * 2 / 3) : (gssize) size,
                                          &error));
      g_free (data);

      g_assert_false (tessera_engine_upscale_file (engine, broken_file, out_file, options, NULL, NULL, NULL, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "broken.png"));
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      /* good.png and broken.png only. */
      g_assert_cmpuint (test_count_files (dir), ==, 2);
    }

  /* The image fixtures' broken PNGs, the lying and gigapixel headers among them. */
  {
    const char *names[] = { "gigapixel-ihdr.png", "huge-ihdr.png", "lying-ihdr.png", "truncated.png", "bad-crc.png",
                            "too-small-for-ihdr.png", "empty.png", "not-a-png.png", "huge-text-chunk.png" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "images", names[i], NULL);
        g_autoptr(GFile) file = g_file_new_for_path (path);

        g_assert_false (tessera_engine_upscale_file (engine, file, out_file, options, NULL, NULL, NULL, &error));
        g_assert_nonnull (error);
        g_assert_true (g_str_has_prefix (error->message, names[i]));
        g_clear_error (&error);
        g_assert_cmpuint (test_count_files (dir), ==, 2);
      }
  }

  /* Cancelled: nothing either. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_false (tessera_engine_upscale_file (engine, good_file, out_file, options, cancellable, NULL, NULL,
                                                 &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_cmpuint (test_count_files (dir), ==, 2);
  }
  g_unsetenv ("TESSERA_STREAM_BAND_ROWS");
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* What cannot stream says so, before writing anything. */
static void
test_refused (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(GFile) out_file = g_file_new_for_path (out_path);
  g_autoptr(TesseraImage) image = make_image (12, 10, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(GError) error = NULL;
  struct { const char *upscaler; double scale; const char *second; TesseraImageFormat format; } cases[] = {
    { "lanczos", 2.0, "bicubic", TESSERA_IMAGE_FORMAT_PNG }, /* a second upscaler */
    { "lanczos", 2.0, NULL, TESSERA_IMAGE_FORMAT_JPEG },    /* not PNG or TIFF */
  };

  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TesseraUpscaleOptions) options = options_for (cases[i].upscaler, cases[i].scale);

      tessera_upscale_options_set_upscaler_2 (options, cases[i].second);
      tessera_upscale_options_set_format (options, cases[i].format);
      g_assert_false (tessera_engine_upscale_file (engine, in_file, out_file, options, NULL, NULL, NULL, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_test_message ("%s", error->message);
      g_clear_error (&error);
      g_assert_cmpuint (test_count_files (dir), ==, 1);
    }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* The rule: a result past the in-memory limits streams by itself. */
static void
test_needs_stream (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(TesseraImage) image = make_image (1100, 10, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  tessera_upscale_options_set_scale (options, 4.0);
  g_assert_false (tessera_engine_upscale_needs_stream (engine, in_file, options));
  /* 1100 × 64 = 70400 pixels wide: past 65535. */
  tessera_upscale_options_set_scale (options, 64.0);
  g_assert_true (tessera_engine_upscale_needs_stream (engine, in_file, options));
  tessera_upscale_options_set_scale (options, 4.0);
  tessera_upscale_options_set_stream (options, TRUE);
  g_assert_true (tessera_engine_upscale_needs_stream (engine, in_file, options));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* tessera-cli: --stream, .tif, --depth and --tiff-tiles through the batch. */
static void
test_cli (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *out_path = g_build_filename (dir, "out.tiff", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(TesseraImage) image = make_image (30, 20, FALSE, 8);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { g_getenv ("TESSERA_CLI"), "upscale", "-q", in_path, "-s", "2", "--stream", "--depth", "16",
                         "--tiff-tiles", "16", "-o", out_path, NULL };
  g_autofree char *err = NULL;
  guint32 width, tile;
  guint16 depth;
  int status;
  TIFF *tiff;

  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);

  tiff = TIFFOpen (out_path, "r");
  g_assert_nonnull (tiff);
  TIFFGetField (tiff, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField (tiff, TIFFTAG_BITSPERSAMPLE, &depth);
  TIFFGetField (tiff, TIFFTAG_TILEWIDTH, &tile);
  g_assert_cmpuint (width, ==, 60);
  g_assert_cmpuint (depth, ==, 16);
  g_assert_cmpuint (tile, ==, 16);
  TIFFClose (tiff);
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
on_finished (TesseraBatch *batch,
             gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The batch streams what asks for it, and strips the metadata when told,
 * as it strips an image in memory. */
static void
test_batch (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *in_path = g_build_filename (dir, "in.png", NULL);
  g_autoptr(GFile) in_file = g_file_new_for_path (in_path);
  g_autoptr(TesseraImage) image = make_image (24, 16, FALSE, 8);
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = options_for ("bicubic", 2.0);
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_image_save (image, in_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  for (guint keep = 0; keep < 2; keep++)
    {
      g_autofree char *out_name = g_strdup_printf ("out-%u.png", keep);
      g_autofree char *out_path = g_build_filename (dir, out_name, NULL);
      g_autoptr(GFile) out_file = g_file_new_for_path (out_path);
      g_autoptr(TesseraBatch) batch = tessera_batch_new (engine);
      g_autoptr(TesseraBatchItem) item = NULL;
      g_autoptr(TesseraImage) back = NULL;
      gboolean finished = FALSE;

      tessera_batch_set_options (batch, options);
      tessera_batch_set_keep_metadata (batch, keep);
      tessera_batch_add_file_with_output (batch, in_file, out_file);
      g_signal_connect (batch, "finished", G_CALLBACK (on_finished), &finished);
      g_assert_true (tessera_batch_start (batch, &error));
      while (!finished)
        g_main_context_iteration (NULL, TRUE);

      item = g_list_model_get_item (tessera_batch_get_items (batch), 0);
      g_assert_cmpint (tessera_batch_item_get_status (item), ==, TESSERA_BATCH_ITEM_DONE);
      back = tessera_image_new_from_file (out_file, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tessera_image_get_width (back), ==, 48);
      g_assert_true ((tessera_image_get_icc_profile (back) != NULL) == keep);
      g_assert_true ((tessera_image_get_text (back, "Comment") != NULL) == keep);
    }
  test_remove_tmpdir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream/classic", test_classic);
  g_test_add_func ("/stream/model", test_model);
  g_test_add_func ("/stream/passes", test_passes);
  g_test_add_func ("/stream/cancel-chain", test_cancel_chain);
  g_test_add_func ("/stream/trailing-text", test_trailing_text);
  g_test_add_func ("/stream/whole-input", test_whole_input);
  g_test_add_func ("/stream/tiff", test_tiff);
  g_test_add_func ("/stream/broken-input", test_broken_input);
  g_test_add_func ("/stream/refused", test_refused);
  g_test_add_func ("/stream/needs-stream", test_needs_stream);
  g_test_add_func ("/stream/cli", test_cli);
  g_test_add_func ("/stream/batch", test_batch);

  return g_test_run ();
}
