// The shared trainer: the loss falls, a killed-and-resumed run ends with the same weights as an
// uninterrupted one (exact resume), checkpoints and the loss curve are written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../engine/node.js';
import { ops, type Params, type Tensor } from '../engine/index.js';
import { linear, linearSpecs } from '../nn/layers.js';
import { train, TRAINER_DEFAULTS, type TrainTask, type TrainerConfig } from './trainer.js';
import { loadCheckpoint } from '../util/node/checkpoint.js';
import { lrAt } from './schedule.js';
import { normal } from '../util/rng.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-trainer-'));

const task: TrainTask = {
  config: { kind: 'toy' },
  specs: { ...linearSpecs('l1', 4, 32), ...linearSpecs('l2', 32, 1) },
  batch(key) {
    const x = normal(key, 64 * 4);
    const y = Float32Array.from({ length: 64 }, (_, i) => Math.sin(x[i * 4]) + 0.5 * x[i * 4 + 1] * x[i * 4 + 2]);
    return [ops.tensor(x, [64, 4]), ops.tensor(y, [64, 1])];
  },
  loss(p: Params, [x, y]: Tensor[]) {
    const mse = ops.mean(ops.square(ops.sub(linear(p, 'l2', ops.gelu(linear(p, 'l1', x))), y)));
    return [mse.ref, { mse }];
  },
};
const cfg: TrainerConfig = { ...TRAINER_DEFAULTS, steps: 40, lr: 1e-2, warmupSteps: 5, logEvery: 5, checkpointEvery: 10, emaDecay: 0.9, seed: 3 };
const quiet = () => {};

test('warm-up then cosine decay', () => {
  const s = { lr: 1, warmupSteps: 10, steps: 110, minLrFraction: 0.1 };
  assert.equal(lrAt(5, s), 0.5);
  assert.equal(lrAt(10, s), 1);
  assert.ok(Math.abs(lrAt(60, s) - 0.55) < 1e-12);
  assert.ok(Math.abs(lrAt(110, s) - 0.1) < 1e-12);
});

test('training lowers the loss and writes checkpoint, metrics and loss curve', async () => {
  const out = join(root, 'full');
  const r = await train(task, cfg, out, { log: quiet });
  assert.ok(r.history.at(-1)!.loss < 0.5 * r.history[0].loss, `loss ${r.history[0].loss} → ${r.history.at(-1)!.loss}`);
  for (const f of [
    'checkpoint/model.safetensors',
    'checkpoint/optimizer.safetensors',
    'checkpoint/config.json',
    'checkpoint/trainer.json',
    'metrics.jsonl',
    'loss.png',
  ]) {
    assert.ok(existsSync(join(out, f)), `${f} missing`);
  }
  assert.equal(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 8);
});

