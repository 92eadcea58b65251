/**
 * Cells ↔ latent elements, in one place. A cell is (modality m, segment s), index m·S + s. Video latent
 * frame i is segment i; audio latent frame j is in the segment that holds its centre time (the layout's
 * segment map). Per-cell values — a timestep matrix [B, 2S], a condition mask [2][S] — become per-latent-
 * frame or per-element values here, for the training batch and for the sampling loop alike.
 *
 * Axis legend: B batch · S segments · L/La video/audio latent frames · Fv = h·w·C, Fa = Ca values per frame
 */
import type { TokenLayout } from './layout.js';
import type { ConditionMask } from './tasks.js';

/** The cell of every video and audio latent frame. */
export function frameCells(l: TokenLayout): { video: Int32Array; audio: Int32Array } {
  const S = l.numSegments;
  return {
    video: Int32Array.from({ length: l.video.L }, (_, i) => i),
    audio: Int32Array.from({ length: l.audio.La }, (_, j) => S + l.segment[l.video.tokens + j]),
  };
}

/** Per-cell values [B, 2S] → per-latent-frame values: video [B, L], audio [B, La]. */
export function cellsToFrames(l: TokenLayout, cells: ArrayLike<number>, B: number): { video: Int32Array; audio: Int32Array } {
  const fc = frameCells(l),
    MS = 2 * l.numSegments;
  const spread = (map: Int32Array) => {
    const out = new Int32Array(B * map.length);
    for (let b = 0; b < B; b++) for (let f = 0; f < map.length; f++) out[b * map.length + f] = cells[b * MS + map[f]];
    return out;
  };
  return { video: spread(fc.video), audio: spread(fc.audio) };
}

/** A condition mask [2][S] as one flag per cell (cell m·S + s). */
export function maskCells(mask: ConditionMask): Uint8Array {
  return Uint8Array.from(mask.flat(), (g) => (g ? 1 : 0));
}

/** Values per element of B examples: video [B, L, Fv], audio [B, La, Fa]; `n` values per example. */
export interface ElementPlan {
  /** 1 where the element's cell is generated, 0 where it is given */
  video: Uint8Array;
  audio: Uint8Array;
  nV: number;
  nA: number;
}

/** Which latent elements of B examples are generated under `mask`. */
export function generatedElements(l: TokenLayout, mask: ConditionMask, B: number): ElementPlan {
  const given = maskCells(mask),
    fc = frameCells(l);
  const { L, h, w, C } = l.video;
  const { La, C: Ca } = l.audio;
  const expand = (cells: Int32Array, per: number) => {
    const one = new Uint8Array(cells.length * per);
    cells.forEach((cell, f) => one.fill(given[cell] ? 0 : 1, f * per, (f + 1) * per));
    const out = new Uint8Array(B * one.length);
    for (let b = 0; b < B; b++) out.set(one, b * one.length);
    return out;
  };
  return { video: expand(fc.video, h * w * C), audio: expand(fc.audio, Ca), nV: L * h * w * C, nA: La * Ca };
}
