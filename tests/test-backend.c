/* test-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-test-utils.h"

/* The backend table as the graph executor and the engine use it: the
 * registry, the optional entries, the CPU fallback for the nodes a
 * backend does not support, and batches, run on a fake backend: the CPU
 * backend behind a table that refuses one op and counts what it is
 * asked, with or without compute_batch(). */

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

static gboolean
fake_compute_batch (TesseraBackend      *backend,
                    const TesseraNode   *node,
                    guint                batch,
                    TesseraBuffer      **inputs,
                    const TesseraShape  *input_shapes,
                    TesseraBuffer       *residual,
                    TesseraBuffer       *output,
                    const TesseraShape  *output_shape,
                    GError             **error)
{
  FakeBackend *self = (FakeBackend *) backend;

  g_assert_cmpint (node->op, !=, self->refused);
  self->n_computed++;
  return self->cpu->vtable->compute_batch (self->cpu, node, batch, inputs, input_shapes, residual, output,
                                           output_shape, error);
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

static const TesseraBackendVTable fake_batch_vtable = {
  .name = "fake-batch",
  .free = fake_free,
  .supports = fake_supports,
  .buffer_new = fake_buffer_new,
  .buffer_free = fake_buffer_free,
  .upload = fake_upload,
  .download = fake_download,
  .compute = fake_compute,
  .compute_batch = fake_compute_batch,
};

static FakeBackend *
fake_backend_new (TesseraOp refused,
                  gboolean  batches)
{
  FakeBackend *self = g_new0 (FakeBackend, 1);

  self->parent.vtable = batches ? &fake_batch_vtable : &fake_vtable;
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

  fake = fake_backend_new (TESSERA_OP_CONV2D, FALSE);
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

static float *
random_floats (GRand *rand,
               gsize  n,
               double range)
{
  float *values = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    values[i] = (float) g_rand_double_range (rand, -range, range);
  return values;
}

/* A graph of the ops a batch treats apart, on two samples: convolutions
 * through im2col + SGEMM in bands (1 × 1 at 24 × 24) and over the whole
 * batch at once (3 × 3 strided, 1 × 1, two inputs with a residual, at
 * 12 × 12), through Winograd (16 → 16 channels, 24 × 24), grouped; a
 * group norm; a cross-attention to a CONSTANT context, each sample its
 * own. @context: the CONSTANT's values, room for two samples. */
#define CONTEXT_SIZE (8 * 5)

static TesseraGraph *
batch_graph_new (GRand *rand,
                 float *context)
{
  TesseraGraph *graph = tessera_graph_new (4);
  guint x, y, z, pair[2], norm, c, q, k, v, attention, depthwise;

#define W(n) tessera_graph_keep_floats (graph, random_floats (rand, n, 0.3))
  x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 16, 4, 1, 1, 0, W (16 * 4), W (16));
  tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_SILU, 0.f, NULL);
  x = tessera_graph_conv (graph, &x, 1, 16, 16, 3, 1, 1, W (16 * 16 * 9), W (16));      /* Winograd */
  y = tessera_graph_conv (graph, &x, 1, 8, 16, 3, 2, 1, W (8 * 16 * 9), W (8));         /* 12 × 12 */
  z = tessera_graph_conv (graph, &y, 1, 8, 8, 1, 1, 0, W (8 * 8), NULL);
  pair[0] = y, pair[1] = z;
  z = tessera_graph_conv (graph, pair, 2, 8, 16, 3, 1, 1, W (8 * 16 * 9), W (8));
  tessera_graph_set_activation (graph, z, TESSERA_ACTIVATION_LEAKY, 0.1f, NULL);
  tessera_graph_set_residual (graph, z, 0.5f, y);
  norm = tessera_graph_group_norm (graph, z, 2, W (8), W (8), 1e-5f, TESSERA_ACTIVATION_SILU);
  c = tessera_graph_constant (graph, &(TesseraShape) { 8, 1, 5 }, context);
  q = tessera_graph_conv (graph, &norm, 1, 8, 8, 1, 1, 0, W (8 * 8), NULL);
  k = tessera_graph_conv (graph, &c, 1, 8, 8, 1, 1, 0, W (8 * 8), NULL);
  v = tessera_graph_conv (graph, &c, 1, 8, 8, 1, 1, 0, W (8 * 8), NULL);
  attention = tessera_graph_token_attention (graph, q, k, v, 2, 0.5f, FALSE);
  depthwise = tessera_graph_conv (graph, &attention, 1, 8, 8, 3, 1, 1, W (8 * 9), W (8));
  tessera_graph_set_groups (graph, depthwise, 8);
  tessera_graph_add_nodes (graph, depthwise, 1.f, z, 1.f);
#undef W
  return graph;
}

