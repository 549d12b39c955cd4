/* tessera-ncnn-map.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-ncnn"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-ncnn-private.h"

/* ncnn graphs become state dicts with the names the PyTorch files of the
 * same architecture use, so that one builder per architecture serves every
 * format, and an ncnn model converts to safetensors like any other. A graph
 * is recognised by the order, types and shapes of its weighted layers.
 *
 * Two facts a state dict's names cannot carry go into its metadata:
 * - `arch`: waifu2x's CUNet and Real-CUGAN share one U-Net and one set of
 *   names; their ncnn graphs differ in how the SE blocks multiply (Scale in
 *   waifu2x's, BinaryOp in Real-CUGAN's).
 * - `output_scale`: a resize closing the graph, as animevideov3 ×2 and ×3
 *   are the ×4 weights followed by a bicubic reduction. */

typedef struct
{
  guint out;
  guint in;
  guint kernel_h;
  guint kernel_w;
} Shape;

static gboolean
layer_shape (NcnnLayer *layer,
             Shape     *shape)
{
  gboolean inner_product = g_str_equal (layer->type, "InnerProduct");
  guint64 n = layer->n_weights > 0 ? layer->weights[0].n_elements : 0;
  guint64 per_input;

  shape->out = ncnn_layer_int (layer, 0, 0);
  shape->kernel_w = inner_product ? 1 : ncnn_layer_int (layer, 1, 0);
  shape->kernel_h = inner_product ? 1 : ncnn_layer_int (layer, 11, shape->kernel_w);
  per_input = (guint64) shape->out * shape->kernel_h * shape->kernel_w;
  if (per_input == 0 || n % per_input != 0 || n / per_input == 0)
    return FALSE;

  shape->in = n / per_input;
  return TRUE;
}

static gboolean
is_type (NcnnLayer  *layer,
         const char *type)
{
  return g_str_equal (layer->type, type);
}

/* Adds `prefix.weight` (and `prefix.bias`) in PyTorch's layout: conv and
 * linear as they are, deconvolution with its first two axes swapped. */
static gboolean
emit (TesseraStateDict  *state_dict,
      const char        *prefix,
      NcnnLayer         *layer,
      GError           **error)
{
  g_autofree char *weight_name = g_strconcat (prefix, ".weight", NULL);
  g_autofree char *bias_name = g_strconcat (prefix, ".bias", NULL);
  NcnnBlob *weight = &layer->weights[0];
  const guint8 *data = weight->data;
  guint64 shape[4];
  Shape s;

  if (is_type (layer, "PReLU"))
    {
      shape[0] = weight->n_elements;
      return tessera_state_dict_insert (state_dict, weight_name, weight->dtype, 1, shape, data, error);
    }

  if (!layer_shape (layer, &s))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("layer %s has a weight size that fits no kernel"), layer->name);
      return FALSE;
    }

  if (is_type (layer, "Deconvolution"))
    {
      gsize element = tessera_dtype_get_size (weight->dtype);
      gsize kernel = (gsize) s.kernel_h * s.kernel_w * element;
      guint8 *swapped = g_malloc ((gsize) s.out * s.in * kernel);

      for (guint o = 0; o < s.out; o++)
        for (guint i = 0; i < s.in; i++)
          memcpy (swapped + ((gsize) i * s.out + o) * kernel, data + ((gsize) o * s.in + i) * kernel, kernel);
      data = tessera_state_dict_take_buffer (state_dict, swapped, (gsize) s.out * s.in * kernel);
      shape[0] = s.in;
      shape[1] = s.out;
    }
  else
    {
      shape[0] = s.out;
      shape[1] = s.in;
    }
  shape[2] = s.kernel_h;
  shape[3] = s.kernel_w;

  if (!tessera_state_dict_insert (state_dict, weight_name, weight->dtype, 4, shape, data, error))
    return FALSE;

  if (layer->n_weights > 1)
    {
      shape[0] = layer->weights[1].n_elements;
      if (!tessera_state_dict_insert (state_dict, bias_name, layer->weights[1].dtype, 1, shape,
                                      layer->weights[1].data, error))
        return FALSE;
    }

  return TRUE;
}

static guint
count_type (NcnnGraph  *graph,
            const char *type)
{
  guint n = 0;

  for (guint i = 0; i < graph->layers->len; i++)
    n += is_type (g_ptr_array_index (graph->layers, i), type);
  return n;
}

