/* tessera-pth.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-pth"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-formats-private.h"
#include "tessera-pickle-private.h"

/* PyTorch's .pth comes in two containers: a zip of STORED
 * members, `DIR/data.pkl` plus one `DIR/data/KEY` per storage, and the
 * legacy run of five pickles followed by the storages' bytes. Both hold the
 * same pickle, read by the restricted unpickler; tensors point into the file. */

#define MAX_ZIP_ENTRIES 100000

static const guint8 legacy_magic[] = { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 };

/* Wrappers around the state dict in the files that occur, the preferred
 * first. */
static const char *wrappers[] = { "params_ema", "params", "state_dict", "model", "net" };

typedef struct
{
  char  *name;
  gsize  offset;
  gsize  size;
} ZipMember;

static void
zip_member_free (gpointer data)
{
  ZipMember *member = data;

  g_free (member->name);
  g_free (member);
}

/* [offset, offset + length) lies within [0, size), without overflow. */
static gboolean
in_file (guint64 offset,
         guint64 length,
         gsize   size)
{
  return offset <= size && length <= size - offset;
}

static guint64
le (const guint8 *p,
    guint         n)
{
  guint64 value = 0;

  for (guint i = 0; i < n; i++)
    value |= (guint64) p[i] << (8 * i);
  return value;
}

/* Finds the zip64 size fields a central directory entry left at 0xffffffff. */
static gboolean
read_zip64_extra (const guint8 *extra,
                  gsize         length,
                  guint64      *uncompressed,
                  guint64      *compressed,
                  guint64      *offset)
{
  while (length >= 4)
    {
      guint id = le (extra, 2), size = le (extra + 2, 2);
      const guint8 *field = extra + 4;

      if (size > length - 4)
        return FALSE;
      if (id == 0x0001)
        {
          guint64 *wanted[] = { uncompressed, compressed, offset };

          for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
            if (*wanted[i] == 0xffffffff)
              {
                if (field + 8 > extra + 4 + size)
                  return FALSE;
                *wanted[i] = le (field, 8);
                field += 8;
              }
          return TRUE;
        }
      extra += 4 + size;
      length -= 4 + size;
    }

  return TRUE;
}

/* The members of a zip, each one STORED and inside the file. */
static GPtrArray *
zip_read_members (const guint8  *data,
                  gsize          size,
                  GError       **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func (zip_member_free);
  const guint8 *eocd = NULL;
  guint64 n_entries, directory_size, directory_offset, pos;

  if (size < 22)
    {
      tessera_corrupt (error, _("the zip archive is truncated"));
      return NULL;
    }

  for (gsize i = size - 22 + 1; i-- > 0 && size - i <= 22 + 65535;)
    if (memcmp (data + i, "PK\x05\x06", 4) == 0)
      {
        eocd = data + i;
        break;
      }

  if (eocd == NULL)
    {
      tessera_corrupt (error, _("the zip archive has no central directory (truncated?)"));
      return NULL;
    }

  n_entries = le (eocd + 10, 2);
  directory_size = le (eocd + 12, 4);
  directory_offset = le (eocd + 16, 4);

  if (n_entries == 0xffff || directory_size == 0xffffffff || directory_offset == 0xffffffff)
    {
      gsize locator = eocd - data - 20;
      guint64 record;

      if (eocd - data < 20 || memcmp (data + locator, "PK\x06\x07", 4) != 0 ||
          !in_file (record = le (data + locator + 8, 8), 56, size) ||
          memcmp (data + record, "PK\x06\x06", 4) != 0)
        {
          tessera_corrupt (error, _("the zip64 directory is missing or damaged"));
          return NULL;
        }
      n_entries = le (data + record + 32, 8);
      directory_size = le (data + record + 40, 8);
      directory_offset = le (data + record + 48, 8);
    }

  if (n_entries > MAX_ZIP_ENTRIES || !in_file (directory_offset, directory_size, size))
    {
      tessera_corrupt (error, _("the zip directory lies outside the file"));
      return NULL;
    }

  pos = directory_offset;
  for (guint64 i = 0; i < n_entries; i++)
    {
      const guint8 *entry = data + pos;
      guint64 compressed, uncompressed, local, name_length, extra_length, comment_length;
      guint method, flags;
      ZipMember *member;

      if (pos + 46 > directory_offset + directory_size || memcmp (entry, "PK\x01\x02", 4) != 0)
        {
          tessera_corrupt (error, _("the zip directory is damaged"));
          return NULL;
        }

      flags = le (entry + 8, 2);
      method = le (entry + 10, 2);
      compressed = le (entry + 20, 4);
      uncompressed = le (entry + 24, 4);
      name_length = le (entry + 28, 2);
      extra_length = le (entry + 30, 2);
      comment_length = le (entry + 32, 2);
      local = le (entry + 42, 4);

      if (pos + 46 + name_length + extra_length + comment_length > directory_offset + directory_size ||
          !read_zip64_extra (entry + 46 + name_length, extra_length, &uncompressed, &compressed, &local))
        {
          tessera_corrupt (error, _("the zip directory is damaged"));
          return NULL;
        }

      member = g_new0 (ZipMember, 1);
      member->name = g_strndup ((const char *) entry + 46, name_length);
      g_ptr_array_add (members, member);

      if (method != 0 || (flags & 1) || compressed != uncompressed)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                       _("zip member “%s” is compressed or encrypted; PyTorch stores its members "
                         "uncompressed"), member->name);
          return NULL;
        }

      if (!in_file (local, 30, size) || memcmp (data + local, "PK\x03\x04", 4) != 0)
        {
          tessera_corrupt (error, _("zip member “%s” has no local header"), member->name);
          return NULL;
        }

      member->offset = local + 30 + le (data + local + 26, 2) + le (data + local + 28, 2);
      member->size = uncompressed;
      if (!in_file (member->offset, member->size, size))
        {
          tessera_corrupt (error, _("zip member “%s” reaches beyond the end of the file"), member->name);
          return NULL;
        }

      pos += 46 + name_length + extra_length + comment_length;
    }

  return g_steal_pointer (&members);
}

