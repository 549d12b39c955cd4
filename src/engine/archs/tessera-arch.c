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
