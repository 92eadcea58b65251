// The runtime jax-js needs: relaxed SIMD and the iterator helpers einsum uses, on every supported Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareNodeRuntime } from './node-runtime.js';

test('node runtime: relaxed SIMD validates and RegExp match iterators have map/filter after prepareNodeRuntime', () => {
  const r = prepareNodeRuntime();
  assert.equal(r.relaxedSimd, true, `relaxed SIMD is off on Node ${r.node}`);
  const it = 'a1b22c333'.matchAll(/\d+/g) as unknown as {
    map(f: (m: RegExpMatchArray) => string): { filter(f: (s: string) => boolean): Iterable<string> };
  };
  assert.deepEqual([...it.map((m) => m[0]).filter((s) => s.length > 1)], ['22', '333']);
  if (Number(r.node.split('.')[0]) >= 22) assert.deepEqual(r.enabled, [], 'Node ≥ 22 needs nothing switched on');
  assert.equal(prepareNodeRuntime(), r, 'idempotent');
});
