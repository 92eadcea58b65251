// Bad input, tried as a user would, through the `avdit` binary: every broken file is built here at test
// time. For each case: the exit code, the one-line message naming the file or flag, no partial output,
// and the input unchanged.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode, decode } from '../src/media/node/ffmpeg.js';
import { syntheticClip } from '../src/media/synthetic.js';
import { writeTinyAvdit, writeTinyCodecs } from '../src/testing/node/tiny.js';
import { readMetrics } from '../src/train/trainer.js';
import { prepare } from '../src/data/node/prepare.js';
import { ClipCache } from '../src/data/node/cache.js';
import { DATA_DEFAULTS } from '../src/data/config.js';
import { COMMAND_TABLE } from '../cli/main.js';

const repo = resolve(new URL('../..', import.meta.url).pathname);
const bin = join(repo, 'dist', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'avdit-bad-'));
const at = (...p: string[]) => join(root, ...p);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

function cli(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, AVDIT_THREADS: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr.trim() };
}

/** exit ≠ 0, exactly one line on stderr that matches `want` */
function fails(r: { code: number; err: string }, want: RegExp): void {
  assert.notEqual(r.code, 0, `expected a failure, got exit 0 (${r.err})`);
  assert.equal(r.err.split('\n').length, 1, `more than one line: ${r.err}`);
  assert.match(r.err, want);
}

/** ffmpeg with -v error -y and space-separated arguments (none of them contains a space) */
const ff = (args: string) => spawnSync('ffmpeg', ['-v', 'error', '-y', ...args.split(' ')]);

const leftovers = (dir = root) => readdirSync(dir).filter((n) => n.includes('.tmp-'));
const gen = (...extra: string[]) => [
  'generate',
  '--model',
  at('avdit'),
  '--video-codec',
  at('codec-v'),
  '--audio-codec',
  at('codec-a'),
  '--steps',
  '2',
  ...extra,
];

before(async () => {
  writeTinyCodecs(root, { griffinLimIters: 2 });
  writeTinyAvdit(at('avdit'));
  const clip = syntheticClip({ seed: 4, numFrames: 24, width: 32, height: 32 }).clip;
  await encode(clip, at('in.mp4'));
  await encode({ ...clip, audio: new Float32Array(0) }, at('noaudio.mp4'));
  ff(`-i ${at('in.mp4')} -vn -ac 1 ${at('speech.wav')}`);
});

test('--out that would overwrite the input is refused before any work; the input is unchanged', () => {
  const before = sha(at('in.mp4'));
  for (const out of ['in', 'in.mp4', './in'])
    fails(
      cli(...gen('--task', 'v2a', '--input', 'in.mp4', '--out', out)),
      /^avdit: generate: output .*in\.mp4 is the input in\.mp4; choose another output/,
    );
  assert.equal(sha(at('in.mp4')), before);
  fails(cli(...gen('--task', 'joint', '--out', join(at('avdit'), 'x'))), /output .* is inside the input .*avdit; choose a folder outside it/);
  assert.deepEqual(leftovers(), []);
});

test('--out result.mp4 writes result.mp4 (not result.mp4.mp4); a video without audio is enough for v2a, an audio-only file for a2v', () => {
  const r = cli(...gen('--task', 'v2a', '--input', 'noaudio.mp4', '--out', 'result.mp4'));
  assert.equal(r.code, 0, r.err);
  assert.ok(existsSync(at('result.mp4')) && existsSync(at('result.png')) && existsSync(at('result.json')));
  assert.ok(!existsSync(at('result.mp4.mp4')));
  const a = cli(...gen('--task', 'a2v', '--input', 'speech.wav', '--out', 'a2v-from-wav'));
  assert.equal(a.code, 0, a.err);
  fails(cli(...gen('--task', 'a2v', '--input', 'noaudio.mp4', '--out', 'x')), /noaudio\.mp4: has no audio stream/);
  fails(cli(...gen('--task', 'v2a', '--input', 'speech.wav', '--out', 'x')), /speech\.wav: has no video stream/);
});

