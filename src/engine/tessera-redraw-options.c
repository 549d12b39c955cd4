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
 * What one redraw should do: Stable Diffusion img2img, as AUTOMATIC1111's
 * web UI runs it, tile by tile (Ultimate SD Upscale, SD upscale) or over
 * the whole image, after an optional first stage that upscales the image
 * (an upscaler and a scale, or a size) or the latent.
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
  TesseraRedrawTiles      tiles;
  char                   *device;
  TesseraPrecision        precision;
  char                   *upscaler;
  double                  scale;
  guint                   width;
  guint                   height;
  guint                      tile_width;
  guint                      tile_height;
  guint                      padding;
  guint                      mask_blur;
  TesseraRedrawTileOrder     tile_order;
  TesseraRedrawTileBlend     tile_blend;
  TesseraRedrawSeamsFix      seams_fix;
  double                     seams_fix_denoise;
  guint                      seams_fix_width;
  guint                      seams_fix_mask_blur;
  guint                      seams_fix_padding;
  guint                      overlap;
  guint                      batch_size;
  TesseraRedrawLatentUpscale latent_upscale;
  gboolean                   latent_antialias;
  TesseraRedrawColorFix      color_fix;
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
  PROP_TILE_WIDTH,
  PROP_TILE_HEIGHT,
  PROP_PADDING,
  PROP_MASK_BLUR,
  PROP_TILE_ORDER,
  PROP_TILE_BLEND,
  PROP_SEAMS_FIX,
  PROP_SEAMS_FIX_DENOISE,
  PROP_SEAMS_FIX_WIDTH,
  PROP_SEAMS_FIX_MASK_BLUR,
  PROP_SEAMS_FIX_PADDING,
  PROP_OVERLAP,
  PROP_BATCH_SIZE,
  PROP_LATENT_UPSCALE,
  PROP_LATENT_ANTIALIAS,
  PROP_COLOR_FIX,
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
      g_value_set_enum (value, self->tiles);
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
    case PROP_TILE_WIDTH:
      g_value_set_uint (value, self->tile_width);
      break;
    case PROP_TILE_HEIGHT:
      g_value_set_uint (value, self->tile_height);
      break;
    case PROP_PADDING:
      g_value_set_uint (value, self->padding);
      break;
    case PROP_MASK_BLUR:
      g_value_set_uint (value, self->mask_blur);
      break;
    case PROP_TILE_ORDER:
      g_value_set_enum (value, self->tile_order);
      break;
    case PROP_TILE_BLEND:
      g_value_set_enum (value, self->tile_blend);
      break;
    case PROP_SEAMS_FIX:
      g_value_set_enum (value, self->seams_fix);
      break;
    case PROP_SEAMS_FIX_DENOISE:
      g_value_set_double (value, self->seams_fix_denoise);
      break;
    case PROP_SEAMS_FIX_WIDTH:
      g_value_set_uint (value, self->seams_fix_width);
      break;
    case PROP_SEAMS_FIX_MASK_BLUR:
      g_value_set_uint (value, self->seams_fix_mask_blur);
      break;
    case PROP_SEAMS_FIX_PADDING:
      g_value_set_uint (value, self->seams_fix_padding);
      break;
    case PROP_OVERLAP:
      g_value_set_uint (value, self->overlap);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_LATENT_UPSCALE:
      g_value_set_enum (value, self->latent_upscale);
      break;
    case PROP_LATENT_ANTIALIAS:
      g_value_set_boolean (value, self->latent_antialias);
      break;
    case PROP_COLOR_FIX:
      g_value_set_enum (value, self->color_fix);
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
      tessera_redraw_options_set_tiles (self, g_value_get_enum (value));
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
    case PROP_TILE_WIDTH:
      tessera_redraw_options_set_tile_width (self, g_value_get_uint (value));
      break;
    case PROP_TILE_HEIGHT:
      tessera_redraw_options_set_tile_height (self, g_value_get_uint (value));
      break;
    case PROP_PADDING:
      tessera_redraw_options_set_padding (self, g_value_get_uint (value));
      break;
    case PROP_MASK_BLUR:
      tessera_redraw_options_set_mask_blur (self, g_value_get_uint (value));
      break;
    case PROP_TILE_ORDER:
      tessera_redraw_options_set_tile_order (self, g_value_get_enum (value));
      break;
    case PROP_TILE_BLEND:
      tessera_redraw_options_set_tile_blend (self, g_value_get_enum (value));
      break;
    case PROP_SEAMS_FIX:
      tessera_redraw_options_set_seams_fix (self, g_value_get_enum (value));
      break;
    case PROP_SEAMS_FIX_DENOISE:
      tessera_redraw_options_set_seams_fix_denoise (self, g_value_get_double (value));
      break;
    case PROP_SEAMS_FIX_WIDTH:
      tessera_redraw_options_set_seams_fix_width (self, g_value_get_uint (value));
      break;
    case PROP_SEAMS_FIX_MASK_BLUR:
      tessera_redraw_options_set_seams_fix_mask_blur (self, g_value_get_uint (value));
      break;
    case PROP_SEAMS_FIX_PADDING:
      tessera_redraw_options_set_seams_fix_padding (self, g_value_get_uint (value));
      break;
    case PROP_OVERLAP:
      tessera_redraw_options_set_overlap (self, g_value_get_uint (value));
      break;
    case PROP_BATCH_SIZE:
      tessera_redraw_options_set_batch_size (self, g_value_get_uint (value));
      break;
    case PROP_LATENT_UPSCALE:
      tessera_redraw_options_set_latent_upscale (self, g_value_get_enum (value));
      break;
    case PROP_LATENT_ANTIALIAS:
      tessera_redraw_options_set_latent_antialias (self, g_value_get_boolean (value));
      break;
    case PROP_COLOR_FIX:
      tessera_redraw_options_set_color_fix (self, g_value_get_enum (value));
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
    g_param_spec_enum ("tiles", NULL, NULL, TESSERA_TYPE_REDRAW_TILES, TESSERA_REDRAW_TILES_USDU,
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

  properties[PROP_TILE_WIDTH] =
    g_param_spec_uint ("tile-width", NULL, NULL, 8, 8192, 512,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_HEIGHT] =
    g_param_spec_uint ("tile-height", NULL, NULL, 8, 8192, 512,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_PADDING] =
    g_param_spec_uint ("padding", NULL, NULL, 0, 1024, 32,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MASK_BLUR] =
    g_param_spec_uint ("mask-blur", NULL, NULL, 0, 256, 8,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_ORDER] =
    g_param_spec_enum ("tile-order", NULL, NULL, TESSERA_TYPE_REDRAW_TILE_ORDER, TESSERA_REDRAW_TILE_ORDER_LINEAR,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TILE_BLEND] =
    g_param_spec_enum ("tile-blend", NULL, NULL, TESSERA_TYPE_REDRAW_TILE_BLEND, TESSERA_REDRAW_TILE_BLEND_A1111,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEAMS_FIX] =
    g_param_spec_enum ("seams-fix", NULL, NULL, TESSERA_TYPE_REDRAW_SEAMS_FIX, TESSERA_REDRAW_SEAMS_FIX_NONE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEAMS_FIX_DENOISE] =
    g_param_spec_double ("seams-fix-denoise", NULL, NULL, 0.0, 1.0, 0.35,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEAMS_FIX_WIDTH] =
    g_param_spec_uint ("seams-fix-width", NULL, NULL, 0, 4096, 64,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEAMS_FIX_MASK_BLUR] =
    g_param_spec_uint ("seams-fix-mask-blur", NULL, NULL, 0, 256, 4,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SEAMS_FIX_PADDING] =
    g_param_spec_uint ("seams-fix-padding", NULL, NULL, 0, 1024, 16,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OVERLAP] =
    g_param_spec_uint ("overlap", NULL, NULL, 0, 4096, 64,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, 16, 1,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LATENT_UPSCALE] =
    g_param_spec_enum ("latent-upscale", NULL, NULL, TESSERA_TYPE_REDRAW_LATENT_UPSCALE, TESSERA_REDRAW_LATENT_UPSCALE_NONE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LATENT_ANTIALIAS] =
    g_param_spec_boolean ("latent-antialias", NULL, NULL, FALSE,
      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COLOR_FIX] =
    g_param_spec_enum ("color-fix", NULL, NULL, TESSERA_TYPE_REDRAW_COLOR_FIX, TESSERA_REDRAW_COLOR_FIX_NONE,
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
  self->tiles = TESSERA_REDRAW_TILES_USDU;
  self->device = g_strdup ("auto");
  self->precision = TESSERA_PRECISION_FP16;
  self->tile_width = 512;
  self->tile_height = 512;
  self->padding = 32;
  self->mask_blur = 8;
  self->tile_order = TESSERA_REDRAW_TILE_ORDER_LINEAR;
  self->tile_blend = TESSERA_REDRAW_TILE_BLEND_A1111;
  self->seams_fix = TESSERA_REDRAW_SEAMS_FIX_NONE;
  self->seams_fix_denoise = 0.35;
  self->seams_fix_width = 64;
  self->seams_fix_mask_blur = 4;
  self->seams_fix_padding = 16;
  self->overlap = 64;
  self->batch_size = 1;
  self->latent_upscale = TESSERA_REDRAW_LATENT_UPSCALE_NONE;
  self->latent_antialias = FALSE;
  self->color_fix = TESSERA_REDRAW_COLOR_FIX_NONE;
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
 * needs an upscaler and either a scale or a size, and a latent upscale
 * redraws the whole image without an upscaler.
 *
 * Returns: %TRUE when a redraw can run with these settings
 */
gboolean
tessera_redraw_options_validate (TesseraRedrawOptions  *self,
                                 GError               **error)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), FALSE);

  if (self->latent_upscale != TESSERA_REDRAW_LATENT_UPSCALE_NONE &&
      self->tiles != TESSERA_REDRAW_TILES_NONE)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                           _("A latent upscale redraws the whole image: it cannot be combined with tiles"));
      return FALSE;
    }
  if (self->latent_upscale != TESSERA_REDRAW_LATENT_UPSCALE_NONE &&
      self->upscaler != NULL && *self->upscaler != '\0')
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                           _("A latent upscale enlarges the latent itself: it takes a scale or a size, not an upscaler"));
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

