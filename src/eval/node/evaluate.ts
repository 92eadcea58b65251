/**
 * `avdit eval`: checkpoints × tasks × seeds on windows of any data — a folder of clips, a prepared clip
 * cache or a latent cache (`--split train|val|all`) — scored with the offline metrics of av-metrics.ts
 * against the real windows, conditioning segments excluded, every number with a bootstrap interval over
 * windows (and seeds). For conditional tasks it also measures *condition influence*: how much the output
 * moves when the condition is swapped for another window's (same seed), relative to how much it moves
 * with another seed (same condition) — ≥ 1 means the model uses its condition; and for a2v the plainest
 * check, SyncCorr of video generated from another window's audio, scored against the true audio.
 *
 * Writes one JSON per (checkpoint, task, seed) as it goes (a rerun skips what is done: resumable), then
 * report.json and a Markdown table laid out like the paper's Table 1, with two reference rows: the real
 * clips (alignment / consistency scores of real data) and the codec reconstruction (the best any latent
 * generator here can do). A checkpoint trained with the vanilla strategy is sampled with the replacement
 * method on conditional tasks (the paper's baseline); every other strategy with MoNL conditioning.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/node/atomic.js';
import { readJsonFile } from '../../util/node/json.js';
import { ClipCache, type Window as CacheWindow } from '../../data/node/cache.js';
import { prepare } from '../../data/node/prepare.js';
import { DATA_DEFAULTS } from '../../data/config.js';
import { openLatentCache, loadCodecs, checkCodecsMatch } from '../../codecs/node/latents.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import { avditFromCheckpoint } from '../../model/load.js';
import type { AVClip } from '../../media/clip.js';
import type { Crop } from '../../media/node/ffmpeg.js';
import { parseCondition, type ConditionMask } from '../../monl/tasks.js';
import { MODALITIES, type Modality } from '../../monl/layout.js';
import { activityApplies, activityGuidanceFor } from '../../pipeline/activity-guidance.js';
import type { ActivityNet } from '../../model/activity.js';
import { generate } from '../../pipeline/generate.js';
import { decodeClips, restoreGivenCells } from '../../pipeline/clip-generate.js';
import { frechetDistance, blockMoments, statsOfBlocks, type BlockMoments } from '../frechet.js';
import {
  activityFromAlign,
  activityFromAudio,
  speechAgreement,
  audioEmbedding,
  identityDistance,
  syncCorr,
  videoEmbedding,
  AUDIO_EMBEDDING,
  VIDEO_EMBEDDING,
  type AlignedWord,
} from '../av-metrics.js';
import { bootstrap, bootstrapIndices, meanInterval, separated, type Interval } from '../stats.js';
import { audioDistance, boxDistance, influence } from '../influence.js';
import { loadAlign } from './metric-check.js';
import { loadFaceNet, type FaceNet } from './face.js';
import { detectionRate, idSim, lipSyncLm, lmdMouth, type FaceFrame } from '../face-metrics.js';
import type { Vggish } from '../vggish.js';

export const EVAL_TASKS = ['joint', 'a2v', 'v2a', 'inpaint', 'continue'] as const;
const MEDIA = /\.(mp4|mpg|mpeg|mov|mkv|webm|avi|m4v)$/i;
/** bootstrap resamples: per-window means (cheap) and Fréchet distances (an eigendecomposition each) */
const REPS_MEAN = 2000,
  REPS_FRECHET = 100;

export interface EvalOptions {
  /** a folder of clips, a clip cache (manifest.json) or a latent cache (latents.json) */
  data: string;
  /** which windows: the cache's train or val split, or all (default: val for caches, all for a folder) */
  split?: 'train' | 'val' | 'all';
  /** crop for a folder of clips (default centre; GRID: 200:200:52:44) */
  crop?: Crop;
  /** folder of GRID .align files, for speech-activity agreement */
  align?: string;
  checkpoints: { name: string; dir: string }[];
  videoCodec: string;
  audioCodec: string;
  tasks?: string[];
  seeds?: number[];
  steps?: number;
  guidance?: number;
  /** guide only the steps with t in [lo, hi] (generate's guidanceInterval; default every step) */
  guidanceInterval?: readonly [number, number];
  /** DDIM η (generate's eta; default 0, the deterministic sampler; 1: ancestral) */
  eta?: number;
  /** scale of the starting noise (generate's temperature; default 1 on every task, whatever the library's default) */
  temperature?: number;
  /** which window of each clip (start frame); clips without it are skipped; undefined = every window */
  windowStart?: number;
  /** Griffin–Lim iterations when decoding audio (default 16; the codec's own is 48) */
  griffinLimIters?: number;
  /** at most this many windows (default all) */
  maxWindows?: number;
  /** leave out the first this many windows (with maxWindows: a second, disjoint set of windows) */
  skipWindows?: number;
  /** measure condition influence on the conditional tasks (default true; costs two more generations per task and seed) */
  influence?: boolean;
  /** how many of `seeds` (from the first) measure the influence (default all: one seed pair alone moved it by ±0.2) */
  influenceSeeds?: number;
  /**
   * which given modality the influence run takes from another window (default both: every given cell). On a
   * task that gives both, e.g. `video:0 audio:all` (a2v with a reference frame), 'audio' asks whether the
   * audio still moves the output once the look is given.
   */
  influenceOf?: Modality;
  /** add the face-network metrics (LipSync-lm, LMD-mouth, ID-sim, face-found; slow: ~50 ms per frame) */
  face?: boolean;
  out: string;
  /** the audio network for the Fréchet distance (default logmel40) */
  audioEmbedder?: AudioEmbedder;
  /** activity guidance on the tasks that generate audio from the whole video (src/pipeline/activity-guidance.ts) */
  activity?: { net: ActivityNet; dir: string; strength: number };
  log?: (s: string) => void;
}

