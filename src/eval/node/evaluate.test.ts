// avdit eval at tiny size on a plain folder of clips: references + models × tasks scored with intervals and
// condition influence, conditioning segments excluded, the table written, a rerun resumes from the saved
// results, bad input refused with one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { syntheticClip } from '../../media/synthetic.js';
import { fileSha256 } from '../../codecs/node/latents.js';
import { encode } from '../../media/node/ffmpeg.js';
import { writeTinyAvdit, writeTinyCodecs } from '../../testing/node/tiny.js';
import { parseCondition } from '../../monl/tasks.js';
import { evaluate, scoreTask } from './evaluate.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-eval-'));

test('eval --data <folder of clips>: table with intervals, influence, reference rows; resumable; bad input named', async () => {
  // 8 synthetic 3 s clips in a plain folder (no cache): eval decodes them itself, all windows starting at frame 4
  const clips = join(root, 'clips');
  mkdirSync(clips, { recursive: true });
  for (let i = 0; i < 8; i++) await encode(syntheticClip({ seed: 30 + i, numFrames: 24, width: 32, height: 32 }).clip, join(clips, `s${i}.mp4`));
  const tc = writeTinyCodecs(root),
    other = writeTinyCodecs(root, { seed: 5, name: 'other' });
  const codecs = {
    video: { path: tc.video, sha256: fileSha256(join(tc.video, 'model.safetensors')) },
    audio: { path: tc.audio, sha256: fileSha256(join(tc.audio, 'model.safetensors')) },
  };
  for (const [name, strategy] of [
    ['mon', 'monl'],
    ['van', 'vanilla'],
  ]) {
    writeTinyAvdit(join(root, name), { seed: name.length, codecs, strategy });
  }
  const opts = {
    data: clips,
    videoCodec: tc.video,
    audioCodec: tc.audio,
    checkpoints: [
      { name: 'monl', dir: join(root, 'mon') },
      { name: 'vanilla', dir: join(root, 'van') },
    ],
    tasks: ['a2v', 'inpaint'],
    steps: 2,
    griffinLimIters: 2,
    windowStart: 4,
    out: join(root, 'eval'),
  };
  const logs: string[] = [];
  const r = await evaluate({ ...opts, log: (s) => logs.push(s) });
  for (const row of ['real clips', 'codec reconstruction', 'monl', 'vanilla']) assert.ok(r.results[row], `row ${row}`);
  // a2v generates no audio: no FAD; inpaint gives frame 0 and the last 4: ID distance is defined; influence per generated modality
  assert.deepEqual(Object.keys(r.results.monl.a2v).sort(), ['FVD-pix80', 'SyncCorr', 'SyncCorr-shuffled-audio', 'influence-video']);
  assert.deepEqual(Object.keys(r.results.vanilla.inpaint).sort(), [
    'FAD-logmel40',
    'FVD-pix80',
    'ID-dist',
    'SyncCorr',
    'influence-audio',
    'influence-video',
  ]);
  for (const row of Object.values(r.results))
    for (const t of Object.values(row))
      for (const v of Object.values(t)) {
        assert.ok(Number.isFinite(v.value) && v.lo <= v.value + 1e-9 && v.value <= v.hi + 1e-9, JSON.stringify(v));
      }
  assert.ok(r.results.monl.a2v['influence-video'].value > 0, 'a random network still reacts to its condition');
  assert.deepEqual(Object.keys(r.results['real clips'].inpaint).sort(), ['ID-dist', 'SyncCorr']); // no Fréchet of real vs itself
  assert.match(
    r.table,
    /\| strategy \| a2v FVD-pix80 \| a2v SyncCorr \| a2v SyncCorr-shuffled-audio \| a2v influence-video \| inpaint FVD-pix80 \| inpaint FAD-logmel40 \| inpaint ID-dist \| inpaint influence-video \| inpaint influence-audio \| mean rank \|/,
  );
  assert.match(r.table, /\| monl \| \d+\.\d{3} \[\d+\.\d{3}, \d+\.\d{3}\]/);
  assert.match(r.table, /^8 windows of .*cache \(all\)/);
  assert.match(readFileSync(join(root, 'eval', 'table.md'), 'utf8'), /\| codec reconstruction \|/);
  assert.ok(logs.some((l) => /vanilla inpaint seed 0 against seed 1000/.test(l)));
  // rerun: nothing is generated again
  const before = statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs;
  const r2 = await evaluate(opts);
  assert.equal(statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs, before);
  assert.deepEqual(r2.results, r.results);
  // η = 1 (ancestral): another sampler, so the cached results are not reused; the table names it
  const r3 = await evaluate({ ...opts, eta: 1, checkpoints: opts.checkpoints.slice(0, 1), tasks: ['a2v'] });
  assert.ok(statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs > before);
  assert.notDeepEqual(r3.results.monl.a2v, r.results.monl.a2v);
  assert.match(r3.table, /DDIM η=1 2 steps/);
  // a starting-noise temperature: another sampler too
  const after3 = statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs;
  const r4 = await evaluate({ ...opts, temperature: 0.5, checkpoints: opts.checkpoints.slice(0, 1), tasks: ['a2v'] });
  assert.ok(statSync(join(root, 'eval', 'results', 'monl__a2v__seed0.json')).mtimeMs > after3);
  assert.notDeepEqual(r4.results.monl.a2v, r.results.monl.a2v);
  assert.match(r4.table, /DDIM η=0 \(starting-noise temperature 0\.5\) 2 steps/);
  // influence from every seed (one more pair of runs per seed), per window the mean over the seeds
  const o5 = { ...opts, seeds: [0, 1], checkpoints: opts.checkpoints.slice(0, 1), tasks: ['a2v'] };
  const r5 = await evaluate(o5);
  const pair = (f: string) => JSON.parse(readFileSync(join(root, 'eval', 'results', f), 'utf8')).value.video as { dCond: number[]; dSeed: number[] };
  const [p0, p1] = [pair('monl__a2v__influence.json'), pair('monl__a2v__influence-seed1.json')];
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const pooled = mean(p0.dCond.map((d, b) => d + p1.dCond[b])) / mean(p0.dSeed.map((d, b) => d + p1.dSeed[b]));
  const firstOnly = mean(p0.dCond) / mean(p0.dSeed);
  assert.ok(Math.abs(r5.results.monl.a2v['influence-video'].value - pooled) < 1e-9);
  assert.ok(Math.abs(pooled - firstOnly) > 1e-6, 'the second seed pair moves the ratio');
  assert.match(r5.table, /seed pairs 0\/1000, 1\/1001, per window the mean over them/);
  // the first seed alone is the earlier measurement, read back from its file
  const r6 = await evaluate({ ...o5, influenceSeeds: 1 });
  assert.ok(Math.abs(r6.results.monl.a2v['influence-video'].value - firstOnly) < 1e-9);
  await assert.rejects(evaluate({ ...o5, influenceSeeds: 3 }), /influenceSeeds 3 must be a whole number from 1 to the number of seeds \(2\)/);
  // influence of one given modality: a2v with a reference frame, only the audio swapped. The seed runs are the same
  // runs as with both swapped (same dSeed); the swap is not (another dCond); on a2v, swapping "the audio" is swapping all
  const ref = 'video:0 audio:all';
  const o7 = { ...opts, checkpoints: opts.checkpoints.slice(0, 1), tasks: ['a2v', ref] };
  // a box of the frame named in the cache (data prepare --regions) gets an influence of its own
  const manifest = join(root, 'eval', 'cache', 'manifest.json');
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  writeFileSync(manifest, JSON.stringify({ ...m, config: { ...m.config, regions: { mouth: [0.25, 0.5, 0.75, 1] } } }));
  const [both, audioOnly] = [await evaluate(o7), await evaluate({ ...o7, influenceOf: 'audio' })];
  const infFile = (t: string, of = '') => JSON.parse(readFileSync(join(root, 'eval', 'results', `monl__${t}__influence${of}.json`), 'utf8')).value;
  const [refBoth, refAudio] = [infFile(ref), infFile(ref, '-of-audio')];
  assert.deepEqual(refAudio.video.dSeed, refBoth.video.dSeed);
  assert.ok(
    refAudio.video.dCond.every((d: number, b: number) => Math.abs(d - refBoth.video.dCond[b]) > 1e-6),
    'swapping the frame too moves every window',
  );
  assert.deepEqual(infFile('a2v', '-of-audio').video, infFile('a2v').video);
  assert.ok(audioOnly.results.monl[ref]['SyncCorr-shuffled-audio'] && !both.results.monl[ref]['influence-audio']);
  assert.match(audioOnly.table, /when the condition \(its audio only\) is another window's/);
  const [whole, mouth] = [audioOnly.results.monl[ref]['influence-video'], audioOnly.results.monl[ref]['influence-video-mouth']];
  assert.ok(mouth && Math.abs(mouth.value - whole.value) > 1e-6, 'the mouth box has a ratio of its own');
  assert.equal(refAudio['video-mouth'].dCond.length, 8);
  assert.match(audioOnly.table, /influence-video-mouth/);
  await assert.rejects(evaluate({ ...o7, influenceOf: 'video' }), /influenceOf video, but task "a2v" gives no video cell to swap/);
  // bad input: another codec than the model's, no usable clips, too few windows for a Fréchet distance
  await assert.rejects(
    evaluate({ ...opts, audioCodec: other.audio, out: join(root, 'eval2') }),
    /other-a: this audio codec \(sha256 .*\) is not the one .*mon was trained with/,
  );
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'notes.txt'), 'no clips here');
  await assert.rejects(evaluate({ ...opts, data: join(root, 'empty'), out: join(root, 'eval3') }), /empty: no media files/);
  await assert.rejects(
    evaluate({ ...opts, maxWindows: 3, out: join(root, 'eval4') }),
    /3 windows give \d+ video feature rows, too few for a Fréchet distance of 80 features/,
  );
});

