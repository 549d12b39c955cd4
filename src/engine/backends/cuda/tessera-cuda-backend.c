/* tessera-cuda-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "core/tessera-error.h"
#include "tessera-cuda-private.h"
#include "tessera-kernels.h"

/* The CUDA backend: buffers are device memory, every op is queued on the
 * backend's one stream, and the host waits only at the end of a download
 * or when MAX_QUEUED_OPS ops are still queued.
 *
 * Freed buffers are kept for the next node or tile that needs one of their
 * size: cudaMalloc and cudaFree cost far more than the smaller ops, and
 * cudaFree waits for the device. A buffer can be taken again while kernels
 * that read it are still queued, because the stream runs in order.
 *
 * Weights are uploaded on first use, in the form their op reads (packed
 * fp16 for the tensor-core convolutions, fp16 or fp32 for the GEMMs), and
 * kept by their host address. Every byte of device memory goes through
 * device_alloc() and device_free(), which count it against the optional
 * limit. Every CUDA and cuBLAS call is checked; a failure becomes a
 * GError, and running out of device memory (or past the limit) is
 * TESSERA_ERROR_NO_MEMORY, so that the runner can retry with smaller
 * tiles. */

G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_NONE == TESSERA_KERNEL_ACTIVATION_NONE);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_RELU == TESSERA_KERNEL_ACTIVATION_RELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_LEAKY == TESSERA_KERNEL_ACTIVATION_LEAKY);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_PRELU == TESSERA_KERNEL_ACTIVATION_PRELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_SIGMOID == TESSERA_KERNEL_ACTIVATION_SIGMOID);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_GELU == TESSERA_KERNEL_ACTIVATION_GELU);
G_STATIC_ASSERT ((int) TESSERA_ACTIVATION_SILU == TESSERA_KERNEL_ACTIVATION_SILU);
G_STATIC_ASSERT ((int) TESSERA_PAD_ZERO == TESSERA_KERNEL_PAD_ZERO);
G_STATIC_ASSERT ((int) TESSERA_PAD_REFLECT == TESSERA_KERNEL_PAD_REFLECT);
G_STATIC_ASSERT ((int) TESSERA_PAD_REPLICATE == TESSERA_KERNEL_PAD_REPLICATE);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_NEAREST == TESSERA_KERNEL_RESIZE_NEAREST);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BILINEAR == TESSERA_KERNEL_RESIZE_BILINEAR);
G_STATIC_ASSERT ((int) TESSERA_RESIZE_BICUBIC == TESSERA_KERNEL_RESIZE_BICUBIC);
G_STATIC_ASSERT (TESSERA_NODE_MAX_INPUTS == TESSERA_KERNEL_MAX_INPUTS);

/* Turing's tensor cores are the oldest the fp16 path is written for. */
#define MIN_MAJOR 7
#define MIN_MINOR 5

/* An im2col matrix is made a band of output rows at a time, at most this
 * large: big enough for GEMMs that fill the GPU, small beside its memory. */
#define COLUMN_BYTES ((gsize) 128 << 20)

/* Uploads and downloads go through two halves of a pinned buffer in
 * turn, so that one half is copied on the host while the other is in
 * flight. */
#define STAGING_HALF_BYTES ((gsize) 16 << 20)

/* Pinned host memory for the runner's tiles is handed out up to this
 * size; pinning more would take too much of the host's memory from
 * everything else. Trimming frees it past KEEP_HOST_BYTES. */
#define MAX_HOST_BYTES ((gsize) 2 << 30)
#define KEEP_HOST_BYTES ((gsize) 512 << 20)

/* cuBLAS's workspace is ours, so that the memory limit counts it. */
#define CUBLAS_WORKSPACE_BYTES ((gsize) 32 << 20)

/* The host waits before queuing an op while this many are still queued:
 * a cancellation, seen between ops, then waits for a few ops at most. */
#define MAX_QUEUED_OPS 8

/* Spare buffers beyond this many are freed, oldest first. */
#define MAX_SPARE 64

typedef struct _CudaBackend CudaBackend;

struct _TesseraBuffer
{
  float       *data;
  gsize        size;
  CudaBackend *owner;
};

typedef struct
{
  void        *data;
  gsize        size;
  CudaBackend *owner;
} DeviceArray;

typedef enum
{
  SCRATCH_COLUMNS,    /* im2col matrices, transposed convolutions' products */
  SCRATCH_UPLOAD,     /* weights on their way to fp16 */
  N_SCRATCH
} ScratchSlot;

struct _CudaBackend
{
  TesseraBackend    parent;
  int               device;
  TesseraPrecision  precision;
  gsize             limit;               /* bytes; 0: the device's */
  gsize             allocated;           /* bytes, all of it through device_alloc() */
  gsize             peak;
  cudaStream_t      stream;
  cublasHandle_t    cublas;
  GPtrArray        *spare;               /* TesseraBuffer, freed and kept */
  GHashTable       *weights;             /* host weights → DeviceArray for the GEMMs */
  GHashTable       *floats;              /* host floats → DeviceArray of fp32 */
  GHashTable       *mma_weights;         /* host weights → DeviceArray for the MMA kernel */
  DeviceArray       scratch[N_SCRATCH];
  float            *staging;             /* pinned, 2 × STAGING_HALF_BYTES */
  float            *host;                /* pinned, for host_memory() */
  gsize             host_size;           /* bytes */
  cudaEvent_t       staged[2];           /* each half's last copy */
  void             *workspace;           /* cuBLAS's */
  cudaEvent_t       queued[MAX_QUEUED_OPS]; /* each recent op's end */
  guint64           n_ops;
};

/* The arguments of compute(), as one. */
typedef struct
{
  const TesseraNode   *node;
  TesseraBuffer      **inputs;
  const TesseraShape  *shapes;
  TesseraBuffer       *residual;
  TesseraBuffer       *output;
  const TesseraShape  *output_shape;
} Op;

static const TesseraBackendVTable cuda_vtable;

