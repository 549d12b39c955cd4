/* tessera-generation-info.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-generation-info"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "core/tessera-error.h"
#include "tessera-generation-info.h"

/**
 * TesseraGenerationInfo:
 *
 * How an image was generated, as the program that made it wrote it down:
 * the prompts and the generation's parameters.
 *
 * Parameters are kept as text under A1111's labels ("Steps", "Sampler",
 * "CFG scale", "Size"...), in the order the file gives them; ComfyUI's
 * graphs are read into the same labels. The typed getters read the
 * common ones.
 */
struct _TesseraGenerationInfo
{
  GObject                  parent_instance;

  TesseraGenerationSource  source;
  char                    *prompt;
  char                    *negative_prompt;
  GPtrArray               *keys;      /* in file order, each once */
  GHashTable              *values;    /* key → value, the last one written */
};

G_DEFINE_FINAL_TYPE (TesseraGenerationInfo, tessera_generation_info, G_TYPE_OBJECT)

/* modules/infotext_utils.py of AUTOMATIC1111/stable-diffusion-webui, as it
 * is: a key, a colon, and a value in double quotes (with backslash
 * escapes) or up to the next comma. */
#define A1111_PARAM_PATTERN "\\s*(\\w[\\w \\-/]+):\\s*(\"(?:\\\\.|[^\\\\\"])+\"|[^,]*)(?:,|$)"
#define A1111_SIZE_PATTERN  "^(\\d+)x(\\d+)$"

/* A1111 reads parameters from the last line only when it holds at least
 * this many pairs; otherwise the line belongs to the prompt. */
#define A1111_MIN_PARAMS 3

/* Links in a ComfyUI graph are followed this far, no further: a graph
 * may loop. */
#define COMFYUI_MAX_HOPS 32

static void
tessera_generation_info_finalize (GObject *object)
{
  TesseraGenerationInfo *self = (TesseraGenerationInfo *) object;

  g_clear_pointer (&self->prompt, g_free);
  g_clear_pointer (&self->negative_prompt, g_free);
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_hash_table_unref);

  G_OBJECT_CLASS (tessera_generation_info_parent_class)->finalize (object);
}

static void
tessera_generation_info_class_init (TesseraGenerationInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_generation_info_finalize;
}

static void
tessera_generation_info_init (TesseraGenerationInfo *self)
{
  self->keys = g_ptr_array_new_with_free_func (g_free);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

/* Like a Python dict: a key written again takes the new value and keeps
 * its place. */
static void
set_value (TesseraGenerationInfo *self,
           const char            *key,
           const char            *value)
{
  if (!g_hash_table_contains (self->values, key))
    g_ptr_array_add (self->keys, g_strdup (key));

  for (guint i = 0; i < self->keys->len; i++)
    if (g_str_equal (g_ptr_array_index (self->keys, i), key))
      {
        g_hash_table_replace (self->values, g_ptr_array_index (self->keys, i), g_strdup (value));
        break;
      }
}

/* Python's str.strip(): Unicode white space at both ends. */
static char *
strip_dup (const char *text,
           gssize      length)
{
  const char *start = text;
  const char *end = length < 0 ? text + strlen (text) : text + length;

  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  while (end > start)
    {
      const char *last = g_utf8_find_prev_char (start, end);

      if (last == NULL || !g_unichar_isspace (g_utf8_get_char (last)))
        break;
      end = last;
    }

  return g_strndup (start, end - start);
}

static void
append_unichar (GString  *out,
                gunichar  c)
{
  /* Python keeps a lone surrogate; UTF-8 cannot. */
  if (c >= 0xd800 && c <= 0xdfff)
    c = 0xfffd;
  g_string_append_unichar (out, c);
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

static gboolean
read_hex4 (const char *p,
           gunichar   *value)
{
  *value = 0;
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return FALSE;
      *value = *value * 16 + digit;
    }

  return TRUE;
}

/* json.loads() of a text in double quotes, as A1111's unquote() calls
 * it: %NULL where Python raises (an unknown escape, a raw control
 * character, anything after the closing quote), and A1111 then keeps the
 * text as written. */
static char *
json_unquote (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text + 1;

  for (;;)
    {
      guchar c = *p;

      if (c == '\0' || c < 0x20)
        return NULL;

      if (c == '"')
        return p[1] == '\0' ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;

      if (c != '\\')
        {
          g_string_append_c (out, c);
          p++;
          continue;
        }

      switch (p[1])
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar value, low;

            if (!read_hex4 (p + 2, &value))
              return NULL;
            p += 6;
            if (value >= 0xd800 && value <= 0xdbff && p[0] == '\\' && p[1] == 'u'
                && read_hex4 (p + 2, &low) && low >= 0xdc00 && low <= 0xdfff)
              {
                value = 0x10000 + ((value - 0xd800) << 10) + (low - 0xdc00);
                p += 6;
              }
            append_unichar (out, value);
            continue;
          }
        default:
          return NULL;
        }
      p += 2;
    }
}

