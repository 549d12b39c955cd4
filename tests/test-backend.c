/* test-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-test-utils.h"

/* The backend table as the graph executor and the engine use it: the
 * registry, the optional entries, and the CPU fallback for the nodes a
 * backend does not support, run on a fake backend: the CPU backend behind
 * a table that refuses one op and counts what it is asked. */

typedef struct
{
  TesseraBackend  parent;
  TesseraBackend *cpu;
  TesseraOp       refused;
  guint           n_refused;     /* nodes supports() said no to */
  guint           n_computed;
  guint           n_uploads;
  guint           n_downloads;
} FakeBackend;

static void
fake_free (TesseraBackend *backend)
{
  FakeBackend *self = (FakeBackend *) backend;

  tessera_backend_free (self->cpu);
  g_free (self);
}

static gboolean
fake_supports (TesseraBackend    *backend,
               const TesseraNode *node)
{
  FakeBackend *self = (FakeBackend *) backend;

  if (node->op != self->refused)
    return TRUE;
  self->n_refused++;
  return FALSE;
}

static TesseraBuffer *
fake_buffer_new (TesseraBackend  *backend,
                 gsize            n_floats,
                 GError         **error)
{
  FakeBackend *self = (FakeBackend *) backend;

  return self->cpu->vtable->buffer_new (self->cpu, n_floats, error);
}

static void
fake_buffer_free (TesseraBackend *backend,
                  TesseraBuffer  *buffer)
{
  FakeBackend *self = (FakeBackend *) backend;

  self->cpu->vtable->buffer_free (self->cpu, buffer);
}

static gboolean
fake_upload (TesseraBackend  *backend,
             TesseraBuffer   *buffer,
             const float     *data,
             gsize            n_floats,
             GError         **error)
{
  FakeBackend *self = (FakeBackend *) backend;

  self->n_uploads++;
  return self->cpu->vtable->upload (self->cpu, buffer, data, n_floats, error);
}

static gboolean
fake_download (TesseraBackend  *backend,
               TesseraBuffer   *buffer,
               gsize            offset,
               float           *data,
               gsize            n_floats,
               GError         **error)
{
  FakeBackend *self = (FakeBackend *) backend;

  self->n_downloads++;
  return self->cpu->vtable->download (self->cpu, buffer, offset, data, n_floats, error);
}

static gboolean
fake_compute (TesseraBackend      *backend,
              const TesseraNode   *node,
              TesseraBuffer      **inputs,
              const TesseraShape  *input_shapes,
              TesseraBuffer       *residual,
              TesseraBuffer       *output,
              const TesseraShape  *output_shape,
              GError             **error)
{
  FakeBackend *self = (FakeBackend *) backend;

  if (node->op == self->refused)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, "asked to run op %d, which it refused", node->op);
      return FALSE;
    }

  self->n_computed++;
  return self->cpu->vtable->compute (self->cpu, node, inputs, input_shapes, residual, output, output_shape, error);
}

static const TesseraBackendVTable fake_vtable = {
  .name = "fake",
  .free = fake_free,
  .supports = fake_supports,
  .buffer_new = fake_buffer_new,
  .buffer_free = fake_buffer_free,
  .upload = fake_upload,
  .download = fake_download,
  .compute = fake_compute,
};

static FakeBackend *
fake_backend_new (TesseraOp refused)
{
  FakeBackend *self = g_new0 (FakeBackend, 1);

  self->parent.vtable = &fake_vtable;
  self->cpu = tessera_cpu_backend_new (NULL);
  self->refused = refused;
  g_assert_nonnull (self->cpu);
  return self;
}

/* A convolution the backend refuses, between two nodes it runs, with a
 * residual: the CPU runs it on copies of its input and residual, and the
 * result is the CPU backend's. */
