/**
 * `avdit studio`'s server: a small HTTP server on loopback that serves the studio page, its two bundles,
 * the bundled model files and example clips, and does the two things a browser cannot: decode any
 * media format (ffmpeg → the studio's clip wire format, at the model's size and rates) and encode the
 * result as webm / mp4 with sound. The model itself runs in the page's Web Worker.
 *
 * It serves a fixed table of files (no paths from the URL reach the file system), listens on loopback
 * only, and sends COOP/COEP headers so the page is cross-origin isolated (SharedArrayBuffer → wasm
 * threads).
 */
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { decode, encode, parseCrop, MediaError, type Crop } from '../../media/node/ffmpeg.js';
import { encodeClipWire, decodeClipWire, CLIP_MIME } from '../wire.js';
import { spokenWords } from '../../eval/av-metrics.js';
import { loadAlign } from '../../eval/node/metric-check.js';

export interface StudioOptions {
  port?: number;
  host?: string;
  /** model folders (config.json + model.safetensors) */
  model: string;
  videoCodec: string;
  audioCodec: string;
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
const MAX_UPLOAD = 512 * 1024 * 1024;

interface ModelData {
  fps: number;
  sampleRate: number;
  windowFrames: number;
  width: number;
  height: number;
}

export async function startStudio(o: StudioOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const host = o.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`studio: --host ${host} is not a loopback address; the studio only listens on 127.0.0.1, ::1 or localhost`);
  const files = new Map<string, { path: string; type: string }>();
  const add = (url: string, path: string, type: string) => {
    if (!existsSync(path)) throw new Error(`studio: ${path} not found${path.includes('dist') ? ' (run `npm run build`)' : ''}`);
    files.set(url, { path, type });
  };
  add('/', join(o.root, 'studio', 'index.html'), 'text/html; charset=utf-8');
  add('/studio.css', join(o.root, 'studio', 'studio.css'), 'text/css; charset=utf-8');
  add('/app.js', join(o.root, 'dist', 'studio', 'app.js'), 'text/javascript; charset=utf-8');
  add('/worker.js', join(o.root, 'dist', 'studio', 'worker.js'), 'text/javascript; charset=utf-8');
  for (const [name, dir] of [['avdit', o.model], ['video-codec', o.videoCodec], ['audio-codec', o.audioCodec]]) {
    add(`/models/${name}/config.json`, join(dir, 'config.json'), 'application/json');
    add(`/models/${name}/model.safetensors`, join(dir, 'model.safetensors'), 'application/octet-stream');
  }
  const cfg = JSON.parse(readFileSync(join(o.model, 'config.json'), 'utf8'));
  const data: ModelData = cfg?.latents?.data;
  if (!data?.fps) throw new Error(`studio: ${o.model}/config.json has no latents.data (not an avdit model?)`);
  const examples = listExamples(o.examples);

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => sendError(res, 500, (e as Error).message));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
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
      const body = await readBody(req, MAX_UPLOAD);
      if (body.length === 0) return sendError(res, 400, `${name}: the file is empty`);
      const dir = mkdtempSync(join(tmpdir(), 'avdit-studio-'));
      try {
        const file = join(dir, name);
        writeFileSync(file, body);
        return await sendClip(res, file, 'center', name);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    if (req.method === 'POST' && path === '/api/encode') {
      const format = url.searchParams.get('format') === 'mp4' ? 'mp4' : 'webm';
      let clip;
      try {
        clip = decodeClipWire(await readBody(req, MAX_UPLOAD), 'request body');
      } catch (e) {
        return sendError(res, 400, (e as Error).message);
      }
      const dir = mkdtempSync(join(tmpdir(), 'avdit-studio-'));
      try {
        const out = join(dir, `result.${format}`);
        await encode(clip, out, { format });
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
      clip = (await decode(file, { width: data.width, height: data.height, fps: data.fps, sampleRate: data.sampleRate, crop })).clip;
    } catch (e) {
      const msg = e instanceof MediaError ? `${shownName}: ${e.problem}` : `${shownName}: ${(e as Error).message}`;
      return sendError(res, 400, msg);
    }
    const need = data.windowFrames / data.fps;
    if (clip.numFrames < data.windowFrames) return sendError(res, 400, `${shownName}: ${clip.durationSec.toFixed(2)} s is too short; the model needs at least ${need.toFixed(3)} s (${data.windowFrames} frames at ${data.fps} fps)`);
    const maxFrames = Math.floor(MAX_CLIP_SEC * data.fps);
    if (clip.numFrames > maxFrames) {
      const fsz = clip.width * clip.height * 3;
      clip = { ...clip, video: clip.video.subarray(0, maxFrames * fsz), numFrames: maxFrames, audio: clip.audio.subarray(0, MAX_CLIP_SEC * clip.sampleRate), durationSec: MAX_CLIP_SEC };
    }
    send(res, 200, CLIP_MIME, encodeClipWire(clip));
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port ?? 8080, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
  return { server, url, close: () => new Promise((ok) => server.close(() => ok())) };
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

function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > max) {
        fail(new Error(`upload larger than ${max / 2 ** 20} MiB`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => ok(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', fail);
  });
}
