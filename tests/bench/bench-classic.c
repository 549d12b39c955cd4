/* bench-classic.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "tessera.h"

/* Times one classic upscale of an image file, as the engine runs it: from
 * float planes to float planes, file I/O excluded. Prints the best and the
 * median of the runs, in milliseconds and output megapixels per second.
 *
 *   bench-classic INPUT UPSCALER SCALE RUNS
 */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(TesseraImage) input = NULL;
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraUpscaleOptions) options = tessera_upscale_options_new ();
  g_autoptr(GError) error = NULL;
  g_autofree double *times = NULL;
  guint runs, out_width = 0, out_height = 0;
  double megapixels;

  if (argc != 5)
    {
      fprintf (stderr, "usage: %s INPUT UPSCALER SCALE RUNS\n", argv[0]);
      return 2;
    }

  file = g_file_new_for_commandline_arg (argv[1]);
  input = tessera_image_new_from_file (file, NULL, &error);
  if (input == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }

  tessera_upscale_options_set_upscaler (options, argv[2]);
  tessera_upscale_options_set_scale (options, g_ascii_strtod (argv[3], NULL));
  runs = MAX (1, atoi (argv[4]));
  times = g_new (double, runs);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(TesseraImage) output = NULL;
      gint64 start = g_get_monotonic_time ();

      output = tessera_engine_upscale (engine, input, options, NULL, NULL, NULL, &error);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      if (output == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      out_width = tessera_image_get_width (output);
      out_height = tessera_image_get_height (output);
    }

  qsort (times, runs, sizeof (double), compare_doubles);
  megapixels = (double) out_width * out_height / 1e6;
  printf ("%ux%u -> %ux%u best %.1f ms (%.1f MP/s) median %.1f ms (%.1f MP/s)\n",
          tessera_image_get_width (input), tessera_image_get_height (input), out_width, out_height,
          times[0], megapixels / (times[0] / 1000.0),
          times[runs / 2], megapixels / (times[runs / 2] / 1000.0));
  return 0;
}
