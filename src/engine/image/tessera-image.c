/* tessera-image.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-image"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"
#include "core/tessera-memory-private.h"
#include "tessera-image-private.h"
#include "tessera-image-writer-private.h"

/**
 * TesseraImage:
 *
 * An image as the engine computes on it: float32 planes R, G, B and an
 * optional alpha plane, each `width × height` values in [0, 1], row by row.
 * It remembers what a save needs to give the user back what they gave:
 * the bit depth, whether the source was grayscale, its text chunks
 * (Stable Diffusion's `parameters` among them), ICC profile, gAMA and sRGB.
 */
struct _TesseraImage
{
  GObject    parent_instance;

  guint      width;
  guint      height;
  guint      bit_depth;
  guint      has_alpha : 1;
  guint      grayscale : 1;
  float     *pixels;
  gsize      pixels_size;

  GPtrArray *texts;
  GBytes    *icc_profile;
  char      *icc_profile_name;
  double     gamma;
  int        srgb_intent;
};

enum {
  PROP_0,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_HAS_ALPHA,
  PROP_BIT_DEPTH,
  PROP_GRAYSCALE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TesseraImage, tessera_image, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

float tessera_u8_to_float[256];

void
tessera_image_init_tables (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < 256; i++)
        tessera_u8_to_float[i] = i / 255.f;
      g_once_init_leave (&initialized, 1);
    }
}

static void
text_free (gpointer data)
{
  TesseraImageText *text = data;

  g_free (text->keyword);
  g_free (text->text);
  g_free (text->language);
  g_free (text->translated_keyword);
  g_free (text);
}

static void
tessera_image_finalize (GObject *object)
{
  TesseraImage *self = (TesseraImage *) object;

  tessera_free_large (g_steal_pointer (&self->pixels), self->pixels_size);
  g_clear_pointer (&self->texts, g_ptr_array_unref);
  g_clear_pointer (&self->icc_profile, g_bytes_unref);
  g_clear_pointer (&self->icc_profile_name, g_free);

  G_OBJECT_CLASS (tessera_image_parent_class)->finalize (object);
}