static GRegex *
a1111_param_regex (void)
{
  static GRegex *regex;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      regex = g_regex_new (A1111_PARAM_PATTERN, G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&once, 1);
    }

  return regex;
}

static GRegex *
a1111_size_regex (void)
{
  static GRegex *regex;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      regex = g_regex_new (A1111_SIZE_PATTERN, 0, 0, NULL);
      g_once_init_leave (&once, 1);
    }

  return regex;
}

static guint
count_params (const char *line)
{
  g_autoptr(GMatchInfo) match = NULL;
  guint count = 0;

  g_regex_match (a1111_param_regex (), line, 0, &match);
  while (g_match_info_matches (match))
    {
      count++;
      g_match_info_next (match, NULL);
    }

  return count;
}

static void
parse_params (TesseraGenerationInfo *self,
              const char            *line)
{
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (a1111_param_regex (), line, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *key = g_match_info_fetch (match, 1);
      g_autofree char *value = g_match_info_fetch (match, 2);
      gsize length = strlen (value);

      /* A1111 skips an empty value (it fails on value[0]). */
      if (length > 0)
        {
          char *unquoted = NULL;

          if (value[0] == '"' && value[length - 1] == '"')
            unquoted = json_unquote (value);
          set_value (self, key, unquoted != NULL ? unquoted : value);
          g_free (unquoted);
        }

      g_match_info_next (match, NULL);
    }
}

/**
 * tessera_generation_info_new_from_parameters:
 * @parameters: the text of an A1111 `parameters` chunk
 *
 * Reads @parameters as A1111's parse_generation_parameters() does: the
 * prompt's lines, the negative prompt's from the line that starts with
 * "Negative prompt:", and the `Key: value` pairs of the last line (when
 * it holds at least three; otherwise it is part of the prompt).
 *
 * Returns: (transfer full): the generation info
 */
TesseraGenerationInfo *
tessera_generation_info_new_from_parameters (const char *parameters)
{
  g_autoptr(TesseraGenerationInfo) self = NULL;
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(GString) negative_prompt = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_lines;
  gboolean done_with_prompt = FALSE;

  g_return_val_if_fail (parameters != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (parameters, -1, NULL), NULL);

  self = g_object_new (TESSERA_TYPE_GENERATION_INFO, NULL);
  self->source = TESSERA_GENERATION_SOURCE_A1111;

  text = strip_dup (parameters, -1);
  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);

  if (n_lines > 0 && count_params (lines[n_lines - 1]) >= A1111_MIN_PARAMS)
    {
      n_lines--;
      parse_params (self, lines[n_lines]);
    }

  for (guint i = 0; i < n_lines; i++)
    {
      g_autofree char *line = strip_dup (lines[i], -1);
      const char *rest = line;
      g_autofree char *negative = NULL;
      GString *target;

      if (g_str_has_prefix (line, "Negative prompt:"))
        {
          done_with_prompt = TRUE;
          rest = negative = strip_dup (line + strlen ("Negative prompt:"), -1);
        }

      target = done_with_prompt ? negative_prompt : prompt;
      if (target->len > 0)
        g_string_append_c (target, '\n');
      g_string_append (target, rest);
    }

  self->prompt = g_string_free (g_steal_pointer (&prompt), FALSE);
  self->negative_prompt = g_string_free (g_steal_pointer (&negative_prompt), FALSE);

  return g_steal_pointer (&self);
}

