/* tessera-dat-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-arch-blocks.h"

G_BEGIN_DECLS

/* DAT's parts that RGT shares (both build on CAT's rectangle windows and
 * spatial-gate feed-forward); tessera-dat.c describes them. */

guint    dat_folded_conv        (TesseraBuilder   *builder,
                                 guint             input,
                                 const char       *conv,
                                 const char       *bn);
guint    dat_linear_rows        (TesseraBuilder   *builder,
                                 guint             input,
                                 const char       *prefix,
                                 const guint      *starts,
                                 guint             n_runs,
                                 guint             n_rows);
gboolean dat_shifted            (guint             group,
                                 guint             block);
guint    dat_rectangle_windows  (TesseraBuilder   *builder,
                                 const char       *prefix,
                                 guint             input,
                                 guint             channels,
                                 guint             heads,
                                 const guint      *split,
                                 gboolean          shift,
                                 guint             height,
                                 guint             width);
guint    dat_network            (TesseraBuilder   *builder,
                                 guint             n_layers,
                                 const guint      *depths,
                                 BuilderBlockFunc  block,
                                 gconstpointer     params,
                                 ArchUpsampler     upsampler,
                                 guint             upscale,
                                 guint             height,
                                 guint             width);
guint    dat_gated_feed_forward (TesseraBuilder   *builder,
                                 const char       *prefix,
                                 guint             hidden,
                                 guint             input,
                                 guint             normalised);

G_END_DECLS
