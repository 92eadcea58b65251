/**
 * `avdit studio`'s server: a small HTTP server on loopback that serves the studio page, its two bundles,
 * the bundled model files and example clips, and does the two things a browser cannot: decode any
 * media format (ffmpeg → the studio's clip wire format, at the model's size and rates) and encode the
 * result as webm / mp4 with sound. The model itself runs in the page's Web Worker.
 *
 * It serves a fixed table of files (no paths from the URL reach the file system), listens on loopback
 * only, answers only requests addressed to a loopback name (a foreign Host header — DNS rebinding — gets
 * 403) and only same-origin API calls (another site's page posting to it gets 403), streams uploads to a
 * temporary file with a size limit (413 with a message the page shows), decodes at most
 * MAX_CLIP_SEC of a file, runs at most MAX_CONCURRENT decodes/encodes at a time (more wait in a short
 * queue; beyond it, 503), and sends COOP/COEP headers so the page is cross-origin isolated
 * (SharedArrayBuffer → wasm threads).
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { bundledActivityDir } from '../../pipeline/node/activity.js';
import { decode, encode, parseCrop, MediaError, type Crop } from '../../media/node/ffmpeg.js';
import { encodeClipWire, decodeClipWire, CLIP_MIME } from '../wire.js';
import { spokenWords } from '../../eval/av-metrics.js';
import { loadAlign } from '../../eval/node/metric-check.js';

export interface StudioOptions {
  port?: number;
  /** upload limit in bytes (default MAX_UPLOAD) */
  maxUpload?: number;
  host?: string;
  /** model folders (config.json + model.safetensors) */
  model: string;
  videoCodec: string;
  audioCodec: string;
  /** the activity net for activity guidance (default: activity/ beside the model folder, when there is one) */
  activity?: string;
  /** folder of example clips (+ optional data.json with a crop) */
  examples?: string;
  /** the repository root (studio/ pages and dist/studio/ bundles live under it) */
  root: string;
  log?: (s: string) => void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const MEDIA_EXT = new Set(['.mp4', '.mpg', '.mpeg', '.mov', '.mkv', '.webm', '.avi', '.m4v']);
/** longest clip the decoder returns (the page picks a window from it) */
export const MAX_CLIP_SEC = 60;
/** largest upload accepted, bytes (uploads go to a temporary file, not memory) */
export const MAX_UPLOAD = 512 * 1024 * 1024;
/** largest clip the page may send back for encoding (one window of the model is a few MB) */
const MAX_ENCODE_BODY = 64 * 1024 * 1024;
/** ffmpeg jobs (decode or encode) at a time, and how many more may wait */
export const MAX_CONCURRENT = 2;
const MAX_QUEUED = 4;

interface ModelData {
  fps: number;
  sampleRate: number;
  windowFrames: number;
  width: number;
  height: number;
}

