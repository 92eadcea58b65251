/**
 * Offline metrics for generated talking-face clips (browser-safe, no learned weights):
 *
 *  - Feature embeddings for Fréchet distances. Neither is VGGish or I3D, so the numbers are NOT
 *    comparable with published FAD / FVD; the metric names carry the embedding's name.
 *      `logmel40`: per 10 ms frame, 40 log-mel energies (25 ms Hann window). → FAD-logmel40
 *      `pix80`: per video frame, on a 4×4 grid of blocks: mean RGB (48), mean gradient magnitude (16:
 *               sharpness/texture, catches blur) and mean |frame − previous frame| (16: motion).
 *               → FVD-pix80 (a frame-level Fréchet distance with a motion term, not a clip-level one)
 *  - SyncCorr: lip sync for GRID framing. Mouth "openness" = −(mean grey level of the upper-lip/mouth
 *    band, rows 52–57 × columns 26–39 of a 64×64 frame cropped 200:200:52:44 from GRID, scaled for
 *    other sizes) — the band darkens when the mouth opens. Score = Pearson correlation of the frame-to-
 *    frame changes of openness and of the audio's log energy (dB per video frame). Differencing
 *    removes the shared sentence envelope (silence, speech, silence) that makes any two GRID clips
 *    correlate. Checked on the 26 GRID s1 validation clips: real pairs 0.30, shuffled pairs 0.04
 *    (ROC AUC 0.79); see docs/evaluation.md.
 *  - SAA (speech-activity agreement, for V2A): per video frame, is the audio active (log energy within
 *    `rangeDb` of the window's loudest frame, and above an absolute floor) vs is a word being spoken
 *    (GRID's .align files). Fraction of frames that agree.
 *  - ID distance (subject consistency): RMS distance between each generated frame and the mean of the
 *    given frames, at 16×16 (so small motions matter less than a different face or colour).
 */
import { stft, melFilterbank } from '../audio/dsp.js';
import { energyDbPerFrame, activityFromAudio } from '../audio/activity.js';
export { energyDbPerFrame, activityFromAudio, quietLatentFrames } from '../audio/activity.js';

// ---- small helpers -------------------------------------------------------------------------------

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n < 2) return 0;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let num = 0,
    va = 0,
    vb = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) ** 2;
    vb += (b[i] - mb) ** 2;
  }
  return va > 0 && vb > 0 ? num / Math.sqrt(va * vb) : 0;
}

const diff = (x: number[]) => x.slice(1).map((v, i) => v - x[i]);

export interface FrameRange {
  /** first frame (inclusive) */
  from: number;
  /** last frame (exclusive) */
  to: number;
}

interface Video {
  video: Float32Array;
  numFrames: number;
  height: number;
  width: number;
}

// ---- lip sync ------------------------------------------------------------------------------------

/** The mouth band at 64×64 (GRID, crop 200:200:52:44), as fractions of the frame. */
export const MOUTH_BAND = { y0: 52 / 64, y1: 58 / 64, x0: 26 / 64, x1: 40 / 64 };

export function mouthOpenness(v: Video): number[] {
  const { height: H, width: W } = v;
  const y0 = Math.round(MOUTH_BAND.y0 * H),
    y1 = Math.round(MOUTH_BAND.y1 * H),
    x0 = Math.round(MOUTH_BAND.x0 * W),
    x1 = Math.round(MOUTH_BAND.x1 * W);
  return Array.from({ length: v.numFrames }, (_, t) => {
    let s = 0;
    for (let y = y0; y < y1; y++)
      for (let x = x0; x < x1; x++) {
        const o = ((t * H + y) * W + x) * 3;
        s += v.video[o] + v.video[o + 1] + v.video[o + 2];
      }
    return -s / (3 * (y1 - y0) * (x1 - x0));
  });
}

/** SyncCorr over the frames in `range` (default: all): corr(Δ openness, Δ log energy). */
export function syncCorr(
  clip: Video & { audio: Float32Array; sampleRate: number; fps: number },
  range: FrameRange = { from: 0, to: clip.numFrames },
): number {
  const open = mouthOpenness(clip).slice(range.from, range.to);
  const e = energyDbPerFrame(clip.audio, clip.sampleRate, clip.fps, clip.numFrames).slice(range.from, range.to);
  return pearson(diff(open), diff(e));
}

// ---- speech activity -----------------------------------------------------------------------------

export interface AlignedWord {
  start: number; // seconds
  end: number;
  word: string;
}

/** GRID .align text: "start end word" per line, times in 1/25000 s; sil / sp are silence. */
export function parseAlign(text: string, source = 'align'): AlignedWord[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l, i) => {
      const [a, b, w] = l.split(/\s+/);
      const start = Number(a) / 25000,
        end = Number(b) / 25000;
      if (!w || !Number.isFinite(start) || !Number.isFinite(end) || end < start)
        throw new Error(`${source}: line ${i + 1} is not "start end word": "${l}"`);
      return { start, end, word: w };
    });
}

/** sil / sp entries are silence. */
export const isSpoken = (w: AlignedWord): boolean => w.word !== 'sil' && w.word !== 'sp';

/** The spoken words of an alignment, in order. */
export const spokenWords = (words: AlignedWord[]): string[] => words.filter(isSpoken).map((w) => w.word);