/** An audio feature network for the Fréchet distance: rows of `dim` features for the given sample ranges. */
export interface AudioEmbedder {
  name: string;
  dim: number;
  rows(audio: Float32Array, sampleRate: number, ranges: [number, number][]): Promise<Float64Array> | Float64Array;
}

/** logmel40 on each range (the default; see av-metrics.ts). */
export const LOGMEL40: AudioEmbedder = {
  name: AUDIO_EMBEDDING.name,
  dim: AUDIO_EMBEDDING.dim,
  rows: (audio, sr, ranges) => concatRows(ranges.map(([a, b]) => audioEmbedding(audio, sr, a, Math.min(b, audio.length)))),
};

/** VGGish over the generated audio: contiguous ranges are joined, then cut into 0.96 s examples. */
export function vggishEmbedder(v: Vggish): AudioEmbedder {
  return {
    name: v.name,
    dim: v.dim,
    rows: async (audio, sr, ranges) => {
      const spans: [number, number][] = [];
      for (const [a, b] of ranges) {
        const last = spans[spans.length - 1];
        if (last && last[1] === a) last[1] = b;
        else spans.push([a, b]);
      }
      return concatRows(await Promise.all(spans.map(([a, b]) => v.rows(audio.subarray(a, Math.min(b, audio.length)), sr))));
    },
  };
}

function concatRows(rows: Float64Array[]): Float64Array {
  const all = new Float64Array(rows.reduce((n, r) => n + r.length, 0));
  let o = 0;
  for (const r of rows) {
    all.set(r, o);
    o += r.length;
  }
  return all;
}

/** One task's scores for one set of generated windows: per-window values (means) and Fréchet distances with intervals. */
export interface TaskScores {
  perWindow: Record<string, number[]>;
  frechet: Record<string, Interval>;
}

/** A table cell: the value and its interval. */
export type Scores = Record<string, Interval>;

const METRICS = {
  fvd: `FVD-${VIDEO_EMBEDDING.name}`,
  sync: 'SyncCorr',
  saa: 'SAA',
  saaSpeech: 'SAA-speech',
  saaSilence: 'SAA-silence',
  id: 'ID-dist',
  lipLm: 'LipSync-lm',
  lmd: 'LMD-mouth',
  idSim: 'ID-sim',
  found: 'face-found',
  infV: 'influence-video',
  infA: 'influence-audio',
  syncShuffled: 'SyncCorr-shuffled-audio',
} as const;

type Seg = { frames: [number, number][]; bounds: [number, number][] };

/** Which frames / samples a task generates, from its mask and the segment layout. */
export function taskPlan(mask: ConditionMask, seg: Seg, sampleRate: number) {
  const frames = (given: boolean) =>
    seg.frames.flatMap(([a, b], s) => (mask[0][s] === given ? Array.from({ length: b - a + 1 }, (_, k) => a + k) : []));
  const genAudio = seg.bounds.flatMap(([a, b], s) =>
    mask[1][s] ? [] : [[Math.round(a * sampleRate), Math.round(b * sampleRate)] as [number, number]],
  );
  const anyGen = seg.frames.flatMap(([a, b], s) => (!mask[0][s] || !mask[1][s] ? [a, b] : []));
  const audioFrames = seg.frames.flatMap(([a, b], s) => (mask[1][s] ? [] : Array.from({ length: b - a + 1 }, (_, k) => a + k)));
  return {
    genFrames: frames(false),
    givenFrames: frames(true),
    genAudio,
    audioFrames,
    syncRange: { from: Math.min(...anyGen), to: Math.max(...anyGen) + 1 },
  };
}

type RealWindow = { real: AVClip; start: number; words: AlignedWord[] | null };
type Scorer = (gen: AVClip[], o?: { frechet?: boolean }) => Promise<TaskScores>;

function checkFrechetRows(blocks: Float64Array[], dim: number, what: string): void {
  const rows = blocks.reduce((n, b) => n + b.length / dim, 0);
  if (rows <= dim)
    throw new Error(
      `${blocks.length} windows give ${rows} ${what} feature rows, too few for a Fréchet distance of ${dim} features (need > ${dim}); evaluate more windows (--split all, more clips)`,
    );
}

/**
 * A scorer for one task: the real windows' features and speech activity are computed once here, then
 * every set of generated windows is scored against them. Fréchet intervals resample windows, paired
 * between the real and the generated set.
 */
