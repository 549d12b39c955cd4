/* tessera-redraw-plan.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-plan"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-redraw-mask-private.h"
#include "tessera-redraw-plan.h"

/**
 * TesseraRedrawPlan:
 *
 * The jobs of a tiled redraw, in the order they run, computed as the
 * Ultimate SD Upscale extension and A1111's img2img "inpaint only masked"
 * compute them (or A1111's SD upscale script), so that a redraw here
 * matches one there tile for tile.
 *
 * Ultimate SD Upscale redraws a grid of tiles, each through a mask: the
 * tile's rectangle, blurred; the region cut out around it is the mask's
 * extent widened by the padding and to the aspect of the size the
 * networks run at. The seams fix passes then redraw the tiles' borders
 * through gradient masks. SD upscale cuts the image into evenly spaced
 * overlapping tiles redrawn whole and blended by linear ramps.
 */
struct _TesseraRedrawPlan
{
  GObject  parent_instance;

  guint    width;
  guint    height;
  guint    n_rows;
  guint    n_columns;
  GArray  *jobs;

  /* the gradients the seams fix jobs paste, made once */
  guint    tile_width;
  guint    tile_height;
  guint    band_width;
  guint8  *row_gradient;
  guint8  *column_gradient;
  guint8  *radial;
  guint8  *row_band;
  guint8  *column_band;
};

G_DEFINE_FINAL_TYPE (TesseraRedrawPlan, tessera_redraw_plan, G_TYPE_OBJECT)

static void
tessera_redraw_plan_finalize (GObject *object)
{
  TesseraRedrawPlan *self = TESSERA_REDRAW_PLAN (object);

  g_array_unref (self->jobs);
  g_free (self->row_gradient);
  g_free (self->column_gradient);
  g_free (self->radial);
  g_free (self->row_band);
  g_free (self->column_band);

  G_OBJECT_CLASS (tessera_redraw_plan_parent_class)->finalize (object);
}

static void
tessera_redraw_plan_class_init (TesseraRedrawPlanClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tessera_redraw_plan_finalize;
}

static void
tessera_redraw_plan_init (TesseraRedrawPlan *self)
{
  self->jobs = g_array_new (FALSE, TRUE, sizeof (TesseraRedrawJob));
}

/* Pillow's Image.linear_gradient("L") turned by rotate(): 0, 90, 180 or
 * 270 degrees anticlockwise. */
static guint8 *
linear_gradient (guint angle)
{
  guint8 *gradient = g_new (guint8, 256 * 256);

  for (guint y = 0; y < 256; y++)
    for (guint x = 0; x < 256; x++)
      {
        guint value = angle == 0 ? y : angle == 90 ? x : angle == 180 ? 255 - y : 255 - x;

        gradient[y * 256 + x] = value;
      }
  return gradient;
}

static void
resize_into (const guint8 *in,
             guint         width,
             guint         height,
             guint8       *dest,
             guint         dest_width,
             int           x0,
             int           y0,
             guint         out_width,
             guint         out_height)
{
  double box[4] = { 0, 0, width, height };
  g_autofree guint8 *out = NULL;

  if (out_width == 0 || out_height == 0)
    return;
  out = g_new (guint8, (gsize) out_width * out_height);
  tessera_mask_resize_u8 (in, width, height, box, out, out_width, out_height, TESSERA_MASK_FILTER_BICUBIC);
  for (guint y = 0; y < out_height; y++)
    memcpy (dest + (gsize) (y0 + y) * dest_width + x0, out + (gsize) y * out_width, out_width);
}

/* The extension's half-tile gradients: a ramp up over the first half of a
 * tile and down over the second, across the rows or the columns. */
static void
make_half_tile_gradients (TesseraRedrawPlan *self)
{
  guint tw = self->tile_width, th = self->tile_height;
  g_autofree guint8 *up = linear_gradient (0);
  g_autofree guint8 *down = linear_gradient (180);
  g_autofree guint8 *left = linear_gradient (90);
  g_autofree guint8 *right = linear_gradient (270);

  self->row_gradient = g_new0 (guint8, (gsize) tw * th);
  resize_into (up, 256, 256, self->row_gradient, tw, 0, 0, tw, th / 2);
  resize_into (down, 256, 256, self->row_gradient, tw, 0, th / 2, tw, th / 2);
  self->column_gradient = g_new0 (guint8, (gsize) tw * th);
  resize_into (left, 256, 256, self->column_gradient, tw, 0, 0, tw / 2, th);
  resize_into (right, 256, 256, self->column_gradient, tw, tw / 2, 0, tw / 2, th);
}

