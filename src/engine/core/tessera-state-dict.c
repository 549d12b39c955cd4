/* tessera-state-dict.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-state-dict"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-memory-private.h"
#include "tessera-state-dict-private.h"

/* A model's weights by name, as every format's loader produces them. The
 * tensors point into memory the state dict keeps alive: usually the model
 * file itself, mapped, so loading copies nothing. */
struct _TesseraStateDict
{
  GPtrArray  *tensors;    /* TesseraTensor *, in file order */
  GHashTable *by_name;
  GPtrArray  *backing;    /* GBytes the tensors point into */
  GHashTable *metadata;   /* char * → char * */
};

static const struct {
  const char *name;
  gsize       size;
  gboolean    is_float;
} dtypes[] = {
  [TESSERA_DTYPE_F32] = { "F32", 4, TRUE },
  [TESSERA_DTYPE_F16] = { "F16", 2, TRUE },
  [TESSERA_DTYPE_BF16] = { "BF16", 2, TRUE },
  [TESSERA_DTYPE_F64] = { "F64", 8, TRUE },
  [TESSERA_DTYPE_I64] = { "I64", 8, FALSE },
  [TESSERA_DTYPE_I32] = { "I32", 4, FALSE },
  [TESSERA_DTYPE_I16] = { "I16", 2, FALSE },
  [TESSERA_DTYPE_I8] = { "I8", 1, FALSE },
  [TESSERA_DTYPE_U8] = { "U8", 1, FALSE },
  [TESSERA_DTYPE_BOOL] = { "BOOL", 1, FALSE },
};

gsize
tessera_dtype_get_size (TesseraDType dtype)
{
  return dtypes[dtype].size;
}

/* The safetensors spelling: F32, F16, BF16, I64… */
const char *
tessera_dtype_get_name (TesseraDType dtype)
{
  return dtypes[dtype].name;
}

gboolean
tessera_dtype_from_name (const char   *name,
                         TesseraDType *dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (g_str_equal (name, dtypes[i].name))
      {
        *dtype = i;
        return TRUE;
      }

  return FALSE;
}

gboolean
tessera_dtype_is_float (TesseraDType dtype)
{
  return dtypes[dtype].is_float;
}

static void
tensor_free (gpointer data)
{
  TesseraTensor *tensor = data;

  g_free (tensor->name);
  g_free (tensor);
}

TesseraStateDict *
tessera_state_dict_new (void)
{
  TesseraStateDict *self = g_atomic_rc_box_new0 (TesseraStateDict);

  self->tensors = g_ptr_array_new_with_free_func (tensor_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->backing = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

TesseraStateDict *
tessera_state_dict_ref (TesseraStateDict *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
state_dict_clear (gpointer data)
{
  TesseraStateDict *self = data;

  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->tensors);
  g_ptr_array_unref (self->backing);
  g_hash_table_unref (self->metadata);
}

void
tessera_state_dict_unref (TesseraStateDict *self)
{
  g_atomic_rc_box_release_full (self, state_dict_clear);
}

/* Keeps @bytes alive as long as the state dict: tensors may point into it. */
void
tessera_state_dict_keep (TesseraStateDict *self,
                         GBytes           *bytes)
{
  g_ptr_array_add (self->backing, g_bytes_ref (bytes));
}

/* Takes a g_malloc'ed buffer that tensors will point into. */
const guint8 *
tessera_state_dict_take_buffer (TesseraStateDict *self,
                                gpointer          buffer,
                                gsize             size)
{
  g_ptr_array_add (self->backing, g_bytes_new_take (buffer, size));
  return buffer;
}

gboolean
tessera_state_dict_insert (TesseraStateDict  *self,
                           const char        *name,
                           TesseraDType       dtype,
                           guint              n_dims,
                           const guint64     *shape,
                           const guint8      *data,
                           GError           **error)
{
  TesseraTensor *tensor;
  guint64 n_elements = 1;

  if (g_hash_table_contains (self->by_name, name))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("two tensors are named “%s”"), name);
      return FALSE;
    }

  if (n_dims > TESSERA_TENSOR_MAX_DIMS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("tensor “%s” has %u dimensions"), name, n_dims);
      return FALSE;
    }

  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] > TESSERA_TENSOR_MAX_ELEMENTS ||
          (shape[i] > 0 && n_elements > TESSERA_TENSOR_MAX_ELEMENTS / shape[i]))
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                       _("tensor “%s” claims an impossible size"), name);
          return FALSE;
        }
      n_elements *= shape[i];
    }

  tensor = g_new0 (TesseraTensor, 1);
  tensor->name = g_strdup (name);
  tensor->dtype = dtype;
  tensor->n_dims = n_dims;
  memcpy (tensor->shape, shape, n_dims * sizeof (guint64));
  tensor->n_elements = n_elements;
  tensor->data = data;

  g_ptr_array_add (self->tensors, tensor);
  g_hash_table_insert (self->by_name, tensor->name, tensor);
  return TRUE;
}

