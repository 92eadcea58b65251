/**
 * The training loop shared by the codecs and AVDiT: jit-compiled step (loss, gradients, global-norm
 * clipping, AdamW, optional EMA), warm-up + cosine LR, deterministic batches from (seed, step),
 * progress lines (step, loss, it/s, ETA), metrics.jsonl, a loss-curve PNG, and checkpoints that resume
 * exactly (same weights as an uninterrupted run). The only impure file of src/train/.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ops,
  jit,
  valueAndGradAux,
  refTree,
  adamwInit,
  adamwUpdate,
  adamwScalars,
  clipByGlobalNorm,
  emaUpdate,
  type Params,
  type Tensor,
  type AdamWConfig,
} from '../engine/index.js';
import { initHostParams, toDevice, toHost, checkAgainstSpecs, type ParamSpecs } from '../nn/params.js';
import { foldIn, type Key } from '../util/rng.js';
import type { HostParams } from '../util/safetensors.js';
import { lrAt } from './schedule.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../util/node/checkpoint.js';
import { linePlot } from '../media/plot.js';
import { writePNG } from '../media/node/png.js';
import { ensureWritableDir, writeFileAtomic } from '../util/node/atomic.js';
import { readJsonFile } from '../util/node/json.js';

export interface TrainerConfig {
  steps: number;
  lr: number;
  warmupSteps: number;
  minLrFraction: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  /** 0 disables the EMA; the checkpoint's model.safetensors holds the EMA weights when enabled. */
  emaDecay: number;
  seed: number;
  logEvery: number;
  checkpointEvery: number;
}

export const TRAINER_DEFAULTS: TrainerConfig = {
  steps: 1000,
  lr: 1e-3,
  warmupSteps: 100,
  minLrFraction: 0.1,
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.99,
  gradClip: 1,
  emaDecay: 0,
  seed: 0,
  logEvery: 20,
  checkpointEvery: 200,
};

export type Metrics = Record<string, Tensor>;

/** A training task; `B` is its batch: any pytree of device arrays (a list, or named fields). */
export interface TrainTask<B = Tensor[]> {
  /** what the checkpoint's config.json records (the model's resolved config, data source…). */
  config: Record<string, unknown>;
  specs: ParamSpecs;
  /** the batch for `step`, built from `key` only (so a resumed run sees the same batches). */
  batch(key: Key, step: number): B;
  /** pure loss (inside jit): [scalar loss, named scalar metrics]. */
  loss(p: Params, batch: B): [Tensor, Metrics];
  /** extra tensors to store with the weights at checkpoint time (e.g. latent normalisation). */
  extras?(params: Params): Promise<HostParams>;
  /** validation metrics, run at every checkpoint. */
  validate?(params: Params): Promise<Record<string, number>>;
  /** one number from the validation metrics, lower is better: when given, the run keeps its best weights in
   * `<out>/best` (an fp16 inference export: config.json with `exportedStep` and `validationScore`) */
  validationScore?(metrics: Record<string, number>): number;
  /** parameters the optimizer leaves as they are (no gradient, no update, no weight decay), e.g. a codec's encoder
   * while its decoder is fine-tuned: latents made with the old encoder stay valid */
  frozen?(name: string): boolean;
}

export interface TrainResult {
  params: Params;
  step: number;
  history: { step: number; [k: string]: number }[];
}

interface State {
  params: Params;
  opt: { m: Params; v: Params };
  ema?: Params;
}

function formatEta(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Reads metrics.jsonl; a torn last line (a run killed mid-write) is dropped, a bad line elsewhere is an error. */
export function readMetrics(path: string): TrainResult['history'] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: TrainResult['history'] = [];
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      out.push(JSON.parse(l));
    } catch {
      if (lines.slice(i + 1).some((x) => x.trim()))
        throw new Error(`${path}: line ${i + 1} is not JSON (the file is damaged; move it away to resume)`);
    }
  });
  return out;
}

/** The step of the run stored in `outDir`, or null when it holds none. */
export function existingRun(outDir: string): number | null {
  const ck = join(outDir, 'checkpoint');
  for (const d of [ck, `${ck}.old`]) {
    if (existsSync(join(d, 'trainer.json'))) {
      try {
        return Number(readJsonFile<{ step?: number }>(join(d, 'trainer.json')).step ?? 0);
      } catch {
        return 0;
      }
    }
  }
  const m = join(outDir, 'metrics.jsonl');
  return existsSync(m) && readFileSync(m, 'utf8').trim() ? 0 : null;
}

