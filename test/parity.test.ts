// Parity with the PyTorch twins (same weights → same outputs). Runs where Debian's python3-torch is
// installed; skipped (with the reason) elsewhere, e.g. in CI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../src/engine/node.js';
import { ops, refTree } from '../src/engine/index.js';
import { toDevice } from '../src/nn/params.js';
import { encodeVideo, decodeVideo, videoCodecSpecs, videoLatentShape, spatialFactor, type VideoCodecConfig } from '../src/codecs/video-codec.js';
import { regionWeightMap, videoReconLoss, discSpecs, probeSpecs } from '../src/train/node/train-video.js';
import { boxPixels } from '../src/data/config.js';
import { encodeAudio, decodeAudio, audioCodecSpecs, AUDIO_CODEC_DEFAULTS } from '../src/codecs/audio-codec.js';
import { normal } from '../src/util/rng.js';
import type { HostParams } from '../src/util/safetensors.js';
import { runTwin, twinUnavailable } from '../bench/twins.js';
import { randomParams } from '../src/testing/node/tiny.js';
import { Vggish, VGGISH_SHAPES, vggishExamples } from '../src/eval/vggish.js';

const skip = twinUnavailable() ?? false;
if (!skip) await initNodeEngine({ device: 'wasm' });

/** random (not zero) weights everywhere, so every path of the network carries signal */
const randomWeights = (specs: Record<string, { shape: number[] }>, seed: number): HostParams => randomParams(specs, seed, 0.2);

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let scale = 0,
    d = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    d = Math.max(d, Math.abs(a[i] - b[i]));
  }
  return d / Math.max(scale, 1e-6);
}

for (const c of [
  { width: 16, height: 16, latentChannels: 4, hidden: 16, resBlocks: 1 },
  { width: 16, height: 16, latentChannels: 4, hidden: 32, resBlocks: 1, arch: 'v2', spatialFactor: 4 },
] as VideoCodecConfig[]) {
  test(
    `video codec ${c.arch ?? 'v1'}: avdit and its PyTorch twin agree (encode, round trip, region-weighted loss with the motion and pooled motion terms)`,
    { skip },
    async () => {
      const f = spatialFactor(c);
      const latBox = boxPixels([0.25, 0.5, 0.75, 1], 16 / f, 16 / f);
      const cells = (latBox.y1 - latBox.y0) * (latBox.x1 - latBox.x0);
      const w = randomWeights({ ...videoCodecSpecs(c), ...discSpecs(9, 8), ...probeSpecs(cells, c.latentChannels) }, 1);
      const x = normal(5, 2 * 9 * 16 * 16 * 3).map((v) => 0.5 + 0.2 * v);
      const p = toDevice(w);
      const z = await ops.read(encodeVideo(refTree(p), c, ops.tensor(x, [2, 9, 16, 16, 3])));
      const y = await ops.read(decodeVideo(refTree(p), c, encodeVideo(refTree(p), c, ops.tensor(x, [2, 9, 16, 16, 3]))));
      const wmap = regionWeightMap(16, 16, [[0.25, 0.5, 0.75, 1]], 4)!;
      const [loss] = videoReconLoss(toDevice(w), c, ops.tensor(x, [2, 9, 16, 16, 3]), null, ops.tensor(wmap, [1, 1, 16, 16, 1]), 1);
      const ours = (await ops.read(loss))[0];
      const r = runTwin(w, { x: { data: x, shape: [2, 9, 16, 16, 3] }, wm: { data: wmap, shape: [1, 1, 16, 16, 1] } }, [
        { module: 'video_codec', fn: 'encode_video', config: c, inputs: ['x'], output: 'z' },
        { module: 'video_codec', fn: 'roundtrip', config: c, inputs: ['x'], output: 'y' },
        { module: 'video_codec', fn: 'train_loss_motion', config: c, inputs: ['x', 'wm'], output: 'loss' },
        { module: 'video_codec', fn: 'train_loss_pooled', config: c, inputs: ['x', 'wm'], output: 'lossPooled' },
        { module: 'video_codec', fn: 'train_loss_adv', config: c, inputs: ['x', 'wm'], output: 'lossAdv' },
        { module: 'video_codec', fn: 'train_loss_latmotion', config: c, inputs: ['x', 'wm'], output: 'lossLatMotion' },
      ]);
      assert.deepEqual(r.results[0].shape, [2, 3, ...videoLatentShape(c, 9).slice(1)]);
      assert.ok(maxRelDiff(z, r.results[0].output!) < 1e-4, `latents differ by ${maxRelDiff(z, r.results[0].output!)}`);
      assert.ok(maxRelDiff(y, r.results[1].output!) < 1e-4, `reconstructions differ by ${maxRelDiff(y, r.results[1].output!)}`);
      const theirs = r.results[2].output![0];
      assert.ok(Math.abs(ours - theirs) / theirs < 1e-4, `loss: avdit ${ours} vs PyTorch ${theirs}`);
      // + the pooled motion term (weight 2) on the region's 3×3 blocks: boxPixels of [0.25, 0.5, 0.75, 1] at 16×16
      const box = boxPixels([0.25, 0.5, 0.75, 1], 16, 16);
      assert.deepEqual(box, { x0: 4, y0: 8, x1: 12, y1: 16 });
      const wt = ops.tensor(wmap, [1, 1, 16, 16, 1]);
      const [pl] = videoReconLoss(toDevice(w), c, ops.tensor(x, [2, 9, 16, 16, 3]), null, wt, 1, { boxes: [box], weight: 2 });
      const oursP = (await ops.read(pl))[0],
        theirsP = r.results[3].output![0];
      assert.ok(oursP > ours, 'the pooled term adds to the loss');
      assert.ok(Math.abs(oursP - theirsP) / theirsP < 1e-4, `pooled loss: avdit ${oursP} vs PyTorch ${theirsP}`);
      // + the adversarial terms (generator weight 0.5) on an odd-height box, cut to 8×6 for the discriminator
      const advBox = { x0: 4, y0: 8, x1: 12, y1: 15 };
      const [al] = videoReconLoss(toDevice(w), c, ops.tensor(x, [2, 9, 16, 16, 3]), null, ops.tensor(wmap, [1, 1, 16, 16, 1]), 1, null, {
        box: advBox,
        weight: 0.5,
      });
      const oursA = (await ops.read(al))[0],
        theirsA = r.results[4].output![0];
      assert.ok(Math.abs(oursA - ours) > 1e-3, 'the adversarial terms change the loss');
      assert.ok(Math.abs(oursA - theirsA) / theirsA < 1e-4, `adversarial loss: avdit ${oursA} vs PyTorch ${theirsA}`);
      // + the latent motion term (weight 0.5): the read-out from the latents inside the box at latent resolution
      const [ll] = videoReconLoss(toDevice(w), c, ops.tensor(x, [2, 9, 16, 16, 3]), null, ops.tensor(wmap, [1, 1, 16, 16, 1]), 1, null, null, {
        box,
        latBox,
        weight: 0.5,
      });
      const oursL = (await ops.read(ll))[0],
        theirsL = r.results[5].output![0];
      assert.ok(oursL > ours + 1e-3, 'the latent motion term adds to the loss');
      assert.ok(Math.abs(oursL - theirsL) / theirsL < 1e-4, `latent motion loss: avdit ${oursL} vs PyTorch ${theirsL}`);
    },
  );
}

