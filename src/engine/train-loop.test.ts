// A jit-compiled training loop through the seam (MLP + AdamW): the loss falls and memory stays flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from './node.js';
import { wasmHeapBytes } from './node-threads.js';
import {
  ops,
  jit,
  valueAndGrad,
  refTree,
  adamwInit,
  adamwUpdate,
  adamwScalars,
  ADAMW_DEFAULTS,
  type Params,
  type Tensor,
  type AdamWState,
} from './index.js';
import { mulberry32 } from '../util/rng.js';

await initNodeEngine({ device: 'wasm', threads: 2 });

test('MLP regression with AdamW under jit: loss falls, memory does not grow', async () => {
  const rnd = mulberry32(5);
  const rn = (n: number, s: number) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * s);
  const N = 256,
    D = 64,
    Hd = 1024;
  const x = rn(N * D, 1);
  const wTrue = rn(D, 1);
  const y = Float32Array.from({ length: N }, (_, i) => Math.sin(x.subarray(i * D, i * D + D).reduce((s, v, j) => s + v * wTrue[j], 0)));
  let params: Params = { w1: ops.tensor(rn(D * Hd, 0.2), [D, Hd]), b1: ops.zeros([Hd]), w2: ops.tensor(rn(Hd, 0.03), [Hd, 1]), b2: ops.zeros([1]) };
  let state: AdamWState = adamwInit(params);
  const loss = (p: Params, xb: Tensor, yb: Tensor) => {
    const h = ops.gelu(ops.add(ops.matmul(xb, p.w1), p.b1));
    const out = ops.reshape(ops.add(ops.matmul(h, p.w2), p.b2), [N]);
    return ops.mean(ops.square(ops.sub(out, yb)));
  };
  const step = jit((p: Params, st: AdamWState, xb: Tensor, yb: Tensor, sc: Tensor[]) => {
    const [l, g] = valueAndGrad(loss)(refTree(p), xb, yb);
    const u = adamwUpdate(p, g, st, sc, ADAMW_DEFAULTS);
    return { params: u.params, state: u.state, loss: l };
  });
  const xs = ops.tensor(x, [N, D]);
  const ys = ops.tensor(y, [N]);
  const losses: number[] = [];
  let memAt10 = 0;
  for (let s = 1; s <= 60; s++) {
    const r = step(params, state, xs.ref, ys.ref, adamwScalars(3e-3, s, ADAMW_DEFAULTS));
    params = r.params;
    state = r.state;
    losses.push((await ops.read(r.loss))[0]);
    if (s === 10) memAt10 = wasmHeapBytes()!;
  }
  const grown = wasmHeapBytes()! - memAt10;
  assert.ok(losses[59] < 0.3 * losses[0], `loss ${losses[0]} → ${losses[59]}`);
  assert.equal(grown, 0, `memory grew by ${grown} bytes over 50 steps`);
  assert.equal(params.w1.refCount, 1);
});
