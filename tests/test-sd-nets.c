/* test-sd-nets.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "backends/cpu/tessera-cpu-private.h"
#include "backends/tessera-backend-private.h"
#include "diffusion/tessera-sd-nets-private.h"
#include "models/tessera-checkpoint-private.h"
#include "tessera-test-utils.h"

/* Stable Diffusion's text encoder, UNet and VAE as graphs on the CPU,
 * against diffusers' outputs of the same small models
 * (data/make-sd-net-refs.py, data/sd-refs/), for each file naming. */

#define TOLERANCE 1e-4

static GHashTable *checkpoints;

static TesseraCheckpoint *
open_checkpoint (const char *name)
{
  TesseraCheckpoint *checkpoint = g_hash_table_lookup (checkpoints, name);
  g_autoptr(GError) error = NULL;

  /* "file+vae" is a file with another VAE file */
  if (checkpoint == NULL)
    {
      g_auto(GStrv) parts = g_strsplit (name, "+", 2);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd", parts[0], NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);
      g_assert_no_error (error);
      if (parts[1] != NULL)
        {
          g_autofree char *vae_path = g_test_build_filename (G_TEST_DIST, "data", "sd", parts[1], NULL);
          g_autoptr(GFile) vae = g_file_new_for_path (vae_path);

          g_assert_true (tessera_checkpoint_set_vae_file (checkpoint, vae, NULL, &error));
          g_assert_no_error (error);
        }
      g_hash_table_insert (checkpoints, g_strdup (name), checkpoint);
    }
  return checkpoint;
}

typedef struct
{
  guint  dims[3];
  float *data;
} Tensor;

static void
tensor_clear (Tensor *tensor)
{
  g_clear_pointer (&tensor->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Tensor, tensor_clear)

static Tensor
load_ref (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".npy", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-refs", file, NULL);
  Tensor tensor = { { 0 } };
  guint n_dims;

  tensor.data = test_load_npy (path, &n_dims, tensor.dims);
  g_assert_nonnull (tensor.data);
  g_assert_cmpuint (n_dims, ==, 3);
  return tensor;
}

static gsize
tensor_size (const Tensor *tensor)
{
  return (gsize) tensor->dims[0] * tensor->dims[1] * tensor->dims[2];
}

/* max |ours − reference| / max |reference| */
static double
relative_error (const float *ours,
                const Tensor *reference)
{
  double worst = 0.0, largest = 0.0;

  for (gsize i = 0; i < tensor_size (reference); i++)
    {
      worst = MAX (worst, fabs ((double) ours[i] - reference->data[i]));
      largest = MAX (largest, fabs ((double) reference->data[i]));
    }
  return worst / largest;
}

static void
check_output (const char   *what,
              const float  *ours,
              const Tensor *reference)
{
  double error = relative_error (ours, reference);

  g_test_message ("%s: relative error %.3g", what, error);
  g_assert_cmpfloat (error, <=, TOLERANCE);
}

static gboolean
run_cpu (TesseraGraph       *graph,
         const float        *input,
         const TesseraShape *shape,
         float              *output,
         gpointer            user_data,
         GError            **error)
{
  return tessera_graph_run (graph, user_data, input, shape, output, NULL, error);
}

static TesseraShape
output_shape (TesseraGraph       *graph,
              const TesseraShape *input)
{
  g_autofree TesseraShape *shapes = g_new (TesseraShape, tessera_graph_get_n_nodes (graph));
  g_autoptr(GError) error = NULL;

  tessera_graph_infer_shapes (graph, input, shapes, &error);
  g_assert_no_error (error);
  return shapes[tessera_graph_get_output (graph)];
}

static float *
run_graph (TesseraGraph       *graph,
           const float        *input,
           const TesseraShape *shape)
{
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  TesseraShape out = output_shape (graph, shape);
  float *output = g_new (float, tessera_graph_get_batch (graph) * tessera_shape_size (&out));

  g_assert_true (run_cpu (graph, input, shape, output, backend, &error));
  g_assert_no_error (error);
  return output;
}

static JsonArray *
load_cases (JsonParser *parser)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd-refs", "cases.json", NULL);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "cases");
}

