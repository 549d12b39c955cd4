/* tessera-arch.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-arch"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"
#include "tessera-error.h"

/* Architectures are told apart by their keys and shapes alone, never by a
 * file's name. Those that share keys go from the most specific to the most
 * general: HAT's keys include SwinIR's. */
static const TesseraDetectFunc detectors[] = {
  tessera_hat_detect,
  tessera_dat_detect,
  tessera_swinir_detect,
  tessera_omnisr_detect,
  tessera_span_detect,
  tessera_esrgan_detect,
  tessera_compact_detect,
  tessera_unet_detect,
  tessera_waifu2x_detect,
};

gboolean
arch_has (TesseraStateDict *state_dict,
          const char       *format,
          ...)
{
  g_autofree char *name = NULL;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);

  return tessera_state_dict_lookup (state_dict, name) != NULL;
}

/* The tensor called so, when it has @n_dims dimensions (any when 0). */
const TesseraTensor *
arch_tensor (TesseraStateDict *state_dict,
             guint             n_dims,
             const char       *format,
             ...)
{
  g_autofree char *name = NULL;
  const TesseraTensor *tensor;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);

  tensor = tessera_state_dict_lookup (state_dict, name);
  if (tensor == NULL || (n_dims > 0 && tensor->n_dims != n_dims))
    return NULL;
  return tensor;
}

/* How many of `pattern` with %u = first, first + 1… exist in a row. */
guint
arch_count (TesseraStateDict *state_dict,
            const char       *pattern,
            guint             first)
{
  const char *hole = strstr (pattern, "%u");
  g_autofree char *head = g_strndup (pattern, hole - pattern);
  guint n = 0;

  while (n < 10000 && arch_has (state_dict, "%s%u%s", head, first + n, hole + 2))
    n++;

  return n;
}

/* A pixel shuffle's input has scale² × out channels; out is most likely
 * the input's count, else 3, 4 or 1 (as spandrel reasons). */
gboolean
arch_scale_and_channels (guint64  pixelshuffle_channels,
                         guint    in_channels,
                         guint   *scale,
                         guint   *out_channels)
{
  const guint candidates[] = { in_channels, 3, 4, 1 };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      guint c = candidates[i];
      guint64 square;
      guint root;

      if (c == 0 || pixelshuffle_channels % c != 0)
        continue;
      square = pixelshuffle_channels / c;
      root = (guint) floor (sqrt ((double) square) + 0.5);
      if ((guint64) root * root == square && root > 0)
        {
          *scale = root;
          *out_channels = c;
          return TRUE;
        }
    }

  return FALSE;
}

/* The scale of an Upsample module: convolutions at prefix.0, .2, .4…,
 * each multiplying the channels by the square of its factor. */
guint
arch_pixelshuffle_scale (TesseraStateDict *state_dict,
                         const char       *prefix)
{
  guint scale = 1;

  for (guint i = 0; i < 10; i += 2)
    {
      const TesseraTensor *weight = arch_tensor (state_dict, 4, "%s.%u.weight", prefix, i);
      guint64 ratio;
      guint root;

      if (weight == NULL || weight->shape[1] == 0)
        break;
      ratio = weight->shape[0] / weight->shape[1];
      root = (guint) floor (sqrt ((double) ratio) + 0.5);
      if ((guint64) root * root != ratio || root == 0 || root > 16)
        return 0;
      scale *= root;
    }

  return scale;
}

TesseraDetect
arch_broken (GError      **error,
             TesseraArch   arch,
             const char   *why)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
               _("the keys look like %s, but %s"), tessera_arch_get_title (arch), why);
  return TESSERA_DETECT_ERROR;
}

static double
metadata_factor (TesseraStateDict *state_dict,
                 const char       *key)
{
  const char *text = tessera_state_dict_get_metadata (state_dict, key);
  double value;

  if (text == NULL)
    return 1.0;

  value = g_ascii_strtod (text, NULL);
  return value > 0.0 && value <= 16.0 ? value : 1.0;
}

gboolean
tessera_arch_detect (TesseraStateDict  *state_dict,
                     TesseraArchInfo   *info,
                     GError           **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (detectors); i++)
    {
      TesseraDetect result;

      memset (info, 0, sizeof *info);
      result = detectors[i] (state_dict, info, error);
      if (result == TESSERA_DETECT_ERROR)
        return FALSE;
      if (result == TESSERA_DETECT_NO)
        continue;

      /* What the graph does around the network: waifu2x's JSON models want
       * the image enlarged first, animevideov3 ×2 and ×3 reduce after. */
      info->scale = MAX (1, (guint) floor (info->scale * metadata_factor (state_dict, "input_scale") *
                                           metadata_factor (state_dict, "output_scale") + 0.5));
      return TRUE;
    }

  if (tessera_state_dict_get_n_tensors (state_dict) == 0)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("the file holds no tensors"));
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("unknown architecture: no model Tessera knows has these keys (the first is “%s”)"),
                 tessera_state_dict_get_nth (state_dict, 0)->name);
  return FALSE;
}

