/* test-conv-mma.cc
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <stdlib.h>

#include <glib.h>

#include "tessera-conv-mma-tile.h"

/* The tensor-core convolution's tile code run on the CPU, block by block
 * and warp by warp in the order its barriers allow, with WMMA's products
 * done by plain loops that check WMMA's alignment rules. Every output is
 * compared with a direct convolution in double precision of the same
 * fp16-rounded inputs and weights, so any slip in the halo, the chunks of
 * channels, the concatenated inputs, the padding or the blocks of outputs
 * shows; the GPU suite then runs the same kernel on a device. */

typedef struct
{
  unsigned channels[3];
  unsigned n_inputs;
  unsigned out_channels;
  unsigned kernel;
  unsigned padding;
  unsigned height;
  unsigned width;
} Case;

struct Raw
{
  float
  operator() (unsigned, size_t, float sum) const
  {
    return sum;
  }
};

static float
rounded (float v)
{
  return (float) (ConvMmaHalf) v;
}

template <int BLOCK_OUT>
static void
run_blocks (const TesseraKernelConvMma &p)
{
  typedef ConvMmaTile<BLOCK_OUT> Tile;
  size_t bytes = (Tile::shared_bytes (p.kernel) + 127) / 128 * 128;
  unsigned char *shared = (unsigned char *) aligned_alloc (128, bytes);
  typename Tile::Sums *sums = g_new (typename Tile::Sums, CONV_MMA_WARPS);
  typename Tile::Pixels *pixels = g_new (typename Tile::Pixels, CONV_MMA_WARPS * 32);
  unsigned grid_x = (p.out_width + CONV_MMA_TILE_W - 1) / CONV_MMA_TILE_W;
  unsigned grid_y = (p.out_height + Tile::HEIGHT - 1) / Tile::HEIGHT;
  unsigned grid_z = conv_mma_out_padded (p.out_channels) / BLOCK_OUT;

  for (unsigned bz = 0; bz < grid_z; bz++)
    for (unsigned by = 0; by < grid_y; by++)
      for (unsigned bx = 0; bx < grid_x; bx++)
        {
          Tile tile (p, shared, bx, by, bz);

          /* Garbage where nothing was copied yet shows as wrong sums. */
          memset (shared, 0x7b, bytes);
          for (unsigned w = 0; w < CONV_MMA_WARPS; w++)
            tile.clear (sums[w]);

          /* The kernel's order: the next chunk's copies land before
           * this one is multiplied, so a copy into the wrong buffer shows. */
          const unsigned n_threads = CONV_MMA_WARPS * 32;
          unsigned n_chunks = (p.in_channels + CONV_MMA_CHUNK - 1) / CONV_MMA_CHUNK;

          for (unsigned t = 0; t < n_threads; t++)
            tile.locate (t, n_threads, pixels[t]);
          for (unsigned t = 0; t < CONV_MMA_CHUNK; t++)
            tile.find_plane (t, 0, 0);
          for (unsigned t = 0; t < n_threads; t++)
            tile.fetch (t, n_threads, pixels[t], 0, 0);
          for (unsigned t = 0; t < CONV_MMA_CHUNK; t++)
            tile.find_plane (t, CONV_MMA_CHUNK, 1);
          for (unsigned t = 0; t < n_threads; t++)
            tile.convert (t, n_threads);
          for (unsigned i = 0; i < n_chunks; i++)
            {
              bool more = i + 1 < n_chunks;

              if (more)
                for (unsigned t = 0; t < n_threads; t++)
                  tile.fetch (t, n_threads, pixels[t], (i + 1) * CONV_MMA_CHUNK, (i + 1) % 2);
              for (unsigned w = 0; w < CONV_MMA_WARPS; w++)
                tile.multiply (w, sums[w], i % 2);
              if (more)
                {
                  for (unsigned t = 0; t < CONV_MMA_CHUNK; t++)
                    tile.find_plane (t, (i + 2) * CONV_MMA_CHUNK, i % 2);
                  for (unsigned t = 0; t < n_threads; t++)
                    tile.convert (t, n_threads);
                }
            }

          for (int r = 0; r < Tile::ROWS_PER_WARP; r++)
            for (int n = 0; n < Tile::FRAGMENTS_OUT; n++)
              for (unsigned w = 0; w < CONV_MMA_WARPS; w++)
                {
                  tile.stage (w, sums[w], r, n);
                  for (unsigned lane = 0; lane < 32; lane++)
                    tile.write (w, lane, r, n, Raw ());
                }
        }

  g_free (sums);
  g_free (pixels);
  free (shared);
}

