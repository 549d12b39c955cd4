/* tessera-preferences.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_PREFERENCES (tessera_preferences_get_type ())

G_DECLARE_FINAL_TYPE (TesseraPreferences, tessera_preferences, TESSERA, PREFERENCES, AdwPreferencesWindow)

GtkWidget *tessera_preferences_new              (GtkWindow           *parent,
                                                 TesseraEngine       *engine,
                                                 TesseraModelLibrary *library,
                                                 GSettings           *settings);
void       tessera_preferences_add_model_folder (TesseraPreferences  *self,
                                                 GFile               *folder);

G_END_DECLS
