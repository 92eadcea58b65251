// The sampling loop at tiny size: given cells bit-identical, seeds, guidance, replacement, previews.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../engine/node.js';
import { toDevice } from '../nn/params.js';
import { randomParams } from '../testing/node/tiny.js';
import { normal } from '../util/rng.js';
import { segmentLayout } from '../monl/segments.js';
import { makeTokenLayout } from '../monl/layout.js';
import { AVDIT_PRESETS, avditConsts, avditSpecs } from '../model/avdit.js';
import { parseCondition } from '../monl/tasks.js';
import { linearSchedule } from '../diffusion/schedule.js';
import { generate, generateSteps, type AvditModel } from './generate.js';
import { hidesAnyCell } from './guidance.js';
import { SAMPLER_DEFAULTS, defaultGuidance, defaultTemperature } from './defaults.js';

await initNodeEngine({ device: 'wasm' });
const l = makeTokenLayout(segmentLayout(9, 8, 56, 0.02), { L: 3, h: 4, w: 4, C: 4 }, { La: 56, C: 4 }, 2, 8, 0.02);
function model(selfCondition = false): AvditModel {
  const config = { ...AVDIT_PRESETS.tiny, selfCondition };
  const params = toDevice(randomParams(avditSpecs(config, l), 5, 0.1));
  return { config, layout: l, params, consts: avditConsts(config, l), schedule: linearSchedule() };
}
const m = model();
const given = { video: normal(1, 3 * 64), audio: normal(2, 56 * 4) };
const perFrame = 64;
const audioSeg = (j: number) => l.segment[l.video.tokens + j];

function assertGivenExact(out: { video: Float32Array; audio: Float32Array }, spec: string, B = 1) {
  const mask = parseCondition(spec, 3);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < 192; i++) if (mask[0][Math.floor(i / perFrame)]) assert.equal(out.video[b * 192 + i], given.video[i], `${spec}: video ${i}`);
    for (let i = 0; i < 224; i++)
      if (mask[1][audioSeg(Math.floor(i / 4))]) assert.equal(out.audio[b * 224 + i], given.audio[i], `${spec}: audio ${i}`);
  }
}

test('given cells come back bit-identical (named tasks and a free-form mask)', async () => {
  for (const spec of ['a2v', 'v2a', 'inpaint', 'continue', 'video:0,2 audio:all']) {
    const out = await generate(m, { mask: parseCondition(spec, 3), given, steps: 4, samples: 2, seed: 3 });
    assertGivenExact(out, spec, 2);
    assert.ok(out.video.every(Number.isFinite) && out.audio.every(Number.isFinite));
  }
});

test('same seed → same output; another seed → different generated cells', async () => {
  const o = { mask: parseCondition('a2v', 3), given, steps: 4 };
  const a = await generate(m, { ...o, seed: 1 });
  const b = await generate(m, { ...o, seed: 1 });
  const c = await generate(m, { ...o, seed: 2 });
  assert.deepEqual(a.video, b.video);
  assert.deepEqual(a.audio, b.audio);
  assert.notDeepEqual(a.video, c.video);
  assert.deepEqual(a.audio, c.audio, 'a2v: the given audio is the same whatever the seed');
});

test('guidance: the default follows the condition (2 for inpaint, 3 for a2v); s > 0 changes the result; partial modes run', async () => {
  const o = { mask: parseCondition('inpaint', 3), given, steps: 4, seed: 5 };
  const byDefault = await generate(m, o);
  const same = await generate(m, { ...o, guidance: SAMPLER_DEFAULTS.guidance });
  assert.deepEqual(same.video, byDefault.video);
  assert.deepEqual(same.audio, byDefault.audio);
  const a2v = { ...o, mask: parseCondition('a2v', 3) };
  const a2vDefault = await generate(m, a2v);
  assert.deepEqual(a2vDefault.video, (await generate(m, { ...a2v, guidance: SAMPLER_DEFAULTS.crossModalGuidance })).video);
  assert.notDeepEqual(a2vDefault.video, (await generate(m, { ...a2v, guidance: SAMPLER_DEFAULTS.guidance })).video);
  const plain = await generate(m, { ...o, guidance: 0 });
  const g = await generate(m, { ...o, guidance: 2 });
  assert.notDeepEqual(g.video, plain.video);
  assertGivenExact(g, 'inpaint');
  for (const guidanceMode of ['video', 'audio'] as const) assertGivenExact(await generate(m, { ...o, guidance: 1, guidanceMode }), 'inpaint');
});

test('guidanceInterval: guides only the steps with t in [lo, hi]; the whole range is the default, an empty one is no guidance', async () => {
  const o = { mask: parseCondition('a2v', 3), given, steps: 4, seed: 5, guidance: 2 };
  const T = m.schedule.T;
  const all = await generate(m, o);
  assert.deepEqual((await generate(m, { ...o, guidanceInterval: [0, T] })).video, all.video);
  const none = await generate(m, { ...o, guidance: 0 });
  assert.deepEqual((await generate(m, { ...o, guidanceInterval: [T + 1, T + 1] })).video, none.video);
  const some = await generate(m, { ...o, guidanceInterval: [0, T / 2] });
  assert.notDeepEqual(some.video, all.video);
  assert.notDeepEqual(some.video, none.video);
  await assert.rejects(generate(m, { ...o, guidanceInterval: [500, 100] }), /guidanceInterval \[500,100\] must be \[lo, hi\]/);
});

