/**
 * Talking-face metrics from a pretrained face network's 68 landmarks and 128-d descriptor (computed by
 * node/face.ts; browser-safe pure functions here). Frames where no face was found are left out and
 * counted (`detectionRate`), never scored as zero.
 *  - LipSync-lm: like SyncCorr, but mouth opening is the inner-lip gap from landmarks (62↔66, 61↔67,
 *    63↔65) ÷ face width (jaw 0↔16): Pearson correlation of its frame-to-frame change with the audio's.
 *  - LMD-mouth: mean distance between the 20 mouth landmarks (48–67) of generated and real frames, each
 *    set centred on its own mouth centroid (shape, not position) ÷ face width (Chen et al. 2018's LMD,
 *    mouth part).
 *  - ID-sim: cosine similarity between each generated frame's face descriptor and the mean descriptor of
 *    the given frames (identity kept: near 1).
 */
import { energyDbPerFrame, pearson } from './av-metrics.js';

export interface FaceFrame {
  /** 68 × (x, y) in frame pixels, or null when no face was found */
  landmarks: Float32Array | null;
  descriptor: Float32Array | null;
}

const pt = (l: Float32Array, i: number) => [l[2 * i], l[2 * i + 1]] as const;
const dist = (l: Float32Array, i: number, j: number) => Math.hypot(l[2 * i] - l[2 * j], l[2 * i + 1] - l[2 * j + 1]);
const faceWidth = (l: Float32Array) => Math.max(1e-6, dist(l, 0, 16));

export function detectionRate(faces: FaceFrame[]): number {
  return faces.filter((f) => f.landmarks).length / Math.max(1, faces.length);
}

/** inner-lip gap ÷ face width per frame (NaN without a face) */
export function mouthOpeningLm(faces: FaceFrame[]): number[] {
  return faces.map((f) =>
    f.landmarks ? (dist(f.landmarks, 62, 66) + dist(f.landmarks, 61, 67) + dist(f.landmarks, 63, 65)) / 3 / faceWidth(f.landmarks) : NaN,
  );
}

/** corr(Δ opening, Δ energy) over consecutive frames in [from, to) that both have a face; NaN with < 3 pairs */
export function lipSyncLm(faces: FaceFrame[], audio: Float32Array, sampleRate: number, fps: number, from = 0, to = faces.length): number {
  const open = mouthOpeningLm(faces);
  const e = energyDbPerFrame(audio, sampleRate, fps, faces.length);
  const a: number[] = [],
    b: number[] = [];
  for (let t = from + 1; t < to; t++)
    if (Number.isFinite(open[t]) && Number.isFinite(open[t - 1])) (a.push(open[t] - open[t - 1]), b.push(e[t] - e[t - 1]));
  return a.length >= 3 ? pearson(a, b) : NaN;
}

/** mean mouth-landmark distance (centroid-aligned, ÷ face width) over `frames` where both have a face */
export function lmdMouth(gen: FaceFrame[], real: FaceFrame[], frames: number[]): number {
  let s = 0,
    n = 0;
  for (const t of frames) {
    const g = gen[t]?.landmarks,
      r = real[t]?.landmarks;
    if (!g || !r) continue;
    const centre = (l: Float32Array) => {
      let x = 0,
        y = 0;
      for (let i = 48; i < 68; i++) ((x += pt(l, i)[0]), (y += pt(l, i)[1]));
      return [x / 20, y / 20];
    };
    const [gx, gy] = centre(g),
      [rx, ry] = centre(r);
    const w = (faceWidth(g) + faceWidth(r)) / 2;
    let d = 0;
    for (let i = 48; i < 68; i++) d += Math.hypot(g[2 * i] - gx - (r[2 * i] - rx), g[2 * i + 1] - gy - (r[2 * i + 1] - ry));
    s += d / 20 / w;
    n++;
  }
  return n ? s / n : NaN;
}

/** cosine similarity of generated frames' descriptors with the mean descriptor of the given frames */
export function idSim(faces: FaceFrame[], given: number[], generated: number[]): number {
  const ref = new Float64Array(128);
  let k = 0;
  for (const t of given) if (faces[t]?.descriptor) (faces[t].descriptor!.forEach((v, i) => (ref[i] += v)), k++);
  if (!k) return NaN;
  const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let ab = 0,
      aa = 0,
      bb = 0;
    for (let i = 0; i < a.length; i++) ((ab += a[i] * b[i]), (aa += a[i] * a[i]), (bb += b[i] * b[i]));
    return ab / Math.sqrt(aa * bb);
  };
  const sims = generated.filter((t) => faces[t]?.descriptor).map((t) => cos(faces[t].descriptor!, ref));
  return sims.length ? sims.reduce((a, b) => a + b, 0) / sims.length : NaN;
}
