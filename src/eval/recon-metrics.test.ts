// Reconstruction metrics: known values on simple signals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { psnr, ssim, multiResolutionStftDistance, logSpectralDistanceDb } from './recon-metrics.js';
import { syntheticClip } from '../media/synthetic.js';

test('PSNR of a uniform 0.1 error is 20 dB', () => {
  const a = new Float32Array(100).fill(0.5),
    b = new Float32Array(100).fill(0.6);
  assert.ok(Math.abs(psnr(a, b) - 20) < 1e-4);
});

test('SSIM is 1 for identical frames and lower under noise', () => {
  const { clip } = syntheticClip({ numFrames: 2, width: 32, height: 32 });
  assert.ok(Math.abs(ssim(clip.video, clip.video, 2, 32, 32) - 1) < 1e-9);
  let s = 7;
  const noisy = clip.video.map((v) => {
    s = (s * 1103515245 + 12345) >>> 0;
    return v + (s / 2 ** 32 - 0.5) * 0.4;
  });
  const sn = ssim(clip.video, noisy, 2, 32, 32);
  assert.ok(sn < 0.8, `noisy SSIM ${sn}`);
});

test('audio distances are 0 for identical signals and grow with distortion', () => {
  const x = syntheticClip({ numFrames: 9 }).clip.audio;
  assert.ok(multiResolutionStftDistance(x, x) < 1e-9);
  assert.ok(logSpectralDistanceDb(x, x) < 1e-9);
  const y = x.map((v, i) => v + 0.05 * Math.sin(i * 0.7));
  const z = x.map((v, i) => v + 0.2 * Math.sin(i * 0.7));
  assert.ok(multiResolutionStftDistance(x, y) < multiResolutionStftDistance(x, z));
  assert.ok(logSpectralDistanceDb(x, y) < logSpectralDistanceDb(x, z));
});
