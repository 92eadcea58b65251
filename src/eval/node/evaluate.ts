/**
 * `avdit eval`: checkpoints × tasks × seeds on the validation windows of a latent cache, scored with the
 * offline metrics of av-metrics.ts against the real windows, conditioning segments excluded. Writes one
 * JSON per (checkpoint, task, seed) as it goes (a rerun skips what is done: resumable), then
 * report.json and a Markdown table laid out like the paper's Table 1, with two reference rows: the
 * real clips (alignment / consistency scores of real data) and the codec reconstruction (the
 * "ground truth" of a latent model: the best any generator here can do).
 *
 * A checkpoint trained with the vanilla strategy is sampled with the replacement method on
 * conditional tasks (the paper's baseline); every other strategy with MoNL conditioning.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/node/atomic.js';
import { ClipCache } from '../../data/node/cache.js';
import { openLatentCache, loadCodecs, fileSha256 } from '../../codecs/node/latents.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { avditFromCheckpoint } from '../../model/load.js';
import type { AVClip } from '../../media/clip.js';
import { parseCondition, type ConditionMask } from '../../monl/tasks.js';
import { linearSchedule } from '../../diffusion/schedule.js';
import { generate } from '../../pipeline/generate.js';
import { decodeClips, restoreGivenCells } from '../../pipeline/clip-generate.js';
import { gaussianStats, frechetDistance } from '../frechet.js';
import { activityFromAlign, activityFromAudio, audioEmbedding, identityDistance, syncCorr, videoEmbedding, AUDIO_EMBEDDING, VIDEO_EMBEDDING, type AlignedWord } from '../av-metrics.js';
import { loadAlign } from './metric-check.js';
import type { Vggish } from '../vggish.js';

export const EVAL_TASKS = ['joint', 'a2v', 'v2a', 'inpaint', 'continue'] as const;

export interface EvalOptions {
  latents: string;
  /** the clip cache the latent cache was encoded from (default: the one its manifest names) */
  cache?: string;
  /** folder of GRID .align files, for speech-activity agreement */
  align?: string;
  checkpoints: { name: string; dir: string }[];
  videoCodec: string;
  audioCodec: string;
  tasks?: string[];
  seeds?: number[];
  steps?: number;
  guidance?: number;
  /** which window of each validation clip (start frame); windows with another start are skipped */
  windowStart?: number;
  /** Griffin–Lim iterations when decoding audio (default 16; the codec's own is 48): the host-side
   * phase reconstruction dominates eval time */
  griffinLimIters?: number;
  /** at most this many windows (default all) */
  maxWindows?: number;
  out: string;
  /** the audio network for the Fréchet distance (default logmel40) */
  audioEmbedder?: AudioEmbedder;
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

export interface TaskScores {
  [metric: string]: number;
}

interface Window {
  index: number;
  file: string;
  start: number;
  real: AVClip;
  words: AlignedWord[] | null;
}

const METRICS = {
  fvd: `FVD-${VIDEO_EMBEDDING.name}`,
  sync: 'SyncCorr',
  saa: 'SAA',
  id: 'ID-dist',
} as const;

/** Which frames / samples a task generates, from its mask and the segment layout. */
function taskPlan(mask: ConditionMask, seg: { frames: [number, number][]; bounds: [number, number][] }, sampleRate: number) {
  const frames = (given: boolean) => seg.frames.flatMap(([a, b], s) => (mask[0][s] === given ? Array.from({ length: b - a + 1 }, (_, k) => a + k) : []));
  const genAudio = seg.bounds.flatMap(([a, b], s) => (mask[1][s] ? [] : [[Math.round(a * sampleRate), Math.round(b * sampleRate)] as [number, number]]));
  const anyGen = seg.frames.flatMap(([a, b], s) => (!mask[0][s] || !mask[1][s] ? [a, b] : []));
  const audioFrames = seg.frames.flatMap(([a, b], s) => (mask[1][s] ? [] : Array.from({ length: b - a + 1 }, (_, k) => a + k)));
  return { genFrames: frames(false), givenFrames: frames(true), genAudio, audioFrames, syncRange: { from: Math.min(...anyGen), to: Math.max(...anyGen) + 1 } };
}

type RealWindow = { real: AVClip; start: number; words: AlignedWord[] | null };
type Scorer = (gen: AVClip[], o?: { frechet?: boolean }) => Promise<TaskScores>;

