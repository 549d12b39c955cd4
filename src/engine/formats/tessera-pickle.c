/* tessera-pickle.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-pickle"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-pickle-private.h"

/* Python's pickle is a small stack machine. This one knows the opcodes of
 * protocols 2 to 5 that hold data, and of the globals only those that
 * rebuild tensors, and the inert ones below: nothing from the file is ever
 * called or imported. Every
 * value lives in an arena freed at once, so that cycles, which the memo
 * allows, can neither leak nor recurse. */

struct _Unpickler
{
  GPtrArray  *arena;      /* every PickleValue */
  GHashTable *storages;   /* key → PickleStorage */
};

typedef struct
{
  Unpickler    *unpickler;
  const guint8 *data;
  gsize         size;
  gsize         pos;
  GPtrArray    *stack;
  GArray       *marks;
  GHashTable   *memo;     /* index → PickleValue */
  GError      **error;
} Machine;

static const struct {
  const char   *module;
  const char   *name;
  PickleGlobal  which;
  TesseraDType  dtype;
} allowed_globals[] = {
  { "collections", "OrderedDict", GLOBAL_ORDERED_DICT },
  { "torch._utils", "_rebuild_tensor_v2", GLOBAL_REBUILD_TENSOR_V2 },
  { "torch._utils", "_rebuild_parameter", GLOBAL_REBUILD_PARAMETER },
  { "torch", "FloatStorage", GLOBAL_STORAGE, TESSERA_DTYPE_F32 },
  { "torch", "HalfStorage", GLOBAL_STORAGE, TESSERA_DTYPE_F16 },
  { "torch", "BFloat16Storage", GLOBAL_STORAGE, TESSERA_DTYPE_BF16 },
  { "torch", "DoubleStorage", GLOBAL_STORAGE, TESSERA_DTYPE_F64 },
  { "torch", "LongStorage", GLOBAL_STORAGE, TESSERA_DTYPE_I64 },
  { "torch", "IntStorage", GLOBAL_STORAGE, TESSERA_DTYPE_I32 },
  { "torch", "ShortStorage", GLOBAL_STORAGE, TESSERA_DTYPE_I16 },
  { "torch", "CharStorage", GLOBAL_STORAGE, TESSERA_DTYPE_I8 },
  { "torch", "ByteStorage", GLOBAL_STORAGE, TESSERA_DTYPE_U8 },
  { "torch", "BoolStorage", GLOBAL_STORAGE, TESSERA_DTYPE_BOOL },
  /* What PyTorch Lightning's training checkpoints (the original Stable
   * Diffusion files among them) keep beside the state dict, as A1111's
   * modules/safe.py lets them through: numpy scalars (numpy.dtype and
   * _codecs.encode make their bytes), a ModelCheckpoint callback as a dict
   * key, sets. A call of one of them makes an inert object; none holds a
   * weight. */
  { "torch._utils", "_rebuild_device_tensor_from_numpy", GLOBAL_INERT },
  { "torch", "float32", GLOBAL_INERT },
  { "torch.nn.modules.container", "ParameterDict", GLOBAL_INERT },
  { "numpy.core.multiarray", "scalar", GLOBAL_INERT },
  { "numpy.core.multiarray", "_reconstruct", GLOBAL_INERT },
  { "numpy", "dtype", GLOBAL_INERT },
  { "numpy", "ndarray", GLOBAL_INERT },
  { "_codecs", "encode", GLOBAL_INERT },
  { "pytorch_lightning.callbacks", "model_checkpoint", GLOBAL_INERT },
  { "pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint", GLOBAL_INERT },
  { "__builtin__", "set", GLOBAL_INERT },
};

/* The opcodes that could run code or reach objects outside the file. */
static const struct {
  guint8      opcode;
  const char *name;
} forbidden_opcodes[] = {
  { 'i', "INST" },
  { 'o', "OBJ" },
  { 0x81, "NEWOBJ" },
  { 0x92, "NEWOBJ_EX" },
  { 'P', "PERSID" },
  { 0x82, "EXT1" },
  { 0x83, "EXT2" },
  { 0x84, "EXT4" },
};