test('scoreTask: a perfect generator scores Fréchet 0 on the generated segments only', async () => {
  const clips = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => syntheticClip({ seed: s, numFrames: 17, width: 16, height: 16 }).clip);
  const seg = {
    frames: [
      [0, 0],
      [1, 4],
      [5, 8],
      [9, 12],
      [13, 16],
    ] as [number, number][],
    bounds: [
      [0, 0.125],
      [0.125, 0.625],
      [0.625, 1.125],
      [1.125, 1.625],
      [1.625, 2.125],
    ] as [number, number][],
  };
  const wins = clips.map((real) => ({ real, start: 0, words: null }));
  const s = await scoreTask(clips, wins, parseCondition('continue', 5), seg);
  assert.ok(s['FVD-pix80'] < 1e-6 && s['FAD-logmel40'] < 1e-6, JSON.stringify(s));
  // changing only given frames (segments 0–1) leaves the video Fréchet distance at 0
  const edited = clips.map((c) => ({ ...c, video: c.video.map((v, i) => (i < 4 * 16 * 16 * 3 ? 1 - v : v)) }));
  assert.ok((await scoreTask(edited, wins, parseCondition('continue', 5), seg))['FVD-pix80'] < 1e-6);
  const later = clips.map((c) => ({ ...c, video: c.video.map((v, i) => (i >= 10 * 16 * 16 * 3 ? 1 - v : v)) }));
  assert.ok((await scoreTask(later, wins, parseCondition('continue', 5), seg))['FVD-pix80'] > 0.01);
});

