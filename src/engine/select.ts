/**
 * Picks the device, once: WebGPU when a hardware adapter exists (a browser, or Node with the `webgpu`
 * package on a GPU machine), else wasm. A software adapter (Mesa llvmpipe) is only used when asked for
 * by name: it is correct but far slower than wasm.
 */
import { loadJax, setCurrentDevice, type Device } from './runtime.js';

export type DeviceRequest = 'auto' | Device;
export const SUPPORTED_DEVICES: readonly DeviceRequest[] = ['auto', 'wasm', 'webgpu', 'cpu'];

export interface EngineInfo {
  device: Device;
  /** wasm worker threads in effect (1 = single-threaded). */
  threads: number;
  /** a short description of the adapter when on WebGPU. */
  adapter?: string;
}

let info: EngineInfo | null = null;

export function parseDevice(s: string): DeviceRequest {
  if ((SUPPORTED_DEVICES as readonly string[]).includes(s)) return s as DeviceRequest;
  throw new Error(`unknown device "${s}": supported devices are ${SUPPORTED_DEVICES.join(', ')}`);
}

async function describeAdapter(): Promise<{ software: boolean; text: string } | null> {
  // as any: Node's globalThis has no `navigator` type (lib dom is off); the webgpu package installs one at run time
  const gpu = (globalThis as any).navigator?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const i = adapter.info ?? {};
  const software = i.isFallbackAdapter === true || i.architecture === 'software' || /llvmpipe|swiftshader/i.test(`${i.device} ${i.description}`);
  const name = [i.vendor, i.architecture, i.description || i.device].filter(Boolean).join(' ') || 'unknown adapter';
  return { software, text: software ? `${name} (software)` : name };
}

/**
 * Initialises jax-js on the requested device. Idempotent: a second call returns the first result and
 * throws when it asks for a different device.
 */
export async function initEngine(request: DeviceRequest = 'auto', threads = 1): Promise<EngineInfo> {
  if (info) {
    if (request !== 'auto' && request !== info.device)
      throw new Error(`avdit engine already running on ${info.device}; cannot switch to ${request} in the same process`);
    return info;
  }
  const jax = await loadJax(threads);
  let device: Device = 'wasm';
  let adapter: string | undefined;
  if (request === 'webgpu' || request === 'auto') {
    const a = await describeAdapter();
    const wanted = a !== null && (request === 'webgpu' || !a.software);
    if (wanted && (await jax.init('webgpu')).includes('webgpu')) {
      device = 'webgpu';
      adapter = a!.text;
    } else if (request === 'webgpu') {
      throw new Error(
        'WebGPU was requested but no adapter is available here (in Node, install the optional "webgpu" package and a Vulkan driver); use --device wasm',
      );
    }
  } else if (request === 'cpu') {
    device = 'cpu';
  }
  if (device !== 'webgpu') await jax.init(device);
  jax.defaultDevice(device);
  setCurrentDevice(device);
  info = { device, threads: device === 'wasm' ? threads : 1, adapter };
  return info;
}

export function engineInfo(): EngineInfo {
  if (!info) throw new Error('avdit engine not initialised: call initEngine() (or initNodeEngine() in Node) first');
  return info;
}
