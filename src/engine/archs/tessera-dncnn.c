/* tessera-dncnn.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-dncnn"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* KAIR's 1× restoration networks, as spandrel runs them: DnCNN (a plain
 * stack of 3×3 convolutions, with batch norm in its "BR" form, predicting
 * the noise it subtracts), FDnCNN (the same with a noise-level map as an
 * extra input channel and the image as output), DRUNet (a U-Net of
 * residual blocks with that map) and FBCNN (DRUNet's U-Net against JPEG
 * artefacts, its decoder modulated by a quality factor it predicts or is
 * given). */

/* The denoise setting's full range, as a noise σ of 0–255 images: DRUNet
 * is trained for 0–50. spandrel passes 15 when nothing is asked. */
#define MAX_SIGMA 50.0
#define DEFAULT_SIGMA 15.0

/* KAIR's BatchNorm2d eps. */
#define BN_EPS 1e-4

static float
noise_sigma (TesseraBuilder *b)
{
  return (float) ((b->noise_level < 0.0 ? DEFAULT_SIGMA : MAX_SIGMA * MIN (b->noise_level, 1.0)) / 255.0);
}

/* A map of @x's size filled with the noise level: a 1×1 convolution with
 * no weights and the level as its bias. */
static guint
noise_map (TesseraBuilder *b,
           guint           x)
{
  guint channels = tessera_graph_get_channels (b->graph, x);
  float *weight = g_new0 (float, channels);
  float *bias = g_new (float, 1);

  bias[0] = noise_sigma (b);
  return tessera_graph_conv (b->graph, &x, 1, 1, channels, 1, 1, 0, tessera_graph_keep_floats (b->graph, weight),
                             tessera_graph_keep_floats (b->graph, bias));
}

