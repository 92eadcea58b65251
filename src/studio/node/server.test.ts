// avdit studio's server: loopback only, a fixed table of files (no traversal), media decoding with clear
// errors for bad uploads, and encoding results as webm / mp4.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encode } from '../../media/node/ffmpeg.js';
import { makeClip } from '../../media/clip.js';
import { syntheticClip } from '../../media/synthetic.js';
import { decodeClipWire, encodeClipWire, CLIP_MIME } from '../wire.js';
import { startStudio, MAX_CONCURRENT } from './server.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const tmp = mkdtempSync(join(tmpdir(), 'avdit-studio-test-'));
const models = {
  model: join(root, 'models', 'avdit'),
  videoCodec: join(root, 'models', 'video-codec'),
  audioCodec: join(root, 'models', 'audio-codec'),
  examples: join(root, 'examples', 'grid-val'),
};
const studio = await startStudio({ root, port: 0, ...models });
after(() => studio.close());

/** a raw request (the path is sent exactly as written, no URL normalisation) */
function raw(
  method: string,
  path: string,
  body?: Uint8Array,
  headers: Record<string, string> = {},
  url = studio.url,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

test('refuses to listen anywhere but loopback', async () => {
  await assert.rejects(startStudio({ root, port: 0, host: '0.0.0.0', ...models }), /--host 0\.0\.0\.0 is not a loopback address/);
  assert.match(studio.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves the page cross-origin isolated, and only its own files', async () => {
  const page = await raw('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<title>avdit studio<\/title>/);
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal((await raw('GET', '/models/avdit/model.safetensors')).status, 200);
  for (const p of [
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/models/avdit/../../package.json',
    '/models/../src/index.ts',
    '/src/studio/app.ts',
    '/etc/passwd',
    '//etc/passwd',
  ]) {
    const r = await raw('GET', p);
    assert.equal(r.status, 404, `${p} gave ${r.status}`);
    assert.doesNotMatch(r.body.toString(), /"name": "avdit"|root:/);
  }
  assert.equal((await raw('DELETE', '/')).status, 404);
});

test('bundled examples decode to the model size and rates', async () => {
  const list = JSON.parse((await raw('GET', '/api/examples')).body.toString());
  assert.equal(list.examples.length, 3);
  assert.match(list.examples[0].title, /bbaf4p\.mpg — "bin blue at f four please"/);
  const r = await raw('GET', '/api/example/bbaf4p.mpg');
  assert.equal(r.headers['content-type'], CLIP_MIME);
  const clip = decodeClipWire(new Uint8Array(r.body));
  assert.deepEqual([clip.width, clip.height, clip.fps, clip.sampleRate], [64, 64, 8, 16000]);
  assert.equal(clip.numFrames, 24); // 3 s at 8 fps
  assert.equal((await raw('GET', '/api/example/nope.mpg')).status, 404);
});

test('bad uploads get a clear message naming the file and the problem', async () => {
  const noAudio = join(tmp, 'silent.mp4'),
    short = join(tmp, 'short.mp4');
  const { clip } = syntheticClip({ seed: 1, numFrames: 24, width: 32, height: 32 });
  await encode({ ...clip, audio: new Float32Array(0) }, noAudio);
  await encode(syntheticClip({ seed: 2, numFrames: 8, width: 32, height: 32 }).clip, short);
  const cases: [string, Uint8Array, RegExp][] = [
    ['silent.mp4', readFileSync(noAudio), /^silent\.mp4: has no audio stream$/],
    ['short.mp4', readFileSync(short), /^short\.mp4: 1\.00 s is too short; the model needs at least 2\.125 s \(17 frames at 8 fps\)$/],
    ['notes.txt', new TextEncoder().encode('these are not the frames you are looking for'), /^notes\.txt: not a media file/],
    ['empty.mp4', new Uint8Array(0), /^empty\.mp4: the file is empty$/],
  ];
  for (const [name, bytes, want] of cases) {
    const r = await raw('POST', `/api/decode?name=${encodeURIComponent(name)}`, bytes);
    assert.equal(r.status, 400, name);
    assert.match(JSON.parse(r.body.toString()).error, want);
  }
  // a good upload still works after the bad ones, and a path in the name goes nowhere
  const good = join(tmp, 'good.mp4');
  await encode(clip, good);
  const r = await raw('POST', `/api/decode?name=${encodeURIComponent('../../good.mp4')}`, readFileSync(good));
  assert.equal(r.status, 200);
  assert.equal(decodeClipWire(new Uint8Array(r.body)).numFrames, 24);
});

test('encodes a clip as webm (VP9 + Opus) and mp4 (H.264 + AAC)', async () => {
  const { clip } = syntheticClip({ seed: 3, numFrames: 17, width: 64, height: 64 });
  const wire = encodeClipWire(makeClip({ ...clip, audio: clip.audio.slice(0, 34000) }));
  const webm = await raw('POST', '/api/encode?format=webm', wire);
  assert.equal(webm.headers['content-type'], 'video/webm');
  assert.deepEqual([...webm.body.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3]); // EBML
  const mp4 = await raw('POST', '/api/encode?format=mp4', wire);
  assert.equal(mp4.body.subarray(4, 8).toString(), 'ftyp');
  assert.equal((await raw('POST', '/api/encode', new Uint8Array(3))).status, 400);
});

test('the browser bundles carry no Node-only code', () => {
  for (const f of ['app.js', 'worker.js']) {
    const js = readFileSync(join(root, 'dist', 'studio', f), 'utf8');
    assert.doesNotMatch(js, /from\s*["']node:|require\(["'](node:|fs|child_process)|child_process|ffmpeg/, f);
  }
});

test('a foreign Host header (DNS rebinding) and cross-origin API calls get 403; the page itself is served', async () => {
  const port = new URL(studio.url).port;
  for (const host of ['evil.example', `evil.example:${port}`, `192.168.1.5:${port}`, 'localhost:1']) {
    const r = await raw('GET', '/', undefined, { Host: host });
    assert.equal(r.status, 403, host);
    assert.match(JSON.parse(r.body.toString()).error, /is not this studio/);
  }
  assert.equal((await raw('GET', '/', undefined, { Host: `localhost:${port}` })).status, 200);
  // a page on another site posting text/plain (no preflight) to the decoder
  const evil = await raw('POST', '/api/decode?name=x.mp4', new TextEncoder().encode('x'), {
    Origin: 'https://evil.example',
    'Content-Type': 'text/plain',
  });
  assert.equal(evil.status, 403);
  assert.match(JSON.parse(evil.body.toString()).error, /cross-origin request from https:\/\/evil\.example refused/);
  assert.equal((await raw('POST', '/api/encode', new Uint8Array(3), { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  assert.equal((await raw('POST', '/api/encode', new Uint8Array(3), { Origin: 'null' })).status, 403);
  // the studio page's own origin passes (and then fails on the bad body, as it should)
  assert.equal((await raw('POST', '/api/encode', new Uint8Array(3), { Origin: `http://127.0.0.1:${port}` })).status, 400);
});

test('an upload over the limit gets 413 with a message (declared or streamed), nothing kept in memory', async () => {
  const small = await startStudio({ root, port: 0, ...models, maxUpload: 1000 });
  try {
    const big = new Uint8Array(5000).fill(7);
    const r = await raw('POST', '/api/decode?name=big.mp4', big, {}, small.url);
    assert.equal(r.status, 413);
    assert.match(JSON.parse(r.body.toString()).error, /^big\.mp4: larger than the studio's limit of 0 MiB; cut it shorter first/);
    // chunked (no Content-Length): the limit is found while streaming
    const u = new URL(small.url);
    const chunked = await new Promise<{ status: number; body: string }>((ok, fail) => {
      const req = request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/decode?name=big2.mp4', headers: { 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => ok({ status: res.statusCode!, body: b }));
        },
      );
      req.on('error', fail);
      for (let i = 0; i < 5; i++) req.write(big.subarray(0, 1000));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assert.match(JSON.parse(chunked.body).error, /big2\.mp4: larger than/);
  } finally {
    await small.close();
  }
});

test('concurrent decodes are bounded: at most MAX_CONCURRENT run at once, the rest wait or get 503', async () => {
  const good = join(tmp, 'par.mp4');
  await encode(syntheticClip({ seed: 9, numFrames: 24, width: 32, height: 32 }).clip, good);
  const bytes = readFileSync(good);
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => raw('POST', `/api/decode?name=p${i}.mp4`, bytes)));
  const st = studio.stats();
  assert.ok(st.maxActive >= 1 && st.maxActive <= MAX_CONCURRENT, `max active ${st.maxActive}`);
  for (const r of rs) assert.ok(r.status === 200 || r.status === 503, `status ${r.status}`);
  assert.equal(rs.filter((r) => r.status === 503).length, st.refusedBusy);
  assert.ok(rs.filter((r) => r.status === 200).length >= MAX_CONCURRENT);
});
