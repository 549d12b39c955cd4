/* tessera-dat.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-dat"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-blocks.h"
#include "tessera-dat-private.h"

/* DAT, the Dual Aggregation Transformer (spandrel's DAT): a convolution, a
 * LayerNorm, residual groups (layers.N) of blocks that alternate spatial
 * window attention (even blocks) and channel attention (odd blocks), each
 * beside a depthwise convolution of v that the two "interaction" maps
 * weigh against the attention, then a spatial-gate feed-forward; a
 * LayerNorm, a convolution with the first one's output added, and an
 * upsampler. Hyper-parameters are read as spandrel's loader reads them:
 * split_size from the last row of rpe_biases, img_size from the shifted
 * block's attn_mask_0, heads from the channel block's temperature.
 *
 * The image is not padded. Each spatial attention zero-pads its q, k and v
 * (after the linear layer, so the padding is zeros, not the bias) right and
 * bottom to a multiple of the larger split and crops its output back.
 *
 * What spandrel computes at run time from the weights alone is computed
 * here when the graph is built: the relative position bias tables
 * (DynamicPosBias), the BatchNorms folded into their convolutions, and the
 * qkv rows of each half of the channels gathered into a linear layer. */

#define MAX_LAYERS 64
#define BN_EPSILON 1e-5

typedef struct
{
  guint     in_chans;
  guint     embed_dim;
  guint     n_layers;
  guint     depth[MAX_LAYERS];
  guint     heads[MAX_LAYERS];
  guint     split[2];
  guint     hidden;               /* the feed-forward's fc1 outputs: expansion_factor × embed_dim */
  guint     img_size;
  guint     upscale;
  guint     num_feat;
  gboolean  direct;               /* upsampler "pixelshuffledirect", else "pixelshuffle" */
  gboolean  three_conv;           /* resi_connection "3conv" */
  gboolean  qkv_bias;
} DatParams;

/* spandrel: split_size = rpe_biases[-1] + 1 of the first block's first
 * branch, [2, 4] without one. */
static gboolean
read_split (TesseraStateDict *state_dict,
            DatParams        *p)
{
  const TesseraTensor *biases = arch_tensor (state_dict, 2, "layers.0.blocks.0.attn.attns.0.rpe_biases");
  g_autofree float *values = NULL;
  guint64 n;

  p->split[0] = 2;
  p->split[1] = 4;
  if (biases == NULL)
    return TRUE;
  if (biases->shape[1] != 2 || biases->shape[0] == 0 || !tessera_dtype_is_float (biases->dtype))
    return FALSE;

  n = biases->n_elements;
  values = g_new (float, n);
  tessera_tensor_to_floats (biases, values);
  if (!(values[n - 2] >= 0.f && values[n - 2] < 256.f && values[n - 1] >= 0.f && values[n - 1] < 256.f))
    return FALSE;
  p->split[0] = (guint) values[n - 2] + 1;
  p->split[1] = (guint) values[n - 1] + 1;
  return (guint64) (2 * p->split[0] - 1) * (2 * p->split[1] - 1) == biases->shape[0];
}