static void
tessera_image_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TesseraImage *self = TESSERA_IMAGE (object);

  switch (prop_id)
    {
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_HAS_ALPHA:
      g_value_set_boolean (value, self->has_alpha);
      break;
    case PROP_BIT_DEPTH:
      g_value_set_uint (value, self->bit_depth);
      break;
    case PROP_GRAYSCALE:
      g_value_set_boolean (value, self->grayscale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_image_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TesseraImage *self = TESSERA_IMAGE (object);

  switch (prop_id)
    {
    case PROP_BIT_DEPTH:
      tessera_image_set_bit_depth (self, g_value_get_uint (value));
      break;
    case PROP_GRAYSCALE:
      tessera_image_set_grayscale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_image_class_init (TesseraImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_image_finalize;
  object_class->get_property = tessera_image_get_property;
  object_class->set_property = tessera_image_set_property;

  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL,
                       0, TESSERA_IMAGE_MAX_SIDE, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL,
                       0, TESSERA_IMAGE_MAX_SIDE, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_HAS_ALPHA] =
    g_param_spec_boolean ("has-alpha", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /**
   * TesseraImage:bit-depth:
   *
   * Bits per channel a PNG save writes: 8 or 16. Loading sets it from the file.
   */
  properties[PROP_BIT_DEPTH] =
    g_param_spec_uint ("bit-depth", NULL, NULL,
                       8, 16, 8,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /**
   * TesseraImage:grayscale:
   *
   * Whether the three colour planes hold the same values, so that a PNG
   * save can write a gray image again.
   */
  properties[PROP_GRAYSCALE] =
    g_param_spec_boolean ("grayscale", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  tessera_image_init_tables ();
}

static void
tessera_image_init (TesseraImage *self)
{
  self->bit_depth = 8;
  self->srgb_intent = -1;
  self->texts = g_ptr_array_new_with_free_func (text_free);
}

gboolean
tessera_image_check_size (guint        width,
                          guint        height,
                          const char  *what,
                          GError     **error)
{
  if (width == 0 || height == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the image has no pixels (%u×%u)"),
                   what, width, height);
      return FALSE;
    }

  if (width > TESSERA_IMAGE_MAX_SIDE || height > TESSERA_IMAGE_MAX_SIDE)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                   _("%s: %u×%u pixels is too large (at most %u pixels per side)"),
                   what, width, height, TESSERA_IMAGE_MAX_SIDE);
      return FALSE;
    }

  if ((guint64) width * height > TESSERA_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                   _("%s: %u×%u pixels is too large (at most %u megapixels)"),
                   what, width, height, (guint) (TESSERA_IMAGE_MAX_PIXELS / (1 << 20)));
      return FALSE;
    }

  return TRUE;
}

/**
 * tessera_image_new:
 * @width: width in pixels
 * @height: height in pixels
 * @has_alpha: whether the image has an alpha plane
 * @error: return location for a #GError
 *
 * Creates an image whose planes are all zero.
 *
 * Returns: (transfer full): the image, or %NULL if the size is beyond the
 *   limits or the memory cannot be had
 */
TesseraImage *
tessera_image_new (guint     width,
                   guint     height,
                   gboolean  has_alpha,
                   GError  **error)
{
  g_autoptr(TesseraImage) self = NULL;
  gsize n_values;

  if (!tessera_image_check_size (width, height, _("image"), error))
    return NULL;

  n_values = (gsize) width * height * (has_alpha ? 4 : 3);

  self = g_object_new (TESSERA_TYPE_IMAGE, NULL);
  self->width = width;
  self->height = height;
  self->has_alpha = !!has_alpha;
  self->pixels_size = n_values * sizeof (float);
  self->pixels = tessera_alloc_large (self->pixels_size);

  if (self->pixels == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a %u×%u image (%.1f GiB)"),
                   width, height, n_values * sizeof (float) / (1024. * 1024. * 1024.));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * tessera_image_new_from_file:
 * @file: the image file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads PNG with libpng (every colour type and bit depth, interlaced or not,
 * with its text chunks, ICC profile, gAMA and sRGB) and every other format
 * with GdkPixbuf, applying the EXIF orientation. Errors name the file.
 *
 * Returns: (transfer full): the image, or %NULL on error
 */
TesseraImage *
tessera_image_new_from_file (GFile         *file,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = tessera_file_dup_display_name (file);

  stream = g_file_read (file, cancellable, &local_error);
  if (stream == NULL)
    {
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }

  return tessera_image_load_stream (G_INPUT_STREAM (stream), name, cancellable, error);
}

/* Reads an image from @stream, PNG by its signature, anything else through
 * GdkPixbuf. Errors start with @name. */
TesseraImage *
tessera_image_load_stream (GInputStream  *input,
                           const char    *name,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *head;
  goffset size = -1;
  gssize n_read;
  gsize n_head;

  /* The size, when it can be known, tells a lying header from a real one. */
  if (G_IS_SEEKABLE (input) && g_seekable_can_seek (G_SEEKABLE (input)))
    {
      goffset start = g_seekable_tell (G_SEEKABLE (input));

      if (g_seekable_seek (G_SEEKABLE (input), 0, G_SEEK_END, cancellable, NULL))
        size = g_seekable_tell (G_SEEKABLE (input)) - start;
      if (!g_seekable_seek (G_SEEKABLE (input), start, G_SEEK_SET, cancellable, &local_error))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
          return NULL;
        }
    }

  stream = g_buffered_input_stream_new_sized (input, 1 << 16);
  n_read = g_buffered_input_stream_fill (G_BUFFERED_INPUT_STREAM (stream),
                                         sizeof png_signature, cancellable, &local_error);
  if (n_read < 0)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", name);
      return NULL;
    }

  if (n_read == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the file is empty"), name);
      return NULL;
    }

  head = g_buffered_input_stream_peek_buffer (G_BUFFERED_INPUT_STREAM (stream), &n_head);
  if (n_head >= sizeof png_signature && memcmp (head, png_signature, sizeof png_signature) == 0)
    return tessera_image_load_png (stream, size, name, cancellable, error);

  return tessera_image_load_pixbuf (stream, name, cancellable, error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  GError *error = NULL;
  TesseraImage *image;

  image = tessera_image_new_from_file (file, cancellable, &error);
  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, g_object_unref);
}

