/* tessera-redraw-options.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-redraw-options"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-enums.h"
#include "tessera-redraw-options.h"

#define MAX_STEPS     1000
#define MAX_CFG       100.0
#define MAX_CLIP_SKIP 12
#define MAX_SCALE     64.0
#define MAX_SIZE      65536

/**
 * TesseraRedrawOptions:
 *
 * What one redraw should do: Stable Diffusion img2img over the whole
 * image, as AUTOMATIC1111's web UI runs it, optionally after a first
 * stage that upscales the image (an upscaler and a scale, or a size).
 *
 * The defaults are A1111's, but for the denoising strength: 0.35 rather
 * than img2img's 0.75, since a redraw after an upscale should add detail,
 * not repaint the picture. The sampler is A1111's default, "Euler a"; the
 * noise is A1111's default "NV" source.
 */
struct _TesseraRedrawOptions
{
  GObject                 parent_instance;

  char                   *prompt;
  char                   *negative_prompt;
  double                  denoise;
  guint                   steps;
  double                  cfg;
  TesseraRedrawSampler    sampler;
  TesseraRedrawScheduler  scheduler;
  gint64                  seed;
  TesseraRedrawRng        rng;
  guint                   clip_skip;
  gboolean                exact_steps;
  GFile                  *vae_file;
  char                   *tiles;
  char                   *device;
  TesseraPrecision        precision;
  char                   *upscaler;
  double                  scale;
  guint                   width;
  guint                   height;
};

