// Conformance on wasm with worker threads (all cores), the default CPU configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';
import { workerStats } from './node-threads.js';
import { ops } from './index.js';

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
