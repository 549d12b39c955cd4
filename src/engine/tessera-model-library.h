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

#include "tessera-model.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_MODEL_LIBRARY (tessera_model_library_get_type ())

G_DECLARE_FINAL_TYPE (TesseraModelLibrary, tessera_model_library, TESSERA, MODEL_LIBRARY, GObject)

TesseraModelLibrary *tessera_model_library_new         (void);
GPtrArray           *tessera_model_library_get_folders (TesseraModelLibrary  *self);
void                 tessera_model_library_add_folder  (TesseraModelLibrary  *self,
                                                        GFile                *folder);
GListModel          *tessera_model_library_get_models  (TesseraModelLibrary  *self);
TesseraModel        *tessera_model_library_find        (TesseraModelLibrary  *self,
                                                        const char           *name);
void                 tessera_model_library_scan        (TesseraModelLibrary  *self,
                                                        GCancellable         *cancellable);

G_END_DECLS
