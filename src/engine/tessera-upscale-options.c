/* tessera-upscale-options.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-upscale-options"

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-enums.h"
#include "tessera-upscale-options.h"

#define MAX_SCALE 64.0

/**
 * TesseraUpscaleOptions:
 *
 * What one upscale should do: the upscaler, the scale factor or a target
 * size, and the output format the result is meant to be saved in.
 *
 * A target width or height, when set, takes precedence over the scale: with
 * only one of them the other follows the aspect ratio, with both the result
 * has exactly that size.
 */
struct _TesseraUpscaleOptions
{
  GObject             parent_instance;

  char               *upscaler;
  double              scale;
  guint               width;
  guint               height;
  TesseraImageFormat  format;
  int                 quality;
  guint              tile_size;
  guint              tile_overlap;
  int                pre_pad;
  double             denoise;
  TesseraAlphaMode   alpha_mode;
  gboolean           tta;
  guint              threads;
  char               *upscaler_2;
  char               *device;
  TesseraPrecision    precision;
  guint              gpu_memory;
  double             upscaler_2_visibility;
  gboolean           stream;
  guint              bit_depth;
  int                compression;
  guint              tiff_tile_size;
};

enum {
  PROP_0,
  PROP_UPSCALER,
  PROP_SCALE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FORMAT,
  PROP_QUALITY,
  PROP_TILE_SIZE,
  PROP_TILE_OVERLAP,
  PROP_PRE_PAD,
  PROP_DENOISE,
  PROP_ALPHA_MODE,
  PROP_TTA,
  PROP_THREADS,
  PROP_UPSCALER_2,
  PROP_UPSCALER_2_VISIBILITY,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_GPU_MEMORY,
  PROP_STREAM,
  PROP_BIT_DEPTH,
  PROP_COMPRESSION,
  PROP_TIFF_TILE_SIZE,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TesseraUpscaleOptions, tessera_upscale_options, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tessera_upscale_options_finalize (GObject *object)
{
  TesseraUpscaleOptions *self = (TesseraUpscaleOptions *) object;

  g_clear_pointer (&self->upscaler, g_free);
  g_clear_pointer (&self->upscaler_2, g_free);
  g_clear_pointer (&self->device, g_free);

  G_OBJECT_CLASS (tessera_upscale_options_parent_class)->finalize (object);
}

static void
tessera_upscale_options_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TesseraUpscaleOptions *self = TESSERA_UPSCALE_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_UPSCALER:
      g_value_set_string (value, self->upscaler);
      break;
    case PROP_SCALE:
      g_value_set_double (value, self->scale);
      break;
    case PROP_WIDTH:
      g_value_set_uint (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_uint (value, self->height);
      break;
    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;
    case PROP_QUALITY:
      g_value_set_int (value, self->quality);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint (value, self->tile_size);
      break;
    case PROP_TILE_OVERLAP:
      g_value_set_uint (value, self->tile_overlap);
      break;
    case PROP_PRE_PAD:
      g_value_set_int (value, self->pre_pad);
      break;
    case PROP_DENOISE:
      g_value_set_double (value, self->denoise);
      break;
    case PROP_ALPHA_MODE:
      g_value_set_enum (value, self->alpha_mode);
      break;
    case PROP_TTA:
      g_value_set_boolean (value, self->tta);
      break;
    case PROP_TIFF_TILE_SIZE:
      g_value_set_uint (value, self->tiff_tile_size);
      break;
    case PROP_COMPRESSION:
      g_value_set_int (value, self->compression);
      break;
    case PROP_BIT_DEPTH:
      g_value_set_uint (value, self->bit_depth);
      break;
    case PROP_STREAM:
      g_value_set_boolean (value, self->stream);
      break;
    case PROP_THREADS:
      g_value_set_uint (value, self->threads);
      break;
    case PROP_UPSCALER_2:
      g_value_set_string (value, self->upscaler_2);
      break;
    case PROP_UPSCALER_2_VISIBILITY:
      g_value_set_double (value, self->upscaler_2_visibility);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_PRECISION:
      g_value_set_enum (value, self->precision);
      break;
    case PROP_GPU_MEMORY:
      g_value_set_uint (value, self->gpu_memory);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscale_options_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  TesseraUpscaleOptions *self = TESSERA_UPSCALE_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_UPSCALER:
      tessera_upscale_options_set_upscaler (self, g_value_get_string (value));
      break;
    case PROP_SCALE:
      tessera_upscale_options_set_scale (self, g_value_get_double (value));
      break;
    case PROP_WIDTH:
      tessera_upscale_options_set_width (self, g_value_get_uint (value));
      break;
    case PROP_HEIGHT:
      tessera_upscale_options_set_height (self, g_value_get_uint (value));
      break;
    case PROP_FORMAT:
      tessera_upscale_options_set_format (self, g_value_get_enum (value));
      break;
    case PROP_QUALITY:
      tessera_upscale_options_set_quality (self, g_value_get_int (value));
      break;
    case PROP_TILE_SIZE:
      tessera_upscale_options_set_tile_size (self, g_value_get_uint (value));
      break;
    case PROP_TILE_OVERLAP:
      tessera_upscale_options_set_tile_overlap (self, g_value_get_uint (value));
      break;
    case PROP_PRE_PAD:
      tessera_upscale_options_set_pre_pad (self, g_value_get_int (value));
      break;
    case PROP_DENOISE:
      tessera_upscale_options_set_denoise (self, g_value_get_double (value));
      break;
    case PROP_ALPHA_MODE:
      tessera_upscale_options_set_alpha_mode (self, g_value_get_enum (value));
      break;
    case PROP_TTA:
      tessera_upscale_options_set_tta (self, g_value_get_boolean (value));
      break;
    case PROP_TIFF_TILE_SIZE:
      tessera_upscale_options_set_tiff_tile_size (self, g_value_get_uint (value));
      break;
    case PROP_COMPRESSION:
      tessera_upscale_options_set_compression (self, g_value_get_int (value));
      break;
    case PROP_BIT_DEPTH:
      tessera_upscale_options_set_bit_depth (self, g_value_get_uint (value));
      break;
    case PROP_STREAM:
      tessera_upscale_options_set_stream (self, g_value_get_boolean (value));
      break;
    case PROP_THREADS:
      tessera_upscale_options_set_threads (self, g_value_get_uint (value));
      break;
    case PROP_UPSCALER_2:
      tessera_upscale_options_set_upscaler_2 (self, g_value_get_string (value));
      break;
    case PROP_UPSCALER_2_VISIBILITY:
      tessera_upscale_options_set_upscaler_2_visibility (self, g_value_get_double (value));
      break;
    case PROP_DEVICE:
      tessera_upscale_options_set_device (self, g_value_get_string (value));
      break;
    case PROP_PRECISION:
      tessera_upscale_options_set_precision (self, g_value_get_enum (value));
      break;
    case PROP_GPU_MEMORY:
      tessera_upscale_options_set_gpu_memory (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_upscale_options_class_init (TesseraUpscaleOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_upscale_options_finalize;
  object_class->get_property = tessera_upscale_options_get_property;
  object_class->set_property = tessera_upscale_options_set_property;

  properties[PROP_UPSCALER] =
    g_param_spec_string ("upscaler", NULL, NULL,
                         "lanczos",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL,
                         0.0, MAX_SCALE, 4.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL,
                       0, TESSERA_IMAGE_MAX_SIDE, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL,
                       0, TESSERA_IMAGE_MAX_SIDE, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL,
                       TESSERA_TYPE_IMAGE_FORMAT, TESSERA_IMAGE_FORMAT_PNG,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_QUALITY] =
    g_param_spec_int ("quality", NULL, NULL,
                      1, 100, 92,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TILE_SIZE] =
    g_param_spec_uint ("tile-size", NULL, NULL,
                       0, TESSERA_IMAGE_MAX_SIDE, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_OVERLAP] =
    g_param_spec_uint ("tile-overlap", NULL, NULL,
                       0, 512, TESSERA_DEFAULT_TILE_OVERLAP,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRE_PAD] =
    g_param_spec_int ("pre-pad", NULL, NULL,
                       TESSERA_PRE_PAD_AUTO, 512, TESSERA_PRE_PAD_AUTO,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DENOISE] =
    g_param_spec_double ("denoise", NULL, NULL,
                         -1.0, 1.0, -1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ALPHA_MODE] =
    g_param_spec_enum ("alpha-mode", NULL, NULL,
                       TESSERA_TYPE_ALPHA_MODE, TESSERA_ALPHA_MODE_BICUBIC,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STREAM] =
    g_param_spec_boolean ("stream", NULL, NULL,
                          FALSE,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BIT_DEPTH] =
    g_param_spec_uint ("bit-depth", NULL, NULL,
                       0, 16, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COMPRESSION] =
    g_param_spec_int ("compression", NULL, NULL,
                      -1, 9, -1,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TIFF_TILE_SIZE] =
    g_param_spec_uint ("tiff-tile-size", NULL, NULL,
                       0, 4096, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TTA] =
    g_param_spec_boolean ("tta", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_THREADS] =
    g_param_spec_uint ("threads", NULL, NULL,
                       0, 4096, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_UPSCALER_2] =
    g_param_spec_string ("upscaler-2", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_UPSCALER_2_VISIBILITY] =
    g_param_spec_double ("upscaler-2-visibility", NULL, NULL,
                         0.0, 1.0, 0.5,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DEVICE] =
    g_param_spec_string ("device", NULL, NULL,
                         "auto",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRECISION] =
    g_param_spec_enum ("precision", NULL, NULL,
                       TESSERA_TYPE_PRECISION, TESSERA_PRECISION_FP16,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_GPU_MEMORY] =
    g_param_spec_uint ("gpu-memory", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_upscale_options_init (TesseraUpscaleOptions *self)
{
  self->upscaler = g_strdup ("lanczos");
  self->device = g_strdup ("auto");
  self->scale = 4.0;
  self->format = TESSERA_IMAGE_FORMAT_PNG;
  self->quality = 92;
  self->compression = -1;
  self->tile_overlap = TESSERA_DEFAULT_TILE_OVERLAP;
  self->pre_pad = TESSERA_PRE_PAD_AUTO;
  self->denoise = -1.0;
  self->upscaler_2_visibility = 0.5;
}

TesseraUpscaleOptions *
tessera_upscale_options_new (void)
{
  return g_object_new (TESSERA_TYPE_UPSCALE_OPTIONS, NULL);
}

/**
 * tessera_upscale_options_copy:
 *
 * Returns: (transfer full): a new object with the same settings, so that a
 *   running job is not affected by later changes to @self
 */
TesseraUpscaleOptions *
tessera_upscale_options_copy (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);

  TesseraUpscaleOptions *copy = tessera_upscale_options_new ();

  for (guint i = 1; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (self), properties[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), properties[i]->name, &value);
    }

  return copy;
}

const char *
tessera_upscale_options_get_upscaler (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);

  return self->upscaler;
}

void
tessera_upscale_options_set_upscaler (TesseraUpscaleOptions *self,
                                      const char            *upscaler)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (upscaler != NULL);

  if (g_strcmp0 (self->upscaler, upscaler) == 0)
    return;

  g_free (self->upscaler);
  self->upscaler = g_strdup (upscaler);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER]);
}

