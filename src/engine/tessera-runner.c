/* tessera-runner.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-runner"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-memory-private.h"
#include "core/tessera-parallel-private.h"
#include "image/tessera-image-private.h"
#include "image/tessera-resample-private.h"
#include "tessera-runner-private.h"

/* The image is padded by reflection (pre_pad) before the network, as
 * Real-ESRGAN and its ncnn ports do: convolutions that zero-pad at a bare
 * image edge darken it. A tile's region reads the padded image through
 * reflect_index(), so the padded image is never made. */

/* Index @i reflected into [0, @size), bouncing between the edges when the
 * border is wider than the image. */
static guint
reflect_index (int i,
               int size)
{
  int period = 2 * (size - 1);

  if (size == 1)
    return 0;
  i %= period;
  if (i < 0)
    i += period;
  return i < size ? i : period - i;
}

/* The bytes a @width × @height region takes in the network; under TTA
 * the network also sees it transposed, and the runner keeps a
 * transformed input and a second output beside the tile's. */
static gsize
region_bytes (TesseraNetwork *network,
              guint           width,
              guint           height,
              gboolean        tta)
{
  guint s = tessera_network_get_scale (network);
  gsize bytes = tessera_network_peak_bytes (network, width, height);
  gsize area = (gsize) width * height;

  if (!tta || bytes == 0)
    return bytes;
  bytes = MAX (bytes, tessera_network_peak_bytes (network, height, width));
  return bytes + area * (tessera_network_get_in_channels (network) +
                         (gsize) s * s * tessera_network_get_out_channels (network)) * sizeof (float);
}

/**
 * tessera_runner_auto_tile_size:
 *
 * The largest tile whose region the network runs on within @budget bytes;
 * the whole image when it fits. For a network that wants whole windows,
 * a multiple of the window, as the plan's regions are.
 */
guint
tessera_runner_auto_tile_size (TesseraNetwork *network,
                               guint           width,
                               guint           height,
                               guint           overlap,
                               guint           pre_pad,
                               gboolean        tta,
                               gsize           budget)
{
  guint side = MAX (width, height), low = 16, high;
  guint m = tessera_network_get_tile_multiple (network);
  guint margin = (MAX (overlap, pre_pad) + m - 1) / m * m;
  gsize whole = region_bytes (network, width + 2 * pre_pad, height + 2 * pre_pad, tta);

  if (whole > 0 && whole <= budget)
    return side;

  /* Peak memory grows with the region's area; search the side. */
  high = side;
  while (low < high)
    {
      guint mid = (low + high + 1) / 2;
      guint region = (mid + m - 1) / m * m + 2 * margin;
      gsize bytes = region_bytes (network, region, region, tta);

      if (bytes > 0 && bytes <= budget)
        low = mid;
      else
        high = mid - 1;
    }

  low = MAX (low, 16);
  return MAX (m, low / m * m);
}

TesseraTilePlan *
tessera_runner_plan (TesseraNetwork          *network,
                     guint                    width,
                     guint                    height,
                     const TesseraRunOptions *options)
{
  guint tile = options->tile_size;

  if (tile == 0)
    tile = tessera_runner_auto_tile_size (network, width, height, options->overlap, options->pre_pad,
                                          options->tta, options->memory_budget);
  return tessera_tile_plan_new_aligned (width, height, tile, options->overlap, options->pre_pad,
                                        tessera_network_get_tile_multiple (network));
}

typedef struct
{
  TesseraNetwork  *network;
  TesseraBackend  *backend;
  TesseraTilePlan *plan;
  const float    **input;        /* n_planes planes of width × height */
  float          **output;       /* n_planes planes, scale times larger */
  guint            n_planes;
  guint            width;
  guint            height;
  GCancellable    *cancellable;
  TesseraImage    *tile_pixels;  /* the running tile's core, when wanted */
  float           *tile_in;      /* room for the largest region's input */
  float           *tile_out;     /* and its output */
  gboolean         tta;
  float           *tta_in;       /* under TTA, the region transformed */
  float           *tta_out;      /* and the network's output for it */
  /* A band of the image, when it streams: the input planes start at row
   * in_first, the output planes hold rows [out_first, out_end). */
  guint            in_first;
  guint            out_first;
  guint            out_end;
} Run;

