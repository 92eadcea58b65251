// avdit encode / decode on a tiny synthetic cache with tiny random codecs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { initNodeEngine } from '../../engine/node.js';
import { encode, probe } from '../../media/node/ffmpeg.js';
import { syntheticClip } from '../../media/synthetic.js';
import { prepare } from '../../data/node/prepare.js';
import { DATA_DEFAULTS } from '../../data/config.js';
import { ClipCache } from '../../data/node/cache.js';
import { saveCheckpoint } from '../../train/checkpoint.js';
import { videoCodecSpecs } from '../video-codec.js';
import { audioCodecSpecs, AUDIO_CODEC_DEFAULTS } from '../audio-codec.js';
import { normal } from '../../util/rng.js';
import { encodeLatentCache, openLatentCache, loadCodecs } from './latents.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-latents-'));
const rand = (specs: Record<string, { shape: number[] }>, seed: number) =>
  Object.fromEntries(Object.entries(specs).map(([k, s], i) => [k, { shape: s.shape, data: normal(seed * 100 + i, s.shape.reduce((a, b) => a * b, 1), 0.2) }]));
const stats = (c: number) => ({ 'latent.mean': { shape: [c], data: new Float32Array(c).fill(0.1) }, 'latent.std': { shape: [c], data: new Float32Array(c).fill(2) } });

test('encode writes every window of both splits as normalised latents; decode turns one back into an mp4', async () => {
  const src = join(root, 'clips');
  mkdirSync(src);
  for (let i = 0; i < 4; i++) await encode(syntheticClip({ seed: i, numFrames: 24, width: 32, height: 32 }).clip, join(src, `c${i}.mp4`));
  await prepare(src, join(root, 'cache'), { ...DATA_DEFAULTS, width: 32, height: 32, crop: 'none', valPercent: 30 });
  const vc = { width: 32, height: 32, latentChannels: 4, hidden: 8, resBlocks: 1 };
  const ac = { ...AUDIO_CODEC_DEFAULTS, latentChannels: 4, hidden: 8, resBlocks: 1 };
  saveCheckpoint(join(root, 'v'), { config: { kind: 'video-codec', codec: vc }, params: { ...rand(videoCodecSpecs(vc), 1), ...stats(4) } });
  saveCheckpoint(join(root, 'a'), { config: { kind: 'audio-codec', codec: ac }, params: { ...rand(audioCodecSpecs(ac), 2), ...stats(4) } });
  const m = await encodeLatentCache({ cache: join(root, 'cache'), video: join(root, 'v'), audio: join(root, 'a'), out: join(root, 'lat') });
  const cache = new ClipCache(join(root, 'cache'));
  assert.equal(m.windows.train.length + m.windows.val.length, 8); // 4 clips × 2 windows
  assert.deepEqual(m.videoShape, [5, 4, 4, 4]);
  assert.deepEqual(m.audioShape, [106, 4]);
  assert.deepEqual([0, 1, 2, 3, 4].map((s) => m.layout.audioSegment.filter((x) => x === s).length), [6, 25, 25, 25, 25]);
  const lc = openLatentCache(join(root, 'lat'));
  const w = m.windows.train[1];
  const codecs = loadCodecs(join(root, 'v'), join(root, 'a'));
  const clip = cache.loadWindow({ clip: cache.clips().find((c) => c.file === w.file)!, start: w.start });
  const direct = await codecs.video.encode(clip.video, 1, 17);
  assert.deepEqual(lc.tensors['train.video'].data.subarray(320, 640), direct);
  const out = join(root, 'one.mp4');
  const r = spawnSync(process.execPath, [join(process.cwd(), 'dist/cli/main.js'), 'decode', '--latents', join(root, 'lat'), '--video', join(root, 'v'), '--audio', join(root, 'a'), '--out', out, '--split', 'train', '--index', '1'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const info = await probe(out);
  assert.ok(Math.abs(info.durationSec - 2.125) < 0.15, `duration ${info.durationSec}`);
  const bad = spawnSync(process.execPath, [join(process.cwd(), 'dist/cli/main.js'), 'decode', '--latents', join(root, 'lat'), '--video', join(root, 'v'), '--audio', join(root, 'a'), '--out', out, '--index', '99'], { encoding: 'utf8' });
  assert.match(bad.stderr, /--index 99 is outside the \d+ val windows/);
});