test('scoreTask: SAA splits into agreement on spoken frames (SAA-speech) and on silent ones (SAA-silence)', async () => {
  const seg = {
    frames: [
      [0, 3],
      [4, 7],
      [8, 11],
      [12, 16],
    ] as [number, number][],
    bounds: [
      [0, 0.5],
      [0.5, 1],
      [1, 1.5],
      [1.5, 2.125],
    ] as [number, number][],
  };
  // one word over frames 4–11 (0.5–1.5 s); the rest is silence
  const words = [
    { start: 0, end: 0.5, word: 'sil' },
    { start: 0.5, end: 1.5, word: 'bin' },
    { start: 1.5, end: 2.2, word: 'sil' },
  ];
  const clips = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => syntheticClip({ seed: s, numFrames: 17, width: 16, height: 16 }).clip);
  const wins = clips.map((real) => ({ real, start: 0, words }));
  const sr = clips[0].sampleRate;
  const tone = (loud: (sec: number) => boolean) => (c: (typeof clips)[0]) => ({
    ...c,
    audio: Float32Array.from(c.audio, (_, i) => (loud(i / sr) ? 0.3 * Math.sin(i * 0.3) : 1e-5 * Math.sin(i * 0.3))),
  });
  const timed = await scoreTask(clips.map(tone((t) => t >= 0.5 && t < 1.5)), wins, parseCondition('v2a', 4), seg);
  assert.deepEqual([timed.SAA, timed['SAA-speech'], timed['SAA-silence']], [1, 1, 1]);
  const always = await scoreTask(clips.map(tone(() => true)), wins, parseCondition('v2a', 4), seg);
  assert.equal(always['SAA-speech'], 1);
  assert.equal(always['SAA-silence'], 0);
  assert.ok(Math.abs(always.SAA - 8 / 17) < 1e-9, `${always.SAA}`);
});
