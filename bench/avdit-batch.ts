/** Shared by the AVDiT parity test and benchmark: one MoNL batch and constants as named host tensors for the twin. */
import type { AvditConfig, AvditConsts } from '../src/model/avdit.js';
import { avditConsts, avditConstsHost, avditSpecs } from '../src/model/avdit.js';
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
import { monlBatchTensors, monlLoss, type MonlBatchTensors } from '../src/train/monl-loss.js';
import type { TokenLayout } from '../src/monl/layout.js';
import { makeMonlBatch } from '../src/train/monl-loss.js';
import { linearSchedule } from '../src/diffusion/schedule.js';
import { MIXTURES } from '../src/monl/strategies.js';
import { normal } from '../src/util/rng.js';

export const TWIN_INPUTS = ['xtV', 'xtA', 'epsV', 'epsA', 'sigV', 'noiV', 'sigA', 'noiA', 'tc', 'use', 'pe', 'cellOH', 'tokenModOH', 'cellModOH'];

export function twinBatch(c: AvditConfig, l: TokenLayout, B: number, seed: number, useSC: number) {
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const x0v = normal(seed, B * L * h * w * C),
    x0a = normal(seed + 1, B * La * Ca);
  const bt = makeMonlBatch(seed + 2, l, linearSchedule(), MIXTURES.monl, x0v, x0a, B);
  const k = avditConstsHost(c, l);
  const MS = 2 * l.numSegments,
    N = l.numTokens;
  const host: Record<string, { data: Float32Array; shape: number[] }> = {
    xtV: { data: bt.xtVideo, shape: [B, L, h, w, C] },
    xtA: { data: bt.xtAudio, shape: [B, La, Ca] },
    epsV: { data: bt.epsVideo, shape: [B, L, h, w, C] },
    epsA: { data: bt.epsAudio, shape: [B, La, Ca] },
    sigV: { data: bt.sigVideo, shape: [B, L, 1, 1, 1] },
    noiV: { data: bt.noiVideo, shape: [B, L, 1, 1, 1] },
    sigA: { data: bt.sigAudio, shape: [B, La, 1] },
    noiA: { data: bt.noiAudio, shape: [B, La, 1] },
    tc: { data: bt.tCells, shape: [B, MS] },
    use: { data: new Float32Array([useSC]), shape: [] },
    pe: { data: k.pe, shape: [N, c.width] },
    cellOH: { data: k.cellOH, shape: [N, MS] },
    tokenModOH: { data: k.tokenModOH, shape: [N, 2] },
    cellModOH: { data: k.cellModOH, shape: [MS, 2] },
  };
  return { bt, host, twinConfig: { model: c, lay: { video: [L, h, w, C], nv: l.video.tokens } } };
}

/**
 * The benches' AVDiT training step (MoNL loss + backward + AdamW) on random weights (a zero-initialised model
 * would make the gradients trivial) and one fixed batch: `run()` does one step and returns its loss.
 */
export async function avditTrainBench(c: AvditConfig, l: TokenLayout, B: number) {
  const specs = avditSpecs(c, l);
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
  return { specs, w, host, twinConfig, ours, run };
}
