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

#include "core/tessera-error.h"
#include "tessera-arch-private.h"

/* Every architecture, each registered by its file. They are told apart by
 * their keys and shapes alone, never by a file's name; those that share
 * keys go from the most specific to the most general: HAT's keys include
 * SwinIR's. */
extern const TesseraArchEntry tessera_hat_arch, tessera_dat_arch, tessera_rgt_arch, tessera_atd_arch,
  tessera_srformer_arch, tessera_drct_arch, tessera_swinir_arch, tessera_omnisr_arch, tessera_span_arch,
  tessera_rcan_arch,
  tessera_dncnn_arch, tessera_drunet_arch, tessera_fbcnn_arch,
  tessera_plksr_arch, tessera_realplksr_arch, tessera_mosr_arch, tessera_scunet_arch,
  tessera_esrgan_arch, tessera_compact_arch,
  tessera_realcugan_arch, tessera_waifu2x_cunet_arch, tessera_waifu2x_vgg7_arch,
  tessera_waifu2x_upconv7_arch;

static const TesseraArchEntry *const archs[] = {
  &tessera_hat_arch,
  &tessera_dat_arch,
  &tessera_rgt_arch,
  &tessera_atd_arch,
  &tessera_srformer_arch,
  &tessera_drct_arch,
  &tessera_swinir_arch,
  &tessera_omnisr_arch,
  &tessera_span_arch,
  &tessera_rcan_arch,
  &tessera_dncnn_arch,
  &tessera_drunet_arch,
  &tessera_fbcnn_arch,
  &tessera_plksr_arch,
  &tessera_realplksr_arch,
  &tessera_mosr_arch,
  &tessera_scunet_arch,
  &tessera_esrgan_arch,
  &tessera_compact_arch,
  &tessera_realcugan_arch,
  &tessera_waifu2x_cunet_arch,
  &tessera_waifu2x_vgg7_arch,
  &tessera_waifu2x_upconv7_arch,
};

static const TesseraArchEntry unknown_arch = { TESSERA_ARCH_UNKNOWN, "unknown", N_("Unknown") };

/* The registry's entry for @arch; the unknown one's for any other value. */
const TesseraArchEntry *
tessera_arch_lookup (TesseraArch arch)
{
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    if (archs[i]->arch == arch)
      return archs[i];

  return &unknown_arch;
}

const char *
tessera_arch_to_string (TesseraArch arch)
{
  return tessera_arch_lookup (arch)->id;
}

const char *
tessera_arch_get_title (TesseraArch arch)
{
  const TesseraArchEntry *entry = tessera_arch_lookup (arch);

  return entry == &unknown_arch ? _(entry->title) : entry->title;
}

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

/* Marks a detected model as recognised but not run, for the reason @why:
 * a translated clause the user reads after the architecture's name. */
void
arch_not_run (TesseraArchInfo *info,
              const char      *why)
{
  info->supported = FALSE;
  info->not_run = why;
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
  for (guint i = 0; i < G_N_ELEMENTS (archs); i++)
    {
      TesseraDetect result;

      if (archs[i]->detect == NULL)
        continue;
      memset (info, 0, sizeof *info);
      result = archs[i]->detect (state_dict, info, error);
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
  const TesseraArchEntry *entry = tessera_arch_lookup (info->arch);

  return entry->describe != NULL ? entry->describe (state_dict, info) : NULL;
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
  const TesseraArchEntry *entry = tessera_arch_lookup (info->arch);

  *recipe = (TesseraArchRecipe) { NULL, 0, 1, 0 };
  if (entry->recipe != NULL && entry->recipe (state_dict, info, recipe))
    return TRUE;

  if (info->not_run != NULL)
    /* Translators: the architecture, then why: "it uses an absolute position embedding…" */
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("%s model recognised but not run: %s"),
                 tessera_arch_get_title (info->arch), info->not_run);
  else
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

  return tessera_weights_lookup (builder->weights, name);
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
  guint in_channels = 0, out_channels, kernel, groups = 1, node;

  if (builder->error != NULL)
    return 0;

  for (guint i = 0; i < n_inputs; i++)
    in_channels += tessera_graph_get_channels (builder->graph, inputs[i]);

  /* Transposed convolutions store [in][out][k][k]. A convolution's
   * weight with fewer inputs than the input has splits it into groups, as
   * PyTorch reads it (depthwise: one input each). */
  shape[op == TESSERA_OP_DECONV2D ? 0 : 1] = in_channels;
  tensor = tessera_state_dict_lookup (builder->state_dict, weight_name);
  if (op == TESSERA_OP_CONV2D && n_inputs == 1 && tensor != NULL && tensor->n_dims == 4 &&
      tensor->shape[1] > 0 && tensor->shape[1] < in_channels && in_channels % tensor->shape[1] == 0)
    {
      groups = in_channels / tensor->shape[1];
      shape[1] = tensor->shape[1];
    }
  weight = lookup_tensor (builder, shape, 4, FALSE, weight_name);
  if (weight == NULL)
    return 0;

  out_channels = tensor->shape[op == TESSERA_OP_DECONV2D ? 1 : 0];
  kernel = tensor->shape[2];
  if (tensor->shape[3] != kernel || kernel == 0 || kernel > 31 || out_channels == 0 || out_channels > 65536)
    {
      builder_fail (builder, _("%s is not a square convolution kernel"), weight_name);
      return 0;
    }
  if (out_channels % groups != 0)
    {
      builder_fail (builder, _("%s does not split into %u groups"), weight_name, groups);
      return 0;
    }

  bias = builder_optional_tensor (builder, (guint64[]) { out_channels }, 1, "%s.bias", prefix);
  if (builder->error != NULL)
    return 0;

  if (op == TESSERA_OP_DECONV2D)
    return tessera_graph_deconv (builder->graph, inputs[0], out_channels, in_channels, kernel, stride,
                                 padding, weight, bias);
  node = tessera_graph_conv (builder->graph, inputs, n_inputs, out_channels, in_channels, kernel, stride,
                             padding, weight, bias);
  if (groups > 1)
    tessera_graph_set_groups (builder->graph, node, groups);
  return node;
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

guint
arch_square_root (guint64 n)
{
  guint root = (guint) floor (sqrt ((double) n) + 0.5);

  return (guint64) root * root == n ? root : 0;
}

/* The highest index + 1 of the keys PREFIX.N.…, as spandrel's get_seq_len(). */
guint
arch_sequence_length (TesseraStateDict *state_dict,
                      const char       *prefix)
{
  gsize length = strlen (prefix);
  guint n = 0;

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (state_dict); i++)
    {
      const char *name = tessera_state_dict_get_nth (state_dict, i)->name;
      guint64 index;
      char *end;

      if (strncmp (name, prefix, length) != 0 || name[length] != '.' || !g_ascii_isdigit (name[length + 1]))
        continue;
      index = g_ascii_strtoull (name + length + 1, &end, 10);
      if (*end == '.' && index < 10000)
        n = MAX (n, (guint) index + 1);
    }

  return n;
}

