/* test-sd-ops.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "test-ops-tensor.h"

/* Stable Diffusion's ops: GroupNorm, attention over tokens, GEGLU, quick
 * GELU, per-channel addition and constants, each against a loop of its
 * PyTorch definition in double, within 1e-5 of the largest output. */

static double
max_abs (const Tensor *t)
{
  double peak = 0.0;

  for (gsize i = 0; i < (gsize) t->c * t->h * t->w; i++)
    peak = MAX (peak, fabs (t->data[i]));
  return peak;
}

/* @graph's output within @relative of @expected's largest value. */
static void
assert_graph_relative (TesseraGraph *graph,
                       const Tensor *input,
                       const Tensor *expected,
                       double        relative)
{
  double peak = max_abs (expected);

  g_test_message ("relative error %.3g", assert_graph (graph, input, expected, relative * peak) / peak);
}

static double
activate_double (TesseraActivation activation,
                 double            v)
{
  switch (activation)
    {
    case TESSERA_ACTIVATION_SILU:
      return v / (1.0 + exp (-v));
    case TESSERA_ACTIVATION_GELU:
      return 0.5 * v * (1.0 + erf (v / sqrt (2.0)));
    case TESSERA_ACTIVATION_QUICK_GELU:
      return v / (1.0 + exp (-1.702 * v));
    case TESSERA_ACTIVATION_MISH:
      return v * tanh (log1p (exp (v)));
    case TESSERA_ACTIVATION_NONE:
      return v;
    default:
      g_assert_not_reached ();
    }
}

/* nn.GroupNorm, then the activation. */
static Tensor
naive_group_norm (const Tensor      *x,
                  guint              groups,
                  const float       *weight,
                  const float       *bias,
                  double             epsilon,
                  TesseraActivation  activation)
{
  Tensor out = tensor_new (x->c, x->h, x->w);
  gsize plane = (gsize) x->h * x->w, per_group = x->c / groups, n = per_group * plane;

  for (guint g = 0; g < groups; g++)
    {
      const float *group = x->data + g * n;
      double mean = 0.0, variance = 0.0;

      for (gsize i = 0; i < n; i++)
        mean += group[i];
      mean /= n;
      for (gsize i = 0; i < n; i++)
        variance += (group[i] - mean) * (group[i] - mean);
      variance /= n;

      for (gsize i = 0; i < n; i++)
        {
          guint c = g * per_group + i / plane;
          double v = (group[i] - mean) / sqrt (variance + epsilon);

          v = v * (weight != NULL ? weight[c] : 1.0) + (bias != NULL ? bias[c] : 0.0);
          out.data[g * n + i] = (float) activate_double (activation, v);
        }
    }
  return out;
}

static void
test_group_norm (void)
{
  static const struct
  {
    guint             channels, height, width, groups;
    float             epsilon;
    TesseraActivation activation;
    gboolean          affine;
  } cases[] = {
    { 6, 5, 7, 2, 1e-5f, TESSERA_ACTIVATION_NONE, TRUE },
    { 8, 3, 9, 1, 1e-5f, TESSERA_ACTIVATION_SILU, TRUE },
    { 64, 4, 6, 32, 1e-6f, TESSERA_ACTIVATION_SILU, TRUE },
    { 32, 33, 17, 32, 1e-5f, TESSERA_ACTIVATION_NONE, FALSE },
    { 96, 1, 1, 32, 1e-6f, TESSERA_ACTIVATION_SILU, TRUE },
    /* A group of one value: variance 0, the output the bias. */
    { 5, 1, 1, 5, 1e-5f, TESSERA_ACTIVATION_NONE, TRUE },
    /* SD's VAE at a tile's size: 128 channels in 32 groups of 64 × 64. */
    { 128, 64, 64, 32, 1e-6f, TESSERA_ACTIVATION_SILU, TRUE },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (41);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      guint c = cases[t].channels;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      g_autofree float *weight = random_floats (rand, c);
      g_autofree float *bias = random_floats (rand, c);
      Tensor input = tensor_random (rand, c, cases[t].height, cases[t].width);
      Tensor expected;

      /* An offset, so that the mean matters. */
      for (gsize i = 0; i < (gsize) c * input.h * input.w; i++)
        input.data[i] = 3.f * input.data[i] + 2.f;

      tessera_graph_group_norm (graph, 0, cases[t].groups, cases[t].affine ? weight : NULL,
                                cases[t].affine ? bias : NULL, cases[t].epsilon, cases[t].activation);
      expected = naive_group_norm (&input, cases[t].groups, cases[t].affine ? weight : NULL,
                                   cases[t].affine ? bias : NULL, cases[t].epsilon, cases[t].activation);
      assert_graph_relative (graph, &input, &expected, 1e-5);
      g_free (input.data);
      g_free (expected.data);
    }
}