TesseraRedrawTiles
tessera_redraw_options_get_tiles (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->tiles;
}

void
tessera_redraw_options_set_tiles (TesseraRedrawOptions *self,
                                  TesseraRedrawTiles    tiles)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->tiles == tiles)
    return;
  self->tiles = tiles;
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

guint
tessera_redraw_options_get_tile_width (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->tile_width;
}

void
tessera_redraw_options_set_tile_width (TesseraRedrawOptions *self,
                                       guint tile_width)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->tile_width == tile_width)
    return;
  self->tile_width = tile_width;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_WIDTH]);
}

guint
tessera_redraw_options_get_tile_height (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->tile_height;
}

void
tessera_redraw_options_set_tile_height (TesseraRedrawOptions *self,
                                        guint tile_height)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->tile_height == tile_height)
    return;
  self->tile_height = tile_height;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_HEIGHT]);
}

guint
tessera_redraw_options_get_padding (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->padding;
}

void
tessera_redraw_options_set_padding (TesseraRedrawOptions *self,
                                    guint padding)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->padding == padding)
    return;
  self->padding = padding;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PADDING]);
}

guint
tessera_redraw_options_get_mask_blur (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->mask_blur;
}

void
tessera_redraw_options_set_mask_blur (TesseraRedrawOptions *self,
                                      guint mask_blur)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->mask_blur == mask_blur)
    return;
  self->mask_blur = mask_blur;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASK_BLUR]);
}

