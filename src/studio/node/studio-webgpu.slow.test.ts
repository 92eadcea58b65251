// The studio on WebGPU in headless Chromium, through its software adapter (SwiftShader): the same page,
// worker and model as on wasm, asked for with ?device=webgpu. Slow (software GPU): RUN_SLOW=1 only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing, openStudio, CHROMIUM_FLAGS } from '../../testing/node/chromium.js';

test('studio on WebGPU (SwiftShader): a2v keeps the given audio and gives finite frames', { skip: chromiumMissing(), timeout: 900_000 }, async () => {
  const args = [
    ...CHROMIUM_FLAGS.filter((f) => f !== '--disable-gpu'),
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-webgpu-adapter=swiftshader',
  ];
  const { page, pageErrors, close } = await openStudio({ args, query: '?device=webgpu' });
  after(close);
  const S = 'globalThis.avditStudio.state';
  await page.waitForFunction(`(${S}.model && ${S}.clip) || ${S}.lastError`, null, { timeout: 300_000 });
  assert.equal(await page.evaluate(`${S}.lastError`), null);
  assert.match((await page.textContent('#engine'))!, /on webgpu \(google swiftshader.*\(software\)\)/);
  await page.fill('#steps', '2');
  await page.click('#generate');
  await page.waitForFunction(`(${S}.lastResult && !${S}.busy) || ${S}.lastError`, null, { timeout: 600_000 });
  assert.equal(await page.evaluate(`${S}.lastError`), null);
  const r = (await page.evaluate(
    `(() => { const r = ${S}.lastResult; let d = 0; for (let i = 0; i < r.clip.audio.length; i++) d = Math.max(d, Math.abs(r.clip.audio[i] - r.source.audio[i])); return { audioDiff: d, finite: r.clip.video.every(Number.isFinite), ms: r.msPerStep }; })()`,
  )) as { audioDiff: number; finite: boolean; ms: number };
  assert.deepEqual([r.audioDiff, r.finite], [0, true]);
  assert.deepEqual(pageErrors, []);
  console.log(`studio on WebGPU (SwiftShader): ${await page.textContent('#result-info')}`);
});
