/**
 * Training task for the video codec: random crops of `trainFrames` (1+4k) frames from the cache's train
 * split; loss = weighted L1 + 0.5·weighted L1 of spatial image gradients (sharper edges than plain L2 at
 * this size) + 1e-3·mean(z²) (keeps the latent scale near 1). The weight map is 1 everywhere plus
 * `regionWeight` inside each of the dataset's regions (GRID: mouth, eyes), normalised to mean 1, so
 * capacity goes where people look. Validation: PSNR on whole val windows and on each region. At
 * checkpoint time the per-channel latent mean/std over training windows is stored with the weights.
 */
import { ops, jit, refTree, type Params, type Tensor } from '../../engine/index.js';
import { conv, convSpecs, linear, linearSpecs } from '../../nn/layers.js';
import type { ParamSpecs } from '../../nn/params.js';
import { InMemoryClips } from '../../data/node/memory.js';
import { ClipCache } from '../../data/node/cache.js';
import {
  encodeVideo,
  decodeVideo,
  videoCodecSpecs,
  checkFrameCount,
  videoLatentShape,
  spatialFactor,
  TEMPORAL_GROUP,
  type VideoCodecConfig,
} from '../../codecs/video-codec.js';
import { boxPixels, type Box, type PixelBox } from '../../data/config.js';
import type { TrainTask, Metrics } from '../trainer.js';
import { ChannelStats } from '../../codecs/stats.js';
import { foldIn, normal as gaussian } from '../../util/rng.js';
import type { HostParams } from '../../util/safetensors.js';

export interface VideoTrainOptions {
  batch: number;
  trainFrames: number;
  /** std of Gaussian noise added to latents in training (decoder robustness for diffusion samples). */
  latentNoise: number;
  valWindows: number;
  /** extra loss weight inside the dataset's regions (0 = plain L1 everywhere). */
  regionWeight: number;
  /** weight of the motion term: L1 of the error's frame-to-frame change (Δt reconstruction − Δt original), region-weighted.
   * Without it the decoder can predict a group's temporal mean: sharp frames, but the mouth stops moving. */
  motionWeight: number;
  /** weight of the pooled motion term: L1 of the frame-to-frame change of the error averaged over each block of a
   * 3×3 grid inside each region (0 = off). The per-pixel motion term drowns a mouth that opens (a few dark pixels
   * that move together) in pixel noise; block means are what a viewer, and lip-sync measures, see. */
  poolMotionWeight?: number;
  /** weight of the adversarial term (0 = off): a patch discriminator trained from scratch on the frames of one region
   * stacked over time (`advRegion`, default the mouth) tells real from reconstructed crops; L1 rewards the blurred
   * mean mouth, a discriminator that sees the sequence rewards sharp frames that move. Hinge loss (VQGAN). */
  advWeight?: number;
  /** the region (of the cache's config) the discriminator sees. */
  advRegion?: string;
  /** weight of the latent motion term (0 = off): a linear read-out from the latents inside the mouth region must
   * give each frame's block means minus its group's (see latentMotion); region as `advRegion`. */
  latentMotionWeight?: number;
  /** train the decoder only (`enc.*` frozen): latents, and a diffusion model trained on them, stay valid. */
  freezeEncoder?: boolean;
  /** the latent statistics (`latent.*`) to store instead of measuring them: with a frozen encoder, the ones the run
   * started from, so the codec's encoderSha256 (and its latents) stay exactly the same */
  latentStats?: HostParams;
}

/** blocks per side of the grid the pooled motion term averages over, in each region */
const POOL_GRID = 3;

/** the means of x [B, T, H, W, 3] over a g×g grid of blocks inside box b: [B, T, g, g] (the box cut down to a multiple of g). */
function blockMeans(x: Tensor, b: PixelBox, g: number): Tensor {
  const [B, T] = x.shape;
  const bh = Math.floor((b.y1 - b.y0) / g),
    bw = Math.floor((b.x1 - b.x0) / g);
  if (bh < 1 || bw < 1) throw new Error(`a ${b.x1 - b.x0}×${b.y1 - b.y0} px region is smaller than the ${g}×${g} grid`);
  const crop = ops.sliceAxis(ops.sliceAxis(x, 2, b.y0, b.y0 + bh * g), 3, b.x0, b.x0 + bw * g);
  return ops.mean(ops.reshape(crop, [B, T, g, bh, g, bw, 3]), [3, 5, 6]);
}

