#!/usr/bin/env bash
# The five-strategy comparison at 5× the wave-1 budget (issue 14, docs/evaluation.md "The paper's claim at 2000 steps"):
# vanilla, pm, pt, ptm and MoNL, one recipe, 2 training seeds each, on the v2 latents of both GRID folders
# (the bundled model's size: width 192, depth 4, patch 4, 2.86M parameters — at width 128 the models' samples were
# not faces after 2000 steps: validation loss 0.151 vs 0.12 for a width-192 model whose samples are; see docs/evaluation.md)
# (cache/latents-v2). Trained with avdit's PyTorch trainer (python/avdit_torch: same batches, initial weights and
# objective as `avdit train`, parity-tested) because it runs ~3.4 steps/s on one core against ~1 in jax-js's wasm.
#   Usage: scripts/train-comparison-v2.sh [steps] [seeds] [variants]     → runs/compare-v2/<variant>-s<seed>
#   (two cores: one process per seed,  scripts/train-comparison-v2.sh 2000 0 &  scripts/train-comparison-v2.sh 2000 1 &)
#   Environment: DATA (latent cache, default cache/latents-v2), RUNS (default runs/compare-v2), PYTHON (default
#   Debian's /usr/bin/python3), DEVICE (cpu|cuda, default cpu), THREADS (default 1), EXTRA (more train flags, e.g. "--for 280s") — scripts/gpu-lease.sh sets them.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2000}; seeds=${2:-"0 1"}; variants=${3:-"vanilla monl pm ptm pt"}  # the order the paper's findings need them
for seed in $seeds; do
  for s in $variants; do
    out="${RUNS:-runs/compare-v2}/$s-s$seed"
    grep -q "\"step\": *$steps" "$out/checkpoint/trainer.json" 2>/dev/null && continue
    resume=""; [ -f "$out/checkpoint/trainer.json" ] && resume="--resume"
    PYTHONPATH=python OMP_WAIT_POLICY=PASSIVE "${PYTHON:-/usr/bin/python3}" -m avdit_torch train --data "${DATA:-cache/latents-v2}" --device "${DEVICE:-cpu}" \
      --strategy "$s" --preset small --patch 4 --steps "$steps" --batch 16 --lr 1e-3 \
      --warmup 50 --ema 0.99 --seed "$seed" --checkpoint-every 250 --log-every 50 --threads "${THREADS:-1}" \
      --out "$out" $resume ${EXTRA:-}
  done
done