/* NULL on success, else why the keys do not make a DAT. */
static const char *
read_params (TesseraStateDict *state_dict,
             DatParams        *p)
{
  const TesseraTensor *first, *fc1, *mask, *direct;
  guint larger;

  memset (p, 0, sizeof *p);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    return _("conv_first is not a convolution");
  p->in_chans = first->shape[1];
  p->embed_dim = first->shape[0];

  p->n_layers = arch_sequence_length (state_dict, "layers");
  if (p->n_layers == 0 || p->n_layers > MAX_LAYERS)
    return _("it has no residual groups, or too many");
  for (guint i = 0; i < p->n_layers; i++)
    {
      g_autofree char *blocks = g_strdup_printf ("layers.%u.blocks", i);
      const TesseraTensor *heads;

      p->depth[i] = arch_sequence_length (state_dict, blocks);
      /* As spandrel: the channel block's temperature, else twice a
       * spatial branch's heads. */
      if (p->depth[i] >= 2)
        {
          heads = arch_tensor (state_dict, 0, "layers.%u.blocks.1.attn.temperature", i);
          p->heads[i] = heads != NULL ? heads->shape[0] : 0;
        }
      else
        {
          heads = arch_tensor (state_dict, 2, "layers.%u.blocks.0.attn.attns.0.pos.pos3.2.weight", i);
          p->heads[i] = heads != NULL ? 2 * heads->shape[0] : 0;
        }
      if (p->depth[i] == 0 || p->heads[i] < 2 || p->heads[i] % 2 != 0 || p->embed_dim % p->heads[i] != 0)
        return _("a residual group's blocks or attention heads do not fit");
    }

  if (!read_split (state_dict, p))
    return _("rpe_biases does not give the window's size");
  larger = MAX (p->split[0], p->split[1]);
  if (larger % p->split[0] != 0 || larger % p->split[1] != 0)
    return _("rpe_biases does not give the window's size");

  mask = arch_tensor (state_dict, 3, "layers.0.blocks.2.attn.attn_mask_0");
  p->img_size = mask != NULL ? (guint) floor (sqrt ((double) mask->shape[0] * mask->shape[1])) : 64;

  fc1 = arch_tensor (state_dict, 2, "layers.0.blocks.0.ffn.fc1.weight");
  if (fc1 == NULL || fc1->shape[0] % 2 != 0)
    return _("the first block has no feed-forward network");
  p->hidden = fc1->shape[0];

  p->direct = !arch_has (state_dict, "conv_last.weight");
  p->three_conv = !arch_has (state_dict, "conv_after_body.weight");
  p->qkv_bias = arch_has (state_dict, "layers.0.blocks.0.attn.qkv.bias");

  if (p->direct)
    {
      direct = arch_tensor (state_dict, 4, "upsample.0.weight");
      if (direct == NULL || p->in_chans == 0)
        return _("the upsampler's size gives no scale");
      p->num_feat = direct->shape[1];
      p->upscale = (guint) floor (sqrt ((double) (direct->shape[0] / p->in_chans)));
    }
  else
    {
      const TesseraTensor *up = arch_tensor (state_dict, 4, "upsample.0.weight");

      p->upscale = arch_pixelshuffle_scale (state_dict, "upsample");
      p->num_feat = up != NULL ? up->shape[1] : 0;
    }
  if (p->upscale == 0)
    return _("the upsampler's size gives no scale");
  return NULL;
}

/* DAT: recognised by before_RG and its spatial-gate feed-forward. With a
 * conv_last the upsampler is a pixel-shuffle module, without one a single
 * convolution to scale² × in channels. */
static TesseraDetect
tessera_dat_detect (TesseraStateDict  *state_dict,
                    TesseraArchInfo   *info,
                    GError           **error)
{
  const TesseraTensor *first, *last, *direct;
  const char *why;
  DatParams p;

  if (!arch_has (state_dict, "conv_first.weight") || !arch_has (state_dict, "before_RG.1.weight") ||
      !arch_has (state_dict, "layers.0.blocks.0.ffn.sg.norm.weight"))
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_DAT;
  info->num_blocks = arch_count (state_dict, "layers.%u.blocks.0.norm1.weight", 0);

  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    return arch_broken (error, info->arch, _("conv_first is not a convolution"));
  info->in_channels = first->shape[1];
  info->num_feat = first->shape[0];

  if ((last = arch_tensor (state_dict, 4, "conv_last.weight")) != NULL)
    {
      info->out_channels = last->shape[0];
      info->scale = arch_pixelshuffle_scale (state_dict, "upsample");
    }
  else if ((direct = arch_tensor (state_dict, 4, "upsample.0.weight")) != NULL)
    {
      if (!arch_scale_and_channels (direct->shape[0], info->in_channels, &info->scale, &info->out_channels))
        return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));
    }

  if (info->scale == 0)
    return arch_broken (error, info->arch, _("the upsampler's size gives no scale"));

  if ((why = read_params (state_dict, &p)) != NULL)
    return arch_broken (error, info->arch, why);

  /* Tiles of whole windows of the larger split need no padding inside. */
  info->tile_multiple = MAX (p.split[0], p.split[1]);
  info->supported = TRUE;
  return TESSERA_DETECT_YES;
}

