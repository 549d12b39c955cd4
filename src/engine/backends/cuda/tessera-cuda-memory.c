/* tessera-cuda-memory.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* Device memory, counted against the optional limit, with the freed
 * buffers kept for reuse; the scratch of the ops; and pinned host memory,
 * through which uploads and downloads go. */

/* Uploads and downloads go through two halves of a pinned buffer in
 * turn, so that one half is copied on the host while the other is in
 * flight. */
#define STAGING_HALF_BYTES ((gsize) 16 << 20)

/* Pinned host memory for the runner's tiles is handed out up to this
 * size; pinning more would take too much of the host's memory from
 * everything else. Trimming frees it past KEEP_HOST_BYTES. */
#define MAX_HOST_BYTES ((gsize) 2 << 30)
#define KEEP_HOST_BYTES ((gsize) 512 << 20)

/* Spare buffers beyond this many are freed, oldest first. */
#define MAX_SPARE 64

/* The calling thread's device is the backend's: the engine calls from
 * worker threads, and CUDA's current device is per thread. */
gboolean
tessera_cuda_backend_use_device (TesseraCudaBackend  *self,
                                 GError             **error)
{
  return CUDA_CHECK (cudaSetDevice (self->device), error);
}

/* Frees what tessera_cuda_backend_alloc_memory() gave, which queued work
 * may still read. */
void
tessera_cuda_backend_free_memory (TesseraCudaBackend *self,
                                  void               *data,
                                  gsize               size)
{
  if (data == NULL)
    return;
  cudaStreamSynchronize (self->stream);
  cudaFree (data);
  self->allocated -= size;
}

static void
drop_spares (TesseraCudaBackend *self)
{
  cudaStreamSynchronize (self->stream);
  g_ptr_array_set_size (self->spare, 0);
}

static gboolean
over_limit (TesseraCudaBackend *self,
            gsize               size)
{
  return self->limit != 0 && self->allocated + size > self->limit;
}

/* Device memory, counted against the limit; when it is short, the spare
 * buffers go back first. */
gboolean
tessera_cuda_backend_alloc_memory (TesseraCudaBackend  *self,
                                   void               **data,
                                   gsize                size,
                                   GError             **error)
{
  cudaError_t status = cudaErrorMemoryAllocation;

  if (over_limit (self, size) && self->spare->len > 0)
    drop_spares (self);
  if (!over_limit (self, size))
    status = cudaMalloc (data, size);

  if (status == cudaErrorMemoryAllocation && self->spare->len > 0)
    {
      cudaGetLastError ();
      drop_spares (self);
      status = cudaMalloc (data, size);
    }

  if (status == cudaErrorMemoryAllocation)
    {
      cudaGetLastError ();
      if (over_limit (self, size))
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                     _("%.0f MB more would pass the GPU memory limit of %.0f MB; try a smaller tile"),
                     size / 1e6, self->limit / 1e6);
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                     _("not enough GPU memory for %.0f MB; try a smaller tile"), size / 1e6);
      return FALSE;
    }
  if (!CUDA_CHECK (status, error))
    return FALSE;

  self->allocated += size;
  self->peak = MAX (self->peak, self->allocated);
  return TRUE;
}

void
tessera_cuda_buffer_release (gpointer data)
{
  TesseraBuffer *buffer = data;

  tessera_cuda_backend_free_memory (buffer->owner, buffer->data, buffer->size);
  g_free (buffer);
}

void
tessera_cuda_array_free (gpointer data)
{
  TesseraCudaArray *array = data;

  tessera_cuda_backend_free_memory (array->owner, array->data, array->size);
  g_free (array);
}

TesseraBuffer *
tessera_cuda_backend_buffer_new (TesseraBackend  *backend,
                                 gsize            n_floats,
                                 GError         **error)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  gsize size = MAX (n_floats, 1) * sizeof (float);
  TesseraBuffer *buffer = NULL;
  guint best = G_MAXUINT;
  void *data;

  if (!tessera_cuda_backend_use_device (self, error))
    return NULL;

  /* The smallest spare buffer at most a quarter too large. */
  for (guint i = 0; i < self->spare->len; i++)
    {
      TesseraBuffer *spare = g_ptr_array_index (self->spare, i);

      if (spare->size >= size && spare->size - size <= size / 4 &&
          (best == G_MAXUINT || spare->size < ((TesseraBuffer *) g_ptr_array_index (self->spare, best))->size))
        best = i;
    }
  if (best != G_MAXUINT)
    return g_ptr_array_steal_index (self->spare, best);

  if (!tessera_cuda_backend_alloc_memory (self, &data, size, error))
    return NULL;

  buffer = g_new (TesseraBuffer, 1);
  buffer->data = data;
  buffer->size = size;
  buffer->owner = self;
  return buffer;
}

