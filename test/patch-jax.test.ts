// The jax-js patch (scripts/patch-jax.mjs, docs/performance.md) is applied by `npm ci`/`npm install` (postinstall);
// its correctness is the conformance suite's "SIMD lanes = jax-js scalar algorithm" case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('the installed jax-js carries avdit’s SIMD patch (postinstall ran)', () => {
  const r = spawnSync(process.execPath, ['scripts/patch-jax.mjs', '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 of 2 jax-js backend files patched, 2 of 2 index files/);
});