static ZipMember *
find_member (GPtrArray  *members,
             const char *name)
{
  for (guint i = 0; i < members->len; i++)
    {
      ZipMember *member = g_ptr_array_index (members, i);

      if (g_str_equal (member->name, name))
        return member;
    }

  return NULL;
}

static gboolean
locate_storages_in_zip (Unpickler     *unpickler,
                        GPtrArray     *members,
                        const char    *prefix,
                        const guint8  *data,
                        GError       **error)
{
  GHashTableIter iter;
  PickleStorage *storage;

  g_hash_table_iter_init (&iter, unpickler_get_storages (unpickler));
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &storage))
    {
      g_autofree char *name = g_strdup_printf ("%s/data/%s", prefix, storage->key);
      ZipMember *member = find_member (members, name);

      if (member == NULL)
        return tessera_corrupt (error, _("storage “%s” is missing from the archive"), storage->key);

      if (member->size != storage->n_elements * tessera_dtype_get_size (storage->dtype))
        return tessera_corrupt (error, _("storage “%s” holds %zu bytes, not %" PRIu64),
                        storage->key, member->size,
                        storage->n_elements * tessera_dtype_get_size (storage->dtype));

      storage->data = data + member->offset;
    }

  return TRUE;
}

static PickleValue *
load_zip (Unpickler     *unpickler,
          const guint8  *data,
          gsize          size,
          GError       **error)
{
  g_autoptr(GPtrArray) members = zip_read_members (data, size, error);
  g_autofree char *prefix = NULL;
  g_autofree char *byteorder_name = NULL;
  ZipMember *pickle = NULL, *byteorder;
  PickleValue *root;
  gsize consumed;

  if (members == NULL)
    return NULL;

  for (guint i = 0; i < members->len; i++)
    {
      ZipMember *member = g_ptr_array_index (members, i);
      const char *slash = strchr (member->name, '/');

      if (slash != NULL && g_str_equal (slash, "/data.pkl"))
        {
          if (pickle != NULL)
            {
              tessera_corrupt (error, _("the archive holds more than one data.pkl"));
              return NULL;
            }
          pickle = member;
        }
    }

  if (pickle == NULL)
    {
      tessera_corrupt (error, _("the archive holds no data.pkl: not a PyTorch file"));
      return NULL;
    }

  prefix = g_strndup (pickle->name, strlen (pickle->name) - strlen ("/data.pkl"));
  byteorder_name = g_strdup_printf ("%s/byteorder", prefix);
  byteorder = find_member (members, byteorder_name);
  if (byteorder != NULL &&
      (byteorder->size != 6 || memcmp (data + byteorder->offset, "little", 6) != 0))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("the tensors are stored big-endian"));
      return NULL;
    }

  root = unpickler_load (unpickler, data + pickle->offset, pickle->size, &consumed, error);
  if (root == NULL)
    return NULL;

  if (!locate_storages_in_zip (unpickler, members, prefix, data, error))
    return NULL;

  return root;
}

