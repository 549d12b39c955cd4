/* tessera-rgt.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-rgt"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"
#include "tessera-dat-private.h"

/* RGT, the Recursive Generalization Transformer (spandrel's RGT; RGT and
 * RGT-S differ only in their number of residual groups): DAT's frame (a
 * convolution, a LayerNorm, residual groups of blocks, a LayerNorm, a
 * convolution with the first one's output added, the classical
 * upsampler) around blocks that alternate rectangle-window attention
 * (even blocks: DAT's spatial attention beside a depthwise convolution of
 * v) and recursive-generalization attention (odd blocks, RG-SA), each
 * followed by DAT's spatial-gate feed-forward and with the block's input,
 * times the layer scale gamma, added once more (spandrel's "HAI").
 *
 * RG-SA lets every pixel attend to a few representative tokens: the
 * normalised image through a 4 × 4, stride 4 depthwise convolution as
 * many times as spandrel's eval-mode rule says (at least twice: 16 × 16
 * pixels a token), then a depthwise 3 × 3, a 1 × 1 to c_ratio × the
 * channels, LayerNorm and GELU; q from the pixels, k and v from the
 * tokens, v plus its depthwise convolution (cpe) on the tokens' grid. q
 * and k have c_ratio × the head width of v: the token attention takes
 * heads of one width, so the narrower side gets zero channels in each
 * head, which change no score and no output. Every pixel sees the whole
 * image's tokens: tiles differ from the whole image. */

#define MAX_LAYERS 64

typedef struct
{
  guint     in_chans;
  guint     embed_dim;
  guint     n_layers;
  guint     depth[MAX_LAYERS];
  guint     heads[MAX_LAYERS];
  guint     split[2];
  guint     hidden;               /* the feed-forward's fc1 outputs: mlp_ratio × embed_dim */
  guint     reduced;              /* RG-SA's channels: c_ratio × embed_dim */
  guint     upscale;
  gboolean  three_conv;           /* resi_connection "3conv" */
  gboolean  qkv_bias;
} RgtParams;

/* spandrel's _get_split_size: the window's sides from the number of
 * tokens a (relative_position_index's rows) and of relative positions b
 * (rpe_biases' rows), a = w·h and b = (2w − 1)(2h − 1): a square when one
 * fits, else powers of two with w < h. */
static gboolean
read_split (TesseraStateDict *state_dict,
            RgtParams        *p)
{
  const TesseraTensor *index = arch_tensor (state_dict, 2, "layers.0.blocks.0.attn.attns.0.relative_position_index");
  const TesseraTensor *biases = arch_tensor (state_dict, 2, "layers.0.blocks.0.attn.attns.0.rpe_biases");
  guint64 a, b;
  guint side;

  if (index == NULL || biases == NULL)
    return FALSE;
  a = index->shape[0];
  b = biases->shape[0];

  side = arch_square_root (a);
  if (side > 0 && (guint64) (2 * side - 1) * (2 * side - 1) == b)
    {
      p->split[0] = p->split[1] = side;
      return TRUE;
    }
  for (guint i = 1; i < 10; i++)
    for (guint j = i + 1; j < 10; j++)
      {
        guint64 w = 1u << i, h = 1u << j;

        if (w * h == a && (2 * w - 1) * (2 * h - 1) == b)
          {
            p->split[0] = w;
            p->split[1] = h;
            return TRUE;
          }
      }
  return FALSE;
}

