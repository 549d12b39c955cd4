/* test-gpu.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>


#include "backends/cuda/tessera-cuda-private.h"
#include "tessera-runner-private.h"
#include "tessera-test-utils.h"

/* The CUDA backend against the CPU reference, op family by op family and
 * whole small networks, in fp32 and fp16, with the normalised error
 * ‖gpu − cpu‖ / ‖cpu‖ as ggml's test-backend-ops measures it. Random
 * inputs, odd sizes. Without a usable CUDA device every test is skipped
 * and says why. */

#define W2X "waifu2x@1.6.5/"

typedef struct
{
  TesseraPrecision  precision;
  const char       *name;
  double            tolerance;
} Precision;

static const Precision precisions[] = {
  { TESSERA_PRECISION_FP32, "fp32", 1e-4 },
  { TESSERA_PRECISION_FP16, "fp16", 1e-2 },
};

/* Whether device 0 can run the backend; if not the test is skipped with
 * the reason. */
static gboolean
have_cuda (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = tessera_cuda_list_devices (&error);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autofree char *reason = NULL;

  if (devices == NULL)
    {
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, !=, "");
      g_assert_null (tessera_cuda_backend_new (0, TESSERA_PRECISION_FP16, NULL));
      reason = g_strdup_printf ("no CUDA device to test: %s", error->message);
      g_test_skip (reason);
      return FALSE;
    }

  backend = tessera_cuda_backend_new (0, TESSERA_PRECISION_FP32, &error);
  if (backend == NULL)
    {
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      reason = g_strdup_printf ("CUDA device 0 cannot be tested: %s", error->message);
      g_test_skip (reason);
      return FALSE;
    }

  return TRUE;
}

static TesseraBackend *
cuda_backend (TesseraPrecision precision)
{
  g_autoptr(GError) error = NULL;
  TesseraBackend *backend = tessera_cuda_backend_new (0, precision, &error);

  g_assert_no_error (error);
  g_assert_nonnull (backend);
  return backend;
}

static float *
random_floats (GRand *rand,
               gsize  n,
               double low,
               double high)
{
  float *data = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, low, high);
  return data;
}

static gsize
shape_size (const TesseraShape *shape)
{
  return (gsize) shape->channels * shape->height * shape->width;
}

static double
relative_error (const float *gpu,
                const float *cpu,
                gsize        n)
{
  double diff = 0.0, norm = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      diff += ((double) gpu[i] - cpu[i]) * ((double) gpu[i] - cpu[i]);
      norm += (double) cpu[i] * cpu[i];
    }

  g_assert_cmpfloat (norm, >, 0.0);
  return sqrt (diff / norm);
}

static float *
run_graph (TesseraGraph       *graph,
           TesseraBackend     *backend,
           const float        *input,
           const TesseraShape *shape,
           gsize              *n_output)
{
  g_autoptr(GError) error = NULL;
  g_autofree TesseraShape *shapes = g_new (TesseraShape, tessera_graph_get_n_nodes (graph));
  float *output;

  tessera_graph_infer_shapes (graph, shape, shapes, &error);
  g_assert_no_error (error);
  *n_output = shape_size (&shapes[tessera_graph_get_output (graph)]);
  output = g_new (float, *n_output);
  tessera_graph_run (graph, backend, input, shape, output, NULL, &error);
  g_assert_no_error (error);
  return output;
}

/* Runs @graph on the CPU and on the GPU in each precision, twice (the
 * second time with the weights already on the device), and compares. A
 * @tolerance above 0 replaces both precisions' own: for the ops that do no
 * arithmetic in fp16. */
static void
assert_graph_matches (TesseraGraph       *graph,
                      const float        *input,
                      const TesseraShape *shape,
                      double              tolerance,
                      const char         *what)
{
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
  g_autofree float *expected = NULL;
  gsize n;

  expected = run_graph (graph, cpu, input, shape, &n);

  for (guint p = 0; p < G_N_ELEMENTS (precisions); p++)
    {
      g_autoptr(TesseraBackend) gpu = cuda_backend (precisions[p].precision);
      g_autofree float *first = NULL;
      g_autofree float *second = NULL;
      double limit = tolerance > 0 ? tolerance : precisions[p].tolerance;
      double error;
      gsize n_gpu;

      first = run_graph (graph, gpu, input, shape, &n_gpu);
      g_assert_cmpuint (n_gpu, ==, n);
      second = run_graph (graph, gpu, input, shape, &n_gpu);
      error = relative_error (first, expected, n);
      g_test_message ("%s, %s: relative error %.3g", what, precisions[p].name, error);
      g_assert_cmpfloat (error, <, limit);
      g_assert_cmpmem (first, n * sizeof (float), second, n * sizeof (float));
    }
}

typedef struct
{
  guint             in_channels[3];
  guint             n_inputs;
  guint             out_channels;
  guint             kernel;
  guint             stride;
  guint             padding;
  guint             height;
  guint             width;
  TesseraActivation activation;
  gboolean          residual;
  gboolean          bias;
} ConvCase;

static void
test_conv (void)
{
  static const ConvCase cases[] = {
    { { 3 }, 1, 8, 3, 1, 1, 37, 23, TESSERA_ACTIVATION_LEAKY, FALSE, TRUE },
    { { 5, 7 }, 2, 6, 3, 1, 1, 9, 31, TESSERA_ACTIVATION_NONE, FALSE, TRUE },
    { { 4, 6, 3 }, 3, 13, 3, 1, 1, 19, 27, TESSERA_ACTIVATION_LEAKY, FALSE, TRUE },
    { { 12 }, 1, 12, 3, 1, 1, 37, 23, TESSERA_ACTIVATION_PRELU, TRUE, TRUE },
    { { 6 }, 1, 3, 1, 1, 0, 8, 8, TESSERA_ACTIVATION_SIGMOID, FALSE, TRUE },
    { { 9 }, 1, 9, 1, 1, 0, 37, 23, TESSERA_ACTIVATION_RELU, TRUE, FALSE },
    { { 5, 4 }, 2, 7, 1, 1, 0, 11, 13, TESSERA_ACTIVATION_NONE, FALSE, TRUE },
    { { 8 }, 1, 5, 2, 2, 0, 14, 12, TESSERA_ACTIVATION_RELU, FALSE, TRUE },
    { { 3 }, 1, 4, 3, 2, 1, 37, 23, TESSERA_ACTIVATION_NONE, FALSE, FALSE },
    { { 2 }, 1, 3, 5, 1, 2, 1, 1, TESSERA_ACTIVATION_NONE, FALSE, TRUE },
    { { 16 }, 1, 16, 3, 1, 1, 70, 300, TESSERA_ACTIVATION_LEAKY, TRUE, TRUE },
    { { 16 }, 1, 24, 3, 1, 0, 9, 13, TESSERA_ACTIVATION_PRELU, FALSE, TRUE },
    { { 32 }, 1, 32, 3, 1, 1, 1, 1, TESSERA_ACTIVATION_LEAKY, TRUE, TRUE },
    { { 20 }, 1, 17, 3, 1, 1, 2, 3, TESSERA_ACTIVATION_SIGMOID, FALSE, TRUE },
    { { 64 }, 1, 64, 3, 1, 1, 33, 41, TESSERA_ACTIVATION_LEAKY, TRUE, TRUE },
    /* For the tensor-core kernel: a dense block's concatenation, chunks of
     * channels across inputs, several blocks of outputs and of rows, 5×5
     * and unpadded kernels. */
    { { 64, 32, 32 }, 3, 64, 3, 1, 1, 45, 70, TESSERA_ACTIVATION_LEAKY, TRUE, TRUE },
    { { 20, 12, 5 }, 3, 80, 3, 1, 1, 35, 66, TESSERA_ACTIVATION_NONE, FALSE, TRUE },
    { { 7 }, 1, 48, 5, 1, 2, 23, 35, TESSERA_ACTIVATION_PRELU, FALSE, FALSE },
    { { 24 }, 1, 40, 3, 1, 0, 40, 33, TESSERA_ACTIVATION_RELU, FALSE, TRUE },
    { { 33 }, 1, 129, 1, 1, 0, 17, 19, TESSERA_ACTIVATION_SIGMOID, FALSE, TRUE },
    /* SiLU, fused, as SPAN's blocks run it: on the tensor cores and in GEMMs. */
    { { 16 }, 1, 16, 3, 1, 1, 37, 23, TESSERA_ACTIVATION_SILU, TRUE, TRUE },
    { { 6 }, 1, 5, 1, 1, 0, 9, 8, TESSERA_ACTIVATION_SILU, FALSE, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  if (!have_cuda ())
    return;

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const ConvCase *cc = &cases[t];
      g_autoptr(TesseraGraph) graph = tessera_graph_new (cc->in_channels[0]);
      guint inputs[3] = { 0 }, in_total = 0, k = cc->kernel, node;
      g_autofree float *input = random_floats (rand, (gsize) cc->in_channels[0] * cc->height * cc->width, -1, 1);
      g_autofree float *weight = NULL;
      g_autofree float *bias = random_floats (rand, cc->out_channels, -0.5, 0.5);
      g_autofree float *slopes = random_floats (rand, cc->out_channels, 0.05, 0.5);
      g_autofree char *what = g_strdup_printf ("conv case %u", t);

      /* Further inputs come from 1×1 convolutions of the first. */
      in_total = cc->in_channels[0];
      for (guint i = 1; i < cc->n_inputs; i++)
        {
          float *w = random_floats (rand, (gsize) cc->in_channels[i] * cc->in_channels[0], -0.5, 0.5);

          inputs[i] = tessera_graph_conv (graph, &inputs[0], 1, cc->in_channels[i], cc->in_channels[0], 1, 1, 0,
                                          tessera_graph_keep_floats (graph, w), NULL);
          in_total += cc->in_channels[i];
        }

      weight = random_floats (rand, (gsize) cc->out_channels * in_total * k * k, -0.5, 0.5);
      node = tessera_graph_conv (graph, inputs, cc->n_inputs, cc->out_channels, in_total, k, cc->stride,
                                 cc->padding, weight, cc->bias ? bias : NULL);
      tessera_graph_set_activation (graph, node, cc->activation, 0.2f, slopes);
      if (cc->residual)
        tessera_graph_set_residual (graph, node, 0.5f, 0);

      assert_graph_matches (graph, input, &(TesseraShape) { cc->in_channels[0], cc->height, cc->width }, 0, what);
    }
}

/* Large enough that im2col goes in bands and transfers in chunks. */
static void
test_conv_large (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (16);
  TesseraShape shape = { 16, 1001, 613 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
  g_autofree float *w1 = random_floats (rand, 16 * 16 * 9, -0.2, 0.2);
  g_autofree float *w2 = random_floats (rand, 16 * 16 * 9, -0.2, 0.2);
  g_autofree float *bias = random_floats (rand, 16, -0.5, 0.5);
  guint x;

  if (!have_cuda ())
    return;

  x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 16, 16, 3, 1, 1, w1, bias);
  tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_LEAKY, 0.2f, NULL);
  x = tessera_graph_conv (graph, &x, 1, 16, 16, 3, 1, 1, w2, NULL);
  tessera_graph_set_residual (graph, x, 0.2f, 0);
  assert_graph_matches (graph, input, &shape, 0, "large conv");
}

