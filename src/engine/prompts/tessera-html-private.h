/* tessera-html-private.h
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *text;
} TesseraHtmlEntity;

/* The HTML 5 named character references (tessera-html-entities.c). */
extern const TesseraHtmlEntity tessera_html_entities[];
extern const gsize tessera_html_n_entities;

char *tessera_html_unescape (const char *text);

G_END_DECLS
