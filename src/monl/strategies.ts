/**
 * Timestep-assignment strategies over the (modality × segment) grid (paper-notes §3, Algorithm 1).
 * A reference matrix t_ref ∈ {1..T}^{M×N} is drawn i.i.d.; each strategy ties it differently:
 *   vanilla     t[m][n] = t_ref[0][0]   one t for everything (plain joint diffusion)
 *   perModality t[m][n] = t_ref[m][0]   constant over time within a modality (Pm, UniDiffuser-like)
 *   perSegment  t[m][n] = t_ref[0][n]   shared across modalities within a segment (Pt)
 *   perCell     t[m][n] = t_ref[m][n]   fully independent (Ptm)
 * MoNL draws one of them per example from a mixture (uniform over the four in the paper); the
 * ablations (e.g. Pt/Pm/Ptm without vanilla) are other mixtures. The mixture is data, not code.
 */
import { uniform, type Key } from '../util/rng.js';

export const STRATEGIES = ['vanilla', 'perModality', 'perSegment', 'perCell'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type Mixture = Record<Strategy, number>;

/** Named training mixtures: the four single strategies, MoNL, and the paper's ablation mixture. */
export const MIXTURES = {
  vanilla: { vanilla: 1, perModality: 0, perSegment: 0, perCell: 0 },
  pm: { vanilla: 0, perModality: 1, perSegment: 0, perCell: 0 },
  pt: { vanilla: 0, perModality: 0, perSegment: 1, perCell: 0 },
  ptm: { vanilla: 0, perModality: 0, perSegment: 0, perCell: 1 },
  'pt-pm-ptm': { vanilla: 0, perModality: 1 / 3, perSegment: 1 / 3, perCell: 1 / 3 },
  monl: { vanilla: 0.25, perModality: 0.25, perSegment: 0.25, perCell: 0.25 },
} as const satisfies Record<string, Mixture>;
export type MixtureName = keyof typeof MIXTURES;

export function parseMixture(name: string): Mixture {
  if (name in MIXTURES) return MIXTURES[name as MixtureName];
  throw new Error(`unknown strategy "${name}": choose one of ${Object.keys(MIXTURES).join(', ')}`);
}

export function validateMixture(m: Mixture): Mixture {
  const s = STRATEGIES.reduce((a, k) => a + m[k], 0);
  if (Math.abs(s - 1) > 1e-6 || STRATEGIES.some((k) => m[k] < 0))
    throw new Error(`strategy mixture ${JSON.stringify(m)} must be non-negative and sum to 1`);
  return m;
}

/** The timestep matrix [M][N] (flattened m·N + n) that `strategy` makes from t_ref. */
export function tieTimesteps(strategy: Strategy, tRef: ArrayLike<number>, M: number, N: number): Int32Array {
  const t = new Int32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      const src = strategy === 'vanilla' ? 0 : strategy === 'perModality' ? m * N : strategy === 'perSegment' ? n : m * N + n;
      t[m * N + n] = tRef[src];
    }
  return t;
}

export interface TimestepDraw {
  /** [B, M, N] integer timesteps in 1..T, flattened. */
  t: Int32Array;
  /** the strategy used for each example. */
  strategies: Strategy[];
}

/** Draws one strategy (from `mixture`) and one timestep matrix per example (paper-notes §3 [I]: per example). */
export function drawTimesteps(key: Key, batch: number, M: number, N: number, T: number, mixture: Mixture): TimestepDraw {
  const u = uniform(key, batch * (1 + M * N));
  const t = new Int32Array(batch * M * N);
  const strategies: Strategy[] = [];
  for (let b = 0; b < batch; b++) {
    const base = b * (1 + M * N);
    let acc = 0,
      s: Strategy = 'perCell';
    for (const k of STRATEGIES) {
      acc += mixture[k];
      if (u[base] < acc) {
        s = k;
        break;
      }
    }
    const tRef = Array.from({ length: M * N }, (_, i) => 1 + Math.min(T - 1, Math.floor(u[base + 1 + i] * T)));
    t.set(tieTimesteps(s, tRef, M, N), b * M * N);
    strategies.push(s);
  }
  return { t, strategies };
}