/** mean over blocks and frames of |Δt (mean of d over the block)|, for a g×g grid of blocks in each box (d: [B, T, H, W, 3]);
 * a box's size is cut down to a multiple of g. */
export function pooledMotion(d: Tensor, boxes: PixelBox[], g = POOL_GRID): Tensor {
  const terms = boxes.map((b) => gradL1(blockMeans(d.ref, b, g), 1, null));
  d.dispose();
  return ops.div(
    terms.reduce((a, t) => ops.add(a, t)),
    terms.length,
  );
}

/** scale of the latent motion term's target (block-mean deviations are a few hundredths of the pixel range). */
const LATENT_MOTION_SCALE = 10;

/** The linear read-out (`probe.*`: training only, inference ignores it) from the latents inside a box of
 * `cells` latent positions × `channels` to each of the 4 frames' g×g block-mean deviations from their group's mean. */
export function probeSpecs(cells: number, channels: number, g = POOL_GRID): ParamSpecs {
  return linearSpecs('probe', cells * channels, TEMPORAL_GROUP * g * g, true); // zero: the latents are not pulled towards a random read-out
}

/** The latent motion term: mean squared error of the linear read-out `probe` from latents z [B, L, h, w, C] inside
 * `latBox` (latent pixels) of the within-group motion of frames x [B, 1+4(L−1), H, W, 3] inside `box`: each frame's
 * g×g block means minus its group of 4's mean, ×10. The reconstruction loss lets the encoder keep only a group's mean
 * mouth (a decoder-side motion term cannot bring back what the latents lack); this asks the latents to carry each
 * frame's mouth, linearly — what the diffusion model must generate. Both consumed. */
export function latentMotion(p: Params, z: Tensor, x: Tensor, box: PixelBox, latBox: PixelBox, g = POOL_GRID): Tensor {
  const [B, L] = z.shape;
  const m = ops.sliceAxis(blockMeans(x, box, g), 1, 1, 1 + TEMPORAL_GROUP * (L - 1)); // frame 0 is a group of its own
  const grouped = ops.reshape(m, [B, L - 1, TEMPORAL_GROUP, g * g]);
  const dev = ops.reshape(ops.sub(grouped.ref, ops.mean(grouped, 2, true)), [B, L - 1, TEMPORAL_GROUP * g * g]);
  const zc = ops.sliceAxis(ops.sliceAxis(ops.sliceAxis(z, 1, 1, L), 2, latBox.y0, latBox.y1), 3, latBox.x0, latBox.x1);
  const pred = linear(p, 'probe', ops.reshape(zc, [B, L - 1, (latBox.y1 - latBox.y0) * (latBox.x1 - latBox.x0) * z.shape[4]]));
  return ops.mean(ops.square(ops.sub(pred, ops.mul(dev, LATENT_MOTION_SCALE))));
}

/** width of the discriminator's first layer (the second is twice as wide). */
const DISC_WIDTH = 64;
/** The discriminator's weights are stored ÷ DISC_GAIN and multiplied back in the forward pass, so with one AdamW for
 * codec and discriminator (its step ≈ lr per weight) the discriminator learns DISC_GAIN× faster: at the codec's
 * fine-tuning lr (3e-4) and gain 1 it did not tell real from reconstructed mouths in 120 steps (hinge loss 2.00). */
export const DISC_GAIN = 10;

/** The patch discriminator's parameters (`disc.*`: training only, inference ignores them) for crops of `frames`
 * frames: 3×3 conv on the frames stacked as channels → 2× space-to-depth + linear → 3×3 conv → one logit per patch. */
export function discSpecs(frames: number, width = DISC_WIDTH): ParamSpecs {
  const s: ParamSpecs = {
    ...convSpecs('disc.in', [3, 3], frames * 3, width),
    ...linearSpecs('disc.down', 4 * width, 2 * width),
    ...convSpecs('disc.mid', [3, 3], 2 * width, 2 * width),
    ...linearSpecs('disc.out', 2 * width, 1),
  };
  for (const [k, v] of Object.entries(s))
    if (v.init === 'fanIn') s[k] = { ...v, init: { normal: 1 / (DISC_GAIN * Math.sqrt(v.shape.slice(0, -1).reduce((a, b) => a * b, 1))) } };
  return s;
}

