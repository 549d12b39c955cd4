/* tessera-engine-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "backends/tessera-backend-private.h"
#include "core/tessera-progress-private.h"
#include "image/tessera-resample-private.h"
#include "models/tessera-network-private.h"
#include "tessera-engine.h"
#include "tessera-runner-private.h"

G_BEGIN_DECLS

/* What the engine's files share: the engine object (tessera-engine.c)
 * names upscalers and keeps networks and a GPU backend between upscales;
 * the upscale in memory (tessera-upscale.c) and from file to file
 * (tessera-upscale-file.c) use them. */

/* What an upscaler name means: a classic filter, a model, or a chain of
 * models (“A+B”: A, then B on A's output). */
typedef struct
{
  gboolean      classic;
  TesseraFilter filter;
  TesseraModel *model;   /* the first of the chain */
  GPtrArray    *chain;   /* of TesseraModel, all of them; NULL for one */
} TesseraUpscaler;

void            tessera_upscaler_clear            (TesseraUpscaler        *upscaler);
char           *tessera_upscaler_label            (TesseraUpscaler        *upscaler,
                                                   const char             *name);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TesseraUpscaler, tessera_upscaler_clear)

gboolean        tessera_engine_resolve_upscaler   (TesseraEngine          *self,
                                                   const char             *name,
                                                   TesseraUpscaler        *upscaler,
                                                   GError                **error);
TesseraNetwork *tessera_engine_get_network        (TesseraEngine          *self,
                                                   TesseraModel           *model,
                                                   double                  denoise,
                                                   GError                **error);
TesseraBackend *tessera_engine_take_backend       (TesseraEngine          *self,
                                                   TesseraUpscaleOptions  *options,
                                                   guint                  *evictions,
                                                   char                  **note,
                                                   GError                **error);
void            tessera_engine_give_back_backend  (TesseraEngine          *self,
                                                   TesseraUpscaleOptions  *options,
                                                   TesseraBackend         *backend,
                                                   guint                   evictions);

/* A model upscale's progress, tile by tile, over its passes. */
typedef struct
{
  TesseraProgress *progress;
  guint            pass;
  guint            n_passes;
  double           pass_scale;  /* the pass's input pixels per input pixel */
  gint64           start;
} TesseraTileProgress;

void            tessera_tile_progress_on_start    (TesseraTilePlan        *plan,
                                                   guint                   index,
                                                   gpointer                user_data);
void            tessera_tile_progress_on_done     (TesseraTilePlan        *plan,
                                                   guint                   index,
                                                   TesseraImage           *pixels,
                                                   guint                   done,
                                                   guint                   total,
                                                   gpointer                user_data);
char           *tessera_time_left                 (double                  seconds);

gboolean        tessera_upscale_resolve           (TesseraEngine          *self,
                                                   TesseraUpscaleOptions  *options,
                                                   TesseraUpscaler        *upscaler,
                                                   GError                **error);
char           *tessera_describe_upscale          (const char             *upscaler,
                                                   guint                   in_width,
                                                   guint                   in_height,
                                                   guint                   out_width,
                                                   guint                   out_height);
guint           tessera_upscale_count_rounds      (guint                   scale,
                                                   guint                   in_width,
                                                   guint                   in_height,
                                                   guint                   width,
                                                   guint                   height);
void            tessera_upscale_init_run_options  (TesseraRunOptions      *run,
                                                   TesseraNetwork         *network,
                                                   TesseraBackend         *backend,
                                                   TesseraUpscaleOptions  *options,
                                                   guint                   width,
                                                   guint                   height,
                                                   gboolean                has_alpha);

G_END_DECLS
