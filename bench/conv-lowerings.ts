/**
 * The wasm conv lowerings (issue 12) on the codecs' 3-tap conv shapes: the median time of each lowering, jitted,
 * with the bias add the codec fuses after it, and its largest difference from `taps`. Used to choose where 'auto' takes
 * Winograd (docs/performance.md, session 24).
 *   npm run build && node dist/bench/conv-lowerings.js [threads, default 1]   (BENCH_REPS=5)
 */
import { initNodeEngine } from '../src/engine/node.js';
import { ops, jit, type ConvLowering, type Tensor } from '../src/engine/index.js';
import { normal } from '../src/util/rng.js';
import { timeIt } from './timing.js';

/**
 * [batch, ...spatial, Cin] → Cout: the video codec's 16×16, 32×32 and 64×64 stages (4 clips × 5 latent frames) and its
 * last conv; the audio codec's 1-d 128-channel convs (16 clips × 212 frames) and its output conv.
 */
const SHAPES: [number[], number, number][] = [
  [[20, 16, 16], 128, 128],
  [[20, 32, 32], 64, 64],
  [[20, 64, 64], 32, 32],
  [[20, 64, 64], 32, 12],
  [[16, 212], 128, 128],
  [[16, 212], 128, 512],
];
const LOWERINGS: ConvLowering[] = ['taps', 'winograd', 'im2col'];

async function main() {
  const info = await initNodeEngine({ device: 'wasm', threads: Number(process.argv[2] ?? 1) });
  console.log(
    `wasm ×${info.threads}\n\n| conv | ${LOWERINGS.join(' ms | ')} ms | winograd − taps, max abs |\n|---|${LOWERINGS.map(() => '---:|').join('')}---:|`,
  );
  for (const [[B, ...S], cin, cout] of SHAPES) {
    const x = ops.tensor(
      normal(
        1,
        S.reduce((a, n) => a * n, B * cin),
      ),
      [B, ...S, cin],
    );
    const taps = 3 ** S.length;
    const w = ops.tensor(
      normal(2, taps * cin * cout).map((v) => v / Math.sqrt(taps * cin)),
      [...S.map(() => 3), cin, cout],
    );
    const bias = ops.tensor(normal(3, cout), [cout]);
    const ms: string[] = [];
    const out: Float32Array[] = [];
    for (const lowering of LOWERINGS) {
      const f = jit((xx: Tensor, ww: Tensor, bb: Tensor) =>
        ops.add(ops.conv(xx, ww, { padding: S.map((): [number, number] => [1, 1]), lowering }), bb),
      );
      out.push(await ops.read(f(x.ref, w.ref, bias.ref)));
      const { median } = await timeIt(() => ops.read(f(x.ref, w.ref, bias.ref)));
      ms.push(median.toFixed(1));
    }
    const diff = out[1].reduce((m, v, i) => Math.max(m, Math.abs(v - out[0][i])), 0);
    console.log(`| [${[B, ...S, cin].join(', ')}] → ${cout} | ${ms.join(' | ')} | ${diff.toExponential(1)} |`);
    for (const t of [x, w, bias]) t.dispose();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
