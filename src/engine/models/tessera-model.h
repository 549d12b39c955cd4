/* tessera-model.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "archs/tessera-arch.h"
#include "formats/tessera-model-format.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_MODEL (tessera_model_get_type ())

G_DECLARE_FINAL_TYPE (TesseraModel, tessera_model, TESSERA, MODEL, GObject)

TesseraModel       *tessera_model_new_from_file      (GFile          *file,
                                                      GCancellable   *cancellable,
                                                      GError        **error);
GFile              *tessera_model_get_file           (TesseraModel   *self);
const char         *tessera_model_get_name           (TesseraModel   *self);
const GError       *tessera_model_get_error          (TesseraModel   *self);
TesseraModelFormat  tessera_model_get_format         (TesseraModel   *self);
TesseraArch         tessera_model_get_arch           (TesseraModel   *self);
gboolean            tessera_model_get_supported      (TesseraModel   *self);
const char         *tessera_model_get_not_run_reason (TesseraModel   *self);
guint               tessera_model_get_scale          (TesseraModel   *self);
gboolean            tessera_model_can_denoise        (TesseraModel   *self,
                                                      GError        **error);
double             *tessera_model_get_denoise_levels (TesseraModel   *self,
                                                      guint          *n_levels);
guint               tessera_model_get_in_channels    (TesseraModel   *self);
guint               tessera_model_get_out_channels   (TesseraModel   *self);
guint               tessera_model_get_num_feat       (TesseraModel   *self);
guint               tessera_model_get_num_blocks     (TesseraModel   *self);
guint64             tessera_model_get_n_params       (TesseraModel   *self);
GVariant           *tessera_model_get_hyperparameters (TesseraModel  *self);
const char         *tessera_model_get_dtype          (TesseraModel   *self);
guint64             tessera_model_get_file_size      (TesseraModel   *self);
guint64             tessera_model_count_macs         (TesseraModel   *self,
                                                      guint           width,
                                                      guint           height,
                                                      GError        **error);
gboolean            tessera_model_save_safetensors   (TesseraModel   *self,
                                                      GFile          *file,
                                                      GCancellable   *cancellable,
                                                      GError        **error);


G_END_DECLS