/* ComfyUI's API graph: an object of nodes by id, each with a class_type
 * and inputs; an input is a value or a link, [node id, output index]. */

static JsonObject *
comfyui_node (JsonObject *graph,
              const char *id)
{
  JsonNode *node = json_object_get_member (graph, id);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static const char *
comfyui_class (JsonObject *node)
{
  JsonNode *member = json_object_get_member (node, "class_type");

  if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
    return "";

  return json_node_get_string (member);
}

static JsonObject *
comfyui_inputs (JsonObject *node)
{
  JsonNode *member = json_object_get_member (node, "inputs");

  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    return NULL;

  return json_node_get_object (member);
}

/* The node an input links to, or %NULL where it is a plain value. */
static JsonObject *
comfyui_follow (JsonObject *graph,
                JsonObject *inputs,
                const char *name)
{
  JsonNode *member = inputs ? json_object_get_member (inputs, name) : NULL;
  JsonArray *link;
  JsonNode *id;
  char number[32];

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    return NULL;

  link = json_node_get_array (member);
  if (json_array_get_length (link) != 2)
    return NULL;

  id = json_array_get_element (link, 0);
  if (json_node_get_value_type (id) == G_TYPE_STRING)
    return comfyui_node (graph, json_node_get_string (id));
  if (json_node_get_value_type (id) == G_TYPE_INT64)
    {
      g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, json_node_get_int (id));
      return comfyui_node (graph, number);
    }

  return NULL;
}

static gboolean
is_scalar (JsonNode *node,
           GType     type)
{
  GType value_type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  value_type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return value_type == G_TYPE_STRING;

  return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;
}

/* An input's value: written in place, or the output of a node that only
 * holds a value (a seed, a string or a number node), found under the same
 * name or as the node's first value of the type. */
static JsonNode *
comfyui_value (JsonObject *graph,
               JsonObject *inputs,
               const char *name,
               GType       type)
{
  for (guint hop = 0; inputs != NULL && hop < COMFYUI_MAX_HOPS; hop++)
    {
      JsonNode *member = json_object_get_member (inputs, name);
      JsonObject *source;
      g_autoptr(GList) members = NULL;

      if (is_scalar (member, type))
        return member;

      source = comfyui_follow (graph, inputs, name);
      inputs = source ? comfyui_inputs (source) : NULL;
      if (inputs == NULL)
        return NULL;

      member = json_object_get_member (inputs, name);
      if (member != NULL)
        continue;

      members = json_object_get_members (inputs);
      for (GList *l = members; l != NULL; l = l->next)
        if (is_scalar (json_object_get_member (inputs, l->data), type))
          return json_object_get_member (inputs, l->data);

      return NULL;
    }

  return NULL;
}

