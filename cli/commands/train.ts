/** `avdit train`: AVDiT on a latent cache with a MoNL mixture or a single strategy. */
import { Flags, parseArgs } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { train, TRAINER_DEFAULTS } from '../../src/train/trainer.js';
import { AVDIT_PRESETS, type AvditPreset } from '../../src/model/avdit.js';
import { MIXTURES, parseMixture } from '../../src/monl/strategies.js';
import { monlTrainTask } from '../../src/train/node/monl-task.js';
import { countParams } from '../../src/nn/params.js';

export const TRAIN_HELP = `avdit train --data <latents> --out <run> [--strategy monl] [--preset small] [options]
    --strategy ${Object.keys(MIXTURES).join('|')}   (monl = uniform over the four strategies)
    --preset ${Object.keys(AVDIT_PRESETS).join('|')}   --width/--depth/--heads override the preset
    --steps 4000 --batch 16 --lr 5e-4 --warmup 200 --ema 0.999 --seed 0 --self-cond-rate 0.9
    --checkpoint-every 250 --log-every 25 --resume --device auto|wasm|webgpu`;

export async function trainCommand(argv: string[]): Promise<void> {
  const f = new Flags('train', parseArgs(argv, ['resume']), ['data', 'out', 'strategy', 'preset', 'width', 'depth', 'heads', 'steps', 'batch', 'lr', 'warmup', 'ema', 'seed', 'self-cond-rate', 'checkpoint-every', 'log-every', 'resume', 'device', 'val-windows']);
  const data = f.str('data'), out = f.str('out');
  if (!data || !out) throw new Error(`usage: ${TRAIN_HELP}`);
  const presetName = f.str('preset', 'small');
  if (!(presetName in AVDIT_PRESETS)) throw new Error(`train: unknown --preset "${presetName}" (${Object.keys(AVDIT_PRESETS).join(', ')})`);
  const preset = AVDIT_PRESETS[presetName as AvditPreset];
  const model = { ...preset, width: f.num('width', preset.width), depth: f.num('depth', preset.depth), heads: f.num('heads', preset.heads) };
  const strategy = f.str('strategy', 'monl');
  const mixture = parseMixture(strategy);
  const info = await initNodeEngine({ device: (f.str('device') as any) ?? undefined });
  const task = monlTrainTask(data, model, { batch: f.num('batch', 16), mixtureName: strategy, mixture, selfCondRate: f.num('self-cond-rate', 0.9), valWindows: f.num('val-windows', 64) });
  console.log(`AVDiT ${presetName} (width ${model.width}, depth ${model.depth}, heads ${model.heads}, ${(countParams(task.specs) / 1e6).toFixed(2)}M parameters), strategy ${strategy}, on ${info.device}${info.device === 'wasm' ? ` with ${info.threads} threads` : ` (${info.adapter})`}`);
  const cfg = {
    ...TRAINER_DEFAULTS,
    steps: f.num('steps', 4000),
    lr: f.num('lr', 5e-4),
    warmupSteps: f.num('warmup', 200),
    emaDecay: f.num('ema', 0.999),
    seed: f.num('seed', 0),
    checkpointEvery: f.num('checkpoint-every', 250),
    logEvery: f.num('log-every', 25),
    weightDecay: 0.01,
  };
  const r = await train(task, cfg, out, { resume: f.bool('resume') });
  console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint (EMA weights), metrics in ${out}/metrics.jsonl, loss curve ${out}/loss.png`);
}
