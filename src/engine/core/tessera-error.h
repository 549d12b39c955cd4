/* tessera-error.h
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

#define TESSERA_ERROR (tessera_error_quark ())

/**
 * TesseraError:
 * @TESSERA_ERROR_INVALID_ARGUMENT: an option has a value that cannot work
 * @TESSERA_ERROR_UNKNOWN_FORMAT: the file is not in a format Tessera reads
 * @TESSERA_ERROR_CORRUPT: the file is in a known format but damaged
 * @TESSERA_ERROR_TOO_LARGE: the image is larger than Tessera handles
 * @TESSERA_ERROR_UNSUPPORTED: valid, but not supported by this build
 * @TESSERA_ERROR_NO_MEMORY: not enough memory for the image
 * @TESSERA_ERROR_FORBIDDEN: a model file asks to run code, which is refused
 *
 * Errors of the Tessera engine. File system errors keep GIO's domain.
 */
typedef enum
{
  TESSERA_ERROR_INVALID_ARGUMENT = 1,
  TESSERA_ERROR_UNKNOWN_FORMAT,
  TESSERA_ERROR_CORRUPT,
  TESSERA_ERROR_TOO_LARGE,
  TESSERA_ERROR_UNSUPPORTED,
  TESSERA_ERROR_NO_MEMORY,
  TESSERA_ERROR_FORBIDDEN,
} TesseraError;

GQuark tessera_error_quark (void);

G_END_DECLS