static char *
comfyui_value_text (JsonNode *node)
{
  if (node == NULL)
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

static void
set_comfyui_value (TesseraGenerationInfo *self,
                   const char            *key,
                   JsonObject            *graph,
                   JsonObject            *inputs,
                   const char            *name,
                   GType                  type)
{
  g_autofree char *text = comfyui_value_text (comfyui_value (graph, inputs, name, type));

  if (text != NULL)
    set_value (self, key, text);
}

/* The text of the prompt that reaches a sampler's conditioning input,
 * through nodes that pass conditioning on (ControlNet, areas, combines:
 * the first conditioning they take). */
static char *
comfyui_prompt (JsonObject  *graph,
                JsonObject  *sampler_inputs,
                const char  *name,
                JsonObject **encoder)
{
  static const char * const passed_on[] = { "conditioning", "conditioning_1", "conditioning_to", NULL };
  static const char * const texts[] = { "text", "text_g", "prompt", NULL };
  JsonObject *node = comfyui_follow (graph, sampler_inputs, name);

  for (guint hop = 0; node != NULL && hop < COMFYUI_MAX_HOPS; hop++)
    {
      JsonObject *inputs = comfyui_inputs (node);
      JsonObject *next = NULL;

      if (inputs == NULL)
        return NULL;

      for (guint i = 0; texts[i] != NULL; i++)
        {
          JsonNode *text = comfyui_value (graph, inputs, texts[i], G_TYPE_STRING);

          if (text != NULL)
            {
              *encoder = inputs;
              return g_strdup (json_node_get_string (text));
            }
        }

      next = comfyui_follow (graph, inputs, name);
      for (guint i = 0; next == NULL && passed_on[i] != NULL; i++)
        next = comfyui_follow (graph, inputs, passed_on[i]);
      node = next;
    }

  return NULL;
}

/* The first node up a chain of one input (a model through LoRAs, a
 * latent through upscales) that has @key. */
static JsonObject *
comfyui_find_up (JsonObject *graph,
                 JsonObject *inputs,
                 const char *link_name,
                 const char *key)
{
  JsonObject *node = comfyui_follow (graph, inputs, link_name);

  for (guint hop = 0; node != NULL && hop < COMFYUI_MAX_HOPS; hop++)
    {
      JsonObject *node_inputs = comfyui_inputs (node);

      if (node_inputs == NULL)
        return NULL;
      if (json_object_has_member (node_inputs, key))
        return node_inputs;
      node = comfyui_follow (graph, node_inputs, link_name);
    }

  return NULL;
}

/* The sampler that made the image: with several (a second pass), the one
 * with the lowest id, which ComfyUI's default workflows give the first. */
static JsonObject *
comfyui_find_sampler (JsonObject *graph)
{
  g_autoptr(GList) ids = json_object_get_members (graph);
  JsonObject *best = NULL;
  gint64 best_id = G_MAXINT64;

  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonObject *node = comfyui_node (graph, l->data);
      const char *class_type;
      gint64 id;

      if (node == NULL)
        continue;

      class_type = comfyui_class (node);
      if (!g_str_equal (class_type, "KSampler") && !g_str_equal (class_type, "KSamplerAdvanced"))
        continue;

      id = g_ascii_strtoll (l->data, NULL, 10);
      if (best == NULL || id < best_id)
        {
          best = node;
          best_id = id;
        }
    }

  return best;
}

/**
 * tessera_generation_info_new_from_comfyui:
 * @prompt_json: the text of a ComfyUI `prompt` chunk: the graph in
 *   ComfyUI's API format
 * @error: return location for a #GError
 *
 * Reads the generation from the graph's sampler (KSampler or
 * KSamplerAdvanced): its seed, steps, CFG scale, sampler and scheduler,
 * the texts of the CLIPTextEncode nodes its positive and negative inputs
 * come from, the checkpoint its model comes from, and the size of the
 * empty latent it starts from. They are kept under A1111's labels.
 *
 * Returns: (transfer full) (nullable): the generation info, or %NULL when
 *   the text is not a ComfyUI graph with a sampler
 */
