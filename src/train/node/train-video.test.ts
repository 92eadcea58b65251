// The video codec's adversarial terms: the generator term trains the codec and leaves the discriminator alone, the
// discriminator's hinge loss trains the discriminator and leaves the codec alone (one optimizer updates both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../../engine/node.js';
import { ops, grad, type Params, type Tensor } from '../../engine/index.js';
import { toDevice } from '../../nn/params.js';
import { decodeVideo, encodeVideo, videoCodecSpecs, type VideoCodecConfig } from '../../codecs/video-codec.js';
import { randomParams } from '../../testing/node/tiny.js';
import { normal } from '../../util/rng.js';
import { adversarialTerms, discSpecs } from './train-video.js';

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