/* Copies the region's pixels of @plane into @dst, reflecting past the edges. */
static void
read_region (const Run         *run,
             const float       *plane,
             const TesseraRect *region,
             float             *dst)
{
  /* The columns inside the image are copied as they are. */
  int inside_a = CLAMP (-region->x, 0, region->width);
  int inside_b = CLAMP ((int) run->width - region->x, inside_a, region->width);

  for (int y = 0; y < region->height; y++, dst += region->width)
    {
      const float *row = plane + (gsize) (reflect_index (region->y + y, run->height) - run->in_first) * run->width;

      for (int x = 0; x < inside_a; x++)
        dst[x] = row[reflect_index (region->x + x, run->width)];
      memcpy (dst + inside_a, row + region->x + inside_a, (gsize) (inside_b - inside_a) * sizeof (float));
      for (int x = inside_b; x < region->width; x++)
        dst[x] = row[reflect_index (region->x + x, run->width)];
    }
}

typedef struct
{
  const Run         *run;
  guint              index;
  const TesseraRect *core;
  const TesseraRect *region;
  const float       *tile;
  guint              plane;
  const float       *column_weights;
} Blend;

static void TESSERA_VECTORIZE
blend_rows (guint    begin,
            guint    end,
            gpointer user_data)
{
  const Blend *b = user_data;
  const Run *run = b->run;
  guint s = tessera_network_get_scale (run->network);
  int tile_width = b->region->width * s;
  int out_width = run->width * s, out_height = run->height * s;
  double centre_x = b->core->x + b->core->width / 2.0;
  float *out = run->output[b->plane];
  /* The tile's columns inside the image, so that the row loop has no
   * test and vectorises. */
  int x0 = b->region->x * (int) s, first = MAX (0, -x0), last = MIN (tile_width, out_width - x0);

  for (guint y = begin; y < end; y++)
    {
      int oy = b->region->y * (int) s + (int) y;
      float row_weight;
      const float *src = b->tile + (gsize) y * tile_width;
      float *dst;

      if (oy < 0 || oy >= out_height || oy < (int) run->out_first || oy >= (int) run->out_end)
        continue;
      row_weight = tessera_tile_plan_get_weight (run->plan, b->index, centre_x, (oy + 0.5) / s);
      if (row_weight == 0.f)
        continue;

      dst = out + (gsize) (oy - run->out_first) * out_width + x0;
      for (int x = first; x < last; x++)
        dst[x] += row_weight * b->column_weights[x] * src[x];
    }
}

/* Adds a tile's output, weighted, to the image's output planes, rows on
 * every thread: a whole-image tile on a GPU leaves little else on the
 * host. */
static void
blend_tile (const Run         *run,
            guint              index,
            const TesseraRect *core,
            const TesseraRect *region,
            const float       *tile,
            guint              plane)
{
  guint s = tessera_network_get_scale (run->network);
  int tile_width = region->width * s;
  double centre_y = core->y + core->height / 2.0;
  g_autofree float *column_weights = g_new (float, tile_width);
  Blend blend = { run, index, core, region, tile, plane, column_weights };

  for (int x = 0; x < tile_width; x++)
    column_weights[x] = tessera_tile_plan_get_weight (run->plan, index, (region->x * (double) s + x + 0.5) / s,
                                                      centre_y);
  tessera_parallel_for (region->height * s, blend_rows, &blend);
}

/* Copies the core of a tile's output @plane into @plane of
 * run->tile_pixels, clamped for the screen. */
static void
copy_core (const Run         *run,
           const TesseraRect *core,
           const TesseraRect *region,
           const float       *tile,
           guint              plane)
{
  guint s = tessera_network_get_scale (run->network);
  gsize tile_width = (gsize) region->width * s, width = (gsize) core->width * s;
  const float *src = tile + (gsize) (core->y - region->y) * s * tile_width + (gsize) (core->x - region->x) * s;
  float *dst = tessera_image_get_plane (run->tile_pixels, plane);

  for (gsize y = 0; y < (gsize) core->height * s; y++, src += tile_width, dst += width)
    for (gsize x = 0; x < width; x++)
      dst[x] = CLAMP (src[x], 0.f, 1.f);
}

/* Where pixel (@x, @y) of a @width × @height plane lies in the plane
 * seen through TTA transform @t, as realesrgan-ncnn-vulkan orders them:
 * as it is, mirrored left to right, turned half round, mirrored top to
 * bottom, then the same four of the transposed plane. As a start and a
 * step along x and along y, so that the loops stay plain. */