static TesseraDetect
tessera_dncnn_detect (TesseraStateDict  *state_dict,
                      TesseraArchInfo   *info,
                      GError           **error)
{
  const TesseraTensor *first, *last;
  gboolean r_mode, br_mode;
  guint layers;

  if (!arch_has (state_dict, "model.0.weight") || !arch_has (state_dict, "model.0.bias") ||
      !arch_has (state_dict, "model.2.weight") || !arch_has (state_dict, "model.2.bias"))
    return TESSERA_DETECT_NO;
  /* spandrel's keys of the two forms: "R" (convolution, ReLU), with
   * model.14 at least, and "BR" (convolution, batch norm, ReLU). */
  r_mode = TRUE;
  for (guint i = 4; i <= 14 && r_mode; i += 2)
    r_mode = arch_has (state_dict, "model.%u.weight", i) && arch_has (state_dict, "model.%u.bias", i);
  br_mode = arch_has (state_dict, "model.3.weight") && arch_has (state_dict, "model.3.bias") &&
            arch_has (state_dict, "model.3.running_mean") && arch_has (state_dict, "model.3.running_var") &&
            arch_has (state_dict, "model.5.weight") && arch_has (state_dict, "model.5.bias") &&
            arch_has (state_dict, "model.6.weight") && arch_has (state_dict, "model.6.bias") &&
            arch_has (state_dict, "model.6.running_mean") && arch_has (state_dict, "model.6.running_var") &&
            arch_has (state_dict, "model.8.weight") && arch_has (state_dict, "model.8.bias");
  if (!r_mode && !br_mode)
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_DNCNN;
  layers = arch_sequence_length (state_dict, "model");
  first = arch_tensor (state_dict, 4, "model.0.weight");
  last = arch_tensor (state_dict, 4, "model.%u.weight", layers - 1);
  if (first == NULL || last == NULL)
    return arch_broken (error, info->arch, _("the first or the last layer is not a convolution"));

  info->scale = 1;
  info->num_feat = first->shape[0];
  info->out_channels = last->shape[0];
  info->in_channels = first->shape[1];
  /* FDnCNN: the last input channel is the noise map. */
  if (info->in_channels != info->out_channels)
    info->in_channels--;
  info->num_blocks = arch_has (state_dict, "model.3.weight") ? (layers - 3) / 3 + 2 : (layers - 3) / 2 + 2;
  info->noise_input = first->shape[1] != info->out_channels;
  info->supported = TRUE;
  if (info->in_channels != info->out_channels)
    arch_not_run (info, _("its input and output have different numbers of channels, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_dncnn_describe (TesseraStateDict      *state_dict,
                        const TesseraArchInfo *info)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const TesseraTensor *first = arch_tensor (state_dict, 4, "model.0.weight");
  gboolean flexible = first != NULL && first->shape[1] != info->out_channels;

  g_variant_builder_add (&builder, "{sv}", "in_nc", g_variant_new_uint32 (info->in_channels + (flexible ? 1 : 0)));
  g_variant_builder_add (&builder, "{sv}", "out_nc", g_variant_new_uint32 (info->out_channels));
  g_variant_builder_add (&builder, "{sv}", "nc", g_variant_new_uint32 (info->num_feat));
  g_variant_builder_add (&builder, "{sv}", "nb", g_variant_new_uint32 (info->num_blocks));
  g_variant_builder_add (&builder, "{sv}", "act_mode",
                         g_variant_new_string (arch_has (state_dict, "model.3.weight") ? "BR" : "R"));
  g_variant_builder_add (&builder, "{sv}", "mode", g_variant_new_string (flexible ? "FDnCNN" : "DnCNN"));
  return g_variant_builder_end (&builder);
}

/* The 3×3 convolution model.@index over @inputs, with the batch norm at
 * model.@index + 1 folded into it when there is one. */
static guint
conv_bn (TesseraBuilder *b,
         const guint    *inputs,
         guint           n_inputs,
         guint           index)
{
  const TesseraTensor *tensor;
  const float *weight, *bias, *gamma, *beta, *mean, *var;
  guint64 out, in = 0, n;
  float *folded_weight, *folded_bias;

  if (!arch_has (b->state_dict, "model.%u.running_mean", index + 1))
    {
      builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "model.%u.weight", index);
      return builder_conv (b, inputs, n_inputs, 1, 1, "model.%u", index);
    }

  for (guint i = 0; i < n_inputs; i++)
    in += tessera_graph_get_channels (b->graph, inputs[i]);
  weight = builder_tensor (b, (guint64[]) { 0, in, 3, 3 }, 4, "model.%u.weight", index);
  if (weight == NULL)
    return 0;
  tensor = arch_tensor (b->state_dict, 4, "model.%u.weight", index);
  out = tensor->shape[0];
  bias = builder_optional_tensor (b, &out, 1, "model.%u.bias", index);
  gamma = builder_tensor (b, &out, 1, "model.%u.weight", index + 1);
  beta = builder_tensor (b, &out, 1, "model.%u.bias", index + 1);
  mean = builder_tensor (b, &out, 1, "model.%u.running_mean", index + 1);
  var = builder_tensor (b, &out, 1, "model.%u.running_var", index + 1);
  if (b->error != NULL)
    return 0;

  n = in * 9;
  folded_weight = g_new (float, out * n);
  folded_bias = g_new (float, out);
  for (guint64 o = 0; o < out; o++)
    {
      double factor = gamma[o] / sqrt ((double) var[o] + BN_EPS);

      for (guint64 k = 0; k < n; k++)
        folded_weight[o * n + k] = (float) (weight[o * n + k] * factor);
      folded_bias[o] = (float) (((bias != NULL ? bias[o] : 0.0) - mean[o]) * factor + beta[o]);
    }

  return tessera_graph_conv (b->graph, inputs, n_inputs, out, in, 3, 1, 1,
                             tessera_graph_keep_floats (b->graph, folded_weight),
                             tessera_graph_keep_floats (b->graph, folded_bias));
}

/* DnCNN.forward: the stack, ReLU after every convolution but the last;
 * DnCNN subtracts what it predicts, FDnCNN predicts the image from it and
 * the noise map. The convolutions are at model.0, then every second index
 * from model.2 ("R") or every third ("BR": convolution, batch norm,
 * ReLU), the last one at the end. */
