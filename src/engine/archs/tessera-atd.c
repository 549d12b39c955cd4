/* tessera-atd.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-atd"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"
#include "tessera-dat-private.h"

/* ATD, the Adaptive Token Dictionary transformer (spandrel's ATD; ATD and
 * ATD-light are hyper-parameters). The image is mirrored (repeating the
 * edge) right and bottom to whole windows, a convolution, an optional
 * LayerNorm, residual groups (layers.N.residual_group) whose layers each
 * add three attentions of their normalised input to it, then a
 * ConvFFN; a LayerNorm, a convolution with the first one's output added,
 * one of four upsamplers, cropped back.
 *
 * A layer's three attentions:
 *  - SW-MSA: Swin's window attention of the layer's q, k, v (shifted in
 *    odd layers), relative position bias, proj.
 *  - ATD_CA: cross-attention of the pixels to the group's token
 *    dictionary td (M tokens): cosine similarity of q (reducted_dim
 *    wide) and k, each key scaled by 1 + clamp (scale, 0, 1) · ln M,
 *    softmax over the tokens: sim, the pixels' attention to the tokens;
 *    the output is sim · v.
 *  - AC_MSA: the pixels sorted by their category (sim's highest token),
 *    cut into groups of category_size, attended within each group, put
 *    back (TESSERA_OP_CATEGORY_GATHER and _SCATTER, on the CPU). The
 *    sort is stable; spandrel's torch.sort (…, stable=False) may order
 *    a category's pixels otherwise, which changes the groups only where
 *    a category spans two of them.
 * After each layer but a group's last, the dictionary is refined: td =
 * s · td + (1 − s) · softmax over the pixels (InstanceNorm (simᵀ)) · x,
 * s = sigmoid (sigma).
 *
 * Both dictionary attentions are token attentions, which take q, k and v
 * of one width: the narrower sides get zero channels. The cosine
 * similarity is a LayerNorm of [q, −q, 0…] (its mean is 0, so it divides
 * by the L2 norm), whose product with [k, −k, 0…] is twice q·k; one token
 * attention gives sim · v and sim itself side by side, v having M more
 * channels that hold the identity. The refinement's softmax over the
 * pixels is a token attention whose M queries are the identity.
 *
 * Every pixel sees the whole image's dictionary and categories: tiles
 * differ from the whole image. spandrel's forward pass has no mode that
 * matters here (no dropout, no training branch). */

#define MAX_LAYERS 64

typedef struct
{
  guint         in_chans;
  guint         embed_dim;
  guint         window;
  guint         n_layers;
  guint         depth[MAX_LAYERS];
  guint         heads[MAX_LAYERS];
  guint         num_tokens;
  guint         reduced;
  guint         ffn_kernel;
  guint         hidden;
  guint         category_size;
  guint         upscale;
  ArchUpsampler upsampler;
  gboolean      qkv_bias;
  gboolean      ape;
  gboolean      patch_norm;
  gboolean      three_conv;
  gboolean      norm;
} AtdParams;

#define LAYER "layers.%u.residual_group.layers.%u"

