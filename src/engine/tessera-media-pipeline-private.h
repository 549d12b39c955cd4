/* tessera-media-pipeline-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-engine.h"
#include "tessera-redraw.h"

G_BEGIN_DECLS

void tessera_engine_process_media_async (TesseraEngine              *self,
                                         GFile                      *input,
                                         GFile                      *output,
                                         TesseraUpscaleOptions      *options,
                                         TesseraCheckpoint          *checkpoint,
                                         TesseraRedrawOptions       *redraw_options,
                                         const TesseraMediaOptions  *media_options,
                                         GCancellable               *cancellable,
                                         TesseraProgressFunc         progress,
                                         gpointer                    progress_data,
                                         GAsyncReadyCallback         callback,
                                         gpointer                    user_data);

G_END_DECLS
