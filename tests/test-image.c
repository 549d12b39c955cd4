/* test-image.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "tessera-test-utils.h"

/* The formulas data/images/make-fixtures.py wrote the pixels with. */
static guint
s8 (guint x, guint y, guint c)
{
  return (x * 37 + y * 59 + c * 101 + 13) % 256;
}

static guint
s16 (guint x, guint y, guint c)
{
  return (x * 4099 + y * 7919 + c * 12345 + 77) % 65536;
}

typedef enum { GRAY, GRAY_ALPHA, RGB, RGBA, PALETTE, PALETTE_TRNS, GRAY_TRNS } Layout;

typedef struct
{
  const char *file;
  guint       width;
  guint       height;
  Layout      layout;
  guint       depth;      /* as stored in the file */
} PngCase;

static const PngCase png_cases[] = {
  { "gray1.png", 13, 7, GRAY, 1 },
  { "gray2.png", 13, 7, GRAY, 2 },
  { "gray4.png", 13, 7, GRAY, 4 },
  { "gray8.png", 13, 7, GRAY, 8 },
  { "gray16.png", 13, 7, GRAY, 16 },
  { "gray8-trns.png", 13, 7, GRAY_TRNS, 8 },
  { "graya8.png", 13, 7, GRAY_ALPHA, 8 },
  { "graya16.png", 13, 7, GRAY_ALPHA, 16 },
  { "rgb8.png", 13, 7, RGB, 8 },
  { "rgb16.png", 13, 7, RGB, 16 },
  { "rgba8.png", 13, 7, RGBA, 8 },
  { "rgba16.png", 13, 7, RGBA, 16 },
  { "palette4.png", 13, 7, PALETTE, 4 },
  { "palette4-trns.png", 13, 7, PALETTE_TRNS, 4 },
  { "rgba8-interlaced.png", 13, 11, RGBA, 8 },
  { "gray16-interlaced.png", 13, 11, GRAY, 16 },
};

/* The value a pixel must load as, in [0, 1]. */
static float
expected_value (const PngCase *test,
                guint          x,
                guint          y,
                guint          c)
{
  guint index = (x + 3 * y) % 16;
  guint gray_channel = c == 3 ? 1 : 0;

  switch (test->layout)
    {
    case GRAY:
    case GRAY_ALPHA:
      if (test->layout == GRAY && c == 3)
        return 1.f;
      if (test->depth == 16)
        return s16 (x, y, gray_channel) / 65535.f;
      if (test->depth < 8)
        {
          guint max = (1u << test->depth) - 1;
          return ((x + 2 * y) % (max + 1)) * (255 / max) / 255.f;
        }
      return s8 (x, y, gray_channel) / 255.f;
    case GRAY_TRNS:
      if (c == 3)
        return s8 (x, y, 0) == s8 (2, 3, 0) ? 0.f : 1.f;
      return s8 (x, y, 0) / 255.f;
    case RGB:
    case RGBA:
      if (test->layout == RGB && c == 3)
        return 1.f;
      return test->depth == 16 ? s16 (x, y, c) / 65535.f : s8 (x, y, c) / 255.f;
    case PALETTE:
    case PALETTE_TRNS:
      switch (c)
        {
        case 0:
          return (index * 17) % 256 / 255.f;
        case 1:
          return (255 - index * 13) % 256 / 255.f;
        case 2:
          return (index * 29 + 5) % 256 / 255.f;
        default:
          return test->layout == PALETTE_TRNS ? (255 - index * 17) / 255.f : 1.f;
        }
    default:
      g_assert_not_reached ();
    }
}

