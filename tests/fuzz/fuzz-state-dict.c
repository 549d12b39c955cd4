/* fuzz-state-dict.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "archs/tessera-arch-private.h"
#include "formats/tessera-formats-private.h"

/* Any bytes through one model loader (FUZZ_LOADER, set by meson.build per
 * target): a state dict or a clean error. What loads also goes through
 * architecture detection, which then meets arbitrary names and shapes. */
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
  return 0;
}