/* The hyper-parameters under spandrel's names. */
static GVariant *
tessera_dat_describe (TesseraStateDict      *state_dict,
                      const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  DatParams p;

  if (read_params (state_dict, &p) != NULL)
    return NULL;

  g_variant_builder_add (&builder, "{sv}", "embed_dim", g_variant_new_uint32 (p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "depth", arch_uint_array (p.depth, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "num_heads", arch_uint_array (p.heads, p.n_layers));
  g_variant_builder_add (&builder, "{sv}", "split_size", arch_uint_array (p.split, 2));
  g_variant_builder_add (&builder, "{sv}", "expansion_factor",
                         g_variant_new_double ((double) p.hidden / p.embed_dim));
  g_variant_builder_add (&builder, "{sv}", "img_size", g_variant_new_uint32 (p.img_size));
  g_variant_builder_add (&builder, "{sv}", "img_range", g_variant_new_double (1.0));
  g_variant_builder_add (&builder, "{sv}", "upscale", g_variant_new_uint32 (p.upscale));
  g_variant_builder_add (&builder, "{sv}", "in_chans", g_variant_new_uint32 (p.in_chans));
  g_variant_builder_add (&builder, "{sv}", "num_feat", g_variant_new_uint32 (p.num_feat));
  g_variant_builder_add (&builder, "{sv}", "qkv_bias", g_variant_new_boolean (p.qkv_bias));
  g_variant_builder_add (&builder, "{sv}", "upsampler",
                         g_variant_new_string (p.direct ? "pixelshuffledirect" : "pixelshuffle"));
  g_variant_builder_add (&builder, "{sv}", "resi_connection", g_variant_new_string (p.three_conv ? "3conv" : "1conv"));
  return g_variant_builder_end (&builder);
}

/* The convolution CONV (weight [out][in / groups][k][k], the groups read
 * off its shape, optional bias) with the eval-mode BatchNorm BN folded in
 * when BN is not NULL: γ (W x + b − μ) / √(σ² + ε) + β. */
guint
dat_folded_conv (TesseraBuilder *b,
                 guint           x,
                 const char     *conv,
                 const char     *bn)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor;
  const float *weight, *bias, *gamma, *beta, *mean, *var;
  float *folded_weight, *folded_bias;
  guint out, per_group, kernel, groups, node;
  gsize row;

  weight = builder_tensor (b, (guint64[]) { 0, 0, 0, 0 }, 4, "%s.weight", conv);
  if (weight == NULL)
    return 0;
  tensor = arch_tensor (b->state_dict, 4, "%s.weight", conv);
  out = tensor->shape[0];
  per_group = tensor->shape[1];
  kernel = tensor->shape[2];
  groups = per_group > 0 ? in / per_group : 0;
  if (tensor->shape[3] != kernel || kernel % 2 == 0 || kernel > 15 || groups == 0 ||
      in % per_group != 0 || out % groups != 0)
    {
      builder_fail (b, _("%s.weight does not fit its input of %u channels"), conv, in);
      return 0;
    }
  bias = builder_optional_tensor (b, (guint64[]) { out }, 1, "%s.bias", conv);

  if (bn != NULL)
    {
      gamma = builder_tensor (b, (guint64[]) { out }, 1, "%s.weight", bn);
      beta = builder_tensor (b, (guint64[]) { out }, 1, "%s.bias", bn);
      mean = builder_tensor (b, (guint64[]) { out }, 1, "%s.running_mean", bn);
      var = builder_tensor (b, (guint64[]) { out }, 1, "%s.running_var", bn);
      if (b->error != NULL)
        return 0;

      row = (gsize) per_group * kernel * kernel;
      folded_weight = g_new (float, out * row);
      folded_bias = g_new (float, out);
      for (guint o = 0; o < out; o++)
        {
          double s = gamma[o] / sqrt ((double) var[o] + BN_EPSILON);

          for (gsize k = 0; k < row; k++)
            folded_weight[o * row + k] = (float) (weight[o * row + k] * s);
          folded_bias[o] = (float) (((bias != NULL ? bias[o] : 0.0) - mean[o]) * s + beta[o]);
        }
      weight = tessera_graph_keep_floats (b->graph, folded_weight);
      bias = tessera_graph_keep_floats (b->graph, folded_bias);
    }
  if (b->error != NULL)
    return 0;

  node = tessera_graph_conv (b->graph, &x, 1, out, in, kernel, 1, kernel / 2, weight, bias);
  if (groups > 1)
    tessera_graph_set_groups (b->graph, node, groups);
  return node;
}

/* A linear layer of @n_rows rows of PREFIX.weight ([rows][in]) and
 * PREFIX.bias, as many runs of consecutive rows: each of @n_runs starts at
 * @starts[i] and is @n_rows / @n_runs long. */
guint
dat_linear_rows (TesseraBuilder *b,
                 guint           x,
                 const char     *prefix,
                 const guint    *starts,
                 guint           n_runs,
                 guint           n_rows)
{
  guint in = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor;
  const float *weight, *bias;
  float *rows, *row_bias = NULL;
  guint run = n_rows / n_runs, total;

  weight = builder_tensor (b, (guint64[]) { 0, in }, 2, "%s.weight", prefix);
  if (weight == NULL)
    return 0;
  tensor = arch_tensor (b->state_dict, 2, "%s.weight", prefix);
  total = tensor->shape[0];
  bias = builder_optional_tensor (b, (guint64[]) { total }, 1, "%s.bias", prefix);
  if (b->error != NULL)
    return 0;
  for (guint r = 0; r < n_runs; r++)
    if (starts[r] + run > total)
      {
        builder_fail (b, _("%s.weight has too few rows"), prefix);
        return 0;
      }

  /* One run is a view of the tensor; more are gathered. */
  if (n_runs == 1)
    return tessera_graph_conv (b->graph, &x, 1, run, in, 1, 1, 0, weight + (gsize) starts[0] * in,
                               bias != NULL ? bias + starts[0] : NULL);

  rows = g_new (float, (gsize) n_rows * in);
  if (bias != NULL)
    row_bias = g_new (float, n_rows);
  for (guint r = 0; r < n_runs; r++)
    {
      memcpy (rows + (gsize) r * run * in, weight + (gsize) starts[r] * in, (gsize) run * in * sizeof (float));
      if (bias != NULL)
        memcpy (row_bias + r * run, bias + starts[r], run * sizeof (float));
    }
  tessera_graph_keep_floats (b->graph, rows);
  if (row_bias != NULL)
    tessera_graph_keep_floats (b->graph, row_bias);
  return tessera_graph_conv (b->graph, &x, 1, n_rows, in, 1, 1, 0, rows, row_bias);
}

/* LayerNorm (@eps 1e-5) of @n values in place, then · weight + bias. */
static void
layer_norm_row (double      *v,
                guint        n,
                const float *weight,
                const float *bias)
{
  double mean = 0.0, var = 0.0, inverse;

  for (guint k = 0; k < n; k++)
    mean += v[k];
  mean /= n;
  for (guint k = 0; k < n; k++)
    var += (v[k] - mean) * (v[k] - mean);
  inverse = 1.0 / sqrt (var / n + 1e-5);
  for (guint k = 0; k < n; k++)
    v[k] = (v[k] - mean) * inverse * weight[k] + bias[k];
}

/* out = W in + b, W [n_out][n_in]. */
static void
linear_row (const double *in,
            guint         n_in,
            double       *out,
            guint         n_out,
            const float  *weight,
            const float  *bias)
{
  for (guint o = 0; o < n_out; o++)
    {
      double sum = bias != NULL ? bias[o] : 0.0;

      for (guint k = 0; k < n_in; k++)
        sum += weight[(gsize) o * n_in + k] * in[k];
      out[o] = sum;
    }
}

/* DynamicPosBias (residual False) at each row of PREFIX.rpe_biases: the
 * bias table [n_table][heads] of a spatial branch. pos_proj is Linear (2,
 * pos_dim), then pos1, pos2, pos3 each LayerNorm, ReLU, Linear. */
static const float *
position_bias_table (TesseraBuilder *b,
                     const char     *prefix,
                     guint           n_table,
                     guint           heads)
{
  const TesseraTensor *proj = arch_tensor (b->state_dict, 2, "%s.pos.pos_proj.weight", prefix);
  guint64 dim = proj != NULL ? proj->shape[0] : 0;
  const float *biases, *w[4], *bias[4], *norm_w[3], *norm_b[3];
  g_autofree double *u = NULL;
  g_autofree double *v = NULL;
  float *table;

  biases = builder_tensor (b, (guint64[]) { n_table, 2 }, 2, "%s.rpe_biases", prefix);
  w[0] = builder_tensor (b, (guint64[]) { dim, 2 }, 2, "%s.pos.pos_proj.weight", prefix);
  bias[0] = builder_tensor (b, &dim, 1, "%s.pos.pos_proj.bias", prefix);
  for (guint i = 0; i < 3; i++)
    {
      guint64 out = i < 2 ? dim : heads;

      norm_w[i] = builder_tensor (b, &dim, 1, "%s.pos.pos%u.0.weight", prefix, i + 1);
      norm_b[i] = builder_tensor (b, &dim, 1, "%s.pos.pos%u.0.bias", prefix, i + 1);
      w[i + 1] = builder_tensor (b, (guint64[]) { out, dim }, 2, "%s.pos.pos%u.2.weight", prefix, i + 1);
      bias[i + 1] = builder_tensor (b, &out, 1, "%s.pos.pos%u.2.bias", prefix, i + 1);
    }
  if (b->error != NULL)
    return NULL;

  u = g_new (double, MAX (dim, heads));
  v = g_new (double, MAX (dim, heads));
  table = g_new (float, (gsize) n_table * heads);
  for (guint t = 0; t < n_table; t++)
    {
      double position[2] = { biases[2 * t], biases[2 * t + 1] };

      linear_row (position, 2, u, dim, w[0], bias[0]);
      for (guint i = 0; i < 3; i++)
        {
          layer_norm_row (u, dim, norm_w[i], norm_b[i]);
          for (guint k = 0; k < dim; k++)
            u[k] = MAX (u[k], 0.0);
          linear_row (u, dim, v, i < 2 ? dim : heads, w[i + 1], bias[i + 1]);
          memcpy (u, v, (i < 2 ? dim : heads) * sizeof (double));
        }
      for (guint h = 0; h < heads; h++)
        table[(gsize) t * heads + h] = (float) u[h];
    }

  return tessera_graph_keep_floats (b->graph, table);
}

/* sigmoid (conv (GELU (BN (conv (pool?(x)))))): the interaction maps.
 * The channel map pools first and has C channels; the spatial map has
 * one. */
static guint
interaction_map (TesseraBuilder *b,
                 guint           x,
                 const char     *prefix,
                 gboolean        channel)
{
  g_autofree char *conv1 = g_strdup_printf ("%s.%s", prefix, channel ? "channel_interaction.1" : "spatial_interaction.0");
  g_autofree char *bn = g_strdup_printf ("%s.%s", prefix, channel ? "channel_interaction.2" : "spatial_interaction.1");
  g_autofree char *conv2 = g_strdup_printf ("%s.%s", prefix, channel ? "channel_interaction.4" : "spatial_interaction.3");

  if (channel)
    x = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, x);
  x = dat_folded_conv (b, x, conv1, bn);
  builder_activate (b, x, TESSERA_ACTIVATION_GELU, 0.f);
  x = dat_folded_conv (b, x, conv2, NULL);
  return builder_activate (b, x, TESSERA_ACTIVATION_SIGMOID, 0.f);
}

