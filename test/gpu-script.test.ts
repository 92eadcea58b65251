// scripts/gpu-train.sh end to end on wasm (the dry run of what a lent GPU machine runs): it trains from a
// start checkpoint for a wall-time budget, and $OUT gets the fp16 export, the checkpoint, metrics and log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initNodeEngine } from '../src/engine/node.js';
import { encodeLatentCache } from '../src/codecs/node/latents.js';
import { syntheticCache, writeTinyCodecs } from '../src/testing/node/tiny.js';
import { loadCheckpoint } from '../src/util/node/checkpoint.js';

const repo = resolve(new URL('../..', import.meta.url).pathname);
await initNodeEngine({ device: 'wasm' });

test('gpu-train.sh: a wall-time chunk from an export, then a resumed chunk; everything that comes back is in $OUT', async () => {
  const root = mkdtempSync(join(tmpdir(), 'avdit-gpu-'));
  await syntheticCache(root, 4, 0);
  const tc = writeTinyCodecs(root);
  await encodeLatentCache({ cache: join(root, 'cache'), video: tc.video, audio: tc.audio, out: join(root, 'lat') });
  const env = { ...process.env, AVDIT_DEVICE: 'wasm', AVDIT_THREADS: '1', GPU_BENCH: '0' };
  const run = (out: string, ...extra: string[]) =>
    spawnSync(
      'bash',
      [
        join(repo, 'scripts', 'gpu-train.sh'),
        '--data',
        join(root, 'lat'),
        '--run',
        join(root, 'run'),
        '--minutes',
        '0.02',
        '--preset',
        'tiny',
        '--batch',
        '2',
        '--log-every',
        '1',
        '--checkpoint-every',
        '1000',
        ...extra,
      ],
      { env: { ...env, OUT: out }, encoding: 'utf8' },
    );
  // first a plain run to have an export to start from
  const a = run(join(root, 'outA'));
  assert.equal(a.status, 0, a.stderr + a.stdout);
  const out1 = join(root, 'outA');
  for (const f of ['export/model.safetensors', 'export/config.json', 'metrics.jsonl', 'train.log', 'checkpoint.tar'])
    assert.ok(existsSync(join(out1, f)), `${f} missing`);
  assert.match(readFileSync(join(out1, 'train.log'), 'utf8'), /wall-time budget of [0-9.]+ s reached at step \d+: checkpointing/);
  const step1 = (loadCheckpoint(join(root, 'run', 'checkpoint')).trainer as { step: number }).step;
  // a second chunk resumes the same run
  const b = run(join(root, 'outB'));
  assert.equal(b.status, 0, b.stderr + b.stdout);
  assert.match(b.stdout, new RegExp(`resumed from .* at step ${step1}`));
  assert.ok((loadCheckpoint(join(root, 'run', 'checkpoint')).trainer as { step: number }).step > step1);
  // a fresh run seeded from the export (fp16 weights, fresh optimizer)
  const c = spawnSync(
    'bash',
    [
      join(repo, 'scripts', 'gpu-train.sh'),
      '--data',
      join(root, 'lat'),
      '--run',
      join(root, 'run2'),
      '--minutes',
      '0.02',
      '--from',
      join(out1, 'export'),
      '--preset',
      'tiny',
      '--batch',
      '2',
    ],
    { env: { ...env, OUT: join(root, 'outC') }, encoding: 'utf8' },
  );
  assert.equal(c.status, 0, c.stderr + c.stdout);
  assert.match(c.stdout, /checkpoint: step 0 from .*export \(fresh optimizer state\)/);
  assert.match(c.stdout, /resumed from .* at step 0/);
  assert.ok(readdirSync(join(root, 'outC')).includes('export'));
});
