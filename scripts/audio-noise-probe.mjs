// How fragile are the audio decoder's silences? Decodes real validation latents with Gaussian noise of std σ (in
// normalised latent units) added and reports, per σ, the share of the video frames quiet in the clean decode that stay
// quiet (SAA's rule: more than 20 dB below the window's loudest frame or under -55 dB) and of the active ones that stay
// active. A generator whose latents miss by σ in silent frames gets about that SAA-silence from this decoder.
//   node scripts/audio-noise-probe.mjs <latent-cache> <audio-codec> [windows=32] [σ list=0,0.05,0.1,0.2,0.3,0.5]
import { initNodeEngine } from '../dist/src/engine/node.js';
import { openLatentCache, loadCodecs } from '../dist/src/codecs/node/latents.js';
import { AudioCodec } from '../dist/src/codecs/codec.js';
import { loadCheckpoint } from '../dist/src/util/node/checkpoint.js';
import { activityFromAudio } from '../dist/src/eval/av-metrics.js';
import { normal } from '../dist/src/util/rng.js';

const [lat, codecDir, nArg, sArg] = process.argv.slice(2);
if (!lat || !codecDir) throw new Error('usage: node scripts/audio-noise-probe.mjs <latent-cache> <audio-codec> [windows] [σ list]');
await initNodeEngine({ device: 'wasm' });
const { manifest: m, tensors } = openLatentCache(lat);
const codec = AudioCodec.fromCheckpoint(loadCheckpoint(codecDir), codecDir);
const [La, C] = m.audioShape;
const n = Math.min(Number(nArg ?? 32), tensors['val.audio'].shape[0]);
const z = tensors['val.audio'].data.subarray(0, n * La * C);
const T = m.data.windowFrames,
  fps = m.data.fps,
  sr = m.data.sampleRate;
const act = async (lz) => {
  const wav = await codec.decode(lz, n, undefined, 16);
  const L = wav.length / n;
  return Array.from({ length: n }, (_, b) => activityFromAudio(wav.subarray(b * L, (b + 1) * L), sr, fps, T));
};
const clean = await act(z);
console.log(`${n} val windows of ${lat}, decoder ${codecDir} (Griffin–Lim 16 iterations, as avdit eval)`);
console.log('| σ | quiet frames that stay quiet | active frames that stay active |\n|---:|---:|---:|');
for (const s of (sArg ?? '0,0.05,0.1,0.2,0.3,0.5').split(',').map(Number)) {
  const eps = normal(7, z.length);
  const a = await act(Float32Array.from(z, (v, i) => v + s * eps[i]));
  let q = 0,
    qq = 0,
    ac = 0,
    aa = 0;
  clean.forEach((w, b) => w.forEach((on, t) => (on ? (ac++, (aa += a[b][t] ? 1 : 0)) : (q++, (qq += a[b][t] ? 0 : 1)))));
  console.log(`| ${s} | ${(qq / q).toFixed(3)} (${q} frames) | ${(aa / ac).toFixed(3)} |`);
}
process.exit(0);
