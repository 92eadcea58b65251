// AVDiT at tiny size: shapes, adaLN-Zero init, per-cell vs scalar timestep paths, batch consistency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initNodeEngine } from '../engine/node.js';
import { ops, jit, refTree, type Params, type Tensor } from '../engine/index.js';
import { initHostParams, toDevice } from '../nn/params.js';
import { randomParams } from '../testing/node/tiny.js';
import { normal } from '../util/rng.js';
import { segmentLayout } from '../monl/segments.js';
import { makeTokenLayout } from '../monl/layout.js';
import {
  AVDIT_PRESETS,
  audioFrameOneHot,
  audioGatherHost,
  audioSegmentOneHot,
  avditConsts,
  avditForward,
  avditForwardScalarT,
  avditSpecs,
  patchify,
  unpatchify,
  type AvditConfig,
} from './avdit.js';

await initNodeEngine({ device: 'wasm' });
const seg = segmentLayout(9, 8, 56, 0.02); // 3 segments
export const tinyLayout = makeTokenLayout(seg, { L: 3, h: 4, w: 4, C: 4 }, { La: 56, C: 4 }, 2, 8, 0.02);
const cfg: AvditConfig = { ...AVDIT_PRESETS.tiny };
const l = tinyLayout;
const B = 3;
const MS = 6;
const xv = () => ops.tensor(normal(1, B * 3 * 4 * 4 * 4), [B, 3, 4, 4, 4]);
const xa = () => ops.tensor(normal(2, B * 56 * 4), [B, 56, 4]);
/** random (not zero) weights everywhere, so every path carries signal */
const randomWeights = (c: AvditConfig): Params => toDevice(randomParams(avditSpecs(c, l), 1, 0.2));

test('patchify / unpatchify round trip', async () => {
  const x = normal(3, 2 * 3 * 4 * 4 * 4);
  const t = patchify(ops.tensor(x, [2, 3, 4, 4, 4]), 2);
  assert.deepEqual(t.shape, [2, 12, 16]);
  assert.deepEqual(await ops.read(unpatchify(t, 2, 3, 4, 4, 4)), x);
});

test('adaLN-Zero init: the untrained model predicts zeros, with the right shapes', async () => {
  const p = toDevice(initHostParams(avditSpecs(cfg, l), 1));
  const k = avditConsts(cfg, l);
  const out = avditForward(
    p,
    cfg,
    l,
    k,
    { video: xv(), audio: xa() },
    ops.tensor(
      normal(4, B * MS).map((v) => 500 + 100 * v),
      [B, MS],
    ),
  );
  assert.deepEqual(out.video.shape, [B, 3, 4, 4, 4]);
  assert.deepEqual(out.audio.shape, [B, 56, 4]);
  assert.ok((await ops.read(out.video)).every((v) => v === 0));
  assert.ok((await ops.read(out.audio)).every((v) => v === 0));
});

test('with all timesteps equal, the per-cell path equals the single-timestep (DiT) path', async () => {
  const p = randomWeights(cfg);
  const k = avditConsts(cfg, l);
  const ts = [0, 250, 999];
  const cells = ops.tensor(
    Float32Array.from({ length: B * MS }, (_, i) => ts[Math.floor(i / MS)]),
    [B, MS],
  );
  const a = avditForward(refTree(p), cfg, l, k, { video: xv(), audio: xa() }, cells);
  const b = avditForwardScalarT(refTree(p), cfg, l, k, { video: xv(), audio: xa() }, ops.tensor(ts, [B]));
  const [av, aa, bv, ba] = [await ops.read(a.video), await ops.read(a.audio), await ops.read(b.video), await ops.read(b.audio)];
  assert.ok(
    av.some((v) => Math.abs(v) > 1e-3),
    'outputs are trivially zero',
  );
  av.forEach((v, i) => assert.ok(Math.abs(v - bv[i]) <= 1e-6 * (1 + Math.abs(v)), `video ${i}: ${v} vs ${bv[i]}`));
  aa.forEach((v, i) => assert.ok(Math.abs(v - ba[i]) <= 1e-6 * (1 + Math.abs(v)), `audio ${i}: ${v} vs ${ba[i]}`));
});

