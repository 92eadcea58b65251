/**
 * Small layers over the engine's ops, parameterised by name into a flat Params map. Each returns the
 * ParamSpecs it needs (`*Specs`) and applies itself (`*Apply`). Channels-last throughout.
 */
import { ops, type ConvLowering, type Params, type Tensor } from '../engine/index.js';
import type { ParamSpecs } from './params.js';

export function linearSpecs(name: string, cin: number, cout: number, zeroInit = false): ParamSpecs {
  return { [`${name}.weight`]: { shape: [cin, cout], init: zeroInit ? 'zeros' : 'fanIn' }, [`${name}.bias`]: { shape: [cout], init: 'zeros' } };
}

export function linear(p: Params, name: string, x: Tensor): Tensor {
  return ops.add(ops.matmul(x, p[`${name}.weight`].ref), p[`${name}.bias`].ref);
}

export function convSpecs(name: string, k: number[], cin: number, cout: number, zeroInit = false): ParamSpecs {
  return { [`${name}.weight`]: { shape: [...k, cin, cout], init: zeroInit ? 'zeros' : 'fanIn' }, [`${name}.bias`]: { shape: [cout], init: 'zeros' } };
}

/** 'same' conv for odd kernels (stride 1); `causalAxis` pads that spatial axis on the left only. */
export function conv(p: Params, name: string, x: Tensor, causalAxis = -1, lowering?: ConvLowering): Tensor {
  const w = p[`${name}.weight`];
  const k = w.shape.slice(0, w.ndim - 2);
  const padding = k.map((n, i): [number, number] => (i === causalAxis ? [n - 1, 0] : [(n - 1) >> 1, n >> 1]));
  return ops.add(ops.conv(x, w.ref, { padding, lowering }), p[`${name}.bias`].ref);
}

/** Pre-norm residual block: x + conv(gelu(ln(conv(gelu(ln(x)))))), second conv zero-initialised. */
export function resBlockSpecs(name: string, k: number[], c: number): ParamSpecs {
  return { ...convSpecs(`${name}.conv1`, k, c, c), ...convSpecs(`${name}.conv2`, k, c, c, true) };
}

export function resBlock(p: Params, name: string, x: Tensor, causalAxis = -1): Tensor {
  const h = conv(p, `${name}.conv1`, ops.gelu(ops.layerNorm(x.ref)), causalAxis);
  return ops.add(x, conv(p, `${name}.conv2`, ops.gelu(ops.layerNorm(h)), causalAxis));
}
