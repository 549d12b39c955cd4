#!/bin/sh
# check-install.sh BUILDDIR APP_ID VERSION: `meson install` into a
# temporary DESTDIR puts every file where the desktop looks for it, and the
# installed tessera-cli runs: --version and an upscale of the installed
# sample. Prints TAP.
set -u

build=$1 app_id=$2 version=$3
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT
n=0 failed=0

check() {  # check DESCRIPTION COMMAND…
    what=$1
    shift
    n=$((n + 1))
    if "$@" >"$destdir/.log" 2>&1; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what"
        sed 's/^/# /' "$destdir/.log" | head -20
        failed=1
    fi
}

check "meson install into a DESTDIR" meson install -C "$build" --destdir "$destdir" --no-rebuild --quiet

cli=$(find "$destdir" -path '*/bin/tessera-cli' -type f | head -n 1)
prefix=${cli%/bin/tessera-cli}
[ -n "$cli" ] || prefix="$destdir/missing"
share=$prefix/share

for file in \
    bin/tessera bin/tessera-cli \
    "share/applications/$app_id.desktop" \
    "share/metainfo/$app_id.metainfo.xml" \
    "share/icons/hicolor/scalable/apps/$app_id.svg" \
    "share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
    "share/glib-2.0/schemas/$app_id.gschema.xml" \
    share/man/man1/tessera-cli.1 \
    share/tessera/samples/chelsea.png; do
    check "installs $file" test -s "$prefix/$file"
done

for lang in $(grep -v '^#' "$(dirname "$0")/../po/LINGUAS"); do
    mo=$share/locale/$lang/LC_MESSAGES/tessera.mo
    check "installs the $lang catalogue" test -s "$mo"
    check "the $lang catalogue holds the translations" sh -c "msgunfmt '$mo' | grep -c '^msgid' | awk '{ exit !(\$1 > 500) }'"
    check "the desktop file is translated to $lang" grep -q "^Name\\[$lang\\]=" "$share/applications/$app_id.desktop"
    check "the metainfo is translated to $lang" grep -q "xml:lang=\"$lang\"" "$share/metainfo/$app_id.metainfo.xml"
done

check "the installed desktop file validates" desktop-file-validate "$share/applications/$app_id.desktop"
check "the installed schema compiles" glib-compile-schemas --strict --dry-run "$share/glib-2.0/schemas"
check "the installed man page formats without warnings" sh -c "groff -man -ww -z -Tutf8 '$share/man/man1/tessera-cli.1' 2>&1 | grep . && exit 1; nroff -man '$share/man/man1/tessera-cli.1' | grep -q 'tessera-cli upscale'"

check "the installed tessera-cli --version says $version" sh -c "'$cli' --version | grep -qF '$version'"
out=$destdir/chelsea-x2.png
check "the installed tessera-cli upscales the installed sample" \
    "$cli" upscale --quiet -u bicubic -s 2 -o "$out" "$share/tessera/samples/chelsea.png"
# PNG signature, then the IHDR width: twice the sample's.
check "the result is a PNG twice the sample's width" sh -c "
    in=\$(od -An -tu1 -j16 -N4 '$share/tessera/samples/chelsea.png' | awk '{ print \$1*16777216 + \$2*65536 + \$3*256 + \$4 }')
    result=\$(od -An -tu1 -j16 -N4 '$out' | awk '{ print \$1*16777216 + \$2*65536 + \$3*256 + \$4 }')
    od -An -c -j1 -N3 '$out' | grep -q 'P   N   G' && [ \"\$result\" -eq \$((in * 2)) ]"

echo "1..$n"
exit $failed
