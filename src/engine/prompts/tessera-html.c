/* tessera-html.c
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "tessera-html"

#include "config.h"

#include <string.h>

#include "tessera-html-private.h"

/* HTML character references replaced as Python's html.unescape() does,
 * which CLIP's tokenizer calls on every prompt: the HTML 5 rules for
 * valid and invalid references alike, so that "&amp;", "&eacute" (no
 * semicolon), "&#233;" and "&#x80;" each become what a browser shows. */

/* Windows-1252 for the C1 controls, as browsers read "&#128;"…"&#159;". */
static const gunichar c1_replacements[32] = {
  0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
  0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
};

/* The longest name in the list has 32 characters: no reference is longer. */
#define MAX_NAME_CHARS 32

static const char *
lookup_entity (const char *name,
               gsize       length)
{
  gsize low = 0;
  gsize high = tessera_html_n_entities;

  while (low < high)
    {
      gsize middle = low + (high - low) / 2;
      const char *candidate = tessera_html_entities[middle].name;
      int order = strncmp (candidate, name, length);

      if (order == 0 && candidate[length] != '\0')
        order = 1;

      if (order == 0)
        return tessera_html_entities[middle].text;
      else if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return NULL;
}

static void
append_code_point (GString *out,
                   guint64  value)
{
  if (value == 0)
    g_string_append_unichar (out, 0xFFFD);
  else if (value == 0x0D)
    g_string_append_c (out, '\r');
  else if (value >= 0x80 && value <= 0x9F)
    g_string_append_unichar (out, c1_replacements[value - 0x80]);
  else if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF)
    g_string_append_unichar (out, 0xFFFD);
  else if ((value >= 0x01 && value <= 0x08) || value == 0x0B ||
           (value >= 0x0E && value <= 0x1F) || value == 0x7F ||
           (value >= 0xFDD0 && value <= 0xFDEF) || (value & 0xFFFE) == 0xFFFE)
    ; /* noncharacters and controls vanish */
  else
    g_string_append_unichar (out, (gunichar) value);
}

/* A numeric reference after its "&#": decimal digits, or x and hex
 * digits, and an optional ";". Returns where it ends, or NULL when the
 * text is no numeric reference. */
static const char *
append_numeric (GString    *out,
                const char *p)
{
  gboolean hex = (*p == 'x' || *p == 'X');
  guint64 value = 0;
  const char *digits = hex ? p + 1 : p;
  const char *end = digits;

  while (hex ? g_ascii_isxdigit (*end) : g_ascii_isdigit (*end))
    {
      /* Anything past U+10FFFF reads as the replacement character. */
      if (value <= 0x10FFFF)
        value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*end) : g_ascii_digit_value (*end));
      end++;
    }

  if (end == digits)
    return NULL;

  append_code_point (out, value);

  return *end == ';' ? end + 1 : end;
}

static gboolean
ends_name (gunichar c)
{
  return c == '\0' || c == '\t' || c == '\n' || c == '\f' || c == ' ' ||
         c == '<' || c == '&' || c == '#' || c == ';';
}

/* A named reference after its "&": up to 32 characters and an optional
 * ";". An unknown name keeps the longest known name it starts with that
 * needs no semicolon ("&notit" reads "¬it"), or stays as it is. */
static const char *
append_named (GString    *out,
              const char *p)
{
  const char *ends[MAX_NAME_CHARS + 2];
  const char *end = p;
  const char *text;
  guint n_chars = 0;

  while (n_chars < MAX_NAME_CHARS && !ends_name (g_utf8_get_char (end)))
    {
      end = g_utf8_next_char (end);
      ends[++n_chars] = end;
    }

  if (n_chars == 0)
    return NULL;

  if (*end == ';')
    {
      end++;
      ends[++n_chars] = end;
    }

  text = lookup_entity (p, end - p);
  if (text != NULL)
    {
      g_string_append (out, text);
      return end;
    }

  for (guint length = n_chars - 1; length >= 2; length--)
    {
      text = lookup_entity (p, ends[length] - p);
      if (text != NULL)
        {
          g_string_append (out, text);
          g_string_append_len (out, ends[length], end - ends[length]);
          return end;
        }
    }

  g_string_append_c (out, '&');
  g_string_append_len (out, p, end - p);

  return end;
}

char *
tessera_html_unescape (const char *text)
{
  GString *out;
  const char *p = text;

  if (strchr (text, '&') == NULL)
    return g_strdup (text);

  out = g_string_sized_new (strlen (text));

  for (const char *amp = strchr (p, '&'); amp != NULL; amp = strchr (p, '&'))
    {
      const char *end;

      g_string_append_len (out, p, amp - p);

      if (amp[1] == '#')
        end = append_numeric (out, amp + 2);
      else
        end = append_named (out, amp + 1);

      if (end == NULL)
        {
          g_string_append_c (out, '&');
          end = amp + 1;
        }

      p = end;
    }

  g_string_append (out, p);

  return g_string_free (out, FALSE);
}
