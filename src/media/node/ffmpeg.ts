/**
 * Media I/O in Node through Debian's ffmpeg/ffprobe, streaming raw rgb24 frames and f32le audio
 * through pipes (no temporary files). decode() turns any file ffmpeg reads into an AVClip (crop,
 * resize, frame-rate and sample-rate conversion done by ffmpeg); encode() writes an AVClip as an mp4
 * (H.264 + AAC) atomically.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { makeClip, type AVClip } from '../clip.js';
import { produceAtomic } from '../../util/node/atomic.js';

export class MediaError extends Error {
  constructor(public readonly file: string, public readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'MediaError';
  }
}

export interface ProbeInfo {
  file: string;
  durationSec: number;
  format: string;
  video?: { codec: string; width: number; height: number; fps: number; durationSec: number };
  audio?: { codec: string; sampleRate: number; channels: number; durationSec: number };
}

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  extra: Buffer;
}

function run(cmd: string, args: string[], inputs: { stdin?: Buffer; fd3?: Buffer } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const extra: Buffer[] = [];
    let err = '';
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new Error(`${cmd} not found: install it (Debian: apt-get install -y ffmpeg)`) : e),
    );
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const fd3 = child.stdio[3] as unknown as Readable & Writable;
    if (inputs.fd3) {
      fd3.on('error', () => {}); // ffmpeg may close early on error; the exit code tells
      fd3.end(inputs.fd3);
    } else {
      fd3.on('data', (d: Buffer) => extra.push(d));
    }
    child.stdin.on('error', () => {});
    if (inputs.stdin) child.stdin.end(inputs.stdin);
    else child.stdin.end();
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err, extra: Buffer.concat(extra) }));
  });
}

/** Checks that `file` exists and is non-empty, with a one-line error naming it. */
function checkInputFile(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new MediaError(file, 'is not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof MediaError) throw e;
    throw new MediaError(file, 'file not found');
  }
  if (size === 0) throw new MediaError(file, 'zero-length file');
}

function firstLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).slice(-1)[0] ?? 'unknown error';
}

function parseRate(r: string | undefined): number {
  if (!r) return 0;
  const [a, b] = r.split('/').map(Number);
  return b ? a / b : a;
}

/** ffprobe a file: container duration, first video and audio stream. */
export async function probe(file: string): Promise<ProbeInfo> {
  checkInputFile(file);
  const r = await run('ffprobe', ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', file]);
  if (r.code !== 0) throw new MediaError(file, `not a media file ffmpeg can read (${firstLine(r.stderr)})`);
  const j = JSON.parse(r.stdout.toString());
  const streams: any[] = j.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !(s.disposition?.attached_pic === 1));
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSec = Number(j.format?.duration ?? v?.duration ?? a?.duration ?? 0);
  if (!v && !a) throw new MediaError(file, 'not a media file: no audio or video stream');
  return {
    file,
    durationSec,
    format: j.format?.format_name ?? '?',
    video: v && {
      codec: v.codec_name,
      width: v.width,
      height: v.height,
      fps: parseRate(v.avg_frame_rate) || parseRate(v.r_frame_rate),
      durationSec: Number(v.duration ?? durationSec),
    },
    audio: a && {
      codec: a.codec_name,
      sampleRate: Number(a.sample_rate),
      channels: a.channels,
      durationSec: Number(a.duration ?? durationSec),
    },
  };
}

export type Crop = 'center' | 'none' | { w: number; h: number; x: number; y: number };