static void
test_deconv (void)
{
  static const guint cases[][8] = {
    /* in, out, kernel, stride, padding, height, width, activation */
    { 4, 3, 2, 2, 0, 7, 10, TESSERA_ACTIVATION_NONE },
    { 6, 5, 4, 2, 3, 9, 12, TESSERA_ACTIVATION_NONE },
    { 5, 3, 5, 3, 2, 8, 11, TESSERA_ACTIVATION_LEAKY },
    { 3, 2, 3, 1, 1, 6, 9, TESSERA_ACTIVATION_NONE },
    { 64, 3, 4, 2, 3, 37, 23, TESSERA_ACTIVATION_NONE },
    { 32, 12, 4, 2, 1, 19, 17, TESSERA_ACTIVATION_PRELU },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);

  if (!have_cuda ())
    return;

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint ic = cases[t][0], oc = cases[t][1], k = cases[t][2], h = cases[t][5], w = cases[t][6];
      g_autoptr(TesseraGraph) graph = tessera_graph_new (ic);
      g_autofree float *input = random_floats (rand, (gsize) ic * h * w, -1, 1);
      g_autofree float *weight = random_floats (rand, (gsize) ic * oc * k * k, -0.5, 0.5);
      g_autofree float *bias = random_floats (rand, oc, -0.5, 0.5);
      g_autofree float *slopes = random_floats (rand, oc, 0.05, 0.5);
      g_autofree char *what = g_strdup_printf ("deconv case %u", t);
      guint node = tessera_graph_deconv (graph, 0, oc, ic, k, cases[t][3], cases[t][4], weight, bias);

      tessera_graph_set_activation (graph, node, cases[t][7], 0.1f, slopes);
      assert_graph_matches (graph, input, &(TesseraShape) { ic, h, w }, 0, what);
    }
}

static void
test_elementwise (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  TesseraShape shape = { 5, 37, 23 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -2, 2);
  g_autofree float *slopes = random_floats (rand, 5, 0.05, 0.5);

  if (!have_cuda ())
    return;

  for (TesseraActivation a = TESSERA_ACTIVATION_RELU; a <= TESSERA_ACTIVATION_SIGMOID; a++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
      g_autofree char *what = g_strdup_printf ("activation %d", a);
      guint node = tessera_graph_activate (graph, 0, a, 0.2f);

      tessera_graph_set_activation (graph, node, a, 0.2f, slopes);
      assert_graph_matches (graph, input, &shape, 1e-6, what);
    }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    guint mean = tessera_graph_unary (graph, TESSERA_OP_GLOBAL_AVG_POOL, 0);
    guint scaled = tessera_graph_binary (graph, TESSERA_OP_MUL_CHANNELS, 0, mean);
    guint sum = tessera_graph_add_nodes (graph, scaled, 0.5f, 0, -2.f);
    guint affine = tessera_graph_affine (graph, sum, 3.f, 0.25f);

    tessera_graph_clamp (graph, affine, -1.f, 1.5f);
    assert_graph_matches (graph, input, &shape, 1e-6, "add, mul_channels, affine, clamp");
  }
}

/* SiLU as a node, and SPAN's attention with the elementwise product:
 * (silu (x) + x) · (sigmoid (x) − 0.5). */
static void
test_multiply (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (25);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
  TesseraShape shape = { 5, 37, 23 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -4, 4);
  guint silu, sigmoid, attention, sum;

  if (!have_cuda ())
    return;

  silu = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_SILU, 0.f);
  sigmoid = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_SIGMOID, 0.f);
  attention = tessera_graph_affine (graph, sigmoid, 1.f, -0.5f);
  sum = tessera_graph_add_nodes (graph, silu, 1.f, 0, 1.f);
  tessera_graph_binary (graph, TESSERA_OP_MUL, sum, attention);
  assert_graph_matches (graph, input, &shape, 1e-6, "silu, mul");
}

static void
test_layout (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  TesseraShape shape = { 4, 37, 23 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);

  if (!have_cuda ())
    return;

  for (TesseraPadMode mode = TESSERA_PAD_ZERO; mode <= TESSERA_PAD_SYMMETRIC; mode++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
      g_autofree char *what = g_strdup_printf ("pad mode %d", mode);

      tessera_graph_pad (graph, 0, mode, 3, 7, 5, 1);
      assert_graph_matches (graph, input, &shape, 1e-7, what);
    }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
    guint cropped = tessera_graph_crop (graph, 0, 2, 5, 3, 1);
    guint padded = tessera_graph_pad (graph, cropped, TESSERA_PAD_REFLECT, 2, 5, 3, 1);
    guint scaled = tessera_graph_affine (graph, 0, -1.f, 0.5f);

    tessera_graph_concat (graph, (guint[]) { padded, 0, scaled }, 3);
    assert_graph_matches (graph, input, &shape, 1e-7, "crop, concat");
  }

  for (guint factor = 2; factor <= 3; factor++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
      g_autofree char *what = g_strdup_printf ("pixel shuffle by %u", factor);
      TesseraShape big = { 4, 12 * factor + factor, 7 * factor };
      g_autofree float *image = random_floats (rand, shape_size (&big), -1, 1);
      guint shuffled = tessera_graph_shuffle (graph, TESSERA_OP_PIXEL_UNSHUFFLE, 0, factor);

      shuffled = tessera_graph_affine (graph, shuffled, 2.f, 0.f);
      tessera_graph_shuffle (graph, TESSERA_OP_PIXEL_SHUFFLE, shuffled, factor);
      assert_graph_matches (graph, image, &big, 1e-7, what);
    }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (4);

    tessera_graph_shuffle (graph, TESSERA_OP_PIXEL_UNSHUFFLE, 0, 2);
    assert_graph_matches (graph, input, &(TesseraShape) { 4, 36, 22 }, 1e-7, "pixel unshuffle");
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (4);

    tessera_graph_shuffle (graph, TESSERA_OP_PIXEL_SHUFFLE, 0, 2);
    assert_graph_matches (graph, input, &shape, 1e-7, "pixel shuffle");
  }
}

/* The CPU's sampling positions and weights, reproduced: the same result
 * to rounding, for integer and fractional factors. */