test('defaultGuidance: 3 where one modality is wholly given and the other wholly generated, 2 for every other condition', () => {
  for (const spec of ['a2v', 'v2a']) assert.equal(defaultGuidance(parseCondition(spec, 3)), SAMPLER_DEFAULTS.crossModalGuidance, spec);
  for (const spec of ['joint', 'continue', 'inpaint', 'interp', 'video:0,2 audio:all', 'video:all audio:0'])
    assert.equal(defaultGuidance(parseCondition(spec, 3)), SAMPLER_DEFAULTS.guidance, spec);
  assert.notEqual(SAMPLER_DEFAULTS.crossModalGuidance, SAMPLER_DEFAULTS.guidance);
});

test("temperature: the condition's default unless set; below 1 the seed moves the output less; out of range is refused", async () => {
  const o = { mask: parseCondition('a2v', 3), given, steps: 4 };
  for (const spec of ['joint', 'v2a', 'continue', 'inpaint', 'video:0 audio:all'])
    assert.equal(defaultTemperature(parseCondition(spec, 3)), SAMPLER_DEFAULTS.temperature, spec);
  assert.equal(defaultTemperature(o.mask), SAMPLER_DEFAULTS.audioToVideoTemperature);
  assert.notEqual(SAMPLER_DEFAULTS.audioToVideoTemperature, SAMPLER_DEFAULTS.temperature);
  assert.deepEqual(
    (await generate(m, { ...o, seed: 1 })).video,
    (await generate(m, { ...o, seed: 1, temperature: defaultTemperature(o.mask) })).video,
  );
  const dist = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / a.length);
  const seedDistance = async (temperature: number) =>
    dist((await generate(m, { ...o, seed: 1, temperature })).video, (await generate(m, { ...o, seed: 2, temperature })).video);
  const [d1, dHalf, dLow] = [await seedDistance(1), await seedDistance(0.5), await seedDistance(0.1)];
  assert.ok(dLow < dHalf && dHalf < d1, `seed distances at temperature 0.1 / 0.5 / 1 (${dLow} / ${dHalf} / ${d1}) should grow with it`);
  assertGivenExact(await generate(m, { ...o, seed: 1, temperature: 0.5 }), 'a2v');
  for (const temperature of [0, -1, 3, NaN]) await assert.rejects(generate(m, { ...o, temperature }), /temperature = .* must be in \(0, 2\]/);
});

test('ancestral sampling (η = 1), self-conditioning and the replacement method keep given cells exact', async () => {
  const sc = model(true);
  for (const [mm, extra] of [
    [m, { eta: 1 }],
    [sc, {}],
    [m, { method: 'replacement' as const }],
  ] as const) {
    assertGivenExact(await generate(mm, { mask: parseCondition('continue', 3), given, steps: 3, seed: 9, ...extra }), 'continue');
  }
});

test('the generator yields every step with previews; bad given latents are refused', async () => {
  const updates = [];
  const it = generateSteps(m, { mask: parseCondition('joint', 3), steps: 4, previewEvery: 2 });
  for (let r = await it.next(); !r.done; r = await it.next()) updates.push(r.value);
  assert.deepEqual(
    updates.map((u) => u.step),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    updates.map((u) => !!u.preview),
    [false, true, false, true],
  );
  await assert.rejects(
    generate(m, { mask: parseCondition('a2v', 3), given: { audio: new Float32Array(10) } }),
    /audio latents have 10 values, expected 224/,
  );
});

test('one given clip per sample: each sample keeps its own given cells', async () => {
  const other = { video: normal(11, 3 * 64), audio: normal(12, 56 * 4) };
  const cat = (a: Float32Array, b: Float32Array) => Float32Array.from([...a, ...b]);
  const mask = parseCondition('inpaint', 3);
  const both = await generate(m, {
    mask,
    given: { video: cat(given.video, other.video), audio: cat(given.audio, other.audio) },
    steps: 3,
    samples: 2,
    seed: 5,
  });
  assertGivenExact({ video: both.video.subarray(0, 192), audio: both.audio.subarray(0, 224) }, 'inpaint');
  for (let i = 0; i < 64; i++) assert.equal(both.video[192 + i], other.video[i]); // sample 1, frame 0 is given
  await assert.rejects(
    generate(m, { mask, given: { video: new Float32Array(3 * 192), audio: given.audio }, steps: 1, samples: 2 }),
    /expected 192 or 2×192/,
  );
});

test('guidance runs the unconditional pass only where it hides a given cell', () => {
  const hides = (spec: string, mode: 'all' | 'video' | 'audio') => hidesAnyCell(parseCondition(spec, 3), mode);
  assert.equal(hides('joint', 'all'), false, 'joint: nothing given');
  assert.equal(hides('a2v', 'video'), false, 'a2v guided on video: no video given');
  assert.equal(hides('v2a', 'audio'), false);
  assert.equal(hides('a2v', 'all'), true);
  assert.equal(hides('a2v', 'audio'), true);
  assert.equal(hides('inpaint', 'video'), true);
});

test('editX0: the step goes on from the edited x̂0 (an edit to a constant ends there); given cells stay exact; a wrong length is an error', async () => {
  const mask = parseCondition('v2a', 3);
  const seen: number[] = [];
  const out = await generate(m, {
    mask,
    given,
    steps: 3,
    samples: 2,
    editX0: (x0, t) => (seen.push(t), { video: x0.video, audio: x0.audio.map(() => 0.25) }),
  });
  assert.equal(seen.length, 3);
  assert.ok(
    out.audio.every((v) => Math.abs(v - 0.25) < 1e-5),
    'generated audio is the edited x̂0',
  );
  assertGivenExact(out, 'v2a', 2);
  const plain = await generate(m, { mask, given, steps: 3, samples: 2 });
  assert.ok(plain.audio.some((v) => Math.abs(v - 0.25) > 0.01));
  await assert.rejects(
    generate(m, { mask, given, steps: 2, editX0: (x0) => ({ video: x0.video, audio: x0.audio.subarray(1) }) }),
    /editX0 returned \d+ values, expected \d+/,
  );
});