double
tessera_upscale_options_get_scale (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0.0);

  return self->scale;
}

/**
 * tessera_upscale_options_set_scale:
 * @scale: the factor, greater than 0 and at most 64; below 1 shrinks
 */
void
tessera_upscale_options_set_scale (TesseraUpscaleOptions *self,
                                   double                 scale)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (scale > 0.0 && scale <= MAX_SCALE);

  if (self->scale == scale)
    return;

  self->scale = scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
}

guint
tessera_upscale_options_get_width (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->width;
}

/**
 * tessera_upscale_options_set_width:
 * @width: the target width, or 0 to follow the scale or the height
 */
void
tessera_upscale_options_set_width (TesseraUpscaleOptions *self,
                                   guint                  width)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->width == width)
    return;

  self->width = width;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
}

guint
tessera_upscale_options_get_height (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->height;
}

/**
 * tessera_upscale_options_set_height:
 * @height: the target height, or 0 to follow the scale or the width
 */
void
tessera_upscale_options_set_height (TesseraUpscaleOptions *self,
                                    guint                  height)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->height == height)
    return;

  self->height = height;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
}

TesseraImageFormat
tessera_upscale_options_get_format (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), TESSERA_IMAGE_FORMAT_PNG);

  return self->format;
}

void
tessera_upscale_options_set_format (TesseraUpscaleOptions *self,
                                    TesseraImageFormat     format)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->format == format)
    return;

  self->format = format;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMAT]);
}