static guint
tessera_dncnn_build (TesseraBuilder        *b,
                     const TesseraArchInfo *info,
                     guint                  height,
                     guint                  width)
{
  guint layers = arch_sequence_length (b->state_dict, "model");
  const TesseraTensor *first = arch_tensor (b->state_dict, 4, "model.0.weight");
  gboolean flexible = first != NULL && first->shape[1] != info->out_channels;
  guint step = arch_has (b->state_dict, "model.3.running_mean") ? 3 : 2;
  guint inputs[2] = { 0, 0 }, n_inputs = 1, x = 0, last = 0;

  if (flexible)
    inputs[n_inputs++] = noise_map (b, 0);

  x = builder_activate (b, conv_bn (b, inputs, n_inputs, 0), TESSERA_ACTIVATION_RELU, 0.f);
  for (guint i = 2; i < layers && b->error == NULL; i += step)
    {
      x = conv_bn (b, &x, 1, i);
      if (i + 1 < layers)
        builder_activate (b, x, TESSERA_ACTIVATION_RELU, 0.f);
      last = i;
    }
  if (b->error == NULL && last + 1 != layers)
    builder_fail (b, _("model.%u is not where the last convolution should be"), layers - 1);
  if (b->error != NULL)
    return 0;

  return flexible ? x : tessera_graph_add_nodes (b->graph, 0, 1.f, x, -1.f);
}

static gboolean
dncnn_recipe (TesseraStateDict       *state_dict,
              const TesseraArchInfo  *info,
              TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_dncnn_build;
  return TRUE;
}

const TesseraArchEntry tessera_dncnn_arch = {
  .arch = TESSERA_ARCH_DNCNN,
  .id = "dncnn",
  .title = "DnCNN",
  .detect = tessera_dncnn_detect,
  .recipe = dncnn_recipe,
  .describe = tessera_dncnn_describe,
};

/* DRUNet's channels at its four depths and its residual blocks per stage,
 * as spandrel's DRUNetArch.load() reads them. */
typedef struct
{
  guint nc[4];
  guint nb;
} DrunetParams;

/* DRUNet's U-Net, and FBCNN's with @body m_body_encoder for m_body. */
static const char *
unet_params (TesseraStateDict *state_dict,
             const char       *body,
             DrunetParams     *p)
{
  g_autofree char *body_first = g_strdup_printf ("%s.0.res.0.weight", body);
  const char *names[4] = { "m_head.weight", "m_down2.0.res.0.weight", "m_down3.0.res.0.weight", body_first };

  for (guint i = 0; i < 4; i++)
    {
      const TesseraTensor *tensor = arch_tensor (state_dict, 4, "%s", names[i]);

      if (tensor == NULL)
        return _("a stage's first convolution is missing");
      p->nc[i] = tensor->shape[0];
    }
  p->nb = arch_sequence_length (state_dict, body);
  return p->nb == 0 ? _("it has no residual blocks") : NULL;
}

/* The hyper-parameters DRUNet and FBCNN share, under spandrel's names. */
static GVariant *
unet_describe (TesseraStateDict   *state_dict,
               const DrunetParams *p,
               guint               in_nc,
               guint               out_nc,
               const char         *upsample)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  g_variant_builder_add (&builder, "{sv}", "in_nc", g_variant_new_uint32 (in_nc));
  g_variant_builder_add (&builder, "{sv}", "out_nc", g_variant_new_uint32 (out_nc));
  g_variant_builder_add (&builder, "{sv}", "nc", arch_uint_array (p->nc, 4));
  g_variant_builder_add (&builder, "{sv}", "nb", g_variant_new_uint32 (p->nb));
  g_variant_builder_add (&builder, "{sv}", "act_mode", g_variant_new_string ("R"));
  g_variant_builder_add (&builder, "{sv}", "downsample_mode",
                         g_variant_new_string (arch_has (state_dict, "m_down1.%u.weight", p->nb) ? "strideconv"
                                                                                                  : "avgpool"));
  g_variant_builder_add (&builder, "{sv}", "upsample_mode", g_variant_new_string (upsample));
  return g_variant_builder_end (&builder);
}

