/* test-redraw-tiles.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "prompts/tessera-prompt-private.h"
#include "tessera-redraw-mask-private.h"
#include "tessera-redraw-private.h"
#include "tessera-test-utils.h"

/* Stand-ins for the networks: the VAE averages 8 × 8 blocks into the
 * first three latent channels and spreads them back, or paints what the
 * test asks; the UNet predicts no noise. They remember the brightest
 * pixel each encode saw, and can fail or cancel. */
typedef struct
{
  guint          unet_calls;
  guint          encodes;
  guint          decodes;
  float          encode_max[64];
  gboolean       paint;
  float          paint_value;
  const guint8  *tiles;
  guint          tile_width;
  guint          tile_height;
  guint          fail_at_call;
  guint          cancel_at_call;
  /* whether unet_batch() is worth it, as on the CPU; the largest batch
   * it had and the batch of the call that failed */
  gboolean       batches;
  guint          largest_batch;
  guint          failed_batch;
  GCancellable  *cancellable;
} StandIn;

static StandIn stand_in;

static gpointer
stand_in_load (TesseraCheckpoint     *checkpoint,
               TesseraRedrawOptions  *options,
               GCancellable          *cancellable,
               GError               **error)
{
  return &stand_in;
}

static gboolean
stand_in_encode_text (gpointer       networks,
                      GArray        *chunks,
                      guint          clip_skip,
                      float        **context,
                      guint         *n_tokens,
                      GCancellable  *cancellable,
                      GError       **error)
{
  *n_tokens = chunks->len * TESSERA_PROMPT_CHUNK_LENGTH;
  *context = g_new0 (float, *n_tokens);
  return TRUE;
}

static gboolean
stand_in_unet (gpointer       networks,
               const float   *x,
               guint          width,
               guint          height,
               float          timestep,
               const float   *context,
               guint          n_tokens,
               float         *output,
               GCancellable  *cancellable,
               GError       **error)
{
  StandIn *self = networks;

  self->unet_calls++;
  if (self->unet_calls == self->cancel_at_call)
    g_cancellable_cancel (self->cancellable);
  if (self->unet_calls == self->fail_at_call)
    {
      g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY, "out of memory");
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  memset (output, 0, sizeof (float) * TESSERA_REDRAW_LATENT_CHANNELS * width * height);
  return TRUE;
}

static gboolean
stand_in_unet_batch (gpointer              networks,
                     const float          *x,
                     guint                 batch,
                     guint                 width,
                     guint                 height,
                     float                 timestep,
                     const float * const  *contexts,
                     guint                 n_tokens,
                     float                *output,
                     GCancellable         *cancellable,
                     GError              **error)
{
  StandIn *self = networks;

  self->largest_batch = MAX (self->largest_batch, batch);
  /* counted, failed or cancelled as one call */
  if (!stand_in_unet (networks, x, width, height, timestep, contexts[0], n_tokens, output, cancellable, error))
    {
      self->failed_batch = batch;
      return FALSE;
    }
  memset (output, 0, sizeof (float) * batch * TESSERA_REDRAW_LATENT_CHANNELS * width * height);
  return TRUE;
}

static gboolean
stand_in_batches (gpointer networks)
{
  StandIn *self = networks;

  return self->batches;
}

static gboolean
stand_in_vae_encode (gpointer       networks,
                     const float   *rgb,
                     guint          width,
                     guint          height,
                     float         *latent,
                     GCancellable  *cancellable,
                     GError       **error)
{
  StandIn *self = networks;
  guint lw = width / 8, lh = height / 8;
  float top = -1;

  memset (latent, 0, sizeof (float) * 4 * lw * lh);
  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < height; y++)
      for (guint x = 0; x < width; x++)
        {
          float v = rgb[(c * height + y) * width + x];

          latent[(c * lh + y / 8) * lw + x / 8] += v / 64.0f;
          top = MAX (top, v);
        }
  if (self->encodes < G_N_ELEMENTS (self->encode_max))
    self->encode_max[self->encodes] = top;
  self->encodes++;
  return TRUE;
}

static gboolean
stand_in_vae_decode (gpointer       networks,
                     const float   *latent,
                     guint          width,
                     guint          height,
                     float         *rgb,
                     GCancellable  *cancellable,
                     GError       **error)
{
  StandIn *self = networks;
  guint w = width * 8, h = height * 8;

  for (guint c = 0; c < 3; c++)
    for (guint y = 0; y < h; y++)
      for (guint x = 0; x < w; x++)
        {
          float *out = &rgb[(c * h + y) * w + x];

          if (self->tiles != NULL)
            *out = self->tiles[(((gsize) self->decodes * self->tile_height + y) * self->tile_width + x) * 3 + c] / 127.5f - 1;
          else if (self->paint)
            *out = self->paint_value * 2 - 1;
          else
            *out = latent[(c * height + y / 8) * width + x / 8];
        }
  self->decodes++;
  return TRUE;
}

static void
stand_in_geometry (gpointer  networks,
                   guint    *channels,
                   guint    *factor,
                   guint    *multiple)
{
  *channels = 4;
  *factor = 8;
  *multiple = 8;
}

static void
stand_in_free (gpointer networks)
{
}

static const TesseraRedrawNetworks stand_in_networks = {
  .load = stand_in_load,
  .encode_text = stand_in_encode_text,
  .unet = stand_in_unet,
  .unet_batch = stand_in_unet_batch,
  .batches = stand_in_batches,
  .vae_encode = stand_in_vae_encode,
  .vae_decode = stand_in_vae_decode,
  .geometry = stand_in_geometry,
  .free = stand_in_free,
};

