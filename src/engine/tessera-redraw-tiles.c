/* tessera-redraw-tiles.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-tiles"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "image/tessera-color-fix-private.h"
#include "tessera-redraw-mask-private.h"
#include "tessera-redraw-private.h"

/* @source's pixels, alpha, bit depth and metadata in an image of their own,
 * which the jobs change one after another. */
static TesseraImage *
copy_image (TesseraImage  *source,
            GError       **error)
{
  guint width = tessera_image_get_width (source);
  guint height = tessera_image_get_height (source);
  gboolean has_alpha = tessera_image_get_has_alpha (source);
  TesseraImage *image = tessera_image_new (width, height, has_alpha, error);

  if (image == NULL)
    return NULL;
  for (guint c = 0; c < (has_alpha ? 4u : 3u); c++)
    memcpy (tessera_image_get_plane (image, c), tessera_image_get_plane (source, c),
            sizeof (float) * width * height);
  tessera_image_set_bit_depth (image, tessera_image_get_bit_depth (source));
  tessera_image_copy_metadata (image, source);
  return image;
}

/* One job's region of @image, resized to the processing size (A1111's
 * resize mode 2) and padded to the networks' multiple, in [−1, 1]. */
static float *
prepare_crop (TesseraImage      *image,
              const TesseraRect *crop,
              guint              process_width,
              guint              process_height,
              guint              multiple,
              guint             *padded_width,
              guint             *padded_height)
{
  guint width = tessera_image_get_width (image);
  g_autoptr(TesseraImage) processed = tessera_image_new (process_width, process_height, FALSE, NULL);
  g_autofree float *cut = g_new (float, (gsize) crop->width * crop->height);

  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (int y = 0; y < crop->height; y++)
        memcpy (cut + (gsize) y * crop->width,
                plane + (gsize) (crop->y + y) * width + crop->x, sizeof (float) * crop->width);
      tessera_mask_resize_fill_float (cut, crop->width, crop->height,
                                      tessera_image_get_plane (processed, c),
                                      process_width, process_height);
    }
  return tessera_redraw_pad_rgb (processed, multiple, padded_width, padded_height);
}

/* The redrawn region back at its size (A1111's apply_overlay(): resize
 * mode 1), clamped, one plane after another into @out. */
static void
restore_crop (const float       *rgb,
              guint              padded_width,
              guint              padded_height,
              guint              process_width,
              guint              process_height,
              const TesseraRect *crop,
              float             *out)
{
  g_autofree float *plane = g_new (float, (gsize) process_width * process_height);

  for (guint c = 0; c < 3; c++)
    {
      const float *in = rgb + (gsize) c * padded_width * padded_height;
      float *dest = out + (gsize) c * crop->width * crop->height;

      for (guint y = 0; y < process_height; y++)
        for (guint x = 0; x < process_width; x++)
          plane[(gsize) y * process_width + x] = CLAMP ((in[(gsize) y * padded_width + x] + 1.0f) / 2.0f, 0.0f, 1.0f);
      tessera_mask_resize_crop_float (plane, process_width, process_height, dest, crop->width, crop->height);
      for (gsize i = 0; i < (gsize) crop->width * crop->height; i++)
        dest[i] = CLAMP (dest[i], 0.0f, 1.0f);
    }
}

/* StableSR's colour fix of a redrawn region (3 planes of @region's size)
 * against the same region of the first stage's image: each region takes
 * its colours from what it was before any tile was redrawn, so a tile
 * that drifts does not pass its drift to the tiles after it. */
static void
fix_region_colors (TesseraRedrawOptions *options,
                   float                *redrawn,
                   TesseraImage         *staged,
                   const TesseraRect    *region)
{
  TesseraRedrawColorFix fix = tessera_redraw_options_get_color_fix (options);
  guint width = tessera_image_get_width (staged);
  gsize area = (gsize) region->width * region->height;
  g_autofree float *reference = NULL;

  if (fix == TESSERA_REDRAW_COLOR_FIX_NONE)
    return;
  reference = g_new (float, 3 * area);
  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (staged, c);

      for (int y = 0; y < region->height; y++)
        memcpy (reference + c * area + (gsize) y * region->width,
                plane + (gsize) (region->y + y) * width + region->x, sizeof (float) * region->width);
    }
  switch (fix)
    {
    case TESSERA_REDRAW_COLOR_FIX_NONE:
      break;
    case TESSERA_REDRAW_COLOR_FIX_WAVELET:
      tessera_color_fix_wavelet (redrawn, reference, region->width, region->height);
      break;
    case TESSERA_REDRAW_COLOR_FIX_ADAIN:
      tessera_color_fix_adain (redrawn, reference, region->width, region->height);
      break;
    }
}

