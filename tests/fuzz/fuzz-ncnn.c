/* fuzz-ncnn.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "archs/tessera-arch-private.h"
#include "formats/tessera-formats-private.h"

/* An ncnn pair in one input: the .param, a NUL, the .bin. A state dict or
 * a clean error; what loads also goes through architecture detection. */
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const guint8 *split = memchr (data, '\0', size);
  gsize param_size = split != NULL ? (gsize) (split - data) : size;
  g_autoptr(GBytes) param = g_bytes_new_static (data, param_size);
  g_autoptr(GBytes) bin = g_bytes_new_static (split != NULL ? split + 1 : data + size,
                                              split != NULL ? size - param_size - 1 : 0);
  g_autoptr(TesseraStateDict) state_dict = NULL;
  g_autoptr(GError) error = NULL;
  TesseraArchInfo info;

  state_dict = tessera_ncnn_load (param, bin, &error);
  g_assert ((state_dict == NULL) != (error == NULL));
  if (state_dict != NULL && !tessera_arch_detect (state_dict, &info, &error))
    g_assert (error != NULL);
  return 0;
}
