/* tessera-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-backend"

#include "config.h"

#include "backends/cpu/tessera-cpu-private.h"
#include "backends/cuda/tessera-cuda-private.h"
#include "tessera-backend-private.h"

static const TesseraBackendInfo *backends[] = {
  &tessera_cpu_backend_info,
  &tessera_cuda_backend_info,
};

static const TesseraBackendInfo *
lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    if (g_str_equal (backends[i]->name, name))
      return backends[i];
  return NULL;
}

void
tessera_device_free (TesseraDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->description);
  g_free (device);
}

/* Early, from the thread that makes the engine. A failure is reported
 * again when the backend is made. */
void
tessera_backend_load_all (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    if (backends[i]->load != NULL)
      backends[i]->load (NULL);
}

/**
 * tessera_backend_list_devices:
 * @name: a backend's name: "cpu" or "cuda"
 *
 * Returns: (transfer container) (nullable): the devices of the backend
 *   @name, each a #TesseraDevice; %NULL with @error set when there are
 *   none to use
 */
GPtrArray *
tessera_backend_list_devices (const char  *name,
                              GError     **error)
{
  const TesseraBackendInfo *info = lookup (name);

  g_return_val_if_fail (info != NULL, NULL);
  return info->list_devices (error);
}

/**
 * tessera_backend_new:
 * @name: a backend's name: "cpu" or "cuda"
 * @device: the index of one of its devices
 * @precision: of the convolutions where the backend has a choice
 *
 * Returns: (nullable): the backend, or %NULL with @error set when the
 *   device cannot be used
 */
TesseraBackend *
tessera_backend_new (const char        *name,
                     int                device,
                     TesseraPrecision   precision,
                     GError           **error)
{
  const TesseraBackendInfo *info = lookup (name);

  g_return_val_if_fail (info != NULL, NULL);
  return info->new (device, precision, error);
}

/**
 * tessera_backend_measure_gemm_rate:
 *
 * Returns: GFLOP/s of the matrix products of the backend @name on
 *   convolution shapes, or 0 with @error set when they cannot run
 */
double
tessera_backend_measure_gemm_rate (const char  *name,
                                   double       seconds,
                                   GError     **error)
{
  const TesseraBackendInfo *info = lookup (name);

  g_return_val_if_fail (info != NULL && info->measure_gemm_rate != NULL, 0.0);
  return info->measure_gemm_rate (seconds, error);
}

void
tessera_backend_free (TesseraBackend *self)
{
  if (self != NULL)
    self->vtable->free (self);
}

/* Returns: (nullable): room for @n_floats that @self copies fastest, as
 * its host_memory() says; %NULL where the caller's own memory will do. */
float *
tessera_backend_host_memory (TesseraBackend *self,
                             gsize           n_floats)
{
  if (self->vtable->host_memory == NULL)
    return NULL;
  return self->vtable->host_memory (self, n_floats);
}

/* Returns: whether @self has memory of its own, and it told the free and
 * total bytes of it. */
gboolean
tessera_backend_get_memory (TesseraBackend *self,
                            guint64        *free_bytes,
                            guint64        *total_bytes)
{
  if (self->vtable->get_memory == NULL)
    return FALSE;
  return self->vtable->get_memory (self, free_bytes, total_bytes);
}

/* Caps the memory @self allocates (buffers, weights, scratch) at @limit
 * bytes, 0 for none but the device's; past it an allocation fails as
 * running out of memory does. Nothing for a backend without memory of
 * its own. */
void
tessera_backend_set_memory_limit (TesseraBackend *self,
                                  guint64         limit)
{
  if (self->vtable->set_memory_limit != NULL)
    self->vtable->set_memory_limit (self, limit);
}

/* Returns: the most memory of its own @self has held at once, in bytes */
guint64
tessera_backend_get_peak_memory (TesseraBackend *self)
{
  if (self->vtable->get_peak_memory == NULL)
    return 0;
  return self->vtable->get_peak_memory (self);
}

/* Frees what @self keeps for reuse, all but the weights it has uploaded.
 *
 * Returns: whether @self keeps uploaded weights, and so is worth keeping
 *   for the next run */
gboolean
tessera_backend_trim (TesseraBackend *self)
{
  if (self->vtable->trim == NULL)
    return FALSE;
  self->vtable->trim (self);
  return TRUE;
}

