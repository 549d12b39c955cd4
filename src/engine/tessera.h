/* tessera.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define TESSERA_INSIDE
# include "tessera-version.h"
# include "core/tessera-error.h"
# include "core/tessera-progress.h"
# include "image/tessera-image.h"
# include "image/tessera-generation-info.h"
# include "media/tessera-media.h"
# include "backends/tessera-precision.h"
# include "archs/tessera-arch.h"
# include "formats/tessera-model-format.h"
# include "sampling/tessera-prediction.h"
# include "models/tessera-model.h"
# include "models/tessera-checkpoint.h"
# include "tessera-model-library.h"
# include "tessera-tile-plan.h"
# include "tessera-upscaler-info.h"
# include "tessera-upscale-options.h"
# include "tessera-engine.h"
# include "tessera-redraw-options.h"
# include "tessera-redraw-plan.h"
# include "tessera-redraw.h"
# include "tessera-batch.h"
# include "tessera-enums.h"
#undef TESSERA_INSIDE
