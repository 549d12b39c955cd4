/* tessera-pickle-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-state-dict-private.h"

G_BEGIN_DECLS

/* A restricted unpickler: it builds plain values (dicts, lists, strings,
 * numbers) and tensors, calls nothing, and refuses every global outside the
 * handful that PyTorch files need to rebuild tensors and the few that
 * training checkpoints carry around their state dict, which stand for
 * inert objects. */

typedef enum
{
  PICKLE_NONE,
  PICKLE_BOOL,
  PICKLE_INT,
  PICKLE_BIG_INT,     /* more than 64 bits: kept as little-endian bytes */
  PICKLE_FLOAT,
  PICKLE_STRING,
  PICKLE_BYTES,
  PICKLE_TUPLE,
  PICKLE_LIST,
  PICKLE_DICT,        /* items alternate key, value; insertion ordered */
  PICKLE_GLOBAL,
  PICKLE_STORAGE,
  PICKLE_TENSOR,
  PICKLE_OBJECT,      /* what an inert global was called to make: no value */
} PickleKind;

typedef enum
{
  GLOBAL_ORDERED_DICT,
  GLOBAL_REBUILD_TENSOR_V2,
  GLOBAL_REBUILD_PARAMETER,
  GLOBAL_STORAGE,
  GLOBAL_INERT,       /* a class or function that is never run */
} PickleGlobal;

/* A storage a file's tensors share, found by key; its bytes are located by
 * the container once the pickle is read. */
typedef struct
{
  char         *key;
  TesseraDType  dtype;
  guint64       n_elements;
  const guint8 *data;
} PickleStorage;

typedef struct _PickleValue PickleValue;

struct _PickleValue
{
  PickleKind kind;
  union {
    gboolean       boolean;
    gint64         integer;
    double         number;
    struct {
      char        *data;
      gsize        length;
    } string;
    GPtrArray     *items;
    struct {
      PickleGlobal which;
      TesseraDType dtype;
    } global;
    PickleStorage *storage;
    struct {
      PickleStorage *storage;
      guint64        offset;
      guint          n_dims;
      guint64        shape[TESSERA_TENSOR_MAX_DIMS];
    } tensor;
  };
};

typedef struct _Unpickler Unpickler;

Unpickler   *unpickler_new           (void);
void         unpickler_free          (Unpickler      *self);
PickleValue *unpickler_load          (Unpickler      *self,
                                      const guint8   *data,
                                      gsize           size,
                                      gsize          *consumed,
                                      GError        **error);
GHashTable  *unpickler_get_storages  (Unpickler      *self);

PickleValue *pickle_dict_lookup      (PickleValue    *dict,
                                      const char     *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Unpickler, unpickler_free)

G_END_DECLS
