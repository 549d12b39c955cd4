/* tessera-batch.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera.h"

G_BEGIN_DECLS

typedef enum
{
  TESSERA_BATCH_ITEM_WAITING,
  TESSERA_BATCH_ITEM_RUNNING,
  TESSERA_BATCH_ITEM_DONE,
  TESSERA_BATCH_ITEM_SKIPPED,
  TESSERA_BATCH_ITEM_FAILED,
} TesseraBatchItemStatus;

#define TESSERA_TYPE_BATCH_ITEM_STATUS (tessera_batch_item_status_get_type ())
GType tessera_batch_item_status_get_type (void) G_GNUC_CONST;

typedef enum
{
  TESSERA_BATCH_IDLE,
  TESSERA_BATCH_RUNNING,
  TESSERA_BATCH_PAUSED,
} TesseraBatchState;

#define TESSERA_TYPE_BATCH_STATE (tessera_batch_state_get_type ())
GType tessera_batch_state_get_type (void) G_GNUC_CONST;

#define TESSERA_TYPE_BATCH_ITEM (tessera_batch_item_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatchItem, tessera_batch_item, TESSERA, BATCH_ITEM, GObject)

GFile                  *tessera_batch_item_get_file     (TesseraBatchItem *self);
const char             *tessera_batch_item_get_name     (TesseraBatchItem *self);
TesseraBatchItemStatus  tessera_batch_item_get_status   (TesseraBatchItem *self);
double                  tessera_batch_item_get_progress (TesseraBatchItem *self);
const char             *tessera_batch_item_get_error    (TesseraBatchItem *self);
GFile                  *tessera_batch_item_get_output   (TesseraBatchItem *self);

#define TESSERA_TYPE_BATCH (tessera_batch_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatch, tessera_batch, TESSERA, BATCH, GObject)

TesseraBatch      *tessera_batch_new                (TesseraEngine         *engine);
GListModel        *tessera_batch_get_items          (TesseraBatch          *self);
void               tessera_batch_add_file           (TesseraBatch          *self,
                                                     GFile                 *file);
gboolean           tessera_batch_add_folder         (TesseraBatch          *self,
                                                     GFile                 *folder,
                                                     gboolean               recursive,
                                                     GError               **error);
void               tessera_batch_remove_finished    (TesseraBatch          *self);
void               tessera_batch_set_options        (TesseraBatch          *self,
                                                     TesseraUpscaleOptions *options);
void               tessera_batch_set_upscaler_label (TesseraBatch          *self,
                                                     const char            *label);
void               tessera_batch_set_output_folder  (TesseraBatch          *self,
                                                     GFile                 *folder);
void               tessera_batch_set_name_pattern   (TesseraBatch          *self,
                                                     const char            *pattern);
void               tessera_batch_set_skip_existing  (TesseraBatch          *self,
                                                     gboolean               skip);
void               tessera_batch_set_keep_metadata  (TesseraBatch          *self,
                                                     gboolean               keep);
gboolean           tessera_batch_start              (TesseraBatch          *self,
                                                     GError               **error);
void               tessera_batch_pause              (TesseraBatch          *self);
void               tessera_batch_resume             (TesseraBatch          *self);
void               tessera_batch_cancel             (TesseraBatch          *self);
TesseraBatchState  tessera_batch_get_state          (TesseraBatch          *self);
guint              tessera_batch_get_n_done         (TesseraBatch          *self);
guint              tessera_batch_get_n_failed       (TesseraBatch          *self);
guint              tessera_batch_get_n_skipped      (TesseraBatch          *self);
guint              tessera_batch_get_n_waiting      (TesseraBatch          *self);

G_END_DECLS
