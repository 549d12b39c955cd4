/* tessera-memory.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-memory"

#include "config.h"

#include <sys/mman.h>

#include "tessera-memory-private.h"

#define HUGE_PAGE_SIZE (2u << 20)

/* Large buffers come straight from mmap, aligned to 2 MiB and marked for
 * transparent huge pages: a gigabyte of pixels is then faulted in with a few
 * hundred page faults instead of a quarter of a million, which on some
 * machines costs more than the filtering itself. */

/**
 * tessera_alloc_large:
 * @size: bytes
 *
 * Returns: (nullable): @size zeroed bytes, or %NULL if memory is short;
 *   free with tessera_free_large() and the same @size
 */
gpointer
tessera_alloc_large (gsize size)
{
  gsize mapped, head, tail;
  guint8 *memory, *aligned;

  if (size < HUGE_PAGE_SIZE)
    return g_try_malloc0 (MAX (size, 1));

  size = (size + HUGE_PAGE_SIZE - 1) & ~(gsize) (HUGE_PAGE_SIZE - 1);
  mapped = size + HUGE_PAGE_SIZE;
  memory = mmap (NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED)
    return NULL;

  aligned = (guint8 *) (((guintptr) memory + HUGE_PAGE_SIZE - 1) & ~(guintptr) (HUGE_PAGE_SIZE - 1));
  head = aligned - memory;
  tail = mapped - head - size;
  if (head > 0)
    munmap (memory, head);
  if (tail > 0)
    munmap (aligned + size, tail);

#ifdef MADV_HUGEPAGE
  madvise (aligned, size, MADV_HUGEPAGE);
#endif

  return aligned;
}

void
tessera_free_large (gpointer memory,
                    gsize    size)
{
  if (memory == NULL)
    return;

  if (size < HUGE_PAGE_SIZE)
    {
      g_free (memory);
      return;
    }

  size = (size + HUGE_PAGE_SIZE - 1) & ~(gsize) (HUGE_PAGE_SIZE - 1);
  munmap (memory, size);
}
