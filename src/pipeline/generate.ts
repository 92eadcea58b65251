/**
 * The sampling loop, written out once (paper-notes §4–§5). Any condition mask over (modality × segment)
 * cells: given cells are fed clean at t = 0 at every step and come back exactly as given; the others
 * start from noise and follow DDIM (η = 0, the paper's sampler) or ancestral DDIM (η = 1 ≈ DDPM).
 * Free classifier-free guidance: the unconditional pass replaces the given cells by noise at t = T
 * (all of them, or only one modality's: the partial variants of §5), both passes in one batched forward;
 * ε̂ = (1 + s)·ε_cond − s·ε_uncond on the generated cells. `method: 'replacement'` is the vanilla
 * baseline's inference (all cells share t; given cells are replaced by q(x_t | x0) every step).
 *
 * `generateSteps` is an async generator yielding after every step (with an x̂0 preview every
 * `previewEvery` steps); `generate` drains it.
 *
 * Axis legend: B samples · M modalities · S segments · L/La video/audio latent frames
 */
import { SAMPLER_DEFAULTS, checkSamplerOptions, defaultGuidance, defaultTemperature } from './defaults.js';
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { avditForward, type AvditConsts } from '../model/avdit.js';
import type { AvditModel } from '../model/load.js';
import type { TokenLayout } from '../monl/layout.js';
import type { ConditionMask } from '../monl/tasks.js';
import { ddimStep, predictX0Host, samplingTimesteps } from '../diffusion/samplers/ddim.js';
import { foldIn, normal, type Key } from '../util/rng.js';
import { generatedElements, maskCells } from '../monl/cells.js';
import { guide, hidesAnyCell, unconditionalInputs, type GuidanceMode } from './guidance.js';

export type { GuidanceMode } from './guidance.js';

export type { AvditModel } from '../model/load.js';

export interface GenerateOptions {
  /** which cells are given: mask[m][s] */
  mask: ConditionMask;
  /** clean normalised latents (only the given cells are read): video [L,h,w,C], audio [La,Ca] for one
   * clip shared by all samples, or [B,…] with one clip per sample */
  given?: { video?: Float32Array; audio?: Float32Array };
  samples?: number;
  steps?: number;
  eta?: number;
  /** scale of the starting noise of the generated elements (1: N(0, I), what the model was trained from; below 1 the
   * seed varies the output less). Default: `defaultTemperature(mask)`. */
  temperature?: number;
  guidance?: number;
  /** which given cells the unconditional pass hides: all of them, or one modality's only */
  guidanceMode?: GuidanceMode;
  /** guide only the steps whose timestep t lies in [lo, hi] (of the schedule's T); the others run one unguided pass
   * (guidance in a limited interval, Kynkäänniemi et al. 2024). Default: every step. */
  guidanceInterval?: readonly [number, number];
  method?: 'monl' | 'replacement';
  /** edits the clean estimate x̂0 [B,…] of every step (reconstruction guidance); the step goes on from the edited x̂0
   * on the generated elements (e.g. activity guidance, activity-guidance.ts). `t`: the step's timestep. ε̂ of every
   * generated element is re-derived from the (clipped, ±4) x̂0, so even an identity edit differs from no edit where x̂0
   * was clipped (the noisiest steps). */
  editX0?: (x0: Latents, t: number) => Latents | Promise<Latents>;
  seed?: number;
  previewEvery?: number;
}

export interface Latents {
  video: Float32Array; // [B, L, h, w, C]
  audio: Float32Array; // [B, La, Ca]
}

export interface StepUpdate {
  step: number;
  total: number;
  t: number;
  /** current x̂0 (given cells exact), when this step has a preview */
  preview?: Latents;
}

export function checkGiven(l: TokenLayout, mask: ConditionMask, given?: { video?: Float32Array; audio?: Float32Array }, B = 1): void {
  const nV = l.video.L * l.video.h * l.video.w * l.video.C,
    nA = l.audio.La * l.audio.C;
  if (mask.length !== 2 || mask.some((r) => r.length !== l.numSegments))
    throw new Error(`generate: the condition mask must be 2 × ${l.numSegments} (modalities × segments)`);
  const ok = (n: number, len?: number) => len !== undefined && len > 0 && len % n === 0 && (len === n || len === B * n);
  if (mask[0].some(Boolean) && !ok(nV, given?.video?.length))
    throw new Error(
      `generate: video cells are given but the video latents have ${given?.video?.length ?? 0} values, expected ${nV}${B > 1 ? ` or ${B}×${nV}` : ''}`,
    );
  if (mask[1].some(Boolean) && !ok(nA, given?.audio?.length))
    throw new Error(
      `generate: audio cells are given but the audio latents have ${given?.audio?.length ?? 0} values, expected ${nA}${B > 1 ? ` or ${B}×${nA}` : ''}`,
    );
}

