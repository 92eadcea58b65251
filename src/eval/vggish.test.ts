// VGGish front end (examples, bands) and weight checks; network parity with torchvggish is in test/parity.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../engine/node.js';
import { Vggish, VGGISH_SHAPES, vggishExamples } from './vggish.js';

await initNodeEngine({ device: 'wasm' });

test('VGGish examples: 0.96 s of 10 ms frames × 64 bands, hop 0.48 s; a tone lands in the right band', () => {
  const sr = 16000;
  assert.equal(vggishExamples(new Float32Array(34000), sr).count, 3); // 211 frames → examples at 0, 48, 96
  assert.equal(vggishExamples(new Float32Array(15000), sr).count, 0); // shorter than 0.96 s
  const band = (f: number) => {
    const ex = vggishExamples(
      Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * f * i) / sr)),
      sr,
    );
    const row = Array.from(ex.data.subarray(50 * 64, 51 * 64));
    return row.indexOf(Math.max(...row));
  };
  assert.ok(band(300) < band(1000) && band(1000) < band(4000), `${band(300)} ${band(1000)} ${band(4000)}`);
  assert.throws(() => vggishExamples(new Float32Array(100), 44100), /44100 Hz, VGGish needs 16000 Hz/);
});

test("VGGish weights are checked against torchvggish's names and shapes", () => {
  const w = Object.fromEntries(
    Object.entries(VGGISH_SHAPES).map(([k, shape]) => [k, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }]),
  );
  const { 'embeddings.4.bias': _, ...missing } = w;
  assert.throws(() => new Vggish(missing, 'v.safetensors'), /v\.safetensors: not torchvggish weights \(missing embeddings\.4\.bias\)/);
  assert.throws(
    () => new Vggish({ ...w, 'features.0.weight': { shape: [64, 3, 3, 3], data: new Float32Array(1728) } }, 'v.safetensors'),
    /features\.0\.weight has shape \[64,3,3,3\], torchvggish's is \[64,1,3,3\]/,
  );
});
