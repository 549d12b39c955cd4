/* tessera-image.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "core/tessera-progress.h"

G_BEGIN_DECLS

/* Larger images are refused from their header, before any allocation.
 * Fuzzing builds lower the pixel limit, so that an allocation the header
 * did not justify stands out. */
#define TESSERA_IMAGE_MAX_SIDE   65535
#ifndef TESSERA_IMAGE_MAX_PIXELS
# define TESSERA_IMAGE_MAX_PIXELS (G_GUINT64_CONSTANT (1) << 30)
#endif

/**
 * TesseraImageFormat:
 * @TESSERA_IMAGE_FORMAT_PNG: PNG, 8 or 16 bits per channel, through libpng
 * @TESSERA_IMAGE_FORMAT_JPEG: JPEG, through GdkPixbuf
 * @TESSERA_IMAGE_FORMAT_WEBP: WebP, through GdkPixbuf's webp loader
 * @TESSERA_IMAGE_FORMAT_TIFF: TIFF, 8 or 16 bits per channel, deflated,
 *   through libtiff (BigTIFF past 4 GB)
 *
 * The formats Tessera writes. It reads every format GdkPixbuf reads.
 */
typedef enum
{
  TESSERA_IMAGE_FORMAT_PNG,
  TESSERA_IMAGE_FORMAT_JPEG,
  TESSERA_IMAGE_FORMAT_WEBP,
  TESSERA_IMAGE_FORMAT_TIFF,
} TesseraImageFormat;

#define TESSERA_TYPE_IMAGE (tessera_image_get_type ())

G_DECLARE_FINAL_TYPE (TesseraImage, tessera_image, TESSERA, IMAGE, GObject)

TesseraImage *tessera_image_new                  (guint                 width,
                                                  guint                 height,
                                                  gboolean              has_alpha,
                                                  GError              **error);
TesseraImage *tessera_image_new_from_file        (GFile                *file,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
void          tessera_image_new_from_file_async  (GFile                *file,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
TesseraImage *tessera_image_new_from_file_finish (GAsyncResult         *result,
                                                  GError              **error);
TesseraImage *tessera_image_new_from_pixbuf      (GdkPixbuf            *pixbuf,
                                                  GError              **error);
gboolean      tessera_image_save                 (TesseraImage         *self,
                                                  GFile                *file,
                                                  TesseraImageFormat    format,
                                                  int                   quality,
                                                  GCancellable         *cancellable,
                                                  TesseraProgressFunc   progress,
                                                  gpointer              progress_data,
                                                  GError              **error);
void          tessera_image_save_async           (TesseraImage         *self,
                                                  GFile                *file,
                                                  TesseraImageFormat    format,
                                                  int                   quality,
                                                  GCancellable         *cancellable,
                                                  TesseraProgressFunc   progress,
                                                  gpointer              progress_data,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean      tessera_image_save_finish          (TesseraImage         *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
guint         tessera_image_get_width            (TesseraImage         *self);
guint         tessera_image_get_height           (TesseraImage         *self);
gboolean      tessera_image_get_has_alpha        (TesseraImage         *self);
guint         tessera_image_get_bit_depth        (TesseraImage         *self);
void          tessera_image_set_bit_depth        (TesseraImage         *self,
                                                  guint                 bit_depth);
gboolean      tessera_image_get_grayscale        (TesseraImage         *self);
void          tessera_image_set_grayscale        (TesseraImage         *self,
                                                  gboolean              grayscale);
float        *tessera_image_get_plane            (TesseraImage         *self,
                                                  guint                 index);
const char   *tessera_image_get_text             (TesseraImage         *self,
                                                  const char           *keyword);
void          tessera_image_set_text             (TesseraImage         *self,
                                                  const char           *keyword,
                                                  const char           *text);
char        **tessera_image_dup_text_keywords    (TesseraImage         *self);
GBytes       *tessera_image_get_icc_profile      (TesseraImage         *self);
void          tessera_image_set_icc_profile      (TesseraImage         *self,
                                                  GBytes               *profile);
void          tessera_image_copy_metadata        (TesseraImage         *self,
                                                  TesseraImage         *source);
void          tessera_image_strip_metadata       (TesseraImage         *self);

gboolean      tessera_image_format_from_name     (const char           *name,
                                                  TesseraImageFormat   *format);
gboolean      tessera_image_format_from_filename (const char           *filename,
                                                  TesseraImageFormat   *format);
const char   *tessera_image_format_get_extension (TesseraImageFormat    format);
gboolean      tessera_image_format_is_writable   (TesseraImageFormat    format);

GPtrArray    *tessera_image_list_folder          (GFile                *folder,
                                                  gboolean              recursive,
                                                  GError              **error);
gboolean      tessera_image_is_same_file         (GFile                *a,
                                                  GFile                *b);

G_END_DECLS