static TesseraDetect
tessera_drunet_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const char *keys[] = { "m_head.weight", "m_down1.0.res.0.weight", "m_down1.0.res.2.weight",
                         "m_down2.0.res.0.weight", "m_down3.0.res.0.weight", "m_body.0.res.0.weight",
                         "m_body.0.res.2.weight", "m_up3.2.res.0.weight", "m_up3.2.res.2.weight",
                         "m_up2.2.res.0.weight", "m_up1.2.res.0.weight", "m_tail.weight" };
  const TesseraTensor *head, *tail, *up;
  DrunetParams p;
  const char *why;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!arch_has (state_dict, "%s", keys[i]))
      return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_DRUNET;
  if ((why = unet_params (state_dict, "m_body", &p)) != NULL)
    return arch_broken (error, info->arch, why);
  head = arch_tensor (state_dict, 4, "m_head.weight");
  tail = arch_tensor (state_dict, 4, "m_tail.weight");
  up = arch_tensor (state_dict, 4, "m_up3.0.weight");
  if (tail == NULL || head->shape[1] < 2)
    return arch_broken (error, info->arch, _("the first or the last layer is not a convolution"));

  info->scale = 1;
  /* One input channel is the noise map. */
  info->in_channels = head->shape[1] - 1;
  info->out_channels = tail->shape[0];
  info->num_feat = p.nc[0];
  info->num_blocks = p.nb;
  info->noise_input = TRUE;
  /* The released models' strided convolutions down and transposed ones
   * up; the pooling and upconv/pixelshuffle variants are not built. */
  info->supported = TRUE;
  if (!arch_has (state_dict, "m_down1.%u.weight", p.nb) || up == NULL || up->shape[2] != 2 ||
      arch_has (state_dict, "m_up3.1.weight"))
    arch_not_run (info, _("it resamples by pooling, upconvolution or pixel shuffle instead of strided and transposed "
                          "convolutions, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_drunet_describe (TesseraStateDict      *state_dict,
                         const TesseraArchInfo *info)
{
  const TesseraTensor *up = arch_tensor (state_dict, 4, "m_up3.0.weight");
  const char *upsample = "convtranspose";
  DrunetParams p;

  if (unet_params (state_dict, "m_body", &p) != NULL)
    return NULL;
  if (arch_has (state_dict, "m_up3.1.weight"))
    upsample = "upconv";
  else if (up != NULL && up->shape[2] == 3)
    upsample = "pixelshuffle";

  return unet_describe (state_dict, &p, info->in_channels + 1, info->out_channels, upsample);
}

/* ResBlock PREFIX: x + conv (ReLU (conv (x))), 3×3 without bias. */
static guint
res_block (TesseraBuilder *b,
           guint           x,
           const char     *prefix)
{
  guint y;

  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "%s.res.0.weight", prefix);
  y = builder_activate (b, builder_conv (b, &x, 1, 1, 1, "%s.res.0", prefix), TESSERA_ACTIVATION_RELU, 0.f);
  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "%s.res.2.weight", prefix);
  y = builder_conv (b, &y, 1, 1, 1, "%s.res.2", prefix);
  if (b->error != NULL)
    return 0;
  return tessera_graph_add_nodes (b->graph, y, 1.f, x, 1.f);
}

/* m_down@level: @nb residual blocks, then a 2×2 convolution of stride 2. */
static guint
down (TesseraBuilder *b,
      guint           x,
      guint           level,
      guint           nb)
{
  for (guint i = 0; i < nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("m_down%u.%u", level, i);

      x = res_block (b, x, prefix);
    }
  builder_tensor (b, (guint64[]) { 0, 0, 2, 2 }, 4, "m_down%u.%u.weight", level, nb);
  return builder_conv (b, &x, 1, 2, 0, "m_down%u.%u", level, nb);
}

/* m_up@level over @x + @skip: a 2×2 transposed convolution of stride 2,
 * then @nb residual blocks. */
