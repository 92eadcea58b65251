/**
 * Causal video autoencoder (MAGVIT-v2 layout, paper-notes §6): 1 + 4k frames → 1 + k latent frames,
 * 8× smaller in each spatial direction, `latentChannels` (8) continuous channels, no quantizer.
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
  /** width of the 16×16 (1/4 resolution) and 8×8 stages. */
  hidden: number;
  /** residual blocks per side at 1/4 resolution. */
  resBlocks: number;
}

export const VIDEO_CODEC_DEFAULTS: VideoCodecConfig = { width: 64, height: 64, latentChannels: 8, hidden: 96, resBlocks: 1 };
export const TEMPORAL_GROUP = 4;
export const SPATIAL_FACTOR = 8;

export function videoLatentShape(c: VideoCodecConfig, numFrames: number): [number, number, number, number] {
  checkFrameCount(numFrames);
  return [1 + (numFrames - 1) / TEMPORAL_GROUP, c.height / SPATIAL_FACTOR, c.width / SPATIAL_FACTOR, c.latentChannels];
}

export function checkFrameCount(numFrames: number): void {
  if (!Number.isInteger(numFrames) || numFrames < 1 || (numFrames - 1) % TEMPORAL_GROUP !== 0) {
    throw new Error(`video codec: ${numFrames} frames is not 1 + 4k (the first frame is encoded alone, then groups of 4): use 1, 5, 9, 13, 17, …`);
  }
}

export function videoCodecSpecs(c: VideoCodecConfig): ParamSpecs {
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

/** frames [B, 1+4k, H, W, 3] in [0,1] → latents [B, 1+k, H/8, W/8, Cz] (un-normalised). */
export function encodeVideo(p: Params, c: VideoCodecConfig, frames: Tensor): Tensor {
  const [B, T, H, W] = frames.shape;
  checkFrameCount(T);
  const L = 1 + (T - 1) / TEMPORAL_GROUP;
  let x = ops.sub(ops.mul(frames, 2), 1); // [-1, 1]
  const first = ops.sliceAxis(x.ref, 1, 0, 1);
  x = ops.concat([ops.repeat(first, TEMPORAL_GROUP - 1, 1), x], 1); // [B, 4L, H, W, 3]: frame 0 fills group 0
  x = ops.reshape(x, [B, L, TEMPORAL_GROUP, H, W, 3]);
  x = ops.reshape(ops.transpose(x, [0, 1, 3, 4, 2, 5]), [B * L, H, W, TEMPORAL_GROUP * 3]); // time-to-depth
  x = ops.spaceToDepth(x, [4, 4]); // [B·L, H/4, W/4, 192]
  x = conv(p, 'enc.in', x);
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `enc.res${i}`, x);
  x = splitBL(x, B); // [B, L, H/4, W/4, C]
  x = ops.add(x.ref, conv(p, 'enc.time', ops.gelu(ops.layerNorm(x)), 0)); // causal over latent time
  x = linear(p, 'enc.down', ops.spaceToDepth(mergeBL(x), [2, 2])); // [B·L, H/8, W/8, C]
  x = resBlock(p, 'enc.mid', x);
  x = conv(p, 'enc.out', ops.gelu(ops.layerNorm(x))); // [B·L, h, w, Cz]
  return splitBL(x, B);
}

/** latents [B, L, h, w, Cz] → frames [B, 1+4(L-1), 8h, 8w, 3], roughly in [0,1] (not clipped). */
export function decodeVideo(p: Params, c: VideoCodecConfig, z: Tensor): Tensor {
  const [B, L, h, w] = z.shape;
  let x = conv(p, 'dec.in', mergeBL(z)); // [B·L, h, w, C]
  x = splitBL(x, B);
  x = mergeBL(ops.add(x.ref, conv(p, 'dec.time', ops.gelu(ops.layerNorm(x)), 0)));
  x = resBlock(p, 'dec.mid', x);
  x = ops.depthToSpace(linear(p, 'dec.up', x), [2, 2]); // [B·L, 2h, 2w, C]
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `dec.res${i}`, x);
  x = splitBL(x, B);
  x = mergeBL(ops.add(x.ref, conv(p, 'dec.time2', ops.gelu(ops.layerNorm(x)), 0)));
  x = conv(p, 'dec.out', ops.gelu(ops.layerNorm(x))); // [B·L, 2h, 2w, 192]
  x = ops.depthToSpace(x, [4, 4]); // [B·L, 8h, 8w, 12]
  const H = 8 * h, W = 8 * w;
  x = ops.reshape(x, [B, L, H, W, TEMPORAL_GROUP, 3]);
  x = ops.reshape(ops.transpose(x, [0, 1, 4, 2, 3, 5]), [B, L * TEMPORAL_GROUP, H, W, 3]);
  x = ops.sliceAxis(x, 1, TEMPORAL_GROUP - 1, L * TEMPORAL_GROUP); // drop the 3 padding frames
  return ops.add(ops.mul(x, 0.5), 0.5);
}
