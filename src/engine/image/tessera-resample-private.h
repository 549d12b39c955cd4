/* tessera-resample-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-image.h"

G_BEGIN_DECLS

typedef enum
{
  TESSERA_FILTER_NEAREST,
  TESSERA_FILTER_BILINEAR,
  TESSERA_FILTER_BICUBIC,
  TESSERA_FILTER_LANCZOS,
} TesseraFilter;

typedef void (*TesseraFractionFunc) (double   fraction,
                                     gpointer user_data);

gboolean tessera_resample (TesseraImage         *source,
                           TesseraImage         *dest,
                           TesseraFilter         filter,
                           GCancellable         *cancellable,
                           TesseraFractionFunc   progress,
                           gpointer              progress_data,
                           GError              **error);

gboolean tessera_resample_plane (TesseraImage         *source,
                                 guint                 source_plane,
                                 TesseraImage         *dest,
                                 guint                 dest_plane,
                                 TesseraFilter         filter,
                                 GCancellable         *cancellable,
                                 GError              **error);

typedef struct _TesseraResampleRows TesseraResampleRows;

TesseraResampleRows *tessera_resample_rows_new        (guint                 in_width,
                                                       guint                 in_height,
                                                       guint                 out_width,
                                                       guint                 out_height,
                                                       TesseraFilter         filter);
void                 tessera_resample_rows_get_source (TesseraResampleRows  *self,
                                                       guint                 y0,
                                                       guint                 y1,
                                                       guint                *first,
                                                       guint                *end);
gboolean             tessera_resample_rows_run        (TesseraResampleRows  *self,
                                                       const float          *src,
                                                       guint                 base,
                                                       float                *dst,
                                                       guint                 y0,
                                                       guint                 y1,
                                                       GError              **error);
void                 tessera_resample_rows_free       (TesseraResampleRows  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraResampleRows, tessera_resample_rows_free)

G_END_DECLS