static guint
up (TesseraBuilder *b,
    guint           x,
    guint           skip,
    guint           level,
    guint           nb)
{
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, x, 1.f, skip, 1.f);
  builder_tensor (b, (guint64[]) { 0, 0, 2, 2 }, 4, "m_up%u.0.weight", level);
  x = builder_deconv (b, x, 2, 0, "m_up%u.0", level);
  for (guint i = 1; i <= nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("m_up%u.%u", level, i);

      x = res_block (b, x, prefix);
    }
  return x;
}

/* DRUNet.forward on the image and its noise map, whose size the recipe
 * makes a multiple of 8. */
static guint
tessera_drunet_build (TesseraBuilder        *b,
                      const TesseraArchInfo *info,
                      guint                  height,
                      guint                  width)
{
  guint inputs[2] = { 0, noise_map (b, 0) };
  guint nb = info->num_blocks, x1, x2, x3, x4, x;

  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_head.weight");
  x1 = builder_conv (b, inputs, 2, 1, 1, "m_head");
  x2 = down (b, x1, 1, nb);
  x3 = down (b, x2, 2, nb);
  x4 = x = down (b, x3, 3, nb);
  for (guint i = 0; i < nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("m_body.%u", i);

      x = res_block (b, x, prefix);
    }
  x = up (b, x, x4, 3, nb);
  x = up (b, x, x3, 2, nb);
  x = up (b, x, x2, 1, nb);
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, x, 1.f, x1, 1.f);
  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_tail.weight");
  return builder_conv (b, &x, 1, 1, 1, "m_tail");
}

static gboolean
drunet_recipe (TesseraStateDict       *state_dict,
               const TesseraArchInfo  *info,
               TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_drunet_build;
  recipe->multiple_of = 8;
  return TRUE;
}

const TesseraArchEntry tessera_drunet_arch = {
  .arch = TESSERA_ARCH_DRUNET,
  .id = "drunet",
  .title = "DRUNet",
  .detect = tessera_drunet_detect,
  .recipe = drunet_recipe,
  .describe = tessera_drunet_describe,
};

static TesseraDetect
tessera_fbcnn_detect (TesseraStateDict  *state_dict,
                      TesseraArchInfo   *info,
                      GError           **error)
{
  const char *keys[] = { "m_head.weight", "m_down1.0.res.0.weight", "m_down2.0.res.0.weight",
                         "m_body_encoder.0.res.0.weight", "m_tail.weight", "qf_pred.0.res.0.weight" };
  const TesseraTensor *head, *tail;
  DrunetParams p;
  const char *why;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!arch_has (state_dict, "%s", keys[i]))
      return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_FBCNN;
  if ((why = unet_params (state_dict, "m_body_encoder", &p)) != NULL)
    return arch_broken (error, info->arch, why);
  head = arch_tensor (state_dict, 4, "m_head.weight");
  tail = arch_tensor (state_dict, 4, "m_tail.weight");
  if (tail == NULL)
    return arch_broken (error, info->arch, _("the first or the last layer is not a convolution"));

  info->scale = 1;
  info->in_channels = head->shape[1];
  info->out_channels = tail->shape[0];
  info->num_feat = p.nc[0];
  info->num_blocks = p.nb;
  info->noise_input = TRUE;
  /* The released models' strided convolutions down and transposed ones
   * up; the pooling and upconv/pixelshuffle variants are not built. */
  info->supported = TRUE;
  if (!arch_has (state_dict, "m_down1.%u.weight", p.nb) || !arch_has (state_dict, "m_up3.0.weight"))
    arch_not_run (info, _("it resamples by pooling, upconvolution or pixel shuffle instead of strided and transposed "
                          "convolutions, which Tessera does not run yet"));
  return TESSERA_DETECT_YES;
}

