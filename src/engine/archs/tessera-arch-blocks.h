/* tessera-arch-blocks.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-arch-private.h"

G_BEGIN_DECLS

/* What SwinIR and the transformers after it (SRFormer, HAT, DRCT, ATD,
 * DAT, RGT, OmniSR, SCUNet) share: their layers and the network around
 * their own blocks. tessera-arch-blocks.c describes each. */

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

/* Hyper-parameters. */
const char    *arch_group_depths             (TesseraStateDict       *state_dict,
                                              const char             *attn,
                                              guint                   n_layers,
                                              guint                   embed_dim,
                                              guint                  *depths,
                                              guint                  *heads);

/* Layers by their state dict names. */
guint          builder_linear                (TesseraBuilder         *builder,
                                              guint                   input,
                                              const char             *prefix,
                                              const char             *name);
guint          builder_mlp                   (TesseraBuilder         *builder,
                                              guint                   input,
                                              const char             *prefix);
gboolean       builder_attention_weights     (TesseraBuilder         *builder,
                                              const char             *prefix,
                                              TesseraAttention       *attention);
guint          builder_layer_norm            (TesseraBuilder         *builder,
                                              guint                   input,
                                              const char             *prefix,
                                              const char             *name);
const guint32 *builder_position_index        (TesseraBuilder         *builder,
                                              const char             *name,
                                              guint                   rows,
                                              guint                   cols,
                                              guint                   n_table);
guint          builder_normalize             (TesseraBuilder         *builder,
                                              guint                   input,
                                              float                   scale,
                                              gboolean                inverse);
guint          builder_window_attention      (TesseraBuilder         *builder,
                                              guint                   x,
                                              const char             *prefix,
                                              const TesseraAttention *attention);
guint          builder_residual_conv         (TesseraBuilder         *builder,
                                              guint                   input,
                                              const char             *prefix,
                                              guint                   residual);

/* The network around the blocks, in the order of its forward pass. */
guint          builder_pad_to_window         (TesseraBuilder         *builder,
                                              guint                   x,
                                              TesseraPadMode          mode,
                                              guint                   window,
                                              guint                   height,
                                              guint                   width,
                                              guint                  *pad_h,
                                              guint                  *pad_w);
guint          builder_shallow_features      (TesseraBuilder         *builder,
                                              guint                   x,
                                              const char             *prefix,
                                              gboolean                patch_norm,
                                              guint                  *first);
guint          builder_residual_groups       (TesseraBuilder         *builder,
                                              guint                   x,
                                              guint                   first,
                                              guint                   n_layers,
                                              const guint            *depths,
                                              BuilderBlockFunc        block,
                                              gconstpointer           params,
                                              guint                   height,
                                              guint                   width);
guint          builder_pixelshuffle_upsample (TesseraBuilder         *builder,
                                              guint                   input);
guint          builder_upsample              (TesseraBuilder         *builder,
                                              ArchUpsampler           upsampler,
                                              guint                   upscale,
                                              guint                   x,
                                              guint                   input);
const char    *arch_upsampler_name           (ArchUpsampler           upsampler);
guint          builder_crop_padding          (TesseraBuilder         *builder,
                                              guint                   x,
                                              guint                   pad_h,
                                              guint                   pad_w,
                                              guint                   scale);

G_END_DECLS