/* Returns: whether @self runs a graph's batch at once, rather than one
 * sample after the other */
gboolean
tessera_backend_computes_batches (TesseraBackend *self)
{
  return self->vtable->compute_batch != NULL;
}

/* A copy of @buffer (@batch tensors of @shape, on @backend) on @cpu. */
static TesseraBuffer *
copy_to_cpu (TesseraBackend      *backend,
             TesseraBuffer       *buffer,
             guint                batch,
             const TesseraShape  *shape,
             TesseraBackend      *cpu,
             GError             **error)
{
  gsize n_floats = batch * tessera_shape_size (shape);
  TesseraBuffer *copy = cpu->vtable->buffer_new (cpu, n_floats, error);

  if (copy != NULL &&
      !backend->vtable->download (backend, buffer, 0, tessera_cpu_buffer_get_data (copy), n_floats, error))
    {
      cpu->vtable->buffer_free (cpu, copy);
      return NULL;
    }
  return copy;
}

/* @node on @cpu for @backend, which does not support it: the inputs go
 * to the CPU, and the output comes back. */
static gboolean
compute_on_cpu (TesseraBackend      *backend,
                TesseraBackend      *cpu,
                const TesseraNode   *node,
                guint                batch,
                TesseraBuffer      **inputs,
                const TesseraShape  *input_shapes,
                TesseraBuffer       *residual,
                TesseraBuffer       *output,
                const TesseraShape  *output_shape,
                GError             **error)
{
  TesseraBuffer *cpu_inputs[TESSERA_NODE_MAX_INPUTS] = { NULL };
  TesseraBuffer *cpu_residual = NULL, *cpu_output = NULL;
  gsize output_size = batch * tessera_shape_size (output_shape);
  gboolean ok = TRUE;

  for (guint k = 0; ok && k < node->n_inputs; k++)
    ok = (cpu_inputs[k] = copy_to_cpu (backend, inputs[k], batch, &input_shapes[k], cpu, error)) != NULL;
  /* A residual has the output's shape. */
  if (ok && residual != NULL)
    ok = (cpu_residual = copy_to_cpu (backend, residual, batch, output_shape, cpu, error)) != NULL;
  if (ok)
    ok = (cpu_output = cpu->vtable->buffer_new (cpu, output_size, error)) != NULL;

  if (ok && batch > 1)
    ok = cpu->vtable->compute_batch (cpu, node, batch, cpu_inputs, input_shapes, cpu_residual, cpu_output,
                                     output_shape, error);
  else if (ok)
    ok = cpu->vtable->compute (cpu, node, cpu_inputs, input_shapes, cpu_residual, cpu_output, output_shape, error);
  ok = ok && backend->vtable->upload (backend, output, tessera_cpu_buffer_get_data (cpu_output), output_size, error);

  for (guint k = 0; k < node->n_inputs; k++)
    if (cpu_inputs[k] != NULL)
      cpu->vtable->buffer_free (cpu, cpu_inputs[k]);
  if (cpu_residual != NULL)
    cpu->vtable->buffer_free (cpu, cpu_residual);
  if (cpu_output != NULL)
    cpu->vtable->buffer_free (cpu, cpu_output);
  return ok;
}

/* Runs @node on @backend, or on the CPU when @backend does not support
 * it, with *@cpu made the first time that happens. A @batch above 1 is
 * for a backend with compute_batch(). */
static gboolean
compute_node (TesseraBackend      *backend,
              TesseraBackend     **cpu,
              const TesseraNode   *node,
              guint                batch,
              TesseraBuffer      **inputs,
              const TesseraShape  *input_shapes,
              TesseraBuffer       *residual,
              TesseraBuffer       *output,
              const TesseraShape  *output_shape,
              GError             **error)
{
  const TesseraBackendVTable *vt = backend->vtable;

  if (vt->supports == NULL || vt->supports (backend, node))
    return batch > 1 ?
           vt->compute_batch (backend, node, batch, inputs, input_shapes, residual, output, output_shape, error) :
           vt->compute (backend, node, inputs, input_shapes, residual, output, output_shape, error);

  if (*cpu == NULL && (*cpu = tessera_cpu_backend_new (error)) == NULL)
    return FALSE;
  return compute_on_cpu (backend, *cpu, node, batch, inputs, input_shapes, residual, output, output_shape, error);
}

