/** Helpers for tests at tiny size: random weights for a spec table and tiny codec checkpoints on disk. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveCheckpoint } from '../../util/node/checkpoint.js';
import { videoCodecSpecs, type VideoCodecConfig } from '../../codecs/video-codec.js';
import { audioCodecSpecs, AUDIO_CODEC_DEFAULTS, type AudioCodecConfig } from '../../codecs/audio-codec.js';
import { normal } from '../../util/rng.js';
import { encodeSafetensors, type HostParams } from '../../util/safetensors.js';
import { segmentLayout } from '../../monl/segments.js';
import { makeTokenLayout } from '../../monl/layout.js';
import { AVDIT_PRESETS, avditSpecs } from '../../model/avdit.js';
import { SCHEDULE_DEFAULTS } from '../../diffusion/schedule.js';
import type { LatentManifest } from '../../codecs/node/latents.js';

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

/**
 * A latent cache (9 frames at 32×32: the latent shapes of `writeTinyCodecs`) whose video and audio latents are
 * both functions of one hidden phase per window.
 */
export function writeToyLatents(
  dir: string,
  nTrain = 48,
  nVal = 8,
  codecs: LatentManifest['codecs'] = { video: { path: 'none', sha256: '' }, audio: { path: 'none', sha256: '' } },
): void {
  mkdirSync(dir, { recursive: true });
  const seg = segmentLayout(9, 8, 56, 0.02);
  const mk = (n: number, seed: number) => {
    const v = new Float32Array(n * 3 * 4 * 4 * 4),
      a = new Float32Array(n * 56 * 4);
    for (let i = 0; i < n; i++) {
      const ph = (((i * 7919 + seed) % 97) / 97) * 2 * Math.PI;
      for (let k = 0; k < 192; k++) v[i * 192 + k] = Math.sin(ph + k * 0.3) * 1.2;
      for (let k = 0; k < 224; k++) a[i * 224 + k] = Math.cos(ph + Math.floor(k / 4) * 0.2 + (k % 4)) * 1.2;
    }
    return { v, a };
  };
  // quiet masks (--quiet-weight): runs of quiet frames at places that vary with the window
  const quiet = (n: number) => ({
    shape: [n, 56],
    data: Float32Array.from({ length: n * 56 }, (_, j) => (((j % 56) + 3 * Math.floor(j / 56)) % 7 < 3 ? 1 : 0)),
  });
  const tr = mk(nTrain, 1),
    va = mk(nVal, 2);
  writeFileSync(
    join(dir, 'latents.safetensors'),
    encodeSafetensors({
      'train.video': { shape: [nTrain, 3, 4, 4, 4], data: tr.v },
      'train.audio': { shape: [nTrain, 56, 4], data: tr.a },
      'val.video': { shape: [nVal, 3, 4, 4, 4], data: va.v },
      'val.audio': { shape: [nVal, 56, 4], data: va.a },
      'train.quiet': quiet(nTrain),
      'val.quiet': quiet(nVal),
    }),
  );
  const m: LatentManifest = {
    version: 1,
    source: 'toy',
    codecs,
    data: { fps: 8, sampleRate: 16000, windowFrames: 9, width: 32, height: 32 },
    videoShape: [3, 4, 4, 4],
    audioShape: [56, 4],
    audioHopSec: 0.02,
    layout: seg,
    windows: {
      train: Array.from({ length: nTrain }, (_, i) => ({ file: `t${i}`, start: 0 })),
      val: Array.from({ length: nVal }, (_, i) => ({ file: `v${i}`, start: 0 })),
    },
  };
  writeFileSync(join(dir, 'latents.json'), JSON.stringify(m));
}

/**
 * A random tiny AVDiT checkpoint (tiny preset) for 17-frame 32×32 windows, the latent shapes of
 * `writeTinyCodecs` ([5, 4, 4, 4] video, [106, 4] audio); `codecs` records the codecs it pairs with.
 */
export function writeTinyAvdit(dir: string, o: { seed?: number; codecs?: LatentManifest['codecs']; strategy?: string } = {}) {
  const seg = segmentLayout(17, 8, 106, 0.02);
  const model = { ...AVDIT_PRESETS.tiny };
  const layout = makeTokenLayout(seg, { L: 5, h: 4, w: 4, C: 4 }, { La: 106, C: 4 }, model.patch, 8, 0.02);
  const config = {
    kind: 'avdit',
    model,
    ...(o.strategy ? { strategy: o.strategy } : {}),
    layout: { video: [5, 4, 4, 4], audio: [106, 4], segments: 5 },
    diffusion: SCHEDULE_DEFAULTS,
    latents: {
      data: { fps: 8, sampleRate: 16000, windowFrames: 17, width: 32, height: 32 },
      segmentLayout: seg,
      audioHopSec: 0.02,
      ...(o.codecs ? { codecs: o.codecs } : {}),
    },
  };
  saveCheckpoint(dir, { config, params: randomParams(avditSpecs(model, layout), o.seed ?? 3) });
  return { config, model, layout };
}
