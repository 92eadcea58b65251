/**
 * Generation from files (`avdit generate`, `avdit demo`): read the condition clip with ffmpeg, encode its
 * given cells with the codecs, run the sampler, decode, and write the mp4 (with sound), the PNG strip and
 * a JSON record (spec, seed, steps, guidance, checkpoint hashes). Outputs are written at the end and
 * atomically: a failure leaves no partial file.
 */
import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { decode, encode, type Crop } from '../../media/node/ffmpeg.js';
import { makeClip, sliceClip, type AVClip } from '../../media/clip.js';
import { renderStrip } from '../../media/strip.js';
import { writePNG } from '../../media/node/png.js';
import { writeFileAtomic } from '../../util/node/atomic.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { avditFromCheckpoint } from '../../model/load.js';
import { loadCodecs, fileSha256 } from '../../codecs/node/latents.js';
import { formatCondition, parseCondition } from '../../monl/tasks.js';
import { linearSchedule } from '../../diffusion/schedule.js';
import { generateSteps, type GuidanceMode, type Latents } from '../generate.js';

export interface GenerateFilesOptions {
  model: string;
  videoCodec: string;
  audioCodec: string;
  /** task name or free-form spec */
  spec: string;
  /** condition clip (needed unless nothing is given) */
  input?: string;
  /** first frame of the window taken from the input */
  startFrame?: number;
  crop?: Crop;
  steps?: number;
  guidance?: number;
  guidanceMode?: GuidanceMode;
  eta?: number;
  seed?: number;
  /** output path prefix: <out>.mp4, <out>.png, <out>.json */
  out: string;
  method?: 'monl' | 'replacement';
  onStep?: (step: number, total: number) => void;
}

const LOADED = new Map<string, { model: ReturnType<typeof avditFromCheckpoint>; codecs: ReturnType<typeof loadCodecs> }>();

/** Models and codecs loaded once per process (per path and file time), so repeated calls reuse their compiled programs. */
function loaded(modelDir: string, videoDir: string, audioDir: string) {
  const key = [modelDir, videoDir, audioDir].map((d) => `${resolve(d)}@${statSync(join(d, 'model.safetensors'), { throwIfNoEntry: false })?.mtimeMs ?? 0}`).join('|');
  let v = LOADED.get(key);
  if (!v) {
    v = { model: avditFromCheckpoint(loadCheckpoint(modelDir), modelDir), codecs: loadCodecs(videoDir, audioDir) };
    LOADED.set(key, v);
  }
  return v;
}

