/* tessera-arch-blocks.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-arch"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* A per-pixel linear layer PREFIX.NAME.weight [out][in] (+ .bias): a 1×1
 * convolution. */
guint
builder_linear (TesseraBuilder *b,
                guint           x,
                const char     *prefix,
                const char     *name)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor;
  const float *weight, *bias;
  guint out;

  weight = builder_tensor (b, (guint64[]) { 0, in }, 2, "%s%s.weight", prefix, name);
  if (weight == NULL)
    return 0;
  tensor = arch_tensor (b->state_dict, 2, "%s%s.weight", prefix, name);
  out = tensor->shape[0];
  bias = builder_optional_tensor (b, (guint64[]) { out }, 1, "%s%s.bias", prefix, name);
  if (b->error != NULL)
    return 0;
  return tessera_graph_conv (b->graph, &x, 1, out, in, 1, 1, 0, weight, bias);
}

/* A transformer block's MLP: LayerNorm PREFIX.norm2, PREFIX.mlp.fc1,
 * GELU, PREFIX.mlp.fc2, @x added. */
guint
builder_mlp (TesseraBuilder *b,
             guint           x,
             const char     *prefix)
{
  guint y = builder_layer_norm (b, x, prefix, ".norm2");

  y = builder_linear (b, y, prefix, ".mlp.fc1");
  if (b->error != NULL)
    return 0;
  builder_activate (b, y, TESSERA_ACTIVATION_GELU, 0.f);
  y = builder_linear (b, y, prefix, ".mlp.fc2");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, x);
  return y;
}

/* Swin attention's weights at PREFIX.qkv, .proj and
 * .relative_position_bias_table ([at->n_table][at->heads]) into @at;
 * FALSE (the builder failed) when one is missing or of the wrong shape. */
gboolean
builder_attention_weights (TesseraBuilder   *b,
                           const char       *prefix,
                           TesseraAttention *at)
{
  guint c = at->channels;

  at->qkv_weight = builder_tensor (b, (guint64[]) { 3 * c, c }, 2, "%s.qkv.weight", prefix);
  at->qkv_bias = builder_optional_tensor (b, (guint64[]) { 3 * c }, 1, "%s.qkv.bias", prefix);
  at->proj_weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.proj.weight", prefix);
  at->proj_bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.proj.bias", prefix);
  at->bias_table = builder_tensor (b, (guint64[]) { at->n_table, at->heads }, 2,
                                   "%s.relative_position_bias_table", prefix);
  return b->error == NULL;
}

/* LayerNorm PREFIX.NAME over the channels of each pixel. */
guint
builder_layer_norm (TesseraBuilder *b,
                    guint           x,
                    const char     *prefix,
                    const char     *name)
{
  guint64 c = tessera_graph_get_channels (b->graph, x);
  const float *weight = builder_tensor (b, &c, 1, "%s%s.weight", prefix, name);
  const float *bias = builder_tensor (b, &c, 1, "%s%s.bias", prefix, name);

  if (b->error != NULL)
    return 0;
  return tessera_graph_layer_norm (b->graph, x, weight, bias, 1e-5f);
}

/* An integer index buffer @name of @rows × @cols as 32-bit rows of a bias
 * table of @n_table rows, kept by the graph; NULL (and the builder failed)
 * when it is missing or points outside the table. Negative values count
 * from the table's end, as PyTorch's indexing reads them: HAT's OCA index
 * has them. */
const guint32 *
builder_position_index (TesseraBuilder *b,
                        const char     *name,
                        guint           rows,
                        guint           cols,
                        guint           n_table)
{
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 2, "%s", name);
  g_autofree guint32 *index = NULL;
  gsize element;

  if (b->error != NULL)
    return NULL;
  if (tensor == NULL || tensor->shape[0] != rows || tensor->shape[1] != cols ||
      (tensor->dtype != TESSERA_DTYPE_I64 && tensor->dtype != TESSERA_DTYPE_I32))
    {
      builder_fail (b, _("%s is not a %u × %u index"), name, rows, cols);
      return NULL;
    }

  element = tessera_dtype_get_size (tensor->dtype);
  index = g_new (guint32, (gsize) rows * cols);
  for (gsize i = 0; i < (gsize) rows * cols; i++)
    {
      gint64 value;
      gint32 narrow;

      if (tensor->dtype == TESSERA_DTYPE_I64)
        {
          memcpy (&value, tensor->data + i * element, sizeof value);
          value = GINT64_FROM_LE (value);
        }
      else
        {
          memcpy (&narrow, tensor->data + i * element, sizeof narrow);
          value = GINT32_FROM_LE (narrow);
        }
      if (value < -(gint64) n_table || value >= n_table)
        {
          builder_fail (b, _("%s points outside its bias table"), name);
          return NULL;
        }
      index[i] = (guint32) (value < 0 ? value + n_table : value);
    }

  return tessera_graph_keep (b->graph, g_steal_pointer (&index));
}

