#!/usr/bin/env bash
# The training-recipe study of issue 14 (docs/evaluation.md "Training recipe"): MoNL, width 128, depth 4, batch 16,
# lr 1e-3, EMA 0.99, 2000 steps on cache/latents-v2, one knob changed per run against the baseline; the knobs below
# cost the same per step, so equal steps are equal wall time. Judged by the validation ε-loss per noise pattern
# (unweighted, same noise draws for every run). PyTorch trainer (python/avdit_torch), 1 thread.
#   scripts/recipe-study.sh [names…]   → runs/recipe/<name>   (default: baseline minsnr5 cosine)
set -euo pipefail
cd "$(dirname "$0")/.."
run() {  # name flags...
  local name=$1; shift
  local out="runs/recipe/$name" resume=""
  grep -q '"step": *2000' "$out/checkpoint/trainer.json" 2>/dev/null && return 0
  [ -f "$out/checkpoint/trainer.json" ] && resume="--resume"
  PYTHONPATH=python OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m avdit_torch train --data cache/latents-v2 --strategy monl \
    --preset small --width 128 --heads 4 --patch 4 --steps 2000 --batch 16 --lr 1e-3 --warmup 50 --ema 0.99 --seed 0 \
    --checkpoint-every 250 --log-every 50 --threads 1 --out "$out" $resume "$@"
}
for name in ${@:-baseline minsnr5 cosine}; do
  case $name in
    baseline) run baseline ;;                       # today's recipe
    minsnr5) run minsnr5 --min-snr 5 ;;             # Min-SNR-γ weighting (Hang et al. 2023), γ = 5
    cosine) run cosine --schedule cosine ;;         # cosine schedule (Nichol & Dhariwal 2021): its validation loss is
                                                    # under its own schedule, so it is judged by samples, not loss
    *) echo "unknown recipe $name" >&2; exit 1 ;;
  esac
done
