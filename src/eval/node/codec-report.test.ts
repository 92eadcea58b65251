// The mouth-region scores of `avdit codec eval` on synthetic talking clips with known answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regionScores, syncScores } from './codec-report.js';
import { talkingClip } from '../../testing/talking.js';
import { makeClip } from '../../media/clip.js';
import { GRID_REGIONS } from '../../data/config.js';

const clips = [1, 2, 3, 4, 5, 6].map((s) => {
  const c = talkingClip(s, 17);
  return makeClip({ video: c.video, numFrames: 17, height: 64, width: 64, fps: 8, audio: c.audio, sampleRate: 16000 });
});

test('codec eval lip sync: a reconstruction that keeps the mouth scores like the real clips (≈1), one whose mouth moves with another clip scores ≈0', () => {
  const kept = syncScores(
    clips,
    clips.map((c) => c.video),
  );
  assert.ok(kept.reconstruction > 0.9 && Math.abs(kept.reconstruction - kept.real) < 1e-9, JSON.stringify(kept));
  assert.ok(Math.abs(kept.shuffled) < 0.35, `shuffled ${kept.shuffled}`);
  assert.equal(kept.perWindow.length, clips.length);
  assert.ok(kept.interval[0] <= kept.reconstruction && kept.reconstruction <= kept.interval[1], `interval ${kept.interval}`);
  const wrongMouth = syncScores(
    clips,
    clips.map((_, i) => clips[(i + 3) % clips.length].video),
  );
  assert.ok(Math.abs(wrongMouth.reconstruction) < 0.35, `other clip's mouth ${wrongMouth.reconstruction}`);
  assert.ok(wrongMouth.interval[1] < kept.interval[0], `intervals ${wrongMouth.interval} vs ${kept.interval}`);
  const still = syncScores(
    clips,
    clips.map((c) => {
      const v = c.video.slice();
      for (let t = 1; t < 17; t++) v.copyWithin(t * 64 * 64 * 3, 0, 64 * 64 * 3);
      return v;
    }),
  );
  assert.ok(Math.abs(still.reconstruction) < 1e-6, `a still mouth ${still.reconstruction}`);
});

test("codec eval regions: damage inside the mouth box lowers mouth PSNR/SSIM, not the eyes'", () => {
  const rec = clips.map((c) => {
    const v = c.video.slice();
    for (let t = 0; t < 17; t++)
      for (let y = 50; y < 58; y++)
        for (let x = 24; x < 40; x++) for (let k = 0; k < 3; k++) v[((t * 64 + y) * 64 + x) * 3 + k] += (((x + y + t) % 2) - 0.5) * 0.2;
    return v;
  });
  const r = regionScores(
    clips.map((c) => c.video),
    rec,
    17,
    64,
    64,
    GRID_REGIONS,
  );
  assert.ok(r.mouth.psnr < 30 && r.mouth.ssim < 0.9, JSON.stringify(r.mouth));
  assert.equal(r.eyes.psnr, 120); // untouched: PSNR at the 1e-12 floor
  assert.ok(r.eyes.ssim > 0.9999);
});