for (const dropNyquist of [false, true])
  test(`audio codec (dropNyquist ${dropNyquist}): avdit and its PyTorch twin agree (encode, decode)`, { skip }, async () => {
    const c = { ...AUDIO_CODEC_DEFAULTS, latentChannels: 4, hidden: 16, resBlocks: 1, dropNyquist };
    const w = randomWeights(audioCodecSpecs(c), 2);
    const m = normal(6, 2 * 20 * 80).map((v) => -4 + v);
    const p = toDevice(w);
    const z = await ops.read(encodeAudio(refTree(p), c, ops.tensor(m, [2, 20, 80])));
    const y = await ops.read(decodeAudio(refTree(p), c, ops.tensor(z, [2, 10, 4])));
    const r = runTwin(w, { m: { data: m, shape: [2, 20, 80] }, z: { data: z, shape: [2, 10, 4] } }, [
      { module: 'audio_codec', fn: 'encode_audio', config: c, inputs: ['m'], output: 'z' },
      { module: 'audio_codec', fn: 'decode_audio', config: c, inputs: ['z'], output: 'y' },
    ]);
    assert.ok(maxRelDiff(z, r.results[0].output!) < 1e-4, `latents differ by ${maxRelDiff(z, r.results[0].output!)}`);
    assert.deepEqual(r.results[1].shape, [2, 20, dropNyquist ? 512 : 513]);
    assert.ok(maxRelDiff(y, r.results[1].output!) < 1e-4, `spectrograms differ by ${maxRelDiff(y, r.results[1].output!)}`);
  });

