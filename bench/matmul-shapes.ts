/**
 * Matmul throughput by shape on wasm (issue 12): the AVDiT's attention shapes as batched matmuls against the same
 * flops as one 2-D matmul, and the MLP's shapes. Used to measure jax-js patch 2 (docs/performance.md).
 *   npm run build && node dist/bench/matmul-shapes.js [threads, default 1]   (BENCH_REPS=5)
 */
import { initNodeEngine } from '../src/engine/node.js';
import { ops, jit, blockUntilReady, type Tensor } from '../src/engine/index.js';
import { normal } from '../src/util/rng.js';
import { timeIt } from './timing.js';

const rnd = (shape: number[], seed: number) =>
  ops.tensor(
    normal(
      seed,
      shape.reduce((a, b) => a * b, 1),
    ),
    shape,
  );

async function time(name: string, f: (...xs: Tensor[]) => Tensor, args: Tensor[], flops: number) {
  const { median } = await timeIt(async () => {
    const y = f(...args.map((a) => a.ref));
    await blockUntilReady(y);
    y.dispose();
  });
  console.log(`| ${name} | ${median.toFixed(2)} | ${(flops / median / 1e6).toFixed(1)} |`);
}

async function main() {
  const info = await initNodeEngine({ device: 'wasm', threads: Number(process.argv[2] ?? 1) });
  console.log(`wasm ×${info.threads}\n\n| matmul | ms (median) | GFLOP/s |\n|---|---:|---:|`);
  const mm = jit((a: Tensor, b: Tensor) => ops.matmul(a, b));
  const mmT = jit((a: Tensor, b: Tensor) => ops.matmul(a, ops.transpose(b, [0, 1, 3, 2])));
  const att = 2 * 64 * 192 * 192 * 48;
  await time('2-D [12288,48]·[48,192]', mm, [rnd([12288, 48], 1), rnd([48, 192], 2)], att);
  await time('batched [64,192,48]·[64,48,192]', mm, [rnd([64, 192, 48], 3), rnd([64, 48, 192], 4)], att);
  await time('batched [64,192,192]·[64,192,48]', mm, [rnd([64, 192, 192], 5), rnd([64, 192, 48], 6)], att);
  await time('scores q·kᵀ [16,4,192,48]·[16,4,48,192] (kᵀ a view)', mmT, [rnd([16, 4, 192, 48], 7), rnd([16, 4, 192, 48], 8)], att);
  await time('2-D [3072,192]·[192,768] (MLP)', mm, [rnd([3072, 192], 9), rnd([192, 768], 10)], 2 * 3072 * 192 * 768);
  // The backward's products as jax-js's transpose rule for dot writes them: weight gradient xᵀ·dy (both operands read
  // with the reduced axis outermost), input gradient dy·Wᵀ (the right operand contiguous along the reduced axis).
  const mmTN = jit((a: Tensor, b: Tensor) => ops.matmul(ops.transpose(a, [1, 0]), b));
  const mmNT = jit((a: Tensor, b: Tensor) => ops.matmul(a, ops.transpose(b, [1, 0])));
  const mlp = 2 * 3072 * 192 * 768;
  await time('weight grad [3072,768]ᵀ·[3072,192]', mmTN, [rnd([3072, 768], 11), rnd([3072, 192], 12)], mlp);
  await time('weight grad [3072,192]ᵀ·[3072,768]', mmTN, [rnd([3072, 192], 13), rnd([3072, 768], 14)], mlp);
  await time('input grad [3072,768]·[192,768]ᵀ', mmNT, [rnd([3072, 768], 15), rnd([192, 768], 16)], mlp);
  await time('input grad [3072,192]·[768,192]ᵀ', mmNT, [rnd([3072, 192], 17), rnd([768, 192], 18)], mlp);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
