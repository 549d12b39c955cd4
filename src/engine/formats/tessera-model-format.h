/* tessera-model-format.h
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
 * TesseraModelFormat:
 * @TESSERA_MODEL_FORMAT_PTH: a PyTorch file, zip or legacy
 * @TESSERA_MODEL_FORMAT_SAFETENSORS: a safetensors file
 * @TESSERA_MODEL_FORMAT_NCNN: an ncnn .param with its .bin beside it
 * @TESSERA_MODEL_FORMAT_WAIFU2X_JSON: a waifu2x JSON model
 */
typedef enum
{
  TESSERA_MODEL_FORMAT_PTH,
  TESSERA_MODEL_FORMAT_SAFETENSORS,
  TESSERA_MODEL_FORMAT_NCNN,
  TESSERA_MODEL_FORMAT_WAIFU2X_JSON,
} TesseraModelFormat;

const char *tessera_model_format_to_string (TesseraModelFormat format);

G_END_DECLS