/* (x − mean) · @scale per channel, or (x · @scale + mean) when @inverse,
 * with the RGB mean of DIV2K that SwinIR, HAT and DAT use (none for other
 * channel counts): a 1×1 convolution with diagonal weights. */
guint
builder_normalize (TesseraBuilder *b,
                   guint           x,
                   float           scale,
                   gboolean        inverse)
{
  static const float rgb_mean[] = { 0.4488f, 0.4371f, 0.4040f };
  guint c = tessera_graph_get_channels (b->graph, x);
  float *weight = g_new0 (float, (gsize) c * c);
  float *bias = g_new0 (float, c);

  for (guint k = 0; k < c; k++)
    {
      float mean = c == 3 ? rgb_mean[k] : 0.f;

      weight[k * c + k] = scale;
      bias[k] = inverse ? mean : -mean * scale;
    }

  return tessera_graph_conv (b->graph, &x, 1, c, c, 1, 1, 0, tessera_graph_keep_floats (b->graph, weight),
                             tessera_graph_keep_floats (b->graph, bias));
}

/* The convolution PREFIX before a residual group's sum, @residual added:
 * "1conv" is one 3×3 (PREFIX.weight); "3conv" a 3×3 to a quarter of the
 * channels, a 1×1 and a 3×3 back with LeakyReLU 0.2 between (PREFIX.0,
 * .2, .4). */
guint
builder_residual_conv (TesseraBuilder *b,
                       guint           x,
                       const char     *prefix,
                       guint           residual)
{
  if (arch_has (b->state_dict, "%s.weight", prefix))
    x = builder_conv (b, &x, 1, 1, 1, "%s", prefix);
  else
    {
      x = builder_conv (b, &x, 1, 1, 1, "%s.0", prefix);
      builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.2f);
      x = builder_conv (b, &x, 1, 1, 0, "%s.2", prefix);
      builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.2f);
      x = builder_conv (b, &x, 1, 1, 1, "%s.4", prefix);
    }

  if (b->error == NULL)
    tessera_graph_set_residual (b->graph, x, 1.f, residual);
  return x;
}

/* The classical upsampler of SwinIR, HAT and DAT: conv_before_upsample.0
 * with LeakyReLU, an Upsample module (a convolution and a pixel shuffle
 * per ×2 or ×3 at upsample.0, .2…), conv_last. */
guint
builder_pixelshuffle_upsample (TesseraBuilder *b,
                               guint           x)
{
  x = builder_conv (b, &x, 1, 1, 1, "conv_before_upsample.0");
  if (b->error != NULL)
    return 0;
  /* nn.LeakyReLU's default slope. */
  builder_activate (b, x, TESSERA_ACTIVATION_LEAKY, 0.01f);
  for (guint i = 0; arch_has (b->state_dict, "upsample.%u.weight", i) && b->error == NULL; i += 2)
    {
      guint channels = tessera_graph_get_channels (b->graph, x);

      x = builder_conv (b, &x, 1, 1, 1, "upsample.%u", i);
      if (b->error == NULL)
        x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x,
                                   arch_square_root (tessera_graph_get_channels (b->graph, x) / channels));
    }
  return builder_conv (b, &x, 1, 1, 1, "conv_last");
}

/* The first half of a Swin block: @x + the window attention @at over
 * LayerNorm PREFIX.norm1 (x). */
guint
builder_window_attention (TesseraBuilder         *b,
                          guint                   x,
                          const char             *prefix,
                          const TesseraAttention *at)
{
  guint n = builder_layer_norm (b, x, prefix, ".norm1");

  if (b->error != NULL)
    return 0;
  n = tessera_graph_window_attention (b->graph, n, at);
  tessera_graph_set_residual (b->graph, n, 1.f, x);
  return n;
}

/* The blocks of each residual group layers.I (@depths) and its attention
 * heads (@heads: those of layers.I.residual_group.ATTN's bias table), as
 * spandrel's loaders read them; NULL, or why they do not fit
 * @embed_dim. */
const char *
arch_group_depths (TesseraStateDict *state_dict,
                   const char       *attn,
                   guint             n_layers,
                   guint             embed_dim,
                   guint            *depths,
                   guint            *heads)
{
  for (guint i = 0; i < n_layers; i++)
    {
      g_autofree char *blocks = g_strdup_printf ("layers.%u.residual_group.blocks", i);
      const TesseraTensor *table = arch_tensor (state_dict, 2,
                                                "layers.%u.residual_group.%s.relative_position_bias_table",
                                                i, attn);

      depths[i] = arch_sequence_length (state_dict, blocks);
      heads[i] = table != NULL ? table->shape[1] : 0;
      if (depths[i] == 0 || heads[i] == 0 || embed_dim % heads[i] != 0)
        return _("a layer's blocks or attention heads do not fit");
    }
  return NULL;
}

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
