/* tessera-cuda-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "backends/tessera-backend-private.h"

G_BEGIN_DECLS

/* The CUDA backend: activations stay in device memory as float32 for the
 * whole graph; in fp16, convolutions run on the tensor cores with fp32
 * sums (our implicit-GEMM kernel, or im2col and cuBLAS for strided ones);
 * in fp32, as cuBLAS SGEMMs. A build without CUDA has these functions too,
 * and they fail with a message that says so.
 *
 * The engine reaches it through tessera_cuda_backend_info, by the name
 * "cuda"; the rest is for the tests of the backend itself. */

typedef struct
{
  int      index;
  char    *name;
  guint64  total_memory;
  guint64  free_memory;
  int      major;             /* compute capability */
  int      minor;
  int      driver_version;    /* as CUDA writes them: 13000 is 13.0 */
  int      runtime_version;
} TesseraCudaDevice;

extern const TesseraBackendInfo tessera_cuda_backend_info;

void            tessera_cuda_device_free         (TesseraCudaDevice  *device);
GPtrArray      *tessera_cuda_list_devices        (GError            **error);
TesseraBackend *tessera_cuda_backend_new         (int                 device,
                                                  TesseraPrecision    precision,
                                                  GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraCudaDevice, tessera_cuda_device_free)

G_END_DECLS
