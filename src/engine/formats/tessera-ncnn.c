/* tessera-ncnn.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-ncnn"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-formats-private.h"
#include "tessera-ncnn-private.h"

/* ncnn's .param is text: magic 7767517, layer and blob counts, then a line
 * per layer: type, name, input and output counts, blob names, key=value
 * parameters. The .bin is every layer's weights in order, each weight array
 * behind a tag that says fp16 or fp32. */

#define NCNN_MAGIC 7767517
#define MAX_LAYERS 100000
#define MAX_LAYER_BLOBS 1024
#define MAX_ARRAY_LENGTH 1048576

#define TAG_FP16 0x01306B47u
#define TAG_INT8 0x000D4B38u
#define TAG_FP32 0x0002C056u

/* Layers that carry no weights; any other type must be known to be read. */
static const char *weightless_types[] = {
  "AbsVal", "BinaryOp", "Clip", "Concat", "Crop", "Dropout", "Eltwise", "Flatten", "HardSigmoid",
  "HardSwish", "Input", "Interp", "Noop", "Padding", "Permute", "PixelShuffle", "Pooling", "ReLU",
  "Reorg", "Reshape", "Sigmoid", "Slice", "Softmax", "Split", "Swish", "TanH", "UnaryOp",
};

static void
layer_free (gpointer data)
{
  NcnnLayer *layer = data;

  g_free (layer->type);
  g_free (layer->name);
  g_array_unref (layer->inputs);
  g_array_unref (layer->outputs);
  for (guint i = 0; i < NCNN_MAX_PARAMS; i++)
    g_clear_pointer (&layer->array[i], g_array_unref);
  g_free (layer);
}

void
ncnn_graph_free (NcnnGraph *graph)
{
  g_ptr_array_unref (graph->layers);
  g_free (graph);
}

/* An integer parameter; a value no int can hold (found by fuzzing: 2e80)
 * counts as absent, which the callers then refuse. */
int
ncnn_layer_int (NcnnLayer *layer,
                guint      id,
                int        fallback)
{
  double value;

  if (id >= NCNN_MAX_PARAMS || !layer->has[id] || layer->is_array[id])
    return fallback;

  value = layer->value[id];
  return value >= G_MININT && value <= G_MAXINT ? (int) value : fallback;
}

double
ncnn_layer_float (NcnnLayer *layer,
                  guint      id,
                  double     fallback)
{
  return id < NCNN_MAX_PARAMS && layer->has[id] && !layer->is_array[id] ? layer->value[id] : fallback;
}

static gboolean
param_error (GError     **error,
             guint        line,
             const char  *format,
             ...) G_GNUC_PRINTF (3, 4);

static gboolean
param_error (GError     **error,
             guint        line,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("invalid .param, line %u: %s"), line, message);
  return FALSE;
}

/* ncnn reads a value as a float when it has a dot or an exponent. */
static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  errno = 0;
  if (strpbrk (text, ".eE") != NULL)
    *value = g_ascii_strtod (text, &end);
  else
    *value = (double) g_ascii_strtoll (text, &end, 10);

  return end != text && *end == '\0' && errno == 0;
}

