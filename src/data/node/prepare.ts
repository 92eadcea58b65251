/**
 * `avdit data prepare`: scans a folder of clips, decodes each (ffmpeg) at the dataset's size and rates,
 * cuts windows aligned to the segment grid, and writes shards + manifest. Idempotent and safe to
 * interrupt: a shard is written atomically, then the manifest is rewritten atomically to reference it,
 * so a killed run leaves a consistent cache and the next run picks up after the last complete shard.
 * Broken files are listed with the reason and skipped; damaged ones (decoder concealment) are excluded
 * unless `allowDamaged`.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { decode } from '../../media/node/ffmpeg.js';
import { requireFfmpeg } from '../../media/node/ffmpeg.js';
import { ensureWritableDir, writeFileAtomic } from '../../util/node/atomic.js';
import { readJsonFile } from '../../util/node/json.js';
import { splitOf, validateDataConfig, type DataConfig } from '../config.js';
import { CACHE_VERSION, MANIFEST, shardProblems, type ClipEntry, type Manifest } from './cache.js';

export const MEDIA_EXTENSIONS = ['.mp4', '.mpg', '.mpeg', '.mov', '.mkv', '.webm', '.avi', '.m4v', '.flv', '.ts', '.wmv', '.3gp', '.ogv'];

export interface PrepareOptions {
  clipsPerShard?: number;
  concurrency?: number;
  allowDamaged?: boolean;
  onProgress?: (p: PrepareProgress) => void;
  /** shards found missing or truncated (their clips are decoded again) */
  onRepair?: (problems: string[]) => void;
}

export interface PrepareProgress {
  done: number;
  total: number;
  entry: ClipEntry;
  clipsPerSec: number;
  etaSec: number;
}

export interface PrepareReport {
  manifest: Manifest;
  scanned: number;
  decodedNow: number;
  reused: number;
  problems: ClipEntry[];
}

