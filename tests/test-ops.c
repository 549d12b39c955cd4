/* test-ops.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "backends/tessera-backend-private.h"
#include "tessera-test-utils.h"

/* Each CPU op against a direct, loop-by-loop implementation of its
 * PyTorch definition, on random data and awkward sizes. */

#include "test-ops-tensor.h"

typedef struct
{
  guint in_channels[2];
  guint n_inputs;
  guint out_channels;
  guint kernel;
  guint stride;
  guint padding;
  guint height;
  guint width;
  TesseraActivation activation;
  gboolean residual;
} ConvCase;

static void
test_conv (void)
{
  static const ConvCase cases[] = {
    { { 3 }, 1, 8, 3, 1, 1, 17, 23, TESSERA_ACTIVATION_LEAKY, FALSE },
    { { 5, 7 }, 2, 6, 3, 1, 1, 9, 31, TESSERA_ACTIVATION_NONE, FALSE },
    { { 4 }, 1, 4, 3, 1, 1, 12, 10, TESSERA_ACTIVATION_PRELU, TRUE },
    { { 6 }, 1, 3, 1, 1, 0, 8, 8, TESSERA_ACTIVATION_SIGMOID, FALSE },
    { { 8 }, 1, 5, 2, 2, 0, 14, 12, TESSERA_ACTIVATION_RELU, FALSE },
    { { 3 }, 1, 4, 3, 2, 1, 15, 13, TESSERA_ACTIVATION_NONE, FALSE },
    { { 2 }, 1, 3, 5, 1, 2, 1, 1, TESSERA_ACTIVATION_NONE, FALSE },
    { { 16 }, 1, 16, 3, 1, 1, 70, 300, TESSERA_ACTIVATION_LEAKY, TRUE },
    /* Winograd's: odd sizes, no padding, two inputs, a single pixel. */
    { { 16 }, 1, 24, 3, 1, 0, 9, 13, TESSERA_ACTIVATION_PRELU, FALSE },
    { { 16, 16 }, 2, 32, 3, 1, 1, 33, 7, TESSERA_ACTIVATION_NONE, FALSE },
    { { 32 }, 1, 32, 3, 1, 1, 1, 1, TESSERA_ACTIVATION_LEAKY, TRUE },
    { { 20 }, 1, 17, 3, 1, 1, 2, 3, TESSERA_ACTIVATION_SIGMOID, FALSE },
    /* SiLU, fused: im2col's path and Winograd's with a residual. */
    { { 5 }, 1, 7, 1, 1, 0, 9, 8, TESSERA_ACTIVATION_SILU, FALSE },
    { { 16 }, 1, 16, 3, 1, 1, 19, 23, TESSERA_ACTIVATION_SILU, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const ConvCase *cc = &cases[t];
      guint in_total = cc->in_channels[0] + (cc->n_inputs > 1 ? cc->in_channels[1] : 0);
      guint k = cc->kernel;
      guint oh = (cc->height + 2 * cc->padding - k) / cc->stride + 1;
      guint ow = (cc->width + 2 * cc->padding - k) / cc->stride + 1;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (cc->in_channels[0]);
      g_autofree float *weight = random_floats (rand, (gsize) cc->out_channels * in_total * k * k);
      g_autofree float *bias = random_floats (rand, cc->out_channels);
      g_autofree float *slopes = random_floats (rand, cc->out_channels);
      Tensor input = tensor_random (rand, cc->in_channels[0], cc->height, cc->width);
      Tensor expected = tensor_new (cc->out_channels, oh, ow);
      Tensor second = { 0 };
      guint inputs[2] = { 0, 0 }, node;

      /* A second input comes from a 1×1 convolution of the first. */
      if (cc->n_inputs > 1)
        {
          g_autofree float *w2 = NULL;

          second = tensor_new (cc->in_channels[1], cc->height, cc->width);
          w2 = random_floats (rand, (gsize) cc->in_channels[1] * cc->in_channels[0]);
          for (guint o = 0; o < second.c; o++)
            for (guint y = 0; y < second.h; y++)
              for (guint x = 0; x < second.w; x++)
                {
                  double sum = 0.0;

                  for (guint i = 0; i < input.c; i++)
                    sum += w2[o * input.c + i] * at (&input, i, y, x);
                  second.data[((gsize) o * second.h + y) * second.w + x] = (float) sum;
                }
          inputs[1] = tessera_graph_conv (graph, &inputs[0], 1, second.c, input.c, 1, 1, 0,
                                          tessera_graph_keep_floats (graph, g_steal_pointer (&w2)), NULL);
        }

      node = tessera_graph_conv (graph, inputs, cc->n_inputs, cc->out_channels, in_total, k, cc->stride, cc->padding,
                                 weight, bias);
      tessera_graph_set_activation (graph, node, cc->activation, 0.2f, slopes);
      /* The residual is the input, so the cases with one keep its shape. */
      if (cc->residual)
        {
          g_assert_true (oh == cc->height && ow == cc->width && cc->out_channels == cc->in_channels[0]);
          tessera_graph_set_residual (graph, node, 0.5f, 0);
        }

      for (guint o = 0; o < cc->out_channels; o++)
        for (guint y = 0; y < oh; y++)
          for (guint x = 0; x < ow; x++)
            {
              double sum = bias[o];
              float v;

              for (guint i = 0; i < in_total; i++)
                {
                  const Tensor *src = i < input.c ? &input : &second;
                  guint ci = i < input.c ? i : i - input.c;

                  for (guint ky = 0; ky < k; ky++)
                    for (guint kx = 0; kx < k; kx++)
                      sum += weight[((gsize) (o * in_total + i) * k + ky) * k + kx] *
                             at (src, ci, (gint64) y * cc->stride - cc->padding + ky,
                                 (gint64) x * cc->stride - cc->padding + kx);
                }

              v = (float) sum;
              switch (cc->activation)
                {
                case TESSERA_ACTIVATION_LEAKY: v = v >= 0 ? v : 0.2f * v; break;
                case TESSERA_ACTIVATION_PRELU: v = v >= 0 ? v : slopes[o] * v; break;
                case TESSERA_ACTIVATION_RELU: v = MAX (v, 0.f); break;
                case TESSERA_ACTIVATION_SIGMOID: v = 1.f / (1.f + expf (-v)); break;
                case TESSERA_ACTIVATION_SILU: v = v * (1.f / (1.f + expf (-v))); break;
                case TESSERA_ACTIVATION_NONE:
                default: break;
                }
              if (cc->residual)
                v = 0.5f * v + at (&input, o, y, x);
              expected.data[((gsize) o * oh + y) * ow + x] = v;
            }

      assert_graph (graph, &input, &expected, 1e-4);
      g_free (input.data);
      g_free (second.data);
      g_free (expected.data);
    }
}

/* PyTorch's ConvTranspose2d: every input pixel scatters its kernel. */
static void
test_deconv (void)
{
  static const guint cases[][6] = {
    /* in, out, kernel, stride, padding, size */
    { 4, 3, 2, 2, 0, 7 },
    { 6, 5, 4, 2, 3, 9 },
    { 5, 3, 5, 3, 2, 8 },
    { 3, 2, 3, 1, 1, 6 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint ic = cases[t][0], oc = cases[t][1], k = cases[t][2], s = cases[t][3], p = cases[t][4];
      guint h = cases[t][5], w = cases[t][5] + 3;
      guint oh = (h - 1) * s + k - 2 * p, ow = (w - 1) * s + k - 2 * p;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (ic);
      g_autofree float *weight = random_floats (rand, (gsize) ic * oc * k * k);
      g_autofree float *bias = random_floats (rand, oc);
      Tensor input = tensor_random (rand, ic, h, w);
      Tensor expected = tensor_new (oc, oh, ow);

      tessera_graph_deconv (graph, 0, oc, ic, k, s, p, weight, bias);

      for (guint o = 0; o < oc; o++)
        for (gsize i = 0; i < (gsize) oh * ow; i++)
          expected.data[o * oh * ow + i] = bias[o];
      for (guint i = 0; i < ic; i++)
        for (guint y = 0; y < h; y++)
          for (guint x = 0; x < w; x++)
            for (guint o = 0; o < oc; o++)
              for (guint ky = 0; ky < k; ky++)
                for (guint kx = 0; kx < k; kx++)
                  {
                    gint64 oy = (gint64) y * s + ky - p, ox = (gint64) x * s + kx - p;

                    if (oy >= 0 && ox >= 0 && oy < oh && ox < ow)
                      expected.data[((gsize) o * oh + oy) * ow + ox] +=
                        weight[(((gsize) i * oc + o) * k + ky) * k + kx] * at (&input, i, y, x);
                  }

      assert_graph (graph, &input, &expected, 1e-4);
      g_free (input.data);
      g_free (expected.data);
    }
}

static void
test_shuffle (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (12);
  g_autoptr(TesseraGraph) round_trip = tessera_graph_new (3);
  Tensor input = tensor_random (rand, 12, 5, 7);
  Tensor expected = tensor_new (3, 10, 14);
  Tensor image = tensor_random (rand, 3, 8, 6);

  tessera_graph_shuffle (graph, TESSERA_OP_PIXEL_SHUFFLE, 0, 2);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < 10; y++)
      for (guint x = 0; x < 14; x++)
        expected.data[(c * 10 + y) * 14 + x] = at (&input, c * 4 + (y % 2) * 2 + x % 2, y / 2, x / 2);
  assert_graph (graph, &input, &expected, 0.0);

  /* Unshuffle is shuffle's inverse. */
  tessera_graph_shuffle (round_trip, TESSERA_OP_PIXEL_SHUFFLE,
                         tessera_graph_shuffle (round_trip, TESSERA_OP_PIXEL_UNSHUFFLE, 0, 2), 2);
  assert_graph (round_trip, &image, &image, 0.0);

  g_free (input.data);
  g_free (expected.data);
  g_free (image.data);
}

static double
cubic (double x)
{
  double a = -0.75;

  x = fabs (x);
  if (x <= 1)
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2)
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/* One output sample of a separable resize, straight from the definition. */
static double
resample_axis (TesseraResizeMode mode,
               double            dst,
               guint             in_size,
               guint             out_size,
               int              *taps,
               double           *weights)
{
  double ratio = (double) in_size / out_size;
  double centre = (dst + 0.5) * ratio - 0.5;

  switch (mode)
    {
    case TESSERA_RESIZE_NEAREST:
      taps[0] = MIN ((int) floor (dst * ratio), (int) in_size - 1);
      weights[0] = 1;
      return 1;
    case TESSERA_RESIZE_BILINEAR:
      centre = MAX (centre, 0);
      taps[0] = (int) floor (centre);
      taps[1] = MIN (taps[0] + 1, (int) in_size - 1);
      weights[1] = centre - floor (centre);
      weights[0] = 1 - weights[1];
      return 2;
    case TESSERA_RESIZE_BICUBIC:
    default:
      for (int k = 0; k < 4; k++)
        {
          int i = (int) floor (centre) - 1 + k;

          taps[k] = CLAMP (i, 0, (int) in_size - 1);
          weights[k] = cubic (centre - i);
        }
      return 4;
    }
}

static void
test_resize (void)
{
  static const double factors[] = { 2.0, 4.0, 0.5, 0.75 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  for (TesseraResizeMode mode = TESSERA_RESIZE_NEAREST; mode <= TESSERA_RESIZE_BICUBIC; mode++)
    for (guint f = 0; f < G_N_ELEMENTS (factors); f++)
      {
        g_autoptr(TesseraGraph) graph = tessera_graph_new (2);
        Tensor input = tensor_random (rand, 2, 12, 16);
        guint oh = (guint) (12 * factors[f] + 0.5), ow = (guint) (16 * factors[f] + 0.5);
        Tensor expected = tensor_new (2, oh, ow);

        if (mode == TESSERA_RESIZE_NEAREST && factors[f] < 1)
          {
            g_free (input.data);
            g_free (expected.data);
            continue;
          }

        tessera_graph_resize (graph, 0, mode, factors[f]);
        for (guint c = 0; c < 2; c++)
          for (guint y = 0; y < oh; y++)
            for (guint x = 0; x < ow; x++)
              {
                int ty[4], tx[4];
                double wy[4], wx[4], sum = 0;
                guint ny = (guint) resample_axis (mode, y, 12, oh, ty, wy);
                guint nx = (guint) resample_axis (mode, x, 16, ow, tx, wx);

                for (guint i = 0; i < ny; i++)
                  for (guint j = 0; j < nx; j++)
                    sum += wy[i] * wx[j] * at (&input, c, ty[i], tx[j]);
                expected.data[(c * oh + y) * ow + x] = (float) sum;
              }

        assert_graph (graph, &input, &expected, 1e-5);
        g_free (input.data);
        g_free (expected.data);
      }
}

/* Squeeze-and-excitation's pieces: mean, fully connected, per-channel product. */
static void
test_reduce (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
  g_autofree float *weight = random_floats (rand, 4 * 6);
  g_autofree float *bias = random_floats (rand, 4);
  Tensor input = tensor_random (rand, 6, 33, 17);
  Tensor expected = tensor_new (4, 1, 1);
  guint mean = tessera_graph_unary (graph, TESSERA_OP_GLOBAL_AVG_POOL, 0);

  tessera_graph_linear (graph, mean, 4, 6, weight, bias);
  for (guint o = 0; o < 4; o++)
    {
      double sum = bias[o];

      for (guint i = 0; i < 6; i++)
        {
          double m = 0;

          for (guint p = 0; p < 33 * 17; p++)
            m += input.data[i * 33 * 17 + p];
          sum += weight[o * 6 + i] * m / (33 * 17);
        }
      expected.data[o] = (float) sum;
    }
  assert_graph (graph, &input, &expected, 1e-5);
  g_free (input.data);
  g_free (expected.data);
}

static void
test_elementwise (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
  Tensor input = tensor_random (rand, 3, 9, 11);
  Tensor expected = tensor_new (3, 9, 11);
  guint mean = tessera_graph_unary (graph, TESSERA_OP_GLOBAL_AVG_POOL, 0);
  guint scaled = tessera_graph_binary (graph, TESSERA_OP_MUL_CHANNELS, 0, mean);
  guint sum = tessera_graph_add_nodes (graph, scaled, 0.5f, 0, -2.f);
  guint affine = tessera_graph_affine (graph, sum, 3.f, 0.25f);
  double means[3] = { 0 };

  tessera_graph_clamp (graph, affine, -1.f, 1.5f);
  for (guint c = 0; c < 3; c++)
    {
      for (guint i = 0; i < 99; i++)
        means[c] += input.data[c * 99 + i] / 99.0;
      for (guint i = 0; i < 99; i++)
        {
          float x = input.data[c * 99 + i];
          float v = 3.f * (0.5f * x * (float) means[c] - 2.f * x) + 0.25f;

          expected.data[c * 99 + i] = CLAMP (v, -1.f, 1.5f);
        }
    }
  assert_graph (graph, &input, &expected, 1e-5);
  g_free (input.data);
  g_free (expected.data);
}

static void
test_layout (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  Tensor input = tensor_random (rand, 2, 6, 5);

  for (TesseraPadMode mode = TESSERA_PAD_ZERO; mode <= TESSERA_PAD_SYMMETRIC; mode++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (2);
      Tensor expected = tensor_new (4, 6 + 3 + 2, 5 + 4 + 1);
      guint pad = tessera_graph_pad (graph, 0, mode, 3, 2, 4, 1);
      guint cropped = tessera_graph_crop (graph, pad, 0, 0, 0, 0);

      tessera_graph_concat (graph, (guint[]) { cropped, pad }, 2);
      for (guint c = 0; c < 4; c++)
        for (int y = 0; y < 11; y++)
          for (int x = 0; x < 10; x++)
            {
              int sy = y - 3, sx = x - 4;
              float v;

              if (mode == TESSERA_PAD_REFLECT)
                {
                  sy = sy < 0 ? -sy : sy >= 6 ? 10 - sy : sy;
                  sx = sx < 0 ? -sx : sx >= 5 ? 8 - sx : sx;
                }
              else if (mode == TESSERA_PAD_REPLICATE)
                {
                  sy = CLAMP (sy, 0, 5);
                  sx = CLAMP (sx, 0, 4);
                }
              else if (mode == TESSERA_PAD_SYMMETRIC)
                {
                  /* torch.cat ([x, x.flip ()]), each way */
                  sy = sy < 0 ? -1 - sy : sy >= 6 ? 11 - sy : sy;
                  sx = sx < 0 ? -1 - sx : sx >= 5 ? 9 - sx : sx;
                }
              v = at (&input, c % 2, sy, sx);
              expected.data[(c * 11 + y) * 10 + x] = v;
            }
      assert_graph (graph, &input, &expected, 0.0);
      g_free (expected.data);
    }

  /* Cropping takes the given margins off. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (2);
    Tensor expected = tensor_new (2, 3, 2);

    tessera_graph_crop (graph, 0, 1, 2, 2, 1);
    for (guint c = 0; c < 2; c++)
      for (guint y = 0; y < 3; y++)
        for (guint x = 0; x < 2; x++)
          expected.data[(c * 3 + y) * 2 + x] = at (&input, c, y + 1, x + 2);
    assert_graph (graph, &input, &expected, 0.0);
    g_free (expected.data);
  }

  g_free (input.data);
}

/* SiLU as a node, and the elementwise product as SPAN's attention uses
 * it: (silu (x) + x) · (sigmoid (x) − 0.5). */
static void
test_multiply (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
  g_autoptr(TesseraGraph) mismatched = tessera_graph_new (4);
  g_autoptr(GError) error = NULL;
  Tensor input = tensor_random (rand, 4, 13, 7);
  Tensor expected = tensor_new (4, 13, 7);
  guint silu = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_SILU, 0.f);
  guint sigmoid = tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_SIGMOID, 0.f);
  guint attention = tessera_graph_affine (graph, sigmoid, 1.f, -0.5f);
  guint sum = tessera_graph_add_nodes (graph, silu, 1.f, 0, 1.f);
  TesseraShape shapes[3];
  guint pooled;

  tessera_graph_binary (graph, TESSERA_OP_MUL, sum, attention);
  for (gsize i = 0; i < 4 * 13 * 7; i++)
    {
      double x = input.data[i];

      expected.data[i] = (float) ((x / (1.0 + exp (-x)) + x) * (1.0 / (1.0 + exp (-x)) - 0.5));
    }
  assert_graph (graph, &input, &expected, 1e-6);

  /* Both factors must have the same shape. */
  pooled = tessera_graph_unary (mismatched, TESSERA_OP_GLOBAL_AVG_POOL, 0);
  tessera_graph_binary (mismatched, TESSERA_OP_MUL, 0, pooled);
  g_assert_false (tessera_graph_infer_shapes (mismatched, &(TesseraShape) { 4, 13, 7 }, shapes, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);

  g_free (input.data);
  g_free (expected.data);
}

/* Shapes that cannot work are errors, not crashes. */
static void
test_shape_errors (void)
{
  g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
  g_autoptr(GError) error = NULL;
  float weight[3 * 3 * 3 * 2] = { 0 };
  TesseraShape shapes[4];

  tessera_graph_pad (graph, tessera_graph_conv (graph, (guint[]) { 0 }, 1, 2, 3, 3, 1, 0, weight, NULL),
                     TESSERA_PAD_REFLECT, 4, 4, 4, 4);

  g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 3, 2, 2 }, shapes, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 3, 5, 5 }, shapes, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 4, 9, 9 }, shapes, &error));
  g_clear_error (&error);
  g_assert_true (tessera_graph_infer_shapes (graph, &(TesseraShape) { 3, 9, 9 }, shapes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (shapes[2].height, ==, 15);
}

/* A tail that sees only nearby rows (RRDBNet's upsampling) runs in
 * stripes with a halo: the same result, in less memory. */
static void
test_stripes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (4);
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *w1 = random_floats (rand, 16 * 4 * 9);
  g_autofree float *w2 = random_floats (rand, 16 * 16 * 9);
  g_autofree float *w3 = random_floats (rand, 3 * 16 * 9);
  g_autofree float *plain = NULL;
  g_autofree float *striped = NULL;
  TesseraShape shape = { 4, 96, 20 };
  Tensor input = tensor_random (rand, 4, 96, 20);
  gsize n = 3 * 384 * 80, whole;
  float peak = 0.f;
  guint x;

  x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 16, 4, 3, 1, 1, w1, NULL);
  x = tessera_graph_resize (graph, x, TESSERA_RESIZE_NEAREST, 2.0);
  x = tessera_graph_conv (graph, &x, 1, 16, 16, 3, 1, 1, w2, NULL);
  tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_LEAKY, 0.2f, NULL);
  x = tessera_graph_resize (graph, x, TESSERA_RESIZE_NEAREST, 2.0);
  tessera_graph_conv (graph, &x, 1, 3, 16, 3, 1, 1, w3, NULL);

  plain = g_new (float, n);
  striped = g_new (float, n);
  g_assert_true (tessera_graph_run (graph, backend, input.data, &shape, plain, NULL, &error));
  g_assert_no_error (error);
  whole = tessera_graph_peak_floats (graph, &shape);

  tessera_graph_plan_stripes (graph, &shape);
  g_assert_cmpuint (tessera_graph_peak_floats (graph, &shape), <, whole * 3 / 4);
  g_assert_true (tessera_graph_run (graph, backend, input.data, &shape, striped, NULL, &error));
  g_assert_no_error (error);

  /* GEMMs and Winograd's 2×2 blocks fall differently in a stripe:
   * rounding only. */
  for (gsize i = 0; i < n; i++)
    peak = MAX (peak, fabsf (plain[i]));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpfloat (fabsf (plain[i] - striped[i]), <, 1e-6 * peak);
  g_free (input.data);
}

