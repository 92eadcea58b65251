/**
 * AVDiT training-step benchmark: our jit step (MoNL loss, gradients, AdamW) against the PyTorch twin
 * (bench/twins/avdit.py) on the same model, weights and batch, in the same run; prints the ratio and
 * checks the losses agree. Default layout: 17 frames → video latents [5, 8, 8, 8], audio [106, 16].
 *   npm run build && node dist/bench/avdit.js [--preset small] [--batch 16]     (BENCH_REPS=5)
 */
import { initNodeEngine } from '../src/engine/node.js';
import { AVDIT_PRESETS, type AvditPreset } from '../src/model/avdit.js';
import { segmentLayout } from '../src/monl/segments.js';
import { makeTokenLayout } from '../src/monl/layout.js';
import { countParams } from '../src/nn/params.js';
import { startTwin, twinUnavailable } from './twins.js';
import { avditTrainBench, TWIN_INPUTS } from './avdit-batch.js';
import { timePaired, reportRows } from './timing.js';

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const reps = Number(process.env.BENCH_REPS ?? 5);

async function main() {
  const info = await initNodeEngine();
  const preset = arg('preset', 'small') as AvditPreset;
  const B = Number(arg('batch', '16'));
  const c = { ...AVDIT_PRESETS[preset] };
  const l = makeTokenLayout(segmentLayout(17, 8, 106, 0.02), { L: 5, h: 8, w: 8, C: 8 }, { La: 106, C: 16 }, c.patch, 8, 0.02);
  const { specs, w, host, twinConfig, ours, run } = await avditTrainBench(c, l, B);
  const why = twinUnavailable();
  const tw = why
    ? null
    : await startTwin(w, host, [
        { module: 'avdit', fn: 'loss_from_inputs', config: twinConfig, inputs: TWIN_INPUTS, output: 'loss' },
        { module: 'avdit', fn: 'loss_from_inputs', config: twinConfig, inputs: TWIN_INPUTS, reps, train: true },
      ]);
  const t = await timePaired(run, tw && (() => tw.twin.time(1)), reps); // our steps and the twin's alternate
  console.log(
    `AVDiT ${preset} (${(countParams(specs) / 1e6).toFixed(2)}M params, ${l.numTokens} tokens, self-cond ${c.selfCondition}), batch ${B}, training step (MoNL loss + backward + AdamW), median of ${reps}${tw ? ' pairs, the two sides alternating' : ''}`,
  );
  console.log(
    `  avdit/jax-js ${info.device}${info.device === 'wasm' ? ` ×${info.threads} threads` : ` (${info.adapter})`}: ${t.ours.toFixed(0)} ms/step, loss ${ours.toFixed(6)}`,
  );
  if (!tw) {
    console.log(`  PyTorch reference unavailable: ${why}`);
    return;
  }
  const r = await tw.finish();
  const theirs = r.results[0].output![0];
  console.log(
    `  PyTorch ${tw.version}${tw.version.includes('cuda') ? '' : ' CPU ×2 threads'}: ${t.theirs.toFixed(0)} ms/step, loss ${theirs.toFixed(6)}`,
  );
  const rel = Math.abs(ours - theirs) / Math.abs(theirs);
  console.log(
    `  ratio avdit/PyTorch (median of the pairs' ratios): ${t.ratio.toFixed(2)}×   (loss relative difference ${rel.toExponential(2)}${rel < 1e-4 ? ', parity ok' : ', PARITY FAILED'})`,
  );
  if (rel >= 1e-4) process.exitCode = 1;
  reportRows([{ name: `AVDiT ${preset} train step, batch ${B}`, ours: t.ours, torch: t.theirs, ratio: t.ratio }], r.maxRssKb);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