int
tessera_upscale_options_get_quality (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->quality;
}

/**
 * tessera_upscale_options_set_quality:
 * @quality: 1–100, for JPEG and WebP output
 */
void
tessera_upscale_options_set_quality (TesseraUpscaleOptions *self,
                                     int                    quality)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (quality >= 1 && quality <= 100);

  if (self->quality == quality)
    return;

  self->quality = quality;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUALITY]);
}

guint
tessera_upscale_options_get_tile_size (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->tile_size;
}

/**
 * tessera_upscale_options_set_tile_size:
 * @tile_size: the largest tile side in input pixels, or 0 to choose from the memory a tile may use
 */
void
tessera_upscale_options_set_tile_size (TesseraUpscaleOptions *self,
                                       guint tile_size)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->tile_size == tile_size)
    return;

  self->tile_size = tile_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_SIZE]);
}

guint
tessera_upscale_options_get_tile_overlap (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->tile_overlap;
}

/**
 * tessera_upscale_options_set_tile_overlap:
 * @tile_overlap: how far each tile reaches into its neighbours, in input pixels; their outputs are blended across that band
 */
void
tessera_upscale_options_set_tile_overlap (TesseraUpscaleOptions *self,
                                          guint tile_overlap)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->tile_overlap == tile_overlap)
    return;

  self->tile_overlap = tile_overlap;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_OVERLAP]);
}