void
tessera_image_new_from_file_async (GFile               *file,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_image_new_from_file_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

TesseraImage *
tessera_image_new_from_file_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tessera_image_new_from_file_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* TIFF goes through the row writer, which owns its temporary file. */
static gboolean
save_tiff (TesseraImage     *self,
           GFile            *file,
           GCancellable     *cancellable,
           TesseraProgress  *progress,
           GError          **error)
{
  g_autoptr(TesseraImageWriter) writer = NULL;
  TesseraImageWriterOptions options = { self->bit_depth == 16 ? 16 : 8, -1, 0 };
  const char *saving = _("Saving");
  const float *planes[4] = { NULL };
  guint n_planes = self->has_alpha ? 4 : 3;

  writer = tessera_image_writer_open (file, TESSERA_IMAGE_FORMAT_TIFF, self->width, self->height, self, &options,
                                      cancellable, error);
  if (writer == NULL)
    return FALSE;

  for (guint y = 0; y < self->height; y += 64)
    {
      guint n = MIN (64, self->height - y);

      tessera_progress_report (progress, (double) y / self->height, saving);
      for (guint c = 0; c < n_planes; c++)
        planes[c] = tessera_image_get_plane (self, c) + (gsize) y * self->width;
      if (!tessera_image_writer_write_rows (writer, planes, self->width, n, error))
        return FALSE;
    }
  if (!tessera_image_writer_finish (writer, error))
    return FALSE;
  tessera_progress_report (progress, 1.0, saving);
  return TRUE;
}

static gboolean
save_with_progress (TesseraImage        *self,
                    GFile               *file,
                    TesseraImageFormat   format,
                    int                  quality,
                    GCancellable        *cancellable,
                    TesseraProgress     *progress,
                    GError             **error)
{
  g_autoptr(TesseraOutputFile) output = NULL;
  g_autofree char *name = NULL;
  GOutputStream *stream;
  gboolean ok;

  g_return_val_if_fail (TESSERA_IS_IMAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = tessera_file_dup_display_name (file);

  if (!tessera_image_format_is_writable (format))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s: this system cannot write %s images (is its GdkPixbuf loader installed?)"),
                   name, tessera_image_format_get_extension (format));
      return FALSE;
    }

  if (format == TESSERA_IMAGE_FORMAT_TIFF)
    return save_tiff (self, file, cancellable, progress, error);

  output = tessera_output_file_open (file, error);
  if (output == NULL)
    return FALSE;

  stream = tessera_output_file_get_stream (output);
  if (format == TESSERA_IMAGE_FORMAT_PNG)
    ok = tessera_image_save_png (self, stream, name, cancellable, progress, error);
  else
    ok = tessera_image_save_pixbuf (self, stream, format, quality, name, cancellable, error);

  return ok && tessera_output_file_commit (output, cancellable, error);
}

/**
 * tessera_image_save:
 * @self: a #TesseraImage
 * @file: where to write
 * @format: the file format
 * @quality: 1–100, for JPEG and WebP
 * @cancellable: (nullable): a #GCancellable
 * @progress: (nullable) (scope call): called in this thread as rows are written
 * @progress_data: data for @progress
 * @error: return location for a #GError
 *
 * Writes the image to a temporary file beside @file and renames it over
 * @file once complete: on error or cancellation nothing is left behind.
 * PNG keeps the bit depth, alpha, text chunks and colour information;
 * JPEG has no alpha, so a transparent image is put on white.
 *
 * Returns: %TRUE on success
 */
gboolean
tessera_image_save (TesseraImage        *self,
                    GFile               *file,
                    TesseraImageFormat   format,
                    int                  quality,
                    GCancellable        *cancellable,
                    TesseraProgressFunc  progress,
                    gpointer             progress_data,
                    GError             **error)
{
  TesseraProgress reporter;
  gboolean saved;

  tessera_progress_init (&reporter, progress, progress_data);
  saved = save_with_progress (self, file, format, quality, cancellable, &reporter, error);
  tessera_progress_clear (&reporter);
  return saved;
}

