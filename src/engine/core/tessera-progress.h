/* tessera-progress.h
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
 * TesseraProgressFunc:
 * @fraction: how much is done, from 0 to 1
 * @text: a short description of the current step, such as “Saving”
 * @user_data: the data given with the function
 *
 * Reports the progress of a long operation.
 */
typedef void (*TesseraProgressFunc) (double      fraction,
                                     const char *text,
                                     gpointer    user_data);

G_END_DECLS
