/* tessera-stream-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "image/tessera-image-reader-private.h"
#include "image/tessera-image-writer-private.h"
#include "image/tessera-resample-private.h"
#include "tessera-engine.h"

G_BEGIN_DECLS

/* Upscales larger than memory run band by band, from an input file read
 * row by row to an output file written row by row; these are the pieces
 * the band loops share. */

/* The input rows [first, end) a band needs, read in order as the bands
 * move down the image; rows above a band are let go. */
typedef struct
{
  TesseraImageReader *reader;
  guint               width;
  guint               height;
  guint               n_planes;
  gboolean            premultiply;  /* colour times alpha, as the classic filters want */
  float              *planes[4];    /* row `first` of each plane */
  guint               capacity;     /* rows each plane has room for */
  guint               first;
  guint               end;
} TesseraRowWindow;

void     tessera_row_window_init  (TesseraRowWindow    *self,
                                   TesseraImageReader  *reader,
                                   gboolean             premultiply);
gboolean tessera_row_window_hold  (TesseraRowWindow    *self,
                                   guint                first,
                                   guint                end,
                                   GError             **error);
void     tessera_row_window_clear (TesseraRowWindow    *self);

/* Called as bands are written: @done output rows of @total. */
typedef void (*TesseraRowsDoneFunc) (guint    done,
                                     guint    total,
                                     gpointer user_data);

gboolean tessera_stream_resample  (TesseraImageReader  *reader,
                                   TesseraImageWriter  *writer,
                                   guint                out_width,
                                   guint                out_height,
                                   TesseraFilter        filter,
                                   GCancellable        *cancellable,
                                   TesseraRowsDoneFunc  rows_done,
                                   gpointer             user_data,
                                   GError             **error);

void     tessera_engine_upscale_file_async_full (TesseraEngine          *self,
                                                 GFile                  *input,
                                                 GFile                  *output,
                                                 TesseraUpscaleOptions  *options,
                                                 gboolean                keep_metadata,
                                                 GCancellable           *cancellable,
                                                 TesseraProgressFunc     progress,
                                                 gpointer                progress_data,
                                                 GAsyncReadyCallback     callback,
                                                 gpointer                user_data);

G_END_DECLS
