/* tessera-batch-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-batch.h"

G_BEGIN_DECLS

struct _TesseraBatchItem
{
  GObject                 parent_instance;

  GFile                  *file;
  char                   *relative;      /* below its folder, in the file system's encoding */
  char                   *name;
  GFile                  *fixed_output;  /* asked for by name, rather than made by the pattern */
  TesseraBatchItemStatus  status;
  double                  progress;
  char                   *progress_text;
  char                   *error;
  GFile                  *output;
  guint                   input_width;
  guint                   input_height;
  guint                   output_width;
  guint                   output_height;
  TesseraMediaKind        kind;          /* probed when its run starts */
};

TesseraBatchItem *tessera_batch_item_new           (GFile            *file,
                                                    const char       *relative,
                                                    GFile            *fixed_output);
void              tessera_batch_item_set_progress  (TesseraBatchItem *self,
                                                    double            progress);
void              tessera_batch_item_set_progress_text (TesseraBatchItem *self,
                                                        const char       *text);
void              tessera_batch_item_set_error     (TesseraBatchItem *self,
                                                    const char       *error);
void              tessera_batch_item_set_output    (TesseraBatchItem *self,
                                                    GFile            *output);
void              tessera_batch_item_notify_status (TesseraBatchItem *self);

G_END_DECLS
