/* tessera-parallel.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-parallel"

#include "config.h"

#include <stdlib.h>

#include "tessera-parallel-private.h"

typedef struct
{
  TesseraRangeFunc func;
  gpointer         user_data;
  guint            n;
  guint            n_chunks;
  gint             next_chunk;   /* atomic */
  guint            pending;      /* helpers still running, under mutex */
  GMutex           mutex;
  GCond            cond;
} ParallelJob;

static GThreadPool *pool;

/* A job's --threads: the loops its thread starts use at most this many. */
static GPrivate thread_limit;

/**
 * tessera_parallel_set_thread_limit:
 * @limit: at most this many threads, or 0 for no limit
 *
 * Limits the parallel loops the calling thread starts from now on.
 */
void
tessera_parallel_set_thread_limit (guint limit)
{
  g_private_set (&thread_limit, GUINT_TO_POINTER (limit));
}

static guint
get_max_threads (void)
{
  static gsize n_threads;

  if (g_once_init_enter (&n_threads))
    {
      const char *env = g_getenv ("TESSERA_NUM_THREADS");
      guint n = env ? (guint) strtoul (env, NULL, 10) : 0;

      if (n == 0)
        n = g_get_num_processors ();
      g_once_init_leave (&n_threads, MAX (n, 1));
    }

  return n_threads;
}

/**
 * tessera_parallel_get_n_threads:
 *
 * The number of threads a parallel loop started by this thread uses: every
 * core, or `TESSERA_NUM_THREADS` when set, or the thread's limit.
 */
guint
tessera_parallel_get_n_threads (void)
{
  guint limit = GPOINTER_TO_UINT (g_private_get (&thread_limit));
  guint n = get_max_threads ();

  return limit > 0 ? MIN (limit, n) : n;
}

static void
run_chunks (ParallelJob *job)
{
  guint chunk;

  /* Chunks are handed out one at a time so that a slow thread delays no one. */
  while ((chunk = (guint) g_atomic_int_add (&job->next_chunk, 1)) < job->n_chunks)
    {
      guint begin = (guint64) job->n * chunk / job->n_chunks;
      guint end = (guint64) job->n * (chunk + 1) / job->n_chunks;

      job->func (begin, end, job->user_data);
    }
}

static void
helper_thread (gpointer data,
               gpointer pool_data)
{
  ParallelJob *job = data;

  run_chunks (job);

  g_mutex_lock (&job->mutex);
  if (--job->pending == 0)
    g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

/**
 * tessera_parallel_for:
 * @n: the number of items
 * @func: called with ranges [begin, end) that together cover [0, @n)
 * @user_data: passed to @func
 *
 * Runs @func over [0, @n) on all threads, the calling one included, and
 * returns when every range is done. @func must not call this function.
 */
void
tessera_parallel_for (guint            n,
                      TesseraRangeFunc func,
                      gpointer         user_data)
{
  static gsize pool_initialized;
  guint n_threads = tessera_parallel_get_n_threads ();
  ParallelJob job = { func, user_data, n };
  guint n_helpers;

  if (n == 0)
    return;

  if (n_threads == 1 || n == 1)
    {
      func (0, n, user_data);
      return;
    }

  if (g_once_init_enter (&pool_initialized))
    {
      pool = g_thread_pool_new (helper_thread, NULL, get_max_threads () - 1, FALSE, NULL);
      g_once_init_leave (&pool_initialized, 1);
    }

  job.n_chunks = MIN (n, n_threads * 4);
  n_helpers = MIN (n_threads, job.n_chunks) - 1;
  g_mutex_init (&job.mutex);
  g_cond_init (&job.cond);

  job.pending = n_helpers;
  for (guint i = 0; i < n_helpers; i++)
    {
      if (!g_thread_pool_push (pool, &job, NULL))
        {
          g_mutex_lock (&job.mutex);
          job.pending--;
          g_mutex_unlock (&job.mutex);
        }
    }

  run_chunks (&job);

  g_mutex_lock (&job.mutex);
  while (job.pending > 0)
    g_cond_wait (&job.cond, &job.mutex);
  g_mutex_unlock (&job.mutex);

  g_mutex_clear (&job.mutex);
  g_cond_clear (&job.cond);
}