test('flags: negative, fractional, huge and unknown values are one-line errors naming the flag', () => {
  fails(cli('train', '--data', 'x', '--out', 'y', '--steps', '-5'), /^avdit: train: --steps must be a whole number ≥ 1, got -5$/);
  fails(cli('train', '--data', 'x', '--out', 'y', '--batch', '0'), /--batch must be a whole number in \[1, 4096\], got 0/);
  fails(cli(...gen('--task', 'joint', '--out', 'x', '--seed', '1.5')), /--seed must be a whole number in \[0, 4294967295\], got 1\.5/);
  fails(cli(...gen('--task', 'joint', '--out', 'x', '--seed', '4294967297')), /--seed must be a whole number/);
  fails(cli(...gen('--task', 'joint', '--out', 'x', '--guidance', '1e30')), /--guidance must be a number in \[0, 100\], got 1e30/);
  fails(
    cli(...gen('--task', 'joint', '--out', 'x', '--guidance-interval', '800:200')),
    /--guidance-interval must be LO:HI with 0 ≤ LO ≤ HI, got "800:200"/,
  );
  fails(cli(...gen('--task', 'joint', '--out', 'x', '--temperature', '0')), /--temperature must be a number ≤ 2 and > 0, got 0/);
  fails(cli(...gen('--task', 'a2v', '--input', 'in.mp4', '--out', 'x', '--start', '-5')), /--start must be a whole number ≥ 0, got -5/);
  fails(
    cli('eval', '--data', 'x', '--models', 'a=b', '--out', 'y', '--seeds', '0,1', '--influence-seeds', '3'),
    /--influence-seeds must be a whole number in \[1, 2\], got 3/,
  );
  fails(cli('data', 'prepare', 'x', '--out', 'y', '--size', '-64'), /--size must be a whole number in \[8, 4096\], got -64/);
  fails(cli('data', 'prepare', 'x', '--out', 'y', '--sample-rate', '0'), /--sample-rate must be a whole number in \[1000, 192000\], got 0/);
  fails(cli('generate', '--model', 'm', '--bogus', '1'), /generate: unknown option --bogus/);
  fails(cli('generate', '--model'), /generate: --model needs a value/);
  fails(cli('engine', '--device', 'gpu'), /--device must be one of auto, wasm, webgpu, cpu, got "gpu"/);
  fails(
    cli(...gen('--task', 'a2v', '--input', 'in.mp4', '--out', 'x', '--crop', '500:500:0:0')),
    /in\.mp4: crop 500:500:0:0 \(W:H:X:Y\) is outside its 32×32 frame/,
  );
  assert.deepEqual(leftovers(), []);
});

test('broken checkpoints: truncated, huge shape, flipped header, missing config field, another codec → one line naming the file', () => {
  const copy = (name: string) => {
    rmSync(at(name), { recursive: true, force: true });
    mkdirSync(at(name));
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(at('avdit', f), at(name, f));
    return at(name, 'model.safetensors');
  };
  const st = readFileSync(at('avdit', 'model.safetensors'));
  writeFileSync(copy('trunc'), st.subarray(0, st.length - 100));
  fails(
    cli(...gen('--model', at('trunc'), '--task', 'joint', '--out', 'x')),
    /trunc\/model\.safetensors: truncated: tensor .* ends at byte \d+, the file has \d+ bytes/,
  );
  const n = Number(st.readBigUInt64LE(0));
  const header = JSON.parse(st.subarray(8, 8 + n).toString());
  const first = Object.keys(header).find((k) => k !== '__metadata__')!;
  header[first].shape = [1e6, 1e6];
  let h = JSON.stringify(header);
  while (h.length % 8) h += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  writeFileSync(copy('huge'), Buffer.concat([len, Buffer.from(h), st.subarray(8 + n)]));
  fails(
    cli(...gen('--model', at('huge'), '--task', 'joint', '--out', 'x')),
    new RegExp(`huge/model\\.safetensors: tensor ${first.replace('.', '\\.')} has shape \\[1000000,1000000\\]`),
  );
  const flipped = Buffer.from(st);
  flipped[8] ^= 0xff;
  writeFileSync(copy('flip'), flipped);
  fails(
    cli(...gen('--model', at('flip'), '--task', 'joint', '--out', 'x')),
    /flip\/model\.safetensors: not a safetensors file \(header is not JSON\)/,
  );
  copy('nokey');
  const c = JSON.parse(readFileSync(at('avdit', 'config.json'), 'utf8'));
  delete c.model.patch;
  writeFileSync(at('nokey', 'config.json'), JSON.stringify(c));
  fails(cli(...gen('--model', at('nokey'), '--task', 'joint', '--out', 'x')), /nokey\/config\.json: config field "model\.patch" is missing/);
  writeFileSync(at('nokey', 'config.json'), '{"kind": "avdit", ');
  fails(cli(...gen('--model', at('nokey'), '--task', 'joint', '--out', 'x')), /nokey\/config\.json: checkpoint config is not valid JSON/);
  copy('othercodec');
  const c0 = JSON.parse(readFileSync(at('avdit', 'config.json'), 'utf8'));
  writeFileSync(
    at('othercodec', 'config.json'),
    JSON.stringify({ ...c0, latents: { ...c0.latents, codecs: { video: { path: 'elsewhere', sha256: 'f'.repeat(64) } } } }),
  );
  fails(
    cli(...gen('--model', at('othercodec'), '--task', 'joint', '--out', 'x')),
    /codec-v: this video codec \(sha256 [0-9a-f]{12}…\) is not the one .*othercodec was trained with \(ffffffffffff…\); pass the matching --video-codec/,
  );
  assert.ok(!existsSync(at('x.mp4')));
});