static void
test_resize (void)
{
  static const double factors[] = { 2.0, 4.0, 3.0, 0.5, 0.75, 1.5, 2.5, 1.0 / 3.0, 1.3 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  TesseraShape shape = { 3, 37, 23 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);

  if (!have_cuda ())
    return;

  for (TesseraResizeMode mode = TESSERA_RESIZE_NEAREST; mode <= TESSERA_RESIZE_BICUBIC; mode++)
    for (guint f = 0; f < G_N_ELEMENTS (factors); f++)
      {
        g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
        g_autofree char *what = g_strdup_printf ("resize mode %d by %g", mode, factors[f]);

        tessera_graph_resize (graph, 0, mode, factors[f]);
        assert_graph_matches (graph, input, &shape, 1e-6, what);
      }
}

/* OmniSR's ESA pooling and resizing to another node's size, and its grid
 * permutations there and back: values only move, so they match exactly. */
static void
test_pool_grid (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);
  TesseraShape shape = { 6, 48, 40 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);

  if (!have_cuda ())
    return;

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    guint pooled = tessera_graph_max_pool (graph, tessera_graph_max_pool (graph, 0, 3, 2), 7, 3);

    tessera_graph_resize_to (graph, pooled, TESSERA_RESIZE_BILINEAR, 0);
    assert_graph_matches (graph, input, &shape, 1e-6, "max pool, resized back");
  }

  for (guint f = 2; f <= 8; f *= 2)
    {
      g_autoptr(TesseraGraph) windows = tessera_graph_new (6);
      g_autoptr(TesseraGraph) channels = tessera_graph_new (6);
      g_autofree char *what = g_strdup_printf ("grid permutations by %u", f);
      guint t;

      /* One way, and there and back. */
      t = tessera_graph_grid (windows, TESSERA_OP_GRID_TO_WINDOWS, 0, f, 1);
      tessera_graph_concat (windows, (guint[]) { t, tessera_graph_grid (windows, TESSERA_OP_WINDOWS_TO_GRID, t, f, 1) },
                            2);
      assert_graph_matches (windows, input, &shape, 1e-7, what);

      t = tessera_graph_grid (channels, TESSERA_OP_GRID_TO_CHANNELS, 0, f, 3);
      tessera_graph_grid (channels, TESSERA_OP_CHANNELS_TO_GRID, t, f, 1);
      assert_graph_matches (channels, input, &shape, 1e-7, what);
    }
}

/* Real-CUGAN's squeeze and excitation (1×1 convolutions of the means),
 * and the same with linear layers. */
static void
test_reduce (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  TesseraShape shape = { 64, 37, 23 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
  g_autofree float *w1 = random_floats (rand, 8 * 64, -0.5, 0.5);
  g_autofree float *b1 = random_floats (rand, 8, -0.5, 0.5);
  g_autofree float *w2 = random_floats (rand, 64 * 8, -0.5, 0.5);
  g_autofree float *b2 = random_floats (rand, 64, -0.5, 0.5);

  if (!have_cuda ())
    return;

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (64);
    guint mean = tessera_graph_unary (graph, TESSERA_OP_GLOBAL_AVG_POOL, 0);
    guint factors = tessera_graph_conv (graph, &mean, 1, 8, 64, 1, 1, 0, w1, b1);

    tessera_graph_set_activation (graph, factors, TESSERA_ACTIVATION_RELU, 0.f, NULL);
    factors = tessera_graph_conv (graph, &factors, 1, 64, 8, 1, 1, 0, w2, b2);
    tessera_graph_set_activation (graph, factors, TESSERA_ACTIVATION_SIGMOID, 0.f, NULL);
    tessera_graph_binary (graph, TESSERA_OP_MUL_CHANNELS, 0, factors);
    assert_graph_matches (graph, input, &shape, 0, "squeeze and excitation");
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (64);
    guint mean = tessera_graph_unary (graph, TESSERA_OP_GLOBAL_AVG_POOL, 0);
    guint factors = tessera_graph_linear (graph, mean, 8, 64, w1, b1);

    tessera_graph_set_activation (graph, factors, TESSERA_ACTIVATION_LEAKY, 0.1f, NULL);
    factors = tessera_graph_linear (graph, factors, 64, 8, w2, NULL);
    tessera_graph_set_activation (graph, factors, TESSERA_ACTIVATION_SIGMOID, 0.f, NULL);
    tessera_graph_binary (graph, TESSERA_OP_MUL_CHANNELS, 0, factors);
    assert_graph_matches (graph, input, &shape, 1e-6, "mean, linear, mul_channels");
  }
}

/* A tail run in stripes (RRDBNet's upsampling) downloads stripe by stripe. */
static void
test_stripes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (18);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
  g_autofree float *w1 = random_floats (rand, 16 * 4 * 9, -0.5, 0.5);
  g_autofree float *w2 = random_floats (rand, 16 * 16 * 9, -0.5, 0.5);
  g_autofree float *w3 = random_floats (rand, 3 * 16 * 9, -0.5, 0.5);
  TesseraShape shape = { 4, 96, 21 };
  g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
  guint x;

  if (!have_cuda ())
    return;

  x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 16, 4, 3, 1, 1, w1, NULL);
  x = tessera_graph_resize (graph, x, TESSERA_RESIZE_NEAREST, 2.0);
  x = tessera_graph_conv (graph, &x, 1, 16, 16, 3, 1, 1, w2, NULL);
  tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_LEAKY, 0.2f, NULL);
  x = tessera_graph_resize (graph, x, TESSERA_RESIZE_NEAREST, 2.0);
  tessera_graph_conv (graph, &x, 1, 3, 16, 3, 1, 1, w3, NULL);

  tessera_graph_plan_stripes (graph, &shape);
  assert_graph_matches (graph, input, &shape, 0, "stripes");
}

static TesseraImage *
random_image_with_alpha (GRand    *rand,
                         guint     width,
                         guint     height,
                         gboolean  alpha)
{
  TesseraImage *image = tessera_image_new (width, height, alpha, NULL);

  for (guint c = 0; c < (alpha ? 4u : 3u); c++)
    for (gsize i = 0; i < (gsize) width * height; i++)
      tessera_image_get_plane (image, c)[i] = (float) g_rand_double (rand);
  return image;
}

static TesseraImage *
random_image (GRand *rand,
              guint  width,
              guint  height)
{
  return random_image_with_alpha (rand, width, height, FALSE);
}

static TesseraImage *
upscale (TesseraNetwork *network,
         TesseraBackend *backend,
         TesseraImage   *input,
         guint           tile,
         guint           overlap)
{
  g_autoptr(GError) error = NULL;
  TesseraRunOptions options = { tile, overlap, tessera_network_get_pre_pad (network), FALSE, G_MAXSIZE };
  TesseraImage *output = tessera_runner_upscale (network, backend, input, &options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (output);
  return output;
}

/* A network on the GPU against the CPU, whole and in tiles. */
static void
assert_network_matches (TesseraNetwork *network,
                        TesseraImage   *input,
                        const char     *what)
{
  static const guint tiles[][2] = { { 0, 0 }, { 32, 8 } };
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);

  for (guint t = 0; t < G_N_ELEMENTS (tiles); t++)
    {
      g_autoptr(TesseraImage) expected = upscale (network, cpu, input, tiles[t][0], tiles[t][1]);
      gsize n = (gsize) tessera_image_get_width (expected) * tessera_image_get_height (expected);

      for (guint p = 0; p < G_N_ELEMENTS (precisions); p++)
        {
          g_autoptr(TesseraBackend) gpu = cuda_backend (precisions[p].precision);
          g_autoptr(TesseraImage) output = upscale (network, gpu, input, tiles[t][0], tiles[t][1]);
          double error;

          g_assert_cmpuint (tessera_image_get_width (output), ==, tessera_image_get_width (expected));
          g_assert_cmpuint (tessera_image_get_height (output), ==, tessera_image_get_height (expected));
          /* The planes are one block. */
          error = relative_error (tessera_image_get_plane (output, 0), tessera_image_get_plane (expected, 0), 3 * n);
          g_test_message ("%s, tile %u, %s: relative error %.3g", what, tiles[t][0], precisions[p].name, error);
          g_assert_cmpfloat (error, <, precisions[p].tolerance);
        }
    }
}

static char *
small_model (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "models", name, NULL);
}

static void
test_network_tiny (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (19);
  g_autofree char *path = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;

  network = test_load_network (path);
  input = random_image (rand, 37, 23);
  assert_network_matches (network, input, "tiny-compact");
}

/* The denoise pair and their blend, as --denoise runs them. */
static void
test_network_dni (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20);
  g_autofree char *general = small_model ("dni/tiny-general-x2.safetensors");
  g_autofree char *weak = small_model ("dni/tiny-general-wdn-x2.safetensors");
  g_autofree char *half = small_model ("dni/tiny-blend-half.safetensors");
  g_autoptr(TesseraNetwork) blended = NULL;
  g_autoptr(TesseraNetwork) other = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(GError) error = NULL;
  const char *paths[] = { general, weak, half };

  if (!have_cuda ())
    return;

  input = random_image (rand, 41, 29);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TesseraNetwork) network = test_load_network (paths[i]);

      assert_network_matches (network, input, paths[i]);
    }

  blended = test_load_network (general);
  other = test_load_network (weak);
  g_assert_true (tessera_network_blend (blended, other, 0.3f, &error));
  g_assert_no_error (error);
  assert_network_matches (blended, input, "blend");
}

