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
  constructor(
    public readonly file: string,
    public readonly problem: string,
  ) {
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

let ffmpegChecked = false;

/** Fails with the install hint when ffmpeg/ffprobe are not on PATH (checked once per process). */
export async function requireFfmpeg(): Promise<void> {
  if (ffmpegChecked) return;
  for (const cmd of ['ffmpeg', 'ffprobe']) {
    const r = await run(cmd, ['-version']);
    if (r.code !== 0) throw new Error(`${cmd} does not run (exit ${r.code}); reinstall it (Debian: apt-get install -y ffmpeg)`);
  }
  ffmpegChecked = true;
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

/** The line of ffmpeg's stderr that says what went wrong: the first one naming an error (ffmpeg's last
 * lines are generic: "Conversion failed!", "Error while filtering"), else the last line. */
function firstLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim().replace(/ @ 0x[0-9a-f]+/, ''))
    .filter(Boolean);
  const generic =
    /^(Conversion failed|Error while (filtering|processing)|Error (reinitializing|initializing) filters?|Failed to (configure|inject)|Nothing was written|Exiting normally)/i;
  return (
    lines.find(
      (l) =>
        /invalid|error|cannot|could not|no such|unknown|not found|too big|out of range|does not/i.test(l) &&
        !generic.test(l.replace(/^\[[^\]]*\]\s*/, '')),
    ) ??
    lines.at(-1) ??
    'unknown error'
  );
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
  /** fail when there is no video stream (default true); otherwise the clip gets black frames. */
  requireVideo?: boolean;
  /** decode only [start, start + duration) seconds (ffmpeg -ss/-t): memory follows the window, not the file. */
  start?: number;
  duration?: number;
}

export interface DecodeResult {
  clip: AVClip;
  probe: ProbeInfo;
  /** decoder complaints (damaged macroblocks, corrupt frames…), one line each. */
  warnings: string[];
}

/**
 * Decodes a file (or the [start, start + duration) seconds of it) into an AVClip at the requested size
 * and rates. Stereo is mixed to mono; when the channels cancel (anti-phase), the first channel is used
 * and a warning says so.
 */
export async function decode(file: string, opts: DecodeOptions): Promise<DecodeResult> {
  const info = await probe(file);
  const requireAudio = opts.requireAudio ?? true,
    requireVideo = opts.requireVideo ?? true;
  if (!info.video && requireVideo) throw new MediaError(file, 'has no video stream');
  if (!info.audio && requireAudio) throw new MediaError(file, 'has no audio stream');
  const { width: W, height: H, fps, sampleRate } = opts;
  const start = opts.start ?? 0;
  if (!(Number.isFinite(start) && start >= 0)) throw new MediaError(file, `start ${start} s must be ≥ 0`);
  if (start > 0 && start >= info.durationSec)
    throw new MediaError(file, `starts at ${start.toFixed(2)} s but is only ${info.durationSec.toFixed(2)} s long`);
  const crop = opts.crop ?? 'center';
  if (
    info.video &&
    typeof crop === 'object' &&
    (crop.x + crop.w > info.video.width || crop.y + crop.h > info.video.height || crop.w < 1 || crop.h < 1)
  ) {
    throw new MediaError(file, `crop ${cropToString(crop)} (W:H:X:Y) is outside its ${info.video.width}×${info.video.height} frame`);
  }
  const cropF = crop === 'none' ? '' : crop === 'center' ? "crop='min(iw,ih)':'min(iw,ih)'," : `crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},`;
  const graph: string[] = [];
  if (info.video) graph.push(`[0:v:0]${cropF}scale=${W}:${H}:flags=area,fps=fps=${fps}:start_time=0,format=rgb24[v]`);
  const channels = info.audio ? Math.min(2, Math.max(1, info.audio.channels || 1)) : 0;
  if (info.audio) graph.push(`[0:a:0]aresample=${sampleRate}:first_pts=0[a]`);
  const seek = [...(start > 0 ? ['-ss', String(start)] : []), ...(opts.duration !== undefined ? ['-t', String(opts.duration)] : [])];
  const args = ['-v', 'warning', '-nostdin', ...seek, '-i', file, '-filter_complex', graph.join(';')];
  if (info.video) args.push('-map', '[v]', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  if (info.audio) args.push('-map', '[a]', '-f', 'f32le', '-ac', String(channels), info.video ? 'pipe:3' : 'pipe:1');
  const r = await run('ffmpeg', args);
  if (r.code !== 0) throw new MediaError(file, `ffmpeg could not decode it (${firstLine(r.stderr)})`);
  const warnings = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /damaged|corrupt|concealing|error|invalid|missing/i.test(l))
    .map((l) => l.replace(/ @ 0x[0-9a-f]+/, ''));
  const pcm = info.audio ? (info.video ? r.extra : r.stdout) : null;
  let audio = pcm ? new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length - (pcm.length % (4 * channels))))) : null;
  if (info.audio && audio!.length === 0) throw new MediaError(file, 'zero-length: the audio stream decoded to no samples');
  if (audio && channels === 2) {
    const m = toMono(audio);
    audio = m.audio;
    if (m.cancelled)
      warnings.push(
        `its two audio channels cancel when mixed to mono (anti-phase, ${m.dropDb.toFixed(0)} dB quieter): the left channel is used instead`,
      );
  }
  const fsz = W * H * 3;
  let numFrames: number, video: Float32Array;
  if (info.video) {
    numFrames = Math.floor(r.stdout.length / fsz);
    if (numFrames === 0)
      throw new MediaError(file, start > 0 ? `no video frames from ${start.toFixed(2)} s on` : 'zero-length: no video frames decoded');
    video = new Float32Array(numFrames * fsz);
    for (let i = 0; i < video.length; i++) video[i] = r.stdout[i] / 255;
  } else {
    numFrames = Math.floor((audio!.length / sampleRate) * fps + 1e-6);
    video = new Float32Array(numFrames * fsz); // black: the caller does not use this modality
  }
  audio ??= new Float32Array(Math.round((numFrames / fps) * sampleRate));
  const clip = makeClip({ video, numFrames, height: H, width: W, fps, audio, sampleRate, durationSec: numFrames / fps });
  return { clip, probe: info, warnings };
}