/* Runs nodes 1…@last with @input as node 0's buffer, which stays the
 * caller's; returns @last's buffer. Each buffer holds @batch samples;
 * with a @batch of 1, the CONSTANT nodes give their values for @sample.
 * @cpu is for the nodes @backend does not support. */
static TesseraBuffer *
run_nodes (TesseraGraph        *self,
           TesseraBackend      *backend,
           TesseraBackend     **cpu,
           TesseraBuffer       *input,
           const TesseraShape  *shapes,
           guint                last,
           guint                batch,
           guint                sample,
           GCancellable        *cancellable,
           GError             **error)
{
  const TesseraBackendVTable *vt = backend->vtable;
  g_autofree guint *last_use = g_new (guint, last + 1);
  g_autofree TesseraBuffer **buffers = g_new0 (TesseraBuffer *, last + 1);
  TesseraBuffer *result = NULL;

  tessera_graph_find_last_uses (self, last, last_use);
  buffers[0] = input;

  for (guint i = 1; i <= last; i++)
    {
      const TesseraNode *node = tessera_graph_get_node (self, i);
      TesseraBuffer *inputs[TESSERA_NODE_MAX_INPUTS];
      TesseraShape input_shapes[TESSERA_NODE_MAX_INPUTS];
      TesseraNode sample_constant;

      if (node->op == TESSERA_OP_CONSTANT && sample > 0)
        {
          sample_constant = *node;
          sample_constant.weight += sample * tessera_shape_size (&node->shape);
          node = &sample_constant;
        }

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      for (guint k = 0; k < node->n_inputs; k++)
        {
          inputs[k] = buffers[node->inputs[k]];
          input_shapes[k] = shapes[node->inputs[k]];
        }

      buffers[i] = vt->buffer_new (backend, batch * tessera_shape_size (&shapes[i]), error);
      if (buffers[i] == NULL ||
          !compute_node (backend, cpu, node, batch, inputs, input_shapes,
                         node->residual >= 0 ? buffers[node->residual] : NULL,
                         buffers[i], &shapes[i], error))
        goto out;

      for (guint j = 1; j < i; j++)
        if (last_use[j] == i && buffers[j] != NULL)
          {
            vt->buffer_free (backend, buffers[j]);
            buffers[j] = NULL;
          }
    }

  result = g_steal_pointer (&buffers[last]);

out:
  for (guint i = 1; i <= last; i++)
    if (buffers[i] != NULL)
      vt->buffer_free (backend, buffers[i]);
  return result;
}

