// Media I/O through ffmpeg: round trips, A/V sync, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readdirSync, existsSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, probe } from './node/ffmpeg.js';
import { syntheticClip } from './synthetic.js';
import { syncOffsets, flashFrames } from './sync.js';

const dir = mkdtempSync(join(tmpdir(), 'avdit-media-'));
const GRID = join(process.cwd(), '..', 'shared', 'data', 'grid-s1', 'video');
const gridClip = join(GRID, 'bbaf4p.mpg');
const decodeOpts = { width: 32, height: 32, fps: 8, sampleRate: 16000 };

test('synthetic generator is deterministic and its onsets are visible and audible', () => {
  const a = syntheticClip({ seed: 3, numFrames: 40 });
  const b = syntheticClip({ seed: 3, numFrames: 40 });
  const c = syntheticClip({ seed: 4, numFrames: 40 });
  assert.deepEqual(a.clip.video, b.clip.video);
  assert.deepEqual(a.clip.audio, b.clip.audio);
  assert.notDeepEqual(a.clip.video, c.clip.video);
  assert.ok(a.onsetFrames.length >= 2, `only ${a.onsetFrames.length} onsets`);
  assert.deepEqual(flashFrames(a.clip), a.onsetFrames);
  for (const off of syncOffsets(a.clip)) assert.ok(Math.abs(off) < 0.003, `offset ${off}`);
});

test('encode → decode keeps frames, duration and A/V sync (synthetic onsets)', async () => {
  const s = syntheticClip({ seed: 7, numFrames: 48, width: 32, height: 32 });
  const out = join(dir, 'synth.mp4');
  await encode(s.clip, out);
  const info = await probe(out);
  assert.equal(info.video?.codec, 'h264');
  assert.equal(info.audio?.codec, 'aac');
  const { clip } = await decode(out, decodeOpts);
  assert.ok(Math.abs(clip.numFrames - s.clip.numFrames) <= 1, `${clip.numFrames} frames vs ${s.clip.numFrames}`);
  assert.ok(Math.abs(clip.audio.length / clip.sampleRate - s.clip.durationSec) < 1 / 8, `audio ${clip.audio.length / 16000}s`);
  assert.deepEqual(flashFrames(clip), s.onsetFrames);
  const offs = syncOffsets(clip);
  const mean = offs.reduce((a, b) => a + b, 0) / offs.length;
  console.log(`A/V offsets after mp4 round trip (ms): ${offs.map((o) => (o * 1000).toFixed(1)).join(', ')}`);
  assert.ok(Math.abs(mean) < 0.02, `mean A/V offset ${mean * 1000} ms`);
  let err = 0;
  for (let i = 0; i < s.clip.video.length; i++) err += (clip.video[i] - s.clip.video[i]) ** 2;
  const psnr = 10 * Math.log10(1 / (err / s.clip.video.length));
  assert.ok(psnr > 28, `round-trip PSNR ${psnr.toFixed(1)} dB`);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.tmp-')),
    [],
    'temporary files left behind',
  );
});

test(
  'GRID clip: decode → mp4 → decode keeps duration within one frame',
  { skip: !existsSync(gridClip) && 'shared GRID data not present' },
  async () => {
    const a = await decode(gridClip, { ...decodeOpts, crop: { w: 200, h: 200, x: 52, y: 44 } });
    assert.equal(a.clip.numFrames, 24);
    assert.deepEqual(a.warnings, []);
    const out = join(dir, 'grid.mp4');
    await encode(a.clip, out);
    const b = await decode(out, { ...decodeOpts, crop: 'none' });
    assert.ok(Math.abs(b.clip.durationSec - a.clip.durationSec) <= 1 / 8, `${b.clip.durationSec} vs ${a.clip.durationSec}`);
    assert.ok(Math.abs(b.clip.audio.length - a.clip.audio.length) <= 16000 / 8, `${b.clip.audio.length} vs ${a.clip.audio.length} samples`);
  },
);

test('bad input gets a one-line error naming the file', async () => {
  const missing = join(dir, 'nope.mp4');
  await assert.rejects(decode(missing, decodeOpts), (e: Error) => e.message === `${missing}: file not found`);
  const empty = join(dir, 'empty.mp4');
  writeFileSync(empty, '');
  await assert.rejects(decode(empty, decodeOpts), (e: Error) => e.message === `${empty}: zero-length file`);
  const text = join(dir, 'notes.mp4');
  writeFileSync(text, 'this is not a video\n'.repeat(50));
  await assert.rejects(decode(text, decodeOpts), (e: Error) => e.message.startsWith(`${text}: not a media file`) && !e.message.includes('\n'));
  const s = syntheticClip({ numFrames: 8 });
  const silent = join(dir, 'silent.mp4');
  await encode({ ...s.clip, audio: new Float32Array(0) }, silent);
  await assert.rejects(decode(silent, decodeOpts), (e: Error) => e.message === `${silent}: has no audio stream`);
  const r = await decode(silent, { ...decodeOpts, requireAudio: false });
  assert.ok(r.clip.audio.every((v) => v === 0));
  const wav = join(dir, 'tone.wav');
  // an audio-only file: made by encoding the synthetic audio as a wav with ffmpeg's own muxer
  await import('node:child_process').then(({ execFileSync }) => execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=0.5', wav]));
  await assert.rejects(decode(wav, decodeOpts), (e: Error) => e.message === `${wav}: has no video stream`);
});

test('encode refuses an unwritable output folder and leaves inputs untouched', async () => {
  const s = syntheticClip({ numFrames: 8 });
  const ro = join(dir, 'readonly');
  await import('node:fs').then((fs) => fs.mkdirSync(ro));
  chmodSync(ro, 0o500);
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    await assert.rejects(encode(s.clip, join(ro, 'x.mp4')), /cannot write to output folder/);
  }
  const src = join(dir, 'synth.mp4');
  if (existsSync(src)) {
    const before = statSync(src).mtimeMs;
    await decode(src, decodeOpts);
    assert.equal(statSync(src).mtimeMs, before);
  }
  // a path below a regular file can never be created, root or not
  const file = join(dir, 'afile');
  writeFileSync(file, 'x');
  await assert.rejects(encode(s.clip, join(file, 'x.mp4')), /cannot write to output folder/);
});
