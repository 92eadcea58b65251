/**
 * Seeded host-side randomness (JAX-style keys): a key is a 32-bit integer; `split`/`foldIn` derive
 * independent keys deterministically, so the same seed gives the same noise on every device.
 */

export type Key = number;

/** A new key derived from `key` and `data` (a step index, a purpose tag…). */
export function foldIn(key: Key, data: number): Key {
  let h = (key ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (data >>> 0), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function split(key: Key, n = 2): Key[] {
  return Array.from({ length: n }, (_, i) => foldIn(key, i + 1));
}

/** `n` uniform floats in [0, 1). */
export function uniform(key: Key, n: number): Float32Array {
  const r = mulberry32(key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r();
  return out;
}

/** `n` standard normal floats (Box–Muller). */
export function normal(key: Key, n: number, scale = 1): Float32Array {
  const r = mulberry32(key);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - r();
    const v = r();
    const m = Math.sqrt(-2 * Math.log(u)) * scale;
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Uniform integers in [lo, hi). */
export function randint(key: Key, n: number, lo: number, hi: number): Int32Array {
  const u = uniform(key, n);
  return Int32Array.from(u, (x) => lo + Math.min(hi - lo - 1, Math.floor(x * (hi - lo))));
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(key: Key, n: number): number[] {
  const r = mulberry32(key);
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** mulberry32: a small seeded PRNG, returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
