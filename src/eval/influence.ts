/**
 * Condition influence: does the output depend on the condition more than on the seed? For the same
 * windows, outputs are generated with the true condition (seed s), with the condition of another window
 * (same seed s) and with the true condition and another seed. Per window, d_cond = distance(true, other
 * condition) and d_seed = distance(true, other seed) on the generated part only; the influence is
 * mean(d_cond) / mean(d_seed), with a bootstrap interval over windows. ≥ 1: the condition moves the output
 * more than the seed does; ≈ 0: the model ignores it (same seed → same output whatever the condition).
 */
import { audioEmbedding } from './av-metrics.js';
import { bootstrap, ratioOfMeans, type Interval } from './stats.js';

export interface Outputs {
  video: Float32Array;
  audio: Float32Array;
}

/** RMS pixel difference over `frames` of two [T, H, W, 3] videos. */
export function videoDistance(a: Float32Array, b: Float32Array, frames: number[], frameSize: number): number {
  let s = 0;
  for (const t of frames) for (let i = t * frameSize; i < (t + 1) * frameSize; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / Math.max(1, frames.length * frameSize));
}

/** RMS pixel difference over `frames` of two [T, H, W, 3] videos inside `box` ([x0, y0, x1, y1], fractions of the frame). */
export function boxDistance(a: Float32Array, b: Float32Array, frames: number[], width: number, height: number, box: readonly number[]): number {
  const [x0, y0, x1, y1] = [Math.round(box[0] * width), Math.round(box[1] * height), Math.round(box[2] * width), Math.round(box[3] * height)];
  const fs = width * height * 3;
  let s = 0;
  for (const t of frames)
    for (let y = y0; y < y1; y++) for (let i = t * fs + (y * width + x0) * 3; i < t * fs + (y * width + x1) * 3; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / Math.max(1, frames.length * (y1 - y0) * (x1 - x0) * 3));
}

/** RMS difference of 40-band log-mel frames (10 ms) over the sample `ranges` (phase-blind, unlike waveforms). */
export function audioDistance(a: Float32Array, b: Float32Array, sampleRate: number, ranges: [number, number][]): number {
  let s = 0,
    n = 0;
  for (const [lo, hi] of ranges) {
    const ea = audioEmbedding(a, sampleRate, lo, Math.min(hi, a.length)),
      eb = audioEmbedding(b, sampleRate, lo, Math.min(hi, b.length));
    for (let i = 0; i < ea.length; i++) s += (ea[i] - eb[i]) ** 2;
    n += ea.length;
  }
  return Math.sqrt(s / Math.max(1, n));
}

export interface Influence {
  /** mean d_cond / mean d_seed with its interval */
  ratio: Interval;
  dCond: number[];
  dSeed: number[];
}

export function influence(dCond: number[], dSeed: number[], reps = 1000): Influence {
  if (dCond.length !== dSeed.length || dCond.length < 2)
    throw new Error(`condition influence needs the same ≥ 2 windows in both lists (got ${dCond.length} and ${dSeed.length})`);
  return { ratio: bootstrap(dCond.length, ratioOfMeans(dCond, dSeed), reps), dCond, dSeed };
}
