/** Helpers for tests at tiny size: random weights for a spec table and tiny codec checkpoints on disk. */
import { join } from 'node:path';
import { saveCheckpoint } from '../../util/node/checkpoint.js';
import { videoCodecSpecs, type VideoCodecConfig } from '../../codecs/video-codec.js';
import { audioCodecSpecs, AUDIO_CODEC_DEFAULTS, type AudioCodecConfig } from '../../codecs/audio-codec.js';
import { normal } from '../../util/rng.js';
import type { HostParams } from '../../util/safetensors.js';

/** Normal(0, scale²) weights for every entry of a spec table, reproducible from `seed`. */
export function randomParams(specs: Record<string, { shape: number[] }>, seed: number, scale = 0.1): HostParams {
  return Object.fromEntries(
    Object.entries(specs).map(([k, s], i) => [
      k,
      {
        shape: s.shape,
        data: normal(
          seed * 1000 + i,
          s.shape.reduce((a, b) => a * b, 1),
          scale,
        ),
      },
    ]),
  );
}

/** Latent normalisation statistics: the same mean and std for every channel. */
export function latentStats(channels: number, mean = 0, std = 1): HostParams {
  return {
    'latent.mean': { shape: [channels], data: new Float32Array(channels).fill(mean) },
    'latent.std': { shape: [channels], data: new Float32Array(channels).fill(std) },
  };
}

export interface TinyCodecs {
  video: string;
  audio: string;
  vc: VideoCodecConfig;
  ac: AudioCodecConfig;
}

/** Random tiny video + audio codec checkpoints (4 latent channels, hidden 8) under `root`/`name`-v|a. */
export function writeTinyCodecs(
  root: string,
  o: { size?: number; seed?: number; scale?: number; mean?: number; std?: number; name?: string; griffinLimIters?: number } = {},
): TinyCodecs {
  const size = o.size ?? 32,
    seed = o.seed ?? 1,
    name = o.name ?? 'codec';
  const vc = { width: size, height: size, latentChannels: 4, hidden: 8, resBlocks: 1 };
  const ac = {
    ...AUDIO_CODEC_DEFAULTS,
    latentChannels: 4,
    hidden: 8,
    resBlocks: 1,
    ...(o.griffinLimIters ? { griffinLimIters: o.griffinLimIters } : {}),
  };
  const video = join(root, `${name}-v`),
    audio = join(root, `${name}-a`);
  saveCheckpoint(video, {
    config: { kind: 'video-codec', codec: vc },
    params: { ...randomParams(videoCodecSpecs(vc), seed, o.scale), ...latentStats(4, o.mean, o.std) },
  });
  saveCheckpoint(audio, {
    config: { kind: 'audio-codec', codec: ac },
    params: { ...randomParams(audioCodecSpecs(ac), seed + 1, o.scale), ...latentStats(4, o.mean, o.std) },
  });
  return { video, audio, vc, ac };
}

/** `clips` synthetic 3 s clips (32×32) written as mp4 under `root`/clips and prepared into `root`/cache. */
export async function syntheticCache(root: string, clips: number, valPercent: number): Promise<string> {
  const { mkdirSync } = await import('node:fs');
  const { encode } = await import('../../media/node/ffmpeg.js');
  const { syntheticClip } = await import('../../media/synthetic.js');
  const { prepare } = await import('../../data/node/prepare.js');
  const { DATA_DEFAULTS } = await import('../../data/config.js');
  const src = join(root, 'clips');
  mkdirSync(src, { recursive: true });
  for (let i = 0; i < clips; i++) await encode(syntheticClip({ seed: i, numFrames: 24, width: 32, height: 32 }).clip, join(src, `c${i}.mp4`));
  await prepare(src, join(root, 'cache'), { ...DATA_DEFAULTS, width: 32, height: 32, crop: 'none', valPercent });
  return join(root, 'cache');
}