const leaky = (x: Tensor) => ops.maximum(x.ref, ops.mul(x, 0.2));

/** crops [B, T, h, w, 3] in [0, 1] (h, w even) → patch logits [B, h/2, w/2, 1]. */
export function discriminate(p: Params, crops: Tensor): Tensor {
  const [B, T, h, w] = crops.shape;
  const q: Params = {};
  for (const k of Object.keys(p)) if (k.startsWith('disc.')) q[k] = ops.mul(p[k].ref, DISC_GAIN);
  let x = ops.reshape(ops.transpose(ops.sub(ops.mul(crops, 2), 1), [0, 2, 3, 1, 4]), [B, h, w, T * 3]);
  x = leaky(conv(q, 'disc.in', x));
  x = leaky(linear(q, 'disc.down', ops.spaceToDepth(x, [2, 2])));
  x = leaky(conv(q, 'disc.mid', x));
  x = linear(q, 'disc.out', x);
  for (const t of Object.values(q)) t.dispose();
  return x;
}

/** The adversarial terms on one box of reconstruction `y` and original `x` ([B, T, H, W, 3]; both consumed), the box
 * cut down to even sides: [generator term −mean D(ŷ) (D's weights held fixed), discriminator hinge loss
 * mean relu(1 − D(x)) + mean relu(1 + D(ŷ)) (ŷ held fixed)]. Their sum trains both with one optimizer. */
export function adversarialTerms(p: Params, y: Tensor, x: Tensor, b: PixelBox): [Tensor, Tensor] {
  const h = (b.y1 - b.y0) & ~1,
    w = (b.x1 - b.x0) & ~1;
  if (h < 2 || w < 2) throw new Error(`adversarial loss: a ${b.x1 - b.x0}×${b.y1 - b.y0} px region is too small for the discriminator`);
  const crop = (t: Tensor) => ops.sliceAxis(ops.sliceAxis(t, 2, b.y0, b.y0 + h), 3, b.x0, b.x0 + w);
  const fake = crop(y);
  const fixed: Params = { ...p };
  for (const k of Object.keys(p)) if (k.startsWith('disc.')) fixed[k] = ops.stopGradient(p[k].ref);
  const gen = ops.neg(ops.mean(discriminate(fixed, fake.ref)));
  for (const k of Object.keys(p)) if (k.startsWith('disc.')) fixed[k].dispose();
  const real = discriminate(p, crop(x));
  const dFake = discriminate(p, ops.stopGradient(fake));
  const disc = ops.add(ops.mean(ops.relu(ops.sub(1, real))), ops.mean(ops.relu(ops.add(dFake, 1))));
  return [gen, disc];
}

/** windows per jit call when computing statistics and validating: jax-js keeps every intermediate of a
 * program alive, and v2's full-resolution layers on 8 × 17 frames exceed the 4 GiB wasm heap. */
const EVAL_CHUNK = 2;

export const VIDEO_TRAIN_DEFAULTS: VideoTrainOptions = {
  batch: 4,
  trainFrames: 9,
  latentNoise: 0.05,
  valWindows: 16,
  regionWeight: 8,
  motionWeight: 1,
};

/** Per-pixel loss weights [H·W]: 1 + `extra` inside each box, scaled to mean 1 (null when nothing to weight). */
export function regionWeightMap(W: number, H: number, boxes: Box[], extra: number): Float32Array | null {
  if (!(extra > 0) || boxes.length === 0) return null;
  const m = new Float32Array(W * H).fill(1);
  for (const b of boxes) {
    const r = boxPixels(b, W, H);
    for (let y = r.y0; y < r.y1; y++) for (let x = r.x0; x < r.x1; x++) m[y * W + x] += extra;
  }
  const mean = m.reduce((a, v) => a + v, 0) / m.length;
  return m.map((v) => v / mean);
}

/** mean |a_{i+1} − a_i| along `axis`, weighted by w (broadcast [1, 1, H, W, 1]) sliced the same way. */
const gradL1 = (d: Tensor, axis: number, w: Tensor | null) => {
  const n = d.shape[axis];
  const g = ops.abs(ops.sub(ops.sliceAxis(d.ref, axis, 1, n), ops.sliceAxis(d, axis, 0, n - 1)));
  return ops.mean(w ? ops.mul(g, w.shape[axis] === 1 ? w : ops.sliceAxis(w, axis, 1, n)) : g);
};

