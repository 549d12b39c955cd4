#!/bin/sh
# check-translations.sh SRCDIR: each catalogue of po/LINGUAS passes
# `msgfmt --check` and translates every message the sources have now, with
# nothing fuzzy: a string added without its translations fails here.
# Prints TAP.
set -eu

src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

# The messages, extracted as meson's glib preset does (po/meson.build).
grep -v '^#' po/POTFILES.in | grep . > "$tmp/files"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dngettext:2,3 --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
    --package-name=tessera --files-from="$tmp/files" --output="$tmp/tessera.pot" 2>"$tmp/xgettext.log" || {
    echo "1..1"; echo "not ok 1 - xgettext"; sed 's/^/# /' "$tmp/xgettext.log"; exit 1; }

languages=$(grep -v '^#' po/LINGUAS | tr -s ' \n' '  ')
set -- $languages
echo "1..$(($# * 2 + 1))"
n=1 failed=0
if [ $# -ge 2 ]; then echo "ok $n - po/LINGUAS names $languages"; else echo "not ok $n - po/LINGUAS names too few languages: $languages"; failed=1; fi

for lang in "$@"; do
    n=$((n + 1))
    if msgfmt --check --output-file=/dev/null "po/$lang.po" 2>"$tmp/check.log"; then
        echo "ok $n - msgfmt --check po/$lang.po"
    else
        echo "not ok $n - msgfmt --check po/$lang.po"; sed 's/^/# /' "$tmp/check.log"; failed=1
    fi

    n=$((n + 1))
    msgmerge --quiet --no-fuzzy-matching "po/$lang.po" "$tmp/tessera.pot" --output-file="$tmp/$lang.po"
    stats=$(msgfmt --statistics --output-file=/dev/null "$tmp/$lang.po" 2>&1)
    case $stats in
        *fuzzy*|*untranslated*)
            echo "not ok $n - po/$lang.po is complete: $stats"
            msgattrib --untranslated --no-location "$tmp/$lang.po" | grep '^msgid' | sed 's/^/# /' | head -20
            failed=1 ;;
        *)
            echo "ok $n - po/$lang.po is complete: $stats" ;;
    esac
done
exit $failed
