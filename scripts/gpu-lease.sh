#!/usr/bin/env bash
# Everything one lent GPU machine is for, in one device command (a lease is 15 minutes, machine start included, so
# this runs ≈ 8.5 minutes and brings back ≤ 8 files of ≤ 16 MiB):
#   1. the step bench on an idle GPU: avdit on WebGPU against the PyTorch twin on CUDA (issue 12);
#   2. then, side by side on the GPU: more strategy-comparison runs with avdit_torch (issue 14, CMP_RUNS: a third seed
#      of all five at 2000 steps, and MoNL against pt at 5× that budget), two MoNL campaign candidates (CAMPAIGNS),
#      and avdit's own trainer on WebGPU through scripts/gpu-train.sh (end-to-end check of that script);
#   3. fp16 exports of every run + all logs and metrics, packed into $OUT.
# Here, first (the latent cache travels packed: tree + carried paths must stay under 64 MiB):
#   npm ci && npm run build && bash scripts/gpu-pack.sh
#   /usr/bin/python3 scripts/latent-pack.py pack cache/latents-v2 .gpu-data/latents-v2.pack
#   (LATENTS_PACK picks another pack, e.g. the bundled codec's latents: pack cache/latents-ft1933 to
#   .gpu-data/latents-ft1933.pack and run with LATENTS_PACK=.gpu-data/latents-ft1933.pack; the strategy comparison's
#   earlier seeds were trained on latents-v2)
# Device command (carry [".gpu", "dist", ".gpu-data"]):   source .gpu/prologue.sh; bash scripts/gpu-lease.sh
# Dry run here on the CPU (tiny step counts, wasm, same files out):   LEASE_DRY=1 OUT=/tmp/lease-out bash scripts/gpu-lease.sh
# Back here: tar xf <file> -C runs/lease for each models-*.tar (models cmp-<steps>-<strategy>-s<seed>, <campaign>-best), tar xJf logs.tar.xz.
set -uo pipefail  # not -e: each part stands alone, and whatever finished comes back
cd "$(dirname "$0")/.."
OUT=${OUT:-out/lease}
W=${LEASE_WORK:-/tmp/lease}
rm -rf "$W"; mkdir -p "$OUT" "$W/logs" "$W/models"
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*" | tee -a "$W/logs/lease.log"; }
PY=${PYTHON:-$(command -v python3)}
if [ "${LEASE_DRY:-0}" = 1 ]; then
  DEV=cpu; export AVDIT_DEVICE=wasm; TORCH_BENCH=cpu; CMP_STEPS=${CMP_STEPS:-20}; C_STEPS=20; TRAIN_SECONDS=${TRAIN_SECONDS:-90}; BENCH_SECONDS=${BENCH_SECONDS:-120}
  PY=${PYTHON:-/usr/bin/python3}; GPU_MIN=0.3
else
  DEV=cuda; export AVDIT_DEVICE=webgpu; TORCH_BENCH=cuda; CMP_STEPS=${CMP_STEPS:-2000}; C_STEPS=; TRAIN_SECONDS=${TRAIN_SECONDS:-300}; BENCH_SECONDS=${BENCH_SECONDS:-120}
  GPU_MIN=2
fi
# strategy:seed[:steps] (steps default CMP_STEPS); runs go to $W/compare-<steps>/<strategy>-s<seed>
CMP_RUNS=${CMP_RUNS:-"vanilla:2 pm:2 pt:2 ptm:2 monl:2 monl:0:10000 pt:0:10000"}
# name:width:depth:heads:batch:lr:steps — MoNL, Min-SNR-5 (the recipe study's winner), EMA 0.999
CAMPAIGNS=${CAMPAIGNS:-"c192:192:4:4:64:5e-4:5000 c256:256:6:4:64:5e-4:3000"}

