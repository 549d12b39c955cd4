/* tessera-weights.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-weights"

#include "config.h"

#include <string.h>

#include "tessera-memory-private.h"
#include "tessera-weights-private.h"

typedef struct
{
  const TesseraTensor *tensor;
  float               *floats;
} Weight;

struct _TesseraWeights
{
  TesseraStateDict *state_dict;
  GHashTable       *table;   /* name → Weight, every floating tensor */
  gsize             bytes;
};

static void
weight_free (gpointer data)
{
  Weight *weight = data;

  tessera_free_large (weight->floats, MAX (weight->tensor->n_elements, 1) * sizeof (float));
  g_free (weight);
}

/* Converts every floating tensor of @state_dict; NULL when there is not
 * enough memory for them. */
TesseraWeights *
tessera_weights_new (TesseraStateDict *state_dict)
{
  g_autoptr(TesseraWeights) self = g_new0 (TesseraWeights, 1);

  self->state_dict = tessera_state_dict_ref (state_dict);
  self->table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, weight_free);

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (state_dict); i++)
    {
      const TesseraTensor *tensor = tessera_state_dict_get_nth (state_dict, i);
      Weight *weight;

      if (!tessera_dtype_is_float (tensor->dtype))
        continue;

      weight = g_new0 (Weight, 1);
      weight->tensor = tensor;
      weight->floats = tessera_alloc_large (MAX (tensor->n_elements, 1) * sizeof (float));
      if (weight->floats == NULL)
        {
          weight_free (weight);
          return NULL;
        }
      tessera_tensor_to_floats (tensor, weight->floats);
      self->bytes += tensor->n_elements * sizeof (float);
      g_hash_table_insert (self->table, tensor->name, weight);
    }

  return g_steal_pointer (&self);
}

void
tessera_weights_free (TesseraWeights *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->table, g_hash_table_unref);
  g_clear_pointer (&self->state_dict, tessera_state_dict_unref);
  g_free (self);
}

/* A weight as float32, or NULL when there is no such floating tensor. */
const float *
tessera_weights_lookup (TesseraWeights *self,
                        const char     *name)
{
  Weight *weight = g_hash_table_lookup (self->table, name);

  return weight != NULL ? weight->floats : NULL;
}

gsize
tessera_weights_get_bytes (TesseraWeights *self)
{
  return self->bytes;
}

/* @weight × @self + (1 − @weight) × @other, into @self. Both must have the
 * same tensors; else @differing names the first that differs and nothing
 * changes. */
gboolean
tessera_weights_blend (TesseraWeights  *self,
                       TesseraWeights  *other,
                       float            weight,
                       const char     **differing)
{
  GHashTableIter iter;
  Weight *mine;

  g_hash_table_iter_init (&iter, self->table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mine))
    {
      Weight *theirs = g_hash_table_lookup (other->table, mine->tensor->name);

      if (theirs == NULL || theirs->tensor->n_elements != mine->tensor->n_elements ||
          theirs->tensor->n_dims != mine->tensor->n_dims ||
          memcmp (theirs->tensor->shape, mine->tensor->shape, mine->tensor->n_dims * sizeof (guint64)) != 0)
        {
          *differing = mine->tensor->name;
          return FALSE;
        }
    }

  g_hash_table_iter_init (&iter, self->table);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &mine))
    {
      Weight *theirs = g_hash_table_lookup (other->table, mine->tensor->name);

      for (guint64 i = 0; i < mine->tensor->n_elements; i++)
        mine->floats[i] = weight * mine->floats[i] + (1.f - weight) * theirs->floats[i];
    }

  return TRUE;
}
