/* fuzz-state-dict.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "archs/tessera-arch-private.h"
#include "diffusion/tessera-sd-private.h"
#include "formats/tessera-formats-private.h"

/* Any bytes through one model loader (FUZZ_LOADER, set by meson.build per
 * target): a state dict or a clean error. What loads also goes through
 * architecture detection and Stable Diffusion checkpoint reading, which
 * then meet arbitrary names and shapes (seeds in corpus/fuzz-checkpoint,
 * from tests/data/make-sd-models.py). */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(TesseraStateDict) state_dict = NULL;
  g_autoptr(GError) error = NULL;
  TesseraArchInfo info;

  state_dict = FUZZ_LOADER (bytes, &error);
  g_assert ((state_dict == NULL) != (error == NULL));
  if (state_dict != NULL && !tessera_arch_detect (state_dict, &info, &error))
    g_assert (error != NULL);
  g_clear_error (&error);

  if (state_dict != NULL)
    {
      g_auto(TesseraSdSingleFile) checkpoint = { 0 };

      if (!tessera_sd_read_single_file (state_dict, &checkpoint, &error))
        g_assert (error != NULL);
    }
  return 0;
}
