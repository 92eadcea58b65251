#!/bin/bash
# Issue 11 probe: can the bundled v2 video codec be taught to keep the lip motion *inside* a latent frame?
# Fine-tunes models/video-codec (fresh AdamW state) with a heavier mouth/eyes weight and motion term than its own
# training (region weight 8 → REGION, motion 1 → MOTION), then reports the reconstruction's lip sync on the 78
# validation windows of both GRID folders, as docs/codecs.md measured the bundled codec (SyncCorr 0.152 there).
#   nohup bash scripts/codec-motion-ft.sh &      (AVDIT_THREADS=1 beside other work; CHUNK, STEPS, REGION, MOTION)
# RUN names the run folder (log: runs/logs/<its name>.log), EXTRA adds flags, e.g. the pooled motion term (session 6):
#   RUN=runs/codec-pool-ft EXTRA="--pool-motion-weight 8" nohup bash scripts/codec-motion-ft.sh &
# the latent motion term (session 7: reconstruction SyncCorr 0.220 → 0.260 at step 1901, after a second run with STEPS=2000):
#   RUN=runs/codec-latmo4 EXTRA="--latent-motion-weight 4" nohup bash scripts/codec-motion-ft.sh &
# the decoder alone, on the latent-motion codec's fixed latents (session 8; SEED: the export the run starts from):
#   RUN=runs/codec-dec SEED=runs/exports/video-codec-latmo4-1901 EXTRA="--freeze encoder --pool-motion-weight 8" nohup bash scripts/codec-motion-ft.sh &
# (it stopped at step 535 of 1000, reconstruction SyncCorr unchanged); the bundled codec is that run continued to step 1000
# with less noise on the latents (SyncCorr 0.260 -> 0.323):
#   cp -r runs/codec-dec runs/codec-dec-n01 && RUN=runs/codec-dec-n01 CHUNK=40m \
#     EXTRA="--freeze encoder --pool-motion-weight 8 --latent-noise 0.01" nohup bash scripts/codec-motion-ft.sh &
set -euo pipefail
cd "$(dirname "$0")/.."
run=${RUN:-runs/codec-motion-ft}
mkdir -p runs/logs
[ -e "$run/checkpoint/trainer.json" ] || node scripts/seed-run.mjs "${SEED:-models/video-codec}" "$run"
nice node dist/cli/main.js codec train --data cache/grid-all --modality video --out "$run" --resume --steps "${STEPS:-1000}" \
  --batch 4 --frames 9 --region-weight "${REGION:-16}" --motion-weight "${MOTION:-4}" --lr 3e-4 --warmup 50 \
  --checkpoint-every 100 --log-every 20 --for "${CHUNK:-45m}" ${EXTRA:-} >>"runs/logs/$(basename "$run").log" 2>&1
nice node dist/cli/main.js codec eval --data cache/grid-all --video "$run/checkpoint" --clips 78 --mp4-clips 3 \
  --out "$run/eval" >>"runs/logs/$(basename "$run").log" 2>&1