/* Grouped convolutions, channel attention (whole input, and windows in
 * chunks), and a one-channel factor: fp32 on the GPU in both precisions. */
static void
test_channel_ops (void)
{
  static const struct { guint in, out, groups, kernel, stride, padding; } convs[] = {
    { 48, 48, 48, 3, 1, 1 }, { 48, 96, 48, 3, 1, 1 }, { 48, 24, 4, 3, 2, 0 },
  };
  static const struct { guint channels, heads, window_h, window_w, h, w; } attentions[] = {
    { 48, 6, 0, 0, 37, 23 }, { 48, 4, 8, 8, 64, 96 }, { 24, 2, 4, 2, 8, 12 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (33);

  if (!have_cuda ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (convs); i++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (convs[i].in);
      TesseraShape shape = { convs[i].in, 37, 23 };
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
      g_autofree float *weight = random_floats (rand, (gsize) convs[i].out * convs[i].in / convs[i].groups *
                                                convs[i].kernel * convs[i].kernel, -0.5, 0.5);
      g_autofree float *bias = random_floats (rand, convs[i].out, -0.5, 0.5);
      g_autofree char *what = g_strdup_printf ("grouped conv %u", i);
      guint node = tessera_graph_conv (graph, (guint[]) { 0 }, 1, convs[i].out, convs[i].in, convs[i].kernel,
                                       convs[i].stride, convs[i].padding, weight, bias);

      tessera_graph_set_groups (graph, node, convs[i].groups);
      tessera_graph_set_activation (graph, node, TESSERA_ACTIVATION_GELU, 0.f, NULL);
      assert_graph_matches (graph, input, &shape, 1e-5, what);
    }

  for (guint i = 0; i < G_N_ELEMENTS (attentions); i++)
    {
      guint c = attentions[i].channels;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (3 * c);
      TesseraShape shape = { 3 * c, attentions[i].h, attentions[i].w };
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
      g_autofree float *temperature = random_floats (rand, attentions[i].heads, 0.5, 4);
      g_autofree char *what = g_strdup_printf ("channel attention %u", i);
      TesseraChannelAttention attention = {
        c, attentions[i].heads, attentions[i].window_h, attentions[i].window_w, temperature,
      };

      tessera_graph_channel_attention (graph, 0, &attention);
      assert_graph_matches (graph, input, &shape, 1e-5, what);
    }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    TesseraShape shape = { 5, 37, 23 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *weight = random_floats (rand, 5, -1, 1);
    guint map = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 1, 5, 1, 1, 0, weight, NULL);

    tessera_graph_binary (graph, TESSERA_OP_MUL, 0, map);
    assert_graph_matches (graph, input, &shape, 0, "one channel times all");
  }
}

/* Stable Diffusion's elementwise and norm ops: GroupNorm with and without
 * SiLU (SD's 32 groups, one group, a 1 × 1 input), a time embedding
 * added per channel, GEGLU between two 1×1 convolutions, quick GELU as a
 * node and fused (convolution, linear layer), and a constant changed
 * between runs. */
static void
test_sd_ops (void)
{
  static const struct { guint channels, height, width, groups; TesseraActivation activation; gboolean affine; } norms[] = {
    { 64, 37, 23, 32, TESSERA_ACTIVATION_SILU, TRUE },
    { 6, 17, 19, 2, TESSERA_ACTIVATION_NONE, FALSE },
    { 320, 64, 64, 32, TESSERA_ACTIVATION_SILU, TRUE },
    { 9, 301, 157, 1, TESSERA_ACTIVATION_SILU, TRUE },
    { 512, 1, 1, 32, TESSERA_ACTIVATION_NONE, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  if (!have_cuda ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (norms); i++)
    {
      guint c = norms[i].channels;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      TesseraShape shape = { c, norms[i].height, norms[i].width };
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 3);
      g_autofree float *weight = random_floats (rand, c, 0.5, 1.5);
      g_autofree float *bias = random_floats (rand, c, -0.5, 0.5);
      g_autofree char *what = g_strdup_printf ("group norm %u", i);

      tessera_graph_group_norm (graph, 0, norms[i].groups, norms[i].affine ? weight : NULL,
                                norms[i].affine ? bias : NULL, 1e-5f, norms[i].activation);
      assert_graph_matches (graph, input, &shape, 0, what);
    }

  /* A ResBlock's middle: GroupNorm + SiLU, a 3×3 convolution, plus the
   * time embedding (SiLU, linear) per channel. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (64);
    TesseraShape shape = { 64, 37, 23 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *time = random_floats (rand, 128, -2, 2);
    g_autofree float *w = random_floats (rand, 64 * 64 * 9, -0.05, 0.05);
    g_autofree float *b = random_floats (rand, 64, -0.5, 0.5);
    g_autofree float *lw = random_floats (rand, 64 * 128, -0.1, 0.1);
    guint x, e;

    x = tessera_graph_group_norm (graph, 0, 32, NULL, NULL, 1e-5f, TESSERA_ACTIVATION_SILU);
    x = tessera_graph_conv (graph, &x, 1, 64, 64, 3, 1, 1, w, b);
    e = tessera_graph_constant (graph, &(TesseraShape) { 128, 1, 1 }, time);
    e = tessera_graph_activate (graph, e, TESSERA_ACTIVATION_SILU, 0.f);
    e = tessera_graph_linear (graph, e, 64, 128, lw, b);
    tessera_graph_add_nodes (graph, x, 1.f, e, 1.f);
    assert_graph_matches (graph, input, &shape, 0, "group norm, conv, time embedding added per channel");
  }

  /* GEGLU alone, then the feed-forward: 1×1 to 2 · 4C, GEGLU, 1×1 back
   * with the residual. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (80);
    TesseraShape shape = { 80, 37, 23 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -3, 3);

    tessera_graph_geglu (graph, 0);
    assert_graph_matches (graph, input, &shape, 0, "GEGLU");
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (40);
    TesseraShape shape = { 40, 37, 23 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *w1 = random_floats (rand, 320 * 40, -0.2, 0.2);
    g_autofree float *b1 = random_floats (rand, 320, -0.5, 0.5);
    g_autofree float *w2 = random_floats (rand, 40 * 160, -0.1, 0.1);
    guint x;

    x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 320, 40, 1, 1, 0, w1, b1);
    x = tessera_graph_geglu (graph, x);
    x = tessera_graph_conv (graph, &x, 1, 40, 160, 1, 1, 0, w2, b1);
    tessera_graph_set_residual (graph, x, 1.f, 0);
    assert_graph_matches (graph, input, &shape, 0, "GEGLU feed-forward");
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (48);
    TesseraShape shape = { 48, 1, 77 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -4, 4);
    g_autofree float *w = random_floats (rand, 192 * 48, -0.2, 0.2);
    g_autofree float *b = random_floats (rand, 192, -0.5, 0.5);
    guint x;

    x = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_MISH, 0.f);
    assert_graph_matches (graph, input, &shape, 1e-6, "Mish");
    x = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_QUICK_GELU, 0.f);
    assert_graph_matches (graph, input, &shape, 1e-6, "quick GELU");
    x = tessera_graph_conv (graph, &x, 1, 192, 48, 1, 1, 0, w, b);
    tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_QUICK_GELU, 0.f, NULL);
    assert_graph_matches (graph, input, &shape, 0, "quick GELU fused in a 1×1 convolution");
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (48);
    TesseraShape shape = { 48, 1, 1 };
    g_autofree float *input = random_floats (rand, 48, -2, 2);
    g_autofree float *w = random_floats (rand, 24 * 48, -0.5, 0.5);
    guint x = tessera_graph_linear (graph, 0, 24, 48, w, NULL);

    tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_QUICK_GELU, 0.f, NULL);
    assert_graph_matches (graph, input, &shape, 1e-5, "quick GELU fused in a linear layer");
  }

  /* DySample's sampling has no kernel: the backend says so and the node
   * runs on the CPU reference, its inputs and output copied across. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (8);
    TesseraShape shape = { 8, 6, 5 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *offsets = random_floats (rand, 32 * 6 * 5, -3, 3);
    guint constant = tessera_graph_constant (graph, &(TesseraShape) { 32, 6, 5 }, offsets);
    guint x = tessera_graph_dysample (graph, 0, constant, 2, 4);

    tessera_graph_activate (graph, x, TESSERA_ACTIVATION_MISH, 0.f);
    assert_graph_matches (graph, input, &shape, 0, "DySample on the CPU reference, then Mish");
  }

  /* Nor has ATD's sort by category: gathered on the CPU, attended on the
   * GPU, scattered back on the CPU. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    TesseraShape shape = { 6, 9, 7 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *scores = random_floats (rand, 5 * 9 * 7, -1, 1);
    TesseraAttention at = { .channels = 2, .heads = 1, .window_h = 1, .window_w = 16, .scale = 0.7f };
    guint constant = tessera_graph_constant (graph, &(TesseraShape) { 5, 9, 7 }, scores);
    guint row = tessera_graph_category (graph, TESSERA_OP_CATEGORY_GATHER, 0, constant, 16);

    row = tessera_graph_window_attention (graph, row, &at);
    tessera_graph_category (graph, TESSERA_OP_CATEGORY_SCATTER, row, constant, 16);
    assert_graph_matches (graph, input, &shape, 1e-5, "ATD's grouping on the CPU reference around an attention");
  }

  /* A constant is uploaded again at each run. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    g_autoptr(TesseraBackend) gpu = cuda_backend (TESSERA_PRECISION_FP32);
    g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
    TesseraShape shape = { 5, 7, 3 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
    g_autofree float *values = random_floats (rand, 5, -1, 1);

    tessera_graph_add_nodes (graph, 0, 1.f, tessera_graph_constant (graph, &(TesseraShape) { 5, 1, 1 }, values),
                             -1.f);
    for (guint round = 0; round < 2; round++)
      {
        g_autofree float *expected = NULL;
        g_autofree float *output = NULL;
        gsize n;

        for (guint i = 0; i < 5; i++)
          values[i] += (float) round;
        expected = run_graph (graph, cpu, input, &shape, &n);
        output = run_graph (graph, gpu, input, &shape, &n);
        g_assert_cmpmem (output, n * sizeof (float), expected, n * sizeof (float));
      }
  }
}

/* Attention over tokens, fused on the GPU: a UNet's self-attention at
 * 64 × 64 (4096 tokens, 8 heads of 40), its cross-attention to 77 context
 * tokens through to_k and to_v, CLIP's causal self-attention (12 heads of
 * 64 over 77 tokens), the VAE's single head of 512, and odd sizes: heads
 * wider than a block's share of dimensions, token counts off the tiles,
 * a custom scale, causal with fewer or more keys than queries. q, k and v
 * come from 1×1 convolutions; the attention is fp32 in both precisions. */
typedef struct
{
  guint    heads, head_dim;
  guint    height, width;       /* of q */
  guint    kv_height, kv_width; /* 0: self-attention */
  guint    context;             /* the keys' and values' source channels */
  gboolean causal;
  float    scale;
} GpuAttentionCase;

static void
test_token_attention (void)
{
  static const GpuAttentionCase cases[] = {
    { 8, 40, 64, 64, 0, 0, 0, FALSE, 0.f },
    { 8, 40, 64, 64, 1, 77, 768, FALSE, 0.f },
    { 12, 64, 1, 77, 0, 0, 0, TRUE, 0.f },
    { 1, 512, 37, 23, 0, 0, 0, FALSE, 0.f },
    { 2, 160, 9, 13, 1, 77, 96, FALSE, 0.f },
    { 5, 3, 11, 7, 13, 5, 8, FALSE, 0.7f },
    { 4, 16, 1, 100, 1, 9, 16, TRUE, 0.f },
    { 4, 16, 3, 5, 1, 150, 16, TRUE, 0.f },
    { 1, 1, 1, 1, 0, 0, 0, TRUE, 0.f },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  if (!have_cuda ())
    return;

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const GpuAttentionCase *ac = &cases[t];
      guint c = ac->heads * ac->head_dim, kv_c = ac->kv_height != 0 ? ac->context : c;
      TesseraShape shape = { c, ac->height, ac->width };
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
      g_autofree float *context = random_floats (rand, (gsize) kv_c * ac->kv_height * ac->kv_width, -1, 1);
      g_autofree char *what = g_strdup_printf ("token attention case %u", t);
      float range = 2.f / sqrtf ((float) MAX (c, kv_c));
      guint source = 0, q, k, v;

      if (ac->kv_height != 0)
        source = tessera_graph_constant (graph, &(TesseraShape) { kv_c, ac->kv_height, ac->kv_width }, context);
      q = tessera_graph_conv (graph, (guint[]) { 0 }, 1, c, c, 1, 1, 0,
                              tessera_graph_keep_floats (graph, random_floats (rand, (gsize) c * c, -range, range)),
                              NULL);
      k = tessera_graph_conv (graph, &source, 1, c, kv_c, 1, 1, 0,
                              tessera_graph_keep_floats (graph, random_floats (rand, (gsize) c * kv_c, -range, range)),
                              NULL);
      v = tessera_graph_conv (graph, &source, 1, c, kv_c, 1, 1, 0,
                              tessera_graph_keep_floats (graph, random_floats (rand, (gsize) c * kv_c, -range, range)),
                              NULL);
      tessera_graph_token_attention (graph, q, k, v, ac->heads, ac->scale, ac->causal);
      assert_graph_matches (graph, input, &shape, 0, what);
    }
}

/* The whole Stable Diffusion blocks of data/sd-ops (a ResBlock, a spatial
 * transformer, the VAE's attention, a CLIP layer) on the GPU against the
 * CPU, which test-ops checks against PyTorch. */
static void
test_sd_blocks (void)
{
  g_autoptr(GPtrArray) blocks = NULL;

  if (!have_cuda ())
    return;

  blocks = test_load_sd_blocks ();
  for (guint i = 0; i < blocks->len; i++)
    {
      TestSdBlock *block = g_ptr_array_index (blocks, i);

      assert_graph_matches (block->graph, block->input, &block->shape, 0, block->name);
    }
}

/* Cases of data/refs on the GPU, whole image, against spandrel's own
 * outputs: max |gpu − reference| / max |reference| within 1e-4 in fp32
 * and 1e-2 in fp16. */
static void
assert_ref_cases (TesseraNetwork *network,
                  GPtrArray      *cases)
{
  for (guint i = 0; i < cases->len; i++)
    {
      const TestRefCase *c = g_ptr_array_index (cases, i);

      for (guint p = 0; p < G_N_ELEMENTS (precisions); p++)
        {
          g_autoptr(TesseraBackend) gpu = cuda_backend (precisions[p].precision);
          g_autoptr(GError) error = NULL;
          g_autofree float *output = g_new (float, c->n_output);
          double error_max;

          tessera_network_run (network, gpu, c->input, c->width, c->height, output, NULL, &error);
          g_assert_no_error (error);
          error_max = test_max_relative_error (output, c->reference, c->n_output);
          g_test_message ("%s, %s: max relative error %.3g, normalised error %.3g", c->name,
                          precisions[p].name, error_max, relative_error (output, c->reference, c->n_output));
          g_assert_cmpfloat (error_max, <, precisions[p].tolerance);
        }
    }
}

/* The synthetic @model of data/refs on the GPU: its reference cases,
 * then a random image of no whole windows against the CPU, whole and in
 * tiles. */
static TesseraNetwork *
assert_synthetic_model (const char *model,
                        guint32     seed)
{
  g_autofree char *model_path = test_refs_path (model);
  g_autoptr(GPtrArray) cases = test_load_ref_cases (model);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autofree char *name = g_path_get_basename (model);

  network = test_load_network (model_path);
  assert_ref_cases (network, cases);
  input = random_image (rand, 83, 61);
  assert_network_matches (network, input, name);
  return g_steal_pointer (&network);
}

static void
test_network_span (void)
{
  g_autoptr(TesseraNetwork) network = NULL;

  if (have_cuda ())
    network = assert_synthetic_model ("models/synthetic/span_x4.pth", 27);
}

/* The fetched models of each family, when they are there. */
static void
test_network_real (void)
{
  static const char *models[] = {
    W2X "real-esrgan/models/realesr-animevideov3-x4.param",
    W2X "real-esrgan/models/realesrgan-x4plus-anime.param",
    W2X "real-cugan/models-se/up2x-conservative.param",
    W2X "real-cugan/models-se/up3x-no-denoise.param",
    W2X "real-cugan/models-se/up4x-denoise3x.param",
    W2X "waifu2x/models-cunet/noise1_scale2.0x_model.param",
    W2X "waifu2x/models-upconv_7_anime_style_art_rgb/scale2.0x_model.param",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  g_autoptr(TesseraImage) input = NULL;
  guint n_run = 0;

  if (!have_cuda ())
    return;

  input = random_image (rand, 45, 37);
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *path = test_real_model_path (models[i]);
      g_autoptr(TesseraNetwork) network = NULL;

      if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      network = test_load_network (path);
      assert_network_matches (network, input, models[i]);
      n_run++;
    }

  if (n_run == 0)
    g_test_skip ("needs the fetched models (build-aux/fetch-models.sh, TESSERA_TEST_MODELS)");
}

static void
test_devices (void)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  guint64 free_bytes = 0, total_bytes = 0;

  if (!have_cuda ())
    return;

  devices = tessera_cuda_list_devices (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, >, 0);
  for (guint i = 0; i < devices->len; i++)
    {
      TesseraCudaDevice *device = g_ptr_array_index (devices, i);

      g_test_message ("device %d: %s, compute capability %d.%d, %" G_GUINT64_FORMAT " of %"
                      G_GUINT64_FORMAT " MB free, driver %d, runtime %d",
                      device->index, device->name, device->major, device->minor,
                      device->free_memory >> 20, device->total_memory >> 20,
                      device->driver_version, device->runtime_version);
      g_assert_cmpint (device->index, ==, (int) i);
      g_assert_cmpstr (device->name, !=, "");
      g_assert_cmpuint (device->total_memory, >, 0);
      g_assert_cmpuint (device->free_memory, <=, device->total_memory);
      g_assert_cmpint (device->major, >=, 1);
    }

  backend = tessera_cuda_backend_new (devices->len, TESSERA_PRECISION_FP32, &error);
  g_assert_null (backend);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  backend = tessera_cuda_backend_new (0, TESSERA_PRECISION_FP16, &error);
  g_assert_no_error (error);
  g_assert_true (tessera_backend_get_memory (backend, &free_bytes, &total_bytes));
  g_assert_cmpuint (free_bytes, >, 0);
  g_assert_cmpuint (free_bytes, <=, total_bytes);
  g_assert_false (tessera_backend_get_memory (cpu, &free_bytes, &total_bytes));
}

/* A buffer larger than the device is an out-of-memory error, after which
 * the backend still runs. */
static void
test_out_of_memory (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (22);
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
  g_autoptr(GError) error = NULL;
  g_autofree float *input = random_floats (rand, 3 * 9 * 7, -1, 1);
  guint64 free_bytes = 0, total_bytes = 0;
  TesseraBuffer *buffer;

  if (!have_cuda ())
    return;

  backend = cuda_backend (TESSERA_PRECISION_FP32);
  g_assert_true (tessera_backend_get_memory (backend, &free_bytes, &total_bytes));
  buffer = backend->vtable->buffer_new (backend, 2 * total_bytes / sizeof (float), &error);
  g_assert_null (buffer);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY);
  g_test_message ("%s", error->message);

  tessera_graph_affine (graph, 0, 2.f, 1.f);
  assert_graph_matches (graph, input, &(TesseraShape) { 3, 9, 7 }, 1e-7, "after running out of memory");
}

static void
count_retry (guint    tile,
             gpointer user_data)
{
  GArray *tiles = user_data;

  g_array_append_val (tiles, tile);
}

/* Under a memory limit that the whole image passes, the run falls back to
 * smaller tiles, holds no more than the limit, and still matches the CPU,
 * alpha included. */
static void
test_memory_limit (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);
  g_autofree char *path = small_model ("tiny-compact.safetensors");
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraImage) expected = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(TesseraBackend) cpu = tessera_cpu_backend_new (NULL);
  g_autoptr(TesseraBackend) whole = NULL;
  g_autoptr(TesseraBackend) limited = NULL;
  g_autoptr(GArray) retries = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  TesseraRunOptions options = { 0 };
  guint64 whole_peak, limit;
  gsize n;

  if (!have_cuda ())
    return;

  network = test_load_network (path);
  input = random_image_with_alpha (rand, 301, 203, TRUE);
  options.tile_size = 301;
  options.overlap = 8;
  options.alpha_by_model = TRUE;
  options.memory_budget = G_MAXSIZE;
  options.on_retry = count_retry;
  options.user_data = retries;

  expected = tessera_runner_upscale (network, cpu, input, &options, NULL, &error);
  g_assert_no_error (error);
  whole = cuda_backend (TESSERA_PRECISION_FP16);
  g_clear_object (&output);
  output = tessera_runner_upscale (network, whole, input, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (retries->len, ==, 0);
  whole_peak = tessera_backend_get_peak_memory (whole);

  limited = cuda_backend (TESSERA_PRECISION_FP16);
  limit = whole_peak / 2;
  tessera_backend_set_memory_limit (limited, limit);
  g_clear_object (&output);
  output = tessera_runner_upscale (network, limited, input, &options, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("whole image: %" G_GUINT64_FORMAT " bytes; limit %" G_GUINT64_FORMAT ", peak %"
                  G_GUINT64_FORMAT " after %u retries, down to %u-pixel tiles",
                  whole_peak, limit, tessera_backend_get_peak_memory (limited), retries->len,
                  retries->len > 0 ? g_array_index (retries, guint, retries->len - 1) : 0);
  g_assert_cmpuint (retries->len, >, 0);
  g_assert_cmpuint (tessera_backend_get_peak_memory (limited), <=, limit);

  n = (gsize) tessera_image_get_width (expected) * tessera_image_get_height (expected);
  g_assert_cmpfloat (relative_error (tessera_image_get_plane (output, 0), tessera_image_get_plane (expected, 0),
                                     4 * n), <, 1e-2);

  /* Below what any tile needs, the error comes through. */
  tessera_backend_set_memory_limit (limited, 1);
  g_clear_object (&output);
  output = tessera_runner_upscale (network, limited, input, &options, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY);
}

typedef struct
{
  TesseraEngine         *engine;
  TesseraImage          *input;
  TesseraUpscaleOptions *options;
  GCancellable          *cancellable;
  GError                *error;
  TesseraImage          *output;
} CancelJob;

static gpointer
run_cancel_job (gpointer data)
{
  CancelJob *job = data;

  job->output = tessera_engine_upscale (job->engine, job->input, job->options, job->cancellable, NULL, NULL,
                                        &job->error);
  return NULL;
}

/* A large upscale cancelled while the GPU works returns within 200 ms. */
static void
test_cancel (void)
{
  g_autofree char *path = test_real_model_path (W2X "real-esrgan/models/realesrgan-x4plus-anime.param");
  g_autoptr(GRand) rand = g_rand_new_with_seed (24);
  g_autoptr(TesseraEngine) engine = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelJob job = { 0 };
  GThread *thread;
  gint64 cancelled;
  double latency;

  if (!have_cuda ())
    return;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("needs the fetched models (build-aux/fetch-models.sh, TESSERA_TEST_MODELS)");
      return;
    }

  engine = tessera_engine_new ();
  input = random_image (rand, 4096, 4096);
  tessera_upscale_options_set_upscaler (options, path);
  tessera_upscale_options_set_device (options, "cuda");
  job = (CancelJob) { engine, input, options, cancellable, NULL, NULL };

  thread = g_thread_new ("cancel-job", run_cancel_job, &job);
  g_usleep (G_USEC_PER_SEC);
  cancelled = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  latency = (g_get_monotonic_time () - cancelled) / 1000.0;

  g_test_message ("cancel returned after %.1f ms", latency);
  g_assert_null (job.output);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&job.error);
  g_assert_cmpfloat (latency, <, 200.0);
}

