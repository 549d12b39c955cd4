/* tessera-prediction.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * TesseraPrediction:
 * @TESSERA_PREDICTION_EPSILON: the UNet predicts the noise (ε)
 * @TESSERA_PREDICTION_V: the UNet predicts v (SD 2.x 768-v and its
 *   fine-tunes)
 *
 * What the UNet's output means, which the sampler must know.
 */
typedef enum
{
  TESSERA_PREDICTION_EPSILON,
  TESSERA_PREDICTION_V,
} TesseraPrediction;

G_END_DECLS