static TesseraCheckpoint *
load_checkpoint (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd", "sd1.safetensors", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  TesseraCheckpoint *checkpoint = tessera_checkpoint_new_from_file (file, NULL, &error);

  g_assert_no_error (error);
  return checkpoint;
}

/* a smooth picture, values in [0.1, 0.5] */
static TesseraImage *
make_smooth (guint width,
             guint height)
{
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new (width, height, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    {
      float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        for (guint x = 0; x < width; x++)
          plane[y * width + x] = 0.3f + 0.2f * sinf (x * 0.07f + c) * cosf (y * 0.05f);
    }
  return image;
}

static TesseraImage *
run_stand_in (TesseraImage          *input,
              TesseraRedrawOptions  *options,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  TesseraProgress progress = { 0 };

  stand_in.cancellable = cancellable;
  return tessera_redraw_run (engine, input, checkpoint, options, &stand_in_networks,
                             cancellable, &progress, error);
}

static JsonObject *
load_case (const char  *name,
           JsonParser  *parser,
           GBytes     **data)
{
  g_autofree char *json = g_strdup_printf ("%s.json", name);
  g_autofree char *bin = g_strdup_printf ("%s.bin", name);
  g_autofree char *json_path = g_test_build_filename (G_TEST_DIST, "data", "usdu-refs", json, NULL);
  g_autofree char *bin_path = g_test_build_filename (G_TEST_DIST, "data", "usdu-refs", bin, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;

  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  mapped = g_mapped_file_new (bin_path, FALSE, &error);
  g_assert_no_error (error);
  *data = g_mapped_file_get_bytes (mapped);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_rect (JsonArray         *expected,
             const TesseraRect *rect)
{
  g_assert_cmpint (json_array_get_int_element (expected, 0), ==, rect->x);
  g_assert_cmpint (json_array_get_int_element (expected, 1), ==, rect->y);
  g_assert_cmpint (json_array_get_int_element (expected, 2), ==, rect->width);
  g_assert_cmpint (json_array_get_int_element (expected, 3), ==, rect->height);
}

static TesseraRedrawOptions *
case_options (JsonObject *o)
{
  TesseraRedrawOptions *options = tessera_redraw_options_new ();
  GEnumClass *orders = g_type_class_ref (TESSERA_TYPE_REDRAW_TILE_ORDER);
  GEnumClass *seams = g_type_class_ref (TESSERA_TYPE_REDRAW_SEAMS_FIX);

  g_object_set (options,
                "tile-width", (guint) json_object_get_int_member (o, "tile_width"),
                "tile-height", (guint) json_object_get_int_member (o, "tile_height"),
                "padding", (guint) json_object_get_int_member (o, "padding"),
                "mask-blur", (guint) json_object_get_int_member (o, "mask_blur"),
                "tile-order", g_enum_get_value_by_nick (orders, json_object_get_string_member (o, "tile_order"))->value,
                "seams-fix", g_enum_get_value_by_nick (seams, json_object_get_string_member (o, "seams_fix"))->value,
                "seams-fix-width", (guint) json_object_get_int_member (o, "seams_fix_width"),
                "seams-fix-mask-blur", (guint) json_object_get_int_member (o, "seams_fix_mask_blur"),
                "seams-fix-padding", (guint) json_object_get_int_member (o, "seams_fix_padding"),
                "denoise", json_object_get_double_member (o, "denoise"),
                "seams-fix-denoise", json_object_get_double_member (o, "seams_fix_denoise"),
                NULL);
  g_type_class_unref (orders);
  g_type_class_unref (seams);
  return options;
}

/* data/usdu-refs: the jobs and their masks as the extension and A1111
 * make them with Pillow and OpenCV (make-usdu-refs.py), to the byte. */
static void
test_plan_reference (gconstpointer data)
{
  const char *name = data;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  JsonObject *root = load_case (name, parser, &bytes);
  JsonObject *o = json_object_get_object_member (root, "options");
  JsonArray *jobs = json_object_get_array_member (root, "jobs");
  g_autoptr(TesseraRedrawOptions) options = case_options (o);
  guint width = json_object_get_int_member (o, "width");
  guint height = json_object_get_int_member (o, "height");
  g_autoptr(TesseraRedrawPlan) plan = tessera_redraw_plan_new (width, height, options);
  const guint8 *ref = g_bytes_get_data (bytes, NULL);
  gsize offset = 0;
  g_autofree guint8 *full = g_new (guint8, (gsize) width * height);
  TesseraRect whole = { 0, 0, width, height };

  g_assert_cmpuint (tessera_redraw_plan_get_n_rows (plan), ==, json_object_get_int_member (o, "rows"));
  g_assert_cmpuint (tessera_redraw_plan_get_n_columns (plan), ==, json_object_get_int_member (o, "columns"));
  g_assert_cmpuint (tessera_redraw_plan_get_n_jobs (plan), ==, json_array_get_length (jobs));
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *expected = json_array_get_object_element (jobs, i);
      const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, i);
      JsonArray *process = json_object_get_array_member (expected, "process");
      guint pw = json_array_get_int_element (process, 0), ph = json_array_get_int_element (process, 1);
      g_autofree guint8 *cut = NULL;
      g_autofree guint8 *processed = NULL;
      g_autofree float *latent = NULL;

      g_test_message ("%s job %u", name, i);
      g_assert_cmpstr (json_object_get_string_member (expected, "pass"), ==,
                       job->pass == TESSERA_REDRAW_PASS_TILES ? "tiles" : "seams");
      g_assert_cmpint (json_object_get_int_member (expected, "row"), ==, job->row);
      g_assert_cmpint (json_object_get_int_member (expected, "column"), ==, job->column);
      g_assert_cmpint (json_object_get_int_member (expected, "mask_blur"), ==, job->mask_blur);
      g_assert_cmpfloat (json_object_get_double_member (expected, "denoise"), ==, job->denoise);
      assert_rect (json_object_get_array_member (expected, "blurred"), &job->blurred);
      assert_rect (json_object_get_array_member (expected, "crop"), &job->crop);
      g_assert_cmpuint (pw, ==, job->process_width);
      g_assert_cmpuint (ph, ==, job->process_height);

      tessera_redraw_plan_render_mask (plan, i, &whole, full);
      g_assert_cmpmem (full, (gsize) width * height, ref + offset, (gsize) width * height);
      offset += (gsize) width * height;

      cut = g_new (guint8, (gsize) job->crop.width * job->crop.height);
      tessera_redraw_plan_render_mask (plan, i, &job->crop, cut);
      processed = tessera_mask_resize_fill (cut, job->crop.width, job->crop.height, pw, ph);
      g_assert_cmpmem (processed, (gsize) pw * ph, ref + offset, (gsize) pw * ph);
      offset += (gsize) pw * ph;

      latent = tessera_mask_latent (processed, pw, ph, pw / 8, ph / 8);
      for (guint j = 0; j < pw / 8 * ph / 8; j++)
        g_assert_cmpfloat (latent[j], ==, ref[offset + j]);
      offset += (gsize) pw / 8 * ph / 8;
    }
  g_assert_cmpuint (offset, ==, g_bytes_get_size (bytes));
}

/* split_grid()'s tiles, and combine_grid()'s blend of what the networks
 * paint: tiles of random colours from the reference, within a level (Pillow
 * rounds its blend to 8 bits). */
static void
test_sd_upscale_reference (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  JsonObject *root = load_case ("sd-upscale", parser, &bytes);
  JsonObject *o = json_object_get_object_member (root, "options");
  JsonArray *jobs = json_object_get_array_member (root, "jobs");
  guint width = json_object_get_int_member (o, "width");
  guint height = json_object_get_int_member (o, "height");
  guint tw = json_object_get_int_member (o, "tile_width");
  guint th = json_object_get_int_member (o, "tile_height");
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraRedrawPlan) plan = NULL;
  g_autoptr(TesseraImage) input = make_smooth (width, height);
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *ref = g_bytes_get_data (bytes, NULL);
  const guint8 *combined = ref + (gsize) json_array_get_length (jobs) * tw * th * 3;

  g_object_set (options, "tiles", TESSERA_REDRAW_TILES_SD_UPSCALE, "tile-width", tw, "tile-height", th,
                "overlap", (guint) json_object_get_int_member (o, "overlap"), "steps", 2, NULL);
  plan = tessera_redraw_plan_new (width, height, options);
  g_assert_cmpuint (tessera_redraw_plan_get_n_jobs (plan), ==, json_array_get_length (jobs));
  g_assert_cmpuint (tessera_redraw_plan_get_n_rows (plan), ==, json_object_get_int_member (o, "rows"));
  g_assert_cmpuint (tessera_redraw_plan_get_n_columns (plan), ==, json_object_get_int_member (o, "columns"));
  for (guint i = 0; i < json_array_get_length (jobs); i++)
    {
      JsonObject *expected = json_array_get_object_element (jobs, i);
      const TesseraRedrawJob *job = tessera_redraw_plan_get_job (plan, i);

      assert_rect (json_object_get_array_member (expected, "crop"), &job->crop);
      g_assert_cmpint (job->shape, ==, TESSERA_REDRAW_MASK_NONE);
    }

  memset (&stand_in, 0, sizeof stand_in);
  stand_in.tiles = ref;
  stand_in.tile_width = tw;
  stand_in.tile_height = th;
  output = run_stand_in (input, options, NULL, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < width * height; i++)
      g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (output, c)[i] * 255.0f,
                                      combined[i * 3 + c], 1.01);
}

