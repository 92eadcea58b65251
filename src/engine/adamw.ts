/**
 * AdamW (Loshchilov & Hutter) with decoupled weight decay, matching torch.optim.AdamW:
 *   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + eps)
 * Weight decay applies to tensors with ≥ 2 axes (matrices, kernels), not to biases, norms or
 * embeddings of rank 1. The step count and the bias corrections live on the host and enter as scalar
 * tensors, so a jit-compiled update is compiled once.
 */
import { full, mul, add, sub, div, sqrt, square, zeros, sum, minimum, type Tensor } from './ops.js';
import type { Params } from './transforms.js';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface AdamWState {
  m: Params;
  v: Params;
}

export function adamwInit(params: Params): AdamWState {
  const m: Params = {};
  const v: Params = {};
  for (const [k, p] of Object.entries(params)) {
    m[k] = zeros(p.shape);
    v[k] = zeros(p.shape);
  }
  return { m, v };
}

/** Host-side scalars for step t (1-based): [lr, lr·wd, 1/(1−β1^t), 1/(1−β2^t)] as tensors. */
export function adamwScalars(lr: number, step: number, cfg: AdamWConfig): Tensor[] {
  return [lr, lr * cfg.weightDecay, 1 / (1 - cfg.beta1 ** step), 1 / (1 - cfg.beta2 ** step)].map((s) => full([], s));
}

/**
 * One AdamW update. Consumes params, grads, state and scalars; returns the new params and state.
 * Pure: safe to call inside jit.
 */
export function adamwUpdate(
  params: Params,
  grads: Params,
  state: AdamWState,
  scalars: Tensor[],
  cfg: AdamWConfig,
): { params: Params; state: AdamWState } {
  const [lr, lrWd, c1, c2] = scalars;
  const out: Params = {};
  const m: Params = {};
  const v: Params = {};
  const keys = Object.keys(params);
  for (const k of keys) {
    const g = grads[k];
    if (!g) throw new Error(`adamw: no gradient for parameter "${k}"`);
    const p = params[k];
    m[k] = add(mul(state.m[k], cfg.beta1), mul(g.ref, 1 - cfg.beta1));
    v[k] = add(mul(state.v[k], cfg.beta2), mul(square(g), 1 - cfg.beta2));
    const mHat = mul(m[k].ref, c1.ref);
    const vHat = mul(v[k].ref, c2.ref);
    const upd = div(mHat, add(sqrt(vHat), cfg.eps));
    const decayed = p.ndim >= 2 ? sub(p.ref, mul(p, lrWd.ref)) : p;
    out[k] = sub(decayed, mul(upd, lr.ref));
  }
  for (const s of scalars) s.dispose();
  return { params: out, state: { m, v } };
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_).
 * Returns the clipped gradients and the norm before clipping. Pure: safe inside jit.
 */
export function clipByGlobalNorm(grads: Params, maxNorm: number): [Params, Tensor] {
  const keys = Object.keys(grads);
  let sq: Tensor | null = null;
  for (const k of keys) {
    const s = sum(square(grads[k].ref));
    sq = sq === null ? s : add(sq, s);
  }
  const norm = sqrt(sq ?? full([], 0));
  const scale = minimum(div(maxNorm, add(norm.ref, 1e-6)), 1);
  const out: Params = {};
  for (const k of keys) out[k] = mul(grads[k], scale.ref);
  scale.dispose();
  return [out, norm];
}

/** Exponential moving average of parameters: ema ← d·ema + (1−d)·p (consumes ema, keeps p). */
export function emaUpdate(ema: Params, params: Params, decay: number): Params {
  const out: Params = {};
  for (const k of Object.keys(ema)) out[k] = add(mul(ema[k], decay), mul(params[k].ref, 1 - decay));
  return out;
}