test('per-token timesteps matter: changing one cell changes the output', async () => {
  const p = randomWeights(cfg);
  const k = avditConsts(cfg, l);
  const f = jit((pp: Params, kk: any, v: Tensor, a: Tensor, t: Tensor) => avditForward(pp, cfg, l, kk, { video: v, audio: a }, t));
  const t0 = Float32Array.from({ length: B * MS }, () => 500);
  const t1 = t0.slice();
  t1[MS + 4] = 10; // example 1, audio segment 1
  const o0 = f(refTree(p), refTree(k), xv(), xa(), ops.tensor(t0, [B, MS]));
  const o1 = f(refTree(p), refTree(k), xv(), xa(), ops.tensor(t1, [B, MS]));
  const [v0, v1] = [await ops.read(o0.video), await ops.read(o1.video)];
  const per = v0.length / B;
  assert.deepEqual(v1.subarray(0, per), v0.subarray(0, per), 'example 0 must not change');
  assert.notDeepEqual(v1.subarray(per, 2 * per), v0.subarray(per, 2 * per), 'example 1 must change (attention mixes the cell in)');
  const [a0, a1] = [await ops.read(o0.audio), await ops.read(o1.audio)];
  assert.notDeepEqual(a1.subarray(56 * 4, 2 * 56 * 4), a0.subarray(56 * 4, 2 * 56 * 4));
});

test('a batch of one equals its item in a batch (self-conditioned model too)', async () => {
  const c2 = { ...cfg, selfCondition: true };
  const p = randomWeights(c2);
  const k = avditConsts(c2, l);
  const f = jit((pp: Params, kk: any, v: Tensor, a: Tensor, sv: Tensor, sa: Tensor, t: Tensor) =>
    avditForward(pp, c2, l, kk, { video: v, audio: a, selfCond: { video: sv, audio: sa } }, t),
  );
  const vv = normal(5, B * 192),
    aa = normal(6, B * 224),
    sv = normal(7, B * 192),
    sa = normal(8, B * 224),
    tt = normal(9, B * MS).map((v) => 500 + 200 * v);
  const full = f(
    refTree(p),
    refTree(k),
    ops.tensor(vv, [B, 3, 4, 4, 4]),
    ops.tensor(aa, [B, 56, 4]),
    ops.tensor(sv, [B, 3, 4, 4, 4]),
    ops.tensor(sa, [B, 56, 4]),
    ops.tensor(tt, [B, MS]),
  );
  const one = f(
    refTree(p),
    refTree(k),
    ops.tensor(vv.subarray(192, 384), [1, 3, 4, 4, 4]),
    ops.tensor(aa.subarray(224, 448), [1, 56, 4]),
    ops.tensor(sv.subarray(192, 384), [1, 3, 4, 4, 4]),
    ops.tensor(sa.subarray(224, 448), [1, 56, 4]),
    ops.tensor(tt.subarray(MS, 2 * MS), [1, MS]),
  );
  const fv = (await ops.read(full.video)).subarray(192, 384),
    ov = await ops.read(one.video);
  fv.forEach((v, i) => assert.ok(Math.abs(v - ov[i]) < 1e-5, `${v} vs ${ov[i]}`));
});

/** A context path `name` of model c2 (cfg + the path): at zero weights the output equals cfg's on the same other
 * weights; with random weights it changes output `changed` (0 video, 1 audio). */
async function checkZeroInitPath(c2: AvditConfig, name: string, changed: 0 | 1): Promise<void> {
  const base = randomParams(avditSpecs(cfg, l), 1, 0.2);
  assert.equal(avditSpecs(c2, l)[`${name}.weight`].init, 'zeros', `${name} starts at zero (grow-run.mjs relies on it)`);
  const rnd = randomParams(avditSpecs(c2, l), 2, 0.2);
  const t = ops.tensor(
    Float32Array.from({ length: B * MS }, (_, i) => 100 + 37 * i),
    [B, MS],
  );
  const run = async (c: AvditConfig, hp: typeof base) => {
    const o = avditForward(toDevice(hp), c, l, avditConsts(c, l), { video: xv(), audio: xa() }, t.ref);
    return [await ops.read(o.video), await ops.read(o.audio)];
  };
  const path = (f: (n: string) => { shape: number[]; data: Float32Array }) => ({
    [`${name}.weight`]: f(`${name}.weight`),
    [`${name}.bias`]: f(`${name}.bias`),
  });
  const plain = await run(cfg, base);
  const zero = await run(c2, { ...base, ...path((n) => ({ shape: rnd[n].shape, data: new Float32Array(rnd[n].data.length) })) });
  assert.deepEqual(zero, plain, `a zero ${name} must not change the output`);
  const used = await run(c2, { ...base, ...path((n) => rnd[n]) });
  assert.notDeepEqual(used[changed], plain[changed], `a trained ${name} changes the ${changed ? 'audio' : 'video'} output`);
  t.dispose();
}

