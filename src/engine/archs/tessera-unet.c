/* tessera-unet.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-unet"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* The two-U-Net model of waifu2x's CUNet and of Real-CUGAN, which grew out
 * of it: unet1.*, unet2.*, and for Real-CUGAN ×4 a final convolution that
 * is pixel-shuffled. The scale is in unet1's last layer: a transposed
 * convolution with a 4×4 kernel doubles, 5×5 triples, a plain 3×3
 * convolution keeps the size (waifu2x's denoise-only CUNet).
 *
 * The two cannot be told apart by keys and shapes: CUNet ×2 and Real-CUGAN
 * ×2 have the same. The metadata decides, as the ncnn loader and nunif's
 * checkpoints record it; otherwise a ×2 model is taken for Real-CUGAN. */
static TesseraDetect
tessera_unet_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  const char *arch = tessera_state_dict_get_metadata (state_dict, "arch");
  const char *name = tessera_state_dict_get_metadata (state_dict, "name");
  const TesseraTensor *first, *bottom1, *bottom2, *final;

  if (!arch_has (state_dict, "unet1.conv1.conv.0.weight") || !arch_has (state_dict, "unet2.conv1.conv.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_REALCUGAN;
  info->supported = TRUE;
  info->num_feat = 64;

  first = arch_tensor (state_dict, 4, "unet1.conv1.conv.0.weight");
  bottom1 = arch_tensor (state_dict, 4, "unet1.conv_bottom.weight");
  bottom2 = arch_tensor (state_dict, 4, "unet2.conv_bottom.weight");
  final = arch_tensor (state_dict, 4, "conv_final.weight");
  if (first == NULL || bottom1 == NULL || bottom2 == NULL)
    return arch_broken (error, info->arch, _("a U-Net's first or last convolution is missing"));

  info->in_channels = first->shape[1];

  if (final != NULL)
    {
      info->out_channels = final->shape[0] / 4;
      info->scale = 4;
      /* UpCunet2x_fast has these shapes with a 4×-unshuffled input. */
      if (info->out_channels * 4 == info->in_channels)
        {
          info->in_channels /= 4;
          info->scale = 2;
          arch_not_run (info, _("it is Real-CUGAN's fast ×2 variant (UpCunet2x_fast), which Tessera does not run yet"));
        }
      return TESSERA_DETECT_YES;
    }

  info->out_channels = bottom2->shape[0];
  switch (bottom1->shape[2])
    {
    case 3:
      info->scale = 1;
      info->arch = TESSERA_ARCH_WAIFU2X_CUNET;
      break;
    case 4:
      info->scale = 2;
      break;
    case 5:
      info->scale = 3;
      break;
    default:
      return arch_broken (error, info->arch, _("unet1's last layer has an unknown kernel size"));
    }

  if (g_strcmp0 (arch, "waifu2x-cunet") == 0 || (name != NULL && g_str_has_prefix (name, "waifu2x.")))
    info->arch = TESSERA_ARCH_WAIFU2X_CUNET;

  return TESSERA_DETECT_YES;
}

/* The U-Nets of Real-CUGAN and waifu2x's CUNet (Real-CUGAN grew out of
 * CUNet; the layers are the same). Every convolution is unpadded, so each
 * level shrinks the image and the skip connections are cropped to match;
 * the caller pads the input by the border the network eats. */

/* Squeeze and excitation: the channels' means through a small bottleneck
 * give one factor per channel. The means are the tile's, so a tiled
 * upscale differs slightly from an untiled one, as realcugan-ncnn-vulkan's
 * -c 0 does; its sync-gap modes, which share the means across tiles, are
 * not implemented. Auto tiles cover most images whole. */
static guint
se_block (TesseraBuilder *b,
          guint           x,
          const char     *prefix)
{
  guint mean = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, x);
  guint factors = builder_conv (b, &mean, 1, 1, 0, "%s.seblock.conv1", prefix);

  builder_activate (b, factors, TESSERA_ACTIVATION_RELU, 0.f);
  factors = builder_conv (b, &factors, 1, 1, 0, "%s.seblock.conv2", prefix);
  if (b->error != NULL)
    return 0;
  builder_activate (b, factors, TESSERA_ACTIVATION_SIGMOID, 0.f);
  return tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, x, factors);
}