TesseraGenerationInfo *
tessera_generation_info_new_from_comfyui (const char  *prompt_json,
                                          GError     **error)
{
  g_autoptr(TesseraGenerationInfo) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) json_error = NULL;
  JsonObject *graph, *sampler, *inputs, *source;
  JsonObject *encoder = NULL, *negative_encoder = NULL;
  JsonNode *root, *width, *height, *denoise, *clip_layer;
  gboolean advanced;

  g_return_val_if_fail (prompt_json != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!json_parser_load_from_data (parser, prompt_json, -1, &json_error))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("ComfyUI prompt: not valid JSON (%s)"), json_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("ComfyUI prompt: not a graph of nodes"));
      return NULL;
    }

  graph = json_node_get_object (root);
  sampler = comfyui_find_sampler (graph);
  inputs = sampler ? comfyui_inputs (sampler) : NULL;
  if (inputs == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("ComfyUI prompt: the graph has no KSampler node"));
      return NULL;
    }
  advanced = g_str_equal (comfyui_class (sampler), "KSamplerAdvanced");

  self = g_object_new (TESSERA_TYPE_GENERATION_INFO, NULL);
  self->source = TESSERA_GENERATION_SOURCE_COMFYUI;
  self->prompt = comfyui_prompt (graph, inputs, "positive", &encoder);
  self->negative_prompt = comfyui_prompt (graph, inputs, "negative", &negative_encoder);
  if (self->prompt == NULL)
    self->prompt = g_strdup ("");
  if (self->negative_prompt == NULL)
    self->negative_prompt = g_strdup ("");

  set_comfyui_value (self, "Steps", graph, inputs, "steps", G_TYPE_INT64);
  set_comfyui_value (self, "Sampler", graph, inputs, "sampler_name", G_TYPE_STRING);
  set_comfyui_value (self, "Schedule type", graph, inputs, "scheduler", G_TYPE_STRING);
  set_comfyui_value (self, "CFG scale", graph, inputs, "cfg", G_TYPE_DOUBLE);
  set_comfyui_value (self, "Seed", graph, inputs, advanced ? "noise_seed" : "seed", G_TYPE_INT64);

  source = comfyui_find_up (graph, inputs, "latent_image", "width");
  width = source ? comfyui_value (graph, source, "width", G_TYPE_INT64) : NULL;
  height = source ? comfyui_value (graph, source, "height", G_TYPE_INT64) : NULL;
  if (width != NULL && height != NULL)
    {
      g_autofree char *w = comfyui_value_text (width);
      g_autofree char *h = comfyui_value_text (height);
      g_autofree char *size = g_strdup_printf ("%sx%s", w, h);

      set_value (self, "Size", size);
    }

  source = comfyui_find_up (graph, inputs, "model", "ckpt_name");
  if (source == NULL)
    source = comfyui_find_up (graph, inputs, "model", "unet_name");
  if (source != NULL)
    {
      set_comfyui_value (self, "Model", graph, source, "ckpt_name", G_TYPE_STRING);
      if (!g_hash_table_contains (self->values, "Model"))
        set_comfyui_value (self, "Model", graph, source, "unet_name", G_TYPE_STRING);
    }

  denoise = comfyui_value (graph, inputs, "denoise", G_TYPE_DOUBLE);
  if (denoise != NULL && json_node_get_double (denoise) != 1.0)
    set_comfyui_value (self, "Denoising strength", graph, inputs, "denoise", G_TYPE_DOUBLE);

  /* CLIPSetLastLayer's -2 is A1111's clip skip 2. */
  source = encoder ? comfyui_find_up (graph, encoder, "clip", "stop_at_clip_layer") : NULL;
  clip_layer = source ? comfyui_value (graph, source, "stop_at_clip_layer", G_TYPE_INT64) : NULL;
  if (clip_layer != NULL && json_node_get_value_type (clip_layer) == G_TYPE_INT64
      && json_node_get_int (clip_layer) < 0)
    {
      g_autofree char *clip_skip = g_strdup_printf ("%" G_GINT64_FORMAT, -json_node_get_int (clip_layer));

      set_value (self, "Clip skip", clip_skip);
    }

  return g_steal_pointer (&self);
}

/**
 * tessera_generation_info_new_for_image:
 * @image: an image
 *
 * Reads the generation info the image's metadata holds: A1111's
 * `parameters` text chunk, else ComfyUI's `prompt` chunk, else the
 * `Comment` the loader read from a JPEG or WebP file's EXIF UserComment
 * (where A1111 writes its parameters in those formats), when it is made
 * of A1111 parameters.
 *
 * Returns: (transfer full) (nullable): the generation info, or %NULL when
 *   the image has none
 */
