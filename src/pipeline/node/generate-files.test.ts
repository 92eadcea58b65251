// avdit generate end to end at tiny size: files written, given cells kept, clear errors, no partial output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { encode, decode, probe } from '../../media/node/ffmpeg.js';
import { syntheticClip } from '../../media/synthetic.js';
import { writeTinyAvdit, writeTinyCodecs } from '../../testing/node/tiny.js';
import { generateFiles, spliceGivenAudio } from './generate-files.js';
import { longFormA2V } from './long-form.js';
import { SAMPLER_DEFAULTS } from '../defaults.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-gen-'));
const opts = { model: join(root, 'avdit'), videoCodec: join(root, 'codec-v'), audioCodec: join(root, 'codec-a'), steps: 3 };

test('setup: tiny codecs, a tiny AVDiT checkpoint and a condition clip', async () => {
  writeTinyCodecs(root, { griffinLimIters: 4 });
  writeTinyAvdit(join(root, 'avdit'));
  await encode(syntheticClip({ seed: 4, numFrames: 24, width: 32, height: 32 }).clip, join(root, 'in.mp4'));
  await encode(syntheticClip({ seed: 5, numFrames: 10, width: 32, height: 32 }).clip, join(root, 'short.mp4'));
});

test('v2a writes mp4 + strip + json; the given video frames are the input frames', async () => {
  const r = await generateFiles({ ...opts, spec: 'v2a', input: join(root, 'in.mp4'), crop: 'none', out: join(root, 'v2a') });
  for (const f of [r.mp4, r.png, r.json]) assert.ok(existsSync(f), `${f} missing`);
  const meta = JSON.parse(readFileSync(r.json, 'utf8'));
  assert.equal(meta.condition, 'video:all audio:none');
  assert.match(meta.checkpoints.model.sha256, /^[0-9a-f]{64}$/);
  const src = (await decode(join(root, 'in.mp4'), { width: 32, height: 32, fps: 8, sampleRate: 16000, crop: 'none' })).clip;
  assert.deepEqual(r.clip.video, src.video.subarray(0, r.clip.video.length));
  const info = await probe(r.mp4);
  assert.ok(Math.abs(info.durationSec - 2.125) < 0.15, `duration ${info.durationSec}`);
});

test('given audio segments play the original samples, with short crossfades at generated borders', () => {
  const out = new Float32Array(1000).fill(1);
  const orig = new Float32Array(1000).fill(-1);
  spliceGivenAudio(
    out,
    orig,
    [
      [0, 0.02],
      [0.02, 0.06],
      [0.06, 0.1],
    ],
    [true, false, true],
    10000,
  );
  assert.equal(out[0], -1);
  assert.equal(out[100], -1);
  assert.equal(out[400], 1);
  assert.equal(out[700], -1);
  assert.ok(out[180] > -1 && out[180] < 1, 'crossfade before the border');
});

test('joint generation needs no input; a free-form spec works', async () => {
  const j = await generateFiles({ ...opts, spec: 'joint', out: join(root, 'joint') });
  assert.equal(j.clip.numFrames, 17);
  const f = await generateFiles({
    ...opts,
    spec: 'video:0,4 audio:all',
    input: join(root, 'in.mp4'),
    crop: 'none',
    out: join(root, 'free'),
    guidance: 1,
  });
  assert.ok(f.clip.audio.length > 0);
});

test('bad input: too-short clip, missing input, missing checkpoint, bad spec — and no partial output', async () => {
  await assert.rejects(
    generateFiles({ ...opts, spec: 'a2v', input: join(root, 'short.mp4'), crop: 'none', out: join(root, 'bad1') }),
    /short\.mp4: 1\.25 s of audio is shorter than the model's 2\.125 s window from 0\.000 s/,
  );
  await assert.rejects(generateFiles({ ...opts, spec: 'a2v', out: join(root, 'bad2') }), /needs --input/);
  await assert.rejects(generateFiles({ ...opts, model: join(root, 'nope'), spec: 'joint', out: join(root, 'bad3') }), /nope: not a checkpoint/);
  await assert.rejects(generateFiles({ ...opts, spec: 'video:9', input: join(root, 'in.mp4'), out: join(root, 'bad4') }), /segment 9 does not exist/);
  await assert.rejects(
    generateFiles({ ...opts, spec: 'video:all audio:all', input: join(root, 'in.mp4'), out: join(root, 'bad5') }),
    /nothing to generate/,
  );
  assert.deepEqual(
    readdirSync(root).filter((n) => n.startsWith('bad') || n.includes('.tmp-')),
    [],
  );
});

test('long-form a2v: windows overlap by 5 frames and cover exactly the requested length', async () => {
  await encode(syntheticClip({ seed: 6, numFrames: 40, width: 32, height: 32 }).clip, join(root, 'long.mp4'));
  const r = await longFormA2V({ ...opts, input: join(root, 'long.mp4'), out: join(root, 'long-out') });
  assert.equal(r.windows, 3); // 40 frames: 17 + 12 + 12 (the last 1 frame past the end is dropped)
  assert.equal(r.clip.numFrames, 40);
  assert.ok(existsSync(r.mp4) && existsSync(r.png));
  assert.equal(r.clip.audio.length, 40 * 2000);
  // an audio-only file works too (the input's video, if any, is ignored)
  const wav = join(root, 'long.wav');
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', join(root, 'long.mp4'), '-vn', '-ac', '1', wav]);
  const w = await longFormA2V({ ...opts, input: wav, out: join(root, 'long-wav') });
  assert.equal(w.clip.numFrames, 40);
  // default guidance: the first window is a2v's (3); later windows continue generated frames with chainedGuidance (1)
  const g3 = await longFormA2V({ ...opts, input: wav, guidance: SAMPLER_DEFAULTS.crossModalGuidance, out: join(root, 'long-g3') });
  const fsz = 32 * 32 * 3;
  assert.deepEqual(w.clip.video.subarray(0, 17 * fsz), g3.clip.video.subarray(0, 17 * fsz));
  assert.notDeepEqual(w.clip.video.subarray(17 * fsz), g3.clip.video.subarray(17 * fsz));
  await assert.rejects(
    longFormA2V({ ...opts, input: join(root, 'short.mp4'), seconds: 10, out: join(root, 'long-bad') }),
    /short\.mp4: 1\.\d+ s of audio is shorter than one window \(2\.125 s\)/,
  );
});
