// Conformance on wasm with worker threads (all cores), the default CPU configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';
import { workerStats } from './node-threads.js';
import { ops } from './index.js';
import { jx } from './runtime.js';

const info = await initNodeEngine({ device: 'wasm', threads: Math.max(2, os.availableParallelism()) });
test('engine runs on wasm with worker threads', () => {
  assert.equal(info.device, 'wasm');
  assert.ok(info.threads >= 2, `threads = ${info.threads}`);
});
for (const c of conformanceCases()) test(`wasm×${info.threads}: ${c.name}`, c.run);

// jax-js patch 6 (scripts/patch-jax.mjs): a worker keeps every kernel instance and gets each module once; jax-js alone
// re-posts the module on every dispatch and keeps 256 instances, so a step with more distinct kernels rebuilt them all
test(`wasm×${info.threads}: a second pass over 300 distinct kernels posts no modules and computes the same`, async () => {
  const sizes = Array.from({ length: 300 }, (_, i) => 4096 + 16 * i); // one kernel per size, each split over the workers
  const pass = async () => {
    for (const n of sizes) {
      const y = await ops.read(
        ops.add(
          ops.mul(
            ops.tensor(
              Float32Array.from({ length: n }, (_, i) => i),
              [n],
            ),
            2,
          ),
          1,
        ),
      );
      assert.equal(y[n - 1], 2 * (n - 1) + 1, `size ${n}`);
      assert.equal(y[n >> 1], 2 * (n >> 1) + 1, `size ${n}`);
    }
  };
  await pass();
  const a = workerStats();
  await pass();
  const b = workerStats();
  assert.ok(b.kernels - a.kernels >= 2 * sizes.length, `${b.kernels - a.kernels} kernel messages in the second pass`);
  assert.equal(b.modules - a.modules, 0, 'the workers already hold every kernel');
});

// jax-js patch 7: kernels queued while a batch runs go to the workers together, with a barrier between them in shared
// memory; a CPU routine (here jax-js's sort) closes the open batch so that it sees the kernels before it and the kernels
// after it see its result
test(`wasm×${info.threads}: batched dispatch keeps the order of kernels and routines, in fewer messages than kernels`, async () => {
  const n = 8192;
  const host = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
  const before = workerStats();
  let x = ops.tensor(host, [n]);
  for (let i = 0; i < 200; i++) x = ops.add(ops.mul(x, 1.001), i % 2 ? 0.5 : -0.5); // 200 dependent kernels, no read between
  const sorted = jx().numpy.sort(x);
  const y = await ops.read(ops.mul(sorted, 2));
  const after = workerStats();
  const want = Array.from(host);
  for (let i = 0; i < 200; i++) for (let j = 0; j < n; j++) want[j] = Math.fround(Math.fround(want[j] * Math.fround(1.001)) + (i % 2 ? 0.5 : -0.5));
  want.sort((a, b) => a - b);
  for (let j = 0; j < n; j += 97)
    assert.ok(Math.abs(y[j] - 2 * want[j]) <= 1e-5 * Math.abs(want[j]) + 1e-6, `element ${j}: ${y[j]} vs ${2 * want[j]}`);
  for (let j = 1; j < n; j++) assert.ok(y[j] >= y[j - 1], 'sorted after the kernels that made its input');
  assert.ok(after.kernels - before.kernels >= 2 * 200, `${after.kernels - before.kernels} kernel entries`);
  assert.ok(
    after.messages - before.messages < (after.kernels - before.kernels) / 4,
    `${after.messages - before.messages} messages for ${after.kernels - before.kernels} kernel entries`,
  );
});

// jax-js patch 10: a read from shared wasm memory copies once (TypedArray#slice) into a buffer of its own
test(`wasm×${info.threads}: a read returns its own unshared copy of exactly the tensor's bytes`, async () => {
  const n = 1 << 21; // 8 MB, split over the workers
  const x = ops.add(
    ops.mul(
      ops.tensor(
        Float32Array.from({ length: n }, (_, i) => i % 1000),
        [n],
      ),
      2,
    ),
    1,
  );
  const y = await ops.read(x.ref);
  assert.ok(!(y.buffer instanceof SharedArrayBuffer), 'the result is not a view of the wasm memory');
  assert.equal(y.buffer.byteLength, 4 * n);
  assert.equal(y[n - 1], 2 * ((n - 1) % 1000) + 1);
  y.fill(-1); // the caller owns it: the tensor is unchanged
  const z = await ops.read(x);
  assert.equal(z[12345], 2 * 345 + 1);
});