/* softmax (scale · q kᵀ) v per head, channels [h · d, (h + 1) · d), with
 * key j > i hidden from query i when @causal. */
static Tensor
naive_token_attention (const Tensor *q,
                       const Tensor *k,
                       const Tensor *v,
                       guint         heads,
                       double        scale,
                       gboolean      causal)
{
  Tensor out = tensor_new (q->c, q->h, q->w);
  gsize nq = (gsize) q->h * q->w, nk = (gsize) k->h * k->w;
  guint d = q->c / heads;
  g_autofree double *scores = g_new (double, nk);

  for (guint h = 0; h < heads; h++)
    for (gsize i = 0; i < nq; i++)
      {
        double peak = -INFINITY, sum = 0.0;
        gsize keys = causal ? MIN (nk, i + 1) : nk;

        for (gsize j = 0; j < keys; j++)
          {
            double dot = 0.0;

            for (guint c = h * d; c < (h + 1) * d; c++)
              dot += (double) q->data[c * nq + i] * k->data[c * nk + j];
            scores[j] = scale * dot;
            peak = MAX (peak, scores[j]);
          }
        for (gsize j = 0; j < keys; j++)
          {
            scores[j] = exp (scores[j] - peak);
            sum += scores[j];
          }
        for (guint c = h * d; c < (h + 1) * d; c++)
          {
            double value = 0.0;

            for (gsize j = 0; j < keys; j++)
              value += scores[j] * v->data[c * nk + j];
            out.data[c * nq + i] = (float) (value / sum);
          }
      }
  return out;
}

typedef struct
{
  guint    heads, head_dim;
  guint    q_height, q_width;
  guint    kv_height, kv_width;   /* 0: self-attention, q as k and v */
  gboolean causal;
  float    scale;                 /* 0: 1/√head_dim */
} TokenAttentionCase;

/* Query tokens are the input; keys and values are constants, unless the
 * case attends to itself. */
static void
test_token_attention (void)
{
  static const TokenAttentionCase cases[] = {
    { 1, 16, 5, 7, 0, 0, FALSE, 0.f },
    { 2, 8, 3, 5, 1, 77, FALSE, 0.f },
    { 8, 5, 1, 77, 0, 0, TRUE, 0.f },
    { 8, 4, 7, 9, 2, 3, TRUE, 0.f },     /* more queries than keys */
    { 2, 3, 1, 5, 3, 11, TRUE, 0.f },    /* fewer */
    { 8, 40, 23, 29, 1, 77, FALSE, 0.f }, /* several blocks of queries */
    { 2, 8, 40, 40, 0, 0, FALSE, 0.f },   /* 1600 keys: blocks of fewer rows */
    { 3, 7, 4, 6, 5, 3, FALSE, 0.3f },
    { 1, 1, 1, 1, 1, 1, TRUE, 0.f },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      const TokenAttentionCase *tc = &cases[t];
      guint c = tc->heads * tc->head_dim;
      gboolean self = tc->kv_height == 0;
      g_autoptr(TesseraGraph) graph = tessera_graph_new (c);
      Tensor q = tensor_random (rand, c, tc->q_height, tc->q_width);
      Tensor k = self ? q : tensor_random (rand, c, tc->kv_height, tc->kv_width);
      Tensor v = self ? q : tensor_random (rand, c, tc->kv_height, tc->kv_width);
      Tensor expected;
      guint kn = 0, vn = 0;

      /* Scores of a few units, so that the softmax is not flat; q · q
       * (self-attention) is large enough as it is. */
      for (gsize i = 0; i < (gsize) c * q.h * q.w && !self; i++)
        q.data[i] *= 3.f;
      if (!self)
        {
          kn = tessera_graph_constant (graph, &(TesseraShape) { c, k.h, k.w }, k.data);
          vn = tessera_graph_constant (graph, &(TesseraShape) { c, v.h, v.w }, v.data);
        }
      tessera_graph_token_attention (graph, 0, kn, vn, tc->heads, tc->scale, tc->causal);
      expected = naive_token_attention (&q, &k, &v, tc->heads,
                                        tc->scale > 0.f ? tc->scale : 1.0 / sqrt (tc->head_dim), tc->causal);
      assert_graph_relative (graph, &q, &expected, 1e-5);

      g_free (q.data);
      if (!self)
        {
          g_free (k.data);
          g_free (v.data);
        }
      g_free (expected.data);
    }
}