/* NULL on success, else why the keys do not make an ATD. */
static const char *
read_params (TesseraStateDict *state_dict,
             AtdParams        *p)
{
  const TesseraTensor *first, *index, *scale, *wq, *conv, *fc1, *up;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    return _("conv_first is not a convolution");
  p->in_chans = first->shape[1];
  p->embed_dim = first->shape[0];

  index = arch_tensor (state_dict, 2, "relative_position_index_SA");
  p->window = index != NULL && index->shape[0] == index->shape[1] ? arch_square_root (index->shape[0]) : 0;
  if (p->window == 0)
    return _("relative_position_index_SA does not give the window's size");

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual groups, or too many");
  for (guint i = 0; i < p->n_layers; i++)
    {
      g_autofree char *layers = g_strdup_printf ("layers.%u.residual_group.layers", i);
      const TesseraTensor *table;

      p->depth[i] = arch_sequence_length (state_dict, layers);
      table = arch_tensor (state_dict, 2, LAYER ".attn_win.relative_position_bias_table", i, 0);
      p->heads[i] = table != NULL ? table->shape[1] : 0;
      if (p->depth[i] == 0 || p->heads[i] == 0 || p->embed_dim % p->heads[i] != 0)
        return _("a residual group's blocks or attention heads do not fit");
    }

  scale = arch_tensor (state_dict, 1, "layers.0.residual_group.layers.0.attn_atd.scale");
  wq = arch_tensor (state_dict, 2, "layers.0.residual_group.layers.0.attn_atd.wq.weight");
  conv = arch_tensor (state_dict, 4, "layers.0.residual_group.layers.0.convffn.dwconv.depthwise_conv.0.weight");
  fc1 = arch_tensor (state_dict, 2, "layers.0.residual_group.layers.0.convffn.fc1.weight");
  if (scale == NULL || wq == NULL || scale->shape[0] == 0 || wq->shape[0] == 0)
    return _("the token dictionary's attention is missing");
  if (conv == NULL || fc1 == NULL || conv->shape[2] % 2 == 0)
    return _("the first block has no feed-forward network");
  p->num_tokens = scale->shape[0];
  p->reduced = wq->shape[0];
  p->ffn_kernel = conv->shape[2];
  p->hidden = fc1->shape[0];

  p->qkv_bias = arch_has (state_dict, "layers.0.residual_group.layers.0.wqkv.bias");
  p->ape = arch_has (state_dict, "absolute_pos_embed");
  p->patch_norm = arch_has (state_dict, "patch_embed.norm.weight");
  p->three_conv = !arch_has (state_dict, "layers.0.conv.weight");
  p->norm = !arch_has (state_dict, "no_norm");

  /* as spandrel's loader tells the upsamplers apart */
  if (arch_has (state_dict, "conv_up1.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_NEAREST_CONV;
      p->upscale = 4;
    }
  else if (arch_has (state_dict, "conv_before_upsample.0.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_PIXELSHUFFLE;
      p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
    }
  else if (arch_has (state_dict, "conv_last.weight"))
    {
      p->upsampler = ARCH_UPSAMPLER_NONE;
      p->upscale = 1;
    }
  else
    {
      p->upsampler = ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT;
      up = arch_tensor (state_dict, 4, "upsample.0.weight");
      p->upscale = up != NULL && p->in_chans > 0 ? arch_square_root (up->shape[0] / p->in_chans) : 0;
    }
  if (p->upscale == 0)
    return _("the upsampler's size gives no scale");

  /* not in the weights: spandrel's guess, 128 for ATD-light */
  p->category_size = p->upsampler == ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT && p->embed_dim == 48 ? 128 : 256;
  return NULL;
}

/* ATD: recognised by its token dictionary, the attentions' scales, the
 * first layer's refinement (sigma) and relative_position_index_SA, as
 * spandrel's detector keys say. */
static TesseraDetect
tessera_atd_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const char *why;
  AtdParams p;

  if (!arch_has (state_dict, "relative_position_index_SA") || !arch_has (state_dict, "conv_first.weight") ||
      !arch_has (state_dict, "layers.0.residual_group.td") ||
      !arch_has (state_dict, "layers.0.residual_group.layers.0.attn_aca.logit_scale") ||
      !arch_has (state_dict, "layers.0.residual_group.layers.0.sigma") ||
      !arch_has (state_dict, "layers.0.residual_group.layers.0.attn_atd.scale"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_ATD;
  info->num_blocks = arch_sequence_length (state_dict, "layers");
  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  info->in_channels = p.in_chans;
  info->out_channels = p.in_chans;
  info->num_feat = p.embed_dim;
  info->scale = p.upscale;
  info->tile_multiple = p.window;
  /* An absolute position embedding fits spandrel's 64 × 64 alone. */
  info->supported = TRUE;
  if (p.ape)
    arch_not_run (info, _("it uses an absolute position embedding, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_atd_describe (TesseraStateDict      *state_dict,
                      const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  AtdParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depths", arch_uint_array (p.depth, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "window_size", g_variant_new_uint32 (p.window));
  g_variant_builder_add (&builder, "{sv}", "category_size", g_variant_new_uint32 (p.category_size));
  g_variant_builder_add (&builder, "{sv}", "num_tokens", g_variant_new_uint32 (p.num_tokens));
  g_variant_builder_add (&builder, "{sv}", "reducted_dim", g_variant_new_uint32 (p.reduced));
  g_variant_builder_add (&builder, "{sv}", "convffn_kernel_size", g_variant_new_uint32 (p.ffn_kernel));
  g_variant_builder_add (&builder, "{sv}", "mlp_ratio", g_variant_new_double ((double) p.hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "ape", g_variant_new_boolean (p.ape));
  g_variant_builder_add (&builder, "{sv}", "patch_norm", g_variant_new_boolean (p.patch_norm));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (1.0));
  g_variant_builder_add (&builder, "{sv}", "upsampler", g_variant_new_string (arch_upsampler_name (p.upsampler)));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.three_conv ? "3conv" : "1conv"));
  g_variant_builder_add (&builder, "{sv}", "norm", g_variant_new_boolean (p.norm));
  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_chans));
  return g_variant_builder_end (&builder);
}

/* A 1 × 1 convolution without bias to @out channels, output o being input
 * o + @offset where that is one of @x's channels and 0 elsewhere: a slice
 * of the channels, or zeros added after them. */
static guint
channel_slice (TesseraBuilder *b,
               guint           x,
               guint           out,
               guint           offset)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  float *weight = g_new0 (float, (gsize) out * in);

  for (guint o = 0; o < out; o++)
    if (o + offset < in)
      weight[(gsize) o * in + o + offset] = 1.f;
  return tessera_graph_conv (b->graph, &x, 1, out, in, 1, 1, 0, tessera_graph_keep_floats (b->graph, weight), NULL);
}