/* The tail, stripe by stripe, into the host rows of @output. */
static gboolean
run_stripes (TesseraGraph        *self,
             TesseraBackend      *backend,
             TesseraBackend     **cpu,
             TesseraBuffer       *entry,
             const TesseraShape  *entry_shape,
             const TesseraShape  *output_shape,
             float               *output,
             guint                sample,
             GCancellable        *cancellable,
             GError             **error)
{
  const TesseraStripes *stripes = tessera_graph_get_stripes (self);
  guint height = entry_shape->height, f = stripes->factor;
  gsize out_row = output_shape->width, out_plane = (gsize) output_shape->height * out_row;

  for (guint keep_a = 0; keep_a < height; keep_a += stripes->rows)
    {
      guint keep_b = MIN (keep_a + stripes->rows, height);
      guint a = keep_a > stripes->halo ? keep_a - stripes->halo : 0;
      guint b = MIN (keep_b + stripes->halo, height);
      g_autoptr(TesseraGraph) stripe = tessera_graph_new_stripe (self, entry_shape->channels, height, a, b, keep_a, keep_b);
      guint n = tessera_graph_get_n_nodes (stripe);
      g_autofree TesseraShape *shapes = g_new (TesseraShape, n);
      gsize stripe_plane = (gsize) (keep_b - keep_a) * f * out_row;
      TesseraBuffer *result;
      gboolean ok = TRUE;

      if (!tessera_graph_infer_shapes (stripe, entry_shape, shapes, error))
        return FALSE;
      result = run_nodes (stripe, backend, cpu, entry, shapes, n - 1, 1, sample, cancellable, error);
      if (result == NULL)
        return FALSE;

      /* Each channel's rows are whole rows of the output's plane. */
      for (guint c = 0; ok && c < output_shape->channels; c++)
        ok = backend->vtable->download (backend, result, c * stripe_plane,
                                        output + c * out_plane + (gsize) keep_a * f * out_row, stripe_plane, error);
      backend->vtable->buffer_free (backend, result);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* Runs @self on @batch samples at once (@backend computing batches), or
 * on @sample alone, @batch being 1. */
static gboolean
run_graph (TesseraGraph        *self,
           TesseraBackend      *backend,
           TesseraBackend     **cpu,
           const float         *input,
           const TesseraShape  *shapes,
           float               *output,
           guint                batch,
           guint                sample,
           GCancellable        *cancellable,
           GError             **error)
{
  const TesseraBackendVTable *vt = backend->vtable;
  const TesseraStripes *stripes = tessera_graph_get_stripes (self);
  guint n = tessera_graph_get_n_nodes (self);
  guint last = stripes->rows > 0 ? stripes->first - 1 : n - 1;
  TesseraBuffer *in, *result = NULL;
  gboolean ok = FALSE;

  gint64 start = g_get_monotonic_time (), uploaded = 0, queued = 0;

  in = vt->buffer_new (backend, batch * tessera_shape_size (&shapes[0]), error);
  if (in == NULL)
    return FALSE;
  if (vt->upload (backend, in, input, batch * tessera_shape_size (&shapes[0]), error))
    {
      uploaded = g_get_monotonic_time ();
      result = last > 0 ? run_nodes (self, backend, cpu, in, shapes, last, batch, sample, cancellable, error) : in;
      queued = g_get_monotonic_time ();
    }

  if (result != NULL && stripes->rows > 0)
    ok = run_stripes (self, backend, cpu, result, &shapes[last], &shapes[n - 1], output, sample, cancellable, error);
  else if (result != NULL)
    ok = vt->download (backend, result, 0, output, batch * tessera_shape_size (&shapes[n - 1]), error);
  /* On a GPU the nodes are queued, and the tail or the download waits for them. */
  if (ok)
    g_debug ("%s: %.1f ms uploading, %.1f ms running %u nodes on %u sample%s, %.1f ms for the %s", vt->name,
             (uploaded - start) / 1e3, (queued - uploaded) / 1e3, last, batch, batch > 1 ? "s" : "",
             (g_get_monotonic_time () - queued) / 1e3, stripes->rows > 0 ? "stripes" : "download");

  if (result != NULL && result != in)
    vt->buffer_free (backend, result);
  vt->buffer_free (backend, in);
  return ok;
}

/**
 * tessera_graph_run:
 * @input: the graph's batch of inputs, each of @input_shape
 * @output: room for the graph's batch of outputs, each of the output
 *   node's shape, as tessera_graph_infer_shapes() says
 *
 * Runs @graph on @backend: each node's buffer is made when the node runs
 * and freed after the last node that reads it, and a tail planned by
 * tessera_graph_plan_stripes() runs in stripes. A node @backend does not
 * support runs on the CPU backend. A cancellation is noticed between
 * nodes. A batch runs at once on a backend that computes batches (and
 * has no stripes to run), else one sample after the other.
 */
gboolean
tessera_graph_run (TesseraGraph        *self,
                   TesseraBackend      *backend,
                   const float         *input,
                   const TesseraShape  *input_shape,
                   float               *output,
                   GCancellable        *cancellable,
                   GError             **error)
{
  const TesseraStripes *stripes = tessera_graph_get_stripes (self);
  g_autoptr(TesseraBackend) cpu = NULL;
  guint n = tessera_graph_get_n_nodes (self);
  guint batch = tessera_graph_get_batch (self);
  g_autofree TesseraShape *shapes = g_new (TesseraShape, n);
  gsize input_size, output_size;

  if (!tessera_graph_infer_shapes (self, input_shape, shapes, error))
    return FALSE;

  if (batch == 1 || (backend->vtable->compute_batch != NULL && stripes->rows == 0))
    return run_graph (self, backend, &cpu, input, shapes, output, batch, 0, cancellable, error);

  input_size = tessera_shape_size (&shapes[0]);
  output_size = tessera_shape_size (&shapes[n - 1]);
  for (guint s = 0; s < batch; s++)
    if (!run_graph (self, backend, &cpu, input + s * input_size, shapes, output + s * output_size, 1, s,
                    cancellable, error))
      return FALSE;
  return TRUE;
}