/* GEGLU's halves, quick GELU alone and fused into a 1×1 convolution (a
 * CLIP MLP's first layer). */
static void
test_geglu_quick_gelu (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (43);
  static const guint sizes[][3] = { { 3, 5, 7 }, { 10, 1, 77 }, { 1, 1, 1 } };

  for (guint t = 0; t < G_N_ELEMENTS (sizes); t++)
    {
      guint c = sizes[t][0];
      gsize plane = (gsize) sizes[t][1] * sizes[t][2];
      g_autoptr(TesseraGraph) graph = tessera_graph_new (2 * c);
      Tensor input = tensor_random (rand, 2 * c, sizes[t][1], sizes[t][2]);
      Tensor expected = tensor_new (c, sizes[t][1], sizes[t][2]);

      for (gsize i = 0; i < 2 * c * plane; i++)
        input.data[i] *= 4.f;
      tessera_graph_geglu (graph, 0);
      for (gsize i = 0; i < c * plane; i++)
        expected.data[i] = (float) (input.data[i] *
                                    activate_double (TESSERA_ACTIVATION_GELU, input.data[c * plane + i]));
      assert_graph_relative (graph, &input, &expected, 1e-5);
      g_free (input.data);
      g_free (expected.data);
    }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    Tensor input = tensor_random (rand, 5, 9, 13);
    Tensor expected = tensor_new (5, 9, 13);

    for (gsize i = 0; i < 5 * 9 * 13; i++)
      {
        input.data[i] *= 8.f;
        expected.data[i] = (float) activate_double (TESSERA_ACTIVATION_QUICK_GELU, input.data[i]);
      }
    tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_QUICK_GELU, 0.f);
    assert_graph_relative (graph, &input, &expected, 1e-5);
    g_free (input.data);
    g_free (expected.data);
  }

  /* Mish (RealPLKSR's), past softplus's threshold of 20 too. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (5);
    Tensor input = tensor_random (rand, 5, 9, 13);
    Tensor expected = tensor_new (5, 9, 13);

    for (gsize i = 0; i < 5 * 9 * 13; i++)
      {
        input.data[i] *= 30.f;
        expected.data[i] = (float) activate_double (TESSERA_ACTIVATION_MISH, input.data[i]);
      }
    tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_MISH, 0.f);
    assert_graph_relative (graph, &input, &expected, 1e-5);
    g_free (input.data);
    g_free (expected.data);
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (12);
    g_autofree float *weight = random_floats (rand, 24 * 12);
    g_autofree float *bias = random_floats (rand, 24);
    Tensor input = tensor_random (rand, 12, 1, 77);
    Tensor expected = tensor_new (24, 1, 77);
    guint x = tessera_graph_conv (graph, (guint[]) { 0 }, 1, 24, 12, 1, 1, 0, weight, bias);

    tessera_graph_set_activation (graph, x, TESSERA_ACTIVATION_QUICK_GELU, 0.f, NULL);
    for (guint o = 0; o < 24; o++)
      for (guint i = 0; i < 77; i++)
        {
          double v = bias[o];

          for (guint c = 0; c < 12; c++)
            v += (double) weight[o * 12 + c] * input.data[c * 77 + i];
          expected.data[o * 77 + i] = (float) activate_double (TESSERA_ACTIVATION_QUICK_GELU, v);
        }
    assert_graph_relative (graph, &input, &expected, 1e-5);
    g_free (input.data);
    g_free (expected.data);
  }
}

/* A ResBlock's h + emb[:, :, None, None], the embedding from a linear
 * layer of a constant; same-shaped addition is unchanged. A constant
 * changed between runs is read again. */