int
tessera_upscale_options_get_pre_pad (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), TESSERA_PRE_PAD_AUTO);

  return self->pre_pad;
}

/**
 * tessera_upscale_options_set_pre_pad:
 * @pre_pad: pixels of reflection around the image before the network, as
 *   Real-ESRGAN's pre_pad; 0 runs the network on the bare image, and
 *   %TESSERA_PRE_PAD_AUTO uses what the model family's own tool does
 *   (10 for ESRGAN and Compact, 0 for Real-CUGAN and waifu2x, whose
 *   networks pad their input themselves)
 */
void
tessera_upscale_options_set_pre_pad (TesseraUpscaleOptions *self,
                                     int pre_pad)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (pre_pad >= TESSERA_PRE_PAD_AUTO && pre_pad <= 512);

  if (self->pre_pad == pre_pad)
    return;

  self->pre_pad = pre_pad;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRE_PAD]);
}

double
tessera_upscale_options_get_denoise (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0.0);

  return self->denoise;
}

/**
 * tessera_upscale_options_set_denoise:
 * @denoise: noise reduction from 0 to 1, mapped onto what the model's family offers (its noise-level siblings, or a blend with its denoising twin); -1 uses the model as it is
 */
void
tessera_upscale_options_set_denoise (TesseraUpscaleOptions *self,
                                     double denoise)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (denoise >= -1.0 && denoise <= 1.0);

  if (self->denoise == denoise)
    return;

  self->denoise = denoise;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DENOISE]);
}

TesseraAlphaMode
tessera_upscale_options_get_alpha_mode (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), TESSERA_ALPHA_MODE_BICUBIC);

  return self->alpha_mode;
}

/**
 * tessera_upscale_options_set_alpha_mode:
 * @alpha_mode: how the alpha channel is upscaled
 */
void
tessera_upscale_options_set_alpha_mode (TesseraUpscaleOptions *self,
                                        TesseraAlphaMode alpha_mode)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->alpha_mode == alpha_mode)
    return;

  self->alpha_mode = alpha_mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALPHA_MODE]);
}

gboolean
tessera_upscale_options_get_tta (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), FALSE);

  return self->tta;
}

/**
 * tessera_upscale_options_set_tta:
 * @tta: whether a model sees each tile in its 8 flips and rotations and
 *   the results are averaged (test-time augmentation): a little cleaner,
 *   8 times the time
 */
void
tessera_upscale_options_set_tta (TesseraUpscaleOptions *self,
                                 gboolean               tta)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  tta = !!tta;
  if (self->tta == tta)
    return;

  self->tta = tta;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TTA]);
}

guint
tessera_upscale_options_get_threads (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->threads;
}

