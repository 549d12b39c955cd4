/* tessera-scunet.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-scunet"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"

/* SCUNet (Swin-Conv-UNet), KAIR's 1× blind denoiser, as spandrel runs it:
 * the image reflected right and bottom to a multiple of 64, a 3×3
 * convolution, three stages down (Swin-Conv blocks, then a 2×2 stride-2
 * convolution doubling the channels), blocks in the body, three stages
 * up (a 2×2 stride-2 transposed convolution after adding the stage's
 * skip, then blocks), a 3×3 convolution back to the image after adding
 * the first features, cropped. A Swin-Conv block splits a 1×1
 * convolution's output in halves: a residual pair of 3×3 convolutions
 * and a Swin transformer block (window attention in 8 × 8 windows,
 * shifted by 4 in every second block, with a relative position bias
 * stored per head as a (2w − 1) × (2w − 1) table; an MLP), then a 1×1
 * convolution of both plus the block's input. */

#define WINDOW 8
/* The window at the deepest of the three halvings. */
#define MULTIPLE (WINDOW * 8)
#define N_STAGES 7

/* spandrel's config: blocks of m_down1–3, m_body, m_up3–1. */
static const char *const stages[N_STAGES] = {
  "m_down1", "m_down2", "m_down3", "m_body", "m_up3", "m_up2", "m_up1",
};

typedef struct
{
  guint in_nc;
  guint dim;
  guint config[N_STAGES];
} ScunetParams;

/* As spandrel's load(): the widths from m_head, the blocks from the
 * lengths of the stages, each but the body holding one more layer (the
 * down or up convolution). */
static const char *
read_params (TesseraStateDict *state_dict,
             ScunetParams     *p)
{
  const TesseraTensor *head = arch_tensor (state_dict, 4, "m_head.0.weight");

  memset (p, 0, sizeof *p);
  if (head == NULL)
    return _("the first layer is not a convolution");
  p->dim = head->shape[0];
  p->in_nc = head->shape[1];
  if (p->dim == 0 || p->dim % 2 != 0 || p->in_nc == 0)
    return _("the first convolution's width is odd");

  for (guint s = 0; s < N_STAGES; s++)
    {
      guint length = arch_sequence_length (state_dict, stages[s]);

      if (s == 3)
        p->config[s] = length;
      else if (length == 0)
        return _("a stage has no down or up convolution");
      else
        p->config[s] = length - 1;
    }
  return NULL;
}

