// Condition influence and bootstrap intervals with known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioDistance, boxDistance, influence, videoDistance } from './influence.js';
import { bootstrap, meanInterval, meanOf, separated } from './stats.js';
import { mulberry32 } from '../util/rng.js';

test('bootstrap: the interval of a mean covers it, shrinks with more windows, is reproducible', () => {
  const rnd = mulberry32(3);
  const small = Array.from({ length: 20 }, () => rnd());
  const large = Array.from({ length: 2000 }, () => rnd());
  const a = meanInterval(small),
    b = meanInterval(large);
  assert.ok(a.lo < a.value && a.value < a.hi);
  assert.ok(b.hi - b.lo < (a.hi - a.lo) / 4, `${b.hi - b.lo} vs ${a.hi - a.lo}`);
  assert.ok(b.lo < 0.5 && 0.5 < b.hi, 'uniform(0,1) mean 0.5 inside the large-sample interval');
  assert.deepEqual(meanInterval(small), a);
  assert.equal(bootstrap(5, meanOf([1, 1, 1, 1, 1])).hi, 1);
  assert.ok(separated({ value: 1, lo: 0.9, hi: 1.1 }, { value: 2, lo: 1.9, hi: 2.1 }));
  assert.ok(!separated({ value: 1, lo: 0.9, hi: 1.95 }, { value: 2, lo: 1.9, hi: 2.1 }));
});

/** A toy "model": output = f(condition) + g(seed) — the test's generator with known dependence. */
function toy(condWeight: number, seedWeight: number, windows = 30, T = 4, fs = 12) {
  const rnd = mulberry32(11);
  const cond = Array.from({ length: windows }, () => Float32Array.from({ length: T * fs }, () => rnd()));
  const noise = (seed: number) => {
    const r = mulberry32(seed);
    return Float32Array.from({ length: T * fs }, () => r() - 0.5);
  };
  const out = (c: Float32Array, seed: number, w: number) => Float32Array.from(c, (v, i) => condWeight * v + seedWeight * noise(seed * 1000 + w)[i]);
  const frames = [1, 2, 3];
  const dCond = cond.map((c, w) => videoDistance(out(c, 0, w), out(cond[(w + 1) % windows], 0, w), frames, fs));
  const dSeed = cond.map((c, w) => videoDistance(out(c, 0, w), out(c, 1, w), frames, fs));
  return influence(dCond, dSeed);
}

test('condition influence: ≫ 1 when the output follows the condition, 0 when the model ignores it, ≈ 1 when both matter alike', () => {
  const follows = toy(1, 0.05);
  assert.ok(follows.ratio.value > 10 && follows.ratio.lo > 5, JSON.stringify(follows.ratio));
  const ignores = toy(0, 1);
  assert.equal(ignores.ratio.value, 0);
  assert.equal(ignores.ratio.hi, 0);
  const both = toy(1, 1, 60); // condition and seed noise of the same spread
  assert.ok(both.ratio.lo < 1.3 && both.ratio.hi > 0.75, JSON.stringify(both.ratio));
  assert.throws(() => influence([1], [1]), /≥ 2 windows/);
});

test('audio distance is phase-blind: a sign flip is no distance, another sound is', () => {
  const sr = 16000;
  const tone = (f: number) => Float32Array.from({ length: sr / 2 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * f * i) / sr));
  const a = tone(440);
  assert.ok(
    audioDistance(
      a,
      a.map((v) => -v),
      sr,
      [[0, 4000]],
    ) < 1e-6,
  );
  assert.ok(audioDistance(a, tone(1200), sr, [[0, 4000]]) > 1);
});

test('box distance: only the pixels inside the box count, as an RMS over the box', () => {
  const [W, H, T] = [10, 8, 3];
  const a = new Float32Array(T * H * W * 3),
    inside = a.slice(),
    outside = a.slice();
  const box = [0.2, 0.5, 0.6, 1]; // x 2..5, y 4..7
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        const i = (1 * H * W + y * W + x) * 3 + c; // frame 1 only
        if (x >= 2 && x < 6 && y >= 4) inside[i] = 0.5;
        else outside[i] = 0.5;
      }
  assert.ok(Math.abs(boxDistance(a, inside, [1], W, H, box) - 0.5) < 1e-7);
  assert.ok(Math.abs(boxDistance(a, inside, [0, 1], W, H, box) - 0.5 / Math.SQRT2) < 1e-7);
  assert.equal(boxDistance(a, outside, [0, 1, 2], W, H, box), 0);
  assert.equal(boxDistance(a, inside, [0, 2], W, H, box), 0);
  // the whole frame as the box is videoDistance
  assert.ok(Math.abs(boxDistance(a, outside, [1], W, H, [0, 0, 1, 1]) - videoDistance(a, outside, [1], W * H * 3)) < 1e-7);
});
