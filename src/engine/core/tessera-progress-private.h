/* tessera-progress-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "tessera-progress.h"

G_BEGIN_DECLS

/* Delivers progress to the caller: directly when the work runs in the
 * caller's thread, through the caller's main context when it runs in a
 * worker. @event_func is a second callback of a higher floor's own type
 * (the engine's tile events), which this floor only carries. */
typedef struct
{
  TesseraProgressFunc  func;
  GCallback            event_func;
  gpointer             user_data;
  GMainContext        *context;
  double               last_fraction;
  char                *last_text;
} TesseraProgress;

void tessera_progress_init          (TesseraProgress     *self,
                                     TesseraProgressFunc  func,
                                     gpointer             user_data);
void tessera_progress_init_deferred (TesseraProgress     *self,
                                     TesseraProgressFunc  func,
                                     gpointer             user_data);
void tessera_progress_clear         (TesseraProgress     *self);
void tessera_progress_report        (TesseraProgress     *self,
                                     double               fraction,
                                     const char          *text);
void tessera_progress_post          (TesseraProgress     *self,
                                     GSourceFunc          deliver,
                                     gpointer             data,
                                     GDestroyNotify       destroy);

G_END_DECLS