export async function taskScorer(
  wins: RealWindow[],
  mask: ConditionMask,
  seg: Seg,
  audioEmbedder: AudioEmbedder = LOGMEL40,
  face?: { net: FaceNet; real: () => Promise<FaceFrame[][]> },
): Promise<Scorer> {
  const { sampleRate: sr, fps, numFrames: T } = wins[0].real;
  const p = taskPlan(mask, seg, sr);
  const vBlocks = (clips: AVClip[]) => clips.map((c) => videoEmbedding(c, p.genFrames));
  const aBlocks = (clips: AVClip[]) => Promise.all(clips.map(async (c) => Float64Array.from(await audioEmbedder.rows(c.audio, sr, p.genAudio))));
  const reals = wins.map((w) => w.real);
  const realV = p.genFrames.length ? vBlocks(reals) : null;
  const realA = p.genAudio.length ? await aBlocks(reals) : null;
  if (realV) checkFrechetRows(realV, VIDEO_EMBEDDING.dim, 'video');
  if (realA) checkFrechetRows(realA, audioEmbedder.dim, 'audio');
  const spoken = p.audioFrames.length && wins.every((w) => w.words) ? wins.map((w) => activityFromAlign(w.words!, fps, w.start, T)) : null;
  const needDescriptors = p.genFrames.length > 0 && p.givenFrames.length > 0;
  const facesOf = (clips: AVClip[]) =>
    Promise.all(clips.map((c) => face!.net.frames(c.video, T, c.height, c.width, { descriptors: needDescriptors })));
  const realFaces = face && p.genFrames.length ? await face.real() : null;
  const realMomentsV = realV ? blockMoments(realV, VIDEO_EMBEDDING.dim) : null;
  const realMomentsA = realA ? blockMoments(realA, audioEmbedder.dim) : null;
  const frechetInterval = (gen: Float64Array[], real: BlockMoments) => {
    const g = blockMoments(gen, real.dim);
    return bootstrap(gen.length, (idx) => frechetDistance(statsOfBlocks(g, idx), statsOfBlocks(real, idx)), REPS_FRECHET);
  };
  return async (gen, o = {}) => {
    const out: TaskScores = { perWindow: {}, frechet: {} };
    if (o.frechet !== false) {
      if (realMomentsV) out.frechet[METRICS.fvd] = frechetInterval(vBlocks(gen), realMomentsV);
      if (realMomentsA) out.frechet[`FAD-${audioEmbedder.name}`] = frechetInterval(await aBlocks(gen), realMomentsA);
    }
    out.perWindow[METRICS.sync] = gen.map((c) => syncCorr(c, p.syncRange));
    if (spoken) {
      // SAA, and split by what the words say: sound where a word is spoken, quiet where none is (NaN: no such frame; left out)
      const saa = gen.map((c, i) => speechAgreement(activityFromAudio(c.audio, sr, fps, T), spoken[i], p.audioFrames));
      out.perWindow[METRICS.saa] = saa.map((s) => s.all);
      out.perWindow[METRICS.saaSpeech] = saa.map((s) => s.speech);
      out.perWindow[METRICS.saaSilence] = saa.map((s) => s.silence);
    }
    if (p.genFrames.length && p.givenFrames.length) out.perWindow[METRICS.id] = gen.map((c) => identityDistance(c, p.givenFrames, p.genFrames));
    if (face && p.genFrames.length) {
      const isReal = gen.every((c, i) => c === reals[i]);
      const faces = isReal ? realFaces! : await facesOf(gen);
      out.perWindow[METRICS.found] = faces.map((f) => detectionRate(p.genFrames.map((t) => f[t])));
      out.perWindow[METRICS.lipLm] = gen.map((c, i) => lipSyncLm(faces[i], c.audio, sr, fps, p.syncRange.from, p.syncRange.to));
      if (!isReal) out.perWindow[METRICS.lmd] = faces.map((f, i) => lmdMouth(f, realFaces![i], p.genFrames));
      if (needDescriptors) out.perWindow[METRICS.idSim] = faces.map((f) => idSim(f, p.givenFrames, p.genFrames));
    }
    return out;
  };
}

/** Scores generated windows against the real ones for one task (a one-off taskScorer), as plain values. */
export async function scoreTask(
  gen: AVClip[],
  wins: RealWindow[],
  mask: ConditionMask,
  seg: Seg,
  audioEmbedder: AudioEmbedder = LOGMEL40,
): Promise<Record<string, number>> {
  return flatten(await (await taskScorer(wins, mask, seg, audioEmbedder))(gen));
}

function flatten(s: TaskScores): Record<string, number> {
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  return {
    ...Object.fromEntries(Object.entries(s.frechet).map(([k, v]) => [k, v.value])),
    ...Object.fromEntries(Object.entries(s.perWindow).map(([k, v]) => [k, mean(v)])),
  };
}

/** Seeds → one cell per metric: per-window values averaged over seeds, then a bootstrap interval over windows;
 * Fréchet values and interval bounds averaged over seeds. */
export function combineSeeds(perSeed: TaskScores[]): Scores {
  const out: Scores = {};
  for (const k of Object.keys(perSeed[0].perWindow)) {
    const n = perSeed[0].perWindow[k].length;
    // windows where a metric is undefined (no face found, too few frames) are left out, not counted as 0
    const vals = Array.from({ length: n }, (_, i) => perSeed.reduce((a, s) => a + s.perWindow[k][i], 0) / perSeed.length).filter(Number.isFinite);
    if (vals.length >= 2) out[k] = meanInterval(vals, REPS_MEAN);
  }
  for (const k of Object.keys(perSeed[0].frechet)) {
    const avg = (f: (x: Interval) => number) => perSeed.reduce((a, s) => a + f(s.frechet[k]), 0) / perSeed.length;
    out[k] = { value: avg((x) => x.value), lo: avg((x) => x.lo), hi: avg((x) => x.hi) };
  }
  return out;
}

