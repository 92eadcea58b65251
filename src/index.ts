/**
 * avdit: any-to-any audio-video generation with one diffusion transformer trained with a Mixture of
 * Noise Levels. This entry is browser-safe; Node-only pieces (ffmpeg, files, the dataset cache) are in
 * `avdit/node`.
 */

// ---- tensor engine (jax-js behind one seam) ----
export { initEngine, engineInfo, ops, jit, valueAndGrad, adamwInit, adamwUpdate, adamwScalars, ADAMW_DEFAULTS } from './engine/index.js';
export type { Tensor, Params, EngineInfo, DeviceRequest, AdamWConfig, AdamWState } from './engine/index.js';
