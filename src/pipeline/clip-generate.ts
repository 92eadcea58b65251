/**
 * Clip in, clip out: encode the given cells of a window with the codecs, run the sampler, decode, and put
 * the original pixels / samples back into the given cells. Browser-safe (no files, no ffmpeg): the CLI
 * (`generate-files.ts`) and the studio's Web Worker both run exactly this.
 */
import { SAMPLER_DEFAULTS, checkSamplerOptions } from './defaults.js';
import { makeClip, type AVClip } from '../media/clip.js';
import type { VideoCodec, AudioCodec } from '../codecs/codec.js';
import type { AvditCheckpointConfig } from '../model/load.js';
import type { ConditionMask } from '../monl/tasks.js';
import { activityGuidanceFor } from './activity-guidance.js';
import type { ActivityNet } from '../model/activity.js';
import { drain, generateSteps, type AvditModel, type GuidanceMode, type Latents } from './generate.js';

export interface Codecs {
  video: VideoCodec;
  audio: AudioCodec;
}

export type LoadedModel = AvditModel & { checkpoint: AvditCheckpointConfig };

export interface ClipGenerateOptions {
  mask: ConditionMask;
  /** the window the given cells come from (exactly the model's window: windowFrames at its fps) */
  source?: AVClip;
  steps?: number;
  guidance?: number;
  guidanceMode?: GuidanceMode;
  /** guide only the steps with t in [lo, hi] (default every step) */
  guidanceInterval?: readonly [number, number];
  eta?: number;
  /** starting-noise scale (default: the condition's, `defaultTemperature`) */
  temperature?: number;
  seed?: number;
  method?: 'monl' | 'replacement';
  /** decode an x̂0 preview (video only) every this many steps; 0 = none */
  previewEvery?: number;
  /** activity guidance (V2A timing from the given video; activity-guidance.ts) */
  activity?: { net: ActivityNet; strength: number };
}

export interface ClipStep {
  step: number;
  total: number;
  /** decoded x̂0 frames [T, H, W, 3] on preview steps */
  previewFrames?: Float32Array;
}

/** Checks that a source clip has exactly the model's window size and rates. */
export function checkSourceClip(model: LoadedModel, source: AVClip, name = 'input'): void {
  const d = model.checkpoint.latents.data;
  if (source.fps !== d.fps || source.sampleRate !== d.sampleRate)
    throw new Error(`${name}: is ${source.fps} fps / ${source.sampleRate} Hz, the model needs ${d.fps} fps / ${d.sampleRate} Hz`);
  if (source.width !== d.width || source.height !== d.height)
    throw new Error(`${name}: is ${source.width}×${source.height}, the model needs ${d.width}×${d.height}`);
  if (source.numFrames !== d.windowFrames)
    throw new Error(
      `${name}: has ${source.numFrames} frames, the model's window is ${d.windowFrames} frames (${(d.windowFrames / d.fps).toFixed(3)} s at ${d.fps} fps)`,
    );
}

export async function* generateClipSteps(model: LoadedModel, codecs: Codecs, o: ClipGenerateOptions): AsyncGenerator<ClipStep, AVClip> {
  const d = model.checkpoint.latents.data;
  const seg = model.checkpoint.latents.segmentLayout;
  const T = d.windowFrames;
  const anyGiven = o.mask.some((r) => r.some(Boolean));
  checkSamplerOptions(o);
  let given: { video?: Float32Array; audio?: Float32Array } | undefined;
  const source = o.source;
  if (anyGiven) {
    if (!source) throw new Error('generate: the condition gives cells, so it needs a source clip');
    checkSourceClip(model, source);
    const L = codecs.audio.latentFrames(source.audio.length) * codecs.audio.config.hopSamples;
    given = { video: await codecs.video.encode(source.video, 1, T), audio: await codecs.audio.encode(source.audio.subarray(0, L), 1, d.sampleRate) };
  }
  const it = generateSteps(model, {
    mask: o.mask,
    given,
    steps: o.steps ?? SAMPLER_DEFAULTS.steps,
    guidance: o.guidance, // unset: generateSteps picks the condition's default
    guidanceMode: o.guidanceMode,
    guidanceInterval: o.guidanceInterval,
    eta: o.eta ?? SAMPLER_DEFAULTS.eta,
    temperature: o.temperature, // unset: the condition's default
    seed: o.seed ?? SAMPLER_DEFAULTS.seed,
    method: o.method,
    previewEvery: o.previewEvery ?? 0,
    editX0: o.activity ? ((await activityGuidanceFor(o.activity.net, o.activity.strength, model, o.mask, given?.video, 1)) ?? undefined) : undefined,
  });
  let lat: Latents;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      lat = r.value;
      break;
    }
    const previewFrames = r.value.preview ? await codecs.video.decode(r.value.preview.video, 1, model.layout.video.L) : undefined;
    yield { step: r.value.step, total: r.value.total, previewFrames };
  }
  const [clip] = await decodeClips(codecs, lat, 1, d);
  if (source) restoreGivenCells(clip, source, seg, o.mask);
  return clip;
}

