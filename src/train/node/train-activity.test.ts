// The activity net learns speech per video frame from video latents that carry it, and loads back for guidance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { writeTinyCodecs, writeToyLatents } from '../../testing/node/tiny.js';
import { decodeSafetensors, encodeSafetensors } from '../../util/safetensors.js';
import { normal } from '../../util/rng.js';
import { train, TRAINER_DEFAULTS } from '../trainer.js';
import { activityTrainTask, speechLabels, ACTIVITY_TRAIN_DEFAULTS } from './train-activity.js';
import { loadCheckpoint } from '../../util/node/checkpoint.js';
import { ActivityNet } from '../../model/activity.js';
import { activityGuidanceFor } from '../../pipeline/activity-guidance.js';
import { parseCondition } from '../../monl/tasks.js';

await initNodeEngine({ device: 'wasm' });

test('activity net: learns speech per video frame from latents that carry it, saves the guide fit, loads for guidance', async () => {
  const root = mkdtempSync(join(tmpdir(), 'avdit-activity-'));
  try {
    const codecs = writeTinyCodecs(root);
    const lat = join(root, 'latents');
    writeToyLatents(lat, 96, 16, { video: { path: codecs.video, sha256: '' }, audio: { path: codecs.audio, sha256: '' } });
    // video latent frame k carries the speech of its pixel frames (±1.5 in its first values) under noise
    const file = join(lat, 'latents.safetensors');
    const t = decodeSafetensors(readFileSync(file), file).tensors;
    const frames = [
      [0, 0],
      [1, 4],
      [5, 8],
    ];
    for (const split of ['train', 'val']) {
      const n = t[`${split}.video`].shape[0];
      // quiet masks that vary from window to window: speech in pixel frame f of window i when (f·3 + i) % 5 < 3
      const quiet = Float32Array.from({ length: n * 56 }, (_, j) => {
        const i = Math.floor(j / 56),
          f = Math.min(8, Math.floor(((j % 56) + 0.5) * 0.02 * 8));
        return (f * 3 + i) % 5 < 3 ? 0 : 1;
      });
      const y = speechLabels(quiet, n, 56, 9, 8, 0.02);
      const v = normal(split === 'train' ? 3 : 4, n * 192, 0.5);
      for (let i = 0; i < n; i++)
        frames.forEach(([a, b], k) => {
          for (let f = a; f <= b; f++) v[i * 192 + k * 64 + (f - a)] += y[i * 9 + f] > 0.5 ? 1.5 : -1.5;
        });
      t[`${split}.video`] = { shape: t[`${split}.video`].shape, data: v };
      t[`${split}.quiet`] = { shape: [n, 56], data: quiet };
    }
    writeFileSync(file, encodeSafetensors(t));
    const task = await activityTrainTask(lat, { ...ACTIVITY_TRAIN_DEFAULTS, batch: 16, hidden: 16, dropout: 0.1 });
    const run = join(root, 'run');
    const r = await train(task, { ...TRAINER_DEFAULTS, steps: 150, lr: 3e-3, warmupSteps: 10, checkpointEvery: 150, logEvery: 50 }, run, {
      log: () => {},
    });
    const last = r.history[r.history.length - 1];
    assert.ok(last.val_agreement > 0.95, `validation agreement ${last.val_agreement}`);
    const net = ActivityNet.fromCheckpoint(loadCheckpoint(join(run, 'best')), join(run, 'best'));
    assert.equal(net.quietLatent.length, 4);
    assert.equal(net.level.length, 13);
    assert.ok(Number.isFinite(net.config.speechLevel));
    const p = await net.speech(t['val.video'].data, 16);
    const yv = speechLabels(t['val.quiet'].data, 16, 56, 9, 8, 0.02);
    const right = Array.from(p).filter((x, i) => x > 0.5 === yv[i] > 0.5).length / p.length;
    assert.ok(right > 0.95, `loaded net agrees on ${right}`);
    // guidance reads the whole video: v2a works, a mask with generated video cells is refused
    const model = {
      layout: { video: { L: 3, h: 4, w: 4, C: 4 }, audio: { La: 56, C: 4 } },
      checkpoint: { latents: { data: { fps: 8, windowFrames: 9 }, audioHopSec: 0.02 } },
    } as unknown as Parameters<typeof activityGuidanceFor>[2];
    const one = t['val.video'].data.subarray(0, 192);
    assert.ok(await activityGuidanceFor(net, 1, model, parseCondition('v2a', 3), one, 2));
    assert.equal(await activityGuidanceFor(net, 1, model, parseCondition('a2v', 3), one, 1), null);
    await assert.rejects(activityGuidanceFor(net, 1, model, parseCondition('video:0 audio:0', 3), one, 1), /every video cell must be given/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('activity net training refuses a latent cache without quiet masks, naming the file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'avdit-activity-'));
  try {
    const lat = join(root, 'latents');
    writeToyLatents(lat, 8, 4);
    const file = join(lat, 'latents.safetensors');
    const t = decodeSafetensors(readFileSync(file), file).tensors;
    delete t['val.quiet'];
    writeFileSync(file, encodeSafetensors(t));
    await assert.rejects(activityTrainTask(lat, ACTIVITY_TRAIN_DEFAULTS), /latents\.safetensors: no "val\.quiet"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
