/* test-sampling.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "sampling/tessera-rng-private.h"
#include "sampling/tessera-sampler-private.h"
#include "sampling/tessera-schedule-private.h"
#include "tessera-test-utils.h"

/* The sampling floor against the code it reproduces: PyTorch's CPU randn
 * and A1111's Philox bit for bit, k-diffusion's schedules and samplers and
 * A1111's DDIM within float32 rounding (data/make-sampling-refs.py). */

#define TOLERANCE 1e-5

static JsonParser *references_parser;

static JsonObject *
references (void)
{
  if (references_parser == NULL)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sampling", "references.json", NULL);
      g_autoptr(GError) error = NULL;

      references_parser = json_parser_new ();
      json_parser_load_from_file (references_parser, path, &error);
      g_assert_no_error (error);
    }
  return json_node_get_object (json_parser_get_root (references_parser));
}

static float *
float_array (JsonArray *array,
             guint     *n)
{
  float *values = g_new (float, json_array_get_length (array));

  for (guint i = 0; i < json_array_get_length (array); i++)
    values[i] = json_array_get_double_element (array, i);
  if (n != NULL)
    *n = json_array_get_length (array);
  return values;
}

static float *
load_npy (const char *name,
          guint      *n_dims,
          guint      *shape)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sampling", name, NULL);

  return test_load_npy (path, n_dims, shape);
}

/* |ours − theirs| / |theirs|, or the absolute difference near 0. */
static double
relative_error (double ours,
                double theirs)
{
  return fabs (ours - theirs) / MAX (fabs (theirs), 1e-3);
}

static char *
sha256_of_floats (const float *values,
                  gsize        n)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &values[i], sizeof bits);
      bits = GUINT32_TO_LE (bits);
      g_checksum_update (checksum, (const guchar *) &bits, sizeof bits);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static void
assert_same_bits (const float *ours,
                  const float *theirs,
                  gsize        n,
                  const char  *what)
{
  for (gsize i = 0; i < n; i++)
    if (memcmp (&ours[i], &theirs[i], sizeof (float)) != 0)
      g_error ("%s: value %" G_GSIZE_FORMAT " is %.9g, not %.9g", what, i, ours[i], theirs[i]);
}

/* Each case of references.json's rng.@kind: a stream of @seed and its
 * draws in turn, each equal to the reference in every bit. */
static void
check_rng_cases (const char     *kind_name,
                 TesseraRngKind  kind)
{
  JsonArray *cases = json_object_get_array_member (json_object_get_object_member (references (), "rng"), kind_name);
  guint n_draws = 0;

  for (guint c = 0; c < json_array_get_length (cases); c++)
    {
      JsonObject *test = json_array_get_object_element (cases, c);
      guint64 seed = json_object_get_int_member (test, "seed");
      JsonArray *draws = json_object_get_array_member (test, "draws");
      g_autoptr(TesseraRng) rng = tessera_rng_new (kind, seed);

      for (guint d = 0; d < json_array_get_length (draws); d++)
        {
          JsonObject *draw = json_array_get_object_element (draws, d);
          gsize n = json_object_get_int_member (draw, "n");
          g_autofree float *ours = g_new (float, n);
          g_autofree char *what = g_strdup_printf ("%s seed %" G_GUINT64_FORMAT ", draw %u of %" G_GSIZE_FORMAT,
                                                   kind_name, seed, d, n);

          tessera_rng_randn (rng, ours, n);
          if (json_object_has_member (draw, "values"))
            {
              g_autofree float *theirs = float_array (json_object_get_array_member (draw, "values"), NULL);

              assert_same_bits (ours, theirs, n, what);
            }
          else
            {
              guint n_head;
              g_autofree float *head = float_array (json_object_get_array_member (draw, "head"), &n_head);
              g_autofree char *sha256 = sha256_of_floats (ours, n);

              assert_same_bits (ours, head, n_head, what);
              if (!g_str_equal (sha256, json_object_get_string_member (draw, "sha256")))
                g_error ("%s: the values differ from the reference's (SHA-256 %s)", what, sha256);
            }
          n_draws++;
        }
    }
  g_test_message ("%u %s draws equal to the reference in every bit", n_draws, kind_name);
}

static void
test_rng_cpu (void)
{
  check_rng_cases ("cpu", TESSERA_RNG_CPU);
}