/* Magic number, protocol, system info, the object, the storage keys; then
 * each storage as an int64 element count and its bytes, to the end. */
static PickleValue *
load_legacy (Unpickler     *unpickler,
             const guint8  *data,
             gsize          size,
             GError       **error)
{
  PickleValue *magic, *protocol, *info, *root, *keys, *little_endian;
  gsize pos = 0, consumed;

  if ((magic = unpickler_load (unpickler, data, size, &consumed, error)) == NULL)
    return NULL;
  pos += consumed;
  if (magic->kind != PICKLE_BIG_INT || magic->string.length != sizeof legacy_magic ||
      memcmp (magic->string.data, legacy_magic, sizeof legacy_magic) != 0)
    {
      tessera_corrupt (error, _("the pickle does not start with PyTorch's magic number"));
      return NULL;
    }

  if ((protocol = unpickler_load (unpickler, data + pos, size - pos, &consumed, error)) == NULL)
    return NULL;
  pos += consumed;
  if (protocol->kind != PICKLE_INT || protocol->integer != 1001)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("PyTorch serialisation protocol %" PRId64 " is not supported"),
                   protocol->kind == PICKLE_INT ? protocol->integer : -1);
      return NULL;
    }

  if ((info = unpickler_load (unpickler, data + pos, size - pos, &consumed, error)) == NULL)
    return NULL;
  pos += consumed;
  little_endian = pickle_dict_lookup (info, "little_endian");
  if (little_endian != NULL && little_endian->kind == PICKLE_BOOL && !little_endian->boolean)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("the tensors are stored big-endian"));
      return NULL;
    }

  if ((root = unpickler_load (unpickler, data + pos, size - pos, &consumed, error)) == NULL)
    return NULL;
  pos += consumed;

  if ((keys = unpickler_load (unpickler, data + pos, size - pos, &consumed, error)) == NULL)
    return NULL;
  pos += consumed;
  if (keys->kind != PICKLE_LIST)
    {
      tessera_corrupt (error, _("the list of storages is not a list"));
      return NULL;
    }

  for (guint i = 0; i < keys->items->len; i++)
    {
      PickleValue *key = g_ptr_array_index (keys->items, i);
      PickleStorage *storage;
      guint64 count, bytes;

      if (key->kind != PICKLE_STRING ||
          (storage = g_hash_table_lookup (unpickler_get_storages (unpickler), key->string.data)) == NULL)
        {
          tessera_corrupt (error, _("the file lists a storage no tensor uses"));
          return NULL;
        }

      if (size - pos < 8)
        {
          tessera_corrupt (error, _("the file ends too early (truncated)"));
          return NULL;
        }
      count = le (data + pos, 8);
      pos += 8;
      if (count != storage->n_elements)
        {
          tessera_corrupt (error, _("storage “%s” holds %" PRIu64 " elements, not %" PRIu64),
                   storage->key, count, storage->n_elements);
          return NULL;
        }

      bytes = count * tessera_dtype_get_size (storage->dtype);
      if (bytes > size - pos)
        {
          tessera_corrupt (error, _("the file ends too early (truncated)"));
          return NULL;
        }
      storage->data = data + pos;
      pos += bytes;
    }

  if (pos != size)
    {
      tessera_corrupt (error, _("%zu unexpected bytes follow the last storage"), size - pos);
      return NULL;
    }

  return root;
}

/* A storage the pickle declared must have received its bytes. */
static gboolean
check_storages (Unpickler  *unpickler,
                GError    **error)
{
  static const guint8 empty[8];
  GHashTableIter iter;
  PickleStorage *storage;

  g_hash_table_iter_init (&iter, unpickler_get_storages (unpickler));
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &storage))
    {
      if (storage->data != NULL)
        continue;
      if (storage->n_elements > 0)
        return tessera_corrupt (error, _("storage “%s” has no data in the file"), storage->key);
      storage->data = empty;
    }

  return TRUE;
}

