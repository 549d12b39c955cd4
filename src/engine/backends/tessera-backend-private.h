/* tessera-backend-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-graph-private.h"

G_BEGIN_DECLS

/* Where a graph runs: a table of functions behind an opaque handle, as in
 * ggml and ncnn. The CPU backend is the fp32 reference every other one is
 * tested against. Buffers hold float tensors in the backend's memory.
 *
 * A backend may keep forms of the weights it has run (transformed,
 * uploaded), found by their address: it must not outlive them. */

typedef struct _TesseraBackend TesseraBackend;
typedef struct _TesseraBuffer TesseraBuffer;

typedef struct
{
  const char     *name;
  void          (*free)        (TesseraBackend      *self);
  /* Optional: NULL means every op. */
  gboolean      (*supports)    (TesseraBackend      *self,
                                const TesseraNode   *node);
  TesseraBuffer *(*buffer_new) (TesseraBackend      *self,
                                gsize                n_floats,
                                GError             **error);
  void          (*buffer_free) (TesseraBackend      *self,
                                TesseraBuffer       *buffer);
  gboolean      (*upload)      (TesseraBackend      *self,
                                TesseraBuffer       *buffer,
                                const float         *data,
                                gsize                n_floats,
                                GError             **error);
  /* @n_floats from float @offset of @buffer on. */
  gboolean      (*download)    (TesseraBackend      *self,
                                TesseraBuffer       *buffer,
                                gsize                offset,
                                float               *data,
                                gsize                n_floats,
                                GError             **error);
  /* Optional: room for @n_floats on the host that upload() and download()
   * copy fastest (pinned memory on a GPU), owned by the backend and
   * handed out again at the next call. The host must not write into it
   * while an upload from it may still be running: until the next
   * download. NULL where ordinary memory is as fast, or when the room
   * cannot be had; the caller then uses its own. */
  float        *(*host_memory) (TesseraBackend      *self,
                                gsize                n_floats);
  /* @inputs holds node->n_inputs buffers with their shapes; @residual the
   * residual's buffer when the node has one. */
  gboolean      (*compute)     (TesseraBackend      *self,
                                const TesseraNode   *node,
                                TesseraBuffer      **inputs,
                                const TesseraShape  *input_shapes,
                                TesseraBuffer       *residual,
                                TesseraBuffer       *output,
                                const TesseraShape  *output_shape,
                                GError             **error);
} TesseraBackendVTable;

struct _TesseraBackend
{
  const TesseraBackendVTable *vtable;
};

TesseraBackend *tessera_cpu_backend_new  (GError             **error);
void            tessera_backend_free     (TesseraBackend      *self);

gboolean        tessera_graph_run        (TesseraGraph        *graph,
                                          TesseraBackend      *backend,
                                          const float         *input,
                                          const TesseraShape  *input_shape,
                                          float               *output,
                                          GCancellable        *cancellable,
                                          GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraBackend, tessera_backend_free)

G_END_DECLS