static TesseraDetect
tessera_scunet_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  ScunetParams p;
  const char *why;

  if (!arch_has (state_dict, "m_head.0.weight") || !arch_has (state_dict, "m_tail.0.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_SCUNET;
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->scale = 1;
  info->in_channels = p.in_nc;
  info->out_channels = p.in_nc;
  info->num_feat = p.dim;
  for (guint s = 0; s < N_STAGES; s++)
    info->num_blocks += p.config[s];
  /* Tiles cut where the windows of the deepest stage are cut. */
  info->tile_multiple = MULTIPLE;
  info->supported = TRUE;
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_scunet_describe (TesseraStateDict      *state_dict,
                         const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  ScunetParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "in_nc", g_variant_new_uint32 (p.in_nc));
  g_variant_builder_add (&builder, "{sv}", "config", arch_uint_array (p.config, N_STAGES));
  g_variant_builder_add (&builder, "{sv}", "dim", g_variant_new_uint32 (p.dim));
  g_variant_builder_add (&builder, "{sv}", "drop_path_rate", g_variant_new_double (0.0));
  g_variant_builder_add (&builder, "{sv}", "input_resolution", g_variant_new_uint32 (256));
  return g_variant_builder_end (&builder);
}

/* Swin's relative position index of a window: token i = (y, x) and token
 * j read row (y_i − y_j + w − 1) · (2w − 1) + (x_i − x_j + w − 1) of the
 * table, as SCUNet's relative_embedding() indexes its (heads, 2w − 1,
 * 2w − 1) parameters. */
static const guint32 *
window_index (TesseraBuilder *b)
{
  guint n = WINDOW * WINDOW, side = 2 * WINDOW - 1;
  guint32 *index = g_new (guint32, (gsize) n * n);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      index[i * n + j] = (i / WINDOW - j / WINDOW + WINDOW - 1) * side + (i % WINDOW - j % WINDOW + WINDOW - 1);
  return tessera_graph_keep (b->graph, index);
}

/* The Swin block PREFIX.trans_block over @t of @c channels: t + WMSA
 * (LN (t)), then + MLP (LN (t)), the heads read off the bias table. */
static guint
trans_block (TesseraBuilder *b,
             const char     *prefix,
             guint           t,
             guint           c,
             gboolean        shifted,
             const guint32  *index)
{
  g_autofree char *msa = g_strdup_printf ("%s.trans_block.msa", prefix);
  const TesseraTensor *params = arch_tensor (b->state_dict, 3, "%s.relative_position_params", msa);
  guint side = 2 * WINDOW - 1, n_table = side * side, heads, y, a;
  const float *table;
  float *bias_table;
  TesseraAttention at = {
    .channels = c,
    .window_h = WINDOW,
    .window_w = WINDOW,
    .bias_index = index,
    .n_table = n_table,
  };

  if (params == NULL)
    {
      /* Missing, or not 3-dimensional: the builder says which. */
      builder_tensor (b, (guint64[]) { 0, side, side }, 3, "%s.relative_position_params", msa);
      builder_fail (b, _("%s.relative_position_params gives no heads for %u channels"), msa, c);
      return 0;
    }
  heads = params->shape[0];
  if (heads == 0 || c % heads != 0)
    {
      builder_fail (b, _("%s.relative_position_params gives no heads for %u channels"), msa, c);
      return 0;
    }
  table = builder_tensor (b, (guint64[]) { heads, side, side }, 3, "%s.relative_position_params", msa);
  at.heads = heads;
  at.scale = 1.f / sqrtf ((float) (c / heads));
  at.qkv_weight = builder_tensor (b, (guint64[]) { 3 * c, c }, 2, "%s.embedding_layer.weight", msa);
  at.qkv_bias = builder_optional_tensor (b, (guint64[]) { 3 * c }, 1, "%s.embedding_layer.bias", msa);
  at.proj_weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.linear.weight", msa);
  at.proj_bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.linear.bias", msa);
  if (b->error != NULL)
    return 0;
  /* [heads][n_table] to the [n_table][heads] of Swin's tables. */
  bias_table = g_new (float, (gsize) n_table * heads);
  for (guint h = 0; h < heads; h++)
    for (guint k = 0; k < n_table; k++)
      bias_table[k * heads + h] = table[h * n_table + k];
  at.bias_table = tessera_graph_keep_floats (b->graph, bias_table);
  if (shifted)
    {
      at.shift_y = at.shift_x = WINDOW / 2;
      /* SCUNet masks with −inf where Swin adds −100: the same to fp32. */
      at.shift_mask = TRUE;
    }

  y = builder_layer_norm (b, t, prefix, ".trans_block.ln1");
  if (b->error != NULL)
    return 0;
  a = tessera_graph_window_attention (b->graph, y, &at);
  tessera_graph_set_residual (b->graph, a, 1.f, t);

  y = builder_layer_norm (b, a, prefix, ".trans_block.ln2");
  y = builder_linear (b, y, prefix, ".trans_block.mlp.0");
  if (b->error != NULL)
    return 0;
  builder_activate (b, y, TESSERA_ACTIVATION_GELU, 0.f);
  y = builder_linear (b, y, prefix, ".trans_block.mlp.2");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, a);
  return y;
}

/* ConvTransBlock STAGE.@index over @x: conv1_1 split in halves, the conv
 * half through conv_block plus itself, the other through the Swin block
 * (shifted windows at odd indices within the stage, @first being the
 * stage's first block), conv1_2 over both, plus @x. SCUNet falls back to
 * plain windows where a stage's input_resolution is at most the window,
 * but spandrel's loader always builds for 256 (32 at the body): odd
 * blocks shift whatever the image's size. */
