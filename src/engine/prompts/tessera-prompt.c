/* tessera-prompt.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-prompt"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"

#include "tessera-prompt-private.h"

/* A prompt read as AUTOMATIC1111's web UI reads it (modules/prompt_parser.py,
 * parse_prompt_attention, and modules/sd_hijack_clip.py, tokenize_line),
 * down to its quirks, so that a prompt written for it means the same here:
 *
 *   (word)        weight × 1.1, ((word)) × 1.21, and so on
 *   (word:1.3)    weight × 1.3
 *   [word]        weight ÷ 1.1
 *   \( \) \[ \] \\   the character itself; a lone \ vanishes
 *   BREAK         the chunk ends here (a whole word, in capitals)
 *
 * A bracket that is never closed weighs on everything after it; a closing
 * one that was never opened is text. A BREAK inside brackets gets their
 * weight, so it is the word "break" and not a break, as in A1111. The
 * only prompt A1111 refuses is one with a weight like "(word:1.2.3)",
 * made of digits and points but not a number. */

#define ROUND_BRACKET_MULTIPLIER 1.1
#define SQUARE_BRACKET_MULTIPLIER (1 / 1.1)
#define BREAK_WEIGHT -1.0

/* 75 tokens of the prompt between the start and the end token. */
#define CHUNK_TOKENS (TESSERA_PROMPT_CHUNK_LENGTH - 2)

static void
clear_piece (gpointer data)
{
  TesseraPromptPiece *piece = data;

  g_free (piece->text);
}

static void
add_piece (GArray     *pieces,
           const char *text,
           gsize       length,
           double      weight)
{
  TesseraPromptPiece piece = { g_strndup (text, length), weight };

  g_array_append_val (pieces, piece);
}

/* Python's str.isspace(), which \s of Python's re module matches. */
static gboolean
is_space (gunichar c)
{
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

/* \w of Python's re module: letters, digits and numbers, the underscore. */
static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_';
}

static const char *
skip_spaces (const char *p)
{
  while (*p != '\0' && is_space (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);

  return p;
}

/* Where a BREAK that A1111 splits at (\s*\bBREAK\b\s*) starts at @p,
 * spaces before it included; NULL if none does. @text is the whole
 * string, for the boundary before @p. */
static const char *
match_break (const char *text,
             const char *p,
             const char **end)
{
  const char *word = skip_spaces (p);

  if (!g_str_has_prefix (word, "BREAK"))
    return NULL;
  if (word > text && is_word_char (g_utf8_get_char (g_utf8_prev_char (word))))
    return NULL;
  if (is_word_char (g_utf8_get_char (word + 5)))
    return NULL;

  *end = skip_spaces (word + 5);

  return p;
}

/* Plain text, split at each BREAK into pieces of weight 1 with a BREAK
 * piece between each two. */
static void
add_text (GArray     *pieces,
          const char *text,
          gsize       length)
{
  g_autofree char *copy = g_strndup (text, length);
  const char *part = copy;
  const char *p = copy;

  while (*p != '\0')
    {
      const char *end;

      if (match_break (copy, p, &end) != NULL)
        {
          add_piece (pieces, part, p - part, 1.0);
          add_piece (pieces, "BREAK", 5, BREAK_WEIGHT);
          part = p = end;
        }
      else if (is_space (g_utf8_get_char (p)))
        {
          /* No BREAK after these spaces, nor after any of them. */
          p = skip_spaces (p);
        }
      else
        p = g_utf8_next_char (p);
    }

  add_piece (pieces, part, p - part, 1.0);
}

static void
multiply_range (GArray *pieces,
                guint   start,
                double  multiplier)
{
  for (guint i = start; i < pieces->len; i++)
    g_array_index (pieces, TesseraPromptPiece, i).weight *= multiplier;
}

static guint
pop (GArray *stack)
{
  guint top = g_array_index (stack, guint, stack->len - 1);

  g_array_set_size (stack, stack->len - 1);

  return top;
}

/* A weight after a colon, closing a round bracket: ":", spaces, a sign,
 * digits and points, spaces, ")". Returns the end, past the bracket, and
 * the digits and points in @number (the sign included), or NULL. */
static const char *
match_weight (const char  *p,
              const char **number,
              const char **number_end)
{
  p = skip_spaces (p + 1);
  *number = p;
  if (*p == '+' || *p == '-')
    p++;

  *number_end = p;
  while (**number_end == '.' || g_unichar_isdigit (g_utf8_get_char (*number_end)))
    *number_end = g_utf8_next_char (*number_end);
  if (*number_end == p)
    return NULL;

  p = skip_spaces (*number_end);

  return *p == ')' ? p + 1 : NULL;
}

/* The number as Python's float() reads it: one point at most, at least
 * one digit, any script's decimal digits. */
static gboolean
parse_weight (const char *number,
              const char *end,
              double     *weight)
{
  g_autoptr(GString) ascii = g_string_new (NULL);
  guint n_points = 0;
  guint n_digits = 0;

  for (const char *p = number; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '.')
        n_points++;
      else if (c != '+' && c != '-')
        {
          c = '0' + g_unichar_digit_value (c);
          n_digits++;
        }
      g_string_append_c (ascii, (char) c);
    }

  if (n_points > 1 || n_digits == 0)
    return FALSE;

  *weight = g_ascii_strtod (ascii->str, NULL);

  return TRUE;
}

