/* tessera-redraw-options.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "backends/tessera-precision.h"

G_BEGIN_DECLS

/**
 * TesseraRedrawSampler:
 * @TESSERA_REDRAW_SAMPLER_EULER: A1111's "Euler"
 * @TESSERA_REDRAW_SAMPLER_EULER_A: "Euler a", A1111's default
 * @TESSERA_REDRAW_SAMPLER_HEUN: "Heun", two model calls a step
 * @TESSERA_REDRAW_SAMPLER_DPMPP_2M: "DPM++ 2M"
 * @TESSERA_REDRAW_SAMPLER_DPMPP_2S_A: "DPM++ 2S a", two model calls a step
 * @TESSERA_REDRAW_SAMPLER_DDIM: "DDIM", η = 0
 *
 * The samplers a redraw can use.
 */
typedef enum
{
  TESSERA_REDRAW_SAMPLER_EULER,
  TESSERA_REDRAW_SAMPLER_EULER_A,
  TESSERA_REDRAW_SAMPLER_HEUN,
  TESSERA_REDRAW_SAMPLER_DPMPP_2M,
  TESSERA_REDRAW_SAMPLER_DPMPP_2S_A,
  TESSERA_REDRAW_SAMPLER_DDIM,
} TesseraRedrawSampler;

/**
 * TesseraRedrawScheduler:
 * @TESSERA_REDRAW_SCHEDULER_NORMAL: the model's own noise levels at evenly
 *   spaced timesteps (A1111's "Automatic")
 * @TESSERA_REDRAW_SCHEDULER_KARRAS: Karras et al., ρ = 7
 * @TESSERA_REDRAW_SCHEDULER_EXPONENTIAL: evenly spaced in log σ
 *
 * How a redraw spaces its noise levels.
 */
typedef enum
{
  TESSERA_REDRAW_SCHEDULER_NORMAL,
  TESSERA_REDRAW_SCHEDULER_KARRAS,
  TESSERA_REDRAW_SCHEDULER_EXPONENTIAL,
} TesseraRedrawScheduler;

/**
 * TesseraRedrawRng:
 * @TESSERA_REDRAW_RNG_CPU: PyTorch's CPU generator (A1111's "CPU", ComfyUI)
 * @TESSERA_REDRAW_RNG_NV: A1111's "NV", its default: the numbers an NVIDIA
 *   GPU draws, on any machine
 *
 * Where a redraw's noise comes from.
 */
typedef enum
{
  TESSERA_REDRAW_RNG_CPU,
  TESSERA_REDRAW_RNG_NV,
} TesseraRedrawRng;

/**
 * TesseraRedrawTiles:
 * @TESSERA_REDRAW_TILES_USDU: Ultimate SD Upscale: a grid of tiles, each
 *   redrawn as A1111's "inpaint only masked" with its neighbours as context
 * @TESSERA_REDRAW_TILES_SD_UPSCALE: A1111's "SD upscale" script: evenly
 *   spaced overlapping tiles redrawn on their own, blended by linear ramps
 * @TESSERA_REDRAW_TILES_NONE: the whole image at once (Hires. fix)
 *
 * How a redraw splits the image.
 */
typedef enum
{
  TESSERA_REDRAW_TILES_USDU,
  TESSERA_REDRAW_TILES_SD_UPSCALE,
  TESSERA_REDRAW_TILES_NONE,
} TesseraRedrawTiles;

/**
 * TesseraRedrawTileOrder:
 * @TESSERA_REDRAW_TILE_ORDER_LINEAR: row by row; each tile sees its
 *   already redrawn neighbours through its padding
 * @TESSERA_REDRAW_TILE_ORDER_CHESS: the white squares of a chess board
 *   first, then the black ones
 */
typedef enum
{
  TESSERA_REDRAW_TILE_ORDER_LINEAR,
  TESSERA_REDRAW_TILE_ORDER_CHESS,
} TesseraRedrawTileOrder;

/**
 * TesseraRedrawTileBlend:
 * @TESSERA_REDRAW_TILE_BLEND_A1111: the padding context kept by the
 *   latent mask at every step, as A1111's "inpaint only masked"
 * @TESSERA_REDRAW_TILE_BLEND_COMFYUI: the whole crop redrawn, then
 *   composited through the blurred mask, as ComfyUI's port does
 */
typedef enum
{
  TESSERA_REDRAW_TILE_BLEND_A1111,
  TESSERA_REDRAW_TILE_BLEND_COMFYUI,
} TesseraRedrawTileBlend;

/**
 * TesseraRedrawSeamsFix:
 * @TESSERA_REDRAW_SEAMS_FIX_NONE: no second pass
 * @TESSERA_REDRAW_SEAMS_FIX_BAND: a band along each seam, across the image
 * @TESSERA_REDRAW_SEAMS_FIX_HALF_TILE: tiles offset by half a tile, with
 *   gradient masks
 * @TESSERA_REDRAW_SEAMS_FIX_HALF_TILE_INTERSECTIONS: the same, then the
 *   corners where four tiles meet
 *
 * The Ultimate SD Upscale extension's seams fix passes.
 */