/** Refuses to start a new run in a folder that holds one, unless told to resume it or to replace it. */
export function checkRunFolder(outDir: string, opts: { resume?: boolean; force?: boolean }): void {
  const before = existingRun(outDir);
  if (before !== null && !opts.resume && !opts.force) {
    throw new Error(
      `${outDir}: already holds a training run (checkpoint at step ${before}); --resume continues it, --force starts over and replaces it`,
    );
  }
}

export async function train<B>(
  task: TrainTask<B>,
  cfg: TrainerConfig,
  outDir: string,
  opts: {
    resume?: boolean;
    force?: boolean;
    log?: (s: string) => void;
    stopAfter?: number;
    /** wall-time budget: checkpoint and stop after this many seconds (the run resumes exactly later) */ forSeconds?: number;
  } = {},
): Promise<TrainResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  for (const k of ['steps', 'logEvery', 'checkpointEvery'] as const)
    if (!(Number.isInteger(cfg[k]) && cfg[k] >= 1)) throw new Error(`trainer: ${k} = ${cfg[k]} must be a whole number ≥ 1`);
  if (!(cfg.lr > 0)) throw new Error(`trainer: lr = ${cfg.lr} must be > 0`);
  checkRunFolder(outDir, opts);
  ensureWritableDir(outDir);
  const ckDir = join(outDir, 'checkpoint');
  const metricsPath = join(outDir, 'metrics.jsonl');
  const adam: AdamWConfig = { beta1: cfg.beta1, beta2: cfg.beta2, eps: 1e-8, weightDecay: cfg.weightDecay };

  let state: State;
  let start = 0;
  let history: TrainResult['history'] = [];
  if (opts.resume && hasCheckpoint(ckDir)) {
    const ck = loadCheckpoint<Record<string, unknown>>(ckDir);
    // another kind of model, latent layout or noise schedule would load (same tensor shapes) and train on nonsense
    for (const k of ['kind', 'layout', 'diffusion'] as const)
      if (task.config[k] !== undefined && JSON.stringify(ck.config[k]) !== JSON.stringify(task.config[k]))
        throw new Error(
          ck.config[k] === undefined
            ? `${ckDir}/config.json: has no "${k}" (written before avdit stored it); add "${k}": ${JSON.stringify(task.config[k])} to resume it`
            : `${ckDir}/config.json: ${k} ${JSON.stringify(ck.config[k])} differs from this run's ${JSON.stringify(task.config[k])}`,
        );
    const o = ck.optimizer ?? {};
    // a run seeded from an export (scripts/seed-run.mjs, step 0) may add parameters the export lacks, e.g. a
    // codec fine-tuned with a discriminator: those start from their initialisation with a fresh optimizer state
    const added = Object.keys(task.specs).filter((k) => !ck.params[k]);
    if (added.length && ck.trainer?.seededFrom !== undefined && Number(ck.trainer?.step ?? 0) === 0) {
      const init = initHostParams(Object.fromEntries(added.map((k) => [k, task.specs[k]])), foldIn(cfg.seed, 0x1417)); // per-name noise: as in a fresh run
      const zeros = (k: string) => ({ shape: init[k].shape, data: new Float32Array(init[k].data.length) });
      for (const k of added) (Object.assign(o, { [`raw.${k}`]: init[k], [`m.${k}`]: zeros(k), [`v.${k}`]: zeros(k) }), (ck.params[k] = init[k]));
      log(`${added.length} parameters not in ${String(ck.trainer.seededFrom)} (${added[0]}, …): initialised`);
    }
    // same key order as a fresh run (the spec order): jit programs, and their memory plans, depend on it
    const pick = (prefix: string) =>
      Object.fromEntries(
        Object.keys(task.specs).map((k) => {
          if (!o[prefix + k]) throw new Error(`${ckDir}: optimizer state has no "${prefix + k}"`);
          return [k, o[prefix + k]];
        }),
      );
    const raw = cfg.emaDecay > 0 ? pick('raw.') : Object.fromEntries(Object.keys(task.specs).map((k) => [k, ck.params[k]]));
    checkAgainstSpecs(raw, task.specs, ckDir);
    state = { params: toDevice(raw), opt: { m: toDevice(pick('m.')), v: toDevice(pick('v.')) } };
    if (cfg.emaDecay > 0) state.ema = toDevice(Object.fromEntries(Object.keys(task.specs).map((k) => [k, ck.params[k]])));
    start = Number(ck.trainer?.step ?? 0);
    if (existsSync(metricsPath)) {
      history = readMetrics(metricsPath).filter((h) => h.step <= start);
      writeFileAtomic(metricsPath, history.map((h) => JSON.stringify(h) + '\n').join(''));
    }
    log(`resumed from ${ckDir} at step ${start}${start >= cfg.steps ? ` (already at --steps ${cfg.steps}: nothing to do)` : ''}`);
  } else {
    if (opts.resume) log(`no checkpoint in ${ckDir}: starting a new run`);
    const host = initHostParams(task.specs, foldIn(cfg.seed, 0x1417));
    state = { params: toDevice(host), opt: adamwInit(toDevice(host)) };
    if (cfg.emaDecay > 0) state.ema = toDevice(host);
    writeFileSync(metricsPath, '');
  }

  // the best validation so far (a resumed run reads it back from <out>/best)
  const bestDir = join(outDir, 'best');
  let best: { step: number; score: number } | null = null;
  if (opts.resume && existsSync(join(bestDir, 'config.json'))) {
    const b = readJsonFile<{ exportedStep?: number; validationScore?: number }>(join(bestDir, 'config.json'));
    if (typeof b.validationScore === 'number' && typeof b.exportedStep === 'number' && b.exportedStep <= start)
      best = { step: b.exportedStep, score: b.validationScore };
  }

  const metricNames: string[] = [];
  const isFrozen = (k: string) => task.frozen?.(k) ?? false;
  const frozenNames = Object.keys(task.specs).filter(isFrozen);
  if (frozenNames.length === Object.keys(task.specs).length) throw new Error('trainer: every parameter is frozen: nothing to train');
  if (frozenNames.length) log(`${frozenNames.length} of ${Object.keys(task.specs).length} parameter tensors frozen (${frozenNames[0]}, …)`);
  /** [trainable, frozen] halves of a parameter-shaped tree; `inSpecOrder` joins them back */
  const split = (x: Params): [Params, Params] => [
    Object.fromEntries(Object.entries(x).filter(([k]) => !isFrozen(k))),
    Object.fromEntries(Object.entries(x).filter(([k]) => isFrozen(k))),
  ];
  const inSpecOrder = (...parts: Params[]): Params => {
    const all: Params = Object.assign({}, ...parts);
    return Object.fromEntries(Object.keys(task.specs).map((k) => [k, all[k]]));
  };
  const step = jit((s: State, batch: B, scalars: Tensor[]) => {
    const [train, fixed] = split(s.params);
    const [[loss, metrics], grads] = valueAndGradAux((p: Params, f: Params, b: B) => task.loss(inSpecOrder(p, f), b))(
      refTree(train),
      refTree(fixed),
      batch,
    );
    if (!metricNames.length) metricNames.push(...Object.keys(metrics).sort());
    const [clipped, gnorm] = clipByGlobalNorm(grads, cfg.gradClip);
    const [m, mFixed] = split(s.opt.m);
    const [v, vFixed] = split(s.opt.v);
    const u = adamwUpdate(train, clipped, { m, v }, scalars, adam);
    const params = inSpecOrder(u.params, fixed);
    const next: State = { params, opt: { m: inSpecOrder(u.state.m, mFixed), v: inSpecOrder(u.state.v, vFixed) } };
    if (s.ema) {
      const [e, eFixed] = split(s.ema);
      next.ema = inSpecOrder(emaUpdate(e, u.params, cfg.emaDecay), eFixed);
    }
    // one tensor for the host to read: [loss, ...metrics (in key order), |g|] (one device sync per step, not 2 + metrics)
    const stats = ops.concat(
      [loss, ...metricNames.map((k) => metrics[k]), gnorm].map((x) => ops.reshape(x, [1])),
      0,
    );
    for (const k of Object.keys(metrics))
      if (!metricNames.includes(k)) throw new Error(`trainer: the loss returned metric "${k}" it did not return on the first batch`);
    return { state: next, stats };
  });

  /** writes the checkpoint; returns the inference weights it read to the host (the best-weights export reuses them) */
  const save = async (at: number): Promise<HostParams> => {
    const inference = state.ema ?? state.params;
    const params = { ...(await toHost(inference)), ...(task.extras ? await task.extras(inference) : {}) };
    const optimizer: HostParams = {};
    for (const [k, v] of Object.entries(await toHost(state.opt.m))) optimizer[`m.${k}`] = v;
    for (const [k, v] of Object.entries(await toHost(state.opt.v))) optimizer[`v.${k}`] = v;
    if (state.ema) for (const [k, v] of Object.entries(await toHost(state.params))) optimizer[`raw.${k}`] = v;
    saveCheckpoint(ckDir, { config: task.config, params, optimizer, trainer: { step: at, seed: cfg.seed, trainer: cfg } });
    if (history.length > 1) {
      const names = Object.keys(history[0]).filter((k) => k !== 'step' && k !== 'lr' && k !== 'gnorm' && k !== 'sPerStep');
      writePNG(
        join(outDir, 'loss.png'),
        linePlot(
          names.map((n) => ({ name: n, x: history.map((h) => h.step), y: history.map((h) => h[n]) })),
          { title: 'training loss', logY: true },
        ),
      );
    }
    return params;
  };

  let last = Math.min(cfg.steps, opts.stopAfter ?? cfg.steps);
  const deadline = opts.forSeconds !== undefined ? performance.now() + 1000 * opts.forSeconds : Infinity;
  let acc: Record<string, number> = {};
  let accCount: Record<string, number> = {};
  let accN = 0;
  let tWin = performance.now();
  let secPerStep = NaN;
  for (let s = start + 1; s <= last; s++) {
    const lr = lrAt(s, { lr: cfg.lr, warmupSteps: cfg.warmupSteps, steps: cfg.steps, minLrFraction: cfg.minLrFraction });
    const batch = task.batch(foldIn(cfg.seed, s), s);
    const out = step(state, batch, adamwScalars(lr, s, adam));
    state = out.state;
    const st = await ops.read(out.stats);
    const vals: Record<string, number> = { loss: st[0] };
    metricNames.forEach((k, i) => (vals[k] = st[1 + i]));
    vals.gnorm = st[1 + metricNames.length];
    if (!Number.isFinite(vals.loss)) throw new Error(`training diverged at step ${s}: loss is ${vals.loss} (try a lower --lr)`);
    for (const [k, v] of Object.entries(vals)) {
      if (!Number.isFinite(v)) continue; // e.g. a per-strategy loss in a step where no example drew it
      acc[k] = (acc[k] ?? 0) + v;
      accCount[k] = (accCount[k] ?? 0) + 1;
    }
    accN++;
    if (s < last && performance.now() >= deadline) {
      log(`wall-time budget of ${opts.forSeconds} s reached at step ${s}: checkpointing (continue with --resume)`);
      last = s;
    }
    if (s % cfg.logEvery === 0 || s === last) {
      const now = performance.now();
      secPerStep = (now - tWin) / 1000 / accN;
      tWin = now;
      const avg = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v / accCount[k]]));
      const h = { step: s, ...avg, lr, sPerStep: secPerStep };
      history.push(h);
      appendFileSync(metricsPath, JSON.stringify(h) + '\n');
      const extra = Object.entries(avg)
        .filter(([k]) => k !== 'loss' && k !== 'gnorm')
        .map(([k, v]) => `${k} ${v.toPrecision(3)}`)
        .join(' ');
      log(
        `step ${s}/${cfg.steps}  loss ${avg.loss.toPrecision(4)}${extra ? `  (${extra})` : ''}  lr ${lr.toExponential(2)}  |g| ${avg.gnorm.toPrecision(3)}  ${(1 / secPerStep).toFixed(2)} it/s  ETA ${formatEta(secPerStep * (cfg.steps - s))}`,
      );
      acc = {};
      accCount = {};
      accN = 0;
    }
    if (s % cfg.checkpointEvery === 0 || s === last) {
      const saved = await save(s);
      if (task.validate) {
        const v = await task.validate(state.ema ?? state.params);
        const h = history[history.length - 1];
        if (h && h.step === s) Object.assign(h, Object.fromEntries(Object.entries(v).map(([k, x]) => [`val_${k}`, x])));
        log(
          `  validation at step ${s}: ${Object.entries(v)
            .map(([k, x]) => `${k} ${x.toPrecision(4)}`)
            .join('  ')}`,
        );
        writeFileSync(metricsPath, history.map((x) => JSON.stringify(x) + '\n').join(''));
        const score = task.validationScore?.(v);
        if (score !== undefined && Number.isFinite(score) && (best === null || score < best.score)) {
          best = { step: s, score };
          saveCheckpoint(bestDir, { config: { ...task.config, exportedStep: s, validationScore: score }, params: saved }, 'F16');
          log(`  best so far (validation score ${score.toPrecision(4)}): fp16 export in ${bestDir}`);
        }
      }
      tWin = performance.now();
    }
  }
  return { params: state.ema ?? state.params, step: Math.max(start, last), history };
}
