/* tessera-sd-builder.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sd"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sd-builder-private.h"

/* A floating tensor of @n_elements values. Shapes are checked by their
 * size only: the two namings store the same matrix as a linear layer's
 * [out][in] or a 1×1 convolution's [out][in][1][1]. */
const float *
sd_tensor (SdBuilder  *b,
           guint64     n_elements,
           gboolean    optional,
           const char *format,
           ...)
{
  g_autofree char *name = NULL;
  g_autofree char *file_name = NULL;
  const TesseraTensor *tensor;
  va_list args;

  if (b->error != NULL)
    return NULL;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  file_name = b->rename != NULL ? b->rename (b->config, name) : g_strdup (name);

  tensor = tessera_state_dict_lookup (b->state_dict, file_name);
  if (tensor == NULL)
    {
      if (!optional)
        g_set_error (&b->error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                     _("The tensor %s is missing"), file_name);
      return NULL;
    }
  if (!tessera_dtype_is_float (tensor->dtype) || tensor->n_elements != n_elements)
    {
      g_set_error (&b->error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("The tensor %s has %" PRIu64 " values where %" PRIu64 " are needed"),
                   file_name, (guint64) tensor->n_elements, n_elements);
      return NULL;
    }

  return tessera_weights_lookup (b->weights, file_name);
}

guint
sd_channels (SdBuilder *b,
             guint      node)
{
  return tessera_graph_get_channels (b->graph, node);
}

/* A convolution with its bias, from @prefix.weight and @prefix.bias. */
guint
sd_conv (SdBuilder  *b,
         guint       input,
         guint       out_channels,
         guint       kernel,
         guint       stride,
         guint       padding,
         const char *prefix)
{
  guint in_channels = sd_channels (b, input);
  const float *weight = sd_tensor (b, (guint64) out_channels * in_channels * kernel * kernel, FALSE,
                                   "%s.weight", prefix);
  const float *bias = sd_tensor (b, out_channels, FALSE, "%s.bias", prefix);

  if (b->error != NULL)
    return input;
  return tessera_graph_conv (b->graph, &input, 1, out_channels, in_channels, kernel, stride, padding,
                             weight, bias);
}

/* A linear layer on each pixel or token, as a 1×1 convolution; the bias
 * is optional (the UNet's attention has none on q, k and v). */
guint
sd_linear (SdBuilder  *b,
           guint       input,
           guint       out_channels,
           const char *prefix)
{
  guint in_channels = sd_channels (b, input);
  const float *weight = sd_tensor (b, (guint64) out_channels * in_channels, FALSE, "%s.weight", prefix);
  const float *bias = sd_tensor (b, out_channels, TRUE, "%s.bias", prefix);

  if (b->error != NULL)
    return input;
  return tessera_graph_conv (b->graph, &input, 1, out_channels, in_channels, 1, 1, 0, weight, bias);
}

guint
sd_group_norm (SdBuilder         *b,
               guint              input,
               guint              groups,
               float              epsilon,
               TesseraActivation  activation,
               const char        *prefix)
{
  guint channels = sd_channels (b, input);
  const float *weight = sd_tensor (b, channels, FALSE, "%s.weight", prefix);
  const float *bias = sd_tensor (b, channels, FALSE, "%s.bias", prefix);

  if (b->error != NULL)
    return input;
  if (groups == 0 || channels % groups != 0)
    {
      g_set_error (&b->error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: %u channels cannot be split into %u groups"), prefix, channels, groups);
      return input;
    }
  return tessera_graph_group_norm (b->graph, input, groups, weight, bias, epsilon, activation);
}

guint
sd_layer_norm (SdBuilder  *b,
               guint       input,
               float       epsilon,
               const char *prefix)
{
  guint channels = sd_channels (b, input);
  const float *weight = sd_tensor (b, channels, FALSE, "%s.weight", prefix);
  const float *bias = sd_tensor (b, channels, FALSE, "%s.bias", prefix);

  if (b->error != NULL)
    return input;
  return tessera_graph_layer_norm (b->graph, input, weight, bias, epsilon);
}

/* A ResNet block as the UNet and the VAE share it: GroupNorm and SiLU,
 * a 3×3 convolution, the time embedding @emb's projection added when
 * there is one (the UNet's; G_MAXUINT for none), GroupNorm and SiLU, a
 * 3×3 convolution, and the input added back, through a 1×1 convolution
 * when the channels change. */
guint
sd_res_block (SdBuilder  *b,
              guint       x,
              guint       out_channels,
              guint       groups,
              float       epsilon,
              guint       emb,
              const char *prefix)
{
  g_autofree char *name = NULL;
  guint h, skip = x;

  name = g_strconcat (prefix, ".norm1", NULL);
  h = sd_group_norm (b, x, groups, epsilon, TESSERA_ACTIVATION_SILU, name);
  g_free (name), name = g_strconcat (prefix, ".conv1", NULL);
  h = sd_conv (b, h, out_channels, 3, 1, 1, name);
  if (emb != G_MAXUINT)
    {
      guint t;

      g_free (name), name = g_strconcat (prefix, ".time_emb_proj", NULL);
      t = sd_linear (b, emb, out_channels, name);
      if (b->error != NULL)
        return x;
      h = tessera_graph_add_nodes (b->graph, h, 1.0f, t, 1.0f);
    }
  g_free (name), name = g_strconcat (prefix, ".norm2", NULL);
  h = sd_group_norm (b, h, groups, epsilon, TESSERA_ACTIVATION_SILU, name);
  g_free (name), name = g_strconcat (prefix, ".conv2", NULL);
  h = sd_conv (b, h, out_channels, 3, 1, 1, name);
  if (sd_channels (b, x) != out_channels)
    {
      g_free (name), name = g_strconcat (prefix, ".conv_shortcut", NULL);
      skip = sd_linear (b, x, out_channels, name);
    }
  if (b->error != NULL)
    return x;
  return tessera_graph_add_nodes (b->graph, skip, 1.0f, h, 1.0f);
}