enum {
  PROP_0,
  PROP_PROMPT,
  PROP_NEGATIVE_PROMPT,
  PROP_DENOISE,
  PROP_STEPS,
  PROP_CFG,
  PROP_SAMPLER,
  PROP_SCHEDULER,
  PROP_SEED,
  PROP_RNG,
  PROP_CLIP_SKIP,
  PROP_EXACT_STEPS,
  PROP_VAE_FILE,
  PROP_TILES,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_UPSCALER,
  PROP_SCALE,
  PROP_WIDTH,
  PROP_HEIGHT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (TesseraRedrawOptions, tessera_redraw_options, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void
tessera_redraw_options_finalize (GObject *object)
{
  TesseraRedrawOptions *self = TESSERA_REDRAW_OPTIONS (object);

  g_free (self->prompt);
  g_free (self->negative_prompt);
  g_clear_object (&self->vae_file);
  g_free (self->tiles);
  g_free (self->device);
  g_free (self->upscaler);

  G_OBJECT_CLASS (tessera_redraw_options_parent_class)->finalize (object);
}

static void
tessera_redraw_options_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TesseraRedrawOptions *self = TESSERA_REDRAW_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_PROMPT:
      g_value_set_string (value, self->prompt);
      break;
    case PROP_NEGATIVE_PROMPT:
      g_value_set_string (value, self->negative_prompt);
      break;
    case PROP_DENOISE:
      g_value_set_double (value, self->denoise);
      break;
    case PROP_STEPS:
      g_value_set_uint (value, self->steps);
      break;
    case PROP_CFG:
      g_value_set_double (value, self->cfg);
      break;
    case PROP_SAMPLER:
      g_value_set_enum (value, self->sampler);
      break;
    case PROP_SCHEDULER:
      g_value_set_enum (value, self->scheduler);
      break;
    case PROP_SEED:
      g_value_set_int64 (value, self->seed);
      break;
    case PROP_RNG:
      g_value_set_enum (value, self->rng);
      break;
    case PROP_CLIP_SKIP:
      g_value_set_uint (value, self->clip_skip);
      break;
    case PROP_EXACT_STEPS:
      g_value_set_boolean (value, self->exact_steps);
      break;
    case PROP_VAE_FILE:
      g_value_set_object (value, self->vae_file);
      break;
    case PROP_TILES:
      g_value_set_string (value, self->tiles);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_PRECISION:
      g_value_set_enum (value, self->precision);
      break;
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
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_redraw_options_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  TesseraRedrawOptions *self = TESSERA_REDRAW_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_PROMPT:
      tessera_redraw_options_set_prompt (self, g_value_get_string (value));
      break;
    case PROP_NEGATIVE_PROMPT:
      tessera_redraw_options_set_negative_prompt (self, g_value_get_string (value));
      break;
    case PROP_DENOISE:
      tessera_redraw_options_set_denoise (self, g_value_get_double (value));
      break;
    case PROP_STEPS:
      tessera_redraw_options_set_steps (self, g_value_get_uint (value));
      break;
    case PROP_CFG:
      tessera_redraw_options_set_cfg (self, g_value_get_double (value));
      break;
    case PROP_SAMPLER:
      tessera_redraw_options_set_sampler (self, g_value_get_enum (value));
      break;
    case PROP_SCHEDULER:
      tessera_redraw_options_set_scheduler (self, g_value_get_enum (value));
      break;
    case PROP_SEED:
      tessera_redraw_options_set_seed (self, g_value_get_int64 (value));
      break;
    case PROP_RNG:
      tessera_redraw_options_set_rng (self, g_value_get_enum (value));
      break;
    case PROP_CLIP_SKIP:
      tessera_redraw_options_set_clip_skip (self, g_value_get_uint (value));
      break;
    case PROP_EXACT_STEPS:
      tessera_redraw_options_set_exact_steps (self, g_value_get_boolean (value));
      break;
    case PROP_VAE_FILE:
      tessera_redraw_options_set_vae_file (self, g_value_get_object (value));
      break;
    case PROP_TILES:
      tessera_redraw_options_set_tiles (self, g_value_get_string (value));
      break;
    case PROP_DEVICE:
      tessera_redraw_options_set_device (self, g_value_get_string (value));
      break;
    case PROP_PRECISION:
      tessera_redraw_options_set_precision (self, g_value_get_enum (value));
      break;
    case PROP_UPSCALER:
      tessera_redraw_options_set_upscaler (self, g_value_get_string (value));
      break;
    case PROP_SCALE:
      tessera_redraw_options_set_scale (self, g_value_get_double (value));
      break;
    case PROP_WIDTH:
      tessera_redraw_options_set_width (self, g_value_get_uint (value));
      break;
    case PROP_HEIGHT:
      tessera_redraw_options_set_height (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_redraw_options_class_init (TesseraRedrawOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_redraw_options_finalize;
  object_class->get_property = tessera_redraw_options_get_property;
  object_class->set_property = tessera_redraw_options_set_property;

  properties[PROP_PROMPT] =
    g_param_spec_string ("prompt", NULL, NULL, "",
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_NEGATIVE_PROMPT] =
    g_param_spec_string ("negative-prompt", NULL, NULL, "",
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DENOISE] =
    g_param_spec_double ("denoise", NULL, NULL, 0.0, 1.0, TESSERA_REDRAW_DEFAULT_DENOISE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_STEPS] =
    g_param_spec_uint ("steps", NULL, NULL, 1, MAX_STEPS, TESSERA_REDRAW_DEFAULT_STEPS,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CFG] =
    g_param_spec_double ("cfg", NULL, NULL, 0.0, MAX_CFG, TESSERA_REDRAW_DEFAULT_CFG,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SAMPLER] =
    g_param_spec_enum ("sampler", NULL, NULL, TESSERA_TYPE_REDRAW_SAMPLER, TESSERA_REDRAW_SAMPLER_EULER_A,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCHEDULER] =
    g_param_spec_enum ("scheduler", NULL, NULL, TESSERA_TYPE_REDRAW_SCHEDULER, TESSERA_REDRAW_SCHEDULER_NORMAL,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEED] =
    g_param_spec_int64 ("seed", NULL, NULL, -1, G_MAXUINT32, TESSERA_REDRAW_RANDOM_SEED,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RNG] =
    g_param_spec_enum ("rng", NULL, NULL, TESSERA_TYPE_REDRAW_RNG, TESSERA_REDRAW_RNG_NV,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CLIP_SKIP] =
    g_param_spec_uint ("clip-skip", NULL, NULL, 1, MAX_CLIP_SKIP, 1,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_EXACT_STEPS] =
    g_param_spec_boolean ("exact-steps", NULL, NULL, FALSE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_VAE_FILE] =
    g_param_spec_object ("vae-file", NULL, NULL, G_TYPE_FILE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILES] =
    g_param_spec_string ("tiles", NULL, NULL, "none",
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DEVICE] =
    g_param_spec_string ("device", NULL, NULL, "auto",
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PRECISION] =
    g_param_spec_enum ("precision", NULL, NULL, TESSERA_TYPE_PRECISION, TESSERA_PRECISION_FP16,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_UPSCALER] =
    g_param_spec_string ("upscaler", NULL, NULL, NULL,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SCALE] =
    g_param_spec_double ("scale", NULL, NULL, 0.0, MAX_SCALE, 0.0,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WIDTH] =
    g_param_spec_uint ("width", NULL, NULL, 0, MAX_SIZE, 0,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_HEIGHT] =
    g_param_spec_uint ("height", NULL, NULL, 0, MAX_SIZE, 0,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_redraw_options_init (TesseraRedrawOptions *self)
{
  self->prompt = g_strdup ("");
  self->negative_prompt = g_strdup ("");
  self->denoise = TESSERA_REDRAW_DEFAULT_DENOISE;
  self->steps = TESSERA_REDRAW_DEFAULT_STEPS;
  self->cfg = TESSERA_REDRAW_DEFAULT_CFG;
  self->sampler = TESSERA_REDRAW_SAMPLER_EULER_A;
  self->scheduler = TESSERA_REDRAW_SCHEDULER_NORMAL;
  self->seed = TESSERA_REDRAW_RANDOM_SEED;
  self->rng = TESSERA_REDRAW_RNG_NV;
  self->clip_skip = 1;
  self->tiles = g_strdup ("none");
  self->device = g_strdup ("auto");
  self->precision = TESSERA_PRECISION_FP16;
}

TesseraRedrawOptions *
tessera_redraw_options_new (void)
{
  return g_object_new (TESSERA_TYPE_REDRAW_OPTIONS, NULL);
}

/**
 * tessera_redraw_options_copy:
 *
 * Returns: (transfer full): a new object with the same settings
 */
TesseraRedrawOptions *
tessera_redraw_options_copy (TesseraRedrawOptions *self)
{
  TesseraRedrawOptions *copy;

  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  copy = tessera_redraw_options_new ();
  for (guint i = 1; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      const char *name = g_param_spec_get_name (properties[i]);

      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (properties[i]));
      g_object_get_property (G_OBJECT (self), name, &value);
      g_object_set_property (G_OBJECT (copy), name, &value);
    }
  return copy;
}

/**
 * tessera_redraw_options_validate:
 * @self: a #TesseraRedrawOptions
 * @error: return location for a #GError
 *
 * Checks the settings that only make sense together: the first stage
 * needs an upscaler and either a scale or a size, and only whole-image
 * redraws exist so far.
 *
 * Returns: %TRUE when a redraw can run with these settings
 */
gboolean
tessera_redraw_options_validate (TesseraRedrawOptions  *self,
                                 GError               **error)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), FALSE);

  if (g_strcmp0 (self->tiles, "none") != 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("Redrawing in tiles (“%s”) is not supported yet; use “none”"), self->tiles);
      return FALSE;
    }
  if ((self->width > 0) != (self->height > 0))
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                           _("Give both a width and a height for the first stage, or neither"));
      return FALSE;
    }
  if (self->scale > 0 && self->width > 0)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                           _("Give the first stage either a scale or a size, not both"));
      return FALSE;
    }
  if (self->upscaler != NULL && *self->upscaler != '\0' && self->scale <= 0 && self->width == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The upscaler “%s” needs a scale or a size"), self->upscaler);
      return FALSE;
    }
  return TRUE;
}