/**
 * tessera_prompt_parse:
 * @prompt: a prompt in A1111's syntax
 * @error: return location for an error
 *
 * The prompt's pieces and their weights, neighbours of equal weight
 * joined, as A1111's parse_prompt_attention() gives them. An empty prompt
 * is one empty piece.
 *
 * Returns: (transfer full): an array of #TesseraPromptPiece, or %NULL
 *   with @error naming the position of what A1111 refuses too
 */
GArray *
tessera_prompt_parse (const char  *prompt,
                      GError     **error)
{
  g_autoptr(GArray) pieces = g_array_new (FALSE, FALSE, sizeof (TesseraPromptPiece));
  g_autoptr(GArray) round_brackets = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) square_brackets = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *invalid;
  const char *p = prompt;

  g_array_set_clear_func (pieces, clear_piece);

  if (!g_utf8_validate (prompt, -1, &invalid))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("The prompt is not UTF-8 text: byte %u is not part of a character"),
                   (guint) (invalid - prompt + 1));
      return NULL;
    }

  while (*p != '\0')
    {
      const char *number;
      const char *number_end;
      const char *end;

      switch (*p)
        {
        case '\\':
          if (p[1] != '\0' && strchr ("()[]\\", p[1]) != NULL)
            {
              add_piece (pieces, p + 1, 1, 1.0);
              p += 2;
            }
          else
            {
              add_piece (pieces, "", 0, 1.0);
              p++;
            }
          break;

        case '(':
          g_array_append_val (round_brackets, pieces->len);
          p++;
          break;

        case '[':
          g_array_append_val (square_brackets, pieces->len);
          p++;
          break;

        case ':':
          end = match_weight (p, &number, &number_end);
          if (end != NULL && round_brackets->len > 0)
            {
              double weight;

              if (!parse_weight (number, number_end, &weight))
                {
                  g_autofree char *text = g_strndup (number, number_end - number);

                  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                               _("The weight “%s” at character %ld of the prompt is not a number"),
                               text, g_utf8_pointer_to_offset (prompt, number) + 1);
                  return NULL;
                }
              multiply_range (pieces, pop (round_brackets), weight);
              p = end;
            }
          else if (end != NULL)
            {
              add_text (pieces, p, end - p);
              p = end;
            }
          else
            {
              add_text (pieces, p, 1);
              p++;
            }
          break;

        case ')':
          if (round_brackets->len > 0)
            multiply_range (pieces, pop (round_brackets), ROUND_BRACKET_MULTIPLIER);
          else
            add_text (pieces, p, 1);
          p++;
          break;

        case ']':
          if (square_brackets->len > 0)
            multiply_range (pieces, pop (square_brackets), SQUARE_BRACKET_MULTIPLIER);
          else
            add_text (pieces, p, 1);
          p++;
          break;

        default:
          end = p + strcspn (p, "\\()[]:");
          add_text (pieces, p, end - p);
          p = end;
          break;
        }
    }

  for (guint i = 0; i < round_brackets->len; i++)
    multiply_range (pieces, g_array_index (round_brackets, guint, i), ROUND_BRACKET_MULTIPLIER);
  for (guint i = 0; i < square_brackets->len; i++)
    multiply_range (pieces, g_array_index (square_brackets, guint, i), SQUARE_BRACKET_MULTIPLIER);

  if (pieces->len == 0)
    add_piece (pieces, "", 0, 1.0);

  for (guint i = 0; i + 1 < pieces->len;)
    {
      TesseraPromptPiece *piece = &g_array_index (pieces, TesseraPromptPiece, i);
      TesseraPromptPiece *next = piece + 1;

      if (piece->weight == next->weight)
        {
          char *joined = g_strconcat (piece->text, next->text, NULL);

          g_free (piece->text);
          piece->text = joined;
          g_array_remove_index (pieces, i + 1);
        }
      else
        i++;
    }

  return g_steal_pointer (&pieces);
}