guint
tessera_state_dict_get_n_tensors (TesseraStateDict *self)
{
  return self->tensors->len;
}

const TesseraTensor *
tessera_state_dict_get_nth (TesseraStateDict *self,
                            guint             index)
{
  g_return_val_if_fail (index < self->tensors->len, NULL);

  return g_ptr_array_index (self->tensors, index);
}

const TesseraTensor *
tessera_state_dict_lookup (TesseraStateDict *self,
                           const char       *name)
{
  return g_hash_table_lookup (self->by_name, name);
}

const char *
tessera_state_dict_get_metadata (TesseraStateDict *self,
                                 const char       *key)
{
  return g_hash_table_lookup (self->metadata, key);
}

void
tessera_state_dict_set_metadata (TesseraStateDict *self,
                                 const char       *key,
                                 const char       *value)
{
  if (value == NULL)
    g_hash_table_remove (self->metadata, key);
  else
    g_hash_table_replace (self->metadata, g_strdup (key), g_strdup (value));
}

GHashTable *
tessera_state_dict_get_metadata_table (TesseraStateDict *self)
{
  return self->metadata;
}

/* Strips @prefix (such as `module.`, left by DataParallel) when every name
 * has it. Returns %TRUE if it did. */
gboolean
tessera_state_dict_strip_prefix (TesseraStateDict *self,
                                 const char       *prefix)
{
  gsize length = strlen (prefix);

  if (self->tensors->len == 0)
    return FALSE;

  for (guint i = 0; i < self->tensors->len; i++)
    {
      TesseraTensor *tensor = g_ptr_array_index (self->tensors, i);

      if (!g_str_has_prefix (tensor->name, prefix) || tensor->name[length] == '\0')
        return FALSE;
    }

  g_hash_table_remove_all (self->by_name);
  for (guint i = 0; i < self->tensors->len; i++)
    {
      TesseraTensor *tensor = g_ptr_array_index (self->tensors, i);

      memmove (tensor->name, tensor->name + length, strlen (tensor->name) - length + 1);
      g_hash_table_insert (self->by_name, tensor->name, tensor);
    }

  return TRUE;
}

/* The tensors whose names start with @prefix, under their names without
 * it, in a state dict of their own that keeps the same memory alive: one
 * part of a file that holds several networks. Names that start with one
 * of @except (a %NULL-terminated list of prefixes, or %NULL) are left out. */
TesseraStateDict *
tessera_state_dict_extract (TesseraStateDict   *self,
                            const char         *prefix,
                            const char * const *except)
{
  TesseraStateDict *part = tessera_state_dict_new ();
  gsize length = strlen (prefix);

  for (guint i = 0; i < self->backing->len; i++)
    tessera_state_dict_keep (part, g_ptr_array_index (self->backing, i));

  for (guint i = 0; i < self->tensors->len; i++)
    {
      const TesseraTensor *tensor = g_ptr_array_index (self->tensors, i);
      gboolean excepted = FALSE;

      for (guint k = 0; except != NULL && except[k] != NULL && !excepted; k++)
        excepted = g_str_has_prefix (tensor->name, except[k]);
      if (excepted || !g_str_has_prefix (tensor->name, prefix) || tensor->name[length] == '\0')
        continue;

      /* Names are unique in @self, so they are in the part. */
      tessera_state_dict_insert (part, tensor->name + length, tensor->dtype, tensor->n_dims,
                                 tensor->shape, tensor->data, NULL);
    }

  return part;
}

