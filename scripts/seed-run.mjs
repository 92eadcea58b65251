// Starts a training run from an exported checkpoint (weights + config, no optimizer state): writes
// <run>/checkpoint with those weights as step 0, so `avdit train --resume` continues from them with a fresh
// AdamW state. Used by scripts/gpu-train.sh --from.
//   node scripts/seed-run.mjs <export> <run>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../dist/src/util/node/checkpoint.js';

const [src, run] = process.argv.slice(2);
if (!src || !run) throw new Error('usage: node scripts/seed-run.mjs <export> <run>');
if (existsSync(join(run, 'checkpoint', 'trainer.json'))) throw new Error(`${run}: already holds a training run`);
const ck = loadCheckpoint(src);
const weights = Object.fromEntries(Object.entries(ck.params).filter(([k]) => !k.startsWith('latent.')));
const zeros = (t) => ({ shape: t.shape, data: new Float32Array(t.data.length) });
const optimizer = {};
for (const [k, t] of Object.entries(weights)) Object.assign(optimizer, { [`m.${k}`]: zeros(t), [`v.${k}`]: zeros(t), [`raw.${k}`]: t });
saveCheckpoint(join(run, 'checkpoint'), { config: ck.config, params: ck.params, optimizer, trainer: { step: 0, seededFrom: src } });
console.log(`${run}/checkpoint: step 0 from ${src} (fresh optimizer state)`);
