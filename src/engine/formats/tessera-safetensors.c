/* tessera-safetensors.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-safetensors"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "core/tessera-error.h"
#include "tessera-formats-private.h"

/* safetensors: a little-endian u64 header length N, N bytes of JSON naming
 * each tensor's dtype, shape and [begin, end) in the data that follows, then
 * the data. Nothing is trusted: offsets sorted and contiguous from 0, sizes
 * equal to the shapes, the last end at the end of the file. */

#define MAX_HEADER_SIZE 100000000

typedef struct
{
  char    *name;
  TesseraDType dtype;
  guint    n_dims;
  guint64  shape[TESSERA_TENSOR_MAX_DIMS];
  guint64  begin;
  guint64  end;
} Entry;

/* json-glib keeps only the last of two members with one name: count them
 * as they are parsed instead. */
static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *name,
                  GHashTable *seen)
{
  char *key = g_strdup_printf ("%p:%s", (void *) object, name);

  if (!g_hash_table_add (seen, key))
    g_object_set_data_full (G_OBJECT (parser), "duplicate", g_strdup (name), g_free);
}

static gboolean
read_uint (JsonNode *node,
           guint64  *value)
{
  gint64 v;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  v = json_node_get_int (node);
  if (v < 0)
    return FALSE;

  *value = v;
  return TRUE;
}

static gboolean
has_member (JsonObject   *object,
            const char   *name,
            JsonNodeType  type)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_TYPE (node) == type;
}

static gboolean
parse_entry (const char  *name,
             JsonNode    *node,
             Entry       *entry,
             GError     **error)
{
  JsonObject *object;
  JsonArray *shape, *offsets;
  const char *dtype;
  guint64 n_elements = 1;
  guint64 size;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      tessera_corrupt (error, _("“%s” is not an object"), name);
      return FALSE;
    }

  object = json_node_get_object (node);
  if (!has_member (object, "dtype", JSON_NODE_VALUE) ||
      json_node_get_value_type (json_object_get_member (object, "dtype")) != G_TYPE_STRING ||
      !has_member (object, "shape", JSON_NODE_ARRAY) || !has_member (object, "data_offsets", JSON_NODE_ARRAY))
    {
      tessera_corrupt (error, _("“%s” lacks dtype, shape or data_offsets"), name);
      return FALSE;
    }

  dtype = json_object_get_string_member (object, "dtype");
  if (!tessera_dtype_from_name (dtype, &entry->dtype))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("tensor “%s” has the data type %s, which Tessera does not read"), name, dtype);
      return FALSE;
    }

  shape = json_object_get_array_member (object, "shape");
  entry->n_dims = json_array_get_length (shape);
  if (entry->n_dims > TESSERA_TENSOR_MAX_DIMS)
    {
      tessera_corrupt (error, _("“%s” has %u dimensions"), name, entry->n_dims);
      return FALSE;
    }

  for (guint i = 0; i < entry->n_dims; i++)
    {
      if (!read_uint (json_array_get_element (shape, i), &entry->shape[i]) ||
          entry->shape[i] > TESSERA_TENSOR_MAX_ELEMENTS ||
          (entry->shape[i] > 0 && n_elements > TESSERA_TENSOR_MAX_ELEMENTS / entry->shape[i]))
        {
          tessera_corrupt (error, _("“%s” has an invalid shape"), name);
          return FALSE;
        }
      n_elements *= entry->shape[i];
    }

  offsets = json_object_get_array_member (object, "data_offsets");
  if (json_array_get_length (offsets) != 2 ||
      !read_uint (json_array_get_element (offsets, 0), &entry->begin) ||
      !read_uint (json_array_get_element (offsets, 1), &entry->end) ||
      entry->end < entry->begin)
    {
      tessera_corrupt (error, _("“%s” has invalid data_offsets"), name);
      return FALSE;
    }

  size = n_elements * tessera_dtype_get_size (entry->dtype);
  if (entry->end - entry->begin != size)
    {
      tessera_corrupt (error, _("“%s” holds %" PRIu64 " bytes, its shape needs %" PRIu64),
                   name, entry->end - entry->begin, size);
      return FALSE;
    }

  entry->name = g_strdup (name);
  return TRUE;
}