static gboolean
holds_tensors (PickleValue *dict)
{
  for (guint i = 1; i < dict->items->len; i += 2)
    if (((PickleValue *) g_ptr_array_index (dict->items, i))->kind == PICKLE_TENSOR)
      return TRUE;

  return FALSE;
}

/* Descends through params_ema, state_dict and the like to the dict of
 * tensors. nunif's checkpoints also name their architecture: kept. */
static PickleValue *
unwrap (PickleValue      *root,
        TesseraStateDict *state_dict)
{
  PickleValue *dict = root;

  for (guint depth = 0; depth < 4 && dict != NULL && dict->kind == PICKLE_DICT && !holds_tensors (dict); depth++)
    {
      PickleValue *name = pickle_dict_lookup (dict, "name");
      PickleValue *inner = NULL;

      if (name != NULL && name->kind == PICKLE_STRING)
        tessera_state_dict_set_metadata (state_dict, "name", name->string.data);

      for (guint i = 0; i < G_N_ELEMENTS (wrappers) && inner == NULL; i++)
        {
          inner = pickle_dict_lookup (dict, wrappers[i]);
          if (inner != NULL && inner->kind != PICKLE_DICT)
            inner = NULL;
        }
      dict = inner;
    }

  return dict != NULL && dict->kind == PICKLE_DICT ? dict : NULL;
}

TesseraStateDict *
tessera_pth_load (GBytes  *contents,
                  GError **error)
{
  g_autoptr(TesseraStateDict) state_dict = tessera_state_dict_new ();
  g_autoptr(Unpickler) unpickler = unpickler_new ();
  gsize size;
  const guint8 *data = g_bytes_get_data (contents, &size);
  PickleValue *root, *dict;

  if (size >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    root = load_zip (unpickler, data, size, error);
  else if (size >= 2 && data[0] == 0x80)
    root = load_legacy (unpickler, data, size, error);
  else
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNKNOWN_FORMAT,
                   _("not a PyTorch file (neither a zip archive nor a pickle)"));
      return NULL;
    }

  if (root == NULL || !check_storages (unpickler, error))
    return NULL;

  dict = unwrap (root, state_dict);
  if (dict == NULL)
    {
      tessera_corrupt (error, _("the file holds no tensors"));
      return NULL;
    }

  tessera_state_dict_keep (state_dict, contents);
  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    {
      PickleValue *key = g_ptr_array_index (dict->items, i);
      PickleValue *value = g_ptr_array_index (dict->items, i + 1);
      PickleStorage *storage;

      /* Anything but a tensor (a step counter, say) is not a weight. */
      if (key->kind != PICKLE_STRING || value->kind != PICKLE_TENSOR)
        continue;

      storage = value->tensor.storage;
      if (!tessera_state_dict_insert (state_dict, key->string.data, storage->dtype,
                                      value->tensor.n_dims, value->tensor.shape,
                                      storage->data + value->tensor.offset * tessera_dtype_get_size (storage->dtype),
                                      error))
        return NULL;
    }

  tessera_state_dict_strip_prefix (state_dict, "module.");
  return g_steal_pointer (&state_dict);
}

/* A zip archive (torch.save since 1.6) or a bare pickle (legacy). */
static gboolean
pth_sniff (const guint8 *data,
           gsize         size)
{
  return (size >= 4 && memcmp (data, "PK\x03\x04", 4) == 0) ||
         (size >= 2 && data[0] == 0x80 && data[1] >= 2 && data[1] <= 5);
}

static TesseraStateDict *
pth_load (GBytes      *contents,
          GBytes      *companion,
          const char  *basename,
          GError     **error)
{
  return tessera_pth_load (contents, error);
}

const TesseraFormatEntry tessera_pth_format = {
  .format = TESSERA_MODEL_FORMAT_PTH,
  .id = "pth",
  .extensions = (const char * const[]) { ".pth", ".pt", ".ckpt", NULL },
  .sniff = pth_sniff,
  .load = pth_load,
};
