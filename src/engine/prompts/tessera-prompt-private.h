/* tessera-prompt-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "tessera-clip-tokenizer-private.h"

G_BEGIN_DECLS

/* A prompt as AUTOMATIC1111's web UI reads it: emphasis in brackets,
 * BREAK, and any length, in chunks of 75 tokens the text encoder takes
 * one at a time, each between <|startoftext|> and <|endoftext|>. */
#define TESSERA_PROMPT_CHUNK_LENGTH 77

/* A1111's "comma_padding_backtrack" setting, and its default. */
#define TESSERA_PROMPT_COMMA_BACKTRACK 20

/* A stretch of the prompt and its weight. A BREAK is a piece of its own,
 * "BREAK" weighing −1, as A1111 writes it. */
typedef struct
{
  char   *text;
  double  weight;
} TesseraPromptPiece;

/**
 * TesseraPromptChunk:
 * @ids: the token ids: <|startoftext|>, 75 tokens of the prompt or
 *   padding, <|endoftext|>
 * @multipliers: each token's weight; 1 for the start, the end and the
 *   padding
 *
 * What the text encoder takes at once. A1111's emphasis ("Original") is
 * applied to the encoder's output z (77 × width) with these multipliers:
 * each row of z times its token's multiplier, then the whole scaled back
 * so that its mean is the mean z had before,
 *
 *   mean = mean(z); z[t] *= multipliers[t]; z *= mean / mean(z).
 */
typedef struct
{
  guint32 ids[TESSERA_PROMPT_CHUNK_LENGTH];
  float   multipliers[TESSERA_PROMPT_CHUNK_LENGTH];
} TesseraPromptChunk;

GArray *tessera_prompt_parse    (const char           *prompt,
                                 GError              **error);
GArray *tessera_prompt_chunk    (TesseraClipTokenizer *tokenizer,
                                 GArray               *pieces,
                                 guint32               pad_id,
                                 guint                 comma_backtrack,
                                 guint                *token_count);
GArray *tessera_prompt_tokenize (TesseraClipTokenizer *tokenizer,
                                 const char           *prompt,
                                 guint32               pad_id,
                                 guint                 comma_backtrack,
                                 guint                *token_count,
                                 GError              **error);

G_END_DECLS