static void
check_case (const Case *c,
            GRand      *rand)
{
  TesseraKernelConvMma p = { };
  unsigned in_channels = 0, taps = c->kernel * c->kernel;
  float *inputs[3] = { NULL };
  gsize in_plane = (gsize) c->height * c->width;
  unsigned out_height = c->height + 2 * c->padding - c->kernel + 1;
  unsigned out_width = c->width + 2 * c->padding - c->kernel + 1;
  gsize out_plane = (gsize) out_height * out_width;
  double diff = 0.0, norm = 0.0;
  float *weights, *output;
  ConvMmaHalf *packed;
  gsize n_packed;

  for (unsigned i = 0; i < c->n_inputs; i++)
    {
      inputs[i] = g_new (float, (gsize) c->channels[i] * in_plane);
      for (gsize j = 0; j < (gsize) c->channels[i] * in_plane; j++)
        inputs[i][j] = (float) g_rand_double_range (rand, -1.0, 1.0);
      p.inputs[i] = inputs[i];
      p.channels[i] = c->channels[i];
      in_channels += c->channels[i];
    }

  weights = g_new (float, (gsize) c->out_channels * in_channels * taps);
  for (gsize j = 0; j < (gsize) c->out_channels * in_channels * taps; j++)
    weights[j] = (float) g_rand_double_range (rand, -0.5, 0.5);
  n_packed = (gsize) taps * conv_mma_in_padded (in_channels) * conv_mma_out_padded (c->out_channels);
  packed = (ConvMmaHalf *) aligned_alloc (256, (n_packed * sizeof (ConvMmaHalf) + 255) / 256 * 256);
  for (gsize j = 0; j < n_packed; j++)
    packed[j] = (ConvMmaHalf) conv_mma_weight (weights, j, in_channels, c->out_channels, taps);

  output = g_new (float, (gsize) c->out_channels * out_plane);
  for (gsize j = 0; j < (gsize) c->out_channels * out_plane; j++)
    output[j] = NAN;

  p.n_inputs = c->n_inputs;
  p.in_channels = in_channels;
  p.in_height = c->height;
  p.in_width = c->width;
  p.output = output;
  p.out_channels = c->out_channels;
  p.out_height = out_height;
  p.out_width = out_width;
  p.kernel = c->kernel;
  p.padding = c->padding;
  p.weight = packed;

  switch (conv_mma_block_out (c->out_channels))
    {
    case 16:
      run_blocks<16> (p);
      break;
    case 32:
      run_blocks<32> (p);
      break;
    default:
      run_blocks<64> (p);
      break;
    }

  for (unsigned o = 0; o < c->out_channels; o++)
    for (unsigned y = 0; y < out_height; y++)
      for (unsigned x = 0; x < out_width; x++)
        {
          double expected = 0.0, got = output[o * out_plane + (gsize) y * out_width + x];
          unsigned channel = 0;

          for (unsigned i = 0; i < c->n_inputs; i++)
            for (unsigned ci = 0; ci < c->channels[i]; ci++, channel++)
              for (unsigned ky = 0; ky < c->kernel; ky++)
                for (unsigned kx = 0; kx < c->kernel; kx++)
                  {
                    int iy = (int) (y + ky) - (int) c->padding, ix = (int) (x + kx) - (int) c->padding;

                    if (iy < 0 || iy >= (int) c->height || ix < 0 || ix >= (int) c->width)
                      continue;
                    expected += (double) rounded (weights[((gsize) o * in_channels + channel) * taps + ky * c->kernel + kx]) *
                                rounded (inputs[i][ci * in_plane + (gsize) iy * c->width + ix]);
                  }

          g_assert_false (isnan (got));
          diff += (got - expected) * (got - expected);
          norm += expected * expected;
        }

  g_test_message ("%u→%u channels, %u×%u kernel, %u×%u: relative error %.3g", in_channels, c->out_channels,
                  c->kernel, c->kernel, c->height, c->width, sqrt (diff / norm));
  g_assert_cmpfloat (sqrt (diff / norm), <, 1e-5);

  for (unsigned i = 0; i < c->n_inputs; i++)
    g_free (inputs[i]);
  g_free (weights);
  g_free (output);
  free (packed);
}

static void
test_tile (void)
{
  static const Case cases[] = {
    { { 3 }, 1, 8, 3, 1, 37, 23 },
    { { 64, 32, 32 }, 3, 32, 3, 1, 20, 40 },   /* a dense block's last but one */
    { { 20, 12, 5 }, 3, 80, 3, 1, 17, 40 },    /* chunks across inputs, two output blocks */
    { { 7 }, 1, 48, 5, 2, 23, 35 },
    { { 24 }, 1, 40, 3, 0, 40, 33 },
    { { 33 }, 1, 129, 1, 0, 17, 19 },
    { { 5, 4 }, 2, 7, 1, 0, 11, 13 },
    { { 16 }, 1, 16, 3, 1, 1, 1 },
    { { 2 }, 1, 3, 5, 2, 1, 1 },
  };
  GRand *rand = g_rand_new_with_seed (31);

  for (unsigned i = 0; i < G_N_ELEMENTS (cases); i++)
    check_case (&cases[i], rand);
  g_rand_free (rand);
}

/* The packed weights: zeros where padded, each weight where the tile
 * reads it. */
static void
test_weights (void)
{
  const unsigned in = 5, out = 19, taps = 9;
  float weights[19 * 5 * 9];

  for (unsigned i = 0; i < G_N_ELEMENTS (weights); i++)
    weights[i] = (float) (i + 1);

  g_assert_cmpuint (conv_mma_in_padded (in), ==, 16);
  g_assert_cmpuint (conv_mma_out_padded (out), ==, 32);
  for (unsigned tap = 0; tap < taps; tap++)
    for (unsigned c = 0; c < 16; c++)
      for (unsigned o = 0; o < 32; o++)
        {
          gsize i = ((gsize) tap * 16 + c) * 32 + o;
          float expected = c < in && o < out ? weights[(o * in + c) * taps + tap] : 0.f;

          g_assert_cmpfloat (conv_mma_weight (weights, i, in, out, taps), ==, expected);
        }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conv-mma/weights", test_weights);
  g_test_add_func ("/conv-mma/tile", test_tile);

  return g_test_run ();
}
