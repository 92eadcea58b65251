/**
 * Where the AVDiT training step's milliseconds go, kernel by kernel (issue 12): jax-js's profiler on the
 * wasm backend with 1 thread (kernels run inline, so each mark times real work), the bench's model and batch.
 * Prints time per kind (matmul-like, reduction, elementwise, routines) and the slowest kernel groups.
 *   npm run build && AVDIT_THREADS=1 node dist/bench/profile.js [--preset small] [--batch 16] [--top 25] [--exp-chars 60]
 */
import { initNodeEngine } from '../src/engine/node.js';
import { profileKernels } from '../src/engine/index.js';
import { AVDIT_PRESETS, type AvditPreset } from '../src/model/avdit.js';
import { segmentLayout } from '../src/monl/segments.js';
import { makeTokenLayout } from '../src/monl/layout.js';
import { avditTrainBench } from './avdit-batch.js';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};

async function main() {
  const info = await initNodeEngine({ device: 'wasm', threads: 1 });
  const preset = arg('preset', 'small') as AvditPreset;
  const B = Number(arg('batch', '16')),
    top = Number(arg('top', '25'));
  const c = { ...AVDIT_PRESETS[preset] };
  const l = makeTokenLayout(segmentLayout(17, 8, 106, 0.02), { L: 5, h: 8, w: 8, C: 8 }, { La: 106, C: 16 }, c.patch, 8, 0.02);
  const { run } = await avditTrainBench(c, l, B);
  await run(); // compile
  await run();
  const t0 = performance.now();
  await run();
  const plain = performance.now() - t0;
  const { kernels, totalMs } = await profileKernels(run, Number(arg('exp-chars', '60')));
  console.log(
    `AVDiT ${preset}, batch ${B}, one training step on ${info.device} ×${info.threads} thread: ${plain.toFixed(0)} ms untraced; ${totalMs.toFixed(0)} ms inside ${kernels.reduce((a, k) => a + k.calls, 0)} kernel calls (traced)`,
  );
  const byKind = new Map<string, { ms: number; calls: number }>();
  for (const k of kernels) {
    const g = byKind.get(k.kind) ?? { ms: 0, calls: 0 };
    g.ms += k.ms;
    g.calls += k.calls;
    byKind.set(k.kind, g);
  }
  console.log('\n| kind | ms | share | calls |\n|---|---:|---:|---:|');
  for (const [kind, g] of [...byKind].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`| ${kind} | ${g.ms.toFixed(1)} | ${((100 * g.ms) / totalMs).toFixed(1)}% | ${g.calls} |`);
  console.log(`\n| slowest kernel groups | ms | calls |\n|---|---:|---:|`);
  for (const k of kernels.slice(0, top)) console.log(`| ${k.kind}: ${k.what.replace(/\|/g, '/')} | ${k.ms.toFixed(1)} | ${k.calls} |`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
