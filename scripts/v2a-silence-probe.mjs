// Where V2A's silences are too loud (issue 14): generates V2A for the first N validation windows that start at frame 4
// (avdit eval's set A) from each model, decodes the audio as avdit eval does (Griffin–Lim 16), and prints the mean level
// (dB per 20 ms audio latent frame) of the speech frames and of the quiet ones, the quiet ones by their distance to
// the nearest speech frame, for the real latents and each model. Quiet/speech: the cache's `val.quiet` masks (SAA's rule).
// With --align, also SAA against the words with the decoded audio moved in time by −125…+125 ms (positive: later): a
// generator whose SAA rises when its sound is moved earlier is late.
//   node scripts/v2a-silence-probe.mjs <latent-cache with quiet masks> NAME=MODEL… [--windows 16] [--guidance 3] [--steps 25]
//     [--align ../shared/data/grid-s1/align,../shared/data/grid-s1-extra/align]
import { initNodeEngine } from '../dist/src/engine/node.js';
import { openLatentCache } from '../dist/src/codecs/node/latents.js';
import { AudioCodec } from '../dist/src/codecs/codec.js';
import { loadCheckpoint } from '../dist/src/util/node/checkpoint.js';
import { avditFromCheckpoint } from '../dist/src/model/load.js';
import { generate } from '../dist/src/pipeline/generate.js';
import { TASKS } from '../dist/src/monl/tasks.js';
import { loadAlign } from '../dist/src/eval/node/metric-check.js';
import { activityFromAlign, activityFromAudio, speechAgreement } from '../dist/src/eval/av-metrics.js';

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : d;
};
const ai = args.indexOf('--align');
const align = ai >= 0 ? args.splice(ai, 2)[1] : undefined;
const n = opt('windows', 16),
  guidance = opt('guidance', 3),
  steps = opt('steps', 25);
const [lat, ...models] = args;
if (!lat || !models.length)
  throw new Error('usage: node scripts/v2a-silence-probe.mjs <latent-cache> NAME=MODEL… [--windows 16] [--guidance 3] [--steps 25]');
await initNodeEngine({ device: 'wasm' });
const { manifest: m, tensors } = openLatentCache(lat);
if (!tensors['val.quiet']) throw new Error(`${lat}: no "val.quiet" (add them with scripts/add-quiet.mjs)`);
const codecDir = m.codecs.audio.path;
const codec = AudioCodec.fromCheckpoint(loadCheckpoint(codecDir), codecDir);
const [La, C] = m.audioShape;
const hop = Math.round(m.audioHopSec * m.data.sampleRate);
const nV = m.videoShape.reduce((a, b) => a * b, 1);
const picked = m.windows.val
  .map((w, i) => [w, i])
  .filter(([w]) => w.start === 4)
  .slice(0, n);
const idx = picked.map(([, i]) => i);
const { fps, sampleRate: sr, windowFrames: T } = m.data;
const SHIFTS = [-125, -62, 0, 62, 125];
const frames = [...Array(T).keys()];
const spoken = align
  ? picked.map(([w]) => {
      const words = loadAlign(align, w.file);
      if (!words) throw new Error(`${w.file}: no .align file in ${align}`);
      return activityFromAlign(words, fps, w.start, T);
    })
  : null;
const B = idx.length;
const pick = (t, per) => {
  const o = new Float32Array(B * per);
  idx.forEach((i, b) => o.set(t.data.subarray(i * per, (i + 1) * per), b * per));
  return o;
};
const zv = pick(tensors['val.video'], nV),
  za = pick(tensors['val.audio'], La * C),
  q = pick(tensors['val.quiet'], La);
const BINS = [
  [1, 5],
  [6, 12],
  [13, 25],
  [26, Infinity],
];
const toSpeech = (b, t) => {
  let d = Infinity;
  for (let u = 0; u < La; u++) if (!q[b * La + u]) d = Math.min(d, Math.abs(u - t));
  return d;
};
console.log(`${B} windows of ${lat} (val, starting at frame 4); V2A, DDIM ${steps} steps, guidance ${guidance}, seed 0; Griffin–Lim 16`);
console.log(
  `| audio | speech frames | quiet frames | ${BINS.map(([lo, hi]) => `quiet, ${lo}–${hi === Infinity ? '' : hi} frames from speech`).join(' | ')} |`,
);
console.log(`|---|${'---:|'.repeat(2 + BINS.length)}`);
const saaRows = [];
async function row(name, z) {
  const w = await codec.decode(z, B, undefined, 16);
  const L = w.length / B;
  const acc = { speech: [0, 0], quiet: [0, 0], bins: BINS.map(() => [0, 0]) };
  const add = (a, v) => ((a[0] += v), a[1]++);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < La; t++) {
      let e = 0;
      for (let i = t * hop; i < (t + 1) * hop; i++) e += w[b * L + i] ** 2;
      const db = 10 * Math.log10(e / hop + 1e-10);
      if (!q[b * La + t]) add(acc.speech, db);
      else {
        add(acc.quiet, db);
        const d = toSpeech(b, t);
        const k = BINS.findIndex(([lo, hi]) => d >= lo && d <= hi);
        if (k >= 0) add(acc.bins[k], db);
      }
    }
  const f = (a) => `${(a[0] / a[1]).toFixed(1)} dB`;
  console.log(`| ${name} | ${f(acc.speech)} | ${f(acc.quiet)} | ${acc.bins.map((a) => `${f(a)} (${a[1]})`).join(' | ')} |`);
  if (spoken) {
    const saa = SHIFTS.map((ms) => {
      const o = Math.round((ms / 1000) * sr);
      let agree = 0;
      for (let b = 0; b < B; b++) {
        const a = Float32Array.from({ length: L }, (_, i) => (i - o >= 0 && i - o < L ? w[b * L + i - o] : 0));
        agree += speechAgreement(activityFromAudio(a, sr, fps, T), spoken[b], frames).all;
      }
      return agree / B;
    });
    saaRows.push(`| ${name} | ${saa.map((v) => v.toFixed(3)).join(' | ')} |`);
  }
}

await row('real latents', za);
for (const spec of models) {
  const [name, dir] = spec.includes('=') ? spec.split('=') : [spec, spec];
  const model = avditFromCheckpoint(loadCheckpoint(dir), dir);
  const g = await generate(model, { mask: TASKS.v2a.mask(m.layout.numSegments), given: { video: zv }, samples: B, steps, guidance, seed: 0 });
  await row(name, g.audio);
}
if (spoken)
  console.log(
    `\nSAA against the words, the decoded audio moved by d ms (positive: later)\n| audio | ${SHIFTS.map((d) => `${d > 0 ? '+' : ''}${d} ms`).join(' | ')} |\n|---|${'---:|'.repeat(SHIFTS.length)}\n${saaRows.join('\n')}`,
  );
process.exit(0);
