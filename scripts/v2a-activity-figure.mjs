// V2A with and without activity guidance, to look at (issue 14): for the first N windows of set A (validation windows
// starting at frame 4), spectrograms of the real audio, the bundle's V2A and the bundle's V2A with activity guidance
// (guidance 3, 25 DDIM steps, seed 0, Griffin–Lim 16), with the words' speech frames as a bar under each real one;
// writes <out>.png and <out>-<i>.mp4 (the real video with the guided audio).
//   node scripts/v2a-activity-figure.mjs <latent cache> <clip cache> <out prefix> [--windows 3] [--model models/avdit]
//     [--activity models/activity] [--align ../shared/data/grid-s1/align,../shared/data/grid-s1-extra/align]
import { initNodeEngine } from '../dist/src/engine/node.js';
import { openLatentCache } from '../dist/src/codecs/node/latents.js';
import { AudioCodec } from '../dist/src/codecs/codec.js';
import { ClipCache } from '../dist/src/data/node/cache.js';
import { loadCheckpoint } from '../dist/src/util/node/checkpoint.js';
import { avditFromCheckpoint } from '../dist/src/model/load.js';
import { generate } from '../dist/src/pipeline/generate.js';
import { TASKS } from '../dist/src/monl/tasks.js';
import { ActivityNet } from '../dist/src/model/activity.js';
import { activityGuidanceFor, ACTIVITY_STRENGTH } from '../dist/src/pipeline/activity-guidance.js';
import { spectrogramImage } from '../dist/src/eval/node/codec-report.js';
import { tileImages, upscale } from '../dist/src/media/image.js';
import { writePNG } from '../dist/src/media/node/png.js';
import { encode } from '../dist/src/media/node/ffmpeg.js';
import { loadAlign } from '../dist/src/eval/node/metric-check.js';
import { activityFromAlign } from '../dist/src/eval/av-metrics.js';

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(`--${k}`);
  return i >= 0 ? args.splice(i, 2)[1] : d;
};
const n = Number(opt('windows', 3)),
  modelDir = opt('model', 'models/avdit'),
  actDir = opt('activity', 'models/activity'),
  align = opt('align', '../shared/data/grid-s1/align,../shared/data/grid-s1-extra/align');
const [latDir, clipDir, out] = args;
if (!latDir || !clipDir || !out) throw new Error('usage: node scripts/v2a-activity-figure.mjs <latent cache> <clip cache> <out prefix>');
await initNodeEngine({ device: 'wasm' });
const { manifest: m, tensors } = openLatentCache(latDir);
const codec = AudioCodec.fromCheckpoint(loadCheckpoint(m.codecs.audio.path), m.codecs.audio.path);
const cache = new ClipCache(clipDir);
const picked = m.windows.val
  .map((w, i) => [w, i])
  .filter(([w]) => w.start === 4)
  .slice(0, n);
const nV = m.videoShape.reduce((a, b) => a * b, 1),
  B = picked.length;
const zv = new Float32Array(B * nV);
picked.forEach(([, i], b) => zv.set(tensors['val.video'].data.subarray(i * nV, (i + 1) * nV), b * nV));
const model = avditFromCheckpoint(loadCheckpoint(modelDir), modelDir);
const net = ActivityNet.fromCheckpoint(loadCheckpoint(actDir), actDir);
const mask = TASKS.v2a.mask(m.layout.numSegments);
const run = async (editX0) => {
  const g = await generate(model, { mask, given: { video: zv }, samples: B, steps: 25, guidance: 3, seed: 0, editX0 });
  return codec.decode(g.audio, B, undefined, 16);
};
const plain = await run(undefined);
const guided = await run(await activityGuidanceFor(net, ACTIVITY_STRENGTH, model, mask, zv, B));
const L = plain.length / B,
  { fps, windowFrames: T } = m.data;
const windows = cache.windows('val');
const imgs = [];
for (let b = 0; b < B; b++) {
  const [w] = picked[b];
  const win = windows.find((x) => x.clip.file === w.file && x.start === w.start);
  const real = cache.loadWindow(win);
  const words = loadAlign(align, w.file);
  const spoken = words ? activityFromAlign(words, fps, w.start, T) : null;
  const realImg = spectrogramImage(real.audio.subarray(0, L), `${w.file.split('/').pop()} real${spoken ? ' (bar: words)' : ''}`);
  if (spoken)
    for (let x = 0; x < realImg.width; x++)
      if (spoken[Math.min(T - 1, Math.floor(((x * 128) / 16000) * fps))])
        for (let y = realImg.height - 4; y < realImg.height; y++) realImg.data.set([80, 220, 80], (y * realImg.width + x) * 3);
  imgs.push(
    realImg,
    spectrogramImage(plain.subarray(b * L, (b + 1) * L), 'v2a (bundle)'),
    spectrogramImage(guided.subarray(b * L, (b + 1) * L), 'v2a + activity guidance'),
  );
  await encode({ ...real, audio: guided.subarray(b * L, (b + 1) * L) }, `${out}-${b}.mp4`);
}
writePNG(`${out}.png`, upscale(tileImages(imgs, 3), 2));
console.log(`wrote ${out}.png and ${B} mp4s (${out}-<i>.mp4)`);
process.exit(0);
