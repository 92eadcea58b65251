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
  /** named boxes of the output frame where people look (e.g. GRID's mouth), as fractions [x0, y0, x1, y1];
   * the video codec weights its loss there and `codec eval` scores them. They do not change the decoded
   * windows, so a prepared cache can get or change them without decoding again. */
  regions?: Record<string, Box>;
}

/** [x0, y0, x1, y1], fractions of the frame's width and height, x0 < x1, y0 < y1. */
export type Box = [number, number, number, number];

/** GRID s1 with crop 200:200:52:44: the mouth (lips, opening, chin top) and the eyes. */
export const GRID_REGIONS: Record<string, Box> = { mouth: [0.33, 0.72, 0.67, 0.95], eyes: [0.22, 0.49, 0.78, 0.64] };

/** "mouth=0.33,0.72,0.67,0.95;eyes=…" → regions; "grid" → GRID_REGIONS; one-line errors name the part. */
export function parseRegions(spec: string): Record<string, Box> {
  if (spec === 'grid') return { ...GRID_REGIONS };
  const out: Record<string, Box> = {};
  for (const part of spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z][\w-]*)=(.*)$/.exec(part);
    const nums = m ? m[2].split(',').map(Number) : [];
    if (!m || nums.length !== 4 || !nums.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) || !(nums[0] < nums[2] && nums[1] < nums[3])) {
      throw new Error(`--regions: "${part}" is not name=x0,y0,x1,y1 with fractions 0 ≤ x0 < x1 ≤ 1, 0 ≤ y0 < y1 ≤ 1`);
    }
    out[m[1]] = nums as Box;
  }
  return out;
}

/** A box in whole pixels: columns x0 ≤ x < x1, rows y0 ≤ y < y1. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A box in whole pixels of a W×H frame (at least one pixel each way). */
export function boxPixels(b: Box, W: number, H: number): PixelBox {
  const x0 = Math.min(W - 1, Math.floor(b[0] * W)),
    y0 = Math.min(H - 1, Math.floor(b[1] * H));
  return { x0, y0, x1: Math.max(x0 + 1, Math.ceil(b[2] * W)), y1: Math.max(y0 + 1, Math.ceil(b[3] * H)) };
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
  if (!(Number.isInteger(c.hopFrames) && c.hopFrames >= 1)) bad(`hopFrames = ${c.hopFrames} must be a whole number ≥ 1`);
  if (!(Number.isInteger(c.width) && Number.isInteger(c.height) && c.width >= 8 && c.height >= 8))
    bad(`${c.width}×${c.height} must be whole numbers of pixels ≥ 8`);
  if (c.width % 8 || c.height % 8) bad(`${c.width}×${c.height} must be multiples of 8 (the video codec downsamples up to 8×)`);
  if (!(Number.isInteger(c.sampleRate) && c.sampleRate > 0)) bad(`sampleRate = ${c.sampleRate} must be a whole number of Hz > 0`);
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