/* tokenize_line's state: the chunks made, and the one being filled. */
typedef struct
{
  GArray  *chunks;        /* TesseraPromptChunk */
  guint32  ids[CHUNK_TOKENS];
  double   weights[CHUNK_TOKENS];
  guint    length;
  int      last_comma;    /* where the last comma of this chunk is, or −1 */
  guint    token_count;
  guint32  start_id;
  guint32  end_id;
  guint32  pad_id;
} Chunker;

static void
finish_chunk (Chunker  *self,
              gboolean  is_last)
{
  TesseraPromptChunk chunk;
  gboolean padding = FALSE;

  self->token_count += is_last ? self->length : CHUNK_TOKENS;

  chunk.ids[0] = self->start_id;
  chunk.multipliers[0] = 1.0f;
  for (guint i = 0; i < CHUNK_TOKENS; i++)
    {
      chunk.ids[i + 1] = i < self->length ? self->ids[i] : self->end_id;
      chunk.multipliers[i + 1] = i < self->length ? (float) self->weights[i] : 1.0f;
    }
  chunk.ids[TESSERA_PROMPT_CHUNK_LENGTH - 1] = self->end_id;
  chunk.multipliers[TESSERA_PROMPT_CHUNK_LENGTH - 1] = 1.0f;

  /* Where padding differs from the end token (SD 2.x), everything after
   * the first end token is padding, as A1111's process_tokens() does it. */
  for (guint i = 0; i < TESSERA_PROMPT_CHUNK_LENGTH; i++)
    {
      if (padding)
        chunk.ids[i] = self->pad_id;
      else if (chunk.ids[i] == self->end_id)
        padding = TRUE;
    }

  g_array_append_val (self->chunks, chunk);
  self->length = 0;
  self->last_comma = -1;
}

/**
 * tessera_prompt_chunk:
 * @tokenizer: the text encoder's tokenizer
 * @pieces: (element-type TesseraPromptPiece): a parsed prompt
 * @pad_id: the padding token: the end token for SD 1.x, 0 for SD 2.x
 * @comma_backtrack: how far back a chunk that runs over may end at a
 *   comma instead (A1111's default: %TESSERA_PROMPT_COMMA_BACKTRACK); 0
 *   to never do so
 * @token_count: (out) (optional): the prompt's length in tokens, as
 *   A1111 counts it: 75 for each full chunk, then the last one's tokens
 *
 * The prompt in chunks, as A1111's tokenize_line() makes them: each
 * piece's tokens with its weight, 75 a chunk, a new chunk at each BREAK.
 * A chunk that runs over in the middle of a phrase, with a comma among its
 * last @comma_backtrack tokens, ends after that comma instead, and the
 * rest goes on in the next. Each chunk is padded to 75 tokens and put
 * between the start and end tokens. An empty prompt is one chunk.
 *
 * Returns: (transfer full): an array of #TesseraPromptChunk
 */
