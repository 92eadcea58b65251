/**
 * The latent cache the diffusion model trains on (`avdit encode`): every window of a prepared clip
 * cache encoded by both codecs into normalised latents, written as one safetensors file
 * (`<split>.video` [N, 1+k, h, w, Cv], `<split>.audio` [N, La, Ca], `<split>.quiet` [N, La]: 1 on the audio latent
 * frames the SAA metric calls quiet, for `--quiet-weight`) plus latents.json (the windows, the codec checkpoints and
 * their hashes, the segment layout).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClipCache, type Window } from '../../data/node/cache.js';
import { windowStarts } from '../../data/node/prepare.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import { VideoCodec, AudioCodec, type CodecCheckpoint } from '../codec.js';
import { segmentLayout, type SegmentLayout } from '../../monl/segments.js';
import { decodeSafetensors, encodeSafetensors, type HostParams } from '../../util/safetensors.js';
import { writeFileAtomic, ensureWritableDir } from '../../util/node/atomic.js';
import { recordedPath } from '../../util/node/paths.js';
import { readJsonFile } from '../../util/node/json.js';
import { quietLatentFrames } from '../../audio/activity.js';

/** A codec as a latent cache (and a model trained on it) records it: the file's sha256, and `encoderSha256`
 * (see encoderSha256), which a codec whose decoder alone was fine-tuned shares. */
export interface CodecRecord {
  path: string;
  sha256: string;
  encoderSha256?: string;
}