const char *
tessera_redraw_options_get_prompt (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->prompt;
}

void
tessera_redraw_options_set_prompt (TesseraRedrawOptions *self,
                                   const char *prompt)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (g_strcmp0 (self->prompt, prompt) == 0)
    return;
  g_free (self->prompt);
  self->prompt = g_strdup (prompt);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROMPT]);
}

const char *
tessera_redraw_options_get_negative_prompt (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->negative_prompt;
}

void
tessera_redraw_options_set_negative_prompt (TesseraRedrawOptions *self,
                                            const char *negative_prompt)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (g_strcmp0 (self->negative_prompt, negative_prompt) == 0)
    return;
  g_free (self->negative_prompt);
  self->negative_prompt = g_strdup (negative_prompt);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEGATIVE_PROMPT]);
}

double
tessera_redraw_options_get_denoise (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->denoise;
}

void
tessera_redraw_options_set_denoise (TesseraRedrawOptions *self,
                                    double denoise)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->denoise == denoise)
    return;
  self->denoise = denoise;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DENOISE]);
}

guint
tessera_redraw_options_get_steps (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->steps;
}

void
tessera_redraw_options_set_steps (TesseraRedrawOptions *self,
                                  guint steps)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->steps == steps)
    return;
  self->steps = steps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEPS]);
}