static void
test_add_channels (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (44);
  g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree float *embedding = random_floats (rand, 4);
  g_autofree float *weight = random_floats (rand, 6 * 4);
  g_autofree float *bias = random_floats (rand, 6);
  Tensor input = tensor_random (rand, 6, 7, 9);
  Tensor expected = tensor_new (6, 7, 9);
  g_autofree float *output = g_new (float, 6 * 7 * 9);
  guint e;

  e = tessera_graph_constant (graph, &(TesseraShape) { 4, 1, 1 }, embedding);
  e = tessera_graph_linear (graph, e, 6, 4, weight, bias);
  tessera_graph_add_nodes (graph, 0, 0.5f, e, 2.f);

  for (guint round = 0; round < 2; round++)
    {
      for (guint c = 0; c < 6; c++)
        {
          double emb = bias[c];

          for (guint i = 0; i < 4; i++)
            emb += (double) weight[c * 4 + i] * embedding[i];
          for (guint i = 0; i < 63; i++)
            expected.data[c * 63 + i] = (float) (0.5 * input.data[c * 63 + i] + 2.0 * emb);
        }
      assert_graph_relative (graph, &input, &expected, 1e-6);
      for (guint i = 0; i < 4; i++)
        embedding[i] = -2.f * embedding[i] + 1.f;
    }

  /* b of a's shape: the plain scaled sum, bit for bit. */
  {
    g_autoptr(TesseraGraph) same = tessera_graph_new (6);
    guint doubled = tessera_graph_affine (same, 0, 2.f, 0.f);

    tessera_graph_add_nodes (same, 0, 0.5f, doubled, -0.25f);
    g_assert_true (tessera_graph_run (same, backend, input.data, &(TesseraShape) { 6, 7, 9 }, output, NULL, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < 6 * 63; i++)
      g_assert_cmpfloat (output[i], ==, 0.5f * input.data[i] + -0.25f * (2.f * input.data[i]));
  }

  g_free (input.data);
  g_free (expected.data);
}

/* Shapes the new ops refuse, and the attention's multiply-adds. */
static void
test_sd_shape_errors (void)
{
  static const float values[6 * 5] = { 0 };
  TesseraShape input = { 6, 4, 5 }, shapes[8];

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(GError) error = NULL;

    tessera_graph_group_norm (graph, 0, 4, NULL, NULL, 1e-5f, TESSERA_ACTIVATION_NONE);
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(GError) error = NULL;

    tessera_graph_geglu (graph, tessera_graph_geglu (graph, 0));
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }

  /* Per-channel addition needs a 1 × 1 of the same channels. */
  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(GError) error = NULL;
    guint b = tessera_graph_constant (graph, &(TesseraShape) { 6, 1, 2 }, values);

    tessera_graph_add_nodes (graph, 0, 1.f, b, 1.f);
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(GError) error = NULL;
    guint k = tessera_graph_constant (graph, &(TesseraShape) { 6, 1, 5 }, values);
    guint v = tessera_graph_constant (graph, &(TesseraShape) { 6, 5, 1 }, values);
    guint narrow = tessera_graph_constant (graph, &(TesseraShape) { 5, 1, 6 }, values);

    tessera_graph_token_attention (graph, 0, k, v, 3, 0.f, FALSE);
    g_assert_true (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (shapes[4].channels, ==, 6);
    g_assert_cmpuint (shapes[4].height, ==, 4);
    g_assert_cmpuint (shapes[4].width, ==, 5);
    /* q kᵀ and the weights times v: 20 queries × 5 keys × 6 channels, twice. */
    g_assert_cmpuint (tessera_graph_count_macs (graph, &input), ==, 2 * 20 * 5 * 6);

    tessera_graph_token_attention (graph, 0, k, 0, 3, 0.f, FALSE);
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);

    tessera_graph_token_attention (graph, 0, narrow, narrow, 3, 0.f, FALSE);
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }

  {
    g_autoptr(TesseraGraph) graph = tessera_graph_new (6);
    g_autoptr(GError) error = NULL;

    tessera_graph_token_attention (graph, 0, 0, 0, 4, 0.f, TRUE);
    g_assert_false (tessera_graph_infer_shapes (graph, &input, shapes, &error));
    g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  }
}

/* The tensor @name of a case of data/sd-ops, C × H × W. */
static Tensor
load_sd_tensor (JsonObject *test,
                const char *name)
{
  JsonObject *tensors = json_object_get_object_member (test, "tensors");
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-ops",
                                                 json_object_get_string_member (tensors, name), NULL);
  guint n_dims, shape[4];
  float *data = test_load_npy (path, &n_dims, shape);

  g_assert_cmpuint (n_dims, ==, 3);
  return (Tensor) { shape[0], shape[1], shape[2], data };
}

/* The ops against PyTorch's own outputs (data/make-sd-op-refs.py):
 * nn.GroupNorm and SiLU, diffusers' attention (with CLIP's causal mask),
 * diffusers' GEGLU, CLIP's QuickGELU, broadcast addition. */
