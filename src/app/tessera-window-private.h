/* tessera-window-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-batch-view.h"
#include "tessera-before-after-view.h"
#include "tessera-comparison-panel.h"
#include "tessera-comparison-results.h"
#include "tessera-frame-scrubber.h"
#include "tessera-redraw-panel.h"
#include "tessera-upscale-panel.h"
#include "tessera-window.h"

G_BEGIN_DECLS

/* The window's parts share its struct: tessera-window.c (the widget, its
 * state and what its panels report), tessera-window-actions.c (its
 * actions), tessera-window-dnd.c (drag and drop, the clipboard) and
 * tessera-window-files.c (opening, saving, importing models). */
struct _TesseraWindow
{
  AdwApplicationWindow      parent_instance;

  /* From the template: the panels and the places they are in. */
  AdwToastOverlay          *toast_overlay;
  GtkWidget                *drop_hint;
  GtkStack                 *stack;
  TesseraBeforeAfterView   *before_after_view;
  TesseraFrameScrubber     *frame_scrubber;
  TesseraComparisonResults *comparison_results;
  TesseraBatchView         *batch_view;
  TesseraUpscalePanel      *upscale_panel;
  TesseraComparisonPanel   *comparison_panel;
  TesseraRedrawPanel       *redraw_panel;

  TesseraEngine            *engine;
  TesseraModelLibrary      *library;
  GSettings                *settings;         /* NULL when the schema is not installed */
  GStrv                     model_folders;    /* the settings' last */

  GFile                    *file;             /* the input's; NULL when pasted */
  TesseraImage             *input;            /* of an animation or a video, the frame chosen */
  TesseraImage             *output;
  TesseraMediaKind          media_kind;       /* of the file; still for an image */
  GFile                    *media_result;     /* the whole file upscaled, in the cache until replaced */
  char                     *output_upscaler;
  double                    output_scale;
  GCancellable             *running;          /* the upscale under way */
  TesseraBeforeAfterMode    compare_mode;
  gboolean                  comparing;
  gboolean                  showing_results;  /* two whole results in the view, not the input and output */
  gboolean                  closing;          /* hidden, the batch running on */
  guint                     importing;        /* models being checked and copied */
  char                     *last_error;
};

void _tessera_window_toast              (TesseraWindow      *self,
                                         const char         *text);
void _tessera_window_show_error         (TesseraWindow      *self,
                                         const char         *heading,
                                         const char         *message);
void _tessera_window_show_input         (TesseraWindow      *self,
                                         TesseraImage       *image,
                                         GFile              *file);
void _tessera_window_show_output        (TesseraWindow      *self,
                                         TesseraImage       *output,
                                         const char         *upscaler);
void _tessera_window_show_media         (TesseraWindow      *self,
                                         TesseraMediaReader *reader,
                                         TesseraImage       *first_frame,
                                         gint64              timestamp_us,
                                         gint64              duration_us);
void _tessera_window_set_media_result   (TesseraWindow      *self,
                                         GFile              *result,
                                         const char         *upscaler,
                                         guint               width);
void _tessera_window_show_own_images    (TesseraWindow      *self);
void _tessera_window_set_comparing      (TesseraWindow      *self,
                                         gboolean            comparing);
void _tessera_window_show_batch         (TesseraWindow      *self);

void _tessera_window_class_actions_init (TesseraWindowClass *klass);
void _tessera_window_update_actions     (TesseraWindow      *self);
void _tessera_window_update_overlay     (TesseraWindow      *self);

TesseraRedrawOptions *_tessera_window_get_redraw_options (TesseraWindow        *self,
                                                          const char           *upscaler,
                                                          GError              **error);
TesseraRedrawPlan    *_tessera_window_plan_redraw        (TesseraWindow        *self,
                                                          TesseraRedrawOptions *options);

void _tessera_window_dnd_init           (TesseraWindow      *self);
void _tessera_window_paste              (TesseraWindow      *self);
void _tessera_window_copy               (TesseraWindow      *self);

void _tessera_window_choose_image       (TesseraWindow      *self);
void _tessera_window_save_result        (TesseraWindow      *self);
void _tessera_window_choose_models      (TesseraWindow      *self);

GFile *_tessera_window_new_media_result    (TesseraWindow  *self,
                                            GError        **error);
void   _tessera_window_delete_media_result (GFile          *result);

G_END_DECLS