/* Image.radial_gradient("L") brought to a tile, inverted: black at the
 * centre, where four tiles meet. */
static void
make_radial (TesseraRedrawPlan *self)
{
  g_autofree guint8 *radial = g_new (guint8, 256 * 256);
  double box[4] = { 0, 0, 256, 256 };
  gsize n = (gsize) self->tile_width * self->tile_height;

  for (int y = 0; y < 256; y++)
    for (int x = 0; x < 256; x++)
      radial[y * 256 + x] = MIN ((int) sqrt ((double) ((x - 128) * (x - 128) + (y - 128) * (y - 128)) * 2.0), 255);
  self->radial = g_new (guint8, n);
  tessera_mask_resize_u8 (radial, 256, 256, box, self->radial, self->tile_width, self->tile_height,
                          TESSERA_MASK_FILTER_BICUBIC);
  for (gsize i = 0; i < n; i++)
    self->radial[i] = 255 - self->radial[i];
}

/* The band pass's mirrored ramp, stretched along a whole row seam and a
 * whole column seam. */
static void
make_bands (TesseraRedrawPlan *self)
{
  g_autofree guint8 *up = linear_gradient (0);
  g_autofree guint8 *down = linear_gradient (180);
  g_autofree guint8 *mirror = g_new0 (guint8, 256 * 256);
  g_autofree guint8 *turned = g_new (guint8, 256 * 256);
  double box[4] = { 0, 0, 256, 256 };

  resize_into (up, 256, 256, mirror, 256, 0, 0, 256, 128);
  resize_into (down, 256, 256, mirror, 256, 0, 128, 256, 128);
  for (guint y = 0; y < 256; y++)
    for (guint x = 0; x < 256; x++)
      turned[y * 256 + x] = mirror[x * 256 + 255 - y];

  if (self->band_width == 0)
    return;
  self->row_band = g_new (guint8, (gsize) self->width * self->band_width);
  tessera_mask_resize_u8 (mirror, 256, 256, box, self->row_band, self->width, self->band_width,
                          TESSERA_MASK_FILTER_BICUBIC);
  self->column_band = g_new (guint8, (gsize) self->band_width * self->height);
  tessera_mask_resize_u8 (turned, 256, 256, box, self->column_band, self->band_width, self->height,
                          TESSERA_MASK_FILTER_BICUBIC);
}

/* The drawn shape of a job, before the blur, over @area of the image. */
static void
draw_shape (TesseraRedrawPlan      *self,
            const TesseraRedrawJob *job,
            const TesseraRect      *area,
            guint8                 *out)
{
  const guint8 *shape = NULL;

  memset (out, 0, (gsize) area->width * area->height);
  switch (job->shape)
    {
    case TESSERA_REDRAW_MASK_NONE:
    case TESSERA_REDRAW_MASK_RECTANGLE:
      break;
    case TESSERA_REDRAW_MASK_ROW_GRADIENT:
      shape = self->row_gradient;
      break;
    case TESSERA_REDRAW_MASK_COLUMN_GRADIENT:
      shape = self->column_gradient;
      break;
    case TESSERA_REDRAW_MASK_RADIAL:
      shape = self->radial;
      break;
    case TESSERA_REDRAW_MASK_ROW_BAND:
      shape = self->row_band;
      break;
    case TESSERA_REDRAW_MASK_COLUMN_BAND:
      shape = self->column_band;
      break;
    }

  for (int y = 0; y < area->height; y++)
    for (int x = 0; x < area->width; x++)
      {
        int sx = area->x + x - job->mask.x, sy = area->y + y - job->mask.y;

        if (sx < 0 || sy < 0 || sx >= job->mask.width || sy >= job->mask.height)
          continue;
        out[(gsize) y * area->width + x] = shape == NULL ? 255 : shape[(gsize) sy * job->mask.width + sx];
      }
}

static gboolean
intersect (const TesseraRect *a,
           const TesseraRect *b,
           TesseraRect       *out)
{
  int x1 = MAX (a->x, b->x), y1 = MAX (a->y, b->y);
  int x2 = MIN (a->x + a->width, b->x + b->width), y2 = MIN (a->y + a->height, b->y + b->height);

  *out = (TesseraRect) { x1, y1, MAX (x2 - x1, 0), MAX (y2 - y1, 0) };
  return x2 > x1 && y2 > y1;
}

