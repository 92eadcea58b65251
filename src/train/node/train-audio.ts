/**
 * Training task for the audio codec: random 2.125 s crops (any sample offset) of the train split;
 * loss = L1 between predicted and true log-magnitude spectrograms + 1e-3·mean(z²); latent noise as for
 * video. Validation: log-spectral distance (dB) of the predicted magnitudes on val windows (before
 * Griffin–Lim; the codec report measures the waveforms).
 */
import { ops, jit, refTree, type Params, type Tensor } from '../../engine/index.js';
import { InMemoryClips } from '../../data/node/memory.js';
import { ClipCache } from '../../data/node/cache.js';
import {
  audioCodecSpecs,
  audioFeatures,
  audioLatentFrames,
  checkAudioConfig,
  decodeAudio,
  decodedBins,
  encodeAudio,
  toDecodedBins,
  type AudioCodecConfig,
} from '../../codecs/audio-codec.js';
import type { TrainTask } from '../trainer.js';
import { ChannelStats } from '../../codecs/stats.js';
import { foldIn, normal } from '../../util/rng.js';

export interface AudioTrainOptions {
  batch: number;
  latentNoise: number;
  valWindows: number;
}

export const AUDIO_TRAIN_DEFAULTS: AudioTrainOptions = { batch: 16, latentNoise: 0.05, valWindows: 26 };

/** Log-spectral distance in dB between natural-log magnitude spectrograms (mean over frames). */
export function logSpectralDistance(a: Float32Array, b: Float32Array, bins: number): number {
  const frames = a.length / bins;
  const k = 20 / Math.LN10; // ln → dB (20·log10)
  let total = 0;
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = 0; i < bins; i++) s += (k * (a[f * bins + i] - b[f * bins + i])) ** 2;
    total += Math.sqrt(s / bins);
  }
  return total / frames;
}

export function audioTrainTask(cacheDir: string, c: AudioCodecConfig, o: AudioTrainOptions): TrainTask {
  checkAudioConfig(c);
  const cache = new ClipCache(cacheDir);
  const dc = cache.config;
  if (dc.sampleRate !== c.sampleRate) throw new Error(`${cacheDir}: audio is ${dc.sampleRate} Hz, the codec is configured for ${c.sampleRate} Hz`);
  const train = new InMemoryClips(cache, 'train');
  const val = new InMemoryClips(cache, 'val');
  const L = audioLatentFrames(c, (dc.windowFrames / dc.fps) * dc.sampleRate) * c.hopSamples; // 33920 at defaults
  const La = L / c.hopSamples,
    bins = decodedBins(c);
  const encodeJ = jit((p: Params, m: Tensor) => encodeAudio(p, c, m));
  const reconJ = jit((p: Params, m: Tensor) => decodeAudio(p, c, encodeAudio(p, c, m)));
  return {
    config: {
      kind: 'audio-codec',
      codec: c,
      data: { sampleRate: dc.sampleRate, fps: dc.fps, windowFrames: dc.windowFrames },
      train: o,
      source: cacheDir,
    },
    specs: audioCodecSpecs(c),
    batch(key) {
      const f = audioFeatures(c, train.audioCrops(key, o.batch, L), o.batch);
      return [
        ops.tensor(f.logMel, [o.batch, f.frames, c.nMels]),
        ops.tensor(toDecodedBins(c, f.logMag), [o.batch, f.frames, bins]),
        ops.tensor(normal(foldIn(key, 7), o.batch * La * c.latentChannels, o.latentNoise), [o.batch, La, c.latentChannels]),
      ];
    },
    loss(p, [logMel, logMag, noise]) {
      const z = encodeAudio(p, c, logMel);
      const zsq = ops.mean(ops.square(z.ref));
      const y = decodeAudio(p, c, ops.add(z, noise));
      const l1 = ops.mean(ops.abs(ops.sub(y, logMag)));
      return [ops.add(l1.ref, ops.mul(zsq.ref, 1e-3)), { l1, zsq }];
    },
    async extras(p) {
      const stats = new ChannelStats(c.latentChannels);
      for (let i = 0; i < 4; i++) {
        const f = audioFeatures(c, train.audioCrops(foldIn(0x5eed, i), 16, L), 16);
        stats.add(await ops.read(encodeJ(refTree(p), ops.tensor(f.logMel, [16, f.frames, c.nMels]))));
      }
      return stats.toParams();
    },
    async validate(p) {
      const n = Math.min(o.valWindows, val.clips.length);
      const audio = new Float32Array(n * L);
      for (let i = 0; i < n; i++) audio.set(val.clips[i].audio.subarray(0, L), i * L);
      const f = audioFeatures(c, audio, n);
      const y = await ops.read(reconJ(refTree(p), ops.tensor(f.logMel, [n, f.frames, c.nMels])));
      return { lsd: logSpectralDistance(y, toDecodedBins(c, f.logMag), bins) };
    },
  };
}