test('activity net: avdit and its PyTorch twin agree (speech logits per pixel frame)', { skip }, async () => {
  const { activityForward, activitySpecs, isTrained } = await import('../src/model/activity.js');
  const c = {
    latentShape: [3, 4, 4, 4] as [number, number, number, number],
    frames: [
      [0, 0],
      [1, 4],
      [5, 8],
    ] as [number, number][],
    hidden: 16,
    speechLevel: 0,
  };
  const w = randomWeights(Object.fromEntries(Object.entries(activitySpecs(c, 4)).filter(([k]) => isTrained(k))), 4);
  const z = normal(7, 2 * 3 * 4 * 4 * 4);
  const ours = await ops.read(activityForward(toDevice(w), c, ops.tensor(z, [2, 3, 4, 4, 4])));
  const r = runTwin(w, { z: { data: z, shape: [2, 3, 4, 4, 4] } }, [
    { module: 'activity', fn: 'forward', config: c, inputs: ['z'], output: 'logits' },
  ]);
  assert.deepEqual(r.results[0].shape, [2, 9]);
  assert.ok(maxRelDiff(ours, r.results[0].output!) < 1e-4, `logits differ by ${maxRelDiff(ours, r.results[0].output!)}`);
});

test(
  'AVDiT MoNL loss: avdit and its PyTorch twin agree on the same batch (≤ 1e-4 relative), with and without self-conditioning',
  { skip },
  async () => {
    const { AVDIT_PRESETS, avditSpecs, avditConsts } = await import('../src/model/avdit.js');
    const { segmentLayout } = await import('../src/monl/segments.js');
    const { makeTokenLayout } = await import('../src/monl/layout.js');
    const { monlLoss, monlBatchTensors } = await import('../src/train/monl-loss.js');
    const { twinBatch, TWIN_INPUTS } = await import('../bench/avdit-batch.js');
    const l = makeTokenLayout(segmentLayout(9, 8, 56, 0.02), { L: 3, h: 4, w: 4, C: 4 }, { La: 56, C: 4 }, 2, 8, 0.02);
    for (const selfCondition of [false, true]) {
      const c = { ...AVDIT_PRESETS.tiny, width: 32, depth: 2, heads: 2, selfCondition };
      const w = randomWeights(avditSpecs(c, l), 3);
      const B = 4;
      const { bt, host, twinConfig } = twinBatch(c, l, B, 11, 1);
      const [loss] = monlLoss(toDevice(w), c, l, avditConsts(c, l), monlBatchTensors(bt, l, B, selfCondition ? 1 : 0, 0));
      const ours = (await ops.read(loss))[0];
      const r = runTwin(w, host, [{ module: 'avdit', fn: 'loss_from_inputs', config: twinConfig, inputs: TWIN_INPUTS, output: 'loss' }]);
      const theirs = r.results[0].output![0];
      assert.ok(Math.abs(ours - theirs) / Math.abs(theirs) <= 1e-4, `self-cond ${selfCondition}: avdit ${ours} vs PyTorch ${theirs}`);
    }
  },
);

test("VGGish: avdit and torchvggish's network agree on the same state dict (≤ 1e-4 relative)", { skip }, async () => {
  // He-scaled random weights in torchvggish's layouts, so activations survive 9 ReLU layers
  const w: HostParams = Object.fromEntries(
    Object.entries(VGGISH_SHAPES).map(([k, shape], i) => {
      const fanIn = shape.length === 4 ? shape[1] * 9 : shape.length === 2 ? shape[1] : 1;
      return [
        k,
        {
          shape,
          data: normal(
            300 + i,
            shape.reduce((a, b) => a * b, 1),
            shape.length === 1 ? 0.01 : Math.sqrt(2 / fanIn),
          ),
        },
      ];
    }),
  );
  const sr = 16000;
  const audio = Float32Array.from(
    { length: Math.round(1.5 * sr) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / sr) + 0.05 * Math.sin(i * 1.7),
  );
  const ex = vggishExamples(audio, sr);
  assert.equal(ex.count, 2); // 1.5 s → 148 frames → examples at 0 and 48
  const ours = await new Vggish(w, 'random').embedExamples(ex.data, ex.count);
  const r = runTwin(w, { x: { data: ex.data, shape: [ex.count, 96, 64] } }, [
    { module: 'vggish', fn: 'vggish', config: {}, inputs: ['x'], output: 'e' },
  ]);
  assert.deepEqual(r.results[0].shape, [2, 128]);
  assert.ok(
    ours.some((v) => v > 0),
    'embeddings are not all zero',
  );
  assert.ok(maxRelDiff(ours, r.results[0].output!) < 1e-4, `embeddings differ by ${maxRelDiff(ours, r.results[0].output!)}`);
});
