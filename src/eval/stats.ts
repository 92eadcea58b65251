/**
 * Bootstrap confidence intervals over windows (browser-safe, seeded, no dependencies). Every number of
 * the evaluation table is a statistic of per-window values (or of the windows' feature rows for the
 * Fréchet distances); resampling the windows with replacement gives its sampling spread.
 */
import { mulberry32 } from '../util/rng.js';

export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

export const CI_LEVEL = 0.95;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q,
    i = Math.floor(pos),
    f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/** Resampled index lists: `reps` draws of n indices with replacement (seeded). */
export function bootstrapIndices(n: number, reps: number, seed = 0): Int32Array[] {
  const rnd = mulberry32(0x9e3779b9 ^ seed);
  return Array.from({ length: reps }, () => Int32Array.from({ length: n }, () => Math.floor(rnd() * n)));
}

/** A statistic of n windows and its percentile interval: `stat(indices)` is evaluated on `reps` resamples. */
export function bootstrap(n: number, stat: (idx: ArrayLike<number>) => number, reps = 1000, seed = 0): Interval {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const value = stat(all);
  const draws = bootstrapIndices(n, reps, seed)
    .map(stat)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const a = (1 - CI_LEVEL) / 2;
  return { value, lo: quantile(draws, a), hi: quantile(draws, 1 - a) };
}

export const meanOf = (v: ArrayLike<number>) => (idx: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += v[idx[i]];
  return s / idx.length;
};

/** mean(num[idx]) / mean(den[idx]) */
export const ratioOfMeans = (num: ArrayLike<number>, den: ArrayLike<number>) => (idx: ArrayLike<number>) => meanOf(num)(idx) / meanOf(den)(idx);

/** The interval of a mean over windows. */
export function meanInterval(values: ArrayLike<number>, reps = 2000, seed = 0): Interval {
  return bootstrap(values.length, meanOf(values), reps, seed);
}

/** Do two intervals not overlap? (the "best" in a column is bold only then) */
export const separated = (a: Interval, b: Interval) => a.hi < b.lo || b.hi < a.lo;

export const formatInterval = (x: Interval, digits = 3) => `${x.value.toFixed(digits)} [${x.lo.toFixed(digits)}, ${x.hi.toFixed(digits)}]`;
