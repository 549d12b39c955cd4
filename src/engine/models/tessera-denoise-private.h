/* tessera-denoise-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-model.h"

G_BEGIN_DECLS

gboolean tessera_denoise_resolve (TesseraModel  *model,
                                  double         level,
                                  GFile        **file,
                                  GFile        **twin,
                                  float         *weight,
                                  GError       **error);
gboolean tessera_denoise_is_input (TesseraModel  *model);

G_END_DECLS