/**
 * tessera_upscale_options_set_threads:
 * @threads: how many threads to use, or 0 for every core
 */
void
tessera_upscale_options_set_threads (TesseraUpscaleOptions *self,
                                     guint threads)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->threads == threads)
    return;

  self->threads = threads;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREADS]);
}

const char *
tessera_upscale_options_get_upscaler_2 (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);

  return self->upscaler_2;
}

/**
 * tessera_upscale_options_set_upscaler_2:
 * @upscaler_2: a second upscaler whose result is blended in, or %NULL
 */
void
tessera_upscale_options_set_upscaler_2 (TesseraUpscaleOptions *self,
                                        const char *upscaler_2)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (g_strcmp0 (self->upscaler_2, upscaler_2) == 0)
    return;

  g_free (self->upscaler_2);
  self->upscaler_2 = g_strdup (upscaler_2);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER_2]);
}

double
tessera_upscale_options_get_upscaler_2_visibility (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0.0);

  return self->upscaler_2_visibility;
}

/**
 * tessera_upscale_options_set_upscaler_2_visibility:
 * @upscaler_2_visibility: how much of the second upscaler's result shows, from 0 to 1
 */
void
tessera_upscale_options_set_upscaler_2_visibility (TesseraUpscaleOptions *self,
                                                   double upscaler_2_visibility)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (upscaler_2_visibility >= 0.0 && upscaler_2_visibility <= 1.0);

  if (self->upscaler_2_visibility == upscaler_2_visibility)
    return;

  self->upscaler_2_visibility = upscaler_2_visibility;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER_2_VISIBILITY]);
}

static guint
scaled_size (guint  size,
             double factor)
{
  double scaled = floor (size * factor + 0.5);

  return (guint) CLAMP (scaled, 1.0, (double) G_MAXUINT32);
}

/**
 * tessera_upscale_options_compute_size:
 * @self: a #TesseraUpscaleOptions
 * @in_width: the input width
 * @in_height: the input height
 * @out_width: (out): the result's width
 * @out_height: (out): the result's height
 * @error: return location for a #GError
 *
 * Works out the size of the result: the input times the scale, rounded to
 * the nearest pixel, or the target size.
 *
 * Returns: %FALSE if the result would be beyond the image size limits
 */
static gboolean
compute_size_within (TesseraUpscaleOptions  *self,
                     guint64                 max_side,
                     guint64                 max_pixels,
                                      guint                   in_width,
                                      guint                   in_height,
                                      guint                  *out_width,
                                      guint                  *out_height,
                                      GError                **error)
{
  guint width, height;

  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), FALSE);
  g_return_val_if_fail (in_width > 0 && in_height > 0, FALSE);

  if (self->width > 0 && self->height > 0)
    {
      width = self->width;
      height = self->height;
    }
  else if (self->width > 0)
    {
      width = self->width;
      height = scaled_size (in_height, (double) self->width / in_width);
    }
  else if (self->height > 0)
    {
      width = scaled_size (in_width, (double) self->height / in_height);
      height = self->height;
    }
  else
    {
      width = scaled_size (in_width, self->scale);
      height = scaled_size (in_height, self->scale);
    }

  if (width > max_side || height > max_side || (guint64) width * height > max_pixels)
    {
      if (max_side > TESSERA_IMAGE_MAX_SIDE)
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                     _("the result would be %u×%u pixels, more than Tessera writes (%u pixels per side)"),
                     width, height, (guint) max_side);
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                     _("the result would be %u×%u pixels, more than Tessera handles "
                       "(%u pixels per side, 1 gigapixel in all)"),
                     width, height, (guint) max_side);
      return FALSE;
    }

  *out_width = width;
  *out_height = height;
  return TRUE;
}

gboolean
tessera_upscale_options_compute_size (TesseraUpscaleOptions  *self,
                                      guint                   in_width,
                                      guint                   in_height,
                                      guint                  *out_width,
                                      guint                  *out_height,
                                      GError                **error)
{
  return compute_size_within (self, TESSERA_IMAGE_MAX_SIDE, TESSERA_IMAGE_MAX_PIXELS, in_width, in_height,
                              out_width, out_height, error);
}

