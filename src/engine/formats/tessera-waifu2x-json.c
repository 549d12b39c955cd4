/* tessera-waifu2x-json.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-waifu2x-json"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "core/tessera-error.h"
#include "tessera-formats-private.h"

/* waifu2x's JSON models (vgg_7): a list of nn.SpatialConvolutionMM layers,
 * each with nested weight[out][in][kH][kW] and bias[out]. They become
 * net.0 … net.12 as nunif, waifu2x's PyTorch home, names them. */

#define MAX_LAYERS 64
#define MAX_PLANES 4096
#define MAX_KERNEL 15

static gpointer
invalid (GError     **error,
         guint        index,
         const char  *what)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
               _("invalid waifu2x model: layer %u: %s"), index, what);
  return NULL;
}

static gboolean
get_dimension (JsonObject *layer,
               const char *member,
               guint       max,
               guint      *value)
{
  JsonNode *node = json_object_get_member (layer, member);
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  v = json_node_get_int (node);
  if (v < 1 || v > max)
    return FALSE;

  *value = v;
  return TRUE;
}

static gboolean
get_number (JsonNode *node,
            float    *value)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    return FALSE;

  *value = json_node_get_double (node);
  return TRUE;
}

/* Flattens nested arrays of exactly the dimensions in @shape into @out. */
static gboolean
flatten (JsonNode    *node,
         const guint *shape,
         guint        n_dims,
         float      **out)
{
  JsonArray *array;

  if (n_dims == 0)
    return get_number (node, (*out)++);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  if (json_array_get_length (array) != shape[0])
    return FALSE;

  for (guint i = 0; i < shape[0]; i++)
    if (!flatten (json_array_get_element (array, i), shape + 1, n_dims - 1, out))
      return FALSE;

  return TRUE;
}

TesseraStateDict *
tessera_waifu2x_json_load (GBytes  *contents,
                           GError **error)
{
  g_autoptr(TesseraStateDict) state_dict = tessera_state_dict_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (contents, &size);
  JsonNode *root;
  JsonArray *layers;
  guint n_layers;

  /* Layers, then weight[out][in][kH][kW]: six levels. */
  if (!tessera_json_nesting_fits (data, size, 16))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("invalid waifu2x model: the JSON nests too deep"));
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, size, &json_error))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("not valid JSON: %s"), json_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("not a waifu2x model: the JSON is not a list of layers"));
      return NULL;
    }

  layers = json_node_get_array (root);
  n_layers = json_array_get_length (layers);
  if (n_layers == 0 || n_layers > MAX_LAYERS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("not a waifu2x model: %u layers"), n_layers);
      return NULL;
    }

  for (guint i = 0; i < n_layers; i++)
    {
      JsonNode *node = json_array_get_element (layers, i);
      g_autofree char *weight_name = g_strdup_printf ("net.%u.weight", 2 * i);
      g_autofree char *bias_name = g_strdup_printf ("net.%u.bias", 2 * i);
      JsonObject *layer;
      const char *class_name;
      guint shape[4];
      guint64 shape64[4];
      gsize n_weights;
      float *weights, *bias, *cursor;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return invalid (error, i, _("not an object"));
      layer = json_node_get_object (node);

      /* Not json_object_get_string_member_with_default(): it returns NULL
       * for a member that is not a string (found by fuzzing). */
      node = json_object_get_member (layer, "class_name");
      class_name = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                   json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
      if (g_strcmp0 (class_name, "nn.SpatialConvolutionMM") != 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("waifu2x layer %u is a %s, not a convolution"), i,
                       class_name != NULL ? class_name : _("layer of no known class"));
          return NULL;
        }

      if (!get_dimension (layer, "nOutputPlane", MAX_PLANES, &shape[0]) ||
          !get_dimension (layer, "nInputPlane", MAX_PLANES, &shape[1]) ||
          !get_dimension (layer, "kH", MAX_KERNEL, &shape[2]) ||
          !get_dimension (layer, "kW", MAX_KERNEL, &shape[3]))
        return invalid (error, i, _("missing or impossible sizes"));

      n_weights = (gsize) shape[0] * shape[1] * shape[2] * shape[3];
      weights = g_new (float, n_weights);
      tessera_state_dict_take_buffer (state_dict, weights, n_weights * sizeof (float));
      cursor = weights;
      if (!flatten (json_object_get_member (layer, "weight"), shape, 4, &cursor))
        return invalid (error, i, _("the weights do not match the sizes"));

      bias = g_new (float, shape[0]);
      tessera_state_dict_take_buffer (state_dict, bias, shape[0] * sizeof (float));
      cursor = bias;
      if (!flatten (json_object_get_member (layer, "bias"), shape, 1, &cursor))
        return invalid (error, i, _("the biases do not match the sizes"));

      for (guint d = 0; d < 4; d++)
        shape64[d] = shape[d];
      if (!tessera_state_dict_insert (state_dict, weight_name, TESSERA_DTYPE_F32, 4, shape64,
                                      (const guint8 *) weights, error) ||
          !tessera_state_dict_insert (state_dict, bias_name, TESSERA_DTYPE_F32, 1, shape64,
                                      (const guint8 *) bias, error))
        return NULL;
    }

  return g_steal_pointer (&state_dict);
}

/* A JSON array, after any white space. */
static gboolean
waifu2x_json_sniff (const guint8 *data,
                    gsize         size)
{
  gsize i = 0;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return i < size && data[i] == '[';
}

static TesseraStateDict *
waifu2x_json_load (GBytes      *contents,
                   GBytes      *companion,
                   const char  *basename,
                   GError     **error)
{
  TesseraStateDict *state_dict = tessera_waifu2x_json_load (contents, error);

  /* waifu2x marks its upscaling JSON models by name only: they want the
   * image enlarged ×2 (nearest) before the 1:1 network. */
  if (state_dict != NULL && strstr (basename, "scale2.0x") != NULL)
    tessera_state_dict_set_metadata (state_dict, "input_scale", "2");
  return state_dict;
}

const TesseraFormatEntry tessera_waifu2x_json_format = {
  .format = TESSERA_MODEL_FORMAT_WAIFU2X_JSON,
  .id = "waifu2x-json",
  .extensions = (const char * const[]) { ".json", NULL },
  .sniff = waifu2x_json_sniff,
  .load = waifu2x_json_load,
};
