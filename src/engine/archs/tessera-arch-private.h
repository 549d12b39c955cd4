/* tessera-arch-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-model.h"
#include "tessera-state-dict-private.h"

G_BEGIN_DECLS

/* What an architecture's detector reads off a state dict's keys and shapes.
 * Counts an architecture does not have stay 0. */
typedef struct
{
  TesseraArch arch;
  gboolean    supported;
  guint       scale;
  guint       in_channels;
  guint       out_channels;
  guint       num_feat;
  guint       num_blocks;
} TesseraArchInfo;

typedef enum
{
  TESSERA_DETECT_NO,      /* not this architecture */
  TESSERA_DETECT_YES,     /* @info is filled */
  TESSERA_DETECT_ERROR,   /* this architecture's keys, but broken: @error says why */
} TesseraDetect;

typedef TesseraDetect (*TesseraDetectFunc) (TesseraStateDict  *state_dict,
                                            TesseraArchInfo   *info,
                                            GError           **error);

gboolean       tessera_arch_detect         (TesseraStateDict  *state_dict,
                                            TesseraArchInfo   *info,
                                            GError           **error);

/* One per file in archs/. */
TesseraDetect  tessera_hat_detect          (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_dat_detect          (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_swinir_detect       (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_omnisr_detect       (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_span_detect         (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_esrgan_detect       (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_compact_detect      (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_unet_detect         (TesseraStateDict *, TesseraArchInfo *, GError **);
TesseraDetect  tessera_waifu2x_detect      (TesseraStateDict *, TesseraArchInfo *, GError **);

/* Helpers for the detectors. */
gboolean              arch_has            (TesseraStateDict  *state_dict,
                                           const char        *format,
                                           ...) G_GNUC_PRINTF (2, 3);
const TesseraTensor  *arch_tensor         (TesseraStateDict  *state_dict,
                                           guint              n_dims,
                                           const char        *format,
                                           ...) G_GNUC_PRINTF (3, 4);
guint                 arch_count          (TesseraStateDict  *state_dict,
                                           const char        *pattern,
                                           guint              first);
gboolean              arch_scale_and_channels (guint64        pixelshuffle_channels,
                                               guint          in_channels,
                                               guint         *scale,
                                               guint         *out_channels);
guint                 arch_pixelshuffle_scale (TesseraStateDict *state_dict,
                                               const char       *prefix);
TesseraDetect         arch_broken         (GError           **error,
                                           TesseraArch        arch,
                                           const char        *why);

G_END_DECLS
