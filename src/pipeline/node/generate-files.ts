/**
 * Generation from files (`avdit generate`, `avdit demo`): read the condition clip with ffmpeg, encode its
 * given cells with the codecs, run the sampler, decode, and write the mp4 (with sound), the PNG strip and
 * a JSON record (spec, seed, steps, guidance, checkpoint hashes). Everything that can be checked is checked
 * before sampling (options, output folder, outputs that would overwrite an input, codecs other than the
 * model's); only the model's window is decoded (ffmpeg -ss/-t), so memory does not grow with the file;
 * a stream the condition does not use may be missing. Outputs are written at the end and atomically: a
 * failure leaves no partial file.
 */
import { dirname, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { decode, encode, type Crop } from '../../media/node/ffmpeg.js';
import { sliceClip, type AVClip } from '../../media/clip.js';
import { renderStrip } from '../strip.js';
import { writePNG } from '../../media/node/png.js';
import { writeFileAtomic, refuseOverwrite, ensureWritableDir } from '../../util/node/atomic.js';
import { SAMPLER_DEFAULTS, checkSamplerOptions, defaultGuidance, defaultTemperature } from '../defaults.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import type { ActivityNet } from '../../model/activity.js';
import { activityApplies } from '../activity-guidance.js';
import { avditFromCheckpoint } from '../../model/load.js';
import { loadCodecs, fileSha256, checkCodecsMatch } from '../../codecs/node/latents.js';
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
  /** guide only the steps with t in [lo, hi] (default every step) */
  guidanceInterval?: readonly [number, number];
  eta?: number;
  /** starting-noise scale (default: the condition's, `defaultTemperature`) */
  temperature?: number;
  seed?: number;
  /** output path prefix: <out>.mp4, <out>.png, <out>.json (a trailing .mp4/.png/.json is dropped) */
  out: string;
  method?: 'monl' | 'replacement';
  /** activity guidance: the activity net (loaded from `dir`) and its strength. `auto`: use it only where it applies
   * (activityApplies: the bundle's net by default); otherwise a condition it cannot read is an error. */
  activity?: { net: ActivityNet; dir: string; strength: number; auto?: boolean };
  onStep?: (step: number, total: number) => void;
  /** problems that do not stop generation (a damaged input, anti-phase stereo), one line each */
  onWarning?: (message: string) => void;
}

/** `out/x`, `out/x.mp4` → `out/x` (so `--out result.mp4` writes result.mp4, not result.mp4.mp4). */
export function outputPrefix(out: string): string {
  return out.replace(/\.(mp4|png|json)$/i, '');
}

const LOADED = new Map<string, { model: ReturnType<typeof avditFromCheckpoint>; codecs: ReturnType<typeof loadCodecs> }>();

/** Models and codecs loaded once per process (per path and file time), so repeated calls reuse their compiled programs. */
function loaded(modelDir: string, videoDir: string, audioDir: string) {
  const key = [modelDir, videoDir, audioDir]
    .map((d) => `${resolve(d)}@${statSync(join(d, 'model.safetensors'), { throwIfNoEntry: false })?.mtimeMs ?? 0}`)
    .join('|');
  let v = LOADED.get(key);
  if (!v) {
    v = { model: avditFromCheckpoint(loadCheckpoint(modelDir), modelDir), codecs: loadCodecs(videoDir, audioDir) };
    LOADED.set(key, v);
  }
  return v;
}

