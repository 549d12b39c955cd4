/* tessera-image-writer-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-image.h"

G_BEGIN_DECLS

/* An image file written row by row, top to bottom, so that an image
 * larger than memory never has to be whole: PNG through libpng, TIFF
 * through libtiff (strips, or tiles of @tiff_tile pixels). The file is a
 * temporary one beside the target, renamed over it by finish(); freed
 * unfinished, it is removed. */
typedef struct _TesseraImageWriter TesseraImageWriter;

typedef struct
{
  guint  depth;        /* 8 or 16 */
  int    compression;  /* zlib level 0–9, -1 for the library's default */
  guint  tiff_tile;    /* TIFF tiles of this side (a multiple of 16), 0 for strips */
} TesseraImageWriterOptions;

TesseraImageWriter *tessera_image_writer_open       (GFile                            *file,
                                                     TesseraImageFormat                format,
                                                     guint                             width,
                                                     guint                             height,
                                                     TesseraImage                     *metadata,
                                                     const TesseraImageWriterOptions  *options,
                                                     GCancellable                     *cancellable,
                                                     GError                          **error);
TesseraImageWriter *tessera_image_writer_open_raw   (GFile                            *file,
                                                     guint                             width,
                                                     guint                             height,
                                                     gboolean                          has_alpha,
                                                     GCancellable                     *cancellable,
                                                     GError                          **error);
gboolean            tessera_image_writer_write_rows (TesseraImageWriter               *self,
                                                     const float * const              *planes,
                                                     gsize                             stride,
                                                     guint                             n_rows,
                                                     GError                          **error);
void                tessera_image_writer_set_trailing (TesseraImageWriter             *self,
                                                       TesseraImage                   *texts);
gboolean            tessera_image_writer_finish     (TesseraImageWriter               *self,
                                                     GError                          **error);
void                tessera_image_writer_free       (TesseraImageWriter               *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraImageWriter, tessera_image_writer_free)

/* The PNG and TIFF halves, for tessera-image-writer.c. Rows come
 * interleaved, in the file's channels and depth (16-bit in host order). */
typedef struct _TesseraPngRowWriter TesseraPngRowWriter;

TesseraPngRowWriter *tessera_png_row_writer_new   (GOutputStream        *stream,
                                                   const char           *name,
                                                   TesseraImage         *metadata,
                                                   guint                 width,
                                                   guint                 height,
                                                   guint                 depth,
                                                   guint                 channels,
                                                   int                   compression,
                                                   GCancellable         *cancellable,
                                                   GError              **error);
gboolean             tessera_png_row_writer_write (TesseraPngRowWriter  *self,
                                                   const guint8         *row,
                                                   GError              **error);
gboolean             tessera_png_row_writer_end   (TesseraPngRowWriter  *self,
                                                   TesseraImage         *trailing,
                                                   GError              **error);
void                 tessera_png_row_writer_free  (TesseraPngRowWriter  *self);

/* Converts row @y of @planes (grayscale: plane 0, alpha in plane 3) to
 * @channels interleaved samples of @depth bits. */
void                 tessera_image_pack_row       (const float * const  *planes,
                                                   gsize                 offset,
                                                   guint                 width,
                                                   guint                 channels,
                                                   guint                 depth,
                                                   guint8               *row);

G_END_DECLS
