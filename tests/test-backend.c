/* test-backend.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "tessera-test-utils.h"

/* The backend table as the engine uses it: the registry and the optional
 * entries. */

/* The optional entries a backend leaves out: no memory of its own, and
 * nothing worth keeping between runs. */
static void
test_optional_entries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TesseraBackend) cpu = tessera_backend_new ("cpu", 0, TESSERA_PRECISION_FP16, &error);
  guint64 free_bytes = 1, total_bytes = 1;

  g_assert_no_error (error);
  g_assert_nonnull (cpu);
  g_assert_null (cpu->vtable->get_memory);
  g_assert_false (tessera_backend_get_memory (cpu, &free_bytes, &total_bytes));
  g_assert_cmpuint (free_bytes, ==, 1);
  tessera_backend_set_memory_limit (cpu, 1);
  g_assert_cmpuint (tessera_backend_get_peak_memory (cpu), ==, 0);
  g_assert_false (tessera_backend_trim (cpu));
  g_assert_null (tessera_backend_host_memory (cpu, 16));
}

/* Every build has both backends by name; the CPU has one device. */
static void
test_registry (void)
{
  g_autoptr(GPtrArray) cpus = tessera_backend_list_devices ("cpu", NULL);
  g_autoptr(GPtrArray) gpus = NULL;
  g_autoptr(TesseraBackend) gpu = NULL;
  g_autoptr(GError) error = NULL;
  TesseraDevice *device;

  g_assert_nonnull (cpus);
  g_assert_cmpuint (cpus->len, ==, 1);
  device = g_ptr_array_index (cpus, 0);
  g_assert_cmpint (device->index, ==, 0);
  g_assert_true (strstr (device->description, "threads") != NULL);

  gpus = tessera_backend_list_devices ("cuda", &error);
  if (gpus == NULL)
    {
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      g_clear_error (&error);
      gpu = tessera_backend_new ("cuda", 0, TESSERA_PRECISION_FP16, &error);
      g_assert_null (gpu);
      g_assert_error (error, TESSERA_ERROR, TESSERA_ERROR_UNSUPPORTED);
      return;
    }

  for (guint i = 0; i < gpus->len; i++)
    {
      device = g_ptr_array_index (gpus, i);
      g_test_message ("cuda:%d: %s", device->index, device->description);
      g_assert_cmpint (device->index, ==, (int) i);
      g_assert_cmpstr (device->description, !=, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backend/optional-entries", test_optional_entries);
  g_test_add_func ("/backend/registry", test_registry);

  return g_test_run ();
}
