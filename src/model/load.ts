/** Builds an AvditModel (network + layout + constants) from a checkpoint's config and tensors. */
import { toDevice, checkAgainstSpecs } from '../nn/params.js';
import type { HostParams } from '../util/safetensors.js';
import { makeTokenLayout } from '../monl/layout.js';
import type { SegmentLayout } from '../codecs/segments.js';
import { avditConsts, avditSpecs, validateAvdit, type AvditConfig } from './avdit.js';
import type { AvditModel } from '../pipeline/generate.js';

export interface AvditCheckpointConfig {
  kind: 'avdit';
  model: AvditConfig;
  layout: { video: number[]; audio: number[]; segments: number };
  latents: { data: { fps: number; sampleRate: number; windowFrames: number; width: number; height: number }; segmentLayout: SegmentLayout; audioHopSec: number; codecs?: unknown };
  strategy?: string;
}

export function avditFromCheckpoint(ck: { config: unknown; params: HostParams }, source = 'checkpoint'): AvditModel & { checkpoint: AvditCheckpointConfig } {
  const cfg = ck.config as AvditCheckpointConfig;
  if (cfg?.kind !== 'avdit') throw new Error(`${source}: is a ${(cfg as any)?.kind ?? 'unknown'} checkpoint, expected an avdit model`);
  const config = validateAvdit(cfg.model);
  const [L, h, w, C] = cfg.layout.video;
  const [La, Ca] = cfg.layout.audio;
  const layout = makeTokenLayout(cfg.latents.segmentLayout, { L, h, w, C }, { La, C: Ca }, config.patch, cfg.latents.data.fps, cfg.latents.audioHopSec);
  checkAgainstSpecs(ck.params, avditSpecs(config, layout), source);
  return { config, layout, params: toDevice(ck.params), consts: avditConsts(config, layout), checkpoint: cfg };
}