/* The files that hold each case's weights. */
static const char * const *
files_for (JsonObject *test)
{
  static const char * const bf16[] = { "sd1.safetensors", NULL };
  static const char * const f32[] = { "sd1.safetensors+sd1.vae.pt", NULL };
  static const char * const sd2[] = { "sd2-v", "sd2.ckpt", NULL };
  static const char * const sd1[] = { "sd1", NULL };
  const char *family = json_object_get_string_member_with_default (test, "family", "sd1");
  const char *weights = json_object_get_string_member (test, "weights");

  if (g_str_equal (weights, "bf16"))
    return bf16;
  if (g_str_equal (weights, "f32"))
    return f32;
  return g_str_equal (family, "sd2") ? sd2 : sd1;
}

static void
encode_prompt (TesseraTextEncoder *encoder,
               JsonObject         *test,
               TesseraTextContext *context)
{
  JsonArray *ids = json_object_get_array_member (test, "ids");
  JsonArray *multipliers = json_object_has_member (test, "multipliers")
                           ? json_object_get_array_member (test, "multipliers") : NULL;
  TesseraGraph *graph = tessera_text_encoder_get_graph (encoder);
  TesseraShape shape = tessera_text_encoder_get_input_shape (encoder);
  g_autofree float *embeddings = g_new (float, tessera_shape_size (&shape));
  g_autoptr(GError) error = NULL;

  for (guint k = 0; k < json_array_get_length (ids); k++)
    {
      JsonArray *chunk = json_array_get_array_element (ids, k);
      guint32 tokens[TESSERA_SD_MAX_LEVELS * 77];
      g_autofree float *z = NULL;

      g_assert_cmpuint (json_array_get_length (chunk), ==, shape.width);
      for (guint t = 0; t < shape.width; t++)
        tokens[t] = json_array_get_int_element (chunk, t);
      g_assert_true (tessera_text_encoder_embed (encoder, tokens, embeddings, &error));
      g_assert_no_error (error);
      z = run_graph (graph, embeddings, &shape);
      if (multipliers != NULL)
        {
          JsonArray *row = json_array_get_array_element (multipliers, k);
          float weights[77];

          for (guint t = 0; t < shape.width; t++)
            weights[t] = json_array_get_double_element (row, t);
          tessera_sd_apply_emphasis (z, shape.channels, shape.width, weights);
        }
      tessera_text_context_append (context, shape.channels, z, shape.width);
    }
}

static void
test_text_encoder (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *cases = load_cases (parser);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      g_auto(Tensor) expected = { { 0 } };

      if (!g_str_equal (json_object_get_string_member (test, "kind"), "text-encoder"))
        continue;
      expected = load_ref (json_object_get_string_member (test, "output"));
      for (const char * const *file = files_for (test); *file != NULL; file++)
        {
          TesseraCheckpoint *checkpoint = open_checkpoint (*file);
          const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
          TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint,
                                                                            TESSERA_CHECKPOINT_PART_TEXT_ENCODER);
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraTextEncoder) encoder = NULL;
          g_auto(TesseraTextContext) context = { 0 };
          g_autofree char *what = g_strdup_printf ("%s, %s", json_object_get_string_member (test, "name"), *file);

          encoder = tessera_text_encoder_new (state_dict, &config->text_encoder,
                                              json_object_get_int_member (test, "clip_skip"), &error);
          g_assert_no_error (error);
          encode_prompt (encoder, test, &context);
          g_assert_cmpuint (context.width, ==, expected.dims[0]);
          g_assert_cmpuint (context.n_tokens, ==, expected.dims[2]);
          check_output (what, context.values, &expected);
          n++;
        }
    }
  g_assert_cmpuint (n, >=, 9);
}

