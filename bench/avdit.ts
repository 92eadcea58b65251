/**
 * AVDiT training-step benchmark: our jit step (MoNL loss, gradients, AdamW) against the PyTorch twin
 * (bench/twins/avdit.py) on the same model, weights and batch, in the same run; prints the ratio and
 * checks the losses agree. Default layout: 17 frames → video latents [5, 8, 8, 8], audio [106, 16].
 *   npm run build && node dist/bench/avdit.js [--preset small] [--batch 16]     (BENCH_REPS=5)
 */
import { initNodeEngine } from '../src/engine/node.js';
import {
  ops,
  jit,
  refTree,
  valueAndGrad,
  blockUntilReady,
  adamwInit,
  adamwUpdate,
  adamwScalars,
  ADAMW_DEFAULTS,
  type Params,
  type Tensor,
} from '../src/engine/index.js';
import { AVDIT_PRESETS, avditConsts, avditSpecs, type AvditPreset, type AvditConsts } from '../src/model/avdit.js';
import { segmentLayout } from '../src/monl/segments.js';
import { makeTokenLayout } from '../src/monl/layout.js';
import { monlBatchTensors, monlLoss, type MonlBatchTensors } from '../src/train/monl-loss.js';
import { countParams } from '../src/nn/params.js';
import { normal } from '../src/util/rng.js';
import { runTwin, twinUnavailable } from './twins.js';
import { twinBatch, TWIN_INPUTS } from './avdit-batch.js';
import { timeIt, reportRows } from './timing.js';

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
  const specs = avditSpecs(c, l);
  // random weights everywhere (a zero-initialised model would make the gradients trivial)
  const w = Object.fromEntries(
    Object.entries(specs).map(([k, s], i) => [
      k,
      {
        shape: s.shape,
        data: normal(
          i + 1,
          s.shape.reduce((a, b) => a * b, 1),
          0.02,
        ),
      },
    ]),
  );
  const { bt, host, twinConfig } = twinBatch(c, l, B, 5, 1);
  const k = avditConsts(c, l);
  let p: Params = Object.fromEntries(Object.entries(w).map(([n, t]) => [n, ops.tensor(t.data, t.shape)]));
  let st: any = adamwInit(p);
  const step = jit((pp: Params, s: any, kk: AvditConsts, b: MonlBatchTensors, sc: Tensor[]) => {
    const [loss, g] = valueAndGrad((q: Params) => monlLoss(q, c, l, kk, b)[0])(refTree(pp));
    const u = adamwUpdate(pp, g, s, sc, ADAMW_DEFAULTS);
    return { p: u.params, s: u.state, loss };
  });
  const lossJ = jit((pp: Params, kk: AvditConsts, b: MonlBatchTensors) => monlLoss(pp, c, l, kk, b)[0]);
  const ours = (await ops.read(lossJ(refTree(p), refTree(k), monlBatchTensors(bt, l, B, 1, 0))))[0];
  let n = 0;
  const run = async () => {
    const r = step(p, st, refTree(k), monlBatchTensors(bt, l, B, 1, 0), adamwScalars(1e-5, ++n, ADAMW_DEFAULTS));
    p = r.p;
    st = r.s;
    await blockUntilReady(p);
    return ops.read(r.loss);
  };
  const tOurs = (await timeIt(run, reps)).median;
  console.log(
    `AVDiT ${preset} (${(countParams(specs) / 1e6).toFixed(2)}M params, ${l.numTokens} tokens, self-cond ${c.selfCondition}), batch ${B}, training step (MoNL loss + backward + AdamW), median of ${reps}`,
  );
  console.log(
    `  avdit/jax-js ${info.device}${info.device === 'wasm' ? ` ×${info.threads} threads` : ` (${info.adapter})`}: ${tOurs.toFixed(0)} ms/step, loss ${ours.toFixed(6)}`,
  );
  const why = twinUnavailable();
  if (why) {
    console.log(`  PyTorch reference unavailable: ${why}`);
    return;
  }
  const r = runTwin(w, host, [
    { module: 'avdit', fn: 'loss_from_inputs', config: twinConfig, inputs: TWIN_INPUTS, output: 'loss' },
    { module: 'avdit', fn: 'loss_from_inputs', config: twinConfig, inputs: TWIN_INPUTS, reps, train: true },
  ]);
  const theirs = r.results[0].output![0];
  console.log(
    `  PyTorch ${r.version}${r.version.includes('cuda') ? '' : ' CPU ×2 threads'}: ${r.results[1].ms!.toFixed(0)} ms/step, loss ${theirs.toFixed(6)}`,
  );
  const rel = Math.abs(ours - theirs) / Math.abs(theirs);
  console.log(
    `  ratio avdit/PyTorch: ${(tOurs / r.results[1].ms!).toFixed(2)}×   (loss relative difference ${rel.toExponential(2)}${rel < 1e-4 ? ', parity ok' : ', PARITY FAILED'})`,
  );
  if (rel >= 1e-4) process.exitCode = 1;
  reportRows([{ name: `AVDiT ${preset} train step, batch ${B}`, ours: tOurs, torch: r.results[1].ms! }], r.maxRssKb);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
