/* tessera-cuda-weights.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* Weights go to the device on first use, in the form their op reads, and
 * stay, found by their host address: one cache for each form. */

/* What @cache keeps for @host when it has @size bytes. One of another size
 * belonged to a tensor freed since, at the same address, and goes. */
static const void *
cached_array (TesseraCudaBackend *self,
              GHashTable         *cache,
              const float        *host,
              gsize               size)
{
  TesseraCudaArray *array = g_hash_table_lookup (cache, host);

  if (array == NULL)
    return NULL;
  if (array->size == size)
    return array->data;

  cudaStreamSynchronize (self->stream);
  g_hash_table_remove (cache, host);
  return NULL;
}

static void
keep_array (TesseraCudaBackend *self,
            GHashTable         *cache,
            const float        *host,
            void               *data,
            gsize               size)
{
  TesseraCudaArray *array = g_new (TesseraCudaArray, 1);

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
const void *
tessera_cuda_backend_get_weights (TesseraCudaBackend  *self,
                                  GHashTable          *cache,
                                  const float         *host,
                                  gsize                n,
                                  gboolean             half,
                                  GError             **error)
{
  gsize size = n * (half ? 2 : sizeof (float));
  const void *kept;
  void *data;

  if (!check_weights (host, error))
    return NULL;
  if ((kept = cached_array (self, cache, host, size)) != NULL)
    return kept;

  if (!tessera_cuda_backend_alloc_memory (self, &data, size, error))
    return NULL;

  if (half)
    {
      float *floats = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_UPLOAD, n * sizeof (float), error);

      if (floats == NULL ||
          !CUDA_CHECK (cudaMemcpyAsync (floats, host, n * sizeof (float), cudaMemcpyHostToDevice,
                                        self->stream), error) ||
          !CUDA_CHECK (tessera_cuda_to_half (data, floats, n, self->stream), error))
        {
          tessera_cuda_backend_free_memory (self, data, size);
          return NULL;
        }
    }
  else if (!CUDA_CHECK (cudaMemcpyAsync (data, host, size, cudaMemcpyHostToDevice, self->stream), error))
    {
      tessera_cuda_backend_free_memory (self, data, size);
      return NULL;
    }

  keep_array (self, cache, host, data, size);
  return data;
}

/* A convolution's weights in the form the tensor-core kernel reads, made
 * on first use and kept. */
const void *
tessera_cuda_backend_get_mma_weights (TesseraCudaBackend  *self,
                                      const TesseraNode   *node,
                                      GError             **error)
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

  if (!tessera_cuda_backend_alloc_memory (self, &data, size, error))
    return NULL;
  floats = tessera_cuda_backend_scratch (self, TESSERA_CUDA_SCRATCH_UPLOAD, n * sizeof (float), error);
  if (floats == NULL ||
      !CUDA_CHECK (cudaMemcpyAsync (floats, node->weight, n * sizeof (float), cudaMemcpyHostToDevice,
                                    self->stream), error) ||
      !CUDA_CHECK (tessera_cuda_conv_mma_weights (data, floats, node->in_channels, node->out_channels,
                                                  node->kernel, self->stream), error))
    {
      tessera_cuda_backend_free_memory (self, data, size);
      return NULL;
    }

  keep_array (self, self->mma_weights, node->weight, data, size);
  return data;
}

/* @n floats at @host on the device, as they are. */
const float *
tessera_cuda_backend_get_floats (TesseraCudaBackend  *self,
                                 const float         *host,
                                 gsize                n,
                                 GError             **error)
{
  return tessera_cuda_backend_get_weights (self, self->floats, host, n, FALSE, error);
}
