// Gives a training run's model the aligned context paths (issue 14): copies the checkpoint of <run> to <new run> with
// model.audioContext = K, model.videoContext = true and/or model.videoFrameContext = true, the new projections
// (`embed.audioContext`, `embed.videoContext`, `embed.videoFrames`) at their initialisation (zeros: the model computes exactly what it did) with a fresh optimizer
// state for those tensors only; every other tensor, its AdamW moments and the step stay, so `--resume` continues the same
// schedule. Compare the new run with <run> continued for as many steps.
//   node scripts/grow-run.mjs <run> <new run> [--audio-context K] [--video-context] [--video-frame-context]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../dist/src/util/node/checkpoint.js';
import { avditSpecs } from '../dist/src/model/avdit.js';
import { layoutFromManifest } from '../dist/src/train/node/monl-task.js';
import { openLatentCache } from '../dist/src/codecs/node/latents.js';
import { initHostParams } from '../dist/src/nn/params.js';

const args = process.argv.slice(2);
const [src, dst] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--audio-context');
const ai = args.indexOf('--audio-context');
const K = ai >= 0 ? Number(args[ai + 1]) : 0;
const video = args.includes('--video-context'),
  frames = args.includes('--video-frame-context');
if (!src || !dst || !(Number.isInteger(K) && K >= 0) || (!K && !video && !frames))
  throw new Error('usage: node scripts/grow-run.mjs <run> <new run> [--audio-context K ≥ 1] [--video-context] [--video-frame-context]');
if (existsSync(join(dst, 'checkpoint'))) throw new Error(`${dst}: already holds a run`);
const ck = loadCheckpoint(join(src, 'checkpoint'));
if (ck.config.kind !== 'avdit') throw new Error(`${src}/checkpoint: not an AVDiT run`);
if (!ck.optimizer || !ck.trainer) throw new Error(`${src}/checkpoint: no optimizer state (an export; seed a run from it first)`);
if (K && ck.config.model.audioContext) throw new Error(`${src}/checkpoint: the model already has an audio context`);
if (video && ck.config.model.videoContext) throw new Error(`${src}/checkpoint: the model already has a video context`);
if (frames && ck.config.model.videoFrameContext) throw new Error(`${src}/checkpoint: the model already has a video frame context`);
const model = {
  ...ck.config.model,
  ...(K ? { audioContext: K } : {}),
  ...(video ? { videoContext: true } : {}),
  ...(frames ? { videoFrameContext: true } : {}),
};
const l = layoutFromManifest(openLatentCache(ck.config.latents.path).manifest, model.patch);
const specs = avditSpecs(model, l);
const init = initHostParams(specs, ck.trainer.seed ?? 0);
const params = { ...ck.params },
  optimizer = { ...ck.optimizer };
const zeros = (t) => ({ shape: t.shape, data: new Float32Array(t.data.length) });
for (const name of Object.keys(specs).filter((n) => !(n in ck.params))) {
  params[name] = init[name];
  Object.assign(optimizer, { [`raw.${name}`]: init[name], [`m.${name}`]: zeros(init[name]), [`v.${name}`]: zeros(init[name]) });
  console.log(`+ ${name} [${init[name].shape}]`);
}
saveCheckpoint(join(dst, 'checkpoint'), { config: { ...ck.config, model }, params, optimizer, trainer: { ...ck.trainer, grownFrom: src } });
console.log(`${dst}/checkpoint: step ${ck.trainer.step} of ${src}; model ${JSON.stringify(model)}`);