interface Data {
  cache: ClipCache;
  split: 'train' | 'val' | 'all';
  /** the latent cache, when given one (its codecs are checked) */
  latents?: string;
}

/** A folder of clips, a clip cache or a latent cache → a clip cache and a split. */
async function resolveData(
  o: EvalOptions,
  modelData: { fps: number; sampleRate: number; windowFrames: number; width: number; height: number },
  log: (s: string) => void,
): Promise<Data> {
  if (!existsSync(o.data)) throw new Error(`${o.data}: not found (give a folder of clips, a clip cache or a latent cache)`);
  if (existsSync(join(o.data, 'latents.json'))) {
    const m = openLatentCache(o.data).manifest;
    checkCodecsMatch({ latents: { codecs: m.codecs } }, o.data, { video: o.videoCodec, audio: o.audioCodec }, 'encoded with');
    return { cache: new ClipCache(m.source), split: o.split ?? 'val', latents: o.data };
  }
  if (existsSync(join(o.data, 'manifest.json'))) return { cache: new ClipCache(o.data), split: o.split ?? 'val' };
  if (!statSync(o.data).isDirectory()) throw new Error(`${o.data}: not a folder of clips, a clip cache or a latent cache`);
  const media = readdirSync(o.data, { recursive: true })
    .map(String)
    .filter((f) => MEDIA.test(f));
  if (media.length === 0) throw new Error(`${o.data}: no media files (mp4, mpg, mkv, mov, webm, avi) in this folder`);
  const dir = join(o.out, 'cache');
  log(
    `decoding ${media.length} clips from ${o.data} into ${dir} (${modelData.width}×${modelData.height}, ${modelData.fps} fps, ${modelData.sampleRate} Hz)…`,
  );
  const cfg = {
    ...DATA_DEFAULTS,
    fps: modelData.fps,
    sampleRate: modelData.sampleRate,
    windowFrames: modelData.windowFrames,
    width: modelData.width,
    height: modelData.height,
    crop: o.crop ?? DATA_DEFAULTS.crop,
    valPercent: 0,
  };
  await prepare(o.data, dir, cfg);
  return { cache: new ClipCache(dir), split: o.split ?? 'all' };
}

