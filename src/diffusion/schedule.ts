/**
 * DDPM noise schedule as host float64 tables (paper-notes §2, §8): linear β from 1e-4 to 0.02 over
 * T = 1000 steps. No tensors: per-token coefficients are computed here and uploaded.
 *
 * Notation (integer time, DDPM convention; t = 0 is clean data, t = T is pure noise):
 *   β_t        noise added at step t          α_t = 1 − β_t
 *   ᾱ_t        = ∏_{i ≤ t} α_i (ᾱ_0 = 1)      x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε
 */
export interface Schedule {
  T: number;
  betas: Float64Array; // index t = 1..T (index 0 unused, β_0 = 0)
  alphaBars: Float64Array; // index t = 0..T, ᾱ_0 = 1
}

/** What a checkpoint stores to rebuild its schedule (config.json "diffusion"). */
export type ScheduleConfig =
  | { kind: 'linear'; T: number; betaStart: number; betaEnd: number }
  /** Nichol & Dhariwal 2021 ("Improved DDPM"), offset s (0.008 there). */
  | { kind: 'cosine'; T: number; s: number };

/** The paper's schedule (paper-notes §8): the one default every new model is trained with. */
export const SCHEDULE_DEFAULTS = { kind: 'linear', T: 1000, betaStart: 1e-4, betaEnd: 0.02 } as const satisfies ScheduleConfig;

/** The cosine schedule with its paper's offset (a recipe option: `--schedule cosine`). */
export const COSINE_DEFAULTS = { kind: 'cosine', T: 1000, s: 0.008 } as const satisfies ScheduleConfig;

/** A new run's schedule by name (`avdit train --schedule`; avdit_torch's SCHEDULE_KINDS). */
export const SCHEDULE_KINDS = { linear: SCHEDULE_DEFAULTS, cosine: COSINE_DEFAULTS } as const;

export function scheduleFromConfig(c: ScheduleConfig, source = 'schedule'): Schedule {
  if (c.kind === 'cosine') {
    if (!(Number.isInteger(c.T) && c.T >= 1 && c.s >= 0 && c.s < 1))
      throw new Error(`${source}: diffusion ${JSON.stringify(c)} is not a valid cosine schedule (T ≥ 1, 0 ≤ s < 1)`);
    return cosineSchedule(c.T, c.s);
  }
  if (c.kind !== 'linear')
    throw new Error(`${source}: diffusion.kind "${(c as { kind: string }).kind}" is not known (this avdit has "linear" and "cosine")`);
  if (!(Number.isInteger(c.T) && c.T >= 1 && c.betaStart > 0 && c.betaEnd < 1 && c.betaStart <= c.betaEnd))
    throw new Error(`${source}: diffusion ${JSON.stringify(c)} is not a valid linear schedule (T ≥ 1, 0 < betaStart ≤ betaEnd < 1)`);
  return linearSchedule(c.T, c.betaStart, c.betaEnd);
}

export function linearSchedule(
  T: number = SCHEDULE_DEFAULTS.T,
  betaStart: number = SCHEDULE_DEFAULTS.betaStart,
  betaEnd: number = SCHEDULE_DEFAULTS.betaEnd,
): Schedule {
  return fromBetas(T, (t) => betaStart + ((betaEnd - betaStart) * (t - 1)) / Math.max(1, T - 1));
}

/** ᾱ(t) = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), each β clipped to 0.999 (Improved DDPM, Eq. 17). */
export function cosineSchedule(T = 1000, s = 0.008): Schedule {
  const f = (t: number) => Math.cos((((t / T + s) / (1 + s)) * Math.PI) / 2) ** 2;
  return fromBetas(T, (t) => Math.min(0.999, 1 - f(t) / f(t - 1)));
}

/** β_t for t = 1..T → the tables, ᾱ_t = ∏_{i ≤ t} (1 − β_i) (float64; avdit_torch's alpha_bars_from_betas). */
function fromBetas(T: number, beta: (t: number) => number): Schedule {
  const betas = new Float64Array(T + 1);
  const alphaBars = new Float64Array(T + 1);
  alphaBars[0] = 1;
  for (let t = 1; t <= T; t++) {
    betas[t] = beta(t);
    alphaBars[t] = alphaBars[t - 1] * (1 - betas[t]);
  }
  return { T, betas, alphaBars };
}

/** √ᾱ_t and √(1 − ᾱ_t) for every entry of `t` (integer steps 0..T), as float32 columns. */
export function noiseCoefficients(s: Schedule, t: ArrayLike<number>): { signal: Float32Array; noise: Float32Array } {
  const signal = new Float32Array(t.length),
    noise = new Float32Array(t.length);
  for (let i = 0; i < t.length; i++) {
    const ab = s.alphaBars[t[i]];
    if (ab === undefined) throw new Error(`diffusion: timestep ${t[i]} outside 0..${s.T}`);
    signal[i] = Math.sqrt(ab);
    noise[i] = Math.sqrt(1 - ab);
  }
  return { signal, noise };
}