static gboolean
read_metadata (JsonNode          *node,
               TesseraStateDict  *state_dict,
               GError           **error)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      tessera_corrupt (error, _("__metadata__ is not an object"));
      return FALSE;
    }

  object = json_node_get_object (node);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          tessera_corrupt (error, _("__metadata__ “%s” is not a string"), key);
          return FALSE;
        }
      tessera_state_dict_set_metadata (state_dict, key, json_node_get_string (value));
    }

  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *x = a, *y = b;

  return (x->begin > y->begin) - (x->begin < y->begin);
}

static void
entry_clear (gpointer data)
{
  g_free (((Entry *) data)->name);
}

static TesseraStateDict *
load (GBytes  *contents,
      GError **error)
{
  g_autoptr(TesseraStateDict) state_dict = tessera_state_dict_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_autoptr(GError) json_error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (contents, &size);
  const guint8 *tensor_data;
  const char *duplicate;
  guint64 header_size, data_size, expected = 0;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  g_array_set_clear_func (entries, entry_clear);

  if (size < 8)
    {
      tessera_corrupt (error, _("the file is %zu bytes, too short for a header"), size);
      return NULL;
    }

  memcpy (&header_size, data, sizeof header_size);
  header_size = GUINT64_FROM_LE (header_size);
  if (header_size > MAX_HEADER_SIZE || header_size > size - 8)
    {
      tessera_corrupt (error, _("the header claims %" PRIu64 " bytes in a %zu-byte file"),
                   header_size, size);
      return NULL;
    }

  if (header_size < 2 || data[8] != '{' || !g_utf8_validate ((const char *) data + 8, header_size, NULL))
    {
      tessera_corrupt (error, _("the header is not a JSON object"));
      return NULL;
    }

  /* Tensors sit three levels deep: {"name": {"shape": [...]}}. */
  if (!tessera_json_nesting_fits ((const char *) data + 8, header_size, 8))
    {
      tessera_corrupt (error, _("the header nests too deep"));
      return NULL;
    }

  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), seen);
  if (!json_parser_load_from_data (parser, (const char *) data + 8, header_size, &json_error))
    {
      tessera_corrupt (error, _("the header is not valid JSON: %s"), json_error->message);
      return NULL;
    }

  duplicate = g_object_get_data (G_OBJECT (parser), "duplicate");
  if (duplicate != NULL)
    {
      tessera_corrupt (error, _("“%s” appears twice in the header"), duplicate);
      return NULL;
    }

  node = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      tessera_corrupt (error, _("the header is not a JSON object"));
      return NULL;
    }

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &node))
    {
      Entry entry = { 0 };

      if (g_str_equal (name, "__metadata__"))
        {
          if (!read_metadata (node, state_dict, error))
            return NULL;
          continue;
        }

      if (!parse_entry (name, node, &entry, error))
        return NULL;
      g_array_append_val (entries, entry);
    }

  /* The tensors must tile the data exactly: sorted, no gap, no overlap. */
  g_array_sort (entries, compare_entries);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (entry->begin != expected)
        {
          tessera_corrupt (error, _("“%s” starts at byte %" PRIu64 " of the data, not %" PRIu64),
                       entry->name, entry->begin, expected);
          return NULL;
        }
      expected = entry->end;
    }

  data_size = size - 8 - header_size;
  if (expected != data_size)
    {
      tessera_corrupt (error, _("the tensors cover %" PRIu64 " bytes of data, the file holds %" PRIu64),
                   expected, data_size);
      return NULL;
    }

  tensor_data = data + 8 + header_size;
  tessera_state_dict_keep (state_dict, contents);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (!tessera_state_dict_insert (state_dict, entry->name, entry->dtype, entry->n_dims,
                                      entry->shape, tensor_data + entry->begin, error))
        return NULL;
    }

  return g_steal_pointer (&state_dict);
}