static void
value_free (gpointer data)
{
  PickleValue *value = data;

  switch (value->kind)
    {
    case PICKLE_STRING:
    case PICKLE_BYTES:
    case PICKLE_BIG_INT:
      g_free (value->string.data);
      break;
    case PICKLE_TUPLE:
    case PICKLE_LIST:
    case PICKLE_DICT:
      g_ptr_array_unref (value->items);
      break;
    case PICKLE_NONE:
    case PICKLE_BOOL:
    case PICKLE_INT:
    case PICKLE_FLOAT:
    case PICKLE_GLOBAL:
    case PICKLE_STORAGE:
    case PICKLE_TENSOR:
    case PICKLE_OBJECT:
    default:
      break;
    }
  g_free (value);
}

static void
storage_free (gpointer data)
{
  PickleStorage *storage = data;

  g_free (storage->key);
  g_free (storage);
}

Unpickler *
unpickler_new (void)
{
  Unpickler *self = g_new0 (Unpickler, 1);

  self->arena = g_ptr_array_new_with_free_func (value_free);
  self->storages = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, storage_free);
  return self;
}

void
unpickler_free (Unpickler *self)
{
  g_ptr_array_unref (self->arena);
  g_hash_table_unref (self->storages);
  g_free (self);
}

GHashTable *
unpickler_get_storages (Unpickler *self)
{
  return self->storages;
}

static const char *
kind_name (PickleKind kind)
{
  static const char *names[] = {
    "None", "bool", "int", "int", "float", "str", "bytes",
    "tuple", "list", "dict", "global", "storage", "tensor", "object",
  };

  return names[kind];
}

static PickleValue *
value_new (Machine    *m,
           PickleKind  kind)
{
  PickleValue *value = g_new0 (PickleValue, 1);

  value->kind = kind;
  if (kind == PICKLE_TUPLE || kind == PICKLE_LIST || kind == PICKLE_DICT)
    value->items = g_ptr_array_new ();
  g_ptr_array_add (m->unpickler->arena, value);
  return value;
}

static gboolean
fail (Machine    *m,
      int         code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (Machine    *m,
      int         code,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (*m->error != NULL)
    return FALSE;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (m->error, TESSERA_ERROR, code, _("%s (pickle byte %zu)"),
               message, m->pos);
  return FALSE;
}

static const guint8 *
take (Machine *m,
      gsize    n)
{
  const guint8 *p;

  if (n > m->size - m->pos)
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("the pickle ends too early"));
      return NULL;
    }

  p = m->data + m->pos;
  m->pos += n;
  return p;
}

static gboolean
take_le (Machine *m,
         gsize    n,
         guint64 *value)
{
  const guint8 *p = take (m, n);

  if (p == NULL)
    return FALSE;

  *value = 0;
  for (gsize i = 0; i < n; i++)
    *value |= (guint64) p[i] << (8 * i);
  return TRUE;
}

static void
push (Machine     *m,
      PickleValue *value)
{
  g_ptr_array_add (m->stack, value);
}

/* The stack below the innermost mark is out of reach. */
static gsize
stack_floor (Machine *m)
{
  return m->marks->len > 0 ? g_array_index (m->marks, guint, m->marks->len - 1) : 0;
}

static PickleValue *
pop (Machine *m)
{
  if (m->stack->len <= stack_floor (m))
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("the pickle pops from an empty stack"));
      return NULL;
    }

  return g_ptr_array_steal_index (m->stack, m->stack->len - 1);
}

static PickleValue *
top (Machine *m)
{
  if (m->stack->len <= stack_floor (m))
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("the pickle reads an empty stack"));
      return NULL;
    }

  return g_ptr_array_index (m->stack, m->stack->len - 1);
}

/* Moves what lies above the innermost mark into @target's items. */
static gboolean
pop_mark_into (Machine     *m,
               PickleValue *target)
{
  guint mark;

  if (m->marks->len == 0)
    return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle has no mark to pop to"));

  mark = g_array_index (m->marks, guint, m->marks->len - 1);
  g_array_set_size (m->marks, m->marks->len - 1);

  for (guint i = mark; i < m->stack->len; i++)
    g_ptr_array_add (target->items, g_ptr_array_index (m->stack, i));
  g_ptr_array_set_size (m->stack, mark);
  return TRUE;
}