/* HAT's overlapping cross-attention: key/value windows larger than the
 * query windows, centred on them, zero beyond the image (its border, an
 * odd difference, rectangles, HAT-S's sizes, several chunks), with
 * HAT's relative position index, negative rows wrapped. */
static void
assert_overlap_attention (GRand *rand)
{
  static const guint cases[][9] = {
    /* channels, heads, window h, w, kv window h, w, height, width, projections */
    { 12, 3, 4, 4, 6, 6, 8, 12, 1 },
    { 8, 2, 4, 4, 7, 7, 12, 8, 0 },
    { 8, 2, 2, 4, 4, 6, 6, 12, 1 },
    { 36, 6, 8, 8, 12, 12, 40, 48, 1 },
    { 144, 6, 16, 16, 24, 24, 64, 48, 1 },
    { 36, 6, 8, 8, 12, 12, 256, 264, 1 },
  };

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint c = cases[t][0], heads = cases[t][1], wh = cases[t][2], ww = cases[t][3];
      guint kh = cases[t][4], kw = cases[t][5];
      gboolean projections = cases[t][8];
      guint in_c = projections ? c : 3 * c, n = wh * ww, m = kh * kw;
      guint n_table = (wh + kh - 1) * (ww + kw - 1);
      TesseraShape shape = { in_c, cases[t][6], cases[t][7] };
      g_autoptr(TesseraGraph) graph = tessera_graph_new (in_c);
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
      g_autofree float *qkv_w = random_floats (rand, 3 * c * c, -1, 1);
      g_autofree float *qkv_b = random_floats (rand, 3 * c, -0.5, 0.5);
      g_autofree float *proj_w = random_floats (rand, c * c, -0.5, 0.5);
      g_autofree float *proj_b = random_floats (rand, c, -0.5, 0.5);
      g_autofree float *table = random_floats (rand, n_table * heads, -2, 2);
      g_autofree guint32 *index = g_new (guint32, n * m);
      g_autofree char *what = g_strdup_printf ("overlapping attention case %u", t);
      TesseraAttention attention = {
        .channels = c,
        .heads = heads,
        .window_h = wh,
        .window_w = ww,
        .kv_window_h = kh,
        .kv_window_w = kw,
        .scale = 1.f / sqrtf ((float) (c / heads)),
        .qkv_weight = projections ? qkv_w : NULL,
        .qkv_bias = projections ? qkv_b : NULL,
        .proj_weight = projections ? proj_w : NULL,
        .proj_bias = projections ? proj_b : NULL,
        .bias_table = table,
        .bias_index = index,
        .n_table = n_table,
      };
      guint x;

      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < m; j++)
          {
            int dy = (int) (j / kw) - (int) (i / ww) + (int) wh - (int) kh + 1;
            int dx = (int) (j % kw) - (int) (i % ww) + (int) ww - (int) kw + 1;
            int row = dy * (int) (ww + kw - 1) + dx;

            index[i * m + j] = row < 0 ? row + n_table : row;
          }
      x = tessera_graph_window_attention (graph, 0, &attention);
      if (projections)
        tessera_graph_set_residual (graph, x, 1.f, 0);
      assert_graph_matches (graph, input, &shape, 1e-4, what);
    }
}