TesseraGenerationInfo *
tessera_generation_info_new_for_image (TesseraImage *image)
{
  const char *text;

  g_return_val_if_fail (TESSERA_IS_IMAGE (image), NULL);

  text = tessera_image_get_text (image, "parameters");
  if (text != NULL)
    return tessera_generation_info_new_from_parameters (text);

  text = tessera_image_get_text (image, "prompt");
  if (text != NULL)
    {
      g_autoptr(GError) error = NULL;
      TesseraGenerationInfo *info = tessera_generation_info_new_from_comfyui (text, &error);

      if (info != NULL)
        return info;
      g_debug ("%s", error->message);
    }

  /* Any program may write a comment: only A1111's parameters count. */
  text = tessera_image_get_text (image, "Comment");
  if (text != NULL)
    {
      g_autoptr(TesseraGenerationInfo) info = tessera_generation_info_new_from_parameters (text);

      if (info->keys->len > 0)
        return g_steal_pointer (&info);
    }

  return NULL;
}

/**
 * tessera_generation_info_get_source:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: what the info was read from
 */
TesseraGenerationSource
tessera_generation_info_get_source (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), TESSERA_GENERATION_SOURCE_A1111);

  return self->source;
}

/**
 * tessera_generation_info_get_prompt:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the prompt, lines joined by "\n"; empty when there is none
 */
const char *
tessera_generation_info_get_prompt (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  return self->prompt;
}

/**
 * tessera_generation_info_get_negative_prompt:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the negative prompt; empty when there is none
 */
const char *
tessera_generation_info_get_negative_prompt (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  return self->negative_prompt;
}

/**
 * tessera_generation_info_get_value:
 * @self: a #TesseraGenerationInfo
 * @key: a label, such as "Steps" or "Lora hashes"
 *
 * Returns: (nullable): the value written under @key (the last one, when
 *   the file repeats it), unquoted
 */
const char *
tessera_generation_info_get_value (TesseraGenerationInfo *self,
                                   const char            *key)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->values, key);
}

/**
 * tessera_generation_info_dup_keys:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: (transfer full): every label that has a value, in the order
 *   the file first gives them
 */
char **
tessera_generation_info_dup_keys (TesseraGenerationInfo *self)
{
  GStrvBuilder *builder;
  char **keys;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->keys->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->keys, i));
  keys = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return keys;
}

static gboolean
parse_unsigned (const char *text,
                guint64     max,
                guint64    *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/**
 * tessera_generation_info_get_steps:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the number of sampling steps, or 0 when not written
 */
guint
tessera_generation_info_get_steps (TesseraGenerationInfo *self)
{
  guint64 steps;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), 0);

  return parse_unsigned (tessera_generation_info_get_value (self, "Steps"), G_MAXUINT, &steps) ? steps : 0;
}

/**
 * tessera_generation_info_get_sampler:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: (nullable): the sampler's label as written: A1111's
 *   ("DPM++ 2M", or "DPM++ 2M Karras" in files before 1.9) or ComfyUI's
 *   ("dpmpp_2m")
 */
const char *
tessera_generation_info_get_sampler (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  return tessera_generation_info_get_value (self, "Sampler");
}

/**
 * tessera_generation_info_get_schedule:
 * @self: a #TesseraGenerationInfo
 *
 * The noise schedule: A1111's "Schedule type" (1.9 and later), the end
 * of an older sampler's label ("DPM++ 2M Karras"), or ComfyUI's scheduler.
 *
 * Returns: (nullable): the schedule's label, or %NULL when not written
 */
