/** `avdit codec train|eval`, `avdit encode`, `avdit decode`. */
import { join } from 'node:path';
import type { HostParams } from '../../src/util/safetensors.js';
import { Flags } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { train, checkRunFolder, TRAINER_DEFAULTS, type TrainerConfig } from '../../src/train/trainer.js';
import { VIDEO_CODEC_DEFAULTS, VIDEO_CODEC_V1, checkVideoCodecConfig, type VideoCodecConfig } from '../../src/codecs/video-codec.js';
import { ClipCache } from '../../src/data/node/cache.js';
import { videoTrainTask, VIDEO_TRAIN_DEFAULTS } from '../../src/train/node/train-video.js';
import { AUDIO_CODEC_DEFAULTS } from '../../src/codecs/audio-codec.js';
import { audioTrainTask, AUDIO_TRAIN_DEFAULTS } from '../../src/train/node/train-audio.js';
import { codecReport } from '../../src/eval/node/codec-report.js';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/util/node/checkpoint.js';
import { recordedPath } from '../../src/util/node/paths.js';
import { refuseOverwrite } from '../../src/util/node/atomic.js';
import { encodeLatentCache, openLatentCache, loadCodecs } from '../../src/codecs/node/latents.js';
import { trainingOnly } from '../../src/codecs/codec.js';
import { encode } from '../../src/media/node/ffmpeg.js';
import { makeClip } from '../../src/media/clip.js';

export const CODEC_HELP = `avdit codec train --data <cache> --modality video|audio --out <run> [options]
    --steps 3000 --batch 8 --lr 1e-3 --warmup 100 --seed 0 --checkpoint-every 200 --log-every 20
    --resume (continue <run>/checkpoint)  --force (replace a run in <run>)  --for 150m (stop and checkpoint after this wall time)
  video: --arch v2 (or v1, the first bundled codec) --factor 4 (spatial compression, v2) --hidden 128
         --res-blocks 2 --frames 9 (crop length, 1+4k) --batch 4 --region-weight 8 (extra loss weight in the
         cache's regions, e.g. GRID's mouth and eyes; 0 = plain L1) --motion-weight 1 (L1 of the error's
         frame-to-frame change: keeps motion, e.g. lips) --pool-motion-weight 0 (the same change of the error's
         means over a 3×3 grid of blocks in each region: a mouth that opens) --adv-weight 0 (a patch discriminator,
         trained from scratch, on one region's frames stacked over time; hinge loss) --adv-region mouth
         (also the region of:) --latent-motion-weight 0 (a linear read-out from the latents in the region must give
         each frame's block means minus its group of 4's: the latents carry per-frame lip motion)
         --freeze encoder (train the decoder only: the latents stay as they are, e.g. under a trained AVDiT)
         --latent-noise 0.05 (std of the noise added to the latents in training: a decoder robust to diffusion samples);
         frame size comes from the cache
  audio: --hidden 128 --res-blocks 2
avdit codec eval --data <cache> [--video <ckpt>] [--audio <ckpt>] --out <dir> [--clips 26] [--mp4-clips 4]
    reconstruction report on the validation split: PSNR/SSIM (whole frame and the cache's regions), lip sync
    of the reconstruction (SyncCorr; --face adds the face network's LipSync-lm and LMD-mouth), STFT/log-spectral distances,
    side-by-side.mp4 (with sound), contact-sheet.png, spectrograms.png, report.md`;

/** The trainer's flags, shared by `codec train` and `train`. */
export const TRAINER_FLAGS = ['steps', 'lr', 'warmup', 'seed', 'checkpoint-every', 'log-every', 'for'];