/* LayerNorm, GELU and window attention: shifted and masked, rectangles,
 * q k v given without projections, SwinIR's sizes. The attention's
 * arithmetic is fp32 in both precisions. */
static void
test_attention (void)
{
  static const guint cases[][9] = {
    /* channels, heads, window h, w, shift y, x, height, width, projections
     * (2: SRFormer's permuted keys and values) */
    { 12, 3, 4, 4, 0, 0, 8, 12, 1 },
    { 12, 3, 4, 4, 2, 2, 12, 8, 1 },
    { 8, 2, 2, 4, 1, 2, 6, 12, 0 },
    { 36, 6, 8, 8, 4, 4, 40, 48, 1 },
    { 60, 6, 16, 16, 8, 8, 64, 48, 1 },
    /* More windows than one chunk of the device's working memory holds. */
    { 36, 6, 8, 8, 4, 4, 256, 264, 1 },
    { 16, 2, 6, 6, 3, 3, 24, 36, 2 },
    { 60, 6, 22, 22, 11, 11, 44, 66, 2 },
    { 24, 3, 16, 16, 8, 8, 64, 48, 2 },
    { 16, 2, 8, 8, 4, 4, 256, 264, 2 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (23);

  if (!have_cuda ())
    return;

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (37);
    TesseraShape shape = { 37, 29, 41 };
    g_autofree float *input = random_floats (rand, shape_size (&shape), -2, 3);
    g_autofree float *weight = random_floats (rand, 37, -1, 1);
    g_autofree float *bias = random_floats (rand, 37, -1, 1);
    g_autofree float *w = random_floats (rand, 19 * 37, -0.5, 0.5);
    guint x = tessera_graph_layer_norm (graph, 0, weight, bias, 1e-5f);

    tessera_graph_activate (graph, x, TESSERA_ACTIVATION_GELU, 0.f);
    assert_graph_matches (graph, input, &shape, 1e-5, "layer norm, GELU");
    x = tessera_graph_conv (graph, &x, 1, 19, 37, 1, 1, 0, w, bias);
    tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_GELU, 0.f, NULL);
    assert_graph_matches (graph, input, &shape, 0, "layer norm, 1×1 convolution with GELU");
  }

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint c = cases[t][0], heads = cases[t][1], wh = cases[t][2], ww = cases[t][3];
      gboolean projections = cases[t][8] != 0, permuted = cases[t][8] == 2;
      guint in_c = projections ? c : 3 * c, n = wh * ww, m = permuted ? n / 4 : n;
      guint n_table = permuted ? (wh - 1) * (ww - 1) : (2 * wh - 1) * (2 * ww - 1);
      TesseraShape shape = { in_c, cases[t][6], cases[t][7] };
      g_autoptr(TesseraGraph) graph = tessera_graph_new (in_c);
      g_autofree float *input = random_floats (rand, shape_size (&shape), -1, 1);
      g_autofree float *qkv_w = random_floats (rand, 3 * c * c, -1, 1);
      g_autofree float *qkv_b = random_floats (rand, 3 * c, -0.5, 0.5);
      g_autofree float *proj_w = random_floats (rand, c * c, -0.5, 0.5);
      g_autofree float *proj_b = random_floats (rand, c, -0.5, 0.5);
      g_autofree float *table = random_floats (rand, n_table * heads, -1, 1);
      g_autofree guint32 *index = g_new (guint32, n * m);
      g_autofree char *what = g_strdup_printf ("window attention case %u", t);
      TesseraAttention attention = {
        .channels = c,
        .heads = heads,
        .window_h = wh,
        .window_w = ww,
        .shift_y = cases[t][4],
        .shift_x = cases[t][5],
        .shift_mask = cases[t][4] > 0 || cases[t][5] > 0,
        .permuted = permuted,
        .scale = 1.f / sqrtf ((float) (c / heads)),
        .qkv_weight = projections ? qkv_w : NULL,
        .qkv_bias = projections ? qkv_b : NULL,
        .proj_weight = projections ? proj_w : NULL,
        .proj_bias = projections ? proj_b : NULL,
        .bias_table = table,
        .bias_index = index,
        .n_table = n_table,
      };
      guint x;

      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < m; j++)
          if (permuted)
            /* Each query's 2 × 2 cell against each key, on the half grid. */
            index[i * m + j] = (i / ww / 2 - j / (ww / 2) + wh / 2 - 1) * (ww - 1) +
                               (i % ww / 2 - j % (ww / 2) + ww / 2 - 1);
          else
            index[i * m + j] = (i / ww - j / ww + wh - 1) * (2 * ww - 1) + (i % ww - j % ww + ww - 1);
      x = tessera_graph_window_attention (graph, 0, &attention);
      if (projections)
        tessera_graph_set_residual (graph, x, 1.f, 0);
      assert_graph_matches (graph, input, &shape, 1e-4, what);
    }

  assert_overlap_attention (rand);
}

