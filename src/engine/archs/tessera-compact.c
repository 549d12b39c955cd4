/* tessera-compact.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-compact"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* Real-ESRGAN's SRVGGNetCompact: body.0 a convolution, then PReLU and
 * convolution in turns; the last convolution's bias has scale² × out
 * channels, pixel-shuffled and added to the nearest-upsampled input. */
static TesseraDetect
tessera_compact_detect (TesseraStateDict  *state_dict,
                        TesseraArchInfo   *info,
                        GError           **error)
{
  const TesseraTensor *first, *last_bias;
  guint n;

  if (!arch_has (state_dict, "body.0.weight") || !arch_has (state_dict, "body.1.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_COMPACT;
  info->supported = TRUE;

  n = arch_count (state_dict, "body.%u.weight", 0);
  first = arch_tensor (state_dict, 4, "body.0.weight");
  last_bias = arch_tensor (state_dict, 1, "body.%u.bias", n - 1);
  if (first == NULL || arch_tensor (state_dict, 1, "body.1.weight") == NULL)
    return arch_broken (error, info->arch, _("body.0 is not a convolution followed by a PReLU"));
  if (n < 3 || n % 2 == 0 || last_bias == NULL)
    return arch_broken (error, info->arch, _("the body does not end with a convolution"));

  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  info->num_blocks = (n - 3) / 2;   /* convolutions between the first and the last */

  if (!arch_scale_and_channels (last_bias->shape[0], info->in_channels, &info->scale, &info->out_channels))
    return arch_broken (error, info->arch, _("the last convolution's size gives no scale"));

  return TESSERA_DETECT_YES;
}

/* SRVGGNetCompact: convolutions with PReLU at low resolution, a pixel
 * shuffle, and the nearest-upsampled input added, so the network learns
 * only the difference. animevideov3's ×2 and ×3 ncnn files end in a
 * bicubic reduction of the ×4 result. */
static guint
tessera_compact_build (TesseraBuilder        *b,
                       const TesseraArchInfo *info,
                       guint                  height,
                       guint                  width)
{
  guint n = arch_count (b->state_dict, "body.%u.weight", 0);
  const TesseraTensor *last = arch_tensor (b->state_dict, 4, "body.%u.weight", n - 1);
  const char *output_scale = tessera_state_dict_get_metadata (b->state_dict, "output_scale");
  guint x = 0, native;

  if (last == NULL || info->out_channels == 0)
    {
      builder_fail (b, _("the last convolution is missing"));
      return 0;
    }
  native = (guint) (sqrt ((double) last->shape[0] / info->out_channels) + 0.5);

  for (guint i = 0; i + 1 < n && b->error == NULL; i += 2)
    {
      const float *slopes;

      x = builder_conv (b, &x, 1, 1, 1, "body.%u", i);
      slopes = builder_tensor (b, (guint64[]) { tessera_graph_get_channels (b->graph, x) }, 1,
                               "body.%u.weight", i + 1);
      if (slopes != NULL)
        tessera_graph_set_activation (b->graph, x, TESSERA_ACTIVATION_PRELU, 0.f, slopes);
    }

  x = builder_conv (b, &x, 1, 1, 1, "body.%u", n - 1);
  if (b->error != NULL)
    return 0;

  x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_SHUFFLE, x, native);
  x = tessera_graph_add_nodes (b->graph, x, 1.f, tessera_graph_resize (b->graph, 0, TESSERA_RESIZE_NEAREST, native),
                               1.f);

  if (output_scale != NULL)
    x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_BICUBIC, g_ascii_strtod (output_scale, NULL));
  return x;
}

static gboolean
compact_recipe (TesseraStateDict       *state_dict,
                const TesseraArchInfo  *info,
                TesseraArchRecipe      *recipe)
{
  recipe->build = tessera_compact_build;
  recipe->pre_pad = 10;
  return TRUE;
}

const TesseraArchEntry tessera_compact_arch = {
  .arch = TESSERA_ARCH_COMPACT,
  .id = "compact",
  .title = "Real-ESRGAN Compact",
  .detect = tessera_compact_detect,
  .recipe = compact_recipe,
  .noise_levels = TESSERA_NOISE_LEVELS_TWIN_BLEND,
};