static void
test_png_layout (gconstpointer data)
{
  const PngCase *test = data;
  g_autofree char *path = g_build_filename ("images", test->file, NULL);
  g_autoptr(TesseraImage) image = test_load_image (path);
  gboolean alpha = test->layout == GRAY_ALPHA || test->layout == RGBA ||
                   test->layout == PALETTE_TRNS || test->layout == GRAY_TRNS;
  gboolean gray = test->layout == GRAY || test->layout == GRAY_ALPHA || test->layout == GRAY_TRNS;

  g_assert_cmpuint (tessera_image_get_width (image), ==, test->width);
  g_assert_cmpuint (tessera_image_get_height (image), ==, test->height);
  g_assert_cmpint (tessera_image_get_has_alpha (image), ==, alpha);
  g_assert_cmpint (tessera_image_get_grayscale (image), ==, gray);
  g_assert_cmpuint (tessera_image_get_bit_depth (image), ==, test->depth == 16 ? 16 : 8);

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < test->height; y++)
        for (guint x = 0; x < test->width; x++)
          {
            float want = expected_value (test, x, y, gray && c < 3 ? 0 : c);

            if (plane[y * test->width + x] != want)
              g_error ("%s: pixel (%u, %u) channel %u is %g, not %g",
                       test->file, x, y, c, plane[y * test->width + x], want);
          }
    }

  g_assert_finalize_object (g_steal_pointer (&image));
}

static const char parameters[] =
  "a cat on a windowsill, café light, highly detailed\n"
  "Negative prompt: blurry, lowres\n"
  "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567890, "
  "Size: 512x512, Model: sd_xl_base_1.0";

