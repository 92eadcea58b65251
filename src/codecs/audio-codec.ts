/**
 * Audio autoencoder on spectrograms (paper-notes §6 allows it in place of SoundStream): 16 kHz mono →
 * log-mel at 100 Hz (80 bands) → encoder → latents at 50 Hz (one per 320 samples, like SoundStream's
 * rate) with `latentChannels` channels → decoder → log-magnitude STFT (513 bins, 100 Hz) → fast
 * Griffin–Lim → waveform. Latent frame j covers samples [320·j, 320·(j+1)).
 *
 * Shapes: audio [B, 320·La] → log-mel [B, 2La, 80] → latents [B, La, Ca] → log-mag [B, 2La, 513].
 */
import { ops, type Params, type Tensor } from '../engine/index.js';
import { conv, convSpecs, linear, linearSpecs, resBlock, resBlockSpecs } from '../nn/layers.js';
import type { ParamSpecs } from '../nn/params.js';
import { griffinLim, magnitude, melFilterbank, stft, STFT_DEFAULTS, type StftConfig } from '../audio/dsp.js';

export interface AudioCodecConfig {
  sampleRate: number;
  /** samples per latent frame (320 at 16 kHz = 50 Hz, SoundStream's rate). */
  hopSamples: number;
  nMels: number;
  latentChannels: number;
  hidden: number;
  resBlocks: number;
  stft: StftConfig;
  griffinLimIters: number;
  /** predict nFft/2 bins (no Nyquist bin; Griffin–Lim gets it as silence): a 512-wide last layer, which
   * jax-js's wasm matmul runs ~10× faster than 513. Absent = false (checkpoints written before it). */
  dropNyquist?: boolean;
}

export const AUDIO_CODEC_DEFAULTS: AudioCodecConfig = {
  sampleRate: 16000,
  hopSamples: 320,
  nMels: 80,
  latentChannels: 16,
  hidden: 128,
  resBlocks: 2,
  stft: STFT_DEFAULTS,
  griffinLimIters: 48,
  dropNyquist: true,
};

/** Bins the decoder predicts: nFft/2 + 1, or nFft/2 without the Nyquist bin. */
export function decodedBins(c: AudioCodecConfig): number {
  return c.stft.nFft / 2 + (c.dropNyquist ? 0 : 1);
}

const LOG_FLOOR = 1e-4;

export function audioLatentFrames(c: AudioCodecConfig, numSamples: number): number {
  return Math.floor(numSamples / c.hopSamples);
}

export function checkAudioConfig(c: AudioCodecConfig): void {
  if (c.hopSamples !== 2 * c.stft.hop) throw new Error(`audio codec: hopSamples (${c.hopSamples}) must be twice the STFT hop (${c.stft.hop})`);
}

export function audioCodecSpecs(c: AudioCodecConfig): ParamSpecs {
  const C = c.hidden,
    bins = decodedBins(c);
  const s: ParamSpecs = {
    ...convSpecs('enc.in', [3], c.nMels, C),
    ...linearSpecs('enc.down', 2 * C, C),
    ...resBlockSpecs('enc.mid', [3], C),
    ...convSpecs('enc.out', [3], C, c.latentChannels),
    ...convSpecs('dec.in', [3], c.latentChannels, C),
    ...resBlockSpecs('dec.mid', [3], C),
    ...linearSpecs('dec.up', C, 2 * C),
    ...convSpecs('dec.out', [3], C, bins),
  };
  for (let i = 0; i < c.resBlocks; i++) Object.assign(s, resBlockSpecs(`enc.res${i}`, [3], C), resBlockSpecs(`dec.res${i}`, [3], C));
  return s;
}

/** Host features of a batch of clips [B, L]: log-mel [B, 2La, nMels] and log-magnitude [B, 2La, bins]. */
export function audioFeatures(
  c: AudioCodecConfig,
  audio: Float32Array,
  batch: number,
): { logMel: Float32Array; logMag: Float32Array; frames: number } {
  const L = audio.length / batch;
  const frames = 2 * audioLatentFrames(c, L);
  const bins = c.stft.nFft / 2 + 1;
  const fb = melFilterbank(c.nMels, c.stft.nFft, c.sampleRate);
  const logMel = new Float32Array(batch * frames * c.nMels);
  const logMag = new Float32Array(batch * frames * bins);
  for (let b = 0; b < batch; b++) {
    const mag = magnitude(stft(audio.subarray(b * L, (b + 1) * L), c.stft, frames));
    for (let f = 0; f < frames; f++) {
      const row = mag.subarray(f * bins, (f + 1) * bins);
      for (let k = 0; k < bins; k++) logMag[(b * frames + f) * bins + k] = Math.log(row[k] + LOG_FLOOR);
      for (let m = 0; m < c.nMels; m++) {
        let s = 0;
        for (let k = 0; k < bins; k++) s += fb[m * bins + k] * row[k];
        logMel[(b * frames + f) * c.nMels + m] = Math.log(s + LOG_FLOOR);
      }
    }
  }
  return { logMel, logMag, frames };
}

/** log-mel [B, 2La, nMels] → latents [B, La, Ca] (un-normalised). */
export function encodeAudio(p: Params, c: AudioCodecConfig, logMel: Tensor): Tensor {
  let x = ops.mul(ops.add(logMel, 4), 0.25); // roughly centred; the blocks normalise anyway
  // im2col here: with the taps lowering, training fuses the weight gradient of a layer whose input needs no gradient
  // into one slow kernel (audio codec train step 372 → 623 ms, docs/performance.md)
  x = conv(p, 'enc.in', x, -1, 'im2col');
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `enc.res${i}`, x);
  x = linear(p, 'enc.down', ops.spaceToDepth(x, [2])); // [B, La, C]
  x = resBlock(p, 'enc.mid', x);
  return conv(p, 'enc.out', ops.gelu(ops.layerNorm(x)));
}

/** latents [B, La, Ca] → log-magnitude [B, 2La, bins]. */
export function decodeAudio(p: Params, c: AudioCodecConfig, z: Tensor): Tensor {
  let x = conv(p, 'dec.in', z);
  x = resBlock(p, 'dec.mid', x);
  x = ops.depthToSpace(linear(p, 'dec.up', x), [2]); // [B, 2La, C]
  for (let i = 0; i < c.resBlocks; i++) x = resBlock(p, `dec.res${i}`, x);
  return conv(p, 'dec.out', ops.gelu(ops.layerNorm(x)));
}

/** Host: predicted log-magnitude [frames, decodedBins] of one clip → waveform of `length` samples
 * (a dropped Nyquist bin is silence). */
export function logMagToWaveform(c: AudioCodecConfig, logMag: Float32Array, frames: number, length: number, iters = c.griffinLimIters): Float32Array {
  const bins = c.stft.nFft / 2 + 1,
    got = decodedBins(c);
  const mag = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) for (let k = 0; k < got; k++) mag[f * bins + k] = Math.max(0, Math.exp(logMag[f * got + k]) - LOG_FLOOR);
  return griffinLim(mag, frames, length, iters, c.stft);
}

/** [frames, nFft/2+1] → [frames, decodedBins] (drops the Nyquist column when the codec does). */
export function toDecodedBins(c: AudioCodecConfig, logMag: Float32Array): Float32Array {
  const bins = c.stft.nFft / 2 + 1,
    got = decodedBins(c);
  if (got === bins) return logMag;
  const frames = logMag.length / bins;
  const out = new Float32Array(frames * got);
  for (let f = 0; f < frames; f++) out.set(logMag.subarray(f * bins, f * bins + got), f * got);
  return out;
}
