/**
 * The codecs behind one interface: encode a clip's frames or samples into *normalised* latents (zero
 * mean, unit variance per channel, statistics stored with the checkpoint) and decode them back.
 * Built from a checkpoint's config + tensors, so it works the same in Node and in the browser.
 */
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { toDevice, checkAgainstSpecs } from '../nn/params.js';
import { checkSchema, type Schema } from '../util/schema.js';
import type { HostParams } from '../util/safetensors.js';
import {
  checkFrameCount,
  checkVideoCodecConfig,
  decodeVideo,
  encodeVideo,
  videoCodecSpecs,
  videoLatentShape,
  type VideoCodecConfig,
} from './video-codec.js';
import {
  audioCodecSpecs,
  audioFeatures,
  decodedBins,
  audioLatentFrames,
  checkAudioConfig,
  decodeAudio,
  encodeAudio,
  logMagToWaveform,
  type AudioCodecConfig,
} from './audio-codec.js';

export interface CodecCheckpoint {
  config: { kind: string; codec: unknown; [k: string]: unknown };
  params: HostParams;
}

const CODEC_SCHEMAS: Record<string, Schema> = {
  'video-codec': {
    kind: 'string',
    codec: {
      width: 'number',
      height: 'number',
      latentChannels: 'number',
      hidden: 'number',
      resBlocks: 'number',
      arch: 'string?',
      spatialFactor: 'number?',
    },
  },
  'audio-codec': {
    kind: 'string',
    codec: {
      sampleRate: 'number',
      hopSamples: 'number',
      nMels: 'number',
      latentChannels: 'number',
      hidden: 'number',
      resBlocks: 'number',
      stft: { nFft: 'number', hop: 'number', win: 'number' },
      griffinLimIters: 'number',
      dropNyquist: 'boolean?',
    },
  },
};

/** A video codec run trained with an adversarial or latent motion term also holds its discriminator (disc.*) or
 * read-out (probe.*): training only, dropped on load and on export. */
export const trainingOnly = (name: string): boolean => name.startsWith('disc.') || name.startsWith('probe.');

function splitNorm(ck: CodecCheckpoint, kind: string, source: string): { weights: HostParams; mean: Float32Array; std: Float32Array } {
  if (ck.config?.kind !== kind) throw new Error(`${source}: is a ${ck.config?.kind ?? 'unknown'} checkpoint, expected ${kind}`);
  checkSchema(ck.config, CODEC_SCHEMAS[kind], `${source}/config.json`);
  const { 'latent.mean': mean, 'latent.std': std, ...all } = ck.params;
  const weights = Object.fromEntries(Object.entries(all).filter(([k]) => !trainingOnly(k)));
  if (!mean || !std) throw new Error(`${source}: has no latent normalisation statistics (latent.mean / latent.std)`);
  return { weights, mean: mean.data, std: std.data };
}

function normalise(z: Float32Array, mean: Float32Array, std: Float32Array, inverse: boolean): Float32Array {
  const C = mean.length;
  return Float32Array.from(z, (v, i) => (inverse ? v * std[i % C] + mean[i % C] : (v - mean[i % C]) / std[i % C]));
}

export class VideoCodec {
  readonly params: Params;
  #enc = jit((p: Params, x: Tensor) => encodeVideo(p, this.config, x));
  #dec = jit((p: Params, z: Tensor) => decodeVideo(p, this.config, z));

  constructor(
    readonly config: VideoCodecConfig,
    weights: HostParams,
    readonly mean: Float32Array,
    readonly std: Float32Array,
    source = 'video codec',
  ) {
    checkVideoCodecConfig(config, source);
    checkAgainstSpecs(weights, videoCodecSpecs(config), source);
    this.params = toDevice(weights);
  }

  static fromCheckpoint(ck: CodecCheckpoint, source = 'checkpoint'): VideoCodec {
    const { weights, mean, std } = splitNorm(ck, 'video-codec', source);
    return new VideoCodec(ck.config.codec as VideoCodecConfig, weights, mean, std, source);
  }

  latentShape(numFrames: number): [number, number, number, number] {
    return videoLatentShape(this.config, numFrames);
  }