TesseraRedrawTileOrder
tessera_redraw_options_get_tile_order (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->tile_order;
}

void
tessera_redraw_options_set_tile_order (TesseraRedrawOptions *self,
                                       TesseraRedrawTileOrder tile_order)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->tile_order == tile_order)
    return;
  self->tile_order = tile_order;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_ORDER]);
}

TesseraRedrawTileBlend
tessera_redraw_options_get_tile_blend (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->tile_blend;
}

void
tessera_redraw_options_set_tile_blend (TesseraRedrawOptions *self,
                                       TesseraRedrawTileBlend tile_blend)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->tile_blend == tile_blend)
    return;
  self->tile_blend = tile_blend;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TILE_BLEND]);
}

TesseraRedrawSeamsFix
tessera_redraw_options_get_seams_fix (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seams_fix;
}

void
tessera_redraw_options_set_seams_fix (TesseraRedrawOptions *self,
                                      TesseraRedrawSeamsFix seams_fix)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seams_fix == seams_fix)
    return;
  self->seams_fix = seams_fix;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAMS_FIX]);
}

double
tessera_redraw_options_get_seams_fix_denoise (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seams_fix_denoise;
}

void
tessera_redraw_options_set_seams_fix_denoise (TesseraRedrawOptions *self,
                                              double seams_fix_denoise)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seams_fix_denoise == seams_fix_denoise)
    return;
  self->seams_fix_denoise = seams_fix_denoise;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAMS_FIX_DENOISE]);
}

