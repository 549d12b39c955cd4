/* tessera-frame-scrubber.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "tessera.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_FRAME_SCRUBBER (tessera_frame_scrubber_get_type ())

G_DECLARE_FINAL_TYPE (TesseraFrameScrubber, tessera_frame_scrubber, TESSERA, FRAME_SCRUBBER, AdwBin)

void          tessera_frame_scrubber_set_media      (TesseraFrameScrubber *self,
                                                     GFile                *file,
                                                     TesseraMediaReader   *reader,
                                                     TesseraImage         *first_frame,
                                                     gint64                first_timestamp_us,
                                                     gint64                first_duration_us);
void          tessera_frame_scrubber_clear          (TesseraFrameScrubber *self);
void          tessera_frame_scrubber_set_result     (TesseraFrameScrubber *self,
                                                     GFile                *result);
guint         tessera_frame_scrubber_get_n_frames   (TesseraFrameScrubber *self);
guint         tessera_frame_scrubber_get_frame      (TesseraFrameScrubber *self);
void          tessera_frame_scrubber_set_frame      (TesseraFrameScrubber *self,
                                                     guint                 frame);
guint         tessera_frame_scrubber_get_shown      (TesseraFrameScrubber *self);
TesseraImage *tessera_frame_scrubber_get_image      (TesseraFrameScrubber *self);
TesseraImage *tessera_frame_scrubber_get_result     (TesseraFrameScrubber *self);
gboolean      tessera_frame_scrubber_get_playing    (TesseraFrameScrubber *self);
void          tessera_frame_scrubber_set_playing    (TesseraFrameScrubber *self,
                                                     gboolean              playing);

G_END_DECLS
