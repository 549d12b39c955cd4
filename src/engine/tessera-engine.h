/* tessera-engine.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tessera-image.h"
#include "tessera-model-library.h"
#include "tessera-tiler.h"
#include "tessera-upscale-options.h"
#include "tessera-upscaler-info.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_ENGINE (tessera_engine_get_type ())

G_DECLARE_FINAL_TYPE (TesseraEngine, tessera_engine, TESSERA, ENGINE, GObject)

TesseraEngine       *tessera_engine_new            (void);
void                 tessera_engine_set_model_library (TesseraEngine       *self,
                                                       TesseraModelLibrary *library);
GListModel          *tessera_engine_get_upscalers  (TesseraEngine          *self);
TesseraUpscalerInfo *tessera_engine_find_upscaler  (TesseraEngine          *self,
                                                    const char             *name);
TesseraImage        *tessera_engine_upscale        (TesseraEngine          *self,
                                                    TesseraImage           *input,
                                                    TesseraUpscaleOptions  *options,
                                                    GCancellable           *cancellable,
                                                    TesseraProgressFunc     progress,
                                                    gpointer                progress_data,
                                                    GError                **error);
void                 tessera_engine_upscale_async  (TesseraEngine          *self,
                                                    TesseraImage           *input,
                                                    TesseraUpscaleOptions  *options,
                                                    GCancellable           *cancellable,
                                                    TesseraProgressFunc     progress,
                                                    gpointer                progress_data,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
TesseraImage        *tessera_engine_upscale_finish (TesseraEngine          *self,
                                                    GAsyncResult           *result,
                                                    GError                **error);
TesseraTilePlan     *tessera_engine_plan_tiles     (TesseraEngine          *self,
                                                    guint                   width,
                                                    guint                   height,
                                                    gboolean                has_alpha,
                                                    TesseraUpscaleOptions  *options,
                                                    GError                **error);
char                *tessera_engine_describe_cpu   (TesseraEngine          *self);
char               **tessera_engine_list_devices   (TesseraEngine          *self);
gboolean             tessera_engine_check_device   (TesseraEngine          *self,
                                                    const char             *device,
                                                    char                  **description,
                                                    GError                **error);
double               tessera_engine_measure_gemm_rate (TesseraEngine      *self,
                                                       guint               threads,
                                                       double              seconds,
                                                       GError            **error);

G_END_DECLS
