/* tessera-clip-tokenizer.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-clip-tokenizer"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "core/tessera-error.h"
#include "core/tessera-file-utils-private.h"

#include "tessera-clip-tokenizer-private.h"
#include "tessera-html-private.h"
#include "prompts/tessera-prompts-resources.h"

/* CLIP's tokenizer, step by step as OpenAI's clip/simple_tokenizer.py:
 *
 * 1. The text is cleaned: HTML character references replaced, twice
 *    (html.unescape); white space stripped from both ends; every run of
 *    white space made one space; lower-cased as Python's str.lower().
 *    CLIP runs ftfy.fix_text() first, which repairs mojibake, turns
 *    curly quotes, ligatures and full-width forms into plain ones and
 *    composes accents (NFC); that is left out here. Ordinary text
 *    (letters, precomposed accents, digits, ASCII punctuation, emoji) is
 *    unchanged by it.
 * 2. The text is split into words by CLIP's pattern: the two special
 *    tokens, the contractions 's 't 're 've 'm 'll 'd, runs of letters,
 *    single digits, runs of anything else but white space.
 * 3. Each word's UTF-8 bytes become symbols, one printable character per
 *    byte (GPT-2's byte table), the last one marked "</w>" as a word's
 *    end; then the merges join neighbouring symbols, the lowest-ranked
 *    pair first, until no pair of the word has a rank.
 * 4. Each symbol is looked up in the vocabulary: 256 bytes, the same with
 *    "</w>", one token per merge, then <|startoftext|> and <|endoftext|>.
 *
 * Hugging Face's CLIPTokenizer, which Stable Diffusion 1.x pipelines use,
 * reads the same vocabulary and merges from a model's tokenizer/ folder
 * and gives the same ids, but for HTML references: it leaves them to
 * ftfy, which replaces them once, not twice. */

/* The merges CLIP uses: the file's first line is a comment, and the
 * vocabulary has room for 49152 − 256 − 2 of them. */
#define N_MERGES (49152 - 256 - 2)

#define START_TOKEN "<|startoftext|>"
#define END_TOKEN "<|endoftext|>"
#define WORD_END "</w>"

/* Words seen are kept with their ids, as CLIP does; past this many the
 * cache starts over, so that a long-running app does not grow forever. */
#define MAX_CACHED_WORDS 65536

#define DEFAULT_MERGES_RESOURCE "/io/github/tessera/Tessera/clip/bpe_simple_vocab_16e6.txt.gz"

typedef struct
{
  guint32 first;
  guint32 second;
  guint32 merged;
  guint32 rank;
} Merge;

struct _TesseraClipTokenizer
{
  gatomicrefcount  ref_count;

  /* The BPE works on symbol numbers: every symbol a word can be made of,
   * each byte's, each merge's two halves and its result. */
  GPtrArray       *symbols;           /* char *, by number */
  GHashTable      *symbol_numbers;    /* char * (in symbols) → number */
  guint32          byte_symbols[256];     /* a byte inside a word */
  guint32          byte_end_symbols[256]; /* a word's last byte, with "</w>" */
  GArray          *merges;            /* Merge, by rank */
  GHashTable      *merge_of_pair;     /* Merge * → itself, by (first, second) */

  GHashTable      *vocabulary;        /* token → id */
  GArray          *symbol_ids;        /* guint32: each symbol's id, by number */
  guint32          start_id;
  guint32          end_id;

  GMutex           cache_lock;
  GHashTable      *cache;             /* word → GArray of guint32 ids */
};

static gboolean
is_printable_byte (guint byte)
{
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
}

/* GPT-2's byte table: printable Latin-1 bytes stand for themselves, the
 * others (controls, space, soft hyphen) for U+0100 onwards, in order. */
static gunichar
byte_to_char (guint byte)
{
  guint n = 0;

  if (is_printable_byte (byte))
    return byte;

  for (guint b = 0; b < byte; b++)
    if (!is_printable_byte (b))
      n++;

  return 0x100 + n;
}

static guint
merge_hash (gconstpointer key)
{
  const Merge *merge = key;

  return merge->first * 49157u + merge->second;
}

