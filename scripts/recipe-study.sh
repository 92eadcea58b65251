#!/usr/bin/env bash
# The training-recipe study of issue 14 (docs/evaluation.md "Training recipe at equal wall time"): MoNL, width 128,
# depth 4, batch 16, lr 1e-3 on cache/latents-v2, one knob changed per run, each given the wall time of 2000 baseline
# steps on one core (steps scaled by the measured step-time ratio: self-conditioning 0.77×, width 192 0.64×). The
# baseline is the comparison's runs/compare-v2/monl-s0 (scripts/train-comparison-v2.sh). PyTorch trainer, 1 thread.
set -euo pipefail
cd "$(dirname "$0")/.."
run() {  # name steps flags...
  local name=$1 steps=$2; shift 2
  grep -q "\"step\": *$steps" "runs/recipe/$name/checkpoint/trainer.json" 2>/dev/null && return 0
  PYTHONPATH=python OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m avdit_torch train --data cache/latents-v2 --strategy monl \
    --preset small --width 128 --heads 4 --patch 4 --steps "$steps" --batch 16 --lr 1e-3 --warmup 50 --ema 0.99 --seed 0 \
    --checkpoint-every 250 --log-every 50 --threads 1 --out "runs/recipe/$name" --force "$@"
}
run minsnr5 2000 --min-snr 5          # Min-SNR-γ weighting (Hang et al. 2023), γ = 5
run cosine 2000 --schedule cosine     # cosine schedule (Nichol & Dhariwal 2021)
run selfcond 1530 --self-condition    # self-conditioning (Chen et al. 2022, paper-notes): 0.77× the steps
run w192 1290 --width 192             # wider at equal wall time: 0.64× the steps
