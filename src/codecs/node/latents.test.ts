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
import { encodeLatentCache, openLatentCache, loadCodecs } from './latents.js';

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
