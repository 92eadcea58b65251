/**
 * Training task for the activity net (src/model/activity.ts): video latents of a window → speech per pixel frame.
 * The labels are the training windows' own audio (the latent cache's `<split>.quiet` masks, SAA's rule), so any
 * user's clips will do; no transcripts. Loss: binary cross-entropy; dropout on the flattened latents. Validation:
 * the share of validation frames whose label it gets right (and the BCE).
 *
 * Before training it fits what activity guidance needs from the audio side, on the training windows:
 *   guide.quietLatent  the mean normalised audio latent of quiet frames
 *   guide.level        a ridge fit (λ = 1) of the decoded level per audio latent frame (dB of the audio codec's
 *                      predicted power spectrum) on latent frames f−1, f, f+1 (R² ≈ 0.94 on GRID's validation windows)
 *   speechLevel        the SPEECH_LEVEL_QUANTILE quantile of that level over the speech frames
 */
import { ops, jit, refTree, type Params, type Tensor } from '../../engine/index.js';
import { openLatentCache } from '../../codecs/node/latents.js';
import { AudioCodec } from '../../codecs/codec.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import {
  activityForward,
  activityFrames,
  activitySpecs,
  checkActivityConfig,
  isTrained,
  levelFeatures,
  ACTIVITY_DEFAULTS,
  type ActivityConfig,
} from '../../model/activity.js';
import type { TrainTask } from '../trainer.js';
import type { HostParams } from '../../util/safetensors.js';
import { foldIn, uniform, type Key } from '../../util/rng.js';

export interface ActivityTrainOptions {
  batch: number;
  hidden: number;
  dropout: number;
  /** windows of the level fit (each is decoded once) */
  levelWindows: number;
}

export const ACTIVITY_TRAIN_DEFAULTS: ActivityTrainOptions = {
  batch: 64,
  hidden: ACTIVITY_DEFAULTS.hidden,
  dropout: ACTIVITY_DEFAULTS.dropout,
  levelWindows: 640,
};
export const SPEECH_LEVEL_QUANTILE = 0.7;

/** Speech labels per pixel frame [N, T] from quiet masks per audio latent frame [N, La]: the first latent frame in each pixel frame. */
export function speechLabels(quiet: Float32Array, N: number, La: number, T: number, fps: number, hopSec: number): Float32Array {
  const first = Array.from({ length: T }, (_, t) => {
    for (let f = 0; f < La; f++) if (Math.floor((f + 0.5) * hopSec * fps) === t) return f;
    throw new Error(`activity labels: no audio latent frame falls in video frame ${t}`);
  });
  return Float32Array.from({ length: N * T }, (_, i) => 1 - quiet[Math.floor(i / T) * La + first[i % T]]);
}

/** Decoded level (dB) per audio latent frame [N·La] of normalised latents [N, La, Ca]. */
export async function decodedLevels(codec: AudioCodec, z: Float32Array, N: number, La: number): Promise<Float32Array> {
  const Ca = codec.config.latentChannels,
    out = new Float32Array(N * La);
  for (let b0 = 0; b0 < N; b0 += 32) {
    const nb = Math.min(32, N - b0);
    const s = await codec.decodeSpectrogram(z.subarray(b0 * La * Ca, (b0 + nb) * La * Ca), nb);
    const bins = s.length / (nb * 2 * La);
    for (let f = 0; f < nb * La; f++) {
      let e = 0;
      for (let k = 0; k < 2 * bins; k++) e += Math.max(0, Math.exp(s[2 * f * bins + k]) - 1e-4) ** 2;
      out[b0 * La + f] = 10 * Math.log10(e / (2 * bins) + 1e-12);
    }
  }
  return out;
}

/** Ridge regression (no penalty on the last, constant feature) by Gauss–Jordan elimination on the normal equations. */
export function ridge(rows: (i: number) => Float64Array, n: number, y: ArrayLike<number>, K: number, lambda: number): Float32Array {
  const A = Array.from({ length: K }, () => new Float64Array(K + 1));
  for (let i = 0; i < n; i++) {
    const x = rows(i);
    for (let a = 0; a < K; a++) {
      A[a][K] += x[a] * y[i];
      for (let b = 0; b < K; b++) A[a][b] += x[a] * x[b];
    }
  }
  for (let a = 0; a < K - 1; a++) A[a][a] += lambda;
  for (let i = 0; i < K; i++) {
    let p = i;
    for (let j = i + 1; j < K; j++) if (Math.abs(A[j][i]) > Math.abs(A[p][i])) p = j;
    [A[i], A[p]] = [A[p], A[i]];
    if (Math.abs(A[i][i]) < 1e-12) throw new Error('ridge: singular system (constant features?)');
    for (let j = 0; j < K; j++)
      if (j !== i) {
        const r = A[j][i] / A[i][i];
        for (let k = i; k <= K; k++) A[j][k] -= r * A[i][k];
      }
  }
  return Float32Array.from(A, (row, i) => row[K] / row[i]);
}

function quantile(a: number[], p: number): number {
  const s = a.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
}