/* A SwinIR on the GPU, whole image, in both precisions, against its
 * reference output: max |gpu − reference| / max |reference|. */
static void
assert_swinir_case (const char *model_path,
                    const char *input_path,
                    const char *output_path,
                    const char *what)
{
  g_autoptr(TesseraNetwork) network = test_load_network (model_path);
  g_autofree float *x = NULL;
  g_autofree float *reference = NULL;
  guint in_shape[8], out_shape[8], in_dims, out_dims;
  gsize n;

  x = test_load_npy (input_path, &in_dims, in_shape);
  reference = test_load_npy (output_path, &out_dims, out_shape);
  n = (gsize) out_shape[1] * out_shape[2] * out_shape[3];

  for (guint p = 0; p < G_N_ELEMENTS (precisions); p++)
    {
      g_autoptr(TesseraBackend) gpu = cuda_backend (precisions[p].precision);
      g_autoptr(GError) error = NULL;
      g_autofree float *y = g_new (float, n);
      double diff = 0.0, peak = 0.0;

      tessera_network_run (network, gpu, x, in_shape[3], in_shape[2], y, NULL, &error);
      g_assert_no_error (error);
      for (gsize k = 0; k < n; k++)
        {
          diff = MAX (diff, fabs ((double) y[k] - reference[k]));
          peak = MAX (peak, fabs ((double) reference[k]));
        }
      g_test_message ("%s, %s: max relative error %.3g", what, precisions[p].name, diff / peak);
      g_assert_cmpfloat (diff / peak, <, precisions[p].tolerance);
    }
}

/* spandrel's SwinIR of data/refs on the GPU, whole image, against
 * spandrel's outputs: max |gpu − reference| / max |reference| within 1e-4
 * in fp32 and 1e-2 in fp16; then against the CPU, whole and in tiles. */
static void
test_network_swinir (void)
{
  static const char *cases[][3] = {
    { "models/synthetic/swinir_psd_x2.pth", "photo_32", "synth__swinir_psd_x2__photo_32" },
    { "models/synthetic/swinir_psd_x2.pth", "anime_48x40", "synth__swinir_psd_x2__anime_48x40" },
    { "models/synthetic/swinir_psd_x2.pth", "rose_37x29", "synth__swinir_psd_x2__rose_37x29" },
    { "models/synthetic/swinir_psd_x2.fp16.safetensors", "photo_32", "synth__swinir_psd_x2__fp16copy__photo_32" },
  };
  static const char *variants[] = { "swinir-classical-x2", "swinir-real-x4", "swinir-gray-x1" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (24);
  g_autofree char *first = test_refs_path (cases[0][0]);

  if (!have_cuda ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *model_path = test_refs_path (cases[i][0]);
      g_autofree char *input_name = g_strdup_printf ("inputs/%s.npy", cases[i][1]);
      g_autofree char *output_name = g_strdup_printf ("outputs/%s.npy", cases[i][2]);
      g_autofree char *input_path = test_refs_path (input_name);
      g_autofree char *output_path = test_refs_path (output_name);

      assert_swinir_case (model_path, input_path, output_path, cases[i][2]);
    }

  /* The variants of data/make-swinir-refs.py. */
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[i]);
      g_autofree char *input_base = g_strdup_printf ("%s.input.npy", variants[i]);
      g_autofree char *output_base = g_strdup_printf ("%s.output.npy", variants[i]);
      g_autofree char *model_path = g_test_build_filename (G_TEST_DIST, "data", "swinir", base, NULL);
      g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", "swinir", input_base, NULL);
      g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", "swinir", output_base, NULL);

      assert_swinir_case (model_path, input_path, output_path, variants[i]);
    }

  {
    g_autoptr(TesseraNetwork) network = test_load_network (first);
    g_autoptr(TesseraImage) input = random_image (rand, 83, 61);

    assert_network_matches (network, input, "swinir_psd_x2");
  }
}