static void
tta_steps (guint   t,
           gssize  width,
           gssize  height,
           gssize *start,
           gssize *step_x,
           gssize *step_y)
{
  gboolean transposed = t >= 4;
  gboolean mirror_x = t == 1 || t == 2 || t == 6 || t == 7;
  gboolean mirror_y = t == 2 || t == 3 || t == 5 || t == 6;
  /* In the transposed plane a row is a column of this one. */
  gssize along_x = transposed ? height : 1, along_y = transposed ? 1 : width;

  *start = (mirror_x ? (width - 1) * along_x : 0) + (mirror_y ? (height - 1) * along_y : 0);
  *step_x = mirror_x ? -along_x : along_x;
  *step_y = mirror_y ? -along_y : along_y;
}

/* The network on a @width × @height region; with TTA, on its 8
 * transforms, their outputs turned back and averaged in ncnn's order
 * (summed one after another, then times 1/8). */
static gboolean
run_network (const Run    *run,
             const float  *input,
             guint         width,
             guint         height,
             float        *output,
             GError      **error)
{
  guint s = tessera_network_get_scale (run->network);
  guint in_channels = tessera_network_get_in_channels (run->network);
  guint out_channels = tessera_network_get_out_channels (run->network);
  gsize in_plane = (gsize) width * height, out_plane = in_plane * s * s;
  gssize out_width = (gssize) width * s, out_height = (gssize) height * s;

  if (!tessera_network_run (run->network, run->backend, input, width, height, output, run->cancellable, error))
    return FALSE;
  if (!run->tta)
    return TRUE;

  for (guint t = 1; t < 8; t++)
    {
      gboolean transposed = t >= 4;
      gssize start, step_x, step_y;

      tta_steps (t, width, height, &start, &step_x, &step_y);
      for (guint c = 0; c < in_channels; c++)
        {
          const float *src = input + c * in_plane;
          float *dst = run->tta_in + c * in_plane + start;

          for (gssize y = 0; y < (gssize) height; y++)
            for (gssize x = 0; x < (gssize) width; x++)
              dst[x * step_x + y * step_y] = src[y * width + x];
        }

      if (!tessera_network_run (run->network, run->backend, run->tta_in, transposed ? height : width,
                                transposed ? width : height, run->tta_out, run->cancellable, error))
        return FALSE;

      tta_steps (t, out_width, out_height, &start, &step_x, &step_y);
      for (guint c = 0; c < out_channels; c++)
        {
          const float *src = run->tta_out + c * out_plane + start;
          float *dst = output + c * out_plane;

          for (gssize y = 0; y < out_height; y++)
            for (gssize x = 0; x < out_width; x++)
              dst[y * out_width + x] += src[x * step_x + y * step_y];
        }
    }

  for (gsize i = 0; i < out_plane * out_channels; i++)
    output[i] *= 0.125f;
  return TRUE;
}

/* Runs one tile. The network's channels and the planes need not agree: a
 * gray network runs once per plane; a colour network given one plane (an
 * alpha channel) sees it as gray and gives back its channels' mean. */