double
tessera_redraw_options_get_cfg (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->cfg;
}

void
tessera_redraw_options_set_cfg (TesseraRedrawOptions *self,
                                double cfg)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->cfg == cfg)
    return;
  self->cfg = cfg;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CFG]);
}

TesseraRedrawSampler
tessera_redraw_options_get_sampler (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->sampler;
}

void
tessera_redraw_options_set_sampler (TesseraRedrawOptions *self,
                                    TesseraRedrawSampler sampler)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->sampler == sampler)
    return;
  self->sampler = sampler;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAMPLER]);
}

TesseraRedrawScheduler
tessera_redraw_options_get_scheduler (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->scheduler;
}

void
tessera_redraw_options_set_scheduler (TesseraRedrawOptions *self,
                                      TesseraRedrawScheduler scheduler)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->scheduler == scheduler)
    return;
  self->scheduler = scheduler;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEDULER]);
}

gint64
tessera_redraw_options_get_seed (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seed;
}

void
tessera_redraw_options_set_seed (TesseraRedrawOptions *self,
                                 gint64 seed)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seed == seed)
    return;
  self->seed = seed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEED]);
}

TesseraRedrawRng
tessera_redraw_options_get_rng (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->rng;
}

void
tessera_redraw_options_set_rng (TesseraRedrawOptions *self,
                                TesseraRedrawRng rng)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->rng == rng)
    return;
  self->rng = rng;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RNG]);
}

guint
tessera_redraw_options_get_clip_skip (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->clip_skip;
}

void
tessera_redraw_options_set_clip_skip (TesseraRedrawOptions *self,
                                      guint clip_skip)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->clip_skip == clip_skip)
    return;
  self->clip_skip = clip_skip;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIP_SKIP]);
}

gboolean
tessera_redraw_options_get_exact_steps (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->exact_steps;
}

void
tessera_redraw_options_set_exact_steps (TesseraRedrawOptions *self,
                                        gboolean exact_steps)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->exact_steps == exact_steps)
    return;
  self->exact_steps = exact_steps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXACT_STEPS]);
}

GFile *
tessera_redraw_options_get_vae_file (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->vae_file;
}

void
tessera_redraw_options_set_vae_file (TesseraRedrawOptions *self,
                                     GFile *vae_file)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (!g_set_object (&self->vae_file, vae_file))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VAE_FILE]);
}

const char *
tessera_redraw_options_get_tiles (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->tiles;
}

void
tessera_redraw_options_set_tiles (TesseraRedrawOptions *self,
                                  const char *tiles)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (g_strcmp0 (self->tiles, tiles) == 0)
    return;
  g_free (self->tiles);
  self->tiles = g_strdup (tiles);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILES]);
}

const char *
tessera_redraw_options_get_device (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->device;
}

void
tessera_redraw_options_set_device (TesseraRedrawOptions *self,
                                   const char *device)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (g_strcmp0 (self->device, device) == 0)
    return;
  g_free (self->device);
  self->device = g_strdup (device);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE]);
}

TesseraPrecision
tessera_redraw_options_get_precision (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->precision;
}

void
tessera_redraw_options_set_precision (TesseraRedrawOptions *self,
                                      TesseraPrecision precision)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->precision == precision)
    return;
  self->precision = precision;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRECISION]);
}

const char *
tessera_redraw_options_get_upscaler (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), NULL);

  return self->upscaler;
}

void
tessera_redraw_options_set_upscaler (TesseraRedrawOptions *self,
                                     const char *upscaler)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (g_strcmp0 (self->upscaler, upscaler) == 0)
    return;
  g_free (self->upscaler);
  self->upscaler = g_strdup (upscaler);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPSCALER]);
}

double
tessera_redraw_options_get_scale (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->scale;
}

void
tessera_redraw_options_set_scale (TesseraRedrawOptions *self,
                                  double scale)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->scale == scale)
    return;
  self->scale = scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE]);
}