say "lease on $(uname -n): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
{ nvidia-smi 2>&1 | head -15; node --version; "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'; } >"$W/logs/system.txt" 2>&1
say "unpacking the latent cache"
"$PY" scripts/latent-pack.py unpack "${LATENTS_PACK:-.gpu-data/latents-v2.pack}" "$W/latents" 2>&1 | tee -a "$W/logs/lease.log"
DATA="$W/latents"

say "bench: avdit ($AVDIT_DEVICE) vs PyTorch ($TORCH_BENCH), idle machine"
AVDIT_PYTHON="$PY" BENCH_TORCH_DEVICE=$TORCH_BENCH BENCH_REPS=${BENCH_REPS:-5} timeout "$BENCH_SECONDS" node dist/bench/avdit.js >"$W/logs/bench-avdit.txt" 2>&1
say "bench exit $?: $(grep -E 'ms/step|ratio' "$W/logs/bench-avdit.txt" | tr '\n' ' ')"

say "training side by side for ≤ ${TRAIN_SECONDS}s: comparison runs [$CMP_RUNS], campaigns [$CAMPAIGNS], avdit on $AVDIT_DEVICE"
pids=()
for r in $CMP_RUNS; do
  IFS=: read -r v s st <<<"$r"
  st=${st:-$CMP_STEPS}; [ "${LEASE_DRY:-0}" = 1 ] && st=$CMP_STEPS
  DATA="$DATA" RUNS="$W/compare-$st" PYTHON="$PY" DEVICE=$DEV THREADS=1 PYTHONUNBUFFERED=1 EXTRA="--for $((TRAIN_SECONDS - 20))s" \
    timeout -k 10 "$TRAIN_SECONDS" bash scripts/train-comparison-v2.sh "$st" "$s" "$v" >"$W/logs/cmp-$st-$v-s$s.log" 2>&1 &
  pids+=($!)
done
for c in $CAMPAIGNS; do
  IFS=: read -r name width depth heads batch lr steps <<<"$c"
  PYTHONPATH=python PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=PASSIVE "$PY" -m avdit_torch train --data "$DATA" --out "$W/$name" \
    --strategy monl --preset small --patch 4 --width "$width" --depth "$depth" --heads "$heads" --batch "$batch" --lr "$lr" \
    --warmup 200 --ema 0.999 --min-snr 5 --steps "${C_STEPS:-$steps}" --for "$((TRAIN_SECONDS - 20))s" \
    --checkpoint-every 500 --log-every 100 --device $DEV --threads 2 >"$W/logs/$name.log" 2>&1 &
  pids+=($!)
done
OUT="$W/webgpu" GPU_BENCH=0 timeout "$TRAIN_SECONDS" bash scripts/gpu-train.sh --data "$DATA" --run "$W/webgpu-run" \
  --minutes "$GPU_MIN" --preset small --patch 4 --batch 16 --lr 1e-3 --warmup 50 --ema 0.99 >"$W/logs/webgpu-train.log" 2>&1 &
pids+=($!)
wait "${pids[@]}"
say "training done: $(grep -h '^step ' "$W"/logs/*.log | wc -l) log lines"

say "exports (fp16)"
for d in "$W"/compare-*/*/; do
  n=$(basename "$(dirname "$d")")-$(basename "$d"); n=${n#compare-}
  [ -f "$d/checkpoint/config.json" ] && PYTHONPATH=python "$PY" -m avdit_torch export --checkpoint "$d/checkpoint" --out "$W/models/cmp-$n" --dtype f16 >/dev/null
  cp "$d/metrics.jsonl" "$W/logs/cmp-$n.metrics.jsonl" 2>/dev/null
done
for c in $CAMPAIGNS; do
  name=${c%%:*}
  [ -d "$W/$name/best" ] && cp -r "$W/$name/best" "$W/models/$name-best"
  cp "$W/$name/metrics.jsonl" "$W/logs/$name.metrics.jsonl" 2>/dev/null
done
cp "$W/webgpu/train.log" "$W/logs/webgpu-train-inner.log" 2>/dev/null
cp "$W/webgpu/metrics.jsonl" "$W/logs/webgpu.metrics.jsonl" 2>/dev/null
say "packing into $OUT"
# models into tars of ≤ 15.5 MiB (first fit, largest first); what does not fit in 7 tars stays behind
"$PY" - "$W/models" "$OUT" <<'EOF'
import os, sys, tarfile
src, out = sys.argv[1:]
size = lambda d: sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
models = sorted((d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))), key=lambda d: -size(os.path.join(src, d)))
cap, bins = 15.5 * 2**20, []
for m in models:
    s = size(os.path.join(src, m))
    b = next((b for b in bins if b[0] + s <= cap), None)
    if b is None and len(bins) < 7 and s <= cap:
        b = [0, []]; bins.append(b)
    if b is None:
        print(f"left behind (no room): {m}"); continue
    b[0] += s; b[1].append(m)
for i, (s, ms) in enumerate(bins):
    with tarfile.open(os.path.join(out, f"models-{i}.tar"), "w") as t:
        for m in ms:
            t.add(os.path.join(src, m), arcname=m)
    print(f"models-{i}.tar: {s / 2**20:.1f} MiB: {' '.join(ms)}")
EOF
say "done"
tar cJf "$OUT/logs.tar.xz" -C "$W" logs
ls -la "$OUT"
