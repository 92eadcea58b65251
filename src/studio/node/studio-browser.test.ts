// avdit studio end to end in real headless Chromium (Debian's, driven by playwright-core): load the page,
// load the bundled example, choose a2v, generate with 2 steps in the page's Web Worker, check the result
// video plays for the window's duration and the given cells came back unchanged; toggle a cell for a
// custom mask; a bad upload shows a message and the page stays usable. Screenshot: out/test/studio-e2e.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumMissing, openStudio, ROOT as root } from '../../testing/node/chromium.js';
import { SAMPLER_DEFAULTS } from '../../pipeline/defaults.js';
import { countParams } from '../../nn/params.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';

const skip = chromiumMissing();

test('studio: bundled example → a2v in the browser → playable result with the given audio unchanged', { skip, timeout: 600_000 }, async () => {
  const studio = await openStudio();
  const { page, pageErrors } = studio;
  let open = true;
  const close = async () => {
    if (open) await studio.close();
    open = false;
  };
  after(close);
  const S = 'globalThis.avditStudio.state';
  await page.waitForFunction(`${S}.model || ${S}.lastError`, null, { timeout: 120_000 });
  assert.equal(await page.evaluate(`${S}.lastError`), null);
  // the bundled model's parameter count, from its weights file
  const bundled = (countParams(loadCheckpoint(join(root, 'models', 'avdit')).params) / 1e6).toFixed(2);
  assert.match((await page.textContent('#engine'))!, new RegExp(`model ready: AVDiT ${bundled.replace('.', '\\.')}M parameters \\(monl\\) on wasm`));

  // the first bundled example is loaded on its own
  await page.waitForFunction(`${S}.clip !== null`);
  assert.match((await page.textContent('#clip-info')) ?? '', /^bbaf4p\.mpg: 3\.00 s, 64×64 at 8 fps, 16000 Hz$/);

  // a file that is not media: a clear message, and the page stays usable
  await page.setInputFiles('#file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a clip') });
  await page.waitForFunction(`${S}.lastError`);
  assert.match((await page.textContent('#message'))!, /^notes\.txt: not a media file/);
  assert.equal(await page.isVisible('#message'), true);

  await page.selectOption('#example', 'lbad8p.mpg');
  await page.click('#load-example');
  await page.waitForFunction(`${S}.clipName === 'lbad8p.mpg'`);
  assert.equal(await page.isVisible('#message'), false);

  // custom mask by clicking cells: start from a2v, then also give video segment 0
  await page.click('button[data-task=a2v]');
  assert.equal(await page.textContent('#spec'), 'video:none audio:all');
  await page.click('#track-video .cell[data-segment="0"]');
  assert.equal(await page.textContent('#spec'), 'video:0 audio:all');
  await page.click('#track-video .cell[data-segment="0"]');
  assert.equal(await page.textContent('#spec'), 'video:none audio:all');

  await page.fill('#steps', '2');
  await page.click('#generate');
  await page.waitForFunction(`(${S}.lastResult && !${S}.busy) || ${S}.lastError`, null, { timeout: 300_000 });
  assert.equal(await page.evaluate(`${S}.lastError`), null);
  const r = (await page.evaluate(`(() => {
    const { lastResult: r, model: m } = ${S};
    let audioDiff = 0, videoDiff = 0;
    for (let s = 0; s < m.numSegments; s++) {
      const [a, b] = m.bounds[s];
      for (let i = Math.round(a * r.clip.sampleRate); i < Math.min(r.clip.audio.length, Math.round(b * r.clip.sampleRate)); i++) audioDiff = Math.max(audioDiff, Math.abs(r.clip.audio[i] - r.source.audio[i]));
    }
    for (let i = 0; i < r.clip.video.length; i++) videoDiff = Math.max(videoDiff, Math.abs(r.clip.video[i] - r.source.video[i]));
    return { audioDiff, videoDiff, frames: r.clip.numFrames, msPerStep: r.msPerStep, firstStepMs: r.firstStepMs, info: document.getElementById('result-info').textContent };
  })()`)) as { audioDiff: number; videoDiff: number; frames: number; msPerStep: number; firstStepMs: number; info: string };
  assert.equal(r.audioDiff, 0, 'given audio must come back bit-identical');
  assert.ok(r.videoDiff > 0.05, `generated video should differ from the source frames (max diff ${r.videoDiff})`);
  assert.equal(r.frames, 17);
  // the result video element plays a clip of the window's duration (17 frames at 8 fps = 2.125 s)
  await page.waitForFunction(`document.getElementById('result-video').readyState >= 1`, null, { timeout: 60_000 });
  const v = (await page.evaluate(
    `(async () => { const v = document.getElementById('result-video'); v.muted = true; await v.play(); await new Promise((ok) => setTimeout(ok, 300)); return { duration: v.duration, time: v.currentTime, paused: v.paused }; })()`,
  )) as { duration: number; time: number; paused: boolean };
  assert.ok(Math.abs(v.duration - 2.125) < 0.06, `video duration ${v.duration}`);
  assert.ok(v.time > 0 || !v.paused, 'the video plays');
  // a second run in the same page: continuation keeps the first 5 frames and 0.625 s of sound exactly
  await page.click('button[data-task=continue]');
  await page.click('#generate');
  await page.waitForFunction(
    `(${S}.lastResult && ${S}.lastResult.mask[0][2] === false && ${S}.lastResult.mask[0][0] === true && !${S}.busy) || ${S}.lastError`,
    null,
    { timeout: 300_000 },
  );
  const c = (await page.evaluate(`(() => {
    const { lastResult: r, model: m } = ${S};
    const fsz = r.clip.width * r.clip.height * 3, n5 = 5 * fsz;
    let given = 0, later = 0;
    for (let i = 0; i < n5; i++) given = Math.max(given, Math.abs(r.clip.video[i] - r.source.video[i]));
    for (let i = n5; i < r.clip.video.length; i++) later = Math.max(later, Math.abs(r.clip.video[i] - r.source.video[i]));
    let audio = 0;
    for (let i = 0; i < Math.round(0.625 * r.clip.sampleRate) - 80; i++) audio = Math.max(audio, Math.abs(r.clip.audio[i] - r.source.audio[i]));
    return { given, later, audio };
  })()`)) as { given: number; later: number; audio: number };
  assert.deepEqual([c.given, c.audio], [0, 0]);
  assert.ok(c.later > 0.05);
  // v2a in the page runs with the bundle's activity net (activity guidance), as the library in Node does
  await page.click('button[data-task=v2a]');
  await page.click('#generate');
  await page.waitForFunction(`(${S}.lastResult && ${S}.lastResult.mask[1][0] === false && !${S}.busy) || ${S}.lastError`, null, {
    timeout: 300_000,
  });
  assert.equal(await page.evaluate(`${S}.lastError`), null);
  const v2aAudio = Float32Array.from((await page.evaluate(`Array.from(${S}.lastResult.clip.audio)`)) as number[]);
  const v2aSeed = Number(await page.inputValue('#seed'));
  assert.deepEqual(pageErrors, []);
  mkdirSync(join(root, 'out', 'test'), { recursive: true });
  const shot = join(root, 'out', 'test', 'studio-e2e.png');
  await page.screenshot({ path: shot, fullPage: true });

  // the browser's step time against Node's on the same model, task, steps and previews (printed, not asserted:
  // timings are for benches; the target is browser ≤ 1.3× Node)
  const STEPS = 8;
  await page.click('button[data-task=a2v]');
  await page.fill('#steps', String(STEPS));
  if (process.env.AVDIT_E2E_GUIDANCE) await page.fill('#guidance', process.env.AVDIT_E2E_GUIDANCE);
  await page.evaluate(`${S}.previewEvery = 0`);
  await page.click('#generate');
  await page.waitForFunction(`(${S}.lastResult && ${S}.lastResult.steps === ${STEPS} && !${S}.busy) || ${S}.lastError`, null, {
    timeout: 300_000,
  });
  const browserMs = (await page.evaluate(`${S}.lastResult.msPerStep`)) as number;
  // guidance > 0 doubles the batch: Node gets the page's value (AVDIT_E2E_GUIDANCE sets it for experiments)
  const guidance = Number(await page.inputValue('#guidance'));
  // the studio shows the library's default for the condition (the CLI's): same seed, same result
  if (!process.env.AVDIT_E2E_GUIDANCE) assert.equal(guidance, SAMPLER_DEFAULTS.crossModalGuidance);
  assert.equal(Number(await page.inputValue('#temperature')), SAMPLER_DEFAULTS.audioToVideoTemperature, "a2v: the library's default temperature");
  await close();
  const { fromPretrained, decodeMedia, stepTimer } = await import('../../node.js');
  const pipe = await fromPretrained(join(root, 'models'), { device: 'wasm' });
  const w = pipe.window;
  const { clip } = await decodeMedia(join(root, 'examples', 'grid-val', 'lbad8p.mpg'), { ...w, crop: { w: 200, h: 200, x: 52, y: 44 } });
  const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
  const guided = await pipe.generate({ task: 'v2a', clip, steps: 2, seed: v2aSeed });
  const plain = await pipe.generate({ task: 'v2a', clip, steps: 2, seed: v2aSeed, activity: false });
  const [dGuided, dPlain] = [maxDiff(v2aAudio, guided.audio), maxDiff(v2aAudio, plain.audio)];
  assert.ok(dGuided < dPlain, `the page's v2a audio is ${dGuided} from Node's guided v2a and ${dPlain} from the unguided one`);
  const timer = stepTimer();
  await pipe.generate({ task: 'a2v', clip, steps: STEPS, guidance, previewEvery: 0, onStep: (st) => timer.lap(st.step) });
  const nodeMs = timer.msPerStep;
  const timing = `a2v, ${STEPS} steps, guidance ${guidance}, no previews: browser ${browserMs.toFixed(0)} ms/step, Node ${nodeMs.toFixed(0)} ms/step (${(browserMs / nodeMs).toFixed(2)}×)`;
  writeFileSync(
    join(root, 'out', 'test', 'studio-e2e.json'),
    JSON.stringify(
      { msPerStep: r.msPerStep, firstStepMs: r.firstStepMs, info: r.info, browserMsPerStep: browserMs, nodeMsPerStep: nodeMs, guidance },
      null,
      2,
    ),
  );
  console.log(
    `studio e2e: ${r.info}; ${timing}; v2a audio from Node's guided / unguided: ${dGuided.toExponential(1)} / ${dPlain.toExponential(1)}; screenshot ${shot}`,
  );
});
