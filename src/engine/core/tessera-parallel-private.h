/* tessera-parallel-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*TesseraRangeFunc) (guint    begin,
                                  guint    end,
                                  gpointer user_data);

guint tessera_parallel_get_n_threads    (void);
void  tessera_parallel_set_thread_limit (guint            limit);
void  tessera_parallel_for           (guint            n,
                                      TesseraRangeFunc func,
                                      gpointer         user_data);

G_END_DECLS
