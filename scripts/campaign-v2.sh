#!/bin/bash
# The AVDiT v2 campaign (issue 14), resumable across sessions: latents of both GRID folders through the wave-2
# bundled wave-2 codecs (models/video-codec, models/audio-codec), then AVDiT small (patch 4: 80 video tokens on the 16×16 latents), MoNL, in 20-minute
# --for chunks under runs/avdit-v2 (each chunk checkpoints and keeps its best weights in runs/avdit-v2/best; then
# `avdit report` adds a point to runs/avdit-v2/progress.jsonl and redraws runs/avdit-v2/report/report.png).
#   nohup bash scripts/campaign-v2.sh &      (needs cache/grid-all: avdit data prepare ../shared/data --out cache/grid-all --crop 200:200:52:44 --regions grid)
cd "$(dirname "$0")/.."
mkdir -p runs/logs
[ -f cache/latents-v2/latents.json ] || nice node dist/cli/main.js encode --data cache/grid-all --video models/video-codec --audio models/audio-codec --out cache/latents-v2 >> runs/logs/next.log 2>&1
for i in $(seq 1 "${CHUNKS:-20}"); do
  nice node dist/cli/main.js train --data cache/latents-v2 --strategy monl --preset small --patch 4 --steps 3000 --batch 16 --lr 1e-3 --warmup 100 \
    --ema 0.995 --checkpoint-every 100 --log-every 20 --out runs/avdit-v2 --resume --for 20m >> runs/logs/avdit-v2.log 2>&1 || break
  # the progress page after each chunk: curves, condition influence of the best weights over steps, strips
  nice node dist/cli/main.js report --run runs/avdit-v2 --data cache/grid-all --video-codec models/video-codec \
    --audio-codec models/audio-codec >> runs/logs/avdit-v2.log 2>&1 || true
  grep -q '"step": *3000' runs/avdit-v2/checkpoint/trainer.json 2>/dev/null && break
done
