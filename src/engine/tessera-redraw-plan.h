/* tessera-redraw-plan.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib-object.h>

#include "tessera-redraw-options.h"
#include "tessera-tile-plan.h"

G_BEGIN_DECLS

/**
 * TesseraRedrawPass:
 * @TESSERA_REDRAW_PASS_TILES: the redraw of the grid's tiles
 * @TESSERA_REDRAW_PASS_SEAMS: a seams fix job, after all the tiles
 */
typedef enum
{
  TESSERA_REDRAW_PASS_TILES,
  TESSERA_REDRAW_PASS_SEAMS,
} TesseraRedrawPass;

/**
 * TesseraRedrawMaskShape:
 * @TESSERA_REDRAW_MASK_NONE: no mask: the whole region is redrawn and
 *   blended by linear ramps where tiles overlap (SD upscale, whole image)
 * @TESSERA_REDRAW_MASK_RECTANGLE: a tile's rectangle
 * @TESSERA_REDRAW_MASK_ROW_GRADIENT: a tile-sized ramp, 0 at the top and
 *   bottom, full across the middle: the seam between two rows
 * @TESSERA_REDRAW_MASK_COLUMN_GRADIENT: the same across a column seam
 * @TESSERA_REDRAW_MASK_RADIAL: the inverted radial gradient at a corner
 *   where four tiles meet
 * @TESSERA_REDRAW_MASK_ROW_BAND: a mirrored ramp along a whole row seam
 * @TESSERA_REDRAW_MASK_COLUMN_BAND: the same along a column seam
 *
 * The shape a job's mask is drawn in, before its blur, as the Ultimate SD
 * Upscale extension draws them.
 */
typedef enum
{
  TESSERA_REDRAW_MASK_NONE,
  TESSERA_REDRAW_MASK_RECTANGLE,
  TESSERA_REDRAW_MASK_ROW_GRADIENT,
  TESSERA_REDRAW_MASK_COLUMN_GRADIENT,
  TESSERA_REDRAW_MASK_RADIAL,
  TESSERA_REDRAW_MASK_ROW_BAND,
  TESSERA_REDRAW_MASK_COLUMN_BAND,
} TesseraRedrawMaskShape;

/**
 * TesseraRedrawJob:
 * @pass: the pass it belongs to
 * @shape: its mask's shape
 * @row: its row in the grid (for seams: the seam's row)
 * @column: its column
 * @mask: where the mask's shape is drawn, in image pixels (it may reach
 *   past the image's edges; only the part inside counts)
 * @blurred: the part of the image the blurred mask touches: what the job
 *   changes
 * @crop: the region cut out and redrawn, @blurred widened by the padding
 *   and to the aspect of the processing size
 * @process_width: the size @crop is resized to for the networks
 * @process_height: see @process_width
 * @mask_blur: the mask's Gaussian blur, in pixels (σ)
 * @denoise: its denoising strength
 *
 * One img2img job of a tiled redraw, in the order the redraw runs them.
 */
typedef struct
{
  TesseraRedrawPass      pass;
  TesseraRedrawMaskShape shape;
  guint                  row;
  guint                  column;
  TesseraRect            mask;
  TesseraRect            blurred;
  TesseraRect            crop;
  guint                  process_width;
  guint                  process_height;
  guint                  mask_blur;
  double                 denoise;
} TesseraRedrawJob;

#define TESSERA_TYPE_REDRAW_PLAN (tessera_redraw_plan_get_type ())

G_DECLARE_FINAL_TYPE (TesseraRedrawPlan, tessera_redraw_plan, TESSERA, REDRAW_PLAN, GObject)

TesseraRedrawPlan      *tessera_redraw_plan_new           (guint                  width,
                                                           guint                  height,
                                                           TesseraRedrawOptions  *options);
guint                   tessera_redraw_plan_get_width     (TesseraRedrawPlan     *self);
guint                   tessera_redraw_plan_get_height    (TesseraRedrawPlan     *self);
guint                   tessera_redraw_plan_get_n_rows    (TesseraRedrawPlan     *self);
guint                   tessera_redraw_plan_get_n_columns (TesseraRedrawPlan     *self);
guint                   tessera_redraw_plan_get_n_jobs    (TesseraRedrawPlan     *self);
const TesseraRedrawJob *tessera_redraw_plan_get_job       (TesseraRedrawPlan     *self,
                                                           guint                  index);

void                    tessera_redraw_options_get_output_size (TesseraRedrawOptions *self,
                                                                guint                 input_width,
                                                                guint                 input_height,
                                                                guint                *width,
                                                                guint                *height);

G_END_DECLS
