// The audio decoder at output width 513 (all STFT bins) vs 512 (no Nyquist bin), same process: jax-js wasm matmul
// speed depends on the output width. npm run build && node scripts/bench-audio-width.mjs
import { initNodeEngine } from '../dist/src/engine/node.js';
import { ops, jit, refTree } from '../dist/src/engine/index.js';
import { decodeAudio, audioCodecSpecs, AUDIO_CODEC_DEFAULTS } from '../dist/src/codecs/audio-codec.js';
import { initHostParams, toDevice } from '../dist/src/nn/params.js';
import { timeIt } from '../dist/bench/timing.js';
await initNodeEngine();
for (const dropNyquist of [false, true]) {
  const c = { ...AUDIO_CODEC_DEFAULTS, dropNyquist };
  const p = toDevice(initHostParams(audioCodecSpecs(c), 2));
  const z = new Float32Array(16 * 106 * 16).map(() => Math.random());
  const f = jit((pp, zz) => decodeAudio(pp, c, zz));
  const t = await timeIt(() => ops.read(f(refTree(p), ops.tensor(z, [16, 106, 16]))), 5);
  console.log(`audio decode 16 clips, ${dropNyquist ? 512 : 513} bins: ${t.median.toFixed(0)} ms`);
}