export async function evaluate(o: EvalOptions): Promise<{ report: string; table: string; results: Record<string, Record<string, Scores>> }> {
  const log = o.log ?? (() => {});
  if (o.checkpoints.length === 0) throw new Error('eval: no checkpoints given (--models name=<ckpt>,…)');
  const models = o.checkpoints.map((ck) => ({ ...ck, model: avditFromCheckpoint(loadCheckpoint(ck.dir), ck.dir) }));
  for (const m of models) checkCodecsMatch(m.model.checkpoint, m.dir, { video: o.videoCodec, audio: o.audioCodec });
  const d = models[0].model.checkpoint.latents.data;
  for (const m of models.slice(1)) {
    const e = m.model.checkpoint.latents.data;
    if (
      JSON.stringify([e.fps, e.sampleRate, e.windowFrames, e.width, e.height]) !==
      JSON.stringify([d.fps, d.sampleRate, d.windowFrames, d.width, d.height])
    )
      throw new Error(
        `${m.dir}: works on other windows (${e.width}×${e.height}, ${e.fps} fps, ${e.windowFrames} frames) than ${models[0].dir}; evaluate them separately`,
      );
  }
  const data = await resolveData(o, d, log);
  const dc = data.cache.config;
  /** boxes of the frame that also get an influence of their own (`data prepare --regions`) */
  const regions = dc.regions ?? {};
  /** where the video influence is measured: the whole frame ('video'), then each region ('video-mouth', …) */
  const frameBoxes: [string, readonly number[]][] = [
    ['video', [0, 0, 1, 1]],
    ...Object.entries(regions).map(([name, box]) => [`video-${name}`, box] as [string, readonly number[]]),
  ];
  if (dc.width !== d.width || dc.height !== d.height || dc.fps !== d.fps || dc.sampleRate !== d.sampleRate) {
    throw new Error(
      `${data.cache.dir}: holds ${dc.width}×${dc.height} at ${dc.fps} fps / ${dc.sampleRate} Hz, the model needs ${d.width}×${d.height} at ${d.fps} fps / ${d.sampleRate} Hz`,
    );
  }
  const codecs = loadCodecs(o.videoCodec, o.audioCodec);
  const faceNet = o.face ? await loadFaceNet() : undefined;
  // the real windows' faces (with descriptors) once for every task
  let realFaces: Promise<FaceFrame[][]> | null = null;
  const face = faceNet && {
    net: faceNet,
    real: () => (realFaces ??= Promise.all(wins.map((w) => faceNet.frames(w.real.video, T, d.height, d.width, { descriptors: true })))),
  };
  const T = d.windowFrames;
  const La = codecs.audio.latentFrames(Math.round((T / d.fps) * d.sampleRate));
  const seg = models[0].model.checkpoint.latents.segmentLayout;
  const tasks = o.tasks ?? [...EVAL_TASKS];
  const seeds = o.seeds ?? [0];
  const steps = o.steps ?? 25,
    guidance = o.guidance ?? 0;
  const S = seg.numSegments;
  const masks = Object.fromEntries(tasks.map((t) => [t, parseCondition(t, S)]));

  // the windows: one per clip (the one starting at windowStart), from the chosen split
  const all: CacheWindow[] = data.cache.windows(data.split === 'all' ? undefined : data.split);
  let picked = all.filter((w) => o.windowStart === undefined || w.start === o.windowStart);
  if (o.skipWindows) picked = picked.slice(o.skipWindows);
  if (o.maxWindows) picked = picked.slice(0, o.maxWindows);
  const where = `${data.cache.dir} (${data.split}${o.windowStart !== undefined ? `, windows starting at frame ${o.windowStart}` : ''})`;
  if (data.cache.clips().length === 0) throw new Error(`${data.cache.dir}: no usable clips`);
  if (picked.length < 2)
    throw new Error(
      `${where}: ${picked.length} window${picked.length === 1 ? '' : 's'} to evaluate; need at least 2 (try --split all or --window-start all)`,
    );
  const wins = picked.map((w) => ({ file: w.clip.file, start: w.start, real: data.cache.loadWindow(w), words: loadAlign(o.align, w.clip.file) }));
  const B = wins.length;
  log(`${B} windows from ${where}`);

  // the given latents: the real windows through the codecs
  const fsz = d.width * d.height * 3;
  const realVideo = new Float32Array(B * T * fsz);
  wins.forEach((w, b) => realVideo.set(w.real.video, b * T * fsz));
  const aLen = La * codecs.audio.config.hopSamples;
  const realAudio = new Float32Array(B * aLen);
  wins.forEach((w, b) => realAudio.set(w.real.audio.subarray(0, aLen), b * aLen));
  const given = { video: await codecs.video.encode(realVideo, B, T), audio: await codecs.audio.encode(realAudio, B, d.sampleRate) };
  const nV = given.video.length / B,
    nA = given.audio.length / B;
  /** the given latents with window b's condition (of `o.influenceOf`, or both) taken from window perm[b] */
  const swapsVideo = o.influenceOf !== 'audio',
    swapsAudio = o.influenceOf !== 'video';
  const permuted = (perm: number[]) => {
    const v = given.video.slice(),
      a = given.audio.slice();
    perm.forEach((src, b) => {
      if (swapsVideo) v.set(given.video.subarray(src * nV, (src + 1) * nV), b * nV);
      if (swapsAudio) a.set(given.audio.subarray(src * nA, (src + 1) * nA), b * nA);
    });
    return { video: v, audio: a };
  };
  /** the real clips whose given cells an influence run shows: window b's, with the swapped modality from perm[b] */
  const sourcesOf = (perm: number[]) =>
    perm.map((src, b) => ({
      ...wins[b].real,
      video: (swapsVideo ? wins[src] : wins[b]).real.video,
      audio: (swapsAudio ? wins[src] : wins[b]).real.audio,
    }));
  const shift = Array.from({ length: B }, (_, b) => (b + 1) % B);

  const resultsDir = join(o.out, o.audioEmbedder && o.audioEmbedder !== LOGMEL40 ? `results-${o.audioEmbedder.name}` : 'results');
  mkdirSync(resultsDir, { recursive: true });
  const gi = o.guidanceInterval;
  const eta = o.eta ?? 0,
    temperature = o.temperature ?? 1;
  // (the interval, η and the temperature join the fingerprint only when set: earlier results stay valid)
  const fingerprint = {
    windows: wins.map((w) => `${w.file}@${w.start}`),
    steps,
    guidance,
    ...(gi ? { guidanceInterval: gi } : {}),
    ...(eta > 0 ? { eta } : {}),
    ...(temperature !== 1 ? { temperature } : {}),
    ...(o.activity ? { activity: { dir: o.activity.dir, strength: o.activity.strength } } : {}),
    face: !!faceNet,
  };
  async function decodeAll(
    lat: { video: Float32Array; audio: Float32Array },
    mask: ConditionMask | null,
    sources = wins.map((w) => w.real),
  ): Promise<AVClip[]> {
    const clips = await decodeClips(codecs, lat, B, d, o.griffinLimIters ?? 16);
    if (mask) clips.forEach((clip, b) => restoreGivenCells(clip, sources[b], seg, mask));
    return clips;
  }
  /** a cached JSON result, valid only for the same windows and sampler settings */
  function cached<T>(file: string): T | null {
    if (!existsSync(file)) return null;
    const j = readJsonFile<{ fingerprint?: unknown; value: T }>(file, 'eval result');
    return JSON.stringify(j.fingerprint) === JSON.stringify(fingerprint) ? j.value : null;
  }
  const save = (file: string, value: unknown, extra: object = {}) => writeFileAtomic(file, JSON.stringify({ fingerprint, ...extra, value }, null, 1));
  const scorers = new Map<string, Scorer>();
  const scorer = async (t: string) => {
    if (!scorers.has(t)) scorers.set(t, await taskScorer(wins, masks[t], seg, o.audioEmbedder, face));
    return scorers.get(t)!;
  };

  const results: Record<string, Record<string, Scores>> = {};
  const t0 = Date.now();
  // reference rows
  {
    const file = join(resultsDir, 'references.json');
    let refs = cached<Record<string, Record<string, TaskScores>>>(file);
    if (!refs) {
      log('scoring the references: real clips and codec reconstructions…');
      const recon = await decodeAll(given, null);
      refs = { 'codec reconstruction': {}, 'real clips': {} };
      for (const t of tasks) {
        const withGiven = recon.map((c, b) => {
          const x = { ...c, video: c.video.slice(), audio: c.audio.slice() };
          restoreGivenCells(x, wins[b].real, seg, masks[t]);
          return x;
        });
        refs['codec reconstruction'][t] = await (await scorer(t))(withGiven);
        refs['real clips'][t] = await (
          await scorer(t)
        )(
          wins.map((x) => x.real),
          { frechet: false },
        ); // real vs itself is 0 by construction
      }
      save(file, refs);
    }
    for (const [row, byTask] of Object.entries(refs))
      results[row] = Object.fromEntries(Object.entries(byTask).map(([t, s]) => [t, combineSeeds([s])]));
    if (tasks.includes('a2v')) {
      // what no lip sync scores: real frames against another window's audio
      const syncRange = taskPlan(masks.a2v, seg, d.sampleRate).syncRange;
      results['real clips'].a2v[METRICS.syncShuffled] = meanInterval(
        wins.map((w, b) => syncCorr({ ...w.real, audio: wins[shift[b]].real.audio }, syncRange)),
      );
    }
  }
  const conditional = (t: string) => masks[t].some((r) => r.some(Boolean)) && masks[t].some((r) => r.some((g) => !g));
  const withInfluence = o.influence !== false;
  if (withInfluence && o.influenceOf)
    for (const t of tasks.filter(conditional))
      if (!masks[t][MODALITIES.indexOf(o.influenceOf)].some(Boolean))
        throw new Error(
          `eval: influenceOf ${o.influenceOf}, but task "${t}" gives no ${o.influenceOf} cell to swap (leave it out, or measure its influence separately)`,
        );
  const nInf = o.influenceSeeds ?? seeds.length;
  if (!(Number.isInteger(nInf) && nInf >= 1 && nInf <= seeds.length))
    throw new Error(`eval: influenceSeeds ${nInf} must be a whole number from 1 to the number of seeds (${seeds.length})`);
  const infSeeds = seeds.slice(0, nInf);
  const jobs = models.length * tasks.reduce((n, t) => n + seeds.length + (withInfluence && conditional(t) ? 2 * nInf : 0), 0);
  let done = 0;
  const progress = (what: string, s?: Record<string, number>) => {
    done++;
    const el = (Date.now() - t0) / 1000;
    log(
      `[${done}/${jobs}] ${what}${
        s
          ? ': ' +
            Object.entries(s)
              .map(([k, v]) => `${k} ${v.toFixed(3)}`)
              .join('  ')
          : ''
      }  (${el.toFixed(0)} s, ETA ${((el / done) * (jobs - done)).toFixed(0)} s)`,
    );
  };
  for (const ck of models) {
    const model = ck.model;
    const method = model.checkpoint.strategy === 'vanilla' ? 'replacement' : 'monl';
    results[ck.name] = {};
    for (const t of tasks) {
      const guided = o.activity && activityApplies(masks[t]);
      const run = async (seed: number, cond: { video: Float32Array; audio: Float32Array }, sources?: AVClip[]) => {
        // activity guidance reads the video this run is given (another window's, in the influence run)
        const editX0 = guided
          ? ((await activityGuidanceFor(o.activity!.net, o.activity!.strength, model, masks[t], cond.video, B)) ?? undefined)
          : undefined;
        return decodeAll(
          await generate(model, {
            mask: masks[t],
            given: cond,
            samples: B,
            steps,
            guidance,
            guidanceInterval: gi,
            eta,
            temperature,
            seed,
            method,
            editX0,
          }),
          masks[t],
          sources,
        );
      };
      const perSeed: TaskScores[] = [];
      const gens = new Map<number, AVClip[]>(); // kept for the influence runs
      for (const seed of seeds) {
        const file = join(resultsDir, `${ck.name}__${t}__seed${seed}.json`);
        let s = cached<TaskScores>(file);
        if (!s) {
          const ts = Date.now();
          const gen = await run(seed, given);
          if (withInfluence && infSeeds.includes(seed)) gens.set(seed, gen);
          s = await (await scorer(t))(gen);
          save(file, s, { checkpoint: { name: ck.name, dir: ck.dir }, task: t, seed, method, seconds: (Date.now() - ts) / 1000 });
        }
        perSeed.push(s);
        progress(`${ck.name} ${t} seed ${seed}`, flatten(s));
      }
      results[ck.name][t] = combineSeeds(perSeed);
      if (withInfluence && conditional(t)) {
        type Pair = { dCond: number[]; dSeed: number[] };
        const parts: Record<string, Pair | number[]>[] = [];
        for (const [i, seed] of infSeeds.entries()) {
          // the first seed's file keeps its earlier name, so that earlier runs stay valid
          const file = join(
            resultsDir,
            `${ck.name}__${t}__influence${o.influenceOf ? `-of-${o.influenceOf}` : ''}${i === 0 ? '' : `-seed${seed}`}.json`,
          );
          let inf = cached<Record<string, Pair | number[]>>(file);
          if (!inf) {
            const first = gens.get(seed) ?? (await run(seed, given));
            // same seed, another window's condition (its given cells restored from that window too)
            const other = await run(seed, permuted(shift), sourcesOf(shift));
            progress(`${ck.name} ${t} seed ${seed} with other windows' conditions`);
            const again = await run(seed + 1000, given);
            progress(`${ck.name} ${t} seed ${seed} against seed ${seed + 1000}`);
            const p = taskPlan(masks[t], seg, d.sampleRate);
            inf = {};
            // the whole frame, then each named box of it (the cache's regions, e.g. GRID's mouth: does the condition move the lips?)
            if (p.genFrames.length)
              for (const [key, box] of frameBoxes)
                inf[key] = {
                  dCond: first.map((c, b) => boxDistance(c.video, other[b].video, p.genFrames, d.width, d.height, box)),
                  dSeed: first.map((c, b) => boxDistance(c.video, again[b].video, p.genFrames, d.width, d.height, box)),
                };
            if (p.genAudio.length)
              inf.audio = {
                dCond: first.map((c, b) => audioDistance(c.audio, other[b].audio, d.sampleRate, p.genAudio)),
                dSeed: first.map((c, b) => audioDistance(c.audio, again[b].audio, d.sampleRate, p.genAudio)),
              };
            // video from another window's audio, scored against the true audio: no better than chance if the model uses its audio
            if (swapsAudio && masks[t][1].every(Boolean) && p.genFrames.length)
              inf.syncShuffled = other.map((c, b) => syncCorr({ ...wins[b].real, video: c.video }, p.syncRange));
            save(file, inf, { checkpoint: { name: ck.name, dir: ck.dir }, task: t, seed });
          } else done += 2;
          parts.push(inf);
        }
        // per window, the mean over the seeds; the interval is over windows
        const perWindow = (pick: (inf: Record<string, Pair | number[]>) => number[] | undefined): number[] | undefined => {
          const lists = parts.map(pick);
          if (lists.some((l) => !l)) return undefined;
          return lists[0]!.map((_, b) => lists.reduce((a, l) => a + l![b], 0) / lists.length);
        };
        for (const [key, metric] of [...frameBoxes.map(([key]) => [key, METRICS.infV + key.slice('video'.length)]), ['audio', METRICS.infA]]) {
          const dCond = perWindow((inf) => (inf[key] as Pair | undefined)?.dCond),
            dSeed = perWindow((inf) => (inf[key] as Pair | undefined)?.dSeed);
          if (dCond && dSeed) results[ck.name][t][metric] = influence(dCond, dSeed).ratio;
        }
        const shuffled = perWindow((inf) => (Array.isArray(inf.syncShuffled) ? inf.syncShuffled : undefined));
        if (shuffled) results[ck.name][t][METRICS.syncShuffled] = meanInterval(shuffled);
      }
    }
  }
  const meta = {
    data: data.latents ?? data.cache.dir,
    split: data.split,
    windows: B,
    windowStart: o.windowStart ?? null,
    seeds,
    ...(withInfluence ? { influenceSeeds: infSeeds, ...(o.influenceOf ? { influenceOf: o.influenceOf } : {}) } : {}),
    steps,
    guidance,
    ...(gi ? { guidanceInterval: gi } : {}),
    sampler: `DDIM η=${eta}${temperature !== 1 ? ` (starting-noise temperature ${temperature})` : ''}`,
    griffinLimIters: o.griffinLimIters ?? 16,
    tasks,
    checkpoints: o.checkpoints,
    interval: '95% bootstrap over windows',
  };
  const table = markdownTable(
    results,
    tasks,
    meta,
    o.checkpoints.map((c) => c.name),
  );
  const report = join(o.out, 'report.json');
  writeFileAtomic(report, JSON.stringify({ ...meta, results }, null, 2));
  writeFileAtomic(join(o.out, 'table.md'), table);
  return { report, table, results };
}