  /** frames [B, 1+4k, H, W, 3] in [0,1] → normalised latents [B, 1+k, H/8, W/8, C]. */
  async encode(frames: Float32Array, batch: number, numFrames: number): Promise<Float32Array> {
    checkFrameCount(numFrames);
    const { width: W, height: H } = this.config;
    if (frames.length !== batch * numFrames * H * W * 3)
      throw new Error(`video codec: ${frames.length} values are not ${batch}×${numFrames}×${H}×${W}×3 frames`);
    const z = await this.#chunked(frames, batch, numFrames * H * W * 3, (x, b) =>
      this.#enc(refTree(this.params), ops.tensor(x, [b, numFrames, H, W, 3])),
    );
    return normalise(z, this.mean, this.std, false);
  }

  /** normalised latents [B, L, h, w, C] → frames [B, 1+4(L-1), H, W, 3] clipped to [0,1]. */
  async decode(latents: Float32Array, batch: number, numLatentFrames: number): Promise<Float32Array> {
    const [, h, w, C] = this.latentShape(1 + 4 * (numLatentFrames - 1));
    if (latents.length !== batch * numLatentFrames * h * w * C)
      throw new Error(`video codec: ${latents.length} latent values are not ${batch}×${numLatentFrames}×${h}×${w}×${C}`);
    const z = normalise(latents, this.mean, this.std, true);
    const y = await this.#chunked(z, batch, numLatentFrames * h * w * C, (x, b) =>
      this.#dec(refTree(this.params), ops.tensor(x, [b, numLatentFrames, h, w, C])),
    );
    return y.map((v) => Math.min(1, Math.max(0, v)));
  }

  /** Runs `f` on at most `maxClipsPerCall` clips at a time: jax-js keeps a program's intermediates alive,
   * and v2's full-resolution layers on 8 clips of 17 frames exceed the 4 GiB wasm heap. */
  async #chunked(x: Float32Array, batch: number, per: number, f: (x: Float32Array, b: number) => Tensor): Promise<Float32Array> {
    const step = (this.config.arch ?? 'v1') === 'v1' ? batch : 2;
    if (step >= batch) return ops.read(f(x, batch));
    const parts: Float32Array[] = [];
    for (let i = 0; i < batch; i += step) {
      const b = Math.min(step, batch - i);
      parts.push(await ops.read(f(x.subarray(i * per, (i + b) * per), b)));
    }
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) (out.set(p, o), (o += p.length));
    return out;
  }
}

export class AudioCodec {
  readonly params: Params;
  #enc = jit((p: Params, m: Tensor) => encodeAudio(p, this.config, m));
  #dec = jit((p: Params, z: Tensor) => decodeAudio(p, this.config, z));

  constructor(
    readonly config: AudioCodecConfig,
    weights: HostParams,
    readonly mean: Float32Array,
    readonly std: Float32Array,
    source = 'audio codec',
  ) {
    checkAudioConfig(config);
    checkAgainstSpecs(weights, audioCodecSpecs(config), source);
    this.params = toDevice(weights);
  }

  static fromCheckpoint(ck: CodecCheckpoint, source = 'checkpoint'): AudioCodec {
    const { weights, mean, std } = splitNorm(ck, 'audio-codec', source);
    return new AudioCodec(ck.config.codec as AudioCodecConfig, weights, mean, std, source);
  }

  latentFrames(numSamples: number): number {
    return audioLatentFrames(this.config, numSamples);
  }

  /** audio [B, L] at the codec's rate → normalised latents [B, floor(L/320), Ca]. */
  async encode(audio: Float32Array, batch: number, sampleRate: number): Promise<Float32Array> {
    if (sampleRate !== this.config.sampleRate)
      throw new Error(`audio codec: audio is ${sampleRate} Hz, this codec needs ${this.config.sampleRate} Hz`);
    const f = audioFeatures(this.config, audio, batch);
    if (f.frames === 0) throw new Error(`audio codec: ${audio.length / batch} samples is shorter than one latent frame (${this.config.hopSamples})`);
    const z = await ops.read(this.#enc(refTree(this.params), ops.tensor(f.logMel, [batch, f.frames, this.config.nMels])));
    return normalise(z, this.mean, this.std, false);
  }

  /** Predicted log-magnitude spectrograms [B, 2La, decodedBins] of normalised latents (no Griffin–Lim yet). */
  async decodeSpectrogram(latents: Float32Array, batch: number): Promise<Float32Array> {
    const C = this.config.latentChannels;
    const La = latents.length / batch / C;
    if (!Number.isInteger(La)) throw new Error(`audio codec: ${latents.length} latent values do not split into ${batch} clips of ${C} channels`);
    const z = normalise(latents, this.mean, this.std, true);
    return ops.read(this.#dec(refTree(this.params), ops.tensor(z, [batch, La, C])));
  }

  /** normalised latents [B, La, Ca] → waveforms [B, `length`] (default La·320) via Griffin–Lim
   * (`griffinLimIters` overrides the checkpoint's iteration count: fewer is faster and rougher). */
  async decode(latents: Float32Array, batch: number, length?: number, griffinLimIters?: number): Promise<Float32Array> {
    const spec = await this.decodeSpectrogram(latents, batch);
    const La = latents.length / batch / this.config.latentChannels;
    const L = length ?? La * this.config.hopSamples;
    const bins = decodedBins(this.config);
    const out = new Float32Array(batch * L);
    for (let b = 0; b < batch; b++) {
      const s = spec.subarray(b * 2 * La * bins, (b + 1) * 2 * La * bins);
      out.set(logMagToWaveform(this.config, s, 2 * La, L, griffinLimIters), b * L);
    }
    return out;
  }
}
