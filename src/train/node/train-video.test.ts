// The video codec's adversarial terms: the generator term trains the codec and leaves the discriminator alone, the
// discriminator's hinge loss trains the discriminator and leaves the codec alone (one optimizer updates both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../../engine/node.js';
import { ops, grad, type Params, type Tensor } from '../../engine/index.js';
import { toDevice } from '../../nn/params.js';
import { decodeVideo, encodeVideo, videoCodecSpecs, type VideoCodecConfig } from '../../codecs/video-codec.js';
import { randomParams, syntheticCache } from '../../testing/node/tiny.js';
import { normal } from '../../util/rng.js';
import { adversarialTerms, discSpecs, videoTrainTask, VIDEO_TRAIN_DEFAULTS } from './train-video.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, TRAINER_DEFAULTS } from '../trainer.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';

await initNodeEngine({ device: 'wasm' });

test('adversarial terms: the generator term moves only the codec, the hinge loss only the discriminator', async () => {
  const c: VideoCodecConfig = { width: 16, height: 16, latentChannels: 4, hidden: 32, resBlocks: 1, arch: 'v2', spatialFactor: 4 };
  const w = randomParams({ ...videoCodecSpecs(c), ...discSpecs(5, 8) }, 4);
  const x = normal(9, 2 * 5 * 16 * 16 * 3).map((v) => 0.5 + 0.2 * v);
  const box = { x0: 4, y0: 8, x1: 12, y1: 15 };
  const term = (i: 0 | 1) => (p: Params, frames: Tensor) => {
    const y = decodeVideo(p, c, encodeVideo(p, c, frames.ref));
    const t = adversarialTerms(p, y, frames, box);
    t[1 - i].dispose();
    return t[i];
  };
  const norms = async (g: Params) => {
    const out = { disc: 0, codec: 0 };
    for (const [k, t] of Object.entries(g)) out[k.startsWith('disc.') ? 'disc' : 'codec'] += (await ops.read(t)).reduce((a, v) => a + v * v, 0);
    return out;
  };
  const gen = await norms(grad(term(0))(toDevice(w), ops.tensor(x, [2, 5, 16, 16, 3])));
  const disc = await norms(grad(term(1))(toDevice(w), ops.tensor(x, [2, 5, 16, 16, 3])));
  assert.ok(gen.codec > 1e-8, `generator term: codec gradient ${gen.codec}`);
  assert.equal(gen.disc, 0, 'generator term reaches the discriminator');
  assert.ok(disc.disc > 1e-8, `hinge loss: discriminator gradient ${disc.disc}`);
  assert.equal(disc.codec, 0, 'hinge loss reaches the codec');
});

test('--freeze encoder: the encoder (and so the latent statistics) stays as it was, the decoder trains', async () => {
  const root = mkdtempSync(join(tmpdir(), 'avdit-freeze-'));
  const cache = await syntheticCache(root, 3, 34);
  const c: VideoCodecConfig = { width: 32, height: 32, latentChannels: 4, hidden: 16, resBlocks: 1, arch: 'v2', spatialFactor: 4 };
  const o = { ...VIDEO_TRAIN_DEFAULTS, batch: 1, trainFrames: 5, valWindows: 1 };
  const cfg = { ...TRAINER_DEFAULTS, steps: 3, lr: 1e-2, warmupSteps: 1, weightDecay: 0.1, checkpointEvery: 3, logEvery: 3 };
  const quiet = () => {};
  await train(videoTrainTask(cache, c, o), { ...cfg, steps: 1 }, join(root, 'a'), { log: quiet });
  const before = loadCheckpoint(join(root, 'a', 'checkpoint')).params;
  await train(videoTrainTask(cache, c, { ...o, freezeEncoder: true }), cfg, join(root, 'a'), { log: quiet, resume: true });
  const after = loadCheckpoint(join(root, 'a', 'checkpoint')).params;
  const moved = (k: string) => after[k].data.some((v, i) => v !== before[k].data[i]);
  const names = Object.keys(before);
  assert.ok(names.some((k) => k.startsWith('enc.')) && names.some((k) => k.startsWith('dec.')));
  for (const k of names) if (k.startsWith('enc.') || k.startsWith('latent.')) assert.ok(!moved(k), `${k} moved`);
  assert.ok(names.filter((k) => k.startsWith('dec.')).every(moved), 'a decoder tensor did not train');
});
