// MoNL strategies: tying patterns, mixture frequencies, the token layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawTimesteps, tieTimesteps, MIXTURES, parseMixture, validateMixture, STRATEGIES } from './strategies.js';
import { makeTokenLayout, cellsToTokens, cellOneHot } from './layout.js';
import { segmentLayout } from './segments.js';
import { linearSchedule, noiseCoefficients } from '../diffusion/schedule.js';

const M = 2,
  N = 5,
  T = 1000;
const at = (t: Int32Array, b: number, m: number, n: number) => t[(b * M + m) * N + n];

test('each strategy ties the timestep matrix its own way', () => {
  const tRef = Array.from({ length: M * N }, (_, i) => 10 * (i + 1));
  assert.deepEqual([...tieTimesteps('vanilla', tRef, M, N)], Array(10).fill(10));
  assert.deepEqual([...tieTimesteps('perModality', tRef, M, N)], [10, 10, 10, 10, 10, 60, 60, 60, 60, 60]);
  assert.deepEqual([...tieTimesteps('perSegment', tRef, M, N)], [10, 20, 30, 40, 50, 10, 20, 30, 40, 50]);
  assert.deepEqual([...tieTimesteps('perCell', tRef, M, N)], tRef);
});

test('drawn matrices follow their strategy: constant along time within a modality for Pm, etc.', () => {
  for (const s of STRATEGIES) {
    const mix = { vanilla: 0, perModality: 0, perSegment: 0, perCell: 0, [s]: 1 };
    const { t, strategies } = drawTimesteps(7, 200, M, N, T, mix);
    assert.ok(strategies.every((x) => x === s));
    for (let b = 0; b < 200; b++) {
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          const v = at(t, b, m, n);
          assert.ok(v >= 1 && v <= T);
          if (s === 'vanilla') assert.equal(v, at(t, b, 0, 0));
          if (s === 'perModality') assert.equal(v, at(t, b, m, 0));
          if (s === 'perSegment') assert.equal(v, at(t, b, 0, n));
        }
    }
    if (s === 'perCell') {
      // independent cells: along time and across modalities they differ almost always
      let same = 0;
      for (let b = 0; b < 200; b++) if (at(t, b, 0, 1) === at(t, b, 0, 2) || at(t, b, 0, 1) === at(t, b, 1, 1)) same++;
      assert.ok(same < 5, `${same} tied pairs`);
    }
  }
});

test('MoNL picks each of the four strategies about 1/4 of the time', () => {
  const { strategies } = drawTimesteps(11, 8000, M, N, T, MIXTURES.monl);
  for (const s of STRATEGIES) {
    const f = strategies.filter((x) => x === s).length / 8000;
    assert.ok(Math.abs(f - 0.25) < 0.02, `${s}: ${f}`);
  }
  const noVanilla = drawTimesteps(12, 3000, M, N, T, MIXTURES['pt-pm-ptm']).strategies;
  assert.equal(noVanilla.filter((x) => x === 'vanilla').length, 0);
  assert.throws(() => parseMixture('nope'), /unknown strategy "nope"/);
  assert.throws(() => validateMixture({ vanilla: 0.5, perModality: 0.6, perSegment: 0, perCell: 0 }), /sum to 1/);
});

test('timesteps are uniform over 1..T', () => {
  const { t } = drawTimesteps(3, 20000, 1, 1, T, MIXTURES.vanilla);
  const m = t.reduce((a, b) => a + b, 0) / t.length;
  assert.ok(Math.abs(m - 500.5) < 10, `mean ${m}`);
  assert.equal(Math.min(...t), 1);
  assert.equal(Math.max(...t), T);
});

test('token layout: video tokens per latent frame, audio tokens per segment, cell broadcast', () => {
  const seg = segmentLayout(17, 8, 106, 0.02);
  const l = makeTokenLayout(seg, { L: 5, h: 8, w: 8, C: 8 }, { La: 106, C: 16 }, 2, 8, 0.02);
  assert.equal(l.video.tokens, 80);
  assert.equal(l.numTokens, 186);
  for (let s = 0; s < 5; s++) {
    assert.equal([...l.segment].filter((x, i) => x === s && l.modality[i] === 0).length, 16);
    assert.equal([...l.segment].filter((x, i) => x === s && l.modality[i] === 1).length, s === 0 ? 6 : 25);
  }
  const cells = Float32Array.from({ length: 10 }, (_, i) => i * 100);
  const tok = cellsToTokens(l, cells, 1);
  assert.equal(tok[0], 0);
  assert.equal(tok[79], 400);
  assert.equal(tok[80], 500); // first audio token: audio segment 0 = cell 5
  assert.equal(tok[185], 900);
  const oh = cellOneHot(l);
  for (let i = 0; i < 186; i++)
    assert.equal(
      oh.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0),
      1,
    );
  // video and audio tokens of the same moment share their temporal position
  assert.ok(Math.abs(l.time[80 - 1] - 0.5 * (l.time[185] + l.time[185 - 24])) < 1);
});

test('linear schedule: ᾱ_0 = 1, decreasing, ᾱ_T ≈ 4e-5; t = 0 leaves x0 untouched', () => {
  const s = linearSchedule();
  assert.equal(s.alphaBars[0], 1);
  for (let t = 1; t <= 1000; t++) assert.ok(s.alphaBars[t] < s.alphaBars[t - 1]);
  assert.ok(Math.abs(s.alphaBars[1000] - 4.04e-5) < 2e-6, `${s.alphaBars[1000]}`);
  const c = noiseCoefficients(s, [0, 1000]);
  assert.equal(c.signal[0], 1);
  assert.equal(c.noise[0], 0);
  assert.throws(() => noiseCoefficients(s, [1001]), /outside 0..1000/);
});
