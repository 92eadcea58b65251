#!/bin/bash
# The bundled AVDiT's next campaign (issue 14): continue the v2 campaign's weights (runs/avdit-v2, 3000 steps) with
# the recipe study's winner, Min-SNR-5, a fresh AdamW state and a new warm-up + cosine over STEPS steps at lr 5e-4,
# EMA 0.995 (the v2 campaign's), on the same latents (cache/latents-v2). Trained with avdit_torch (parity-tested against `avdit train`,
# 4.6× faster per core here), in --for chunks under runs/avdit-v3; each chunk checkpoints, keeps the best weights
# by validation loss in runs/avdit-v3/best (fp16) and resumes exactly.
#   nohup bash scripts/campaign-v3.sh &        (THREADS=2 on an idle 2-core machine; CHUNK=20m)
# The same recipe for a later campaign: RUN, FROM (the checkpoint it starts from), DATA (the latent cache), STEPS, LR, e.g.
#   RUN=runs/avdit-v4 FROM=runs/avdit-ftc/checkpoint DATA=cache/latents-ft1933 STEPS=8000 LR=3e-4 nohup bash scripts/campaign-v3.sh &
# SEED: the data-order and noise seed (3). EXTRA: more trainer flags, e.g. EXTRA="--region-weight 8 --regions mouth=0.33,0.72,0.67,0.95" (the mouth-weighted loss).
set -euo pipefail
cd "$(dirname "$0")/.."
run=${RUN:-runs/avdit-v3}
log=runs/logs/$(basename "$run").log
mkdir -p runs/logs
[ -e "$run/checkpoint/trainer.json" ] || node scripts/seed-run.mjs "${FROM:-runs/avdit-v2/checkpoint}" "$run"
while ! grep -q "\"step\": *${STEPS:-2000}\b" "$run/checkpoint/trainer.json"; do
  PYTHONPATH=python OMP_WAIT_POLICY=PASSIVE nice /usr/bin/python3 -m avdit_torch train --data "${DATA:-cache/latents-v2}" --out "$run" --resume \
    --strategy monl --steps "${STEPS:-2000}" --batch 16 --lr "${LR:-5e-4}" --warmup 100 --ema 0.995 --min-snr 5 --seed "${SEED:-3}" \
    --checkpoint-every 250 --log-every 50 --threads "${THREADS:-1}" --for "${CHUNK:-20m}" ${EXTRA:-} >>"$log" 2>&1
done