static gboolean
keys_equal (PickleValue *a,
            PickleValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  if (a->kind == PICKLE_STRING)
    return a->string.length == b->string.length && memcmp (a->string.data, b->string.data, a->string.length) == 0;
  if (a->kind == PICKLE_INT)
    return a->integer == b->integer;
  return a == b;
}

static gboolean
dict_set (Machine     *m,
          PickleValue *dict,
          PickleValue *key,
          PickleValue *value)
{
  if (dict->kind != PICKLE_DICT)
    return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle sets an item of a %s"), kind_name (dict->kind));

  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    if (keys_equal (g_ptr_array_index (dict->items, i), key))
      {
        g_ptr_array_index (dict->items, i + 1) = value;
        return TRUE;
      }

  g_ptr_array_add (dict->items, key);
  g_ptr_array_add (dict->items, value);
  return TRUE;
}

PickleValue *
pickle_dict_lookup (PickleValue *dict,
                    const char  *key)
{
  gsize length = strlen (key);

  if (dict == NULL || dict->kind != PICKLE_DICT)
    return NULL;

  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    {
      PickleValue *k = g_ptr_array_index (dict->items, i);

      if (k->kind == PICKLE_STRING && k->string.length == length && memcmp (k->string.data, key, length) == 0)
        return g_ptr_array_index (dict->items, i + 1);
    }

  return NULL;
}

static gboolean
push_string (Machine    *m,
             PickleKind  kind,
             gsize       length_size)
{
  PickleValue *value;
  const guint8 *p;
  guint64 length;

  if (!take_le (m, length_size, &length) || (p = take (m, length)) == NULL)
    return FALSE;

  value = value_new (m, kind);
  value->string.data = g_malloc (length + 1);
  memcpy (value->string.data, p, length);
  value->string.data[length] = '\0';
  value->string.length = length;

  if (kind == PICKLE_STRING && !g_utf8_validate (value->string.data, length, NULL))
    return fail (m, TESSERA_ERROR_CORRUPT, _("a pickled string is not UTF-8"));

  push (m, value);
  return TRUE;
}

static gboolean
push_long (Machine *m,
           gsize    length_size)
{
  PickleValue *value;
  const guint8 *p;
  guint64 length;

  if (!take_le (m, length_size, &length) || (p = take (m, length)) == NULL)
    return FALSE;

  if (length <= 8)
    {
      guint64 bits = 0;

      for (guint i = 0; i < length; i++)
        bits |= (guint64) p[i] << (8 * i);
      /* Two's complement of `length` bytes, sign-extended. */
      if (length > 0 && length < 8 && (p[length - 1] & 0x80))
        bits |= G_MAXUINT64 << (8 * length);
      value = value_new (m, PICKLE_INT);
      value->integer = (gint64) bits;
    }
  else
    {
      value = value_new (m, PICKLE_BIG_INT);
      value->string.data = g_memdup2 (p, length);
      value->string.length = length;
    }

  push (m, value);
  return TRUE;
}

static gboolean
push_global (Machine    *m,
             const char *module,
             const char *name)
{
  PickleValue *value;

  for (guint i = 0; i < G_N_ELEMENTS (allowed_globals); i++)
    if (g_str_equal (module, allowed_globals[i].module) && g_str_equal (name, allowed_globals[i].name))
      {
        value = value_new (m, PICKLE_GLOBAL);
        value->global.which = allowed_globals[i].which;
        value->global.dtype = allowed_globals[i].dtype;
        push (m, value);
        return TRUE;
      }

  return fail (m, TESSERA_ERROR_FORBIDDEN,
               _("forbidden: the file asks for “%s.%s”; model files only rebuild tensors, "
                 "and Tessera runs no code from them"), module, name);
}

static char *
read_line (Machine *m)
{
  const guint8 *start = m->data + m->pos;
  const guint8 *end = memchr (start, '\n', m->size - m->pos);
  char *line;

  if (end == NULL)
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("the pickle ends too early"));
      return NULL;
    }

  line = g_strndup ((const char *) start, end - start);
  m->pos += end - start + 1;
  return line;
}

