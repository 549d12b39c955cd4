/* tessera-arch-blocks.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-arch-private.h"

G_BEGIN_DECLS

/* The pieces that SwinIR and the transformers after it (SRFormer, HAT,
 * DRCT, ATD, DAT, RGT, OmniSR) share around their own blocks. */

/* The tails of SwinIR's upsampler option, under its names. */
typedef enum
{
  ARCH_UPSAMPLER_NONE,                 /* restoration: conv_last, the input added */
  ARCH_UPSAMPLER_PIXELSHUFFLE,         /* classical: conv, Upsample (conv + shuffle per ×2 or ×3), conv */
  ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT,   /* lightweight: one conv to scale² × out, one shuffle */
  ARCH_UPSAMPLER_NEAREST_CONV,         /* real-world: nearest ×2 and a conv per step */
} ArchUpsampler;

/* Block @block of residual group @layer over @x; @params: the
 * architecture's hyper-parameters. */
typedef guint (*BuilderBlockFunc) (TesseraBuilder *builder,
                                   gconstpointer   params,
                                   guint           x,
                                   guint           layer,
                                   guint           block,
                                   guint           height,
                                   guint           width);

const char *arch_upsampler_name       (ArchUpsampler     upsampler);
guint       builder_pad_to_window     (TesseraBuilder   *builder,
                                       guint             x,
                                       TesseraPadMode    mode,
                                       guint             window,
                                       guint             height,
                                       guint             width,
                                       guint            *pad_h,
                                       guint            *pad_w);
guint       builder_crop_padding      (TesseraBuilder   *builder,
                                       guint             x,
                                       guint             pad_h,
                                       guint             pad_w,
                                       guint             scale);
guint       builder_shallow_features  (TesseraBuilder   *builder,
                                       guint             x,
                                       const char       *prefix,
                                       gboolean          patch_norm,
                                       guint            *first);
guint       builder_residual_groups   (TesseraBuilder   *builder,
                                       guint             x,
                                       guint             first,
                                       guint             n_layers,
                                       const guint      *depths,
                                       BuilderBlockFunc  block,
                                       gconstpointer     params,
                                       guint             height,
                                       guint             width);
guint       builder_upsample          (TesseraBuilder   *builder,
                                       ArchUpsampler     upsampler,
                                       guint             upscale,
                                       guint             x,
                                       guint             input);

G_END_DECLS
