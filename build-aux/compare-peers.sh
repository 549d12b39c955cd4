#!/usr/bin/env bash
# Runs the reference peers (build-aux/peers.sh, on lavapipe) and Tessera's
# CLI on the same inputs and models -- the runs listed in
# tests/data/peers/MANIFEST.json -- and prints how close Tessera comes:
# PSNR over all pixels and channels, 8-bit, against the peer's output.
# Targets: 45 dB for the Real-ESRGAN models, 40 dB for Real-CUGAN and waifu2x.
#
#   build-aux/compare-peers.sh [WORD…]
#
# WORDs keep only the runs whose peer, model or image contains one of them.
# A run Tessera cannot do yet shows "n/a"; the script fails only when the
# peers or models cannot be set up. TESSERA_CLI overrides the CLI's path.
# "stored" tells whether the peer gave today what tests/data/peers holds.
#
# Tessera runs with its default --pre-pad auto, which follows the peers:
# realesrgan-ncnn-vulkan reflects 10 px around the image; realcugan and
# waifu2x add nothing beyond the padding their networks need (18/14/19 px,
# 18/28 px, 7 px), which Tessera's Real-CUGAN and waifu2x graphs include.
# TESSERA_PRE_PAD=N forces one value for every run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$top/tests/data/peers"
tools="$top/build-aux/peer-tools.py"
peers="$top/build-aux/peers.sh"
cli=${TESSERA_CLI:-$top/_build/src/cli/tessera-cli}

"$peers" setup >/dev/null
models=$("$top/build-aux/fetch-models.sh")
[ -x "$cli" ] || echo "compare-peers.sh: no $cli (build with build-aux/dev.sh); Tessera's column stays n/a" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# seconds COMMAND…: runs COMMAND quietly, prints its wall time; fails as it does.
seconds() {
    local start=$EPOCHREALTIME
    "$@" > "$work/log" 2>&1 || return 1
    awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }"
}

format='%-23s %-40s %-19s %3s %8s %6s %-4s %6s %9s  %s\n'
# shellcheck disable=SC2059
printf "$format" peer model image pad "PSNR dB" target "" "peer s" "Tessera s" stored
rows=0 met=0
while IFS=$'\t' read -r peer label image folder model scale options; do
    read -r -a opts <<< "$options"
    input="$data/$image"
    stored="$data/outputs/${peer}__${label}__$(basename "$image")"
    case $peer in realesrgan-*) target=45 ;; *) target=40 ;; esac
    pad=${TESSERA_PRE_PAD:-auto}
    rows=$((rows + 1))

    psnr=n/a verdict="" tessera_s=n/a same=n/a
    if ! peer_s=$(seconds "$peers" run "$peer" -i "$input" -o "$work/peer.png" -m "$models/$folder" "${opts[@]}"); then
        # shellcheck disable=SC2059
        printf "$format" "$peer" "$label" "$(basename "$image" .png)" "$pad" n/a ">=$target" "" failed n/a \
            "$(tail -n 1 "$work/log")"
        continue
    fi
    if [ "$("$tools" pixels-sha256 "$work/peer.png")" = "$("$tools" pixels-sha256 "$stored")" ]; then
        same=same
    else
        same="differs ($("$tools" psnr "$work/peer.png" "$stored") dB)"
    fi
    # The exact model file, so no --denoise: it would pick a sibling file.
    if [ -x "$cli" ] && tessera_s=$(seconds "$cli" upscale "$input" -o "$work/tessera.png" --overwrite \
            -u "$models/$model" -s "$scale" --pre-pad "$pad" -q) \
        && psnr=$("$tools" psnr "$work/tessera.png" "$work/peer.png" 2>"$work/log"); then
        if [ "$psnr" = inf ] || awk "BEGIN { exit !($psnr >= $target) }"; then
            verdict=ok met=$((met + 1))
        else
            verdict=LOW
        fi
    else
        psnr=n/a tessera_s=n/a
    fi
    # shellcheck disable=SC2059
    printf "$format" "$peer" "$label" "$(basename "$image" .png)" "$pad" "$psnr" ">=$target" "$verdict" \
        "$peer_s" "$tessera_s" "$same"
done < <("$tools" runs "$data/MANIFEST.json" "$@")

echo "$met of $rows runs reach their target."