/**
 * The loop, step by step:
 *   1. plan: which latent elements are generated (from the mask); given latents tiled to B samples
 *   2. start: generated elements from N(0, I), given ones clean; fixed noise h for hidden/replaced cells
 *   3. for each timestep t (→ t_prev) of the respaced schedule:
 *      a. timesteps per cell: 0 for given cells (MoNL), t for the rest (replacement: t everywhere)
 *      b. replacement only: given elements ← q(x_t | x0) with the fixed noise
 *      c. guidance: append the unconditional copy (guidance.ts)
 *      d. ε̂ = AVDiT(x, t) in one batched forward; combine the two halves when guided
 *      d'. x̂0 edit (optional, e.g. activity guidance): ε̂ of the generated elements re-derived from the edited x̂0
 *      e. self-conditioning: keep x̂0 for the next step
 *      f. DDIM (η) moves the generated elements to t_prev
 *      g. preview x̂0 every `previewEvery` steps
 *   4. return: given elements exactly as given
 */
export async function* generateSteps(model: AvditModel, o: GenerateOptions): AsyncGenerator<StepUpdate, Latents> {
  const { config: c, layout: l, schedule: sched } = model;
  const B = o.samples ?? 1,
    steps = o.steps ?? SAMPLER_DEFAULTS.steps,
    eta = o.eta ?? SAMPLER_DEFAULTS.eta,
    s = o.guidance ?? defaultGuidance(o.mask),
    seed: Key = o.seed ?? SAMPLER_DEFAULTS.seed;
  const method = o.method ?? 'monl',
    guidanceMode = o.guidanceMode ?? 'all',
    guided = s !== 0 && method === 'monl' && hidesAnyCell(o.mask, guidanceMode),
    [gLo, gHi] = o.guidanceInterval ?? [0, sched.T];
  if (!(Number.isFinite(gLo) && Number.isFinite(gHi) && 0 <= gLo && gLo <= gHi))
    throw new Error(`generate: guidanceInterval [${o.guidanceInterval}] must be [lo, hi] with 0 ≤ lo ≤ hi (timesteps of T = ${sched.T})`);
  checkGiven(l, o.mask, o.given, B);
  const MS = 2 * l.numSegments;
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;

  // 1. plan
  const gen = generatedElements(l, o.mask, B);
  const { nV, nA } = gen;
  const clean = { video: tile(o.given?.video, nV, B), audio: tile(o.given?.audio, nA, B) };
  const givenCells = maskCells(o.mask);

  // 2. start
  const temp = o.temperature ?? defaultTemperature(o.mask);
  checkSamplerOptions({ temperature: temp });
  const z0V = normal(foldIn(seed, 1), B * nV),
    z0A = normal(foldIn(seed, 2), B * nA);
  let xV: Float32Array = Float32Array.from(clean.video, (v, i) => (gen.video[i] ? temp * z0V[i] : v));
  let xA: Float32Array = Float32Array.from(clean.audio, (v, i) => (gen.audio[i] ? temp * z0A[i] : v));
  const hidden = { video: normal(foldIn(seed, 3), B * nV), audio: normal(foldIn(seed, 4), B * nA) };
  let sc: { video: Float32Array; audio: Float32Array } = { video: new Float32Array(B * nV), audio: new Float32Array(B * nA) }; // self-conditioning estimates
  const forward = forwardFor(model);
  const ts = samplingTimesteps(sched, steps);

  // 3. the steps
  for (let k = 0; k + 1 < ts.length; k++) {
    const t = ts[k],
      tPrev = ts[k + 1],
      ab = sched.alphaBars[t];
    // a. timesteps per cell
    const tc = Float32Array.from({ length: B * MS }, (_, i) => (method === 'monl' && givenCells[i % MS] ? 0 : t));
    // b. replacement: given elements noised to t
    const noised = (x: Float32Array, x0: Float32Array, g: Uint8Array, z: Float32Array) =>
      Float32Array.from(x, (v, i) => (g[i] ? v : Math.sqrt(ab) * x0[i] + Math.sqrt(1 - ab) * z[i]));
    const input =
      method === 'replacement'
        ? { video: noised(xV, clean.video, gen.video, hidden.video), audio: noised(xA, clean.audio, gen.audio, hidden.audio), t: tc }
        : { video: xV, audio: xA, t: tc };
    // c. guidance: [conditional; unconditional]
    let batch: Record<'video' | 'audio' | 't' | 'scV' | 'scA', Float32Array> = { ...input, scV: sc.video, scA: sc.audio },
      nb = B;
    const guideStep = guided && t >= gLo && t <= gHi;
    if (guideStep) {
      const u = unconditionalInputs(input, gen, hidden, o.mask, guidanceMode, sched.T);
      batch = {
        video: concat(input.video, u.video),
        audio: concat(input.audio, u.audio),
        t: concat(input.t, u.t),
        scV: concat(sc.video, sc.video),
        scA: concat(sc.audio, sc.audio),
      };
      nb = 2 * B;
    }
    // d. one forward
    const out = forward(
      refTree(model.params),
      refTree(model.consts),
      ops.tensor(batch.video, [nb, L, h, w, C]),
      ops.tensor(batch.audio, [nb, La, Ca]),
      ops.tensor(batch.t, [nb, MS]),
      ops.tensor(batch.scV, [nb, L, h, w, C]),
      ops.tensor(batch.scA, [nb, La, Ca]),
    );
    let eV: Float32Array = await ops.read(out.video),
      eA: Float32Array = await ops.read(out.audio);
    if (guideStep) {
      eV = guide(eV, B * nV, gen.video, s);
      eA = guide(eA, B * nA, gen.audio, s);
    }
    // d'. x̂0 edit: ε̂ of the generated elements re-derived from the edited x̂0
    if (o.editX0) {
      const x0 = await o.editX0(
        { video: Float32Array.from(xV, (v, i) => predictX0Host(v, eV[i], ab)), audio: Float32Array.from(xA, (v, i) => predictX0Host(v, eA[i], ab)) },
        t,
      );
      eV = epsFromX0(xV, x0.video, eV, gen.video, ab);
      eA = epsFromX0(xA, x0.audio, eA, gen.audio, ab);
    }
    // e. self-conditioning
    if (c.selfCondition)
      sc = {
        video: Float32Array.from(xV, (v, i) => predictX0Host(v, eV[i], ab)),
        audio: Float32Array.from(xA, (v, i) => predictX0Host(v, eA[i], ab)),
      };
    // f. DDIM
    const zV = eta > 0 ? normal(foldIn(seed, 100 + 2 * k), B * nV) : undefined;
    const zA = eta > 0 ? normal(foldIn(seed, 101 + 2 * k), B * nA) : undefined;
    xV = ddimStep(sched, xV, eV, gen.video, t, tPrev, eta, zV);
    xA = ddimStep(sched, xA, eA, gen.audio, t, tPrev, eta, zA);
    // g. preview
    const every = o.previewEvery ?? 0;
    const preview =
      every > 0 && (k % every === every - 1 || tPrev === 0)
        ? {
            video: Float32Array.from(xV, (_, i) => (gen.video[i] ? predictX0Host(input.video[i], eV[i], ab) : clean.video[i])),
            audio: Float32Array.from(xA, (_, i) => (gen.audio[i] ? predictX0Host(input.audio[i], eA[i], ab) : clean.audio[i])),
          }
        : undefined;
    yield { step: k + 1, total: ts.length - 1, t, preview };
  }
  // 4. given cells come back exactly as given
  return {
    video: Float32Array.from(xV, (v, i) => (gen.video[i] ? v : clean.video[i])),
    audio: Float32Array.from(xA, (v, i) => (gen.audio[i] ? v : clean.audio[i])),
  };
}