test('data loss: train into a folder with a run needs --resume or --force; export onto its source is refused', () => {
  mkdirSync(at('run', 'checkpoint'), { recursive: true });
  writeFileSync(at('run', 'checkpoint', 'trainer.json'), JSON.stringify({ step: 120 }));
  writeFileSync(at('run', 'metrics.jsonl'), '{"step": 20, "loss": 1}\n');
  const before = sha(at('run', 'metrics.jsonl'));
  fails(
    cli('train', '--data', 'nowhere', '--out', 'run'),
    /^avdit: run: already holds a training run \(checkpoint at step 120\); --resume continues it, --force starts over and replaces it$/,
  );
  fails(cli('codec', 'train', '--data', 'nowhere', '--modality', 'audio', '--out', 'run'), /run: already holds a training run/);
  assert.equal(sha(at('run', 'metrics.jsonl')), before);
  const src = sha(at('avdit', 'model.safetensors'));
  fails(cli('export', at('avdit'), '--out', at('avdit')), /export: output .*avdit is the input .*avdit/);
  fails(cli('export', at('avdit'), '--out', root), /export: output .* contains the input .*avdit; writing it would replace the input/);
  assert.equal(sha(at('avdit', 'model.safetensors')), src);
  assert.ok(existsSync(at('avdit', 'config.json')));
});

test('a torn last line of metrics.jsonl (killed mid-write) is dropped on resume; damage elsewhere names the line', () => {
  const p = at('torn.jsonl');
  writeFileSync(p, '{"step": 10, "loss": 1}\n{"step": 20, "loss": 0.5}\n');
  appendFileSync(p, '{"step": 30, "lo');
  assert.deepEqual(
    readMetrics(p).map((h) => h.step),
    [10, 20],
  );
  writeFileSync(p, '{"step": 10, "loss": 1}\nnot json\n{"step": 30}\n');
  assert.throws(() => readMetrics(p), /torn\.jsonl: line 2 is not JSON/);
});

test('a cache whose shard was deleted or truncated is reported, and data prepare repairs it', async () => {
  const src = at('clips');
  mkdirSync(src);
  for (let i = 0; i < 3; i++) await encode(syntheticClip({ seed: 20 + i, numFrames: 24, width: 32, height: 32 }).clip, join(src, `c${i}.mp4`));
  const cfg = { ...DATA_DEFAULTS, width: 32, height: 32, crop: 'none' as const };
  await prepare(src, at('cache'), cfg, { clipsPerShard: 1 });
  const shards = readdirSync(at('cache'))
    .filter((n) => n.startsWith('shard-'))
    .sort();
  assert.equal(shards.length, 3);
  rmSync(at('cache', shards[1]));
  writeFileSync(at('cache', shards[2]), readFileSync(at('cache', shards[2])).subarray(0, 100));
  assert.throws(
    () => new ClipCache(at('cache')),
    new RegExp(`${shards[1]} is missing \\(and 1 more shards\\): run "avdit data prepare <the same folder> --out .*cache" again to repair the cache`),
  );
  const problems: string[] = [];
  const r = await prepare(src, at('cache'), cfg, { clipsPerShard: 1, onRepair: (p) => problems.push(...p) });
  assert.equal(r.decodedNow, 2);
  assert.deepEqual(
    problems.map((p) => p.replace(/\(.*\)/, '()')),
    [`${shards[1]} is missing`, `${shards[2]} is truncated ()`],
  );
  const cache = new ClipCache(at('cache'));
  assert.equal(cache.clips().length, 3);
  for (const c of cache.clips()) assert.equal(cache.loadClip(c).numFrames, 24);
});