const char *
tessera_generation_info_get_schedule (TesseraGenerationInfo *self)
{
  static const char * const suffixes[] = { "Karras", "Exponential", NULL };
  const char *schedule, *sampler;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  schedule = tessera_generation_info_get_value (self, "Schedule type");
  if (schedule != NULL)
    return schedule;

  sampler = tessera_generation_info_get_sampler (self);
  if (sampler == NULL || self->source != TESSERA_GENERATION_SOURCE_A1111)
    return NULL;

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      gsize length = strlen (sampler), suffix_length = strlen (suffixes[i]);

      if (length > suffix_length && sampler[length - suffix_length - 1] == ' '
          && g_str_has_suffix (sampler, suffixes[i]))
        return suffixes[i];
    }

  return NULL;
}

/**
 * tessera_generation_info_get_cfg:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the CFG scale, or 0 when not written
 */
double
tessera_generation_info_get_cfg (TesseraGenerationInfo *self)
{
  const char *text;
  char *end = NULL;
  double cfg;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), 0);

  text = tessera_generation_info_get_value (self, "CFG scale");
  if (text == NULL)
    return 0;

  cfg = g_ascii_strtod (text, &end);
  if (end == text)
    return 0;

  return cfg;
}

/**
 * tessera_generation_info_get_seed:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the seed, or -1 (a random seed, as A1111 writes it) when not
 *   written or not a 64-bit integer
 */
gint64
tessera_generation_info_get_seed (TesseraGenerationInfo *self)
{
  const char *text;
  gint64 seed;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), -1);

  text = tessera_generation_info_get_value (self, "Seed");
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &seed, NULL))
    return -1;

  return seed;
}

static gboolean
get_size (TesseraGenerationInfo *self,
          guint                 *width,
          guint                 *height)
{
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *w = NULL;
  g_autofree char *h = NULL;
  const char *size = tessera_generation_info_get_value (self, "Size");
  guint64 value;

  if (size == NULL || !g_regex_match (a1111_size_regex (), size, 0, &match))
    return FALSE;

  w = g_match_info_fetch (match, 1);
  h = g_match_info_fetch (match, 2);
  if (!parse_unsigned (w, G_MAXUINT, &value))
    return FALSE;
  *width = value;
  if (!parse_unsigned (h, G_MAXUINT, &value))
    return FALSE;
  *height = value;

  return TRUE;
}

/**
 * tessera_generation_info_get_width:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the width the generation was made at ("Size"), or 0 when not
 *   written
 */
guint
tessera_generation_info_get_width (TesseraGenerationInfo *self)
{
  guint width = 0, height = 0;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), 0);

  return get_size (self, &width, &height) ? width : 0;
}

/**
 * tessera_generation_info_get_height:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the height the generation was made at, or 0 when not written
 */
guint
tessera_generation_info_get_height (TesseraGenerationInfo *self)
{
  guint width = 0, height = 0;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), 0);

  return get_size (self, &width, &height) ? height : 0;
}

/**
 * tessera_generation_info_get_model:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: (nullable): the checkpoint's name as written
 */
const char *
tessera_generation_info_get_model (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  return tessera_generation_info_get_value (self, "Model");
}

/**
 * tessera_generation_info_get_model_hash:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: (nullable): the checkpoint's hash as A1111 writes it
 */
const char *
tessera_generation_info_get_model_hash (TesseraGenerationInfo *self)
{
  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), NULL);

  return tessera_generation_info_get_value (self, "Model hash");
}

/**
 * tessera_generation_info_get_clip_skip:
 * @self: a #TesseraGenerationInfo
 *
 * Returns: the clip skip; 1 (none) when not written, as A1111 reads it
 */
guint
tessera_generation_info_get_clip_skip (TesseraGenerationInfo *self)
{
  guint64 clip_skip;

  g_return_val_if_fail (TESSERA_IS_GENERATION_INFO (self), 1);

  if (!parse_unsigned (tessera_generation_info_get_value (self, "Clip skip"), G_MAXUINT, &clip_skip)
      || clip_skip == 0)
    return 1;

  return clip_skip;
}
