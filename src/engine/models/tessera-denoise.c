/* tessera-denoise.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-denoise"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "archs/tessera-arch-private.h"
#include "core/tessera-error.h"
#include "tessera-denoise-private.h"
#include "tessera-model-private.h"

/* Noise reduction is one number from 0 to 1, mapped onto what a model's
 * family ships:
 *   Real-CUGAN   sibling files upNx-no-denoise, -denoise1x … -denoise3x:
 *                the level is round(3 × x), or the nearest one present;
 *   waifu2x      siblings scale2.0x_model (none) and noiseL_scale2.0x_model
 *                (L = 0…3), or noiseL_model for 1:1 models: x = 0 is none,
 *                then the four levels in quarters;
 *   Compact      deep network interpolation with the "-wdn-" twin, as
 *                Real-ESRGAN's -dn: x · model + (1 − x) · twin;
 *   DRUNet, FDnCNN, FBCNN
 *                an input of the network itself (its noise map, its
 *                quality factor): tessera_network_set_noise_level().
 * Anything else has no denoise control. */

static GFile *
sibling (GFile      *file,
         const char *basename)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  GFile *candidate = g_file_get_child (parent, basename);

  if (g_file_query_exists (candidate, NULL))
    return candidate;
  g_object_unref (candidate);
  return NULL;
}

static const char *
extension_of (const char *basename)
{
  const char *dot = strrchr (basename, '.');

  return dot != NULL ? dot : "";
}

#define MAX_LEVELS 5

/* The base names of the noise levels of @basename's family, weakest
 * first, and the setting each stands for; an empty name is a level the
 * family lacks at this scale. Returns how many levels there are; 0 for a
 * family without levels. */
static guint
level_names (TesseraNoiseLevels  kind,
             const char         *basename,
             char                names[MAX_LEVELS][40],
             double              values[MAX_LEVELS])
{
  const char *cugan[] = { "no-denoise", "denoise1x", "denoise2x", "denoise3x" };
  const char *waifu2x_scale[] = { "scale2.0x_model", "noise0_scale2.0x_model", "noise1_scale2.0x_model",
                                  "noise2_scale2.0x_model", "noise3_scale2.0x_model" };
  const char *waifu2x_same[] = { "", "noise0_model", "noise1_model", "noise2_model", "noise3_model" };
  guint scale;

  switch (kind)
    {
    case TESSERA_NOISE_LEVELS_CUGAN_FILES:
      if (sscanf (basename, "up%ux-", &scale) != 1)
        return 0;
      for (guint i = 0; i < G_N_ELEMENTS (cugan); i++)
        {
          g_snprintf (names[i], sizeof names[i], "up%ux-%s", scale, cugan[i]);
          values[i] = i / 3.0;
        }
      return G_N_ELEMENTS (cugan);

    case TESSERA_NOISE_LEVELS_WAIFU2X_FILES:
      for (guint i = 0; i < MAX_LEVELS; i++)
        {
          g_strlcpy (names[i], strstr (basename, "scale2.0x") != NULL ? waifu2x_scale[i] : waifu2x_same[i],
                     sizeof names[i]);
          values[i] = i / 4.0;
        }
      return MAX_LEVELS;

    case TESSERA_NOISE_LEVELS_NONE:
    case TESSERA_NOISE_LEVELS_TWIN_BLEND:
      return 0;
    }

  return 0;
}

/* The level a setting picks: Real-CUGAN's nearest; for waifu2x, 0 is none
 * and the four levels take a quarter each. */
static guint
level_index (TesseraNoiseLevels kind,
             double             level)
{
  if (kind == TESSERA_NOISE_LEVELS_CUGAN_FILES)
    return (guint) floor (3 * level + 0.5);
  return level <= 0.0 ? 0 : CLAMP ((guint) ceil (4 * level), 1u, 4u);
}

static GFile *
level_file (GFile      *file,
            const char *name)
{
  g_autofree char *basename = NULL;
  g_autofree char *own = g_file_get_basename (file);

  if (name[0] == '\0')
    return NULL;
  basename = g_strconcat (name, extension_of (own), NULL);
  return sibling (file, basename);
}

/* The file of the level nearest the one @level picks that is beside
 * @file. */
static GFile *
nearest_level (GFile              *file,
               TesseraNoiseLevels  kind,
               double              level)
{
  g_autofree char *basename = g_file_get_basename (file);
  char names[MAX_LEVELS][40];
  double values[MAX_LEVELS];
  int n = level_names (kind, basename, names, values);
  int wanted = level_index (kind, level);

  for (int distance = 0; distance < n; distance++)
    for (int sign = -1; sign <= 1; sign += 2)
      {
        int candidate = wanted + sign * distance;
        GFile *found;

        if (candidate < 0 || candidate >= n)
          continue;
        found = level_file (file, names[candidate]);
        if (found != NULL)
          return found;
      }

  return NULL;
}

