/** `avdit codec train|eval`, `avdit encode`, `avdit decode`. */
import { Flags, parseArgs } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { train, TRAINER_DEFAULTS, type TrainerConfig } from '../../src/train/trainer.js';
import { VIDEO_CODEC_DEFAULTS, VIDEO_CODEC_V1, checkVideoCodecConfig, type VideoCodecConfig } from '../../src/codecs/video-codec.js';
import { ClipCache } from '../../src/data/node/cache.js';
import { videoTrainTask, VIDEO_TRAIN_DEFAULTS } from '../../src/codecs/node/train-video.js';
import { AUDIO_CODEC_DEFAULTS } from '../../src/codecs/audio-codec.js';
import { audioTrainTask, AUDIO_TRAIN_DEFAULTS } from '../../src/codecs/node/train-audio.js';
import { codecReport } from '../../src/codecs/node/report.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';
import { resolve } from 'node:path';
import { encodeLatentCache, openLatentCache, loadCodecs } from '../../src/codecs/node/latents.js';
import { encode } from '../../src/media/node/ffmpeg.js';
import { makeClip } from '../../src/media/clip.js';

export const CODEC_HELP = `avdit codec train --data <cache> --modality video|audio --out <run> [options]
    --steps 3000 --batch 8 --lr 1e-3 --warmup 100 --seed 0 --checkpoint-every 200 --log-every 20
    --resume (continue <run>/checkpoint)
  video: --arch v2 (or v1, the first bundled codec) --factor 4 (spatial compression, v2) --hidden 128
         --res-blocks 2 --frames 9 (crop length, 1+4k) --region-weight 4 (extra loss weight in the cache's
         regions, e.g. GRID's mouth and eyes; 0 = plain L1); frame size comes from the cache
  audio: --hidden 128 --res-blocks 2
avdit codec eval --data <cache> [--video <ckpt>] [--audio <ckpt>] --out <dir> [--clips 26] [--mp4-clips 4]
    reconstruction report on the validation split: PSNR/SSIM, STFT/log-spectral distances,
    side-by-side.mp4 (with sound), contact-sheet.png, spectrograms.png, report.md`;

function trainerFlags(f: Flags, defaults: Partial<TrainerConfig>): TrainerConfig {
  const d = { ...TRAINER_DEFAULTS, ...defaults };
  return {
    ...d,
    steps: f.num('steps', d.steps),
    lr: f.num('lr', d.lr),
    warmupSteps: f.num('warmup', d.warmupSteps),
    seed: f.num('seed', d.seed),
    checkpointEvery: f.num('checkpoint-every', d.checkpointEvery),
    logEvery: f.num('log-every', d.logEvery),
  };
}