/* A batch of two gives what each sample gives alone: on the CPU, which
 * batches the convolutions; on a backend without compute_batch(), which
 * runs the samples apart; and through the fallback to the CPU, batched. */
static void
test_batch (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autofree float *context = random_floats (rand, 2 * CONTEXT_SIZE, 1.0);
  g_autoptr(TesseraGraph) graph = batch_graph_new (rand, context);
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
  TesseraShape shape = { 4, 24, 24 }, out_shape = { 8, 12, 12 };
  gsize n = tessera_shape_size (&shape), out_n = tessera_shape_size (&out_shape);
  g_autofree float *input = random_floats (rand, 2 * n, 1.0);
  g_autofree float *expected = g_new (float, 2 * out_n);
  g_autofree float *output = g_new (float, 2 * out_n);
  g_autofree float *both_contexts = g_memdup2 (context, 2 * CONTEXT_SIZE * sizeof (float));
  g_autoptr(GError) error = NULL;
  const struct { TesseraOp refused; gboolean batches; guint computed; } fakes[] = {
    { TESSERA_N_OPS, FALSE, 2 * 13 },               /* sample by sample */
    { TESSERA_N_OPS, TRUE, 13 },                    /* one batch */
    { TESSERA_OP_GROUP_NORM, TRUE, 12 },            /* one batch, the norm on the CPU */
  };

  /* each sample alone, its context where the graph reads the first */
  for (guint s = 0; s < 2; s++)
    {
      memcpy (context, both_contexts + s * CONTEXT_SIZE, CONTEXT_SIZE * sizeof (float));
      g_assert_true (tessera_graph_run (graph, cpu, input + s * n, &shape, expected + s * out_n, NULL, &error));
      g_assert_no_error (error);
    }
  memcpy (context, both_contexts, 2 * CONTEXT_SIZE * sizeof (float));
  /* the samples differ, so a mix-up would show */
  g_assert_cmpfloat (test_max_relative_error (expected, expected + out_n, out_n), >, 0.1);

  tessera_graph_set_batch (graph, 2);
  g_assert_true (tessera_backend_computes_batches (cpu));
  g_assert_true (tessera_graph_run (graph, cpu, input, &shape, output, NULL, &error));
  g_assert_no_error (error);
  for (guint s = 0; s < 2; s++)
    {
      double e = test_max_relative_error (output + s * out_n, expected + s * out_n, out_n);

      g_test_message ("CPU, sample %u of 2: relative error %.3g", s, e);
      g_assert_cmpfloat (e, <=, 1e-5);
    }

  for (guint i = 0; i < G_N_ELEMENTS (fakes); i++)
    {
      FakeBackend *fake = fake_backend_new (fakes[i].refused, fakes[i].batches);
      g_autoptr(TesseraBackend) backend = &fake->parent;

      g_assert_cmpint (tessera_backend_computes_batches (backend), ==, fakes[i].batches);
      memset (output, 0, 2 * out_n * sizeof (float));
      g_assert_true (tessera_graph_run (graph, backend, input, &shape, output, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (fake->n_computed, ==, fakes[i].computed);
      for (guint s = 0; s < 2; s++)
        g_assert_cmpfloat (test_max_relative_error (output + s * out_n, expected + s * out_n, out_n), <=, 1e-5);
    }
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
  g_test_add_func ("/backend/batch", test_batch);
  g_test_add_func ("/backend/optional-entries", test_optional_entries);
  g_test_add_func ("/backend/registry", test_registry);

  return g_test_run ();
}
