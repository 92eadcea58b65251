/**
 * The MoNL training objective (paper-notes §2–§3, Eq. 6), in numbered steps:
 *   1. per example, draw a strategy from the mixture and a timestep matrix t[M, S] ∈ {1..T}
 *   2. broadcast t to every latent element of its (modality, segment) cell
 *   3. noise: x_t = √ᾱ_t · x0 + √(1 − ᾱ_t) · ε   (host, float64 coefficients)
 *   4. predict ε̂ = AVDiT(x_t, t) (optionally self-conditioned on a first x̂0 estimate)
 *   5. L2 between ε̂ and ε over all video and audio latent elements (optionally Min-SNR-γ weighted per
 *      latent frame, region-weighted per video latent position, e.g. GRID's mouth, and per audio latent frame towards
 *      the quiet ones); named terms per
 *      modality and per strategy.
 * Steps 1–3 are host code (`makeMonlBatch`), 4–5 run inside jit (`monlLoss`).
 * Condition practice (`givenRate`, off by default): in that share of examples one modality (video or audio, even odds)
 * is given, as at A2V/V2A inference: its cells at t = 0 (clean) and out of the loss. MoNL alone almost never shows the
 * model that situation (all audio cells at t ≤ 50 with the video at t ≥ 300: 0.9% of examples).
 *
 * Axis legend: B batch · M modalities (2) · S segments · L/La video/audio latent frames
 */
import { ops, refTree, type Params, type Tensor } from '../engine/index.js';
import { avditForward, type AvditConfig, type AvditConsts } from '../model/avdit.js';
import type { TokenLayout } from '../monl/layout.js';
import { cellsToFrames } from '../monl/cells.js';
import { drawTimesteps, STRATEGIES, type Mixture, type Strategy } from '../monl/strategies.js';
import { noiseCoefficients, type Schedule } from '../diffusion/schedule.js';
import { foldIn, normal, uniform, type Key } from '../util/rng.js';

export interface MonlBatch {
  xtVideo: Float32Array;
  xtAudio: Float32Array;
  epsVideo: Float32Array;
  epsAudio: Float32Array;
  /** per-element coefficients: video [B, L], audio [B, La] (signal √ᾱ and noise √(1−ᾱ)). */
  sigVideo: Float32Array;
  noiVideo: Float32Array;
  sigAudio: Float32Array;
  noiAudio: Float32Array;
  /** [B, M·S] timesteps as floats (cell m·S + s). */
  tCells: Float32Array;
  /** [B, 4] one-hot of the strategy per example. */
  strategyOH: Float32Array;
  strategies: Strategy[];
  /** loss weight per latent frame (video [B, L], audio [B, La]): Min-SNR-γ, and 0 on given (t = 0) cells; absent = unweighted. */
  wVideo?: Float32Array;
  wAudio?: Float32Array;
  /** loss weight per audio latent frame [B, La] from the cache's quiet masks (quietWeights); absent = unweighted */
  wQuiet?: Float32Array;
}

/**
 * Loss weight of each audio latent frame from a quiet mask [B, La] (1: the frame is quiet, `<split>.quiet` of the latent
 * cache): 1 + `extra` on quiet frames, normalised to mean 1 per window, so the audio loss keeps its scale and moves
 * towards the silences (V2A's SAA-silence). Same float64 steps as avdit_torch's quiet_weights.
 */
export function quietWeights(quiet: Float32Array, batch: number, extra: number): Float32Array {
  const La = quiet.length / batch,
    out = new Float32Array(quiet.length);
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = 0; i < La; i++) sum += 1 + extra * quiet[b * La + i];
    const mean = sum / La;
    for (let i = 0; i < La; i++) out[b * La + i] = (1 + extra * quiet[b * La + i]) / mean;
  }
  return out;
}

