/**
 * Measures audio/video sync on clips with known events (the synthetic generator's flashes + clicks):
 * finds flash frames by brightness and click onsets by high-frequency energy, and reports the offset
 * audio − video for each event.
 */
import type { AVClip } from './clip.js';

/** Frames whose mean brightness exceeds `threshold`. */
export function flashFrames(clip: AVClip, threshold = 0.5): number[] {
  const fsz = clip.height * clip.width * 3;
  const out: number[] = [];
  for (let f = 0; f < clip.numFrames; f++) {
    let s = 0;
    for (let i = f * fsz; i < (f + 1) * fsz; i++) s += clip.video[i];
    if (s / fsz > threshold) out.push(f);
  }
  return out;
}

/** Onset times (s) of clicks: first-difference energy in 2 ms hops rising above a fraction of its peak. */
export function clickOnsets(clip: AVClip, minGapSec = 0.08): number[] {
  const hop = Math.max(1, Math.round(0.002 * clip.sampleRate));
  const a = clip.audio;
  const env: number[] = [];
  for (let s = 1; s + hop <= a.length; s += hop) {
    let e = 0;
    for (let k = s; k < s + hop; k++) e += (a[k] - a[k - 1]) ** 2;
    env.push(e);
  }
  const peak = Math.max(...env);
  const out: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < env.length; i++) {
    const t = (1 + i * hop) / clip.sampleRate;
    if (env[i] > 0.2 * peak && t - last > minGapSec) {
      out.push(t);
      last = t;
    }
  }
  return out;
}

/** For every flash frame, the offset (s) of the nearest click: positive = audio late. */
export function syncOffsets(clip: AVClip): number[] {
  const clicks = clickOnsets(clip);
  return flashFrames(clip).map((f) => {
    const tv = f / clip.fps;
    let best = Infinity;
    for (const ta of clicks) if (Math.abs(ta - tv) < Math.abs(best)) best = ta - tv;
    return best;
  });
}
