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
export interface ScheduleConfig {
  kind: 'linear';
  T: number;
  betaStart: number;
  betaEnd: number;
}

/** The paper's schedule (paper-notes §8): the one default every new model is trained with. */
export const SCHEDULE_DEFAULTS: ScheduleConfig = { kind: 'linear', T: 1000, betaStart: 1e-4, betaEnd: 0.02 };

export function scheduleFromConfig(c: ScheduleConfig, source = 'schedule'): Schedule {
  if (c.kind !== 'linear') throw new Error(`${source}: diffusion.kind "${c.kind}" is not known (this avdit has "linear")`);
  if (!(Number.isInteger(c.T) && c.T >= 1 && c.betaStart > 0 && c.betaEnd < 1 && c.betaStart <= c.betaEnd))
    throw new Error(`${source}: diffusion ${JSON.stringify(c)} is not a valid linear schedule (T ≥ 1, 0 < betaStart ≤ betaEnd < 1)`);
  return linearSchedule(c.T, c.betaStart, c.betaEnd);
}

export function linearSchedule(T = SCHEDULE_DEFAULTS.T, betaStart = SCHEDULE_DEFAULTS.betaStart, betaEnd = SCHEDULE_DEFAULTS.betaEnd): Schedule {
  const betas = new Float64Array(T + 1);
  const alphaBars = new Float64Array(T + 1);
  alphaBars[0] = 1;
  for (let t = 1; t <= T; t++) {
    betas[t] = betaStart + ((betaEnd - betaStart) * (t - 1)) / Math.max(1, T - 1);
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
