/* tessera-latent-upscale-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-redraw-options.h"

G_BEGIN_DECLS

float *tessera_latent_upscale (const float                *latent,
                               guint                       channels,
                               guint                       width,
                               guint                       height,
                               guint                       new_width,
                               guint                       new_height,
                               TesseraRedrawLatentUpscale  mode,
                               gboolean                    antialias);

G_END_DECLS
