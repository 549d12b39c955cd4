/* tessera-span.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-span"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* SPAN (Swift Parameter-free Attention Network), as spandrel runs it:
 * re-parameterisable Conv3XC blocks (sk, conv.*, eval_conv), six SPAB
 * blocks, a 1×1 convolution over four of their outputs, and a pixel-shuffle
 * convolution upsampler.0 to scale² × out channels. */

/* spandrel's SPAN.rgb_mean and img_range, which no file holds. */
static const float rgb_mean[3] = { 0.4488f, 0.4371f, 0.4040f };
#define IMG_RANGE 255.f

static TesseraDetect
tessera_span_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  const TesseraTensor *first, *up;

  if (!arch_has (state_dict, "conv_1.sk.weight") || !arch_has (state_dict, "block_1.c1_r.sk.weight") ||
      !arch_has (state_dict, "upsampler.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SPAN;
  info->num_blocks = arch_count (state_dict, "block_%u.c1_r.sk.weight", 1);

  first = arch_tensor (state_dict, 4, "conv_1.sk.weight");
  up = arch_tensor (state_dict, 4, "upsampler.0.weight");
  if (first == NULL || up == NULL)
    return arch_broken (error, info->arch, _("conv_1 or the upsampler is not a convolution"));

  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  if (!arch_scale_and_channels (up->shape[0], info->in_channels, &info->scale, &info->out_channels))
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  /* The mean it subtracts has three channels: spandrel runs other inputs
   * only with no_norm. */
  info->supported = TRUE;
  if (info->in_channels != 3 && !arch_has (state_dict, "no_norm"))
    arch_not_run (info, _("it subtracts a three-channel mean from an image with another number of channels, "
                          "which Tessera does not run"));

  return TESSERA_DETECT_YES;
}

/* A Conv3XC block at @prefix, in its eval form: one 3×3 convolution, made
 * as Conv3XC.update_params() makes it on every forward pass in spandrel —
 * conv.0 (1×1), conv.1 (3×3, unpadded, on conv.0's output padded with
 * zeros) and conv.2 (1×1) composed, plus the skip sk (1×1) at the centre.
 * The stored eval_conv is ignored, as spandrel ignores it: files saved
 * while training may hold a stale one. The sums run in double. */
static guint
conv3xc (TesseraBuilder *b,
         guint           input,
         const char     *prefix)
{
  TesseraStateDict *sd = b->state_dict;
  const float *w_sk, *w1, *w2, *w3, *b_sk, *b1, *b2, *b3;
  guint64 c_in, c_out, m1, m2;
  g_autofree double *mid_bias = NULL;
  g_autofree double *t = NULL;
  float *weight, *bias;

  if (b->error != NULL)
    return 0;

  /* Each size is read from the first tensor that has it, then checked in
   * the others. */
  c_in = tessera_graph_get_channels (b->graph, input);
  w_sk = builder_tensor (b, (guint64[]) { 0, c_in, 1, 1 }, 4, "%s.sk.weight", prefix);
  w1 = builder_tensor (b, (guint64[]) { 0, c_in, 1, 1 }, 4, "%s.conv.0.weight", prefix);
  if (b->error != NULL)
    return 0;
  c_out = arch_tensor (sd, 4, "%s.sk.weight", prefix)->shape[0];
  m1 = arch_tensor (sd, 4, "%s.conv.0.weight", prefix)->shape[0];
  w2 = builder_tensor (b, (guint64[]) { 0, m1, 3, 3 }, 4, "%s.conv.1.weight", prefix);
  if (b->error != NULL)
    return 0;
  m2 = arch_tensor (sd, 4, "%s.conv.1.weight", prefix)->shape[0];
  w3 = builder_tensor (b, (guint64[]) { c_out, m2, 1, 1 }, 4, "%s.conv.2.weight", prefix);
  b_sk = builder_optional_tensor (b, (guint64[]) { c_out }, 1, "%s.sk.bias", prefix);
  b1 = builder_optional_tensor (b, (guint64[]) { m1 }, 1, "%s.conv.0.bias", prefix);
  b2 = builder_optional_tensor (b, (guint64[]) { m2 }, 1, "%s.conv.1.bias", prefix);
  b3 = builder_optional_tensor (b, (guint64[]) { c_out }, 1, "%s.conv.2.bias", prefix);
  if (b->error != NULL)
    return 0;

  /* conv.1's bias with conv.0's carried through it: conv.0's output is
   * padded before conv.1, so every tap sees conv.0's bias. */
  mid_bias = g_new (double, MAX (m2, 1));
  for (guint64 n = 0; n < m2; n++)
    {
      double sum = b2 != NULL ? b2[n] : 0.0;

      for (guint64 m = 0; b1 != NULL && m < m1; m++)
        for (guint k = 0; k < 9; k++)
          sum += (double) w2[(n * m1 + m) * 9 + k] * b1[m];
      mid_bias[n] = sum;
    }

  /* One output channel at a time: conv.2 · conv.1, then · conv.0. */
  weight = g_new (float, MAX (c_out * c_in * 9, 1));
  bias = g_new (float, MAX (c_out, 1));
  t = g_new (double, MAX (m1 * 9, 1));
  for (guint64 o = 0; o < c_out; o++)
    {
      double sum = (b3 != NULL ? b3[o] : 0.0) + (b_sk != NULL ? b_sk[o] : 0.0);

      memset (t, 0, m1 * 9 * sizeof (double));
      for (guint64 n = 0; n < m2; n++)
        {
          double w = w3[o * m2 + n];

          sum += w * mid_bias[n];
          for (guint64 mk = 0; mk < m1 * 9; mk++)
            t[mk] += w * w2[n * m1 * 9 + mk];
        }
      bias[o] = (float) sum;

      for (guint64 i = 0; i < c_in; i++)
        for (guint k = 0; k < 9; k++)
          {
            double v = k == 4 ? w_sk[o * c_in + i] : 0.0;

            for (guint64 m = 0; m < m1; m++)
              v += t[m * 9 + k] * w1[m * c_in + i];
            weight[(o * c_in + i) * 9 + k] = (float) v;
          }
    }

  return tessera_graph_conv (b->graph, &input, 1, c_out, c_in, 3, 1, 1,
                             tessera_graph_keep_floats (b->graph, weight),
                             tessera_graph_keep_floats (b->graph, bias));
}

/* SPAB: three Conv3XC with SiLU between them, and the parameter-free
 * attention (out3 + x) · (sigmoid (out3) − 0.5). @out1 is c1_r's output
 * after its SiLU: spandrel returns out1, but its SiLU works in place, so
 * what the caller gets has been through it. */
static guint
spab (TesseraBuilder *b,
      guint           x,
      guint           block,
      guint          *out1)
{
  g_autofree char *p1 = g_strdup_printf ("block_%u.c1_r", block);
  g_autofree char *p2 = g_strdup_printf ("block_%u.c2_r", block);
  g_autofree char *p3 = g_strdup_printf ("block_%u.c3_r", block);
  guint c3, sigmoid, attention, sum;

  *out1 = builder_activate (b, conv3xc (b, x, p1), TESSERA_ACTIVATION_SILU, 0.f);
  c3 = conv3xc (b, builder_activate (b, conv3xc (b, *out1, p2), TESSERA_ACTIVATION_SILU, 0.f), p3);
  if (b->error != NULL)
    return 0;

  sigmoid = tessera_graph_activate (b->graph, c3, TESSERA_ACTIVATION_SIGMOID, 0.f);
  attention = tessera_graph_affine (b->graph, sigmoid, 1.f, -0.5f);
  sum = tessera_graph_add_nodes (b->graph, c3, 1.f, x, 1.f);
  return tessera_graph_binary (b->graph, TESSERA_OP_MUL, sum, attention);
}

/* (x − rgb_mean) · 255 as a 1×1 convolution, channel by channel. */
static guint
normalize (TesseraBuilder *b,
           guint           x)
{
  float *weight = g_new0 (float, 3 * 3);
  float *bias = g_new (float, 3);

  for (guint c = 0; c < 3; c++)
    {
      weight[c * 3 + c] = IMG_RANGE;
      bias[c] = -rgb_mean[c] * IMG_RANGE;
    }

  return tessera_graph_conv (b->graph, &x, 1, 3, 3, 1, 1, 0, tessera_graph_keep_floats (b->graph, weight),
                             tessera_graph_keep_floats (b->graph, bias));
}

/* SPAN.forward: the input normalised unless the file has no_norm (the
 * output is not de-normalised), conv_1, the blocks, conv_2 on the last
 * block's output, conv_cat over conv_1's output, conv_2's, the first
 * block's and the last block's c1_r (with its SiLU), then the upsampler.
 * spandrel's SPAN has six blocks; other counts are read the same way. */
static guint
tessera_span_build (TesseraBuilder        *b,
                    const TesseraArchInfo *info,
                    guint                  height,
                    guint                  width)
{
  const TesseraTensor *up = arch_tensor (b->state_dict, 4, "upsampler.0.weight");
  guint n = info->num_blocks, x = 0, feature, first = 0, last_c1 = 0, scale, out_channels;

  if (up == NULL || !arch_scale_and_channels (up->shape[0], info->in_channels, &scale, &out_channels))
    {
      builder_fail (b, _("the upsampler's size gives no scale"));
      return 0;
    }

  /* Other than three channels, the detector has called it unsupported. */
  if (!arch_has (b->state_dict, "no_norm"))
    x = normalize (b, x);

  feature = x = conv3xc (b, x, "conv_1");
  for (guint i = 1; i <= n && b->error == NULL; i++)
    {
      x = spab (b, x, i, &last_c1);
      if (i == 1)
        first = x;
    }
  x = conv3xc (b, x, "conv_2");

  /* Both 1×1 and 3×3 kernels are fixed in spandrel. */
  builder_tensor (b, (guint64[]) { 0, 0, 1, 1 }, 4, "conv_cat.weight");
  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "upsampler.0.weight");
  x = builder_conv (b, (guint[]) { feature, x, first, last_c1 }, 4, 1, 0, "conv_cat");
  x = builder_conv (b, &x, 1, 1, 1, "upsampler.0");
  if (b->error != NULL)
    return 0;

  return tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, scale);
}

static gboolean
span_recipe (TesseraStateDict       *state_dict,
             const TesseraArchInfo  *info,
             TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_span_build;
  return TRUE;
}

const TesseraArchEntry tessera_span_arch = {
  .arch = TESSERA_ARCH_SPAN,
  .id = "span",
  .title = "SPAN",
  .detect = tessera_span_detect,
  .recipe = span_recipe,
};
