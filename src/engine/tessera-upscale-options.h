/* tessera-upscale-options.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include "backends/tessera-precision.h"
#include "image/tessera-image.h"

G_BEGIN_DECLS

/* The longest side of a result written band by band from file to file. */
#define TESSERA_STREAM_MAX_SIDE (1u << 20)

/* The band adjacent tiles share. */
#define TESSERA_DEFAULT_TILE_OVERLAP 32
/* The pre-pad each model family's own tool uses (Real-ESRGAN's 10). */
#define TESSERA_PRE_PAD_AUTO         (-1)

/**
 * TesseraAlphaMode:
 * @TESSERA_ALPHA_MODE_BICUBIC: bicubic interpolation, quick
 * @TESSERA_ALPHA_MODE_MODEL: through the model as a gray image: crisper
 *   edges, twice the time
 *
 * How a model upscale treats the alpha channel.
 */
typedef enum
{
  TESSERA_ALPHA_MODE_BICUBIC,
  TESSERA_ALPHA_MODE_MODEL,
} TesseraAlphaMode;

#define TESSERA_TYPE_UPSCALE_OPTIONS (tessera_upscale_options_get_type ())

G_DECLARE_FINAL_TYPE (TesseraUpscaleOptions, tessera_upscale_options, TESSERA, UPSCALE_OPTIONS, GObject)

TesseraUpscaleOptions *tessera_upscale_options_new          (void);
TesseraUpscaleOptions *tessera_upscale_options_copy         (TesseraUpscaleOptions  *self);
const char            *tessera_upscale_options_get_upscaler (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_upscaler (TesseraUpscaleOptions  *self,
                                                             const char             *upscaler);
double                 tessera_upscale_options_get_scale    (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_scale    (TesseraUpscaleOptions  *self,
                                                             double                  scale);
guint                  tessera_upscale_options_get_width    (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_width    (TesseraUpscaleOptions  *self,
                                                             guint                   width);
guint                  tessera_upscale_options_get_height   (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_height   (TesseraUpscaleOptions  *self,
                                                             guint                   height);
TesseraImageFormat     tessera_upscale_options_get_format   (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_format   (TesseraUpscaleOptions  *self,
                                                             TesseraImageFormat      format);
int                    tessera_upscale_options_get_quality  (TesseraUpscaleOptions  *self);
void                   tessera_upscale_options_set_quality  (TesseraUpscaleOptions  *self,
                                                             int                     quality);
guint                  tessera_upscale_options_get_tile_size (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_tile_size (TesseraUpscaleOptions *self,
                                                              guint tile_size);
guint                  tessera_upscale_options_get_tile_overlap (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_tile_overlap (TesseraUpscaleOptions *self,
                                                                 guint tile_overlap);
int                    tessera_upscale_options_get_pre_pad (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_pre_pad (TesseraUpscaleOptions *self,
                                                            int pre_pad);
double                 tessera_upscale_options_get_denoise (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_denoise (TesseraUpscaleOptions *self,
                                                            double denoise);
TesseraAlphaMode       tessera_upscale_options_get_alpha_mode (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_alpha_mode (TesseraUpscaleOptions *self,
                                                               TesseraAlphaMode alpha_mode);
gboolean               tessera_upscale_options_get_stream (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_stream (TesseraUpscaleOptions *self,
                                                           gboolean              stream);
guint                  tessera_upscale_options_get_bit_depth (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_bit_depth (TesseraUpscaleOptions *self,
                                                              guint                 bit_depth);
int                    tessera_upscale_options_get_compression (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_compression (TesseraUpscaleOptions *self,
                                                                int                   compression);
guint                  tessera_upscale_options_get_tiff_tile_size (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_tiff_tile_size (TesseraUpscaleOptions *self,
                                                                   guint                 tiff_tile_size);
gboolean               tessera_upscale_options_get_tta (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_tta (TesseraUpscaleOptions *self,
                                                        gboolean               tta);
guint                  tessera_upscale_options_get_threads (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_threads (TesseraUpscaleOptions *self,
                                                            guint threads);
const char *           tessera_upscale_options_get_upscaler_2 (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_upscaler_2 (TesseraUpscaleOptions *self,
                                                               const char *upscaler_2);
double                 tessera_upscale_options_get_upscaler_2_visibility (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_upscaler_2_visibility (TesseraUpscaleOptions *self,
                                                                          double upscaler_2_visibility);
gboolean               tessera_upscale_options_compute_size (TesseraUpscaleOptions  *self,
                                                             guint                   in_width,
                                                             guint                   in_height,
                                                             guint                  *out_width,
                                                             guint                  *out_height,
                                                             GError                **error);
gboolean               tessera_upscale_options_compute_streamed_size (TesseraUpscaleOptions  *self,
                                                                      guint                   in_width,
                                                                      guint                   in_height,
                                                                      guint                  *out_width,
                                                                      guint                  *out_height,
                                                                      GError                **error);

const char            *tessera_upscale_options_get_device    (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_device    (TesseraUpscaleOptions *self,
                                                              const char            *device);
TesseraPrecision       tessera_upscale_options_get_precision (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_precision (TesseraUpscaleOptions *self,
                                                              TesseraPrecision       precision);
guint                  tessera_upscale_options_get_gpu_memory (TesseraUpscaleOptions *self);
void                   tessera_upscale_options_set_gpu_memory (TesseraUpscaleOptions *self,
                                                               guint                  mebibytes);

char                  *tessera_upscale_options_format_scale   (TesseraUpscaleOptions *self);
char                  *tessera_upscale_options_expand_name    (TesseraUpscaleOptions *self,
                                                               const char            *pattern,
                                                               const char            *input_name,
                                                               const char            *upscaler_label,
                                                               GError               **error);

#define TESSERA_DEFAULT_NAME_PATTERN "{name}-{upscaler}-{scale}.{ext}"

G_END_DECLS
