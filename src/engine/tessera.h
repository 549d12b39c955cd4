/* tessera.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define TESSERA_INSIDE
# include "tessera-version.h"
# include "tessera-error.h"
# include "tessera-image.h"
# include "tessera-model.h"
# include "tessera-model-library.h"
# include "tessera-tiler.h"
# include "tessera-upscaler-info.h"
# include "tessera-upscale-options.h"
# include "tessera-engine.h"
# include "tessera-enums.h"
#undef TESSERA_INSIDE
