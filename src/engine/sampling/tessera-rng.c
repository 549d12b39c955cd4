/* tessera-rng.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-rng"

#include "config.h"

#include <math.h>
#include <string.h>

#include "tessera-rng-private.h"

/* The noise must come out bit for bit as PyTorch's on every machine: no
 * multiply-add may be fused but the ones written as fmaf(). */
#if defined(__clang__)
# pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
# pragma GCC optimize ("fp-contract=off")
#endif

#define MT_N 624
#define MT_M 397

struct _TesseraRng
{
  TesseraRngKind kind;
  guint64        seed;

  /* cpu: PyTorch's CPU generator, a Mersenne Twister, and the second
   * value of the last Box–Muller pair its scalar path made */
  guint32  mt[MT_N];
  guint    mt_left;
  guint    mt_next;
  gboolean has_spare;
  double   spare;

  /* nv: how many draws were made; each draw is one Philox counter */
  guint64 offset;
};

/* PyTorch seeds the standard MT19937 with the seed's low 32 bits. */
static void
mt_seed (TesseraRng *rng,
         guint64     seed)
{
  rng->mt[0] = (guint32) seed;
  for (guint i = 1; i < MT_N; i++)
    rng->mt[i] = 1812433253u * (rng->mt[i - 1] ^ (rng->mt[i - 1] >> 30)) + i;
  rng->mt_left = 1;
  rng->mt_next = 0;
}

static inline guint32
mt_twist (guint32 u,
          guint32 v)
{
  guint32 mixed = (u & 0x80000000u) | (v & 0x7fffffffu);

  return (mixed >> 1) ^ ((v & 1) ? 0x9908b0dfu : 0);
}

static void
mt_refill (TesseraRng *rng)
{
  guint i;

  for (i = 0; i < MT_N - MT_M; i++)
    rng->mt[i] = rng->mt[i + MT_M] ^ mt_twist (rng->mt[i], rng->mt[i + 1]);
  for (; i < MT_N - 1; i++)
    rng->mt[i] = rng->mt[i + MT_M - MT_N] ^ mt_twist (rng->mt[i], rng->mt[i + 1]);
  rng->mt[MT_N - 1] = rng->mt[MT_M - 1] ^ mt_twist (rng->mt[MT_N - 1], rng->mt[0]);

  rng->mt_left = MT_N;
  rng->mt_next = 0;
}