/* One Ultimate SD Upscale job, as A1111's img2img "inpaint only masked"
 * with the original content: the region cut from the image as it is now
 * (the tiles before it already redrawn), redrawn where its latent mask is
 * set, and laid over the image through the blurred mask. */
static gboolean
run_usdu_job (TesseraRedrawSession  *session,
              TesseraRedrawPlan     *plan,
              guint                  index,
              TesseraImage          *staged,
              TesseraImage          *image,
              guint32                seed,
              GError               **error)
{
  TesseraRedrawOptions *options = tessera_redraw_session_get_options (session);
  const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, index);
  const TesseraRect *crop = &job->crop;
  guint width = tessera_image_get_width (image);
  gsize area = (gsize) crop->width * crop->height;
  g_autofree guint8 *mask = g_new (guint8, area);
  g_autofree float *rgb = NULL;
  g_autofree float *latent_mask = NULL;
  g_autofree float *redrawn = NULL;
  guint factor, multiple, pw, ph;

  /* A1111 would still take the region through the VAE and back, which
   * only loses detail: a job that changes nothing is left out. */
  if (job->denoise <= 0)
    return TRUE;

  tessera_redraw_session_get_geometry (session, &factor, &multiple);
  tessera_redraw_plan_render_mask (plan, index, crop, mask);
  rgb = prepare_crop (image, crop, job->process_width, job->process_height, multiple, &pw, &ph);

  if (tessera_redraw_options_get_tile_blend (options) == TESSERA_REDRAW_TILE_BLEND_A1111)
    {
      g_autofree guint8 *processed = tessera_mask_resize_fill (mask, crop->width, crop->height,
                                                               job->process_width, job->process_height);
      g_autofree guint8 *padded = g_new0 (guint8, (gsize) pw * ph);

      for (guint y = 0; y < job->process_height; y++)
        memcpy (padded + (gsize) y * pw, processed + (gsize) y * job->process_width, job->process_width);
      latent_mask = tessera_mask_latent (padded, pw, ph, pw / factor, ph / factor);
    }

  if (!tessera_redraw_session_redraw (session, rgb, pw, ph, latent_mask, job->denoise, seed,
                                      index, tessera_redraw_plan_get_n_jobs (plan), error))
    return FALSE;

  redrawn = g_new (float, 3 * area);
  restore_crop (rgb, pw, ph, job->process_width, job->process_height, crop, redrawn);
  /* before the colour fix takes its own buffers: a large image's job
   * holds few of the crop's size at once */
  g_clear_pointer (&rgb, g_free);

  fix_region_colors (options, redrawn, staged, crop);

  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);
      const float *from = redrawn + c * area;

      for (int y = 0; y < crop->height; y++)
        for (int x = 0; x < crop->width; x++)
          {
            float m = mask[(gsize) y * crop->width + x] / 255.0f;
            float *pixel = plane + (gsize) (crop->y + y) * width + crop->x + x;

            *pixel = from[(gsize) y * crop->width + x] * m + *pixel * (1 - m);
          }
    }
  return TRUE;
}

static TesseraImage *
run_usdu (TesseraRedrawSession  *session,
          TesseraRedrawPlan     *plan,
          TesseraImage          *staged,
          gboolean               in_place,
          guint32                seed,
          GError               **error)
{
  g_autoptr(TesseraImage) image = NULL;

  /* The jobs change the image as they go. Redrawn in place, a large
   * image is held once rather than twice, which it can be unless it is
   * the caller's or the colour fix needs the first stage as it was. */
  if (in_place && tessera_redraw_options_get_color_fix (tessera_redraw_session_get_options (session))
                  == TESSERA_REDRAW_COLOR_FIX_NONE)
    image = g_object_ref (staged);
  else
    image = copy_image (staged, error);
  if (image == NULL)
    return NULL;
  for (guint i = 0; i < tessera_redraw_plan_get_n_jobs (plan); i++)
    if (!run_usdu_job (session, plan, i, staged, image, seed, error))
      return NULL;
  return g_steal_pointer (&image);
}

