/* tessera-esrgan.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-esrgan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "tessera-arch-private.h"

/* ESRGAN's RRDBNet in the key layouts that occur:
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

static TesseraDetect
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
  info->supported = TRUE;
  if (layout == &layouts[3])
    arch_not_run (info, _("it is an ESRGAN+ model, whose noise inputs and extra 1×1 convolutions "
                          "Tessera does not run yet"));
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

typedef enum
{
  LAYOUT_NEW,
  LAYOUT_BSRGAN,
  LAYOUT_OLD,
} KeyLayout;

/* A layer's name prefix. The old layout numbers its top-level modules:
 * conv, trunk, three per ×2 upsampling (its conv at 3, 6…), then HR conv,
 * activation and last conv. */
static char *
rdb_conv_name (KeyLayout layout,
               guint     block,
               guint     rdb,
               guint     conv)
{
  switch (layout)
    {
    case LAYOUT_BSRGAN:
      return g_strdup_printf ("RRDB_trunk.%u.RDB%u.conv%u", block, rdb, conv);
    case LAYOUT_OLD:
      return g_strdup_printf ("model.1.sub.%u.RDB%u.conv%u.0", block, rdb, conv);
    case LAYOUT_NEW:
      break;
    }

  return g_strdup_printf ("body.%u.rdb%u.conv%u", block, rdb, conv);
}

typedef enum
{
  LAYER_FIRST,
  LAYER_TRUNK,
  LAYER_UP,
  LAYER_HR,
  LAYER_LAST,
} Layer;

static char *
layer_name (KeyLayout layout,
            Layer     layer,
            guint     n_blocks,
            guint     n_ups,
            guint     up)
{
  static const char *names[][5] = {
    [LAYOUT_NEW] = { "conv_first", "conv_body", "conv_up", "conv_hr", "conv_last" },
    [LAYOUT_BSRGAN] = { "conv_first", "trunk_conv", "upconv", "HRconv", "conv_last" },
  };

  if (layout == LAYOUT_OLD)
    {
      switch (layer)
        {
        case LAYER_FIRST:
          return g_strdup ("model.0");
        case LAYER_TRUNK:
          return g_strdup_printf ("model.1.sub.%u", n_blocks);
        case LAYER_UP:
          return g_strdup_printf ("model.%u", 3 * up);
        case LAYER_HR:
          return g_strdup_printf ("model.%u", 2 + 3 * n_ups);
        case LAYER_LAST:
          break;
        }
      return g_strdup_printf ("model.%u", 4 + 3 * n_ups);
    }

  if (layer == LAYER_UP)
    return g_strdup_printf ("%s%u", names[layout][layer], up);
  return g_strdup (names[layout][layer]);
}

static guint
conv_named (TesseraBuilder    *b,
            const guint       *inputs,
            guint              n_inputs,
            char              *name,
            TesseraActivation  activation)
{
  g_autofree char *prefix = name;
  guint node = builder_conv (b, inputs, n_inputs, 1, 1, "%s", prefix);

  return activation != TESSERA_ACTIVATION_NONE ? builder_activate (b, node, activation, 0.2f) : node;
}

/* A residual dense block: five convolutions, each reading the block's
 * input and every earlier output, then 0.2 × the last + the input. */
static guint
residual_dense_block (TesseraBuilder *b,
                      KeyLayout       layout,
                      guint           input,
                      guint           block,
                      guint           rdb)
{
  guint features[5] = { input };
  guint last;

  for (guint i = 1; i < 5; i++)
    features[i] = conv_named (b, features, i, rdb_conv_name (layout, block, rdb, i), TESSERA_ACTIVATION_LEAKY);

  last = conv_named (b, features, 5, rdb_conv_name (layout, block, rdb, 5), TESSERA_ACTIVATION_NONE);
  if (b->error == NULL)
    tessera_graph_set_residual (b->graph, last, 0.2f, input);
  return last;
}

