/**
 * Validates the alignment metrics on real data: SyncCorr and SAA of each real clip with its own audio
 * (or alignment) vs with every other clip's (shuffled pairs). A metric that cannot tell these apart
 * would say nothing about generated clips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ClipCache } from '../../data/node/cache.js';
import { activityFromAlign, activityFromAudio, agreement, parseAlign, syncCorr, type AlignedWord } from '../av-metrics.js';
import { detectionRate, lipSyncLm, type FaceFrame } from '../face-metrics.js';

export interface Separation {
  real: number;
  shuffled: number;
  /** P(real pair scores above a shuffled pair) */
  auc: number;
  clips: number;
}

function separation(n: number, score: (videoOf: number, audioOf: number) => number): Separation {
  const real: number[] = [],
    shuf: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (i === j ? real : shuf).push(score(i, j));
  let auc = 0;
  for (const r of real) for (const s of shuf) auc += r > s ? 1 : r === s ? 0.5 : 0;
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  return { real: mean(real), shuffled: mean(shuf), auc: auc / (real.length * shuf.length), clips: n };
}

/** The parsed `<name>.align` of a clip file from `alignDir` (or the first of a comma-separated list of
 * folders that has it), or null when there is none. */
export function loadAlign(alignDir: string | undefined, file: string): AlignedWord[] | null {
  if (!alignDir) return null;
  for (const dir of alignDir.split(',')) {
    const p = join(dir, basename(file).replace(/\.[^.]+$/, '.align'));
    if (existsSync(p)) return parseAlign(readFileSync(p, 'utf8'), p);
  }
  return null;
}

export function metricCheck(cacheDir: string, alignDir?: string, split: 'train' | 'val' | 'all' = 'val'): { sync: Separation; saa?: Separation } {
  const cache = new ClipCache(cacheDir);
  const clips = cache.clips(split === 'all' ? undefined : split).map((e) => ({ e, clip: cache.loadClip(e) }));
  if (clips.length < 2) throw new Error(`${cacheDir}: the ${split} split has ${clips.length} clips; need at least 2`);
  const T = Math.min(...clips.map((c) => c.clip.numFrames));
  const cut = (i: number) => clips[i].clip;
  const sync = separation(clips.length, (v, a) => syncCorr({ ...cut(v), numFrames: T, audio: cut(a).audio }));
  const aligned = clips.map((c) => loadAlign(alignDir, c.e.file));
  if (aligned.some((w) => w === null)) return { sync };
  const words = aligned as AlignedWord[][];
  const fps = clips[0].clip.fps;
  const acts = clips.map((c) => activityFromAudio(c.clip.audio, c.clip.sampleRate, fps, T));
  const saa = separation(clips.length, (v, a) => agreement(acts[a], activityFromAlign(words[v], fps, 0, T)));
  return { sync, saa };
}

/** The landmark lip sync (face-metrics.ts) on real clips vs shuffled pairs, and how often a face is found. */
export async function faceCheck(
  cacheDir: string,
  split: 'train' | 'val' | 'all' = 'val',
): Promise<{ lipSync: Separation; detectionRate: number; frames: number; size: number }> {
  const { loadFaceNet } = await import('./face.js');
  const net = await loadFaceNet();
  const cache = new ClipCache(cacheDir);
  const clips = cache.clips(split === 'all' ? undefined : split).map((e) => cache.loadClip(e));
  if (clips.length < 2) throw new Error(`${cacheDir}: ${clips.length} clips in the ${split} split; need at least 2`);
  const T = Math.min(...clips.map((c) => c.numFrames));
  const faces: FaceFrame[][] = [];
  for (const c of clips) faces.push(await net.frames(c.video, T, c.height, c.width));
  const all = faces.flat();
  const lipSync = separation(clips.length, (v, a) => lipSyncLm(faces[v], clips[a].audio, clips[a].sampleRate, clips[a].fps, 0, T));
  return { lipSync, detectionRate: detectionRate(all), frames: all.length, size: clips[0].width };
}
