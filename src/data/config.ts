/**
 * Dataset layout: the clip window the model sees and how it is cut. Defaults follow the paper's
 * Monologues layout (paper-notes §6, §11): 17 frames at 8 fps = 2.125 s (1 + 4k frames for the causal
 * video codec), 16 kHz mono audio, at 64×64 pixels (our default size).
 */
import type { Crop } from '../media/node/ffmpeg.js';

export interface DataConfig {
  fps: number;
  width: number;
  height: number;
  sampleRate: number;
  /** frames per training window; must be 1 + 4k. */
  windowFrames: number;
  /** frames between window starts (default 4 = one time segment). */
  hopFrames: number;
  crop: Crop;
  /** share of clips (by file name hash) held out for validation, in percent. */
  valPercent: number;
}

export const DATA_DEFAULTS: DataConfig = {
  fps: 8,
  width: 64,
  height: 64,
  sampleRate: 16000,
  windowFrames: 17,
  hopFrames: 4,
  crop: 'center',
  valPercent: 10,
};

export function validateDataConfig(c: DataConfig): DataConfig {
  const bad = (m: string) => {
    throw new Error(`data config: ${m}`);
  };
  if (!Number.isInteger(c.windowFrames) || c.windowFrames < 1 || (c.windowFrames - 1) % 4 !== 0) {
    bad(`windowFrames = ${c.windowFrames} must be 1 + 4k (the causal video codec encodes the first frame alone, then groups of 4)`);
  }
  if (!(c.hopFrames >= 1)) bad(`hopFrames = ${c.hopFrames} must be ≥ 1`);
  if (c.width % 8 || c.height % 8) bad(`${c.width}×${c.height} must be multiples of 8 (the video codec downsamples 8×)`);
  if (!(c.fps > 0)) bad(`fps = ${c.fps} must be positive`);
  const samplesPerFrame = c.sampleRate / c.fps;
  if (!Number.isInteger(samplesPerFrame)) bad(`sampleRate / fps = ${samplesPerFrame} must be a whole number of samples per frame`);
  if (!(c.valPercent >= 0 && c.valPercent < 100)) bad(`valPercent = ${c.valPercent} must be in [0, 100)`);
  return c;
}

/** FNV-1a of the file name: the train/val split depends on the name only, not on the folder or order. */
export function splitOf(name: string, valPercent: number): 'train' | 'val' {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 1000 < valPercent * 10 ? 'val' : 'train';
}
