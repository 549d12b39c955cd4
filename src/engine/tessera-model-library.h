/* tessera-model-library.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "models/tessera-checkpoint.h"
#include "models/tessera-model.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_MODEL_LIBRARY (tessera_model_library_get_type ())

G_DECLARE_FINAL_TYPE (TesseraModelLibrary, tessera_model_library, TESSERA, MODEL_LIBRARY, GObject)

const char * const  *tessera_model_library_get_file_extensions (void);
TesseraModelLibrary *tessera_model_library_new             (void);
GPtrArray           *tessera_model_library_get_folders     (TesseraModelLibrary  *self);
GFile               *tessera_model_library_get_user_folder (TesseraModelLibrary  *self);
void                 tessera_model_library_add_folder      (TesseraModelLibrary  *self,
                                                            GFile                *folder);
void                 tessera_model_library_remove_folder   (TesseraModelLibrary  *self,
                                                            GFile                *folder);
GListModel          *tessera_model_library_get_models      (TesseraModelLibrary  *self);
GListModel          *tessera_model_library_get_checkpoints (TesseraModelLibrary  *self);
TesseraModel        *tessera_model_library_find            (TesseraModelLibrary  *self,
                                                            const char           *name);
void                 tessera_model_library_scan            (TesseraModelLibrary  *self,
                                                            GCancellable         *cancellable);
void                 tessera_model_library_watch           (TesseraModelLibrary  *self);
gboolean             tessera_model_library_is_user_model   (TesseraModelLibrary  *self,
                                                            TesseraModel         *model);
void                 tessera_model_library_import_async    (TesseraModelLibrary  *self,
                                                            GFile                *file,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
TesseraModel        *tessera_model_library_import_finish   (TesseraModelLibrary  *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);
TesseraModel        *tessera_model_library_import          (TesseraModelLibrary  *self,
                                                            GFile                *file,
                                                            GCancellable         *cancellable,
                                                            GError              **error);
gboolean             tessera_model_library_remove          (TesseraModelLibrary  *self,
                                                            TesseraModel         *model,
                                                            GError              **error);

G_END_DECLS