void
tessera_cuda_backend_buffer_free (TesseraBackend *backend,
                                  TesseraBuffer  *buffer)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;

  g_ptr_array_add (self->spare, buffer);
  if (self->spare->len > MAX_SPARE)
    {
      cudaSetDevice (self->device);
      cudaStreamSynchronize (self->stream);
      g_ptr_array_remove_index (self->spare, 0);
    }
}

static gboolean
ensure_staging (TesseraCudaBackend  *self,
                GError             **error)
{
  if (self->staging != NULL)
    return TRUE;

  if (!CUDA_CHECK (cudaMallocHost ((void **) &self->staging, 2 * STAGING_HALF_BYTES), error))
    {
      self->staging = NULL;
      return FALSE;
    }

  return TRUE;
}

static float *
staging_half (TesseraCudaBackend *self,
              guint               half)
{
  return self->staging + half * (STAGING_HALF_BYTES / sizeof (float));
}

float *
tessera_cuda_backend_host_memory (TesseraBackend *backend,
                                  gsize           n_floats)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  gsize size = n_floats * sizeof (float);

  if (size <= self->host_size)
    return self->host;
  if (size > MAX_HOST_BYTES || cudaSetDevice (self->device) != cudaSuccess)
    return NULL;

  /* What was handed out before may still be read by a copy. */
  cudaStreamSynchronize (self->stream);
  if (self->host != NULL)
    cudaFreeHost (self->host);
  self->host_size = 0;
  if (cudaMallocHost ((void **) &self->host, size) != cudaSuccess)
    {
      cudaGetLastError ();
      self->host = NULL;
      return NULL;
    }
  self->host_size = size;
  return self->host;
}

/* Whether @n_floats at @data lie in the pinned memory of host_memory(),
 * which the device copies from and to directly. */
static gboolean
is_pinned (TesseraCudaBackend *self,
           const float        *data,
           gsize               n_floats)
{
  gsize room = self->host_size / sizeof (float);

  return self->host != NULL && data >= self->host && (gsize) (data - self->host) <= room &&
         n_floats <= room - (gsize) (data - self->host);
}

gboolean
tessera_cuda_backend_upload (TesseraBackend  *backend,
                             TesseraBuffer   *buffer,
                             const float     *data,
                             gsize            n_floats,
                             GError         **error)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  gsize chunk = STAGING_HALF_BYTES / sizeof (float);

  if (!tessera_cuda_backend_use_device (self, error))
    return FALSE;
  if (is_pinned (self, data, n_floats))
    return CUDA_CHECK (cudaMemcpyAsync (buffer->data, data, n_floats * sizeof (float), cudaMemcpyHostToDevice,
                                        self->stream), error);
  if (!ensure_staging (self, error))
    return FALSE;

  for (gsize done = 0, i = 0; done < n_floats; done += chunk, i++)
    {
      gsize n = MIN (chunk, n_floats - done);
      float *staging = staging_half (self, i % 2);

      /* That half's previous copy must have left it. */
      if (!CUDA_CHECK (cudaEventSynchronize (self->staged[i % 2]), error))
        return FALSE;
      memcpy (staging, data + done, n * sizeof (float));
      if (!CUDA_CHECK (cudaMemcpyAsync (buffer->data + done, staging, n * sizeof (float),
                                        cudaMemcpyHostToDevice, self->stream), error) ||
          !CUDA_CHECK (cudaEventRecord (self->staged[i % 2], self->stream), error))
        return FALSE;
    }

  return TRUE;
}

/* Chunk i is copied into half i mod 2 while chunk i − 1 is taken out of
 * the other; the last wait leaves nothing in flight. */
