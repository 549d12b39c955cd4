/* tessera-esrgan.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-esrgan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* ESRGAN's RRDBNet in the key layouts that occur (FORMATS.md):
 *   old      model.0, model.1.sub.N.RDBk.convj.0, model.3 … (upsampling
 *            convs every third index), HR conv, last conv
 *   new      conv_first, body.N.rdbk.convj, conv_body, conv_upN, conv_hr, conv_last
 *   BSRGAN   conv_first, RRDB_trunk.N.RDBk.convj, trunk_conv, upconvN, HRconv, conv_last
 *   ESRGAN+  as old, with extra 1×1 convolutions: recognised, not run
 * Real-ESRGAN ×1 and ×2 pixel-unshuffle the input first: conv_first then
 * takes 16 or 4 times the output's channels. */

typedef struct
{
  const char *first;
  const char *block;        /* %u is the block */
  const char *ups;          /* %u counts from 1, or NULL: by index */
  const char *last;
} Layout;

static const Layout layouts[] = {
  { "conv_first.weight", "body.%u.rdb1.conv1.weight", "conv_up%u.weight", "conv_last.weight" },
  { "conv_first.weight", "RRDB_trunk.%u.RDB1.conv1.weight", "upconv%u.weight", "conv_last.weight" },
  { "model.0.weight", "model.1.sub.%u.RDB1.conv1.0.weight", NULL, NULL },
  { "model.0.weight", "model.1.sub.%u.RDB1.conv1x1.weight", NULL, NULL },
};

/* In the old layout, modules are numbered: conv, shortcut, then
 * (upsample, conv, activation) per ×2, then conv, activation, conv. */
static gboolean
old_layout_ups (TesseraStateDict     *state_dict,
                guint                *n_ups,
                const TesseraTensor **last)
{
  guint highest = 0;

  for (guint i = 0; i < tessera_state_dict_get_n_tensors (state_dict); i++)
    {
      const char *name = tessera_state_dict_get_nth (state_dict, i)->name;
      guint64 index;
      char *end;

      if (!g_str_has_prefix (name, "model."))
        continue;
      index = g_ascii_strtoull (name + 6, &end, 10);
      if (end != name + 6 && g_str_equal (end, ".weight") && index < 1000)
        highest = MAX (highest, (guint) index);
    }

  if (highest < 4 || (highest + 1 - 5) % 3 != 0)
    return FALSE;

  *n_ups = (highest + 1 - 5) / 3;
  *last = arch_tensor (state_dict, 4, "model.%u.weight", highest);
  return *last != NULL;
}

TesseraDetect
tessera_esrgan_detect (TesseraStateDict  *state_dict,
                       TesseraArchInfo   *info,
                       GError           **error)
{
  const Layout *layout = NULL;
  const TesseraTensor *first, *last;
  guint n_ups, shuffle = 1;

  for (guint i = 0; i < G_N_ELEMENTS (layouts) && layout == NULL; i++)
    if (arch_has (state_dict, "%s", layouts[i].first) && arch_count (state_dict, layouts[i].block, 0) > 0 &&
        (layouts[i].last == NULL || arch_has (state_dict, "%s", layouts[i].last)))
      layout = &layouts[i];

  if (layout == NULL)
    return TESSERA_DETECT_NO;

  info->arch = TESSERA_ARCH_ESRGAN;
  /* ESRGAN+ adds noise and 1×1 convolutions the engine does not build. */
  info->supported = layout != &layouts[3];
  info->num_blocks = arch_count (state_dict, layout->block, 0);

  first = arch_tensor (state_dict, 4, "%s", layout->first);
  if (first == NULL)
    return arch_broken (error, info->arch, _("its first convolution is not a 4-D tensor"));

  if (layout->ups != NULL)
    {
      n_ups = arch_count (state_dict, layout->ups, 1);
      last = arch_tensor (state_dict, 4, "%s", layout->last);
      if (last == NULL)
        return arch_broken (error, info->arch, _("conv_last is not a 4-D tensor"));
    }
  else if (!old_layout_ups (state_dict, &n_ups, &last))
    return arch_broken (error, info->arch, _("its layers are numbered unlike any ESRGAN"));

  if (n_ups > 4)
    return arch_broken (error, info->arch, _("it has more than four ×2 upsampling layers"));

  info->num_feat = first->shape[0];
  info->in_channels = first->shape[1];
  info->out_channels = last->shape[0];
  info->scale = 1u << n_ups;

  if (info->out_channels > 0 && info->in_channels == info->out_channels * 4)
    shuffle = 2;
  else if (info->out_channels > 0 && info->in_channels == info->out_channels * 16)
    shuffle = 4;

  if (shuffle > 1)
    {
      if (info->scale < shuffle)
        return arch_broken (error, info->arch, _("it unshuffles more than it upsamples"));
      info->in_channels /= shuffle * shuffle;
      info->scale /= shuffle;
    }

  return TESSERA_DETECT_YES;
}