/* Each job changes only what its blurred mask covers, and the jobs run
 * in order on the image as the ones before left it: a network that paints
 * white shows it in the next tile's crop. */
static void
test_jobs_in_order (void)
{
  g_autoptr(TesseraImage) input = make_smooth (96, 80);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraRedrawPlan) plan = NULL;
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (options, "tile-width", 48, "tile-height", 40, "padding", 16, "mask-blur", 4,
                "steps", 2, "denoise", 0.5, NULL);
  plan = tessera_redraw_plan_new (96, 80, options);
  g_assert_cmpuint (tessera_redraw_plan_get_n_jobs (plan), ==, 4);

  {
      memset (&stand_in, 0, sizeof stand_in);
      stand_in.paint = TRUE;
      stand_in.paint_value = 1.0f;
      output = run_stand_in (input, options, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (stand_in.encodes, ==, 4);
      for (guint y = 0; y < 80; y++)
        for (guint x = 0; x < 96; x++)
          {
            gboolean inside = FALSE;

            for (guint j = 0; j < 4; j++)
              {
                const TesseraRect *b = &tessera_redraw_plan_get_job (plan, j)->blurred;

                inside |= (int) x >= b->x && (int) x < b->x + b->width && (int) y >= b->y && (int) y < b->y + b->height;
              }
            if (!inside)
              g_assert_cmpfloat (tessera_image_get_plane (output, 0)[y * 96 + x], ==,
                                 tessera_image_get_plane (input, 0)[y * 96 + x]);
            /* the tiles' cores are white */
            else if (x % 48 > 11 && x % 48 < 37 && y % 40 > 11 && y % 40 < 29)
              g_assert_cmpfloat_with_epsilon (tessera_image_get_plane (output, 0)[y * 96 + x], 1.0, 1e-4);
          }
  }

  /* the first tile saw the picture, at most 0.5 (0 in [−1, 1]); the
   * second its neighbour's white through the padding */
  g_assert_cmpfloat (stand_in.encode_max[0], <, 0.01f);
  g_assert_cmpfloat (stand_in.encode_max[1], >, 0.9f);
}

