/**
 * Training task for AVDiT on a latent cache (`avdit encode`) with a MoNL mixture (or one strategy).
 * Validation reports the loss under each strategy's noise pattern separately, on fixed val windows,
 * timesteps and noise, so the curves are comparable across checkpoints and across training variants.
 */
import { ops, jit, refTree, type Params, type Tensor } from '../../engine/index.js';
import { openLatentCache, type LatentManifest } from '../../codecs/node/latents.js';
import { makeTokenLayout, type TokenLayout } from '../../monl/layout.js';
import { avditConsts, avditSpecs, validateAvdit, type AvditConfig, type AvditConsts } from '../../model/avdit.js';
import { STRATEGIES, validateMixture, type Mixture } from '../../monl/strategies.js';
import { scheduleFromConfig, SCHEDULE_DEFAULTS, type ScheduleConfig } from '../../diffusion/schedule.js';
import { makeMonlBatch, monlBatchTensors, monlLoss, type MonlBatchTensors } from '../monl-loss.js';
import { TRAINER_DEFAULTS, type TrainerConfig, type TrainTask } from '../trainer.js';
import { recordedPath } from '../../util/node/paths.js';
import { randint, type Key } from '../../util/rng.js';
import type { Box } from '../../data/config.js';
import { regionWeightMap } from './train-video.js';

export interface MonlTrainOptions {
  /** the noise schedule (stored in the checkpoint; SCHEDULE_DEFAULTS unless you know why) */
  diffusion?: ScheduleConfig;
  batch: number;
  mixtureName: string;
  mixture: Mixture;
  /** probability of feeding the first-pass x̂0 when the model is self-conditioned (0.9 in the paper). */
  selfCondRate: number;
  valWindows: number;
  /** Min-SNR-γ loss weighting, γ (0 or absent: plain ε-MSE); validation stays unweighted */
  minSnr?: number;
  /** extra loss weight on the video latent positions inside `regions` (boxes of the frame, e.g. GRID's mouth), the map
   * normalised to mean 1 as the video codec's (0 or absent: unweighted); validation stays unweighted */
  regionWeight?: number;
  regions?: Record<string, Box>;
  /** condition practice: the share of training examples with one modality given (t = 0, out of the loss), as in
   * A2V/V2A (0 or absent: none); validation is unchanged */
  givenRate?: number;
  /** extra loss weight on the audio latent frames the cache marks quiet (`<split>.quiet`), normalised to mean 1 per
   * window (0 or absent: unweighted); validation stays unweighted */
  quietWeight?: number;
}

/** `avdit train`'s defaults, one object for the CLI, the library and python/avdit_torch (a test compares them). */
export const AVDIT_TRAIN_DEFAULTS: { trainer: TrainerConfig; task: Omit<MonlTrainOptions, 'mixture' | 'mixtureName' | 'diffusion'> } = {
  trainer: { ...TRAINER_DEFAULTS, steps: 4000, lr: 5e-4, warmupSteps: 200, checkpointEvery: 250, logEvery: 25, emaDecay: 0.999 },
  task: { batch: 16, selfCondRate: 0.9, valWindows: 64 },
};

export function layoutFromManifest(m: LatentManifest, patch: number): TokenLayout {
  const [L, h, w, C] = m.videoShape;
  const [La, Ca] = m.audioShape;
  return makeTokenLayout(m.layout, { L, h, w, C }, { La, C: Ca }, patch, m.data.fps, m.audioHopSec);
}

function gather(src: Float32Array, per: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i] * per, (idx[i] + 1) * per), i * per);
  return out;
}

/** What the AVDiT task hands the trainer each step. */
export interface MonlTaskBatch {
  data: MonlBatchTensors;
  consts: AvditConsts;
}

