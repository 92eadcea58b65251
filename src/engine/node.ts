/**
 * Node entry to the engine: makes the runtime ready (relaxed SIMD, iterator helpers on Node 20; see
 * node-runtime.ts), installs the worker-thread shim and (optionally) the WebGPU globals, then starts jax-js. Environment:
 * AVDIT_DEVICE (auto|wasm|webgpu|cpu), AVDIT_THREADS (wasm threads; default: all cores), AVDIT_CONV (the wasm conv
 * lowering: auto|auto-train|im2col|taps|taps-split|winograd, to measure one against another; default auto, or the caller's
 * `convLowering`: the codec trainer asks for auto-train).
 */
import os from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { installNodeThreads } from './node-threads.js';
import { prepareNodeRuntime } from './node-runtime.js';
import { installNodeWebGPU } from './node-webgpu.js';
import { initEngine, parseDevice, type DeviceRequest, type EngineInfo } from './select.js';
import { setConvLowering, type ConvLowering } from './ops.js';

export interface NodeEngineOptions {
  device?: DeviceRequest;
  /** the process-wide wasm conv lowering (AVDIT_CONV, when set, wins; default 'auto'). */
  convLowering?: ConvLowering;
  threads?: number;
}

export async function initNodeEngine(opts: NodeEngineOptions = {}): Promise<EngineInfo> {
  prepareNodeRuntime();
  setConvLowering(((process.env.AVDIT_CONV as ConvLowering | undefined) || opts.convLowering) ?? 'auto');
  const device = opts.device ?? parseDevice(process.env.AVDIT_DEVICE ?? 'auto');
  const envThreads = process.env.AVDIT_THREADS ? Number(process.env.AVDIT_THREADS) : NaN;
  const requested = opts.threads ?? (Number.isFinite(envThreads) ? envThreads : os.availableParallelism());
  const threads = device === 'wasm' || device === 'auto' ? installNodeThreads(requested) : 1;
  if (device === 'webgpu' || (device === 'auto' && hasGpuDevice())) await installNodeWebGPU();
  return initEngine(device, threads);
}

/** A GPU device node exists (NVIDIA or a DRM render node): only then is WebGPU worth probing in 'auto'. */
function hasGpuDevice(): boolean {
  if (process.platform !== 'linux') return true;
  try {
    return existsSync('/dev/nvidia0') || readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}
