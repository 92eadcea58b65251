/**
 * Node only: gives jax-js's wasm backend the Web Worker API on top of `node:worker_threads`, so its
 * kernels run on all cores instead of one. Must run before jax-js is imported (runtime.ts).
 *
 * jax-js builds its worker from a Blob URL; Blob URLs do not cross Node threads, so the source is read
 * here and sent as the first message. Each worker is unref'd while idle so the process can exit.
 */
import { Worker as NodeWorker } from 'node:worker_threads';
import { resolveObjectURL } from 'node:buffer';
import os from 'node:os';

const BOOT = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
parentPort.once('message', (src) => {
  (0, eval)(src);
  parentPort.on('message', (m) => self.onmessage({ data: m }));
});
`;

let wasmMemory: WebAssembly.Memory | null = null;

/** What the workers were asked to do since `resetWorkerStats()` (or the start), measured on the main thread. */
export interface WorkerStats {
  /** kernel dispatches posted (one per worker a kernel is split over, or per worker of a batch) */
  kernels: number;
  /** of which carried a compiled module (jax-js patch 6 posts each module to a worker once) */
  modules: number;
  /** messages posted to the workers (jax-js patch 7 sends the kernels queued meanwhile as one batch per worker) */
  messages: number;
  /** summed over the workers: time with a message outstanding (posted, reply not yet handled) */
  outstandingMs: number;
  /** time with no message outstanding on any worker: the main thread's share (dispatch, graph building, event loop) */
  noneMs: number;
  wallMs: number;
}
const stats = { kernels: 0, modules: 0, messages: 0, outstandingMs: 0, noneMs: 0, since: performance.now(), last: performance.now(), open: 0 };

function tick(): void {
  const now = performance.now();
  if (stats.open === 0) stats.noneMs += now - stats.last;
  else stats.outstandingMs += (now - stats.last) * stats.open;
  stats.last = now;
}

export function resetWorkerStats(): void {
  tick();
  Object.assign(stats, { kernels: 0, modules: 0, messages: 0, outstandingMs: 0, noneMs: 0, since: stats.last });
}

export function workerStats(): WorkerStats {
  tick();
  const { kernels, modules, messages, outstandingMs, noneMs } = stats;
  return { kernels, modules, messages, outstandingMs, noneMs, wallMs: stats.last - stats.since };
}

/**
 * Size of jax-js's wasm heap in bytes (it grows, never shrinks: flat across steps = no leak), as seen
 * by the thread shim; null when running single-threaded.
 */
export function wasmHeapBytes(): number | null {
  return wasmMemory ? wasmMemory.buffer.byteLength : null;
}

class WebWorkerShim {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  #worker: NodeWorker;
  #pending = 0; // messages sent that still await a reply: the worker keeps the process alive only then
  #queue: unknown[] | null = [];

  constructor(url: string | URL) {
    this.#worker = new NodeWorker(BOOT, { eval: true });
    this.#worker.on('message', (data) => {
      tick();
      stats.open--;
      if (--this.#pending === 0) this.#worker.unref();
      this.onmessage?.({ data });
    });
    this.#worker.on('error', (e) => (this.onerror ? this.onerror(e) : console.error('avdit: wasm worker failed:', e)));
    this.#worker.unref();
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`worker source ${String(url)} is not a Blob URL`);
    void blob.text().then((src) => {
      this.#worker.postMessage(src);
      for (const m of this.#queue ?? []) this.#worker.postMessage(m);
      this.#queue = null;
    });
  }

  postMessage(m: unknown): void {
    const mem = (m as { type?: string; memory?: WebAssembly.Memory }).memory;
    if ((m as { type?: string }).type === 'init' && mem) wasmMemory = mem;
    tick();
    stats.open++;
    const type = (m as { type?: string }).type;
    // one kernel, or (jax-js patch 7) a batch of them
    const kernels = type === 'kernel' ? [m as { module?: unknown }] : type === 'batch' ? (m as { kernels: { module?: unknown }[] }).kernels : [];
    stats.kernels += kernels.length;
    stats.modules += kernels.filter((k) => k.module).length;
    stats.messages++;
    if (this.#pending++ === 0) this.#worker.ref();
    if (this.#queue) this.#queue.push(m);
    else this.#worker.postMessage(m);
  }

  terminate(): void {
    void this.#worker.terminate();
  }
}

/** Installs the shim; `threads` ≤ 1 leaves jax-js single-threaded. Returns the thread count in effect. */
export function installNodeThreads(threads = os.availableParallelism()): number {
  if (threads <= 1) return 1;
  const g = globalThis as Record<string, unknown>;
  g.Worker = WebWorkerShim;
  if (g.navigator === undefined) g.navigator = {};
  Object.defineProperty(g.navigator as object, 'hardwareConcurrency', { value: threads, configurable: true });
  return threads;
}
