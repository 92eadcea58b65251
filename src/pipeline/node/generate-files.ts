/**
 * Generation from files (`avdit generate`, `avdit demo`): read the condition clip with ffmpeg, encode its
 * given cells with the codecs, run the sampler, decode, and write the mp4 (with sound), the PNG strip and
 * a JSON record (spec, seed, steps, guidance, checkpoint hashes). Outputs are written at the end and
 * atomically: a failure leaves no partial file.
 */
import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { decode, encode, type Crop } from '../../media/node/ffmpeg.js';
import { sliceClip, type AVClip } from '../../media/clip.js';
import { renderStrip } from '../../media/strip.js';
import { writePNG } from '../../media/node/png.js';
import { writeFileAtomic } from '../../util/node/atomic.js';
import { loadCheckpoint } from '../../train/checkpoint.js';
import { avditFromCheckpoint } from '../../model/load.js';
import { loadCodecs, fileSha256 } from '../../codecs/node/latents.js';
import { formatCondition, parseCondition } from '../../monl/tasks.js';
import type { GuidanceMode } from '../generate.js';
import { generateClip } from '../clip-generate.js';
export { spliceGivenAudio } from '../clip-generate.js';

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
  const mask = parseCondition(o.spec, model.layout.numSegments);
  const anyGiven = mask.some((r) => r.some(Boolean));
  const T = d.windowFrames;
  let source: AVClip | undefined;
  if (anyGiven) {
    if (!o.input) throw new Error(`generate: the condition "${o.spec}" gives cells, so it needs --input <clip>`);
    const full = (await decode(o.input, { width: d.width, height: d.height, fps: d.fps, sampleRate: d.sampleRate, crop: o.crop })).clip;
    const start = o.startFrame ?? 0;
    const needSec = T / d.fps;
    if (full.numFrames < start + T) throw new Error(`${o.input}: ${full.durationSec.toFixed(2)} s of video from frame ${start} is shorter than the model's ${needSec.toFixed(3)} s window (${T} frames at ${d.fps} fps)`);
    if (full.audio.length < Math.floor(((start + T) / d.fps) * d.sampleRate * 0.97)) throw new Error(`${o.input}: its audio (${(full.audio.length / d.sampleRate).toFixed(2)} s) is shorter than the window it needs`);
    source = sliceClip(full, start, T);
  }
  const clip = await generateClip(model, codecs, { mask, source, steps: o.steps ?? 50, guidance: o.guidance ?? 0, guidanceMode: o.guidanceMode, eta: o.eta ?? 0, seed: o.seed ?? 0, method: o.method }, (s) => o.onStep?.(s.step, s.total));
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