static GVariant *
tessera_fbcnn_describe (TesseraStateDict      *state_dict,
                        const TesseraArchInfo *info)
{
  const char *upsample = "convtranspose";
  DrunetParams p;

  if (unet_params (state_dict, "m_body_encoder", &p) != NULL)
    return NULL;
  if (!arch_has (state_dict, "m_up3.0.weight"))
    upsample = arch_has (state_dict, "m_up3.0.1.weight") ? "upconv" : "pixelshuffle";

  return unet_describe (state_dict, &p, info->in_channels, info->out_channels, upsample);
}

/* nn.Linear PREFIX over a vector (channels × 1 × 1), its widths read from
 * the file, then @activation as a node of its own. */
static guint
vector_linear (TesseraBuilder    *b,
               guint              x,
               const char        *prefix,
               TesseraActivation  activation)
{
  guint64 in = tessera_graph_get_channels (b->graph, x), out;
  const float *weight, *bias;

  weight = builder_tensor (b, (guint64[]) { 0, in }, 2, "%s.weight", prefix);
  if (weight == NULL)
    return 0;
  out = arch_tensor (b->state_dict, 2, "%s.weight", prefix)->shape[0];
  bias = builder_optional_tensor (b, &out, 1, "%s.bias", prefix);
  if (b->error != NULL)
    return 0;
  x = tessera_graph_linear (b->graph, x, out, in, weight, bias);
  return activation == TESSERA_ACTIVATION_NONE ? x : tessera_graph_activate (b->graph, x, activation, 0.f);
}

/* The quality factor as FBCNN's qf_pred predicts it from the encoder's
 * output: residual blocks, a global average, three linear layers. */
static guint
predict_qf (TesseraBuilder *b,
            guint           x,
            guint           nb)
{
  g_autofree char *l1 = g_strdup_printf ("qf_pred.%u", nb + 2);
  g_autofree char *l2 = g_strdup_printf ("qf_pred.%u", nb + 4);
  g_autofree char *l3 = g_strdup_printf ("qf_pred.%u", nb + 6);

  for (guint i = 0; i < nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("qf_pred.%u", i);

      x = res_block (b, x, prefix);
    }
  if (b->error != NULL)
    return 0;
  x = tessera_graph_unary (b->graph, TESSERA_OP_GLOBAL_AVG_POOL, x);
  x = vector_linear (b, x, l1, TESSERA_ACTIVATION_RELU);
  x = vector_linear (b, x, l2, TESSERA_ACTIVATION_RELU);
  return vector_linear (b, x, l3, TESSERA_ACTIVATION_SIGMOID);
}

/* m_up@level of FBCNN over @x + @skip: the transposed convolution, then
 * QFAttention blocks x + γ · res (x) + β. */
static guint
qf_up (TesseraBuilder *b,
       guint           x,
       guint           skip,
       guint           level,
       guint           nb,
       guint           embedding)
{
  g_autofree char *to_gamma = g_strdup_printf ("to_gamma_%u.0", level);
  g_autofree char *to_beta = g_strdup_printf ("to_beta_%u.0", level);
  guint gamma, beta;

  gamma = vector_linear (b, embedding, to_gamma, TESSERA_ACTIVATION_SIGMOID);
  /* tanh (t) = 2 sigmoid (2t) − 1. */
  beta = vector_linear (b, embedding, to_beta, TESSERA_ACTIVATION_NONE);
  if (b->error != NULL)
    return 0;
  beta = tessera_graph_activate (b->graph, tessera_graph_affine (b->graph, beta, 2.f, 0.f),
                                 TESSERA_ACTIVATION_SIGMOID, 0.f);
  beta = tessera_graph_affine (b->graph, beta, 2.f, -1.f);

  x = tessera_graph_add_nodes (b->graph, x, 1.f, skip, 1.f);
  builder_tensor (b, (guint64[]) { 0, 0, 2, 2 }, 4, "m_up%u.0.weight", level);
  x = builder_deconv (b, x, 2, 0, "m_up%u.0", level);
  for (guint i = 1; i <= nb && b->error == NULL; i++)
    {
      guint y;

      builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_up%u.%u.res.0.weight", level, i);
      y = builder_activate (b, builder_conv (b, &x, 1, 1, 1, "m_up%u.%u.res.0", level, i),
                            TESSERA_ACTIVATION_RELU, 0.f);
      builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_up%u.%u.res.2.weight", level, i);
      y = builder_conv (b, &y, 1, 1, 1, "m_up%u.%u.res.2", level, i);
      if (b->error != NULL)
        return 0;
      y = tessera_graph_binary (b->graph, TESSERA_OP_MUL_CHANNELS, y, gamma);
      y = tessera_graph_add_nodes (b->graph, y, 1.f, beta, 1.f);
      x = tessera_graph_add_nodes (b->graph, x, 1.f, y, 1.f);
    }
  return x;
}

