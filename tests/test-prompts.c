/* test-prompts.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "prompts/tessera-clip-tokenizer-private.h"
#include "prompts/tessera-prompt-private.h"
#include "tessera-test-utils.h"

/* CLIP's tokenizer and A1111's prompt syntax against the reference code's
 * own outputs (data/make-prompt-refs.py): OpenAI's simple_tokenizer.py,
 * A1111's parse_prompt_attention() and tokenize_line(). Every id and
 * every multiplier must be equal. */

#define START_ID 49406
#define END_ID 49407

static JsonObject *
load_refs (const char  *name,
           JsonParser **parser)
{
  g_autoptr(GFile) file = test_data_file (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);

  *parser = json_parser_new ();
  json_parser_load_from_file (*parser, path, &error);
  g_assert_no_error (error);

  return json_node_get_object (json_parser_get_root (*parser));
}

/* The text as C would write it, for a message. */
static char *
quote (const char *text)
{
  return g_strescape (text, NULL);
}

static gboolean
ids_equal (GArray    *ids,
           JsonArray *expected)
{
  if (ids->len != json_array_get_length (expected))
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, guint32, i) != (guint32) json_array_get_int_element (expected, i))
      return FALSE;

  return TRUE;
}

static char *
ids_to_string (GArray *ids)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s%u", i > 0 ? ", " : "", g_array_index (ids, guint32, i));
  g_string_append_c (out, ']');

  return g_string_free (out, FALSE);
}

/* Each text's ids from @tokenizer against the references in @member. */
static void
check_texts (TesseraClipTokenizer *tokenizer,
             const char           *member)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *refs = load_refs ("prompts/tokenizer.json", &parser);
  JsonArray *texts = json_object_get_array_member (refs, "texts");
  guint n_failed = 0;

  for (guint i = 0; i < json_array_get_length (texts); i++)
    {
      JsonObject *item = json_array_get_object_element (texts, i);
      const char *text = json_object_get_string_member (item, "text");
      JsonArray *expected = json_object_get_array_member (item, member);
      g_autoptr(GArray) ids = tessera_clip_tokenizer_encode (tokenizer, text);

      if (!ids_equal (ids, expected))
        {
          g_autofree char *quoted = quote (text);
          g_autofree char *ours = ids_to_string (ids);
          g_autofree char *theirs = json_to_string (json_object_get_member (item, member), FALSE);

          g_test_message ("\"%s\": ours %s, CLIP's %s", quoted, ours, theirs);
          n_failed++;
        }
    }

  g_test_message ("%u texts", json_array_get_length (texts));
  g_assert_cmpuint (n_failed, ==, 0);
}

static void
test_tokenizer_default (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = tessera_clip_tokenizer_new_default (&error);
  g_autoptr(TesseraClipTokenizer) again = tessera_clip_tokenizer_new_default (&error);
  guint32 comma;

  g_assert_no_error (error);
  g_assert_true (tokenizer == again);
  g_assert_cmpuint (tessera_clip_tokenizer_get_start_id (tokenizer), ==, START_ID);
  g_assert_cmpuint (tessera_clip_tokenizer_get_end_id (tokenizer), ==, END_ID);
  g_assert_true (tessera_clip_tokenizer_lookup (tokenizer, ",</w>", &comma));
  g_assert_cmpuint (comma, ==, 267);

  check_texts (tokenizer, "ids");
}

/* A diffusers folder's tokenizer/: CLIP's first 2000 merges, written by
 * the generator as vocab.json and merges.txt. */
static void
test_tokenizer_small_files (void)
{
  g_autoptr(GFile) folder = test_data_file ("prompts/small");
  g_autoptr(GFile) vocab = g_file_get_child (folder, "vocab.json");
  g_autoptr(GFile) merges = g_file_get_child (folder, "merges.txt");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = tessera_clip_tokenizer_new_from_files (vocab, merges, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (tessera_clip_tokenizer_get_start_id (tokenizer), ==, 512 + 2000);
  g_assert_cmpuint (tessera_clip_tokenizer_get_end_id (tokenizer), ==, 512 + 2001);

  check_texts (tokenizer, "small_ids");
}

/* GPT-2's byte table, as CLIPTokenizer's vocab.json spells the bytes. */
static gunichar
byte_char (guint byte)
{
  guint n = 0;

  if ((byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE)
    return byte;
  for (guint b = 0; b < byte; b++)
    if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE))
      n++;
  return 0x100 + n;
}

