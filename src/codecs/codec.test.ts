// Codecs at tiny size: shapes for 1+4k frames, causality, normalisation, checkpoints, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../engine/node.js';
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { toDevice } from '../nn/params.js';
import { encodeVideo, decodeVideo, videoCodecSpecs, type VideoCodecConfig } from './video-codec.js';
import { audioCodecSpecs, AUDIO_CODEC_DEFAULTS, type AudioCodecConfig } from './audio-codec.js';
import { VideoCodec, AudioCodec } from './codec.js';
import { segmentLayout } from '../monl/segments.js';
import { saveCheckpoint, loadCheckpoint } from '../util/node/checkpoint.js';
import { syntheticClip } from '../media/synthetic.js';
import { normal } from '../util/rng.js';
import type { HostParams } from '../util/safetensors.js';

await initNodeEngine({ device: 'wasm' });
const vc: VideoCodecConfig = { width: 16, height: 16, latentChannels: 4, hidden: 8, resBlocks: 1 };
const ac: AudioCodecConfig = { ...AUDIO_CODEC_DEFAULTS, latentChannels: 4, hidden: 8, resBlocks: 1 };
// random (not zero) weights everywhere so every path carries signal
const rand = (specs: Record<string, { shape: number[] }>, seed: number) =>
  Object.fromEntries(
    Object.entries(specs).map(([k, s], i) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      return [k, { shape: s.shape, data: normal(seed * 1000 + i, n, 0.3) }];
    }),
  );
const vw = rand(videoCodecSpecs(vc), 1);
const stats = (c: number) => ({
  'latent.mean': { shape: [c], data: Float32Array.from({ length: c }, (_, i) => 0.1 * i) },
  'latent.std': { shape: [c], data: Float32Array.from({ length: c }, (_, i) => 1 + 0.5 * i) },
});
const frames = (n: number, seed = 0) => syntheticClip({ seed, numFrames: n, width: 16, height: 16 }).clip.video;

test('video codec: 1+4k frames → 1+k latent frames of h/8 × w/8 × C, and back', async () => {
  const codec = new VideoCodec(vc, vw, stats(4)['latent.mean'].data, stats(4)['latent.std'].data);
  for (const T of [1, 5, 9]) {
    const z = await codec.encode(frames(T), 1, T);
    const L = 1 + (T - 1) / 4;
    assert.equal(z.length, L * 2 * 2 * 4);
    assert.deepEqual(codec.latentShape(T), [L, 2, 2, 4]);
    const y = await codec.decode(z, 1, L);
    assert.equal(y.length, T * 16 * 16 * 3);
    assert.ok(y.every((v) => v >= 0 && v <= 1));
  }
  await assert.rejects(codec.encode(frames(8), 1, 8), /8 frames is not 1 \+ 4k/);
});

/** Flips frame f of a 9-frame clip: the latents of earlier groups must stay bit-identical, its own group must change. */
async function checkCausal(c: VideoCodecConfig, weights: HostParams, per: number, flipped: number[], seed: number): Promise<void> {
  const p = toDevice(weights);
  const enc = jit((pp: Params, x: Tensor) => encodeVideo(pp, c, x));
  const x = frames(9, seed);
  const z0 = await ops.read(enc(refTree(p), ops.tensor(x, [1, 9, 16, 16, 3])));
  for (const f of flipped) {
    const x2 = x.slice();
    for (let i = f * 768; i < (f + 1) * 768; i++) x2[i] = 1 - x2[i];
    const z1 = await ops.read(enc(refTree(p), ops.tensor(x2, [1, 9, 16, 16, 3])));
    const group = Math.ceil(f / 4);
    assert.deepEqual(z1.subarray(0, group * per), z0.subarray(0, group * per), `frame ${f} changed earlier latents`);
    assert.notDeepEqual(
      z1.subarray(group * per, (group + 1) * per),
      z0.subarray(group * per, (group + 1) * per),
      `frame ${f} did not reach its own group`,
    );
  }
}

test('video codec is causal: changing frame f leaves the latents of earlier groups unchanged', async () => {
  await checkCausal(vc, vw, 2 * 2 * 4, [1, 5, 8], 3);
});

test('normalisation round trip: codec latents are (z − mean)/std and decode inverts it', async () => {
  const s = stats(4);
  const codec = new VideoCodec(vc, vw, s['latent.mean'].data, s['latent.std'].data);
  const p = toDevice(vw);
  const x = frames(5, 1);
  const raw = await ops.read(encodeVideo(refTree(p), vc, ops.tensor(x, [1, 5, 16, 16, 3])));
  const z = await codec.encode(x, 1, 5);
  raw.forEach((v, i) => assert.ok(Math.abs((v - s['latent.mean'].data[i % 4]) / s['latent.std'].data[i % 4] - z[i]) < 1e-5));
  const y = await codec.decode(z, 1, 2);
  const yRaw = await ops.read(decodeVideo(refTree(p), vc, ops.tensor(raw, [1, 2, 2, 2, 4])));
  yRaw.forEach((v, i) => assert.ok(Math.abs(Math.min(1, Math.max(0, v)) - y[i]) < 1e-5));
});