static gboolean
parse_param (NcnnLayer   *layer,
             const char  *token,
             guint        line,
             GError     **error)
{
  const char *equals = strchr (token, '=');
  g_autofree char *key_text = NULL;
  gint64 key;
  guint id;
  char *end;

  if (equals == NULL)
    return param_error (error, line, _("“%s” is not key=value"), token);

  key_text = g_strndup (token, equals - token);
  key = g_ascii_strtoll (key_text, &end, 10);
  if (*end != '\0' || end == key_text)
    return param_error (error, line, _("“%s” is not key=value"), token);

  /* Bounded before any arithmetic: -key overflows for the smallest int64. */
  if (key < -23300 - NCNN_MAX_PARAMS + 1 || key >= NCNN_MAX_PARAMS)
    return param_error (error, line, _("parameter id %" PRId64 " is out of range"), key);

  if (key <= -23300)
    {
      g_auto(GStrv) items = g_strsplit (equals + 1, ",", -1);
      gint64 length;

      id = -key - 23300;
      if (id >= NCNN_MAX_PARAMS || items[0] == NULL)
        return param_error (error, line, _("invalid array parameter “%s”"), token);

      length = g_ascii_strtoll (items[0], &end, 10);
      if (*end != '\0' || length < 0 || length > MAX_ARRAY_LENGTH || g_strv_length (items) != (guint) length + 1)
        return param_error (error, line, _("array parameter “%s” has the wrong length"), token);

      g_clear_pointer (&layer->array[id], g_array_unref);
      layer->array[id] = g_array_sized_new (FALSE, FALSE, sizeof (double), length);
      for (gint64 i = 0; i < length; i++)
        {
          double v;

          if (!parse_number (items[i + 1], &v))
            return param_error (error, line, _("“%s” is not a number"), items[i + 1]);
          g_array_append_val (layer->array[id], v);
        }
      layer->is_array[id] = TRUE;
    }
  else
    {
      if (key < 0 || key >= NCNN_MAX_PARAMS)
        return param_error (error, line, _("parameter id %" PRId64 " is out of range"), key);
      id = key;
      if (!parse_number (equals + 1, &layer->value[id]))
        return param_error (error, line, _("“%s” is not a number"), equals + 1);
      layer->is_array[id] = FALSE;
    }

  layer->has[id] = TRUE;
  return TRUE;
}

static guint
blob_index (GHashTable *blobs,
            const char *name)
{
  gpointer index;

  if (!g_hash_table_lookup_extended (blobs, name, NULL, &index))
    {
      index = GUINT_TO_POINTER (g_hash_table_size (blobs));
      g_hash_table_insert (blobs, g_strdup (name), index);
    }

  return GPOINTER_TO_UINT (index);
}

static gboolean
parse_param_text (NcnnGraph  *graph,
                  GBytes     *param,
                  GError    **error)
{
  g_autoptr(GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize size;
  const char *data = g_bytes_get_data (param, &size);
  gint64 magic, layer_count, blob_count;
  guint64 count;
  guint line_number = 0, n_layers = 0;

  if (memchr (data, '\0', size) != NULL || !g_utf8_validate (data, size, NULL))
    return param_error (error, 1, _("the file is not text"));

  text = g_strndup (data, size);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) tokens = NULL;
      NcnnLayer *layer;
      guint n_in, n_out, t = 0;

      g_strstrip (lines[i]);
      line_number = i + 1;
      if (lines[i][0] == '\0')
        continue;

      tokens = g_strsplit_set (lines[i], " \t", -1);
      /* Runs of blanks make empty tokens: drop them. */
      for (guint r = 0, w = 0;; r++)
        {
          if (tokens[r] != NULL && tokens[r][0] == '\0')
            {
              g_free (tokens[r]);
              continue;
            }
          tokens[w++] = tokens[r];
          if (tokens[r] == NULL)
            break;
        }

      if (i == 0)
        {
          if (g_strv_length (tokens) != 1 || !g_ascii_string_to_signed (tokens[0], 10, 0, G_MAXINT, &magic, NULL) ||
              magic != NCNN_MAGIC)
            {
              g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                           _("not an ncnn .param file (no magic number 7767517)"));
              return FALSE;
            }
          continue;
        }

      if (i == 1)
        {
          if (g_strv_length (tokens) != 2 ||
              !g_ascii_string_to_signed (tokens[0], 10, 1, MAX_LAYERS, &layer_count, NULL) ||
              !g_ascii_string_to_signed (tokens[1], 10, 1, MAX_LAYERS * 4, &blob_count, NULL))
            return param_error (error, line_number, _("invalid layer and blob counts"));
          continue;
        }

      if (g_strv_length (tokens) < 4)
        return param_error (error, line_number, _("a layer needs a type, a name and blob counts"));

      if (n_layers == layer_count)
        return param_error (error, line_number, _("more layers than the %" PRId64 " announced"), layer_count);

      if (!g_ascii_string_to_unsigned (tokens[2], 10, 0, MAX_LAYER_BLOBS, &count, NULL))
        return param_error (error, line_number, _("invalid input count"));
      n_in = count;
      if (!g_ascii_string_to_unsigned (tokens[3], 10, 0, MAX_LAYER_BLOBS, &count, NULL))
        return param_error (error, line_number, _("invalid output count"));
      n_out = count;
      if (g_strv_length (tokens) < 4 + n_in + n_out)
        return param_error (error, line_number, _("fewer blob names than announced"));

      layer = g_new0 (NcnnLayer, 1);
      layer->type = g_strdup (tokens[0]);
      layer->name = g_strdup (tokens[1]);
      layer->inputs = g_array_new (FALSE, FALSE, sizeof (guint));
      layer->outputs = g_array_new (FALSE, FALSE, sizeof (guint));
      g_ptr_array_add (graph->layers, layer);
      n_layers++;

      t = 4;
      for (guint k = 0; k < n_in; k++, t++)
        {
          guint index = blob_index (blobs, tokens[t]);
          g_array_append_val (layer->inputs, index);
        }
      for (guint k = 0; k < n_out; k++, t++)
        {
          guint index = blob_index (blobs, tokens[t]);
          g_array_append_val (layer->outputs, index);
        }
      for (; tokens[t] != NULL; t++)
        if (!parse_param (layer, tokens[t], line_number, error))
          return FALSE;
    }

  if (line_number < 2 || n_layers != layer_count)
    return param_error (error, line_number, _("%u layers where %" PRId64 " were announced (truncated?)"),
                        n_layers, line_number < 2 ? 0 : layer_count);

  if (g_hash_table_size (blobs) > (guint) blob_count)
    return param_error (error, line_number, _("more blobs than the %" PRId64 " announced"), blob_count);

  graph->n_blobs = g_hash_table_size (blobs);
  return TRUE;
}

typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} BinReader;

static gboolean
bin_error (GError     **error,
           NcnnLayer   *layer,
           const char  *format,
           ...) G_GNUC_PRINTF (3, 4);

static gboolean
bin_error (GError     **error,
           NcnnLayer   *layer,
           const char  *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, _("invalid .bin at layer %s: %s"),
               layer->name, message);
  return FALSE;
}

/* A weight array behind its 4-byte tag (ncnn's ModelBin type 0). */
static gboolean
read_tagged (BinReader  *reader,
             NcnnLayer  *layer,
             guint64     n_elements,
             GError    **error)
{
  NcnnBlob *blob = &layer->weights[layer->n_weights];
  guint32 tag;
  guint64 bytes;

  if (reader->size - reader->pos < 4)
    return bin_error (error, layer, _("the .bin ends too early"));

  memcpy (&tag, reader->data + reader->pos, 4);
  tag = GUINT32_FROM_LE (tag);
  reader->pos += 4;

  if (tag == TAG_FP16)
    {
      blob->dtype = TESSERA_DTYPE_F16;
      bytes = (n_elements * 2 + 3) & ~(guint64) 3;
    }
  else if (tag == TAG_FP32 || tag == 0)
    {
      blob->dtype = TESSERA_DTYPE_F32;
      bytes = n_elements * 4;
    }
  else if (tag == TAG_INT8)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("layer %s has int8 weights, which Tessera does not read"), layer->name);
      return FALSE;
    }
  else
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("layer %s has table-quantised or unknown weights (tag 0x%08x)"), layer->name, tag);
      return FALSE;
    }

  if (bytes > reader->size - reader->pos)
    return bin_error (error, layer, _("the .bin ends too early"));

  blob->n_elements = n_elements;
  blob->data = reader->data + reader->pos;
  reader->pos += bytes;
  layer->n_weights++;
  return TRUE;
}

/* Raw fp32 without a tag (ModelBin type 1): biases, slopes, scales. */
static gboolean
read_raw (BinReader  *reader,
          NcnnLayer  *layer,
          guint64     n_elements,
          GError    **error)
{
  NcnnBlob *blob = &layer->weights[layer->n_weights];

  if (n_elements * 4 > reader->size - reader->pos)
    return bin_error (error, layer, _("the .bin ends too early"));

  blob->dtype = TESSERA_DTYPE_F32;
  blob->n_elements = n_elements;
  blob->data = reader->data + reader->pos;
  reader->pos += n_elements * 4;
  layer->n_weights++;
  return TRUE;
}