export async function codecCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'train') {
    const f = new Flags('codec train', parseArgs(rest, ['resume']), ['data', 'modality', 'out', 'steps', 'batch', 'lr', 'warmup', 'seed', 'checkpoint-every', 'log-every', 'hidden', 'res-blocks', 'frames', 'resume', 'device', 'arch', 'factor', 'region-weight']);
    const data = f.str('data');
    const out = f.str('out');
    const modality = f.str('modality');
    if (!data || !out || !modality) throw new Error('usage: avdit codec train --data <cache> --modality video|audio --out <run>');
    const info = await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
    console.log(`engine: ${info.device}${info.device === 'wasm' ? ` with ${info.threads} threads` : ` (${info.adapter})`}`);
    if (modality === 'video') {
      const arch = f.str('arch', 'v2');
      if (arch !== 'v1' && arch !== 'v2') throw new Error(`codec train: --arch must be v1 or v2, got "${arch}"`);
      const base = arch === 'v1' ? VIDEO_CODEC_V1 : VIDEO_CODEC_DEFAULTS;
      const { width, height } = new ClipCache(data).config;
      const c: VideoCodecConfig = {
        ...base, width, height, hidden: f.num('hidden', base.hidden), resBlocks: f.num('res-blocks', base.resBlocks),
        ...(arch === 'v2' ? { spatialFactor: f.num('factor', VIDEO_CODEC_DEFAULTS.spatialFactor!) } : {}),
      };
      checkVideoCodecConfig(c, 'codec train');
      const task = videoTrainTask(data, c, {
        ...VIDEO_TRAIN_DEFAULTS, batch: f.num('batch', VIDEO_TRAIN_DEFAULTS.batch), trainFrames: f.num('frames', VIDEO_TRAIN_DEFAULTS.trainFrames),
        regionWeight: f.num('region-weight', VIDEO_TRAIN_DEFAULTS.regionWeight),
      });
      const r = await train(task, trainerFlags(f, { steps: 3000, lr: 1e-3, warmupSteps: 100, weightDecay: 0 }), out, { resume: f.bool('resume') });
      console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint, loss curve ${out}/loss.png`);
    } else if (modality === 'audio') {
      const c = { ...AUDIO_CODEC_DEFAULTS, hidden: f.num('hidden', AUDIO_CODEC_DEFAULTS.hidden), resBlocks: f.num('res-blocks', AUDIO_CODEC_DEFAULTS.resBlocks) };
      const task = audioTrainTask(data, c, { ...AUDIO_TRAIN_DEFAULTS, batch: f.num('batch', AUDIO_TRAIN_DEFAULTS.batch) });
      const r = await train(task, trainerFlags(f, { steps: 1500, lr: 1e-3, warmupSteps: 100, weightDecay: 0 }), out, { resume: f.bool('resume') });
      console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint, loss curve ${out}/loss.png`);
    } else {
      throw new Error(`codec train: unknown --modality "${modality}" (video or audio)`);
    }
  } else if (sub === 'eval') {
    const f = new Flags('codec eval', parseArgs(rest), ['data', 'video', 'audio', 'out', 'clips', 'mp4-clips', 'device']);
    const data = f.str('data');
    const out = f.str('out');
    if (!data || !out || (!f.str('video') && !f.str('audio'))) throw new Error('usage: avdit codec eval --data <cache> --video <ckpt> --audio <ckpt> --out <dir>');
    await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
    const r = await codecReport({ cache: data, video: f.str('video'), audio: f.str('audio'), out, maxClips: f.num('clips', 26), mp4Clips: f.num('mp4-clips', 4) });
    if (r.video) {
      console.log(`video: PSNR ${r.video.psnr.toFixed(2)} dB (worst clip ${r.video.psnrMin.toFixed(2)}), SSIM ${r.video.ssim.toFixed(4)} on ${r.clips} val windows`);
      for (const [k, v] of Object.entries(r.video.regions)) console.log(`  ${k} box: PSNR ${v.psnr.toFixed(2)} dB, SSIM ${v.ssim.toFixed(4)}`);
      const s = r.video.syncCorr;
      console.log(`  SyncCorr (lip motion vs audio energy): reconstruction ${s.reconstruction.toFixed(3)}, real clips ${s.real.toFixed(3)}, shuffled pairs ${s.shuffled.toFixed(3)}`);
    }
    if (r.audio) console.log(`audio: MR-STFT ${r.audio.mrStft.toFixed(3)}, LSD ${r.audio.lsdDb.toFixed(2)} dB (Griffin–Lim on true magnitudes: ${r.audio.griffinLimOnTrue.mrStft.toFixed(3)}, ${r.audio.griffinLimOnTrue.lsdDb.toFixed(2)} dB)`);
    console.log(`files:\n  ${r.files.join('\n  ')}`);
  } else {
    console.log(CODEC_HELP);
    if (sub && sub !== '--help') throw new Error(`unknown codec command "${sub}"`);
  }
}

export const ENCODE_HELP = `avdit encode --data <cache> --video <ckpt> --audio <ckpt> --out <latents> [--hop 4]
    encode every window of a prepared cache into the latent cache diffusion training reads
avdit decode --latents <latents> --video <ckpt> --audio <ckpt> --out <file.mp4> [--split val] [--index 0]
    decode one window of a latent cache back to an mp4 with sound`;