static guint
tessera_esrgan_build (TesseraBuilder        *b,
                      const TesseraArchInfo *info,
                      guint                  height,
                      guint                  width)
{
  KeyLayout layout = LAYOUT_NEW;
  guint x = 0, feat, trunk, n_ups = 0, shuffle = 1;
  guint nb = info->num_blocks;
  const TesseraTensor *first;

  if (arch_has (b->state_dict, "RRDB_trunk.0.RDB1.conv1.weight"))
    layout = LAYOUT_BSRGAN;
  else if (arch_has (b->state_dict, "model.0.weight"))
    layout = LAYOUT_OLD;

  first = arch_tensor (b->state_dict, 4, layout == LAYOUT_OLD ? "model.0.weight" : "conv_first.weight");
  if (first != NULL && first->shape[1] == info->in_channels * 4)
    shuffle = 2;
  else if (first != NULL && first->shape[1] == info->in_channels * 16)
    shuffle = 4;
  while ((1u << n_ups) < info->scale * shuffle)
    n_ups++;

  /* Real-ESRGAN ×2 and ×1 trade resolution for channels first. */
  if (shuffle > 1)
    x = tessera_graph_shuffle (b->graph, TESSERA_OP_PIXEL_UNSHUFFLE, x, shuffle);

  feat = conv_named (b, &x, 1, layer_name (layout, LAYER_FIRST, nb, n_ups, 0), TESSERA_ACTIVATION_NONE);
  trunk = feat;
  for (guint block = 0; block < nb && b->error == NULL; block++)
    {
      guint rrdb_input = trunk;

      for (guint rdb = 1; rdb <= 3; rdb++)
        trunk = residual_dense_block (b, layout, trunk, block, rdb);
      trunk = tessera_graph_add_nodes (b->graph, trunk, 0.2f, rrdb_input, 1.f);
    }

  trunk = conv_named (b, &trunk, 1, layer_name (layout, LAYER_TRUNK, nb, n_ups, 0), TESSERA_ACTIVATION_NONE);
  if (b->error != NULL)
    return 0;
  tessera_graph_set_residual (b->graph, trunk, 1.f, feat);

  x = trunk;
  for (guint up = 1; up <= n_ups && b->error == NULL; up++)
    {
      x = tessera_graph_resize (b->graph, x, TESSERA_RESIZE_NEAREST, 2.0);
      x = conv_named (b, &x, 1, layer_name (layout, LAYER_UP, nb, n_ups, up), TESSERA_ACTIVATION_LEAKY);
    }

  x = conv_named (b, &x, 1, layer_name (layout, LAYER_HR, nb, n_ups, 0), TESSERA_ACTIVATION_LEAKY);
  return conv_named (b, &x, 1, layer_name (layout, LAYER_LAST, nb, n_ups, 0), TESSERA_ACTIVATION_NONE);
}

static gboolean
esrgan_recipe (TesseraStateDict       *state_dict,
               const TesseraArchInfo  *info,
               TesseraArchRecipe      *recipe)
{
  const TesseraTensor *first;

  if (!info->supported)
    return FALSE;
  recipe->build = tessera_esrgan_build;
  recipe->minimum = 2;
  recipe->pre_pad = 10;
  /* spandrel asks a multiple of 4 of every unshuffling RRDBNet. */
  first = arch_tensor (state_dict, 4, "conv_first.weight");
  if (first == NULL)
    first = arch_tensor (state_dict, 4, "model.0.weight");
  if (first != NULL && first->shape[1] != info->in_channels)
    recipe->multiple_of = 4;
  return TRUE;
}

const TesseraArchEntry tessera_esrgan_arch = {
  .arch = TESSERA_ARCH_ESRGAN,
  .id = "esrgan",
  .title = "ESRGAN",
  .detect = tessera_esrgan_detect,
  .recipe = esrgan_recipe,
};