static GBytes *
expected_icc_profile (void)
{
  g_autoptr(GFile) file = test_data_file ("images/sd-icc.bin");
  g_autoptr(GError) error = NULL;
  GBytes *bytes = g_file_load_bytes (file, NULL, NULL, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
assert_sd_metadata (TesseraImage *image)
{
  g_autoptr(GBytes) icc = expected_icc_profile ();
  g_auto(GStrv) keywords = tessera_image_dup_text_keywords (image);
  const char *want[] = { "parameters", "Comment", "Title", "Description", "Software", NULL };
  g_autoptr(GString) comment = g_string_new (NULL);

  for (guint i = 0; i < 20; i++)
    g_string_append (comment, "compressed comment ");

  g_assert_cmpstrv (keywords, want);
  g_assert_cmpstr (tessera_image_get_text (image, "parameters"), ==, parameters);
  g_assert_cmpstr (tessera_image_get_text (image, "Comment"), ==, comment->str);
  g_assert_cmpstr (tessera_image_get_text (image, "Title"), ==, "Кошка на подоконнике");
  g_assert_cmpstr (tessera_image_get_text (image, "Description"), ==, "창가에 앉은 고양이");
  g_assert_cmpstr (tessera_image_get_text (image, "Software"), ==, "make-fixtures.py");
  g_assert_nonnull (tessera_image_get_icc_profile (image));
  g_assert_true (g_bytes_equal (tessera_image_get_icc_profile (image), icc));
}

static void
test_png_metadata (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/sd-rgba16.png");

  g_assert_cmpuint (tessera_image_get_bit_depth (image), ==, 16);
  g_assert_true (tessera_image_get_has_alpha (image));
  assert_sd_metadata (image);
}

static void
assert_same_pixels (TesseraImage *a,
                    TesseraImage *b)
{
  guint n = tessera_image_get_has_alpha (a) ? 4 : 3;
  gsize size = (gsize) tessera_image_get_width (a) * tessera_image_get_height (a) * sizeof (float);

  g_assert_cmpuint (tessera_image_get_width (a), ==, tessera_image_get_width (b));
  g_assert_cmpuint (tessera_image_get_height (a), ==, tessera_image_get_height (b));
  g_assert_cmpint (tessera_image_get_has_alpha (a), ==, tessera_image_get_has_alpha (b));
  for (guint c = 0; c < n; c++)
    g_assert_cmpmem (tessera_image_get_plane (a, c), size, tessera_image_get_plane (b, c), size);
}

static TesseraImage *
save_and_reload (TesseraImage       *image,
                 const char         *dir,
                 const char         *name,
                 TesseraImageFormat  format,
                 int                 quality)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraImage *reloaded;

  g_assert_true (tessera_image_save (image, file, format, quality, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  reloaded = tessera_image_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  return reloaded;
}

static void
test_png_roundtrip_16bit_alpha (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/sd-rgba16.png");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(TesseraImage) reloaded = save_and_reload (image, dir, "out.png", TESSERA_IMAGE_FORMAT_PNG, 0);
  g_autoptr(GPtrArray) chunks = test_read_png_chunks (path);
  const guint8 *ihdr;
  const char *data;
  TestChunk *chunk;
  gsize size;

  assert_same_pixels (image, reloaded);
  g_assert_cmpuint (tessera_image_get_bit_depth (reloaded), ==, 16);
  assert_sd_metadata (reloaded);

  /* Each chunk is written back as the kind it was read as. */
  ihdr = g_bytes_get_data (((TestChunk *) g_ptr_array_index (chunks, 0))->data, NULL);
  g_assert_cmpuint (ihdr[8], ==, 16);
  g_assert_cmpuint (ihdr[9], ==, 6);
  g_assert_nonnull (test_find_chunk (chunks, "tEXt", "parameters"));
  g_assert_nonnull (test_find_chunk (chunks, "zTXt", "Comment"));
  chunk = test_find_chunk (chunks, "iTXt", "Title");
  g_assert_nonnull (chunk);
  data = g_bytes_get_data (chunk->data, &size);
  g_assert_nonnull (memmem (data, size, "\0\0ru\0", 5));
  g_assert_nonnull (test_find_chunk (chunks, "iTXt", "Description"));
  g_assert_nonnull (test_find_chunk (chunks, "iCCP", NULL));
  chunk = test_find_chunk (chunks, "gAMA", NULL);
  g_assert_nonnull (chunk);
  g_assert_cmpmem (g_bytes_get_data (chunk->data, NULL), 4, "\x00\x00\xb1\x8f", 4);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_png_roundtrip_gray (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/gray8.png");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "gray.png", NULL);
  g_autoptr(TesseraImage) reloaded = save_and_reload (image, dir, "gray.png", TESSERA_IMAGE_FORMAT_PNG, 0);
  g_autoptr(GPtrArray) chunks = test_read_png_chunks (path);
  const guint8 *ihdr = g_bytes_get_data (((TestChunk *) g_ptr_array_index (chunks, 0))->data, NULL);

  assert_same_pixels (image, reloaded);
  g_assert_cmpuint (ihdr[8], ==, 8);
  g_assert_cmpuint (ihdr[9], ==, 0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_png_srgb (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/rgb8-srgb.png");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "srgb.png", NULL);
  g_autoptr(TesseraImage) reloaded = save_and_reload (image, dir, "srgb.png", TESSERA_IMAGE_FORMAT_PNG, 0);
  g_autoptr(GPtrArray) chunks = test_read_png_chunks (path);
  TestChunk *srgb = test_find_chunk (chunks, "sRGB", NULL);

  assert_same_pixels (image, reloaded);
  g_assert_nonnull (srgb);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (srgb->data, NULL))[0], ==, 1);
  g_assert_nonnull (test_find_chunk (chunks, "gAMA", NULL));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

typedef struct
{
  const char *file;
  gboolean    io_error;   /* G_IO_ERROR rather than TESSERA_ERROR */
  int         code;
} ErrorCase;

static void
test_load_error (gconstpointer data)
{
  const ErrorCase *test = data;
  g_autofree char *relative = g_build_filename ("images", test->file, NULL);
  g_autoptr(GFile) file = test_data_file (relative);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = NULL;
  g_autofree char *basename = g_file_get_basename (file);

  image = tessera_image_new_from_file (file, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, (test->io_error ? G_IO_ERROR : TESSERA_ERROR), test->code);
  /* One line that starts with the file's name. */
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, basename));
  g_assert_null (strchr (error->message, '\n'));
}

static const ErrorCase error_cases[] = {
  { "empty.png", FALSE, TESSERA_ERROR_CORRUPT },
  { "truncated.png", FALSE, TESSERA_ERROR_CORRUPT },
  { "bad-crc.png", FALSE, TESSERA_ERROR_CORRUPT },
  { "lying-ihdr.png", FALSE, TESSERA_ERROR_CORRUPT },
  { "huge-ihdr.png", FALSE, TESSERA_ERROR_TOO_LARGE },
  { "gigapixel-ihdr.png", FALSE, TESSERA_ERROR_TOO_LARGE },
  { "too-small-for-ihdr.png", FALSE, TESSERA_ERROR_CORRUPT },
  { "not-a-png.png", FALSE, TESSERA_ERROR_UNKNOWN_FORMAT },
  { "no-such-file.png", TRUE, G_IO_ERROR_NOT_FOUND },
  { "", TRUE, G_IO_ERROR_IS_DIRECTORY },
};

/* A text chunk claiming 1.5 GB (found by fuzzing) is skipped, not allocated. */
static void
test_huge_text_chunk (void)
{
  g_autoptr(GFile) file = test_data_file ("images/huge-text-chunk.png");
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = tessera_image_new_from_file (file, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
  g_assert_true (g_str_has_prefix (error->message, "huge-text-chunk.png: "));
}

static void
test_exif_orientation (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/exif-orientation-6.jpg");
  const float *red = tessera_image_get_plane (image, 0);
  const float *blue = tessera_image_get_plane (image, 2);

  /* Stored 16×8, red left and blue right; shown turned a quarter clockwise. */
  g_assert_cmpuint (tessera_image_get_width (image), ==, 8);
  g_assert_cmpuint (tessera_image_get_height (image), ==, 16);
  g_assert_cmpfloat (red[2 * 8 + 4], >, 0.7f);
  g_assert_cmpfloat (blue[2 * 8 + 4], <, 0.3f);
  g_assert_cmpfloat (red[13 * 8 + 4], <, 0.3f);
  g_assert_cmpfloat (blue[13 * 8 + 4], >, 0.7f);
}

static void
assert_pattern (TesseraImage *image,
                gboolean      alpha)
{
  g_assert_cmpuint (tessera_image_get_width (image), ==, 13);
  g_assert_cmpuint (tessera_image_get_height (image), ==, 7);
  g_assert_cmpint (tessera_image_get_has_alpha (image), ==, alpha);

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    for (guint y = 0; y < 7; y++)
      for (guint x = 0; x < 13; x++)
        {
          guint want = s8 (x, y, c) | (c == 3 ? 1 : 0);

          g_assert_cmpuint (test_u8 (tessera_image_get_plane (image, c)[y * 13 + x]), ==, want);
        }
}

static gboolean
pixbuf_can_read (const char *format)
{
  g_autoptr(GSList) formats = gdk_pixbuf_get_formats ();

  for (GSList *l = formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

      if (g_str_equal (name, format))
        return TRUE;
    }

  return FALSE;
}

static void
test_pixbuf_format (gconstpointer data)
{
  const char *file = data;
  g_autofree char *path = g_build_filename ("images", file, NULL);
  g_autoptr(TesseraImage) image = NULL;
  const char *format = strrchr (file, '.') + 1;

  if (!pixbuf_can_read (format))
    {
      g_test_skip_printf ("no GdkPixbuf loader for %s on this system", format);
      return;
    }

  image = test_load_image (path);
  assert_pattern (image, g_str_equal (format, "webp"));
}

static void
test_jpeg_icc (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/icc.jpg");
  g_autoptr(GBytes) icc = expected_icc_profile ();

  g_assert_nonnull (tessera_image_get_icc_profile (image));
  g_assert_true (g_bytes_equal (tessera_image_get_icc_profile (image), icc));
}

/* In 8-bit levels, colour weighted by alpha when both images have it. */
static double
mean_abs_difference (TesseraImage *a,
                     TesseraImage *b)
{
  gsize n = (gsize) tessera_image_get_width (a) * tessera_image_get_height (a);
  gboolean alpha = tessera_image_get_has_alpha (a) && tessera_image_get_has_alpha (b);
  double sum = 0;

  for (guint c = 0; c < 3; c++)
    for (gsize i = 0; i < n; i++)
      {
        float va = tessera_image_get_plane (a, c)[i];
        float vb = tessera_image_get_plane (b, c)[i];

        if (alpha)
          {
            va *= tessera_image_get_plane (a, 3)[i];
            vb *= tessera_image_get_plane (b, 3)[i];
          }
        sum += ABS ((int) test_u8 (va) - (int) test_u8 (vb));
      }

  return sum / (3 * n);
}

static goffset
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
test_save_jpeg (void)
{
  g_autoptr(TesseraImage) photo = NULL;
  g_autoptr(TesseraImage) high = NULL;
  g_autoptr(TesseraImage) low = NULL;
  g_autoptr(TesseraImage) sd = test_load_image ("images/sd-rgba16.png");
  g_autoptr(TesseraImage) sd_jpeg = NULL;
  g_autoptr(GBytes) icc = expected_icc_profile ();
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *sample = g_test_build_filename (G_TEST_DIST, "..", "data", "samples", "chelsea.png", NULL);
  g_autoptr(GFile) sample_file = g_file_new_for_path (sample);
  g_autoptr(GError) error = NULL;

  photo = tessera_image_new_from_file (sample_file, NULL, &error);
  g_assert_no_error (error);

  high = save_and_reload (photo, dir, "high.jpg", TESSERA_IMAGE_FORMAT_JPEG, 95);
  low = save_and_reload (photo, dir, "low.jpg", TESSERA_IMAGE_FORMAT_JPEG, 20);
  g_assert_cmpuint (tessera_image_get_width (high), ==, tessera_image_get_width (photo));
  g_assert_cmpuint (tessera_image_get_height (high), ==, tessera_image_get_height (photo));
  g_assert_cmpfloat (mean_abs_difference (photo, high), <, 2.0);
  g_assert_cmpfloat (mean_abs_difference (photo, low), >, mean_abs_difference (photo, high));
  g_assert_cmpint (file_size (dir, "low.jpg"), <, file_size (dir, "high.jpg"));

  /* No alpha in JPEG: the colour profile survives, transparency becomes white. */
  sd_jpeg = save_and_reload (sd, dir, "sd.jpg", TESSERA_IMAGE_FORMAT_JPEG, 95);
  g_assert_false (tessera_image_get_has_alpha (sd_jpeg));
  g_assert_nonnull (tessera_image_get_icc_profile (sd_jpeg));
  g_assert_true (g_bytes_equal (tessera_image_get_icc_profile (sd_jpeg), icc));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* GdkPixbuf's WebP loader does not report the profile: find the RIFF chunk. */
static void
assert_webp_icc_profile (const char *dir,
                         const char *name,
                         GBytes     *icc)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length, offset = 12;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents + 8, 4, "WEBP", 4);

  while (offset + 8 <= length)
    {
      const guint8 *size_bytes = (const guint8 *) contents + offset + 4;
      gsize size = size_bytes[0] | size_bytes[1] << 8 | size_bytes[2] << 16 | (gsize) size_bytes[3] << 24;

      if (memcmp (contents + offset, "ICCP", 4) == 0)
        {
          g_assert_cmpmem (contents + offset + 8, size,
                           g_bytes_get_data (icc, NULL), g_bytes_get_size (icc));
          return;
        }
      offset += 8 + size + (size & 1);
    }

  g_error ("%s has no ICCP chunk", name);
}

static void
test_save_webp (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("resample/rgba-20x16.png");
  g_autoptr(TesseraImage) reloaded = NULL;
  g_autoptr(GBytes) icc = NULL;
  g_autofree char *dir = NULL;
  gsize n = 20 * 16;
  double alpha_error = 0;

  if (!tessera_image_format_is_writable (TESSERA_IMAGE_FORMAT_WEBP))
    {
      g_test_skip ("this system's GdkPixbuf cannot write WebP");
      return;
    }

  icc = expected_icc_profile ();
  tessera_image_set_icc_profile (image, icc);
  dir = test_make_tmpdir ();
  reloaded = save_and_reload (image, dir, "out.webp", TESSERA_IMAGE_FORMAT_WEBP, 100);
  assert_webp_icc_profile (dir, "out.webp", icc);
  g_assert_true (tessera_image_get_has_alpha (reloaded));
  g_assert_cmpfloat (mean_abs_difference (image, reloaded), <, 3.0);
  for (gsize i = 0; i < n; i++)
    alpha_error += ABS ((int) test_u8 (tessera_image_get_plane (image, 3)[i]) -
                        (int) test_u8 (tessera_image_get_plane (reloaded, 3)[i]));
  g_assert_cmpfloat (alpha_error / n, <, 1.0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_save_missing_folder (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/rgb8.png");
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "missing", "out.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (tessera_image_save (image, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "out.png: "));
  g_assert_nonnull (strstr (error->message, "missing"));
  g_assert_cmpuint (test_count_files (dir), ==, 0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_save_cancelled_leaves_nothing (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/rgb8.png");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *dir = test_make_tmpdir ();

  g_cancellable_cancel (cancellable);

  for (TesseraImageFormat format = TESSERA_IMAGE_FORMAT_PNG; format <= TESSERA_IMAGE_FORMAT_WEBP; format++)
    {
      g_autofree char *name = g_strdup_printf ("out.%s", tessera_image_format_get_extension (format));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;

      if (!tessera_image_format_is_writable (format))
        continue;

      g_assert_false (tessera_image_save (image, file, format, 90, cancellable, NULL, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (test_count_files (dir), ==, 0);
    }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_save_replaces_atomically (void)
{
  g_autoptr(TesseraImage) small = test_load_image ("images/rgb8.png");
  g_autoptr(TesseraImage) other = test_load_image ("images/rgba16.png");
  g_autoptr(TesseraImage) reloaded = NULL;
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_image_save (small, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tessera_image_save (other, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (test_count_files (dir), ==, 1);

  reloaded = tessera_image_new_from_file (file, NULL, &error);
  g_assert_no_error (error);
  assert_same_pixels (other, reloaded);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

typedef struct
{
  GThread  *thread;
  GArray   *fractions;
  gboolean  done;
  gboolean  late;
} SaveRun;

static void
on_save_progress (double      fraction,
                  const char *text,
                  gpointer    user_data)
{
  SaveRun *run = user_data;

  g_assert_true (g_thread_self () == run->thread);
  run->late |= run->done;
  g_array_append_val (run->fractions, fraction);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  SaveRun *run = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (tessera_image_save_finish (TESSERA_IMAGE (object), result, &error));
  g_assert_no_error (error);
  run->done = TRUE;
}

static void
test_save_async_progress (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = tessera_image_new (64, 1000, FALSE, &error);
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "tall.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  SaveRun run = { g_thread_self (), fractions };

  tessera_image_save_async (image, file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL,
                            on_save_progress, &run, on_saved, &run);
  while (!run.done)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_false (run.late);
  g_assert_cmpuint (fractions->len, >=, 10);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >, g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
test_size_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraImage) image = NULL;

  image = tessera_image_new (TESSERA_IMAGE_MAX_SIDE + 1, 4, FALSE, &error);
  g_assert_null (image);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);

  image = tessera_image_new (40000, 40000, TRUE, &error);
  g_assert_null (image);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE);
  g_clear_error (&error);

  image = tessera_image_new (0, 4, FALSE, &error);
  g_assert_null (image);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
}

static void
test_text_api (void)
{
  g_autoptr(TesseraImage) image = test_load_image ("images/sd-rgba16.png");
  g_auto(GStrv) keywords = NULL;
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "out.png", NULL);
  g_autoptr(TesseraImage) reloaded = NULL;
  g_autoptr(GPtrArray) chunks = NULL;

  tessera_image_set_text (image, "parameters", "replaced");
  tessera_image_set_text (image, "Title", NULL);
  tessera_image_set_text (image, "Author", "Ёжик");
  keywords = tessera_image_dup_text_keywords (image);
  g_assert_cmpstrv (keywords, ((const char *[]) { "Comment", "Description", "Software", "parameters",
                                                  "Author", NULL }));

  reloaded = save_and_reload (image, dir, "out.png", TESSERA_IMAGE_FORMAT_PNG, 0);
  g_assert_cmpstr (tessera_image_get_text (reloaded, "parameters"), ==, "replaced");
  g_assert_null (tessera_image_get_text (reloaded, "Title"));
  g_assert_cmpstr (tessera_image_get_text (reloaded, "Author"), ==, "Ёжик");

  /* Text that is not Latin-1 must go in an iTXt chunk. */
  chunks = test_read_png_chunks (path);
  g_assert_nonnull (test_find_chunk (chunks, "iTXt", "Author"));
  g_assert_nonnull (test_find_chunk (chunks, "tEXt", "parameters"));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
on_loaded (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  TesseraImage **image = user_data;
  g_autoptr(GError) error = NULL;

  *image = tessera_image_new_from_file_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_load_async (void)
{
  g_autoptr(GFile) file = test_data_file ("images/rgba8.png");
  g_autoptr(TesseraImage) image = NULL;

  tessera_image_new_from_file_async (file, NULL, on_loaded, &image);
  while (image == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (tessera_image_get_width (image), ==, 13);
}

/* Pixels handed over in memory (the app's paste and drop): alpha kept
 * where a pixel is not opaque, dropped where none is. */
static void
test_from_pixbuf (void)
{
  static const guint8 pixels[] = { 255, 0, 0, 255,   0, 128, 255, 0 };
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB, TRUE, 8, 2, 1, 8, NULL, NULL);
  g_autoptr(GdkPixbuf) opaque = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 3, 2);
  g_autoptr(TesseraImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = tessera_image_new_from_pixbuf (pixbuf, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_image_get_has_alpha (image));
  g_assert_cmpfloat (tessera_image_get_plane (image, 0)[0], ==, 1.f);
  g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (image, 1)[1], 128 / 255.f, 1e-6);
  g_assert_cmpfloat (tessera_image_get_plane (image, 3)[0], ==, 1.f);
  g_assert_cmpfloat (tessera_image_get_plane (image, 3)[1], ==, 0.f);
  g_clear_object (&image);

  gdk_pixbuf_fill (opaque, 0x336699ff);
  image = tessera_image_new_from_pixbuf (opaque, &error);
  g_assert_no_error (error);
  g_assert_false (tessera_image_get_has_alpha (image));
  g_assert_cmpuint (tessera_image_get_width (image), ==, 3);
  g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (image, 2)[5], 0x99 / 255.f, 1e-6);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (png_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/image/png/layout/%s", png_cases[i].file);

      g_test_add_data_func (path, &png_cases[i], test_png_layout);
    }
  g_test_add_func ("/tessera/image/png/metadata", test_png_metadata);
  g_test_add_func ("/tessera/image/png/16bit-alpha", test_png_roundtrip_16bit_alpha);
  g_test_add_func ("/tessera/image/png/gray-roundtrip", test_png_roundtrip_gray);
  g_test_add_func ("/tessera/image/png/srgb", test_png_srgb);
  g_test_add_func ("/tessera/image/text", test_text_api);

  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/tessera/image/errors/%s", *error_cases[i].file ? error_cases[i].file : "folder");
      g_test_add_data_func (path, &error_cases[i], test_load_error);
    }

  g_test_add_func ("/tessera/image/errors/huge-text-chunk", test_huge_text_chunk);
  g_test_add_func ("/tessera/image/pixbuf/exif-orientation", test_exif_orientation);
  g_test_add_data_func ("/tessera/image/pixbuf/bmp", "rgb.bmp", test_pixbuf_format);
  g_test_add_data_func ("/tessera/image/pixbuf/tiff", "rgb.tiff", test_pixbuf_format);
  g_test_add_data_func ("/tessera/image/pixbuf/webp", "rgba.webp", test_pixbuf_format);
  g_test_add_func ("/tessera/image/pixbuf/jpeg-icc", test_jpeg_icc);
  g_test_add_func ("/tessera/image/save/jpeg", test_save_jpeg);
  g_test_add_func ("/tessera/image/save/webp", test_save_webp);
  g_test_add_func ("/tessera/image/save/missing-folder", test_save_missing_folder);
  g_test_add_func ("/tessera/image/save/cancelled", test_save_cancelled_leaves_nothing);
  g_test_add_func ("/tessera/image/save/replace", test_save_replaces_atomically);
  g_test_add_func ("/tessera/image/save/async-progress", test_save_async_progress);
  g_test_add_func ("/tessera/image/limits", test_size_limits);
  g_test_add_func ("/tessera/image/load-async", test_load_async);
  g_test_add_func ("/tessera/image/from-pixbuf", test_from_pixbuf);

  return g_test_run ();
}