export async function encodeCommand(argv: string[]): Promise<void> {
  const f = new Flags('encode', parseArgs(argv), ['data', 'video', 'audio', 'out', 'hop', 'device']);
  const [data, video, audio, out] = ['data', 'video', 'audio', 'out'].map((k) => f.str(k));
  if (!data || !video || !audio || !out) throw new Error('usage: avdit encode --data <cache> --video <ckpt> --audio <ckpt> --out <latents>');
  await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  const hop = f.num('hop', 0);
  const m = await encodeLatentCache({ cache: data, video, audio, out, hop: hop || undefined, log: (s) => console.log(s) });
  console.log(`wrote ${out}/latents.safetensors: ${m.windows.train.length} train + ${m.windows.val.length} val windows; video latents [${m.videoShape}], audio latents [${m.audioShape}], ${m.layout.numSegments} segments`);
}

export async function decodeCommand(argv: string[]): Promise<void> {
  const f = new Flags('decode', parseArgs(argv), ['latents', 'video', 'audio', 'out', 'split', 'index', 'device']);
  const [lat, video, audio, out] = ['latents', 'video', 'audio', 'out'].map((k) => f.str(k));
  if (!lat || !video || !audio || !out) throw new Error('usage: avdit decode --latents <latents> --video <ckpt> --audio <ckpt> --out <file.mp4>');
  await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  const lc = openLatentCache(lat);
  const split = f.str('split', 'val') as 'train' | 'val';
  const i = f.num('index', 0);
  const n = lc.manifest.windows[split]?.length ?? 0;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`decode: --index ${i} is outside the ${n} ${split} windows of ${lat}`);
  const codecs = loadCodecs(video, audio);
  const vs = lc.manifest.videoShape.reduce((a, b) => a * b, 1), as = lc.manifest.audioShape.reduce((a, b) => a * b, 1);
  const frames = await codecs.video.decode(lc.tensors[`${split}.video`].data.subarray(i * vs, (i + 1) * vs), 1, lc.manifest.videoShape[0]);
  const d = lc.manifest.data;
  const wave = await codecs.audio.decode(lc.tensors[`${split}.audio`].data.subarray(i * as, (i + 1) * as), 1, Math.round((d.windowFrames / d.fps) * d.sampleRate));
  await encode(makeClip({ video: frames, numFrames: d.windowFrames, height: d.height, width: d.width, fps: d.fps, audio: wave, sampleRate: d.sampleRate }), out);
  console.log(`wrote ${out} (${split} window ${i}: ${lc.manifest.windows[split][i].file} from frame ${lc.manifest.windows[split][i].start})`);
}

export const EXPORT_HELP = `avdit export <checkpoint> --out <dir> [--dtype f16|f32]
    copies a checkpoint's weights and config (no optimizer state) into a small bundle, e.g. for models/`;

export async function exportCommand(argv: string[]): Promise<void> {
  const f = new Flags('export', parseArgs(argv), ['out', 'dtype']);
  const [src] = f.positional;
  const out = f.str('out');
  if (!src || !out) throw new Error('usage: avdit export <checkpoint> --out <dir> [--dtype f16|f32]');
  const dtype = f.str('dtype', 'f16').toUpperCase();
  if (dtype !== 'F16' && dtype !== 'F32') throw new Error(`export: --dtype must be f16 or f32, got ${dtype.toLowerCase()}`);
  const ck = loadCheckpoint(src);
  saveCheckpoint(out, { config: { ...(ck.config as object), exportedFrom: resolve(src), exportedStep: ck.trainer?.step ?? null }, params: ck.params }, dtype as 'F16' | 'F32');
  console.log(`wrote ${out}/model.safetensors (${dtype}) and config.json from ${src} (step ${ck.trainer?.step ?? '?'})`);
}
