/* tessera-model-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "archs/tessera-arch-private.h"
#include "core/tessera-state-dict-private.h"
#include "tessera-model.h"

G_BEGIN_DECLS

TesseraModel     *tessera_model_new_failed       (GFile        *file,
                                                  const GError *error);
TesseraStateDict *tessera_model_get_state_dict   (TesseraModel *self);
const TesseraArchInfo *tessera_model_get_arch_info (TesseraModel *self);
GFile            *tessera_model_ncnn_bin_file    (GFile        *param);

G_END_DECLS
