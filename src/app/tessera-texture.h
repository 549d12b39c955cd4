/* tessera-texture.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "tessera.h"

G_BEGIN_DECLS

GdkTexture *tessera_texture_new_for_image  (TesseraImage *image);
GdkTexture *tessera_texture_new_for_region (TesseraImage *image,
                                            guint         x,
                                            guint         y,
                                            guint         width,
                                            guint         height);
void        tessera_texture_append         (GtkSnapshot           *snapshot,
                                            GdkTexture            *texture,
                                            const graphene_rect_t *bounds);
GdkTexture *tessera_texture_new_reduced    (TesseraImage *image,
                                            guint         factor);

G_END_DECLS