static gboolean
run_tile (const Run  *run,
          guint       index,
          GError    **error)
{
  guint s = tessera_network_get_scale (run->network);
  guint in_channels = tessera_network_get_in_channels (run->network);
  guint out_channels = tessera_network_get_out_channels (run->network);
  TesseraRect core, region;
  gsize in_plane, out_plane;
  float *tile_in = run->tile_in, *tile_out = run->tile_out;

  tessera_tile_plan_get_tile (run->plan, index, &core, &region);
  in_plane = (gsize) region.width * region.height;
  out_plane = in_plane * s * s;

  if (in_channels == run->n_planes)
    {
      gint64 start = g_get_monotonic_time (), read, ran;

      for (guint p = 0; p < run->n_planes; p++)
        read_region (run, run->input[p], &region, tile_in + p * in_plane);
      read = g_get_monotonic_time ();
      if (!run_network (run, tile_in, region.width, region.height, tile_out, error))
        return FALSE;
      ran = g_get_monotonic_time ();
      for (guint p = 0; p < run->n_planes; p++)
        {
          blend_tile (run, index, &core, &region, tile_out + p * out_plane, p);
          if (run->tile_pixels != NULL)
            copy_core (run, &core, &region, tile_out + p * out_plane, p);
        }
      g_debug ("tile %u, %d×%d: %.1f ms reading, %.1f ms in the network, %.1f ms blending", index,
               region.width, region.height, (read - start) / 1e3, (ran - read) / 1e3,
               (g_get_monotonic_time () - ran) / 1e3);
    }
  else if (in_channels == 1)
    {
      for (guint p = 0; p < run->n_planes; p++)
        {
          read_region (run, run->input[p], &region, tile_in);
          if (!run_network (run, tile_in, region.width, region.height, tile_out, error))
            return FALSE;
          blend_tile (run, index, &core, &region, tile_out, p);
          if (run->tile_pixels != NULL)
            copy_core (run, &core, &region, tile_out, p);
        }
    }
  else
    {
      read_region (run, run->input[0], &region, tile_in);
      for (guint c = 1; c < in_channels; c++)
        memcpy (tile_in + c * in_plane, tile_in, in_plane * sizeof (float));
      if (!run_network (run, tile_in, region.width, region.height, tile_out, error))
        return FALSE;
      for (gsize i = 0; i < out_plane; i++)
        {
          float sum = 0.f;

          for (guint c = 0; c < out_channels; c++)
            sum += tile_out[c * out_plane + i];
          tile_out[i] = sum / out_channels;
        }
      blend_tile (run, index, &core, &region, tile_out, 0);
    }

  return TRUE;
}

/* Runs tiles [@begin, @end) of @run's plan. */
static gboolean
run_tile_range (Run                     *run,
                const TesseraRunOptions *options,
                guint                    begin,
                guint                    end,
                guint                    first_done,
                guint                    total,
                GError                 **error)
{
  guint s = tessera_network_get_scale (run->network);
  /* Only the colour planes make pixels worth showing. */
  gboolean pixels = options->tile_pixels && run->n_planes == 3;

  for (guint i = begin; i < end; i++)
    {
      g_autoptr(TesseraImage) tile_pixels = NULL;
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;
      if (options->on_tile_start != NULL)
        options->on_tile_start (run->plan, i, options->user_data);

      if (pixels)
        {
          TesseraRect core, region;

          tessera_tile_plan_get_tile (run->plan, i, &core, &region);
          tile_pixels = tessera_image_new (core.width * s, core.height * s, FALSE, error);
          if (tile_pixels == NULL)
            return FALSE;
        }
      run->tile_pixels = tile_pixels;
      ok = run_tile (run, i, error);
      run->tile_pixels = NULL;
      if (!ok)
        return FALSE;

      if (options->on_tile_done != NULL)
        options->on_tile_done (run->plan, i, tile_pixels, first_done + i - begin + 1, total, options->user_data);
    }

  return TRUE;
}

/* Runs @run's plan over every tile. */
static gboolean
run_tiles (Run                     *run,
           const TesseraRunOptions *options,
           guint                    first_done,
           guint                    total,
           GError                 **error)
{
  return run_tile_range (run, options, 0, tessera_tile_plan_get_n_tiles (run->plan), first_done, total, error);
}

/* Room for the largest region's input and output: the backend's, where
 * it copies faster, else @owned (@owned_size bytes), to free. */
static gboolean
find_tile_memory (Run     *run,
                  float  **owned,
                  gsize   *owned_size,
                  GError **error)
{
  guint s = tessera_network_get_scale (run->network);
  guint in_channels = MAX (tessera_network_get_in_channels (run->network), 3);
  guint out_channels = MAX (tessera_network_get_out_channels (run->network), 3);
  gsize largest = 0, in_floats, out_floats, floats;
  TesseraRect core, region;
  float *memory;

  for (guint i = 0; i < tessera_tile_plan_get_n_tiles (run->plan); i++)
    {
      tessera_tile_plan_get_tile (run->plan, i, &core, &region);
      largest = MAX (largest, (gsize) region.width * region.height);
    }
  in_floats = largest * in_channels;
  out_floats = largest * s * s * out_channels;
  floats = in_floats + out_floats;
  if (run->tta)
    floats *= 2;

  memory = tessera_backend_host_memory (run->backend, floats);
  if (memory == NULL)
    {
      *owned_size = floats * sizeof (float);
      memory = *owned = tessera_alloc_large (*owned_size);
    }
  if (memory == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for a %d×%d tile; try a smaller tile size"), region.width, region.height);
      return FALSE;
    }

  run->tile_in = memory;
  run->tile_out = memory + in_floats;
  if (run->tta)
    {
      run->tta_in = run->tile_out + out_floats;
      run->tta_out = run->tta_in + in_floats;
    }
  return TRUE;
}