/* NULL on success, else why the keys do not make an RGT. */
static const char *
read_params (TesseraStateDict *state_dict,
             RgtParams        *p)
{
  const TesseraTensor *first, *fc1, *conv;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    return _("conv_first is not a convolution");
  p->in_chans = first->shape[1];
  p->embed_dim = first->shape[0];

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual groups, or too many");
  /* spandrel's default when no group has an RG-SA block: 0.5. */
  p->reduced = p->embed_dim / 2;
  for (guint i = 0; i < p->n_layers; i++)
    {
      g_autofree char *blocks = g_strdup_printf ("layers.%u.blocks", i);
      const TesseraTensor *pos3;
      guint half;

      p->depth[i] = arch_sequence_length (state_dict, blocks);
      /* As spandrel: twice a window branch's heads, plus one when that
       * does not divide the width. */
      pos3 = arch_tensor (state_dict, 2, "layers.%u.blocks.0.attn.attns.0.pos.pos3.2.weight", i);
      half = pos3 != NULL ? pos3->shape[0] : 0;
      p->heads[i] = half == 0 ? 0 : p->embed_dim % (2 * half) == 0 ? 2 * half : 2 * half + 1;
      if (p->depth[i] == 0 || half == 0 || p->embed_dim % p->heads[i] != 0 || (p->embed_dim / 2) % half != 0)
        return _("a residual group's blocks or attention heads do not fit");
    }
  for (guint i = 0; i < p->n_layers; i++)
    if (p->depth[i] >= 2)
      {
        conv = arch_tensor (state_dict, 4, "layers.%u.blocks.1.attn.conv.weight", i);
        if (conv == NULL || conv->shape[1] != p->embed_dim || conv->shape[0] == 0)
          return _("a recursive-generalization block has no channel reduction");
        p->reduced = conv->shape[0];
        break;
      }
  for (guint i = 0; i < p->n_layers; i++)
    if (p->depth[i] >= 2 && p->reduced % p->heads[i] != 0)
      return _("a residual group's blocks or attention heads do not fit");

  if (!read_split (state_dict, p))
    return _("rpe_biases does not give the window's size");

  fc1 = arch_tensor (state_dict, 2, "layers.0.blocks.0.mlp.fc1.weight");
  if (fc1 == NULL || fc1->shape[0] % 2 != 0)
    return _("the first block has no feed-forward network");
  p->hidden = fc1->shape[0];

  p->three_conv = !arch_has (state_dict, "conv_after_body.weight");
  p->qkv_bias = arch_has (state_dict, "layers.0.blocks.0.attn.qkv.bias");
  p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
  if (p->upscale == 0)
    return _("the upsampler's size gives no scale");
  return NULL;
}

/* RGT: recognised by its layer scale (gamma) beside DAT's before_RG and
 * its feed-forward under mlp, as spandrel's detector keys say. */
static TesseraDetect
tessera_rgt_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const TesseraTensor *first, *last;
  const char *why;
  RgtParams p;

  if (!arch_has (state_dict, "conv_first.weight") || !arch_has (state_dict, "before_RG.1.weight") ||
      !arch_has (state_dict, "layers.0.blocks.0.gamma") || !arch_has (state_dict, "layers.0.blocks.0.mlp.fc1.weight") ||
      !arch_has (state_dict, "conv_last.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_RGT;
  info->num_blocks = arch_count (state_dict, "layers.%u.blocks.0.norm1.weight", 0);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  last = arch_tensor (state_dict, 4, "conv_last.weight");
  if (first == NULL || last == NULL)
    return arch_broken (error, info->arch, _("conv_first is not a convolution"));
  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];
  info->out_channels = last->shape[0];

  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);
  info->scale = p.upscale;

  /* Tiles of whole windows of the larger split need no padding inside. */
  info->tile_multiple = MAX (p.split[0], p.split[1]);
  info->supported = TRUE;
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_rgt_describe (TesseraStateDict      *state_dict,
                      const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  RgtParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depth", arch_uint_array (p.depth, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "split_size", arch_uint_array (p.split, 2));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "c_ratio", g_variant_new_double ((double) p.reduced / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (1.0));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_chans));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.three_conv ? "3conv" : "1conv"));
  return g_variant_builder_end (&builder);
}

/* How many times RG-SA reduces an image of @height × @width, as spandrel
 * decides in eval mode: max (⌊log₄ (H // 16)⌋, ⌊log₄ (W // 16)⌋), at
 * least 2, with Python's math.log (x, 4), log x / log 4 in doubles. */
static guint
recursions (guint height,
            guint width)
{
  int times = MAX ((int) (log ((double) (height / 16)) / log (4.0)),
                   (int) (log ((double) (width / 16)) / log (4.0)));

  return MAX (times, 2);
}

/* Rows (@columns FALSE) or columns of @weight, a matrix of @n_other ×
 * (@heads · @from), moved so that each head's @from start every @to, the
 * rest zeros. NULL @weight stands for the identity. */
static const float *
spread_heads (TesseraBuilder *b,
              const float    *weight,
              guint           heads,
              guint           from,
              guint           to,
              guint           n_other,
              gboolean        columns)
{
  float *spread = g_new0 (float, (gsize) heads * to * n_other);

  for (guint h = 0; h < heads; h++)
    for (guint r = 0; r < from; r++)
      for (guint o = 0; o < n_other; o++)
        {
          gsize source = columns ? (gsize) o * heads * from + h * from + r : ((gsize) h * from + r) * n_other + o;
          gsize target = columns ? (gsize) o * heads * to + h * to + r : ((gsize) h * to + r) * n_other + o;

          if (weight != NULL)
            spread[target] = weight[source];
          else
            spread[target] = o == h * from + r ? 1.f : 0.f;
        }
  return tessera_graph_keep_floats (b->graph, spread);
}