/**
 * tessera_upscale_options_compute_streamed_size:
 *
 * tessera_upscale_options_compute_size() for an upscale that streams from
 * file to file (tessera_engine_upscale_file()), whose result may be far
 * larger than an image in memory: up to 1048576 pixels a side.
 *
 * Returns: %FALSE if the result would be larger still
 */
gboolean
tessera_upscale_options_compute_streamed_size (TesseraUpscaleOptions  *self,
                                               guint                   in_width,
                                               guint                   in_height,
                                               guint                  *out_width,
                                               guint                  *out_height,
                                               GError                **error)
{
  return compute_size_within (self, TESSERA_STREAM_MAX_SIDE, (guint64) TESSERA_STREAM_MAX_SIDE * TESSERA_STREAM_MAX_SIDE,
                              in_width, in_height, out_width, out_height, error);
}

const char *
tessera_upscale_options_get_device (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);

  return self->device;
}

/**
 * tessera_upscale_options_set_device:
 * @device: where models run: "auto" (the first CUDA device, else the
 *   CPU), "cpu", "cuda" or "cuda:N"; see tessera_engine_check_device()
 */
void
tessera_upscale_options_set_device (TesseraUpscaleOptions *self,
                                    const char            *device)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (device != NULL);

  if (g_strcmp0 (self->device, device) == 0)
    return;

  g_free (self->device);
  self->device = g_strdup (device);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

TesseraPrecision
tessera_upscale_options_get_precision (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), TESSERA_PRECISION_FP16);

  return self->precision;
}

/**
 * tessera_upscale_options_set_precision:
 * @precision: the arithmetic of a GPU's convolutions; the CPU always
 *   computes in fp32
 */
void
tessera_upscale_options_set_precision (TesseraUpscaleOptions *self,
                                       TesseraPrecision       precision)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->precision == precision)
    return;

  self->precision = precision;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRECISION]);
}

guint
tessera_upscale_options_get_gpu_memory (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->gpu_memory;
}

/**
 * tessera_upscale_options_set_gpu_memory:
 * @mebibytes: the most GPU memory an upscale may take, in MiB; 0 lets it
 *   take most of what is free
 *
 * Tiles are made small enough to stay under it. The CUDA context's own
 * few hundred MiB are not counted.
 */
void
tessera_upscale_options_set_gpu_memory (TesseraUpscaleOptions *self,
                                        guint                  mebibytes)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  if (self->gpu_memory == mebibytes)
    return;

  self->gpu_memory = mebibytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GPU_MEMORY]);
}

/**
 * tessera_upscale_options_format_scale:
 *
 * The size asked for, as output names show it: `x4` (or `x2.5`) for a
 * scale, `w3840` or `h2160` for a width or a height, `3840x2160` for both.
 *
 * Returns: (transfer full): the text
 */
char *
tessera_upscale_options_format_scale (TesseraUpscaleOptions *self)
{
  char scale[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);

  if (self->width > 0 && self->height > 0)
    return g_strdup_printf ("%ux%u", self->width, self->height);
  if (self->width > 0)
    return g_strdup_printf ("w%u", self->width);
  if (self->height > 0)
    return g_strdup_printf ("h%u", self->height);
  g_ascii_formatd (scale, sizeof scale, "%g", self->scale);
  return g_strconcat ("x", scale, NULL);
}

/**
 * tessera_upscale_options_expand_name:
 * @pattern: the output's name with fields: `{name}` (the input's name
 *   without its extension), `{upscaler}`, `{scale}` (as
 *   tessera_upscale_options_format_scale() gives it) and `{ext}` (the
 *   output format's extension); %TESSERA_DEFAULT_NAME_PATTERN by default
 * @input_name: the input's file name or path; only its last part counts
 * @upscaler_label: the upscaler as names show it, such as a model's name
 *
 * Returns: (transfer full) (nullable): the output's file name, or %NULL
 *   with @error set when @pattern has an unknown field or an unclosed
 *   brace, or would make a path or an empty name
 */