/** `--for 150m` / `90s` / `2h` → seconds (a wall-time budget for one training session), or undefined. */
export function forSeconds(f: Flags): number | undefined {
  const v = f.str('for');
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(v.trim());
  if (!m || !(Number(m[1]) > 0)) throw new Error(`--for must be a duration like 90s, 150m or 2h, got "${v}"`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

export function trainerFlags(f: Flags, defaults: Partial<TrainerConfig>): TrainerConfig {
  const d = { ...TRAINER_DEFAULTS, ...defaults };
  return {
    ...d,
    steps: f.int('steps', d.steps),
    lr: f.num('lr', d.lr, { above: 0, max: 1 }),
    warmupSteps: f.int('warmup', d.warmupSteps, 0),
    seed: f.seed('seed', d.seed),
    checkpointEvery: f.int('checkpoint-every', d.checkpointEvery),
    logEvery: f.int('log-every', d.logEvery),
  };
}

export async function codecCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'train') {
    const f = new Flags('codec train', rest, {
      options: [
        'data',
        'modality',
        'out',
        'batch',
        'hidden',
        'res-blocks',
        'frames',
        'device',
        'arch',
        'factor',
        'region-weight',
        'motion-weight',
        'pool-motion-weight',
        'adv-weight',
        'adv-region',
        'latent-motion-weight',
        'freeze',
        'latent-noise',
        ...TRAINER_FLAGS,
      ],
      booleans: ['resume', 'force'],
      help: CODEC_HELP,
    });
    const data = f.need('data', 'cache');
    const out = f.need('out', 'run folder');
    const modality = f.choice('modality', ['video', 'audio'] as const, 'video');
    if (!f.has('modality')) throw new Error('codec train: --modality video|audio is required');
    const runOpts = { resume: f.bool('resume'), force: f.bool('force'), forSeconds: forSeconds(f) };
    checkRunFolder(out, runOpts);
    const trainer = trainerFlags(
      f,
      modality === 'video'
        ? { steps: 3000, lr: 1e-3, warmupSteps: 100, weightDecay: 0 }
        : { steps: 1500, lr: 1e-3, warmupSteps: 100, weightDecay: 0 },
    );
    const info = await initNodeEngine({ device: f.device(), convLowering: 'auto-train' }); // per-tap products: the fastest conv gradient on wasm
    console.log(`engine: ${info.device}${info.device === 'wasm' ? ` with ${info.threads} threads` : ` (${info.adapter})`}`);
    if (modality === 'video') {
      const arch = f.choice('arch', ['v1', 'v2'] as const, 'v2');
      const base = arch === 'v1' ? VIDEO_CODEC_V1 : VIDEO_CODEC_DEFAULTS;
      const { width, height } = new ClipCache(data).config;
      const c: VideoCodecConfig = {
        ...base,
        width,
        height,
        hidden: f.int('hidden', base.hidden),
        resBlocks: f.int('res-blocks', base.resBlocks, 0, 16),
        ...(arch === 'v2' ? { spatialFactor: f.int('factor', VIDEO_CODEC_DEFAULTS.spatialFactor!, 2, 64) } : {}),
      };
      checkVideoCodecConfig(c, 'codec train');
      const freezeEncoder = f.choice('freeze', ['none', 'encoder'] as const, 'none') === 'encoder';
      // a frozen encoder keeps the latent statistics of the checkpoint it resumes (so its latents stay bit-identical)
      const ck = join(out, 'checkpoint');
      const latentStats = freezeEncoder && runOpts.resume && hasCheckpoint(ck) ? latentStatsOf(loadCheckpoint(ck).params) : undefined;
      const task = videoTrainTask(data, c, {
        ...VIDEO_TRAIN_DEFAULTS,
        batch: f.int('batch', VIDEO_TRAIN_DEFAULTS.batch, 1, 1024),
        trainFrames: f.int('frames', VIDEO_TRAIN_DEFAULTS.trainFrames),
        regionWeight: f.num('region-weight', VIDEO_TRAIN_DEFAULTS.regionWeight, { min: 0, max: 1000 }),
        motionWeight: f.num('motion-weight', VIDEO_TRAIN_DEFAULTS.motionWeight, { min: 0, max: 1000 }),
        poolMotionWeight: f.num('pool-motion-weight', 0, { min: 0, max: 1000 }),
        advWeight: f.num('adv-weight', 0, { min: 0, max: 1000 }),
        advRegion: f.str('adv-region', 'mouth'),
        latentMotionWeight: f.num('latent-motion-weight', 0, { min: 0, max: 1000 }),
        freezeEncoder,
        latentNoise: f.num('latent-noise', VIDEO_TRAIN_DEFAULTS.latentNoise, { min: 0, max: 10 }),
        ...(latentStats ? { latentStats } : {}),
      });
      const r = await train(task, trainer, out, runOpts);
      console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint, loss curve ${out}/loss.png`);
    } else if (modality === 'audio') {
      const c = {
        ...AUDIO_CODEC_DEFAULTS,
        hidden: f.int('hidden', AUDIO_CODEC_DEFAULTS.hidden),
        resBlocks: f.int('res-blocks', AUDIO_CODEC_DEFAULTS.resBlocks, 0, 16),
      };
      const task = audioTrainTask(data, c, { ...AUDIO_TRAIN_DEFAULTS, batch: f.int('batch', AUDIO_TRAIN_DEFAULTS.batch, 1, 1024) });
      const r = await train(task, trainer, out, runOpts);
      console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint, loss curve ${out}/loss.png`);
    }
  } else if (sub === 'eval') {
    const f = new Flags('codec eval', rest, {
      options: ['data', 'video', 'audio', 'out', 'clips', 'mp4-clips', 'device'],
      booleans: ['face'],
      help: CODEC_HELP,
    });
    const data = f.need('data', 'cache');
    const out = f.need('out', 'folder');
    if (!f.str('video') && !f.str('audio')) throw new Error('codec eval: give --video <ckpt>, --audio <ckpt> or both');
    const maxClips = f.int('clips', 26),
      mp4Clips = f.int('mp4-clips', 4, 0);
    await initNodeEngine({ device: f.device() });
    const r = await codecReport({ cache: data, video: f.str('video'), audio: f.str('audio'), out, maxClips, mp4Clips, face: f.bool('face') });
    if (r.video) {
      console.log(
        `video: PSNR ${r.video.psnr.toFixed(2)} dB (worst clip ${r.video.psnrMin.toFixed(2)}), SSIM ${r.video.ssim.toFixed(4)} on ${r.clips} val windows`,
      );
      for (const [k, v] of Object.entries(r.video.regions)) console.log(`  ${k} box: PSNR ${v.psnr.toFixed(2)} dB, SSIM ${v.ssim.toFixed(4)}`);
      const s = r.video.syncCorr;
      console.log(
        `  SyncCorr (lip motion vs audio energy): reconstruction ${s.reconstruction.toFixed(3)}, real clips ${s.real.toFixed(3)}, shuffled pairs ${s.shuffled.toFixed(3)}`,
      );
      if (r.video.face)
        console.log(
          `  face network: LipSync-lm reconstruction ${r.video.face.lipSync.reconstruction.toFixed(3)}, real clips ${r.video.face.lipSync.real.toFixed(3)}; LMD-mouth ${r.video.face.lmdMouth.toFixed(4)}; faces found in ${(100 * r.video.face.found).toFixed(1)}% of reconstructed frames`,
        );
    }
    if (r.audio)
      console.log(
        `audio: MR-STFT ${r.audio.mrStft.toFixed(3)}, LSD ${r.audio.lsdDb.toFixed(2)} dB (Griffin–Lim on true magnitudes: ${r.audio.griffinLimOnTrue.mrStft.toFixed(3)}, ${r.audio.griffinLimOnTrue.lsdDb.toFixed(2)} dB)`,
      );
    console.log(`files:\n  ${r.files.join('\n  ')}`);
  } else {
    if (sub && sub !== '--help' && sub !== '-h') throw new Error(`unknown codec command "${sub}" (train or eval)`);
    console.log(CODEC_HELP);
  }
}

