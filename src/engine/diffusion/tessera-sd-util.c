/* tessera-sd-util.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-sd"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-sd-private.h"

/* Tensors by formatted name, and diffusers' config.json settings, with
 * errors a person can follow back to the file. */

static const TesseraTensor *
lookup_va (TesseraStateDict *state_dict,
           const char       *format,
           va_list           args,
           char            **name)
{
  *name = g_strdup_vprintf (format, args);
  return tessera_state_dict_lookup (state_dict, *name);
}

/* The tensor of that name if it has @n_dims dimensions (any when 0). */
const TesseraTensor *
tessera_sd_find (TesseraStateDict *state_dict,
                 guint             n_dims,
                 const char       *format,
                 ...)
{
  g_autofree char *name = NULL;
  const TesseraTensor *tensor;
  va_list args;

  va_start (args, format);
  tensor = lookup_va (state_dict, format, args, &name);
  va_end (args);

  return tensor != NULL && (n_dims == 0 || tensor->n_dims == n_dims) ? tensor : NULL;
}

const TesseraTensor *
tessera_sd_require (TesseraStateDict  *state_dict,
                    guint              n_dims,
                    GError           **error,
                    const char        *format,
                    ...)
{
  g_autofree char *name = NULL;
  const TesseraTensor *tensor;
  va_list args;

  va_start (args, format);
  tensor = lookup_va (state_dict, format, args, &name);
  va_end (args);

  if (tensor == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("tensor “%s” is missing"), name);
      return NULL;
    }

  if (n_dims != 0 && tensor->n_dims != n_dims)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("tensor “%s” has %u dimensions, not %u"), name, tensor->n_dims, n_dims);
      return NULL;
    }

  return tensor;
}

static char *
describe_dims (const gint64 *dims,
               guint         n_dims)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_dims; i++)
    {
      if (i > 0)
        g_string_append (text, "×");
      if (dims[i] < 0)
        g_string_append_c (text, '?');
      else
        g_string_append_printf (text, "%" G_GINT64_FORMAT, dims[i]);
    }

  return g_string_free (text, FALSE);
}

/* Checks @tensor's shape against @dims (−1: any size), which @source
 * (the tensors around it, a config file) implies. */
gboolean
tessera_sd_expect_shape (const TesseraTensor  *tensor,
                         const gint64         *dims,
                         guint                 n_dims,
                         const char           *source,
                         GError              **error)
{
  gint64 actual[TESSERA_TENSOR_MAX_DIMS];
  gboolean fits = tensor->n_dims == n_dims;

  for (guint i = 0; i < tensor->n_dims; i++)
    {
      actual[i] = tensor->shape[i];
      if (fits && dims[i] >= 0 && (guint64) dims[i] != tensor->shape[i])
        fits = FALSE;
    }

  if (!fits)
    {
      g_autofree char *have = describe_dims (actual, tensor->n_dims);
      g_autofree char *want = describe_dims (dims, n_dims);

      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("tensor “%s” is %s where %s makes it %s"), tensor->name, have, source, want);
      return FALSE;
    }

  return TRUE;
}

/* How many of @before0@after, @before1@after… there are, counting up
 * from 0 to the first missing one. */
guint
tessera_sd_count (TesseraStateDict *state_dict,
                  const char       *before,
                  const char       *after)
{
  guint n = 0;

  while (n < 1000 && tessera_sd_find (state_dict, 0, "%s%u%s", before, n, after) != NULL)
    n++;

  return n;
}

static JsonNode *
member (JsonObject *json,
        const char *key)
{
  JsonNode *node = json_object_get_member (json, key);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

gboolean
tessera_sd_config_is_set (JsonObject *json,
                          const char *key)
{
  return member (json, key) != NULL;
}

static gboolean
node_uint (JsonNode *node,
           guint    *value)
{
  gint64 number;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  number = json_node_get_int (node);
  if (number < 0 || number > G_MAXINT32)
    return FALSE;

  *value = number;
  return TRUE;
}

static gboolean
not_a (GError     **error,
       const char  *key,
       const char  *what)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("“%s” is not %s"), key, what);
  return FALSE;
}

/* For a setting that is missing where it is needed, or of the wrong kind. */
gboolean
tessera_sd_config_invalid (GError     **error,
                           const char  *key)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("“%s” is missing or not what it should be"), key);
  return FALSE;
}

/* A setting that is missing or null takes @fallback. */
gboolean
tessera_sd_config_uint (JsonObject  *json,
                        const char  *key,
                        guint        fallback,
                        guint       *value,
                        GError     **error)
{
  JsonNode *node = member (json, key);

  *value = fallback;
  if (node != NULL && !node_uint (node, value))
    return not_a (error, key, _("a whole number"));

  return TRUE;
}

gboolean
tessera_sd_config_bool (JsonObject  *json,
                        const char  *key,
                        gboolean     fallback,
                        gboolean    *value,
                        GError     **error)
{
  JsonNode *node = member (json, key);

  *value = fallback;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return not_a (error, key, _("true or false"));

  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
tessera_sd_config_double (JsonObject  *json,
                          const char  *key,
                          double       fallback,
                          double      *value,
                          GError     **error)
{
  JsonNode *node = member (json, key);
  GType type;

  *value = fallback;
  if (node == NULL)
    return TRUE;

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    return not_a (error, key, _("a number"));

  *value = json_node_get_double (node);
  return TRUE;
}

/* Returns: (nullable): the string, or @fallback when the setting is
 * missing, null or not a string */
const char *
tessera_sd_config_string (JsonObject *json,
                          const char *key,
                          const char *fallback)
{
  JsonNode *node = member (json, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;

  return json_node_get_string (node);
}

/* A per-level setting: @n_values numbers, from a list of that length or
 * one number for all; @fallback for all when it is missing. */
gboolean
tessera_sd_config_uint_list (JsonObject  *json,
                             const char  *key,
                             guint        fallback,
                             guint        n_values,
                             guint       *values,
                             GError     **error)
{
  JsonNode *node = member (json, key);
  JsonArray *array;

  if (node == NULL || JSON_NODE_HOLDS_VALUE (node))
    {
      guint value = fallback;

      if (node != NULL && !node_uint (node, &value))
        return not_a (error, key, _("a whole number or a list of them"));
      for (guint i = 0; i < n_values; i++)
        values[i] = value;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return not_a (error, key, _("a whole number or a list of them"));

  array = json_node_get_array (node);
  if (json_array_get_length (array) != n_values)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("“%s” has %u values, not one for each of the %u levels"), key,
                   json_array_get_length (array), n_values);
      return FALSE;
    }

  for (guint i = 0; i < n_values; i++)
    if (!node_uint (json_array_get_element (array, i), &values[i]))
      return not_a (error, key, _("a whole number or a list of them"));

  return TRUE;
}
