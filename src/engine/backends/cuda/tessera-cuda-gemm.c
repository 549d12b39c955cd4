/* tessera-cuda-gemm.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* The matrix products, through cuBLAS on the backend's stream. */

/* Made on first use: the fp16 convolutions need no cuBLAS. */
static gboolean
ensure_workspace (TesseraCudaBackend  *self,
                  GError             **error)
{
  return self->workspace != NULL ||
         (tessera_cuda_backend_alloc_memory (self, &self->workspace, CUBLAS_WORKSPACE_BYTES, error) &&
          CUBLAS_CHECK (cublasSetWorkspace (self->cublas, self->workspace, CUBLAS_WORKSPACE_BYTES), error));
}

/* C = A · op(B) in cuBLAS's column-major terms, C in fp32; A and B in
 * fp16 when @half. A row-major matrix is its column-major transpose, so a
 * row-major W (m × k) · X (k × n) is computed as Xᵀ · Wᵀ. */
gboolean
tessera_cuda_backend_gemm (TesseraCudaBackend  *self,
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
                           GError             **error)
{
  const float one = 1.f, zero = 0.f;
  cublasOperation_t op_b = transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N;

  if (!ensure_workspace (self, error))
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
gboolean
tessera_cuda_check_gemm_size (gsize    size,
                              GError **error)
{
  if (size <= G_MAXINT)
    return TRUE;
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
               _("a convolution is too large for the GPU's matrix products; try a smaller tile"));
  return FALSE;
}

/* Row-major C (m × n) = alpha · op (A) · op (B), for @batch triples of
 * matrices strides apart, in fp32, as tessera_sgemm() on the CPU: cuBLAS
 * computes the column-major Cᵀ = op (B)ᵀ · op (A)ᵀ. */
gboolean
tessera_cuda_backend_sgemm_rows (TesseraCudaBackend  *self,
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
                                 GError             **error)
{
  const float zero = 0.f;

  return ensure_workspace (self, error) &&
         CUBLAS_CHECK (cublasSgemmStridedBatched (self->cublas, transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                                                  transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha,
                                                  b, ldb, stride_b, a, lda, stride_a, &zero, c, ldc, stride_c,
                                                  batch), error);
}