/* The linear layer PREFIX.weight ([heads · from][in]) and .bias with each
 * head's outputs widened to @to by zeros. */
static guint
widened_linear (TesseraBuilder *b,
                guint           x,
                const char     *prefix,
                guint           heads,
                guint           from,
                guint           to)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const float *weight, *bias;

  if (from == to)
    return builder_linear (b, x, prefix, "");
  weight = builder_tensor (b, (guint64[]) { heads * from, in }, 2, "%s.weight", prefix);
  bias = builder_optional_tensor (b, (guint64[]) { heads * from }, 1, "%s.bias", prefix);
  if (b->error != NULL)
    return 0;
  weight = spread_heads (b, weight, heads, from, to, in, FALSE);
  if (bias != NULL)
    bias = spread_heads (b, bias, heads, from, to, 1, FALSE);
  return tessera_graph_conv (b->graph, &x, 1, heads * to, in, 1, 1, 0, weight, bias);
}

/* L_SA of block j (even) of group i on @n, the normalised @x: DAT's two
 * halves of rectangle windows, plus get_v (a depthwise 3 × 3 of v), proj,
 * @x added. */
static guint
window_attention (TesseraBuilder  *b,
                  const RgtParams *p,
                  const char      *prefix,
                  guint            x,
                  guint            n,
                  guint            i,
                  guint            j,
                  guint            height,
                  guint            width)
{
  g_autofree char *qkv = g_strdup_printf ("%s.qkv", prefix);
  g_autofree char *get_v = g_strdup_printf ("%s.get_v", prefix);
  guint c = p->embed_dim, attended, v, sum, out;

  attended = dat_rectangle_windows (b, prefix, n, c, p->heads[i] / 2, p->split, dat_shifted (i, j), height, width);
  if (b->error != NULL)
    return 0;
  v = dat_linear_rows (b, n, qkv, (guint[]) { 2 * c }, 1, c);
  if (b->error != NULL)
    return 0;
  v = dat_folded_conv (b, v, get_v, NULL);
  if (b->error != NULL)
    return 0;
  sum = tessera_graph_add_nodes (b->graph, attended, 1.f, v, 1.f);
  out = builder_linear (b, sum, prefix, ".proj");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, out, 1.f, x);
  return out;
}

/* RG_SA of block j (odd) of group i on @n, the normalised @x of @height ×
 * @width: see the top of the file. */
static guint
generalization_attention (TesseraBuilder  *b,
                          const RgtParams *p,
                          const char      *prefix,
                          guint            x,
                          guint            n,
                          guint            i,
                          guint            height,
                          guint            width)
{
  g_autofree char *q_name = g_strdup_printf ("%s.q", prefix);
  g_autofree char *k_name = g_strdup_printf ("%s.k", prefix);
  g_autofree char *dwconv = g_strdup_printf ("%s.dwconv", prefix);
  g_autofree char *conv = g_strdup_printf ("%s.conv", prefix);
  g_autofree char *cpe = g_strdup_printf ("%s.cpe", prefix);
  guint c = p->embed_dim, heads = p->heads[i], cr = p->reduced;
  guint narrow = cr / heads, wide = c / heads, width_a_head = MAX (narrow, wide);
  guint times = recursions (height, width);
  const float *weight, *bias;
  guint tokens, q, k, v, attended, out;
  /* spandrel: (head_dim · c_ratio)^−0.5 */
  float scale = (float) pow ((double) (c / heads) * ((double) cr / c), -0.5);

  weight = builder_tensor (b, (guint64[]) { c, 1, 4, 4 }, 4, "%s.reduction1.weight", prefix);
  bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.reduction1.bias", prefix);
  if (b->error != NULL)
    return 0;
  tokens = n;
  for (guint t = 0; t < times; t++)
    {
      tokens = tessera_graph_conv (b->graph, &tokens, 1, c, c, 4, 4, 0, weight, bias);
      tessera_graph_set_groups (b->graph, tokens, c);
    }
  tokens = dat_folded_conv (b, tokens, dwconv, NULL);
  tokens = dat_folded_conv (b, tokens, conv, NULL);
  tokens = builder_layer_norm (b, tokens, prefix, ".norm_act.0");
  if (b->error != NULL)
    return 0;
  tokens = tessera_graph_activate (b->graph, tokens, TESSERA_ACTIVATION_GELU, 0.f);

  q = widened_linear (b, n, q_name, heads, narrow, width_a_head);
  k = widened_linear (b, tokens, k_name, heads, narrow, width_a_head);
  v = builder_linear (b, tokens, prefix, ".v");
  if (b->error != NULL)
    return 0;
  if (tessera_graph_get_channels (b->graph, v) != c)
    {
      builder_fail (b, _("%s.v.weight does not give %u channels"), prefix, c);
      return 0;
    }
  /* v + cpe (v), on the tokens' grid */
  {
    guint with_cpe = dat_folded_conv (b, v, cpe, NULL);

    if (b->error != NULL)
      return 0;
    tessera_graph_set_residual (b->graph, with_cpe, 1.f, v);
    v = with_cpe;
  }
  if (wide < width_a_head)
    v = tessera_graph_conv (b->graph, &v, 1, heads * width_a_head, c, 1, 1, 0,
                            spread_heads (b, NULL, heads, wide, width_a_head, c, FALSE), NULL);

  attended = tessera_graph_token_attention (b->graph, q, k, v, heads, scale, FALSE);

  if (wide < width_a_head)
    {
      weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.proj.weight", prefix);
      bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.proj.bias", prefix);
      if (b->error != NULL)
        return 0;
      out = tessera_graph_conv (b->graph, &attended, 1, c, heads * width_a_head, 1, 1, 0,
                                spread_heads (b, weight, heads, wide, width_a_head, c, TRUE), bias);
    }
  else
    out = builder_linear (b, attended, prefix, ".proj");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, out, 1.f, x);
  return out;
}

