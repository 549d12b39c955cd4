/* tessera-sd-builder-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-graph-private.h"
#include "core/tessera-weights-private.h"

G_BEGIN_DECLS

/* What the three networks' builders share. Tensors are asked for by
 * diffusers' names (Hugging Face's for the text encoder); @rename, when
 * set, gives the file's own name for one. The first missing or misshapen
 * tensor is kept in @error, and every later call then does nothing, so a
 * builder reads as the forward pass and checks once at the end. */
typedef struct
{
  TesseraStateDict  *state_dict;
  TesseraWeights    *weights;
  TesseraGraph      *graph;
  char             *(*rename) (gconstpointer config,
                               const char   *name);
  gconstpointer      config;
  GError            *error;
} SdBuilder;

const float *sd_tensor      (SdBuilder   *b,
                             guint64      n_elements,
                             gboolean     optional,
                             const char  *format,
                             ...) G_GNUC_PRINTF (4, 5);
guint        sd_conv        (SdBuilder   *b,
                             guint        input,
                             guint        out_channels,
                             guint        kernel,
                             guint        stride,
                             guint        padding,
                             const char  *prefix);
guint        sd_linear      (SdBuilder   *b,
                             guint        input,
                             guint        out_channels,
                             const char  *prefix);
guint        sd_group_norm  (SdBuilder         *b,
                             guint              input,
                             guint              groups,
                             float              epsilon,
                             TesseraActivation  activation,
                             const char        *prefix);
guint        sd_layer_norm  (SdBuilder   *b,
                             guint        input,
                             float        epsilon,
                             const char  *prefix);
guint        sd_channels    (SdBuilder   *b,
                             guint        node);
guint        sd_res_block   (SdBuilder   *b,
                             guint        x,
                             guint        out_channels,
                             guint        groups,
                             float        epsilon,
                             guint        emb,
                             const char  *prefix);

G_END_DECLS
