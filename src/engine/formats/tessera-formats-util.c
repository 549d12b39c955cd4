/* tessera-formats-util.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-json"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "core/tessera-error.h"
#include "tessera-formats-private.h"

/* Sets a TESSERA_ERROR_CORRUPT error; returns FALSE, for `return tessera_corrupt (…)`. */
gboolean
tessera_corrupt (GError     **error,
                 const char  *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, TESSERA_ERROR, TESSERA_ERROR_CORRUPT, message);
  return FALSE;
}

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