guint
tessera_redraw_options_get_seams_fix_width (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seams_fix_width;
}

void
tessera_redraw_options_set_seams_fix_width (TesseraRedrawOptions *self,
                                            guint seams_fix_width)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seams_fix_width == seams_fix_width)
    return;
  self->seams_fix_width = seams_fix_width;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAMS_FIX_WIDTH]);
}

guint
tessera_redraw_options_get_seams_fix_mask_blur (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seams_fix_mask_blur;
}

void
tessera_redraw_options_set_seams_fix_mask_blur (TesseraRedrawOptions *self,
                                                guint seams_fix_mask_blur)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seams_fix_mask_blur == seams_fix_mask_blur)
    return;
  self->seams_fix_mask_blur = seams_fix_mask_blur;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAMS_FIX_MASK_BLUR]);
}

guint
tessera_redraw_options_get_seams_fix_padding (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->seams_fix_padding;
}

void
tessera_redraw_options_set_seams_fix_padding (TesseraRedrawOptions *self,
                                              guint seams_fix_padding)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->seams_fix_padding == seams_fix_padding)
    return;
  self->seams_fix_padding = seams_fix_padding;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAMS_FIX_PADDING]);
}

guint
tessera_redraw_options_get_overlap (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->overlap;
}

void
tessera_redraw_options_set_overlap (TesseraRedrawOptions *self,
                                    guint overlap)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->overlap == overlap)
    return;
  self->overlap = overlap;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERLAP]);
}

/**
 * tessera_redraw_options_get_batch_size:
 * @self: a #TesseraRedrawOptions
 *
 * How many of SD upscale's tiles of one size are redrawn at once, as
 * A1111's batch size: faster on a GPU, with more of its memory. Each
 * tile comes out the same whatever the batch size.
 *
 * Returns: the tiles at once, 1 by default
 */
guint
tessera_redraw_options_get_batch_size (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 1);

  return self->batch_size;
}

void
tessera_redraw_options_set_batch_size (TesseraRedrawOptions *self,
                                       guint batch_size)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));
  g_return_if_fail (batch_size >= 1 && batch_size <= 16);

  if (self->batch_size == batch_size)
    return;
  self->batch_size = batch_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATCH_SIZE]);
}

TesseraRedrawLatentUpscale
tessera_redraw_options_get_latent_upscale (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->latent_upscale;
}

void
tessera_redraw_options_set_latent_upscale (TesseraRedrawOptions *self,
                                           TesseraRedrawLatentUpscale latent_upscale)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->latent_upscale == latent_upscale)
    return;
  self->latent_upscale = latent_upscale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENT_UPSCALE]);
}

gboolean
tessera_redraw_options_get_latent_antialias (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->latent_antialias;
}

void
tessera_redraw_options_set_latent_antialias (TesseraRedrawOptions *self,
                                             gboolean latent_antialias)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->latent_antialias == latent_antialias)
    return;
  self->latent_antialias = latent_antialias;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATENT_ANTIALIAS]);
}

TesseraRedrawColorFix
tessera_redraw_options_get_color_fix (TesseraRedrawOptions *self)
{
  g_return_val_if_fail (TESSERA_IS_REDRAW_OPTIONS (self), 0);

  return self->color_fix;
}

void
tessera_redraw_options_set_color_fix (TesseraRedrawOptions *self,
                                      TesseraRedrawColorFix color_fix)
{
  g_return_if_fail (TESSERA_IS_REDRAW_OPTIONS (self));

  if (self->color_fix == color_fix)
    return;
  self->color_fix = color_fix;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COLOR_FIX]);
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