/* The same names, dtypes, shapes and bytes; order and metadata aside. */
gboolean
tessera_state_dict_equal (TesseraStateDict *a,
                          TesseraStateDict *b)
{
  if (a->tensors->len != b->tensors->len)
    return FALSE;

  for (guint i = 0; i < a->tensors->len; i++)
    {
      const TesseraTensor *x = g_ptr_array_index (a->tensors, i);
      const TesseraTensor *y = tessera_state_dict_lookup (b, x->name);

      if (y == NULL || x->dtype != y->dtype || x->n_dims != y->n_dims ||
          memcmp (x->shape, y->shape, x->n_dims * sizeof (guint64)) != 0 ||
          memcmp (x->data, y->data, tessera_tensor_get_size (x)) != 0)
        return FALSE;
    }

  return TRUE;
}

gsize
tessera_tensor_get_size (const TesseraTensor *tensor)
{
  return tensor->n_elements * tessera_dtype_get_size (tensor->dtype);
}

static float
half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exponent = (h >> 10) & 0x1f;
  guint32 mantissa = h & 0x3ff;
  guint32 bits;
  float f;

  if (exponent == 0)
    {
      /* Zero or subnormal: the value is mantissa × 2^-24. */
      f = mantissa * (1.f / 16777216.f);
      return sign ? -f : f;
    }

  if (exponent == 31)
    bits = sign | 0x7f800000 | (mantissa << 13);
  else
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);

  memcpy (&f, &bits, sizeof f);
  return f;
}

/* Converts any element type to float; @tensor's data may be unaligned. */
#ifdef __FLT16_MAX__
/* With F16C (x86-64-v3), a vector instruction per eight values. */
TESSERA_VECTORIZE static void
halves_to_floats (const _Float16 *in,
                  float          *out,
                  gsize           n)
{
  for (gsize i = 0; i < n; i++)
    out[i] = in[i];
}
#endif

void
tessera_tensor_to_floats (const TesseraTensor *tensor,
                          float               *out)
{
  const guint8 *p = tensor->data;
  gsize size = tessera_dtype_get_size (tensor->dtype);

  if (tensor->dtype == TESSERA_DTYPE_F32)
    {
      memcpy (out, p, tensor->n_elements * sizeof (float));
      return;
    }

#ifdef __FLT16_MAX__
  if (tensor->dtype == TESSERA_DTYPE_F16 && (guintptr) p % sizeof (_Float16) == 0)
    {
      halves_to_floats ((const _Float16 *) p, out, tensor->n_elements);
      return;
    }
#endif

  for (guint64 i = 0; i < tensor->n_elements; i++, p += size)
    {
      union { guint8 u8; gint8 i8; guint16 u16; gint16 i16; gint32 i32; gint64 i64; double f64; } v;
      guint32 bits;

      memcpy (&v, p, size);
      switch (tensor->dtype)
        {
        case TESSERA_DTYPE_F16:
          out[i] = half_to_float (v.u16);
          break;
        case TESSERA_DTYPE_BF16:
          bits = (guint32) v.u16 << 16;
          memcpy (&out[i], &bits, sizeof bits);
          break;
        case TESSERA_DTYPE_F64:
          out[i] = v.f64;
          break;
        case TESSERA_DTYPE_I64:
          out[i] = v.i64;
          break;
        case TESSERA_DTYPE_I32:
          out[i] = v.i32;
          break;
        case TESSERA_DTYPE_I16:
          out[i] = v.i16;
          break;
        case TESSERA_DTYPE_I8:
          out[i] = v.i8;
          break;
        case TESSERA_DTYPE_U8:
        case TESSERA_DTYPE_BOOL:
          out[i] = v.u8;
          break;
        case TESSERA_DTYPE_F32:
        default:
          g_assert_not_reached ();
        }
    }
}