export function parseCrop(s: string): Crop {
  if (s === 'center' || s === 'none') return s;
  const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad crop "${s}": use center, none, or W:H:X:Y in source pixels (ffmpeg's crop order)`);
  const [w, h, x, y] = m.slice(1).map(Number);
  return { w, h, x, y };
}

export function cropToString(c: Crop): string {
  return typeof c === 'string' ? c : `${c.w}:${c.h}:${c.x}:${c.y}`;
}

export interface DecodeOptions {
  width: number;
  height: number;
  fps: number;
  sampleRate: number;
  /** region of the source frame to keep before resizing (default: centred square). */
  crop?: Crop;
  /** fail when there is no audio stream (default true); otherwise the clip gets silence. */
  requireAudio?: boolean;
}

export interface DecodeResult {
  clip: AVClip;
  probe: ProbeInfo;
  /** decoder complaints (damaged macroblocks, corrupt frames…), one line each. */
  warnings: string[];
}

/** Decodes a whole file into an AVClip at the requested size and rates. */
export async function decode(file: string, opts: DecodeOptions): Promise<DecodeResult> {
  const info = await probe(file);
  if (!info.video) throw new MediaError(file, 'has no video stream');
  const requireAudio = opts.requireAudio ?? true;
  if (!info.audio && requireAudio) throw new MediaError(file, 'has no audio stream');
  const { width: W, height: H, fps, sampleRate } = opts;
  const crop = opts.crop ?? 'center';
  const cropF = crop === 'none' ? '' : crop === 'center' ? "crop='min(iw,ih)':'min(iw,ih)'," : `crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},`;
  const graph = [`[0:v:0]${cropF}scale=${W}:${H}:flags=area,fps=fps=${fps}:start_time=0,format=rgb24[v]`];
  if (info.audio) graph.push(`[0:a:0]aresample=${sampleRate}:first_pts=0[a]`);
  const args = ['-v', 'warning', '-nostdin', '-i', file, '-filter_complex', graph.join(';'), '-map', '[v]', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  if (info.audio) args.push('-map', '[a]', '-f', 'f32le', '-ac', '1', 'pipe:3');
  const r = await run('ffmpeg', args);
  if (r.code !== 0) throw new MediaError(file, `ffmpeg could not decode it (${firstLine(r.stderr)})`);
  const warnings = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /damaged|corrupt|concealing|error|invalid|missing/i.test(l))
    .map((l) => l.replace(/ @ 0x[0-9a-f]+/, ''));
  const fsz = W * H * 3;
  const numFrames = Math.floor(r.stdout.length / fsz);
  if (numFrames === 0) throw new MediaError(file, 'zero-length: no video frames decoded');
  const video = new Float32Array(numFrames * fsz);
  for (let i = 0; i < video.length; i++) video[i] = r.stdout[i] / 255;
  const audio = info.audio
    ? new Float32Array(r.extra.buffer.slice(r.extra.byteOffset, r.extra.byteOffset + (r.extra.length - (r.extra.length % 4))))
    : new Float32Array(Math.round((numFrames / fps) * sampleRate));
  if (info.audio && audio.length === 0) throw new MediaError(file, 'zero-length: the audio stream decoded to no samples');
  const clip = makeClip({ video, numFrames, height: H, width: W, fps, audio, sampleRate, durationSec: numFrames / fps });
  return { clip, probe: info, warnings };
}

/** Decodes only the first audio stream (mono, `sampleRate`); the file may have no video. */
export async function decodeAudio(file: string, sampleRate: number): Promise<Float32Array> {
  const info = await probe(file);
  if (!info.audio) throw new MediaError(file, 'has no audio stream');
  const r = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-af', `aresample=${sampleRate}:first_pts=0`, '-f', 'f32le', '-ac', '1', 'pipe:1']);
  if (r.code !== 0) throw new MediaError(file, `ffmpeg could not decode its audio (${firstLine(r.stderr)})`);
  const n = Math.floor(r.stdout.length / 4);
  if (n === 0) throw new MediaError(file, 'zero-length: the audio stream decoded to no samples');
  return new Float32Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + 4 * n));
}

export interface EncodeOptions {
  /** x264 constant rate factor (lower = better; default 16, visually lossless at these sizes). */
  crf?: number;
  audioBitrate?: string;
  /** container: mp4 (H.264 + AAC, the default) or webm (VP9 + Opus, plays in every browser). */
  format?: 'mp4' | 'webm';
}

/** Writes `clip` as an mp4 (H.264 yuv420p + AAC) or a webm (VP9 + Opus) at `out`, atomically. */
export async function encode(clip: AVClip, out: string, opts: EncodeOptions = {}): Promise<void> {
  const { width: W, height: H, fps, sampleRate } = clip;
  const rgb = Buffer.alloc(clip.video.length);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.max(0, Math.min(255, Math.round(clip.video[i] * 255)));
  const pcm = Buffer.from(clip.audio.buffer, clip.audio.byteOffset, clip.audio.byteLength);
  const hasAudio = clip.audio.length > 0;
  await produceAtomic(out, async (tmp) => {
    const args = ['-v', 'error', '-nostdin', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-framerate', String(fps), '-i', 'pipe:0'];
    if (hasAudio) args.push('-f', 'f32le', '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:3');
    // even sizes for yuv420p: pad by one pixel when needed
    const padF = W % 2 || H % 2 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
    args.push(...padF, '-map', '0:v');
    const webm = opts.format === 'webm';
    if (hasAudio) args.push('-map', '1:a', '-c:a', webm ? 'libopus' : 'aac', '-b:a', opts.audioBitrate ?? '96k');
    if (webm) args.push('-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-crf', String(opts.crf ?? 16), '-b:v', '0', '-pix_fmt', 'yuv420p', '-f', 'webm', tmp);
    else args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(opts.crf ?? 16), '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', tmp);
    const r = await run('ffmpeg', args, { stdin: rgb, fd3: hasAudio ? pcm : undefined });
    if (r.code !== 0) throw new MediaError(out, `ffmpeg could not encode (${firstLine(r.stderr)})`);
  });
}