/* Both attentions end alike: the depthwise convolution of v beside the
 * attention, each weighed by a map of the other (the spatial block: the
 * attention by the convolution's channel map, the convolution by the
 * attention's spatial map; the channel block the other way round), their
 * sum through proj, and the block's input @residual added. */
static guint
aggregate (TesseraBuilder *b,
           const char     *prefix,
           guint           attended,
           guint           v,
           gboolean        spatial,
           guint           residual)
{
  g_autofree char *dwconv = g_strdup_printf ("%s.dwconv.0", prefix);
  g_autofree char *dwconv_bn = g_strdup_printf ("%s.dwconv.1", prefix);
  guint conv, channel_map, spatial_map, sum, out;

  conv = dat_folded_conv (b, v, dwconv, dwconv_bn);
  builder_activate (b, conv, TESSERA_ACTIVATION_GELU, 0.f);
  if (b->error != NULL)
    return 0;

  channel_map = interaction_map (b, spatial ? conv : attended, prefix, TRUE);
  spatial_map = interaction_map (b, spatial ? attended : conv, prefix, FALSE);
  if (b->error != NULL)
    return 0;
  if (spatial)
    {
      attended = tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, attended, channel_map);
      conv = tessera_graph_binary (b->graph, TESSERA_OP_MUL, conv, spatial_map);
    }
  else
    {
      attended = tessera_graph_binary (b->graph, TESSERA_OP_MUL, attended, spatial_map);
      conv = tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, conv, channel_map);
    }
  sum = tessera_graph_add_nodes (b->graph, attended, 1.f, conv, 1.f);

  out = builder_linear (b, sum, prefix, ".proj");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, out, 1.f, residual);
  return out;
}