export const ENCODE_HELP = `avdit encode --data <cache> --video <ckpt> --audio <ckpt> --out <latents> [--hop 4]
    encode every window of a prepared cache into the latent cache diffusion training reads
avdit decode --latents <latents> --video <ckpt> --audio <ckpt> --out <file.mp4> [--split val] [--index 0]
    decode one window of a latent cache back to an mp4 with sound`;

export async function encodeCommand(argv: string[]): Promise<void> {
  const f = new Flags('encode', argv, { options: ['data', 'video', 'audio', 'out', 'hop', 'device'], help: ENCODE_HELP });
  const [data, video, audio, out] = [f.need('data', 'cache'), f.need('video', 'codec'), f.need('audio', 'codec'), f.need('out', 'latent cache')];
  const hop = f.int('hop', 0, 0);
  await initNodeEngine({ device: f.device() });
  const m = await encodeLatentCache({ cache: data, video, audio, out, hop: hop || undefined, log: (s) => console.log(s) });
  console.log(
    `wrote ${out}/latents.safetensors: ${m.windows.train.length} train + ${m.windows.val.length} val windows; video latents [${m.videoShape}], audio latents [${m.audioShape}], ${m.layout.numSegments} segments`,
  );
}

export async function decodeCommand(argv: string[]): Promise<void> {
  const f = new Flags('decode', argv, { options: ['latents', 'video', 'audio', 'out', 'split', 'index', 'device'], help: ENCODE_HELP });
  const [lat, video, audio, out] = [f.need('latents', 'latent cache'), f.need('video', 'codec'), f.need('audio', 'codec'), f.need('out', 'file.mp4')];
  const split = f.choice('split', ['train', 'val'] as const, 'val');
  const i = f.int('index', 0, 0);
  await initNodeEngine({ device: f.device() });
  const lc = openLatentCache(lat);
  const n = lc.manifest.windows[split]?.length ?? 0;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`decode: --index ${i} is outside the ${n} ${split} windows of ${lat}`);
  const codecs = loadCodecs(video, audio);
  const vs = lc.manifest.videoShape.reduce((a, b) => a * b, 1),
    as = lc.manifest.audioShape.reduce((a, b) => a * b, 1);
  const frames = await codecs.video.decode(lc.tensors[`${split}.video`].data.subarray(i * vs, (i + 1) * vs), 1, lc.manifest.videoShape[0]);
  const d = lc.manifest.data;
  const wave = await codecs.audio.decode(
    lc.tensors[`${split}.audio`].data.subarray(i * as, (i + 1) * as),
    1,
    Math.round((d.windowFrames / d.fps) * d.sampleRate),
  );
  await encode(
    makeClip({ video: frames, numFrames: d.windowFrames, height: d.height, width: d.width, fps: d.fps, audio: wave, sampleRate: d.sampleRate }),
    out,
  );
  console.log(`wrote ${out} (${split} window ${i}: ${lc.manifest.windows[split][i].file} from frame ${lc.manifest.windows[split][i].start})`);
}