typedef enum
{
  TESSERA_REDRAW_SEAMS_FIX_NONE,
  TESSERA_REDRAW_SEAMS_FIX_BAND,
  TESSERA_REDRAW_SEAMS_FIX_HALF_TILE,
  TESSERA_REDRAW_SEAMS_FIX_HALF_TILE_INTERSECTIONS,
} TesseraRedrawSeamsFix;

/**
 * TesseraRedrawLatentUpscale:
 * @TESSERA_REDRAW_LATENT_UPSCALE_NONE: enlarge the image, not the latent
 * @TESSERA_REDRAW_LATENT_UPSCALE_NEAREST: PyTorch's "nearest"
 * @TESSERA_REDRAW_LATENT_UPSCALE_NEAREST_EXACT: "nearest-exact"
 * @TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR: "bilinear"
 * @TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC: "bicubic"
 * @TESSERA_REDRAW_LATENT_UPSCALE_AREA: "area"
 * @TESSERA_REDRAW_LATENT_UPSCALE_BISLERP: ComfyUI's bislerp, which
 *   interpolates the latent's vectors spherically
 *
 * How a latent upscale enlarges the encoded image before the redraw.
 */
typedef enum
{
  TESSERA_REDRAW_LATENT_UPSCALE_NONE,
  TESSERA_REDRAW_LATENT_UPSCALE_NEAREST,
  TESSERA_REDRAW_LATENT_UPSCALE_NEAREST_EXACT,
  TESSERA_REDRAW_LATENT_UPSCALE_BILINEAR,
  TESSERA_REDRAW_LATENT_UPSCALE_BICUBIC,
  TESSERA_REDRAW_LATENT_UPSCALE_AREA,
  TESSERA_REDRAW_LATENT_UPSCALE_BISLERP,
} TesseraRedrawLatentUpscale;

/**
 * TesseraRedrawColorFix:
 * @TESSERA_REDRAW_COLOR_FIX_NONE: keep the redrawn colours
 * @TESSERA_REDRAW_COLOR_FIX_WAVELET: take each tile's low frequencies
 *   (a wavelet decomposition) from the first stage
 * @TESSERA_REDRAW_COLOR_FIX_ADAIN: match each tile's per-channel mean
 *   and standard deviation to the first stage's
 */
typedef enum
{
  TESSERA_REDRAW_COLOR_FIX_NONE,
  TESSERA_REDRAW_COLOR_FIX_WAVELET,
  TESSERA_REDRAW_COLOR_FIX_ADAIN,
} TesseraRedrawColorFix;

/* After an upscale a light touch keeps the picture: A1111's img2img
 * default of 0.75 repaints it. */
#define TESSERA_REDRAW_DEFAULT_DENOISE 0.35
#define TESSERA_REDRAW_DEFAULT_STEPS   20
#define TESSERA_REDRAW_DEFAULT_CFG     7.0
#define TESSERA_REDRAW_RANDOM_SEED     (-1)
/* latent enlargement blurs, so a latent upscale needs more */
#define TESSERA_REDRAW_DEFAULT_LATENT_DENOISE 0.55

#define TESSERA_TYPE_REDRAW_OPTIONS (tessera_redraw_options_get_type ())

G_DECLARE_FINAL_TYPE (TesseraRedrawOptions, tessera_redraw_options, TESSERA, REDRAW_OPTIONS, GObject)

TesseraRedrawOptions  *tessera_redraw_options_new                (void);
TesseraRedrawOptions  *tessera_redraw_options_copy               (TesseraRedrawOptions   *self);
gboolean               tessera_redraw_options_validate           (TesseraRedrawOptions   *self,
                                                                  GError                **error);

const char            *tessera_redraw_options_get_prompt         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_prompt         (TesseraRedrawOptions   *self,
                                                                  const char             *prompt);
const char            *tessera_redraw_options_get_negative_prompt (TesseraRedrawOptions  *self);
void                   tessera_redraw_options_set_negative_prompt (TesseraRedrawOptions  *self,
                                                                   const char            *negative_prompt);