test('a run stopped at step 20 and resumed ends with exactly the weights of an uninterrupted run', async () => {
  const a = join(root, 'straight');
  const b = join(root, 'resumed');
  await train(task, cfg, a, { log: quiet });
  await train(task, cfg, b, { log: quiet, stopAfter: 20 });
  assert.equal((loadCheckpoint(join(b, 'checkpoint')).trainer as any).step, 20);
  await train(task, cfg, b, { log: quiet, resume: true });
  const pa = loadCheckpoint(join(a, 'checkpoint')),
    pb = loadCheckpoint(join(b, 'checkpoint'));
  for (const k of Object.keys(pa.params)) assert.deepEqual(pb.params[k].data, pa.params[k].data, `${k} differs after resume`);
  for (const k of Object.keys(pa.optimizer!)) assert.deepEqual(pb.optimizer![k].data, pa.optimizer![k].data, `optimizer ${k} differs`);
  assert.equal(readFileSync(join(b, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 8);
});

test('--for: a wall-time budget checkpoints and stops; chunks resumed with --resume equal an uninterrupted run', async () => {
  const a = join(root, 'straight-for'),
    b = join(root, 'chunks');
  await train(task, cfg, a, { log: quiet });
  const logs: string[] = [];
  const r1 = await train(task, cfg, b, { log: (s) => logs.push(s), forSeconds: 1e-6 });
  assert.equal(r1.step, 1);
  assert.ok(logs.some((l) => /wall-time budget of [0-9.e-]+ s reached at step 1: checkpointing/.test(l)));
  assert.equal((loadCheckpoint(join(b, 'checkpoint')).trainer as any).step, 1);
  await assert.rejects(train(task, cfg, b, { log: quiet }), /already holds a training run \(checkpoint at step 1\)/);
  await train(task, cfg, b, { log: quiet, resume: true, forSeconds: 1e-6 }); // step 2
  await train(task, cfg, b, { log: quiet, resume: true });
  const pa = loadCheckpoint(join(a, 'checkpoint')),
    pb = loadCheckpoint(join(b, 'checkpoint'));
  for (const k of Object.keys(pa.params)) assert.deepEqual(pb.params[k].data, pa.params[k].data, `${k} differs after chunks`);
});

test('a run seeded from an export (step 0) may add parameters: they start from their init, the rest from the export', async () => {
  const { saveCheckpoint } = await import('../util/node/checkpoint.js');
  const out = join(root, 'seeded');
  const exp = (await train(task, { ...cfg, steps: 10 }, join(root, 'seed-src'), { log: quiet })).step;
  assert.equal(exp, 10);
  const src = loadCheckpoint(join(root, 'seed-src', 'checkpoint'));
  const zeros = (t: { shape: number[]; data: Float32Array }) => ({ shape: t.shape, data: new Float32Array(t.data.length) });
  const optimizer = Object.fromEntries(
    Object.entries(src.params).flatMap(([k, t]) => [
      [`m.${k}`, zeros(t)],
      [`v.${k}`, zeros(t)],
      [`raw.${k}`, t],
    ]),
  );
  saveCheckpoint(join(out, 'checkpoint'), { config: src.config, params: src.params, optimizer, trainer: { step: 0, seededFrom: 'seed-src' } });
  // the same model plus a head the export lacks
  const wider: TrainTask = {
    ...task,
    specs: { ...task.specs, ...linearSpecs('extra', 4, 1) },
    loss(p: Params, [x, y]: Tensor[]) {
      const out = ops.add(linear(p, 'l2', ops.gelu(linear(p, 'l1', x.ref))), ops.mul(linear(p, 'extra', x), 0.01));
      const mse = ops.mean(ops.square(ops.sub(out, y)));
      return [mse.ref, { mse }];
    },
  };
  const logs: string[] = [];
  const r = await train(wider, { ...cfg, steps: 12 }, out, { resume: true, log: (s) => logs.push(s) });
  assert.ok(
    logs.some((l) => /2 parameters not in seed-src \(extra\.weight, …\): initialised/.test(l)),
    logs.join('\n'),
  );
  const w = loadCheckpoint(join(out, 'checkpoint')).params;
  assert.ok(w['extra.weight'] && w['extra.bias'], 'the added head is trained and saved');
  // the seeded weights were kept: at the first log line the loss is below a fresh run's of the same length
  const fresh = await train(wider, { ...cfg, steps: 12 }, join(root, 'fresh'), { log: quiet });
  assert.ok(r.history[0].loss < 0.8 * fresh.history[0].loss, `seeded first loss ${r.history[0].loss}, fresh ${fresh.history[0].loss}`);
  // a run past step 0 that lacks a parameter is still refused
  await assert.rejects(
    train({ ...wider, specs: { ...wider.specs, ...linearSpecs('more', 4, 1) } }, { ...cfg, steps: 14 }, out, { resume: true, log: quiet }),
    /optimizer state has no|missing tensor/,
  );
});

test('frozen parameters keep their values (no update, no weight decay, EMA equal) while the rest trains', async () => {
  const out = join(root, 'frozen');
  const logs: string[] = [];
  const r = await train({ ...task, frozen: (k) => k.startsWith('l1.') }, cfg, out, { log: (s) => logs.push(s) });
  assert.ok(
    logs.some((l) => /2 of 4 parameter tensors frozen \(l1\.weight, …\)/.test(l)),
    logs.join('\n'),
  );
  const init = loadCheckpoint(join(root, 'full', 'checkpoint')); // same seed: same initial l1, trained there
  const ck = loadCheckpoint(join(out, 'checkpoint'));
  const { initHostParams } = await import('../nn/params.js');
  const { foldIn } = await import('../util/rng.js');
  const start = initHostParams(task.specs, foldIn(cfg.seed, 0x1417));
  for (const k of ['l1.weight', 'l1.bias']) {
    assert.deepEqual(ck.params[k].data, start[k].data, `${k} moved`);
    assert.deepEqual(ck.optimizer![`raw.${k}`].data, start[k].data, `raw ${k} moved`);
    assert.ok(
      ck.optimizer![`m.${k}`].data.every((x) => x === 0),
      `${k} has optimizer state`,
    );
  }
  assert.notDeepEqual(ck.params['l2.weight'].data, start['l2.weight'].data, 'l2 did not train');
  assert.notDeepEqual(init.params['l1.weight'].data, start['l1.weight'].data, 'without freezing l1 trains');
  assert.ok(r.history.at(-1)!.loss < r.history[0].loss);
  await assert.rejects(train({ ...task, frozen: () => true }, cfg, join(root, 'all-frozen'), { log: quiet }), /every parameter is frozen/);
});
