/**
 * avdit: any-to-any audio-video generation with one diffusion transformer trained with a Mixture of
 * Noise Levels. This entry is browser-safe; Node-only pieces (ffmpeg, files, the dataset cache) are in
 * `avdit/node`.
 */

// ---- tensor engine (jax-js behind one seam) ----
export { initEngine, engineInfo, ops, jit, valueAndGrad, adamwInit, adamwUpdate, adamwScalars, ADAMW_DEFAULTS } from './engine/index.js';
export type { Tensor, Params, EngineInfo, DeviceRequest, AdamWConfig, AdamWState } from './engine/index.js';

// ---- the pipeline: load a bundle, run any task ----
export { AvditPipeline, type BundleReader, type GenerateRequest } from './api.js';
export { TASKS, parseCondition, formatCondition, type ConditionMask } from './monl/tasks.js';
export { SAMPLER_DEFAULTS, defaultGuidance } from './pipeline/defaults.js';
export { stepTimer } from './pipeline/step-timer.js';
export { makeClip, sliceClip, type AVClip } from './media/clip.js';

// ---- pieces for your own loops ----
export { VideoCodec, AudioCodec, type CodecCheckpoint } from './codecs/codec.js';
export { avditFromCheckpoint, type AvditCheckpointConfig, type AvditModel } from './model/load.js';
export { AVDIT_PRESETS, avditForward, avditSpecs, type AvditConfig } from './model/avdit.js';
export { MIXTURES, parseMixture } from './monl/strategies.js';
export { generate, generateSteps, type GenerateOptions, type Latents } from './pipeline/generate.js';
export { generateClipSteps, decodeClips, restoreGivenCells, type Codecs, type LoadedModel, type ClipStep } from './pipeline/clip-generate.js';
export { generatedElements, cellsToFrames, frameCells, maskCells, type ElementPlan } from './monl/cells.js';
export { unconditionalInputs, guide, type GuidanceMode } from './pipeline/guidance.js';
export { ddimStep, samplingTimesteps, predictX0Host } from './diffusion/samplers/ddim.js';
export {
  linearSchedule,
  cosineSchedule,
  scheduleFromConfig,
  SCHEDULE_DEFAULTS,
  COSINE_DEFAULTS,
  SCHEDULE_KINDS,
  type Schedule,
  type ScheduleConfig,
} from './diffusion/schedule.js';
export { decodeSafetensors, encodeSafetensors, type HostParams } from './util/safetensors.js';