static void
test_rng_nv (void)
{
  check_rng_cases ("nv", TESSERA_RNG_NV);
}

/* Reseeding starts over: the spare normal of the scalar path is dropped,
 * and the Philox counter goes back to 0. */
static void
test_rng_reseed (void)
{
  for (TesseraRngKind kind = TESSERA_RNG_CPU; kind <= TESSERA_RNG_NV; kind++)
    {
      g_autoptr(TesseraRng) fresh = tessera_rng_new (kind, 31337);
      g_autoptr(TesseraRng) reseeded = tessera_rng_new (kind, 1);
      float a[17], b[17];

      tessera_rng_randn (reseeded, b, 3);
      tessera_rng_reseed (reseeded, 31337);
      for (guint n = 1; n <= 17; n += 8)
        {
          tessera_rng_randn (fresh, a, n);
          tessera_rng_randn (reseeded, b, n);
          g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
        }
    }
}

static TesseraSchedule *
schedule_of_config (JsonObject        *config,
                    TesseraPrediction  prediction)
{
  g_autoptr(GError) error = NULL;
  const char *beta_schedule = json_object_get_string_member (config, "beta_schedule");
  TesseraSchedule *schedule;

  schedule = tessera_schedule_new (prediction,
                                   g_str_equal (beta_schedule, "linear") ? TESSERA_BETA_LINEAR : TESSERA_BETA_SCALED_LINEAR,
                                   json_object_get_double_member (config, "beta_start"),
                                   json_object_get_double_member (config, "beta_end"),
                                   json_object_get_int_member (config, "n_timesteps"),
                                   &error);
  g_assert_no_error (error);
  return schedule;
}

static TesseraSigmaSpacing
spacing_of_name (const char *name)
{
  if (g_str_equal (name, "karras"))
    return TESSERA_SIGMAS_KARRAS;
  if (g_str_equal (name, "exponential"))
    return TESSERA_SIGMAS_EXPONENTIAL;
  g_assert_cmpstr (name, ==, "normal");
  return TESSERA_SIGMAS_NORMAL;
}

/* ᾱ from the config equals LDM's in every bit; σ, t, the scalings and each
 * spacing's noise levels k-diffusion's within float32 rounding. */
