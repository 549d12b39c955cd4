/* tessera-cuda-devices.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-cuda"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-cuda-backend-private.h"

/* The devices: what they are, their free memory, and whether the backend
 * can run on them. */

/* Turing's tensor cores are the oldest the fp16 path is written for. */
#define MIN_MAJOR 7
#define MIN_MINOR 5

/* How many devices there are, or why there are none to use. */
static int
count_devices (GError **error)
{
  int count = 0;
  cudaError_t status = cudaGetDeviceCount (&count);

  if (status == cudaSuccess && count > 0)
    return count;

  cudaGetLastError ();
  if (status == cudaSuccess || status == cudaErrorNoDevice)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED, _("no CUDA device found"));
  else if (status == cudaErrorInsufficientDriver && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("the NVIDIA driver does not reach the Flatpak sandbox; install the "
                   "org.freedesktop.Platform.GL.nvidia extension that matches the host's driver"));
  else if (status == cudaErrorInsufficientDriver)
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("no NVIDIA driver was found, or it is too old for CUDA %d.%d"),
                 CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
  else
    g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                 _("CUDA cannot be used: %s"), cudaGetErrorString (status));
  return 0;
}

void
tessera_cuda_device_free (TesseraCudaDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->name);
  g_free (device);
}

/**
 * tessera_cuda_list_devices:
 *
 * Returns: (transfer container) (nullable): the CUDA devices, each a
 *   #TesseraCudaDevice; %NULL when there is no driver or no device
 */
GPtrArray *
tessera_cuda_list_devices (GError **error)
{
  g_autoptr(GPtrArray) devices = NULL;
  int count = count_devices (error);
  int driver = 0, runtime = 0, current = 0;

  if (count == 0)
    return NULL;

  cudaDriverGetVersion (&driver);
  cudaRuntimeGetVersion (&runtime);
  cudaGetDevice (&current);
  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_cuda_device_free);

  for (int i = 0; i < count; i++)
    {
      g_autoptr(TesseraCudaDevice) device = g_new0 (TesseraCudaDevice, 1);
      struct cudaDeviceProp properties;
      size_t free_bytes = 0, total_bytes = 0;

      if (!CUDA_CHECK (cudaGetDeviceProperties (&properties, i), error))
        return NULL;

      device->index = i;
      device->name = g_strndup (properties.name, sizeof properties.name);
      device->total_memory = properties.totalGlobalMem;
      device->major = properties.major;
      device->minor = properties.minor;
      device->driver_version = driver;
      device->runtime_version = runtime;

      /* Free memory is only known inside the device's context. */
      if (cudaSetDevice (i) == cudaSuccess && cudaMemGetInfo (&free_bytes, &total_bytes) == cudaSuccess)
        device->free_memory = free_bytes;
      else
        cudaGetLastError ();

      g_ptr_array_add (devices, g_steal_pointer (&device));
    }

  cudaSetDevice (current);
  return g_steal_pointer (&devices);
}

/* Returns: (transfer container) (nullable): the CUDA devices, each a
 *   #TesseraDevice that describes it for people; %NULL when there is no
 *   driver or no device */
GPtrArray *
tessera_cuda_describe_devices (GError **error)
{
  g_autoptr(GPtrArray) cuda_devices = tessera_cuda_list_devices (error);
  GPtrArray *devices;

  if (cuda_devices == NULL)
    return NULL;

  devices = g_ptr_array_new_with_free_func ((GDestroyNotify) tessera_device_free);
  for (guint i = 0; i < cuda_devices->len; i++)
    {
      TesseraCudaDevice *cuda = g_ptr_array_index (cuda_devices, i);
      TesseraDevice *device = g_new0 (TesseraDevice, 1);

      device->index = cuda->index;
      device->description = g_strdup_printf (_("%s, compute capability %d.%d, %.1f of %.1f GiB free, "
                                               "driver %d.%d, runtime %d.%d"),
                                             cuda->name, cuda->major, cuda->minor,
                                             cuda->free_memory / 1073741824.0, cuda->total_memory / 1073741824.0,
                                             cuda->driver_version / 1000, cuda->driver_version % 1000 / 10,
                                             cuda->runtime_version / 1000, cuda->runtime_version % 1000 / 10);
      g_ptr_array_add (devices, device);
    }
  return devices;
}

/* Whether the backend can run on @device: it is there, and its tensor
 * cores are new enough. */
gboolean
tessera_cuda_check_device (int      device,
                           GError **error)
{
  int count = count_devices (error);
  int major = 0, minor = 0;

  if (count == 0)
    return FALSE;
  if (device < 0 || device >= count)
    {
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_INVALID_ARGUMENT,
                   _("there is no CUDA device %d (devices: 0 to %d)"), device, count - 1);
      return FALSE;
    }

  if (!CUDA_CHECK (cudaDeviceGetAttribute (&major, cudaDevAttrComputeCapabilityMajor, device), error) ||
      !CUDA_CHECK (cudaDeviceGetAttribute (&minor, cudaDevAttrComputeCapabilityMinor, device), error))
    return FALSE;
  if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR))
    {
      struct cudaDeviceProp properties;

      cudaGetDeviceProperties (&properties, device);
      g_set_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED,
                   _("%s is unsupported: its compute capability is %d.%d, and Tessera needs %d.%d (Turing) or newer"),
                   properties.name, major, minor, MIN_MAJOR, MIN_MINOR);
      return FALSE;
    }

  return TRUE;
}