static guint32
mt_next (TesseraRng *rng)
{
  guint32 y;

  if (--rng->mt_left == 0)
    mt_refill (rng);
  y = rng->mt[rng->mt_next++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

/* [0, 1) from 24 bits, as PyTorch's uniform_real_distribution<float>. */
static float
uniform_float (TesseraRng *rng)
{
  return (float) ((mt_next (rng) & 0xffffffu) * (1.0 / 16777216.0));
}

/* [0, 1) from 53 bits of two draws, the first one high. */
static double
uniform_double (TesseraRng *rng)
{
  guint64 high = mt_next (rng);
  guint64 low = mt_next (rng);

  return (((high << 32) | low) & ((G_GUINT64_CONSTANT (1) << 53) - 1)) * (1.0 / 9007199254740992.0);
}

/* PyTorch's normal_distribution<double>: Box–Muller on two doubles; the
 * sine half is kept for the next call, even the next draw's. */
static double
normal_double (TesseraRng *rng)
{
  double u1, u2, radius, theta;

  if (rng->has_spare)
    {
      rng->has_spare = FALSE;
      return rng->spare;
    }

  u1 = uniform_double (rng);
  u2 = uniform_double (rng);
  radius = sqrt (-2.0 * log (1.0 - u2));
  theta = 2.0 * G_PI * u1;
  rng->spare = radius * sin (theta);
  rng->has_spare = TRUE;
  return radius * cos (theta);
}

/* The logarithm of PyTorch's AVX2 kernel (avx_mathfun.h, after Cephes),
 * with the multiply-adds GCC fuses there, for x in [2⁻²⁴, 1]. */
static float
avx2_logf (float x)
{
  guint32 bits;
  float mantissa, e, z, y;

  memcpy (&bits, &x, sizeof bits);
  e = (float) ((int) (bits >> 23) - 0x7f) + 1.0f;
  bits = (bits & ~0x7f800000u) | 0x3f000000u;
  memcpy (&mantissa, &bits, sizeof mantissa);

  /* mantissa in [0.5, 1): fold it around √½ */
  if (mantissa < 0.707106781186547524f)
    {
      e = e - 1.0f;
      x = (mantissa - 1.0f) + mantissa;
    }
  else
    {
      x = mantissa - 1.0f;
    }

  z = x * x;
  y = 7.0376836292E-2f;
  y = fmaf (y, x, -1.1514610310E-1f);
  y = fmaf (y, x, 1.1676998740E-1f);
  y = fmaf (y, x, -1.2420140846E-1f);
  y = fmaf (y, x, 1.4249322787E-1f);
  y = fmaf (y, x, -1.6668057665E-1f);
  y = fmaf (y, x, 2.0000714765E-1f);
  y = fmaf (y, x, -2.4999993993E-1f);
  y = fmaf (y, x, 3.3333331174E-1f);
  y = y * x;
  y = fmaf (y, z, e * -2.12194440e-4f);
  y = fmaf (-z, 0.5f, y);
  return fmaf (e, 0.693359375f, x + y);
}

/* Sine and cosine of that kernel, for x in [0, 2π). */
static void
avx2_sincosf (float  x,
              float *sine,
              float *cosine)
{
  int octant = (int) (x * 1.27323954473516f); /* 4/π */
  float y, z, near_zero, near_quarter;
  gboolean swapped;

  octant = (octant + 1) & ~1;
  y = (float) octant;

  /* x − y·π/4 in three parts */
  x = fmaf (y, -0.78515625f, x);
  x = fmaf (y, -2.4187564849853515625e-4f, x);
  x = fmaf (y, -3.77489497744594108e-8f, x);
  z = x * x;

  /* cosine of the reduced argument */
  near_quarter = 2.443315711809948E-005f;
  near_quarter = fmaf (near_quarter, z, -1.388731625493765E-003f);
  near_quarter = fmaf (near_quarter, z, 4.166664568298827E-002f);
  near_quarter = near_quarter * z;
  near_quarter = fmaf (near_quarter, z, -(z * 0.5f));
  near_quarter = near_quarter + 1.0f;

  /* sine of the reduced argument */
  near_zero = -1.9515295891E-4f;
  near_zero = fmaf (near_zero, z, 8.3321608736E-3f);
  near_zero = fmaf (near_zero, z, -1.6666654611E-1f);
  near_zero = near_zero * z;
  near_zero = fmaf (near_zero, x, x);

  swapped = (octant & 2) != 0;
  *sine = swapped ? near_quarter : near_zero;
  *cosine = swapped ? near_zero : near_quarter;
  if (octant & 4)
    *sine = -*sine;
  if (((octant - 2) & 4) == 0)
    *cosine = -*cosine;
}

/* Box–Muller on 16 uniforms, element i paired with i + 8. */
static void
normal_fill_16 (float *data)
{
  for (guint j = 0; j < 8; j++)
    {
      float radius = sqrtf (-2.0f * avx2_logf (1.0f - data[j]));
      float theta = (float) (2.0 * G_PI) * data[j + 8];
      float sine, cosine;

      avx2_sincosf (theta, &sine, &cosine);
      /* "+ 0" as the kernel's final fmadd (…, std 1, mean 0): no −0 */
      data[j] = radius * cosine + 0.0f;
      data[j + 8] = radius * sine + 0.0f;
    }
}

/* PyTorch's normal_kernel for a float32 tensor of @n elements. */
static void
cpu_randn (TesseraRng *rng,
           float      *out,
           gsize       n)
{
  /* Small tensors take the scalar path; "+ 0" as its val × std + mean */
  if (n < 16)
    {
      for (gsize i = 0; i < n; i++)
        out[i] = (float) (normal_double (rng) + 0.0);
      return;
    }

  for (gsize i = 0; i < n; i++)
    out[i] = uniform_float (rng);
  for (gsize i = 0; i + 16 <= n; i += 16)
    normal_fill_16 (out + i);

  /* A partial last block: the last 16 values drawn anew and transformed
   * again, overwriting the tail of the block before. */
  if (n % 16 != 0)
    {
      float *tail = out + n - 16;

      for (guint i = 0; i < 16; i++)
        tail[i] = uniform_float (rng);
      normal_fill_16 (tail);
    }
}

/* Philox 4×32 with 10 rounds on one counter. */
static void
philox (guint32 counter[4],
        guint64 seed)
{
  guint32 key[2] = { (guint32) seed, (guint32) (seed >> 32) };

  for (guint round = 0; round < 10; round++)
    {
      guint64 product0 = (guint64) counter[0] * 0xD2511F53u;
      guint64 product2 = (guint64) counter[2] * 0xCD9E8D57u;

      counter[0] = (guint32) (product2 >> 32) ^ counter[1] ^ key[0];
      counter[1] = (guint32) product2;
      counter[2] = (guint32) (product0 >> 32) ^ counter[3] ^ key[1];
      counter[3] = (guint32) product0;
      key[0] += 0x9E3779B9u;
      key[1] += 0xBB67AE85u;
    }
}

/* rng_philox.py: element i of a draw is the first Box–Muller value of
 * counter (draw, 0, i, 0); its scale factors are float32 constants, the
 * arithmetic is double, as numpy does it. */
static void
nv_randn (TesseraRng *rng,
          float      *out,
          gsize       n)
{
  const float two_pow32_inv = 2.3283064e-10f;
  const float two_pow32_inv_2pi = (float) (2.3283064e-10 * 6.2831855);

  for (gsize i = 0; i < n; i++)
    {
      guint32 counter[4] = { (guint32) rng->offset, 0, (guint32) i, 0 };
      double u, v;

      philox (counter, rng->seed);
      u = counter[0] * (double) two_pow32_inv + (double) (two_pow32_inv / 2);
      v = counter[1] * (double) two_pow32_inv_2pi + (double) (two_pow32_inv_2pi / 2);
      out[i] = (float) (sqrt (-2.0 * log (u)) * sin (v));
    }
  rng->offset++;
}

TesseraRng *
tessera_rng_new (TesseraRngKind kind,
                 guint64        seed)
{
  TesseraRng *rng = g_new0 (TesseraRng, 1);

  rng->kind = kind;
  tessera_rng_reseed (rng, seed);
  return rng;
}

void
tessera_rng_free (TesseraRng *rng)
{
  g_free (rng);
}

/**
 * tessera_rng_reseed:
 * @rng: a stream
 * @seed: its new seed
 *
 * Starts @rng over from @seed, as `generator.manual_seed (seed)` or a new
 * `rng_philox.Generator (seed)` does.
 */
void
tessera_rng_reseed (TesseraRng *rng,
                    guint64     seed)
{
  rng->seed = seed;
  rng->offset = 0;
  rng->has_spare = FALSE;
  mt_seed (rng, seed);
}

/**
 * tessera_rng_randn:
 * @rng: a stream
 * @out: (out caller-allocates) (array length=n): the numbers
 * @n: how many; a tensor's shape matters only through its size
 *
 * The next draw of @n standard normal numbers, as `torch.randn (shape,
 * generator=g)` makes them for a float32 tensor of @n elements.
 */
void
tessera_rng_randn (TesseraRng *rng,
                   float      *out,
                   gsize       n)
{
  if (rng->kind == TESSERA_RNG_NV)
    nv_randn (rng, out, n);
  else
    cpu_randn (rng, out, n);
}