static char *
read_shipped_merges (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "clip",
                                                 "bpe_simple_vocab_16e6.txt.gz", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_autoptr(GZlibDecompressor) gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  stream = g_converter_input_stream_new (raw, G_CONVERTER (gunzip));
  g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write (out, "", 1, NULL, NULL);

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* vocab.json and merges.txt written from the merge list the library
 * carries, as Hugging Face wrote them for Stable Diffusion, give the
 * same ids as the library's own tokenizer. */
static void
test_tokenizer_files_from_shipped_merges (void)
{
  g_autofree char *text = read_shipped_merges ();
  const char *line = text;
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *vocab_path = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges_path = g_build_filename (dir, "merges.txt", NULL);
  g_autoptr(GFile) vocab = g_file_new_for_path (vocab_path);
  g_autoptr(GFile) merges = g_file_new_for_path (merges_path);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) merges_text = g_string_new ("#version: 0.2\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = NULL;
  guint id = 0;

  json_builder_begin_object (builder);
  for (guint pass = 0; pass < 2; pass++)
    for (guint printable = 1; printable <= 2; printable++)
      for (guint byte = 0; byte < 256; byte++)
        {
          char token[16] = { 0 };

          if ((byte_char (byte) == byte) != (printable == 1))
            continue;
          g_unichar_to_utf8 (byte_char (byte), token);
          if (pass == 1)
            strcat (token, "</w>");
          json_builder_set_member_name (builder, token);
          json_builder_add_int_value (builder, id++);
        }
  /* The first line is a comment; then the merges, one pair a line. */
  for (guint i = 0; i <= 49152 - 256 - 2; i++)
    {
      const char *end = strchr (line, '\n');
      g_autofree char *merge = g_strndup (line, end - line);
      g_auto(GStrv) pair = g_strsplit (merge, " ", 2);
      g_autofree char *joined = NULL;

      line = end + 1;
      if (i == 0)
        continue;

      joined = g_strconcat (pair[0], pair[1], NULL);
      json_builder_set_member_name (builder, joined);
      json_builder_add_int_value (builder, id++);
      g_string_append_printf (merges_text, "%s\n", merge);
    }
  json_builder_set_member_name (builder, "<|startoftext|>");
  json_builder_add_int_value (builder, id++);
  json_builder_set_member_name (builder, "<|endoftext|>");
  json_builder_add_int_value (builder, id++);
  json_builder_end_object (builder);
  g_assert_cmpuint (id, ==, 49408);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_to_file (generator, vocab_path, &error);
  g_assert_no_error (error);
  g_file_set_contents (merges_path, merges_text->str, merges_text->len, &error);
  g_assert_no_error (error);

  tokenizer = tessera_clip_tokenizer_new_from_files (vocab, merges, &error);
  g_assert_no_error (error);
  check_texts (tokenizer, "ids");

  test_remove_tmpdir (g_steal_pointer (&dir));
}

/* A folder with a tokenizer/ uses it; one without uses CLIP's own. */
static void
test_tokenizer_for_folder (void)
{
  g_autoptr(GFile) data = test_data_file ("prompts");
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GFile) empty = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) small = NULL;
  g_autoptr(TesseraClipTokenizer) clip = NULL;
  g_autoptr(GFile) small_folder = g_file_get_child (data, "small");
  g_autoptr(GFile) parent = NULL;
  g_autoptr(GFile) tokenizer = NULL;
  g_autofree char *tokenizer_path = NULL;

  /* A model folder whose tokenizer/ is the small one. */
  tokenizer_path = g_build_filename (dir, "model", "tokenizer", NULL);
  g_mkdir_with_parents (tokenizer_path, 0755);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "vocab.json" : "merges.txt";
      g_autoptr(GFile) from = g_file_get_child (small_folder, name);
      g_autoptr(GFile) to_folder = g_file_new_for_path (tokenizer_path);
      g_autoptr(GFile) to = g_file_get_child (to_folder, name);

      g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  parent = g_file_get_child (empty, "model");
  small = tessera_clip_tokenizer_new_for_folder (parent, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_clip_tokenizer_get_end_id (small), ==, 512 + 2001);

  clip = tessera_clip_tokenizer_new_for_folder (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tessera_clip_tokenizer_get_end_id (clip), ==, END_ID);

  /* A tokenizer/ without its merges is an error naming the file. */
  tokenizer = g_file_new_build_filename (tokenizer_path, "merges.txt", NULL);
  g_file_delete (tokenizer, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&small, tessera_clip_tokenizer_unref);
  small = tessera_clip_tokenizer_new_for_folder (parent, &error);
  g_assert_null (small);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "merges.txt"));

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* Loads tokenizer files written into @dir; returns the error. */
static GError *
load_error (const char *dir,
            const char *vocab_name,
            const char *merges_name)
{
  g_autofree char *vocab_path = g_build_filename (dir, vocab_name, NULL);
  g_autofree char *merges_path = g_build_filename (dir, merges_name, NULL);
  g_autoptr(GFile) vocab = g_file_new_for_path (vocab_path);
  g_autoptr(GFile) merges = g_file_new_for_path (merges_path);
  g_autoptr(TesseraClipTokenizer) tokenizer = NULL;
  GError *error = NULL;

  tokenizer = tessera_clip_tokenizer_new_from_files (vocab, merges, &error);
  g_assert_null (tokenizer);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);

  return error;
}

