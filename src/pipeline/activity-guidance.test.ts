// Activity guidance's x̂0 edit (host code), and the frame mappings it shares with the activity net's labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activityEdit, quietPerLatentFrame, type ActivityGuide } from './activity-guidance.js';
import { speechLabels, ridge } from '../train/node/train-activity.js';
import { levelEstimate } from '../model/activity.js';
import { normal } from '../util/rng.js';

const La = 56,
  Ca = 4,
  T = 9;
const level = Float32Array.from([0.1, 0, 0, 0, 1, 2, -1, 0.5, 0, 0.2, 0, 0, -3]); // 3 taps × 4 + bias
const guide = (speech: Float32Array, strength = 1, speechLevel = 0): ActivityGuide => ({
  speech,
  frames: T,
  fps: 8,
  hopSec: 0.02,
  quietLatent: Float32Array.from([0.5, -0.5, 1, 0]),
  level,
  speechLevel,
  strength,
});
const estimate = (z: Float32Array, f: number) => levelEstimate(level, z, f, La, Ca);

test('quiet per audio latent frame follows the video frame holding its centre; speech labels read them back', () => {
  const speech = Float32Array.from({ length: 2 * T }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const q = quietPerLatentFrame({ speech, frames: T, fps: 8, hopSec: 0.02 }, La);
  assert.equal(q.length, 2 * La);
  assert.equal(q[0], 0); // frame 0 has speech
  assert.equal(q[7], 1); // latent frame 7 (centre 0.15 s) lies in video frame 1
  assert.equal(q[La + 55], 1 - speech[T + 8]);
  assert.deepEqual(Array.from(speechLabels(q, 2, La, T, 8, 0.02)), Array.from(speech));
  // hard decisions: P(speech) 0.6 is speech, 0.4 is quiet
  const soft = quietPerLatentFrame({ speech: new Float32Array(T).fill(0.6), frames: T, fps: 8, hopSec: 0.02 }, La);
  assert.ok(soft.every((v) => v === 0));
  assert.ok(quietPerLatentFrame({ speech: new Float32Array(T).fill(0.4), frames: T, fps: 8, hopSec: 0.02 }, La).every((v) => v === 1));
});

test('activityEdit: strength 0 is the identity, quiet frames go to the quiet latent, speech frames are lifted to the speech level', () => {
  const x0 = { video: normal(1, 10), audio: normal(2, La * Ca) };
  const none = activityEdit(guide(new Float32Array(T), 0), La, Ca)(x0);
  assert.deepEqual(Array.from(none.audio), Array.from(x0.audio));
  assert.equal(none.video, x0.video);
  const quiet = activityEdit(guide(new Float32Array(T)), La, Ca)(x0).audio;
  for (let i = 0; i < quiet.length; i++) assert.ok(Math.abs(quiet[i] - [0.5, -0.5, 1, 0][i % Ca]) < 1e-6);
  const speech = new Float32Array(T).fill(1);
  const lifted = activityEdit(guide(speech, 1, 2), La, Ca)(x0).audio;
  for (let f = 0; f < La; f++) {
    const before = estimate(x0.audio, f);
    const changed = [0, 1, 2, 3].some((c) => lifted[f * Ca + c] !== x0.audio[f * Ca + c]);
    assert.equal(changed, before < 2, `frame ${f}: lifted only when below the speech level`);
    // alone (neighbours as they were), the frame reaches the speech level exactly (inside the window: its ends read themselves twice)
    if (before < 2 && f > 0 && f < La - 1) {
      const one = x0.audio.slice();
      one.set(lifted.subarray(f * Ca, (f + 1) * Ca), f * Ca);
      assert.ok(Math.abs(estimate(one, f) - 2) < 1e-4, `frame ${f}: ${estimate(one, f)}`);
    }
  }
  assert.throws(() => activityEdit(guide(speech, 1.5), La, Ca), /strength must be in \[0, 1\]/);
  assert.throws(() => activityEdit(guide(speech), La, 8), /fitted for 4 audio latent channels, the model has 8/);
});

test('ridge recovers a linear map (and its bias)', () => {
  const K = 4,
    n = 200,
    X = Array.from({ length: n }, (_, i) => Float64Array.from([...normal(10 + i, 3)].concat([1])));
  const w = [1.5, -2, 0.25, 3];
  const y = X.map((x) => x.reduce((s, v, k) => s + v * w[k], 0));
  const got = ridge((i) => X[i], n, y, K, 1e-6);
  got.forEach((v, k) => assert.ok(Math.abs(v - w[k]) < 1e-3, `w[${k}] = ${v}`));
});
