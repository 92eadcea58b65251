/**
 * The library's front door (browser-safe), shaped like a transformers.js / diffusers pipeline: load a
 * bundle once, then run any task or free-form condition on clips.
 *
 *   const pipe = await AvditPipeline.fromPretrained('models', { read });   // avdit/, video-codec/, audio-codec/
 *   const out = await pipe.generate({ task: 'a2v', clip, steps: 25, onStep: (s) => … });   // → AVClip
 *
 * In Node, `fromPretrained` from 'avdit/node' reads the folders from disk and starts the engine; in the
 * browser, `read` defaults to fetch(`${base}/${path}`) (start the engine with initEngine first). The pieces
 * for your own loops (codecs, model, strategies, sampler) are exported beside it.
 */
import { decodeSafetensors } from './util/safetensors.js';
import { avditFromCheckpoint } from './model/load.js';
import { AudioCodec, VideoCodec, type CodecCheckpoint } from './codecs/codec.js';
import { generateClipSteps, type ClipStep, type Codecs, type LoadedModel } from './pipeline/clip-generate.js';
import { drain } from './pipeline/generate.js';
import { parseCondition, type ConditionMask } from './monl/tasks.js';
import { SAMPLER_DEFAULTS } from './pipeline/defaults.js';
import { sliceClip, type AVClip } from './media/clip.js';
import { ActivityNet } from './model/activity.js';
import { ACTIVITY_STRENGTH, activityApplies } from './pipeline/activity-guidance.js';

/** Reads one file of a bundle (`avdit/config.json`, `video-codec/model.safetensors`, …). */
export type BundleReader = (path: string) => Promise<Uint8Array>;

export interface GenerateRequest {
  /** a task name (a2v, v2a, continue, inpaint, joint, …) or a free-form condition ("video:0,4 audio:all"), or a mask */
  task: string | ConditionMask;
  /** the clip the given cells come from, at `pipe.window`'s size and rates; a longer clip is cut to the model's
   * window from frame `start`; not needed for joint */
  clip?: AVClip;
  start?: number;
  steps?: number;
  /** classifier-free guidance (default: 3 for a2v/v2a, 2 for other conditions; `defaultGuidance`) */
  guidance?: number;
  /** guide only the steps with t in [lo, hi] of the model's T (default every step) */
  guidanceInterval?: readonly [number, number];
  eta?: number;
  /** scale of the starting noise (default: `defaultTemperature`, 0.5 for a2v and 1 for the other conditions) */
  temperature?: number;
  seed?: number;
  /** called after every sampling step (step, total, optional x̂0 preview frames) */
  onStep?: (s: ClipStep) => void;
  /** decode an x̂0 preview every this many steps (0 = none) */
  previewEvery?: number;
  /** activity guidance strength in [0, 1] (src/pipeline/activity-guidance.ts), or false for none; default
   * ACTIVITY_STRENGTH when the bundle has an activity net and the condition gives the whole video and generates audio */
  activity?: number | false;
}

export class AvditPipeline {
  constructor(
    readonly model: LoadedModel,
    readonly codecs: Codecs,
    /** the bundle's activity net (activity/), when it has one */
    readonly activity?: ActivityNet,
  ) {}

  /** Loads the checkpoints of a bundle laid out like `models/`: avdit/, video-codec/, audio-codec/, and activity/ when
   * the bundle has one (a bundle without it loads as before). */
  static async fromPretrained(base: string, o: { read?: BundleReader } = {}): Promise<AvditPipeline> {
    const read =
      o.read ??
      (async (path: string) => {
        const r = await fetch(`${base.replace(/\/$/, '')}/${path}`);
        if (!r.ok) throw new Error(`${base}/${path}: HTTP ${r.status}`);
        return new Uint8Array(await r.arrayBuffer());
      });
    const load = async (name: string, configBytes?: Uint8Array) => {
      const config = new TextDecoder().decode(configBytes ?? (await read(`${name}/config.json`)));
      let parsed: { kind: string; codec: unknown };
      try {
        parsed = JSON.parse(config);
      } catch (e) {
        throw new Error(`${base}/${name}/config.json: not valid JSON (${(e as Error).message})`);
      }
      return { config: parsed, params: decodeSafetensors(await read(`${name}/model.safetensors`), `${base}/${name}/model.safetensors`).tensors };
    };
    const [m, v, a] = await Promise.all([load('avdit'), load('video-codec'), load('audio-codec')]);
    // optional: no activity/config.json means no activity net; a broken activity/ is still an error
    const actConfig = await read('activity/config.json').catch(() => null);
    const act = actConfig ? await load('activity', actConfig) : null;
    const model = avditFromCheckpoint(m, `${base}/avdit`);
    return new AvditPipeline(
      model,
      {
        video: VideoCodec.fromCheckpoint(v as CodecCheckpoint, `${base}/video-codec`),
        audio: AudioCodec.fromCheckpoint(a as CodecCheckpoint, `${base}/audio-codec`),
      },
      act ? ActivityNet.fromCheckpoint(act, `${base}/activity`) : undefined,
    );
  }

  /** The window the model works on: frames, size, rates and its time segments. */
  get window() {
    const d = this.model.checkpoint.latents.data,
      seg = this.model.checkpoint.latents.segmentLayout;
    return { ...d, numSegments: seg.numSegments, frames: seg.frames, bounds: seg.bounds };
  }

  /** Activity guidance for this request: on by default where it applies (the whole video given, audio generated). */
  #activity(r: GenerateRequest, mask: ConditionMask): { net: ActivityNet; strength: number } | undefined {
    if (r.activity === false) return undefined;
    if (!this.activity) {
      if (r.activity !== undefined) throw new Error('generate: activity guidance was asked for, but the bundle has no activity net (activity/)');
      return undefined;
    }
    if (!activityApplies(mask)) {
      if (r.activity !== undefined)
        throw new Error('generate: activity guidance needs the whole video given and some audio generated (v2a-like tasks)');
      return undefined;
    }
    return { net: this.activity, strength: r.activity ?? ACTIVITY_STRENGTH };
  }

  /** Runs one task or condition; returns the clip (given cells keep the original pixels and samples). */
  async generate(r: GenerateRequest): Promise<AVClip> {
    return drain(this.steps(r), r.onStep); // async: a bad request rejects rather than throws
  }

  /** The same, as an async iterator of steps (for UIs that render progress themselves). */
  steps(r: GenerateRequest): AsyncGenerator<ClipStep, AVClip> {
    const mask = typeof r.task === 'string' ? parseCondition(r.task, this.window.numSegments) : r.task;
    const T = this.window.windowFrames,
      start = r.start ?? 0;
    if (r.clip && r.clip.numFrames < start + T)
      throw new Error(`generate: the clip has ${r.clip.numFrames} frames; the model's window needs ${T} from frame ${start}`);
    const source = r.clip && (r.clip.numFrames !== T || start > 0) ? sliceClip(r.clip, start, T) : r.clip;
    return generateClipSteps(this.model, this.codecs, {
      mask,
      source,
      steps: r.steps ?? SAMPLER_DEFAULTS.steps,
      guidance: r.guidance,
      guidanceInterval: r.guidanceInterval,
      eta: r.eta,
      temperature: r.temperature,
      seed: r.seed,
      previewEvery: r.previewEvery,
      activity: this.#activity(r, mask),
    });
  }
}