static gboolean
get_uint (PickleValue *value,
          guint64     *out)
{
  if (value == NULL || (value->kind != PICKLE_INT && value->kind != PICKLE_BOOL) ||
      (value->kind == PICKLE_INT && value->integer < 0))
    return FALSE;

  *out = value->kind == PICKLE_INT ? (guint64) value->integer : (guint64) value->boolean;
  return TRUE;
}

/* ('storage', torch.FloatStorage, key, location, n_elements[, view]) */
static gboolean
persistent_load (Machine *m)
{
  PickleValue *pid = pop (m);
  PickleValue *tag, *type, *key, *value;
  PickleStorage *storage;
  guint64 n_elements;

  if (pid == NULL)
    return FALSE;

  if (pid->kind != PICKLE_TUPLE || pid->items->len < 5)
    return fail (m, TESSERA_ERROR_CORRUPT, _("a persistent id is not a storage"));

  tag = g_ptr_array_index (pid->items, 0);
  type = g_ptr_array_index (pid->items, 1);
  key = g_ptr_array_index (pid->items, 2);

  if (tag->kind != PICKLE_STRING || !g_str_equal (tag->string.data, "storage") ||
      type->kind != PICKLE_GLOBAL || type->global.which != GLOBAL_STORAGE ||
      key->kind != PICKLE_STRING || !get_uint (g_ptr_array_index (pid->items, 4), &n_elements))
    return fail (m, TESSERA_ERROR_CORRUPT, _("a persistent id is not a storage"));

  if (n_elements > TESSERA_TENSOR_MAX_ELEMENTS)
    return fail (m, TESSERA_ERROR_CORRUPT, _("storage “%s” claims an impossible size"), key->string.data);

  storage = g_hash_table_lookup (m->unpickler->storages, key->string.data);
  if (storage == NULL)
    {
      storage = g_new0 (PickleStorage, 1);
      storage->key = g_strdup (key->string.data);
      storage->dtype = type->global.dtype;
      storage->n_elements = n_elements;
      g_hash_table_insert (m->unpickler->storages, storage->key, storage);
    }
  else if (storage->dtype != type->global.dtype || storage->n_elements != n_elements)
    return fail (m, TESSERA_ERROR_CORRUPT, _("storage “%s” is declared twice, differently"), storage->key);

  value = value_new (m, PICKLE_STORAGE);
  value->storage = storage;
  push (m, value);
  return TRUE;
}

/* _rebuild_tensor_v2 (storage, offset, size, stride, requires_grad, hooks[, metadata]) */
static PickleValue *
rebuild_tensor (Machine     *m,
                PickleValue *args)
{
  PickleValue *storage, *size, *stride, *tensor;
  guint64 offset, n_elements = 1, expected_stride = 1;

  if (args->items->len < 4)
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("a tensor is rebuilt with too few arguments"));
      return NULL;
    }

  storage = g_ptr_array_index (args->items, 0);
  size = g_ptr_array_index (args->items, 2);
  stride = g_ptr_array_index (args->items, 3);
  if (storage->kind != PICKLE_STORAGE || !get_uint (g_ptr_array_index (args->items, 1), &offset) ||
      size->kind != PICKLE_TUPLE || stride->kind != PICKLE_TUPLE ||
      size->items->len != stride->items->len || size->items->len > TESSERA_TENSOR_MAX_DIMS)
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("a tensor is rebuilt from invalid arguments"));
      return NULL;
    }

  tensor = value_new (m, PICKLE_TENSOR);
  tensor->tensor.storage = storage->storage;
  tensor->tensor.offset = offset;
  tensor->tensor.n_dims = size->items->len;

  for (guint i = 0; i < size->items->len; i++)
    if (!get_uint (g_ptr_array_index (size->items, i), &tensor->tensor.shape[i]) ||
        tensor->tensor.shape[i] > TESSERA_TENSOR_MAX_ELEMENTS ||
        (tensor->tensor.shape[i] > 0 && n_elements > TESSERA_TENSOR_MAX_ELEMENTS / tensor->tensor.shape[i]))
      {
        fail (m, TESSERA_ERROR_CORRUPT, _("a tensor has an invalid shape"));
        return NULL;
      }
    else
      n_elements *= tensor->tensor.shape[i];

  /* Row-major, without gaps; dimensions of size 1 may have any stride. */
  for (guint i = size->items->len; i > 0; i--)
    {
      guint64 s;

      if (!get_uint (g_ptr_array_index (stride->items, i - 1), &s))
        {
          fail (m, TESSERA_ERROR_CORRUPT, _("a tensor has an invalid stride"));
          return NULL;
        }
      if (tensor->tensor.shape[i - 1] != 1 && s != expected_stride)
        {
          fail (m, TESSERA_ERROR_UNSUPPORTED, _("a tensor is not stored contiguously"));
          return NULL;
        }
      expected_stride *= tensor->tensor.shape[i - 1];
    }

  if (offset > storage->storage->n_elements || n_elements > storage->storage->n_elements - offset)
    {
      fail (m, TESSERA_ERROR_CORRUPT, _("a tensor reaches beyond the end of storage “%s”"),
            storage->storage->key);
      return NULL;
    }

  return tensor;
}