/**
 * A scorer for one task: the real windows' feature statistics and speech activity are computed once
 * here, then every set of generated windows is scored against them.
 */
export async function taskScorer(wins: RealWindow[], mask: ConditionMask, seg: { frames: [number, number][]; bounds: [number, number][] }, audioEmbedder: AudioEmbedder = LOGMEL40): Promise<Scorer> {
  const { sampleRate: sr, fps, numFrames: T } = wins[0].real;
  const p = taskPlan(mask, seg, sr);
  const videoStats = (clips: AVClip[]) => gaussianStats(concatRows(clips.map((c) => videoEmbedding(c, p.genFrames))), VIDEO_EMBEDDING.dim);
  const audioStats = async (clips: AVClip[]) => gaussianStats(concatRows(await Promise.all(clips.map((c) => audioEmbedder.rows(c.audio, sr, p.genAudio)))), audioEmbedder.dim);
  const reals = wins.map((w) => w.real);
  const realVideo = p.genFrames.length ? videoStats(reals) : null;
  const realAudio = p.genAudio.length ? await audioStats(reals) : null;
  const spoken = p.audioFrames.length && wins.every((w) => w.words) ? wins.map((w) => activityFromAlign(w.words!, fps, w.start, T)) : null;
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  return async (gen, o = {}) => {
    const out: TaskScores = {};
    if (o.frechet !== false) {
      if (realVideo) out[METRICS.fvd] = frechetDistance(videoStats(gen), realVideo);
      if (realAudio) out[`FAD-${audioEmbedder.name}`] = frechetDistance(await audioStats(gen), realAudio);
    }
    out[METRICS.sync] = mean(gen.map((c) => syncCorr(c, p.syncRange)));
    if (spoken) {
      out[METRICS.saa] = mean(gen.map((c, i) => {
        const pred = activityFromAudio(c.audio, sr, fps, T);
        return mean(p.audioFrames.map((t) => (pred[t] === spoken[i][t] ? 1 : 0)));
      }));
    }
    if (p.genFrames.length && p.givenFrames.length) out[METRICS.id] = mean(gen.map((c) => identityDistance(c, p.givenFrames, p.genFrames)));
    return out;
  };
}

/** Scores generated windows against the real ones for one task (a one-off taskScorer). */
export async function scoreTask(gen: AVClip[], wins: RealWindow[], mask: ConditionMask, seg: { frames: [number, number][]; bounds: [number, number][] }, audioEmbedder: AudioEmbedder = LOGMEL40): Promise<TaskScores> {
  return (await taskScorer(wins, mask, seg, audioEmbedder))(gen);
}

