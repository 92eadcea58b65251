/** `avdit activity train`: the activity net behind activity guidance (V2A timing). */
import { Flags } from '../args.js';
import { initNodeEngine } from '../../src/engine/node.js';
import { train, checkRunFolder } from '../../src/train/trainer.js';
import { activityTrainTask, ACTIVITY_TRAIN_DEFAULTS } from '../../src/train/node/train-activity.js';
import { TRAINER_FLAGS, trainerFlags, forSeconds } from './codec.js';

export const ACTIVITY_HELP = `avdit activity train --data <latents with quiet masks> --out <run> [--steps 600] [--batch ${ACTIVITY_TRAIN_DEFAULTS.batch}] [--hidden ${ACTIVITY_TRAIN_DEFAULTS.hidden}] [--dropout ${ACTIVITY_TRAIN_DEFAULTS.dropout}]
    the activity net: speech per video frame from the video latents, learnt from the training windows' own audio
    (no transcripts), plus the audio-side fit activity guidance needs; about a minute on 2 cores.
    Then: avdit export <run>/best --out models/activity; use it with --activity models/activity (generate, eval)`;

export async function activityCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'train') throw new Error(`activity: unknown subcommand ${JSON.stringify(sub)} (avdit activity train --help)`);
  const f = new Flags('activity train', rest, {
    options: ['data', 'out', 'batch', 'hidden', 'dropout', 'device', ...TRAINER_FLAGS],
    booleans: ['resume', 'force'],
    help: ACTIVITY_HELP,
  });
  const data = f.need('data', 'latent cache'),
    out = f.need('out', 'run folder');
  const runOpts = { resume: f.bool('resume'), force: f.bool('force'), forSeconds: forSeconds(f) };
  checkRunFolder(out, runOpts);
  const trainer = trainerFlags(f, { steps: 600, lr: 1e-3, warmupSteps: 20, weightDecay: 0.05, checkpointEvery: 100, logEvery: 50 });
  const info = await initNodeEngine({ device: f.device() });
  console.log(`engine: ${info.device}${info.device === 'wasm' ? ` with ${info.threads} threads` : ''}`);
  const task = await activityTrainTask(
    data,
    {
      batch: f.int('batch', ACTIVITY_TRAIN_DEFAULTS.batch, 1, 4096),
      hidden: f.int('hidden', ACTIVITY_TRAIN_DEFAULTS.hidden, 1, 4096),
      dropout: f.num('dropout', ACTIVITY_TRAIN_DEFAULTS.dropout, { min: 0, max: 0.95 }),
      levelWindows: ACTIVITY_TRAIN_DEFAULTS.levelWindows,
    },
    (s) => console.log(s),
  );
  const r = await train(task, trainer, out, runOpts);
  console.log(`done: ${r.step} steps; checkpoint in ${out}/checkpoint, best weights in ${out}/best`);
}