static gboolean
merge_equal (gconstpointer a,
             gconstpointer b)
{
  const Merge *merge_a = a;
  const Merge *merge_b = b;

  return merge_a->first == merge_b->first && merge_a->second == merge_b->second;
}

static TesseraClipTokenizer *
tokenizer_new (void)
{
  TesseraClipTokenizer *self = g_new0 (TesseraClipTokenizer, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->symbols = g_ptr_array_new_with_free_func (g_free);
  self->symbol_numbers = g_hash_table_new (g_str_hash, g_str_equal);
  self->merges = g_array_new (FALSE, FALSE, sizeof (Merge));
  self->merge_of_pair = g_hash_table_new (merge_hash, merge_equal);
  self->vocabulary = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->symbol_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_mutex_init (&self->cache_lock);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_array_unref);

  return self;
}

TesseraClipTokenizer *
tessera_clip_tokenizer_ref (TesseraClipTokenizer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
tessera_clip_tokenizer_unref (TesseraClipTokenizer *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_ptr_array_unref (self->symbols);
  g_hash_table_unref (self->symbol_numbers);
  g_array_unref (self->merges);
  g_hash_table_unref (self->merge_of_pair);
  g_hash_table_unref (self->vocabulary);
  g_array_unref (self->symbol_ids);
  g_mutex_clear (&self->cache_lock);
  g_hash_table_unref (self->cache);
  g_free (self);
}

static guint32
intern_symbol (TesseraClipTokenizer *self,
               const char           *symbol)
{
  gpointer number;
  char *copy;

  if (g_hash_table_lookup_extended (self->symbol_numbers, symbol, NULL, &number))
    return GPOINTER_TO_UINT (number);

  copy = g_strdup (symbol);
  g_ptr_array_add (self->symbols, copy);
  g_hash_table_insert (self->symbol_numbers, copy, GUINT_TO_POINTER (self->symbols->len - 1));

  return self->symbols->len - 1;
}

static void
intern_byte_symbols (TesseraClipTokenizer *self)
{
  for (guint byte = 0; byte < 256; byte++)
    {
      char symbol[8 + sizeof WORD_END] = { 0 };

      g_unichar_to_utf8 (byte_to_char (byte), symbol);
      self->byte_symbols[byte] = intern_symbol (self, symbol);
      strcat (symbol, WORD_END);
      self->byte_end_symbols[byte] = intern_symbol (self, symbol);
    }
}

/* Python's str.isspace(): White_Space and the four information separators. */
static gboolean
is_python_space (gunichar c)
{
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

/* The Unicode White_Space property: \s of the regex module CLIP uses. */
static gboolean
is_white_space (gunichar c)
{
  return c != 0x1C && c != 0x1D && c != 0x1E && c != 0x1F && is_python_space (c);
}

/* The next run of characters that are not white space, from *@p on;
 * NULL when there is none. */
static char *
next_field (const char **p,
            const char  *end)
{
  const char *start = *p;

  while (start < end && is_python_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  *p = start;
  while (*p < end && !is_python_space (g_utf8_get_char (*p)))
    *p = g_utf8_next_char (*p);

  return *p > start ? g_strndup (start, *p - start) : NULL;
}

/* The merges text as Hugging Face reads merges.txt: stripped, the first
 * line (a "#version" comment) skipped, then one pair a line, each line's
 * rank its order. */
static gboolean
load_merges (TesseraClipTokenizer  *self,
             const char            *text,
             gsize                  length,
             const char            *file_name,
             GError               **error)
{
  const char *end = text + length;
  const char *line;
  guint line_number = 1;

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the merges are not UTF-8 text"), file_name);
      return FALSE;
    }

  while (text < end && is_python_space (g_utf8_get_char (text)))
    text = g_utf8_next_char (text);
  while (end > text && is_python_space (g_utf8_get_char (g_utf8_prev_char (end))))
    end = g_utf8_prev_char (end);

  line = memchr (text, '\n', end - text);
  line = line != NULL ? line + 1 : end;

  while (line < end && self->merges->len < N_MERGES)
    {
      const char *line_end = memchr (line, '\n', end - line);
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;
      g_autofree char *rest = NULL;
      g_autofree char *joined = NULL;
      Merge merge;

      line_end = line_end != NULL ? line_end : end;
      line_number++;

      first = next_field (&line, line_end);
      second = next_field (&line, line_end);
      rest = next_field (&line, line_end);
      if (second == NULL || rest != NULL)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                       _("%s: line %u is not a pair of symbols"), file_name, line_number);
          return FALSE;
        }

      joined = g_strconcat (first, second, NULL);
      merge.first = intern_symbol (self, first);
      merge.second = intern_symbol (self, second);
      merge.merged = intern_symbol (self, joined);
      merge.rank = self->merges->len;
      g_array_append_val (self->merges, merge);

      line = line_end < end ? line_end + 1 : end;
    }

  if (self->merges->len == 0)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: the file holds no merges"), file_name);
      return FALSE;
    }

  /* A pair listed twice ranks where it is listed last, as in CLIP's dict. */
  for (guint i = 0; i < self->merges->len; i++)
    {
      Merge *merge = &g_array_index (self->merges, Merge, i);

      g_hash_table_replace (self->merge_of_pair, merge, merge);
    }

  return TRUE;
}