GArray *
tessera_prompt_chunk (TesseraClipTokenizer *tokenizer,
                      GArray               *pieces,
                      guint32               pad_id,
                      guint                 comma_backtrack,
                      guint                *token_count)
{
  Chunker self = {
    .chunks = g_array_new (FALSE, FALSE, sizeof (TesseraPromptChunk)),
    .last_comma = -1,
    .start_id = tessera_clip_tokenizer_get_start_id (tokenizer),
    .end_id = tessera_clip_tokenizer_get_end_id (tokenizer),
    .pad_id = pad_id,
  };
  guint32 comma;
  gboolean has_comma = tessera_clip_tokenizer_lookup (tokenizer, ",</w>", &comma);

  for (guint i = 0; i < pieces->len; i++)
    {
      const TesseraPromptPiece *piece = &g_array_index (pieces, TesseraPromptPiece, i);
      g_autoptr(GArray) ids = NULL;

      if (strcmp (piece->text, "BREAK") == 0 && piece->weight == BREAK_WEIGHT)
        {
          finish_chunk (&self, FALSE);
          continue;
        }

      ids = tessera_clip_tokenizer_encode (tokenizer, piece->text);
      for (guint j = 0; j < ids->len; j++)
        {
          guint32 id = g_array_index (ids, guint32, j);

          if (has_comma && id == comma)
            self.last_comma = self.length;
          else if (comma_backtrack != 0 && self.length == CHUNK_TOKENS && self.last_comma != -1 &&
                   (guint) (CHUNK_TOKENS - self.last_comma) <= comma_backtrack)
            {
              guint moved = CHUNK_TOKENS - (self.last_comma + 1);
              guint32 moved_ids[CHUNK_TOKENS];
              double moved_weights[CHUNK_TOKENS];

              memcpy (moved_ids, self.ids + self.last_comma + 1, moved * sizeof (guint32));
              memcpy (moved_weights, self.weights + self.last_comma + 1, moved * sizeof (double));
              self.length = self.last_comma + 1;
              finish_chunk (&self, FALSE);
              memcpy (self.ids, moved_ids, moved * sizeof (guint32));
              memcpy (self.weights, moved_weights, moved * sizeof (double));
              self.length = moved;
            }

          if (self.length == CHUNK_TOKENS)
            finish_chunk (&self, FALSE);

          self.ids[self.length] = id;
          self.weights[self.length] = piece->weight;
          self.length++;
        }
    }

  if (self.length > 0 || self.chunks->len == 0)
    finish_chunk (&self, TRUE);

  if (token_count != NULL)
    *token_count = self.token_count;

  return self.chunks;
}

/**
 * tessera_prompt_tokenize:
 * @tokenizer: the text encoder's tokenizer
 * @prompt: a prompt in A1111's syntax
 * @pad_id: the padding token: the end token for SD 1.x, 0 for SD 2.x
 * @comma_backtrack: see tessera_prompt_chunk()
 * @token_count: (out) (optional): the prompt's length in tokens
 * @error: return location for an error
 *
 * tessera_prompt_parse(), then tessera_prompt_chunk().
 *
 * Returns: (transfer full): an array of #TesseraPromptChunk, or %NULL
 *   with @error set
 */
GArray *
tessera_prompt_tokenize (TesseraClipTokenizer  *tokenizer,
                         const char            *prompt,
                         guint32                pad_id,
                         guint                  comma_backtrack,
                         guint                 *token_count,
                         GError               **error)
{
  g_autoptr(GArray) pieces = tessera_prompt_parse (prompt, error);

  if (pieces == NULL)
    return NULL;

  return tessera_prompt_chunk (tokenizer, pieces, pad_id, comma_backtrack, token_count);
}