/* The tensor @values ([rows][cols], rows × 1 × cols as an image when
 * @transpose is FALSE, else cols × 1 × rows) as a constant node. */
static guint
constant_rows (TesseraBuilder *b,
               const float    *values,
               guint           rows,
               guint           cols,
               gboolean        transpose)
{
  float *copy = g_new (float, (gsize) rows * cols);

  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      {
        if (transpose)
          copy[(gsize) c * rows + r] = values[(gsize) r * cols + c];
        else
          copy[(gsize) r * cols + c] = values[(gsize) r * cols + c];
      }
  return tessera_graph_constant (b->graph,
                                 &(TesseraShape) { transpose ? cols : rows, 1, transpose ? rows : cols },
                                 tessera_graph_keep_floats (b->graph, copy));
}

/* The rows of PREFIX (a linear layer of @rows outputs) as [W, −W, 0…] to
 * @width channels, then a LayerNorm that makes them [w, −w, 0…] / |w|:
 * the mean of such a row is 0 and its variance 2 |w|² / @width. */
static guint
unit_rows (TesseraBuilder *b,
           guint           x,
           const char     *prefix,
           guint           rows,
           guint           width)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const float *weight, *bias;
  float *mirrored, *mirrored_bias = NULL, *gain, *zero;
  guint node;

  weight = builder_tensor (b, (guint64[]) { rows, in }, 2, "%s.weight", prefix);
  bias = builder_optional_tensor (b, (guint64[]) { rows }, 1, "%s.bias", prefix);
  if (b->error != NULL)
    return 0;

  mirrored = g_new0 (float, (gsize) width * in);
  for (guint r = 0; r < rows; r++)
    for (guint k = 0; k < in; k++)
      {
        mirrored[(gsize) r * in + k] = weight[(gsize) r * in + k];
        mirrored[(gsize) (rows + r) * in + k] = -weight[(gsize) r * in + k];
      }
  if (bias != NULL)
    {
      mirrored_bias = g_new0 (float, width);
      for (guint r = 0; r < rows; r++)
        {
          mirrored_bias[r] = bias[r];
          mirrored_bias[rows + r] = -bias[r];
        }
      tessera_graph_keep_floats (b->graph, mirrored_bias);
    }
  node = tessera_graph_conv (b->graph, &x, 1, width, in, 1, 1, 0, tessera_graph_keep_floats (b->graph, mirrored),
                             mirrored_bias);

  gain = g_new (float, width);
  zero = g_new0 (float, width);
  for (guint k = 0; k < width; k++)
    gain[k] = sqrtf (2.f / width);
  /* F.normalize divides by max (|w|, 1e-12) */
  return tessera_graph_layer_norm (b->graph, node, tessera_graph_keep_floats (b->graph, gain),
                                   tessera_graph_keep_floats (b->graph, zero), 2e-24f / width);
}

/* ATD_CA of layer PREFIX on @n against the dictionary @td (C × 1 × M):
 * sim · v in the first C channels, sim in the next M. */