/* The blurred mask over the part of the image it can reach: the shape
 * grown by the blur's reach. The blur reflects at the edges of this
 * window; inside the image those edges see only zeros either way. */
static guint8 *
render_window (TesseraRedrawPlan      *self,
               const TesseraRedrawJob *job,
               TesseraRect            *window)
{
  TesseraRect image = { 0, 0, self->width, self->height };
  /* twice the radius: a reflection at the window's edge must see only
   * zeros, as the image there has */
  int radius = job->mask_blur > 0 ? 2 * (int) (2.5 * job->mask_blur + 0.5) : 0;
  TesseraRect grown = { job->mask.x - radius, job->mask.y - radius,
                        job->mask.width + 2 * radius, job->mask.height + 2 * radius };
  guint8 *mask;

  if (!intersect (&grown, &image, window))
    return NULL;
  mask = g_new (guint8, (gsize) window->width * window->height);
  draw_shape (self, job, window, mask);
  tessera_mask_blur (mask, window->width, window->height, job->mask_blur);
  return mask;
}

/*
 * tessera_redraw_plan_render_mask:
 * @region: the part of the image wanted
 * @out: @region's width × height bytes
 *
 * A job's blurred mask over @region, as A1111 blurs it: 255 where the job
 * redraws, 0 where it keeps the image.
 */
void
tessera_redraw_plan_render_mask (TesseraRedrawPlan *self,
                                 guint              index,
                                 const TesseraRect *region,
                                 guint8            *out)
{
  const TesseraRedrawJob *job = tessera_redraw_plan_get_job (self, index);
  g_autofree guint8 *window_mask = NULL;
  TesseraRect window, common;

  memset (out, 0, (gsize) region->width * region->height);
  if (job->shape == TESSERA_REDRAW_MASK_NONE)
    {
      if (intersect (&job->crop, region, &common))
        for (int y = common.y; y < common.y + common.height; y++)
          memset (out + (gsize) (y - region->y) * region->width + common.x - region->x, 255, common.width);
      return;
    }
  window_mask = render_window (self, job, &window);
  if (window_mask == NULL || !intersect (&window, region, &common))
    return;
  for (int y = common.y; y < common.y + common.height; y++)
    memcpy (out + (gsize) (y - region->y) * region->width + common.x - region->x,
            window_mask + (gsize) (y - window.y) * window.width + common.x - window.x,
            common.width);
}

/* masking.expand_crop_region(): the region grown on its short side to the
 * processing size's aspect, kept inside the image. */
static void
expand_crop_region (int   *x1,
                    int   *y1,
                    int   *x2,
                    int   *y2,
                    guint  process_width,
                    guint  process_height,
                    int    width,
                    int    height)
{
  double ratio_crop = (double) (*x2 - *x1) / (*y2 - *y1);
  double ratio_processing = (double) process_width / process_height;

  if (ratio_crop > ratio_processing)
    {
      double desired = (*x2 - *x1) / ratio_processing;
      int diff = (int) (desired - (*y2 - *y1));

      *y1 -= diff / 2;
      *y2 += diff - diff / 2;
      if (*y2 >= height)
        {
          int over = *y2 - height;

          *y2 -= over;
          *y1 -= over;
        }
      if (*y1 < 0)
        {
          *y2 -= *y1;
          *y1 = 0;
        }
      if (*y2 >= height)
        *y2 = height;
    }
  else
    {
      double desired = (*y2 - *y1) * ratio_processing;
      int diff = (int) (desired - (*x2 - *x1));

      *x1 -= diff / 2;
      *x2 += diff - diff / 2;
      if (*x2 >= width)
        {
          int over = *x2 - width;

          *x2 -= over;
          *x1 -= over;
        }
      if (*x1 < 0)
        {
          *x2 -= *x1;
          *x1 = 0;
        }
      if (*x2 >= width)
        *x2 = width;
    }
}

/* A1111's img2img "inpaint only masked" (processing.py): the blurred
 * mask's extent (Pillow's getbbox()), widened by the padding and clamped
 * to the image (masking.get_crop_region_v2()), then to the processing
 * size's aspect. A blank mask leaves the job nothing to do. */
