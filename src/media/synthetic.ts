/**
 * A tiny synthetic audiovisual world with known answers, for fast tests: a disc bounces inside the
 * frame; its height sets the pitch of a tone (higher on screen = higher pitch) and every bounce is an
 * onset: the background flashes for that one frame and a click sounds at the frame's start time.
 * Deterministic by seed.
 */
import { mulberry32 } from '../util/rng.js';
import { makeClip, type AVClip } from './clip.js';

export interface SyntheticOptions {
  seed?: number;
  width?: number;
  height?: number;
  fps?: number;
  sampleRate?: number;
  numFrames?: number;
}

export interface SyntheticClip {
  clip: AVClip;
  /** onset times in seconds (each is a frame start: f / fps). */
  onsets: number[];
  /** the frames that flash. */
  onsetFrames: number[];
  /** disc centre per frame, in [0, 1] (x right, y down). */
  positions: [number, number][];
}

export function pitchForHeight(y: number): number {
  return 220 + 660 * (1 - y); // y = 0 (top) → 880 Hz, y = 1 (bottom) → 220 Hz
}

export function syntheticClip(opts: SyntheticOptions = {}): SyntheticClip {
  const { seed = 0, width = 32, height = 32, fps = 8, sampleRate = 16000, numFrames = 17 } = opts;
  const rnd = mulberry32(seed);
  const r = 0.12; // disc radius as a fraction of the frame
  let x = r + rnd() * (1 - 2 * r);
  let y = r + rnd() * (1 - 2 * r);
  const speed = 0.12 + 0.1 * rnd();
  const ang = rnd() * 2 * Math.PI;
  let vx = speed * Math.cos(ang);
  let vy = speed * Math.sin(ang);
  const hue = [0.4 + 0.6 * rnd(), 0.4 + 0.6 * rnd(), 0.4 + 0.6 * rnd()];
  const positions: [number, number][] = [];
  const onsetFrames: number[] = [];
  for (let f = 0; f < numFrames; f++) {
    positions.push([x, y]);
    let nx = x + vx;
    let ny = y + vy;
    let bounced = false;
    if (nx < r || nx > 1 - r) {
      vx = -vx;
      nx = x + vx;
      bounced = true;
    }
    if (ny < r || ny > 1 - r) {
      vy = -vy;
      ny = y + vy;
      bounced = true;
    }
    if (bounced && f + 1 < numFrames) onsetFrames.push(f + 1);
    x = nx;
    y = ny;
  }
  const video = new Float32Array(numFrames * height * width * 3);
  for (let f = 0; f < numFrames; f++) {
    const bg = onsetFrames.includes(f) ? 0.9 : 0.1;
    const [cx, cy] = positions[f];
    for (let i = 0; i < height; i++)
      for (let j = 0; j < width; j++) {
        const d = Math.hypot((j + 0.5) / width - cx, (i + 0.5) / height - cy);
        const a = Math.min(1, Math.max(0, (r - d) * width + 0.5)); // anti-aliased edge
        const o = ((f * height + i) * width + j) * 3;
        for (let c = 0; c < 3; c++) video[o + c] = bg * (1 - a) + hue[c] * a;
      }
  }
  const numSamples = Math.round((numFrames / fps) * sampleRate);
  const audio = new Float32Array(numSamples);
  let phase = 0;
  for (let s = 0; s < numSamples; s++) {
    const ft = (s / sampleRate) * fps; // fractional frame index
    const f0 = Math.min(numFrames - 1, Math.floor(ft));
    const f1 = Math.min(numFrames - 1, f0 + 1);
    const w = ft - Math.floor(ft);
    const yy = positions[f0][1] * (1 - w) + positions[f1][1] * w;
    phase += (2 * Math.PI * pitchForHeight(yy)) / sampleRate;
    audio[s] = 0.2 * Math.sin(phase);
  }
  const clickLen = Math.round(0.03 * sampleRate);
  for (const f of onsetFrames) {
    const s0 = Math.round((f / fps) * sampleRate);
    for (let k = 0; k < clickLen && s0 + k < numSamples; k++) {
      audio[s0 + k] += 0.6 * Math.exp(-k / (0.006 * sampleRate)) * (rnd() * 2 - 1);
    }
  }
  const clip = makeClip({ video, numFrames, height, width, fps, audio, sampleRate });
  return { clip, onsets: onsetFrames.map((f) => f / fps), onsetFrames, positions };
}
