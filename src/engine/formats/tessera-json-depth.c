/* tessera-json-depth.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-json"

#include "config.h"

#include "tessera-formats-private.h"

/* json-glib parses recursively, without a limit: a file of nested brackets
 * exhausts the stack. Model files nest a few levels, so the bytes are
 * measured first, without recursion, strings skipped. */
gboolean
tessera_json_nesting_fits (const char *data,
                           gsize       size,
                           guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < size; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}