/* Strength 0 leaves every job out: the first stage's pixels exactly. */
static void
test_denoise_zero (void)
{
  g_autoptr(TesseraImage) input = make_smooth (96, 80);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(GError) error = NULL;

  for (TesseraRedrawTiles tiles = TESSERA_REDRAW_TILES_USDU; tiles <= TESSERA_REDRAW_TILES_SD_UPSCALE; tiles++)
    {
      g_autoptr(TesseraImage) output = NULL;

      g_object_set (options, "tiles", tiles, "tile-width", 48, "tile-height", 40, "denoise", 0.0,
                    "seams-fix", TESSERA_REDRAW_SEAMS_FIX_HALF_TILE, "seams-fix-denoise", 0.0,
                    "overlap", 16, NULL);
      memset (&stand_in, 0, sizeof stand_in);
      output = run_stand_in (input, options, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (stand_in.unet_calls, ==, 0);
      for (guint c = 0; c < 3; c++)
        g_assert_cmpmem (tessera_image_get_plane (output, c), sizeof (float) * 96 * 80,
                         tessera_image_get_plane (input, c), sizeof (float) * 96 * 80);
    }
}

/* Cancelled in a UNet call of the second tile: an error, no image. */
static void
test_cancel (void)
{
  g_autoptr(TesseraImage) input = make_smooth (96, 80);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (options, "tile-width", 48, "tile-height", 40, "steps", 4, "denoise", 0.5, NULL);
  memset (&stand_in, 0, sizeof stand_in);
  stand_in.cancel_at_call = 7;
  output = run_stand_in (input, options, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (output);
  g_assert_cmpuint (stand_in.encodes, ==, 2);
}

/* Out of memory with several SD upscale tiles at once: half as many, and
 * again; with one tile the error stands. */
static void
test_no_memory (void)
{
  g_autoptr(TesseraImage) input = make_smooth (96, 80);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (options, "tiles", TESSERA_REDRAW_TILES_SD_UPSCALE, "tile-width", 48, "tile-height", 40,
                "overlap", 16, "steps", 2, "denoise", 0.5, NULL);
  memset (&stand_in, 0, sizeof stand_in);
  stand_in.fail_at_call = 3;
  output = run_stand_in (input, options, NULL, &error);
  g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_NO_MEMORY);
  g_assert_null (output);
  g_clear_error (&error);

  /* a row's three tiles in one UNet call, cond and uncond of each */
  g_object_set (options, "batch-size", 4, NULL);
  memset (&stand_in, 0, sizeof stand_in);
  stand_in.batches = TRUE;
  stand_in.fail_at_call = 3;
  output = run_stand_in (input, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (output);
  g_assert_cmpuint (stand_in.failed_batch, ==, 6);
}

/* SD upscale's 3 × 3 tiles (96 × 80, tiles of 48 × 40 overlapping by 16)
 * in batches: as many UNet calls as batches times each tile's calls
 * alone, each on cond and uncond of every tile in it; one call a prompt
 * and a tile where the device does not compute batches. */
static void
test_batch_calls (void)
{
  static const struct { guint batch_size; guint batches_a_row; guint largest; } cases[] = {
    { 1, 3, 2 }, { 2, 2, 4 }, { 3, 1, 6 }, { 8, 1, 6 },
  };
  g_autoptr(TesseraImage) input = make_smooth (96, 80);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  guint per_tile = 0;

  g_object_set (options, "tiles", TESSERA_REDRAW_TILES_SD_UPSCALE, "tile-width", 48, "tile-height", 40,
                "overlap", 16, "steps", 6, "denoise", 0.5, "sampler", TESSERA_REDRAW_SAMPLER_HEUN, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint pass = 0; pass < 2; pass++)
      {
        gboolean batches = pass == 0;
        g_autoptr(TesseraImage) output = NULL;
        g_autoptr(GError) error = NULL;

        g_object_set (options, "batch-size", cases[i].batch_size, NULL);
        memset (&stand_in, 0, sizeof stand_in);
        stand_in.batches = batches;
        output = run_stand_in (input, options, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (stand_in.encodes, ==, 9);
        g_assert_cmpuint (stand_in.decodes, ==, 9);
        if (per_tile == 0)
          {
            g_assert_cmpuint (stand_in.unet_calls % 9, ==, 0);
            per_tile = stand_in.unet_calls / 9;
            g_assert_cmpuint (per_tile, >, 1);
          }
        if (batches)
          {
            g_assert_cmpuint (stand_in.unet_calls, ==, 3 * cases[i].batches_a_row * per_tile);
            g_assert_cmpuint (stand_in.largest_batch, ==, cases[i].largest);
          }
        else
          {
            g_assert_cmpuint (stand_in.unet_calls, ==, 9 * 2 * per_tile);
            g_assert_cmpuint (stand_in.largest_batch, ==, 0);
          }
      }
}

/* SD upscale on the tiny model gives the same image whatever its batch
 * size: each tile's start and ancestral noise come from its own seed,
 * and the UNet computes each sample of a batch as it would alone. */
static void
test_batch_same_image (void)
{
  static const TesseraRedrawSampler samplers[] = { TESSERA_REDRAW_SAMPLER_EULER, TESSERA_REDRAW_SAMPLER_EULER_A };
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  g_autoptr(TesseraImage) input = make_smooth (48, 40);

  for (guint s = 0; s < G_N_ELEMENTS (samplers); s++)
    {
      g_autoptr(TesseraImage) alone = NULL;

      for (guint batch_size = 1; batch_size <= 3; batch_size++)
        {
          g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
          g_autoptr(TesseraImage) output = NULL;
          g_autoptr(GError) error = NULL;
          float largest = 0;

          g_object_set (options, "tiles", TESSERA_REDRAW_TILES_SD_UPSCALE, "width", 96, "height", 80,
                        "tile-width", 48, "tile-height", 40, "overlap", 16, "sampler", samplers[s],
                        "steps", 4, "denoise", 0.5, "seed", (gint64) 11, "prompt", "a house",
                        "batch-size", batch_size, NULL);
          output = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          if (alone == NULL)
            {
              alone = g_steal_pointer (&output);
              continue;
            }
          for (guint c = 0; c < 3; c++)
            {
              const float *a = tessera_image_get_plane (alone, c);
              const float *b = tessera_image_get_plane (output, c);

              for (guint i = 0; i < 96 * 80; i++)
                largest = MAX (largest, fabsf (a[i] - b[i]));
            }
          g_test_message ("sampler %u, batch size %u: largest difference %g", s, batch_size, largest);
          g_assert_cmpfloat (largest, <=, 1e-5f);
        }
    }
}

/* What a USDU run saves, read back as A1111's PNG info reader reads it:
 * the extension's fields, the strength, the seed, the sampler and the
 * model's hash (the first 10 digits of the file's SHA-256). */
static void
test_metadata (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "sd", "sd1.safetensors", NULL);
  g_autofree char *dir = g_dir_make_tmp ("tessera-usdu-XXXXXX", NULL);
  g_autofree char *saved_path = g_build_filename (dir, "redrawn.png", NULL);
  g_autoptr(GFile) saved = g_file_new_for_path (saved_path);
  g_autoptr(TesseraImage) input = make_smooth (48, 40);
  g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
  g_autoptr(TesseraImage) output = NULL;
  g_autoptr(TesseraImage) loaded = NULL;
  g_autoptr(TesseraGenerationInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  gsize length;

  g_object_set (options, "tiles", TESSERA_REDRAW_TILES_USDU, "width", 96, "height", 80,
                "tile-width", 48, "tile-height", 40, "padding", 24, "mask-blur", 6,
                "sampler", TESSERA_REDRAW_SAMPLER_DPMPP_2M, "steps", 2, "denoise", 0.45,
                "seed", (gint64) 3141592653, "prompt", "a house", NULL);
  memset (&stand_in, 0, sizeof stand_in);
  output = run_stand_in (input, options, NULL, &error);
  g_assert_no_error (error);
  tessera_image_save (output, saved, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  loaded = tessera_image_new_from_file (saved, NULL, &error);
  g_assert_no_error (error);
  info = tessera_generation_info_new_for_image (loaded);
  g_assert_nonnull (info);

  g_assert_cmpstr (tessera_generation_info_get_prompt (info), ==, "a house");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Ultimate SD upscale upscaler"), ==, "None");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Ultimate SD upscale tile_width"), ==, "48");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Ultimate SD upscale tile_height"), ==, "40");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Ultimate SD upscale mask_blur"), ==, "6");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Ultimate SD upscale padding"), ==, "24");
  g_assert_cmpstr (tessera_generation_info_get_value (info, "Denoising strength"), ==, "0.45");
  g_assert_cmpint (tessera_generation_info_get_seed (info), ==, 3141592653);
  g_assert_cmpstr (tessera_generation_info_get_sampler (info), ==, "DPM++ 2M");
  g_assert_cmpuint (tessera_generation_info_get_steps (info), ==, 2);
  g_assert_cmpuint (tessera_generation_info_get_width (info), ==, 96);
  g_assert_cmpuint (tessera_generation_info_get_height (info), ==, 80);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  sha256[10] = '\0';
  g_assert_cmpstr (tessera_generation_info_get_model_hash (info), ==, sha256);

  g_file_delete (saved, NULL, NULL);
  g_rmdir (dir);
}

