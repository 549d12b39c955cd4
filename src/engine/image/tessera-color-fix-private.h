/* tessera-color-fix-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void tessera_color_fix_wavelet (float       *rgb,
                                const float *reference,
                                guint        width,
                                guint        height);
void tessera_color_fix_adain   (float       *rgb,
                                const float *reference,
                                guint        width,
                                guint        height);

G_END_DECLS
