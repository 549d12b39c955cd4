/* tessera-network-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "backends/tessera-backend-private.h"
#include "tessera-model.h"

G_BEGIN_DECLS

/* A model made runnable: its weights as floats and a graph for each input
 * size it has been run on (tiles come in a few sizes). The graph takes the
 * image as the model's reference implementation does, its own padding and
 * cropping included, and returns it scale times larger. */
typedef struct _TesseraNetwork TesseraNetwork;

TesseraNetwork *tessera_network_new              (TesseraModel        *model,
                                                  GError             **error);
TesseraNetwork *tessera_network_ref              (TesseraNetwork      *self);
void            tessera_network_unref            (TesseraNetwork      *self);
TesseraModel   *tessera_network_get_model        (TesseraNetwork      *self);
guint           tessera_network_get_scale        (TesseraNetwork      *self);
guint           tessera_network_get_in_channels  (TesseraNetwork      *self);
guint           tessera_network_get_out_channels (TesseraNetwork      *self);
guint           tessera_network_get_pre_pad      (TesseraNetwork      *self);
guint           tessera_network_get_tile_multiple (TesseraNetwork     *self);
gboolean        tessera_network_blend            (TesseraNetwork      *self,
                                                  TesseraNetwork      *other,
                                                  float                weight,
                                                  GError             **error);
void            tessera_network_set_noise_level  (TesseraNetwork      *self,
                                                  double               level);
gboolean        tessera_network_run              (TesseraNetwork      *self,
                                                  TesseraBackend      *backend,
                                                  const float         *input,
                                                  guint                width,
                                                  guint                height,
                                                  float               *output,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
gsize           tessera_network_peak_bytes       (TesseraNetwork      *self,
                                                  guint                width,
                                                  guint                height);
guint64         tessera_network_count_macs       (TesseraNetwork      *self,
                                                  guint                width,
                                                  guint                height);
gsize           tessera_network_get_weight_bytes (TesseraNetwork      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraNetwork, tessera_network_unref)

G_END_DECLS