/* Whether block @j of group @i shifts its windows, as spandrel decides:
 * blocks 2, 6, 10… of even groups, 0, 4, 8… of odd ones. */
gboolean
dat_shifted (guint i,
             guint j)
{
  if (i % 2 == 0)
    return j > 0 && (j - 2) % 4 == 0;
  return j % 4 == 0;
}

/* The two halves of a spatial attention (DAT's Adaptive_Spatial_Attention,
 * RGT's L_SA, both from CAT) on @n, the normalised input of @height ×
 * @width: the channels of PREFIX.qkv in two halves, attended in split[0]
 * × split[1] windows and in split[1] × split[0] ones (PREFIX.attns.0 and
 * .1), @heads heads each, shifted by half a window when @shift. Returns
 * the halves side by side, before anything is added to them. */
guint
dat_rectangle_windows (TesseraBuilder *b,
                       const char     *prefix,
                       guint           n,
                       guint           channels,
                       guint           heads,
                       const guint    *split,
                       gboolean        shift,
                       guint           height,
                       guint           width)
{
  g_autofree char *qkv = g_strdup_printf ("%s.qkv", prefix);
  guint c = channels, half = c / 2;
  guint larger = MAX (split[0], split[1]);
  guint pad_h = (larger - height % larger) % larger, pad_w = (larger - width % larger) % larger;
  guint branches[2], attended, rows = 3 * half;

  for (guint k = 0; k < 2; k++)
    {
      g_autofree char *branch = g_strdup_printf ("%s.attns.%u", prefix, k);
      g_autofree char *index_name = g_strdup_printf ("%s.relative_position_index", branch);
      guint wh = split[k], ww = split[1 - k];
      guint n_table = (2 * wh - 1) * (2 * ww - 1);
      guint starts[3] = { k * half, c + k * half, 2 * c + k * half };
      TesseraAttention at = {
        .channels = half,
        .heads = heads,
        .window_h = wh,
        .window_w = ww,
        .scale = 1.f / sqrtf ((float) (half / heads)),
        .n_table = n_table,
      };
      guint t;

      if (shift)
        {
          at.shift_y = wh / 2;
          at.shift_x = ww / 2;
          at.shift_mask = TRUE;
        }
      at.bias_table = position_bias_table (b, branch, n_table, heads);
      if (b->error != NULL)
        return 0;
      at.bias_index = builder_position_index (b, index_name, wh * ww, wh * ww, n_table);
      if (at.bias_index == NULL)
        return 0;

      /* q, k and v of this half of the channels, zero-padded after the
       * linear layer as spandrel pads them. */
      t = dat_linear_rows (b, n, qkv, starts, 3, rows);
      if (b->error != NULL)
        return 0;
      if (pad_h > 0 || pad_w > 0)
        t = tessera_graph_pad (b->graph, t, TESSERA_PAD_ZERO, 0, pad_h, 0, pad_w);
      branches[k] = tessera_graph_window_attention (b->graph, t, &at);
    }

  attended = tessera_graph_concat (b->graph, branches, 2);
  if (pad_h > 0 || pad_w > 0)
    attended = tessera_graph_crop (b->graph, attended, 0, pad_h, 0, pad_w);
  return attended;
}

