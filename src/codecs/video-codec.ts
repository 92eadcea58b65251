/**
 * Causal video autoencoder (MAGVIT-v2 layout, paper-notes §6): 1 + 4k frames → 1 + k latent frames,
 * `spatialFactor`× smaller in each spatial direction, `latentChannels` (8) continuous channels, no quantizer.
 * Two architectures share the interface: `v1` (the first bundled codec: 8× down, folds 4×4 pixels × 4
 * frames into one vector before any conv) and `v2` (the default: a 3×3 conv sees the full-resolution
 * frames, then one 2× space-to-depth stage at a time, each with its own conv / residual block).
 * The first frame is encoded on its own (it is repeated to fill a group of 4), then each group of 4
 * frames; a latent frame depends only on its own and earlier frames (causal temporal convs), so
 * changing frame f never changes the latents of earlier groups.
 *
 * Shapes (defaults): frames [B, 17, 64, 64, 3] in [0,1]
 *   → groups [B·5, 64, 64, 12] (time-to-depth) → space-to-depth 4 → [B·5, 16, 16, 192]
 *   → conv + res blocks at 16×16×C → causal temporal mix → space-to-depth 2 → [B·5, 8, 8, 4C] → 8×8×C
 *   → conv → latents [B, 5, 8, 8, 8]; the decoder mirrors it with depth-to-space.
 */
import { ops, type Params, type Tensor } from '../engine/index.js';
import { conv, convSpecs, linear, linearSpecs, resBlock, resBlockSpecs } from '../nn/layers.js';
import type { ParamSpecs } from '../nn/params.js';

export interface VideoCodecConfig {
  width: number;
  height: number;
  latentChannels: number;
  /** v1: width of the 1/4 and 1/8 resolution stages; v2: width at the latent resolution (halved per 2× up). */
  hidden: number;
  /** residual blocks per side at the latent resolution (v1: at 1/4 resolution). */
  resBlocks: number;
  /** architecture; absent = v1 (checkpoints written before v2 have no such field). */
  arch?: 'v1' | 'v2';
  /** v2 only: spatial compression, a power of 2 ≥ 2 (v1 is always 8). */
  spatialFactor?: number;
}

/** v2 at 64×64 with 4× spatial compression: latents 16×16×8 per latent frame (paper-notes §6's shape). */
export const VIDEO_CODEC_DEFAULTS: VideoCodecConfig = {
  width: 64,
  height: 64,
  latentChannels: 8,
  hidden: 128,
  resBlocks: 2,
  arch: 'v2',
  spatialFactor: 4,
};
/** The first bundled codec's architecture (8×8 latents at 64×64). */
export const VIDEO_CODEC_V1: VideoCodecConfig = { width: 64, height: 64, latentChannels: 8, hidden: 96, resBlocks: 1, arch: 'v1' };
export const TEMPORAL_GROUP = 4;
const MIN_STAGE_WIDTH = 16;

export function spatialFactor(c: VideoCodecConfig): number {
  return (c.arch ?? 'v1') === 'v1' ? 8 : (c.spatialFactor ?? 4);
}

export function checkVideoCodecConfig(c: VideoCodecConfig, source = 'video codec config'): void {
  const arch = c.arch ?? 'v1';
  if (arch !== 'v1' && arch !== 'v2') throw new Error(`${source}: arch "${arch}" is not v1 or v2`);
  const f = spatialFactor(c);
  if (!(Number.isInteger(Math.log2(f)) && f >= 2)) throw new Error(`${source}: spatialFactor ${f} must be a power of 2 ≥ 2`);
  if (c.width % f || c.height % f) throw new Error(`${source}: ${c.width}×${c.height} is not divisible by the spatial factor ${f}`);
  for (const k of ['hidden', 'latentChannels'] as const)
    if (!(Number.isInteger(c[k]) && c[k] > 0)) throw new Error(`${source}: ${k} = ${c[k]} must be a positive integer`);
}

export function videoLatentShape(c: VideoCodecConfig, numFrames: number): [number, number, number, number] {
  checkFrameCount(numFrames);
  const f = spatialFactor(c);
  return [1 + (numFrames - 1) / TEMPORAL_GROUP, c.height / f, c.width / f, c.latentChannels];
}

/** v2 stage widths, full resolution first: hidden / 2^k for k = log2(factor)…0, at least 16. */
export function stageWidths(c: VideoCodecConfig): number[] {
  const n = Math.log2(spatialFactor(c));
  return Array.from({ length: n + 1 }, (_, i) => Math.max(MIN_STAGE_WIDTH, c.hidden >> (n - i)));
}

export function checkFrameCount(numFrames: number): void {
  if (!Number.isInteger(numFrames) || numFrames < 1 || (numFrames - 1) % TEMPORAL_GROUP !== 0) {
    throw new Error(`video codec: ${numFrames} frames is not 1 + 4k (the first frame is encoded alone, then groups of 4): use 1, 5, 9, 13, 17, …`);
  }
}