/* tessera-cli redraw sent Ctrl-C in the second tile: it says so, exits
 * with 130 and leaves its output folder as it found it, with neither the
 * output nor the temporary file the save writes first. */
static void
test_cli_cancel (void)
{
  g_autofree char *dir = test_make_tmpdir ();
  g_autofree char *input_path = g_build_filename (dir, "in.png", NULL);
  g_autofree char *output_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *output_path = g_build_filename (output_dir, "redrawn.png", NULL);
  g_autofree char *checkpoint = g_test_build_filename (G_TEST_DIST, "data", "sd", "sd1.safetensors", NULL);
  g_autoptr(GFile) input_file = g_file_new_for_path (input_path);
  g_autoptr(TesseraImage) input = make_smooth (32, 32);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autofree char *err = NULL;
  gboolean second_tile = FALSE;
  const char *argv[] = {
    g_getenv ("TESSERA_CLI"), "redraw", input_path, "-o", output_path, "--checkpoint", checkpoint,
    "--tiles=usdu", "--width=64", "--height=64", "--tile-width=32", "--tile-height=32", "--padding=8",
    "--steps=10", "--denoise=1", "--seed=1", NULL,
  };

  g_assert_cmpint (g_mkdir (output_dir, 0700), ==, 0);
  tessera_image_save (input, input_file, TESSERA_IMAGE_FORMAT_PNG, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      if (!second_tile && strstr (line, "Tile 2 of 4") != NULL)
        {
          second_tile = TRUE;
          g_subprocess_send_signal (process, SIGINT);
        }
    }
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);

  g_assert_true (second_tile);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 130);
  g_assert_nonnull (strstr (err, "interrupted"));
  listing = g_dir_open (output_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (listing));
  test_remove_tmpdir (g_steal_pointer (&dir));
}

