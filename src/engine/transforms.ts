/**
 * Function transformations (jit, grad) and pytree helpers, re-exported from jax-js with avdit's types.
 * Parameters everywhere in avdit are flat `Record<string, Tensor>` maps with dotted names, which is
 * what safetensors stores and what the PyTorch twins use.
 */
import { jx, type Tensor } from './runtime.js';

export type Params = Record<string, Tensor>;

// The `as any` casts below are the seam's one place of them: jax-js types its transforms over its own
// pytree type (JsTree<Array>), which avdit's generic signatures (params maps, tuples, nested states)
// satisfy structurally but TypeScript cannot prove; the typed wrappers here give every caller exact types.

/** jit-compiles `f` (fused kernels, cached per input shapes). Arguments are consumed like any op. */
export function jit<A extends unknown[], R>(f: (...args: A) => R, staticArgnums?: number[]): (...args: A) => R {
  return jx().jit(f as any, staticArgnums ? { staticArgnums } : undefined) as any;
}

/** `[value, grads]` of a scalar function w.r.t. its first argument (a tensor or pytree). */
export function valueAndGrad<A extends unknown[], P>(f: (p: P, ...rest: A) => Tensor): (p: P, ...rest: A) => [Tensor, P] {
  return jx().valueAndGrad(f as any) as any;
}

/** Like valueAndGrad for `f` returning `[loss, aux]`: gives `[[loss, aux], grads]`. */
export function valueAndGradAux<A extends unknown[], P, X>(f: (p: P, ...rest: A) => [Tensor, X]): (p: P, ...rest: A) => [[Tensor, X], P] {
  return jx().valueAndGrad(f as any, { hasAux: true }) as any;
}

export function grad<A extends unknown[], P>(f: (p: P, ...rest: A) => Tensor): (p: P, ...rest: A) => P {
  return jx().grad(f as any) as any;
}

/** One more reference to every tensor of a pytree (so passing it to an op keeps the original alive). */
export function refTree<T>(t: T): T {
  return jx().tree.ref(t as any) as T;
}

/** Drops one reference from every tensor of a pytree. */
export function disposeTree(t: unknown): void {
  jx().tree.dispose(t as any);
}

/** Waits until every pending kernel producing `t` has finished (threads/WebGPU run asynchronously). */
export async function blockUntilReady<T>(t: T): Promise<T> {
  return (await jx().blockUntilReady(t as any)) as T;
}