static gboolean
check_channels (TesseraNetwork  *network,
                GError         **error)
{
  guint in = tessera_network_get_in_channels (network);
  guint out = tessera_network_get_out_channels (network);
  g_autofree char *name = NULL;

  if ((in == 3 && out == 3) || (in == 1 && out == 1))
    return TRUE;

  name = g_file_get_basename (tessera_model_get_file (tessera_network_get_model (network)));

  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("%s: models with %u input and %u output channels are not supported; Tessera runs RGB and gray models"),
               name, in, out);
  return FALSE;
}

static TesseraImage *
upscale_once (TesseraNetwork           *network,
              TesseraBackend           *backend,
              TesseraImage             *input,
              const TesseraRunOptions  *options,
              GCancellable             *cancellable,
              GError                  **error)
{
  guint s = tessera_network_get_scale (network);
  guint width = tessera_image_get_width (input), height = tessera_image_get_height (input);
  gboolean has_alpha = tessera_image_get_has_alpha (input);
  gboolean alpha_by_model = has_alpha && options->alpha_by_model;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(TesseraTilePlan) plan = NULL;
  const float *rgb_in[3];
  float *rgb_out[3];
  Run run = { network, backend, NULL, rgb_in, rgb_out, 3, width, height, cancellable, NULL, NULL, NULL,
              options->tta, NULL, NULL, 0, 0, height * s };
  guint n_tiles;
  gint64 start;
  float *owned = NULL;
  gsize owned_size = 0;
  gboolean ok;

  if (!check_channels (network, error))
    return NULL;
  if ((guint64) width * s > TESSERA_IMAGE_MAX_SIDE || (guint64) height * s > TESSERA_IMAGE_MAX_SIDE)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("a %u×%u image upscaled ×%u would be larger than %u pixels on a side"),
                   width, height, s, TESSERA_IMAGE_MAX_SIDE);
      return NULL;
    }

  start = g_get_monotonic_time ();
  output = tessera_image_new (width * s, height * s, has_alpha, error);
  if (output == NULL)
    return NULL;
  g_debug ("output image: %.1f ms", (g_get_monotonic_time () - start) / 1e3);

  plan = tessera_runner_plan (network, width, height, options);
  run.plan = plan;
  n_tiles = tessera_tile_plan_get_n_tiles (plan);

  for (guint p = 0; p < 3; p++)
    {
      rgb_in[p] = tessera_image_get_plane (input, p);
      rgb_out[p] = tessera_image_get_plane (output, p);
    }

  if (!find_tile_memory (&run, &owned, &owned_size, error))
    return NULL;
  ok = run_tiles (&run, options, 0, alpha_by_model ? 2 * n_tiles : n_tiles, error);

  if (ok && alpha_by_model)
    {
      const float *alpha_in = tessera_image_get_plane (input, 3);
      float *alpha_out = tessera_image_get_plane (output, 3);

      run.input = &alpha_in;
      run.output = &alpha_out;
      run.n_planes = 1;
      ok = run_tiles (&run, options, n_tiles, 2 * n_tiles, error);
    }
  if (owned != NULL)
    tessera_free_large (owned, owned_size);
  if (!ok)
    return NULL;

  if (has_alpha && !alpha_by_model &&
      !tessera_resample_plane (input, 3, output, 3, TESSERA_FILTER_BICUBIC, cancellable, error))
    return NULL;

  return g_steal_pointer (&output);
}

/* Smallest tile an out-of-memory retry goes down to. */
#define MIN_RETRY_TILE 32

/**
 * tessera_runner_upscale:
 *
 * Upscales @input by the network's scale: RGB through the network, tile
 * by tile, and alpha through it as gray or by bicubic interpolation. When
 * the device runs out of memory, the run starts again with tiles half as
 * wide, down to MIN_RETRY_TILE.
 *
 * Returns: (transfer full): the upscaled image, its float values as the
 *   network gave them (unclamped)
 */
