/* tessera-redraw-mask-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-redraw-plan.h"

G_BEGIN_DECLS

typedef enum
{
  TESSERA_MASK_FILTER_BICUBIC,
  TESSERA_MASK_FILTER_LANCZOS,
} TesseraMaskFilter;

void    tessera_mask_resize_u8       (const guint8       *in,
                                      guint               width,
                                      guint               height,
                                      const double        box[4],
                                      guint8             *out,
                                      guint               out_width,
                                      guint               out_height,
                                      TesseraMaskFilter   filter);
void    tessera_mask_resize_float    (const float        *in,
                                      guint               width,
                                      guint               height,
                                      const double        box[4],
                                      float              *out,
                                      guint               out_width,
                                      guint               out_height,
                                      TesseraMaskFilter   filter);
void    tessera_mask_blur            (guint8             *mask,
                                      guint               width,
                                      guint               height,
                                      guint               sigma);
guint8 *tessera_mask_resize_fill     (const guint8       *mask,
                                      guint               width,
                                      guint               height,
                                      guint               out_width,
                                      guint               out_height);
void    tessera_mask_resize_fill_float (const float      *plane,
                                        guint             width,
                                        guint             height,
                                        float            *out,
                                        guint             out_width,
                                        guint             out_height);
void    tessera_mask_resize_crop_float (const float      *plane,
                                        guint             width,
                                        guint             height,
                                        float            *out,
                                        guint             out_width,
                                        guint             out_height);
float  *tessera_mask_latent          (const guint8       *mask,
                                      guint               width,
                                      guint               height,
                                      guint               latent_width,
                                      guint               latent_height);

/* the plan's masks, in tessera-redraw-plan.c */
void    tessera_redraw_plan_render_mask (TesseraRedrawPlan *self,
                                         guint              index,
                                         const TesseraRect *region,
                                         guint8            *out);

G_END_DECLS