GVariant *
tessera_arch_describe (TesseraStateDict      *state_dict,
                       const TesseraArchInfo *info)
{
  switch (info->arch)
    {
    case TESSERA_ARCH_SWINIR:
      return tessera_swinir_describe (state_dict, info);
    case TESSERA_ARCH_UNKNOWN:
    case TESSERA_ARCH_ESRGAN:
    case TESSERA_ARCH_COMPACT:
    case TESSERA_ARCH_REALCUGAN:
    case TESSERA_ARCH_WAIFU2X_VGG7:
    case TESSERA_ARCH_WAIFU2X_UPCONV7:
    case TESSERA_ARCH_WAIFU2X_CUNET:
    case TESSERA_ARCH_DAT:
    case TESSERA_ARCH_HAT:
    case TESSERA_ARCH_OMNISR:
    case TESSERA_ARCH_SPAN:
    default:
      return NULL;
    }
}

/**
 * tessera_arch_get_recipe:
 *
 * How to build and feed the graph of a detected architecture; fails for
 * the ones that are recognised but not run.
 */
gboolean
tessera_arch_get_recipe (TesseraStateDict       *state_dict,
                         const TesseraArchInfo  *info,
                         TesseraArchRecipe      *recipe,
                         GError                **error)
{
  const TesseraTensor *first;

  *recipe = (TesseraArchRecipe) { NULL, 0, 1, 0 };

  switch (info->arch)
    {
    case TESSERA_ARCH_ESRGAN:
      if (!info->supported)
        break;
      recipe->build = tessera_esrgan_build;
      recipe->minimum = 2;
      recipe->pre_pad = 10;
      /* spandrel asks a multiple of 4 of every unshuffling RRDBNet. */
      first = arch_tensor (state_dict, 4, "conv_first.weight");
      if (first == NULL)
        first = arch_tensor (state_dict, 4, "model.0.weight");
      if (first != NULL && first->shape[1] != info->in_channels)
        recipe->multiple_of = 4;
      return TRUE;
    case TESSERA_ARCH_COMPACT:
      recipe->build = tessera_compact_build;
      recipe->pre_pad = 10;
      return TRUE;
    case TESSERA_ARCH_REALCUGAN:
      if (!info->supported)
        break;
      recipe->build = tessera_unet_build;
      recipe->minimum = 32;
      return TRUE;
    case TESSERA_ARCH_WAIFU2X_CUNET:
      recipe->build = tessera_unet_build;
      return TRUE;
    case TESSERA_ARCH_WAIFU2X_VGG7:
    case TESSERA_ARCH_WAIFU2X_UPCONV7:
      recipe->build = tessera_waifu2x_build;
      return TRUE;
    case TESSERA_ARCH_SPAN:
      if (!info->supported)
        break;
      recipe->build = tessera_span_build;
      return TRUE;
    case TESSERA_ARCH_SWINIR:
      if (!info->supported)
        break;
      /* The graph reflects to whole windows itself; spandrel asks a
       * multiple of the unshuffle's square. */
      recipe->build = tessera_swinir_build;
      recipe->minimum = 16;
      first = arch_tensor (state_dict, 4, "conv_first.1.weight");
      if (first != NULL && info->in_channels > 0)
        recipe->multiple_of = MAX (1, first->shape[1] / info->in_channels);
      return TRUE;
    case TESSERA_ARCH_UNKNOWN:
    case TESSERA_ARCH_DAT:
    case TESSERA_ARCH_HAT:
    case TESSERA_ARCH_OMNISR:
    default:
      break;
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("%s models are recognised but not run by this version of Tessera"),
               tessera_arch_get_title (info->arch));
  return FALSE;
}

/* Fuses @activation into the convolution @node, unless building has
 * already failed; returns @node. */
guint
builder_activate (TesseraBuilder    *builder,
                  guint              node,
                  TesseraActivation  activation,
                  float              slope)
{
  if (builder->error == NULL)
    tessera_graph_set_activation (builder->graph, node, activation, slope, NULL);
  return node;
}

void
builder_fail (TesseraBuilder *builder,
              const char     *format,
              ...)
{
  va_list args;

  if (builder->error != NULL)
    return;

  va_start (args, format);
  builder->error = g_error_new_valist (TESSERA_ERROR, TESSERA_ERROR_CORRUPT, format, args);
  va_end (args);
}