/* spandrel's DAT (dat_light_x4: spatial and channel attention, zero
 * padding inside the spatial attention for rose_37x29) against the
 * references, then against the CPU, whole and in tiles. */
static void
test_network_dat (void)
{
  static const char *variants[] = { "dat-classical-x2", "dat-light-x3" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (25);
  g_autoptr(TesseraNetwork) network = NULL;
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;
  network = assert_synthetic_model ("models/synthetic/dat_light_x4.pth", 25);

  /* The variants of data/make-dat-refs.py (pixelshuffle, 3conv, two
   * groups; embed 60 without qkv bias) against the CPU. */
  input = random_image (rand, 83, 61);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[i]);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "dat", base, NULL);
      g_autoptr(TesseraNetwork) variant = test_load_network (path);

      assert_network_matches (variant, input, variants[i]);
    }
}

/* SRFormer's variants of data/make-swin-arch-refs.py against the CPU,
 * whole and in tiles: their permuted attention runs on the CPU
 * reference (the backend does not support it), the rest on the GPU. */
static void
test_network_srformer (void)
{
  static const char *variants[] = { "srformer-x2", "srformer-light-x3", "srformer-real-x4" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (27);
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;
  input = random_image (rand, 83, 61);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[i]);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "srformer", base, NULL);
      g_autoptr(TesseraNetwork) network = test_load_network (path);

      assert_network_matches (network, input, variants[i]);
    }
}

/* DRCT's variants of data/make-swin-arch-refs.py against the CPU, whole
 * and in tiles. */
static void
test_network_drct (void)
{
  static const char *variants[] = { "drct-x3.pth", "drct-l-x2.safetensors" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (28);
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;
  input = random_image (rand, 83, 61);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "drct", variants[i], NULL);
      g_autoptr(TesseraNetwork) network = test_load_network (path);

      assert_network_matches (network, input, variants[i]);
    }
}

/* spandrel's synthetic HAT (window 8, overlap 0.5) on the GPU: its
 * reference cases, and a random image of no whole windows against the
 * CPU. */
static void
test_network_hat (void)
{
  g_autoptr(TesseraNetwork) network = NULL;

  if (have_cuda ())
    network = assert_synthetic_model ("models/synthetic/hat_small_x4.pth", 26);
}

/* OmniSR: the synthetic model's cases, a random image whole and tiled,
 * and the real 4x_WTP_descreenton's cases when it has been fetched. */
static void
test_network_omnisr (void)
{
  static const char *real = "npm:waifu2x@1.6.5/package/models/4x_WTP_descreenton.pth";
  g_autofree char *real_path = test_real_model_path (W2X "models/4x_WTP_descreenton.pth");
  g_autoptr(TesseraNetwork) network = NULL;

  if (!have_cuda ())
    return;
  network = assert_synthetic_model ("models/synthetic/omnisr_x4.pth", 23);

  if (real_path == NULL || !g_file_test (real_path, G_FILE_TEST_EXISTS))
    g_test_message ("4x_WTP_descreenton.pth not fetched: only the synthetic model");
  else
    {
      g_autoptr(TesseraNetwork) real_network = test_load_network (real_path);
      g_autoptr(GPtrArray) real_cases = test_load_ref_cases (real);

      assert_ref_cases (real_network, real_cases);
    }
}

/* The MoSR variants of data/make-mosr-refs.py (pixel shuffle, geo
 * ensemble, DySample on the CPU) against spandrel's outputs and the CPU,
 * whole and in tiles. */
static void
test_network_mosr (void)
{
  static const char *variants[] = { "mosr-ps-x2", "mosr-gps-x3", "mosr-dys-x4" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (27);
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;

  input = random_image (rand, 83, 61);
  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", variants[i]);
      g_autofree char *input_base = g_strdup_printf ("%s.input.npy", variants[i]);
      g_autofree char *output_base = g_strdup_printf ("%s.output.npy", variants[i]);
      g_autofree char *model_path = g_test_build_filename (G_TEST_DIST, "data", "mosr", base, NULL);
      g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", "mosr", input_base, NULL);
      g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", "mosr", output_base, NULL);
      g_autoptr(TesseraNetwork) network = test_load_network (model_path);

      assert_swinir_case (model_path, input_path, output_path, variants[i]);
      assert_network_matches (network, input, variants[i]);
    }
}

/* SCUNet (data/make-scunet-refs.py: shifted windows, the minimum and the
 * multiple of 64 padded) against spandrel's outputs and the CPU, whole
 * and in tiles. */
static void
test_network_scunet (void)
{
  static const char *cases[][2] = {
    { "scunet-color", "scunet-color.24x20" },
    { "scunet-color", "scunet-color.70x45" },
    { "scunet-gray", "scunet-gray.41x64" },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (28);
  g_autoptr(TesseraImage) input = NULL;

  if (!have_cuda ())
    return;

  input = random_image (rand, 83, 61);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *base = g_strdup_printf ("%s.pth", cases[i][0]);
      g_autofree char *input_base = g_strdup_printf ("%s.input.npy", cases[i][1]);
      g_autofree char *output_base = g_strdup_printf ("%s.output.npy", cases[i][1]);
      g_autofree char *model_path = g_test_build_filename (G_TEST_DIST, "data", "scunet", base, NULL);
      g_autofree char *input_path = g_test_build_filename (G_TEST_DIST, "data", "scunet", input_base, NULL);
      g_autofree char *output_path = g_test_build_filename (G_TEST_DIST, "data", "scunet", output_base, NULL);

      assert_swinir_case (model_path, input_path, output_path, cases[i][1]);
    }

  {
    g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "scunet", "scunet-color.pth", NULL);
    g_autoptr(TesseraNetwork) network = test_load_network (path);

    assert_network_matches (network, input, "scunet-color");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gpu/devices", test_devices);
  g_test_add_func ("/gpu/ops/conv", test_conv);
  g_test_add_func ("/gpu/ops/conv-large", test_conv_large);
  g_test_add_func ("/gpu/ops/deconv", test_deconv);
  g_test_add_func ("/gpu/ops/elementwise", test_elementwise);
  g_test_add_func ("/gpu/ops/multiply", test_multiply);
  g_test_add_func ("/gpu/ops/layout", test_layout);
  g_test_add_func ("/gpu/ops/resize", test_resize);
  g_test_add_func ("/gpu/ops/pool-grid", test_pool_grid);
  g_test_add_func ("/gpu/ops/reduce", test_reduce);
  g_test_add_func ("/gpu/ops/stripes", test_stripes);
  g_test_add_func ("/gpu/ops/attention", test_attention);
  g_test_add_func ("/gpu/ops/channel", test_channel_ops);
  g_test_add_func ("/gpu/ops/sd", test_sd_ops);
  g_test_add_func ("/gpu/ops/token-attention", test_token_attention);
  g_test_add_func ("/gpu/ops/sd-blocks", test_sd_blocks);
  g_test_add_func ("/gpu/out-of-memory", test_out_of_memory);
  g_test_add_func ("/gpu/memory-limit", test_memory_limit);
  g_test_add_func ("/gpu/cancel", test_cancel);
  g_test_add_func ("/gpu/network/tiny-compact", test_network_tiny);
  g_test_add_func ("/gpu/network/dni", test_network_dni);
  g_test_add_func ("/gpu/network/span", test_network_span);
  g_test_add_func ("/gpu/network/real", test_network_real);
  g_test_add_func ("/gpu/network/swinir", test_network_swinir);
  g_test_add_func ("/gpu/network/omnisr", test_network_omnisr);
  g_test_add_func ("/gpu/network/dat", test_network_dat);
  g_test_add_func ("/gpu/network/hat", test_network_hat);
  g_test_add_func ("/gpu/network/mosr", test_network_mosr);
  g_test_add_func ("/gpu/network/scunet", test_network_scunet);
  g_test_add_func ("/gpu/network/srformer", test_network_srformer);
  g_test_add_func ("/gpu/network/drct", test_network_drct);

  return g_test_run ();
}
