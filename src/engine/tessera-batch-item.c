/* tessera-batch-item.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-batch"

#include "config.h"

#include "tessera-batch-private.h"
#include "tessera-enums.h"

/* One image of a batch: what it is, where it is in its run and how that
 * ended. The batch (tessera-batch.c) plans and runs it. */

G_DEFINE_FINAL_TYPE (TesseraBatchItem, tessera_batch_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_FILE,
  ITEM_PROP_NAME,
  ITEM_PROP_STATUS,
  ITEM_PROP_PROGRESS,
  ITEM_PROP_PROGRESS_TEXT,
  ITEM_PROP_ERROR,
  ITEM_PROP_OUTPUT,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

static void
tessera_batch_item_finalize (GObject *object)
{
  TesseraBatchItem *self = TESSERA_BATCH_ITEM (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->relative, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_object (&self->fixed_output);
  g_clear_pointer (&self->error, g_free);
  g_clear_pointer (&self->progress_text, g_free);
  g_clear_object (&self->output);

  G_OBJECT_CLASS (tessera_batch_item_parent_class)->finalize (object);
}

static void
tessera_batch_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TesseraBatchItem *self = TESSERA_BATCH_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case ITEM_PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case ITEM_PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case ITEM_PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case ITEM_PROP_OUTPUT:
      g_value_set_object (value, self->output);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_batch_item_class_init (TesseraBatchItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tessera_batch_item_finalize;
  object_class->get_property = tessera_batch_item_get_property;

  item_properties[ITEM_PROP_FILE] =
    g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, TESSERA_TYPE_BATCH_ITEM_STATUS, TESSERA_BATCH_ITEM_WAITING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL, 0.0, 1.0, 0.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_OUTPUT] =
    g_param_spec_object ("output", NULL, NULL, G_TYPE_FILE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
tessera_batch_item_init (TesseraBatchItem *self)
{
}

TesseraBatchItem *
tessera_batch_item_new (GFile      *file,
                        const char *relative,
                        GFile      *fixed_output)
{
  TesseraBatchItem *self = g_object_new (TESSERA_TYPE_BATCH_ITEM, NULL);

  self->file = g_object_ref (file);
  self->relative = g_strdup (relative);
  self->name = g_filename_display_name (relative);
  g_set_object (&self->fixed_output, fixed_output);
  return self;
}

void
tessera_batch_item_set_progress (TesseraBatchItem *self,
                                 double            progress)
{
  progress = CLAMP (progress, 0.0, 1.0);
  if (self->progress == progress)
    return;

  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_PROGRESS]);
}

void
tessera_batch_item_set_error (TesseraBatchItem *self,
                              const char       *error)
{
  if (g_strcmp0 (self->error, error) == 0)
    return;

  g_free (self->error);
  self->error = g_strdup (error);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_ERROR]);
}

void
tessera_batch_item_set_output (TesseraBatchItem *self,
                               GFile            *output)
{
  if (g_set_object (&self->output, output))
    g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_OUTPUT]);
}

/**
 * tessera_batch_item_get_file:
 *
 * Returns: (transfer none): the image to upscale
 */
GFile *
tessera_batch_item_get_file (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), NULL);

  return self->file;
}

/**
 * tessera_batch_item_get_name:
 *
 * Returns: the image's path below the folder it was added with, or its
 *   file name, for display
 */
const char *
tessera_batch_item_get_name (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), NULL);

  return self->name;
}

TesseraBatchItemStatus
tessera_batch_item_get_status (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), TESSERA_BATCH_ITEM_WAITING);

  return self->status;
}

/**
 * tessera_batch_item_get_progress:
 *
 * Returns: how much of the item's load, upscale and save is done, from 0 to 1
 */
double
tessera_batch_item_get_progress (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), 0.0);

  return self->progress;
}

void
tessera_batch_item_set_progress_text (TesseraBatchItem *self,
                                      const char       *text)
{
  if (g_strcmp0 (self->progress_text, text) == 0)
    return;
  g_free (self->progress_text);
  self->progress_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_PROGRESS_TEXT]);
}

/**
 * tessera_batch_item_get_progress_text:
 *
 * Returns: (nullable): what the item's run last said it was doing, such
 *   as a redraw's tile and step; %NULL before it runs
 */
const char *
tessera_batch_item_get_progress_text (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), NULL);

  return self->progress_text;
}

/**
 * tessera_batch_item_get_error:
 *
 * Returns: (nullable): why the item failed, naming the file
 */
const char *
tessera_batch_item_get_error (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), NULL);

  return self->error;
}

/**
 * tessera_batch_item_get_output:
 *
 * Returns: (transfer none) (nullable): the file being written or written,
 *   or the existing one that made the item skipped
 */
GFile *
tessera_batch_item_get_output (TesseraBatchItem *self)
{
  g_return_val_if_fail (TESSERA_IS_BATCH_ITEM (self), NULL);

  return self->output;
}

/**
 * tessera_batch_item_get_input_size:
 *
 * The image's size, once loaded; 0 × 0 before.
 */
void
tessera_batch_item_get_input_size (TesseraBatchItem *self,
                                   guint            *width,
                                   guint            *height)
{
  g_return_if_fail (TESSERA_IS_BATCH_ITEM (self));

  *width = self->input_width;
  *height = self->input_height;
}

/**
 * tessera_batch_item_get_output_size:
 *
 * The output's size, once upscaled; 0 × 0 before.
 */
void
tessera_batch_item_get_output_size (TesseraBatchItem *self,
                                    guint            *width,
                                    guint            *height)
{
  g_return_if_fail (TESSERA_IS_BATCH_ITEM (self));

  *width = self->output_width;
  *height = self->output_height;
}

/* For the batch, which changes an item's status itself to keep its
 * counts. */
void
tessera_batch_item_notify_status (TesseraBatchItem *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), item_properties[ITEM_PROP_STATUS]);
}
