/* tessera-generation-info.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#if !defined(TESSERA_INSIDE) && !defined(TESSERA_COMPILATION)
# error "Only <tessera.h> can be included directly."
#endif

#include <glib-object.h>

#include "tessera-image.h"

G_BEGIN_DECLS

/**
 * TesseraGenerationSource:
 * @TESSERA_GENERATION_SOURCE_A1111: A1111's `parameters` text (also
 *   written by Forge, SD.Next, Fooocus' A1111 mode, Civitai and Tessera)
 * @TESSERA_GENERATION_SOURCE_COMFYUI: ComfyUI's `prompt` graph (JSON)
 */
typedef enum
{
  TESSERA_GENERATION_SOURCE_A1111,
  TESSERA_GENERATION_SOURCE_COMFYUI,
} TesseraGenerationSource;

#define TESSERA_TYPE_GENERATION_INFO (tessera_generation_info_get_type ())

G_DECLARE_FINAL_TYPE (TesseraGenerationInfo, tessera_generation_info, TESSERA, GENERATION_INFO, GObject)

TesseraGenerationInfo   *tessera_generation_info_new_for_image      (TesseraImage          *image);
TesseraGenerationInfo   *tessera_generation_info_new_from_parameters (const char           *parameters);
TesseraGenerationInfo   *tessera_generation_info_new_from_comfyui   (const char            *prompt_json,
                                                                      GError               **error);

TesseraGenerationSource  tessera_generation_info_get_source         (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_prompt         (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_negative_prompt (TesseraGenerationInfo *self);
guint                    tessera_generation_info_get_steps          (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_sampler        (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_schedule       (TesseraGenerationInfo *self);
double                   tessera_generation_info_get_cfg            (TesseraGenerationInfo *self);
gint64                   tessera_generation_info_get_seed           (TesseraGenerationInfo *self);
guint                    tessera_generation_info_get_width          (TesseraGenerationInfo *self);
guint                    tessera_generation_info_get_height         (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_model          (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_model_hash     (TesseraGenerationInfo *self);
guint                    tessera_generation_info_get_clip_skip      (TesseraGenerationInfo *self);
char                   **tessera_generation_info_dup_keys           (TesseraGenerationInfo *self);
const char              *tessera_generation_info_get_value          (TesseraGenerationInfo *self,
                                                                      const char            *key);

G_END_DECLS
