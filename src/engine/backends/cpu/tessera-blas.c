/* tessera-blas.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <dlfcn.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* OpenBLAS picks its kernels for the CPU when it is loaded. Debian 12's
 * 0.3.21 does not know AMD's Zen 4 and gives it the AVX2 (Haswell)
 * kernels, which run conv-shaped SGEMMs at about 90 GFLOP/s on a core
 * where its AVX-512 (SkylakeX) kernels reach 140–165. So the engine loads
 * OpenBLAS itself, once, after asking for the AVX-512 kernels on every CPU
 * that has the instructions they use, unless the user chose with
 * OPENBLAS_CORETYPE. */

typedef void (*SgemmFunc) (int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                           const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

static SgemmFunc sgemm;
static char *(*get_corename) (void);
static char *load_error;

static gboolean
cpu_has_avx512 (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw") &&
         __builtin_cpu_supports ("avx512dq") && __builtin_cpu_supports ("avx512vl");
#else
  return FALSE;
#endif
}

static gpointer
load (gpointer data)
{
  const char *names[] = { OPENBLAS_LIBRARY, "libopenblas.so.0" };
  void (*set_num_threads) (int) = NULL;
  void *library = NULL;

  if (g_getenv ("OPENBLAS_CORETYPE") == NULL && cpu_has_avx512 ())
    g_setenv ("OPENBLAS_CORETYPE", "SKYLAKEX", FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (names) && library == NULL; i++)
    library = dlopen (names[i], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL)
    {
      load_error = g_strdup_printf (_("OpenBLAS cannot be loaded (%s); install libopenblas0"), dlerror ());
      return NULL;
    }

  sgemm = (SgemmFunc) dlsym (library, "cblas_sgemm");
  set_num_threads = (void (*) (int)) dlsym (library, "openblas_set_num_threads");
  get_corename = (char *(*) (void)) dlsym (library, "openblas_get_corename");
  if (sgemm == NULL)
    {
      load_error = g_strdup (_("the OpenBLAS library has no cblas_sgemm"));
      return NULL;
    }

  /* The engine's pool splits the work; OpenBLAS threads as well would
   * oversubscribe the cores. */
  if (set_num_threads != NULL)
    set_num_threads (1);
  return NULL;
}

/**
 * tessera_blas_load:
 *
 * Loads OpenBLAS, once; the first call should come early, from the main
 * thread, as it may set an environment variable.
 */
gboolean
tessera_blas_load (GError **error)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, load, NULL);
  if (sgemm == NULL)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, load_error);
      return FALSE;
    }
  return TRUE;
}

/* The kernels OpenBLAS runs, such as "SkylakeX"; NULL before loading. */
const char *
tessera_blas_get_core (void)
{
  return get_corename != NULL ? get_corename () : NULL;
}

/* Row-major C = alpha · op(A) · op(B) + beta · C. */
void
tessera_sgemm (gboolean     transpose_a,
               gboolean     transpose_b,
               int          m,
               int          n,
               int          k,
               float        alpha,
               const float *a,
               int          lda,
               const float *b,
               int          ldb,
               float        beta,
               float       *c,
               int          ldc)
{
  sgemm (CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans,
         m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

typedef struct
{
  double  seconds;
  double *flops;        /* per item */
} RateProbe;

/* Conv-shaped: 64 output channels, a 3×3 kernel over 64 input channels,
 * a band of 1024 pixels; what the engine's im2col path multiplies. */
#define PROBE_M 64
#define PROBE_K 576
#define PROBE_N 1024

static void
probe_thread (guint    begin,
              guint    end,
              gpointer user_data)
{
  RateProbe *probe = user_data;
  g_autofree float *a = g_new (float, PROBE_M * PROBE_K);
  g_autofree float *b = g_new (float, PROBE_K * PROBE_N);
  g_autofree float *c = g_new (float, PROBE_M * PROBE_N);

  for (guint i = 0; i < PROBE_M * PROBE_K; i++)
    a[i] = (float) (i % 7) / 7.f;
  for (guint i = 0; i < PROBE_K * PROBE_N; i++)
    b[i] = (float) (i % 5) / 5.f;

  for (guint item = begin; item < end; item++)
    {
      gint64 start = g_get_monotonic_time ();

      while (g_get_monotonic_time () - start < probe->seconds * G_USEC_PER_SEC)
        {
          tessera_sgemm (FALSE, FALSE, PROBE_M, PROBE_N, PROBE_K, 1.f, a, PROBE_K, b, PROBE_N, 0.f, c, PROBE_N);
          probe->flops[item] += 2.0 * PROBE_M * PROBE_N * PROBE_K;
        }
    }
}

/**
 * tessera_blas_measure_rate:
 *
 * Returns: the GFLOP/s every thread of the engine's pool reaches together
 *   on conv-shaped SGEMMs during about @seconds: the ceiling of a CPU
 *   convolution done as im2col and SGEMM
 */
double
tessera_blas_measure_rate (double seconds)
{
  guint n_threads = tessera_parallel_get_n_threads ();
  g_autofree double *flops = g_new0 (double, n_threads);
  RateProbe probe = { seconds, flops };
  gint64 start = g_get_monotonic_time ();
  double sum = 0.0;

  /* One item per thread, each busy for the whole time. */
  tessera_parallel_for (n_threads, probe_thread, &probe);
  for (guint i = 0; i < n_threads; i++)
    sum += flops[i];
  return sum / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC) / 1e9;
}