/* FBCNN.forward: replicate right and bottom to a multiple of 8, the
 * encoder, the quality factor (the denoise setting as 1 − QF/100 when
 * given, as FBCNN's own tools pass it, else predicted from the image as
 * spandrel's call leaves it), the decoder modulated by its embedding, and
 * the crop back. */
static guint
tessera_fbcnn_build (TesseraBuilder        *b,
                     const TesseraArchInfo *info,
                     guint                  height,
                     guint                  width)
{
  guint pad_bottom = (height + 7) / 8 * 8 - height, pad_right = (width + 7) / 8 * 8 - width;
  guint nb = info->num_blocks, x = 0, x1, x2, x3, x4, qf, embedding;

  if (pad_bottom > 0 || pad_right > 0)
    x = tessera_graph_pad (b->graph, x, TESSERA_PAD_REPLICATE, 0, pad_bottom, 0, pad_right);

  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_head.weight");
  x1 = builder_conv (b, &x, 1, 1, 1, "m_head");
  x2 = down (b, x1, 1, nb);
  x3 = down (b, x2, 2, nb);
  x4 = x = down (b, x3, 3, nb);
  for (guint i = 0; i < nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("m_body_encoder.%u", i);

      x = res_block (b, x, prefix);
    }
  if (b->noise_level >= 0.0)
    {
      float *value = g_new (float, 1);

      value[0] = (float) MIN (b->noise_level, 1.0);
      qf = tessera_graph_constant (b->graph, &(TesseraShape) { 1, 1, 1 }, tessera_graph_keep_floats (b->graph, value));
    }
  else
    qf = predict_qf (b, x, nb);
  for (guint i = 0; i < nb && b->error == NULL; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("m_body_decoder.%u", i);

      x = res_block (b, x, prefix);
    }

  embedding = vector_linear (b, qf, "qf_embed.0", TESSERA_ACTIVATION_RELU);
  embedding = vector_linear (b, embedding, "qf_embed.2", TESSERA_ACTIVATION_RELU);
  embedding = vector_linear (b, embedding, "qf_embed.4", TESSERA_ACTIVATION_RELU);

  x = qf_up (b, x, x4, 3, nb, embedding);
  x = qf_up (b, x, x3, 2, nb, embedding);
  x = qf_up (b, x, x2, 1, nb, embedding);
  if (b->error != NULL)
    return 0;
  x = tessera_graph_add_nodes (b->graph, x, 1.f, x1, 1.f);
  builder_tensor (b, (guint64[]) { 0, 0, 3, 3 }, 4, "m_tail.weight");
  x = builder_conv (b, &x, 1, 1, 1, "m_tail");
  if (b->error != NULL || (pad_bottom == 0 && pad_right == 0))
    return x;
  return tessera_graph_crop (b->graph, x, 0, pad_bottom, 0, pad_right);
}

static gboolean
fbcnn_recipe (TesseraStateDict       *state_dict,
              const TesseraArchInfo  *info,
              TesseraArchRecipe      *recipe)
{
  if (!info->supported)
    return FALSE;
  recipe->build = tessera_fbcnn_build;
  return TRUE;
}

const TesseraArchEntry tessera_fbcnn_arch = {
  .arch = TESSERA_ARCH_FBCNN,
  .id = "fbcnn",
  .title = "FBCNN",
  .detect = tessera_fbcnn_detect,
  .recipe = fbcnn_recipe,
  .describe = tessera_fbcnn_describe,
};