static void
test_schedules (void)
{
  JsonObject *configs = json_object_get_object_member (references (), "schedules");
  g_autoptr(GList) names = json_object_get_members (configs);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *config = json_object_get_object_member (configs, l->data);
      g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, TESSERA_PREDICTION_EPSILON);
      g_autoptr(TesseraSchedule) v_schedule = schedule_of_config (config, TESSERA_PREDICTION_V);
      g_autofree char *npy = g_strdup_printf ("alphas-%s.npy", (const char *) l->data);
      guint n_dims, shape[4], n;
      g_autofree float *alphas = load_npy (npy, &n_dims, shape);
      JsonObject *to_t = json_object_get_object_member (config, "sigma_to_t");
      JsonObject *to_sigma = json_object_get_object_member (config, "t_to_sigma");
      JsonObject *scalings = json_object_get_object_member (config, "scalings");
      JsonArray *spacings = json_object_get_array_member (config, "get_sigmas");
      g_autofree float *probes = float_array (json_object_get_array_member (to_t, "sigma"), &n);
      g_autofree float *times = NULL;
      guint n_times;
      double worst_t = 0, worst_sigma = 0, worst_scaling = 0, worst_spacing = 0;

      g_assert_cmpuint (shape[0], ==, tessera_schedule_get_n_timesteps (schedule));
      assert_same_bits (tessera_schedule_get_alphas_cumprod (schedule), alphas, shape[0], l->data);
      g_assert_cmpfloat (tessera_schedule_get_sigma_min (schedule), ==,
                         json_array_get_double_element (json_object_get_array_member (config, "sigmas_of_model"), 0));
      g_assert_cmpfloat (tessera_schedule_get_sigma_max (schedule), ==,
                         json_array_get_double_element (json_object_get_array_member (config, "sigmas_of_model"), 5));

      for (guint i = 0; i < n; i++)
        {
          float t = json_array_get_double_element (json_object_get_array_member (to_t, "t"), i);
          float c_skip, c_out, c_in;

          worst_t = MAX (worst_t, fabs (tessera_schedule_sigma_to_t (schedule, probes[i]) - t) / 1000);

          tessera_schedule_get_scalings (schedule, probes[i], &c_skip, &c_out, &c_in);
          g_assert_cmpfloat (c_skip, ==, 1);
          worst_scaling = MAX (worst_scaling, relative_error (c_out, json_array_get_double_element (
                                 json_object_get_array_member (json_object_get_object_member (scalings, "eps"), "c_out"), i)));
          worst_scaling = MAX (worst_scaling, relative_error (c_in, json_array_get_double_element (
                                 json_object_get_array_member (json_object_get_object_member (scalings, "eps"), "c_in"), i)));
          tessera_schedule_get_scalings (v_schedule, probes[i], &c_skip, &c_out, &c_in);
          worst_scaling = MAX (worst_scaling, relative_error (c_skip, json_array_get_double_element (
                                 json_object_get_array_member (json_object_get_object_member (scalings, "v"), "c_skip"), i)));
          worst_scaling = MAX (worst_scaling, relative_error (c_out, json_array_get_double_element (
                                 json_object_get_array_member (json_object_get_object_member (scalings, "v"), "c_out"), i)));
          worst_scaling = MAX (worst_scaling, relative_error (c_in, json_array_get_double_element (
                                 json_object_get_array_member (json_object_get_object_member (scalings, "v"), "c_in"), i)));
        }

      times = float_array (json_object_get_array_member (to_sigma, "t"), &n_times);
      for (guint i = 0; i < n_times; i++)
        worst_sigma = MAX (worst_sigma, relative_error (tessera_schedule_t_to_sigma (schedule, times[i]),
                                                        json_array_get_double_element (json_object_get_array_member (to_sigma, "sigma"), i)));

      for (guint s = 0; s < json_array_get_length (spacings); s++)
        {
          JsonObject *spacing = json_array_get_object_element (spacings, s);
          guint steps = json_object_get_int_member (spacing, "n"), n_theirs;
          g_autofree float *ours = tessera_schedule_get_sigmas (schedule, spacing_of_name (json_object_get_string_member (spacing, "spacing")), steps);
          g_autofree float *theirs = float_array (json_object_get_array_member (spacing, "sigmas"), &n_theirs);

          g_assert_cmpuint (n_theirs, ==, steps + 1);
          g_assert_cmpfloat (ours[steps], ==, 0);
          for (guint i = 0; i < steps; i++)
            worst_spacing = MAX (worst_spacing, relative_error (ours[i], theirs[i]));
        }

      g_test_message ("%s: sigma_to_t within %.2g of the 1000 timesteps, t_to_sigma within %.2g, "
                      "scalings within %.2g, %u spacings within %.2g",
                      (const char *) l->data, worst_t, worst_sigma, worst_scaling,
                      json_array_get_length (spacings), worst_spacing);
      g_assert_cmpfloat (worst_t, <, TOLERANCE);
      g_assert_cmpfloat (worst_sigma, <, TOLERANCE);
      g_assert_cmpfloat (worst_scaling, <, TOLERANCE);
      g_assert_cmpfloat (worst_spacing, <, TOLERANCE);
    }
}

/* The model is given exactly its own timestep at each of its σ, as DDIM
 * gives it. */
static void
test_schedule_own_timesteps (void)
{
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"), "sd1");
  g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, TESSERA_PREDICTION_EPSILON);

  for (guint t = 0; t < tessera_schedule_get_n_timesteps (schedule); t++)
    {
      float sigma = tessera_schedule_get_sigma (schedule, t);

      g_assert_cmpfloat (tessera_schedule_sigma_to_t (schedule, sigma), ==, t);
      g_assert_cmpfloat (tessera_schedule_t_to_sigma (schedule, t), ==, sigma);
    }
}