/* Pillow's paste() through an 8-bit mask, in float: a ramp of
 * int(r · 255 / overlap) across the overlap, as combine_grid() makes. */
static inline float
ramp (guint r,
      guint overlap)
{
  return (guint8) (r * 255.0f / overlap) / 255.0f;
}

/* A job's processing size padded as prepare_crop() pads it */
static void
ceil_to_multiple (const TesseraRedrawJob *job,
                  guint                   multiple,
                  guint                  *padded_width,
                  guint                  *padded_height)
{
  *padded_width = (job->crop.width + multiple - 1) / multiple * multiple;
  *padded_height = (job->crop.height + multiple - 1) / multiple * multiple;
}

/* One SD upscale tile's redrawn pixels into the row, as combine_grid()
 * makes it: its first columns ramped over the tiles left of it. */
static void
combine_tile (const float       *redrawn,
              const TesseraRect *tile,
              guint              overlap,
              guint              width,
              float             *row)
{
  gsize area = (gsize) tile->width * tile->height;

  overlap = MIN (overlap, (guint) MIN (tile->width, tile->height) - 1);
  for (guint c = 0; c < 3; c++)
    for (int y = 0; y < tile->height; y++)
      for (int x = 0; x < tile->width; x++)
        {
          float value = redrawn[c * area + (gsize) y * tile->width + x];
          float *dest = row + ((gsize) c * tile->height + y) * width + tile->x + x;

          if (tile->x > 0 && x < (int) overlap)
            {
              float m = ramp (x, overlap);

              *dest = value * m + *dest * (1 - m);
            }
          else
            *dest = value;
        }
}

/* SD upscale's tiles @first to @first + @count, each redrawn from the
 * first stage's image, those of one size at once. Each tile has the
 * seed after the one before, as A1111's script gives them. */
static gboolean
run_sd_upscale_batch (TesseraRedrawSession  *session,
                      TesseraRedrawPlan     *plan,
                      TesseraImage          *staged,
                      guint                  first,
                      guint                  count,
                      guint32                seed,
                      float                 *row,
                      GError               **error)
{
  TesseraRedrawOptions *options = tessera_redraw_session_get_options (session);
  guint width = tessera_image_get_width (staged);
  guint overlap = tessera_redraw_options_get_overlap (options);
  g_autoptr(GPtrArray) rgbs = g_ptr_array_new_with_free_func (g_free);
  guint factor, multiple, pw = 0, ph = 0;

  tessera_redraw_session_get_geometry (session, &factor, &multiple);
  for (guint i = first; i < first + count; i++)
    {
      const TesseraRect *tile = &tessera_redraw_plan_get_job (plan, i)->crop;

      g_ptr_array_add (rgbs, prepare_crop (staged, tile, tile->width, tile->height, multiple, &pw, &ph));
    }

  for (guint i = first; i < first + count;)
    {
      const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, i);
      guint same = 1;

      /* the tiles at the edges may be of another size */
      while (i + same < first + count)
        {
          const TesseraRedrawJob *next = tessera_redraw_plan_get_job (plan, i + same);

          if (next->crop.width != job->crop.width || next->crop.height != job->crop.height ||
              next->denoise != job->denoise)
            break;
          same++;
        }
      ceil_to_multiple (job, multiple, &pw, &ph);
      if (!tessera_redraw_session_redraw_batch (session, (float * const *) rgbs->pdata + (i - first), same,
                                                pw, ph, job->denoise, seed + i, i,
                                                tessera_redraw_plan_get_n_jobs (plan), error))
        return FALSE;

      for (guint j = i; j < i + same; j++)
        {
          const TesseraRect *tile = &tessera_redraw_plan_get_job (plan, j)->crop;
          g_autofree float *redrawn = g_new (float, (gsize) 3 * tile->width * tile->height);

          restore_crop (g_ptr_array_index (rgbs, j - first), pw, ph, tile->width, tile->height, tile, redrawn);
          g_clear_pointer (&g_ptr_array_index (rgbs, j - first), g_free);
          fix_region_colors (options, redrawn, staged, tile);
          combine_tile (redrawn, tile, overlap, width, row);
        }
      i += same;
    }
  return TRUE;
}