static void
test_sd_references (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-ops", "cases.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *cases;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  cases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");
  g_assert_cmpuint (json_array_get_length (cases), >=, 12);

  for (guint t = 0; t < json_array_get_length (cases); t++)
    {
      JsonObject *test = json_array_get_object_element (cases, t);
      const char *op = json_object_get_string_member (test, "op");
      Tensor input, expected, extra[3] = { { 0 } };
      g_autoptr(TesseraGraph) graph = NULL;

      /* Whole blocks are test_sd_blocks ()'s. */
      if (g_str_equal (op, "block"))
        continue;

      input = load_sd_tensor (test, g_str_equal (op, "attention") ? "q" : "input");
      expected = load_sd_tensor (test, "output");
      graph = tessera_graph_new (input.c);

      g_test_message ("%s", json_object_get_string_member (test, "name"));
      if (g_str_equal (op, "group_norm"))
        {
          gboolean silu = g_str_equal (json_object_get_string_member (test, "activation"), "silu");

          extra[0] = load_sd_tensor (test, "weight");
          extra[1] = load_sd_tensor (test, "bias");
          tessera_graph_group_norm (graph, 0, json_object_get_int_member (test, "groups"), extra[0].data,
                                    extra[1].data, json_object_get_double_member (test, "eps"),
                                    silu ? TESSERA_ACTIVATION_SILU : TESSERA_ACTIVATION_NONE);
        }
      else if (g_str_equal (op, "attention"))
        {
          guint k, v;

          extra[0] = load_sd_tensor (test, "k");
          extra[1] = load_sd_tensor (test, "v");
          k = tessera_graph_constant (graph, &(TesseraShape) { extra[0].c, extra[0].h, extra[0].w }, extra[0].data);
          v = tessera_graph_constant (graph, &(TesseraShape) { extra[1].c, extra[1].h, extra[1].w }, extra[1].data);
          tessera_graph_token_attention (graph, 0, k, v, json_object_get_int_member (test, "heads"),
                                         json_object_get_double_member (test, "scale"),
                                         json_object_get_boolean_member (test, "causal"));
        }
      else if (g_str_equal (op, "geglu"))
        tessera_graph_geglu (graph, 0);
      else if (g_str_equal (op, "quick_gelu"))
        tessera_graph_activate (graph, 0, TESSERA_ACTIVATION_QUICK_GELU, 0.f);
      else if (g_str_equal (op, "add_channels"))
        {
          extra[0] = load_sd_tensor (test, "channels");
          tessera_graph_add_nodes (graph, 0, 1.f,
                                   tessera_graph_constant (graph, &(TesseraShape) { extra[0].c, 1, 1 }, extra[0].data),
                                   1.f);
        }
      else
        g_assert_not_reached ();

      assert_graph_relative (graph, &input, &expected, 1e-5);
      g_free (input.data);
      g_free (expected.data);
      for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
        g_free (extra[i].data);
    }
}

/* Whole blocks of Stable Diffusion's networks built from the ops, against
 * PyTorch (data/make-sd-op-refs.py): a UNet ResBlock with its time
 * embedding, a spatial transformer with self- and cross-attention and
 * GEGLU, the VAE's attention block, a CLIP text encoder layer. */
static void
test_sd_blocks (void)
{
  g_autoptr(GPtrArray) blocks = test_load_sd_blocks ();
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);

  for (guint i = 0; i < blocks->len; i++)
    {
      TestSdBlock *block = g_ptr_array_index (blocks, i);
      g_autoptr(GError) error = NULL;
      g_autofree float *output = g_new (float, block->n_output);
      double relative;

      g_assert_true (tessera_graph_run (block->graph, backend, block->input, &block->shape, output, NULL, &error));
      g_assert_no_error (error);
      relative = test_max_relative_error (output, block->reference, block->n_output);
      g_test_message ("%s: relative error %.3g", block->name, relative);
      g_assert_cmpfloat (relative, <=, 1e-5);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ops/group-norm", test_group_norm);
  g_test_add_func ("/ops/token-attention", test_token_attention);
  g_test_add_func ("/ops/geglu-quick-gelu", test_geglu_quick_gelu);
  g_test_add_func ("/ops/add-channels", test_add_channels);
  g_test_add_func ("/ops/sd-shape-errors", test_sd_shape_errors);
  g_test_add_func ("/ops/sd-references", test_sd_references);
  g_test_add_func ("/ops/sd-blocks", test_sd_blocks);

  return g_test_run ();
}
