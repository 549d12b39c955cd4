/* tessera-file-utils-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

char *tessera_file_dup_display_name (GFile         *file);
void  tessera_file_set_io_error     (GError       **error,
                                     GFile         *file,
                                     const GError  *io_error);
GBytes *tessera_file_map            (GFile         *file,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* An output written to a hidden temporary file beside its target and renamed
 * over it on commit, so that a failure or a cancellation never leaves a
 * half-written file under the target's name. */
typedef struct _TesseraOutputFile TesseraOutputFile;

TesseraOutputFile *tessera_output_file_open       (GFile              *file,
                                                   GError            **error);
GOutputStream     *tessera_output_file_get_stream (TesseraOutputFile  *self);
int                tessera_output_file_get_fd     (TesseraOutputFile  *self);
gboolean           tessera_output_file_commit     (TesseraOutputFile  *self,
                                                   GCancellable       *cancellable,
                                                   GError            **error);
void               tessera_output_file_free       (TesseraOutputFile  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraOutputFile, tessera_output_file_free)

G_END_DECLS