gboolean
tessera_cuda_backend_download (TesseraBackend  *backend,
                               TesseraBuffer   *buffer,
                               gsize            offset,
                               float           *data,
                               gsize            n_floats,
                               GError         **error)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  gsize chunk = STAGING_HALF_BYTES / sizeof (float);
  gsize n_chunks = (n_floats + chunk - 1) / chunk;
  const float *from = buffer->data + offset;

  if (!tessera_cuda_backend_use_device (self, error))
    return FALSE;
  if (is_pinned (self, data, n_floats))
    return CUDA_CHECK (cudaMemcpyAsync (data, from, n_floats * sizeof (float), cudaMemcpyDeviceToHost,
                                        self->stream), error) &&
           CUDA_CHECK (cudaStreamSynchronize (self->stream), error);
  if (!ensure_staging (self, error))
    return FALSE;

  for (gsize i = 0; i <= n_chunks; i++)
    {
      if (i < n_chunks)
        {
          gsize n = MIN (chunk, n_floats - i * chunk);

          if (!CUDA_CHECK (cudaMemcpyAsync (staging_half (self, i % 2), from + i * chunk,
                                            n * sizeof (float), cudaMemcpyDeviceToHost, self->stream), error) ||
              !CUDA_CHECK (cudaEventRecord (self->staged[i % 2], self->stream), error))
            return FALSE;
        }

      if (i > 0)
        {
          gsize previous = i - 1;
          gsize n = MIN (chunk, n_floats - previous * chunk);

          if (!CUDA_CHECK (cudaEventSynchronize (self->staged[previous % 2]), error))
            return FALSE;
          memcpy (data + previous * chunk, staging_half (self, previous % 2), n * sizeof (float));
        }
    }

  return TRUE;
}

/* Grow-only device memory for an op's intermediate results. */
void *
tessera_cuda_backend_scratch (TesseraCudaBackend  *self,
                              TesseraCudaScratch   slot,
                              gsize                size,
                              GError             **error)
{
  TesseraCudaArray *array = &self->scratch[slot];

  if (array->size < size)
    {
      tessera_cuda_backend_free_memory (self, array->data, array->size);
      array->data = NULL;
      array->size = 0;
      if (!tessera_cuda_backend_alloc_memory (self, &array->data, size, error))
        return NULL;
      array->size = size;
    }

  return array->data;
}

/* Whether the device told its free and total memory. */
gboolean
tessera_cuda_backend_get_memory (TesseraBackend *backend,
                                 guint64        *free_bytes,
                                 guint64        *total_bytes)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;
  size_t free_memory = 0, total_memory = 0;

  if (cudaSetDevice (self->device) != cudaSuccess ||
      cudaMemGetInfo (&free_memory, &total_memory) != cudaSuccess)
    {
      cudaGetLastError ();
      return FALSE;
    }

  /* Under a limit, what the spare buffers hold is free too: they go
   * back before the limit is passed. */
  if (self->limit != 0)
    {
      gsize held = self->allocated;

      for (guint i = 0; i < self->spare->len; i++)
        held -= ((TesseraBuffer *) g_ptr_array_index (self->spare, i))->size;
      total_memory = MIN (total_memory, self->limit);
      free_memory = MIN (free_memory, self->limit - MIN (held, self->limit));
    }

  if (free_bytes != NULL)
    *free_bytes = free_memory;
  if (total_bytes != NULL)
    *total_bytes = total_memory;
  return TRUE;
}

/* The limit counts buffers, weights, scratch and cuBLAS's workspace, not
 * the CUDA context. */
void
tessera_cuda_backend_set_memory_limit (TesseraBackend *backend,
                                       guint64         limit)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;

  self->limit = limit;
}

guint64
tessera_cuda_backend_get_peak_memory (TesseraBackend *backend)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;

  return self->peak;
}

/* The device memory kept for reuse goes, all but the weights, and the
 * pinned host memory when that is large. */
void
tessera_cuda_backend_trim (TesseraBackend *backend)
{
  TesseraCudaBackend *self = (TesseraCudaBackend *) backend;

  cudaSetDevice (self->device);
  drop_spares (self);
  for (guint i = 0; i < TESSERA_CUDA_N_SCRATCH; i++)
    {
      tessera_cuda_backend_free_memory (self, self->scratch[i].data, self->scratch[i].size);
      self->scratch[i] = (TesseraCudaArray) { NULL, 0, NULL };
    }
  if (self->host_size > KEEP_HOST_BYTES)
    {
      cudaFreeHost (self->host);
      self->host = NULL;
      self->host_size = 0;
    }
}
