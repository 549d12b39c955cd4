/* tessera-state-dict-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Element types found in model files. Only the floating ones hold weights;
 * the integer ones are index buffers that transformer models carry. */
typedef enum
{
  TESSERA_DTYPE_F32,
  TESSERA_DTYPE_F16,
  TESSERA_DTYPE_BF16,
  TESSERA_DTYPE_F64,
  TESSERA_DTYPE_I64,
  TESSERA_DTYPE_I32,
  TESSERA_DTYPE_I16,
  TESSERA_DTYPE_I8,
  TESSERA_DTYPE_U8,
  TESSERA_DTYPE_BOOL,
} TesseraDType;

#define TESSERA_TENSOR_MAX_DIMS 8

/* Model weights are not this large; a header claiming more is lying. */
#define TESSERA_TENSOR_MAX_ELEMENTS (G_GUINT64_CONSTANT (1) << 34)

typedef struct
{
  char         *name;
  TesseraDType  dtype;
  guint         n_dims;
  guint64       shape[TESSERA_TENSOR_MAX_DIMS];
  guint64       n_elements;
  const guint8 *data;         /* n_elements × element size bytes, maybe unaligned */
} TesseraTensor;

typedef struct _TesseraStateDict TesseraStateDict;

gsize              tessera_dtype_get_size          (TesseraDType         dtype);
const char        *tessera_dtype_get_name          (TesseraDType         dtype);
gboolean           tessera_dtype_from_name         (const char          *name,
                                                    TesseraDType        *dtype);
gboolean           tessera_dtype_is_float          (TesseraDType         dtype);

TesseraStateDict  *tessera_state_dict_new          (void);
TesseraStateDict  *tessera_state_dict_ref          (TesseraStateDict    *self);
void               tessera_state_dict_unref        (TesseraStateDict    *self);
void               tessera_state_dict_keep         (TesseraStateDict    *self,
                                                    GBytes              *bytes);
const guint8      *tessera_state_dict_take_buffer  (TesseraStateDict    *self,
                                                    gpointer             buffer,
                                                    gsize                size);
gboolean           tessera_state_dict_insert       (TesseraStateDict    *self,
                                                    const char          *name,
                                                    TesseraDType         dtype,
                                                    guint                n_dims,
                                                    const guint64       *shape,
                                                    const guint8        *data,
                                                    GError             **error);
guint              tessera_state_dict_get_n_tensors (TesseraStateDict   *self);
const TesseraTensor *tessera_state_dict_get_nth    (TesseraStateDict    *self,
                                                    guint                index);
const TesseraTensor *tessera_state_dict_lookup     (TesseraStateDict    *self,
                                                    const char          *name);
const char        *tessera_state_dict_get_metadata (TesseraStateDict    *self,
                                                    const char          *key);
void               tessera_state_dict_set_metadata (TesseraStateDict    *self,
                                                    const char          *key,
                                                    const char          *value);
GHashTable        *tessera_state_dict_get_metadata_table (TesseraStateDict *self);
gboolean           tessera_state_dict_strip_prefix (TesseraStateDict    *self,
                                                    const char          *prefix);
TesseraStateDict  *tessera_state_dict_extract      (TesseraStateDict    *self,
                                                    const char          *prefix,
                                                    const char * const  *except);
gboolean           tessera_state_dict_equal        (TesseraStateDict    *a,
                                                    TesseraStateDict    *b);

gsize              tessera_tensor_get_size         (const TesseraTensor *tensor);
void               tessera_tensor_to_floats        (const TesseraTensor *tensor,
                                                    float               *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraStateDict, tessera_state_dict_unref)

G_END_DECLS
