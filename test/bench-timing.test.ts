// The benches' paired timing (bench/timing.ts timePaired) and the live PyTorch twin it pairs with (bench/twins.ts
// LiveTwin, bench/twins/serve.py). The twin half runs where Debian's python3-torch is installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timePaired } from '../bench/timing.js';
import { runTwin, startTwin, twinUnavailable } from '../bench/twins.js';
import { AUDIO_CODEC_DEFAULTS, audioCodecSpecs } from '../src/codecs/audio-codec.js';
import { randomParams } from '../src/testing/node/tiny.js';
import { normal } from '../src/util/rng.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('timePaired: turns alternate which side goes first, each turn times its second call, the ratio is per pair', async () => {
  const log: string[] = [];
  let calls = 0;
  // our timed calls take ≈ 30, 30, 90, 90, 90 ms, the warm-ups none; the twin reports 10, 20, … 50 ms for its timed
  // calls and a large number for its warm-ups, which must not be counted
  const oursMs = [30, 30, 90, 90, 90];
  let n = 0;
  const ours = async () => {
    log.push('o');
    if (n > 0 && n % 2 === 0) await sleep(oursMs[n / 2 - 1]); // call 0 is the first warm-up, then each turn is a warm-up and a timed call
    n++;
  };
  const theirs = async () => {
    log.push('t');
    calls++;
    return calls % 2 === 0 ? 10 * (calls / 2) : 1e6;
  };
  const t = await timePaired(ours, theirs, 5);
  assert.equal(log.join(''), 'o' + 'oott' + 'ttoo' + 'oott' + 'ttoo' + 'oott');
  assert.equal(t.theirs, 30, 'the median of the twin timed calls (10 … 50)');
  assert.ok(t.ours >= 89 && t.ours < 120, `ours ${t.ours}`);
  // per-pair ratios ≈ 30/10, 30/20, 90/30, 90/40, 90/50 = 3, 1.5, 3, 2.25, 1.8: their median is 2.25, where the ratio
  // of the two medians would be 90/30 = 3
  assert.ok(t.ratio >= 2.2 && t.ratio < 2.7, `ratio ${t.ratio}`);
});

const skip = twinUnavailable() ?? false;

test('a live twin gives the outputs runTwin gives, and times its steps one call at a time', { skip }, async () => {
  const c = { ...AUDIO_CODEC_DEFAULTS, latentChannels: 4, hidden: 16, resBlocks: 1 };
  const w = randomParams(audioCodecSpecs(c), 3, 0.2);
  const m = { data: normal(8, 2 * 20 * 80).map((v) => v - 4), shape: [2, 20, 80] };
  const calls = [
    { module: 'audio_codec', fn: 'encode_audio', config: c, inputs: ['m'], output: 'z' },
    { module: 'audio_codec', fn: 'encode_audio', config: c, inputs: ['m'], reps: 3 },
  ];
  const once = runTwin(w, { m }, calls);
  const live = await startTwin(w, { m }, calls);
  const ms = [await live.twin.time(1), await live.twin.time(1)];
  const done = await live.finish();
  assert.equal(live.version, once.version);
  assert.ok(
    ms.every((t) => Number.isFinite(t) && t > 0),
    `step times ${ms}`,
  );
  assert.deepEqual(done.results[0].output, once.results[0].output, 'same outputs as a one-shot twin');
  assert.equal(done.results[1].ms, undefined, 'a live twin does not time by itself');
  assert.ok(done.maxRssKb > 0);
  // a step the twin does not have is an error, not a hang
  const bad = await startTwin(w, { m }, calls);
  await assert.rejects(bad.twin.time(7), /PyTorch twin exited/);
});
