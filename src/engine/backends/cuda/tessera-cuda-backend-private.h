/* tessera-cuda-backend-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "tessera-cuda-private.h"
#include "tessera-kernels.h"

G_BEGIN_DECLS

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
 * tessera_cuda_backend_alloc_memory() and _free_memory(), which count it
 * against the optional limit. Every CUDA and cuBLAS call is checked; a
 * failure becomes a GError, and running out of device memory (or past the
 * limit) is TESSERA_ERROR_NO_MEMORY, so that the runner can retry with
 * smaller tiles.
 *
 * One file per concern: the backend object (tessera-cuda-backend.c),
 * devices, memory and staging, weights, cuBLAS, and the ops, which fill
 * the parameters of the kernels in kernels/. */

/* cuBLAS's workspace is ours, so that the memory limit counts it. */
#define CUBLAS_WORKSPACE_BYTES ((gsize) 32 << 20)

/* The host waits before queuing an op while this many are still queued:
 * a cancellation, seen between ops, then waits for a few ops at most. */
#define MAX_QUEUED_OPS 8

typedef struct _TesseraCudaBackend TesseraCudaBackend;

struct _TesseraBuffer
{
  float              *data;
  gsize               size;
  TesseraCudaBackend *owner;
};

typedef struct
{
  void               *data;
  gsize               size;
  TesseraCudaBackend *owner;
} TesseraCudaArray;

typedef enum
{
  TESSERA_CUDA_SCRATCH_COLUMNS,    /* im2col matrices, transposed convolutions' products */
  TESSERA_CUDA_SCRATCH_UPLOAD,     /* weights on their way to fp16 */
  TESSERA_CUDA_N_SCRATCH
} TesseraCudaScratch;

struct _TesseraCudaBackend
{
  TesseraBackend    parent;
  int               device;
  TesseraPrecision  precision;
  gsize             limit;               /* bytes; 0: the device's */
  gsize             allocated;           /* bytes, all of it through alloc_memory() */
  gsize             peak;
  cudaStream_t      stream;
  cublasHandle_t    cublas;
  GPtrArray        *spare;               /* TesseraBuffer, freed and kept */
  GHashTable       *weights;             /* host weights → TesseraCudaArray for the GEMMs */
  GHashTable       *floats;              /* host floats → TesseraCudaArray of fp32 */
  GHashTable       *mma_weights;         /* host weights → TesseraCudaArray for the MMA kernel */
  TesseraCudaArray  scratch[TESSERA_CUDA_N_SCRATCH];
  float            *staging;             /* pinned, two halves for uploads and downloads */
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
} TesseraCudaOp;

/* tessera-cuda-backend.c */
gboolean tessera_cuda_failed   (cudaError_t      status,
                                const char      *call,
                                const char      *location,
                                GError         **error);
gboolean tessera_cublas_failed (cublasStatus_t   status,
                                const char      *call,
                                const char      *location,
                                GError         **error);