export interface LatentManifest {
  version: 1;
  source: string;
  codecs: { video: CodecRecord; audio: CodecRecord };
  data: { fps: number; sampleRate: number; windowFrames: number; width: number; height: number };
  videoShape: number[];
  audioShape: number[];
  /** seconds per audio latent frame (320 / 16000). */
  audioHopSec: number;
  layout: SegmentLayout;
  windows: Record<'train' | 'val', { file: string; start: number }[]>;
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * sha256 of what makes a codec's latents: its encoder's tensors (`enc.*`) and latent statistics (`latent.*`),
 * names, shapes and values (as float32, so an fp16 export and its fp32 checkpoint agree). A codec whose decoder alone
 * was fine-tuned (`avdit codec train --freeze encoder`) has the same one: its latents are the same.
 */
export function encoderSha256(dir: string): string {
  const file = join(dir, 'model.safetensors');
  const { tensors } = decodeSafetensors(readFileSync(file), file);
  const names = Object.keys(tensors)
    .filter((k) => k.startsWith('enc.') || k.startsWith('latent.'))
    .sort();
  if (!names.some((k) => k.startsWith('enc.'))) throw new Error(`${file}: no encoder tensors (enc.*): not a codec checkpoint`);
  const h = createHash('sha256');
  for (const k of names) {
    const t = tensors[k];
    h.update(`${k}[${t.shape.join(',')}]`);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}

/** The record of the codec in `dir`. */
export function codecRecord(dir: string): CodecRecord {
  return { path: recordedPath(dir), sha256: fileSha256(join(dir, 'model.safetensors')), encoderSha256: encoderSha256(dir) };
}

/**
 * Refuses codecs other than the ones a model was trained with (their sha256 is recorded in the model's
 * config): another codec's latents mean something else to the model, and the output would be noise. A codec with
 * the recorded encoder and another decoder (a decoder fine-tune) is accepted where the record has `encoderSha256`.
 */
export function checkCodecsMatch(
  model: { latents?: { codecs?: unknown } },
  modelDir: string,
  dirs: { video?: string; audio?: string },
  made = 'trained with',
): void {
  const rec = model.latents?.codecs as Partial<Record<'video' | 'audio', Partial<CodecRecord>>> | undefined;
  for (const what of ['video', 'audio'] as const) {
    const dir = dirs[what],
      want = rec?.[what]?.sha256,
      wantEnc = rec?.[what]?.encoderSha256;
    if (!dir || !want) continue;
    const got = fileSha256(join(dir, 'model.safetensors'));
    if (got !== want && wantEnc && encoderSha256(dir) === wantEnc) continue; // same encoder, another decoder
    if (got !== want)
      throw new Error(
        `${dir}: this ${what} codec (sha256 ${got.slice(0, 12)}…) is not the one ${modelDir} was ${made} (${want.slice(0, 12)}…); pass the matching --${what}-codec`,
      );
  }
}

export function loadCodecs(videoDir: string, audioDir: string): { video: VideoCodec; audio: AudioCodec } {
  return {
    video: VideoCodec.fromCheckpoint(loadCheckpoint(videoDir) as CodecCheckpoint, videoDir),
    audio: AudioCodec.fromCheckpoint(loadCheckpoint(audioDir) as CodecCheckpoint, audioDir),
  };
}

export async function encodeLatentCache(o: {
  cache: string;
  video: string;
  audio: string;
  out: string;
  hop?: number;
  log?: (s: string) => void;
}): Promise<LatentManifest> {
  const log = o.log ?? (() => {});
  ensureWritableDir(o.out);
  const cache = new ClipCache(o.cache);
  const dc = cache.config;
  const { video, audio } = loadCodecs(o.video, o.audio);
  const T = dc.windowFrames;
  const L = audio.latentFrames(Math.round((T / dc.fps) * dc.sampleRate));
  const vShape = video.latentShape(T);
  const aShape = [L, audio.config.latentChannels];
  const tensors: HostParams = {};
  const windows: LatentManifest['windows'] = { train: [], val: [] };
  for (const split of ['train', 'val'] as const) {
    const ws: Window[] = cache.clips(split).flatMap((clip) =>
      (o.hop ? windowStarts({ ...dc, hopFrames: o.hop }, clip.numFrames!, clip.numSamples!) : (clip.windows ?? [])).map((start) => ({
        clip,
        start,
      })),
    );
    const vOut = new Float32Array(ws.length * vShape.reduce((a, b) => a * b, 1));
    const aOut = new Float32Array(ws.length * L * aShape[1]);
    const qOut = new Float32Array(ws.length * L);
    const t0 = Date.now();
    for (let i = 0; i < ws.length; i += 8) {
      const part = ws.slice(i, i + 8).map((w) => cache.loadWindow(w));
      const fr = new Float32Array(part.length * part[0].video.length);
      const au = new Float32Array(part.length * L * audio.config.hopSamples);
      part.forEach((c, j) => {
        fr.set(c.video, j * c.video.length);
        au.set(c.audio.subarray(0, L * audio.config.hopSamples), j * L * audio.config.hopSamples);
        qOut.set(quietLatentFrames(c.audio, dc.sampleRate, dc.fps, T, L, audio.config.hopSamples), (i + j) * L);
      });
      vOut.set(await video.encode(fr, part.length, T), i * (vOut.length / ws.length));
      aOut.set(await audio.encode(au, part.length, dc.sampleRate), i * L * aShape[1]);
      log(`  ${split}: ${Math.min(i + 8, ws.length)}/${ws.length} windows (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    tensors[`${split}.video`] = { shape: [ws.length, ...vShape], data: vOut };
    tensors[`${split}.audio`] = { shape: [ws.length, ...aShape], data: aOut };
    tensors[`${split}.quiet`] = { shape: [ws.length, L], data: qOut };
    windows[split] = ws.map((w) => ({ file: w.clip.file, start: w.start }));
  }
  const manifest: LatentManifest = {
    version: 1,
    source: recordedPath(o.cache),
    codecs: { video: codecRecord(o.video), audio: codecRecord(o.audio) },
    data: { fps: dc.fps, sampleRate: dc.sampleRate, windowFrames: T, width: dc.width, height: dc.height },
    videoShape: vShape,
    audioShape: aShape,
    audioHopSec: audio.config.hopSamples / dc.sampleRate,
    layout: segmentLayout(T, dc.fps, L, audio.config.hopSamples / dc.sampleRate),
    windows,
  };
  writeFileAtomic(join(o.out, 'latents.safetensors'), encodeSafetensors(tensors));
  writeFileAtomic(join(o.out, 'latents.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

/**
 * The `<split>.quiet` tensors of a latent cache encoded before they existed, computed from the clip cache it was encoded
 * from (`cache`): the same windows, the same rule as `avdit encode`. Throws naming the window a clip cache lacks.
 */
export function quietTensors(cache: string, m: LatentManifest): HostParams {
  const cc = new ClipCache(cache);
  const L = m.audioShape[0],
    hop = Math.round(m.audioHopSec * m.data.sampleRate);
  const out: HostParams = {};
  for (const split of ['train', 'val'] as const) {
    const byFile = new Map(cc.clips(split).map((c) => [c.file, c]));
    const q = new Float32Array(m.windows[split].length * L);
    m.windows[split].forEach((w, i) => {
      const clip = byFile.get(w.file);
      if (!clip) throw new Error(`${cache}: no ${split} clip ${w.file} (the latent cache's window ${i}); pass the clip cache it was encoded from`);
      const c = cc.loadWindow({ clip, start: w.start });
      q.set(quietLatentFrames(c.audio, m.data.sampleRate, m.data.fps, m.data.windowFrames, L, hop), i * L);
    });
    out[`${split}.quiet`] = { shape: [m.windows[split].length, L], data: q };
  }
  return out;
}

export interface LatentCache {
  manifest: LatentManifest;
  tensors: HostParams;
}

export function openLatentCache(dir: string): LatentCache {
  const mp = join(dir, 'latents.json');
  if (!existsSync(mp)) throw new Error(`${dir}: not a latent cache (no latents.json); make one with "avdit encode"`);
  const manifest = readJsonFile<LatentManifest>(mp, 'latent cache manifest');
  if (manifest.version !== 1)
    throw new Error(`${mp}: latent cache version ${JSON.stringify(manifest.version)}, this avdit reads version 1 (re-encode with "avdit encode")`);
  for (const k of ['videoShape', 'audioShape', 'layout', 'data', 'audioHopSec', 'codecs'] as const)
    if (manifest[k] === undefined) throw new Error(`${mp}: the manifest has no "${k}"`);
  const st = join(dir, 'latents.safetensors');
  const tensors = decodeSafetensors(readFileSync(st), st).tensors;
  for (const split of ['train', 'val'])
    for (const [mod, shape] of [
      ['video', manifest.videoShape],
      ['audio', manifest.audioShape],
    ] as const) {
      const t = tensors[`${split}.${mod}`];
      if (!t) throw new Error(`${st}: no tensor "${split}.${mod}"`);
      if (t.shape.slice(1).join() !== shape.join())
        throw new Error(`${st}: "${split}.${mod}" has windows of shape [${t.shape.slice(1)}], latents.json says [${shape}]`);
    }
  return { manifest, tensors };
}