const COLUMNS: Record<string, string[]> = {
  joint: [METRICS.fvd, 'FAD', METRICS.sync, METRICS.lipLm, METRICS.found],
  a2v: [METRICS.fvd, METRICS.sync, METRICS.syncShuffled, METRICS.lipLm, METRICS.lmd, METRICS.found, METRICS.infV],
  v2a: ['FAD', METRICS.sync, METRICS.saa, METRICS.saaSpeech, METRICS.saaSilence, METRICS.infA],
  inpaint: [METRICS.fvd, 'FAD', METRICS.id, METRICS.idSim, METRICS.found, METRICS.infV, METRICS.infA],
  continue: [METRICS.fvd, 'FAD', METRICS.id, METRICS.idSim, METRICS.found, METRICS.infV, METRICS.infA],
};
const lowerIsBetter = (metric: string) =>
  metric.startsWith('FVD') || metric.startsWith('FAD') || metric === METRICS.id || metric === METRICS.syncShuffled || metric === METRICS.lmd;
/** columns that describe the model rather than rank it (influence: more is not always better) */
const unranked = (metric: string) =>
  metric.startsWith('influence') ||
  metric === METRICS.syncShuffled ||
  metric === METRICS.found ||
  metric === METRICS.saaSpeech ||
  metric === METRICS.saaSilence;