/**
 * Loss weight of each latent frame: 0 at t = 0 (a given cell), else Min-SNR-γ for ε-prediction (Hang et al. 2023,
 * "Efficient Diffusion Training via Min-SNR Weighting Strategy"): min(SNR_t, γ) / SNR_t with SNR_t = ᾱ_t / (1 − ᾱ_t), so
 * low-noise steps, whose ε-loss is large but easy, stop dominating the gradient; γ = 0: 1 (unweighted). Same float64
 * steps as avdit_torch's min_snr_weights.
 */
export function minSnrWeights(sched: Schedule, t: ArrayLike<number>, gamma: number): Float32Array {
  return Float32Array.from(t, (ti) => {
    if (ti === 0) return 0; // a given cell: no loss
    if (!(gamma > 0)) return 1;
    const ab = sched.alphaBars[ti],
      snr = ab / (1 - ab);
    return Math.min(snr, gamma) / snr;
  });
}

export interface MonlBatchOptions {
  /** draw every example's timesteps with this strategy instead of the mixture (validation) */
  fixedStrategy?: Strategy;
  /** Min-SNR-γ, γ (0 or absent: unweighted) */
  minSnr?: number;
  /** share of examples with one modality given (t = 0, no loss); 0 or absent: none */
  givenRate?: number;
  /** the examples' quiet masks [B, La] and the extra weight on quiet audio frames (quietWeights); absent: none */
  quiet?: { mask: Float32Array; weight: number };
}

/**
 * Condition practice on a drawn timestep matrix t [B, 2·S] (in place): example b has one modality given when
 * u[2b] < rate, the video when u[2b + 1] < 0.5, else the audio.
 */
export function giveModalities(key: Key, t: Int32Array, batch: number, S: number, rate: number): void {
  const u = uniform(key, 2 * batch);
  for (let b = 0; b < batch; b++) {
    if (!(u[2 * b] < rate)) continue;
    const m = u[2 * b + 1] < 0.5 ? 0 : 1;
    t.fill(0, b * 2 * S + m * S, b * 2 * S + (m + 1) * S);
  }
}

/** Steps 1–3 on the host for clean latents x0 (video [B, L, h, w, C], audio [B, La, Ca]). */
export function makeMonlBatch(
  key: Key,
  l: TokenLayout,
  sched: Schedule,
  mixture: Mixture,
  x0Video: Float32Array,
  x0Audio: Float32Array,
  batch: number,
  o: MonlBatchOptions = {},
): MonlBatch {
  const S = l.numSegments,
    M = 2;
  const { fixedStrategy, minSnr = 0, givenRate = 0, quiet } = o;
  const mix = fixedStrategy ? { vanilla: 0, perModality: 0, perSegment: 0, perCell: 0, [fixedStrategy]: 1 } : mixture;
  const { t, strategies } = drawTimesteps(foldIn(key, 1), batch, M, S, sched.T, mix);
  if (givenRate > 0) giveModalities(foldIn(key, 5), t, batch, S, givenRate);
  const { h, w, C } = l.video;
  const Ca = l.audio.C;
  const perFrame = h * w * C;
  const { video: tv, audio: ta } = cellsToFrames(l, t, batch); // timestep of every latent frame
  const cv = noiseCoefficients(sched, tv),
    ca = noiseCoefficients(sched, ta);
  const epsVideo = normal(foldIn(key, 2), x0Video.length),
    epsAudio = normal(foldIn(key, 3), x0Audio.length);
  const xtVideo = Float32Array.from(x0Video, (x, i) => cv.signal[Math.floor(i / perFrame)] * x + cv.noise[Math.floor(i / perFrame)] * epsVideo[i]);
  const xtAudio = Float32Array.from(x0Audio, (x, i) => ca.signal[Math.floor(i / Ca)] * x + ca.noise[Math.floor(i / Ca)] * epsAudio[i]);
  const strategyOH = new Float32Array(batch * 4);
  strategies.forEach((s, b) => (strategyOH[b * 4 + STRATEGIES.indexOf(s)] = 1));
  return {
    xtVideo,
    xtAudio,
    epsVideo,
    epsAudio,
    sigVideo: cv.signal,
    noiVideo: cv.noise,
    sigAudio: ca.signal,
    noiAudio: ca.noise,
    tCells: Float32Array.from(t),
    strategyOH,
    strategies,
    // weights only when asked for (an unweighted batch has none)
    ...(minSnr > 0 || givenRate > 0 ? { wVideo: minSnrWeights(sched, tv, minSnr), wAudio: minSnrWeights(sched, ta, minSnr) } : {}),
    ...(quiet && quiet.weight > 0 ? { wQuiet: quietWeights(quiet.mask, batch, quiet.weight) } : {}),
  };
}