/** `weights`: [1, 1, H, W, 1] from regionWeightMap, or null for plain L1; `motion`: weight of the motion term. */
export function videoReconLoss(
  p: Params,
  c: VideoCodecConfig,
  frames: Tensor,
  noise: Tensor | null,
  weights: Tensor | null = null,
  motion = 0,
  pool: { boxes: PixelBox[]; weight: number } | null = null,
  adv: { box: PixelBox; weight: number } | null = null,
  latMotion: { box: PixelBox; latBox: PixelBox; weight: number } | null = null,
): [Tensor, Metrics] {
  let z = encodeVideo(p, c, frames.ref);
  const zPen = ops.mean(ops.square(z.ref));
  const lm = latMotion && latMotion.weight > 0 ? latentMotion(p, z.ref, frames.ref, latMotion.box, latMotion.latBox) : null;
  if (noise) z = ops.add(z, noise);
  const y = decodeVideo(p, c, z);
  const advTerms = adv && adv.weight > 0 ? adversarialTerms(p, y.ref, frames.ref, adv.box) : null;
  const d = ops.sub(y, frames);
  const l1 = ops.mean(ops.abs(d.ref));
  const mse = ops.mean(ops.square(d.ref));
  const wl1 = weights ? ops.mean(ops.mul(ops.abs(d.ref), weights.ref)) : l1.ref;
  const g = ops.add(gradL1(d.ref, 2, weights ? weights.ref : null), gradL1(d.ref, 3, weights && motion > 0 ? weights.ref : weights));
  let loss = ops.add(ops.add(wl1, ops.mul(g, 0.5)), ops.mul(zPen.ref, 1e-3));
  const metrics: Metrics = { l1, mse, zsq: zPen };
  if (pool && pool.weight > 0) {
    const pm = pooledMotion(d.ref, pool.boxes);
    loss = ops.add(loss, ops.mul(pm.ref, pool.weight));
    metrics.poolMotion = pm;
  }
  if (lm) {
    loss = ops.add(loss, ops.mul(lm.ref, latMotion!.weight));
    metrics.latMotion = lm;
  }
  if (advTerms) {
    const [gen, disc] = advTerms;
    loss = ops.add(ops.add(loss, ops.mul(gen.ref, adv!.weight)), disc.ref);
    Object.assign(metrics, { advGen: gen, advDisc: disc });
  }
  if (motion > 0) {
    const m = gradL1(d, 1, weights);
    loss = ops.add(loss, ops.mul(m.ref, motion));
    metrics.motion = m;
  } else d.dispose();
  return [loss, metrics];
}

