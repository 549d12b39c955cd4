/* test-ops-tensor.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <math.h>

#include "backends/tessera-backend-private.h"
#include "tessera-test-utils.h"

/* Small planar tensors for the op tests, and a graph run checked against
 * an expected output. */

typedef struct
{
  guint c, h, w;
  float *data;
} Tensor;

static inline Tensor
tensor_new (guint c,
            guint h,
            guint w)
{
  return (Tensor) { c, h, w, g_new0 (float, (gsize) c * h * w) };
}

static inline Tensor
tensor_random (GRand *rand,
               guint  c,
               guint  h,
               guint  w)
{
  Tensor t = tensor_new (c, h, w);

  for (gsize i = 0; i < (gsize) c * h * w; i++)
    t.data[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return t;
}

static inline float *
random_floats (GRand *rand,
               gsize  n)
{
  float *data = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, -0.5, 0.5);
  return data;
}

static inline float
at (const Tensor *t,
    guint         c,
    gint64        y,
    gint64        x)
{
  if (y < 0 || x < 0 || y >= t->h || x >= t->w)
    return 0.f;
  return t->data[((gsize) c * t->h + y) * t->w + x];
}

/* Runs @graph on @input and checks its output against @expected; returns
 * the largest difference. */
static inline double
assert_graph (TesseraGraph *graph,
              const Tensor *input,
              const Tensor *expected,
              double        tolerance)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  TesseraShape shape = { input->c, input->h, input->w };
  g_autofree TesseraShape *shapes = g_new (TesseraShape, tessera_graph_get_n_nodes (graph));
  g_autofree float *output = NULL;
  gsize n = (gsize) expected->c * expected->h * expected->w;
  double worst = 0.0;

  g_assert_true (tessera_graph_infer_shapes (graph, &shape, shapes, &error));
  g_assert_no_error (error);
  shape = shapes[tessera_graph_get_output (graph)];
  g_assert_cmpuint (shape.channels, ==, expected->c);
  g_assert_cmpuint (shape.height, ==, expected->h);
  g_assert_cmpuint (shape.width, ==, expected->w);

  output = g_new (float, n);
  g_assert_true (tessera_graph_run (graph, backend, input->data, &(TesseraShape) { input->c, input->h, input->w },
                                    output, NULL, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs ((double) output[i] - expected->data[i]));
  g_assert_cmpfloat (worst, <=, tolerance);
  return worst;
}