static gboolean
locate_job (TesseraRedrawPlan *self,
            TesseraRedrawJob  *job,
            guint              padding)
{
  TesseraRect window;
  g_autofree guint8 *mask = render_window (self, job, &window);
  int x1 = G_MAXINT, y1 = G_MAXINT, x2 = -1, y2 = -1;

  if (mask == NULL)
    return FALSE;
  for (int y = 0; y < window.height; y++)
    for (int x = 0; x < window.width; x++)
      if (mask[(gsize) y * window.width + x] != 0)
        {
          x1 = MIN (x1, x);
          y1 = MIN (y1, y);
          x2 = MAX (x2, x + 1);
          y2 = MAX (y2, y + 1);
        }
  if (x2 < 0)
    return FALSE;
  x1 += window.x, x2 += window.x, y1 += window.y, y2 += window.y;
  job->blurred = (TesseraRect) { x1, y1, x2 - x1, y2 - y1 };
  if (padding > 0)
    {
      x1 = MAX (x1 - (int) padding, 0);
      y1 = MAX (y1 - (int) padding, 0);
      x2 = MIN (x2 + (int) padding, (int) self->width);
      y2 = MIN (y2 + (int) padding, (int) self->height);
    }
  expand_crop_region (&x1, &y1, &x2, &y2, job->process_width, job->process_height,
                      self->width, self->height);
  job->crop = (TesseraRect) { x1, y1, x2 - x1, y2 - y1 };
  return TRUE;
}

static void
add_job (TesseraRedrawPlan      *self,
         TesseraRedrawPass       pass,
         TesseraRedrawMaskShape  shape,
         guint                   row,
         guint                   column,
         TesseraRect             mask,
         guint                   process_width,
         guint                   process_height,
         guint                   mask_blur,
         guint                   padding,
         double                  denoise)
{
  TesseraRedrawJob job = { pass, shape, row, column, mask, { 0 }, { 0 },
                           process_width, process_height, mask_blur, denoise };

  if (locate_job (self, &job, padding))
    g_array_append_val (self->jobs, job);
}

static guint
round_up_64 (guint value)
{
  return (value + 63) / 64 * 64;
}

static void
add_tile (TesseraRedrawPlan    *self,
          TesseraRedrawOptions *options,
          guint                 row,
          guint                 column)
{
  guint tw = self->tile_width, th = self->tile_height;
  guint padding = tessera_redraw_options_get_padding (options);
  /* ImageDraw.rectangle() fills its far corner too */
  TesseraRect rect = { column * tw, row * th, tw + 1, th + 1 };

  add_job (self, TESSERA_REDRAW_PASS_TILES, TESSERA_REDRAW_MASK_RECTANGLE, row, column, rect,
           round_up_64 (tw + padding), round_up_64 (th + padding),
           tessera_redraw_options_get_mask_blur (options), padding,
           tessera_redraw_options_get_denoise (options));
}