static guint
unet_conv (TesseraBuilder *b,
           guint           x,
           const char     *prefix)
{
  x = builder_activate (b, builder_conv (b, &x, 1, 1, 0, "%s.conv.0", prefix), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x = builder_activate (b, builder_conv (b, &x, 1, 1, 0, "%s.conv.2", prefix), TESSERA_ACTIVATION_LEAKY, 0.1f);
  if (b->error == NULL && arch_has (b->state_dict, "%s.seblock.conv1.weight", prefix))
    x = se_block (b, x, prefix);
  return x;
}

static guint
crop_all (TesseraBuilder *b,
          guint           x,
          int             border)
{
  return tessera_graph_crop (b->graph, x, border, border, border, border);
}

static guint
add (TesseraBuilder *b,
     guint           x,
     guint           y)
{
  return tessera_graph_add_nodes (b->graph, x, 1.f, y, 1.f);
}

/* conv_bottom ends unet1: a transposed convolution that upsamples ×2 or
 * ×3, or a plain convolution for 1:1 models. */
static guint
unet_bottom (TesseraBuilder *b,
             guint           x,
             const char     *prefix,
             guint           scale)
{
  if (scale == 2)
    return builder_deconv (b, x, 2, 3, "%s.conv_bottom", prefix);
  if (scale == 3)
    return builder_deconv (b, x, 3, 2, "%s.conv_bottom", prefix);
  return builder_conv (b, &x, 1, 1, 0, "%s.conv_bottom", prefix);
}

static guint
unet1 (TesseraBuilder *b,
       guint           x,
       guint           scale)
{
  guint x1, x2, x3;

  x1 = unet_conv (b, x, "unet1.conv1");
  x2 = builder_activate (b, builder_conv (b, &x1, 1, 2, 0, "unet1.conv1_down"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x1 = crop_all (b, x1, 4);
  x2 = unet_conv (b, x2, "unet1.conv2");
  x2 = builder_activate (b, builder_deconv (b, x2, 2, 0, "unet1.conv2_up"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x3 = add (b, x1, x2);
  x3 = builder_activate (b, builder_conv (b, &x3, 1, 1, 0, "unet1.conv3"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  return unet_bottom (b, x3, "unet1", scale);
}

static guint
unet2 (TesseraBuilder *b,
       guint           x)
{
  guint x1, x2, x3, x4, x5;

  x1 = unet_conv (b, x, "unet2.conv1");
  x2 = builder_activate (b, builder_conv (b, &x1, 1, 2, 0, "unet2.conv1_down"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x1 = crop_all (b, x1, 16);
  x2 = unet_conv (b, x2, "unet2.conv2");
  x3 = builder_activate (b, builder_conv (b, &x2, 1, 2, 0, "unet2.conv2_down"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x2 = crop_all (b, x2, 4);
  x3 = unet_conv (b, x3, "unet2.conv3");
  x3 = builder_activate (b, builder_deconv (b, x3, 2, 0, "unet2.conv3_up"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x4 = unet_conv (b, add (b, x2, x3), "unet2.conv4");
  x4 = builder_activate (b, builder_deconv (b, x4, 2, 0, "unet2.conv4_up"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  x5 = add (b, x1, x4);
  x5 = builder_activate (b, builder_conv (b, &x5, 1, 1, 0, "unet2.conv5"), TESSERA_ACTIVATION_LEAKY, 0.1f);
  return builder_conv (b, &x5, 1, 1, 0, "unet2.conv_bottom");
}

static guint
round_up (guint value,
          guint multiple)
{
  return (value + multiple - 1) / multiple * multiple;
}

/* Real-CUGAN's forward passes (spandrel's UpCunet2x/3x/4x): reflection
 * pads of 18, 14 and 19 pixels, plus whatever makes the size even (×2,
 * ×4) or a multiple of 4 (×3); the output is cropped back. "pro" models
 * see the image in [0.15, 0.85]. waifu2x's CUNet pads as
 * waifu2x-ncnn-vulkan does: repeating the edge, 18 pixels (×2) or 28
 * (1:1) plus a multiple of 2 or 4. */
static guint
tessera_unet_build (TesseraBuilder        *b,
                    const TesseraArchInfo *info,
                    guint                  height,
                    guint                  width)
{
  gboolean cugan = info->arch == TESSERA_ARCH_REALCUGAN;
  gboolean pro = arch_has (b->state_dict, "pro");
  guint s = info->scale, border, multiple, ph, pw;
  guint x = 0, input, y;

  if (cugan)
    {
      border = s == 2 ? 18 : s == 3 ? 14 : 19;
      multiple = s == 3 ? 4 : 2;
    }
  else
    {
      border = s == 2 ? 18 : 28;
      multiple = s == 2 ? 2 : 4;
    }
  ph = round_up (height, multiple);
  pw = round_up (width, multiple);

  if (pro)
    x = tessera_graph_affine (b->graph, x, 0.7f, 0.15f);
  input = x;

  x = tessera_graph_pad (b->graph, x, cugan ? TESSERA_PAD_REFLECT : TESSERA_PAD_REPLICATE,
                         border, border + ph - height, border, border + pw - width);
  x = unet1 (b, x, s == 4 ? 2 : s);
  y = unet2 (b, x);
  x = add (b, y, crop_all (b, x, 20));

  if (s == 4)
    {
      x = builder_conv (b, &x, 1, 1, 0, "conv_final");
      x = crop_all (b, x, 1);
      x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, 2);
    }

  x = tessera_graph_crop (b->graph, x, 0, (ph - height) * s, 0, (pw - width) * s);
  if (s == 4)
    x = add (b, x, tessera_graph_resize (b->graph, input, TESSERA_RESIZE_NEAREST, 4.0));
  if (pro)
    x = tessera_graph_affine (b->graph, x, 1.f / 0.7f, -0.15f / 0.7f);
  return x;
}

static gboolean
realcugan_recipe (TesseraStateDict       *state_dict,
                  const TesseraArchInfo  *info,
                  TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_unet_build;
  recipe->minimum = 32;
  return TRUE;
}

static gboolean
cunet_recipe (TesseraStateDict       *state_dict,
              const TesseraArchInfo  *info,
              TesseraArchRecipe      *recipe)
{
  recipe->build = tessera_unet_build;
  return TRUE;
}

const TesseraArchEntry tessera_realcugan_arch = {
  .arch = TESSERA_ARCH_REALCUGAN,
  .id = "realcugan",
  .title = "Real-CUGAN",
  .detect = tessera_unet_detect,
  .recipe = realcugan_recipe,
  .noise_levels = TESSERA_NOISE_LEVELS_CUGAN_FILES,
};

const TesseraArchEntry tessera_waifu2x_cunet_arch = {
  .arch = TESSERA_ARCH_WAIFU2X_CUNET,
  .id = "waifu2x-cunet",
  .title = "waifu2x CUNet",
  .recipe = cunet_recipe,
  .noise_levels = TESSERA_NOISE_LEVELS_WAIFU2X_FILES,
};
