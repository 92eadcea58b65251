/**
 * Free classifier-free guidance (paper-notes §5): the unconditional pass is the same model with the given
 * cells hidden — fed as fixed noise h at t = T — so no separate unconditional training is needed. Hiding
 * all given cells is plain CFG; hiding one modality's only is the partial variant (guide on audio, keep
 * the given video, or the reverse). Both passes run in one batched forward: [conditional; unconditional].
 *   ε̂ = (1 + s)·ε_cond − s·ε_uncond   on the generated elements (given ones keep ε_cond)
 */
import { maskCells } from '../monl/cells.js';
import type { ConditionMask } from '../monl/tasks.js';

export type GuidanceMode = 'all' | 'video' | 'audio';

export interface GuidanceInputs {
  video: Float32Array;
  audio: Float32Array;
  /** [B, 2S] timesteps */
  t: Float32Array;
}

/**
 * The unconditional copy of one batch: given elements of the hidden modalities become `noise`, their
 * cells' timesteps become T. `genV`/`genA` flag the generated elements (1) and the given ones (0).
 */
export function unconditionalInputs(
  x: GuidanceInputs,
  gen: { video: Uint8Array; audio: Uint8Array },
  noise: { video: Float32Array; audio: Float32Array },
  mask: ConditionMask,
  mode: GuidanceMode,
  T: number,
): GuidanceInputs {
  const hidden = hiddenCells(mask, mode),
    MS = hidden.length;
  return {
    video: Float32Array.from(x.video, (v, i) => (!gen.video[i] && mode !== 'audio' ? noise.video[i] : v)),
    audio: Float32Array.from(x.audio, (v, i) => (!gen.audio[i] && mode !== 'video' ? noise.audio[i] : v)),
    t: Float32Array.from(x.t, (v, i) => (hidden[i % MS] ? T : v)),
  };
}

/** The cells [2S] the unconditional pass hides: the given cells of the modalities `mode` hides. */
function hiddenCells(mask: ConditionMask, mode: GuidanceMode): boolean[] {
  const given = maskCells(mask),
    S = given.length / 2;
  return Array.from(given, (g, cell) => !!g && (cell < S ? mode !== 'audio' : mode !== 'video'));
}

/** Whether the unconditional pass hides any given cell (with none hidden it equals the conditional one: no guidance to do). */
export function hidesAnyCell(mask: ConditionMask, mode: GuidanceMode): boolean {
  return hiddenCells(mask, mode).some(Boolean);
}

/** Combines [conditional; unconditional] predictions (2n values) into n guided ones. */
export function guide(eps: Float32Array, n: number, generated: Uint8Array, s: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (generated[i] ? (1 + s) * eps[i] - s * eps[n + i] : eps[i]));
}
