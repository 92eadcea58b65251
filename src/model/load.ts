/** Builds an AvditModel (network + layout + constants) from a checkpoint's config and tensors. */
import { toDevice, checkAgainstSpecs } from '../nn/params.js';
import { checkSchema, type Schema } from '../util/schema.js';
import type { HostParams } from '../util/safetensors.js';
import { makeTokenLayout } from '../monl/layout.js';
import type { SegmentLayout } from '../monl/segments.js';
import { avditConsts, avditSpecs, validateAvdit, type AvditConfig, type AvditConsts } from './avdit.js';
import type { Params } from '../engine/index.js';
import { scheduleFromConfig, type Schedule, type ScheduleConfig } from '../diffusion/schedule.js';
import type { TokenLayout } from '../monl/layout.js';

/** A loaded network: config, token layout, weights on the device, constants, and the noise schedule it was trained with. */
export interface AvditModel {
  config: AvditConfig;
  layout: TokenLayout;
  params: Params;
  consts: AvditConsts;
  schedule: Schedule;
}

export interface AvditCheckpointConfig {
  kind: 'avdit';
  model: AvditConfig;
  layout: { video: number[]; audio: number[]; segments: number };
  diffusion: ScheduleConfig;
  latents: {
    data: { fps: number; sampleRate: number; windowFrames: number; width: number; height: number };
    segmentLayout: SegmentLayout;
    audioHopSec: number;
    codecs?: unknown;
  };
  strategy?: string;
}

/** What avditFromCheckpoint reads from config.json; a missing or mistyped field is a one-line error. */
export const AVDIT_CONFIG_SCHEMA: Schema = {
  kind: 'string',
  model: { width: 'number', depth: 'number', heads: 'number', mlpRatio: 'number', patch: 'number', timeFreqs: 'number', selfCondition: 'boolean' },
  layout: { video: 'number[]', audio: 'number[]', segments: 'number' },
  diffusion: { kind: 'string', T: 'number' }, // the fields of each kind: scheduleFromConfig
  latents: {
    data: { fps: 'number', sampleRate: 'number', windowFrames: 'number', width: 'number', height: 'number' },
    segmentLayout: { numSegments: 'number', bounds: 'object', videoSegment: 'number[]', audioSegment: 'number[]', frames: 'object' },
    audioHopSec: 'number',
  },
};

export function avditFromCheckpoint(
  ck: { config: unknown; params: HostParams },
  source = 'checkpoint',
): AvditModel & { checkpoint: AvditCheckpointConfig } {
  const kind = (ck.config as { kind?: unknown } | null)?.kind;
  if (kind !== 'avdit') throw new Error(`${source}: is a ${kind ?? 'unknown'} checkpoint, expected an avdit model`);
  checkSchema(ck.config, AVDIT_CONFIG_SCHEMA, `${source}/config.json`);
  const cfg = ck.config as AvditCheckpointConfig;
  const config = validateAvdit(cfg.model);
  const [L, h, w, C] = cfg.layout.video;
  const [La, Ca] = cfg.layout.audio;
  const layout = makeTokenLayout(
    cfg.latents.segmentLayout,
    { L, h, w, C },
    { La, C: Ca },
    config.patch,
    cfg.latents.data.fps,
    cfg.latents.audioHopSec,
  );
  checkAgainstSpecs(ck.params, avditSpecs(config, layout), source);
  const schedule = scheduleFromConfig(cfg.diffusion, `${source}/config.json`);
  return { config, layout, params: toDevice(ck.params), consts: avditConsts(config, layout), schedule, checkpoint: cfg };
}
