// AVDiT training with MoNL on a small synthetic latent cache: the loss falls, per-strategy terms and
// per-pattern validation losses are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { AVDIT_PRESETS } from '../../model/avdit.js';
import { MIXTURES } from '../../monl/strategies.js';
import { train, TRAINER_DEFAULTS } from '../trainer.js';
import { monlTrainTask } from './monl-task.js';
import { writeToyLatents } from '../../testing/node/tiny.js';

await initNodeEngine({ device: 'wasm' });

test('MoNL training on toy latents: loss falls; per-strategy terms and per-pattern validation are reported', async () => {
  const root = mkdtempSync(join(tmpdir(), 'avdit-monl-'));
  writeToyLatents(join(root, 'lat'));
  const task = monlTrainTask(
    join(root, 'lat'),
    { ...AVDIT_PRESETS.tiny, width: 48, heads: 2, depth: 2 },
    { batch: 16, mixtureName: 'monl', mixture: MIXTURES.monl, selfCondRate: 0.9, valWindows: 8 },
  );
  const logs: string[] = [];
  const r = await train(
    task,
    { ...TRAINER_DEFAULTS, steps: 60, lr: 3e-3, warmupSteps: 5, logEvery: 10, checkpointEvery: 30, emaDecay: 0.9 },
    join(root, 'run'),
    { log: (s) => logs.push(s) },
  );
  const h = r.history;
  assert.ok(h.at(-1)!.loss < 0.8 * h[0].loss, `loss ${h[0].loss} → ${h.at(-1)!.loss}`);
  for (const k of ['video', 'audio', 'vanilla', 'perModality', 'perSegment', 'perCell']) assert.ok(Number.isFinite(h.at(-1)![k]), `${k} missing`);
  const last = JSON.parse(
    readFileSync(join(root, 'run', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .at(-1)!,
  );
  for (const k of ['val_vanilla', 'val_perModality', 'val_perSegment', 'val_perCell'])
    assert.ok(Number.isFinite(last[k]) && last[k] > 0, `${k}: ${last[k]}`);
  assert.ok(logs.some((s) => /validation at step 60: vanilla/.test(s)));
  // the best checkpoint: the step whose mean validation loss over the four patterns is lowest, as an fp16 export
  const vals = readFileSync(join(root, 'run', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((x) => 'val_vanilla' in x)
    .map((x) => ({ step: x.step, score: (x.val_vanilla + x.val_perModality + x.val_perSegment + x.val_perCell) / 4 }));
  assert.deepEqual(
    vals.map((x) => x.step),
    [30, 60],
  );
  const want = vals.reduce((a, b) => (b.score < a.score ? b : a));
  const best = JSON.parse(readFileSync(join(root, 'run', 'best', 'config.json'), 'utf8'));
  assert.equal(best.exportedStep, want.step);
  assert.ok(Math.abs(best.validationScore - want.score) < 1e-12);
  const header = readFileSync(join(root, 'run', 'best', 'model.safetensors'));
  assert.match(header.subarray(8, 300).toString(), /"dtype":"F16"/);
});
