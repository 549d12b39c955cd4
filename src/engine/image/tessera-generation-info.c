/* tessera-generation-info.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-generation-info"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/tessera-error.h"
#include "tessera-generation-info.h"

/* A stand-in for the app's branch only, to be replaced by the full parser
 * at merge: it reads A1111's prompt, negative prompt and the last line's
 * keys and values, quoted or not. ComfyUI graphs are refused. */
struct _TesseraGenerationInfo
{
  GObject     parent_instance;

  char       *prompt;
  char       *negative_prompt;
  GPtrArray  *keys;      /* char *, in the text's order */
  GHashTable *values;    /* key → value */
};

G_DEFINE_FINAL_TYPE (TesseraGenerationInfo, tessera_generation_info, G_TYPE_OBJECT)

static void
tessera_generation_info_finalize (GObject *object)
{
  TesseraGenerationInfo *self = TESSERA_GENERATION_INFO (object);

  g_free (self->prompt);
  g_free (self->negative_prompt);
  g_ptr_array_unref (self->keys);
  g_hash_table_unref (self->values);

  G_OBJECT_CLASS (tessera_generation_info_parent_class)->finalize (object);
}

static void
tessera_generation_info_class_init (TesseraGenerationInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_generation_info_finalize;
}

static void
tessera_generation_info_init (TesseraGenerationInfo *self)
{
  self->keys = g_ptr_array_new_with_free_func (g_free);
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* "Key: value, Key: "quoted, value", …" */
static void
parse_settings (TesseraGenerationInfo *self,
                const char            *line)
{
  const char *p = line;

  while (*p != '\0')
    {
      const char *colon = strstr (p, ": ");
      const char *end;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (colon == NULL)
        return;
      key = g_strstrip (g_strndup (p, colon - p));
      p = colon + 2;
      if (*p == '"')
        {
          end = strchr (p + 1, '"');
          if (end == NULL)
            end = p + strlen (p);
          value = g_strndup (p + 1, end - p - 1);
          p = *end == '"' ? end + 1 : end;
          end = strchr (p, ',');
        }
      else
        {
          end = strstr (p, ", ");
          value = g_strndup (p, end != NULL ? (gsize) (end - p) : strlen (p));
        }
      if (!g_hash_table_contains (self->values, key))
        g_ptr_array_add (self->keys, g_strdup (key));
      g_hash_table_replace (self->values, g_steal_pointer (&key), g_steal_pointer (&value));
      if (end == NULL)
        return;
      p = end + 1;
      while (*p == ' ')
        p++;
    }
}

TesseraGenerationInfo *
tessera_generation_info_new_from_parameters (const char *parameters)
{
  g_autoptr(TesseraGenerationInfo) self = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) prompt = g_string_new (NULL);
  g_autoptr(GString) negative = NULL;
  int last;

  g_return_val_if_fail (parameters != NULL, NULL);

  lines = g_strsplit (parameters, "\n", -1);
  for (last = (int) g_strv_length (lines) - 1; last >= 0; last--)
    if (strstr (lines[last], "Steps: ") != NULL)
      break;
  if (last < 0)
    return NULL;

  self = g_object_new (TESSERA_TYPE_GENERATION_INFO, NULL);
  for (int i = 0; i < last; i++)
    {
      GString *part = negative != NULL ? negative : prompt;

      if (negative == NULL && g_str_has_prefix (lines[i], "Negative prompt: "))
        {
          negative = g_string_new (lines[i] + strlen ("Negative prompt: "));
          continue;
        }
      if (part->len > 0)
        g_string_append_c (part, '\n');
      g_string_append (part, lines[i]);
    }
  self->prompt = g_string_free (g_steal_pointer (&prompt), FALSE);
  self->negative_prompt = negative != NULL ? g_string_free (g_steal_pointer (&negative), FALSE) : g_strdup ("");
  parse_settings (self, lines[last]);
  return g_steal_pointer (&self);
}

TesseraGenerationInfo *
tessera_generation_info_new_for_image (TesseraImage *image)
{
  const char *parameters;

  g_return_val_if_fail (TESSERA_IS_IMAGE (image), NULL);

  parameters = tessera_image_get_text (image, "parameters");
  return parameters != NULL ? tessera_generation_info_new_from_parameters (parameters) : NULL;
}

TesseraGenerationInfo *
tessera_generation_info_new_from_comfyui (const char  *prompt_json,
                                          GError     **error)
{
  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT, "ComfyUI graphs are not read yet");
  return NULL;
}

TesseraGenerationSource
tessera_generation_info_get_source (TesseraGenerationInfo *self)
{
  return TESSERA_GENERATION_SOURCE_A1111;
}

const char *
tessera_generation_info_get_prompt (TesseraGenerationInfo *self)
{
  return self->prompt;
}

const char *
tessera_generation_info_get_negative_prompt (TesseraGenerationInfo *self)
{
  return self->negative_prompt;
}

const char *
tessera_generation_info_get_value (TesseraGenerationInfo *self,
                                   const char            *key)
{
  return g_hash_table_lookup (self->values, key);
}

static guint
get_uint (TesseraGenerationInfo *self,
          const char            *key)
{
  const char *value = g_hash_table_lookup (self->values, key);

  return value != NULL ? (guint) strtoul (value, NULL, 10) : 0;
}

guint
tessera_generation_info_get_steps (TesseraGenerationInfo *self)
{
  return get_uint (self, "Steps");
}

const char *
tessera_generation_info_get_sampler (TesseraGenerationInfo *self)
{
  return g_hash_table_lookup (self->values, "Sampler");
}

const char *
tessera_generation_info_get_schedule (TesseraGenerationInfo *self)
{
  return g_hash_table_lookup (self->values, "Schedule type");
}

double
tessera_generation_info_get_cfg (TesseraGenerationInfo *self)
{
  const char *value = g_hash_table_lookup (self->values, "CFG scale");

  return value != NULL ? g_ascii_strtod (value, NULL) : 0.0;
}

gint64
tessera_generation_info_get_seed (TesseraGenerationInfo *self)
{
  const char *value = g_hash_table_lookup (self->values, "Seed");

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : -1;
}

static guint
get_size (TesseraGenerationInfo *self,
          gboolean               height)
{
  const char *value = g_hash_table_lookup (self->values, "Size");
  const char *x = value != NULL ? strchr (value, 'x') : NULL;

  if (x == NULL)
    return 0;
  return (guint) strtoul (height ? x + 1 : value, NULL, 10);
}

guint
tessera_generation_info_get_width (TesseraGenerationInfo *self)
{
  return get_size (self, FALSE);
}

guint
tessera_generation_info_get_height (TesseraGenerationInfo *self)
{
  return get_size (self, TRUE);
}

const char *
tessera_generation_info_get_model (TesseraGenerationInfo *self)
{
  return g_hash_table_lookup (self->values, "Model");
}

const char *
tessera_generation_info_get_model_hash (TesseraGenerationInfo *self)
{
  return g_hash_table_lookup (self->values, "Model hash");
}

guint
tessera_generation_info_get_clip_skip (TesseraGenerationInfo *self)
{
  return get_uint (self, "Clip skip");
}

char **
tessera_generation_info_dup_keys (TesseraGenerationInfo *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->keys->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->keys, i));
  return g_strv_builder_end (builder);
}