test('a damaged input is used with a warning; anti-phase stereo keeps the left channel with a warning', async () => {
  ff(`-f lavfi -i testsrc=s=64x64:r=25 -f lavfi -i sine=f=300:r=16000 -t 3 -c:v mpeg1video -q:v 4 -c:a mp2 -f mpeg ${at('ok.mpg')}`);
  const b = readFileSync(at('ok.mpg'));
  for (let i = Math.floor(b.length / 3); i < Math.floor(b.length / 3) + 60; i++) b[i] ^= 0x55;
  writeFileSync(at('damaged.mpg'), b);
  const r = cli(...gen('--task', 'v2a', '--input', 'damaged.mpg', '--out', 'dmg'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^warning: damaged\.mpg: .*(corrupt|damaged|conceal).*\(the given cells may show the damage\)/m);
  ff(
    `-f lavfi -i sine=f=440:r=16000:d=3 -filter_complex [0:a]asplit[l][r];[r]volume=-1[ri];[l][ri]join=inputs=2:channel_layout=stereo[a] -map [a] ${at('antiphase.wav')}`,
  );
  const d = await decode(at('antiphase.wav'), { width: 32, height: 32, fps: 8, sampleRate: 16000, requireVideo: false });
  assert.match(
    d.warnings.join('\n'),
    /two audio channels cancel when mixed to mono \(anti-phase, \d+ dB quieter\): the left channel is used instead/,
  );
  const rms = Math.sqrt(d.clip.audio.reduce((s, v) => s + v * v, 0) / d.clip.audio.length);
  assert.ok(rms > 0.05, `rms ${rms}`); // ffmpeg's sine has amplitude 1/8: rms 0.088, not silence
});

test('a 30-minute input: generate decodes only the window it needs', async () => {
  ff(
    `-f lavfi -i color=c=blue:s=32x32:r=8 -f lavfi -i sine=f=200:r=16000 -t 1800 -c:v libx264 -preset ultrafast -c:a aac -b:a 16k ${at('long30.mp4')}`,
  );
  const d = await decode(at('long30.mp4'), { width: 32, height: 32, fps: 8, sampleRate: 16000, start: 600, duration: 18 / 8 });
  assert.ok(d.clip.numFrames >= 17 && d.clip.numFrames <= 19, `${d.clip.numFrames} frames`);
  const r = cli(...gen('--task', 'v2a', '--input', 'long30.mp4', '--start', '4800', '--out', 'from-long'));
  assert.equal(r.code, 0, r.err);
  fails(
    cli(...gen('--task', 'v2a', '--input', 'long30.mp4', '--start', '20000', '--out', 'x')),
    /long30\.mp4: starts at 2500\.00 s but is only 1800\.\d+ s long/,
  );
});

test('every command answers --help with its usage and exit 0', () => {
  for (const cmd of COMMAND_TABLE) {
    const r = cli(...cmd, '--help');
    assert.equal(r.code, 0, `${cmd.join(' ')} --help: ${r.err}`);
    assert.match(r.out, new RegExp(`avdit ${cmd[0]}`), cmd.join(' '));
    assert.equal(cli(...cmd, '-h').code, 0);
  }
  assert.equal(cli('--help').code, 0);
});

test('export of a video codec run keeps what inference loads: the discriminator (disc.*) and read-out (probe.*) are dropped', async () => {
  const { loadCheckpoint, saveCheckpoint } = await import('../src/util/node/checkpoint.js');
  const { video } = writeTinyCodecs(at('tc'));
  const ck = loadCheckpoint(video);
  const extra = { shape: [2, 1], data: new Float32Array([1, 2]) };
  saveCheckpoint(at('tc-run'), { config: ck.config, params: { ...ck.params, 'disc.out.weight': extra, 'probe.bias': extra } });
  const r = cli('export', at('tc-run'), '--out', at('tc-export'), '--dtype', 'f32');
  assert.equal(r.code, 0, r.err);
  const out = loadCheckpoint(at('tc-export'));
  assert.deepEqual(Object.keys(out.params).sort(), Object.keys(ck.params).sort());
  assert.deepEqual(out.params['enc.in.weight'].data, ck.params['enc.in.weight'].data);
});
