/* tessera-cpu-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* The fp32 reference backend: buffers are host memory, ops run on every
 * core through the engine's thread pool.
 *
 * Freed buffers are kept for the next node or tile that needs one of the
 * same size: a network's tensors come in a few sizes, and fresh memory
 * costs a page fault per page, a tenth of the run when every node mapped
 * its own. */

struct _TesseraBuffer
{
  float *data;
  gsize  size;
};

typedef struct
{
  TesseraBackend  parent;
  GPtrArray      *spare;     /* TesseraBuffer, freed and kept */
  float          *winograd;  /* the running convolution's Winograd weights */
  gsize           winograd_size;
  gboolean        direct;    /* TESSERA_CPU_CONV=direct: no Winograd, for comparisons */
} CpuBackend;

/* Working memory of the ops, per thread and kept between calls: fresh
 * memory for every convolution cost more in page faults (and OpenBLAS's
 * zeroing of it) than the transforms around the GEMMs. */
#define N_SCRATCH_SLOTS 4

typedef struct
{
  float *data;
  gsize  n_floats;
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *slots = data;

  for (guint i = 0; i < N_SCRATCH_SLOTS; i++)
    g_free (slots[i].data);
  g_free (slots);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

/**
 * tessera_cpu_scratch:
 * @slot: which of the thread's buffers, below 4
 *
 * Returns: (nullable): @n_floats of this thread's memory, valid until the
 *   next call for @slot; %NULL when memory is short
 */
float *
tessera_cpu_scratch (guint slot,
                     gsize n_floats)
{
  Scratch *slots = g_private_get (&scratch_key);

  g_assert (slot < N_SCRATCH_SLOTS);
  if (slots == NULL)
    {
      slots = g_new0 (Scratch, N_SCRATCH_SLOTS);
      g_private_set (&scratch_key, slots);
    }

  if (slots[slot].n_floats < n_floats)
    {
      g_free (slots[slot].data);
      slots[slot].data = g_try_malloc_n (n_floats, sizeof (float));
      slots[slot].n_floats = slots[slot].data != NULL ? n_floats : 0;
    }

  return slots[slot].data;
}

static void
buffer_release (gpointer data)
{
  TesseraBuffer *buffer = data;

  tessera_free_large (buffer->data, buffer->size);
  g_free (buffer);
}

static void
cpu_free (TesseraBackend *backend)
{
  CpuBackend *self = (CpuBackend *) backend;

  g_ptr_array_unref (self->spare);
  g_free (self->winograd);
  g_free (self);
}

static TesseraBuffer *
cpu_buffer_new (TesseraBackend  *backend,
                gsize            n_floats,
                GError         **error)
{
  CpuBackend *self = (CpuBackend *) backend;
  gsize size = MAX (n_floats, 1) * sizeof (float);
  TesseraBuffer *buffer;

  /* A spare buffer at most a quarter too large will do. */
  for (guint i = 0; i < self->spare->len; i++)
    {
      buffer = g_ptr_array_index (self->spare, i);
      if (buffer->size >= size && buffer->size - size <= size / 4)
        return g_ptr_array_steal_index_fast (self->spare, i);
    }

  /* None fits: the sizes have changed, so the spares go back first. */
  g_ptr_array_set_size (self->spare, 0);

  buffer = g_new0 (TesseraBuffer, 1);
  buffer->size = size;
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

/* Where the fallback of tessera_graph_run() copies to and from. */
float *
tessera_cpu_buffer_get_data (TesseraBuffer *buffer)
{
  return buffer->data;
}

static void
cpu_buffer_free (TesseraBackend *backend,
                 TesseraBuffer  *buffer)
{
  CpuBackend *self = (CpuBackend *) backend;

  g_ptr_array_add (self->spare, buffer);
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
              gsize            offset,
              float           *data,
              gsize            n_floats,
              GError         **error)
{
  memcpy (data, buffer->data + offset, n_floats * sizeof (float));
  return TRUE;
}

/* The transformed weights of a 3×3 convolution, made at each run: that
 * costs a few multiplications per weight against thousands per weight in
 * the convolution, where keeping them would hold 16/9 of the model's
 * weights in memory. On a small output it is the other way round: writing
 * the transformed weights (four times their size) takes longer than the
 * product it saves, as in a UNet's deepest levels at a small latent. */
#define WINOGRAD_MIN_PIXELS 256

static const float *
winograd_weights (CpuBackend        *self,
                  const TesseraNode *node)
{
  gsize size = tessera_winograd_weights_size (node);

  if (size > self->winograd_size)
    {
      g_free (self->winograd);
      self->winograd = g_try_malloc (size);
      self->winograd_size = self->winograd != NULL ? size : 0;
      if (self->winograd == NULL)
        return NULL;
    }

  tessera_winograd_transform_weights (node, self->winograd);
  return self->winograd;
}

static gboolean
use_winograd (CpuBackend         *self,
              const TesseraNode  *node,
              const TesseraShape *output_shape)
{
  return !self->direct && tessera_winograd_applies (node) &&
         (gsize) output_shape->height * output_shape->width >= WINOGRAD_MIN_PIXELS;
}

static gboolean
compute_op (CpuBackend          *self,
            const TesseraCpuOp  *op,
            GError             **error)
{
  const TesseraNode *node = op->node;

  switch (node->op)
    {
    case TESSERA_OP_CONV2D:
      if (node->groups > 1)
        {
          tessera_cpu_grouped_conv2d (op);
          return TRUE;
        }
      if (use_winograd (self, node, op->output_shape))
        {
          const float *transformed = winograd_weights (self, node);

          if (transformed != NULL)
            return tessera_cpu_conv2d_winograd (op, transformed, error);
        }
      return tessera_cpu_conv2d (op, 1, error);
    case TESSERA_OP_DECONV2D:
      return tessera_cpu_deconv2d (op, error);
    case TESSERA_OP_ACTIVATION:
    case TESSERA_OP_ADD:
    case TESSERA_OP_MUL_CHANNELS:
    case TESSERA_OP_MUL:
    case TESSERA_OP_CLAMP:
    case TESSERA_OP_AFFINE:
    case TESSERA_OP_GEGLU:
      tessera_cpu_elementwise (op);
      return TRUE;
    case TESSERA_OP_CONCAT:
    case TESSERA_OP_PIXEL_SHUFFLE:
    case TESSERA_OP_PIXEL_UNSHUFFLE:
    case TESSERA_OP_CROP:
    case TESSERA_OP_PAD:
    case TESSERA_OP_CONSTANT:
      tessera_cpu_layout (op);
      return TRUE;
    case TESSERA_OP_RESIZE:
      tessera_cpu_resize (op);
      return TRUE;
    case TESSERA_OP_MAX_POOL:
      tessera_cpu_max_pool (op);
      return TRUE;
    case TESSERA_OP_DYSAMPLE:
      tessera_cpu_dysample (op);
      return TRUE;
    case TESSERA_OP_CATEGORY_GATHER:
    case TESSERA_OP_CATEGORY_SCATTER:
      return tessera_cpu_category (op, error);
    case TESSERA_OP_GRID_TO_WINDOWS:
    case TESSERA_OP_WINDOWS_TO_GRID:
    case TESSERA_OP_GRID_TO_CHANNELS:
    case TESSERA_OP_CHANNELS_TO_GRID:
      tessera_cpu_grid (op);
      return TRUE;
    case TESSERA_OP_GLOBAL_AVG_POOL:
    case TESSERA_OP_LINEAR:
      tessera_cpu_reduce (op);
      return TRUE;
    case TESSERA_OP_LAYER_NORM:
      return tessera_cpu_layer_norm (op, error);
    case TESSERA_OP_GROUP_NORM:
      tessera_cpu_group_norm (op);
      return TRUE;
    case TESSERA_OP_TOKEN_ATTENTION:
      return tessera_cpu_token_attention (op, error);
    case TESSERA_OP_WINDOW_ATTENTION:
      return tessera_cpu_window_attention (op, error);
    case TESSERA_OP_CHANNEL_ATTENTION:
      return tessera_cpu_channel_attention (op, error);
    case TESSERA_OP_INPUT:
    case TESSERA_N_OPS:
      break;
    }

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, "op %d", node->op);
  return FALSE;
}

static gboolean
cpu_compute (TesseraBackend      *backend,
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
  return compute_op ((CpuBackend *) backend, &op, error);
}

/* The weight-heavy ops read each weight once for the whole batch: dense
 * convolutions (the projections of a transformer's tokens among them) as
 * SGEMMs over every sample's columns, 3 × 3 ones on larger images through
 * Winograd with the weights transformed once. Where the batch's columns
 * are few, one SGEMM over all of them beats Winograd, whose products each
 * sample would pack again. Everything else runs sample by sample. */
static gboolean
cpu_compute_batch (TesseraBackend      *backend,
                   const TesseraNode   *node,
                   guint                batch,
                   TesseraBuffer      **inputs,
                   const TesseraShape  *input_shapes,
                   TesseraBuffer       *residual,
                   TesseraBuffer       *output,
                   const TesseraShape  *output_shape,
                   GError             **error)
{
  CpuBackend *self = (CpuBackend *) backend;
  const float *data[TESSERA_NODE_MAX_INPUTS];
  TesseraCpuOp op = { node, data, input_shapes, NULL, NULL, output_shape };
  gsize output_size = tessera_shape_size (output_shape);
  const float *transformed = NULL;

  if (node->op == TESSERA_OP_CONV2D && node->groups <= 1)
    {
      gsize columns = (gsize) batch * output_shape->height * output_shape->width;

      if (!use_winograd (self, node, output_shape) || columns <= TESSERA_CPU_FEW_COLUMNS)
        {
          for (guint k = 0; k < node->n_inputs; k++)
            data[k] = inputs[k]->data;
          op.residual = residual != NULL ? residual->data : NULL;
          op.output = output->data;
          return tessera_cpu_conv2d (&op, batch, error);
        }
      transformed = winograd_weights (self, node);
    }

  for (guint s = 0; s < batch; s++)
    {
      gboolean ok;

      for (guint k = 0; k < node->n_inputs; k++)
        data[k] = inputs[k]->data + s * tessera_shape_size (&input_shapes[k]);
      op.residual = residual != NULL ? residual->data + s * output_size : NULL;
      op.output = output->data + s * output_size;
      if (node->op == TESSERA_OP_CONSTANT)
        {
          /* each sample's own values */
          memcpy (op.output, node->weight + s * output_size, output_size * sizeof (float));
          continue;
        }

      if (transformed != NULL)
        ok = tessera_cpu_conv2d_winograd (&op, transformed, error);
      else
        ok = compute_op (self, &op, error);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static const TesseraBackendVTable cpu_vtable = {
  .name = "cpu",
  .free = cpu_free,
  .buffer_new = cpu_buffer_new,
  .buffer_free = cpu_buffer_free,
  .upload = cpu_upload,
  .download = cpu_download,
  .compute = cpu_compute,
  .compute_batch = cpu_compute_batch,
};

/**
 * tessera_cpu_backend_new:
 *
 * Returns: (nullable): the CPU backend, or %NULL when OpenBLAS is missing
 */
TesseraBackend *
tessera_cpu_backend_new (GError **error)
{
  CpuBackend *self;

  if (!tessera_blas_load (error))
    return NULL;

  self = g_new0 (CpuBackend, 1);
  self->parent.vtable = &cpu_vtable;
  self->spare = g_ptr_array_new_with_free_func (buffer_release);
  self->direct = g_strcmp0 (g_getenv ("TESSERA_CPU_CONV"), "direct") == 0;
  return &self->parent;
}

static TesseraBackend *
cpu_new (int                device,
         TesseraPrecision   precision,
         GError           **error)
{
  return tessera_cpu_backend_new (error);
}

static char *
cpu_model_name (void)
{
  g_autofree char *cpuinfo = NULL;

  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      g_auto(GStrv) lines = g_strsplit (cpuinfo, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "model name"))
          {
            const char *colon = strchr (lines[i], ':');

            if (colon != NULL)
              return g_strstrip (g_strdup (colon + 1));
          }
    }

  return g_strdup (_("unknown CPU"));
}

/* One device: the processor, the threads and the BLAS kernels, for
 * benchmark reports. */
static GPtrArray *
cpu_list_devices (GError **error)
{
  GPtrArray *devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_device_free);
  g_autofree char *model = cpu_model_name ();
  const char *core = tessera_blas_load (NULL) ? tessera_blas_get_core () : NULL;
  TesseraDevice *device = g_new0 (TesseraDevice, 1);

  device->description = g_strdup_printf (_("%s, %u threads, OpenBLAS %s kernels"), model,
                                         tessera_parallel_get_n_threads (), core != NULL ? core : "?");
  g_ptr_array_add (devices, device);
  return devices;
}

static double
cpu_measure_gemm_rate (double   seconds,
                       GError **error)
{
  if (!tessera_blas_load (error))
    return 0.0;
  return tessera_blas_measure_rate (seconds);
}

/* In fp32 whatever the precision asked, on the one device. */
const TesseraBackendInfo tessera_cpu_backend_info = {
  .name = "cpu",
  .load = tessera_blas_load,
  .list_devices = cpu_list_devices,
  .new = cpu_new,
  .measure_gemm_rate = cpu_measure_gemm_rate,
};