/* CLIP builds its vocabulary from the merges: the byte symbols, in the
 * byte table's order (the printable bytes first), then the same with
 * "</w>", then each merge's result, then the two special tokens. A token
 * listed twice keeps its later id, as in CLIP's dict. */
static void
build_vocabulary (TesseraClipTokenizer *self)
{
  g_autoptr(GPtrArray) tokens = g_ptr_array_new ();
  guint order[256];
  guint n = 0;

  for (guint byte = 0; byte < 256; byte++)
    if (is_printable_byte (byte))
      order[n++] = byte;
  for (guint byte = 0; byte < 256; byte++)
    if (!is_printable_byte (byte))
      order[n++] = byte;

  for (guint i = 0; i < 256; i++)
    g_ptr_array_add (tokens, g_ptr_array_index (self->symbols, self->byte_symbols[order[i]]));
  for (guint i = 0; i < 256; i++)
    g_ptr_array_add (tokens, g_ptr_array_index (self->symbols, self->byte_end_symbols[order[i]]));
  for (guint i = 0; i < self->merges->len; i++)
    g_ptr_array_add (tokens, g_ptr_array_index (self->symbols, g_array_index (self->merges, Merge, i).merged));
  g_ptr_array_add (tokens, (gpointer) START_TOKEN);
  g_ptr_array_add (tokens, (gpointer) END_TOKEN);

  for (guint id = 0; id < tokens->len; id++)
    g_hash_table_replace (self->vocabulary, g_strdup (g_ptr_array_index (tokens, id)),
                          GUINT_TO_POINTER (id));
}

/* Every symbol's id; one missing from the vocabulary reads as
 * <|endoftext|>, Hugging Face's unknown token. */
static gboolean
resolve_ids (TesseraClipTokenizer  *self,
             const char            *file_name,
             GError               **error)
{
  const char *special[] = { START_TOKEN, END_TOKEN };
  guint32 ids[2];

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    {
      if (!tessera_clip_tokenizer_lookup (self, special[i], &ids[i]))
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                       _("%s: the vocabulary has no token “%s”"), file_name, special[i]);
          return FALSE;
        }
    }
  self->start_id = ids[0];
  self->end_id = ids[1];

  g_array_set_size (self->symbol_ids, self->symbols->len);
  for (guint i = 0; i < self->symbols->len; i++)
    {
      guint32 *id = &g_array_index (self->symbol_ids, guint32, i);

      if (!tessera_clip_tokenizer_lookup (self, g_ptr_array_index (self->symbols, i), id))
        *id = self->end_id;
    }

  return TRUE;
}