/* Adaptive_Spatial_Attention of block j (even) of group i on @n, the
 * normalised @x: its halves' windows, half the heads each, beside the
 * depthwise convolution of v. */
static guint
spatial_attention (TesseraBuilder  *b,
                   const DatParams *p,
                   const char      *prefix,
                   guint            x,
                   guint            n,
                   guint            i,
                   guint            j,
                   guint            height,
                   guint            width)
{
  g_autofree char *qkv = g_strdup_printf ("%s.qkv", prefix);
  guint c = p->embed_dim, attended, v;

  attended = dat_rectangle_windows (b, prefix, n, c, p->heads[i] / 2, p->split, dat_shifted (i, j), height, width);
  if (b->error != NULL)
    return 0;
  v = dat_linear_rows (b, n, qkv, (guint[]) { 2 * c }, 1, c);
  return aggregate (b, prefix, attended, v, TRUE, x);
}

/* Adaptive_Channel_Attention of block j (odd) of group i: attention across
 * the channels of the whole image, head by head. */
static guint
channel_attention (TesseraBuilder  *b,
                   const DatParams *p,
                   const char      *prefix,
                   guint            x,
                   guint            n,
                   guint            i)
{
  g_autofree char *qkv_name = g_strdup_printf ("%s.qkv", prefix);
  guint c = p->embed_dim, heads = p->heads[i];
  TesseraChannelAttention at = {
    .channels = c,
    .heads = heads,
  };
  guint qkv, attended, v;

  at.temperature = builder_tensor (b, (guint64[]) { heads, 1, 1 }, 3, "%s.temperature", prefix);
  qkv = dat_linear_rows (b, n, qkv_name, (guint[]) { 0 }, 1, 3 * c);
  if (b->error != NULL)
    return 0;
  attended = tessera_graph_channel_attention (b->graph, qkv, &at);
  v = dat_linear_rows (b, n, qkv_name, (guint[]) { 2 * c }, 1, c);
  return aggregate (b, prefix, attended, v, FALSE, x);
}