static void
test_vae (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *cases = load_cases (parser);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      const char *kind = json_object_get_string_member (test, "kind");
      gboolean decode = g_str_equal (kind, "vae-decode");
      g_auto(Tensor) input = { { 0 } };
      g_auto(Tensor) expected = { { 0 } };

      if (!decode && !g_str_equal (kind, "vae-encode"))
        continue;
      input = load_ref (json_object_get_string_member (test, "input"));
      expected = load_ref (json_object_get_string_member (test, "output"));
      for (const char * const *file = files_for (test); *file != NULL; file++)
        {
          TesseraCheckpoint *checkpoint = open_checkpoint (*file);
          const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
          TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_VAE);
          TesseraShape shape = { input.dims[0], input.dims[1], input.dims[2] };
          g_autofree char *what = g_strdup_printf ("%s, %s", json_object_get_string_member (test, "name"), *file);
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraVae) vae = NULL;
          g_autofree float *output = NULL;
          TesseraGraph *graph;
          TesseraShape out;

          vae = tessera_vae_new (state_dict, &config->vae, &error);
          g_assert_no_error (error);
          graph = decode ? tessera_vae_get_decoder (vae) : tessera_vae_get_encoder (vae);
          out = output_shape (graph, &shape);
          g_assert_cmpuint (out.channels, ==, expected.dims[0]);
          g_assert_cmpuint (out.height, ==, expected.dims[1]);
          g_assert_cmpuint (out.width, ==, expected.dims[2]);
          output = run_graph (graph, input.data, &shape);
          check_output (what, output, &expected);
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 4);
}

/* A stand-in for the VAE that looks at one pixel only: each output
 * pixel is the input pixel it lies on (decoding, @user_data the factor)
 * or the top-left one of its cell (encoding, a negative factor), channels
 * repeated. */
static gboolean
run_pointwise (TesseraGraph       *graph,
               const float        *input,
               const TesseraShape *shape,
               float              *output,
               gpointer            user_data,
               GError            **error)
{
  int factor = GPOINTER_TO_INT (user_data);
  guint f = ABS (factor);
  guint h = factor > 0 ? shape->height * f : shape->height / f;
  guint w = factor > 0 ? shape->width * f : shape->width / f;
  guint channels = factor > 0 ? 3 : 4;

  for (guint c = 0; c < channels; c++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          guint sy = factor > 0 ? y / f : y * f, sx = factor > 0 ? x / f : x * f;

          output[((gsize) c * h + y) * w + x] =
            input[((gsize) (c % shape->channels) * shape->height + sy) * shape->width + sx];
        }
  return TRUE;
}

/* Tiles put back where they belong: with a network that sees no
 * neighbours, the tiled result is the whole one, for sizes that are not
 * multiples of the tile. */
static void
test_vae_tile_placement (void)
{
  TesseraCheckpoint *checkpoint = open_checkpoint ("sd1");
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
  TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_VAE);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraVae) vae = tessera_vae_new (state_dict, &config->vae, &error);
  TesseraShape image = { 3, 70, 46 };
  TesseraShape latent = { 4, 35, 23 };
  g_autofree float *pixels = g_new (float, tessera_shape_size (&image));
  g_autofree float *latents = g_new (float, tessera_shape_size (&latent));
  g_autofree float *whole = g_new (float, tessera_shape_size (&image));
  g_autofree float *tiled = g_new (float, tessera_shape_size (&image));
  Tensor reference;

  g_assert_no_error (error);
  g_assert_cmpuint (tessera_vae_get_factor (vae), ==, 2);
  for (gsize i = 0; i < tessera_shape_size (&image); i++)
    pixels[i] = g_test_rand_double_range (-1, 1);

  run_pointwise (NULL, pixels, &image, whole, GINT_TO_POINTER (-2), NULL);
  g_assert_true (tessera_vae_run_tiled (vae, FALSE, pixels, &image, 16, 6, run_pointwise, GINT_TO_POINTER (-2),
                                        tiled, &error));
  g_assert_no_error (error);
  reference = (Tensor) { { 4, 35, 23 }, whole };
  g_assert_cmpfloat (relative_error (tiled, &reference), <, 1e-6);

  memcpy (latents, tiled, tessera_shape_size (&latent) * sizeof (float));
  run_pointwise (NULL, latents, &latent, whole, GINT_TO_POINTER (2), NULL);
  g_assert_true (tessera_vae_run_tiled (vae, TRUE, latents, &latent, 9, 3, run_pointwise, GINT_TO_POINTER (2),
                                        tiled, &error));
  g_assert_no_error (error);
  reference = (Tensor) { { 3, 70, 46 }, whole };
  g_assert_cmpfloat (relative_error (tiled, &reference), <, 1e-6);
}