static GBytes *
gunzip (GBytes  *compressed,
        GError **error)
{
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (compressed);
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (raw, G_CONVERTER (decompressor));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static TesseraClipTokenizer *
load_default (GError **error)
{
  g_autoptr(TesseraClipTokenizer) self = tokenizer_new ();
  g_autoptr(GBytes) compressed = NULL;
  g_autoptr(GBytes) merges = NULL;
  const char *name = "bpe_simple_vocab_16e6.txt.gz";

  compressed = g_resource_lookup_data (tessera_prompts_get_resource (), DEFAULT_MERGES_RESOURCE,
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (compressed == NULL)
    return NULL;

  merges = gunzip (compressed, error);
  if (merges == NULL)
    {
      g_prefix_error (error, "%s: ", name);
      return NULL;
    }

  intern_byte_symbols (self);
  if (!load_merges (self, g_bytes_get_data (merges, NULL), g_bytes_get_size (merges), name, error))
    return NULL;
  build_vocabulary (self);
  if (!resolve_ids (self, name, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tessera_clip_tokenizer_new_default:
 *
 * CLIP's own tokenizer, from OpenAI's merge list, which the library
 * carries: what Stable Diffusion 1.x and 2.x were trained with. Loaded
 * once; each call returns a new reference to the same tokenizer.
 *
 * Returns: (transfer full): the tokenizer, or %NULL with @error set
 */
TesseraClipTokenizer *
tessera_clip_tokenizer_new_default (GError **error)
{
  static GMutex lock;
  static TesseraClipTokenizer *shared;
  TesseraClipTokenizer *tokenizer;

  g_mutex_lock (&lock);
  if (shared == NULL)
    shared = load_default (error);
  tokenizer = shared != NULL ? tessera_clip_tokenizer_ref (shared) : NULL;
  g_mutex_unlock (&lock);

  return tokenizer;
}

static char *
load_text (GFile   *file,
           gsize   *length,
           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;

  if (!g_file_load_contents (file, NULL, &contents, length, NULL, &local_error))
    {
      tessera_file_set_io_error (error, file, local_error);
      return NULL;
    }

  return contents;
}

static gboolean
load_vocabulary (TesseraClipTokenizer  *self,
                 const char            *text,
                 gsize                  length,
                 const char            *file_name,
                 GError               **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, length, &json_error))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: not a tokenizer vocabulary: %s"), file_name, json_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                   _("%s: not a tokenizer vocabulary: it is no JSON object"), file_name);
      return FALSE;
    }

  object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      gint64 id;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
          (id = json_node_get_int (node)) < 0 || id > G_MAXINT32)
        {
          g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT,
                       _("%s: the token “%s” has no valid number"), file_name, (const char *) l->data);
          return FALSE;
        }

      g_hash_table_replace (self->vocabulary, g_strdup (l->data), GUINT_TO_POINTER ((guint32) id));
    }

  return TRUE;
}

/**
 * tessera_clip_tokenizer_new_from_files:
 * @vocab: a vocab.json: each token and its id
 * @merges: a merges.txt: a comment line, then the merges, one pair a line
 * @error: return location for an error
 *
 * The tokenizer a Hugging Face CLIPTokenizer reads from these files, as
 * a diffusers model folder's tokenizer/ holds them.
 *
 * Returns: (transfer full): the tokenizer, or %NULL with @error naming
 *   the file that is missing or broken
 */