/* A checkpoint's alphas_cumprod makes the same schedule. */
static void
test_schedule_from_alphas (void)
{
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"), "sd1");
  g_autoptr(TesseraSchedule) from_config = schedule_of_config (config, TESSERA_PREDICTION_V);
  g_autoptr(TesseraSchedule) from_alphas = NULL;
  g_autoptr(GError) error = NULL;
  guint n_dims, shape[4];
  g_autofree float *alphas = load_npy ("alphas-sd1.npy", &n_dims, shape);
  g_autofree float *sigmas_a = NULL;
  g_autofree float *sigmas_b = NULL;

  from_alphas = tessera_schedule_new_from_alphas (TESSERA_PREDICTION_V, alphas, shape[0], &error);
  g_assert_no_error (error);
  g_assert_cmpint (tessera_schedule_get_prediction (from_alphas), ==, TESSERA_PREDICTION_V);
  sigmas_a = tessera_schedule_get_sigmas (from_config, TESSERA_SIGMAS_KARRAS, 12);
  sigmas_b = tessera_schedule_get_sigmas (from_alphas, TESSERA_SIGMAS_KARRAS, 12);
  g_assert_cmpmem (sigmas_a, 13 * sizeof (float), sigmas_b, 13 * sizeof (float));
  for (guint t = 0; t < shape[0]; t++)
    g_assert_cmpfloat (tessera_schedule_get_sigma (from_alphas, t), ==, tessera_schedule_get_sigma (from_config, t));
}

static void
test_schedule_errors (void)
{
  const float rising[] = { 0.9f, 0.5f, 0.6f };
  const float one[] = { 1.0f, 0.5f };
  TesseraSchedule *schedule;
  GError *error = NULL;

  schedule = tessera_schedule_new (TESSERA_PREDICTION_EPSILON, TESSERA_BETA_LINEAR, 0.0001, 1.5, 1000, &error);
  g_assert_null (schedule);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "1.5"));
  g_clear_error (&error);

  schedule = tessera_schedule_new (TESSERA_PREDICTION_EPSILON, TESSERA_BETA_LINEAR, 0.0001, 0.02, 1, &error);
  g_assert_null (schedule);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  schedule = tessera_schedule_new_from_alphas (TESSERA_PREDICTION_EPSILON, rising, 3, &error);
  g_assert_null (schedule);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "timestep 2"));
  g_clear_error (&error);

  schedule = tessera_schedule_new_from_alphas (TESSERA_PREDICTION_EPSILON, one, 2, &error);
  g_assert_null (schedule);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "timestep 0"));
  g_clear_error (&error);
}

/* The toy model of make-sampling-refs.py, F(x, t) = a·x + b·sin(t / 100),
 * made a denoiser with the schedule's scalings. */
typedef struct
{
  const TesseraSchedule *schedule;
  gsize                  n;
  float                  a;
  float                  b;
  guint                  calls;
  guint                  fail_at;   /* the call that fails, from 1; 0 never */
} Toy;

static gboolean
toy_denoise (const float  *x,
             float         sigma,
             float        *denoised,
             gpointer      data,
             GError      **error)
{
  Toy *toy = data;
  float c_skip, c_out, c_in;
  float wave = toy->b * sinf (tessera_schedule_sigma_to_t (toy->schedule, sigma) / 100);

  if (++toy->calls == toy->fail_at)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, "out of memory at call %u", toy->calls);
      return FALSE;
    }

  tessera_schedule_get_scalings (toy->schedule, sigma, &c_skip, &c_out, &c_in);
  for (gsize i = 0; i < toy->n; i++)
    denoised[i] = c_skip * x[i] + c_out * (toy->a * (x[i] * c_in) + wave);
  return TRUE;
}

static TesseraSamplerKind
sampler_of_name (const char *name)
{
  const char *names[] = { "euler", "euler_a", "heun", "dpmpp_2m", "dpmpp_2s_a", "ddim" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (name, names[i]))
      return i;
  g_assert_not_reached ();
}

static void
count_step (guint        step,
            guint        n_steps,
            const float *x,
            const float *denoised,
            gpointer     data)
{
  guint *steps = data;

  g_assert_cmpuint (step, ==, *steps);
  g_assert_cmpuint (step, <, n_steps);
  (*steps)++;
}

/* One case of references.json's samplers: its plan, its start from its
 * own stream, its run, all as the reference made them. */