/** The guide tensors and the speech level, fitted on the training windows (see the file comment). */
export async function fitGuide(
  codec: AudioCodec,
  audio: Float32Array,
  quiet: Float32Array,
  N: number,
  La: number,
  log: (s: string) => void = () => {},
): Promise<{ guide: HostParams; speechLevel: number; r2: number }> {
  const Ca = codec.config.latentChannels;
  const mu = new Float32Array(Ca);
  let nq = 0;
  for (let f = 0; f < N * La; f++)
    if (quiet[f] > 0.5) {
      nq++;
      for (let c = 0; c < Ca; c++) mu[c] += audio[f * Ca + c];
    }
  if (nq === 0) throw new Error('activity net: no quiet audio frame in the training windows (nothing to learn)');
  mu.forEach((v, c) => (mu[c] = v / nq));
  const n = Math.min(N, ACTIVITY_TRAIN_DEFAULTS.levelWindows);
  const lv = await decodedLevels(codec, audio.subarray(0, n * La * Ca), n, La);
  const K = 3 * Ca + 1;
  const w = ridge((i) => levelFeatures(audio, i, La, Ca), n * La, lv, K, 1);
  let ss = 0,
    st = 0;
  const mean = lv.reduce((a, b) => a + b, 0) / lv.length;
  for (let i = 0; i < n * La; i++) {
    const x = levelFeatures(audio, i, La, Ca);
    let p = 0;
    for (let k = 0; k < K; k++) p += w[k] * x[k];
    ss += (p - lv[i]) ** 2;
    st += (lv[i] - mean) ** 2;
  }
  const speech = Array.from(lv).filter((_, i) => quiet[i] < 0.5);
  const speechLevel = quantile(speech, SPEECH_LEVEL_QUANTILE);
  const r2 = 1 - ss / st;
  log(`level map: R² ${r2.toFixed(3)} on ${n} training windows; speech level ${speechLevel.toFixed(1)} dB (quantile ${SPEECH_LEVEL_QUANTILE})`);
  return { guide: { 'guide.quietLatent': { shape: [Ca], data: mu }, 'guide.level': { shape: [K], data: w } }, speechLevel, r2 };
}

export async function activityTrainTask(latentDir: string, o: ActivityTrainOptions, log: (s: string) => void = () => {}): Promise<TrainTask> {
  const { manifest: m, tensors } = openLatentCache(latentDir);
  for (const s of ['train', 'val'])
    if (!tensors[`${s}.quiet`])
      throw new Error(`${latentDir}/latents.safetensors: no "${s}.quiet" (re-encode with this avdit, or add them with scripts/add-quiet.mjs)`);
  const [La] = m.audioShape;
  const T = m.data.windowFrames;
  const N = tensors['train.video'].shape[0],
    Nv = tensors['val.video'].shape[0];
  const [L, h, w, C] = m.videoShape;
  const fpl = h * w * C;
  const codec = AudioCodec.fromCheckpoint(loadCheckpoint(m.codecs.audio.path), m.codecs.audio.path);
  const fit = await fitGuide(codec, tensors['train.audio'].data, tensors['train.quiet'].data, N, La, log);
  const c: ActivityConfig = {
    latentShape: [L, h, w, C],
    frames: m.layout.frames.map(([a, b]) => [a, b] as [number, number]),
    hidden: o.hidden,
    speechLevel: fit.speechLevel,
  };
  checkActivityConfig(c, latentDir);
  if (activityFrames(c) !== T)
    throw new Error(`${latentDir}: the layout's latent frames cover ${activityFrames(c)} video frames, the windows have ${T}`);
  const labels = {
    train: speechLabels(tensors['train.quiet'].data, N, La, T, m.data.fps, m.audioHopSec),
    val: speechLabels(tensors['val.quiet'].data, Nv, La, T, m.data.fps, m.audioHopSec),
  };
  const video = { train: tensors['train.video'].data, val: tensors['val.video'].data };
  const specs = Object.fromEntries(Object.entries(activitySpecs(c, codec.config.latentChannels)).filter(([k]) => isTrained(k)));
  const predict = jit((p: Params, z: Tensor) => activityForward(p, c, z));
  const bce = (logits: Tensor, y: Tensor) =>
    // softplus(x) − y·x, written stably: max(x, 0) + log(1 + e^−|x|) − y·x
    ops.mean(ops.sub(ops.add(ops.relu(logits.ref), ops.log(ops.add(ops.exp(ops.neg(ops.abs(logits.ref))), 1))), ops.mul(y, logits)));
  const { batch: B, dropout } = o;
  return {
    config: { kind: 'activity-net', activity: c, train: o, source: latentDir, levelR2: fit.r2, codecs: { audio: m.codecs.audio } },
    specs,
    batch(key: Key) {
      const idx = uniform(foldIn(key, 1), B).map((u) => Math.min(N - 1, Math.floor(u * N)));
      const z = new Float32Array(B * L * fpl),
        y = new Float32Array(B * T);
      idx.forEach(
        (i, b) => (z.set(video.train.subarray(i * L * fpl, (i + 1) * L * fpl), b * L * fpl), y.set(labels.train.subarray(i * T, (i + 1) * T), b * T)),
      );
      const keep = uniform(foldIn(key, 2), B * L * fpl).map((u) => (u < dropout ? 0 : 1 / (1 - dropout)));
      return [ops.tensor(z, [B, L, h, w, C]), ops.tensor(y, [B, T]), ops.tensor(keep, [B, L, fpl])];
    },
    loss(p, [z, y, keep]) {
      const l = bce(activityForward(p, c, z, keep), y);
      return [l.ref, { bce: l }];
    },
    async extras() {
      return fit.guide;
    },
    async validate(p) {
      const logits = await ops.read(predict(refTree(p), ops.tensor(video.val, [Nv, L, h, w, C])));
      let right = 0,
        loss = 0;
      logits.forEach((x, i) => {
        const y = labels.val[i];
        if (x > 0 === y > 0.5) right++;
        loss += Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))) - y * x;
      });
      return { agreement: right / logits.length, bce: loss / logits.length };
    },
    validationScore: (v) => v.bce,
  };
}