export async function startStudio(
  o: StudioOptions,
): Promise<{ server: Server; url: string; stats(): { maxActive: number; refusedBusy: number }; close(): Promise<void> }> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new Error(`studio: --host ${host} is not a loopback address; the studio only listens on 127.0.0.1, ::1 or localhost`);
  const files = new Map<string, { path: string; type: string }>();
  const add = (url: string, path: string, type: string) => {
    if (!existsSync(path)) throw new Error(`studio: ${path} not found${path.includes('dist') ? ' (run `npm run build`)' : ''}`);
    files.set(url, { path, type });
  };
  add('/', join(o.root, 'studio', 'index.html'), 'text/html; charset=utf-8');
  add('/studio.css', join(o.root, 'studio', 'studio.css'), 'text/css; charset=utf-8');
  add('/app.js', join(o.root, 'dist', 'studio', 'app.js'), 'text/javascript; charset=utf-8');
  add('/worker.js', join(o.root, 'dist', 'studio', 'worker.js'), 'text/javascript; charset=utf-8');
  for (const [name, dir] of [
    ['avdit', o.model],
    ['video-codec', o.videoCodec],
    ['audio-codec', o.audioCodec],
  ]) {
    add(`/models/${name}/config.json`, join(dir, 'config.json'), 'application/json');
    add(`/models/${name}/model.safetensors`, join(dir, 'model.safetensors'), 'application/octet-stream');
  }
  // the activity net (activity guidance) is optional: served when the model's bundle folder has one
  const activity = o.activity ?? bundledActivityDir(o.model);
  if (activity)
    for (const f of ['config.json', 'model.safetensors'])
      add(`/models/activity/${f}`, join(activity, f), f.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  const cfg = JSON.parse(readFileSync(join(o.model, 'config.json'), 'utf8'));
  const data: ModelData = cfg?.latents?.data;
  if (!data?.fps) throw new Error(`studio: ${o.model}/config.json has no latents.data (not an avdit model?)`);
  const examples = listExamples(o.examples);
  const maxUpload = o.maxUpload ?? MAX_UPLOAD;
  const jobs = new Limiter(MAX_CONCURRENT, MAX_QUEUED);
  let port = o.port ?? 8080;

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => sendError(res, (e as { status?: number }).status ?? 500, (e as Error).message));
  });

  /** Host must name this server on loopback; API calls must come from the studio page itself. */
  function refused(req: IncomingMessage, path: string): string | null {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    if (!allowed.includes(hostHeader)) return `Host "${req.headers.host ?? ''}" is not this studio (${allowed.join(', ')})`;
    if (path.startsWith('/api/') || req.method !== 'GET') {
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== 'null' && !allowed.some((h) => origin === `http://${h}`))
        return `cross-origin request from ${origin} refused`;
      if (origin === 'null' || req.headers['sec-fetch-site'] === 'cross-site') return 'cross-origin request refused';
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const why = refused(req, path);
    if (why) {
      req.resume();
      return sendError(res, 403, why);
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && files.has(path)) {
      const f = files.get(path)!;
      return send(res, 200, f.type, readFileSync(f.path));
    }
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (req.method === 'GET' && path === '/api/examples') {
      return send(res, 200, 'application/json', JSON.stringify({ examples: examples.map((e) => ({ name: e.name, title: e.title })), model: data }));
    }
    if (req.method === 'GET' && path.startsWith('/api/example/')) {
      const e = examples.find((x) => x.name === decodeURIComponent(path.slice('/api/example/'.length)));
      if (!e) return sendError(res, 404, `no bundled example named "${path.slice(13)}"`);
      return sendClip(res, e.path, e.crop);
    }
    if (req.method === 'POST' && path === '/api/decode') {
      const name = basename(url.searchParams.get('name') ?? 'upload').replace(/[^\w.-]/g, '_') || 'upload';
      const dir = mkdtempSync(join(tmpdir(), 'avdit-studio-'));
      try {
        const file = join(dir, name);
        const size = await saveBody(req, file, maxUpload, name);
        if (size === 0) return sendError(res, 400, `${name}: the file is empty`);
        return await jobs.run(() => sendClip(res, file, 'center', name));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (req.method === 'POST' && path === '/api/encode') {
      const format = url.searchParams.get('format') === 'mp4' ? 'mp4' : 'webm';
      const dir = mkdtempSync(join(tmpdir(), 'avdit-studio-'));
      try {
        let clip;
        try {
          const body = join(dir, 'body.bin');
          await saveBody(req, body, MAX_ENCODE_BODY, 'the clip to encode');
          clip = decodeClipWire(new Uint8Array(readFileSync(body)), 'request body');
        } catch (e) {
          return sendError(res, (e as { status?: number }).status ?? 400, (e as Error).message);
        }
        const out = join(dir, `result.${format}`);
        await jobs.run(() => encode(clip, out, { format }));
        return send(res, 200, format === 'mp4' ? 'video/mp4' : 'video/webm', readFileSync(out));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return sendError(res, 404, `not found: ${path}`);
  }

  async function sendClip(res: ServerResponse, file: string, crop: Crop, shownName = basename(file)): Promise<void> {
    let clip;
    try {
      // at most MAX_CLIP_SEC are decoded: memory follows that, not the file
      clip = (
        await decode(file, { width: data.width, height: data.height, fps: data.fps, sampleRate: data.sampleRate, crop, duration: MAX_CLIP_SEC })
      ).clip;
    } catch (e) {
      const msg = e instanceof MediaError ? `${shownName}: ${e.problem}` : `${shownName}: ${(e as Error).message}`;
      return sendError(res, 400, msg);
    }
    const need = data.windowFrames / data.fps;
    if (clip.numFrames < data.windowFrames)
      return sendError(
        res,
        400,
        `${shownName}: ${clip.durationSec.toFixed(2)} s is too short; the model needs at least ${need.toFixed(3)} s (${data.windowFrames} frames at ${data.fps} fps)`,
      );
    const maxFrames = Math.floor(MAX_CLIP_SEC * data.fps);
    if (clip.numFrames > maxFrames) {
      const fsz = clip.width * clip.height * 3;
      clip = {
        ...clip,
        video: clip.video.subarray(0, maxFrames * fsz),
        numFrames: maxFrames,
        audio: clip.audio.subarray(0, MAX_CLIP_SEC * clip.sampleRate),
        durationSec: MAX_CLIP_SEC,
      };
    }
    send(res, 200, CLIP_MIME, encodeClipWire(clip));
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 8080, host, () => ok());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return {
    server,
    url,
    stats: () => ({ maxActive: jobs.maxActive, refusedBusy: jobs.refused }),
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

/** At most `limit` jobs at a time; up to `queue` more wait; beyond that a job is refused with 503. */
export class Limiter {
  active = 0;
  maxActive = 0;
  refused = 0;
  #waiting: (() => void)[] = [];
  constructor(
    readonly limit: number,
    readonly queue: number,
  ) {}
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.#waiting.length >= this.queue) {
        this.refused++;
        throw Object.assign(new Error(`the studio is busy with ${this.active} decodes and ${this.#waiting.length} waiting; try again in a moment`), {
          status: 503,
        });
      }
      await new Promise<void>((ok) => this.#waiting.push(ok));
    }
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await job();
    } finally {
      this.active--;
      this.#waiting.shift()?.();
    }
  }
}

function listExamples(dir?: string): { name: string; title: string; path: string; crop: Crop }[] {
  if (!dir || !existsSync(dir)) return [];
  const meta = existsSync(join(dir, 'data.json')) ? JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) : {};
  const crop: Crop = meta.crop ? parseCrop(meta.crop) : 'center';
  return readdirSync(dir)
    .filter((f) => MEDIA_EXT.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => {
      const aligned = loadAlign(dir, f);
      const words = aligned ? spokenWords(aligned).join(' ') : '';
      return { name: f, title: words ? `${f} — "${words}"` : f, path: resolve(dir, f), crop };
    });
}

const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  send(res, status, 'application/json', JSON.stringify({ error: message }));
}

/** Streams a request body into `file` (never into memory); over `max` bytes → an error with status 413
 * (the rest of the body is read and dropped, so the browser gets the answer instead of a reset). */
function saveBody(req: IncomingMessage, file: string, max: number, name: string): Promise<number> {
  const tooBig = () =>
    Object.assign(
      new Error(`${name}: larger than the studio's limit of ${(max / 2 ** 20).toFixed(0)} MiB; cut it shorter first (e.g. ffmpeg -t 60)`),
      { status: 413 },
    );
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooBig());
  }
  return new Promise((ok, fail) => {
    const out = createWriteStream(file);
    let n = 0,
      over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      n += c.length;
      if (n > max) {
        over = true;
        out.destroy();
        fail(tooBig());
      } else if (!out.write(c)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (!over) out.end(() => ok(statSync(file).size));
    });
    req.on('error', fail);
    out.on('error', (e) => {
      if (!over) fail(e);
    });
  });
}