/**
 * Rows = strategies, columns = tasks × metrics, each cell "value [lo, hi]"; the best model in a column is
 * bold only when its interval does not overlap the runner-up's. Mean rank over the ranked columns.
 */
export function markdownTable(
  results: Record<string, Record<string, Scores>>,
  tasks: string[],
  meta: {
    windows: number;
    seeds: number[];
    influenceSeeds?: number[];
    influenceOf?: Modality;
    steps: number;
    guidance: number;
    guidanceInterval?: readonly [number, number];
    sampler?: string;
    griffinLimIters: number;
    data?: string;
    split?: string;
  },
  models: string[],
): string {
  // 'FAD' stands for whichever audio network was used (FAD-logmel40, FAD-vggish)
  const fad =
    Object.values(results)
      .flatMap((r) => Object.values(r).flatMap((t) => Object.keys(t)))
      .find((k) => k.startsWith('FAD-')) ?? 'FAD-logmel40';
  const present = (t: string, mtr: string) => Object.values(results).some((r) => r[t]?.[mtr] !== undefined);
  // a task's own columns, then the influence in each box of the frame (influence-video-mouth, …) where measured
  const boxes = (t: string) => [
    ...new Set(Object.values(results).flatMap((r) => Object.keys(r[t] ?? {}).filter((k) => k.startsWith(`${METRICS.infV}-`)))),
  ];
  const cols = tasks
    .flatMap((t) =>
      (COLUMNS[t] ? [...COLUMNS[t], ...boxes(t)] : Object.keys(results[models[0]]?.[t] ?? {})).map((mtr) => [t, mtr === 'FAD' ? fad : mtr] as const),
    )
    .filter(([t, mtr]) => present(t, mtr));
  const bold = new Map<string, string>();
  const ranks = new Map<string, number[]>(models.map((mm) => [mm, []]));
  for (const [t, mtr] of cols) {
    if (unranked(mtr)) continue;
    const have = models.filter((mm) => results[mm]?.[t]?.[mtr] !== undefined);
    if (!have.length) continue;
    const sign = lowerIsBetter(mtr) ? 1 : -1;
    const order = [...have].sort((a, b) => sign * (results[a][t][mtr].value - results[b][t][mtr].value));
    order.forEach((mm, r) => ranks.get(mm)!.push(r + 1));
    if (order.length > 1 && separated(results[order[0]][t][mtr], results[order[1]][t][mtr])) bold.set(`${t}/${mtr}`, order[0]);
  }
  const fmt = (v: Interval | undefined, key: string, row: string) => {
    if (!v) return '–';
    const s = `${v.value.toFixed(3)} [${v.lo.toFixed(3)}, ${v.hi.toFixed(3)}]`;
    return bold.get(key) === row ? `**${s}**` : s;
  };
  const head = `| strategy | ${cols.map(([t, mtr]) => `${t} ${mtr}`).join(' | ')} | mean rank |`;
  const sep = `|---|${cols.map(() => '---:').join('|')}|---:|`;
  const rows = [...['real clips', 'codec reconstruction'].filter((r) => results[r]), ...models].map((r) => {
    const rk = ranks.get(r);
    return `| ${r} | ${cols.map(([t, mtr]) => fmt(results[r]?.[t]?.[mtr], `${t}/${mtr}`, r)).join(' | ')} | ${models.length > 1 && models.includes(r) && rk?.length ? (rk.reduce((a, b) => a + b, 0) / rk.length).toFixed(2) : ''} |`;
  });
  return [
    `${meta.windows} windows${meta.data ? ` of ${meta.data} (${meta.split})` : ''} × seeds ${meta.seeds.join(', ')}; ${meta.sampler ?? 'DDIM'} ${meta.steps} steps, guidance ${meta.guidance}${meta.guidanceInterval ? ` for t in [${meta.guidanceInterval.join(', ')}]` : ''}; audio decoded with ${meta.griffinLimIters} Griffin–Lim iterations; conditioning segments excluded.`,
    `Each cell: value [95% bootstrap interval over windows]. Lower is better for ${METRICS.fvd}, ${fad}, ${METRICS.id}; higher for ${METRICS.sync}, ${METRICS.saa} (${METRICS.saaSpeech} / ${METRICS.saaSilence}: its agreement on the frames where a word is spoken / none is; not ranked). Bold: best model in the column, only where its interval does not overlap the runner-up's. Mean rank: over the ranked columns, among the models.`,
    `Face network (where shown; face-api tiny detector + 68 landmarks + descriptor on frames upscaled to 256 px): ${METRICS.lipLm} (lip sync from landmark mouth opening, higher better), ${METRICS.lmd} (mouth landmark distance to the real frames ÷ face width, lower better), ${METRICS.idSim} (descriptor cosine similarity to the given frames, higher better), ${METRICS.found} (share of generated frames with a face; windows without one are left out).`,
    `influence-* (-mouth, …: inside that box of the frame only): mean output distance when the condition${meta.influenceOf ? ` (its ${meta.influenceOf} only)` : ''} is another window's ÷ when the seed changes (same windows; ≥ 1: the condition matters more than the seed; ≈ 0: ignored${meta.influenceSeeds ? `; seed pairs ${meta.influenceSeeds.map((s) => `${s}/${s + 1000}`).join(', ')}, per window the mean over them` : ''}). ${METRICS.syncShuffled}: SyncCorr of video generated from another window's audio (a2v, and any task that gives all the audio), against the true audio (a model that uses its audio scores lower here than in SyncCorr).`,
    '',
    head,
    sep,
    ...rows,
    '',
  ].join('\n');
}
