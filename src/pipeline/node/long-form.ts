/**
 * Long-form audio→video (issue: sliding-window continuation beyond one clip). The audio track is cut
 * into overlapping windows of the model's length; window 0 is plain a2v; every later window starts at
 * the previous window's last 5 frames (segments 0–1: the first frame alone + one group of 4), which are
 * given — re-encoded from the frames already generated — together with all of its audio, and the
 * remaining 12 frames are generated. Consecutive windows therefore share 5 frames, and the video is
 * stitched from window 0 plus the 12 new frames of each later window.
 */
import { decodeAudio, encode } from '../../media/node/ffmpeg.js';
import { makeClip, type AVClip } from '../../media/clip.js';
import { frameOf } from '../../media/clip.js';
import { blankImage, blit, drawBorder, frameImage, upscale, type RGBImage } from '../../media/image.js';
import { drawText } from '../../media/font.js';
import { writePNG } from '../../media/node/png.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import { avditFromCheckpoint } from '../../model/load.js';
import { loadCodecs, checkCodecsMatch } from '../../codecs/node/latents.js';
import { dirname, resolve } from 'node:path';
import { refuseOverwrite, ensureWritableDir } from '../../util/node/atomic.js';
import { SAMPLER_DEFAULTS, checkSamplerOptions } from '../defaults.js';
import { outputPrefix } from './generate-files.js';
import { generate } from '../generate.js';

export interface LongFormOptions {
  model: string;
  videoCodec: string;
  audioCodec: string;
  /** a file with the audio to animate (video streams, if any, are ignored) */
  input: string;
  seconds?: number;
  steps?: number;
  guidance?: number;
  seed?: number;
  out: string;
  onWindow?: (i: number, n: number) => void;
}

export async function longFormA2V(o: LongFormOptions): Promise<{ mp4: string; png: string; windows: number; clip: AVClip }> {
  const steps = o.steps ?? SAMPLER_DEFAULTS.steps,
    seed = o.seed ?? SAMPLER_DEFAULTS.seed;
  checkSamplerOptions({ steps, guidance: o.guidance, seed });
  const prefix = outputPrefix(o.out);
  const mp4 = `${prefix}.mp4`,
    png = `${prefix}-border.png`;
  refuseOverwrite([o.input, o.model, o.videoCodec, o.audioCodec], [mp4, png], 'long');
  ensureWritableDir(dirname(resolve(mp4)));
  const model = avditFromCheckpoint(loadCheckpoint(o.model), o.model);
  checkCodecsMatch(model.checkpoint, o.model, { video: o.videoCodec, audio: o.audioCodec });
  const codecs = loadCodecs(o.videoCodec, o.audioCodec);
  const d = model.checkpoint.latents.data;
  const seg = model.checkpoint.latents.segmentLayout;
  const T = d.windowFrames,
    S = model.layout.numSegments;
  if (S < 3) throw new Error('long-form: the model needs at least 3 segments to overlap windows');
  const overlap = seg.frames[1][1] + 1; // frames of segments 0–1 (5 at the default layout)
  const hop = T - overlap;
  const spf = d.sampleRate / d.fps;
  // only the seconds asked for (+ one window of slack) are decoded: memory follows the request, not the file
  const track = await decodeAudio(o.input, d.sampleRate, o.seconds !== undefined ? o.seconds + T / d.fps : undefined);
  const totalSec = Math.min(o.seconds ?? track.length / d.sampleRate, track.length / d.sampleRate);
  const wantFrames = Math.floor(totalSec * d.fps);
  if (wantFrames < T) throw new Error(`${o.input}: ${totalSec.toFixed(2)} s of audio is shorter than one window (${(T / d.fps).toFixed(3)} s)`);
  const windows = 1 + Math.ceil((wantFrames - T) / hop);
  const numFrames = wantFrames; // the last window may run past the end: its extra frames are dropped
  const fsz = d.width * d.height * 3;
  const video = new Float32Array((T + (windows - 1) * hop) * fsz);
  const La = model.layout.audio.La;
  const aLen = La * codecs.audio.config.hopSamples;
  for (let w = 0; w < windows; w++) {
    o.onWindow?.(w + 1, windows);
    const f0 = w * hop;
    const audio = track.subarray(f0 * spf, f0 * spf + aLen);
    const givenAudio = await codecs.audio.encode(
      Float32Array.from({ length: aLen }, (_, i) => audio[i] ?? 0),
      1,
      d.sampleRate,
    );
    let mask = [Array(S).fill(false), Array(S).fill(true)];
    let givenVideo: Float32Array | undefined;
    if (w > 0) {
      // the previous window's last `overlap` frames become this window's given segments 0–1
      const ctx = new Float32Array(T * fsz);
      ctx.set(video.subarray(f0 * fsz, (f0 + overlap) * fsz));
      givenVideo = await codecs.video.encode(ctx, 1, T);
      mask = [Array.from({ length: S }, (_, s) => s < 2), Array(S).fill(true)];
    }
    const lat = await generate(model, {
      mask,
      given: { video: givenVideo, audio: givenAudio },
      steps,
      // unset: the first window is a2v (its default, 3); later ones continue generated frames (chainedGuidance)
      guidance: o.guidance ?? (w > 0 ? SAMPLER_DEFAULTS.chainedGuidance : undefined),
      seed: (seed + 7919 * w) >>> 0,
    });
    const frames = await codecs.video.decode(lat.video, 1, model.layout.video.L);
    const from = w === 0 ? 0 : overlap;
    video.set(frames.subarray(from * fsz, T * fsz), (f0 + from) * fsz);
  }
  const clip = makeClip({
    video: video.slice(0, numFrames * fsz),
    numFrames,
    height: d.height,
    width: d.width,
    fps: d.fps,
    audio: track.slice(0, numFrames * spf),
    sampleRate: d.sampleRate,
  });
  await encode(clip, mp4);
  writePNG(png, borderStrip(clip, T, hop, overlap));
  return { mp4, png, windows, clip };
}

/** Frames around the first window border: 4 before and 4 after, the border marked. */
export function borderStrip(clip: AVClip, T: number, hop: number, overlap: number): RGBImage {
  const border = Math.min(clip.numFrames - 4, hop + overlap); // first frame generated by window 1
  const frames = Array.from({ length: 8 }, (_, i) => Math.max(0, Math.min(clip.numFrames - 1, border - 4 + i)));
  const k = 2,
    fw = clip.width * k + 6;
  const img = blankImage(frames.length * fw, clip.height * k + 20, [18, 18, 18]);
  frames.forEach((f, i) => {
    blit(img, upscale(frameImage(frameOf(clip, f), clip.width, clip.height), k), i * fw + 3, 14);
    drawText(img, `f${f}`, i * fw + 3, 4, [220, 220, 220]);
    if (f >= border) drawBorder(img, i * fw + 1, 12, fw - 2, clip.height * k + 6, [40, 200, 80], 2);
  });
  return img;
}