static guint
dictionary_attention (TesseraBuilder  *b,
                      const AtdParams *p,
                      const char      *prefix,
                      guint            n,
                      guint            td)
{
  g_autofree char *wq = g_strdup_printf ("%s.attn_atd.wq", prefix);
  g_autofree char *wk = g_strdup_printf ("%s.attn_atd.wk", prefix);
  guint c = p->embed_dim, m = p->num_tokens, r = p->reduced;
  guint width = MAX (2 * r, c + m);
  const float *scale, *wv, *bv;
  float *factor, *rows, *row_bias = NULL, *identity;
  guint q, k, v;

  q = unit_rows (b, n, wq, r, width);
  k = unit_rows (b, td, wk, r, width);
  scale = builder_tensor (b, (guint64[]) { m }, 1, "%s.attn_atd.scale", prefix);
  wv = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.attn_atd.wv.weight", prefix);
  bv = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.attn_atd.wv.bias", prefix);
  if (b->error != NULL)
    return 0;

  /* each key times 1 + clamp (scale, 0, 1) · ln M */
  factor = g_new (float, m);
  for (guint t = 0; t < m; t++)
    factor[t] = (float) (1.0 + CLAMP (scale[t], 0.f, 1.f) * log ((double) m));
  k = tessera_graph_binary (b->graph, TESSERA_OP_MUL, k, constant_rows (b, factor, 1, m, FALSE));
  g_free (factor);

  /* v = [wv (td), identity, 0…] */
  rows = g_new0 (float, (gsize) width * c);
  memcpy (rows, wv, (gsize) c * c * sizeof (float));
  if (bv != NULL)
    {
      row_bias = g_new0 (float, width);
      memcpy (row_bias, bv, c * sizeof (float));
      tessera_graph_keep_floats (b->graph, row_bias);
    }
  v = tessera_graph_conv (b->graph, &td, 1, width, c, 1, 1, 0, tessera_graph_keep_floats (b->graph, rows), row_bias);
  identity = g_new0 (float, (gsize) width * m);
  for (guint t = 0; t < m; t++)
    identity[(gsize) (c + t) * m + t] = 1.f;
  v = tessera_graph_add_nodes (b->graph, v, 1.f,
                               tessera_graph_constant (b->graph, &(TesseraShape) { width, 1, m },
                                                       tessera_graph_keep_floats (b->graph, identity)), 1.f);

  /* [q, −q]·[k, −k] is twice the cosine */
  return tessera_graph_token_attention (b->graph, q, k, v, 1, 0.5f, FALSE);
}

/* AC_MSA of layer PREFIX: @qkv's pixels grouped by the categories of
 * @sim, attended group by group, put back, proj. */
static guint
category_attention (TesseraBuilder  *b,
                    const AtdParams *p,
                    const char      *prefix,
                    guint            qkv,
                    guint            sim,
                    guint            heads,
                    guint            height,
                    guint            width)
{
  const float *logit_scale = builder_tensor (b, (guint64[]) { 1, 1 }, 2, "%s.attn_aca.logit_scale", prefix);
  guint group = MIN (height * width, p->category_size);
  TesseraAttention at = {
    .channels = p->embed_dim,
    .heads = heads,
    .window_h = 1,
    .window_w = group,
  };
  guint row;

  if (b->error != NULL)
    return 0;
  at.scale = (float) exp (MIN ((double) logit_scale[0], log (100.0)));
  row = tessera_graph_category (b->graph, TESSERA_OP_CATEGORY_GATHER, qkv, sim, p->category_size);
  row = tessera_graph_window_attention (b->graph, row, &at);
  row = tessera_graph_category (b->graph, TESSERA_OP_CATEGORY_SCATTER, row, sim, p->category_size);
  return builder_linear (b, row, prefix, ".attn_aca.proj");
}

/* SW-MSA of layer @j: Swin's window attention of @qkv, shifted by half a
 * window in odd layers. */
