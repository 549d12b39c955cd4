/* tessera-cpu-category.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cpu"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "core/tessera-parallel-private.h"
#include "tessera-cpu-private.h"

/* ATD's category grouping (TESSERA_OP_CATEGORY_GATHER and _SCATTER): each
 * pixel's category is its first highest score (torch.argmax); a counting
 * sort by category keeps the pixels of a category in their row-by-row
 * order (torch.sort (…, stable=True)); the sequence is padded to whole
 * groups with its own end mirrored, as AC-MSA pads it. The order is
 * computed once, then a work item is a channel. */

typedef struct
{
  const TesseraCpuOp *op;
  guint32            *order;      /* the padded sequence's pixels */
  gsize               pixels;
  gsize               length;
} Category;

static void
move_channels (guint    begin,
               guint    end,
               gpointer user_data)
{
  Category *c = user_data;
  const TesseraCpuOp *op = c->op;
  gboolean gather = op->node->op == TESSERA_OP_CATEGORY_GATHER;

  for (guint channel = begin; channel < end; channel++)
    {
      const float *in = op->inputs[0] + (gsize) channel * (gather ? c->pixels : c->length);
      float *out = op->output + (gsize) channel * (gather ? c->length : c->pixels);

      if (gather)
        for (gsize j = 0; j < c->length; j++)
          out[j] = in[c->order[j]];
      else
        for (gsize j = 0; j < c->pixels; j++)
          out[c->order[j]] = in[j];
    }
}

gboolean
tessera_cpu_category (const TesseraCpuOp  *op,
                      GError             **error)
{
  const TesseraShape *scores = &op->shapes[1];
  guint n_categories = scores->channels;
  gsize pixels = (gsize) scores->height * scores->width;
  gsize group = MIN (pixels, (gsize) op->node->factor);
  gsize length = (pixels + group - 1) / group * group;
  g_autofree guint32 *category = g_try_new (guint32, pixels);
  g_autofree guint32 *order = g_try_new (guint32, length);
  g_autofree gsize *starts = g_try_new0 (gsize, n_categories + 1);
  Category c = { op, order, pixels, length };

  if (category == NULL || order == NULL || starts == NULL)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY,
                           _("not enough memory for an attention's working buffer"));
      return FALSE;
    }

  for (gsize p = 0; p < pixels; p++)
    {
      guint best = 0;
      float peak = op->inputs[1][p];

      for (guint k = 1; k < n_categories; k++)
        if (op->inputs[1][(gsize) k * pixels + p] > peak)
          {
            peak = op->inputs[1][(gsize) k * pixels + p];
            best = k;
          }
      category[p] = best;
      starts[best + 1]++;
    }
  for (guint k = 0; k < n_categories; k++)
    starts[k + 1] += starts[k];
  for (gsize p = 0; p < pixels; p++)
    order[starts[category[p]]++] = (guint32) p;
  for (gsize j = pixels; j < length; j++)
    order[j] = order[2 * pixels - 1 - j];

  tessera_parallel_for (op->output_shape->channels, move_channels, &c);
  return TRUE;
}