test('audio context: each video frame gathers the 2K + 1 audio frames around its centre; zero-initialised, it changes nothing', async () => {
  const K = 4,
    W = 2 * K + 1,
    La = 56,
    perFrame = l.video.tokens / l.video.L;
  const g = audioGatherHost(l, K);
  for (let i = 0; i < l.video.L; i++) {
    const centre = Math.floor(l.time[i * perFrame] + 0.5);
    for (let d = 0; d < W; d++) {
      const row = g.subarray((i * W + d) * La, (i * W + d + 1) * La);
      const j = centre + d - K;
      assert.equal(
        row.reduce((a, b) => a + b, 0),
        j >= 0 && j < La ? 1 : 0,
        `frame ${i}, offset ${d}`,
      );
      if (j >= 0 && j < La) assert.equal(row[j], 1);
    }
  }
  assert.equal(Math.floor(l.time[0] + 0.5) - K < 0, true, 'the first frame’s context starts before the clip (a zero row is tested)');
  assert.deepEqual(avditSpecs({ ...cfg, audioContext: K }, l)['embed.audioContext.weight'].shape, [W * 4, cfg.width]);
  await checkZeroInitPath({ ...cfg, audioContext: K }, 'embed.audioContext', 0);
  assert.throws(() => avditSpecs({ ...cfg, audioContext: 1.5 }, l), /audioContext 1.5/);
});

test('video context: each audio token gets its segment’s video latent frame; zero-initialised, it changes nothing', async () => {
  const oh = audioSegmentOneHot(l);
  const L = l.video.L,
    La = 56;
  for (let j = 0; j < La; j++) {
    const row = Array.from(oh.subarray(j * L, (j + 1) * L));
    assert.equal(row.indexOf(1), l.segment[l.video.tokens + j]);
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      1,
    );
  }
  assert.deepEqual(avditSpecs({ ...cfg, videoContext: true }, l)['embed.videoContext.weight'].shape, [4 * 4 * 4, cfg.width]);
  await checkZeroInitPath({ ...cfg, videoContext: true }, 'embed.videoContext', 1);
});

test('video frame context: each audio token gets the projection made for the pixel frame its centre falls in', async () => {
  // 9 frames at 8 fps, 20 ms audio frames: segments hold pixel frames [0], [1..4], [5..8]
  assert.equal(l.subFrames, 4);
  const expect: [number, number, number][] = [
    [0, 0, 0], // 10 ms: frame 0
    [6, 1, 0], // 130 ms: frame 1, the first of segment 1
    [13, 1, 1], // 270 ms: frame 2
    [30, 1, 3], // 610 ms: frame 4, the last of segment 1
    [31, 2, 0], // 630 ms: frame 5, the first of segment 2
    [55, 2, 3], // 1110 ms: frame 8
  ];
  const oh = audioFrameOneHot(l),
    LR = l.video.L * l.subFrames;
  for (const [j, s, r] of expect) {
    assert.equal(Array.from(oh.subarray(j * LR, (j + 1) * LR)).indexOf(1), s * l.subFrames + r, `audio frame ${j}`);
  }
  for (let j = 0; j < 56; j++) {
    const row = Array.from(oh.subarray(j * LR, (j + 1) * LR));
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      1,
    );
    assert.equal(Math.floor(row.indexOf(1) / l.subFrames), l.segment[l.video.tokens + j], `audio frame ${j}: its own segment`);
  }
  // over segment 1 (audio frames 6..30) the sub-frame never goes back and takes every value
  const subs = Array.from(l.audioSubFrame.subarray(6, 31));
  assert.deepEqual([...new Set(subs)], [0, 1, 2, 3]);
  assert.deepEqual(
    subs,
    [...subs].sort((a, b) => a - b),
  );
  assert.deepEqual(avditSpecs({ ...cfg, videoFrameContext: true }, l)['embed.videoFrames.weight'].shape, [4 * 4 * 4, 4 * cfg.width]);
  await checkZeroInitPath({ ...cfg, videoFrameContext: true }, 'embed.videoFrames', 1);
});
