/**
 * The seam between avdit and its tensor engine (jax-js). Nothing outside src/engine/ imports jax-js.
 *   ops        — the op set (ops.ts), checked by conformance.ts on every device
 *   transforms — jit, valueAndGrad, pytree ref/dispose
 *   adamw      — the optimizer (jax-js ships none)
 *   initEngine — picks the device (select.ts); Node code calls initNodeEngine from ./node.js instead
 */
export * as ops from './ops.js';
export type { Tensor, Pair, ConvOptions, ConvLowering } from './ops.js';
export { jit, valueAndGrad, valueAndGradAux, grad, refTree, disposeTree, blockUntilReady, type Params } from './transforms.js';
export { adamwInit, adamwUpdate, adamwScalars, clipByGlobalNorm, emaUpdate, ADAMW_DEFAULTS, type AdamWConfig, type AdamWState } from './adamw.js';
export { initEngine, engineInfo, parseDevice, SUPPORTED_DEVICES, type EngineInfo, type DeviceRequest } from './select.js';
export type { Device } from './runtime.js';
export { profileKernels, type KernelTime } from './profile.js';
