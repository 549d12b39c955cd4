/* tessera-cuda-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* The backend object: its making and freeing, its table, and the queue
 * its ops go through. */

gboolean
tessera_cuda_failed (cudaError_t   status,
                     const char   *call,
                     const char   *location,
                     GError      **error)
{
  /* Clears the error where it is not sticky, as running out of memory is not. */
  cudaGetLastError ();

  if (status == cudaErrorMemoryAllocation)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                 _("not enough GPU memory (%s: %s); try a smaller tile"),
                 call, cudaGetErrorString (status));
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("CUDA failed: %s: %s (%s, at %s)"),
                 call, cudaGetErrorString (status), cudaGetErrorName (status), location);
  return FALSE;
}

gboolean
tessera_cublas_failed (cublasStatus_t   status,
                       const char      *call,
                       const char      *location,
                       GError         **error)
{
  if (status == CUBLAS_STATUS_ALLOC_FAILED)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                 _("not enough GPU memory (%s: %s); try a smaller tile"),
                 call, cublasGetStatusString (status));
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("cuBLAS failed: %s: %s (at %s)"),
                 call, cublasGetStatusString (status), location);
  return FALSE;
}

static void
cuda_free (TesseraBackend *backend)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;

  cudaSetDevice (self->device);
  if (self->stream != NULL)
    cudaStreamSynchronize (self->stream);

  if (self->cublas != NULL)
    cublasDestroy (self->cublas);
  g_clear_pointer (&self->spare, g_ptr_array_unref);
  g_clear_pointer (&self->weights, g_hash_table_unref);
  g_clear_pointer (&self->floats, g_hash_table_unref);
  g_clear_pointer (&self->mma_weights, g_hash_table_unref);
  for (guint i = 0; i < TESSERA_CUDA_N_SCRATCH; i++)
    tessera_cuda_backend_free_memory (self, self->scratch[i].data, self->scratch[i].size);
  tessera_cuda_backend_free_memory (self, self->workspace, CUBLAS_WORKSPACE_BYTES);
  if (self->staging != NULL)
    cudaFreeHost (self->staging);
  if (self->host != NULL)
    cudaFreeHost (self->host);
  for (guint i = 0; i < G_N_ELEMENTS (self->staged); i++)
    if (self->staged[i] != NULL)
      cudaEventDestroy (self->staged[i]);
  for (guint i = 0; i < G_N_ELEMENTS (self->queued); i++)
    if (self->queued[i] != NULL)
      cudaEventDestroy (self->queued[i]);
  if (self->stream != NULL)
    cudaStreamDestroy (self->stream);
  g_free (self);
}

static gboolean
cuda_compute (TesseraBackend      *backend,
              const TesseraNode   *node,
              TesseraBuffer      **inputs,
              const TesseraShape  *input_shapes,
              TesseraBuffer       *residual,
              TesseraBuffer       *output,
              const TesseraShape  *output_shape,
              GError             **error)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  TesseraCudaOp op = { node, inputs, input_shapes, residual, output, output_shape };
  cudaEvent_t *slot = &self->queued[self->n_ops % MAX_QUEUED_OPS];

  if (!tessera_cuda_backend_use_device (self, error) ||
      (self->n_ops >= MAX_QUEUED_OPS && !CUDA_CHECK (cudaEventSynchronize (*slot), error)) ||
      !tessera_cuda_backend_compute_op (self, &op, error) ||
      !CUDA_CHECK (cudaEventRecord (*slot, self->stream), error))
    return FALSE;

  self->n_ops++;
  return TRUE;
}

/* DySample's sampling (the last layer of RealPLKSR and MoSR) has no
 * kernel yet, nor ATD's sort by category (a sort is host work): they run
 * on the CPU reference, their inputs and outputs copied across. */
static gboolean
cuda_supports (TesseraBackend    *backend,
               const TesseraNode *node)
{
  return node->op != TESSERA_OP_DYSAMPLE && node->op != TESSERA_OP_CATEGORY_GATHER &&
         node->op != TESSERA_OP_CATEGORY_SCATTER;
}

static const TesseraBackendVTable cuda_vtable = {
  .name = "cuda",
  .free = cuda_free,
  .supports = cuda_supports,
  .buffer_new = tessera_cuda_backend_buffer_new,
  .buffer_free = tessera_cuda_backend_buffer_free,
  .upload = tessera_cuda_backend_upload,
  .download = tessera_cuda_backend_download,
  .host_memory = tessera_cuda_backend_host_memory,
  .compute = cuda_compute,
  .get_memory = tessera_cuda_backend_get_memory,
  .set_memory_limit = tessera_cuda_backend_set_memory_limit,
  .get_peak_memory = tessera_cuda_backend_get_peak_memory,
  .trim = tessera_cuda_backend_trim,
};

static gboolean
create_events (cudaEvent_t  *events,
               guint         n,
               GError      **error)
{
  for (guint i = 0; i < n; i++)
    if (!CUDA_CHECK (cudaEventCreateWithFlags (&events[i], cudaEventDisableTiming), error))
      return FALSE;
  return TRUE;
}

/**
 * tessera_cuda_backend_new:
 * @device: the device's index
 * @precision: of the convolutions' products; activations are always fp32
 *
 * Returns: (nullable): the backend, or %NULL when the device cannot be used
 */
TesseraBackend *
tessera_cuda_backend_new (int                device,
                          TesseraPrecision   precision,
                          GError           **error)
{
  TesseraCudaBackend *self;

  if (!tessera_cuda_check_device (device, error))
    return NULL;

  self = g_new0 (TesseraCudaBackend, 1);
  self->parent.vtable = &cuda_vtable;
  self->device = device;
  self->precision = precision;
  self->spare = g_ptr_array_new_with_free_func (tessera_cuda_buffer_release);
  self->weights = g_hash_table_new_full (NULL, NULL, NULL, tessera_cuda_array_free);
  self->floats = g_hash_table_new_full (NULL, NULL, NULL, tessera_cuda_array_free);
  self->mma_weights = g_hash_table_new_full (NULL, NULL, NULL, tessera_cuda_array_free);

  if (!tessera_cuda_backend_use_device (self, error) ||
      !CUDA_CHECK (cudaStreamCreateWithFlags (&self->stream, cudaStreamNonBlocking), error) ||
      !CUDA_CHECK (cudaEventCreateWithFlags (&self->staged[0], cudaEventDisableTiming), error) ||
      !CUDA_CHECK (cudaEventCreateWithFlags (&self->staged[1], cudaEventDisableTiming), error) ||
      !create_events (self->queued, G_N_ELEMENTS (self->queued), error) ||
      !CUBLAS_CHECK (cublasCreate (&self->cublas), error) ||
      !CUBLAS_CHECK (cublasSetStream (self->cublas, self->stream), error))
    {
      cuda_free (&self->parent);
      return NULL;
    }

  return &self->parent;
}

const TesseraBackendInfo tessera_cuda_backend_info = {
  .name = "cuda",
  .list_devices = tessera_cuda_describe_devices,
  .new = tessera_cuda_backend_new,
};