char *
tessera_upscale_options_expand_name (TesseraUpscaleOptions  *self,
                                     const char             *pattern,
                                     const char             *input_name,
                                     const char             *upscaler_label,
                                     GError                **error)
{
  g_autofree char *stem = NULL;
  g_autofree char *scale = NULL;
  g_autoptr(GString) name = g_string_new (NULL);
  const char *ext;
  char *dot;

  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), NULL);
  g_return_val_if_fail (pattern != NULL && input_name != NULL && upscaler_label != NULL, NULL);

  stem = g_path_get_basename (input_name);
  dot = strrchr (stem, '.');
  if (dot != NULL && dot != stem)
    *dot = '\0';
  scale = tessera_upscale_options_format_scale (self);
  ext = tessera_image_format_get_extension (self->format);

  for (const char *p = pattern; *p != '\0'; p++)
    {
      const char *close;
      g_autofree char *field = NULL;

      if (*p != '{')
        {
          g_string_append_c (name, *p);
          continue;
        }

      close = strchr (p, '}');
      if (close == NULL)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("name pattern “%s”: a “{” is not closed"), pattern);
          return NULL;
        }
      field = g_strndup (p + 1, close - p - 1);
      if (g_str_equal (field, "name"))
        g_string_append (name, stem);
      else if (g_str_equal (field, "upscaler"))
        g_string_append (name, upscaler_label);
      else if (g_str_equal (field, "scale"))
        g_string_append (name, scale);
      else if (g_str_equal (field, "ext"))
        g_string_append (name, ext);
      else
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                       _("name pattern “%s”: unknown field “{%s}”; use {name}, {upscaler}, {scale} and {ext}"),
                       pattern, field);
          return NULL;
        }
      p = close;
    }

  if (strchr (name->str, G_DIR_SEPARATOR) != NULL || g_str_equal (name->str, "") ||
      g_str_equal (name->str, ".") || g_str_equal (name->str, ".."))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("name pattern “%s” makes “%s”, which is not a file name"), pattern, name->str);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&name), FALSE);
}

gboolean
tessera_upscale_options_get_stream (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), FALSE);

  return self->stream;
}

/**
 * tessera_upscale_options_set_stream:
 * @stream: whether the upscale always runs band by band from the input
 *   file to the output file, holding only a band of rows (for tests and
 *   benchmarks: it does so by itself when the result would not fit in
 *   memory)
 */
void
tessera_upscale_options_set_stream (TesseraUpscaleOptions *self,
                                    gboolean              stream)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));

  stream = !!stream;
  if (self->stream == stream)
    return;

  self->stream = stream;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAM]);
}

guint
tessera_upscale_options_get_bit_depth (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->bit_depth;
}

/**
 * tessera_upscale_options_set_bit_depth:
 * @bit_depth: bits per channel of PNG and TIFF output, 8 or 16; 0 for
 *   the input's
 */
void
tessera_upscale_options_set_bit_depth (TesseraUpscaleOptions *self,
                                       guint                 bit_depth)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (bit_depth == 0 || bit_depth == 8 || bit_depth == 16);

  if (self->bit_depth == bit_depth)
    return;

  self->bit_depth = bit_depth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIT_DEPTH]);
}

int
tessera_upscale_options_get_compression (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), -1);

  return self->compression;
}

/**
 * tessera_upscale_options_set_compression:
 * @compression: the zlib level of PNG and TIFF output, 0 (none, fastest)
 *   to 9 (smallest); -1 for zlib's default
 */
void
tessera_upscale_options_set_compression (TesseraUpscaleOptions *self,
                                         int                   compression)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (compression >= -1 && compression <= 9);

  if (self->compression == compression)
    return;

  self->compression = compression;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPRESSION]);
}

guint
tessera_upscale_options_get_tiff_tile_size (TesseraUpscaleOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self), 0);

  return self->tiff_tile_size;
}

/**
 * tessera_upscale_options_set_tiff_tile_size:
 * @tiff_tile_size: TIFF output in tiles of this many pixels a side, a
 *   multiple of 16; 0 for strips of rows
 */
void
tessera_upscale_options_set_tiff_tile_size (TesseraUpscaleOptions *self,
                                            guint                 tiff_tile_size)
{
  g_return_if_fail (TESSERA_IS_UPSCALE_OPTIONS (self));
  g_return_if_fail (tiff_tile_size % 16 == 0 && tiff_tile_size <= 4096);

  if (self->tiff_tile_size == tiff_tile_size)
    return;

  self->tiff_tile_size = tiff_tile_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIFF_TILE_SIZE]);
}
