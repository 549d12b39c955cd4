/* tessera-runner-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "image/tessera-image.h"
#include "tessera-stream-private.h"
#include "models/tessera-network-private.h"
#include "tessera-tile-plan.h"

G_BEGIN_DECLS

/* Runs a network over a whole image, tile by tile. */

/* Tile @index of @plan starts. */
typedef void (*TesseraTileStartFunc) (TesseraTilePlan *plan,
                                      guint            index,
                                      gpointer         user_data);

/* Tile @index of @plan is done: @done of @total, counting the alpha
 * plane's run. @pixels is its core's output, clamped, when the run
 * options want pixels and the tile ran the colour planes; else NULL. */
typedef void (*TesseraTileDoneFunc) (TesseraTilePlan *plan,
                                     guint            index,
                                     TesseraImage    *pixels,
                                     guint            done,
                                     guint            total,
                                     gpointer         user_data);

/* The run starts again with tiles @tile pixels wide, the last ones having
 * run out of device memory. */
typedef void (*TesseraRetryFunc) (guint    tile,
                                  gpointer user_data);

typedef struct
{
  guint                tile_size;      /* 0: from memory_budget */
  guint                overlap;
  guint                pre_pad;        /* reflected border around the image */
  gboolean             alpha_by_model; /* else bicubic */
  gsize                memory_budget;  /* bytes a tile may use */
  gboolean             tile_pixels;    /* on_tile_done gets each tile's pixels */
  TesseraTileStartFunc on_tile_start;
  TesseraTileDoneFunc  on_tile_done;
  TesseraRetryFunc     on_retry;
  gpointer             user_data;
  gboolean             tta;            /* each tile's 8 flips and rotations, averaged */
} TesseraRunOptions;

guint            tessera_runner_auto_tile_size (TesseraNetwork          *network,
                                                guint                    width,
                                                guint                    height,
                                                guint                    overlap,
                                                guint                    pre_pad,
                                                gboolean                 tta,
                                                gsize                    budget);
TesseraTilePlan *tessera_runner_plan           (TesseraNetwork          *network,
                                                guint                    width,
                                                guint                    height,
                                                const TesseraRunOptions *options);
TesseraImage    *tessera_runner_upscale        (TesseraNetwork          *network,
                                                TesseraBackend          *backend,
                                                TesseraImage            *input,
                                                const TesseraRunOptions *options,
                                                GCancellable            *cancellable,
                                                GError                 **error);
gboolean         tessera_runner_upscale_stream (TesseraNetwork          *network,
                                                TesseraBackend          *backend,
                                                TesseraImageReader      *reader,
                                                TesseraImageWriter      *writer,
                                                const TesseraRunOptions *options,
                                                GCancellable            *cancellable,
                                                GError                 **error);

G_END_DECLS