TesseraImage *
tessera_runner_upscale (TesseraNetwork           *network,
                        TesseraBackend           *backend,
                        TesseraImage             *input,
                        const TesseraRunOptions  *options,
                        GCancellable             *cancellable,
                        GError                  **error)
{
  TesseraRunOptions run = *options;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      TesseraImage *output = upscale_once (network, backend, input, &run, cancellable, &local_error);
      guint tile;

      if (output != NULL)
        return output;

      tile = run.tile_size != 0 ? run.tile_size
                                : tessera_runner_auto_tile_size (network, tessera_image_get_width (input),
                                                                 tessera_image_get_height (input), run.overlap,
                                                                 run.pre_pad, run.tta, run.memory_budget);
      if (!g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY) || tile / 2 < MIN_RETRY_TILE)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_debug ("Out of memory with %u-pixel tiles (%s); trying %u", tile, local_error->message, tile / 2);
      run.tile_size = tile / 2;
      if (run.on_retry != NULL)
        run.on_retry (run.tile_size, run.user_data);
    }
}

/* The input rows tile row @row of @plan reads, reflection included. */
static void
tile_row_source (TesseraTilePlan *plan,
                 guint            row,
                 guint            height,
                 guint           *first,
                 guint           *end)
{
  TesseraRect core, region;

  tessera_tile_plan_get_tile (plan, row * tessera_tile_plan_get_n_columns (plan), &core, &region);
  *first = height;
  *end = 0;
  for (int y = region.y; y < region.y + region.height; y++)
    {
      guint source = reflect_index (y, height);

      *first = MIN (*first, source);
      *end = MAX (*end, source + 1);
    }
}

/* The output rows tile row @row reaches: [@first, @end), within the image. */
static void
tile_row_output (TesseraTilePlan *plan,
                 guint            row,
                 guint            scale,
                 guint           *first,
                 guint           *end)
{
  TesseraRect core, region;
  guint out_height = tessera_tile_plan_get_height (plan) * scale;

  tessera_tile_plan_get_tile (plan, row * tessera_tile_plan_get_n_columns (plan), &core, &region);
  *first = (guint) CLAMP ((gint64) region.y * scale, 0, (gint64) out_height);
  *end = (guint) CLAMP ((gint64) (region.y + region.height) * scale, 0, (gint64) out_height);
}

/**
 * tessera_runner_upscale_stream:
 * @reader: the input, read row by row
 * @writer: the output, written row by row, @reader's size times the scale
 *
 * tessera_runner_upscale() band by band, for images larger than memory:
 * the same plan's tiles, a row of tiles at a time, blended into a band of
 * output rows; a row no later tile reaches is written out and let go.
 * Each pixel sums the same tiles in the same order as in memory, so the
 * file holds exactly what tessera_runner_upscale() and a save would.
 */
