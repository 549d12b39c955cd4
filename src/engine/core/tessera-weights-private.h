/* tessera-weights-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-state-dict-private.h"

G_BEGIN_DECLS

/* A state dict's floating tensors as float32, found by name: what an
 * architecture's graph reads its weights from. */
typedef struct _TesseraWeights TesseraWeights;

TesseraWeights *tessera_weights_new       (TesseraStateDict  *state_dict);
void            tessera_weights_free      (TesseraWeights    *self);
const float    *tessera_weights_lookup    (TesseraWeights    *self,
                                           const char        *name);
gsize           tessera_weights_get_bytes (TesseraWeights    *self);
gboolean        tessera_weights_blend     (TesseraWeights    *self,
                                           TesseraWeights    *other,
                                           float              weight,
                                           const char       **differing);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraWeights, tessera_weights_free)

G_END_DECLS