/* SGFN (DAT's ffn, RGT's mlp, at PREFIX): fc1 to @hidden and GELU, its
 * halves x1 and x2 (two linear layers), x2 through a LayerNorm and a
 * depthwise 3×3, x1 · x2, fc2, @x added. */
guint
dat_gated_feed_forward (TesseraBuilder *b,
                        const char     *prefix,
                        guint           hidden,
                        guint           x,
                        guint           n)
{
  g_autofree char *fc1 = g_strdup_printf ("%s.fc1", prefix);
  g_autofree char *conv = g_strdup_printf ("%s.sg.conv", prefix);
  guint half = hidden / 2, x1, x2, gated, out;

  x1 = dat_linear_rows (b, n, fc1, (guint[]) { 0 }, 1, half);
  builder_activate (b, x1, TESSERA_ACTIVATION_GELU, 0.f);
  x2 = dat_linear_rows (b, n, fc1, (guint[]) { half }, 1, half);
  builder_activate (b, x2, TESSERA_ACTIVATION_GELU, 0.f);
  if (b->error != NULL)
    return 0;
  x2 = builder_layer_norm (b, x2, prefix, ".sg.norm");
  if (b->error != NULL)
    return 0;
  x2 = dat_folded_conv (b, x2, conv, NULL);
  if (b->error != NULL)
    return 0;
  gated = tessera_graph_binary (b->graph, TESSERA_OP_MUL, x1, x2);
  out = builder_linear (b, gated, prefix, ".fc2");
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, out, 1.f, x);
  return out;
}