static guint
window_attention (TesseraBuilder  *b,
                  const AtdParams *p,
                  const char      *prefix,
                  guint            qkv,
                  guint            heads,
                  guint            j)
{
  guint ws = p->window, n_table = (2 * ws - 1) * (2 * ws - 1), c = p->embed_dim;
  TesseraAttention at = {
    .channels = c,
    .heads = heads,
    .window_h = ws,
    .window_w = ws,
    .scale = 1.f / sqrtf ((float) (c / heads)),
    .n_table = n_table,
  };

  if (j % 2 == 1)
    {
      at.shift_y = at.shift_x = ws / 2;
      at.shift_mask = TRUE;
    }
  at.proj_weight = builder_tensor (b, (guint64[]) { c, c }, 2, "%s.attn_win.proj.weight", prefix);
  at.proj_bias = builder_optional_tensor (b, (guint64[]) { c }, 1, "%s.attn_win.proj.bias", prefix);
  at.bias_table = builder_tensor (b, (guint64[]) { n_table, heads }, 2, "%s.attn_win.relative_position_bias_table",
                                  prefix);
  if (b->error != NULL)
    return 0;
  at.bias_index = builder_position_index (b, "relative_position_index_SA", ws * ws, ws * ws, n_table);
  if (at.bias_index == NULL)
    return 0;
  return tessera_graph_window_attention (b->graph, qkv, &at);
}

/* The dictionary's refinement after a layer: s · @td + (1 − s) · softmax
 * over the pixels (InstanceNorm (@sim)) · @x, s = sigmoid (sigma). */
static guint
refine_dictionary (TesseraBuilder  *b,
                   const AtdParams *p,
                   const char      *prefix,
                   guint            td,
                   guint            sim,
                   guint            x)
{
  guint c = p->embed_dim, m = p->num_tokens, width = MAX (c, m);
  const float *weight, *bias, *sigma;
  float *queries, *keep, *take;
  guint norm, q, refined;

  weight = builder_tensor (b, (guint64[]) { m }, 1, "%s.norm3.weight", prefix);
  bias = builder_tensor (b, (guint64[]) { m }, 1, "%s.norm3.bias", prefix);
  sigma = builder_tensor (b, (guint64[]) { m, 1 }, 2, "%s.sigma", prefix);
  if (b->error != NULL)
    return 0;

  /* nn.InstanceNorm1d: each token's row normalised over the pixels */
  norm = tessera_graph_group_norm (b->graph, sim, m, weight, bias, 1e-5f, TESSERA_ACTIVATION_NONE);
  if (width > m)
    norm = channel_slice (b, norm, width, 0);
  if (width > c)
    x = channel_slice (b, x, width, 0);

  /* token t's query is the unit vector t: its score at a pixel is the
   * pixel's normalised similarity to t */
  queries = g_new0 (float, (gsize) width * m);
  for (guint t = 0; t < m; t++)
    queries[(gsize) t * m + t] = 1.f;
  q = tessera_graph_constant (b->graph, &(TesseraShape) { width, 1, m }, tessera_graph_keep_floats (b->graph, queries));
  refined = tessera_graph_token_attention (b->graph, q, norm, x, 1, 1.f, FALSE);
  if (width > c)
    refined = channel_slice (b, refined, c, 0);

  keep = g_new (float, m);
  take = g_new (float, m);
  for (guint t = 0; t < m; t++)
    {
      keep[t] = (float) (1.0 / (1.0 + exp (-(double) sigma[t])));
      take[t] = 1.f - keep[t];
    }
  td = tessera_graph_binary (b->graph, TESSERA_OP_MUL, td, constant_rows (b, keep, 1, m, FALSE));
  refined = tessera_graph_binary (b->graph, TESSERA_OP_MUL, refined, constant_rows (b, take, 1, m, FALSE));
  g_free (keep);
  g_free (take);
  return tessera_graph_add_nodes (b->graph, td, 1.f, refined, 1.f);
}

/* Layer j of group i on @x with the dictionary *@td, which it refines
 * unless it is the group's last. */
