// The dataset pipeline on synthetic clips: statuses, windows, split, idempotency, interruption, damage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, decode } from '../../media/node/ffmpeg.js';
import { syntheticClip } from '../../media/synthetic.js';
import { sliceClip } from '../../media/clip.js';
import { DATA_DEFAULTS, splitOf, validateDataConfig, type DataConfig } from '../config.js';
import { prepare, windowStarts } from './prepare.js';
import { ClipCache } from './cache.js';

const root = mkdtempSync(join(tmpdir(), 'avdit-data-'));
const src = join(root, 'clips');
const cfg: DataConfig = { ...DATA_DEFAULTS, width: 32, height: 32, crop: 'none', valPercent: 30 };
const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');

const hashes = new Map<string, string>();
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('setup: synthetic clips, a broken file, a short clip, a silent clip', async () => {
  mkdirSync(join(src, 'sub'), { recursive: true });
  for (let i = 0; i < 6; i++)
    await encode(syntheticClip({ seed: i, numFrames: 24, width: 32, height: 32 }).clip, join(src, i < 3 ? '' : 'sub', `clip${i}.mp4`));
  await encode(syntheticClip({ seed: 9, numFrames: 10, width: 32, height: 32 }).clip, join(src, 'short.mp4'));
  const s = syntheticClip({ seed: 10, numFrames: 24, width: 32, height: 32 });
  await encode({ ...s.clip, audio: new Float32Array(0) }, join(src, 'silent.mp4'));
  writeFileSync(join(src, 'broken.mp4'), 'not a video at all\n'.repeat(100));
  writeFileSync(join(src, 'README.txt'), 'ignored: not a media extension');
  for (const f of readdirSync(src, { recursive: true }) as string[]) {
    const p = join(src, f);
    if (statSync(p).isFile()) hashes.set(p, sha(p));
  }
});

test('window starts follow the segment grid and need enough audio', () => {
  assert.deepEqual(windowStarts(DATA_DEFAULTS, 24, 48000), [0, 4]);
  assert.deepEqual(windowStarts(DATA_DEFAULTS, 17, 34000), [0]);
  assert.deepEqual(windowStarts(DATA_DEFAULTS, 24, 16000), []); // 1 s of audio cannot fill a 2.125 s window
  assert.throws(() => validateDataConfig({ ...DATA_DEFAULTS, windowFrames: 16 }), /1 \+ 4k/);
  assert.equal(splitOf('a.mp4', 10), splitOf('a.mp4', 10));
});

test('prepare: good clips cached with windows, bad ones listed with a reason, inputs untouched', async () => {
  const out = join(root, 'cache');
  const r = await prepare(src, out, cfg, { clipsPerShard: 2 });
  const by = Object.fromEntries(r.manifest.clips.map((c) => [c.file, c]));
  assert.equal(r.scanned, 9);
  for (let i = 0; i < 6; i++) {
    const e = by[i < 3 ? `clip${i}.mp4` : join('sub', `clip${i}.mp4`)];
    assert.equal(e.status, 'ok', JSON.stringify(e));
    assert.deepEqual(e.windows, [0, 4]);
    assert.equal(e.split, splitOf(`clip${i}.mp4`, 30));
  }
  assert.equal(by['broken.mp4'].status, 'failed');
  assert.match(by['broken.mp4'].reason!, /^not a media file/);
  assert.equal(by['short.mp4'].status, 'failed');
  assert.match(by['short.mp4'].reason!, /^too short/);
  assert.equal(by['silent.mp4'].status, 'failed');
  assert.equal(by['silent.mp4'].reason, 'has no audio stream');
  assert.equal(r.problems.length, 3);
  for (const [p, h] of hashes) assert.equal(sha(p), h, `${p} was modified`);

  // the cache gives back what ffmpeg decoded
  const cache = new ClipCache(out);
  const w = cache.windows().find((x) => x.clip.file === 'clip1.mp4' && x.start === 4)!;
  const got = cache.loadWindow(w);
  const ref = sliceClip((await decode(join(src, 'clip1.mp4'), { ...cfg, crop: 'none' })).clip, 4, 17);
  assert.equal(got.numFrames, 17);
  assert.ok(got.video.every((v, i) => Math.abs(v - ref.video[i]) <= 0.5 / 255 + 1e-6));
  assert.deepEqual(got.audio, ref.audio);

  // idempotent: a second run decodes nothing and changes nothing
  const before = readFileSync(join(out, 'manifest.json'), 'utf8');
  const r2 = await prepare(src, out, cfg, { clipsPerShard: 2 });
  assert.equal(r2.decodedNow, 0);
  assert.equal(r2.reused, 9);
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), before);
  await assert.rejects(prepare(src, out, { ...cfg, fps: 10 }), /prepared with other settings/);
});

test('prepare survives a kill mid-run: the re-run completes without duplicates or corruption', async () => {
  const out = join(root, 'killed');
  const child = spawn(
    process.execPath,
    [CLI, 'data', 'prepare', src, '--out', out, '--size', '32', '--crop', 'none', '--val', '30', '--shard', '1', '--jobs', '1'],
    { stdio: 'ignore' },
  );
  const manifest = join(out, 'manifest.json');
  const t0 = Date.now();
  while (!(existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).shards.length >= 1)) {
    if (Date.now() - t0 > 30000) throw new Error('prepare never wrote its first shard');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const partial = JSON.parse(readFileSync(manifest, 'utf8'));
  assert.ok(partial.clips.length < 9, `the kill came too late to test anything (${partial.clips.length} clips done)`);
  const r = await prepare(src, out, cfg, { clipsPerShard: 1 });
  assert.ok(r.decodedNow >= 1 && r.decodedNow < 9);
  const files = r.manifest.clips.map((c) => c.file);
  assert.equal(new Set(files).size, files.length, 'duplicate manifest entries');
  assert.equal(files.length, 9);
  assert.deepEqual(
    readdirSync(out).filter((n) => n.includes('.tmp-')),
    [],
  );
  const cache = new ClipCache(out);
  assert.equal(cache.clips().length, 6);
  for (const c of cache.clips()) assert.equal(cache.loadClip(c).numFrames, 24);
});

const sgib = join(process.cwd(), '..', 'shared', 'data', 'grid-s1', 'video', 'sgib8n.mpg');
test(
  "GRID's damaged clip sgib8n.mpg is excluded with the decoder's reason (kept with allowDamaged)",
  { skip: !existsSync(sgib) && 'shared GRID data not present' },
  async () => {
    const d = join(root, 'grid');
    mkdirSync(d);
    copyFileSync(sgib, join(d, 'sgib8n.mpg'));
    copyFileSync(join(sgib, '..', 'bbaf4p.mpg'), join(d, 'bbaf4p.mpg'));
    const gcfg = { ...DATA_DEFAULTS, crop: { w: 200, h: 200, x: 52, y: 44 } };
    const r = await prepare(d, join(root, 'grid-cache'), gcfg);
    const e = r.manifest.clips.find((c) => c.file === 'sgib8n.mpg')!;
    assert.equal(e.status, 'damaged');
    assert.match(e.reason!, /ac-tex damaged/);
    assert.equal(r.manifest.clips.find((c) => c.file === 'bbaf4p.mpg')!.status, 'ok');
    const kept = await prepare(d, join(root, 'grid-cache-kept'), gcfg, { allowDamaged: true });
    const k = kept.manifest.clips.find((c) => c.file === 'sgib8n.mpg')!;
    assert.equal(k.status, 'ok');
    assert.ok(k.warnings!.length > 0);
  },
);