static guint
conv_trans_block (TesseraBuilder *b,
                  const char     *stage,
                  guint           index,
                  guint           first,
                  guint           x,
                  const guint32  *index_table)
{
  g_autofree char *prefix = g_strdup_printf ("%s.%u", stage, index);
  g_autofree char *conv1_1 = g_strconcat (prefix, ".conv1_1", NULL);
  guint channels = tessera_graph_get_channels (b->graph, x), c = channels / 2, parts[2], y;

  builder_tensor (b, (guint64[]) { channels, channels, 1, 1 }, 4, "%s.weight", conv1_1);
  parts[0] = builder_conv_rows (b, x, conv1_1, 0, c);
  parts[1] = builder_conv_rows (b, x, conv1_1, c, c);
  builder_tensor (b, (guint64[]) { c, c, 3, 3 }, 4, "%s.conv_block.0.weight", prefix);
  y = builder_activate (b, builder_conv (b, &parts[0], 1, 1, 1, "%s.conv_block.0", prefix),
                        TESSERA_ACTIVATION_RELU, 0.f);
  builder_tensor (b, (guint64[]) { c, c, 3, 3 }, 4, "%s.conv_block.2.weight", prefix);
  y = builder_conv (b, &y, 1, 1, 1, "%s.conv_block.2", prefix);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, parts[0]);
  parts[0] = y;

  parts[1] = trans_block (b, prefix, parts[1], c, (index - first) % 2 == 1, index_table);
  builder_tensor (b, (guint64[]) { channels, channels, 1, 1 }, 4, "%s.conv1_2.weight", prefix);
  y = builder_conv (b, parts, 2, 1, 0, "%s.conv1_2", prefix);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, y, 1.f, x);
  return y;
}

/* Stage @s's blocks over @x, from layer @first on. */
static guint
stage_blocks (TesseraBuilder     *b,
              const ScunetParams *p,
              guint               s,
              guint               first,
              guint               x,
              const guint32      *index)
{
  for (guint i = first; i < first + p->config[s] && b->error == NULL; i++)
    x = conv_trans_block (b, stages[s], i, first, x, index);
  return x;
}

static guint
tessera_scunet_build (TesseraBuilder        *b,
                      const TesseraArchInfo *info,
                      guint                  height,
                      guint                  width)
{
  ScunetParams p;
  const char *why;
  const guint32 *index;
  guint pad_h, pad_w, x, skips[4], dim;

  if ((why = read_params (b->state_dict, &p)) != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }
  dim = p.dim;
  index = window_index (b);

  /* check_image_size: reflected right and bottom. */
  x = builder_pad_to_window (b, 0, TESSERA_PAD_REFLECT, MULTIPLE, height, width, &pad_h, &pad_w);

  builder_tensor (b, (guint64[]) { dim, p.in_nc, 3, 3 }, 4, "m_head.0.weight");
  x = skips[0] = builder_conv (b, &x, 1, 1, 1, "m_head.0");
  for (guint s = 0; s < 3 && b->error == NULL; s++)
    {
      x = stage_blocks (b, &p, s, 0, x, index);
      builder_tensor (b, (guint64[]) { 2 * dim << s, dim << s, 2, 2 }, 4, "%s.%u.weight", stages[s], p.config[s]);
      x = skips[s + 1] = builder_conv (b, &x, 1, 2, 0, "%s.%u", stages[s], p.config[s]);
    }
  x = stage_blocks (b, &p, 3, 0, x, index);
  for (guint s = 4; s < N_STAGES && b->error == NULL; s++)
    {
      guint level = N_STAGES - s;

      x = tessera_graph_add_nodes (b->graph, x, 1.f, skips[level], 1.f);
      builder_tensor (b, (guint64[]) { 2 * dim << (level - 1), dim << (level - 1), 2, 2 }, 4, "%s.0.weight",
                      stages[s]);
      x = builder_deconv (b, x, 2, 0, "%s.0", stages[s]);
      x = stage_blocks (b, &p, s, 1, x, index);
    }
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, x, 1.f, skips[0], 1.f);
  builder_tensor (b, (guint64[]) { p.in_nc, dim, 3, 3 }, 4, "m_tail.0.weight");
  x = builder_conv (b, &x, 1, 1, 1, "m_tail.0");
  if (b->error != NULL)
    return 0;
  return builder_crop_padding (b, x, pad_h, pad_w, 1);
}

static gboolean
scunet_recipe (TesseraStateDict       *state_dict,
               const TesseraArchInfo  *info,
               TesseraArchRecipe      *recipe)
{
  /* spandrel's size requirement, padded as its pad_tensor() pads; the
   * graph then reflects to a multiple of 64 as SCUNet's forward does. */
  recipe->build = tessera_scunet_build;
  recipe->minimum = 40;
  return TRUE;
}

const TesseraArchEntry tessera_scunet_arch = {
  .arch = TESSERA_ARCH_SCUNET,
  .id = "scunet",
  .title = "SCUNet",
  .detect = tessera_scunet_detect,
  .recipe = scunet_recipe,
  .describe = tessera_scunet_describe,
};
