/**
 * Training task for the video codec: random crops of `trainFrames` (1+4k) frames from the cache's train
 * split; loss = L1 + 0.5·L1 of spatial image gradients (sharper edges than plain L2 at this size) +
 * 1e-3·mean(z²) (keeps the latent scale near 1); validation PSNR on whole val windows. At checkpoint
 * time the per-channel latent mean/std over training windows is stored with the weights.
 */
import { ops, jit, refTree, type Params, type Tensor } from '../../engine/index.js';
import { InMemoryClips } from '../../data/node/memory.js';
import { ClipCache } from '../../data/node/cache.js';
import { encodeVideo, decodeVideo, videoCodecSpecs, checkFrameCount, type VideoCodecConfig } from '../video-codec.js';
import type { TrainTask, Metrics } from '../../train/trainer.js';
import { ChannelStats } from '../stats.js';
import { foldIn, normal as gaussian } from '../../util/rng.js';

export interface VideoTrainOptions {
  batch: number;
  trainFrames: number;
  /** std of Gaussian noise added to latents in training (decoder robustness for diffusion samples). */
  latentNoise: number;
  valWindows: number;
}

export const VIDEO_TRAIN_DEFAULTS: VideoTrainOptions = { batch: 8, trainFrames: 9, latentNoise: 0.05, valWindows: 16 };

const gradL1 = (d: Tensor, axis: number) => {
  const n = d.shape[axis];
  return ops.mean(ops.abs(ops.sub(ops.sliceAxis(d.ref, axis, 1, n), ops.sliceAxis(d, axis, 0, n - 1))));
};

export function videoReconLoss(p: Params, c: VideoCodecConfig, frames: Tensor, noise: Tensor | null): [Tensor, Metrics] {
  let z = encodeVideo(p, c, frames.ref);
  const zPen = ops.mean(ops.square(z.ref));
  if (noise) z = ops.add(z, noise);
  const y = decodeVideo(p, c, z);
  const d = ops.sub(y, frames);
  const l1 = ops.mean(ops.abs(d.ref));
  const mse = ops.mean(ops.square(d.ref));
  const g = ops.add(gradL1(d.ref, 2), gradL1(d, 3));
  const loss = ops.add(ops.add(l1.ref, ops.mul(g, 0.5)), ops.mul(zPen.ref, 1e-3));
  return [loss, { l1, mse, zsq: zPen }];
}

export function videoTrainTask(cacheDir: string, c: VideoCodecConfig, o: VideoTrainOptions): TrainTask {
  checkFrameCount(o.trainFrames);
  const cache = new ClipCache(cacheDir);
  const dc = cache.config;
  if (dc.width !== c.width || dc.height !== c.height) throw new Error(`${cacheDir}: frames are ${dc.width}×${dc.height}, the codec is configured for ${c.width}×${c.height}`);
  const train = new InMemoryClips(cache, 'train');
  const val = new InMemoryClips(cache, 'val');
  const lat = (frames: number) => [o.batch, 1 + (frames - 1) / 4, c.height / 8, c.width / 8, c.latentChannels];
  const encodeJ = jit((p: Params, x: Tensor) => encodeVideo(p, c, x));
  const reconJ = jit((p: Params, x: Tensor) => decodeVideo(p, c, encodeVideo(p, c, x)));
  return {
    config: { kind: 'video-codec', codec: c, data: { fps: dc.fps, width: dc.width, height: dc.height, windowFrames: dc.windowFrames }, train: o, source: cacheDir },
    specs: videoCodecSpecs(c),
    batch(key) {
      const { video } = train.crops(key, o.batch, o.trainFrames);
      const shape = lat(o.trainFrames);
      const n = shape.reduce((a, b) => a * b, 1);
      const noise = gaussian(foldIn(key, 7), n, o.latentNoise);
      return [ops.tensor(video, [o.batch, o.trainFrames, c.height, c.width, 3]), ops.tensor(noise, shape)];
    },
    loss(p, [frames, noise]) {
      return videoReconLoss(p, c, frames, noise);
    },
    async extras(p) {
      // latent normalisation statistics over 64 training windows of the full window length
      const T = dc.windowFrames;
      const stats = new ChannelStats(c.latentChannels);
      for (let i = 0; i < 8; i++) {
        const { video } = train.crops(foldIn(0x5eed, i), 8, T);
        stats.add(await ops.read(encodeJ(refTree(p), ops.tensor(video, [8, T, c.height, c.width, 3]))));
      }
      return stats.toParams();
    },
    async validate(p) {
      const T = dc.windowFrames;
      const picks = val.clips.flatMap((_, ci) => [{ clip: ci, start: 0 }]).slice(0, o.valWindows);
      let se = 0, n = 0;
      for (let i = 0; i < picks.length; i += 8) {
        const chunk = picks.slice(i, i + 8);
        const { video } = val.crops(0, chunk.length, T, chunk);
        const y = await ops.read(reconJ(refTree(p), ops.tensor(video, [chunk.length, T, c.height, c.width, 3])));
        for (let k = 0; k < y.length; k++) se += (Math.min(1, Math.max(0, y[k])) - video[k]) ** 2;
        n += y.length;
      }
      return { psnr: 10 * Math.log10(1 / (se / n)) };
    },
  };
}
