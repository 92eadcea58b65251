/**
 * The one place that loads jax-js. Everything else in avdit reaches the tensor engine through
 * `src/engine/` (see ops.ts); no other folder may import `@jax-js/jax` (a unit test scans for it).
 *
 * jax-js is imported lazily: in Node its wasm backend decides at import time whether it may use
 * threads (it looks for a global `Worker`), so the Node entry installs a worker shim first
 * (node-threads.ts) and only then calls `loadJax()`.
 */
import type * as Jax from '@jax-js/jax';

export type JaxModule = typeof Jax;
/** An array on the current device. Ownership rule (jax-js): passing it to an op consumes it; use `.ref` to keep it. */
export type Tensor = Jax.Array;
export type Device = 'wasm' | 'webgpu' | 'cpu';

let jaxModule: JaxModule | null = null;
let current: Device | null = null;

/**
 * Imports jax-js once. Its wasm backend runs kernels on a pool of `navigator.hardwareConcurrency` workers when
 * it finds a global `Worker` and SharedArrayBuffer at import time; `threads` > 1 sets that count (the first
 * call's counts). jax-js 0.1 has no inline mode once workers exist: fewer than 2 threads needs a realm without
 * `Worker` (Node without the thread shim; a page that is not cross-origin isolated).
 */
export async function loadJax(threads?: number): Promise<JaxModule> {
  if (jaxModule) return jaxModule;
  const nav = (globalThis as { navigator?: object }).navigator;
  if (threads !== undefined && threads > 1 && nav) Object.defineProperty(nav, 'hardwareConcurrency', { value: threads, configurable: true });
  jaxModule = await import('@jax-js/jax');
  return jaxModule;
}

/** The loaded jax-js module; throws a teaching error when the engine was not started. */
export function jx(): JaxModule {
  if (jaxModule === null) throw new Error('avdit engine not initialised: call initEngine() (or initNodeEngine() in Node) first');
  return jaxModule;
}

export function setCurrentDevice(d: Device): void {
  current = d;
}

/** The device arrays are created on, once the engine is initialised. */
export function currentDevice(): Device {
  if (current === null) throw new Error('avdit engine not initialised: call initEngine() (or initNodeEngine() in Node) first');
  return current;
}