static gboolean
reduce (Machine *m)
{
  PickleValue *args = pop (m);
  PickleValue *callable = pop (m);
  PickleValue *result = NULL;

  if (args == NULL || callable == NULL)
    return FALSE;

  if (callable->kind != PICKLE_GLOBAL || args->kind != PICKLE_TUPLE)
    return fail (m, TESSERA_ERROR_FORBIDDEN, _("forbidden: the pickle calls a %s"),
                 kind_name (callable->kind));

  switch (callable->global.which)
    {
    case GLOBAL_ORDERED_DICT:
      result = value_new (m, PICKLE_DICT);
      if (args->items->len == 1 && ((PickleValue *) g_ptr_array_index (args->items, 0))->kind == PICKLE_LIST)
        {
          GPtrArray *pairs = ((PickleValue *) g_ptr_array_index (args->items, 0))->items;

          for (guint i = 0; i < pairs->len; i++)
            {
              PickleValue *pair = g_ptr_array_index (pairs, i);

              if (pair->kind != PICKLE_TUPLE || pair->items->len != 2 ||
                  !dict_set (m, result, g_ptr_array_index (pair->items, 0), g_ptr_array_index (pair->items, 1)))
                return fail (m, TESSERA_ERROR_CORRUPT, _("an OrderedDict is built from invalid items"));
            }
        }
      break;

    case GLOBAL_REBUILD_TENSOR_V2:
      result = rebuild_tensor (m, args);
      break;

    case GLOBAL_REBUILD_PARAMETER:
      if (args->items->len < 1 || ((PickleValue *) g_ptr_array_index (args->items, 0))->kind != PICKLE_TENSOR)
        return fail (m, TESSERA_ERROR_CORRUPT, _("a parameter is rebuilt from something that is not a tensor"));
      result = g_ptr_array_index (args->items, 0);
      break;

    case GLOBAL_INERT:
      result = value_new (m, PICKLE_OBJECT);
      break;

    case GLOBAL_STORAGE:
    default:
      return fail (m, TESSERA_ERROR_FORBIDDEN, _("forbidden: the pickle calls a storage type"));
    }

  if (result == NULL)
    return FALSE;

  push (m, result);
  return TRUE;
}

static gboolean
memo_get (Machine *m,
          guint64  index)
{
  PickleValue *value = g_hash_table_lookup (m->memo, GSIZE_TO_POINTER (index + 1));

  if (value == NULL)
    return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle reads memo %" PRIu64 ", which is empty"), index);

  push (m, value);
  return TRUE;
}

static gboolean
memo_put (Machine *m,
          guint64  index)
{
  PickleValue *value = top (m);

  if (value == NULL)
    return FALSE;

  g_hash_table_insert (m->memo, GSIZE_TO_POINTER (index + 1), value);
  return TRUE;
}