export async function generateFiles(o: GenerateFilesOptions): Promise<{ mp4: string; png: string; json: string; clip: AVClip }> {
  const { model, codecs } = loaded(o.model, o.videoCodec, o.audioCodec);
  const d = model.checkpoint.latents.data;
  const S = model.layout.numSegments;
  const mask = parseCondition(o.spec, S);
  const anyGiven = mask.some((r) => r.some(Boolean));
  const T = d.windowFrames;
  let given: { video?: Float32Array; audio?: Float32Array } | undefined;
  let source: AVClip | null = null;
  if (anyGiven) {
    if (!o.input) throw new Error(`generate: the condition "${o.spec}" gives cells, so it needs --input <clip>`);
    const full = (await decode(o.input, { width: d.width, height: d.height, fps: d.fps, sampleRate: d.sampleRate, crop: o.crop })).clip;
    const start = o.startFrame ?? 0;
    const needSec = T / d.fps;
    if (full.numFrames < start + T) throw new Error(`${o.input}: ${full.durationSec.toFixed(2)} s of video from frame ${start} is shorter than the model's ${needSec.toFixed(3)} s window (${T} frames at ${d.fps} fps)`);
    if (full.audio.length < Math.floor(((start + T) / d.fps) * d.sampleRate * 0.97)) throw new Error(`${o.input}: its audio (${(full.audio.length / d.sampleRate).toFixed(2)} s) is shorter than the window it needs`);
    source = sliceClip(full, start, T);
    const L = codecs.audio.latentFrames(source.audio.length) * codecs.audio.config.hopSamples;
    given = { video: await codecs.video.encode(source.video, 1, T), audio: await codecs.audio.encode(source.audio.subarray(0, L), 1, d.sampleRate) };
  }
  const sched = linearSchedule();
  const it = generateSteps(model, sched, { mask, given, steps: o.steps ?? 50, guidance: o.guidance ?? 0, guidanceMode: o.guidanceMode, eta: o.eta ?? 0, seed: o.seed ?? 0, method: o.method });
  let lat: Latents;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      lat = r.value;
      break;
    }
    o.onStep?.(r.value.step, r.value.total);
  }
  const frames = await codecs.video.decode(lat.video, 1, model.layout.video.L);
  const numSamples = Math.round((T / d.fps) * d.sampleRate);
  const audio = await codecs.audio.decode(lat.audio, 1, numSamples);
  if (source) spliceGivenAudio(audio, source.audio, model.checkpoint.latents.segmentLayout.bounds, mask[1], d.sampleRate);
  const clip = makeClip({ video: frames, numFrames: T, height: d.height, width: d.width, fps: d.fps, audio, sampleRate: d.sampleRate });
  // the original pixels for given video segments (the latents are exact; the decoder is not)
  if (source) {
    const fsz = d.width * d.height * 3;
    model.checkpoint.latents.segmentLayout.frames.forEach(([a, b], s) => {
      if (mask[0][s]) clip.video.set(source!.video.subarray(a * fsz, (b + 1) * fsz), a * fsz);
    });
  }
  const mp4 = `${o.out}.mp4`, png = `${o.out}.png`, json = `${o.out}.json`;
  await encode(clip, mp4);
  writePNG(png, renderStrip(clip, model.checkpoint.latents.segmentLayout, mask, `${o.spec}  seed ${o.seed ?? 0}  ${o.steps ?? 50} steps  guidance ${o.guidance ?? 0}`));
  writeFileAtomic(json, JSON.stringify({
    spec: o.spec, condition: formatCondition(mask), input: o.input ?? null, startFrame: o.startFrame ?? 0, seed: o.seed ?? 0, steps: o.steps ?? 50, eta: o.eta ?? 0,
    guidance: o.guidance ?? 0, guidanceMode: o.guidanceMode ?? 'all', method: o.method ?? 'monl',
    checkpoints: { model: { path: o.model, sha256: fileSha256(join(o.model, 'model.safetensors')) }, videoCodec: { path: o.videoCodec, sha256: fileSha256(join(o.videoCodec, 'model.safetensors')) }, audioCodec: { path: o.audioCodec, sha256: fileSha256(join(o.audioCodec, 'model.safetensors')) } },
  }, null, 2));
  return { mp4, png, json, clip };
}

/**
 * The given audio segments play the original samples, not their re-synthesis through the codec
 * (Griffin–Lim loses phase); 5 ms crossfades at each border with a generated segment.
 */
export function spliceGivenAudio(out: Float32Array, original: Float32Array, bounds: [number, number][], given: boolean[], sampleRate: number): void {
  const fade = Math.round(0.005 * sampleRate);
  bounds.forEach(([a, b], s) => {
    if (!given[s]) return;
    const i0 = Math.round(a * sampleRate), i1 = Math.min(out.length, Math.round(b * sampleRate), original.length);
    for (let i = i0; i < i1; i++) {
      const inFade = s > 0 && !given[s - 1] ? Math.min(1, (i - i0) / fade) : 1;
      const outFade = s + 1 < given.length && !given[s + 1] ? Math.min(1, (i1 - 1 - i) / fade) : 1;
      const w = Math.min(inFade, outFade);
      out[i] = w * original[i] + (1 - w) * out[i];
    }
  });
}
