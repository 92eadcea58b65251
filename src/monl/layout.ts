/**
 * TokenLayout: the one sequence AVDiT attends over — video tokens (latent frame × patch rows × patch
 * columns) then audio tokens (one per audio latent frame) — and, for every token, its modality, its
 * time segment and its position. The cell index of a token is m·S + s (M = 2 modalities × S segments);
 * `cellOneHot` [N, M·S] broadcasts per-cell values (timesteps, modulation) to tokens by a matmul.
 *
 * Axis legend: B batch · M modalities (2) · S segments · N = Nv + Na tokens · D width ·
 *              P patch features · L video latent frames · La audio latent frames
 */
import type { SegmentLayout } from './segments.js';

export const MODALITIES = ['video', 'audio'] as const;
export type Modality = (typeof MODALITIES)[number];

export interface TokenLayout {
  numSegments: number;
  /** video latent [L, h, w, Cv] and patch size p: Nv = L·(h/p)·(w/p) tokens of p·p·Cv features. */
  video: { L: number; h: number; w: number; C: number; patch: number; tokens: number; features: number };
  /** audio latent [La, Ca]: Na = La tokens of Ca features. */
  audio: { La: number; C: number; tokens: number; features: number };
  numTokens: number;
  /** per token: modality index (0 video, 1 audio), segment, cell = m·S + s. */
  modality: Int32Array;
  segment: Int32Array;
  cell: Int32Array;
  /** temporal position of each token in audio-latent-frame units (centre time / audio hop). */
  time: Float32Array;
  /** spatial position (row, column) of video tokens; −1 for audio. */
  row: Int32Array;
  col: Int32Array;
  /** per audio latent frame: the pixel frame its centre falls in, counted from its segment's first frame (0..subFrames − 1). */
  audioSubFrame: Int32Array;
  /** the most pixel frames a segment holds (4: one video latent frame). */
  subFrames: number;
}

export function makeTokenLayout(
  seg: SegmentLayout,
  video: { L: number; h: number; w: number; C: number },
  audio: { La: number; C: number },
  patch: number,
  fps: number,
  audioHopSec: number,
): TokenLayout {
  if (video.h % patch || video.w % patch) throw new Error(`layout: video latents ${video.h}×${video.w} are not divisible by the patch size ${patch}`);
  if (video.L !== seg.numSegments) throw new Error(`layout: ${video.L} video latent frames but ${seg.numSegments} segments`);
  if (audio.La !== seg.audioSegment.length)
    throw new Error(`layout: ${audio.La} audio latent frames but the segment map has ${seg.audioSegment.length}`);
  const ph = video.h / patch,
    pw = video.w / patch;
  const Nv = video.L * ph * pw,
    Na = audio.La,
    N = Nv + Na,
    S = seg.numSegments;
  const modality = new Int32Array(N),
    segment = new Int32Array(N),
    cell = new Int32Array(N);
  const time = new Float32Array(N),
    row = new Int32Array(N).fill(-1),
    col = new Int32Array(N).fill(-1);
  let i = 0;
  for (let l = 0; l < video.L; l++) {
    const [f0, f1] = seg.frames[l];
    const centre = (f0 + f1 + 1) / 2 / fps; // seconds
    for (let y = 0; y < ph; y++)
      for (let x = 0; x < pw; x++, i++) {
        modality[i] = 0;
        segment[i] = l;
        cell[i] = l;
        time[i] = centre / audioHopSec - 0.5;
        row[i] = y;
        col[i] = x;
      }
  }
  const subFrames = Math.max(...seg.frames.map(([f0, f1]) => f1 - f0 + 1)),
    audioSubFrame = new Int32Array(Na);
  for (let j = 0; j < Na; j++, i++) {
    const s = seg.audioSegment[j],
      [f0, f1] = seg.frames[s];
    modality[i] = 1;
    segment[i] = s;
    cell[i] = S + s;
    time[i] = j;
    audioSubFrame[j] = Math.min(Math.max(Math.floor((j + 0.5) * audioHopSec * fps), f0), f1) - f0;
  }
  return {
    numSegments: S,
    video: { ...video, patch, tokens: Nv, features: patch * patch * video.C },
    audio: { ...audio, tokens: Na, features: audio.C },
    numTokens: N,
    modality,
    segment,
    cell,
    time,
    row,
    col,
    audioSubFrame,
    subFrames,
  };
}

/** [N, M·S] one-hot of each token's cell. */
export function cellOneHot(l: TokenLayout): Float32Array {
  const MS = 2 * l.numSegments;
  const oh = new Float32Array(l.numTokens * MS);
  for (let i = 0; i < l.numTokens; i++) oh[i * MS + l.cell[i]] = 1;
  return oh;
}

/** Per-token values from per-cell values: out[b, i] = cells[b, cell(i)], for B examples. */
export function cellsToTokens(l: TokenLayout, cells: ArrayLike<number>, batch: number): Float32Array {
  const MS = 2 * l.numSegments;
  const out = new Float32Array(batch * l.numTokens);
  for (let b = 0; b < batch; b++) for (let i = 0; i < l.numTokens; i++) out[b * l.numTokens + i] = cells[b * MS + l.cell[i]];
  return out;
}
