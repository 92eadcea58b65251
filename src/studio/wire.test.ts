// The studio's clip wire format: round trip (video to 8-bit, audio exact) and clear errors on bad bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticClip } from '../media/synthetic.js';
import { decodeClipWire, encodeClipWire } from './wire.js';

test('clip wire round trip: frames within half a level of 8 bits, audio bit-exact', () => {
  const { clip } = syntheticClip({ seed: 3, numFrames: 9, width: 20, height: 12 });
  const back = decodeClipWire(encodeClipWire(clip));
  assert.deepEqual([back.numFrames, back.width, back.height, back.fps, back.sampleRate], [9, 20, 12, clip.fps, clip.sampleRate]);
  let worst = 0;
  for (let i = 0; i < clip.video.length; i++) worst = Math.max(worst, Math.abs(back.video[i] - clip.video[i]));
  assert.ok(worst <= 0.5 / 255 + 1e-7, `worst pixel error ${worst}`);
  assert.deepEqual(back.audio, clip.audio);
});

test('clip wire rejects truncated or foreign bytes with the source name', () => {
  const bytes = encodeClipWire(syntheticClip({ seed: 1, numFrames: 5, width: 8, height: 8 }).clip);
  assert.throws(
    () => decodeClipWire(bytes.subarray(0, bytes.length - 4), 'x.clip'),
    /x\.clip: not an avdit clip \(\d+ bytes, the header describes \d+\)/,
  );
  assert.throws(() => decodeClipWire(new Uint8Array([1, 0, 0, 0, 0x7b]), 'y.clip'), /y\.clip: not an avdit clip \(header is not JSON\)/);
  assert.throws(() => decodeClipWire(new Uint8Array(2), 'z'), /z: not an avdit clip \(too short\)/);
});