/* Block j of group i: x + attention (norm1 (x)), + SGFN (norm2 (·)), +
 * gamma · x. */
static guint
rgt_block (TesseraBuilder *b,
           gconstpointer   params,
           guint           x,
           guint           i,
           guint           j,
           guint           height,
           guint           width)
{
  const RgtParams *p = params;
  g_autofree char *prefix = g_strdup_printf ("layers.%u.blocks.%u", i, j);
  g_autofree char *attn = g_strdup_printf ("%s.attn", prefix);
  g_autofree char *mlp = g_strdup_printf ("%s.mlp", prefix);
  guint c = p->embed_dim, n, t, scaled;
  const float *gamma;

  n = builder_layer_norm (b, x, prefix, ".norm1");
  if (b->error != NULL)
    return 0;
  if (j % 2 == 0)
    t = window_attention (b, p, attn, x, n, i, j, height, width);
  else
    t = generalization_attention (b, p, attn, x, n, i, height, width);
  if (b->error != NULL)
    return 0;

  n = builder_layer_norm (b, t, prefix, ".norm2");
  if (b->error != NULL)
    return 0;
  t = dat_gated_feed_forward (b, mlp, p->hidden, t, n);
  gamma = builder_tensor (b, (guint64[]) { c }, 1, "%s.gamma", prefix);
  if (b->error != NULL)
    return 0;

  /* gamma · x as a depthwise 1 × 1, the block's sum added */
  scaled = tessera_graph_conv (b->graph, &x, 1, c, c, 1, 1, 0, gamma, NULL);
  tessera_graph_set_groups (b->graph, scaled, c);
  tessera_graph_set_residual (b->graph, scaled, 1.f, t);
  return scaled;
}

static guint
tessera_rgt_build (TesseraBuilder        *b,
                   const TesseraArchInfo *info,
                   guint                  height,
                   guint                  width)
{
  RgtParams p;
  const char *why = read_params (b->state_dict, &p);

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  return dat_network (b, p.n_layers, p.depth, rgt_block, &p, ARCH_UPSAMPLER_PIXELSHUFFLE, p.upscale,
                      height, width);
}

static gboolean
rgt_recipe (TesseraStateDict       *state_dict,
            const TesseraArchInfo  *info,
            TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 16 × 16, which RG-SA's reduction needs;
   * the window attentions pad to whole windows themselves. */
  recipe->build = tessera_rgt_build;
  recipe->minimum = 16;
  return TRUE;
}

const TesseraArchEntry tessera_rgt_arch = {
  .arch = TESSERA_ARCH_RGT,
  .id = "rgt",
  .title = "RGT",
  .detect = tessera_rgt_detect,
  .recipe = rgt_recipe,
  .describe = tessera_rgt_describe,
};