typedef struct
{
  GFile              *file;
  TesseraImageFormat  format;
  int                 quality;
  TesseraProgress     progress;
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_object_unref (save->file);
  tessera_progress_clear (&save->progress);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  GError *error = NULL;

  if (save_with_progress (source_object, save->file, save->format, save->quality,
                          cancellable, &save->progress, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * tessera_image_save_async:
 *
 * Saves in a worker thread; see tessera_image_save(). The image must not be
 * changed until the save finishes. @progress is called in the caller's
 * thread-default main context, never after @callback.
 */
void
tessera_image_save_async (TesseraImage        *self,
                          GFile               *file,
                          TesseraImageFormat   format,
                          int                  quality,
                          GCancellable        *cancellable,
                          TesseraProgressFunc  progress,
                          gpointer             progress_data,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *save;

  g_return_if_fail (TESSERA_IS_IMAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  save = g_new0 (SaveData, 1);
  save->file = g_object_ref (file);
  save->format = format;
  save->quality = quality;
  tessera_progress_init_deferred (&save->progress, progress, progress_data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tessera_image_save_async);
  g_task_set_task_data (task, save, save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
tessera_image_save_finish (TesseraImage  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
tessera_image_get_width (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), 0);

  return self->width;
}

guint
tessera_image_get_height (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), 0);

  return self->height;
}

gboolean
tessera_image_get_has_alpha (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), FALSE);

  return self->has_alpha;
}

guint
tessera_image_get_bit_depth (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), 8);

  return self->bit_depth;
}

void
tessera_image_set_bit_depth (TesseraImage *self,
                             guint         bit_depth)
{
  g_return_if_fail (TESSERA_IS_IMAGE (self));
  g_return_if_fail (bit_depth == 8 || bit_depth == 16);

  if (self->bit_depth == bit_depth)
    return;

  self->bit_depth = bit_depth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIT_DEPTH]);
}

gboolean
tessera_image_get_grayscale (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), FALSE);

  return self->grayscale;
}

void
tessera_image_set_grayscale (TesseraImage *self,
                             gboolean      grayscale)
{
  g_return_if_fail (TESSERA_IS_IMAGE (self));

  grayscale = !!grayscale;
  if (self->grayscale == grayscale)
    return;

  self->grayscale = grayscale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRAYSCALE]);
}

/**
 * tessera_image_get_plane:
 * @self: a #TesseraImage
 * @index: 0, 1, 2 for red, green, blue; 3 for alpha
 *
 * Returns: (transfer none): `width × height` floats, row by row
 */
float *
tessera_image_get_plane (TesseraImage *self,
                         guint         index)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), NULL);
  g_return_val_if_fail (index < (self->has_alpha ? 4u : 3u), NULL);

  return self->pixels + (gsize) index * self->width * self->height;
}

static gboolean
is_latin1 (const char *utf8)
{
  for (const char *p = utf8; *p; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) > 0xff)
      return FALSE;

  return TRUE;
}

void
tessera_image_add_text (TesseraImage    *self,
                        const char      *keyword,
                        const char      *text,
                        TesseraTextKind  kind,
                        const char      *language,
                        const char      *translated_keyword)
{
  TesseraImageText *entry;

  entry = g_new0 (TesseraImageText, 1);
  entry->keyword = g_strdup (keyword);
  entry->text = g_strdup (text);
  entry->kind = kind;
  entry->language = g_strdup (language);
  entry->translated_keyword = g_strdup (translated_keyword);
  g_ptr_array_add (self->texts, entry);
}

GPtrArray *
tessera_image_get_texts (TesseraImage *self)
{
  return self->texts;
}

/**
 * tessera_image_get_text:
 * @self: a #TesseraImage
 * @keyword: a text chunk keyword, such as `parameters`
 *
 * Returns: (nullable): the text of the first chunk with @keyword, in UTF-8
 */
const char *
tessera_image_get_text (TesseraImage *self,
                        const char   *keyword)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), NULL);
  g_return_val_if_fail (keyword != NULL, NULL);

  for (guint i = 0; i < self->texts->len; i++)
    {
      TesseraImageText *entry = g_ptr_array_index (self->texts, i);

      if (g_str_equal (entry->keyword, keyword))
        return entry->text;
    }

  return NULL;
}