static TesseraImage *
run_sd_upscale (TesseraRedrawSession  *session,
                TesseraRedrawPlan     *plan,
                TesseraImage          *staged,
                guint32                seed,
                GError               **error)
{
  guint width = tessera_image_get_width (staged);
  guint height = tessera_image_get_height (staged);
  guint n_jobs = tessera_redraw_plan_get_n_jobs (plan);
  guint columns = tessera_redraw_plan_get_n_columns (plan);
  guint overlap = tessera_redraw_options_get_overlap (tessera_redraw_session_get_options (session));
  guint batch = tessera_redraw_options_get_batch_size (tessera_redraw_session_get_options (session));
  g_autoptr(TesseraImage) image = copy_image (staged, error);
  g_autofree float *row = NULL;
  guint i = 0;

  if (image == NULL)
    return NULL;
  /* as for Ultimate SD Upscale's jobs: no strength, nothing to change */
  if (tessera_redraw_options_get_denoise (tessera_redraw_session_get_options (session)) <= 0)
    return g_steal_pointer (&image);

  while (i < n_jobs)
    {
      const TesseraRect *tile = &tessera_redraw_plan_get_job (plan, i)->crop;
      guint row_end = i + columns;
      guint tile_height = tile->height;

      g_clear_pointer (&row, g_free);
      row = g_new0 (float, (gsize) 3 * tile_height * width);
      while (i < row_end)
        {
          guint count = MIN (batch, row_end - i);
          g_autoptr(GError) local_error = NULL;

          if (!run_sd_upscale_batch (session, plan, staged, i, count, seed, row, &local_error))
            {
              /* a smaller batch may fit where this one did not */
              if (count > 1 && g_error_matches (local_error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY))
                {
                  batch = count / 2;
                  g_debug ("Out of memory with %u tiles at once; trying %u", count, batch);
                  continue;
                }
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          i += count;
        }

      /* the row into the image, its first rows ramped over the rows above */
      overlap = MIN (overlap, (guint) MIN (tile->width, tile->height) - 1);
      for (guint c = 0; c < 3; c++)
        {
          float *plane = tessera_image_get_plane (image, c);

          for (guint y = 0; y < tile_height && tile->y + y < height; y++)
            for (guint x = 0; x < width; x++)
              {
                float value = row[((gsize) c * tile_height + y) * width + x];
                float *dest = plane + (gsize) (tile->y + y) * width + x;

                if (tile->y > 0 && y < overlap)
                  {
                    float m = ramp (y, overlap);

                    *dest = value * m + *dest * (1 - m);
                  }
                else
                  *dest = value;
              }
        }
    }
  return g_steal_pointer (&image);
}

/*
 * tessera_redraw_tiles_run:
 * @image: the first stage's image
 * @in_place: whether @image may be redrawn in place, as nothing else will
 *   read it
 *
 * The tiled redraw of @image the session's options ask for.
 *
 * Returns: (transfer full): the redrawn image, or %NULL
 */
TesseraImage *
tessera_redraw_tiles_run (TesseraRedrawSession  *session,
                          TesseraImage          *image,
                          gboolean               in_place,
                          guint32                seed,
                          GError               **error)
{
  TesseraRedrawOptions *options = tessera_redraw_session_get_options (session);
  g_autoptr(TesseraRedrawPlan) plan = NULL;

  plan = tessera_redraw_plan_new (tessera_image_get_width (image), tessera_image_get_height (image), options);
  switch (tessera_redraw_options_get_tiles (options))
    {
    case TESSERA_REDRAW_TILES_USDU:
      return run_usdu (session, plan, image, in_place, seed, error);
    case TESSERA_REDRAW_TILES_SD_UPSCALE:
      /* never in place: a row's tiles overlap the rows already combined */
      return run_sd_upscale (session, plan, image, seed, error);
    case TESSERA_REDRAW_TILES_NONE:
      break;
    }
  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("The redraw asks for no tiles"));
  return NULL;
}