static gsize
peak_rss (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gsize) usage.ru_maxrss * 1024;
}

/* The bound on host memory: a large USDU redraw (1024² → 2048²
 * through Lanczos, 512-pixel tiles; stand-in networks, so that only the
 * pipeline's own buffers count) holds at most twice the output image,
 * and a job's buffers: the crop cut, resized, padded and redrawn, its
 * part of the first stage and the wavelet's planes, about 12 MiB at this
 * crop's size (576²), which 16 MiB bounds (102 MiB in all here, for a
 * 48 MiB output). Without a colour fix the first stage is redrawn in
 * place, and the output is all that grows (53 MiB here; a copy of the
 * first stage made it 124).
 *
 * Each case runs in a process of its own, so that the peak is its own,
 * after a small redraw has paid what any redraw costs once (the
 * tokenizer's tables, the checkpoint's header). */
static void
test_host_memory (gconstpointer data)
{
  TesseraRedrawColorFix fix = GPOINTER_TO_INT (data);

#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer keeps freed memory in quarantine: the peak says
   * nothing of what the redraw holds */
  g_test_skip ("the peak of an AddressSanitizer build is its allocator's");
  return;
#endif
  if (g_test_subprocess ())
    {
      g_autoptr(TesseraImage) small = make_smooth (64, 64);
      g_autoptr(TesseraImage) input = make_smooth (1024, 1024);
      g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
      g_autoptr(TesseraImage) output = NULL;
      g_autoptr(GError) error = NULL;
      gsize before, output_size, growth, bound;

      g_object_set (options, "tiles", TESSERA_REDRAW_TILES_USDU, "steps", 1, "denoise", 0.35,
                    "color-fix", fix, NULL);
      memset (&stand_in, 0, sizeof stand_in);
      output = run_stand_in (small, options, NULL, &error);
      g_assert_no_error (error);
      g_clear_object (&output);

      g_object_set (options, "width", 2048, "height", 2048, NULL);
      memset (&stand_in, 0, sizeof stand_in);
      before = peak_rss ();
      output = run_stand_in (input, options, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (stand_in.encodes, ==, 16);
      growth = peak_rss () - before;
      output_size = sizeof (float) * 3 * 2048 * 2048;
      bound = (fix == TESSERA_REDRAW_COLOR_FIX_NONE ? output_size : 2 * output_size) + 16 * 1048576;
      if (growth > bound)
        g_error ("the peak grew by %.1f MiB for a %.1f MiB output, over %.1f MiB",
                 growth / 1048576.0, output_size / 1048576.0, bound / 1048576.0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* a flat picture of one colour per channel */
static TesseraImage *
make_flat (guint        width,
           guint        height,
           const float  color[3])
{
  g_autoptr(GError) error = NULL;
  TesseraImage *image = tessera_image_new (width, height, FALSE, &error);

  g_assert_no_error (error);
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < width * height; i++)
      tessera_image_get_plane (image, c)[i] = color[c];
  return image;
}

/* The largest distance, over the channels and the jobs, between the
 * output's mean over a job's core and @color. The core is where the
 * job's own blurred mask is full and no other job's mask reaches: there
 * the output is the job's fixed crop as it is. @bound receives the
 * bound the AdaIN fix holds that mean to (see test_color_fix()). */
static double
core_mean_error (TesseraImage      *output,
                 TesseraRedrawPlan *plan,
                 const float        color[3],
                 double            *bound)
{
  guint width = tessera_image_get_width (output), height = tessera_image_get_height (output);
  guint n_jobs = tessera_redraw_plan_get_n_jobs (plan);
  TesseraRect whole = { 0, 0, width, height };
  g_autofree guint8 *masks = g_new (guint8, (gsize) n_jobs * width * height);
  double worst = 0;

  *bound = 0;
  for (guint j = 0; j < n_jobs; j++)
    tessera_redraw_plan_render_mask (plan, j, &whole, masks + (gsize) j * width * height);
  for (guint j = 0; j < n_jobs; j++)
    {
      const TesseraRect *crop = &tessera_redraw_plan_get_job (plan, j)->crop;
      double sums[3] = { 0 };
      guint count = 0;

      for (guint i = 0; i < width * height; i++)
        {
          gboolean core = masks[(gsize) j * width * height + i] == 255;

          for (guint k = 0; k < n_jobs && core; k++)
            core = k == j || masks[(gsize) k * width * height + i] == 0;
          if (!core)
            continue;
          for (guint c = 0; c < 3; c++)
            sums[c] += tessera_image_get_plane (output, c)[i];
          count++;
        }
      g_assert_cmpuint (count, >, 100);
      for (guint c = 0; c < 3; c++)
        worst = MAX (worst, fabs (sums[c] / count - color[c]));
      *bound = MAX (*bound, sqrt (1e-5 * crop->width * crop->height / count));
    }
  return worst;
}

/* The colour fix on the tiled path, with the tiny random model, whose
 * redraws drift far from the picture: each job's redrawn crop takes the
 * statistics of the same crop of the first stage.
 *
 * The first stage is flat, so the bound is exact rather than empirical.
 * AdaIN maps a pixel x of the crop to c + σ_ref · (x − μ) / σ, where
 * σ² = var(x) + ε and σ_ref = √ε for a flat reference (ε = 10⁻⁵, as
 * StableSR's). The z = (x − μ) / σ of the crop's N pixels have
 * Σ z² ≤ N − 1, so over a core of n of them |mean z| ≤ √(N / n) (Cauchy–
 * Schwarz), and the core's mean lies within √(ε N / n) of c; the clamp to
 * [0, 1] never bites that close to c. */
static void
test_color_fix (void)
{
  static const float color[3] = { 0.3f, 0.5f, 0.7f };
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  g_autoptr(TesseraImage) input = make_flat (80, 64, color);

  for (TesseraRedrawTiles tiles = TESSERA_REDRAW_TILES_USDU; tiles <= TESSERA_REDRAW_TILES_SD_UPSCALE; tiles++)
    {
      g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
      g_autoptr(TesseraRedrawPlan) plan = NULL;
      g_autoptr(TesseraImage) plain = NULL;
      g_autoptr(TesseraImage) fixed = NULL;
      g_autoptr(GError) error = NULL;
      double plain_error, fixed_error, bound, change = 0;

      g_object_set (options, "tiles", tiles, "tile-width", 48, "tile-height", 40,
                    "padding", 16, "mask-blur", 4, "overlap", 16,
                    "steps", 2, "denoise", 0.6, "seed", (gint64) 7, "prompt", "a house", NULL);
      plan = tessera_redraw_plan_new (80, 64, options);
      plain = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_object_set (options, "color-fix", TESSERA_REDRAW_COLOR_FIX_ADAIN, NULL);
      fixed = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);

      plain_error = core_mean_error (plain, plan, color, &bound);
      fixed_error = core_mean_error (fixed, plan, color, &bound);
      for (guint c = 0; c < 3; c++)
        for (guint i = 0; i < 80 * 64; i++)
          change = MAX (change, fabs (tessera_image_get_plane (fixed, c)[i] - tessera_image_get_plane (plain, c)[i]));
      g_test_message ("tiles %d: core means off by %g without the fix, %g with it (bound %g); change %g",
                      tiles, plain_error, fixed_error, bound, change);
      g_assert_cmpfloat (fixed_error, <=, bound + 1e-5);
      /* the check has teeth: the random model's drift is well past it */
      g_assert_cmpfloat (plain_error, >, 2 * bound);
      g_assert_cmpfloat (change, >, 0.05);
    }
}

/* The mean step across column @x (vertical: across row @x) over the
 * whole image and its channels. */
static double
column_step (TesseraImage *image,
             guint         x,
             gboolean      vertical)
{
  guint width = tessera_image_get_width (image), height = tessera_image_get_height (image);
  guint along = vertical ? width : height;
  double sum = 0;

  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint i = 0; i < along; i++)
        sum += vertical ? fabs (plane[x * width + i] - plane[(x - 1) * width + i])
                        : fabs (plane[i * width + x] - plane[i * width + x - 1]);
    }
  return sum / (3 * along);
}