/* Tiles blended over their overlap against the whole image at once, on
 * a 128 × 128 image (64 × 64 latent): the group norms see each tile's own
 * statistics, so they differ a little; the report says how much. */
static void
test_vae_tiled (void)
{
  TesseraCheckpoint *checkpoint = open_checkpoint ("sd1");
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
  TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_VAE);
  g_autoptr(TesseraBackend) backend = tessera_cpu_backend_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraVae) vae = tessera_vae_new (state_dict, &config->vae, &error);
  TesseraShape image = { 3, 128, 128 };
  TesseraShape latent = { 4, 64, 64 };
  g_autofree float *pixels = g_new (float, tessera_shape_size (&image));
  g_autofree float *whole = NULL;
  g_autofree float *tiled = g_new (float, tessera_shape_size (&latent));
  g_autofree float *decoded = NULL;
  g_autofree float *decoded_tiled = g_new (float, tessera_shape_size (&image));
  Tensor reference;

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < 128; y++)
      for (guint x = 0; x < 128; x++)
        pixels[(c * 128 + y) * 128 + x] = 0.8f * sinf (0.05f * (x + 2 * y) + c) * cosf (0.03f * (y - x));

  /* One tile covering everything is the whole run. */
  whole = run_graph (tessera_vae_get_encoder (vae), pixels, &image);
  g_assert_true (tessera_vae_run_tiled (vae, FALSE, pixels, &image, 256, 32, run_cpu, backend, tiled, &error));
  g_assert_no_error (error);
  reference = (Tensor) { { 4, 64, 64 }, whole };
  g_assert_cmpfloat (relative_error (tiled, &reference), ==, 0.0);

  g_assert_true (tessera_vae_run_tiled (vae, FALSE, pixels, &image, 64, 16, run_cpu, backend, tiled, &error));
  g_assert_no_error (error);
  g_test_message ("encoding 128 × 128 in 64-pixel tiles, 16 shared: relative difference %.3g",
                  relative_error (tiled, &reference));
  g_assert_cmpfloat (relative_error (tiled, &reference), <, 1.0);

  decoded = run_graph (tessera_vae_get_decoder (vae), whole, &latent);
  g_assert_true (tessera_vae_run_tiled (vae, TRUE, whole, &latent, 32, 8, run_cpu, backend, decoded_tiled, &error));
  g_assert_no_error (error);
  reference = (Tensor) { { 3, 128, 128 }, decoded };
  g_test_message ("decoding 64 × 64 in 32-pixel tiles, 8 shared: relative difference %.3g",
                  relative_error (decoded_tiled, &reference));
  g_assert_cmpfloat (relative_error (decoded_tiled, &reference), <, 1.0);
}

static void
test_unet (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *cases = load_cases (parser);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      g_auto(Tensor) latent = { { 0 } };
      g_auto(Tensor) context_values = { { 0 } };
      g_auto(Tensor) expected = { { 0 } };

      if (!g_str_equal (json_object_get_string_member (test, "kind"), "unet"))
        continue;
      latent = load_ref (json_object_get_string_member (test, "latent"));
      context_values = load_ref (json_object_get_string_member (test, "context"));
      expected = load_ref (json_object_get_string_member (test, "output"));
      for (const char * const *file = files_for (test); *file != NULL; file++)
        {
          TesseraCheckpoint *checkpoint = open_checkpoint (*file);
          const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
          TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_UNET);
          TesseraShape shape = { latent.dims[0], latent.dims[1], latent.dims[2] };
          TesseraTextContext context = { context_values.dims[0], context_values.dims[2], context_values.data };
          g_autofree char *what = g_strdup_printf ("%s, %s", json_object_get_string_member (test, "name"), *file);
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraUNet) unet = NULL;
          g_autofree float *output = NULL;

          unet = tessera_unet_new (state_dict, &config->unet, context.n_tokens, &error);
          g_assert_no_error (error);
          tessera_unet_set_timestep (unet, json_object_get_double_member (test, "timestep"));
          g_assert_true (tessera_unet_set_context (unet, 0, &context, &error));
          g_assert_no_error (error);
          output = run_graph (tessera_unet_get_graph (unet), latent.data, &shape);
          check_output (what, output, &expected);
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 7);
}