/**
 * tessera_model_get_denoise_levels:
 * @n_levels: (out): how many settings there are
 *
 * The settings of the denoise option that pick each noise level @self
 * has beside it, for a control that snaps to them.
 *
 * Returns: (transfer full) (array length=n_levels) (nullable): the
 *   settings, from 0 up, or %NULL when any setting from 0 to 1 means
 *   something (a Compact model blended with its twin) or none does
 */
double *
tessera_model_get_denoise_levels (TesseraModel *self,
                                  guint        *n_levels)
{
  GFile *file;
  g_autofree char *basename = NULL;
  char names[MAX_LEVELS][40];
  double values[MAX_LEVELS];
  guint n;
  GArray *levels;

  g_return_val_if_fail (TESSERA_IS_MODEL (self), NULL);
  g_return_val_if_fail (n_levels != NULL, NULL);

  file = tessera_model_get_file (self);
  basename = g_file_get_basename (file);
  n = level_names (tessera_arch_lookup (tessera_model_get_arch (self))->noise_levels, basename, names, values);
  levels = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) found = level_file (file, names[i]);

      if (found != NULL)
        g_array_append_val (levels, values[i]);
    }

  *n_levels = levels->len;
  if (levels->len == 0)
    {
      g_array_unref (levels);
      return NULL;
    }
  return (double *) g_array_free (levels, FALSE);
}

/* Real-ESRGAN's realesr-general-x4v3 and realesr-general-wdn-x4v3. */
static gboolean
compact_twins (GFile   *file,
               GFile  **strong,
               GFile  **weak)
{
  g_autofree char *basename = g_file_get_basename (file);
  const char *wdn = strstr (basename, "-wdn-");

  if (wdn != NULL)
    {
      g_autofree char *other = g_strdup_printf ("%.*s%s", (int) (wdn - basename), basename, wdn + 4);

      *strong = sibling (file, other);
      *weak = g_object_ref (file);
    }
  else
    {
      *strong = g_object_ref (file);
      *weak = NULL;
      /* Try "-wdn" after each dash: realesr-general-x4v3 → realesr-general-wdn-x4v3. */
      for (const char *dash = strchr (basename, '-'); dash != NULL && *weak == NULL; dash = strchr (dash + 1, '-'))
        {
          g_autofree char *other = g_strdup_printf ("%.*s-wdn%s", (int) (dash - basename), basename, dash);

          *weak = sibling (file, other);
        }
    }

  if (*strong != NULL && *weak != NULL)
    return TRUE;
  g_clear_object (strong);
  g_clear_object (weak);
  return FALSE;
}

/* Whether @model's network takes the denoise setting as an input, which
 * tessera_network_set_noise_level() gives it. */
gboolean
tessera_denoise_is_input (TesseraModel *model)
{
  return tessera_model_get_arch_info (model)->noise_input;
}

/**
 * tessera_denoise_resolve:
 * @level: from 0 (none) to 1 (strongest)
 * @file: (out): the model file to run
 * @twin: (out) (nullable): a model to blend @file with, or %NULL
 * @weight: (out): @file's weight in the blend
 *
 * Returns: %FALSE with @error set when @model's family has no denoise
 *   control, or its siblings are not beside it
 */
gboolean
tessera_denoise_resolve (TesseraModel  *model,
                         double         level,
                         GFile        **file,
                         GFile        **twin,
                         float         *weight,
                         GError       **error)
{
  GFile *model_file = tessera_model_get_file (model);
  TesseraArch arch = tessera_model_get_arch (model);
  TesseraNoiseLevels kind = tessera_arch_lookup (arch)->noise_levels;

  *file = NULL;
  *twin = NULL;
  *weight = 1.f;

  /* The caller sets the level on the network itself. */
  if (tessera_denoise_is_input (model))
    {
      *file = g_object_ref (model_file);
      return TRUE;
    }

  switch (kind)
    {
    case TESSERA_NOISE_LEVELS_CUGAN_FILES:
    case TESSERA_NOISE_LEVELS_WAIFU2X_FILES:
      *file = nearest_level (model_file, kind, level);
      if (*file == NULL)
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                     _("denoise is not available for %s: its noise-level files are not beside it"),
                     tessera_model_get_name (model));
      break;
    case TESSERA_NOISE_LEVELS_TWIN_BLEND:
      if (compact_twins (model_file, file, twin))
        *weight = (float) level;
      else
        g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                     _("denoise is not available for %s: it needs its “-wdn-” twin beside it"),
                     tessera_model_get_name (model));
      break;
    case TESSERA_NOISE_LEVELS_NONE:
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("denoise is not available for %s (%s models have no noise levels)"),
                   tessera_model_get_name (model), tessera_arch_get_title (arch));
      break;
    }

  return *file != NULL;
}

/**
 * tessera_model_can_denoise:
 *
 * Whether the denoise option means something for @self: its family has
 * noise levels and their files are beside it.
 *
 * Returns: %TRUE if so; otherwise %FALSE with @error saying why
 */
gboolean
tessera_model_can_denoise (TesseraModel  *self,
                           GError       **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) twin = NULL;
  float weight;

  g_return_val_if_fail (TESSERA_IS_MODEL (self), FALSE);

  return tessera_denoise_resolve (self, 0.5, &file, &twin, &weight, error);
}
