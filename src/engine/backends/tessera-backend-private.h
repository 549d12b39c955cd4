/* tessera-backend-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "backends/tessera-precision.h"
#include "core/tessera-graph-private.h"

G_BEGIN_DECLS

/* Where a graph runs: a table of functions behind an opaque handle, as in
 * ggml and ncnn. The CPU backend is the fp32 reference every other one is
 * tested against. Buffers hold float tensors in the backend's memory.
 *
 * A backend may keep forms of the weights it has run (transformed,
 * uploaded), found by their address: it must not outlive them.
 *
 * Above this floor, backends are made by name and used through the
 * tessera_backend_*() functions below, which stand in for the optional
 * entries a backend leaves NULL. */

typedef struct _TesseraBackend TesseraBackend;
typedef struct _TesseraBuffer TesseraBuffer;

typedef struct
{
  const char     *name;
  void          (*free)        (TesseraBackend      *self);
  /* Optional: NULL means every op. A node the backend does not support
   * runs on the CPU backend, its inputs and output copied across. */
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

  /* Optional: @node on a batch of @batch samples, each buffer holding
   * @batch tensors of its shape one after the other. Without it a graph
   * of a batch runs one sample after the other, whole, through
   * compute(). */
  gboolean      (*compute_batch) (TesseraBackend      *self,
                                  const TesseraNode   *node,
                                  guint                batch,
                                  TesseraBuffer      **inputs,
                                  const TesseraShape  *input_shapes,
                                  TesseraBuffer       *residual,
                                  TesseraBuffer       *output,
                                  const TesseraShape  *output_shape,
                                  GError             **error);

  /* The rest is optional, for a backend with memory of its own (a GPU's). */

  /* Its free and total bytes, as the limit leaves them; FALSE when the
   * device does not tell. */
  gboolean      (*get_memory)       (TesseraBackend *self,
                                     guint64        *free_bytes,
                                     guint64        *total_bytes);
  /* Caps the memory it allocates, in bytes; 0: the device's. */
  void          (*set_memory_limit) (TesseraBackend *self,
                                     guint64         limit);
  /* The most memory it has held at once, in bytes. */
  guint64       (*get_peak_memory)  (TesseraBackend *self);
  /* Frees what it keeps for reuse, all but the weights it has uploaded. */
  void          (*trim)             (TesseraBackend *self);
} TesseraBackendVTable;

struct _TesseraBackend
{
  const TesseraBackendVTable *vtable;
};

/* A device a backend can run on. */
typedef struct
{
  int   index;
  char *description;   /* for people: what it is, its memory, its versions */
} TesseraDevice;

/* A kind of backend, made by its name. */
typedef struct
{
  const char      *name;
  /* Optional: loads what the backend needs where that must come early,
   * from the thread that makes the engine. */
  gboolean        (*load)              (GError           **error);
  /* Its devices, each a #TesseraDevice; NULL with @error when there are
   * none to use. */
  GPtrArray      *(*list_devices)      (GError           **error);
  TesseraBackend *(*new)               (int                device,
                                        TesseraPrecision   precision,
                                        GError           **error);
  /* Optional: GFLOP/s of its matrix products on convolution shapes,
   * measured for about @seconds; 0 with @error when they cannot run. */
  double          (*measure_gemm_rate) (double             seconds,
                                        GError           **error);
} TesseraBackendInfo;

void            tessera_device_free                (TesseraDevice       *device);

void            tessera_backend_load_all           (void);
GPtrArray      *tessera_backend_list_devices       (const char          *name,
                                                    GError             **error);
TesseraBackend *tessera_backend_new                (const char          *name,
                                                    int                  device,
                                                    TesseraPrecision     precision,
                                                    GError             **error);
double          tessera_backend_measure_gemm_rate  (const char          *name,
                                                    double               seconds,
                                                    GError             **error);
void            tessera_backend_free               (TesseraBackend      *self);

float          *tessera_backend_host_memory        (TesseraBackend      *self,
                                                    gsize                n_floats);
gboolean        tessera_backend_get_memory         (TesseraBackend      *self,
                                                    guint64             *free_bytes,
                                                    guint64             *total_bytes);
void            tessera_backend_set_memory_limit   (TesseraBackend      *self,
                                                    guint64              limit);
guint64         tessera_backend_get_peak_memory    (TesseraBackend      *self);
gboolean        tessera_backend_trim               (TesseraBackend      *self);
gboolean        tessera_backend_computes_batches   (TesseraBackend      *self);

gboolean        tessera_graph_run                  (TesseraGraph        *graph,
                                                    TesseraBackend      *backend,
                                                    const float         *input,
                                                    const TesseraShape  *input_shape,
                                                    float               *output,
                                                    GCancellable        *cancellable,
                                                    GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraBackend, tessera_backend_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraDevice, tessera_device_free)

G_END_DECLS
