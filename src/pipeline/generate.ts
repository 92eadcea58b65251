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
import { SAMPLER_DEFAULTS } from './defaults.js';
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { avditForward, type AvditConsts } from '../model/avdit.js';
import type { AvditModel } from '../model/load.js';
import type { TokenLayout } from '../monl/layout.js';
import type { ConditionMask } from '../monl/tasks.js';
import { ddimStep, predictX0Host, samplingTimesteps } from '../diffusion/samplers/ddim.js';
import { foldIn, normal, type Key } from '../util/rng.js';

export type { AvditModel } from '../model/load.js';

export type GuidanceMode = 'all' | 'video' | 'audio';

export interface GenerateOptions {
  /** which cells are given: mask[m][s] */
  mask: ConditionMask;
  /** clean normalised latents (only the given cells are read): video [L,h,w,C], audio [La,Ca] for one
   * clip shared by all samples, or [B,…] with one clip per sample */
  given?: { video?: Float32Array; audio?: Float32Array };
  samples?: number;
  steps?: number;
  eta?: number;
  guidance?: number;
  /** which given cells the unconditional pass hides: all of them, or one modality's only */
  guidanceMode?: GuidanceMode;
  method?: 'monl' | 'replacement';
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

/** Per-element "generated" flags and given values for B samples. */
function elementPlan(l: TokenLayout, mask: ConditionMask, B: number) {
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const perFrame = h * w * C;
  const audioSeg = Array.from({ length: La }, (_, j) => l.segment[l.video.tokens + j]);
  const genV = new Uint8Array(B * L * perFrame),
    genA = new Uint8Array(B * La * Ca);
  for (let i = 0; i < genV.length; i++) genV[i] = mask[0][Math.floor(i / perFrame) % L] ? 0 : 1;
  for (let i = 0; i < genA.length; i++) genA[i] = mask[1][audioSeg[Math.floor(i / Ca) % La]] ? 0 : 1;
  return { genV, genA, nV: L * perFrame, nA: La * Ca };
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

export async function* generateSteps(model: AvditModel, o: GenerateOptions): AsyncGenerator<StepUpdate, Latents> {
  const { config: c, layout: l, schedule: sched } = model;
  const B = o.samples ?? 1,
    steps = o.steps ?? SAMPLER_DEFAULTS.steps,
    eta = o.eta ?? SAMPLER_DEFAULTS.eta,
    s = o.guidance ?? SAMPLER_DEFAULTS.guidance,
    seed: Key = o.seed ?? SAMPLER_DEFAULTS.seed;
  const method = o.method ?? 'monl',
    mode = o.guidanceMode ?? 'all';
  checkGiven(l, o.mask, o.given, B);
  const { genV, genA, nV, nA } = elementPlan(l, o.mask, B);
  const S = l.numSegments,
    MS = 2 * S;
  const tile = (x: Float32Array | undefined, n: number) => {
    const out = new Float32Array(B * n);
    if (x && x.length === B * n) out.set(x);
    else if (x) for (let b = 0; b < B; b++) out.set(x, b * n);
    return out;
  };
  const cleanV = tile(o.given?.video, nV),
    cleanA = tile(o.given?.audio, nA);
  // start: generated elements from N(0, I), given elements clean
  const z0V = normal(foldIn(seed, 1), B * nV),
    z0A = normal(foldIn(seed, 2), B * nA);
  let xV: Float32Array = Float32Array.from(cleanV, (v, i) => (genV[i] ? z0V[i] : v));
  let xA: Float32Array = Float32Array.from(cleanA, (v, i) => (genA[i] ? z0A[i] : v));
  // fixed noise that stands in for the given cells in the unconditional pass (h_T) and for replacement
  const hV = normal(foldIn(seed, 3), B * nV),
    hA = normal(foldIn(seed, 4), B * nA);
  let scV: Float32Array = new Float32Array(B * nV),
    scA: Float32Array = new Float32Array(B * nA); // self-conditioning estimates
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const forward = forwardFor(model);
  const ts = samplingTimesteps(sched, steps);
  for (let k = 0; k + 1 < ts.length; k++) {
    const t = ts[k],
      tPrev = ts[k + 1];
    const tc = new Float32Array(B * MS);
    for (let b = 0; b < B; b++)
      for (let m = 0; m < 2; m++) for (let sg = 0; sg < S; sg++) tc[b * MS + m * S + sg] = method === 'monl' && o.mask[m][sg] ? 0 : t;
    let inV: Float32Array = xV,
      inA: Float32Array = xA;
    if (method === 'replacement') {
      const ab = sched.alphaBars[t];
      inV = Float32Array.from(xV, (v, i) => (genV[i] ? v : Math.sqrt(ab) * cleanV[i] + Math.sqrt(1 - ab) * hV[i]));
      inA = Float32Array.from(xA, (v, i) => (genA[i] ? v : Math.sqrt(ab) * cleanA[i] + Math.sqrt(1 - ab) * hA[i]));
    }
    const guided = s !== 0 && method === 'monl';
    let batchV: Float32Array = inV,
      batchA: Float32Array = inA,
      batchT: Float32Array = tc,
      batchSV: Float32Array = scV,
      batchSA: Float32Array = scA,
      nb = B;
    if (guided) {
      // unconditional copy: hidden given cells become noise at t = T
      const hideV = mode !== 'audio',
        hideA = mode !== 'video';
      const uV = Float32Array.from(inV, (v, i) => (!genV[i] && hideV ? hV[i] : v));
      const uA = Float32Array.from(inA, (v, i) => (!genA[i] && hideA ? hA[i] : v));
      const uT = Float32Array.from(tc, (v, i) => {
        const cell = i % MS,
          m = cell < S ? 0 : 1,
          sg = cell % S;
        return o.mask[m][sg] && (m === 0 ? hideV : hideA) ? sched.T : v;
      });
      batchV = concat(inV, uV);
      batchA = concat(inA, uA);
      batchT = concat(tc, uT);
      batchSV = concat(scV, scV);
      batchSA = concat(scA, scA);
      nb = 2 * B;
    }
    const out = forward(
      refTree(model.params),
      refTree(model.consts),
      ops.tensor(batchV, [nb, L, h, w, C]),
      ops.tensor(batchA, [nb, La, Ca]),
      ops.tensor(batchT, [nb, MS]),
      ops.tensor(batchSV, [nb, L, h, w, C]),
      ops.tensor(batchSA, [nb, La, Ca]),
    );
    let eV: Float32Array = await ops.read(out.video),
      eA: Float32Array = await ops.read(out.audio);
    if (guided) {
      const comb = (e: Float32Array, n: number, gen: Uint8Array) =>
        Float32Array.from({ length: n }, (_, i) => (gen[i] ? (1 + s) * e[i] - s * e[n + i] : e[i]));
      eV = comb(eV, B * nV, genV);
      eA = comb(eA, B * nA, genA);
    }
    const ab = sched.alphaBars[t];
    if (c.selfCondition) {
      scV = Float32Array.from(xV, (v, i) => predictX0Host(v, eV[i], ab));
      scA = Float32Array.from(xA, (v, i) => predictX0Host(v, eA[i], ab));
    }
    const zV = eta > 0 ? normal(foldIn(seed, 100 + 2 * k), B * nV) : undefined;
    const zA = eta > 0 ? normal(foldIn(seed, 101 + 2 * k), B * nA) : undefined;
    xV = ddimStep(sched, xV, eV, genV, t, tPrev, eta, zV);
    xA = ddimStep(sched, xA, eA, genA, t, tPrev, eta, zA);
    const every = o.previewEvery ?? 0;
    const preview =
      every > 0 && (k % every === every - 1 || tPrev === 0)
        ? {
            video: Float32Array.from(xV, (v, i) => (genV[i] ? predictX0Host(inV[i], eV[i], ab) : cleanV[i])),
            audio: Float32Array.from(xA, (v, i) => (genA[i] ? predictX0Host(inA[i], eA[i], ab) : cleanA[i])),
          }
        : undefined;
    yield { step: k + 1, total: ts.length - 1, t, preview };
  }
  // given cells come back exactly as given
  return { video: Float32Array.from(xV, (v, i) => (genV[i] ? v : cleanV[i])), audio: Float32Array.from(xA, (v, i) => (genA[i] ? v : cleanA[i])) };
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