/* Block j of group i: x + attention (norm1 (x)), then x + SGFN (norm2 (x)). */
static guint
dat_block (TesseraBuilder *b,
           gconstpointer   params,
           guint           x,
           guint           i,
           guint           j,
           guint           height,
           guint           width)
{
  const DatParams *p = params;
  g_autofree char *prefix = g_strdup_printf ("layers.%u.blocks.%u", i, j);
  g_autofree char *attn = g_strdup_printf ("%s.attn", prefix);
  g_autofree char *ffn = g_strdup_printf ("%s.ffn", prefix);
  guint n;

  n = builder_layer_norm (b, x, prefix, ".norm1");
  if (b->error != NULL)
    return 0;
  if (j % 2 == 0)
    x = spatial_attention (b, p, attn, x, n, i, j, height, width);
  else
    x = channel_attention (b, p, attn, x, n, i);
  if (b->error != NULL)
    return 0;

  n = builder_layer_norm (b, x, prefix, ".norm2");
  if (b->error != NULL)
    return 0;
  return dat_gated_feed_forward (b, ffn, p->hidden, x, n);
}

/* DAT's network around its blocks, which RGT shares: the mean off,
 * conv_first, LayerNorm before_RG.1, the residual groups, the upsampler
 * and the mean back. */
guint
dat_network (TesseraBuilder   *b,
             guint             n_layers,
             const guint      *depths,
             BuilderBlockFunc  block,
             gconstpointer     params,
             ArchUpsampler     upsampler,
             guint             upscale,
             guint             height,
             guint             width)
{
  guint x, first, t;

  x = builder_normalize (b, 0, 1.f, FALSE);
  first = builder_conv (b, &x, 1, 1, 1, "conv_first");
  t = builder_layer_norm (b, first, "before_RG.1", "");
  t = builder_residual_groups (b, t, first, n_layers, depths, block, params, height, width);
  t = builder_upsample (b, upsampler, upscale, t, x);
  if (b->error != NULL)
    return 0;
  return builder_normalize (b, t, 1.f, TRUE);
}

static guint
tessera_dat_build (TesseraBuilder        *b,
                   const TesseraArchInfo *info,
                   guint                  height,
                   guint                  width)
{
  DatParams p;
  const char *why = read_params (b->state_dict, &p);

  if (why != NULL)
    {
      builder_fail (b, "%s", why);
      return 0;
    }

  return dat_network (b, p.n_layers, p.depth, dat_block, &p,
                      p.direct ? ARCH_UPSAMPLER_PIXELSHUFFLEDIRECT : ARCH_UPSAMPLER_PIXELSHUFFLE, p.upscale,
                      height, width);
}

static gboolean
dat_recipe (TesseraStateDict       *state_dict,
            const TesseraArchInfo  *info,
            TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  /* spandrel pads to at least 16 × 16; the spatial attentions pad to
   * whole windows themselves. */
  recipe->build = tessera_dat_build;
  recipe->minimum = 16;
  return TRUE;
}

const TesseraArchEntry tessera_dat_arch = {
  .arch = TESSERA_ARCH_DAT,
  .id = "dat",
  .title = "DAT",
  .detect = tessera_dat_detect,
  .recipe = dat_recipe,
  .describe = tessera_dat_describe,
};