export async function evaluate(o: EvalOptions): Promise<{ report: string; table: string; results: Record<string, Record<string, TaskScores>> }> {
  const log = o.log ?? (() => {});
  const lc = openLatentCache(o.latents);
  const m = lc.manifest;
  const cache = new ClipCache(o.cache ?? m.source);
  const codecs = loadCodecs(o.videoCodec, o.audioCodec);
  for (const [what, dir] of [['video', o.videoCodec], ['audio', o.audioCodec]] as const) {
    if (fileSha256(join(dir, 'model.safetensors')) !== m.codecs[what].sha256) throw new Error(`${dir}: this ${what} codec is not the one ${o.latents} was encoded with (sha256 differs from latents.json)`);
  }
  const tasks = o.tasks ?? [...EVAL_TASKS];
  const seeds = o.seeds ?? [0];
  const steps = o.steps ?? 25, guidance = o.guidance ?? 0;
  const S = m.layout.numSegments;
  const masks = Object.fromEntries(tasks.map((t) => [t, parseCondition(t, S)]));
  // the windows: one per validation clip (the one starting at windowStart)
  const clipsByFile = new Map(cache.clips().map((c) => [c.file, c]));
  let wins: Window[] = m.windows.val.flatMap((w, index) => (o.windowStart === undefined || w.start === o.windowStart ? [{ index, ...w }] : []))
    .map((w) => {
      const entry = clipsByFile.get(w.file);
      if (!entry) throw new Error(`${o.latents}: window of ${w.file} has no clip in ${cache.dir}`);
      return { ...w, real: cache.loadWindow({ clip: entry, start: w.start }), words: loadAlign(o.align, w.file) };
    });
  if (o.maxWindows) wins = wins.slice(0, o.maxWindows);
  if (wins.length < 2) throw new Error(`${o.latents}: only ${wins.length} validation windows${o.windowStart !== undefined ? ` start at frame ${o.windowStart}` : ''}; need at least 2`);
  const B = wins.length;
  const [L, h, w, C] = m.videoShape, [La, Ca] = m.audioShape;
  const nV = L * h * w * C, nA = La * Ca;
  const pick = (name: string, n: number) => {
    const src = lc.tensors[name].data, out = new Float32Array(B * n);
    wins.forEach((win, b) => out.set(src.subarray(win.index * n, (win.index + 1) * n), b * n));
    return out;
  };
  const given = { video: pick('val.video', nV), audio: pick('val.audio', nA) };
  const resultsDir = join(o.out, o.audioEmbedder && o.audioEmbedder !== LOGMEL40 ? `results-${o.audioEmbedder.name}` : 'results');
  mkdirSync(resultsDir, { recursive: true });
  async function decodeAll(lat: { video: Float32Array; audio: Float32Array }, mask: ConditionMask | null): Promise<AVClip[]> {
    const clips = await decodeClips(codecs, lat, B, m.data, o.griffinLimIters ?? 16);
    if (mask) clips.forEach((clip, b) => restoreGivenCells(clip, wins[b].real, m.layout, mask));
    return clips;
  }
  const scorers = new Map<string, Scorer>();
  const scorer = async (t: string) => {
    if (!scorers.has(t)) scorers.set(t, await taskScorer(wins, masks[t], m.layout, o.audioEmbedder));
    return scorers.get(t)!;
  };

  const results: Record<string, Record<string, TaskScores>> = {};
  const t0 = Date.now();
  // reference rows
  {
    const file = join(resultsDir, 'references.json');
    if (existsSync(file)) Object.assign(results, JSON.parse(readFileSync(file, 'utf8')));
    else {
      log('scoring the references: real clips and codec reconstructions…');
      const recon = await decodeAll(given, null);
      results['codec reconstruction'] = {};
      results['real clips'] = {};
      for (const t of tasks) {
        const withGiven = recon.map((c, b) => {
          const x = { ...c, video: c.video.slice(), audio: c.audio.slice() };
          restoreGivenCells(x, wins[b].real, m.layout, masks[t]);
          return x;
        });
        results['codec reconstruction'][t] = await (await scorer(t))(withGiven);
        results['real clips'][t] = await (await scorer(t))(wins.map((x) => x.real), { frechet: false }); // real vs itself is 0 by construction
      }
      writeFileAtomic(file, JSON.stringify({ 'codec reconstruction': results['codec reconstruction'], 'real clips': results['real clips'] }, null, 2));
    }
  }
  const total = o.checkpoints.length * tasks.length * seeds.length;
  let done = 0;
  for (const ck of o.checkpoints) {
    const model = avditFromCheckpoint(loadCheckpoint(ck.dir), ck.dir);
    const mc = model.checkpoint.latents.codecs as { video?: { sha256: string }; audio?: { sha256: string } } | undefined;
    if (mc?.video && mc.video.sha256 !== m.codecs.video.sha256) throw new Error(`${ck.dir}: trained on latents of another video codec than ${o.latents}`);
    const method = model.checkpoint.strategy === 'vanilla' ? 'replacement' : 'monl';
    results[ck.name] = {};
    for (const t of tasks) {
      const perSeed: TaskScores[] = [];
      for (const seed of seeds) {
        const file = join(resultsDir, `${ck.name}__${t}__seed${seed}.json`);
        let s: TaskScores;
        if (existsSync(file)) s = JSON.parse(readFileSync(file, 'utf8')).scores;
        else {
          const ts = Date.now();
          const lat = await generate(model, linearSchedule(), { mask: masks[t], given, samples: B, steps, guidance, seed, method });
          s = await (await scorer(t))(await decodeAll(lat, masks[t]));
          writeFileAtomic(file, JSON.stringify({ checkpoint: ck, task: t, seed, steps, guidance, method, windows: B, scores: s, seconds: (Date.now() - ts) / 1000 }, null, 2));
        }
        perSeed.push(s);
        done++;
        const el = (Date.now() - t0) / 1000;
        log(`[${done}/${total}] ${ck.name} ${t} seed ${seed}: ${Object.entries(s).map(([k, v]) => `${k} ${v.toFixed(3)}`).join('  ')}  (${el.toFixed(0)} s, ETA ${((el / done) * (total - done)).toFixed(0)} s)`);
      }
      results[ck.name][t] = Object.fromEntries(Object.keys(perSeed[0]).map((k) => [k, perSeed.reduce((a, x) => a + x[k], 0) / perSeed.length]));
    }
  }
  const meta = { windows: B, windowStart: o.windowStart ?? null, seeds, steps, guidance, sampler: 'DDIM η=0', griffinLimIters: o.griffinLimIters ?? 16, tasks, checkpoints: o.checkpoints };
  const table = markdownTable(results, tasks, meta, o.checkpoints.map((c) => c.name));
  const report = join(o.out, 'report.json');
  writeFileAtomic(report, JSON.stringify({ ...meta, results }, null, 2));
  writeFileAtomic(join(o.out, 'table.md'), table);
  return { report, table, results };
}

