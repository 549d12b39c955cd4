/* bench-models.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "tessera.h"

/* Times loading a model (read, validate, detect) beside the time it takes
 * just to read the same bytes into memory once, in the same run.
 *
 *   bench-models RUNS FILE [EXTRA-FILE]     (EXTRA-FILE: an ncnn .bin)
 */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        double     *times,
        guint       runs)
{
  qsort (times, runs, sizeof (double), compare_doubles);
  printf ("  %-34s best %7.2f ms  median %7.2f ms\n", what, times[0], times[runs / 2]);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree double *load = NULL;
  g_autofree double *read = NULL;
  guint runs;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s RUNS FILE [EXTRA-FILE]\n", argv[0]);
      return 2;
    }

  runs = MAX (1, atoi (argv[1]));
  load = g_new (double, runs);
  read = g_new (double, runs);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[2]);
      g_autoptr(TesseraModel) model = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      model = tessera_model_new_from_file (file, NULL, &error);
      load[i] = (g_get_monotonic_time () - start) / 1000.0;
      if (model == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }

      start = g_get_monotonic_time ();
      for (int f = 2; f < argc; f++)
        {
          g_autofree char *contents = NULL;
          gsize length;

          if (!g_file_get_contents (argv[f], &contents, &length, &error))
            {
              fprintf (stderr, "%s\n", error->message);
              return 1;
            }
        }
      read[i] = (g_get_monotonic_time () - start) / 1000.0;
    }

  report ("Tessera: load, validate, detect", load, runs);
  report ("reading the bytes once (reference)", read, runs);
  return 0;
}
