/* tessera-precision.h
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
 * TesseraPrecision:
 * @TESSERA_PRECISION_FP16: half-precision operands, single-precision sums,
 *   on tensor cores: fast
 * @TESSERA_PRECISION_FP32: single precision throughout
 *
 * The arithmetic of convolutions on a GPU.
 */
typedef enum
{
  TESSERA_PRECISION_FP16,
  TESSERA_PRECISION_FP32,
} TesseraPrecision;

G_END_DECLS