#define GOOD_VOCAB "{\"a\": 0, \"b\": 1, \"a</w>\": 2, \"b</w>\": 3, \"ab</w>\": 4, " \
                   "\"<|startoftext|>\": 5, \"<|endoftext|>\": 6}"
#define GOOD_MERGES "#version: 0.2\na b</w>\n"

/* Missing and broken files: clear errors naming the file. */
static void
test_tokenizer_broken_files (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = NULL;
  g_autofree char *vocab_path = g_build_filename (dir, "vocab.json", NULL);
  g_autofree char *merges_path = g_build_filename (dir, "merges.txt", NULL);
  g_autoptr(GFile) vocab = g_file_new_for_path (vocab_path);
  g_autoptr(GFile) merges = g_file_new_for_path (merges_path);
  g_autoptr(GArray) ids = NULL;

  /* The good pair first: "ab" is one token; in "bc", "c" is unknown and
   * reads as <|endoftext|>, as Hugging Face's unknown token. */
  write_file (dir, "vocab.json", GOOD_VOCAB, -1);
  write_file (dir, "merges.txt", GOOD_MERGES, -1);
  tokenizer = tessera_clip_tokenizer_new_from_files (vocab, merges, &error);
  g_assert_no_error (error);
  ids = tessera_clip_tokenizer_encode (tokenizer, "AB bc");
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpuint (g_array_index (ids, guint32, 0), ==, 4);
  g_assert_cmpuint (g_array_index (ids, guint32, 1), ==, 1);
  g_assert_cmpuint (g_array_index (ids, guint32, 2), ==, 6);

  error = load_error (dir, "missing.json", "merges.txt");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.json"));
  g_clear_error (&error);

  error = load_error (dir, "vocab.json", "missing.txt");
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.txt"));
  g_clear_error (&error);

  {
    const struct {
      const char *vocab;
      const char *merges;
      gssize      merges_length;
      const char *file;
      const char *says;
    } broken[] = {
      { "{\"a\": 0,", GOOD_MERGES, -1, "vocab.json", "not a tokenizer vocabulary" },
      { "[1, 2]", GOOD_MERGES, -1, "vocab.json", "no JSON object" },
      { "", GOOD_MERGES, -1, "vocab.json", "not a tokenizer vocabulary" },
      { "{\"a\": \"zero\", \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}", GOOD_MERGES, -1, "vocab.json", "“a”" },
      { "{\"a\": -1, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}", GOOD_MERGES, -1, "vocab.json", "“a”" },
      { "{\"a\": 0, \"<|startoftext|>\": 1}", GOOD_MERGES, -1, "vocab.json", "<|endoftext|>" },
      { GOOD_VOCAB, "#version: 0.2\na b</w>\na b c\n", -1, "merges.txt", "line 3" },
      { GOOD_VOCAB, "#version: 0.2\na b</w>\n\na b\n", -1, "merges.txt", "line 3" },
      { GOOD_VOCAB, "#version: 0.2\nab\n", -1, "merges.txt", "line 2" },
      { GOOD_VOCAB, "#version: 0.2\n", -1, "merges.txt", "no merges" },
      { GOOD_VOCAB, "", -1, "merges.txt", "no merges" },
      { GOOD_VOCAB, "#version: 0.2\na \xff\n", -1, "merges.txt", "UTF-8" },
      { GOOD_VOCAB, "#version: 0.2\na\0b\n", 17, "merges.txt", "UTF-8" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
      {
        write_file (dir, "vocab.json", broken[i].vocab, -1);
        write_file (dir, "merges.txt", broken[i].merges, broken[i].merges_length);
        error = load_error (dir, "vocab.json", "merges.txt");
        g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT);
        g_assert_true (g_str_has_prefix (error->message, broken[i].file));
        g_assert_nonnull (strstr (error->message, broken[i].says));
        g_clear_error (&error);
      }
  }

  test_remove_tmpdir (g_steal_pointer (&dir));
}

static void
check_pieces (GArray     *pieces,
              JsonArray  *expected,
              const char *quoted,
              guint      *n_failed)
{
  gboolean equal = pieces->len == json_array_get_length (expected);

  for (guint i = 0; equal && i < pieces->len; i++)
    {
      const TesseraPromptPiece *piece = &g_array_index (pieces, TesseraPromptPiece, i);
      JsonArray *pair = json_array_get_array_element (expected, i);

      equal = g_strcmp0 (piece->text, json_array_get_string_element (pair, 0)) == 0 &&
              piece->weight == json_array_get_double_element (pair, 1);
    }

  if (!equal)
    {
      g_test_message ("\"%s\": the pieces differ from A1111's", quoted);
      for (guint i = 0; i < pieces->len; i++)
        {
          const TesseraPromptPiece *piece = &g_array_index (pieces, TesseraPromptPiece, i);
          g_autofree char *text = quote (piece->text);

          g_test_message ("  ours: \"%s\" %.17g", text, piece->weight);
        }
      (*n_failed)++;
    }
}

static gboolean
chunk_equal (const TesseraPromptChunk *chunk,
             JsonArray                *ids,
             JsonArray                *multipliers)
{
  if (json_array_get_length (ids) != TESSERA_PROMPT_CHUNK_LENGTH ||
      (multipliers != NULL && json_array_get_length (multipliers) != TESSERA_PROMPT_CHUNK_LENGTH))
    return FALSE;

  for (guint i = 0; i < TESSERA_PROMPT_CHUNK_LENGTH; i++)
    {
      if (chunk->ids[i] != (guint32) json_array_get_int_element (ids, i))
        return FALSE;
      /* A1111 hands the multipliers to torch as float32. */
      if (multipliers != NULL &&
          chunk->multipliers[i] != (float) json_array_get_double_element (multipliers, i))
        return FALSE;
    }

  return TRUE;
}

static void
check_chunks (TesseraClipTokenizer *tokenizer,
              GArray               *pieces,
              JsonObject           *item,
              const char           *quoted,
              guint                *n_failed)
{
  guint backtrack = json_object_get_int_member (item, "backtrack");
  JsonArray *expected = json_object_get_array_member (item, "chunks");
  guint token_count;
  g_autoptr(GArray) chunks = tessera_prompt_chunk (tokenizer, pieces, END_ID, backtrack, &token_count);
  gboolean equal = chunks->len == json_array_get_length (expected);

  for (guint i = 0; equal && i < chunks->len; i++)
    {
      JsonObject *chunk = json_array_get_object_element (expected, i);

      equal = chunk_equal (&g_array_index (chunks, TesseraPromptChunk, i),
                           json_object_get_array_member (chunk, "ids"),
                           json_object_get_array_member (chunk, "multipliers"));
    }
  if (!equal || token_count != json_object_get_int_member (item, "token_count"))
    {
      g_test_message ("\"%s\": %u chunks, %u tokens; A1111: %u chunks, %u tokens, and they differ",
                      quoted, chunks->len, token_count, json_array_get_length (expected),
                      (guint) json_object_get_int_member (item, "token_count"));
      (*n_failed)++;
    }

  /* SD 2.x pads with 0 after the first end token. */
  if (json_object_has_member (item, "ids_pad0"))
    {
      JsonArray *expected_ids = json_object_get_array_member (item, "ids_pad0");
      g_autoptr(GArray) padded = tessera_prompt_chunk (tokenizer, pieces, 0, backtrack, NULL);

      equal = padded->len == json_array_get_length (expected_ids);
      for (guint i = 0; equal && i < padded->len; i++)
        equal = chunk_equal (&g_array_index (padded, TesseraPromptChunk, i),
                             json_array_get_array_element (expected_ids, i), NULL);
      if (!equal)
        {
          g_test_message ("\"%s\": the ids with SD 2.x's padding differ", quoted);
          (*n_failed)++;
        }
    }
}

static void
test_prompts_against_a1111 (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *refs = load_refs ("prompts/prompts.json", &parser);
  JsonArray *cases = json_object_get_array_member (refs, "cases");
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = tessera_clip_tokenizer_new_default (&error);
  guint n_failed = 0;
  guint n_chunks = 0;
  guint n_refused = 0;

  g_assert_no_error (error);

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *item = json_array_get_object_element (cases, i);
      const char *prompt = json_object_get_string_member (item, "prompt");
      g_autofree char *quoted = quote (prompt);
      g_autoptr(GArray) pieces = tessera_prompt_parse (prompt, &error);

      if (json_object_has_member (item, "error"))
        {
          n_refused++;
          if (pieces != NULL)
            {
              g_test_message ("\"%s\": A1111 refuses it, we do not", quoted);
              n_failed++;
            }
          else
            {
              g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
              g_clear_error (&error);
            }
          continue;
        }

      if (pieces == NULL)
        {
          g_test_message ("\"%s\": %s", quoted, error->message);
          g_clear_error (&error);
          n_failed++;
          continue;
        }

      check_pieces (pieces, json_object_get_array_member (item, "pieces"), quoted, &n_failed);
      check_chunks (tokenizer, pieces, item, quoted, &n_failed);
      n_chunks += json_array_get_length (json_object_get_array_member (item, "chunks"));
    }

  g_test_message ("%u prompts (%u refused by A1111), %u chunks",
                  json_array_get_length (cases), n_refused, n_chunks);
  g_assert_cmpuint (n_failed, ==, 0);
}