gboolean
tessera_runner_upscale_stream (TesseraNetwork           *network,
                               TesseraBackend           *backend,
                               TesseraImageReader       *reader,
                               TesseraImageWriter       *writer,
                               const TesseraRunOptions  *options,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  guint s = tessera_network_get_scale (network);
  guint width = tessera_image_reader_get_width (reader), height = tessera_image_reader_get_height (reader);
  gboolean has_alpha = tessera_image_get_has_alpha (tessera_image_reader_get_info (reader));
  gboolean alpha_by_model = has_alpha && options->alpha_by_model;
  guint n_planes = has_alpha ? 4 : 3, out_width = width * s, out_height = height * s;
  g_autoptr(TesseraTilePlan) plan = NULL;
  g_autoptr(TesseraResampleRows) alpha_rows = NULL;
  g_autofree guint *need_first = NULL;
  g_autofree guint *need_end = NULL;
  g_autofree float *band = NULL;
  const float *in_planes[4];
  float *out_planes[4];
  TesseraRowWindow window;
  Run run = { network, backend, NULL, in_planes, out_planes, 3, width, height, cancellable, NULL, NULL, NULL,
              options->tta, NULL, NULL, 0, 0, 0 };
  guint n_rows, n_columns, band_rows = 0, written = 0, done = 0, total;
  float *owned = NULL;
  gsize owned_size = 0;
  gboolean ok = TRUE;

  if (!check_channels (network, error))
    return FALSE;

  plan = tessera_runner_plan (network, width, height, options);
  run.plan = plan;
  n_rows = tessera_tile_plan_get_n_rows (plan);
  n_columns = tessera_tile_plan_get_n_columns (plan);
  total = tessera_tile_plan_get_n_tiles (plan) * (alpha_by_model ? 2 : 1);
  if (has_alpha && !alpha_by_model)
    alpha_rows = tessera_resample_rows_new (width, height, out_width, out_height, TESSERA_FILTER_BICUBIC);

  /* The input rows each tile row needs, and the alpha rows the output rows
   * it finishes need; the window only moves down, so each row's first is
   * the least of its own and of every later row's. */
  need_first = g_new (guint, n_rows);
  need_end = g_new (guint, n_rows);
  for (guint r = 0; r < n_rows; r++)
    {
      guint out_first, out_end, next_end;

      tile_row_source (plan, r, height, &need_first[r], &need_end[r]);
      tile_row_output (plan, r, s, &out_first, &out_end);
      band_rows = MAX (band_rows, out_end - out_first);
      if (alpha_rows != NULL)
        {
          guint from = r == 0 ? 0 : out_first, to = out_height, first, end;

          if (r + 1 < n_rows)
            tile_row_output (plan, r + 1, s, &to, &next_end);
          if (to > from)
            {
              tessera_resample_rows_get_source (alpha_rows, from, to, &first, &end);
              need_first[r] = MIN (need_first[r], first);
              need_end[r] = MAX (need_end[r], end);
            }
        }
    }
  for (guint r = n_rows - 1; r > 0; r--)
    need_first[r - 1] = MIN (need_first[r - 1], need_first[r]);

  band = g_try_malloc0_n ((gsize) band_rows * out_width * n_planes, sizeof (float));
  if (band == NULL)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                   _("not enough memory for %u rows of %u pixels"), band_rows, out_width);
      return FALSE;
    }
  if (!find_tile_memory (&run, &owned, &owned_size, error))
    return FALSE;

  tessera_row_window_init (&window, reader, FALSE);
  for (guint r = 0; ok && r < n_rows; r++)
    {
      guint out_first, out_end, finished;

      tile_row_output (plan, r, s, &out_first, &out_end);
      ok = tessera_row_window_hold (&window, need_first[r], need_end[r], error);
      if (!ok)
        break;

      /* The band holds rows [written, written + band_rows). */
      run.in_first = window.first;
      run.out_first = written;
      run.out_end = written + band_rows;
      for (guint c = 0; c < n_planes; c++)
        {
          in_planes[c] = window.planes[c];
          out_planes[c] = band + (gsize) c * band_rows * out_width;
        }

      run.input = in_planes;
      run.output = out_planes;
      run.n_planes = 3;
      ok = run_tile_range (&run, options, r * n_columns, (r + 1) * n_columns, done, total, error);
      done += n_columns;
      if (ok && alpha_by_model)
        {
          run.input = &in_planes[3];
          run.output = &out_planes[3];
          run.n_planes = 1;
          ok = run_tile_range (&run, options, r * n_columns, (r + 1) * n_columns, done, total, error);
          done += n_columns;
        }
      if (!ok)
        break;

      /* Rows above the next tile row's reach are final. */
      finished = out_height;
      if (r + 1 < n_rows)
        tile_row_output (plan, r + 1, s, &finished, &out_end);
      if (finished <= written)
        continue;

      if (alpha_rows != NULL)
        ok = tessera_resample_rows_run (alpha_rows, window.planes[3], window.first, out_planes[3], written,
                                        finished, error);
      if (ok)
        ok = tessera_image_writer_write_rows (writer, (const float * const *) out_planes, out_width,
                                              finished - written, error);

      /* The rows still open move to the top; the rest starts at zero again. */
      for (guint c = 0; ok && c < n_planes; c++)
        {
          gsize kept = (gsize) (written + band_rows - finished) * out_width;
          gsize moved = (gsize) (finished - written) * out_width;

          memmove (out_planes[c], out_planes[c] + moved, kept * sizeof (float));
          memset (out_planes[c] + kept, 0, moved * sizeof (float));
        }
      written = finished;
    }

  tessera_row_window_clear (&window);
  if (owned != NULL)
    tessera_free_large (owned, owned_size);
  return ok;
}