static void
test_fallback (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  TesseraShape shape = { 4, 13, 11 };
  gsize n = tessera_shape_size (&shape);
  g_autofree float *input = g_new (float, n);
  g_autofree float *weight = g_new (float, 4 * 4 * 9);
  g_autofree float *bias = g_new (float, 4);
  g_autofree float *expected = g_new (float, n);
  g_autofree float *output = g_new (float, n);
  FakeBackend *fake;
  guint scaled, conv;

  for (gsize i = 0; i < n; i++)
    input[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  for (gsize i = 0; i < 4 * 4 * 9; i++)
    weight[i] = (float) g_rand_double_range (rand, -0.5, 0.5);
  for (gsize i = 0; i < 4; i++)
    bias[i] = (float) g_rand_double_range (rand, -0.5, 0.5);

  scaled = tessera_graph_affine (graph, 0, 2.f, 0.5f);
  conv = tessera_graph_conv (graph, &scaled, 1, 4, 4, 3, 1, 1, weight, bias);
  tessera_graph_set_activation (graph, conv, TESSERA_ACTIVATION_LEAKY, 0.2f, NULL);
  tessera_graph_set_residual (graph, conv, 0.5f, 0);
  tessera_graph_add_nodes (graph, conv, 1.f, scaled, 0.5f);

  g_assert_true (tessera_graph_run (graph, cpu, input, &shape, expected, NULL, &error));
  g_assert_no_error (error);

  fake = fake_backend_new (TESSERA_OP_CONV2D);
  backend = &fake->parent;
  g_assert_true (tessera_graph_run (graph, backend, input, &shape, output, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (output, n * sizeof (float), expected, n * sizeof (float));

  /* The affine and the sum ran on the backend; the convolution's input
   * and residual went down and its output came back up, besides the
   * graph's own upload and download. */
  g_assert_cmpuint (fake->n_refused, ==, 1);
  g_assert_cmpuint (fake->n_computed, ==, 2);
  g_assert_cmpuint (fake->n_uploads, ==, 2);
  g_assert_cmpuint (fake->n_downloads, ==, 3);
}

/* The optional entries a backend leaves out: no memory of its own, and
 * nothing worth keeping between runs. */
static void
test_optional_entries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraBackend) cpu = tessera_backend_new ("cpu", 0, TESSERA_PRECISION_FP16, &error);
  guint64 free_bytes = 1, total_bytes = 1;

  g_assert_no_error (error);
  g_assert_nonnull (cpu);
  g_assert_null (cpu->vtable->get_memory);
  g_assert_false (tessera_backend_get_memory (cpu, &free_bytes, &total_bytes));
  g_assert_cmpuint (free_bytes, ==, 1);
  tessera_backend_set_memory_limit (cpu, 1);
  g_assert_cmpuint (tessera_backend_get_peak_memory (cpu), ==, 0);
  g_assert_false (tessera_backend_trim (cpu));
  g_assert_null (tessera_backend_host_memory (cpu, 16));
}

/* Every build has both backends by name; the CPU has one device. */
static void
test_registry (void)
{
  g_autoptr(GPtrArray) cpus = tessera_backend_list_devices ("cpu", NULL);
  g_autoptr(GPtrArray) gpus = NULL;
  g_autoptr(TesseraBackend) gpu = NULL;
  g_autoptr(GError) error = NULL;
  TesseraDevice *device;

  g_assert_nonnull (cpus);
  g_assert_cmpuint (cpus->len, ==, 1);
  device = g_ptr_array_index (cpus, 0);
  g_assert_cmpint (device->index, ==, 0);
  g_assert_true (strstr (device->description, "threads") != NULL);

  gpus = tessera_backend_list_devices ("cuda", &error);
  if (gpus == NULL)
    {
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_clear_error (&error);
      gpu = tessera_backend_new ("cuda", 0, TESSERA_PRECISION_FP16, &error);
      g_assert_null (gpu);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      return;
    }

  for (guint i = 0; i < gpus->len; i++)
    {
      device = g_ptr_array_index (gpus, i);
      g_test_message ("cuda:%d: %s", device->index, device->description);
      g_assert_cmpint (device->index, ==, (int) i);
      g_assert_cmpstr (device->description, !=, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backend/fallback", test_fallback);
  g_test_add_func ("/backend/optional-entries", test_optional_entries);
  g_test_add_func ("/backend/registry", test_registry);

  return g_test_run ();
}