TesseraStateDict *
tessera_safetensors_load (GBytes  *contents,
                          GError **error)
{
  TesseraStateDict *state_dict = load (contents, error);

  if (state_dict == NULL && error != NULL && g_error_matches (*error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT))
    g_prefix_error (error, _("invalid safetensors file: "));
  return state_dict;
}

/* Wider elements first, so that every tensor is aligned to its element
 * size in the file; the state dict's order otherwise. */
static int
compare_for_layout (gconstpointer a,
                    gconstpointer b)
{
  const TesseraTensor *x = *(const TesseraTensor **) a;
  const TesseraTensor *y = *(const TesseraTensor **) b;
  gsize sx = tessera_dtype_get_size (x->dtype), sy = tessera_dtype_get_size (y->dtype);

  return (sx < sy) - (sx > sy);
}

gboolean
tessera_safetensors_write (TesseraStateDict  *state_dict,
                           GOutputStream     *stream,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GString) header = NULL;
  g_autofree char *json = NULL;
  GHashTable *metadata = tessera_state_dict_get_metadata_table (state_dict);
  guint n = tessera_state_dict_get_n_tensors (state_dict);
  guint64 offset = 0, header_size;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (order, (gpointer) tessera_state_dict_get_nth (state_dict, i));
  g_ptr_array_sort (order, compare_for_layout);

  json_builder_begin_object (builder);
  if (g_hash_table_size (metadata) > 0)
    {
      g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (metadata), (GCompareFunc) strcmp);

      json_builder_set_member_name (builder, "__metadata__");
      json_builder_begin_object (builder);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          json_builder_set_member_name (builder, l->data);
          json_builder_add_string_value (builder, g_hash_table_lookup (metadata, l->data));
        }
      json_builder_end_object (builder);
    }

  for (guint i = 0; i < order->len; i++)
    {
      const TesseraTensor *tensor = g_ptr_array_index (order, i);
      gsize size = tessera_tensor_get_size (tensor);

      json_builder_set_member_name (builder, tensor->name);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, tessera_dtype_get_name (tensor->dtype));
      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (guint d = 0; d < tensor->n_dims; d++)
        json_builder_add_int_value (builder, tensor->shape[d]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, offset);
      json_builder_add_int_value (builder, offset + size);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      offset += size;
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  header = g_string_new (json);
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');

  header_size = GUINT64_TO_LE ((guint64) header->len);
  if (!g_output_stream_write_all (stream, &header_size, sizeof header_size, NULL, cancellable, error) ||
      !g_output_stream_write_all (stream, header->str, header->len, NULL, cancellable, error))
    return FALSE;

  for (guint i = 0; i < order->len; i++)
    {
      const TesseraTensor *tensor = g_ptr_array_index (order, i);

      if (!g_output_stream_write_all (stream, tensor->data, tessera_tensor_get_size (tensor),
                                      NULL, cancellable, error))
        return FALSE;
    }

  return TRUE;
}

/* An 8-byte little-endian header length that fits the file, then the
 * header's JSON object. */
static gboolean
safetensors_sniff (const guint8 *data,
                   gsize         size)
{
  guint64 header;

  if (size < 9)
    return FALSE;
  memcpy (&header, data, sizeof header);
  return GUINT64_FROM_LE (header) < size && data[8] == '{';
}

static TesseraStateDict *
safetensors_load (GBytes      *contents,
                  GBytes      *companion,
                  const char  *basename,
                  GError     **error)
{
  return tessera_safetensors_load (contents, error);
}

const TesseraFormatEntry tessera_safetensors_format = {
  .format = TESSERA_MODEL_FORMAT_SAFETENSORS,
  .id = "safetensors",
  .extensions = (const char * const[]) { ".safetensors", NULL },
  .sniff = safetensors_sniff,
  .load = safetensors_load,
};
