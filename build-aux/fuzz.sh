#!/usr/bin/env bash
# Runs a libFuzzer campaign on one of the targets in tests/fuzz, by hand:
#
#   build-aux/fuzz.sh TARGET [SECONDS] [LIBFUZZER OPTIONS…]
#
# Builds _build-fuzz with clang, AddressSanitizer and UBSan, seeds the corpus
# from the test data, and keeps the corpus in _build-fuzz/corpus-TARGET so
# that the next campaign starts where this one stopped. Crashes are written
# to _build-fuzz/crash-*; add each as a test case once fixed.
#
# The build lowers the image limit to 16 megapixels, so that a single
# allocation above 1 GiB was not justified by any header the limits allow:
# a finding. Targets that reach third-party parsers get a higher cap.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:?usage: build-aux/fuzz.sh TARGET [SECONDS] [OPTIONS…]}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
build="$top/_build-fuzz"

declare -A seeds=(
    [fuzz-png-load]="tests/data/images tests/data/resample data/samples"
    [fuzz-image-load]="tests/data/images tests/data/resample data/samples"
)
declare -A malloc_limit_mb=(
    [fuzz-image-load]=8192
)

if [ ! -f "$build/build.ninja" ]; then
    CC=clang CFLAGS="-DTESSERA_IMAGE_MAX_PIXELS=16777216 -fsanitize=fuzzer-no-link" \
        meson setup "$build" "$top" -Dfuzzing=true -Dcuda=disabled \
        -Db_sanitize=address,undefined -Db_lundef=false >&2
fi
meson compile -C "$build" "tests/fuzz/$target" >&2

corpus="$build/corpus-$target"
mkdir -p "$corpus"
for dir in ${seeds[$target]:-}; do
    cp -n "$top/$dir"/* "$corpus"/ 2>/dev/null || true
done
find "$corpus" -type f \( -name '*.py' -o -name '*.json' -o -name '*.md' \) -delete

cd "$build"
exec "./tests/fuzz/$target" "$corpus" -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb="${malloc_limit_mb[$target]:-1024}" \
    -print_final_stats=1 "$@"