/** Interleaved stereo → mono (mean); when the mean is ≥ 20 dB quieter than the channels, the left channel. */
export function toMono(stereo: Float32Array): { audio: Float32Array; cancelled: boolean; dropDb: number } {
  const n = stereo.length >> 1;
  const mono = new Float32Array(n),
    left = new Float32Array(n);
  let em = 0,
    ec = 0;
  for (let i = 0; i < n; i++) {
    const l = stereo[2 * i],
      r = stereo[2 * i + 1];
    mono[i] = 0.5 * (l + r);
    left[i] = l;
    em += mono[i] * mono[i];
    ec += 0.5 * (l * l + r * r);
  }
  const dropDb = 10 * Math.log10((ec + 1e-20) / (em + 1e-20));
  const cancelled = ec / Math.max(1, n) > 1e-8 && dropDb > 20;
  return { audio: cancelled ? left : mono, cancelled, dropDb };
}

/** Decodes only the first audio stream (mono, `sampleRate`; the first `maxSec` seconds when given); the file may have no video. */
export async function decodeAudio(file: string, sampleRate: number, maxSec?: number): Promise<Float32Array> {
  const info = await probe(file);
  if (!info.audio) throw new MediaError(file, 'has no audio stream');
  const r = await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    ...(maxSec !== undefined ? ['-t', String(maxSec)] : []),
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    `aresample=${sampleRate}:first_pts=0`,
    '-f',
    'f32le',
    '-ac',
    '1',
    'pipe:1',
  ]);
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
    const args = [
      '-v',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${W}x${H}`,
      '-framerate',
      String(fps),
      '-i',
      'pipe:0',
    ];
    if (hasAudio) args.push('-f', 'f32le', '-ar', String(sampleRate), '-ac', '1', '-i', 'pipe:3');
    // even sizes for yuv420p: pad by one pixel when needed
    const padF = W % 2 || H % 2 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
    args.push(...padF, '-map', '0:v');
    const webm = opts.format === 'webm';
    if (hasAudio) args.push('-map', '1:a', '-c:a', webm ? 'libopus' : 'aac', '-b:a', opts.audioBitrate ?? '96k');
    if (webm)
      args.push(
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-crf',
        String(opts.crf ?? 16),
        '-b:v',
        '0',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'webm',
        tmp,
      );
    else
      args.push(
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        String(opts.crf ?? 16),
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        tmp,
      );
    const r = await run('ffmpeg', args, { stdin: rgb, fd3: hasAudio ? pcm : undefined });
    if (r.code !== 0) throw new MediaError(out, `ffmpeg could not encode (${firstLine(r.stderr)})`);
  });
}
