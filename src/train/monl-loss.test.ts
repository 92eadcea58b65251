import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearSchedule } from '../diffusion/schedule.js';
import { initNodeEngine } from '../engine/node.js';
import { ops, refTree } from '../engine/index.js';
import { toDevice } from '../nn/params.js';
import { randomParams } from '../testing/node/tiny.js';
import { AVDIT_PRESETS, avditConsts, avditSpecs } from '../model/avdit.js';
import { normal } from '../util/rng.js';
import { makeMonlBatch, minSnrWeights, monlBatchTensors, monlLoss, quietWeights } from './monl-loss.js';
import { makeTokenLayout } from '../monl/layout.js';
import { segmentLayout } from '../monl/segments.js';
import { MIXTURES } from '../monl/strategies.js';

test('Min-SNR-γ weights: 1 where SNR ≤ γ (noisy steps), γ/SNR above it (clean steps), and only when asked for', () => {
  const s = linearSchedule();
  const snr = (t: number) => s.alphaBars[t] / (1 - s.alphaBars[t]);
  const w = minSnrWeights(s, [1, 50, 200, 999], 5);
  assert.ok(Math.abs(w[0] - 5 / snr(1)) < 1e-7 && w[0] < 1e-3, `t=1: ${w[0]}`);
  assert.ok(Math.abs(w[1] - 5 / snr(50)) < 1e-6 && w[1] < 1, `t=50: ${w[1]}`);
  assert.equal(w[2], Math.min(snr(200), 5) / snr(200));
  assert.equal(w[3], 1, 'pure-noise end: SNR < γ');
  const seg = segmentLayout(17, 8, 106, 0.02);
  const l = makeTokenLayout(seg, { L: 5, h: 2, w: 2, C: 2 }, { La: 106, C: 2 }, 1, 8, 0.02);
  const x0v = new Float32Array(2 * 5 * 8),
    x0a = new Float32Array(2 * 106 * 2);
  const plain = makeMonlBatch(3, l, s, MIXTURES.monl, x0v, x0a, 2);
  const weighted = makeMonlBatch(3, l, s, MIXTURES.monl, x0v, x0a, 2, { minSnr: 5 });
  assert.equal(plain.wVideo, undefined);
  assert.deepEqual(weighted.xtVideo, plain.xtVideo, 'weighting does not change the draws');
  assert.equal(weighted.wVideo!.length, 2 * 5);
  assert.equal(weighted.wAudio!.length, 2 * 106);
  assert.ok([...weighted.wVideo!, ...weighted.wAudio!].every((x) => x > 0 && x <= 1));
});

test('quiet weights: quiet audio frames weigh 1 + w times the others, mean 1 per window; a window with no quiet frame stays 1', () => {
  const mask = Float32Array.from([1, 1, 0, 0, 0, 0, 0, 0, /* second window */ 0, 0, 0, 0, 0, 0, 0, 0]);
  const w = quietWeights(mask, 2, 3);
  const first = [...w.subarray(0, 8)];
  assert.ok(Math.abs(first.reduce((a, b) => a + b, 0) / 8 - 1) < 1e-6, 'mean 1');
  assert.ok(Math.abs(first[0] / first[2] - 4) < 1e-6, `quiet/speech ${first[0] / first[2]}`);
  assert.deepEqual([...w.subarray(8)], new Array(8).fill(1));
  const s = linearSchedule();
  const seg = segmentLayout(17, 8, 106, 0.02);
  const l = makeTokenLayout(seg, { L: 5, h: 2, w: 2, C: 2 }, { La: 106, C: 2 }, 1, 8, 0.02);
  const q = Float32Array.from({ length: 2 * 106 }, (_, i) => (i % 106 < 30 ? 1 : 0));
  const plain = makeMonlBatch(3, l, s, MIXTURES.monl, new Float32Array(2 * 5 * 8), new Float32Array(2 * 106 * 2), 2);
  const weighted = makeMonlBatch(3, l, s, MIXTURES.monl, new Float32Array(2 * 5 * 8), new Float32Array(2 * 106 * 2), 2, {
    quiet: { mask: q, weight: 3 },
  });
  assert.equal(plain.wQuiet, undefined);
  assert.deepEqual(weighted.xtAudio, plain.xtAudio, 'weighting does not change the draws');
  assert.deepEqual(weighted.wQuiet, quietWeights(q, 2, 3));
});