static void
test_prompt_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) pieces = NULL;

  pieces = tessera_prompt_parse ("a cat, (on a hat:1.2.3), red", &error);
  g_assert_null (pieces);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“1.2.3”"));
  g_assert_nonnull (strstr (error->message, "character 18"));
  g_clear_error (&error);

  pieces = tessera_prompt_parse ("café \xff", &error);
  g_assert_null (pieces);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "byte 7"));
  g_clear_error (&error);

  /* Outside brackets, the same is text. */
  pieces = tessera_prompt_parse ("a hat:1.2.3)", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pieces->len, ==, 1);
}

/* Random bytes, and random characters, never crash the parser, the
 * tokenizer or the chunker; every chunk starts and ends as it must. */
static void
test_prompts_fuzz (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = tessera_clip_tokenizer_new_default (&error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  static const char *const pieces[] = {
    "(", ")", "[", "]", ":", "\\", "BREAK", " ", ",", ":1.5)", "&amp;", "&#", "'s", "<|endoftext|>", "a",
  };

  g_assert_no_error (error);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GArray) chunks = NULL;
      g_autoptr(GArray) ids = NULL;
      guint length = g_rand_int_range (rand, 0, round % 100 == 0 ? 2000 : 60);

      for (guint i = 0; i < length; i++)
        {
          switch (round % 3)
            {
            case 0: /* bytes */
              g_string_append_c (text, (char) g_rand_int_range (rand, 1, 256));
              break;
            case 1: /* characters */
              {
                gunichar c = g_rand_int_range (rand, 1, 0x30000);

                if (g_unichar_validate (c))
                  g_string_append_unichar (text, c);
              }
              break;
            default: /* the syntax's own pieces */
              g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
              break;
            }
        }

      ids = tessera_clip_tokenizer_encode (tokenizer, text->str);
      chunks = tessera_prompt_tokenize (tokenizer, text->str, round % 2 ? END_ID : 0,
                                        TESSERA_PROMPT_COMMA_BACKTRACK, NULL, &error);
      if (chunks == NULL)
        {
          g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT);
          g_clear_error (&error);
          continue;
        }

      g_assert_cmpuint (chunks->len, >, 0);
      for (guint i = 0; i < chunks->len; i++)
        {
          const TesseraPromptChunk *chunk = &g_array_index (chunks, TesseraPromptChunk, i);

          g_assert_cmpuint (chunk->ids[0], ==, START_ID);
          g_assert_cmpfloat (chunk->multipliers[0], ==, 1.0f);
          g_assert_cmpfloat (chunk->multipliers[TESSERA_PROMPT_CHUNK_LENGTH - 1], ==, 1.0f);
        }
    }
}