export function videoCodecSpecs(c: VideoCodecConfig): ParamSpecs {
  return (c.arch ?? 'v1') === 'v1' ? v1Specs(c) : v2Specs(c);
}

/** frames [B, 1+4k, H, W, 3] in [0,1] → latents [B, 1+k, H/f, W/f, Cz] (un-normalised). */
export function encodeVideo(p: Params, c: VideoCodecConfig, frames: Tensor): Tensor {
  return (c.arch ?? 'v1') === 'v1' ? v1Encode(p, c, frames) : v2Encode(p, c, frames);
}

/** latents [B, L, h, w, Cz] → frames [B, 1+4(L-1), f·h, f·w, 3], roughly in [0,1] (not clipped). */
export function decodeVideo(p: Params, c: VideoCodecConfig, z: Tensor): Tensor {
  return (c.arch ?? 'v1') === 'v1' ? v1Decode(p, c, z) : v2Decode(p, c, z);
}

/** frames [B, T, H, W, 3] → [B·L, H, W, 12] in [-1, 1]: frame 0 fills group 0, then groups of 4 (time-to-depth). */
function groupFrames(frames: Tensor): Tensor {
  const [B, T, H, W] = frames.shape;
  checkFrameCount(T);
  const L = 1 + (T - 1) / TEMPORAL_GROUP;
  let x = ops.sub(ops.mul(frames, 2), 1);
  const first = ops.sliceAxis(x.ref, 1, 0, 1);
  x = ops.concat([ops.repeat(first, TEMPORAL_GROUP - 1, 1), x], 1); // [B, 4L, H, W, 3]
  x = ops.reshape(x, [B, L, TEMPORAL_GROUP, H, W, 3]);
  return ops.reshape(ops.transpose(x, [0, 1, 3, 4, 2, 5]), [B * L, H, W, TEMPORAL_GROUP * 3]);
}

/** the inverse of groupFrames: [B·L, H, W, 12] → [B, 1+4(L-1), H, W, 3] in [0, 1] (padding frames dropped). */
function ungroupFrames(x: Tensor, B: number): Tensor {
  const [BL, H, W] = x.shape;
  const L = BL / B;
  // its own kernel: fused into the regrouping below, the decoder's last tap sum would lose its SIMD path (a 4-lane
  // group of [.., 3] pixels spans two columns, so its masks change inside the group): 19 → 6 ms per 4 × 17 frames
  x = ops.materialize(x);
  x = ops.reshape(x, [B, L, H, W, TEMPORAL_GROUP, 3]);
  x = ops.reshape(ops.transpose(x, [0, 1, 4, 2, 3, 5]), [B, L * TEMPORAL_GROUP, H, W, 3]);
  x = ops.sliceAxis(x, 1, TEMPORAL_GROUP - 1, L * TEMPORAL_GROUP);
  return ops.add(ops.mul(x, 0.5), 0.5);
}

/** causal mix over latent time, residual: x + conv_t(gelu(ln(x))) with kernel 2 padded on the left. */
const timeMix = (p: Params, name: string, x: Tensor, B: number) =>
  mergeBL(ops.add(splitBL(x.ref, B), conv(p, name, ops.gelu(ops.layerNorm(splitBL(x, B))), 0)));

function v2Specs(c: VideoCodecConfig): ParamSpecs {
  checkVideoCodecConfig(c);
  const w = stageWidths(c);
  const n = w.length - 1;
  const pix = TEMPORAL_GROUP * 3;
  const s: ParamSpecs = {
    ...convSpecs('enc.in', [3, 3], pix, w[0]),
    ...convSpecs('enc.time', [2, 1, 1], w[n], w[n], true),
    ...convSpecs('enc.out', [3, 3], w[n], c.latentChannels),
    ...convSpecs('dec.in', [3, 3], c.latentChannels, w[n]),
    ...convSpecs('dec.time', [2, 1, 1], w[n], w[n], true),
    ...convSpecs('dec.out', [3, 3], w[0], pix),
  };
  for (let i = 1; i <= n; i++) {
    Object.assign(s, linearSpecs(`enc.down${i}`, 4 * w[i - 1], w[i]), linearSpecs(`dec.up${i}`, w[i], 4 * w[i - 1]));
    if (i < n) Object.assign(s, resBlockSpecs(`enc.stage${i}`, [3, 3], w[i]), resBlockSpecs(`dec.stage${i}`, [3, 3], w[i]));
  }
  for (let i = 0; i < c.resBlocks; i++) Object.assign(s, resBlockSpecs(`enc.res${i}`, [3, 3], w[n]), resBlockSpecs(`dec.res${i}`, [3, 3], w[n]));
  return s;
}