/* Guidance's batch of two (cond, uncond): each sample's output is what
 * it gives alone, with its own latent and context. */
static void
test_unet_batch (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *cases = load_cases (parser);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *test = json_array_get_object_element (cases, i);
      g_auto(Tensor) latent = { { 0 } };
      g_auto(Tensor) context_values = { { 0 } };

      if (!g_str_equal (json_object_get_string_member (test, "kind"), "unet"))
        continue;
      latent = load_ref (json_object_get_string_member (test, "latent"));
      context_values = load_ref (json_object_get_string_member (test, "context"));
      for (const char * const *file = files_for (test); *file != NULL; file++)
        {
          TesseraCheckpoint *checkpoint = open_checkpoint (*file);
          const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
          TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_UNET);
          TesseraShape shape = { latent.dims[0], latent.dims[1], latent.dims[2] };
          gsize size = tessera_shape_size (&shape), context_size = tensor_size (&context_values);
          g_autofree float *latents = g_new (float, 2 * size);
          g_autofree float *second_context = g_new (float, context_size);
          TesseraTextContext contexts[2] = {
            { context_values.dims[0], context_values.dims[2], context_values.data },
            { context_values.dims[0], context_values.dims[2], second_context },
          };
          g_autoptr(GError) error = NULL;
          g_autoptr(TesseraUNet) unet = NULL;
          float *alone[2] = { NULL };
          g_autofree float *batch = NULL;

          /* a second sample unlike the first: the latent backwards, the
           * context negated and scaled */
          for (gsize j = 0; j < size; j++)
            latents[j] = latent.data[j], latents[size + j] = latent.data[size - 1 - j];
          for (gsize j = 0; j < context_size; j++)
            second_context[j] = -0.7f * context_values.data[j];

          unet = tessera_unet_new (state_dict, &config->unet, contexts[0].n_tokens, &error);
          g_assert_no_error (error);
          tessera_unet_set_timestep (unet, json_object_get_double_member (test, "timestep"));
          for (guint s = 0; s < 2; s++)
            {
              g_assert_true (tessera_unet_set_context (unet, 0, &contexts[s], &error));
              alone[s] = run_graph (tessera_unet_get_graph (unet), latents + s * size, &shape);
            }
          g_assert_cmpfloat (test_max_relative_error (alone[0], alone[1], size), >, 0.1);

          tessera_unet_set_batch (unet, 2);
          for (guint s = 0; s < 2; s++)
            g_assert_true (tessera_unet_set_context (unet, s, &contexts[s], &error));
          batch = run_graph (tessera_unet_get_graph (unet), latents, &shape);
          for (guint s = 0; s < 2; s++)
            {
              double e = test_max_relative_error (batch + s * size, alone[s], size);

              g_test_message ("%s, %s, sample %u of 2: relative error %.3g",
                              json_object_get_string_member (test, "name"), *file, s, e);
              g_assert_cmpfloat (e, <=, 1e-5);
              g_free (alone[s]);
            }
          n++;
        }
    }
  g_assert_cmpuint (n, ==, 7);
}

/* A few of latent-diffusion's names, which the single-file tests above
 * use throughout. */
