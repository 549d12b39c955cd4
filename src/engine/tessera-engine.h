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

#include "image/tessera-image.h"
#include "media/tessera-media.h"
#include "tessera-model-library.h"
#include "tessera-tile-plan.h"
#include "tessera-upscale-options.h"
#include "tessera-upscaler-info.h"

G_BEGIN_DECLS

/**
 * TesseraTileState:
 * @TESSERA_TILE_RUNNING: the tile has started
 * @TESSERA_TILE_DONE: the tile is done
 */
typedef enum
{
  TESSERA_TILE_RUNNING,
  TESSERA_TILE_DONE,
} TesseraTileState;

/**
 * TesseraTileEvent:
 * @plan: the plan of the pass the tile belongs to, over that pass's input
 * @index: the tile's index in @plan
 * @state: whether it started or is done
 * @pass: which pass of a model run more than once to reach the size (0 for
 *   the first)
 * @x: the tile's core in the pixels of the upscale's input (a later pass's
 *   tiles are smaller than a pixel there)
 * @y: see @x
 * @width: see @x
 * @height: see @x
 * @pixels: (nullable): when done, the core upscaled by the pass, opaque
 *   RGB clamped to [0, 1]; %NULL while running and for the alpha plane's
 *   tiles. The finished image blends tiles across their overlap, so it may
 *   differ from these pixels there.
 *
 * A model's tile starting or done, for showing an upscale as it fills in.
 */
typedef struct
{
  TesseraTilePlan  *plan;
  guint             index;
  TesseraTileState  state;
  guint             pass;
  double            x;
  double            y;
  double            width;
  double            height;
  TesseraImage     *pixels;
} TesseraTileEvent;

/**
 * TesseraTileFunc:
 * @event: the tile; valid during the call
 * @user_data: the data given with the function
 */
typedef void (*TesseraTileFunc) (const TesseraTileEvent *event,
                                 gpointer                user_data);

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
void                 tessera_engine_upscale_file_async  (TesseraEngine          *self,
                                                         GFile                  *input,
                                                         GFile                  *output,
                                                         TesseraUpscaleOptions  *options,
                                                         GCancellable           *cancellable,
                                                         TesseraProgressFunc     progress,
                                                         gpointer                progress_data,
                                                         GAsyncReadyCallback     callback,
                                                         gpointer                user_data);
gboolean             tessera_engine_upscale_file_finish (TesseraEngine          *self,
                                                         GAsyncResult           *result,
                                                         GError                **error);
void                 tessera_engine_upscale_async  (TesseraEngine          *self,
                                                    TesseraImage           *input,
                                                    TesseraUpscaleOptions  *options,
                                                    GCancellable           *cancellable,
                                                    TesseraProgressFunc     progress,
                                                    TesseraTileFunc         tiles,
                                                    gpointer                progress_data,
                                                    GAsyncReadyCallback     callback,
                                                    gpointer                user_data);
TesseraImage        *tessera_engine_upscale_finish (TesseraEngine          *self,
                                                    GAsyncResult           *result,
                                                    GError                **error);
gboolean             tessera_engine_upscale_needs_stream (TesseraEngine         *self,
                                                          GFile                 *file,
                                                          TesseraUpscaleOptions *options);
gboolean             tessera_engine_upscale_file   (TesseraEngine          *self,
                                                    GFile                  *input,
                                                    GFile                  *output,
                                                    TesseraUpscaleOptions  *options,
                                                    GCancellable           *cancellable,
                                                    TesseraProgressFunc     progress,
                                                    gpointer                progress_data,
                                                    GError                **error);
gboolean             tessera_engine_upscale_media  (TesseraEngine              *self,
                                                    GFile                      *input,
                                                    GFile                      *output,
                                                    TesseraUpscaleOptions      *options,
                                                    const TesseraMediaOptions  *media_options,
                                                    GCancellable               *cancellable,
                                                    TesseraProgressFunc         progress,
                                                    gpointer                    progress_data,
                                                    guint                      *width,
                                                    guint                      *height,
                                                    GError                    **error);
void                 tessera_engine_upscale_media_async  (TesseraEngine              *self,
                                                          GFile                      *input,
                                                          GFile                      *output,
                                                          TesseraUpscaleOptions      *options,
                                                          const TesseraMediaOptions  *media_options,
                                                          GCancellable               *cancellable,
                                                          TesseraProgressFunc         progress,
                                                          gpointer                    progress_data,
                                                          GAsyncReadyCallback         callback,
                                                          gpointer                    user_data);
gboolean             tessera_engine_upscale_media_finish (TesseraEngine              *self,
                                                          GAsyncResult               *result,
                                                          guint                      *width,
                                                          guint                      *height,
                                                          GError                    **error);
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

void                 tessera_engine_hold_redraw_networks    (TesseraEngine *self);
void                 tessera_engine_release_redraw_networks (TesseraEngine *self);

G_END_DECLS
