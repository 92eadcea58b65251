import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosineSchedule, linearSchedule, scheduleFromConfig, COSINE_DEFAULTS, SCHEDULE_DEFAULTS, type ScheduleConfig } from './schedule.js';

test('cosine schedule: ᾱ follows cos²((t/T + s)/(1 + s)·π/2) / f(0), falls to ~0 at T, and keeps more signal mid-way than linear', () => {
  const T = 1000,
    s = 0.008;
  const c = cosineSchedule(T, s);
  const f = (t: number) => Math.cos((((t / T + s) / (1 + s)) * Math.PI) / 2) ** 2;
  for (const t of [1, 100, 500, 900]) assert.ok(Math.abs(c.alphaBars[t] - f(t) / f(0)) < 1e-9, `t=${t}`);
  for (let t = 1; t <= T; t++) assert.ok(c.alphaBars[t] < c.alphaBars[t - 1] && c.betas[t] <= 0.999, `t=${t}`);
  assert.ok(c.alphaBars[T] < 1e-6);
  const lin = linearSchedule();
  assert.ok(c.alphaBars[500] > 2 * lin.alphaBars[500], 'cosine destroys information more slowly in the middle');
  assert.deepEqual(scheduleFromConfig(COSINE_DEFAULTS).alphaBars, c.alphaBars);
  assert.deepEqual(scheduleFromConfig(SCHEDULE_DEFAULTS).alphaBars, lin.alphaBars);
});

test('scheduleFromConfig names the file and the problem for unknown or invalid schedules', () => {
  const bad: [unknown, RegExp][] = [
    [{ kind: 'sigmoid', T: 1000 }, /run\/config\.json: diffusion\.kind "sigmoid" is not known/],
    [{ kind: 'cosine', T: 1000 }, /run\/config\.json: .*not a valid cosine schedule/],
    [{ kind: 'linear', T: 1000, betaStart: 0.1, betaEnd: 0.01 }, /run\/config\.json: .*not a valid linear schedule/],
  ];
  for (const [c, re] of bad) assert.throws(() => scheduleFromConfig(c as ScheduleConfig, 'run/config.json'), re);
});