typedef struct
{
  TesseraClipTokenizer *tokenizer;
  JsonArray            *texts;
  guint                 n_failed;
} ThreadData;

static gpointer
encode_all (gpointer data)
{
  ThreadData *thread = data;

  for (guint round = 0; round < 4; round++)
    for (guint i = 0; i < json_array_get_length (thread->texts); i++)
      {
        JsonObject *item = json_array_get_object_element (thread->texts, i);
        g_autoptr(GArray) ids = tessera_clip_tokenizer_encode (thread->tokenizer,
                                                               json_object_get_string_member (item, "text"));

        if (!ids_equal (ids, json_object_get_array_member (item, "small_ids")))
          thread->n_failed++;
      }

  return NULL;
}

/* One tokenizer, its word cache shared, encoding from four threads. */
static void
test_tokenizer_threads (void)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *refs = load_refs ("prompts/tokenizer.json", &parser);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraClipTokenizer) tokenizer = NULL;
  ThreadData data[4];
  GThread *threads[4];

  /* A tokenizer of its own, so that its cache starts empty. */
  {
    g_autoptr(GFile) folder = test_data_file ("prompts/small");
    g_autoptr(GFile) vocab = g_file_get_child (folder, "vocab.json");
    g_autoptr(GFile) merges = g_file_get_child (folder, "merges.txt");

    tokenizer = tessera_clip_tokenizer_new_from_files (vocab, merges, &error);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      data[i] = (ThreadData) { tokenizer, json_object_get_array_member (refs, "texts"), 0 };
      threads[i] = g_thread_new ("encode", encode_all, &data[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (data[i].n_failed, ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/prompts/tokenizer/default", test_tokenizer_default);
  g_test_add_func ("/prompts/tokenizer/small-files", test_tokenizer_small_files);
  g_test_add_func ("/prompts/tokenizer/files-from-shipped-merges", test_tokenizer_files_from_shipped_merges);
  g_test_add_func ("/prompts/tokenizer/for-folder", test_tokenizer_for_folder);
  g_test_add_func ("/prompts/tokenizer/broken-files", test_tokenizer_broken_files);
  g_test_add_func ("/prompts/tokenizer/threads", test_tokenizer_threads);
  g_test_add_func ("/prompts/a1111", test_prompts_against_a1111);
  g_test_add_func ("/prompts/errors", test_prompt_errors);
  g_test_add_func ("/prompts/fuzz", test_prompts_fuzz);

  return g_test_run ();
}
