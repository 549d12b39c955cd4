/* tessera-arch-blocks.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-arch"

#include "config.h"

#include "tessera-arch-blocks.h"

/* The upsampler's name as spandrel's loaders write it ("" for none). */
const char *
arch_upsampler_name (ArchUpsampler upsampler)
{
  switch (upsampler)
    {
    case ARCH_UPSAMPLER_PIXELSHUFFLE:
      return "pixelshuffle";
    case ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT:
      return "pixelshuffledirect";
    case ARCH_UPSAMPLER_NEAREST_CONV:
      return "nearest+conv";
    case ARCH_UPSAMPLER_NONE:
      return "";
    }
  return "";
}

/* @x padded right and bottom by @mode to whole windows of @window;
 * *@pad_h and *@pad_w: what was added, for builder_crop_padding(). */
guint
builder_pad_to_window (TesseraBuilder *b,
                       guint           x,
                       TesseraPadMode  mode,
                       guint           window,
                       guint           height,
                       guint           width,
                       guint          *pad_h,
                       guint          *pad_w)
{
  *pad_h = (window - height % window) % window;
  *pad_w = (window - width % window) % window;
  if (*pad_h > 0 || *pad_w > 0)
    x = tessera_graph_pad (b->graph, x, mode, 0, *pad_h, 0, *pad_w);
  return x;
}

/* @x with the padding of builder_pad_to_window(), grown by @scale, cut
 * off again. */
guint
builder_crop_padding (TesseraBuilder *b,
                      guint           x,
                      guint           pad_h,
                      guint           pad_w,
                      guint           scale)
{
  if (pad_h > 0 || pad_w > 0)
    x = tessera_graph_crop (b->graph, x, 0, pad_h * scale, 0, pad_w * scale);
  return x;
}

/* The shallow features: the 3×3 convolution PREFIX (conv_first), then
 * patch_embed.norm when @patch_norm; *@first: the convolution, which the
 * body's residual adds back. */
guint
builder_shallow_features (TesseraBuilder *b,
                          guint           x,
                          const char     *prefix,
                          gboolean        patch_norm,
                          guint          *first)
{
  *first = builder_conv (b, &x, 1, 1, 1, "%s", prefix);
  if (patch_norm)
    return builder_layer_norm (b, *first, "patch_embed.norm", "");
  return *first;
}

/* The deep features of SwinIR's body: residual groups layers.I (@depths[I]
 * blocks, then layers.I.conv with the group's input added), LayerNorm
 * norm, conv_after_body with @first added. */
guint
builder_residual_groups (TesseraBuilder   *b,
                         guint             x,
                         guint             first,
                         guint             n_layers,
                         const guint      *depths,
                         BuilderBlockFunc  block,
                         gconstpointer     params,
                         guint             height,
                         guint             width)
{
  for (guint i = 0; i < n_layers && b->error == NULL; i++)
    {
      g_autofree char *conv = g_strdup_printf ("layers.%u.conv", i);
      guint group_input = x;

      for (guint j = 0; j < depths[i] && b->error == NULL; j++)
        x = block (b, params, x, i, j, height, width);
      x = builder_residual_conv (b, x, conv, group_input);
    }
  x = builder_layer_norm (b, x, "norm", "");
  return builder_residual_conv (b, x, "conv_after_body", first);
}

/* The reconstruction from the deep features @x to @upscale × the size;
 * @input: the network's (normalised) input, which a model without
 * upsampler adds to conv_last's output. */
guint
builder_upsample (TesseraBuilder *b,
                  ArchUpsampler   upsampler,
                  guint           upscale,
                  guint           x,
                  guint           input)
{
  guint steps;

  if (b->error != NULL)
    return 0;

  switch (upsampler)
    {
    case ARCH_UPSAMPLER_PIXELSHUFFLE:
      return builder_pixelshuffle_upsample (b, x);
    case ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT:
      x = builder_conv (b, &x, 1, 1, 1, "upsample.0");
      if (b->error != NULL)
        return 0;
      return tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, upscale);
    case ARCH_UPSAMPLER_NEAREST_CONV:
      x = builder_conv (b, &x, 1, 1, 1, "conv_before_upsample.0");
      if (b->error != NULL)
        return 0;
      builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.01f);
      /* As spandrel: conv_up2 for ×4, conv_up2 and conv_up3 for ×8. */
      steps = upscale >= 8 ? 3 : (upscale >= 4 ? 2 : 1);
      for (guint i = 1; i <= steps && b->error == NULL; i++)
        {
          x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_NEAREST, 2.0);
          x = builder_conv (b, &x, 1, 1, 1, "conv_up%u", i);
          builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.2f);
        }
      x = builder_conv (b, &x, 1, 1, 1, "conv_hr");
      if (b->error != NULL)
        return 0;
      builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.2f);
      return builder_conv (b, &x, 1, 1, 1, "conv_last");
    case ARCH_UPSAMPLER_NONE:
      x = builder_conv (b, &x, 1, 1, 1, "conv_last");
      if (b->error != NULL)
        return 0;
      tessera_graph_set_residual (b->graph, x, 1.f, input);
      return x;
    }
  return 0;
}