static gboolean
read_layer_weights (BinReader  *reader,
                    NcnnLayer  *layer,
                    GError    **error)
{
  const char *type = layer->type;

  if (g_str_equal (type, "Convolution") || g_str_equal (type, "Deconvolution") ||
      g_str_equal (type, "ConvolutionDepthWise") || g_str_equal (type, "DeconvolutionDepthWise") ||
      g_str_equal (type, "InnerProduct"))
    {
      gboolean inner_product = g_str_equal (type, "InnerProduct");
      int n_outputs = ncnn_layer_int (layer, 0, 0);
      int bias_term = ncnn_layer_int (layer, inner_product ? 1 : 5, 0);
      int weight_size = ncnn_layer_int (layer, inner_product ? 2 : 6, 0);

      if (ncnn_layer_int (layer, 8, 0) != 0)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("layer %s is int8-quantised, which Tessera does not read"), layer->name);
          return FALSE;
        }
      if (n_outputs <= 0 || weight_size <= 0 || weight_size % n_outputs != 0)
        return bin_error (error, layer, _("invalid output count or weight size"));

      return read_tagged (reader, layer, weight_size, error) &&
             (!bias_term || read_raw (reader, layer, n_outputs, error));
    }

  if (g_str_equal (type, "PReLU"))
    {
      int n_slopes = ncnn_layer_int (layer, 0, 0);

      if (n_slopes <= 0)
        return bin_error (error, layer, _("invalid slope count"));
      return read_raw (reader, layer, n_slopes, error);
    }

  if (g_str_equal (type, "Scale"))
    {
      int scale_size = ncnn_layer_int (layer, 0, 0);

      /* -233: the scale comes from a second input, not from the file. */
      if (scale_size == -233)
        return TRUE;
      if (scale_size <= 0)
        return bin_error (error, layer, _("invalid scale size"));
      return read_raw (reader, layer, scale_size, error) &&
             (!ncnn_layer_int (layer, 1, 0) || read_raw (reader, layer, scale_size, error));
    }

  if (g_str_equal (type, "BatchNorm"))
    {
      int channels = ncnn_layer_int (layer, 0, 0);

      if (channels <= 0)
        return bin_error (error, layer, _("invalid channel count"));
      for (guint i = 0; i < 4; i++)
        if (!read_raw (reader, layer, channels, error))
          return FALSE;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (weightless_types); i++)
    if (g_str_equal (type, weightless_types[i]))
      return TRUE;

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("ncnn layer type %s (layer %s) is not supported"), type, layer->name);
  return FALSE;
}

NcnnGraph *
ncnn_graph_parse (GBytes  *param,
                  GBytes  *bin,
                  GError **error)
{
  g_autoptr(NcnnGraph) graph = g_new0 (NcnnGraph, 1);
  BinReader reader = { 0 };

  graph->layers = g_ptr_array_new_with_free_func (layer_free);
  if (!parse_param_text (graph, param, error))
    return NULL;

  reader.data = g_bytes_get_data (bin, &reader.size);
  for (guint i = 0; i < graph->layers->len; i++)
    if (!read_layer_weights (&reader, g_ptr_array_index (graph->layers, i), error))
      return NULL;

  if (reader.pos != reader.size)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("the .bin holds %zu bytes more than the .param uses"),
                   reader.size - reader.pos);
      return NULL;
    }

  return g_steal_pointer (&graph);
}

TesseraStateDict *
tessera_ncnn_load (GBytes  *param,
                   GBytes  *bin,
                   GError **error)
{
  g_autoptr(TesseraStateDict) state_dict = tessera_state_dict_new ();
  g_autoptr(NcnnGraph) graph = ncnn_graph_parse (param, bin, error);

  if (graph == NULL)
    return NULL;

  tessera_state_dict_keep (state_dict, bin);
  if (!ncnn_graph_to_state_dict (graph, state_dict, error))
    return NULL;

  return g_steal_pointer (&state_dict);
}

static gboolean
ncnn_sniff (const guint8 *data,
            gsize         size)
{
  return size >= 7 && memcmp (data, "7767517", 7) == 0;
}

static TesseraStateDict *
ncnn_load (GBytes      *contents,
           GBytes      *companion,
           const char  *basename,
           GError     **error)
{
  return tessera_ncnn_load (contents, companion, error);
}

const TesseraFormatEntry tessera_ncnn_format = {
  .format = TESSERA_MODEL_FORMAT_NCNN,
  .id = "ncnn",
  .extensions = (const char * const[]) { ".param", NULL },
  .companion = ".bin",
  .sniff = ncnn_sniff,
  .load = ncnn_load,
};