const COLUMNS: Record<string, string[]> = {
  joint: [METRICS.fvd, 'FAD', METRICS.sync],
  a2v: [METRICS.fvd, METRICS.sync],
  v2a: ['FAD', METRICS.sync, METRICS.saa],
  inpaint: [METRICS.fvd, 'FAD', METRICS.id],
  continue: [METRICS.fvd, 'FAD', METRICS.id],
};
const lowerIsBetter = (metric: string) => metric.startsWith('FVD') || metric.startsWith('FAD') || metric === METRICS.id;

/** Rows = strategies, columns = tasks × metrics; best model per column in bold; mean rank over all model columns. */
export function markdownTable(results: Record<string, Record<string, TaskScores>>, tasks: string[], meta: { windows: number; seeds: number[]; steps: number; guidance: number; griffinLimIters: number }, models: string[]): string {
  // 'FAD' stands for whichever audio network was used (FAD-logmel40, FAD-vggish)
  const fad = Object.values(results).flatMap((r) => Object.values(r).flatMap((t) => Object.keys(t))).find((k) => k.startsWith('FAD-')) ?? 'FAD-logmel40';
  const cols = tasks.flatMap((t) => (COLUMNS[t] ?? Object.keys(results[models[0]]?.[t] ?? {})).map((mtr) => [t, mtr === 'FAD' ? fad : mtr] as const));
  const best = new Map<string, number>();
  const ranks = new Map<string, number[]>(models.map((mm) => [mm, []]));
  for (const [t, mtr] of cols) {
    const vals = models.map((mm) => results[mm]?.[t]?.[mtr]).filter((v): v is number => v !== undefined);
    if (!vals.length) continue;
    const sign = lowerIsBetter(mtr) ? 1 : -1;
    best.set(`${t}/${mtr}`, sign > 0 ? Math.min(...vals) : Math.max(...vals));
    const order = [...models].sort((a, b) => sign * ((results[a]?.[t]?.[mtr] ?? Infinity) - (results[b]?.[t]?.[mtr] ?? Infinity)));
    order.forEach((mm, r) => ranks.get(mm)!.push(r + 1));
  }
  const fmt = (v: number | undefined, key: string, isModel: boolean) => (v === undefined ? '–' : isModel && best.get(key) === v ? `**${v.toFixed(3)}**` : v.toFixed(3));
  const head = `| strategy | ${cols.map(([t, mtr]) => `${t} ${mtr}`).join(' | ')} | mean rank |`;
  const sep = `|---|${cols.map(() => '---:').join('|')}|---:|`;
  const rows = [...['real clips', 'codec reconstruction'].filter((r) => results[r]), ...models].map((r) => {
    const isModel = models.includes(r);
    const rk = ranks.get(r);
    return `| ${r} | ${cols.map(([t, mtr]) => fmt(results[r]?.[t]?.[mtr], `${t}/${mtr}`, isModel)).join(' | ')} | ${isModel && rk?.length ? (rk.reduce((a, b) => a + b, 0) / rk.length).toFixed(2) : ''} |`;
  });
  return [
    `${meta.windows} validation windows (one per clip) × seeds ${meta.seeds.join(', ')}; DDIM ${meta.steps} steps, guidance ${meta.guidance}; audio decoded with ${meta.griffinLimIters} Griffin–Lim iterations; conditioning segments excluded.`,
    `Lower is better for ${METRICS.fvd}, ${fad}, ${METRICS.id}; higher for ${METRICS.sync}, ${METRICS.saa}. Bold: best model in the column. Mean rank: over all columns, among the models.`,
    '',
    head,
    sep,
    ...rows,
    '',
  ].join('\n');
}