static void
test_sampler_case (gconstpointer data)
{
  guint index = GPOINTER_TO_UINT (data);
  JsonObject *toy_config = json_object_get_object_member (references (), "toy");
  JsonObject *test = json_array_get_object_element (json_object_get_array_member (references (), "samplers"), index);
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"),
                                                      json_object_get_string_member (toy_config, "config"));
  gboolean v = g_str_equal (json_object_get_string_member (test, "prediction"), "v");
  g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, v ? TESSERA_PREDICTION_V : TESSERA_PREDICTION_EPSILON);
  TesseraSamplerKind sampler = sampler_of_name (json_object_get_string_member (test, "sampler"));
  TesseraSigmaSpacing spacing = spacing_of_name (json_object_get_string_member (test, "spacing"));
  guint steps = json_object_get_int_member (test, "steps");
  gboolean img2img = g_str_equal (json_object_get_string_member (test, "mode"), "img2img");
  g_autoptr(TesseraSamplingPlan) plan = NULL;
  g_autoptr(TesseraRng) rng = tessera_rng_new (TESSERA_RNG_CPU, json_object_get_int_member (test, "seed"));
  g_autoptr(GError) error = NULL;
  guint n_dims, shape[4], n_steps_done = 0;
  g_autofree float *outputs = load_npy ("samplers.npy", &n_dims, shape);
  gsize n = shape[1];
  g_autofree float *noise = g_new (float, n);
  g_autofree float *init = g_new (float, n);
  g_autofree float *x = g_new (float, n);
  Toy toy = {
    .schedule = schedule,
    .n = n,
    .a = json_object_get_double_member (toy_config, "a"),
    .b = json_object_get_double_member (toy_config, "b"),
  };
  double error_of_run;

  if (img2img)
    plan = tessera_sampling_plan_new_img2img (schedule, sampler, spacing, steps,
                                              json_object_get_double_member (test, "denoise"),
                                              json_object_get_boolean_member (test, "exact_steps"), &error);
  else
    plan = tessera_sampling_plan_new_txt2img (schedule, sampler, spacing, steps, &error);
  g_assert_no_error (error);

  if (json_object_has_member (test, "sigmas"))
    {
      guint n_sigmas;
      g_autofree float *sigmas = float_array (json_object_get_array_member (test, "sigmas"), &n_sigmas);

      g_assert_cmpuint (plan->n_steps + 1, ==, n_sigmas);
      for (guint i = 0; i < n_sigmas; i++)
        g_assert_cmpfloat (relative_error (plan->sigmas[i], sigmas[i]), <, TOLERANCE);
    }
  if (json_object_has_member (test, "timesteps"))
    {
      JsonArray *timesteps = json_object_get_array_member (test, "timesteps");
      guint n_timesteps = json_array_get_length (timesteps);

      /* theirs rise, and DDIM calls the model at all but the first */
      g_assert_cmpuint (plan->n_steps + 1, ==, n_timesteps);
      for (guint i = 0; i < n_timesteps; i++)
        g_assert_cmpuint (plan->timesteps[i], ==, json_array_get_int_element (timesteps, n_timesteps - 1 - i));
    }

  for (gsize i = 0; i < n; i++)
    init[i] = 0.8 * sin (0.1 * i);
  tessera_rng_randn (rng, noise, n);
  tessera_sampling_plan_start (plan, img2img ? init : NULL, noise, x, n);
  tessera_sampler_run (plan, x, n, toy_denoise, &toy, rng, count_step, &n_steps_done, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_steps_done, ==, plan->n_steps);

  error_of_run = test_max_relative_error (x, outputs + index * n, n);
  g_test_message ("%s %s %s %s, %u steps: within %.2g of the reference",
                  json_object_get_string_member (test, "mode"), json_object_get_string_member (test, "sampler"),
                  json_object_get_string_member (test, "spacing"), json_object_get_string_member (test, "prediction"),
                  plan->n_steps, error_of_run);
  g_assert_cmpfloat (error_of_run, <, TOLERANCE);
}

static void
test_plan_errors (void)
{
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"), "sd1");
  g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, TESSERA_PREDICTION_EPSILON);
  TesseraSamplingPlan *plan;
  GError *error = NULL;

  plan = tessera_sampling_plan_new_txt2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 0, &error);
  g_assert_null (plan);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  plan = tessera_sampling_plan_new_txt2img (schedule, TESSERA_SAMPLER_DDIM, TESSERA_SIGMAS_NORMAL, 1001, &error);
  g_assert_null (plan);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "1001"));
  g_clear_error (&error);

  plan = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 20, 0, FALSE, &error);
  g_assert_null (plan);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  plan = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 20, 1.5, FALSE, &error);
  g_assert_null (plan);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* "exact steps" at a tiny strength asks for millions */
  plan = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 20, 1e-6, TRUE, &error);
  g_assert_null (plan);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* A1111's img2img plans: the steps run and where they start. */
