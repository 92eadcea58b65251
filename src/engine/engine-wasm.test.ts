// Conformance on wasm with worker threads (all cores), the default CPU configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { initNodeEngine } from './node.js';
import { conformanceCases } from './conformance.js';
import { workerStats } from './node-threads.js';
import { ops, jit, blockUntilReady } from './index.js';
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

// jax-js patch 15: the outputs of one jit call share one set of pending kernels; disposing some outputs before the
// others are read, and feeding outputs back as the next call's arguments, must still run every kernel exactly once
test(`wasm×${info.threads}: jit outputs that share their pending kernels`, async () => {
  const n = 4096;
  const f = jit((x: any, y: any) => {
    const s = ops.add(x.ref, y.ref);
    return [ops.mul(s.ref, 2), ops.sub(s, 1), ops.mul(x, y)];
  });
  let x = ops.tensor(
    Float32Array.from({ length: n }, (_, i) => i / n),
    [n],
  );
  let y = ops.tensor(
    Float32Array.from({ length: n }, (_, i) => 1 - i / n),
    [n],
  );
  let hx = Float64Array.from({ length: n }, (_, i) => i / n),
    hy = Float64Array.from({ length: n }, (_, i) => 1 - i / n);
  for (let step = 0; step < 4; step++) {
    const [a, b, c] = f(x, y);
    if (step % 2)
      a.dispose(); // before anything was submitted
    else await blockUntilReady(b.ref);
    const ha = hx.map((v, i) => 2 * (v + hy[i])),
      hb = hx.map((v, i) => v + hy[i] - 1),
      hc = hx.map((v, i) => Math.fround(v * hy[i]));
    if (!(step % 2)) {
      const ra = await ops.read(a);
      assert.ok(Math.abs(ra[n - 1] - ha[n - 1]) < 1e-4, `step ${step}: a`);
    }
    const rc = await ops.read(c.ref);
    assert.ok(Math.abs(rc[777] - hc[777]) < 1e-4, `step ${step}: c ${rc[777]} vs ${hc[777]}`);
    x = b; // the next call's arguments are this call's outputs
    y = c;
    hx = hb;
    hy = hc;
  }
  const [rx, ry] = [await ops.read(x), await ops.read(y)];
  assert.ok(Math.abs(rx[123] - hx[123]) < 1e-3 && Math.abs(ry[4000] - hy[4000]) < 1e-3, `${rx[123]} vs ${hx[123]}, ${ry[4000]} vs ${hy[4000]}`);
});