static void
test_unet_names (void)
{
  TesseraCheckpoint *checkpoint = open_checkpoint ("sd2.ckpt");
  const TesseraUNetConfig *config = &tessera_checkpoint_get_config (checkpoint)->unet;
  const struct { const char *diffusers; const char *ldm; } names[] = {
    { "conv_in.weight", "input_blocks.0.0.weight" },
    { "time_embedding.linear_2.bias", "time_embed.2.bias" },
    { "down_blocks.0.resnets.0.time_emb_proj.weight", "input_blocks.1.0.emb_layers.1.weight" },
    { "down_blocks.0.downsamplers.0.conv.weight", "input_blocks.2.0.op.weight" },
    { "down_blocks.1.resnets.0.conv_shortcut.bias", "input_blocks.3.0.skip_connection.bias" },
    { "down_blocks.1.attentions.0.proj_in.weight", "input_blocks.3.1.proj_in.weight" },
    { "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
      "middle_block.1.transformer_blocks.0.attn2.to_k.weight" },
    { "up_blocks.0.attentions.1.norm.bias", "output_blocks.1.1.norm.bias" },
    { "up_blocks.0.upsamplers.0.conv.weight", "output_blocks.1.2.conv.weight" },
    { "up_blocks.1.resnets.1.conv2.weight", "output_blocks.3.0.out_layers.3.weight" },
    { "conv_norm_out.weight", "out.0.weight" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *ldm = tessera_unet_ldm_name (config, names[i].diffusers);

      g_assert_cmpstr (ldm, ==, names[i].ldm);
    }
}

/* Clip skip beyond the layers there are is refused, naming both. */
static void
test_text_encoder_errors (void)
{
  TesseraCheckpoint *checkpoint = open_checkpoint ("sd1");
  const TesseraCheckpointConfig *config = tessera_checkpoint_get_config (checkpoint);
  TesseraStateDict *state_dict = tessera_checkpoint_get_state_dict (checkpoint, TESSERA_CHECKPOINT_PART_TEXT_ENCODER);
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraTextEncoder) encoder = NULL;
  guint32 ids[77] = { 0 };
  float embeddings[32 * 77];

  encoder = tessera_text_encoder_new (state_dict, &config->text_encoder, 3, &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_assert_null (encoder);
  g_clear_error (&error);

  encoder = tessera_text_encoder_new (state_dict, &config->text_encoder, 1, &error);
  g_assert_no_error (error);
  ids[5] = 49408;
  g_assert_false (tessera_text_encoder_embed (encoder, ids, embeddings, &error));
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "position 5"));
}

/* A1111's padding of the shorter prompt with the empty prompt's chunk. */
static void
test_context_padding (void)
{
  g_auto(TesseraTextContext) cond = { 0 };
  g_auto(TesseraTextContext) uncond = { 0 };
  g_auto(TesseraTextContext) empty = { 0 };
  float a[2 * 3] = { 1, 2, 3, 4, 5, 6 };
  float e[2 * 3] = { 0, -1, -2, -3, -4, -5 };

  tessera_text_context_append (&cond, 2, a, 3);
  tessera_text_context_append (&cond, 2, a, 3);
  tessera_text_context_append (&cond, 2, a, 3);
  tessera_text_context_append (&uncond, 2, e, 3);
  tessera_text_context_append (&empty, 2, e, 3);
  g_assert_cmpuint (cond.n_tokens, ==, 9);
  /* chunk after chunk along the tokens, for each channel */
  g_assert_cmpfloat (cond.values[3], ==, 1);
  g_assert_cmpfloat (cond.values[9 + 5], ==, 6);

  tessera_text_contexts_pad (&cond, &uncond, &empty);
  g_assert_cmpuint (cond.n_tokens, ==, 9);
  g_assert_cmpuint (uncond.n_tokens, ==, 9);
  g_assert_cmpfloat (uncond.values[9 + 8], ==, -5);

  tessera_text_contexts_pad (&uncond, &cond, &empty);
  g_assert_cmpuint (uncond.n_tokens, ==, 9);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  checkpoints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  g_test_add_func ("/sd-nets/text-encoder", test_text_encoder);
  g_test_add_func ("/sd-nets/text-encoder/errors", test_text_encoder_errors);
  g_test_add_func ("/sd-nets/context-padding", test_context_padding);
  g_test_add_func ("/sd-nets/unet", test_unet);
  g_test_add_func ("/sd-nets/unet/batch", test_unet_batch);
  g_test_add_func ("/sd-nets/unet/names", test_unet_names);
  g_test_add_func ("/sd-nets/vae", test_vae);
  g_test_add_func ("/sd-nets/vae/tile-placement", test_vae_tile_placement);
  g_test_add_func ("/sd-nets/vae/tiled", test_vae_tiled);

  return g_test_run ();
}
