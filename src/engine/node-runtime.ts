/**
 * What jax-js needs from the Node runtime, made true on every Node avdit runs on. avdit supports Node ≥ 22
 * (the LTS lines 22 and 24): wasm relaxed SIMD is on by default there and jax-js uses it (its
 * `relaxed-madd` probe), which made `bench:block` fwd+bwd 16–33% faster. Node 20 (end of life since April
 * 2026) still runs: there the V8 flag is switched on at start (same speed as Node 22 on the same bench), and
 * the two ES2025 iterator helpers jax-js's einsum calls (`map`, `filter` on a RegExp match iterator) are
 * added. Both must happen before jax-js compiles its first module; V8 flags are process-wide, so the
 * worker threads get them too.
 */
import v8 from 'node:v8';

/** jax-js's own probe: a module using f32x4.relaxed_madd. */
const RELAXED_MADD = '0061736d0100000001080160037b7b7b017b030201000a0d010b00200020012002fd85020b';

export interface RuntimeInfo {
  node: string;
  relaxedSimd: boolean;
  /** what was switched on here (empty on Node ≥ 22). */
  enabled: string[];
}

let info: RuntimeInfo | null = null;

export function prepareNodeRuntime(): RuntimeInfo {
  if (info) return info;
  const enabled: string[] = [];
  const probe = Uint8Array.from(RELAXED_MADD.match(/../g)!.map((h) => parseInt(h, 16)));
  // AVDIT_RELAXED_SIMD=0 leaves the flag off (to measure what it buys; see docs/performance.md)
  if (!WebAssembly.validate(probe) && process.env.AVDIT_RELAXED_SIMD !== '0') {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    enabled.push('--experimental-wasm-relaxed-simd');
  }
  const iterProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Record<string, unknown>;
  if (typeof iterProto.map !== 'function') {
    const define = (name: string, fn: (this: Iterator<unknown>, f: (v: unknown, i: number) => unknown) => Generator) =>
      Object.defineProperty(iterProto, name, { value: fn, writable: true, configurable: true });
    define('map', function* (f) {
      let i = 0;
      for (let r = this.next(); !r.done; r = this.next()) yield f(r.value, i++);
    });
    define('filter', function* (f) {
      let i = 0;
      for (let r = this.next(); !r.done; r = this.next()) if (f(r.value, i++)) yield r.value;
    });
    enabled.push('Iterator.prototype.map/filter');
  }
  info = { node: process.versions.node, relaxedSimd: WebAssembly.validate(probe), enabled };
  return info;
}
