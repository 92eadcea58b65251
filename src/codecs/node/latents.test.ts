// avdit encode / decode on a tiny synthetic cache with tiny random codecs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { initNodeEngine } from '../../engine/node.js';
import { probe } from '../../media/node/ffmpeg.js';
import { ClipCache } from '../../data/node/cache.js';
import { syntheticCache, writeTinyCodecs } from '../../testing/node/tiny.js';
import { encodeLatentCache, openLatentCache, loadCodecs, encoderSha256, checkCodecsMatch, codecRecord, quietTensors } from './latents.js';
import { quietLatentFrames } from '../../audio/activity.js';
import { loadCheckpoint, saveCheckpoint } from '../../util/node/checkpoint.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-latents-'));

test('encode writes every window of both splits as normalised latents; decode turns one back into an mp4', async () => {
  await syntheticCache(root, 4, 30);
  writeTinyCodecs(root, { scale: 0.2, mean: 0.1, std: 2, name: 'x' });
  const m = await encodeLatentCache({ cache: join(root, 'cache'), video: join(root, 'x-v'), audio: join(root, 'x-a'), out: join(root, 'lat') });
  const cache = new ClipCache(join(root, 'cache'));
  assert.equal(m.windows.train.length + m.windows.val.length, 8); // 4 clips × 2 windows
  assert.deepEqual(m.videoShape, [5, 4, 4, 4]);
  assert.deepEqual(m.audioShape, [106, 4]);
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((s) => m.layout.audioSegment.filter((x) => x === s).length),
    [6, 25, 25, 25, 25],
  );
  const lc = openLatentCache(join(root, 'lat'));
  const w = m.windows.train[1];
  const codecs = loadCodecs(join(root, 'x-v'), join(root, 'x-a'));
  const clip = cache.loadWindow({ clip: cache.clips().find((c) => c.file === w.file)!, start: w.start });
  const direct = await codecs.video.encode(clip.video, 1, 17);
  assert.deepEqual(lc.tensors['train.video'].data.subarray(320, 640), direct);
  // the quiet masks: one per audio latent frame, the same as computing them again from the clip cache
  assert.deepEqual(lc.tensors['train.quiet'].shape, [m.windows.train.length, 106]);
  assert.deepEqual(lc.tensors['train.quiet'].data.subarray(106, 212), quietLatentFrames(clip.audio, 16000, 8, 17, 106, 320));
  const q = quietTensors(join(root, 'cache'), m);
  for (const s of ['train.quiet', 'val.quiet']) assert.deepEqual(q[s].data, lc.tensors[s].data, s);
  const out = join(root, 'one.mp4');
  const decode = (...extra: string[]) =>
    spawnSync(
      process.execPath,
      [
        join(process.cwd(), 'dist/cli/main.js'),
        'decode',
        '--latents',
        join(root, 'lat'),
        '--video',
        join(root, 'x-v'),
        '--audio',
        join(root, 'x-a'),
        '--out',
        out,
        ...extra,
      ],
      { encoding: 'utf8' },
    );
  const r = decode('--split', 'train', '--index', '1');
  assert.equal(r.status, 0, r.stderr);
  const info = await probe(out);
  assert.ok(Math.abs(info.durationSec - 2.125) < 0.15, `duration ${info.durationSec}`);
  const bad = decode('--index', '99');
  assert.match(bad.stderr, /--index 99 is outside the \d+ val windows/);
});

test('a codec with the same encoder and another decoder has the same encoderSha256, and a model that records it accepts it', () => {
  const { video } = writeTinyCodecs(root, { name: 'fp' });
  const ck = loadCheckpoint(video);
  const bump = (prefix: string) =>
    Object.fromEntries(
      Object.entries(ck.params).map(([k, t]) => [k, k.startsWith(prefix) ? { shape: t.shape, data: t.data.map((v) => v + 0.01) } : t]),
    );
  saveCheckpoint(join(root, 'fp-dec'), { config: ck.config, params: bump('dec.') }, 'F16'); // another decoder, stored as fp16
  saveCheckpoint(join(root, 'fp-enc'), { config: ck.config, params: bump('enc.') });
  saveCheckpoint(join(root, 'fp-stats'), { config: ck.config, params: bump('latent.') });
  saveCheckpoint(join(root, 'fp-16'), { config: ck.config, params: ck.params }, 'F16');
  const rec = codecRecord(video);
  assert.equal(encoderSha256(join(root, 'fp-dec')), encoderSha256(join(root, 'fp-16')));
  assert.equal(encoderSha256(video), rec.encoderSha256);
  assert.notEqual(encoderSha256(join(root, 'fp-enc')), rec.encoderSha256);
  assert.notEqual(encoderSha256(join(root, 'fp-stats')), rec.encoderSha256);
  const model = (r: object) => ({ latents: { codecs: { video: r } } });
  checkCodecsMatch(model(rec), 'm', { video }); // the codec itself
  const fp16 = codecRecord(join(root, 'fp-16'));
  checkCodecsMatch(model(fp16), 'm', { video: join(root, 'fp-dec') }); // same (fp16) encoder, another decoder
  assert.throws(() => checkCodecsMatch(model({ sha256: fp16.sha256 }), 'm', { video: join(root, 'fp-dec') }), /is not the one m was trained with/);
  assert.throws(
    () => checkCodecsMatch(model(fp16), 'm', { video: join(root, 'fp-enc') }),
    /fp-enc: this video codec .* is not the one m was trained with/,
  );
});
