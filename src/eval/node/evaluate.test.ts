// avdit eval at tiny size: references + models × tasks scored, conditioning segments excluded, the
// table written, a rerun resumes from the saved results, mismatched codecs refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { syntheticClip } from '../../media/synthetic.js';
import { saveCheckpoint } from '../../train/checkpoint.js';
import { encodeLatentCache } from '../../codecs/node/latents.js';
import { makeTokenLayout } from '../../monl/layout.js';
import { AVDIT_PRESETS, avditSpecs } from '../../model/avdit.js';
import { randomParams, syntheticCache, writeTinyCodecs } from '../../testing/node/tiny.js';
import { parseCondition } from '../../monl/tasks.js';
import { evaluate, scoreTask } from './evaluate.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-eval-'));

test('eval: table with reference rows, conditioning excluded, resumable, codec mismatch refused', async () => {
  await syntheticCache(root, 6, 50);
  const tc = writeTinyCodecs(root), other = writeTinyCodecs(root, { seed: 5, name: 'other' });
  const m = await encodeLatentCache({ cache: join(root, 'cache'), video: tc.video, audio: tc.audio, out: join(root, 'lat') });
  assert.ok(m.windows.val.length >= 2, `${m.windows.val.length} val windows`);
  const model = { ...AVDIT_PRESETS.tiny };
  const layout = makeTokenLayout(m.layout, { L: 5, h: 4, w: 4, C: 4 }, { La: 106, C: 4 }, model.patch, 8, m.audioHopSec);
  for (const [name, strategy] of [['mon', 'monl'], ['van', 'vanilla']]) {
    saveCheckpoint(join(root, name), {
      config: { kind: 'avdit', model, strategy, layout: { video: m.videoShape, audio: m.audioShape, segments: 5 }, latents: { codecs: m.codecs, data: m.data, segmentLayout: m.layout, audioHopSec: m.audioHopSec } },
      params: randomParams(avditSpecs(model, layout), name.length),
    });
  }
  const opts = { latents: join(root, 'lat'), videoCodec: tc.video, audioCodec: tc.audio, checkpoints: [{ name: 'monl', dir: join(root, 'mon') }, { name: 'vanilla', dir: join(root, 'van') }], tasks: ['a2v', 'inpaint'], steps: 2, griffinLimIters: 2, out: join(root, 'eval') };
  const logs: string[] = [];
  const r = await evaluate({ ...opts, log: (s) => logs.push(s) });
  for (const row of ['real clips', 'codec reconstruction', 'monl', 'vanilla']) assert.ok(r.results[row], `row ${row}`);
  // a2v generates no audio: no FAD; inpaint gives frame 0 and the last 4: ID distance is defined
  assert.deepEqual(Object.keys(r.results.monl.a2v).sort(), ['FVD-pix80', 'SyncCorr']);
  assert.deepEqual(Object.keys(r.results.vanilla.inpaint).sort(), ['FAD-logmel40', 'FVD-pix80', 'ID-dist', 'SyncCorr']);
  for (const row of Object.values(r.results)) for (const t of Object.values(row)) for (const v of Object.values(t)) assert.ok(Number.isFinite(v));
  assert.deepEqual(Object.keys(r.results['real clips'].inpaint).sort(), ['ID-dist', 'SyncCorr']); // no Fréchet of real vs itself
  assert.match(r.table, /\| strategy \| a2v FVD-pix80 \| a2v SyncCorr \| inpaint FVD-pix80 \| inpaint FAD-logmel40 \| inpaint ID-dist \| mean rank \|/);
  assert.match(readFileSync(join(root, 'eval', 'table.md'), 'utf8'), /\| codec reconstruction \|/);
  assert.ok(logs.some((l) => /\[4\/4\] vanilla inpaint seed 0/.test(l)));
  // rerun: nothing is generated again
  const before = statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs;
  const r2 = await evaluate(opts);
  assert.equal(statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs, before);
  assert.deepEqual(r2.results, r.results);
  await assert.rejects(evaluate({ ...opts, audioCodec: other.audio, out: join(root, 'eval2') }), /other-a: this audio codec is not the one .* was encoded with/);
});

test('scoreTask: a perfect generator scores Fréchet 0 on the generated segments only', async () => {
  const clips = [0, 1, 2].map((s) => syntheticClip({ seed: s, numFrames: 17, width: 16, height: 16 }).clip);
  const seg = { frames: [[0, 0], [1, 4], [5, 8], [9, 12], [13, 16]] as [number, number][], bounds: [[0, 0.125], [0.125, 0.625], [0.625, 1.125], [1.125, 1.625], [1.625, 2.125]] as [number, number][] };
  const wins = clips.map((real) => ({ real, start: 0, words: null }));
  const s = await scoreTask(clips, wins, parseCondition('continue', 5), seg);
  assert.ok(s['FVD-pix80'] < 1e-9 && s['FAD-logmel40'] < 1e-6, JSON.stringify(s));
  // changing only given frames (segments 0–1) leaves the video Fréchet distance at 0
  const edited = clips.map((c) => ({ ...c, video: c.video.map((v, i) => (i < 4 * 16 * 16 * 3 ? 1 - v : v)) }));
  assert.ok((await scoreTask(edited, wins, parseCondition('continue', 5), seg))['FVD-pix80'] < 1e-9);
  const later = clips.map((c) => ({ ...c, video: c.video.map((v, i) => (i >= 10 * 16 * 16 * 3 ? 1 - v : v)) }));
  assert.ok((await scoreTask(later, wins, parseCondition('continue', 5), seg))['FVD-pix80'] > 0.01);
});
