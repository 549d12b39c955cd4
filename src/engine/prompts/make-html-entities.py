#!/usr/bin/python3
# make-html-entities.py
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes tessera-html-entities.c: the HTML 5 named character references
# (the WHATWG list, as Python's html.entities.html5 holds it), sorted by
# name for a binary search. CLIP's tokenizer cleans a prompt with
# Python's html.unescape, which reads this list; tessera-html.c does the
# same with it.
#
#   /usr/bin/python3 make-html-entities.py > tessera-html-entities.c
#
# Made with Debian 12's Python 3.11.2.

import sys
from html.entities import html5


def c_string(text):
    return '"' + ''.join('\\x%02x' % b for b in text.encode('utf-8')) + '"'


def main():
    names = sorted(html5, key=lambda name: name.encode('utf-8'))
    out = sys.stdout
    out.write('/* tessera-html-entities.c\n'
              ' *\n'
              ' * Copyright 2026 The Tessera authors\n'
              ' * SPDX-License-Identifier: GPL-3.0-or-later\n'
              ' *\n'
              ' * Written by make-html-entities.py from Python %d.%d\'s html.entities.html5;\n'
              ' * edit the script, not this file.\n'
              ' */\n\n' % sys.version_info[:2])
    out.write('#include "config.h"\n\n#include "tessera-html-private.h"\n\n')
    out.write('/* Name (with its ";" where the name needs one) and its text in UTF-8,\n'
              ' * sorted by name as strcmp() orders them. */\n')
    out.write('const TesseraHtmlEntity tessera_html_entities[] = {\n')
    for name in names:
        out.write('  { "%s", %s },\n' % (name, c_string(html5[name])))
    out.write('};\n\n')
    out.write('const gsize tessera_html_n_entities = G_N_ELEMENTS (tessera_html_entities);\n')


if __name__ == '__main__':
    main()