export const EXPORT_HELP = `avdit export <checkpoint> --out <dir> [--dtype f16|f32]
    copies a checkpoint's weights and config (no optimizer state) into a small bundle, e.g. for models/`;

export async function exportCommand(argv: string[]): Promise<void> {
  const f = new Flags('export', argv, { options: ['out', 'dtype'], help: EXPORT_HELP });
  const [src] = f.positional;
  if (!src) throw new Error('export: which checkpoint? usage: avdit export <checkpoint> --out <dir> [--dtype f16|f32]');
  const out = f.need('out', 'folder');
  const dtype = f.choice('dtype', ['f16', 'f32'] as const, 'f16').toUpperCase();
  refuseOverwrite([src], [out], 'export');
  const ck = loadCheckpoint(src);
  const codec = String((ck.config as { kind?: unknown }).kind).endsWith('-codec');
  const params = codec ? Object.fromEntries(Object.entries(ck.params).filter(([k]) => !trainingOnly(k))) : ck.params;
  // a training checkpoint knows its step from trainer.json; a run's best/ export keeps it in its config
  const step = ck.trainer?.step ?? (ck.config as { exportedStep?: number }).exportedStep ?? null;
  saveCheckpoint(out, { config: { ...(ck.config as object), exportedFrom: recordedPath(src), exportedStep: step }, params }, dtype as 'F16' | 'F32');
  console.log(`wrote ${out}/model.safetensors (${dtype}) and config.json from ${src} (step ${step ?? '?'})`);
}

function latentStatsOf(params: HostParams): HostParams | undefined {
  const stats = Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('latent.')));
  return Object.keys(stats).length ? stats : undefined;
}
