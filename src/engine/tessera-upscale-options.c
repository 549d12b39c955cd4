/* tessera-upscale-options.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-upscale-options"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "tessera-enums.h"
#include "tessera-error.h"
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
};

enum {
  PROP_0,
  PROP_UPSCALER,
  PROP_SCALE,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FORMAT,
  PROP_QUALITY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TesseraUpscaleOptions, tessera_upscale_options, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tessera_upscale_options_finalize (GObject *object)
{
  TesseraUpscaleOptions *self = (TesseraUpscaleOptions *) object;

  g_clear_pointer (&self->upscaler, g_free);

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

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_upscale_options_init (TesseraUpscaleOptions *self)
{
  self->upscaler = g_strdup ("lanczos");
  self->scale = 4.0;
  self->format = TESSERA_IMAGE_FORMAT_PNG;
  self->quality = 92;
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

  return g_object_new (TESSERA_TYPE_UPSCALE_OPTIONS,
                       "upscaler", self->upscaler,
                       "scale", self->scale,
                       "width", self->width,
                       "height", self->height,
                       "format", self->format,
                       "quality", self->quality,
                       NULL);
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
gboolean
tessera_upscale_options_compute_size (TesseraUpscaleOptions  *self,
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

  if (width > TESSERA_IMAGE_MAX_SIDE || height > TESSERA_IMAGE_MAX_SIDE ||
      (guint64) width * height > TESSERA_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_TOO_LARGE,
                   _("the result would be %u×%u pixels, more than Tessera handles "
                     "(%u pixels per side, 1 gigapixel in all)"),
                   width, height, TESSERA_IMAGE_MAX_SIDE);
      return FALSE;
    }

  *out_width = width;
  *out_height = height;
  return TRUE;
}