/** Per video frame of a window starting at `startFrame`: does a (non-silence) word overlap at least half the frame? */
export function activityFromAlign(words: AlignedWord[], fps: number, startFrame: number, numFrames: number): boolean[] {
  return Array.from({ length: numFrames }, (_, t) => {
    const a = (startFrame + t) / fps,
      b = (startFrame + t + 1) / fps;
    let spoken = 0;
    for (const w of words) if (isSpoken(w)) spoken += Math.max(0, Math.min(b, w.end) - Math.max(a, w.start));
    return spoken >= 0.5 * (b - a);
  });
}

export function agreement(a: boolean[], b: boolean[], range: FrameRange = { from: 0, to: a.length }): number {
  let same = 0;
  for (let t = range.from; t < range.to; t++) if (a[t] === b[t]) same++;
  return same / Math.max(1, range.to - range.from);
}

/**
 * SAA over `frames`: the share where the audio's activity agrees with the words, overall and split by what the
 * words say (speech: frames where a word is spoken; silence: where none is; NaN where there is no such frame).
 */
export function speechAgreement(pred: boolean[], spoken: boolean[], frames: number[]): { all: number; speech: number; silence: number } {
  const share = (ts: number[]) => (ts.length ? ts.filter((t) => pred[t] === spoken[t]).length / ts.length : NaN);
  return { all: share(frames), speech: share(frames.filter((t) => spoken[t])), silence: share(frames.filter((t) => !spoken[t])) };
}

// ---- subject consistency -------------------------------------------------------------------------

function pooled(v: Video, t: number, size: number): Float64Array {
  const { height: H, width: W } = v;
  const out = new Float64Array(size * size * 3);
  const by = H / size,
    bx = W / size;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const o = ((t * H + y) * W + x) * 3,
        p = (Math.floor(y / by) * size + Math.floor(x / bx)) * 3;
      for (let c = 0; c < 3; c++) out[p + c] += v.video[o + c] / (by * bx);
    }
  return out;
}

/** RMS distance (16×16, [0,1] units) of each generated frame to the mean given frame, averaged. */
export function identityDistance(v: Video, givenFrames: number[], generatedFrames: number[], size = 16): number {
  if (givenFrames.length === 0 || generatedFrames.length === 0) throw new Error('identityDistance: needs given and generated frames');
  const ref = new Float64Array(size * size * 3);
  for (const t of givenFrames) pooled(v, t, size).forEach((x, i) => (ref[i] += x / givenFrames.length));
  let sum = 0;
  for (const t of generatedFrames) {
    const p = pooled(v, t, size);
    let s = 0;
    for (let i = 0; i < p.length; i++) s += (p[i] - ref[i]) ** 2;
    sum += Math.sqrt(s / p.length);
  }
  return sum / generatedFrames.length;
}

// ---- embeddings for Fréchet distances ------------------------------------------------------------

export const VIDEO_EMBEDDING = { name: 'pix80', dim: 80 } as const;
export const AUDIO_EMBEDDING = { name: 'logmel40', dim: 40 } as const;

/** pix80 rows for the frames in `frames` (the previous frame, given or not, feeds the motion term). */
export function videoEmbedding(v: Video, frames: number[]): Float64Array {
  const { height: H, width: W } = v;
  const G = 4,
    by = H / G,
    bx = W / G;
  const out = new Float64Array(frames.length * 80);
  const grey = (t: number, y: number, x: number) => {
    const o = ((t * H + y) * W + x) * 3;
    return (v.video[o] + v.video[o + 1] + v.video[o + 2]) / 3;
  };
  frames.forEach((t, r) => {
    const row = out.subarray(r * 80, (r + 1) * 80);
    const prev = Math.max(0, t - 1);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const b = Math.floor(y / by) * G + Math.floor(x / bx),
          o = ((t * H + y) * W + x) * 3;
        for (let c = 0; c < 3; c++) row[3 * b + c] += v.video[o + c] / (by * bx);
        const g = grey(t, y, x);
        const gx = x + 1 < W ? grey(t, y, x + 1) - g : 0,
          gy = y + 1 < H ? grey(t, y + 1, x) - g : 0;
        row[48 + b] += Math.hypot(gx, gy) / (by * bx);
        row[64 + b] += Math.abs(g - grey(prev, y, x)) / (by * bx);
      }
  });
  return out;
}

const MEL_CACHE = new Map<number, Float32Array>();

/** logmel40 rows (10 ms hop) for the samples of [from, to). */
export function audioEmbedding(audio: Float32Array, sampleRate: number, from = 0, to = audio.length): Float64Array {
  const cfg = { nFft: 512, hop: Math.round(0.01 * sampleRate), win: Math.round(0.025 * sampleRate) };
  const x = audio.subarray(from, to);
  const frames = Math.floor(x.length / cfg.hop);
  if (frames < 2) throw new Error(`audioEmbedding: ${x.length} samples is too short`);
  const s = stft(x, cfg, frames);
  const bins = cfg.nFft / 2 + 1;
  let fb = MEL_CACHE.get(sampleRate);
  if (!fb) MEL_CACHE.set(sampleRate, (fb = melFilterbank(40, cfg.nFft, sampleRate, 50, sampleRate / 2)));
  const out = new Float64Array(frames * 40);
  for (let f = 0; f < frames; f++)
    for (let m = 0; m < 40; m++) {
      let e = 0;
      for (let k = 0; k < bins; k++) {
        const w = fb[m * bins + k];
        if (w) e += w * (s.re[f * bins + k] ** 2 + s.im[f * bins + k] ** 2);
      }
      out[f * 40 + m] = Math.log(1e-10 + e);
    }
  return out;
}
