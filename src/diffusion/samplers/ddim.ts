/**
 * DDIM (Song et al. 2021) on host arrays, with η: η = 0 is the deterministic sampler the paper uses
 * (250 steps), η = 1 is ancestral sampling with DDPM's posterior variance (on consecutive steps it is
 * exactly DDPM's Algorithm 2 / the paper's Algorithm 4). The sampler knows nothing of the model: it
 * moves the *generated* elements from step t to t_prev given ε̂; given (t = 0) cells are the caller's.
 *
 * Notation: ᾱ_t, ᾱ_prev = ᾱ at the next (less noisy) step; x̂0 = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t
 *   σ = η · √((1−ᾱ_prev)/(1−ᾱ_t)) · √(1 − ᾱ_t/ᾱ_prev)
 *   x_prev = √ᾱ_prev · x̂0 + √(1 − ᾱ_prev − σ²) · ε̂ + σ · z
 */
import type { Schedule } from '../schedule.js';

/** `n` timesteps from T down to 1, evenly spaced (the respaced schedule's steps), then 0. */
export function samplingTimesteps(s: Schedule, n: number): number[] {
  if (!Number.isInteger(n) || n < 1 || n > s.T) throw new Error(`sampler: steps must be an integer in 1..${s.T}, got ${n}`);
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push(Math.max(1, Math.round(s.T - (i * s.T) / n)));
  return [...new Set(ts), 0];
}

/** x̂0 from x_t and ε̂ at timestep t, clipped to ±clip (normalised latents). */
export function predictX0Host(xt: number, eps: number, alphaBar: number, clip = 4): number {
  const x0 = (xt - Math.sqrt(1 - alphaBar) * eps) / Math.sqrt(alphaBar);
  return Math.max(-clip, Math.min(clip, x0));
}

/**
 * One DDIM step for the elements where `generated[i]` is 1 (others are left as they are).
 * `noise` (standard normal, same length) is used when η > 0.
 */
export function ddimStep(
  s: Schedule,
  x: Float32Array,
  eps: Float32Array,
  generated: Uint8Array,
  t: number,
  tPrev: number,
  eta: number,
  noise?: Float32Array,
): Float32Array {
  const ab = s.alphaBars[t],
    abPrev = s.alphaBars[tPrev];
  const sigma = eta > 0 && tPrev > 0 ? eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev) : 0;
  if (sigma > 0 && !noise) throw new Error('ddimStep: η > 0 needs noise');
  const dirScale = Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma));
  const out = x.slice();
  for (let i = 0; i < x.length; i++) {
    if (!generated[i]) continue;
    const x0 = predictX0Host(x[i], eps[i], ab);
    out[i] = tPrev === 0 ? x0 : Math.sqrt(abPrev) * x0 + dirScale * eps[i] + (sigma > 0 ? sigma * noise![i] : 0);
  }
  return out;
}