static char *
shape_to_string (const guint64 *shape,
                 guint          n_dims)
{
  GString *text = g_string_new ("[");

  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] == 0)
        g_string_append_printf (text, "%s*", i ? ", " : "");
      else
        g_string_append_printf (text, "%s%" G_GUINT64_FORMAT, i ? ", " : "", shape[i]);
    }
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static const float *
lookup_tensor (TesseraBuilder *builder,
               const guint64  *shape,
               guint           n_dims,
               gboolean        optional,
               const char     *name)
{
  const TesseraTensor *tensor;
  gboolean fits;

  if (builder->error != NULL)
    return NULL;

  tensor = tessera_state_dict_lookup (builder->state_dict, name);
  if (tensor == NULL)
    {
      if (!optional)
        builder_fail (builder, _("the tensor %s is missing"), name);
      return NULL;
    }

  fits = tensor->n_dims == n_dims && tessera_dtype_is_float (tensor->dtype);
  for (guint i = 0; fits && i < n_dims; i++)
    fits = shape[i] == 0 || shape[i] == tensor->shape[i];
  if (!fits)
    {
      g_autofree char *want = shape_to_string (shape, n_dims);
      g_autofree char *have = shape_to_string (tensor->shape, tensor->n_dims);

      builder_fail (builder, _("%s has the shape %s where %s is needed"), name, have, want);
      return NULL;
    }

  return tessera_network_get_floats (builder->network, name);
}

/* A floating tensor of @n_dims dimensions whose sizes match @shape, 0
 * matching any. */
const float *
builder_tensor (TesseraBuilder *builder,
                const guint64  *shape,
                guint           n_dims,
                const char     *format,
                ...)
{
  g_autofree char *name = NULL;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  return lookup_tensor (builder, shape, n_dims, FALSE, name);
}

const float *
builder_optional_tensor (TesseraBuilder *builder,
                         const guint64  *shape,
                         guint           n_dims,
                         const char     *format,
                         ...)
{
  g_autofree char *name = NULL;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  return lookup_tensor (builder, shape, n_dims, TRUE, name);
}

/* The convolution PREFIX.weight [out][in][k][k] (+ PREFIX.bias) over the
 * concatenation of @inputs, zero-padded by @padding. */
static guint
add_conv (TesseraBuilder *builder,
          TesseraOp       op,
          const guint    *inputs,
          guint           n_inputs,
          guint           stride,
          guint           padding,
          const char     *prefix)
{
  g_autofree char *weight_name = g_strconcat (prefix, ".weight", NULL);
  const TesseraTensor *tensor;
  guint64 shape[4] = { 0, 0, 0, 0 };
  const float *weight, *bias;
  guint in_channels = 0, out_channels, kernel;

  if (builder->error != NULL)
    return 0;

  for (guint i = 0; i < n_inputs; i++)
    in_channels += tessera_graph_get_channels (builder->graph, inputs[i]);

  /* Transposed convolutions store [in][out][k][k]. */
  shape[op == TESSERA_OP_DECONV2D ? 0 : 1] = in_channels;
  weight = lookup_tensor (builder, shape, 4, FALSE, weight_name);
  if (weight == NULL)
    return 0;

  tensor = tessera_state_dict_lookup (builder->state_dict, weight_name);
  out_channels = tensor->shape[op == TESSERA_OP_DECONV2D ? 1 : 0];
  kernel = tensor->shape[2];
  if (tensor->shape[3] != kernel || kernel == 0 || kernel > 15 || out_channels == 0 || out_channels > 65536)
    {
      builder_fail (builder, _("%s is not a square convolution kernel"), weight_name);
      return 0;
    }

  bias = builder_optional_tensor (builder, (guint64[]) { out_channels }, 1, "%s.bias", prefix);
  if (builder->error != NULL)
    return 0;

  if (op == TESSERA_OP_DECONV2D)
    return tessera_graph_deconv (builder->graph, inputs[0], out_channels, in_channels, kernel, stride,
                                 padding, weight, bias);
  return tessera_graph_conv (builder->graph, inputs, n_inputs, out_channels, in_channels, kernel, stride,
                             padding, weight, bias);
}

guint
builder_conv (TesseraBuilder *builder,
              const guint    *inputs,
              guint           n_inputs,
              guint           stride,
              guint           padding,
              const char     *format,
              ...)
{
  g_autofree char *prefix = NULL;
  va_list args;

  va_start (args, format);
  prefix = g_strdup_vprintf (format, args);
  va_end (args);
  return add_conv (builder, TESSERA_OP_CONV2D, inputs, n_inputs, stride, padding, prefix);
}

guint
builder_deconv (TesseraBuilder *builder,
                guint           input,
                guint           stride,
                guint           padding,
                const char     *format,
                ...)
{
  g_autofree char *prefix = NULL;
  va_list args;

  va_start (args, format);
  prefix = g_strdup_vprintf (format, args);
  va_end (args);
  return add_conv (builder, TESSERA_OP_DECONV2D, &input, 1, stride, padding, prefix);
}
