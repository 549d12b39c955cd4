/* tessera-rng-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TesseraRngKind:
 * @TESSERA_RNG_CPU: PyTorch's CPU `torch.randn` with a generator seeded by
 *   `torch.Generator().manual_seed (seed)`: ComfyUI's noise, and A1111's
 *   "CPU" source. Tensors of 16 or more elements come out as PyTorch's
 *   AVX2 kernel makes them (x86-64 builds with AVX2, the usual case);
 *   PyTorch builds without that kernel (ARM, or a forced "default"
 *   capability) use the C library's float log, sin and cos there and differ
 *   in the last bits of about a third of the values.
 * @TESSERA_RNG_NV: A1111's "NV" source (its default, `modules/rng_philox.py`):
 *   Philox 4×32-10 and Box–Muller as PyTorch's CUDA `torch.randn` draws them.
 *
 * The two sources A1111 and ComfyUI draw seeds from. Both give the same
 * numbers on every machine.
 */
typedef enum
{
  TESSERA_RNG_CPU,
  TESSERA_RNG_NV,
} TesseraRngKind;

/* A random stream: each tessera_rng_randn() continues where the last one
 * stopped, as consecutive `torch.randn (…, generator=g)` calls do.
 *
 * To match A1111's images (`modules/rng.py`, ImageRNG, no subseed): one
 * stream per image, made with the image's seed; its first draw, the
 * latent's size (e.g. 4 × 64 × 64), is the initial noise; then one draw of
 * the same size per step of an ancestral sampler, which is what
 * tessera_sampler_run() takes. With A1111's "Eta noise seed delta" (ENSD)
 * set, reseed the stream with seed + delta after the first draw. A second
 * pass (Hires. fix) starts a new stream with the same seed. */
typedef struct _TesseraRng TesseraRng;

TesseraRng *tessera_rng_new   (TesseraRngKind  kind,
                               guint64         seed);
void        tessera_rng_free  (TesseraRng     *rng);
void        tessera_rng_reseed (TesseraRng    *rng,
                               guint64         seed);
void        tessera_rng_randn (TesseraRng     *rng,
                               float          *out,
                               gsize           n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TesseraRng, tessera_rng_free)

G_END_DECLS
