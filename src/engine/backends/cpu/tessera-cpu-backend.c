/* tessera-cpu-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <string.h>

#include <cblas.h>
#include <glib/gi18n-lib.h>

#include "tessera-cpu-private.h"
#include "tessera-error.h"
#include "tessera-memory-private.h"

/* The fp32 reference backend: buffers are host memory, ops run on every
 * core through the engine's thread pool. */

struct _TesseraBuffer
{
  float *data;
  gsize  size;
};

static void
cpu_free (TesseraBackend *self)
{
  g_free (self);
}

static TesseraBuffer *
cpu_buffer_new (TesseraBackend  *self,
                gsize            n_floats,
                GError         **error)
{
  TesseraBuffer *buffer = g_new0 (TesseraBuffer, 1);

  buffer->size = MAX (n_floats, 1) * sizeof (float);
  buffer->data = tessera_alloc_large (buffer->size);
  if (buffer->data == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a %.0f MB activation; try a smaller tile"),
                   buffer->size / 1e6);
      g_free (buffer);
      return NULL;
    }

  return buffer;
}

static void
cpu_buffer_free (TesseraBackend *self,
                 TesseraBuffer  *buffer)
{
  tessera_free_large (buffer->data, buffer->size);
  g_free (buffer);
}

static gboolean
cpu_upload (TesseraBackend  *self,
            TesseraBuffer   *buffer,
            const float     *data,
            gsize            n_floats,
            GError         **error)
{
  memcpy (buffer->data, data, n_floats * sizeof (float));
  return TRUE;
}

static gboolean
cpu_download (TesseraBackend  *self,
              TesseraBuffer   *buffer,
              float           *data,
              gsize            n_floats,
              GError         **error)
{
  memcpy (data, buffer->data, n_floats * sizeof (float));
  return TRUE;
}

static gboolean
cpu_compute (TesseraBackend      *self,
             const TesseraNode   *node,
             TesseraBuffer      **inputs,
             const TesseraShape  *input_shapes,
             TesseraBuffer       *residual,
             TesseraBuffer       *output,
             const TesseraShape  *output_shape,
             GError             **error)
{
  const float *data[TESSERA_NODE_MAX_INPUTS];
  TesseraCpuOp op = { node, data, input_shapes, residual ? residual->data : NULL, output->data, output_shape };

  for (guint k = 0; k < node->n_inputs; k++)
    data[k] = inputs[k]->data;

  switch (node->op)
    {
    case TESSERA_OP_CONV2D:
      return tessera_cpu_conv2d (&op, error);
    case TESSERA_OP_DECONV2D:
      return tessera_cpu_deconv2d (&op, error);
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
      tessera_cpu_elementwise (&op);
      return TRUE;
    case TESSERA_OP_CONCAT:
    case TESSERA_OP_PIXEL_SHUFFLE:
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
      tessera_cpu_layout (&op);
      return TRUE;
    case TESSERA_OP_RESIZE:
      tessera_cpu_resize (&op);
      return TRUE;
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_LINEAR:
      tessera_cpu_reduce (&op);
      return TRUE;
    case TESSERA_OP_INPUT:
    case TESSERA_N_OPS:
    default:
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, "op %d", node->op);
      return FALSE;
    }
}

static const TesseraBackendVTable cpu_vtable = {
  .name = "cpu",
  .free = cpu_free,
  .buffer_new = cpu_buffer_new,
  .buffer_free = cpu_buffer_free,
  .upload = cpu_upload,
  .download = cpu_download,
  .compute = cpu_compute,
};

TesseraBackend *
tessera_cpu_backend_new (void)
{
  static gsize blas_initialized;
  TesseraBackend *self = g_new0 (TesseraBackend, 1);

  /* The engine's pool splits the work; OpenBLAS threads as well would
   * oversubscribe the cores. */
  if (g_once_init_enter (&blas_initialized))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&blas_initialized, 1);
    }

  self->vtable = &cpu_vtable;
  return self;
}
