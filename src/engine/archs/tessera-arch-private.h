/* tessera-arch-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "core/tessera-graph-private.h"
#include "core/tessera-state-dict-private.h"
#include "core/tessera-weights-private.h"
#include "tessera-arch.h"

G_BEGIN_DECLS

/* What an architecture's detector reads off a state dict's keys and shapes.
 * Counts an architecture does not have stay 0. */
typedef struct
{
  TesseraArch arch;
  gboolean    supported;
  const char *not_run;         /* when not supported: why, a translated clause ("it uses …") */
  guint       scale;
  guint       in_channels;
  guint       out_channels;
  guint       num_feat;
  guint       num_blocks;
  guint       tile_multiple;   /* tiles' sides and overlaps: multiples of it (attention windows); 0: any */
  gboolean    noise_input;     /* the denoise setting is an input of the network (the builder's noise_level) */
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
void                  arch_not_run        (TesseraArchInfo   *info,
                                           const char        *why);
guint                 arch_square_root    (guint64            n);          /* 0 when not a square */
guint                 arch_sequence_length (TesseraStateDict *state_dict,
                                            const char       *prefix);
GVariant             *arch_uint_array     (const guint       *values,
                                           guint              n);

/* Building a network's graph from its state dict. The helpers check each
 * tensor's shape against the graph so far; the first mismatch is kept in
 * @error and makes every later call do nothing, so that a builder reads as
 * the forward pass it copies and checks once at the end. */
typedef struct
{
  TesseraWeights    *weights;
  TesseraStateDict  *state_dict;
  TesseraGraph      *graph;
  GError            *error;
  double             noise_level;   /* the denoise setting, 0–1, for a level input; negative: the family's default */
} TesseraBuilder;

/* Returns the output node of a graph for an input of @height × @width
 * (node 0), which the network has already padded as the recipe asks. */
typedef guint (*TesseraBuildFunc) (TesseraBuilder        *builder,
                                   const TesseraArchInfo *info,
                                   guint                  height,
                                   guint                  width);

/* What the reference implementation (spandrel) does around a forward
 * pass: pad right and bottom to at least @minimum and to a multiple of
 * @multiple_of, and crop the output back. @pre_pad is the reflected
 * border the family's own tool adds around the whole image (Real-ESRGAN's
 * pre_pad 10); 0 where the graph pads its input itself. */
typedef struct
{
  TesseraBuildFunc build;
  guint            minimum;
  guint            multiple_of;
  guint            pre_pad;
} TesseraArchRecipe;

/* How a family offers noise levels (models/tessera-denoise.c). */
typedef enum
{
  TESSERA_NOISE_LEVELS_NONE,
  TESSERA_NOISE_LEVELS_CUGAN_FILES,     /* up2x-denoise1x-conservative… beside the model */
  TESSERA_NOISE_LEVELS_WAIFU2X_FILES,   /* noise0_model… beside the model */
  TESSERA_NOISE_LEVELS_TWIN_BLEND,      /* blended with its "-wdn-" twin (Real-ESRGAN Compact) */
} TesseraNoiseLevels;

/* One architecture, as its file in archs/ registers it in the table of
 * tessera-arch.c. @detect may find several entries' architectures (one
 * file for waifu2x's two); the others leave it NULL. @recipe fills in how
 * to build and feed the graph, or returns FALSE for a model that is
 * recognised but not run; NULL when none is. @describe gives the
 * hyper-parameters the info does not say, under the reference
 * implementation's names (a{sv}, floating), or NULL. */
typedef struct
{
  TesseraArch          arch;
  const char          *id;
  const char          *title;
  TesseraDetectFunc    detect;
  gboolean           (*recipe)   (TesseraStateDict       *state_dict,
                                  const TesseraArchInfo  *info,
                                  TesseraArchRecipe      *recipe);
  GVariant          *(*describe) (TesseraStateDict       *state_dict,
                                  const TesseraArchInfo  *info);
  TesseraNoiseLevels   noise_levels;
} TesseraArchEntry;

const TesseraArchEntry *tessera_arch_lookup  (TesseraArch             arch);
gboolean       tessera_arch_detect         (TesseraStateDict       *state_dict,
                                            TesseraArchInfo        *info,
                                            GError                **error);
gboolean       tessera_arch_get_recipe     (TesseraStateDict       *state_dict,
                                            const TesseraArchInfo  *info,
                                            TesseraArchRecipe      *recipe,
                                            GError                **error);
GVariant      *tessera_arch_describe       (TesseraStateDict       *state_dict,
                                            const TesseraArchInfo  *info);

const float   *builder_tensor              (TesseraBuilder     *builder,
                                            const guint64      *shape,
                                            guint               n_dims,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (4, 5);
const float   *builder_optional_tensor     (TesseraBuilder     *builder,
                                            const guint64      *shape,
                                            guint               n_dims,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (4, 5);
guint          builder_conv                (TesseraBuilder     *builder,
                                            const guint        *inputs,
                                            guint               n_inputs,
                                            guint               stride,
                                            guint               padding,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (6, 7);
guint          builder_deconv              (TesseraBuilder     *builder,
                                            guint               input,
                                            guint               stride,
                                            guint               padding,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (5, 6);
guint          builder_activate            (TesseraBuilder     *builder,
                                            guint               node,
                                            TesseraActivation   activation,
                                            float               slope);
guint          builder_conv_rows           (TesseraBuilder     *builder,
                                            guint               input,
                                            const char         *prefix,
                                            guint               first,
                                            guint               n);
guint          builder_dysample            (TesseraBuilder     *builder,
                                            guint               input,
                                            const char         *prefix,
                                            guint               scale);
void           builder_fail                (TesseraBuilder     *builder,
                                            const char         *format,
                                            ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