/* TRUE when @call succeeded; otherwise FALSE, with @error set. */
#define CUDA_CHECK(call, error) \
  ({ cudaError_t status_ = (call); \
     status_ == cudaSuccess || tessera_cuda_failed (status_, #call, G_STRLOC, (error)); })
#define CUBLAS_CHECK(call, error) \
  ({ cublasStatus_t status_ = (call); \
     status_ == CUBLAS_STATUS_SUCCESS || tessera_cublas_failed (status_, #call, G_STRLOC, (error)); })

/* tessera-cuda-devices.c */
gboolean       tessera_cuda_check_device     (int                  device,
                                              GError             **error);
GPtrArray     *tessera_cuda_describe_devices (GError             **error);

/* tessera-cuda-memory.c */
gboolean       tessera_cuda_backend_use_device    (TesseraCudaBackend  *self,
                                                   GError             **error);
gboolean       tessera_cuda_backend_alloc_memory  (TesseraCudaBackend  *self,
                                                   void               **data,
                                                   gsize                size,
                                                   GError             **error);
void           tessera_cuda_backend_free_memory   (TesseraCudaBackend  *self,
                                                   void                *data,
                                                   gsize                size);
void          *tessera_cuda_backend_scratch       (TesseraCudaBackend  *self,
                                                   TesseraCudaScratch   slot,
                                                   gsize                size,
                                                   GError             **error);
void           tessera_cuda_buffer_release        (gpointer             buffer);
void           tessera_cuda_array_free            (gpointer             array);
TesseraBuffer *tessera_cuda_backend_buffer_new    (TesseraBackend      *backend,
                                                   gsize                n_floats,
                                                   GError             **error);
void           tessera_cuda_backend_buffer_free   (TesseraBackend      *backend,
                                                   TesseraBuffer       *buffer);
gboolean       tessera_cuda_backend_upload        (TesseraBackend      *backend,
                                                   TesseraBuffer       *buffer,
                                                   const float         *data,
                                                   gsize                n_floats,
                                                   GError             **error);
gboolean       tessera_cuda_backend_download      (TesseraBackend      *backend,
                                                   TesseraBuffer       *buffer,
                                                   gsize                offset,
                                                   float               *data,
                                                   gsize                n_floats,
                                                   GError             **error);
float         *tessera_cuda_backend_host_memory   (TesseraBackend      *backend,
                                                   gsize                n_floats);
gboolean       tessera_cuda_backend_get_memory    (TesseraBackend      *backend,
                                                   guint64             *free_bytes,
                                                   guint64             *total_bytes);
void           tessera_cuda_backend_set_memory_limit (TesseraBackend   *backend,
                                                      guint64           limit);
guint64        tessera_cuda_backend_get_peak_memory  (TesseraBackend   *backend);
void           tessera_cuda_backend_trim             (TesseraBackend   *backend);

/* tessera-cuda-weights.c */
const void    *tessera_cuda_backend_get_weights     (TesseraCudaBackend  *self,
                                                     GHashTable          *cache,
                                                     const float         *host,
                                                     gsize                n,
                                                     gboolean             half,
                                                     GError             **error);
const void    *tessera_cuda_backend_get_mma_weights (TesseraCudaBackend  *self,
                                                     const TesseraNode   *node,
                                                     GError             **error);
const float   *tessera_cuda_backend_get_floats      (TesseraCudaBackend  *self,
                                                     const float         *host,
                                                     gsize                n,
                                                     GError             **error);

/* tessera-cuda-gemm.c */
gboolean       tessera_cuda_check_gemm_size    (gsize                size,
                                                GError             **error);
gboolean       tessera_cuda_backend_gemm       (TesseraCudaBackend  *self,
                                                gboolean             half,
                                                gboolean             transpose_b,
                                                int                  m,
                                                int                  n,
                                                int                  k,
                                                const void          *a,
                                                int                  lda,
                                                const void          *b,
                                                int                  ldb,
                                                float               *c,
                                                int                  ldc,
                                                GError             **error);
gboolean       tessera_cuda_backend_sgemm_rows (TesseraCudaBackend  *self,
                                                gboolean             transpose_a,
                                                gboolean             transpose_b,
                                                int                  m,
                                                int                  n,
                                                int                  k,
                                                float                alpha,
                                                const float         *a,
                                                int                  lda,
                                                long long            stride_a,
                                                const float         *b,
                                                int                  ldb,
                                                long long            stride_b,
                                                float               *c,
                                                int                  ldc,
                                                long long            stride_c,
                                                int                  batch,
                                                GError             **error);

/* tessera-cuda-ops.c and tessera-cuda-attention.c */
gboolean       tessera_cuda_backend_compute_op        (TesseraCudaBackend  *self,
                                                       const TesseraCudaOp *op,
                                                       GError             **error);
gboolean       tessera_cuda_backend_window_attention  (TesseraCudaBackend  *self,
                                                       const TesseraCudaOp *op,
                                                       GError             **error);
gboolean       tessera_cuda_backend_channel_attention (TesseraCudaBackend  *self,
                                                       const TesseraCudaOp *op,
                                                       GError             **error);
gboolean       tessera_cuda_backend_token_attention   (TesseraCudaBackend  *self,
                                                       const TesseraCudaOp *op,
                                                       GError             **error);

G_END_DECLS