/* RRDBNet as BasicSR names it: conv_first, body.N.rdbK.convJ, conv_body,
 * conv_upN, conv_hr, conv_last. Each ×2 upsampling is a nearest Interp. */
static gboolean
match_rrdb (GPtrArray *weighted,
            NcnnGraph *graph,
            GPtrArray *names)
{
  guint n = weighted->len, n_ups = 0, n_blocks, nf, gc, k = 0;
  Shape s;

  for (guint i = 0; i < graph->layers->len; i++)
    {
      NcnnLayer *layer = g_ptr_array_index (graph->layers, i);

      n_ups += is_type (layer, "Interp") && ncnn_layer_int (layer, 0, 0) == 1;
    }

  for (guint i = 0; i < n; i++)
    if (!is_type (g_ptr_array_index (weighted, i), "Convolution"))
      return FALSE;

  if (n < 4 + n_ups + 15 || (n - 4 - n_ups) % 15 != 0 || !layer_shape (g_ptr_array_index (weighted, 0), &s))
    return FALSE;

  n_blocks = (n - 4 - n_ups) / 15;
  nf = s.out;
  if (!layer_shape (g_ptr_array_index (weighted, 1), &s) || s.in != nf)
    return FALSE;
  gc = s.out;

  g_ptr_array_add (names, g_strdup ("conv_first"));
  k = 1;
  for (guint b = 0; b < n_blocks; b++)
    for (guint r = 1; r <= 3; r++)
      for (guint j = 1; j <= 5; j++, k++)
        {
          if (!layer_shape (g_ptr_array_index (weighted, k), &s) ||
              s.in != nf + (j - 1) * gc || s.out != (j < 5 ? gc : nf))
            return FALSE;
          g_ptr_array_add (names, g_strdup_printf ("body.%u.rdb%u.conv%u", b, r, j));
        }

  g_ptr_array_add (names, g_strdup ("conv_body"));
  for (guint u = 1; u <= n_ups; u++)
    g_ptr_array_add (names, g_strdup_printf ("conv_up%u", u));
  g_ptr_array_add (names, g_strdup ("conv_hr"));
  g_ptr_array_add (names, g_strdup ("conv_last"));
  return TRUE;
}

/* SRVGGNetCompact: body.N, convolutions and PReLUs alternating. */
static gboolean
match_compact (GPtrArray *weighted,
               NcnnGraph *graph,
               GPtrArray *names)
{
  if (weighted->len < 3 || weighted->len % 2 == 0)
    return FALSE;

  for (guint i = 0; i < weighted->len; i++)
    if (!is_type (g_ptr_array_index (weighted, i), i % 2 == 0 ? "Convolution" : "PReLU"))
      return FALSE;

  for (guint i = 0; i < weighted->len; i++)
    g_ptr_array_add (names, g_strdup_printf ("body.%u", i));
  return TRUE;
}

/* The U-Net of waifu2x's CUNet and Real-CUGAN, in module order. */
typedef struct
{
  const char *name;
  char        type;       /* C convolution, D deconvolution, I inner product, B either */
  gboolean    se;         /* half of an SE block, which "nose" models lack */
  gboolean    optional;
} UnetStep;

static const UnetStep unet_steps[] = {
  { "unet1.conv1.conv.0", 'C' }, { "unet1.conv1.conv.2", 'C' }, { "unet1.conv1_down", 'C' },
  { "unet1.conv2.conv.0", 'C' }, { "unet1.conv2.conv.2", 'C' },
  { "unet1.conv2.seblock.conv1", 'I', TRUE }, { "unet1.conv2.seblock.conv2", 'I', TRUE },
  { "unet1.conv2_up", 'D' }, { "unet1.conv3", 'C' }, { "unet1.conv_bottom", 'B' },
  { "unet2.conv1.conv.0", 'C' }, { "unet2.conv1.conv.2", 'C' }, { "unet2.conv1_down", 'C' },
  { "unet2.conv2.conv.0", 'C' }, { "unet2.conv2.conv.2", 'C' },
  { "unet2.conv2.seblock.conv1", 'I', TRUE }, { "unet2.conv2.seblock.conv2", 'I', TRUE },
  { "unet2.conv2_down", 'C' },
  { "unet2.conv3.conv.0", 'C' }, { "unet2.conv3.conv.2", 'C' },
  { "unet2.conv3.seblock.conv1", 'I', TRUE }, { "unet2.conv3.seblock.conv2", 'I', TRUE },
  { "unet2.conv3_up", 'D' },
  { "unet2.conv4.conv.0", 'C' }, { "unet2.conv4.conv.2", 'C' },
  { "unet2.conv4.seblock.conv1", 'I', TRUE }, { "unet2.conv4.seblock.conv2", 'I', TRUE },
  { "unet2.conv4_up", 'D' }, { "unet2.conv5", 'C' }, { "unet2.conv_bottom", 'C' },
  { "conv_final", 'C', FALSE, TRUE },
};

