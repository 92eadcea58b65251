/** `avdit data inspect`: counts, durations and rates of a prepared cache, and a PNG contact sheet. */
import { join } from 'node:path';
import { ClipCache } from './cache.js';
import { clipFrames, tileImages, upscale, frameImage, blankImage, blit } from '../../media/image.js';
import { frameOf } from '../../media/clip.js';
import { writePNG } from '../../media/node/png.js';

export interface InspectSummary {
  dir: string;
  config: ClipCache['config'];
  counts: Record<string, number>;
  windows: { train: number; val: number };
  durationSec: { total: number; min: number; max: number };
  problems: { file: string; status: string; reason?: string }[];
  contactSheet: string;
}

export function inspect(dir: string, sheetPath = join(dir, 'contact-sheet.png'), maxClips = 48): InspectSummary {
  const cache = new ClipCache(dir);
  const m = cache.manifest;
  const counts: Record<string, number> = { total: m.clips.length, ok: 0, failed: 0, damaged: 0, train: 0, val: 0 };
  for (const c of m.clips) {
    counts[c.status]++;
    if (c.status === 'ok') counts[c.split]++;
  }
  const ok = cache.clips();
  const durs = ok.map((c) => c.durationSec ?? 0);
  // sheet: the first frame of up to maxClips clips, then one whole window of the first clip
  const firsts = ok.slice(0, maxClips).map((c) => {
    const clip = cache.loadClip(c);
    return frameImage(frameOf(clip, 0), clip.width, clip.height);
  });
  const grid = tileImages(firsts, 12);
  const parts = [grid];
  const w0 = cache.windows()[0];
  if (w0) parts.push(tileImages(clipFrames(cache.loadWindow(w0)), 17));
  const width = Math.max(...parts.map((p) => p.width));
  const sheet = blankImage(
    width,
    parts.reduce((s, p) => s + p.height, 0),
  );
  let y = 0;
  for (const p of parts) {
    blit(sheet, p, 0, y);
    y += p.height;
  }
  writePNG(sheetPath, sheet.width < 600 ? upscale(sheet, 2) : sheet);
  return {
    dir,
    config: cache.config,
    counts,
    windows: { train: cache.windows('train').length, val: cache.windows('val').length },
    durationSec: { total: durs.reduce((a, b) => a + b, 0), min: Math.min(...durs), max: Math.max(...durs) },
    problems: m.clips.filter((c) => c.status !== 'ok').map((c) => ({ file: c.file, status: c.status, reason: c.reason })),
    contactSheet: sheetPath,
  };
}
