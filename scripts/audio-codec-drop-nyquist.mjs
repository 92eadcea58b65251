// Converts an audio codec checkpoint that predicts 513 STFT bins into one that predicts 512 (no Nyquist
// bin; Griffin–Lim gets it as silence): slices the last layer, sets `dropNyquist`. The weights of the
// other 512 bins are unchanged. jax-js's wasm matmul is ~10× slower at output width 513 than at 512.
//   npm run build && node scripts/audio-codec-drop-nyquist.mjs <in-ckpt> <out-ckpt> [--f16]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../dist/src/util/node/checkpoint.js';

const [src, dst] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!src || !dst) throw new Error('usage: node scripts/audio-codec-drop-nyquist.mjs <in-ckpt> <out-ckpt> [--f16]');
if (resolve(src) === resolve(dst)) throw new Error(`${dst}: is the input checkpoint; write the converted one elsewhere`);
if (existsSync(dst)) throw new Error(`${dst}: already exists; pick a new folder`);
const ck = loadCheckpoint(src);
if (ck.config.kind !== 'audio-codec') throw new Error(`${src}: is a ${ck.config.kind} checkpoint, expected audio-codec`);
if (ck.config.codec.dropNyquist) throw new Error(`${src}: already predicts ${ck.config.codec.stft.nFft / 2} bins`);
const w = ck.params['dec.out.weight'],
  b = ck.params['dec.out.bias'];
const bins = ck.config.codec.stft.nFft / 2 + 1;
if (w.shape.at(-1) !== bins) throw new Error(`${src}: dec.out has ${w.shape.at(-1)} outputs, expected ${bins}`);
const rows = w.data.length / bins;
const out = new Float32Array(rows * (bins - 1));
for (let r = 0; r < rows; r++) out.set(w.data.subarray(r * bins, r * bins + bins - 1), r * (bins - 1));
ck.params['dec.out.weight'] = { shape: [...w.shape.slice(0, -1), bins - 1], data: out };
ck.params['dec.out.bias'] = { shape: [bins - 1], data: b.data.slice(0, bins - 1) };
ck.config.codec.dropNyquist = true;
ck.config.convertedFrom = { path: src, note: 'Nyquist bin dropped from dec.out (scripts/audio-codec-drop-nyquist.mjs)' };
saveCheckpoint(dst, { config: ck.config, params: ck.params }, process.argv.includes('--f16') ? 'F16' : 'F32');
console.log(`${dst}: ${bins - 1} bins (was ${bins})`);