guint
tessera_redraw_options_get_width (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->width;
}

void
tessera_redraw_options_set_width (TesseraRedrawOptions *self,
                                  guint width)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->width == width)
    return;
  self->width = width;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WIDTH]);
}

guint
tessera_redraw_options_get_height (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->height;
}

void
tessera_redraw_options_set_height (TesseraRedrawOptions *self,
                                   guint height)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->height == height)
    return;
  self->height = height;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEIGHT]);
}

typedef struct
{
  const char *name;
  const char *label;
} Name;

static const Name sampler_names[] = {
  [TESSERA_REDRAW_SAMPLER_EULER] = { "euler", "Euler" },
  [TESSERA_REDRAW_SAMPLER_EULER_A] = { "euler_a", "Euler a" },
  [TESSERA_REDRAW_SAMPLER_HEUN] = { "heun", "Heun" },
  [TESSERA_REDRAW_SAMPLER_DPMPP_2M] = { "dpmpp_2m", "DPM++ 2M" },
  [TESSERA_REDRAW_SAMPLER_DPMPP_2S_A] = { "dpmpp_2s_a", "DPM++ 2S a" },
  [TESSERA_REDRAW_SAMPLER_DDIM] = { "ddim", "DDIM" },
};

static const char * const scheduler_names[] = {
  [TESSERA_REDRAW_SCHEDULER_NORMAL] = "normal",
  [TESSERA_REDRAW_SCHEDULER_KARRAS] = "karras",
  [TESSERA_REDRAW_SCHEDULER_EXPONENTIAL] = "exponential",
};

static const char * const rng_names[] = {
  [TESSERA_REDRAW_RNG_CPU] = "cpu",
  [TESSERA_REDRAW_RNG_NV] = "nv",
};

/**
 * tessera_redraw_sampler_from_name:
 * @name: a sampler's name as the CLI takes it (`euler_a`) or its A1111
 *   label (`Euler a`)
 * @sampler: (out): the sampler
 *
 * Returns: whether @name is a sampler
 */
gboolean
tessera_redraw_sampler_from_name (const char           *name,
                                  TesseraRedrawSampler *sampler)
{
  for (guint i = 0; i < G_N_ELEMENTS (sampler_names); i++)
    if (g_strcmp0 (name, sampler_names[i].name) == 0 || g_strcmp0 (name, sampler_names[i].label) == 0)
      {
        *sampler = i;
        return TRUE;
      }
  return FALSE;
}

const char *
tessera_redraw_sampler_to_name (TesseraRedrawSampler sampler)
{
  g_return_val_if_fail (sampler < G_N_ELEMENTS (sampler_names), NULL);

  return sampler_names[sampler].name;
}

/**
 * tessera_redraw_sampler_get_label:
 *
 * Returns: the sampler's name in A1111's generation parameters ("Euler a")
 */
const char *
tessera_redraw_sampler_get_label (TesseraRedrawSampler sampler)
{
  g_return_val_if_fail (sampler < G_N_ELEMENTS (sampler_names), NULL);

  return sampler_names[sampler].label;
}

static gboolean
index_of (const char * const *names,
          guint               n_names,
          const char         *name,
          guint              *index)
{
  for (guint i = 0; i < n_names; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
tessera_redraw_scheduler_from_name (const char             *name,
                                    TesseraRedrawScheduler *scheduler)
{
  guint index;

  if (!index_of (scheduler_names, G_N_ELEMENTS (scheduler_names), name, &index))
    return FALSE;
  *scheduler = index;
  return TRUE;
}

const char *
tessera_redraw_scheduler_to_name (TesseraRedrawScheduler scheduler)
{
  g_return_val_if_fail (scheduler < G_N_ELEMENTS (scheduler_names), NULL);

  return scheduler_names[scheduler];
}

gboolean
tessera_redraw_rng_from_name (const char       *name,
                              TesseraRedrawRng *rng)
{
  guint index;

  if (!index_of (rng_names, G_N_ELEMENTS (rng_names), name, &index))
    return FALSE;
  *rng = index;
  return TRUE;
}

const char *
tessera_redraw_rng_to_name (TesseraRedrawRng rng)
{
  g_return_val_if_fail (rng < G_N_ELEMENTS (rng_names), NULL);

  return rng_names[rng];
}