/** The batch as tensors, in the order monlLoss expects. */
/** One MoNL training batch on the device, by name (a pytree the jit takes as it is). */
export interface MonlBatchTensors {
  /** noised latents x_t and the noise ε that made them */
  xtVideo: Tensor; // [B, L, h, w, C]
  xtAudio: Tensor; // [B, La, Ca]
  epsVideo: Tensor;
  epsAudio: Tensor;
  /** √ᾱ and √(1−ᾱ) of each latent frame's timestep (broadcast over the frame) */
  sigVideo: Tensor; // [B, L, 1, 1, 1]
  noiVideo: Tensor;
  sigAudio: Tensor; // [B, La, 1]
  noiAudio: Tensor;
  /** the timestep matrix: one t per (modality, segment) cell, as drawn by the example's strategy */
  tCells: Tensor; // [B, 2·S]
  /** which strategy each example drew (for the per-strategy losses) */
  strategyOH: Tensor; // [B, 4]
  /** 1 when this step feeds the self-conditioning estimate, else 0 */
  useSelfCond: Tensor; // []
  /** weight of each latent frame's squared error: Min-SNR-γ, 0 on given cells (absent: unweighted) */
  wVideo?: Tensor; // [B, L, 1, 1, 1]
  wAudio?: Tensor; // [B, La, 1]
  /** loss weight of each video latent position (a region map, mean 1; absent: unweighted) */
  wRegion?: Tensor; // [1, 1, h, w, 1]
  /** loss weight of each audio latent frame (quiet frames weigh more, mean 1 per window; absent: unweighted) */
  wQuiet?: Tensor; // [B, La, 1]
}

export function monlBatchTensors(
  bt: MonlBatch,
  l: TokenLayout,
  batch: number,
  selfCondRate: number,
  key: Key,
  regionMap?: Float32Array | null,
): MonlBatchTensors {
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const use = uniform(foldIn(key, 4), 1)[0] < selfCondRate ? 1 : 0;
  return {
    xtVideo: ops.tensor(bt.xtVideo, [batch, L, h, w, C]),
    xtAudio: ops.tensor(bt.xtAudio, [batch, La, Ca]),
    epsVideo: ops.tensor(bt.epsVideo, [batch, L, h, w, C]),
    epsAudio: ops.tensor(bt.epsAudio, [batch, La, Ca]),
    sigVideo: ops.tensor(bt.sigVideo, [batch, L, 1, 1, 1]),
    noiVideo: ops.tensor(bt.noiVideo, [batch, L, 1, 1, 1]),
    sigAudio: ops.tensor(bt.sigAudio, [batch, La, 1]),
    noiAudio: ops.tensor(bt.noiAudio, [batch, La, 1]),
    tCells: ops.tensor(bt.tCells, [batch, 2 * l.numSegments]),
    strategyOH: ops.tensor(bt.strategyOH, [batch, 4]),
    useSelfCond: ops.full([], use),
    ...(bt.wVideo && bt.wAudio ? { wVideo: ops.tensor(bt.wVideo, [batch, L, 1, 1, 1]), wAudio: ops.tensor(bt.wAudio, [batch, La, 1]) } : {}),
    ...(regionMap ? { wRegion: ops.tensor(regionMap, [1, 1, h, w, 1]) } : {}),
    ...(bt.wQuiet ? { wQuiet: ops.tensor(bt.wQuiet, [batch, La, 1]) } : {}),
  };
}

