/**
 * AVClip: video frames and mono audio on one timeline. No tensors here: media code never imports the
 * engine. Frames are float RGB in [0, 1], laid out [T, H, W, 3]; audio is float mono in [-1, 1].
 */
export interface AVClip {
  /** [numFrames, height, width, 3], RGB in [0, 1]. */
  video: Float32Array;
  numFrames: number;
  height: number;
  width: number;
  fps: number;
  /** mono samples in [-1, 1]. */
  audio: Float32Array;
  sampleRate: number;
  durationSec: number;
}

/** Builds a clip and checks that the arrays match the stated sizes. */
export function makeClip(c: Omit<AVClip, 'durationSec'> & { durationSec?: number }): AVClip {
  const expected = c.numFrames * c.height * c.width * 3;
  if (c.video.length !== expected) {
    throw new Error(`AVClip: video has ${c.video.length} values, expected ${c.numFrames}×${c.height}×${c.width}×3 = ${expected}`);
  }
  if (!(c.fps > 0) || !(c.sampleRate > 0)) throw new Error(`AVClip: fps (${c.fps}) and sampleRate (${c.sampleRate}) must be positive`);
  return { ...c, durationSec: c.durationSec ?? c.numFrames / c.fps };
}

/** Cuts frames [f0, f0 + n) and the matching audio; audio past the end is zero-padded. */
export function sliceClip(clip: AVClip, f0: number, n: number): AVClip {
  if (f0 < 0 || f0 + n > clip.numFrames) throw new Error(`sliceClip: frames [${f0}, ${f0 + n}) outside the clip's ${clip.numFrames} frames`);
  const fsz = clip.height * clip.width * 3;
  const s0 = Math.round((f0 / clip.fps) * clip.sampleRate);
  const ns = Math.round((n / clip.fps) * clip.sampleRate);
  const audio = new Float32Array(ns);
  audio.set(clip.audio.subarray(s0, Math.min(clip.audio.length, s0 + ns)));
  return makeClip({ ...clip, video: clip.video.slice(f0 * fsz, (f0 + n) * fsz), numFrames: n, audio, durationSec: n / clip.fps });
}

/** One frame as a [H, W, 3] view. */
export function frameOf(clip: AVClip, f: number): Float32Array {
  const fsz = clip.height * clip.width * 3;
  return clip.video.subarray(f * fsz, (f + 1) * fsz);
}