export async function generateFiles(o: GenerateFilesOptions): Promise<{
  mp4: string;
  png: string;
  json: string;
  clip: AVClip;
  /** the activity net's folder, when activity guidance ran */
  activity?: string;
  /** the starting-noise temperature it ran at */
  temperature: number;
}> {
  const steps = o.steps ?? SAMPLER_DEFAULTS.steps,
    eta = o.eta ?? SAMPLER_DEFAULTS.eta,
    seed = o.seed ?? SAMPLER_DEFAULTS.seed;
  checkSamplerOptions({ steps, guidance: o.guidance, eta, temperature: o.temperature, seed });
  const start = o.startFrame ?? 0;
  if (!(Number.isInteger(start) && start >= 0)) throw new Error(`generate: start frame ${start} must be a whole number ≥ 0`);
  const prefix = outputPrefix(o.out);
  const mp4 = `${prefix}.mp4`,
    png = `${prefix}.png`,
    json = `${prefix}.json`;
  refuseOverwrite([o.input, o.model, o.videoCodec, o.audioCodec], [mp4, png, json], 'generate');
  ensureWritableDir(dirname(resolve(mp4)));
  const { model, codecs } = loaded(o.model, o.videoCodec, o.audioCodec);
  checkCodecsMatch(model.checkpoint, o.model, { video: o.videoCodec, audio: o.audioCodec });
  const d = model.checkpoint.latents.data;
  const mask = parseCondition(o.spec, model.layout.numSegments);
  const guidance = o.guidance ?? defaultGuidance(mask),
    temperature = o.temperature ?? defaultTemperature(mask);
  const anyGiven = mask.some((r) => r.some(Boolean));
  const T = d.windowFrames;
  let source: AVClip | undefined;
  if (anyGiven) {
    if (!o.input) throw new Error(`generate: the condition "${o.spec}" gives cells, so it needs --input <clip>`);
    const needVideo = mask[0].some(Boolean),
      needAudio = mask[1].some(Boolean);
    const r = await decode(o.input, {
      width: d.width,
      height: d.height,
      fps: d.fps,
      sampleRate: d.sampleRate,
      crop: o.crop,
      start: start / d.fps,
      duration: (T + 1) / d.fps,
      requireVideo: needVideo,
      requireAudio: needAudio,
    });
    for (const w of r.warnings.slice(0, 3))
      o.onWarning?.(`${o.input}: ${w}${/damaged|conceal|corrupt/i.test(w) ? ' (the given cells may show the damage)' : ''}`);
    const full = r.clip;
    const needSec = T / d.fps;
    if (full.numFrames < T)
      throw new Error(
        `${o.input}: ${(start / d.fps + full.durationSec).toFixed(2)} s of ${needVideo ? 'video' : 'audio'} is shorter than the model's ${needSec.toFixed(3)} s window from ${(start / d.fps).toFixed(3)} s (${T} frames at ${d.fps} fps)`,
      );
    if (needAudio && full.audio.length < Math.floor((T / d.fps) * d.sampleRate * 0.97))
      throw new Error(
        `${o.input}: its audio from ${(start / d.fps).toFixed(2)} s (${(full.audio.length / d.sampleRate).toFixed(2)} s) is shorter than the window it needs`,
      );
    source = sliceClip(full, 0, T);
  }
  const activity = o.activity && (!o.activity.auto || activityApplies(mask)) ? o.activity : undefined;
  const clip = await generateClip(
    model,
    codecs,
    {
      mask,
      source,
      steps,
      guidance,
      guidanceMode: o.guidanceMode,
      guidanceInterval: o.guidanceInterval,
      eta,
      temperature,
      seed,
      method: o.method,
      activity,
    },
    (s) => o.onStep?.(s.step, s.total),
  );
  if (!clip.video.every(Number.isFinite) || !clip.audio.every(Number.isFinite))
    throw new Error(`generate: the sampler produced non-finite values (guidance ${guidance} too large?); nothing written`);
  await encode(clip, mp4);
  writePNG(
    png,
    renderStrip(
      clip,
      model.checkpoint.latents.segmentLayout,
      mask,
      `${o.spec}  seed ${seed}  ${steps} steps  guidance ${guidance}${temperature !== 1 ? `  temperature ${temperature}` : ''}`,
    ),
  );
  writeFileAtomic(
    json,
    JSON.stringify(
      {
        spec: o.spec,
        condition: formatCondition(mask),
        input: o.input ?? null,
        startFrame: start,
        seed,
        steps,
        eta,
        temperature,
        guidance,
        guidanceMode: o.guidanceMode ?? 'all',
        ...(o.guidanceInterval ? { guidanceInterval: o.guidanceInterval } : {}),
        method: o.method ?? 'monl',
        ...(activity ? { activity: { path: activity.dir, strength: activity.strength } } : {}),
        checkpoints: {
          model: { path: o.model, sha256: fileSha256(join(o.model, 'model.safetensors')) },
          videoCodec: { path: o.videoCodec, sha256: fileSha256(join(o.videoCodec, 'model.safetensors')) },
          audioCodec: { path: o.audioCodec, sha256: fileSha256(join(o.audioCodec, 'model.safetensors')) },
        },
      },
      null,
      2,
    ),
  );
  return { mp4, png, json, clip, activity: activity?.dir, temperature };
}