static guint
atd_layer (TesseraBuilder  *b,
           const AtdParams *p,
           guint            x,
           guint           *td,
           guint            i,
           guint            j,
           guint            height,
           guint            width)
{
  g_autofree char *prefix = g_strdup_printf (LAYER, i, j);
  g_autofree char *dwconv = g_strdup_printf ("%s.convffn.dwconv.depthwise_conv.0", prefix);
  guint c = p->embed_dim, m = p->num_tokens, heads = p->heads[i];
  guint n, qkv, combined, sim, attended, windows, sum, hidden, mixed, out;

  n = builder_layer_norm (b, x, prefix, ".norm1");
  qkv = builder_linear (b, n, prefix, ".wqkv");
  if (b->error != NULL)
    return 0;
  if (tessera_graph_get_channels (b->graph, qkv) != 3 * c)
    {
      builder_fail (b, _("%s.wqkv.weight does not give %u channels"), prefix, 3 * c);
      return 0;
    }

  /* a residual is an earlier node: the windows first */
  windows = window_attention (b, p, prefix, qkv, heads, j);
  combined = dictionary_attention (b, p, prefix, n, *td);
  if (b->error != NULL)
    return 0;
  sim = channel_slice (b, combined, m, c);
  attended = category_attention (b, p, prefix, qkv, sim, heads, height, width);
  if (b->error != NULL)
    return 0;

  /* x + windows + sim · v + categories */
  tessera_graph_set_residual (b->graph, attended, 1.f, windows);
  sum = channel_slice (b, combined, c, 0);
  tessera_graph_set_residual (b->graph, sum, 1.f, attended);
  x = tessera_graph_add_nodes (b->graph, sum, 1.f, x, 1.f);

  /* ConvFFN: fc1, GELU, + GELU (depthwise k × k), fc2 */
  n = builder_layer_norm (b, x, prefix, ".norm2");
  hidden = builder_linear (b, n, prefix, ".convffn.fc1");
  builder_activate (b, hidden, TESSERA_ACTIVATION_GELU, 0.f);
  if (b->error != NULL)
    return 0;
  mixed = dat_folded_conv (b, hidden, dwconv, NULL);
  builder_activate (b, mixed, TESSERA_ACTIVATION_GELU, 0.f);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, mixed, 1.f, hidden);
  out = builder_linear (b, mixed, prefix, ".convffn.fc2");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, out, 1.f, x);

  if (j + 1 < p->depth[i])
    *td = refine_dictionary (b, p, prefix, *td, sim, out);
  return out;
}

static guint
tessera_atd_build (TesseraBuilder        *b,
                   const TesseraArchInfo *info,
                   guint                  height,
                   guint                  width)
{
  AtdParams p;
  const char *why = read_params (b->state_dict, &p);
  guint pad_h, pad_w, x, first, t;

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  /* spandrel mirrors to whole windows, repeating the edge */
  x = builder_pad_to_window (b, 0, TESSERA_PAD_SYMMETRIC, p.window, height, width, &pad_h, &pad_w);
  height += pad_h;
  width += pad_w;
  if (p.norm)
    x = builder_normalize (b, x, 1.f, FALSE);

  t = builder_shallow_features (b, x, "conv_first", p.patch_norm, &first);

  for (guint i = 0; i < p.n_layers && b->error == NULL; i++)
    {
      g_autofree char *conv = g_strdup_printf ("layers.%u.conv", i);
      const float *dictionary;
      guint group_input = t, td;

      dictionary = builder_tensor (b, (guint64[]) { p.num_tokens, p.embed_dim }, 2, "layers.%u.residual_group.td", i);
      if (dictionary == NULL)
        return 0;
      td = constant_rows (b, dictionary, p.num_tokens, p.embed_dim, TRUE);
      for (guint j = 0; j < p.depth[i] && b->error == NULL; j++)
        t = atd_layer (b, &p, t, &td, i, j, height, width);
      t = builder_residual_conv (b, t, conv, group_input);
    }
  t = builder_layer_norm (b, t, "norm", "");
  t = builder_residual_conv (b, t, "conv_after_body", first);
  if (b->error != NULL)
    return 0;

  t = builder_upsample (b, p.upsampler, p.upscale, t, x);
  if (b->error != NULL)
    return 0;

  if (p.norm)
    t = builder_normalize (b, t, 1.f, TRUE);
  return builder_crop_padding (b, t, pad_h, pad_w, p.upscale);
}

static gboolean
atd_recipe (TesseraStateDict       *state_dict,
            const TesseraArchInfo  *info,
            TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 8 × 8 (reflected); the network mirrors to
   * whole windows itself */
  recipe->build = tessera_atd_build;
  recipe->minimum = 8;
  return TRUE;
}

const TesseraArchEntry tessera_atd_arch = {
  .arch = TESSERA_ARCH_ATD,
  .id = "atd",
  .title = "ATD",
  .detect = tessera_atd_detect,
  .recipe = atd_recipe,
  .describe = tessera_atd_describe,
};
