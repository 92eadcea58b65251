// AVDiT training with MoNL on a small synthetic latent cache: the loss falls, per-strategy terms and
// per-pattern validation losses are reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { segmentLayout } from '../../monl/segments.js';
import { encodeSafetensors } from '../../util/safetensors.js';
import { AVDIT_PRESETS } from '../../model/avdit.js';
import { MIXTURES } from '../../monl/strategies.js';
import { train, TRAINER_DEFAULTS } from '../trainer.js';
import { monlTrainTask } from './monl-task.js';
import type { LatentManifest } from '../../codecs/node/latents.js';

await initNodeEngine({ device: 'wasm' });

/** A latent cache whose video and audio latents are both functions of one hidden phase per window. */
export function writeToyLatents(dir: string, nTrain = 48, nVal = 8): void {
  mkdirSync(dir, { recursive: true });
  const seg = segmentLayout(9, 8, 56, 0.02);
  const mk = (n: number, seed: number) => {
    const v = new Float32Array(n * 3 * 4 * 4 * 4),
      a = new Float32Array(n * 56 * 4);
    for (let i = 0; i < n; i++) {
      const ph = (((i * 7919 + seed) % 97) / 97) * 2 * Math.PI;
      for (let k = 0; k < 192; k++) v[i * 192 + k] = Math.sin(ph + k * 0.3) * 1.2;
      for (let k = 0; k < 224; k++) a[i * 224 + k] = Math.cos(ph + Math.floor(k / 4) * 0.2 + (k % 4)) * 1.2;
    }
    return { v, a };
  };
  const tr = mk(nTrain, 1),
    va = mk(nVal, 2);
  writeFileSync(
    join(dir, 'latents.safetensors'),
    encodeSafetensors({
      'train.video': { shape: [nTrain, 3, 4, 4, 4], data: tr.v },
      'train.audio': { shape: [nTrain, 56, 4], data: tr.a },
      'val.video': { shape: [nVal, 3, 4, 4, 4], data: va.v },
      'val.audio': { shape: [nVal, 56, 4], data: va.a },
    }),
  );
  const m: LatentManifest = {
    version: 1,
    source: 'toy',
    codecs: { video: { path: 'none', sha256: '' }, audio: { path: 'none', sha256: '' } },
    data: { fps: 8, sampleRate: 16000, windowFrames: 9, width: 32, height: 32 },
    videoShape: [3, 4, 4, 4],
    audioShape: [56, 4],
    audioHopSec: 0.02,
    layout: seg,
    windows: {
      train: Array.from({ length: nTrain }, (_, i) => ({ file: `t${i}`, start: 0 })),
      val: Array.from({ length: nVal }, (_, i) => ({ file: `v${i}`, start: 0 })),
    },
  };
  writeFileSync(join(dir, 'latents.json'), JSON.stringify(m));
}

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
});