/** x̂0 = (x_t − √(1−ᾱ)·ε̂) / √ᾱ, clipped to ±4 (latents are normalised to unit variance). */
export function predictX0(xt: Tensor, eps: Tensor, sig: Tensor, noi: Tensor): Tensor {
  return ops.clip(ops.div(ops.sub(xt, ops.mul(noi, eps)), sig), -4, 4);
}

/** Steps 4–5 (pure, inside jit). Metrics: video, audio and per-strategy mean squared errors. */
export function monlLoss(p: Params, c: AvditConfig, l: TokenLayout, k: AvditConsts, b: MonlBatchTensors): [Tensor, Record<string, Tensor>] {
  const {
    xtVideo: xtV,
    xtAudio: xtA,
    epsVideo: epsV,
    epsAudio: epsA,
    sigVideo: sigV,
    noiVideo: noiV,
    sigAudio: sigA,
    noiAudio: noiA,
    tCells,
    strategyOH: stratOH,
    useSelfCond: useSC,
    wVideo,
    wAudio,
    wRegion,
    wQuiet,
  } = b;
  const B = xtV.shape[0];
  let selfCond: { video: Tensor; audio: Tensor } | undefined;
  if (c.selfCondition) {
    const z = { video: ops.zeros(xtV.shape), audio: ops.zeros(xtA.shape) };
    const first = avditForward(refTree(p), c, l, k, { video: xtV.ref, audio: xtA.ref, selfCond: z }, tCells.ref);
    selfCond = {
      video: ops.mul(ops.stopGradient(predictX0(xtV.ref, first.video, sigV.ref, noiV.ref)), useSC.ref),
      audio: ops.mul(ops.stopGradient(predictX0(xtA.ref, first.audio, sigA.ref, noiA.ref)), useSC.ref),
    };
  }
  for (const t of [sigV, noiV, sigA, noiA, useSC]) t.dispose();
  const out = avditForward(p, c, l, k, { video: xtV, audio: xtA, selfCond }, tCells);
  const nv = l.video.L * l.video.h * l.video.w * l.video.C,
    na = l.audio.La * l.audio.C;
  let errV = ops.square(ops.sub(out.video, epsV)),
    errA = ops.square(ops.sub(out.audio, epsA));
  if (wVideo && wAudio) {
    errV = ops.mul(errV, wVideo);
    errA = ops.mul(errA, wAudio);
  }
  if (wRegion) errV = ops.mul(errV, wRegion);
  if (wQuiet) errA = ops.mul(errA, wQuiet);
  const seV = ops.sum(ops.reshape(errV, [B, nv]), 1); // [B]
  const seA = ops.sum(ops.reshape(errA, [B, na]), 1);
  const perEx = ops.div(ops.add(seV.ref, seA.ref), nv + na); // [B]
  const metrics: Record<string, Tensor> = { video: ops.mean(ops.div(seV, nv)), audio: ops.mean(ops.div(seA, na)) };
  // per-strategy mean over the examples that drew it (0 when none did)
  const sums = ops.matmul(ops.reshape(perEx.ref, [1, B]), stratOH.ref); // [1, 4]
  const counts = ops.sum(stratOH, 0);
  // NaN where no example drew the strategy: the trainer's running averages skip non-finite values
  const perStrat = ops.where(ops.greater(counts.ref, 0), ops.div(ops.reshape(sums, [4]), ops.maximum(counts, 1)), NaN);
  STRATEGIES.forEach((s, i) => (metrics[s] = ops.reshape(ops.sliceAxis(perStrat.ref, 0, i, i + 1), [])));
  perStrat.dispose();
  return [ops.mean(perEx), metrics];
}