await initNodeEngine({ device: 'wasm' });

test('condition practice: given examples have one modality at t = 0, clean and out of the loss; the rest is unchanged', async () => {
  const s = linearSchedule();
  const seg = segmentLayout(9, 8, 56, 0.02); // 3 segments
  const l = makeTokenLayout(seg, { L: 3, h: 4, w: 4, C: 4 }, { La: 56, C: 4 }, 2, 8, 0.02);
  const B = 64,
    S = l.numSegments,
    perV = 3 * 4 * 4 * 4,
    perA = 56 * 4;
  const x0v = normal(1, B * perV),
    x0a = normal(2, B * perA);
  const plain = makeMonlBatch(7, l, s, MIXTURES.monl, x0v, x0a, B);
  const none = makeMonlBatch(7, l, s, MIXTURES.monl, x0v, x0a, B, { givenRate: 0 });
  assert.deepEqual(none, plain, 'rate 0 is today’s batch');
  const g = makeMonlBatch(7, l, s, MIXTURES.monl, x0v, x0a, B, { givenRate: 0.5 });
  let video = 0,
    audio = 0;
  for (let b = 0; b < B; b++) {
    const cells = Array.from(g.tCells.subarray(b * 2 * S, (b + 1) * 2 * S));
    const vGiven = cells.slice(0, S).every((t) => t === 0),
      aGiven = cells.slice(S).every((t) => t === 0);
    assert.ok(!(vGiven && aGiven), `example ${b}: both modalities given`);
    if (!vGiven && !aGiven) {
      assert.deepEqual(cells, Array.from(plain.tCells.subarray(b * 2 * S, (b + 1) * 2 * S)), `example ${b}: not given, same draw`);
      assert.ok(cells.every((t) => t >= 1));
    }
    video += +vGiven;
    audio += +aGiven;
    // a given modality: x_t = x0 exactly, weight 0; the other: weight 1
    const [xt, x0, w, wo, per, n] = vGiven ? [g.xtVideo, x0v, g.wVideo!, g.wAudio!, perV, 3] : [g.xtAudio, x0a, g.wAudio!, g.wVideo!, perA, 56];
    if (vGiven || aGiven) {
      assert.deepEqual(xt.subarray(b * per, (b + 1) * per), x0.subarray(b * per, (b + 1) * per));
      assert.ok(w.subarray(b * n, (b + 1) * n).every((x) => x === 0));
      assert.ok(wo.subarray(b * (vGiven ? 56 : 3), (b + 1) * (vGiven ? 56 : 3)).every((x) => x === 1));
    }
  }
  assert.ok(video >= 8 && audio >= 8 && video + audio >= 20 && video + audio <= 44, `video ${video}, audio ${audio} of ${B} at rate 0.5`);
  // with Min-SNR the given cells weigh 0 too, and the other cells keep their Min-SNR weights
  const gs = makeMonlBatch(7, l, s, MIXTURES.monl, x0v, x0a, B, { givenRate: 0.5, minSnr: 5 });
  assert.deepEqual(gs.tCells, g.tCells);
  gs.wVideo!.forEach((x, i) => assert.equal(x === 0, g.wVideo![i] === 0, `video frame ${i}`));
  // the loss ignores the noise targets of given cells, and only those
  const cfg = { ...AVDIT_PRESETS.tiny };
  const p = toDevice(randomParams(avditSpecs(cfg, l), 1, 0.2));
  const k = avditConsts(cfg, l);
  const loss = async (bt: typeof g) => (await ops.read(monlLoss(refTree(p), cfg, l, refTree(k), monlBatchTensors(bt, l, B, 0, 0))[0]))[0];
  const base = await loss(g);
  const shiftGiven = { ...g, epsVideo: g.epsVideo.map((e, i) => (g.wVideo![Math.floor(i / 64)] === 0 ? e + 3 : e)) };
  assert.equal(await loss(shiftGiven), base, 'given cells’ targets changed the loss');
  const shiftOther = { ...g, epsVideo: g.epsVideo.map((e, i) => (g.wVideo![Math.floor(i / 64)] === 1 ? e + 3 : e)) };
  assert.ok((await loss(shiftOther)) > base + 1, 'generated cells’ targets must count');
});