/**
 * tessera_image_set_text:
 * @self: a #TesseraImage
 * @keyword: 1–79 Latin-1 characters
 * @text: (nullable): UTF-8 text, or %NULL to remove the keyword
 *
 * Replaces every chunk with @keyword by one holding @text: a plain tEXt
 * chunk when @text is Latin-1, an international iTXt chunk otherwise.
 */
void
tessera_image_set_text (TesseraImage *self,
                        const char   *keyword,
                        const char   *text)
{
  g_return_if_fail (TESSERA_IS_IMAGE (self));
  g_return_if_fail (keyword != NULL && *keyword != '\0' && strlen (keyword) < 80);
  g_return_if_fail (g_utf8_validate (keyword, -1, NULL) && is_latin1 (keyword));
  g_return_if_fail (text == NULL || g_utf8_validate (text, -1, NULL));

  for (guint i = self->texts->len; i > 0; i--)
    {
      TesseraImageText *entry = g_ptr_array_index (self->texts, i - 1);

      if (g_str_equal (entry->keyword, keyword))
        g_ptr_array_remove_index (self->texts, i - 1);
    }

  if (text != NULL)
    tessera_image_add_text (self, keyword, text,
                            is_latin1 (text) ? TESSERA_TEXT_PLAIN : TESSERA_TEXT_INTERNATIONAL,
                            NULL, NULL);
}

/**
 * tessera_image_dup_text_keywords:
 *
 * Returns: (transfer full): the keywords of the text chunks, each once, in file order
 */
char **
tessera_image_dup_text_keywords (TesseraImage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (TESSERA_IS_IMAGE (self), NULL);

  for (guint i = 0; i < self->texts->len; i++)
    {
      TesseraImageText *entry = g_ptr_array_index (self->texts, i);

      if (g_hash_table_add (seen, entry->keyword))
        g_strv_builder_add (builder, entry->keyword);
    }

  return g_strv_builder_end (builder);
}

/**
 * tessera_image_get_icc_profile:
 *
 * Returns: (transfer none) (nullable): the embedded ICC profile
 */
GBytes *
tessera_image_get_icc_profile (TesseraImage *self)
{
  g_return_val_if_fail (TESSERA_IS_IMAGE (self), NULL);

  return self->icc_profile;
}

void
tessera_image_set_icc_profile (TesseraImage *self,
                               GBytes       *profile)
{
  g_return_if_fail (TESSERA_IS_IMAGE (self));

  if (profile != NULL)
    g_bytes_ref (profile);
  g_clear_pointer (&self->icc_profile, g_bytes_unref);
  self->icc_profile = profile;
}

const char *
tessera_image_get_icc_profile_name (TesseraImage *self)
{
  return self->icc_profile_name;
}

void
tessera_image_set_icc_profile_name (TesseraImage *self,
                                    const char   *name)
{
  g_free (self->icc_profile_name);
  self->icc_profile_name = g_strdup (name);
}

double
tessera_image_get_gamma (TesseraImage *self)
{
  return self->gamma;
}

void
tessera_image_set_gamma (TesseraImage *self,
                         double        gamma)
{
  self->gamma = gamma;
}

int
tessera_image_get_srgb_intent (TesseraImage *self)
{
  return self->srgb_intent;
}

void
tessera_image_set_srgb_intent (TesseraImage *self,
                               int           intent)
{
  self->srgb_intent = intent;
}

/**
 * tessera_image_strip_metadata:
 *
 * Drops the image's text chunks and colour profile, which an upscale
 * carries over from its input: a prompt, or a camera's or an editor's
 * notes the user may not want to pass on.
 */
void
tessera_image_strip_metadata (TesseraImage *self)
{
  g_auto(GStrv) keywords = NULL;

  g_return_if_fail (TESSERA_IS_IMAGE (self));

  keywords = tessera_image_dup_text_keywords (self);
  for (guint i = 0; keywords[i] != NULL; i++)
    tessera_image_set_text (self, keywords[i], NULL);
  tessera_image_set_icc_profile (self, NULL);
}

