/**
 * Parameters: named shapes with an init rule, created on the host from a seed (identical on every
 * device), moved to and from the engine, saved as safetensors. Layout convention (ours, channels-last):
 * linear weights [in, out], conv kernels [...k, in, out]. The PyTorch twins transpose on load.
 */
import { ops, type Params } from '../engine/index.js';
import { foldIn, normal, type Key } from '../util/rng.js';
import type { HostParams } from '../util/safetensors.js';

export type Init = 'zeros' | 'ones' | { normal: number } | 'fanIn';

export interface ParamSpec {
  shape: number[];
  init: Init;
}

export type ParamSpecs = Record<string, ParamSpec>;

function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Host-side initial values; each parameter's noise depends on (seed, name) only. */
export function initHostParams(specs: ParamSpecs, key: Key): HostParams {
  const out: HostParams = {};
  for (const [name, { shape, init }] of Object.entries(specs)) {
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (init === 'zeros') data = new Float32Array(n);
    else if (init === 'ones') data = new Float32Array(n).fill(1);
    else {
      const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
      const std = init === 'fanIn' ? 1 / Math.sqrt(fanIn) : init.normal;
      data = normal(foldIn(key, hashName(name)), n, std);
    }
    out[name] = { shape, data };
  }
  return out;
}

export function toDevice(host: HostParams): Params {
  return Object.fromEntries(Object.entries(host).map(([k, v]) => [k, ops.tensor(v.data, v.shape)]));
}

/** Reads parameters back to the host (keeps the device copies). */
export async function toHost(params: Params): Promise<HostParams> {
  const out: HostParams = {};
  for (const [k, v] of Object.entries(params)) out[k] = { shape: v.shape.slice(), data: await ops.read(v.ref) };
  return out;
}

export function countParams(specs: ParamSpecs | HostParams): number {
  return Object.values(specs).reduce((a: number, s: { shape: number[] }) => a + s.shape.reduce((x: number, y: number) => x * y, 1), 0);
}

/** Checks that loaded tensors match the model's specs exactly, naming the first mismatch. */
export function checkAgainstSpecs(host: HostParams, specs: ParamSpecs, source: string): void {
  for (const [k, s] of Object.entries(specs)) {
    const t = host[k];
    if (!t) throw new Error(`${source}: missing tensor "${k}" (checkpoint does not match this model)`);
    if (t.shape.join() !== s.shape.join()) throw new Error(`${source}: tensor "${k}" has shape [${t.shape}], the model expects [${s.shape}]`);
  }
  const extra = Object.keys(host).filter((k) => !(k in specs));
  if (extra.length) throw new Error(`${source}: unexpected tensor "${extra[0]}" (checkpoint does not match this model)`);
}
