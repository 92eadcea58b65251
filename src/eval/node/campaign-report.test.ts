// avdit report at tiny size: a run folder (checkpoint, best export, metrics) → progress.jsonl grows by one line
// per evaluated step, report.png and report.md are written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNodeEngine } from '../../engine/node.js';
import { syntheticClip } from '../../media/synthetic.js';
import { fileSha256 } from '../../codecs/node/latents.js';
import { encode } from '../../media/node/ffmpeg.js';
import { writeTinyAvdit, writeTinyCodecs } from '../../testing/node/tiny.js';
import { campaignReport, readProgress } from './campaign-report.js';

await initNodeEngine({ device: 'wasm' });
const root = mkdtempSync(join(tmpdir(), 'avdit-report-'));

test('avdit report: progress over steps, curves and strips for a run folder', async () => {
  const clips = join(root, 'clips');
  mkdirSync(clips, { recursive: true });
  for (let i = 0; i < 8; i++) await encode(syntheticClip({ seed: 40 + i, numFrames: 24, width: 32, height: 32 }).clip, join(clips, `s${i}.mp4`));
  const tc = writeTinyCodecs(root, { griffinLimIters: 2 });
  const codecs = {
    video: { path: tc.video, sha256: fileSha256(join(tc.video, 'model.safetensors')) },
    audio: { path: tc.audio, sha256: fileSha256(join(tc.audio, 'model.safetensors')) },
  };
  const run = join(root, 'run');
  writeTinyAvdit(join(run, 'checkpoint'), { codecs });
  writeFileSync(join(run, 'checkpoint', 'trainer.json'), JSON.stringify({ step: 40 }));
  const lines = [10, 20, 30, 40].map((step) => ({ step, loss: 1 / step, vanilla: 1.1 / step, val_vanilla: 2 / step, val_perCell: 3 / step }));
  writeFileSync(join(run, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join(''));
  const o = {
    run,
    data: clips,
    videoCodec: tc.video,
    audioCodec: tc.audio,
    input: join(clips, 's0.mp4'),
    crop: 'none' as const,
    split: 'all' as const,
    windows: 8,
    steps: 1,
    griffinLimIters: 2,
  };

  // no best export yet: the checkpoint at step 40 is evaluated
  const a = await campaignReport(o);
  assert.equal(a.point.step, 40);
  assert.ok(typeof a.point['a2v influence-video'] === 'number' && a.point['a2v influence-video']! >= 0);
  assert.ok(typeof a.point['v2a influence-audio'] === 'number');
  // a best export at step 30: one more point; the same step again replaces its point
  writeTinyAvdit(join(run, 'best'), { codecs, seed: 7 });
  const cfgPath = join(run, 'best', 'config.json');
  writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), exportedStep: 30, validationScore: 0.5 }));
  await campaignReport(o);
  await campaignReport(o);
  const p = readProgress(join(run, 'progress.jsonl'));
  assert.deepEqual(
    p.map((x) => x.step),
    [30, 40],
  );
  assert.equal(p[0].validationScore, 0.5);
  assert.ok(existsSync(join(run, 'report', 'report.png')));
  const md = readFileSync(join(run, 'report', 'report.md'), 'utf8');
  assert.match(md, /\| 30 \| [\d.]+ \|/);
  assert.match(md, /\| 40 \| [\d.]+ \|/);
});
