/** Test fixture: a 64×64 "talking" clip whose mouth band darkens with a random loudness per frame; the
 * audio is noise at that loudness, so lip-sync metrics know the right answer. */
import { MOUTH_BAND } from '../eval/av-metrics.js';
import { mulberry32 } from '../util/rng.js';

export function talkingClip(seed: number, T = 24, fps = 8, sr = 16000) {
  const rnd = mulberry32(seed);
  const H = 64,
    W = 64;
  const loud = Array.from({ length: T }, () => rnd());
  const video = new Float32Array(T * H * W * 3).fill(0.6);
  for (let t = 0; t < T; t++)
    for (let y = Math.round(MOUTH_BAND.y0 * H); y < Math.round(MOUTH_BAND.y1 * H); y++)
      for (let x = Math.round(MOUTH_BAND.x0 * W); x < Math.round(MOUTH_BAND.x1 * W); x++)
        video.fill(0.6 - 0.4 * loud[t], ((t * H + y) * W + x) * 3, ((t * H + y) * W + x) * 3 + 3);
  const audio = new Float32Array(Math.round((T / fps) * sr));
  for (let i = 0; i < audio.length; i++) audio[i] = (rnd() * 2 - 1) * 10 ** (-3 + 2.5 * loud[Math.min(T - 1, Math.floor((i / sr) * fps))]);
  return { video, numFrames: T, height: H, width: W, fps, audio, sampleRate: sr };
}
