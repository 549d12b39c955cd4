/* tessera-memory-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer tessera_alloc_large (gsize    size);
void     tessera_free_large  (gpointer memory,
                              gsize    size);

/* Compiles a hot loop for AVX2 + FMA as well as for the baseline, and picks
 * one when the program loads, so one binary runs everywhere at full speed. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
# define TESSERA_VECTORIZE __attribute__ ((target_clones ("arch=x86-64-v3", "default")))
#else
# define TESSERA_VECTORIZE
#endif

G_END_DECLS