/* The step across a seam over the sharpest step within four pixels of it:
 * a seam the blend or the paste gets wrong stands out from its
 * neighbourhood, whatever the texture around it. */
static double
seam_contrast (TesseraImage *image,
               guint         seam,
               gboolean      vertical)
{
  guint size = vertical ? tessera_image_get_height (image) : tessera_image_get_width (image);
  double around = 0;

  for (int d = -4; d <= 4; d++)
    if (d != 0 && (int) seam + d >= 1 && (int) seam + d < (int) size)
      around = MAX (around, column_step (image, seam + d, vertical));
  return column_step (image, seam, vertical) / around;
}

static double
mean_gradient (TesseraImage *image,
               gboolean      across_seams,
               guint         tile_width)
{
  guint width = tessera_image_get_width (image), height = tessera_image_get_height (image);
  double sum = 0;
  guint count = 0;

  for (guint c = 0; c < 3; c++)
    {
      const float *plane = tessera_image_get_plane (image, c);

      for (guint y = 0; y < height; y++)
        for (guint x = 1; x < width; x++)
          {
            gboolean seam = x % tile_width == 0;
            /* the seam against the other edges of the VAE's 8 × 8
             * blocks, where the random model's noise steps most */
            if (seam != across_seams || x % 8 != 0)
              continue;
            sum += fabs (plane[y * width + x] - plane[y * width + x - 1]);
            count++;
          }
    }
  return sum / count;
}

/* The tiny random model end to end in every mode: the size asked for,
 * A1111's fields, and no seam that stands out (the random model paints
 * blocky noise). */
