#!/usr/bin/env bash
# Trains avdit's own AVDiT on a lent GPU machine (WebGPU through the `webgpu` package) for a wall-time
# budget, from a given checkpoint, and leaves what comes back in $OUT: an fp16 export of the weights
# (split into 15 MiB parts when larger), the full training checkpoint when it fits (for exact resume),
# metrics.jsonl, the log, and the WebGPU-vs-PyTorch-CUDA step bench. Also runs on CPU (wasm) as a dry run.
#
# On this machine, once:   npm ci && npm run build && bash scripts/gpu-pack.sh   (.gpu/ + the tree must stay < 64 MiB)
# Then, with the device tool (carry [".gpu"]; the latent cache and any start checkpoint must be in the
# working tree, e.g. an ignored folder named in carry; the tree + .gpu must stay under 64 MiB):
#   source .gpu/prologue.sh; bash scripts/gpu-train.sh --data cache/latents --run runs/gpu --minutes 8 [--from models/avdit] [train flags…]
# Dry run here (wasm, OUT defaults to out/gpu-dry):
#   AVDIT_DEVICE=wasm bash scripts/gpu-train.sh --data <latents> --run /tmp/gpu-dry --minutes 1 --preset tiny
# Back here: join the parts (cat export/model.safetensors.part-* > model.safetensors) if split, then
#   avdit train --data <latents> --out <run> --resume  (from the returned checkpoint) or use the export.
set -euo pipefail
cd "$(dirname "$0")/.."
data= run= minutes=8 from= extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --run) run=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[ -n "$data" ] && [ -n "$run" ] || { echo "usage: scripts/gpu-train.sh --data <latents> --run <run folder> [--minutes 8] [--from <checkpoint>] [train flags]" >&2; exit 2; }
OUT=${OUT:-out/gpu-dry}
mkdir -p "$OUT" "$run"
export AVDIT_DEVICE=${AVDIT_DEVICE:-webgpu}
log="$OUT/train.log"
{
  echo "== $(date -u +%FT%TZ) $(uname -n) device=$AVDIT_DEVICE node $(node --version)"
  nvidia-smi -L 2>/dev/null || true
  node dist/cli/main.js engine
} | tee "$log"
# a start checkpoint that is only an export (no optimizer state): fresh optimizer, same weights
if [ -n "$from" ] && [ ! -e "$run/checkpoint/trainer.json" ]; then
  node scripts/seed-run.mjs "$from" "$run" | tee -a "$log"
fi
resume=()
[ -e "$run/checkpoint/trainer.json" ] && resume=(--resume)
node dist/cli/main.js train --data "$data" --out "$run" "${resume[@]}" --for "${minutes}m" "${extra[@]}" 2>&1 | tee -a "$log"
node dist/cli/main.js export "$run/checkpoint" --out "$OUT/export" --dtype f16 | tee -a "$log"
cp "$run/metrics.jsonl" "$OUT/"
# the bench on the same machine: our step on this device vs the PyTorch twin (CUDA when there is one)
if [ "${GPU_BENCH:-1}" = 1 ]; then
  BENCH_REPS=${BENCH_REPS:-5} BENCH_TORCH_DEVICE=${BENCH_TORCH_DEVICE:-auto} node dist/bench/avdit.js 2>&1 | tee "$OUT/bench-avdit.txt" || true
fi
# files come back at most 16 MiB each, 8 files in all: split what is larger
split_big() { for f in "$@"; do if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt $((15 * 1024 * 1024)) ]; then split -b 15M -d "$f" "$f.part-" && rm "$f"; fi; done; }
split_big "$OUT/export/model.safetensors"
# the full checkpoint (optimizer state: exact resume) only when it fits in what may come back
ck=$(du -sb "$run/checkpoint" | cut -f1)
if [ "$ck" -lt $((14 * 1024 * 1024)) ]; then tar cf "$OUT/checkpoint.tar" -C "$run" checkpoint; else echo "checkpoint ($ck bytes) too large to bring back; the fp16 export is" | tee -a "$log"; fi
echo "files in $OUT:"; find "$OUT" -type f | sort