static void
plan_usdu (TesseraRedrawPlan    *self,
           TesseraRedrawOptions *options)
{
  guint tw = self->tile_width, th = self->tile_height;
  guint rows = self->n_rows, cols = self->n_columns;
  guint sf_padding = tessera_redraw_options_get_seams_fix_padding (options);
  guint sf_blur = tessera_redraw_options_get_seams_fix_mask_blur (options);
  guint sf_width = self->band_width;
  double sf_denoise = tessera_redraw_options_get_seams_fix_denoise (options);
  TesseraRedrawSeamsFix seams_fix = tessera_redraw_options_get_seams_fix (options);

  switch (tessera_redraw_options_get_tile_order (options))
    {
    case TESSERA_REDRAW_TILE_ORDER_LINEAR:
      for (guint y = 0; y < rows; y++)
        for (guint x = 0; x < cols; x++)
          add_tile (self, options, y, x);
      break;
    case TESSERA_REDRAW_TILE_ORDER_CHESS:
      /* the extension's chess_process(): the squares of one colour, then
       * the others */
      for (guint colour = 0; colour < 2; colour++)
        for (guint y = 0; y < rows; y++)
          for (guint x = 0; x < cols; x++)
            if ((x + y) % 2 == colour)
              add_tile (self, options, y, x);
      break;
    }

  switch (seams_fix)
    {
    case TESSERA_REDRAW_SEAMS_FIX_NONE:
      break;
    case TESSERA_REDRAW_SEAMS_FIX_BAND:
      /* band_pass_process() is called with rows and columns swapped and
       * names them back the other way, so it goes over the column seams
       * first, then the row seams; without any blur */
      make_bands (self);
      if (sf_width == 0)
        break;
      for (guint x = 1; x < cols; x++)
        add_job (self, TESSERA_REDRAW_PASS_SEAMS, TESSERA_REDRAW_MASK_COLUMN_BAND, 0, x,
                 (TesseraRect) { (int) (x * tw) - (int) (sf_width / 2), 0, sf_width, self->height },
                 sf_width + 2 * sf_padding, self->height, 0, sf_padding, sf_denoise);
      for (guint y = 1; y < rows; y++)
        add_job (self, TESSERA_REDRAW_PASS_SEAMS, TESSERA_REDRAW_MASK_ROW_BAND, y, 0,
                 (TesseraRect) { 0, (int) (y * th) - (int) (sf_width / 2), self->width, sf_width },
                 self->width, sf_width + 2 * sf_padding, 0, sf_padding, sf_denoise);
      break;
    case TESSERA_REDRAW_SEAMS_FIX_HALF_TILE:
    case TESSERA_REDRAW_SEAMS_FIX_HALF_TILE_INTERSECTIONS:
      make_half_tile_gradients (self);
      for (guint y = 0; y + 1 < rows; y++)
        for (guint x = 0; x < cols; x++)
          add_job (self, TESSERA_REDRAW_PASS_SEAMS, TESSERA_REDRAW_MASK_ROW_GRADIENT, y, x,
                   (TesseraRect) { x * tw, y * th + th / 2, tw, th },
                   tw, th, sf_blur, sf_padding, sf_denoise);
      for (guint y = 0; y < rows; y++)
        for (guint x = 0; x + 1 < cols; x++)
          add_job (self, TESSERA_REDRAW_PASS_SEAMS, TESSERA_REDRAW_MASK_COLUMN_GRADIENT, y, x,
                   (TesseraRect) { x * tw + tw / 2, y * th, tw, th },
                   tw, th, sf_blur, sf_padding, sf_denoise);
      if (seams_fix == TESSERA_REDRAW_SEAMS_FIX_HALF_TILE)
        break;
      make_radial (self);
      for (guint y = 0; y + 1 < rows; y++)
        for (guint x = 0; x + 1 < cols; x++)
          add_job (self, TESSERA_REDRAW_PASS_SEAMS, TESSERA_REDRAW_MASK_RADIAL, y, x,
                   (TesseraRect) { x * tw + tw / 2, y * th + th / 2, tw, th },
                   tw, th, sf_blur, 0, sf_denoise);
      break;
    }
}

/* A1111's images.split_grid(): as few tiles as cover the image with at
 * least the overlap between them, spread evenly. */
static void
plan_sd_upscale (TesseraRedrawPlan    *self,
                 TesseraRedrawOptions *options)
{
  guint tw = MIN (self->tile_width, self->width);
  guint th = MIN (self->tile_height, self->height);
  guint overlap = MIN (tessera_redraw_options_get_overlap (options), MIN (tw, th) - 1);
  double denoise = tessera_redraw_options_get_denoise (options);
  guint cols = (guint) ceil ((double) ((int) self->width - (int) overlap) / (tw - overlap));
  guint rows = (guint) ceil ((double) ((int) self->height - (int) overlap) / (th - overlap));
  double dx = cols > 1 ? (double) (self->width - tw) / (cols - 1) : 0;
  double dy = rows > 1 ? (double) (self->height - th) / (rows - 1) : 0;

  self->n_rows = rows;
  self->n_columns = cols;
  self->tile_width = tw;
  self->tile_height = th;
  for (guint row = 0; row < rows; row++)
    {
      int y = (int) (row * dy);

      if (y + th >= self->height)
        y = self->height - th;
      for (guint col = 0; col < cols; col++)
        {
          int x = (int) (col * dx);
          TesseraRect rect;
          TesseraRedrawJob job;

          if (x + tw >= self->width)
            x = self->width - tw;
          rect = (TesseraRect) { x, y, tw, th };
          job = (TesseraRedrawJob) { TESSERA_REDRAW_PASS_TILES, TESSERA_REDRAW_MASK_NONE, row, col,
                                     rect, rect, rect, tw, th, 0, denoise };
          g_array_append_val (self->jobs, job);
        }
    }
}