/**
 * tessera_image_copy_metadata:
 * @self: the image to change
 * @source: the image to copy from
 *
 * Copies the text chunks, ICC profile, gamma and sRGB intent of @source.
 */
void
tessera_image_copy_metadata (TesseraImage *self,
                             TesseraImage *source)
{
  g_return_if_fail (TESSERA_IS_IMAGE (self));
  g_return_if_fail (TESSERA_IS_IMAGE (source));

  g_ptr_array_set_size (self->texts, 0);
  for (guint i = 0; i < source->texts->len; i++)
    {
      TesseraImageText *entry = g_ptr_array_index (source->texts, i);

      tessera_image_add_text (self, entry->keyword, entry->text, entry->kind,
                              entry->language, entry->translated_keyword);
    }

  tessera_image_set_icc_profile (self, source->icc_profile);
  tessera_image_set_icc_profile_name (self, source->icc_profile_name);
  self->gamma = source->gamma;
  self->srgb_intent = source->srgb_intent;
}

static const struct {
  TesseraImageFormat  format;
  const char         *names[3];
  const char         *pixbuf_name;
} formats[] = {
  { TESSERA_IMAGE_FORMAT_PNG,  { "png" },          "png" },
  { TESSERA_IMAGE_FORMAT_JPEG, { "jpg", "jpeg" },  "jpeg" },
  { TESSERA_IMAGE_FORMAT_WEBP, { "webp" },         "webp" },
  { TESSERA_IMAGE_FORMAT_TIFF, { "tif", "tiff" },   "tiff" },
};

/**
 * tessera_image_format_from_name:
 * @name: `png`, `jpeg`, `jpg`, `webp`, `tif` or `tiff`, in any case
 * @format: (out): the format
 *
 * Returns: %TRUE if @name names a format Tessera writes
 */
gboolean
tessera_image_format_from_name (const char         *name,
                                TesseraImageFormat *format)
{
  g_return_val_if_fail (name != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    for (guint j = 0; j < G_N_ELEMENTS (formats[i].names) && formats[i].names[j]; j++)
      if (g_ascii_strcasecmp (name, formats[i].names[j]) == 0)
        {
          *format = formats[i].format;
          return TRUE;
        }

  return FALSE;
}

/**
 * tessera_image_format_from_filename:
 * @filename: a file name such as `out.webp`
 * @format: (out): the format its extension names
 *
 * Returns: %TRUE if the extension names a format Tessera writes
 */
gboolean
tessera_image_format_from_filename (const char         *filename,
                                    TesseraImageFormat *format)
{
  const char *dot;

  g_return_val_if_fail (filename != NULL, FALSE);

  dot = strrchr (filename, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return FALSE;

  return tessera_image_format_from_name (dot + 1, format);
}

const char *
tessera_image_format_get_extension (TesseraImageFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      return formats[i].names[0];

  g_return_val_if_reached ("png");
}

/**
 * tessera_image_format_is_writable:
 *
 * PNG and TIFF always are; JPEG and WebP when GdkPixbuf has a loader
 * that writes them.
 *
 * Returns: %TRUE if images can be saved in @format on this system
 */
gboolean
tessera_image_format_is_writable (TesseraImageFormat format)
{
  g_autoptr(GSList) pixbuf_formats = NULL;
  const char *wanted = NULL;

  if (format == TESSERA_IMAGE_FORMAT_PNG || format == TESSERA_IMAGE_FORMAT_TIFF)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].format == format)
      wanted = formats[i].pixbuf_name;

  if (wanted == NULL)
    return FALSE;

  pixbuf_formats = gdk_pixbuf_get_formats ();
  for (GSList *l = pixbuf_formats; l != NULL; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

      if (g_str_equal (name, wanted))
        return gdk_pixbuf_format_is_writable (l->data);
    }

  return FALSE;
}

/* The extensions of the images a folder given as input stands for. */
static const char *image_extensions[] = { ".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif" };

/* Whether @name ends in an image format's extension. */
gboolean
tessera_image_is_image_name (const char *name)
{
  g_autofree char *folded = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (g_str_has_suffix (folded, image_extensions[i]))
      return TRUE;
  return FALSE;
}