TesseraClipTokenizer *
tessera_clip_tokenizer_new_from_files (GFile   *vocab,
                                       GFile   *merges,
                                       GError **error)
{
  g_autoptr(TesseraClipTokenizer) self = tokenizer_new ();
  g_autofree char *vocab_name = tessera_file_dup_display_name (vocab);
  g_autofree char *merges_name = tessera_file_dup_display_name (merges);
  g_autofree char *vocab_text = NULL;
  g_autofree char *merges_text = NULL;
  gsize vocab_length;
  gsize merges_length;

  g_return_val_if_fail (G_IS_FILE (vocab), NULL);
  g_return_val_if_fail (G_IS_FILE (merges), NULL);

  vocab_text = load_text (vocab, &vocab_length, error);
  if (vocab_text == NULL || !load_vocabulary (self, vocab_text, vocab_length, vocab_name, error))
    return NULL;

  merges_text = load_text (merges, &merges_length, error);
  if (merges_text == NULL)
    return NULL;

  intern_byte_symbols (self);
  if (!load_merges (self, merges_text, merges_length, merges_name, error) ||
      !resolve_ids (self, vocab_name, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * tessera_clip_tokenizer_new_for_folder:
 * @folder: a diffusers model folder
 * @error: return location for an error
 *
 * The tokenizer of a diffusers folder: its tokenizer/vocab.json and
 * tokenizer/merges.txt when it has a tokenizer/ folder, CLIP's own
 * otherwise.
 *
 * Returns: (transfer full): the tokenizer, or %NULL with @error set
 */
TesseraClipTokenizer *
tessera_clip_tokenizer_new_for_folder (GFile   *folder,
                                       GError **error)
{
  g_autoptr(GFile) tokenizer = NULL;
  g_autoptr(GFile) vocab = NULL;
  g_autoptr(GFile) merges = NULL;

  g_return_val_if_fail (G_IS_FILE (folder), NULL);

  tokenizer = g_file_get_child (folder, "tokenizer");
  if (g_file_query_file_type (tokenizer, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    return tessera_clip_tokenizer_new_default (error);

  vocab = g_file_get_child (tokenizer, "vocab.json");
  merges = g_file_get_child (tokenizer, "merges.txt");

  return tessera_clip_tokenizer_new_from_files (vocab, merges, error);
}

guint32
tessera_clip_tokenizer_get_start_id (TesseraClipTokenizer *self)
{
  return self->start_id;
}

guint32
tessera_clip_tokenizer_get_end_id (TesseraClipTokenizer *self)
{
  return self->end_id;
}

/* A token's id, the token written as the vocabulary writes it (",</w>"
 * for a comma that ends a word). */
gboolean
tessera_clip_tokenizer_lookup (TesseraClipTokenizer *self,
                               const char           *token,
                               guint32              *id)
{
  gpointer value;

  if (!g_hash_table_lookup_extended (self->vocabulary, token, NULL, &value))
    return FALSE;

  *id = GPOINTER_TO_UINT (value);

  return TRUE;
}

/* Python's Cased property, for the characters that are not Case_Ignorable
 * too: upper-, lower- and title-case letters, and the few others that
 * have a case (ª º, Roman numerals, circled and squared letters). */
static gboolean
is_cased (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_UPPERCASE_LETTER || type == G_UNICODE_LOWERCASE_LETTER ||
         type == G_UNICODE_TITLECASE_LETTER || c == 0xAA || c == 0xBA ||
         (c >= 0x2160 && c <= 0x217F) || (c >= 0x24B6 && c <= 0x24E9) ||
         (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
         (c >= 0x1F170 && c <= 0x1F189);
}

/* Unicode's Case_Ignorable: marks, format characters, modifiers, and the
 * apostrophes, full stops and colons that may sit inside a word. */
static gboolean
is_case_ignorable (gunichar c)
{
  static const gunichar inside_word[] = {
    0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027,
    0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A,
  };

  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
    case G_UNICODE_FORMAT:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_MODIFIER_SYMBOL:
      return TRUE;
    default:
      for (guint i = 0; i < G_N_ELEMENTS (inside_word); i++)
        if (c == inside_word[i])
          return TRUE;
      return FALSE;
    }
}

/* Σ ends a word (ς) when a cased letter comes before it and none after,
 * case-ignorable characters skipped on both sides: Python's rule. */
static gboolean
is_final_sigma (const gunichar *text,
                glong           length,
                glong           at)
{
  glong i;

  for (i = at - 1; i >= 0 && is_case_ignorable (text[i]); i--)
    ;
  if (i < 0 || !is_cased (text[i]))
    return FALSE;

  for (i = at + 1; i < length && is_case_ignorable (text[i]); i++)
    ;

  return i == length || !is_cased (text[i]);
}

/* Python's str.lower(): each character's lower case, with İ as i and a
 * combining dot, Σ as ς at a word's end, and the two kinds of letter-like
 * symbols that have a lower case, which GLib leaves (Ⅻ → ⅻ, Ⓐ → ⓐ). */
static char *
python_lower (const char *text)
{
  g_autofree gunichar *chars = NULL;
  glong length;
  GString *out;

  chars = g_utf8_to_ucs4_fast (text, -1, &length);
  out = g_string_sized_new (strlen (text));

  for (glong i = 0; i < length; i++)
    {
      if (chars[i] == 0x130)
        g_string_append (out, "i\xcc\x87");
      else if (chars[i] == 0x3A3)
        g_string_append_unichar (out, is_final_sigma (chars, length, i) ? 0x3C2 : 0x3C3);
      else if (chars[i] >= 0x2160 && chars[i] <= 0x216F)
        g_string_append_unichar (out, chars[i] + 0x10);
      else if (chars[i] >= 0x24B6 && chars[i] <= 0x24CF)
        g_string_append_unichar (out, chars[i] + 0x1A);
      else
        g_string_append_unichar (out, g_unichar_tolower (chars[i]));
    }

  return g_string_free (out, FALSE);
}

/* str.strip() */
static char *
python_strip (const char *text)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (*start != '\0' && is_python_space (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  while (end > start)
    {
      const char *previous = g_utf8_prev_char (end);

      if (!is_python_space (g_utf8_get_char (previous)))
        break;
      end = previous;
    }

  return g_strndup (start, end - start);
}

/* CLIP's basic_clean() and whitespace_clean(), then lower(). */
static char *
clean_text (const char *text)
{
  g_autofree char *once = tessera_html_unescape (text);
  g_autofree char *twice = tessera_html_unescape (once);
  g_autofree char *stripped = python_strip (twice);
  g_autofree char *collapsed = NULL;
  GString *out = g_string_sized_new (strlen (stripped));
  gboolean in_space = FALSE;

  for (const char *p = stripped; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_white_space (c))
        g_string_append_unichar (out, c);
      else if (!in_space)
        g_string_append_c (out, ' ');
      in_space = is_white_space (c);
    }

  collapsed = g_string_free (out, FALSE);
  g_clear_pointer (&stripped, g_free);
  stripped = python_strip (collapsed);

  return python_lower (stripped);
}

static gboolean
is_letter (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_UPPERCASE_LETTER:
    case G_UNICODE_LOWERCASE_LETTER:
    case G_UNICODE_TITLECASE_LETTER:
    case G_UNICODE_MODIFIER_LETTER:
    case G_UNICODE_OTHER_LETTER:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_number (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_DECIMAL_NUMBER:
    case G_UNICODE_LETTER_NUMBER:
    case G_UNICODE_OTHER_NUMBER:
      return TRUE;
    default:
      return FALSE;
    }
}

/* What CLIP's pattern matches nothing at. U+0345, the combining
 * ypogegrammeni, is neither a letter nor anything else to the regex
 * module: its upper case is a letter, and the pattern ignores case. */
static gboolean
is_separator (gunichar c)
{
  return is_white_space (c) || c == 0x345;
}

/* @literal (lower-case ASCII) at @p, ignoring case as the pattern does;
 * after lower() only ſ (long s) still differs from an "s". Returns the
 * length matched, or 0. */
static gsize
match_literal (const char *p,
               const char *literal)
{
  const char *start = p;

  for (; *literal != '\0'; literal++)
    {
      if (*p == *literal)
        p++;
      else if (*literal == 's' && g_str_has_prefix (p, "\xc5\xbf"))
        p += 2;
      else
        return 0;
    }

  return p - start;
}

/* The length of the word CLIP's pattern finds at @p, which is no separator. */
static gsize
match_word (const char *p)
{
  static const char * const specials_and_contractions[] = {
    START_TOKEN, END_TOKEN, "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
  };
  gunichar c = g_utf8_get_char (p);
  const char *end = g_utf8_next_char (p);

  for (guint i = 0; i < G_N_ELEMENTS (specials_and_contractions); i++)
    {
      gsize length = match_literal (p, specials_and_contractions[i]);

      if (length > 0)
        return length;
    }

  if (is_letter (c))
    {
      while (*end != '\0' && is_letter (g_utf8_get_char (end)))
        end = g_utf8_next_char (end);
    }
  else if (!is_number (c))
    {
      while (*end != '\0')
        {
          gunichar next = g_utf8_get_char (end);

          if (is_separator (next) || is_letter (next) || is_number (next))
            break;
          end = g_utf8_next_char (end);
        }
    }

  return end - p;
}

/* The byte-pair encoding of one word: join the pair of lowest rank,
 * wherever it stands, until no pair has a rank. */
static GArray *
encode_word (TesseraClipTokenizer *self,
             const char           *word,
             gsize                 length)
{
  g_autofree guint32 *symbols = g_new (guint32, length);
  GArray *ids;
  gsize n = length;

  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = word[i];

      symbols[i] = i + 1 < length ? self->byte_symbols[byte] : self->byte_end_symbols[byte];
    }

  while (n > 1)
    {
      const Merge *best = NULL;
      gsize kept = 0;

      for (gsize i = 0; i + 1 < n; i++)
        {
          Merge pair = { .first = symbols[i], .second = symbols[i + 1] };
          const Merge *merge = g_hash_table_lookup (self->merge_of_pair, &pair);

          if (merge != NULL && (best == NULL || merge->rank < best->rank))
            best = merge;
        }

      if (best == NULL)
        break;

      for (gsize i = 0; i < n; i++)
        {
          if (i + 1 < n && symbols[i] == best->first && symbols[i + 1] == best->second)
            {
              symbols[kept++] = best->merged;
              i++;
            }
          else
            symbols[kept++] = symbols[i];
        }
      n = kept;
    }

  ids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n);
  for (gsize i = 0; i < n; i++)
    g_array_append_val (ids, g_array_index (self->symbol_ids, guint32, symbols[i]));

  return ids;
}

static void
append_word (TesseraClipTokenizer *self,
             const char           *word,
             gsize                 length,
             GArray               *ids)
{
  g_autofree char *key = g_strndup (word, length);
  g_autoptr(GArray) word_ids = NULL;
  guint32 id;

  /* As CLIP's cache does, the special tokens stand for themselves, but
   * only as written in lower case: "<|ſtartoftext|>" is just text. */
  if ((strcmp (key, START_TOKEN) == 0 || strcmp (key, END_TOKEN) == 0) &&
      tessera_clip_tokenizer_lookup (self, key, &id))
    {
      g_array_append_val (ids, id);
      return;
    }

  g_mutex_lock (&self->cache_lock);
  word_ids = g_hash_table_lookup (self->cache, key);
  if (word_ids != NULL)
    g_array_ref (word_ids);
  g_mutex_unlock (&self->cache_lock);

  if (word_ids == NULL)
    {
      word_ids = encode_word (self, word, length);

      g_mutex_lock (&self->cache_lock);
      if (g_hash_table_size (self->cache) >= MAX_CACHED_WORDS)
        g_hash_table_remove_all (self->cache);
      g_hash_table_replace (self->cache, g_steal_pointer (&key), g_array_ref (word_ids));
      g_mutex_unlock (&self->cache_lock);
    }

  g_array_append_vals (ids, word_ids->data, word_ids->len);
}

/**
 * tessera_clip_tokenizer_encode:
 * @self: a tokenizer
 * @text: the text, in UTF-8 (an invalid sequence reads as U+FFFD)
 *
 * The text's token ids, without <|startoftext|> and <|endoftext|> around
 * them, as CLIP's encode() gives them. Safe to call from several threads.
 *
 * Returns: (transfer full): the ids, an array of guint32
 */
GArray *
tessera_clip_tokenizer_encode (TesseraClipTokenizer *self,
                               const char           *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *clean = clean_text (valid);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  const char *p = clean;

  while (*p != '\0')
    {
      gsize length;

      if (is_separator (g_utf8_get_char (p)))
        {
          p = g_utf8_next_char (p);
          continue;
        }

      length = match_word (p);
      append_word (self, p, length, ids);
      p += length;
    }

  return ids;
}