double                 tessera_redraw_options_get_denoise        (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_denoise        (TesseraRedrawOptions   *self,
                                                                  double                  denoise);
guint                  tessera_redraw_options_get_steps          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_steps          (TesseraRedrawOptions   *self,
                                                                  guint                   steps);
double                 tessera_redraw_options_get_cfg            (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_cfg            (TesseraRedrawOptions   *self,
                                                                  double                  cfg);
TesseraRedrawSampler   tessera_redraw_options_get_sampler        (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_sampler        (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawSampler    sampler);
TesseraRedrawScheduler tessera_redraw_options_get_scheduler      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_scheduler      (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawScheduler  scheduler);
gint64                 tessera_redraw_options_get_seed           (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_seed           (TesseraRedrawOptions   *self,
                                                                  gint64                  seed);
TesseraRedrawRng       tessera_redraw_options_get_rng            (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_rng            (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawRng        rng);
guint                  tessera_redraw_options_get_clip_skip      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_clip_skip      (TesseraRedrawOptions   *self,
                                                                  guint                   clip_skip);
gboolean               tessera_redraw_options_get_exact_steps    (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_exact_steps    (TesseraRedrawOptions   *self,
                                                                  gboolean                exact_steps);
GFile                 *tessera_redraw_options_get_vae_file       (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_vae_file       (TesseraRedrawOptions   *self,
                                                                  GFile                  *vae_file);
TesseraRedrawTiles     tessera_redraw_options_get_tiles          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_tiles          (TesseraRedrawOptions   *self,
                                                                  TesseraRedrawTiles      tiles);
const char            *tessera_redraw_options_get_device         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_device         (TesseraRedrawOptions   *self,
                                                                  const char             *device);
TesseraPrecision       tessera_redraw_options_get_precision      (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_precision      (TesseraRedrawOptions   *self,
                                                                  TesseraPrecision        precision);
const char            *tessera_redraw_options_get_upscaler       (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_upscaler       (TesseraRedrawOptions   *self,
                                                                  const char             *upscaler);
double                 tessera_redraw_options_get_scale          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_scale          (TesseraRedrawOptions   *self,
                                                                  double                  scale);
guint                  tessera_redraw_options_get_width          (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_width          (TesseraRedrawOptions   *self,
                                                                  guint                   width);
guint                  tessera_redraw_options_get_height         (TesseraRedrawOptions   *self);
void                   tessera_redraw_options_set_height         (TesseraRedrawOptions   *self,
                                                                  guint                   height);

guint                      tessera_redraw_options_get_tile_width           (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_tile_width           (TesseraRedrawOptions   *self,
                                                                     guint                  tile_width);
guint                      tessera_redraw_options_get_tile_height          (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_tile_height          (TesseraRedrawOptions   *self,
                                                                     guint                  tile_height);
guint                      tessera_redraw_options_get_padding              (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_padding              (TesseraRedrawOptions   *self,
                                                                     guint                  padding);
guint                      tessera_redraw_options_get_mask_blur            (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_mask_blur            (TesseraRedrawOptions   *self,
                                                                     guint                  mask_blur);
TesseraRedrawTileOrder     tessera_redraw_options_get_tile_order           (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_tile_order           (TesseraRedrawOptions   *self,
                                                                     TesseraRedrawTileOrder tile_order);
TesseraRedrawTileBlend     tessera_redraw_options_get_tile_blend           (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_tile_blend           (TesseraRedrawOptions   *self,
                                                                     TesseraRedrawTileBlend tile_blend);
TesseraRedrawSeamsFix      tessera_redraw_options_get_seams_fix            (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_seams_fix            (TesseraRedrawOptions   *self,
                                                                     TesseraRedrawSeamsFix  seams_fix);
double                     tessera_redraw_options_get_seams_fix_denoise    (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_seams_fix_denoise    (TesseraRedrawOptions   *self,
                                                                     double                 seams_fix_denoise);
guint                      tessera_redraw_options_get_seams_fix_width      (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_seams_fix_width      (TesseraRedrawOptions   *self,
                                                                     guint                  seams_fix_width);
guint                      tessera_redraw_options_get_seams_fix_mask_blur  (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_seams_fix_mask_blur  (TesseraRedrawOptions   *self,
                                                                     guint                  seams_fix_mask_blur);
guint                      tessera_redraw_options_get_seams_fix_padding    (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_seams_fix_padding    (TesseraRedrawOptions   *self,
                                                                     guint                  seams_fix_padding);
guint                      tessera_redraw_options_get_overlap              (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_overlap              (TesseraRedrawOptions   *self,
                                                                     guint                  overlap);
guint                      tessera_redraw_options_get_batch_size           (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_batch_size           (TesseraRedrawOptions   *self,
                                                                     guint                  batch_size);
TesseraRedrawLatentUpscale tessera_redraw_options_get_latent_upscale       (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_latent_upscale       (TesseraRedrawOptions   *self,
                                                                     TesseraRedrawLatentUpscale latent_upscale);
gboolean                   tessera_redraw_options_get_latent_antialias     (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_latent_antialias     (TesseraRedrawOptions   *self,
                                                                     gboolean               latent_antialias);
TesseraRedrawColorFix      tessera_redraw_options_get_color_fix            (TesseraRedrawOptions   *self);
void                       tessera_redraw_options_set_color_fix            (TesseraRedrawOptions   *self,
                                                                     TesseraRedrawColorFix  color_fix);

gboolean               tessera_redraw_sampler_from_name          (const char             *name,
                                                                  TesseraRedrawSampler   *sampler);
const char            *tessera_redraw_sampler_to_name            (TesseraRedrawSampler    sampler);
const char            *tessera_redraw_sampler_get_label          (TesseraRedrawSampler    sampler);
gboolean               tessera_redraw_scheduler_from_name        (const char             *name,
                                                                  TesseraRedrawScheduler *scheduler);
const char            *tessera_redraw_scheduler_to_name          (TesseraRedrawScheduler  scheduler);
gboolean               tessera_redraw_rng_from_name              (const char             *name,
                                                                  TesseraRedrawRng       *rng);
const char            *tessera_redraw_rng_to_name                (TesseraRedrawRng        rng);

G_END_DECLS