/** ε̂ = (x_t − √ᾱ·x̂0) / √(1 − ᾱ) on the generated elements (given ones keep theirs). */
function epsFromX0(x: Float32Array, x0: Float32Array, eps: Float32Array, generated: Uint8Array, alphaBar: number): Float32Array {
  if (x0.length !== x.length) throw new Error(`generate: editX0 returned ${x0.length} values, expected ${x.length}`);
  const a = Math.sqrt(alphaBar),
    s = Math.sqrt(1 - alphaBar);
  return Float32Array.from(eps, (e, i) => (generated[i] ? (x[i] - a * x0[i]) / s : e));
}

/** One clip's values for every sample, or the B samples' own values as they are. */
function tile(x: Float32Array | undefined, n: number, B: number): Float32Array {
  const out = new Float32Array(B * n);
  if (x && x.length === B * n) out.set(x);
  else if (x) for (let b = 0; b < B; b++) out.set(x, b * n);
  return out;
}

type Forward = (p: Params, k: AvditConsts, v: Tensor, a: Tensor, t: Tensor, sv: Tensor, sa: Tensor) => { video: Tensor; audio: Tensor };
const FORWARDS = new WeakMap<AvditModel, Forward>();

/** One jit-compiled forward per model, reused across generate() calls (compiling costs seconds). */
function forwardFor(model: AvditModel): Forward {
  let f = FORWARDS.get(model);
  if (!f) {
    const { config: c, layout: l } = model;
    f = jit((p: Params, k: AvditConsts, v: Tensor, a: Tensor, t: Tensor, sv: Tensor, sa: Tensor) =>
      avditForward(p, c, l, k, { video: v, audio: a, selfCond: c.selfCondition ? { video: sv, audio: sa } : undefined }, t),
    );
    FORWARDS.set(model, f);
  }
  return f;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Runs an async generator to its end, handing every yielded value to `onYield`; returns its result. */
export async function drain<Y, R>(it: AsyncGenerator<Y, R>, onYield?: (y: Y) => void): Promise<R> {
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    onYield?.(r.value);
  }
}

/** Runs the whole loop and returns the final latents. */
export function generate(model: AvditModel, o: GenerateOptions, onStep?: (u: StepUpdate) => void): Promise<Latents> {
  return drain(generateSteps(model, o), onStep);
}
