import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearSchedule } from '../diffusion/schedule.js';
import { makeMonlBatch, minSnrWeights } from './monl-loss.js';
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
  const weighted = makeMonlBatch(3, l, s, MIXTURES.monl, x0v, x0a, 2, undefined, 5);
  assert.equal(plain.wVideo, undefined);
  assert.deepEqual(weighted.xtVideo, plain.xtVideo, 'weighting does not change the draws');
  assert.equal(weighted.wVideo!.length, 2 * 5);
  assert.equal(weighted.wAudio!.length, 2 * 106);
  assert.ok([...weighted.wVideo!, ...weighted.wAudio!].every((x) => x > 0 && x <= 1));
});
