// DDIM steps on host arrays: oracle noise recovers x0, given elements are untouched, η = 1 matches DDPM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearSchedule, noiseCoefficients } from '../schedule.js';
import { ddimStep, samplingTimesteps } from './ddim.js';
import { normal } from '../../util/rng.js';

const s = linearSchedule();

test('timesteps: n steps from T to 1, then 0', () => {
  assert.deepEqual(samplingTimesteps(s, 4), [1000, 750, 500, 250, 0]);
  assert.equal(samplingTimesteps(s, 1000).length, 1001);
  assert.throws(() => samplingTimesteps(s, 0), /steps must be an integer in 1..1000/);
});

test('with the true noise, a deterministic DDIM run lands on x0; given elements never move', () => {
  const n = 64;
  const x0 = normal(1, n),
    eps = normal(2, n);
  const gen = Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1));
  const t0 = 800;
  const c = noiseCoefficients(s, [t0]);
  let x: Float32Array = Float32Array.from(x0, (v, i) => (gen[i] ? c.signal[0] * v + c.noise[0] * eps[i] : v));
  const ts = [800, 600, 300, 100, 0];
  for (let k = 0; k + 1 < ts.length; k++) x = ddimStep(s, x, eps, gen, ts[k], ts[k + 1], 0);
  x.forEach((v, i) => assert.ok(Math.abs(v - x0[i]) < 1e-4, `${i}: ${v} vs ${x0[i]}`));
  gen.forEach((g, i) => g || assert.equal(x[i], x0[i]));
});

test('η = 1 on consecutive steps is DDPM ancestral sampling', () => {
  const eps = normal(4, 8),
    z = normal(5, 8);
  const t = 500;
  const c = noiseCoefficients(s, [t]);
  const x = Float32Array.from(normal(3, 8), (v, i) => c.signal[0] * v + c.noise[0] * eps[i]); // x̂0 stays inside the clip range
  const y = ddimStep(s, x, eps, new Uint8Array(8).fill(1), t, t - 1, 1, z);
  const beta = s.betas[t],
    ab = s.alphaBars[t],
    abPrev = s.alphaBars[t - 1];
  const sigma = Math.sqrt(((1 - abPrev) / (1 - ab)) * beta);
  x.forEach((v, i) => {
    const mu = (v - (beta / Math.sqrt(1 - ab)) * eps[i]) / Math.sqrt(1 - beta);
    assert.ok(Math.abs(y[i] - (mu + sigma * z[i])) < 1e-4, `${y[i]} vs ${mu + sigma * z[i]}`);
  });
});
