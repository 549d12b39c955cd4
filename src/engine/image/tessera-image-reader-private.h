/* tessera-image-reader-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-image.h"

G_BEGIN_DECLS

/* An image file read row by row, top to bottom: a PNG through libpng
 * holds one row; any other file (and an interlaced PNG, whose passes
 * revisit every row) is decoded whole first, when it fits in memory. */
typedef struct _TesseraImageReader TesseraImageReader;

TesseraImageReader *tessera_image_reader_open      (GFile               *file,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
TesseraImageReader *tessera_image_reader_open_raw  (GFile               *file,
                                                    guint                width,
                                                    guint                height,
                                                    gboolean             has_alpha,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
guint               tessera_image_reader_get_width  (TesseraImageReader  *self);
guint               tessera_image_reader_get_height (TesseraImageReader  *self);
TesseraImage       *tessera_image_reader_get_info   (TesseraImageReader  *self);
gboolean            tessera_image_reader_read_rows  (TesseraImageReader  *self,
                                                    float * const       *planes,
                                                    gsize                stride,
                                                    guint                n_rows,
                                                    GError             **error);
TesseraImage       *tessera_image_reader_get_trailing (TesseraImageReader *self);
void                tessera_image_reader_free       (TesseraImageReader  *self);
gboolean            tessera_image_read_size         (GFile               *file,
                                                    guint               *width,
                                                    guint               *height,
                                                    gboolean            *has_alpha);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraImageReader, tessera_image_reader_free)

/* The PNG half, in tessera-image-png.c. new() returns NULL without an
 * error for an interlaced file. */
typedef struct _TesseraPngRowReader TesseraPngRowReader;

TesseraPngRowReader *tessera_png_row_reader_new   (GInputStream         *stream,
                                                   goffset               size,
                                                   const char           *name,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
TesseraImage        *tessera_png_row_reader_get_info (TesseraPngRowReader *self);
guint                tessera_png_row_reader_get_width  (TesseraPngRowReader *self);
guint                tessera_png_row_reader_get_height (TesseraPngRowReader *self);
gboolean             tessera_png_row_reader_read  (TesseraPngRowReader  *self,
                                                   float * const        *planes,
                                                   gsize                 offset,
                                                   GError              **error);
TesseraImage        *tessera_png_row_reader_get_trailing (TesseraPngRowReader *self);
void                 tessera_png_row_reader_free  (TesseraPngRowReader  *self);

G_END_DECLS
