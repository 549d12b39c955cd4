/* tessera-cpu-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cblas.h>

#include "backends/tessera-backend-private.h"

G_BEGIN_DECLS

extern const TesseraBackendInfo tessera_cpu_backend_info;

TesseraBackend *tessera_cpu_backend_new     (GError        **error);
float          *tessera_cpu_buffer_get_data (TesseraBuffer  *buffer);

/* The CPU backend's ops, one file per family. Tensors are float32 planes,
 * channel after channel; @inputs[k] has shape @shapes[k]. */

typedef struct
{
  const TesseraNode  *node;
  const float       **inputs;
  const TesseraShape *shapes;
  const float        *residual;
  float              *output;
  const TesseraShape *output_shape;
} TesseraCpuOp;

/* @batch samples at once, each pointer of @op the first sample's; up to
 * this many output pixels in all, in one SGEMM split by output channels */
#define TESSERA_CPU_FEW_COLUMNS 1024

gboolean tessera_cpu_conv2d        (const TesseraCpuOp *op, guint batch, GError **error);
gboolean tessera_cpu_deconv2d      (const TesseraCpuOp *op, GError **error);
void     tessera_cpu_grouped_conv2d (const TesseraCpuOp *op);

/* 3×3 convolutions by Winograd's F(2×2, 3×3), with the weights transformed once. */
gboolean tessera_winograd_applies            (const TesseraNode  *node);
void     tessera_winograd_transform_weights  (const TesseraNode  *node,
                                             float              *u);
gsize    tessera_winograd_weights_size       (const TesseraNode  *node);
gboolean tessera_cpu_conv2d_winograd         (const TesseraCpuOp *op,
                                              const float        *transformed,
                                              GError            **error);
void     tessera_cpu_elementwise   (const TesseraCpuOp *op);
void     tessera_cpu_layout        (const TesseraCpuOp *op);
void     tessera_cpu_resize        (const TesseraCpuOp *op);
void     tessera_cpu_max_pool      (const TesseraCpuOp *op);
void     tessera_cpu_dysample      (const TesseraCpuOp *op);
void     tessera_cpu_grid          (const TesseraCpuOp *op);
void     tessera_cpu_reduce        (const TesseraCpuOp *op);
gboolean tessera_cpu_layer_norm    (const TesseraCpuOp *op, GError **error);
void     tessera_cpu_group_norm    (const TesseraCpuOp *op);
gboolean tessera_cpu_token_attention (const TesseraCpuOp *op, GError **error);
gboolean tessera_cpu_window_attention (const TesseraCpuOp *op, GError **error);
gboolean tessera_cpu_channel_attention (const TesseraCpuOp *op, GError **error);
gboolean tessera_cpu_category      (const TesseraCpuOp *op, GError **error);

/* Bias, activation, scale and residual, over the pixels [begin, end) of
 * every channel of a convolution's output. */
void     tessera_cpu_epilogue      (const TesseraNode  *node,
                                    float              *output,
                                    const float        *residual,
                                    gsize               plane,
                                    gsize               begin,
                                    gsize               end);
void     tessera_cpu_epilogue_row  (const TesseraNode  *node,
                                    guint               c,
                                    float              *row,
                                    const float        *residual,
                                    gsize               n);
float    tessera_cpu_activate      (TesseraActivation   activation,
                                    float               value,
                                    float               slope);

float   *tessera_cpu_scratch       (guint               slot,
                                    gsize               n_floats);

/* OpenBLAS, loaded at run time (tessera-blas.c). */
gboolean    tessera_blas_load     (GError      **error);
const char *tessera_blas_get_core (void);
double      tessera_blas_measure_rate (double seconds);
void        tessera_sgemm         (gboolean      transpose_a,
                                   gboolean      transpose_b,
                                   int           m,
                                   int           n,
                                   int           k,
                                   float         alpha,
                                   const float  *a,
                                   int           lda,
                                   const float  *b,
                                   int           ldb,
                                   float         beta,
                                   float        *c,
                                   int           ldc);

G_END_DECLS
