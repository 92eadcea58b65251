/**
 * Micro-benchmark of the engine seam: one pre-LN transformer block (d=256, 4 heads, MLP 1024,
 * tanh-GELU, seq 256, batch 8, fp32), forward and forward+backward under jit, against the same block
 * in PyTorch (bench/block.py, Debian python3-torch) with the same weights, in the same run. Prints
 * both times and the ratio, and checks that both sides compute the same loss.
 *   npm run bench:block            (AVDIT_THREADS, AVDIT_DEVICE as usual; BENCH_REPS=15)
 * A fair PyTorch reference needs libopenblas0-pthread, 2 threads and OMP_WAIT_POLICY=PASSIVE, and glibc malloc set to keep freed memory (torchEnv in twins.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../src/engine/node.js';
import { ops, jit, valueAndGrad, blockUntilReady, disposeTree, refTree, type Tensor, type Params } from '../src/engine/index.js';
import { mulberry32 } from '../src/util/rng.js';
import { timePaired, reportRows } from './timing.js';
import { LiveTwin, torchEnv, twinUnavailable } from './twins.js';

const B = 8,
  T = 256,
  D = 256,
  H = 4,
  F = 1024;
const reps = Number(process.env.BENCH_REPS ?? 15);

function randn(n: number, scale: number, rnd: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd()) * scale;
  return a;
}

const SHAPES: Record<string, number[]> = {
  'qkv.weight': [D, 3 * D],
  'qkv.bias': [3 * D],
  'proj.weight': [D, D],
  'proj.bias': [D],
  'fc1.weight': [D, F],
  'fc1.bias': [F],
  'fc2.weight': [F, D],
  'fc2.bias': [D],
};

function block(p: Params, x: Tensor): Tensor {
  const dh = D / H;
  const lin = (h: Tensor, name: string) => ops.add(ops.matmul(h, p[`${name}.weight`].ref), p[`${name}.bias`].ref);
  const qkv = ops.reshape(lin(ops.layerNorm(x.ref, 1e-5), 'qkv'), [B, T, 3, H, dh]);
  const heads = (i: number) => ops.transpose(ops.reshape(ops.sliceAxis(qkv.ref, 2, i, i + 1), [B, T, H, dh]), [0, 2, 1, 3]); // [B,H,T,dh]
  const q = heads(0),
    k = heads(1),
    v = heads(2);
  qkv.dispose();
  const att = ops.softmax(ops.mul(ops.matmul(q, ops.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh)), -1); // [B,H,T,T]
  const o = ops.reshape(ops.transpose(ops.matmul(att, v), [0, 2, 1, 3]), [B, T, D]);
  const x1 = ops.add(x, lin(o, 'proj'));
  const m = lin(ops.gelu(lin(ops.layerNorm(x1.ref, 1e-5), 'fc1'), true), 'fc2');
  return ops.add(x1, m);
}

const loss = (p: Params, x: Tensor) => ops.mean(ops.square(block(p, x)));

async function main() {
  const info = await initNodeEngine();
  const rnd = mulberry32(1);
  const host: Record<string, Float32Array> = {};
  for (const [k, s] of Object.entries(SHAPES))
    host[k] = randn(
      s.reduce((a, b) => a * b, 1),
      k.endsWith('bias') ? 0.02 : 1 / Math.sqrt(s[0]),
      rnd,
    );
  const xh = randn(B * T * D, 1, rnd);
  const params: Params = Object.fromEntries(Object.entries(host).map(([k, v]) => [k, ops.tensor(v, SHAPES[k])]));
  const x = ops.tensor(xh, [B, T, D]);

  const fwd = jit((p: Params, xx: Tensor) => loss(p, xx));
  const fwdBwd = jit((p: Params, xx: Tensor) => valueAndGrad(loss)(p, xx));
  const lossOurs = (await ops.read(fwd(refTree(params), x.ref)))[0];
  const runFwd = async () => ops.read(fwd(refTree(params), x.ref));
  const runFwdBwd = async () => {
    const [l, g] = fwdBwd(refTree(params), x.ref);
    await blockUntilReady(g);
    disposeTree(g);
    return ops.read(l);
  };

  const dir = mkdtempSync(join(tmpdir(), 'avdit-bench-'));
  for (const [k, v] of Object.entries(host)) writeFileSync(join(dir, `${k}.f32`), v);
  writeFileSync(join(dir, 'x.f32'), xh);
  const where = `${info.device}${info.device === 'wasm' ? ` ×${info.threads} threads` : ` (${info.adapter})`}`;
  const why = twinUnavailable();
  const live = why
    ? null
    : await LiveTwin.start(
        [join(process.cwd(), 'bench', 'block.py'), dir, String(B), String(T), String(D), String(H), String(F), String(reps), '--serve'],
        torchEnv(2),
      );
  // our calls and the twin's alternate (timePaired)
  const tf = await timePaired(runFwd, live && (() => live.twin.time(0)), reps);
  const tfb = await timePaired(runFwdBwd, live && (() => live.twin.time(1)), reps);
  console.log(
    `transformer block d=${D} heads=${H} mlp=${F} seq=${T} batch=${B}: median of ${reps}${live ? ' pairs, the two sides alternating' : ''}`,
  );
  console.log(`  avdit/jax-js ${where}: fwd ${tf.ours.toFixed(1)} ms, fwd+bwd ${tfb.ours.toFixed(1)} ms, loss ${lossOurs.toFixed(6)}`);
  if (!live) {
    console.log(`  PyTorch reference unavailable: ${why}`);
    return;
  }
  const ref = await live.twin.finish();
  console.log(
    `  PyTorch ${ref.version} CPU ×${ref.threads} threads (${ref.blas}): fwd ${tf.theirs.toFixed(1)} ms, fwd+bwd ${tfb.theirs.toFixed(1)} ms, loss ${ref.loss.toFixed(6)}`,
  );
  console.log(`  ratio avdit/PyTorch (median of the pairs' ratios): fwd ${tf.ratio.toFixed(2)}×   fwd+bwd ${tfb.ratio.toFixed(2)}×`);
  const rel = Math.abs(lossOurs - ref.loss) / Math.abs(ref.loss);
  reportRows(
    [
      { name: `block d=${D} seq=${T} batch=${B} fwd`, ours: tf.ours, torch: tf.theirs, ratio: tf.ratio },
      { name: `block fwd+bwd`, ours: tfb.ours, torch: tfb.theirs, ratio: tfb.ratio },
    ],
    ref.max_rss_kb,
  );
  console.log(`  same weights, same input: loss relative difference ${rel.toExponential(2)}${rel < 1e-4 ? ' (parity ok)' : ' (PARITY FAILED)'}`);
  if (rel >= 1e-4) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
