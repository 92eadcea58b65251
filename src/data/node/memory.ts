/**
 * A prepared cache held in memory for training: every usable clip of a split as uint8 frames and float
 * audio, plus random window crops on the segment grid drawn from a key.
 */
import { ClipCache } from './cache.js';
import { uniform, type Key } from '../../util/rng.js';

export interface MemClip {
  file: string;
  numFrames: number;
  video: Uint8Array; // [T, H, W, 3]
  audio: Float32Array;
}

export class InMemoryClips {
  readonly clips: MemClip[];
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly sampleRate: number;
  constructor(
    readonly cache: ClipCache,
    split: 'train' | 'val',
    limit = Infinity,
  ) {
    const c = cache.config;
    [this.width, this.height, this.fps, this.sampleRate] = [c.width, c.height, c.fps, c.sampleRate];
    this.clips = cache
      .clips(split)
      .slice(0, limit)
      .map((e) => {
        const { video, audio } = cache.loadRaw(e); // uint8 as stored: no float round trip
        return { file: e.file, numFrames: e.numFrames!, video, audio };
      });
    if (this.clips.length === 0) throw new Error(`${cache.dir}: no usable ${split} clips`);
  }

  get samplesPerFrame(): number {
    return this.sampleRate / this.fps;
  }

  /** `n` random crops of `frames` frames (any start frame): video [n, frames, H, W, 3] in [0,1], audio [n, frames·spf]. */
  crops(
    key: Key,
    n: number,
    frames: number,
    starts?: { clip: number; start: number }[],
  ): { video: Float32Array; audio: Float32Array; picks: { clip: number; start: number }[] } {
    const fsz = this.width * this.height * 3;
    const spf = this.samplesPerFrame;
    const u = uniform(key, 2 * n);
    const picks =
      starts ??
      Array.from({ length: n }, (_, i) => {
        const clip = Math.min(this.clips.length - 1, Math.floor(u[2 * i] * this.clips.length));
        const maxStart = this.clips[clip].numFrames - frames;
        if (maxStart < 0) throw new Error(`${this.clips[clip].file}: ${this.clips[clip].numFrames} frames, fewer than ${frames}`);
        return { clip, start: Math.min(maxStart, Math.floor(u[2 * i + 1] * (maxStart + 1))) };
      });
    const video = new Float32Array(picks.length * frames * fsz);
    const audio = new Float32Array(picks.length * frames * spf);
    picks.forEach(({ clip, start }, i) => {
      const c = this.clips[clip];
      const src = c.video.subarray(start * fsz, (start + frames) * fsz);
      for (let k = 0; k < src.length; k++) video[i * frames * fsz + k] = src[k] / 255;
      audio.set(c.audio.subarray(start * spf, Math.min(c.audio.length, (start + frames) * spf)), i * frames * spf);
    });
    return { video, audio, picks };
  }

  /** `n` random audio crops of `numSamples` samples at any sample offset: [n, numSamples]. */
  audioCrops(key: Key, n: number, numSamples: number): Float32Array {
    const u = uniform(key, 2 * n);
    const out = new Float32Array(n * numSamples);
    for (let i = 0; i < n; i++) {
      const c = this.clips[Math.min(this.clips.length - 1, Math.floor(u[2 * i] * this.clips.length))];
      const maxStart = Math.max(0, c.audio.length - numSamples);
      const s0 = Math.floor(u[2 * i + 1] * (maxStart + 1));
      out.set(c.audio.subarray(s0, s0 + numSamples), i * numSamples);
    }
    return out;
  }
}