export function videoTrainTask(cacheDir: string, c: VideoCodecConfig, o: VideoTrainOptions): TrainTask {
  checkFrameCount(o.trainFrames);
  const cache = new ClipCache(cacheDir);
  const dc = cache.config;
  if (dc.width !== c.width || dc.height !== c.height)
    throw new Error(`${cacheDir}: frames are ${dc.width}×${dc.height}, the codec is configured for ${c.width}×${c.height}`);
  const train = new InMemoryClips(cache, 'train');
  const val = new InMemoryClips(cache, 'val');
  const lat = (frames: number) => [o.batch, ...videoLatentShape(c, frames)];
  const regions = Object.entries(dc.regions ?? {});
  const wmap = regionWeightMap(
    c.width,
    c.height,
    regions.map(([, b]) => b),
    o.regionWeight,
  );
  const pool = o.poolMotionWeight ? { boxes: regions.map(([, b]) => boxPixels(b, c.width, c.height)), weight: o.poolMotionWeight } : null;
  if (pool && pool.boxes.length === 0)
    throw new Error(`${cacheDir}: --pool-motion-weight needs regions in the cache's config (avdit data prepare --regions)`);
  const region = (flag: string) => {
    const name = o.advRegion ?? 'mouth';
    const b = dc.regions?.[name];
    if (!b)
      throw new Error(
        `${cacheDir}: ${flag} needs a region "${name}" in the cache's config (it has ${regions.length ? regions.map(([n]) => n).join(', ') : 'none'}; avdit data prepare --regions)`,
      );
    return b;
  };
  const adv = o.advWeight ? { box: boxPixels(region('--adv-weight'), c.width, c.height), weight: o.advWeight } : null;
  const f = spatialFactor(c);
  const lmBox = o.latentMotionWeight ? region('--latent-motion-weight') : null;
  const latMotion = lmBox
    ? { box: boxPixels(lmBox, c.width, c.height), latBox: boxPixels(lmBox, c.width / f, c.height / f), weight: o.latentMotionWeight! }
    : null;
  const specs = {
    ...videoCodecSpecs(c),
    ...(adv ? discSpecs(o.trainFrames) : {}),
    ...(latMotion ? probeSpecs((latMotion.latBox.y1 - latMotion.latBox.y0) * (latMotion.latBox.x1 - latMotion.latBox.x0), c.latentChannels) : {}),
  };
  const encodeJ = jit((p: Params, x: Tensor) => encodeVideo(p, c, x));
  const reconJ = jit((p: Params, x: Tensor) => decodeVideo(p, c, encodeVideo(p, c, x)));
  return {
    config: {
      kind: 'video-codec',
      codec: c,
      data: { fps: dc.fps, width: dc.width, height: dc.height, windowFrames: dc.windowFrames, ...(dc.regions ? { regions: dc.regions } : {}) },
      train: o,
      source: cacheDir,
    },
    specs,
    ...(o.freezeEncoder ? { frozen: (k: string) => k.startsWith('enc.') } : {}),
    batch(key) {
      const { video } = train.crops(key, o.batch, o.trainFrames);
      const shape = lat(o.trainFrames);
      const n = shape.reduce((a, b) => a * b, 1);
      const noise = gaussian(foldIn(key, 7), n, o.latentNoise);
      const b = [ops.tensor(video, [o.batch, o.trainFrames, c.height, c.width, 3]), ops.tensor(noise, shape)];
      return wmap ? [...b, ops.tensor(wmap, [1, 1, c.height, c.width, 1])] : b;
    },
    loss(p, [frames, noise, weights]) {
      return videoReconLoss(p, c, frames, noise, weights ?? null, o.motionWeight ?? 0, pool, adv, latMotion);
    },
    async extras(p) {
      if (o.latentStats) return o.latentStats;
      // latent normalisation statistics over 64 training windows of the full window length
      const T = dc.windowFrames;
      const stats = new ChannelStats(c.latentChannels);
      for (let i = 0; i < 8; i++) {
        const { video } = train.crops(foldIn(0x5eed, i), 8, T);
        const per = video.length / 8;
        for (let j = 0; j < 8; j += EVAL_CHUNK)
          stats.add(
            await ops.read(encodeJ(refTree(p), ops.tensor(video.subarray(j * per, (j + EVAL_CHUNK) * per), [EVAL_CHUNK, T, c.height, c.width, 3]))),
          );
      }
      return stats.toParams();
    },
    async validate(p) {
      const T = dc.windowFrames;
      const picks = val.clips.flatMap((_, ci) => [{ clip: ci, start: 0 }]).slice(0, o.valWindows);
      let se = 0,
        n = 0;
      const boxes = regions.map(([name, b]) => ({ name, ...boxPixels(b, c.width, c.height), se: 0, n: 0 }));
      for (let i = 0; i < picks.length; i += EVAL_CHUNK) {
        const chunk = picks.slice(i, i + EVAL_CHUNK);
        const { video } = val.crops(0, chunk.length, T, chunk);
        const y = await ops.read(reconJ(refTree(p), ops.tensor(video, [chunk.length, T, c.height, c.width, 3])));
        for (let k = 0; k < y.length; k++) {
          const e = (Math.min(1, Math.max(0, y[k])) - video[k]) ** 2;
          se += e;
          const px = Math.floor(k / 3) % (c.width * c.height),
            xx = px % c.width,
            yy = Math.floor(px / c.width);
          for (const b of boxes) if (xx >= b.x0 && xx < b.x1 && yy >= b.y0 && yy < b.y1) ((b.se += e), b.n++);
        }
        n += y.length;
      }
      const psnr = (e: number, m: number) => 10 * Math.log10(1 / (e / m));
      return { psnr: psnr(se, n), ...Object.fromEntries(boxes.map((b) => [`psnr_${b.name}`, psnr(b.se, b.n)])) };
    },
  };
}