/** Latents of `batch` windows → one clip per window (`griffinLimIters` overrides the audio codec's). */
export async function decodeClips(
  codecs: Codecs,
  lat: Latents,
  batch: number,
  d: { fps: number; sampleRate: number; windowFrames: number; width: number; height: number },
  griffinLimIters?: number,
): Promise<AVClip[]> {
  const T = d.windowFrames;
  const numSamples = Math.round((T / d.fps) * d.sampleRate);
  const frames = await codecs.video.decode(lat.video, batch, codecs.video.latentShape(T)[0]);
  const audio = await codecs.audio.decode(lat.audio, batch, numSamples, griffinLimIters);
  const fsz = d.width * d.height * 3 * T;
  return Array.from({ length: batch }, (_, b) =>
    makeClip({
      video: frames.slice(b * fsz, (b + 1) * fsz),
      numFrames: T,
      height: d.height,
      width: d.width,
      fps: d.fps,
      audio: audio.slice(b * numSamples, (b + 1) * numSamples),
      sampleRate: d.sampleRate,
    }),
  );
}

/** Drains generateClipSteps. */
export function generateClip(model: LoadedModel, codecs: Codecs, o: ClipGenerateOptions, onStep?: (s: ClipStep) => void): Promise<AVClip> {
  return drain(generateClipSteps(model, codecs, o), onStep);
}

/**
 * Given cells show the original: the pixels of given video segments (the latents are exact, the decoder
 * is not) and the samples of given audio segments (Griffin–Lim loses phase).
 */
export function restoreGivenCells(
  clip: AVClip,
  source: AVClip,
  seg: { frames: [number, number][]; bounds: [number, number][] },
  mask: ConditionMask,
): void {
  const fsz = clip.width * clip.height * 3;
  seg.frames.forEach(([a, b], s) => {
    if (mask[0][s]) clip.video.set(source.video.subarray(a * fsz, (b + 1) * fsz), a * fsz);
  });
  spliceGivenAudio(clip.audio, source.audio, seg.bounds, mask[1], clip.sampleRate);
}

/**
 * The given audio segments play the original samples, with 5 ms crossfades at each border with a
 * generated segment.
 */
export function spliceGivenAudio(out: Float32Array, original: Float32Array, bounds: [number, number][], given: boolean[], sampleRate: number): void {
  const fade = Math.round(0.005 * sampleRate);
  bounds.forEach(([a, b], s) => {
    if (!given[s]) return;
    const i0 = Math.round(a * sampleRate),
      i1 = Math.min(out.length, Math.round(b * sampleRate), original.length);
    for (let i = i0; i < i1; i++) {
      const inFade = s > 0 && !given[s - 1] ? Math.min(1, (i - i0) / fade) : 1;
      const outFade = s + 1 < given.length && !given[s + 1] ? Math.min(1, (i1 - 1 - i) / fade) : 1;
      const w = Math.min(inFade, outFade);
      out[i] = w * original[i] + (1 - w) * out[i];
    }
  });
}