static gboolean
accept_image_name (GFile      *folder,
                   const char *relative,
                   gpointer    user_data)
{
  return tessera_image_is_image_name (relative);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (g_file_info_get_name (*(GFileInfo * const *) a),
                    g_file_info_get_name (*(GFileInfo * const *) b));
}

static gboolean
list_folder (GFile                    *folder,
             const char               *relative,
             gboolean                  recursive,
             TesseraFolderFilterFunc   accept,
             gpointer                  accept_data,
             GPtrArray                *found,
             GError                  **error)
{
  g_autoptr(GFile) dir = relative[0] != '\0' ? g_file_resolve_relative_path (folder, relative) : g_object_ref (folder);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info;

      if (!g_file_enumerator_iterate (children, &info, NULL, NULL, error))
        return FALSE;
      if (info == NULL)
        break;
      if (g_file_info_get_name (info)[0] != '.')
        g_ptr_array_add (infos, g_object_ref (info));
    }
  g_ptr_array_sort (infos, compare_infos);

  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *info = g_ptr_array_index (infos, i);
      g_autofree char *child = g_build_filename (relative, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (recursive && !list_folder (folder, child, TRUE, accept, accept_data, found, error))
            return FALSE;
        }
      else if (accept (folder, child, accept_data))
        g_ptr_array_add (found, g_steal_pointer (&child));
    }
  return TRUE;
}

/**
 * tessera_image_list_folder:
 * @folder: a folder
 * @recursive: whether to look in its subfolders too
 * @error: return location for a #GError
 *
 * The images a folder given as input stands for, by their names'
 * extensions: hidden files left out, in name order, and with @recursive
 * its subfolders' too.
 *
 * Returns: (transfer full) (element-type utf8): their paths relative to
 *   @folder, possibly none; %NULL with @error set when a folder cannot be
 *   read
 */
GPtrArray *
tessera_image_list_folder (GFile     *folder,
                           gboolean   recursive,
                           GError   **error)
{
  g_return_val_if_fail (G_IS_FILE (folder), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return tessera_image_list_folder_filtered (folder, recursive, accept_image_name, NULL, error);
}

/* As tessera_image_list_folder(), with @accept choosing the files: the
 * media floor adds animations and videos. */
GPtrArray *
tessera_image_list_folder_filtered (GFile                    *folder,
                                    gboolean                  recursive,
                                    TesseraFolderFilterFunc   accept,
                                    gpointer                  accept_data,
                                    GError                  **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

  if (!list_folder (folder, "", recursive, accept, accept_data, found, error))
    return NULL;
  return g_steal_pointer (&found);
}

/**
 * tessera_image_is_same_file:
 *
 * Whether @a and @b are one file on disk, under one name or two (a hard
 * link, a path through a symbolic link): an output that would replace
 * its own input.
 *
 * Returns: %TRUE when they are the same file
 */
gboolean
tessera_image_is_same_file (GFile *a,
                            GFile *b)
{
  const char *attributes = G_FILE_ATTRIBUTE_UNIX_DEVICE "," G_FILE_ATTRIBUTE_UNIX_INODE;
  g_autoptr(GFileInfo) a_info = NULL;
  g_autoptr(GFileInfo) b_info = NULL;

  g_return_val_if_fail (G_IS_FILE (a), FALSE);
  g_return_val_if_fail (G_IS_FILE (b), FALSE);

  if (g_file_equal (a, b))
    return TRUE;

  a_info = g_file_query_info (a, attributes, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  b_info = g_file_query_info (b, attributes, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (a_info == NULL || b_info == NULL)
    return FALSE;

  return g_file_info_get_attribute_uint32 (a_info, G_FILE_ATTRIBUTE_UNIX_DEVICE) ==
         g_file_info_get_attribute_uint32 (b_info, G_FILE_ATTRIBUTE_UNIX_DEVICE) &&
         g_file_info_get_attribute_uint64 (a_info, G_FILE_ATTRIBUTE_UNIX_INODE) ==
         g_file_info_get_attribute_uint64 (b_info, G_FILE_ATTRIBUTE_UNIX_INODE);
}