export function scanMedia(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${folder}: not a folder`);
  const out: string[] = [];
  (function walk(d: string) {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (MEDIA_EXTENSIONS.includes(extname(n).toLowerCase())) out.push(relative(folder, p));
    }
  })(folder);
  return out;
}

const shardName = (k: number) => `shard-${String(k).padStart(5, '0')}.bin`;

/** Same decoded windows: everything but `regions` (which only names boxes of the frame). */
function sameConfig(a: DataConfig, b: DataConfig): boolean {
  const { regions: _a, ...ra } = a;
  const { regions: _b, ...rb } = b;
  return JSON.stringify(ra) === JSON.stringify(rb);
}

/** Window start frames for a clip of `numFrames` frames and `numSamples` samples. */
export function windowStarts(cfg: DataConfig, numFrames: number, numSamples: number): number[] {
  const spf = cfg.sampleRate / cfg.fps;
  const slack = Math.round(0.1 * cfg.sampleRate); // audio may end up to 0.1 s early (it is zero-padded)
  const out: number[] = [];
  for (let f = 0; f + cfg.windowFrames <= numFrames; f += cfg.hopFrames) {
    if ((f + cfg.windowFrames) * spf <= numSamples + slack) out.push(f);
  }
  return out;
}

export async function prepare(folder: string, out: string, config: DataConfig, opts: PrepareOptions = {}): Promise<PrepareReport> {
  const cfg = validateDataConfig(config);
  await requireFfmpeg(); // without it every clip would fail with the same reason
  ensureWritableDir(out);
  for (const n of readdirSync(out)) if (n.includes('.tmp-')) rmSync(join(out, n), { force: true }); // from a killed run
  const manifestPath = join(out, MANIFEST);
  let manifest: Manifest;
  let regionsChanged = false;
  if (existsSync(manifestPath)) {
    manifest = readJsonFile<Manifest>(manifestPath, 'cache manifest');
    if (manifest.version !== CACHE_VERSION || !sameConfig(manifest.config, cfg)) {
      throw new Error(`${out}: this cache was prepared with other settings (${JSON.stringify(manifest.config)}); use a new --out folder`);
    }
    if (cfg.regions && JSON.stringify(cfg.regions) !== JSON.stringify(manifest.config.regions)) {
      manifest.config = { ...manifest.config, regions: cfg.regions }; // new boxes, nothing to decode again
      regionsChanged = true;
    }
  } else {
    manifest = { version: CACHE_VERSION, source: folder, config: cfg, clips: [], shards: [] };
  }
  // clips in missing or truncated shards are decoded again (into new shards)
  const broken = shardProblems(out, manifest);
  if (broken.size > 0) {
    manifest.clips = manifest.clips.filter((c) => !(c.shard && broken.has(c.shard)));
    manifest.shards = manifest.shards.filter((sh) => !broken.has(sh));
    for (const sh of broken.keys()) rmSync(join(out, sh), { force: true });
    opts.onRepair?.([...broken].map(([sh, why]) => `${sh} ${why}`));
  }
  const files = scanMedia(folder);
  const known = new Map(manifest.clips.map((c) => [c.file, c]));
  const todo: { file: string; size: number; mtimeMs: number }[] = [];
  let reused = 0;
  for (const file of files) {
    const st = statSync(join(folder, file));
    const k = known.get(file);
    if (k && k.size === st.size && k.mtimeMs === st.mtimeMs) reused++;
    else todo.push({ file, size: st.size, mtimeMs: st.mtimeMs });
  }

  const perShard = opts.clipsPerShard ?? 32;
  const pending: { entry: ClipEntry; video: Buffer; audio: Buffer }[] = [];
  const failedPending: ClipEntry[] = [];
  const saveManifest = () => writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 1));
  const upsert = (e: ClipEntry) => {
    const i = manifest.clips.findIndex((c) => c.file === e.file);
    if (i >= 0) manifest.clips[i] = e;
    else manifest.clips.push(e);
  };
  const flush = () => {
    if (pending.length > 0) {
      let k = manifest.shards.length;
      while (manifest.shards.includes(shardName(k)) || existsSync(join(out, shardName(k)))) k++;
      const name = shardName(k);
      let offset = 0;
      const chunks: Buffer[] = [];
      for (const p of pending) {
        p.entry.shard = name;
        p.entry.offset = offset;
        chunks.push(p.video, p.audio);
        offset += p.video.length + p.audio.length;
      }
      writeFileAtomic(join(out, name), chunks);
      manifest.shards.push(name);
      for (const p of pending) upsert(p.entry);
    }
    for (const e of failedPending) upsert(e);
    if (pending.length > 0 || failedPending.length > 0) saveManifest();
    pending.length = 0;
    failedPending.length = 0;
  };

  const t0 = Date.now();
  let done = 0;
  const processOne = async (item: { file: string; size: number; mtimeMs: number }) => {
    const entry: ClipEntry = {
      file: item.file,
      size: item.size,
      mtimeMs: item.mtimeMs,
      status: 'ok',
      split: splitOf(basename(item.file), cfg.valPercent),
    };
    let video: Buffer | null = null;
    let audio: Buffer | null = null;
    try {
      const { clip, warnings } = await decode(join(folder, item.file), {
        width: cfg.width,
        height: cfg.height,
        fps: cfg.fps,
        sampleRate: cfg.sampleRate,
        crop: cfg.crop,
      });
      entry.durationSec = clip.durationSec;
      entry.numFrames = clip.numFrames;
      entry.numSamples = clip.audio.length;
      entry.windows = windowStarts(cfg, clip.numFrames, clip.audio.length);
      if (warnings.length > 0) entry.warnings = warnings.slice(0, 5);
      if (warnings.length > 0 && !opts.allowDamaged) {
        entry.status = 'damaged';
        entry.reason = `decoder reported damage and concealed it (${warnings[0]}); excluded (use --allow-damaged to keep it)`;
      } else if (entry.windows.length === 0) {
        entry.status = 'failed';
        entry.reason = `too short: ${clip.durationSec.toFixed(2)} s of video and ${(clip.audio.length / cfg.sampleRate).toFixed(2)} s of audio, a window needs ${(cfg.windowFrames / cfg.fps).toFixed(3)} s`;
      } else {
        video = Buffer.alloc(clip.video.length);
        for (let i = 0; i < video.length; i++) video[i] = Math.round(clip.video[i] * 255);
        audio = Buffer.from(clip.audio.buffer, clip.audio.byteOffset, clip.audio.byteLength);
      }
    } catch (e) {
      entry.status = 'failed';
      entry.reason = (e as Error).message.replace(`${join(folder, item.file)}: `, '');
    }
    return { entry, video, audio };
  };

  // a small pool of concurrent ffmpeg decodes; results are committed in scan order
  const conc = Math.max(1, opts.concurrency ?? 2);
  const results: Promise<Awaited<ReturnType<typeof processOne>>>[] = [];
  let next = 0;
  const launch = () => {
    if (next < todo.length) results.push(processOne(todo[next++]));
  };
  for (let i = 0; i < conc; i++) launch();
  for (let i = 0; i < todo.length; i++) {
    const r = await results[i];
    launch();
    if (r.video && r.audio) pending.push({ entry: r.entry, video: r.video, audio: r.audio });
    else failedPending.push(r.entry);
    done++;
    const rate = done / Math.max(1e-3, (Date.now() - t0) / 1000);
    opts.onProgress?.({ done, total: todo.length, entry: r.entry, clipsPerSec: rate, etaSec: (todo.length - done) / rate });
    if (pending.length >= perShard) flush();
  }
  flush();
  if (!existsSync(manifestPath) || regionsChanged || broken.size > 0) saveManifest();
  const problems = manifest.clips.filter((c) => c.status !== 'ok' && files.includes(c.file));
  return { manifest, scanned: files.length, decodedNow: todo.length, reused, problems };
}
