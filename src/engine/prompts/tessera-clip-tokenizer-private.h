/* tessera-clip-tokenizer-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* CLIP's byte-level BPE tokenizer, as OpenAI's clip/simple_tokenizer.py
 * and Hugging Face's CLIPTokenizer tokenize a prompt for Stable
 * Diffusion's text encoders. */
typedef struct _TesseraClipTokenizer TesseraClipTokenizer;

TesseraClipTokenizer *tessera_clip_tokenizer_new_default    (GError              **error);
TesseraClipTokenizer *tessera_clip_tokenizer_new_from_files (GFile                *vocab,
                                                             GFile                *merges,
                                                             GError              **error);
TesseraClipTokenizer *tessera_clip_tokenizer_new_for_folder (GFile                *folder,
                                                             GError              **error);
TesseraClipTokenizer *tessera_clip_tokenizer_ref            (TesseraClipTokenizer *self);
void                  tessera_clip_tokenizer_unref          (TesseraClipTokenizer *self);

guint32               tessera_clip_tokenizer_get_start_id   (TesseraClipTokenizer *self);
guint32               tessera_clip_tokenizer_get_end_id     (TesseraClipTokenizer *self);
gboolean              tessera_clip_tokenizer_lookup         (TesseraClipTokenizer *self,
                                                             const char           *token,
                                                             guint32              *id);
GArray               *tessera_clip_tokenizer_encode         (TesseraClipTokenizer *self,
                                                             const char           *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraClipTokenizer, tessera_clip_tokenizer_unref)

G_END_DECLS
