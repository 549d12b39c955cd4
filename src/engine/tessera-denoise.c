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

#include "tessera-denoise-private.h"
#include "tessera-error.h"

/* Noise reduction is one number from 0 to 1, mapped onto what a model's
 * family ships:
 *   Real-CUGAN   sibling files upNx-no-denoise, -denoise1x … -denoise3x:
 *                the level is round(3 × x), or the nearest one present;
 *   waifu2x      siblings scale2.0x_model (none) and noiseL_scale2.0x_model
 *                (L = 0…3), or noiseL_model for 1:1 models: x = 0 is none,
 *                then the four levels in quarters;
 *   Compact      deep network interpolation with the "-wdn-" twin, as
 *                Real-ESRGAN's -dn: x · model + (1 − x) · twin.
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

/* The sibling for the level nearest @level in [0, @n_levels) that exists;
 * @names gives each level's base name. */
static GFile *
nearest_level (GFile       *file,
               int          level,
               int          n_levels,
               const char **names,
               const char  *extension)
{
  for (int distance = 0; distance < n_levels; distance++)
    for (int sign = -1; sign <= 1; sign += 2)
      {
        int candidate = level + sign * distance;
        g_autofree char *basename = NULL;
        GFile *found;

        if (candidate < 0 || candidate >= n_levels || names[candidate] == NULL)
          continue;
        basename = g_strconcat (names[candidate], extension, NULL);
        found = sibling (file, basename);
        if (found != NULL)
          return found;
      }

  return NULL;
}

static GFile *
realcugan_level (GFile      *file,
                 const char *basename,
                 double      level)
{
  const char *suffixes[] = { "no-denoise", "denoise1x", "denoise2x", "denoise3x" };
  char names[4][32];
  const char *name_ptrs[4];
  guint scale;

  if (sscanf (basename, "up%ux-", &scale) != 1)
    return NULL;

  for (guint i = 0; i < 4; i++)
    {
      g_snprintf (names[i], sizeof names[i], "up%ux-%s", scale, suffixes[i]);
      name_ptrs[i] = names[i];
    }
  return nearest_level (file, (int) floor (3 * level + 0.5), 4, name_ptrs, extension_of (basename));
}

static GFile *
waifu2x_level (GFile      *file,
               const char *basename,
               double      level)
{
  gboolean upscaling = strstr (basename, "scale2.0x") != NULL;
  const char *with_scale[] = { "scale2.0x_model", "noise0_scale2.0x_model", "noise1_scale2.0x_model",
                               "noise2_scale2.0x_model", "noise3_scale2.0x_model" };
  const char *without[] = { NULL, "noise0_model", "noise1_model", "noise2_model", "noise3_model" };
  int index = level <= 0.0 ? 0 : CLAMP ((int) ceil (4 * level), 1, 4);

  return nearest_level (file, index, 5, upscaling ? with_scale : without, extension_of (basename));
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
  g_autofree char *basename = g_file_get_basename (model_file);
  TesseraArch arch = tessera_model_get_arch (model);

  *file = NULL;
  *twin = NULL;
  *weight = 1.f;

  switch (arch)
    {
    case TESSERA_ARCH_REALCUGAN:
      *file = realcugan_level (model_file, basename, level);
      break;
    case TESSERA_ARCH_WAIFU2X_CUNET:
    case TESSERA_ARCH_WAIFU2X_UPCONV7:
      *file = waifu2x_level (model_file, basename, level);
      break;
    case TESSERA_ARCH_COMPACT:
      if (compact_twins (model_file, file, twin))
        *weight = (float) level;
      break;
    case TESSERA_ARCH_UNKNOWN:
    case TESSERA_ARCH_ESRGAN:
    case TESSERA_ARCH_WAIFU2X_VGG7:
    case TESSERA_ARCH_SWINIR:
    case TESSERA_ARCH_DAT:
    case TESSERA_ARCH_HAT:
    case TESSERA_ARCH_OMNISR:
    case TESSERA_ARCH_SPAN:
    default:
      break;
    }

  if (*file != NULL)
    return TRUE;

  if (arch == TESSERA_ARCH_COMPACT)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("denoise is not available for %s: it needs its “-wdn-” twin beside it"),
                 tessera_model_get_name (model));
  else if (arch == TESSERA_ARCH_REALCUGAN || arch == TESSERA_ARCH_WAIFU2X_CUNET ||
           arch == TESSERA_ARCH_WAIFU2X_UPCONV7)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("denoise is not available for %s: its noise-level files are not beside it"),
                 tessera_model_get_name (model));
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("denoise is not available for %s (%s models have no noise levels)"),
                 tessera_model_get_name (model), tessera_arch_get_title (arch));
  return FALSE;
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
