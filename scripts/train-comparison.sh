#!/usr/bin/env bash
# Equal-budget training of the strategy variants compared in docs/evaluation.md (issues 4 and 6).
# Every variant: same model (width 128, depth 4), same data, batches, seed, steps and schedule;
# only the noise-level assignment differs. Usage: scripts/train-comparison.sh [steps] [variants...]
set -euo pipefail
steps=${1:-400}; shift || true
variants=${@:-vanilla pm pt ptm monl}
for s in $variants; do
  node dist/cli/main.js train --data cache/latents --strategy "$s" --preset small --width 128 --heads 4 \
    --steps "$steps" --batch 16 --lr 1e-3 --warmup 50 --ema 0.99 --seed 0 --checkpoint-every 100 --log-every 20 \
    --out "runs/compare/$s" --resume
done