static gboolean
step (Machine *m,
      gboolean *stop)
{
  const guint8 *p = take (m, 1);
  PickleValue *value, *key, *target;
  guint64 n;
  guint8 opcode;

  if (p == NULL)
    return FALSE;
  opcode = *p;

  switch (opcode)
    {
    case 0x80: /* PROTO */
      if ((p = take (m, 1)) == NULL)
        return FALSE;
      if (*p > 5)
        return fail (m, TESSERA_ERROR_UNSUPPORTED, _("pickle protocol %u is not supported"), *p);
      return TRUE;

    case 0x95: /* FRAME */
      return take (m, 8) != NULL;

    case '.': /* STOP */
      *stop = TRUE;
      return TRUE;

    case 'N': /* NONE */
      push (m, value_new (m, PICKLE_NONE));
      return TRUE;

    case 0x88: /* NEWTRUE */
    case 0x89: /* NEWFALSE */
      value = value_new (m, PICKLE_BOOL);
      value->boolean = opcode == 0x88;
      push (m, value);
      return TRUE;

    case 'K': /* BININT1 */
    case 'M': /* BININT2 */
    case 'J': /* BININT */
      if (!take_le (m, opcode == 'K' ? 1 : opcode == 'M' ? 2 : 4, &n))
        return FALSE;
      value = value_new (m, PICKLE_INT);
      value->integer = opcode == 'J' ? (gint64) (gint32) (guint32) n : (gint64) n;
      push (m, value);
      return TRUE;

    case 0x8a: /* LONG1 */
      return push_long (m, 1);

    case 0x8b: /* LONG4 */
      return push_long (m, 4);

    case 'G': /* BINFLOAT, big-endian */
      {
        guint64 bits = 0;

        if ((p = take (m, 8)) == NULL)
          return FALSE;
        for (guint i = 0; i < 8; i++)
          bits = bits << 8 | p[i];
        value = value_new (m, PICKLE_FLOAT);
        memcpy (&value->number, &bits, sizeof bits);
        push (m, value);
        return TRUE;
      }

    case 0x8c: /* SHORT_BINUNICODE */
      return push_string (m, PICKLE_STRING, 1);
    case 'X': /* BINUNICODE */
      return push_string (m, PICKLE_STRING, 4);
    case 0x8d: /* BINUNICODE8 */
      return push_string (m, PICKLE_STRING, 8);
    case 'C': /* SHORT_BINBYTES */
      return push_string (m, PICKLE_BYTES, 1);
    case 'B': /* BINBYTES */
      return push_string (m, PICKLE_BYTES, 4);
    case 0x8e: /* BINBYTES8 */
      return push_string (m, PICKLE_BYTES, 8);

    case ')': /* EMPTY_TUPLE */
      push (m, value_new (m, PICKLE_TUPLE));
      return TRUE;
    case ']': /* EMPTY_LIST */
      push (m, value_new (m, PICKLE_LIST));
      return TRUE;
    case '}': /* EMPTY_DICT */
      push (m, value_new (m, PICKLE_DICT));
      return TRUE;

    case '(': /* MARK */
      {
        guint mark = m->stack->len;

        g_array_append_val (m->marks, mark);
        return TRUE;
      }

    case 't': /* TUPLE */
      value = value_new (m, PICKLE_TUPLE);
      if (!pop_mark_into (m, value))
        return FALSE;
      push (m, value);
      return TRUE;

    case 0x85: /* TUPLE1 */
    case 0x86: /* TUPLE2 */
    case 0x87: /* TUPLE3 */
      {
        guint count = opcode - 0x84;

        if (m->stack->len < stack_floor (m) + count)
          return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle pops from an empty stack"));
        value = value_new (m, PICKLE_TUPLE);
        for (guint i = m->stack->len - count; i < m->stack->len; i++)
          g_ptr_array_add (value->items, g_ptr_array_index (m->stack, i));
        g_ptr_array_set_size (m->stack, m->stack->len - count);
        push (m, value);
        return TRUE;
      }

    case 'a': /* APPEND */
      if ((value = pop (m)) == NULL || (target = top (m)) == NULL)
        return FALSE;
      if (target->kind != PICKLE_LIST)
        return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle appends to a %s"), kind_name (target->kind));
      g_ptr_array_add (target->items, value);
      return TRUE;

    case 'e': /* APPENDS */
      {
        g_autoptr(GPtrArray) items = g_ptr_array_new ();
        PickleValue holder = { .kind = PICKLE_LIST, .items = items };

        if (!pop_mark_into (m, &holder) || (target = top (m)) == NULL)
          return FALSE;
        if (target->kind != PICKLE_LIST)
          return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle appends to a %s"), kind_name (target->kind));
        g_ptr_array_extend (target->items, items, NULL, NULL);
        return TRUE;
      }

    case 's': /* SETITEM */
      if ((value = pop (m)) == NULL || (key = pop (m)) == NULL || (target = top (m)) == NULL)
        return FALSE;
      return dict_set (m, target, key, value);

    case 'u': /* SETITEMS */
      {
        g_autoptr(GPtrArray) items = g_ptr_array_new ();
        PickleValue holder = { .kind = PICKLE_LIST, .items = items };

        if (!pop_mark_into (m, &holder) || (target = top (m)) == NULL)
          return FALSE;
        if (items->len % 2 != 0)
          return fail (m, TESSERA_ERROR_CORRUPT, _("the pickle sets a key without a value"));
        for (guint i = 0; i < items->len; i += 2)
          if (!dict_set (m, target, g_ptr_array_index (items, i), g_ptr_array_index (items, i + 1)))
            return FALSE;
        return TRUE;
      }

    case 'q': /* BINPUT */
      return take_le (m, 1, &n) && memo_put (m, n);
    case 'r': /* LONG_BINPUT */
      return take_le (m, 4, &n) && memo_put (m, n);
    case 0x94: /* MEMOIZE */
      return memo_put (m, g_hash_table_size (m->memo));
    case 'h': /* BINGET */
      return take_le (m, 1, &n) && memo_get (m, n);
    case 'j': /* LONG_BINGET */
      return take_le (m, 4, &n) && memo_get (m, n);

    case 'c': /* GLOBAL */
      {
        g_autofree char *module = read_line (m);
        g_autofree char *name = module ? read_line (m) : NULL;

        return name != NULL && push_global (m, module, name);
      }

    case 0x93: /* STACK_GLOBAL */
      {
        PickleValue *name = pop (m);
        PickleValue *module = name ? pop (m) : NULL;

        if (module == NULL)
          return FALSE;
        if (module->kind != PICKLE_STRING || name->kind != PICKLE_STRING)
          return fail (m, TESSERA_ERROR_CORRUPT, _("STACK_GLOBAL needs two strings"));
        return push_global (m, module->string.data, name->string.data);
      }

    case 'R': /* REDUCE */
      return reduce (m);

    case 'Q': /* BINPERSID */
      return persistent_load (m);

    case 'b': /* BUILD: only an OrderedDict's attributes or an inert object's state, ignored */
      if ((value = pop (m)) == NULL || (target = top (m)) == NULL)
        return FALSE;
      if (target->kind != PICKLE_DICT && target->kind != PICKLE_OBJECT)
        return fail (m, TESSERA_ERROR_FORBIDDEN, _("forbidden: the pickle sets the state of a %s"),
                     kind_name (target->kind));
      return TRUE;

    default:
      for (guint i = 0; i < G_N_ELEMENTS (forbidden_opcodes); i++)
        if (forbidden_opcodes[i].opcode == opcode)
          return fail (m, TESSERA_ERROR_FORBIDDEN, _("forbidden pickle opcode %s"), forbidden_opcodes[i].name);
      return fail (m, TESSERA_ERROR_UNSUPPORTED, _("unsupported pickle opcode 0x%02x"), opcode);
    }
}

/**
 * unpickler_load:
 * @data: bytes that start with a pickle
 * @consumed: (out): how many bytes the pickle took, up to its STOP
 *
 * Returns: (transfer none): the pickled value, owned by the unpickler
 */
PickleValue *
unpickler_load (Unpickler     *self,
                const guint8  *data,
                gsize          size,
                gsize         *consumed,
                GError       **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) memo = g_hash_table_new (NULL, NULL);
  GError *local_error = NULL;
  Machine m = { self, data, size, 0, stack, marks, memo, &local_error };
  gboolean stop = FALSE;
  PickleValue *result;

  while (!stop)
    if (!step (&m, &stop))
      {
        g_propagate_error (error, local_error);
        return NULL;
      }

  if (stack->len != 1 || marks->len != 0)
    {
      fail (&m, TESSERA_ERROR_CORRUPT, _("the pickle stops with %u values on its stack"), stack->len);
      g_propagate_error (error, local_error);
      return NULL;
    }

  result = g_ptr_array_index (stack, 0);
  *consumed = m.pos;
  return result;
}