static gboolean
cuda_failed (cudaError_t   status,
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

static gboolean
cublas_failed (cublasStatus_t   status,
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

/* TRUE when @call succeeded; otherwise FALSE, with @error set. */
#define CUDA_CHECK(call, error) \
  ({ cudaError_t status_ = (call); status_ == cudaSuccess || cuda_failed (status_, #call, G_STRLOC, (error)); })
#define CUBLAS_CHECK(call, error) \
  ({ cublasStatus_t status_ = (call); \
     status_ == CUBLAS_STATUS_SUCCESS || cublas_failed (status_, #call, G_STRLOC, (error)); })

/* The calling thread's device is the backend's: the engine calls from
 * worker threads, and CUDA's current device is per thread. */
static gboolean
use_device (CudaBackend  *self,
            GError      **error)
{
  return CUDA_CHECK (cudaSetDevice (self->device), error);
}

/* Frees what device_alloc() gave, which queued work may still read. */
static void
device_free (CudaBackend *self,
             void        *data,
             gsize        size)
{
  if (data == NULL)
    return;
  cudaStreamSynchronize (self->stream);
  cudaFree (data);
  self->allocated -= size;
}

static void
drop_spares (CudaBackend *self)
{
  cudaStreamSynchronize (self->stream);
  g_ptr_array_set_size (self->spare, 0);
}

static gboolean
over_limit (CudaBackend *self,
            gsize        size)
{
  return self->limit != 0 && self->allocated + size > self->limit;
}

/* Device memory, counted against the limit; when it is short, the spare
 * buffers go back first. */
static gboolean
device_alloc (CudaBackend  *self,
              void        **data,
              gsize         size,
              GError      **error)
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

static void
buffer_release (gpointer data)
{
  TesseraBuffer *buffer = data;

  device_free (buffer->owner, buffer->data, buffer->size);
  g_free (buffer);
}

static void
device_array_free (gpointer data)
{
  DeviceArray *array = data;

  device_free (array->owner, array->data, array->size);
  g_free (array);
}

static void
cuda_free (TesseraBackend *backend)
{
  CudaBackend *self = (CudaBackend *) backend;

  cudaSetDevice (self->device);
  if (self->stream != NULL)
    cudaStreamSynchronize (self->stream);

  if (self->cublas != NULL)
    cublasDestroy (self->cublas);
  g_clear_pointer (&self->spare, g_ptr_array_unref);
  g_clear_pointer (&self->weights, g_hash_table_unref);
  g_clear_pointer (&self->floats, g_hash_table_unref);
  g_clear_pointer (&self->mma_weights, g_hash_table_unref);
  for (guint i = 0; i < N_SCRATCH; i++)
    device_free (self, self->scratch[i].data, self->scratch[i].size);
  device_free (self, self->workspace, CUBLAS_WORKSPACE_BYTES);
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

static TesseraBuffer *
cuda_buffer_new (TesseraBackend  *backend,
                 gsize            n_floats,
                 GError         **error)
{
  CudaBackend *self = (CudaBackend *) backend;
  gsize size = MAX (n_floats, 1) * sizeof (float);
  TesseraBuffer *buffer = NULL;
  guint best = G_MAXUINT;
  void *data;

  if (!use_device (self, error))
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

  if (!device_alloc (self, &data, size, error))
    return NULL;

  buffer = g_new (TesseraBuffer, 1);
  buffer->data = data;
  buffer->size = size;
  buffer->owner = self;
  return buffer;
}

static void
cuda_buffer_free (TesseraBackend *backend,
                  TesseraBuffer  *buffer)
{
  CudaBackend *self = (CudaBackend *) backend;

  g_ptr_array_add (self->spare, buffer);
  if (self->spare->len > MAX_SPARE)
    {
      cudaSetDevice (self->device);
      cudaStreamSynchronize (self->stream);
      g_ptr_array_remove_index (self->spare, 0);
    }
}

static gboolean
ensure_staging (CudaBackend  *self,
                GError      **error)
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
staging_half (CudaBackend *self,
              guint        half)
{
  return self->staging + half * (STAGING_HALF_BYTES / sizeof (float));
}

static float *
cuda_host_memory (TesseraBackend *backend,
                  gsize           n_floats)
{
  CudaBackend *self = (CudaBackend *) backend;
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
is_pinned (CudaBackend *self,
           const float *data,
           gsize        n_floats)
{
  gsize room = self->host_size / sizeof (float);

  return self->host != NULL && data >= self->host && (gsize) (data - self->host) <= room &&
         n_floats <= room - (gsize) (data - self->host);
}

static gboolean
cuda_upload (TesseraBackend  *backend,
             TesseraBuffer   *buffer,
             const float     *data,
             gsize            n_floats,
             GError         **error)
{
  CudaBackend *self = (CudaBackend *) backend;
  gsize chunk = STAGING_HALF_BYTES / sizeof (float);

  if (!use_device (self, error))
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
static gboolean
cuda_download (TesseraBackend  *backend,
               TesseraBuffer   *buffer,
               gsize            offset,
               float           *data,
               gsize            n_floats,
               GError         **error)
{
  CudaBackend *self = (CudaBackend *) backend;
  gsize chunk = STAGING_HALF_BYTES / sizeof (float);
  gsize n_chunks = (n_floats + chunk - 1) / chunk;
  const float *from = buffer->data + offset;

  if (!use_device (self, error))
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
static void *
scratch (CudaBackend  *self,
         ScratchSlot   slot,
         gsize         size,
         GError      **error)
{
  DeviceArray *array = &self->scratch[slot];

  if (array->size < size)
    {
      device_free (self, array->data, array->size);
      array->data = NULL;
      array->size = 0;
      if (!device_alloc (self, &array->data, size, error))
        return NULL;
      array->size = size;
    }

  return array->data;
}

/* What @cache keeps for @host when it has @size bytes. One of another size
 * belonged to a tensor freed since, at the same address, and goes. */
static const void *
cached_array (CudaBackend *self,
              GHashTable  *cache,
              const float *host,
              gsize        size)
{
  DeviceArray *array = g_hash_table_lookup (cache, host);

  if (array == NULL)
    return NULL;
  if (array->size == size)
    return array->data;

  cudaStreamSynchronize (self->stream);
  g_hash_table_remove (cache, host);
  return NULL;
}

static void
keep_array (CudaBackend *self,
            GHashTable  *cache,
            const float *host,
            void        *data,
            gsize        size)
{
  DeviceArray *array = g_new (DeviceArray, 1);

  array->data = data;
  array->size = size;
  array->owner = self;
  g_hash_table_insert (cache, (gpointer) host, array);
}

static gboolean
check_weights (const float  *host,
               GError      **error)
{
  if (host != NULL)
    return TRUE;
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT, _("a layer has no weights"));
  return FALSE;
}

/* @n floats at @host on the device, uploaded on first use and kept; in
 * fp16 when @half. */
static const void *
device_copy (CudaBackend  *self,
             GHashTable   *cache,
             const float  *host,
             gsize         n,
             gboolean      half,
             GError      **error)
{
  gsize size = n * (half ? 2 : sizeof (float));
  const void *kept;
  void *data;

  if (!check_weights (host, error))
    return NULL;
  if ((kept = cached_array (self, cache, host, size)) != NULL)
    return kept;

  if (!device_alloc (self, &data, size, error))
    return NULL;

  if (half)
    {
      float *floats = scratch (self, SCRATCH_UPLOAD, n * sizeof (float), error);

      if (floats == NULL ||
          !CUDA_CHECK (cudaMemcpyAsync (floats, host, n * sizeof (float), cudaMemcpyHostToDevice,
                                        self->stream), error) ||
          !CUDA_CHECK (tessera_cuda_to_half (data, floats, n, self->stream), error))
        {
          device_free (self, data, size);
          return NULL;
        }
    }
  else if (!CUDA_CHECK (cudaMemcpyAsync (data, host, size, cudaMemcpyHostToDevice, self->stream), error))
    {
      device_free (self, data, size);
      return NULL;
    }

  keep_array (self, cache, host, data, size);
  return data;
}

/* A convolution's weights in the form the tensor-core kernel reads, made
 * on first use and kept. */
static const void *
device_mma_weights (CudaBackend        *self,
                    const TesseraNode  *node,
                    GError            **error)
{
  gsize n = (gsize) node->out_channels * node->in_channels * node->kernel * node->kernel;
  gsize size = tessera_cuda_conv_mma_weight_size (node->in_channels, node->out_channels, node->kernel);
  const void *kept;
  float *floats;
  void *data;

  if (!check_weights (node->weight, error))
    return NULL;
  if ((kept = cached_array (self, self->mma_weights, node->weight, size)) != NULL)
    return kept;

  if (!device_alloc (self, &data, size, error))
    return NULL;
  floats = scratch (self, SCRATCH_UPLOAD, n * sizeof (float), error);
  if (floats == NULL ||
      !CUDA_CHECK (cudaMemcpyAsync (floats, node->weight, n * sizeof (float), cudaMemcpyHostToDevice,
                                    self->stream), error) ||
      !CUDA_CHECK (tessera_cuda_conv_mma_weights (data, floats, node->in_channels, node->out_channels,
                                                  node->kernel, self->stream), error))
    {
      device_free (self, data, size);
      return NULL;
    }

  keep_array (self, self->mma_weights, node->weight, data, size);
  return data;
}

static const float *
device_floats (CudaBackend  *self,
               const float  *host,
               gsize         n,
               GError      **error)
{
  return device_copy (self, self->floats, host, n, FALSE, error);
}

/* Bias, activation, scale and residual of a convolution, with its bias
 * and slopes on the device. */
static gboolean
epilogue_init (CudaBackend            *self,
               const Op               *op,
               TesseraKernelEpilogue  *epilogue,
               GError                **error)
{
  const TesseraNode *node = op->node;

  *epilogue = (TesseraKernelEpilogue) {
    .residual = op->residual != NULL ? op->residual->data : NULL,
    .activation = node->activation,
    .slope = node->slope,
    .scale = node->scale_a,
  };

  if (node->bias != NULL &&
      (epilogue->bias = device_floats (self, node->bias, node->out_channels, error)) == NULL)
    return FALSE;
  if (node->activation == TESSERA_ACTIVATION_PRELU &&
      (epilogue->slopes = device_floats (self, node->slopes, node->out_channels, error)) == NULL)
    return FALSE;
  return TRUE;
}

static gboolean
epilogue_is_identity (const TesseraKernelEpilogue *epilogue)
{
  return epilogue->bias == NULL && epilogue->activation == TESSERA_KERNEL_ACTIVATION_NONE &&
         epilogue->scale == 1.f && epilogue->residual == NULL;
}

/* C = A · op(B) in cuBLAS's column-major terms, C in fp32; A and B in
 * fp16 when @half. A row-major matrix is its column-major transpose, so a
 * row-major W (m × k) · X (k × n) is computed as Xᵀ · Wᵀ. */
static gboolean
gemm (CudaBackend  *self,
      gboolean      half,
      gboolean      transpose_b,
      int           m,
      int           n,
      int           k,
      const void   *a,
      int           lda,
      const void   *b,
      int           ldb,
      float        *c,
      int           ldc,
      GError      **error)
{
  const float one = 1.f, zero = 0.f;
  cublasOperation_t op_b = transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;

  /* Made on first use: the fp16 convolutions need no cuBLAS. */
  if (self->workspace == NULL &&
      (!device_alloc (self, &self->workspace, CUBLAS_WORKSPACE_BYTES, error) ||
       !CUBLAS_CHECK (cublasSetWorkspace (self->cublas, self->workspace, CUBLAS_WORKSPACE_BYTES), error)))
    return FALSE;

  if (half)
    return CUBLAS_CHECK (cublasGemmEx (self->cublas, CUBLAS_OP_N, op_b, m, n, k,
                                       &one, a, CUDA_R_16F, lda, b, CUDA_R_16F, ldb,
                                       &zero, c, CUDA_R_32F, ldc,
                                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT), error);

  return CUBLAS_CHECK (cublasSgemm (self->cublas, CUBLAS_OP_N, op_b, m, n, k,
                                    &one, a, lda, b, ldb, &zero, c, ldc), error);
}

/* GEMM sizes are ints. */
static gboolean
check_gemm_size (gsize    size,
                 GError **error)
{
  if (size <= G_MAXINT)
    return TRUE;
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
               _("a convolution is too large for the GPU's matrix products; try a smaller tile"));
  return FALSE;
}

/* A stride-1 convolution in fp16 on the tensor cores, read straight from
 * its inputs, with the epilogue fused. */
static gboolean
conv2d_mma (CudaBackend  *self,
            const Op     *op,
            GError      **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelConvMma params = {
    .n_inputs = node->n_inputs,
    .in_channels = node->in_channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .output = op->output->data,
    .out_channels = node->out_channels,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .padding = node->padding,
  };
  TesseraKernelEpilogue epilogue;

  for (guint i = 0; i < node->n_inputs; i++)
    {
      params.inputs[i] = op->inputs[i]->data;
      params.channels[i] = op->shapes[i].channels;
    }

  params.weight = device_mma_weights (self, node, error);
  return params.weight != NULL && epilogue_init (self, op, &epilogue, error) &&
         CUDA_CHECK (tessera_cuda_conv_mma (&params, &epilogue, self->stream), error);
}

/* Grouped convolutions have too little work per output for a GEMM: a
 * direct kernel, in fp32 in both precisions. */
static gboolean
grouped_conv2d (CudaBackend  *self,
                const Op     *op,
                GError      **error)
{
  const TesseraNode *node = op->node;
  gsize n_weights = (gsize) node->out_channels * (node->in_channels / node->groups) * node->kernel * node->kernel;
  TesseraKernelEpilogue epilogue;
  TesseraKernelGroupedConv params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .in_channels = node->in_channels,
    .out_channels = node->out_channels,
    .groups = node->groups,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .stride = node->stride,
    .padding = node->padding,
  };

  params.weight = device_floats (self, node->weight, n_weights, error);
  return params.weight != NULL && epilogue_init (self, op, &epilogue, error) &&
         CUDA_CHECK (tessera_cuda_grouped_conv (&params, &epilogue, self->stream), error);
}

/* Convolution as GEMM: output rows are unrolled a band at a time into an
 * im2col matrix (in fp16 for the tensor cores), and the weights (out ×
 * in·k²) multiply it straight into the output's rows. Several inputs are
 * read as their channel concatenation. */
static gboolean
conv2d (CudaBackend  *self,
        const Op     *op,
        GError      **error)
{
  const TesseraNode *node = op->node;
  gboolean half = self->precision == TESSERA_PRECISION_FP16;
  guint ow = op->output_shape->width, oh = op->output_shape->height;
  gsize plane = (gsize) oh * ow;
  gsize k = (gsize) node->in_channels * node->kernel * node->kernel;
  gsize element = half ? 2 : sizeof (float);
  TesseraKernelEpilogue epilogue;
  const void *weight;

  if (node->groups > 1)
    return grouped_conv2d (self, op, error);
  /* The tensor-core kernel indexes a plane with ints. */
  if (half && tessera_cuda_conv_mma_supports (node->out_channels, node->kernel, node->stride) &&
      (gsize) op->shapes[0].height * op->shapes[0].width <= G_MAXINT)
    return conv2d_mma (self, op, error);
  if (!check_gemm_size (MAX (plane, k), error))
    return FALSE;

  weight = device_copy (self, self->weights, node->weight, node->out_channels * k, half, error);
  if (weight == NULL || !epilogue_init (self, op, &epilogue, error))
    return FALSE;

  if (!half && node->kernel == 1 && node->stride == 1 && node->padding == 0 && node->n_inputs == 1)
    {
      /* A 1×1 convolution's input already is the matrix. */
      if (!gemm (self, FALSE, FALSE, plane, node->out_channels, k,
                 op->inputs[0]->data, plane, weight, k, op->output->data, plane, error))
        return FALSE;
    }
  else
    {
      guint rows = MAX (1, MIN (oh, COLUMN_BYTES / (k * ow * element)));
      TesseraKernelIm2col im2col = {
        .n_inputs = node->n_inputs,
        .in_height = op->shapes[0].height,
        .in_width = op->shapes[0].width,
        .out_width = ow,
        .kernel = node->kernel,
        .stride = node->stride,
        .padding = node->padding,
        .half = half,
      };

      im2col.columns = scratch (self, SCRATCH_COLUMNS, k * rows * ow * element, error);
      if (im2col.columns == NULL)
        return FALSE;
      for (guint i = 0; i < node->n_inputs; i++)
        {
          im2col.inputs[i] = op->inputs[i]->data;
          im2col.channels[i] = op->shapes[i].channels;
        }

      for (guint r0 = 0; r0 < oh; r0 += rows)
        {
          gsize n;

          im2col.first_row = r0;
          im2col.n_rows = MIN (rows, oh - r0);
          n = (gsize) im2col.n_rows * ow;
          if (!CUDA_CHECK (tessera_cuda_im2col (&im2col, self->stream), error) ||
              !gemm (self, half, FALSE, n, node->out_channels, k, im2col.columns, n, weight, k,
                     op->output->data + (gsize) r0 * ow, plane, error))
            return FALSE;
        }
    }

  if (epilogue_is_identity (&epilogue))
    return TRUE;
  return CUDA_CHECK (tessera_cuda_epilogue (op->output->data, node->out_channels, plane, &epilogue,
                                            self->stream), error);
}

/* Transposed convolution: for a block of output channels, the input times
 * their weights gives each input pixel's contribution to each tap
 * (in fp32: these layers are few and small), and col2im gathers them into
 * place with the epilogue. */
static gboolean
deconv2d (CudaBackend  *self,
          const Op     *op,
          GError      **error)
{
  const TesseraNode *node = op->node;
  guint kk = node->kernel * node->kernel;
  gsize in_plane = (gsize) op->shapes[0].height * op->shapes[0].width;
  guint block = MAX (1, MIN (node->out_channels, COLUMN_BYTES / (kk * in_plane * sizeof (float))));
  TesseraKernelCol2im col2im = {
    .output = op->output->data,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = node->kernel,
    .stride = node->stride,
    .padding = node->padding,
  };
  TesseraKernelEpilogue epilogue;
  const float *weight;
  float *columns;

  if (!check_gemm_size (MAX (in_plane, (gsize) node->out_channels * kk), error))
    return FALSE;

  weight = device_floats (self, node->weight, (gsize) node->in_channels * node->out_channels * kk, error);
  if (weight == NULL || !epilogue_init (self, op, &epilogue, error))
    return FALSE;
  columns = scratch (self, SCRATCH_COLUMNS, (gsize) block * kk * in_plane * sizeof (float), error);
  if (columns == NULL)
    return FALSE;
  col2im.columns = columns;

  /* Weights [in][out][k][k]: a block of outputs is a column block. */
  for (guint o0 = 0; o0 < node->out_channels; o0 += block)
    {
      col2im.first_channel = o0;
      col2im.n_channels = MIN (block, node->out_channels - o0);
      if (!gemm (self, FALSE, TRUE, in_plane, col2im.n_channels * kk, node->in_channels,
                 op->inputs[0]->data, in_plane, weight + (gsize) o0 * kk, node->out_channels * kk,
                 columns, in_plane, error) ||
          !CUDA_CHECK (tessera_cuda_col2im (&col2im, &epilogue, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
elementwise (CudaBackend  *self,
             const Op     *op,
             GError      **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelElementwise params = {
    .a = op->inputs[0]->data,
    .b = node->n_inputs > 1 ? op->inputs[1]->data : NULL,
    .b_one_channel = node->n_inputs > 1 && op->shapes[1].channels == 1,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .plane = (gsize) op->output_shape->height * op->output_shape->width,
    .activation = node->activation,
    .slope = node->slope,
    .scale_a = node->scale_a,
    .scale_b = node->scale_b,
    .min = node->min,
    .max = node->max,
  };

  switch (node->op)
    {
    case TESSERA_OP_ACTIVATION:
      params.op = TESSERA_KERNEL_ACTIVATE;
      if (node->activation == TESSERA_ACTIVATION_PRELU &&
          (params.slopes = device_floats (self, node->slopes, params.channels, error)) == NULL)
        return FALSE;
      break;
    case TESSERA_OP_ADD:
      params.op = TESSERA_KERNEL_ADD;
      break;
    case TESSERA_OP_MUL_CHANNELS:
      params.op = TESSERA_KERNEL_MUL_CHANNELS;
      break;
    case TESSERA_OP_MUL:
      params.op = TESSERA_KERNEL_MUL;
      break;
    case TESSERA_OP_CLAMP:
      params.op = TESSERA_KERNEL_CLAMP;
      break;
    case TESSERA_OP_AFFINE:
    default:
      params.op = TESSERA_KERNEL_AFFINE;
      break;
    }

  return CUDA_CHECK (tessera_cuda_elementwise (&params, self->stream), error);
}

static gboolean
layout (CudaBackend  *self,
        const Op     *op,
        GError      **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLayout params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .factor = node->factor,
    .pad_mode = node->pad_mode,
    .top = node->top,
    .left = node->left,
  };

  switch (node->op)
    {
    case TESSERA_OP_CONCAT:
      {
        const float *inputs[TESSERA_NODE_MAX_INPUTS];
        size_t sizes[TESSERA_NODE_MAX_INPUTS];

        for (guint k = 0; k < node->n_inputs; k++)
          {
            inputs[k] = op->inputs[k]->data;
            sizes[k] = (size_t) op->shapes[k].channels * op->shapes[k].height * op->shapes[k].width;
          }
        return CUDA_CHECK (tessera_cuda_concat (op->output->data, inputs, sizes, node->n_inputs,
                                                self->stream), error);
      }
    case TESSERA_OP_PIXEL_SHUFFLE:
      params.op = TESSERA_KERNEL_PIXEL_SHUFFLE;
      break;
    case TESSERA_OP_PIXEL_UNSHUFFLE:
      params.op = TESSERA_KERNEL_PIXEL_UNSHUFFLE;
      break;
    case TESSERA_OP_CROP:
      params.op = TESSERA_KERNEL_CROP;
      break;
    case TESSERA_OP_PAD:
    default:
      params.op = TESSERA_KERNEL_PAD;
      break;
    }

  return CUDA_CHECK (tessera_cuda_layout (&params, self->stream), error);
}

static gboolean
resize (CudaBackend  *self,
        const Op     *op,
        GError      **error)
{
  TesseraKernelResize params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .mode = op->node->resize_mode,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
  };

  return CUDA_CHECK (tessera_cuda_resize (&params, self->stream), error);
}

static gboolean
max_pool (CudaBackend  *self,
          const Op     *op,
          GError      **error)
{
  TesseraKernelMaxPool params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
    .kernel = op->node->kernel,
    .stride = op->node->stride,
  };

  return CUDA_CHECK (tessera_cuda_max_pool (&params, self->stream), error);
}

static gboolean
grid (CudaBackend  *self,
      const Op     *op,
      GError      **error)
{
  TesseraKernelGrid params = {
    .op = op->node->op - TESSERA_OP_GRID_TO_WINDOWS,
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .factor = op->node->factor,
    .parts = MAX (op->node->groups, 1),
    .in_channels = op->shapes[0].channels,
    .in_height = op->shapes[0].height,
    .in_width = op->shapes[0].width,
    .out_channels = op->output_shape->channels,
    .out_height = op->output_shape->height,
    .out_width = op->output_shape->width,
  };

  return CUDA_CHECK (tessera_cuda_grid (&params, self->stream), error);
}

static gboolean
reduce (CudaBackend  *self,
        const Op     *op,
        GError      **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLinear params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .in_channels = node->in_channels,
    .out_channels = node->out_channels,
    .activation = node->activation,
    .slope = node->slope,
  };

  if (node->op == TESSERA_OP_GLOBAL_AVG_POOL)
    return CUDA_CHECK (tessera_cuda_global_avg_pool (op->inputs[0]->data, op->output->data,
                                                     op->output_shape->channels,
                                                     (gsize) op->shapes[0].height * op->shapes[0].width,
                                                     self->stream), error);

  params.weight = device_floats (self, node->weight, (gsize) node->out_channels * node->in_channels, error);
  if (params.weight == NULL)
    return FALSE;
  if (node->bias != NULL && (params.bias = device_floats (self, node->bias, node->out_channels, error)) == NULL)
    return FALSE;
  return CUDA_CHECK (tessera_cuda_linear (&params, self->stream), error);
}

static gboolean
layer_norm (CudaBackend  *self,
            const Op     *op,
            GError      **error)
{
  const TesseraNode *node = op->node;
  TesseraKernelLayerNorm params = {
    .input = op->inputs[0]->data,
    .output = op->output->data,
    .channels = op->output_shape->channels,
    .plane = (gsize) op->output_shape->height * op->output_shape->width,
    .epsilon = node->epsilon,
  };

  if (node->weight != NULL && (params.weight = device_floats (self, node->weight, params.channels, error)) == NULL)
    return FALSE;
  if (node->bias != NULL && (params.bias = device_floats (self, node->bias, params.channels, error)) == NULL)
    return FALSE;
  return CUDA_CHECK (tessera_cuda_layer_norm (&params, self->stream), error);
}

/* Window attention takes this much device memory at most, most of it the
 * scores, for a chunk of windows at a time. It lies in the im2col
 * scratch: ops run in order, so no convolution uses that meanwhile. */
#define ATTENTION_BYTES ((gsize) 128 << 20)

static gboolean
ensure_workspace (CudaBackend  *self,
                  GError      **error)
{
  return self->workspace != NULL ||
         (device_alloc (self, &self->workspace, CUBLAS_WORKSPACE_BYTES, error) &&
          CUBLAS_CHECK (cublasSetWorkspace (self->cublas, self->workspace, CUBLAS_WORKSPACE_BYTES), error));
}

/* Row-major C (m × n) = alpha · op (A) · op (B), for @batch triples of
 * matrices strides apart, in fp32, as tessera_sgemm() on the CPU: cuBLAS
 * computes the column-major Cᵀ = op (B)ᵀ · op (A)ᵀ. */
static gboolean
sgemm_rows (CudaBackend  *self,
            gboolean      transpose_a,
            gboolean      transpose_b,
            int           m,
            int           n,
            int           k,
            float         alpha,
            const float  *a,
            int           lda,
            long long     stride_a,
            const float  *b,
            int           ldb,
            long long     stride_b,
            float        *c,
            int           ldc,
            long long     stride_c,
            int           batch,
            GError      **error)
{
  const float zero = 0.f;

  return ensure_workspace (self, error) &&
         CUBLAS_CHECK (cublasSgemmStridedBatched (self->cublas, transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                                  transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha,
                                                  b, ldb, stride_b, a, lda, stride_a, &zero, c, ldc, stride_c,
                                                  batch), error);
}

/* Where a chunk of windows' q, k and v lie: row-major, each window's
 * rows after the previous window's. */
typedef struct
{
  const float *q;
  const float *k;
  const float *v;
  int          q_ld;
  int          kv_ld;
  long long    q_stride;
  long long    kv_stride;
} ChunkQkv;

/* The q k v projection of a chunk of windows' @tokens (and the larger
 * key/value windows' @kv_tokens when they differ), into @qkv; without
 * W_qkv the tokens hold q, k and v as they are. k and v outside the image
 * are zero after the bias, as HAT's unfolding of the projected image. */
static gboolean
project_qkv (CudaBackend                *self,
             const TesseraAttention     *at,
             const TesseraKernelWindows *windows,
             const float                *qkv_weight,
             const float                *qkv_bias,
             const float                *tokens,
             const float                *kv_tokens,
             float                      *qkv,
             ChunkQkv                   *out,
             GError                    **error)
{
  guint c = at->channels, n = windows->window_h * windows->window_w, m = windows->kv_h * windows->kv_w;
  guint rows = windows->n_windows * n, kv_rows = windows->n_windows * m;
  float *kv = qkv + (gsize) rows * c;

  if (tokens == kv_tokens)
    {
      if (qkv_weight != NULL &&
          (!sgemm_rows (self, FALSE, TRUE, rows, 3 * c, c, 1.f, tokens, c, 0, qkv_weight, c, 0, qkv, 3 * c, 0, 1,
                        error) ||
           (qkv_bias != NULL && !CUDA_CHECK (tessera_cuda_add_rows (qkv, rows, 3 * c, qkv_bias, self->stream), error))))
        return FALSE;
      tokens = qkv_weight != NULL ? qkv : tokens;
      *out = (ChunkQkv) { tokens, tokens + c, tokens + 2 * c, 3 * c, 3 * c, (long long) n * 3 * c,
                          (long long) n * 3 * c };
      return TRUE;
    }

  if (qkv_weight == NULL)
    {
      *out = (ChunkQkv) { tokens, kv_tokens + c, kv_tokens + 2 * c, 3 * c, 3 * c, (long long) n * 3 * c,
                          (long long) m * 3 * c };
      return TRUE;
    }

  if (!sgemm_rows (self, FALSE, TRUE, rows, c, c, 1.f, tokens, c, 0, qkv_weight, c, 0, qkv, c, 0, 1, error) ||
      (qkv_bias != NULL && !CUDA_CHECK (tessera_cuda_add_rows (qkv, rows, c, qkv_bias, self->stream), error)) ||
      !sgemm_rows (self, FALSE, TRUE, kv_rows, 2 * c, c, 1.f, kv_tokens, c, 0, qkv_weight + (gsize) c * c, c, 0,
                   kv, 2 * c, 0, 1, error) ||
      (qkv_bias != NULL &&
       !CUDA_CHECK (tessera_cuda_add_rows (kv, kv_rows, 2 * c, qkv_bias + c, self->stream), error)) ||
      !CUDA_CHECK (tessera_cuda_windows_clear_outside (windows, kv, 2 * c, self->stream), error))
    return FALSE;
  *out = (ChunkQkv) { qkv, kv, kv + c, c, 2 * c, (long long) n * c, (long long) m * 2 * c };
  return TRUE;
}

/* TesseraAttention, a chunk of windows at a time: pixels to tokens (and
 * the key/value windows' pixels, when larger), the q k v projection, each
 * head's scores as one batched GEMM over the windows, their bias, mask
 * and softmax, the weights times v, the output projection, and tokens
 * back to pixels, all in fp32. */
static gboolean
window_attention (CudaBackend  *self,
                  const Op     *op,
                  GError      **error)
{
  const TesseraAttention *at = op->node->attention;
  guint c = at->channels, d = c / at->heads, n = at->window_h * at->window_w;
  guint kv_h = at->kv_window_h != 0 ? at->kv_window_h : at->window_h;
  guint kv_w = at->kv_window_w != 0 ? at->kv_window_w : at->window_w;
  guint mk = kv_h * kv_w;
  gboolean overlap = kv_h != at->window_h || kv_w != at->window_w;
  guint in_channels = op->shapes[0].channels;
  guint n_windows = op->shapes[0].height / at->window_h * (op->shapes[0].width / at->window_w);
  gsize qkv_floats = at->qkv_weight == NULL ? 0 : (overlap ? (gsize) n * c + (gsize) mk * 2 * c : (gsize) n * 3 * c);
  gsize per_window = (gsize) n * in_channels + (overlap ? (gsize) mk * in_channels : 0) + qkv_floats +
                     (gsize) at->heads * n * mk + (gsize) n * c;
  guint chunk = MAX (1, MIN (n_windows, ATTENTION_BYTES / (per_window * sizeof (float))));
  const float *qkv_weight = NULL, *qkv_bias = NULL, *proj_weight = NULL, *proj_bias = NULL;
  const float *table = NULL, *index = NULL;
  float *tokens, *kv_tokens, *qkv, *scores, *heads;
  TesseraKernelWindows windows = {
    .height = op->shapes[0].height,
    .width = op->shapes[0].width,
    .window_h = at->window_h,
    .window_w = at->window_w,
    .kv_h = kv_h,
    .kv_w = kv_w,
    .shift_y = at->shift_y,
    .shift_x = at->shift_x,
  };
  TesseraKernelSoftmax softmax = { .heads = at->heads, .mask = at->shift_mask };

  if (!check_gemm_size ((gsize) chunk * mk * MAX (in_channels, at->heads * mk), error))
    return FALSE;
  if ((at->qkv_weight != NULL &&
       (qkv_weight = device_floats (self, at->qkv_weight, (gsize) 3 * c * c, error)) == NULL) ||
      (at->qkv_bias != NULL && (qkv_bias = device_floats (self, at->qkv_bias, 3 * c, error)) == NULL) ||
      (at->proj_weight != NULL &&
       (proj_weight = device_floats (self, at->proj_weight, (gsize) c * c, error)) == NULL) ||
      (at->proj_bias != NULL && (proj_bias = device_floats (self, at->proj_bias, c, error)) == NULL) ||
      (at->bias_table != NULL &&
       ((table = device_floats (self, at->bias_table, (gsize) at->n_table * at->heads, error)) == NULL ||
        /* 32-bit indices, copied as floats are: bit for bit. */
        (index = device_floats (self, (const float *) at->bias_index, (gsize) n * mk, error)) == NULL)))
    return FALSE;
  softmax.bias_table = table;
  softmax.bias_index = (const unsigned *) index;

  tokens = scratch (self, SCRATCH_COLUMNS, chunk * per_window * sizeof (float), error);
  if (tokens == NULL)
    return FALSE;
  kv_tokens = overlap ? tokens + (gsize) chunk * n * in_channels : tokens;
  qkv = kv_tokens + (overlap ? (gsize) chunk * mk * in_channels : (gsize) chunk * n * in_channels);
  scores = qkv + chunk * qkv_floats;
  heads = scores + (gsize) chunk * at->heads * n * mk;

  for (guint w0 = 0; w0 < n_windows; w0 += chunk)
    {
      guint nw = MIN (chunk, n_windows - w0);
      const float *y = heads;
      ChunkQkv t;

      windows.first_window = w0;
      windows.n_windows = nw;
      softmax.scores = scores;
      if (!CUDA_CHECK (tessera_cuda_windows_gather (&windows, op->inputs[0]->data, in_channels, tokens,
                                                    self->stream), error) ||
          (overlap && !CUDA_CHECK (tessera_cuda_windows_gather_kv (&windows, op->inputs[0]->data, in_channels,
                                                                   kv_tokens, self->stream), error)) ||
          !project_qkv (self, at, &windows, qkv_weight, qkv_bias, tokens, kv_tokens, qkv, &t, error))
        return FALSE;

      for (guint h = 0; h < at->heads; h++)
        if (!sgemm_rows (self, FALSE, TRUE, n, mk, d, at->scale, t.q + h * d, t.q_ld, t.q_stride,
                         t.k + h * d, t.kv_ld, t.kv_stride,
                         scores + (gsize) h * nw * n * mk, mk, (long long) n * mk, nw, error))
          return FALSE;

      if (!CUDA_CHECK (tessera_cuda_attention_softmax (&windows, &softmax, self->stream), error))
        return FALSE;

      for (guint h = 0; h < at->heads; h++)
        if (!sgemm_rows (self, FALSE, FALSE, n, d, mk, 1.f, scores + (gsize) h * nw * n * mk, mk, (long long) n * mk,
                         t.v + h * d, t.kv_ld, t.kv_stride,
                         heads + h * d, c, (long long) n * c, nw, error))
          return FALSE;

      /* The tokens are no longer needed. */
      if (proj_weight != NULL)
        {
          if (!sgemm_rows (self, FALSE, TRUE, nw * n, c, c, 1.f, heads, c, 0, proj_weight, c, 0, tokens, c, 0, 1,
                           error))
            return FALSE;
          y = tokens;
        }

      if (!CUDA_CHECK (tessera_cuda_windows_scatter (&windows, y, c, proj_weight != NULL ? proj_bias : NULL,
                                                     op->node->scale_a,
                                                     op->residual != NULL ? op->residual->data : NULL,
                                                     op->output->data, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

/* TesseraChannelAttention, in fp32: the whole input's rows are its
 * planes, read in place; smaller windows are gathered a chunk at a time.
 * Every (window, head) is one matrix of a batched GEMM. */
static gboolean
channel_attention (CudaBackend  *self,
                   const Op     *op,
                   GError      **error)
{
  const TesseraChannelAttention *at = op->node->channel_attention;
  guint c = at->channels, heads = at->heads, d = c / heads;
  guint height = op->shapes[0].height, width = op->shapes[0].width;
  guint window_h = at->window_h != 0 ? at->window_h : height, window_w = at->window_w != 0 ? at->window_w : width;
  gsize n = (gsize) window_h * window_w, plane = (gsize) height * width;
  guint n_windows = (guint) (plane / n);
  gboolean whole = n_windows == 1;
  /* Gathered q k v and the output's rows (none for the whole input),
   * scores, norms. */
  gsize per_window = (whole ? 0 : 4 * c * n) + (gsize) heads * d * d + 2 * c;
  guint chunk = MAX (1, MIN (n_windows, ATTENTION_BYTES / (per_window * sizeof (float))));
  const float *temperature;
  float *work;
  TesseraKernelChannelWindows windows = {
    .channels = c,
    .height = height,
    .width = width,
    .window_h = window_h,
    .window_w = window_w,
  };

  if (!check_gemm_size (n, error))
    return FALSE;
  temperature = device_floats (self, at->temperature, heads, error);
  work = scratch (self, SCRATCH_COLUMNS, chunk * per_window * sizeof (float), error);
  if (temperature == NULL || work == NULL)
    return FALSE;

  for (guint w0 = 0; w0 < n_windows; w0 += chunk)
    {
      guint nw = MIN (chunk, n_windows - w0), batch = nw * heads;
      float *rows = work, *y = whole ? op->output->data : work + 3 * (gsize) nw * c * n;
      float *scores = whole ? work : y + (gsize) nw * c * n;
      float *norms = scores + (gsize) batch * d * d;
      const float *q, *k, *v;

      windows.first_window = w0;
      windows.n_windows = nw;
      if (whole)
        q = op->inputs[0]->data;
      else if (!CUDA_CHECK (tessera_cuda_channel_windows_gather (&windows, op->inputs[0]->data, rows, self->stream),
                            error))
        return FALSE;
      else
        q = rows;
      k = q + (gsize) nw * c * n;
      v = k + (gsize) nw * c * n;

      if (!CUDA_CHECK (tessera_cuda_row_norms (q, (gsize) nw * c, n, norms, self->stream), error) ||
          !CUDA_CHECK (tessera_cuda_row_norms (k, (gsize) nw * c, n, norms + (gsize) nw * c, self->stream), error) ||
          !sgemm_rows (self, FALSE, TRUE, d, d, n, 1.f, q, n, (long long) d * n, k, n, (long long) d * n,
                       scores, d, (long long) d * d, batch, error) ||
          !CUDA_CHECK (tessera_cuda_channel_softmax (scores, batch, d, heads, norms, norms + (gsize) nw * c,
                                                     temperature, self->stream), error) ||
          !sgemm_rows (self, FALSE, FALSE, d, n, d, 1.f, scores, d, (long long) d * d, v, n, (long long) d * n,
                       y, n, (long long) d * n, batch, error))
        return FALSE;

      if (!whole &&
          !CUDA_CHECK (tessera_cuda_channel_windows_scatter (&windows, y, op->output->data, self->stream), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
compute_op (CudaBackend  *self,
            const Op     *op,
            GError      **error)
{
  const TesseraNode *node = op->node;

  switch (node->op)
    {
    case TESSERA_OP_CONV2D:
      return conv2d (self, op, error);
    case TESSERA_OP_DECONV2D:
      return deconv2d (self, op, error);
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_MUL:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
      return elementwise (self, op, error);
    case TESSERA_OP_CONCAT:
    case TESSERA_OP_PIXEL_SHUFFLE:
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
      return layout (self, op, error);
    case TESSERA_OP_RESIZE:
      return resize (self, op, error);
    case TESSERA_OP_MAX_POOL:
      return max_pool (self, op, error);
    case TESSERA_OP_GRID_TO_WINDOWS:
    case TESSERA_OP_WINDOWS_TO_GRID:
    case TESSERA_OP_GRID_TO_CHANNELS:
    case TESSERA_OP_CHANNELS_TO_GRID:
      return grid (self, op, error);
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_LINEAR:
      return reduce (self, op, error);
    case TESSERA_OP_LAYER_NORM:
      return layer_norm (self, op, error);
    case TESSERA_OP_WINDOW_ATTENTION:
      return window_attention (self, op, error);
    case TESSERA_OP_CHANNEL_ATTENTION:
      return channel_attention (self, op, error);
    case TESSERA_OP_INPUT:
    case TESSERA_N_OPS:
      break;
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, "op %d", node->op);
  return FALSE;
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
  CudaBackend *self = (CudaBackend *) backend;
  Op op = { node, inputs, input_shapes, residual, output, output_shape };
  cudaEvent_t *slot = &self->queued[self->n_ops % MAX_QUEUED_OPS];

  if (!use_device (self, error) ||
      (self->n_ops >= MAX_QUEUED_OPS && !CUDA_CHECK (cudaEventSynchronize (*slot), error)) ||
      !compute_op (self, &op, error) ||
      !CUDA_CHECK (cudaEventRecord (*slot, self->stream), error))
    return FALSE;

  self->n_ops++;
  return TRUE;
}

/* How many devices there are, or why there are none to use. */
static int
count_devices (GError **error)
{
  int count = 0;
  cudaError_t status = cudaGetDeviceCount (&count);

  if (status == cudaSuccess && count > 0)
    return count;

  cudaGetLastError ();
  if (status == cudaSuccess || status == cudaErrorNoDevice)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("no CUDA device found"));
  else if (status == cudaErrorInsufficientDriver && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("the NVIDIA driver does not reach the Flatpak sandbox; install the "
                   "org.freedesktop.Platform.GL.nvidia extension that matches the host's driver"));
  else if (status == cudaErrorInsufficientDriver)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("no NVIDIA driver was found, or it is too old for CUDA %d.%d"),
                 CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("CUDA cannot be used: %s"), cudaGetErrorString (status));
  return 0;
}

void
tessera_cuda_device_free (TesseraCudaDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device);
}

/**
 * tessera_cuda_list_devices:
 *
 * Returns: (transfer container) (nullable): the CUDA devices, each a
 *   #TesseraCudaDevice; %NULL when there is no driver or no device
 */
GPtrArray *
tessera_cuda_list_devices (GError **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  int count = count_devices (error);
  int driver = 0, runtime = 0, current = 0;

  if (count == 0)
    return NULL;

  cudaDriverGetVersion (&driver);
  cudaRuntimeGetVersion (&runtime);
  cudaGetDevice (&current);
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_cuda_device_free);

  for (int i = 0; i < count; i++)
    {
      g_autoptr(TesseraCudaDevice) device = g_new0 (TesseraCudaDevice, 1);
      struct cudaDeviceProp properties;
      size_t free_bytes = 0, total_bytes = 0;

      if (!CUDA_CHECK (cudaGetDeviceProperties (&properties, i), error))
        return NULL;

      device->index = i;
      device->name = g_strndup (properties.name, sizeof properties.name);
      device->total_memory = properties.totalGlobalMem;
      device->major = properties.major;
      device->minor = properties.minor;
      device->driver_version = driver;
      device->runtime_version = runtime;

      /* Free memory is only known inside the device's context. */
      if (cudaSetDevice (i) == cudaSuccess && cudaMemGetInfo (&free_bytes, &total_bytes) == cudaSuccess)
        device->free_memory = free_bytes;
      else
        cudaGetLastError ();

      g_ptr_array_add (devices, g_steal_pointer (&device));
    }

  cudaSetDevice (current);
  return g_steal_pointer (&devices);
}

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
  CudaBackend *self;
  int count = count_devices (error);
  int major = 0, minor = 0;

  if (count == 0)
    return NULL;
  if (device < 0 || device >= count)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("there is no CUDA device %d (devices: 0 to %d)"), device, count - 1);
      return NULL;
    }

  if (!CUDA_CHECK (cudaDeviceGetAttribute (&major, cudaDevAttrComputeCapabilityMajor, device), error) ||
      !CUDA_CHECK (cudaDeviceGetAttribute (&minor, cudaDevAttrComputeCapabilityMinor, device), error))
    return NULL;
  if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR))
    {
      struct cudaDeviceProp properties;

      cudaGetDeviceProperties (&properties, device);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s is unsupported: its compute capability is %d.%d, and Tessera needs %d.%d (Turing) or newer"),
                   properties.name, major, minor, MIN_MAJOR, MIN_MINOR);
      return NULL;
    }

  self = g_new0 (CudaBackend, 1);
  self->parent.vtable = &cuda_vtable;
  self->device = device;
  self->precision = precision;
  self->spare = g_ptr_array_new_with_free_func (buffer_release);
  self->weights = g_hash_table_new_full (NULL, NULL, NULL, device_array_free);
  self->floats = g_hash_table_new_full (NULL, NULL, NULL, device_array_free);
  self->mma_weights = g_hash_table_new_full (NULL, NULL, NULL, device_array_free);

  if (!use_device (self, error) ||
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

/* Whether the device told its free and total memory. */
static gboolean
cuda_get_memory (TesseraBackend *backend,
                 guint64        *free_bytes,
                 guint64        *total_bytes)
{
  CudaBackend *self = (CudaBackend *) backend;
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
static void
cuda_set_memory_limit (TesseraBackend *backend,
                       guint64         limit)
{
  CudaBackend *self = (CudaBackend *) backend;

  self->limit = limit;
}

static guint64
cuda_get_peak_memory (TesseraBackend *backend)
{
  CudaBackend *self = (CudaBackend *) backend;

  return self->peak;
}

/* The device memory kept for reuse goes, all but the weights, and the
 * pinned host memory when that is large. */
static void
cuda_trim (TesseraBackend *backend)
{
  CudaBackend *self = (CudaBackend *) backend;

  cudaSetDevice (self->device);
  drop_spares (self);
  for (guint i = 0; i < N_SCRATCH; i++)
    {
      device_free (self, self->scratch[i].data, self->scratch[i].size);
      self->scratch[i] = (DeviceArray) { NULL, 0, NULL };
    }
  if (self->host_size > KEEP_HOST_BYTES)
    {
      cudaFreeHost (self->host);
      self->host = NULL;
      self->host_size = 0;
    }
}

/* Returns: (transfer container) (nullable): the CUDA devices, each a
 *   #TesseraDevice that describes it for people; %NULL when there is no
 *   driver or no device */
static GPtrArray *
describe_devices (GError **error)
{
  g_autoptr(GPtrArray) cuda_devices = tessera_cuda_list_devices (error);
  GPtrArray *devices;

  if (cuda_devices == NULL)
    return NULL;

  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_device_free);
  for (guint i = 0; i < cuda_devices->len; i++)
    {
      TesseraCudaDevice *cuda = g_ptr_array_index (cuda_devices, i);
      TesseraDevice *device = g_new0 (TesseraDevice, 1);

      device->index = cuda->index;
      device->description = g_strdup_printf (_("%s, compute capability %d.%d, %.1f of %.1f GiB free, "
                                               "driver %d.%d, runtime %d.%d"),
                                             cuda->name, cuda->major, cuda->minor,
                                             cuda->free_memory / 1073741824.0, cuda->total_memory / 1073741824.0,
                                             cuda->driver_version / 1000, cuda->driver_version % 1000 / 10,
                                             cuda->runtime_version / 1000, cuda->runtime_version % 1000 / 10);
      g_ptr_array_add (devices, device);
    }
  return devices;
}

static const TesseraBackendVTable cuda_vtable = {
  .name = "cuda",
  .free = cuda_free,
  .buffer_new = cuda_buffer_new,
  .buffer_free = cuda_buffer_free,
  .upload = cuda_upload,
  .download = cuda_download,
  .host_memory = cuda_host_memory,
  .compute = cuda_compute,
  .get_memory = cuda_get_memory,
  .set_memory_limit = cuda_set_memory_limit,
  .get_peak_memory = cuda_get_peak_memory,
  .trim = cuda_trim,
};

const TesseraBackendInfo tessera_cuda_backend_info = {
  .name = "cuda",
  .list_devices = describe_devices,
  .new = tessera_cuda_backend_new,
};
