/* tessera-ncnn-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-state-dict-private.h"

G_BEGIN_DECLS

#define NCNN_MAX_PARAMS 32

/* One weight array from the .bin: fp16 or fp32, possibly unaligned. */
typedef struct
{
  TesseraDType  dtype;
  guint64       n_elements;
  const guint8 *data;
} NcnnBlob;

typedef struct
{
  char     *type;
  char     *name;
  GArray   *inputs;                   /* guint blob indices */
  GArray   *outputs;
  gboolean  has[NCNN_MAX_PARAMS];
  gboolean  is_array[NCNN_MAX_PARAMS];
  double    value[NCNN_MAX_PARAMS];   /* scalars, as ncnn reads them */
  GArray   *array[NCNN_MAX_PARAMS];   /* double */
  NcnnBlob  weights[4];               /* in .bin order: weight, bias… */
  guint     n_weights;
} NcnnLayer;

typedef struct
{
  GPtrArray *layers;                  /* NcnnLayer * */
  guint      n_blobs;
} NcnnGraph;

NcnnGraph *ncnn_graph_parse      (GBytes      *param,
                                  GBytes      *bin,
                                  GError     **error);
void       ncnn_graph_free       (NcnnGraph   *graph);
int        ncnn_layer_int        (NcnnLayer   *layer,
                                  guint        id,
                                  int          fallback);
double     ncnn_layer_float      (NcnnLayer   *layer,
                                  guint        id,
                                  double       fallback);

gboolean   ncnn_graph_to_state_dict (NcnnGraph        *graph,
                                     TesseraStateDict *state_dict,
                                     GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcnnGraph, ncnn_graph_free)

G_END_DECLS