GVariant *
arch_uint_array (const guint *values,
                 guint        n)
{
  g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("au"));

  for (guint i = 0; i < n; i++)
    g_variant_builder_add (&builder, "u", values[i]);
  return g_variant_builder_end (&builder);
}

/* The rows @first to @first + @n of the convolution PREFIX (its output
 * channels) over @x, padded to keep the size: one part of a convolution
 * whose output the network splits (PLKSR's channel mixer, MoSR's fc1). */
guint
builder_conv_rows (TesseraBuilder *b,
                   guint           x,
                   const char     *prefix,
                   guint           first,
                   guint           n)
{
  guint64 in = tessera_graph_get_channels (b->graph, x);
  const TesseraTensor *tensor = arch_tensor (b->state_dict, 4, "%s.weight", prefix);
  const float *weight, *bias;
  guint64 k, row;

  weight = builder_tensor (b, (guint64[]) { 0, in, 0, 0 }, 4, "%s.weight", prefix);
  if (weight == NULL)
    return 0;
  k = tensor->shape[2];
  row = in * k * k;
  if (tensor->shape[3] != k || k % 2 == 0 || n == 0 || first + n > tensor->shape[0])
    {
      builder_fail (b, _("%s is not a square convolution kernel"), prefix);
      return 0;
    }
  bias = builder_optional_tensor (b, &tensor->shape[0], 1, "%s.bias", prefix);
  if (b->error != NULL)
    return 0;

  return tessera_graph_conv (b->graph, &x, 1, n, in, k, 1, k / 2,
                             tessera_graph_keep_floats (b->graph, g_memdup2 (weight + first * row,
                                                                             n * row * sizeof (float))),
                             bias != NULL ? tessera_graph_keep_floats (b->graph, g_memdup2 (bias + first,
                                                                                           n * sizeof (float)))
                                          : NULL);
}

/* DySample PREFIX over @x (RealPLKSR's to_img, MoSR's upsampler): offsets
 * from two 1×1 convolutions, offset · sigmoid (scope) · 0.5 + init_pos
 * (the file's), the sampling in the groups init_pos gives, and end_conv
 * when the file has one (RealPLKSR has none at ×1). */
guint
builder_dysample (TesseraBuilder *b,
                  guint           x,
                  const char     *prefix,
                  guint           scale)
{
  const TesseraTensor *init = arch_tensor (b->state_dict, 4, "%s.init_pos", prefix);
  guint channels = tessera_graph_get_channels (b->graph, x), groups, offsets, scope, position;
  const float *values;

  if (b->error != NULL)
    return 0;
  if (init == NULL || init->shape[1] % (2 * scale * scale) != 0 ||
      (groups = init->shape[1] / (2 * scale * scale)) == 0 || channels % groups != 0)
    {
      builder_fail (b, _("DySample's init_pos does not fit its %u channels"), channels);
      return 0;
    }
  values = builder_tensor (b, (guint64[]) { 1, init->shape[1], 1, 1 }, 4, "%s.init_pos", prefix);
  offsets = builder_conv (b, &x, 1, 1, 0, "%s.offset", prefix);
  scope = builder_activate (b, builder_conv (b, &x, 1, 1, 0, "%s.scope", prefix), TESSERA_ACTIVATION_SIGMOID, 0.f);
  if (b->error != NULL)
    return 0;
  offsets = tessera_graph_affine (b->graph, tessera_graph_binary (b->graph, TESSERA_OP_MUL, offsets, scope), 0.5f, 0.f);
  position = tessera_graph_constant (b->graph, &(TesseraShape) { init->shape[1], 1, 1 }, values);
  offsets = tessera_graph_add_nodes (b->graph, offsets, 1.f, position, 1.f);
  x = tessera_graph_dysample (b->graph, x, offsets, scale, groups);
  if (arch_has (b->state_dict, "%s.end_conv.weight", prefix))
    x = builder_conv (b, &x, 1, 1, 0, "%s.end_conv", prefix);
  return x;
}