/**
 * tessera_redraw_plan_new:
 * @width: the image's width after the first stage
 * @height: its height
 * @options: the redraw's options
 *
 * The jobs of a tiled redraw of a @width × @height image; none when
 * @options asks for no tiles.
 *
 * Returns: (transfer full): a new #TesseraRedrawPlan
 */
TesseraRedrawPlan *
tessera_redraw_plan_new (guint                 width,
                         guint                 height,
                         TesseraRedrawOptions *options)
{
  TesseraRedrawPlan *self;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (options), NULL);

  self = g_object_new (TESSERA_TYPE_REDRAW_PLAN, NULL);
  self->width = width;
  self->height = height;
  self->tile_width = MAX (tessera_redraw_options_get_tile_width (options), 1);
  self->tile_height = MAX (tessera_redraw_options_get_tile_height (options), 1);
  self->band_width = tessera_redraw_options_get_seams_fix_width (options);

  switch (tessera_redraw_options_get_tiles (options))
    {
    case TESSERA_REDRAW_TILES_NONE:
      break;
    case TESSERA_REDRAW_TILES_USDU:
      self->n_rows = (height + self->tile_height - 1) / self->tile_height;
      self->n_columns = (width + self->tile_width - 1) / self->tile_width;
      plan_usdu (self, options);
      break;
    case TESSERA_REDRAW_TILES_SD_UPSCALE:
      plan_sd_upscale (self, options);
      break;
    }
  return self;
}

/**
 * tessera_redraw_plan_get_width:
 * @self: a #TesseraRedrawPlan
 *
 * Returns: the image's width
 */
guint
tessera_redraw_plan_get_width (TesseraRedrawPlan *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), 0);
  return self->width;
}

/**
 * tessera_redraw_plan_get_height:
 * @self: a #TesseraRedrawPlan
 *
 * Returns: the image's height
 */
guint
tessera_redraw_plan_get_height (TesseraRedrawPlan *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), 0);
  return self->height;
}

/**
 * tessera_redraw_plan_get_n_rows:
 * @self: a #TesseraRedrawPlan
 *
 * Returns: the grid's rows
 */
guint
tessera_redraw_plan_get_n_rows (TesseraRedrawPlan *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), 0);
  return self->n_rows;
}

/**
 * tessera_redraw_plan_get_n_columns:
 * @self: a #TesseraRedrawPlan
 *
 * Returns: the grid's columns
 */
guint
tessera_redraw_plan_get_n_columns (TesseraRedrawPlan *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), 0);
  return self->n_columns;
}

/**
 * tessera_redraw_plan_get_n_jobs:
 * @self: a #TesseraRedrawPlan
 *
 * Returns: the jobs, tiles and seams together
 */
guint
tessera_redraw_plan_get_n_jobs (TesseraRedrawPlan *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), 0);
  return self->jobs->len;
}

/**
 * tessera_redraw_plan_get_job:
 * @self: a #TesseraRedrawPlan
 * @index: the job's place in the run, from 0
 *
 * Returns: (transfer none): the job
 */
const TesseraRedrawJob *
tessera_redraw_plan_get_job (TesseraRedrawPlan *self,
                             guint              index)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_PLAN (self), NULL);
  g_return_val_if_fail (index < self->jobs->len, NULL);
  return &g_array_index (self->jobs, TesseraRedrawJob, index);
}

/**
 * tessera_redraw_options_get_output_size:
 * @self: a #TesseraRedrawOptions
 * @input_width: the input's width
 * @input_height: the input's height
 * @width: (out): the redraw's width
 * @height: (out): the redraw's height
 *
 * The size of the image a redraw makes: the first stage's, its scale or
 * its width and height, else the input's.
 */
void
tessera_redraw_options_get_output_size (TesseraRedrawOptions *self,
                                        guint                 input_width,
                                        guint                 input_height,
                                        guint                *width,
                                        guint                *height)
{
  guint w, h;
  double scale;

  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  w = tessera_redraw_options_get_width (self);
  h = tessera_redraw_options_get_height (self);
  scale = tessera_redraw_options_get_scale (self);
  if (w == 0 && scale > 0)
    {
      w = MAX (1, (guint) round (input_width * scale));
      h = MAX (1, (guint) round (input_height * scale));
    }
  if (w == 0)
    {
      w = input_width;
      h = input_height;
    }
  *width = w;
  *height = h;
}
