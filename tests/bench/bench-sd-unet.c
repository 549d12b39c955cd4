/* bench-sd-unet.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/cpu/tessera-cpu-private.h"
#include "core/tessera-parallel-private.h"
#include "diffusion/tessera-sd-nets-private.h"
#include "models/tessera-checkpoint-private.h"
#include "tessera-test-utils.h"

/* Times Stable Diffusion's UNet on the CPU as classifier-free guidance
 * calls it: once for the cond latent and once for the uncond one, and
 * both as one batch of two, with the inputs bench-sd-diffusers.py wrote
 * into DATA, and compares the outputs with diffusers'.
 * build-aux/bench-sd-cpu.sh runs it.
 *
 *   bench-sd-unet RUNS THREADS FOLDER DATA
 */

#define N_LATENTS 2

typedef struct
{
  guint  dims[3];
  float *values;
} Tensor;

static gboolean
load_tensor (const char *data,
             const char *name,
             guint       index,
             Tensor     *tensor)
{
  g_autofree char *file = g_strdup_printf ("%s-%u.npy", name, index);
  g_autofree char *path = g_build_filename (data, file, NULL);
  guint n_dims = 0;

  tensor->values = test_load_npy (path, &n_dims, tensor->dims);
  if (tensor->values == NULL || n_dims != 3)
    {
      fprintf (stderr, "%s: not a float32 .npy of three dimensions\n", path);
      return FALSE;
    }
  return TRUE;
}

/* max |ours − reference| / max |reference| */
static double
relative_error (const float  *ours,
                const Tensor *reference)
{
  gsize n = (gsize) reference->dims[0] * reference->dims[1] * reference->dims[2];
  double worst = 0.0, largest = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      worst = MAX (worst, fabs ((double) ours[i] - reference->values[i]));
      largest = MAX (largest, fabs ((double) reference->values[i]));
    }
  return worst / largest;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
print_times (const char *what,
             double     *times,
             guint       runs)
{
  printf ("%s", what);
  for (guint i = 0; i < runs; i++)
    printf (" %.3f", times[i]);
  printf ("\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TesseraCheckpoint) checkpoint = NULL;
  g_autoptr(TesseraBackend) backend = NULL;
  g_autoptr(TesseraUNet) unet = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *one = NULL;
  g_autofree double *pair = NULL;
  g_autofree double *batch = NULL;
  g_autofree float *batch_latents = NULL;
  g_autofree float *batch_output = NULL;
  Tensor latents[N_LATENTS] = { 0 }, contexts[N_LATENTS] = { 0 }, expected[N_LATENTS] = { 0 };
  g_autofree float *output = NULL;
  g_autofree char *timestep_path = NULL;
  g_autofree char *timestep_text = NULL;
  const TesseraCheckpointConfig *config;
  TesseraShape shape;
  double timestep;
  guint runs, threads;
  gint64 start;

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s RUNS THREADS FOLDER DATA\n", argv[0]);
      return 2;
    }

  runs = MAX (1, atoi (argv[1]));
  threads = MAX (1, atoi (argv[2]));
  tessera_parallel_set_thread_limit (threads);

  timestep_path = g_build_filename (argv[4], "timestep.txt", NULL);
  if (!g_file_get_contents (timestep_path, &timestep_text, NULL, &error))
    goto failed;
  timestep = g_ascii_strtod (timestep_text, NULL);
  for (guint i = 0; i < N_LATENTS; i++)
    if (!load_tensor (argv[4], "latent", i, &latents[i]) ||
        !load_tensor (argv[4], "context", i, &contexts[i]) ||
        !load_tensor (argv[4], "output", i, &expected[i]))
      return 1;

  backend = tessera_cpu_backend_new (&error);
  if (backend == NULL)
    goto failed;

  start = g_get_monotonic_time ();
  folder = g_file_new_for_commandline_arg (argv[3]);
  checkpoint = tessera_checkpoint_new_from_file (folder, NULL, &error);
  if (checkpoint == NULL)
    goto failed;
  printf ("tessera-load %.3f\n", seconds_since (start));

  start = g_get_monotonic_time ();
  config = tessera_checkpoint_get_config (checkpoint);
  unet = tessera_unet_new (tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_UNET),
                           &config->unet, contexts[0].dims[2], &error);
  if (unet == NULL)
    goto failed;
  printf ("tessera-build %.3f\n", seconds_since (start));

  shape = (TesseraShape) { latents[0].dims[0], latents[0].dims[1], latents[0].dims[2] };
  output = g_new (float, tessera_shape_size (&shape));
  batch_latents = g_new (float, N_LATENTS * tessera_shape_size (&shape));
  batch_output = g_new (float, N_LATENTS * tessera_shape_size (&shape));
  for (guint i = 0; i < N_LATENTS; i++)
    memcpy (batch_latents + i * tessera_shape_size (&shape), latents[i].values,
            tessera_shape_size (&shape) * sizeof (float));
  one = g_new (double, runs);
  pair = g_new (double, runs);
  batch = g_new (double, runs);
  tessera_unet_set_timestep (unet, timestep);

  /* One round more than timed: the first one warms up the allocator and
   * the caches, and gives the outputs to compare. */
  for (guint run = 0; run <= runs; run++)
    {
      double times[N_LATENTS];

      tessera_unet_set_batch (unet, 1);
      for (guint i = 0; i < N_LATENTS; i++)
        {
          TesseraTextContext context = { contexts[i].dims[0], contexts[i].dims[2], contexts[i].values };

          start = g_get_monotonic_time ();
          if (!tessera_unet_set_context (unet, 0, &context, &error) ||
              !tessera_graph_run (tessera_unet_get_graph (unet), backend, latents[i].values, &shape,
                                  output, NULL, &error))
            goto failed;
          times[i] = seconds_since (start);
          if (run == 0)
            printf ("relative-error-%u %.3g\n", i, relative_error (output, &expected[i]));
        }
      if (run > 0)
        {
          one[run - 1] = times[0];
          pair[run - 1] = times[0] + times[1];
        }

      tessera_unet_set_batch (unet, N_LATENTS);
      for (guint i = 0; i < N_LATENTS; i++)
        {
          TesseraTextContext context = { contexts[i].dims[0], contexts[i].dims[2], contexts[i].values };

          if (!tessera_unet_set_context (unet, i, &context, &error))
            goto failed;
        }
      start = g_get_monotonic_time ();
      if (!tessera_graph_run (tessera_unet_get_graph (unet), backend, batch_latents, &shape, batch_output,
                              NULL, &error))
        goto failed;
      if (run > 0)
        batch[run - 1] = seconds_since (start);
      else
        for (guint i = 0; i < N_LATENTS; i++)
          printf ("relative-error-batch-%u %.3g\n", i,
                  relative_error (batch_output + i * tessera_shape_size (&shape), &expected[i]));
    }

  printf ("tessera-threads %u\n", tessera_parallel_get_n_threads ());
  print_times ("tessera-one", one, runs);
  print_times ("tessera-pair", pair, runs);
  print_times ("tessera-batch", batch, runs);

  for (guint i = 0; i < N_LATENTS; i++)
    {
      g_free (latents[i].values);
      g_free (contexts[i].values);
      g_free (expected[i].values);
    }
  return 0;

failed:
  fprintf (stderr, "%s\n", error->message);
  return 1;
}