static void
test_plan_img2img (void)
{
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"), "sd1");
  g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, TESSERA_PREDICTION_EPSILON);
  g_autoptr(GError) error = NULL;
  g_autofree float *sigmas = tessera_schedule_get_sigmas (schedule, TESSERA_SIGMAS_NORMAL, 20);
  g_autoptr(TesseraSamplingPlan) euler = NULL;
  g_autoptr(TesseraSamplingPlan) exact = NULL;
  g_autoptr(TesseraSamplingPlan) ddim = NULL;

  /* t_enc = int(0.5 × 20) = 10: the last 11 steps of 20 */
  euler = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 20, 0.5, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (euler->n_steps, ==, 11);
  g_assert_cmpfloat (euler->sigmas[0], ==, sigmas[9]);
  g_assert_cmpfloat (euler->noise_scale, ==, sigmas[9]);
  g_assert_cmpfloat (euler->init_scale, ==, 1);
  g_assert_cmpfloat (euler->sigmas[11], ==, 0);

  /* exact steps: 20 steps of a 40-step schedule */
  exact = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_EULER, TESSERA_SIGMAS_NORMAL, 20, 0.5, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (exact->n_steps, ==, 20);

  /* DDIM at a strength too small for a step: the noised latent itself */
  ddim = tessera_sampling_plan_new_img2img (schedule, TESSERA_SAMPLER_DDIM, TESSERA_SIGMAS_NORMAL, 20, 0.04, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ddim->n_steps, ==, 0);
  g_assert_cmpfloat (ddim->init_scale, ==, sqrtf (tessera_schedule_get_alphas_cumprod (schedule)[1]));
}

static void
cancel_after_step_2 (guint        step,
                     guint        n_steps,
                     const float *x,
                     const float *denoised,
                     gpointer     data)
{
  if (step == 2)
    g_cancellable_cancel (data);
}

/* A run stops before the step after the cancel, and when the denoiser
 * fails, with its error. */
static void
test_run_stops (void)
{
  JsonObject *config = json_object_get_object_member (json_object_get_object_member (references (), "schedules"), "sd1");
  g_autoptr(TesseraSchedule) schedule = schedule_of_config (config, TESSERA_PREDICTION_EPSILON);
  g_autoptr(TesseraSamplingPlan) plan = NULL;
  g_autoptr(TesseraRng) rng = tessera_rng_new (TESSERA_RNG_NV, 7);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GError *error = NULL;
  float x[32];
  Toy toy = { .schedule = schedule, .n = 32, .a = 0.4f, .b = 0.3f };

  plan = tessera_sampling_plan_new_txt2img (schedule, TESSERA_SAMPLER_HEUN, TESSERA_SIGMAS_KARRAS, 10, &error);
  g_assert_no_error (error);
  tessera_rng_randn (rng, x, 32);
  tessera_sampling_plan_start (plan, NULL, x, x, 32);

  g_assert_false (tessera_sampler_run (plan, x, 32, toy_denoise, &toy, NULL, cancel_after_step_2, cancellable, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (toy.calls, ==, 6);

  toy.calls = 0;
  toy.fail_at = 4;
  g_assert_false (tessera_sampler_run (plan, x, 32, toy_denoise, &toy, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY);
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  JsonArray *cases;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sampling/rng/cpu", test_rng_cpu);
  g_test_add_func ("/sampling/rng/nv", test_rng_nv);
  g_test_add_func ("/sampling/rng/reseed", test_rng_reseed);
  g_test_add_func ("/sampling/schedule/references", test_schedules);
  g_test_add_func ("/sampling/schedule/own-timesteps", test_schedule_own_timesteps);
  g_test_add_func ("/sampling/schedule/from-alphas", test_schedule_from_alphas);
  g_test_add_func ("/sampling/schedule/errors", test_schedule_errors);
  g_test_add_func ("/sampling/plan/img2img", test_plan_img2img);
  g_test_add_func ("/sampling/plan/errors", test_plan_errors);
  g_test_add_func ("/sampling/run/stops", test_run_stops);

  cases = json_object_get_array_member (references (), "samplers");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      g_autofree char *path = g_strdup_printf ("/sampling/sampler/%02u-%s-%s-%s-%s", i,
                                               json_object_get_string_member (test, "mode"),
                                               json_object_get_string_member (test, "sampler"),
                                               json_object_get_string_member (test, "spacing"),
                                               json_object_get_string_member (test, "prediction"));

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_sampler_case);
    }

  return g_test_run ();
}
