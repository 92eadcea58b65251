/**
 * The prepared-clip cache: shards of decoded clips (video uint8 RGB [T,H,W,3], then audio float32) and
 * a manifest.json with per-clip status, split and window starts. Written by prepare.ts, read here.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { readJsonFile } from '../../util/node/json.js';
import { join } from 'node:path';
import { makeClip, sliceClip, type AVClip } from '../../media/clip.js';
import type { DataConfig } from '../config.js';

export const MANIFEST = 'manifest.json';
export const CACHE_VERSION = 1;

export type ClipStatus = 'ok' | 'failed' | 'damaged';

export interface ClipEntry {
  /** path relative to the scanned folder. */
  file: string;
  size: number;
  mtimeMs: number;
  status: ClipStatus;
  reason?: string;
  split: 'train' | 'val';
  durationSec?: number;
  numFrames?: number;
  numSamples?: number;
  shard?: string;
  offset?: number;
  /** start frame of every window. */
  windows?: number[];
  warnings?: string[];
}

export interface Manifest {
  version: number;
  source: string;
  config: DataConfig;
  clips: ClipEntry[];
  shards: string[];
}

export interface Window {
  clip: ClipEntry;
  start: number;
}

/** Shards that are missing or shorter than the clips the manifest puts in them: shard name → problem. */
export function shardProblems(dir: string, m: Manifest): Map<string, string> {
  const need = new Map<string, number>();
  const { width: W, height: H } = m.config;
  for (const c of m.clips) {
    if (c.status !== 'ok' || !c.shard || c.offset === undefined) continue;
    const end = c.offset + (c.numFrames ?? 0) * H * W * 3 + (c.numSamples ?? 0) * 4;
    need.set(c.shard, Math.max(need.get(c.shard) ?? 0, end));
  }
  const out = new Map<string, string>();
  for (const [shard, bytes] of need) {
    const st = statSync(join(dir, shard), { throwIfNoEntry: false });
    if (!st) out.set(shard, 'is missing');
    else if (st.size < bytes) out.set(shard, `is truncated (${st.size} of ${bytes} bytes)`);
  }
  return out;
}

export class ClipCache {
  readonly manifest: Manifest;
  constructor(readonly dir: string) {
    const p = join(dir, MANIFEST);
    if (!existsSync(p)) throw new Error(`${dir}: not a prepared cache (no ${MANIFEST}); run "avdit data prepare <folder> --out ${dir}"`);
    this.manifest = readJsonFile<Manifest>(p, 'cache manifest');
    if (this.manifest.version !== CACHE_VERSION)
      throw new Error(`${p}: cache version ${this.manifest.version}, this avdit reads ${CACHE_VERSION}; prepare it again`);
    if (!Array.isArray(this.manifest.clips) || !this.manifest.config) throw new Error(`${p}: not a cache manifest (no clips or config)`);
    const bad = shardProblems(dir, this.manifest);
    if (bad.size > 0) {
      const [shard, why] = [...bad][0];
      throw new Error(
        `${join(dir, shard)} ${why}${bad.size > 1 ? ` (and ${bad.size - 1} more shards)` : ''}: run "avdit data prepare <the same folder> --out ${dir}" again to repair the cache`,
      );
    }
  }

  get config(): DataConfig {
    return this.manifest.config;
  }

  clips(split?: 'train' | 'val'): ClipEntry[] {
    return this.manifest.clips.filter((c) => c.status === 'ok' && (!split || c.split === split));
  }

  windows(split?: 'train' | 'val'): Window[] {
    return this.clips(split).flatMap((clip) => (clip.windows ?? []).map((start) => ({ clip, start })));
  }

  /** A clip's bytes as stored: video uint8 RGB [T, H, W, 3] and float audio. */
  loadRaw(e: ClipEntry): { video: Uint8Array; audio: Float32Array } {
    if (e.status !== 'ok' || !e.shard || e.offset === undefined)
      throw new Error(`${e.file}: not available in the cache (${e.status}${e.reason ? `: ${e.reason}` : ''})`);
    const { width: W, height: H } = this.config;
    const vbytes = e.numFrames! * H * W * 3;
    const abytes = e.numSamples! * 4;
    const buf = Buffer.alloc(vbytes + abytes);
    const fd = openSync(join(this.dir, e.shard), 'r');
    try {
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, e.offset + got);
        if (n === 0) throw new Error(`${join(this.dir, e.shard)}: truncated shard (clip ${e.file})`);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    const video = new Uint8Array(buf.buffer, buf.byteOffset, vbytes);
    const audio = new Float32Array(buf.buffer.slice(buf.byteOffset + vbytes, buf.byteOffset + vbytes + abytes));
    return { video, audio };
  }

  /** The whole decoded clip, frames as floats in [0, 1]. */
  loadClip(e: ClipEntry): AVClip {
    const { video: bytes, audio } = this.loadRaw(e);
    const { width: W, height: H, fps, sampleRate } = this.config;
    const video = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) video[i] = bytes[i] / 255;
    return makeClip({ video, numFrames: e.numFrames!, height: H, width: W, fps, audio, sampleRate, durationSec: e.durationSec });
  }

  loadWindow(w: Window): AVClip {
    return sliceClip(this.loadClip(w.clip), w.start, this.config.windowFrames);
  }
}