export function monlTrainTask(latentDir: string, c: AvditConfig, o: MonlTrainOptions): TrainTask<MonlTaskBatch> {
  validateAvdit(c);
  validateMixture(o.mixture);
  const lc = openLatentCache(latentDir);
  const m = lc.manifest;
  const l = layoutFromManifest(m, c.patch);
  const diffusion = o.diffusion ?? SCHEDULE_DEFAULTS;
  const sched = scheduleFromConfig(diffusion);
  const consts = avditConsts(c, l);
  const perV = m.videoShape.reduce((a, b) => a * b, 1),
    perA = m.audioShape.reduce((a, b) => a * b, 1);
  const [trV, trA, vaV, vaA] = ['train.video', 'train.audio', 'val.video', 'val.audio'].map((k) => lc.tensors[k].data);
  const nTrain = trV.length / perV,
    nVal = vaV.length / perV;
  if (nTrain === 0) throw new Error(`${latentDir}: no training windows`);
  const lossJ = jit((p: Params, k: AvditConsts, b: MonlBatchTensors) => monlLoss(p, c, l, k, b));
  if (o.regionWeight && !Object.keys(o.regions ?? {}).length)
    throw new Error('train: --region-weight needs --regions (e.g. mouth=0.33,0.72,0.67,0.95, or grid)');
  const quiet = o.quietWeight ? lc.tensors['train.quiet']?.data : undefined;
  if (o.quietWeight && !quiet)
    throw new Error(
      `${latentDir}/latents.safetensors: no "train.quiet" for --quiet-weight (a cache from before they existed: re-encode with "avdit encode", or add them with scripts/add-quiet.mjs)`,
    );
  const regionMap = o.regionWeight ? regionWeightMap(l.video.w, l.video.h, Object.values(o.regions!), o.regionWeight) : null;
  const valIdx = Array.from({ length: Math.min(o.valWindows, nVal) }, (_, i) => i);
  return {
    config: {
      kind: 'avdit',
      model: c,
      layout: { video: m.videoShape, audio: m.audioShape, segments: m.layout.numSegments },
      diffusion,
      latents: { path: recordedPath(latentDir), codecs: m.codecs, data: m.data, segmentLayout: m.layout, audioHopSec: m.audioHopSec },
      strategy: o.mixtureName,
      mixture: o.mixture,
      train: {
        batch: o.batch,
        selfCondRate: o.selfCondRate,
        ...(o.minSnr ? { minSnr: o.minSnr } : {}),
        ...(regionMap ? { regionWeight: o.regionWeight, regions: o.regions } : {}),
        ...(o.givenRate ? { givenRate: o.givenRate } : {}),
        ...(quiet ? { quietWeight: o.quietWeight } : {}),
      },
    },
    specs: avditSpecs(c, l),
    batch(key: Key) {
      const idx = randint(key, o.batch, 0, nTrain);
      const bt = makeMonlBatch(key, l, sched, o.mixture, gather(trV, perV, idx), gather(trA, perA, idx), o.batch, {
        minSnr: o.minSnr,
        givenRate: o.givenRate,
        ...(quiet ? { quiet: { mask: gather(quiet, m.audioShape[0], idx), weight: o.quietWeight! } } : {}),
      });
      // the constants ride with the batch: a jit program takes device arrays as arguments, not from its closure
      return { data: monlBatchTensors(bt, l, o.batch, c.selfCondition ? o.selfCondRate : 0, key, regionMap), consts: refTree(consts) };
    },
    loss(p, b) {
      return monlLoss(p, c, l, b.consts, b.data);
    },
    /** the mean validation loss over the four noise patterns */
    validationScore: (v) => STRATEGIES.reduce((a, s) => a + v[s], 0) / STRATEGIES.length,
    async validate(p) {
      const out: Record<string, number> = {};
      if (valIdx.length === 0) return out;
      const x0v = gather(vaV, perV, valIdx),
        x0a = gather(vaA, perA, valIdx);
      for (const s of STRATEGIES) {
        const bt = makeMonlBatch(0x7a1 + STRATEGIES.indexOf(s), l, sched, o.mixture, x0v, x0a, valIdx.length, { fixedStrategy: s });
        const [loss, metrics] = lossJ(refTree(p), refTree(consts), monlBatchTensors(bt, l, valIdx.length, 0, 0));
        out[s] = (await ops.read(loss))[0];
        for (const v of Object.values(metrics)) v.dispose();
      }
      return out;
    },
  };
}