static gboolean
step_accepts (const UnetStep *step,
              NcnnLayer      *layer)
{
  switch (step->type)
    {
    case 'C':
      return is_type (layer, "Convolution");
    case 'D':
      return is_type (layer, "Deconvolution");
    case 'I':
      return is_type (layer, "InnerProduct");
    case 'B':
    default:
      return is_type (layer, "Convolution") || is_type (layer, "Deconvolution");
    }
}

static gboolean
match_unet (GPtrArray *weighted,
            NcnnGraph *graph,
            GPtrArray *names)
{
  guint i = 0, j = 0;

  while (j < G_N_ELEMENTS (unet_steps))
    {
      const UnetStep *step = &unet_steps[j];
      NcnnLayer *layer = i < weighted->len ? g_ptr_array_index (weighted, i) : NULL;

      if (layer != NULL && step_accepts (step, layer))
        {
          g_ptr_array_add (names, g_strdup (step->name));
          i++;
          j++;
        }
      else if (step->se || (step->optional && layer == NULL))
        j++;
      else
        return FALSE;
    }

  return i == weighted->len;
}

/* waifu2x's upconv_7 and vgg_7 as nunif names them: net.0 … net.12. */
static gboolean
match_seven (GPtrArray *weighted,
             NcnnGraph *graph,
             GPtrArray *names)
{
  if (weighted->len != 7)
    return FALSE;

  for (guint i = 0; i < 7; i++)
    {
      NcnnLayer *layer = g_ptr_array_index (weighted, i);

      if (!is_type (layer, "Convolution") && !(i == 6 && is_type (layer, "Deconvolution")))
        return FALSE;
      g_ptr_array_add (names, g_strdup_printf ("net.%u", 2 * i));
    }

  return TRUE;
}

static const struct {
  gboolean   (*match) (GPtrArray *weighted, NcnnGraph *graph, GPtrArray *names);
} graphs[] = {
  { match_rrdb },
  { match_compact },
  { match_unet },
  { match_seven },
};

gboolean
ncnn_graph_to_state_dict (NcnnGraph         *graph,
                          TesseraStateDict  *state_dict,
                          GError           **error)
{
  g_autoptr(GPtrArray) weighted = g_ptr_array_new ();
  NcnnLayer *last;

  for (guint i = 0; i < graph->layers->len; i++)
    {
      NcnnLayer *layer = g_ptr_array_index (graph->layers, i);

      if (layer->n_weights > 0)
        g_ptr_array_add (weighted, layer);
    }

  for (guint g = 0; g < G_N_ELEMENTS (graphs); g++)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      if (!graphs[g].match (weighted, graph, names))
        continue;

      for (guint i = 0; i < weighted->len; i++)
        if (!emit (state_dict, g_ptr_array_index (names, i), g_ptr_array_index (weighted, i), error))
          return FALSE;

      if (graphs[g].match == match_unet && count_type (graph, "Scale") > 0)
        tessera_state_dict_set_metadata (state_dict, "arch", "waifu2x-cunet");

      last = g_ptr_array_index (graph->layers, graph->layers->len - 1);
      if (is_type (last, "Interp"))
        {
          double scale = ncnn_layer_float (last, 1, 1.0);
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          if (scale > 0.0 && scale != 1.0 && scale == ncnn_layer_float (last, 2, 1.0))
            tessera_state_dict_set_metadata (state_dict, "output_scale",
                                             g_ascii_formatd (text, sizeof text, "%g", scale));
        }

      return TRUE;
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("the ncnn graph is not one Tessera recognises (%u weighted layers)"), weighted->len);
  return FALSE;
}
