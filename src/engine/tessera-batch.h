/* tessera-batch.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <gio/gio.h>

#include "core/tessera-progress.h"
#include "models/tessera-checkpoint.h"
#include "tessera-engine.h"
#include "tessera-redraw-options.h"
#include "tessera-upscale-options.h"

G_BEGIN_DECLS

/**
 * TesseraBatchItemStatus:
 * @TESSERA_BATCH_ITEM_WAITING: not run yet, or paused or cancelled
 * @TESSERA_BATCH_ITEM_RUNNING: being loaded, upscaled or saved
 * @TESSERA_BATCH_ITEM_DONE: its output is written
 * @TESSERA_BATCH_ITEM_SKIPPED: its output existed and was left alone
 * @TESSERA_BATCH_ITEM_FAILED: see tessera_batch_item_get_error()
 */
typedef enum
{
  TESSERA_BATCH_ITEM_WAITING,
  TESSERA_BATCH_ITEM_RUNNING,
  TESSERA_BATCH_ITEM_DONE,
  TESSERA_BATCH_ITEM_SKIPPED,
  TESSERA_BATCH_ITEM_FAILED,
} TesseraBatchItemStatus;

/**
 * TesseraBatchState:
 * @TESSERA_BATCH_IDLE: not started, finished or cancelled
 * @TESSERA_BATCH_RUNNING: running its waiting items one after another
 * @TESSERA_BATCH_PAUSED: stopped until resumed
 */
typedef enum
{
  TESSERA_BATCH_IDLE,
  TESSERA_BATCH_RUNNING,
  TESSERA_BATCH_PAUSED,
} TesseraBatchState;

/**
 * TesseraBatchExisting:
 * @TESSERA_BATCH_EXISTING_FAIL: the item fails, naming the file (the default)
 * @TESSERA_BATCH_EXISTING_SKIP: the item is skipped
 * @TESSERA_BATCH_EXISTING_REPLACE: the output is replaced, unless it is the
 *   item's own image: then the item fails
 * @TESSERA_BATCH_EXISTING_REPLACE_EVEN_INPUT: the output is replaced, the
 *   item's own image included
 *
 * What an item does when its output exists. An output is always written
 * to a temporary file first, which replaces the target only once complete.
 */
typedef enum
{
  TESSERA_BATCH_EXISTING_FAIL,
  TESSERA_BATCH_EXISTING_SKIP,
  TESSERA_BATCH_EXISTING_REPLACE,
  TESSERA_BATCH_EXISTING_REPLACE_EVEN_INPUT,
} TesseraBatchExisting;

/**
 * TesseraBatchRedraw:
 * @TESSERA_BATCH_REDRAW_NONE: items are upscaled (the default)
 * @TESSERA_BATCH_REDRAW_AFTER_UPSCALE: items are upscaled, then redrawn
 * @TESSERA_BATCH_REDRAW_ONLY: items are redrawn instead of upscaled; the
 *   redraw options' own first stage may still upscale them
 *
 * Whether a batch redraws its items with Stable Diffusion.
 */
typedef enum
{
  TESSERA_BATCH_REDRAW_NONE,
  TESSERA_BATCH_REDRAW_AFTER_UPSCALE,
  TESSERA_BATCH_REDRAW_ONLY,
} TesseraBatchRedraw;

#define TESSERA_TYPE_BATCH_ITEM (tessera_batch_item_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatchItem, tessera_batch_item, TESSERA, BATCH_ITEM, GObject)

GFile                  *tessera_batch_item_get_file        (TesseraBatchItem *self);
const char             *tessera_batch_item_get_name        (TesseraBatchItem *self);
TesseraBatchItemStatus  tessera_batch_item_get_status      (TesseraBatchItem *self);
double                  tessera_batch_item_get_progress    (TesseraBatchItem *self);
const char             *tessera_batch_item_get_progress_text (TesseraBatchItem *self);
const char             *tessera_batch_item_get_error       (TesseraBatchItem *self);
GFile                  *tessera_batch_item_get_output      (TesseraBatchItem *self);
void                    tessera_batch_item_get_input_size  (TesseraBatchItem *self,
                                                            guint            *width,
                                                            guint            *height);
void                    tessera_batch_item_get_output_size (TesseraBatchItem *self,
                                                            guint            *width,
                                                            guint            *height);

#define TESSERA_TYPE_BATCH (tessera_batch_get_type ())

G_DECLARE_FINAL_TYPE (TesseraBatch, tessera_batch, TESSERA, BATCH, GObject)

TesseraBatch      *tessera_batch_new                  (TesseraEngine          *engine);
GListModel        *tessera_batch_get_items            (TesseraBatch           *self);
void               tessera_batch_add_file             (TesseraBatch           *self,
                                                       GFile                  *file);
void               tessera_batch_add_file_with_output (TesseraBatch           *self,
                                                       GFile                  *file,
                                                       GFile                  *output);
gboolean           tessera_batch_add_folder           (TesseraBatch           *self,
                                                       GFile                  *folder,
                                                       gboolean                recursive,
                                                       GError                **error);
void               tessera_batch_remove_finished      (TesseraBatch           *self);
void               tessera_batch_set_options          (TesseraBatch           *self,
                                                       TesseraUpscaleOptions  *options);
void               tessera_batch_set_redraw           (TesseraBatch           *self,
                                                       TesseraBatchRedraw      redraw,
                                                       TesseraCheckpoint      *checkpoint,
                                                       TesseraRedrawOptions   *options);
void               tessera_batch_set_media_options    (TesseraBatch           *self,
                                                       const TesseraMediaOptions *options);
void               tessera_batch_set_upscaler_label   (TesseraBatch           *self,
                                                       const char             *label);
void               tessera_batch_set_output_folder    (TesseraBatch           *self,
                                                       GFile                  *folder);
void               tessera_batch_set_name_pattern     (TesseraBatch           *self,
                                                       const char             *pattern);
void               tessera_batch_set_existing         (TesseraBatch           *self,
                                                       TesseraBatchExisting    existing);
void               tessera_batch_set_keep_metadata    (TesseraBatch           *self,
                                                       gboolean                keep);
gboolean           tessera_batch_check_name_pattern   (TesseraBatch           *self,
                                                       GError                **error);
void               tessera_batch_run_item_async       (TesseraBatch           *self,
                                                       TesseraBatchItem       *item,
                                                       GCancellable           *cancellable,
                                                       TesseraProgressFunc     progress,
                                                       gpointer                progress_data,
                                                       GAsyncReadyCallback     callback,
                                                       gpointer                user_data);
gboolean           tessera_batch_run_item_finish      (TesseraBatch           *self,
                                                       GAsyncResult           *result,
                                                       GError                **error);
gboolean           tessera_batch_start                (TesseraBatch           *self,
                                                       GError                **error);
void               tessera_batch_pause                (TesseraBatch           *self);
void               tessera_batch_resume               (TesseraBatch           *self);
void               tessera_batch_cancel               (TesseraBatch           *self);
TesseraBatchState  tessera_batch_get_state            (TesseraBatch           *self);
guint              tessera_batch_get_n_done           (TesseraBatch           *self);
guint              tessera_batch_get_n_failed         (TesseraBatch           *self);
guint              tessera_batch_get_n_skipped        (TesseraBatch           *self);
guint              tessera_batch_get_n_waiting        (TesseraBatch           *self);

G_END_DECLS