/* A cancelled run stops between nodes. */
static void
test_cancel (void)
{
  g_autoptr(TesseraGraph) graph = tessera_graph_new (1);
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  float input[4] = { 1, 2, 3, 4 }, output[4];

  tessera_graph_affine (graph, 0, 2.f, 0.f);
  g_cancellable_cancel (cancellable);
  g_assert_false (tessera_graph_run (graph, backend, input, &(TesseraShape) { 1, 2, 2 }, output, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* LayerNorm over each pixel's channels (eps 1e-5, affine) and GELU, as
 * nn.LayerNorm and nn.GELU compute them, in double. */
static void
test_layer_norm_gelu (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (21);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (37);
  Tensor input = tensor_random (rand, 37, 9, 13);
  Tensor expected = tensor_new (37, 9, 13);
  g_autofree float *weight = random_floats (rand, 37);
  g_autofree float *bias = random_floats (rand, 37);
  gsize plane = 9 * 13;
  guint x;

  /* An offset, so that the mean matters. */
  for (gsize i = 0; i < 37 * plane; i++)
    input.data[i] = 3.f * input.data[i] + 2.f;

  x = tessera_graph_layer_norm (graph, 0, weight, bias, 1e-5f);
  tessera_graph_activate (graph, x, TESSERA_ACTIVATION_GELU, 0.f);
  for (gsize i = 0; i < plane; i++)
    {
      double mean = 0.0, variance = 0.0;

      for (guint c = 0; c < 37; c++)
        mean += input.data[c * plane + i] / 37.0;
      for (guint c = 0; c < 37; c++)
        variance += (input.data[c * plane + i] - mean) * (input.data[c * plane + i] - mean) / 37.0;
      for (guint c = 0; c < 37; c++)
        {
          double v = (input.data[c * plane + i] - mean) / sqrt (variance + 1e-5) * weight[c] + bias[c];

          expected.data[c * plane + i] = (float) (0.5 * v * (1.0 + erf (v / sqrt (2.0))));
        }
    }
  assert_graph (graph, &input, &expected, 2e-5);

  /* GELU fused into a 1×1 convolution, as an MLP's first layer. */
  {
    g_autoptr(TesseraGraph) mlp = tessera_graph_new (37);
    g_autofree float *w = random_floats (rand, 5 * 37);
    Tensor out = tensor_new (5, 9, 13);

    x = tessera_graph_conv (mlp, (guint[]) { 0 }, 1, 5, 37, 1, 1, 0, w, bias);
    tessera_graph_set_activation (mlp, x, TESSERA_ACTIVATION_GELU, 0.f, NULL);
    for (guint o = 0; o < 5; o++)
      for (gsize i = 0; i < plane; i++)
        {
          double v = bias[o];

          for (guint c = 0; c < 37; c++)
            v += (double) w[o * 37 + c] * input.data[c * plane + i];
          out.data[o * plane + i] = (float) (0.5 * v * (1.0 + erf (v / sqrt (2.0))));
        }
    assert_graph (mlp, &input, &out, 1e-4);
    g_free (out.data);
  }

  g_free (input.data);
  g_free (expected.data);
}

typedef struct
{
  guint    channels;
  guint    heads;
  guint    window_h;
  guint    window_w;
  guint    shift_y;
  guint    shift_x;
  guint    height;
  guint    width;
  gboolean projections;
  gboolean residual;
  gboolean table;
} AttentionCase;

/* Swin's label image for the shift mask: the three slices of each axis,
 * [0, size − window), [size − window, size − shift), [size − shift, size),
 * numbered row of slices by row of slices. */
static guint
swin_label (const AttentionCase *ac,
            guint                y,
            guint                x)
{
  guint ends_y[3] = { ac->height - ac->window_h, ac->height - ac->shift_y, ac->height };
  guint ends_x[3] = { ac->width - ac->window_w, ac->width - ac->shift_x, ac->width };
  guint sy = 0, sx = 0;

  while (y >= ends_y[sy])
    sy++;
  while (x >= ends_x[sx])
    sx++;
  return sy * 3 + sx;
}

/* Window attention, step by step as SwinIR's SwinTransformerBlock and
 * WindowAttention do it on a (1, H, W, C) tensor: roll by −shift,
 * partition, qkv, scale, q·kᵀ, relative position bias, mask, softmax, ·v,
 * proj, reverse, roll back; in double. */
static void
naive_attention (const AttentionCase *ac,
                 const Tensor        *input,
                 const float         *qkv_w,
                 const float         *qkv_b,
                 const float         *proj_w,
                 const float         *proj_b,
                 const float         *table,
                 const guint32       *index,
                 Tensor              *output)
{
  guint c = ac->channels, d = c / ac->heads, n = ac->window_h * ac->window_w;
  guint in_c = ac->projections ? c : 3 * c;
  double scale = 1.0 / sqrt ((double) d);
  g_autofree double *tokens = g_new (double, (gsize) n * in_c);
  g_autofree double *qkv = g_new (double, (gsize) n * 3 * c);
  g_autofree double *heads = g_new0 (double, (gsize) n * c);
  g_autofree double *scores = g_new (double, n);
  g_autofree guint *ys = g_new (guint, n);
  g_autofree guint *xs = g_new (guint, n);

  for (guint wy = 0; wy < ac->height / ac->window_h; wy++)
    for (guint wx = 0; wx < ac->width / ac->window_w; wx++)
      {
        for (guint t = 0; t < n; t++)
          {
            /* Position in the rolled image, and where it came from. */
            ys[t] = wy * ac->window_h + t / ac->window_w;
            xs[t] = wx * ac->window_w + t % ac->window_w;
            for (guint k = 0; k < in_c; k++)
              tokens[t * in_c + k] = at (input, k, (ys[t] + ac->shift_y) % ac->height,
                                         (xs[t] + ac->shift_x) % ac->width);
          }

        for (guint t = 0; t < n; t++)
          for (guint o = 0; o < 3 * c; o++)
            {
              double v = 0.0;

              if (!ac->projections)
                v = tokens[t * in_c + o];
              else
                {
                  v = qkv_b[o];
                  for (guint k = 0; k < c; k++)
                    v += qkv_w[o * c + k] * tokens[t * in_c + k];
                }
              qkv[t * 3 * c + o] = v;
            }

        for (guint h = 0; h < ac->heads; h++)
          for (guint i = 0; i < n; i++)
            {
              double peak = -INFINITY, sum = 0.0;

              for (guint j = 0; j < n; j++)
                {
                  double v = 0.0;

                  for (guint e = 0; e < d; e++)
                    v += qkv[i * 3 * c + h * d + e] * scale * qkv[j * 3 * c + c + h * d + e];
                  if (table != NULL)
                    v += table[index[i * n + j] * ac->heads + h];
                  if ((ac->shift_y > 0 || ac->shift_x > 0) &&
                      swin_label (ac, ys[i], xs[i]) != swin_label (ac, ys[j], xs[j]))
                    v += -100.0;
                  scores[j] = v;
                  peak = MAX (peak, v);
                }
              for (guint j = 0; j < n; j++)
                {
                  scores[j] = exp (scores[j] - peak);
                  sum += scores[j];
                }
              for (guint e = 0; e < d; e++)
                {
                  double v = 0.0;

                  for (guint j = 0; j < n; j++)
                    v += scores[j] / sum * qkv[j * 3 * c + 2 * c + h * d + e];
                  heads[i * c + h * d + e] = v;
                }
            }

        for (guint t = 0; t < n; t++)
          for (guint o = 0; o < c; o++)
            {
              double v = heads[t * c + o];
              gsize offset = ((gsize) o * ac->height + (ys[t] + ac->shift_y) % ac->height) * ac->width +
                             (xs[t] + ac->shift_x) % ac->width;

              if (ac->projections)
                {
                  v = proj_b[o];
                  for (guint k = 0; k < c; k++)
                    v += proj_w[o * c + k] * heads[t * c + k];
                }
              if (ac->residual)
                v += input->data[offset];
              output->data[offset] = (float) v;
            }
      }
}

/* Swin's relative_position_index for a window_h × window_w window. */
static guint32 *
swin_position_index (guint window_h,
                     guint window_w)
{
  guint n = window_h * window_w;
  guint32 *index = g_new (guint32, (gsize) n * n);

  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n; j++)
      {
        int dy = (int) (i / window_w) - (int) (j / window_w) + (int) window_h - 1;
        int dx = (int) (i % window_w) - (int) (j % window_w) + (int) window_w - 1;

        index[i * n + j] = dy * (2 * window_w - 1) + dx;
      }
  return index;
}

static void
test_window_attention (void)
{
  static const AttentionCase cases[] = {
    /* channels, heads, window, shift, size, projections, residual, table */
    { 12, 3, 4, 4, 0, 0, 8, 12, TRUE, FALSE, TRUE },
    { 12, 3, 4, 4, 2, 2, 12, 8, TRUE, TRUE, TRUE },
    /* DAT's rectangles, q k v given, no projection, no bias. */
    { 8, 2, 2, 4, 1, 2, 6, 12, FALSE, FALSE, FALSE },
    { 8, 2, 4, 2, 2, 1, 8, 6, FALSE, FALSE, TRUE },
    /* One window: the shift wraps within it. */
    { 6, 2, 8, 8, 4, 4, 8, 8, TRUE, TRUE, TRUE },
    /* SwinIR-sized. */
    { 36, 6, 8, 8, 4, 4, 24, 16, TRUE, TRUE, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (22);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const AttentionCase *ac = &cases[t];
      guint c = ac->channels, in_c = ac->projections ? c : 3 * c;
      guint n_table = (2 * ac->window_h - 1) * (2 * ac->window_w - 1);
      g_autoptr(TesseraGraph) graph = tessera_graph_new (in_c);
      Tensor input = tensor_random (rand, in_c, ac->height, ac->width);
      Tensor expected = tensor_new (c, ac->height, ac->width);
      g_autofree float *qkv_w = random_floats (rand, 3 * c * c);
      g_autofree float *qkv_b = random_floats (rand, 3 * c);
      g_autofree float *proj_w = random_floats (rand, c * c);
      g_autofree float *proj_b = random_floats (rand, c);
      g_autofree float *table = random_floats (rand, n_table * ac->heads);
      g_autofree guint32 *index = swin_position_index (ac->window_h, ac->window_w);
      TesseraAttention attention = {
        .channels = c,
        .heads = ac->heads,
        .window_h = ac->window_h,
        .window_w = ac->window_w,
        .shift_y = ac->shift_y,
        .shift_x = ac->shift_x,
        .shift_mask = ac->shift_y > 0 || ac->shift_x > 0,
        .scale = 1.f / sqrtf ((float) (c / ac->heads)),
        .qkv_weight = ac->projections ? qkv_w : NULL,
        .qkv_bias = ac->projections ? qkv_b : NULL,
        .proj_weight = ac->projections ? proj_w : NULL,
        .proj_bias = ac->projections ? proj_b : NULL,
        .bias_table = ac->table ? table : NULL,
        .bias_index = ac->table ? index : NULL,
        .n_table = n_table,
      };
      guint x;

      g_test_message ("attention case %u", t);
      /* Scores large enough that the softmax is not flat. */
      for (guint i = 0; i < 3 * c * c; i++)
        qkv_w[i] *= 3.f;
      x = tessera_graph_window_attention (graph, 0, &attention);
      if (ac->residual)
        tessera_graph_set_residual (graph, x, 1.f, 0);
      naive_attention (ac, &input, qkv_w, qkv_b, proj_w, proj_b, ac->table ? table : NULL, index, &expected);
      assert_graph (graph, &input, &expected, 1e-4);
      g_free (input.data);
      g_free (expected.data);
    }

  /* Sizes that are not whole windows are refused. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (3 * 4);
    g_autoptr(GError) error = NULL;
    TesseraAttention attention = { .channels = 4, .heads = 1, .window_h = 4, .window_w = 4, .scale = 0.5f };
    TesseraShape shapes[2];

    tessera_graph_window_attention (graph, 0, &attention);
    g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 12, 8, 10 }, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }
}

/* Grouped convolution (depthwise, and groups of several channels, with a
 * stride and a fused epilogue) against the loop of PyTorch's definition. */
static void
test_grouped_conv (void)
{
  static const struct { guint in, out, groups, kernel, stride, padding, h, w; } cases[] = {
    { 12, 12, 12, 3, 1, 1, 9, 14 },   /* depthwise, as DAT and OmniSR */
    { 12, 24, 12, 3, 1, 1, 5, 7 },    /* depthwise with a multiplier */
    { 12, 6, 3, 3, 2, 0, 11, 8 },     /* four inputs and two outputs a group, stride 2 */
    { 6, 6, 2, 1, 1, 0, 4, 5 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint in = cases[i].in, out = cases[i].out, g = cases[i].groups, k = cases[i].kernel;
      guint s = cases[i].stride, p = cases[i].padding, in_g = in / g, out_g = out / g;
      guint oh = (cases[i].h + 2 * p - k) / s + 1, ow = (cases[i].w + 2 * p - k) / s + 1;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (in);
      g_autofree float *weight = random_floats (rand, (gsize) out * in_g * k * k);
      g_autofree float *bias = random_floats (rand, out);
      Tensor input = tensor_random (rand, in, cases[i].h, cases[i].w);
      Tensor expected = tensor_new (out, oh, ow);
      guint node;

      for (guint o = 0; o < out; o++)
        for (guint y = 0; y < oh; y++)
          for (guint x = 0; x < ow; x++)
            {
              double sum = bias[o];

              for (guint ci = 0; ci < in_g; ci++)
                for (guint ky = 0; ky < k; ky++)
                  for (guint kx = 0; kx < k; kx++)
                    sum += weight[((o * in_g + ci) * k + ky) * k + kx] *
                           at (&input, o / out_g * in_g + ci, (gint64) y * s - p + ky, (gint64) x * s - p + kx);
              /* GELU, then a residual of the input where the shapes allow. */
              sum = 0.5 * sum * (1.0 + erf (sum / G_SQRT2));
              if (in == out && s == 1 && oh == cases[i].h)
                sum += at (&input, o, y, x);
              expected.data[((gsize) o * oh + y) * ow + x] = (float) sum;
            }

      node = tessera_graph_conv (graph, (guint[]) { 0 }, 1, out, in, k, s, p, weight, bias);
      tessera_graph_set_groups (graph, node, g);
      tessera_graph_set_activation (graph, node, TESSERA_ACTIVATION_GELU, 0.f, NULL);
      if (in == out && s == 1 && oh == cases[i].h)
        tessera_graph_set_residual (graph, node, 1.f, 0);
      assert_graph (graph, &input, &expected, 1e-5);

      g_free (input.data);
      g_free (expected.data);
    }
}

/* Channel ("transposed") attention, whole input and in windows, against
 * its definition; and a one-channel factor multiplying every channel. */
static void
test_channel_attention (void)
{
  static const struct { guint channels, heads, window_h, window_w, h, w; } cases[] = {
    { 8, 2, 0, 0, 7, 9 },       /* DAT: the whole input */
    { 12, 3, 4, 4, 8, 12 },     /* OmniSR: windows */
    { 6, 1, 2, 3, 4, 9 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (32);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint c = cases[i].channels, heads = cases[i].heads, d = c / heads, h = cases[i].h, w = cases[i].w;
      guint wh = cases[i].window_h ? cases[i].window_h : h, ww = cases[i].window_w ? cases[i].window_w : w;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (3 * c);
      g_autofree float *temperature = random_floats (rand, heads);
      g_autofree double *scores = g_new (double, (gsize) d * d);
      Tensor input = tensor_random (rand, 3 * c, h, w);
      Tensor expected = tensor_new (c, h, w);
      TesseraChannelAttention attention = { c, heads, cases[i].window_h, cases[i].window_w, temperature };

      for (guint t = 0; t < heads; t++)
        temperature[t] = 1.f + 4.f * temperature[t];

      for (guint y0 = 0; y0 < h; y0 += wh)
        for (guint x0 = 0; x0 < w; x0 += ww)
          for (guint head = 0; head < heads; head++)
            {
              /* Rows are channels; their entries, the window's pixels. */
              #define VALUE(part, row, p) at (&input, (part) * c + head * d + (row), y0 + (p) / ww, x0 + (p) % ww)
              for (guint a = 0; a < d; a++)
                {
                  double peak = -INFINITY, sum = 0.0, qn = 0.0;

                  for (guint p = 0; p < wh * ww; p++)
                    qn += VALUE (0, a, p) * VALUE (0, a, p);
                  for (guint b = 0; b < d; b++)
                    {
                      double dot = 0.0, kn = 0.0;

                      for (guint p = 0; p < wh * ww; p++)
                        {
                          dot += VALUE (0, a, p) * VALUE (1, b, p);
                          kn += VALUE (1, b, p) * VALUE (1, b, p);
                        }
                      scores[a * d + b] = dot / (MAX (sqrt (qn), 1e-12) * MAX (sqrt (kn), 1e-12)) * temperature[head];
                      peak = MAX (peak, scores[a * d + b]);
                    }
                  for (guint b = 0; b < d; b++)
                    sum += scores[a * d + b] = exp (scores[a * d + b] - peak);
                  for (guint p = 0; p < wh * ww; p++)
                    {
                      double value = 0.0;

                      for (guint b = 0; b < d; b++)
                        value += scores[a * d + b] / sum * VALUE (2, b, p);
                      expected.data[((gsize) (head * d + a) * h + y0 + p / ww) * w + x0 + p % ww] = (float) value;
                    }
                }
              #undef VALUE
            }

      tessera_graph_channel_attention (graph, 0, &attention);
      assert_graph (graph, &input, &expected, 1e-5);
      g_free (input.data);
      g_free (expected.data);
    }

  /* One channel times every channel: DAT's spatial interaction. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    Tensor input = tensor_random (rand, 5, 6, 7);
    Tensor expected = tensor_new (5, 6, 7);
    g_autofree float *weight = random_floats (rand, 5);
    guint map = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 1, 5, 1, 1, 0, weight, NULL);

    tessera_graph_binary (graph, TESSERA_OP_MUL, 0, map);
    for (guint ch = 0; ch < 5; ch++)
      for (guint p = 0; p < 42; p++)
        {
          double m = 0.0;

          for (guint k = 0; k < 5; k++)
            m += weight[k] * input.data[k * 42 + p];
          expected.data[ch * 42 + p] = (float) (input.data[ch * 42 + p] * m);
        }
    assert_graph (graph, &input, &expected, 1e-5);
    g_free (input.data);
    g_free (expected.data);
  }
}

typedef struct
{
  guint    channels;
  guint    heads;
  guint    window_h;
  guint    window_w;
  guint    kv_h;
  guint    kv_w;
  guint    height;
  guint    width;
  gboolean projections;
  gboolean residual;
} OverlapCase;

/* q, k or v (@part 0, 1, 2) channel @o at (@y, @x), as HAT's OCAB has
 * it: the projection of the whole image, then zero padding around it for
 * nn.Unfold; in double. */
static double
overlap_qkv (const OverlapCase *oc,
             const Tensor      *input,
             const float       *qkv_w,
             const float       *qkv_b,
             guint              part,
             guint              o,
             gint64             y,
             gint64             x)
{
  guint c = oc->channels, row = part * c + o;
  double v;

  if (y < 0 || x < 0 || y >= oc->height || x >= oc->width)
    return 0.0;
  if (!oc->projections)
    return at (input, row, y, x);
  v = qkv_b[row];
  for (guint k = 0; k < c; k++)
    v += (double) qkv_w[row * c + k] * at (input, k, y, x);
  return v;
}

/* HAT's calculate_rpi_oca(), for rectangles: the bias table's row of
 * query i and key j, negative values wrapped as PyTorch reads them. */
static guint32 *
hat_oca_index (const OverlapCase *oc,
               guint             *n_table)
{
  guint n = oc->window_h * oc->window_w, m = oc->kv_h * oc->kv_w;
  guint32 *index = g_new (guint32, (gsize) n * m);
  int columns = oc->window_w + oc->kv_w - 1;

  *n_table = (oc->window_h + oc->kv_h - 1) * columns;
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < m; j++)
      {
        int dy = (int) (j / oc->kv_w) - (int) (i / oc->window_w) + (int) oc->window_h - (int) oc->kv_h + 1;
        int dx = (int) (j % oc->kv_w) - (int) (i % oc->window_w) + (int) oc->window_w - (int) oc->kv_w + 1;
        int value = dy * columns + dx;

        index[i * m + j] = value < 0 ? value + *n_table : value;
      }
  return index;
}

/* HAT's OCAB attention, step by step: q of each window, k and v of the
 * unfolded larger window around it (zero outside the image), scale,
 * q·kᵀ, relative position bias, softmax, ·v, proj; in double. */
static void
naive_overlap_attention (const OverlapCase *oc,
                         const Tensor      *input,
                         const float       *qkv_w,
                         const float       *qkv_b,
                         const float       *proj_w,
                         const float       *proj_b,
                         const float       *table,
                         const guint32     *index,
                         Tensor            *output)
{
  guint c = oc->channels, d = c / oc->heads, n = oc->window_h * oc->window_w, m = oc->kv_h * oc->kv_w;
  double scale = 1.0 / sqrt ((double) d);
  g_autofree double *q = g_new (double, (gsize) n * c);
  g_autofree double *k = g_new (double, (gsize) m * c);
  g_autofree double *v = g_new (double, (gsize) m * c);
  g_autofree double *heads = g_new0 (double, (gsize) n * c);
  g_autofree double *scores = g_new (double, m);

  for (guint wy = 0; wy < oc->height / oc->window_h; wy++)
    for (guint wx = 0; wx < oc->width / oc->window_w; wx++)
      {
        gint64 y0 = wy * oc->window_h, x0 = wx * oc->window_w;
        gint64 ky0 = y0 - (oc->kv_h - oc->window_h) / 2, kx0 = x0 - (oc->kv_w - oc->window_w) / 2;

        for (guint o = 0; o < c; o++)
          {
            for (guint t = 0; t < n; t++)
              q[t * c + o] = overlap_qkv (oc, input, qkv_w, qkv_b, 0, o, y0 + t / oc->window_w,
                                          x0 + t % oc->window_w);
            for (guint t = 0; t < m; t++)
              {
                k[t * c + o] = overlap_qkv (oc, input, qkv_w, qkv_b, 1, o, ky0 + t / oc->kv_w, kx0 + t % oc->kv_w);
                v[t * c + o] = overlap_qkv (oc, input, qkv_w, qkv_b, 2, o, ky0 + t / oc->kv_w, kx0 + t % oc->kv_w);
              }
          }

        for (guint h = 0; h < oc->heads; h++)
          for (guint i = 0; i < n; i++)
            {
              double peak = -INFINITY, sum = 0.0;

              for (guint j = 0; j < m; j++)
                {
                  double s = table[index[i * m + j] * oc->heads + h];

                  for (guint e = 0; e < d; e++)
                    s += q[i * c + h * d + e] * scale * k[j * c + h * d + e];
                  scores[j] = s;
                  peak = MAX (peak, s);
                }
              for (guint j = 0; j < m; j++)
                {
                  scores[j] = exp (scores[j] - peak);
                  sum += scores[j];
                }
              for (guint e = 0; e < d; e++)
                {
                  double s = 0.0;

                  for (guint j = 0; j < m; j++)
                    s += scores[j] / sum * v[j * c + h * d + e];
                  heads[i * c + h * d + e] = s;
                }
            }

        for (guint t = 0; t < n; t++)
          for (guint o = 0; o < c; o++)
            {
              gint64 y = y0 + t / oc->window_w, x = x0 + t % oc->window_w;
              double s = heads[t * c + o];

              if (oc->projections)
                {
                  s = proj_b[o];
                  for (guint e = 0; e < c; e++)
                    s += proj_w[o * c + e] * heads[t * c + e];
                }
              if (oc->residual)
                s += at (input, o, y, x);
              output->data[((gsize) o * oc->height + y) * oc->width + x] = (float) s;
            }
      }
}

/* HAT's overlapping cross-attention: key/value windows larger than the
 * query windows, centred on them, zero beyond the image's edges. */
static void
test_overlap_attention (void)
{
  static const OverlapCase cases[] = {
    /* channels, heads, window, kv window, size, projections, residual */
    { 12, 3, 4, 4, 6, 6, 8, 12, TRUE, TRUE },
    /* An odd difference: one more column and row on the right and bottom. */
    { 8, 2, 4, 4, 7, 7, 12, 8, FALSE, FALSE },
    { 8, 2, 2, 4, 4, 6, 6, 12, TRUE, FALSE },
    /* One window, its kv window wider than the image. */
    { 6, 2, 4, 4, 10, 10, 4, 4, TRUE, TRUE },
    /* HAT-sized (window 8, overlap 0.5). */
    { 36, 6, 8, 8, 12, 12, 24, 16, TRUE, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const OverlapCase *oc = &cases[t];
      guint c = oc->channels, in_c = oc->projections ? c : 3 * c, n_table;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (in_c);
      Tensor input = tensor_random (rand, in_c, oc->height, oc->width);
      Tensor expected = tensor_new (c, oc->height, oc->width);
      g_autofree guint32 *index = hat_oca_index (oc, &n_table);
      g_autofree float *qkv_w = random_floats (rand, 3 * c * c);
      g_autofree float *qkv_b = random_floats (rand, 3 * c);
      g_autofree float *proj_w = random_floats (rand, c * c);
      g_autofree float *proj_b = random_floats (rand, c);
      g_autofree float *table = random_floats (rand, n_table * oc->heads);
      TesseraAttention attention = {
        .channels = c,
        .heads = oc->heads,
        .window_h = oc->window_h,
        .window_w = oc->window_w,
        .kv_window_h = oc->kv_h,
        .kv_window_w = oc->kv_w,
        .scale = 1.f / sqrtf ((float) (c / oc->heads)),
        .qkv_weight = oc->projections ? qkv_w : NULL,
        .qkv_bias = oc->projections ? qkv_b : NULL,
        .proj_weight = oc->projections ? proj_w : NULL,
        .proj_bias = oc->projections ? proj_b : NULL,
        .bias_table = table,
        .bias_index = index,
        .n_table = n_table,
      };
      guint x;

      g_test_message ("overlapping attention case %u", t);
      /* Scores large enough that the softmax is not flat, and the zero
       * keys outside the image count. */
      for (guint i = 0; i < 3 * c * c; i++)
        qkv_w[i] *= 3.f;
      for (guint i = 0; i < n_table * oc->heads; i++)
        table[i] *= 4.f;
      x = tessera_graph_window_attention (graph, 0, &attention);
      if (oc->residual)
        tessera_graph_set_residual (graph, x, 1.f, 0);
      naive_overlap_attention (oc, &input, qkv_w, qkv_b, proj_w, proj_b, table, index, &expected);
      assert_graph (graph, &input, &expected, 1e-4);
      g_free (input.data);
      g_free (expected.data);
    }

  /* A key/value window smaller than the query's, or one with Swin's
   * shift mask, is refused. */
  for (guint t = 0; t < 2; t++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (3 * 4);
      g_autoptr(GError) error = NULL;
      TesseraAttention attention = {
        .channels = 4, .heads = 1, .window_h = 4, .window_w = 4, .scale = 0.5f,
        .kv_window_h = t == 0 ? 2 : 6, .kv_window_w = t == 0 ? 2 : 6, .shift_y = 2 * t, .shift_x = 2 * t,
        .shift_mask = t == 1,
      };
      TesseraShape shapes[2];

      tessera_graph_window_attention (graph, 0, &attention);
      g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 12, 8, 8 }, shapes, &error));
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
    }
}

typedef struct
{
  guint    channels;
  guint    heads;
  guint    window_h;
  guint    window_w;
  guint    shift_y;
  guint    shift_x;
  guint    height;
  guint    width;
  gboolean bias;
  gboolean residual;
} PermutedCase;

/* The label of SRFormer's permuted mask for position @p of a half-size
 * axis of @size: slices [0, −half), [−half, −shift // 2), [−shift // 2,
 * end) in Python's terms, where −shift // 2 rounds down: ⌈shift / 2⌉ from
 * the end. */
static guint
permuted_label (guint p,
                guint size,
                guint half,
                guint shift)
{
  if (p < size - half)
    return 0;
  return p < size - (shift + 1) / 2 ? 1 : 2;
}

static guint
full_label (guint p,
            guint size,
            guint window,
            guint shift)
{
  if (p < size - window)
    return 0;
  return p < size - shift ? 1 : 2;
}

/* SRFormer's PSA, step by step as its PSA_Block and PSA do it: roll,
 * partition, q = W_q x, kv = W_kv x reshaped (pw, 2, pw, 2, 2, c/4) and
 * permuted to a key per 2 × 2 pixels, q·kᵀ scaled, the aligned bias, the
 * two masks' difference, softmax, ·v, proj, reverse, roll back; in
 * double. */
static void
naive_permuted_attention (const PermutedCase *pc,
                          const Tensor       *input,
                          const float        *w,
                          const float        *b,
                          const float        *proj_w,
                          const float        *proj_b,
                          const float        *table,
                          Tensor             *output)
{
  guint c = pc->channels, d = c / pc->heads, wh = pc->window_h, ww = pc->window_w;
  guint n = wh * ww, ph = wh / 2, pw = ww / 2, m = n / 4, q4 = c / 4;
  double scale = 1.0 / sqrt ((double) d);
  gboolean shifted = pc->shift_y > 0 || pc->shift_x > 0;
  g_autofree double *q = g_new (double, (gsize) n * c);
  g_autofree double *kvc = g_new (double, (gsize) n * c / 2);
  g_autofree double *k = g_new (double, (gsize) m * c);
  g_autofree double *v = g_new (double, (gsize) m * c);
  g_autofree double *heads = g_new (double, (gsize) n * c);
  g_autofree double *scores = g_new (double, m);

  for (guint wy = 0; wy < pc->height / wh; wy++)
    for (guint wx = 0; wx < pc->width / ww; wx++)
      {
        for (guint t = 0; t < n; t++)
          {
            guint y = (wy * wh + t / ww + pc->shift_y) % pc->height, x = (wx * ww + t % ww + pc->shift_x) % pc->width;

            for (guint o = 0; o < c + c / 2; o++)
              {
                double value = pc->bias ? b[o] : 0.0;

                for (guint i = 0; i < c; i++)
                  value += (double) w[o * c + i] * at (input, i, y, x);
                if (o < c)
                  q[t * c + o] = value;
                else
                  kvc[t * c / 2 + o - c] = value;
              }
          }

        /* kv.reshape (pw_h, 2, pw_w, 2, 2, c/4).permute (py, px, s, dy,
         * dx, ch). */
        for (guint py = 0; py < ph; py++)
          for (guint px = 0; px < pw; px++)
            for (guint dy = 0; dy < 2; dy++)
              for (guint dx = 0; dx < 2; dx++)
                for (guint ch = 0; ch < q4; ch++)
                  {
                    guint t = (py * 2 + dy) * ww + px * 2 + dx, j = py * pw + px;

                    k[j * c + (dy * 2 + dx) * q4 + ch] = kvc[t * c / 2 + ch];
                    v[j * c + (dy * 2 + dx) * q4 + ch] = kvc[t * c / 2 + q4 + ch];
                  }

        for (guint h = 0; h < pc->heads; h++)
          for (guint i = 0; i < n; i++)
            {
              guint iy = i / ww, ix = i % ww;
              guint label = full_label (wy * wh + iy, pc->height, wh, pc->shift_y) * 3 +
                            full_label (wx * ww + ix, pc->width, ww, pc->shift_x);
              double peak = -INFINITY, sum = 0.0;

              for (guint j = 0; j < m; j++)
                {
                  guint jy = j / pw, jx = j % pw;
                  guint index = (iy / 2 - jy + ph - 1) * (2 * pw - 1) + ix / 2 - jx + pw - 1;
                  double value = table[index * pc->heads + h];

                  for (guint e = 0; e < d; e++)
                    value += q[i * c + h * d + e] * scale * k[j * c + h * d + e];
                  if (shifted &&
                      label != permuted_label (wy * ph + jy, pc->height / 2, ph, pc->shift_y) * 3 +
                               permuted_label (wx * pw + jx, pc->width / 2, pw, pc->shift_x))
                    value += -100.0;
                  scores[j] = value;
                  peak = MAX (peak, value);
                }
              for (guint j = 0; j < m; j++)
                {
                  scores[j] = exp (scores[j] - peak);
                  sum += scores[j];
                }
              for (guint e = 0; e < d; e++)
                {
                  double value = 0.0;

                  for (guint j = 0; j < m; j++)
                    value += scores[j] / sum * v[j * c + h * d + e];
                  heads[i * c + h * d + e] = value;
                }
            }

        for (guint t = 0; t < n; t++)
          {
            guint y = (wy * wh + t / ww + pc->shift_y) % pc->height, x = (wx * ww + t % ww + pc->shift_x) % pc->width;

            for (guint o = 0; o < c; o++)
              {
                double value = proj_b[o];

                for (guint i = 0; i < c; i++)
                  value += proj_w[o * c + i] * heads[t * c + i];
                if (pc->residual)
                  value += at (input, o, y, x);
                output->data[((gsize) o * pc->height + y) * pc->width + x] = (float) value;
              }
          }
      }
}

/* SRFormer's permuted self-attention: a key and value per 2 × 2 pixels
 * of each window, with and without a shift (odd ones, whose two masks'
 * slices round differently), against the reference above. */
static void
test_permuted_attention (void)
{
  static const PermutedCase cases[] = {
    /* channels, heads, window, shift, size, bias, residual */
    { 16, 2, 4, 4, 0, 0, 8, 12, TRUE, FALSE },
    { 8, 2, 6, 6, 3, 3, 12, 18, TRUE, TRUE },
    { 12, 3, 8, 8, 4, 4, 16, 8, FALSE, TRUE },
    { 8, 1, 4, 6, 2, 3, 8, 12, TRUE, FALSE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const PermutedCase *pc = &cases[t];
      guint c = pc->channels, n = pc->window_h * pc->window_w;
      guint n_table = (pc->window_h - 1) * (pc->window_w - 1);
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      Tensor input = tensor_random (rand, c, pc->height, pc->width);
      Tensor expected = tensor_new (c, pc->height, pc->width);
      g_autofree float *w = random_floats (rand, (gsize) c * c * 3 / 2);
      g_autofree float *b = random_floats (rand, c * 3 / 2);
      g_autofree float *proj_w = random_floats (rand, c * c);
      g_autofree float *proj_b = random_floats (rand, c);
      g_autofree float *table = random_floats (rand, n_table * pc->heads);
      g_autofree guint32 *index = g_new (guint32, n * n / 4);
      guint ph = pc->window_h / 2, pw = pc->window_w / 2;
      TesseraAttention attention = {
        .channels = c,
        .heads = pc->heads,
        .window_h = pc->window_h,
        .window_w = pc->window_w,
        .shift_y = pc->shift_y,
        .shift_x = pc->shift_x,
        .shift_mask = pc->shift_y > 0 || pc->shift_x > 0,
        .permuted = TRUE,
        .scale = 1.f / sqrtf ((float) (c / pc->heads)),
        .qkv_weight = w,
        .qkv_bias = pc->bias ? b : NULL,
        .proj_weight = proj_w,
        .proj_bias = proj_b,
        .bias_table = table,
        .bias_index = index,
        .n_table = n_table,
      };
      guint x;

      g_test_message ("permuted attention case %u", t);
      for (guint i = 0; i < c * c * 3 / 2; i++)
        w[i] *= 3.f;
      /* SRFormer's aligned_relative_position_index: each query's 2 × 2
       * cell against each key. */
      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < n / 4; j++)
          index[i * n / 4 + j] = (i / pc->window_w / 2 - j / pw + ph - 1) * (2 * pw - 1) +
                                 i % pc->window_w / 2 - j % pw + pw - 1;

      x = tessera_graph_window_attention (graph, 0, &attention);
      if (pc->residual)
        tessera_graph_set_residual (graph, x, 1.f, 0);
      naive_permuted_attention (pc, &input, w, b, proj_w, proj_b, table, &expected);
      assert_graph (graph, &input, &expected, 1e-4);
      g_free (input.data);
      g_free (expected.data);
    }

  /* Odd windows have no 2 × 2 cells. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (8);
    g_autoptr(GError) error = NULL;
    float weight[12 * 8] = { 0 };
    TesseraAttention attention = { .channels = 8, .heads = 1, .window_h = 3, .window_w = 3, .permuted = TRUE,
                                   .scale = 0.5f, .qkv_weight = weight };
    TesseraShape shapes[2];

    tessera_graph_window_attention (graph, 0, &attention);
    g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 8, 9, 9 }, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }
}

/* Max pooling as F.max_pool2d (no padding, the last windows that do not
 * fit dropped), as OmniSR's ESA uses it. */
static void
test_max_pool (void)
{
  static const guint cases[][4] = { { 7, 3, 17, 23 }, { 2, 2, 9, 8 }, { 3, 1, 5, 3 } };
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint k = cases[i][0], s = cases[i][1], h = cases[i][2], w = cases[i][3];
      guint oh = (h - k) / s + 1, ow = (w - k) / s + 1;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
      Tensor input = tensor_random (rand, 3, h, w);
      Tensor expected = tensor_new (3, oh, ow);

      tessera_graph_max_pool (graph, 0, k, s);
      for (guint c = 0; c < 3; c++)
        for (guint y = 0; y < oh; y++)
          for (guint x = 0; x < ow; x++)
            {
              float best = -INFINITY;

              for (guint ky = 0; ky < k; ky++)
                for (guint kx = 0; kx < k; kx++)
                  best = MAX (best, at (&input, c, y * s + ky, x * s + kx));
              expected.data[(c * oh + y) * ow + x] = best;
            }
      assert_graph (graph, &input, &expected, 0.0);
      g_free (input.data);
      g_free (expected.data);
    }

  /* A window larger than the input does not fit. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (1);
    g_autoptr(GError) error = NULL;
    TesseraShape shapes[2];

    tessera_graph_max_pool (graph, 0, 7, 3);
    g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 1, 6, 30 }, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }
}

/* DySample's sampling (RealPLKSR's upsampler) against its definition:
 * output (y·s + i, x·s + j) of group g is the bilinear sample, clamped to
 * the border, at (x + dx, y + dy), the offsets being channels
 * g·s² + i·s + j (dx) and (G + g)·s² + i·s + j (dy); offsets of several
 * pixels reach past the edges. */
static void
test_dysample (void)
{
  static const guint cases[][4] = { { 2, 4, 8, 7 }, { 3, 3, 5, 9 } };   /* factor, groups, height, width */
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint s = cases[t][0], groups = cases[t][1], h = cases[t][2], w = cases[t][3], c = groups * 2;
      guint n_offsets = 2 * groups * s * s;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      Tensor input = tensor_random (rand, c, h, w);
      Tensor offsets = tensor_random (rand, n_offsets, h, w);
      Tensor expected = tensor_new (c, h * s, w * s);
      guint constant;

      for (gsize k = 0; k < (gsize) n_offsets * h * w; k++)
        offsets.data[k] *= 3.f;
      constant = tessera_graph_constant (graph, &(TesseraShape) { n_offsets, h, w }, offsets.data);
      tessera_graph_dysample (graph, 0, constant, s, groups);

      for (guint g = 0; g < groups; g++)
        for (guint y = 0; y < h; y++)
          for (guint i = 0; i < s; i++)
            for (guint x = 0; x < w; x++)
              for (guint j = 0; j < s; j++)
                {
                  guint k = g * s * s + i * s + j;
                  double px = CLAMP (x + at (&offsets, k, y, x), 0.0, w - 1.0);
                  double py = CLAMP (y + at (&offsets, groups * s * s + k, y, x), 0.0, h - 1.0);
                  guint x0 = (guint) floor (px), y0 = (guint) floor (py);
                  guint x1 = MIN (x0 + 1, w - 1), y1 = MIN (y0 + 1, h - 1);
                  double lx = px - x0, ly = py - y0;

                  for (guint ch = g * (c / groups); ch < (g + 1) * (c / groups); ch++)
                    expected.data[((gsize) ch * h * s + y * s + i) * w * s + x * s + j] =
                      (1 - ly) * ((1 - lx) * at (&input, ch, y0, x0) + lx * at (&input, ch, y0, x1)) +
                      ly * ((1 - lx) * at (&input, ch, y1, x0) + lx * at (&input, ch, y1, x1));
                }
      assert_graph (graph, &input, &expected, 1e-5);
      g_free (input.data);
      g_free (offsets.data);
      g_free (expected.data);
    }
}

/* ATD's grouping by category, as AC-MSA writes it: argmax over the
 * scores' channels (the first on ties), a stable sort of the pixels by
 * it, the sorted sequence padded to whole groups with its end flipped;
 * gathered, then scattered back. Few categories, so that many pixels tie
 * and the sort's stability shows; with a group larger than the image,
 * one group and no padding. */
static void
test_category (void)
{
  static const guint cases[][4] = { { 3, 7, 9, 16 }, { 5, 4, 6, 7 }, { 2, 3, 3, 100 } };   /* categories, h, w, group */
  g_autoptr(GRand) rand = g_rand_new_with_seed (47);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint m = cases[t][0], h = cases[t][1], w = cases[t][2], group = MIN (h * w, cases[t][3]);
      guint n = h * w, length = (n + group - 1) / group * group, c = 3;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      Tensor input = tensor_random (rand, c, h, w);
      Tensor scores = tensor_new (m, h, w);
      Tensor gathered = tensor_new (c, 1, length);
      g_autofree guint *order = g_new (guint, length);
      g_autofree guint *category = g_new (guint, n);
      guint constant, row;

      /* Scores on a coarse grid, so that some pixels tie between two
       * categories (the first counts). */
      for (gsize k = 0; k < (gsize) m * n; k++)
        scores.data[k] = (float) g_rand_int_range (rand, 0, 4);
      for (guint p = 0; p < n; p++)
        {
          category[p] = 0;
          for (guint k = 1; k < m; k++)
            if (scores.data[k * n + p] > scores.data[category[p] * n + p])
              category[p] = k;
        }
      /* insertion sort by category: equal ones keep their order */
      for (guint p = 0; p < n; p++)
        {
          guint j = p;

          while (j > 0 && category[order[j - 1]] > category[p])
            {
              order[j] = order[j - 1];
              j--;
            }
          order[j] = p;
        }
      for (guint j = n; j < length; j++)
        order[j] = order[n - 1 - (j - n)];

      constant = tessera_graph_constant (graph, &(TesseraShape) { m, h, w }, scores.data);
      row = tessera_graph_category (graph, TESSERA_OP_CATEGORY_GATHER, 0, constant, cases[t][3]);
      for (guint ch = 0; ch < c; ch++)
        for (guint j = 0; j < length; j++)
          gathered.data[ch * length + j] = input.data[ch * n + order[j]];
      assert_graph (graph, &input, &gathered, 0.0);

      /* and back: scattering the gathered row is the identity */
      tessera_graph_category (graph, TESSERA_OP_CATEGORY_SCATTER, row, constant, cases[t][3]);
      assert_graph (graph, &input, &input, 0.0);

      g_free (input.data);
      g_free (scores.data);
      g_free (gathered.data);
    }
}

/* PyTorch's bilinear F.interpolate (size=…, align_corners=False): the
 * source scale is in / out, the position clamped at 0, the far tap at the
 * edge. */
static double
bilinear_at (const Tensor *t,
             guint         c,
             guint         y,
             guint         x,
             guint         out_h,
             guint         out_w)
{
  double sy = MAX ((y + 0.5) * t->h / out_h - 0.5, 0.0), sx = MAX ((x + 0.5) * t->w / out_w - 0.5, 0.0);
  guint y0 = (guint) sy, x0 = (guint) sx, y1 = MIN (y0 + 1, t->h - 1), x1 = MIN (x0 + 1, t->w - 1);
  double ly = sy - y0, lx = sx - x0;

  return (1 - ly) * ((1 - lx) * at (t, c, y0, x0) + lx * at (t, c, y0, x1)) +
         ly * ((1 - lx) * at (t, c, y1, x0) + lx * at (t, c, y1, x1));
}

/* Resizing to another node's size, as ESA brings its pooled branch back
 * up: pooled by 3 every 2, then bilinear to the input's 13 × 19 (and the
 * input down to the pooled size). */
static void
test_resize_to (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  Tensor input = tensor_random (rand, 2, 13, 19);
  guint ph = (13 - 3) / 2 + 1, pw = (19 - 3) / 2 + 1;
  Tensor pooled = tensor_new (2, ph, pw);

  for (guint c = 0; c < 2; c++)
    for (guint y = 0; y < ph; y++)
      for (guint x = 0; x < pw; x++)
        {
          float best = -INFINITY;

          for (guint ky = 0; ky < 3; ky++)
            for (guint kx = 0; kx < 3; kx++)
              best = MAX (best, at (&input, c, y * 2 + ky, x * 2 + kx));
          pooled.data[(c * ph + y) * pw + x] = best;
        }

  for (guint down = 0; down < 2; down++)
    {
      g_autoptr(TesseraGraph) graph = tessera_graph_new (2);
      const Tensor *source = down ? &input : &pooled;
      guint oh = down ? ph : 13, ow = down ? pw : 19;
      Tensor expected = tensor_new (2, oh, ow);
      guint pool = tessera_graph_max_pool (graph, 0, 3, 2);

      if (down)
        tessera_graph_resize_to (graph, 0, TESSERA_RESIZE_BILINEAR, pool);
      else
        tessera_graph_resize_to (graph, pool, TESSERA_RESIZE_BILINEAR, 0);
      for (guint c = 0; c < 2; c++)
        for (guint y = 0; y < oh; y++)
          for (guint x = 0; x < ow; x++)
            expected.data[(c * oh + y) * ow + x] = (float) bilinear_at (source, c, y, x, oh, ow);
      assert_graph (graph, &input, &expected, 1e-5);
      g_free (expected.data);
    }

  g_free (input.data);
  g_free (pooled.data);
}

/* OmniSR's grid permutations against einops' patterns, written out:
 * "b d (w1 x) (w2 y) -> b x y w1 w2 d" as windows, "b (head d) (h ph)
 * (w pw) -> b (ph pw) head d (h w)" as channels; and back. */
static void
test_grid (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  guint f = 3, h = 12, w = 6, mh = h / f, mw = w / f;

  /* Windows: window (a, b) at block (a, b), holding pixels (i·mh + a, j·mw + b). */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (2);
    g_autoptr(TesseraGraph) back = tessera_graph_new (2);
    Tensor input = tensor_random (rand, 2, h, w);
    Tensor expected = tensor_new (2, h, w);

    tessera_graph_grid (graph, TESSERA_OP_GRID_TO_WINDOWS, 0, f, 1);
    for (guint c = 0; c < 2; c++)
      for (guint a = 0; a < mh; a++)
        for (guint b = 0; b < mw; b++)
          for (guint i = 0; i < f; i++)
            for (guint j = 0; j < f; j++)
              expected.data[(c * h + a * f + i) * w + b * f + j] = at (&input, c, i * mh + a, j * mw + b);
    assert_graph (graph, &input, &expected, 0.0);

    tessera_graph_grid (back, TESSERA_OP_WINDOWS_TO_GRID,
                        tessera_graph_grid (back, TESSERA_OP_GRID_TO_WINDOWS, 0, f, 1), f, 1);
    assert_graph (back, &input, &input, 0.0);
    g_free (input.data);
    g_free (expected.data);
  }

  /* Channels: three parts (q, k, v) of two channels; cell (i, j) of each
   * f × f cell in channels ((p·f + i)·f + j)·2 + c. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(TesseraGraph) back = tessera_graph_new (6);
    Tensor input = tensor_random (rand, 6, h, w);
    Tensor expected = tensor_new (6 * f * f, mh, mw);

    tessera_graph_grid (graph, TESSERA_OP_GRID_TO_CHANNELS, 0, f, 3);
    for (guint p = 0; p < 3; p++)
      for (guint i = 0; i < f; i++)
        for (guint j = 0; j < f; j++)
          for (guint c = 0; c < 2; c++)
            for (guint y = 0; y < mh; y++)
              for (guint x = 0; x < mw; x++)
                expected.data[((((p * f + i) * f + j) * 2 + c) * mh + y) * mw + x] =
                  at (&input, p * 2 + c, y * f + i, x * f + j);
    assert_graph (graph, &input, &expected, 0.0);

    tessera_graph_grid (back, TESSERA_OP_CHANNELS_TO_GRID,
                        tessera_graph_grid (back, TESSERA_OP_GRID_TO_CHANNELS, 0, f, 1), f, 1);
    assert_graph (back, &input, &input, 0.0);
    g_free (input.data);
    g_free (expected.data);
  }

  /* Sides that are not whole cells do not fit. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (3);
    g_autoptr(GError) error = NULL;
    TesseraShape shapes[2];

    tessera_graph_grid (graph, TESSERA_OP_GRID_TO_WINDOWS, 0, 8, 1);
    g_assert_false (tessera_graph_infer_shapes (graph, &(TesseraShape) { 3, 16, 20 }, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ops/conv", test_conv);
  g_test_add_func ("/ops/deconv", test_deconv);
  g_test_add_func ("/ops/shuffle", test_shuffle);
  g_test_add_func ("/ops/resize", test_resize);
  g_test_add_func ("/ops/reduce", test_reduce);
  g_test_add_func ("/ops/elementwise", test_elementwise);
  g_test_add_func ("/ops/multiply", test_multiply);
  g_test_add_func ("/ops/layout", test_layout);
  g_test_add_func ("/ops/layer-norm-gelu", test_layer_norm_gelu);
  g_test_add_func ("/ops/window-attention", test_window_attention);
  g_test_add_func ("/ops/window-attention-overlap", test_overlap_attention);
  g_test_add_func ("/ops/window-attention-permuted", test_permuted_attention);
  g_test_add_func ("/ops/grouped-conv", test_grouped_conv);
  g_test_add_func ("/ops/channel-attention", test_channel_attention);
  g_test_add_func ("/ops/shape-errors", test_shape_errors);
  g_test_add_func ("/ops/stripes", test_stripes);
  g_test_add_func ("/ops/cancel", test_cancel);
  g_test_add_func ("/ops/max-pool", test_max_pool);
  g_test_add_func ("/ops/dysample", test_dysample);
  g_test_add_func ("/ops/category", test_category);
  g_test_add_func ("/ops/resize-to", test_resize_to);
  g_test_add_func ("/ops/grid", test_grid);

  return g_test_run ();
}
