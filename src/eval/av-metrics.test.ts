// Offline AV metrics with known answers: correlation, lip sync on a synthetic talking band, alignment
// parsing and activity, identity distance, and the two Fréchet embeddings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activityFromAlign,
  activityFromAudio,
  quietLatentFrames,
  agreement,
  speechAgreement,
  audioEmbedding,
  identityDistance,
  parseAlign,
  pearson,
  syncCorr,
  videoEmbedding,
} from './av-metrics.js';
import { talkingClip } from '../testing/talking.js';
import { mulberry32 } from '../util/rng.js';

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('pearson: perfect, anti and zero correlation', () => {
  near(pearson([1, 2, 3, 4], [2, 4, 6, 8]), 1);
  near(pearson([1, 2, 3, 4], [8, 6, 4, 2]), -1);
  near(pearson([1, -1, 1, -1], [1, 1, -1, -1]), 0);
  near(pearson([1, 1, 1], [1, 2, 3]), 0); // constant series: defined as 0
});

const talking = talkingClip;

test("syncCorr: a mouth that moves with the sound scores near 1, with another clip's sound near 0", () => {
  const a = talking(1),
    b = talking(2);
  assert.ok(syncCorr(a) > 0.95, `own audio ${syncCorr(a)}`);
  const shuffled = [2, 3, 4, 5].map((s) => syncCorr({ ...a, audio: talking(s).audio }));
  for (const s of shuffled) assert.ok(Math.abs(s) < 0.6, `shuffled ${s}`);
  assert.ok(syncCorr(b, { from: 4, to: 16 }) > 0.95);
});

test('GRID alignments: parsing, per-frame activity, agreement with audio activity', () => {
  const words = parseAlign('0 12500 sil\n12500 25000 bin\n25000 37500 blue\n37500 50000 sil\n');
  assert.deepEqual(
    words.map((w) => [w.start, w.end, w.word]),
    [
      [0, 0.5, 'sil'],
      [0.5, 1, 'bin'],
      [1, 1.5, 'blue'],
      [1.5, 2, 'sil'],
    ],
  );
  const act = activityFromAlign(words, 4, 0, 8); // frames of 0.25 s
  assert.deepEqual(act, [false, false, true, true, true, true, false, false]);
  assert.deepEqual(activityFromAlign(words, 4, 2, 4), [true, true, true, true]); // a window starting at frame 2
  const audio = new Float32Array(32000);
  for (let i = 8000; i < 24000; i++) audio[i] = Math.sin(i * 0.3) * 0.5; // loud where words are
  assert.deepEqual(activityFromAudio(audio, 16000, 4, 8), act);
  // the same activity per audio latent frame (320 samples): quiet exactly where the video frame holding its centre is
  const q = quietLatentFrames(audio, 16000, 4, 8, 100, 320);
  assert.equal(q.length, 100);
  q.forEach((v, i) => assert.equal(v, act[Math.floor(((i + 0.5) * 320) / 4000)] ? 0 : 1, `latent frame ${i}`));
  assert.deepEqual([q[24], q[25], q[74], q[75]], [1, 0, 0, 1]); // 0.5 s and 1.5 s, the word edges
  near(agreement(act, [false, true, true, true, true, true, false, true]), 6 / 8);
  assert.throws(() => parseAlign('0 12 sil\nbroken', 'x.align'), /x\.align: line 2 is not "start end word"/);
});

test('identityDistance: 0 for the same frames, the colour offset for a shifted face', () => {
  const T = 4,
    H = 16,
    W = 16;
  const rnd = mulberry32(3);
  const base = Float32Array.from({ length: H * W * 3 }, () => rnd() * 0.8);
  const video = new Float32Array(T * H * W * 3);
  for (let t = 0; t < T; t++) video.set(t < 2 ? base : base.map((v) => v + 0.1), t * H * W * 3);
  const v = { video, numFrames: T, height: H, width: W };
  near(identityDistance(v, [0], [1]), 0, 1e-7);
  near(identityDistance(v, [0, 1], [2, 3]), 0.1, 1e-6);
});

test('pix80: colour, sharpness and motion terms; logmel40 puts a tone in the right band', () => {
  const T = 2,
    H = 8,
    W = 8;
  const video = new Float32Array(T * H * W * 3).fill(0.5);
  video.fill(0.7, H * W * 3); // frame 1 brighter: motion 0.2, no edges
  const e = videoEmbedding({ video, numFrames: T, height: H, width: W }, [0, 1]);
  assert.equal(e.length, 160);
  near(e[0], 0.5, 1e-6);
  near(e[80], 0.7, 1e-6);
  for (let b = 0; b < 16; b++) {
    near(e[48 + b], 0, 1e-9);
    near(e[64 + b], 0, 1e-9);
    near(e[80 + 64 + b], 0.2, 1e-6);
  }
  const sr = 16000,
    tone = Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / sr));
  const m = audioEmbedding(tone, sr);
  assert.equal(m.length % 40, 0);
  const row = Array.from(m.subarray(40 * 50, 40 * 51));
  const peak = row.indexOf(Math.max(...row));
  const low = audioEmbedding(
    Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * 300 * i) / sr)),
    sr,
  ).subarray(40 * 50, 40 * 51);
  assert.ok(Array.from(low).indexOf(Math.max(...low)) < peak, 'a 300 Hz tone peaks in a lower band than 1 kHz');
});

test('speechAgreement: SAA overall and split by what the words say, NaN where a kind of frame is missing', () => {
  const spoken = [false, true, true, false, true];
  const pred = [true, true, false, false, true];
  const s = speechAgreement(pred, spoken, [0, 1, 2, 3, 4]);
  near(s.all, 3 / 5);
  near(s.speech, 2 / 3);
  near(s.silence, 1 / 2);
  const only = speechAgreement(pred, spoken, [1, 2]);
  near(only.all, 1 / 2);
  assert.ok(Number.isNaN(only.silence));
});