function v2Encode(p: Params, c: VideoCodecConfig, frames: Tensor): Tensor {
  const B = frames.shape[0];
  const n = stageWidths(c).length - 1;
  let x = conv(p, 'enc.in', groupFrames(frames)); // [B·L, H, W, w0]
  for (let i = 1; i <= n; i++) {
    x = linear(p, `enc.down${i}`, ops.spaceToDepth(ops.gelu(ops.layerNorm(x)), [2, 2])); // [B·L, H/2^i, W/2^i, w_i]
    if (i < n) x = resBlock(p, `enc.stage${i}`, x);
  }
  x = timeMix(p, 'enc.time', x, B);
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `enc.res${i}`, x);
  return splitBL(conv(p, 'enc.out', ops.gelu(ops.layerNorm(x))), B); // [B, L, h, w, Cz]
}

function v2Decode(p: Params, c: VideoCodecConfig, z: Tensor): Tensor {
  const B = z.shape[0];
  const n = stageWidths(c).length - 1;
  let x = conv(p, 'dec.in', mergeBL(z));
  x = timeMix(p, 'dec.time', x, B);
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `dec.res${i}`, x);
  for (let i = n; i >= 1; i--) {
    x = ops.depthToSpace(linear(p, `dec.up${i}`, ops.gelu(ops.layerNorm(x))), [2, 2]); // [B·L, 2h, 2w, w_{i-1}]
    if (i > 1) x = resBlock(p, `dec.stage${i - 1}`, x);
  }
  return ungroupFrames(conv(p, 'dec.out', ops.gelu(ops.layerNorm(x))), B);
}

function v1Specs(c: VideoCodecConfig): ParamSpecs {
  const C = c.hidden;
  const patchIn = 16 * TEMPORAL_GROUP * 3; // 4×4 pixels × 4 frames × RGB
  const s: ParamSpecs = {
    ...convSpecs('enc.in', [3, 3], patchIn, C),
    ...convSpecs('enc.time', [2, 1, 1], C, C, true),
    ...linearSpecs('enc.down', 4 * C, C),
    ...resBlockSpecs('enc.mid', [3, 3], C),
    ...convSpecs('enc.out', [3, 3], C, c.latentChannels),
    ...convSpecs('dec.in', [3, 3], c.latentChannels, C),
    ...convSpecs('dec.time', [2, 1, 1], C, C, true),
    ...resBlockSpecs('dec.mid', [3, 3], C),
    ...linearSpecs('dec.up', C, 4 * C),
    ...convSpecs('dec.time2', [2, 1, 1], C, C, true),
    ...convSpecs('dec.out', [3, 3], C, patchIn),
  };
  for (let i = 0; i < c.resBlocks; i++) Object.assign(s, resBlockSpecs(`enc.res${i}`, [3, 3], C), resBlockSpecs(`dec.res${i}`, [3, 3], C));
  return s;
}

/** [B, L, h, w, C] ↔ [B·L, h, w, C] */
const mergeBL = (x: Tensor) => ops.reshape(x, [x.shape[0] * x.shape[1], ...x.shape.slice(2)]);
const splitBL = (x: Tensor, b: number) => ops.reshape(x, [b, x.shape[0] / b, ...x.shape.slice(1)]);

function v1Encode(p: Params, c: VideoCodecConfig, frames: Tensor): Tensor {
  const B = frames.shape[0];
  let x = ops.spaceToDepth(groupFrames(frames), [4, 4]); // [B·L, H/4, W/4, 192]
  x = conv(p, 'enc.in', x);
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `enc.res${i}`, x);
  x = splitBL(x, B); // [B, L, H/4, W/4, C]
  x = ops.add(x.ref, conv(p, 'enc.time', ops.gelu(ops.layerNorm(x)), 0)); // causal over latent time
  x = linear(p, 'enc.down', ops.spaceToDepth(mergeBL(x), [2, 2])); // [B·L, H/8, W/8, C]
  x = resBlock(p, 'enc.mid', x);
  x = conv(p, 'enc.out', ops.gelu(ops.layerNorm(x))); // [B·L, h, w, Cz]
  return splitBL(x, B);
}

function v1Decode(p: Params, c: VideoCodecConfig, z: Tensor): Tensor {
  const B = z.shape[0];
  let x = conv(p, 'dec.in', mergeBL(z)); // [B·L, h, w, C]
  x = splitBL(x, B);
  x = mergeBL(ops.add(x.ref, conv(p, 'dec.time', ops.gelu(ops.layerNorm(x)), 0)));
  x = resBlock(p, 'dec.mid', x);
  x = ops.depthToSpace(linear(p, 'dec.up', x), [2, 2]); // [B·L, 2h, 2w, C]
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `dec.res${i}`, x);
  x = splitBL(x, B);
  x = mergeBL(ops.add(x.ref, conv(p, 'dec.time2', ops.gelu(ops.layerNorm(x)), 0)));
  x = conv(p, 'dec.out', ops.gelu(ops.layerNorm(x))); // [B·L, 2h, 2w, 192]
  return ungroupFrames(ops.depthToSpace(x, [4, 4]), B); // [B·L, 8h, 8w, 12] → frames
}