static void
test_real_model (void)
{
  static const struct { TesseraRedrawTiles tiles; TesseraRedrawSeamsFix seams; const char *field; } modes[] = {
    { TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_NONE, "Ultimate SD upscale tile_width: 48" },
    { TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_BAND, "Ultimate SD upscale padding: 16" },
    { TESSERA_REDRAW_TILES_USDU, TESSERA_REDRAW_SEAMS_FIX_HALF_TILE_INTERSECTIONS, "Ultimate SD upscale mask_blur: 8" },
    { TESSERA_REDRAW_TILES_SD_UPSCALE, TESSERA_REDRAW_SEAMS_FIX_NONE, "SD upscale overlap: 16" },
  };
  g_autoptr(TesseraEngine) engine = tessera_engine_new ();
  g_autoptr(TesseraCheckpoint) checkpoint = load_checkpoint ();
  g_autoptr(TesseraImage) input = make_smooth (48, 40);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autoptr(TesseraRedrawOptions) options = tessera_redraw_options_new ();
      g_autoptr(TesseraImage) output = NULL;
      g_autoptr(GError) error = NULL;
      const char *parameters;

      g_object_set (options, "tiles", modes[m].tiles, "seams-fix", modes[m].seams,
                    "width", 96, "height", 80, "tile-width", 48, "tile-height", 40,
                    "padding", 16, "overlap", 16, "seams-fix-width", 16,
                    "steps", 3, "denoise", 0.3, "seed", (gint64) 5, "prompt", "a house", NULL);
      output = tessera_engine_redraw (engine, input, checkpoint, options, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (tessera_image_get_width (output), ==, 96);
      g_assert_cmpuint (tessera_image_get_height (output), ==, 80);
      parameters = tessera_image_get_text (output, "parameters");
      g_test_message ("%s", parameters);
      g_assert_nonnull (strstr (parameters, modes[m].field));
      g_assert_nonnull (strstr (parameters, "Denoising strength: 0.3"));
      g_assert_nonnull (strstr (parameters, "Size: 96x80"));
      if (modes[m].tiles == TESSERA_REDRAW_TILES_USDU)
        g_assert_nonnull (strstr (parameters, "Ultimate SD upscale upscaler: None"));
      g_test_message ("mode %u: seams %g inside %g; contrast across the column seam %g, the row seam %g", m,
                      mean_gradient (output, TRUE, 48), mean_gradient (output, FALSE, 48),
                      seam_contrast (output, 48, FALSE), seam_contrast (output, 40, TRUE));
      /* The tiles alone: no step at a seam sharper than at the other
       * block edges. */
      if (modes[m].seams == TESSERA_REDRAW_SEAMS_FIX_NONE)
        g_assert_cmpfloat (mean_gradient (output, TRUE, 48), <=, 1.5 * mean_gradient (output, FALSE, 48) + 0.01);
      /* With a seams fix, that comparison does not hold (band 0.21, half
       * tile 0.12 against 0.07), and faithfully: the extension redraws
       * the seams at another scale than the tiles. Here the tiles' crops
       * (85 × 80) go through the networks at 64 × 64 and come back
       * enlarged, which smooths the random model's pixel-sized texture;
       * the band's crop (48 × 80, seams-fix width + twice its padding by
       * the image's height) goes through at its own size, and the half
       * tile's (96 × 80, grown to the tile's aspect) at half its size.
       * So the whole band is rougher than the tiles, the seam's column
       * no more than the columns beside it (0.13 to 0.22 across 44 to 52;
       * even at the least strength, one step, the band's columns step by
       * 0.05 to 0.08, the VAE's round trip alone). What a seam that is
       * wrong shows is a step sharper than its neighbours': pasting the
       * tiles through their masks rounded to 0 or 1 gives 1.56 here,
       * where every mode now stays below 1.12. */
      g_assert_cmpfloat (seam_contrast (output, 48, FALSE), <=, 1.3);
      g_assert_cmpfloat (seam_contrast (output, 40, TRUE), <=, 1.3);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const char *cases[] = { "linear", "chess", "band", "half-tile", "intersections", "odd" };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/redraw-tiles/plan/%s", cases[i]);

      g_test_add_data_func (path, cases[i], test_plan_reference);
    }
  g_test_add_func ("/redraw-tiles/sd-upscale", test_sd_upscale_reference);
  g_test_add_func ("/redraw-tiles/jobs-in-order", test_jobs_in_order);
  g_test_add_func ("/redraw-tiles/denoise-zero", test_denoise_zero);
  g_test_add_func ("/redraw-tiles/cancel", test_cancel);
  g_test_add_func ("/redraw-tiles/no-memory", test_no_memory);
  g_test_add_func ("/redraw-tiles/batch-calls", test_batch_calls);
  g_test_add_func ("/redraw-tiles/batch-same-image", test_batch_same_image);
  g_test_add_func ("/redraw-tiles/real-model", test_real_model);
  g_test_add_func ("/redraw-tiles/color-fix", test_color_fix);
  g_test_add_func ("/redraw-tiles/metadata", test_metadata);
  g_test_add_func ("/redraw-tiles/cli-cancel", test_cli_cancel);
  g_test_add_data_func ("/redraw-tiles/host-memory/in-place", GINT_TO_POINTER (TESSERA_REDRAW_COLOR_FIX_NONE),
                        test_host_memory);
  g_test_add_data_func ("/redraw-tiles/host-memory/color-fix", GINT_TO_POINTER (TESSERA_REDRAW_COLOR_FIX_WAVELET),
                        test_host_memory);

  return g_test_run ();
}
