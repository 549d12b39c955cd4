/* tessera-redraw.h
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
#include "image/tessera-image.h"
#include "models/tessera-checkpoint.h"
#include "tessera-engine.h"
#include "tessera-redraw-options.h"

G_BEGIN_DECLS

/**
 * TesseraRedrawStep:
 * @step: the step just done, from 0
 * @n_steps: the steps of the run
 * @width: the latent's width, an eighth of the image's (padded) width
 * @height: see @width
 * @latent: the model's estimate of the final latent after that step, 4 ×
 *   @height × @width floats; valid during the call. Give it to
 *   tessera_redraw_latent_preview() for a picture.
 * @job: the job of a tiled redraw the step belongs to, from 0 (0 when the
 *   whole image is redrawn at once)
 * @n_jobs: the jobs of the redraw (1 when the whole image is redrawn at
 *   once)
 *
 * One step of a redraw done.
 */
typedef struct
{
  guint        step;
  guint        n_steps;
  guint        width;
  guint        height;
  const float *latent;
  guint        job;
  guint        n_jobs;
} TesseraRedrawStep;

/**
 * TesseraRedrawStepFunc:
 * @step: the step; valid during the call
 * @user_data: the data given with the function
 */
typedef void (*TesseraRedrawStepFunc) (const TesseraRedrawStep *step,
                                       gpointer                 user_data);

TesseraImage *tessera_engine_redraw        (TesseraEngine          *self,
                                            TesseraImage           *input,
                                            TesseraCheckpoint      *checkpoint,
                                            TesseraRedrawOptions   *options,
                                            GCancellable           *cancellable,
                                            TesseraProgressFunc     progress,
                                            gpointer                progress_data,
                                            GError                **error);
void          tessera_engine_redraw_async  (TesseraEngine          *self,
                                            TesseraImage           *input,
                                            TesseraCheckpoint      *checkpoint,
                                            TesseraRedrawOptions   *options,
                                            GCancellable           *cancellable,
                                            TesseraProgressFunc     progress,
                                            TesseraRedrawStepFunc   steps,
                                            gpointer                progress_data,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
TesseraImage *tessera_engine_redraw_finish (TesseraEngine          *self,
                                            GAsyncResult           *result,
                                            GError                **error);

gboolean      tessera_engine_redraw_media        (TesseraEngine              *self,
                                                  GFile                      *input,
                                                  GFile                      *output,
                                                  TesseraCheckpoint          *checkpoint,
                                                  TesseraRedrawOptions       *options,
                                                  const TesseraMediaOptions  *media_options,
                                                  GCancellable               *cancellable,
                                                  TesseraProgressFunc         progress,
                                                  gpointer                    progress_data,
                                                  guint                      *width,
                                                  guint                      *height,
                                                  GError                    **error);
void          tessera_engine_redraw_media_async  (TesseraEngine              *self,
                                                  GFile                      *input,
                                                  GFile                      *output,
                                                  TesseraCheckpoint          *checkpoint,
                                                  TesseraRedrawOptions       *options,
                                                  const TesseraMediaOptions  *media_options,
                                                  GCancellable               *cancellable,
                                                  TesseraProgressFunc         progress,
                                                  gpointer                    progress_data,
                                                  GAsyncReadyCallback         callback,
                                                  gpointer                    user_data);
gboolean      tessera_engine_redraw_media_finish (TesseraEngine              *self,
                                                  GAsyncResult               *result,
                                                  guint                      *width,
                                                  guint                      *height,
                                                  GError                    **error);

TesseraImage *tessera_redraw_latent_preview (const float           *latent,
                                             guint                  width,
                                             guint                  height);

G_END_DECLS
