/* tessera-cuda-stub.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-private.h"

/* The CUDA backend of a build without the CUDA Toolkit. */

static void
set_no_cuda (GError **error)
{
  g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
               _("this build of Tessera has no CUDA support"));
}

void
tessera_cuda_device_free (TesseraCudaDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device);
}

GPtrArray *
tessera_cuda_list_devices (GError **error)
{
  set_no_cuda (error);
  return NULL;
}

TesseraBackend *
tessera_cuda_backend_new (int                device,
                          TesseraPrecision   precision,
                          GError           **error)
{
  set_no_cuda (error);
  return NULL;
}

/* No devices to list, of either kind. */
const TesseraBackendInfo tessera_cuda_backend_info = {
  .name = "cuda",
  .list_devices = tessera_cuda_list_devices,
  .new = tessera_cuda_backend_new,
};
