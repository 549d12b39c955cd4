#!/usr/bin/env bash
# Fuzzing by hand, on the libFuzzer targets of tests/fuzz:
#
#   build-aux/fuzz.sh TARGET [SECONDS]   a campaign on one target (default 600 s)
#   build-aux/fuzz.sh --setup            only configure and build _build-fuzz
#
# _build-fuzz is built by clang with AddressSanitizer and UBSan, and with the
# image limit lowered to 16 megapixels, so that any allocation above the
# target's cap (tests/fuzz/meson.build) was justified by no header within the
# limits: a finding. The corpus grows in _build-fuzz/tests/fuzz/corpus-TARGET
# from one campaign to the next; crashes are written to _build-fuzz/crash-*.
# Once fixed, a crash becomes a test case.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build-fuzz"

if [ ! -f "$build/build.ninja" ]; then
    command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 1; }
    CC=clang CFLAGS="-DTESSERA_IMAGE_MAX_PIXELS=16777216 -fsanitize=fuzzer-no-link" \
        meson setup "$build" "$top" -Dfuzzing=true -Dcuda=disabled \
        -Db_sanitize=address,undefined -Db_lundef=false >&2
fi
meson compile -C "$build" >&2

[ "${1:-}" = "--setup" ] && exit 0

target=${1:?usage: build-aux/fuzz.sh TARGET [SECONDS] | --setup}
seconds=${2:-600}
cd "$build"
exec meson test --no-rebuild --suite fuzz --verbose --timeout-multiplier 0 "$target" \
    --test-args="-max_total_time=$seconds"
