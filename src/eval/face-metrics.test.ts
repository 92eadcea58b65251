// Face-network metrics on synthetic landmarks with known answers, and the face network itself on a bundled
// GRID clip (the detector finds the face at 64×64; the landmark mouth opening follows the speech).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, join } from 'node:path';
import { idSim, lipSyncLm, lmdMouth, mouthOpeningLm, detectionRate, type FaceFrame } from './face-metrics.js';
import { mulberry32 } from '../util/rng.js';

/** a face whose inner lips open by `open` (÷ face width 40 px), shifted by (dx, dy) */
function face(open: number, dx = 0, dy = 0, desc?: Float32Array): FaceFrame {
  const l = new Float32Array(136);
  for (let i = 0; i < 68; i++) ((l[2 * i] = 10 + (i % 17) * 2.5 + dx), (l[2 * i + 1] = 30 + dy));
  ((l[0] = 10 + dx), (l[32] = 50 + dx)); // jaw 0 and 16: width 40
  for (const [top, bottom] of [
    [61, 67],
    [62, 66],
    [63, 65],
  ])
    ((l[2 * bottom] = l[2 * top]), (l[2 * top + 1] = 40 + dy), (l[2 * bottom + 1] = 40 + dy + open * 40));
  return { landmarks: l, descriptor: desc ?? null };
}

test('landmark mouth opening, lip sync, LMD and identity similarity', () => {
  const rnd = mulberry32(5);
  const T = 24,
    sr = 16000,
    fps = 8;
  const loud = Array.from({ length: T }, () => rnd());
  const faces = loud.map((v) => face(0.05 + 0.2 * v));
  const audio = new Float32Array((T / fps) * sr);
  for (let i = 0; i < audio.length; i++) audio[i] = (rnd() * 2 - 1) * 10 ** (-3 + 2.5 * loud[Math.min(T - 1, Math.floor((i / sr) * fps))]);
  assert.ok(Math.abs(mouthOpeningLm(faces)[0] - (0.05 + 0.2 * loud[0])) < 1e-6);
  assert.ok(lipSyncLm(faces, audio, sr, fps) > 0.95);
  const still = loud.map(() => face(0.1));
  assert.equal(lipSyncLm(still, audio, sr, fps), 0); // no motion: no correlation
  const missing = faces.map((f, i) => (i % 2 ? { landmarks: null, descriptor: null } : f));
  assert.ok(Number.isNaN(lipSyncLm(missing, audio, sr, fps)), 'no consecutive pair with faces: undefined, not 0');
  assert.equal(detectionRate(missing), 0.5);
  // LMD: position does not matter, mouth shape does
  const frames = [1, 2, 3];
  assert.ok(
    lmdMouth(
      faces.map((f, i) => face(0.05 + 0.2 * loud[i], 7, -3)),
      faces,
      frames,
    ) < 1e-6,
  );
  assert.ok(lmdMouth(still, faces, frames) > 0.01);
  const d = Float32Array.from({ length: 128 }, () => rnd() - 0.5),
    e = Float32Array.from({ length: 128 }, () => rnd() - 0.5);
  const same = [face(0.1, 0, 0, d), face(0.1, 0, 0, d)],
    other = [face(0.1, 0, 0, d), face(0.1, 0, 0, e)];
  assert.ok(Math.abs(idSim(same, [0], [1]) - 1) < 1e-6);
  assert.ok(idSim(other, [0], [1]) < 0.5);
});

test('the face network finds the face in a bundled 64×64 GRID clip and its mouth moves', async (t) => {
  let net;
  try {
    const { loadFaceNet } = await import('./node/face.js');
    net = await loadFaceNet();
  } catch (e) {
    t.skip(`face network unavailable: ${(e as Error).message}`);
    return;
  }
  const { decode } = await import('../media/node/ffmpeg.js');
  const root = resolve(new URL('../../..', import.meta.url).pathname);
  const clip = (
    await decode(join(root, 'examples', 'grid-val', 'bbaf4p.mpg'), {
      width: 64,
      height: 64,
      fps: 8,
      sampleRate: 16000,
      crop: { w: 200, h: 200, x: 52, y: 44 },
    })
  ).clip;
  const faces = await net.frames(clip.video, 12, 64, 64, { descriptors: true });
  assert.ok(detectionRate(faces) >= 0.9, `found ${detectionRate(faces)}`);
  const open = mouthOpeningLm(faces).filter(Number.isFinite);
  assert.ok(Math.max(...open) - Math.min(...open) > 0.02, `mouth opening range ${Math.min(...open)}–${Math.max(...open)}`);
  assert.ok(idSim(faces, [0, 1, 2], [8, 9, 10, 11]) > 0.9, 'the same person');
});