test('checkpoint save → load gives identical outputs; mismatched checkpoints are refused', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'avdit-codec-')), 'video');
  saveCheckpoint(dir, { config: { kind: 'video-codec', codec: vc }, params: { ...vw, ...stats(4) } });
  const a = VideoCodec.fromCheckpoint({ config: { kind: 'video-codec', codec: vc }, params: { ...vw, ...stats(4) } });
  const b = VideoCodec.fromCheckpoint(loadCheckpoint(dir) as any, dir);
  const x = frames(5, 2);
  assert.deepEqual(await b.encode(x, 1, 5), await a.encode(x, 1, 5));
  assert.throws(
    () => AudioCodec.fromCheckpoint(loadCheckpoint(dir) as any, dir),
    new RegExp(`${dir}: is a video-codec checkpoint, expected audio-codec`),
  );
  assert.throws(
    () => VideoCodec.fromCheckpoint({ config: { kind: 'video-codec', codec: { ...vc, hidden: 16 } }, params: { ...vw, ...stats(4) } }, 'x.ckpt'),
    /x.ckpt: tensor "dec.in.bias" has shape \[8\], the model expects \[16\]|x.ckpt: tensor ".*" has shape/,
  );
  assert.throws(
    () => VideoCodec.fromCheckpoint({ config: { kind: 'video-codec', codec: vc }, params: vw }, 'y.ckpt'),
    /y.ckpt: has no latent normalisation/,
  );
  assert.throws(() => loadCheckpoint(join(dir, 'nope')), /not a checkpoint/);
  // a checkpoint of a run with an adversarial term also holds its discriminator (disc.*): loaded without it
  const disc = { 'disc.out.weight': { shape: [2, 1], data: new Float32Array([1, 2]) } };
  const c = VideoCodec.fromCheckpoint({ config: { kind: 'video-codec', codec: vc }, params: { ...vw, ...stats(4), ...disc } }, 'd.ckpt');
  assert.deepEqual(await c.encode(x, 1, 5), await a.encode(x, 1, 5));
  assert.throws(
    () =>
      VideoCodec.fromCheckpoint(
        { config: { kind: 'video-codec', codec: vc }, params: { ...vw, ...stats(4), 'enc.extra': disc['disc.out.weight'] } },
        'e.ckpt',
      ),
    /e.ckpt: unexpected tensor "enc.extra"/,
  );
});

test('audio codec: 50 Hz latents, Griffin–Lim waveform of the requested length, rate checked', async () => {
  const codec = new AudioCodec(ac, rand(audioCodecSpecs(ac), 2), new Float32Array(4), new Float32Array(4).fill(1));
  const audio = syntheticClip({ numFrames: 17 }).clip.audio; // 34000 samples
  const z = await codec.encode(audio, 1, 16000);
  assert.equal(z.length, 106 * 4);
  const y = await codec.decode(z, 1, 34000);
  assert.equal(y.length, 34000);
  assert.ok(y.every(Number.isFinite));
  await assert.rejects(codec.encode(audio, 1, 44100), /audio is 44100 Hz, this codec needs 16000 Hz/);
});

test('segment layout: 17 frames at 8 fps → 5 segments holding [6, 25, 25, 25, 25] audio latent frames', () => {
  const s = segmentLayout(17, 8, 106, 0.02);
  assert.equal(s.numSegments, 5);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((i) => s.audioSegment.filter((x) => x === i).length),
    [6, 25, 25, 25, 25],
  );
  assert.deepEqual(s.frames, [
    [0, 0],
    [1, 4],
    [5, 8],
    [9, 12],
    [13, 16],
  ]);
  assert.deepEqual(s.bounds[1], [0.125, 0.625]);
  assert.throws(() => segmentLayout(16, 8, 100, 0.02), /not 1 \+ 4k/);
});

// v2 (the default architecture): full-resolution stem, one 2× stage at a time.
const v2 = (size: number, factor: number): VideoCodecConfig => ({
  width: size,
  height: size,
  latentChannels: 4,
  hidden: 32,
  resBlocks: 1,
  arch: 'v2',
  spatialFactor: factor,
});

test('video codec v2: 64×64 with 4× and 128×128 with 8× both give 16×16 latents; 1+4k frames → 1+k latent frames', async () => {
  for (const [size, factor, h] of [
    [64, 4, 16],
    [128, 8, 16],
    [32, 2, 16],
  ] as const) {
    const c = v2(size, factor);
    const codec = new VideoCodec(c, rand(videoCodecSpecs(c), 5), new Float32Array(4), new Float32Array(4).fill(1));
    for (const T of [1, 9]) {
      const x = syntheticClip({ seed: 1, numFrames: T, width: size, height: size }).clip.video;
      const z = await codec.encode(x, 1, T);
      const L = 1 + (T - 1) / 4;
      assert.deepEqual(codec.latentShape(T), [L, h, h, 4], `${size}/${factor}×`);
      assert.equal(z.length, L * h * h * 4);
      const y = await codec.decode(z, 1, L);
      assert.equal(y.length, T * size * size * 3);
    }
  }
  assert.throws(() => videoCodecSpecs({ ...v2(64, 4), spatialFactor: 3 }), /spatialFactor 3 must be a power of 2/);
  assert.throws(() => videoCodecSpecs({ ...v2(60, 8) }), /60×60 is not divisible by the spatial factor 8/);
});

test('video codec v2 is causal: changing frame f leaves the latents of earlier groups unchanged', async () => {
  const c = v2(16, 4);
  await checkCausal(c, rand(videoCodecSpecs(c), 6), 4 * 4 * 4, [1, 4, 5, 8], 4);
});
